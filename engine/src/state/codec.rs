//! The Terraform v4 state JSON format, and conversion between stored objects and values.
//! Object attributes stay raw JSON text until a value is needed, so reading, copying and
//! writing a large state is cheap.

use super::*;
use crate::addr::{Mode, parse_target};
use crate::schema::Schema;
use crate::value::Type;
use crate::value::{Value, from_json_text};
use serde::{Deserialize, Serialize};
use serde_json::Value as J;
use serde_json::value::RawValue;
use std::sync::Arc;

/// An object's attributes as stored: JSON text, shared on clone.
#[derive(Clone, Debug)]
pub struct Attributes(Arc<RawValue>);

impl PartialEq for Attributes {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Attributes {
    pub fn from_json(j: &J) -> Attributes {
        let text = serde_json::to_string(j).unwrap_or_else(|_| "{}".to_string());
        Attributes::from_text(text)
    }

    /// Attributes from JSON text (which must be valid JSON).
    pub fn from_text(text: String) -> Attributes {
        Attributes(Arc::from(RawValue::from_string(text).expect("valid JSON")))
    }

    /// The attributes as a value of `ty` (cty's typed JSON decoding, lenient about
    /// attributes the type does not have).
    pub fn to_typed(&self, ty: &crate::cty::Type) -> Value {
        match crate::cty::json::parse(self.0.get()) {
            Ok(j) => crate::cty::json::unmarshal_lenient(&j, ty),
            Err(_) => Value::null(ty.clone()),
        }
    }

    /// The attributes as a `serde_json::Value` (for tools and tests).
    pub fn to_json(&self) -> J {
        serde_json::from_str(self.0.get()).unwrap_or(J::Null)
    }

    /// The attributes as a plain value (lists for every array; no schema applied).
    pub fn to_value(&self) -> Value {
        from_json_text(self.0.get()).unwrap_or(Value::NULL)
    }

    pub fn text(&self) -> &str {
        self.0.get()
    }
}

#[derive(Serialize, Deserialize)]
struct RawState {
    version: u32,
    terraform_version: String,
    serial: u64,
    lineage: String,
    #[serde(default)]
    outputs: BTreeMap<String, RawOutput>,
    #[serde(default)]
    resources: Vec<RawResource>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    check_results: Option<J>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    terrane_inputs: BTreeMap<String, RawInput>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    terrane_pending_creates: Vec<RawPending>,
}

#[derive(Serialize, Deserialize)]
struct RawPending {
    address: String,
    provider: String,
    provider_address: String,
    token: String,
    planned: J,
}

/// A recorded input variable: `{"value", "type"}`, or `{"sensitive": true, "digest"}`.
#[derive(Serialize, Deserialize)]
struct RawInput {
    /// `Some(null)` for a variable whose value is null: a present `"value": null` is a value.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    value: Option<J>,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    ty: Option<J>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    sensitive: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    digest: Option<String>,
}

/// Deserializes a field that is present as `Some`, `null` included (serde's default for
/// `Option` reads `null` as absent).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<J>, D::Error> {
    J::deserialize(d).map(Some)
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
    attributes: Box<RawValue>,
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
    from_raw(raw)
}

fn from_raw(raw: RawState) -> Result<State, StateError> {
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
        inputs: BTreeMap::new(),
        pending: BTreeMap::new(),
        check_results: raw.check_results.as_ref().map(crate::checks::CheckResults::from_state_json).unwrap_or_default(),
    };
    for p in raw.terrane_pending_creates {
        let addr = crate::addr::parse_instance(&p.address)
            .map_err(|e| StateError::Corrupt(format!("terrane_pending_creates: {}: {e}", p.address)))?;
        state.pending.insert(
            addr.clone(),
            PendingCreate {
                addr,
                provider: p.provider,
                provider_address: p.provider_address,
                token: p.token,
                planned: p.planned,
            },
        );
    }
    for (name, i) in raw.terrane_inputs {
        let recorded = match (i.sensitive, i.digest, i.value, i.ty) {
            (true, Some(digest), _, _) => RecordedInput::Sensitive { digest },
            (false, _, Some(value), Some(ty)) => RecordedInput::Value { value, ty },
            _ => {
                return Err(StateError::Corrupt(format!(
                    "terrane_inputs.{name} has neither a value and type nor a digest"
                )));
            }
        };
        state.inputs.insert(name, recorded);
    }
    for (name, o) in raw.outputs {
        state.outputs.insert(name, OutputState { value: o.value, ty: o.ty, sensitive: o.sensitive });
    }
    // Identical dependency lists (every instance of a resource, usually) share one copy.
    let mut shared_deps: std::collections::HashMap<Vec<String>, Arc<[ResourceAddr]>> = Default::default();
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
        // Terraform 0.12+ does not write `each`: the keys tell the shape.
        let each = match (r.each.as_deref(), r.instances.first().map(|i| InstanceKey::from_json(i.index_key.as_ref())))
        {
            (Some("list"), _) | (None, Some(InstanceKey::Int(_))) => EachMode::List,
            (Some("map"), _) | (None, Some(InstanceKey::Str(_))) => EachMode::Map,
            _ => EachMode::Single,
        };
        let res = state.resources.entry(addr).or_insert_with(|| ResourceState {
            provider: r.provider.clone(),
            each,
            instances: BTreeMap::new(),
        });
        for i in r.instances {
            let key = InstanceKey::from_json(i.index_key.as_ref());
            let dependencies = match shared_deps.get(&i.dependencies) {
                Some(d) => Arc::clone(d),
                None => {
                    let mut parsed = Vec::new();
                    for d in &i.dependencies {
                        if let Ok(crate::addr::Target::Resource(a)) = parse_target(d) {
                            parsed.push(a);
                        }
                    }
                    let parsed: Arc<[ResourceAddr]> = parsed.into();
                    shared_deps.insert(i.dependencies.clone(), Arc::clone(&parsed));
                    parsed
                }
            };
            let obj = ObjectState {
                schema_version: i.schema_version,
                attributes: Attributes(Arc::from(i.attributes)),
                sensitive_paths: i.sensitive_attributes.into_iter().map(decode_path).collect(),
                dependencies,
                status: if i.status.as_deref() == Some("tainted") {
                    ObjectStatus::Tainted
                } else {
                    ObjectStatus::Ready
                },
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

fn to_raw(state: &State) -> RawState {
    let mut resources = Vec::with_capacity(state.resources.len());
    for (addr, r) in &state.resources {
        let mut instances = Vec::new();
        for (key, inst) in &r.instances {
            let mk = |obj: &ObjectState, deposed: Option<&String>| RawInstance {
                index_key: key.to_json(),
                status: (obj.status == ObjectStatus::Tainted).then(|| "tainted".to_string()),
                deposed: deposed.cloned(),
                schema_version: obj.schema_version,
                attributes: obj.attributes.0.to_owned_box(),
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
            each: None,
            provider: r.provider.clone(),
            instances,
        });
    }
    let outputs = state
        .outputs
        .iter()
        .map(|(k, o)| (k.clone(), RawOutput { value: o.value.clone(), ty: o.ty.clone(), sensitive: o.sensitive }))
        .collect();
    RawState {
        version: 4,
        terraform_version: state.terraform_version.clone(),
        serial: state.serial,
        lineage: state.lineage.clone(),
        outputs,
        resources,
        check_results: Some(state.check_results.to_state_json()),
        terrane_pending_creates: state
            .pending
            .values()
            .map(|p| RawPending {
                address: p.addr.to_string(),
                provider: p.provider.clone(),
                provider_address: p.provider_address.clone(),
                token: p.token.clone(),
                planned: p.planned.clone(),
            })
            .collect(),
        terrane_inputs: state
            .inputs
            .iter()
            .map(|(k, i)| {
                let raw = match i {
                    RecordedInput::Value { value, ty } => {
                        RawInput { value: Some(value.clone()), ty: Some(ty.clone()), sensitive: false, digest: None }
                    }
                    RecordedInput::Sensitive { digest } => {
                        RawInput { value: None, ty: None, sensitive: true, digest: Some(digest.clone()) }
                    }
                };
                (k.clone(), raw)
            })
            .collect(),
    }
}

trait ToOwnedBox {
    fn to_owned_box(&self) -> Box<RawValue>;
}

impl ToOwnedBox for Arc<RawValue> {
    fn to_owned_box(&self) -> Box<RawValue> {
        RawValue::from_string(self.get().to_string()).expect("valid JSON")
    }
}

pub(super) fn encode(state: &State) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(&to_raw(state)).unwrap_or_default();
    out.push(b'\n');
    out
}

/// A state serializes as its Terraform v4 JSON (saved plans carry their prior state so).
impl Serialize for State {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        to_raw(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for State {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<State, D::Error> {
        let raw = RawState::deserialize(d)?;
        from_raw(raw).map_err(serde::de::Error::custom)
    }
}

/// Converts a resource value into the object stored in state: attributes as cty's JSON
/// encoding of the schema's type (values of dynamically typed attributes wrapped as
/// `{"value", "type"}`, as Terraform writes them), and the paths of sensitive values.
pub fn object_from_value(v: &Value, schema: &Schema) -> (Attributes, Vec<Vec<PathStep>>) {
    let sensitive = v.sensitive_paths();
    let ty = schema.value_type();
    let plain = v.clone().deep_unmark().unknowns_to_null().conform(&ty);
    let text = crate::cty::json::marshal(&plain, &ty).unwrap_or_else(|_| plain.to_json().to_string());
    (Attributes::from_text(text), sensitive)
}

/// Converts a stored object back into a value of the schema's type with its sensitive
/// marks. Attributes the schema no longer has (written by another version) are dropped.
pub fn value_from_object(obj: &ObjectState, schema: &Schema) -> Value {
    obj.attributes.to_typed(&schema.value_type()).mark_paths(&obj.sensitive_paths)
}

/// A JSON value with a cty JSON type description, as outputs are stored.
pub(crate) fn typed_json(j: &J, ty: &J) -> Value {
    match Type::from_json(ty) {
        Ok(t) => crate::value::from_json_text_typed(&j.to_string(), &t).unwrap_or_else(|_| Value::from_json(j)),
        Err(_) => Value::from_json(j),
    }
}
