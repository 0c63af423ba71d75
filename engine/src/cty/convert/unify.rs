//! Type unification (cty's `unify.go`, `compare_types.go`, `sort_types.go`): the single
//! type that a list of types can all be converted to, preferring the most general one
//! (string over number and bool; list over tuple; map over object).

use super::{Conversion, get_conversion};
use crate::cty::ty::Type;
use crate::cty::value::Value;
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Conversions per input type (`None`: already the unified type).
pub type Conversions = Vec<Option<Conversion>>;

/// Unifies with safe conversions only.
pub fn unify(types: &[Type], unsafe_: bool) -> (Option<Type>, Conversions) {
    unify_impl(types, unsafe_)
}

/// Unifies allowing unsafe conversions (string to number...), as conditionals and
/// collection functions do.
pub fn unify_unsafe(types: &[Type]) -> (Option<Type>, Conversions) {
    unify_impl(types, true)
}

fn none() -> (Option<Type>, Conversions) {
    (None, Vec::new())
}

fn unify_impl(types: &[Type], unsafe_: bool) -> (Option<Type>, Conversions) {
    if types.is_empty() {
        return none();
    }
    let count = |f: fn(&Type) -> bool| types.iter().filter(|t| f(t)).count();
    let (map_ct, list_ct, set_ct) = (count(Type::is_map), count(Type::is_list), count(Type::is_set));
    let (object_ct, tuple_ct, dynamic_ct) = (count(Type::is_object), count(Type::is_tuple), count(Type::is_dynamic));
    let n = types.len();
    if map_ct > 0 && map_ct + dynamic_ct == n {
        return unify_collections(Type::map, types, unsafe_, dynamic_ct > 0);
    } else if map_ct > 0 && map_ct + object_ct + dynamic_ct == n {
        let r = unify_structural_as_collection(types, unsafe_, true);
        if r.0.as_ref().is_some_and(Type::is_map) {
            return r;
        }
    } else if list_ct > 0 && list_ct + dynamic_ct == n {
        return unify_collections(Type::list, types, unsafe_, dynamic_ct > 0);
    } else if list_ct > 0 && list_ct + tuple_ct + dynamic_ct == n {
        let r = unify_structural_as_collection(types, unsafe_, false);
        if r.0.as_ref().is_some_and(Type::is_list) {
            return r;
        }
    } else if set_ct > 0 && set_ct + dynamic_ct == n {
        return unify_collections(Type::set, types, unsafe_, dynamic_ct > 0);
    } else if object_ct > 0 && object_ct + dynamic_ct == n {
        return unify_objects(types, unsafe_, dynamic_ct > 0);
    } else if tuple_ct > 0 && tuple_ct + dynamic_ct == n {
        return unify_tuples(types, unsafe_, dynamic_ct > 0);
    } else if object_ct > 0 && tuple_ct > 0 {
        return none();
    }

    let conv_to = |from: &Type, to: &Type| get_conversion(from, to, unsafe_);
    'preferences: for want_idx in sort_types(types) {
        let want = &types[want_idx];
        let mut convs = Vec::with_capacity(n);
        for (i, t) in types.iter().enumerate() {
            if i == want_idx || t == want {
                convs.push(None);
                continue;
            }
            match conv_to(t, want) {
                Some(c) => convs.push(Some(c)),
                None => continue 'preferences,
            }
        }
        return (Some(want.clone()), convs);
    }
    none()
}

/// Tuples unified as a list (or objects as a map) alongside lists (maps).
fn unify_structural_as_collection(types: &[Type], unsafe_: bool, as_map: bool) -> (Option<Type>, Conversions) {
    let is_struct = |t: &Type| if as_map { t.is_object() } else { t.is_tuple() };
    let idxs: Vec<usize> = types.iter().enumerate().filter(|(_, t)| is_struct(t)).map(|(i, _)| i).collect();
    let structs: Vec<Type> = idxs.iter().map(|&i| types[i].clone()).collect();
    let (ty, struct_convs) = if as_map { objects_to_map(&structs, unsafe_) } else { tuples_to_list(&structs, unsafe_) };
    let Some(ty) = ty else { return none() };
    let mut replaced = types.to_vec();
    for &i in &idxs {
        replaced[i] = ty.clone();
    }
    let (new_ty, mut convs) = unify_impl(&replaced, unsafe_);
    let Some(new_ty) = new_ty else { return none() };
    if (as_map && !new_ty.is_map()) || (!as_map && !new_ty.is_list()) {
        return none();
    }
    for (k, &idx) in idxs.iter().enumerate() {
        let first = struct_convs.get(k).cloned().flatten();
        convs[idx] = match (convs[idx].take(), first) {
            (None, first) => first,
            (Some(second), Some(first)) => {
                // As cty: the second conversion applies to the original value too.
                let _ = first;
                Some(second)
            }
            (Some(second), None) => Some(second),
        };
    }
    (Some(new_ty), convs)
}

fn unify_collections(
    make: fn(Type) -> Type,
    types: &[Type],
    unsafe_: bool,
    has_dynamic: bool,
) -> (Option<Type>, Conversions) {
    if has_dynamic {
        return all_as_dynamic(types);
    }
    let etys: Vec<Type> = types.iter().filter_map(|t| t.element_type().cloned()).collect();
    let Some(ety) = unify_impl(&etys, unsafe_).0 else { return none() };
    let ret = make(ety);
    conversions_to(types, ret, unsafe_)
}

fn conversions_to(types: &[Type], ret: Type, unsafe_: bool) -> (Option<Type>, Conversions) {
    let mut convs = Vec::with_capacity(types.len());
    for t in types {
        if t == &ret {
            convs.push(None);
            continue;
        }
        match get_conversion(t, &ret, unsafe_) {
            Some(c) => convs.push(Some(c)),
            None => return none(),
        }
    }
    (Some(ret), convs)
}

fn unify_objects(types: &[Type], unsafe_: bool, has_dynamic: bool) -> (Option<Type>, Conversions) {
    if has_dynamic {
        return all_as_dynamic(types);
    }
    let first = types[0].attribute_types().cloned().unwrap_or_default();
    for t in &types[1..] {
        let attrs = t.attribute_types().cloned().unwrap_or_default();
        if attrs.len() != first.len() || attrs.keys().any(|k| !first.contains_key(k)) {
            return objects_to_map(types, unsafe_);
        }
    }
    let mut ret_attrs = BTreeMap::new();
    for name in first.keys() {
        let across: Vec<Type> = types.iter().map(|t| t.attribute_type(name).cloned().unwrap_or_default()).collect();
        match unify_impl(&across, unsafe_).0 {
            Some(t) => {
                ret_attrs.insert(name.clone(), t);
            }
            None => return none(),
        }
    }
    let ret = Type::object(ret_attrs);
    let mut convs = Vec::with_capacity(types.len());
    for t in types {
        if t == &ret {
            convs.push(None);
            continue;
        }
        match get_conversion(t, &ret, unsafe_) {
            Some(c) => convs.push(Some(c)),
            None => return objects_to_map(types, unsafe_),
        }
    }
    (Some(ret), convs)
}

fn objects_to_map(types: &[Type], unsafe_: bool) -> (Option<Type>, Conversions) {
    let atys: Vec<Type> = types
        .iter()
        .flat_map(|t| t.attribute_types().map(|a| a.values().cloned().collect::<Vec<_>>()).unwrap_or_default())
        .collect();
    let Some(ety) = unify_impl(&atys, unsafe_).0 else { return none() };
    conversions_to(types, Type::map(ety), unsafe_)
}

fn unify_tuples(types: &[Type], unsafe_: bool, has_dynamic: bool) -> (Option<Type>, Conversions) {
    if has_dynamic {
        return all_as_dynamic(types);
    }
    let first = types[0].tuple_element_types().map(<[Type]>::to_vec).unwrap_or_default();
    if types[1..].iter().any(|t| t.tuple_element_types().map_or(0, <[Type]>::len) != first.len()) {
        return tuples_to_list(types, unsafe_);
    }
    let mut ret_etys = Vec::with_capacity(first.len());
    for idx in 0..first.len() {
        let across: Vec<Type> = types.iter().map(|t| t.tuple_element_types().unwrap()[idx].clone()).collect();
        match unify_impl(&across, unsafe_).0 {
            Some(t) => ret_etys.push(t),
            None => return none(),
        }
    }
    let ret = Type::tuple(ret_etys);
    let mut convs = Vec::with_capacity(types.len());
    for t in types {
        if t == &ret {
            convs.push(None);
            continue;
        }
        match get_conversion(t, &ret, unsafe_) {
            Some(c) => convs.push(Some(c)),
            None => return tuples_to_list(types, unsafe_),
        }
    }
    (Some(ret), convs)
}

fn tuples_to_list(types: &[Type], unsafe_: bool) -> (Option<Type>, Conversions) {
    let etys: Vec<Type> =
        types.iter().flat_map(|t| t.tuple_element_types().map(<[Type]>::to_vec).unwrap_or_default()).collect();
    let Some(ety) = unify_impl(&etys, unsafe_).0 else { return none() };
    conversions_to(types, Type::list(ety), unsafe_)
}

fn all_as_dynamic(types: &[Type]) -> (Option<Type>, Conversions) {
    let conv: Conversion = Arc::new(|_, _| Ok(Value::DYNAMIC));
    (Some(Type::Dynamic), types.iter().map(|_| Some(conv.clone())).collect())
}

/// cty's `compareTypes`: `Less` when `a` is the more general type, `Greater` when `b`
/// is, `Equal` when neither.
fn compare_types(a: &Type, b: &Type) -> Ordering {
    if a.is_dynamic() || b.is_dynamic() {
        return match (a.is_dynamic(), b.is_dynamic()) {
            (false, true) => Ordering::Less,
            (true, false) => Ordering::Greater,
            _ => Ordering::Equal,
        };
    }
    if a.is_primitive() && b.is_primitive() && (a == &Type::String || b == &Type::String) {
        return match (a == &Type::String, b == &Type::String) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            _ => Ordering::Equal,
        };
    }
    match (a, b) {
        (Type::List(x), Type::List(y)) | (Type::Set(x), Type::Set(y)) | (Type::Map(x), Type::Map(y)) => {
            return compare_types(x, y);
        }
        _ => {}
    }
    let (a, b, swap) = match (a, b) {
        (Type::Tuple(_), Type::List(_))
        | (Type::Object(_), Type::Map(_))
        | (Type::Set(_), Type::Tuple(_))
        | (Type::Set(_), Type::List(_)) => (b, a, true),
        _ => (a, b, false),
    };
    let flip = |o: Ordering| if swap { o.reverse() } else { o };
    if b.is_set() && (a.is_tuple() || a.is_list()) {
        return flip(Ordering::Less);
    }
    if a.is_list() && b.is_tuple() {
        return flip(Ordering::Less);
    }
    if a.is_map() && b.is_object() {
        return flip(Ordering::Less);
    }
    let supers = |pairs: Vec<(&Type, &Type)>| -> Ordering {
        let (mut a_super, mut b_super) = (false, false);
        for (x, y) in pairs {
            match compare_types(x, y) {
                Ordering::Less => a_super = true,
                Ordering::Greater => b_super = true,
                Ordering::Equal => {}
            }
        }
        match (a_super, b_super) {
            (true, true) | (false, false) => Ordering::Equal,
            (true, false) => flip(Ordering::Less),
            (false, true) => flip(Ordering::Greater),
        }
    };
    match (a, b) {
        (Type::Object(x), Type::Object(y)) => {
            if x.attrs.len() != y.attrs.len() || x.attrs.keys().any(|k| !y.attrs.contains_key(k)) {
                return Ordering::Equal;
            }
            supers(x.attrs.iter().map(|(k, t)| (t, &y.attrs[k])).collect())
        }
        (Type::Tuple(x), Type::Tuple(y)) => {
            if x.len() != y.len() {
                return Ordering::Equal;
            }
            supers(x.iter().zip(y.iter()).collect())
        }
        _ => Ordering::Equal,
    }
}

/// cty's `sortTypes`: a topological order of the types, most general first (Kahn's
/// algorithm over the "more general than" relation, ties in input order).
fn sort_types(tys: &[Type]) -> Vec<usize> {
    let l = tys.len();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); l];
    for i in 0..l.saturating_sub(1) {
        for j in i + 1..l {
            match compare_types(&tys[i], &tys[j]) {
                Ordering::Less => edges[i].push(j),
                Ordering::Greater => edges[j].push(i),
                Ordering::Equal => {}
            }
        }
    }
    let mut in_degree = vec![0usize; l];
    for outs in &edges {
        for &j in outs {
            in_degree[j] += 1;
        }
    }
    let mut queue: std::collections::VecDeque<usize> = (0..l).filter(|&i| in_degree[i] == 0).collect();
    let mut result = Vec::with_capacity(l);
    while let Some(i) = queue.pop_front() {
        result.push(i);
        for &j in &edges[i] {
            in_degree[j] -= 1;
            if in_degree[j] == 0 {
                queue.push_back(j);
            }
        }
    }
    result
}
