//! cty's JSON encoding of values: a value of a known type as plain JSON, a value of the
//! dynamic type as `{"value": …, "type": …}`, numbers written and read exactly. The parser
//! is our own so that numbers keep every digit and syntax errors read as Go's
//! `encoding/json` words them (Terraform's messages quote them).

use super::PathStep;
use super::ty::{PathError, Type};
use super::value::Value;
use crate::number::Number;
use std::collections::BTreeMap;

/// A parsed JSON document, numbers as written, object members in order (duplicates kept).
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

/// Parses JSON text; the error is worded as Go's `encoding/json`.
pub fn parse(text: &str) -> Result<Json, String> {
    let mut p = Parser { s: text.as_bytes(), i: 0 };
    p.ws();
    if p.i >= p.s.len() {
        return Err("unexpected end of JSON input".into());
    }
    let v = p.value()?;
    p.ws();
    if p.i < p.s.len() {
        return Err(format!("invalid character {} after top-level value", quote_char(p.s, p.i)));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

/// Go's `quoteChar` for a syntax error.
fn quote_char(s: &[u8], i: usize) -> String {
    let c = std::str::from_utf8(&s[i..]).ok().and_then(|r| r.chars().next()).unwrap_or(char::REPLACEMENT_CHARACTER);
    match c {
        '\'' => "'\\''".into(),
        '"' => "'\"'".into(),
        c => {
            let q = super::ty::go_quote(&c.to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn eof(&self) -> String {
        "unexpected end of JSON input".into()
    }

    fn value(&mut self) -> Result<Json, String> {
        let Some(&c) = self.s.get(self.i) else { return Err(self.eof()) };
        match c {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => self.string().map(Json::String),
            b't' => self.literal("true", Json::Bool(true)),
            b'f' => self.literal("false", Json::Bool(false)),
            b'n' => self.literal("null", Json::Null),
            b'-' | b'0'..=b'9' => self.number(),
            _ => Err(format!("invalid character {} looking for beginning of value", quote_char(self.s, self.i))),
        }
    }

    fn literal(&mut self, word: &str, v: Json) -> Result<Json, String> {
        for (k, expect) in word.bytes().enumerate() {
            match self.s.get(self.i + k) {
                None => return Err(self.eof()),
                Some(&b) if b == expect => {}
                Some(_) => {
                    return Err(format!(
                        "invalid character {} in literal {word} (expecting '{}')",
                        quote_char(self.s, self.i + k),
                        expect as char
                    ));
                }
            }
        }
        self.i += word.len();
        Ok(v)
    }

    fn number(&mut self) -> Result<Json, String> {
        let start = self.i;
        let digit = |p: &Self, i: usize| p.s.get(i).is_some_and(u8::is_ascii_digit);
        if self.s[self.i] == b'-' {
            self.i += 1;
            if !digit(self, self.i) {
                return match self.s.get(self.i) {
                    None => Err(self.eof()),
                    Some(_) => Err(format!("invalid character {} in numeric literal", quote_char(self.s, self.i))),
                };
            }
        }
        if self.s[self.i] == b'0' {
            self.i += 1;
        } else {
            while digit(self, self.i) {
                self.i += 1;
            }
        }
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            if !digit(self, self.i) {
                return match self.s.get(self.i) {
                    None => Err(self.eof()),
                    Some(_) => Err(format!(
                        "invalid character {} after decimal point in numeric literal",
                        quote_char(self.s, self.i)
                    )),
                };
            }
            while digit(self, self.i) {
                self.i += 1;
            }
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.s.get(self.i), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if !digit(self, self.i) {
                return match self.s.get(self.i) {
                    None => Err(self.eof()),
                    Some(_) => {
                        Err(format!("invalid character {} in exponent of numeric literal", quote_char(self.s, self.i)))
                    }
                };
            }
            while digit(self, self.i) {
                self.i += 1;
            }
        }
        Ok(Json::Number(String::from_utf8_lossy(&self.s[start..self.i]).into_owned()))
    }

    fn string(&mut self) -> Result<String, String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let Some(&c) = self.s.get(self.i) else { return Err(self.eof()) };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok(out);
                }
                b'\\' => {
                    self.i += 1;
                    let Some(&e) = self.s.get(self.i) else { return Err(self.eof()) };
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            if (0xd800..0xdc00).contains(&hi)
                                && self.s.get(self.i) == Some(&b'\\')
                                && self.s.get(self.i + 1) == Some(&b'u')
                            {
                                let save = self.i;
                                self.i += 2;
                                let lo = self.hex4()?;
                                if (0xdc00..0xe000).contains(&lo) {
                                    let c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                                    out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                                    continue;
                                }
                                self.i = save;
                            }
                            out.push(char::from_u32(hi).unwrap_or(char::REPLACEMENT_CHARACTER));
                        }
                        _ => {
                            return Err(format!(
                                "invalid character {} in string escape code",
                                quote_char(self.s, self.i - 1)
                            ));
                        }
                    }
                }
                c if c < 0x20 => {
                    return Err(format!("invalid character {} in string literal", quote_char(self.s, self.i)));
                }
                _ => {
                    // A run of plain characters at once. The text is a `str`, and the run ends
                    // at an ASCII byte, so it is whole UTF-8.
                    let start = self.i;
                    while self.s.get(self.i).is_some_and(|&c| c != b'"' && c != b'\\' && c >= 0x20) {
                        self.i += 1;
                    }
                    out.push_str(std::str::from_utf8(&self.s[start..self.i]).unwrap_or("\u{fffd}"));
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut n = 0u32;
        for _ in 0..4 {
            let Some(&c) = self.s.get(self.i) else { return Err(self.eof()) };
            let d = (c as char).to_digit(16).ok_or_else(|| {
                format!("invalid character {} in \\u hexadecimal character escape", quote_char(self.s, self.i))
            })?;
            n = n * 16 + d;
            self.i += 1;
        }
        Ok(n)
    }

    fn array(&mut self) -> Result<Json, String> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(Json::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value()?);
            self.ws();
            match self.s.get(self.i) {
                None => return Err(self.eof()),
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Json::Array(items));
                }
                Some(_) => return Err(format!("invalid character {} after array element", quote_char(self.s, self.i))),
            }
        }
    }

    fn object(&mut self) -> Result<Json, String> {
        self.i += 1;
        let mut members = Vec::new();
        self.ws();
        if self.s.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(Json::Object(members));
        }
        loop {
            self.ws();
            match self.s.get(self.i) {
                None => return Err(self.eof()),
                Some(b'"') => {}
                Some(_) => {
                    return Err(format!(
                        "invalid character {} looking for beginning of object key string",
                        quote_char(self.s, self.i)
                    ));
                }
            }
            let k = self.string()?;
            self.ws();
            match self.s.get(self.i) {
                None => return Err(self.eof()),
                Some(b':') => self.i += 1,
                Some(_) => return Err(format!("invalid character {} after object key", quote_char(self.s, self.i))),
            }
            self.ws();
            let v = self.value()?;
            members.push((k, v));
            self.ws();
            match self.s.get(self.i) {
                None => return Err(self.eof()),
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Json::Object(members));
                }
                Some(_) => {
                    return Err(format!(
                        "invalid character {} after object key:value pair",
                        quote_char(self.s, self.i)
                    ));
                }
            }
        }
    }
}

/// cty's `ImpliedType`: objects are objects, arrays tuples, `null` dynamic.
pub fn implied_type(j: &Json) -> Result<Type, String> {
    Ok(match j {
        Json::Null => Type::Dynamic,
        Json::Bool(_) => Type::Bool,
        Json::Number(_) => Type::Number,
        Json::String(_) => Type::String,
        Json::Array(items) => Type::tuple(items.iter().map(implied_type).collect::<Result<_, _>>()?),
        Json::Object(members) => {
            let mut attrs: BTreeMap<String, Type> = BTreeMap::new();
            for (k, v) in members {
                let t = implied_type(v)?;
                // cty 1.16 (Terraform 1.11): a repeated property keeps its last value.
                attrs.insert(super::value::normalize(k.clone()), t);
            }
            Type::object(attrs)
        }
    })
}

fn err(path: &[PathStep], msg: impl Into<String>) -> PathError {
    PathError { path: path.to_vec(), message: msg.into() }
}

/// cty's `Unmarshal`: a value of type `ty` from JSON.
pub fn unmarshal(j: &Json, ty: &Type) -> Result<Value, PathError> {
    unmarshal_at(j, ty, &mut Vec::new(), false)
}

/// As [`unmarshal`], for stored values that may have been written with another schema:
/// attributes the type does not have are dropped, and a part that does not decode is
/// taken as JSON and made to fit.
pub fn unmarshal_lenient(j: &Json, ty: &Type) -> Value {
    match unmarshal_at(j, ty, &mut Vec::new(), true) {
        Ok(v) => v,
        Err(_) => {
            let implied = implied_type(j).unwrap_or(Type::Dynamic);
            unmarshal(j, &implied).map_or(Value::null(ty.clone()), |v| v.conform(ty))
        }
    }
}

fn unmarshal_at(j: &Json, ty: &Type, path: &mut Vec<PathStep>, lenient: bool) -> Result<Value, PathError> {
    // cty reads a null before looking at the type: a null of the dynamic type is not wrapped.
    if matches!(j, Json::Null) {
        return Ok(Value::Null(ty.clone()));
    }
    if ty.is_dynamic() {
        return unmarshal_dynamic(j, path, lenient);
    }
    match ty {
        Type::Bool => match j {
            Json::Bool(b) => Ok(Value::Bool(*b)),
            Json::String(s) => super::convert::convert(Value::string(s.clone()), ty).map_err(|e| err(path, e.message)),
            _ => Err(err(path, "bool is required")),
        },
        Type::Number => match j {
            Json::Number(s) | Json::String(s) => {
                Number::parse(s).map(Value::Number).map_err(|_| err(path, "a number is required"))
            }
            _ => Err(err(path, "number is required")),
        },
        Type::String => match j {
            Json::String(s) => Ok(Value::string(s.clone())),
            Json::Number(s) => Ok(Value::string(s.clone())),
            Json::Bool(b) => Ok(Value::string(b.to_string())),
            _ => Err(err(path, "string is required")),
        },
        Type::List(ety) | Type::Set(ety) => {
            let Json::Array(items) = j else { return Err(err(path, "missing expected [")) };
            let mut vals = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                path.push(PathStep::Index(i));
                vals.push(unmarshal_at(item, ety, path, lenient)?);
                path.pop();
            }
            Ok(if ty.is_list() { Value::list((**ety).clone(), vals) } else { Value::set((**ety).clone(), vals) })
        }
        Type::Map(ety) => {
            let Json::Object(members) = j else { return Err(err(path, "missing expected {")) };
            let mut vals = BTreeMap::new();
            for (k, item) in members {
                path.push(PathStep::Key(k.clone()));
                vals.insert(super::value::normalize(k.clone()), unmarshal_at(item, ety, path, lenient)?);
                path.pop();
            }
            Ok(Value::map((**ety).clone(), vals))
        }
        Type::Tuple(etys) => {
            let Json::Array(items) = j else { return Err(err(path, "missing expected [")) };
            if items.len() > etys.len() {
                return Err(err(path, format!("too many tuple elements (need {})", etys.len())));
            }
            if items.len() < etys.len() {
                return Err(err(path, format!("not enough tuple elements (need {})", etys.len())));
            }
            let mut vals = Vec::with_capacity(items.len());
            for (i, (item, ety)) in items.iter().zip(etys.iter()).enumerate() {
                path.push(PathStep::Index(i));
                vals.push(unmarshal_at(item, ety, path, lenient)?);
                path.pop();
            }
            Ok(Value::tuple(vals))
        }
        Type::Object(o) => {
            let Json::Object(members) = j else { return Err(err(path, "missing expected {")) };
            let mut vals = BTreeMap::new();
            for (k, item) in members {
                let k = super::value::normalize(k.clone());
                let Some(aty) = o.attrs.get(&k) else {
                    if lenient {
                        continue;
                    }
                    return Err(err(path, format!("unsupported attribute {}", super::ty::go_quote(&k))));
                };
                path.push(PathStep::Attr(k.clone()));
                let v = unmarshal_at(item, aty, path, lenient)?;
                path.pop();
                vals.insert(k, v);
            }
            for (k, aty) in &o.attrs {
                vals.entry(k.clone()).or_insert_with(|| Value::Null(aty.clone()));
            }
            Ok(Value::object_from_map(vals))
        }
        Type::Dynamic => unreachable!("handled above"),
    }
}

fn unmarshal_dynamic(j: &Json, path: &mut Vec<PathStep>, lenient: bool) -> Result<Value, PathError> {
    let Json::Object(members) = j else { return Err(err(path, "missing expected {")) };
    let (mut ty, mut value) = (None, None);
    for (k, v) in members {
        match k.as_str() {
            "type" => {
                ty = Some(
                    Type::from_json(&to_serde(v))
                        .map_err(|e| err(path, format!("failed to decode type for dynamic value: {e}")))?,
                )
            }
            "value" => value = Some(v),
            other => {
                return Err(err(
                    path,
                    format!("invalid key {} in dynamically-typed value", super::ty::go_quote(other)),
                ));
            }
        }
    }
    let ty = ty.ok_or_else(|| err(path, "missing type in dynamically-typed value"))?;
    let value = value.ok_or_else(|| err(path, "missing value in dynamically-typed value"))?;
    unmarshal_at(value, &ty, path, lenient)
}

/// A parsed document as `serde_json` (numbers that do not fit a float are kept as text).
pub fn to_serde(j: &Json) -> serde_json::Value {
    use serde_json::Value as J;
    match j {
        Json::Null => J::Null,
        Json::Bool(b) => J::Bool(*b),
        Json::Number(s) => s.parse::<serde_json::Number>().map(J::Number).unwrap_or_else(|_| J::String(s.clone())),
        Json::String(s) => J::String(s.clone()),
        Json::Array(items) => J::Array(items.iter().map(to_serde).collect()),
        Json::Object(members) => J::Object(members.iter().map(|(k, v)| (k.clone(), to_serde(v))).collect()),
    }
}

/// cty's `Marshal`: JSON text for a wholly known, unmarked value of type `ty` (values of the
/// dynamic type are wrapped with their type).
pub fn marshal(v: &Value, ty: &Type) -> Result<String, PathError> {
    let mut out = String::new();
    marshal_into(v, ty, &mut Vec::new(), &mut out)?;
    Ok(out)
}

fn marshal_into(v: &Value, ty: &Type, path: &mut Vec<PathStep>, b: &mut String) -> Result<(), PathError> {
    if v.is_marked() {
        return Err(err(path, "value has marks, so it cannot be serialized as JSON"));
    }
    if !v.is_known() {
        return Err(err(path, "value is not known"));
    }
    if ty.is_dynamic() && !v.ty().is_dynamic() {
        let vt = v.ty();
        b.push_str("{\"value\":");
        marshal_into(v, &vt, path, b)?;
        b.push_str(",\"type\":");
        b.push_str(&vt.to_json().to_string());
        b.push('}');
        return Ok(());
    }
    if v.is_null() {
        b.push_str("null");
        return Ok(());
    }
    match v {
        Value::String(s) => b.push_str(&go_json_string(s)),
        Value::Number(n) => {
            if n.is_infinite() {
                return Err(err(path, "cannot serialize infinity as JSON"));
            }
            b.push_str(&n.to_string());
        }
        Value::Bool(x) => b.push_str(if *x { "true" } else { "false" }),
        Value::List(_) | Value::Set(_) | Value::Tuple(_) => {
            b.push('[');
            let items = v.as_seq().unwrap_or(&[]);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    b.push(',');
                }
                let ety = match ty {
                    Type::List(e) | Type::Set(e) => (**e).clone(),
                    Type::Tuple(ts) => ts.get(i).cloned().unwrap_or_default(),
                    _ => item.ty(),
                };
                path.push(PathStep::Index(i));
                marshal_into(item, &ety, path, b)?;
                path.pop();
            }
            b.push(']');
        }
        Value::Map(_) | Value::Object(_) => {
            b.push('{');
            for (i, (k, item)) in v.as_map().into_iter().flatten().enumerate() {
                if i > 0 {
                    b.push(',');
                }
                let ety = match ty {
                    Type::Map(e) => (**e).clone(),
                    Type::Object(o) => o.attrs.get(k).cloned().unwrap_or_default(),
                    _ => item.ty(),
                };
                b.push_str(&go_json_string(k));
                b.push(':');
                path.push(PathStep::Attr(k.clone()));
                marshal_into(item, &ety, path, b)?;
                path.pop();
            }
            b.push('}');
        }
        Value::Null(_) | Value::Unknown(_) | Value::Marked(..) => unreachable!("handled above"),
    }
    Ok(())
}

/// A JSON string as Go's `encoding/json` writes it (Go 1.22 and later): HTML characters,
/// U+2028 and U+2029 escaped, control characters as `\b`, `\f`, `\n`, `\r`, `\t` or `\u00XX`.
pub fn go_json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_every_digit() {
        let j = parse("[12345678901234567890, 0.1]").unwrap();
        let t = implied_type(&j).unwrap();
        let v = unmarshal(&j, &t).unwrap();
        assert_eq!(marshal(&v, &t).unwrap(), "[12345678901234567890,0.1]");
    }

    #[test]
    fn go_error_messages() {
        assert_eq!(parse("{").unwrap_err(), "unexpected end of JSON input");
        assert_eq!(parse("x").unwrap_err(), "invalid character 'x' looking for beginning of value");
        assert_eq!(parse("{\"a\" 1}").unwrap_err(), "invalid character '1' after object key");
        assert_eq!(parse("[1 2]").unwrap_err(), "invalid character '2' after array element");
        assert_eq!(parse("1 2").unwrap_err(), "invalid character '2' after top-level value");
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        let v = Value::object([("a", Value::from("x"))]);
        let text = marshal(&v, &Type::Dynamic).unwrap();
        assert_eq!(text, r#"{"value":{"a":"x"},"type":["object",{"a":"string"}]}"#);
        assert_eq!(unmarshal(&parse(&text).unwrap(), &Type::Dynamic).unwrap(), v);
    }

    #[test]
    fn html_is_escaped_as_go_does() {
        assert_eq!(go_json_string("<a&b>"), r#""\u003ca\u0026b\u003e""#);
    }
}
