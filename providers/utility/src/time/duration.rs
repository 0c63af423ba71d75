//! Go's `time.ParseDuration`, which `time_sleep` uses for its durations and import IDs.

use std::time::Duration;

/// `time.ParseDuration(s)` in nanoseconds: a sequence of decimal numbers with units (`ns`,
/// `us`, `µs`, `ms`, `s`, `m`, `h`), optionally signed; `"0"` alone.
pub fn parse_nanos(s: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {s:?}");
    let (neg, mut rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_len = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
        let num = &rest[..num_len];
        if num.is_empty() || num == "." || num.matches('.').count() > 1 {
            return Err(invalid());
        }
        let value: f64 = num.parse().map_err(|_| invalid())?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        let nanos = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => return Err(format!("time: missing unit in duration {s:?}")),
            u => return Err(format!("time: unknown unit {u:?} in duration {s:?}")),
        };
        total += value * nanos;
        rest = &rest[unit_len..];
    }
    if total > i64::MAX as f64 {
        return Err(invalid());
    }
    let n = total.round() as i64;
    Ok(if neg { -n } else { n })
}

/// [`parse_nanos`] as a wait: a negative duration is no wait.
pub fn parse(s: &str) -> Result<Duration, String> {
    parse_nanos(s).map(|n| Duration::from_nanos(n.max(0) as u64))
}

/// The plugin's validator of `create_duration` and `destroy_duration`.
pub fn valid_argument(s: &str) -> bool {
    let unit = ["ms", "s", "m", "h"].into_iter().find(|u| s.ends_with(u) && (u.len() == 2 || !s.ends_with("ms")));
    let Some(unit) = unit else { return false };
    let num = &s[..s.len() - unit.len()];
    let (int, frac) = match num.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (num, None),
    };
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    all_digits(int) && frac.is_none_or(all_digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_as_go() {
        assert_eq!(parse("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse("1.5m").unwrap(), Duration::from_secs(90));
        assert_eq!(parse("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse("0").unwrap(), Duration::ZERO);
        assert!(parse("30").unwrap_err().contains("missing unit"));
        assert!(parse("3d").unwrap_err().contains("unknown unit"));
        assert!(parse("").is_err());
        assert_eq!(parse_nanos("-1.5s").unwrap(), -1_500_000_000);
    }

    #[test]
    fn the_argument_validator_takes_a_number_and_one_unit() {
        for ok in ["30s", "5m", "1h", "100ms", "1.5s"] {
            assert!(valid_argument(ok), "{ok}");
        }
        for bad in ["30", "1h30m", "s", ".5s", "1.s", "5d", "-1s"] {
            assert!(!valid_argument(bad), "{bad}");
        }
    }
}
