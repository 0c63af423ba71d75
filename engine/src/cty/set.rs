//! Sets as cty keeps them: unique elements (by `Equals`), in cty's order — strings by bytes,
//! numbers by value, false before true, other types by their "hash bytes" — with known
//! values first, then unknowns, then null. Marks on elements move to the set itself.

use super::marks::Marks;
use super::ty::{Type, go_quote};
use super::value::{SeqData, Value};
use std::cmp::Ordering;
use std::sync::Arc;

pub(crate) fn make_set(ety: Type, items: Vec<Value>) -> Value {
    let mut marks = Marks::NONE;
    let mut items: Vec<Value> = items
        .into_iter()
        .map(|v| {
            let (v, m) = v.unmark_deep();
            marks |= m;
            v
        })
        .collect();
    // A stable sort keeps several unknowns (which are never equal) in their given order.
    items.sort_by(set_order);
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for v in items {
        // Equal elements sort next to each other; unknowns are never equal to anything.
        let dup = out.last().is_some_and(|o| super::ops::equals(o, &v).as_bool() == Some(true));
        if !dup {
            out.push(v);
        }
    }
    Value::Set(Arc::new(SeqData { ety, items: out })).with_marks(marks)
}

/// cty's set ordering (`setRules.Less` as a total order for sorting).
pub fn set_order(a: &Value, b: &Value) -> Ordering {
    let class = |v: &Value| {
        if v.is_null() {
            2
        } else if !v.is_known() {
            1
        } else {
            0
        }
    };
    let (ca, cb) = (class(a), class(b));
    if ca != cb || ca != 0 {
        return ca.cmp(&cb);
    }
    match (a.unmarked(), b.unmarked()) {
        (Value::String(x), Value::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Value::Number(x), Value::Number(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => hash_bytes(a).cmp(&hash_bytes(b)),
    }
}

/// cty's `makeSetHashBytes`: a canonical spelling of a value, used to order sets of
/// non-primitive elements.
pub fn hash_bytes(v: &Value) -> Vec<u8> {
    let mut buf = String::new();
    append_hash(v, &mut buf);
    buf.into_bytes()
}

fn append_hash(v: &Value, buf: &mut String) {
    match v.unmarked() {
        Value::Unknown(_) => buf.push('?'),
        Value::Null(_) => buf.push('~'),
        Value::Number(n) => buf.push_str(&n.go_string()),
        Value::Bool(b) => buf.push(if *b { 'T' } else { 'F' }),
        Value::String(s) => buf.push_str(&go_quote(s)),
        Value::Map(m) => {
            buf.push('{');
            for (k, e) in &m.items {
                buf.push_str(&go_quote(k));
                buf.push(':');
                append_hash(e, buf);
                buf.push(';');
            }
            buf.push('}');
        }
        Value::List(s) | Value::Set(s) => {
            buf.push('[');
            for e in &s.items {
                append_hash(e, buf);
                buf.push(';');
            }
            buf.push(']');
        }
        Value::Object(attrs) => {
            buf.push('<');
            for e in attrs.values() {
                append_hash(e, buf);
                buf.push(';');
            }
            buf.push('>');
        }
        Value::Tuple(items) => {
            buf.push('<');
            for e in items.iter() {
                append_hash(e, buf);
                buf.push(';');
            }
            buf.push('>');
        }
        Value::Marked(..) => unreachable!("unmarked above"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_dedupe_and_order() {
        let s = Value::set(Type::String, vec!["b".into(), "a".into(), "b".into()]);
        assert_eq!(s.as_seq().unwrap().iter().map(|v| v.as_str().unwrap()).collect::<Vec<_>>(), ["a", "b"]);
        let n = Value::set(Type::Number, vec![Value::int(10), Value::int(9), Value::int(10)]);
        assert_eq!(n.as_seq().unwrap().iter().map(|v| v.as_i64().unwrap()).collect::<Vec<_>>(), [9, 10]);
    }

    #[test]
    fn unknowns_stay_distinct_and_marks_hoist() {
        let s = Value::set(
            Type::String,
            vec![
                Value::unknown(Type::String),
                Value::unknown(Type::String),
                Value::from("x").with_marks(Marks::SENSITIVE),
            ],
        );
        assert!(s.marks().is_sensitive());
        assert_eq!(s.length_int(), Some(3));
        assert_eq!(s.as_seq().unwrap()[0].as_str(), Some("x"));
    }
}
