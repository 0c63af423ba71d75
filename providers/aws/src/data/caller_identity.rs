//! `data "aws_caller_identity"`

use crate::errors::sdk_error;
use crate::resource::{Ctx, DataSourceType, Result};
use async_trait::async_trait;
use terrane_engine::model::Model;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct CallerIdentity;

/// A `data "aws_caller_identity"` object.
#[derive(Model, Clone, Debug, Default)]
struct CallerIdentityObject {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    account_id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(computed)]
    user_id: Option<String>,
}

#[async_trait]
impl DataSourceType for CallerIdentity {
    fn name(&self) -> &'static str {
        "aws_caller_identity"
    }

    fn schema(&self) -> Schema {
        CallerIdentityObject::schema()
    }

    async fn read(&self, c: &Ctx<'_>, _config: &Value) -> Result<Value> {
        let out = c
            .clients
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| sdk_error("reading the caller identity", e))?;
        Ok(CallerIdentityObject {
            id: out.account().map(str::to_string),
            account_id: out.account().map(str::to_string),
            arn: out.arn().map(str::to_string),
            user_id: out.user_id().map(str::to_string),
        }
        .to_value())
    }
}
