//! `aws_s3_bucket_server_side_encryption_configuration`: how S3 encrypts new objects by
//! default — SSE-S3 (`AES256`) or SSE-KMS (`aws:kms`, with a key or the account's `aws/s3`
//! key), with or without S3 Bucket Keys. Destroying it deletes the configuration (AWS then
//! falls back to SSE-S3).

use crate::errors::sdk_error;
use crate::resource::{Ctx, ResourceType, Result, invalid, read_each};
use crate::s3::{format_id, is_missing, parse_id};
use crate::val::{self, Obj};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_s3::types::{
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub struct S3BucketSse;

const ALGORITHMS: &[&str] = &["AES256", "aws:kms", "aws:kms:dsse"];
const NOT_FOUND: &str = "ServerSideEncryptionConfigurationNotFoundError";
const PROPAGATION: Duration = Duration::from_secs(60);

fn schema() -> Schema {
    let by_default = Schema::new()
        .attr("sse_algorithm", Attribute::required(Type::String))
        .attr("kms_master_key_id", Attribute::optional(Type::String));
    Schema::new()
        .attr("id", Attribute::computed(Type::String))
        .attr("bucket", Attribute::required(Type::String).force_new())
        .attr("expected_bucket_owner", Attribute::optional(Type::String).force_new())
        .block(
            "rule",
            NestedBlock::set(
                Schema::new()
                    .attr("bucket_key_enabled", Attribute::optional(Type::Bool))
                    .block("apply_server_side_encryption_by_default", NestedBlock::list(by_default).max(1)),
            )
            .min(1),
        )
}

fn to_api(rules: &[Value]) -> Result<Vec<ServerSideEncryptionRule>> {
    rules
        .iter()
        .map(|r| {
            let by_default = match val::block(r, "apply_server_side_encryption_by_default") {
                Some(d) => Some(
                    ServerSideEncryptionByDefault::builder()
                        .sse_algorithm(ServerSideEncryption::from(
                            val::string(&d, "sse_algorithm").unwrap_or_default().as_str(),
                        ))
                        .set_kms_master_key_id(val::string(&d, "kms_master_key_id").filter(|k| !k.is_empty()))
                        .build()
                        .map_err(|e| ProviderError::new(e.to_string()))?,
                ),
                None => None,
            };
            Ok(ServerSideEncryptionRule::builder()
                .set_apply_server_side_encryption_by_default(by_default)
                .set_bucket_key_enabled(val::boolean(r, "bucket_key_enabled"))
                .build())
        })
        .collect()
}

/// The rules as stored: `bucket_key_enabled` false and unset mean the same to S3, so the
/// prior form is kept (null on import).
fn from_api(rules: &[ServerSideEncryptionRule], cur: &Value) -> Value {
    let prior = val::blocks(cur, "rule");
    Value::set_any(
        rules
            .iter()
            .map(|r| {
                let by_default = match r.apply_server_side_encryption_by_default() {
                    Some(d) => Value::tuple(vec![Value::object([
                        ("sse_algorithm", Value::from(d.sse_algorithm().as_str())),
                        ("kms_master_key_id", val::opt_str(d.kms_master_key_id())),
                    ])]),
                    None => Value::empty_tuple(),
                };
                let prior_key = prior
                    .iter()
                    .find(|p| p.get_attr("apply_server_side_encryption_by_default") == Some(&by_default))
                    .or(prior.first())
                    .and_then(|p| val::boolean(p, "bucket_key_enabled"));
                let bucket_key = match (r.bucket_key_enabled(), prior_key) {
                    (Some(true), _) => Value::Bool(true),
                    (_, Some(false)) => Value::Bool(false),
                    _ => val::opt_bool(None),
                };
                Value::object([
                    ("apply_server_side_encryption_by_default", by_default),
                    ("bucket_key_enabled", bucket_key),
                ])
            })
            .collect(),
    )
}

async fn get(c: &Ctx<'_>, bucket: &str, owner: Option<&str>) -> Result<Option<Vec<ServerSideEncryptionRule>>> {
    match c
        .clients
        .s3
        .get_bucket_encryption()
        .bucket(bucket)
        .set_expected_bucket_owner(owner.map(Into::into))
        .send()
        .await
    {
        Ok(out) => Ok(out.server_side_encryption_configuration().map(|s| s.rules().to_vec())),
        Err(e) if is_missing(&e, NOT_FOUND) => Ok(None),
        Err(e) => Err(sdk_error(&format!("reading the encryption configuration of S3 bucket {bucket}"), e)),
    }
}

fn value_of(bucket: &str, owner: Option<&str>, rules: &[ServerSideEncryptionRule], cur: &Value) -> Value {
    Obj::new(&schema())
        .set("id", format_id(bucket, owner))
        .set("bucket", bucket)
        .set("expected_bucket_owner", val::opt_str(owner))
        .set("rule", from_api(rules, cur))
        .build()
}

async fn put(c: &Ctx<'_>, bucket: &str, owner: Option<&str>, planned: &Value) -> Result<Value> {
    let conf = ServerSideEncryptionConfiguration::builder()
        .set_rules(Some(to_api(&val::blocks(planned, "rule"))?))
        .build()
        .map_err(|e| ProviderError::new(e.to_string()))?;
    c.clients
        .s3
        .put_bucket_encryption()
        .bucket(bucket)
        .set_expected_bucket_owner(owner.map(Into::into))
        .server_side_encryption_configuration(conf)
        .send()
        .await
        .map_err(|e| sdk_error(&format!("setting the encryption configuration of S3 bucket {bucket}"), e))?;
    let rules = wait_for(&format!("the encryption configuration of S3 bucket {bucket}"), PROPAGATION, || async {
        Ok(match get(c, bucket, owner).await? {
            Some(r) => Poll::Done(r),
            None => Poll::Pending("not found yet".into()),
        })
    })
    .await?;
    Ok(value_of(bucket, owner, &rules, planned))
}

#[async_trait]
impl ResourceType for S3BucketSse {
    fn name(&self) -> &'static str {
        "aws_s3_bucket_server_side_encryption_configuration"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for r in val::blocks(config, "rule") {
            let Some(d) = val::block(&r, "apply_server_side_encryption_by_default") else { continue };
            let alg = val::string(&d, "sse_algorithm");
            if let Some(a) = alg.as_deref().filter(|a| !ALGORITHMS.contains(a)) {
                out.push(invalid("Invalid sse_algorithm", format!("{a:?} is not one of {}.", ALGORITHMS.join(", "))));
            }
            if alg.as_deref() == Some("AES256") && val::string(&d, "kms_master_key_id").is_some() {
                out.push(invalid(
                    "Invalid kms_master_key_id",
                    "kms_master_key_id can only be set with sse_algorithm = \"aws:kms\" or \"aws:kms:dsse\".",
                ));
            }
        }
        out
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let bucket = val::string(planned, "bucket").unwrap_or_default();
        let owner = val::string(planned, "expected_bucket_owner");
        put(c, &bucket, owner.as_deref(), planned).await
    }

    /// Found by its natural key, the bucket (and expected owner): the encryption configuration has no identity of its own (the
    /// create is a put, which a repeat would only make again); what the bucket holds is adopted,
    /// and the next plan changes what differs.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        // Unknown when the killed apply was planned: asked again once the bucket is adopted.
        let Some(bucket) = val::string(planned, "bucket").filter(|b| !b.is_empty()) else { return Ok(None) };
        let id = format_id(&bucket, val::string(planned, "expected_bucket_owner").as_deref());
        crate::resource::read_stub(self, c, crate::resource::with_id(planned, &id)).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        read_each(current, |cur| async move {
            let (bucket, owner) = parse_id(&val::id(&cur));
            Ok(get(c, &bucket, owner.as_deref()).await?.map(|rules| value_of(&bucket, owner.as_deref(), &rules, &cur)))
        })
        .await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (bucket, owner) = parse_id(&val::id(prior));
        put(c, &bucket, owner.as_deref(), planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let (bucket, owner) = parse_id(&val::id(prior));
        match c.clients.s3.delete_bucket_encryption().bucket(&bucket).set_expected_bucket_owner(owner).send().await {
            Ok(_) => Ok(()),
            Err(e) if is_missing(&e, NOT_FOUND) => Ok(()),
            Err(e) => Err(sdk_error(&format!("deleting the encryption configuration of S3 bucket {bucket}"), e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(alg: &str, key: Option<&str>, bucket_key: Option<bool>) -> Value {
        Value::object([
            (
                "apply_server_side_encryption_by_default",
                Value::tuple(vec![Value::object([
                    ("sse_algorithm", Value::from(alg)),
                    ("kms_master_key_id", val::opt_str(key)),
                ])]),
            ),
            ("bucket_key_enabled", val::opt_bool(bucket_key)),
        ])
    }

    #[test]
    fn algorithms_are_checked() {
        let cfg = |r: Value| Value::object([("rule", Value::set_any(vec![r]))]);
        assert!(S3BucketSse.validate(&cfg(rule("aws:kms", Some("k"), None))).is_empty());
        assert_eq!(S3BucketSse.validate(&cfg(rule("aes256", None, None))).len(), 1);
        assert_eq!(S3BucketSse.validate(&cfg(rule("AES256", Some("k"), None))).len(), 1);
    }

    #[test]
    fn rules_round_trip_and_keep_the_bucket_key_form() {
        let prior = Value::object([("rule", Value::set_any(vec![rule("aws:kms", Some("k"), None)]))]);
        let api = to_api(&val::blocks(&prior, "rule")).unwrap();
        assert_eq!(from_api(&api, &prior), prior.get_attr("rule").cloned().unwrap());
        let api_false = vec![ServerSideEncryptionRule::builder().set_bucket_key_enabled(Some(false)).build()];
        let explicit = Value::object([("rule", Value::set_any(vec![rule("AES256", None, Some(false))]))]);
        let got = from_api(&api_false, &explicit);
        assert_eq!(
            val::boolean(&val::blocks(&Value::object([("rule", got)]), "rule")[0], "bucket_key_enabled"),
            Some(false)
        );
    }
}
