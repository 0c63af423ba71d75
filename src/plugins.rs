//! Provider plugins in the working directory: which providers the configuration requires,
//! installing them (`init`), and the registry a command runs with, where each provider is
//! the built-in crate, the plugin, or both (the built-in crate serving the types it has, the
//! plugin the rest).
//!
//! `TERRANE_PLUGIN_PROVIDERS` (local names or source addresses, comma-separated, or `all`)
//! makes the plugin serve the whole of a provider terrane also builds in.

use crate::workdir;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use terrane_engine::addr::{Mode, ResourceAddr};
use terrane_engine::config::Config;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::{ProviderFactory, ProviderRegistry};
use terrane_engine::state::{State, provider_address_source};
use terrane_provider_plugin::install::{self, Addr, Requirement};
use terrane_provider_plugin::{PluginFactory, RoutedFactory, cache};

/// Terraform's data directory: `TF_DATA_DIR`, else `.terraform`.
pub fn data_dir() -> PathBuf {
    std::env::var_os("TF_DATA_DIR")
        .filter(|d| !d.is_empty())
        .map_or_else(|| PathBuf::from(workdir::TERRAFORM_DATA_DIR), PathBuf::from)
}

/// A provider the configuration requires.
pub struct Required {
    pub req: Requirement,
    /// Named in a `required_providers` block (else implied by a resource or `provider`
    /// block, and then a built-in provider of that local name is the one meant).
    pub explicit: bool,
}

impl Required {
    /// The built-in provider this is, if any.
    pub fn builtin<'r>(&self, registry: &'r ProviderRegistry, local: &str) -> Option<&'r Arc<dyn ProviderFactory>> {
        registry.get(local).filter(|f| !self.explicit || builtin_is(f, &self.req.addr))
    }
}

/// The providers a configuration and its modules require, by local name: their source
/// addresses (`required_providers`, else `hashicorp/NAME`) and every version constraint.
pub fn requirements(config: &Config) -> BTreeMap<String, Required> {
    let mut out: BTreeMap<String, Required> = BTreeMap::new();
    collect(config, &mut out);
    out
}

fn collect(config: &Config, out: &mut BTreeMap<String, Required>) {
    for (local, r) in &config.terraform.required_providers {
        let Ok(addr) = Addr::parse(&r.source) else { continue };
        let e = out.entry(local.clone()).or_insert_with(|| Required {
            req: Requirement { addr: addr.clone(), constraints: Vec::new() },
            explicit: true,
        });
        if e.req.addr == addr {
            e.req.constraints.extend(r.version.iter().cloned());
        }
    }
    let implied = config
        .resources
        .values()
        .map(|r| r.provider.split('.').next().unwrap_or_default().to_string())
        .chain(config.providers.keys().map(|k| k.split('.').next().unwrap_or_default().to_string()));
    for local in implied {
        if local.is_empty() || local == "terraform" || out.contains_key(&local) {
            continue;
        }
        if let Ok(addr) = Addr::parse(&local) {
            out.insert(local, Required { req: Requirement { addr, constraints: Vec::new() }, explicit: false });
        }
    }
    for child in config.children.values() {
        collect(child, out);
    }
}

/// Whether the built-in factory `f` is the provider at `addr`.
fn builtin_is(f: &Arc<dyn ProviderFactory>, addr: &Addr) -> bool {
    Addr::parse(f.source()).is_ok_and(|a| &a == addr)
}

/// Whether `TERRANE_PLUGIN_PROVIDERS` asks the plugin to serve all of this provider.
fn plugin_only(local: &str, addr: &Addr) -> bool {
    let Ok(v) = std::env::var("TERRANE_PLUGIN_PROVIDERS") else { return false };
    v.split(',')
        .map(str::trim)
        .any(|s| s == "all" || s == local || Addr::parse(s).is_ok_and(|a| &a == addr) && s.contains('/'))
}

/// Whether the configuration (every module) or the state needs more of provider `addr` than
/// the built-in crate `builtin` serves: a resource or data source type it lacks, or a provider
/// function (only plugins have them). If not, the plugin's schema (megabytes for
/// hashicorp/aws: 0.2 s and 125 MB to read on every command) is not read at all.
fn needs_more_than(builtin: &Arc<dyn ProviderFactory>, addr: &Addr, config: &Config, state: Option<&State>) -> bool {
    let instance = builtin.new_instance();
    let schema = instance.schema();
    let lacks = |r: &ResourceAddr| match r.mode {
        Mode::Managed => !schema.resources.contains_key(&r.type_name),
        Mode::Data => !schema.data_sources.contains_key(&r.type_name),
    };
    // A type's provider is implied by its prefix unless a `provider` argument says otherwise;
    // the prefix is enough to decide whether to read a schema.
    let ours = |r: &ResourceAddr| r.type_name.split('_').next() == Some(addr.name.as_str());
    if config.modules().iter().any(|m| m.resources.keys().any(|r| ours(r) && lacks(r))) {
        return true;
    }
    if config.sources.files().any(|(_, f)| f.text.contains("provider::")) {
        return true;
    }
    let source = addr.to_string();
    state.is_some_and(|s| {
        s.resources.iter().any(|(r, rs)| provider_address_source(&rs.provider) == Some(source.as_str()) && lacks(r))
    })
}

/// The registry for a command on `config` (and `state`, whose objects may need a plugin to
/// be destroyed): the built-in providers, with the installed plugins for what they do not
/// serve.
pub async fn registry_for(config: &Config, state: Option<&State>) -> Result<ProviderRegistry, Diagnostic> {
    let mut registry = workdir::registry();
    let reqs = requirements(config);
    let dir = data_dir();
    let locks = install::read_lock_file(std::path::Path::new("."))
        .map_err(|e| Diagnostic::error("Failed to read the dependency lock file", e))?;
    let needs_plugin =
        |local: &str, r: &Required| r.builtin(&registry, local).is_none() || locks.contains_key(&r.req.addr);
    if !reqs.iter().any(|(l, r)| needs_plugin(l, r)) {
        return Ok(registry);
    }
    let cli = install::cli_config().map_err(|e| Diagnostic::error("Invalid CLI configuration", e))?;
    let cache_dir = cache::cache_dir();
    for (local, required) in &reqs {
        let req = &required.req;
        let builtin = required.builtin(&registry, local).cloned();
        let Some(exe) = install::installed(&dir, &req.addr, &locks, &cli) else {
            if builtin.is_none() && locks.contains_key(&req.addr) {
                return Err(Diagnostic::error(
                    "Required plugins are not installed",
                    format!(
                        "The installed provider plugins are not consistent with the packages selected in the dependency lock file: {} is not installed. Run \"terrane init\" to install it.",
                        req.addr
                    ),
                ));
            }
            continue;
        };
        if let Some(b) = &builtin
            && !plugin_only(local, &req.addr)
            && !needs_more_than(b, &req.addr, config, state)
        {
            continue;
        }
        let (converted, _) = cache::load_schema(&exe, &req.addr.short(), cache_dir.as_deref())
            .await
            .map_err(|e| Diagnostic::error(e.summary, e.detail))?;
        for (name, why) in &converted.skipped {
            tracing::warn!("{}: {name} is not available: {why}", req.addr);
        }
        let plugin = Arc::new(
            PluginFactory::new(req.addr.to_string(), exe, Arc::new(converted.schema))
                .with_move_state(converted.can_move_state),
        );
        match builtin {
            Some(b) if !plugin_only(local, &req.addr) => {
                registry.register(local, Arc::new(RoutedFactory::new(b, plugin)))
            }
            _ => registry.register(local, plugin),
        }
    }
    Ok(registry)
}
