//! Values in cty's MessagePack encoding, the one the plugin protocol's `DynamicValue` carries
//! (go-cty's `cty/msgpack`).
//!
//! - null is nil; an unknown is extension 0 (`d4 00 00`), or extension 12 holding its
//!   refinements (not null, string prefix, number bounds, collection length bounds);
//! - numbers are integers when they are whole and fit 64 bits, float64 when a float64 holds
//!   them exactly, else their decimal text;
//! - lists, sets and tuples are arrays; maps and objects are maps (object attributes sorted);
//! - where the type says "dynamic", a known value is `[type as JSON, value]`.
//!
//! Values are sent without marks (the schema says what is sensitive), so marks are dropped.

use rmpv::Value as Mp;
use std::collections::BTreeMap;
use std::sync::Arc;
use terrane_engine::cty::Type;
use terrane_engine::number::Number;
use terrane_engine::value::Value;

const UNKNOWN_WITH_REFINEMENTS: i8 = 0x0c;
const NULLNESS: i64 = 1;
const STRING_PREFIX: i64 = 2;
const NUMBER_MIN: i64 = 3;
const NUMBER_MAX: i64 = 4;
const LENGTH_MIN: i64 = 5;
const LENGTH_MAX: i64 = 6;

/// A decoding or encoding failure, with the path where it happened (`.a[0]`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct CodecError {
    pub path: String,
    pub message: String,
}

fn err(path: &str, message: impl Into<String>) -> CodecError {
    CodecError { path: if path.is_empty() { ".".into() } else { path.into() }, message: message.into() }
}

/// Encodes `v` as a value of type `ty`.
pub fn marshal(v: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = Vec::with_capacity(256);
    encode(&mut out, v.unmarked(), ty, "")?;
    Ok(out)
}

fn encode(out: &mut Vec<u8>, v: &Value, ty: &Type, path: &str) -> Result<(), CodecError> {
    let v = v.unmarked();
    let io = |e: std::io::Error| err(path, e.to_string());
    if ty.is_dynamic() && !v.ty().is_dynamic() {
        let vty = v.ty();
        rmp::encode::write_array_len(out, 2).map_err(|e| err(path, e.to_string()))?;
        let tj = vty.to_json().to_string();
        rmp::encode::write_bin(out, tj.as_bytes()).map_err(|e| err(path, e.to_string()))?;
        return encode(out, v, &vty, path);
    }
    match v {
        Value::Marked(inner, _) => encode(out, inner, ty, path),
        Value::Unknown(_) => encode_unknown(out, v, path),
        Value::Null(_) => {
            rmp::encode::write_nil(out).map_err(io)?;
            Ok(())
        }
        Value::Bool(b) => {
            rmp::encode::write_bool(out, *b).map_err(io)?;
            Ok(())
        }
        Value::String(s) => {
            rmp::encode::write_str(out, s).map_err(|e| err(path, e.to_string()))?;
            Ok(())
        }
        Value::Number(n) => encode_number(out, n).map_err(|e| err(path, e.to_string())),
        Value::List(s) | Value::Set(s) => {
            let ety = match ty {
                Type::List(e) | Type::Set(e) => (**e).clone(),
                _ => s.ety.clone(),
            };
            rmp::encode::write_array_len(out, s.items.len() as u32).map_err(|e| err(path, e.to_string()))?;
            for (i, item) in s.items.iter().enumerate() {
                encode(out, item, &ety, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        Value::Map(m) => {
            let ety = match ty {
                Type::Map(e) => (**e).clone(),
                _ => m.ety.clone(),
            };
            rmp::encode::write_map_len(out, m.items.len() as u32).map_err(|e| err(path, e.to_string()))?;
            for (k, item) in &m.items {
                rmp::encode::write_str(out, k).map_err(|e| err(path, e.to_string()))?;
                encode(out, item, &ety, &format!("{path}[{k:?}]"))?;
            }
            Ok(())
        }
        Value::Tuple(items) => {
            let etys: Vec<Type> = match ty {
                Type::Tuple(t) => t.to_vec(),
                _ => items.iter().map(Value::ty).collect(),
            };
            if etys.len() != items.len() {
                return Err(err(
                    path,
                    format!("a tuple of {} elements where {} are expected", items.len(), etys.len()),
                ));
            }
            rmp::encode::write_array_len(out, items.len() as u32).map_err(|e| err(path, e.to_string()))?;
            for (i, (item, ety)) in items.iter().zip(&etys).enumerate() {
                encode(out, item, ety, &format!("{path}[{i}]"))?;
            }
            Ok(())
        }
        Value::Object(attrs) => {
            // The type's attributes, in name order; one the value lacks is null.
            let owned;
            let atys = match ty {
                Type::Object(o) => &o.attrs,
                _ => {
                    owned = attrs.iter().map(|(k, v)| (k.clone(), v.ty())).collect::<BTreeMap<_, _>>();
                    &owned
                }
            };
            rmp::encode::write_map_len(out, atys.len() as u32).map_err(|e| err(path, e.to_string()))?;
            for (k, aty) in atys {
                rmp::encode::write_str(out, k).map_err(|e| err(path, e.to_string()))?;
                let null = Value::null(aty.clone());
                encode(out, attrs.get(k).unwrap_or(&null), aty, &format!("{path}.{k}"))?;
            }
            Ok(())
        }
    }
}

fn encode_number(out: &mut Vec<u8>, n: &Number) -> Result<(), Box<dyn std::error::Error>> {
    if n.is_infinite() {
        rmp::encode::write_f64(out, if n.is_negative() { f64::NEG_INFINITY } else { f64::INFINITY })?;
    } else if let Some(i) = n.to_i64() {
        rmp::encode::write_sint(out, i)?;
    } else {
        match n.to_f64_exact() {
            Some(f) if !n.is_integer() => rmp::encode::write_f64(out, f)?,
            _ => rmp::encode::write_str(out, &n.to_string())?,
        }
    }
    Ok(())
}

fn encode_unknown(out: &mut Vec<u8>, v: &Value, path: &str) -> Result<(), CodecError> {
    let io = |e: std::io::Error| err(path, e.to_string());
    let rng = v.range();
    let mut entries: Vec<(i64, Mp)> = Vec::new();
    if !rng.ty.is_dynamic() {
        if rng.definitely_not_null() {
            entries.push((NULLNESS, Mp::Boolean(false)));
        }
        match &rng.ty {
            Type::Number => {
                let bound = |(b, inc): (Value, bool)| match b {
                    Value::Number(n) if !n.is_infinite() => Some(Mp::Array(vec![number_mp(&n), Mp::Boolean(inc)])),
                    _ => None,
                };
                if let Some(b) = bound(rng.number_lower_bound()) {
                    entries.push((NUMBER_MIN, b));
                }
                if let Some(b) = bound(rng.number_upper_bound()) {
                    entries.push((NUMBER_MAX, b));
                }
            }
            Type::String => {
                let prefix = rng.string_prefix();
                if !prefix.is_empty() {
                    // As cty: at most 255 bytes, cut where no later character could join.
                    let prefix = if prefix.len() > 256 {
                        let mut end = 255;
                        while !prefix.is_char_boundary(end) {
                            end -= 1;
                        }
                        terrane_engine::cty::refine::safe_known_prefix(&prefix[..end])
                    } else {
                        prefix.to_string()
                    };
                    entries.push((STRING_PREFIX, Mp::String(prefix.into())));
                }
            }
            Type::List(_) | Type::Set(_) | Type::Map(_) => {
                let (lo, hi) = (rng.length_lower_bound(), rng.length_upper_bound());
                if lo != 0 {
                    entries.push((LENGTH_MIN, Mp::from(lo as i64)));
                }
                if hi != usize::MAX {
                    entries.push((LENGTH_MAX, Mp::from(hi as i64)));
                }
            }
            _ => {}
        }
    }
    if entries.is_empty() {
        out.extend_from_slice(&[0xd4, 0, 0]);
        return Ok(());
    }
    let map = Mp::Map(entries.into_iter().map(|(k, v)| (Mp::from(k), v)).collect());
    let mut body = Vec::new();
    rmpv::encode::write_value(&mut body, &map).map_err(|e| err(path, e.to_string()))?;
    rmp::encode::write_ext_meta(out, body.len() as u32, UNKNOWN_WITH_REFINEMENTS)
        .map_err(|e| err(path, e.to_string()))?;
    std::io::Write::write_all(out, &body).map_err(io)?;
    Ok(())
}

fn number_mp(n: &Number) -> Mp {
    let mut buf = Vec::new();
    let _ = encode_number(&mut buf, n);
    rmpv::decode::read_value(&mut &buf[..]).unwrap_or(Mp::Nil)
}

/// Decodes a value of type `ty`.
pub fn unmarshal(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let mut rd = bytes;
    let mp = rmpv::decode::read_value(&mut rd).map_err(|e| err("", format!("invalid MessagePack: {e}")))?;
    decode(&mp, ty, "")
}

fn decode(mp: &Mp, ty: &Type, path: &str) -> Result<Value, CodecError> {
    if let Mp::Ext(code, data) = mp {
        return decode_unknown(*code, data, ty, path);
    }
    if mp.is_nil() {
        return Ok(Value::null(ty.clone()));
    }
    match ty {
        Type::Dynamic => {
            let Mp::Array(pair) = mp else { return Err(err(path, "a dynamic value must be a [type, value] pair")) };
            let [tj, v] = &pair[..] else { return Err(err(path, "a dynamic value must be a [type, value] pair")) };
            let text = match tj {
                Mp::Binary(b) => std::str::from_utf8(b).map_err(|_| err(path, "type is not UTF-8"))?,
                Mp::String(s) => s.as_str().ok_or_else(|| err(path, "type is not UTF-8"))?,
                _ => return Err(err(path, "a dynamic value's type must be JSON bytes")),
            };
            let j: serde_json::Value =
                serde_json::from_str(text).map_err(|e| err(path, format!("invalid type JSON: {e}")))?;
            let vty = Type::from_json(&j).map_err(|e| err(path, e))?;
            decode(v, &vty, path)
        }
        Type::Bool => match mp {
            Mp::Boolean(b) => Ok(Value::Bool(*b)),
            _ => Err(err(path, "bool is required")),
        },
        Type::String => match mp {
            Mp::String(s) => Ok(Value::string(s.as_str().ok_or_else(|| err(path, "string is not UTF-8"))?)),
            _ => Err(err(path, "string is required")),
        },
        Type::Number => decode_number(mp).ok_or_else(|| err(path, "number is required")),
        Type::List(ety) | Type::Set(ety) => {
            let Mp::Array(items) = mp else { return Err(err(path, "array is required")) };
            let vals = items
                .iter()
                .enumerate()
                .map(|(i, m)| decode(m, ety, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(match ty {
                Type::List(_) => Value::list((**ety).clone(), vals),
                _ => Value::set((**ety).clone(), vals),
            })
        }
        Type::Map(ety) => {
            let Mp::Map(entries) = mp else { return Err(err(path, "map is required")) };
            let mut items = BTreeMap::new();
            for (k, v) in entries {
                let k = k.as_str().ok_or_else(|| err(path, "map keys must be strings"))?;
                items.insert(k.to_string(), decode(v, ety, &format!("{path}[{k:?}]"))?);
            }
            Ok(Value::map((**ety).clone(), items))
        }
        Type::Tuple(etys) => {
            let Mp::Array(items) = mp else { return Err(err(path, "array is required")) };
            if items.len() != etys.len() {
                return Err(err(path, format!("a tuple of {} elements is required", etys.len())));
            }
            let vals = items
                .iter()
                .zip(etys.iter())
                .enumerate()
                .map(|(i, (m, t))| decode(m, t, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Value::tuple(vals))
        }
        Type::Object(o) => {
            let Mp::Map(entries) = mp else { return Err(err(path, "map is required")) };
            let mut attrs = BTreeMap::new();
            for (k, v) in entries {
                let k = k.as_str().ok_or_else(|| err(path, "attribute names must be strings"))?;
                let Some(aty) = o.attrs.get(k) else {
                    return Err(err(path, format!("unsupported attribute {k:?}")));
                };
                attrs.insert(k.to_string(), decode(v, aty, &format!("{path}.{k}"))?);
            }
            for (k, aty) in &o.attrs {
                attrs.entry(k.clone()).or_insert_with(|| Value::null(aty.clone()));
            }
            Ok(Value::Object(Arc::new(attrs)))
        }
    }
}

fn decode_number(mp: &Mp) -> Option<Value> {
    let n = match mp {
        Mp::Integer(i) => match (i.as_i64(), i.as_u64()) {
            (Some(v), _) => Number::from_i64(v),
            (None, Some(v)) => Number::from_u64(v),
            _ => return None,
        },
        Mp::F32(f) => Number::from_f64(f64::from(*f)).unwrap_or_else(|| Number::infinity(*f < 0.0)),
        Mp::F64(f) => Number::from_f64(*f).unwrap_or_else(|| Number::infinity(*f < 0.0)),
        Mp::String(s) => Number::parse(s.as_str()?).ok()?,
        _ => return None,
    };
    Some(Value::Number(n))
}

fn decode_unknown(code: i8, data: &[u8], ty: &Type, path: &str) -> Result<Value, CodecError> {
    if data.len() <= 1 {
        return Ok(Value::unknown(ty.clone()));
    }
    if code != UNKNOWN_WITH_REFINEMENTS {
        return Err(err(path, format!("unsupported extension type 0x{code:02x} with len {}", data.len())));
    }
    if data.len() > 1024 {
        return Err(err(path, "oversize unknown value refinement"));
    }
    if ty.is_dynamic() {
        return Ok(Value::unknown(ty.clone()));
    }
    let map = rmpv::decode::read_value(&mut &data[..]).map_err(|e| err(path, format!("invalid refinements: {e}")))?;
    let Mp::Map(entries) = map else { return Err(err(path, "refinements must be a map")) };
    let mut b = Value::unknown(ty.clone()).refine();
    for (k, v) in entries {
        let bad = || err(path, format!("invalid refinement {k}"));
        match k.as_i64() {
            Some(NULLNESS) => {
                b = if v.as_bool().ok_or_else(bad)? { b.null() } else { b.not_null() };
            }
            Some(STRING_PREFIX) if matches!(ty, Type::String) => {
                b = b.string_prefix_full(v.as_str().ok_or_else(bad)?);
            }
            Some(LENGTH_MIN | LENGTH_MAX) if matches!(ty, Type::List(_) | Type::Set(_) | Type::Map(_)) => {
                let n = usize::try_from(v.as_u64().ok_or_else(bad)?).map_err(|_| bad())?;
                b = if k.as_i64() == Some(LENGTH_MIN) {
                    b.collection_length_lower_bound(n)
                } else {
                    b.collection_length_upper_bound(n)
                };
            }
            Some(NUMBER_MIN | NUMBER_MAX) if matches!(ty, Type::Number) => {
                let Mp::Array(pair) = &v else { return Err(bad()) };
                let [n, inc] = &pair[..] else { return Err(bad()) };
                let n = decode_number(n).ok_or_else(bad)?;
                let inc = inc.as_bool().ok_or_else(bad)?;
                b = if k.as_i64() == Some(NUMBER_MIN) {
                    b.number_lower_bound(&n, inc)
                } else {
                    b.number_upper_bound(&n, inc)
                };
            }
            Some(STRING_PREFIX | LENGTH_MIN | LENGTH_MAX | NUMBER_MIN | NUMBER_MAX) => return Err(bad()),
            // Refinements a later cty may add are skipped, as cty does.
            _ => {}
        }
    }
    Ok(b.new_value())
}

/// Encodes a value as cty's JSON (the `json` field of `DynamicValue`, `RawState`).
pub fn marshal_json(v: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    terrane_engine::cty::json::marshal(&v.clone().deep_unmark(), ty)
        .map(String::into_bytes)
        .map_err(|e| err("", e.format()))
}

#[cfg(test)]
mod tests;
