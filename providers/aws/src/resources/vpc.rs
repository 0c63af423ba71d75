//! `aws_vpc`

use crate::ec2::{FILTER_PAGE, filter, tag_map, tag_spec, update_tags};
use crate::errors::sdk_error;
use crate::model::Tags;
use crate::resource::{Ctx, Refused, ResourceType, Result, chunks};
use crate::val;
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, ResourceType as Rt, Tenancy, VpcAttributeName, VpcCidrBlockStateCode,
    VpcIpv6CidrBlockAssociation,
};
use std::collections::{BTreeMap, HashMap};
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct Vpc;

/// An `aws_vpc` object.
#[derive(Model, Clone, Debug, Default)]
struct VpcObject {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(optional, computed, force_new)]
    cidr_block: Option<String>,
    #[model(optional, default = "default", force_new)]
    instance_tenancy: Option<String>,
    #[model(optional, default = true)]
    enable_dns_support: Option<bool>,
    #[model(optional, computed)]
    enable_dns_hostnames: Option<bool>,
    #[model(computed)]
    main_route_table_id: Option<String>,
    #[model(computed)]
    default_route_table_id: Option<String>,
    #[model(computed)]
    default_security_group_id: Option<String>,
    #[model(computed)]
    default_network_acl_id: Option<String>,
    #[model(computed)]
    dhcp_options_id: Option<String>,
    #[model(computed)]
    owner_id: Option<String>,
    #[model(optional, computed)]
    enable_network_address_usage_metrics: Option<bool>,
    #[model(optional)]
    assign_generated_ipv6_cidr_block: Option<bool>,
    #[model(optional, computed)]
    ipv6_cidr_block_network_border_group: Option<String>,
    #[model(computed)]
    ipv6_association_id: Option<String>,
    #[model(optional, computed)]
    ipv6_cidr_block: Option<String>,
    #[model(optional, force_new)]
    ipv4_ipam_pool_id: Option<String>,
    #[model(optional, force_new)]
    ipv4_netmask_length: Option<i64>,
    #[model(optional)]
    ipv6_ipam_pool_id: Option<String>,
    #[model(optional)]
    ipv6_netmask_length: Option<i64>,
    #[model(flatten)]
    tags: Tags,
}

impl VpcObject {
    /// The three boolean attributes, in the order of [`ATTRIBUTES`].
    fn flags(&self) -> [Option<bool>; 3] {
        [self.enable_dns_support, self.enable_dns_hostnames, self.enable_network_address_usage_metrics]
    }

    fn assigns_ipv6(&self) -> bool {
        self.assign_generated_ipv6_cidr_block == Some(true)
    }
}

const IPAM: &str = "it allocates the VPC's addresses from an AWS IPAM pool, and terrane's test environment (moto) has no IPAM to prove that against. Use cidr_block (and assign_generated_ipv6_cidr_block for IPv6).";

static REFUSED: &[Refused] = &[
    Refused { name: "ipv4_ipam_pool_id", why: IPAM },
    Refused { name: "ipv4_netmask_length", why: IPAM },
    Refused { name: "ipv6_ipam_pool_id", why: IPAM },
    Refused { name: "ipv6_netmask_length", why: IPAM },
];

/// The VPC's IPv6 block as hashicorp/aws picks it: the associated one with the recorded
/// association ID, else the last associated one.
fn ipv6_association<'v>(
    vpc: &'v aws_sdk_ec2::types::Vpc,
    recorded: Option<&str>,
) -> Option<&'v VpcIpv6CidrBlockAssociation> {
    let associated = || {
        vpc.ipv6_cidr_block_association_set()
            .iter()
            .filter(|a| a.ipv6_cidr_block_state().and_then(|s| s.state()) == Some(&VpcCidrBlockStateCode::Associated))
    };
    recorded.and_then(|id| associated().find(|a| a.association_id() == Some(id))).or_else(|| associated().next_back())
}

/// Replaces the VPC's Amazon-provided IPv6 block (`assign` and the border group), as
/// hashicorp/aws does: the old association is removed, a new one requested and waited for.
async fn reassociate_ipv6(
    c: &Ctx<'_>,
    id: &str,
    old: Option<&str>,
    assign: bool,
    border_group: Option<String>,
) -> Result<()> {
    if let Some(old) = old.filter(|o| !o.is_empty()) {
        c.clients
            .ec2
            .disassociate_vpc_cidr_block()
            .association_id(old)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("removing IPv6 CIDR block {old} from VPC {id}"), e))?;
    }
    if assign {
        c.clients
            .ec2
            .associate_vpc_cidr_block()
            .vpc_id(id)
            .amazon_provided_ipv6_cidr_block(true)
            .set_ipv6_cidr_block_network_border_group(border_group)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("requesting an IPv6 CIDR block for VPC {id}"), e))?;
    }
    Ok(())
}

/// The three boolean attributes, each with its argument.
pub(crate) const ATTRIBUTES: [(&str, VpcAttributeName); 3] = [
    ("enable_dns_support", VpcAttributeName::EnableDnsSupport),
    ("enable_dns_hostnames", VpcAttributeName::EnableDnsHostnames),
    ("enable_network_address_usage_metrics", VpcAttributeName::EnableNetworkAddressUsageMetrics),
];

async fn set_attribute(c: &Ctx<'_>, id: &str, name: VpcAttributeName, value: bool) -> Result<()> {
    let v = AttributeBooleanValue::builder().value(value).build();
    let req = c.clients.ec2.modify_vpc_attribute().vpc_id(id);
    let req = match name {
        VpcAttributeName::EnableDnsSupport => req.enable_dns_support(v),
        VpcAttributeName::EnableNetworkAddressUsageMetrics => req.enable_network_address_usage_metrics(v),
        _ => req.enable_dns_hostnames(v),
    };
    req.send().await.map_err(|e| sdk_error(&format!("setting {name} on VPC {id}"), e))?;
    Ok(())
}

pub(crate) async fn get_attribute(c: &Ctx<'_>, id: &str, name: VpcAttributeName) -> Result<Option<bool>> {
    let out = c
        .clients
        .ec2
        .describe_vpc_attribute()
        .vpc_id(id)
        .attribute(name.clone())
        .send()
        .await
        .map_err(|e| sdk_error(&format!("reading {name} of VPC {id}"), e))?;
    Ok(match name {
        VpcAttributeName::EnableDnsSupport => out.enable_dns_support().and_then(|a| a.value()),
        VpcAttributeName::EnableNetworkAddressUsageMetrics => {
            out.enable_network_address_usage_metrics().and_then(|a| a.value())
        }
        _ => out.enable_dns_hostnames().and_then(|a| a.value()),
    })
}

#[async_trait]
impl ResourceType for Vpc {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::Ec2("id"))
    }

    fn name(&self) -> &'static str {
        "aws_vpc"
    }
    /// hashicorp/aws's schema version: state is stored in that version's shape.
    fn schema_version(&self) -> u64 {
        1
    }
    fn state_upgrades(&self) -> crate::upgrade::Upgrades {
        // vpc_.go: `MigrateState: vpcMigrateState`.
        crate::upgrade::Upgrades::migrate(crate::upgrade::vpc_migrate)
    }

    fn schema(&self) -> Schema {
        VpcObject::schema()
    }

    fn refused(&self) -> &'static [Refused] {
        REFUSED
    }

    fn validate(&self, config: &Value) -> Vec<terrane_engine::diag::Diagnostic> {
        let set = |k: &str| config.get_attr(k).is_some_and(|v| !v.is_null());
        let mut out = Vec::new();
        if set("ipv6_cidr_block") && !set("ipv6_ipam_pool_id") {
            out.push(crate::resource::invalid(
                "Missing required argument",
                "\"ipv6_cidr_block\": all of `ipv6_cidr_block,ipv6_ipam_pool_id` must be specified",
            ));
        }
        if set("ipv6_cidr_block_network_border_group") && !set("assign_generated_ipv6_cidr_block") {
            out.push(crate::resource::invalid(
                "Missing required argument",
                "\"ipv6_cidr_block_network_border_group\": all of `assign_generated_ipv6_cidr_block,ipv6_cidr_block_network_border_group` must be specified",
            ));
        }
        out
    }

    /// A change of `assign_generated_ipv6_cidr_block` gives a new IPv6 block: its CIDR and
    /// association are known after the apply (hashicorp/aws's CustomizeDiff).
    fn customize_plan(&self, prior: Option<&Value>, _config: &Value, plan: &mut PlanResponse) {
        let Some(prior) = prior.filter(|_| plan.requires_replace.is_empty()) else { return };
        let assign = |v: &Value| val::boolean(v, "assign_generated_ipv6_cidr_block").unwrap_or(false);
        if assign(prior) != assign(&plan.planned) {
            for k in ["ipv6_association_id", "ipv6_cidr_block"] {
                plan.planned.set_at_path(&[PathStep::Attr(k.into())], Value::unknown(Type::String));
            }
        }
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = VpcObject::from_value(planned)?;
        let tags = planned.tags.at_create(c);
        let mut req = c
            .clients
            .ec2
            .create_vpc()
            .set_tag_specifications(tag_spec(Rt::Vpc, &tags).map(|t| vec![t]))
            .set_cidr_block(planned.cidr_block.clone())
            .set_instance_tenancy(planned.instance_tenancy.as_deref().map(Tenancy::from));
        if planned.assigns_ipv6() {
            req = req
                .amazon_provided_ipv6_cidr_block(true)
                .set_ipv6_cidr_block_network_border_group(planned.ipv6_cidr_block_network_border_group.clone());
        }
        let out = req.send().await.map_err(|e| sdk_error("creating VPC", e))?;
        let id = out
            .vpc()
            .and_then(|v| v.vpc_id())
            .ok_or_else(|| ProviderError::new("creating VPC: no VPC ID in the response"))?
            .to_string();
        let partial = || VpcObject { id: Some(id.clone()), ..VpcObject::default() }.to_value();
        if planned.enable_dns_support == Some(false) {
            set_attribute(c, &id, VpcAttributeName::EnableDnsSupport, false)
                .await
                .map_err(|e| e.with_partial_state(partial()))?;
        }
        for ((_, name), want) in ATTRIBUTES.iter().zip(planned.flags()).skip(1) {
            if want == Some(true) {
                set_attribute(c, &id, name.clone(), true).await.map_err(|e| e.with_partial_state(partial()))?;
            }
        }
        let stub = VpcObject { id: Some(id.clone()), tags: planned.tags.clone(), ..VpcObject::default() };
        match crate::resource::read_stub(self, c, stub.to_value()).await {
            Ok(Some(v)) => Ok(v),
            Err(e) => Err(e.with_partial_state(partial())),
            Ok(None) => Err(ProviderError::new(format!("VPC {id} disappeared right after it was created"))
                .with_partial_state(partial())),
        }
    }

    /// Found by the token tag its create gave it (CreateVpc TagSpecifications).
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let Some(id) = crate::ec2::find_by_token(c, "vpc").await? else { return Ok(None) };
        crate::resource::read_stub(self, c, crate::resource::with_id(planned, &id)).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let ids: Vec<String> = current.iter().map(val::id).collect();
        let mut found = HashMap::new();
        for page in chunks(&ids, FILTER_PAGE) {
            let vpcs = match c
                .clients
                .ec2
                .describe_vpcs()
                .filters(filter("vpc-id", page.clone()))
                .into_paginator()
                .items()
                .send()
                .collect::<Vec<_>>()
                .await
                .into_iter()
                .collect::<std::result::Result<Vec<_>, _>>()
            {
                Ok(v) => v,
                Err(e) => {
                    let msg = crate::errors::describe("reading VPCs", &e);
                    return current.iter().map(|_| Err(ProviderError::new(msg.clone()))).collect();
                }
            };
            // Main route tables, default security groups and network ACLs: one call each.
            let rts = c
                .clients
                .ec2
                .describe_route_tables()
                .filters(filter("vpc-id", page.clone()))
                .filters(filter("association.main", ["true"]))
                .send()
                .await;
            let sgs = c
                .clients
                .ec2
                .describe_security_groups()
                .filters(filter("vpc-id", page.clone()))
                .filters(filter("group-name", ["default"]))
                .send()
                .await;
            let acls = c
                .clients
                .ec2
                .describe_network_acls()
                .filters(filter("vpc-id", page.clone()))
                .filters(filter("default", ["true"]))
                .send()
                .await;
            let mut main_rt = BTreeMap::new();
            if let Ok(o) = &rts {
                for rt in o.route_tables() {
                    if let (Some(v), Some(id)) = (rt.vpc_id(), rt.route_table_id()) {
                        main_rt.insert(v.to_string(), id.to_string());
                    }
                }
            }
            let mut default_sg = BTreeMap::new();
            if let Ok(o) = &sgs {
                for sg in o.security_groups() {
                    if let (Some(v), Some(id)) = (sg.vpc_id(), sg.group_id()) {
                        default_sg.insert(v.to_string(), id.to_string());
                    }
                }
            }
            let mut default_acl = BTreeMap::new();
            if let Ok(o) = &acls {
                for a in o.network_acls() {
                    if let (Some(v), Some(id)) = (a.vpc_id(), a.network_acl_id()) {
                        default_acl.insert(v.to_string(), id.to_string());
                    }
                }
            }
            for vpc in vpcs {
                let Some(id) = vpc.vpc_id().map(str::to_string) else { continue };
                found.insert(
                    id.clone(),
                    (vpc, main_rt.get(&id).cloned(), default_sg.get(&id).cloned(), default_acl.get(&id).cloned()),
                );
            }
        }
        let mut out = Vec::with_capacity(current.len());
        for cur in current {
            let cur = match VpcObject::from_stub(cur) {
                Ok(v) => v,
                Err(e) => {
                    out.push(Err(e.into()));
                    continue;
                }
            };
            let id = cur.id.clone().unwrap_or_default();
            let Some((vpc, main_rt, sg, acl)) = found.remove(&id) else {
                out.push(Ok(None));
                continue;
            };
            let mut flags = Vec::with_capacity(ATTRIBUTES.len());
            for (_, name) in &ATTRIBUTES {
                flags.push(get_attribute(c, &id, name.clone()).await);
            }
            let flags: Vec<Option<bool>> = match flags.into_iter().collect() {
                Ok(f) => f,
                Err(e) => {
                    out.push(Err(e));
                    continue;
                }
            };
            let ipv6 = ipv6_association(&vpc, cur.ipv6_association_id.as_deref());
            let owner = vpc.owner_id().unwrap_or_default().to_string();
            let text = |s: Option<&str>| s.map(str::to_string);
            let read = VpcObject {
                arn: Some(format!("arn:aws:ec2:{}:{owner}:vpc/{id}", c.clients.region)),
                cidr_block: text(vpc.cidr_block()),
                instance_tenancy: text(vpc.instance_tenancy().map(|t| t.as_str())),
                enable_dns_support: flags[0],
                enable_dns_hostnames: flags[1],
                enable_network_address_usage_metrics: flags[2],
                // (hashicorp/aws's state holds false when there is no IPv6 block.)
                assign_generated_ipv6_cidr_block: Some(ipv6.is_some_and(|a| a.ipv6_pool() == Some("Amazon"))),
                ipv6_association_id: text(ipv6.and_then(|a| a.association_id())),
                ipv6_cidr_block: text(ipv6.and_then(|a| a.ipv6_cidr_block())),
                ipv6_cidr_block_network_border_group: text(ipv6.and_then(|a| a.network_border_group())),
                main_route_table_id: main_rt.clone(),
                default_route_table_id: main_rt,
                default_security_group_id: sg,
                default_network_acl_id: acl,
                dhcp_options_id: text(vpc.dhcp_options_id()),
                owner_id: Some(owner),
                tags: cur.tags.read_back(c, &tag_map(vpc.tags())),
                id: Some(id),
                ..VpcObject::default()
            };
            out.push(Ok(Some(read.to_value())));
        }
        out
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (VpcObject::from_stub(prior)?, VpcObject::from_value(planned)?);
        let id = prior.id.clone().unwrap_or_default();
        for (((_, name), want), had) in ATTRIBUTES.iter().zip(planned.flags()).zip(prior.flags()) {
            if let Some(want) = want
                && Some(want) != had
            {
                set_attribute(c, &id, name.clone(), want).await?;
            }
        }
        let group = |v: &VpcObject| v.ipv6_cidr_block_network_border_group.clone();
        if prior.assigns_ipv6() != planned.assigns_ipv6()
            || (planned.assigns_ipv6() && group(&prior) != group(&planned) && group(&planned).is_some())
        {
            reassociate_ipv6(c, &id, prior.ipv6_association_id.as_deref(), planned.assigns_ipv6(), group(&planned))
                .await?;
        }
        update_tags(&c.clients.ec2, &id, &prior.tags.wanted(), &planned.tags.wanted()).await?;
        let stub = VpcObject { id: Some(id.clone()), tags: planned.tags.clone(), ..VpcObject::default() }.to_value();
        // The IPv6 block may take a moment to be associated.
        crate::waiter::wait_for(
            &format!("VPC {id}'s IPv6 CIDR block"),
            std::time::Duration::from_secs(300),
            || async {
                let v = crate::resource::read_stub(self, c, stub.clone()).await?;
                let has = v.as_ref().is_some_and(|v| val::string(v, "ipv6_cidr_block").is_some());
                Ok(if has == planned.assigns_ipv6() {
                    crate::waiter::Poll::Done(())
                } else {
                    crate::waiter::Poll::Pending("associating".into())
                })
            },
        )
        .await?;
        crate::resource::read_stub(self, c, stub)
            .await?
            .ok_or_else(|| ProviderError::new(format!("VPC {id} disappeared during the update")))
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let id = VpcObject::from_stub(prior)?.id.unwrap_or_default();
        match c.clients.ec2.delete_vpc().vpc_id(&id).send().await {
            Ok(_) => Ok(()),
            Err(e) if crate::errors::is_not_found(&e) => Ok(()),
            Err(e) => Err(sdk_error(&format!("deleting VPC {id}"), e)),
        }
    }
}
