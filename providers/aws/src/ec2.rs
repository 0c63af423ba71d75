//! EC2 helpers shared by the EC2 resource types: tags in and out, tag updates, filters, and
//! the describes more than one resource type reads with (volumes, route tables).

use crate::errors::sdk_error;
use crate::resource::{Ctx, Result, chunks};
use aws_sdk_ec2::types::{Filter, ResourceType, RouteTable, Tag, TagSpecification, Volume};
use std::collections::{BTreeMap, HashMap};

pub fn tags(m: &BTreeMap<String, String>) -> Vec<Tag> {
    m.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect()
}

/// Tags to apply at creation (none when the map is empty: EC2 rejects an empty spec).
pub fn tag_spec(rt: ResourceType, m: &BTreeMap<String, String>) -> Option<TagSpecification> {
    (!m.is_empty()).then(|| TagSpecification::builder().resource_type(rt).set_tags(Some(tags(m))).build())
}

pub fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter().filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string()))).collect()
}

pub fn filter(name: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Filter {
    Filter::builder().name(name).set_values(Some(values.into_iter().map(Into::into).collect())).build()
}

/// Brings an object's tags from `old` to `new` with DeleteTags and CreateTags.
pub async fn update_tags(
    c: &aws_sdk_ec2::Client,
    id: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Result<()> {
    let (removed, set) = crate::tags::diff(old, new);
    if !removed.is_empty() {
        let t: Vec<Tag> = removed.iter().map(|k| Tag::builder().key(k).build()).collect();
        c.delete_tags()
            .resources(id)
            .set_tags(Some(t))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("removing tags from {id}"), e))?;
    }
    if !set.is_empty() {
        c.create_tags()
            .resources(id)
            .set_tags(Some(tags(&set)))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("tagging {id}"), e))?;
    }
    Ok(())
}

/// The most IDs one filtered Describe call takes (EC2 allows up to 200 filter values).
pub const FILTER_PAGE: usize = 200;

/// After a crash: the ID of the EC2 object of this resource type (`vpc`, `subnet`,
/// `security-group`, ...) that the create with `c.token` tagged with its token, found with
/// one DescribeTags (key and value filters).
pub async fn find_by_token(c: &crate::resource::Ctx<'_>, resource_type: &str) -> Result<Option<String>> {
    let Some(token) = c.token else { return Ok(None) };
    let out = c
        .clients
        .ec2
        .describe_tags()
        .filters(filter("key", [crate::tags::TOKEN_TAG]))
        .filters(filter("value", [token]))
        .filters(filter("resource-type", [resource_type]))
        .send()
        .await
        .map_err(|e| sdk_error(&format!("looking for the {resource_type} a create made (token {token})"), e))?;
    Ok(out
        .tags()
        .iter()
        .find(|t| t.value() == Some(token) && t.key() == Some(crate::tags::TOKEN_TAG))
        .and_then(|t| t.resource_id())
        .map(str::to_string))
}

/// The volumes with these IDs: one DescribeVolumes per 200 (a `volume-id` filter, which,
/// unlike `VolumeIds`, does not fail the whole call for one unknown ID).
pub async fn describe_volumes(c: &Ctx<'_>, ids: &[String]) -> std::result::Result<HashMap<String, Volume>, String> {
    let mut found = HashMap::new();
    for page in chunks(ids, FILTER_PAGE) {
        let req = c.clients.ec2.describe_volumes().filters(filter("volume-id", page));
        let listed = req
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| crate::errors::describe("reading EBS volumes", &e))?;
        for v in listed {
            if let Some(id) = v.volume_id().map(str::to_string) {
                found.insert(id, v);
            }
        }
    }
    Ok(found)
}

/// Route tables by ID, a few calls for many tables.
pub async fn describe_route_tables(
    c: &Ctx<'_>,
    ids: &[String],
) -> std::result::Result<HashMap<String, RouteTable>, String> {
    let mut found = HashMap::new();
    for page in chunks(ids, FILTER_PAGE) {
        let req = c.clients.ec2.describe_route_tables().filters(filter("route-table-id", page));
        let listed = req
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| crate::errors::describe("reading route tables", &e))?;
        for t in listed {
            if let Some(id) = t.route_table_id().map(str::to_string) {
                found.insert(id, t);
            }
        }
    }
    Ok(found)
}
