//! `aws_kms_key`: a KMS key (the S3 state bucket's and the databases' encryption). ID: the
//! key ID.
//!
//! Refresh: KMS has no call that describes many keys (`ListKeys` returns IDs only), so each
//! key costs `DescribeKey`, `GetKeyPolicy`, `ListResourceTags` and, for symmetric keys made
//! by KMS (the only ones that rotate), `GetKeyRotationStatus`; the last three run together,
//! and keys are read eight at a time. A key pending deletion counts as gone, as in
//! Terraform, without the other three calls.

use crate::errors::{code, sdk_error};
use crate::iam::PROPAGATION;
use crate::kms::not_found;
use crate::model::{CreateTimeouts, Op, Tags, limit};
use crate::policy::{normalize_json, plan_policy, policy_to_set, validate_policy};
use crate::resource::{Ctx, ResourceType, Result, invalid};
use crate::val;
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_kms::types::{KeyMetadata, KeySpec, KeyState, KeyUsageType, OriginType, Tag};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::collections::BTreeMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct KmsKey;

/// An `aws_kms_key` object.
#[derive(Model, Clone, Debug, Default)]
struct Key {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(computed)]
    key_id: Option<String>,
    #[model(optional, computed)]
    description: Option<String>,
    #[model(optional, default = "ENCRYPT_DECRYPT", force_new)]
    key_usage: String,
    #[model(optional, default = "SYMMETRIC_DEFAULT", force_new)]
    customer_master_key_spec: String,
    #[model(optional, computed)]
    policy: Option<String>,
    #[model(optional, default = false)]
    bypass_policy_lockout_safety_check: bool,
    #[model(optional)]
    deletion_window_in_days: Option<i64>,
    #[model(optional, default = true)]
    is_enabled: bool,
    #[model(optional, default = false)]
    enable_key_rotation: bool,
    #[model(optional, computed)]
    rotation_period_in_days: Option<i64>,
    #[model(optional, computed, force_new)]
    multi_region: Option<bool>,
    #[model(optional, force_new)]
    custom_key_store_id: Option<String>,
    #[model(optional, force_new)]
    xks_key_id: Option<String>,
    #[model(flatten)]
    tags: Tags,
    #[model(block = "single")]
    timeouts: Option<CreateTimeouts>,
}

/// The key's metadata; `None` when it does not exist.
pub async fn describe(c: &Ctx<'_>, key_id: &str) -> Result<Option<KeyMetadata>> {
    match c.clients.kms.describe_key().key_id(key_id).send().await {
        Ok(out) => Ok(out.key_metadata().cloned()),
        Err(e) if not_found(&e) => Ok(None),
        Err(e) => Err(sdk_error(&format!("reading KMS key {key_id}"), e)),
    }
}

fn gone(m: &KeyMetadata) -> bool {
    matches!(m.key_state(), Some(KeyState::PendingDeletion | KeyState::PendingReplicaDeletion))
}

async fn policy_of(c: &Ctx<'_>, id: &str) -> Result<Option<String>> {
    match c.clients.kms.get_key_policy().key_id(id).policy_name("default").send().await {
        Ok(out) => Ok(Some(out.policy().unwrap_or("{}").to_string())),
        Err(e) if not_found(&e) => Ok(None),
        Err(e) => Err(sdk_error(&format!("reading the policy of KMS key {id}"), e)),
    }
}

/// (rotation enabled, rotation period) of a key.
async fn rotation_of(c: &Ctx<'_>, id: &str) -> Result<Option<(bool, Option<i32>)>> {
    match c.clients.kms.get_key_rotation_status().key_id(id).send().await {
        Ok(out) => Ok(Some((out.key_rotation_enabled(), out.rotation_period_in_days()))),
        Err(e) if not_found(&e) => Ok(None),
        Err(e) => Err(sdk_error(&format!("reading the rotation status of KMS key {id}"), e)),
    }
}

async fn tags_of(c: &Ctx<'_>, id: &str) -> Result<Option<BTreeMap<String, String>>> {
    // The paginator follows NextMarker, which KMS sends only while Truncated is true.
    match c.clients.kms.list_resource_tags().key_id(id).into_paginator().items().send().try_collect().await {
        Ok(tags) => Ok(Some(tags.iter().map(|t| (t.tag_key().to_string(), t.tag_value().to_string())).collect())),
        Err(e) if not_found(&e) => Ok(None),
        Err(e) => Err(sdk_error(&format!("reading the tags of KMS key {id}"), e)),
    }
}

fn kms_tags(m: &BTreeMap<String, String>) -> Result<Vec<Tag>> {
    m.iter()
        .map(|(k, v)| {
            Tag::builder().tag_key(k).tag_value(v).build().map_err(|e| ProviderError::new(format!("tag {k}: {e}")))
        })
        .collect()
}

/// The key as state holds it (`cur`: its prior value); `None` when it is gone (or pending
/// deletion).
async fn read_key(c: &Ctx<'_>, id: &str, cur: &Key) -> Result<Option<Value>> {
    let Some(m) = describe(c, id).await? else { return Ok(None) };
    if gone(&m) {
        return Ok(None);
    }
    let key_id = m.key_id();
    let rotates = m.origin() == Some(&OriginType::AwsKms) && m.key_spec() == Some(&KeySpec::SymmetricDefault);
    let (policy, rotation, tags) = futures::join!(
        policy_of(c, key_id),
        async { if rotates { rotation_of(c, key_id).await } else { Ok(Some((false, None))) } },
        tags_of(c, key_id)
    );
    let (Some(policy), Some((rotation, period)), Some(api_tags)) = (policy?, rotation?, tags?) else {
        return Ok(None);
    };
    let text = |s: Option<&str>| s.map(str::to_string);
    Ok(Some(
        Key {
            id: Some(key_id.to_string()),
            key_id: Some(key_id.to_string()),
            arn: text(m.arn()),
            description: Some(m.description().unwrap_or_default().to_string()),
            // (KMS always gives both; the defaults stand in for an answer without them.)
            key_usage: m.key_usage().map_or("ENCRYPT_DECRYPT", KeyUsageType::as_str).to_string(),
            customer_master_key_spec: m.key_spec().map_or("SYMMETRIC_DEFAULT", KeySpec::as_str).to_string(),
            policy: Some(policy_to_set(cur.policy.as_deref(), &policy, false)),
            bypass_policy_lockout_safety_check: cur.bypass_policy_lockout_safety_check,
            deletion_window_in_days: cur.deletion_window_in_days,
            is_enabled: m.enabled(),
            enable_key_rotation: rotation,
            // moto leaves the rotation period out; the prior value stands then.
            rotation_period_in_days: period.map(i64::from).or(cur.rotation_period_in_days),
            multi_region: Some(m.multi_region().unwrap_or(false)),
            custom_key_store_id: text(m.custom_key_store_id()),
            xks_key_id: text(m.xks_key_configuration().and_then(|x| x.id())),
            tags: cur.tags.read_back(c, &api_tags),
            timeouts: cur.timeouts.clone(),
        }
        .to_value(),
    ))
}

/// Reads a key just written, waiting out KMS's eventual consistency.
async fn read_new(c: &Ctx<'_>, id: &str, like: &Key) -> Result<Value> {
    wait_for(&format!("KMS key {id} to be readable"), PROPAGATION, || async {
        Ok(match read_key(c, id, like).await? {
            Some(v) => Poll::Done(v),
            None => Poll::Pending("not found yet".into()),
        })
    })
    .await
}

async fn set_enabled(c: &Ctx<'_>, id: &str, enabled: bool) -> Result<()> {
    let kms = &c.clients.kms;
    if enabled {
        kms.enable_key().key_id(id).send().await.map_err(|e| sdk_error(&format!("enabling KMS key {id}"), e))?;
    } else {
        kms.disable_key().key_id(id).send().await.map_err(|e| sdk_error(&format!("disabling KMS key {id}"), e))?;
    }
    Ok(())
}

async fn set_rotation(c: &Ctx<'_>, id: &str, enabled: bool, period: Option<i64>) -> Result<()> {
    let kms = &c.clients.kms;
    if enabled {
        kms.enable_key_rotation()
            .key_id(id)
            .set_rotation_period_in_days(period.filter(|p| *p > 0).map(|p| p as i32))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("enabling rotation of KMS key {id}"), e))?;
    } else {
        kms.disable_key_rotation()
            .key_id(id)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("disabling rotation of KMS key {id}"), e))?;
    }
    Ok(())
}

fn one_of(config: &Value, key: &str, allowed: &[&str]) -> Option<Diagnostic> {
    let v = val::string(config, key)?;
    (!allowed.contains(&v.as_str()))
        .then(|| invalid(&format!("Invalid {key}"), format!("expected {key} to be one of {allowed:?}, got {v:?}.")))
}

fn in_range(config: &Value, key: &str, lo: f64, hi: f64) -> Option<Diagnostic> {
    let n = val::number(config, key).filter(|n| !(lo..=hi).contains(n))?;
    Some(invalid(&format!("Invalid {key}"), format!("expected {key} to be in the range ({lo} - {hi}), got {n}.")))
}

#[async_trait]
impl ResourceType for KmsKey {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::Kms)
    }

    fn name(&self) -> &'static str {
        "aws_kms_key"
    }

    fn schema(&self) -> Schema {
        Key::schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = [
            one_of(config, "key_usage", KeyUsageType::values()),
            one_of(config, "customer_master_key_spec", KeySpec::values()),
            in_range(config, "deletion_window_in_days", 7.0, 30.0),
            in_range(config, "rotation_period_in_days", 90.0, 2560.0),
        ]
        .into_iter()
        .flatten()
        .collect();
        if val::string(config, "description").is_some_and(|d| d.chars().count() > 8192) {
            out.push(invalid("Invalid description", "description must be at most 8192 characters."));
        }
        out.extend(validate_policy(config, "policy"));
        out
    }

    fn customize_plan(&self, prior: Option<&Value>, _config: &Value, plan: &mut PlanResponse) {
        plan_policy(prior, plan, "policy", false);
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = Key::from_value(planned)?;
        let kms = &c.clients.kms;
        let tags = planned.tags.at_create(c);
        let mut req = kms
            .create_key()
            .key_usage(KeyUsageType::from(planned.key_usage.as_str()))
            .key_spec(KeySpec::from(planned.customer_master_key_spec.as_str()))
            .bypass_policy_lockout_safety_check(planned.bypass_policy_lockout_safety_check)
            .set_description(planned.description.clone())
            .set_policy(planned.policy.clone().map(|p| normalize_json(&p).unwrap_or(p)));
        if planned.multi_region == Some(true) {
            req = req.multi_region(true);
        }
        if let Some(store) = &planned.custom_key_store_id {
            req = req.origin(OriginType::AwsCloudhsm).custom_key_store_id(store);
        }
        if let Some(xks) = &planned.xks_key_id {
            req = req.origin(OriginType::ExternalKeyStore).xks_key_id(xks);
        }
        if !tags.is_empty() {
            req = req.set_tags(Some(kms_tags(&tags)?));
        }
        // KMS refuses a policy naming a principal IAM has not spread yet: retried, as
        // Terraform does, until IAM catches up (up to `timeouts.create`, 2 minutes).
        let patience = limit(&planned.timeouts, Op::Create, PROPAGATION);
        let out = wait_for("IAM principals in the key policy to be known to KMS", patience, || async {
            match req.clone().send().await {
                Ok(out) => Ok(Poll::Done(out)),
                Err(e) if code(&e) == Some("MalformedPolicyDocumentException") => {
                    Ok(Poll::Pending(crate::errors::describe("creating KMS key", &e)))
                }
                Err(e) => Err(sdk_error("creating KMS key", e)),
            }
        })
        .await?;
        let id = out.key_metadata().map(|m| m.key_id().to_string()).unwrap_or_default();
        let partial = || Key { id: Some(id.clone()), key_id: Some(id.clone()), ..Key::default() }.to_value();
        let finish = async {
            if planned.enable_key_rotation {
                set_rotation(c, &id, true, planned.rotation_period_in_days).await?;
            }
            if !planned.is_enabled {
                set_enabled(c, &id, false).await?;
            }
            read_new(c, &id, &planned).await
        };
        finish.await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by the token tag CreateKey gave it: a key has no name, and KMS cannot filter by
    /// tag, so every key of the account and region is listed (ListKeys) and its tags read,
    /// eight at a time (keys whose tags this caller may not read are not its own). A key
    /// pending deletion is not found.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        use futures::stream::{self, StreamExt};
        let Some(token) = c.token else { return Ok(None) };
        // The paginator follows NextMarker, which KMS sends only while Truncated is true.
        let keys = c
            .clients
            .kms
            .list_keys()
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| sdk_error("listing KMS keys to find one a create made", e))?;
        let ids: Vec<String> = keys.iter().filter_map(|k| k.key_id()).map(str::to_string).collect();
        let tagged = stream::iter(ids)
            .map(|id| async move {
                match c.clients.kms.list_resource_tags().key_id(&id).send().await {
                    Ok(out) => Ok(out
                        .tags()
                        .iter()
                        .any(|t| t.tag_key() == crate::tags::TOKEN_TAG && t.tag_value() == token)
                        .then_some(id)),
                    Err(e) if not_found(&e) || code(&e) == Some("AccessDeniedException") => Ok(None),
                    Err(e) => Err(sdk_error(&format!("reading the tags of KMS key {id}"), e)),
                }
            })
            .buffer_unordered(8)
            .collect::<Vec<Result<Option<String>>>>()
            .await;
        let mut found = None;
        for t in tagged {
            found = found.or(t?);
        }
        match found {
            Some(id) => read_key(c, &id, &Key::from_stub(planned)?).await,
            None => Ok(None),
        }
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        crate::resource::read_each(current, |cur| async move {
            let cur = Key::from_stub(&cur)?;
            read_key(c, cur.id.as_deref().unwrap_or_default(), &cur).await
        })
        .await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (Key::from_stub(prior)?, Key::from_value(planned)?);
        let id = prior.id.clone().unwrap_or_default();
        let kms = &c.clients.kms;
        let enabled = planned.is_enabled;
        let enabling = prior.is_enabled != enabled;
        // Enabled first, disabled last: a disabled key cannot be changed.
        if enabling && enabled {
            set_enabled(c, &id, true).await?;
        }
        let rotate = planned.enable_key_rotation;
        if prior.enable_key_rotation != rotate
            || (rotate && prior.rotation_period_in_days != planned.rotation_period_in_days)
        {
            set_rotation(c, &id, rotate, planned.rotation_period_in_days).await?;
        }
        if prior.description != planned.description {
            kms.update_key_description()
                .key_id(&id)
                .description(planned.description.clone().unwrap_or_default())
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating the description of KMS key {id}"), e))?;
        }
        if prior.policy != planned.policy
            && let Some(policy) = planned.policy.clone()
        {
            kms.put_key_policy()
                .key_id(&id)
                .policy_name("default")
                .policy(normalize_json(&policy).unwrap_or(policy))
                .bypass_policy_lockout_safety_check(planned.bypass_policy_lockout_safety_check)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating the policy of KMS key {id}"), e))?;
        }
        crate::tags::update(
            &prior.tags.wanted(),
            &planned.tags.wanted(),
            async |keys| {
                let req = kms.untag_resource().key_id(&id).set_tag_keys(Some(keys));
                req.send().await.map(drop).map_err(|e| sdk_error(&format!("removing tags of KMS key {id}"), e))
            },
            async |set| {
                let req = kms.tag_resource().key_id(&id).set_tags(Some(kms_tags(&set)?));
                req.send().await.map(drop).map_err(|e| sdk_error(&format!("tagging KMS key {id}"), e))
            },
        )
        .await?;
        if enabling && !enabled {
            set_enabled(c, &id, false).await?;
        }
        read_new(c, &id, &planned).await
    }

    /// Schedules the deletion (after `deletion_window_in_days`, AWS's default 30) and waits
    /// until the key is pending deletion.
    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = Key::from_stub(prior)?;
        let id = prior.id.unwrap_or_default();
        let req = c
            .clients
            .kms
            .schedule_key_deletion()
            .key_id(&id)
            .set_pending_window_in_days(prior.deletion_window_in_days.map(|d| d as i32));
        match req.send().await {
            Ok(_) => {}
            Err(e) if not_found(&e) => return Ok(()),
            Err(e)
                if code(&e) == Some("KMSInvalidStateException")
                    && e.message().is_some_and(|m| m.contains("is pending deletion")) =>
            {
                return Ok(());
            }
            Err(e) => return Err(sdk_error(&format!("deleting KMS key {id}"), e)),
        }
        wait_for(&format!("KMS key {id} to be pending deletion"), Duration::from_secs(20 * 60), || async {
            Ok(match describe(c, &id).await? {
                None => Poll::Done(()),
                Some(m) if gone(&m) => Poll::Done(()),
                Some(m) => Poll::Pending(m.key_state().map(|s| s.as_str().to_string()).unwrap_or_default()),
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_validated() {
        let bad = Value::object([
            ("key_usage", Value::from("DECRYPT_ONLY")),
            ("deletion_window_in_days", Value::from(3i64)),
            ("policy", Value::from("not json")),
        ]);
        let d = KmsKey.check(&bad);
        assert_eq!(d.len(), 3, "{d:?}");
        let good = Value::object([
            ("key_usage", Value::from("SIGN_VERIFY")),
            ("customer_master_key_spec", Value::from("RSA_2048")),
            ("deletion_window_in_days", Value::from(7i64)),
        ]);
        assert!(KmsKey.check(&good).is_empty());
    }
}
