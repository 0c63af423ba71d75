//! Conversions between collection and structural types (cty's `conversion_collection.go`,
//! `conversion_object.go`, `conversion_tuple.go`).

use super::{Conversion, get_conversion, path_err, unify};
use crate::cty::PathStep;
use crate::cty::ty::{PathError, Type};
use crate::cty::value::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

fn null_without_optional(v: Value) -> Value {
    match v {
        Value::Null(t) => Value::Null(t.without_optional_attributes_deep()),
        v => v,
    }
}

fn apply(conv: &Option<Conversion>, v: Value, path: &mut Vec<PathStep>, step: PathStep) -> Result<Value, PathError> {
    match conv {
        Some(c) => {
            path.push(step);
            let r = c(v, path);
            path.pop();
            r
        }
        None => Ok(v),
    }
}

fn all_same_type(items: &[Value]) -> bool {
    items.windows(2).all(|w| crate::cty::ops::same_type(&w[0], &w[1]))
}

pub(super) fn collection_to_list(ety: Type, conv: Option<Conversion>) -> Conversion {
    Arc::new(move |v: Value, path: &mut Vec<PathStep>| {
        if !crate::cty::ops::length(&v).is_known() {
            let in_ety = v.ty().element_type().cloned().unwrap_or(Type::Dynamic);
            return Ok(Value::unknown(Type::list(in_ety)));
        }
        let in_ety = v.ty().element_type().cloned().unwrap_or(Type::Dynamic);
        let mut elems = Vec::new();
        for (i, e) in v.as_seq().unwrap_or(&[]).iter().enumerate() {
            let e = apply(&conv, e.clone(), path, PathStep::Index(i))?;
            elems.push(null_without_optional(e));
        }
        if elems.is_empty() {
            let t = if ety.is_dynamic() { in_ety } else { ety.without_optional_attributes_deep() };
            return Ok(Value::empty_list(t));
        }
        if !all_same_type(&elems) {
            return Err(path_err(path, "element types must all match for conversion to list"));
        }
        Ok(Value::list_of(elems).expect("not empty"))
    })
}

pub(super) fn collection_to_set(ety: Type, conv: Option<Conversion>) -> Conversion {
    Arc::new(move |v: Value, path: &mut Vec<PathStep>| {
        let in_ety = v.ty().element_type().cloned().unwrap_or(Type::Dynamic);
        let mut elems = Vec::new();
        for (i, e) in v.as_seq().unwrap_or(&[]).iter().enumerate() {
            let e = apply(&conv, e.clone(), path, PathStep::Index(i))?;
            elems.push(null_without_optional(e));
        }
        if elems.is_empty() {
            let t = if ety.is_dynamic() { in_ety } else { ety.without_optional_attributes_deep() };
            return Ok(Value::empty_set(t));
        }
        if !all_same_type(&elems) {
            return Err(path_err(path, "element types must all match for conversion to set"));
        }
        Ok(Value::set_of(elems).expect("not empty"))
    })
}

pub(super) fn collection_to_map(ety: Type, conv: Option<Conversion>) -> Conversion {
    Arc::new(move |v: Value, path: &mut Vec<PathStep>| {
        let in_ety = v.ty().element_type().cloned().unwrap_or(Type::Dynamic);
        let mut elems = BTreeMap::new();
        for (k, e) in v.as_map().cloned().unwrap_or_default() {
            let e = apply(&conv, e, path, PathStep::Key(k.clone()))?;
            elems.insert(k, e);
        }
        if elems.is_empty() {
            let t = if ety.is_dynamic() { in_ety } else { ety.without_optional_attributes_deep() };
            return Ok(Value::empty_map(t));
        }
        if ety.is_collection() || ety.is_object() {
            elems = unify_map_elements(elems, path, false)?;
        }
        let vals: Vec<Value> = elems.values().cloned().collect();
        if !all_same_type(&vals) {
            return Err(path_err(path, "element types must all match for conversion to map"));
        }
        Ok(Value::map_of(elems).expect("not empty"))
    })
}

pub(super) fn tuple_to_set(tuple_ty: &Type, set_ety: &Type, unsafe_: bool) -> Option<Conversion> {
    let etys = tuple_ty.tuple_element_types()?.to_vec();
    if etys.is_empty() {
        let t = set_ety.without_optional_attributes_deep();
        return Some(Arc::new(move |_, _| Ok(Value::empty_set(t.clone()))));
    }
    let mut set_ety = set_ety.clone();
    if set_ety.is_dynamic() {
        set_ety = unify(&etys, unsafe_).0?;
        if set_ety.is_dynamic() && etys.iter().any(|t| !t.is_dynamic()) {
            return None;
        }
    }
    let convs = element_conversions(&etys, &set_ety, unsafe_)?;
    Some(Arc::new(move |v: Value, path: &mut Vec<PathStep>| {
        let mut elems = Vec::new();
        for (i, e) in v.as_seq().unwrap_or(&[]).iter().enumerate() {
            let e = apply(&convs[i], e.clone(), path, PathStep::Index(i))?;
            elems.push(null_without_optional(e));
        }
        if !all_same_type(&elems) {
            return Err(path_err(path, "element types must all match for conversion to set"));
        }
        Ok(Value::set_of(elems).expect("not empty"))
    }))
}

pub(super) fn tuple_to_list(tuple_ty: &Type, list_ety: &Type, unsafe_: bool) -> Option<Conversion> {
    let etys = tuple_ty.tuple_element_types()?.to_vec();
    if etys.is_empty() {
        let t = list_ety.without_optional_attributes_deep();
        return Some(Arc::new(move |_, _| Ok(Value::empty_list(t.clone()))));
    }
    let mut list_ety = list_ety.clone();
    if list_ety.is_dynamic() {
        list_ety = unify(&etys, unsafe_).0?;
        if list_ety.is_dynamic() && etys.iter().any(|t| !t.is_dynamic()) {
            return None;
        }
    }
    let convs = element_conversions(&etys, &list_ety, unsafe_)?;
    Some(Arc::new(move |v: Value, path: &mut Vec<PathStep>| {
        let mut elems = Vec::new();
        for (i, e) in v.as_seq().unwrap_or(&[]).iter().enumerate() {
            elems.push(apply(&convs[i], e.clone(), path, PathStep::Index(i))?);
        }
        let elems = unify_list_elements(elems, path, unsafe_)?;
        if !all_same_type(&elems) {
            return Err(path_err(path, "element types must all match for conversion to list"));
        }
        Ok(Value::list_of(elems).expect("not empty"))
    }))
}

fn element_conversions(etys: &[Type], want: &Type, unsafe_: bool) -> Option<Vec<Option<Conversion>>> {
    etys.iter().map(|t| if t == want { Some(None) } else { get_conversion(t, want, unsafe_).map(Some) }).collect()
}

pub(super) fn object_to_map(obj_ty: &Type, map_ety: &Type, unsafe_: bool) -> Option<Conversion> {
    let atys = obj_ty.attribute_types()?.clone();
    if atys.is_empty() {
        let t = map_ety.without_optional_attributes_deep();
        return Some(Arc::new(move |_, _| Ok(Value::empty_map(t.clone()))));
    }
    let mut map_ety = map_ety.clone();
    if map_ety.is_dynamic() {
        let list: Vec<Type> = atys.values().cloned().collect();
        map_ety = unify(&list, unsafe_).0?;
    }
    let mut convs: BTreeMap<String, Conversion> = BTreeMap::new();
    for (name, aty) in &atys {
        if aty == &map_ety {
            continue;
        }
        convs.insert(name.clone(), get_conversion(aty, &map_ety, unsafe_)?);
    }
    Some(Arc::new(move |v: Value, path: &mut Vec<PathStep>| {
        let mut elems = BTreeMap::new();
        for (name, e) in v.as_map().cloned().unwrap_or_default() {
            let e = apply(&convs.get(&name).cloned(), e, path, PathStep::Key(name.clone()))?;
            elems.insert(name, e);
        }
        if map_ety.is_collection() || map_ety.is_object() {
            elems = unify_map_elements(elems, path, unsafe_)?;
        }
        let vals: Vec<Value> = elems.values().cloned().collect();
        if !all_same_type(&vals) {
            return Err(path_err(path, "attribute types must all match for conversion to map"));
        }
        Ok(Value::map_of(elems).expect("not empty"))
    }))
}

pub(super) fn map_to_object(map_ty: &Type, obj_ty: &Type, unsafe_: bool) -> Option<Conversion> {
    let atys = obj_ty.attribute_types()?.clone();
    let map_ety = map_ty.element_type()?.clone();
    let mut convs: BTreeMap<String, Option<Conversion>> = BTreeMap::new();
    for (name, aty) in &atys {
        if aty == &map_ety {
            continue;
        }
        match get_conversion(&map_ety, aty, unsafe_) {
            Some(c) => {
                convs.insert(name.clone(), Some(c));
            }
            None if obj_ty.attribute_optional(name) && unsafe_ => {
                convs.insert(name.clone(), None);
            }
            None => return None,
        }
    }
    let obj_ty = obj_ty.clone();
    Some(Arc::new(move |v: Value, path: &mut Vec<PathStep>| {
        let mut elems = BTreeMap::new();
        for (name, e) in v.as_map().cloned().unwrap_or_default() {
            let Some(aty) = atys.get(&name) else { continue };
            let e = match convs.get(&name) {
                Some(Some(c)) => {
                    path.push(PathStep::Key(name.clone()));
                    let r = c(e, path);
                    path.pop();
                    r?
                }
                Some(None) => {
                    return Err(path_err(
                        path,
                        format!(
                            "map element type is incompatible with attribute {}: {}",
                            crate::cty::ty::go_quote(&name),
                            super::mismatch_message(&e.ty(), aty)
                        ),
                    ));
                }
                None => e,
            };
            elems.insert(name, null_without_optional(e));
        }
        for (name, aty) in &atys {
            if !elems.contains_key(name) {
                if obj_ty.attribute_optional(name) {
                    elems.insert(name.clone(), Value::Null(aty.clone()));
                } else {
                    return Err(path_err(
                        path,
                        format!("map has no element for required attribute {}", crate::cty::ty::go_quote(name)),
                    ));
                }
            }
        }
        Ok(Value::object_from_map(elems))
    }))
}

pub(super) fn object_to_object(in_ty: &Type, out: &Type, unsafe_: bool) -> Option<Conversion> {
    let in_atys = in_ty.attribute_types()?.clone();
    let Type::Object(out_obj) = out else { return None };
    let out_obj = out_obj.clone();
    let mut convs: BTreeMap<String, Option<Conversion>> = BTreeMap::new();
    for (name, out_aty) in &out_obj.attrs {
        let Some(in_aty) = in_atys.get(name) else {
            if out_obj.optional.contains(name) {
                continue;
            }
            return None;
        };
        if in_aty == out_aty {
            convs.insert(name.clone(), None);
            continue;
        }
        convs.insert(name.clone(), Some(get_conversion(in_aty, out_aty, unsafe_)?));
    }
    Some(Arc::new(move |v: Value, path: &mut Vec<PathStep>| {
        let mut attrs = BTreeMap::new();
        for (name, e) in v.as_map().cloned().unwrap_or_default() {
            let Some(conv) = convs.get(&name) else { continue };
            let e = apply(conv, e, path, PathStep::Attr(name.clone()))?;
            attrs.insert(name, null_without_optional(e));
        }
        for name in &out_obj.optional {
            if !attrs.contains_key(name) {
                let t = out_obj.attrs[name].without_optional_attributes_deep();
                attrs.insert(name.clone(), Value::Null(t));
            }
        }
        Ok(Value::object_from_map(attrs))
    }))
}

pub(super) fn tuple_to_tuple(in_ty: &Type, out: &Type, unsafe_: bool) -> Option<Conversion> {
    let in_etys = in_ty.tuple_element_types()?.to_vec();
    let out_etys = out.tuple_element_types()?.to_vec();
    if in_etys.len() != out_etys.len() {
        return None;
    }
    let convs: Vec<Option<Conversion>> = in_etys
        .iter()
        .zip(&out_etys)
        .map(|(i, o)| if i == o { Some(None) } else { get_conversion(i, o, unsafe_).map(Some) })
        .collect::<Option<_>>()?;
    Some(Arc::new(move |v: Value, path: &mut Vec<PathStep>| {
        let mut elems = Vec::new();
        for (i, e) in v.as_seq().unwrap_or(&[]).iter().enumerate() {
            elems.push(apply(&convs[i], e.clone(), path, PathStep::Index(i))?);
        }
        Ok(Value::tuple(elems))
    }))
}

fn unify_map_elements(
    elems: BTreeMap<String, Value>,
    path: &mut Vec<PathStep>,
    unsafe_: bool,
) -> Result<BTreeMap<String, Value>, PathError> {
    let types: Vec<Type> = elems.values().map(Value::ty).collect();
    let Some(unified) = unify(&types, unsafe_).0 else {
        return Err(path_err(path, "cannot find a common base type for all elements"));
    };
    let mut out = BTreeMap::new();
    for (name, e) in elems {
        if e.has_type(&unified) {
            out.insert(name, e);
            continue;
        }
        let conv = get_conversion(&e.ty(), &unified, unsafe_)
            .ok_or_else(|| path_err(path, "cannot find a common base type for all elements"))?;
        path.push(PathStep::Key(name.clone()));
        let r = conv(e, path);
        path.pop();
        out.insert(name, r?);
    }
    Ok(out)
}

fn unify_list_elements(elems: Vec<Value>, path: &mut Vec<PathStep>, unsafe_: bool) -> Result<Vec<Value>, PathError> {
    let types: Vec<Type> = elems.iter().map(Value::ty).collect();
    let Some(unified) = unify(&types, unsafe_).0 else {
        return Err(path_err(path, "cannot find a common base type for all elements"));
    };
    let mut out = Vec::with_capacity(elems.len());
    for (i, e) in elems.into_iter().enumerate() {
        if e.has_type(&unified) {
            out.push(e);
            continue;
        }
        let conv = get_conversion(&e.ty(), &unified, unsafe_)
            .ok_or_else(|| path_err(path, "cannot find a common base type for all elements"))?;
        path.push(PathStep::Index(i));
        let r = conv(e, path);
        path.pop();
        out.push(r?);
    }
    Ok(out)
}
