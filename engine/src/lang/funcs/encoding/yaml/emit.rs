//! `yamlencode`'s output: the layout libyaml's emitter (as embedded in go-cty-yaml) gives
//! the events go-cty-yaml sends it: block collections (empty ones in flow style), strings
//! double-quoted (or literal when they hold a newline), numbers, booleans and null plain,
//! an implicit document, `...` after a plain root scalar. The emitter's state (column,
//! indentation stack, whitespace and indentation flags) is kept as libyaml keeps it, so
//! long strings fold at column 80 and long or multi-line keys become `?` keys as there.

use crate::cty::Value;

const BEST_INDENT: i32 = 2;
const BEST_WIDTH: usize = 80;

#[derive(Clone, Copy, PartialEq)]
enum Style {
    Plain,
    DoubleQuoted,
    Literal,
}

/// What libyaml's `analyze_scalar` finds out about a scalar.
struct Analysis {
    multiline: bool,
    block_allowed: bool,
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_printable(c: char) -> bool {
    let c = c as u32;
    c == 0x0a
        || (0x20..=0x7e).contains(&c)
        || (0xa0..=0xd7ff).contains(&c)
        || ((0xe000..=0xfffd).contains(&c) && c != 0xfeff)
}

fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis { multiline: false, block_allowed: false };
    }
    let chars: Vec<char> = value.chars().collect();
    let (mut line_breaks, mut special, mut trailing_space, mut space_break) = (false, false, false, false);
    let mut previous_space = false;
    for (i, &c) in chars.iter().enumerate() {
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if i + 1 == chars.len() {
                trailing_space = true;
            }
            previous_space = true;
        } else if is_break(c) {
            line_breaks = true;
            if previous_space {
                space_break = true;
            }
            previous_space = false;
        } else {
            previous_space = false;
        }
    }
    Analysis { multiline: line_breaks, block_allowed: !(trailing_space || space_break || special) }
}

struct Emitter {
    out: String,
    column: usize,
    indent: i32,
    indents: Vec<i32>,
    whitespace: bool,
    indention: bool,
    open_ended: bool,
    root: bool,
    mapping: bool,
    simple_key: bool,
}

impl Emitter {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, indicator: &str, need_whitespace: bool, is_whitespace: bool, is_indention: bool) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
        self.open_ended = false;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn node(&mut self, v: &Value, root: bool, mapping: bool, simple_key: bool) {
        self.root = root;
        self.mapping = mapping;
        self.simple_key = simple_key;
        let v = v.unmarked();
        if v.is_null() {
            return self.scalar("null", Style::Plain);
        }
        match v {
            Value::String(s) => self.scalar(s, if s.contains('\n') { Style::Literal } else { Style::DoubleQuoted }),
            Value::Number(n) => {
                let text = if n.is_infinite() {
                    if n.is_negative() { "-Inf".to_string() } else { "+Inf".to_string() }
                } else {
                    n.to_string()
                };
                self.scalar(&text, Style::Plain)
            }
            Value::Bool(b) => self.scalar(if *b { "true" } else { "false" }, Style::Plain),
            Value::List(_) | Value::Set(_) | Value::Tuple(_) => self.sequence(v),
            _ => self.mapping_node(v),
        }
    }

    fn flow_empty(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.write_indicator(close, false, false, false);
    }

    fn sequence(&mut self, v: &Value) {
        let items = v.as_seq().unwrap_or(&[]);
        if items.is_empty() {
            return self.flow_empty("[", "]");
        }
        let indentless = self.mapping && !self.indention;
        self.increase_indent(false, indentless);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(item, false, false, false);
        }
        self.pop_indent();
    }

    fn mapping_node(&mut self, v: &Value) {
        let elems = v.elements();
        if elems.is_empty() {
            return self.flow_empty("{", "}");
        }
        self.increase_indent(false, false);
        for (k, val) in &elems {
            self.write_indent();
            let key = k.as_str().unwrap_or_default();
            let simple = !analyze(key).multiline && key.len() <= 128;
            if simple {
                self.node(k, false, true, true);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.node(k, false, true, false);
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(val, false, true, false);
        }
        self.pop_indent();
    }

    fn scalar(&mut self, value: &str, requested: Style) {
        let a = analyze(value);
        let mut style = requested;
        if self.simple_key && a.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal && (!a.block_allowed || self.simple_key) {
            style = Style::DoubleQuoted;
        }
        self.increase_indent(true, false);
        match style {
            Style::Plain => self.plain(value),
            Style::DoubleQuoted => self.double_quoted(value, !self.simple_key),
            Style::Literal => self.literal(value),
        }
        self.pop_indent();
    }

    /// A plain scalar (only numbers, booleans and null are written so: no spaces or breaks).
    fn plain(&mut self, value: &str) {
        if !self.whitespace {
            self.put(' ');
        }
        for c in value.chars() {
            self.put(c);
        }
        self.whitespace = false;
        self.indention = false;
        if self.root {
            self.open_ended = true;
        }
    }

    fn double_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        // libyaml's BOM test looks at the start of the value for every character.
        let bom = value.starts_with('\u{feff}');
        let mut spaces = false;
        let mut rest = value.char_indices().peekable();
        while let Some((i, c)) = rest.next() {
            if !is_printable(c) || bom || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\u{7}' => self.put('a'),
                    '\u{8}' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\u{b}' => self.put('v'),
                    '\u{c}' => self.put('f'),
                    '\r' => self.put('r'),
                    '\u{1b}' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{a0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    c => {
                        let v = c as u32;
                        let (letter, width) = if v <= 0xff {
                            ('x', 2)
                        } else if v <= 0xffff {
                            ('u', 4)
                        } else {
                            ('U', 8)
                        };
                        self.put(letter);
                        for ch in format!("{v:0width$X}").chars() {
                            self.put(ch);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                let last = i + 1 == value.len();
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && !last {
                    self.write_indent();
                    if rest.peek().is_some_and(|&(_, n)| n == ' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(' ');
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        if chars.first().is_some_and(|&c| c == ' ' || is_break(c)) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        self.open_ended = false;
        let chomp = match chars.as_slice() {
            [] => Some('-'),
            [.., last] if !is_break(*last) => Some('-'),
            [_] => {
                self.open_ended = true;
                Some('+')
            }
            [.., prev, _] if is_break(*prev) => {
                self.open_ended = true;
                Some('+')
            }
            _ => None,
        };
        if let Some(c) = chomp {
            self.write_indicator(&c.to_string(), false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for &c in &chars {
            if is_break(c) {
                if c == '\n' {
                    self.put_break();
                } else {
                    self.out.push(c);
                    self.column = 0;
                }
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// go-cty-yaml's `Marshal` of a wholly known value.
pub(super) fn marshal(v: &Value) -> String {
    let mut e = Emitter {
        out: String::new(),
        column: 0,
        indent: -1,
        indents: Vec::new(),
        whitespace: true,
        indention: true,
        open_ended: false,
        root: false,
        mapping: false,
        simple_key: false,
    };
    e.node(v, true, false, false);
    // The implicit document's end, then the stream's.
    e.write_indent();
    if e.open_ended {
        e.write_indicator("...", true, false, false);
        e.write_indent();
    }
    e.out
}
