//! `data "aws_subnets"`

use super::Filter;
use crate::errors::sdk_error;
use crate::model::ReadTimeouts;
use crate::resource::{Ctx, DataSourceType, Result};
use async_trait::async_trait;
use std::collections::BTreeMap;
use terrane_engine::model::Model;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct Subnets;

/// A `data "aws_subnets"` object.
#[derive(Model, Clone, Debug, Default)]
struct SubnetsObject {
    #[model(computed)]
    id: Option<String>,
    #[model(optional, computed)]
    tags: Option<BTreeMap<String, String>>,
    #[model(computed)]
    ids: Option<Vec<String>>,
    #[model(block = "set")]
    filter: Vec<Filter>,
    #[model(block = "single")]
    timeouts: Option<ReadTimeouts>,
}

#[async_trait]
impl DataSourceType for Subnets {
    fn name(&self) -> &'static str {
        "aws_subnets"
    }

    fn schema(&self) -> Schema {
        SubnetsObject::schema()
    }

    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value> {
        let config = SubnetsObject::from_value(config)?;
        let mut req = c.clients.ec2.describe_subnets().set_filters(Some(super::filters(&config.filter)));
        for (k, v) in config.tags.iter().flatten() {
            req = req.filters(crate::ec2::filter(&format!("tag:{k}"), [v]));
        }
        let subnets =
            req.into_paginator().items().send().try_collect().await.map_err(|e| sdk_error("reading subnets", e))?;
        let mut ids: Vec<String> = subnets.iter().filter_map(|s| s.subnet_id().map(str::to_string)).collect();
        ids.sort();
        Ok(SubnetsObject { id: Some(c.clients.region.clone()), ids: Some(ids), ..config }.to_value())
    }
}
