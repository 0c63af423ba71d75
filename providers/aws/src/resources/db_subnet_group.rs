//! `aws_db_subnet_group`: the subnets an RDS instance may be placed in.
//!
//! Also holds the helpers the RDS and ElastiCache resource files share: RDS tags, reading many
//! objects either one by one or with one listing, case-folding identifiers in plans, and
//! matching configured engine versions with the actual ones.

use crate::errors::{describe, is_not_found, sdk_error};
use crate::resource::{Ctx, ResourceType, Result, invalid, with_tags};
use crate::val::{self, Obj};
use async_trait::async_trait;
use aws_sdk_rds::types::{DbSubnetGroup, Tag};
use futures::stream::{self, StreamExt};
use std::collections::{BTreeMap, HashMap};
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct RdsSubnetGroup;

/// Up to this many objects are read with one Describe call each; more are read with one
/// paged listing of everything (these APIs cannot filter on many names at once).
pub(super) const FEW: usize = 3;

/// The page size of RDS and ElastiCache listings.
pub(super) const PAGE: i32 = 100;

/// Concurrent per-object calls (tags) while reading a batch.
pub(super) const CONCURRENCY: usize = 8;

fn schema() -> Schema {
    with_tags(
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("arn", Attribute::computed(Type::String))
            .attr("name", Attribute::optional_computed(Type::String).force_new())
            .attr("name_prefix", Attribute::optional(Type::String).force_new())
            .attr("description", Attribute::optional(Type::String).default("Managed by Terraform"))
            .attr("subnet_ids", Attribute::required(Type::set(Type::String)))
            .attr("supported_network_types", Attribute::computed(Type::set(Type::String)))
            .attr("vpc_id", Attribute::computed(Type::String)),
    )
}

// ---- helpers shared with the other RDS and ElastiCache resource files ----

pub(super) fn rds_tags(m: &BTreeMap<String, String>) -> Vec<Tag> {
    m.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect()
}

pub(super) fn rds_tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter().filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string()))).collect()
}

/// The tags of an RDS resource (ListTagsForResource).
pub(super) async fn rds_tags_of(c: &Ctx<'_>, arn: &str) -> Result<BTreeMap<String, String>> {
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
pub(super) async fn rds_update_tags(
    c: &Ctx<'_>,
    arn: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Result<()> {
    let (removed, set) = crate::tags::diff(old, new);
    if !removed.is_empty() {
        c.clients
            .rds
            .remove_tags_from_resource()
            .resource_name(arn)
            .set_tag_keys(Some(removed))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("removing tags from {arn}"), e))?;
    }
    if !set.is_empty() {
        c.clients
            .rds
            .add_tags_to_resource()
            .resource_name(arn)
            .set_tags(Some(rds_tags(&set)))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("tagging {arn}"), e))?;
    }
    Ok(())
}

/// Runs futures with at most [`CONCURRENCY`] at a time, keeping their order.
pub(super) async fn bounded<T, F: std::future::Future<Output = T>>(futures: Vec<F>) -> Vec<T> {
    stream::iter(futures).buffered(CONCURRENCY).collect().await
}

/// The same error for every object of a batch whose read failed.
pub(super) fn all_failed(n: usize, e: &ProviderError) -> Vec<Result<Option<Value>>> {
    (0..n).map(|_| Err(e.clone())).collect()
}

/// Re-plans with the given configured string attributes lowercased, as Terraform's
/// `StateFunc: strings.ToLower` does for identifiers AWS stores in lowercase (so `MyCache`
/// neither replaces `mycache` nor shows a diff forever).
pub(super) fn replan_lowercase(
    schema: &Schema,
    prior: Option<&Value>,
    config: &Value,
    resp: &mut PlanResponse,
    attrs: &[&str],
) {
    let mut lowered = config.clone();
    let mut changed = false;
    for a in attrs {
        let Some(s) = config.get_attr(a).and_then(Value::as_str) else { continue };
        let l = s.to_lowercase();
        if l != s {
            lowered.set_at_path(&[PathStep::Attr((*a).to_string())], Value::from(l));
            changed = true;
        }
    }
    if !changed {
        return;
    }
    let tags_all = resp.planned.get_attr("tags_all").cloned();
    *resp = terrane_engine::plan::diff::generic_plan(schema, prior, &lowered);
    if let Some(t) = tags_all {
        resp.planned.set_at_path(&[PathStep::Attr("tags_all".into())], t);
    }
}

/// Turns an in-place update into a replacement because of `attr` (a rule the schema alone
/// cannot say, like Terraform's `ForceNewIf`).
pub(super) fn force_replacement(schema: &Schema, config: &Value, resp: &mut PlanResponse, attr: &str) {
    let path = vec![PathStep::Attr(attr.to_string())];
    if resp.requires_replace.contains(&path) {
        return;
    }
    if resp.requires_replace.is_empty() {
        let keep: Vec<(String, Value)> = ["tags_all", attr]
            .iter()
            .filter_map(|k| resp.planned.get_attr(k).map(|v| ((*k).to_string(), v.clone())))
            .collect();
        resp.planned = terrane_engine::plan::diff::generic_plan(schema, None, config).planned;
        for (k, v) in keep {
            resp.planned.set_at_path(&[PathStep::Attr(k)], v);
        }
    }
    resp.requires_replace.push(path);
}

/// The `engine_version` to record: the configured one while the actual version matches it
/// (`8.0` or `7.x` for `8.0.35` / `7.1.0`), else the actual one.
pub(super) fn engine_version(configured: Option<String>, actual: Option<&str>) -> Value {
    match (configured, actual) {
        (Some(c), Some(a)) if version_matches(&c, a) => Value::from(c),
        (c, None) => val::opt_str(c.as_deref()),
        (_, Some(a)) => Value::from(a),
    }
}

pub(super) fn version_matches(configured: &str, actual: &str) -> bool {
    let c = configured.trim_end_matches(".x").trim_end_matches('.');
    configured == actual || actual.starts_with(&format!("{c}."))
}

/// The configured value if the API left it out (moto omits some fields AWS always returns),
/// so an omission never shows as drift.
pub(super) fn or_prior(api: Value, cur: &Value, k: &str) -> Value {
    let empty = match &api {
        Value::Null(_) => true,
        v @ (Value::Set(_) | Value::List(_)) => v.length_int() == Some(0),
        _ => false,
    };
    if empty { cur.get_attr(k).filter(|v| !v.is_null() && !v.is_unknown()).cloned().unwrap_or(api) } else { api }
}

/// Whether a configured attribute is missing (null; an unknown value is not missing).
pub(super) fn missing(config: &Value, k: &str) -> bool {
    config.get_attr(k).is_none_or(Value::is_null)
}

// ---- aws_db_subnet_group ----

async fn describe_one(c: &Ctx<'_>, name: &str) -> Result<Option<DbSubnetGroup>> {
    match c.clients.rds.describe_db_subnet_groups().db_subnet_group_name(name).send().await {
        Ok(o) => Ok(o.db_subnet_groups().first().cloned()),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(ProviderError::new(describe(&format!("reading DB subnet group {name}"), &e))),
    }
}

/// The groups with these (lowercase) names: one call each for a few, else one listing.
async fn fetch(c: &Ctx<'_>, names: &[String]) -> Result<HashMap<String, DbSubnetGroup>> {
    let mut found = HashMap::new();
    if names.len() <= FEW {
        let groups: Vec<Result<Option<DbSubnetGroup>>> =
            bounded(names.iter().map(|n| describe_one(c, n)).collect()).await;
        for g in groups {
            if let Some(g) = g? {
                found.insert(g.db_subnet_group_name().unwrap_or_default().to_lowercase(), g);
            }
        }
        return Ok(found);
    }
    let mut pages = c.clients.rds.describe_db_subnet_groups().max_records(PAGE).into_paginator().send();
    while let Some(out) =
        pages.try_next().await.map_err(|e| ProviderError::new(describe("listing DB subnet groups", &e)))?
    {
        for g in out.db_subnet_groups() {
            let n = g.db_subnet_group_name().unwrap_or_default().to_lowercase();
            if names.contains(&n) {
                found.insert(n, g.clone());
            }
        }
        if found.len() == names.len() {
            break;
        }
    }
    Ok(found)
}

fn subnet_ids(g: &DbSubnetGroup) -> Vec<String> {
    g.subnets().iter().filter_map(|s| s.subnet_identifier().map(str::to_string)).collect()
}

impl RdsSubnetGroup {
    async fn read_one(&self, c: &Ctx<'_>, name: &str, like: &Value) -> Result<Value> {
        let mut stub = like.clone();
        stub.set_at_path(&[PathStep::Attr("id".into())], Value::from(name));
        self.read_many(c, &[stub])
            .await
            .pop()
            .unwrap_or(Ok(None))?
            .ok_or_else(|| ProviderError::new(format!("DB subnet group {name} is gone")))
    }
}

#[async_trait]
impl ResourceType for RdsSubnetGroup {
    fn name(&self) -> &'static str {
        "aws_db_subnet_group"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if !missing(config, "name") && !missing(config, "name_prefix") {
            out.push(invalid("Conflicting arguments", "\"name\": conflicts with name_prefix; set one of them."));
        }
        for k in ["name", "name_prefix"] {
            if let Some(n) = val::string(config, k)
                && !n.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || " ._-".contains(ch))
            {
                out.push(invalid(
                    &format!("Invalid {k}"),
                    format!("{n:?}: only lowercase alphanumeric characters, hyphens, underscores, periods, and spaces allowed in \"{k}\""),
                ));
            }
        }
        out
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let name = c.name_or_generated(planned, "name", "name_prefix");
        let tags = crate::tags::at_create(c, planned);
        c.clients
            .rds
            .create_db_subnet_group()
            .db_subnet_group_name(&name)
            .db_subnet_group_description(
                val::string(planned, "description").unwrap_or_else(|| "Managed by Terraform".into()),
            )
            .set_subnet_ids(Some(val::strings(planned, "subnet_ids")))
            .set_tags((!tags.is_empty()).then(|| rds_tags(&tags)))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("creating DB subnet group {name}"), e))?;
        let partial = || Value::object([("id", Value::from(name.as_str())), ("name", Value::from(name.as_str()))]);
        self.read_one(c, &name, planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by its name (configured, or made from `name_prefix` and the token), carrying the
    /// token tag CreateDBSubnetGroup gave it.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let name = c.name_or_generated(planned, "name", "name_prefix").to_lowercase();
        crate::resource::find_named(self, c, crate::resource::with_id(planned, &name), true).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let names: Vec<String> = current.iter().map(|v| val::id(v).to_lowercase()).collect();
        let found = match fetch(c, &names).await {
            Ok(f) => f,
            Err(e) => return all_failed(current.len(), &e),
        };
        let reads = current.iter().zip(&names).map(|(cur, name)| {
            let g = found.get(name);
            async move {
                let Some(g) = g else { return Ok(None) };
                let arn = g.db_subnet_group_arn().unwrap_or_default().to_string();
                let (tags, tags_all) = crate::tags::read_back(&rds_tags_of(c, &arn).await?, c.default_tags(), cur);
                Ok(Some(
                    Obj::new(&schema())
                        .set("id", name.as_str())
                        .set("name", g.db_subnet_group_name().unwrap_or(name))
                        .set("arn", arn)
                        .set("description", val::opt_str(g.db_subnet_group_description()))
                        .set("subnet_ids", val::str_set(subnet_ids(g)))
                        .set("supported_network_types", val::str_set(g.supported_network_types().iter().cloned()))
                        .set("vpc_id", val::opt_str(g.vpc_id()))
                        .set("tags", tags)
                        .set("tags_all", tags_all)
                        .keep(cur, &["name_prefix"])
                        .build(),
                ))
            }
        });
        bounded(reads.collect()).await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let name = val::id(prior);
        let description = val::string(planned, "description").unwrap_or_else(|| "Managed by Terraform".into());
        let mut old_subnets = val::strings(prior, "subnet_ids");
        let mut new_subnets = val::strings(planned, "subnet_ids");
        old_subnets.sort();
        new_subnets.sort();
        if val::string(prior, "description").as_deref() != Some(description.as_str()) || old_subnets != new_subnets {
            c.clients
                .rds
                .modify_db_subnet_group()
                .db_subnet_group_name(&name)
                .db_subnet_group_description(&description)
                .set_subnet_ids(Some(new_subnets))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating DB subnet group {name}"), e))?;
        }
        let arn = val::string(prior, "arn").unwrap_or_default();
        rds_update_tags(c, &arn, &val::string_map(prior, "tags_all"), &crate::tags::wanted(planned)).await?;
        self.read_one(c, &name, planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let name = val::id(prior);
        match c.clients.rds.delete_db_subnet_group().db_subnet_group_name(&name).send().await {
            Ok(_) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(sdk_error(&format!("deleting DB subnet group {name}"), e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_versions_match_by_prefix() {
        assert!(version_matches("8.0", "8.0.35"));
        assert!(version_matches("7.x", "7.1.0"));
        assert!(version_matches("16.3", "16.3"));
        assert!(!version_matches("8.0", "8.01.1"));
        assert_eq!(engine_version(Some("8.0".into()), Some("8.0.35")), Value::from("8.0"));
        assert_eq!(engine_version(Some("8.0".into()), Some("8.4.1")), Value::from("8.4.1"));
        assert_eq!(engine_version(None, Some("8.4.1")), Value::from("8.4.1"));
    }

    #[test]
    fn names_must_be_lowercase() {
        let bad = RdsSubnetGroup.validate(&Value::object([("name", Value::from("Main"))]));
        assert_eq!(bad.len(), 1);
        assert!(RdsSubnetGroup.validate(&Value::object([("name", Value::from("main-db"))])).is_empty());
    }

    #[test]
    fn identifiers_are_planned_in_lowercase() {
        let s = Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("cluster_id", Attribute::required(Type::String).force_new());
        let prior = Value::object([("id", Value::from("web")), ("cluster_id", Value::from("web"))]);
        let config = Value::object([("cluster_id", Value::from("WEB"))]);
        let mut resp = terrane_engine::plan::diff::generic_plan(&s, Some(&prior), &config);
        assert_eq!(resp.requires_replace.len(), 1);
        replan_lowercase(&s, Some(&prior), &config, &mut resp, &["cluster_id"]);
        assert!(resp.requires_replace.is_empty());
        assert_eq!(resp.planned.get_attr("id"), Some(&Value::from("web")));
    }
}
