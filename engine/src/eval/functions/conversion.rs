//! Type conversion and mark functions: tostring, tonumber, tobool, tolist, toset, tomap,
//! sensitive, nonsensitive, issensitive.

use super::*;
use crate::types::{Type, convert};

pub(super) fn functions() -> Vec<Function> {
    vec![
        Function::new("sensitive", &["value"], |_, a| Ok(a.into_iter().next().unwrap_or_default().mark_sensitive()))
            .sees_marks()
            .allow_null()
            .nested_unknowns(),
        Function::new("nonsensitive", &["value"], nonsensitive).sees_marks().allow_null().nested_unknowns(),
        Function::new("tostring", &["v"], |_, a| to(a, &Type::String)).allow_null(),
        Function::new("tonumber", &["v"], |_, a| to(a, &Type::Number)).allow_null(),
        Function::new("tobool", &["v"], |_, a| to(a, &Type::Bool)).allow_null(),
    ]
}

fn to(a: Vec<Value>, ty: &Type) -> Result<Value, FuncError> {
    let v = a.into_iter().next().unwrap_or_default();
    convert(v, ty).map_err(|e| arg_err(0, format!("{}.", e.message)))
}

fn nonsensitive(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let v = a.into_iter().next().unwrap_or_default();
    Ok(v.deep_unmark())
}
