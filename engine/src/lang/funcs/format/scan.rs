//! cty's format string scanner (`format_fsm.rl`), as a hand-written equivalent of its Ragel
//! machine: literal bytes, `%%`, and verbs of the shape
//! `%` flags* width? (`.` digits*)? (`[` n `]`)? letter, with the machine's error messages
//! and byte offsets.

use super::verbs::{Verb, append};
use crate::cty::Value;
use crate::lang::function::FuncError;

/// Formats `args` (known values, marks removed) by `format`.
pub(super) fn format(format: &str, args: &[Value]) -> Result<String, FuncError> {
    let s = format.as_bytes();
    let mut out = String::new();
    let mut next_arg: i64 = 1; // argument numbers are 1-based
    let mut highest: i64 = 0; // zero means none
    let mut lit_start = 0;
    let mut p = 0;
    while p < s.len() {
        if s[p] != b'%' {
            p += 1;
            continue;
        }
        out.push_str(&format[lit_start..p]);
        let ts = p;
        p += 1;
        if s.get(p) == Some(&b'%') {
            out.push('%');
            p += 1;
            lit_start = p;
            continue;
        }
        let mut verb = Verb { offset: ts, arg_num: next_arg, ..Verb::default() };
        while let Some(&c) = s.get(p) {
            match c {
                b'0' => verb.zero = true,
                b'#' => verb.sharp = true,
                b'-' => verb.minus = true,
                b'+' => verb.plus = true,
                b' ' => verb.space = true,
                _ => break,
            }
            p += 1;
        }
        if matches!(s.get(p), Some(b'1'..=b'9')) {
            let start = p;
            verb.width = Some(digits(s, &mut p));
            verb.width_digits = &format[start..p];
        }
        if s.get(p) == Some(&b'.') {
            p += 1;
            let start = p;
            verb.prec = Some(digits(s, &mut p));
            verb.prec_digits = &format[start..p];
        }
        if s.get(p) == Some(&b'[') {
            p += 1;
            expect(format, p, |c| (b'1'..=b'9').contains(&c))?;
            verb.arg_num = digits(s, &mut p);
            expect(format, p, |c| c == b']')?;
            p += 1;
        }
        expect(format, p, |c| c.is_ascii_alphabetic())?;
        verb.mode = s[p] as char;
        p += 1;
        verb.raw = &format[ts..p];
        highest = highest.max(verb.arg_num);
        append(&verb, &mut out, args)?;
        next_arg = verb.arg_num.wrapping_add(1);
        lit_start = p;
    }
    out.push_str(&format[lit_start..]);

    // Extraneous arguments are an error, to catch mistakes.
    if highest < args.len() as i64 {
        let first_bad = (highest + 1) as usize;
        if highest == 0 {
            return Err(FuncError::arg(first_bad, "too many arguments; no verbs in format string"));
        }
        return Err(FuncError::arg(first_bad, format!("too many arguments; only {highest} used by format string")));
    }
    Ok(out)
}

/// A run of decimal digits at `p`, accumulated as Go's `int` does (wrapping).
fn digits(s: &[u8], p: &mut usize) -> i64 {
    let mut n: i64 = 0;
    while let Some(&c) = s.get(*p).filter(|c| c.is_ascii_digit()) {
        n = n.wrapping_mul(10).wrapping_add(i64::from(c - b'0'));
        *p += 1;
    }
    n
}

/// The machine's errors when the byte at `p` cannot continue a verb: the end of the string,
/// or an unexpected character (reported as the whole UTF-8 sequence, Go-quoted).
fn expect(format: &str, p: usize, ok: impl Fn(u8) -> bool) -> Result<(), FuncError> {
    match format.as_bytes().get(p) {
        None => Err(FuncError::other(format!("invalid format string starting at offset {p}"))),
        Some(&c) if ok(c) => Ok(()),
        Some(_) => {
            let c = format[p..].chars().next().expect("p is at a character boundary");
            Err(FuncError::other(format!("unrecognized format character {} at offset {p}", go_quote_rune(c))))
        }
    }
}

/// Go's `%q` of a rune (`strconv.QuoteRune`): single quotes, Go escapes for what is not
/// printable.
pub(super) fn go_quote_rune(c: char) -> String {
    let body = match c {
        '\'' => "\\'".to_string(),
        '\\' => "\\\\".to_string(),
        '\u{7}' => "\\a".to_string(),
        '\u{8}' => "\\b".to_string(),
        '\u{c}' => "\\f".to_string(),
        '\n' => "\\n".to_string(),
        '\r' => "\\r".to_string(),
        '\t' => "\\t".to_string(),
        '\u{b}' => "\\v".to_string(),
        c if crate::cty::ty::is_go_printable(c) => c.to_string(),
        c if (c as u32) < 0x80 => format!("\\x{:02x}", c as u32),
        c if (c as u32) < 0x10000 => format!("\\u{:04x}", c as u32),
        c => format!("\\U{:08x}", c as u32),
    };
    format!("'{body}'")
}
