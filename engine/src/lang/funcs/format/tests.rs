//! `format` and `formatlist` against Terraform 1.11's answers (conformance file
//! `functions_string.cases`, and more asked of `terraform console`).

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

fn f(args: Vec<Value>) -> String {
    match run("format", args) {
        Ok(Value::String(s)) => s,
        other => panic!("{other:?}"),
    }
}

/// The detail of `format`'s error, which must be a failed call.
fn ferr(args: Vec<Value>) -> String {
    let e = run("format", args).expect_err("an error");
    e.strip_prefix("Error in function call: Call to function \"format\" failed: ").unwrap_or(&e).to_string()
}

fn tuple(items: Vec<Value>) -> Value {
    Value::tuple(items)
}

fn strs(items: &[&str]) -> Value {
    Value::list(Type::String, items.iter().map(|s| Value::from(*s)).collect())
}

#[test]
fn verbs() {
    assert_eq!(f(vec!["Hello, %s!".into(), "World".into()]), "Hello, World!");
    assert_eq!(f(vec!["%d".into(), "42".into()]), "42");
    assert_eq!(f(vec!["%5d|%-5d|%05d".into(), num("42"), num("42"), num("42")]), "   42|42   |00042");
    assert_eq!(f(vec!["%+d %+d".into(), num("5"), num("-5")]), "+5 -5");
    assert_eq!(f(vec!["%f".into(), num("3.14159")]), "3.141590");
    assert_eq!(f(vec!["%8.2f|".into(), num("3.14159")]), "    3.14|");
    assert_eq!(f(vec!["%e".into(), num("12345.678")]), "1.234568e+04");
    assert_eq!(f(vec!["%g".into(), num("0.000001234")]), "1.234e-06");
    assert_eq!(f(vec!["%x %X %o %b".into(), num("255"), num("255"), num("8"), num("5")]), "ff FF 10 101");
    assert_eq!(
        f(vec!["%s|%s|%t|%t".into(), num("1.5"), true.into(), true.into(), "true".into()]),
        "1.5|true|true|true"
    );
    assert_eq!(f(vec!["%q|%q".into(), "a\"b".into(), num("12")]), r#""a\"b"|"12""#);
    assert_eq!(f(vec!["%v|%#v".into(), tuple(vec![num("1"), "a".into()]), "str".into()]), r#"[1,"a"]|"str""#);
    assert_eq!(f(vec!["%v".into(), Value::object([("a", num("1"))])]), r#"{"a":1}"#);
    assert_eq!(f(vec!["%%".into()]), "%");
    assert_eq!(f(vec!["100%% %s".into(), "done".into()]), "100% done");
    assert_eq!(f(vec!["%[2]s %[1]s".into(), "a".into(), "b".into()]), "b a");
    assert_eq!(f(vec!["%s %[1]s %s".into(), "a".into(), "b".into()]), "a a b");
    assert_eq!(f(vec!["%10s|%-10s|".into(), "right".into(), "left".into()]), "     right|left      |");
    assert_eq!(f(vec!["%.3s|%5.1s|%.0s".into(), "abcdef".into(), "xyz".into(), "abc".into()]), "abc|    x|abc");
    assert_eq!(f(vec!["%d".into(), num("1e30")]), "1000000000000000000000000000000");
    assert_eq!(f(vec!["%f".into(), num("12345678901234567890")]), "12345678901234567890.000000");
    assert_eq!(f(vec!["%.30f".into(), num("0.1")]), "0.100000000000000000000000000000");
    assert_eq!(f(vec!["%-4s|".into(), "é".into()]), "é   |");
    assert_eq!(f(vec!["%5[1]d|%-+5d|% d|%x".into(), num("1"), num("2"), num("3"), num("-255")]), "    1|+2   | 3|-ff");
    assert_eq!(
        f(vec![
            "%.d|%08.3f|%-08d|%+.2e|%#x|%#o|%#b".into(),
            num("0"),
            num("3.14159"),
            num("5"),
            num("12345"),
            num("255"),
            num("8"),
            num("5")
        ]),
        "|0003.142|5       |+1.23e+04|0xff|010|0b101"
    );
    assert_eq!(
        f(vec!["%05s|%-05s|%05v|%5t".into(), "ab".into(), "ab".into(), num("1.5"), true.into()]),
        "000ab|ab000|001.5|true"
    );
    assert_eq!(f(vec!["%q".into(), "<&>\u{8}\u{c}\u{7f}".into()]), "\"\\u003c\\u0026\\u003e\\b\\f\u{7f}\"");
    assert_eq!(f(vec!["%v".into(), Value::Number(Number::infinity(false))]), "+Inf");
    assert_eq!(f(vec!["%v".into(), Value::null(Type::String)]), "null");
    assert_eq!(f(vec!["no verbs".into()]), "no verbs");
    let obj = Value::object([("a", tuple(vec![num("1"), Value::NULL])), ("b", true.into())]);
    assert_eq!(f(vec!["%v".into(), obj]), r#"{"a":[1,null],"b":true}"#);
    assert_eq!(
        f(vec!["%5.2q|%-8q|%08q".into(), "abcdef".into(), "x".into(), "y".into()]),
        r#" "ab"|"x"     |00000"y""#
    );
    assert_eq!(f(vec!["%t|%5.1t".into(), "false".into(), true.into()]), "false|true");
    assert_eq!(
        f(vec!["%b|%o|%X".into(), num("1.0"), num("1e20"), num("-12345678901234567890")]),
        "1|12657072742654304000000|-AB54A98CEB1F0AD2"
    );
}

#[test]
fn numeric_verbs_as_go_formats_them() {
    let g = |fmt: &str, nums: &[&str]| f(std::iter::once(fmt.into()).chain(nums.iter().map(|n| num(n))).collect());
    assert_eq!(g("%#5v|%-6v|%06v|%+v|% v", &["1", "1.5", "-1.5", "2", "3"]), "    1|1.5   |00-1.5|2|3");
    assert_eq!(
        g("%6.2e|%-10.3g|%G|%E|%+08.2f|% .3f", &["123456", "0.000012345", "1e-10", "1e21", "-3.14159", "2.5"]),
        "1.23e+05|1.23e-05  |1E-10|1.000000E+21|-0003.14| 2.500"
    );
    assert_eq!(
        g(
            "%x|%X|%o|%b|%#X|%08b|%-8x|%+x|%.5d|%8.5d|%-08.3d",
            &["-255", "3735928559", "-8", "-5", "255", "5", "255", "255", "42", "42", "7"]
        ),
        "-ff|DEADBEEF|-10|-101|0XFF|00000101|ff      |+ff|00042|   00042|007     "
    );
    assert_eq!(g("%d|%5.0d|%.0d", &["0", "0", "0"]), "0||");
    assert_eq!(g("%f|%.0f|%.0e", &["-0", "0.5", "5"]), "-0.000000|0|5e+00");
    let inf = |neg| Value::Number(Number::infinity(neg));
    assert_eq!(f(vec!["%e|%g".into(), inf(false), inf(true)]), "+Inf|-Inf");
    assert_eq!(g("%.1000001f", &["1"]).len(), 1_000_003);
    assert_eq!(
        g("%.10000011f|%1000000100d", &["1", "1"]),
        "%!(NOVERB)%!(EXTRA *big.Float=1)|%!(NOVERB)%!(EXTRA *big.Int=1)"
    );
}

#[test]
fn errors() {
    assert_eq!(ferr(vec!["%d".into(), num("42.5")]), "unsupported value for \"%d\" at 0: an integer is required.");
    assert_eq!(ferr(vec!["%d".into(), "x".into()]), "unsupported value for \"%d\" at 0: a number is required.");
    assert_eq!(ferr(vec!["%t".into(), num("1")]), "unsupported value for \"%t\" at 0: bool required.");
    assert_eq!(ferr(vec!["%s".into(), strs(&["a"])]), "unsupported value for \"%s\" at 0: string required.");
    assert_eq!(
        ferr(vec!["%s %s".into(), "a".into()]),
        "not enough arguments for \"%s\" at 3: need index 2 but have 1 total."
    );
    assert_eq!(
        ferr(vec!["%[3]s".into(), "a".into()]),
        "not enough arguments for \"%[3]s\" at 0: need index 3 but have 1 total."
    );
    assert_eq!(ferr(vec!["%z".into(), num("1")]), "unsupported format verb 'z' in \"%z\" at offset 0.");
    assert_eq!(ferr(vec!["%*d".into(), num("5"), num("1")]), "unrecognized format character '*' at offset 1.");
    assert_eq!(ferr(vec!["%".into()]), "invalid format string starting at offset 1.");
    assert_eq!(ferr(vec!["abc%5".into()]), "invalid format string starting at offset 5.");
    assert_eq!(ferr(vec!["%[1".into(), num("1")]), "invalid format string starting at offset 3.");
    assert_eq!(ferr(vec!["%[0]s".into(), num("1")]), "unrecognized format character '0' at offset 2.");
    assert_eq!(ferr(vec!["é%é".into()]), "unrecognized format character 'é' at offset 3.");
    assert_eq!(ferr(vec!["\n%\n".into()]), "unrecognized format character '\\n' at offset 2.");
    assert_eq!(
        ferr(vec!["%s".into(), Value::null(Type::String)]),
        "unsupported value for \"%s\" at 0: null value cannot be formatted."
    );
    assert_eq!(
        ferr(vec!["%#v".into(), tuple(vec![Value::Number(Number::infinity(false))])]),
        "unsupported value for \"%#v\" at 0: cannot serialize infinity as JSON."
    );
    assert_eq!(
        run("format", vec!["%s".into(), "a".into(), "b".into()]).unwrap_err(),
        "Invalid function argument: Invalid value for \"args\" parameter: too many arguments; only 1 used by format string."
    );
    assert_eq!(
        run("format", vec!["no verbs".into(), "extra".into()]).unwrap_err(),
        "Invalid function argument: Invalid value for \"args\" parameter: too many arguments; no verbs in format string."
    );
}

#[test]
fn unknown_null_and_sensitive() {
    // A null of no type is of the dynamic type, which `args` does not take: unknown.
    let r = run("format", vec!["%v".into(), Value::NULL]).unwrap();
    assert!(!r.is_known() && r.ty().is_dynamic());
    let r = run("format", vec!["ab%s".into(), Value::unknown(Type::String)]).unwrap();
    assert!(!r.is_known() && r.ty() == Type::String);
    assert_eq!(r.range().string_prefix(), "a"); // "b" could still combine with what follows
    let r = run("format", vec!["%v".into(), tuple(vec!["a".into(), Value::unknown(Type::String)])]).unwrap();
    assert!(!r.is_known());
    let r = run("format", vec!["%s and %s".into(), "a".into(), Value::from("s").with_marks(Marks::SENSITIVE)]).unwrap();
    assert!(r.marks().is_sensitive());
    assert_eq!(r.unmarked().as_str(), Some("a and s"));
    let r = run("format", vec![Value::unknown(Type::String), "x".into()]).unwrap();
    assert!(!r.is_known() && r.ty() == Type::String);
}

fn fl(args: Vec<Value>) -> Vec<String> {
    match run("formatlist", args) {
        Ok(Value::List(l)) => l.items.iter().map(|v| v.as_str().unwrap_or("<unknown>").to_string()).collect(),
        other => panic!("{other:?}"),
    }
}

fn flerr(args: Vec<Value>) -> String {
    run("formatlist", args).expect_err("an error")
}

#[test]
fn formatlist() {
    assert_eq!(fl(vec!["Hello, %s!".into(), strs(&["Valentina", "Ander"])]), ["Hello, Valentina!", "Hello, Ander!"]);
    assert_eq!(fl(vec!["%s=%s".into(), strs(&["a", "b"]), strs(&["1", "2"])]), ["a=1", "b=2"]);
    assert_eq!(fl(vec!["%s=%s".into(), tuple(vec!["a".into(), "b".into()]), "x".into()]), ["a=x", "b=x"]);
    assert_eq!(fl(vec!["%s".into(), Value::empty_tuple()]), Vec::<String>::new());
    assert_eq!(fl(vec!["%s".into(), "a".into()]), ["a"]);
    assert_eq!(fl(vec!["a".into()]), ["a"]);
    assert_eq!(fl(vec!["%s %s".into(), Value::empty_tuple(), Value::empty_tuple()]), Vec::<String>::new());
    let nums = Value::set(Type::Number, vec![num("1"), num("2"), num("10")]);
    assert_eq!(fl(vec!["%d".into(), nums]), ["1", "2", "10"]);
    let set = Value::set(Type::String, vec!["b".into(), "a".into()]);
    assert_eq!(fl(vec!["%s".into(), set]), ["a", "b"]);
    let with_unknown = Value::list(Type::String, vec!["a".into(), Value::unknown(Type::String), "c".into()]);
    assert_eq!(fl(vec!["%s".into(), with_unknown]), ["a", "<unknown>", "c"]);
    assert_eq!(
        flerr(vec!["%s=%s".into(), strs(&["a", "b"]), strs(&["1"])]),
        "Invalid function argument: Invalid value for \"args\" parameter: argument 2 has length 1, which is inconsistent with argument 1 of length 2."
    );
    assert_eq!(
        flerr(vec!["static".into(), strs(&["a", "b"])]),
        "Error in function call: Call to function \"formatlist\" failed: error on format iteration 0: too many arguments; no verbs in format string."
    );
    assert_eq!(
        flerr(vec!["%d".into(), tuple(vec![num("1"), num("2.5")])]),
        "Error in function call: Call to function \"formatlist\" failed: error on format iteration 1: unsupported value for \"%d\" at 0: an integer is required."
    );
    assert_eq!(
        flerr(vec!["%s".into()]),
        "Error in function call: Call to function \"formatlist\" failed: not enough arguments for \"%s\" at 0: need index 1 but have 0 total."
    );
    let r = run("formatlist", vec!["%s".into(), Value::NULL]).unwrap();
    assert!(!r.is_known() && r.ty().is_dynamic());
    let r = run("formatlist", vec!["%s".into(), Value::unknown(Type::list(Type::String))]).unwrap();
    assert!(!r.is_known() && r.ty() == Type::list(Type::String));
    let r =
        run("formatlist", vec!["%s-%s".into(), strs(&["a", "b"]), Value::unknown(Type::list(Type::String))]).unwrap();
    assert!(!r.is_known());
    let secret = Value::from("s").with_marks(Marks::SENSITIVE);
    let r = run("formatlist", vec!["%s".into(), tuple(vec!["a".into(), secret])]).unwrap();
    assert!(r.marks().is_sensitive());
}
