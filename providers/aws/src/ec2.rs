//! EC2 helpers shared by the EC2 resource types: tags in and out, tag updates, filters, and
//! the describes more than one resource type reads with (volumes, route tables).

use crate::errors::sdk_error;
use crate::resource::{Ctx, Result, chunks};
use aws_sdk_ec2::types::{Filter, ResourceType, RouteTable, Tag, TagSpecification, Volume};
use aws_smithy_async::future::pagination_stream::PaginationStream;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
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
    crate::tags::update(
        old,
        new,
        async |keys| {
            let t: Vec<Tag> = keys.iter().map(|k| Tag::builder().key(k).build()).collect();
            let req = c.delete_tags().resources(id).set_tags(Some(t));
            req.send().await.map(drop).map_err(|e| sdk_error(&format!("removing tags from {id}"), e))
        },
        async |set| {
            let req = c.create_tags().resources(id).set_tags(Some(tags(&set)));
            req.send().await.map(drop).map_err(|e| sdk_error(&format!("tagging {id}"), e))
        },
    )
    .await
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

/// The objects of one kind with these IDs, by ID (`id_of`): one paged Describe call per
/// [`FILTER_PAGE`] IDs (`describe`, given a page of IDs for its ID filter: unlike an ID list,
/// a filter does not fail the whole call for one unknown ID, which is left out). `doing` names
/// the reading in the error (`reading subnets`).
pub async fn describe_by_ids<T, E, R>(
    ids: &[String],
    doing: &str,
    describe: impl Fn(Vec<String>) -> PaginationStream<std::result::Result<T, SdkError<E, R>>>,
    id_of: impl Fn(&T) -> Option<&str>,
) -> std::result::Result<HashMap<String, T>, String>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug + 'static,
{
    let mut found = HashMap::new();
    for page in chunks(ids, FILTER_PAGE) {
        let listed = describe(page).try_collect().await.map_err(|e| crate::errors::describe(doing, &e))?;
        for t in listed {
            if let Some(id) = id_of(&t).map(str::to_string) {
                found.insert(id, t);
            }
        }
    }
    Ok(found)
}

/// The volumes with these IDs: one DescribeVolumes per 200 (a `volume-id` filter).
pub async fn describe_volumes(c: &Ctx<'_>, ids: &[String]) -> std::result::Result<HashMap<String, Volume>, String> {
    let describe =
        |page| c.clients.ec2.describe_volumes().filters(filter("volume-id", page)).into_paginator().items().send();
    describe_by_ids(ids, "reading EBS volumes", describe, Volume::volume_id).await
}

/// Route tables by ID, a few calls for many tables.
pub async fn describe_route_tables(
    c: &Ctx<'_>,
    ids: &[String],
) -> std::result::Result<HashMap<String, RouteTable>, String> {
    let describe = |page| {
        c.clients.ec2.describe_route_tables().filters(filter("route-table-id", page)).into_paginator().items().send()
    };
    describe_by_ids(ids, "reading route tables", describe, RouteTable::route_table_id).await
}
