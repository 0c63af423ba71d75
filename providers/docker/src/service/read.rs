//! A service as the daemon describes it (bollard's `Service`), read back into a
//! `docker_service` object. Reading back keeps the configuration's spelling where the daemon's
//! means the same (durations, network names), so a service re-plans clean; what the daemon
//! leaves empty (an empty string, list, map or object) reads as null.

use super::schema::schema;
use crate::labels;
use crate::resource::format_ns;
use bollard::models::{
    Limit, MountVolumeOptions, ResourceObject, Service, ServiceSpec, ServiceSpecRollbackConfig,
    ServiceSpecUpdateConfig, TaskSpec, TaskSpecContainerSpec, TaskSpecContainerSpecFile, TaskSpecRestartPolicy,
};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Display;
use terrane_engine::attrs::{self as val, Obj};
use terrane_engine::value::Value;

/// A string the daemon set; an empty one is none.
fn string(s: Option<&str>) -> Value {
    s.filter(|s| !s.is_empty()).map_or(Value::NULL, Value::from)
}

/// An enum as the daemon spells it; its empty spelling is none.
fn spelled(e: Option<&impl Display>) -> Value {
    string(e.map(ToString::to_string).as_deref())
}

/// A number attribute (as a float, which is how these always read back).
fn number(n: Option<i64>) -> Value {
    n.map_or(Value::NULL, |n| Value::from(n as f64))
}

/// A flag the daemon leaves out when it is false: `false` where the prior value (the
/// configuration as applied) said so, else not set.
fn flag(b: Option<bool>, prior: Option<&Value>) -> Value {
    match b {
        Some(b) => Value::Bool(b),
        None if prior.is_some_and(|p| p.as_bool() == Some(false)) => Value::Bool(false),
        None => Value::NULL,
    }
}

/// A list of strings; empty is none.
fn strings(v: Option<&Vec<String>>) -> Value {
    v.filter(|v| !v.is_empty()).map_or(Value::NULL, |v| val::strs(v.iter().cloned()))
}

/// A set of strings; empty is none.
fn set(v: Option<&Vec<String>>) -> Value {
    v.filter(|v| !v.is_empty()).map_or(Value::NULL, |v| val::str_set(v.iter().cloned()))
}

/// A map of strings; empty is none.
fn map(m: Option<&HashMap<String, String>>) -> Value {
    let m = labels::from_hash(m);
    if m.is_empty() { Value::NULL } else { val::str_map(&m) }
}

/// A duration in nanoseconds, spelled as the prior value spells it when equal.
fn duration(ns: Option<i64>, prior: &Value, pk: &str) -> Value {
    ns.map_or(Value::NULL, |ns| Value::from(format_ns(ns, val::string(prior, pk).as_deref())))
}

/// A block written at most once, as recorded: a list of the one object, or none.
fn one(v: Value) -> Value {
    if v.is_null() { Value::tuple(Vec::new()) } else { Value::tuple(vec![v]) }
}

/// `k=v` strings, as kreuzwerker/docker records maps it keeps in sets (`driver_opts`).
fn pairs(m: Option<&HashMap<String, String>>) -> Value {
    let m = labels::from_hash(m);
    if m.is_empty() { Value::NULL } else { val::str_set(m.iter().map(|(k, v)| format!("{k}={v}"))) }
}

fn sub(v: &Value, path: &[&str]) -> Value {
    let mut cur = v.clone();
    for k in path {
        cur = val::block(&cur, k).unwrap_or(Value::NULL);
    }
    cur
}

trait OrDefault {
    fn or(self, d: &str) -> Value;
}

impl OrDefault for Value {
    fn or(self, d: &str) -> Value {
        if self.is_null() { Value::from(d) } else { self }
    }
}

/// What update_config and rollback_config share; their enums are distinct types, read here
/// as the daemon spells them.
struct Rollout {
    parallelism: Option<i64>,
    delay: Option<i64>,
    failure_action: Value,
    monitor: Option<i64>,
    max_failure_ratio: Option<f64>,
    order: Value,
}

impl Rollout {
    fn value(self, prior: &Value) -> Value {
        let ratio = self.max_failure_ratio.unwrap_or(0.0);
        let ratio = match val::string(prior, "max_failure_ratio") {
            Some(p) if p.parse::<f64>().ok() == Some(ratio) => p,
            _ => format!("{ratio:?}"),
        };
        Value::object([
            ("parallelism", Value::from(self.parallelism.unwrap_or(0))),
            ("delay", duration(self.delay, prior, "delay").or("0s")),
            ("failure_action", self.failure_action.or("pause")),
            ("monitor", duration(self.monitor, prior, "monitor").or("0s")),
            ("max_failure_ratio", Value::from(ratio)),
            ("order", self.order.or("stop-first")),
        ])
    }
}

fn update_config(u: &ServiceSpecUpdateConfig) -> Rollout {
    Rollout {
        parallelism: u.parallelism,
        delay: u.delay,
        failure_action: spelled(u.failure_action.as_ref()),
        monitor: u.monitor,
        max_failure_ratio: u.max_failure_ratio,
        order: spelled(u.order.as_ref()),
    }
}

fn rollback_config(u: &ServiceSpecRollbackConfig) -> Rollout {
    Rollout {
        parallelism: u.parallelism,
        delay: u.delay,
        failure_action: spelled(u.failure_action.as_ref()),
        monitor: u.monitor,
        max_failure_ratio: u.max_failure_ratio,
        order: spelled(u.order.as_ref()),
    }
}

/// Generic resources as kreuzwerker/docker records them: `kind=value` strings, named and
/// discrete apart.
fn generic_resources(g: Option<&[bollard::models::GenericResourcesInner]>) -> Value {
    let g = g.unwrap_or_default();
    if g.is_empty() {
        return Value::NULL;
    }
    let named: Vec<String> = g
        .iter()
        .filter_map(|r| r.named_resource_spec.as_ref())
        .map(|n| format!("{}={}", n.kind.as_deref().unwrap_or_default(), n.value.as_deref().unwrap_or_default()))
        .collect();
    let discrete: Vec<String> = g
        .iter()
        .filter_map(|r| r.discrete_resource_spec.as_ref())
        .map(|d| format!("{}={}", d.kind.as_deref().unwrap_or_default(), d.value.unwrap_or(0)))
        .collect();
    let strs = |v: Vec<String>| if v.is_empty() { Value::NULL } else { val::str_set(v) };
    Value::object([("named_resources_spec", strs(named)), ("discrete_resources_spec", strs(discrete))])
}

/// A secret or config reference (both kinds' files have the same fields).
fn file_ref(kind: &str, id: Option<&str>, name: Option<&str>, file: Option<TaskSpecContainerSpecFile>) -> Value {
    let f = file.unwrap_or_default();
    Value::object([
        (format!("{kind}_id").as_str(), string(id)),
        (format!("{kind}_name").as_str(), string(name)),
        ("file_name", string(f.name.as_deref())),
        ("file_uid", string(f.uid.as_deref()).or("0")),
        ("file_gid", string(f.gid.as_deref()).or("0")),
        ("file_mode", Value::from(f.mode.map_or(0o444, i64::from))),
    ])
}

fn container_spec(c: &TaskSpecContainerSpec, prior: &Value) -> Value {
    let env: BTreeMap<String, String> =
        c.env.iter().flatten().filter_map(|e| e.split_once('=').map(|(k, v)| (k.to_string(), v.to_string()))).collect();
    let prior_mounts = prior.get_attr("mounts").and_then(Value::as_seq).map(<[Value]>::to_vec).unwrap_or_default();
    let mounts = c
        .mounts
        .iter()
        .flatten()
        .map(|m| {
            // The prior mount of the same target (mounts are a set: no position to go by).
            let pm = prior_mounts.iter().find(|p| p.get_attr("target").and_then(Value::as_str) == m.target.as_deref());
            let vo = m.volume_options.as_ref().filter(|v| **v != MountVolumeOptions::default());
            let bind_options = match m.bind_options.as_ref() {
                Some(b) => one(Value::object([("propagation", spelled(b.propagation.as_ref()).or("rprivate"))])),
                None => one(Value::NULL),
            };
            let tmpfs_options = match m.tmpfs_options.as_ref().filter(|t| t.size_bytes.is_some() || t.mode.is_some()) {
                Some(t) => one(Value::object([("size_bytes", number(t.size_bytes)), ("mode", number(t.mode))])),
                None => one(Value::NULL),
            };
            let volume_options = match vo {
                Some(v) => {
                    let driver = v.driver_config.as_ref();
                    Value::object([
                        (
                            "no_copy",
                            flag(
                                v.no_copy,
                                pm.map(|pm| sub(pm, &["volume_options"])).as_ref().and_then(|o| o.get_attr("no_copy")),
                            ),
                        ),
                        ("driver_name", string(driver.and_then(|d| d.name.as_deref()))),
                        ("driver_options", map(driver.and_then(|d| d.options.as_ref()))),
                        ("labels", labels::from_map(&labels::from_hash(v.labels.as_ref()))),
                    ])
                }
                None => Value::NULL,
            };
            Value::object([
                ("target", string(m.target.as_deref())),
                ("source", string(m.source.as_deref())),
                ("type", spelled(m.typ.as_ref())),
                ("read_only", flag(m.read_only, pm.and_then(|pm| pm.get_attr("read_only")))),
                ("bind_options", bind_options),
                ("volume_options", one(volume_options)),
                ("tmpfs_options", tmpfs_options),
            ])
        })
        .collect();
    let ph = sub(prior, &["healthcheck"]);
    let privileges = match c.privileges.as_ref() {
        Some(p) if p.credential_spec.is_some() || p.se_linux_context.is_some() => {
            let credential_spec = p.credential_spec.as_ref().map_or(Value::NULL, |c| {
                Value::object([("file", string(c.file.as_deref())), ("registry", string(c.registry.as_deref()))])
            });
            let se_linux_context = p.se_linux_context.as_ref().map_or(Value::NULL, |s| {
                Value::object([
                    ("disable", s.disable.map_or(Value::NULL, Value::Bool)),
                    ("user", string(s.user.as_deref())),
                    ("role", string(s.role.as_deref())),
                    ("type", string(s.typ.as_deref())),
                    ("level", string(s.level.as_deref())),
                ])
            });
            Value::object([("credential_spec", one(credential_spec)), ("se_linux_context", one(se_linux_context))])
        }
        _ => Value::NULL,
    };
    let dns_config = match c.dns_config.as_ref().filter(|d| d.nameservers.as_ref().is_some_and(|n| !n.is_empty())) {
        Some(d) => Value::object([
            ("nameservers", strings(d.nameservers.as_ref())),
            ("search", strings(d.search.as_ref())),
            ("options", strings(d.options.as_ref())),
        ]),
        None => Value::NULL,
    };
    let healthcheck = match c.health_check.as_ref().filter(|h| h.test.is_some()) {
        Some(h) => Value::object([
            ("test", strings(h.test.as_ref())),
            ("interval", duration(h.interval, &ph, "interval").or("0s")),
            ("timeout", duration(h.timeout, &ph, "timeout").or("0s")),
            ("start_period", duration(h.start_period, &ph, "start_period").or("0s")),
            ("retries", Value::from(h.retries.unwrap_or(0))),
        ]),
        None => Value::NULL,
    };
    let hosts = c
        .hosts
        .iter()
        .flatten()
        .filter_map(|h| {
            let mut parts = h.split_whitespace();
            let ip = parts.next()?;
            let host = parts.next()?;
            Some(Value::object([("host", Value::from(host)), ("ip", Value::from(ip))]))
        })
        .collect();
    let secrets = c
        .secrets
        .iter()
        .flatten()
        .map(|r| file_ref("secret", r.secret_id.as_deref(), r.secret_name.as_deref(), r.file.clone()))
        .collect();
    let configs = c
        .configs
        .iter()
        .flatten()
        .map(|r| {
            let file = r.file.clone().map(|f| TaskSpecContainerSpecFile {
                name: f.name,
                uid: f.uid,
                gid: f.gid,
                mode: f.mode,
            });
            file_ref("config", r.config_id.as_deref(), r.config_name.as_deref(), file)
        })
        .collect();
    Obj::new(&schema().blocks["task_spec"].schema.blocks["container_spec"].schema)
        .set("image", string(c.image.as_deref()))
        .set("command", strings(c.command.as_ref()))
        .set("args", strings(c.args.as_ref()))
        .set("hostname", string(c.hostname.as_deref()))
        .set("env", if env.is_empty() { Value::NULL } else { val::str_map(&env) })
        .set("dir", string(c.dir.as_deref()))
        .set("user", string(c.user.as_deref()))
        .set("groups", strings(c.groups.as_ref()))
        .set("read_only", flag(c.read_only, prior.get_attr("read_only")))
        .set("stop_signal", string(c.stop_signal.as_deref()))
        .set("stop_grace_period", duration(c.stop_grace_period, prior, "stop_grace_period"))
        .set("isolation", spelled(c.isolation.as_ref()).or("default"))
        .set("sysctl", map(c.sysctls.as_ref()))
        .set("cap_add", strings(c.capability_add.as_ref()))
        .set("cap_drop", strings(c.capability_drop.as_ref()))
        .set("privileges", one(privileges))
        .set("dns_config", one(dns_config))
        .set("labels", labels::from_map(&labels::from_hash(c.labels.as_ref())))
        .set("mounts", Value::set_any(mounts))
        .set("healthcheck", one(healthcheck))
        .set("hosts", Value::set_any(hosts))
        .set("secrets", Value::set_any(secrets))
        .set("configs", Value::set_any(configs))
        .build()
}

fn task_spec(tt: &TaskSpec, prior: &Value, networks: &HashMap<String, String>) -> Value {
    let container = container_spec(
        tt.container_spec.as_ref().unwrap_or(&TaskSpecContainerSpec::default()),
        &sub(prior, &["container_spec"]),
    );
    let resources = match tt.resources.as_ref() {
        Some(r) => {
            let limits = r.limits.as_ref().filter(|l| **l != Limit::default());
            let reservations = r.reservations.as_ref().filter(|l| **l != ResourceObject::default());
            let side = |cpus, memory| Value::object([("nano_cpus", number(cpus)), ("memory_bytes", number(memory))]);
            if limits.is_some() || reservations.is_some() {
                let reservation = reservations.map_or(Value::NULL, |r| {
                    let mut v = side(r.nano_cpus, r.memory_bytes);
                    v.set_at_path(
                        &[terrane_engine::value::PathStep::Attr("generic_resources".into())],
                        one(generic_resources(r.generic_resources.as_deref())),
                    );
                    v
                });
                Value::object([
                    ("limits", one(limits.map_or(Value::NULL, |l| side(l.nano_cpus, l.memory_bytes)))),
                    ("reservation", one(reservation)),
                ])
            } else {
                Value::NULL
            }
        }
        None => Value::NULL,
    };
    let prp = sub(prior, &["restart_policy"]);
    let restart_policy = match tt.restart_policy.as_ref().filter(|r| **r != TaskSpecRestartPolicy::default()) {
        Some(r) => Value::object([
            ("condition", spelled(r.condition.as_ref())),
            ("delay", duration(r.delay, &prp, "delay")),
            ("max_attempts", number(r.max_attempts)),
            ("window", duration(r.window, &prp, "window")),
        ]),
        None => Value::NULL,
    };
    let placement = match tt.placement.as_ref().filter(|p| {
        p.constraints.is_some() || p.preferences.is_some() || p.max_replicas.is_some() || p.platforms.is_some()
    }) {
        Some(p) => {
            let prefs: Vec<String> =
                p.preferences.iter().flatten().filter_map(|x| x.spread.as_ref()?.spread_descriptor.clone()).collect();
            let platforms = p
                .platforms
                .iter()
                .flatten()
                .map(|pl| {
                    Value::object([
                        ("architecture", string(pl.architecture.as_deref())),
                        ("os", string(pl.os.as_deref())),
                    ])
                })
                .collect();
            Value::object([
                ("constraints", set(p.constraints.as_ref())),
                ("prefs", if prefs.is_empty() { Value::NULL } else { val::str_set(prefs) }),
                ("max_replicas", number(p.max_replicas)),
                ("platforms", Value::set_any(platforms)),
            ])
        }
        None => Value::NULL,
    };
    // Keep the network spelling the configuration used (name or ID) when it is the same network.
    let prior_nets: Vec<String> =
        val::blocks(prior, "networks_advanced").iter().filter_map(|n| val::string(n, "name")).collect();
    let nets = tt
        .networks
        .iter()
        .flatten()
        .map(|nw| {
            let target = nw.target.clone().unwrap_or_default();
            let name = networks.get(&target).cloned();
            let spelled = prior_nets
                .iter()
                .find(|p| **p == target || Some(*p) == name.as_ref())
                .cloned()
                .or(name)
                .unwrap_or(target);
            Value::object([
                ("name", Value::from(spelled)),
                ("aliases", set(nw.aliases.as_ref())),
                ("driver_opts", pairs(nw.driver_opts.as_ref())),
            ])
        })
        .collect();
    let log_driver = match tt.log_driver.as_ref().filter(|l| l.name.is_some()) {
        Some(l) => Value::object([("name", string(l.name.as_deref())), ("options", map(l.options.as_ref()))]),
        None => Value::NULL,
    };
    // Both computed: what the daemon reports ("container", 0) when none was asked for.
    let force_update = tt.force_update.and_then(|n| i64::try_from(n).ok()).unwrap_or(0);
    Value::object([
        ("force_update", Value::from(force_update)),
        ("runtime", string(tt.runtime.as_deref())),
        ("container_spec", one(container)),
        ("resources", one(resources)),
        ("restart_policy", one(restart_policy)),
        ("placement", one(placement)),
        ("networks_advanced", Value::set_any(nets)),
        ("log_driver", one(log_driver)),
    ])
}

/// The object for a service as the daemon describes it; `prior` supplies spellings and the
/// arguments the daemon does not return (converge_config, auth).
pub fn from_service(svc: &Service, prior: &Value, networks: &HashMap<String, String>) -> Value {
    let no_spec = ServiceSpec::default();
    let spec = svc.spec.as_ref().unwrap_or(&no_spec);
    let task =
        task_spec(spec.task_template.as_ref().unwrap_or(&TaskSpec::default()), &sub(prior, &["task_spec"]), networks);
    let mode = spec.mode.as_ref();
    let mode = if mode.is_some_and(|m| m.global.is_some()) {
        Value::object([("global", Value::Bool(true)), ("replicated", one(Value::NULL))])
    } else {
        let replicas = mode.and_then(|m| m.replicated.as_ref()).and_then(|r| r.replicas).unwrap_or(1);
        Value::object([
            ("global", Value::Bool(false)),
            ("replicated", one(Value::object([("replicas", Value::from(replicas))]))),
        ])
    };
    let ep = spec.endpoint_spec.as_ref();
    let ports = ep
        .and_then(|e| e.ports.as_ref())
        .into_iter()
        .flatten()
        .map(|pt| {
            Value::object([
                ("name", string(pt.name.as_deref())),
                ("protocol", spelled(pt.protocol.as_ref()).or("tcp")),
                ("target_port", number(pt.target_port)),
                ("published_port", number(pt.published_port)),
                ("publish_mode", spelled(pt.publish_mode.as_ref()).or("ingress")),
            ])
        })
        .collect();
    let endpoint_spec =
        Value::object([("mode", spelled(ep.and_then(|e| e.mode.as_ref())).or("vip")), ("ports", Value::tuple(ports))]);
    let update = spec
        .update_config
        .as_ref()
        .filter(|u| **u != ServiceSpecUpdateConfig::default())
        .map_or(Value::NULL, |u| update_config(u).value(&sub(prior, &["update_config"])));
    let rollback = spec
        .rollback_config
        .as_ref()
        .filter(|u| **u != ServiceSpecRollbackConfig::default())
        .map_or(Value::NULL, |u| rollback_config(u).value(&sub(prior, &["rollback_config"])));
    Obj::new(&schema())
        .set("id", svc.id.as_deref().unwrap_or_default())
        .set("name", spec.name.as_deref().unwrap_or_default())
        .set("labels", labels::read_map(spec.labels.as_ref()))
        .set("task_spec", one(task))
        .set("mode", one(mode))
        .set("update_config", one(update))
        .set("rollback_config", one(rollback))
        .set("endpoint_spec", one(endpoint_spec))
        .keep(prior, &["converge_config", "auth"])
        .build()
}
