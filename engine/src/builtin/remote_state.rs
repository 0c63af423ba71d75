//! Data source `terraform_remote_state`: the root outputs of another configuration's state,
//! read through a state backend, as Terraform's `dataSourceRemoteStateRead`.

use crate::provider::ProviderError;
use crate::schema::{Attribute, Schema};
use crate::state::StateBackend;
use crate::state::local::LocalBackend;
use crate::value::{Type, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Opens the state backends the data source can read (`local` in the engine; the binary
/// adds the ones its provider crates bring, such as `s3`).
pub trait BackendOpener: Send + Sync {
    /// The backend of type `kind` with the settings of a `backend` block. `Err(None)` when
    /// there is no such backend type; `Err(Some(message))` when the settings are not valid.
    fn open(&self, kind: &str, config: &BTreeMap<String, Value>) -> Result<Arc<dyn StateBackend>, Option<String>>;
}

/// The engine's own backends: `local`, whose `path` defaults to Terraform's
/// `terraform.tfstate` (the file another Terraform configuration leaves) and
/// `workspace_dir` to `terraform.tfstate.d`.
pub struct LocalOnly;

impl BackendOpener for LocalOnly {
    fn open(&self, kind: &str, config: &BTreeMap<String, Value>) -> Result<Arc<dyn StateBackend>, Option<String>> {
        if kind != "local" {
            return Err(None);
        }
        Ok(Arc::new(local_backend(config)?))
    }
}

/// The `local` backend of a `backend "local"` block's settings (`path`, `workspace_dir`),
/// with Terraform's defaults.
pub fn local_backend(config: &BTreeMap<String, Value>) -> Result<LocalBackend, Option<String>> {
    let setting = |name: &str, default: &str| -> Result<String, Option<String>> {
        match config.get(name) {
            None => Ok(default.to_string()),
            Some(v) if v.is_null() => Ok(default.to_string()),
            Some(v) => v.as_str().map(str::to_string).ok_or_else(|| Some(format!("{name} must be a string"))),
        }
    };
    if let Some(unknown) = config.keys().find(|k| !["path", "workspace_dir"].contains(&k.as_str())) {
        return Err(Some(format!("An argument named \"{unknown}\" is not expected here")));
    }
    Ok(LocalBackend::new(setting("path", "terraform.tfstate")?, setting("workspace_dir", "terraform.tfstate.d")?))
}

pub(super) fn schema() -> Schema {
    Schema::new()
        .attr(
            "backend",
            Attribute::required(Type::String).describe("The remote backend to use, e.g. `remote` or `http`."),
        )
        .attr("config", Attribute::optional(Type::Dynamic).describe("The configuration of the remote backend."))
        .attr(
            "defaults",
            Attribute::optional(Type::Dynamic)
                .describe("Default values for outputs, in case the state file is empty or lacks a required output."),
        )
        .attr(
            "outputs",
            Attribute::computed(Type::Dynamic)
                .describe("An object containing every root-level output in the remote state."),
        )
        .attr(
            "workspace",
            Attribute::optional(Type::String)
                .describe("The Terraform workspace to use, if the backend supports workspaces."),
        )
}

fn attr(v: &Value, name: &str) -> Value {
    v.unmarked().get_attr(name).cloned().unwrap_or(Value::NULL)
}

/// The members of an object or map value (`None` for anything else).
fn members(v: &Value) -> Option<BTreeMap<String, Value>> {
    v.unmarked().as_map().map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}

fn invalid(detail: impl Into<String>, attribute: &str) -> ProviderError {
    ProviderError::new(detail).with_summary("Invalid backend configuration").at_attribute(attribute)
}

/// Reads the data source: the configuration as given, `outputs` the stored root outputs over
/// `defaults` (unmarked, as Terraform reads them: sensitivity is the writing
/// configuration's, not carried across).
pub(super) async fn read(config: Value, backends: &dyn BackendOpener) -> Result<Value, ProviderError> {
    let kind = match attr(&config, "backend").as_str() {
        Some("_local") => "local".to_string(),
        Some(k) => k.to_string(),
        None => return Err(invalid("The backend type is required.", "backend")),
    };
    let settings = attr(&config, "config");
    let settings = if settings.is_null() {
        BTreeMap::new()
    } else {
        members(&settings).ok_or_else(|| invalid("The configuration must be an object value.", "config"))?
    };
    let defaults = attr(&config, "defaults");
    let default_outputs = if defaults.is_null() {
        BTreeMap::new()
    } else {
        members(&defaults).ok_or_else(|| {
            ProviderError::new("Defaults must be given in an object value.")
                .with_summary("Invalid default values")
                .at_attribute("defaults")
        })?
    };
    let backend = backends.open(&kind, &settings).map_err(|e| match e {
        None => invalid(format!("There is no backend type named {kind:?}."), "backend"),
        Some(msg) => invalid(format!("The given configuration is not valid for backend {kind:?}: {msg}."), "config"),
    })?;
    let workspace = attr(&config, "workspace");
    let name = workspace.as_str().unwrap_or("default");
    let state = backend.read(name).await.map_err(|e| {
        ProviderError::new(format!("error loading the remote state: {e}"))
            .with_summary("Error loading state error")
            .at_attribute("backend")
    })?;
    let Some(state) = state else {
        return Err(ProviderError::new("No stored state was found for the given workspace in the given backend.")
            .with_summary("Unable to find remote state")
            .at_attribute("workspace"));
    };
    let mut outputs = default_outputs;
    for (name, o) in &state.outputs {
        outputs.insert(name.clone(), o.typed_value().deep_unmark());
    }
    Ok(Value::object([
        ("backend", attr(&config, "backend")),
        ("config", attr(&config, "config")),
        ("defaults", if defaults.is_null() { Value::null(Type::Dynamic) } else { defaults }),
        ("outputs", Value::object_from_map(outputs)),
        ("workspace", workspace),
    ]))
}
