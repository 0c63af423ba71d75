//! How `terraform console` prints a value (Terraform's `repl.FormatValue`): HCL-like, with
//! the collection kinds spelled out (`tolist([...])`, `tomap({...})`) and typed nulls
//! (`tostring(null)`), multi-line strings as heredocs.

use crate::cty::ty::go_quote;
use crate::cty::{Marks, Type, Value};

pub fn format_value(v: &Value, indent: usize) -> String {
    if !v.is_known() {
        return "(known after apply)".into();
    }
    if v.marks().contains(Marks::SENSITIVE) {
        return "(sensitive value)".into();
    }
    if v.marks().contains(Marks::EPHEMERAL) {
        return "(ephemeral value)".into();
    }
    let v = v.unmarked();
    if let Value::Null(ty) = v {
        return match ty {
            Type::Dynamic => "null".into(),
            Type::String => "tostring(null)".into(),
            Type::Number => "tonumber(null)".into(),
            Type::Bool => "tobool(null)".into(),
            Type::List(e) => format!("tolist(null) /* of {} */", e.friendly_name()),
            Type::Set(e) => format!("toset(null) /* of {} */", e.friendly_name()),
            Type::Map(e) => format!("tomap(null) /* of {} */", e.friendly_name()),
            other => format!("null /* {} */", other.friendly_name()),
        };
    }
    match v {
        Value::String(s) => multiline(s, indent).unwrap_or_else(|| go_quote(s)),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Object(_) => mapping(v, indent),
        Value::Tuple(_) => sequence(v, indent),
        Value::List(_) => format!("tolist({})", sequence(v, indent)),
        Value::Set(_) => format!("toset({})", sequence(v, indent)),
        Value::Map(_) => format!("tomap({})", mapping(v, indent)),
        other => format!("{other:?}"),
    }
}

fn multiline(s: &str, indent: usize) -> Option<String> {
    let lines: Vec<&str> = s.split('\n').collect();
    if lines.len() < 2 {
        return None;
    }
    let op = if indent > 0 { "<<-" } else { "<<" };
    let mut delim = String::from("EOT");
    while lines.iter().any(|l| l.trim() == delim) {
        delim.push('_');
    }
    let pad = " ".repeat(indent);
    let mut b = format!("{op}{delim}");
    for l in &lines {
        b.push('\n');
        b.push_str(&pad);
        b.push_str(l);
    }
    b.push('\n');
    b.push_str(&pad);
    b.push_str(&delim);
    Some(b)
}

fn mapping(v: &Value, indent: usize) -> String {
    let mut b = String::from("{");
    let inner = indent + 2;
    let elems = v.elements();
    for (k, e) in &elems {
        b.push('\n');
        b.push_str(&" ".repeat(inner));
        b.push_str(&format_value(k, inner));
        b.push_str(" = ");
        b.push_str(&format_value(e, inner));
    }
    if !elems.is_empty() {
        b.push('\n');
        b.push_str(&" ".repeat(indent));
    }
    b.push('}');
    b
}

fn sequence(v: &Value, indent: usize) -> String {
    let mut b = String::from("[");
    let inner = indent + 2;
    let elems = v.elements();
    for (_, e) in &elems {
        b.push('\n');
        b.push_str(&" ".repeat(inner));
        b.push_str(&format_value(e, inner));
        b.push(',');
    }
    if !elems.is_empty() {
        b.push('\n');
        b.push_str(&" ".repeat(indent));
    }
    b.push(']');
    b
}

/// The type a console `type()` call gave, when `v` is its result.
pub fn type_marker(v: &Value) -> Option<String> {
    let m = v.unmarked().as_map()?;
    let (k, t) = m.iter().next().filter(|_| m.len() == 1)?;
    (k == crate::lang::eval::call::TYPE_MARKER).then(|| t.as_str().unwrap_or("").to_string())
}
