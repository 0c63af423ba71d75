//! Which state backend a working directory uses: the local file (the embedded default), or S3
//! as the `backend` block says, completed by `init -backend-config` settings that are kept in
//! `.terrane/backend.json` so credentials and bucket names need not live in the repository.

use crate::workdir::DATA_DIR;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use terrane_engine::config::Config;
use terrane_engine::diag::{Diagnostic, SourceRange};
use terrane_engine::state::StateBackend;
use terrane_engine::state::local::{LocalBackend, default_paths};
use terrane_engine::value::Value;

const SAVED: &str = "backend.json";

/// A backend and its settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    #[serde(rename = "type")]
    pub kind: String,
    /// Settings of the block merged with `-backend-config`.
    pub config: BTreeMap<String, serde_json::Value>,
    /// The block's own settings, to notice when the configuration changes them.
    pub block: BTreeMap<String, serde_json::Value>,
    /// Read from `terraform init`'s record, which has no copy of the block.
    #[serde(skip)]
    pub from_terraform: bool,
}

impl Choice {
    pub fn local_default() -> Choice {
        Choice { kind: "local".into(), config: BTreeMap::new(), block: BTreeMap::new(), from_terraform: false }
    }

    fn values(&self) -> BTreeMap<String, Value> {
        self.config.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect()
    }

    /// Whether this record still stands for the configuration's `block`: the same type, and
    /// the same block settings (for `terraform init`'s record, each block setting still has
    /// the value recorded).
    pub fn unchanged(&self, block: &Choice) -> bool {
        self.kind == block.kind
            && if self.from_terraform {
                block.block.iter().all(|(k, v)| self.config.get(k) == Some(v))
            } else {
                self.block == block.block
            }
    }

    /// Whether both name the same backend with the same settings (wherever recorded).
    pub fn same_settings(&self, other: &Choice) -> bool {
        self.kind == other.kind && self.config == other.config
    }

    /// A short description for messages.
    pub fn describe(&self) -> String {
        match self.kind.as_str() {
            "s3" => format!(
                "s3 (s3://{}/{})",
                self.config.get("bucket").and_then(|v| v.as_str()).unwrap_or("?"),
                self.config.get("key").and_then(|v| v.as_str()).unwrap_or("?")
            ),
            other => other.to_string(),
        }
    }
}

fn block_of(config: Option<&Config>) -> (Choice, Option<SourceRange>) {
    match config.and_then(|c| c.terraform.backend.as_ref()) {
        Some(b) => {
            let block: BTreeMap<String, serde_json::Value> =
                b.config.iter().map(|(k, v)| (k.clone(), v.to_json())).collect();
            (
                Choice { kind: b.kind.clone(), config: block.clone(), block, from_terraform: false },
                Some(b.range.clone()),
            )
        }
        None => (Choice::local_default(), None),
    }
}

/// The backend the configuration declares, with `-backend-config` settings merged in.
pub fn configured(config: Option<&Config>, overrides: &[(String, Value)]) -> Result<Choice, Diagnostic> {
    let (mut choice, range) = block_of(config);
    if !overrides.is_empty() && choice.kind == "local" && range.is_none() {
        return Err(Diagnostic::error(
            "-backend-config needs a backend block",
            "Add a terraform { backend \"s3\" { ... } } block; -backend-config only completes its settings.",
        ));
    }
    for (k, v) in overrides {
        choice.config.insert(k.clone(), v.to_json());
    }
    validate(&choice).map_err(|d| d.at(range))?;
    Ok(choice)
}

fn validate(c: &Choice) -> Result<(), Diagnostic> {
    match c.kind.as_str() {
        "local" => Ok(()),
        "s3" => terrane_provider_aws::S3Settings::from_config(&c.values())
            .map(|_| ())
            .map_err(|e| Diagnostic::error("Invalid s3 backend settings", e)),
        other => Err(Diagnostic::error(
            "Unsupported backend type",
            format!("terrane has the \"local\" and \"s3\" backends, not \"{other}\"."),
        )),
    }
}

/// Opens the backend a choice names.
pub fn open(c: &Choice) -> Result<Arc<dyn StateBackend>, Diagnostic> {
    match c.kind.as_str() {
        "s3" => {
            let s = terrane_provider_aws::S3Settings::from_config(&c.values())
                .map_err(|e| Diagnostic::error("Invalid s3 backend settings", e))?;
            Ok(Arc::new(terrane_provider_aws::S3Backend::new(s)))
        }
        "local" => Ok(Arc::new(local(c))),
        other => Err(Diagnostic::error(
            "Unsupported backend type",
            format!("terrane has the \"local\" and \"s3\" backends, not \"{other}\"."),
        )),
    }
}

/// The backends `terraform_remote_state` reads: the engine's `local` (Terraform's file
/// names as defaults) and `s3`.
pub struct RemoteStateBackends;

impl terrane_engine::builtin::BackendOpener for RemoteStateBackends {
    fn open(&self, kind: &str, config: &BTreeMap<String, Value>) -> Result<Arc<dyn StateBackend>, Option<String>> {
        match kind {
            "s3" => {
                let s = terrane_provider_aws::S3Settings::from_config(config).map_err(Some)?;
                Ok(Arc::new(terrane_provider_aws::S3Backend::new(s)))
            }
            "local" => Ok(Arc::new(terrane_engine::builtin::local_backend(config)?)),
            _ => Err(None),
        }
    }
}

fn local(c: &Choice) -> LocalBackend {
    let (file, workspaces) = default_paths(Path::new(""));
    let setting = |k: &str, default: PathBuf| c.config.get(k).and_then(|v| v.as_str()).map_or(default, PathBuf::from);
    LocalBackend::new(setting("path", file), setting("workspace_dir", workspaces))
}

/// After a workspace's state moved from a local backend to another one, the local file is
/// renamed to `<file>.migrated` (kept as a safety copy, no longer read as state), so going
/// back to `local` later cannot pick up the stale copy. Returns the new name.
pub fn retire_local_state(c: &Choice, workspace: &str) -> Option<PathBuf> {
    if c.kind != "local" {
        return None;
    }
    let path = local(c).state_path(workspace);
    let mut retired = path.clone().into_os_string();
    retired.push(".migrated");
    let retired = PathBuf::from(retired);
    std::fs::rename(&path, &retired).ok().map(|_| retired)
}

/// Checks what reading the state cannot tell: for S3, that the bucket is in the configured
/// region (S3-compatible endpoints may serve a bucket through any region).
pub async fn check(c: &Choice) -> Result<(), String> {
    match c.kind.as_str() {
        "s3" => {
            let s = terrane_provider_aws::S3Settings::from_config(&c.values())?;
            terrane_provider_aws::S3Backend::new(s).check_region().await.map_err(|e| e.to_string())
        }
        _ => Ok(()),
    }
}

/// What `init` recorded, if anything: terrane's record, or `terraform init`'s (the
/// `backend` of `.terraform/terraform.tfstate`), whichever was written last.
pub fn saved() -> Option<Choice> {
    let ours = Path::new(DATA_DIR).join(SAVED);
    let theirs = Path::new(crate::workdir::TERRAFORM_DATA_DIR).join("terraform.tfstate");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let from_ours = || serde_json::from_slice(&std::fs::read(&ours).ok()?).ok();
    match (modified(&ours), modified(&theirs)) {
        (Some(a), Some(b)) if b > a => terraform_saved(&theirs).or_else(from_ours),
        (Some(_), _) => from_ours(),
        (None, Some(_)) => terraform_saved(&theirs),
        (None, None) => None,
    }
}

/// The backend `terraform init` recorded in `.terraform/terraform.tfstate`: its type and
/// every setting it has (`-backend-config` ones included; unset ones are `null` there).
/// Terraform keeps no separate copy of the block, so the block is taken to be unchanged
/// while each of its settings still has the recorded value ([`Choice::unchanged`]).
fn terraform_saved(path: &Path) -> Option<Choice> {
    fn strip_nulls(v: serde_json::Value) -> Option<serde_json::Value> {
        match v {
            serde_json::Value::Null => None,
            serde_json::Value::Object(m) => {
                let m: serde_json::Map<_, _> = m.into_iter().filter_map(|(k, v)| Some((k, strip_nulls(v)?))).collect();
                (!m.is_empty()).then_some(serde_json::Value::Object(m))
            }
            other => Some(other),
        }
    }
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    let backend = doc.get("backend")?;
    let kind = backend.get("type")?.as_str()?.to_string();
    let config: BTreeMap<String, serde_json::Value> = match backend.get("config").cloned().and_then(strip_nulls) {
        Some(serde_json::Value::Object(m)) => m.into_iter().collect(),
        _ => BTreeMap::new(),
    };
    Some(Choice { kind, config, block: BTreeMap::new(), from_terraform: true })
}

pub fn save(c: &Choice) -> std::io::Result<()> {
    std::fs::create_dir_all(DATA_DIR)?;
    let path = Path::new(DATA_DIR).join(SAVED);
    std::fs::write(&path, serde_json::to_vec_pretty(c).unwrap_or_default())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(())
}

/// The backend for commands other than `init`: the local default needs no `init`; any other
/// backend must have been initialized with the settings the configuration now has.
pub fn current(config: Option<&Config>) -> Result<Arc<dyn StateBackend>, Diagnostic> {
    let (block, range) = block_of(config);
    let saved = saved();
    if block.kind == "local" {
        if let Some(s) = saved.as_ref().filter(|s| s.kind != "local") {
            return Err(Diagnostic::error(
                "Backend initialization required",
                format!("The state is in the {} backend, but the configuration no longer declares it. Run `terrane init -migrate-state` to move the state back to a local file, or restore the backend block.", s.describe()),
            )
            .at(range));
        }
        return open(&block);
    }
    match saved {
        Some(s) if s.unchanged(&block) => open(&s),
        Some(s) => Err(Diagnostic::error(
            "Backend configuration changed",
            format!("The backend settings changed since `terrane init` (it recorded {}). Run `terrane init -migrate-state` to move the state, or `terrane init -reconfigure` to use the new settings without moving it.", s.describe()),
        )
        .at(range)),
        None => Err(Diagnostic::error(
            "Backend initialization required",
            format!("The configuration uses the \"{}\" backend, which has not been initialized in this directory. Run `terrane init` (with -backend-config for settings kept out of the configuration).", block.kind),
        )
        .at(range)),
    }
}

/// Parses `-backend-config` arguments: `KEY=VALUE`, or a file of `key = value` lines (HCL).
pub fn parse_overrides(args: &[String]) -> Result<Vec<(String, Value)>, Diagnostic> {
    let mut out = Vec::new();
    for a in args {
        if let Some((k, v)) = a.split_once('=').filter(|(k, _)| !k.contains('/') && !Path::new(a).exists()) {
            out.push((k.trim().to_string(), Value::from(v)));
            continue;
        }
        let text = std::fs::read_to_string(a).map_err(|e| {
            Diagnostic::error("Invalid -backend-config", format!("{a} is neither KEY=VALUE nor a readable file: {e}"))
        })?;
        let (body, diags) = terrane_engine::hcl::parse_config(text.as_bytes(), a);
        if let Some(d) = diags.first() {
            return Err(Diagnostic::error("Invalid -backend-config file", format!("{a}: {}; {}", d.summary, d.detail)));
        }
        if !body.blocks.is_empty() {
            return Err(Diagnostic::error(
                "Invalid -backend-config file",
                format!("{a} may hold only `key = value` lines"),
            ));
        }
        let source = std::sync::Arc::new(terrane_engine::diag::SourceFile {
            name: a.clone(),
            text: std::sync::Arc::from(text.as_str()),
        });
        for attr in body.attributes {
            let key = attr.name.clone();
            let v = terrane_engine::eval::eval_constant(&terrane_engine::config::Expr::new(0, attr.expr, &source))
                .map_err(|d| {
                    let first = d.0.first().map(|d| d.detail.clone()).unwrap_or_default();
                    Diagnostic::error("Invalid -backend-config file", format!("{a}: {key}: {first}"))
                })?;
            out.push((key, v));
        }
    }
    Ok(out)
}
