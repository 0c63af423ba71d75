//! Functions that build one sequence out of others: `concat`, `flatten`, `coalesce`
//! (Terraform's: first non-null, non-empty-string argument), `coalescelist`, `compact`
//! and `distinct`.

use super::{list_or_empty, seq};
use crate::cty::{Marks, Type, Value, convert, ops};
use crate::lang::function::{FuncCtx, FuncError, Function, Param, Returns, refine_not_null};

pub(super) fn functions() -> Vec<Function> {
    vec![
        Function {
            name: "concat",
            params: Vec::new(),
            var_param: Some(Param::new("seqs", Type::Dynamic).allow_marked()),
            returns: Returns::Computed(concat_type),
            refine: Some(refine_not_null),
            imp: concat,
        },
        Function {
            name: "flatten",
            params: vec![Param::new("list", Type::Dynamic).allow_marked()],
            var_param: None,
            returns: Returns::Computed(flatten_type),
            refine: Some(refine_not_null),
            imp: flatten,
        },
        Function {
            name: "coalesce",
            params: Vec::new(),
            var_param: Some(Param::new("vals", Type::Dynamic).allow_unknown().allow_dynamic().allow_null()),
            returns: Returns::Computed(coalesce_type),
            refine: Some(refine_not_null),
            imp: coalesce,
        },
        Function {
            name: "coalescelist",
            params: Vec::new(),
            var_param: Some(Param::new("vals", Type::Dynamic).allow_unknown().allow_dynamic().allow_null()),
            returns: Returns::Computed(coalescelist_type),
            refine: Some(refine_not_null),
            imp: coalescelist,
        },
        Function {
            name: "compact",
            params: vec![Param::new("list", Type::list(Type::String))],
            var_param: None,
            returns: Returns::Static(|| Type::list(Type::String)),
            refine: Some(refine_not_null),
            imp: compact,
        },
        Function {
            name: "distinct",
            params: vec![Param::new("list", Type::list(Type::Dynamic))],
            var_param: None,
            returns: Returns::Computed(|_, args| Ok(args[0].ty())),
            refine: Some(refine_not_null),
            imp: distinct,
        },
    ]
}

/// A list when every argument is a list and their types unify; otherwise a tuple of all
/// the elements' types (dynamic while a list's length is unknown).
fn concat_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    if args.is_empty() {
        return Err(FuncError::other("at least one argument is required"));
    }
    let tys: Vec<Type> = args.iter().map(Value::ty).collect();
    if tys.iter().all(Type::is_list)
        && let Some(common) = convert::unify_unsafe(&tys).0
    {
        return Ok(common);
    }
    let mut etys = Vec::new();
    for (i, (v, ty)) in args.iter().zip(tys).enumerate() {
        match &ty {
            Type::Tuple(ts) => etys.extend(ts.iter().cloned()),
            Type::List(e) => match v.length_int() {
                Some(n) => etys.extend(std::iter::repeat_n((**e).clone(), n)),
                None => return Ok(Type::Dynamic),
            },
            _ => {
                return Err(FuncError::arg(
                    i,
                    format!("all arguments must be lists or tuples; got {}", ty.friendly_name()),
                ));
            }
        }
    }
    Ok(Type::tuple(etys))
}

fn concat(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let mut items = Vec::new();
    let mut marks = Marks::NONE;
    for (i, arg) in args.iter().enumerate() {
        let arg = match ret {
            Type::List(_) => convert::convert(arg.clone(), ret).map_err(|e| FuncError::arg(i, e.message))?,
            _ => arg.clone(),
        };
        let (arg, m) = arg.unmark();
        marks |= m;
        items.extend(seq(&arg).iter().cloned());
    }
    let out = match ret {
        Type::List(e) => list_or_empty(e, items),
        _ => Value::tuple(items),
    };
    Ok(out.with_marks(marks))
}

fn flatten_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    let list = &args[0];
    if !list.is_wholly_known() {
        return Ok(Type::Dynamic);
    }
    let ty = list.ty();
    if !(ty.is_list() || ty.is_set() || ty.is_tuple()) {
        return Err(FuncError::other("can only flatten lists, sets and tuples"));
    }
    let mut marks = Marks::NONE;
    Ok(match flattener(list, &mut marks) {
        Some(items) => Type::tuple(items.iter().map(Value::ty).collect()),
        None => Type::Dynamic,
    })
}

fn flatten(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let list = &args[0];
    if list.length_int() == Some(0) {
        return Ok(Value::empty_tuple().with_marks(list.marks()));
    }
    let mut marks = Marks::NONE;
    Ok(match flattener(list, &mut marks) {
        Some(items) => Value::tuple(items),
        None => Value::unknown(ret.clone()),
    }
    .with_marks(marks))
}

/// cty's `flattener`: the elements of nested lists, sets and tuples in order, collecting
/// the marks of the sequences it opens; `None` when an unknown stands where a sequence
/// (or a value of unknown type) might be, so the result's length is not known.
fn flattener(list: &Value, marks: &mut Marks) -> Option<Vec<Value>> {
    let (list, m) = list.clone().unmark();
    *marks |= m;
    if !ops::length(&list).is_known() {
        return None;
    }
    let mut out = Vec::new();
    let mut known = true;
    for v in seq(&list) {
        if matches!(v, Value::Unknown(u) if u.ty.is_dynamic() && u.refinement.is_none()) {
            known = false;
        }
        let ty = v.ty();
        if !v.is_null() && (ty.is_list() || ty.is_set() || ty.is_tuple()) {
            if !v.is_known() {
                known = false;
                *marks |= v.marks();
                continue;
            }
            match flattener(v, marks) {
                Some(items) => out.extend(items),
                None => known = false,
            }
        } else {
            out.push(v.clone());
        }
    }
    known.then_some(out)
}

fn coalesce_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    let tys: Vec<Type> = args.iter().map(Value::ty).collect();
    convert::unify_unsafe(&tys).0.ok_or_else(|| FuncError::other("all arguments must have the same type"))
}

fn coalesce(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    for arg in args {
        // A failed conversion reads as null in Terraform (it ignores the error), so the
        // argument is skipped.
        let Ok(v) = convert::convert(arg.clone(), ret) else { continue };
        if !v.is_known() {
            return Ok(Value::unknown(ret.clone()));
        }
        if v.is_null() || (ret == &Type::String && v.as_str() == Some("")) {
            continue;
        }
        return Ok(v);
    }
    Err(FuncError::other("no non-null, non-empty-string arguments"))
}

fn coalescelist_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    if args.is_empty() {
        return Err(FuncError::other("at least one argument is required"));
    }
    let mut tys = Vec::with_capacity(args.len());
    for arg in args {
        if !arg.is_known() {
            return Ok(Type::Dynamic);
        }
        let ty = arg.ty();
        if !ty.is_list() && !ty.is_tuple() {
            return Err(FuncError::other("coalescelist arguments must be lists or tuples"));
        }
        tys.push(ty);
    }
    Ok(if tys.iter().all(|t| t == &tys[0]) { tys[0].clone() } else { Type::Dynamic })
}

fn coalescelist(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    for arg in args {
        if !arg.is_known() {
            return Ok(Value::unknown(ret.clone()));
        }
        if !arg.is_null() && arg.length_int().unwrap_or(0) > 0 {
            return Ok(arg.clone());
        }
    }
    Err(FuncError::other("no non-null arguments"))
}

fn compact(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let list = &args[0];
    if !list.is_wholly_known() {
        return Ok(Value::unknown(ret.clone()));
    }
    let items: Vec<Value> = seq(list).iter().filter(|v| !v.is_null() && v.as_str() != Some("")).cloned().collect();
    Ok(list_or_empty(&Type::String, items))
}

fn distinct(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let list = &args[0];
    if !list.is_wholly_known() {
        return Ok(Value::unknown(ret.clone()));
    }
    let mut items: Vec<Value> = Vec::new();
    for v in seq(list) {
        if !items.iter().any(|e| ops::equals(e, v).as_bool() == Some(true)) {
            items.push(v.clone());
        }
    }
    let ety = ret.element_type().cloned().unwrap_or(Type::Dynamic);
    Ok(list_or_empty(&ety, items))
}
