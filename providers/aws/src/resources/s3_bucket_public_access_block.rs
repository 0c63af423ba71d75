//! `aws_s3_bucket_public_access_block`: the four switches that keep a bucket from being made
//! public by ACLs or policies. Destroying it deletes the bucket's block configuration.

use crate::errors::sdk_error;
use crate::resource::{Ctx, ResourceType, Result, read_each};
use crate::s3::is_missing;
use crate::val::{self, Obj};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_s3::types::PublicAccessBlockConfiguration;
use std::time::Duration;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub struct S3BucketPublicAccessBlock;

const SWITCHES: [&str; 4] =
    ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];
const NOT_FOUND: &str = "NoSuchPublicAccessBlockConfiguration";
const PROPAGATION: Duration = Duration::from_secs(60);

fn schema() -> Schema {
    let mut s = Schema::new()
        .attr("id", Attribute::computed(Type::String))
        .attr("bucket", Attribute::required(Type::String).force_new());
    for k in SWITCHES {
        s = s.attr(k, Attribute::optional(Type::Bool).default(false));
    }
    s
}

type Switches = [bool; 4];

fn switches_of(v: &Value) -> Switches {
    SWITCHES.map(|k| val::boolean(v, k).unwrap_or(false))
}

async fn get(c: &Ctx<'_>, bucket: &str) -> Result<Option<Switches>> {
    match c.clients.s3.get_public_access_block().bucket(bucket).send().await {
        Ok(out) => Ok(out.public_access_block_configuration().map(|p| {
            [
                p.block_public_acls().unwrap_or(false),
                p.block_public_policy().unwrap_or(false),
                p.ignore_public_acls().unwrap_or(false),
                p.restrict_public_buckets().unwrap_or(false),
            ]
        })),
        Err(e) if is_missing(&e, NOT_FOUND) => Ok(None),
        Err(e) => Err(sdk_error(&format!("reading the public access block of S3 bucket {bucket}"), e)),
    }
}

fn value_of(bucket: &str, s: Switches) -> Value {
    let mut o = Obj::new(&schema()).set("id", bucket).set("bucket", bucket);
    for (k, on) in SWITCHES.iter().zip(s) {
        o = o.set(k, Value::Bool(on));
    }
    o.build()
}

/// Writes the switches and waits until S3 reports them.
async fn put(c: &Ctx<'_>, bucket: &str, planned: &Value) -> Result<Value> {
    let want = switches_of(planned);
    let conf = PublicAccessBlockConfiguration::builder()
        .block_public_acls(want[0])
        .block_public_policy(want[1])
        .ignore_public_acls(want[2])
        .restrict_public_buckets(want[3])
        .build();
    c.clients
        .s3
        .put_public_access_block()
        .bucket(bucket)
        .public_access_block_configuration(conf)
        .send()
        .await
        .map_err(|e| sdk_error(&format!("setting the public access block of S3 bucket {bucket}"), e))?;
    let got = wait_for(&format!("the public access block of S3 bucket {bucket}"), PROPAGATION, || async {
        Ok(match get(c, bucket).await? {
            Some(s) if s == want => Poll::Done(s),
            Some(_) => Poll::Pending("not updated yet".into()),
            None => Poll::Pending("not found yet".into()),
        })
    })
    .await?;
    Ok(value_of(bucket, got))
}

#[async_trait]
impl ResourceType for S3BucketPublicAccessBlock {
    fn name(&self) -> &'static str {
        "aws_s3_bucket_public_access_block"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        put(c, &val::string(planned, "bucket").unwrap_or_default(), planned).await
    }

    /// Found by its natural key, the bucket: the public access block has no identity of its own (the
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
            Ok(get(c, &bucket).await?.map(|s| value_of(&bucket, s)))
        })
        .await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        put(c, &val::id(prior), planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let bucket = val::id(prior);
        match c.clients.s3.delete_public_access_block().bucket(&bucket).send().await {
            Ok(_) => Ok(()),
            Err(e) if is_missing(&e, NOT_FOUND) => Ok(()),
            Err(e) => Err(sdk_error(&format!("deleting the public access block of S3 bucket {bucket}"), e)),
        }
    }
}
