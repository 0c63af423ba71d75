//! `aws_kms_alias`: a name for a KMS key (`alias/...`). ID: the alias name.
//!
//! Refresh lists the account's aliases once (`ListAliases`, 100 a page) for every alias
//! read, not one call per alias.

use crate::errors::sdk_error;
use crate::iam::PROPAGATION;
use crate::kms::{not_found, same_key};
use crate::plan::validate_name;
use crate::resource::{Ctx, ResourceType, Result, invalid};
use crate::val;
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_kms::types::AliasListEntry;
use std::collections::HashMap;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::{PathStep, Value};

pub struct KmsAlias;

const PREFIX: &str = "alias/";

/// An `aws_kms_alias` object.
#[derive(Model, Clone, Debug, Default)]
struct Alias {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(optional, computed, force_new)]
    name: Option<String>,
    #[model(optional, computed, force_new)]
    name_prefix: Option<String>,
    #[model(required)]
    target_key_id: String,
    #[model(computed)]
    target_key_arn: Option<String>,
}

/// Every alias of the account (and region), by name; `key_id` narrows the listing to one
/// key's aliases.
async fn list_aliases(c: &Ctx<'_>, key_id: Option<&str>) -> Result<HashMap<String, AliasListEntry>> {
    // The paginator follows NextMarker, which KMS sends only while Truncated is true.
    let aliases = c
        .clients
        .kms
        .list_aliases()
        .set_key_id(key_id.map(str::to_string))
        .limit(100)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .map_err(|e| sdk_error("listing KMS aliases", e))?;
    Ok(aliases.into_iter().filter_map(|a| Some((a.alias_name()?.to_string(), a))).collect())
}

/// The ARN of the key an alias points at: the alias ARN with `key/<id>` for `alias/<name>`.
fn target_key_arn(alias_arn: &str, key_id: &str) -> Option<String> {
    let (head, resource) = alias_arn.rsplit_once(':')?;
    resource.starts_with(PREFIX).then(|| format!("{head}:key/{key_id}"))
}

fn alias_value(a: &AliasListEntry) -> Value {
    let name = a.alias_name().unwrap_or_default();
    let arn = a.alias_arn().unwrap_or_default();
    let target = a.target_key_id().unwrap_or_default();
    Alias {
        id: Some(name.to_string()),
        arn: Some(arn.to_string()),
        name: Some(name.to_string()),
        name_prefix: crate::resource::prefix_of(None, name),
        target_key_id: target.to_string(),
        target_key_arn: target_key_arn(arn, target),
    }
    .to_value()
}

/// Reads an alias just written (it may take a moment to be listed).
async fn read_new(c: &Ctx<'_>, name: &str, key: &str) -> Result<Value> {
    wait_for(&format!("KMS alias {name} to be readable"), PROPAGATION, || async {
        let all = list_aliases(c, Some(key)).await?;
        Ok(match all.get(name) {
            Some(a) if a.target_key_id().is_some_and(|t| same_key(key, t)) => Poll::Done(alias_value(a)),
            _ => Poll::Pending("not listed yet".into()),
        })
    })
    .await
}

fn valid_name(config: &Value, key: &str) -> Option<Diagnostic> {
    let re = regex::Regex::new(r"^alias/[a-zA-Z0-9/_-]+$").expect("valid regex");
    let v = val::string(config, key)?;
    // (A prefix may be `alias/` alone: the generated suffix completes it.)
    let complete = if key == "name_prefix" { format!("{v}x") } else { v.clone() };
    if !re.is_match(&complete) {
        return Some(invalid(
            &format!("Invalid {key}"),
            format!("{key} must begin with 'alias/' and be comprised of only [a-zA-Z0-9/_-], got {v:?}."),
        ));
    }
    v.starts_with("alias/aws/").then(|| {
        invalid(
            &format!("Invalid {key}"),
            format!("{key} cannot begin with reserved AWS CMK prefix 'alias/aws/': {v:?}."),
        )
    })
}

impl Alias {
    /// The name a create gives the alias: `name`, else `name_prefix` (or `PREFIX`) and a
    /// unique suffix.
    fn created_name(&self, c: &Ctx<'_>) -> String {
        c.name_or_prefix(self.name.as_deref(), self.name_prefix.as_deref(), PREFIX)
    }
}

#[async_trait]
impl ResourceType for KmsAlias {
    fn name(&self) -> &'static str {
        "aws_kms_alias"
    }

    fn schema(&self) -> Schema {
        Alias::schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = validate_name(config, 256, 256 - 26);
        out.extend(valid_name(config, "name"));
        out.extend(valid_name(config, "name_prefix"));
        out
    }

    fn customize_plan(&self, prior: Option<&Value>, _config: &Value, plan: &mut PlanResponse) {
        let Some(prior) = prior.filter(|p| !p.is_null()) else { return };
        if !plan.requires_replace.is_empty() {
            return;
        }
        let (Some(before), Some(wanted)) =
            (val::string(prior, "target_key_id"), val::string(&plan.planned, "target_key_id"))
        else {
            // Not known yet: the key ARN follows the target.
            if plan.planned.get_attr("target_key_id").is_some_and(Value::is_unknown) {
                plan.planned.set_at_path(&[PathStep::Attr("target_key_arn".into())], Value::DYNAMIC);
            }
            return;
        };
        if same_key(&before, &wanted) {
            // A key ID and its ARN name the same key: no change.
            plan.planned.set_at_path(&[PathStep::Attr("target_key_id".into())], Value::from(before));
        } else {
            plan.planned.set_at_path(&[PathStep::Attr("target_key_arn".into())], Value::DYNAMIC);
        }
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = Alias::from_value(planned)?;
        let name = planned.created_name(c);
        let key = planned.target_key_id;
        // A key just created may not be visible to CreateAlias yet.
        wait_for(&format!("KMS key {key} to be visible for alias {name}"), PROPAGATION, || async {
            match c.clients.kms.create_alias().alias_name(&name).target_key_id(&key).send().await {
                Ok(_) => Ok(Poll::Done(())),
                Err(e) if not_found(&e) => Ok(Poll::Pending(crate::errors::describe("creating KMS alias", &e))),
                Err(e) => Err(sdk_error(&format!("creating KMS alias {name}"), e)),
            }
        })
        .await?;
        let partial = Alias { id: Some(name.clone()), name: Some(name.clone()), ..Alias::default() };
        read_new(c, &name, &key).await.map_err(|e| e.with_partial_state(partial.to_value()))
    }

    /// Found by its name (configured, or made from `name_prefix` and the token): aliases have
    /// no tags, and a name is unique in the account and region. An alias of that name that
    /// points to another key than the planned one is not what the create made.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let wanted = Alias::from_stub(planned)?;
        let name = wanted.created_name(c);
        let found = crate::resource::find_named(self, c, crate::resource::with_id(planned, &name), false).await?;
        let want = &wanted.target_key_id;
        let Some(v) = found.as_ref().filter(|_| !want.is_empty()) else { return Ok(found) };
        let got = Alias::from_stub(v)?.target_key_id;
        Ok(found.filter(|_| !got.is_empty() && same_key(want, &got)))
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let all = match list_aliases(c, None).await {
            Ok(a) => a,
            Err(e) => return current.iter().map(|_| Err(e.clone())).collect(),
        };
        current.iter().map(|cur| Ok(all.get(&val::id(cur)).map(alias_value))).collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (Alias::from_stub(prior)?, Alias::from_value(planned)?);
        let name = prior.id.unwrap_or_default();
        let key = planned.target_key_id;
        if prior.target_key_id != key {
            c.clients
                .kms
                .update_alias()
                .alias_name(&name)
                .target_key_id(&key)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating KMS alias {name}"), e))?;
        }
        read_new(c, &name, &key).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let name = val::id(prior);
        match c.clients.kms.delete_alias().alias_name(&name).send().await {
            Ok(_) => Ok(()),
            Err(e) if not_found(&e) => Ok(()),
            Err(e) => Err(ProviderError::new(crate::errors::describe(&format!("deleting KMS alias {name}"), &e))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_key_arn_comes_from_the_alias_arn() {
        assert_eq!(
            target_key_arn("arn:aws:kms:eu-west-1:123456789012:alias/app", "k-1").as_deref(),
            Some("arn:aws:kms:eu-west-1:123456789012:key/k-1")
        );
        assert_eq!(target_key_arn("nonsense", "k"), None);
    }

    #[test]
    fn names_are_validated() {
        let v = |k: &str, n: &str| KmsAlias.check(&Value::object([(k, Value::from(n))]));
        assert!(v("name", "alias/app-key").is_empty());
        assert!(v("name_prefix", "alias/").is_empty());
        assert_eq!(v("name", "app-key").len(), 1);
        assert_eq!(v("name", "alias/aws/s3").len(), 1);
        assert_eq!(v("name", "alias/bad name").len(), 1);
    }
}
