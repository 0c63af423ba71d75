//! `textencodebase64` and `textdecodebase64`: the encodings Go's `ianaindex.IANA` finds by
//! name or alias (case-insensitively), their IANA names in messages, and each encoding's
//! rules (UTF-16 with or without a byte order mark, single-byte code pages refusing
//! characters they lack) and the CJK multi-byte encodings (`cjk`).

mod cjk;

use super::charset_data::{ALIASES, ENCODINGS};
use super::gobase64;
use crate::cty::ty::go_quote;
use crate::cty::{Type, Value};
use crate::lang::function::{FuncCtx, FuncError};
pub(super) use cjk::Cjk;

/// A single-byte code page: the characters of the bytes from 0x80 (ASCII supersets) or 0.
pub(super) struct Charmap {
    pub ascii_superset: bool,
    pub table: &'static [u16],
}

pub(super) enum Enc {
    Ascii,
    Utf8,
    Utf16 { little_endian: bool, bom: bool },
    Charmap(&'static Charmap),
    Cjk(Cjk),
}

/// `ianaindex.IANA.Encoding` then `Name`: the encoding and its IANA name.
fn lookup(name: &str) -> Option<(&'static str, &'static Enc)> {
    let key = name.trim().to_lowercase();
    let i = ALIASES.binary_search_by(|(a, _)| (*a).cmp(key.as_str())).ok()?;
    let (n, e) = &ENCODINGS[ALIASES[i].1 as usize];
    Some((n, e))
}

fn encode(enc: &Enc, s: &str) -> Option<Vec<u8>> {
    match enc {
        Enc::Utf8 => Some(s.as_bytes().to_vec()),
        Enc::Ascii => s.is_ascii().then(|| s.as_bytes().to_vec()),
        Enc::Utf16 { little_endian, bom } => {
            let mut out = Vec::with_capacity(s.len() * 2 + 2);
            if *bom {
                out.extend_from_slice(&[0xfe, 0xff]);
            }
            for u in s.encode_utf16() {
                out.extend_from_slice(&if *little_endian { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            Some(out)
        }
        Enc::Charmap(m) => s
            .chars()
            .map(|c| {
                if m.ascii_superset && (c as u32) < 0x80 {
                    return Some(c as u8);
                }
                let low = if m.ascii_superset { 0x80 } else { 0 };
                m.table.iter().position(|&t| t != 0xfffd && u32::from(t) == c as u32).map(|i| (i + low) as u8)
            })
            .collect(),
        Enc::Cjk(c) => c.encode(s),
    }
}

fn decode(enc: &Enc, b: &[u8]) -> String {
    match enc {
        Enc::Utf8 => String::from_utf8_lossy(b).into_owned(),
        Enc::Ascii => b.iter().map(|&c| if c < 0x80 { c as char } else { char::REPLACEMENT_CHARACTER }).collect(),
        Enc::Utf16 { little_endian, bom } => {
            let (mut le, mut b) = (*little_endian, b);
            if *bom {
                if let Some(rest) = b.strip_prefix(&[0xfe, 0xff]) {
                    b = rest;
                } else if let Some(rest) = b.strip_prefix(&[0xff, 0xfe]) {
                    (le, b) = (true, rest);
                }
            }
            let units = b
                .chunks_exact(2)
                .map(|p| if le { u16::from_le_bytes([p[0], p[1]]) } else { u16::from_be_bytes([p[0], p[1]]) });
            let mut out: String = char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER)).collect();
            if b.len() % 2 == 1 {
                out.push(char::REPLACEMENT_CHARACTER);
            }
            out
        }
        Enc::Charmap(m) => b
            .iter()
            .map(|&c| {
                if m.ascii_superset && c < 0x80 {
                    return c as char;
                }
                let low = if m.ascii_superset { 0x80 } else { 0 };
                char::from_u32(u32::from(m.table[c as usize - low])).unwrap_or(char::REPLACEMENT_CHARACTER)
            })
            .collect(),
        Enc::Cjk(c) => c.decode(b).unwrap_or_else(|| char::REPLACEMENT_CHARACTER.to_string()),
    }
}

fn find(args: &[Value]) -> Result<(&'static str, &'static Enc), FuncError> {
    let name = args[1].as_str().unwrap_or_default();
    lookup(name).ok_or_else(|| {
        FuncError::arg(
            1,
            format!("{} is not a supported IANA encoding name or alias in this Terraform version", go_quote(name)),
        )
    })
}

pub(super) fn textencodebase64(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let (name, enc) = find(args)?;
    let bytes = encode(enc, args[0].as_str().unwrap_or_default()).ok_or_else(|| {
        FuncError::arg(0, format!("the given string contains characters that cannot be represented in {name}"))
    })?;
    Ok(Value::string(gobase64::encode(&bytes)))
}

pub(super) fn textdecodebase64(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let (name, enc) = find(args)?;
    let bytes = gobase64::decode(args[0].as_str().unwrap_or_default().as_bytes())
        .map_err(|at| FuncError::arg(0, format!("the given value is has an invalid base64 symbol at offset {at}")))?;
    let text = decode(enc, &bytes);
    if text.contains(char::REPLACEMENT_CHARACTER) {
        return Err(FuncError::arg(0, format!("the given string contains symbols that are not defined for {name}")));
    }
    Ok(Value::string(text))
}

#[cfg(test)]
mod tests {
    use crate::lang::funcs::fenc_testutil::*;

    #[test]
    fn as_terraform() {
        let enc = |t: &str, e: &str| string("textencodebase64", vec![s(t), s(e)]);
        assert_eq!(enc("Hello World", "UTF-16LE"), "SABlAGwAbABvACAAVwBvAHIAbABkAA==");
        assert_eq!(enc("é", "ISO-8859-1"), "6Q==");
        assert_eq!(enc("€", "windows-1252"), "gA==");
        assert_eq!(enc("abc", "UTF-16"), "/v8AYQBiAGM=");
        assert_eq!(enc("abc", "utf-16be"), "AGEAYgBj");
        assert_eq!(
            error("textencodebase64", vec![s("€"), s("ISO-8859-1")]),
            "Invalid value for \"string\" parameter: the given string contains characters that cannot be represented in ISO_8859-1:1987."
        );
        assert_eq!(
            error("textencodebase64", vec![s("a"), s("bogus")]),
            "Invalid value for \"encoding\" parameter: \"bogus\" is not a supported IANA encoding name or alias in this Terraform version."
        );
        let dec = |t: &str, e: &str| string("textdecodebase64", vec![s(t), s(e)]);
        assert_eq!(dec("SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE"), "Hello World");
        assert_eq!(dec("gA==", "windows-1252"), "€");
        assert_eq!(dec("6Q==", "ISO-8859-1"), "é");
        assert_eq!(
            error("textdecodebase64", vec![s("gA=="), s("UTF-8")]),
            "Invalid value for \"source\" parameter: the given string contains symbols that are not defined for UTF-8."
        );
        assert_eq!(
            error("textdecodebase64", vec![s("s3cr3t"), s("UTF-8")]),
            "Invalid value for \"source\" parameter: the given value is has an invalid base64 symbol at offset 4."
        );
    }
}
