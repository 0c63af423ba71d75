//! Test support until the expression runner exists: a tiny evaluator for the subset of
//! HCL the recorded function cases use (literals, tuples, objects, `var.`/`local.`
//! references, `.attr`, `[index]`, unary `-`, `/`, `+`, `==` and calls of registered
//! functions), the conformance context's values, and `terraform console`'s rendering.
//! A case using anything else is skipped, not failed.

mod context;
mod parser;

pub use context::context;
use parser::eval;

use crate::cty::ty::go_quote;
use crate::cty::{Marks, Type, Value};
use crate::lang::function::{CallError, FuncCtx, call_hcl};
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
    let f = crate::lang::funcs::lookup(name).unwrap_or_else(|| panic!("no function {name}"));
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

/// The cases of `expr/{stem}.expected.json` (or of the file at `stem` if it is a path).
pub fn load(stem: &str) -> Vec<Case> {
    let path = if stem.contains('/') {
        Path::new(stem).to_path_buf()
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/conformance/expr/{stem}.expected.json"))
    };
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
