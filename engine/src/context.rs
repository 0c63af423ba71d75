//! A run's context: the configuration, the provider instances it uses (one per provider
//! configuration) and their schemas. Plan, apply and validate all start here.

use crate::addr::{Mode, ResourceAddr};
use crate::config::{Config, implied_provider};
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::{self, BuildOptions, Graph};
use crate::provider::{Provider, ProviderRegistry};
use crate::schema::{ProviderSchema, ResourceSchema};
use crate::state::{State, provider_address};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

pub struct Context {
    pub config: Config,
    pub registry: ProviderRegistry,
    /// Provider instances by configuration key (`aws`, `aws.west`), not yet configured.
    pub providers: BTreeMap<String, Arc<dyn Provider>>,
    pub workspace: String,
    /// The directory commands run in (`path.cwd`).
    pub cwd: PathBuf,
}

impl Context {
    /// Instantiates a provider for every provider configuration the configuration and the
    /// state use; unknown provider names are reported when the graph is built.
    pub fn new(config: Config, registry: ProviderRegistry, state: &State, workspace: &str) -> Context {
        let mut keys: Vec<String> = config.providers.keys().cloned().collect();
        for m in config.modules() {
            keys.extend(m.resources.values().map(|r| r.provider.clone()));
        }
        for (addr, r) in &state.resources {
            keys.push(graph::state_provider_key(&r.provider, &addr.type_name));
        }
        keys.sort();
        keys.dedup();
        let mut providers = BTreeMap::new();
        for key in keys {
            let name = key.split('.').next().unwrap_or_default();
            if let Some(f) = registry.get(name) {
                providers.insert(key.clone(), f.new_instance());
            }
        }
        Context {
            config,
            registry,
            providers,
            workspace: workspace.to_string(),
            cwd: std::env::current_dir().unwrap_or_default(),
        }
    }

    pub fn provider_schema(&self, key: &str) -> Option<&ProviderSchema> {
        self.providers.get(key).map(|p| p.schema())
    }

    pub fn resource_schema(&self, provider_key: &str, addr: &ResourceAddr) -> Option<&ResourceSchema> {
        let s = self.provider_schema(provider_key)?;
        match addr.mode {
            Mode::Managed => s.resources.get(&addr.type_name),
            Mode::Data => s.data_sources.get(&addr.type_name),
        }
    }

    /// The provider configuration key of a resource: from its configuration, else from state.
    pub fn provider_key_of(&self, addr: &ResourceAddr, state: &State) -> String {
        if let Some(r) = self.config.resource_at(addr) {
            return r.provider.clone();
        }
        match state.resources.get(addr) {
            Some(r) => graph::state_provider_key(&r.provider, &addr.type_name),
            None => implied_provider(&addr.type_name).to_string(),
        }
    }

    /// The provider address state files record for a provider key.
    pub fn provider_address(&self, key: &str) -> String {
        let alias = key.split_once('.').map(|(_, a)| a);
        provider_address(&self.provider_source(key), alias)
    }

    /// The fully qualified source of the provider of configuration key `key`
    /// (`registry.terraform.io/hashicorp/aws`, `terraform.io/builtin/terraform`).
    pub fn provider_source(&self, key: &str) -> String {
        let name = key.split_once('.').map_or(key, |(n, _)| n);
        let source = self
            .config
            .terraform
            .required_providers
            .get(name)
            .map(|r| r.source.clone())
            .or_else(|| self.registry.get(name).map(|f| f.source().to_string()))
            .unwrap_or_else(|| format!("hashicorp/{name}"));
        crate::state::provider_fqn(&source)
    }

    /// Builds the dependency graph and checks it.
    pub fn graph(&self, state: &State) -> (Graph, Diagnostics) {
        let registry = &self.registry;
        let types = |name: &str, mode: Mode| -> Option<Vec<String>> {
            let f = registry.get(name)?;
            let inst = f.new_instance();
            let s = inst.schema();
            Some(match mode {
                Mode::Managed => s.resources.keys().cloned().collect(),
                Mode::Data => s.data_sources.keys().cloned().collect(),
            })
        };
        let opts =
            BuildOptions { resource_types: &types, provider_names: registry.names().map(str::to_string).collect() };
        let (g, mut diags) = graph::build(&self.config, state, &opts);
        diags.extend(self.config.check(crate::VERSION));
        (g, diags)
    }

    /// Checks the configuration without touching state or providers' APIs, as Terraform's
    /// validate walk does ([`crate::validate`]).
    pub async fn validate(&self) -> Diagnostics {
        crate::validate::validate(self).await
    }

    pub fn error_unknown_provider(&self, key: &str) -> Diagnostic {
        Diagnostic::error(
            "Provider not available",
            format!("No provider is available for the configuration \"{key}\"."),
        )
    }
}
