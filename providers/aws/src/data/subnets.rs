//! `data "aws_subnets"`

use crate::errors::sdk_error;
use crate::resource::{Ctx, DataSourceType, Result};
use crate::val;
use async_trait::async_trait;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct Subnets;

#[async_trait]
impl DataSourceType for Subnets {
    fn name(&self) -> &'static str {
        "aws_subnets"
    }

    fn schema(&self) -> Schema {
        let s = super::with_filters(
            Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("tags", Attribute::optional_computed(Type::map(Type::String)))
                .attr("ids", Attribute::computed(Type::list(Type::String))),
        );
        crate::resource::with_timeouts(s, &["read"])
    }

    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value> {
        let mut req = c.clients.ec2.describe_subnets().set_filters(Some(super::filters(config)));
        for (k, v) in val::string_map(config, "tags") {
            req = req.filters(crate::ec2::filter(&format!("tag:{k}"), [v]));
        }
        let subnets =
            req.into_paginator().items().send().try_collect().await.map_err(|e| sdk_error("reading subnets", e))?;
        let mut ids: Vec<String> = subnets.iter().filter_map(|s| s.subnet_id().map(str::to_string)).collect();
        ids.sort();
        let mut v = config.clone();
        v.set_at_path(&[PathStep::Attr("id".into())], Value::from(c.clients.region.as_str()));
        v.set_at_path(&[PathStep::Attr("ids".into())], val::strs(ids));
        Ok(v)
    }
}
