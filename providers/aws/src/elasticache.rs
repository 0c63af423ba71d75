//! ElastiCache helpers shared by the ElastiCache resource types: tags in and out, tag updates,
//! the engines, and clusters described (a replication group reads its member clusters).

use crate::describe::{PAGE, few_or_listing};
use crate::errors::{describe, is_not_found, sdk_error};
use crate::resource::{Ctx, Result};
use crate::val;
use aws_sdk_elasticache::types::{CacheCluster, Tag};
use std::collections::{BTreeMap, HashMap};
use terrane_engine::provider::ProviderError;
use terrane_engine::value::Value;

/// Tags as ElastiCache takes them (none for an empty map).
pub fn ec_tags(m: &BTreeMap<String, String>) -> Option<Vec<Tag>> {
    (!m.is_empty()).then(|| m.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect())
}

/// The tags of an ElastiCache resource (ListTagsForResource).
pub async fn ec_tags_of(c: &Ctx<'_>, arn: &str) -> Result<BTreeMap<String, String>> {
    let out = c
        .clients
        .elasticache
        .list_tags_for_resource()
        .resource_name(arn)
        .send()
        .await
        .map_err(|e| sdk_error(&format!("reading the tags of {arn}"), e))?;
    Ok(out
        .tag_list()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string())))
        .collect())
}

/// Brings an ElastiCache resource's tags from `old` to `new`.
pub async fn ec_update_tags(
    c: &Ctx<'_>,
    arn: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Result<()> {
    let ec = &c.clients.elasticache;
    crate::tags::update(
        old,
        new,
        async |keys| {
            let req = ec.remove_tags_from_resource().resource_name(arn).set_tag_keys(Some(keys));
            req.send().await.map(drop).map_err(|e| sdk_error(&format!("removing tags from {arn}"), e))
        },
        async |set| {
            let req = ec.add_tags_to_resource().resource_name(arn).set_tags(ec_tags(&set));
            req.send().await.map(drop).map_err(|e| sdk_error(&format!("tagging {arn}"), e))
        },
    )
    .await
}

/// The engines a cluster or replication group may run.
pub const ENGINES: &[&str] = &["memcached", "redis", "valkey"];

/// One cluster, with its nodes; `None` when it does not exist.
pub async fn find_cluster(c: &Ctx<'_>, id: &str) -> Result<Option<CacheCluster>> {
    let req = c.clients.elasticache.describe_cache_clusters().cache_cluster_id(id).show_cache_node_info(true);
    match req.send().await {
        Ok(o) => Ok(o.cache_clusters().first().cloned()),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(ProviderError::new(describe(&format!("reading ElastiCache cluster {id}"), &e))),
    }
}

/// The clusters with these (lowercase) IDs, with their nodes: one call each for a few,
/// else one paged listing of every cluster (DescribeCacheClusters filters on one ID only).
pub async fn fetch_clusters(c: &Ctx<'_>, ids: &[String]) -> Result<HashMap<String, CacheCluster>> {
    let listing = c
        .clients
        .elasticache
        .describe_cache_clusters()
        .show_cache_node_info(true)
        .max_records(PAGE)
        .into_paginator()
        .items()
        .send();
    few_or_listing(
        ids,
        |cc: &CacheCluster| cc.cache_cluster_id().unwrap_or_default().to_lowercase(),
        |id| find_cluster(c, id),
        listing,
        "listing ElastiCache clusters",
    )
    .await
}

/// The security group IDs of a cluster.
pub fn security_group_ids(cc: &CacheCluster) -> Value {
    val::str_set(cc.security_groups().iter().filter_map(|g| g.security_group_id().map(str::to_string)))
}
