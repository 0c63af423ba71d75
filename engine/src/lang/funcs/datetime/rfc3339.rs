//! RFC 3339 timestamps as the two parsers involved read them, and their errors as the two
//! wordings of `parseTimestamp` put them:
//!
//! - cty (`formatdate`, `timeadd`): its own strict parser (`datetime_rfc3339.go`); on
//!   failure Go's `time.Parse` is asked for an error, plus checks for what Go's layout
//!   parser wrongly accepts (go.dev/issue/54580).
//! - Terraform (`timecmp`): Go's `time.Parse(time.RFC3339, …)`, i.e. the strict parser or,
//!   failing it, Go's layout-driven parser, which is laxer (a one-digit hour, a comma before
//!   the fraction, offsets up to 24:60).

use super::time::{Time, days_in};

/// Go's `time.ParseError`, reduced to what the messages use.
#[derive(Debug)]
struct ParseError {
    layout_elem: &'static str,
    value_elem: Vec<u8>,
    message: String,
}

fn perr(layout_elem: &'static str, value_elem: &[u8], message: impl Into<String>) -> ParseError {
    ParseError { layout_elem, value_elem: value_elem.to_vec(), message: message.into() }
}

/// cty's `parseTimestamp`, for `formatdate` and `timeadd`.
pub(super) fn parse_cty(s: &str) -> Result<Time, String> {
    strict_with_checks(s).map_err(|e| describe(&e, true))
}

/// Terraform's `parseTimestamp` (`time.Parse`), for `timecmp`.
pub(super) fn parse_go(s: &str) -> Result<Time, String> {
    match strict(s.as_bytes()) {
        Some(t) => Ok(t),
        None => layout(s.as_bytes()).map_err(|e| describe(&e, false)),
    }
}

/// cty's `parseStrictRFC3339`.
fn strict_with_checks(str: &str) -> Result<Time, ParseError> {
    let s = str.as_bytes();
    if let Some(t) = strict(s) {
        return Ok(t);
    }
    layout(s)?;
    // Go accepted what RFC 3339 does not.
    let num2 = |b: &[u8]| 10u8.wrapping_mul(b[0].wrapping_sub(b'0')).wrapping_add(b[1].wrapping_sub(b'0'));
    if s[12] == b':' {
        return Err(perr("15", &s[11..12], ": hour must have two digits"));
    }
    if s[19] == b',' {
        return Err(perr(".", b",", ": sub-second separator must be a period"));
    }
    if s[s.len() - 1] != b'Z' {
        if num2(&s[s.len() - 5..]) >= 24 {
            return Err(perr("Z07:00", &s[s.len() - 6..], ": timezone hour out of range"));
        }
        if num2(&s[s.len() - 2..]) >= 60 {
            return Err(perr("Z07:00", &s[s.len() - 6..], ": timezone minute out of range"));
        }
        // cty falls out here with Go's zero time and no error.
        return Ok(Time::zero());
    }
    Err(perr("2006-01-02T15:04:05Z07:00", s, ""))
}

/// The strict parser (cty's copy of Go's `parseRFC3339`, which `time.Parse` tries first).
fn strict(s: &[u8]) -> Option<Time> {
    if s.len() < 19 {
        return None;
    }
    let num = |b: &[u8], min: u32, max: u32| -> Option<u32> {
        let mut x: u32 = 0;
        for &c in b {
            if !c.is_ascii_digit() {
                return None;
            }
            x = x * 10 + u32::from(c - b'0');
        }
        (min..=max).contains(&x).then_some(x)
    };
    let year = num(&s[0..4], 0, 9999);
    let month = num(&s[5..7], 1, 12);
    let day = num(&s[8..10], 1, days_in(month.unwrap_or(1), i64::from(year.unwrap_or(0))));
    let hour = num(&s[11..13], 0, 23);
    let minute = num(&s[14..16], 0, 59);
    let second = num(&s[17..19], 0, 59);
    let (year, month, day, hour, minute, second) = (year?, month?, day?, hour?, minute?, second?);
    if !(s[4] == b'-' && s[7] == b'-' && s[10] == b'T' && s[13] == b':' && s[16] == b':') {
        return None;
    }
    let mut s = &s[19..];
    let mut nsec = 0;
    if s.len() >= 2 && s[0] == b'.' && s[1].is_ascii_digit() {
        let n = 1 + s[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        nsec = nanoseconds(&s[..n]);
        s = &s[n..];
    }
    let mut offset = 0;
    if s != b"Z" {
        if s.len() != 6 {
            return None;
        }
        let (hr, mm) = (num(&s[1..3], 0, 23)?, num(&s[4..6], 0, 59)?);
        if !((s[0] == b'-' || s[0] == b'+') && s[3] == b':') {
            return None;
        }
        offset = ((hr * 60 + mm) * 60) as i32;
        if s[0] == b'-' {
            offset = -offset;
        }
    }
    Some(Time::from_civil((i64::from(year), month, day), (hour, minute, second), nsec, offset))
}

/// Go's `parseNanoseconds` of `.ddd…` (at most nine digits count).
fn nanoseconds(frac: &[u8]) -> u32 {
    let digits = &frac[1..frac.len().min(10)];
    let mut ns: u32 = 0;
    for &c in digits {
        ns = ns * 10 + u32::from(c - b'0');
    }
    ns * 10u32.pow(9 - digits.len() as u32)
}

/// Go's `getnum`: one or two digits (two when `fixed`).
fn getnum(v: &[u8], fixed: bool) -> Option<(u32, &[u8])> {
    let digit = |i: usize| v.get(i).is_some_and(u8::is_ascii_digit);
    if !digit(0) {
        return None;
    }
    if !digit(1) {
        return if fixed { None } else { Some((u32::from(v[0] - b'0'), &v[1..])) };
    }
    Some((u32::from(v[0] - b'0') * 10 + u32::from(v[1] - b'0'), &v[2..]))
}

/// Skips the separator `sep`, the layout element `elem`.
fn skip<'a>(v: &'a [u8], sep: u8, elem: &'static str) -> Result<&'a [u8], ParseError> {
    match v.first() {
        Some(&c) if c == sep => Ok(&v[1..]),
        _ => Err(perr(elem, v, "")),
    }
}

/// A clock field: an error with the field's text, or a range error with the rest.
fn field<'a>(
    v: &'a [u8],
    elem: &'static str,
    fixed: bool,
    max: u32,
    what: &str,
) -> Result<(u32, &'a [u8]), ParseError> {
    match getnum(v, fixed) {
        None => Err(perr(elem, v, "")),
        Some((n, rest)) if n > max => Err(perr(elem, rest, format!(": {what} out of range"))),
        Some(ok) => Ok(ok),
    }
}

/// Go's `time.parse` with the layout `2006-01-02T15:04:05Z07:00`.
fn layout(value: &[u8]) -> Result<Time, ParseError> {
    let v = value;
    if v.len() < 4 || !v[0].is_ascii_digit() || !v[..4].iter().all(u8::is_ascii_digit) {
        return Err(perr("2006", v, ""));
    }
    let year = i64::from(v[..4].iter().fold(0u32, |n, c| n * 10 + u32::from(c - b'0')));
    let v = skip(&v[4..], b'-', "-")?;
    let (month, v) = match getnum(v, true) {
        None => return Err(perr("01", v, "")),
        Some((m, rest)) if !(1..=12).contains(&m) => return Err(perr("01", rest, ": month out of range")),
        Some(ok) => ok,
    };
    let v = skip(v, b'-', "-")?;
    let (day, v) = getnum(v, true).ok_or_else(|| perr("02", v, ""))?;
    let v = skip(v, b'T', "T")?;
    let (hour, v) = field(v, "15", false, 23, "hour")?;
    let v = skip(v, b':', ":")?;
    let (minute, v) = field(v, "04", true, 59, "minute")?;
    let v = skip(v, b':', ":")?;
    let (second, mut v) = field(v, "05", true, 59, "second")?;
    let mut nsec = 0;
    if v.len() >= 2 && (v[0] == b'.' || v[0] == b',') && v[1].is_ascii_digit() {
        let n = 1 + v[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        nsec = nanoseconds(&v[..n]);
        v = &v[n..];
    }
    let (offset, v) = zone(v)?;
    if !v.is_empty() {
        return Err(perr("", v, format!(": extra text: {}", go_time_quote(v))));
    }
    if day < 1 || day > days_in(month, year) {
        return Err(perr("", b"", ": day out of range"));
    }
    Ok(Time::from_civil((year, month, day), (hour, minute, second), nsec, offset))
}

/// The `Z07:00` element: "Z", or a sign, two-digit hours, a colon and two-digit minutes
/// (hours up to 24 and minutes up to 60, as Go allows).
fn zone(v: &[u8]) -> Result<(i32, &[u8]), ParseError> {
    if v.first() == Some(&b'Z') {
        return Ok((0, &v[1..]));
    }
    let hold = v;
    if v.len() < 6 || v[3] != b':' {
        return Err(perr("Z07:00", hold, ""));
    }
    let (sign, rest) = (v[0], &v[6..]);
    // Go reads the minutes only when the hours are digits, then checks the ranges (the
    // minutes' message winning) before the rest.
    let hr = getnum(&v[1..3], true).map(|(n, _)| n);
    let mm = hr.and(getnum(&v[4..6], true).map(|(n, _)| n));
    let range = if mm.unwrap_or(0) > 60 {
        Some("time zone offset minute")
    } else if hr.unwrap_or(0) > 24 {
        Some("time zone offset hour")
    } else {
        None
    };
    if let Some(what) = range {
        return Err(perr("Z07:00", rest, format!(": {what} out of range")));
    }
    let (Some(hr), Some(mm)) = (hr, mm) else {
        return Err(perr("Z07:00", hold, ""));
    };
    if sign != b'+' && sign != b'-' {
        return Err(perr("Z07:00", hold, ""));
    }
    let offset = ((hr * 60 + mm) * 60) as i32;
    Ok((if sign == b'-' { -offset } else { offset }, rest))
}

/// The messages of `parseTimestamp`; `cty` adds its special cases for hours and minutes.
fn describe(e: &ParseError, cty: bool) -> String {
    const PREFIX: &str = "not a valid RFC3339 timestamp";
    if e.layout_elem.is_empty() && e.value_elem.is_empty() && !e.message.is_empty() {
        return format!("{PREFIX}{}", e.message);
    }
    let what = match e.layout_elem {
        "2006" => "year",
        "01" => "month",
        "02" => "day of month",
        "15" => "hour",
        "04" => "minute",
        "05" => "second",
        "Z07:00" => "UTC offset",
        "T" => return format!("{PREFIX}: missing required time introducer 'T'"),
        ":" | "-" if e.value_elem.is_empty() => {
            return format!("{PREFIX}: end of string where {} is expected", quote(e.layout_elem.as_bytes()));
        }
        ":" | "-" => {
            return format!(
                "{PREFIX}: found {} where {} is expected",
                quote(&e.value_elem),
                quote(e.layout_elem.as_bytes())
            );
        }
        _ => "timestamp segment",
    };
    if e.value_elem.is_empty() {
        return format!("{PREFIX}: end of string before {what}");
    }
    match what {
        "hour" if cty && e.value_elem.contains(&b':') => format!("{PREFIX}: hour must be between 0 and 23 inclusive"),
        "hour" if cty && e.value_elem.len() != 2 => format!("{PREFIX}: hour must have exactly two digits"),
        "minute" if cty && e.value_elem.len() != 2 => format!("{PREFIX}: minute must have exactly two digits"),
        _ => format!("{PREFIX}: cannot use {} as {what}", quote(&e.value_elem)),
    }
}

/// Go's `%q` of a byte string: `strconv.Quote`, with `\x` for bytes that are not UTF-8.
pub(super) fn quote(b: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in b.utf8_chunks() {
        let q = crate::cty::ty::go_quote(chunk.valid());
        out.push_str(&q[1..q.len() - 1]);
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out.push('"');
    out
}

/// The `time` package's own quoting: `\xNN` for every byte of a non-ASCII or control
/// character, backslashes before `"` and `\`.
pub(super) fn go_time_quote(b: &[u8]) -> String {
    let mut out = String::from("\"");
    for &c in b {
        match c {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(c as char);
            }
            0x20..=0x7e => out.push(c as char),
            _ => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push('"');
    out
}
