//! Functions that reduce a collection to one value: `length` (Terraform's, which also
//! counts the characters of a string), `alltrue`, `anytrue` and `sum`.

use crate::cty::{Type, Value, convert, ops};
use crate::lang::function::{FuncCtx, FuncError, Function, Param, Returns, refine_not_null};

pub(super) fn functions() -> Vec<Function> {
    vec![
        Function {
            name: "length",
            params: vec![Param::new("value", Type::Dynamic).allow_dynamic().allow_unknown().allow_marked()],
            var_param: None,
            returns: Returns::Computed(length_type),
            refine: Some(refine_not_null),
            imp: length,
        },
        Function {
            name: "alltrue",
            params: vec![Param::new("list", Type::list(Type::Bool))],
            var_param: None,
            returns: Returns::Static(|| Type::Bool),
            refine: Some(refine_not_null),
            imp: alltrue,
        },
        Function {
            name: "anytrue",
            params: vec![Param::new("list", Type::list(Type::Bool))],
            var_param: None,
            returns: Returns::Static(|| Type::Bool),
            refine: Some(refine_not_null),
            imp: anytrue,
        },
        Function {
            name: "sum",
            params: vec![Param::new("list", Type::Dynamic)],
            var_param: None,
            returns: Returns::Static(|| Type::Number),
            refine: Some(refine_not_null),
            imp: sum,
        },
    ]
}

fn length_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    match args[0].ty() {
        Type::String
        | Type::Tuple(_)
        | Type::Object(_)
        | Type::List(_)
        | Type::Map(_)
        | Type::Set(_)
        | Type::Dynamic => Ok(Type::Number),
        _ => Err(FuncError::other("argument must be a string, a collection type, or a structural type")),
    }
}

fn length(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let coll = &args[0];
    let marks = coll.marks();
    let out = match coll.ty() {
        Type::Dynamic => Value::unknown(Type::Number),
        Type::Tuple(ts) => Value::int(ts.len() as i64),
        Type::Object(o) => Value::int(o.attrs.len() as i64),
        Type::String => strlen(coll.unmarked()),
        _ => return Ok(ops::length(coll)),
    };
    Ok(out.with_marks(marks))
}

/// cty's `strlen`: the number of grapheme clusters; for an unknown string, at least as
/// many as its known prefix has.
fn strlen(s: &Value) -> Value {
    use unicode_segmentation::UnicodeSegmentation;
    match s.as_str() {
        Some(s) => Value::int(s.graphemes(true).count() as i64),
        None => {
            let prefix_len = s.range().string_prefix().graphemes(true).count();
            Value::unknown(Type::Number)
                .refine()
                .not_null()
                .number_lower_bound(&Value::int(prefix_len as i64), true)
                .new_value()
        }
    }
}

fn alltrue(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    for v in super::seq(&args[0]) {
        if !v.is_known() {
            return Ok(Value::unknown(Type::Bool));
        }
        if v.is_null() || v.as_bool() == Some(false) {
            return Ok(Value::FALSE);
        }
    }
    Ok(Value::TRUE)
}

fn anytrue(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let mut has_unknown = false;
    for v in super::seq(&args[0]) {
        if !v.is_known() {
            has_unknown = true;
        } else if v.as_bool() == Some(true) {
            return Ok(Value::TRUE);
        }
    }
    Ok(if has_unknown { Value::unknown(Type::Bool) } else { Value::FALSE })
}

/// Terraform's `sum`: the elements converted to numbers and added in order.
fn sum(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let list = &args[0];
    if !list.can_iterate_elements() {
        return Err(FuncError::arg(0, "cannot sum noniterable"));
    }
    if list.length_int() == Some(0) {
        return Err(FuncError::arg(0, "cannot sum an empty list"));
    }
    let ty = list.ty();
    if !(ty.is_list() || ty.is_set() || ty.is_tuple()) {
        return Err(FuncError::arg(
            0,
            format!("argument must be list, set, or tuple. Received {}", ty.friendly_name()),
        ));
    }
    if !list.is_wholly_known() {
        return Ok(Value::unknown(Type::Number));
    }
    let not_numbers = || FuncError::arg(0, "argument must be list, set, or tuple of number values");
    let mut total: Option<Value> = None;
    for v in super::seq(list) {
        if v.is_null() {
            return Err(not_numbers());
        }
        let n = convert::convert(v.clone(), &Type::Number).map_err(|_| not_numbers())?;
        total = Some(match total {
            None => n,
            Some(t) => ops::add(&t, &n).map_err(FuncError::other)?,
        });
    }
    Ok(total.expect("not empty"))
}
