//! The built-in `terraform` provider: the `terraform_data` resource and the
//! `terraform_remote_state` data source.

mod remote_state;
mod terraform_data;

pub use remote_state::{BackendOpener, LocalOnly, local_backend};

use crate::provider::{Applied, MoveRequest, PlanRequest, PlanResponse, Provider, ProviderError, ProviderFactory};
use crate::schema::{ProviderSchema, ResourceSchema};
use crate::value::Value;
use std::sync::{Arc, LazyLock};

pub const SOURCE: &str = "terraform.io/builtin/terraform";

static SCHEMA: LazyLock<ProviderSchema> = LazyLock::new(|| {
    let mut s = ProviderSchema::default();
    s.resources.insert("terraform_data".into(), ResourceSchema::new(terraform_data::schema()));
    s.data_sources.insert("terraform_remote_state".into(), ResourceSchema::new(remote_state::schema()));
    s
});

/// Makes the `terraform` provider, reading remote state through `backends`.
pub struct TerraformFactory {
    pub backends: Arc<dyn BackendOpener>,
}

impl Default for TerraformFactory {
    /// The provider with the engine's own backends ([`LocalOnly`]).
    fn default() -> TerraformFactory {
        TerraformFactory { backends: Arc::new(LocalOnly) }
    }
}

impl ProviderFactory for TerraformFactory {
    fn source(&self) -> &str {
        SOURCE
    }
    fn new_instance(&self) -> Arc<dyn Provider> {
        Arc::new(TerraformProvider { backends: self.backends.clone() })
    }
}

pub struct TerraformProvider {
    backends: Arc<dyn BackendOpener>,
}

fn unsupported(type_name: &str) -> ProviderError {
    ProviderError::new(format!("the terraform provider has no resource type {type_name:?}"))
}

#[async_trait::async_trait]
impl Provider for TerraformProvider {
    fn schema(&self) -> &ProviderSchema {
        &SCHEMA
    }

    async fn configure(&self, _config: Value) -> Result<(), ProviderError> {
        Ok(())
    }

    async fn plan(&self, req: PlanRequest<'_>) -> Result<PlanResponse, ProviderError> {
        match req.type_name {
            "terraform_data" => Ok(terraform_data::plan(req.prior, req.config)),
            other => Err(unsupported(other)),
        }
    }

    async fn create(&self, type_name: &str, planned: Value) -> Result<Value, ProviderError> {
        match type_name {
            "terraform_data" => Ok(terraform_data::apply(planned, true)),
            other => Err(unsupported(other)),
        }
    }

    async fn read(&self, _type_name: &str, current: Value) -> Result<Option<Value>, ProviderError> {
        Ok(Some(current))
    }

    async fn read_many(&self, _type_name: &str, current: Vec<Value>) -> Vec<Result<Option<Value>, ProviderError>> {
        current.into_iter().map(|v| Ok(Some(v))).collect()
    }

    async fn update(&self, type_name: &str, _prior: Value, planned: Value) -> Result<Value, ProviderError> {
        match type_name {
            "terraform_data" => Ok(terraform_data::apply(planned, false)),
            other => Err(unsupported(other)),
        }
    }

    async fn delete(&self, _type_name: &str, _prior: Value) -> Result<(), ProviderError> {
        Ok(())
    }

    async fn import(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        match type_name {
            "terraform_data" => Ok(Value::object([
                ("id", Value::from(id)),
                ("input", Value::NULL),
                ("output", Value::NULL),
                ("triggers_replace", Value::NULL),
            ])),
            other => Err(unsupported(other)),
        }
    }

    fn can_move_state(&self) -> bool {
        true
    }

    /// `null_resource` (hashicorp/null) to `terraform_data`, as Terraform 1.9's provider
    /// moves it: the same `id`, `triggers` as `triggers_replace` (an object, so a
    /// configuration written `{ … }` plans no change), no input or output.
    async fn move_state(&self, req: MoveRequest<'_>) -> Result<Applied, ProviderError> {
        if req.target_type != "terraform_data" {
            return Err(ProviderError::new(format!("Error: unsupported resource {}", req.target_type)));
        }
        // Any host: mirrors serve hashicorp/null under other names.
        if !req.source_provider.ends_with("hashicorp/null") {
            return Err(ProviderError::new(
                "Only moving from the official hashicorp/null provider to terraform_data is supported.",
            )
            .with_summary("Unsupported source provider for move operation"));
        }
        if req.source_type != "null_resource" {
            return Err(ProviderError::new(
                "Only moving from the null_resource managed resource to terraform_data is supported.",
            )
            .with_summary("Unsupported source resource type for move operation"));
        }
        let id = req.source_state.get("id").and_then(|v| v.as_str()).map(Value::from).unwrap_or(Value::NULL);
        let triggers = match req.source_state.get("triggers") {
            Some(serde_json::Value::Object(m)) => {
                Value::object(m.iter().map(|(k, v)| (k.clone(), v.as_str().map(Value::from).unwrap_or(Value::NULL))))
            }
            _ => Value::NULL,
        };
        let new_state = Value::object([
            ("id", id),
            ("input", Value::NULL),
            ("output", Value::NULL),
            ("triggers_replace", triggers),
        ]);
        // null_resource keeps no private data.
        Ok(Applied { new_state, private: None })
    }

    async fn read_data(&self, type_name: &str, config: Value) -> Result<Value, ProviderError> {
        match type_name {
            "terraform_remote_state" => remote_state::read(config, self.backends.as_ref()).await,
            other => Err(ProviderError::new(format!("the terraform provider has no data source {other:?}"))),
        }
    }
}
