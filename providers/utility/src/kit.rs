//! The little framework every provider of this crate is made of: a resource type is one
//! [`Managed`] (a data source one [`Data`]), usually over a struct deriving
//! [`terrane_engine::model::Model`] for its schema and its reading and writing; a [`Kit`]
//! is a provider: its source address, its configuration schema and its types, served through
//! the engine's [`Provider`] trait.

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use terrane_engine::diag::Diagnostic;
use terrane_engine::plan::diff::generic_plan;
use terrane_engine::provider::{PlanRequest, PlanResponse, Provider, ProviderError, ProviderFactory};
use terrane_engine::schema::{FunctionSignature, ProviderSchema, ResourceSchema, Schema};
use terrane_engine::value::Value;
use tokio_util::sync::CancellationToken;

pub type Result<T> = std::result::Result<T, ProviderError>;

/// What every operation of a configured provider sees.
pub struct Ctx<'a> {
    /// The `provider` block, as configured (null attributes where it is absent).
    pub provider: &'a Value,
    /// Cancelled when the engine asks the provider to stop ([`Provider::stop`], after the
    /// first Ctrl-C): an operation that waits (time_sleep) returns early, failed.
    pub stop: &'a CancellationToken,
}

/// A managed resource type.
#[async_trait::async_trait]
pub trait Managed: Send + Sync {
    fn name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// Recorded in state as `schema_version`; [`Managed::upgrade_state`] rewrites older ones.
    fn schema_version(&self) -> u64 {
        0
    }
    /// Checks beyond the schema (conflicting arguments, value ranges).
    fn validate(&self, _config: &Value) -> Vec<Diagnostic> {
        Vec::new()
    }
    /// The planned new state. The default is the engine's schema-driven plan: computed
    /// attributes unknown on create and kept on update, force-new changes replacing.
    fn plan(&self, _c: &Ctx<'_>, req: &PlanRequest<'_>) -> Result<PlanResponse> {
        Ok(generic_plan(&req.schema.block, req.prior, req.config))
    }
    /// Makes the object: every unknown of `planned` becomes known.
    async fn create(&self, c: &Ctx<'_>, planned: Value) -> Result<Value>;
    /// The object as it is now, `None` when it is gone. The default: as recorded (for
    /// objects that live only in the state).
    async fn read(&self, _c: &Ctx<'_>, current: Value) -> Result<Option<Value>> {
        Ok(Some(current))
    }
    /// An in-place change. The default records the plan, for types whose arguments all force
    /// replacement or are only kept in the state.
    async fn update(&self, _c: &Ctx<'_>, _prior: Value, planned: Value) -> Result<Value> {
        Ok(planned)
    }
    async fn delete(&self, _c: &Ctx<'_>, _prior: Value) -> Result<()> {
        Ok(())
    }
    /// The object an import ID names.
    async fn import(&self, _c: &Ctx<'_>, _id: &str) -> Result<Value> {
        Err(ProviderError::new(format!("resource {} doesn't support import", self.name())))
    }
    /// An object stored with an older [`Managed::schema_version`], in the current shape.
    fn upgrade_state(&self, _version: u64, attributes: serde_json::Value) -> Result<serde_json::Value> {
        Ok(attributes)
    }
}

/// A data source.
#[async_trait::async_trait]
pub trait Data: Send + Sync {
    fn name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Value) -> Vec<Diagnostic> {
        Vec::new()
    }
    async fn read(&self, c: &Ctx<'_>, config: Value) -> Result<Value>;
}

/// A provider-defined function (`provider::time::rfc3339_parse(...)`).
pub trait Function: Send + Sync {
    fn name(&self) -> &'static str;
    fn signature(&self) -> FunctionSignature;
    /// The result, or the error message of a failed call.
    fn call(&self, args: Vec<Value>) -> std::result::Result<Value, String>;
}

struct Types {
    source: &'static str,
    provider: Schema,
    /// Built from the types on first use: every command registers every built-in provider,
    /// and most use none of these.
    schema: OnceLock<ProviderSchema>,
    resources: BTreeMap<&'static str, Box<dyn Managed>>,
    data: BTreeMap<&'static str, Box<dyn Data>>,
    functions: BTreeMap<&'static str, Box<dyn Function>>,
}

/// A provider made of typed definitions; also its own [`ProviderFactory`].
#[derive(Clone)]
pub struct Kit(Arc<Types>);

impl Kit {
    /// A provider with source address `source` (`hashicorp/random`), configured by blocks
    /// of `provider` schema, serving `resources` and `data`.
    pub fn new(
        source: &'static str,
        provider: Schema,
        resources: Vec<Box<dyn Managed>>,
        data: Vec<Box<dyn Data>>,
    ) -> Kit {
        Kit(Arc::new(Types {
            source,
            provider,
            schema: OnceLock::new(),
            resources: resources.into_iter().map(|r| (r.name(), r)).collect(),
            data: data.into_iter().map(|d| (d.name(), d)).collect(),
            functions: BTreeMap::new(),
        }))
    }

    /// The same provider, with `functions` too.
    pub fn with_functions(mut self, functions: Vec<Box<dyn Function>>) -> Kit {
        let types = Arc::get_mut(&mut self.0).expect("a kit is given its functions before it is shared");
        for f in functions {
            types.functions.insert(f.name(), f);
        }
        self
    }
}

impl Types {
    fn schema(&self) -> &ProviderSchema {
        self.schema.get_or_init(|| {
            let mut schema = ProviderSchema { provider: self.provider.clone(), ..ProviderSchema::default() };
            for r in self.resources.values() {
                schema
                    .resources
                    .insert(r.name().to_string(), ResourceSchema::new(r.schema()).with_version(r.schema_version()));
            }
            for d in self.data.values() {
                schema.data_sources.insert(d.name().to_string(), ResourceSchema::new(d.schema()));
            }
            for f in self.functions.values() {
                schema.functions.insert(f.name().to_string(), f.signature());
            }
            schema
        })
    }
}

impl ProviderFactory for Kit {
    fn source(&self) -> &str {
        self.0.source
    }
    fn new_instance(&self) -> Arc<dyn Provider> {
        Arc::new(Instance { types: self.0.clone(), config: OnceLock::new(), stop: CancellationToken::new() })
    }
}

/// One configured provider (one `provider` block).
struct Instance {
    types: Arc<Types>,
    config: OnceLock<Value>,
    stop: CancellationToken,
}

impl Instance {
    fn ctx(&self) -> Ctx<'_> {
        Ctx { provider: self.config.get().unwrap_or(&Value::NULL), stop: &self.stop }
    }

    fn managed(&self, type_name: &str) -> Result<&dyn Managed> {
        self.types.resources.get(type_name).map(Box::as_ref).ok_or_else(|| {
            ProviderError::new(format!("the {} provider has no resource type {type_name:?}", self.types.source))
        })
    }
}

#[async_trait::async_trait]
impl Provider for Instance {
    fn schema(&self) -> &ProviderSchema {
        self.types.schema()
    }

    async fn configure(&self, config: Value) -> Result<()> {
        let _ = self.config.set(config);
        Ok(())
    }

    fn validate(&self, type_name: &str, config: &Value) -> Vec<Diagnostic> {
        self.types.resources.get(type_name).map(|r| r.validate(config)).unwrap_or_default()
    }

    fn validate_data(&self, type_name: &str, config: &Value) -> Vec<Diagnostic> {
        self.types.data.get(type_name).map(|d| d.validate(config)).unwrap_or_default()
    }

    async fn plan(&self, req: PlanRequest<'_>) -> Result<PlanResponse> {
        tracing::debug!(provider = self.types.source, type_name = req.type_name, "plan");
        self.managed(req.type_name)?.plan(&self.ctx(), &req)
    }

    async fn create(&self, type_name: &str, planned: Value) -> Result<Value> {
        tracing::debug!(provider = self.types.source, type_name, "create");
        self.managed(type_name)?.create(&self.ctx(), planned).await
    }

    async fn upgrade_state(
        &self,
        type_name: &str,
        version: u64,
        attributes: serde_json::Value,
    ) -> Result<serde_json::Value> {
        self.managed(type_name)?.upgrade_state(version, attributes)
    }

    async fn read(&self, type_name: &str, current: Value) -> Result<Option<Value>> {
        tracing::debug!(provider = self.types.source, type_name, "read");
        self.managed(type_name)?.read(&self.ctx(), current).await
    }

    async fn update(&self, type_name: &str, prior: Value, planned: Value) -> Result<Value> {
        tracing::debug!(provider = self.types.source, type_name, "update");
        self.managed(type_name)?.update(&self.ctx(), prior, planned).await
    }

    async fn delete(&self, type_name: &str, prior: Value) -> Result<()> {
        tracing::debug!(provider = self.types.source, type_name, "delete");
        self.managed(type_name)?.delete(&self.ctx(), prior).await
    }

    async fn import(&self, type_name: &str, id: &str) -> Result<Value> {
        // Not the ID: an imported password's ID is the password.
        tracing::debug!(provider = self.types.source, type_name, "import");
        self.managed(type_name)?.import(&self.ctx(), id).await
    }

    fn call_function(&self, name: &str, args: Vec<Value>) -> std::result::Result<Value, String> {
        match self.types.functions.get(name) {
            Some(f) => f.call(args),
            None => Err(format!("the provider has no function {name:?}")),
        }
    }

    async fn stop(&self) {
        self.stop.cancel();
    }

    async fn read_data(&self, type_name: &str, config: Value) -> Result<Value> {
        let d = self.types.data.get(type_name).ok_or_else(|| {
            ProviderError::new(format!("the {} provider has no data source {type_name:?}", self.types.source))
        })?;
        d.read(&self.ctx(), config).await
    }
}

/// Bytes from the operating system's randomness (as Go's `crypto/rand`).
pub fn random_bytes(n: usize) -> Result<Vec<u8>> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).map_err(|e| ProviderError::new(format!("reading random bytes: {e}")))?;
    Ok(b)
}

/// A context for unit tests: no provider configuration, never stopped.
#[cfg(test)]
pub fn test_ctx() -> Ctx<'static> {
    static STOP: std::sync::LazyLock<CancellationToken> = std::sync::LazyLock::new(CancellationToken::new);
    Ctx { provider: &Value::NULL, stop: &STOP }
}
