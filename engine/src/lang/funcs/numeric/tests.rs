//! The numeric functions against Terraform 1.11's answers (conformance file
//! `functions_numeric.cases`).

use crate::cty::{Marks, Type, Value};
use crate::lang::funcs::lookup;
use crate::lang::function::{FuncCtx, call_hcl};
use crate::number::Number;

fn run(name: &str, args: Vec<Value>) -> Result<Value, String> {
    let ctx = FuncCtx { base_dir: std::path::Path::new("."), template: None, plan_timestamp: None };
    call_hcl(name, lookup(name).expect("registered"), &ctx, args)
        .map_err(|es| es.iter().map(|e| format!("{}: {}", e.summary, e.detail)).collect::<Vec<_>>().join("\n"))
}

fn num(s: &str) -> Value {
    Value::Number(Number::parse(s).unwrap())
}

/// The printed result (numbers as the console prints them).
fn ok(name: &str, args: Vec<Value>) -> String {
    match run(name, args) {
        Ok(Value::Number(n)) => n.to_string(),
        Ok(v) => panic!("{name}: not a number: {v:?}"),
        Err(e) => panic!("{name}: {e}"),
    }
}

fn err(name: &str, args: Vec<Value>) -> String {
    run(name, args).expect_err("an error")
}

#[test]
fn abs_ceil_floor() {
    assert_eq!(ok("abs", vec![num("-12.4")]), "12.4");
    assert_eq!(ok("abs", vec![num("-0")]), "0");
    assert_eq!(ok("abs", vec!["-5".into()]), "5");
    assert_eq!(ok("abs", vec![num("-9223372036854775808")]), "9223372036854775808");
    assert_eq!(
        err("abs", vec![true.into()]),
        "Invalid function argument: Invalid value for \"num\" parameter: number required."
    );
    assert_eq!(ok("ceil", vec![num("-0.5")]), "0");
    assert_eq!(ok("ceil", vec![num("0.000000000000000000001")]), "1");
    assert_eq!(ok("ceil", vec![num("12345678901234567890.5")]), "12345678901234567891");
    assert_eq!(ok("floor", vec![num("-0.5")]), "-1");
    assert_eq!(ok("floor", vec![num("99999999999999999999.9")]), "99999999999999999999");
    assert_eq!(ok("ceil", vec![Value::Number(Number::infinity(false))]), "+Inf");
    assert_eq!(
        err("floor", vec![Value::NULL]),
        "Invalid function argument: Invalid value for \"num\" parameter: argument must not be null."
    );
}

#[test]
fn unknown_and_sensitive_arguments() {
    let r = run("ceil", vec![Value::unknown(Type::Number)]).unwrap();
    assert!(!r.is_known() && r.ty() == Type::Number && r.range().definitely_not_null());
    let r = run("abs", vec![num("-3").with_marks(Marks::SENSITIVE)]).unwrap();
    assert!(r.marks().is_sensitive());
    assert_eq!(r.unmarked().as_number().unwrap().to_string(), "3");
    let r = run("max", vec![num("1"), num("2").with_marks(Marks::SENSITIVE)]).unwrap();
    assert!(r.marks().is_sensitive());
}

#[test]
fn log_and_pow() {
    assert_eq!(ok("log", vec![num("50"), num("10")]), "1.6989700043360185");
    assert_eq!(ok("log", vec![num("1000"), num("10")]), "2.9999999999999996");
    assert_eq!(ok("log", vec![num("0"), num("10")]), "-Inf");
    assert_eq!(ok("log", vec![num("10"), num("0")]), "-0");
    assert_eq!(ok("log", vec![num("1e308"), num("10")]), "308");
    assert_eq!(ok("pow", vec![num("2"), num("64")]), "18446744073709550000");
    assert_eq!(ok("pow", vec![num("1.1"), num("2")]), "1.2100000000000002");
    assert_eq!(ok("pow", vec![num("10"), num("-5")]), "0.00001");
    assert_eq!(ok("pow", vec![num("0"), num("-1")]), "+Inf");
    // Terraform 1.11 panics on these; later versions say this.
    let nan = "Error in function call: Call to function \"log\" failed: result is not a number.";
    assert_eq!(err("log", vec![num("-1"), num("10")]), nan);
    assert_eq!(
        err("pow", vec![num("-8"), num("1").div_num("3")]),
        "Error in function call: Call to function \"pow\" failed: result is not a number."
    );
    assert!(err("pow", vec![num("1e400"), num("1")]).contains("value must be between -1797693134862315708"));
}

trait Div {
    fn div_num(self, other: &str) -> Value;
}

impl Div for Value {
    fn div_num(self, other: &str) -> Value {
        let a = self.as_number().unwrap().clone();
        Value::Number(a.div(&Number::parse(other).unwrap()).unwrap())
    }
}

#[test]
fn max_and_min() {
    assert_eq!(ok("max", vec![num("12"), num("54"), num("3")]), "54");
    assert_eq!(ok("max", vec![num("1"), "5".into()]), "5");
    assert_eq!(ok("max", vec!["10".into(), "9".into()]), "10");
    assert_eq!(ok("max", vec![num("0.1"), num("0.10000000000000001")]), "0.10000000000000001");
    assert_eq!(ok("min", vec![num("-1"), num("-5.5")]), "-5.5");
    assert_eq!(ok("min", vec![Value::Number(Number::infinity(true)), num("0")]), "-Inf");
    assert_eq!(
        err("max", vec![]),
        "Error in function call: Call to function \"max\" failed: must pass at least one number."
    );
    assert_eq!(
        err("max", vec![num("1"), "x".into()]),
        "Invalid function argument: Invalid value for \"numbers\" parameter: a number is required."
    );
    assert_eq!(
        err("min", vec![Value::NULL, num("1")]),
        "Invalid function argument: Invalid value for \"numbers\" parameter: argument must not be null."
    );
}

#[test]
fn parseint() {
    assert_eq!(ok("parseint", vec!["FF".into(), num("16")]), "255");
    assert_eq!(ok("parseint", vec!["-10".into(), num("2")]), "-2");
    assert_eq!(ok("parseint", vec!["+10".into(), num("10")]), "10");
    assert_eq!(ok("parseint", vec!["zZ".into(), num("62")]), "2231");
    assert_eq!(ok("parseint", vec!["10".into(), "16".into()]), "16");
    assert_eq!(ok("parseint", vec!["99999999999999999999999999".into(), num("10")]), "99999999999999999999999999");
    assert_eq!(ok("parseint", vec!["-99999999999999999999".into(), num("16")]), "-725355491768777504823705");
    let bad = |s: &str, base: &str| err("parseint", vec![s.into(), num(base)]);
    assert_eq!(
        bad("12", "2"),
        "Invalid function argument: Invalid value for \"number\" parameter: cannot parse \"12\" as a base 2 integer."
    );
    for s in ["", "1.5", " 1", "1_000", "0x10", "١٢"] {
        assert!(bad(s, "16").ends_with(" as a base 16 integer."), "{s}");
    }
    assert_eq!(
        bad("10", "1"),
        "Invalid function argument: Invalid value for \"base\" parameter: base must be a whole number between 2 and 62 inclusive."
    );
    assert_eq!(
        bad("10", "10.5"),
        "Invalid function argument: Invalid value for \"base\" parameter: value must be a whole number, between -9223372036854775808 and 9223372036854775807."
    );
    assert_eq!(
        err("parseint", vec![num("10"), num("16")]),
        "Invalid function argument: Invalid value for \"number\" parameter: first argument must be a string, not number."
    );
    let r = run("parseint", vec![Value::unknown(Type::String), num("10")]).unwrap();
    assert!(!r.is_known() && r.ty() == Type::Number);
    let r = run("parseint", vec![Value::from("z").with_marks(Marks::SENSITIVE), num("36")]).unwrap();
    assert!(r.marks().is_sensitive());
}

#[test]
fn signum() {
    assert_eq!(ok("signum", vec![num("-13")]), "-1");
    assert_eq!(ok("signum", vec![num("-0")]), "0");
    assert_eq!(ok("signum", vec!["5".into()]), "1");
    let whole = "Error in function call: Call to function \"signum\" failed: value must be a whole number, between -9223372036854775808 and 9223372036854775807.";
    assert_eq!(err("signum", vec![num("-0.1")]), whole);
    assert_eq!(err("signum", vec![Value::Number(Number::infinity(false))]), whole);
}
