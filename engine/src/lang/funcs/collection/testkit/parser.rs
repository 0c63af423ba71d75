//! The evaluator: literals, tuples, objects, references to the context, `.attr`,
//! `[index]`, unary `-`, `/`, `+`, `==` and calls of registered functions.

use super::{Outcome, Unsupported, call, context};
use crate::cty::{Value, ops};
use std::collections::BTreeMap;

pub(super) fn eval(src: &str) -> Result<Outcome, Unsupported> {
    let mut p = Parser { src: src.as_bytes(), pos: 0 };
    let out = p.expr()?;
    p.ws();
    if p.pos != p.src.len() {
        return Err(Unsupported(format!("trailing input at {}", p.pos)));
    }
    Ok(out)
}

struct Parser<'a> {
    src: &'a [u8],
    pos: usize,
}

type Parsed = Result<Outcome, Unsupported>;

macro_rules! value {
    ($e:expr) => {
        match $e? {
            Ok(v) => v,
            Err(diags) => return Ok(Err(diags)),
        }
    };
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self.pos < self.src.len() && self.src[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.src.get(self.pos).copied()
    }

    fn eat(&mut self, s: &str) -> bool {
        self.ws();
        if self.src[self.pos..].starts_with(s.as_bytes()) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, s: &str) -> Result<(), Unsupported> {
        if self.eat(s) { Ok(()) } else { Err(Unsupported(format!("expected {s} at {}", self.pos))) }
    }

    fn expr(&mut self) -> Parsed {
        let lhs = value!(self.unary());
        let op = if self.eat("==") {
            "=="
        } else if self.eat("/") {
            "/"
        } else if self.eat("+") {
            "+"
        } else {
            return Ok(Ok(lhs));
        };
        let rhs = value!(self.unary());
        Ok(Ok(match op {
            "==" => ops::equals(&lhs, &rhs),
            "/" => ops::divide(&lhs, &rhs).map_err(Unsupported)?,
            _ => ops::add(&lhs, &rhs).map_err(Unsupported)?,
        }))
    }

    fn unary(&mut self) -> Parsed {
        if self.eat("-") {
            let v = value!(self.unary());
            return Ok(Ok(ops::negate(&v)));
        }
        self.postfix()
    }

    fn postfix(&mut self) -> Parsed {
        let mut v = value!(self.primary());
        loop {
            if self.eat(".") {
                let name = self.ident().ok_or_else(|| Unsupported("attribute name".into()))?;
                v = match ops::get_attr(&v, &name) {
                    Some(a) => a,
                    None if v.ty().is_map() => ops::index(&v, &Value::string(name)),
                    None => return Err(Unsupported(format!("no attribute {name}"))),
                };
            } else if self.eat("[") {
                let key = value!(self.expr());
                self.expect("]")?;
                if ops::has_index(&v, &key).as_bool() != Some(true) {
                    return Err(Unsupported("index out of range".into()));
                }
                v = ops::index(&v, &key);
            } else {
                return Ok(Ok(v));
            }
        }
    }

    fn ident(&mut self) -> Option<String> {
        self.ws();
        let start = self.pos;
        while self.pos < self.src.len()
            && (self.src[self.pos].is_ascii_alphanumeric() || matches!(self.src[self.pos], b'_' | b'-' | b':'))
        {
            self.pos += 1;
        }
        (self.pos > start).then(|| String::from_utf8_lossy(&self.src[start..self.pos]).into_owned())
    }

    fn primary(&mut self) -> Parsed {
        match self.peek() {
            None => Err(Unsupported("unexpected end".into())),
            Some(b'"') => self.string().map(Ok),
            Some(c) if c.is_ascii_digit() => self.number().map(Ok),
            Some(b'(') => {
                self.pos += 1;
                let v = self.expr()?;
                self.expect(")")?;
                Ok(v)
            }
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                while !self.eat("]") {
                    items.push(value!(self.expr()));
                    if !self.eat(",") {
                        self.expect("]")?;
                        break;
                    }
                }
                Ok(Ok(Value::tuple(items)))
            }
            Some(b'{') => {
                self.pos += 1;
                let mut attrs = BTreeMap::new();
                while !self.eat("}") {
                    let key = if self.peek() == Some(b'"') {
                        self.string()?.as_str().map(str::to_string).ok_or_else(|| Unsupported("key".into()))?
                    } else {
                        self.ident().ok_or_else(|| Unsupported("object key".into()))?
                    };
                    if !self.eat("=") {
                        self.expect(":")?;
                    }
                    attrs.insert(key, value!(self.expr()));
                    self.eat(",");
                }
                Ok(Ok(Value::object(attrs)))
            }
            Some(_) => {
                let name = self.ident().ok_or_else(|| Unsupported(format!("unexpected input at {}", self.pos)))?;
                match name.as_str() {
                    "true" => return Ok(Ok(Value::TRUE)),
                    "false" => return Ok(Ok(Value::FALSE)),
                    "null" => return Ok(Ok(Value::NULL)),
                    _ => {}
                }
                if self.eat("(") {
                    let mut args = Vec::new();
                    while !self.eat(")") {
                        args.push(value!(self.expr()));
                        if !self.eat(",") {
                            self.expect(")")?;
                            break;
                        }
                    }
                    if crate::lang::funcs::lookup(&name).is_none() || name.starts_with("provider::") {
                        return Err(Unsupported(format!("function {name}")));
                    }
                    return Ok(call(&name, args));
                }
                self.expect(".")?;
                let attr = self.ident().ok_or_else(|| Unsupported("reference".into()))?;
                let mut path = format!("{name}.{attr}");
                if name == "terraform_data" {
                    self.expect(".")?;
                    path.push('.');
                    path.push_str(&self.ident().unwrap_or_default());
                }
                context(&path).map(Ok).ok_or_else(|| Unsupported(format!("reference {path}")))
            }
        }
    }

    fn number(&mut self) -> Result<Value, Unsupported> {
        let start = self.pos;
        while self.pos < self.src.len()
            && (self.src[self.pos].is_ascii_digit()
                || self.src[self.pos] == b'.'
                || matches!(self.src[self.pos], b'e' | b'E')
                || (matches!(self.src[self.pos], b'+' | b'-') && matches!(self.src[self.pos - 1], b'e' | b'E')))
        {
            self.pos += 1;
        }
        let text = std::str::from_utf8(&self.src[start..self.pos]).unwrap_or("");
        crate::number::Number::parse(text).map(Value::Number).map_err(|_| Unsupported(format!("number {text}")))
    }

    fn string(&mut self) -> Result<Value, Unsupported> {
        self.expect("\"")?;
        let rest = std::str::from_utf8(&self.src[self.pos..]).map_err(|_| Unsupported("utf-8".into()))?;
        let mut out = String::new();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return Ok(Value::string(out));
                }
                '$' | '%' if rest[i + 1..].starts_with('{') => return Err(Unsupported("template".into())),
                '\\' => {
                    let (_, e) = chars.next().ok_or_else(|| Unsupported("escape".into()))?;
                    match e {
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        '"' => out.push('"'),
                        '\\' => out.push('\\'),
                        'u' | 'U' => {
                            let len = if e == 'u' { 4 } else { 8 };
                            let hex: String = (0..len).filter_map(|_| chars.next().map(|(_, c)| c)).collect();
                            let c = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                            out.push(c.ok_or_else(|| Unsupported("escape".into()))?);
                        }
                        _ => return Err(Unsupported("escape".into())),
                    }
                }
                c => out.push(c),
            }
        }
        Err(Unsupported("unterminated string".into()))
    }
}
