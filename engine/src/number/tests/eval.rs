//! A tiny evaluator of the expressions in `testdata/terraform.txt`, over [`Number`]: literals,
//! strings (a string that is one `${...}` is its expression's value, as in HCL), lists, unary
//! minus, `* / %`, `+ -`, comparisons, `== !=`, and the functions used in the file. Results are
//! rendered as `terraform console` prints them; errors as Terraform's diagnostic detail.

use crate::number::{FormatSpec, Number};
use std::cmp::Ordering;

#[derive(Clone, Debug)]
pub(super) enum Val {
    N(Number),
    S(String),
    B(bool),
    L(Vec<Val>),
}

impl Val {
    /// How `terraform console` prints the value.
    pub(super) fn render(&self) -> String {
        match self {
            Val::N(n) => n.to_string(),
            Val::S(s) => format!("{s:?}"),
            Val::B(b) => b.to_string(),
            Val::L(items) => {
                let items: String = items.iter().map(|v| format!("   {},", v.render())).collect();
                format!("tolist([{items} ])")
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(String),
    Str(String),
    Ident(String),
    P(&'static str),
}

fn lex(src: &str) -> Vec<Tok> {
    const PUNCT: [&str; 14] = ["==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%", "(", ")", ","];
    let b = src.as_bytes();
    let (mut i, mut out) = (0, Vec::new());
    while i < b.len() {
        let c = b[i];
        if c == b' ' {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
                i += 1;
            }
            if i < b.len() && matches!(b[i], b'e' | b'E') {
                i += 1;
                if matches!(b[i], b'+' | b'-') {
                    i += 1;
                }
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            out.push(Tok::Num(src[start..i].to_string()));
        } else if c == b'"' {
            let start = i + 1;
            i = start;
            while b[i] != b'"' {
                i += 1;
            }
            out.push(Tok::Str(src[start..i].to_string()));
            i += 1;
        } else if c.is_ascii_alphabetic() {
            let start = i;
            while i < b.len() && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            out.push(Tok::Ident(src[start..i].to_string()));
        } else if c == b'[' || c == b']' {
            out.push(Tok::P(if c == b'[' { "[" } else { "]" }));
            i += 1;
        } else {
            let p = PUNCT.iter().find(|p| src[i..].starts_with(**p)).expect("unknown character");
            out.push(Tok::P(p));
            i += p.len();
        }
    }
    out
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

type R = Result<Val, String>;

pub(super) fn eval(src: &str) -> R {
    let mut p = Parser { toks: lex(src), pos: 0 };
    let v = p.binary(0)?;
    assert_eq!(p.pos, p.toks.len(), "unparsed input in {src}");
    Ok(v)
}

const LEVELS: [&[&str]; 4] = [&["==", "!="], &["<", ">", "<=", ">="], &["+", "-"], &["*", "/", "%"]];

fn num(v: &Val) -> Number {
    match v {
        Val::N(n) => n.clone(),
        Val::S(s) => Number::parse(s).expect("numeric string"),
        other => panic!("not a number: {other:?}"),
    }
}

fn op_err(e: impl std::fmt::Display) -> String {
    let e = e.to_string();
    if e.starts_with("panic") {
        format!("Error during operation: {e}")
    } else {
        format!("Error during operation: {e}.")
    }
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn eat(&mut self, p: &str) -> bool {
        if matches!(self.peek(), Some(Tok::P(q)) if *q == p) {
            self.pos += 1;
            return true;
        }
        false
    }

    fn binary(&mut self, level: usize) -> R {
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut lhs = self.binary(level + 1)?;
        while let Some(Tok::P(op)) = self.peek().cloned() {
            if !LEVELS[level].contains(&op) {
                break;
            }
            self.pos += 1;
            let rhs = self.binary(level + 1)?;
            lhs = apply(op, &lhs, &rhs)?;
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> R {
        if self.eat("-") {
            let v = self.unary()?;
            return Ok(Val::N(num(&v).neg()));
        }
        self.primary()
    }

    fn primary(&mut self) -> R {
        let tok = self.toks[self.pos].clone();
        self.pos += 1;
        match tok {
            Tok::Num(s) => Ok(Val::N(Number::parse(&s).expect("literal"))),
            Tok::Str(s) => match s.strip_prefix("${").and_then(|s| s.strip_suffix('}')) {
                Some(inner) => eval(inner),
                None => Ok(Val::S(s)),
            },
            Tok::P("(") => {
                let v = self.binary(0)?;
                assert!(self.eat(")"));
                Ok(v)
            }
            Tok::P("[") => {
                let items = self.args("]")?;
                Ok(Val::L(items))
            }
            Tok::Ident(name) => {
                assert!(self.eat("("));
                let args = self.args(")")?;
                super::funcs::call(&name, &args)
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    fn args(&mut self, close: &str) -> Result<Vec<Val>, String> {
        let mut args = Vec::new();
        while !self.eat(close) {
            args.push(self.binary(0)?);
            self.eat(",");
        }
        Ok(args)
    }
}

fn apply(op: &str, a: &Val, b: &Val) -> R {
    let (x, y) = (num(a), num(b));
    Ok(match op {
        "+" => Val::N(x.add(&y).map_err(op_err)?),
        "-" => Val::N(x.sub(&y).map_err(op_err)?),
        "*" => Val::N(x.mul(&y).map_err(op_err)?),
        "/" => Val::N(x.div(&y).map_err(op_err)?),
        "%" => Val::N(x.modulo(&y).map_err(op_err)?),
        "==" => Val::B(x.raw_equal(&y)),
        "!=" => Val::B(!x.raw_equal(&y)),
        "<" => Val::B(x.cmp(&y) == Ordering::Less),
        ">" => Val::B(x.cmp(&y) == Ordering::Greater),
        "<=" => Val::B(x.cmp(&y) != Ordering::Greater),
        ">=" => Val::B(x.cmp(&y) != Ordering::Less),
        _ => unreachable!(),
    })
}

/// Parses one cty format verb (`%` flags width precision verb) at the start of `s`.
pub(super) fn parse_verb(s: &str) -> (FormatSpec, char, usize) {
    let b = s.as_bytes();
    let mut spec = FormatSpec::default();
    let mut i = 1;
    loop {
        match b[i] {
            b'-' => spec.minus = true,
            b'+' => spec.plus = true,
            b' ' => spec.space = true,
            b'0' => spec.zero = true,
            b'#' => spec.sharp = true,
            _ => break,
        }
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while b[*i].is_ascii_digit() {
            *i += 1;
        }
        (start < *i).then(|| s[start..*i].parse::<usize>().unwrap())
    };
    spec.width = digits(&mut i);
    if b[i] == b'.' {
        i += 1;
        spec.precision = Some(digits(&mut i).unwrap_or(0));
    }
    (spec, b[i] as char, i + 1)
}
