//! `aws_s3_bucket`: a general purpose bucket, as the provider's v5 has it — the bucket alone;
//! versioning, encryption, public access and policy are resources of their own.
//!
//! Destroying a bucket that still holds objects fails with how many it holds, unless
//! `force_destroy` is set: then every object version and delete marker goes first (listed a
//! page at a time, deleted a thousand per call), then the bucket.
//!
//! S3 has no call that reads the settings of many buckets at once, so a refresh reads each
//! bucket (HeadBucket, GetBucketTagging, GetObjectLockConfiguration), eight at a time.

use super::s3_bucket_legacy::Legacy;
use crate::errors::{code, sdk_error};
use crate::model::{CrudTimeouts, Op, Tags, limit};
use crate::plan::keep_computed;
use crate::resource::{Ctx, ResourceType, Result, invalid, read_each};
use crate::val;
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_s3::types::{
    BucketLocationConstraint, CreateBucketConfiguration, Delete, ObjectIdentifier, ObjectLockEnabled, Tag, Tagging,
};
use std::collections::BTreeMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct S3Bucket;

/// Terraform's generated names: `terraform-` and 26 characters.
const SUFFIX_LEN: usize = 26;

/// An `aws_s3_bucket` object.
#[derive(Model, Clone, Debug, Default)]
struct Bucket {
    #[model(flatten)]
    legacy: Legacy,
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(optional, computed, force_new)]
    bucket: Option<String>,
    #[model(optional, computed, force_new)]
    bucket_prefix: Option<String>,
    #[model(computed)]
    bucket_domain_name: Option<String>,
    #[model(computed)]
    bucket_regional_domain_name: Option<String>,
    #[model(computed)]
    hosted_zone_id: Option<String>,
    #[model(computed)]
    region: Option<String>,
    #[model(optional, default = false)]
    force_destroy: bool,
    #[model(optional, computed, force_new)]
    object_lock_enabled: Option<bool>,
    #[model(flatten)]
    tags: Tags,
    #[model(block = "single")]
    timeouts: Option<CrudTimeouts>,
}

impl Bucket {
    /// The bucket's name: `bucket`, else `bucket_prefix` (or `terraform-`) and a suffix.
    fn name(&self, c: &Ctx<'_>) -> String {
        c.name_or_prefix(self.bucket.as_deref(), self.bucket_prefix.as_deref(), "terraform-")
    }
}

/// Bucket names: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending
/// with a letter or digit.
fn check_name(name: &str) -> Option<String> {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-';
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !(3..=63).contains(&name.len()) {
        return Some(format!("{name:?} must be 3 to 63 characters long"));
    }
    if !name.chars().all(ok_char) {
        return Some(format!("{name:?} may only hold lowercase letters, digits, dots (.) and hyphens (-)"));
    }
    if !edge(name.chars().next()) || !edge(name.chars().last()) {
        return Some(format!("{name:?} must begin and end with a lowercase letter or a digit"));
    }
    if name.contains("..") {
        return Some(format!("{name:?} must not hold two adjacent dots"));
    }
    None
}

async fn tags_of(c: &Ctx<'_>, bucket: &str) -> Result<BTreeMap<String, String>> {
    match c.clients.s3.get_bucket_tagging().bucket(bucket).send().await {
        Ok(out) => Ok(out.tag_set().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect()),
        Err(e) if code(&e) == Some("NoSuchTagSet") => Ok(BTreeMap::new()),
        Err(e) => Err(sdk_error(&format!("reading the tags of S3 bucket {bucket}"), e)),
    }
}

async fn put_tags(c: &Ctx<'_>, bucket: &str, tags: &BTreeMap<String, String>) -> Result<()> {
    if tags.is_empty() {
        c.clients
            .s3
            .delete_bucket_tagging()
            .bucket(bucket)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("removing the tags of S3 bucket {bucket}"), e))?;
        return Ok(());
    }
    let set = tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(|e| ProviderError::new(format!("tag {k}: {e}"))))
        .collect::<Result<Vec<_>>>()?;
    let tagging = Tagging::builder().set_tag_set(Some(set)).build().map_err(|e| ProviderError::new(e.to_string()))?;
    c.clients
        .s3
        .put_bucket_tagging()
        .bucket(bucket)
        .tagging(tagging)
        .send()
        .await
        .map_err(|e| sdk_error(&format!("tagging S3 bucket {bucket}"), e))?;
    Ok(())
}

async fn object_lock_enabled(c: &Ctx<'_>, bucket: &str) -> Result<bool> {
    match c.clients.s3.get_object_lock_configuration().bucket(bucket).send().await {
        Ok(out) => Ok(out
            .object_lock_configuration()
            .and_then(|l| l.object_lock_enabled())
            .is_some_and(|e| *e == ObjectLockEnabled::Enabled)),
        Err(e) if code(&e) == Some("ObjectLockConfigurationNotFoundError") => Ok(false),
        Err(e) => Err(sdk_error(&format!("reading the object lock configuration of S3 bucket {bucket}"), e)),
    }
}

/// The bucket's region, or `None` when there is no such bucket.
async fn head(c: &Ctx<'_>, bucket: &str) -> Result<Option<String>> {
    match c.clients.s3.head_bucket().bucket(bucket).send().await {
        Ok(out) => Ok(Some(out.bucket_region().map_or_else(|| c.clients.region.clone(), str::to_string))),
        Err(e) if matches!(code(&e), Some("NotFound" | "NoSuchBucket")) => Ok(None),
        Err(e) if matches!(code(&e), Some("MovedPermanently" | "PermanentRedirect" | "301")) => {
            Err(ProviderError::new(format!(
                "reading S3 bucket {bucket}: the bucket is in another region than the provider's ({}); use a provider configured for the bucket's region",
                c.clients.region
            )))
        }
        Err(e) => Err(sdk_error(&format!("reading S3 bucket {bucket}"), e)),
    }
}

/// The bucket `cur` (its prior value) names, as state holds it; `None` when it is gone.
async fn read_bucket(c: &Ctx<'_>, cur: &Bucket) -> Result<Option<Value>> {
    let bucket = cur.id.clone().unwrap_or_default();
    let Some(region) = head(c, &bucket).await? else { return Ok(None) };
    let api_tags = tags_of(c, &bucket).await?;
    let lock = object_lock_enabled(c, &bucket).await?;
    Ok(Some(
        Bucket {
            // Not read from S3: what the prior value records (see `s3_bucket_legacy`).
            legacy: cur.legacy.clone(),
            id: Some(bucket.clone()),
            arn: Some(crate::s3::bucket_arn(&region, &bucket)),
            bucket: Some(bucket.clone()),
            bucket_prefix: crate::resource::prefix_of(None, &bucket),
            bucket_domain_name: Some(crate::s3::bucket_domain_name(&region, &bucket)),
            bucket_regional_domain_name: Some(crate::s3::bucket_regional_domain_name(&region, &bucket)),
            hosted_zone_id: crate::s3::hosted_zone_id(&region).map(str::to_string),
            region: Some(region),
            force_destroy: cur.force_destroy,
            object_lock_enabled: Some(lock),
            tags: cur.tags.read_back(c, &api_tags),
            timeouts: cur.timeouts.clone(),
        }
        .to_value(),
    ))
}

impl S3Bucket {
    async fn read_one(&self, c: &Ctx<'_>, bucket: &str, like: &Bucket) -> Result<Value> {
        let stub = Bucket { id: Some(bucket.to_string()), ..like.clone() };
        read_bucket(c, &stub).await?.ok_or_else(|| ProviderError::new(format!("S3 bucket {bucket} is gone")))
    }
}

/// Object versions and delete markers in the bucket, counted a page at a time up to `cap`.
/// (A loop of its own: the SDK has no paginator for ListObjectVersions, whose next page takes
/// two markers.)
async fn count_versions(c: &Ctx<'_>, bucket: &str, cap: usize) -> Result<(usize, bool)> {
    let (mut n, mut key, mut version) = (0usize, None, None);
    loop {
        let out = c
            .clients
            .s3
            .list_object_versions()
            .bucket(bucket)
            .set_key_marker(key)
            .set_version_id_marker(version)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("listing the objects of S3 bucket {bucket}"), e))?;
        n += out.versions().len() + out.delete_markers().len();
        if out.is_truncated() != Some(true) {
            return Ok((n, false));
        }
        if n >= cap {
            return Ok((n, true));
        }
        key = out.next_key_marker().map(str::to_string);
        version = out.next_version_id_marker().map(str::to_string);
    }
}

/// Deletes every object version and delete marker (bypassing governance-mode retention, as
/// Terraform's `force_destroy` does): lists the first page (up to 1,000), deletes it in one
/// DeleteObjects call, and lists again from the start until nothing is left. (Listing on
/// from the last page's markers would start from objects just deleted.) Returns how many
/// were deleted.
async fn empty_bucket(c: &Ctx<'_>, bucket: &str) -> Result<usize> {
    let mut deleted = 0usize;
    let mut last_first: Option<(String, Option<String>)> = None;
    loop {
        let out = c
            .clients
            .s3
            .list_object_versions()
            .bucket(bucket)
            .max_keys(1000)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("listing the objects of S3 bucket {bucket} to delete them"), e))?;
        let page: Vec<(String, Option<String>)> = out
            .versions()
            .iter()
            .filter_map(|v| Some((v.key()?.to_string(), v.version_id().map(str::to_string))))
            .chain(
                out.delete_markers()
                    .iter()
                    .filter_map(|m| Some((m.key()?.to_string(), m.version_id().map(str::to_string)))),
            )
            .collect();
        let Some(first) = page.first().cloned() else { return Ok(deleted) };
        if last_first.as_ref() == Some(&first) {
            return Err(ProviderError::new(format!(
                "deleting objects of S3 bucket {bucket} (force_destroy): {:?} (version {}) is still listed after being deleted",
                first.0,
                first.1.as_deref().unwrap_or("null")
            )));
        }
        last_first = Some(first);
        let n = page.len();
        let ids = page
            .into_iter()
            .map(|(k, v)| {
                ObjectIdentifier::builder()
                    .key(k)
                    .set_version_id(v)
                    .build()
                    .map_err(|e| ProviderError::new(e.to_string()))
            })
            .collect::<Result<Vec<_>>>()?;
        let batch = Delete::builder()
            .set_objects(Some(ids))
            .quiet(true)
            .build()
            .map_err(|e| ProviderError::new(e.to_string()))?;
        let res = c
            .clients
            .s3
            .delete_objects()
            .bucket(bucket)
            .delete(batch)
            .bypass_governance_retention(true)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("deleting objects of S3 bucket {bucket}"), e))?;
        if let Some(first) = res.errors().first() {
            return Err(ProviderError::new(format!(
                "deleting objects of S3 bucket {bucket} (force_destroy): {} of {n} could not be deleted; the first, {:?}: {}: {}",
                res.errors().len(),
                first.key().unwrap_or_default(),
                first.code().unwrap_or("Unknown"),
                first.message().unwrap_or_default()
            )));
        }
        deleted += n;
    }
}

fn not_empty_error(bucket: &str, count: usize, more: bool) -> ProviderError {
    let what = match (count, more) {
        (_, true) => format!("more than {count} objects"),
        (1, false) => "1 object".to_string(),
        (n, false) => format!("{n} objects"),
    };
    ProviderError::new(format!(
        "S3 bucket {bucket} is not empty: it holds {what} (object versions and delete markers included), which destroying it would lose. \
         To delete them with the bucket, set force_destroy = true on the aws_s3_bucket and run `terrane apply` before destroying; or empty the bucket first."
    ))
}

#[async_trait]
impl ResourceType for S3Bucket {
    fn name(&self) -> &'static str {
        "aws_s3_bucket"
    }

    fn schema(&self) -> Schema {
        Bucket::schema()
    }

    fn refused(&self) -> &'static [crate::resource::Refused] {
        &super::s3_bucket_legacy::REFUSED
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let bucket = val::string(config, "bucket");
        let prefix = val::string(config, "bucket_prefix");
        if bucket.is_some() && prefix.is_some() {
            out.push(invalid(
                "Conflicting configuration arguments",
                "\"bucket\": conflicts with bucket_prefix; set only one of them.",
            ));
        }
        if let Some(why) = bucket.as_deref().and_then(check_name) {
            out.push(invalid("Invalid bucket name", format!("The bucket name {why}.")));
        }
        if let Some(p) = prefix {
            if p.len() > 63 - SUFFIX_LEN {
                out.push(invalid(
                    "Invalid bucket_prefix",
                    format!(
                        "{p:?} is longer than {} characters (a generated name adds {SUFFIX_LEN}).",
                        63 - SUFFIX_LEN
                    ),
                ));
            } else if let Some(why) = check_name(&format!("{p}{}", "0".repeat(SUFFIX_LEN))) {
                out.push(invalid("Invalid bucket_prefix", format!("A name with this prefix: {why}.")));
            }
        }
        out
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        keep_computed(prior, config, plan, &["bucket_prefix"]);
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = Bucket::from_value(planned)?;
        let bucket = planned.name(c);
        let region = c.clients.region.clone();
        let mut req = c.clients.s3.create_bucket().bucket(&bucket);
        if region != "us-east-1" {
            req = req.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(region.as_str()))
                    .build(),
            );
        }
        if planned.object_lock_enabled == Some(true) {
            req = req.object_lock_enabled_for_bucket(true);
        }
        if let Err(e) = req.send().await {
            let mut err = sdk_error(&format!("creating S3 bucket {bucket}"), e);
            if err.message.contains("BucketAlreadyOwnedByYou") {
                err.message.push_str(&format!(
                    "\n\nThe bucket exists and is yours: to manage it here, import it (`terrane import <address> {bucket}`)."
                ));
            } else if err.message.contains("BucketAlreadyExists") {
                err.message.push_str("\n\nBucket names are global across all AWS accounts: choose another name.");
            }
            return Err(err);
        }
        let partial =
            || Bucket { id: Some(bucket.clone()), bucket: Some(bucket.clone()), ..Bucket::default() }.to_value();
        let wait = limit(&planned.timeouts, Op::Create, Duration::from_secs(20 * 60));
        wait_for(&format!("S3 bucket {bucket} to exist"), wait, || async {
            Ok(match head(c, &bucket).await? {
                Some(_) => Poll::Done(()),
                None => Poll::Pending("not found yet".into()),
            })
        })
        .await
        .map_err(|e| e.with_partial_state(partial()))?;
        let tags = planned.tags.wanted();
        if !tags.is_empty() {
            put_tags(c, &bucket, &tags).await.map_err(|e| e.with_partial_state(partial()))?;
        }
        self.read_one(c, &bucket, &planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by its name (configured, or made from `bucket_prefix` and the token). Not tagged
    /// at creation (CreateBucket takes no tags here; they are put afterwards, and PutBucketTagging
    /// replaces them all): a bucket name is global, so the bucket of that name, when it is ours
    /// (HeadBucket answers; another account's answers 403), is what the create made.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let planned = Bucket::from_stub(planned)?;
        let bucket = planned.name(c);
        match c.clients.s3.head_bucket().bucket(&bucket).send().await {
            Ok(_) => {}
            Err(e) if matches!(code(&e), Some("NotFound" | "NoSuchBucket" | "Forbidden" | "403" | "AccessDenied")) => {
                return Ok(None);
            }
            Err(e) => return Err(sdk_error(&format!("looking for S3 bucket {bucket}"), e)),
        }
        read_bucket(c, &Bucket { id: Some(bucket), ..planned }).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        read_each(current, |cur| async move { read_bucket(c, &Bucket::from_stub(&cur)?).await }).await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (Bucket::from_stub(prior)?, Bucket::from_value(planned)?);
        let bucket = prior.id.clone().unwrap_or_default();
        let wanted = planned.tags.wanted();
        if prior.tags.wanted() != wanted {
            put_tags(c, &bucket, &wanted).await?;
        }
        self.read_one(c, &bucket, &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = Bucket::from_stub(prior)?;
        let bucket = prior.id.unwrap_or_default();
        let force = prior.force_destroy;
        // A force destroy empties the bucket, then deletes it; objects written meanwhile make
        // it try again, a few times.
        for _ in 0..5 {
            match c.clients.s3.delete_bucket().bucket(&bucket).send().await {
                Ok(_) => return Ok(()),
                Err(e) if matches!(code(&e), Some("NoSuchBucket" | "NotFound")) => return Ok(()),
                Err(e) if code(&e) == Some("BucketNotEmpty") => {
                    if !force {
                        let (n, more) = count_versions(c, &bucket, 10_000).await?;
                        return Err(not_empty_error(&bucket, n, more));
                    }
                    let n = empty_bucket(c, &bucket).await?;
                    tracing::debug!(bucket, deleted = n, "force_destroy emptied the bucket");
                }
                Err(e) => return Err(sdk_error(&format!("deleting S3 bucket {bucket}"), e)),
            }
        }
        Err(ProviderError::new(format!(
            "deleting S3 bucket {bucket}: objects kept appearing while it was being emptied (force_destroy); stop what writes to it and destroy again"
        )))
    }

    async fn import(&self, c: &Ctx<'_>, id: &str) -> Result<Option<Value>> {
        read_bucket(c, &Bucket { id: Some(id.to_string()), ..Bucket::default() }).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_names_are_checked() {
        assert!(check_name("my-state.bucket-1").is_none());
        assert!(check_name("My-Bucket").is_some());
        assert!(check_name("ab").is_some());
        assert!(check_name("-abc").is_some());
        assert!(check_name("a..b").is_some());
        let d = S3Bucket.check(&Value::object([("bucket", Value::from("a")), ("bucket_prefix", Value::from("b-"))]));
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(S3Bucket.check(&Value::object([("bucket_prefix", Value::from("state-"))])).is_empty());
        assert_eq!(S3Bucket.check(&Value::object([("bucket_prefix", Value::from("x".repeat(38)))])).len(), 1);
    }

    #[test]
    fn generated_names_are_valid_bucket_names() {
        let planned = Bucket::from_stub(&Value::object([("bucket_prefix", Value::from("tf-state-"))])).unwrap();
        let n = crate::resource::named_or_generated(
            planned.bucket.as_deref(),
            planned.bucket_prefix.as_deref(),
            "terraform-",
            || crate::resource::token_suffix("terrane-0123"),
        );
        assert!(n.starts_with("tf-state-") && n.len() == 9 + SUFFIX_LEN, "{n}");
        assert!(check_name(&n).is_none(), "{n}");
        assert_eq!(crate::resource::prefix_of(None, &n).as_deref(), Some("tf-state-"));
    }

    #[test]
    fn the_not_empty_error_counts_and_says_what_to_do() {
        let m = not_empty_error("state", 3, false).message;
        assert!(m.contains("S3 bucket state is not empty") && m.contains("3 objects"), "{m}");
        assert!(m.contains("force_destroy = true"), "{m}");
        assert!(not_empty_error("state", 10_000, true).message.contains("more than 10000 objects"));
    }
}
