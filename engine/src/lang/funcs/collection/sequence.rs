//! Functions on the positions of a sequence: `element`, `slice`, `reverse`, `chunklist`
//! and `range`.

use super::{list_or_empty, seq, whole_int};
use crate::cty::{Type, Value, ops};
use crate::lang::function::{FuncCtx, FuncError, Function, Param, Returns, refine_not_null};
use crate::number::Number;
use std::cmp::Ordering;

pub(super) fn functions() -> Vec<Function> {
    vec![
        Function {
            name: "element",
            params: vec![Param::new("list", Type::Dynamic).allow_marked(), Param::new("index", Type::Number)],
            var_param: None,
            returns: Returns::Computed(element_type),
            refine: None,
            imp: element,
        },
        Function {
            name: "slice",
            params: vec![
                Param::new("list", Type::Dynamic).allow_marked(),
                Param::new("start_index", Type::Number),
                Param::new("end_index", Type::Number),
            ],
            var_param: None,
            returns: Returns::Computed(slice_type),
            refine: Some(refine_not_null),
            imp: slice,
        },
        Function {
            name: "reverse",
            params: vec![Param::new("list", Type::Dynamic).allow_marked()],
            var_param: None,
            returns: Returns::Computed(reverse_type),
            refine: Some(refine_not_null),
            imp: reverse,
        },
        Function {
            name: "chunklist",
            params: vec![
                Param::new("list", Type::list(Type::Dynamic)).allow_marked(),
                Param::new("size", Type::Number).allow_marked(),
            ],
            var_param: None,
            returns: Returns::Computed(|_, args| Ok(Type::list(args[0].ty()))),
            refine: Some(refine_not_null),
            imp: chunklist,
        },
        Function {
            name: "range",
            params: Vec::new(),
            var_param: Some(Param::new("params", Type::Number)),
            returns: Returns::Static(|| Type::list(Type::Number)),
            refine: Some(refine_not_null),
            imp: range,
        },
    ]
}

/// `index` wrapped into `0..len`, as Go's `%` then `+ len` for a negative remainder.
fn wrap(index: i64, len: usize) -> usize {
    let len = len as i64;
    let i = index % len;
    (if i < 0 { i + len } else { i }) as usize
}

fn element_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    match args[0].ty() {
        Type::List(e) => Ok((*e).clone()),
        Type::Tuple(ts) => {
            if !args[1].is_known() {
                return Ok(Type::Dynamic);
            }
            let index = whole_int(&args[1]).map_err(|e| FuncError::other(format!("invalid index: {e}")))?;
            if ts.is_empty() {
                return Err(FuncError::other("cannot use element function with an empty list"));
            }
            // Terraform 1.11 (cty 1.16) panics here for a negative index that does not
            // wrap to 0; lists wrap it. We refuse it cleanly.
            if index % ts.len() as i64 != 0 && index < 0 {
                return Err(FuncError::other(format!(
                    "invalid index: a tuple cannot be indexed from its end (index {index}); convert it with tolist() first"
                )));
            }
            Ok(ts[wrap(index, ts.len())].clone())
        }
        other => Err(FuncError::other(format!("cannot read elements from {}", other.friendly_name()))),
    }
}

fn element(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let index = whole_int(&args[1]).map_err(|e| FuncError::other(format!("invalid index: {e}")))?;
    let (list, marks) = args[0].clone().unmark();
    let items = seq(&list);
    if items.is_empty() {
        return Err(FuncError::other("cannot use element function with an empty list"));
    }
    Ok(items[wrap(index, items.len())].clone().with_marks(marks))
}

/// cty's `sliceIndexes`: the start and end, checked against each other and against the
/// length when it is known; `None` while either is unknown.
fn slice_indexes(args: &[Value]) -> Result<Option<(usize, usize)>, FuncError> {
    let list = args[0].unmarked();
    let len = if list.ty().is_tuple() || ops::length(list).is_known() { list.length_int() } else { None };
    let check = |i: usize, what: &str| -> Result<Option<usize>, FuncError> {
        let v = &args[i];
        if !v.is_known() {
            return Ok(None);
        }
        let n = whole_int(v).map_err(|e| FuncError::arg(i, format!("invalid {what} index: {e}")))?;
        if n < 0 {
            return Err(FuncError::arg(i, format!("{what} index must not be less than zero")));
        }
        if len.is_some_and(|l| n as usize > l) {
            return Err(FuncError::arg(i, format!("{what} index must not be greater than the length of the list")));
        }
        Ok(Some(n as usize))
    };
    let start = check(1, "start")?;
    let end = check(2, "end")?;
    match (start, end) {
        (Some(s), Some(e)) if s > e => Err(FuncError::arg(1, "start index must not be greater than end index")),
        (Some(s), Some(e)) => Ok(Some((s, e))),
        _ => Ok(None),
    }
}

fn slice_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    let ty = args[0].ty();
    if ty.is_set() {
        return Err(FuncError::arg(
            0,
            "cannot slice a set, because its elements do not have indices; explicitly convert to a list if the ordering of the result is not important",
        ));
    }
    if !ty.is_list() && !ty.is_tuple() {
        return Err(FuncError::arg(0, "must be a list or tuple value"));
    }
    let idxs = slice_indexes(args)?;
    match (&ty, idxs) {
        (Type::Tuple(ts), Some((s, e))) => Ok(Type::tuple(ts[s..e].to_vec())),
        (Type::Tuple(_), None) => Ok(Type::Dynamic),
        _ => Ok(ty),
    }
}

fn slice(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let (list, marks) = args[0].clone().unmark();
    let Some((start, end)) = slice_indexes(args)? else {
        return Ok(Value::DYNAMIC.with_marks(marks));
    };
    let items = seq(&list)[start..end].to_vec();
    let out = match ret {
        Type::List(e) => list_or_empty(e, items),
        _ => Value::tuple(items),
    };
    Ok(out.with_marks(marks))
}

fn reverse_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    match args[0].ty() {
        Type::Tuple(ts) => Ok(Type::tuple(ts.iter().rev().cloned().collect())),
        Type::List(e) | Type::Set(e) => Ok(Type::List(e)),
        other => {
            Err(FuncError::arg(0, format!("can only reverse list or tuple values, not {}", other.friendly_name())))
        }
    }
}

fn reverse(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let (list, marks) = args[0].clone().unmark();
    let items: Vec<Value> = seq(&list).iter().rev().cloned().collect();
    let out = match ret {
        Type::List(e) => list_or_empty(e, items),
        _ => Value::tuple(items),
    };
    Ok(out.with_marks(marks))
}

fn chunklist(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let (list, list_marks) = args[0].clone().unmark();
    let (size, size_marks) = args[1].clone().unmark();
    let marks = list_marks | size_marks;
    let size = whole_int(&size).map_err(|e| FuncError::other(format!("invalid size: {e}")))?;
    if size < 0 {
        return Err(FuncError::other("the size argument must be positive"));
    }
    let items = seq(&list);
    if items.is_empty() {
        return Ok(Value::empty_list(list.ty()).with_marks(marks));
    }
    let ety = list.ty().element_type().cloned().unwrap_or(Type::Dynamic);
    let chunks: Vec<Value> = if size == 0 {
        vec![list.clone()]
    } else {
        items.chunks(size as usize).map(|c| Value::list(ety.clone(), c.to_vec())).collect()
    };
    Ok(Value::list(Type::list(ety), chunks).with_marks(marks))
}

/// cty's `range`: from start towards end by step, at most 1024 values. A zero step is
/// not refused up front (cty's check never matches), so it runs into the limit.
fn range(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let nums: Vec<&Number> = args.iter().filter_map(Value::as_number).collect();
    let zero = Number::from_i64(0);
    let (start, end, step) = match nums.as_slice() {
        [end] => {
            let step = if end.cmp(&zero) == Ordering::Less { -1 } else { 1 };
            (zero.clone(), (*end).clone(), Number::from_i64(step))
        }
        [start, end] => {
            let step = if end.cmp(start) == Ordering::Less { -1 } else { 1 };
            ((*start).clone(), (*end).clone(), Number::from_i64(step))
        }
        [start, end, step] => ((*start).clone(), (*end).clone(), (*step).clone()),
        _ => return Err(FuncError::other("must have one, two, or three arguments")),
    };
    let down = step.cmp(&zero) == Ordering::Less;
    if down && end.cmp(&start) == Ordering::Greater {
        return Err(FuncError::arg(1, "end must be less than start when step is negative"));
    }
    if !down && end.cmp(&start) == Ordering::Less {
        return Err(FuncError::arg(1, "end must be greater than start when step is positive"));
    }
    let mut vals = Vec::new();
    let mut num = start;
    loop {
        let done = match num.cmp(&end) {
            Ordering::Less => down,
            Ordering::Equal => true,
            Ordering::Greater => !down,
        };
        if done {
            break;
        }
        if vals.len() >= 1024 {
            return Err(FuncError::other(
                "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step",
            ));
        }
        let next = num.add(&step).map_err(|e| FuncError::other(e.to_string()))?;
        vals.push(Value::Number(num));
        num = next;
    }
    Ok(list_or_empty(&Type::Number, vals))
}
