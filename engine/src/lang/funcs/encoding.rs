//! Functions of the encoding family: Base64 (Go's strict decoding), `base64gzip` (Go's
//! `compress/gzip`, byte for byte), `urlencode` (Go's `QueryEscape`), the text encodings of
//! IANA's registry, and the JSON, CSV and YAML codecs as cty and go-cty-yaml define them.

mod charset;
mod charset_data;
mod csv;
mod deflate;
pub use deflate::go_gzip;
pub(super) mod gobase64;
mod json_decode;
mod yaml;

use crate::cty::refine::RefinementBuilder;
use crate::cty::{Type, Value};
use crate::lang::function::{FuncCtx, FuncError, Function, ImplFn, Param, Returns, refine_not_null};
use std::collections::BTreeMap;

pub(super) fn functions() -> Vec<Function> {
    vec![
        Function {
            name: "base64decode",
            params: vec![Param::new("str", Type::String).allow_marked().allow_unknown()],
            var_param: None,
            returns: Returns::Static(|| Type::String),
            refine: Some(refine_not_null),
            imp: base64decode,
        },
        string_fn("base64encode", "str", |_, a, _| Ok(Value::string(gobase64::encode(arg(a, 0).as_bytes())))),
        string_fn("base64gzip", "str", |_, a, _| {
            Ok(Value::string(gobase64::encode(&deflate::gzip(arg(a, 0).as_bytes()))))
        }),
        string_fn("urlencode", "str", |_, a, _| Ok(Value::string(query_escape(arg(a, 0))))),
        text_fn("textencodebase64", "string", charset::textencodebase64),
        text_fn("textdecodebase64", "source", charset::textdecodebase64),
        Function {
            name: "jsonencode",
            params: vec![Param::new("val", Type::Dynamic).allow_unknown().allow_dynamic().allow_null()],
            var_param: None,
            returns: Returns::Static(|| Type::String),
            refine: Some(refine_not_null),
            imp: jsonencode,
        },
        Function {
            name: "jsondecode",
            params: vec![Param::new("str", Type::String)],
            var_param: None,
            returns: Returns::Computed(jsondecode_type),
            refine: None,
            imp: jsondecode,
        },
        Function {
            name: "csvdecode",
            params: vec![Param::new("str", Type::String)],
            var_param: None,
            returns: Returns::Computed(csvdecode_type),
            refine: Some(refine_not_null),
            imp: csvdecode,
        },
        yaml::yamldecode(),
        yaml::yamlencode(),
    ]
}

/// A function of one string (unmarked, known, not null) to a string.
fn string_fn(name: &'static str, param: &'static str, imp: ImplFn) -> Function {
    Function {
        name,
        params: vec![Param::new(param, Type::String)],
        var_param: None,
        returns: Returns::Static(|| Type::String),
        refine: Some(refine_not_null),
        imp,
    }
}

fn text_fn(name: &'static str, param: &'static str, imp: ImplFn) -> Function {
    Function {
        name,
        params: vec![Param::new(param, Type::String), Param::new("encoding", Type::String)],
        var_param: None,
        returns: Returns::Static(|| Type::String),
        refine: Some(refine_not_null),
        imp,
    }
}

fn arg(args: &[Value], i: usize) -> &str {
    args[i].as_str().unwrap_or_default()
}

fn base64decode(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let (s, marks) = args[0].clone().unmark();
    let Some(s) = s.as_str() else { return Ok(Value::unknown(Type::String).with_marks(marks)) };
    let bytes = gobase64::decode(s.as_bytes()).map_err(|_| {
        FuncError::other(format!("failed to decode base64 data {}", super::filesystem::redact(s, marks)))
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| FuncError::other("the result of decoding the provided string is not valid UTF-8"))?;
    Ok(Value::string(text).with_marks(marks))
}

/// Go's `url.QueryEscape`: all but letters, digits and `-_.~` percent-encoded, spaces as `+`.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// cty's `JSONEncodeFunc`: an unknown result knows its first character when the value's
/// type does.
fn jsonencode(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let val = &args[0];
    if !val.is_wholly_known() {
        let rng = val.range();
        if rng.could_be_null() {
            return Ok(Value::unknown(Type::String));
        }
        let b: RefinementBuilder = Value::unknown(Type::String).refine();
        let b = match &rng.ty {
            Type::String => b.string_prefix_full("\""),
            Type::Object(_) | Type::Map(_) => b.string_prefix_full("{"),
            Type::Tuple(_) | Type::List(_) | Type::Set(_) => b.string_prefix_full("["),
            _ => b,
        };
        return Ok(b.new_value());
    }
    if val.is_null() {
        return Ok(Value::string("null"));
    }
    let text = crate::cty::json::marshal(val, &val.ty()).map_err(|e| FuncError::other(e.message))?;
    Ok(Value::string(text.trim()))
}

/// Go's `strconv.QuoteRune`, as `%q` prints a rune.
fn quote_rune(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        '"' => "'\"'".into(),
        c => {
            let q = crate::cty::ty::go_quote(&c.to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

fn jsondecode_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    let s = &args[0];
    if !s.is_known() {
        let rng = s.range();
        if let Some(c) = rng.string_prefix().trim().chars().next() {
            return match c {
                '{' | '[' | 'n' => Ok(Type::Dynamic),
                '"' => Ok(Type::String),
                't' | 'f' => Ok(Type::Bool),
                '-' | '0'..='9' | '.' => Ok(Type::Number),
                c => {
                    Err(FuncError::arg(0, format!("a JSON document cannot begin with the character {}", quote_rune(c))))
                }
            };
        }
        return Ok(Type::Dynamic);
    }
    json_decode::implied(arg(args, 0)).map(|(_, ty)| ty).map_err(FuncError::other)
}

fn jsondecode(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let (doc, _) = json_decode::implied(arg(args, 0)).map_err(FuncError::other)?;
    crate::cty::json::unmarshal(&doc, ret).map_err(|e| FuncError::other(e.message))
}

fn csvdecode_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    if !args[0].is_known() {
        return Ok(Type::Dynamic);
    }
    let mut r = csv::Reader::new(arg(args, 0));
    let headers = r
        .read()
        .map_err(|e| FuncError::other(e.to_string()))?
        .ok_or_else(|| FuncError::other("missing header line"))?;
    let mut attrs = BTreeMap::new();
    for name in headers {
        let name = crate::cty::value::normalize(name);
        if attrs.contains_key(&name) {
            return Err(FuncError::other(format!("duplicate column name {}", crate::cty::ty::go_quote(&name))));
        }
        attrs.insert(name, Type::String);
    }
    Ok(Type::list(Type::object(attrs)))
}

fn csvdecode(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let ety = ret.element_type().cloned().unwrap_or_default();
    let mut r = csv::Reader::new(arg(args, 0));
    r.fields_per_record = ety.attribute_types().map_or(0, BTreeMap::len);
    let headers = r.read().map_err(|e| FuncError::other(e.to_string()))?.unwrap_or_default();
    let mut rows = Vec::new();
    while let Some(cols) = r.read().map_err(|e| FuncError::other(e.to_string()))? {
        rows.push(Value::object(headers.iter().cloned().zip(cols.into_iter().map(Value::string))));
    }
    Ok(Value::list(ety, rows))
}
