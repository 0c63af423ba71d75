//! The string functions called as HCL calls them, against Terraform 1.11.4's answers
//! (`tests/conformance/expr/functions_string.cases` and cases asked of the console).

use crate::cty::{Marks, Type, Value};
use crate::lang::funcs::{TemplateArg, lookup, template_arg, templatestring_for};
use crate::lang::function::{FuncCtx, FuncError, TemplateRenderer, call_hcl};
use std::path::Path;

fn ctx_with(template: Option<&dyn TemplateRenderer>) -> FuncCtx<'_> {
    FuncCtx { base_dir: Path::new("."), template, plan_timestamp: None }
}

fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    call_hcl(name, lookup(name).expect("registered"), &ctx_with(None), args)
        .map_err(|es| es.into_iter().map(|e| format!("{}: {}", e.summary, e.detail)).collect::<Vec<_>>().join("\n"))
}

fn s(x: &str) -> Value {
    Value::string(x)
}

fn ok_str(name: &str, args: Vec<Value>) -> String {
    call(name, args).unwrap().as_str().expect("a known string").to_string()
}

fn strings(xs: &[&str]) -> Value {
    Value::list(Type::String, xs.iter().map(|x| s(x)).collect())
}

fn unknown_string() -> Value {
    Value::unknown(Type::String)
}

#[test]
fn arguments_as_hcl_checks_them() {
    assert_eq!(
        call("upper", vec![Value::null(Type::String)]).unwrap_err(),
        "Invalid function argument: Invalid value for \"str\" parameter: argument must not be null."
    );
    assert_eq!(ok_str("upper", vec![Value::int(1)]), "1");
    let v = call("upper", vec![Value::DYNAMIC]).unwrap();
    assert!(v.is_unknown() && v.ty() == Type::String && v.range().definitely_not_null());
    let v = call("title", vec![s("secret").with_marks(Marks::SENSITIVE)]).unwrap();
    assert!(v.marks().is_sensitive());
    assert_eq!(v.as_str(), Some("Secret"));
    assert_eq!(
        call("substr", vec![s("hello"), Value::number(crate::number::Number::parse("1.5").unwrap()), Value::int(2)])
            .unwrap_err(),
        "Error in function call: Call to function \"substr\" failed: value must be a whole number, between -9223372036854775808 and 9223372036854775807."
    );
    assert_eq!(ok_str("substr", vec![s("hello"), s("1"), s("2")]), "el");
    assert_eq!(ok_str("chomp", vec![s("hello\r\n\n\r")]), "hello");
    assert_eq!(ok_str("trimspace", vec![s("\u{a0}\u{2003}hello\u{3000}\t")]), "hello");
    assert_eq!(ok_str("trim", vec![s("?!hello?!"), s("!?")]), "hello");
    assert_eq!(ok_str("trimsuffix", vec![s("cafe\u{301}"), s("\u{301}")]), "café");
    assert_eq!(ok_str("strrev", vec![s("👨\u{200d}👩\u{200d}👧!")]), "!👨\u{200d}👩\u{200d}👧");
}

#[test]
fn startswith_reads_known_prefixes() {
    let refined = unknown_string().refine().not_null().string_prefix_full("prefix-").new_value();
    let starts = |p: &str| call("startswith", vec![refined.clone(), s(p)]).unwrap();
    assert_eq!(starts("pre").as_bool(), Some(true));
    assert_eq!(starts("x").as_bool(), Some(false));
    assert!(starts("prefix-abc").is_unknown());
    assert_eq!(call("startswith", vec![unknown_string(), s("")]).unwrap().as_bool(), Some(true));
    assert!(call("endswith", vec![unknown_string(), s("")]).unwrap().is_unknown());
    // strcontains does not refine its unknown result.
    let v = call("strcontains", vec![unknown_string(), s("a")]).unwrap();
    assert!(v.is_unknown() && !v.range().definitely_not_null());
}

#[test]
fn lists() {
    let v = call("sort", vec![Value::tuple(vec![s("b"), unknown_string()])]).unwrap();
    assert_eq!(v.length_int(), Some(2));
    assert!(v.as_seq().unwrap().iter().all(Value::is_unknown));
    assert!(call("sort", vec![Value::unknown(Type::list(Type::String))]).unwrap().is_unknown());
    assert_eq!(
        call("sort", vec![Value::tuple(vec![s("a"), Value::NULL])]).unwrap_err(),
        "Error in function call: Call to function \"sort\" failed: given list element 1 is null; a null string cannot be sorted."
    );
    let sorted = call("sort", vec![Value::tuple(vec![Value::int(10), Value::int(9), Value::int(1)])]).unwrap();
    assert_eq!(sorted.as_seq().unwrap().iter().map(|v| v.as_str().unwrap()).collect::<Vec<_>>(), ["1", "10", "9"]);
    assert_eq!(
        call("join", vec![s(",")]).unwrap_err(),
        "Error in function call: Call to function \"join\" failed: at least one list is required."
    );
    assert_eq!(
        call("join", vec![s(","), strings(&["a"]), Value::tuple(vec![s("b"), Value::NULL])]).unwrap_err(),
        "Invalid function argument: Invalid value for \"lists\" parameter: element 1 of list 2 is null; cannot concatenate null values."
    );
    assert!(
        call("join", vec![s(","), Value::tuple(vec![s("a"), Value::NULL]), Value::tuple(vec![unknown_string()])])
            .unwrap()
            .is_unknown()
    );
    assert_eq!(ok_str("join", vec![s(","), Value::tuple(vec![Value::int(1), Value::TRUE])]), "1,true");
    let empty = call("split", vec![s(""), s("")]).unwrap();
    assert!(empty.ty() == Type::list(Type::String) && empty.length_int() == Some(0));
}

#[test]
fn regex_results() {
    let tuple = call("regex", vec![s("(a)|(b)"), s("b")]).unwrap();
    assert_eq!(tuple.ty(), Type::tuple(vec![Type::String, Type::String]));
    assert!(tuple.as_seq().unwrap()[0].is_null());
    let obj = call("regex", vec![s("(?P<y>\\d{4})-(?P<m>\\d{2})"), s("2024-05")]).unwrap();
    assert_eq!(obj.get_attr("m").and_then(Value::as_str), Some("05"));
    assert_eq!(
        call("regex", vec![s("["), s("abc")]).unwrap_err(),
        "Invalid function argument: Invalid value for \"pattern\" parameter: invalid regexp pattern: missing closing ] in [."
    );
    assert_eq!(
        call("regex", vec![s("(?P<n>a)(b)"), s("ab")]).unwrap_err(),
        "Invalid function argument: Invalid value for \"pattern\" parameter: invalid regexp pattern: cannot mix both named and unnamed capture groups."
    );
    assert_eq!(
        call("regex", vec![s("x"), s("abc")]).unwrap_err(),
        "Error in function call: Call to function \"regex\" failed: pattern did not match any part of the given string."
    );
    let unknown = call("regex", vec![unknown_string(), s("a")]).unwrap();
    assert!(unknown.is_unknown() && unknown.ty() == Type::Dynamic);
    let unknown = call("regexall", vec![unknown_string(), s("a")]).unwrap();
    assert!(unknown.is_unknown() && unknown.ty() == Type::list(Type::Dynamic));
    let typed = call("regex", vec![s("(?P<x>a)"), unknown_string()]).unwrap();
    assert_eq!(typed.ty(), Type::object_from([("x", Type::String)]));
    let all = call("regexall", vec![s(""), s("ab")]).unwrap();
    assert_eq!(all.length_int(), Some(3));
    let dup = call("regex", vec![s("(?P<a>x)(?P<a>y)"), s("xy")]).unwrap();
    assert_eq!(dup.get_attr("a").and_then(Value::as_str), Some("y"));
    assert_eq!(ok_str("replace", vec![s("hello"), s("/(?P<first>h)/"), s("[$first]")]), "[h]ello");
    assert_eq!(
        call("replace", vec![s("hello"), s("/\\/"), s("x")]).unwrap_err(),
        "Error in function call: Call to function \"replace\" failed: error parsing regexp: trailing backslash at end of expression: ``."
    );
}

/// Renders `${name}` in a template by looking `name` up in the vars, and nothing else.
struct FakeRenderer;

impl TemplateRenderer for FakeRenderer {
    fn render(&self, src: &str, filename: &str, vars: &Value) -> Result<Value, FuncError> {
        assert_eq!(filename, "<templatestring argument>");
        match src.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
            Some(name) => Ok(vars.get_attr(name).cloned().unwrap_or(Value::NULL)),
            None => Ok(Value::string(src)),
        }
    }
}

#[test]
fn templatestring_checks_and_renders() {
    let renderer = FakeRenderer;
    let ctx = ctx_with(Some(&renderer));
    let call = |arg: TemplateArg, t: Value, vars: Value| {
        call_hcl("templatestring", templatestring_for(arg), &ctx, vec![t, vars])
            .map_err(|es| es.into_iter().map(|e| e.detail).collect::<Vec<_>>().join("\n"))
    };
    let vars = Value::object([("a", Value::int(5)), ("l", Value::tuple(vec![Value::int(1)]))]);
    let out = call(TemplateArg::Reference, s("${a}").with_marks(Marks::SENSITIVE), vars.clone()).unwrap();
    assert!(out.marks().is_sensitive());
    assert_eq!(out.unmarked().as_str(), Some("5"));
    assert_eq!(
        call(TemplateArg::Reference, s("${l}"), vars.clone()).unwrap_err(),
        "Call to function \"templatestring\" failed: invalid template result: string required."
    );
    assert_eq!(
        call(TemplateArg::Reference, Value::int(42), vars.clone()).unwrap_err(),
        "Invalid value for \"template\" parameter: invalid template value: a string is required."
    );
    assert!(call(TemplateArg::Reference, unknown_string(), vars.clone()).unwrap().is_unknown());
    assert_eq!(
        call(TemplateArg::LiteralTemplate, Value::DYNAMIC, Value::empty_object()).unwrap_err(),
        "Invalid value for \"template\" parameter: invalid template expression: templatestring is only for rendering templates retrieved dynamically from elsewhere, and so does not support providing a literal template; consider using a template string expression instead."
    );
    // The vars are checked first, as in Terraform.
    assert_eq!(
        call(TemplateArg::Other, Value::DYNAMIC, Value::NULL).unwrap_err(),
        "Invalid value for \"vars\" parameter: argument must not be null."
    );
    let unknown = call(TemplateArg::Template, Value::DYNAMIC, Value::unknown(Type::map(Type::String))).unwrap();
    assert!(unknown.is_unknown());
    let dynamic = call(TemplateArg::Reference, s("x"), Value::DYNAMIC).unwrap();
    assert!(dynamic.is_unknown() && dynamic.ty() == Type::Dynamic);
}

#[test]
fn template_arguments_classified_as_terraform_does() {
    let kind = |src: &str| template_arg(&crate::hcl::parse_expression(src.as_bytes(), "<test>").0);
    for (src, want) in [
        ("local.t", TemplateArg::Reference),
        ("local.ts[\"k\"]", TemplateArg::Reference),
        ("local.ts[var.k]", TemplateArg::Reference),
        ("local.ts[*].a", TemplateArg::Reference),
        ("\"plain\"", TemplateArg::LiteralTemplate),
        ("\"\"", TemplateArg::LiteralTemplate),
        ("\"Hello, $${name}!\"", TemplateArg::LiteralTemplate),
        ("\"${local.t}\"", TemplateArg::InterpolationOnly),
        ("\"a ${local.t}\"", TemplateArg::Template),
        ("upper(local.t)", TemplateArg::Other),
        ("(local.t)", TemplateArg::Other),
    ] {
        assert_eq!(kind(src), want, "{src}");
    }
}

#[test]
fn template_parse_and_vars_checks() {
    let renderer = FakeRenderer;
    let ctx = ctx_with(Some(&renderer));
    let f = templatestring_for(TemplateArg::Reference);
    let call = |t: &str, vars: Value| {
        call_hcl("templatestring", f, &ctx, vec![s(t), vars])
            .map_err(|es| es.into_iter().map(|e| e.detail).collect::<Vec<_>>().join("\n"))
    };
    assert_eq!(
        call("${", Value::string("x")).unwrap_err(),
        "Invalid value for \"template\" parameter: invalid template: <templatestring argument>:1,3-3: Missing expression; Expected the start of an expression, but found the end of the file.."
    );
    assert_eq!(
        call("${a}", Value::string("x")).unwrap_err(),
        "Invalid value for \"vars\" parameter: invalid vars value: must be a map."
    );
    assert_eq!(
        call("Hello, ${name}!", Value::object([("1x", Value::int(1))])).unwrap_err(),
        "Invalid value for \"vars\" parameter: invalid template variable name \"1x\": must start with a letter, followed by zero or more letters, digits, and underscores."
    );
    assert_eq!(
        call("${a.b}", Value::empty_object()).unwrap_err(),
        "Invalid value for \"vars\" parameter: vars map does not contain key \"a\", referenced at <templatestring argument>:1,3-4."
    );
    assert_eq!(
        call("${a}", Value::object([("a", Value::NULL)])).unwrap_err(),
        "Call to function \"templatestring\" failed: <templatestring argument>:1,1-5: Template result is null; The result of the template is null, which is not a valid result for a templatestring call.."
    );
    let no_renderer = ctx_with(None);
    assert_eq!(
        call_hcl("templatestring", f, &no_renderer, vec![s("x"), Value::empty_object()]).unwrap_err()[0].detail,
        "Call to function \"templatestring\" failed: cannot recursively call templatestring from inside another template function."
    );
}
