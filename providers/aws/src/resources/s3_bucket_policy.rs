//! `aws_s3_bucket_policy`: a bucket's resource policy. The document is compared by meaning
//! (whitespace, key order, statement order, a string versus a one-element list), so S3's
//! reformatting never shows as a change.

use crate::errors::{code, sdk_error};
use crate::iam::PROPAGATION;
use crate::policy::{normalize_json, plan_policy, policy_to_set, validate_policy};
use crate::resource::{Ctx, ResourceType, Result, read_each};
use crate::s3::is_missing;
use crate::val::{self, Obj};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::PlanResponse;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub struct S3BucketPolicy;

const NOT_FOUND: &str = "NoSuchBucketPolicy";

fn schema() -> Schema {
    Schema::new()
        .attr("id", Attribute::computed(Type::String))
        .attr("bucket", Attribute::required(Type::String).force_new())
        .attr("policy", Attribute::required(Type::String))
}

async fn get(c: &Ctx<'_>, bucket: &str) -> Result<Option<String>> {
    match c.clients.s3.get_bucket_policy().bucket(bucket).send().await {
        Ok(out) => Ok(out.policy().map(str::to_string)),
        Err(e) if is_missing(&e, NOT_FOUND) => Ok(None),
        Err(e) => Err(sdk_error(&format!("reading the policy of S3 bucket {bucket}"), e)),
    }
}

fn value_of(bucket: &str, document: &str, cur: &Value) -> Value {
    Obj::new(&schema())
        .set("id", bucket)
        .set("bucket", bucket)
        .set("policy", policy_to_set(val::string(cur, "policy").as_deref(), document, false))
        .build()
}

/// Puts the policy, retrying while S3 rejects a principal IAM has not propagated yet.
async fn put(c: &Ctx<'_>, bucket: &str, planned: &Value) -> Result<Value> {
    let policy = val::string(planned, "policy").unwrap_or_default();
    let document = normalize_json(&policy).unwrap_or(policy);
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
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        validate_policy(config, "policy")
    }

    fn customize_plan(&self, prior: Option<&Value>, _config: &Value, plan: &mut PlanResponse) {
        plan_policy(prior, plan, "policy", false);
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        put(c, &val::string(planned, "bucket").unwrap_or_default(), planned).await
    }

    /// Found by its natural key, the bucket: the bucket policy has no identity of its own (the
    /// create is a put, which a repeat would only make again); what the bucket holds is adopted,
    /// and the next plan changes what differs.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        // Unknown when the killed apply was planned: asked again once the bucket is adopted.
        let Some(bucket) = val::string(planned, "bucket").filter(|b| !b.is_empty()) else { return Ok(None) };
        let id = bucket;
        crate::resource::read_stub(self, c, crate::resource::with_id(planned, &id)).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        read_each(current, |cur| async move {
            let bucket = val::id(&cur);
            Ok(get(c, &bucket).await?.map(|d| value_of(&bucket, &d, &cur)))
        })
        .await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        put(c, &val::id(prior), planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let bucket = val::id(prior);
        match c.clients.s3.delete_bucket_policy().bucket(&bucket).send().await {
            Ok(_) => Ok(()),
            Err(e) if is_missing(&e, NOT_FOUND) => Ok(()),
            Err(e) => Err(sdk_error(&format!("deleting the policy of S3 bucket {bucket}"), e)),
        }
    }
}
