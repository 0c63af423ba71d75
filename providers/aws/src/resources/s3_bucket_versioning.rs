//! `aws_s3_bucket_versioning`: a bucket's versioning state. `Disabled` describes a bucket
//! that was never versioned (nothing is sent); once enabled, versioning can only be
//! suspended, which is also what destroying this resource does, as in Terraform.

use crate::errors::{code, sdk_error};
use crate::resource::{Ctx, ResourceType, Result, invalid, read_each};
use crate::s3::{format_id, is_missing, parse_id};
use crate::val;
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_s3::types::{BucketVersioningStatus, MfaDelete, VersioningConfiguration};
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct S3BucketVersioning;

const STATUSES: &[&str] = &["Enabled", "Suspended", "Disabled"];

/// How long a new versioning state may take to show (Terraform's bucket propagation timeout).
const PROPAGATION: Duration = Duration::from_secs(60);

/// An `aws_s3_bucket_versioning` object.
#[derive(Model, Clone, Debug, Default)]
struct Versioning {
    #[model(computed)]
    id: Option<String>,
    #[model(required, force_new)]
    bucket: String,
    #[model(optional, force_new)]
    expected_bucket_owner: Option<String>,
    #[model(optional)]
    mfa: Option<String>,
    #[model(block, min = 1, max = 1)]
    versioning_configuration: Option<VersioningBlock>,
}

#[derive(Model, Clone, Debug, Default)]
struct VersioningBlock {
    #[model(optional, computed)]
    mfa_delete: Option<String>,
    #[model(required)]
    status: String,
}

/// The configured (or stored) status and MFA delete setting.
fn wanted(v: &Versioning) -> (String, Option<String>) {
    let cfg = v.versioning_configuration.clone().unwrap_or_default();
    let status = Some(cfg.status).filter(|s| !s.is_empty()).unwrap_or_else(|| "Disabled".into());
    (status, cfg.mfa_delete)
}

/// (status, MFA delete) as S3 reports them; no status means never versioned: `Disabled`.
async fn get(c: &Ctx<'_>, bucket: &str, owner: Option<&str>) -> Result<Option<(String, Option<String>)>> {
    match c
        .clients
        .s3
        .get_bucket_versioning()
        .bucket(bucket)
        .set_expected_bucket_owner(owner.map(Into::into))
        .send()
        .await
    {
        Ok(out) => Ok(Some((
            out.status().map_or("Disabled", BucketVersioningStatus::as_str).to_string(),
            out.mfa_delete().map(|m| m.as_str().to_string()),
        ))),
        Err(e) if is_missing(&e, "NoSuchBucket") => Ok(None),
        Err(e) => match answer_under_another_root(&e) {
            Some(found) => Ok(Some(found)),
            None => Err(sdk_error(&format!("reading the versioning of S3 bucket {bucket}"), e)),
        },
    }
}

/// Some S3-compatible servers (moto 5.2) answer GetBucketVersioning with a successful
/// response whose root element is `GetBucketVersioningResponse`, not AWS's
/// `VersioningConfiguration`; the SDK refuses to decode it. Such an answer is read here.
fn answer_under_another_root<E>(
    e: &aws_smithy_runtime_api::client::result::SdkError<E, aws_smithy_runtime_api::http::Response>,
) -> Option<(String, Option<String>)>
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata,
{
    let aws_smithy_runtime_api::client::result::SdkError::ServiceError(se) = e else { return None };
    if code(e).is_some() || !se.raw().status().is_success() {
        return None;
    }
    let body = std::str::from_utf8(se.raw().body().bytes()?).ok()?;
    if !body.contains("<GetBucketVersioningResponse") {
        return None;
    }
    let element = |name: &str| {
        let start = body.find(&format!("<{name}>"))? + name.len() + 2;
        let len = body[start..].find(&format!("</{name}>"))?;
        Some(body[start..start + len].trim().to_string())
    };
    Some((element("Status").unwrap_or_else(|| "Disabled".into()), element("MfaDelete")))
}

fn value_of(bucket: &str, owner: Option<&str>, status: &str, mfa_delete: Option<&str>, cur: &Versioning) -> Value {
    Versioning {
        id: Some(format_id(bucket, owner)),
        bucket: bucket.to_string(),
        expected_bucket_owner: owner.map(str::to_string),
        mfa: cur.mfa.clone(),
        versioning_configuration: Some(VersioningBlock {
            mfa_delete: mfa_delete.map(str::to_string),
            status: status.to_string(),
        }),
    }
    .to_value()
}

async fn put(c: &Ctx<'_>, bucket: &str, owner: Option<&str>, planned: &Versioning, status: &str) -> Result<()> {
    let (_, mfa_delete) = wanted(planned);
    let conf = VersioningConfiguration::builder()
        .status(BucketVersioningStatus::from(status))
        .set_mfa_delete(mfa_delete.as_deref().map(MfaDelete::from))
        .build();
    c.clients
        .s3
        .put_bucket_versioning()
        .bucket(bucket)
        .set_expected_bucket_owner(owner.map(Into::into))
        .set_mfa(planned.mfa.clone())
        .versioning_configuration(conf)
        .send()
        .await
        .map_err(|e| sdk_error(&format!("setting the versioning of S3 bucket {bucket} to {status}"), e))?;
    Ok(())
}

/// Reads the versioning state until it shows `status`.
async fn read_settled(
    c: &Ctx<'_>,
    bucket: &str,
    owner: Option<&str>,
    status: &str,
    like: &Versioning,
) -> Result<Value> {
    let (got, mfa) = wait_for(&format!("the versioning of S3 bucket {bucket} to be {status}"), PROPAGATION, || async {
        Ok(match get(c, bucket, owner).await? {
            Some((s, m)) if s == status => Poll::Done((s, m)),
            Some((s, _)) => Poll::Pending(s),
            None => Poll::Failed(format!("S3 bucket {bucket} does not exist")),
        })
    })
    .await?;
    Ok(value_of(bucket, owner, &got, mfa.as_deref(), like))
}

#[async_trait]
impl ResourceType for S3BucketVersioning {
    fn name(&self) -> &'static str {
        "aws_s3_bucket_versioning"
    }

    fn schema(&self) -> Schema {
        Versioning::schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let Some(cfg) = val::block(config, "versioning_configuration") else { return out };
        if let Some(s) = val::string(&cfg, "status").filter(|s| !STATUSES.contains(&s.as_str())) {
            out.push(invalid(
                "Invalid versioning_configuration.status",
                format!("{s:?} is not one of Enabled, Suspended, Disabled."),
            ));
        }
        if let Some(m) = val::string(&cfg, "mfa_delete").filter(|m| m != "Enabled" && m != "Disabled") {
            out.push(invalid(
                "Invalid versioning_configuration.mfa_delete",
                format!("{m:?} is not one of Enabled, Disabled."),
            ));
        }
        out
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = Versioning::from_value(planned)?;
        let (bucket, owner) = (&planned.bucket, planned.expected_bucket_owner.clone());
        let (status, _) = wanted(&planned);
        if status == "Disabled" {
            // An unversioned bucket: recorded as it is, nothing to send.
            let (got, mfa) = get(c, bucket, owner.as_deref())
                .await?
                .ok_or_else(|| ProviderError::new(format!("S3 bucket {bucket} does not exist")))?;
            return Ok(value_of(bucket, owner.as_deref(), &got, mfa.as_deref(), &planned));
        }
        put(c, bucket, owner.as_deref(), &planned, &status).await?;
        read_settled(c, bucket, owner.as_deref(), &status, &planned).await
    }

    /// Found by its natural key, the bucket (and expected owner): the versioning configuration has no identity of its own (the
    /// create is a put, which a repeat would only make again); what the bucket holds is adopted,
    /// and the next plan changes what differs.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        // Unknown when the killed apply was planned: asked again once the bucket is adopted.
        let planned = Versioning::from_stub(planned)?;
        if planned.bucket.is_empty() {
            return Ok(None);
        }
        let id = format_id(&planned.bucket, planned.expected_bucket_owner.as_deref());
        crate::resource::read_stub(self, c, Versioning { id: Some(id), ..planned }.to_value()).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        read_each(current, |cur| async move {
            let cur = Versioning::from_stub(&cur)?;
            let (bucket, owner) = parse_id(cur.id.as_deref().unwrap_or_default());
            Ok(get(c, &bucket, owner.as_deref())
                .await?
                .map(|(status, mfa)| value_of(&bucket, owner.as_deref(), &status, mfa.as_deref(), &cur)))
        })
        .await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (Versioning::from_stub(prior)?, Versioning::from_value(planned)?);
        let (bucket, owner) = parse_id(prior.id.as_deref().unwrap_or_default());
        let (before, _) = wanted(&prior);
        let (status, _) = wanted(&planned);
        if status == "Disabled" {
            if before != "Disabled" {
                return Err(ProviderError::new(format!(
                    "versioning_configuration.status cannot be updated from '{before}' to 'Disabled': a bucket that was versioned can only have its versioning suspended (status = \"Suspended\")"
                )));
            }
            return Ok(value_of(&bucket, owner.as_deref(), "Disabled", None, &planned));
        }
        put(c, &bucket, owner.as_deref(), &planned, &status).await?;
        read_settled(c, &bucket, owner.as_deref(), &status, &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = Versioning::from_stub(prior)?;
        let (status, _) = wanted(&prior);
        if status == "Disabled" {
            return Ok(());
        }
        let (bucket, owner) = parse_id(prior.id.as_deref().unwrap_or_default());
        let conf = VersioningConfiguration::builder().status(BucketVersioningStatus::Suspended).build();
        match c
            .clients
            .s3
            .put_bucket_versioning()
            .bucket(&bucket)
            .set_expected_bucket_owner(owner)
            .versioning_configuration(conf)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if code(&e) == Some("NoSuchBucket") => Ok(()),
            // Object Lock keeps versioning on: nothing to undo.
            Err(e) if code(&e) == Some("InvalidBucketState") => Ok(()),
            Err(e) => Err(sdk_error(&format!("suspending the versioning of S3 bucket {bucket}"), e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_checked() {
        let cfg = |s: &str| {
            Value::object([(
                "versioning_configuration",
                Value::tuple(vec![Value::object([("status", Value::from(s)), ("mfa_delete", Value::NULL)])]),
            )])
        };
        assert!(S3BucketVersioning.validate(&cfg("Enabled")).is_empty());
        assert_eq!(S3BucketVersioning.validate(&cfg("enabled")).len(), 1);
        assert_eq!(wanted(&Versioning::from_stub(&cfg("Suspended")).unwrap()).0, "Suspended");
        assert_eq!(wanted(&Versioning::default()).0, "Disabled", "no configuration reads as never versioned");
    }
}
