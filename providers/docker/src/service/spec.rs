//! A planned `docker_service` as the daemon's service spec, in bollard's types. "Nothing" is
//! left out (`None`), never sent as an empty list, map or object, so the daemon stores the
//! spec as a create that did not mention it.

use super::schema::{
    ContainerSpecBlock, EndpointSpecBlock, FileTarget, GenericResources, MountBlock, Rollout as RolloutBlock,
    ServiceObject, TaskSpecBlock,
};
use crate::daemon::hashed;
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
use std::collections::{BTreeMap, BTreeSet, HashMap};
use terrane_engine::provider::ProviderError;

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

/// A duration argument (`k` names it in the error) in nanoseconds.
fn ns(d: Option<&str>, k: &str) -> Result<Option<i64>, ProviderError> {
    match d {
        Some(d) => duration_ns(d)
            .map(Some)
            .ok_or_else(|| ProviderError::new(format!("{k}: {d:?} is not a duration (like 10s or 1m30s)"))),
        None => Ok(None),
    }
}

/// A list, left out when empty.
fn items<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

/// A list argument, left out when empty.
fn list(v: &Option<Vec<String>>) -> Option<Vec<String>> {
    v.clone().and_then(items)
}

/// A set argument, left out when empty.
fn set(v: &Option<BTreeSet<String>>) -> Option<Vec<String>> {
    items(v.iter().flatten().cloned().collect())
}

/// A map, left out when empty.
fn map(m: HashMap<String, String>) -> Option<HashMap<String, String>> {
    (!m.is_empty()).then_some(m)
}

/// A map argument, left out when empty.
fn map_of(m: &Option<BTreeMap<String, String>>) -> Option<HashMap<String, String>> {
    map(hashed(m.as_ref()))
}

/// `k=v` strings as a map (kreuzwerker/docker's `driver_opts`); a string without `=` is not
/// an option.
fn pairs(v: &Option<BTreeSet<String>>) -> HashMap<String, String> {
    v.iter().flatten().filter_map(|p| p.split_once('=').map(|(k, v)| (k.to_string(), v.to_string()))).collect()
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
    b: &RolloutBlock,
    refused: &mut Refused,
) -> Result<Rollout<F, O>, ProviderError> {
    let r = &b.max_failure_ratio;
    let f: f64 = r.parse().map_err(|_| ProviderError::new(format!("max_failure_ratio: {r:?} is not a number")))?;
    Ok(Rollout {
        parallelism: Some(b.parallelism),
        delay: ns(Some(&b.delay), "delay")?,
        failure_action: refused.check(b.failure_action.clone()),
        monitor: ns(Some(&b.monitor), "monitor")?,
        // JSON has no NaN or infinity: the daemon would be sent null.
        max_failure_ratio: Some(f).filter(|f| f.is_finite()),
        order: refused.check(b.order.clone()),
    })
}

/// A secret's or config's file, as both kinds spell it.
fn file(f: &FileTarget, refused: &mut Refused) -> TaskSpecContainerSpecFile {
    TaskSpecContainerSpecFile {
        name: Some(f.file_name.clone()),
        uid: Some(f.file_uid.clone()),
        gid: Some(f.file_gid.clone()),
        mode: refused.check(f.file_mode),
    }
}

fn mount(m: &MountBlock, refused: &mut Refused) -> Mount {
    let volume_options = m.volume_options.as_ref().and_then(|vo| {
        given(MountVolumeOptions {
            no_copy: vo.no_copy,
            labels: map(labels::map_of(&vo.labels)),
            driver_config: vo.driver_name.clone().map(|d| MountVolumeOptionsDriverConfig {
                name: Some(d),
                options: Some(hashed(vo.driver_options.as_ref())),
            }),
            ..Default::default()
        })
    });
    let bind_options = m
        .bind_options
        .as_ref()
        .map(|b| MountBindOptions { propagation: refused.check(b.propagation.clone()), ..Default::default() });
    let tmpfs_options = m
        .tmpfs_options
        .as_ref()
        .and_then(|t| given(MountTmpfsOptions { size_bytes: t.size_bytes, mode: t.mode, ..Default::default() }));
    Mount {
        target: Some(m.target.clone()),
        source: m.source.clone(),
        typ: refused.check(m.kind.clone()),
        read_only: m.read_only,
        bind_options,
        volume_options,
        tmpfs_options,
        ..Default::default()
    }
}

fn container_spec(cs: &ContainerSpecBlock, refused: &mut Refused) -> Result<TaskSpecContainerSpec, ProviderError> {
    let stop_grace_period = ns(cs.stop_grace_period.as_deref(), "stop_grace_period")?;
    let health_check = match &cs.healthcheck {
        Some(h) => Some(HealthConfig {
            test: Some(h.test.clone().unwrap_or_default()),
            interval: Some(ns(Some(&h.interval), "interval")?.unwrap_or(0)),
            timeout: Some(ns(Some(&h.timeout), "timeout")?.unwrap_or(0)),
            start_period: Some(ns(Some(&h.start_period), "start_period")?.unwrap_or(0)),
            retries: Some(h.retries),
            ..Default::default()
        }),
        None => None,
    };
    let privileges = cs.privileges.as_ref().and_then(|p| {
        given(TaskSpecContainerSpecPrivileges {
            credential_spec: p.credential_spec.as_ref().and_then(|c| {
                given(TaskSpecContainerSpecPrivilegesCredentialSpec {
                    file: c.file.clone(),
                    registry: c.registry.clone(),
                    ..Default::default()
                })
            }),
            se_linux_context: p.se_linux_context.as_ref().and_then(|s| {
                given(TaskSpecContainerSpecPrivilegesSeLinuxContext {
                    disable: s.disable,
                    user: s.user.clone(),
                    role: s.role.clone(),
                    typ: s.kind.clone(),
                    level: s.level.clone(),
                })
            }),
            ..Default::default()
        })
    });
    let dns_config = cs.dns_config.as_ref().map(|d| TaskSpecContainerSpecDnsConfig {
        nameservers: items(d.nameservers.clone()),
        search: list(&d.search),
        options: list(&d.options),
    });
    let env = cs.env.iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    let hosts = cs.hosts.iter().map(|h| format!("{} {}", h.ip, h.host)).collect();
    let secrets = cs
        .secrets
        .iter()
        .map(|r| TaskSpecContainerSpecSecrets {
            secret_id: Some(r.secret_id.clone()),
            secret_name: r.secret_name.clone(),
            file: Some(file(&r.file, refused)),
        })
        .collect();
    let configs = cs
        .configs
        .iter()
        .map(|r| {
            let f = file(&r.file, refused);
            TaskSpecContainerSpecConfigs {
                config_id: Some(r.config_id.clone()),
                config_name: r.config_name.clone(),
                file: Some(TaskSpecContainerSpecFile1 { name: f.name, uid: f.uid, gid: f.gid, mode: f.mode }),
                ..Default::default()
            }
        })
        .collect();
    Ok(TaskSpecContainerSpec {
        image: Some(cs.image.clone()),
        labels: map(labels::map_of(&cs.labels)),
        command: list(&cs.command),
        args: list(&cs.args),
        hostname: cs.hostname.clone(),
        env: items(env),
        dir: cs.dir.clone(),
        user: cs.user.clone(),
        groups: list(&cs.groups),
        read_only: cs.read_only,
        stop_signal: cs.stop_signal.clone(),
        stop_grace_period,
        isolation: refused.check(cs.isolation.clone()),
        sysctls: map_of(&cs.sysctl),
        capability_add: list(&cs.cap_add),
        capability_drop: list(&cs.cap_drop),
        mounts: items(cs.mounts.iter().map(|m| mount(m, refused)).collect()),
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
fn generic_resources(g: &GenericResources) -> Vec<GenericResourcesInner> {
    let named = g.named_resources_spec.iter().flatten().filter_map(|s| {
        let (kind, value) = s.split_once('=')?;
        Some(GenericResourcesInner {
            named_resource_spec: Some(GenericResourcesInnerNamedResourceSpec {
                kind: Some(kind.into()),
                value: Some(value.into()),
            }),
            discrete_resource_spec: None,
        })
    });
    let discrete = g.discrete_resources_spec.iter().flatten().filter_map(|s| {
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

fn task_spec(task: &TaskSpecBlock, refused: &mut Refused) -> Result<TaskSpec, ProviderError> {
    let cs = task.container_spec.as_ref().ok_or_else(|| ProviderError::new("task_spec.container_spec is required"))?;
    let container_spec = container_spec(cs, refused)?;
    let resources = task.resources.as_ref().and_then(|r| {
        let generic = r.reservation.as_ref().and_then(|rv| rv.generic_resources.as_ref()).map(generic_resources);
        given(TaskSpecResources {
            limits: r.limits.as_ref().and_then(|l| {
                given(Limit { nano_cpus: l.nano_cpus, memory_bytes: l.memory_bytes, ..Default::default() })
            }),
            reservations: r.reservation.as_ref().and_then(|rv| {
                given(ResourceObject {
                    nano_cpus: rv.nano_cpus,
                    memory_bytes: rv.memory_bytes,
                    generic_resources: items(generic.unwrap_or_default()),
                })
            }),
            ..Default::default()
        })
    });
    let restart_policy = match &task.restart_policy {
        Some(rp) => given(TaskSpecRestartPolicy {
            condition: rp.condition.clone().and_then(|c| refused.check(c)),
            delay: ns(rp.delay.as_deref(), "delay")?,
            max_attempts: rp.max_attempts,
            window: ns(rp.window.as_deref(), "window")?,
        }),
        None => None,
    };
    let placement = task.placement.as_ref().and_then(|pl| {
        let prefs = pl.prefs.iter().flatten().map(|p| TaskSpecPlacementPreferences {
            spread: Some(TaskSpecPlacementSpread { spread_descriptor: Some(p.clone()) }),
        });
        let platforms = pl
            .platforms
            .iter()
            .map(|p| Platform { architecture: Some(p.architecture.clone()), os: Some(p.os.clone()) })
            .collect();
        given(TaskSpecPlacement {
            constraints: set(&pl.constraints),
            preferences: items(prefs.collect()),
            max_replicas: pl.max_replicas,
            platforms: items(platforms),
        })
    });
    let networks = task
        .networks_advanced
        .iter()
        .map(|nw| NetworkAttachmentConfig {
            target: Some(nw.name.clone()),
            aliases: set(&nw.aliases),
            driver_opts: map(pairs(&nw.driver_opts)),
        })
        .collect();
    Ok(TaskSpec {
        container_spec: Some(container_spec),
        resources,
        restart_policy,
        placement,
        force_update: task.force_update.and_then(|n| refused.check(n)),
        runtime: task.runtime.clone(),
        networks: items(networks),
        log_driver: task
            .log_driver
            .as_ref()
            .map(|ld| TaskSpecLogDriver { name: Some(ld.name.clone()), options: Some(hashed(ld.options.as_ref())) }),
        ..Default::default()
    })
}

fn endpoint_spec(ep: Option<&EndpointSpecBlock>, refused: &mut Refused) -> EndpointSpec {
    let ports = ep
        .map(|e| e.ports.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|pt| EndpointPortConfig {
            name: pt.name.clone(),
            protocol: refused.check(pt.protocol.clone()),
            target_port: Some(pt.target_port),
            published_port: pt.published_port,
            publish_mode: refused.check(pt.publish_mode.clone()),
        })
        .collect();
    EndpointSpec {
        mode: refused.check(ep.and_then(|e| e.mode.clone()).unwrap_or_else(|| "vip".into())),
        ports: items(ports),
    }
}

/// The daemon's ServiceSpec for a planned service. A malformed argument fails with its own
/// message; one the daemon's types refuse, with `building` before serde's words.
pub fn to_spec(p: &ServiceObject, building: &str) -> Result<ServiceSpec, ProviderError> {
    let mut refused = Refused::default();
    let task = p.task_spec.as_ref().ok_or_else(|| ProviderError::new("task_spec is required"))?;
    let task_template = task_spec(task, &mut refused)?;
    let mode = p.mode.as_ref();
    let global = mode.is_some_and(|m| m.global);
    let replicas = mode.and_then(|m| m.replicated.as_ref()).map_or(1, |r| r.replicas);
    let mode = if global {
        ServiceSpecMode { global: Some(HashMap::new()), ..Default::default() }
    } else {
        ServiceSpecMode {
            replicated: Some(ServiceSpecModeReplicated { replicas: Some(replicas) }),
            ..Default::default()
        }
    };
    let update_config = match &p.update_config {
        Some(b) => {
            let r = rollout(b, &mut refused)?;
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
    let rollback_config = match &p.rollback_config {
        Some(b) => {
            let r = rollout(b, &mut refused)?;
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
        name: Some(p.name.clone()),
        labels: map(labels::map_of(&p.labels)),
        task_template: Some(task_template),
        mode: Some(mode),
        update_config,
        rollback_config,
        endpoint_spec: Some(endpoint_spec(p.endpoint_spec.as_ref(), &mut refused)),
        ..Default::default()
    };
    match refused.0 {
        Some(e) => Err(ProviderError::new(format!("{building}: {e}"))),
        None => Ok(spec),
    }
}
