//! `data "aws_vpc"`

use crate::ec2::tag_map;
use crate::errors::sdk_error;
use crate::resource::{Ctx, DataSourceType, Result};
use crate::resources::vpc::{ATTRIBUTES, get_attribute};
use crate::val;
use async_trait::async_trait;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct Vpc;

fn cidr_block_association_type() -> Type {
    Type::object_from([("association_id", Type::String), ("cidr_block", Type::String), ("state", Type::String)])
}

#[async_trait]
impl DataSourceType for Vpc {
    fn name(&self) -> &'static str {
        "aws_vpc"
    }

    fn schema(&self) -> Schema {
        let s = super::with_filters(
            Schema::new()
                .attr("id", Attribute::optional_computed(Type::String))
                .attr("default", Attribute::optional_computed(Type::Bool))
                .attr("cidr_block", Attribute::optional_computed(Type::String))
                .attr("tags", Attribute::optional_computed(Type::map(Type::String)))
                .attr("arn", Attribute::computed(Type::String))
                .attr("owner_id", Attribute::computed(Type::String))
                .attr("state", Attribute::optional_computed(Type::String))
                .attr("dhcp_options_id", Attribute::optional_computed(Type::String))
                .attr("enable_dns_hostnames", Attribute::computed(Type::Bool))
                .attr("enable_dns_support", Attribute::computed(Type::Bool))
                .attr("enable_network_address_usage_metrics", Attribute::computed(Type::Bool))
                .attr("instance_tenancy", Attribute::computed(Type::String))
                .attr("ipv6_association_id", Attribute::computed(Type::String))
                .attr("ipv6_cidr_block", Attribute::computed(Type::String))
                .attr("main_route_table_id", Attribute::computed(Type::String))
                .attr("cidr_block_associations", Attribute::computed(Type::list(cidr_block_association_type()))),
        );
        crate::resource::with_timeouts(s, &["read"])
    }

    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value> {
        let mut req = c.clients.ec2.describe_vpcs().set_filters(Some(super::filters(config)));
        if let Some(id) = val::string(config, "id") {
            req = req.vpc_ids(id);
        }
        if let Some(d) = val::boolean(config, "default") {
            req = req.filters(crate::ec2::filter("is-default", [d.to_string()]));
        }
        if let Some(d) = val::string(config, "dhcp_options_id") {
            req = req.filters(crate::ec2::filter("dhcp-options-id", [d]));
        }
        if let Some(s) = val::string(config, "state") {
            req = req.filters(crate::ec2::filter("state", [s]));
        }
        if let Some(cidr) = val::string(config, "cidr_block") {
            req = req.filters(crate::ec2::filter("cidr", [cidr]));
        }
        for (k, v) in val::string_map(config, "tags") {
            req = req.filters(crate::ec2::filter(&format!("tag:{k}"), [v]));
        }
        let out = req.send().await.map_err(|e| sdk_error("reading VPCs", e))?;
        let vpcs = out.vpcs();
        let vpc = match vpcs {
            [one] => one,
            [] => return Err(ProviderError::new("no matching VPC found")),
            _ => {
                return Err(ProviderError::new(format!(
                    "{} VPCs matched; use additional constraints to reduce matches to a single VPC",
                    vpcs.len()
                )));
            }
        };
        let id = vpc.vpc_id().unwrap_or_default();
        let owner = vpc.owner_id().unwrap_or_default();
        let mut flags = Vec::with_capacity(ATTRIBUTES.len());
        for (_, name) in &ATTRIBUTES {
            flags.push(Value::Bool(get_attribute(c, id, name.clone()).await?.unwrap_or(false)));
        }
        let main_route_table = c
            .clients
            .ec2
            .describe_route_tables()
            .filters(crate::ec2::filter("vpc-id", [id]))
            .filters(crate::ec2::filter("association.main", ["true"]))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading the main route table of VPC {id}"), e))?
            .route_tables()
            .first()
            .and_then(|rt| rt.route_table_id())
            .map(str::to_string);
        let associations: Vec<Value> = vpc
            .cidr_block_association_set()
            .iter()
            .map(|a| {
                Value::object([
                    ("association_id", Value::from(a.association_id().unwrap_or_default())),
                    ("cidr_block", Value::from(a.cidr_block().unwrap_or_default())),
                    (
                        "state",
                        Value::from(
                            a.cidr_block_state().and_then(|s| s.state()).map(|s| s.as_str()).unwrap_or_default(),
                        ),
                    ),
                ])
            })
            .collect();
        // As hashicorp/aws: the first IPv6 block, whatever its state.
        let ipv6 = vpc.ipv6_cidr_block_association_set().first();
        let [dns_support, dns_hostnames, usage_metrics] = <[Value; 3]>::try_from(flags).expect("three attributes");
        let mut v = config.clone();
        for (k, x) in [
            ("dhcp_options_id", val::opt_str(vpc.dhcp_options_id())),
            ("enable_dns_support", dns_support),
            ("enable_dns_hostnames", dns_hostnames),
            ("enable_network_address_usage_metrics", usage_metrics),
            ("instance_tenancy", val::opt_str(vpc.instance_tenancy().map(|t| t.as_str()))),
            ("ipv6_association_id", val::opt_str(ipv6.and_then(|a| a.association_id()))),
            ("ipv6_cidr_block", val::opt_str(ipv6.and_then(|a| a.ipv6_cidr_block()))),
            ("main_route_table_id", val::opt_str(main_route_table.as_deref())),
            ("cidr_block_associations", Value::list(cidr_block_association_type(), associations)),
            ("id", Value::from(id)),
            ("default", Value::Bool(vpc.is_default().unwrap_or(false))),
            ("cidr_block", val::opt_str(vpc.cidr_block())),
            ("tags", val::str_map(&crate::tags::visible(&tag_map(vpc.tags())))),
            ("arn", Value::from(format!("arn:aws:ec2:{}:{owner}:vpc/{id}", c.clients.region))),
            ("owner_id", Value::from(owner)),
            ("state", val::opt_str(vpc.state().map(|s| s.as_str()))),
        ] {
            v.set_at_path(&[PathStep::Attr(k.into())], x);
        }
        Ok(v)
    }
}
