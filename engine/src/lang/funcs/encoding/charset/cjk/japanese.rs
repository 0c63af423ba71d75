//! x/text's Shift_JIS codec, EUC-JP encoder and ISO-2022-JP codec (EUC-JP decodes as
//! encoding_rs does). They differ from the WHATWG algorithms encoding_rs follows: no
//! private-use rows in Shift_JIS, no special cases for U+00A5, U+203E and U+2212, JIS X 0212
//! in the EUC-JP encoder and the ISO-2022-JP decoder, the first JIS X 0208 pointer of a
//! character in every encoder, and ISO-2022-JP's escape and state handling as x/text has it.
//! Each returns `None` where x/text reports an error or decodes to U+FFFD.

use super::index::{Jis, jis_reverse, jis0208, jis0212};

const KATAKANA: std::ops::Range<u32> = 0xff61..0xffa0;

pub(super) fn shift_jis_decode(b: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c0 = b[i];
        i += 1;
        let c = match c0 {
            0..=0x80 => char::from(c0),
            0xa1..=0xdf => char::from_u32(u32::from(c0) + 0xff61 - 0xa1)?,
            0x81..=0x9f | 0xe0..=0xfc => {
                let pair = if c0 <= 0x9f { c0 - 0x70 } else { c0 - 0xb0 };
                let mut row = usize::from(pair) * 2 - 0x21;
                let c1 = *b.get(i)?;
                let col = match c1 {
                    0x40..=0x7e | 0x80..=0x9e => {
                        row -= 1;
                        c1 - if c1 < 0x7f { 0x40 } else { 0x41 }
                    }
                    0x9f..=0xfc => c1 - 0x9f,
                    _ => return None,
                };
                i += 1;
                jis0208().get(row * 94 + usize::from(col))?
            }
            _ => return None,
        };
        out.push(c);
    }
    Some(out)
}

pub(super) fn shift_jis_encode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        let u = u32::from(c);
        if u < 0x80 {
            out.push(u as u8);
        } else if KATAKANA.contains(&u) {
            out.push((u - 0xff61 + 0xa1) as u8);
        } else if let Some(Jis::X0208(p)) = jis_reverse(c) {
            let (j1, j2) = ((p / 94) as u8, (p % 94) as u8);
            out.push(if j1 <= 61 { 129 + j1 / 2 } else { 193 + j1 / 2 });
            out.push(if j1 & 1 == 0 { j2 + j2 / 63 + 64 } else { j2 + 159 });
        } else {
            return None;
        }
    }
    Some(out)
}

/// A JIS code's two bytes from `base` up, with x/text's 7-bit masks and byte arithmetic.
fn jis_pair(p: usize, base: u8) -> [u8; 2] {
    [base.wrapping_add((p / 94) as u8 & 0x7f), base.wrapping_add((p % 94) as u8 & 0x7f)]
}

pub(super) fn euc_jp_encode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    for c in s.chars() {
        let u = u32::from(c);
        if u < 0x80 {
            out.push(u as u8);
        } else if KATAKANA.contains(&u) {
            out.extend([0x8e, (u - 0xff61 + 0xa1) as u8]);
        } else {
            match jis_reverse(c)? {
                Jis::X0208(p) => out.extend(jis_pair(p, 0xa1)),
                Jis::X0212(p) => {
                    out.push(0x8f);
                    out.extend(jis_pair(p, 0xa1));
                }
            }
        }
    }
    Some(out)
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Ascii,
    Katakana,
    X0208,
    X0212,
}

pub(super) fn iso2022jp_decode(b: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(b.len());
    let mut state = State::Ascii;
    let mut i = 0;
    while i < b.len() {
        let c0 = b[i];
        if c0 >= 0x80 {
            return None;
        }
        if c0 == 0x1b {
            let (c1, c2) = (*b.get(i + 1)?, *b.get(i + 2)?);
            state = match (c1, c2) {
                (b'$', b'@' | b'B') => State::X0208,
                (b'$', b'(') if *b.get(i + 3)? == b'D' => {
                    i += 1;
                    State::X0212
                }
                (b'(', b'B' | b'J') => State::Ascii,
                (b'(', b'I') => State::Katakana,
                _ => return None,
            };
            i += 3;
            continue;
        }
        let c = match state {
            State::Ascii => char::from(c0),
            State::Katakana if (0x21..0x60).contains(&c0) => char::from_u32(u32::from(c0) + 0xff61 - 0x21)?,
            State::Katakana => return None,
            _ if c0 == b'\n' => {
                state = State::Ascii;
                '\n'
            }
            State::X0208 | State::X0212 => {
                // x/text checks neither byte's range: the byte subtractions wrap.
                let c1 = *b.get(i + 1)?;
                let p = usize::from(c0.wrapping_sub(0x21)) * 94 + usize::from(c1.wrapping_sub(0x21));
                i += 1;
                if state == State::X0208 { jis0208().get(p)? } else { jis0212().get(p)? }
            }
        };
        i += 1;
        out.push(c);
    }
    Some(out)
}

pub(super) fn iso2022jp_encode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut state = State::Ascii;
    let mut switch = |out: &mut Vec<u8>, to: State, esc: &[u8]| {
        if state != to {
            state = to;
            out.extend(esc);
        }
    };
    for c in s.chars() {
        let u = u32::from(c);
        if u < 0x80 {
            switch(&mut out, State::Ascii, b"\x1b(B");
            out.push(u as u8);
        } else if KATAKANA.contains(&u) {
            switch(&mut out, State::Katakana, b"\x1b(I");
            out.push((u - 0xff61 + 0x21) as u8);
        } else if let Some(Jis::X0208(p)) = jis_reverse(c) {
            switch(&mut out, State::X0208, b"\x1b$B");
            out.extend(jis_pair(p, 0x21));
        } else {
            return None;
        }
    }
    switch(&mut out, State::Ascii, b"\x1b(B");
    Some(out)
}
