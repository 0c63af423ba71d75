use super::*;

fn expr(src: &str) -> Expr {
    let (e, d) = parse_expression(src.as_bytes(), "<test>");
    assert!(d.is_empty(), "{src}: {d:?}");
    e
}

#[test]
fn precedence_and_traversals() {
    let e = expr("a.b[0].c + 2 * 3 == 9 ? x : y");
    assert!(matches!(e.kind, ExprKind::Conditional { .. }));
    let e = expr("var.users.*.tags[0]");
    // `.*` takes only the attribute and legacy-index steps; `[0]` applies to its result.
    let ExprKind::RelativeTraversal { source, .. } = &e.kind else { panic!("{e:?}") };
    assert!(matches!(source.kind, ExprKind::Splat { .. }));
    let e = expr("var.users[*].tags[0]");
    assert!(matches!(e.kind, ExprKind::Splat { .. }));
}

#[test]
fn duplicate_object_keys_parse() {
    let e = expr("{a = 1, a = 2}");
    let ExprKind::Object(items) = &e.kind else { panic!() };
    assert_eq!(items.len(), 2);
}

#[test]
fn templates_and_heredocs() {
    let e = expr("\"${x}\"");
    assert!(matches!(e.kind, ExprKind::TemplateWrap(_)));
    let (body, d) = parse_config(b"x = <<-EOT\n    a\n      b\n    EOT\n", "t.tf");
    assert!(d.is_empty(), "{d:?}");
    let ExprKind::Template(parts) = &body.attributes[0].expr.kind else { panic!() };
    let ExprKind::Literal(v) = &parts[0].kind else { panic!() };
    assert_eq!(v.as_str(), Some("a\n  b\n"));
}

#[test]
fn big_numbers_parse() {
    let e = expr("1e400");
    let ExprKind::Literal(v) = &e.kind else { panic!() };
    assert!(v.as_number().is_some());
}

#[test]
fn syntax_errors_read_as_hcl() {
    let (_, d) = parse_expression(b"1 +", "<console-input>");
    assert_eq!(d[0].summary, "Missing expression");
    let (_, d) = parse_config(b"a = 1\na = 2\n", "main.tf");
    assert_eq!(d[0].summary, "Attribute redefined");
    assert_eq!(d[0].detail, "The argument \"a\" was already set at main.tf:1,1-2. Each argument may be set only once.");
    let (_, d) = parse_config(b"a = \"\xff\"\n", "main.tf");
    assert_eq!(d[0].summary, "Invalid character encoding");
}
