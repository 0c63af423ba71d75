//! The part of HCL's `hclwrite` the builtin provider's encoders use: the tokens
//! `TokensForValue` generates for a constant value, and `format`, which sets the spaces
//! before every token (indentation, spacing rules, `=` aligned across consecutive lines).
//! Only the token kinds a value can produce are modelled.

use crate::cty::Value;
use crate::hcl::valid_identifier;
use unicode_segmentation::UnicodeSegmentation;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Ident,
    NumberLit,
    OQuote,
    QuotedLit,
    CQuote,
    OBrack,
    CBrack,
    OBrace,
    CBrace,
    Comma,
    Equal,
    Newline,
    /// The placeholder before the first token of a cell.
    Nil,
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub kind: Kind,
    pub text: String,
    pub spaces_before: usize,
}

pub(super) fn token(kind: Kind, text: &str) -> Token {
    Token { kind, text: text.to_string(), spaces_before: 0 }
}

/// `TokensForValue`'s tokens for a wholly known value, unformatted.
pub(super) fn append_value(v: &Value, out: &mut Vec<Token>) {
    if v.is_null() {
        out.push(token(Kind::Ident, "null"));
        return;
    }
    match v.unmarked() {
        Value::Bool(b) => out.push(token(Kind::Ident, if *b { "true" } else { "false" })),
        Value::Number(n) => out.push(token(Kind::NumberLit, &n.to_string())),
        Value::String(s) => append_string(s, out),
        Value::List(_) | Value::Set(_) | Value::Tuple(_) => {
            out.push(token(Kind::OBrack, "["));
            for (i, (_, e)) in v.elements().iter().enumerate() {
                if i > 0 {
                    out.push(token(Kind::Comma, ","));
                }
                append_value(e, out);
            }
            out.push(token(Kind::CBrack, "]"));
        }
        Value::Map(_) | Value::Object(_) => {
            out.push(token(Kind::OBrace, "{"));
            let elems = v.elements();
            if !elems.is_empty() {
                out.push(token(Kind::Newline, "\n"));
            }
            for (k, e) in &elems {
                let k = k.as_str().expect("string keys");
                if valid_identifier(k) {
                    out.push(token(Kind::Ident, k));
                } else {
                    append_string(k, out);
                }
                out.push(token(Kind::Equal, "="));
                append_value(e, out);
                out.push(token(Kind::Newline, "\n"));
            }
            out.push(token(Kind::CBrace, "}"));
        }
        other => unreachable!("no tokens for {other:?}"),
    }
}

fn append_string(s: &str, out: &mut Vec<Token>) {
    out.push(token(Kind::OQuote, "\""));
    if !s.is_empty() {
        out.push(token(Kind::QuotedLit, &escape_quoted_string_lit(s)));
    }
    out.push(token(Kind::CQuote, "\""));
}

/// A quoted string literal's content: Go escapes for what is not printable, and `${`/`%{`
/// doubled so they stay literal.
fn escape_quoted_string_lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, c) in s.char_indices() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '$' | '%' => {
                out.push(c);
                if s[i + 1..].starts_with('{') {
                    out.push(c);
                }
            }
            c if !crate::cty::ty::is_go_printable(c) => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// The tokens' text with their spaces.
pub(super) fn to_text(tokens: &[Token]) -> String {
    let mut out = String::new();
    for t in tokens {
        out.extend(std::iter::repeat_n(' ', t.spaces_before));
        out.push_str(&t.text);
    }
    out
}

fn bracket_change(k: Kind) -> i64 {
    match k {
        Kind::OBrace | Kind::OBrack => 1,
        Kind::CBrace | Kind::CBrack => -1,
        _ => 0,
    }
}

/// One line: the tokens up to an `=` that starts a whole expression (`lead`), and from it
/// (`assign`), as index ranges.
struct Line {
    lead: std::ops::Range<usize>,
    assign: Option<std::ops::Range<usize>>,
}

fn lines(tokens: &[Token]) -> Vec<Line> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.kind == Kind::Newline {
            out.push(Line { lead: start..i + 1, assign: None });
            start = i + 1;
        }
    }
    out.push(Line { lead: start..tokens.len(), assign: None });
    for line in &mut out {
        let lead = line.lead.clone();
        if let Some(eq) = lead.clone().skip(1).find(|&i| tokens[i].kind == Kind::Equal) {
            let net: i64 = (eq..lead.end).map(|i| bracket_change(tokens[i].kind)).sum();
            if net == 0 {
                line.lead = lead.start..eq;
                line.assign = Some(eq..lead.end);
            }
        }
    }
    out
}

/// hclwrite's `format`.
pub(super) fn format(tokens: &mut [Token]) {
    let lines = lines(tokens);
    indent(tokens, &lines);
    for line in &lines {
        spaces(tokens, line.lead.clone());
        if let Some(assign) = &line.assign {
            tokens[assign.start].spaces_before = 1;
            spaces(tokens, assign.clone());
        }
    }
    align_assignments(tokens, &lines);
}

fn indent(tokens: &mut [Token], lines: &[Line]) {
    let mut indents: Vec<i64> = Vec::new();
    for line in lines {
        if line.lead.is_empty() {
            continue;
        }
        if tokens[line.lead.start].kind == Kind::Newline {
            tokens[line.lead.start].spaces_before = 0;
            continue;
        }
        let cells = line.lead.clone().chain(line.assign.clone().unwrap_or_default());
        let net: i64 = cells.map(|i| bracket_change(tokens[i].kind)).sum();
        if net > 0 {
            tokens[line.lead.start].spaces_before = 2 * indents.len();
            indents.push(net);
            continue;
        }
        let mut closed = -net;
        while closed > 0 {
            let Some(top) = indents.last_mut() else { break };
            if closed >= *top {
                closed -= *top;
                indents.pop();
            } else {
                *top -= closed;
                closed = 0;
            }
        }
        tokens[line.lead.start].spaces_before = 2 * indents.len();
    }
}

/// The spaces between the tokens of one cell.
fn spaces(tokens: &mut [Token], cell: std::ops::Range<usize>) {
    let nil = token(Kind::Nil, "");
    for i in cell.start..cell.end.saturating_sub(1) {
        let before = if i > cell.start { tokens[i - 1].kind } else { nil.kind };
        let space = space_after(tokens[i].kind, before, tokens[i + 1].kind);
        tokens[i + 1].spaces_before = usize::from(space);
    }
}

/// `spaceAfterToken`, for the token kinds a value produces.
fn space_after(subject: Kind, _before: Kind, after: Kind) -> bool {
    use Kind::*;
    match () {
        _ if after == Newline || after == Nil => false,
        _ if after == Comma => false,
        _ if subject == Comma => true,
        _ if matches!(subject, QuotedLit | OQuote) || matches!(after, QuotedLit | CQuote) => false,
        _ if after == OBrack && (matches!(subject, Ident | NumberLit) || bracket_change(subject) < 0) => false,
        _ if subject == OBrace || after == CBrace => !(subject == OBrace && after == CBrace),
        _ if bracket_change(subject) > 0 => false,
        _ if bracket_change(after) < 0 => false,
        _ => true,
    }
}

/// Aligns the `=` of consecutive lines that assign.
fn align_assignments(tokens: &mut [Token], lines: &[Line]) {
    let columns = |tokens: &[Token], r: std::ops::Range<usize>| -> usize {
        tokens[r].iter().map(|t| t.spaces_before + t.text.graphemes(true).count()).sum()
    };
    let mut chain: Vec<&Line> = Vec::new();
    for line in lines.iter().chain(std::iter::once(&Line { lead: 0..0, assign: None })) {
        if line.assign.is_some() {
            chain.push(line);
            continue;
        }
        let widest = chain.iter().map(|l| columns(tokens, l.lead.clone())).max().unwrap_or(0);
        for l in chain.drain(..) {
            let width = columns(tokens, l.lead.clone());
            let start = l.assign.as_ref().expect("in a chain").start;
            tokens[start].spaces_before = widest - width + 1;
        }
    }
}
