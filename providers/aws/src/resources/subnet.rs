//! `aws_subnet`

use crate::delete::{dependency_violation, retry_while_in_use};
use crate::describe::all_failed;
use crate::ec2::{describe_by_ids, filter, tag_map, tag_spec, update_tags};
use crate::errors::sdk_error;
use crate::resource::{Ctx, ResourceType, Result, with_tags, with_timeouts};
use crate::val::{self, Obj};
use crate::waiter::timeout;
use async_trait::async_trait;
use aws_sdk_ec2::types::{AttributeBooleanValue, ResourceType as Rt};
use std::time::Duration;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub struct Subnet;

fn schema() -> Schema {
    with_timeouts(
        with_tags(
            Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("arn", Attribute::computed(Type::String))
                .attr("vpc_id", Attribute::required(Type::String).force_new())
                .attr("cidr_block", Attribute::optional(Type::String).force_new())
                .attr("availability_zone", Attribute::optional_computed(Type::String).force_new())
                .attr("availability_zone_id", Attribute::optional_computed(Type::String).force_new())
                .attr("map_public_ip_on_launch", Attribute::optional(Type::Bool).default(false))
                .attr("owner_id", Attribute::computed(Type::String)),
        ),
        &["create", "delete"],
    )
}

async fn set_public_ip(c: &Ctx<'_>, id: &str, on: bool) -> Result<()> {
    c.clients
        .ec2
        .modify_subnet_attribute()
        .subnet_id(id)
        .map_public_ip_on_launch(AttributeBooleanValue::builder().value(on).build())
        .send()
        .await
        .map_err(|e| sdk_error(&format!("setting map_public_ip_on_launch on subnet {id}"), e))?;
    Ok(())
}

impl Subnet {
    async fn read_one(&self, c: &Ctx<'_>, id: &str, like: &Value) -> Result<Value> {
        let stub = Value::object([
            ("id", Value::from(id)),
            ("tags", like.get_attr("tags").cloned().unwrap_or_default()),
            ("timeouts", like.get_attr("timeouts").cloned().unwrap_or_default()),
        ]);
        self.read_many(c, &[stub])
            .await
            .pop()
            .unwrap_or(Ok(None))?
            .ok_or_else(|| ProviderError::new(format!("subnet {id} is gone")))
    }
}

#[async_trait]
impl ResourceType for Subnet {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::Ec2("id"))
    }

    fn name(&self) -> &'static str {
        "aws_subnet"
    }
    /// hashicorp/aws's schema version: state is stored in that version's shape.
    fn schema_version(&self) -> u64 {
        1
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let tags = crate::tags::at_create(c, planned);
        let out = c
            .clients
            .ec2
            .create_subnet()
            .vpc_id(val::string(planned, "vpc_id").unwrap_or_default())
            .set_cidr_block(val::string(planned, "cidr_block"))
            .set_availability_zone(val::string(planned, "availability_zone"))
            .set_availability_zone_id(val::string(planned, "availability_zone_id"))
            .set_tag_specifications(tag_spec(Rt::Subnet, &tags).map(|t| vec![t]))
            .send()
            .await
            .map_err(|e| sdk_error("creating subnet", e))?;
        let id = out
            .subnet()
            .and_then(|s| s.subnet_id())
            .ok_or_else(|| ProviderError::new("creating subnet: no subnet ID in the response"))?
            .to_string();
        let partial = || Value::object([("id", Value::from(id.as_str()))]);
        if val::boolean(planned, "map_public_ip_on_launch") == Some(true) {
            set_public_ip(c, &id, true).await.map_err(|e| e.with_partial_state(partial()))?;
        }
        self.read_one(c, &id, planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by the token tag its create gave it (CreateSubnet TagSpecifications).
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let Some(id) = crate::ec2::find_by_token(c, "subnet").await? else { return Ok(None) };
        crate::resource::read_stub(self, c, crate::resource::with_id(planned, &id)).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let ids: Vec<String> = current.iter().map(val::id).collect();
        let describe =
            |page| c.clients.ec2.describe_subnets().filters(filter("subnet-id", page)).into_paginator().items().send();
        let mut found =
            match describe_by_ids(&ids, "reading subnets", describe, aws_sdk_ec2::types::Subnet::subnet_id).await {
                Ok(f) => f,
                Err(msg) => return all_failed(current.len(), &ProviderError::new(msg)),
            };
        current
            .iter()
            .map(|cur| {
                let Some(s) = found.remove(&val::id(cur)) else { return Ok(None) };
                let (tags, tags_all) = crate::tags::read_back(&tag_map(s.tags()), c.default_tags(), cur);
                Ok(Some(
                    Obj::new(&schema())
                        .set("id", val::opt_str(s.subnet_id()))
                        .set("arn", val::opt_str(s.subnet_arn()))
                        .set("vpc_id", val::opt_str(s.vpc_id()))
                        .set("cidr_block", val::opt_str(s.cidr_block()))
                        .set("availability_zone", val::opt_str(s.availability_zone()))
                        .set("availability_zone_id", val::opt_str(s.availability_zone_id()))
                        .set("map_public_ip_on_launch", Value::Bool(s.map_public_ip_on_launch().unwrap_or(false)))
                        .set("owner_id", val::opt_str(s.owner_id()))
                        .set("tags", tags)
                        .set("tags_all", tags_all)
                        .keep(cur, &["timeouts"])
                        .build(),
                ))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = val::id(prior);
        let want = val::boolean(planned, "map_public_ip_on_launch").unwrap_or(false);
        if val::boolean(prior, "map_public_ip_on_launch") != Some(want) {
            set_public_ip(c, &id, want).await?;
        }
        update_tags(&c.clients.ec2, &id, &val::string_map(prior, "tags_all"), &crate::tags::wanted(planned)).await?;
        self.read_one(c, &id, planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let id = val::id(prior);
        // Instances and interfaces in the subnet may take a while to go: retry while AWS says
        // the subnet is still in use.
        retry_while_in_use(
            &format!("subnet {id} to be deleted"),
            timeout(prior, "delete", Duration::from_secs(20 * 60)),
            &format!("deleting subnet {id}"),
            dependency_violation,
            || c.clients.ec2.delete_subnet().subnet_id(&id).send(),
        )
        .await
    }
}
