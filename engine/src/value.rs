//! Dynamic values, as Terraform's cty knows them: with *unknown* ("known after apply")
//! and *sensitive* marks that propagate through every operator and function.
//!
//! Collections keep three shapes: `List` (HCL lists and tuples), `Set` (sorted, without
//! duplicates) and `Map` (HCL maps and objects). Types are checked by conversion
//! against a [`crate::types::Type`] where the language asks for one.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

/// A map of attribute or element names to values, ordered by key as in Terraform.
pub type ValueMap = BTreeMap<String, Value>;

#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    #[default]
    Null,
    /// A value that is not known until apply.
    Unknown,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
    /// Elements are kept sorted (by [`Value::total_cmp`]) and unique.
    Set(Vec<Value>),
    Map(ValueMap),
    /// A value marked sensitive: never printed, and everything derived from it is marked too.
    Sensitive(Box<Value>),
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn number(n: impl Into<f64>) -> Value {
        Value::Number(n.into())
    }

    pub fn set(mut items: Vec<Value>) -> Value {
        items.sort_by(Value::total_cmp);
        items.dedup();
        Value::Set(items)
    }

    pub fn object<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// Marks the value sensitive (idempotent).
    pub fn mark_sensitive(self) -> Value {
        match self {
            Value::Sensitive(_) => self,
            v => Value::Sensitive(Box::new(v)),
        }
    }

    /// Marks `self` sensitive when `sensitive` is true.
    pub fn mark_if(self, sensitive: bool) -> Value {
        if sensitive { self.mark_sensitive() } else { self }
    }

    /// The value without its top-level sensitive mark, and whether it had one.
    pub fn unmark(&self) -> (&Value, bool) {
        match self {
            Value::Sensitive(inner) => (inner.unmark().0, true),
            v => (v, false),
        }
    }

    pub fn into_unmarked(self) -> (Value, bool) {
        match self {
            Value::Sensitive(inner) => (inner.into_unmarked().0, true),
            v => (v, false),
        }
    }

    /// Removes every sensitive mark, at every depth.
    pub fn deep_unmark(self) -> Value {
        match self {
            Value::Sensitive(inner) => inner.deep_unmark(),
            Value::List(items) => Value::List(items.into_iter().map(Value::deep_unmark).collect()),
            Value::Set(items) => Value::set(items.into_iter().map(Value::deep_unmark).collect()),
            Value::Map(map) => Value::Map(map.into_iter().map(|(k, v)| (k, v.deep_unmark())).collect()),
            v => v,
        }
    }

    pub fn is_sensitive(&self) -> bool {
        matches!(self, Value::Sensitive(_))
    }

    /// True when the value or anything inside it is sensitive.
    pub fn contains_sensitive(&self) -> bool {
        match self {
            Value::Sensitive(_) => true,
            Value::List(items) | Value::Set(items) => items.iter().any(Value::contains_sensitive),
            Value::Map(map) => map.values().any(Value::contains_sensitive),
            _ => false,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.unmark().0, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.unmark().0, Value::Unknown)
    }

    /// True when the value is known at every depth.
    pub fn is_wholly_known(&self) -> bool {
        match self.unmark().0 {
            Value::Unknown => false,
            Value::List(items) | Value::Set(items) => items.iter().all(Value::is_wholly_known),
            Value::Map(map) => map.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.unmark().0 {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.unmark().0 {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self.unmark().0 {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&ValueMap> {
        match self.unmark().0 {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Elements of a list or set.
    pub fn as_seq(&self) -> Option<&[Value]> {
        match self.unmark().0 {
            Value::List(items) | Value::Set(items) => Some(items),
            _ => None,
        }
    }

    /// Attribute of an object value; `None` when absent or not an object.
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(name))
    }

    /// A short, user-facing name of the value's type ("string", "list", "object", ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown => "unknown",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "tuple",
            Value::Set(_) => "set",
            Value::Map(_) => "object",
            Value::Sensitive(inner) => inner.type_name(),
        }
    }

    /// A total order used to sort sets and compare values deterministically:
    /// null < unknown < bool < number < string < list < set < map.
    pub fn total_cmp(a: &Value, b: &Value) -> Ordering {
        fn rank(v: &Value) -> u8 {
            match v {
                Value::Null => 0,
                Value::Unknown => 1,
                Value::Bool(_) => 2,
                Value::Number(_) => 3,
                Value::String(_) => 4,
                Value::List(_) => 5,
                Value::Set(_) => 6,
                Value::Map(_) => 7,
                Value::Sensitive(_) => 8,
            }
        }
        let (a, _) = a.unmark();
        let (b, _) = b.unmark();
        match (a, b) {
            (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
            (Value::Number(x), Value::Number(y)) => x.total_cmp(y),
            (Value::String(x), Value::String(y)) => x.cmp(y),
            (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => {
                for (l, r) in x.iter().zip(y) {
                    let o = Value::total_cmp(l, r);
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                x.len().cmp(&y.len())
            }
            (Value::Map(x), Value::Map(y)) => {
                for ((lk, lv), (rk, rv)) in x.iter().zip(y) {
                    let o = lk.cmp(rk).then_with(|| Value::total_cmp(lv, rv));
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                x.len().cmp(&y.len())
            }
            _ => rank(a).cmp(&rank(b)),
        }
    }

    /// Equality as the language sees it (`==`): sensitive marks are ignored,
    /// numbers compare by value.
    pub fn lang_eq(&self, other: &Value) -> bool {
        let (a, _) = self.unmark();
        let (b, _) = other.unmark();
        match (a, b) {
            (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(l, r)| l.lang_eq(r))
            }
            (Value::Map(x), Value::Map(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|((lk, lv), (rk, rv))| lk == rk && lv.lang_eq(rv))
            }
            _ => a == b,
        }
    }

    /// Walks into the value along `path`; `None` when a step does not exist.
    pub fn at_path(&self, path: &[PathStep]) -> Option<&Value> {
        let mut cur = self;
        for step in path {
            let (inner, _) = cur.unmark();
            cur = match (inner, step) {
                (Value::Map(m), PathStep::Attr(name)) => m.get(name)?,
                (Value::Map(m), PathStep::Key(name)) => m.get(name)?,
                (Value::List(items) | Value::Set(items), PathStep::Index(i)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Replaces the value at `path` (creating map entries on the way); ignores paths that
    /// do not fit the value's shape.
    pub fn set_at_path(&mut self, path: &[PathStep], new: Value) {
        let Some((first, rest)) = path.split_first() else {
            *self = new;
            return;
        };
        let target = match self {
            Value::Sensitive(inner) => return inner.set_at_path(path, new),
            Value::Map(m) => match first {
                PathStep::Attr(k) | PathStep::Key(k) => m.entry(k.clone()).or_default(),
                PathStep::Index(_) => return,
            },
            Value::List(items) | Value::Set(items) => match first {
                PathStep::Index(i) if *i < items.len() => &mut items[*i],
                _ => return,
            },
            _ => return,
        };
        target.set_at_path(rest, new);
    }

    /// Every path inside the value that carries a sensitive mark (outermost marks only).
    pub fn sensitive_paths(&self) -> Vec<Vec<PathStep>> {
        fn walk(v: &Value, path: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
            match v {
                Value::Sensitive(_) => out.push(path.clone()),
                Value::List(items) | Value::Set(items) => {
                    for (i, item) in items.iter().enumerate() {
                        path.push(PathStep::Index(i));
                        walk(item, path, out);
                        path.pop();
                    }
                }
                Value::Map(map) => {
                    for (k, item) in map {
                        path.push(PathStep::Attr(k.clone()));
                        walk(item, path, out);
                        path.pop();
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(self, &mut Vec::new(), &mut out);
        out
    }

    /// Marks the values at each of `paths` sensitive.
    pub fn mark_paths(mut self, paths: &[Vec<PathStep>]) -> Value {
        for path in paths {
            if let Some(v) = self.at_path(path).cloned() {
                self.set_at_path(path, v.mark_sensitive());
            }
        }
        self
    }

    /// Converts to JSON. Unknown values become `null`; sensitive marks are dropped (callers
    /// that print must mask first).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null | Value::Unknown => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => number_to_json(*n),
            Value::String(s) => J::String(s.clone()),
            Value::List(items) | Value::Set(items) => J::Array(items.iter().map(Value::to_json).collect()),
            Value::Map(map) => J::Object(map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
            Value::Sensitive(inner) => inner.to_json(),
        }
    }

    /// JSON for display to machines: sensitive values replaced by null (their places are
    /// given by [`Value::sensitive_mask`]), unknowns null.
    pub fn masked_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Sensitive(_) => J::Null,
            Value::List(items) | Value::Set(items) => J::Array(items.iter().map(Value::masked_json).collect()),
            Value::Map(map) => J::Object(map.iter().map(|(k, v)| (k.clone(), v.masked_json())).collect()),
            other => other.to_json(),
        }
    }

    /// Converts from JSON, the way state and plan files store values.
    pub fn from_json(json: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match json {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
            J::String(s) => Value::String(s.clone()),
            J::Array(items) => Value::List(items.iter().map(Value::from_json).collect()),
            J::Object(map) => Value::Map(map.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect()),
        }
    }

    /// A JSON mirror of the value with `true` wherever the value is unknown, in the shape of
    /// Terraform's `after_unknown`; `false` when nothing is unknown.
    pub fn unknown_mask(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self.unmark().0 {
            Value::Unknown => J::Bool(true),
            Value::List(items) | Value::Set(items) => J::Array(items.iter().map(Value::unknown_mask).collect()),
            Value::Map(map) => J::Object(
                map.iter()
                    .filter_map(|(k, v)| {
                        let m = v.unknown_mask();
                        (m != J::Bool(false)).then(|| (k.clone(), m))
                    })
                    .collect(),
            ),
            _ => J::Bool(false),
        }
    }

    /// A JSON mirror with `true` wherever the value is sensitive (Terraform's `after_sensitive`).
    pub fn sensitive_mask(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Sensitive(_) => J::Bool(true),
            Value::List(items) | Value::Set(items) => J::Array(items.iter().map(Value::sensitive_mask).collect()),
            Value::Map(map) => J::Object(
                map.iter()
                    .filter_map(|(k, v)| {
                        let m = v.sensitive_mask();
                        (m != J::Bool(false)).then(|| (k.clone(), m))
                    })
                    .collect(),
            ),
            _ => J::Bool(false),
        }
    }

    /// Replaces every unknown with null (what remains unknown after a failed apply, say).
    pub fn unknowns_to_null(self) -> Value {
        match self {
            Value::Unknown => Value::Null,
            Value::List(items) => Value::List(items.into_iter().map(Value::unknowns_to_null).collect()),
            Value::Set(items) => Value::set(items.into_iter().map(Value::unknowns_to_null).collect()),
            Value::Map(map) => Value::Map(map.into_iter().map(|(k, v)| (k, v.unknowns_to_null())).collect()),
            Value::Sensitive(inner) => Value::Sensitive(Box::new(inner.unknowns_to_null())),
            v => v,
        }
    }
}

/// JSON for a number: integers without a fraction, as Terraform writes them.
pub fn number_to_json(n: f64) -> serde_json::Value {
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        serde_json::Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

/// Formats a number as Terraform prints it: `3`, `0.5`, `1e+21`.
pub fn format_number(n: f64) -> String {
    if n.is_finite() && n.fract() == 0.0 {
        // Whole numbers print in full, as Terraform's arbitrary-precision numbers do.
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}

/// One step of a path into a value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PathStep {
    Attr(String),
    Key(String),
    Index(usize),
}

impl fmt::Display for PathStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathStep::Attr(a) => write!(f, ".{a}"),
            PathStep::Key(k) => write!(f, "[{k:?}]"),
            PathStep::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// Renders a path as `.a.b[0]["k"]` without the leading dot.
pub fn path_to_string(path: &[PathStep]) -> String {
    let s: String = path.iter().map(ToString::to_string).collect();
    s.strip_prefix('.').map(str::to_string).unwrap_or(s)
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}
impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Number(n)
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Number(n as f64)
    }
}
impl From<usize> for Value {
    fn from(n: usize) -> Self {
        Value::Number(n as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_are_sorted_and_unique() {
        let s = Value::set(vec!["b".into(), "a".into(), "b".into()]);
        assert_eq!(s, Value::Set(vec!["a".into(), "b".into()]));
    }

    #[test]
    fn sensitive_paths_round_trip() {
        let v = Value::object([("a", Value::from("x").mark_sensitive()), ("b", Value::from(1i64))]);
        let paths = v.sensitive_paths();
        assert_eq!(paths, vec![vec![PathStep::Attr("a".into())]]);
        let plain = v.clone().deep_unmark();
        assert!(!plain.contains_sensitive());
        assert_eq!(plain.mark_paths(&paths), v);
    }

    #[test]
    fn numbers_format_like_terraform() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(0.5), "0.5");
        assert_eq!(format_number(1e21), "1000000000000000000000");
        assert_eq!(format_number(-0.0), "-0");
        assert_eq!(number_to_json(42.0), serde_json::json!(42));
    }

    #[test]
    fn unknown_mask_marks_only_unknowns() {
        let v = Value::object([("id", Value::Unknown), ("name", "x".into())]);
        assert_eq!(v.unknown_mask(), serde_json::json!({"id": true}));
        assert!(!v.is_wholly_known());
    }
}

/// Parses JSON text straight into a [`Value`] (lists for arrays, maps for objects), without
/// building an intermediate `serde_json::Value`.
pub fn from_json_text(text: &str) -> Result<Value, serde_json::Error> {
    serde_json::from_str::<PlainJson>(text).map(|p| p.0)
}

struct PlainJson(Value);

impl<'de> serde::Deserialize<'de> for PlainJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<PlainJson, D::Error> {
        d.deserialize_any(PlainVisitor).map(PlainJson)
    }
}

struct PlainVisitor;

impl<'de> serde::de::Visitor<'de> for PlainVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n as f64))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n as f64))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        Ok(Value::Number(n))
    }
    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }
    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(PlainJson(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::List(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut m = ValueMap::new();
        while let Some((k, PlainJson(v))) = map.next_entry::<String, PlainJson>()? {
            m.insert(k, v);
        }
        Ok(Value::Map(m))
    }
}

#[cfg(test)]
mod json_text_tests {
    use super::*;

    #[test]
    fn parses_json_text_directly() {
        let v = from_json_text(r#"{"a": [1, 2.5, "x", null, true], "b": {}}"#).unwrap();
        assert_eq!(
            v,
            Value::object([
                ("a", Value::List(vec![1i64.into(), Value::Number(2.5), "x".into(), Value::Null, Value::Bool(true)])),
                ("b", Value::Map(ValueMap::new())),
            ])
        );
        assert_eq!(v, Value::from_json(&serde_json::from_str(r#"{"a": [1, 2.5, "x", null, true], "b": {}}"#).unwrap()));
    }
}
