//! `aws_s3_bucket_public_access_block`: the four switches that keep a bucket from being made
//! public by ACLs or policies. Destroying it deletes the bucket's block configuration.

use crate::errors::sdk_error;
use crate::resource::{Ctx, ResourceType, Result, read_each};
use crate::s3::is_missing;
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_s3::types::PublicAccessBlockConfiguration;
use std::time::Duration;
use terrane_engine::model::Model;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct S3BucketPublicAccessBlock;

const NOT_FOUND: &str = "NoSuchPublicAccessBlockConfiguration";
const PROPAGATION: Duration = Duration::from_secs(60);

/// An `aws_s3_bucket_public_access_block` object.
#[derive(Model, Clone, Debug, Default)]
struct AccessBlock {
    #[model(computed)]
    id: Option<String>,
    #[model(required, force_new)]
    bucket: String,
    #[model(optional, default = false)]
    block_public_acls: bool,
    #[model(optional, default = false)]
    block_public_policy: bool,
    #[model(optional, default = false)]
    ignore_public_acls: bool,
    #[model(optional, default = false)]
    restrict_public_buckets: bool,
}

/// The four switches, in the order of [`AccessBlock`]'s fields.
type Switches = [bool; 4];

fn switches_of(v: &AccessBlock) -> Switches {
    [v.block_public_acls, v.block_public_policy, v.ignore_public_acls, v.restrict_public_buckets]
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
    let [block_public_acls, block_public_policy, ignore_public_acls, restrict_public_buckets] = s;
    AccessBlock {
        id: Some(bucket.to_string()),
        bucket: bucket.to_string(),
        block_public_acls,
        block_public_policy,
        ignore_public_acls,
        restrict_public_buckets,
    }
    .to_value()
}

/// Writes the switches and waits until S3 reports them.
async fn put(c: &Ctx<'_>, bucket: &str, planned: &AccessBlock) -> Result<Value> {
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
        AccessBlock::schema()
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = AccessBlock::from_value(planned)?;
        put(c, &planned.bucket, &planned).await
    }

    /// Found by its natural key, the bucket: the public access block has no identity of its own (the
    /// create is a put, which a repeat would only make again); what the bucket holds is adopted,
    /// and the next plan changes what differs.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        // Unknown when the killed apply was planned: asked again once the bucket is adopted.
        let planned = AccessBlock::from_stub(planned)?;
        if planned.bucket.is_empty() {
            return Ok(None);
        }
        let stub = AccessBlock { id: Some(planned.bucket.clone()), ..planned };
        crate::resource::read_stub(self, c, stub.to_value()).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        read_each(current, |cur| async move {
            let bucket = AccessBlock::from_stub(&cur)?.id.unwrap_or_default();
            Ok(get(c, &bucket).await?.map(|s| value_of(&bucket, s)))
        })
        .await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (AccessBlock::from_stub(prior)?, AccessBlock::from_value(planned)?);
        put(c, &prior.id.unwrap_or_default(), &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let bucket = AccessBlock::from_stub(prior)?.id.unwrap_or_default();
        match c.clients.s3.delete_public_access_block().bucket(&bucket).send().await {
            Ok(_) => Ok(()),
            Err(e) if is_missing(&e, NOT_FOUND) => Ok(()),
            Err(e) => Err(sdk_error(&format!("deleting the public access block of S3 bucket {bucket}"), e)),
        }
    }
}
