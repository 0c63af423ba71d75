//! The Terraform v4 state JSON format, and conversion between stored objects and values.

use super::*;
use crate::addr::{Mode, parse_target};
use crate::schema::{Nesting, Schema};
use crate::types::Type;
use crate::value::{Value, ValueMap};
use serde::{Deserialize, Serialize};
use serde_json::Value as J;

#[derive(Serialize, Deserialize)]
struct RawState {
    version: u32,
    terraform_version: String,
    serial: u64,
    lineage: String,
    #[serde(default)]
    outputs: serde_json::Map<String, J>,
    #[serde(default)]
    resources: Vec<RawResource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    check_results: Option<J>,
}

#[derive(Serialize, Deserialize)]
struct RawOutput {
    value: J,
    #[serde(rename = "type")]
    ty: J,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    sensitive: bool,
}

#[derive(Serialize, Deserialize)]
struct RawResource {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    module: Option<String>,
    mode: Mode,
    #[serde(rename = "type")]
    type_name: String,
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    each: Option<String>,
    provider: String,
    instances: Vec<RawInstance>,
}

#[derive(Serialize, Deserialize)]
struct RawInstance {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    index_key: Option<J>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    deposed: Option<String>,
    schema_version: u64,
    attributes: J,
    #[serde(default)]
    sensitive_attributes: Vec<Vec<RawPathStep>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    private: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    dependencies: Vec<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    create_before_destroy: bool,
}

#[derive(Serialize, Deserialize)]
struct RawPathStep {
    #[serde(rename = "type")]
    kind: String,
    value: J,
}

pub(super) fn decode(bytes: &[u8]) -> Result<State, StateError> {
    let raw: RawState = serde_json::from_slice(bytes).map_err(|e| StateError::Corrupt(e.to_string()))?;
    if raw.version != 4 {
        return Err(StateError::Corrupt(format!(
            "state format version {} is not supported (only version 4, written by Terraform 0.12 and later)",
            raw.version
        )));
    }
    let mut state = State {
        serial: raw.serial,
        lineage: raw.lineage,
        terraform_version: raw.terraform_version,
        outputs: BTreeMap::new(),
        resources: BTreeMap::new(),
    };
    for (name, o) in raw.outputs {
        let o: RawOutput = serde_json::from_value(o).map_err(|e| StateError::Corrupt(format!("output {name}: {e}")))?;
        state.outputs.insert(name, OutputState { value: o.value, ty: o.ty, sensitive: o.sensitive });
    }
    for r in raw.resources {
        let text = match (&r.module, r.mode) {
            (Some(m), Mode::Managed) => format!("{m}.{}.{}", r.type_name, r.name),
            (Some(m), Mode::Data) => format!("{m}.data.{}.{}", r.type_name, r.name),
            (None, Mode::Managed) => format!("{}.{}", r.type_name, r.name),
            (None, Mode::Data) => format!("data.{}.{}", r.type_name, r.name),
        };
        let addr = match parse_target(&text) {
            Ok(crate::addr::Target::Resource(a)) => a,
            _ => return Err(StateError::Corrupt(format!("invalid resource address {text:?}"))),
        };
        let each = match r.each.as_deref() {
            Some("list") => EachMode::List,
            Some("map") => EachMode::Map,
            _ => EachMode::Single,
        };
        let res = state.resources.entry(addr).or_insert_with(|| ResourceState {
            provider: r.provider.clone(),
            each,
            instances: BTreeMap::new(),
        });
        for i in r.instances {
            let key = InstanceKey::from_json(i.index_key.as_ref());
            let mut dependencies = Vec::new();
            for d in &i.dependencies {
                if let Ok(crate::addr::Target::Resource(a)) = parse_target(d) {
                    dependencies.push(a);
                }
            }
            let obj = ObjectState {
                schema_version: i.schema_version,
                attributes: i.attributes,
                sensitive_paths: i.sensitive_attributes.into_iter().map(decode_path).collect(),
                dependencies,
                status: if i.status.as_deref() == Some("tainted") { ObjectStatus::Tainted } else { ObjectStatus::Ready },
                create_before_destroy: i.create_before_destroy,
                private: i.private,
            };
            let inst = res.instances.entry(key).or_default();
            match i.deposed {
                Some(dk) => {
                    inst.deposed.insert(dk, obj);
                }
                None => inst.current = Some(obj),
            }
        }
    }
    Ok(state)
}

fn decode_path(steps: Vec<RawPathStep>) -> Vec<PathStep> {
    steps
        .into_iter()
        .filter_map(|s| match (s.kind.as_str(), s.value) {
            ("get_attr", J::String(a)) => Some(PathStep::Attr(a)),
            ("index", J::String(k)) => Some(PathStep::Key(k)),
            ("index", J::Number(n)) => Some(PathStep::Index(n.as_u64().unwrap_or_default() as usize)),
            _ => None,
        })
        .collect()
}

fn encode_path(path: &[PathStep]) -> Vec<RawPathStep> {
    path.iter()
        .map(|s| match s {
            PathStep::Attr(a) => RawPathStep { kind: "get_attr".into(), value: J::String(a.clone()) },
            PathStep::Key(k) => RawPathStep { kind: "index".into(), value: J::String(k.clone()) },
            PathStep::Index(i) => RawPathStep { kind: "index".into(), value: J::from(*i) },
        })
        .collect()
}

pub(super) fn encode(state: &State) -> Vec<u8> {
    let mut resources = Vec::with_capacity(state.resources.len());
    for (addr, r) in &state.resources {
        let mut instances = Vec::new();
        for (key, inst) in &r.instances {
            let mk = |obj: &ObjectState, deposed: Option<&String>| RawInstance {
                index_key: key.to_json(),
                status: (obj.status == ObjectStatus::Tainted).then(|| "tainted".to_string()),
                deposed: deposed.cloned(),
                schema_version: obj.schema_version,
                attributes: obj.attributes.clone(),
                sensitive_attributes: obj.sensitive_paths.iter().map(|p| encode_path(p)).collect(),
                private: obj.private.clone(),
                dependencies: obj.dependencies.iter().map(ToString::to_string).collect(),
                create_before_destroy: obj.create_before_destroy,
            };
            if let Some(obj) = &inst.current {
                instances.push(mk(obj, None));
            }
            for (dk, obj) in &inst.deposed {
                instances.push(mk(obj, Some(dk)));
            }
        }
        resources.push(RawResource {
            module: addr.module_string(),
            mode: addr.mode,
            type_name: addr.type_name.clone(),
            name: addr.name.clone(),
            each: match r.each {
                EachMode::Single => None,
                EachMode::List => Some("list".into()),
                EachMode::Map => Some("map".into()),
            },
            provider: r.provider.clone(),
            instances,
        });
    }
    let outputs = state
        .outputs
        .iter()
        .map(|(k, o)| {
            let raw = RawOutput { value: o.value.clone(), ty: o.ty.clone(), sensitive: o.sensitive };
            (k.clone(), serde_json::to_value(raw).unwrap_or(J::Null))
        })
        .collect();
    let raw = RawState {
        version: 4,
        terraform_version: state.terraform_version.clone(),
        serial: state.serial,
        lineage: state.lineage.clone(),
        outputs,
        resources,
        check_results: Some(J::Null),
    };
    let mut out = serde_json::to_vec_pretty(&raw).unwrap_or_default();
    out.push(b'\n');
    out
}

/// Converts a resource value into the object stored in state: attributes as JSON (values of
/// `any`-typed attributes wrapped as `{"value", "type"}` as Terraform does), and the paths of
/// sensitive values.
pub fn object_from_value(v: &Value, schema: &Schema) -> (J, Vec<Vec<PathStep>>) {
    let sensitive = v.sensitive_paths();
    let plain = v.clone().deep_unmark().unknowns_to_null();
    (encode_with_schema(&plain, schema), sensitive)
}

fn encode_with_schema(v: &Value, schema: &Schema) -> J {
    let Value::Map(m) = v else { return v.to_json() };
    let mut out = serde_json::Map::new();
    for (k, item) in m {
        let j = if let Some(a) = schema.attributes.get(k) {
            if a.ty == Type::Any && !item.is_null() {
                serde_json::json!({"value": item.to_json(), "type": Type::of(item).to_json()})
            } else {
                item.to_json()
            }
        } else if let Some(b) = schema.blocks.get(k) {
            match item {
                Value::List(items) | Value::Set(items) => {
                    J::Array(items.iter().map(|i| encode_with_schema(i, &b.schema)).collect())
                }
                Value::Null if b.nesting != Nesting::Single => J::Array(Vec::new()),
                other => encode_with_schema(other, &b.schema),
            }
        } else {
            item.to_json()
        };
        out.insert(k.clone(), j);
    }
    J::Object(out)
}

/// Converts a stored object back into a value with the schema's types and sensitive marks.
pub fn value_from_object(obj: &ObjectState, schema: &Schema) -> Value {
    decode_with_schema(&obj.attributes, schema).mark_paths(&obj.sensitive_paths)
}

fn decode_with_schema(j: &J, schema: &Schema) -> Value {
    let Some(obj) = j.as_object() else { return Value::from_json(j) };
    let mut m = ValueMap::new();
    for (k, a) in &schema.attributes {
        let v = match obj.get(k) {
            None | Some(J::Null) => Value::Null,
            Some(J::Object(w)) if a.ty == Type::Any && w.contains_key("type") && w.contains_key("value") => {
                typed_json(&w["value"], &w["type"])
            }
            Some(x) => typed_json_with(x, &a.ty),
        };
        m.insert(k.clone(), v);
    }
    for (k, b) in &schema.blocks {
        let v = match (obj.get(k), b.nesting) {
            (Some(J::Array(items)), Nesting::List) => Value::List(items.iter().map(|i| decode_with_schema(i, &b.schema)).collect()),
            (Some(J::Array(items)), Nesting::Set) => Value::set(items.iter().map(|i| decode_with_schema(i, &b.schema)).collect()),
            (Some(J::Array(items)), Nesting::Single) => items.first().map_or(Value::Null, |i| decode_with_schema(i, &b.schema)),
            (Some(x @ J::Object(_)), _) => decode_with_schema(x, &b.schema),
            (_, Nesting::Single) => Value::Null,
            (_, _) => Value::List(Vec::new()),
        };
        m.insert(k.clone(), v);
    }
    for (k, x) in obj {
        m.entry(k.clone()).or_insert_with(|| Value::from_json(x));
    }
    Value::Map(m)
}

fn typed_json_with(j: &J, ty: &Type) -> Value {
    match (j, ty) {
        (J::Array(items), Type::Set(et)) => Value::set(items.iter().map(|i| typed_json_with(i, et)).collect()),
        (J::Array(items), Type::List(et)) => Value::List(items.iter().map(|i| typed_json_with(i, et)).collect()),
        (J::Object(m), Type::Map(et)) => Value::Map(m.iter().map(|(k, v)| (k.clone(), typed_json_with(v, et))).collect()),
        (J::Object(m), Type::Object(attrs)) => Value::Map(
            m.iter().map(|(k, v)| (k.clone(), typed_json_with(v, attrs.get(k).map_or(&Type::Any, |a| &a.ty)))).collect(),
        ),
        _ => Value::from_json(j),
    }
}

/// A JSON value with a cty JSON type description (`["set","string"]`).
pub(crate) fn typed_json(j: &J, ty: &J) -> Value {
    match (j, ty) {
        (J::Array(items), J::Array(t)) if t.first().and_then(J::as_str) == Some("set") => {
            let et = t.get(1).cloned().unwrap_or(J::Null);
            Value::set(items.iter().map(|i| typed_json(i, &et)).collect())
        }
        (J::Array(items), J::Array(t)) if t.first().and_then(J::as_str) == Some("list") => {
            let et = t.get(1).cloned().unwrap_or(J::Null);
            Value::List(items.iter().map(|i| typed_json(i, &et)).collect())
        }
        (J::Array(items), J::Array(t)) if t.first().and_then(J::as_str) == Some("tuple") => {
            let ets = t.get(1).and_then(J::as_array).cloned().unwrap_or_default();
            Value::List(items.iter().enumerate().map(|(i, v)| typed_json(v, ets.get(i).unwrap_or(&J::Null))).collect())
        }
        (J::Object(m), J::Array(t)) if t.first().and_then(J::as_str) == Some("map") => {
            let et = t.get(1).cloned().unwrap_or(J::Null);
            Value::Map(m.iter().map(|(k, v)| (k.clone(), typed_json(v, &et))).collect())
        }
        (J::Object(m), J::Array(t)) if t.first().and_then(J::as_str) == Some("object") => {
            let ats = t.get(1).and_then(J::as_object).cloned().unwrap_or_default();
            Value::Map(m.iter().map(|(k, v)| (k.clone(), typed_json(v, ats.get(k).unwrap_or(&J::Null)))).collect())
        }
        _ => Value::from_json(j),
    }
}
