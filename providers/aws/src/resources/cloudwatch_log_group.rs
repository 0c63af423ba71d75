//! `aws_cloudwatch_log_group`: where the apps' `awslogs` driver sends their logs.

use crate::errors::sdk_error;
use crate::model::Tags;
use crate::resource::{Ctx, ResourceType, Result, invalid};
use crate::val;
use async_trait::async_trait;
use std::collections::{BTreeMap, HashMap};
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct LogGroup;

/// The retention periods CloudWatch Logs accepts (0: never expire).
pub const RETENTION_DAYS: &[i64] =
    &[0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/// An `aws_cloudwatch_log_group` object.
#[derive(Model, Clone, Debug, Default)]
struct Group {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(optional, computed, force_new)]
    name: Option<String>,
    #[model(optional, computed, force_new)]
    name_prefix: Option<String>,
    #[model(optional, default = 0i64)]
    retention_in_days: i64,
    #[model(optional)]
    kms_key_id: Option<String>,
    #[model(optional, computed, force_new)]
    log_group_class: Option<String>,
    #[model(optional, default = false)]
    skip_destroy: bool,
    #[model(flatten)]
    tags: Tags,
}

async fn tags_of(c: &Ctx<'_>, arn: &str) -> Result<BTreeMap<String, String>> {
    let arn = arn.trim_end_matches(":*");
    let out = c
        .clients
        .logs
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(|e| sdk_error(&format!("reading tags of {arn}"), e))?;
    Ok(out.tags().map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default())
}

/// Above this many log groups, a refresh reads their tags with one Resource Groups Tagging API
/// call per hundred groups instead of one ListTagsForResource each. A single group (the read
/// after a create or update) keeps the direct call, which is strongly consistent.
const BULK_TAGS_ABOVE: usize = 4;

/// The tags of many log groups by ARN, read with the tagging API (GetResources with up to 100
/// ARNs per call; a group it does not list has no tags). `None` when it cannot be used: not
/// configured (see `config::tagging_usable`), or refused (no `tag:GetResources` permission, a
/// common gap in Terraform users' policies) or failing, and the caller reads group by group.
async fn bulk_tags(c: &Ctx<'_>, arns: &[String]) -> Option<HashMap<String, Result<BTreeMap<String, String>>>> {
    use std::sync::atomic::Ordering;
    let client = c.clients.tagging.as_ref()?;
    if arns.len() <= BULK_TAGS_ABOVE || c.clients.tagging_refused.load(Ordering::Relaxed) {
        return None;
    }
    let mut out: HashMap<String, Result<BTreeMap<String, String>>> =
        arns.iter().map(|a| (a.clone(), Ok(BTreeMap::new()))).collect();
    for page in crate::resource::chunks(arns, 100) {
        // Up to 100 resources a page (the most the API gives; its default is 50, and the
        // resources past the first page would otherwise be read as untagged).
        let listed =
            client.get_resources().set_resource_arn_list(Some(page)).resources_per_page(100).into_paginator().items();
        match listed.send().try_collect().await {
            Ok(mappings) => {
                for m in &mappings {
                    if let Some(arn) = m.resource_arn()
                        && let Some(slot) = out.get_mut(arn)
                    {
                        *slot = Ok(m.tags().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect());
                    }
                }
            }
            Err(e) => {
                let refused = crate::errors::code(&e).is_some_and(|c| {
                    c.starts_with("AccessDenied") || c == "UnauthorizedOperation" || c == "UnrecognizedClientException"
                });
                if refused {
                    c.clients.tagging_refused.store(true, Ordering::Relaxed);
                }
                tracing::debug!(
                    "{}; reading the tags one log group at a time instead",
                    crate::errors::describe("reading log group tags with the Resource Groups Tagging API", &e)
                );
                return None;
            }
        }
    }
    Some(out)
}

async fn set_retention(c: &Ctx<'_>, name: &str, days: i64) -> Result<()> {
    if days > 0 {
        c.clients
            .logs
            .put_retention_policy()
            .log_group_name(name)
            .retention_in_days(days as i32)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("setting the retention of log group {name}"), e))?;
    } else {
        c.clients
            .logs
            .delete_retention_policy()
            .log_group_name(name)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("removing the retention of log group {name}"), e))?;
    }
    Ok(())
}

impl LogGroup {
    async fn read_one(&self, c: &Ctx<'_>, name: &str, like: &Group) -> Result<Value> {
        let stub = Group { id: Some(name.to_string()), ..like.clone() };
        crate::resource::read_model(self, c, &stub, &format!("log group {name}")).await
    }
}

impl Group {
    /// The name a create gives the log group: `name`, else `name_prefix` (or `terraform-`) and a
    /// unique suffix.
    fn created_name(&self, c: &Ctx<'_>) -> String {
        c.name_or_prefix(self.name.as_deref(), self.name_prefix.as_deref(), "terraform-")
    }
}

#[async_trait]
impl ResourceType for LogGroup {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::Logs)
    }

    fn name(&self) -> &'static str {
        "aws_cloudwatch_log_group"
    }

    fn schema(&self) -> Schema {
        Group::schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        match val::number(config, "retention_in_days") {
            Some(d) if !RETENTION_DAYS.contains(&(d as i64)) || d.fract() != 0.0 => vec![invalid(
                "Invalid retention_in_days",
                format!(
                    "CloudWatch Logs does not accept a retention of {d} days. Allowed values: {}.",
                    RETENTION_DAYS.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
                ),
            )],
            _ => Vec::new(),
        }
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = Group::from_value(planned)?;
        let name = planned.created_name(c);
        let tags = planned.tags.at_create(c);
        let mut req =
            c.clients.logs.create_log_group().log_group_name(&name).set_kms_key_id(planned.kms_key_id.clone());
        if !tags.is_empty() {
            req = req.set_tags(Some(tags.into_iter().collect()));
        }
        if let Some(class) = &planned.log_group_class {
            req = req.log_group_class(aws_sdk_cloudwatchlogs::types::LogGroupClass::from(class.as_str()));
        }
        req.send().await.map_err(|e| sdk_error(&format!("creating log group {name}"), e))?;
        let partial = || Group { id: Some(name.clone()), name: Some(name.clone()), ..Group::default() }.to_value();
        if planned.retention_in_days > 0 {
            set_retention(c, &name, planned.retention_in_days).await.map_err(|e| e.with_partial_state(partial()))?;
        }
        self.read_one(c, &name, &planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by its name (configured, or made from `name_prefix` and the token), carrying the
    /// token tag CreateLogGroup gave it.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let name = Group::from_stub(planned)?.created_name(c);
        crate::resource::find_named(self, c, crate::resource::with_id(planned, &name), true).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        // One listing by common prefix (paged 50 at a time) finds every group read here.
        let names: Vec<String> = current.iter().map(val::id).collect();
        let prefix = common_prefix(&names);
        let mut found = HashMap::new();
        let mut req = c.clients.logs.describe_log_groups();
        if !prefix.is_empty() {
            req = req.log_group_name_prefix(&prefix);
        }
        let mut pages = req.into_paginator().send();
        loop {
            let out = match pages.try_next().await {
                Ok(Some(o)) => o,
                Ok(None) => break,
                Err(e) => {
                    let msg = crate::errors::describe("reading log groups", &e);
                    return current.iter().map(|_| Err(ProviderError::new(msg.clone()))).collect();
                }
            };
            for g in out.log_groups() {
                if let Some(n) = g.log_group_name()
                    && names.iter().any(|x| x == n)
                {
                    found.insert(n.to_string(), g.clone());
                }
            }
            if found.len() == names.len() {
                break;
            }
        }
        let arn_of = |g: &aws_sdk_cloudwatchlogs::types::LogGroup| {
            g.arn().unwrap_or_default().trim_end_matches(":*").to_string()
        };
        let arns: Vec<String> = found.values().map(arn_of).collect();
        let mut tags = match bulk_tags(c, &arns).await {
            Some(t) => t,
            None => {
                use futures::stream::{self, StreamExt};
                stream::iter(arns)
                    .map(|arn| async move { (arn.clone(), tags_of(c, &arn).await) })
                    .buffer_unordered(8)
                    .collect::<HashMap<_, _>>()
                    .await
            }
        };
        let mut out = Vec::with_capacity(current.len());
        for cur in current {
            let cur = match Group::from_stub(cur) {
                Ok(g) => g,
                Err(e) => {
                    out.push(Err(e.into()));
                    continue;
                }
            };
            let name = cur.id.clone().unwrap_or_default();
            let Some(g) = found.remove(&name) else {
                out.push(Ok(None));
                continue;
            };
            let arn = arn_of(&g);
            let api_tags = match tags.remove(&arn).unwrap_or_else(|| Ok(BTreeMap::new())) {
                Ok(t) => t,
                Err(e) => {
                    out.push(Err(e));
                    continue;
                }
            };
            out.push(Ok(Some(
                Group {
                    id: Some(name.clone()),
                    arn: Some(arn),
                    name_prefix: crate::resource::prefix_of(cur.name_prefix.as_deref(), &name),
                    name: Some(name),
                    retention_in_days: i64::from(g.retention_in_days().unwrap_or(0)),
                    kms_key_id: g.kms_key_id().map(str::to_string),
                    log_group_class: g.log_group_class().map(|c| c.as_str().to_string()),
                    skip_destroy: cur.skip_destroy,
                    tags: cur.tags.read_back(c, &api_tags),
                }
                .to_value(),
            )));
        }
        out
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (Group::from_stub(prior)?, Group::from_value(planned)?);
        let name = prior.id.clone().unwrap_or_default();
        if prior.retention_in_days != planned.retention_in_days {
            set_retention(c, &name, planned.retention_in_days).await?;
        }
        if prior.kms_key_id != planned.kms_key_id {
            match &planned.kms_key_id {
                Some(k) => {
                    c.clients
                        .logs
                        .associate_kms_key()
                        .log_group_name(&name)
                        .kms_key_id(k)
                        .send()
                        .await
                        .map_err(|e| sdk_error(&format!("setting the KMS key of log group {name}"), e))?;
                }
                None => {
                    c.clients
                        .logs
                        .disassociate_kms_key()
                        .log_group_name(&name)
                        .send()
                        .await
                        .map_err(|e| sdk_error(&format!("removing the KMS key of log group {name}"), e))?;
                }
            }
        }
        let arn = prior.arn.clone().unwrap_or_default();
        let logs = &c.clients.logs;
        crate::tags::update(
            &prior.tags.wanted(),
            &planned.tags.wanted(),
            async |keys| {
                let req = logs.untag_resource().resource_arn(&arn).set_tag_keys(Some(keys));
                req.send().await.map(drop).map_err(|e| sdk_error(&format!("removing tags of log group {name}"), e))
            },
            async |set| {
                let req = logs.tag_resource().resource_arn(&arn).set_tags(Some(set.into_iter().collect()));
                req.send().await.map(drop).map_err(|e| sdk_error(&format!("tagging log group {name}"), e))
            },
        )
        .await?;
        self.read_one(c, &name, &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = Group::from_stub(prior)?;
        if prior.skip_destroy {
            return Ok(());
        }
        let name = prior.id.unwrap_or_default();
        match c.clients.logs.delete_log_group().log_group_name(&name).send().await {
            Ok(_) => Ok(()),
            Err(e) if crate::errors::is_not_found(&e) => Ok(()),
            Err(e) => Err(sdk_error(&format!("deleting log group {name}"), e)),
        }
    }
}

/// The longest prefix all names share.
fn common_prefix(names: &[String]) -> String {
    let Some(first) = names.first() else { return String::new() };
    let mut len = first.len();
    for n in &names[1..] {
        len = len.min(first.bytes().zip(n.bytes()).take_while(|(a, b)| a == b).count());
    }
    while !first.is_char_boundary(len) {
        len -= 1;
    }
    first[..len].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_must_be_an_allowed_value() {
        let bad = LogGroup.validate(&Value::object([("retention_in_days", Value::from(10i64))]));
        assert_eq!(bad.len(), 1);
        assert!(bad[0].detail.contains("3653"));
        assert!(LogGroup.validate(&Value::object([("retention_in_days", Value::from(14i64))])).is_empty());
    }

    #[test]
    fn common_prefix_of_names() {
        assert_eq!(common_prefix(&["/app/web".into(), "/app/api".into()]), "/app/");
        assert_eq!(common_prefix(&["/x".into()]), "/x");
    }
}
