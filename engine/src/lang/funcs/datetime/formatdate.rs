//! `formatdate`'s format language (cty's `datetime.go`): runs of one letter are verbs
//! (`YYYY`, `MMM`, `hh`…), `'…'` quotes literal text (`''` is a quote), anything else is
//! copied. Note `h` is the 24-hour clock and `H` the 12-hour one.

use super::time::{MONTHS, Time, WEEKDAYS, go_year};
use crate::cty::ty::go_quote;

const ESC: u8 = b'\'';

/// The next token of `data` (cty's `splitDateFormat` at the end of its input).
fn next_token(data: &[u8]) -> &[u8] {
    let c = data[0];
    if c == ESC {
        if data.get(1) == Some(&ESC) {
            return &data[..2];
        }
        // A quoted sequence, to the closing quote; doubled quotes inside are escapes.
        let mut i = 1;
        while i < data.len() {
            if data[i] == ESC {
                if i + 1 == data.len() {
                    return data;
                }
                if data[i + 1] == ESC {
                    i += 2;
                    continue;
                }
                return &data[..=i];
            }
            i += 1;
        }
        return data;
    }
    if c.is_ascii_alphabetic() {
        let n = data.iter().take_while(|&&b| b == c).count();
        return &data[..n];
    }
    let n = 1 + data[1..].iter().take_while(|&&b| b != ESC && !b.is_ascii_alphabetic()).count();
    &data[..n]
}

/// Formats `t` by `format`; the error is about the format.
pub(super) fn format_date(format: &str, t: &Time) -> Result<String, String> {
    let c = t.civil();
    let mut out: Vec<u8> = Vec::new();
    let mut data = format.as_bytes();
    while !data.is_empty() {
        let tok = next_token(data);
        data = &data[tok.len()..];
        if tok[0] == ESC {
            if tok.len() == 1 || tok[tok.len() - 1] != ESC {
                return Err("unterminated literal '".to_string());
            }
            if tok.len() == 2 {
                out.push(ESC);
                continue;
            }
            // The text between the quotes, with doubled quotes undoubled.
            let raw = &tok[1..tok.len() - 1];
            let mut i = 0;
            while i < raw.len() {
                out.push(raw[i]);
                i += if raw[i] == ESC { 2 } else { 1 };
            }
            continue;
        }
        if !tok[0].is_ascii_alphabetic() {
            out.extend_from_slice(tok);
            continue;
        }
        let verb = std::str::from_utf8(tok).expect("ASCII letters");
        let bad = |detail: &str| {
            if detail.is_empty() {
                Err(format!("invalid date format verb {}", go_quote(verb)))
            } else {
                Err(format!("invalid date format verb {}: {detail}", go_quote(verb)))
            }
        };
        let num = |n: u32, wide: bool| if wide { format!("{n:02}") } else { n.to_string() };
        let text = match (tok[0], tok.len()) {
            (b'Y', 2) => format!("{:02}", c.year % 100),
            (b'Y', 4) => go_year(c.year),
            (b'Y', _) => return bad("year must either be \"YY\" or \"YYYY\""),
            (b'M', n @ (1 | 2)) => num(c.month, n == 2),
            (b'M', 3) => MONTHS[c.month as usize - 1][..3].to_string(),
            (b'M', 4) => MONTHS[c.month as usize - 1].to_string(),
            (b'M', _) => return bad("month must be \"M\", \"MM\", \"MMM\", or \"MMMM\""),
            (b'D', n @ (1 | 2)) => num(c.day, n == 2),
            (b'D', _) => return bad("day of month must either be \"D\" or \"DD\""),
            (b'E', 3) => WEEKDAYS[c.weekday as usize][..3].to_string(),
            (b'E', 4) => WEEKDAYS[c.weekday as usize].to_string(),
            (b'E', _) => return bad("day of week must either be \"EEE\" or \"EEEE\""),
            (b'h', n @ (1 | 2)) => num(c.hour, n == 2),
            (b'h', _) => return bad("24-hour must either be \"h\" or \"hh\""),
            (b'H', n @ (1 | 2)) => num(if c.hour.is_multiple_of(12) { 12 } else { c.hour % 12 }, n == 2),
            (b'H', _) => return bad("12-hour must either be \"H\" or \"HH\""),
            (b'A' | b'a', 2) => {
                let pm = c.hour >= 12;
                let s = if pm { "PM" } else { "AM" };
                if tok[0] == b'A' { s.to_string() } else { s.to_ascii_lowercase() }
            }
            (b'A' | b'a', _) => {
                let l = tok[0] as char;
                return bad(&format!("must be \"{l}{l}\""));
            }
            (b'm', n @ (1 | 2)) => num(c.minute, n == 2),
            (b'm', _) => return bad("minute must either be \"m\" or \"mm\""),
            (b's', n @ (1 | 2)) => num(c.second, n == 2),
            (b's', _) => return bad("second must either be \"s\" or \"ss\""),
            (b'Z', 1) => t.zone(true, true),
            (b'Z', 3) => match t.zone(false, false).as_str() {
                "+0000" => "UTC".to_string(),
                z => z.to_string(),
            },
            (b'Z', 4) => t.zone(false, false),
            (b'Z', 5) => t.zone(false, true),
            (b'Z', _) => return bad("timezone must be Z, ZZZZ, or ZZZZZ"),
            _ => return bad(""),
        };
        out.extend_from_slice(text.as_bytes());
    }
    Ok(String::from_utf8(out).expect("copied whole characters"))
}
