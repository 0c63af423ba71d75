//! Operations on values, with cty's rules for unknowns, nulls, refinements and marks:
//! equality, logic, arithmetic, comparison, length, attribute and index access.
//! Operands are assumed to have passed the function framework's checks (numbers for
//! arithmetic, not null where null is not allowed).

use super::marks::Marks;
use super::refine::{definitely_not_null, numeric_range_arithmetic};
use super::ty::Type;
use super::value::Value;
use crate::number::Number;
use std::cmp::Ordering;

fn unknown_bool() -> Value {
    Value::unknown(Type::Bool).refine_not_null()
}

/// cty's `Equals`: a bool, or an unknown bool when it cannot be decided yet. Nulls of any
/// type are equal; values of different types are not.
pub fn equals(a: &Value, b: &Value) -> Value {
    if a.contains_marked() || b.contains_marked() {
        let (ua, ma) = a.clone().unmark_deep();
        let (ub, mb) = b.clone().unmark_deep();
        return equals(&ua, &ub).with_marks(ma | mb);
    }
    if (a.is_null() && definitely_not_null(b)) || (b.is_null() && definitely_not_null(a)) {
        return Value::FALSE;
    }
    if a.is_known() && !b.is_known() {
        if b.range().includes(a).as_bool() == Some(false) {
            return Value::FALSE;
        }
    } else if b.is_known() && !a.is_known() && a.range().includes(b).as_bool() == Some(false) {
        return Value::FALSE;
    }
    match (a.is_known(), b.is_known()) {
        (false, false) => return unknown_bool(),
        (true, false) => {
            let bt = b.ty();
            if a.is_null() || bt.has_dynamic_types() || a.ty() == bt {
                return unknown_bool();
            }
            return Value::FALSE;
        }
        (false, true) => {
            let at = a.ty();
            if b.is_null() || at.has_dynamic_types() || b.ty() == at {
                return unknown_bool();
            }
            return Value::FALSE;
        }
        (true, true) => {}
    }
    match (a.is_null(), b.is_null()) {
        (true, true) => return Value::TRUE,
        (true, false) | (false, true) => return Value::FALSE,
        _ => {}
    }
    if !a.has_wholly_known_type() || !b.has_wholly_known_type() {
        let (at, bt) = (a.ty(), b.ty());
        if !at.test_conformance(&bt).is_empty() && !bt.test_conformance(&at).is_empty() {
            return Value::FALSE;
        }
        return unknown_bool();
    }
    if !same_type(a, b) {
        return Value::FALSE;
    }
    match equal_known(a, b) {
        Some(r) => Value::Bool(r),
        None => unknown_bool(),
    }
}

/// Equality of two known, non-null values of the same type; `None` when an unknown inside
/// decides it.
fn equal_known(a: &Value, b: &Value) -> Option<bool> {
    let eq_elems = |x: &[Value], y: &[Value]| -> Option<bool> {
        if x.len() != y.len() {
            return Some(false);
        }
        for (l, r) in x.iter().zip(y) {
            match equals(l, r).as_bool() {
                None => return None,
                Some(false) => return Some(false),
                Some(true) => {}
            }
        }
        Some(true)
    };
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => Some(x.raw_equal(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::String(x), Value::String(y)) => Some(x == y),
        (Value::List(x), Value::List(y)) => eq_elems(&x.items, &y.items),
        (Value::Tuple(x), Value::Tuple(y)) => eq_elems(x, y),
        (Value::Set(x), Value::Set(y)) => {
            if x.items.iter().chain(y.items.iter()).any(|v| !v.is_known()) {
                return None;
            }
            let has = |set: &[Value], v: &Value| set.iter().any(|e| equals(e, v).as_bool() == Some(true));
            Some(x.items.iter().all(|v| has(&y.items, v)) && y.items.iter().all(|v| has(&x.items, v)))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.items.len() != y.items.len() {
                return Some(false);
            }
            for (k, l) in &x.items {
                let r = y.items.get(k)?;
                match equals(l, r).as_bool() {
                    None => return None,
                    Some(false) => return Some(false),
                    Some(true) => {}
                }
            }
            Some(true)
        }
        (Value::Object(x), Value::Object(y)) => {
            for (k, l) in x.iter() {
                let r = y.get(k)?;
                match equals(l, r).as_bool() {
                    None => return None,
                    Some(false) => return Some(false),
                    Some(true) => {}
                }
            }
            Some(true)
        }
        _ => Some(false),
    }
}

/// Whether two values have the same type, without building their types.
pub fn same_type(a: &Value, b: &Value) -> bool {
    match (a.unmarked(), b.unmarked()) {
        (Value::Null(t), other) | (other, Value::Null(t)) => other.has_type(t),
        (Value::Unknown(u), other) | (other, Value::Unknown(u)) => other.has_type(&u.ty),
        (Value::Bool(_), Value::Bool(_))
        | (Value::Number(_), Value::Number(_))
        | (Value::String(_), Value::String(_)) => true,
        (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => x.ety == y.ety,
        (Value::Map(x), Value::Map(y)) => x.ety == y.ety,
        (Value::Tuple(x), Value::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(l, r)| same_type(l, r))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|((lk, l), (rk, r))| lk == rk && same_type(l, r))
        }
        _ => false,
    }
}

/// cty's `RawEquals`: the same type, marks, refinements and value, unknowns included.
pub fn raw_equals(a: &Value, b: &Value) -> bool {
    if a.marks() != b.marks() {
        return false;
    }
    match (a.unmarked(), b.unmarked()) {
        (Value::Null(x), Value::Null(y)) => x == y,
        (Value::Unknown(x), Value::Unknown(y)) => {
            x.ty == y.ty
                && match (&x.refinement, &y.refinement) {
                    (None, None) => true,
                    (Some(p), Some(q)) => p.raw_equal(q),
                    _ => false,
                }
        }
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x.raw_equal(y),
        (Value::String(x), Value::String(y)) => x == y,
        (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => {
            x.ety == y.ety
                && x.items.len() == y.items.len()
                && x.items.iter().zip(&y.items).all(|(l, r)| raw_equals(l, r))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.ety == y.ety
                && x.items.len() == y.items.len()
                && x.items.iter().zip(&y.items).all(|((lk, l), (rk, r))| lk == rk && raw_equals(l, r))
        }
        (Value::Tuple(x), Value::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(l, r)| raw_equals(l, r))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|((lk, l), (rk, r))| lk == rk && raw_equals(l, r))
        }
        _ => false,
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        raw_equals(self, other)
    }
}

/// cty's `mustTypeCheck` short circuit: an unknown result when an operand is dynamic or
/// unknown.
fn short_circuit(ret: Type, operands: &[&Value]) -> Option<Value> {
    if operands.iter().any(|v| {
        matches!(
            v.unmarked(),
            Value::Null(Type::Dynamic) | Value::Unknown(super::value::Unknown { ty: Type::Dynamic, .. })
        )
    }) {
        return Some(Value::unknown(ret));
    }
    if operands.iter().any(|v| !v.is_known()) {
        return Some(Value::unknown(ret));
    }
    None
}

fn split2(a: &Value, b: &Value) -> (Value, Value, Marks) {
    let (a, ma) = a.clone().unmark();
    let (b, mb) = b.clone().unmark();
    (a, b, ma | mb)
}

pub fn not(v: &Value) -> Value {
    let (v, m) = v.clone().unmark();
    let out = match short_circuit(Type::Bool, &[&v]) {
        Some(sc) => sc.refine_not_null(),
        None => Value::Bool(!v.as_bool().unwrap_or(false)),
    };
    out.with_marks(m)
}

pub fn and(a: &Value, b: &Value) -> Value {
    let (a, b, m) = split2(a, b);
    let out = match short_circuit(Type::Bool, &[&a, &b]) {
        Some(_) if a.as_bool() == Some(false) || b.as_bool() == Some(false) => Value::FALSE,
        Some(sc) => sc.refine_not_null(),
        None => Value::Bool(a.as_bool() == Some(true) && b.as_bool() == Some(true)),
    };
    out.with_marks(m)
}

pub fn or(a: &Value, b: &Value) -> Value {
    let (a, b, m) = split2(a, b);
    let out = match short_circuit(Type::Bool, &[&a, &b]) {
        Some(_) if a.as_bool() == Some(true) || b.as_bool() == Some(true) => Value::TRUE,
        Some(sc) => sc.refine_not_null(),
        None => Value::Bool(a.as_bool() == Some(true) || b.as_bool() == Some(true)),
    };
    out.with_marks(m)
}

fn num(v: &Value) -> &Number {
    v.as_number().expect("a number operand (checked by the function framework)")
}

/// The arithmetic operators; `Err` carries the NaN cases' messages ("can't compute sum of
/// opposing infinities"), as cty's stdlib words them.
pub fn add(a: &Value, b: &Value) -> Result<Value, String> {
    arith(a, b, add_raw, |x, y| x.add(y).map_err(|e| e.to_string()))
}

pub fn subtract(a: &Value, b: &Value) -> Result<Value, String> {
    arith(a, b, sub_raw, |x, y| x.sub(y).map_err(|e| e.to_string()))
}

pub fn multiply(a: &Value, b: &Value) -> Result<Value, String> {
    let (ua, ub, m) = split2(a, b);
    if short_circuit(Type::Number, &[&ua, &ub]).is_some() {
        let zero = |v: &Value| v.as_number().is_some_and(Number::is_zero);
        if zero(&ua) || zero(&ub) {
            return Ok(Value::Number(Number::from_i64(0)).with_marks(m));
        }
    }
    arith(a, b, mul_raw, |x, y| x.mul(y).map_err(|e| e.to_string()))
}

pub fn divide(a: &Value, b: &Value) -> Result<Value, String> {
    let (ua, ub, m) = split2(a, b);
    if let Some(sc) = short_circuit(Type::Number, &[&ua, &ub]) {
        return Ok(sc.refine_not_null().with_marks(m));
    }
    num(&ua).div(num(&ub)).map(|n| Value::Number(n).with_marks(m)).map_err(|e| e.to_string())
}

pub fn modulo(a: &Value, b: &Value) -> Result<Value, String> {
    let (ua, ub, m) = split2(a, b);
    if let Some(sc) = short_circuit(Type::Number, &[&ua, &ub]) {
        return Ok(sc.refine_not_null().with_marks(m));
    }
    num(&ua).modulo(num(&ub)).map(|n| Value::Number(n).with_marks(m)).map_err(|e| e.to_string())
}

fn add_raw(a: &Value, b: &Value) -> Value {
    match (a.as_number(), b.as_number()) {
        (Some(x), Some(y)) => x.add(y).map_or(Value::unknown(Type::Number), Value::Number),
        _ => Value::unknown(Type::Number),
    }
}
fn sub_raw(a: &Value, b: &Value) -> Value {
    match (a.as_number(), b.as_number()) {
        (Some(x), Some(y)) => x.sub(y).map_or(Value::unknown(Type::Number), Value::Number),
        _ => Value::unknown(Type::Number),
    }
}
fn mul_raw(a: &Value, b: &Value) -> Value {
    match (a.as_number(), b.as_number()) {
        (Some(x), Some(y)) => x.mul(y).map_or(Value::unknown(Type::Number), Value::Number),
        _ => Value::unknown(Type::Number),
    }
}

fn arith(
    a: &Value,
    b: &Value,
    raw: fn(&Value, &Value) -> Value,
    op: impl Fn(&Number, &Number) -> Result<Number, String>,
) -> Result<Value, String> {
    let (ua, ub, m) = split2(a, b);
    if let Some(sc) = short_circuit(Type::Number, &[&ua, &ub]) {
        let refined = numeric_range_arithmetic(sc.refine(), raw, &ua.range(), &ub.range()).new_value();
        return Ok(refined.refine_not_null().with_marks(m));
    }
    Ok(Value::Number(op(num(&ua), num(&ub))?).with_marks(m))
}

pub fn negate(v: &Value) -> Value {
    let (v, m) = v.clone().unmark();
    let out = match short_circuit(Type::Number, &[&v]) {
        Some(sc) => sc.refine_not_null(),
        None => Value::Number(num(&v).neg()),
    };
    out.with_marks(m)
}

pub fn absolute(v: &Value) -> Value {
    let (v, m) = v.clone().unmark();
    let out = match short_circuit(Type::Number, &[&v]) {
        Some(sc) => sc.refine().not_null().number_lower_bound(&Value::int(0), true).new_value(),
        None => Value::Number(num(&v).abs()),
    };
    out.with_marks(m)
}

fn compare(a: &Value, b: &Value, want: fn(Ordering) -> bool, strict_less: bool) -> Value {
    let (a, b, m) = split2(a, b);
    let out = match short_circuit(Type::Bool, &[&a, &b]) {
        Some(sc) => {
            let (ar, br) = (a.range(), b.range());
            let mut decided = None;
            if ar.ty == Type::Number && br.ty == Type::Number {
                // For `a < b`: true when a's maximum is below b's minimum, false when a's
                // minimum is above b's maximum (and mirrored for `a > b`).
                let (lo_side, hi_side) = if strict_less { (&ar, &br) } else { (&br, &ar) };
                let (lo_max, _) = lo_side.number_upper_bound();
                let (hi_min, _) = hi_side.number_lower_bound();
                if let (Some(x), Some(y)) = (lo_max.as_number(), hi_min.as_number())
                    && x.cmp(y) == Ordering::Less
                {
                    decided = Some(true);
                }
                let (lo_min, _) = lo_side.number_lower_bound();
                let (hi_max, _) = hi_side.number_upper_bound();
                if decided.is_none()
                    && let (Some(x), Some(y)) = (lo_min.as_number(), hi_max.as_number())
                    && x.cmp(y) == Ordering::Greater
                {
                    decided = Some(false);
                }
            }
            match decided {
                Some(d) => Value::Bool(d),
                None => sc.refine_not_null(),
            }
        }
        None => Value::Bool(want(num(&a).cmp(num(&b)))),
    };
    out.with_marks(m)
}

pub fn less_than(a: &Value, b: &Value) -> Value {
    compare(a, b, |o| o == Ordering::Less, true)
}

pub fn greater_than(a: &Value, b: &Value) -> Value {
    compare(a, b, |o| o == Ordering::Greater, false)
}

pub fn less_than_or_equal(a: &Value, b: &Value) -> Value {
    or(&less_than(a, b), &equals(a, b))
}

pub fn greater_than_or_equal(a: &Value, b: &Value) -> Value {
    or(&greater_than(a, b), &equals(a, b))
}

/// cty's `Length`: known for tuples even when unknown, refined bounds for unknown
/// collections, and a range for sets holding unknowns (which may turn out equal).
pub fn length(v: &Value) -> Value {
    let (v, m) = v.clone().unmark();
    let out = match &v {
        Value::Tuple(items) => Value::int(items.len() as i64),
        _ if v.ty().is_tuple() => Value::int(v.ty().tuple_element_types().map_or(0, <[Type]>::len) as i64),
        Value::Unknown(_) => {
            let r = v.range();
            let hi = r.length_upper_bound();
            Value::unknown(Type::Number)
                .refine()
                .not_null()
                .number_lower_bound(&Value::int(r.length_lower_bound() as i64), true)
                .number_upper_bound(&Value::from(hi), true)
                .new_value()
        }
        Value::Set(s) => {
            let n = s.items.len();
            if n == 1 || v.is_wholly_known() {
                Value::int(n as i64)
            } else {
                Value::unknown(Type::Number)
                    .refine()
                    .not_null()
                    .number_range_inclusive(&Value::int(1), &Value::int(n as i64))
                    .new_value()
            }
        }
        other => Value::int(other.length_int().unwrap_or(0) as i64),
    };
    out.with_marks(m)
}

/// An attribute of an object value (`None` when the object has no such attribute). An
/// unknown object gives an unknown of the attribute's type; a dynamic one, dynamic.
pub fn get_attr(v: &Value, name: &str) -> Option<Value> {
    let (v, m) = v.clone().unmark();
    let out = match &v {
        Value::Object(attrs) => attrs.get(name)?.clone(),
        Value::Unknown(u) if u.ty.is_dynamic() => Value::DYNAMIC,
        Value::Null(t) | Value::Unknown(super::value::Unknown { ty: t, .. }) if t.is_dynamic() => Value::DYNAMIC,
        Value::Unknown(u) => Value::unknown(u.ty.attribute_type(name)?.clone()),
        _ => return None,
    };
    Some(out.with_marks(m))
}

/// An element of a list, map or tuple by a key of the right type (number or string),
/// which must exist; unknowns as cty's `Index`.
pub fn index(v: &Value, key: &Value) -> Value {
    let (v, m) = split_marks(v, key);
    let (v, key) = v;
    let vt = v.ty();
    let out = match &vt {
        Type::Dynamic => Value::DYNAMIC,
        Type::List(e) | Type::Map(e) => {
            if key.ty().is_dynamic() || !key.is_known() || !v.is_known() {
                Value::unknown((**e).clone())
            } else {
                match (&v, &key) {
                    (Value::List(s), Value::Number(n)) => {
                        n.to_i64().and_then(|i| s.items.get(i as usize)).cloned().unwrap_or(Value::DYNAMIC)
                    }
                    (Value::Map(mm), Value::String(k)) => mm.items.get(k).cloned().unwrap_or(Value::DYNAMIC),
                    _ => Value::DYNAMIC,
                }
            }
        }
        Type::Tuple(ts) => {
            if key.ty().is_dynamic() || !key.is_known() {
                Value::DYNAMIC
            } else {
                let i = key.as_number().and_then(Number::to_i64).unwrap_or(-1);
                match &v {
                    Value::Tuple(items) => items.get(i as usize).cloned().unwrap_or(Value::DYNAMIC),
                    _ => ts.get(i as usize).cloned().map_or(Value::DYNAMIC, Value::unknown),
                }
            }
        }
        _ => Value::DYNAMIC,
    };
    out.with_marks(m)
}

fn split_marks(v: &Value, key: &Value) -> ((Value, Value), Marks) {
    let (v, mv) = v.clone().unmark();
    let (k, mk) = key.clone().unmark();
    ((v, k), mv | mk)
}

/// cty's `HasIndex`.
pub fn has_index(v: &Value, key: &Value) -> Value {
    let ((v, key), m) = split_marks(v, key);
    let vt = v.ty();
    let out = match &vt {
        Type::Dynamic => unknown_bool(),
        Type::List(_) => {
            if key.ty().is_dynamic() {
                unknown_bool()
            } else if !matches!(key.ty(), Type::Number) {
                Value::FALSE
            } else if !key.is_known() || !v.is_known() {
                unknown_bool()
            } else {
                match key.as_number().and_then(Number::to_i64) {
                    Some(i) if i >= 0 => Value::Bool((i as usize) < v.length_int().unwrap_or(0)),
                    _ => Value::FALSE,
                }
            }
        }
        Type::Map(_) => {
            if key.ty().is_dynamic() {
                unknown_bool()
            } else if key.ty() != Type::String {
                Value::FALSE
            } else if !key.is_known() || !v.is_known() {
                unknown_bool()
            } else {
                Value::Bool(v.as_map().is_some_and(|mm| mm.contains_key(key.as_str().unwrap_or(""))))
            }
        }
        Type::Tuple(ts) => {
            if key.ty().is_dynamic() {
                unknown_bool()
            } else if key.ty() != Type::Number {
                Value::FALSE
            } else if !key.is_known() {
                unknown_bool()
            } else {
                match key.as_number().and_then(Number::to_i64) {
                    Some(i) if i >= 0 => Value::Bool((i as usize) < ts.len()),
                    _ => Value::FALSE,
                }
            }
        }
        _ => Value::FALSE,
    };
    out.with_marks(m)
}

/// cty's `HasElement` on a set (as in cty 1.16, which Terraform 1.11 uses).
pub fn has_element(set: &Value, elem: &Value) -> Value {
    let ((set, elem), m) = split_marks(set, elem);
    let out = if !set.is_known() || !elem.is_known() {
        unknown_bool()
    } else if set.ty().element_type() != Some(&elem.ty()) {
        Value::FALSE
    } else {
        let items = set.as_seq().unwrap_or(&[]);
        Value::Bool(items.iter().any(|e| equals(e, &elem).as_bool() == Some(true)))
    };
    out.with_marks(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equality_follows_types() {
        let empty_tuple = Value::empty_tuple();
        let empty_list = Value::empty_list(Type::Dynamic);
        assert_eq!(equals(&empty_tuple, &empty_list), Value::FALSE);
        let obj = Value::object([("a", Value::int(1))]);
        let map = Value::map(Type::Number, [("a".to_string(), Value::int(1))].into());
        assert_eq!(equals(&obj, &map), Value::FALSE);
        assert_eq!(equals(&Value::NULL, &Value::null(Type::String)), Value::TRUE);
        assert_eq!(equals(&Value::int(1), &Value::from("1")), Value::FALSE);
    }

    #[test]
    fn a_known_map_holding_an_unknown_is_not_null() {
        let m = Value::object([("a", Value::unknown(Type::String))]);
        assert_eq!(not(&equals(&m, &Value::NULL)), Value::TRUE);
    }

    #[test]
    fn unknown_comparisons() {
        let u = Value::unknown(Type::Number);
        assert!(!equals(&u, &Value::int(1)).is_known());
        assert_eq!(and(&u, &Value::FALSE), Value::FALSE);
        assert_eq!(or(&Value::TRUE, &u), Value::TRUE);
    }
}
