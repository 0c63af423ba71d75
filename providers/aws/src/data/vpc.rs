//! `data "aws_vpc"`

use crate::ec2::tag_map;
use crate::errors::sdk_error;
use crate::resource::{Ctx, DataSourceType, Result};
use crate::val;
use async_trait::async_trait;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct Vpc;

#[async_trait]
impl DataSourceType for Vpc {
    fn name(&self) -> &'static str {
        "aws_vpc"
    }

    fn schema(&self) -> Schema {
        super::with_filters(
            Schema::new()
                .attr("id", Attribute::optional_computed(Type::String))
                .attr("default", Attribute::optional_computed(Type::Bool))
                .attr("cidr_block", Attribute::optional_computed(Type::String))
                .attr("tags", Attribute::optional_computed(Type::map(Type::String)))
                .attr("arn", Attribute::computed(Type::String))
                .attr("owner_id", Attribute::computed(Type::String))
                .attr("state", Attribute::optional_computed(Type::String)),
        )
    }

    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value> {
        let mut req = c.clients.ec2.describe_vpcs().set_filters(Some(super::filters(config)));
        if let Some(id) = val::string(config, "id") {
            req = req.vpc_ids(id);
        }
        if let Some(d) = val::boolean(config, "default") {
            req = req.filters(crate::ec2::filter("is-default", [d.to_string()]));
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
        let mut v = config.clone();
        for (k, x) in [
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
