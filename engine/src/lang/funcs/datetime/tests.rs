//! The datetime functions against Terraform 1.11's answers (conformance file
//! `functions_datetime.cases`, and more asked of `terraform console`).

use crate::cty::{Marks, Type, Value};
use crate::lang::funcs::lookup;
use crate::lang::function::{FuncCtx, call_hcl};

fn run_with(name: &str, args: Vec<Value>, plan_timestamp: Option<&str>) -> Result<Value, String> {
    let ctx = FuncCtx { base_dir: std::path::Path::new("."), template: None, plan_timestamp };
    call_hcl(name, lookup(name).expect("registered"), &ctx, args)
        .map_err(|es| es.iter().map(|e| format!("{}: {}", e.summary, e.detail)).collect::<Vec<_>>().join("\n"))
}

fn run(name: &str, args: Vec<Value>) -> Result<Value, String> {
    run_with(name, args, None)
}

/// A successful result as text (strings as they are, numbers printed).
fn ok(name: &str, args: &[&str]) -> String {
    match run(name, args.iter().map(|&a| Value::from(a)).collect()) {
        Ok(Value::String(s)) => s,
        Ok(Value::Number(n)) => n.to_string(),
        other => panic!("{name}{args:?}: {other:?}"),
    }
}

/// An error's detail.
fn err(name: &str, args: &[&str]) -> String {
    let e = run(name, args.iter().map(|&a| Value::from(a)).collect()).expect_err("an error");
    e.split_once(": ").map_or(e.clone(), |(_, d)| d.to_string())
}

const T: &str = "2018-01-02T23:12:01Z";

#[test]
fn formatdate() {
    assert_eq!(ok("formatdate", &["DD MMM YYYY hh:mm ZZZ", T]), "02 Jan 2018 23:12 UTC");
    assert_eq!(ok("formatdate", &["EEEE, DD-MMM-YY hh:mm:ss ZZZ", T]), "Tuesday, 02-Jan-18 23:12:01 UTC");
    assert_eq!(
        ok("formatdate", &["EEE, DD MMM YYYY hh:mm:ss Z", "2018-01-02T23:12:01-08:00"]),
        "Tue, 02 Jan 2018 23:12:01 -08:00"
    );
    assert_eq!(ok("formatdate", &["HH:mm:ss", T]), "11:12:01");
    assert_eq!(ok("formatdate", &["h:mmaa", T]), "23:12pm");
    assert_eq!(ok("formatdate", &["h:mmAA", "2018-01-02T09:12:01Z"]), "9:12AM");
    assert_eq!(ok("formatdate", &["H h", "2018-01-02T00:05:00Z"]), "12 0");
    assert_eq!(ok("formatdate", &["D M YY", T]), "2 1 18");
    assert_eq!(ok("formatdate", &["MMMM", "2018-09-02T23:12:01Z"]), "September");
    assert_eq!(ok("formatdate", &["ZZZZ ZZZZZ ZZZ", "2018-01-02T23:12:01+05:30"]), "+0530 +05:30 +0530");
    assert_eq!(ok("formatdate", &["ZZZZ ZZZZZ ZZZ Z", T]), "+0000 +00:00 UTC Z");
    assert_eq!(ok("formatdate", &["'literal' YYYY", T]), "literal 2018");
    assert_eq!(ok("formatdate", &["'it''s' YYYY", T]), "it's 2018");
    assert_eq!(ok("formatdate", &["YYYY-MM-DD'T'hh:mm:ssZ", T]), T);
    assert_eq!(ok("formatdate", &["ss", "2018-01-02T23:12:01.999Z"]), "01");
    assert_eq!(ok("formatdate", &["", T]), "");
    assert_eq!(ok("formatdate", &["YYYY", "0001-01-01T00:00:00Z"]), "0001");
    assert_eq!(ok("formatdate", &["EEE", "2024-02-29T00:00:00Z"]), "Thu");
    assert_eq!(ok("formatdate", &["é YYYY '' 'a''b''", T]), "é 2018 ' a'b'");
    assert_eq!(err("formatdate", &["Q", T]), "Invalid value for \"format\" parameter: invalid date format verb \"Q\".");
    assert_eq!(
        err("formatdate", &["YYYYY", T]),
        "Invalid value for \"format\" parameter: invalid date format verb \"YYYYY\": year must either be \"YY\" or \"YYYY\"."
    );
    assert_eq!(
        err("formatdate", &["'unterminated", T]),
        "Invalid value for \"format\" parameter: unterminated literal '."
    );
    assert_eq!(
        err("formatdate", &["abc", T]),
        "Invalid value for \"format\" parameter: invalid date format verb \"a\": must be \"aa\"."
    );
    let bad_time = |ts: &str| err("formatdate", &["YYYY", ts]);
    assert_eq!(
        bad_time("2018-01-02"),
        "Invalid value for \"time\" parameter: not a valid RFC3339 timestamp: missing required time introducer 'T'."
    );
    assert_eq!(
        bad_time("2018-01-02T23:12:01"),
        "Invalid value for \"time\" parameter: not a valid RFC3339 timestamp: end of string before UTC offset."
    );
    assert_eq!(
        bad_time("2018-01-02T24:00:00Z"),
        "Invalid value for \"time\" parameter: not a valid RFC3339 timestamp: hour must be between 0 and 23 inclusive."
    );
    assert_eq!(
        bad_time("2018-01-02t23:12:01z"),
        "Invalid value for \"time\" parameter: not a valid RFC3339 timestamp: missing required time introducer 'T'."
    );
    assert_eq!(
        bad_time(""),
        "Invalid value for \"time\" parameter: not a valid RFC3339 timestamp: end of string before year."
    );
    let r = run("formatdate", vec!["YYYY".into(), Value::from(T).with_marks(Marks::SENSITIVE)]).unwrap();
    assert!(r.marks().is_sensitive());
    let r = run("formatdate", vec![Value::unknown(Type::String), T.into()]).unwrap();
    assert!(!r.is_known() && r.range().definitely_not_null());
}

/// How each parser words what it rejects (`formatdate`: cty's; `timecmp`: Go's `time.Parse`).
#[test]
fn parse_errors_as_each_parser_words_them() {
    let cases = [
        ("formatdate", "2018-1-02T23:12:01Z", "not a valid RFC3339 timestamp: cannot use \"1-02T23:12:01Z\" as month."),
        ("timecmp", "2018-1-02T23:12:01Z", "not a valid RFC3339 timestamp: cannot use \"1-02T23:12:01Z\" as month."),
        ("formatdate", "2018-01-02T23:1:01Z", "not a valid RFC3339 timestamp: minute must have exactly two digits."),
        ("timecmp", "2018-01-02T23:1:01Z", "not a valid RFC3339 timestamp: cannot use \"1:01Z\" as minute."),
        ("formatdate", "2018-01-02T23:12:01.Z", "not a valid RFC3339 timestamp: cannot use \".Z\" as UTC offset."),
        ("timecmp", "2018-01-02T23:12:01.Z", "not a valid RFC3339 timestamp: cannot use \".Z\" as UTC offset."),
        (
            "formatdate",
            "2018-01-02T23:12:01,5Z",
            "not a valid RFC3339 timestamp: cannot use \",\" as timestamp segment.",
        ),
        ("timecmp", "2018-01-02T23:12:01,5Z", "1"),
        (
            "formatdate",
            "2018-01-02T23:12:01+24:00",
            "not a valid RFC3339 timestamp: cannot use \"+24:00\" as UTC offset.",
        ),
        ("timecmp", "2018-01-02T23:12:01+24:00", "-1"),
        (
            "formatdate",
            "2018-01-02T23:12:01+23:60",
            "not a valid RFC3339 timestamp: cannot use \"+23:60\" as UTC offset.",
        ),
        ("timecmp", "2018-01-02T23:12:01+23:60", "-1"),
        ("formatdate", "2018-01-02T23:12:01+25:00", "not a valid RFC3339 timestamp: end of string before UTC offset."),
        ("timecmp", "2018-01-02T23:12:01+25:00", "not a valid RFC3339 timestamp: end of string before UTC offset."),
        (
            "formatdate",
            "2018-01-02T23:12:01+2a:00",
            "not a valid RFC3339 timestamp: cannot use \"+2a:00\" as UTC offset.",
        ),
        ("timecmp", "2018-01-02T23:12:01+2a:00", "not a valid RFC3339 timestamp: cannot use \"+2a:00\" as UTC offset."),
        (
            "formatdate",
            "2018-01-02T23:12:01x05:00",
            "not a valid RFC3339 timestamp: cannot use \"x05:00\" as UTC offset.",
        ),
        ("timecmp", "2018-01-02T23:12:01x05:00", "not a valid RFC3339 timestamp: cannot use \"x05:00\" as UTC offset."),
        (
            "formatdate",
            "2018-01-02T23:12:01Zjunk",
            "not a valid RFC3339 timestamp: cannot use \"junk\" as timestamp segment.",
        ),
        (
            "timecmp",
            "2018-01-02T23:12:01Zjunk",
            "not a valid RFC3339 timestamp: cannot use \"junk\" as timestamp segment.",
        ),
        ("formatdate", "2018-01-02x", "not a valid RFC3339 timestamp: missing required time introducer 'T'."),
        ("timecmp", "2018-01-02x", "not a valid RFC3339 timestamp: missing required time introducer 'T'."),
        (
            "formatdate",
            "20x8-01-02T23:12:01Z",
            "not a valid RFC3339 timestamp: cannot use \"20x8-01-02T23:12:01Z\" as year.",
        ),
        (
            "timecmp",
            "20x8-01-02T23:12:01Z",
            "not a valid RFC3339 timestamp: cannot use \"20x8-01-02T23:12:01Z\" as year.",
        ),
        ("formatdate", "2018-01-02T23:12:61Z", "not a valid RFC3339 timestamp: cannot use \"Z\" as second."),
        ("timecmp", "2018-01-02T23:12:61Z", "not a valid RFC3339 timestamp: cannot use \"Z\" as second."),
        ("formatdate", "2018-01-02T23:60:01Z", "not a valid RFC3339 timestamp: minute must have exactly two digits."),
        ("timecmp", "2018-01-02T23:60:01Z", "not a valid RFC3339 timestamp: cannot use \":01Z\" as minute."),
        ("formatdate", "2018-02-29T00:00:00Z", "not a valid RFC3339 timestamp: day out of range."),
        ("timecmp", "2018-02-29T00:00:00Z", "not a valid RFC3339 timestamp: day out of range."),
        ("formatdate", "2018-01-02T23:12", "not a valid RFC3339 timestamp: end of string where \":\" is expected."),
        ("timecmp", "2018-01-02T23:12", "not a valid RFC3339 timestamp: end of string where \":\" is expected."),
        ("formatdate", "2018-01-02T23:12:01+05", "not a valid RFC3339 timestamp: cannot use \"+05\" as UTC offset."),
        ("timecmp", "2018-01-02T23:12:01+05", "not a valid RFC3339 timestamp: cannot use \"+05\" as UTC offset."),
        (
            "formatdate",
            "2018-01-02T23:12:01+25:6é",
            "not a valid RFC3339 timestamp: cannot use \"\\xa9\" as UTC offset.",
        ),
        ("timecmp", "2018-01-02T23:12:01+25:6é", "not a valid RFC3339 timestamp: cannot use \"\\xa9\" as UTC offset."),
        ("formatdate", "2018-01-02T1:12:01Z", "not a valid RFC3339 timestamp: hour must have exactly two digits."),
        ("timecmp", "2018-01-02T1:12:01Z", "-1"),
        ("formatdate", "2018-01-02T23:12:01+00:61", "not a valid RFC3339 timestamp: end of string before UTC offset."),
        ("timecmp", "2018-01-02T23:12:01+00:61", "not a valid RFC3339 timestamp: end of string before UTC offset."),
    ];
    for (func, ts, want) in cases {
        let got = match func {
            "formatdate" => run(func, vec!["YYYY hh:mm:ss.Z".into(), ts.into()]),
            _ => run(func, vec![ts.into(), T.into()]),
        };
        let got = match got {
            Ok(v) => v.as_number().map_or_else(|| format!("{v:?}"), ToString::to_string),
            Err(e) => e.split_once(" parameter: ").map_or(e.clone(), |(_, d)| d.to_string()),
        };
        assert_eq!(got, want, "{func}({ts:?})");
    }
}

#[test]
fn timeadd() {
    let base = "2017-11-22T00:00:00Z";
    assert_eq!(ok("timeadd", &[base, "10m"]), "2017-11-22T00:10:00Z");
    assert_eq!(ok("timeadd", &[base, "-1h"]), "2017-11-21T23:00:00Z");
    assert_eq!(ok("timeadd", &[base, "1.5h"]), "2017-11-22T01:30:00Z");
    assert_eq!(ok("timeadd", &[base, "1µs"]), base);
    assert_eq!(ok("timeadd", &["2017-11-22T00:00:00+05:00", "1h"]), "2017-11-22T01:00:00+05:00");
    assert_eq!(ok("timeadd", &["2017-11-22T00:00:00-00:00", "1h"]), "2017-11-22T01:00:00Z");
    assert_eq!(ok("timeadd", &["2017-11-22T00:00:00.5Z", "1s"]), "2017-11-22T00:00:01Z");
    assert_eq!(ok("timeadd", &["2024-02-28T12:00:00Z", "24h"]), "2024-02-29T12:00:00Z");
    assert_eq!(ok("timeadd", &["0001-01-01T00:00:00Z", "-1s"]), "0000-12-31T23:59:59Z");
    assert_eq!(ok("timeadd", &["9999-12-31T23:59:59Z", "2562047h"]), "10292-04-10T22:59:59Z");
    assert_eq!(ok("timeadd", &["2000-01-01T00:00:00Z", "-2562047h47m16.854775808s"]), "1707-09-22T00:12:43Z");
    assert_eq!(
        err("timeadd", &["2000-01-01T00:00:00Z", "2562047h47m16.854775808s"]),
        "Call to function \"timeadd\" failed: time: invalid duration \"2562047h47m16.854775808s\"."
    );
    assert_eq!(ok("formatdate", &["YY", "0005-01-01T00:00:00Z"]), "05");
    assert_eq!(
        err("timeadd", &[base, "1d"]),
        "Call to function \"timeadd\" failed: time: unknown unit \"d\" in duration \"1d\"."
    );
    assert_eq!(err("timeadd", &[base, ""]), "Call to function \"timeadd\" failed: time: invalid duration \"\".");
    assert_eq!(
        err("timeadd", &["2017-11-22", "1h"]),
        "Call to function \"timeadd\" failed: not a valid RFC3339 timestamp: missing required time introducer 'T'."
    );
    // cty's timeadd does not refine its unknown result.
    let r = run("timeadd", vec![Value::unknown(Type::String), "1h".into()]).unwrap();
    assert!(!r.is_known() && !r.range().definitely_not_null());
}

#[test]
fn timecmp() {
    assert_eq!(ok("timecmp", &["2017-11-22T00:00:00Z", "2017-11-22T01:00:00Z"]), "-1");
    assert_eq!(ok("timecmp", &["2017-11-22T01:00:00+01:00", "2017-11-22T00:00:00Z"]), "0");
    assert_eq!(ok("timecmp", &["2017-11-22T00:00:00.001Z", "2017-11-22T00:00:00Z"]), "1");
    assert_eq!(
        err("timecmp", &["2017-11-22T00:00:00Z", "bad"]),
        "Invalid value for \"timestamp_b\" parameter: not a valid RFC3339 timestamp: cannot use \"bad\" as year."
    );
    assert_eq!(
        err("timecmp", &["2017-11-22T24:00:00Z", "bad"]),
        "Invalid value for \"timestamp_a\" parameter: not a valid RFC3339 timestamp: cannot use \":00:00Z\" as hour."
    );
}

#[test]
fn timestamps() {
    let now = ok("timestamp", &[]);
    assert_eq!(now.len(), 20, "{now}");
    assert!(now.ends_with('Z') && now.as_bytes()[10] == b'T');
    assert_eq!(err("timestamp", &["x"]), "Function \"timestamp\" expects only 0 argument(s).");
    let plan = |ts| run_with("plantimestamp", vec![], ts).unwrap();
    assert_eq!(plan(Some("2024-05-06T07:08:09.123456Z")).as_str(), Some("2024-05-06T07:08:09Z"));
    let unknown = plan(None);
    assert!(!unknown.is_known() && unknown.ty() == Type::String);
}
