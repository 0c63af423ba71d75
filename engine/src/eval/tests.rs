//! Evaluator tests over small expressions with a fixed scope.

use super::*;
use crate::value::Value;
use std::collections::HashMap;

struct MapScope(HashMap<String, Value>);

impl Scope for MapScope {
    fn resolve(&self, subject: &Subject, range: &SourceRange) -> Result<Value, Diagnostic> {
        self.0
            .get(&subject.to_string())
            .cloned()
            .ok_or_else(|| Diagnostic::error("Reference to undeclared object", subject.to_string()).at(range.clone()))
    }
}

fn scope() -> MapScope {
    MapScope(HashMap::from([
        ("var.name".to_string(), Value::from("web")),
        ("var.n".to_string(), Value::from(3i64)),
        ("var.list".to_string(), Value::List(vec!["a".into(), "b".into()])),
        ("var.secret".to_string(), Value::from("hunter2").mark_sensitive()),
        ("var.unknown".to_string(), Value::Unknown),
        (
            "aws_instance.web".to_string(),
            Value::List(vec![
                Value::object([("id", Value::from("i-1")), ("tags", Value::object([("Name", Value::from("a"))]))]),
                Value::object([("id", Value::Unknown), ("tags", Value::object([("Name", Value::from("b"))]))]),
            ]),
        ),
    ]))
}

fn eval(src: &str) -> Result<Value, Diagnostic> {
    let e = Expr { file: 0, expr: hcl_edit::parser::parse_expr(src).expect("parses") };
    let s = scope();
    Evaluator::new(&s, Path::new(".")).eval(&e)
}

fn ok(src: &str) -> Value {
    eval(src).unwrap_or_else(|d| panic!("{src}: {d}"))
}

#[test]
fn literals_and_operators() {
    assert_eq!(ok("1 + 2 * 3"), Value::from(7i64));
    assert_eq!(ok("\"5\" + 1"), Value::from(6i64));
    assert_eq!(ok("10 % 4"), Value::from(2i64));
    assert_eq!(ok("!true || false"), Value::Bool(false));
    assert_eq!(ok("1 == \"1\""), Value::Bool(false));
    assert_eq!(ok("[1, \"a\"] == [1, \"a\"]"), Value::Bool(true));
    assert_eq!(ok("var.n > 2 ? \"big\" : \"small\""), Value::from("big"));
    assert!(eval("1 / 0").is_err());
}

#[test]
fn references_and_traversals() {
    assert_eq!(ok("var.name"), Value::from("web"));
    assert_eq!(ok("aws_instance.web[0].id"), Value::from("i-1"));
    assert_eq!(ok("aws_instance.web[*].tags.Name"), Value::List(vec!["a".into(), "b".into()]));
    assert_eq!(ok("aws_instance.web.*.id"), Value::List(vec!["i-1".into(), Value::Unknown]));
    assert_eq!(ok("var.list[1]"), Value::from("b"));
    let e = eval("aws_instance.web[0].idd").unwrap_err();
    assert!(e.detail.contains("Did you mean \"id\""), "{}", e.detail);
    let e = eval("var.list[5]").unwrap_err();
    assert_eq!(e.summary, "Invalid index");
}

#[test]
fn templates_and_heredocs() {
    assert_eq!(ok("\"${var.name}-${var.n}\""), Value::from("web-3"));
    assert_eq!(ok("\"${var.list}\""), Value::List(vec!["a".into(), "b".into()]));
    assert_eq!(ok("\"%{ for x in var.list }${x},%{ endfor }\""), Value::from("a,b,"));
    assert_eq!(ok("\"%{ if var.n > 1 }many%{ else }one%{ endif }\""), Value::from("many"));
    assert_eq!(ok("<<-EOT\n    a\n      b\n    EOT"), Value::from("a\n  b\n"));
    assert_eq!(ok("\"x ${~ var.name ~} y\""), Value::from("xweby"));
    assert_eq!(ok("\"$${literal}\""), Value::from("${literal}"));
}

#[test]
fn for_expressions() {
    assert_eq!(ok("[for s in var.list : upper(s)]"), Value::List(vec!["A".into(), "B".into()]));
    assert_eq!(
        ok("{for i, s in var.list : s => i}"),
        Value::object([("a", Value::from(0i64)), ("b", Value::from(1i64))])
    );
    assert_eq!(ok("[for s in var.list : s if s != \"a\"]"), Value::List(vec!["b".into()]));
    assert_eq!(
        ok("{for s in [\"a\", \"b\", \"a\"] : s => s...}"),
        Value::object([("a", Value::List(vec!["a".into(), "a".into()])), ("b", Value::List(vec!["b".into()]))])
    );
    assert_eq!(eval("{for s in [\"a\", \"a\"] : s => s}").unwrap_err().summary, "Duplicate object key");
}

#[test]
fn unknowns_propagate() {
    assert_eq!(ok("var.unknown + 1"), Value::Unknown);
    assert_eq!(ok("\"x-${var.unknown}\""), Value::Unknown);
    assert_eq!(ok("upper(var.unknown)"), Value::Unknown);
    assert_eq!(ok("length(aws_instance.web)"), Value::from(2i64));
    assert_eq!(ok("var.unknown ? 1 : 2"), Value::Unknown);
    assert_eq!(ok("false && var.unknown"), Value::Bool(false));
    assert_eq!(ok("[for x in var.unknown : x]"), Value::Unknown);
}

#[test]
fn sensitive_marks_propagate() {
    assert!(ok("\"pw=${var.secret}\"").is_sensitive());
    assert!(ok("upper(var.secret)").is_sensitive());
    assert!(!ok("nonsensitive(var.secret)").is_sensitive());
    assert!(ok("sensitive(\"x\")").is_sensitive());
    let v = ok("{ a = var.secret, b = 1 }");
    assert!(!v.is_sensitive() && v.contains_sensitive());
}

#[test]
fn try_and_can() {
    assert_eq!(ok("try(var.list[9], \"fallback\")"), Value::from("fallback"));
    assert_eq!(ok("can(var.list[9])"), Value::Bool(false));
    assert_eq!(ok("can(var.list[0])"), Value::Bool(true));
    assert_eq!(ok("try(var.unknown, 1)"), Value::Unknown);
}

#[test]
fn function_errors_point_at_the_argument() {
    let e = eval("upper([1])").unwrap_err();
    assert_eq!(e.summary, "Invalid function argument");
    assert_eq!(e.range.unwrap().span, 6..9);
    let e = eval("uper(\"x\")").unwrap_err();
    assert!(e.detail.contains("Did you mean \"upper\""), "{}", e.detail);
}
