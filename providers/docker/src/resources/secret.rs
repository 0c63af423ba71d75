//! `docker_secret`: immutable; any change replaces it. With `create_before_destroy` a rotation
//! creates the new secret, moves the services to it, and only then removes the old one.

use super::blob::{self, Kind};
use crate::resource::{Ctx, ResourceType, Result};
use async_trait::async_trait;
use std::collections::HashMap;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct Secret;

#[async_trait]
impl ResourceType for Secret {
    fn name(&self) -> &'static str {
        "docker_secret"
    }

    fn schema(&self) -> Schema {
        Kind::Secret.schema()
    }

    /// kreuzwerker/docker's version 1 (its version 0 had `labels` as a map).
    fn schema_version(&self) -> u64 {
        1
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        blob::check_data(Kind::Secret, config)
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let id = blob::create(Kind::Secret, c, planned).await?;
        let mut stub = planned.clone();
        stub.set_at_path(&[terrane_engine::value::PathStep::Attr("id".into())], Value::from(id.as_str()));
        blob::read_many(Kind::Secret, c, &[stub])
            .await
            .pop()
            .unwrap_or(Ok(None))?
            .ok_or_else(|| ProviderError::new(format!("secret {id} disappeared after creation")))
    }

    async fn ids_labelled(&self, c: &Ctx<'_>, filter: HashMap<String, Vec<String>>) -> Result<Vec<String>> {
        blob::ids_labelled(Kind::Secret, c, filter).await
    }

    async fn named(&self, c: &Ctx<'_>, name: &str) -> Result<Vec<crate::resource::Named>> {
        blob::named(Kind::Secret, c, name).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        blob::read_many(Kind::Secret, c, current).await
    }

    async fn update(&self, _c: &Ctx<'_>, _prior: &Value, planned: &Value) -> Result<Value> {
        // Every argument forces replacement.
        Ok(planned.clone())
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        blob::delete(Kind::Secret, c, prior).await
    }
}
