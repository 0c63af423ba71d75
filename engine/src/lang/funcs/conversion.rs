//! Functions of the conversion family: Terraform's `to...` functions (`MakeToFunc`,
//! with messages worded for an explicit conversion), and the functions that work on
//! marks: `sensitive`, `nonsensitive`, `issensitive` and `ephemeralasnull`.

#[cfg(test)]
mod tests;

use crate::cty::ty::go_quote;
use crate::cty::{Marks, Type, Value, convert};
use crate::lang::function::{FuncError, Function, ImplFn, Param, Returns, TypeFn};
use std::sync::Arc;

pub(super) fn functions() -> Vec<Function> {
    vec![
        to_function("tostring", |_, args| to_type(args, &Type::String)),
        to_function("tonumber", |_, args| to_type(args, &Type::Number)),
        to_function("tobool", |_, args| to_type(args, &Type::Bool)),
        to_function("tolist", |_, args| to_type(args, &Type::list(Type::Dynamic))),
        to_function("toset", |_, args| to_type(args, &Type::set(Type::Dynamic))),
        to_function("tomap", |_, args| to_type(args, &Type::map(Type::Dynamic))),
        any_value(
            "sensitive",
            |_, args| Ok(args[0].ty()),
            |_, args, _| Ok(args[0].clone().with_marks(Marks::SENSITIVE)),
        ),
        any_value(
            "nonsensitive",
            |_, args| Ok(args[0].ty()),
            |_, args, _| {
                let (v, marks) = args[0].clone().unmark();
                Ok(v.with_marks(marks.without(Marks::SENSITIVE)))
            },
        ),
        any_value(
            "issensitive",
            |_, _| Ok(Type::Bool),
            |_, args, _| {
                Ok(if args[0].marks().is_sensitive() {
                    Value::TRUE
                } else if !args[0].is_known() {
                    Value::unknown(Type::Bool)
                } else {
                    Value::FALSE
                })
            },
        ),
        any_value("ephemeralasnull", |_, args| Ok(args[0].ty()), |_, args, _| Ok(remove_ephemeral(args[0].clone()))),
    ]
}

/// A function of one parameter that takes anything: null, unknown, of unknown type,
/// marked.
fn any_value(name: &'static str, ty: TypeFn, imp: ImplFn) -> Function {
    Function {
        name,
        params: vec![Param::new("value", Type::Dynamic).allow_null().allow_unknown().allow_dynamic().allow_marked()],
        var_param: None,
        returns: Returns::Computed(ty),
        refine: None,
        imp,
    }
}

/// Terraform's `MakeToFunc`: the parameter takes anything so that the function, not the
/// call machinery, words the errors; the return type is the target type (`ty` checks that
/// a conversion exists).
fn to_function(name: &'static str, ty: TypeFn) -> Function {
    Function {
        name,
        params: vec![Param::new("v", Type::Dynamic).allow_null().allow_marked().allow_dynamic().allow_unknown()],
        var_param: None,
        returns: Returns::Computed(ty),
        refine: None,
        imp: |_, args, want| to(args, want),
    }
}

/// The target type when a conversion exists for the argument's type (it may still fail
/// for the value, as "a" to bool does).
fn to_type(args: &[Value], want: &Type) -> Result<Type, FuncError> {
    let got = args[0].ty();
    if &got == want || convert::get_conversion(&got, want, true).is_some() {
        return Ok(want.clone());
    }
    Err(FuncError::arg(
        0,
        match (&got, want) {
            (Type::Tuple(_), Type::Tuple(_)) => {
                format!("incompatible tuple type for conversion: {}", convert::mismatch_message(&got, want))
            }
            (Type::Object(_), Type::Object(_)) => {
                format!("incompatible object type for conversion: {}", convert::mismatch_message(&got, want))
            }
            _ => format!("cannot convert {} to {}", got.friendly_name(), want.friendly_name_for_constraint()),
        },
    ))
}

fn to(args: &[Value], want: &Type) -> Result<Value, FuncError> {
    let v = &args[0];
    if !v.is_known() {
        return Ok(Value::unknown(want.clone()).with_marks(v.marks()));
    }
    convert::convert(v.clone(), want).map_err(|_| {
        let (val, marks) = v.clone().unmark_deep();
        let got = val.ty();
        let want_name = want.friendly_name_for_constraint();
        let quoted = || val.as_str().map_or_else(|| "string".to_string(), go_quote);
        FuncError::arg(
            0,
            match (&got, want) {
                _ if marks.is_sensitive() => {
                    format!("cannot convert this sensitive {} to {want_name}", got.friendly_name())
                }
                (Type::String, Type::Bool) => {
                    format!("cannot convert {} to bool; only the strings \"true\" or \"false\" are allowed", quoted())
                }
                (Type::String, Type::Number) => {
                    format!(
                        "cannot convert {} to number; given string must be a decimal representation of a number",
                        quoted()
                    )
                }
                _ => format!("cannot convert {} to {want_name}", got.friendly_name()),
            },
        )
    })
}

/// Terraform's `ephemeral.RemoveEphemeralValues`: every ephemeral value, at any depth,
/// becomes a null (an unknown stays a plain unknown) of its type without the ephemeral
/// mark; other marks stay.
fn remove_ephemeral(v: Value) -> Value {
    let (inner, marks) = v.unmark();
    let inner = match inner {
        Value::List(s) if !s.items.is_empty() => {
            let s = Arc::unwrap_or_clone(s);
            Value::list(s.ety, s.items.into_iter().map(remove_ephemeral).collect())
        }
        Value::Set(s) if !s.items.is_empty() => {
            let s = Arc::unwrap_or_clone(s);
            Value::set(s.ety, s.items.into_iter().map(remove_ephemeral).collect())
        }
        Value::Tuple(items) => Value::tuple(Arc::unwrap_or_clone(items).into_iter().map(remove_ephemeral).collect()),
        Value::Map(m) if !m.items.is_empty() => {
            let m = Arc::unwrap_or_clone(m);
            Value::map(m.ety, m.items.into_iter().map(|(k, e)| (k, remove_ephemeral(e))).collect())
        }
        Value::Object(attrs) => Value::object_from_map(
            Arc::unwrap_or_clone(attrs).into_iter().map(|(k, e)| (k, remove_ephemeral(e))).collect(),
        ),
        other => other,
    };
    if !marks.contains(Marks::EPHEMERAL) {
        return inner.with_marks(marks);
    }
    let rest = marks.without(Marks::EPHEMERAL);
    if inner.is_known() { Value::null(inner.ty()) } else { Value::unknown(inner.ty()) }.with_marks(rest)
}
