//! The WHATWG index tables x/text's CJK codecs are generated from, read out of encoding_rs's
//! decoders (which hold the same tables), and the reverse maps x/text builds from them.
//!
//! x/text v0.22.0's tables are older copies of the indexes. Decoding every pointer with
//! Terraform 1.11.4 and with encoding_rs shows where they differ: x/text has none of the
//! private-use mappings (Shift_JIS's user-defined rows, the GBK user-defined areas), lacks the
//! 19 two-byte mappings GB18030-2022 added, and decodes GB18030 pointer 7457 as U+1E3F.

use encoding_rs::{BIG5, EUC_JP, Encoding, GB18030, SHIFT_JIS};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The one character `bytes` decode to, if they are a single valid sequence of `enc`.
fn decode_one(enc: &'static Encoding, bytes: &[u8]) -> Option<char> {
    let s = enc.decode_without_bom_handling_and_without_replacement(bytes)?;
    let mut chars = s.chars();
    let c = chars.next()?;
    chars.next().is_none().then_some(c)
}

fn is_private_use(c: char) -> bool {
    ('\u{e000}'..='\u{f8ff}').contains(&c)
}

/// A pointer-indexed table: the character of each pointer, if any.
pub(super) struct Index {
    chars: Vec<Option<char>>,
}

impl Index {
    fn build(len: usize, bytes_of: impl Fn(usize) -> Vec<u8>, enc: &'static Encoding) -> Index {
        Index { chars: (0..len).map(|p| decode_one(enc, &bytes_of(p))).collect() }
    }

    pub(super) fn get(&self, pointer: usize) -> Option<char> {
        self.chars.get(pointer).copied().flatten()
    }

    fn entries(&self) -> impl Iterator<Item = (usize, char)> + '_ {
        self.chars.iter().enumerate().filter_map(|(p, c)| c.map(|c| (p, c)))
    }
}

/// index-jis0208: 120 rows of 94, as Shift_JIS lays them out (rows 94 to 113, which the
/// WHATWG decoder maps to the private use area, are empty in x/text).
pub(super) fn jis0208() -> &'static Index {
    static T: OnceLock<Index> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = Index::build(
            120 * 94,
            |p| {
                let (lead, trail) = (p / 188, p % 188);
                let lead = if lead < 0x1f { lead + 0x81 } else { lead + 0xc1 };
                let trail = if trail < 0x3f { trail + 0x40 } else { trail + 0x41 };
                vec![lead as u8, trail as u8]
            },
            SHIFT_JIS,
        );
        t.chars[94 * 94..114 * 94].fill(None);
        t
    })
}

/// index-jis0212: 94 rows of 94, as EUC-JP's 0x8F sequences lay them out.
pub(super) fn jis0212() -> &'static Index {
    static T: OnceLock<Index> = OnceLock::new();
    T.get_or_init(|| Index::build(94 * 94, |p| vec![0x8f, 0xa1 + (p / 94) as u8, 0xa1 + (p % 94) as u8], EUC_JP))
}

/// A character's JIS code in x/text's encoders: its first JIS X 0208 pointer, else its first
/// JIS X 0212 pointer.
#[derive(Clone, Copy)]
pub(super) enum Jis {
    X0208(usize),
    X0212(usize),
}

pub(super) fn jis_reverse(c: char) -> Option<Jis> {
    static T: OnceLock<HashMap<char, Jis>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m = HashMap::new();
        for (p, c) in jis0208().entries() {
            m.entry(c).or_insert(Jis::X0208(p));
        }
        for (p, c) in jis0212().entries() {
            m.entry(c).or_insert(Jis::X0212(p));
        }
        m
    })
    .get(&c)
    .copied()
}

/// The two-byte codes GB18030-2022 gave characters outside the private use area; x/text's
/// index-gbk had none of them.
const GB18030_2022: [u16; 19] = [
    0xa6d9, 0xa6da, 0xa6db, 0xa6dc, 0xa6dd, 0xa6de, 0xa6df, 0xa6ec, 0xa6ed, 0xa6f3, 0xa8bc, 0xfe59, 0xfe61, 0xfe66,
    0xfe67, 0xfe6d, 0xfe7e, 0xfe90, 0xfea0,
];

fn gbk_bytes(p: usize) -> [u8; 2] {
    let (lead, trail) = (p / 190, p % 190);
    [(lead + 0x81) as u8, (if trail < 0x3f { trail + 0x40 } else { trail + 0x41 }) as u8]
}

/// x/text's index-gbk: 126 leads of 190 trails, without private-use mappings.
pub(super) fn gbk() -> &'static Index {
    static T: OnceLock<Index> = OnceLock::new();
    T.get_or_init(|| {
        let mut t = Index::build(126 * 190, |p| gbk_bytes(p).to_vec(), GB18030);
        for (p, c) in t.chars.iter_mut().enumerate() {
            if c.is_some_and(is_private_use) || GB18030_2022.contains(&u16::from_be_bytes(gbk_bytes(p))) {
                *c = None;
            }
        }
        t
    })
}

/// A character's two-byte GBK code (lead << 8 | trail): its first pointer.
pub(super) fn gbk_reverse(c: char) -> Option<u16> {
    static T: OnceLock<HashMap<char, u16>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m = HashMap::new();
        for (p, c) in gbk().entries() {
            m.entry(c).or_insert(u16::from_be_bytes(gbk_bytes(p)));
        }
        m
    })
    .get(&c)
    .copied()
}

/// The first pointer of GB18030's four-byte sequences above the BMP ones.
pub(super) const GB18030_BMP_END: u32 = 39420;

/// index-gb18030-ranges as x/text has it: (pointer, code point) where each linear run of
/// four-byte pointers below `GB18030_BMP_END` starts, sorted both ways.
fn gb18030_ranges() -> &'static [(u32, u32)] {
    static T: OnceLock<Vec<(u32, u32)>> = OnceLock::new();
    T.get_or_init(|| {
        let mut runs: Vec<(u32, u32)> = Vec::new();
        let mut prev: Option<u32> = None;
        for p in 0..GB18030_BMP_END {
            let b = [p / 12600, p / 1260 % 10, p / 10 % 126, p % 10];
            let bytes = [b[0] as u8 + 0x81, b[1] as u8 + 0x30, b[2] as u8 + 0x81, b[3] as u8 + 0x30];
            let c = if p == 7457 { Some('\u{1e3f}') } else { decode_one(GB18030, &bytes) }.map(u32::from);
            if let Some(c) = c
                && prev != Some(c.wrapping_sub(1))
            {
                runs.push((p, c));
            }
            prev = c;
        }
        debug_assert!(runs.windows(2).all(|w| w[0].1 < w[1].1));
        runs
    })
}

/// The code point of a four-byte BMP pointer, as x/text's binary search over the ranges finds it.
pub(super) fn gb18030_range_decode(pointer: u32) -> Option<char> {
    let ranges = gb18030_ranges();
    let i = ranges.partition_point(|&(p, _)| p <= pointer);
    let (p, c) = ranges[i.checked_sub(1)?];
    char::from_u32(pointer - p + c)
}

/// The four-byte pointer x/text gives a BMP character that has no two-byte code.
pub(super) fn gb18030_range_encode(c: char) -> Option<u32> {
    let ranges = gb18030_ranges();
    let i = ranges.partition_point(|&(_, start)| start <= u32::from(c));
    let (p, start) = ranges[i.checked_sub(1)?];
    Some(u32::from(c) - start + p)
}

/// index-big5: 126 leads of 157 trails (with the Hong Kong rows), single characters only.
fn big5() -> &'static Index {
    static T: OnceLock<Index> = OnceLock::new();
    T.get_or_init(|| {
        Index::build(
            126 * 157,
            |p| {
                let (lead, trail) = (p / 157, p % 157);
                vec![(lead + 0x81) as u8, (if trail < 0x3f { trail + 0x40 } else { trail + 0x62 }) as u8]
            },
            BIG5,
        )
    })
}

/// A character's Big5 code (lead << 8 | trail): x/text keeps its last pointer.
pub(super) fn big5_reverse(c: char) -> Option<u16> {
    static T: OnceLock<HashMap<char, u16>> = OnceLock::new();
    T.get_or_init(|| {
        let mut m = HashMap::new();
        for (p, c) in big5().entries() {
            let (lead, trail) = (p / 157, p % 157);
            let trail = if trail < 0x3f { trail + 0x40 } else { trail + 0x62 };
            m.insert(c, ((lead + 0x81) << 8 | trail) as u16);
        }
        m
    })
    .get(&c)
    .copied()
}
