//! Go's `regexp/syntax` parser with the flags `regexp.Compile` uses (Perl syntax),
//! rewritten: it accepts what Go accepts, fails with Go's error code and offending text at
//! the first error Go would find, and writes an equivalent pattern for the `regex` crate
//! with every flag made explicit. Capture groups are written unnamed (Go allows names the
//! crate refuses); their names are kept aside in Go's order.

use super::class::{self, ClassBuf, push_char};
use super::escape::{bracket_class, parse_escape, unicode_escape};
use super::repeat::{MAX_REPEAT, Rep, parse_repeat, repeat_is_valid};
use super::{ErrorCode, SyntaxError};

/// The flags in force (Go's Perl flags: one-line `^`/`$`, greedy, case-sensitive).
#[derive(Clone, Copy)]
struct Flags {
    fold: bool,
    one_line: bool,
    dot_nl: bool,
    non_greedy: bool,
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

pub(super) fn err(code: ErrorCode, expr: &str) -> SyntaxError {
    SyntaxError { code, expr: expr.to_string() }
}

/// What `before` has that its suffix `after` does not (Go's `before[:len(before)-len(after)]`).
pub(super) fn cut<'a>(before: &'a str, after: &str) -> &'a str {
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
            b'[' => {
                let (cls, rest) = bracket_class(t, p.flags.fold)?;
                p.push(atom(cls));
                t = rest;
            }
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
}

fn expr(it: Item) -> Node {
    match it {
        Item::Expr(n) => n,
        _ => unreachable!("only expressions are collected"),
    }
}
