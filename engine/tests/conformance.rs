//! The conformance suite: every case in `tests/conformance/expr/*.cases` evaluated by
//! terrane and compared with what Terraform 1.11 printed for it (`*.expected.json`,
//! recorded by `tests/conformance/regenerate.sh`): the console's rendering of the value, of
//! its type, and the diagnostics. Terraform is not needed to run this.
//!
//! Cases listed in `tests/conformance/known_failures.txt` may fail; any other failure fails
//! the test, and so does a listed case that passes (the list only shrinks). Set
//! `CONFORMANCE_REPORT=path` to write every failure with its difference.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use terrane_engine::config::{Config, load_sources};
use terrane_engine::console::{Console, format_result};
use terrane_engine::context::Context;
use terrane_engine::diag::SourceMap;
use terrane_engine::provider::ProviderRegistry;
use terrane_engine::state::State;

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

/// The context directory's configuration, loaded as terrane loads a directory; a
/// multi-line case is one more file, `zz_conformance_case.tf`, holding it as a local value.
fn load_context(case: Option<&str>) -> Result<Config, Vec<(String, String, String)>> {
    let dir = root().join("context");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "tf"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().to_string(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    if let Some(src) = case {
        files.push(("zz_conformance_case.tf".into(), format!("locals {{\n  conformance_case = {src}\n}}\n")));
    }
    let (mut config, diags) = load_sources(files);
    let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).map(triple).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    config.dir = PathBuf::from(".");
    Ok(config)
}

fn triple(d: &terrane_engine::diag::Diagnostic) -> (String, String, String) {
    (if d.is_error() { "error" } else { "warning" }.to_string(), d.summary.clone(), d.detail.clone())
}

/// Evaluates a case as Terraform's console does, through terrane's own console: a line on
/// stdin, or `local.conformance_case` when the case spans several lines.
fn evaluate(case: &Expected) -> Outcome {
    let failed = |diagnostics| Outcome { value: None, ty: None, diagnostics };
    let multi = case.expr.contains('\n');
    let config = match load_context(multi.then_some(case.expr.as_str())) {
        Ok(c) => c,
        Err(d) => return failed(d),
    };
    let line = if multi { "local.conformance_case" } else { case.expr.as_str() };
    let state = State::new();
    let ctx = Context::new(config, ProviderRegistry::with_builtin(), &state, "default");
    let mut sources = SourceMap::default();
    let (vars, vdiags) = terrane_engine::variables::collect(&ctx.config, Path::new("."), &[], &[], &mut sources);
    assert!(!vdiags.has_errors(), "{vdiags}");
    let console = Console::new(&ctx, &state, vars);
    let e = match terrane_engine::config::Expr::parse(line, "<console-input>") {
        Ok(e) => e,
        Err(d) => return failed(d.iter().map(triple).collect()),
    };
    let (v, diags) = console.eval(&e);
    if diags.iter().any(|d| d.is_error()) {
        return failed(diags.iter().map(triple).collect());
    }
    let ty = match terrane_engine::lang::console::type_marker(&v) {
        Some(_) => "type".to_string(),
        None => v.clone().unmark_deep().0.ty().console_string(),
    };
    Outcome { value: Some(format_result(&v)), ty: Some(ty), diagnostics: Vec::new() }
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
    // File functions resolve paths against the working directory, as the console's do.
    std::env::set_current_dir(root().join("context")).unwrap();

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
            let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| evaluate(case))).unwrap_or(Outcome {
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
