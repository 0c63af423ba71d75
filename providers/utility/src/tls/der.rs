//! The DER and the times Go's `encoding/asn1` and `crypto/x509` write for a certificate.

/// A tag, its length and its value.
pub(crate) fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = value.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n.to_be_bytes().into_iter().skip_while(|&b| b == 0).collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(value);
    out
}

pub(crate) fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

pub(crate) fn set(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(0x31, &parts.concat())
}

/// A non-negative INTEGER from its big-endian magnitude.
pub(crate) fn uint(be: &[u8]) -> Vec<u8> {
    let start = be.iter().position(|&b| b != 0).unwrap_or(be.len().saturating_sub(1));
    let mut v = be[start..].to_vec();
    if v.is_empty() {
        v.push(0);
    }
    if v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    tlv(0x02, &v)
}

pub(crate) fn boolean(b: bool) -> Vec<u8> {
    tlv(0x01, &[if b { 0xff } else { 0 }])
}

pub(crate) fn octets(b: &[u8]) -> Vec<u8> {
    tlv(0x04, b)
}

/// A BIT STRING of whole bytes.
pub(crate) fn bits(b: &[u8]) -> Vec<u8> {
    tlv(0x03, &[&[0u8][..], b].concat())
}

/// An OBJECT IDENTIFIER from its arcs.
pub(crate) fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut body = vec![];
    let mut push = |mut n: u64| {
        let mut tmp = vec![(n & 0x7f) as u8];
        n >>= 7;
        while n > 0 {
            tmp.push(0x80 | (n & 0x7f) as u8);
            n >>= 7;
        }
        tmp.reverse();
        body.extend(tmp);
    };
    push(arcs[0] * 40 + arcs[1]);
    for &a in &arcs[2..] {
        push(a);
    }
    tlv(0x06, &body)
}

/// Go's choice for a string: PrintableString when every byte is printable (with `*` and
/// `&`, which Go accepts), else UTF8String.
pub(crate) fn string(s: &str) -> Vec<u8> {
    let printable = s.bytes().all(|b| b.is_ascii_alphanumeric() || b" '()+,-./:=?*&".contains(&b));
    tlv(if printable { 0x13 } else { 0x0c }, s.as_bytes())
}

pub(crate) fn ia5(s: &str) -> Vec<u8> {
    tlv(0x16, s.as_bytes())
}

/// A UTC instant: seconds since the epoch and nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Instant {
    pub secs: i64,
    pub nanos: u32,
}

impl Instant {
    pub fn now() -> Instant {
        let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970");
        Instant { secs: d.as_secs() as i64, nanos: d.subsec_nanos() }
    }

    pub fn plus_hours(self, h: i64) -> Instant {
        Instant { secs: self.secs + h * 3600, nanos: self.nanos }
    }

    /// (year, month, day, hour, minute, second).
    fn civil(self) -> (i64, u32, u32, u32, u32, u32) {
        let days = self.secs.div_euclid(86400);
        let rem = self.secs.rem_euclid(86400);
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = yoe + era * 400 + i64::from(m <= 2);
        (y, m, d, (rem / 3600) as u32, (rem % 3600 / 60) as u32, (rem % 60) as u32)
    }

    fn from_civil(y: i64, m: u32, d: u32, hh: u32, mm: u32, ss: u32) -> i64 {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = if m > 2 { m - 3 } else { m + 9 } as i64;
        let doy = (153 * mp + 2) / 5 + d as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        days * 86400 + (hh * 3600 + mm * 60 + ss) as i64
    }

    /// Go's `time.Time.MarshalText` (RFC 3339 with nanoseconds, trailing zeros dropped), in
    /// UTC.
    pub fn rfc3339(self) -> String {
        let (y, mo, d, h, mi, s) = self.civil();
        let mut out = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
        if self.nanos > 0 {
            out.push_str(format!(".{:09}", self.nanos).trim_end_matches('0'));
        }
        out.push('Z');
        out
    }

    /// Go's `time.Parse(time.RFC3339, s)`.
    pub fn parse_rfc3339(s: &str) -> Option<Instant> {
        let b = s.as_bytes();
        let num = |r: std::ops::Range<usize>| -> Option<u32> { s.get(r)?.parse().ok() };
        if b.len() < 20
            || b[4] != b'-'
            || b[7] != b'-'
            || !matches!(b[10], b'T' | b't')
            || b[13] != b':'
            || b[16] != b':'
        {
            return None;
        }
        let (y, mo, d, h, mi, sec) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
        let mut i = 19;
        let mut nanos = 0u32;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            i = start;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            let frac = &s[start..i];
            let padded = format!("{:0<9}", &frac[..frac.len().min(9)]);
            nanos = padded.parse().ok()?;
        }
        let offset = match b.get(i)? {
            b'Z' | b'z' if i + 1 == b.len() => 0,
            c @ (b'+' | b'-') if b.len() == i + 6 && b[i + 3] == b':' => {
                let off = (num(i + 1..i + 3)? * 3600 + num(i + 4..i + 6)? * 60) as i64;
                if *c == b'+' { off } else { -off }
            }
            _ => return None,
        };
        Some(Instant { secs: Self::from_civil(y as i64, mo, d, h, mi, sec) - offset, nanos })
    }

    /// UTCTime for 1950 to 2049, else GeneralizedTime, to the second (as Go writes them).
    pub fn der(self) -> Vec<u8> {
        let (y, mo, d, h, mi, s) = self.civil();
        if (1950..2050).contains(&y) {
            tlv(0x17, format!("{:02}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z", y % 100).as_bytes())
        } else {
            tlv(0x18, format!("{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z").as_bytes())
        }
    }
}

/// One TLV at the start of `b`: its tag, its value, the whole TLV, and what follows.
pub(crate) type Tlv<'a> = (u8, &'a [u8], &'a [u8]);

pub(crate) fn read(b: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *b.first()?;
    let first = *b.get(1)?;
    let (len, hdr) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | *b.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = hdr.checked_add(len)?;
    if b.len() < end {
        return None;
    }
    Some(((tag, &b[hdr..end], &b[..end]), &b[end..]))
}

/// The TLVs inside a constructed value.
pub(crate) fn children(mut content: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !content.is_empty() {
        let (t, rest) = read(content)?;
        out.push(t);
        content = rest;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_as_go_writes_and_reads_them() {
        let t = Instant { secs: 1_700_000_000, nanos: 120_000_000 };
        assert_eq!(t.rfc3339(), "2023-11-14T22:13:20.12Z");
        assert_eq!(Instant::parse_rfc3339("2023-11-14T22:13:20.12Z"), Some(t));
        assert_eq!(Instant::parse_rfc3339("2023-11-15T00:13:20.12+02:00"), Some(t));
        assert_eq!(Instant { secs: 0, nanos: 0 }.rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(t.der(), tlv(0x17, b"231114221320Z"));
        assert_eq!(t.plus_hours(24 * 365 * 30).der()[0], 0x18, "2053: GeneralizedTime");
        assert_eq!(Instant::parse_rfc3339("2023-11-14 22:13:20Z"), None);
    }

    #[test]
    fn oids_and_integers() {
        // sha256WithRSAEncryption, and RFC 5280's examples of encodings.
        assert_eq!(
            oid(&[1, 2, 840, 113549, 1, 1, 11]),
            [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]
        );
        assert_eq!(uint(&[0x80]), [0x02, 0x02, 0x00, 0x80]);
        assert_eq!(uint(&[0, 0, 5]), [0x02, 0x01, 0x05]);
        assert_eq!(tlv(0x04, &[0; 300])[..4], [0x04, 0x82, 0x01, 0x2c]);
    }
}
