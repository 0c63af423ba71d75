//! `data "aws_availability_zones"`

use super::Filter;
use crate::errors::sdk_error;
use crate::model::ReadTimeouts;
use crate::resource::{Ctx, DataSourceType, Result};
use async_trait::async_trait;
use std::collections::BTreeSet;
use terrane_engine::model::Model;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct AvailabilityZones;

/// A `data "aws_availability_zones"` object.
#[derive(Model, Clone, Debug, Default)]
struct AvailabilityZonesObject {
    #[model(computed)]
    id: Option<String>,
    #[model(optional)]
    state: Option<String>,
    #[model(optional)]
    all_availability_zones: Option<bool>,
    #[model(optional)]
    exclude_names: Option<BTreeSet<String>>,
    #[model(optional)]
    exclude_zone_ids: Option<BTreeSet<String>>,
    #[model(computed)]
    names: Option<Vec<String>>,
    #[model(computed)]
    zone_ids: Option<Vec<String>>,
    #[model(computed)]
    group_names: Option<BTreeSet<String>>,
    #[model(block = "set")]
    filter: Vec<Filter>,
    #[model(block = "single")]
    timeouts: Option<ReadTimeouts>,
}

#[async_trait]
impl DataSourceType for AvailabilityZones {
    fn name(&self) -> &'static str {
        "aws_availability_zones"
    }

    fn schema(&self) -> Schema {
        AvailabilityZonesObject::schema()
    }

    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value> {
        let config = AvailabilityZonesObject::from_value(config)?;
        let mut req = c.clients.ec2.describe_availability_zones().set_filters(Some(super::filters(&config.filter)));
        if let Some(all) = config.all_availability_zones {
            req = req.all_availability_zones(all);
        }
        if let Some(state) = &config.state {
            req = req.filters(crate::ec2::filter("state", [state]));
        }
        let out = req.send().await.map_err(|e| sdk_error("reading availability zones", e))?;
        let excluded = |list: &Option<BTreeSet<String>>, v: Option<&str>| {
            v.is_some_and(|v| list.as_ref().is_some_and(|l| l.contains(v)))
        };
        let mut zones: Vec<_> = out
            .availability_zones()
            .iter()
            .filter(|z| !excluded(&config.exclude_names, z.zone_name()))
            .filter(|z| !excluded(&config.exclude_zone_ids, z.zone_id()))
            .collect();
        zones.sort_by(|a, b| a.zone_name().cmp(&b.zone_name()));
        let names = zones.iter().filter_map(|z| z.zone_name().map(str::to_string)).collect();
        let ids = zones.iter().filter_map(|z| z.zone_id().map(str::to_string)).collect();
        let groups = zones.iter().filter_map(|z| z.group_name().map(str::to_string)).collect();
        Ok(AvailabilityZonesObject {
            id: Some(c.clients.region.clone()),
            names: Some(names),
            zone_ids: Some(ids),
            group_names: Some(groups),
            ..config
        }
        .to_value())
    }
}
