//! Extended grapheme clusters as cty finds them with go-textseg v15: the rules of UAX #29
//! for Unicode 15.0.0, before Unicode 15.1 joined Indic conjuncts (GB9c) into one
//! cluster. (`unicode-segmentation` follows a newer Unicode and splits "क्ष" differently.)

use super::unicode15::{EXTENDED_PICTOGRAPHIC, GRAPHEME_BREAK, Gcb};

fn gcb(c: char) -> Gcb {
    let cp = c as u32;
    let i = GRAPHEME_BREAK.partition_point(|r| r.1 < cp);
    match GRAPHEME_BREAK.get(i) {
        Some(&(lo, _, v)) if lo <= cp => v,
        _ => Gcb::Other,
    }
}

fn extended_pictographic(c: char) -> bool {
    let cp = c as u32;
    let i = EXTENDED_PICTOGRAPHIC.partition_point(|r| r.1 < cp);
    EXTENDED_PICTOGRAPHIC.get(i).is_some_and(|r| r.0 <= cp)
}

/// Where in an emoji sequence (GB11: ExtPict Extend* ZWJ × ExtPict) the text is.
#[derive(Clone, Copy, PartialEq)]
enum Emoji {
    None,
    Pictographic,
    Joiner,
}

/// The length in bytes of the grapheme cluster `s` starts with (0 for "").
pub(super) fn first_len(s: &str) -> usize {
    use Gcb::*;
    let mut chars = s.char_indices();
    let Some((_, c)) = chars.next() else { return 0 };
    let mut prev = gcb(c);
    let mut odd_ri = prev == RegionalIndicator;
    let mut emoji = if extended_pictographic(c) { Emoji::Pictographic } else { Emoji::None };
    for (i, c) in chars {
        let cur = gcb(c);
        let pict = extended_pictographic(c);
        let joined = match (prev, cur) {
            (CR, LF) => true,                                               // GB3
            (Control | CR | LF, _) | (_, Control | CR | LF) => false,       // GB4, GB5
            (L, L | V | LV | LVT) | (LV | V, V | T) | (LVT | T, T) => true, // GB6-GB8
            (_, Extend | ZWJ | SpacingMark) | (Prepend, _) => true,         // GB9-GB9b
            (ZWJ, _) if pict && emoji == Emoji::Joiner => true,             // GB11
            (RegionalIndicator, RegionalIndicator) => odd_ri,               // GB12, GB13
            _ => false,                                                     // GB999
        };
        if !joined {
            return i;
        }
        odd_ri = cur == RegionalIndicator && !(prev == RegionalIndicator && odd_ri);
        emoji = match (cur, emoji) {
            _ if pict => Emoji::Pictographic,
            (Extend, Emoji::Pictographic) => Emoji::Pictographic,
            (ZWJ, Emoji::Pictographic) => Emoji::Joiner,
            _ => Emoji::None,
        };
        prev = cur;
    }
    s.len()
}

/// The grapheme clusters of `s`, in order.
pub(super) fn clusters(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let n = first_len(rest);
        if n == 0 {
            return None;
        }
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Some(head)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> Vec<&str> {
        clusters(s).collect()
    }

    #[test]
    fn clusters_as_unicode_15_0() {
        assert_eq!(split("cafe\u{301}s"), ["c", "a", "f", "e\u{301}", "s"]);
        assert_eq!(split("👍🏽x"), ["👍🏽", "x"]);
        assert_eq!(split("🇫🇷🇩🇪🇮"), ["🇫🇷", "🇩🇪", "🇮"]);
        assert_eq!(split("👨\u{200d}👩\u{200d}👧!"), ["👨\u{200d}👩\u{200d}👧", "!"]);
        assert_eq!(split("ab\r\ncd"), ["a", "b", "\r\n", "c", "d"]);
        assert_eq!(split("\u{1100}\u{1161}\u{11A8}"), ["\u{1100}\u{1161}\u{11A8}"]);
        // No GB9c before Unicode 15.1: a virama does not join the next consonant.
        assert_eq!(split("क्ष"), ["क्", "ष"]);
        assert_eq!(split(""), Vec::<&str>::new());
    }

    /// Unicode's own test data, when the machine has the 15.0.0 database (Debian's
    /// `unicode-data` package on bookworm).
    #[test]
    fn unicode_grapheme_break_test() {
        let path = "/usr/share/unicode/auxiliary/GraphemeBreakTest.txt";
        let Ok(data) = std::fs::read_to_string(path) else { return };
        if !data.contains("GraphemeBreakTest-15.0.0") {
            return;
        }
        let mut n = 0;
        for line in data.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let mut want = vec![String::new()];
            for tok in line.split_whitespace() {
                match tok {
                    "÷" => want.push(String::new()),
                    "×" => {}
                    hex => {
                        want.last_mut().unwrap().push(char::from_u32(u32::from_str_radix(hex, 16).unwrap()).unwrap())
                    }
                }
            }
            want.retain(|s| !s.is_empty());
            let text: String = want.concat();
            assert_eq!(split(&text), want, "{line}");
            n += 1;
        }
        assert!(n > 500);
    }
}
