//! `aws_elasticache_subnet_group`: the subnets a cache cluster or replication group may use.

use crate::delete::retry_while_in_use;
use crate::describe::{PAGE, all_failed, bounded, few_or_listing};
use crate::elasticache::{ec_tags, ec_tags_of, ec_update_tags};
use crate::errors::{code, describe, is_not_found, sdk_error};
use crate::model::Tags;
use crate::plan::replan_lowercase;
use crate::resource::{Ctx, ResourceType, Result};
use crate::val;
use async_trait::async_trait;
use aws_sdk_elasticache::types::CacheSubnetGroup;
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct EcSubnetGroup;

/// An `aws_elasticache_subnet_group` object.
#[derive(Model, Clone, Debug, Default)]
struct Group {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(required, force_new)]
    name: String,
    #[model(optional, default = "Managed by Terraform")]
    description: String,
    #[model(required)]
    subnet_ids: BTreeSet<String>,
    #[model(computed)]
    vpc_id: Option<String>,
    #[model(flatten)]
    tags: Tags,
}

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
    let cur = Group::from_stub(cur)?;
    let arn = g.arn().unwrap_or_default().to_string();
    let api_tags = ec_tags_of(c, &arn).await?;
    Ok(Some(
        Group {
            id: Some(name.to_string()),
            name: g.cache_subnet_group_name().unwrap_or(name).to_string(),
            arn: Some(arn),
            description: g.cache_subnet_group_description().unwrap_or_default().to_string(),
            subnet_ids: g.subnets().iter().filter_map(|s| s.subnet_identifier().map(str::to_string)).collect(),
            vpc_id: g.vpc_id().map(str::to_string),
            tags: cur.tags.read_back(c, &api_tags),
        }
        .to_value(),
    ))
}

impl EcSubnetGroup {
    async fn read_one(&self, c: &Ctx<'_>, name: &str, like: &Group) -> Result<Value> {
        let stub = Group { id: Some(name.to_string()), ..like.clone() };
        crate::resource::read_model(self, c, &stub, &format!("ElastiCache subnet group {name}")).await
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
        Group::schema()
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        // ElastiCache stores the name in lowercase (Terraform's StateFunc does the same).
        replan_lowercase(&Group::schema(), prior, config, plan, &["name"]);
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = Group::from_value(planned)?;
        let name = planned.name.to_lowercase();
        c.clients
            .elasticache
            .create_cache_subnet_group()
            .cache_subnet_group_name(&name)
            .cache_subnet_group_description(&planned.description)
            .set_subnet_ids(Some(planned.subnet_ids.iter().cloned().collect()))
            .set_tags(ec_tags(&planned.tags.at_create(c)))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("creating ElastiCache subnet group {name}"), e))?;
        let partial = || Group { id: Some(name.clone()), name: name.clone(), ..Group::default() }.to_value();
        self.read_one(c, &name, &planned).await.map_err(|e| e.with_partial_state(partial()))
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
        let (prior, planned) = (Group::from_stub(prior)?, Group::from_value(planned)?);
        let name = prior.id.clone().unwrap_or_default();
        if prior.description != planned.description || prior.subnet_ids != planned.subnet_ids {
            c.clients
                .elasticache
                .modify_cache_subnet_group()
                .cache_subnet_group_name(&name)
                .cache_subnet_group_description(&planned.description)
                .set_subnet_ids(Some(planned.subnet_ids.iter().cloned().collect()))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating ElastiCache subnet group {name}"), e))?;
        }
        let arn = prior.arn.clone().unwrap_or_default();
        ec_update_tags(c, &arn, &prior.tags.wanted(), &planned.tags.wanted()).await?;
        self.read_one(c, &name, &planned).await
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
