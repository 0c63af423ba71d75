//! Attribute and index access with HCL's rules and messages (`hcl.GetAttr`, `hcl.Index`).

use super::Diags;
use crate::cty::ty::go_quote;
use crate::cty::{Type, Value, convert, ops};
use crate::diag::{Diagnostic, SourceRange};

fn err(summary: &str, detail: impl Into<String>, range: &SourceRange) -> Diags {
    vec![Diagnostic::error(summary, detail).at(range.clone())]
}

/// `hcl.GetAttr`: `obj.name`.
pub fn get_attr(obj: &Value, name: &str, range: &SourceRange) -> Result<Value, Diags> {
    if obj.is_null() {
        return Err(err(
            "Attempt to get attribute from null value",
            "This value is null, so it does not have any attributes.",
            range,
        ));
    }
    let ty = obj.ty();
    match &ty {
        Type::Object(o) => {
            let Some(aty) = o.attrs.get(name) else {
                return Err(err(
                    "Unsupported attribute",
                    format!("This object does not have an attribute named {}.", go_quote(name)),
                    range,
                ));
            };
            if !obj.is_known() {
                return Ok(Value::unknown(aty.clone()).with_marks(obj.marks()));
            }
            Ok(ops::get_attr(obj, name).unwrap_or(Value::DYNAMIC))
        }
        Type::Map(ety) => {
            if !obj.is_known() {
                return Ok(Value::unknown((**ety).clone()).with_marks(obj.marks()));
            }
            let key = Value::string(name);
            if ops::has_index(obj, &key).unmark().0.as_bool() == Some(false) {
                return Err(err(
                    "Missing map element",
                    format!("This map does not have an element with the key {}.", go_quote(name)),
                    range,
                ));
            }
            Ok(ops::index(obj, &key))
        }
        Type::Dynamic => Ok(Value::DYNAMIC.with_marks(obj.marks())),
        Type::List(ety) if ety.is_object() => {
            if ety.attribute_type(name).is_some() {
                Err(err(
                    "Unsupported attribute",
                    format!(
                        "Can't access attributes on a list of objects. Did you mean to access attribute {} for a specific element of the list, or across all elements of the list?",
                        go_quote(name)
                    ),
                    range,
                ))
            } else {
                Err(err(
                    "Unsupported attribute",
                    "Can't access attributes on a list of objects. Did you mean to access an attribute for a specific element of the list, or across all elements of the list?",
                    range,
                ))
            }
        }
        Type::Set(ety) if ety.is_object() => Err(err(
            "Unsupported attribute",
            "Can't access attributes on a set of objects. Did you mean to access an attribute across all elements of the set?",
            range,
        )),
        t if t.is_primitive() => Err(err(
            "Unsupported attribute",
            format!("Can't access attributes on a primitive-typed value ({}).", t.friendly_name()),
            range,
        )),
        _ => Err(err("Unsupported attribute", "This value does not have any attributes.", range)),
    }
}

/// `hcl.Index`: `collection[key]`.
pub fn index(collection: &Value, key: &Value, range: &SourceRange) -> Result<Value, Diags> {
    const INVALID: &str = "Invalid index";
    if collection.is_null() {
        return Err(err("Attempt to index null value", "This value is null, so it does not have any indices.", range));
    }
    if key.is_null() {
        return Err(err(INVALID, "Can't use a null value as an indexing key.", range));
    }
    let ty = collection.ty();
    let kty = key.ty();
    if kty.is_dynamic() || ty.is_dynamic() {
        return Ok(Value::DYNAMIC.with_marks(collection.marks()));
    }
    match &ty {
        Type::List(_) | Type::Tuple(_) | Type::Map(_) => {
            let want = if ty.is_map() { Type::String } else { Type::Number };
            let key = convert::convert(key.clone(), &want).map_err(|e| {
                err(
                    INVALID,
                    format!("The given key does not identify an element in this collection value: {}.", e.message),
                    range,
                )
            })?;
            let has = ops::has_index(collection, &key).unmark().0;
            match has.as_bool() {
                None => {
                    return Ok(match &ty {
                        Type::Tuple(_) => Value::DYNAMIC.with_marks(collection.marks()),
                        _ => Value::unknown(ty.element_type().cloned().unwrap_or_default())
                            .with_marks(collection.marks()),
                    });
                }
                Some(false) => {
                    if (ty.is_list() || ty.is_tuple())
                        && key.ty() == Type::Number
                        && key.is_known()
                        && let Some(n) = key.unmarked().as_number()
                    {
                        let detail = if !n.is_integer() {
                            Some(
                                "The given key does not identify an element in this collection value: indexing a sequence requires a whole number, but the given index has a fractional part.",
                            )
                        } else if n.is_negative() {
                            Some(
                                "The given key does not identify an element in this collection value: a negative number is not a valid index for a sequence.",
                            )
                        } else {
                            // As HCL: these messages only come when the index equals the
                            // length (HCL tests `index - length < 1`).
                            match ops::length(collection) {
                                Value::Number(len) if n.sub(&len).is_ok_and(|d| d.is_zero()) => {
                                    if len.is_zero() {
                                        Some(
                                            "The given key does not identify an element in this collection value: the collection has no elements.",
                                        )
                                    } else {
                                        Some(
                                            "The given key does not identify an element in this collection value: the given index is greater than or equal to the length of the collection.",
                                        )
                                    }
                                }
                                _ => None,
                            }
                        };
                        if let Some(d) = detail {
                            return Err(err(INVALID, d, range));
                        }
                    }
                    return Err(err(
                        INVALID,
                        "The given key does not identify an element in this collection value.",
                        range,
                    ));
                }
                Some(true) => {}
            }
            Ok(ops::index(collection, &key))
        }
        Type::Object(o) => {
            let was_number = kty == Type::Number;
            let key = convert::convert(key.clone(), &Type::String).map_err(|e| {
                err(
                    INVALID,
                    format!("The given key does not identify an element in this collection value: {}.", e.message),
                    range,
                )
            })?;
            if !collection.is_known() || !key.is_known() {
                return Ok(Value::DYNAMIC.with_marks(collection.marks()));
            }
            let name = key.unmarked().as_str().unwrap_or("").to_string();
            let Some(aty) = o.attrs.get(&name) else {
                let hint = if was_number {
                    " An object only supports looking up attributes by name, not by numeric index."
                } else {
                    ""
                };
                return Err(err(
                    INVALID,
                    format!("The given key does not identify an element in this collection value.{hint}"),
                    range,
                ));
            };
            let _ = aty;
            Ok(ops::get_attr(collection, &name).unwrap_or(Value::DYNAMIC))
        }
        Type::Set(_) => Err(err(
            INVALID,
            "Elements of a set are identified only by their value and don't have any separate index or key to select with, so it's only possible to perform operations across all elements of the set.",
            range,
        )),
        _ => Err(err(INVALID, "This value does not have any indices.", range)),
    }
}
