//! cty's `MismatchMessage`: why a value of one type cannot become another, worded for
//! people ("attribute \"name\" is required", "list of string required").

use super::get_conversion;
use crate::cty::ty::{Type, go_quote};

pub fn mismatch_message(got: &Type, want: &Type) -> String {
    match (got, want) {
        (Type::Object(_), Type::Object(_)) => objects(got, want),
        (Type::Tuple(_), Type::List(e)) if e.is_dynamic() => "all list elements must have the same type".into(),
        (Type::Tuple(_), Type::Set(e)) if e.is_dynamic() => "all set elements must have the same type".into(),
        (Type::Object(_), Type::Map(e)) if e.is_dynamic() => "all map elements must have the same type".into(),
        (Type::Tuple(_) | Type::Object(_), w) if w.is_collection() => from_structural(got, want),
        (g, w) if g.is_collection() && w.is_collection() => from_collections(got, want),
        _ => format!("{} required", want.friendly_name_for_constraint()),
    }
}

fn objects(got: &Type, want: &Type) -> String {
    let got_atys = got.attribute_types().cloned().unwrap_or_default();
    let want_atys = want.attribute_types().cloned().unwrap_or_default();
    let mut missing = Vec::new();
    let mut unsafe_mismatch: Option<String> = None;
    let mut safe_mismatch: Option<String> = None;
    for (name, want_aty) in &want_atys {
        let Some(got_aty) = got_atys.get(name) else {
            if !want.attribute_optional(name) {
                missing.push(name.clone());
            }
            continue;
        };
        if got_aty == want_aty {
            continue;
        }
        if unsafe_mismatch.is_none() && get_conversion(got_aty, want_aty, true).is_none() {
            unsafe_mismatch = Some(format!("attribute {}: {}", go_quote(name), mismatch_message(got_aty, want_aty)));
        }
        if safe_mismatch.is_none() && get_conversion(got_aty, want_aty, false).is_none() {
            safe_mismatch = Some(format!("attribute {}: {}", go_quote(name), mismatch_message(got_aty, want_aty)));
        }
    }
    if !missing.is_empty() {
        missing.sort();
        return match missing.len() {
            1 => format!("attribute {} is required", go_quote(&missing[0])),
            2 => format!("attributes {} and {} are required", go_quote(&missing[0]), go_quote(&missing[1])),
            _ => {
                let head: Vec<String> = missing[..missing.len() - 1].iter().map(|m| go_quote(m)).collect();
                format!("attributes {}, and {} are required", head.join(", "), go_quote(&missing[missing.len() - 1]))
            }
        };
    }
    unsafe_mismatch.or(safe_mismatch).unwrap_or_else(|| "incorrect object attributes".into())
}

fn from_structural(got: &Type, want: &Type) -> String {
    match want {
        Type::List(_) | Type::Set(_) if !got.is_tuple() => {
            return format!("{} required", want.friendly_name_for_constraint());
        }
        Type::Map(_) if !got.is_object() => return format!("{} required", want.friendly_name_for_constraint()),
        _ => {}
    }
    let want_ety = want.element_type().cloned().unwrap_or_default();
    match got {
        Type::Tuple(etys) => {
            for (i, gety) in etys.iter().enumerate() {
                if gety == &want_ety || get_conversion(gety, &want_ety, true).is_some() {
                    continue;
                }
                return format!("element {i}: {}", mismatch_message(gety, &want_ety));
            }
            format!("all elements must be {}", want_ety.friendly_name_for_constraint())
        }
        Type::Object(o) => {
            for (name, gaty) in &o.attrs {
                if gaty == &want_ety || get_conversion(gaty, &want_ety, true).is_some() {
                    continue;
                }
                return format!("element {}: {}", go_quote(name), mismatch_message(gaty, &want_ety));
            }
            format!("all elements must be {}", want_ety.friendly_name_for_constraint())
        }
        _ => format!("{} required", want.friendly_name_for_constraint()),
    }
}

fn from_collections(got: &Type, want: &Type) -> String {
    match want {
        Type::List(_) | Type::Set(_) if !(got.is_list() || got.is_set()) => {
            return format!("{} required", want.friendly_name_for_constraint());
        }
        Type::Map(_) if !got.is_map() => return format!("{} required", want.friendly_name_for_constraint()),
        _ => {}
    }
    let noun = match want {
        Type::List(_) => "list element type",
        Type::Set(_) => "set element type",
        _ => "map element type",
    };
    let (g, w) = (got.element_type().cloned().unwrap_or_default(), want.element_type().cloned().unwrap_or_default());
    format!("incorrect {noun}: {}", mismatch_message(&g, &w))
}
