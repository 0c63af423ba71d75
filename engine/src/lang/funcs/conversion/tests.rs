use super::super::collection::testkit::{call, err, n, s, secret, tuple};
use crate::cty::{Marks, Type, Value};

#[test]
fn explicit_conversion_messages() {
    assert_eq!(
        err("tonumber", vec![s("x")]),
        "Invalid value for \"v\" parameter: cannot convert \"x\" to number; given string must be a decimal representation of a number."
    );
    assert_eq!(
        err("tobool", vec![s("yes")]),
        "Invalid value for \"v\" parameter: cannot convert \"yes\" to bool; only the strings \"true\" or \"false\" are allowed."
    );
    assert_eq!(
        err("tonumber", vec![secret(s("x"))]),
        "Invalid value for \"v\" parameter: cannot convert this sensitive string to number."
    );
    assert_eq!(
        err("tolist", vec![tuple(vec![n(1), Value::TRUE])]),
        "Invalid value for \"v\" parameter: cannot convert tuple to list of any single type."
    );
}

#[test]
fn unknowns_keep_their_marks_but_not_their_refinements() {
    let u = Value::unknown(Type::Number).refine_not_null().with_marks(Marks::SENSITIVE);
    let got = call("tostring", vec![u]).unwrap();
    assert_eq!(got, Value::unknown(Type::String).with_marks(Marks::SENSITIVE));
}

#[test]
fn issensitive_looks_at_the_value_itself() {
    assert_eq!(call("issensitive", vec![tuple(vec![secret(s("x"))])]).unwrap(), Value::FALSE);
    assert_eq!(call("issensitive", vec![secret(Value::unknown(Type::String))]).unwrap(), Value::TRUE);
    assert_eq!(call("issensitive", vec![Value::unknown(Type::String)]).unwrap(), Value::unknown(Type::Bool));
}

#[test]
fn nonsensitive_keeps_other_marks() {
    let v = s("x").with_marks(Marks::SENSITIVE | Marks::EPHEMERAL);
    assert_eq!(call("nonsensitive", vec![v]).unwrap(), s("x").with_marks(Marks::EPHEMERAL));
    assert_eq!(call("nonsensitive", vec![s("plain")]).unwrap(), s("plain"));
}
