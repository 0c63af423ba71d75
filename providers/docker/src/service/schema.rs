//! The `docker_service` object, as kreuzwerker/docker declares it: one typed definition from
//! which the schema, the reading of a planned or prior object and the object a read returns
//! all come. Blocks written at most once are recorded (as in kreuzwerker/docker, whose SDK has
//! no single blocks) as a list of one object, or none: `task_spec[0].container_spec[0].image`;
//! here they are `Option` fields of `block = "list", max = 1`.

use crate::labels::Label;
use std::collections::{BTreeMap, BTreeSet};
use terrane_engine::model::Model;
use terrane_engine::schema::Schema;

type Strings = Option<Vec<String>>;
type StringSet = Option<BTreeSet<String>>;
type StringMap = Option<BTreeMap<String, String>>;

/// A `docker_service` object. Recorded as schema version 2, kreuzwerker/docker's: see
/// [`crate::upgrade`].
#[derive(Model, Clone, Debug, Default)]
pub struct ServiceObject {
    #[model(computed)]
    pub id: Option<String>,
    #[model(required, force_new)]
    pub name: String,
    #[model(block = "set", computed)]
    pub labels: Vec<Label>,
    #[model(block = "list", min = 1, max = 1)]
    pub task_spec: Option<TaskSpecBlock>,
    #[model(block = "list", max = 1, computed)]
    pub mode: Option<Mode>,
    #[model(block = "list", max = 1, computed)]
    pub update_config: Option<Rollout>,
    #[model(block = "list", max = 1, computed)]
    pub rollback_config: Option<Rollout>,
    #[model(block = "list", max = 1, computed)]
    pub endpoint_spec: Option<EndpointSpecBlock>,
    /// terrane's wait after a create or update; the daemon knows nothing of it.
    #[model(block = "list", max = 1)]
    pub converge_config: Option<ConvergeConfig>,
    /// Registry credentials for this service's image; not sent back by the daemon.
    #[model(block = "list", max = 1)]
    pub auth: Option<Auth>,
}

pub fn schema() -> Schema {
    ServiceObject::schema()
}

#[derive(Model, Clone, Debug, Default)]
pub struct TaskSpecBlock {
    #[model(optional, computed)]
    pub force_update: Option<i64>,
    #[model(optional, computed)]
    pub runtime: Option<String>,
    #[model(block = "list", min = 1, max = 1)]
    pub container_spec: Option<ContainerSpecBlock>,
    #[model(block = "list", max = 1, computed)]
    pub resources: Option<Resources>,
    #[model(block = "list", max = 1, computed)]
    pub restart_policy: Option<RestartPolicy>,
    #[model(block = "list", max = 1, computed)]
    pub placement: Option<Placement>,
    #[model(block = "set")]
    pub networks_advanced: Vec<NetworkAttachment>,
    #[model(block = "list", max = 1)]
    pub log_driver: Option<LogDriver>,
}

#[derive(Model, Clone, Debug, Default)]
pub struct ContainerSpecBlock {
    #[model(required)]
    pub image: String,
    #[model(optional)]
    pub command: Strings,
    #[model(optional)]
    pub args: Strings,
    #[model(optional)]
    pub hostname: Option<String>,
    #[model(optional)]
    pub env: StringMap,
    #[model(optional)]
    pub dir: Option<String>,
    #[model(optional)]
    pub user: Option<String>,
    #[model(optional)]
    pub groups: Strings,
    #[model(optional)]
    pub read_only: Option<bool>,
    #[model(optional)]
    pub stop_signal: Option<String>,
    #[model(optional, computed)]
    pub stop_grace_period: Option<String>,
    #[model(optional, default = "default")]
    pub isolation: String,
    #[model(optional)]
    pub sysctl: StringMap,
    #[model(optional)]
    pub cap_add: Strings,
    #[model(optional)]
    pub cap_drop: Strings,
    #[model(block = "set")]
    pub labels: Vec<Label>,
    #[model(block = "list", max = 1)]
    pub privileges: Option<Privileges>,
    #[model(block = "set")]
    pub mounts: Vec<MountBlock>,
    #[model(block = "list", max = 1, computed)]
    pub healthcheck: Option<Healthcheck>,
    #[model(block = "set")]
    pub hosts: Vec<Host>,
    #[model(block = "list", max = 1, computed)]
    pub dns_config: Option<DnsConfig>,
    #[model(block = "set")]
    pub secrets: Vec<SecretRef>,
    #[model(block = "set")]
    pub configs: Vec<ConfigRef>,
}

#[derive(Model, Clone, Debug, Default)]
pub struct Privileges {
    #[model(block = "list", max = 1)]
    pub credential_spec: Option<CredentialSpec>,
    #[model(block = "list", max = 1)]
    pub se_linux_context: Option<SeLinuxContext>,
}

#[derive(Model, Clone, Debug, Default)]
pub struct CredentialSpec {
    #[model(optional)]
    pub file: Option<String>,
    #[model(optional)]
    pub registry: Option<String>,
}

#[derive(Model, Clone, Debug, Default)]
pub struct SeLinuxContext {
    #[model(optional)]
    pub disable: Option<bool>,
    #[model(optional)]
    pub user: Option<String>,
    #[model(optional)]
    pub role: Option<String>,
    #[model(optional, name = "type")]
    pub kind: Option<String>,
    #[model(optional)]
    pub level: Option<String>,
}

#[derive(Model, Clone, Debug, Default)]
pub struct MountBlock {
    #[model(required)]
    pub target: String,
    #[model(optional)]
    pub source: Option<String>,
    #[model(required, name = "type")]
    pub kind: String,
    #[model(optional)]
    pub read_only: Option<bool>,
    #[model(block = "list", max = 1)]
    pub bind_options: Option<BindOptions>,
    #[model(block = "list", max = 1)]
    pub volume_options: Option<VolumeOptions>,
    #[model(block = "list", max = 1)]
    pub tmpfs_options: Option<TmpfsOptions>,
}

#[derive(Model, Clone, Debug, Default)]
pub struct BindOptions {
    #[model(optional, default = "rprivate")]
    pub propagation: String,
}

#[derive(Model, Clone, Debug, Default)]
pub struct VolumeOptions {
    #[model(optional)]
    pub no_copy: Option<bool>,
    #[model(optional)]
    pub driver_name: Option<String>,
    #[model(optional)]
    pub driver_options: StringMap,
    #[model(block = "set")]
    pub labels: Vec<Label>,
}

#[derive(Model, Clone, Debug, Default)]
pub struct TmpfsOptions {
    #[model(optional)]
    pub size_bytes: Option<i64>,
    #[model(optional)]
    pub mode: Option<i64>,
}

#[derive(Model, Clone, Debug, Default)]
pub struct Healthcheck {
    #[model(optional)]
    pub test: Strings,
    #[model(optional, default = "0s")]
    pub interval: String,
    #[model(optional, default = "0s")]
    pub timeout: String,
    #[model(optional, default = "0s")]
    pub start_period: String,
    #[model(optional, default = 0i64)]
    pub retries: i64,
}

#[derive(Model, Clone, Debug, Default)]
pub struct Host {
    #[model(required)]
    pub host: String,
    #[model(required)]
    pub ip: String,
}

#[derive(Model, Clone, Debug, Default)]
pub struct DnsConfig {
    #[model(required)]
    pub nameservers: Vec<String>,
    #[model(optional)]
    pub search: Strings,
    #[model(optional)]
    pub options: Strings,
}

/// A `secrets` block: a secret mounted as a file.
#[derive(Model, Clone, Debug, Default)]
pub struct SecretRef {
    #[model(required)]
    pub secret_id: String,
    #[model(optional)]
    pub secret_name: Option<String>,
    #[model(flatten)]
    pub file: FileTarget,
}

/// A `configs` block: a config mounted as a file.
#[derive(Model, Clone, Debug, Default)]
pub struct ConfigRef {
    #[model(required)]
    pub config_id: String,
    #[model(optional)]
    pub config_name: Option<String>,
    #[model(flatten)]
    pub file: FileTarget,
}

/// The file a secret or config is mounted as.
#[derive(Model, Clone, Debug, Default)]
pub struct FileTarget {
    #[model(required)]
    pub file_name: String,
    #[model(optional, default = "0")]
    pub file_uid: String,
    #[model(optional, default = "0")]
    pub file_gid: String,
    #[model(optional, default = 0o444i64)]
    pub file_mode: i64,
}

#[derive(Model, Clone, Debug, Default)]
pub struct Resources {
    #[model(block = "list", max = 1)]
    pub limits: Option<Limits>,
    #[model(block = "list", max = 1)]
    pub reservation: Option<Reservation>,
}

#[derive(Model, Clone, Debug, Default)]
pub struct Limits {
    #[model(optional)]
    pub nano_cpus: Option<i64>,
    #[model(optional)]
    pub memory_bytes: Option<i64>,
}

#[derive(Model, Clone, Debug, Default)]
pub struct Reservation {
    #[model(optional)]
    pub nano_cpus: Option<i64>,
    #[model(optional)]
    pub memory_bytes: Option<i64>,
    #[model(block = "list", max = 1)]
    pub generic_resources: Option<GenericResources>,
}

/// kreuzwerker/docker's spelling: `kind=value` strings, named and discrete apart.
#[derive(Model, Clone, Debug, Default)]
pub struct GenericResources {
    #[model(optional)]
    pub named_resources_spec: StringSet,
    #[model(optional)]
    pub discrete_resources_spec: StringSet,
}

#[derive(Model, Clone, Debug, Default)]
pub struct RestartPolicy {
    #[model(optional)]
    pub condition: Option<String>,
    #[model(optional)]
    pub delay: Option<String>,
    #[model(optional)]
    pub max_attempts: Option<i64>,
    #[model(optional)]
    pub window: Option<String>,
}

#[derive(Model, Clone, Debug, Default)]
pub struct Placement {
    #[model(optional)]
    pub constraints: StringSet,
    #[model(optional)]
    pub prefs: StringSet,
    #[model(optional)]
    pub max_replicas: Option<i64>,
    #[model(block = "set")]
    pub platforms: Vec<PlatformBlock>,
}

#[derive(Model, Clone, Debug, Default)]
pub struct PlatformBlock {
    #[model(required)]
    pub architecture: String,
    #[model(required)]
    pub os: String,
}

/// A `networks_advanced` block; `driver_opts` as kreuzwerker/docker records them, `k=v`
/// strings in a set.
#[derive(Model, Clone, Debug, Default)]
pub struct NetworkAttachment {
    #[model(required)]
    pub name: String,
    #[model(optional)]
    pub aliases: StringSet,
    #[model(optional)]
    pub driver_opts: StringSet,
}

#[derive(Model, Clone, Debug, Default)]
pub struct LogDriver {
    #[model(required)]
    pub name: String,
    #[model(optional)]
    pub options: StringMap,
}

#[derive(Model, Clone, Debug, Default)]
pub struct Mode {
    #[model(optional, default = false)]
    pub global: bool,
    #[model(block = "list", max = 1, computed)]
    pub replicated: Option<Replicated>,
}

#[derive(Model, Clone, Debug, Default)]
pub struct Replicated {
    #[model(optional, default = 1i64)]
    pub replicas: i64,
}

/// `update_config` and `rollback_config`.
#[derive(Model, Clone, Debug, Default)]
pub struct Rollout {
    #[model(optional, default = 1i64)]
    pub parallelism: i64,
    #[model(optional, default = "0s")]
    pub delay: String,
    #[model(optional, default = "pause")]
    pub failure_action: String,
    #[model(optional, default = "5s")]
    pub monitor: String,
    #[model(optional, default = "0.0")]
    pub max_failure_ratio: String,
    #[model(optional, default = "stop-first")]
    pub order: String,
}

#[derive(Model, Clone, Debug, Default)]
pub struct EndpointSpecBlock {
    #[model(optional, computed)]
    pub mode: Option<String>,
    #[model(block = "list")]
    pub ports: Vec<Port>,
}

#[derive(Model, Clone, Debug, Default)]
pub struct Port {
    #[model(optional)]
    pub name: Option<String>,
    #[model(optional, default = "tcp")]
    pub protocol: String,
    #[model(required)]
    pub target_port: i64,
    #[model(optional, computed)]
    pub published_port: Option<i64>,
    #[model(optional, default = "ingress")]
    pub publish_mode: String,
}

#[derive(Model, Clone, Debug, Default)]
pub struct ConvergeConfig {
    #[model(optional, default = "7s")]
    pub delay: String,
    #[model(optional, default = "3m")]
    pub timeout: String,
}

#[derive(Model, Clone, Debug, Default)]
pub struct Auth {
    #[model(required)]
    pub server_address: String,
    #[model(optional)]
    pub username: Option<String>,
    #[model(optional, sensitive)]
    pub password: Option<String>,
}
