//! `aws_elasticache_subnet_group`: the subnets a cache cluster or replication group may use.

use crate::delete::retry_while_in_use;
use crate::describe::{PAGE, all_failed, bounded, few_or_listing};
use crate::elasticache::{ec_tags, ec_tags_of, ec_update_tags};
use crate::errors::{code, describe, is_not_found, sdk_error};
use crate::plan::replan_lowercase;
use crate::resource::{Ctx, ResourceType, Result, with_tags};
use crate::val::{self, Obj};
use async_trait::async_trait;
use aws_sdk_elasticache::types::CacheSubnetGroup;
use std::collections::HashMap;
use std::time::Duration;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct EcSubnetGroup;

fn schema() -> Schema {
    with_tags(
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("arn", Attribute::computed(Type::String))
            .attr("name", Attribute::required(Type::String).force_new())
            .attr("description", Attribute::optional(Type::String).default("Managed by Terraform"))
            .attr("subnet_ids", Attribute::required(Type::set(Type::String)))
            .attr("vpc_id", Attribute::computed(Type::String)),
    )
}

// ---- ElastiCache helpers shared with the cluster and replication group files ----

// ---- aws_elasticache_subnet_group ----

async fn describe_one(c: &Ctx<'_>, name: &str) -> Result<Option<CacheSubnetGroup>> {
    match c.clients.elasticache.describe_cache_subnet_groups().cache_subnet_group_name(name).send().await {
        Ok(o) => Ok(o.cache_subnet_groups().first().cloned()),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(ProviderError::new(describe(&format!("reading ElastiCache subnet group {name}"), &e))),
    }
}

/// The groups with these (lowercase) names: one call each for a few, else one listing.
async fn fetch(c: &Ctx<'_>, names: &[String]) -> Result<HashMap<String, CacheSubnetGroup>> {
    few_or_listing(
        names,
        |g: &CacheSubnetGroup| g.cache_subnet_group_name().unwrap_or_default().to_lowercase(),
        |n| describe_one(c, n),
        c.clients.elasticache.describe_cache_subnet_groups().max_records(PAGE).into_paginator().items().send(),
        "listing ElastiCache subnet groups",
    )
    .await
}

async fn build(c: &Ctx<'_>, cur: &Value, name: &str, g: Option<&CacheSubnetGroup>) -> Result<Option<Value>> {
    let Some(g) = g else { return Ok(None) };
    let arn = g.arn().unwrap_or_default().to_string();
    let (tags, tags_all) = crate::tags::read_back(&ec_tags_of(c, &arn).await?, c.default_tags(), cur);
    let subnets = g.subnets().iter().filter_map(|s| s.subnet_identifier().map(str::to_string));
    Ok(Some(
        Obj::new(&schema())
            .set("id", name)
            .set("name", g.cache_subnet_group_name().unwrap_or(name))
            .set("arn", arn)
            .set("description", val::opt_str(g.cache_subnet_group_description()))
            .set("subnet_ids", val::str_set(subnets))
            .set("vpc_id", val::opt_str(g.vpc_id()))
            .set("tags", tags)
            .set("tags_all", tags_all)
            .build(),
    ))
}

impl EcSubnetGroup {
    async fn read_one(&self, c: &Ctx<'_>, name: &str, like: &Value) -> Result<Value> {
        let mut stub = like.clone();
        stub.set_at_path(&[PathStep::Attr("id".into())], Value::from(name));
        self.read_many(c, &[stub])
            .await
            .pop()
            .unwrap_or(Ok(None))?
            .ok_or_else(|| ProviderError::new(format!("ElastiCache subnet group {name} is gone")))
    }
}

#[async_trait]
impl ResourceType for EcSubnetGroup {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::ElastiCache)
    }

    fn name(&self) -> &'static str {
        "aws_elasticache_subnet_group"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        // ElastiCache stores the name in lowercase (Terraform's StateFunc does the same).
        replan_lowercase(&schema(), prior, config, plan, &["name"]);
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let name = val::string(planned, "name").unwrap_or_default().to_lowercase();
        c.clients
            .elasticache
            .create_cache_subnet_group()
            .cache_subnet_group_name(&name)
            .cache_subnet_group_description(
                val::string(planned, "description").unwrap_or_else(|| "Managed by Terraform".into()),
            )
            .set_subnet_ids(Some(val::strings(planned, "subnet_ids")))
            .set_tags(ec_tags(&crate::tags::at_create(c, planned)))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("creating ElastiCache subnet group {name}"), e))?;
        let partial = || Value::object([("id", Value::from(name.as_str())), ("name", Value::from(name.as_str()))]);
        self.read_one(c, &name, planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by its name (unique in the account and region), carrying the token tag
    /// CreateCacheSubnetGroup gave it.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let name = val::string(planned, "name").unwrap_or_default().to_lowercase();
        if name.is_empty() {
            return Ok(None);
        }
        crate::resource::find_named(self, c, crate::resource::with_id(planned, &name), true).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let names: Vec<String> = current.iter().map(|v| val::id(v).to_lowercase()).collect();
        let found = match fetch(c, &names).await {
            Ok(f) => f,
            Err(e) => return all_failed(current.len(), &e),
        };
        let reads = current.iter().zip(&names).map(|(cur, name)| build(c, cur, name, found.get(name)));
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
                .elasticache
                .modify_cache_subnet_group()
                .cache_subnet_group_name(&name)
                .cache_subnet_group_description(&description)
                .set_subnet_ids(Some(new_subnets))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating ElastiCache subnet group {name}"), e))?;
        }
        let arn = val::string(prior, "arn").unwrap_or_default();
        ec_update_tags(c, &arn, &val::string_map(prior, "tags_all"), &crate::tags::wanted(planned)).await?;
        self.read_one(c, &name, planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let name = val::id(prior);
        // A cluster that was just deleted may still hold the group for a while (Terraform
        // retries for 5 minutes too).
        retry_while_in_use(
            &format!("ElastiCache subnet group {name} to be deleted"),
            Duration::from_secs(5 * 60),
            &format!("deleting ElastiCache subnet group {name}"),
            |e| matches!(code(e), Some("CacheSubnetGroupInUse" | "DependencyViolation")).then(|| "in use".to_string()),
            || c.clients.elasticache.delete_cache_subnet_group().cache_subnet_group_name(&name).send(),
        )
        .await
    }
}
