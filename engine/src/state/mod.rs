//! State: what terrane last recorded of each resource, in Terraform's v4 JSON shape so that
//! existing tooling can read it; backends that store it ([`local`]) behind [`StateBackend`].

mod backend;
mod codec;
pub mod local;
mod statelock;

pub use backend::{LockError, LockInfo, StateBackend, StateError, lock_with_timeout, lock_with_timeout_until};
pub(crate) use codec::typed_json as codec_typed;
pub use codec::{Attributes, object_from_value, value_from_object};

use crate::addr::{InstanceKey, ResourceAddr};
use crate::value::{PathStep, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The whole recorded state of one workspace.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    pub serial: u64,
    pub lineage: String,
    /// The version that last wrote this state.
    pub terraform_version: String,
    pub outputs: BTreeMap<String, OutputState>,
    pub resources: BTreeMap<ResourceAddr, ResourceState>,
    /// The root module's input variables as of the last complete apply, so a later plan can
    /// say which input changed (`var.image_tag` "1.0" → "1.1"). A terrane extension of the
    /// v4 format (`terrane_inputs`), which Terraform ignores.
    pub inputs: BTreeMap<String, RecordedInput>,
    /// Creates an apply started and had not finished recording when it last wrote the state
    /// (`terrane_pending_creates`). After a crash, the next plan asks the provider for each
    /// one whether its creation token made an object, and adopts what it finds instead of
    /// creating a twin.
    pub pending: BTreeMap<crate::addr::InstanceAddr, PendingCreate>,
    /// The results of conditions, check blocks and validation rules as of the last apply
    /// (`check_results`).
    pub check_results: crate::checks::CheckResults,
}

/// A create that was about to be made: enough to find what it made.
#[derive(Clone, Debug, PartialEq)]
pub struct PendingCreate {
    pub addr: crate::addr::InstanceAddr,
    /// Provider configuration key (`aws`, `aws.west`) and its address in the state.
    pub provider: String,
    pub provider_address: String,
    /// The idempotency token the create was given.
    pub token: String,
    /// The planned object, unknown values as null (names and tags to look for).
    pub planned: serde_json::Value,
}

/// A new create token: `terrane-` and a UUID version 7, whose first 48 bits are the Unix time
/// in milliseconds at which the create was recorded (RFC 9562). A provider that finds what a
/// killed create made by a unique name rather than a mark on the object reads that time back
/// ([`create_token_time`]), so an object that had the name before the create started is
/// never taken for the create's.
pub fn new_create_token() -> String {
    format!("terrane-{}", uuid::Uuid::now_v7().simple())
}

/// The token of a create recorded at `t` (tests).
pub fn create_token_at(t: std::time::SystemTime) -> String {
    let d = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let ts = uuid::Timestamp::from_unix(uuid::NoContext, d.as_secs(), d.subsec_nanos());
    format!("terrane-{}", uuid::Uuid::new_v7(ts).simple())
}

/// When the create of `token` was recorded (tokens made by [`new_create_token`]); `None`
/// for tokens without a time (version 4, written before tokens carried one).
pub fn create_token_time(token: &str) -> Option<std::time::SystemTime> {
    let u = uuid::Uuid::parse_str(token.strip_prefix("terrane-")?).ok()?;
    let (secs, nanos) = u.get_timestamp()?.to_unix();
    Some(std::time::UNIX_EPOCH + std::time::Duration::new(secs, nanos))
}

/// One recorded input variable: its value, or for a sensitive variable only a digest, so the
/// state never gains a copy of a secret and a change can still be detected.
#[derive(Clone, Debug, PartialEq)]
pub enum RecordedInput {
    /// The value as typed JSON (the way outputs are stored).
    Value { value: serde_json::Value, ty: serde_json::Value },
    /// `sha256:<hex>` of the lineage and the value's JSON.
    Sensitive { digest: String },
}

impl RecordedInput {
    /// Records `v` (a variable's value, marked sensitive where it is).
    pub fn record(lineage: &str, v: &Value, sensitive: bool) -> RecordedInput {
        if sensitive || v.contains_sensitive() {
            RecordedInput::Sensitive { digest: Self::digest(lineage, v) }
        } else {
            RecordedInput::Value { value: v.to_json(), ty: v.ty().to_json() }
        }
    }

    /// The digest a sensitive value is recorded as.
    pub fn digest(lineage: &str, v: &Value) -> String {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        h.update(lineage.as_bytes());
        h.update([0]);
        h.update(serde_json::to_vec(&v.clone().deep_unmark().to_json()).unwrap_or_default());
        format!("sha256:{}", hex::encode(h.finalize()))
    }

    /// Whether `v` is the value recorded (compared by digest when sensitive).
    pub fn matches(&self, lineage: &str, v: &Value) -> bool {
        match self {
            RecordedInput::Value { value, ty } => codec_typed(value, ty).lang_eq(&v.clone().deep_unmark()),
            RecordedInput::Sensitive { digest } => *digest == Self::digest(lineage, v),
        }
    }

    /// The recorded value, unless it was recorded only as a digest.
    pub fn value(&self) -> Option<Value> {
        match self {
            RecordedInput::Value { value, ty } => Some(codec_typed(value, ty)),
            RecordedInput::Sensitive { .. } => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct OutputState {
    pub value: serde_json::Value,
    /// cty JSON type of the value.
    pub ty: serde_json::Value,
    pub sensitive: bool,
}

impl OutputState {
    /// The value, of its recorded type, marked when the output is sensitive.
    pub fn typed_value(&self) -> Value {
        codec_typed(&self.value, &self.ty).mark_if(self.sensitive)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ResourceState {
    /// Provider configuration address, `provider["registry.terraform.io/hashicorp/aws"].west`.
    pub provider: String,
    /// Whether the config used `count` (keys are ints) or `for_each` (strings); kept so the
    /// shape survives a round trip.
    pub each: EachMode,
    pub instances: BTreeMap<InstanceKey, InstanceObjects>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EachMode {
    Single,
    List,
    Map,
}

/// The objects of one instance: its current object, and old objects deposed by a
/// create-before-destroy replacement that have not been deleted yet.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct InstanceObjects {
    pub current: Option<ObjectState>,
    pub deposed: BTreeMap<String, ObjectState>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObjectState {
    pub schema_version: u64,
    /// Attributes as stored (JSON text); converted to values with the resource's schema.
    pub attributes: Attributes,
    pub sensitive_paths: Vec<Vec<PathStep>>,
    /// Shared: the instances of one resource usually record the same list.
    pub dependencies: Arc<[ResourceAddr]>,
    pub status: ObjectStatus,
    pub create_before_destroy: bool,
    /// The provider's private data, base64 as Terraform records it.
    pub private: Option<String>,
}

impl ObjectState {
    /// The provider's private data, decoded.
    pub fn private_bytes(&self) -> Option<Vec<u8>> {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.decode(self.private.as_deref()?).ok().filter(|b| !b.is_empty())
    }

    /// Private data as recorded: base64, or none when empty.
    pub fn encode_private(bytes: Option<&[u8]>) -> Option<String> {
        use base64::Engine;
        bytes.filter(|b| !b.is_empty()).map(|b| base64::engine::general_purpose::STANDARD.encode(b))
    }

    /// A ready object with no recorded dependencies (data sources, imported objects).
    pub fn plain(value: &crate::value::Value, schema: &crate::schema::ResourceSchema) -> ObjectState {
        let (attributes, sensitive_paths) = object_from_value(value, &schema.block);
        ObjectState {
            schema_version: schema.version,
            attributes,
            sensitive_paths,
            dependencies: Arc::from([]),
            status: ObjectStatus::Ready,
            create_before_destroy: false,
            private: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ObjectStatus {
    #[default]
    Ready,
    /// Created but not known to be healthy (a failed create or postcondition): replaced by
    /// the next apply.
    Tainted,
}

/// The recorded resources inside modules, by the configuration block (static address) each
/// belongs to.
pub fn index_by_block(state: &State) -> std::collections::HashMap<ResourceAddr, Vec<ResourceAddr>> {
    let mut index: std::collections::HashMap<ResourceAddr, Vec<ResourceAddr>> = std::collections::HashMap::new();
    for addr in state.resources.keys().filter(|a| !a.module.is_empty()) {
        index.entry(addr.static_addr()).or_default().push(addr.clone());
    }
    index
}

impl State {
    /// A new, empty state with a fresh lineage.
    pub fn new() -> State {
        State {
            serial: 0,
            lineage: uuid::Uuid::new_v4().to_string(),
            terraform_version: crate::VERSION.to_string(),
            outputs: BTreeMap::new(),
            resources: BTreeMap::new(),
            inputs: BTreeMap::new(),
            pending: BTreeMap::new(),
            check_results: Default::default(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.resources.values().all(|r| r.instances.is_empty()) && self.outputs.is_empty()
    }

    pub fn resource(&self, addr: &ResourceAddr) -> Option<&ResourceState> {
        self.resources.get(addr)
    }

    pub fn object(&self, addr: &ResourceAddr, key: &InstanceKey) -> Option<&ObjectState> {
        self.resources.get(addr)?.instances.get(key)?.current.as_ref()
    }

    /// Sets (or, with `None`, removes) the current object of an instance, dropping empty entries.
    pub fn set_object(&mut self, addr: &ResourceAddr, key: &InstanceKey, provider: &str, obj: Option<ObjectState>) {
        let res = self.resources.entry(addr.clone()).or_insert_with(|| ResourceState {
            provider: provider.to_string(),
            each: match key {
                InstanceKey::None => EachMode::Single,
                InstanceKey::Int(_) => EachMode::List,
                InstanceKey::Str(_) => EachMode::Map,
            },
            instances: BTreeMap::new(),
        });
        res.provider = provider.to_string();
        let inst = res.instances.entry(key.clone()).or_default();
        inst.current = obj;
        self.prune(addr, key);
    }

    /// Moves the current object of an instance to a deposed slot; returns the slot key.
    pub fn depose(&mut self, addr: &ResourceAddr, key: &InstanceKey) -> Option<String> {
        let inst = self.resources.get_mut(addr)?.instances.get_mut(key)?;
        let obj = inst.current.take()?;
        let dk = deposed_key();
        inst.deposed.insert(dk.clone(), obj);
        Some(dk)
    }

    pub fn remove_deposed(&mut self, addr: &ResourceAddr, key: &InstanceKey, deposed: &str) {
        if let Some(inst) = self.resources.get_mut(addr).and_then(|r| r.instances.get_mut(key)) {
            inst.deposed.remove(deposed);
        }
        self.prune(addr, key);
    }

    fn prune(&mut self, addr: &ResourceAddr, key: &InstanceKey) {
        if let Some(res) = self.resources.get_mut(addr) {
            if res.instances.get(key).is_some_and(|i| i.current.is_none() && i.deposed.is_empty()) {
                res.instances.remove(key);
            }
            if res.instances.is_empty() {
                self.resources.remove(addr);
            }
        }
    }

    /// Every instance with a current object, in address order.
    pub fn instances(&self) -> impl Iterator<Item = (&ResourceAddr, &InstanceKey, &ObjectState)> {
        self.resources
            .iter()
            .flat_map(|(addr, r)| r.instances.iter().filter_map(move |(k, i)| i.current.as_ref().map(|o| (addr, k, o))))
    }

    /// Parses a state file (Terraform v4 JSON).
    pub fn from_json(bytes: &[u8]) -> Result<State, StateError> {
        codec::decode(bytes)
    }

    /// Serializes to Terraform v4 JSON, pretty-printed as Terraform writes it.
    pub fn to_json(&self) -> Vec<u8> {
        codec::encode(self)
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

/// A random 8-hex-digit key for a deposed object, as Terraform makes them.
fn deposed_key() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..8].to_string()
}

/// The provider address state files record for a provider source and optional alias.
pub fn provider_address(source: &str, alias: Option<&str>) -> String {
    let fq = provider_fqn(source);
    match alias {
        Some(a) => format!("provider[\"{fq}\"].{a}"),
        None => format!("provider[\"{fq}\"]"),
    }
}

/// A provider source fully qualified: `hashicorp/aws` → `registry.terraform.io/hashicorp/aws`.
pub fn provider_fqn(source: &str) -> String {
    if source.matches('/').count() >= 2 { source.to_string() } else { format!("registry.terraform.io/{source}") }
}

/// The provider local name and alias of a state provider address.
pub fn parse_provider_address(addr: &str) -> Option<(String, Option<String>)> {
    let (source, tail) = split_provider_address(addr)?;
    let name = source.rsplit('/').next()?.to_string();
    let alias = tail.strip_prefix('.').map(str::to_string);
    Some((name, alias))
}

/// The fully qualified provider source of a state provider address
/// (`provider["registry.terraform.io/hashicorp/null"].x` → `registry.terraform.io/hashicorp/null`).
pub fn provider_address_source(addr: &str) -> Option<&str> {
    split_provider_address(addr).map(|(source, _)| source)
}

/// A state provider address's source and what follows it (`.alias`, or nothing).
fn split_provider_address(addr: &str) -> Option<(&str, &str)> {
    addr.strip_prefix("provider[\"")?.split_once("\"]")
}

#[cfg(test)]
mod tests;
