//! Regular expressions as Go's `regexp` package has them (RE2 syntax, leftmost-first
//! matching), for `regex`, `regexall` and `replace`. Patterns are parsed with Go's rules
//! and error messages ([`parse`]), then matched by the `regex` crate, whose semantics for
//! the translated pattern are Go's; the loops over successive matches and the `$name`
//! expansion of replacements are Go's own.

mod class;
mod escape;
mod parse;
mod repeat;

use super::case::is_letter_or_digit;
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock, Mutex};

/// Go's `regexp/syntax.ErrorCode`s.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ErrorCode {
    InvalidCharRange,
    InvalidEscape,
    InvalidNamedCapture,
    InvalidPerlOp,
    InvalidRepeatOp,
    InvalidRepeatSize,
    MissingBracket,
    MissingParen,
    MissingRepeatArgument,
    TrailingBackslash,
    UnexpectedParen,
    NestingDepth,
    Large,
}

impl ErrorCode {
    fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidCharRange => "invalid character class range",
            ErrorCode::InvalidEscape => "invalid escape sequence",
            ErrorCode::InvalidNamedCapture => "invalid named capture",
            ErrorCode::InvalidPerlOp => "invalid or unsupported Perl syntax",
            ErrorCode::InvalidRepeatOp => "invalid nested repetition operator",
            ErrorCode::InvalidRepeatSize => "invalid repeat count",
            ErrorCode::MissingBracket => "missing closing ]",
            ErrorCode::MissingParen => "missing closing )",
            ErrorCode::MissingRepeatArgument => "missing argument to repetition operator",
            ErrorCode::TrailingBackslash => "trailing backslash at end of expression",
            ErrorCode::UnexpectedParen => "unexpected )",
            ErrorCode::NestingDepth => "expression nests too deeply",
            ErrorCode::Large => "expression too large",
        }
    }
}

/// A pattern Go refuses: the error code and the offending part of the pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct SyntaxError {
    pub(super) code: ErrorCode,
    pub(super) expr: String,
}

impl SyntaxError {
    pub(super) fn code(&self) -> &'static str {
        self.code.as_str()
    }
}

/// Go's `Error()`: "error parsing regexp: CODE: `EXPR`".
impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error parsing regexp: {}: `{}`", self.code.as_str(), self.expr)
    }
}

/// The spans of a match and of each capture group (`None` when the group took no part).
pub(super) type Spans = Vec<Option<(usize, usize)>>;

/// A compiled pattern.
pub(super) struct GoRegex {
    re: regex::Regex,
    /// The name of each capture group, "" for an unnamed one (Go's `SubexpNames()[1:]`).
    names: Vec<String>,
}

impl GoRegex {
    /// Go's `regexp.Compile`.
    pub(super) fn new(pattern: &str) -> Result<GoRegex, SyntaxError> {
        let parsed = parse::parse(pattern)?;
        let whole = |code| SyntaxError { code, expr: pattern.to_string() };
        let re = regex::RegexBuilder::new(&parsed.pattern)
            // Go allows programs of a few million instructions and 1,000 levels of nesting.
            .size_limit(128 << 20)
            .nest_limit(1000)
            .build()
            .map_err(|e| match e {
                regex::Error::CompiledTooBig(_) => whole(ErrorCode::Large),
                _ if e.to_string().contains("nest limit") => whole(ErrorCode::NestingDepth),
                e => unreachable!("translated pattern {:?} refused: {e}", parsed.pattern),
            })?;
        debug_assert_eq!(re.captures_len(), parsed.names.len() + 1, "{pattern:?} as {:?}", parsed.pattern);
        Ok(GoRegex { re, names: parsed.names })
    }

    /// [`GoRegex::new`] through a small cache: a call compiles its pattern for its return
    /// type and again to run, and configurations apply the same patterns many times.
    pub(super) fn cached(pattern: &str) -> Result<Arc<GoRegex>, SyntaxError> {
        static CACHE: LazyLock<Mutex<HashMap<String, Arc<GoRegex>>>> = LazyLock::new(Default::default);
        if let Some(re) = CACHE.lock().unwrap_or_else(|e| e.into_inner()).get(pattern) {
            return Ok(re.clone());
        }
        let re = Arc::new(GoRegex::new(pattern)?);
        let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= 256 {
            cache.clear();
        }
        cache.insert(pattern.to_string(), re.clone());
        Ok(re)
    }

    /// The capture group names ("" for unnamed groups), in order.
    pub(super) fn names(&self) -> &[String] {
        &self.names
    }

    /// The first match starting at or after `pos` (Go's `doExecute` from `pos`: what comes
    /// before `pos` still counts for `^` and `\b`).
    pub(super) fn find_at(&self, s: &str, pos: usize) -> Option<Spans> {
        let caps = self.re.captures_at(s, pos)?;
        Some(caps.iter().map(|m| m.map(|m| (m.start(), m.end()))).collect())
    }

    /// Every match, as Go's `FindAllStringSubmatchIndex(s, -1)` finds them: an empty
    /// match right after the previous match is skipped.
    pub(super) fn find_all(&self, s: &str) -> Vec<Spans> {
        let mut out = Vec::new();
        let mut pos = 0;
        let mut prev_end = None;
        while pos <= s.len() {
            let Some(m) = self.find_at(s, pos) else { break };
            let (start, end) = m[0].expect("a match spans");
            let mut accept = true;
            if end == pos {
                accept = prev_end != Some(start);
                pos += s[pos..].chars().next().map_or(1, char::len_utf8);
            } else {
                pos = end;
            }
            prev_end = Some(end);
            if accept {
                out.push(m);
            }
        }
        out
    }

    /// Go's `ReplaceAllString`: every match replaced by `template` with `$1`, `${name}`
    /// expanded; an empty match right after the previous match is left alone.
    pub(super) fn replace_all(&self, src: &str, template: &str) -> String {
        let mut out = String::new();
        let mut last_end = 0;
        let mut pos = 0;
        while pos <= src.len() {
            let Some(m) = self.find_at(src, pos) else { break };
            let (start, end) = m[0].expect("a match spans");
            out.push_str(&src[last_end..start]);
            if end > last_end || start == 0 {
                self.expand(&mut out, template, src, &m);
            }
            last_end = end;
            let width = src[pos..].chars().next().map_or(0, char::len_utf8);
            pos = if pos + width > end {
                pos + width
            } else if pos + 1 > end {
                pos + 1
            } else {
                end
            };
        }
        out.push_str(&src[last_end..]);
        out
    }

    /// Go's `Regexp.expand`: `$$` is `$`; `$name` and `${name}` are a group by number or
    /// name (nothing when there is no such group or it took no part); a `$` without a
    /// valid name stays as it is.
    fn expand(&self, out: &mut String, template: &str, src: &str, m: &Spans) {
        let mut template = template;
        while let Some((before, after)) = template.split_once('$') {
            out.push_str(before);
            template = after;
            if let Some(rest) = template.strip_prefix('$') {
                out.push('$');
                template = rest;
                continue;
            }
            let Some((name, num, rest)) = extract(template) else {
                out.push('$');
                continue;
            };
            template = rest;
            // By name: the first group of that name that took part.
            let span = match num {
                Some(n) => m.get(n).copied().flatten(),
                None => self.names.iter().zip(&m[1..]).find_map(|(g, span)| span.filter(|_| g == name)),
            };
            if let Some((s, e)) = span {
                out.push_str(&src[s..e]);
            }
        }
        out.push_str(template);
    }
}

/// Go's `extract`: a leading `name` or `{name}` (letters, digits and `_`), the group
/// number it spells (decimal without a leading zero), and the rest.
fn extract(s: &str) -> Option<(&str, Option<usize>, &str)> {
    let (brace, body) = match s.strip_prefix('{') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let len = body.find(|c: char| !(is_letter_or_digit(c) || c == '_')).unwrap_or(body.len());
    if len == 0 {
        return None;
    }
    let name = &body[..len];
    let rest = if brace { body[len..].strip_prefix('}')? } else { &body[len..] };
    let mut num = Some(0usize);
    for b in name.bytes() {
        num = match num {
            Some(n) if b.is_ascii_digit() && n < 100_000_000 => Some(n * 10 + usize::from(b - b'0')),
            _ => None,
        };
    }
    if name.starts_with('0') && name.len() > 1 {
        num = None;
    }
    Some((name, num, rest))
}

#[cfg(test)]
mod tests;
