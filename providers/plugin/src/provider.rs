//! A plugin behind the engine's `Provider` trait.
//!
//! The plugin process starts on the first call that needs it (configuring it with the
//! configuration the engine gave earlier), once per provider configuration, and stops when
//! the provider instance is dropped at the end of the command. Its schema comes from the
//! on-disk cache ([`crate::cache`]) when the same binary answered before, so building the
//! graph and validating never start it.

use crate::msgpack;
use crate::process::{Plugin, PluginError};
use crate::proposed::proposed_new;
use crate::wire::{self, DynamicValue, Method};
use futures::StreamExt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use terrane_engine::cty::Type;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::{
    Applied, ApplyRequest, MoveRequest, PlanRequest, PlanResponse, Provider, ProviderError, ProviderFactory,
};
use terrane_engine::schema::{ProviderSchema, ResourceSchema};
use terrane_engine::value::{PathStep, Value};
use tokio::sync::OnceCell;

/// The Terraform version plugins are told they serve (some check it).
pub const TERRAFORM_VERSION: &str = "1.11.4";

/// How many reads of one type run at once.
const READ_CONCURRENCY: usize = 16;

/// A plugin binary and its schema: makes one [`PluginProvider`] per provider configuration.
pub struct PluginFactory {
    source: String,
    path: PathBuf,
    schema: Arc<ProviderSchema>,
    can_move_state: bool,
}

impl PluginFactory {
    /// `source` is the provider's address (`registry.terraform.io/hashicorp/aws`), `path` the
    /// plugin executable, `schema` its schema ([`crate::cache::load_schema`]).
    pub fn new(source: impl Into<String>, path: PathBuf, schema: Arc<ProviderSchema>) -> PluginFactory {
        PluginFactory { source: source.into(), path, schema, can_move_state: false }
    }

    /// Says the plugin offers `MoveResourceState` ([`crate::schema::Converted::can_move_state`]).
    pub fn with_move_state(mut self, can: bool) -> PluginFactory {
        self.can_move_state = can;
        self
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    pub fn schema(&self) -> &Arc<ProviderSchema> {
        &self.schema
    }

    /// A provider instance (not started yet).
    pub fn instance(&self) -> PluginProvider {
        PluginProvider {
            source: self.source.clone(),
            path: self.path.clone(),
            schema: Arc::clone(&self.schema),
            config: Mutex::new(None),
            plugin: OnceCell::new(),
            bare: OnceCell::new(),
            can_move_state: self.can_move_state,
        }
    }
}

impl ProviderFactory for PluginFactory {
    fn source(&self) -> &str {
        self.source.strip_prefix("registry.terraform.io/").unwrap_or(&self.source)
    }

    fn new_instance(&self) -> Arc<dyn Provider> {
        Arc::new(self.instance())
    }
}

/// One configured plugin provider.
pub struct PluginProvider {
    source: String,
    path: PathBuf,
    schema: Arc<ProviderSchema>,
    config: Mutex<Option<Value>>,
    plugin: OnceCell<Result<Arc<Plugin>, ProviderError>>,
    /// Started unconfigured, for function calls.
    bare: OnceCell<Result<Arc<Plugin>, ProviderError>>,
    can_move_state: bool,
}

impl Drop for PluginProvider {
    fn drop(&mut self) {
        for cell in [&self.plugin, &self.bare] {
            if let Some(Ok(p)) = cell.get() {
                let p = Arc::clone(p);
                // Graceful when a runtime is still there; the process is killed on drop anyway.
                if let Ok(h) = tokio::runtime::Handle::try_current() {
                    h.spawn(async move { p.shutdown().await });
                }
            }
        }
    }
}

/// Runs `f` to completion from synchronous code inside terrane's runtime (expressions and
/// validation are synchronous): it blocks this worker thread, and the runtime moves its other
/// tasks to other threads meanwhile.
fn blocking<T>(f: impl std::future::Future<Output = T>) -> Result<T, String> {
    let handle = tokio::runtime::Handle::try_current().map_err(|e| e.to_string())?;
    if handle.runtime_flavor() != tokio::runtime::RuntimeFlavor::MultiThread {
        return Err("calling a plugin from here needs terrane's multi-threaded runtime".into());
    }
    Ok(tokio::task::block_in_place(|| handle.block_on(f)))
}

/// A plugin's diagnostics as the engine's, errors and warnings, each about the top-level
/// argument its attribute path starts with.
fn diagnostics(diags: &[wire::Diagnostic]) -> Vec<Diagnostic> {
    diags
        .iter()
        .map(|d| {
            let mut e = if d.severity == wire::SEVERITY_WARNING {
                Diagnostic::warning(d.summary.clone(), d.detail.clone())
            } else {
                Diagnostic::error(d.summary.clone(), d.detail.clone())
            };
            if let Some(a) = top_attribute(d) {
                e = e.about_attribute(a);
            }
            e
        })
        .collect()
}

/// The top-level argument a plugin's diagnostic is about, when its attribute path starts with
/// one.
fn top_attribute(d: &wire::Diagnostic) -> Option<String> {
    match d.attribute.as_ref()?.steps.first()?.selector.clone()? {
        wire::Selector::AttributeName(a) => Some(a),
        _ => None,
    }
}

/// A started plugin, or why it could not start.
fn ready(r: &Result<Arc<Plugin>, ProviderError>) -> Result<&Plugin, ProviderError> {
    r.as_deref().map_err(Clone::clone)
}

fn perr(e: PluginError) -> ProviderError {
    ProviderError::new(e.detail).with_summary(e.summary)
}

/// A plugin's diagnostics as one error, when there is an error among them; warnings are
/// logged.
fn check(diags: &[wire::Diagnostic]) -> Result<(), ProviderError> {
    for d in diags.iter().filter(|d| d.severity == wire::SEVERITY_WARNING) {
        tracing::warn!(target: "terrane::plugin", "{}: {}", d.summary, d.detail);
    }
    let errors: Vec<&wire::Diagnostic> = diags.iter().filter(|d| d.severity != wire::SEVERITY_WARNING).collect();
    let Some(first) = errors.first() else { return Ok(()) };
    let message = errors
        .iter()
        .map(|d| if d.detail.is_empty() { d.summary.clone() } else { format!("{}: {}", d.summary, d.detail) })
        .collect::<Vec<_>>()
        .join("\n\n");
    let mut e =
        ProviderError::new(if errors.len() == 1 && !first.detail.is_empty() { first.detail.clone() } else { message })
            .with_summary(first.summary.clone());
    if let Some(a) = top_attribute(first) {
        e = e.at_attribute(a);
    }
    Err(e)
}

/// Calls a method of the plugin and makes the error diagnostics of its answer an error.
async fn rpc<Req, Resp>(p: &Plugin, method: Method, req: Req) -> Result<Resp, ProviderError>
where
    Req: prost::Message + Send + Sync + 'static,
    Resp: prost::Message + Default + Send + Sync + wire::Diagnosed + 'static,
{
    let resp: Resp = p.call(method, req).await.map_err(perr)?;
    check(resp.diagnostics())?;
    Ok(resp)
}

fn dv(v: &Value, ty: &Type) -> Result<Option<DynamicValue>, ProviderError> {
    let msgpack =
        msgpack::marshal(v, ty).map_err(|e| ProviderError::new(format!("encoding a value for the plugin: {e}")))?;
    Ok(Some(DynamicValue { msgpack, json: Vec::new() }))
}

fn from_dv(d: Option<&DynamicValue>, ty: &Type) -> Result<Value, ProviderError> {
    let Some(d) = d else { return Ok(Value::null(ty.clone())) };
    if d.msgpack.is_empty() && !d.json.is_empty() {
        let text = std::str::from_utf8(&d.json).map_err(|_| ProviderError::new("the plugin's JSON is not UTF-8"))?;
        return terrane_engine::value::from_json_text_typed(text, ty)
            .map_err(|e| ProviderError::new(format!("decoding the plugin's value: {e}")));
    }
    if d.msgpack.is_empty() {
        return Ok(Value::null(ty.clone()));
    }
    msgpack::unmarshal(&d.msgpack, ty).map_err(|e| ProviderError::new(format!("decoding the plugin's value: {e}")))
}

fn path_of(p: &wire::AttributePath) -> Vec<PathStep> {
    p.steps
        .iter()
        .filter_map(|s| match s.selector.as_ref()? {
            wire::Selector::AttributeName(a) => Some(PathStep::Attr(a.clone())),
            wire::Selector::ElementKeyString(k) => Some(PathStep::Key(k.clone())),
            wire::Selector::ElementKeyInt(i) => Some(PathStep::Index(usize::try_from(*i).ok()?)),
        })
        .collect()
}

fn empty(v: Option<&[u8]>) -> Vec<u8> {
    v.map(<[u8]>::to_vec).unwrap_or_default()
}

impl PluginProvider {
    /// The running, configured plugin, started on first use.
    async fn plugin(&self) -> Result<&Plugin, ProviderError> {
        let r = self
            .plugin
            .get_or_init(|| async {
                let p = Plugin::start(&self.path, &self.source).await.map_err(perr)?;
                let ty = self.schema.provider.value_type();
                let config =
                    self.config.lock().expect("config lock").clone().unwrap_or_else(|| Value::null(ty.clone()));
                let config = if config.is_null() { empty_object(&ty) } else { config };
                // Terraform validates the provider configuration first; protocol 5's answer
                // may rewrite it.
                let v: wire::ValidateProviderConfigResponse =
                    rpc(&p, Method::ValidateProviderConfig, wire::ConfigRequest { config: dv(&config, &ty)? }).await?;
                let config = match v.prepared_config.as_ref().filter(|c| !c.msgpack.is_empty()) {
                    Some(c) => from_dv(Some(c), &ty)?,
                    None => config,
                };
                let resp: wire::DiagnosticsOnly = p
                    .call(
                        Method::ConfigureProvider,
                        wire::ConfigureRequest {
                            terraform_version: TERRAFORM_VERSION.to_string(),
                            config: dv(&config, &ty)?,
                            client_capabilities: Some(capabilities()),
                        },
                    )
                    .await
                    .map_err(perr)?;
                check(&resp.diagnostics).map_err(|e| {
                    let summary = e.summary.clone().unwrap_or_default();
                    ProviderError {
                        summary: Some(format!("Failed to configure provider {}: {summary}", self.source)),
                        ..e
                    }
                })?;
                Ok(Arc::new(p))
            })
            .await;
        ready(r)
    }

    fn resource(&self, type_name: &str) -> Result<&ResourceSchema, ProviderError> {
        self.schema
            .resources
            .get(type_name)
            .ok_or_else(|| ProviderError::new(format!("the plugin {} has no resource type {type_name}", self.source)))
    }

    async fn read_one(&self, type_name: &str, current: Value) -> Result<Option<Value>, ProviderError> {
        let ty = self.resource(type_name)?.value_type().clone();
        let p = self.plugin().await?;
        let resp: wire::ReadResourceResponse = rpc(
            p,
            Method::ReadResource,
            wire::ReadResourceRequest {
                type_name: type_name.to_string(),
                current_state: dv(&current, &ty)?,
                client_capabilities: Some(capabilities()),
                ..Default::default()
            },
        )
        .await?;
        let v = from_dv(resp.new_state.as_ref(), &ty)?;
        Ok(if v.is_null() { None } else { Some(v) })
    }

    /// The plugin for function calls and validation without a configuration: the configured
    /// one when it runs, else one started without a configuration (Terraform calls functions
    /// on an unconfigured provider).
    async fn function_plugin(&self) -> Result<&Plugin, ProviderError> {
        if let Some(Ok(p)) = self.plugin.get() {
            return Ok(p);
        }
        let r = self
            .bare
            .get_or_init(|| async { Plugin::start(&self.path, &self.source).await.map(Arc::new).map_err(perr) })
            .await;
        ready(r)
    }

    /// The plugin's own validation of a resource's or data source's configuration (Terraform's
    /// validate walk). The configured plugin answers when the command configured the provider
    /// (plan and apply need it anyway); otherwise one without a configuration, as in
    /// `terraform validate`.
    fn validate_sync(&self, method: Method, type_name: &str, config: &Value) -> Vec<Diagnostic> {
        let schema = match method {
            Method::ValidateDataResourceConfig => self.schema.data_sources.get(type_name),
            _ => self.schema.resources.get(type_name),
        };
        let Some(schema) = schema else { return Vec::new() };
        let ty = schema.value_type().clone();
        let call = async {
            let configured = self.config.lock().expect("config lock").is_some();
            let p = if configured { self.plugin().await? } else { self.function_plugin().await? };
            let req = wire::ValidateResourceRequest {
                type_name: type_name.to_string(),
                config: dv(config, &ty)?,
                client_capabilities: Some(capabilities()),
            };
            let resp: wire::DiagnosticsOnly = p.call(method, req).await.map_err(perr)?;
            Ok::<_, ProviderError>(diagnostics(&resp.diagnostics))
        };
        match blocking(call) {
            Ok(Ok(d)) => d,
            Ok(Err(e)) => vec![Diagnostic::error(e.summary.unwrap_or_else(|| "Plugin error".into()), e.message)],
            Err(e) => vec![Diagnostic::error("Plugin error", e)],
        }
    }

    /// Calls one of the plugin's functions with arguments of its parameters' types.
    pub async fn call_function_async(&self, name: &str, args: Vec<Value>) -> Result<Value, ProviderError> {
        let sig = self
            .schema
            .functions
            .get(name)
            .ok_or_else(|| ProviderError::new(format!("the plugin {} has no function {name:?}", self.source)))?;
        let p = self.function_plugin().await?;
        let arguments = args
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let ty = sig.params.get(i).or(sig.variadic.as_ref()).map(|p| p.ty.clone()).unwrap_or_default();
                dv(v, &ty).map(Option::unwrap_or_default)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let resp: wire::CallFunctionResponse = p
            .call(Method::CallFunction, wire::CallFunctionRequest { name: name.to_string(), arguments })
            .await
            .map_err(perr)?;
        if let Some(e) = resp.error.filter(|e| !e.text.is_empty()) {
            return Err(ProviderError::new(e.text));
        }
        from_dv(resp.result.as_ref(), &sig.returns)
    }
}

fn capabilities() -> wire::ClientCapabilities {
    wire::ClientCapabilities { deferral_allowed: false, write_only_attributes_allowed: true }
}

/// An object of `ty` with every attribute null (a provider block left out).
fn empty_object(ty: &Type) -> Value {
    match ty {
        Type::Object(o) => {
            Value::Object(Arc::new(o.attrs.iter().map(|(k, t)| (k.clone(), Value::null(t.clone()))).collect()))
        }
        _ => Value::null(ty.clone()),
    }
}

#[async_trait::async_trait]
impl Provider for PluginProvider {
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }

    async fn configure(&self, config: Value) -> Result<(), ProviderError> {
        *self.config.lock().expect("config lock") = Some(config);
        Ok(())
    }

    async fn plan(&self, req: PlanRequest<'_>) -> Result<PlanResponse, ProviderError> {
        let ty = req.schema.value_type().clone();
        let p = self.plugin().await?;
        let prior = req.prior.cloned().unwrap_or_else(|| Value::null(ty.clone()));
        let proposed = proposed_new(&req.schema.block, req.prior, req.config);
        let resp: wire::PlanResourceChangeResponse = rpc(
            p,
            Method::PlanResourceChange,
            wire::PlanResourceChangeRequest {
                type_name: req.type_name.to_string(),
                prior_state: dv(&prior, &ty)?,
                proposed_new_state: dv(&proposed, &ty)?,
                config: dv(req.config, &ty)?,
                prior_private: empty(req.prior_private),
                client_capabilities: Some(capabilities()),
                ..Default::default()
            },
        )
        .await?;
        let planned = from_dv(resp.planned_state.as_ref(), &ty)?;
        Ok(PlanResponse {
            planned,
            requires_replace: resp.requires_replace.iter().map(path_of).collect(),
            private: Some(resp.planned_private).filter(|p| !p.is_empty()),
        })
    }

    async fn create(&self, type_name: &str, planned: Value) -> Result<Value, ProviderError> {
        let config = planned.clone();
        let req = ApplyRequest { type_name, prior: None, planned, config: &config, private: None, token: "" };
        self.apply_change(req).await.map(|a| a.new_state)
    }

    async fn update(&self, type_name: &str, prior: Value, planned: Value) -> Result<Value, ProviderError> {
        let config = planned.clone();
        let req = ApplyRequest { type_name, prior: Some(prior), planned, config: &config, private: None, token: "" };
        self.apply_change(req).await.map(|a| a.new_state)
    }

    async fn apply_change(&self, req: ApplyRequest<'_>) -> Result<Applied, ProviderError> {
        let ty = self.resource(req.type_name)?.value_type().clone();
        let p = self.plugin().await?;
        let prior = req.prior.clone().unwrap_or_else(|| Value::null(ty.clone()));
        let resp: wire::ApplyResourceChangeResponse = p
            .call(
                Method::ApplyResourceChange,
                wire::ApplyResourceChangeRequest {
                    type_name: req.type_name.to_string(),
                    prior_state: dv(&prior, &ty)?,
                    planned_state: dv(&req.planned, &ty)?,
                    config: dv(req.config, &ty)?,
                    planned_private: empty(req.private),
                    provider_meta: None,
                },
            )
            .await
            .map_err(perr)?;
        let new_state = from_dv(resp.new_state.as_ref(), &ty)?;
        if let Err(e) = check(&resp.diagnostics) {
            // What the plugin says exists after a failed create or update is recorded.
            return Err(if new_state.is_null() { e } else { e.with_partial_state(new_state) });
        }
        Ok(Applied { new_state, private: Some(resp.private).filter(|p| !p.is_empty()) })
    }

    async fn read(&self, type_name: &str, current: Value) -> Result<Option<Value>, ProviderError> {
        self.read_one(type_name, current).await
    }

    async fn read_many(&self, type_name: &str, current: Vec<Value>) -> Vec<Result<Option<Value>, ProviderError>> {
        futures::stream::iter(current).map(|v| self.read_one(type_name, v)).buffered(READ_CONCURRENCY).collect().await
    }

    async fn delete(&self, type_name: &str, prior: Value) -> Result<(), ProviderError> {
        let ty = self.resource(type_name)?.value_type().clone();
        let p = self.plugin().await?;
        let _: wire::ApplyResourceChangeResponse = rpc(
            p,
            Method::ApplyResourceChange,
            wire::ApplyResourceChangeRequest {
                type_name: type_name.to_string(),
                prior_state: dv(&prior, &ty)?,
                planned_state: dv(&Value::null(ty.clone()), &ty)?,
                config: dv(&Value::null(ty.clone()), &ty)?,
                planned_private: Vec::new(),
                provider_meta: None,
            },
        )
        .await?;
        Ok(())
    }

    async fn upgrade_state(
        &self,
        type_name: &str,
        version: u64,
        attributes: serde_json::Value,
    ) -> Result<serde_json::Value, ProviderError> {
        let ty = self.resource(type_name)?.value_type().clone();
        let p = self.plugin().await?;
        let resp: wire::UpgradeResourceStateResponse = rpc(
            p,
            Method::UpgradeResourceState,
            wire::UpgradeResourceStateRequest {
                type_name: type_name.to_string(),
                version: i64::try_from(version).unwrap_or(0),
                raw_state: Some(wire::RawState { json: attributes.to_string().into_bytes(), ..Default::default() }),
            },
        )
        .await?;
        let v = from_dv(resp.upgraded_state.as_ref(), &ty)?;
        let text = msgpack::marshal_json(&v, &ty).map_err(|e| ProviderError::new(e.to_string()))?;
        serde_json::from_slice(&text).map_err(|e| ProviderError::new(e.to_string()))
    }

    async fn import(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        let ty = self.resource(type_name)?.value_type().clone();
        let p = self.plugin().await?;
        let resp: wire::ImportResourceStateResponse = rpc(
            p,
            Method::ImportResourceState,
            wire::ImportResourceStateRequest {
                type_name: type_name.to_string(),
                id: id.to_string(),
                client_capabilities: Some(capabilities()),
            },
        )
        .await?;
        let Some(imported) = resp.imported_resources.iter().find(|r| r.type_name == type_name) else {
            return Err(ProviderError::new(format!("the plugin imported no {type_name} for ID {id:?}")));
        };
        let v = from_dv(imported.state.as_ref(), &ty)?;
        // As Terraform: what the import found is read before it is recorded.
        match self.read_one(type_name, v).await? {
            Some(v) => Ok(v),
            None => Err(ProviderError::new(format!(
                "Cannot import non-existent remote object: the {type_name} with ID {id:?} does not exist"
            ))
            .with_summary("Cannot import non-existent remote object")),
        }
    }

    fn call_function(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        blocking(self.call_function_async(name, args)).and_then(|r| r.map_err(|e| e.message))
    }

    fn validate(&self, type_name: &str, config: &Value) -> Vec<Diagnostic> {
        self.validate_sync(Method::ValidateResourceConfig, type_name, config)
    }

    fn can_move_state(&self) -> bool {
        self.can_move_state
    }

    async fn move_state(&self, req: MoveRequest<'_>) -> Result<Applied, ProviderError> {
        let ty = self.resource(req.target_type)?.value_type().clone();
        // As Terraform: an unconfigured provider answers (moves happen before configuration).
        let p = self.function_plugin().await?;
        let resp: wire::MoveResourceStateResponse = rpc(
            p,
            Method::MoveResourceState,
            wire::MoveResourceStateRequest {
                source_provider_address: req.source_provider.to_string(),
                source_type_name: req.source_type.to_string(),
                source_schema_version: i64::try_from(req.source_schema_version).unwrap_or(i64::MAX),
                source_state: Some(wire::RawState {
                    json: req.source_state.to_string().into_bytes(),
                    ..Default::default()
                }),
                target_type_name: req.target_type.to_string(),
                source_private: req.source_private.map(<[u8]>::to_vec).unwrap_or_default(),
            },
        )
        .await?;
        let new_state = from_dv(resp.target_state.as_ref(), &ty)?;
        Ok(Applied { new_state, private: Some(resp.target_private).filter(|p| !p.is_empty()) })
    }

    fn validate_data(&self, type_name: &str, config: &Value) -> Vec<Diagnostic> {
        self.validate_sync(Method::ValidateDataResourceConfig, type_name, config)
    }

    async fn stop(&self) {
        // A plugin that was never started has nothing to stop; one that hangs does not
        // answer, and the second Ctrl-C abandons it.
        if let Some(Ok(p)) = self.plugin.get()
            && let Err(e) = p.stop().await
        {
            tracing::debug!(target: "terrane::plugin", "stopping {}: {e}", self.source);
        }
    }

    async fn read_data(&self, type_name: &str, config: Value) -> Result<Value, ProviderError> {
        let schema =
            self.schema.data_sources.get(type_name).ok_or_else(|| {
                ProviderError::new(format!("the plugin {} has no data source {type_name}", self.source))
            })?;
        let ty = schema.value_type().clone();
        let p = self.plugin().await?;
        let resp: wire::ReadDataSourceResponse = rpc(
            p,
            Method::ReadDataSource,
            wire::ReadDataSourceRequest {
                type_name: type_name.to_string(),
                config: dv(&config, &ty)?,
                provider_meta: None,
                client_capabilities: Some(capabilities()),
            },
        )
        .await?;
        from_dv(resp.state.as_ref(), &ty)
    }
}
