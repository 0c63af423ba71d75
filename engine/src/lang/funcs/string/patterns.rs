//! `regex` and `regexall` (cty's): the capture groups of the pattern decide the result
//! type: a string for none, a tuple for unnamed groups, an object for named ones.

use super::goregex::{GoRegex, Spans};
use crate::cty::{Type, Value};
use crate::lang::function::{FuncCtx, FuncError, Function, Param, Returns, refine_not_null};
use std::collections::BTreeMap;
use std::sync::Arc;

/// cty's `regexPatternResultType`.
fn pattern_type(pattern: &str) -> Result<Type, FuncError> {
    let re = GoRegex::cached(pattern)
        .map_err(|e| FuncError::arg(0, format!("invalid regexp pattern: {} in {}", e.code(), e.expr)))?;
    let names = re.names();
    let unnamed = names.iter().filter(|n| n.is_empty()).count();
    Ok(match (unnamed, names.len() - unnamed) {
        (0, 0) => Type::String,
        (0, _) => Type::object_from(names.iter().map(|n| (n.clone(), Type::String))),
        (_, 0) => Type::tuple(vec![Type::String; unnamed]),
        _ => {
            return Err(FuncError::arg(0, "invalid regexp pattern: cannot mix both named and unnamed capture groups"));
        }
    })
}

/// cty's `regexPatternResult`: a group that took no part is null.
fn match_value(re: &GoRegex, s: &str, m: &Spans, ty: &Type) -> Value {
    let group = |span: &Option<(usize, usize)>| match span {
        Some((start, end)) => Value::string(&s[*start..*end]),
        None => Value::null(Type::String),
    };
    match ty {
        Type::String => group(&m[0]),
        Type::Tuple(_) => Value::tuple(m[1..].iter().map(group).collect()),
        _ => {
            // A name used twice takes its last group's value, as in cty.
            let attrs: BTreeMap<String, Value> = re.names().iter().cloned().zip(m[1..].iter().map(group)).collect();
            Value::object_from_map(attrs)
        }
    }
}

fn compile(args: &[Value]) -> Result<Arc<GoRegex>, FuncError> {
    let pattern = args[0].as_str().expect("a known string");
    GoRegex::cached(pattern).map_err(|e| FuncError::arg(0, format!("error parsing pattern: {e}")))
}

fn regex(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    if ret.is_dynamic() {
        return Ok(Value::DYNAMIC);
    }
    let re = compile(args)?;
    let s = args[1].as_str().expect("a known string");
    let m = re.find_at(s, 0).ok_or_else(|| FuncError::other("pattern did not match any part of the given string"))?;
    Ok(match_value(&re, s, &m, ret))
}

fn regexall(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let ety = ret.element_type().expect("a list type");
    if ety.is_dynamic() {
        return Ok(Value::DYNAMIC);
    }
    let re = compile(args)?;
    let s = args[1].as_str().expect("a known string");
    let items: Vec<Value> = re.find_all(s).iter().map(|m| match_value(&re, s, m, ety)).collect();
    Ok(Value::list(ety.clone(), items))
}

fn params() -> Vec<Param> {
    vec![Param::new("pattern", Type::String), Param::new("string", Type::String)]
}

pub(super) fn functions() -> Vec<Function> {
    vec![
        Function {
            name: "regex",
            params: params(),
            var_param: None,
            returns: Returns::Computed(|_, args| match args[0].as_str() {
                Some(pattern) => pattern_type(pattern),
                // The pattern decides the type.
                None => Ok(Type::Dynamic),
            }),
            refine: Some(refine_not_null),
            imp: regex,
        },
        Function {
            name: "regexall",
            params: params(),
            var_param: None,
            returns: Returns::Computed(|_, args| match args[0].as_str() {
                Some(pattern) => Ok(Type::list(pattern_type(pattern)?)),
                None => Ok(Type::list(Type::Dynamic)),
            }),
            refine: Some(refine_not_null),
            imp: regexall,
        },
    ]
}
