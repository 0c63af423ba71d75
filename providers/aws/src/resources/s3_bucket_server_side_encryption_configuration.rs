//! `aws_s3_bucket_server_side_encryption_configuration`: how S3 encrypts new objects by
//! default — SSE-S3 (`AES256`) or SSE-KMS (`aws:kms`, with a key or the account's `aws/s3`
//! key), with or without S3 Bucket Keys. Destroying it deletes the configuration (AWS then
//! falls back to SSE-S3).

use crate::errors::sdk_error;
use crate::resource::{Ctx, ResourceType, Result, invalid, read_each};
use crate::s3::{format_id, is_missing, parse_id};
use crate::val;
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_s3::types::{
    ServerSideEncryption, ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct S3BucketSse;

const ALGORITHMS: &[&str] = &["AES256", "aws:kms", "aws:kms:dsse"];
const NOT_FOUND: &str = "ServerSideEncryptionConfigurationNotFoundError";
const PROPAGATION: Duration = Duration::from_secs(60);

/// An `aws_s3_bucket_server_side_encryption_configuration` object.
#[derive(Model, Clone, Debug, Default)]
struct Sse {
    #[model(computed)]
    id: Option<String>,
    #[model(required, force_new)]
    bucket: String,
    #[model(optional, force_new)]
    expected_bucket_owner: Option<String>,
    #[model(block = "set", min = 1)]
    rule: Vec<Rule>,
}

#[derive(Model, Clone, Debug, Default, PartialEq)]
struct Rule {
    #[model(optional)]
    bucket_key_enabled: Option<bool>,
    #[model(block, max = 1)]
    apply_server_side_encryption_by_default: Option<ByDefault>,
}

#[derive(Model, Clone, Debug, Default, PartialEq)]
struct ByDefault {
    #[model(required)]
    sse_algorithm: String,
    #[model(optional)]
    kms_master_key_id: Option<String>,
}

fn to_api(rules: &[Rule]) -> Result<Vec<ServerSideEncryptionRule>> {
    rules
        .iter()
        .map(|r| {
            let by_default = match &r.apply_server_side_encryption_by_default {
                Some(d) => Some(
                    ServerSideEncryptionByDefault::builder()
                        .sse_algorithm(ServerSideEncryption::from(d.sse_algorithm.as_str()))
                        .set_kms_master_key_id(d.kms_master_key_id.clone().filter(|k| !k.is_empty()))
                        .build()
                        .map_err(|e| ProviderError::new(e.to_string()))?,
                ),
                None => None,
            };
            Ok(ServerSideEncryptionRule::builder()
                .set_apply_server_side_encryption_by_default(by_default)
                .set_bucket_key_enabled(r.bucket_key_enabled)
                .build())
        })
        .collect()
}

/// The rules as stored: `bucket_key_enabled` false and unset mean the same to S3, so the
/// prior form is kept (null on import).
fn from_api(rules: &[ServerSideEncryptionRule], prior: &[Rule]) -> Vec<Rule> {
    rules
        .iter()
        .map(|r| {
            let by_default = r.apply_server_side_encryption_by_default().map(|d| ByDefault {
                sse_algorithm: d.sse_algorithm().as_str().to_string(),
                kms_master_key_id: d.kms_master_key_id().map(str::to_string),
            });
            let prior_key = prior
                .iter()
                .find(|p| p.apply_server_side_encryption_by_default == by_default)
                .or(prior.first())
                .and_then(|p| p.bucket_key_enabled);
            let bucket_key_enabled = match (r.bucket_key_enabled(), prior_key) {
                (Some(true), _) => Some(true),
                (_, Some(false)) => Some(false),
                _ => None,
            };
            Rule { bucket_key_enabled, apply_server_side_encryption_by_default: by_default }
        })
        .collect()
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

fn value_of(bucket: &str, owner: Option<&str>, rules: &[ServerSideEncryptionRule], cur: &Sse) -> Value {
    Sse {
        id: Some(format_id(bucket, owner)),
        bucket: bucket.to_string(),
        expected_bucket_owner: owner.map(str::to_string),
        rule: from_api(rules, &cur.rule),
    }
    .to_value()
}

async fn put(c: &Ctx<'_>, bucket: &str, owner: Option<&str>, planned: &Sse) -> Result<Value> {
    let conf = ServerSideEncryptionConfiguration::builder()
        .set_rules(Some(to_api(&planned.rule)?))
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
        Sse::schema()
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
        let planned = Sse::from_value(planned)?;
        put(c, &planned.bucket, planned.expected_bucket_owner.as_deref(), &planned).await
    }

    /// Found by its natural key, the bucket (and expected owner): the encryption configuration has no identity of its own (the
    /// create is a put, which a repeat would only make again); what the bucket holds is adopted,
    /// and the next plan changes what differs.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        // Unknown when the killed apply was planned: asked again once the bucket is adopted.
        let planned = Sse::from_stub(planned)?;
        if planned.bucket.is_empty() {
            return Ok(None);
        }
        let id = format_id(&planned.bucket, planned.expected_bucket_owner.as_deref());
        crate::resource::read_stub(self, c, Sse { id: Some(id), ..planned }.to_value()).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        read_each(current, |cur| async move {
            let cur = Sse::from_stub(&cur)?;
            let (bucket, owner) = parse_id(cur.id.as_deref().unwrap_or_default());
            Ok(get(c, &bucket, owner.as_deref()).await?.map(|rules| value_of(&bucket, owner.as_deref(), &rules, &cur)))
        })
        .await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (Sse::from_stub(prior)?, Sse::from_value(planned)?);
        let (bucket, owner) = parse_id(prior.id.as_deref().unwrap_or_default());
        put(c, &bucket, owner.as_deref(), &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = Sse::from_stub(prior)?;
        let (bucket, owner) = parse_id(prior.id.as_deref().unwrap_or_default());
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

    fn rule(alg: &str, key: Option<&str>, bucket_key: Option<bool>) -> Rule {
        Rule {
            bucket_key_enabled: bucket_key,
            apply_server_side_encryption_by_default: Some(ByDefault {
                sse_algorithm: alg.to_string(),
                kms_master_key_id: key.map(str::to_string),
            }),
        }
    }

    #[test]
    fn algorithms_are_checked() {
        let cfg = |r: Rule| Value::object([("rule", Value::set_any(vec![r.to_value()]))]);
        assert!(S3BucketSse.validate(&cfg(rule("aws:kms", Some("k"), None))).is_empty());
        assert_eq!(S3BucketSse.validate(&cfg(rule("aes256", None, None))).len(), 1);
        assert_eq!(S3BucketSse.validate(&cfg(rule("AES256", Some("k"), None))).len(), 1);
    }

    #[test]
    fn rules_round_trip_and_keep_the_bucket_key_form() {
        let prior = vec![rule("aws:kms", Some("k"), None)];
        let api = to_api(&prior).unwrap();
        assert_eq!(from_api(&api, &prior), prior);
        let api_false = vec![ServerSideEncryptionRule::builder().set_bucket_key_enabled(Some(false)).build()];
        let explicit = vec![rule("AES256", None, Some(false))];
        let got = from_api(&api_false, &explicit);
        assert_eq!(got[0].bucket_key_enabled, Some(false));
    }
}
