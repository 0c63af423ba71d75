//! `aws_db_subnet_group`: the subnets an RDS instance may be placed in.

use crate::describe::{PAGE, all_failed, bounded, few_or_listing};
use crate::errors::{describe, is_not_found, sdk_error};
use crate::plan::missing;
use crate::rds::{rds_tags, rds_tags_of, rds_update_tags};
use crate::resource::{Ctx, ResourceType, Result, invalid, with_tags};
use crate::val::{self, Obj};
use async_trait::async_trait;
use aws_sdk_rds::types::DbSubnetGroup;
use std::collections::HashMap;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct RdsSubnetGroup;

fn schema() -> Schema {
    with_tags(
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("arn", Attribute::computed(Type::String))
            .attr("name", Attribute::optional_computed(Type::String).force_new())
            .attr("name_prefix", Attribute::optional_computed(Type::String).force_new())
            .attr("description", Attribute::optional(Type::String).default("Managed by Terraform"))
            .attr("subnet_ids", Attribute::required(Type::set(Type::String)))
            .attr("supported_network_types", Attribute::computed(Type::set(Type::String)))
            .attr("vpc_id", Attribute::computed(Type::String)),
    )
}

// ---- helpers shared with the other RDS and ElastiCache resource files ----

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
    few_or_listing(
        names,
        |g: &DbSubnetGroup| g.db_subnet_group_name().unwrap_or_default().to_lowercase(),
        |n| describe_one(c, n),
        c.clients.rds.describe_db_subnet_groups().max_records(PAGE).into_paginator().items().send(),
        "listing DB subnet groups",
    )
    .await
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
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::Rds)
    }

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
                        .set("name_prefix", crate::resource::prefix_read_back(cur, "name_prefix", name))
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
    fn names_must_be_lowercase() {
        let bad = RdsSubnetGroup.validate(&Value::object([("name", Value::from("Main"))]));
        assert_eq!(bad.len(), 1);
        assert!(RdsSubnetGroup.validate(&Value::object([("name", Value::from("main-db"))])).is_empty());
    }
}
