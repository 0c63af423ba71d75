//! Instants with a fixed UTC offset, as Go's `time.Time` holds the values these functions
//! parse: the proleptic Gregorian calendar (with a year 0), nanoseconds, and RFC 3339
//! formatting as `Format(time.RFC3339)` writes it.

/// An instant, and the UTC offset it is shown in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Time {
    /// Seconds since 1970-01-01T00:00:00Z.
    secs: i64,
    nsec: u32,
    /// Seconds east of UTC.
    offset: i32,
}

/// The fields of a time of day on a calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// 0 for Sunday.
    pub weekday: u32,
}

pub(super) const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub(super) const WEEKDAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z.rem_euclid(146097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

pub(super) fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// The number of days in a month (1-12) of a year.
pub(super) fn days_in(month: u32, year: i64) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Time {
    /// Go's `time.Date` for fields already in range, at a fixed offset.
    pub fn from_civil(c: (i64, u32, u32), clock: (u32, u32, u32), nsec: u32, offset: i32) -> Time {
        let (year, month, day) = c;
        let (h, m, s) = clock;
        let local = days_from_civil(year, month, day) * 86400 + i64::from(h * 3600 + m * 60 + s);
        Time { secs: local - i64::from(offset), nsec, offset }
    }

    /// Go's zero `Time`: January 1, year 1, 00:00:00 UTC.
    pub fn zero() -> Time {
        Time::from_civil((1, 1, 1), (0, 0, 0), 0, 0)
    }

    /// A time `secs` seconds after the Unix epoch, in UTC.
    pub fn from_unix(secs: i64) -> Time {
        Time { secs, nsec: 0, offset: 0 }
    }

    /// The time `nanos` nanoseconds later (Go's `Add`), in the same zone.
    pub fn add(self, nanos: i64) -> Time {
        let total = i128::from(self.secs) * 1_000_000_000 + i128::from(self.nsec) + i128::from(nanos);
        Time {
            secs: total.div_euclid(1_000_000_000) as i64,
            nsec: total.rem_euclid(1_000_000_000) as u32,
            offset: self.offset,
        }
    }

    /// The instant, for comparisons (the offset plays no part).
    pub fn instant(&self) -> (i64, u32) {
        (self.secs, self.nsec)
    }

    /// The date and clock in the time's own zone.
    pub fn civil(&self) -> Civil {
        let local = self.secs + i64::from(self.offset);
        let days = local.div_euclid(86400);
        let rem = local.rem_euclid(86400) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem / 60 % 60,
            second: rem % 60,
            weekday: (days + 4).rem_euclid(7) as u32,
        }
    }

    /// The offset as Go formats it: `Z07:00` (`iso` with `colon`) gives "Z" for UTC;
    /// `-0700` and `-07:00` give "+0000" and "+00:00".
    pub fn zone(&self, iso: bool, colon: bool) -> String {
        if iso && self.offset == 0 {
            return "Z".to_string();
        }
        let sign = if self.offset < 0 { '-' } else { '+' };
        let minutes = self.offset.unsigned_abs() / 60;
        let sep = if colon { ":" } else { "" };
        format!("{sign}{:02}{sep}{:02}", minutes / 60, minutes % 60)
    }

    /// `Format(time.RFC3339)`: seconds, no fraction.
    pub fn rfc3339(&self) -> String {
        let c = self.civil();
        format!(
            "{}-{:02}-{:02}T{:02}:{:02}:{:02}{}",
            go_year(c.year),
            c.month,
            c.day,
            c.hour,
            c.minute,
            c.second,
            self.zone(true, true)
        )
    }
}

/// A year as Go's layout `2006` writes it: at least four digits, and a sign when negative.
pub(super) fn go_year(year: i64) -> String {
    if year < 0 { format!("-{:04}", year.unsigned_abs()) } else { format!("{year:04}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trips() {
        for days in [-800_000, -719_468, -1, 0, 1, 11_016, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(Time::from_civil((2018, 1, 2), (23, 12, 1), 0, 0).civil().weekday, 2);
    }

    #[test]
    fn go_formats() {
        let t = Time::from_civil((2017, 11, 22), (0, 0, 0), 500_000_000, 5 * 3600);
        assert_eq!(t.rfc3339(), "2017-11-22T00:00:00+05:00");
        assert_eq!(t.add(3_600_000_000_000).rfc3339(), "2017-11-22T01:00:00+05:00");
        assert_eq!(Time::from_civil((1, 1, 1), (0, 0, 0), 0, 0).add(-1).rfc3339(), "0000-12-31T23:59:59Z");
        assert_eq!(go_year(-1), "-0001");
        assert_eq!(go_year(10_000), "10000");
        let west = Time::from_civil((2018, 1, 2), (23, 12, 1), 0, -(8 * 3600 + 30 * 60));
        assert_eq!((west.zone(true, true), west.zone(false, false)), ("-08:30".into(), "-0830".into()));
    }
}
