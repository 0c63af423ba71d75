//! State upgrades ([`terrane_engine::provider::Provider::upgrade_state`]): an object recorded
//! in an older shape, rewritten in the current one. Two older shapes exist, and both are told
//! apart by what the JSON holds, not by the version number alone:
//!
//! - kreuzwerker/docker's own: `labels` as a map (version 0 of networks, volumes, secrets and
//!   services), and a service's `auth` and `task_spec.restart_policy` as maps (version 1);
//! - terrane's before it matched kreuzwerker/docker (version 0 of every type): blocks written
//!   at most once recorded as an object instead of a list of one, a service's
//!   `task_spec.resources.reservations` (now `reservation`) and `networks_advanced.driver_opts`
//!   as a map (now a set of `k=v` strings).
//!
//! The upgrade walks the current schema: a block that must be a list and holds an object
//! becomes a list of that one object, and a missing one an empty list, as the plugin SDK
//! records blocks; a set of label blocks given as a map becomes one block per label; a set of
//! strings given as a map becomes its `k=v` strings.

use serde_json::{Map, Value as J, json};
use terrane_engine::schema::{Nesting, Schema};
use terrane_engine::value::Type;

/// `attributes` in the shape `schema` records.
pub fn to_schema(schema: &Schema, mut attributes: J) -> J {
    if let Some(obj) = attributes.as_object_mut() {
        fit(schema, obj);
    }
    attributes
}

fn fit(schema: &Schema, obj: &mut Map<String, J>) {
    for (name, a) in &schema.attributes {
        let Some(J::Object(m)) = obj.get(name) else { continue };
        if matches!(a.ty, Type::Set(_) | Type::List(_)) {
            let pairs: Vec<J> = m.iter().map(|(k, v)| J::String(format!("{k}={}", text(v)))).collect();
            obj.insert(name.clone(), J::Array(pairs));
        }
    }
    for (name, b) in &schema.blocks {
        let items = match obj.remove(name) {
            None | Some(J::Null) if b.nesting == Nesting::Single => J::Null,
            None | Some(J::Null) => J::Array(Vec::new()),
            Some(J::Object(m)) if b.nesting == Nesting::Single => J::Object(m),
            Some(J::Object(m)) if is_label_block(&b.schema) && !m.contains_key("label") => {
                J::Array(m.into_iter().map(|(k, v)| json!({"label": k, "value": text(&v)})).collect())
            }
            Some(J::Object(m)) => J::Array(vec![J::Object(m)]),
            Some(other) => other,
        };
        let items = match items {
            J::Array(list) => J::Array(list.into_iter().map(|i| to_schema(&b.schema, i)).collect()),
            J::Object(m) => to_schema(&b.schema, J::Object(m)),
            other => other,
        };
        obj.insert(name.clone(), items);
    }
}

/// A block of `label` and `value` only: labels, as kreuzwerker/docker writes them.
fn is_label_block(s: &Schema) -> bool {
    s.blocks.is_empty()
        && s.attributes.len() == 2
        && s.attributes.contains_key("label")
        && s.attributes.contains_key("value")
}

fn text(v: &J) -> String {
    match v {
        J::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Renames `from` to `to` in the objects at `path` (each step a block, an object or a list
/// of them), before the shape is fitted.
pub fn rename(attributes: &mut J, path: &[&str], from: &str, to: &str) {
    let mut here: Vec<&mut J> = vec![attributes];
    for step in path {
        here = here
            .into_iter()
            .filter_map(|v| v.as_object_mut()?.get_mut(*step))
            .flat_map(|v| match v {
                J::Array(items) => items.iter_mut().collect::<Vec<_>>(),
                other => vec![other],
            })
            .collect();
    }
    for v in here {
        if let Some(obj) = v.as_object_mut()
            && !obj.contains_key(to)
            && let Some(old) = obj.remove(from)
        {
            obj.insert(to.to_string(), old);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terrane_version_0_services_take_kreuzwerker_shape() {
        let schema = crate::service::schema();
        let mut v0 = json!({
            "id": "s1", "name": "web",
            "labels": [{"label": "a", "value": "b"}],
            "task_spec": {
                "container_spec": {"image": "nginx", "healthcheck": null, "mounts": [
                    {"target": "/d", "type": "volume", "volume_options": {"no_copy": true}}
                ]},
                "resources": {"limits": {"nano_cpus": 1}, "reservations": {"memory_bytes": 2}},
                "networks_advanced": [{"name": "proxy", "driver_opts": {"k": "v"}}],
                "log_driver": null
            },
            "mode": {"global": false, "replicated": {"replicas": 2}},
            "auth": null
        });
        rename(&mut v0, &["task_spec", "resources"], "reservations", "reservation");
        let up = to_schema(&schema, v0);
        let task = &up["task_spec"][0];
        assert_eq!(task["container_spec"][0]["image"], "nginx");
        assert_eq!(task["container_spec"][0]["healthcheck"], json!([]));
        assert_eq!(task["container_spec"][0]["mounts"][0]["volume_options"], json!([{"no_copy": true, "labels": []}]));
        assert_eq!(task["resources"][0]["limits"], json!([{"nano_cpus": 1}]));
        assert_eq!(task["resources"][0]["reservation"][0]["memory_bytes"], 2);
        assert_eq!(task["resources"][0]["reservation"][0]["generic_resources"], json!([]));
        assert_eq!(task["networks_advanced"][0]["driver_opts"], json!(["k=v"]));
        assert_eq!(task["log_driver"], json!([]));
        assert_eq!(up["mode"], json!([{"global": false, "replicated": [{"replicas": 2}]}]));
        assert_eq!(up["auth"], json!([]));
        assert_eq!(up["labels"], json!([{"label": "a", "value": "b"}]));
    }

    #[test]
    fn kreuzwerker_label_maps_and_auth_maps_take_the_current_shape() {
        let up = to_schema(
            &crate::service::schema(),
            json!({"labels": {"a": "b"}, "auth": {"server_address": "r"}, "task_spec": [{"restart_policy": {"condition": "any"}}]}),
        );
        assert_eq!(up["labels"], json!([{"label": "a", "value": "b"}]));
        assert_eq!(up["auth"], json!([{"server_address": "r"}]));
        assert_eq!(up["task_spec"][0]["restart_policy"], json!([{"condition": "any"}]));
        // Already current: unchanged.
        let current =
            json!({"labels": [{"label": "a", "value": "b"}], "auth": [], "task_spec": [{"restart_policy": []}]});
        let again = to_schema(&crate::service::schema(), current.clone());
        assert_eq!(again["labels"], current["labels"]);
        assert_eq!(again["task_spec"][0]["restart_policy"], json!([]));
    }
}
