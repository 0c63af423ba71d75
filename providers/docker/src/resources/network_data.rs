//! `data "docker_network"`: an existing network by name.

use crate::resource::{Ctx, DataSourceType, Result};
use async_trait::async_trait;
use terrane_engine::attrs as val;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub struct NetworkData;

#[async_trait]
impl DataSourceType for NetworkData {
    fn name(&self) -> &'static str {
        "docker_network"
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr("name", Attribute::required(Type::String))
            .attr("id", Attribute::computed(Type::String))
            .attr("driver", Attribute::computed(Type::String))
            .attr("scope", Attribute::computed(Type::String))
            .attr("internal", Attribute::computed(Type::Bool))
            .attr("options", Attribute::computed(Type::map(Type::String)))
            .attr(
                "ipam_config",
                Attribute::computed(Type::set(Type::object_from([
                    ("subnet", Type::String),
                    ("ip_range", Type::String),
                    ("gateway", Type::String),
                    ("aux_address", Type::map(Type::String)),
                ]))),
            )
    }

    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value> {
        let name = val::string(config, "name").unwrap_or_default();
        let all = super::network::list(c).await?;
        let found = all
            .iter()
            .find(|n| n.name.as_ref() == Some(&name) || n.id.as_ref() == Some(&name))
            .ok_or_else(|| ProviderError::new(format!("no network named {name:?}")))?;
        let n = super::network::from_json(&serde_json::to_value(found).unwrap_or_default(), &Value::NULL);
        Ok(Value::object([
            ("name", Value::from(name.as_str())),
            ("id", n.get_attr("id").cloned().unwrap_or_default()),
            ("driver", n.get_attr("driver").cloned().unwrap_or_default()),
            ("scope", n.get_attr("scope").cloned().unwrap_or_default()),
            ("internal", n.get_attr("internal").cloned().unwrap_or_default()),
            ("options", n.get_attr("options").cloned().unwrap_or_default()),
            ("ipam_config", n.get_attr("ipam_config").cloned().unwrap_or_default()),
        ]))
    }
}
