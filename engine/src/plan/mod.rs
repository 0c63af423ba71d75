//! The plan: plain, versioned, serializable data. Planning decides it ([`planner`]);
//! rendering ([`render`]) never decides anything.

pub mod compat;
pub mod diff;
mod encode;
pub(crate) mod ignore;
pub mod moves;
pub mod planner;
pub mod provenance;
pub mod render;
mod upgrade;
pub mod verify;

use crate::addr::InstanceAddr;
use crate::value::{PathStep, Value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Bumped whenever the saved plan format changes incompatibly.
pub const PLAN_FORMAT_VERSION: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum PlanMode {
    #[default]
    Normal,
    Destroy,
    RefreshOnly,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    NoOp,
    Create,
    Read,
    Update,
    /// Delete the old object, then create the new one.
    DeleteThenCreate,
    /// Create the new object first (`create_before_destroy`), then delete the old one.
    CreateThenDelete,
    Delete,
    /// Drop the object from the state without destroying it (`removed` with `destroy = false`).
    Forget,
}

impl Action {
    pub fn is_replace(self) -> bool {
        matches!(self, Action::DeleteThenCreate | Action::CreateThenDelete)
    }

    pub fn deletes(self) -> bool {
        matches!(self, Action::Delete | Action::DeleteThenCreate | Action::CreateThenDelete)
    }

    /// Terraform's JSON `actions` list.
    pub fn json_actions(self) -> &'static [&'static str] {
        match self {
            Action::NoOp => &["no-op"],
            Action::Create => &["create"],
            Action::Read => &["read"],
            Action::Update => &["update"],
            Action::DeleteThenCreate => &["delete", "create"],
            Action::CreateThenDelete => &["create", "delete"],
            Action::Delete => &["delete"],
            Action::Forget => &["forget"],
        }
    }

    /// The symbol in the text rendering.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::NoOp => " ",
            Action::Create => "+",
            Action::Read => "<=",
            Action::Update => "~",
            Action::DeleteThenCreate => "-/+",
            Action::CreateThenDelete => "+/-",
            Action::Delete => "-",
            Action::Forget => ".",
        }
    }
}

/// Why an action was chosen where the action alone does not say (Terraform's
/// `action_reason` values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    ReplaceBecauseTainted,
    ReplaceBecauseCannotUpdate,
    ReplaceByRequest,
    ReplaceByTriggers,
    DeleteBecauseNoResourceConfig,
    DeleteBecauseNoModule,
    DeleteBecauseNoMoveTarget,
    DeleteBecauseCountIndex,
    DeleteBecauseEachKey,
    ReadBecauseConfigUnknown,
    ReadBecauseDependencyPending,
}

/// One planned change to one resource instance object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResourceChange {
    pub addr: InstanceAddr,
    /// Set when the change concerns a deposed object (an old object left by an interrupted
    /// create-before-destroy replacement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposed: Option<String>,
    /// Provider configuration key (`aws`, `aws.west`).
    pub provider: String,
    /// Provider address as state files write it.
    pub provider_address: String,
    pub action: Action,
    pub before: Value,
    pub after: Value,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replace_paths: Vec<Vec<PathStep>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutputChange {
    pub name: String,
    pub action: Action,
    pub before: Value,
    pub after: Value,
    pub sensitive: bool,
}

/// Identifies the stored state a plan was made from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateRef {
    pub lineage: String,
    pub serial: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Plan {
    pub format_version: u32,
    pub terrane_version: String,
    pub mode: PlanMode,
    pub workspace: String,
    /// The stored state the plan was made from (`None`: there was none).
    pub base: Option<StateRef>,
    /// Input variable values, converted to their types.
    pub variables: BTreeMap<String, Value>,
    pub changes: Vec<ResourceChange>,
    /// Changes made outside terrane, found by refreshing.
    pub drift: Vec<ResourceChange>,
    pub outputs: Vec<OutputChange>,
    #[serde(default)]
    pub targets: Vec<String>,
    #[serde(default)]
    pub replace: Vec<String>,
    /// The configuration the plan was made from: (file name, text). Applying a saved plan
    /// uses this, not the files on disk.
    pub config: Vec<(String, String)>,
    /// The directory the configuration was loaded from (for `path.module`).
    pub config_dir: String,
    /// The refreshed prior state that apply starts from (Terraform v4 JSON in the file).
    pub prior_state: crate::state::State,
    /// Set when planning stopped on errors; such a plan cannot be applied.
    #[serde(default)]
    pub errored: bool,
    pub created: String,
    /// Objects `moved` blocks move to new addresses (already moved in `prior_state`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moves: Vec<Move>,
    /// Objects `import` blocks bring under management (already read into `prior_state`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub imports: Vec<ImportTarget>,
    /// Objects a crashed apply created without recording them, found again by their creation
    /// tokens (already in `prior_state`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adopted: Vec<InstanceAddr>,
    /// Why each change happens ([`provenance`]), by address.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub causes: BTreeMap<String, Vec<provenance::Cause>>,
    /// The results of conditions, check blocks and validation rules (Terraform's plan
    /// `Checks`).
    #[serde(default, skip_serializing_if = "crate::checks::CheckResults::is_empty")]
    pub checks: crate::checks::CheckResults,
}

/// An object moved from one address to another by a `moved` block.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Move {
    pub from: InstanceAddr,
    pub to: InstanceAddr,
}

/// An object imported by an `import` block.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportTarget {
    pub addr: InstanceAddr,
    pub id: String,
}

/// Counts for the `Plan: N to add, N to change, N to destroy.` line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub add: usize,
    pub change: usize,
    pub destroy: usize,
    pub read: usize,
    pub import: usize,
    pub forget: usize,
    pub moved: usize,
    pub adopt: usize,
}

impl Plan {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for c in &self.changes {
            match c.action {
                Action::Create => s.add += 1,
                Action::Update => s.change += 1,
                Action::Delete => s.destroy += 1,
                Action::DeleteThenCreate | Action::CreateThenDelete => {
                    s.add += 1;
                    s.destroy += 1;
                }
                Action::Read => s.read += 1,
                Action::Forget => s.forget += 1,
                Action::NoOp => {}
            }
        }
        s.import = self.imports.len();
        s.moved = self.moves.len();
        s.adopt = self.adopted.len();
        s
    }

    /// Whether the object was created by an interrupted apply and found again.
    pub fn was_adopted(&self, addr: &InstanceAddr) -> bool {
        self.adopted.contains(addr)
    }

    /// The address an object had before a `moved` block moved it.
    pub fn moved_from(&self, addr: &InstanceAddr) -> Option<&InstanceAddr> {
        self.moves.iter().find(|m| &m.to == addr).map(|m| &m.from)
    }

    /// The causes recorded for a change.
    pub fn causes_of(&self, c: &ResourceChange) -> &[provenance::Cause] {
        let key = match &c.deposed {
            Some(d) => format!("{} (deposed {d})", c.addr),
            None => c.addr.to_string(),
        };
        self.causes.get(&key).map_or(&[], Vec::as_slice)
    }

    /// The id an object is imported with, when an `import` block brings it in.
    pub fn import_id(&self, addr: &InstanceAddr) -> Option<&str> {
        self.imports.iter().find(|i| &i.addr == addr).map(|i| i.id.as_str())
    }

    /// Whether applying would change anything: resources, outputs, or (refresh-only) the
    /// recorded state.
    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| c.action != Action::NoOp && c.action != Action::Read)
            || self.outputs.iter().any(|o| o.action != Action::NoOp)
            || (self.mode == PlanMode::RefreshOnly && !self.drift.is_empty())
            || !self.moves.is_empty()
            || !self.imports.is_empty()
            || !self.adopted.is_empty()
    }

    pub fn change(&self, addr: &InstanceAddr) -> Option<&ResourceChange> {
        self.changes.iter().find(|c| &c.addr == addr && c.deposed.is_none())
    }

    /// Serializes the plan for `-out`, ending with a `checksum` field: the SHA-256 of the bytes
    /// before it, so a damaged, truncated or edited file is refused instead of half-used.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec(self).unwrap_or_default();
        if bytes.pop() != Some(b'}') {
            return Vec::new();
        }
        let sum = checksum(&bytes);
        bytes.extend_from_slice(format!(",\"checksum\":\"{sum}\"}}").as_bytes());
        bytes
    }

    /// Reads a saved plan, refusing other formats and versions, and damaged files, with a
    /// clear message.
    pub fn from_bytes(bytes: &[u8]) -> Result<Plan, String> {
        let mut head: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
            if bytes.starts_with(b"{\"") && bytes.windows(16).any(|w| w == b"\"format_version\"") {
                format!("the plan file is damaged or truncated ({e}); make the plan again")
            } else {
                "the file is not a terrane plan (a Terraform plan file cannot be applied by terrane)".to_string()
            }
        })?;
        let version = head.get("format_version").and_then(serde_json::Value::as_u64);
        if version != Some(u64::from(PLAN_FORMAT_VERSION)) {
            return Err(format!(
                "the plan was saved in format {} by terrane {}; this terrane reads format {PLAN_FORMAT_VERSION}. Make the plan again.",
                version.map_or("?".to_string(), |v| v.to_string()),
                head.get("terrane_version").and_then(serde_json::Value::as_str).unwrap_or("?")
            ));
        }
        // The checksum is the last field: `,"checksum":"sha256:<64 hex>"}`.
        const TAIL: usize = ",\"checksum\":\"sha256:\"}".len() + 64;
        let stored = head.as_object_mut().and_then(|m| m.remove("checksum"));
        let body = bytes.len().checked_sub(TAIL).map(|n| &bytes[..n]);
        match (stored.as_ref().and_then(serde_json::Value::as_str), body) {
            (Some(sum), Some(body))
                if bytes.ends_with(format!(",\"checksum\":\"{sum}\"}}").as_bytes()) && sum == checksum(body) => {}
            (Some(_), _) => {
                return Err(
                    "the plan file is damaged or was edited (its checksum does not match); make the plan again".into(),
                );
            }
            (None, _) => return Err("the plan file has no checksum, so it may be damaged; make the plan again".into()),
        }
        serde_json::from_value(head).map_err(|e| format!("the plan file is damaged: {e}"))
    }
}

/// `sha256:<hex>` of a saved plan's bytes before its checksum field.
fn checksum(body: &[u8]) -> String {
    use sha2::Digest;
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(body)))
}
