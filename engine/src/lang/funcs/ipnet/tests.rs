//! The CIDR functions against Terraform 1.11's answers (conformance file
//! `functions_ipnet.cases`, and more asked of `terraform console`).

use crate::cty::{Marks, Type, Value};
use crate::lang::funcs::lookup;
use crate::lang::function::{FuncCtx, call_hcl};
use crate::number::Number;

fn run(name: &str, args: Vec<Value>) -> Result<Value, String> {
    let ctx = FuncCtx { base_dir: std::path::Path::new("."), template: None, plan_timestamp: None };
    call_hcl(name, lookup(name).expect("registered"), &ctx, args)
        .map_err(|es| es.iter().map(|e| e.detail.clone()).collect::<Vec<_>>().join("\n"))
}

/// A call written as in the console, with literal arguments (strings, numbers, `1/0`).
fn eval(call: &str) -> Result<Value, String> {
    let (name, rest) = call.split_once('(').unwrap();
    let inner = rest.strip_suffix(')').unwrap();
    let args = inner
        .split(", ")
        .filter(|a| !a.is_empty())
        .map(|a| match a.strip_prefix('"') {
            Some(s) => Value::from(s.strip_suffix('"').unwrap()),
            None if a == "1/0" => Value::Number(Number::infinity(false)),
            None => Value::Number(Number::parse(a).unwrap()),
        })
        .collect();
    run(name, args)
}

/// The result as the console shows a string or a list of strings, or the error's message.
fn show(call: &str) -> String {
    match eval(call) {
        Ok(Value::String(s)) => s,
        Ok(Value::List(l)) => l.items.iter().map(|v| v.as_str().unwrap().to_string()).collect::<Vec<_>>().join(" "),
        Ok(v) => format!("{v:?}"),
        Err(e) => {
            let e = e.strip_suffix('.').unwrap_or(&e);
            let e = e.split_once(" failed: ").map_or(e, |(_, m)| m);
            e.split_once(" parameter: ").map_or(e, |(_, m)| m).to_string()
        }
    }
}

#[test]
fn conformance_cases() {
    let cases = [
        ("cidrhost(\"10.12.112.0/20\", 16)", "10.12.112.16"),
        ("cidrhost(\"10.12.112.0/20\", 268)", "10.12.113.12"),
        ("cidrhost(\"10.12.112.0/20\", -1)", "10.12.127.255"),
        ("cidrhost(\"10.12.112.0/20\", 4096)", "prefix of 20 does not accommodate a host numbered 4096"),
        ("cidrhost(\"10.12.112.0/20\", -4096)", "10.12.112.0"),
        ("cidrhost(\"10.12.112.0/20\", -4097)", "prefix of 20 does not accommodate a host numbered -1"),
        ("cidrhost(\"10.12.113.7/20\", 0)", "10.12.112.0"),
        ("cidrhost(\"10.0.0.0/32\", 1)", "prefix of 32 does not accommodate a host numbered 1"),
        ("cidrhost(\"fd00:fd12:3456:7890:00a2::/72\", 34)", "fd00:fd12:3456:7890::22"),
        ("cidrhost(\"fd00:fd12:3456:7890::/64\", -1)", "fd00:fd12:3456:7890:ffff:ffff:ffff:ffff"),
        ("cidrhost(\"::/0\", 18446744073709551616)", "0:0:0:1::"),
        ("cidrhost(\"010.0.0.0/8\", 1)", "10.0.0.1"),
        ("cidrhost(\"10.0.0.0\", 1)", "invalid CIDR expression: invalid CIDR address: 10.0.0.0"),
        ("cidrhost(\"10.0.0.0/33\", 1)", "invalid CIDR expression: invalid CIDR address: 10.0.0.0/33"),
        ("cidrhost(\"10.0.0.0/8\", \"5\")", "10.0.0.5"),
        ("cidrhost(\"10.0.0.0/8\", 1.5)", "value must be a whole number"),
        ("cidrhost(\"::ffff:10.0.0.0/104\", 1)", "0:1::ffff:a00:0"),
        ("cidrnetmask(\"172.16.0.0/12\")", "255.240.0.0"),
        ("cidrnetmask(\"10.0.0.0/0\")", "0.0.0.0"),
        ("cidrnetmask(\"fd00::/64\")", "IPv6 addresses cannot have a netmask: fd00::/64"),
        ("cidrsubnet(\"172.16.0.0/12\", 4, 2)", "172.18.0.0/16"),
        ("cidrsubnet(\"10.1.2.0/24\", 4, 16)", "prefix extension of 4 does not accommodate a subnet numbered 16"),
        ("cidrsubnet(\"10.1.2.0/24\", 8, 255)", "10.1.2.255/32"),
        ("cidrsubnet(\"10.1.2.0/24\", 9, 0)", "insufficient address space to extend prefix of 24 by 9"),
        ("cidrsubnet(\"10.1.2.0/24\", -1, 0)", "10.1.2.0/23"),
        ("cidrsubnet(\"10.1.2.0/24\", 4, -1)", "0.0.0.16/28"),
        ("cidrsubnet(\"10.1.2.5/24\", 4, 1)", "10.1.2.16/28"),
        ("cidrsubnet(\"fd00:fd12:3456:7890::/56\", 16, 162)", "fd00:fd12:3456:7800:a200::/72"),
        ("cidrsubnet(\"fd00::/8\", 64, 1)", "fd00::100:0:0:0/72"),
        ("cidrsubnet(\"fd00::/8\", 121, 1)", "insufficient address space to extend prefix of 8 by 121"),
        ("cidrsubnet(\"10.0.0.0/8\", \"8\", \"1\")", "10.1.0.0/16"),
        ("cidrsubnets(\"10.1.0.0/16\", 4, 4, 8, 4)", "10.1.0.0/20 10.1.16.0/20 10.1.32.0/24 10.1.48.0/20"),
        ("cidrsubnets(\"10.1.0.0/16\")", ""),
        ("cidrsubnets(\"10.1.0.0/16\", 8, 4)", "10.1.0.0/24 10.1.16.0/20"),
        ("cidrsubnets(\"10.1.0.0/16\", 16, 16, 8)", "10.1.0.0/32 10.1.0.1/32 10.1.1.0/24"),
        ("cidrsubnets(\"10.1.0.0/16\", 17)", "would extend prefix to 33 bits, which is too long for an IPv4 address"),
        (
            "cidrsubnets(\"10.1.0.0/16\", 1, 1, 1)",
            "not enough remaining address space for a subnet with a prefix of 17 bits after 10.1.128.0/17",
        ),
        ("cidrsubnets(\"10.1.0.0/16\", 0)", "must extend prefix by at least one bit"),
        ("cidrsubnets(\"10.1.0.0/16\", -1)", "must extend prefix by at least one bit"),
        (
            "cidrsubnets(\"fd00:fd12:3456:7890::/56\", 16, 16, 16, 32)",
            "fd00:fd12:3456:7800::/72 fd00:fd12:3456:7800:100::/72 fd00:fd12:3456:7800:200::/72 fd00:fd12:3456:7800:300::/88",
        ),
        ("cidrsubnets(\"255.255.255.0/24\", 1, 1)", "255.255.255.0/25 255.255.255.128/25"),
    ];
    for (call, want) in cases {
        assert_eq!(show(call), want, "{call}");
    }
}

/// Quirks of go-cidr and Go's `net` that Terraform keeps; Go's panics become errors.
#[test]
fn quirks() {
    let cases = [
        (
            "cidrhost(\"10.0.0.0/8\", 18446744073709551617)",
            "panic in function implementation: runtime error: index out of range [-1]",
        ),
        ("cidrhost(\"::/0\", 340282366920938463463374607431768211455)", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        (
            "cidrhost(\"::/0\", 340282366920938463463374607431768211456)",
            "panic in function implementation: runtime error: index out of range [-1]",
        ),
        ("cidrhost(\"::/0\", -1)", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
        (
            "cidrhost(\"10.0.0.0/8\", 9223372036854775808)",
            "panic in function implementation: runtime error: index out of range [-1]",
        ),
        (
            "cidrhost(\"10.0.0.0/8\", -9223372036854775809)",
            "prefix of 8 does not accommodate a host numbered -9223372036837998593",
        ),
        ("cidrhost(\"10.0.0.0/8\", 1/0)", "value must be a whole number"),
        (
            "cidrsubnet(\"10.1.2.0/24\", -100, 1)",
            "panic in function implementation: runtime error: index out of range [-1]",
        ),
        ("cidrsubnet(\"10.1.2.0/24\", -24, 0)", "10.1.2.0/0"),
        ("cidrsubnet(\"10.1.2.0/24\", -25, 0)", "<nil>"),
        (
            "cidrsubnet(\"10.1.2.0/24\", 4, 18446744073709551616)",
            "panic in function implementation: runtime error: index out of range [-1]",
        ),
        ("cidrsubnet(\"10.1.2.0/24\", 4, -17)", "prefix extension of 4 does not accommodate a subnet numbered -17"),
        (
            "cidrsubnet(\"10.1.2.0/24\", 1.5, 0)",
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807",
        ),
        ("cidrsubnet(\"10.1.2.0/24\", 64, 0)", "insufficient address space to extend prefix of 24 by 64"),
        ("cidrsubnet(\"::/0\", 64, 18446744073709551615)", "ffff:ffff:ffff:ffff::/64"),
        ("cidrsubnet(\"::/0\", 65, 18446744073709551616)", "8000::/65"),
        ("cidrsubnet(\"10.1.2.0/24\", 8, -1)", "0.0.0.1/32"),
        ("cidrsubnets(\"10.1.0.0/16\", 33)", "may not extend prefix by more than 32 bits"),
        ("cidrsubnets(\"fd00::/8\", 121)", "may not extend prefix by more than 32 bits"),
        (
            "cidrsubnets(\"10.1.0.0/16\", 4, 1.5)",
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807",
        ),
        (
            "cidrsubnets(\"10.1.0.0/16\", 1.5)",
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807",
        ),
        (
            "cidrsubnets(\"0.0.0.0/0\", 1, 1, 1)",
            "not enough remaining address space for a subnet with a prefix of 1 bits after 128.0.0.0/1",
        ),
        (
            "cidrsubnets(\"::ffff:10.0.0.0/104\", 4)",
            "not enough remaining address space for a subnet with a prefix of 108 bits after <nil>",
        ),
        ("cidrhost(\"1.2.3.4/24\", 5)", "1.2.3.5"),
        ("cidrhost(\"1:2:3:4:5:6:7:8/128\", 0)", "1:2:3:4:5:6:7:8"),
        ("cidrhost(\"1::/16\", 65536)", "1::1:0"),
        ("cidrhost(\"::ffff:1.2.3.4/128\", 0)", "1.2.3.4"),
        ("cidrhost(\"1:0:0:1::/64\", 0)", "1:0:0:1::"),
        ("cidrnetmask(\"10.0.0.0/08\")", "255.0.0.0"),
        ("cidrnetmask(\"1.2.3.4/\")", "invalid CIDR expression: invalid CIDR address: 1.2.3.4/"),
        ("cidrnetmask(\"1.2.3/8\")", "invalid CIDR expression: invalid CIDR address: 1.2.3/8"),
        ("cidrnetmask(\"::1.2.3.4/96\")", "IPv6 addresses cannot have a netmask: ::1.2.3.4/96"),
        ("cidrnetmask(\"1:2:3:4:5:6:1.2.3.4/120\")", "IPv6 addresses cannot have a netmask: 1:2:3:4:5:6:1.2.3.4/120"),
        ("cidrnetmask(\":::/8\")", "invalid CIDR expression: invalid CIDR address: :::/8"),
        ("cidrnetmask(\"1.2.3.256/8\")", "invalid CIDR expression: invalid CIDR address: 1.2.3.256/8"),
        ("cidrnetmask(\"0x1.2.3.4/8\")", "invalid CIDR expression: invalid CIDR address: 0x1.2.3.4/8"),
        ("cidrsubnet(\"0.0.0.0/0\", 1, 1)", "128.0.0.0/1"),
        ("cidrsubnet(\"1.2.3.4/32\", 0, 0)", "1.2.3.4/32"),
    ];
    for (call, want) in cases {
        assert_eq!(show(call), want, "{call}");
    }
}

#[test]
fn unknown_null_and_sensitive() {
    let r = run("cidrhost", vec![Value::unknown(Type::String), Value::int(1)]).unwrap();
    assert!(!r.is_known() && r.range().definitely_not_null());
    let r = run("cidrsubnets", vec!["10.1.0.0/16".into(), Value::int(4), Value::unknown(Type::Number)]).unwrap();
    assert!(!r.is_known() && r.ty() == Type::list(Type::String));
    let r = run("cidrsubnets", vec![Value::from("10.1.0.0/16").with_marks(Marks::SENSITIVE), Value::int(4)]).unwrap();
    assert!(r.marks().is_sensitive());
    assert_eq!(
        run("cidrsubnet", vec!["10.0.0.0/8".into(), Value::null(Type::Number), Value::int(1)]).unwrap_err(),
        "Invalid value for \"newbits\" parameter: argument must not be null."
    );
    assert_eq!(
        run("cidrsubnets", vec!["10.1.0.0/16".into(), Value::null(Type::Number)]).unwrap_err(),
        "Invalid value for \"newbits\" parameter: argument must not be null."
    );
}
