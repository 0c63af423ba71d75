//! `data "aws_availability_zones"`

use crate::errors::sdk_error;
use crate::resource::{Ctx, DataSourceType, Result};
use crate::val;
use async_trait::async_trait;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub struct AvailabilityZones;

#[async_trait]
impl DataSourceType for AvailabilityZones {
    fn name(&self) -> &'static str {
        "aws_availability_zones"
    }

    fn schema(&self) -> Schema {
        let s = super::with_filters(
            Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("state", Attribute::optional(Type::String))
                .attr("all_availability_zones", Attribute::optional(Type::Bool))
                .attr("exclude_names", Attribute::optional(Type::set(Type::String)))
                .attr("exclude_zone_ids", Attribute::optional(Type::set(Type::String)))
                .attr("names", Attribute::computed(Type::list(Type::String)))
                .attr("zone_ids", Attribute::computed(Type::list(Type::String)))
                .attr("group_names", Attribute::computed(Type::set(Type::String))),
        );
        crate::resource::with_timeouts(s, &["read"])
    }

    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value> {
        let mut req = c.clients.ec2.describe_availability_zones().set_filters(Some(super::filters(config)));
        if let Some(all) = val::boolean(config, "all_availability_zones") {
            req = req.all_availability_zones(all);
        }
        if let Some(state) = val::string(config, "state") {
            req = req.filters(crate::ec2::filter("state", [state]));
        }
        let out = req.send().await.map_err(|e| sdk_error("reading availability zones", e))?;
        let exclude = val::strings(config, "exclude_names");
        let exclude_ids = val::strings(config, "exclude_zone_ids");
        let mut zones: Vec<_> = out
            .availability_zones()
            .iter()
            .filter(|z| !z.zone_name().is_some_and(|n| exclude.iter().any(|x| x == n)))
            .filter(|z| !z.zone_id().is_some_and(|n| exclude_ids.iter().any(|x| x == n)))
            .collect();
        zones.sort_by(|a, b| a.zone_name().cmp(&b.zone_name()));
        let names: Vec<String> = zones.iter().filter_map(|z| z.zone_name().map(str::to_string)).collect();
        let ids: Vec<String> = zones.iter().filter_map(|z| z.zone_id().map(str::to_string)).collect();
        let groups: Vec<String> = zones.iter().filter_map(|z| z.group_name().map(str::to_string)).collect();
        let mut v = config.clone();
        for (k, x) in [
            ("id", Value::from(c.clients.region.as_str())),
            ("names", val::strs(names)),
            ("zone_ids", val::strs(ids)),
            ("group_names", val::str_set(groups)),
        ] {
            v.set_at_path(&[terrane_engine::value::PathStep::Attr(k.into())], x);
        }
        Ok(v)
    }
}
