//! `aws_subnet`

use crate::delete::{dependency_violation, retry_while_in_use};
use crate::describe::all_failed;
use crate::ec2::{describe_by_ids, filter, tag_map, tag_spec, update_tags};
use crate::errors::sdk_error;
use crate::model::{CreateDeleteTimeouts, Op, Tags, limit};
use crate::resource::{Ctx, Refused, ResourceType, Result};
use async_trait::async_trait;
use aws_sdk_ec2::types::{AttributeBooleanValue, HostnameType, ResourceType as Rt};
use std::time::Duration;
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct Subnet;

/// An `aws_subnet` object.
#[derive(Model, Clone, Debug, Default)]
struct SubnetObject {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(required, force_new)]
    vpc_id: String,
    #[model(optional, force_new)]
    cidr_block: Option<String>,
    #[model(optional, computed, force_new)]
    availability_zone: Option<String>,
    #[model(optional, computed, force_new)]
    availability_zone_id: Option<String>,
    #[model(optional, default = false)]
    map_public_ip_on_launch: bool,
    #[model(computed)]
    owner_id: Option<String>,
    #[model(optional, default = false)]
    assign_ipv6_address_on_creation: bool,
    #[model(optional, default = false)]
    enable_dns64: bool,
    #[model(optional, default = false)]
    enable_resource_name_dns_a_record_on_launch: bool,
    #[model(optional, default = false)]
    enable_resource_name_dns_aaaa_record_on_launch: bool,
    #[model(optional, computed)]
    private_dns_hostname_type_on_launch: Option<String>,
    #[model(optional)]
    ipv6_cidr_block: Option<String>,
    #[model(computed)]
    ipv6_cidr_block_association_id: Option<String>,
    #[model(optional, default = false, force_new)]
    ipv6_native: bool,
    #[model(optional)]
    customer_owned_ipv4_pool: Option<String>,
    #[model(optional)]
    map_customer_owned_ip_on_launch: Option<bool>,
    #[model(optional, force_new)]
    outpost_arn: Option<String>,
    #[model(optional)]
    enable_lni_at_device_index: Option<i64>,
    #[model(flatten)]
    tags: Tags,
    #[model(block = "single")]
    timeouts: Option<CreateDeleteTimeouts>,
}

impl SubnetObject {
    /// The boolean attributes ModifySubnetAttribute sets, one per call, in the order
    /// hashicorp/aws sets them, with their values.
    fn flags(&self) -> [(&'static str, bool); 5] {
        [
            ("assign_ipv6_address_on_creation", self.assign_ipv6_address_on_creation),
            ("enable_dns64", self.enable_dns64),
            ("enable_resource_name_dns_a_record_on_launch", self.enable_resource_name_dns_a_record_on_launch),
            ("enable_resource_name_dns_aaaa_record_on_launch", self.enable_resource_name_dns_aaaa_record_on_launch),
            ("map_public_ip_on_launch", self.map_public_ip_on_launch),
        ]
    }
}

const OUTPOSTS: &str = "it applies only to subnets on AWS Outposts, which terrane's test environment (moto) does not have, so terrane cannot prove it.";

static REFUSED: &[Refused] = &[
    Refused { name: "outpost_arn", why: OUTPOSTS },
    Refused { name: "customer_owned_ipv4_pool", why: OUTPOSTS },
    Refused { name: "map_customer_owned_ip_on_launch", why: OUTPOSTS },
    Refused { name: "enable_lni_at_device_index", why: OUTPOSTS },
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
    async fn read_one(&self, c: &Ctx<'_>, id: &str, like: &SubnetObject) -> Result<Value> {
        let stub = SubnetObject { id: Some(id.to_string()), ..like.clone() };
        crate::resource::read_model(self, c, &stub, &format!("subnet {id}")).await
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
        SubnetObject::schema()
    }

    fn refused(&self) -> &'static [Refused] {
        REFUSED
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = SubnetObject::from_value(planned)?;
        let tags = planned.tags.at_create(c);
        let out = c
            .clients
            .ec2
            .create_subnet()
            .vpc_id(&planned.vpc_id)
            .set_cidr_block(planned.cidr_block.clone())
            .set_availability_zone(planned.availability_zone.clone())
            .set_availability_zone_id(planned.availability_zone_id.clone())
            .set_ipv6_cidr_block(planned.ipv6_cidr_block.clone())
            .set_ipv6_native(planned.ipv6_native.then_some(true))
            .set_tag_specifications(tag_spec(Rt::Subnet, &tags).map(|t| vec![t]))
            .send()
            .await
            .map_err(|e| sdk_error("creating subnet", e))?;
        let id = out
            .subnet()
            .and_then(|s| s.subnet_id())
            .ok_or_else(|| ProviderError::new("creating subnet: no subnet ID in the response"))?
            .to_string();
        let partial = || SubnetObject { id: Some(id.clone()), ..SubnetObject::default() }.to_value();
        for (name, on) in planned.flags() {
            // An IPv6-native subnet assigns IPv6 addresses on creation by itself.
            if on && !(planned.ipv6_native && name == "assign_ipv6_address_on_creation") {
                set_attribute(c, &id, name, true, None).await.map_err(|e| e.with_partial_state(partial()))?;
            }
        }
        if let Some(t) = &planned.private_dns_hostname_type_on_launch {
            set_attribute(c, &id, "private_dns_hostname_type_on_launch", false, Some(t.clone()))
                .await
                .map_err(|e| e.with_partial_state(partial()))?;
        }
        self.read_one(c, &id, &planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by the token tag its create gave it (CreateSubnet TagSpecifications).
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let Some(id) = crate::ec2::find_by_token(c, "subnet").await? else { return Ok(None) };
        crate::resource::read_stub(self, c, crate::resource::with_id(planned, &id)).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let ids: Vec<String> = current.iter().map(crate::val::id).collect();
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
                let cur = SubnetObject::from_stub(cur)?;
                let Some(s) = cur.id.as_ref().and_then(|id| found.remove(id)) else { return Ok(None) };
                let dns = s.private_dns_name_options_on_launch();
                let ipv6 = ipv6_association(&s);
                let text = |s: Option<&str>| s.map(str::to_string);
                Ok(Some(
                    SubnetObject {
                        id: text(s.subnet_id()),
                        arn: text(s.subnet_arn()),
                        vpc_id: s.vpc_id().unwrap_or_default().to_string(),
                        cidr_block: text(s.cidr_block()),
                        availability_zone: text(s.availability_zone()),
                        availability_zone_id: text(s.availability_zone_id()),
                        map_public_ip_on_launch: s.map_public_ip_on_launch().unwrap_or(false),
                        owner_id: text(s.owner_id()),
                        assign_ipv6_address_on_creation: s.assign_ipv6_address_on_creation().unwrap_or(false),
                        enable_dns64: s.enable_dns64().unwrap_or(false),
                        enable_resource_name_dns_a_record_on_launch: dns
                            .and_then(|d| d.enable_resource_name_dns_a_record())
                            .unwrap_or(false),
                        enable_resource_name_dns_aaaa_record_on_launch: dns
                            .and_then(|d| d.enable_resource_name_dns_aaaa_record())
                            .unwrap_or(false),
                        private_dns_hostname_type_on_launch: text(
                            dns.and_then(|d| d.hostname_type()).map(|t| t.as_str()),
                        ),
                        ipv6_cidr_block: text(ipv6.and_then(|a| a.ipv6_cidr_block())),
                        ipv6_cidr_block_association_id: text(ipv6.and_then(|a| a.association_id())),
                        ipv6_native: s.ipv6_native().unwrap_or(false),
                        customer_owned_ipv4_pool: text(s.customer_owned_ipv4_pool()),
                        map_customer_owned_ip_on_launch: s.map_customer_owned_ip_on_launch(),
                        outpost_arn: text(s.outpost_arn()),
                        enable_lni_at_device_index: s.enable_lni_at_device_index().map(i64::from),
                        tags: cur.tags.read_back(c, &tag_map(s.tags())),
                        timeouts: cur.timeouts,
                    }
                    .to_value(),
                ))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (SubnetObject::from_stub(prior)?, SubnetObject::from_value(planned)?);
        let id = prior.id.clone().unwrap_or_default();
        // As hashicorp/aws: a new IPv6 block is associated before IPv6 addresses are switched
        // on, and they are switched off before the block is removed.
        let block_changes = prior.ipv6_cidr_block != planned.ipv6_cidr_block;
        if block_changes && prior.assign_ipv6_address_on_creation && !planned.assign_ipv6_address_on_creation {
            set_attribute(c, &id, "assign_ipv6_address_on_creation", false, None).await?;
        }
        if block_changes {
            let association = prior.ipv6_cidr_block_association_id.as_deref();
            change_ipv6_block(c, &id, association, planned.ipv6_cidr_block.clone()).await?;
        }
        for ((name, want), (_, had)) in planned.flags().into_iter().zip(prior.flags()) {
            if had != want {
                set_attribute(c, &id, name, want, None).await?;
            }
        }
        let hostname = &planned.private_dns_hostname_type_on_launch;
        if hostname.is_some() && *hostname != prior.private_dns_hostname_type_on_launch {
            set_attribute(c, &id, "private_dns_hostname_type_on_launch", false, hostname.clone()).await?;
        }
        update_tags(&c.clients.ec2, &id, &prior.tags.wanted(), &planned.tags.wanted()).await?;
        self.read_one(c, &id, &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = SubnetObject::from_stub(prior)?;
        let id = prior.id.unwrap_or_default();
        // Instances and interfaces in the subnet may take a while to go: retry while AWS says
        // the subnet is still in use.
        retry_while_in_use(
            &format!("subnet {id} to be deleted"),
            limit(&prior.timeouts, Op::Delete, Duration::from_secs(20 * 60)),
            &format!("deleting subnet {id}"),
            dependency_violation,
            || c.clients.ec2.delete_subnet().subnet_id(&id).send(),
        )
        .await
    }
}
