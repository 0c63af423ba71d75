//! `aws_vpc`

use crate::ec2::{FILTER_PAGE, filter, tag_map, tag_spec, update_tags};
use crate::errors::sdk_error;
use crate::resource::{Ctx, ResourceType, Result, chunks, with_tags};
use crate::val::{self, Obj};
use async_trait::async_trait;
use aws_sdk_ec2::types::{AttributeBooleanValue, ResourceType as Rt, Tenancy, VpcAttributeName};
use std::collections::{BTreeMap, HashMap};
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub struct Vpc;

fn schema() -> Schema {
    with_tags(
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("arn", Attribute::computed(Type::String))
            .attr("cidr_block", Attribute::optional_computed(Type::String).force_new())
            .attr("instance_tenancy", Attribute::optional(Type::String).default("default").force_new())
            .attr("enable_dns_support", Attribute::optional(Type::Bool).default(true))
            .attr("enable_dns_hostnames", Attribute::optional_computed(Type::Bool))
            .attr("main_route_table_id", Attribute::computed(Type::String))
            .attr("default_route_table_id", Attribute::computed(Type::String))
            .attr("default_security_group_id", Attribute::computed(Type::String))
            .attr("default_network_acl_id", Attribute::computed(Type::String))
            .attr("dhcp_options_id", Attribute::computed(Type::String))
            .attr("owner_id", Attribute::computed(Type::String)),
    )
}

async fn set_attribute(c: &Ctx<'_>, id: &str, name: VpcAttributeName, value: bool) -> Result<()> {
    let v = AttributeBooleanValue::builder().value(value).build();
    let req = c.clients.ec2.modify_vpc_attribute().vpc_id(id);
    let req = match name {
        VpcAttributeName::EnableDnsSupport => req.enable_dns_support(v),
        _ => req.enable_dns_hostnames(v),
    };
    req.send().await.map_err(|e| sdk_error(&format!("setting {name} on VPC {id}"), e))?;
    Ok(())
}

async fn get_attribute(c: &Ctx<'_>, id: &str, name: VpcAttributeName) -> Result<Option<bool>> {
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

    fn schema(&self) -> Schema {
        schema()
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let tags = crate::tags::at_create(c, planned);
        let mut req = c.clients.ec2.create_vpc().set_tag_specifications(tag_spec(Rt::Vpc, &tags).map(|t| vec![t]));
        if let Some(cidr) = val::string(planned, "cidr_block") {
            req = req.cidr_block(cidr);
        }
        if let Some(t) = val::string(planned, "instance_tenancy") {
            req = req.instance_tenancy(Tenancy::from(t.as_str()));
        }
        let out = req.send().await.map_err(|e| sdk_error("creating VPC", e))?;
        let id = out
            .vpc()
            .and_then(|v| v.vpc_id())
            .ok_or_else(|| ProviderError::new("creating VPC: no VPC ID in the response"))?
            .to_string();
        let partial = || Value::object([("id", Value::from(id.as_str()))]);
        if val::boolean(planned, "enable_dns_support") == Some(false) {
            set_attribute(c, &id, VpcAttributeName::EnableDnsSupport, false)
                .await
                .map_err(|e| e.with_partial_state(partial()))?;
        }
        if val::boolean(planned, "enable_dns_hostnames") == Some(true) {
            set_attribute(c, &id, VpcAttributeName::EnableDnsHostnames, true)
                .await
                .map_err(|e| e.with_partial_state(partial()))?;
        }
        let stub = Value::object([
            ("id", Value::from(id.as_str())),
            ("tags", planned.get_attr("tags").cloned().unwrap_or_default()),
        ]);
        match self.read_many(c, &[stub]).await.pop() {
            Some(Ok(Some(v))) => Ok(v),
            Some(Err(e)) => Err(e.with_partial_state(partial())),
            _ => Err(ProviderError::new(format!("VPC {id} disappeared right after it was created"))
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
            let id = val::id(cur);
            let Some((vpc, main_rt, sg, acl)) = found.remove(&id) else {
                out.push(Ok(None));
                continue;
            };
            let dns_support = get_attribute(c, &id, VpcAttributeName::EnableDnsSupport).await;
            let dns_hostnames = get_attribute(c, &id, VpcAttributeName::EnableDnsHostnames).await;
            let (dns_support, dns_hostnames) = match (dns_support, dns_hostnames) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(e), _) | (_, Err(e)) => {
                    out.push(Err(e));
                    continue;
                }
            };
            let owner = vpc.owner_id().unwrap_or_default().to_string();
            let (tags, tags_all) = crate::tags::read_back(&tag_map(vpc.tags()), c.default_tags(), cur);
            let v = Obj::new(&schema())
                .set("id", id.as_str())
                .set("arn", format!("arn:aws:ec2:{}:{owner}:vpc/{id}", c.clients.region))
                .set("cidr_block", val::opt_str(vpc.cidr_block()))
                .set("instance_tenancy", val::opt_str(vpc.instance_tenancy().map(|t| t.as_str())))
                .set("enable_dns_support", val::opt_bool(dns_support))
                .set("enable_dns_hostnames", val::opt_bool(dns_hostnames))
                .set("main_route_table_id", val::opt_str(main_rt.as_deref()))
                .set("default_route_table_id", val::opt_str(main_rt.as_deref()))
                .set("default_security_group_id", val::opt_str(sg.as_deref()))
                .set("default_network_acl_id", val::opt_str(acl.as_deref()))
                .set("dhcp_options_id", val::opt_str(vpc.dhcp_options_id()))
                .set("owner_id", owner.as_str())
                .set("tags", tags)
                .set("tags_all", tags_all)
                .build();
            out.push(Ok(Some(v)));
        }
        out
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = val::id(prior);
        for (attr, name) in [
            ("enable_dns_support", VpcAttributeName::EnableDnsSupport),
            ("enable_dns_hostnames", VpcAttributeName::EnableDnsHostnames),
        ] {
            let want = val::boolean(planned, attr);
            if want.is_some() && want != val::boolean(prior, attr) {
                set_attribute(c, &id, name, want.unwrap_or_default()).await?;
            }
        }
        update_tags(&c.clients.ec2, &id, &val::string_map(prior, "tags_all"), &crate::tags::wanted(planned)).await?;
        let stub = Value::object([
            ("id", Value::from(id.as_str())),
            ("tags", planned.get_attr("tags").cloned().unwrap_or_default()),
        ]);
        self.read_many(c, &[stub])
            .await
            .pop()
            .unwrap_or(Ok(None))?
            .ok_or_else(|| ProviderError::new(format!("VPC {id} disappeared during the update")))
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let id = val::id(prior);
        match c.clients.ec2.delete_vpc().vpc_id(&id).send().await {
            Ok(_) => Ok(()),
            Err(e) if crate::errors::is_not_found(&e) => Ok(()),
            Err(e) => Err(sdk_error(&format!("deleting VPC {id}"), e)),
        }
    }
}
