//! A service as the daemon describes it (bollard's `Service`), read back into a
//! `docker_service` object. Reading back keeps the configuration's spelling where the daemon's
//! means the same (durations, network names), so a service re-plans clean; what the daemon
//! leaves empty (an empty string, list, map or object) reads as null.

use super::schema::{
    BindOptions, ContainerSpecBlock, CredentialSpec, DnsConfig, EndpointSpecBlock, FileTarget, GenericResources,
    Healthcheck, Host, Limits, LogDriver, Mode, MountBlock, NetworkAttachment, Placement, PlatformBlock, Port,
    Privileges, Replicated, Reservation, Resources, RestartPolicy, Rollout, SeLinuxContext, ServiceObject,
    TaskSpecBlock, TmpfsOptions, VolumeOptions,
};
use crate::daemon::{sorted as map, text as string};
use crate::labels;
use crate::resource::format_ns;
use bollard::models::{
    Limit, MountVolumeOptions, ResourceObject, Service, ServiceSpec, ServiceSpecRollbackConfig,
    ServiceSpecUpdateConfig, TaskSpec, TaskSpecContainerSpec, TaskSpecContainerSpecFile, TaskSpecRestartPolicy,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Display;

/// An enum as the daemon spells it; its empty spelling is none.
fn spelled(e: Option<&impl Display>) -> Option<String> {
    string(e.map(ToString::to_string).as_deref())
}

/// An enum as the daemon spells it, or `default` (what an unset argument means).
fn spelled_or(e: Option<&impl Display>, default: &str) -> String {
    spelled(e).unwrap_or_else(|| default.to_string())
}

/// A flag the daemon leaves out when it is false: `false` where the prior value (the
/// configuration as applied) said so, else not set.
fn flag(b: Option<bool>, prior: Option<bool>) -> Option<bool> {
    b.or(prior.filter(|p| !p))
}

/// A list of strings; empty is none.
fn strings(v: Option<&Vec<String>>) -> Option<Vec<String>> {
    v.filter(|v| !v.is_empty()).cloned()
}

/// A set of strings; empty is none.
fn set(v: impl IntoIterator<Item = String>) -> Option<BTreeSet<String>> {
    let s: BTreeSet<String> = v.into_iter().collect();
    (!s.is_empty()).then_some(s)
}

/// A duration in nanoseconds, spelled as the prior value spells it when equal.
fn duration(ns: Option<i64>, prior: Option<&str>) -> Option<String> {
    ns.map(|ns| format_ns(ns, prior))
}

/// A duration the daemon leaves out when zero, spelled as the prior value spells it.
fn duration_or_zero(ns: Option<i64>, prior: Option<&str>) -> String {
    duration(ns, prior).unwrap_or_else(|| "0s".to_string())
}

/// What update_config and rollback_config share; their enums are distinct types.
fn rollout(
    parallelism: Option<i64>,
    delay: Option<i64>,
    failure_action: Option<String>,
    monitor: Option<i64>,
    max_failure_ratio: Option<f64>,
    order: Option<String>,
    prior: Option<&Rollout>,
) -> Rollout {
    let ratio = max_failure_ratio.unwrap_or(0.0);
    let max_failure_ratio = match prior.map(|p| &p.max_failure_ratio) {
        Some(p) if p.parse::<f64>().ok() == Some(ratio) => p.clone(),
        _ => format!("{ratio:?}"),
    };
    Rollout {
        parallelism: parallelism.unwrap_or(0),
        delay: duration_or_zero(delay, prior.map(|p| p.delay.as_str())),
        failure_action: failure_action.unwrap_or_else(|| "pause".into()),
        monitor: duration_or_zero(monitor, prior.map(|p| p.monitor.as_str())),
        max_failure_ratio,
        order: order.unwrap_or_else(|| "stop-first".into()),
    }
}

fn update_config(u: &ServiceSpecUpdateConfig, prior: Option<&Rollout>) -> Rollout {
    let (action, order) = (spelled(u.failure_action.as_ref()), spelled(u.order.as_ref()));
    rollout(u.parallelism, u.delay, action, u.monitor, u.max_failure_ratio, order, prior)
}

fn rollback_config(u: &ServiceSpecRollbackConfig, prior: Option<&Rollout>) -> Rollout {
    let (action, order) = (spelled(u.failure_action.as_ref()), spelled(u.order.as_ref()));
    rollout(u.parallelism, u.delay, action, u.monitor, u.max_failure_ratio, order, prior)
}

/// Generic resources as kreuzwerker/docker records them: `kind=value` strings, named and
/// discrete apart.
fn generic_resources(g: Option<&[bollard::models::GenericResourcesInner]>) -> Option<GenericResources> {
    let g = g.unwrap_or_default();
    if g.is_empty() {
        return None;
    }
    let named = g
        .iter()
        .filter_map(|r| r.named_resource_spec.as_ref())
        .map(|n| format!("{}={}", n.kind.as_deref().unwrap_or_default(), n.value.as_deref().unwrap_or_default()));
    let discrete = g
        .iter()
        .filter_map(|r| r.discrete_resource_spec.as_ref())
        .map(|d| format!("{}={}", d.kind.as_deref().unwrap_or_default(), d.value.unwrap_or(0)));
    Some(GenericResources { named_resources_spec: set(named), discrete_resources_spec: set(discrete) })
}

/// The file a secret or config is mounted as (both kinds' files have the same fields).
fn file_target(file: Option<TaskSpecContainerSpecFile>) -> FileTarget {
    let f = file.unwrap_or_default();
    FileTarget {
        file_name: f.name.unwrap_or_default(),
        file_uid: string(f.uid.as_deref()).unwrap_or_else(|| "0".into()),
        file_gid: string(f.gid.as_deref()).unwrap_or_else(|| "0".into()),
        file_mode: f.mode.map_or(0o444, i64::from),
    }
}

fn mount(m: &bollard::models::Mount, prior: Option<&MountBlock>) -> MountBlock {
    let vo = m.volume_options.as_ref().filter(|v| **v != MountVolumeOptions::default());
    let volume_options = vo.map(|v| {
        let driver = v.driver_config.as_ref();
        VolumeOptions {
            no_copy: flag(v.no_copy, prior.and_then(|p| p.volume_options.as_ref()).and_then(|o| o.no_copy)),
            driver_name: string(driver.and_then(|d| d.name.as_deref())),
            driver_options: map(driver.and_then(|d| d.options.as_ref())),
            labels: labels::blocks_of(&labels::from_hash(v.labels.as_ref())),
        }
    });
    MountBlock {
        target: m.target.clone().unwrap_or_default(),
        source: string(m.source.as_deref()),
        kind: spelled(m.typ.as_ref()).unwrap_or_default(),
        read_only: flag(m.read_only, prior.and_then(|p| p.read_only)),
        bind_options: m
            .bind_options
            .as_ref()
            .map(|b| BindOptions { propagation: spelled_or(b.propagation.as_ref(), "rprivate") }),
        volume_options,
        tmpfs_options: m
            .tmpfs_options
            .as_ref()
            .filter(|t| t.size_bytes.is_some() || t.mode.is_some())
            .map(|t| TmpfsOptions { size_bytes: t.size_bytes, mode: t.mode }),
    }
}

fn container_spec(c: &TaskSpecContainerSpec, prior: &ContainerSpecBlock) -> ContainerSpecBlock {
    let env: BTreeMap<String, String> =
        c.env.iter().flatten().filter_map(|e| e.split_once('=').map(|(k, v)| (k.to_string(), v.to_string()))).collect();
    // The prior mount of the same target (mounts are a set: no position to go by).
    let mounts = c
        .mounts
        .iter()
        .flatten()
        .map(|m| mount(m, prior.mounts.iter().find(|p| Some(&p.target) == m.target.as_ref())))
        .collect();
    let privileges = match c.privileges.as_ref() {
        Some(p) if p.credential_spec.is_some() || p.se_linux_context.is_some() => Some(Privileges {
            credential_spec: p
                .credential_spec
                .as_ref()
                .map(|c| CredentialSpec { file: string(c.file.as_deref()), registry: string(c.registry.as_deref()) }),
            se_linux_context: p.se_linux_context.as_ref().map(|s| SeLinuxContext {
                disable: s.disable,
                user: string(s.user.as_deref()),
                role: string(s.role.as_deref()),
                kind: string(s.typ.as_deref()),
                level: string(s.level.as_deref()),
            }),
        }),
        _ => None,
    };
    let dns_config =
        c.dns_config.as_ref().filter(|d| d.nameservers.as_ref().is_some_and(|n| !n.is_empty())).map(|d| DnsConfig {
            nameservers: d.nameservers.clone().unwrap_or_default(),
            search: strings(d.search.as_ref()),
            options: strings(d.options.as_ref()),
        });
    let ph = prior.healthcheck.as_ref();
    let healthcheck = c.health_check.as_ref().filter(|h| h.test.is_some()).map(|h| Healthcheck {
        test: strings(h.test.as_ref()),
        interval: duration_or_zero(h.interval, ph.map(|p| p.interval.as_str())),
        timeout: duration_or_zero(h.timeout, ph.map(|p| p.timeout.as_str())),
        start_period: duration_or_zero(h.start_period, ph.map(|p| p.start_period.as_str())),
        retries: h.retries.unwrap_or(0),
    });
    let hosts = c
        .hosts
        .iter()
        .flatten()
        .filter_map(|h| {
            let mut parts = h.split_whitespace();
            let ip = parts.next()?;
            let host = parts.next()?;
            Some(Host { host: host.to_string(), ip: ip.to_string() })
        })
        .collect();
    let secrets = c
        .secrets
        .iter()
        .flatten()
        .map(|r| super::schema::SecretRef {
            secret_id: r.secret_id.clone().unwrap_or_default(),
            secret_name: string(r.secret_name.as_deref()),
            file: file_target(r.file.clone()),
        })
        .collect();
    let configs = c
        .configs
        .iter()
        .flatten()
        .map(|r| super::schema::ConfigRef {
            config_id: r.config_id.clone().unwrap_or_default(),
            config_name: string(r.config_name.as_deref()),
            file: file_target(r.file.clone().map(|f| TaskSpecContainerSpecFile {
                name: f.name,
                uid: f.uid,
                gid: f.gid,
                mode: f.mode,
            })),
        })
        .collect();
    ContainerSpecBlock {
        image: c.image.clone().unwrap_or_default(),
        command: strings(c.command.as_ref()),
        args: strings(c.args.as_ref()),
        hostname: string(c.hostname.as_deref()),
        env: (!env.is_empty()).then_some(env),
        dir: string(c.dir.as_deref()),
        user: string(c.user.as_deref()),
        groups: strings(c.groups.as_ref()),
        read_only: flag(c.read_only, prior.read_only),
        stop_signal: string(c.stop_signal.as_deref()),
        stop_grace_period: duration(c.stop_grace_period, prior.stop_grace_period.as_deref()),
        isolation: spelled_or(c.isolation.as_ref(), "default"),
        sysctl: map(c.sysctls.as_ref()),
        cap_add: strings(c.capability_add.as_ref()),
        cap_drop: strings(c.capability_drop.as_ref()),
        labels: labels::blocks_of(&labels::from_hash(c.labels.as_ref())),
        privileges,
        mounts,
        healthcheck,
        hosts,
        dns_config,
        secrets,
        configs,
    }
}

fn task_spec(tt: &TaskSpec, prior: &TaskSpecBlock, networks: &HashMap<String, String>) -> TaskSpecBlock {
    let container = container_spec(
        tt.container_spec.as_ref().unwrap_or(&TaskSpecContainerSpec::default()),
        prior.container_spec.as_ref().unwrap_or(&ContainerSpecBlock::default()),
    );
    let resources = tt.resources.as_ref().and_then(|r| {
        let limits = r.limits.as_ref().filter(|l| **l != Limit::default());
        let reservations = r.reservations.as_ref().filter(|l| **l != ResourceObject::default());
        (limits.is_some() || reservations.is_some()).then(|| Resources {
            limits: limits.map(|l| Limits { nano_cpus: l.nano_cpus, memory_bytes: l.memory_bytes }),
            reservation: reservations.map(|r| Reservation {
                nano_cpus: r.nano_cpus,
                memory_bytes: r.memory_bytes,
                generic_resources: generic_resources(r.generic_resources.as_deref()),
            }),
        })
    });
    let prp = prior.restart_policy.as_ref();
    let restart_policy =
        tt.restart_policy.as_ref().filter(|r| **r != TaskSpecRestartPolicy::default()).map(|r| RestartPolicy {
            condition: spelled(r.condition.as_ref()),
            delay: duration(r.delay, prp.and_then(|p| p.delay.as_deref())),
            max_attempts: r.max_attempts,
            window: duration(r.window, prp.and_then(|p| p.window.as_deref())),
        });
    let placement = tt
        .placement
        .as_ref()
        .filter(|p| {
            p.constraints.is_some() || p.preferences.is_some() || p.max_replicas.is_some() || p.platforms.is_some()
        })
        .map(|p| Placement {
            constraints: set(p.constraints.iter().flatten().cloned()),
            prefs: set(p.preferences.iter().flatten().filter_map(|x| x.spread.as_ref()?.spread_descriptor.clone())),
            max_replicas: p.max_replicas,
            platforms: p
                .platforms
                .iter()
                .flatten()
                .map(|pl| PlatformBlock {
                    architecture: pl.architecture.clone().unwrap_or_default(),
                    os: pl.os.clone().unwrap_or_default(),
                })
                .collect(),
        });
    // Keep the network spelling the configuration used (name or ID) when it is the same network.
    let networks_advanced = tt
        .networks
        .iter()
        .flatten()
        .map(|nw| {
            let target = nw.target.clone().unwrap_or_default();
            let name = networks.get(&target).cloned();
            let spelled = prior
                .networks_advanced
                .iter()
                .map(|p| &p.name)
                .find(|p| **p == target || Some(*p) == name.as_ref())
                .cloned()
                .or(name)
                .unwrap_or(target);
            NetworkAttachment {
                name: spelled,
                aliases: set(nw.aliases.iter().flatten().cloned()),
                driver_opts: set(labels::from_hash(nw.driver_opts.as_ref()).iter().map(|(k, v)| format!("{k}={v}"))),
            }
        })
        .collect();
    let log_driver = tt
        .log_driver
        .as_ref()
        .filter(|l| l.name.is_some())
        .map(|l| LogDriver { name: l.name.clone().unwrap_or_default(), options: map(l.options.as_ref()) });
    TaskSpecBlock {
        // Both computed: what the daemon reports ("container", 0) when none was asked for.
        force_update: Some(tt.force_update.and_then(|n| i64::try_from(n).ok()).unwrap_or(0)),
        runtime: string(tt.runtime.as_deref()),
        container_spec: Some(container),
        resources,
        restart_policy,
        placement,
        networks_advanced,
        log_driver,
    }
}

/// The object for a service as the daemon describes it; `prior` supplies spellings and the
/// arguments the daemon does not return (converge_config, auth).
pub fn from_service(svc: &Service, prior: &ServiceObject, networks: &HashMap<String, String>) -> ServiceObject {
    let no_spec = ServiceSpec::default();
    let spec = svc.spec.as_ref().unwrap_or(&no_spec);
    let task = task_spec(
        spec.task_template.as_ref().unwrap_or(&TaskSpec::default()),
        prior.task_spec.as_ref().unwrap_or(&TaskSpecBlock::default()),
        networks,
    );
    let mode = spec.mode.as_ref();
    let mode = if mode.is_some_and(|m| m.global.is_some()) {
        Mode { global: true, replicated: None }
    } else {
        let replicas = mode.and_then(|m| m.replicated.as_ref()).and_then(|r| r.replicas).unwrap_or(1);
        Mode { global: false, replicated: Some(Replicated { replicas }) }
    };
    let ep = spec.endpoint_spec.as_ref();
    let ports = ep
        .and_then(|e| e.ports.as_ref())
        .into_iter()
        .flatten()
        .map(|pt| Port {
            name: string(pt.name.as_deref()),
            protocol: spelled_or(pt.protocol.as_ref(), "tcp"),
            target_port: pt.target_port.unwrap_or_default(),
            published_port: pt.published_port,
            publish_mode: spelled_or(pt.publish_mode.as_ref(), "ingress"),
        })
        .collect();
    let endpoint_spec = EndpointSpecBlock { mode: Some(spelled_or(ep.and_then(|e| e.mode.as_ref()), "vip")), ports };
    let update = spec
        .update_config
        .as_ref()
        .filter(|u| **u != ServiceSpecUpdateConfig::default())
        .map(|u| update_config(u, prior.update_config.as_ref()));
    let rollback = spec
        .rollback_config
        .as_ref()
        .filter(|u| **u != ServiceSpecRollbackConfig::default())
        .map(|u| rollback_config(u, prior.rollback_config.as_ref()));
    ServiceObject {
        id: Some(svc.id.clone().unwrap_or_default()),
        name: spec.name.clone().unwrap_or_default(),
        labels: labels::read_labels(spec.labels.as_ref()),
        task_spec: Some(task),
        mode: Some(mode),
        update_config: update,
        rollback_config: rollback,
        endpoint_spec: Some(endpoint_spec),
        converge_config: prior.converge_config.clone(),
        auth: prior.auth.clone(),
    }
}
