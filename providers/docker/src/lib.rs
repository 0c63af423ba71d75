//! terrane's Docker Swarm provider: the platform's apps as swarm services, with their
//! networks, secrets, configs and volumes, under the resource names and arguments of the
//! Terraform Docker provider (kreuzwerker/docker).
//!
//! The daemon is contacted on first use (a plan from an empty state needs no running daemon)
//! and the API version is negotiated.

mod config;
mod daemon;
mod labels;
mod resource;
mod resources;
mod retry;
mod service;
mod upgrade;

pub use retry::RetryPolicy;

use async_trait::async_trait;
use resource::{Ctx, DataSourceType, ResourceType};
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::{PlanRequest, PlanResponse, Provider, ProviderError, ProviderFactory};
use terrane_engine::schema::{ProviderSchema, ResourceSchema};
use terrane_engine::value::Value;

/// How far the daemon's clock may be behind this machine's when a killed create is looked for
/// by its creation time ([`Provider::find_created`]).
const CLOCK_SKEW: std::time::Duration = std::time::Duration::from_secs(30);

/// The registry address the Terraform Docker provider has; state files record it.
pub const SOURCE: &str = "kreuzwerker/docker";

struct Catalog {
    resources: BTreeMap<&'static str, Box<dyn ResourceType>>,
    data_sources: BTreeMap<&'static str, Box<dyn DataSourceType>>,
    schema: ProviderSchema,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let mut schema = ProviderSchema { provider: config::schema(), ..ProviderSchema::default() };
    let mut resources = BTreeMap::new();
    for r in resources::all() {
        schema.resources.insert(r.name().to_string(), ResourceSchema::new(r.schema()).with_version(r.schema_version()));
        resources.insert(r.name(), r);
    }
    let mut data_sources = BTreeMap::new();
    for d in resources::data_sources() {
        schema.data_sources.insert(d.name().to_string(), ResourceSchema::new(d.schema()));
        data_sources.insert(d.name(), d);
    }
    Catalog { resources, data_sources, schema }
});

pub struct DockerFactory;

impl ProviderFactory for DockerFactory {
    fn source(&self) -> &str {
        SOURCE
    }
    fn new_instance(&self) -> Arc<dyn Provider> {
        Arc::new(DockerProvider::default())
    }
}

#[derive(Default)]
pub struct DockerProvider {
    settings: std::sync::OnceLock<config::Settings>,
    client: tokio::sync::OnceCell<config::Connection>,
    /// A retry policy given explicitly instead of the environment's (tests).
    retry: Option<retry::RetryPolicy>,
}

fn resource_type(name: &str) -> Result<&'static dyn ResourceType, ProviderError> {
    CATALOG
        .resources
        .get(name)
        .map(|b| b.as_ref())
        .ok_or_else(|| ProviderError::new(format!("the docker provider has no resource type {name:?}")))
}

impl DockerProvider {
    /// A provider retrying by `policy`, whatever the environment says.
    pub fn with_retry(policy: RetryPolicy) -> DockerProvider {
        DockerProvider { retry: Some(policy), ..DockerProvider::default() }
    }

    async fn ctx(&self) -> Result<Ctx<'_>, ProviderError> {
        self.ctx_for(None).await
    }

    /// A context for a create that marks its object with `token`.
    async fn ctx_for<'a>(&'a self, token: Option<&'a str>) -> Result<Ctx<'a>, ProviderError> {
        let settings = self
            .settings
            .get()
            .ok_or_else(|| ProviderError::new("the docker provider was used before it was configured"))?;
        let docker = &self.client.get_or_try_init(|| config::connect(settings)).await?.docker;
        Ok(Ctx { docker, settings, token })
    }
}

#[async_trait]
impl Provider for DockerProvider {
    fn schema(&self) -> &ProviderSchema {
        &CATALOG.schema
    }

    async fn configure(&self, config: Value) -> Result<(), ProviderError> {
        let mut settings = config::Settings::from_value(&config)?;
        if let Some(policy) = &self.retry {
            settings.retry = policy.clone();
        }
        let _ = self.settings.set(settings);
        Ok(())
    }

    fn validate(&self, type_name: &str, config: &Value) -> Vec<Diagnostic> {
        CATALOG.resources.get(type_name).map(|r| r.validate(config)).unwrap_or_default()
    }

    async fn plan(&self, req: PlanRequest<'_>) -> Result<PlanResponse, ProviderError> {
        let r = resource_type(req.type_name)?;
        let mut resp = terrane_engine::plan::diff::generic_plan(&req.schema.block, req.prior, req.config);
        r.customize_plan(req.prior, req.config, &mut resp);
        Ok(resp)
    }

    async fn create(&self, type_name: &str, planned: Value) -> Result<Value, ProviderError> {
        resource_type(type_name)?.create(&self.ctx().await?, &planned).await
    }

    /// Creates without marking the object: the token only names an unnamed volume.
    async fn create_with_token(&self, type_name: &str, planned: Value, token: &str) -> Result<Value, ProviderError> {
        resource_type(type_name)?.create(&self.ctx_for(Some(token)).await?, &planned).await
    }

    /// The object a killed apply's create made: the one with the planned name (an unnamed
    /// volume's is derived from the token) that the daemon created after the create was
    /// recorded (the token's time, less [`CLOCK_SKEW`]). An object that had the name before is
    /// someone else's and is never adopted: the create then fails on the name, as it should.
    /// Nothing is left on the object, so Terraform reads it as its own. Pending creates
    /// recorded by terrane before 0.2 (tokens without a time) are found by the token label
    /// those versions put on the object.
    async fn find_created(&self, type_name: &str, planned: Value, token: &str) -> Result<Option<Value>, ProviderError> {
        let r = resource_type(type_name)?;
        let c = self.ctx().await?;
        let ids: Vec<String> = match terrane_engine::state::create_token_time(token) {
            Some(recorded) => {
                let name = match terrane_engine::attrs::string(&planned, "name") {
                    Some(n) => n,
                    None if type_name == "docker_volume" => resources::volume_name_for(token),
                    // A name known only after apply (derived from another object's ID): the
                    // create is planned again and fails on the name if the first one made it.
                    None => return Ok(None),
                };
                let since = recorded.checked_sub(CLOCK_SKEW).unwrap_or(recorded);
                r.named(&c, &name)
                    .await?
                    .into_iter()
                    .filter(|n| n.created.is_some_and(|t| t >= since))
                    .map(|n| n.id)
                    .collect()
            }
            None => r.ids_labelled(&c, labels::token_filter(token)).await?,
        };
        let id = match ids.as_slice() {
            [] => return Ok(None),
            [id] => id,
            _ => {
                return Err(ProviderError::new(format!(
                    "{} {type_name} objects could be what the create {token} made; expected at most one: {}",
                    ids.len(),
                    ids.join(", ")
                )));
            }
        };
        // Read as the create would have: with the planned values where the daemon does not
        // return them (a secret's data).
        let mut stub = planned;
        stub.set_at_path(&[terrane_engine::value::PathStep::Attr("id".into())], Value::from(id.as_str()));
        r.read_many(&c, &[stub]).await.pop().unwrap_or(Ok(None))
    }

    async fn upgrade_state(
        &self,
        type_name: &str,
        version: u64,
        attributes: serde_json::Value,
    ) -> Result<serde_json::Value, ProviderError> {
        Ok(resource_type(type_name)?.upgrade(version, attributes))
    }

    async fn read(&self, type_name: &str, current: Value) -> Result<Option<Value>, ProviderError> {
        let r = resource_type(type_name)?;
        r.read_many(&self.ctx().await?, std::slice::from_ref(&current)).await.pop().unwrap_or(Ok(None))
    }

    async fn read_many(&self, type_name: &str, current: Vec<Value>) -> Vec<Result<Option<Value>, ProviderError>> {
        let r = match resource_type(type_name) {
            Ok(r) => r,
            Err(e) => return current.iter().map(|_| Err(e.clone())).collect(),
        };
        match self.ctx().await {
            Ok(ctx) => r.read_many(&ctx, &current).await,
            Err(e) => current.iter().map(|_| Err(e.clone())).collect(),
        }
    }

    async fn update(&self, type_name: &str, prior: Value, planned: Value) -> Result<Value, ProviderError> {
        resource_type(type_name)?.update(&self.ctx().await?, &prior, &planned).await
    }

    async fn delete(&self, type_name: &str, prior: Value) -> Result<(), ProviderError> {
        resource_type(type_name)?.delete(&self.ctx().await?, &prior).await
    }

    async fn import(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        let r = resource_type(type_name)?;
        r.import(&self.ctx().await?, id).await?.ok_or_else(|| {
            ProviderError::new(format!(
                "Cannot import non-existent remote object: no {type_name} with ID or name {id:?} exists."
            ))
        })
    }

    async fn read_data(&self, type_name: &str, config: Value) -> Result<Value, ProviderError> {
        let d = CATALOG
            .data_sources
            .get(type_name)
            .ok_or_else(|| ProviderError::new(format!("the docker provider has no data source {type_name:?}")))?;
        d.read(&self.ctx().await?, &config).await
    }
}
