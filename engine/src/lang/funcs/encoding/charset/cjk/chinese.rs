//! x/text's GBK and GB18030 codecs, its HZ-GB-2312 codec (which encoding_rs lacks) and its
//! Big5 encoder (Big5 decodes as encoding_rs does). They differ from the WHATWG algorithms:
//! GBK has no four-byte sequences; GB18030's decoder takes 0x30..=0x3F as a four-byte
//! sequence's second byte; the tables are x/text's older ones (see `index`); HZ writes "~~"
//! for '~' in either mode and ends without "~}"; Big5 encodes with a character's last pointer,
//! Hong Kong rows included. Each returns `None` where x/text reports an error or decodes to
//! U+FFFD.

use super::index::{GB18030_BMP_END, big5_reverse, gb18030_range_decode, gb18030_range_encode, gbk, gbk_reverse};

/// The four bytes of a GB18030 four-byte pointer.
fn four_bytes(p: u32) -> [u8; 4] {
    [(p / 12600 + 0x81) as u8, (p / 1260 % 10 + 0x30) as u8, (p / 10 % 126 + 0x81) as u8, (p % 10 + 0x30) as u8]
}

pub(super) fn gbk_decode(b: &[u8], gb18030: bool) -> Option<String> {
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c0 = b[i];
        let c = match c0 {
            0..=0x7f => char::from(c0),
            0x80 => '€',
            0xff => return None,
            _ => {
                let c1 = *b.get(i + 1)?;
                let col = match c1 {
                    0x40..=0x7e => c1 - 0x40,
                    0x80..=0xfe => c1 - 0x41,
                    0x30..=0x3f if gb18030 => {
                        let (c2, c3) = (*b.get(i + 2)?, *b.get(i + 3)?);
                        if !(0x81..=0xfe).contains(&c2) || !(0x30..=0x39).contains(&c3) {
                            return None;
                        }
                        let [c0, c1, c2, c3] = [c0 - 0x81, c1 - 0x30, c2 - 0x81, c3 - 0x30].map(u32::from);
                        let p = ((c0 * 10 + c1) * 126 + c2) * 10 + c3;
                        out.push(if p < GB18030_BMP_END {
                            gb18030_range_decode(p)?
                        } else {
                            char::from_u32(p.checked_sub(189_000).filter(|&q| q < 0x10_0000)? + 0x1_0000)?
                        });
                        i += 4;
                        continue;
                    }
                    _ => return None,
                };
                i += 1;
                gbk().get(usize::from(c0 - 0x81) * 190 + usize::from(col))?
            }
        };
        i += 1;
        out.push(c);
    }
    Some(out)
}

pub(super) fn gbk_encode(s: &str, gb18030: bool) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        let u = u32::from(c);
        if u < 0x80 {
            out.push(u as u8);
        } else if !gb18030 && c == '€' {
            out.push(0x80);
        } else if let Some(code) = gbk_reverse(c) {
            out.extend(code.to_be_bytes());
        } else if !gb18030 {
            return None;
        } else if u < 0x1_0000 {
            out.extend(four_bytes(gb18030_range_encode(c)?));
        } else {
            out.extend(four_bytes(u - 0x1_0000 + 189_000));
        }
    }
    Some(out)
}

pub(super) fn hz_decode(b: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(b.len());
    let mut gb = false;
    let mut i = 0;
    while i < b.len() {
        let c0 = b[i];
        if c0 >= 0x80 {
            return None;
        }
        if c0 == b'~' {
            match *b.get(i + 1)? {
                b'{' => gb = true,
                b'}' => gb = false,
                b'~' => out.push('~'),
                b'\n' => {}
                _ => return None,
            }
            i += 2;
        } else if !gb {
            out.push(char::from(c0));
            i += 1;
        } else {
            let c1 = *b.get(i + 1)?;
            if !(0x21..0x7e).contains(&c0) || !(0x21..0x7f).contains(&c1) {
                return None;
            }
            out.push(gbk().get(usize::from(c0 - 1) * 190 + usize::from(c1 + 0x3f))?);
            i += 2;
        }
    }
    Some(out)
}

pub(super) fn hz_encode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut gb = false;
    for c in s.chars() {
        let u = u32::from(c);
        if c == '~' {
            out.extend(b"~~");
        } else if u < 0x80 {
            if gb {
                gb = false;
                out.extend(b"~}");
            }
            out.push(u as u8);
        } else {
            let [c0, c1] = gbk_reverse(c)?.to_be_bytes().map(|b| b.wrapping_sub(0x80));
            if !(0x21..0x7e).contains(&c0) || !(0x21..0x7f).contains(&c1) {
                return None;
            }
            if !gb {
                gb = true;
                out.extend(b"~{");
            }
            out.extend([c0, c1]);
        }
    }
    Some(out)
}

pub(super) fn big5_encode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c as u8);
        } else {
            out.extend(big5_reverse(c)?.to_be_bytes());
        }
    }
    Some(out)
}
