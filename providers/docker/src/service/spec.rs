//! A planned `docker_service` as the daemon's service spec.

use crate::labels;
use crate::resource::duration_ns;
use serde_json::{Value as J, json};
use terrane_engine::attrs as val;
use terrane_engine::provider::ProviderError;
use terrane_engine::value::Value;

fn ns(v: &Value, k: &str) -> Result<Option<i64>, ProviderError> {
    match val::string(v, k) {
        Some(d) => duration_ns(&d)
            .map(Some)
            .ok_or_else(|| ProviderError::new(format!("{k}: {d:?} is not a duration (like 10s or 1m30s)"))),
        None => Ok(None),
    }
}

/// Inserts `value` under `key` when it is not null/empty.
fn put(m: &mut serde_json::Map<String, J>, key: &str, value: J) {
    let empty = match &value {
        J::Null => true,
        J::Array(a) => a.is_empty(),
        J::Object(o) => o.is_empty(),
        _ => false,
    };
    if !empty {
        m.insert(key.to_string(), value);
    }
}

fn strings(v: &Value, k: &str) -> J {
    J::from(val::strings(v, k))
}

fn map(v: &Value, k: &str) -> J {
    serde_json::to_value(val::string_map(v, k)).unwrap_or_default()
}

fn update_config_spec(b: &Value) -> Result<J, ProviderError> {
    let mut m = serde_json::Map::new();
    put(&mut m, "Parallelism", val::int(b, "parallelism").map_or(J::Null, J::from));
    put(&mut m, "Delay", ns(b, "delay")?.map_or(J::Null, J::from));
    put(&mut m, "FailureAction", val::string(b, "failure_action").map_or(J::Null, J::from));
    put(&mut m, "Monitor", ns(b, "monitor")?.map_or(J::Null, J::from));
    if let Some(r) = val::string(b, "max_failure_ratio") {
        let f: f64 = r.parse().map_err(|_| ProviderError::new(format!("max_failure_ratio: {r:?} is not a number")))?;
        m.insert("MaxFailureRatio".into(), json!(f));
    }
    put(&mut m, "Order", val::string(b, "order").map_or(J::Null, J::from));
    Ok(J::Object(m))
}

fn file_refs(v: &Value, kind: &str, id_key: &str, name_key: &str) -> J {
    J::Array(
        val::blocks(v, &format!("{kind}s"))
            .iter()
            .map(|r| {
                let mut m = serde_json::Map::new();
                m.insert(id_key.into(), val::string(r, &format!("{kind}_id")).unwrap_or_default().into());
                put(&mut m, name_key, val::string(r, &format!("{kind}_name")).map_or(J::Null, J::from));
                m.insert(
                    "File".into(),
                    json!({
                        "Name": val::string(r, "file_name").unwrap_or_default(),
                        "UID": val::string(r, "file_uid").unwrap_or_else(|| "0".into()),
                        "GID": val::string(r, "file_gid").unwrap_or_else(|| "0".into()),
                        "Mode": val::int(r, "file_mode").unwrap_or(0o444),
                    }),
                );
                J::Object(m)
            })
            .collect(),
    )
}

/// The daemon's ServiceSpec (as JSON) for a planned service.
pub fn to_spec(p: &Value) -> Result<J, ProviderError> {
    let task = val::block(p, "task_spec").ok_or_else(|| ProviderError::new("task_spec is required"))?;
    let cs = val::block(&task, "container_spec")
        .ok_or_else(|| ProviderError::new("task_spec.container_spec is required"))?;
    let mut c = serde_json::Map::new();
    c.insert("Image".into(), val::string(&cs, "image").unwrap_or_default().into());
    put(&mut c, "Labels", serde_json::to_value(labels::to_map(&cs, "labels")).unwrap_or_default());
    put(&mut c, "Command", strings(&cs, "command"));
    put(&mut c, "Args", strings(&cs, "args"));
    put(&mut c, "Hostname", val::string(&cs, "hostname").map_or(J::Null, J::from));
    let env: Vec<String> = val::string_map(&cs, "env").into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    put(&mut c, "Env", J::from(env));
    put(&mut c, "Dir", val::string(&cs, "dir").map_or(J::Null, J::from));
    put(&mut c, "User", val::string(&cs, "user").map_or(J::Null, J::from));
    put(&mut c, "Groups", strings(&cs, "groups"));
    if let Some(ro) = val::boolean(&cs, "read_only") {
        c.insert("ReadOnly".into(), ro.into());
    }
    put(&mut c, "StopSignal", val::string(&cs, "stop_signal").map_or(J::Null, J::from));
    if let Some(g) = ns(&cs, "stop_grace_period")? {
        c.insert("StopGracePeriod".into(), g.into());
    }
    put(&mut c, "Isolation", val::string(&cs, "isolation").map_or(J::Null, J::from));
    put(&mut c, "Sysctls", map(&cs, "sysctl"));
    put(&mut c, "CapabilityAdd", strings(&cs, "cap_add"));
    put(&mut c, "CapabilityDrop", strings(&cs, "cap_drop"));
    let mounts: Vec<J> = val::blocks(&cs, "mounts")
        .iter()
        .map(|m| {
            let mut o = serde_json::Map::new();
            o.insert("Target".into(), val::string(m, "target").unwrap_or_default().into());
            o.insert("Type".into(), val::string(m, "type").unwrap_or_default().into());
            put(&mut o, "Source", val::string(m, "source").map_or(J::Null, J::from));
            if let Some(ro) = val::boolean(m, "read_only") {
                o.insert("ReadOnly".into(), ro.into());
            }
            if let Some(vo) = val::block(m, "volume_options") {
                let mut v = serde_json::Map::new();
                if let Some(nc) = val::boolean(&vo, "no_copy") {
                    v.insert("NoCopy".into(), nc.into());
                }
                put(&mut v, "Labels", serde_json::to_value(labels::to_map(&vo, "labels")).unwrap_or_default());
                if let Some(d) = val::string(&vo, "driver_name") {
                    v.insert(
                        "DriverConfig".into(),
                        json!({"Name": d, "Options": val::string_map(&vo, "driver_options")}),
                    );
                }
                put(&mut o, "VolumeOptions", J::Object(v));
            }
            J::Object(o)
        })
        .collect();
    put(&mut c, "Mounts", J::from(mounts));
    if let Some(h) = val::block(&cs, "healthcheck") {
        c.insert(
            "HealthCheck".into(),
            json!({
                "Test": val::strings(&h, "test"),
                "Interval": ns(&h, "interval")?.unwrap_or(0),
                "Timeout": ns(&h, "timeout")?.unwrap_or(0),
                "StartPeriod": ns(&h, "start_period")?.unwrap_or(0),
                "Retries": val::int(&h, "retries").unwrap_or(0),
            }),
        );
    }
    let hosts: Vec<String> = val::blocks(&cs, "hosts")
        .iter()
        .map(|h| format!("{} {}", val::string(h, "ip").unwrap_or_default(), val::string(h, "host").unwrap_or_default()))
        .collect();
    put(&mut c, "Hosts", J::from(hosts));
    put(&mut c, "Secrets", file_refs(&cs, "secret", "SecretID", "SecretName"));
    put(&mut c, "Configs", file_refs(&cs, "config", "ConfigID", "ConfigName"));

    let mut t = serde_json::Map::new();
    t.insert("ContainerSpec".into(), J::Object(c));
    if let Some(r) = val::block(&task, "resources") {
        let side = |k: &str| {
            val::block(&r, k).map(|b| {
                let mut o = serde_json::Map::new();
                put(&mut o, "NanoCPUs", val::int(&b, "nano_cpus").map_or(J::Null, J::from));
                put(&mut o, "MemoryBytes", val::int(&b, "memory_bytes").map_or(J::Null, J::from));
                J::Object(o)
            })
        };
        let mut o = serde_json::Map::new();
        put(&mut o, "Limits", side("limits").unwrap_or(J::Null));
        put(&mut o, "Reservations", side("reservations").unwrap_or(J::Null));
        put(&mut t, "Resources", J::Object(o));
    }
    if let Some(rp) = val::block(&task, "restart_policy") {
        let mut o = serde_json::Map::new();
        put(&mut o, "Condition", val::string(&rp, "condition").map_or(J::Null, J::from));
        put(&mut o, "Delay", ns(&rp, "delay")?.map_or(J::Null, J::from));
        put(&mut o, "MaxAttempts", val::int(&rp, "max_attempts").map_or(J::Null, J::from));
        put(&mut o, "Window", ns(&rp, "window")?.map_or(J::Null, J::from));
        put(&mut t, "RestartPolicy", J::Object(o));
    }
    if let Some(pl) = val::block(&task, "placement") {
        let mut o = serde_json::Map::new();
        put(&mut o, "Constraints", strings(&pl, "constraints"));
        let prefs: Vec<J> =
            val::strings(&pl, "prefs").into_iter().map(|p| json!({"Spread": {"SpreadDescriptor": p}})).collect();
        put(&mut o, "Preferences", J::from(prefs));
        put(&mut o, "MaxReplicas", val::int(&pl, "max_replicas").map_or(J::Null, J::from));
        put(&mut t, "Placement", J::Object(o));
    }
    put(&mut t, "ForceUpdate", val::int(&task, "force_update").map_or(J::Null, J::from));
    put(&mut t, "Runtime", val::string(&task, "runtime").map_or(J::Null, J::from));
    let nets: Vec<J> = val::blocks(&task, "networks_advanced")
        .iter()
        .map(|nw| {
            let mut o = serde_json::Map::new();
            o.insert("Target".into(), val::string(nw, "name").unwrap_or_default().into());
            put(&mut o, "Aliases", strings(nw, "aliases"));
            put(&mut o, "DriverOpts", map(nw, "driver_opts"));
            J::Object(o)
        })
        .collect();
    put(&mut t, "Networks", J::from(nets));
    if let Some(ld) = val::block(&task, "log_driver") {
        t.insert(
            "LogDriver".into(),
            json!({"Name": val::string(&ld, "name").unwrap_or_default(), "Options": val::string_map(&ld, "options")}),
        );
    }

    let mut spec = serde_json::Map::new();
    spec.insert("Name".into(), val::string(p, "name").unwrap_or_default().into());
    put(&mut spec, "Labels", serde_json::to_value(labels::to_map(p, "labels")).unwrap_or_default());
    spec.insert("TaskTemplate".into(), J::Object(t));
    let mode = val::block(p, "mode");
    let global = mode.as_ref().and_then(|m| val::boolean(m, "global")).unwrap_or(false);
    let replicas =
        mode.as_ref().and_then(|m| val::block(m, "replicated")).and_then(|r| val::int(&r, "replicas")).unwrap_or(1);
    spec.insert(
        "Mode".into(),
        if global { json!({"Global": {}}) } else { json!({"Replicated": {"Replicas": replicas}}) },
    );
    if let Some(u) = val::block(p, "update_config") {
        spec.insert("UpdateConfig".into(), update_config_spec(&u)?);
    }
    if let Some(u) = val::block(p, "rollback_config") {
        spec.insert("RollbackConfig".into(), update_config_spec(&u)?);
    }
    let ep = val::block(p, "endpoint_spec");
    let mut e = serde_json::Map::new();
    e.insert("Mode".into(), ep.as_ref().and_then(|e| val::string(e, "mode")).unwrap_or_else(|| "vip".into()).into());
    let ports: Vec<J> = ep
        .as_ref()
        .map(|e| val::blocks(e, "ports"))
        .unwrap_or_default()
        .iter()
        .map(|pt| {
            let mut o = serde_json::Map::new();
            put(&mut o, "Name", val::string(pt, "name").map_or(J::Null, J::from));
            o.insert("Protocol".into(), val::string(pt, "protocol").unwrap_or_else(|| "tcp".into()).into());
            o.insert("TargetPort".into(), val::int(pt, "target_port").unwrap_or(0).into());
            put(&mut o, "PublishedPort", val::int(pt, "published_port").map_or(J::Null, J::from));
            o.insert("PublishMode".into(), val::string(pt, "publish_mode").unwrap_or_else(|| "ingress".into()).into());
            J::Object(o)
        })
        .collect();
    put(&mut e, "Ports", J::from(ports));
    spec.insert("EndpointSpec".into(), J::Object(e));
    Ok(J::Object(spec))
}
