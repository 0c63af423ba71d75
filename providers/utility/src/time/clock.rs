//! Times as the time provider handles them: Go's `time.Time` parsed from and formatted as
//! RFC 3339 (`time.RFC3339`: seconds, `Z` or `±hh:mm`, the offset kept), its calendar fields
//! in that offset, and `AddDate` with Go's normalisation (January 31 plus one month is
//! March 2 or 3, not February 28). Calendar arithmetic through `jiff`.

use jiff::civil::{Date, DateTime};
use jiff::tz::Offset;
use jiff::{Span, Timestamp};

/// An instant and the offset it was written with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Time {
    pub at: Timestamp,
    pub offset: Offset,
}

/// The layout Go's errors name.
const LAYOUT: &str = "2006-01-02T15:04:05Z07:00";

fn digits(s: &str, from: usize, n: usize) -> Option<i32> {
    let part = s.get(from..from + n)?;
    part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse().ok())?
}

impl Time {
    /// Now, in UTC (the provider's `clock.Now().UTC()`).
    pub fn now() -> Time {
        Time { at: Timestamp::now(), offset: Offset::UTC }
    }

    pub fn from_unix(secs: i64) -> Time {
        Time { at: Timestamp::from_second(secs).expect("in range"), offset: Offset::UTC }
    }

    /// `time.Parse(time.RFC3339, s)`: `YYYY-MM-DDTHH:MM:SS`, optional fractional seconds,
    /// then `Z` or `±hh:mm`.
    pub fn parse(s: &str) -> Result<Time, String> {
        let bad = || format!("parsing time {s:?} as {LAYOUT:?}: cannot parse {s:?} as RFC 3339");
        let b = s.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
            return Err(bad());
        }
        let (y, mo, d) =
            (digits(s, 0, 4).ok_or_else(bad)?, digits(s, 5, 2).ok_or_else(bad)?, digits(s, 8, 2).ok_or_else(bad)?);
        let (h, mi, sec) =
            (digits(s, 11, 2).ok_or_else(bad)?, digits(s, 14, 2).ok_or_else(bad)?, digits(s, 17, 2).ok_or_else(bad)?);
        let mut i = 19;
        let mut nanos = 0i32;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            i = start;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start || i - start > 9 {
                return Err(bad());
            }
            nanos = format!("{:0<9}", &s[start..i]).parse().map_err(|_| bad())?;
        }
        let offset = match &s[i..] {
            "Z" => 0,
            z if z.len() == 6 && (z.starts_with('+') || z.starts_with('-')) && &z[3..4] == ":" => {
                let hh = digits(z, 1, 2).ok_or_else(bad)?;
                let mm = digits(z, 4, 2).ok_or_else(bad)?;
                if hh > 23 || mm > 59 {
                    return Err(format!("parsing time {s:?}: time zone offset out of range"));
                }
                let secs = hh * 3600 + mm * 60;
                if z.starts_with('-') { -secs } else { secs }
            }
            _ => return Err(bad()),
        };
        let out_of_range = |what: &str| format!("parsing time {s:?}: {what} out of range");
        if !(1..=12).contains(&mo) {
            return Err(out_of_range("month"));
        }
        if h > 23 || mi > 59 || sec > 59 {
            return Err(out_of_range(if h > 23 {
                "hour"
            } else if mi > 59 {
                "minute"
            } else {
                "second"
            }));
        }
        let date = Date::new(y as i16, mo as i8, d as i8).map_err(|_| out_of_range("day"))?;
        let dt = date.at(h as i8, mi as i8, sec as i8, nanos);
        let offset = Offset::from_seconds(offset).map_err(|_| bad())?;
        let at = offset.to_timestamp(dt).map_err(|_| bad())?;
        Ok(Time { at, offset })
    }

    /// The calendar date and clock in the time's own offset.
    pub fn civil(&self) -> DateTime {
        self.offset.to_datetime(self.at)
    }

    /// `t.Format(time.RFC3339)`.
    pub fn rfc3339(&self) -> String {
        let c = self.civil();
        let zone = match self.offset.seconds() {
            0 => "Z".to_string(),
            s => {
                let sign = if s < 0 { '-' } else { '+' };
                let a = s.abs();
                format!("{sign}{:02}:{:02}", a / 3600, a % 3600 / 60)
            }
        };
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{zone}",
            c.year(),
            c.month(),
            c.day(),
            c.hour(),
            c.minute(),
            c.second()
        )
    }

    /// `t.Unix()`.
    pub fn unix(&self) -> i64 {
        self.at.as_second()
    }

    /// `t.Add(secs * time.Second)`.
    pub fn add_seconds(&self, secs: i64) -> Time {
        Time { at: self.at.checked_add(Span::new().seconds(secs)).unwrap_or(self.at), offset: self.offset }
    }

    /// `t.AddDate(years, months, days)`: the month overflows into the year, then the day into
    /// the following months, as Go's `time.Date` normalises.
    pub fn add_date(&self, years: i64, months: i64, days: i64) -> Time {
        let c = self.civil();
        let m0 = i64::from(c.month()) - 1 + months;
        let year = i64::from(c.year()) + years + m0.div_euclid(12);
        let month = m0.rem_euclid(12) + 1;
        let shifted = Date::new(year as i16, month as i8, 1)
            .and_then(|first| first.checked_add(Span::new().days(i64::from(c.day()) - 1 + days)))
            .map(|d| d.to_datetime(c.time()))
            .and_then(|dt| self.offset.to_timestamp(dt));
        match shifted {
            Ok(at) => Time { at, offset: self.offset },
            Err(_) => *self,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trips_keeping_the_offset() {
        let t = Time::parse("2020-02-29T23:04:05+05:30").unwrap();
        assert_eq!(t.rfc3339(), "2020-02-29T23:04:05+05:30");
        assert_eq!(t.civil().day(), 29);
        assert_eq!(t.unix(), Time::parse("2020-02-29T17:34:05Z").unwrap().unix());
        assert_eq!(Time::parse("2021-01-01T00:00:00.123Z").unwrap().rfc3339(), "2021-01-01T00:00:00Z");
        assert_eq!(Time::parse("2021-01-01T00:00:00+00:00").unwrap().rfc3339(), "2021-01-01T00:00:00Z");
        for bad in ["2021-01-01", "2021-01-01 00:00:00Z", "2021-13-01T00:00:00Z", "2021-02-30T00:00:00Z", "x"] {
            assert!(Time::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn add_date_normalises_as_go() {
        // Go's documentation of AddDate: "adding one month to October 31 yields December 1".
        let oct31 = Time::parse("2011-10-31T08:00:00-07:00").unwrap();
        assert_eq!(oct31.add_date(0, 1, 0).rfc3339(), "2011-12-01T08:00:00-07:00");
        let t = Time::parse("2021-01-31T12:00:00Z").unwrap();
        assert_eq!(t.add_date(0, 1, 0).rfc3339(), "2021-03-03T12:00:00Z");
        assert_eq!(t.add_date(1, 0, 0).rfc3339(), "2022-01-31T12:00:00Z");
        assert_eq!(t.add_date(0, -2, 0).rfc3339(), "2020-12-01T12:00:00Z");
        assert_eq!(t.add_date(0, 0, 30).rfc3339(), "2021-03-02T12:00:00Z");
        assert_eq!(Time::parse("2020-02-29T00:00:00Z").unwrap().add_date(1, 0, 0).rfc3339(), "2021-03-01T00:00:00Z");
        assert_eq!(t.add_seconds(-3600).rfc3339(), "2021-01-31T11:00:00Z");
    }
}
