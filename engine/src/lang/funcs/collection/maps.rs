//! Functions on maps and objects: `keys`, `values`, `lookup` (Terraform's), `merge`,
//! `zipmap` and `transpose`.

use super::{list_or_empty, seq};
use crate::cty::ty::go_quote;
use crate::cty::{Marks, Type, Value, convert};
use crate::lang::function::{FuncCtx, FuncError, Function, Param, Returns, refine_not_null};
use std::collections::BTreeMap;

pub(super) fn functions() -> Vec<Function> {
    vec![
        Function {
            name: "keys",
            params: vec![Param::new("inputMap", Type::Dynamic).allow_unknown().allow_marked()],
            var_param: None,
            returns: Returns::Computed(keys_type),
            refine: Some(refine_not_null),
            imp: keys,
        },
        Function {
            name: "values",
            params: vec![Param::new("mapping", Type::Dynamic).allow_marked()],
            var_param: None,
            returns: Returns::Computed(values_type),
            refine: Some(refine_not_null),
            imp: values,
        },
        Function {
            name: "lookup",
            params: vec![
                Param::new("inputMap", Type::Dynamic).allow_marked().allow_unknown(),
                Param::new("key", Type::String).allow_marked().allow_unknown(),
            ],
            var_param: Some(
                Param::new("default", Type::Dynamic).allow_unknown().allow_dynamic().allow_null().allow_marked(),
            ),
            returns: Returns::Computed(lookup_type),
            refine: None,
            imp: lookup,
        },
        Function {
            name: "merge",
            params: Vec::new(),
            var_param: Some(Param::new("maps", Type::Dynamic).allow_dynamic().allow_null().allow_marked()),
            returns: Returns::Computed(merge_type),
            refine: Some(refine_not_null),
            imp: merge,
        },
        Function {
            name: "zipmap",
            params: vec![
                Param::new("keys", Type::list(Type::String)).allow_marked(),
                Param::new("values", Type::Dynamic).allow_marked(),
            ],
            var_param: None,
            returns: Returns::Computed(zipmap_type),
            refine: Some(refine_not_null),
            imp: zipmap,
        },
        Function {
            name: "transpose",
            params: vec![Param::new("values", Type::map(Type::list(Type::String)))],
            var_param: None,
            returns: Returns::Static(|| Type::map(Type::list(Type::String))),
            refine: Some(refine_not_null),
            imp: transpose,
        },
    ]
}

fn keys_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    match args[0].ty() {
        Type::Map(_) => Ok(Type::list(Type::String)),
        Type::Object(o) => Ok(Type::tuple(vec![Type::String; o.attrs.len()])),
        _ => Err(FuncError::arg(0, "must have map or object type")),
    }
}

/// The keys in lexicographic order: of an object from its type (known even when the
/// object is not), of a map from its elements.
fn keys(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let (m, marks) = args[0].clone().unmark();
    let out = match m.ty() {
        Type::Object(o) => Value::tuple(o.attrs.keys().map(|k| Value::String(k.clone())).collect()),
        _ => match m.as_map() {
            Some(items) => list_or_empty(&Type::String, items.keys().map(|k| Value::String(k.clone())).collect()),
            None => Value::unknown(ret.clone()),
        },
    };
    Ok(out.with_marks(marks))
}

fn values_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    match args[0].ty() {
        Type::Map(e) => Ok(Type::List(e)),
        Type::Object(o) => Ok(Type::tuple(o.attrs.values().cloned().collect())),
        _ => Err(FuncError::other("values() requires a map as the first argument")),
    }
}

fn values(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let (m, marks) = args[0].clone().unmark();
    let items: Vec<Value> = m.as_map().map(|m| m.values().cloned().collect()).unwrap_or_default();
    let out = match ret {
        Type::List(e) => list_or_empty(e, items),
        _ => Value::tuple(items),
    };
    Ok(out.with_marks(marks))
}

fn lookup_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    if args.len() > 3 {
        return Err(FuncError::other(format!("lookup() takes two or three arguments, got {}", args.len())));
    }
    match args[0].ty() {
        Type::Object(o) => {
            let Some(key) = args[1].as_str() else { return Ok(Type::Dynamic) };
            if let Some(t) = o.attrs.get(key) {
                Ok(t.clone())
            } else if let Some(default) = args.get(2) {
                Ok(default.ty())
            } else {
                Err(FuncError::arg(0, format!("the given object has no attribute {}", go_quote(key))))
            }
        }
        Type::Map(e) => {
            if let Some(default) = args.get(2)
                && convert::convert(default.clone(), &e).is_err()
            {
                return Err(FuncError::arg(2, "the default value must have the same type as the map elements"));
            }
            Ok((*e).clone())
        }
        _ => Err(FuncError::arg(0, "lookup() requires a map as the first argument")),
    }
}

fn lookup(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let (m, map_marks) = args[0].clone().unmark();
    let (key, key_marks) = args[1].clone().unmark();
    let marks = map_marks | key_marks;
    let (Some(k), true) = (key.as_str(), m.is_known()) else {
        return Ok(Value::unknown(ret.clone()).with_marks(marks));
    };
    if let Some(v) = m.get_attr(k) {
        return Ok(v.clone().with_marks(marks));
    }
    match args.get(2) {
        Some(default) => {
            let v = convert::convert(default.clone(), ret).map_err(|e| FuncError::other(e.message))?;
            Ok(v.with_marks(marks))
        }
        None => {
            let shown = if key_marks.is_sensitive() { "(sensitive value)".to_string() } else { go_quote(k) };
            Err(FuncError::other(format!("lookup failed to find key {shown}")))
        }
    }
}

/// An object of every attribute seen, unless all arguments have the same type (then that
/// type); dynamic when an argument is of unknown type, or an unknown map hides keys.
fn merge_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    if args.is_empty() {
        return Ok(Type::empty_object());
    }
    let mut attrs = BTreeMap::new();
    let mut first = None;
    let mut matching = true;
    let mut attrs_known = true;
    for arg in args {
        let mut ty = arg.ty();
        if ty.is_dynamic() {
            return Ok(Type::Dynamic);
        }
        match &ty {
            // A null object counts as having no attributes. (cty 1.16 kept its type, so
            // merging only null objects of one type made Terraform 1.11 panic; later cty
            // does this.)
            Type::Object(_) if arg.is_null() => ty = Type::empty_object(),
            Type::Object(o) => attrs.extend(o.attrs.iter().map(|(k, t)| (k.clone(), t.clone()))),
            Type::Map(e) => match arg.as_map() {
                Some(items) => attrs.extend(items.keys().map(|k| (k.clone(), (**e).clone()))),
                None if arg.is_null() => {}
                None => attrs_known = false,
            },
            _ => {
                return Err(FuncError::other(format!(
                    "arguments must be maps or objects, got {}",
                    go_quote(&ty.friendly_name())
                )));
            }
        }
        match &first {
            None => first = Some(ty),
            Some(f) => matching &= &ty == f,
        }
    }
    if matching {
        return Ok(first.expect("not empty"));
    }
    Ok(if attrs_known { Type::object(attrs) } else { Type::Dynamic })
}

fn merge(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let mut out = BTreeMap::new();
    let mut marks = Marks::NONE;
    for arg in args.iter().filter(|a| !a.is_null()) {
        let (arg, m) = arg.clone().unmark();
        marks |= m;
        if let Some(items) = arg.as_map() {
            out.extend(items.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
    }
    let v = match ret {
        Type::Map(e) if out.is_empty() => Value::empty_map((**e).clone()),
        Type::Map(_) => Value::map_of(out).expect("not empty"),
        _ => Value::object_from_map(out),
    };
    Ok(v.with_marks(marks))
}

fn zipmap_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    let (keys, values) = (&args[0], &args[1]);
    match values.ty() {
        Type::List(e) => Ok(Type::Map(e)),
        Type::Tuple(etys) => {
            if !keys.is_wholly_known() {
                return Ok(Type::Dynamic);
            }
            let keys = seq(keys.unmarked());
            if keys.len() != etys.len() {
                return Err(FuncError::other(format!(
                    "number of keys ({}) does not match number of values ({})",
                    keys.len(),
                    etys.len()
                )));
            }
            let mut attrs = BTreeMap::new();
            for (i, (k, t)) in keys.iter().zip(etys.iter()).enumerate() {
                let Some(k) = k.as_str() else {
                    return Err(FuncError::other(format!("keys list has null value at index {i}")));
                };
                attrs.insert(k.to_string(), t.clone());
            }
            Ok(Type::object(attrs))
        }
        _ => Err(FuncError::other("values argument must be a list or tuple value")),
    }
}

fn zipmap(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let (keys, key_marks) = args[0].clone().unmark();
    let (values, value_marks) = args[1].clone().unmark();
    let mut marks = key_marks | value_marks;
    if !keys.is_wholly_known() {
        return Ok(Value::unknown(ret.clone()).with_marks(marks));
    }
    let (keys, values) = (seq(&keys), seq(&values));
    if keys.len() != values.len() {
        return Err(FuncError::other(format!(
            "number of keys ({}) does not match number of values ({})",
            keys.len(),
            values.len()
        )));
    }
    let mut out = BTreeMap::new();
    for (i, (k, v)) in keys.iter().zip(values).enumerate() {
        marks |= k.marks();
        // Terraform panics on a null key with list values; say what the tuple case says.
        let Some(k) = k.as_str() else {
            return Err(FuncError::other(format!("keys list has null value at index {i}")));
        };
        out.insert(k.to_string(), v.clone());
    }
    let m = match ret {
        Type::Map(e) if out.is_empty() => Value::empty_map((**e).clone()),
        Type::Map(_) => Value::map_of(out).expect("not empty"),
        _ => Value::object_from_map(out),
    };
    Ok(m.with_marks(marks))
}

/// Terraform's `transpose`: each string of each list becomes a key whose list holds the
/// (sorted) keys it appeared under.
fn transpose(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let input = &args[0];
    if !input.is_wholly_known() {
        return Ok(Value::unknown(ret.clone()));
    }
    let mut tmp: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, list) in input.as_map().into_iter().flatten() {
        if list.is_null() {
            return Err(FuncError::other("input must not contain null list"));
        }
        for v in seq(list) {
            let Some(s) = v.as_str() else {
                return Err(FuncError::other("input list must not contain null string"));
            };
            let keys = tmp.entry(s.to_string()).or_default();
            keys.push(k.clone());
            keys.sort();
        }
    }
    let out: BTreeMap<String, Value> = tmp
        .into_iter()
        .map(|(k, ks)| (k, Value::list(Type::String, ks.into_iter().map(Value::String).collect())))
        .collect();
    Ok(if out.is_empty() {
        Value::empty_map(Type::list(Type::String))
    } else {
        Value::map(Type::list(Type::String), out)
    })
}
