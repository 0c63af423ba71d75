//! Functions that look for elements: `contains`, `index` (Terraform's), `matchkeys` and
//! `one`.

use super::{list_or_empty, seq};
use crate::cty::{Type, Value, convert, ops};
use crate::lang::function::{FuncCtx, FuncError, Function, Param, Returns, refine_not_null};

pub(super) fn functions() -> Vec<Function> {
    vec![
        Function {
            name: "contains",
            params: vec![Param::new("list", Type::Dynamic), Param::new("value", Type::Dynamic)],
            var_param: None,
            returns: Returns::Static(|| Type::Bool),
            refine: Some(refine_not_null),
            imp: contains,
        },
        Function {
            name: "index",
            params: vec![Param::new("list", Type::Dynamic), Param::new("value", Type::Dynamic)],
            var_param: None,
            returns: Returns::Static(|| Type::Number),
            refine: Some(refine_not_null),
            imp: index,
        },
        Function {
            name: "matchkeys",
            params: vec![
                Param::new("values", Type::list(Type::Dynamic)),
                Param::new("keys", Type::list(Type::Dynamic)),
                Param::new("searchset", Type::list(Type::Dynamic)),
            ],
            var_param: None,
            returns: Returns::Computed(matchkeys_type),
            refine: Some(refine_not_null),
            imp: matchkeys,
        },
        Function {
            name: "one",
            params: vec![Param::new("list", Type::Dynamic)],
            var_param: None,
            returns: Returns::Computed(one_type),
            refine: None,
            imp: one,
        },
    ]
}

fn contains(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let (list, value) = (&args[0], &args[1]);
    let ty = list.ty();
    if !ty.is_list() && !ty.is_tuple() && !ty.is_set() {
        return Err(FuncError::other("argument must be list, tuple, or set"));
    }
    let mut has_unknown = false;
    for v in seq(list) {
        match ops::equals(value, v).as_bool() {
            Some(true) => return Ok(Value::TRUE),
            Some(false) => {}
            None => has_unknown = true,
        }
    }
    Ok(if has_unknown { Value::unknown(Type::Bool) } else { Value::FALSE })
}

/// Terraform's `index`: the position of the first element equal to the value; unknown as
/// soon as an element's equality cannot be decided.
fn index(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let (list, value) = (&args[0], &args[1]);
    let ty = list.ty();
    if !ty.is_list() && !ty.is_tuple() {
        return Err(FuncError::other("argument must be a list or tuple"));
    }
    if list.length_int() == Some(0) {
        return Err(FuncError::other("cannot search an empty list"));
    }
    for (i, v) in seq(list).iter().enumerate() {
        match ops::equals(v, value).as_bool() {
            None => return Ok(Value::unknown(Type::Number)),
            Some(true) => return Ok(Value::int(i as i64)),
            Some(false) => {}
        }
    }
    Err(FuncError::other("item not found"))
}

fn matchkeys_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    if convert::unify_unsafe(&[args[1].ty(), args[2].ty()]).0.is_none() {
        return Err(FuncError::other("keys and searchset must be of the same type"));
    }
    Ok(args[0].ty())
}

/// Terraform's `matchkeys`: the values whose key (at the same position) is in the search
/// set. When an equality cannot be decided the result is, as in Terraform, empty.
fn matchkeys(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let ety = ret.element_type().cloned().unwrap_or(Type::Dynamic);
    let empty = || Value::empty_list(ety.clone());
    let values = &args[0];
    if values.length_int() != args[1].length_int() {
        return Err(FuncError::other("length of keys and values should be equal"));
    }
    let ty = convert::unify_unsafe(&[args[1].ty(), args[2].ty()]).0.expect("checked by the return type");
    let keys = convert::convert(args[1].clone(), &ty).unwrap_or_else(|_| args[1].clone());
    let searchset = convert::convert(args[2].clone(), &ty).unwrap_or_else(|_| args[2].clone());
    if searchset.length_int() == Some(0) {
        return Ok(empty());
    }
    if !values.is_wholly_known() || !keys.is_wholly_known() {
        return Ok(Value::unknown(ret.clone()));
    }
    let mut out = Vec::new();
    for (i, key) in seq(&keys).iter().enumerate() {
        for search in seq(&searchset) {
            match ops::equals(key, search).as_bool() {
                None => return Ok(empty()),
                Some(true) => {
                    out.push(seq(values)[i].clone());
                    break;
                }
                Some(false) => {}
            }
        }
    }
    Ok(list_or_empty(&ety, out))
}

const ONE_ERROR: &str = "must be a list, set, or tuple value with either zero or one elements";

fn one_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    match args[0].ty() {
        Type::List(e) | Type::Set(e) => Ok((*e).clone()),
        Type::Tuple(ts) if ts.is_empty() => Ok(Type::Dynamic),
        Type::Tuple(ts) if ts.len() == 1 => Ok(ts[0].clone()),
        _ => Err(FuncError::arg(0, ONE_ERROR)),
    }
}

fn one(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let list = &args[0];
    if list.ty().is_collection() && !ops::length(list).is_known() {
        return Ok(Value::unknown(ret.clone()));
    }
    match seq(list) {
        [] => Ok(Value::null(ret.clone())),
        [only] => Ok(only.clone()),
        _ => Err(FuncError::arg(0, ONE_ERROR)),
    }
}
