//! Type conversion and mark functions: tostring, tonumber, tobool, tolist, toset, tomap,
//! sensitive, nonsensitive, issensitive.

use super::*;

pub(super) fn functions() -> Vec<Function> {
    vec![
        Function::new("sensitive", &["value"], |_, a| Ok(a.into_iter().next().unwrap_or_default().mark_sensitive()))
            .sees_marks()
            .allow_null()
            .nested_unknowns(),
        Function::new("nonsensitive", &["value"], nonsensitive).sees_marks().allow_null().nested_unknowns(),
        Function::new("issensitive", &["value"], |_, a| Ok(Value::Bool(a[0].is_sensitive())))
            .sees_marks()
            .allow_null()
            .nested_unknowns(),
        Function::new("tostring", &["v"], tostring).allow_null(),
        Function::new("tonumber", &["v"], tonumber).allow_null(),
        Function::new("tobool", &["v"], tobool).allow_null(),
        Function::new("tolist", &["v"], tolist).allow_null().nested_unknowns(),
        Function::new("toset", &["v"], toset).allow_null().nested_unknowns(),
        Function::new("tomap", &["v"], tomap).allow_null().nested_unknowns(),
    ]
}

fn nonsensitive(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let v = a.into_iter().next().unwrap_or_default();
    Ok(v.deep_unmark())
}

fn cannot(v: &Value, to: &str) -> FuncError {
    arg_err(0, format!("cannot convert {} to {to}.", friendly_type(v)))
}

fn tostring(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    match &a[0] {
        Value::Null => Ok(Value::Null),
        v => prim_str(v).map(Value::String).ok_or_else(|| cannot(v, "string")),
    }
}

fn tonumber(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    match &a[0] {
        Value::Null => Ok(Value::Null),
        Value::Number(n) => Ok(Value::Number(*n)),
        Value::String(s) => parse_number(s).map(Value::Number).ok_or_else(|| {
            arg_err(
                0,
                format!(
                    "cannot convert {} to number; given string must be a decimal representation of a number.",
                    super::encoding::json_string(s)
                ),
            )
        }),
        v => Err(cannot(v, "number")),
    }
}

fn tobool(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    match &a[0] {
        Value::Null => Ok(Value::Null),
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::String(s) if parse_bool(s).is_ok() => Ok(Value::Bool(parse_bool(s) == Ok(true))),
        Value::String(s) => Err(arg_err(
            0,
            format!(
                "cannot convert {} to bool; only the strings \"true\" or \"false\" are allowed.",
                super::encoding::json_string(s)
            ),
        )),
        v => Err(cannot(v, "bool")),
    }
}

fn tolist(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    match &a[0] {
        Value::Null => Ok(Value::Null),
        v @ (Value::List(items) | Value::Set(items)) => {
            unify(items.clone()).map(Value::List).ok_or_else(|| cannot(v, "list of any single type"))
        }
        v => Err(cannot(v, "list of any single type")),
    }
}

fn toset(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    match &a[0] {
        Value::Null => Ok(Value::Null),
        v @ (Value::List(items) | Value::Set(items)) => {
            let items = unify(items.clone()).ok_or_else(|| cannot(v, "set of any single type"))?;
            // Which elements are equal, and so the set's length, depends on the unknowns.
            if !items.iter().all(Value::is_wholly_known) {
                return Ok(Value::Unknown);
            }
            Ok(Value::set(items))
        }
        v => Err(cannot(v, "set of any single type")),
    }
}

fn tomap(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    match &a[0] {
        Value::Null => Ok(Value::Null),
        v @ Value::Map(m) => {
            let values = unify(m.values().cloned().collect()).ok_or_else(|| cannot(v, "map of any single type"))?;
            Ok(Value::Map(m.keys().cloned().zip(values).collect()))
        }
        v => Err(cannot(v, "map of any single type")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn primitive_conversions() {
        assert_eq!(ok("tostring", vec![n(1.5)]), s("1.5"));
        assert_eq!(ok("tostring", vec![n(1e30)]), s("1000000000000000000000000000000"));
        assert_eq!(ok("tostring", vec![n(-0.0)]), s("-0"));
        assert_eq!(ok("tostring", vec![Value::Bool(true)]), s("true"));
        assert_eq!(ok("tostring", vec![Value::Null]), Value::Null);
        assert_eq!(err("tostring", vec![list(vec![])]), "cannot convert tuple to string.");
        assert_eq!(ok("tonumber", vec![s("1e3")]), n(1000.0));
        assert_eq!(ok("tonumber", vec![s("+1")]), n(1.0));
        assert_eq!(ok("tonumber", vec![s(".5")]), n(0.5));
        assert_eq!(ok("tonumber", vec![s("Inf")]), n(f64::INFINITY));
        for bad in ["abc", " 1", "0x10", "1_0", "", "NaN", "infinity"] {
            assert_eq!(
                err("tonumber", vec![s(bad)]),
                format!("cannot convert {bad:?} to number; given string must be a decimal representation of a number.")
            );
        }
        assert_eq!(err("tonumber", vec![Value::Bool(true)]), "cannot convert bool to number.");
        assert_eq!(ok("tobool", vec![s("false")]), Value::Bool(false));
        assert_eq!(ok("tobool", vec![s("1")]), Value::Bool(true));
        assert_eq!(ok("tobool", vec![s("0")]), Value::Bool(false));
        assert_eq!(
            err("tobool", vec![s("TRUE")]),
            "cannot convert \"TRUE\" to bool; only the strings \"true\" or \"false\" are allowed."
        );
        assert_eq!(
            err("tobool", vec![s("yes")]),
            "cannot convert \"yes\" to bool; only the strings \"true\" or \"false\" are allowed."
        );
        assert_eq!(err("tobool", vec![n(1.0)]), "cannot convert number to bool.");
        assert_eq!(ok("tonumber", vec![Value::Unknown]), Value::Unknown);
    }

    #[test]
    fn collection_conversions_unify_element_types() {
        assert_eq!(ok("tolist", vec![list(vec![n(1.0), s("a"), Value::Bool(true)])]), strs(&["1", "a", "true"]));
        assert_eq!(
            err("tolist", vec![list(vec![n(1.0), Value::Bool(true)])]),
            "cannot convert tuple to list of any single type."
        );
        assert_eq!(
            err("tolist", vec![list(vec![n(1.0), list(vec![])])]),
            "cannot convert tuple to list of any single type."
        );
        assert_eq!(err("tolist", vec![s("a")]), "cannot convert string to list of any single type.");
        assert_eq!(
            ok("tolist", vec![list(vec![list(vec![n(1.0)]), list(vec![s("a"), n(2.0)])])]),
            list(vec![strs(&["1"]), strs(&["a", "2"])])
        );
        // Objects with different attributes become maps of one element type.
        assert_eq!(
            ok("tolist", vec![list(vec![Value::object([("a", n(1.0))]), Value::object([("b", s("x"))])])]),
            list(vec![Value::object([("a", s("1"))]), Value::object([("b", s("x"))])])
        );
        assert_eq!(ok("tolist", vec![list(vec![Value::Null, n(1.0)])]), list(vec![Value::Null, n(1.0)]));
        assert_eq!(ok("tolist", vec![list(vec![Value::Unknown, s("a")])]), list(vec![Value::Unknown, s("a")]));
        assert_eq!(ok("tolist", vec![Value::set(vec![s("b"), s("a")])]), strs(&["a", "b"]));
        assert_eq!(ok("toset", vec![list(vec![n(1.0), s("a"), s("1")])]), Value::set(vec![s("1"), s("a")]));
        assert_eq!(ok("toset", vec![list(vec![Value::Unknown, s("a")])]), Value::Unknown);
        assert_eq!(err("toset", vec![n(1.0)]), "cannot convert number to set of any single type.");
        assert_eq!(
            ok("tomap", vec![Value::object([("a", n(1.0)), ("b", s("x"))])]),
            Value::object([("a", s("1")), ("b", s("x"))])
        );
        assert_eq!(ok("tomap", vec![Value::object([("a", Value::Unknown)])]), Value::object([("a", Value::Unknown)]));
        assert_eq!(
            err("tomap", vec![Value::object([("a", n(1.0)), ("b", list(vec![n(1.0)]))])]),
            "cannot convert object to map of any single type."
        );
        assert_eq!(err("tomap", vec![list(vec![])]), "cannot convert tuple to map of any single type.");
        assert_eq!(ok("tolist", vec![Value::Null]), Value::Null);
    }

    #[test]
    fn marks() {
        let secret = s("x").mark_sensitive();
        assert_eq!(ok("sensitive", vec![s("x")]), secret);
        assert_eq!(ok("sensitive", vec![Value::Null]), Value::Null.mark_sensitive());
        assert_eq!(ok("nonsensitive", vec![secret.clone()]), s("x"));
        assert_eq!(ok("nonsensitive", vec![s("x")]), s("x"));
        assert_eq!(ok("issensitive", vec![secret.clone()]), Value::Bool(true));
        assert_eq!(ok("issensitive", vec![list(vec![secret.clone()])]), Value::Bool(false));
        assert_eq!(ok("issensitive", vec![Value::Null]), Value::Bool(false));
        // Other functions see unmarked arguments and mark their result.
        assert_eq!(ok("upper", vec![secret]), s("X").mark_sensitive());
    }
}
