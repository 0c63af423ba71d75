//! Byte-exact cases from go-cty's encoder (cty/msgpack): what a plugin sends and expects.

use super::*;
use terrane_engine::cty::ObjectType;

fn obj_ty(attrs: &[(&str, Type)]) -> Type {
    Type::Object(Arc::new(ObjectType {
        attrs: attrs.iter().map(|(k, t)| (k.to_string(), t.clone())).collect(),
        optional: Default::default(),
    }))
}

#[test]
fn primitives_as_cty_writes_them() {
    assert_eq!(marshal(&Value::string("hi"), &Type::String).unwrap(), b"\xa2hi");
    assert_eq!(marshal(&Value::Bool(true), &Type::Bool).unwrap(), [0xc3]);
    assert_eq!(marshal(&Value::int(1), &Type::Number).unwrap(), [0x01]);
    assert_eq!(marshal(&Value::int(-1), &Type::Number).unwrap(), [0xff]);
    assert_eq!(marshal(&Value::int(300), &Type::Number).unwrap(), [0xcd, 0x01, 0x2c]);
    assert_eq!(marshal(&Value::null(Type::String), &Type::String).unwrap(), [0xc0]);
    // 1.5 is exactly a float64; 0.1 is not, so it goes as its decimal text.
    let half = Value::Number(Number::parse("1.5").unwrap());
    assert_eq!(marshal(&half, &Type::Number).unwrap(), [0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]);
    let tenth = Value::Number(Number::parse("0.1").unwrap());
    assert_eq!(marshal(&tenth, &Type::Number).unwrap(), b"\xa30.1");
}

#[test]
fn unknowns_with_and_without_refinements() {
    assert_eq!(marshal(&Value::unknown(Type::String), &Type::String).unwrap(), [0xd4, 0, 0]);
    let not_null = Value::unknown(Type::String).refine_not_null();
    // ext 12 holding {1: false}: three bytes, so ext8 (Go's msgpack writes fixext only for
    // 1, 2, 4, 8 and 16 bytes).
    assert_eq!(marshal(&not_null, &Type::String).unwrap(), [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2]);
    let back = unmarshal(&[0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2], &Type::String).unwrap();
    assert!(back.is_unknown());
    assert!(back.range().definitely_not_null());
    let prefixed = Value::unknown(Type::String).refine().not_null().string_prefix_full("arn:").new_value();
    let bytes = marshal(&prefixed, &Type::String).unwrap();
    let back = unmarshal(&bytes, &Type::String).unwrap();
    assert_eq!(back.range().string_prefix(), "arn:");
}

#[test]
fn objects_are_maps_in_attribute_order_with_missing_attributes_null() {
    let ty = obj_ty(&[("b", Type::Number), ("a", Type::String)]);
    let v = Value::object([("a", Value::string("x"))]);
    assert_eq!(marshal(&v, &ty).unwrap(), b"\x82\xa1a\xa1x\xa1b\xc0");
    let back = unmarshal(b"\x82\xa1a\xa1x\xa1b\xc0", &ty).unwrap();
    assert_eq!(back.get_attr("a"), Some(&Value::string("x")));
    assert!(back.get_attr("b").unwrap().is_null());
    assert!(unmarshal(b"\x81\xa1c\xc0", &ty).unwrap_err().message.contains("unsupported attribute"));
}

#[test]
fn collections_round_trip() {
    let ty = Type::set(Type::String);
    let v = Value::set(Type::String, vec![Value::string("b"), Value::string("a")]);
    let bytes = marshal(&v, &ty).unwrap();
    assert_eq!(bytes, b"\x92\xa1a\xa1b");
    assert!(terrane_engine::cty::ops::raw_equals(&unmarshal(&bytes, &ty).unwrap(), &v));
    let mty = Type::map(Type::Number);
    let m = Value::map(Type::Number, [("k".to_string(), Value::int(2))].into_iter().collect());
    assert_eq!(marshal(&m, &mty).unwrap(), b"\x81\xa1k\x02");
}

#[test]
fn dynamic_values_carry_their_type() {
    let bytes = marshal(&Value::string("x"), &Type::Dynamic).unwrap();
    // [bin("\"string\""), "x"]
    assert_eq!(bytes, b"\x92\xc4\x08\"string\"\xa1x");
    let back = unmarshal(&bytes, &Type::Dynamic).unwrap();
    assert_eq!(back, Value::string("x"));
    // A plugin may send the type as a string rather than bytes.
    let back = unmarshal(b"\x92\xa8\"number\"\x07", &Type::Dynamic).unwrap();
    assert_eq!(back, Value::int(7));
    assert_eq!(marshal(&Value::DYNAMIC, &Type::Dynamic).unwrap(), [0xd4, 0, 0]);
}

#[test]
fn numbers_decode_from_every_encoding() {
    assert_eq!(unmarshal(&[0xcf, 0, 0, 0, 1, 0, 0, 0, 0], &Type::Number).unwrap(), Value::int(1 << 32));
    assert_eq!(unmarshal(b"\xa21e", &Type::Number).is_err(), Number::parse("1e").is_err());
    let big = unmarshal(b"\xb5123456789012345678901", &Type::Number).unwrap();
    assert_eq!(big.as_number().map(ToString::to_string).as_deref(), Some("123456789012345678901"));
    assert_eq!(marshal(&big, &Type::Number).unwrap(), b"\xb5123456789012345678901");
}
