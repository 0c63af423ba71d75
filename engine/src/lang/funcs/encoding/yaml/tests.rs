use crate::cty::{Type, Value};
use crate::lang::funcs::fenc_testutil::*;

fn enc(v: Value) -> String {
    string("yamlencode", vec![v])
}

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::object(pairs)
}

#[test]
fn encode_as_terraform() {
    assert_eq!(enc(obj(vec![("a", s("b")), ("c", s("d"))])), "\"a\": \"b\"\n\"c\": \"d\"\n");
    assert_eq!(
        enc(obj(vec![("a", Value::tuple(vec![Value::int(1), Value::int(2), Value::int(3)])), ("b", s("c"))])),
        "\"a\":\n- 1\n- 2\n- 3\n\"b\": \"c\"\n"
    );
    assert_eq!(enc(s("hello")), "\"hello\"\n");
    assert_eq!(enc(s("")), "\"\"\n");
    assert_eq!(enc(s("multi\nline\n")), "|\n  multi\n  line\n");
    assert_eq!(enc(Value::int(1)), "1\n...\n");
    assert_eq!(enc(Value::from(1.5)), "1.5\n...\n");
    assert_eq!(enc(Value::TRUE), "true\n...\n");
    assert_eq!(enc(Value::NULL), "null\n...\n");
    assert_eq!(enc(Value::empty_tuple()), "[]\n");
    assert_eq!(enc(Value::empty_object()), "{}\n");
    assert_eq!(
        enc(Value::tuple(vec![
            obj(vec![("a", Value::int(1))]),
            Value::tuple(vec![Value::int(2), Value::tuple(vec![Value::int(3)])])
        ])),
        "- \"a\": 1\n- - 2\n  - - 3\n"
    );
    assert_eq!(
        enc(obj(vec![("b", Value::int(1)), ("a", obj(vec![("d", Value::NULL), ("c", Value::empty_tuple())]))])),
        "\"a\":\n  \"c\": []\n  \"d\": null\n\"b\": 1\n"
    );
    assert_eq!(enc(Value::set(Type::String, vec![s("b"), s("a")])), "- \"a\"\n- \"b\"\n");
    assert_eq!(enc(Value::Number(crate::number::Number::infinity(false))), "+Inf\n...\n");
    assert_eq!(enc(s("tab\there 👍")), "\"tab\\there \\U0001F44D\"\n");
    assert_eq!(enc(s("x\n\n")), "|+\n  x\n\n");
    assert_eq!(enc(s(" lead\n")), "|2\n   lead\n");
    assert_eq!(enc(obj(vec![("k\nk", s("v"))])), "? |-\n  k\n  k\n: \"v\"\n");
    let long = "word ".repeat(30);
    assert_eq!(
        enc(s(long.trim_end())),
        format!("\"{}\n  {}\"\n", "word ".repeat(17).trim_end(), "word ".repeat(13).trim_end())
    );
    assert!(!call("yamlencode", vec![unknown_string()]).unwrap().is_known());
    assert!(call("yamlencode", vec![secret("x")]).unwrap().marks().is_sensitive());
}

fn dec(src: &str) -> Result<Value, String> {
    call("yamldecode", vec![s(src)])
}

#[track_caller]
fn dec_err(src: &str) -> String {
    dec(src)
        .unwrap_err()
        .trim_start_matches("Call to function \"yamldecode\" failed: ")
        .trim_end_matches('.')
        .to_string()
}

#[test]
fn decode_as_terraform() {
    assert_eq!(dec("hello: world").unwrap(), obj(vec![("hello", s("world"))]));
    assert_eq!(dec("yes").unwrap(), Value::TRUE);
    assert_eq!(dec("on").unwrap(), Value::TRUE);
    assert_eq!(dec("~").unwrap(), Value::NULL);
    assert_eq!(dec("0x10").unwrap(), Value::int(16));
    assert_eq!(dec("0o10").unwrap(), Value::int(8));
    assert_eq!(dec("010").unwrap(), Value::int(10));
    assert_eq!(dec("'single'").unwrap(), s("single"));
    assert_eq!(dec("[1, a, true]").unwrap(), Value::tuple(vec![Value::int(1), s("a"), Value::TRUE]));
    assert_eq!(dec("a: 1\na: 2").unwrap(), obj(vec![("a", Value::int(2))]));
    assert_eq!(dec("a: &x 1\nb: *x").unwrap(), obj(vec![("a", Value::int(1)), ("b", Value::int(1))]));
    assert_eq!(dec("a: |\n  line1\n  line2\n").unwrap(), obj(vec![("a", s("line1\nline2\n"))]));
    assert_eq!(dec("a: >\n  folded\n  text\n").unwrap(), obj(vec![("a", s("folded text\n"))]));
    assert_eq!(dec("---\na: 1\n").unwrap(), obj(vec![("a", Value::int(1))]));
    assert_eq!(dec("a: !!str 1").unwrap(), obj(vec![("a", s("1"))]));
    assert_eq!(dec("a: !!binary aGk=").unwrap(), obj(vec![("a", s("aGk="))]));
    assert_eq!(dec("2001-12-14").unwrap(), s("2001-12-14T00:00:00Z"));
    assert_eq!(dec("1: a\n2: b").unwrap(), obj(vec![("1", s("a")), ("2", s("b"))]));
    assert_eq!(dec("<<: {a: 1}\nb: 2").unwrap(), obj(vec![("a", Value::int(1)), ("b", Value::int(2))]));
    assert_eq!(dec("{\"a\":[1,\"x\"]}").unwrap(), obj(vec![("a", Value::tuple(vec![Value::int(1), s("x")]))]));
    assert_eq!(dec("a: |-\n  ~").unwrap(), obj(vec![("a", Value::null(Type::String))]));
    assert!(dec(".inf").unwrap().as_number().unwrap().is_infinite());

    assert_eq!(dec_err(""), "on line 1, column 1: missing start of document");
    assert_eq!(dec_err(".nan"), "floating point NaN is not supported");
    assert_eq!(dec_err("--- 1\n--- 2"), "on line 1, column 1: unexpected extra content after value");
    assert_eq!(dec_err("a: !custom x"), "unsupported tag \"!custom\"");
    assert_eq!(dec_err("? [a]\n: b"), "only strings are allowed as mapping keys");
    assert_eq!(dec_err("a: b: c"), "mapping values are not allowed in this context");
    assert_eq!(dec_err("["), "on line 1, column 1: did not find expected node content");
    assert_eq!(dec_err("\ta: 1"), "found character that cannot start any token");
    assert_eq!(dec_err("a: *y"), "reference to undefined anchor \"y\"");
    assert_eq!(dec_err("a: &x [*x]"), "cannot refer to anchor \"x\" from inside its own definition");
}

#[test]
fn decode_types() {
    let ty = |src: &str| call("yamldecode", vec![s(src)]).unwrap().ty();
    assert_eq!(ty("null"), Type::Dynamic);
    assert_eq!(ty("[]"), Type::empty_tuple());
    assert_eq!(ty("a: ~"), Type::object_from([("a", Type::Dynamic)]));
    assert!(!call("yamldecode", vec![unknown_string()]).unwrap().is_known());
}
