//! Types, as cty has them: the primitives, the collections (list, set, map: one element
//! type), the structural types (tuple, object: a type per element or attribute) and the
//! dynamic pseudo-type, which stands for "not yet known" and conforms to everything.
//!
//! Object types may mark attributes optional; that only matters when a value is converted
//! to such a type (a type constraint), never for a value's own type.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

/// A cty type. Cheap to clone: compound types share their parts.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub enum Type {
    /// The dynamic pseudo-type: the type is not known (yet), or any type is accepted.
    #[default]
    Dynamic,
    Bool,
    Number,
    String,
    List(Arc<Type>),
    Set(Arc<Type>),
    Map(Arc<Type>),
    Tuple(Arc<Vec<Type>>),
    Object(Arc<ObjectType>),
}

/// The attributes of an object type, by name (sorted), and which of them are optional.
#[derive(Clone, PartialEq, Eq, Hash, Default, Debug)]
pub struct ObjectType {
    pub attrs: BTreeMap<String, Type>,
    pub optional: BTreeSet<String>,
}

/// A type error at a path inside a value (`.a[0]`), as cty's `PathError`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathError {
    pub path: Vec<crate::cty::PathStep>,
    pub message: String,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl PathError {
    /// Terraform's `tfdiags.FormatError`: the message, after its path (`.a[0]: ...`) when it
    /// has one.
    pub fn format(&self) -> String {
        if self.path.is_empty() {
            self.message.clone()
        } else {
            format!("{}: {}", format_path(&self.path), self.message)
        }
    }

    /// Terraform's `tfdiags.FormatErrorPrefixed`: the path after `prefix`.
    pub fn format_prefixed(&self, prefix: &str) -> String {
        format!("{prefix}{}: {}", format_path(&self.path), self.message)
    }
}

/// Terraform's `tfdiags.FormatCtyPath`: `.name`, `[0]`, `["key"]`.
pub fn format_path(path: &[crate::cty::PathStep]) -> String {
    use crate::cty::PathStep;
    path.iter()
        .map(|s| match s {
            PathStep::Attr(a) => format!(".{a}"),
            PathStep::Key(k) => format!("[{}]", go_quote(k)),
            PathStep::Index(i) => format!("[{i}]"),
        })
        .collect()
}

impl Type {
    pub fn list(ety: Type) -> Type {
        Type::List(Arc::new(ety))
    }
    pub fn set(ety: Type) -> Type {
        Type::Set(Arc::new(ety))
    }
    pub fn map(ety: Type) -> Type {
        Type::Map(Arc::new(ety))
    }
    pub fn tuple(etys: Vec<Type>) -> Type {
        Type::Tuple(Arc::new(etys))
    }
    pub fn object(attrs: BTreeMap<String, Type>) -> Type {
        Type::Object(Arc::new(ObjectType { attrs, optional: BTreeSet::new() }))
    }
    pub fn object_from<K: Into<String>>(attrs: impl IntoIterator<Item = (K, Type)>) -> Type {
        Type::object(attrs.into_iter().map(|(k, t)| (k.into(), t)).collect())
    }
    /// An object type whose `optional` attributes may be absent from a value converted to it.
    pub fn object_with_optional(attrs: BTreeMap<String, Type>, optional: BTreeSet<String>) -> Type {
        debug_assert!(optional.iter().all(|k| attrs.contains_key(k)));
        Type::Object(Arc::new(ObjectType { attrs, optional }))
    }
    pub fn empty_object() -> Type {
        Type::object(BTreeMap::new())
    }
    pub fn empty_tuple() -> Type {
        Type::tuple(Vec::new())
    }

    pub fn is_dynamic(&self) -> bool {
        matches!(self, Type::Dynamic)
    }
    pub fn is_primitive(&self) -> bool {
        matches!(self, Type::Bool | Type::Number | Type::String)
    }
    pub fn is_list(&self) -> bool {
        matches!(self, Type::List(_))
    }
    pub fn is_set(&self) -> bool {
        matches!(self, Type::Set(_))
    }
    pub fn is_map(&self) -> bool {
        matches!(self, Type::Map(_))
    }
    pub fn is_tuple(&self) -> bool {
        matches!(self, Type::Tuple(_))
    }
    pub fn is_object(&self) -> bool {
        matches!(self, Type::Object(_))
    }
    /// List, set or map.
    pub fn is_collection(&self) -> bool {
        matches!(self, Type::List(_) | Type::Set(_) | Type::Map(_))
    }

    /// The element type of a list, set or map.
    pub fn element_type(&self) -> Option<&Type> {
        match self {
            Type::List(e) | Type::Set(e) | Type::Map(e) => Some(e),
            _ => None,
        }
    }

    /// The element types of a tuple.
    pub fn tuple_element_types(&self) -> Option<&[Type]> {
        match self {
            Type::Tuple(ts) => Some(ts),
            _ => None,
        }
    }

    /// The attribute types of an object.
    pub fn attribute_types(&self) -> Option<&BTreeMap<String, Type>> {
        match self {
            Type::Object(o) => Some(&o.attrs),
            _ => None,
        }
    }

    pub fn attribute_type(&self, name: &str) -> Option<&Type> {
        self.attribute_types().and_then(|a| a.get(name))
    }

    pub fn attribute_optional(&self, name: &str) -> bool {
        matches!(self, Type::Object(o) if o.optional.contains(name))
    }

    /// True when the type is, or contains, the dynamic pseudo-type.
    pub fn has_dynamic_types(&self) -> bool {
        match self {
            Type::Dynamic => true,
            Type::Bool | Type::Number | Type::String => false,
            Type::List(e) | Type::Set(e) | Type::Map(e) => e.has_dynamic_types(),
            Type::Tuple(ts) => ts.iter().any(Type::has_dynamic_types),
            Type::Object(o) => o.attrs.values().any(Type::has_dynamic_types),
        }
    }

    /// The same type with every object attribute required (what a converted value has).
    pub fn without_optional_attributes_deep(&self) -> Type {
        match self {
            Type::Dynamic | Type::Bool | Type::Number | Type::String => self.clone(),
            Type::List(e) => Type::list(e.without_optional_attributes_deep()),
            Type::Set(e) => Type::set(e.without_optional_attributes_deep()),
            Type::Map(e) => Type::map(e.without_optional_attributes_deep()),
            Type::Tuple(ts) => Type::tuple(ts.iter().map(Type::without_optional_attributes_deep).collect()),
            Type::Object(o) => {
                if o.optional.is_empty() && !o.attrs.values().any(Type::has_optional_attributes) {
                    return self.clone();
                }
                Type::object(o.attrs.iter().map(|(k, t)| (k.clone(), t.without_optional_attributes_deep())).collect())
            }
        }
    }

    fn has_optional_attributes(&self) -> bool {
        match self {
            Type::List(e) | Type::Set(e) | Type::Map(e) => e.has_optional_attributes(),
            Type::Tuple(ts) => ts.iter().any(Type::has_optional_attributes),
            Type::Object(o) => !o.optional.is_empty() || o.attrs.values().any(Type::has_optional_attributes),
            _ => false,
        }
    }

    /// cty's `FriendlyName`: "string", "list of number", "object", "dynamic".
    pub fn friendly_name(&self) -> String {
        self.friendly(false)
    }

    /// cty's `FriendlyNameForConstraint`: as [`Type::friendly_name`], but the dynamic type is
    /// "any type" and a collection of it "list of any single type".
    pub fn friendly_name_for_constraint(&self) -> String {
        self.friendly(true)
    }

    fn friendly(&self, constraint: bool) -> String {
        let elem = |e: &Type| {
            if constraint && e.is_dynamic() { "any single type".to_string() } else { e.friendly(constraint) }
        };
        match self {
            Type::Dynamic => if constraint { "any type" } else { "dynamic" }.to_string(),
            Type::Bool => "bool".into(),
            Type::Number => "number".into(),
            Type::String => "string".into(),
            Type::List(e) => format!("list of {}", elem(e)),
            Type::Set(e) => format!("set of {}", elem(e)),
            Type::Map(e) => format!("map of {}", elem(e)),
            Type::Tuple(_) => "tuple".into(),
            Type::Object(_) => "object".into(),
        }
    }

    /// cty's `TestConformance`: the ways in which `self` (a value's type) fails to conform to
    /// `want`, where the dynamic type in `want` accepts anything.
    pub fn test_conformance(&self, want: &Type) -> Vec<PathError> {
        let mut errs = Vec::new();
        conformance(self, want, &mut Vec::new(), &mut errs);
        errs
    }

    /// Terraform's type-constraint syntax, as `terraform console` prints `type(x)`:
    /// `list(string)`, `object({\n    a: number,\n})`.
    pub fn console_string(&self) -> String {
        let mut s = String::new();
        write_console_type(self, &mut s, 0);
        s
    }

    /// The type in cty's JSON encoding: `"string"`, `["list","string"]`,
    /// `["object",{"a":"number"}]`, with the optional attributes as a third element.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Type::Dynamic => json!("dynamic"),
            Type::Bool => json!("bool"),
            Type::Number => json!("number"),
            Type::String => json!("string"),
            Type::List(e) => json!(["list", e.to_json()]),
            Type::Set(e) => json!(["set", e.to_json()]),
            Type::Map(e) => json!(["map", e.to_json()]),
            Type::Tuple(ts) => json!(["tuple", ts.iter().map(Type::to_json).collect::<Vec<_>>()]),
            Type::Object(o) => {
                let attrs: serde_json::Map<String, serde_json::Value> =
                    o.attrs.iter().map(|(k, t)| (k.clone(), t.to_json())).collect();
                if o.optional.is_empty() {
                    json!(["object", attrs])
                } else {
                    json!(["object", attrs, o.optional.iter().collect::<Vec<_>>()])
                }
            }
        }
    }

    /// Reads a type in cty's JSON encoding.
    pub fn from_json(j: &serde_json::Value) -> Result<Type, String> {
        use serde_json::Value as J;
        match j {
            J::String(s) => match s.as_str() {
                "dynamic" => Ok(Type::Dynamic),
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                other => Err(format!("invalid primitive type name {other:?}")),
            },
            J::Array(items) => {
                let kind = items.first().and_then(J::as_str).ok_or("invalid complex type description")?;
                let arg = items.get(1).ok_or("invalid complex type description")?;
                match kind {
                    "list" => Ok(Type::list(Type::from_json(arg)?)),
                    "set" => Ok(Type::set(Type::from_json(arg)?)),
                    "map" => Ok(Type::map(Type::from_json(arg)?)),
                    "tuple" => {
                        let J::Array(ts) = arg else { return Err("invalid tuple type description".into()) };
                        Ok(Type::tuple(ts.iter().map(Type::from_json).collect::<Result<_, _>>()?))
                    }
                    "object" => {
                        let J::Object(attrs) = arg else { return Err("invalid object type description".into()) };
                        let attrs = attrs.iter().map(|(k, t)| Ok((k.clone(), Type::from_json(t)?))).collect::<Result<
                            BTreeMap<_, _>,
                            String,
                        >>(
                        )?;
                        let optional: BTreeSet<String> = match items.get(2) {
                            Some(J::Array(names)) => {
                                names.iter().filter_map(|n| n.as_str().map(str::to_string)).collect()
                            }
                            _ => BTreeSet::new(),
                        };
                        if optional.iter().any(|k| !attrs.contains_key(k)) {
                            return Err("optional attribute not declared".into());
                        }
                        Ok(Type::object_with_optional(attrs, optional))
                    }
                    other => Err(format!("invalid complex type kind {other:?}")),
                }
            }
            _ => Err("invalid type description".into()),
        }
    }
}

fn conformance(given: &Type, want: &Type, path: &mut Vec<crate::cty::PathStep>, errs: &mut Vec<PathError>) {
    use crate::cty::PathStep;
    if want.is_dynamic() || given == want {
        return;
    }
    match (given, want) {
        (Type::Object(g), Type::Object(w)) => {
            for k in g.attrs.keys() {
                if !w.attrs.contains_key(k) {
                    errs.push(PathError {
                        path: path.clone(),
                        message: format!("unsupported attribute {}", go_quote(k)),
                    });
                }
            }
            for k in w.attrs.keys() {
                if !g.attrs.contains_key(k) {
                    errs.push(PathError {
                        path: path.clone(),
                        message: format!("missing required attribute {}", go_quote(k)),
                    });
                }
            }
            for (k, wt) in &w.attrs {
                if let Some(gt) = g.attrs.get(k) {
                    path.push(PathStep::Attr(k.clone()));
                    conformance(gt, wt, path, errs);
                    path.pop();
                }
            }
        }
        (Type::Tuple(g), Type::Tuple(w)) => {
            if g.len() != w.len() {
                errs.push(PathError {
                    path: path.clone(),
                    message: format!("{} elements are required, but got {}", w.len(), g.len()),
                });
                return;
            }
            for (i, (gt, wt)) in g.iter().zip(w.iter()).enumerate() {
                path.push(PathStep::Index(i));
                conformance(gt, wt, path, errs);
                path.pop();
            }
        }
        (Type::List(g), Type::List(w)) | (Type::Map(g), Type::Map(w)) | (Type::Set(g), Type::Set(w)) => {
            conformance(g, w, path, errs);
        }
        _ => errs.push(PathError {
            path: path.clone(),
            message: format!("{} required, but received {}", want.friendly_name(), given.friendly_name()),
        }),
    }
}

fn write_console_type(ty: &Type, b: &mut String, indent: usize) {
    let pad = |n: usize| "    ".repeat(n);
    match ty {
        Type::Object(o) => {
            if o.attrs.is_empty() {
                b.push_str("object({})");
                return;
            }
            b.push_str("object({\n");
            for (name, aty) in &o.attrs {
                b.push_str(&pad(indent + 1));
                b.push_str(name);
                b.push_str(": ");
                write_console_type(aty, b, indent + 1);
                b.push_str(",\n");
            }
            b.push_str(&pad(indent));
            b.push_str("})");
        }
        Type::Tuple(ts) => {
            if ts.is_empty() {
                b.push_str("tuple([])");
                return;
            }
            b.push_str("tuple([\n");
            for t in ts.iter() {
                b.push_str(&pad(indent + 1));
                write_console_type(t, b, indent + 1);
                b.push_str(",\n");
            }
            b.push_str(&pad(indent));
            b.push_str("])");
        }
        Type::List(e) | Type::Map(e) | Type::Set(e) => {
            b.push_str(match ty {
                Type::List(_) => "list(",
                Type::Map(_) => "map(",
                _ => "set(",
            });
            let complex = e.is_object() || e.is_tuple();
            if complex {
                b.push('\n');
                b.push_str(&pad(indent + 1));
                write_console_type(e, b, indent + 1);
                b.push_str(",\n");
                b.push_str(&pad(indent));
            } else {
                write_console_type(e, b, indent);
            }
            b.push(')');
        }
        other => b.push_str(&other.friendly_name()),
    }
}

/// Terraform's type-constraint spelling on one line, as in its messages: `list(string)`,
/// `map(any)`, `object({a=string})`.
impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Dynamic => f.write_str("any"),
            Type::Bool => f.write_str("bool"),
            Type::Number => f.write_str("number"),
            Type::String => f.write_str("string"),
            Type::List(e) => write!(f, "list({e})"),
            Type::Set(e) => write!(f, "set({e})"),
            Type::Map(e) => write!(f, "map({e})"),
            Type::Tuple(ts) => {
                f.write_str("tuple([")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{t}")?;
                }
                f.write_str("])")
            }
            Type::Object(o) => {
                f.write_str("object({")?;
                for (i, (k, t)) in o.attrs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    if o.optional.contains(k) {
                        write!(f, "{k}=optional({t})")?;
                    } else {
                        write!(f, "{k}={t}")?;
                    }
                }
                f.write_str("})")
            }
        }
    }
}

impl fmt::Debug for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// Go's `%q` / `strconv.Quote`: double quotes, Go escapes, printable Unicode kept as is.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Go's `unicode.IsPrint` (letters, marks, numbers, punctuation, symbols and the ASCII space),
/// approximated without Unicode tables by excluding the control, format, separator and
/// private-use ranges Go treats as non-printable.
pub(crate) fn is_go_printable(c: char) -> bool {
    let u = c as u32;
    if u < 0x20 || u == 0x7f || (0x80..0xa0).contains(&u) {
        return false;
    }
    if c == ' ' {
        return true;
    }
    if c.is_whitespace() {
        return false;
    }
    !matches!(u,
        0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x180e | 0x200b..=0x200f | 0x2028..=0x202e
        | 0x2060..=0x206f | 0xfeff | 0xfff9..=0xfffb | 0xe000..=0xf8ff | 0xf0000..=0x10ffff
        | 0xd800..=0xdfff | 0xfdd0..=0xfdef | 0xfffe | 0xffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn friendly_names() {
        assert_eq!(Type::list(Type::String).friendly_name(), "list of string");
        assert_eq!(Type::map(Type::Dynamic).friendly_name_for_constraint(), "map of any single type");
        assert_eq!(Type::Dynamic.friendly_name_for_constraint(), "any type");
    }

    #[test]
    fn console_type_strings() {
        let t = Type::tuple(vec![Type::Number, Type::list(Type::String), Type::object_from([("a", Type::Number)])]);
        assert_eq!(
            t.console_string(),
            "tuple([\n    number,\n    list(string),\n    object({\n        a: number,\n    }),\n])"
        );
        assert_eq!(
            Type::list(Type::object_from([("a", Type::Bool)])).console_string(),
            "list(\n    object({\n        a: bool,\n    }),\n)"
        );
    }

    #[test]
    fn json_round_trip() {
        let t = Type::object_with_optional(
            [("a".to_string(), Type::set(Type::Number)), ("b".to_string(), Type::tuple(vec![Type::Dynamic]))].into(),
            ["b".to_string()].into(),
        );
        assert_eq!(Type::from_json(&t.to_json()).unwrap(), t);
    }

    #[test]
    fn conformance_messages() {
        let errs = Type::String.test_conformance(&Type::Number);
        assert_eq!(errs[0].message, "number required, but received string");
        assert!(Type::list(Type::String).test_conformance(&Type::list(Type::Dynamic)).is_empty());
    }

    #[test]
    fn go_quoting() {
        assert_eq!(go_quote("a\"b\n\u{1}é"), "\"a\\\"b\\n\\x01é\"");
    }
}
