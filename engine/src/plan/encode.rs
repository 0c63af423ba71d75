//! How values are kept in saved plans: JSON that keeps everything a value is — its type,
//! unknowns, sensitivity and exact numbers — so a plan read back applies exactly what was
//! reviewed. Terraform keeps plan values as type-tagged msgpack; this is the same
//! information in JSON, readable in a diff.
//!
//! A value is written against a type. Where the type is dynamic the value carries its own
//! (`{"~d":[type, value]}`). Tagged objects say what JSON cannot: `{"~u":1}` unknown,
//! `{"~m":v}` sensitive, `{"~n":"text"}` a number JSON's 64-bit forms cannot hold exactly,
//! `{"~o":{..}}` a map or object whose keys start with `~`.

use crate::cty::Type;
use crate::number::Number;
use crate::value::Value;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value as J, json};

fn tag(key: &str, v: J) -> J {
    let mut m = Map::new();
    m.insert(key.to_string(), v);
    J::Object(m)
}

/// The tagged JSON of `v`, a value of type `ty`.
pub fn encode(v: &Value, ty: &Type) -> J {
    if let Value::Marked(inner, marks) = v {
        let inner = encode(inner, ty);
        return if marks.is_sensitive() { tag("~m", inner) } else { inner };
    }
    if ty.is_dynamic() {
        let own = v.ty();
        if !own.is_dynamic() {
            return tag("~d", J::Array(vec![own.to_json(), encode(v, &own)]));
        }
    }
    match v {
        Value::Null(_) => J::Null,
        Value::Unknown(u) => tag("~u", u.refinement.as_deref().map_or(J::from(1), encode_refinement)),
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => match (n.to_i64(), n.to_u64()) {
            (Some(i), _) => J::from(i),
            (_, Some(u)) => J::from(u),
            _ => tag("~n", J::String(n.to_string())),
        },
        Value::String(s) => J::String(s.clone()),
        Value::List(s) | Value::Set(s) => J::Array(s.items.iter().map(|i| encode(i, &s.ety)).collect()),
        Value::Tuple(items) => {
            let tys = ty.tuple_element_types().map(<[Type]>::to_vec).unwrap_or_default();
            J::Array(items.iter().enumerate().map(|(i, x)| encode(x, tys.get(i).unwrap_or(&Type::Dynamic))).collect())
        }
        Value::Map(m) => escape(m.items.iter().map(|(k, x)| (k.clone(), encode(x, &m.ety))).collect()),
        Value::Object(attrs) => escape(
            attrs.iter().map(|(k, x)| (k.clone(), encode(x, ty.attribute_type(k).unwrap_or(&Type::Dynamic)))).collect(),
        ),
        Value::Marked(..) => unreachable!("handled above"),
    }
}

/// What is known of an unknown value (cty's refinements, which Terraform's plan files keep too).
fn encode_refinement(r: &crate::cty::refine::Refinement) -> J {
    use crate::cty::refine::{Nullness, RefinementKind};
    let mut m = Map::new();
    m.insert(
        "null".into(),
        J::from(match r.null {
            Nullness::Unknown => "unknown",
            Nullness::Null => "null",
            Nullness::NotNull => "notnull",
        }),
    );
    let bound = |b: &Option<(Number, bool)>| b.as_ref().map_or(J::Null, |(n, inc)| json!([n.to_string(), inc]));
    match &r.kind {
        RefinementKind::Nullable => {}
        RefinementKind::String { prefix } => {
            m.insert("prefix".into(), J::from(prefix.clone()));
        }
        RefinementKind::Number { min, max } => {
            m.insert("min".into(), bound(min));
            m.insert("max".into(), bound(max));
        }
        RefinementKind::Collection { min_len, max_len } => {
            m.insert("min_len".into(), J::from(*min_len as u64));
            m.insert("max_len".into(), J::from(*max_len as u64));
        }
    }
    J::Object(m)
}

fn decode_refinement(j: &J) -> Result<Option<crate::cty::refine::Refinement>, String> {
    use crate::cty::refine::{Nullness, Refinement, RefinementKind};
    let J::Object(m) = j else { return Ok(None) };
    let null = match m.get("null").and_then(J::as_str) {
        Some("null") => Nullness::Null,
        Some("notnull") => Nullness::NotNull,
        _ => Nullness::Unknown,
    };
    let bound = |k: &str| -> Result<Option<(Number, bool)>, String> {
        match m.get(k) {
            Some(J::Array(b)) => {
                let text = b.first().and_then(J::as_str).ok_or("a refinement bound needs a number")?;
                let n = Number::parse(text).map_err(|e| format!("bad number {text:?}: {e:?}"))?;
                Ok(Some((n, b.get(1).and_then(J::as_bool).unwrap_or(false))))
            }
            _ => Ok(None),
        }
    };
    let kind = if let Some(p) = m.get("prefix").and_then(J::as_str) {
        RefinementKind::String { prefix: p.to_string() }
    } else if m.contains_key("min") || m.contains_key("max") {
        RefinementKind::Number { min: bound("min")?, max: bound("max")? }
    } else if let (Some(min), Some(max)) = (m.get("min_len").and_then(J::as_u64), m.get("max_len").and_then(J::as_u64))
    {
        RefinementKind::Collection { min_len: min as usize, max_len: usize::try_from(max).unwrap_or(usize::MAX) }
    } else {
        RefinementKind::Nullable
    };
    Ok(Some(Refinement { null, kind }))
}

fn escape(obj: Map<String, J>) -> J {
    if obj.keys().any(|k| k.starts_with('~')) { tag("~o", J::Object(obj)) } else { J::Object(obj) }
}

/// A value of type `ty` read back from [`encode`]'s JSON.
pub fn decode(j: &J, ty: &Type) -> Result<Value, String> {
    if let J::Object(m) = j
        && m.len() == 1
    {
        let (k, inner) = m.iter().next().expect("one entry");
        match k.as_str() {
            "~u" => {
                let refinement = decode_refinement(inner)?.map(Box::new);
                return Ok(Value::Unknown(crate::cty::value::Unknown { ty: ty.clone(), refinement }));
            }
            "~m" => return Ok(decode(inner, ty)?.mark_sensitive()),
            "~d" => {
                let [t, v] = inner.as_array().map(Vec::as_slice).unwrap_or(&[]) else {
                    return Err("a dynamic value needs its type and value".into());
                };
                let t = Type::from_json(t)?;
                return decode(v, &t);
            }
            "~n" => {
                let text = inner.as_str().ok_or("a tagged number must be a string")?;
                return Number::parse(text).map(Value::Number).map_err(|e| format!("bad number {text:?}: {e:?}"));
            }
            "~o" => return decode_members(inner.as_object().ok_or("~o must hold an object")?, ty),
            _ => {}
        }
    }
    match (j, ty) {
        (J::Null, _) => Ok(Value::null(ty.clone())),
        (J::Bool(b), Type::Bool) => Ok(Value::Bool(*b)),
        (J::Number(n), Type::Number) => {
            Number::parse(&n.to_string()).map(Value::Number).map_err(|e| format!("bad number {n}: {e:?}"))
        }
        (J::String(s), Type::String) => Ok(Value::string(s.clone())),
        (J::Array(items), Type::List(e)) => {
            Ok(Value::list((**e).clone(), items.iter().map(|i| decode(i, e)).collect::<Result<_, _>>()?))
        }
        (J::Array(items), Type::Set(e)) => {
            Ok(Value::set((**e).clone(), items.iter().map(|i| decode(i, e)).collect::<Result<_, _>>()?))
        }
        (J::Array(items), Type::Tuple(ts)) if items.len() == ts.len() => {
            Ok(Value::tuple(items.iter().zip(ts.iter()).map(|(i, t)| decode(i, t)).collect::<Result<_, _>>()?))
        }
        (J::Object(m), _) => decode_members(m, ty),
        _ => Err(format!("a saved value does not fit its type {}", ty.friendly_name())),
    }
}

fn decode_members(m: &Map<String, J>, ty: &Type) -> Result<Value, String> {
    match ty {
        Type::Map(e) => Ok(Value::map(
            (**e).clone(),
            m.iter().map(|(k, v)| Ok((k.clone(), decode(v, e)?))).collect::<Result<_, String>>()?,
        )),
        Type::Object(o) => Ok(Value::object_from_map(
            o.attrs
                .iter()
                .map(|(k, t)| Ok((k.clone(), m.get(k).map_or_else(|| Ok(Value::null(t.clone())), |v| decode(v, t))?)))
                .collect::<Result<_, String>>()?,
        )),
        _ => Err(format!("a saved object does not fit its type {}", ty.friendly_name())),
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        encode(self, &Type::Dynamic).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        let j = J::deserialize(d)?;
        decode(&j, &Type::Dynamic).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_kind_of_value() {
        let v = Value::object([
            ("u", Value::unknown(Type::String)),
            ("s", Value::set(Type::String, vec!["b".into(), "a".into()])),
            ("m", Value::from("pw").mark_sensitive()),
            ("l", Value::tuple(vec![Value::null(Type::Bool), Value::Bool(true), Value::from(1.5)])),
            ("o", Value::object([("~tricky", Value::from(1i64))])),
            ("n", Value::Number(Number::parse("1e400").unwrap())),
            ("map", Value::map(Type::Number, [("~u".to_string(), Value::int(1))].into())),
            ("empty", Value::empty_list(Type::list(Type::Bool))),
            ("dyn", Value::map(Type::Dynamic, [("a".to_string(), Value::DYNAMIC)].into())),
        ]);
        let j = serde_json::to_string(&v).unwrap();
        let back: Value = serde_json::from_str(&j).unwrap();
        assert_eq!(back, v);
        assert!(back.has_type(&v.ty()), "{:?} != {:?}", back.ty(), v.ty());
    }
}
