//! Character classes of Go's regexp syntax, written as `regex` crate classes with the
//! same members: Go's Perl classes (`\d`, `\s`, `\w`) and POSIX classes are ASCII-only,
//! and `\p{..}` accepts only the names of Go 1.23's `unicode.Categories` and
//! `unicode.Scripts` (plus `Any`), whose tables are Unicode 15.0.0: the crate's newer
//! tables are cut back to the code points Unicode 15.0 had assigned.

use super::super::unicode15::SCRIPTS;

/// The items of a bracketed class being built, in `regex` crate syntax.
#[derive(Default)]
pub(super) struct ClassBuf {
    items: String,
}

impl ClassBuf {
    pub(super) fn range(&mut self, lo: char, hi: char) {
        push_char(&mut self.items, lo);
        if hi != lo {
            self.items.push('-');
            push_char(&mut self.items, hi);
        }
    }

    /// A range of Go runes, whose ends may be surrogates (which no string holds).
    pub(super) fn rune_range(&mut self, lo: u32, hi: u32) {
        let lo = if (0xD800..=0xDFFF).contains(&lo) { 0xE000 } else { lo };
        let hi = if (0xD800..=0xDFFF).contains(&hi) { 0xD7FF } else { hi };
        if let (Some(lo), Some(hi)) = (char::from_u32(lo), char::from_u32(hi))
            && lo <= hi
        {
            self.range(lo, hi);
        }
    }

    /// Adds the members of a class written in `regex` syntax (`[...]`).
    pub(super) fn nested(&mut self, class: &str) {
        self.items.push_str(class);
    }

    /// The class: negated or not, case-folded or not (folding comes first, as in Go).
    pub(super) fn finish(self, negated: bool, fold: bool) -> String {
        if self.items.is_empty() {
            // `[]` cannot be written: an empty class matches nothing, its negation anything.
            return if negated { ANY } else { NOTHING }.to_string();
        }
        let body = format!("[{}{}]", if negated { "^" } else { "" }, self.items);
        if fold { format!("(?i:{body})") } else { body }
    }
}

/// A class of every code point, and one of none.
pub(super) const ANY: &str = r"[\x{0}-\x{10FFFF}]";
pub(super) const NOTHING: &str = r"[^\x{0}-\x{10FFFF}]";

/// Writes a code point so that it means itself anywhere in a pattern or class.
pub(super) fn push_char(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    }
}

/// Go's Perl class escapes: `\d`, `\s`, `\w` and their negations, as (ranges, negated).
pub(super) fn perl_class(c: u8) -> Option<(&'static [(char, char)], bool)> {
    const DIGIT: &[(char, char)] = &[('0', '9')];
    const SPACE: &[(char, char)] = &[('\t', '\n'), ('\x0C', '\r'), (' ', ' ')];
    const WORD: &[(char, char)] = &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')];
    Some(match c {
        b'd' => (DIGIT, false),
        b'D' => (DIGIT, true),
        b's' => (SPACE, false),
        b'S' => (SPACE, true),
        b'w' => (WORD, false),
        b'W' => (WORD, true),
        _ => return None,
    })
}

/// Go's POSIX classes, by the name between `[:` and `:]` (a leading `^` negates).
pub(super) fn posix_class(name: &str) -> Option<(&'static [(char, char)], bool)> {
    let (name, negated) = match name.strip_prefix('^') {
        Some(n) => (n, true),
        None => (name, false),
    };
    let ranges: &'static [(char, char)] = match name {
        "alnum" => &[('0', '9'), ('A', 'Z'), ('a', 'z')],
        "alpha" => &[('A', 'Z'), ('a', 'z')],
        "ascii" => &[('\0', '\x7F')],
        "blank" => &[('\t', '\t'), (' ', ' ')],
        "cntrl" => &[('\0', '\x1F'), ('\x7F', '\x7F')],
        "digit" => &[('0', '9')],
        "graph" => &[('!', '~')],
        "lower" => &[('a', 'z')],
        "print" => &[(' ', '~')],
        "punct" => &[('!', '/'), (':', '@'), ('[', '`'), ('{', '~')],
        "space" => &[('\t', '\r'), (' ', ' ')],
        "upper" => &[('A', 'Z')],
        "word" => &[('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z')],
        "xdigit" => &[('0', '9'), ('A', 'F'), ('a', 'f')],
        _ => return None,
    };
    Some((ranges, negated))
}

/// A list of ranges as a `regex` class.
pub(super) fn ranges_class(ranges: &[(char, char)], negated: bool) -> String {
    let mut b = ClassBuf::default();
    for &(lo, hi) in ranges {
        b.range(lo, hi);
    }
    b.finish(negated, false)
}

/// The general categories of Go's `unicode.Categories`.
const CATEGORIES: [&str; 36] = [
    "C", "Cc", "Cf", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn", "N", "Nd", "Nl", "No", "P",
    "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm", "So", "Z", "Zl", "Zp", "Zs",
];

/// The class Go's `\p{name}` names, as a `regex` class, or `None` for a name Go does not
/// know (case-sensitive, no aliases).
pub(super) fn unicode_class(name: &str) -> Option<String> {
    const AGE: &str = r"\p{Age=V15_0}";
    if name == "Any" {
        return Some(ANY.to_string());
    }
    if CATEGORIES.contains(&name) {
        return Some(match name {
            // No string holds a surrogate.
            "Cs" => NOTHING.to_string(),
            // Go's C is Cc, Cf, Cs and Co, without the unassigned code points.
            "C" => format!(r"[[\p{{Cc}}\p{{Cf}}\p{{Co}}]&&{AGE}]"),
            // The one change of category since 15.0: U+1171E was Mn, is Mc since 16.0.
            "Mn" => format!(r"[[\p{{Mn}}&&{AGE}]\x{{1171E}}]"),
            "Mc" => format!(r"[\p{{Mc}}&&{AGE}--\x{{1171E}}]"),
            _ => format!(r"[\p{{{name}}}&&{AGE}]"),
        });
    }
    if SCRIPTS.contains(&name) {
        return Some(format!(r"[\p{{sc={name}}}&&{AGE}]"));
    }
    None
}
