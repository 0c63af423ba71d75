//! The conformance suite: every case in `tests/conformance/expr/*.cases` evaluated by
//! terrane and compared with what Terraform 1.11 printed for it (`*.expected.json`,
//! recorded by `tests/conformance/regenerate.sh`): the console's rendering of the value, of
//! its type, and the diagnostics. Terraform is not needed to run this.
//!
//! Cases listed in `tests/conformance/known_failures.txt` may fail; any other failure fails
//! the test, and so does a listed case that passes (the list only shrinks). Set
//! `CONFORMANCE_REPORT=path` to write every failure with its difference.

#[path = "conformance/console_scope.rs"]
mod console_scope;

use console_scope::ConsoleScope;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use terrane_engine::hcl;
use terrane_engine::lang::console::format_value;
use terrane_engine::lang::eval::{Evaluator, has_errors};

#[derive(serde::Deserialize, Debug)]
struct Expected {
    line: usize,
    expr: String,
    value: Option<String>,
    #[serde(rename = "type")]
    ty: Option<String>,
    diagnostics: Vec<ExpectedDiag>,
    #[serde(rename = "match")]
    matches: Option<String>,
    differs: Option<String>,
}

#[derive(serde::Deserialize, Debug, PartialEq, Eq)]
struct ExpectedDiag {
    severity: String,
    summary: String,
    detail: String,
}

#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    value: Option<String>,
    ty: Option<String>,
    diagnostics: Vec<(String, String, String)>,
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance")
}

/// Evaluates `src` as the console would (a line on stdin), or as a local value when the
/// case spans several lines: the value's rendering, or the diagnostics.
fn run(
    scope: &ConsoleScope,
    src: &str,
    multi_line: bool,
) -> (Result<String, Vec<(String, String, String)>>, Option<String>) {
    let text;
    let (expr, parse_diags, filename) = if multi_line {
        text = format!("locals {{\n  conformance_case = {src}\n}}\n");
        let (body, d) = hcl::parse_config(text.as_bytes(), "zz_conformance_case.tf");
        let e = body.blocks.first().and_then(|b| b.body.attributes.first()).map(|a| a.expr.clone());
        (e, d, "zz_conformance_case.tf")
    } else {
        text = src.to_string();
        let (e, d) = hcl::parse_expression(text.as_bytes(), "<console-input>");
        (Some(e), d, "<console-input>")
    };
    if !parse_diags.is_empty() {
        return (Err(parse_diags.into_iter().map(|d| ("error".into(), d.summary, d.detail)).collect()), None);
    }
    let Some(expr) = expr else { return (Err(vec![("error".into(), "no expression".into(), String::new())]), None) };
    let mut ev = Evaluator::new(scope, scope.dir(), 0, text.as_bytes(), filename);
    ev.console = true;
    let (v, diags) = ev.eval(&expr);
    if has_errors(&diags) {
        let ds = diags
            .into_iter()
            .map(|d| (if d.is_error() { "error" } else { "warning" }.to_string(), d.summary, d.detail))
            .collect();
        return (Err(ds), None);
    }
    let ty = v.clone().unmark_deep().0.ty().console_string();
    match console_scope::type_marker(&v) {
        Some(t) => (Ok(t), Some("type".to_string())),
        None => (Ok(format_value(&v, 0)), Some(ty)),
    }
}

fn evaluate(scope: &ConsoleScope, case: &Expected) -> Outcome {
    let multi = case.expr.contains('\n');
    let (value, ty) = run(scope, &case.expr, multi);
    match value {
        Ok(v) => Outcome { value: Some(v), ty, diagnostics: Vec::new() },
        Err(d) => Outcome { value: None, ty: None, diagnostics: d },
    }
}

fn matches_expected(case: &Expected, got: &Outcome) -> bool {
    let want_diags: Vec<(String, String, String)> =
        case.diagnostics.iter().map(|d| (d.severity.clone(), d.summary.clone(), d.detail.clone())).collect();
    if got.diagnostics != want_diags {
        return false;
    }
    if case.value.is_none() {
        return got.value.is_none();
    }
    let value_ok = match (&case.matches, &got.value) {
        (Some(re), Some(v)) => regex::Regex::new(&format!("(?s)^(?:{re})$")).is_ok_and(|r| r.is_match(v)),
        (None, v) => v == &case.value,
        _ => false,
    };
    value_ok && (case.ty.is_none() || got.ty == case.ty)
}

#[test]
fn expressions_evaluate_as_in_terraform() {
    let scope = ConsoleScope::load(&root().join("context"));
    let known: BTreeSet<String> = std::fs::read_to_string(root().join("known_failures.txt"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("expr"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    files.sort();
    let (mut total, mut passed) = (0usize, 0usize);
    let mut unexpected = Vec::new();
    let mut fixed = Vec::new();
    let mut report = String::new();
    for file in &files {
        let stem = file.file_name().unwrap().to_string_lossy().trim_end_matches(".expected.json").to_string();
        let cases: Vec<Expected> = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
        let (mut ft, mut fp) = (0, 0);
        for case in &cases {
            if case.differs.is_some() {
                continue;
            }
            total += 1;
            ft += 1;
            let id = format!("{stem}:{}", case.line);
            let got =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| evaluate(&scope, case))).unwrap_or(Outcome {
                    value: None,
                    ty: None,
                    diagnostics: vec![("panic".into(), "panic".into(), String::new())],
                });
            let ok = matches_expected(case, &got);
            if ok {
                passed += 1;
                fp += 1;
                if known.contains(&id) {
                    fixed.push(id.clone());
                }
            } else {
                if !known.contains(&id) {
                    unexpected.push(id.clone());
                }
                report.push_str(&format!(
                    "=== {id}: {}\n  want value: {:?}\n  got value:  {:?}\n  want type:  {:?}\n  got type:   {:?}\n  want diags: {:?}\n  got diags:  {:?}\n",
                    case.expr, case.value, got.value, case.ty, got.ty, case.diagnostics.iter().map(|d| (&d.summary, &d.detail)).collect::<Vec<_>>(), got.diagnostics
                ));
            }
        }
        println!("{stem:<24} {fp:>4} / {ft:<4}");
    }
    println!(
        "conformance: {passed} of {total} expression cases pass ({:.1} %)",
        100.0 * passed as f64 / total.max(1) as f64
    );
    if let Ok(path) = std::env::var("CONFORMANCE_REPORT") {
        std::fs::write(&path, &report).unwrap();
        let all_failures: Vec<String> = report
            .lines()
            .filter_map(|l| l.strip_prefix("=== ").and_then(|l| l.split(": ").next()).map(str::to_string))
            .collect();
        std::fs::write(format!("{path}.ids"), all_failures.join("\n") + "\n").unwrap();
    }
    assert!(
        unexpected.is_empty(),
        "{} cases fail that are not known failures: {:?}",
        unexpected.len(),
        &unexpected[..unexpected.len().min(50)]
    );
    assert!(fixed.is_empty(), "these known failures now pass; remove them from known_failures.txt: {fixed:?}");
}
