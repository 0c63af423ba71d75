//! terrane's AWS provider: the network, Docker Swarm cluster, load balancer, databases, caches
//! and log groups of an application platform, with the Terraform AWS provider's resource names,
//! arguments and replacement rules, so existing configurations carry over.
//!
//! Clients are built on first use, so a plan from an empty state makes no API call at all and
//! works without credentials. Refresh is batched per resource type (`read_many`).

mod backend;
mod calls;
mod config;
mod data;
mod delete;
mod describe;
mod ec2;
mod elasticache;
mod elbv2;
mod errors;
mod iam;
mod kms;
mod legacy;
mod model;
mod plan;
mod policy;
mod policy_document;
mod rds;
mod region;
mod resource;
mod resources;
mod retries;
mod s3;
mod tags;
mod timings;
mod token_tag;
mod upgrade;
mod val;
mod waiter;

pub use backend::{S3Backend, S3Settings};
pub use calls::ApiCalls;
pub use config::Clients;
pub use timings::Timings;

use async_trait::async_trait;
use resource::{Ctx, DataSourceType, ResourceType};
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::{PlanRequest, PlanResponse, Provider, ProviderError, ProviderFactory};
use terrane_engine::schema::{ProviderSchema, ResourceSchema};
use terrane_engine::value::Value;

/// The registry address Terraform uses for this provider; state files record it.
pub const SOURCE: &str = "hashicorp/aws";

struct Catalog {
    resources: BTreeMap<&'static str, Box<dyn ResourceType>>,
    data_sources: BTreeMap<&'static str, Box<dyn DataSourceType>>,
    schema: ProviderSchema,
}

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    let mut schema = ProviderSchema { provider: config::schema(), ..ProviderSchema::default() };
    let mut resources = BTreeMap::new();
    for r in resources::all() {
        let block = region::with_region(r.schema());
        schema.resources.insert(r.name().to_string(), ResourceSchema::new(block).with_version(r.schema_version()));
        resources.insert(r.name(), r);
    }
    let mut data_sources = BTreeMap::new();
    for d in data::all() {
        schema.data_sources.insert(d.name().to_string(), ResourceSchema::new(region::with_region(d.schema())));
        data_sources.insert(d.name(), d);
    }
    Catalog { resources, data_sources, schema }
});

pub struct AwsFactory;

impl ProviderFactory for AwsFactory {
    fn source(&self) -> &str {
        SOURCE
    }
    fn new_instance(&self) -> Arc<dyn Provider> {
        Arc::new(AwsProvider::default())
    }
}

/// One configured `provider "aws"` block.
#[derive(Default)]
pub struct AwsProvider {
    settings: std::sync::OnceLock<config::Settings>,
    clients: tokio::sync::OnceCell<Clients>,
    /// Clients for the other Regions objects name in their `region` argument, built on
    /// first use.
    regions: region::Regions,
    /// Timings given explicitly instead of the environment's (tests).
    timings: Option<Timings>,
    /// Where this provider's clients count their requests.
    calls: ApiCalls,
}

fn resource_type(name: &str) -> Result<&'static dyn ResourceType, ProviderError> {
    CATALOG
        .resources
        .get(name)
        .map(|b| b.as_ref())
        .ok_or_else(|| ProviderError::new(format!("the aws provider has no resource type {name:?}")))
}

impl AwsProvider {
    /// A provider with these timings, whatever the environment says.
    pub fn with_timings(timings: Timings) -> AwsProvider {
        AwsProvider { timings: Some(timings), ..AwsProvider::default() }
    }

    /// The same provider, counting its requests into `calls` (which a test or a benchmark
    /// may share between the providers it makes).
    pub fn counting_into(self, calls: ApiCalls) -> AwsProvider {
        AwsProvider { calls, ..self }
    }

    /// The arguments of `type_name` that terrane declares but refuses, each with why
    /// ([`resource::ResourceType::refused`]).
    pub fn refused_arguments(type_name: &str) -> Vec<(&'static str, &'static str)> {
        CATALOG
            .resources
            .get(type_name)
            .map_or_else(Vec::new, |r| r.refused().iter().map(|r| (r.name, r.why)).collect())
    }

    /// This provider's part of reading an object Terraform 0.11 recorded as a flatmap
    /// (`attributes_flat`): the type's legacy `MigrateState`, where the recorded version needs
    /// it, as the plugin SDK runs it before converting the flatmap to JSON. Returns the
    /// attributes and the version whose schema reads them; the conversion, then
    /// [`Provider::upgrade_state`] from that version, complete the upgrade.
    pub fn migrate_flatmap_state(
        type_name: &str,
        version: u64,
        flat: BTreeMap<String, String>,
    ) -> Result<(BTreeMap<String, String>, u64), ProviderError> {
        let r = resource_type(type_name)?;
        upgrade::migrate_flatmap(r.state_upgrades(), r.schema_version(), version, flat)
    }

    /// The requests this provider has sent, by operation.
    pub fn api_calls(&self) -> &ApiCalls {
        &self.calls
    }

    /// Runs one operation with this provider's timings current (waiters and error messages
    /// read them).
    async fn scoped<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        let t = match self.settings.get() {
            Some(s) => s.timings,
            None => self.timings.unwrap_or_else(Timings::from_env),
        };
        timings::scope(t, f).await
    }

    fn settings(&self) -> Result<&config::Settings, ProviderError> {
        self.settings.get().ok_or_else(|| ProviderError::new("the aws provider was used before it was configured"))
    }

    /// The API clients, built (and credentials checked) on first use.
    async fn ctx(&self) -> Result<Ctx<'_>, ProviderError> {
        let settings = self.settings()?;
        let clients = self.clients.get_or_try_init(|| config::build_clients(settings)).await?;
        Ok(Ctx { clients, settings, token: None })
    }

    /// The context of `regional` (from [`AwsProvider::regional`]).
    async fn ctx_in<'a>(&'a self, regional: &'a Option<Arc<region::Regional>>) -> Result<Ctx<'a>, ProviderError> {
        match regional {
            Some(g) => Ok(g.ctx()),
            None => self.ctx().await,
        }
    }

    /// The clients of the Region an object's `region` argument names, when it is not the
    /// provider's (`None`: use [`AwsProvider::ctx`]).
    async fn regional(&self, v: &Value) -> Result<Option<Arc<region::Regional>>, ProviderError> {
        let Some(wanted) = region::of(v) else { return Ok(None) };
        let main = self.ctx().await?;
        if wanted == main.clients.region {
            return Ok(None);
        }
        self.regions.get(main.settings, main.clients, &wanted).await.map(Some)
    }
}

#[async_trait]
impl Provider for AwsProvider {
    fn schema(&self) -> &ProviderSchema {
        &CATALOG.schema
    }

    async fn configure(&self, config: Value) -> Result<(), ProviderError> {
        let mut settings = config::Settings::from_value(&config)?;
        if let Some(t) = self.timings {
            settings.timings = t;
        }
        settings.calls = self.calls.clone();
        let _ = self.settings.set(settings);
        Ok(())
    }

    fn validate(&self, type_name: &str, config: &Value) -> Vec<Diagnostic> {
        let Some(r) = CATALOG.resources.get(type_name) else { return Vec::new() };
        let mut out: Vec<Diagnostic> = resource::refused_in(r.refused(), config)
            .into_iter()
            .map(|refused| {
                let (summary, detail) = resource::refusal(type_name, refused);
                Diagnostic::error(summary, detail)
            })
            .collect();
        out.extend(r.validate(config));
        out
    }

    async fn plan(&self, req: PlanRequest<'_>) -> Result<PlanResponse, ProviderError> {
        let r = resource_type(req.type_name)?;
        let default_region = self.settings.get().and_then(|s| s.region.clone()).or_else(region::from_env);
        let req_config = &region::same_as_prior(req.prior, req.config, default_region.as_deref());
        if let Some(refused) = resource::refused_in(r.refused(), req_config).first() {
            let (summary, detail) = resource::refusal(req.type_name, refused);
            return Err(ProviderError::new(detail).with_summary(summary).at_attribute(refused.name));
        }
        // An argument left out where the prior state (Terraform's) records its zero value is
        // that zero value: the same "not set", so no change. Not for a replacement: the new
        // object is planned from the configuration as written.
        let filled = req
            .prior
            .filter(|p| !p.is_null())
            .map(|prior| legacy::config_with_zero_values(prior, req_config.clone(), &req.schema.block));
        let mut config = filled.as_ref().unwrap_or(req_config);
        let mut resp = terrane_engine::plan::diff::generic_plan(&req.schema.block, req.prior, config);
        if filled.is_some() && !resp.requires_replace.is_empty() {
            config = req_config;
            resp = terrane_engine::plan::diff::generic_plan(&req.schema.block, req.prior, config);
        }
        r.customize_plan(req.prior, config, &mut resp);
        // The provider's tags rules, on the plan as the type decided it (a type may plan again,
        // and a replacement may turn out an update).
        if req.schema.block.attributes.contains_key("tags_all") {
            if resp.requires_replace.is_empty() {
                tags::keep_empty(req.prior, &mut resp.planned);
            }
            let default_tags = self.settings.get().map(|s| s.default_tags.clone()).unwrap_or_default();
            let fresh = req.prior.is_none_or(Value::is_null) || !resp.requires_replace.is_empty();
            tags::plan_tags_all(&mut resp.planned, req.prior, fresh, &default_tags);
        }
        Ok(resp)
    }

    /// A create without a token from the engine still gets one: every create is made the
    /// same way (the object marked or named so that it could be found again).
    async fn create(&self, type_name: &str, planned: Value) -> Result<Value, ProviderError> {
        let token = format!("terrane-{:032x}", rand::random::<u128>());
        self.create_with_token(type_name, planned, &token).await
    }

    async fn create_with_token(&self, type_name: &str, planned: Value, token: &str) -> Result<Value, ProviderError> {
        self.scoped(async {
            let r = resource_type(type_name)?;
            let regional = self.regional(&planned).await?;
            let ctx = self.ctx_in(&regional).await?;
            r.create(&ctx.with_token(token), &planned).await.map(|v| region::keep(&planned, v))
        })
        .await
    }

    /// Takes the token tag off what this run created, now that the state records it.
    async fn creates_recorded(&self, type_name: &str, objects: Vec<Value>) -> Result<(), ProviderError> {
        self.scoped(async {
            let Some(kind) = resource_type(type_name)?.token_tag() else { return Ok(()) };
            for group in region::grouped(&objects) {
                let regional = self.regional(&objects[group[0]]).await?;
                let ctx = self.ctx_in(&regional).await?;
                let these: Vec<Value> = group.iter().map(|i| objects[*i].clone()).collect();
                token_tag::remove(&ctx, kind, &these).await?;
            }
            Ok(())
        })
        .await
    }

    /// How each resource type finds what a killed create made: by its unique name, by the
    /// token tag it was created with, by its natural key, or (instances) by the client token;
    /// see each type's `find_created`.
    async fn find_created(&self, type_name: &str, planned: Value, token: &str) -> Result<Option<Value>, ProviderError> {
        self.scoped(async {
            let r = resource_type(type_name)?;
            let regional = self.regional(&planned).await?;
            let ctx = self.ctx_in(&regional).await?;
            Ok(r.find_created(&ctx.with_token(token), &planned).await?.map(|v| region::keep(&planned, v)))
        })
        .await
    }

    /// hashicorp/aws's upgrade of a JSON state recorded at an older schema version: the
    /// type's `StateUpgraders`, then the object fitted to the current schema, as the plugin
    /// SDK does ([`upgrade::upgrade_json`]).
    async fn upgrade_state(
        &self,
        type_name: &str,
        version: u64,
        attributes: serde_json::Value,
    ) -> Result<serde_json::Value, ProviderError> {
        let r = resource_type(type_name)?;
        let schema = CATALOG
            .schema
            .resources
            .get(type_name)
            .ok_or_else(|| ProviderError::new(format!("the aws provider has no resource type {type_name:?}")))?;
        upgrade::upgrade_json(r.state_upgrades(), &schema.block, version, attributes)
    }

    async fn read(&self, type_name: &str, current: Value) -> Result<Option<Value>, ProviderError> {
        self.scoped(async {
            let r = resource_type(type_name)?;
            let regional = self.regional(&current).await?;
            let ctx = self.ctx_in(&regional).await?;
            let mut out = r.read_many(&ctx, std::slice::from_ref(&current)).await;
            Ok(out.pop().unwrap_or(Ok(None))?.map(|v| region::keep(&current, v)))
        })
        .await
    }

    async fn read_many(&self, type_name: &str, current: Vec<Value>) -> Vec<Result<Option<Value>, ProviderError>> {
        self.scoped(async {
            let r = match resource_type(type_name) {
                Ok(r) => r,
                Err(e) => return current.iter().map(|_| Err(e.clone())).collect(),
            };
            // One batched read per Region the objects are in.
            let mut out: Vec<Option<Result<Option<Value>, ProviderError>>> = current.iter().map(|_| None).collect();
            for group in region::grouped(&current) {
                let these: Vec<Value> = group.iter().map(|i| current[*i].clone()).collect();
                let read = match self.regional(&these[0]).await {
                    Ok(Some(g)) => r.read_many(&g.ctx(), &these).await,
                    Ok(None) => match self.ctx().await {
                        Ok(ctx) => r.read_many(&ctx, &these).await,
                        Err(e) => these.iter().map(|_| Err(e.clone())).collect(),
                    },
                    Err(e) => these.iter().map(|_| Err(e.clone())).collect(),
                };
                for (i, got) in group.into_iter().zip(read) {
                    out[i] = Some(
                        got.map(|v| v.map(|v| legacy::keep_zero_values(&current[i], region::keep(&current[i], v)))),
                    );
                }
            }
            out.into_iter().map(|r| r.unwrap_or(Ok(None))).collect()
        })
        .await
    }

    async fn update(&self, type_name: &str, prior: Value, planned: Value) -> Result<Value, ProviderError> {
        self.scoped(async {
            let r = resource_type(type_name)?;
            let regional = self.regional(&prior).await?;
            let ctx = self.ctx_in(&regional).await?;
            r.update(&ctx, &prior, &planned).await.map(|v| region::keep(&planned, v))
        })
        .await
    }

    async fn delete(&self, type_name: &str, prior: Value) -> Result<(), ProviderError> {
        self.scoped(async {
            let r = resource_type(type_name)?;
            let regional = self.regional(&prior).await?;
            let ctx = self.ctx_in(&regional).await?;
            r.delete(&ctx, &prior).await
        })
        .await
    }

    async fn import(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        self.scoped(async {
            let r = resource_type(type_name)?;
            let ctx = self.ctx().await?;
            let found = r.import(&ctx, id).await?.ok_or_else(|| {
                ProviderError::new(format!(
                    "Cannot import non-existent remote object: no {type_name} with ID {id:?} exists."
                ))
            })?;
            // An import is in the provider's Region.
            Ok(region::keep(&Value::NULL, found))
        })
        .await
    }

    async fn read_data(&self, type_name: &str, config: Value) -> Result<Value, ProviderError> {
        self.scoped(async {
            let d = CATALOG
                .data_sources
                .get(type_name)
                .ok_or_else(|| ProviderError::new(format!("the aws provider has no data source {type_name:?}")))?;
            if let Some(v) = d.compute(&config) {
                return v;
            }
            let regional = self.regional(&config).await?;
            let ctx = self.ctx_in(&regional).await?;
            d.read(&ctx, &config).await.map(|v| region::keep(&config, v))
        })
        .await
    }
}
