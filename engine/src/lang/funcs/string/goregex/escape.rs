//! The escapes and bracketed classes of Go's regexp syntax (`parseEscape`,
//! `parseUnicodeClass`, `parseClass`), written as `regex` crate syntax.

use super::class::{self, ClassBuf};
use super::parse::{cut, err};
use super::{ErrorCode, SyntaxError};

/// A bracketed class at the start of `s` (Go's `parseClass`): the class and the rest.
pub(super) fn bracket_class(s: &str, fold: bool) -> Result<(String, &str), SyntaxError> {
    let mut t = &s[1..];
    let mut buf = ClassBuf::default();
    let negated = t.starts_with('^');
    if negated {
        t = &t[1..];
    }
    let mut first = true;
    while first || !t.starts_with(']') {
        first = false;
        if t.len() > 2
            && t.starts_with("[:")
            && let Some(i) = t[2..].find(":]")
        {
            let full = &t[..i + 4];
            let Some((ranges, neg)) = class::posix_class(&t[2..i + 2]) else {
                return Err(err(ErrorCode::InvalidCharRange, full));
            };
            buf.nested(&class::ranges_class(ranges, neg));
            t = &t[i + 4..];
            continue;
        }
        let b = t.as_bytes();
        if b.len() >= 2 && b[0] == b'\\' {
            if b[1] == b'p' || b[1] == b'P' {
                let (cls, rest) = unicode_escape(t)?;
                buf.nested(&cls);
                t = rest;
                continue;
            }
            if let Some((ranges, neg)) = class::perl_class(b[1]) {
                buf.nested(&class::ranges_class(ranges, neg));
                t = &t[2..];
                continue;
            }
        }
        let rng = t;
        let (lo, rest) = class_char(t, s)?;
        t = rest;
        let mut hi = lo;
        if t.len() >= 2 && t.starts_with('-') && t.as_bytes()[1] != b']' {
            let (h, rest) = class_char(&t[1..], s)?;
            t = rest;
            hi = h;
            if hi < lo {
                return Err(err(ErrorCode::InvalidCharRange, cut(rng, t)));
            }
        }
        buf.rune_range(lo, hi);
    }
    Ok((buf.finish(negated, fold), &t[1..]))
}

/// A character of a class: an escape or a rune; the class must go on (`whole` is the
/// class from its `[` on, for the error).
fn class_char<'s>(t: &'s str, whole: &str) -> Result<(u32, &'s str), SyntaxError> {
    match t.chars().next() {
        None => Err(err(ErrorCode::MissingBracket, whole)),
        Some('\\') => parse_escape(t),
        Some(c) => Ok((c as u32, &t[c.len_utf8()..])),
    }
}

/// `\p{Name}`, `\pN`, `\P..` or `\p{^..}` at the start of `s`: the (unnegated) class and
/// the rest, or Go's error for an unknown name.
pub(super) fn unicode_escape(s: &str) -> Result<(String, &str), SyntaxError> {
    let negated = s.as_bytes()[1] == b'P';
    let t = &s[2..];
    let (seq, name, rest) = match t.chars().next() {
        Some('{') => {
            let Some(end) = s.find('}') else { return Err(err(ErrorCode::InvalidCharRange, s)) };
            (&s[..=end], &s[3..end], &s[end + 1..])
        }
        c => {
            let len = c.map_or(0, char::len_utf8);
            (&s[..2 + len], &t[..len], &t[len..])
        }
    };
    let (name, negated) = match name.strip_prefix('^') {
        Some(n) => (n, !negated),
        None => (name, negated),
    };
    let cls = class::unicode_class(name).ok_or_else(|| err(ErrorCode::InvalidCharRange, seq))?;
    Ok((if negated { format!("[^{cls}]") } else { cls }, rest))
}

/// Go's `parseEscape`: the rune a `\` escape at the start of `s` stands for.
pub(super) fn parse_escape(s: &str) -> Result<(u32, &str), SyntaxError> {
    let invalid = |t: &str| err(ErrorCode::InvalidEscape, cut(s, t));
    let t = &s[1..];
    let Some(c) = t.chars().next() else { return Err(err(ErrorCode::TrailingBackslash, "")) };
    let mut t = &t[c.len_utf8()..];
    let octal = |t: &str| t.as_bytes().first().is_some_and(|d| (b'0'..=b'7').contains(d));
    match c {
        // A single non-zero digit would be a backreference, which Go does not support.
        '1'..='7' if !octal(t) => Err(invalid(t)),
        '0'..='7' => {
            let mut r = c as u32 - '0' as u32;
            for _ in 1..3 {
                if !octal(t) {
                    break;
                }
                r = r * 8 + u32::from(t.as_bytes()[0] - b'0');
                t = &t[1..];
            }
            Ok((r, t))
        }
        'x' => {
            let Some(c) = t.chars().next() else { return Err(invalid(t)) };
            t = &t[c.len_utf8()..];
            if c == '{' {
                let mut n = 0;
                let mut r: u32 = 0;
                loop {
                    let Some(c) = t.chars().next() else { return Err(invalid(t)) };
                    t = &t[c.len_utf8()..];
                    if c == '}' {
                        break;
                    }
                    let Some(v) = c.to_digit(16) else { return Err(invalid(t)) };
                    r = r * 16 + v;
                    if r > 0x10FFFF {
                        return Err(invalid(t));
                    }
                    n += 1;
                }
                return if n == 0 { Err(invalid(t)) } else { Ok((r, t)) };
            }
            let x = c.to_digit(16);
            let c2 = t.chars().next();
            if let Some(c2) = c2 {
                t = &t[c2.len_utf8()..];
            }
            match (x, c2.and_then(|c| c.to_digit(16))) {
                (Some(x), Some(y)) => Ok((x * 16 + y, t)),
                _ => Err(invalid(t)),
            }
        }
        'a' => Ok((0x07, t)),
        'f' => Ok((0x0C, t)),
        'n' => Ok((0x0A, t)),
        'r' => Ok((0x0D, t)),
        't' => Ok((0x09, t)),
        'v' => Ok((0x0B, t)),
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok((c as u32, t)),
        _ => Err(invalid(t)),
    }
}
