//! `jsondecode`'s reading of JSON: cty's `ImpliedType` walks the text with Go's streaming
//! `json.Decoder` (`Token`, `More`), whose errors differ from `json.Unmarshal`'s ("EOF",
//! "unexpected EOF", "extraneous data after JSON object", a closing bracket accepted after
//! the value). This reproduces that walk, building the document and its type together
//! (a repeated object key: the last one's type), for `cty::json::unmarshal`.

use crate::cty::Type;
use crate::cty::json::Json;
use std::collections::BTreeMap;

#[derive(Clone, Copy, PartialEq)]
enum State {
    TopValue,
    ArrayStart,
    ArrayValue,
    ArrayComma,
    ObjectStart,
    ObjectKey,
    ObjectColon,
    ObjectValue,
    ObjectComma,
}

enum Token {
    Delim(u8),
    Scalar(Json),
}

/// The deepest nesting of arrays and objects decoded.
const MAX_DEPTH: usize = 512;

struct Decoder<'a> {
    s: &'a [u8],
    i: usize,
    state: State,
    stack: Vec<State>,
}

/// Go's `quoteChar`: the byte taken as a code point (so a UTF-8 lead byte shows as Latin-1).
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".into(),
        b'"' => "'\"'".into(),
        c => {
            let q = crate::cty::ty::go_quote(&char::from(c).to_string());
            format!("'{}'", &q[1..q.len() - 1])
        }
    }
}

fn syntax(c: u8, context: &str) -> String {
    format!("invalid character {}{context}", quote_char(c))
}

impl Decoder<'_> {
    fn peek(&mut self) -> Option<u8> {
        while let Some(&c) = self.s.get(self.i) {
            if !matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
                return Some(c);
            }
            self.i += 1;
        }
        None
    }

    fn value_allowed(&self) -> bool {
        matches!(self.state, State::TopValue | State::ArrayStart | State::ArrayValue | State::ObjectValue)
    }

    fn value_end(&mut self) {
        match self.state {
            State::ArrayStart | State::ArrayValue => self.state = State::ArrayComma,
            State::ObjectValue => self.state = State::ObjectComma,
            _ => {}
        }
    }

    fn token_error(&self, c: u8) -> String {
        let context = match self.state {
            State::TopValue | State::ArrayStart | State::ArrayValue | State::ObjectValue => {
                " looking for beginning of value"
            }
            State::ArrayComma => " after array element",
            State::ObjectKey => " looking for beginning of object key string",
            State::ObjectColon => " after object key",
            State::ObjectComma => " after object key:value pair",
            State::ObjectStart => "",
        };
        syntax(c, context)
    }

    /// `Decoder.Token`.
    fn token(&mut self) -> Result<Token, String> {
        loop {
            let c = self.peek().ok_or("EOF")?;
            match c {
                b'[' | b'{' => {
                    if !self.value_allowed() {
                        return Err(self.token_error(c));
                    }
                    self.i += 1;
                    self.stack.push(self.state);
                    self.state = if c == b'[' { State::ArrayStart } else { State::ObjectStart };
                    return Ok(Token::Delim(c));
                }
                b']' | b'}' => {
                    let ok = if c == b']' {
                        matches!(self.state, State::ArrayStart | State::ArrayComma)
                    } else {
                        matches!(self.state, State::ObjectStart | State::ObjectComma)
                    };
                    if !ok {
                        return Err(self.token_error(c));
                    }
                    self.i += 1;
                    self.state = self.stack.pop().unwrap_or(State::TopValue);
                    self.value_end();
                    return Ok(Token::Delim(c));
                }
                b':' => {
                    if self.state != State::ObjectColon {
                        return Err(self.token_error(c));
                    }
                    self.i += 1;
                    self.state = State::ObjectValue;
                }
                b',' => match self.state {
                    State::ArrayComma => {
                        self.i += 1;
                        self.state = State::ArrayValue;
                    }
                    State::ObjectComma => {
                        self.i += 1;
                        self.state = State::ObjectKey;
                    }
                    _ => return Err(self.token_error(c)),
                },
                b'"' if matches!(self.state, State::ObjectStart | State::ObjectKey) => {
                    let v = self.scalar()?;
                    self.state = State::ObjectColon;
                    return Ok(Token::Scalar(v));
                }
                _ => {
                    if !self.value_allowed() {
                        return Err(self.token_error(c));
                    }
                    let v = self.scalar()?;
                    self.value_end();
                    return Ok(Token::Scalar(v));
                }
            }
        }
    }

    /// `Decoder.More`.
    fn more(&mut self) -> bool {
        self.peek().is_some_and(|c| c != b']' && c != b'}')
    }

    /// One string, number or literal, scanned as Go's scanner does from the start of a value.
    fn scalar(&mut self) -> Result<Json, String> {
        let start = self.i;
        let c = self.s[self.i];
        match c {
            b'"' => self.string(),
            b'-' | b'0'..=b'9' => {
                self.number()?;
                Ok(Json::Number(String::from_utf8_lossy(&self.s[start..self.i]).into_owned()))
            }
            b't' => self.literal(b"true", Json::Bool(true)),
            b'f' => self.literal(b"false", Json::Bool(false)),
            b'n' => self.literal(b"null", Json::Null),
            c => Err(syntax(c, " looking for beginning of value")),
        }
    }

    fn next(&mut self) -> Result<u8, String> {
        let c = *self.s.get(self.i).ok_or("unexpected EOF")?;
        self.i += 1;
        Ok(c)
    }

    fn literal(&mut self, word: &[u8], v: Json) -> Result<Json, String> {
        self.i += 1;
        let name = std::str::from_utf8(word).unwrap_or_default();
        for &want in &word[1..] {
            let c = self.next()?;
            if c != want {
                return Err(syntax(c, &format!(" in literal {name} (expecting {})", quote_char(want))));
            }
        }
        Ok(v)
    }

    fn digits(&mut self) {
        while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
    }

    fn number(&mut self) -> Result<(), String> {
        if self.s[self.i] == b'-' {
            self.i += 1;
            let c = self.next()?;
            if !c.is_ascii_digit() {
                return Err(syntax(c, " in numeric literal"));
            }
            self.i -= 1;
        }
        if self.s[self.i] == b'0' {
            self.i += 1;
        } else {
            self.digits();
        }
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            let c = self.next()?;
            if !c.is_ascii_digit() {
                return Err(syntax(c, " after decimal point in numeric literal"));
            }
            self.digits();
        }
        if matches!(self.s.get(self.i), Some(b'e' | b'E')) {
            self.i += 1;
            let mut c = self.next()?;
            if c == b'+' || c == b'-' {
                c = self.next()?;
            }
            if !c.is_ascii_digit() {
                return Err(syntax(c, " in exponent of numeric literal"));
            }
            self.digits();
        }
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let mut n = 0;
        for _ in 0..4 {
            let c = self.next()?;
            let d = (c as char).to_digit(16).ok_or_else(|| syntax(c, " in \\u hexadecimal character escape"))?;
            n = n * 16 + d;
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<Json, String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            let start = self.i;
            while self.s.get(self.i).is_some_and(|&c| c != b'"' && c != b'\\' && c >= 0x20) {
                self.i += 1;
            }
            out.push_str(&String::from_utf8_lossy(&self.s[start..self.i]));
            match self.next()? {
                b'"' => return Ok(Json::String(out)),
                b'\\' => {
                    let c = self.next()?;
                    match c {
                        b'"' | b'\\' | b'/' => out.push(c as char),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            out.push(self.surrogate(hi)?);
                        }
                        c => return Err(syntax(c, " in string escape code")),
                    }
                }
                c => return Err(syntax(c, " in string literal")),
            }
        }
    }

    /// A `\u` escape, combined with a following low surrogate when it is a high one (Go's
    /// `unquote`: an unpaired surrogate becomes U+FFFD).
    fn surrogate(&mut self, hi: u32) -> Result<char, String> {
        if !(0xd800..0xdc00).contains(&hi) {
            return Ok(char::from_u32(hi).unwrap_or(char::REPLACEMENT_CHARACTER));
        }
        if self.s[self.i..].starts_with(b"\\u") {
            let save = self.i;
            self.i += 2;
            let lo = self.hex4()?;
            if (0xdc00..0xe000).contains(&lo) {
                let c = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
                return Ok(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            self.i = save;
        }
        Ok(char::REPLACEMENT_CHARACTER)
    }

    fn implied(&mut self) -> Result<(Json, Type), String> {
        let tok = self.token()?;
        self.implied_for(tok)
    }

    fn implied_for(&mut self, tok: Token) -> Result<(Json, Type), String> {
        // Go's scanner gives up at 10,000 levels; terrane, which decodes recursively, sooner,
        // so that no document can overflow the stack.
        if self.stack.len() > MAX_DEPTH {
            return Err("exceeded max depth".into());
        }
        match tok {
            Token::Scalar(j) => {
                let ty = match &j {
                    Json::Null => Type::Dynamic,
                    Json::Bool(_) => Type::Bool,
                    Json::Number(_) => Type::Number,
                    _ => Type::String,
                };
                Ok((j, ty))
            }
            Token::Delim(b'{') => {
                let mut members = Vec::new();
                let mut attrs = BTreeMap::new();
                loop {
                    let key = match self.token()? {
                        Token::Delim(_) => return Ok((Json::Object(members), Type::object(attrs))),
                        Token::Scalar(Json::String(k)) => k,
                        Token::Scalar(_) => return Err("expected string but found a non-string key".into()),
                    };
                    let tok = self.token()?;
                    let (v, ty) = self.implied_for(tok)?;
                    attrs.insert(crate::cty::value::normalize(key.clone()), ty);
                    members.push((key, v));
                }
            }
            Token::Delim(b'[') => {
                let mut items = Vec::new();
                let mut tys = Vec::new();
                loop {
                    let tok = self.token()?;
                    if let Token::Delim(b']') = tok {
                        return Ok((Json::Array(items), Type::tuple(tys)));
                    }
                    let (v, ty) = self.implied_for(tok)?;
                    items.push(v);
                    tys.push(ty);
                }
            }
            Token::Delim(d) => Err(format!("unexpected token {}", crate::cty::ty::go_quote(&(d as char).to_string()))),
        }
    }
}

/// cty's `ImpliedType` over Go's decoder: the document and its type.
pub(super) fn implied(text: &str) -> Result<(Json, Type), String> {
    let mut d = Decoder { s: text.as_bytes(), i: 0, state: State::TopValue, stack: Vec::new() };
    let out = d.implied()?;
    if d.more() {
        return Err("extraneous data after JSON object".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(s: &str) -> String {
        implied(s).err().unwrap_or_default()
    }

    #[test]
    fn go_decoder_errors() {
        assert_eq!(err(""), "EOF");
        assert_eq!(err("{"), "EOF");
        assert_eq!(err("[1,]"), "invalid character ']' looking for beginning of value");
        assert_eq!(err("{\"a\" 1}"), "invalid character '1' after object key");
        assert_eq!(err("'single'"), "invalid character '\\'' looking for beginning of value");
        assert_eq!(err("1 2"), "extraneous data after JSON object");
        assert_eq!(err("01"), "extraneous data after JSON object");
        assert_eq!(err("1."), "unexpected EOF");
        assert_eq!(err("tru"), "unexpected EOF");
        assert_eq!(err("+1"), "invalid character '+' looking for beginning of value");
        assert_eq!(err("[1 2]"), "invalid character '2' after array element");
        assert_eq!(err("[tru]"), "invalid character ']' in literal true (expecting 'e')");
        assert!(implied("1 ]").is_ok());
    }

    #[test]
    fn last_duplicate_key_types_the_attribute() {
        let (_, ty) = implied(r#"{"a": 1, "a": "x"}"#).unwrap();
        assert_eq!(ty, Type::object_from([("a", Type::String)]));
    }
}
