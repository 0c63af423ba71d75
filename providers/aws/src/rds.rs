//! RDS helpers shared by the RDS resource types: tags in and out, tag updates.

use crate::errors::sdk_error;
use crate::resource::{Ctx, Result};
use aws_sdk_rds::types::Tag;
use std::collections::BTreeMap;

/// Tags as RDS takes them.
pub fn rds_tags(m: &BTreeMap<String, String>) -> Vec<Tag> {
    m.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect()
}

/// RDS tags as a map.
pub fn rds_tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter().filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string()))).collect()
}

/// The tags of an RDS resource (ListTagsForResource).
pub async fn rds_tags_of(c: &Ctx<'_>, arn: &str) -> Result<BTreeMap<String, String>> {
    let out = c
        .clients
        .rds
        .list_tags_for_resource()
        .resource_name(arn)
        .send()
        .await
        .map_err(|e| sdk_error(&format!("reading the tags of {arn}"), e))?;
    Ok(rds_tag_map(out.tag_list()))
}

/// Brings an RDS resource's tags from `old` to `new`.
pub async fn rds_update_tags(
    c: &Ctx<'_>,
    arn: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Result<()> {
    let rds = &c.clients.rds;
    crate::tags::update(
        old,
        new,
        async |keys| {
            let req = rds.remove_tags_from_resource().resource_name(arn).set_tag_keys(Some(keys));
            req.send().await.map(drop).map_err(|e| sdk_error(&format!("removing tags from {arn}"), e))
        },
        async |set| {
            let req = rds.add_tags_to_resource().resource_name(arn).set_tags(Some(rds_tags(&set)));
            req.send().await.map(drop).map_err(|e| sdk_error(&format!("tagging {arn}"), e))
        },
    )
    .await
}
