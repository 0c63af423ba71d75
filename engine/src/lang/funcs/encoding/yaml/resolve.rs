//! go-cty-yaml's resolution of scalars (its `resolve.go`): YAML 1.1's booleans (`yes`, `on`,
//! ...), nulls and infinities, integers in decimal, `0x` and `0o` forms, floats, timestamps
//! as RFC 3339 strings, `!!binary` kept as its Base64 text, and the merge key `<<`.

use super::events::Style;
use crate::cty::{Type, Value};
use crate::number::Number;

pub(super) const STR: &str = "tag:yaml.org,2002:str";
const BOOL: &str = "tag:yaml.org,2002:bool";
const INT: &str = "tag:yaml.org,2002:int";
const FLOAT: &str = "tag:yaml.org,2002:float";
const NULL: &str = "tag:yaml.org,2002:null";
const TIMESTAMP: &str = "tag:yaml.org,2002:timestamp";
const BINARY: &str = "tag:yaml.org,2002:binary";
pub(super) const MAP: &str = "tag:yaml.org,2002:map";
pub(super) const SEQ: &str = "tag:yaml.org,2002:seq";

/// A resolved scalar: a value, or the merge key.
pub(super) enum Resolved {
    Value(Value),
    Merge,
}

/// go-cty-yaml's `resolveMap`: the plain words with a fixed meaning, and their tag.
fn resolve_map(s: &str) -> Option<(Value, &'static str)> {
    Some(match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => (Value::TRUE, BOOL),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => (Value::FALSE, BOOL),
        "" | "~" | "null" | "Null" | "NULL" => (Value::NULL, NULL),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => (Value::Number(Number::infinity(false)), FLOAT),
        "-.inf" | "-.Inf" | "-.INF" => (Value::Number(Number::infinity(true)), FLOAT),
        _ => return None,
    })
}

fn resolvable(tag: &str) -> bool {
    matches!(tag, "" | STR | BOOL | INT | FLOAT | NULL | TIMESTAMP | BINARY)
}

/// The first byte's class: sign, digit, in the map, dot, or none.
fn hint(src: &str) -> u8 {
    match src.as_bytes().first() {
        None => b'N',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => 0,
    }
}

fn digits(s: &[u8]) -> usize {
    s.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// `\A([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)\z`
fn is_integer_literal(s: &str) -> bool {
    let b = s.as_bytes();
    if let Some(r) = s.strip_prefix("0o") {
        return !r.is_empty() && r.bytes().all(|c| (b'0'..=b'7').contains(&c));
    }
    if let Some(r) = s.strip_prefix("0x") {
        return !r.is_empty() && r.bytes().all(|c| c.is_ascii_hexdigit());
    }
    let b = if matches!(b.first(), Some(b'+' | b'-')) { &b[1..] } else { b };
    !b.is_empty() && digits(b) == b.len()
}

/// `\A[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\z`
fn is_float_literal(s: &str) -> bool {
    let mut b = s.as_bytes();
    if matches!(b.first(), Some(b'+' | b'-')) {
        b = &b[1..];
    }
    if b.first() == Some(&b'.') {
        let n = digits(&b[1..]);
        if n == 0 {
            return false;
        }
        b = &b[1 + n..];
    } else {
        let n = digits(b);
        if n == 0 {
            return false;
        }
        b = &b[n..];
        if b.first() == Some(&b'.') {
            b = &b[1 + digits(&b[1..])..];
        }
    }
    if matches!(b.first(), Some(b'e' | b'E')) {
        b = &b[1..];
        if matches!(b.first(), Some(b'+' | b'-')) {
            b = &b[1..];
        }
        let n = digits(b);
        if n == 0 {
            return false;
        }
        b = &b[n..];
    }
    b.is_empty()
}

/// cty's `ParseNumberVal` (decimal only).
fn parse_number(s: &str) -> Option<Value> {
    let b = s.as_bytes();
    let body = if matches!(b.first(), Some(b'+' | b'-')) { &b[1..] } else { b };
    // Only decimal digits, a point and an exponent: not "inf", "nan" or hex forms.
    if body.is_empty() || !body.iter().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-')) {
        return None;
    }
    Number::parse(s).ok().map(Value::Number)
}

/// Go's `strconv.ParseInt(s, 0, 64)` then `ParseUint(s, 0, 64)`: base prefixes `0x`, `0o`,
/// `0b` and a leading `0` for octal.
fn parse_go_int(s: &str) -> Option<Value> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let n = u64::from_str_radix(digits, radix).ok()?;
    if neg {
        if n > i64::MAX as u64 + 1 {
            return None;
        }
        return Some(Value::Number(Number::from_i64((n as i64).wrapping_neg())));
    }
    Some(Value::Number(Number::from_u64(n)))
}

/// go-cty-yaml's `resolveScalar`.
pub(super) fn resolve_scalar(tag: &str, src: &str, style: Style) -> Result<Resolved, String> {
    if !resolvable(tag) {
        return Err(format!("unsupported tag {}", crate::cty::ty::go_quote(tag)));
    }
    let mut tag = tag;
    let h = hint(src);
    if h != 0 && tag != STR && tag != BINARY {
        if matches!(style, Style::SingleQuoted | Style::DoubleQuoted) {
            return Ok(Resolved::Value(Value::string(src)));
        }
        if let Some((v, _)) = resolve_map(src) {
            return Ok(Resolved::Value(v));
        }
        if tag.is_empty() && matches!(src, ".nan" | ".NaN" | ".NAN") {
            return Err("floating point NaN is not supported".into());
        }
        match h {
            b'.' => {
                if let Some(v) = parse_number(src) {
                    return Ok(Resolved::Value(v));
                }
            }
            b'D' | b'S' => {
                if (tag.is_empty() || tag == TIMESTAMP)
                    && let Some(t) = super::timestamp::parse(src)
                {
                    return Ok(Resolved::Value(Value::string(t)));
                }
                if is_integer_literal(src) {
                    tag = INT;
                } else if is_float_literal(src) {
                    tag = FLOAT;
                }
            }
            _ => {}
        }
    }
    if tag.is_empty() && src == "<<" {
        return Ok(Resolved::Merge);
    }
    let cannot = |tag: &str| format!("cannot parse {} as {tag}", crate::cty::ty::go_quote(src));
    Ok(Resolved::Value(match tag {
        STR | BINARY => {
            if tag == BINARY && crate::lang::funcs::encoding::gobase64::decode(src.as_bytes()).is_err() {
                return Err(format!("{}: not valid base64", cannot(tag)));
            }
            Value::string(src)
        }
        BOOL => match resolve_map(src) {
            Some((v, BOOL)) => v,
            _ => return Err(cannot(tag)),
        },
        FLOAT | INT => {
            let plain = src.replace('_', "");
            parse_number(&plain).or_else(|| parse_go_int(&plain)).ok_or_else(|| cannot(tag))?
        }
        TIMESTAMP => Value::string(super::timestamp::parse(src).ok_or_else(|| cannot(tag))?),
        NULL => Value::NULL,
        _ => Value::string(src),
    }))
}

/// The type a scalar event implies (go-cty-yaml's `impliedTypeScalar`).
pub(super) fn implied_scalar_type(tag: &str, src: &str, style: Style, implicit: bool) -> Result<Type, String> {
    if tag.is_empty() && !implicit {
        return Ok(Type::String);
    }
    Ok(match resolve_scalar(tag, src, style)? {
        Resolved::Merge => Type::String,
        Resolved::Value(v) => v.ty(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Option<f64> {
        match resolve_scalar("", s, Style::Plain).ok()? {
            Resolved::Value(v) => v.as_f64(),
            Resolved::Merge => None,
        }
    }

    #[test]
    fn numbers_as_go_cty_yaml() {
        assert_eq!(num("0x10"), Some(16.0));
        assert_eq!(num("0o10"), Some(8.0));
        assert_eq!(num("010"), Some(10.0));
        assert_eq!(num("1e3"), Some(1000.0));
        assert_eq!(num(".5"), Some(0.5));
        assert_eq!(num("+1"), Some(1.0));
        assert_eq!(num("1_000"), None);
        assert!(is_float_literal("1."));
        assert!(!is_float_literal("."));
    }
}
