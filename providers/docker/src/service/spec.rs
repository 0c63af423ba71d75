//! A planned `docker_service` as the daemon's service spec, in bollard's types. "Nothing" is
//! left out (`None`), never sent as an empty list, map or object, so the daemon stores the
//! spec as a create that did not mention it.

use crate::labels;
use crate::resource::duration_ns;
use bollard::models::{
    EndpointPortConfig, EndpointSpec, GenericResourcesInner, GenericResourcesInnerDiscreteResourceSpec,
    GenericResourcesInnerNamedResourceSpec, HealthConfig, Limit, Mount, MountBindOptions, MountTmpfsOptions,
    MountVolumeOptions, MountVolumeOptionsDriverConfig, NetworkAttachmentConfig, Platform, ResourceObject, ServiceSpec,
    ServiceSpecMode, ServiceSpecModeReplicated, ServiceSpecRollbackConfig, ServiceSpecUpdateConfig, TaskSpec,
    TaskSpecContainerSpec, TaskSpecContainerSpecConfigs, TaskSpecContainerSpecDnsConfig, TaskSpecContainerSpecFile,
    TaskSpecContainerSpecFile1, TaskSpecContainerSpecPrivileges, TaskSpecContainerSpecPrivilegesCredentialSpec,
    TaskSpecContainerSpecPrivilegesSeLinuxContext, TaskSpecContainerSpecSecrets, TaskSpecLogDriver, TaskSpecPlacement,
    TaskSpecPlacementPreferences, TaskSpecPlacementSpread, TaskSpecResources, TaskSpecRestartPolicy,
};
use serde::de::{Deserialize, IntoDeserializer, value::Error as Refusal};
use std::collections::{BTreeMap, HashMap};
use terrane_engine::attrs as val;
use terrane_engine::provider::ProviderError;
use terrane_engine::value::Value;

/// The first argument bollard's types refuse: a spelling its enums do not know (a mount
/// `type`, an endpoint `mode`, ...) or a number out of its field's range (a negative
/// `file_mode`), worded as serde words it. Reported only once the whole spec is built, so a
/// malformed duration, found while building, is reported first.
#[derive(Default)]
struct Refused(Option<String>);

impl Refused {
    /// `v` as the daemon's type `T`, or `None` (and the refusal kept, if it is the first).
    fn check<'de, T: Deserialize<'de>, V: IntoDeserializer<'de, Refusal>>(&mut self, v: V) -> Option<T> {
        T::deserialize(v.into_deserializer())
            .map_err(|e| {
                self.0.get_or_insert(e.to_string());
            })
            .ok()
    }
}

fn ns(v: &Value, k: &str) -> Result<Option<i64>, ProviderError> {
    match val::string(v, k) {
        Some(d) => duration_ns(&d)
            .map(Some)
            .ok_or_else(|| ProviderError::new(format!("{k}: {d:?} is not a duration (like 10s or 1m30s)"))),
        None => Ok(None),
    }
}

/// A list, left out when empty.
fn items<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

/// A map, left out when empty.
fn map(m: BTreeMap<String, String>) -> Option<HashMap<String, String>> {
    (!m.is_empty()).then(|| m.into_iter().collect())
}

/// `k=v` strings as a map (kreuzwerker/docker's `driver_opts`); a string without `=` is not
/// an option.
fn pairs(v: &Value, k: &str) -> BTreeMap<String, String> {
    val::strings(v, k)
        .into_iter()
        .filter_map(|p| p.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect()
}

/// An object, left out when it sets nothing.
fn given<T: Default + PartialEq>(t: T) -> Option<T> {
    (t != T::default()).then_some(t)
}

/// What update_config and rollback_config share; their enums are distinct types.
struct Rollout<F, O> {
    parallelism: Option<i64>,
    delay: Option<i64>,
    failure_action: Option<F>,
    monitor: Option<i64>,
    max_failure_ratio: Option<f64>,
    order: Option<O>,
}

fn rollout<'de, F: Deserialize<'de>, O: Deserialize<'de>>(
    b: &Value,
    refused: &mut Refused,
) -> Result<Rollout<F, O>, ProviderError> {
    let delay = ns(b, "delay")?;
    let monitor = ns(b, "monitor")?;
    let max_failure_ratio = match val::string(b, "max_failure_ratio") {
        Some(r) => {
            let f: f64 =
                r.parse().map_err(|_| ProviderError::new(format!("max_failure_ratio: {r:?} is not a number")))?;
            // JSON has no NaN or infinity: the daemon would be sent null.
            Some(f).filter(|f| f.is_finite())
        }
        None => None,
    };
    Ok(Rollout {
        parallelism: val::int(b, "parallelism"),
        delay,
        failure_action: val::string(b, "failure_action").and_then(|a| refused.check(a)),
        monitor,
        max_failure_ratio,
        order: val::string(b, "order").and_then(|o| refused.check(o)),
    })
}

/// A secret or config reference, as both kinds spell it.
struct FileRef {
    id: String,
    name: Option<String>,
    file: TaskSpecContainerSpecFile,
}

fn file_refs(cs: &Value, kind: &str, refused: &mut Refused) -> Vec<FileRef> {
    val::blocks(cs, &format!("{kind}s"))
        .iter()
        .map(|r| FileRef {
            id: val::string(r, &format!("{kind}_id")).unwrap_or_default(),
            name: val::string(r, &format!("{kind}_name")),
            file: TaskSpecContainerSpecFile {
                name: Some(val::string(r, "file_name").unwrap_or_default()),
                uid: Some(val::string(r, "file_uid").unwrap_or_else(|| "0".into())),
                gid: Some(val::string(r, "file_gid").unwrap_or_else(|| "0".into())),
                mode: refused.check(val::int(r, "file_mode").unwrap_or(0o444)),
            },
        })
        .collect()
}

fn mount(m: &Value, refused: &mut Refused) -> Mount {
    let volume_options = val::block(m, "volume_options").and_then(|vo| {
        given(MountVolumeOptions {
            no_copy: val::boolean(&vo, "no_copy"),
            labels: map(labels::to_map(&vo, "labels")),
            driver_config: val::string(&vo, "driver_name").map(|d| MountVolumeOptionsDriverConfig {
                name: Some(d),
                options: Some(val::string_map(&vo, "driver_options").into_iter().collect()),
            }),
            ..Default::default()
        })
    });
    let bind_options = val::block(m, "bind_options").map(|b| MountBindOptions {
        propagation: refused.check(val::string(&b, "propagation").unwrap_or_else(|| "rprivate".into())),
        ..Default::default()
    });
    let tmpfs_options = val::block(m, "tmpfs_options").and_then(|t| {
        given(MountTmpfsOptions {
            size_bytes: val::int(&t, "size_bytes"),
            mode: val::int(&t, "mode"),
            ..Default::default()
        })
    });
    Mount {
        target: Some(val::string(m, "target").unwrap_or_default()),
        source: val::string(m, "source"),
        typ: refused.check(val::string(m, "type").unwrap_or_default()),
        read_only: val::boolean(m, "read_only"),
        bind_options,
        volume_options,
        tmpfs_options,
        ..Default::default()
    }
}

fn container_spec(cs: &Value, refused: &mut Refused) -> Result<TaskSpecContainerSpec, ProviderError> {
    let stop_grace_period = ns(cs, "stop_grace_period")?;
    let health_check = match val::block(cs, "healthcheck") {
        Some(h) => Some(HealthConfig {
            test: Some(val::strings(&h, "test")),
            interval: Some(ns(&h, "interval")?.unwrap_or(0)),
            timeout: Some(ns(&h, "timeout")?.unwrap_or(0)),
            start_period: Some(ns(&h, "start_period")?.unwrap_or(0)),
            retries: Some(val::int(&h, "retries").unwrap_or(0)),
            ..Default::default()
        }),
        None => None,
    };
    let privileges = val::block(cs, "privileges").and_then(|p| {
        given(TaskSpecContainerSpecPrivileges {
            credential_spec: val::block(&p, "credential_spec").and_then(|c| {
                given(TaskSpecContainerSpecPrivilegesCredentialSpec {
                    file: val::string(&c, "file"),
                    registry: val::string(&c, "registry"),
                    ..Default::default()
                })
            }),
            se_linux_context: val::block(&p, "se_linux_context").and_then(|s| {
                given(TaskSpecContainerSpecPrivilegesSeLinuxContext {
                    disable: val::boolean(&s, "disable"),
                    user: val::string(&s, "user"),
                    role: val::string(&s, "role"),
                    typ: val::string(&s, "type"),
                    level: val::string(&s, "level"),
                })
            }),
            ..Default::default()
        })
    });
    let dns_config = val::block(cs, "dns_config").map(|d| TaskSpecContainerSpecDnsConfig {
        nameservers: items(val::strings(&d, "nameservers")),
        search: items(val::strings(&d, "search")),
        options: items(val::strings(&d, "options")),
    });
    let env = val::string_map(cs, "env").into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    let hosts = val::blocks(cs, "hosts")
        .iter()
        .map(|h| format!("{} {}", val::string(h, "ip").unwrap_or_default(), val::string(h, "host").unwrap_or_default()))
        .collect();
    let secrets = file_refs(cs, "secret", refused)
        .into_iter()
        .map(|r| TaskSpecContainerSpecSecrets { secret_id: Some(r.id), secret_name: r.name, file: Some(r.file) })
        .collect();
    let configs = file_refs(cs, "config", refused)
        .into_iter()
        .map(|r| TaskSpecContainerSpecConfigs {
            config_id: Some(r.id),
            config_name: r.name,
            file: Some(TaskSpecContainerSpecFile1 {
                name: r.file.name,
                uid: r.file.uid,
                gid: r.file.gid,
                mode: r.file.mode,
            }),
            ..Default::default()
        })
        .collect();
    Ok(TaskSpecContainerSpec {
        image: Some(val::string(cs, "image").unwrap_or_default()),
        labels: map(labels::to_map(cs, "labels")),
        command: items(val::strings(cs, "command")),
        args: items(val::strings(cs, "args")),
        hostname: val::string(cs, "hostname"),
        env: items(env),
        dir: val::string(cs, "dir"),
        user: val::string(cs, "user"),
        groups: items(val::strings(cs, "groups")),
        read_only: val::boolean(cs, "read_only"),
        stop_signal: val::string(cs, "stop_signal"),
        stop_grace_period,
        isolation: val::string(cs, "isolation").and_then(|i| refused.check(i)),
        sysctls: map(val::string_map(cs, "sysctl")),
        capability_add: items(val::strings(cs, "cap_add")),
        capability_drop: items(val::strings(cs, "cap_drop")),
        mounts: items(val::blocks(cs, "mounts").iter().map(|m| mount(m, refused)).collect()),
        health_check,
        privileges,
        dns_config,
        hosts: items(hosts),
        secrets: items(secrets),
        configs: items(configs),
        ..Default::default()
    })
}

/// `named_resources_spec` (`kind=value`) and `discrete_resources_spec` (`kind=count`), as
/// kreuzwerker/docker spells them; an entry that does not parse is left out.
fn generic_resources(g: &Value) -> Vec<GenericResourcesInner> {
    let named = val::strings(g, "named_resources_spec").into_iter().filter_map(|s| {
        let (kind, value) = s.split_once('=')?;
        Some(GenericResourcesInner {
            named_resource_spec: Some(GenericResourcesInnerNamedResourceSpec {
                kind: Some(kind.into()),
                value: Some(value.into()),
            }),
            discrete_resource_spec: None,
        })
    });
    let discrete = val::strings(g, "discrete_resources_spec").into_iter().filter_map(|s| {
        let (kind, value) = s.split_once('=')?;
        Some(GenericResourcesInner {
            named_resource_spec: None,
            discrete_resource_spec: Some(GenericResourcesInnerDiscreteResourceSpec {
                kind: Some(kind.into()),
                value: Some(value.trim().parse().ok()?),
            }),
        })
    });
    named.chain(discrete).collect()
}

fn task_spec(task: &Value, refused: &mut Refused) -> Result<TaskSpec, ProviderError> {
    let cs =
        val::block(task, "container_spec").ok_or_else(|| ProviderError::new("task_spec.container_spec is required"))?;
    let container_spec = container_spec(&cs, refused)?;
    let resources = val::block(task, "resources").and_then(|r| {
        let side = |k: &str| val::block(&r, k).map(|b| (val::int(&b, "nano_cpus"), val::int(&b, "memory_bytes")));
        let generic = val::block(&r, "reservation")
            .and_then(|rv| val::block(&rv, "generic_resources"))
            .map(|g| generic_resources(&g))
            .unwrap_or_default();
        given(TaskSpecResources {
            limits: side("limits")
                .and_then(|(nano_cpus, memory_bytes)| given(Limit { nano_cpus, memory_bytes, ..Default::default() })),
            reservations: side("reservation").and_then(|(nano_cpus, memory_bytes)| {
                given(ResourceObject { nano_cpus, memory_bytes, generic_resources: items(generic) })
            }),
            ..Default::default()
        })
    });
    let restart_policy = match val::block(task, "restart_policy") {
        Some(rp) => given(TaskSpecRestartPolicy {
            condition: val::string(&rp, "condition").and_then(|c| refused.check(c)),
            delay: ns(&rp, "delay")?,
            max_attempts: val::int(&rp, "max_attempts"),
            window: ns(&rp, "window")?,
        }),
        None => None,
    };
    let placement = val::block(task, "placement").and_then(|pl| {
        let prefs = val::strings(&pl, "prefs").into_iter().map(|p| TaskSpecPlacementPreferences {
            spread: Some(TaskSpecPlacementSpread { spread_descriptor: Some(p) }),
        });
        let platforms = val::blocks(&pl, "platforms")
            .iter()
            .map(|p| Platform { architecture: val::string(p, "architecture"), os: val::string(p, "os") })
            .collect();
        given(TaskSpecPlacement {
            constraints: items(val::strings(&pl, "constraints")),
            preferences: items(prefs.collect()),
            max_replicas: val::int(&pl, "max_replicas"),
            platforms: items(platforms),
        })
    });
    let networks = val::blocks(task, "networks_advanced")
        .iter()
        .map(|nw| NetworkAttachmentConfig {
            target: Some(val::string(nw, "name").unwrap_or_default()),
            aliases: items(val::strings(nw, "aliases")),
            driver_opts: map(pairs(nw, "driver_opts")),
        })
        .collect();
    Ok(TaskSpec {
        container_spec: Some(container_spec),
        resources,
        restart_policy,
        placement,
        force_update: val::int(task, "force_update").and_then(|n| refused.check(n)),
        runtime: val::string(task, "runtime"),
        networks: items(networks),
        log_driver: val::block(task, "log_driver").map(|ld| TaskSpecLogDriver {
            name: Some(val::string(&ld, "name").unwrap_or_default()),
            options: Some(val::string_map(&ld, "options").into_iter().collect()),
        }),
        ..Default::default()
    })
}

fn endpoint_spec(p: &Value, refused: &mut Refused) -> EndpointSpec {
    let ep = val::block(p, "endpoint_spec");
    let ports = ep
        .as_ref()
        .map(|e| val::blocks(e, "ports"))
        .unwrap_or_default()
        .iter()
        .map(|pt| EndpointPortConfig {
            name: val::string(pt, "name"),
            protocol: refused.check(val::string(pt, "protocol").unwrap_or_else(|| "tcp".into())),
            target_port: Some(val::int(pt, "target_port").unwrap_or(0)),
            published_port: val::int(pt, "published_port"),
            publish_mode: refused.check(val::string(pt, "publish_mode").unwrap_or_else(|| "ingress".into())),
        })
        .collect();
    EndpointSpec {
        mode: refused.check(ep.as_ref().and_then(|e| val::string(e, "mode")).unwrap_or_else(|| "vip".into())),
        ports: items(ports),
    }
}

/// The daemon's ServiceSpec for a planned service. A malformed argument fails with its own
/// message; one the daemon's types refuse, with `building` before serde's words.
pub fn to_spec(p: &Value, building: &str) -> Result<ServiceSpec, ProviderError> {
    let mut refused = Refused::default();
    let task = val::block(p, "task_spec").ok_or_else(|| ProviderError::new("task_spec is required"))?;
    let task_template = task_spec(&task, &mut refused)?;
    let mode = val::block(p, "mode");
    let global = mode.as_ref().and_then(|m| val::boolean(m, "global")).unwrap_or(false);
    let replicas =
        mode.as_ref().and_then(|m| val::block(m, "replicated")).and_then(|r| val::int(&r, "replicas")).unwrap_or(1);
    let mode = if global {
        ServiceSpecMode { global: Some(HashMap::new()), ..Default::default() }
    } else {
        ServiceSpecMode {
            replicated: Some(ServiceSpecModeReplicated { replicas: Some(replicas) }),
            ..Default::default()
        }
    };
    let update_config = match val::block(p, "update_config") {
        Some(b) => {
            let r = rollout(&b, &mut refused)?;
            Some(ServiceSpecUpdateConfig {
                parallelism: r.parallelism,
                delay: r.delay,
                failure_action: r.failure_action,
                monitor: r.monitor,
                max_failure_ratio: r.max_failure_ratio,
                order: r.order,
            })
        }
        None => None,
    };
    let rollback_config = match val::block(p, "rollback_config") {
        Some(b) => {
            let r = rollout(&b, &mut refused)?;
            Some(ServiceSpecRollbackConfig {
                parallelism: r.parallelism,
                delay: r.delay,
                failure_action: r.failure_action,
                monitor: r.monitor,
                max_failure_ratio: r.max_failure_ratio,
                order: r.order,
            })
        }
        None => None,
    };
    let spec = ServiceSpec {
        name: Some(val::string(p, "name").unwrap_or_default()),
        labels: map(labels::to_map(p, "labels")),
        task_template: Some(task_template),
        mode: Some(mode),
        update_config,
        rollback_config,
        endpoint_spec: Some(endpoint_spec(p, &mut refused)),
        ..Default::default()
    };
    match refused.0 {
        Some(e) => Err(ProviderError::new(format!("{building}: {e}"))),
        None => Ok(spec),
    }
}
