//! The conformance suite's configuration cases: every `engine/tests/conformance/config/NAME/`
//! run step by step with the `terrane` binary exactly as `record.py` ran Terraform 1.11.4 to
//! record `expected.json`, normalised with the same rules, and compared. Terraform is not
//! needed to run this.
//!
//! Per step, in one temporary working directory with local state (the previous step's files
//! are removed, its state and data directories kept):
//!
//! 1. `terrane init -input=false -no-color -json`: recorded (`init`) only when it fails;
//!    then `terrane validate -no-color -json`: `validate` (exit code, `valid`, diagnostics);
//! 2. `terrane plan -input=false -no-color -json -out=tfplan ARGS` (ARGS from the step's
//!    `args` file, split like a shell): `plan.exit_code`, `plan.diagnostics`; a failed plan
//!    ends the step, after `show -json` and `apply` of the plan file when it was saved anyway
//!    (a partial plan, `"errored": true`: `plan.saved`);
//! 3. `terrane show -json tfplan`: resource changes, output changes, checks, `errored`;
//! 4. `terrane apply -input=false -no-color -json -auto-approve tfplan`: `apply`;
//! 5. `terrane output -no-color -json`: `outputs`;
//! 6. `terrane show -no-color -json`: `state`, and the state's check results (`state_checks`).
//!
//! The normalisation is a port of `record.py`'s `json_diagnostics`, `simplify_diag`,
//! `sort_diags`, `plan_summary` and `state_summary`. Two differences are allowed, both
//! deliberate:
//!
//! - where a diagnostic's summary or detail names the tool as "Terraform", terrane says
//!   "terrane"; the word `Terraform` is read as `terrane` in both the expected and the actual
//!   diagnostics before they are compared;
//! - terrane never writes a sensitive value in clear, not even in `show -json` (Terraform
//!   writes them there and marks their places in `after_sensitive` / `sensitive_values`):
//!   wherever terrane's plan or state marks a value sensitive, the expected value is read as
//!   `null`. The marks themselves (`after_sensitive`) are compared as recorded, so a value
//!   terrane marks where Terraform does not still fails the case, with one exception:
//!   `terraform_data` copies `input` to `output`, and terrane keeps the sensitivity of what
//!   it copies (Terraform drops it once the object is applied, so `output` then shows the
//!   secret in clear); where terrane's `output` marks equal its `input` marks and those are
//!   Terraform's, Terraform's `output` marks are read as its `input` marks.
//!
//! Nothing else is normalised.
//!
//! Cases listed in `engine/tests/conformance/known_failures_config.txt` may fail; any other
//! failure fails the test, and so does a listed case that passes (the list only shrinks). Set
//! `CONFORMANCE_REPORT=path` to write every failing case's differences (expected against got,
//! per step and part), `CONFORMANCE_CASES=a,b` to run only some cases, and
//! `CONFORMANCE_JOBS=n` for the number of cases run at once (default: the number of CPUs).

use serde_json::{Map, Value as J, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(120);

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("engine/tests/conformance")
}

// --------------------------------------------------------------------------
// Running terrane
// --------------------------------------------------------------------------

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `terrane ARGS` in `dir` in the environment `regenerate.sh` gives Terraform: no
/// `TF_VAR_*`, `TF_CLI_ARGS*`, `TF_LOG*` or workspace selection from outside, no prompts.
fn run_terrane(args: &[String], dir: &Path) -> Run {
    let mut c = Command::new(env!("CARGO_BIN_EXE_terrane"));
    c.current_dir(dir).args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy();
        if k.starts_with("TF_") || k.starts_with("TERRANE_") {
            c.env_remove(&*k);
        }
    }
    c.env("TF_IN_AUTOMATION", "1").env("CHECKPOINT_DISABLE", "1").env("TF_INPUT", "0");
    c.env("LC_ALL", "C.UTF-8").env("TZ", "UTC");
    let mut child = c.spawn().expect("terrane runs");
    // Read both pipes on threads so that a chatty process never blocks on a full pipe.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out, &mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err, &mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = String::from_utf8_lossy(&out_t.join().unwrap()).into_owned();
    let mut stderr = String::from_utf8_lossy(&err_t.join().unwrap()).into_owned();
    let code = match status {
        Some(s) => s.code().unwrap_or(-1),
        None => {
            stderr.push_str(&format!("\n(terrane {} timed out after {}s)", args.join(" "), TIMEOUT.as_secs()));
            -1
        }
    };
    Run { code, stdout, stderr }
}

/// A step's `args` file split like a shell would (`shlex.split(text, comments=True)`): words
/// separated by white space, single quotes literal, double quotes and backslashes escaping,
/// `#` at the start of a word starting a comment.
fn shell_split(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '#' if !in_word => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        break;
                    }
                }
            }
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    cur.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' if matches!(chars.peek(), Some('"' | '\\' | '$' | '`' | '\n')) => {
                            let n = chars.next().unwrap();
                            if n != '\n' {
                                cur.push(n);
                            }
                        }
                        c => cur.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next()
                    && n != '\n'
                {
                    cur.push(n);
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

// --------------------------------------------------------------------------
// Normalising, as record.py does
// --------------------------------------------------------------------------

/// Python's truthiness of a JSON value.
fn truthy(v: Option<&J>) -> bool {
    match v {
        None | Some(J::Null) => false,
        Some(J::Bool(b)) => *b,
        Some(J::Number(n)) => n.as_f64() != Some(0.0),
        Some(J::String(s)) => !s.is_empty(),
        Some(J::Array(a)) => !a.is_empty(),
        Some(J::Object(o)) => !o.is_empty(),
    }
}

fn get<'a>(v: &'a J, key: &str) -> Option<&'a J> {
    v.as_object().and_then(|o| o.get(key))
}

fn get_or_null(v: &J, key: &str) -> J {
    get(v, key).cloned().unwrap_or(J::Null)
}

fn list<'a>(v: &'a J, key: &str) -> &'a [J] {
    get(v, key).and_then(J::as_array).map(Vec::as_slice).unwrap_or(&[])
}

/// Diagnostics from a `-json` event stream, sorted.
fn json_diagnostics(stream: &str) -> Vec<J> {
    let mut diags = Vec::new();
    for line in stream.lines() {
        let line = line.trim();
        if !line.starts_with('{') {
            continue;
        }
        let Ok(msg) = serde_json::from_str::<J>(line) else { continue };
        if get(&msg, "type").and_then(J::as_str) != Some("diagnostic") {
            continue;
        }
        diags.push(simplify_diag(&msg["diagnostic"]));
    }
    sort_diags(diags)
}

/// `validate -json`: its exit code, verdict and diagnostics (sorted).
fn validate_summary(run: &Run) -> J {
    let doc = load_json(run, "terrane validate -json");
    if get(&doc, "error").is_some() {
        return doc;
    }
    let diags = doc.get("diagnostics").and_then(J::as_array).map(|a| a.iter().map(simplify_diag).collect());
    json!({
        "exit_code": run.code,
        "valid": get_or_null(&doc, "valid"),
        "diagnostics": sort_diags(diags.unwrap_or_default()),
    })
}

fn simplify_diag(d: &J) -> J {
    let mut out = Map::new();
    out.insert("severity".into(), get_or_null(d, "severity"));
    out.insert("summary".into(), get_or_null(d, "summary"));
    out.insert("detail".into(), get(d, "detail").cloned().unwrap_or_else(|| J::from("")));
    if truthy(get(d, "address")) {
        out.insert("address".into(), d["address"].clone());
    }
    if let Some(rng) = get(d, "range").filter(|r| truthy(Some(r))) {
        out.insert(
            "range".into(),
            json!({
                "filename": get_or_null(rng, "filename"),
                "line": rng["start"]["line"],
                "column": rng["start"]["column"],
            }),
        );
    }
    J::Object(out)
}

fn sort_diags(mut diags: Vec<J>) -> Vec<J> {
    fn s(v: &J, k: &str) -> String {
        get(v, k).and_then(J::as_str).unwrap_or_default().to_string()
    }
    fn n(v: Option<&J>, k: &str) -> i64 {
        v.and_then(|r| get(r, k)).and_then(J::as_i64).unwrap_or(0)
    }
    diags.sort_by_cached_key(|d| {
        let r = get(d, "range");
        (
            r.map(|r| s(r, "filename")).unwrap_or_default(),
            n(r, "line"),
            n(r, "column"),
            s(d, "severity"),
            s(d, "summary"),
            s(d, "detail"),
            s(d, "address"),
        )
    });
    diags
}

fn strip_id(value: J) -> J {
    match value {
        J::Object(mut o) => {
            o.remove("id");
            J::Object(o)
        }
        v => v,
    }
}

fn plan_summary(plan: &J) -> Map<String, J> {
    let mut changes = Vec::new();
    for rc in list(plan, "resource_changes") {
        let ch = &rc["change"];
        let mut item = Map::new();
        item.insert("address".into(), rc["address"].clone());
        for k in ["previous_address", "module_address"] {
            if let Some(v) = get(rc, k) {
                item.insert(k.into(), v.clone());
            }
        }
        for k in ["mode", "type", "name"] {
            item.insert(k.into(), get_or_null(rc, k));
        }
        if let Some(v) = get(rc, "index") {
            item.insert("index".into(), v.clone());
        }
        let actions = get_or_null(ch, "actions");
        item.insert("actions".into(), actions.clone());
        if let Some(v) = get(rc, "action_reason") {
            item.insert("action_reason".into(), v.clone());
        }
        if actions != json!(["delete"]) {
            item.insert("after".into(), strip_id(get_or_null(ch, "after")));
            item.insert("after_unknown".into(), strip_id(get_or_null(ch, "after_unknown")));
            let sens = get(ch, "after_sensitive");
            if !matches!(sens, None | Some(J::Bool(false))) && sens != Some(&json!({})) {
                item.insert("after_sensitive".into(), sens.unwrap().clone());
            }
        }
        if truthy(get(ch, "importing")) {
            item.insert("importing".into(), ch["importing"].clone());
        }
        changes.push(J::Object(item));
    }
    let mut outputs = Map::new();
    if let Some(oc) = get(plan, "output_changes").and_then(J::as_object) {
        for (name, ch) in oc {
            let mut o = Map::new();
            let actions = get_or_null(ch, "actions");
            o.insert("actions".into(), actions.clone());
            if actions != json!(["delete"]) {
                if truthy(get(ch, "after_unknown")) {
                    o.insert("after_unknown".into(), ch["after_unknown"].clone());
                } else {
                    o.insert("after".into(), get_or_null(ch, "after"));
                }
                if truthy(get(ch, "after_sensitive")) {
                    o.insert("after_sensitive".into(), ch["after_sensitive"].clone());
                }
            }
            outputs.insert(name.clone(), J::Object(o));
        }
    }
    let checks = checks_summary(plan);
    let mut out = Map::new();
    out.insert("resource_changes".into(), J::Array(changes));
    out.insert("output_changes".into(), J::Object(outputs));
    if !checks.is_empty() {
        out.insert("checks".into(), J::Array(checks));
    }
    if truthy(get(plan, "errored")) {
        out.insert("errored".into(), J::Bool(true));
    }
    out
}

/// The `checks` of `show -json` (a plan's, or the state's check results).
fn checks_summary(doc: &J) -> Vec<J> {
    let mut checks = Vec::new();
    for c in list(doc, "checks") {
        let mut item = Map::new();
        item.insert("address".into(), c["address"]["to_display"].clone());
        item.insert("kind".into(), c["address"]["kind"].clone());
        item.insert("status".into(), get_or_null(c, "status"));
        let mut insts = Vec::new();
        for inst in list(c, "instances") {
            let mut i = Map::new();
            i.insert("address".into(), inst["address"]["to_display"].clone());
            i.insert("status".into(), get_or_null(inst, "status"));
            if truthy(get(inst, "problems")) {
                i.insert("problems".into(), list(inst, "problems").iter().map(|p| p["message"].clone()).collect());
            }
            insts.push(J::Object(i));
        }
        if !insts.is_empty() {
            item.insert("instances".into(), J::Array(insts));
        }
        checks.push(J::Object(item));
    }
    checks.sort_by_cached_key(|c| c["address"].as_str().unwrap_or_default().to_string());
    checks
}

fn state_summary(show: &J) -> J {
    fn walk(module: &J, out: &mut Vec<J>) {
        for r in list(module, "resources") {
            let mut item = Map::new();
            item.insert("address".into(), r["address"].clone());
            if r["type"] == "terraform_data" {
                let vals = get(r, "values").cloned().unwrap_or(json!({}));
                item.insert("input".into(), get_or_null(&vals, "input"));
                item.insert("output".into(), get_or_null(&vals, "output"));
                // Where terrane masked values; read and removed by `mask_sensitive`.
                if let Some(m) = get(r, "sensitive_values") {
                    item.insert(SENSITIVE.into(), m.clone());
                }
            }
            out.push(J::Object(item));
        }
        for child in list(module, "child_modules") {
            walk(child, out);
        }
    }
    let mut resources = Vec::new();
    if let Some(root) = get(show, "values").and_then(|v| get(v, "root_module")) {
        walk(root, &mut resources);
    }
    resources.sort_by_cached_key(|r| r["address"].as_str().unwrap_or_default().to_string());
    J::Array(resources)
}

/// The key under which the actual state summary carries terrane's `sensitive_values`.
const SENSITIVE: &str = "~sensitive";

/// Replaces with `null` every part of `value` that `mask` (an `after_sensitive` /
/// `sensitive_values` mirror) marks `true`.
fn mask_value(value: &mut J, mask: &J) {
    match (mask, value) {
        (J::Bool(true), v) => *v = J::Null,
        (J::Object(m), J::Object(v)) => {
            for (k, m) in m {
                if let Some(v) = v.get_mut(k) {
                    mask_value(v, m);
                }
            }
        }
        (J::Array(m), J::Array(v)) => {
            for (m, v) in m.iter().zip(v.iter_mut()) {
                mask_value(v, m);
            }
        }
        _ => {}
    }
}

/// The deliberate difference on sensitive values (see the module documentation): the
/// expected plan and state values are masked where terrane's marks say sensitive.
fn mask_sensitive(expected: &mut J, got: &mut J) {
    let (Some(want), Some(have)) =
        (expected.get_mut("steps").and_then(J::as_array_mut), got.get_mut("steps").and_then(J::as_array_mut))
    else {
        return;
    };
    for (w, h) in want.iter_mut().zip(have.iter_mut()) {
        let by_address = |items: &[J]| -> Vec<(J, J)> {
            items.iter().map(|i| (i["address"].clone(), get_or_null(i, "after_sensitive"))).collect()
        };
        let marks = by_address(list(&h["plan"], "resource_changes"));
        if let Some(changes) = w.get_mut("plan").and_then(|p| p.get_mut("resource_changes")).and_then(J::as_array_mut) {
            for c in changes.iter_mut().filter(|c| c["type"] == "terraform_data") {
                let Some((_, m)) = marks.iter().find(|(a, _)| *a == c["address"]) else { continue };
                if let Some(want) = c.get_mut("after_sensitive").and_then(J::as_object_mut)
                    && m.get("input").is_some()
                    && m.get("input") == m.get("output")
                    && want.get("input") == m.get("input")
                {
                    let input = want["input"].clone();
                    want.insert("output".into(), input);
                }
            }
        }
        if let Some(changes) = w.get_mut("plan").and_then(|p| p.get_mut("resource_changes")).and_then(J::as_array_mut) {
            for c in changes {
                if let Some((_, m)) = marks.iter().find(|(a, _)| *a == c["address"])
                    && let Some(after) = c.get_mut("after")
                {
                    mask_value(after, m);
                }
            }
        }
        let outputs = h["plan"].get("output_changes").cloned().unwrap_or(J::Null);
        if let Some(changes) = w.get_mut("plan").and_then(|p| p.get_mut("output_changes")).and_then(J::as_object_mut) {
            for (name, c) in changes {
                if outputs[name]["after_sensitive"] == J::Bool(true)
                    && let Some(after) = c.get_mut("after")
                {
                    *after = J::Null;
                }
            }
        }
        let mut masks = Vec::new();
        if let Some(items) = h.get_mut("state").and_then(J::as_array_mut) {
            for i in items {
                if let Some(m) = i.as_object_mut().and_then(|o| o.remove(SENSITIVE)) {
                    masks.push((i["address"].clone(), m));
                }
            }
        }
        if let Some(items) = w.get_mut("state").and_then(J::as_array_mut) {
            for i in items {
                if let Some((_, m)) = masks.iter().find(|(a, _)| *a == i["address"]) {
                    mask_value(i, m);
                }
            }
        }
    }
}

/// Reads the tool's own name in diagnostics as terrane's (see the module documentation): the
/// summaries and details of the `init`, `plan` and `apply` diagnostics of every step.
fn normalise_name(case: &mut J, re: &regex::Regex) {
    let Some(steps) = case.get_mut("steps").and_then(J::as_array_mut) else { return };
    for step in steps {
        for part in ["init", "validate", "plan", "apply"] {
            let Some(diags) = step.get_mut(part).and_then(|p| p.get_mut("diagnostics")).and_then(J::as_array_mut)
            else {
                continue;
            };
            for d in diags.iter_mut() {
                for k in ["summary", "detail"] {
                    if let Some(J::String(s)) = d.get_mut(k) {
                        *s = re.replace_all(s, "terrane").into_owned();
                    }
                }
            }
            // Sorted again: the order depends on the text.
            *diags = sort_diags(std::mem::take(diags));
        }
    }
}

// --------------------------------------------------------------------------
// Running a case
// --------------------------------------------------------------------------

/// Removes the previous step's files: everything but the state and the data directory.
fn clean_step_files(work: &Path) {
    for e in std::fs::read_dir(work).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if [".terraform", "terraform.tfstate", ".terrane", "terrane.tfstate"].iter().any(|p| name.starts_with(p)) {
            continue;
        }
        let p = e.path();
        if p.is_dir() {
            std::fs::remove_dir_all(&p).unwrap();
        } else {
            std::fs::remove_file(&p).unwrap();
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

fn load_json(run: &Run, what: &str) -> J {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| {
        json!({ "error": format!("{what} did not print JSON ({e})"), "exit_code": run.code,
                "stdout": run.stdout.chars().take(2000).collect::<String>(),
                "stderr": run.stderr.chars().take(2000).collect::<String>() })
    })
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

fn run_case(name: &str) -> J {
    let case_dir = root().join("config").join(name);
    let mut steps: Vec<(u32, String)> = std::fs::read_dir(&case_dir)
        .unwrap()
        .filter_map(|e| {
            let n = e.unwrap().file_name().to_string_lossy().into_owned();
            let num = n.strip_prefix("step")?.parse().ok()?;
            Some((num, n))
        })
        .collect();
    steps.sort();
    let tmp = tempfile::Builder::new().prefix("terrane-conformance-").tempdir().unwrap();
    let work = tmp.path().join(format!("config-{name}"));
    std::fs::create_dir_all(&work).unwrap();
    let mut results = Vec::new();
    for (_, step) in steps {
        let src = case_dir.join(&step);
        clean_step_files(&work);
        let mut args = Vec::new();
        for e in std::fs::read_dir(&src).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if e.file_name() == "args" {
                args = shell_split(&std::fs::read_to_string(&p).unwrap());
            } else if p.is_dir() {
                copy_dir(&p, &work.join(e.file_name()));
            } else {
                std::fs::copy(&p, work.join(e.file_name())).unwrap();
            }
        }
        let mut rec = Map::new();
        rec.insert("step".into(), J::from(step.clone()));
        if !args.is_empty() {
            rec.insert("args".into(), json!(args));
        }
        let init = run_terrane(&strings(&["init", "-input=false", "-no-color", "-json"]), &work);
        if init.code != 0 {
            rec.insert("init".into(), json!({"exit_code": init.code, "diagnostics": json_diagnostics(&init.stdout)}));
        }
        let validate = run_terrane(&strings(&["validate", "-no-color", "-json"]), &work);
        rec.insert("validate".into(), validate_summary(&validate));
        let mut plan_args = strings(&["plan", "-input=false", "-no-color", "-json", "-out=tfplan"]);
        plan_args.extend(args.iter().cloned());
        let plan = run_terrane(&plan_args, &work);
        let mut plan_rec = Map::new();
        plan_rec.insert("exit_code".into(), J::from(plan.code));
        plan_rec.insert("diagnostics".into(), J::Array(json_diagnostics(&plan.stdout)));
        if plan.code != 0 {
            // A walk that found errors saves its partial plan ("errored"), as Terraform does.
            if work.join("tfplan").exists() {
                plan_rec.insert("saved".into(), J::Bool(true));
                show_and_apply_saved(&work, &mut plan_rec, &mut rec);
                let _ = std::fs::remove_file(work.join("tfplan"));
            } else {
                rec.insert("plan".into(), J::Object(plan_rec));
            }
            results.push(J::Object(rec));
            continue;
        }
        show_and_apply_saved(&work, &mut plan_rec, &mut rec);
        let output = run_terrane(&strings(&["output", "-no-color", "-json"]), &work);
        let outputs = if output.code == 0 {
            load_json(&output, "terrane output -json")
        } else {
            json!({"exit_code": output.code})
        };
        rec.insert("outputs".into(), outputs);
        let state = run_terrane(&strings(&["show", "-no-color", "-json"]), &work);
        let state = if state.code == 0 {
            match serde_json::from_str::<J>(&state.stdout) {
                Ok(s) => {
                    // The check results the apply left in the state (after a destroy too).
                    let checks = checks_summary(&s);
                    if !checks.is_empty() {
                        rec.insert("state_checks".into(), J::Array(checks));
                    }
                    state_summary(&s)
                }
                Err(_) => load_json(&state, "terrane show -json"),
            }
        } else {
            json!({"show_failed": {"exit_code": state.code, "stderr": state.stderr}})
        };
        rec.insert("state".into(), state);
        let _ = std::fs::remove_file(work.join("tfplan"));
        results.push(J::Object(rec));
    }
    json!({ "steps": results })
}

/// `show -json tfplan` into the step's `plan` record, then `apply tfplan` into its `apply`.
fn show_and_apply_saved(work: &Path, plan_rec: &mut Map<String, J>, rec: &mut Map<String, J>) {
    let show = run_terrane(&strings(&["show", "-json", "tfplan"]), work);
    if show.code != 0 {
        plan_rec.insert("show_failed".into(), json!({"exit_code": show.code, "stderr": show.stderr}));
    } else {
        match serde_json::from_str::<J>(&show.stdout) {
            Ok(p) => plan_rec.extend(plan_summary(&p)),
            Err(_) => {
                plan_rec.insert("show_failed".into(), load_json(&show, "terrane show -json tfplan"));
            }
        }
    }
    rec.insert("plan".into(), J::Object(std::mem::take(plan_rec)));
    let apply =
        run_terrane(&strings(&["apply", "-input=false", "-no-color", "-json", "-auto-approve", "tfplan"]), work);
    rec.insert("apply".into(), json!({"exit_code": apply.code, "diagnostics": json_diagnostics(&apply.stdout)}));
}

// --------------------------------------------------------------------------
// Comparing
// --------------------------------------------------------------------------

fn pretty(v: Option<&J>) -> String {
    match v {
        Some(v) => serde_json::to_string_pretty(v).unwrap() + "\n",
        None => "(absent)\n".to_string(),
    }
}

/// The differences of a case, per step and part; empty when it passes.
fn differences(expected: &J, got: &J) -> String {
    let mut out = String::new();
    let want = list(expected, "steps");
    let have = list(got, "steps");
    for i in 0..want.len().max(have.len()) {
        let (w, h) = (want.get(i), have.get(i));
        let step = w.or(h).and_then(|s| get(s, "step")).and_then(J::as_str).unwrap_or("?").to_string();
        let mut keys: Vec<String> = Vec::new();
        for s in [w, h].into_iter().flatten() {
            for k in s.as_object().into_iter().flat_map(|o| o.keys()) {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
        }
        for k in keys {
            let (a, b) = (w.and_then(|s| get(s, &k)), h.and_then(|s| get(s, &k)));
            if a == b {
                continue;
            }
            let (ta, tb) = (pretty(a), pretty(b));
            let diff = similar::TextDiff::from_lines(&ta, &tb);
            out.push_str(&format!("--- {step} {k}: expected (-) against terrane (+)\n"));
            out.push_str(&diff.unified_diff().context_radius(4).header("expected", "terrane").to_string());
        }
    }
    out
}

#[test]
fn configurations_run_as_in_terraform() {
    let names: Vec<String> = {
        let only: Option<BTreeSet<String>> = std::env::var("CONFORMANCE_CASES")
            .ok()
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.split(',').map(|s| s.trim().to_string()).collect());
        let mut v: Vec<String> = std::fs::read_dir(root().join("config"))
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.path().join("expected.json").exists())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| only.as_ref().is_none_or(|o| o.contains(n)))
            .collect();
        v.sort();
        v
    };
    let known: BTreeSet<String> = std::fs::read_to_string(root().join("known_failures_config.txt"))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect();
    let jobs = std::env::var("CONFORMANCE_JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .max(1);
    let re = regex::Regex::new(r"\bTerraform\b").unwrap();
    let queue = Mutex::new(names.iter());
    let results: Mutex<Vec<(String, String)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    let Some(name) = queue.lock().unwrap().next() else { break };
                    let path = root().join("config").join(name).join("expected.json");
                    let mut expected: J = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
                    let mut got = run_case(name);
                    normalise_name(&mut expected, &re);
                    normalise_name(&mut got, &re);
                    mask_sensitive(&mut expected, &mut got);
                    let diff = differences(&expected, &got);
                    println!("{} {name}", if diff.is_empty() { "pass" } else { "FAIL" });
                    results.lock().unwrap().push((name.clone(), diff));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort();
    let passed = results.iter().filter(|(_, d)| d.is_empty()).count();
    let unexpected: Vec<&str> =
        results.iter().filter(|(n, d)| !d.is_empty() && !known.contains(n)).map(|(n, _)| n.as_str()).collect();
    let fixed: Vec<&str> =
        results.iter().filter(|(n, d)| d.is_empty() && known.contains(n)).map(|(n, _)| n.as_str()).collect();
    println!("conformance: {passed} of {} configuration cases pass", results.len());
    if let Ok(path) = std::env::var("CONFORMANCE_REPORT") {
        let mut report = String::new();
        for (name, diff) in results.iter().filter(|(_, d)| !d.is_empty()) {
            report.push_str(&format!("=== {name}\n{diff}\n"));
        }
        std::fs::write(&path, report).unwrap();
    }
    assert!(unexpected.is_empty(), "{} cases fail that are not known failures: {unexpected:?}", unexpected.len());
    assert!(fixed.is_empty(), "these known failures now pass; remove them from known_failures_config.txt: {fixed:?}");
}

#[test]
fn args_files_split_like_a_shell() {
    assert_eq!(
        shell_split("-var 'list=[\"a\",\"b\"]' -var num=007 \"-var=x=\\\"y\\\"\" # comment\n-destroy"),
        ["-var", "list=[\"a\",\"b\"]", "-var", "num=007", "-var=x=\"y\"", "-destroy"]
    );
    assert_eq!(shell_split("a\\ b c#d"), ["a b", "c#d"]);
}
