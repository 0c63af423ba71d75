//! `data "aws_vpc"`

use super::Filter;
use crate::ec2::tag_map;
use crate::errors::sdk_error;
use crate::model::{Object, ReadTimeouts};
use crate::resource::{Ctx, DataSourceType, Result};
use crate::resources::vpc::{ATTRIBUTES, get_attribute};
use async_trait::async_trait;
use std::collections::BTreeMap;
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct Vpc;

/// A `data "aws_vpc"` object.
#[derive(Model, Clone, Debug, Default)]
struct VpcObject {
    #[model(optional, computed)]
    id: Option<String>,
    #[model(optional, computed)]
    default: Option<bool>,
    #[model(optional, computed)]
    cidr_block: Option<String>,
    #[model(optional, computed)]
    tags: Option<BTreeMap<String, String>>,
    #[model(computed)]
    arn: Option<String>,
    #[model(computed)]
    owner_id: Option<String>,
    #[model(optional, computed)]
    state: Option<String>,
    #[model(optional, computed)]
    dhcp_options_id: Option<String>,
    #[model(computed)]
    enable_dns_hostnames: Option<bool>,
    #[model(computed)]
    enable_dns_support: Option<bool>,
    #[model(computed)]
    enable_network_address_usage_metrics: Option<bool>,
    #[model(computed)]
    instance_tenancy: Option<String>,
    #[model(computed)]
    ipv6_association_id: Option<String>,
    #[model(computed)]
    ipv6_cidr_block: Option<String>,
    #[model(computed)]
    main_route_table_id: Option<String>,
    #[model(computed)]
    cidr_block_associations: Option<Vec<Object<CidrBlockAssociation>>>,
    #[model(block = "set")]
    filter: Vec<Filter>,
    #[model(block = "single")]
    timeouts: Option<ReadTimeouts>,
}

/// An element of `cidr_block_associations`.
#[derive(Model, Clone, Debug, Default)]
struct CidrBlockAssociation {
    #[model(computed)]
    association_id: Option<String>,
    #[model(computed)]
    cidr_block: Option<String>,
    #[model(computed)]
    state: Option<String>,
}

#[async_trait]
impl DataSourceType for Vpc {
    fn name(&self) -> &'static str {
        "aws_vpc"
    }

    fn schema(&self) -> Schema {
        VpcObject::schema()
    }

    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value> {
        let config = VpcObject::from_value(config)?;
        let mut req = c.clients.ec2.describe_vpcs().set_filters(Some(super::filters(&config.filter)));
        if let Some(id) = &config.id {
            req = req.vpc_ids(id);
        }
        if let Some(d) = config.default {
            req = req.filters(crate::ec2::filter("is-default", [d.to_string()]));
        }
        if let Some(d) = &config.dhcp_options_id {
            req = req.filters(crate::ec2::filter("dhcp-options-id", [d]));
        }
        if let Some(s) = &config.state {
            req = req.filters(crate::ec2::filter("state", [s]));
        }
        if let Some(cidr) = &config.cidr_block {
            req = req.filters(crate::ec2::filter("cidr", [cidr]));
        }
        for (k, v) in config.tags.iter().flatten() {
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
        let mut flags = [false; 3];
        for (flag, (_, name)) in flags.iter_mut().zip(&ATTRIBUTES) {
            *flag = get_attribute(c, id, name.clone()).await?.unwrap_or(false);
        }
        let [dns_support, dns_hostnames, usage_metrics] = flags;
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
        let associations = vpc
            .cidr_block_association_set()
            .iter()
            .map(|a| {
                Object(CidrBlockAssociation {
                    association_id: Some(a.association_id().unwrap_or_default().to_string()),
                    cidr_block: Some(a.cidr_block().unwrap_or_default().to_string()),
                    state: Some(
                        a.cidr_block_state()
                            .and_then(|s| s.state())
                            .map(|s| s.as_str())
                            .unwrap_or_default()
                            .to_string(),
                    ),
                })
            })
            .collect();
        // As hashicorp/aws: the first IPv6 block, whatever its state.
        let ipv6 = vpc.ipv6_cidr_block_association_set().first();
        let text = |s: Option<&str>| s.map(str::to_string);
        Ok(VpcObject {
            dhcp_options_id: text(vpc.dhcp_options_id()),
            enable_dns_support: Some(dns_support),
            enable_dns_hostnames: Some(dns_hostnames),
            enable_network_address_usage_metrics: Some(usage_metrics),
            instance_tenancy: text(vpc.instance_tenancy().map(|t| t.as_str())),
            ipv6_association_id: text(ipv6.and_then(|a| a.association_id())),
            ipv6_cidr_block: text(ipv6.and_then(|a| a.ipv6_cidr_block())),
            main_route_table_id: main_route_table,
            cidr_block_associations: Some(associations),
            id: Some(id.to_string()),
            default: Some(vpc.is_default().unwrap_or(false)),
            cidr_block: text(vpc.cidr_block()),
            tags: Some(crate::tags::visible(&tag_map(vpc.tags()))),
            arn: Some(format!("arn:aws:ec2:{}:{owner}:vpc/{id}", c.clients.region)),
            owner_id: Some(owner.to_string()),
            state: text(vpc.state().map(|s| s.as_str())),
            ..config
        }
        .to_value())
    }
}
