//! Go's `time.ParseDuration`: a possibly signed sequence of decimal numbers, each with an
//! optional fraction and a unit (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`), as
//! nanoseconds in an `int64`, with Go's error messages.

use super::rfc3339::go_time_quote;

const UNITS: [(&str, u64); 8] = [
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000), // U+00B5 micro sign
    ("μs", 1_000), // U+03BC Greek small letter mu
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

const LIMIT: u64 = 1 << 63;

pub(super) fn parse_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", go_time_quote(orig.as_bytes()));
    let mut s = orig.as_bytes();
    let mut neg = false;
    if let Some(&c @ (b'-' | b'+')) = s.first() {
        neg = c == b'-';
        s = &s[1..];
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut d: u64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(invalid());
        }
        // The integer part.
        let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
        let pre = n > 0;
        let mut v: u64 = 0;
        for &c in &s[..n] {
            if v > LIMIT / 10 {
                return Err(invalid());
            }
            v = v * 10 + u64::from(c - b'0');
            if v > LIMIT {
                return Err(invalid());
            }
        }
        s = &s[n..];
        // The fraction: digits beyond what fits are consumed but ignored.
        let (mut f, mut scale, mut post) = (0u64, 1f64, false);
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
            post = n > 0;
            let mut overflow = false;
            for &c in &s[..n] {
                if overflow {
                    continue;
                }
                if f > (LIMIT - 1) / 10 {
                    overflow = true;
                    continue;
                }
                let y = f * 10 + u64::from(c - b'0');
                if y > LIMIT {
                    overflow = true;
                    continue;
                }
                f = y;
                scale *= 10.0;
            }
            s = &s[n..];
        }
        if !pre && !post {
            return Err(invalid());
        }
        // The unit: everything up to the next number.
        let n = s.iter().take_while(|&&c| c != b'.' && !c.is_ascii_digit()).count();
        if n == 0 {
            return Err(format!("time: missing unit in duration {}", go_time_quote(orig.as_bytes())));
        }
        let u = &s[..n];
        s = &s[n..];
        let Some(&(_, unit)) = UNITS.iter().find(|(name, _)| name.as_bytes() == u) else {
            return Err(format!(
                "time: unknown unit {} in duration {}",
                go_time_quote(u),
                go_time_quote(orig.as_bytes())
            ));
        };
        if v > LIMIT / unit {
            return Err(invalid());
        }
        v *= unit;
        if f > 0 {
            // float64 keeps fractions of hours nanosecond-accurate.
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > LIMIT {
                return Err(invalid());
            }
        }
        d += v;
        if d > LIMIT {
            return Err(invalid());
        }
    }
    if neg {
        return Ok((d as i64).wrapping_neg());
    }
    if d > LIMIT - 1 {
        return Err(invalid());
    }
    Ok(d as i64)
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn go_durations() {
        let h = 3_600_000_000_000;
        assert_eq!(parse_duration("1h30m"), Ok(h + h / 2));
        assert_eq!(parse_duration("1.5h"), Ok(h + h / 2));
        assert_eq!(parse_duration("-1h"), Ok(-h));
        assert_eq!(parse_duration("+.5s"), Ok(500_000_000));
        assert_eq!(parse_duration("1µs1μs1us1ns"), Ok(3_001));
        assert_eq!(parse_duration("-0"), Ok(0));
        assert_eq!(parse_duration("-9223372036854775808ns"), Ok(i64::MIN));
        assert_eq!(
            parse_duration("9223372036854775808ns"),
            Err("time: invalid duration \"9223372036854775808ns\"".into())
        );
        assert_eq!(parse_duration(""), Err("time: invalid duration \"\"".into()));
        assert_eq!(parse_duration("10"), Err("time: missing unit in duration \"10\"".into()));
        assert_eq!(parse_duration("1d"), Err("time: unknown unit \"d\" in duration \"1d\"".into()));
        assert_eq!(parse_duration("1é"), Err("time: unknown unit \"\\xc3\\xa9\" in duration \"1\\xc3\\xa9\"".into()));
        assert_eq!(parse_duration(".s"), Err("time: invalid duration \".s\"".into()));
    }
}
