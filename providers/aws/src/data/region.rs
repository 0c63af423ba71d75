//! `data "aws_region"`

use crate::resource::{Ctx, DataSourceType, Result};
use crate::val;
use async_trait::async_trait;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub struct Region;

#[async_trait]
impl DataSourceType for Region {
    fn name(&self) -> &'static str {
        "aws_region"
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("name", Attribute::optional_computed(Type::String))
            .attr("endpoint", Attribute::computed(Type::String))
            .attr("description", Attribute::computed(Type::String))
    }

    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value> {
        let name = val::string(config, "name").unwrap_or_else(|| c.clients.region.clone());
        Ok(Value::object([
            ("id", Value::from(name.as_str())),
            ("name", Value::from(name.as_str())),
            ("endpoint", Value::from(format!("ec2.{name}.amazonaws.com"))),
            ("description", Value::from(name.as_str())),
        ]))
    }
}
