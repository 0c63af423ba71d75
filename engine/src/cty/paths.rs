//! Conveniences the engine uses on values: sensitivity as a flag, paths into a value
//! (reading, replacing, marking), and the JSON mirrors Terraform's plan format uses
//! (`after_unknown`, `after_sensitive`).

use super::marks::Marks;
use super::value::{MapData, SeqData, Value};
use super::{PathStep, Type};
use std::sync::Arc;

impl Value {
    /// Marks the value sensitive (idempotent).
    pub fn mark_sensitive(self) -> Value {
        self.with_marks(Marks::SENSITIVE)
    }

    /// Marks the value sensitive when `sensitive` is true.
    pub fn mark_if(self, sensitive: bool) -> Value {
        if sensitive { self.mark_sensitive() } else { self }
    }

    /// Whether the value itself (not something inside it) is sensitive.
    pub fn is_sensitive(&self) -> bool {
        self.marks().is_sensitive()
    }

    /// True when the value or anything inside it is sensitive.
    pub fn contains_sensitive(&self) -> bool {
        match self {
            Value::Marked(inner, m) => m.is_sensitive() || inner.contains_sensitive(),
            Value::List(s) | Value::Set(s) => s.items.iter().any(Value::contains_sensitive),
            Value::Map(m) => m.items.values().any(Value::contains_sensitive),
            Value::Tuple(items) => items.iter().any(Value::contains_sensitive),
            Value::Object(attrs) => attrs.values().any(Value::contains_sensitive),
            _ => false,
        }
    }

    /// The value without its top-level marks, and whether it was sensitive.
    pub fn into_unmarked(self) -> (Value, bool) {
        let (v, m) = self.unmark();
        (v, m.is_sensitive())
    }

    /// Every mark removed, at every depth.
    pub fn deep_unmark(self) -> Value {
        self.unmark_deep().0
    }

    /// Equality as `==` decides it, `false` when it cannot be decided yet.
    pub fn lang_eq(&self, other: &Value) -> bool {
        super::ops::equals(self, other).unmark().0.as_bool() == Some(true)
    }

    /// The value at `path`; `None` when a step does not exist.
    pub fn at_path(&self, path: &[PathStep]) -> Option<&Value> {
        let mut cur = self;
        for step in path {
            let inner = cur.unmarked();
            cur = match (inner, step) {
                (Value::Object(m), PathStep::Attr(k) | PathStep::Key(k)) => m.get(k)?,
                (Value::Map(m), PathStep::Attr(k) | PathStep::Key(k)) => m.items.get(k)?,
                (Value::List(s) | Value::Set(s), PathStep::Index(i)) => s.items.get(*i)?,
                (Value::Tuple(items), PathStep::Index(i)) => items.get(*i)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    /// Replaces the value at `path` (adding object attributes and map keys on the way);
    /// paths that do not fit the value's shape change nothing. Set elements are replaced in
    /// place by index (the set is rebuilt, so its order may change).
    pub fn set_at_path(&mut self, path: &[PathStep], new: Value) {
        let Some((first, rest)) = path.split_first() else {
            *self = new;
            return;
        };
        match self {
            Value::Marked(inner, _) => inner.set_at_path(path, new),
            Value::Object(m) => {
                if let PathStep::Attr(k) | PathStep::Key(k) = first {
                    Arc::make_mut(m).entry(k.clone()).or_insert(Value::NULL).set_at_path(rest, new);
                }
            }
            Value::Map(m) => {
                if let PathStep::Attr(k) | PathStep::Key(k) = first {
                    let ety = m.ety.clone();
                    Arc::make_mut(m).items.entry(k.clone()).or_insert(Value::Null(ety)).set_at_path(rest, new);
                }
            }
            Value::List(s) => {
                if let PathStep::Index(i) = first
                    && let Some(item) = Arc::make_mut(s).items.get_mut(*i)
                {
                    item.set_at_path(rest, new);
                }
            }
            Value::Tuple(items) => {
                if let PathStep::Index(i) = first
                    && let Some(item) = Arc::make_mut(items).get_mut(*i)
                {
                    item.set_at_path(rest, new);
                }
            }
            Value::Set(s) => {
                if let PathStep::Index(i) = first {
                    let SeqData { ety, mut items } = (**s).clone();
                    if let Some(item) = items.get_mut(*i) {
                        item.set_at_path(rest, new);
                        *self = Value::set(ety, items);
                    }
                }
            }
            _ => {}
        }
    }

    /// Every path inside the value that carries a sensitive mark (outermost marks only).
    pub fn sensitive_paths(&self) -> Vec<Vec<PathStep>> {
        fn walk(v: &Value, path: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
            if v.is_sensitive() {
                out.push(path.clone());
                return;
            }
            match v.unmarked() {
                Value::List(s) | Value::Set(s) => each_index(&s.items, path, out),
                Value::Tuple(items) => each_index(items, path, out),
                Value::Map(m) => {
                    for (k, item) in &m.items {
                        path.push(PathStep::Key(k.clone()));
                        walk(item, path, out);
                        path.pop();
                    }
                }
                Value::Object(attrs) => {
                    for (k, item) in attrs.iter() {
                        path.push(PathStep::Attr(k.clone()));
                        walk(item, path, out);
                        path.pop();
                    }
                }
                _ => {}
            }
        }
        fn each_index(items: &[Value], path: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
            for (i, item) in items.iter().enumerate() {
                path.push(PathStep::Index(i));
                walk(item, path, out);
                path.pop();
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

    /// Every unknown replaced by a null of its type (what remains after a failed apply).
    pub fn unknowns_to_null(self) -> Value {
        self.transform(&|v| match v {
            Value::Unknown(u) => Value::Null(u.ty),
            v => v,
        })
    }

    /// Applies `f` bottom-up to every value inside (children first).
    pub fn transform(self, f: &dyn Fn(Value) -> Value) -> Value {
        let v = match self {
            Value::Marked(inner, m) => Value::Marked(Box::new(inner.transform(f)), m),
            Value::List(s) => {
                let SeqData { ety, items } = Arc::unwrap_or_clone(s);
                Value::List(Arc::new(SeqData { ety, items: items.into_iter().map(|v| v.transform(f)).collect() }))
            }
            Value::Set(s) => {
                let SeqData { ety, items } = Arc::unwrap_or_clone(s);
                Value::set(ety, items.into_iter().map(|v| v.transform(f)).collect())
            }
            Value::Map(m) => {
                let MapData { ety, items } = Arc::unwrap_or_clone(m);
                Value::Map(Arc::new(MapData {
                    ety,
                    items: items.into_iter().map(|(k, v)| (k, v.transform(f))).collect(),
                }))
            }
            Value::Tuple(items) => {
                Value::tuple(Arc::unwrap_or_clone(items).into_iter().map(|v| v.transform(f)).collect())
            }
            Value::Object(attrs) => Value::Object(Arc::new(
                Arc::unwrap_or_clone(attrs).into_iter().map(|(k, v)| (k, v.transform(f))).collect(),
            )),
            v => v,
        };
        f(v)
    }

    /// A JSON mirror with `true` wherever the value is unknown, in the shape of Terraform's
    /// `after_unknown`; `false` when nothing is unknown.
    pub fn unknown_mask(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self.unmarked() {
            Value::Unknown(_) => J::Bool(true),
            Value::List(s) | Value::Set(s) => J::Array(s.items.iter().map(Value::unknown_mask).collect()),
            Value::Tuple(items) => J::Array(items.iter().map(Value::unknown_mask).collect()),
            v @ (Value::Map(_) | Value::Object(_)) => J::Object(
                v.as_map()
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, v)| {
                        let m = v.unknown_mask();
                        (m != J::Bool(false)).then(|| (k.clone(), m))
                    })
                    .collect(),
            ),
            _ => J::Bool(false),
        }
    }

    /// A JSON mirror with `true` wherever the value is sensitive (Terraform's
    /// `after_sensitive`, `jsonstate.SensitiveAsBool`): an unknown collection is `[]` or `{}`
    /// (nothing can be said of its contents), anything else not sensitive `false`.
    pub fn sensitive_mask(&self) -> serde_json::Value {
        use serde_json::Value as J;
        if self.is_sensitive() {
            return J::Bool(true);
        }
        match self.unmarked() {
            Value::Unknown(u) => match u.ty {
                Type::List(_) | Type::Set(_) | Type::Tuple(_) => J::Array(Vec::new()),
                Type::Map(_) | Type::Object(_) => J::Object(Default::default()),
                _ => J::Bool(false),
            },
            Value::List(s) | Value::Set(s) => J::Array(s.items.iter().map(Value::sensitive_mask).collect()),
            Value::Tuple(items) => J::Array(items.iter().map(Value::sensitive_mask).collect()),
            v @ (Value::Map(_) | Value::Object(_)) => J::Object(
                v.as_map()
                    .into_iter()
                    .flatten()
                    .filter_map(|(k, v)| {
                        let m = v.sensitive_mask();
                        (m != J::Bool(false)).then(|| (k.clone(), m))
                    })
                    .collect(),
            ),
            _ => J::Bool(false),
        }
    }

    /// Plain JSON of the value for display and tools: unknowns as `null`, marks dropped
    /// (callers that print must mask first), numbers exact where JSON numbers can hold
    /// them.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self.unmarked() {
            Value::Null(_) | Value::Unknown(_) => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => number_json(n),
            Value::String(s) => J::String(s.clone()),
            Value::List(s) | Value::Set(s) => J::Array(s.items.iter().map(Value::to_json).collect()),
            Value::Tuple(items) => J::Array(items.iter().map(Value::to_json).collect()),
            v @ (Value::Map(_) | Value::Object(_)) => {
                J::Object(v.as_map().into_iter().flatten().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
            Value::Marked(..) => unreachable!("unmarked above"),
        }
    }

    /// JSON with sensitive values replaced by null (their places are given by
    /// [`Value::sensitive_mask`]) and unknowns null.
    pub fn masked_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        if self.is_sensitive() {
            return J::Null;
        }
        match self.unmarked() {
            Value::List(s) | Value::Set(s) => J::Array(s.items.iter().map(Value::masked_json).collect()),
            Value::Tuple(items) => J::Array(items.iter().map(Value::masked_json).collect()),
            v @ (Value::Map(_) | Value::Object(_)) => {
                J::Object(v.as_map().into_iter().flatten().map(|(k, v)| (k.clone(), v.masked_json())).collect())
            }
            other => other.to_json(),
        }
    }

    /// A value from plain JSON, typed as cty's `ImpliedType` would (objects, tuples), with
    /// numbers exact.
    pub fn from_json(j: &serde_json::Value) -> Value {
        use serde_json::Value as J;
        match j {
            J::Null => Value::NULL,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => crate::number::Number::parse(&n.to_string()).map_or(Value::NULL, Value::Number),
            J::String(s) => Value::string(s.clone()),
            J::Array(items) => Value::tuple(items.iter().map(Value::from_json).collect()),
            J::Object(m) => Value::object(m.iter().map(|(k, v)| (k.clone(), Value::from_json(v)))),
        }
    }

    /// The value converted to `ty`, or itself when it does not convert (for values read
    /// back from providers and states, which are expected to fit their schema).
    pub fn conformed(self, ty: &Type) -> Value {
        match super::convert::convert(self.clone(), ty) {
            Ok(v) => v,
            Err(_) => self,
        }
    }
}

/// A number as a JSON number, exact at any precision (serde_json's `arbitrary_precision`
/// keeps a number as its text), written as cty's JSON encoding writes it; `null` for
/// infinities.
pub fn number_json(n: &crate::number::Number) -> serde_json::Value {
    if let Some(i) = n.to_i64() {
        return serde_json::Value::from(i);
    }
    if n.is_infinite() {
        return serde_json::Value::Null;
    }
    n.to_string().parse::<serde_json::Number>().map_or(serde_json::Value::Null, serde_json::Value::Number)
}

/// A value seen the way renderers walk it: sensitivity first, then unknown and null, then
/// the kind of value (lists, sets and tuples alike; maps and objects alike).
#[derive(Clone, Copy, Debug)]
pub enum View<'a> {
    /// A sensitive value (what it holds).
    Sensitive(&'a Value),
    Unknown,
    Null,
    Bool(bool),
    Number(&'a crate::number::Number),
    String(&'a str),
    Seq(&'a [Value]),
    Map(&'a std::collections::BTreeMap<String, Value>),
}

impl Value {
    /// The value as a [`View`].
    pub fn view(&self) -> View<'_> {
        if let Value::Marked(inner, m) = self {
            return if m.is_sensitive() { View::Sensitive(inner) } else { inner.view() };
        }
        match self {
            Value::Unknown(_) => View::Unknown,
            Value::Null(_) => View::Null,
            Value::Bool(b) => View::Bool(*b),
            Value::Number(n) => View::Number(n),
            Value::String(s) => View::String(s),
            Value::List(s) | Value::Set(s) => View::Seq(&s.items),
            Value::Tuple(items) => View::Seq(items),
            Value::Map(m) => View::Map(&m.items),
            Value::Object(attrs) => View::Map(attrs),
            Value::Marked(..) => unreachable!("handled above"),
        }
    }
}

impl Value {
    /// A total order on values (cty's set order), for sorting values deterministically.
    pub fn total_cmp(a: &Value, b: &Value) -> std::cmp::Ordering {
        super::set::set_order(a, b)
    }
}
