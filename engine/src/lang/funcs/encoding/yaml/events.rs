//! The YAML syntax, from `saphyr-parser`, as the event stream libyaml's parser (which
//! go-cty-yaml embeds) would give: tags in their long form, anchors by name, positions as
//! libyaml's zero-based lines, and syntax errors worded as libyaml's problems.

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span};
use std::borrow::Cow;

#[derive(Clone, Copy, PartialEq, Debug)]
pub(super) enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Block,
}

#[derive(Debug)]
pub(super) enum Kind {
    StreamStart,
    StreamEnd,
    DocumentStart,
    DocumentEnd,
    Alias(String),
    Scalar { value: String, style: Style, tag: String, anchor: Option<String>, implicit: bool },
    SequenceStart { tag: String, anchor: Option<String> },
    SequenceEnd,
    MappingStart { tag: String, anchor: Option<String> },
    MappingEnd,
}

impl Kind {
    /// libyaml's name of the event type.
    pub(super) fn name(&self) -> &'static str {
        match self {
            Kind::StreamStart => "stream start",
            Kind::StreamEnd => "stream end",
            Kind::DocumentStart => "document start",
            Kind::DocumentEnd => "document end",
            Kind::Alias(_) => "alias",
            Kind::Scalar { .. } => "scalar",
            Kind::SequenceStart { .. } => "sequence start",
            Kind::SequenceEnd => "sequence end",
            Kind::MappingStart { .. } => "mapping start",
            Kind::MappingEnd => "mapping end",
        }
    }
}

/// An event and where it starts (libyaml's zero-based line, zero-based column).
#[derive(Debug)]
pub(super) struct Ev {
    pub kind: Kind,
    pub line: usize,
    pub column: usize,
}

/// go-cty-yaml's `Error`: `on line L, column C: cause` when the line is not 0.
pub(super) fn at(line: usize, column: usize, msg: impl Into<String>) -> String {
    let msg = msg.into();
    if line == 0 { msg } else { format!("on line {line}, column {}: {msg}", column + 1) }
}

/// The events of `src`, then the syntax error that stopped the parser, if any.
pub(super) fn events(src: &str) -> (Vec<Ev>, Option<String>) {
    let chars: Vec<char> = src.chars().collect();
    let mut names: Vec<String> = vec![String::new()];
    let mut out = Vec::new();
    let mut parser = Parser::new_from_str(src);
    while let Some(next) = parser.next_event() {
        let (ev, span) = match next {
            Ok(e) => e,
            Err(e) => return (out, Some(syntax_error(&e, &chars))),
        };
        let (line, column) = position(&span);
        let mut anchor = |id: usize| -> Option<String> {
            if id == 0 {
                return None;
            }
            let name = anchor_name(&chars, span.start.index(), '&');
            if names.len() <= id {
                names.resize(id + 1, String::new());
            }
            names[id] = name.clone();
            Some(name)
        };
        let kind = match ev {
            Event::Nothing => continue,
            Event::StreamStart => Kind::StreamStart,
            Event::StreamEnd => Kind::StreamEnd,
            Event::DocumentStart(_) => Kind::DocumentStart,
            Event::DocumentEnd => Kind::DocumentEnd,
            Event::Alias(id) => Kind::Alias(names.get(id).cloned().unwrap_or_default()),
            Event::Scalar(value, style, id, tag) => {
                let tag = tag_string(tag.as_ref());
                let style = match style {
                    ScalarStyle::Plain => Style::Plain,
                    ScalarStyle::SingleQuoted => Style::SingleQuoted,
                    ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    ScalarStyle::Literal | ScalarStyle::Folded => Style::Block,
                };
                let implicit = (tag.is_empty() && style == Style::Plain) || tag == "!";
                Kind::Scalar { value: value.into_owned(), style, tag, anchor: anchor(id), implicit }
            }
            Event::SequenceStart(id, tag) => Kind::SequenceStart { tag: tag_string(tag.as_ref()), anchor: anchor(id) },
            Event::SequenceEnd => Kind::SequenceEnd,
            Event::MappingStart(id, tag) => Kind::MappingStart { tag: tag_string(tag.as_ref()), anchor: anchor(id) },
            Event::MappingEnd => Kind::MappingEnd,
        };
        out.push(Ev { kind, line, column });
    }
    (out, None)
}

fn position(span: &Span) -> (usize, usize) {
    (span.start.line().saturating_sub(1), span.start.col())
}

fn tag_string(tag: Option<&Cow<'_, saphyr_parser::Tag>>) -> String {
    tag.map(|t| format!("{}{}", t.handle, t.suffix)).unwrap_or_default()
}

/// The name of the anchor (`&`) or alias (`*`) at or after `from` (past a tag).
fn anchor_name(chars: &[char], from: usize, sigil: char) -> String {
    let Some(start) = chars.iter().skip(from).position(|&c| c == sigil).map(|i| i + from + 1) else {
        return String::new();
    };
    chars[start..].iter().take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}')).collect()
}

/// A syntax error worded as libyaml's problem (its context dropped, as go-cty-yaml does),
/// placed as go-cty-yaml places parser and scanner errors.
fn syntax_error(e: &ScanError, chars: &[char]) -> String {
    let info = e.info();
    let mark = e.marker();
    let line0 = mark.line().saturating_sub(1);
    if info == "while parsing node, found unknown anchor" {
        let name = anchor_name(chars, mark.index(), '*');
        return at(line0, mark.col(), format!("reference to undefined anchor {}", crate::cty::ty::go_quote(&name)));
    }
    let parser_error = info.starts_with("while parsing a ") || info.starts_with("did not find expected <");
    let problem = match info {
        "while parsing a flow sequence, expected ',' or ']'" => "did not find expected ',' or ']'",
        "tab cannot be used as indentation"
        | "tabs disallowed within this context (block indentation)"
        | "tabs disallowed in this context" => "found character that cannot start any token",
        i if i.starts_with("while ") => i.split_once(", ").map_or(i, |(_, p)| p),
        i => i,
    };
    if parser_error {
        at(line0, mark.col(), problem)
    } else if line0 == 0 {
        problem.to_string()
    } else {
        // libyaml reports a scanner error at the start of the line after its mark.
        format!("on line {}, column 1: {problem}", line0 + 1)
    }
}
