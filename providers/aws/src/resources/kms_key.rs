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
use crate::policy::{normalize_json, plan_policy, policy_to_set, validate_policy};
use crate::resource::{Ctx, ResourceType, Result, invalid, with_tags, with_timeouts};
use crate::val::{self, Obj};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_kms::types::{KeyMetadata, KeySpec, KeyState, KeyUsageType, OriginType, Tag};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use std::collections::BTreeMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub struct KmsKey;

fn schema() -> Schema {
    let s = with_tags(
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("arn", Attribute::computed(Type::String))
            .attr("key_id", Attribute::computed(Type::String))
            .attr("description", Attribute::optional_computed(Type::String))
            .attr("key_usage", Attribute::optional(Type::String).default("ENCRYPT_DECRYPT").force_new())
            .attr(
                "customer_master_key_spec",
                Attribute::optional(Type::String).default("SYMMETRIC_DEFAULT").force_new(),
            )
            .attr("policy", Attribute::optional_computed(Type::String))
            .attr("bypass_policy_lockout_safety_check", Attribute::optional(Type::Bool).default(false))
            .attr("deletion_window_in_days", Attribute::optional(Type::Number))
            .attr("is_enabled", Attribute::optional(Type::Bool).default(true))
            .attr("enable_key_rotation", Attribute::optional(Type::Bool).default(false))
            .attr("rotation_period_in_days", Attribute::optional_computed(Type::Number))
            .attr("multi_region", Attribute::optional_computed(Type::Bool).force_new())
            .attr("custom_key_store_id", Attribute::optional(Type::String).force_new())
            .attr("xks_key_id", Attribute::optional(Type::String).force_new()),
    );
    with_timeouts(s, &["create"])
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

/// The key as state holds it; `None` when it is gone (or pending deletion).
async fn read_key(c: &Ctx<'_>, id: &str, cur: &Value) -> Result<Option<Value>> {
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
    let (tags, tags_all) = crate::tags::read_back(&api_tags, c.default_tags(), cur);
    // moto leaves the rotation period out; the prior value stands then.
    let period = match period {
        Some(p) => Value::from(i64::from(p)),
        None => cur.get_attr("rotation_period_in_days").filter(|v| !v.is_unknown()).cloned().unwrap_or(Value::NULL),
    };
    Ok(Some(
        Obj::new(&schema())
            .set("id", key_id)
            .set("key_id", key_id)
            .set("arn", val::opt_str(m.arn()))
            .set("description", m.description().unwrap_or_default())
            .set("key_usage", val::opt_str(m.key_usage().map(KeyUsageType::as_str)))
            .set("customer_master_key_spec", val::opt_str(m.key_spec().map(KeySpec::as_str)))
            .set("policy", policy_to_set(val::string(cur, "policy").as_deref(), &policy, false))
            .set(
                "bypass_policy_lockout_safety_check",
                Value::Bool(val::boolean(cur, "bypass_policy_lockout_safety_check").unwrap_or(false)),
            )
            .set("is_enabled", Value::Bool(m.enabled()))
            .set("enable_key_rotation", Value::Bool(rotation))
            .set("rotation_period_in_days", period)
            .set("multi_region", Value::Bool(m.multi_region().unwrap_or(false)))
            .set("custom_key_store_id", val::opt_str(m.custom_key_store_id()))
            .set("xks_key_id", val::opt_str(m.xks_key_configuration().and_then(|x| x.id())))
            .set("tags", tags)
            .set("tags_all", tags_all)
            .keep(cur, &["deletion_window_in_days", "timeouts"])
            .build(),
    ))
}

/// Reads a key just written, waiting out KMS's eventual consistency.
async fn read_new(c: &Ctx<'_>, id: &str, like: &Value) -> Result<Value> {
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
        schema()
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
        let kms = &c.clients.kms;
        let tags = crate::tags::at_create(c, planned);
        let mut req = kms
            .create_key()
            .key_usage(KeyUsageType::from(val::string(planned, "key_usage").unwrap_or_default().as_str()))
            .key_spec(KeySpec::from(val::string(planned, "customer_master_key_spec").unwrap_or_default().as_str()))
            .bypass_policy_lockout_safety_check(
                val::boolean(planned, "bypass_policy_lockout_safety_check").unwrap_or(false),
            )
            .set_description(val::string(planned, "description"))
            .set_policy(val::string(planned, "policy").map(|p| normalize_json(&p).unwrap_or(p)));
        if val::boolean(planned, "multi_region") == Some(true) {
            req = req.multi_region(true);
        }
        if let Some(store) = val::string(planned, "custom_key_store_id") {
            req = req.origin(OriginType::AwsCloudhsm).custom_key_store_id(store);
        }
        if let Some(xks) = val::string(planned, "xks_key_id") {
            req = req.origin(OriginType::ExternalKeyStore).xks_key_id(xks);
        }
        if !tags.is_empty() {
            req = req.set_tags(Some(kms_tags(&tags)?));
        }
        // KMS refuses a policy naming a principal IAM has not spread yet: retried, as
        // Terraform does, until IAM catches up (up to `timeouts.create`, 2 minutes).
        let patience = crate::waiter::timeout(planned, "create", PROPAGATION);
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
        let partial = || Value::object([("id", Value::from(id.as_str())), ("key_id", Value::from(id.as_str()))]);
        let finish = async {
            if val::boolean(planned, "enable_key_rotation") == Some(true) {
                set_rotation(c, &id, true, val::int(planned, "rotation_period_in_days")).await?;
            }
            if val::boolean(planned, "is_enabled") == Some(false) {
                set_enabled(c, &id, false).await?;
            }
            read_new(c, &id, planned).await
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
            Some(id) => read_key(c, &id, &crate::resource::with_id(planned, &id)).await,
            None => Ok(None),
        }
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        crate::resource::read_each(current, |cur| async move { read_key(c, &val::id(&cur), &cur).await }).await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = val::id(prior);
        let kms = &c.clients.kms;
        let changed = |k: &str| prior.get_attr(k) != planned.get_attr(k);
        let enabled = val::boolean(planned, "is_enabled").unwrap_or(true);
        // Enabled first, disabled last: a disabled key cannot be changed.
        if changed("is_enabled") && enabled {
            set_enabled(c, &id, true).await?;
        }
        let rotate = val::boolean(planned, "enable_key_rotation").unwrap_or(false);
        if changed("enable_key_rotation") || (rotate && changed("rotation_period_in_days")) {
            set_rotation(c, &id, rotate, val::int(planned, "rotation_period_in_days")).await?;
        }
        if changed("description") {
            kms.update_key_description()
                .key_id(&id)
                .description(val::string(planned, "description").unwrap_or_default())
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating the description of KMS key {id}"), e))?;
        }
        if changed("policy")
            && let Some(policy) = val::string(planned, "policy")
        {
            kms.put_key_policy()
                .key_id(&id)
                .policy_name("default")
                .policy(normalize_json(&policy).unwrap_or(policy))
                .bypass_policy_lockout_safety_check(
                    val::boolean(planned, "bypass_policy_lockout_safety_check").unwrap_or(false),
                )
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating the policy of KMS key {id}"), e))?;
        }
        crate::tags::update(
            &val::string_map(prior, "tags_all"),
            &crate::tags::wanted(planned),
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
        if changed("is_enabled") && !enabled {
            set_enabled(c, &id, false).await?;
        }
        read_new(c, &id, planned).await
    }

    /// Schedules the deletion (after `deletion_window_in_days`, AWS's default 30) and waits
    /// until the key is pending deletion.
    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let id = val::id(prior);
        let req = c
            .clients
            .kms
            .schedule_key_deletion()
            .key_id(&id)
            .set_pending_window_in_days(val::int(prior, "deletion_window_in_days").map(|d| d as i32));
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
        let d = KmsKey.validate(&bad);
        assert_eq!(d.len(), 3, "{d:?}");
        let good = Value::object([
            ("key_usage", Value::from("SIGN_VERIFY")),
            ("customer_master_key_spec", Value::from("RSA_2048")),
            ("deletion_window_in_days", Value::from(7i64)),
        ]);
        assert!(KmsKey.validate(&good).is_empty());
    }
}
