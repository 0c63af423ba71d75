//! `aws_subnet`

use crate::delete::{dependency_violation, retry_while_in_use};
use crate::describe::all_failed;
use crate::ec2::{describe_by_ids, filter, tag_map, tag_spec, update_tags};
use crate::errors::sdk_error;
use crate::resource::{Ctx, Refused, ResourceType, Result, with_tags, with_timeouts};
use crate::val::{self, Obj};
use crate::waiter::timeout;
use async_trait::async_trait;
use aws_sdk_ec2::types::{AttributeBooleanValue, HostnameType, ResourceType as Rt};
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
                .attr("owner_id", Attribute::computed(Type::String))
                .attr("assign_ipv6_address_on_creation", Attribute::optional(Type::Bool).default(false))
                .attr("enable_dns64", Attribute::optional(Type::Bool).default(false))
                .attr("enable_resource_name_dns_a_record_on_launch", Attribute::optional(Type::Bool).default(false))
                .attr("enable_resource_name_dns_aaaa_record_on_launch", Attribute::optional(Type::Bool).default(false))
                .attr("private_dns_hostname_type_on_launch", Attribute::optional_computed(Type::String))
                .attr("ipv6_cidr_block", Attribute::optional(Type::String))
                .attr("ipv6_cidr_block_association_id", Attribute::computed(Type::String))
                .attr("ipv6_native", Attribute::optional(Type::Bool).default(false).force_new())
                .attr("customer_owned_ipv4_pool", Attribute::optional(Type::String))
                .attr("map_customer_owned_ip_on_launch", Attribute::optional(Type::Bool))
                .attr("outpost_arn", Attribute::optional(Type::String).force_new())
                .attr("enable_lni_at_device_index", Attribute::optional(Type::Number)),
        ),
        &["create", "delete"],
    )
}

const OUTPOSTS: &str = "it applies only to subnets on AWS Outposts, which terrane's test environment (moto) does not have, so terrane cannot prove it.";

static REFUSED: &[Refused] = &[
    Refused { name: "outpost_arn", why: OUTPOSTS },
    Refused { name: "customer_owned_ipv4_pool", why: OUTPOSTS },
    Refused { name: "map_customer_owned_ip_on_launch", why: OUTPOSTS },
    Refused { name: "enable_lni_at_device_index", why: OUTPOSTS },
];

/// The boolean subnet attributes ModifySubnetAttribute sets, one per call, in the order
/// hashicorp/aws sets them.
const FLAGS: [&str; 5] = [
    "assign_ipv6_address_on_creation",
    "enable_dns64",
    "enable_resource_name_dns_a_record_on_launch",
    "enable_resource_name_dns_aaaa_record_on_launch",
    "map_public_ip_on_launch",
];

/// Sets one attribute (`private_dns_hostname_type_on_launch` takes the string `value`).
async fn set_attribute(c: &Ctx<'_>, id: &str, name: &str, on: bool, value: Option<String>) -> Result<()> {
    let b = AttributeBooleanValue::builder().value(on).build();
    let req = c.clients.ec2.modify_subnet_attribute().subnet_id(id);
    let req = match name {
        "assign_ipv6_address_on_creation" => req.assign_ipv6_address_on_creation(b),
        "enable_dns64" => req.enable_dns64(b),
        "enable_resource_name_dns_a_record_on_launch" => req.enable_resource_name_dns_a_record_on_launch(b),
        "enable_resource_name_dns_aaaa_record_on_launch" => req.enable_resource_name_dns_aaaa_record_on_launch(b),
        "private_dns_hostname_type_on_launch" => {
            req.set_private_dns_hostname_type_on_launch(value.map(|v| HostnameType::from(v.as_str())))
        }
        _ => req.map_public_ip_on_launch(b),
    };
    req.send().await.map_err(|e| sdk_error(&format!("setting {name} on subnet {id}"), e))?;
    Ok(())
}

/// The subnet's associated IPv6 block. (A state AWS does not give, or that the SDK does not
/// know, counts as associated: moto nests the state one level too deep, and lists only
/// associated blocks.)
fn ipv6_association(s: &aws_sdk_ec2::types::Subnet) -> Option<&aws_sdk_ec2::types::SubnetIpv6CidrBlockAssociation> {
    use aws_sdk_ec2::types::SubnetCidrBlockStateCode as State;
    s.ipv6_cidr_block_association_set().iter().find(|a| {
        !matches!(
            a.ipv6_cidr_block_state().and_then(|st| st.state()),
            Some(State::Associating | State::Disassociating | State::Disassociated | State::Failing | State::Failed)
        )
    })
}

/// Moves the subnet to the planned IPv6 block, as hashicorp/aws does: the old association
/// removed first, then the new block associated.
async fn change_ipv6_block(c: &Ctx<'_>, id: &str, old_association: Option<&str>, new: Option<String>) -> Result<()> {
    if let Some(old) = old_association.filter(|a| !a.is_empty()) {
        c.clients
            .ec2
            .disassociate_subnet_cidr_block()
            .association_id(old)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("removing IPv6 CIDR block {old} from subnet {id}"), e))?;
    }
    if let Some(block) = new {
        c.clients
            .ec2
            .associate_subnet_cidr_block()
            .subnet_id(id)
            .ipv6_cidr_block(&block)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("associating IPv6 CIDR block {block} with subnet {id}"), e))?;
    }
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
    fn state_upgrades(&self) -> crate::upgrade::Upgrades {
        // vpc_subnet.go: `MigrateState: subnetMigrateState`.
        crate::upgrade::Upgrades::migrate(crate::upgrade::subnet_migrate)
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn refused(&self) -> &'static [Refused] {
        REFUSED
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
            .set_ipv6_cidr_block(val::string(planned, "ipv6_cidr_block"))
            .set_ipv6_native(val::boolean(planned, "ipv6_native").filter(|n| *n))
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
        // An IPv6-native subnet assigns IPv6 addresses on creation by itself.
        let native = val::boolean(planned, "ipv6_native") == Some(true);
        for name in FLAGS {
            if val::boolean(planned, name) == Some(true) && !(native && name == "assign_ipv6_address_on_creation") {
                set_attribute(c, &id, name, true, None).await.map_err(|e| e.with_partial_state(partial()))?;
            }
        }
        if let Some(t) = val::string(planned, "private_dns_hostname_type_on_launch") {
            set_attribute(c, &id, "private_dns_hostname_type_on_launch", false, Some(t))
                .await
                .map_err(|e| e.with_partial_state(partial()))?;
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
                let dns = s.private_dns_name_options_on_launch();
                let ipv6 = ipv6_association(&s);
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
                        .set(
                            "assign_ipv6_address_on_creation",
                            Value::Bool(s.assign_ipv6_address_on_creation().unwrap_or(false)),
                        )
                        .set("enable_dns64", Value::Bool(s.enable_dns64().unwrap_or(false)))
                        .set(
                            "enable_resource_name_dns_a_record_on_launch",
                            Value::Bool(dns.and_then(|d| d.enable_resource_name_dns_a_record()).unwrap_or(false)),
                        )
                        .set(
                            "enable_resource_name_dns_aaaa_record_on_launch",
                            Value::Bool(dns.and_then(|d| d.enable_resource_name_dns_aaaa_record()).unwrap_or(false)),
                        )
                        .set(
                            "private_dns_hostname_type_on_launch",
                            val::opt_str(dns.and_then(|d| d.hostname_type()).map(|t| t.as_str())),
                        )
                        .set("ipv6_cidr_block", val::opt_str(ipv6.and_then(|a| a.ipv6_cidr_block())))
                        .set("ipv6_cidr_block_association_id", val::opt_str(ipv6.and_then(|a| a.association_id())))
                        .set("ipv6_native", Value::Bool(s.ipv6_native().unwrap_or(false)))
                        .set("customer_owned_ipv4_pool", val::opt_str(s.customer_owned_ipv4_pool()))
                        .set("map_customer_owned_ip_on_launch", val::opt_bool(s.map_customer_owned_ip_on_launch()))
                        .set("outpost_arn", val::opt_str(s.outpost_arn()))
                        .set("enable_lni_at_device_index", val::opt_num(s.enable_lni_at_device_index()))
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
        // As hashicorp/aws: a new IPv6 block is associated before IPv6 addresses are switched
        // on, and they are switched off before the block is removed.
        let old_block = val::string(prior, "ipv6_cidr_block");
        let new_block = val::string(planned, "ipv6_cidr_block");
        let block_changes = old_block != new_block;
        let assign = val::boolean(planned, "assign_ipv6_address_on_creation").unwrap_or(false);
        if block_changes && val::boolean(prior, "assign_ipv6_address_on_creation") == Some(true) && !assign {
            set_attribute(c, &id, "assign_ipv6_address_on_creation", false, None).await?;
        }
        if block_changes {
            let association = val::string(prior, "ipv6_cidr_block_association_id");
            change_ipv6_block(c, &id, association.as_deref(), new_block).await?;
        }
        for name in FLAGS {
            let want = val::boolean(planned, name).unwrap_or(false);
            if val::boolean(prior, name).unwrap_or(false) != want {
                set_attribute(c, &id, name, want, None).await?;
            }
        }
        let hostname = val::string(planned, "private_dns_hostname_type_on_launch");
        if hostname.is_some() && hostname != val::string(prior, "private_dns_hostname_type_on_launch") {
            set_attribute(c, &id, "private_dns_hostname_type_on_launch", false, hostname).await?;
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
