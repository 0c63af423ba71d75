//! Type constraints (`string`, `list(number)`, `object({ a = optional(string, "x") })`, ...)
//! and the conversions Terraform applies when a value meets one.

use crate::value::{Value, ValueMap, format_number};
use std::collections::BTreeMap;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Default)]
pub enum Type {
    #[default]
    Any,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    Object(BTreeMap<String, ObjectAttr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObjectAttr {
    pub ty: Type,
    pub optional: bool,
    pub default: Option<Value>,
}

impl ObjectAttr {
    pub fn required(ty: Type) -> ObjectAttr {
        ObjectAttr { ty, optional: false, default: None }
    }
}

impl Type {
    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }
    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }
    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    /// Infers the most specific type of a known value, as Terraform does for outputs.
    pub fn of(v: &Value) -> Type {
        match v.unmark().0 {
            Value::Null | Value::Unknown => Type::Any,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(items) => Type::Tuple(items.iter().map(Type::of).collect()),
            Value::Set(items) => Type::set(items.first().map(Type::of).unwrap_or(Type::Any)),
            Value::Map(m) => {
                Type::Object(m.iter().map(|(k, v)| (k.clone(), ObjectAttr::required(Type::of(v)))).collect())
            }
            Value::Sensitive(_) => unreachable!("unmarked above"),
        }
    }

    /// The type in cty's JSON encoding (`"string"`, `["list","string"]`, `["object",{...}]`),
    /// used by state and plan JSON.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Type::Any => json!("dynamic"),
            Type::String => json!("string"),
            Type::Number => json!("number"),
            Type::Bool => json!("bool"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Tuple(ts) => json!(["tuple", ts.iter().map(Type::to_json).collect::<Vec<_>>()]),
            Type::Object(attrs) => {
                let m: serde_json::Map<String, serde_json::Value> =
                    attrs.iter().map(|(k, a)| (k.clone(), a.ty.to_json())).collect();
                json!(["object", m])
            }
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Any => write!(f, "any"),
            Type::String => write!(f, "string"),
            Type::Number => write!(f, "number"),
            Type::Bool => write!(f, "bool"),
            Type::List(t) => write!(f, "list({t})"),
            Type::Set(t) => write!(f, "set({t})"),
            Type::Map(t) => write!(f, "map({t})"),
            Type::Tuple(ts) => {
                write!(f, "tuple([")?;
                for (i, t) in ts.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{t}")?;
                }
                write!(f, "])")
            }
            Type::Object(attrs) => {
                write!(f, "object({{")?;
                for (i, (k, a)) in attrs.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    if a.optional {
                        write!(f, "{k} = optional({})", a.ty)?;
                    } else {
                        write!(f, "{k} = {}", a.ty)?;
                    }
                }
                write!(f, "}})")
            }
        }
    }
}

/// Why a value does not fit a type; `path` says where inside the value.
#[derive(Clone, Debug, PartialEq)]
pub struct ConversionError {
    pub path: String,
    pub message: String,
}

impl fmt::Display for ConversionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() { write!(f, "{}", self.message) } else { write!(f, "{}: {}", self.path, self.message) }
    }
}

fn err(path: &str, message: impl Into<String>) -> ConversionError {
    ConversionError { path: path.to_string(), message: message.into() }
}

/// Converts `v` to type `ty` the way Terraform does for variables, function arguments and
/// resource arguments: numbers and bools to strings and back, tuples to lists and sets,
/// objects to maps, optional object attributes filled with their defaults (or null).
pub fn convert(v: Value, ty: &Type) -> Result<Value, ConversionError> {
    convert_at(v, ty, "")
}

fn convert_at(v: Value, ty: &Type, path: &str) -> Result<Value, ConversionError> {
    let (v, sensitive) = v.into_unmarked();
    let out = match (v, ty) {
        (v, Type::Any) => v,
        (Value::Null, _) => Value::Null,
        (Value::Unknown, _) => Value::Unknown,
        (Value::String(s), Type::String) => Value::String(s),
        (Value::Number(n), Type::String) => Value::String(format_number(n)),
        (Value::Bool(b), Type::String) => Value::String(b.to_string()),
        (Value::Number(n), Type::Number) => Value::Number(n),
        (Value::String(s), Type::Number) => match s.trim().parse::<f64>() {
            Ok(n) if !s.trim().is_empty() => Value::Number(n),
            _ => return Err(err(path, format!("a number is required, got the string {s:?}"))),
        },
        (Value::Bool(b), Type::Bool) => Value::Bool(b),
        (Value::String(s), Type::Bool) => match s.as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(err(path, format!("a bool is required, got the string {s:?}"))),
        },
        (Value::List(items) | Value::Set(items), Type::List(et)) => Value::List(convert_items(items, et, path)?),
        (Value::List(items) | Value::Set(items), Type::Set(et)) => Value::set(convert_items(items, et, path)?),
        (Value::List(items) | Value::Set(items), Type::Tuple(ts)) => {
            if items.len() != ts.len() {
                return Err(err(path, format!("a tuple of {} elements is required, got {}", ts.len(), items.len())));
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, (item, t)) in items.into_iter().zip(ts).enumerate() {
                out.push(convert_at(item, t, &format!("{path}[{i}]"))?);
            }
            Value::List(out)
        }
        (Value::Map(m), Type::Map(et)) => {
            let mut out = ValueMap::new();
            for (k, item) in m {
                let p = format!("{path}[{k:?}]");
                out.insert(k, convert_at(item, et, &p)?);
            }
            Value::Map(out)
        }
        (Value::Map(mut m), Type::Object(attrs)) => {
            let mut out = ValueMap::new();
            for (name, attr) in attrs {
                let p = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
                match m.remove(name) {
                    Some(item) if !item.is_null() => {
                        out.insert(name.clone(), convert_at(item, &attr.ty, &p)?);
                    }
                    _ if attr.optional => {
                        let d = match &attr.default {
                            Some(d) => convert_at(d.clone(), &attr.ty, &p)?,
                            None => Value::Null,
                        };
                        out.insert(name.clone(), d);
                    }
                    Some(_) => {
                        out.insert(name.clone(), Value::Null);
                    }
                    None => return Err(err(path, format!("attribute \"{name}\" is required"))),
                }
            }
            // Terraform drops attributes that the object type does not declare.
            Value::Map(out)
        }
        (v, ty) => {
            return Err(err(path, format!("{} required, got {}", article(ty), describe(&v))));
        }
    };
    Ok(out.mark_if(sensitive))
}

fn convert_items(items: Vec<Value>, et: &Type, path: &str) -> Result<Vec<Value>, ConversionError> {
    items.into_iter().enumerate().map(|(i, item)| convert_at(item, et, &format!("{path}[{i}]"))).collect()
}

fn article(ty: &Type) -> String {
    match ty {
        Type::String => "a string is".into(),
        Type::Number => "a number is".into(),
        Type::Bool => "a bool is".into(),
        Type::List(_) => "a list is".into(),
        Type::Set(_) => "a set is".into(),
        Type::Map(_) => "a map is".into(),
        Type::Tuple(_) => "a tuple is".into(),
        Type::Object(_) => "an object is".into(),
        Type::Any => "a value is".into(),
    }
}

fn describe(v: &Value) -> String {
    match v {
        Value::List(_) => "a tuple".into(),
        Value::Set(_) => "a set".into(),
        Value::Map(_) => "an object".into(),
        Value::String(_) => "a string".into(),
        Value::Number(_) => "a number".into(),
        Value::Bool(_) => "a bool".into(),
        other => other.type_name().into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitive_conversions() {
        assert_eq!(convert(Value::from(5i64), &Type::String).unwrap(), Value::from("5"));
        assert_eq!(convert(Value::from("5"), &Type::Number).unwrap(), Value::Number(5.0));
        assert_eq!(convert(Value::from("true"), &Type::Bool).unwrap(), Value::Bool(true));
        let e = convert(Value::from("x"), &Type::Number).unwrap_err();
        assert!(e.message.contains("a number is required"), "{e}");
    }

    #[test]
    fn optional_attributes_get_defaults() {
        let ty = Type::Object(BTreeMap::from([
            ("name".to_string(), ObjectAttr::required(Type::String)),
            ("port".to_string(), ObjectAttr { ty: Type::Number, optional: true, default: Some(80i64.into()) }),
            ("tag".to_string(), ObjectAttr { ty: Type::String, optional: true, default: None }),
        ]));
        let v = convert(Value::object([("name", Value::from("web"))]), &ty).unwrap();
        assert_eq!(v, Value::object([("name", "web".into()), ("port", 80i64.into()), ("tag", Value::Null)]));
        let e = convert(Value::object([("port", Value::from(1i64))]), &ty).unwrap_err();
        assert_eq!(e.message, "attribute \"name\" is required");
    }

    #[test]
    fn nested_errors_name_the_path() {
        let ty = Type::map(Type::list(Type::Number));
        let v = Value::object([("a", Value::List(vec!["1".into(), "x".into()]))]);
        let e = convert(v, &ty).unwrap_err();
        assert_eq!(e.path, "[\"a\"][1]");
    }

    #[test]
    fn sensitive_marks_survive_conversion() {
        let v = convert(Value::from(1i64).mark_sensitive(), &Type::String).unwrap();
        assert_eq!(v, Value::from("1").mark_sensitive());
    }
}
