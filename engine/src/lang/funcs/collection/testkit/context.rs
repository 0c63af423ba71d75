//! The values of the conformance context (`context/main.tf`) that the cases refer to.

use super::{list, n, s, secret, tuple};
use crate::cty::{Type, Value};
use std::collections::BTreeMap;

fn strs(items: &[&str]) -> Vec<Value> {
    items.iter().map(|x| s(x)).collect()
}

fn smap(items: &[(&str, Value)]) -> BTreeMap<String, Value> {
    items.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// The values of `context/main.tf` the cases refer to, as Terraform evaluates them.
pub fn context(path: &str) -> Option<Value> {
    let unknown_string = Value::unknown(Type::String);
    let ls = |items: &[&str]| list(Type::String, strs(items));
    Some(match path {
        "terraform_data.u.output" => Value::DYNAMIC,
        "var.str" => s("hello"),
        "var.num" => n(42),
        "var.bool" => Value::TRUE,
        "var.empty_string" => s(""),
        "var.list_of_strings" => ls(&["a", "b", "c"]),
        "var.list_of_numbers" => list(Type::Number, vec![n(1), n(2), n(3)]),
        "var.list_of_lists" => {
            list(Type::list(Type::String), vec![ls(&["a", "b"]), ls(&["c"]), Value::empty_list(Type::String)])
        }
        "var.set_of_strings" => Value::set(Type::String, strs(&["b", "a", "c"])),
        "var.map_of_strings" => Value::map(Type::String, smap(&[("a", s("x")), ("b", s("y"))])),
        "var.map_of_numbers" => Value::map(Type::Number, smap(&[("a", n(1)), ("b", n(2)), ("c", n(3))])),
        "var.map_of_lists" => Value::map(
            Type::list(Type::String),
            smap(&[("a", ls(&["1", "2"])), ("b", Value::empty_list(Type::String))]),
        ),
        "var.empty_list" => Value::empty_list(Type::String),
        "var.tuple" => tuple(vec![s("a"), n(1), Value::TRUE]),
        "var.obj" => Value::object([
            ("name", s("example")),
            ("n", n(3)),
            ("tags", Value::map(Type::String, smap(&[("env", s("dev")), ("team", s("core"))]))),
            ("items", ls(&["x", "y"])),
            ("opt", Value::null(Type::String)),
        ]),
        "var.users_by_name" => {
            let user = |age, role| Value::object([("age", n(age)), ("role", s(role))]);
            let ety = user(0, "").ty();
            Value::map(ety, smap(&[("alice", user(30, "admin")), ("bob", user(25, "dev"))]))
        }
        "var.null_string" => Value::null(Type::String),
        "var.null_number" => Value::null(Type::Number),
        "var.null_list" => Value::null(Type::list(Type::String)),
        "var.null_map" => Value::null(Type::map(Type::String)),
        "var.null_obj" => Value::null(Type::object_from([("a", Type::String)])),
        "var.null_any" => Value::NULL,
        "var.list_with_null" => list(Type::String, vec![s("a"), Value::null(Type::String), s("c")]),
        "var.secret" => secret(s("s3cr3t")),
        "var.secret_number" => secret(n(7)),
        "var.secret_list" => secret(ls(&["p1", "p2"])),
        "var.secret_map" => secret(Value::map(Type::String, smap(&[("user", s("admin")), ("pass", s("hunter2"))]))),
        "local.unknown_any" => Value::DYNAMIC,
        "local.unknown_string" => unknown_string,
        "local.unknown_number" => Value::unknown(Type::Number),
        "local.unknown_bool" => Value::unknown(Type::Bool),
        "local.unknown_list" => Value::unknown(Type::list(Type::Dynamic)),
        "local.unknown_strs" => Value::unknown(Type::list(Type::String)).refine_not_null(),
        "local.unknown_map" => Value::unknown(Type::map(Type::Dynamic)),
        "local.list_with_unknown" => list(Type::String, vec![s("a"), unknown_string, s("c")]),
        "local.tuple_with_unknown" => tuple(vec![s("a"), unknown_string, n(3)]),
        "local.map_with_unknown" => Value::map(Type::String, smap(&[("a", s("known")), ("b", unknown_string)])),
        "local.obj_with_unknown" => Value::object([("a", s("known")), ("b", unknown_string)]),
        "local.set_with_unknown" => Value::set(Type::String, vec![s("a"), unknown_string]),
        "local.nested_unknown" => {
            Value::object([("outer", Value::object([("inner", unknown_string), ("known", n(1))]))])
        }
        "local.sensitive_list" => secret(tuple(strs(&["a", "b"]))),
        "local.list_with_sensitive" => tuple(vec![s("a"), secret(s("s3cr3t"))]),
        "local.map_with_sensitive" => Value::object([("user", s("admin")), ("pass", secret(s("s3cr3t")))]),
        "local.obj_with_null" => Value::object([("a", n(1)), ("b", Value::NULL)]),
        "local.tuple_with_null" => tuple(vec![n(1), Value::NULL, n(3)]),
        _ => return None,
    })
}
