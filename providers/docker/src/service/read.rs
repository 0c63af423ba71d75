//! A service as the daemon describes it, read back into a `docker_service` object. Reading
//! back keeps the configuration's spelling where the daemon's means the same (durations,
//! network names), so a service re-plans clean.

use super::schema::schema;
use crate::labels;
use crate::resource::format_ns;
use serde_json::Value as J;
use std::collections::{BTreeMap, HashMap};
use terrane_engine::attrs::{self as val, Obj};
use terrane_engine::value::Value;

fn js(j: &J, k: &str) -> Value {
    j.get(k).and_then(J::as_str).filter(|s| !s.is_empty()).map_or(Value::NULL, Value::from)
}

fn jn(j: &J, k: &str) -> Value {
    j.get(k).and_then(J::as_f64).map_or(Value::NULL, Value::from)
}

fn jstrings(j: &J, k: &str) -> Value {
    match j.get(k).and_then(J::as_array) {
        Some(a) if !a.is_empty() => val::strs(a.iter().filter_map(|x| x.as_str().map(str::to_string))),
        _ => Value::NULL,
    }
}

fn jset(j: &J, k: &str) -> Value {
    match j.get(k).and_then(J::as_array) {
        Some(a) if !a.is_empty() => val::str_set(a.iter().filter_map(|x| x.as_str().map(str::to_string))),
        _ => Value::NULL,
    }
}

fn jmap(j: &J, k: &str) -> Value {
    let m = labels::from_json(j.get(k));
    if m.is_empty() { Value::NULL } else { val::str_map(&m) }
}

/// A duration field, spelled as the prior value spells it when equal.
fn jdur(j: &J, k: &str, prior: &Value, pk: &str) -> Value {
    match j.get(k).and_then(J::as_i64) {
        Some(ns) => Value::from(format_ns(ns, val::string(prior, pk).as_deref())),
        None => Value::NULL,
    }
}

fn sub(v: &Value, path: &[&str]) -> Value {
    let mut cur = v.clone();
    for k in path {
        cur = val::block(&cur, k).unwrap_or(Value::NULL);
    }
    cur
}

fn update_config_value(j: &J, prior: &Value) -> Value {
    let ratio = j.get("MaxFailureRatio").and_then(J::as_f64).unwrap_or(0.0);
    let prior_ratio = val::string(prior, "max_failure_ratio");
    let ratio = match prior_ratio {
        Some(p) if p.parse::<f64>().ok() == Some(ratio) => p,
        _ => format!("{ratio:?}"),
    };
    Value::object([
        ("parallelism", Value::from(j.get("Parallelism").and_then(J::as_i64).unwrap_or(0))),
        ("delay", jdur(j, "Delay", prior, "delay").or("0s")),
        ("failure_action", js(j, "FailureAction").or("pause")),
        ("monitor", jdur(j, "Monitor", prior, "monitor").or("0s")),
        ("max_failure_ratio", Value::from(ratio)),
        ("order", js(j, "Order").or("stop-first")),
    ])
}

trait OrDefault {
    fn or(self, d: &str) -> Value;
}

impl OrDefault for Value {
    fn or(self, d: &str) -> Value {
        if self.is_null() { Value::from(d) } else { self }
    }
}

fn file_refs_value(j: &J, key: &str, kind: &str, id_key: &str, name_key: &str) -> Value {
    let items = j.get(key).and_then(J::as_array).cloned().unwrap_or_default();
    Value::set_any(
        items
            .iter()
            .map(|r| {
                let f = &r["File"];
                Value::object([
                    (format!("{kind}_id").as_str(), js(r, id_key)),
                    (format!("{kind}_name").as_str(), js(r, name_key)),
                    ("file_name", js(f, "Name")),
                    ("file_uid", js(f, "UID").or("0")),
                    ("file_gid", js(f, "GID").or("0")),
                    ("file_mode", Value::from(f.get("Mode").and_then(J::as_i64).unwrap_or(0o444))),
                ])
            })
            .collect(),
    )
}

/// The object for a service as the daemon describes it; `prior` supplies spellings and the
/// arguments the daemon does not return (converge_config, auth).
pub fn from_service(svc: &J, prior: &Value, networks: &HashMap<String, String>) -> Value {
    let spec = &svc["Spec"];
    let tt = &spec["TaskTemplate"];
    let c = &tt["ContainerSpec"];
    let pcs = sub(prior, &["task_spec", "container_spec"]);
    let env: BTreeMap<String, String> = c
        .get("Env")
        .and_then(J::as_array)
        .map(|a| {
            a.iter().filter_map(|e| e.as_str()?.split_once('=').map(|(k, v)| (k.to_string(), v.to_string()))).collect()
        })
        .unwrap_or_default();
    let mounts: Vec<Value> = c
        .get("Mounts")
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|m| {
            let vo = m.get("VolumeOptions").filter(|v| v.as_object().is_some_and(|o| !o.is_empty()));
            Value::object([
                ("target", js(m, "Target")),
                ("source", js(m, "Source")),
                ("type", js(m, "Type")),
                ("read_only", m.get("ReadOnly").and_then(J::as_bool).map_or(Value::NULL, Value::Bool)),
                (
                    "volume_options",
                    match vo {
                        Some(v) => Value::object([
                            ("no_copy", v.get("NoCopy").and_then(J::as_bool).map_or(Value::NULL, Value::Bool)),
                            ("driver_name", js(&v["DriverConfig"], "Name")),
                            ("driver_options", jmap(&v["DriverConfig"], "Options")),
                            ("labels", labels::from_map(&labels::from_json(v.get("Labels")))),
                        ]),
                        None => Value::NULL,
                    },
                ),
            ])
        })
        .collect();
    let ph = sub(&pcs, &["healthcheck"]);
    let healthcheck = match c.get("HealthCheck").filter(|h| h.get("Test").is_some()) {
        Some(h) => Value::object([
            ("test", jstrings(h, "Test")),
            ("interval", jdur(h, "Interval", &ph, "interval").or("0s")),
            ("timeout", jdur(h, "Timeout", &ph, "timeout").or("0s")),
            ("start_period", jdur(h, "StartPeriod", &ph, "start_period").or("0s")),
            ("retries", Value::from(h.get("Retries").and_then(J::as_i64).unwrap_or(0))),
        ]),
        None => Value::NULL,
    };
    let hosts: Vec<Value> = c
        .get("Hosts")
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|h| {
            let mut parts = h.as_str()?.split_whitespace();
            let ip = parts.next()?;
            let host = parts.next()?;
            Some(Value::object([("host", Value::from(host)), ("ip", Value::from(ip))]))
        })
        .collect();
    let container_spec = Obj::new(&schema().blocks["task_spec"].schema.blocks["container_spec"].schema)
        .set("image", js(c, "Image"))
        .set("command", jstrings(c, "Command"))
        .set("args", jstrings(c, "Args"))
        .set("hostname", js(c, "Hostname"))
        .set("env", if env.is_empty() { Value::NULL } else { val::str_map(&env) })
        .set("dir", js(c, "Dir"))
        .set("user", js(c, "User"))
        .set("groups", jstrings(c, "Groups"))
        .set("read_only", c.get("ReadOnly").and_then(J::as_bool).map_or(Value::NULL, Value::Bool))
        .set("stop_signal", js(c, "StopSignal"))
        .set("stop_grace_period", jdur(c, "StopGracePeriod", &pcs, "stop_grace_period"))
        .set("isolation", js(c, "Isolation").or("default"))
        .set("sysctl", jmap(c, "Sysctls"))
        .set("cap_add", jset(c, "CapabilityAdd"))
        .set("cap_drop", jset(c, "CapabilityDrop"))
        .set("labels", labels::from_map(&labels::from_json(c.get("Labels"))))
        .set("mounts", Value::set_any(mounts))
        .set("healthcheck", healthcheck)
        .set("hosts", Value::set_any(hosts))
        .set("secrets", file_refs_value(c, "Secrets", "secret", "SecretID", "SecretName"))
        .set("configs", file_refs_value(c, "Configs", "config", "ConfigID", "ConfigName"))
        .build();
    // Isolation "default" is what the daemon reports when none was asked for.
    let container_spec = if val::string(&pcs, "isolation").is_none()
        && val::string(&container_spec, "isolation").as_deref() == Some("default")
    {
        let mut cs = container_spec;
        cs.set_at_path(&[terrane_engine::value::PathStep::Attr("isolation".into())], Value::NULL);
        cs
    } else {
        container_spec
    };
    let ptask = sub(prior, &["task_spec"]);
    let resources = match tt
        .get("Resources")
        .filter(|r| r.as_object().is_some_and(|o| o.values().any(|v| v.as_object().is_some_and(|x| !x.is_empty()))))
    {
        Some(r) => {
            let side = |k: &str| match r.get(k).filter(|s| s.as_object().is_some_and(|o| !o.is_empty())) {
                Some(s) => Value::object([("nano_cpus", jn(s, "NanoCPUs")), ("memory_bytes", jn(s, "MemoryBytes"))]),
                None => Value::NULL,
            };
            Value::object([("limits", side("Limits")), ("reservations", side("Reservations"))])
        }
        None => Value::NULL,
    };
    let prp = sub(&ptask, &["restart_policy"]);
    let restart_policy = match tt.get("RestartPolicy").filter(|r| r.as_object().is_some_and(|o| !o.is_empty())) {
        Some(r) => Value::object([
            ("condition", js(r, "Condition")),
            ("delay", jdur(r, "Delay", &prp, "delay")),
            ("max_attempts", jn(r, "MaxAttempts")),
            ("window", jdur(r, "Window", &prp, "window")),
        ]),
        None => Value::NULL,
    };
    let placement = match tt
        .get("Placement")
        .filter(|p| ["Constraints", "Preferences", "MaxReplicas"].iter().any(|k| p.get(*k).is_some()))
    {
        Some(p) => {
            let prefs: Vec<String> = p
                .get("Preferences")
                .and_then(J::as_array)
                .map(|a| {
                    a.iter().filter_map(|x| x["Spread"]["SpreadDescriptor"].as_str().map(str::to_string)).collect()
                })
                .unwrap_or_default();
            Value::object([
                ("constraints", jset(p, "Constraints")),
                ("prefs", if prefs.is_empty() { Value::NULL } else { val::str_set(prefs) }),
                ("max_replicas", jn(p, "MaxReplicas")),
            ])
        }
        None => Value::NULL,
    };
    // Keep the network spelling the configuration used (name or ID) when it is the same network.
    let prior_nets: Vec<String> =
        val::blocks(&ptask, "networks_advanced").iter().filter_map(|n| val::string(n, "name")).collect();
    let nets: Vec<Value> = tt
        .get("Networks")
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|nw| {
            let target = nw["Target"].as_str().unwrap_or_default().to_string();
            let name = networks.get(&target).cloned();
            let spelled = prior_nets
                .iter()
                .find(|p| **p == target || Some(*p) == name.as_ref())
                .cloned()
                .or(name)
                .unwrap_or(target);
            Value::object([
                ("name", Value::from(spelled)),
                ("aliases", jset(nw, "Aliases")),
                ("driver_opts", jmap(nw, "DriverOpts")),
            ])
        })
        .collect();
    let log_driver = match tt.get("LogDriver").filter(|l| l.get("Name").is_some()) {
        Some(l) => Value::object([("name", js(l, "Name")), ("options", jmap(l, "Options"))]),
        None => Value::NULL,
    };
    let task_spec = Value::object([
        (
            "force_update",
            tt.get("ForceUpdate").and_then(J::as_i64).filter(|n| *n != 0).map_or(Value::NULL, Value::from),
        ),
        // "container" is what the daemon reports when no runtime was asked for.
        (
            "runtime",
            if val::string(&ptask, "runtime").is_none() && tt["Runtime"].as_str() == Some("container") {
                Value::NULL
            } else {
                js(tt, "Runtime")
            },
        ),
        ("container_spec", container_spec),
        ("resources", resources),
        ("restart_policy", restart_policy),
        ("placement", placement),
        ("networks_advanced", Value::set_any(nets)),
        ("log_driver", log_driver),
    ]);
    let mode = if spec["Mode"].get("Global").is_some() {
        Value::object([("global", Value::Bool(true)), ("replicated", Value::NULL)])
    } else {
        let replicas = spec["Mode"]["Replicated"]["Replicas"].as_i64().unwrap_or(1);
        Value::object([
            ("global", Value::Bool(false)),
            ("replicated", Value::object([("replicas", Value::from(replicas))])),
        ])
    };
    let ep = &spec["EndpointSpec"];
    let ports: Vec<Value> = ep
        .get("Ports")
        .and_then(J::as_array)
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|pt| {
            Value::object([
                ("name", js(pt, "Name")),
                ("protocol", js(pt, "Protocol").or("tcp")),
                ("target_port", jn(pt, "TargetPort")),
                ("published_port", jn(pt, "PublishedPort")),
                ("publish_mode", js(pt, "PublishMode").or("ingress")),
            ])
        })
        .collect();
    let endpoint_spec = Value::object([("mode", js(ep, "Mode").or("vip")), ("ports", Value::tuple(ports))]);
    let uc = |k: &str, pk: &str| match spec.get(k).filter(|u| u.as_object().is_some_and(|o| !o.is_empty())) {
        Some(u) => update_config_value(u, &sub(prior, &[pk])),
        None => Value::NULL,
    };
    Obj::new(&schema())
        .set("id", svc["ID"].as_str().unwrap_or_default())
        .set("name", spec["Name"].as_str().unwrap_or_default())
        .set("labels", labels::read(spec.get("Labels")))
        .set("task_spec", task_spec)
        .set("mode", mode)
        .set("update_config", uc("UpdateConfig", "update_config"))
        .set("rollback_config", uc("RollbackConfig", "rollback_config"))
        .set("endpoint_spec", endpoint_spec)
        .keep(prior, &["converge_config", "auth"])
        .build()
}
