//! `aws_s3_bucket_policy`: a bucket's resource policy. The document is compared by meaning
//! (whitespace, key order, statement order, a string versus a one-element list), so S3's
//! reformatting never shows as a change.

use crate::errors::{code, sdk_error};
use crate::iam::PROPAGATION;
use crate::policy::{normalize_json, plan_policy, policy_to_set, validate_policy};
use crate::resource::{Ctx, ResourceType, Result, read_each};
use crate::s3::is_missing;
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::PlanResponse;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct S3BucketPolicy;

const NOT_FOUND: &str = "NoSuchBucketPolicy";

/// An `aws_s3_bucket_policy` object.
#[derive(Model, Clone, Debug, Default)]
struct BucketPolicy {
    #[model(computed)]
    id: Option<String>,
    #[model(required, force_new)]
    bucket: String,
    #[model(required)]
    policy: String,
}

async fn get(c: &Ctx<'_>, bucket: &str) -> Result<Option<String>> {
    match c.clients.s3.get_bucket_policy().bucket(bucket).send().await {
        Ok(out) => Ok(out.policy().map(str::to_string)),
        Err(e) if is_missing(&e, NOT_FOUND) => Ok(None),
        Err(e) => Err(sdk_error(&format!("reading the policy of S3 bucket {bucket}"), e)),
    }
}

fn value_of(bucket: &str, document: &str, cur: &BucketPolicy) -> Value {
    let stored = Some(cur.policy.as_str()).filter(|p| !p.is_empty());
    BucketPolicy {
        id: Some(bucket.to_string()),
        bucket: bucket.to_string(),
        policy: policy_to_set(stored, document, false),
    }
    .to_value()
}

/// Puts the policy, retrying while S3 rejects a principal IAM has not propagated yet.
async fn put(c: &Ctx<'_>, bucket: &str, planned: &BucketPolicy) -> Result<Value> {
    let policy = &planned.policy;
    let document = normalize_json(policy).unwrap_or_else(|| policy.clone());
    wait_for(&format!("S3 to accept the policy of bucket {bucket}"), PROPAGATION, || async {
        match c.clients.s3.put_bucket_policy().bucket(bucket).policy(&document).send().await {
            Ok(_) => Ok(Poll::Done(())),
            Err(e)
                if code(&e) == Some("MalformedPolicy")
                    && crate::errors::describe("", &e).contains("Invalid principal") =>
            {
                Ok(Poll::Pending("invalid principal (IAM propagation)".into()))
            }
            Err(e) => Err(sdk_error(&format!("setting the policy of S3 bucket {bucket}"), e)),
        }
    })
    .await?;
    let got = wait_for(&format!("the policy of S3 bucket {bucket}"), PROPAGATION, || async {
        Ok(match get(c, bucket).await? {
            Some(d) => Poll::Done(d),
            None => Poll::Pending("not found yet".into()),
        })
    })
    .await?;
    Ok(value_of(bucket, &got, planned))
}

#[async_trait]
impl ResourceType for S3BucketPolicy {
    fn name(&self) -> &'static str {
        "aws_s3_bucket_policy"
    }

    fn schema(&self) -> Schema {
        BucketPolicy::schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        validate_policy(config, "policy")
    }

    fn customize_plan(&self, prior: Option<&Value>, _config: &Value, plan: &mut PlanResponse) {
        plan_policy(prior, plan, "policy", false);
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = BucketPolicy::from_value(planned)?;
        put(c, &planned.bucket, &planned).await
    }

    /// Found by its natural key, the bucket: the bucket policy has no identity of its own (the
    /// create is a put, which a repeat would only make again); what the bucket holds is adopted,
    /// and the next plan changes what differs.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        // Unknown when the killed apply was planned: asked again once the bucket is adopted.
        let planned = BucketPolicy::from_stub(planned)?;
        if planned.bucket.is_empty() {
            return Ok(None);
        }
        let stub = BucketPolicy { id: Some(planned.bucket.clone()), ..planned };
        crate::resource::read_stub(self, c, stub.to_value()).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        read_each(current, |cur| async move {
            let cur = BucketPolicy::from_stub(&cur)?;
            let bucket = cur.id.clone().unwrap_or_default();
            Ok(get(c, &bucket).await?.map(|d| value_of(&bucket, &d, &cur)))
        })
        .await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (BucketPolicy::from_stub(prior)?, BucketPolicy::from_value(planned)?);
        put(c, &prior.id.unwrap_or_default(), &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let bucket = BucketPolicy::from_stub(prior)?.id.unwrap_or_default();
        match c.clients.s3.delete_bucket_policy().bucket(&bucket).send().await {
            Ok(_) => Ok(()),
            Err(e) if is_missing(&e, NOT_FOUND) => Ok(()),
            Err(e) => Err(sdk_error(&format!("deleting the policy of S3 bucket {bucket}"), e)),
        }
    }
}
