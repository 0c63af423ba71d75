use super::*;
use crate::cty::Type;
use crate::cty::value::Value;

fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())))
}

#[test]
fn primitives_convert_as_terraform() {
    assert_eq!(convert(Value::int(5), &Type::String).unwrap(), Value::from("5"));
    assert_eq!(convert(Value::from("true"), &Type::Bool).unwrap(), Value::TRUE);
    assert_eq!(convert(Value::from("1"), &Type::Bool).unwrap(), Value::TRUE);
    assert_eq!(convert(Value::from("x"), &Type::Number).unwrap_err().message, "a number is required");
    assert_eq!(
        convert(Value::from("True"), &Type::Bool).unwrap_err().message,
        "a bool is required; to convert from string, use lowercase \"true\""
    );
    assert_eq!(convert(Value::TRUE, &Type::Number).unwrap_err().message, "number required");
}

#[test]
fn tuples_become_lists_with_unified_elements() {
    let t = Value::tuple(vec![Value::int(1), Value::from("a")]);
    let l = convert(t, &Type::list(Type::Dynamic)).unwrap();
    assert_eq!(l, Value::list(Type::String, vec![Value::from("1"), Value::from("a")]));
    let empty = convert(Value::empty_tuple(), &Type::list(Type::Dynamic)).unwrap();
    assert_eq!(empty.ty(), Type::list(Type::Dynamic));
}

#[test]
fn objects_to_maps_and_back() {
    let o = obj(&[("a", Value::int(1)), ("b", Value::from("x"))]);
    let m = convert(o, &Type::map(Type::Dynamic)).unwrap();
    assert_eq!(m.ty(), Type::map(Type::String));
    let want = Type::object_with_optional(
        [("a".to_string(), Type::Number), ("c".to_string(), Type::Bool)].into(),
        ["c".to_string()].into(),
    );
    let back = convert(Value::map(Type::String, [("a".to_string(), Value::from("2"))].into()), &want).unwrap();
    assert_eq!(back, obj(&[("a", Value::int(2)), ("c", Value::null(Type::Bool))]));
}

#[test]
fn mismatch_messages_name_the_attribute() {
    let want = Type::object_from([("name", Type::String), ("port", Type::Number)]);
    let e = convert(obj(&[("port", Value::int(1))]), &want).unwrap_err();
    assert_eq!(e.message, "attribute \"name\" is required");
    let e = convert(obj(&[("name", Value::from("a")), ("port", Value::empty_tuple())]), &want).unwrap_err();
    assert_eq!(e.message, "attribute \"port\": number required");
}

#[test]
fn unknowns_and_nulls_take_the_target_type() {
    let u = convert(Value::DYNAMIC, &Type::list(Type::String)).unwrap();
    assert_eq!(u.ty(), Type::list(Type::String));
    assert!(!u.is_known());
    let n = convert(Value::NULL, &Type::Number).unwrap();
    assert_eq!(n, Value::null(Type::Number));
}

#[test]
fn unification_prefers_the_general_type() {
    assert_eq!(unify_unsafe(&[Type::Number, Type::String]).0, Some(Type::String));
    assert_eq!(unify_unsafe(&[Type::Bool, Type::Number]).0, None);
    let (t, _) = unify_unsafe(&[Type::object_from([("a", Type::Number)]), Type::empty_object()]);
    assert_eq!(t, Some(Type::map(Type::Number)));
    assert_eq!(
        unify_unsafe(&[Type::tuple(vec![Type::Number]), Type::list(Type::String)]).0,
        Some(Type::list(Type::String))
    );
}
