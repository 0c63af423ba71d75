//! For providers: reading arguments out of values, and building the objects a read returns.

use crate::cty::Type;
use crate::schema::Schema;
use crate::value::{Value, ValueMap};
use std::collections::BTreeMap;

/// Attribute `k` of `v`. String-keyed reads are checked against the value's type: an object
/// (a configuration, a plan or a state, typed by its schema) that has no attribute `k` makes
/// a debug build (the tests) panic, since only a misspelt or stale name can ask for it. Typed
/// models (`crate::model`) need no such check: the compiler makes it.
fn attr<'a>(v: &'a Value, k: &str) -> Option<&'a Value> {
    let x = v.get_attr(k);
    debug_assert!(
        x.is_some() || !matches!(v.unmarked(), Value::Object(_)),
        "attribute {k:?} read from an object that has none: {:?}",
        v.as_map().map(|m| m.keys().collect::<Vec<_>>())
    );
    x
}

pub fn string(v: &Value, k: &str) -> Option<String> {
    attr(v, k).and_then(|x| x.as_str().map(str::to_string))
}

pub fn number(v: &Value, k: &str) -> Option<f64> {
    attr(v, k).and_then(Value::as_f64)
}

pub fn int(v: &Value, k: &str) -> Option<i64> {
    attr(v, k).and_then(|x| x.as_number()).and_then(|n| n.to_i64().or_else(|| Some(n.to_f64() as i64)))
}

pub fn boolean(v: &Value, k: &str) -> Option<bool> {
    attr(v, k).and_then(Value::as_bool)
}

/// Strings of a list or set attribute (empty when unset).
pub fn strings(v: &Value, k: &str) -> Vec<String> {
    attr(v, k)
        .and_then(Value::as_seq)
        .map(|s| s.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

pub fn string_map(v: &Value, k: &str) -> BTreeMap<String, String> {
    attr(v, k)
        .and_then(Value::as_map)
        .map(|m| m.iter().filter_map(|(k, x)| x.as_str().map(|s| (k.clone(), s.to_string()))).collect())
        .unwrap_or_default()
}

/// The elements of a nested block list or set (empty when unset).
pub fn blocks(v: &Value, k: &str) -> Vec<Value> {
    attr(v, k).and_then(Value::as_seq).map(<[Value]>::to_vec).unwrap_or_default()
}

/// A single nested block (or the first of a list block).
pub fn block(v: &Value, k: &str) -> Option<Value> {
    let b = attr(v, k)?;
    if b.is_null() || !b.is_known() {
        return None;
    }
    match b.as_seq() {
        Some(items) => items.first().cloned(),
        None => Some(b.unmarked().clone()),
    }
}

/// An RFC 3339 timestamp from an API (`2026-12-07T06:12:01.5Z`, `...+02:00`) as a time.
pub fn rfc3339_time(s: &str) -> Option<std::time::SystemTime> {
    let (secs, nanos) = crate::lang::funcs::unix_of_rfc3339(s)?;
    let d = std::time::Duration::new(secs.unsigned_abs(), nanos);
    if secs >= 0 { std::time::UNIX_EPOCH.checked_add(d) } else { std::time::UNIX_EPOCH.checked_sub(d) }
}

pub fn id(v: &Value) -> String {
    string(v, "id").unwrap_or_default()
}

pub fn strs(items: impl IntoIterator<Item = impl Into<String>>) -> Value {
    Value::list(Type::String, items.into_iter().map(|s| Value::string(s.into())).collect())
}

pub fn str_set(items: impl IntoIterator<Item = impl Into<String>>) -> Value {
    Value::set(Type::String, items.into_iter().map(|s| Value::string(s.into())).collect())
}

pub fn str_map(m: &BTreeMap<String, String>) -> Value {
    Value::map(Type::String, m.iter().map(|(k, v)| (k.clone(), Value::from(v.as_str()))).collect())
}

pub fn opt_str(s: Option<&str>) -> Value {
    s.map_or(Value::null(Type::String), Value::from)
}

pub fn opt_num(n: Option<impl Into<f64>>) -> Value {
    n.map_or(Value::null(Type::Number), |n| Value::from(n.into()))
}

/// An integer attribute (exact, unlike [`opt_num`]).
pub fn opt_int(n: Option<impl Into<i64>>) -> Value {
    n.map_or(Value::null(Type::Number), |n| Value::int(n.into()))
}

pub fn opt_bool(b: Option<bool>) -> Value {
    b.map_or(Value::null(Type::Bool), Value::Bool)
}

/// An object with every attribute of `schema` (null) and every block (empty / null), to be
/// filled with what the API returned.
pub struct Obj {
    m: ValueMap,
    ty: Type,
}

impl Obj {
    pub fn new(schema: &Schema) -> Obj {
        let ty = schema.value_type();
        let mut m = ValueMap::new();
        for (k, a) in &schema.attributes {
            m.insert(k.clone(), Value::null(a.ty.clone()));
        }
        for (k, b) in &schema.blocks {
            let ety = b.schema.value_type();
            let empty = match b.nesting {
                crate::schema::Nesting::Single => Value::null(ety),
                crate::schema::Nesting::List => Value::empty_list(ety),
                crate::schema::Nesting::Set => Value::empty_set(ety),
            };
            m.insert(k.clone(), empty);
        }
        Obj { m, ty }
    }

    pub fn set(mut self, k: &str, v: impl Into<Value>) -> Obj {
        self.m.insert(k.to_string(), v.into());
        self
    }

    /// Copies attributes the API does not return (passwords, timeouts, flags only used on
    /// delete) from the prior or planned value.
    pub fn keep(mut self, from: &Value, keys: &[&str]) -> Obj {
        for k in keys {
            if let Some(v) = from.get_attr(k) {
                self.m.insert((*k).to_string(), v.clone());
            }
        }
        self
    }

    /// The object, made a value of the schema's type.
    pub fn build(self) -> Value {
        Value::object_from_map(self.m).conform(&self.ty)
    }
}

/// Whether the configuration sets a nested block (or it is not known yet).
pub fn block_configured(config: &Value, name: &str) -> bool {
    config.get_attr(name).is_some_and(|v| {
        if !v.is_known() {
            return true;
        }
        if v.is_null() {
            return false;
        }
        v.as_seq().is_none_or(|items| !items.is_empty())
    })
}
