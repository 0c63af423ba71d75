//! Type conversion and unification, as cty's `convert` package does them: a conversion is
//! planned from the source type to the wanted type (or found impossible), then applied to
//! the value. "Safe" conversions never fail for any value of the source type (number to
//! string); "unsafe" ones may (string to number), and are what the language uses.

mod collection;
mod mismatch;
mod unify;

pub use mismatch::mismatch_message;
pub use unify::{unify, unify_unsafe};

use super::PathStep;
use super::refine::ValueRange;
use super::ty::{PathError, Type};
use super::value::Value;
use std::sync::Arc;

/// A planned conversion: applies to values of the source type.
pub type Conversion = Arc<dyn Fn(Value, &mut Vec<PathStep>) -> Result<Value, PathError> + Send + Sync>;

/// Converts `v` to `want` (unsafe conversions allowed, as everywhere in the language).
/// The error is cty's message ("a number is required", "attribute \"a\" is required").
pub fn convert(v: Value, want: &Type) -> Result<Value, PathError> {
    if want.is_dynamic() {
        return Ok(v);
    }
    if v.has_type(want) {
        return Ok(v);
    }
    let in_ty = v.ty();
    if in_ty == want.without_optional_attributes_deep() {
        return Ok(v);
    }
    match get_conversion(&in_ty, want, true) {
        Some(conv) => conv(v, &mut Vec::new()),
        None => Err(PathError { path: Vec::new(), message: mismatch_message(&in_ty, want) }),
    }
}

/// A conversion from `in_ty` to `out`, if there is one. `unsafe_` allows the conversions
/// that can fail for some values.
pub fn get_conversion(in_ty: &Type, out: &Type, unsafe_: bool) -> Option<Conversion> {
    let conv = get_conversion_known(in_ty, out, unsafe_)?;
    let in_ty = in_ty.clone();
    let out = out.clone();
    Some(Arc::new(move |v: Value, path: &mut Vec<PathStep>| {
        let (v, marks) = v.unmark();
        if out.is_dynamic() {
            return Ok(v.with_marks(marks));
        }
        if !v.is_known() {
            let target = dynamic_replace(&v.ty(), &out.without_optional_attributes_deep());
            return Ok(prepare_unknown_result(&v.range(), target).with_marks(marks));
        }
        if v.is_null() {
            let target = dynamic_replace(&v.ty(), &out.without_optional_attributes_deep());
            return Ok(Value::Null(target).with_marks(marks));
        }
        let _ = &in_ty;
        conv(v, path).map(|r| r.with_marks(marks))
    }))
}

fn path_err(path: &[PathStep], message: impl Into<String>) -> PathError {
    PathError { path: path.to_vec(), message: message.into() }
}

fn get_conversion_known(in_ty: &Type, out: &Type, unsafe_: bool) -> Option<Conversion> {
    match (in_ty, out) {
        (_, Type::Dynamic) => Some(Arc::new(|v, _| Ok(v))),
        (Type::Dynamic, _) if unsafe_ => {
            let want = out.clone();
            Some(Arc::new(move |v, path: &mut Vec<PathStep>| {
                convert(v, &want).map_err(|e| {
                    let mut p = path.clone();
                    p.extend(e.path);
                    PathError { path: p, message: e.message }
                })
            }))
        }
        (a, b) if a.is_primitive() && b.is_primitive() => primitive_conversion(a, b, unsafe_),
        (Type::Object(_), Type::Object(_)) => collection::object_to_object(in_ty, out, unsafe_),
        (Type::Tuple(_), Type::Tuple(_)) => collection::tuple_to_tuple(in_ty, out, unsafe_),
        (Type::List(ie) | Type::Set(ie), Type::List(oe)) => {
            if ie == oe {
                return Some(collection::collection_to_list((**oe).clone(), None));
            }
            let conv = get_conversion(ie, oe, unsafe_)?;
            Some(collection::collection_to_list((**oe).clone(), Some(conv)))
        }
        (Type::List(ie) | Type::Set(ie), Type::Set(oe)) => {
            if in_ty.is_list() && !unsafe_ {
                return None;
            }
            if ie == oe {
                return Some(collection::collection_to_set((**oe).clone(), None));
            }
            let conv = get_conversion(ie, oe, unsafe_)?;
            Some(collection::collection_to_set((**oe).clone(), Some(conv)))
        }
        (Type::Map(ie), Type::Map(oe)) => {
            let conv = get_conversion(ie, oe, unsafe_)?;
            Some(collection::collection_to_map((**oe).clone(), Some(conv)))
        }
        (Type::Tuple(_), Type::List(oe)) => collection::tuple_to_list(in_ty, oe, unsafe_),
        (Type::Tuple(_), Type::Set(oe)) => collection::tuple_to_set(in_ty, oe, unsafe_),
        (Type::Object(_), Type::Map(oe)) => collection::object_to_map(in_ty, oe, unsafe_),
        (Type::Map(_), Type::Object(_)) if unsafe_ => collection::map_to_object(in_ty, out, unsafe_),
        _ => None,
    }
}

fn primitive_conversion(in_ty: &Type, out: &Type, unsafe_: bool) -> Option<Conversion> {
    match (in_ty, out) {
        (a, b) if a == b => Some(Arc::new(|v, _| Ok(v))),
        (Type::Number, Type::String) => Some(Arc::new(|v: Value, _: &mut Vec<PathStep>| {
            Ok(Value::String(v.as_number().map(ToString::to_string).unwrap_or_default()))
        })),
        (Type::Bool, Type::String) => Some(Arc::new(|v: Value, _: &mut Vec<PathStep>| {
            Ok(Value::String(v.as_bool().unwrap_or(false).to_string()))
        })),
        (Type::String, Type::Number) if unsafe_ => Some(Arc::new(|v: Value, path: &mut Vec<PathStep>| {
            crate::number::Number::parse(v.as_str().unwrap_or(""))
                .map(Value::Number)
                .map_err(|_| path_err(path, "a number is required"))
        })),
        (Type::String, Type::Bool) if unsafe_ => Some(Arc::new(|v: Value, path: &mut Vec<PathStep>| {
            let s = v.as_str().unwrap_or("");
            match s {
                "true" | "1" => Ok(Value::TRUE),
                "false" | "0" => Ok(Value::FALSE),
                _ => Err(path_err(
                    path,
                    match s.to_lowercase().as_str() {
                        "true" => "a bool is required; to convert from string, use lowercase \"true\"",
                        "false" => "a bool is required; to convert from string, use lowercase \"false\"",
                        _ => "a bool is required",
                    },
                )),
            }
        })),
        _ => None,
    }
}

/// cty's `prepareUnknownResult`: the unknown result of converting an unknown, keeping what
/// its range says (not null, length).
fn prepare_unknown_result(range: &ValueRange, target: Type) -> Value {
    let source = &range.ty;
    let mut ret = Value::unknown(target.clone());
    if range.definitely_not_null() {
        ret = ret.refine_not_null();
    }
    match (source, &target) {
        (Type::Object(o), Type::Map(_)) => ret.refine().collection_length(o.attrs.len()).new_value(),
        (Type::Tuple(ts), Type::List(_)) => ret.refine().collection_length(ts.len()).new_value(),
        (Type::Tuple(ts), Type::Set(_)) => match ts.len() {
            l @ (0 | 1) => ret.refine().collection_length(l).new_value(),
            l => ret.refine().collection_length_lower_bound(1).collection_length_upper_bound(l).new_value(),
        },
        (s, t) if s.is_collection() && t.is_collection() => {
            let mut b = ret.refine();
            if t.is_set() {
                if range.length_lower_bound() > 0 {
                    b = b.collection_length_lower_bound(1);
                }
            } else {
                b = b.collection_length_lower_bound(range.length_lower_bound());
            }
            b.collection_length_upper_bound(range.length_upper_bound()).new_value()
        }
        _ => ret,
    }
}

/// cty's `dynamicReplace`: the target type with its dynamic parts filled from the source.
pub(crate) fn dynamic_replace(in_ty: &Type, out: &Type) -> Type {
    if in_ty.is_dynamic() {
        return out.clone();
    }
    match out {
        Type::Dynamic => in_ty.clone(),
        Type::Bool | Type::Number | Type::String => out.clone(),
        Type::Map(oe) => match in_ty {
            Type::Map(ie) => Type::map(dynamic_replace(ie, oe)),
            Type::Object(o) => {
                let tys: Vec<Type> = o.attrs.values().cloned().collect();
                let unified = unify_unsafe(&tys).0.unwrap_or(Type::Dynamic);
                Type::map(dynamic_replace(&unified, oe))
            }
            _ => out.clone(),
        },
        Type::Object(oo) => {
            let mut attrs = std::collections::BTreeMap::new();
            match in_ty {
                Type::Map(ie) => {
                    for (k, t) in &oo.attrs {
                        attrs.insert(k.clone(), dynamic_replace(ie, t));
                    }
                }
                Type::Object(io) => {
                    for (k, t) in &oo.attrs {
                        let r = match io.attrs.get(k) {
                            Some(it) => dynamic_replace(it, t),
                            None => t.clone(),
                        };
                        attrs.insert(k.clone(), r);
                    }
                }
                _ => {}
            }
            Type::object(attrs)
        }
        Type::Set(oe) => match in_ty {
            Type::Set(ie) | Type::List(ie) => Type::set(dynamic_replace(ie, oe)),
            Type::Tuple(ts) => Type::set(dynamic_replace(&unify_unsafe(ts).0.unwrap_or(Type::Dynamic), oe)),
            _ => out.clone(),
        },
        Type::List(oe) => match in_ty {
            Type::Set(ie) | Type::List(ie) => Type::list(dynamic_replace(ie, oe)),
            Type::Tuple(ts) => Type::list(dynamic_replace(&unify_unsafe(ts).0.unwrap_or(Type::Dynamic), oe)),
            _ => out.clone(),
        },
        Type::Tuple(ots) => {
            let its = in_ty.tuple_element_types();
            Type::tuple(
                ots.iter()
                    .enumerate()
                    .map(|(i, ot)| match its.and_then(|t| t.get(i)) {
                        Some(it) => dynamic_replace(it, ot),
                        None => ot.clone(),
                    })
                    .collect(),
            )
        }
    }
}

#[cfg(test)]
mod tests;
