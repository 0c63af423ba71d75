//! Grapheme clusters exactly as cty finds them with go-textseg v15: its grammar of
//! cluster sequences over the Unicode 15.0.0 properties, which is not quite UAX #29:
//! a ZWJ joins the next pictograph after a Hangul syllable, a flag or a pictograph even
//! with spacing marks between, `L LV T` splits before `T`, U+FFFD stands alone, and
//! there is no GB9c (Unicode 15.1 joined Indic conjuncts: "क्ष" is two clusters here).

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

/// The text being segmented, from a byte position.
struct Scan<'a> {
    s: &'a str,
}

impl Scan<'_> {
    fn at(&self, i: usize) -> Option<(char, Gcb)> {
        self.s[i..].chars().next().map(|c| (c, gcb(c)))
    }

    /// The end of a run of characters from `i` that `pred` accepts.
    fn run(&self, mut i: usize, pred: impl Fn(char, Gcb) -> bool) -> usize {
        while let Some((c, _)) = self.at(i).filter(|&(c, g)| pred(c, g)) {
            i += c.len_utf8();
        }
        i
    }

    /// `(Extend | ZWJ | SpacingMark)*`.
    fn plain_extension(&self, i: usize) -> usize {
        self.run(i, |_, g| matches!(g, Gcb::Extend | Gcb::ZWJ | Gcb::SpacingMark))
    }

    /// `(Extend | ZWJ (ExtPict Extend*)? | SpacingMark)*`.
    fn extension(&self, mut i: usize) -> usize {
        loop {
            match self.at(i) {
                Some((c, Gcb::Extend | Gcb::SpacingMark)) => i += c.len_utf8(),
                Some((c, Gcb::ZWJ)) => {
                    i += c.len_utf8();
                    if let Some((p, _)) = self.at(i).filter(|&(p, _)| extended_pictographic(p)) {
                        i = self.run(i + p.len_utf8(), |_, g| g == Gcb::Extend);
                    }
                }
                _ => return i,
            }
        }
    }

    /// The longest Hangul syllable sequence from `i` (a jamo or syllable there).
    fn hangul(&self, i: usize) -> usize {
        use Gcb::*;
        let is = |i: usize, g: Gcb| self.at(i).is_some_and(|(_, h)| h == g);
        let one = |i: usize| i + self.at(i).map_or(0, |(c, _)| c.len_utf8());
        let ts = |i: usize| self.run(i, |_, g| g == T);
        match self.at(i).map(|(_, g)| g) {
            Some(L) => {
                let i = self.run(i, |_, g| g == L);
                if is(i, LVT) {
                    return ts(one(i));
                }
                let after_lv = if is(i, LV) { one(i) } else { i };
                if is(after_lv, V) { ts(self.run(after_lv, |_, g| g == V)) } else { after_lv }
            }
            Some(LV) => ts(self.run(one(i), |_, g| g == V)),
            Some(V) => ts(self.run(i, |_, g| g == V)),
            Some(LVT) => ts(one(i)),
            _ => ts(i),
        }
    }

    /// A cluster that does not start with Prepend, CR, LF or a control: `None` there.
    fn sequence(&self, i: usize) -> Option<usize> {
        use Gcb::*;
        let (c, g) = self.at(i)?;
        let next = i + c.len_utf8();
        Some(match g {
            CR | LF | Control | Prepend => return None,
            _ if c == '\u{FFFD}' => return None,
            L | V | T | LV | LVT => self.extension(self.hangul(i)),
            _ if extended_pictographic(c) => self.extension(next),
            ZWJ => self.plain_extension(next),
            RegionalIndicator => match self.at(next) {
                Some((r, RegionalIndicator)) => self.extension(next + r.len_utf8()),
                _ => self.extension(next),
            },
            _ => self.plain_extension(next),
        })
    }
}

/// The length in bytes of the grapheme cluster `s` starts with (0 for "").
pub(super) fn first_len(s: &str) -> usize {
    let scan = Scan { s };
    let Some((c, g)) = scan.at(0) else { return 0 };
    let one = c.len_utf8();
    match g {
        Gcb::CR if scan.at(one).is_some_and(|(_, g)| g == Gcb::LF) => one + 1,
        Gcb::Prepend => {
            let i = scan.run(0, |_, g| g == Gcb::Prepend);
            scan.sequence(i).unwrap_or(i)
        }
        _ => scan.sequence(0).unwrap_or(one),
    }
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
        assert_eq!(split("\r\r\n\n"), ["\r", "\r\n", "\n"]);
        // No GB9c before Unicode 15.1: a virama does not join the next consonant.
        assert_eq!(split("क्ष"), ["क्", "ष"]);
        assert_eq!(split(""), Vec::<&str>::new());
    }

    #[test]
    fn clusters_as_textseg_not_uax29() {
        // A ZWJ glues a pictograph after a Hangul syllable, a flag, or a pictograph with
        // spacing marks between; after other characters it does not.
        assert_eq!(split("\u{11A8}\u{200d}👨"), ["\u{11A8}\u{200d}👨"]);
        assert_eq!(split("🇷\u{200d}🤝"), ["🇷\u{200d}🤝"]);
        assert_eq!(split("👍\u{903}\u{200d}👨"), ["👍\u{903}\u{200d}👨"]);
        assert_eq!(split("a\u{200d}👨"), ["a\u{200d}", "👨"]);
        // L LV T: the T starts a cluster of its own.
        assert_eq!(split("\u{1100}\u{AC00}\u{11A8}"), ["\u{1100}\u{AC00}", "\u{11A8}"]);
        // U+FFFD stands alone, like a control.
        assert_eq!(split("\u{FFFD}\u{301}"), ["\u{FFFD}", "\u{301}"]);
        assert_eq!(split("\u{600}\u{FFFD}"), ["\u{600}", "\u{FFFD}"]);
    }

    /// Unicode's own test data (which textseg's grammar passes too), when the machine has
    /// the 15.0.0 database (Debian's `unicode-data` package on bookworm).
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
