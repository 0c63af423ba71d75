//! `data "aws_caller_identity"`

use crate::errors::sdk_error;
use crate::resource::{Ctx, DataSourceType, Result};
use crate::val;
use async_trait::async_trait;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub struct CallerIdentity;

#[async_trait]
impl DataSourceType for CallerIdentity {
    fn name(&self) -> &'static str {
        "aws_caller_identity"
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("account_id", Attribute::computed(Type::String))
            .attr("arn", Attribute::computed(Type::String))
            .attr("user_id", Attribute::computed(Type::String))
    }

    async fn read(&self, c: &Ctx<'_>, _config: &Value) -> Result<Value> {
        let out = c
            .clients
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| sdk_error("reading the caller identity", e))?;
        Ok(Value::object([
            ("id", val::opt_str(out.account())),
            ("account_id", val::opt_str(out.account())),
            ("arn", val::opt_str(out.arn())),
            ("user_id", val::opt_str(out.user_id())),
        ]))
    }
}
