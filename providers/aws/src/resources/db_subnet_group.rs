//! `aws_db_subnet_group`: the subnets an RDS instance may be placed in.

use crate::describe::{PAGE, all_failed, bounded, few_or_listing};
use crate::errors::{describe, is_not_found, sdk_error};
use crate::model::Tags;
use crate::plan::missing;
use crate::rds::{rds_tags, rds_tags_of, rds_update_tags};
use crate::resource::{Ctx, ResourceType, Result, invalid};
use crate::val;
use async_trait::async_trait;
use aws_sdk_rds::types::DbSubnetGroup;
use std::collections::{BTreeSet, HashMap};
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct RdsSubnetGroup;

/// An `aws_db_subnet_group` object.
#[derive(Model, Clone, Debug, Default)]
struct Group {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(optional, computed, force_new)]
    name: Option<String>,
    #[model(optional, computed, force_new)]
    name_prefix: Option<String>,
    #[model(optional, default = "Managed by Terraform")]
    description: String,
    #[model(required)]
    subnet_ids: BTreeSet<String>,
    #[model(computed)]
    supported_network_types: Option<BTreeSet<String>>,
    #[model(computed)]
    vpc_id: Option<String>,
    #[model(flatten)]
    tags: Tags,
}

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
    async fn read_one(&self, c: &Ctx<'_>, name: &str, like: &Group) -> Result<Value> {
        let stub = Group { id: Some(name.to_string()), ..like.clone() };
        crate::resource::read_model(self, c, &stub, &format!("DB subnet group {name}")).await
    }
}

impl Group {
    /// The name a create gives the DB subnet group: `name`, else `name_prefix` (or `terraform-`) and a
    /// unique suffix.
    fn created_name(&self, c: &Ctx<'_>) -> String {
        c.name_or_prefix(self.name.as_deref(), self.name_prefix.as_deref(), "terraform-")
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
        Group::schema()
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
        let planned = Group::from_value(planned)?;
        let name = planned.created_name(c);
        let tags = planned.tags.at_create(c);
        c.clients
            .rds
            .create_db_subnet_group()
            .db_subnet_group_name(&name)
            .db_subnet_group_description(&planned.description)
            .set_subnet_ids(Some(planned.subnet_ids.iter().cloned().collect()))
            .set_tags((!tags.is_empty()).then(|| rds_tags(&tags)))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("creating DB subnet group {name}"), e))?;
        let partial = || Group { id: Some(name.clone()), name: Some(name.clone()), ..Group::default() }.to_value();
        self.read_one(c, &name, &planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by its name (configured, or made from `name_prefix` and the token), carrying the
    /// token tag CreateDBSubnetGroup gave it.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let name = Group::from_stub(planned)?.created_name(c).to_lowercase();
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
                let cur = Group::from_stub(cur)?;
                let arn = g.db_subnet_group_arn().unwrap_or_default().to_string();
                let api_tags = rds_tags_of(c, &arn).await?;
                Ok(Some(
                    Group {
                        id: Some(name.clone()),
                        name: Some(g.db_subnet_group_name().unwrap_or(name).to_string()),
                        arn: Some(arn),
                        description: g.db_subnet_group_description().unwrap_or_default().to_string(),
                        subnet_ids: subnet_ids(g).into_iter().collect(),
                        supported_network_types: Some(g.supported_network_types().iter().cloned().collect()),
                        vpc_id: g.vpc_id().map(str::to_string),
                        tags: cur.tags.read_back(c, &api_tags),
                        name_prefix: crate::resource::prefix_of(cur.name_prefix.as_deref(), name),
                    }
                    .to_value(),
                ))
            }
        });
        bounded(reads.collect()).await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (Group::from_stub(prior)?, Group::from_value(planned)?);
        let name = prior.id.clone().unwrap_or_default();
        if prior.description != planned.description || prior.subnet_ids != planned.subnet_ids {
            c.clients
                .rds
                .modify_db_subnet_group()
                .db_subnet_group_name(&name)
                .db_subnet_group_description(&planned.description)
                .set_subnet_ids(Some(planned.subnet_ids.iter().cloned().collect()))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating DB subnet group {name}"), e))?;
        }
        let arn = prior.arn.clone().unwrap_or_default();
        rds_update_tags(c, &arn, &prior.tags.wanted(), &planned.tags.wanted()).await?;
        self.read_one(c, &name, &planned).await
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
        let bad = RdsSubnetGroup.check(&Value::object([("name", Value::from("Main"))]));
        assert_eq!(bad.len(), 1);
        assert!(RdsSubnetGroup.check(&Value::object([("name", Value::from("main-db"))])).is_empty());
    }
}
