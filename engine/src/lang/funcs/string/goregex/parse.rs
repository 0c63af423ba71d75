//! Go's `regexp/syntax` parser with the flags `regexp.Compile` uses (Perl syntax),
//! rewritten: it accepts what Go accepts, fails with Go's error code and offending text at
//! the first error Go would find, and writes an equivalent pattern for the `regex` crate
//! with every flag made explicit. Capture groups are written unnamed (Go allows names the
//! crate refuses); their names are kept aside in Go's order.

use super::class::{self, ClassBuf, push_char};
use super::{ErrorCode, SyntaxError};

/// Go's limit on a counted repetition (and on the product of nested ones).
const MAX_REPEAT: i64 = 1000;

/// The flags in force (Go's Perl flags: one-line `^`/`$`, greedy, case-sensitive).
#[derive(Clone, Copy)]
struct Flags {
    fold: bool,
    one_line: bool,
    dot_nl: bool,
    non_greedy: bool,
}

/// A counted repetition and those nested in it, for Go's check of their product.
struct Rep {
    min: i64,
    max: i64,
    inner: Vec<Rep>,
}

/// A parsed expression: its `regex` text, whether a repetition operator can follow the
/// text directly, and its counted repetitions.
struct Node {
    text: String,
    atom: bool,
    reps: Vec<Rep>,
}

/// The parse stack, as Go keeps it: expressions, open parentheses and a pending `|`.
enum Item {
    Expr(Node),
    LeftParen { capture: bool, flags: Flags },
    Bar,
}

#[derive(Clone, Copy)]
enum RepOp {
    Star,
    Plus,
    Quest,
    Count(i64, i64),
}

/// A parsed pattern: the equivalent `regex` pattern and the name of each capture group
/// ("" when unnamed), in order.
pub(super) struct Parsed {
    pub(super) pattern: String,
    pub(super) names: Vec<String>,
}

struct Parser<'a> {
    whole: &'a str,
    flags: Flags,
    stack: Vec<Item>,
    names: Vec<String>,
}

fn err(code: ErrorCode, expr: &str) -> SyntaxError {
    SyntaxError { code, expr: expr.to_string() }
}

/// What `before` has that its suffix `after` does not (Go's `before[:len(before)-len(after)]`).
fn cut<'a>(before: &'a str, after: &str) -> &'a str {
    &before[..before.len() - after.len()]
}

fn atom(text: impl Into<String>) -> Node {
    Node { text: text.into(), atom: true, reps: Vec::new() }
}

/// An empty-width assertion: a repetition must group it first.
fn assertion(text: &str) -> Node {
    Node { text: text.to_string(), atom: false, reps: Vec::new() }
}

pub(super) fn parse(src: &str) -> Result<Parsed, SyntaxError> {
    let flags = Flags { fold: false, one_line: true, dot_nl: false, non_greedy: false };
    let mut p = Parser { whole: src, flags, stack: Vec::new(), names: Vec::new() };
    let mut t = src;
    let mut last_repeat = "";
    while let Some(&b) = t.as_bytes().first() {
        let mut repeat = "";
        match b {
            b'(' if t.as_bytes().get(1) == Some(&b'?') => t = p.perl_flags(t)?,
            b'(' => {
                p.names.push(String::new());
                p.stack.push(Item::LeftParen { capture: true, flags: p.flags });
                t = &t[1..];
            }
            b'|' => {
                p.vertical_bar();
                t = &t[1..];
            }
            b')' => {
                p.right_paren()?;
                t = &t[1..];
            }
            b'^' => {
                p.push(assertion(if p.flags.one_line { r"\A" } else { "(?m:^)" }));
                t = &t[1..];
            }
            b'$' => {
                p.push(assertion(if p.flags.one_line { r"\z" } else { "(?m:$)" }));
                t = &t[1..];
            }
            b'.' => {
                p.push(atom(if p.flags.dot_nl { "(?s:.)" } else { r"[^\n]" }));
                t = &t[1..];
            }
            b'[' => t = p.class(t)?,
            b'*' | b'+' | b'?' => {
                let op = match b {
                    b'*' => RepOp::Star,
                    b'+' => RepOp::Plus,
                    _ => RepOp::Quest,
                };
                let after = p.repeat(op, t, &t[1..], last_repeat)?;
                repeat = t;
                t = after;
            }
            b'{' => match parse_repeat(t) {
                None => {
                    p.literal('{' as u32);
                    t = &t[1..];
                }
                Some((min, max, after)) => {
                    if !(0..=MAX_REPEAT).contains(&min) || max > MAX_REPEAT || (max >= 0 && min > max) {
                        return Err(err(ErrorCode::InvalidRepeatSize, cut(t, after)));
                    }
                    let after = p.repeat(RepOp::Count(min, max), t, after, last_repeat)?;
                    repeat = t;
                    t = after;
                }
            },
            b'\\' => t = p.backslash(t)?,
            _ => {
                let c = t.chars().next().expect("not empty");
                p.literal(c as u32);
                t = &t[c.len_utf8()..];
            }
        }
        last_repeat = repeat;
    }
    p.concat();
    if p.swap_vertical_bar() {
        p.stack.pop();
    }
    p.alternate();
    match (p.stack.pop(), p.stack.is_empty()) {
        (Some(Item::Expr(node)), true) => Ok(Parsed { pattern: node.text, names: p.names }),
        _ => Err(err(ErrorCode::MissingParen, src)),
    }
}

/// Go's `parseRepeat`: `{n}`, `{n,}` or `{n,m}` with the rest of the pattern; a number
/// too large makes `min` -1. `None` when the text is no repetition (then `{` is literal).
fn parse_repeat(s: &str) -> Option<(i64, i64, &str)> {
    let s = s.strip_prefix('{')?;
    let (min, s) = parse_int(s)?;
    let (min, max, s) = match s.strip_prefix(',') {
        None if s.is_empty() => return None,
        None => (min, min, s),
        Some("") => return None,
        Some(s) if s.starts_with('}') => (min, -1, s),
        Some(s) => {
            let (max, s) = parse_int(s)?;
            (if max < 0 { -1 } else { min }, max, s)
        }
    };
    Some((min, max, s.strip_prefix('}')?))
}

/// Go's `parseInt`: decimal digits without a leading zero; -1 when too large.
fn parse_int(s: &str) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    if !b.first()?.is_ascii_digit() || (b.len() >= 2 && b[0] == b'0' && b[1].is_ascii_digit()) {
        return None;
    }
    let end = b.iter().position(|c| !c.is_ascii_digit()).unwrap_or(b.len());
    let mut n: i64 = 0;
    for &d in &b[..end] {
        if n >= 100_000_000 {
            n = -1;
            break;
        }
        n = n * 10 + i64::from(d - b'0');
    }
    Some((n, &s[end..]))
}

/// Go's `repeatIsValid`: no more than `n` copies of anything, counting nested repetitions.
fn repeat_is_valid(r: &Rep, n: i64) -> bool {
    if r.max == 0 {
        return true;
    }
    let m = if r.max < 0 { r.min } else { r.max };
    if m > n {
        return false;
    }
    let n = if m > 0 { n / m } else { n };
    r.inner.iter().all(|i| repeat_is_valid(i, n))
}

impl<'a> Parser<'a> {
    fn push(&mut self, node: Node) {
        self.stack.push(Item::Expr(node));
    }

    /// A literal rune (a surrogate, which Go's `\x{D800}` allows, matches nothing).
    fn literal(&mut self, r: u32) {
        let Some(c) = char::from_u32(r) else {
            self.push(atom(class::NOTHING));
            return;
        };
        let mut text = String::new();
        push_char(&mut text, c);
        self.push(atom(if self.flags.fold { format!("(?i:{text})") } else { text }));
    }

    /// Joins the expressions above the topmost `(` or `|`.
    fn concat(&mut self) {
        let i = self.stack.iter().rposition(|it| !matches!(it, Item::Expr(_))).map_or(0, |i| i + 1);
        let subs: Vec<Node> = self.stack.drain(i..).map(expr).collect();
        let node = match subs.len() {
            0 => atom("(?:)"),
            1 => subs.into_iter().next().expect("one"),
            _ => Node {
                text: subs.iter().map(|n| n.text.as_str()).collect(),
                atom: false,
                reps: subs.into_iter().flat_map(|n| n.reps).collect(),
            },
        };
        self.push(node);
    }

    /// Makes the alternation of the expressions above the topmost `(`.
    fn alternate(&mut self) {
        let i = self.stack.iter().rposition(|it| !matches!(it, Item::Expr(_))).map_or(0, |i| i + 1);
        let subs: Vec<Node> = self.stack.drain(i..).map(expr).collect();
        let node = match subs.len() {
            0 => atom(class::NOTHING),
            1 => subs.into_iter().next().expect("one"),
            _ => Node {
                text: subs.iter().map(|n| n.text.as_str()).collect::<Vec<_>>().join("|"),
                atom: false,
                reps: subs.into_iter().flat_map(|n| n.reps).collect(),
            },
        };
        self.push(node);
    }

    fn vertical_bar(&mut self) {
        self.concat();
        if !self.swap_vertical_bar() {
            self.stack.push(Item::Bar);
        }
    }

    /// Moves a `|` just below the top above it (Go's `swapVerticalBar`).
    fn swap_vertical_bar(&mut self) -> bool {
        let n = self.stack.len();
        if n >= 2 && matches!(self.stack[n - 2], Item::Bar) {
            self.stack.swap(n - 1, n - 2);
            return true;
        }
        false
    }

    fn right_paren(&mut self) -> Result<(), SyntaxError> {
        self.concat();
        if self.swap_vertical_bar() {
            self.stack.pop();
        }
        self.alternate();
        let unexpected = || err(ErrorCode::UnexpectedParen, self.whole);
        if self.stack.len() < 2 {
            return Err(unexpected());
        }
        let node = expr(self.stack.pop().expect("two items"));
        let Some(Item::LeftParen { capture, flags }) = self.stack.pop() else { return Err(unexpected()) };
        self.flags = flags;
        let text = if capture { format!("({})", node.text) } else { format!("(?:{})", node.text) };
        self.push(Node { text, atom: true, reps: node.reps });
        Ok(())
    }

    /// Applies a repetition operator to the expression on top of the stack. `before`
    /// starts at the operator, `after` follows it; returns the rest after a lazy `?`.
    fn repeat(
        &mut self,
        op: RepOp,
        before: &'a str,
        after: &'a str,
        last_repeat: &str,
    ) -> Result<&'a str, SyntaxError> {
        let mut after = after;
        let mut non_greedy = self.flags.non_greedy;
        if let Some(rest) = after.strip_prefix('?') {
            after = rest;
            non_greedy = !non_greedy;
        }
        if !last_repeat.is_empty() {
            return Err(err(ErrorCode::InvalidRepeatOp, cut(last_repeat, after)));
        }
        let Some(Item::Expr(sub)) = self.stack.pop_if(|it| matches!(it, Item::Expr(_))) else {
            return Err(err(ErrorCode::MissingRepeatArgument, cut(before, after)));
        };
        let mut text = if sub.atom { sub.text } else { format!("(?:{})", sub.text) };
        match op {
            // The crate drops the capture groups of `x{0}`; this matches only "" and keeps them.
            RepOp::Count(_, 0) => text = format!("(?:{}{text})?", class::NOTHING),
            RepOp::Star => text.push('*'),
            RepOp::Plus => text.push('+'),
            RepOp::Quest => text.push('?'),
            RepOp::Count(min, max) if min == max => text.push_str(&format!("{{{min}}}")),
            RepOp::Count(min, -1) => text.push_str(&format!("{{{min},}}")),
            RepOp::Count(min, max) => text.push_str(&format!("{{{min},{max}}}")),
        }
        if non_greedy && !matches!(op, RepOp::Count(_, 0)) {
            text.push('?');
        }
        let reps = match op {
            RepOp::Count(min, max) => {
                let rep = Rep { min, max, inner: sub.reps };
                if (min >= 2 || max >= 2) && !repeat_is_valid(&rep, MAX_REPEAT) {
                    return Err(err(ErrorCode::InvalidRepeatSize, cut(before, after)));
                }
                vec![rep]
            }
            _ => sub.reps,
        };
        self.push(Node { text, atom: false, reps });
        Ok(after)
    }

    /// `(?` at the start of `s`: a named group, a non-capturing group or flags.
    fn perl_flags(&mut self, s: &'a str) -> Result<&'a str, SyntaxError> {
        let b = s.as_bytes();
        let starts_with_p = b.len() > 4 && b[2] == b'P' && b[3] == b'<';
        let starts_with_name = b.len() > 3 && b[2] == b'<';
        if starts_with_p || starts_with_name {
            let start = if starts_with_p { 4 } else { 3 };
            let Some(end) = s.find('>') else { return Err(err(ErrorCode::InvalidNamedCapture, s)) };
            let name = &s[start..end];
            if name.is_empty() || !name.bytes().all(|c| c == b'_' || c.is_ascii_alphanumeric()) {
                return Err(err(ErrorCode::InvalidNamedCapture, &s[..=end]));
            }
            self.names.push(name.to_string());
            self.stack.push(Item::LeftParen { capture: true, flags: self.flags });
            return Ok(&s[end + 1..]);
        }
        let mut flags = self.flags;
        let mut negated = false;
        let mut saw_flag = false;
        let mut t = &s[2..];
        while let Some(c) = t.chars().next() {
            t = &t[c.len_utf8()..];
            match c {
                'i' => flags.fold = !negated,
                'm' => flags.one_line = negated,
                's' => flags.dot_nl = !negated,
                'U' => flags.non_greedy = !negated,
                '-' if !negated => {
                    negated = true;
                    saw_flag = false;
                    continue;
                }
                ':' | ')' if !negated || saw_flag => {
                    if c == ':' {
                        self.stack.push(Item::LeftParen { capture: false, flags: self.flags });
                    }
                    self.flags = flags;
                    return Ok(t);
                }
                _ => break,
            }
            saw_flag = true;
        }
        Err(err(ErrorCode::InvalidPerlOp, cut(s, t)))
    }

    /// A `\` escape outside a class.
    fn backslash(&mut self, t: &'a str) -> Result<&'a str, SyntaxError> {
        let b = t.as_bytes();
        let node = match b.get(1) {
            Some(b'A') => Some(assertion(r"\A")),
            Some(b'b') => Some(assertion(r"(?-u:\b)")),
            Some(b'B') => Some(assertion(r"(?-u:\B)")),
            Some(b'z') => Some(assertion(r"\z")),
            Some(b'C') => return Err(err(ErrorCode::InvalidEscape, &t[..2])),
            Some(b'Q') => {
                let body = &t[2..];
                let (lit, rest) = body.split_once(r"\E").unwrap_or((body, ""));
                for c in lit.chars() {
                    self.literal(c as u32);
                }
                return Ok(rest);
            }
            _ => None,
        };
        if let Some(node) = node {
            self.push(node);
            return Ok(&t[2..]);
        }
        if let Some(b'p' | b'P') = b.get(1) {
            let (cls, rest) = unicode_escape(t)?;
            let mut buf = ClassBuf::default();
            buf.nested(&cls);
            self.push(atom(buf.finish(false, self.flags.fold)));
            return Ok(rest);
        }
        if let Some((ranges, negated)) = b.get(1).and_then(|&c| class::perl_class(c)) {
            let mut buf = ClassBuf::default();
            for &(lo, hi) in ranges {
                buf.range(lo, hi);
            }
            self.push(atom(buf.finish(negated, self.flags.fold)));
            return Ok(&t[2..]);
        }
        let (r, rest) = parse_escape(t)?;
        self.literal(r);
        Ok(rest)
    }

    /// A bracketed class at the start of `s` (Go's `parseClass`).
    fn class(&mut self, s: &'a str) -> Result<&'a str, SyntaxError> {
        let mut t = &s[1..];
        let mut buf = ClassBuf::default();
        let negated = t.starts_with('^');
        if negated {
            t = &t[1..];
        }
        let mut first = true;
        while first || !t.starts_with(']') {
            first = false;
            if t.len() > 2
                && t.starts_with("[:")
                && let Some(i) = t[2..].find(":]")
            {
                let full = &t[..i + 4];
                let Some((ranges, neg)) = class::posix_class(&t[2..i + 2]) else {
                    return Err(err(ErrorCode::InvalidCharRange, full));
                };
                buf.nested(&class::ranges_class(ranges, neg));
                t = &t[i + 4..];
                continue;
            }
            let b = t.as_bytes();
            if b.len() >= 2 && b[0] == b'\\' {
                if b[1] == b'p' || b[1] == b'P' {
                    let (cls, rest) = unicode_escape(t)?;
                    buf.nested(&cls);
                    t = rest;
                    continue;
                }
                if let Some((ranges, neg)) = class::perl_class(b[1]) {
                    buf.nested(&class::ranges_class(ranges, neg));
                    t = &t[2..];
                    continue;
                }
            }
            let rng = t;
            let (lo, rest) = class_char(t, s)?;
            t = rest;
            let mut hi = lo;
            if t.len() >= 2 && t.starts_with('-') && t.as_bytes()[1] != b']' {
                let (h, rest) = class_char(&t[1..], s)?;
                t = rest;
                hi = h;
                if hi < lo {
                    return Err(err(ErrorCode::InvalidCharRange, cut(rng, t)));
                }
            }
            buf.rune_range(lo, hi);
        }
        self.push(atom(buf.finish(negated, self.flags.fold)));
        Ok(&t[1..])
    }
}

fn expr(it: Item) -> Node {
    match it {
        Item::Expr(n) => n,
        _ => unreachable!("only expressions are collected"),
    }
}

/// A character of a class: an escape or a rune; the class must go on (`whole` is the
/// class from its `[` on, for the error).
fn class_char<'s>(t: &'s str, whole: &str) -> Result<(u32, &'s str), SyntaxError> {
    match t.chars().next() {
        None => Err(err(ErrorCode::MissingBracket, whole)),
        Some('\\') => parse_escape(t),
        Some(c) => Ok((c as u32, &t[c.len_utf8()..])),
    }
}

/// `\p{Name}`, `\pN`, `\P..` or `\p{^..}` at the start of `s`: the (unnegated) class and
/// the rest, or Go's error for an unknown name.
fn unicode_escape(s: &str) -> Result<(String, &str), SyntaxError> {
    let negated = s.as_bytes()[1] == b'P';
    let t = &s[2..];
    let (seq, name, rest) = match t.chars().next() {
        Some('{') => {
            let Some(end) = s.find('}') else { return Err(err(ErrorCode::InvalidCharRange, s)) };
            (&s[..=end], &s[3..end], &s[end + 1..])
        }
        c => {
            let len = c.map_or(0, char::len_utf8);
            (&s[..2 + len], &t[..len], &t[len..])
        }
    };
    let (name, negated) = match name.strip_prefix('^') {
        Some(n) => (n, !negated),
        None => (name, negated),
    };
    let cls = class::unicode_class(name).ok_or_else(|| err(ErrorCode::InvalidCharRange, seq))?;
    Ok((if negated { format!("[^{cls}]") } else { cls }, rest))
}

/// Go's `parseEscape`: the rune a `\` escape at the start of `s` stands for.
fn parse_escape(s: &str) -> Result<(u32, &str), SyntaxError> {
    let invalid = |t: &str| err(ErrorCode::InvalidEscape, cut(s, t));
    let t = &s[1..];
    let Some(c) = t.chars().next() else { return Err(err(ErrorCode::TrailingBackslash, "")) };
    let mut t = &t[c.len_utf8()..];
    let octal = |t: &str| t.as_bytes().first().is_some_and(|d| (b'0'..=b'7').contains(d));
    match c {
        // A single non-zero digit would be a backreference, which Go does not support.
        '1'..='7' if !octal(t) => Err(invalid(t)),
        '0'..='7' => {
            let mut r = c as u32 - '0' as u32;
            for _ in 1..3 {
                if !octal(t) {
                    break;
                }
                r = r * 8 + u32::from(t.as_bytes()[0] - b'0');
                t = &t[1..];
            }
            Ok((r, t))
        }
        'x' => {
            let Some(c) = t.chars().next() else { return Err(invalid(t)) };
            t = &t[c.len_utf8()..];
            if c == '{' {
                let mut n = 0;
                let mut r: u32 = 0;
                loop {
                    let Some(c) = t.chars().next() else { return Err(invalid(t)) };
                    t = &t[c.len_utf8()..];
                    if c == '}' {
                        break;
                    }
                    let Some(v) = c.to_digit(16) else { return Err(invalid(t)) };
                    r = r * 16 + v;
                    if r > 0x10FFFF {
                        return Err(invalid(t));
                    }
                    n += 1;
                }
                return if n == 0 { Err(invalid(t)) } else { Ok((r, t)) };
            }
            let x = c.to_digit(16);
            let c2 = t.chars().next();
            if let Some(c2) = c2 {
                t = &t[c2.len_utf8()..];
            }
            match (x, c2.and_then(|c| c.to_digit(16))) {
                (Some(x), Some(y)) => Ok((x * 16 + y, t)),
                _ => Err(invalid(t)),
            }
        }
        'a' => Ok((0x07, t)),
        'f' => Ok((0x0C, t)),
        'n' => Ok((0x0A, t)),
        'r' => Ok((0x0D, t)),
        't' => Ok((0x09, t)),
        'v' => Ok((0x0B, t)),
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok((c as u32, t)),
        _ => Err(invalid(t)),
    }
}
