//! Functions of the collection family: the collection functions of cty's stdlib and
//! Terraform's own (`length`, `coalesce`, `index`, `lookup`, `matchkeys`, `one`, `sum`,
//! `transpose`, `alltrue`, `anytrue`), with cty's parameters, return types computed from
//! the argument types, unknown and mark handling and messages. `list` and `map` exist
//! only to say that they were removed.

mod combine;
mod maps;
mod reduce;
mod search;
mod sequence;
mod sets;

#[cfg(test)]
pub(super) mod testkit;
#[cfg(test)]
mod tests;

use crate::cty::{Type, Value};
use crate::lang::function::{FuncCtx, FuncError, Function, Param, Returns};

pub(super) fn functions() -> Vec<Function> {
    let mut all = Vec::new();
    all.extend(combine::functions());
    all.extend(maps::functions());
    all.extend(reduce::functions());
    all.extend(search::functions());
    all.extend(sequence::functions());
    all.extend(sets::functions());
    all.push(removed("list", removed_list));
    all.push(removed("map", removed_map));
    all
}

/// gocty's conversion of a number to a Go `int`: only whole numbers in range.
fn whole_int(v: &Value) -> Result<i64, String> {
    v.as_number()
        .and_then(crate::number::Number::to_i64)
        .ok_or_else(|| "value must be a whole number, between -9223372036854775808 and 9223372036854775807".into())
}

/// The elements of a known list, set or tuple (none for anything else).
fn seq(v: &Value) -> &[Value] {
    v.as_seq().unwrap_or(&[])
}

/// A list of `items`, or the empty list of `ety` (cty's `ListVal` / `ListValEmpty`).
fn list_or_empty(ety: &Type, items: Vec<Value>) -> Value {
    match items.first() {
        Some(first) => {
            let ety = first.ty();
            Value::list(ety, items)
        }
        None => Value::empty_list(ety.clone()),
    }
}

/// `list(...)` and `map(...)` were removed in Terraform 0.12; every call fails with the
/// message Terraform gives.
fn removed(name: &'static str, ty: fn(&FuncCtx<'_>, &[Value]) -> Result<Type, FuncError>) -> Function {
    Function {
        name,
        params: Vec::new(),
        var_param: Some(Param::new("vals", Type::Dynamic).allow_unknown().allow_dynamic().allow_null()),
        returns: Returns::Computed(ty),
        refine: None,
        imp: |_, _, _| Ok(Value::DYNAMIC),
    }
}

fn removed_list(_: &FuncCtx<'_>, _: &[Value]) -> Result<Type, FuncError> {
    Err(FuncError::other(
        "the \"list\" function was deprecated in Terraform v0.12 and is no longer available; use tolist([ ... ]) syntax to write a literal list",
    ))
}

fn removed_map(_: &FuncCtx<'_>, _: &[Value]) -> Result<Type, FuncError> {
    Err(FuncError::other(
        "the \"map\" function was deprecated in Terraform v0.12 and is no longer available; use tomap({ ... }) syntax to write a literal map",
    ))
}
