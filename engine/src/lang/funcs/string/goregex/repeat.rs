//! Counted repetitions in Go's regexp syntax: `{n,m}` parsed as Go parses it (or not at
//! all, then `{` is a literal), and Go's limit on their nested product.

/// Go's limit on a counted repetition (and on the product of nested ones).
pub(super) const MAX_REPEAT: i64 = 1000;

/// A counted repetition and those nested in it, for Go's check of their product.
pub(super) struct Rep {
    pub(super) min: i64,
    pub(super) max: i64,
    pub(super) inner: Vec<Rep>,
}

/// Go's `parseRepeat`: `{n}`, `{n,}` or `{n,m}` with the rest of the pattern; a number
/// too large makes `min` -1. `None` when the text is no repetition (then `{` is literal).
pub(super) fn parse_repeat(s: &str) -> Option<(i64, i64, &str)> {
    let s = s.strip_prefix('{')?;
    let (min, s) = parse_int(s)?;
    let (min, max, s) = match s.strip_prefix(',') {
        None if s.is_empty() => return None,
        None => (min, min, s),
        Some("") => return None,
        Some(s) if s.starts_with('}') => (min, -1, s),
        Some(s) => {
            let (max, s) = parse_int(s)?;
            (if max < 0 { -1 } else { min }, max, s)
        }
    };
    Some((min, max, s.strip_prefix('}')?))
}

/// Go's `parseInt`: decimal digits without a leading zero; -1 when too large.
fn parse_int(s: &str) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    if !b.first()?.is_ascii_digit() || (b.len() >= 2 && b[0] == b'0' && b[1].is_ascii_digit()) {
        return None;
    }
    let end = b.iter().position(|c| !c.is_ascii_digit()).unwrap_or(b.len());
    let mut n: i64 = 0;
    for &d in &b[..end] {
        if n >= 100_000_000 {
            n = -1;
            break;
        }
        n = n * 10 + i64::from(d - b'0');
    }
    Some((n, &s[end..]))
}

/// Go's `repeatIsValid`: no more than `n` copies of anything, counting nested repetitions.
pub(super) fn repeat_is_valid(r: &Rep, n: i64) -> bool {
    if r.max == 0 {
        return true;
    }
    let m = if r.max < 0 { r.min } else { r.max };
    if m > n {
        return false;
    }
    let n = if m > 0 { n / m } else { n };
    r.inner.iter().all(|i| repeat_is_valid(i, n))
}
