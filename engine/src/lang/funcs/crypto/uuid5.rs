//! `uuidv5`: a name-based SHA-1 UUID in a namespace given by keyword (`dns`, `url`, `oid`,
//! `x500`) or as a UUID, parsed as `github.com/google/uuid`'s `Parse` does (with its forms
//! and error texts).

use crate::cty::{Type, Value};
use crate::lang::function::{FuncCtx, FuncError};
use uuid::Uuid;

pub(super) fn uuidv5(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let ns = args[0].as_str().unwrap_or_default();
    let name = args[1].as_str().unwrap_or_default();
    let namespace = match ns {
        "dns" => Uuid::NAMESPACE_DNS,
        "url" => Uuid::NAMESPACE_URL,
        "oid" => Uuid::NAMESPACE_OID,
        "x500" => Uuid::NAMESPACE_X500,
        other => {
            parse(other).map_err(|e| FuncError::other(format!("uuidv5() doesn't support namespace {other} ({e})")))?
        }
    };
    Ok(Value::string(Uuid::new_v5(&namespace, name.as_bytes()).hyphenated().to_string()))
}

/// google/uuid's `Parse`: `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, optionally in braces or
/// after `urn:uuid:`, or 32 hex digits.
fn parse(s: &str) -> Result<Uuid, String> {
    let b = s.as_bytes();
    let body: &[u8] = match b.len() {
        36 => b,
        45 => {
            if !s.get(..9).is_some_and(|p| p.eq_ignore_ascii_case("urn:uuid:")) {
                return Err(format!(
                    "invalid urn prefix: {}",
                    crate::cty::ty::go_quote(&String::from_utf8_lossy(&b[..9]))
                ));
            }
            &b[9..]
        }
        // The braces themselves are not checked (google/uuid v1.6.0).
        38 => &b[1..37],
        32 => {
            let mut out = [0u8; 16];
            for (i, o) in out.iter_mut().enumerate() {
                *o = hex_pair(b[2 * i], b[2 * i + 1]).ok_or("invalid UUID format")?;
            }
            return Ok(Uuid::from_bytes(out));
        }
        n => return Err(format!("invalid UUID length: {n}")),
    };
    if body[8] != b'-' || body[13] != b'-' || body[18] != b'-' || body[23] != b'-' {
        return Err("invalid UUID format".into());
    }
    let mut out = [0u8; 16];
    for (i, x) in [0usize, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34].into_iter().enumerate() {
        out[i] = hex_pair(body[x], body[x + 1]).ok_or("invalid UUID format")?;
    }
    Ok(Uuid::from_bytes(out))
}

fn hex_pair(a: u8, b: u8) -> Option<u8> {
    let h = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    Some(h(a)? << 4 | h(b)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn google_uuid_forms() {
        let want = Uuid::NAMESPACE_DNS;
        assert_eq!(parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), Ok(want));
        assert_eq!(parse("{6BA7B810-9DAD-11D1-80B4-00C04FD430C8}"), Ok(want));
        assert_eq!(parse("urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8"), Ok(want));
        assert_eq!(parse("6ba7b8109dad11d180b400c04fd430c8"), Ok(want));
        assert_eq!(parse("DNS"), Err("invalid UUID length: 3".into()));
        assert_eq!(parse("not-a-uuid"), Err("invalid UUID length: 10".into()));
    }
}
