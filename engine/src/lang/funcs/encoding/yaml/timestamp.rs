//! go-cty-yaml's timestamps: four layouts read as Go's `time.Parse` reads them
//! (`2006-1-2T15:4:5.999999999Z07:00`, the same with `t`, `2006-1-2 15:4:5.999999999`,
//! `2006-1-2`), written back as RFC 3339 without fractional seconds.

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    /// Go's `getnum`: one or two digits.
    fn num12(&mut self) -> Option<u32> {
        let d1 = *self.s.get(self.i).filter(|c| c.is_ascii_digit())?;
        self.i += 1;
        match self.s.get(self.i) {
            Some(d2) if d2.is_ascii_digit() => {
                self.i += 1;
                Some(u32::from(d1 - b'0') * 10 + u32::from(d2 - b'0'))
            }
            _ => Some(u32::from(d1 - b'0')),
        }
    }

    fn fixed(&mut self, n: usize) -> Option<u32> {
        let part = self.s.get(self.i..self.i + n)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.i += n;
        Some(part.iter().fold(0, |a, d| a * 10 + u32::from(d - b'0')))
    }

    fn lit(&mut self, c: u8) -> Option<()> {
        (self.s.get(self.i) == Some(&c)).then(|| self.i += 1)
    }
}

fn days_in(month: u32, year: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// One layout: `sep` is the date/time separator (`None`: date only), `zone` whether the
/// layout ends with `Z07:00`. The RFC 3339 text, or `None` when it does not parse.
fn parse_layout(s: &str, sep: Option<u8>, zone: bool) -> Option<String> {
    let mut c = Cursor { s: s.as_bytes(), i: 0 };
    let year = c.fixed(4)?;
    c.lit(b'-')?;
    let month = c.num12()?;
    c.lit(b'-')?;
    let day = c.num12()?;
    let (mut hour, mut min, mut sec, mut offset) = (0, 0, 0, 0i32);
    if let Some(sep) = sep {
        c.lit(sep)?;
        hour = c.num12()?;
        c.lit(b':')?;
        min = c.num12()?;
        c.lit(b':')?;
        sec = c.num12()?;
        // Optional fractional seconds (discarded by the output format).
        if matches!(c.s.get(c.i), Some(b'.' | b',')) && c.s.get(c.i + 1).is_some_and(u8::is_ascii_digit) {
            c.i += 1;
            while c.s.get(c.i).is_some_and(u8::is_ascii_digit) {
                c.i += 1;
            }
        }
        if zone && c.lit(b'Z').is_none() {
            let sign = match c.s.get(c.i) {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            c.i += 1;
            let hh = c.fixed(2)?;
            c.lit(b':')?;
            let mm = c.fixed(2)?;
            if hh > 24 || mm > 60 {
                return None;
            }
            offset = sign * (hh * 60 + mm) as i32;
        }
    }
    if c.i != c.s.len() || !(1..=12).contains(&month) || day < 1 || day > days_in(month, year) {
        return None;
    }
    if hour > 23 || min > 59 || sec > 59 {
        return None;
    }
    let zone = if offset == 0 {
        "Z".to_string()
    } else {
        let sign = if offset < 0 { '-' } else { '+' };
        format!("{sign}{:02}:{:02}", offset.abs() / 60, offset.abs() % 60)
    };
    Some(format!("{year:04}-{month:02}-{day:02}T{hour:02}:{min:02}:{sec:02}{zone}"))
}

/// go-cty-yaml's `parseTimestamp`, formatted as RFC 3339.
pub(super) fn parse(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let n = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if n != 4 || n == b.len() || b[n] != b'-' {
        return None;
    }
    parse_layout(s, Some(b'T'), true)
        .or_else(|| parse_layout(s, Some(b't'), true))
        .or_else(|| parse_layout(s, Some(b' '), false))
        .or_else(|| parse_layout(s, None, false))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn layouts() {
        assert_eq!(parse("2001-12-14").as_deref(), Some("2001-12-14T00:00:00Z"));
        assert_eq!(parse("2001-12-14t21:59:43.10-05:00").as_deref(), Some("2001-12-14T21:59:43-05:00"));
        assert_eq!(parse("2001-12-14 21:59:43.10").as_deref(), Some("2001-12-14T21:59:43Z"));
        assert_eq!(parse("2002-1-2T3:4:5Z").as_deref(), Some("2002-01-02T03:04:05Z"));
        assert_eq!(parse("2001-02-30"), None);
        assert_eq!(parse("2001-12-14x"), None);
    }
}
