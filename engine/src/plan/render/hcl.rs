//! Values printed as HCL, as `terrane output` and `terrane state show` print them.

use crate::value::{Value, View};

/// Formats `v` as an HCL expression, nested structures indented by `indent` spaces per level
/// (from `level`). Sensitive values print as `mask`.
pub fn format_value(v: &Value, level: usize, indent: usize, mask: &str) -> String {
    let pad = " ".repeat(level * indent);
    let inner = " ".repeat((level + 1) * indent);
    match v.view() {
        View::Sensitive(_) => mask.to_string(),
        View::Unknown => "(known after apply)".to_string(),
        View::Null => "null".to_string(),
        View::Bool(b) => b.to_string(),
        View::Number(n) => n.to_string(),
        View::String(s) if s.contains('\n') && !s.contains("${") => {
            let body = s.strip_suffix('\n').unwrap_or(s);
            let mut out = String::from("<<-EOT\n");
            for line in body.split('\n') {
                out.push_str(&format!("{inner}{line}\n"));
            }
            out.push_str(&format!("{pad}EOT"));
            out
        }
        View::String(s) => crate::addr::quote(s),
        View::Seq(items) => {
            if items.is_empty() {
                return "[]".into();
            }
            let mut out = String::from("[\n");
            for i in items {
                out.push_str(&format!("{inner}{},\n", format_value(i, level + 1, indent, mask)));
            }
            out.push_str(&format!("{pad}]"));
            out
        }
        View::Map(m) => {
            if m.is_empty() {
                return "{}".into();
            }
            let keys: Vec<String> = m.keys().map(|k| crate::addr::quote(k)).collect();
            let width = keys.iter().map(String::len).max().unwrap_or(0);
            let mut out = String::from("{\n");
            for (k, (_, item)) in keys.iter().zip(m) {
                out.push_str(&format!("{inner}{k:<width$} = {}\n", format_value(item, level + 1, indent, mask)));
            }
            out.push_str(&format!("{pad}}}"));
            out
        }
    }
}

/// The attributes of a resource object as a `resource "type" "name" { ... }` block.
pub fn format_resource(kind: &str, type_name: &str, name: &str, v: &Value) -> String {
    let mut out = format!("{kind} \"{type_name}\" \"{name}\" {{\n");
    if let Some(m) = v.as_map() {
        let shown: Vec<(&String, &Value)> = m.iter().filter(|(_, v)| !v.is_null()).collect();
        let width = shown.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        for (k, item) in shown {
            out.push_str(&format!("    {k:<width$} = {}\n", format_value(item, 1, 4, "(sensitive value)")));
        }
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_terraform_output() {
        let v = Value::object([
            ("b", Value::from("x")),
            ("a", Value::tuple(vec![1i64.into(), Value::from("s").mark_sensitive()])),
        ]);
        assert_eq!(
            format_value(&v, 0, 2, "<sensitive>"),
            "{\n  \"a\" = [\n    1,\n    <sensitive>,\n  ]\n  \"b\" = \"x\"\n}"
        );
    }
}
