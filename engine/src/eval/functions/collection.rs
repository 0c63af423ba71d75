//! Collection functions: length, merge, concat, keys, values, lookup, flatten, sets, ...

use super::*;
use crate::value::ValueMap;

pub(super) fn functions() -> Vec<Function> {
    vec![
        Function::new("length", &["value"], length).nested_unknowns(),
        Function::new("lookup", &["inputMap", "key"], lookup_fn).variadic("default").allow_null().nested_unknowns(),
        Function::new("merge", &[], merge).variadic("maps").allow_null().nested_unknowns(),
        Function::new("concat", &[], concat).variadic("seqs").nested_unknowns(),
        Function::new("element", &["list", "index"], element).nested_unknowns(),
        Function::new("keys", &["inputMap"], keys).nested_unknowns(),
        Function::new("values", &["mapping"], values).nested_unknowns(),
        Function::new("contains", &["list", "value"], contains).nested_unknowns(),
        Function::new("coalesce", &[], coalesce).variadic("vals").allow_null().nested_unknowns(),
        Function::new("coalescelist", &[], coalescelist).variadic("vals").allow_null().nested_unknowns(),
        Function::new("compact", &["list"], compact).nested_unknowns(),
        Function::new("distinct", &["list"], distinct),
        Function::new("flatten", &["list"], flatten).nested_unknowns(),
        Function::new("zipmap", &["keys", "values"], zipmap).nested_unknowns(),
        Function::new("range", &[], range).variadic("params"),
        Function::new("slice", &["list", "start_index", "end_index"], slice).nested_unknowns(),
        Function::new("sort", &["list"], sort),
        Function::new("reverse", &["list"], reverse).nested_unknowns(),
        Function::new("setunion", &["first_set"], |_, a| set_op(a, SetOp::Union)).variadic("other_sets"),
        Function::new("setintersection", &["first_set"], |_, a| set_op(a, SetOp::Intersection)).variadic("other_sets"),
        Function::new("setsubtract", &["a", "b"], |_, a| set_op(a, SetOp::Subtract)),
        Function::new("setproduct", &[], setproduct).variadic("sets"),
        Function::new("index", &["list", "value"], index),
        Function::new("one", &["list"], one).nested_unknowns(),
        Function::new("alltrue", &["list"], alltrue),
        Function::new("anytrue", &["list"], anytrue).nested_unknowns(),
        Function::new("chunklist", &["list", "size"], chunklist).nested_unknowns(),
        Function::new("transpose", &["values"], transpose),
    ]
}

fn length(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::from(match &a[0] {
        Value::List(items) | Value::Set(items) => items.len(),
        Value::Map(m) => m.len(),
        Value::String(s) => unicode_segmentation::UnicodeSegmentation::graphemes(s.as_str(), true).count(),
        _ => {
            return Err(FuncError::Call("argument must be a string, a collection type, or a structural type.".into()));
        }
    }))
}

/// Rejects a null argument, for functions that accept nulls only in some positions.
fn not_null(a: &[Value], i: usize) -> Result<(), FuncError> {
    if a[i].is_null() { Err(arg_err(i, "argument must not be null.")) } else { Ok(()) }
}

fn lookup_fn(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    if a.len() > 3 {
        return Err(FuncError::Call(format!("lookup() takes two or three arguments, got {}.", a.len())));
    }
    not_null(&a, 0)?;
    not_null(&a, 1)?;
    let key = str_arg(&a, 1)?;
    let Value::Map(m) = &a[0] else {
        return Err(arg_err(0, "lookup() requires a map as the first argument."));
    };
    match (m.get(&key), a.get(2)) {
        (Some(v), _) => Ok(v.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => {
            Err(arg_err(0, format!("the given object has no attribute {}.", super::encoding::json_string(&key))))
        }
    }
}

fn merge(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let mut out = ValueMap::new();
    for arg in a {
        match arg {
            Value::Null => {}
            Value::Map(m) => out.extend(m),
            other => {
                return Err(FuncError::Call(format!(
                    "arguments must be maps or objects, got \"{}\".",
                    friendly_type(&other)
                )));
            }
        }
    }
    Ok(Value::Map(out))
}

fn concat(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    if a.is_empty() {
        return Err(FuncError::Call("at least one argument is required.".into()));
    }
    let mut out = Vec::new();
    for (i, arg) in a.into_iter().enumerate() {
        match arg {
            Value::List(items) => out.extend(items),
            other => {
                return Err(arg_err(
                    i,
                    format!("all arguments must be lists or tuples; got {}.", friendly_type(&other)),
                ));
            }
        }
    }
    Ok(Value::List(out))
}

fn element(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let items = match &a[0] {
        Value::List(items) => items,
        other => {
            return Err(FuncError::Call(format!("cannot read elements from {}.", friendly_type(other))));
        }
    };
    let index = whole(num_arg(&a, 1)?).ok_or_else(|| FuncError::Call(format!("invalid index: {WHOLE_NUMBER}.")))?;
    if items.is_empty() {
        return Err(FuncError::Call("cannot use element function with an empty list.".into()));
    }
    Ok(items[index.rem_euclid(items.len() as i64) as usize].clone())
}

fn keys(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    match &a[0] {
        Value::Map(m) => Ok(Value::List(m.keys().map(|k| Value::from(k.as_str())).collect())),
        _ => Err(arg_err(0, "must have map or object type.")),
    }
}

fn values(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    match &a[0] {
        Value::Map(m) => Ok(Value::List(m.values().cloned().collect())),
        _ => Err(FuncError::Call("values() requires a map as the first argument.".into())),
    }
}

fn contains(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let (Value::List(items) | Value::Set(items)) = &a[0] else {
        return Err(FuncError::Call("argument must be list, tuple, or set.".into()));
    };
    let value = &a[1];
    if !value.is_wholly_known() {
        return Ok(Value::Unknown);
    }
    if items.iter().any(|i| i.is_wholly_known() && i.lang_eq(value)) {
        return Ok(Value::Bool(true));
    }
    // Not found among the known elements; an unknown one might still be equal.
    Ok(if items.iter().all(Value::is_wholly_known) { Value::Bool(false) } else { Value::Unknown })
}

fn coalesce(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let same_type = || FuncError::Call("all arguments must have the same type.".into());
    if a.is_empty() {
        return Err(same_type());
    }
    for v in unify(a).ok_or_else(same_type)? {
        match &v {
            Value::Null => continue,
            Value::String(s) if s.is_empty() => continue,
            _ => return Ok(v),
        }
    }
    Err(FuncError::Call("no non-null, non-empty-string arguments.".into()))
}

fn coalescelist(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    for arg in &a {
        match arg {
            Value::List(items) if !items.is_empty() => return Ok(arg.clone()),
            Value::List(_) => {}
            _ => return Err(FuncError::Call("coalescelist arguments must be lists or tuples.".into())),
        }
    }
    Err(FuncError::Call("no non-null arguments.".into()))
}

/// The elements of a `list(string)` parameter: numbers and bools convert, nulls stay;
/// `None` when an element is unknown.
fn string_elements(a: &[Value], i: usize) -> Result<Option<Vec<Value>>, FuncError> {
    let (Value::List(items) | Value::Set(items)) = a[i].clone() else {
        return Err(arg_err(i, "list of string required."));
    };
    let mut out = Vec::with_capacity(items.len());
    for (j, item) in items.into_iter().enumerate() {
        out.push(match item {
            Value::Unknown => return Ok(None),
            Value::Null => Value::Null,
            v => Value::String(prim_str(&v).ok_or_else(|| arg_err(i, format!("element {j}: string required.")))?),
        });
    }
    Ok(Some(out))
}

fn compact(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let Some(items) = string_elements(&a, 0)? else { return Ok(Value::Unknown) };
    Ok(Value::List(items.into_iter().filter(|v| !matches!(v, Value::Null) && v.as_str() != Some("")).collect()))
}

fn distinct(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let single_type = || arg_err(0, "list of any single type required.");
    let items = match &a[0] {
        Value::List(items) | Value::Set(items) => unify(items.clone()).ok_or_else(single_type)?,
        _ => return Err(single_type()),
    };
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        if !out.iter().any(|o| o.lang_eq(&item)) {
            out.push(item);
        }
    }
    Ok(Value::List(out))
}

fn flatten(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    /// Appends the leaves; false when an element is unknown, so that whether it is a list
    /// (to be flattened) is unknown too.
    fn walk(items: Vec<Value>, out: &mut Vec<Value>) -> bool {
        for item in items {
            match item {
                Value::List(inner) | Value::Set(inner) => {
                    if !walk(inner, out) {
                        return false;
                    }
                }
                Value::Unknown => return false,
                v => out.push(v),
            }
        }
        true
    }
    let (Value::List(items) | Value::Set(items)) = &a[0] else {
        return Err(FuncError::Call("can only flatten lists, sets and tuples.".into()));
    };
    let mut out = Vec::new();
    Ok(if walk(items.clone(), &mut out) { Value::List(out) } else { Value::Unknown })
}

fn zipmap(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let Some(keys) = string_elements(&a, 0)? else { return Ok(Value::Unknown) };
    let Value::List(values) = a[1].clone() else {
        return Err(FuncError::Call("values argument must be a list or tuple value.".into()));
    };
    if keys.len() != values.len() {
        return Err(FuncError::Call(format!(
            "number of keys ({}) does not match number of values ({}).",
            keys.len(),
            values.len()
        )));
    }
    let mut out = ValueMap::new();
    for (j, (k, v)) in keys.into_iter().zip(values).enumerate() {
        let Value::String(k) = k else {
            return Err(FuncError::Call(format!("keys list has null value at index {j}.")));
        };
        out.insert(k, v);
    }
    Ok(Value::Map(out))
}

fn range(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let nums: Vec<f64> = (0..a.len()).map(|i| num_arg(&a, i)).collect::<Result<_, _>>()?;
    let (start, end, step) = match nums[..] {
        [end] => (0.0, end, if end < 0.0 { -1.0 } else { 1.0 }),
        [start, end] => (start, end, if end < start { -1.0 } else { 1.0 }),
        [start, end, step] => (start, end, step),
        _ => return Err(FuncError::Call("must have one, two, or three arguments.".into())),
    };
    let down = step < 0.0;
    if down && end > start {
        return Err(arg_err(1, "end must be less than start when step is negative."));
    }
    if !down && end < start {
        return Err(arg_err(1, "end must be greater than start when step is positive."));
    }
    let mut out = Vec::new();
    let mut num = start;
    while if down { num > end } else { num < end } {
        if out.len() >= 1024 {
            return Err(FuncError::Call(
                "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step."
                    .into(),
            ));
        }
        out.push(Value::Number(num));
        num += step;
    }
    Ok(Value::List(out))
}

fn slice(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let items = match &a[0] {
        Value::List(items) => items,
        Value::Set(_) => {
            return Err(arg_err(
                0,
                "cannot slice a set, because its elements do not have indices; explicitly convert to a list if the ordering of the result is not important.",
            ));
        }
        _ => return Err(arg_err(0, "must be a list or tuple value.")),
    };
    let index = |i: usize, what: &str| -> Result<i64, FuncError> {
        whole(num_arg(&a, i)?).ok_or_else(|| arg_err(i, format!("invalid {what} index: {WHOLE_NUMBER}.")))
    };
    let start = index(1, "start")?;
    if start < 0 {
        return Err(arg_err(1, "start index must not be less than zero."));
    }
    if start as usize > items.len() {
        return Err(arg_err(1, "start index must not be greater than the length of the list."));
    }
    let end = index(2, "end")?;
    if end < 0 {
        return Err(arg_err(2, "end index must not be less than zero."));
    }
    if end as usize > items.len() {
        return Err(arg_err(2, "end index must not be greater than the length of the list."));
    }
    if start > end {
        return Err(arg_err(1, "start index must not be greater than end index."));
    }
    Ok(Value::List(items[start as usize..end as usize].to_vec()))
}

fn sort(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let (Value::List(items) | Value::Set(items)) = &a[0] else {
        return Err(arg_err(0, "list of string required."));
    };
    let mut strings = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        if item.is_null() {
            return Err(FuncError::Call(format!("given list element {i} is null; a null string cannot be sorted.")));
        }
        strings.push(prim_str(item).ok_or_else(|| arg_err(0, format!("element {i}: string required.")))?);
    }
    strings.sort();
    Ok(Value::List(strings.into_iter().map(Value::String).collect()))
}

fn reverse(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    match &a[0] {
        Value::List(items) | Value::Set(items) => Ok(Value::List(items.iter().rev().cloned().collect())),
        other => Err(arg_err(0, format!("can only reverse list or tuple values, not {}.", friendly_type(other)))),
    }
}

#[derive(Clone, Copy)]
enum SetOp {
    Union,
    Intersection,
    Subtract,
}

fn set_op(a: Vec<Value>, op: SetOp) -> Result<Value, FuncError> {
    let mut sets = Vec::with_capacity(a.len());
    let mut all = Vec::new();
    for (i, arg) in a.iter().enumerate() {
        let (Value::List(items) | Value::Set(items)) = arg else {
            return Err(arg_err(i, "set of any single type required."));
        };
        sets.push(items.len());
        all.extend(items.iter().cloned());
    }
    let all = unify(all).ok_or_else(|| FuncError::Call("given sets must all have compatible element types.".into()))?;
    let mut parts: Vec<Vec<Value>> = Vec::with_capacity(sets.len());
    let mut rest = all.into_iter();
    for len in sets {
        parts.push(rest.by_ref().take(len).collect());
    }
    let has = |set: &[Value], v: &Value| set.iter().any(|x| x.lang_eq(v));
    let first = parts[0].clone();
    let out: Vec<Value> = match op {
        SetOp::Union => parts.into_iter().flatten().collect(),
        SetOp::Intersection => first.into_iter().filter(|v| parts[1..].iter().all(|p| has(p, v))).collect(),
        SetOp::Subtract => first.into_iter().filter(|v| !has(&parts[1], v)).collect(),
    };
    Ok(Value::set(out))
}

fn setproduct(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    if a.len() < 2 {
        return Err(FuncError::Call("at least two arguments are required.".into()));
    }
    // The product's size, before building it: a few lists can multiply past any memory.
    let count = a.iter().try_fold(1usize, |n, v| n.checked_mul(v.as_seq().map_or(1, <[Value]>::len)));
    if count.is_none_or(|n| n.saturating_mul(a.len()) > super::MAX_VALUE_BYTES / 8) {
        return Err(FuncError::Call(format!(
            "the product would have more than {} elements.",
            super::MAX_VALUE_BYTES / 8 / a.len()
        )));
    }
    let mut any_set = false;
    let mut product: Vec<Vec<Value>> = vec![Vec::new()];
    for (i, arg) in a.iter().enumerate() {
        let items = match arg {
            Value::List(items) => items,
            Value::Set(items) => {
                any_set = true;
                items
            }
            _ => return Err(arg_err(i, "a set or a list is required.")),
        };
        product = product
            .into_iter()
            .flat_map(|prefix| {
                items.iter().map(move |item| {
                    let mut p = prefix.clone();
                    p.push(item.clone());
                    p
                })
            })
            .collect();
    }
    let rows: Vec<Value> = product.into_iter().map(Value::List).collect();
    Ok(if any_set { Value::set(rows) } else { Value::List(rows) })
}

fn index(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let Value::List(items) = &a[0] else {
        return Err(FuncError::Call("argument must be a list or tuple.".into()));
    };
    items
        .iter()
        .position(|i| i.lang_eq(&a[1]))
        .map(Value::from)
        .ok_or_else(|| FuncError::Call("item not found.".into()))
}

fn one(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    match &a[0] {
        Value::List(items) | Value::Set(items) if items.len() <= 1 => Ok(items.first().cloned().unwrap_or(Value::Null)),
        _ => Err(arg_err(0, "must be a list, set, or tuple value with either zero or one elements.")),
    }
}

/// The elements of a `list(bool)` parameter; nulls count as false, unknowns are `None`.
fn bool_elements(a: &[Value]) -> Result<Vec<Option<bool>>, FuncError> {
    let (Value::List(items) | Value::Set(items)) = &a[0] else {
        return Err(arg_err(0, "list of bool required."));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::Unknown => Ok(None),
            Value::Null => Ok(Some(false)),
            v @ Value::String(_) => bool_arg(std::slice::from_ref(v), 0).map(Some),
            v => bool_arg(std::slice::from_ref(v), 0)
                .map(Some)
                .map_err(|_| arg_err(0, format!("element {i}: bool required."))),
        })
        .collect()
}

fn alltrue(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::Bool(bool_elements(&a)?.into_iter().all(|b| b == Some(true))))
}

fn anytrue(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let bools = bool_elements(&a)?;
    Ok(if bools.contains(&Some(true)) {
        Value::Bool(true)
    } else if bools.contains(&None) {
        Value::Unknown
    } else {
        Value::Bool(false)
    })
}

fn chunklist(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let single_type = || arg_err(0, "list of any single type required.");
    let (Value::List(items) | Value::Set(items)) = a[0].clone() else { return Err(single_type()) };
    let items = unify(items).ok_or_else(single_type)?;
    let size = whole(num_arg(&a, 1)?).ok_or_else(|| FuncError::Call(format!("invalid size: {WHOLE_NUMBER}.")))?;
    if size < 0 {
        return Err(FuncError::Call("the size argument must be positive.".into()));
    }
    if size == 0 {
        return Ok(Value::List(vec![Value::List(items)]));
    }
    Ok(Value::List(items.chunks(size as usize).map(|c| Value::List(c.to_vec())).collect()))
}

fn transpose(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let Value::Map(m) = &a[0] else {
        return Err(arg_err(0, "map of list of string required."));
    };
    let mut out: std::collections::BTreeMap<String, Vec<Value>> = Default::default();
    for (k, v) in m {
        let key = super::encoding::json_string(k);
        let (Value::List(items) | Value::Set(items)) = v else {
            return Err(arg_err(0, format!("element {key}: list of string required.")));
        };
        for (i, item) in items.iter().enumerate() {
            if item.is_null() {
                return Err(FuncError::Call("input list must not contain null string.".into()));
            }
            let s =
                prim_str(item).ok_or_else(|| arg_err(0, format!("element {key}: element {i}: string required.")))?;
            out.entry(s).or_default().push(Value::from(k.as_str()));
        }
    }
    Ok(Value::Map(out.into_iter().map(|(k, v)| (k, Value::List(v))).collect()))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().cloned())
    }

    #[test]
    fn length_counts() {
        assert_eq!(ok("length", vec![s("🤷‍♂️ab")]), n(3.0));
        assert_eq!(ok("length", vec![obj(&[("a", n(1.0))])]), n(1.0));
        assert_eq!(ok("length", vec![list(vec![Value::Unknown, n(1.0)])]), n(2.0));
        assert_eq!(ok("length", vec![Value::Unknown]), Value::Unknown);
        assert_eq!(err("length", vec![n(1.0)]), "argument must be a string, a collection type, or a structural type.");
        assert_eq!(err("length", vec![Value::Null]), "argument must not be null.");
    }

    #[test]
    fn lookup_and_merge() {
        let m = obj(&[("a", n(1.0)), ("b", Value::Unknown)]);
        assert_eq!(ok("lookup", vec![m.clone(), s("a")]), n(1.0));
        assert_eq!(ok("lookup", vec![m.clone(), s("c"), s("d")]), s("d"));
        assert_eq!(ok("lookup", vec![m.clone(), s("c"), Value::Null]), Value::Null);
        assert_eq!(ok("lookup", vec![m.clone(), Value::Unknown, s("d")]), Value::Unknown);
        assert_eq!(
            call_fn("lookup", vec![m.clone(), s("c")]).unwrap_err(),
            FuncError::Arg(0, "the given object has no attribute \"c\".".into())
        );
        assert_eq!(err("lookup", vec![list(vec![]), s("a")]), "lookup() requires a map as the first argument.");
        assert_eq!(err("lookup", vec![Value::Null, s("a")]), "argument must not be null.");
        assert_eq!(
            err("lookup", vec![m.clone(), s("a"), n(1.0), n(2.0)]),
            "lookup() takes two or three arguments, got 4."
        );
        assert_eq!(
            ok("merge", vec![obj(&[("a", n(1.0))]), Value::Null, obj(&[("b", Value::Unknown)]), obj(&[("a", n(3.0))])]),
            obj(&[("a", n(3.0)), ("b", Value::Unknown)])
        );
        assert_eq!(ok("merge", vec![]), obj(&[]));
        assert_eq!(err("merge", vec![obj(&[]), list(vec![])]), "arguments must be maps or objects, got \"tuple\".");
    }

    #[test]
    fn concat_element_keys_values() {
        assert_eq!(
            ok("concat", vec![list(vec![n(1.0)]), list(vec![Value::Unknown]), list(vec![])]),
            list(vec![n(1.0), Value::Unknown])
        );
        assert_eq!(err("concat", vec![]), "at least one argument is required.");
        assert_eq!(
            call_fn("concat", vec![list(vec![]), Value::set(vec![n(1.0)])]).unwrap_err(),
            FuncError::Arg(1, "all arguments must be lists or tuples; got set of number.".into())
        );
        let abc = strs(&["a", "b", "c"]);
        assert_eq!(ok("element", vec![abc.clone(), n(4.0)]), s("b"));
        assert_eq!(ok("element", vec![abc.clone(), n(-1.0)]), s("c"));
        assert_eq!(ok("element", vec![abc.clone(), n(-5.0)]), s("b"));
        assert_eq!(ok("element", vec![list(vec![Value::Unknown, s("b")]), n(1.0)]), s("b"));
        assert_eq!(err("element", vec![list(vec![]), n(0.0)]), "cannot use element function with an empty list.");
        assert_eq!(err("element", vec![Value::set(vec![s("a")]), n(0.0)]), "cannot read elements from set of string.");
        assert_eq!(
            err("element", vec![abc, n(1.5)]),
            "invalid index: value must be a whole number, between -9223372036854775808 and 9223372036854775807."
        );
        let m = obj(&[("b", n(1.0)), ("a", Value::Unknown)]);
        assert_eq!(ok("keys", vec![m.clone()]), strs(&["a", "b"]));
        assert_eq!(ok("values", vec![m]), list(vec![Value::Unknown, n(1.0)]));
        assert_eq!(err("keys", vec![list(vec![])]), "must have map or object type.");
        assert_eq!(err("values", vec![list(vec![])]), "values() requires a map as the first argument.");
    }

    #[test]
    fn contains_and_index() {
        let l = list(vec![Value::Unknown, s("a")]);
        assert_eq!(ok("contains", vec![l.clone(), s("a")]), Value::Bool(true));
        assert_eq!(ok("contains", vec![l.clone(), s("b")]), Value::Unknown);
        assert_eq!(ok("contains", vec![list(vec![n(1.0), n(2.0)]), s("1")]), Value::Bool(false));
        assert_eq!(ok("contains", vec![Value::set(vec![s("a")]), s("b")]), Value::Bool(false));
        assert_eq!(err("contains", vec![s("a"), s("a")]), "argument must be list, tuple, or set.");
        assert_eq!(ok("index", vec![strs(&["a", "b"]), s("b")]), n(1.0));
        assert_eq!(err("index", vec![list(vec![n(1.0)]), s("1")]), "item not found.");
        assert_eq!(ok("index", vec![l, s("a")]), Value::Unknown);
    }

    #[test]
    fn coalescing() {
        assert_eq!(ok("coalesce", vec![s(""), s("a")]), s("a"));
        assert_eq!(ok("coalesce", vec![Value::Null, n(1.0), s("a")]), s("1"));
        assert_eq!(ok("coalesce", vec![s(""), n(0.0)]), s("0"));
        assert_eq!(ok("coalesce", vec![list(vec![n(1.0)]), list(vec![n(2.0)])]), list(vec![n(1.0)]));
        assert_eq!(err("coalesce", vec![Value::Null, s("")]), "no non-null, non-empty-string arguments.");
        assert_eq!(err("coalesce", vec![n(1.0), Value::Bool(true)]), "all arguments must have the same type.");
        assert_eq!(err("coalesce", vec![]), "all arguments must have the same type.");
        assert_eq!(ok("coalescelist", vec![list(vec![]), list(vec![Value::Unknown])]), list(vec![Value::Unknown]));
        assert_eq!(err("coalescelist", vec![list(vec![]), list(vec![])]), "no non-null arguments.");
        assert_eq!(err("coalescelist", vec![n(1.0)]), "coalescelist arguments must be lists or tuples.");
    }

    #[test]
    fn compact_distinct_flatten() {
        assert_eq!(ok("compact", vec![list(vec![s("a"), s(""), Value::Null, n(1.0)])]), strs(&["a", "1"]));
        assert_eq!(ok("compact", vec![list(vec![s("a"), Value::Unknown])]), Value::Unknown);
        assert_eq!(ok("distinct", vec![list(vec![n(1.0), n(2.0), n(1.0), s("1")])]), strs(&["1", "2"]));
        assert_eq!(ok("distinct", vec![strs(&["b", "a", "b"])]), strs(&["b", "a"]));
        assert_eq!(err("distinct", vec![list(vec![n(1.0), Value::Bool(true)])]), "list of any single type required.");
        assert_eq!(
            ok(
                "flatten",
                vec![list(vec![
                    list(vec![n(1.0), list(vec![n(2.0)])]),
                    n(3.0),
                    list(vec![list(vec![list(vec![])])]),
                    Value::set(vec![n(4.0)])
                ])]
            ),
            list(vec![n(1.0), n(2.0), n(3.0), n(4.0)])
        );
        assert_eq!(
            ok("flatten", vec![list(vec![Value::Null, list(vec![Value::Null])])]),
            list(vec![Value::Null, Value::Null])
        );
        assert_eq!(ok("flatten", vec![list(vec![list(vec![Value::Unknown]), s("b")])]), Value::Unknown);
        assert_eq!(
            ok("flatten", vec![list(vec![obj(&[("a", Value::Unknown)])])]),
            list(vec![obj(&[("a", Value::Unknown)])])
        );
        assert_eq!(err("flatten", vec![n(1.0)]), "can only flatten lists, sets and tuples.");
    }

    #[test]
    fn zipmap_pairs() {
        assert_eq!(
            ok("zipmap", vec![strs(&["a", "b"]), list(vec![Value::Unknown, n(1.0)])]),
            obj(&[("a", Value::Unknown), ("b", n(1.0))])
        );
        assert_eq!(ok("zipmap", vec![strs(&["a", "a"]), list(vec![n(1.0), n(2.0)])]), obj(&[("a", n(2.0))]));
        assert_eq!(ok("zipmap", vec![list(vec![Value::Unknown]), list(vec![n(1.0)])]), Value::Unknown);
        assert_eq!(
            err("zipmap", vec![strs(&["a"]), list(vec![n(1.0), n(2.0)])]),
            "number of keys (1) does not match number of values (2)."
        );
        assert_eq!(err("zipmap", vec![s("a"), list(vec![])]), "list of string required.");
        assert_eq!(err("zipmap", vec![strs(&["a"]), s("b")]), "values argument must be a list or tuple value.");
        assert_eq!(
            err("zipmap", vec![list(vec![Value::Null]), list(vec![n(1.0)])]),
            "keys list has null value at index 0."
        );
    }

    fn nums(xs: &[f64]) -> Value {
        list(xs.iter().map(|x| n(*x)).collect())
    }

    #[test]
    fn range_steps() {
        assert_eq!(ok("range", vec![n(3.0)]), nums(&[0.0, 1.0, 2.0]));
        assert_eq!(ok("range", vec![n(1.0), n(4.0)]), nums(&[1.0, 2.0, 3.0]));
        assert_eq!(ok("range", vec![n(1.0), n(2.0), n(0.5)]), nums(&[1.0, 1.5]));
        assert_eq!(ok("range", vec![n(5.0), n(1.0), n(-2.0)]), nums(&[5.0, 3.0]));
        assert_eq!(ok("range", vec![n(1.0), n(0.0)]), nums(&[1.0]));
        assert_eq!(ok("range", vec![n(-1.0)]), nums(&[0.0]));
        assert_eq!(ok("range", vec![n(1.5)]), nums(&[0.0, 1.0]));
        assert_eq!(ok("range", vec![n(0.0)]), nums(&[]));
        assert_eq!(
            call_fn("range", vec![n(0.0), n(1.0), n(-1.0)]).unwrap_err(),
            FuncError::Arg(1, "end must be less than start when step is negative.".into())
        );
        assert_eq!(
            err("range", vec![n(0.0), n(1.0), n(0.0)]),
            "more than 1024 values were generated; either decrease the difference between start and end or use a smaller step."
        );
        assert_eq!(err("range", vec![]), "must have one, two, or three arguments.");
        assert_eq!(err("range", vec![s("a")]), "a number is required.");
    }

    #[test]
    fn slice_bounds() {
        let l = nums(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(ok("slice", vec![l.clone(), n(1.0), n(3.0)]), nums(&[2.0, 3.0]));
        assert_eq!(ok("slice", vec![l.clone(), n(4.0), n(4.0)]), nums(&[]));
        assert_eq!(ok("slice", vec![list(vec![Value::Unknown, s("b"), s("c")]), n(1.0), n(3.0)]), strs(&["b", "c"]));
        assert_eq!(ok("slice", vec![l.clone(), Value::Unknown, n(1.0)]), Value::Unknown);
        let e = |a: f64, b: f64| call_fn("slice", vec![nums(&[1.0, 2.0]), n(a), n(b)]).unwrap_err();
        assert_eq!(e(1.0, 3.0), FuncError::Arg(2, "end index must not be greater than the length of the list.".into()));
        assert_eq!(e(2.0, 1.0), FuncError::Arg(1, "start index must not be greater than end index.".into()));
        assert_eq!(e(-1.0, 1.0), FuncError::Arg(1, "start index must not be less than zero.".into()));
        assert!(
            matches!(e(0.5, 1.0), FuncError::Arg(1, m) if m.starts_with("invalid start index: value must be a whole number"))
        );
        assert!(err("slice", vec![Value::set(vec![n(1.0)]), n(0.0), n(1.0)]).starts_with("cannot slice a set"));
    }

    #[test]
    fn sort_and_reverse() {
        assert_eq!(ok("sort", vec![strs(&["b", "a", "B", "10", "9"])]), strs(&["10", "9", "B", "a", "b"]));
        assert_eq!(ok("sort", vec![nums(&[3.0, 1.0, 10.0])]), strs(&["1", "10", "3"]));
        assert_eq!(
            err("sort", vec![list(vec![s("a"), Value::Null])]),
            "given list element 1 is null; a null string cannot be sorted."
        );
        assert_eq!(err("sort", vec![list(vec![list(vec![])])]), "element 0: string required.");
        assert_eq!(
            ok("reverse", vec![list(vec![n(1.0), s("a"), Value::Unknown])]),
            list(vec![Value::Unknown, s("a"), n(1.0)])
        );
        assert_eq!(ok("reverse", vec![Value::set(vec![n(2.0), n(1.0)])]), nums(&[2.0, 1.0]));
        assert_eq!(err("reverse", vec![s("ab")]), "can only reverse list or tuple values, not string.");
    }

    #[test]
    fn set_functions() {
        assert_eq!(
            ok("setunion", vec![strs(&["a", "b"]), strs(&["b", "c"])]),
            Value::set(vec![s("a"), s("b"), s("c")])
        );
        assert_eq!(ok("setunion", vec![nums(&[1.0]), strs(&["a"])]), Value::set(vec![s("1"), s("a")]));
        assert_eq!(
            ok("setintersection", vec![strs(&["a", "b"]), strs(&["b", "c"]), strs(&["b"])]),
            Value::set(vec![s("b")])
        );
        assert_eq!(ok("setsubtract", vec![strs(&["a", "b", "c"]), strs(&["a", "c"])]), Value::set(vec![s("b")]));
        assert_eq!(ok("setunion", vec![strs(&["a"]), list(vec![Value::Unknown])]), Value::Unknown);
        assert_eq!(
            call_fn("setunion", vec![strs(&["a"]), n(1.0)]).unwrap_err(),
            FuncError::Arg(1, "set of any single type required.".into())
        );
        assert_eq!(
            ok("setproduct", vec![strs(&["a", "b"]), nums(&[1.0, 2.0])]),
            list(vec![
                list(vec![s("a"), n(1.0)]),
                list(vec![s("a"), n(2.0)]),
                list(vec![s("b"), n(1.0)]),
                list(vec![s("b"), n(2.0)])
            ])
        );
        assert_eq!(ok("setproduct", vec![strs(&["a"]), list(vec![])]), list(vec![]));
        assert_eq!(
            ok("setproduct", vec![Value::set(vec![s("a")]), nums(&[1.0])]),
            Value::set(vec![list(vec![s("a"), n(1.0)])])
        );
        assert_eq!(err("setproduct", vec![strs(&["a"])]), "at least two arguments are required.");
    }

    #[test]
    fn one_alltrue_anytrue() {
        assert_eq!(ok("one", vec![list(vec![])]), Value::Null);
        assert_eq!(ok("one", vec![Value::set(vec![n(1.0)])]), n(1.0));
        assert_eq!(ok("one", vec![list(vec![Value::Unknown])]), Value::Unknown);
        assert_eq!(
            err("one", vec![nums(&[1.0, 2.0])]),
            "must be a list, set, or tuple value with either zero or one elements."
        );
        assert_eq!(ok("alltrue", vec![list(vec![Value::Bool(true), s("true")])]), Value::Bool(true));
        assert_eq!(ok("alltrue", vec![list(vec![])]), Value::Bool(true));
        assert_eq!(ok("alltrue", vec![list(vec![Value::Null])]), Value::Bool(false));
        assert_eq!(ok("alltrue", vec![list(vec![Value::Unknown, Value::Bool(false)])]), Value::Unknown);
        assert_eq!(err("alltrue", vec![nums(&[1.0])]), "element 0: bool required.");
        assert_eq!(err("alltrue", vec![strs(&["x"])]), "a bool is required.");
        assert_eq!(err("alltrue", vec![s("a")]), "list of bool required.");
        assert_eq!(ok("alltrue", vec![strs(&["1", "true"])]), Value::Bool(true));
        assert_eq!(ok("anytrue", vec![list(vec![])]), Value::Bool(false));
        assert_eq!(ok("anytrue", vec![list(vec![Value::Unknown, Value::Bool(true)])]), Value::Bool(true));
        assert_eq!(ok("anytrue", vec![list(vec![Value::Unknown, Value::Bool(false)])]), Value::Unknown);
    }

    #[test]
    fn chunklist_and_transpose() {
        assert_eq!(
            ok("chunklist", vec![nums(&[1.0, 2.0, 3.0, 4.0, 5.0]), n(2.0)]),
            list(vec![nums(&[1.0, 2.0]), nums(&[3.0, 4.0]), nums(&[5.0])])
        );
        assert_eq!(ok("chunklist", vec![nums(&[1.0, 2.0]), n(0.0)]), list(vec![nums(&[1.0, 2.0])]));
        assert_eq!(ok("chunklist", vec![list(vec![Value::Unknown]), n(1.0)]), list(vec![list(vec![Value::Unknown])]));
        assert_eq!(err("chunklist", vec![nums(&[1.0]), n(-1.0)]), "the size argument must be positive.");
        assert_eq!(
            ok("transpose", vec![obj(&[("a", strs(&["1", "2"])), ("b", list(vec![s("2"), n(3.0)]))])]),
            obj(&[("1", strs(&["a"])), ("2", strs(&["a", "b"])), ("3", strs(&["b"]))])
        );
        assert_eq!(ok("transpose", vec![obj(&[("a", list(vec![]))])]), obj(&[]));
        assert_eq!(err("transpose", vec![obj(&[("a", s("x"))])]), "element \"a\": list of string required.");
        assert_eq!(err("transpose", vec![nums(&[1.0])]), "map of list of string required.");
        assert_eq!(
            err("transpose", vec![obj(&[("a", list(vec![list(vec![])]))])]),
            "element \"a\": element 0: string required."
        );
        assert_eq!(
            err("transpose", vec![obj(&[("a", list(vec![s("x"), Value::Null]))])]),
            "input list must not contain null string."
        );
        assert_eq!(err("chunklist", vec![s("a"), n(1.0)]), "list of any single type required.");
        assert_eq!(ok("chunklist", vec![list(vec![s("a"), n(1.0)]), n(1.0)]), list(vec![strs(&["a"]), strs(&["1"])]));
        assert_eq!(err("sort", vec![s("a")]), "list of string required.");
        assert_eq!(err("compact", vec![s("a")]), "list of string required.");
        assert_eq!(err("slice", vec![s("a"), n(0.0), n(0.0)]), "must be a list or tuple value.");
    }
}
