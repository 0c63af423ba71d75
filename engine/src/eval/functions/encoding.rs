//! Encoding functions: jsonencode, jsondecode, yamlencode, csvdecode, base64encode,
//! base64decode, urlencode.
//!
//! No YAML or CSV crate: Terraform's output is that of one particular emitter (go-yaml's, as
//! configured by go-cty-yaml) and one particular reader (Go's `encoding/csv`), with quirks no
//! Rust crate reproduces (every string double-quoted, line folding at column 80, `...` after
//! a bare root scalar; CSV error wording). The small emitter and reader below follow them.

use super::*;
use base64::Engine;

pub(super) fn functions() -> Vec<Function> {
    vec![
        Function::new("jsonencode", &["val"], |_, a| json_encode(&a[0]).map(Value::String).map_err(FuncError::Call))
            .allow_null(),
        Function::new("jsondecode", &["str"], jsondecode),
        Function::new("yamlencode", &["value"], |_, a| Ok(Value::String(yaml_encode(&a[0])))).allow_null(),
        Function::new("csvdecode", &["str"], csvdecode),
        Function::new("base64encode", &["str"], |_, a| {
            Ok(Value::String(base64::engine::general_purpose::STANDARD.encode(str_arg(&a, 0)?)))
        }),
        Function::new("base64decode", &["str"], base64decode),
        Function::new("urlencode", &["str"], |_, a| Ok(Value::String(query_escape(&str_arg(&a, 0)?)))),
    ]
}

// ---- JSON ----

/// Encodes as Terraform's `jsonencode`: Go's `encoding/json` output, without spaces, keys in
/// order, with `<`, `>`, `&`, U+2028 and U+2029 escaped, numbers in full decimal form.
pub(super) fn json_encode(v: &Value) -> Result<String, String> {
    let mut out = String::new();
    json_write(v, &mut out)?;
    Ok(out)
}

fn json_write(v: &Value, out: &mut String) -> Result<(), String> {
    match v {
        Value::Null => out.push_str("null"),
        Value::Unknown => return Err("value is not yet known".into()),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) if !n.is_finite() => return Err(format!("cannot encode {} as JSON", num_str(*n))),
        Value::Number(n) => out.push_str(&format!("{n}")),
        Value::String(s) => out.push_str(&json_string(s)),
        Value::List(items) | Value::Set(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_write(item, out)?;
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, item)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&json_string(k));
                out.push(':');
                json_write(item, out)?;
            }
            out.push('}');
        }
        Value::Sensitive(inner) => json_write(inner, out)?,
    }
    Ok(())
}

/// A JSON string literal with Go's escaping.
pub(super) fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || matches!(c, '<' | '>' | '&' | '\u{2028}' | '\u{2029}') => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn jsondecode(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let s = str_arg(&a, 0)?;
    let mut values = serde_json::Deserializer::from_str(&s).into_iter::<serde_json::Value>();
    match values.next() {
        Some(Ok(j)) => {
            // Go's decoder stops after one value and then asks whether "more" follows, which
            // a closing bracket does not count as: `[1]]` decodes as `[1]`.
            let rest = s[values.byte_offset()..].trim_start();
            if rest.is_empty() || rest.starts_with([']', '}']) {
                Ok(Value::from_json(&j))
            } else {
                Err(FuncError::Call("extraneous data after JSON object.".into()))
            }
        }
        Some(Err(e)) => Err(FuncError::Call(format!("{}.", json_error(&s, &e)))),
        None => Err(FuncError::Call("EOF.".into())),
    }
}

/// Words a JSON syntax error as Go's decoder does ("invalid character 'x' looking for
/// beginning of value"), which is what Terraform reports.
fn json_error(input: &str, e: &serde_json::Error) -> String {
    let full = e.to_string();
    let msg = full.rsplit_once(" at line ").map_or(full.as_str(), |(m, _)| m);
    // Input that ends in the middle of `true`, `false` or `null`.
    let partial_literal = {
        let trimmed = input.trim_end();
        let word = &trimmed[trimmed.rfind(|c: char| !c.is_ascii_alphabetic()).map_or(0, |i| i + 1)..];
        !word.is_empty() && ["true", "false", "null"].iter().any(|l| l.starts_with(word) && *l != word)
    };
    if e.classify() == serde_json::error::Category::Eof {
        return if msg.contains("string") || partial_literal { "unexpected EOF" } else { "EOF" }.into();
    }
    // The character the error is about: serde's line and column are 1-based.
    let at = input
        .lines()
        .nth(e.line().saturating_sub(1))
        .and_then(|l| l.get(e.column().saturating_sub(1)..))
        .and_then(|rest| rest.chars().next());
    let ch = |c: Option<char>| super::string::go_quote_rune(c.unwrap_or(' '));
    if msg == "trailing characters" {
        return "extraneous data after JSON object".into();
    }
    if msg == "invalid number" && {
        let t = input.trim_start().trim_start_matches('-');
        t.len() > 1 && t.starts_with('0') && t.as_bytes()[1].is_ascii_digit()
    } {
        // Go reads `01` as the number 0 followed by more data.
        return "extraneous data after JSON object".into();
    }
    if msg.starts_with("expected value") {
        return format!("invalid character {} looking for beginning of value", ch(at));
    }
    if msg == "trailing comma" {
        let after = input.lines().nth(e.line().saturating_sub(1)).and_then(|l| l.get(e.column().saturating_sub(1)..));
        let c = after.and_then(|r| r.trim_start_matches([',', ' ', '\t', '\r', '\n']).chars().next());
        let what = if c == Some('}') { "object key string" } else { "value" };
        return format!("invalid character {} looking for beginning of {what}", ch(c));
    }
    let context = match msg {
        "expected `:`" => " after object key",
        "expected `,` or `}`" => " after object key:value pair",
        "expected `,` or `]`" => " after array element",
        "key must be a string" => "",
        "invalid escape" => " in string escape code",
        "expected ident" => " in literal",
        m if m.starts_with("control character") => " in string literal",
        _ => return msg.to_string(),
    };
    format!("invalid character {}{context}", ch(at))
}

// ---- YAML ----

const YAML_INDENT: i32 = 2;
const YAML_WIDTH: usize = 80;

/// Encodes as Terraform's `yamlencode`, which runs go-yaml's emitter over events from
/// go-cty-yaml: block style, every string double-quoted (or a literal block `|` when it has
/// line breaks and that style can represent it), numbers and bools plain.
fn yaml_encode(v: &Value) -> String {
    let mut e = YamlEmitter {
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
    e.write_indent();
    if e.open_ended {
        e.write_indicator("...", true, false, false);
        e.write_indent();
    }
    e.out
}

struct YamlEmitter {
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

#[derive(PartialEq)]
enum ScalarStyle {
    Plain,
    DoubleQuoted,
    Literal,
}

fn yaml_is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// go-yaml's notion of a printable character.
fn yaml_is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}') && c != '\u{feff}'
}

impl YamlEmitter {
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
        indicator.chars().for_each(|c| self.put(c));
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
        self.open_ended = false;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { YAML_INDENT } else { 0 };
        } else if !indentless {
            self.indent += YAML_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn node(&mut self, v: &Value, root: bool, mapping: bool, simple_key: bool) {
        self.root = root;
        self.mapping = mapping;
        self.simple_key = simple_key;
        match v {
            Value::Sensitive(inner) => self.node(inner, root, mapping, simple_key),
            Value::List(items) | Value::Set(items) => self.sequence(items),
            Value::Map(m) => self.mapping(m),
            Value::String(s) => {
                let style = if s.contains('\n') { ScalarStyle::Literal } else { ScalarStyle::DoubleQuoted };
                self.scalar(s, style);
            }
            Value::Number(n) if n.is_infinite() => {
                self.scalar(if *n > 0.0 { "+.Inf" } else { "-.Inf" }, ScalarStyle::Plain)
            }
            Value::Number(n) => self.scalar(&format!("{n}"), ScalarStyle::Plain),
            Value::Bool(b) => self.scalar(if *b { "true" } else { "false" }, ScalarStyle::Plain),
            Value::Null | Value::Unknown => self.scalar("null", ScalarStyle::Plain),
        }
    }

    fn sequence(&mut self, items: &[Value]) {
        if items.is_empty() {
            self.write_indicator("[", true, true, false);
            self.write_indicator("]", false, false, false);
            return;
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

    fn mapping(&mut self, m: &crate::value::ValueMap) {
        if m.is_empty() {
            self.write_indicator("{", true, true, false);
            self.write_indicator("}", false, false, false);
            return;
        }
        self.increase_indent(false, false);
        for (k, v) in m {
            self.write_indent();
            let key = Value::String(k.clone());
            if !k.chars().any(yaml_is_break) && k.len() <= 128 {
                self.node(&key, false, true, true);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.node(&key, false, true, false);
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(v, false, true, false);
        }
        self.pop_indent();
    }

    fn scalar(&mut self, value: &str, style: ScalarStyle) {
        let style = if style == ScalarStyle::Literal && (self.simple_key || !literal_allowed(value)) {
            ScalarStyle::DoubleQuoted
        } else {
            style
        };
        self.increase_indent(true, false);
        match style {
            ScalarStyle::Plain => {
                if !self.whitespace {
                    self.put(' ');
                }
                value.chars().for_each(|c| self.put(c));
                self.whitespace = false;
                self.indention = false;
                if self.root {
                    self.open_ended = true;
                }
            }
            ScalarStyle::DoubleQuoted => self.double_quoted(value, !self.simple_key),
            ScalarStyle::Literal => self.literal(value),
        }
        self.pop_indent();
    }

    fn double_quoted(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !yaml_is_printable(c) || c == '\u{feff}' || yaml_is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                let short = match c {
                    '\0' => Some('0'),
                    '\u{7}' => Some('a'),
                    '\u{8}' => Some('b'),
                    '\t' => Some('t'),
                    '\n' => Some('n'),
                    '\u{b}' => Some('v'),
                    '\u{c}' => Some('f'),
                    '\r' => Some('r'),
                    '\u{1b}' => Some('e'),
                    '"' => Some('"'),
                    '\\' => Some('\\'),
                    '\u{85}' => Some('N'),
                    '\u{a0}' => Some('_'),
                    '\u{2028}' => Some('L'),
                    '\u{2029}' => Some('P'),
                    _ => None,
                };
                match short {
                    Some(s) => self.put(s),
                    None => {
                        let code = c as u32;
                        let hex = if code <= 0xff {
                            format!("x{code:02X}")
                        } else if code <= 0xffff {
                            format!("u{code:04X}")
                        } else {
                            format!("U{code:08X}")
                        };
                        hex.chars().for_each(|h| self.put(h));
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.column > YAML_WIDTH && i > 0 && i + 1 < chars.len() {
                    self.write_indent();
                    if chars[i + 1] == ' ' {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
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
        if chars.first().is_some_and(|c| *c == ' ' || yaml_is_break(*c)) {
            self.write_indicator(&YAML_INDENT.to_string(), false, false, false);
        }
        let chomp = match chars.as_slice() {
            [.., last] if !yaml_is_break(*last) => Some("-"),
            [_] => Some("+"),
            [.., before, _] if yaml_is_break(*before) => Some("+"),
            _ => None,
        };
        if let Some(chomp) = chomp {
            self.write_indicator(chomp, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in chars {
            if yaml_is_break(c) {
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

/// Whether go-yaml can write `value` as a literal block: not with trailing spaces, spaces
/// before a line break, or characters it must escape.
fn literal_allowed(value: &str) -> bool {
    let chars: Vec<char> = value.chars().collect();
    if chars.is_empty() || chars.last() == Some(&' ') {
        return false;
    }
    let special = chars.iter().any(|c| !yaml_is_printable(*c));
    let space_break = chars.windows(2).any(|w| w[0] == ' ' && yaml_is_break(w[1]));
    !special && !space_break
}

// ---- CSV ----

fn csvdecode(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let s = str_arg(&a, 0)?;
    let records =
        parse_csv(&s).map_err(|(line, why)| FuncError::Call(format!("CSV parse error on line {line}: {why}.")))?;
    let mut records = records.into_iter();
    let Some(headers) = records.next() else {
        return Err(FuncError::Call("missing header line.".into()));
    };
    for (i, h) in headers.iter().enumerate() {
        if headers[..i].contains(h) {
            return Err(FuncError::Call(format!("duplicate column name {}.", json_string(h))));
        }
    }
    let rows = records.map(|fields| Value::object(headers.iter().cloned().zip(fields.into_iter().map(Value::String))));
    Ok(Value::List(rows.collect()))
}

/// Reads CSV as Go's `encoding/csv` does by default: `"` quoting with `""` escapes, quoted
/// fields may span lines, blank lines skipped, `\r\n` read as `\n`, and every record must have
/// as many fields as the first. Errors carry the line number and Go's wording.
fn parse_csv(input: &str) -> Result<Vec<Vec<String>>, (usize, &'static str)> {
    const QUOTE: &str = "extraneous or missing \" in quoted-field";
    let mut lines = input.split_inclusive('\n').map(|l| match l.strip_suffix("\r\n") {
        Some(body) => format!("{body}\n"),
        None if l.ends_with('\n') => l.to_string(),
        None => format!("{l}\n"),
    });
    let mut line_no = 0;
    let mut records: Vec<Vec<String>> = Vec::new();
    loop {
        let mut line = loop {
            match lines.next() {
                None => return Ok(records),
                Some(l) => {
                    line_no += 1;
                    if l != "\n" {
                        break l;
                    }
                }
            }
        };
        let record_line = line_no;
        let mut fields = Vec::new();
        let mut pos = 0;
        'fields: loop {
            if !line[pos..].starts_with('"') {
                let end = line[pos..].find(',');
                let field = match end {
                    Some(e) => &line[pos..pos + e],
                    None => &line[pos..line.len() - 1],
                };
                if field.contains('"') {
                    return Err((line_no, "bare \" in non-quoted-field"));
                }
                fields.push(field.to_string());
                match end {
                    Some(e) => pos += e + 1,
                    None => break 'fields,
                }
                continue;
            }
            pos += 1;
            let mut field = String::new();
            loop {
                match line[pos..].find('"') {
                    Some(q) => {
                        field.push_str(&line[pos..pos + q]);
                        pos += q + 1;
                        match line[pos..].chars().next() {
                            Some('"') => {
                                field.push('"');
                                pos += 1;
                            }
                            Some(',') => {
                                pos += 1;
                                fields.push(field);
                                continue 'fields;
                            }
                            Some('\n') | None => {
                                fields.push(field);
                                break 'fields;
                            }
                            Some(_) => return Err((line_no, QUOTE)),
                        }
                    }
                    None => {
                        field.push_str(&line[pos..]);
                        match lines.next() {
                            Some(l) => {
                                line_no += 1;
                                line = l;
                                pos = 0;
                            }
                            None => return Err((line_no, QUOTE)),
                        }
                    }
                }
            }
        }
        if records.first().is_some_and(|first| first.len() != fields.len()) {
            return Err((record_line, "wrong number of fields"));
        }
        records.push(fields);
    }
}

// ---- base64 and URLs ----

fn base64decode(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    // Go's StdEncoding: padding required, line breaks ignored, trailing bits tolerated.
    const GO_STD: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
    );
    let s = str_arg(&a, 0)?;
    let cleaned: String = s.chars().filter(|c| *c != '\r' && *c != '\n').collect();
    let bytes = GO_STD
        .decode(cleaned)
        .map_err(|_| FuncError::Call(format!("failed to decode base64 data {}.", json_string(&s))))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| FuncError::Call("the result of decoding the provided string is not valid UTF-8.".into()))
}

/// Go's `url.QueryEscape`: unreserved characters stay, spaces become `+`, everything else
/// is percent-encoded byte by byte.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn jsonencode_escapes_like_go() {
        let v = Value::object([
            ("a", s("<b>&")),
            ("b", list(vec![n(1.0), n(2.5), Value::Bool(true), Value::Null])),
            ("c", Value::Map(Default::default())),
        ]);
        assert_eq!(ok("jsonencode", vec![v]), s(r#"{"a":"\u003cb\u003e\u0026","b":[1,2.5,true,null],"c":{}}"#));
        assert_eq!(
            ok("jsonencode", vec![s("\u{2028} é \u{1} \t\u{8}\u{c}\u{7f}")]),
            s("\"\\u2028 é \\u0001 \\t\\b\\f\u{7f}\"")
        );
        assert_eq!(ok("jsonencode", vec![n(1e21)]), s("1000000000000000000000"));
        assert_eq!(ok("jsonencode", vec![n(1e-7)]), s("0.0000001"));
        assert_eq!(ok("jsonencode", vec![n(-0.0)]), s("-0"));
        assert_eq!(ok("jsonencode", vec![Value::Null]), s("null"));
        assert_eq!(ok("jsonencode", vec![Value::set(vec![s("b"), s("a")])]), s("[\"a\",\"b\"]"));
        assert_eq!(ok("jsonencode", vec![list(vec![Value::Unknown])]), Value::Unknown);
    }

    #[test]
    fn jsondecode_values_and_errors() {
        assert_eq!(
            ok("jsondecode", vec![s("{\"b\": [1, \"x\", null, {\"c\": false}], \"a\": 1.5}")]),
            Value::object([
                ("a", n(1.5)),
                ("b", list(vec![n(1.0), s("x"), Value::Null, Value::object([("c", Value::Bool(false))])])),
            ])
        );
        assert_eq!(ok("jsondecode", vec![s("{\"a\":1,\"a\":2}")]), Value::object([("a", n(2.0))]));
        assert_eq!(ok("jsondecode", vec![s(" null ")]), Value::Null);
        assert_eq!(ok("jsondecode", vec![s("[1]]")]), list(vec![n(1.0)]));
        assert_eq!(ok("jsondecode", vec![s("\"\\u003c\"")]), s("<"));
        let cases = [
            ("[", "EOF."),
            ("", "EOF."),
            ("{\"a\":", "EOF."),
            ("\"abc", "unexpected EOF."),
            ("tru", "unexpected EOF."),
            ("1 2", "extraneous data after JSON object."),
            ("01", "extraneous data after JSON object."),
            ("{\"a\":1,}", "invalid character '}' looking for beginning of object key string."),
            ("x", "invalid character 'x' looking for beginning of value."),
            ("[1,]", "invalid character ']' looking for beginning of value."),
            ("{\"a\" 1}", "invalid character '1' after object key."),
            ("[1 2]", "invalid character '2' after array element."),
            ("{\"a\":1 \"b\"}", "invalid character '\"' after object key:value pair."),
            ("{1:2}", "invalid character '1'."),
            ("\"a\\x\"", "invalid character 'x' in string escape code."),
        ];
        for (input, want) in cases {
            assert_eq!(err("jsondecode", vec![s(input)]), want, "{input:?}");
        }
    }

    fn yaml(v: Value) -> String {
        match ok("yamlencode", vec![v]) {
            Value::String(s) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn yamlencode_scalars() {
        assert_eq!(yaml(s("hello")), "\"hello\"\n");
        assert_eq!(yaml(n(1.0)), "1\n...\n");
        assert_eq!(yaml(n(-1.5)), "-1.5\n...\n");
        assert_eq!(yaml(n(1e21)), "1000000000000000000000\n...\n");
        assert_eq!(yaml(Value::Bool(true)), "true\n...\n");
        assert_eq!(yaml(Value::Null), "null\n...\n");
        assert_eq!(yaml(list(vec![])), "[]\n");
        assert_eq!(yaml(Value::Map(Default::default())), "{}\n");
        assert_eq!(yaml(s("a\nb")), "|-\n  a\n  b\n");
        assert_eq!(yaml(s("a\n\n")), "|+\n  a\n\n");
    }

    #[test]
    fn yamlencode_quotes_every_string() {
        let items = [
            "a",
            "",
            "true",
            "1",
            "null",
            "~",
            "a: b",
            "- x",
            "#c",
            "é",
            "\t",
            "x\u{85}y",
            "x\u{a0}y",
            "\u{2028}",
            "a\"b\\c",
            "\u{7}\u{1b}\u{0}",
            "🤔",
            "\u{7f}",
            "x\u{2029}",
        ];
        let want = "- \"a\"\n- \"\"\n- \"true\"\n- \"1\"\n- \"null\"\n- \"~\"\n- \"a: b\"\n- \"- x\"\n- \"#c\"\n- \"é\"\n- \"\\t\"\n- \"x\\Ny\"\n- \"x\u{a0}y\"\n- \"\\L\"\n- \"a\\\"b\\\\c\"\n- \"\\a\\e\\0\"\n- \"\\U0001F914\"\n- \"\\x7F\"\n- \"x\\P\"\n";
        assert_eq!(yaml(strs(&items)), want);
    }

    #[test]
    fn yamlencode_block_scalars() {
        let items = ["a\n\n", " a\nb", "\na", "a \nb", "a\tb\nc", "a\n b", "a\n\nb", "\n", "a\n"];
        let want = "- |+\n  a\n\n- |2-\n   a\n  b\n- |2-\n\n  a\n- \"a \\nb\"\n- \"a\\tb\\nc\"\n- |-\n  a\n   b\n- |-\n  a\n\n  b\n- |2+\n\n- |\n  a\n";
        assert_eq!(yaml(strs(&items)), want);
    }

    #[test]
    fn yamlencode_nesting() {
        let v = list(vec![
            list(vec![n(1.0), list(vec![n(2.0)])]),
            Value::object([
                ("a", list(vec![Value::object([("b", n(1.0)), ("c", list(vec![]))])])),
                ("d", Value::Map(Default::default())),
            ]),
            list(vec![]),
            s("x"),
        ]);
        assert_eq!(yaml(v), "- - 1\n  - - 2\n- \"a\":\n  - \"b\": 1\n    \"c\": []\n  \"d\": {}\n- []\n- \"x\"\n");
        let v = Value::object([
            ("a", Value::object([("b", Value::object([("c", s("x\ny"))]))])),
            ("l", list(vec![list(vec![s("p\nq")])])),
        ]);
        assert_eq!(yaml(v), "\"a\":\n  \"b\":\n    \"c\": |-\n      x\n      y\n\"l\":\n- - |-\n    p\n    q\n");
    }

    #[test]
    fn yamlencode_keys() {
        let v = Value::object([("a\nb", n(1.0)), ("", n(2.0)), ("x y", n(3.0)), ("1", n(4.0))]);
        assert_eq!(yaml(v), "\"\": 2\n\"1\": 4\n? |-\n  a\n  b\n: 1\n\"x y\": 3\n");
        let long = "k".repeat(130);
        assert_eq!(yaml(Value::object([(long.as_str(), n(1.0))])), format!("? \"{long}\"\n: 1\n"));
    }

    #[test]
    fn yamlencode_folds_long_strings() {
        let lorem = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam";
        assert_eq!(
            yaml(s(lorem)),
            "\"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt\n  ut labore et dolore magna aliqua. Ut enim ad minim veniam\"\n"
        );
        assert_eq!(
            yaml(strs(&[lorem])),
            "- \"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor\n  incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam\"\n"
        );
        let two_spaces = format!("{} {}  {}", "a".repeat(57), "a".repeat(43), "b".repeat(80));
        assert_eq!(
            yaml(list(vec![Value::object([("a b", s(&two_spaces))])])),
            format!("- \"a b\": \"{} {}\n    \\ {}\"\n", "a".repeat(57), "a".repeat(43), "b".repeat(80))
        );
    }

    #[test]
    fn csvdecode_like_go() {
        let row = |pairs: &[(&str, &str)]| Value::object(pairs.iter().map(|(k, v)| (*k, s(v))));
        assert_eq!(
            ok("csvdecode", vec![s("a,b\n1,2\n3,4")]),
            list(vec![row(&[("a", "1"), ("b", "2")]), row(&[("a", "3"), ("b", "4")])])
        );
        assert_eq!(ok("csvdecode", vec![s("a,b\n")]), list(vec![]));
        assert_eq!(
            ok("csvdecode", vec![s("a,b\r\n\"x,\"\"y\"\"\",\"multi\r\nline\"\r\n")]),
            list(vec![row(&[("a", "x,\"y\""), ("b", "multi\nline")])])
        );
        assert_eq!(ok("csvdecode", vec![s("a\n\n1\n")]), list(vec![row(&[("a", "1")])]));
        assert_eq!(ok("csvdecode", vec![s("a, b\n 1, 2")]), list(vec![row(&[("a", " 1"), (" b", " 2")])]));
        assert_eq!(ok("csvdecode", vec![s("a\nx\ry")]), list(vec![row(&[("a", "x\ry")])]));
        let cases = [
            ("", "missing header line."),
            ("a,b\n1\n", "CSV parse error on line 2: wrong number of fields."),
            ("a,b\n1,2,3", "CSV parse error on line 2: wrong number of fields."),
            ("a,b\n1,\"2\"x", "CSV parse error on line 2: extraneous or missing \" in quoted-field."),
            ("a\n\"x", "CSV parse error on line 2: extraneous or missing \" in quoted-field."),
            ("a\n\"x\ny\nz", "CSV parse error on line 4: extraneous or missing \" in quoted-field."),
            ("a\nx\"y", "CSV parse error on line 2: bare \" in non-quoted-field."),
            ("a\n\"x\ny\"\n1,2", "CSV parse error on line 4: wrong number of fields."),
            ("a,a\n1,2", "duplicate column name \"a\"."),
        ];
        for (input, want) in cases {
            assert_eq!(err("csvdecode", vec![s(input)]), want, "{input:?}");
        }
    }

    #[test]
    fn base64_and_urlencode() {
        assert_eq!(ok("base64encode", vec![s("Hello, World! é")]), s("SGVsbG8sIFdvcmxkISDDqQ=="));
        assert_eq!(ok("base64decode", vec![s("SGVsbG8=")]), s("Hello"));
        assert_eq!(ok("base64decode", vec![s("SGVs\nbG8=")]), s("Hello"));
        assert_eq!(err("base64decode", vec![s("SGVsbG8")]), "failed to decode base64 data \"SGVsbG8\".");
        assert_eq!(err("base64decode", vec![s("!!")]), "failed to decode base64 data \"!!\".");
        assert_eq!(
            err("base64decode", vec![s("/w==")]),
            "the result of decoding the provided string is not valid UTF-8."
        );
        assert_eq!(ok("urlencode", vec![s("a b&c=d/é~-_.*")]), s("a+b%26c%3Dd%2F%C3%A9~-_.%2A"));
    }
}
