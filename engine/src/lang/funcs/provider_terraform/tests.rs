//! The builtin provider's functions against Terraform 1.11's answers (conformance file
//! `functions_provider.cases`, and more asked of `terraform console`).

use crate::cty::{Marks, Type, Value};
use crate::lang::funcs::lookup;
use crate::lang::function::{FuncCtx, call_hcl};
use crate::number::Number;

fn run(short: &str, args: Vec<Value>) -> Result<Value, String> {
    let name = format!("provider::terraform::{short}");
    let ctx = FuncCtx { base_dir: std::path::Path::new("."), template: None, plan_timestamp: None };
    call_hcl(&name, lookup(&name).expect("registered"), &ctx, args)
        .map_err(|es| es.iter().map(|e| e.detail.clone()).collect::<Vec<_>>().join("\n"))
}

fn text(short: &str, v: Value) -> String {
    match run(short, vec![v]) {
        Ok(Value::String(s)) => s,
        other => panic!("{other:?}"),
    }
}

fn num(s: &str) -> Value {
    Value::Number(Number::parse(s).unwrap())
}

fn obj(attrs: Vec<(&str, Value)>) -> Value {
    Value::object(attrs)
}

#[test]
fn encode_expr() {
    let e = |v| text("encode_expr", v);
    assert_eq!(e("hello".into()), "\"hello\"");
    assert_eq!(e(num("1.5")), "1.5");
    assert_eq!(e(num("-0")), "-0");
    assert_eq!(e(num("1e100")), format!("1{}", "0".repeat(100)));
    assert_eq!(e(Value::empty_tuple()), "[]");
    assert_eq!(e(Value::empty_object()), "{}");
    assert_eq!(e(Value::tuple(vec!["a".into(), num("1"), true.into()])), "[\"a\", 1, true]");
    assert_eq!(e(obj(vec![("b", num("1")), ("a", "x".into())])), "{\n  a = \"x\"\n  b = 1\n}");
    assert_eq!(
        e(obj(vec![("with space", num("1")), ("1", num("2"))])),
        "{\n  \"1\"          = 2\n  \"with space\" = 1\n}"
    );
    assert_eq!(e(Value::set(Type::String, vec!["b".into(), "a".into()])), "[\"a\", \"b\"]");
    assert_eq!(e("line\nbreak".into()), "\"line\\nbreak\"");
    assert_eq!(e("${not_interp} %{x} $ %".into()), "\"$${not_interp} %%{x} $ %\"");
    assert_eq!(e("\"quotes\" \\ é \u{1}".into()), "\"\\\"quotes\\\" \\\\ é \\u0001\"");
    let nested = Value::tuple(vec![obj(vec![("a", Value::tuple(vec![num("1"), obj(vec![("b", Value::NULL)])]))])]);
    assert_eq!(e(nested), "[{\n  a = [1, {\n    b = null\n  }]\n}]");
    let var_obj = obj(vec![
        ("items", Value::list(Type::String, vec!["x".into(), "y".into()])),
        ("n", num("3")),
        ("name", "example".into()),
        ("opt", Value::null(Type::String)),
        ("tags", Value::map(Type::String, [("env".into(), "dev".into()), ("team".into(), "core".into())].into())),
    ]);
    assert_eq!(
        e(var_obj),
        "{\n  items = [\"x\", \"y\"]\n  n     = 3\n  name  = \"example\"\n  opt   = null\n  tags = {\n    env  = \"dev\"\n    team = \"core\"\n  }\n}"
    );
    assert_eq!(e(Value::Number(Number::infinity(false))), "+Inf");
    assert_eq!(e(num("0.0000001")), "0.0000001");
    assert_eq!(
        e(obj(vec![("", num("1")), ("a-b", num("2")), ("é", num("3")), ("in", num("4")), ("_x", num("5"))])),
        "{\n  \"\"  = 1\n  _x  = 5\n  a-b = 2\n  in  = 4\n  é   = 3\n}"
    );
    assert_eq!(e(Value::tuple(vec!["\u{0}\u{ad}\u{1F600}".into()])), "[\"\\u0000\\u00ad\u{1F600}\"]");
    let empties = obj(vec![
        ("a", Value::empty_object()),
        ("b", Value::empty_tuple()),
        ("c", Value::tuple(vec![Value::empty_object(), Value::empty_tuple()])),
        ("dddd", obj(vec![("x", Value::tuple(vec![num("1"), obj(vec![("y", num("2"))])]))])),
    ]);
    assert_eq!(
        e(empties),
        "{\n  a = {}\n  b = []\n  c = [{}, []]\n  dddd = {\n    x = [1, {\n      y = 2\n    }]\n  }\n}"
    );
    assert_eq!(
        run("encode_expr", vec![Value::NULL]).unwrap_err(),
        "Invalid value for \"value\" parameter: argument must not be null."
    );
}

#[test]
fn encode_expr_unknowns_and_marks() {
    let r = run("encode_expr", vec![obj(vec![("a", "known".into()), ("b", Value::unknown(Type::String))])]).unwrap();
    assert!(!r.is_known());
    assert_eq!(r.range().string_prefix(), "{");
    let r = run("encode_expr", vec![Value::unknown(Type::String)]).unwrap();
    assert!(!r.is_known() && r.range().string_prefix().is_empty() && r.range().definitely_not_null());
    let r = run("encode_expr", vec![Value::from("s").with_marks(Marks::SENSITIVE)]).unwrap();
    assert!(r.marks().is_sensitive());
}

#[test]
fn encode_tfvars() {
    let t = |v| text("encode_tfvars", v);
    assert_eq!(t(obj(vec![("a", num("1")), ("b", "x".into())])), "a = 1\nb = \"x\"\n");
    assert_eq!(t(Value::empty_object()), "");
    assert_eq!(
        t(obj(vec![("list", Value::tuple(vec![num("1"), num("2")])), ("obj", obj(vec![("k", "v".into())]))])),
        "list = [1, 2]\nobj = {\n  k = \"v\"\n}\n"
    );
    assert_eq!(t(Value::map(Type::String, [("a".into(), "x".into())].into())), "a = \"x\"\n");
    assert_eq!(t(obj(vec![("a", Value::NULL)])), "a = null\n");
    assert_eq!(t(obj(vec![("s", "multi\nline".into())])), "s = \"multi\\nline\"\n");
    let nested = obj(vec![
        ("a", num("1")),
        ("bbb", num("2")),
        ("c", Value::tuple(vec![num("1")])),
        (
            "dd",
            obj(vec![
                ("x", num("1")),
                ("yyy", Value::tuple(vec![Value::empty_object()])),
                ("z", Value::empty_object()),
            ]),
        ),
    ]);
    assert_eq!(t(nested), "a   = 1\nbbb = 2\nc   = [1]\ndd = {\n  x   = 1\n  yyy = [{}]\n  z   = {}\n}\n");
    assert_eq!(t(obj(vec![("é", num("1")), ("a-b", num("2"))])), "a-b = 2\né   = 1\n");
    let failed = |v| run("encode_tfvars", vec![v]).unwrap_err();
    assert_eq!(
        failed(obj(vec![("", num("1"))])),
        "Call to function \"provider::terraform::encode_tfvars\" failed: invalid variable name \"\": must be a valid identifier, per Terraform's rules for input variable declarations."
    );
    assert_eq!(
        failed(obj(vec![("not valid", num("1"))])),
        "Call to function \"provider::terraform::encode_tfvars\" failed: invalid variable name \"not valid\": must be a valid identifier, per Terraform's rules for input variable declarations."
    );
    assert_eq!(
        failed("x".into()),
        "Call to function \"provider::terraform::encode_tfvars\" failed: invalid value to encode: must be an object whose attribute names will become the encoded variable names."
    );
    let r = run("encode_tfvars", vec![obj(vec![("a", Value::unknown(Type::String))])]).unwrap();
    assert!(!r.is_known() && r.range().definitely_not_null());
    let r = run("encode_tfvars", vec![obj(vec![("a", Value::from("s").with_marks(Marks::SENSITIVE))])]).unwrap();
    assert!(r.marks().is_sensitive());
}

fn decode(src: &str) -> Result<Value, String> {
    run("decode_tfvars", vec![src.into()])
}

#[test]
fn decode_tfvars() {
    assert_eq!(decode("a = 1\nb = \"x\"").unwrap(), obj(vec![("a", num("1")), ("b", "x".into())]));
    assert_eq!(decode("").unwrap(), Value::empty_object());
    assert_eq!(decode("a = 1 + 1").unwrap(), obj(vec![("a", num("2"))]));
    let v = decode("a = null").unwrap();
    assert_eq!(v.ty(), Type::object_from([("a", Type::Dynamic)]));
    let v = decode("list = [1, \"a\"]\nobj = { k = true }").unwrap();
    assert_eq!(
        v,
        obj(vec![("list", Value::tuple(vec![num("1"), "a".into()])), ("obj", obj(vec![("k", true.into())]))])
    );
    let prefix = "Call to function \"provider::terraform::decode_tfvars\" failed: ";
    let failed = |src| decode(src).unwrap_err().strip_prefix(prefix).map(str::to_string).expect("a failed call");
    assert_eq!(
        failed("a = var.x"),
        "invalid expression for variable \"a\": <decode_tfvars argument>:1,5-8: Variables not allowed; Variables may not be used here.."
    );
    assert_eq!(
        failed("a = upper(\"x\")"),
        "invalid expression for variable \"a\": <decode_tfvars argument>:1,5-15: Function calls not allowed; Functions may not be called here.."
    );
    assert_eq!(
        failed("a = \"${x}\""),
        "invalid expression for variable \"a\": <decode_tfvars argument>:1,8-9: Variables not allowed; Variables may not be used here.."
    );
    assert_eq!(
        failed("a = 1\na = 2"),
        "invalid tfvars syntax: <decode_tfvars argument>:2,1-2: Attribute redefined; The argument \"a\" was already set at <decode_tfvars argument>:1,1-2. Each argument may be set only once.."
    );
    assert_eq!(
        failed("block {}"),
        "invalid tfvars content: <decode_tfvars argument>:1,1-6: Unexpected \"block\" block; Blocks are not allowed here.."
    );
    assert_eq!(
        failed("a = "),
        "invalid tfvars syntax: <decode_tfvars argument>:1,5-5: Missing expression; Expected the start of an expression, but found the end of the file.."
    );
    assert_eq!(
        failed("1"),
        "invalid tfvars syntax: <decode_tfvars argument>:1,1-2: Argument or block definition required; An argument or block definition is required here.."
    );
    assert_eq!(
        failed("a = [var.x, upper(1)]"),
        "invalid expression for variable \"a\": <decode_tfvars argument>:1,6-9: Variables not allowed; Variables may not be used here., and 1 other diagnostic(s)."
    );
    assert_eq!(
        failed("a = 1\n\"b\" = 2"),
        "invalid tfvars syntax: <decode_tfvars argument>:2,1-2: Invalid argument name; Argument names must not be quoted.."
    );
    assert_eq!(
        failed("a = x\nb = y"),
        "invalid expression for variable \"a\": <decode_tfvars argument>:1,5-6: Variables not allowed; Variables may not be used here.."
    );
    assert_eq!(
        failed("a {}\nb {}"),
        "invalid tfvars content: <decode_tfvars argument>:1,1-2: Unexpected \"a\" block; Blocks are not allowed here.."
    );
    let v = decode("a = {for k in [1]: k => k}").unwrap();
    assert_eq!(v, obj(vec![("a", obj(vec![("1", num("1"))]))]));
    assert_eq!(decode("a = <<EOT\nhello\nEOT\n").unwrap(), obj(vec![("a", "hello\n".into())]));
    let r = run("decode_tfvars", vec![Value::from("a = 1").with_marks(Marks::SENSITIVE)]).unwrap();
    assert!(r.marks().is_sensitive());
    let r = run("decode_tfvars", vec![Value::unknown(Type::String)]).unwrap();
    assert!(!r.is_known() && r.ty().is_dynamic());
    let round_trip =
        text("encode_tfvars", obj(vec![("a", Value::tuple(vec![num("1")])), ("b", obj(vec![("c", "d".into())]))]));
    assert_eq!(
        decode(&round_trip).unwrap(),
        obj(vec![("a", Value::tuple(vec![num("1")])), ("b", obj(vec![("c", "d".into())]))])
    );
}
