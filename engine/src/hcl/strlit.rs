//! String literal tokens to text: backslash escapes in quoted templates, and the `$${` and
//! `%%{` escapes everywhere (hclsyntax's `scanStringLit` and `ParseStringLiteralToken`).

use super::Diag;
use super::ast::Span;
use crate::cty::ty::go_quote;

/// Splits a literal into the pieces hclsyntax treats one by one: escapes, template escapes,
/// newlines, and runs of plain text.
fn slices(b: &[u8], quoted: bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut plain_start = 0;
    let flush = |out: &mut Vec<(usize, usize)>, s: usize, e: usize| {
        if e > s {
            out.push((s, e));
        }
    };
    while i < b.len() {
        let c = b[i];
        let len = if quoted && c == b'\\' {
            match b.get(i + 1) {
                Some(b'u') => 2 + b[i + 2..].iter().take(4).take_while(|x| x.is_ascii_hexdigit()).count(),
                Some(b'U') => 2 + b[i + 2..].iter().take(8).take_while(|x| x.is_ascii_hexdigit()).count(),
                Some(&n) => 1 + utf8_char_len(n).min(b.len() - i - 1),
                None => 1,
            }
        } else if c == b'$' || c == b'%' {
            if b.get(i + 1) == Some(&c) { if b.get(i + 2) == Some(&b'{') { 3 } else { 2 } } else { 1 }
        } else if c == b'\r' && b.get(i + 1) == Some(&b'\n') {
            2
        } else if c == b'\r' || c == b'\n' {
            1
        } else {
            i += 1;
            continue;
        };
        flush(&mut out, plain_start, i);
        out.push((i, i + len));
        i += len;
        plain_start = i;
    }
    flush(&mut out, plain_start, b.len());
    out
}

fn utf8_char_len(lead: u8) -> usize {
    match lead {
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf7 => 4,
        _ => 1,
    }
}

/// The text of a literal token (`quoted`: a `QuotedLit`, which may hold backslash escapes),
/// with any escape errors. `span` is the token's range.
pub fn unescape(b: &[u8], quoted: bool, span: &Span, diags: &mut Vec<Diag>) -> String {
    let mut ret: Vec<u8> = Vec::with_capacity(b.len());
    for (s, e) in slices(b, quoted) {
        let slice = &b[s..e];
        let rng = span.start + s..span.start + e;
        let err = |diags: &mut Vec<Diag>, detail: String| {
            diags.push(Diag::new("Invalid escape sequence", detail, rng.clone()));
        };
        match slice[0] {
            b'\\' if quoted => {
                if slice.len() < 2 {
                    err(diags, "Backslash must be followed by an escape sequence selector character.".into());
                    ret.extend_from_slice(slice);
                    continue;
                }
                match slice[1] {
                    b'n' => ret.push(b'\n'),
                    b'r' => ret.push(b'\r'),
                    b't' => ret.push(b'\t'),
                    b'"' => ret.push(b'"'),
                    b'\\' => ret.push(b'\\'),
                    b'u' | b'U' => {
                        let want = if slice[1] == b'u' { 6 } else { 10 };
                        if slice.len() != want {
                            err(
                                diags,
                                if want == 6 {
                                    "The \\u escape sequence must be followed by four hexadecimal digits.".into()
                                } else {
                                    "The \\U escape sequence must be followed by eight hexadecimal digits.".into()
                                },
                            );
                            ret.extend_from_slice(slice);
                            continue;
                        }
                        let hex = std::str::from_utf8(&slice[2..]).unwrap_or("0");
                        let num = u32::from_str_radix(hex, 16).unwrap_or(0);
                        match char::from_u32(num) {
                            Some(c) => {
                                let mut buf = [0u8; 4];
                                ret.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                            }
                            None => {
                                err(diags, format!("Cannot encode character U+{num:04x} in UTF-8."));
                                ret.extend_from_slice(slice);
                            }
                        }
                    }
                    _ => {
                        let sel = String::from_utf8_lossy(&slice[1..]);
                        err(diags, format!("The symbol {} is not a valid escape sequence selector.", go_quote(&sel)));
                        ret.extend_from_slice(&slice[1..]);
                    }
                }
            }
            b'$' | b'%' if slice.len() == 3 && slice[1] == slice[0] && slice[2] == b'{' => {
                ret.push(slice[0]);
                ret.push(b'{');
            }
            _ => ret.extend_from_slice(slice),
        }
    }
    String::from_utf8(ret).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn un(s: &str) -> (String, usize) {
        let mut d = Vec::new();
        let out = unescape(s.as_bytes(), true, &(0..s.len()), &mut d);
        (out, d.len())
    }

    #[test]
    fn escapes() {
        assert_eq!(un(r#"a\nb\t\"\\"#), ("a\nb\t\"\\".into(), 0));
        assert_eq!(un(r"\u00e9\U0001F600"), ("é😀".into(), 0));
        assert_eq!(un("$${x}%%{y}$$"), ("${x}%{y}$$".into(), 0));
        assert_eq!(un(r"\q").1, 1);
        assert_eq!(un(r"\u12").1, 1);
    }
}
