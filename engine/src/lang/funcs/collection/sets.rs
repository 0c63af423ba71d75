//! Set functions: `setunion`, `setintersection`, `setsubtract` (all arguments converted
//! to one set type first) and `setproduct` (a list of tuples when every argument is a
//! list or tuple, keeping order and duplicates; a set of tuples otherwise).

use super::seq;
use crate::cty::{Marks, Type, Value, convert, ops};
use crate::lang::function::{FuncCtx, FuncError, Function, Param, Returns, refine_not_null};

pub(super) fn functions() -> Vec<Function> {
    let set_param = |name| Param::new(name, Type::set(Type::Dynamic)).allow_dynamic();
    let set_op = |name, params: Vec<Param>, var_param, imp| Function {
        name,
        params,
        var_param,
        returns: Returns::Computed(set_operation_type),
        refine: Some(refine_not_null),
        imp,
    };
    vec![
        set_op("setunion", vec![set_param("first_set")], Some(set_param("other_sets")), setunion),
        set_op("setintersection", vec![set_param("first_set")], Some(set_param("other_sets")), setintersection),
        set_op("setsubtract", vec![set_param("a"), set_param("b")], None, setsubtract),
        Function {
            name: "setproduct",
            params: Vec::new(),
            var_param: Some(Param::new("sets", Type::Dynamic).allow_marked().allow_unknown()),
            returns: Returns::Computed(setproduct_type),
            refine: Some(refine_not_null),
            imp: setproduct,
        },
    ]
}

/// A set of the unified element types, leaving out known empty sets of unknown element
/// type (they convert to anything).
fn set_operation_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    let etys: Vec<Type> = args
        .iter()
        .filter_map(|arg| {
            let ety = arg.ty().element_type().cloned().unwrap_or(Type::Dynamic);
            (!(arg.length_int() == Some(0) && ety.is_dynamic())).then_some(ety)
        })
        .collect();
    if etys.is_empty() {
        return Ok(Type::set(Type::Dynamic));
    }
    match convert::unify_unsafe(&etys).0 {
        Some(ety) => Ok(Type::set(ety)),
        None => Err(FuncError::other("given sets must all have compatible element types")),
    }
}

/// The arguments converted to the result type, or `None` when one of them holds unknowns
/// and `allow_unknowns` is false (the result could then shrink or grow).
fn converted_sets(args: &[Value], ret: &Type, allow_unknowns: bool) -> Result<Option<Vec<Vec<Value>>>, FuncError> {
    let mut sets = Vec::with_capacity(args.len());
    for (i, arg) in args.iter().enumerate() {
        let set = convert::convert(arg.clone(), ret).map_err(|e| FuncError::arg(i, e.message))?;
        if !allow_unknowns && !set.is_wholly_known() {
            return Ok(None);
        }
        sets.push(seq(&set).to_vec());
    }
    Ok(Some(sets))
}

fn set_element_type(ret: &Type) -> Type {
    ret.element_type().cloned().unwrap_or(Type::Dynamic)
}

fn has(set: &[Value], v: &Value) -> bool {
    set.iter().any(|e| ops::equals(e, v).as_bool() == Some(true))
}

fn setunion(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let sets = converted_sets(args, ret, true)?.expect("unknowns allowed");
    Ok(Value::set(set_element_type(ret), sets.into_iter().flatten().collect()))
}

fn setintersection(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let Some(sets) = converted_sets(args, ret, false)? else { return Ok(Value::unknown(ret.clone())) };
    let mut acc = sets[0].clone();
    for other in &sets[1..] {
        acc.retain(|v| has(other, v));
    }
    Ok(Value::set(set_element_type(ret), acc))
}

fn setsubtract(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let Some(sets) = converted_sets(args, ret, false)? else { return Ok(Value::unknown(ret.clone())) };
    let mut acc = sets[0].clone();
    acc.retain(|v| !has(&sets[1], v));
    Ok(Value::set(set_element_type(ret), acc))
}

fn setproduct_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    if args.len() < 2 {
        return Err(FuncError::other("at least two arguments are required"));
    }
    let mut list_count = 0;
    let mut etys = Vec::with_capacity(args.len());
    for (i, arg) in args.iter().enumerate() {
        match arg.ty() {
            Type::Set(e) => etys.push((*e).clone()),
            Type::List(e) => {
                etys.push((*e).clone());
                list_count += 1;
            }
            Type::Tuple(ts) => {
                let ety = if ts.is_empty() {
                    Type::Dynamic
                } else {
                    convert::unify_unsafe(&ts)
                        .0
                        .ok_or_else(|| FuncError::arg(i, "all elements must be of the same type"))?
                };
                etys.push(ety);
                list_count += 1;
            }
            _ => return Err(FuncError::arg(i, "a set or a list is required")),
        }
    }
    let product = Type::tuple(etys);
    Ok(if list_count == args.len() { Type::list(product) } else { Type::set(product) })
}

fn setproduct(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let ety = set_element_type(ret);
    let mut marks = Marks::NONE;
    let mut unknown_length = false;
    let mut vals = Vec::with_capacity(args.len());
    for arg in args {
        let (arg, m) = arg.clone().unmark();
        marks |= m;
        unknown_length |= !(arg.is_known() && ops::length(&arg).is_known());
        vals.push(arg);
    }
    if unknown_length {
        return Ok(unknown_product(ret, &vals).with_marks(marks));
    }
    let sub_etys = ety.tuple_element_types().unwrap_or(&[]).to_vec();
    // The product's size, before building it: a few lists multiply past any memory.
    let count = vals.iter().try_fold(1usize, |n, v| n.checked_mul(seq(v).len()));
    crate::lang::function::check_size(count.map_or(usize::MAX, |n| n.saturating_mul(8 * vals.len().max(1))))?;
    let mut product: Vec<Vec<Value>> = vec![Vec::new()];
    for (j, arg) in vals.iter().enumerate() {
        let mut next = Vec::with_capacity(product.len() * seq(arg).len());
        for prefix in &product {
            for v in seq(arg) {
                let v = if v.has_type(&sub_etys[j]) {
                    v.clone()
                } else {
                    convert::convert(v.clone(), &sub_etys[j]).map_err(|e| FuncError::other(e.message))?
                };
                let mut p = prefix.clone();
                p.push(v);
                next.push(p);
            }
        }
        product = next;
    }
    let tuples: Vec<Value> = product.into_iter().map(Value::tuple).collect();
    let out = if ret.is_list() { Value::list(ety, tuples) } else { Value::set(ety, tuples) };
    Ok(out.with_marks(marks))
}

/// The unknown product when an argument's length is unknown, refined with the length
/// bounds cty can tell (none past its thresholds).
fn unknown_product(ret: &Type, args: &[Value]) -> Value {
    let ret = Value::unknown(ret.clone());
    let mut max_len: usize = 1;
    for arg in args {
        let rng = arg.range();
        let arg_max = match &rng.ty {
            t if t.is_collection() => rng.length_upper_bound(),
            Type::Tuple(ts) => ts.len(),
            _ => return ret,
        };
        if arg_max > 1024 {
            return ret;
        }
        max_len *= arg_max;
        if max_len > 2048 {
            return ret;
        }
    }
    if max_len == 0 {
        ret.refine().collection_length(0).new_value()
    } else {
        ret.refine().collection_length_lower_bound(1).collection_length_upper_bound(max_len).new_value()
    }
}
