//! Test support until the expression runner exists: a tiny evaluator for the subset of
//! HCL the recorded function cases use (literals, tuples, objects, `var.`/`local.`
//! references, `.attr`, `[index]`, unary `-`, `/`, `+`, `==` and calls of registered
//! functions), the conformance context's values, and `terraform console`'s rendering.
//! A case using anything else is skipped, not failed.

use crate::cty::ty::go_quote;
use crate::cty::{Marks, Type, Value, ops};
use crate::lang::function::{CallError, FuncCtx, call_hcl};
use std::collections::BTreeMap;
use std::path::Path;

/// Why a case cannot be evaluated here.
#[derive(Debug)]
pub struct Unsupported(pub String);

pub type Outcome = Result<Value, Vec<CallError>>;

pub fn ctx() -> FuncCtx<'static> {
    FuncCtx { base_dir: Path::new("."), template: None, plan_timestamp: None }
}

/// Calls a registered function as HCL would with already evaluated arguments.
pub fn call(name: &str, args: Vec<Value>) -> Outcome {
    let f = super::super::lookup(name).unwrap_or_else(|| panic!("no function {name}"));
    call_hcl(name, f, &ctx(), args)
}

/// The detail of the only diagnostic of a failed call.
pub fn err(name: &str, args: Vec<Value>) -> String {
    match call(name, args) {
        Ok(v) => panic!("{name} succeeded with {}", render(&v)),
        Err(e) => e.iter().map(|e| e.detail.clone()).collect::<Vec<_>>().join("\n"),
    }
}

pub fn s(x: &str) -> Value {
    Value::from(x)
}

pub fn n(x: i64) -> Value {
    Value::int(x)
}

pub fn tuple(items: Vec<Value>) -> Value {
    Value::tuple(items)
}

pub fn list(ety: Type, items: Vec<Value>) -> Value {
    Value::list(ety, items)
}

pub fn secret(v: Value) -> Value {
    v.with_marks(Marks::SENSITIVE)
}

pub fn eval(src: &str) -> Result<Outcome, Unsupported> {
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
                v = ops::get_attr(&v, &name).ok_or_else(|| Unsupported(format!("no attribute {name}")))?;
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
                    if super::super::lookup(&name).is_none() || name.starts_with("provider::") {
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

fn strs(items: &[&str]) -> Vec<Value> {
    items.iter().map(|x| s(x)).collect()
}

fn smap(items: &[(&str, Value)]) -> BTreeMap<String, Value> {
    items.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// The values of `context/main.tf` the cases refer to, as Terraform evaluates them.
pub fn context(path: &str) -> Option<Value> {
    let unknown_string = Value::unknown(Type::String);
    let ls = |items: &[&str]| list(Type::String, strs(items));
    Some(match path {
        "terraform_data.u.output" => Value::DYNAMIC,
        "var.str" => s("hello"),
        "var.num" => n(42),
        "var.bool" => Value::TRUE,
        "var.empty_string" => s(""),
        "var.list_of_strings" => ls(&["a", "b", "c"]),
        "var.list_of_numbers" => list(Type::Number, vec![n(1), n(2), n(3)]),
        "var.list_of_lists" => {
            list(Type::list(Type::String), vec![ls(&["a", "b"]), ls(&["c"]), Value::empty_list(Type::String)])
        }
        "var.set_of_strings" => Value::set(Type::String, strs(&["b", "a", "c"])),
        "var.map_of_strings" => Value::map(Type::String, smap(&[("a", s("x")), ("b", s("y"))])),
        "var.map_of_numbers" => Value::map(Type::Number, smap(&[("a", n(1)), ("b", n(2)), ("c", n(3))])),
        "var.map_of_lists" => Value::map(
            Type::list(Type::String),
            smap(&[("a", ls(&["1", "2"])), ("b", Value::empty_list(Type::String))]),
        ),
        "var.empty_list" => Value::empty_list(Type::String),
        "var.tuple" => tuple(vec![s("a"), n(1), Value::TRUE]),
        "var.obj" => Value::object([
            ("name", s("example")),
            ("n", n(3)),
            ("tags", Value::map(Type::String, smap(&[("env", s("dev")), ("team", s("core"))]))),
            ("items", ls(&["x", "y"])),
            ("opt", Value::null(Type::String)),
        ]),
        "var.users_by_name" => {
            let user = |age, role| Value::object([("age", n(age)), ("role", s(role))]);
            let ety = user(0, "").ty();
            Value::map(ety, smap(&[("alice", user(30, "admin")), ("bob", user(25, "dev"))]))
        }
        "var.null_string" => Value::null(Type::String),
        "var.null_list" => Value::null(Type::list(Type::String)),
        "var.list_with_null" => list(Type::String, vec![s("a"), Value::null(Type::String), s("c")]),
        "var.secret" => secret(s("s3cr3t")),
        "var.secret_number" => secret(n(7)),
        "var.secret_list" => secret(ls(&["p1", "p2"])),
        "var.secret_map" => secret(Value::map(Type::String, smap(&[("user", s("admin")), ("pass", s("hunter2"))]))),
        "local.unknown_any" => Value::DYNAMIC,
        "local.unknown_string" => unknown_string,
        "local.unknown_number" => Value::unknown(Type::Number),
        "local.unknown_bool" => Value::unknown(Type::Bool),
        "local.unknown_list" => Value::unknown(Type::list(Type::Dynamic)),
        "local.unknown_strs" => Value::unknown(Type::list(Type::String)).refine_not_null(),
        "local.unknown_map" => Value::unknown(Type::map(Type::Dynamic)),
        "local.list_with_unknown" => list(Type::String, vec![s("a"), unknown_string, s("c")]),
        "local.tuple_with_unknown" => tuple(vec![s("a"), unknown_string, n(3)]),
        "local.map_with_unknown" => Value::map(Type::String, smap(&[("a", s("known")), ("b", unknown_string)])),
        "local.obj_with_unknown" => Value::object([("a", s("known")), ("b", unknown_string)]),
        "local.set_with_unknown" => Value::set(Type::String, vec![s("a"), unknown_string]),
        "local.nested_unknown" => {
            Value::object([("outer", Value::object([("inner", unknown_string), ("known", n(1))]))])
        }
        "local.sensitive_list" => secret(tuple(strs(&["a", "b"]))),
        "local.list_with_sensitive" => tuple(vec![s("a"), secret(s("s3cr3t"))]),
        "local.map_with_sensitive" => Value::object([("user", s("admin")), ("pass", secret(s("s3cr3t")))]),
        "local.obj_with_null" => Value::object([("a", n(1)), ("b", Value::NULL)]),
        "local.tuple_with_null" => tuple(vec![n(1), Value::NULL, n(3)]),
        _ => return None,
    })
}

/// A value as `terraform console` prints it.
pub fn render(v: &Value) -> String {
    render_at(v, 0)
}

fn render_at(v: &Value, indent: usize) -> String {
    if !v.is_known() {
        return "(known after apply)".into();
    }
    if v.marks().is_sensitive() {
        return "(sensitive value)".into();
    }
    let ty = v.ty();
    if v.is_null() {
        return match &ty {
            Type::Dynamic => "null".into(),
            Type::String => "tostring(null)".into(),
            Type::Number => "tonumber(null)".into(),
            Type::Bool => "tobool(null)".into(),
            Type::List(e) => format!("tolist(null) /* of {} */", e.friendly_name()),
            Type::Set(e) => format!("toset(null) /* of {} */", e.friendly_name()),
            Type::Map(e) => format!("tomap(null) /* of {} */", e.friendly_name()),
            other => format!("null /* {} */", other.friendly_name()),
        };
    }
    let seq = |wrap: &str| {
        let items = v.as_seq().unwrap_or(&[]);
        let mut b = String::from("[");
        for e in items {
            b.push('\n');
            b.push_str(&" ".repeat(indent + 2));
            b.push_str(&render_at(e, indent + 2));
            b.push(',');
        }
        if !items.is_empty() {
            b.push('\n');
            b.push_str(&" ".repeat(indent));
        }
        b.push(']');
        if wrap.is_empty() { b } else { format!("{wrap}({b})") }
    };
    let mapping = |wrap: &str| {
        let items = v.as_map().cloned().unwrap_or_default();
        let mut b = String::from("{");
        for (k, e) in &items {
            b.push('\n');
            b.push_str(&" ".repeat(indent + 2));
            b.push_str(&go_quote(k));
            b.push_str(" = ");
            b.push_str(&render_at(e, indent + 2));
        }
        if !items.is_empty() {
            b.push('\n');
            b.push_str(&" ".repeat(indent));
        }
        b.push('}');
        if wrap.is_empty() { b } else { format!("{wrap}({b})") }
    };
    match &ty {
        Type::String => go_quote(v.as_str().unwrap_or("")),
        Type::Number => v.as_number().map(ToString::to_string).unwrap_or_default(),
        Type::Bool => v.as_bool().unwrap_or(false).to_string(),
        Type::Object(_) => mapping(""),
        Type::Map(_) => mapping("tomap"),
        Type::Tuple(_) => seq(""),
        Type::List(_) => seq("tolist"),
        Type::Set(_) => seq("toset"),
        Type::Dynamic => "null".into(),
    }
}

/// One recorded case.
#[derive(Debug)]
pub struct Case {
    pub line: u64,
    pub expr: String,
    pub value: Option<String>,
    pub ty: Option<String>,
    pub diags: Vec<(String, String)>,
}

pub fn load(stem: &str) -> Vec<Case> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/conformance/expr/{stem}.expected.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    let as_str = |j: &serde_json::Value| j.as_str().map(str::to_string);
    json.as_array()
        .expect("an array of cases")
        .iter()
        .map(|c| Case {
            line: c["line"].as_u64().unwrap_or(0),
            expr: as_str(&c["expr"]).unwrap_or_default(),
            value: as_str(&c["value"]),
            ty: as_str(&c["type"]),
            diags: c["diagnostics"]
                .as_array()
                .map(|ds| {
                    ds.iter()
                        .map(|d| (as_str(&d["summary"]).unwrap_or_default(), as_str(&d["detail"]).unwrap_or_default()))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect()
}

/// Evaluates a case and says how it differs from Terraform's answer (`Ok(None)`: same).
pub fn check(case: &Case) -> Result<Option<String>, Unsupported> {
    let got = eval(&case.expr)?;
    let diff = match (&got, case.diags.is_empty()) {
        (Ok(v), true) => {
            let (value, ty) = (render(v), v.ty().console_string());
            let want = (case.value.clone().unwrap_or_default(), case.ty.clone().unwrap_or_default());
            (value != want.0 || ty != want.1).then(|| format!("got {value} :: {ty}\n   want {} :: {}", want.0, want.1))
        }
        (Ok(v), false) => Some(format!("got {} but Terraform fails: {:?}", render(v), case.diags)),
        (Err(e), _) => {
            let got: Vec<(String, String)> = e.iter().map(|e| (e.summary.clone(), e.detail.clone())).collect();
            (got != case.diags).then(|| format!("got {got:?}\n   want {:?}", case.diags))
        }
    };
    Ok(diff)
}
