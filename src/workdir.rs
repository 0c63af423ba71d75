//! The working directory: its configuration, the selected workspace, the state backend, the
//! providers this binary offers, and taking and releasing the state lock.

use crate::ui::Ui;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use terrane_engine::config::{Config, load_dir};
use terrane_engine::diag::{Diagnostic, Diagnostics, SourceMap};
use terrane_engine::provider::ProviderRegistry;
use terrane_engine::state::{LockError, LockInfo, State, StateBackend, lock_with_timeout_until};

/// terrane's own data directory in the working directory (current workspace, ...).
pub const DATA_DIR: &str = ".terrane";

/// The providers built into this binary.
pub fn registry() -> ProviderRegistry {
    let mut r = ProviderRegistry::with_builtin();
    let backends = Arc::new(crate::backends::RemoteStateBackends);
    r.register("terraform", Arc::new(terrane_engine::builtin::TerraformFactory { backends }));
    r.register("aws", Arc::new(terrane_provider_aws::AwsFactory));
    r.register("docker", Arc::new(terrane_provider_docker::DockerFactory));
    for (name, f) in terrane_provider_utility::factories() {
        r.register(name, f);
    }
    #[cfg(feature = "fake-provider")]
    r.register("fake", Arc::new(terrane_provider_fake::FakeFactory));
    r
}

/// Terraform's data directory, whose `environment` file names the selected workspace for
/// both tools.
pub const TERRAFORM_DATA_DIR: &str = ".terraform";

/// The selected workspace: `TERRANE_WORKSPACE` or `TF_WORKSPACE`, else the name in
/// `.terraform/environment` (where `terraform workspace select` also writes it), else in
/// `.terrane/environment` (where terrane 0.1 wrote it).
pub fn workspace() -> String {
    for var in ["TERRANE_WORKSPACE", "TF_WORKSPACE"] {
        if let Ok(w) = std::env::var(var)
            && !w.is_empty()
        {
            return w;
        }
    }
    [TERRAFORM_DATA_DIR, DATA_DIR]
        .iter()
        .filter_map(|dir| std::fs::read_to_string(Path::new(dir).join("environment")).ok())
        .map(|s| s.trim().to_string())
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| "default".to_string())
}

/// Selects `name` for both tools (`.terraform/environment`); terrane 0.1's record of the
/// selection is removed so the two cannot disagree.
pub fn select_workspace(name: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(TERRAFORM_DATA_DIR)?;
    std::fs::write(Path::new(TERRAFORM_DATA_DIR).join("environment"), name)?;
    match std::fs::remove_file(Path::new(DATA_DIR).join("environment")) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Loads the configuration of the current directory, printing diagnostics. `None` on errors.
pub fn load_config(ui: &Ui) -> Option<Config> {
    let (config, diags) = load_dir(Path::new("."));
    ui.diags(&diags, &config.sources);
    (!diags.has_errors()).then_some(config)
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    humantime::parse_duration(s).map_err(|e| format!("invalid duration {s:?}: {e}"))
}

/// A held state lock; release it with [`Lock::release`] on every path.
pub struct Lock {
    backend: Arc<dyn StateBackend>,
    workspace: String,
    id: Option<String>,
}

impl Lock {
    /// Takes the lock unless locking is off, printing who holds it when it is held.
    pub async fn take(
        ui: &Ui,
        backend: &Arc<dyn StateBackend>,
        workspace: &str,
        operation: &str,
        enabled: bool,
        timeout: &str,
    ) -> Option<Lock> {
        let mut lock = Lock { backend: backend.clone(), workspace: workspace.to_string(), id: None };
        if !enabled {
            return Some(lock);
        }
        let timeout = match parse_duration(timeout) {
            Ok(t) => t,
            Err(e) => {
                ui.error("Invalid -lock-timeout", &e);
                return None;
            }
        };
        let info = LockInfo::new(operation);
        let interrupted = crate::signals::interrupted();
        match lock_with_timeout_until(backend.as_ref(), workspace, &info, timeout, interrupted).await {
            Ok(()) => {
                lock.id = Some(info.id);
                Some(lock)
            }
            Err(LockError::Held(_)) if interrupted.is_cancelled() => {
                ui.error("Operation interrupted", "Stopped waiting for the state lock; nothing was done.");
                None
            }
            Err(LockError::Held(holder)) => {
                ui.error(
                    "Error acquiring the state lock",
                    &format!("The state is locked: {}\n\n{}", backend.describe(workspace), holder.describe()),
                );
                None
            }
            Err(e) => {
                ui.error("Error acquiring the state lock", &e.to_string());
                None
            }
        }
    }

    pub async fn release(self, ui: &Ui) -> bool {
        let Some(id) = self.id else { return true };
        match self.backend.unlock(&self.workspace, &id).await {
            Ok(()) => true,
            Err(e) => {
                ui.error(
                    "Error releasing the state lock",
                    &format!("{e}\n\nThe lock ID is {id}; `terrane force-unlock {id}` removes it once you are sure no other run is active."),
                );
                false
            }
        }
    }
}

/// Reads the current workspace's state, printing errors.
pub async fn read_state(ui: &Ui, backend: &Arc<dyn StateBackend>, workspace: &str) -> Result<Option<State>, ()> {
    backend.read(workspace).await.map_err(|e| ui.error("Failed to read the state", &e.to_string()))
}

/// Prints diagnostics of a configuration-less failure.
pub fn report(ui: &Ui, d: Diagnostic, sources: Option<&SourceMap>) {
    ui.diags(&Diagnostics::from(d), sources.unwrap_or(&SourceMap::default()));
}
