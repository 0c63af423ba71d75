//! go-cty-yaml's `ImpliedType` and `Unmarshal`: one document, mappings as objects (keys
//! converted to strings, `<<` merging a mapping in), sequences as tuples, anchors and
//! aliases by value; the value converted to the implied type at the end.

use super::events::{Ev, Kind, at, events};
use super::resolve::{MAP, Resolved, SEQ, implied_scalar_type, resolve_scalar};
use crate::cty::{Type, Value};
use std::collections::{BTreeMap, HashMap};

/// Something a walk builds: a type or a value.
trait Walk: Clone {
    fn scalar(ev: &Ev, tag: &str, value: &str, style: super::events::Style, implicit: bool) -> Result<Self, String>;
    fn object(attrs: BTreeMap<String, Self>) -> Self;
    fn tuple(items: Vec<Self>) -> Self;
    /// The attributes to merge for `<<`, or the friendly name of what cannot be merged.
    fn merge_source(&self) -> Result<Vec<(String, Self)>, String>;
}

impl Walk for Type {
    fn scalar(ev: &Ev, tag: &str, value: &str, style: super::events::Style, implicit: bool) -> Result<Type, String> {
        implied_scalar_type(tag, value, style, implicit).map_err(|e| at(ev.line, ev.column, e))
    }
    fn object(attrs: BTreeMap<String, Type>) -> Type {
        Type::object(attrs)
    }
    fn tuple(items: Vec<Type>) -> Type {
        Type::tuple(items)
    }
    fn merge_source(&self) -> Result<Vec<(String, Type)>, String> {
        match self.attribute_types() {
            Some(attrs) if self.is_object() => Ok(attrs.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
            _ => Err(self.friendly_name()),
        }
    }
}

impl Walk for Value {
    fn scalar(ev: &Ev, tag: &str, value: &str, style: super::events::Style, _: bool) -> Result<Value, String> {
        match resolve_scalar(tag, value, style).map_err(|e| at(ev.line, ev.column, e))? {
            Resolved::Merge => Ok(Value::string("<<")),
            Resolved::Value(v) => Ok(v),
        }
    }
    fn object(attrs: BTreeMap<String, Value>) -> Value {
        Value::object_from_map(attrs)
    }
    fn tuple(items: Vec<Value>) -> Value {
        Value::tuple(items)
    }
    fn merge_source(&self) -> Result<Vec<(String, Value)>, String> {
        let ty = self.ty();
        match self.as_map() {
            Some(m) if ty.is_object() || ty.is_map() => Ok(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
            _ => Err(ty.friendly_name()),
        }
    }
}

struct Walker<'a, T> {
    evs: std::slice::Iter<'a, Ev>,
    error: Option<&'a str>,
    pending: HashMap<String, usize>,
    anchors: HashMap<String, T>,
}

impl<'a, T: Walk> Walker<'a, T> {
    fn next(&mut self) -> Result<&'a Ev, String> {
        match self.evs.next() {
            Some(ev) => Ok(ev),
            None => Err(self.error.unwrap_or("invalid YAML syntax").to_string()),
        }
    }

    fn begin(&mut self, anchor: &Option<String>) {
        if let Some(a) = anchor {
            *self.pending.entry(a.clone()).or_default() += 1;
        }
    }

    fn complete(&mut self, anchor: &Option<String>, v: &T) {
        if let Some(a) = anchor {
            if let Some(n) = self.pending.get_mut(a) {
                *n -= 1;
                if *n == 0 {
                    self.pending.remove(a);
                }
            }
            self.anchors.insert(a.clone(), v.clone());
        }
    }

    fn document(&mut self) -> Result<T, String> {
        let ev = self.next()?;
        if !matches!(ev.kind, Kind::StreamStart) {
            return Err(at(ev.line, ev.column, "missing stream start token"));
        }
        let ev = self.next()?;
        if !matches!(ev.kind, Kind::DocumentStart) {
            return Err(at(ev.line, ev.column, "missing start of document"));
        }
        let v = self.node()?;
        let ev = self.next()?;
        match ev.kind {
            Kind::DocumentStart => return Err(at(ev.line, ev.column, "only a single document is allowed")),
            Kind::DocumentEnd => {}
            _ => {
                return Err(at(
                    ev.line,
                    ev.column,
                    format!("unexpected extra content ({}) after value", ev.kind.name()),
                ));
            }
        }
        let ev = self.next()?;
        if !matches!(ev.kind, Kind::StreamEnd) {
            return Err(at(ev.line, ev.column, "unexpected extra content after value"));
        }
        Ok(v)
    }

    fn node(&mut self) -> Result<T, String> {
        let ev = self.next()?;
        self.node_from(ev)
    }

    fn node_from(&mut self, ev: &'a Ev) -> Result<T, String> {
        match &ev.kind {
            Kind::Scalar { value, style, tag, anchor, implicit } => {
                self.begin(anchor);
                let v = T::scalar(ev, tag, value, *style, *implicit)?;
                self.complete(anchor, &v);
                Ok(v)
            }
            Kind::Alias(name) => {
                let q = crate::cty::ty::go_quote(name);
                if self.pending.contains_key(name) {
                    return Err(at(
                        ev.line,
                        ev.column,
                        format!("cannot refer to anchor {q} from inside its own definition"),
                    ));
                }
                self.anchors
                    .get(name)
                    .cloned()
                    .ok_or_else(|| at(ev.line, ev.column, format!("reference to undefined anchor {q}")))
            }
            Kind::MappingStart { tag, anchor } => self.mapping(ev, tag, anchor),
            Kind::SequenceStart { tag, anchor } => {
                if !tag.is_empty() && tag != SEQ {
                    return Err(at(ev.line, ev.column, format!("can't interpret sequence as {tag}")));
                }
                self.begin(anchor);
                let mut items = Vec::new();
                loop {
                    let next = self.next()?;
                    if matches!(next.kind, Kind::SequenceEnd) {
                        let v = T::tuple(items);
                        self.complete(anchor, &v);
                        return Ok(v);
                    }
                    items.push(self.node_from(next)?);
                }
            }
            Kind::DocumentStart => Err(at(ev.line, ev.column, "only a single document is allowed")),
            Kind::StreamEnd => Err(at(ev.line, ev.column, "expecting value but found end of stream")),
            k => Err(at(ev.line, ev.column, format!("unexpected parser event {}", k.name()))),
        }
    }

    fn mapping(&mut self, ev: &Ev, tag: &str, anchor: &Option<String>) -> Result<T, String> {
        if !tag.is_empty() && tag != MAP {
            return Err(at(ev.line, ev.column, format!("can't interpret mapping as {tag}")));
        }
        self.begin(anchor);
        let mut attrs = BTreeMap::new();
        loop {
            let key = self.next()?;
            let (value, style, tag) = match &key.kind {
                Kind::MappingEnd => {
                    let v = T::object(attrs);
                    self.complete(anchor, &v);
                    return Ok(v);
                }
                Kind::Scalar { value, style, tag, .. } => (value, *style, tag),
                _ => return Err(at(key.line, key.column, "only strings are allowed as mapping keys")),
            };
            let name = match resolve_scalar(tag, value, style)? {
                Resolved::Merge => {
                    let v = self.node()?;
                    let merged = v
                        .merge_source()
                        .map_err(|n| at(key.line, key.column, format!("cannot merge {n} into mapping")))?;
                    attrs.extend(merged);
                    continue;
                }
                Resolved::Value(k) => key_string(k).map_err(|e| at(key.line, key.column, e))?,
            };
            let v = self.node()?;
            attrs.insert(name, v);
        }
    }
}

/// A mapping key as a string (cty's conversion of a primitive).
fn key_string(k: Value) -> Result<String, String> {
    if k.is_null() {
        return Err("mapping key cannot be null".into());
    }
    match crate::cty::convert::convert(k, &Type::String) {
        Ok(v) => Ok(v.as_str().unwrap_or_default().to_string()),
        Err(_) => Err("only strings are allowed as mapping keys".into()),
    }
}

/// libyaml refuses a tab where a token may start a simple key, as at the start of the
/// stream (saphyr, after YAML 1.2, takes it as white space): the first content line.
fn leading_tab(src: &str) -> Option<String> {
    let (i, line) = src.lines().enumerate().find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))?;
    line.trim_start_matches(' ').starts_with('\t').then(|| {
        let msg = "found character that cannot start any token";
        if i == 0 { msg.to_string() } else { format!("on line {}, column 1: {msg}", i + 1) }
    })
}

fn walk<T: Walk>(src: &str) -> Result<T, String> {
    let src = if src.is_empty() { "\n" } else { src };
    if let Some(e) = leading_tab(src) {
        return Err(e);
    }
    let (evs, error) = events(src);
    let mut w: Walker<'_, T> =
        Walker { evs: evs.iter(), error: error.as_deref(), pending: HashMap::new(), anchors: HashMap::new() };
    w.document()
}

/// `ImpliedType`.
pub(super) fn implied_type(src: &str) -> Result<Type, String> {
    walk(src)
}

/// `Unmarshal`: the value, converted to `ty`.
pub(super) fn unmarshal(src: &str, ty: &Type) -> Result<Value, String> {
    let v: Value = walk(src)?;
    crate::cty::convert::convert(v, ty).map_err(|e| e.message)
}
