//! `-json` for `plan` and `apply`: Terraform's machine-readable UI, one JSON object per line
//! on stdout with `@level`, `@message`, `@module`, `@timestamp` and `type` (`version`,
//! `refresh_start`, `refresh_complete`, `apply_start`, `apply_progress`, `apply_complete`,
//! `apply_errored`, `resource_drift`, `planned_change`, `change_summary`, `outputs`,
//! `diagnostic`, `log`), with the `hook`, `change`, `changes`, `outputs` and `diagnostic`
//! payloads Terraform gives them.
//!
//! Sensitive values never appear: progress events name resources and ids only (an id that is
//! itself sensitive is left out), and output values marked sensitive are given without their
//! value, as Terraform does.

use serde_json::{Map, Value as J, json};
use std::io::Write;
use std::time::{Duration, SystemTime};
use terrane_engine::addr::InstanceAddr;
use terrane_engine::diag::{Diagnostic, Severity, SourceMap, line_col};
use terrane_engine::hooks::Hooks;
use terrane_engine::plan::{Action, Plan, Reason, ResourceChange};
use terrane_engine::state::State;

/// The version of the machine-readable UI format written (Terraform's `ui` field).
pub const UI_VERSION: &str = "1.2";

/// Writes one event line: the common fields plus `fields`.
pub fn emit(level: &str, message: &str, kind: &str, fields: Map<String, J>) {
    let mut m = fields;
    m.insert("@level".into(), level.into());
    m.insert("@message".into(), message.into());
    m.insert("@module".into(), "terraform.ui".into());
    m.insert("@timestamp".into(), humantime::format_rfc3339_micros(SystemTime::now()).to_string().into());
    m.insert("type".into(), kind.into());
    let line = format!("{}\n", J::Object(m));
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(line.as_bytes());
    let _ = out.flush();
}

fn fields(pairs: impl IntoIterator<Item = (&'static str, J)>) -> Map<String, J> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// The first event of every stream.
pub fn version() {
    let lang = terrane_engine::config::LANGUAGE_VERSION;
    emit(
        "info",
        &format!("terrane {} (Terraform {lang} language)", terrane_engine::VERSION),
        "version",
        fields([("terraform", lang.into()), ("terrane", terrane_engine::VERSION.into()), ("ui", UI_VERSION.into())]),
    );
}

/// A free-form line (anything a command prints that has no event of its own).
pub fn log(message: &str) {
    for line in message.lines().map(str::trim_end).filter(|l| !l.trim().is_empty()) {
        emit("info", line, "log", Map::new());
    }
}

/// An `init_output` event: one of `init`'s messages, with Terraform's code for it
/// (`initializing_backend_message`, `output_init_success_message`, ...). Its timestamp has
/// whole seconds, as Terraform writes it for these.
pub fn init_output(code: &str, message: &str) {
    let m = fields([
        ("@level", "info".into()),
        ("@message", message.trim().into()),
        ("@module", "terraform.ui".into()),
        ("@timestamp", humantime::format_rfc3339_seconds(SystemTime::now()).to_string().into()),
        ("message_code", code.into()),
        ("type", "init_output".into()),
    ]);
    let line = format!("{}\n", J::Object(m));
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(line.as_bytes());
    let _ = out.flush();
}

/// A diagnostic, with its place and the source lines it points at.
pub fn diagnostic(d: &Diagnostic, sources: &SourceMap) {
    let (level, word) = match d.severity {
        Severity::Error => ("error", "Error"),
        Severity::Warning => ("warn", "Warning"),
    };
    let mut body = d.to_json(sources);
    if let Some(obj) = body.as_object_mut() {
        if obj.get("range").is_some_and(J::is_null) {
            obj.remove("range");
        }
        if let Some(snippet) = snippet(d, sources) {
            obj.insert("snippet".into(), snippet);
        }
    }
    emit(level, &format!("{word}: {}", d.summary), "diagnostic", fields([("diagnostic", body)]))
}

/// The lines a diagnostic's range covers, with the highlighted part as byte offsets into them.
fn snippet(d: &Diagnostic, sources: &SourceMap) -> Option<J> {
    let r = d.range.as_ref()?;
    let text = &sources.get(r.file)?.text;
    let start = r.span.start.min(text.len());
    let end = r.span.end.clamp(start, text.len());
    let code_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let code_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let (start_line, _) = line_col(text, start);
    Some(json!({
        "context": J::Null,
        "code": &text[code_start..code_end],
        "start_line": start_line,
        "highlight_start_offset": start - code_start,
        "highlight_end_offset": end - code_start,
        "values": [],
    }))
}

/// Terraform's description of a resource instance in events.
fn resource(addr: &InstanceAddr) -> J {
    let r = &addr.resource;
    let module = r.module_string().unwrap_or_default();
    let relative = {
        let mut local = addr.clone();
        local.resource.module.clear();
        local.to_string()
    };
    json!({
        "addr": addr.to_string(),
        "module": module,
        "resource": relative,
        "implied_provider": terrane_engine::config::implied_provider(&r.type_name),
        "resource_type": r.type_name,
        "resource_name": r.name,
        "resource_key": addr.key.to_json().unwrap_or(J::Null),
    })
}

/// Terraform's single-word action in events (`replace` for both orders).
fn action_word(a: Action) -> &'static str {
    match a {
        Action::NoOp => "noop",
        Action::Create => "create",
        Action::Read => "read",
        Action::Update => "update",
        Action::DeleteThenCreate | Action::CreateThenDelete => "replace",
        Action::Delete => "delete",
        Action::Forget => "forget",
    }
}

/// The reasons as Terraform's events spell them (shorter than the plan JSON's for replacements).
fn reason_word(r: Reason) -> String {
    match r {
        Reason::ReplaceBecauseTainted => "tainted".into(),
        Reason::ReplaceByRequest => "requested".into(),
        Reason::ReplaceBecauseCannotUpdate => "cannot_update".into(),
        Reason::ReplaceByTriggers => "replace_triggered_by".into(),
        other => serde_json::to_value(other).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
    }
}

fn change_body(c: &ResourceChange) -> J {
    let mut m = fields([("resource", resource(&c.addr)), ("action", action_word(c.action).into())]);
    if let Some(r) = c.reason {
        m.insert("reason".into(), reason_word(r).into());
    }
    if let Some(d) = &c.deposed {
        m.insert("deposed".into(), d.clone().into());
    }
    J::Object(m)
}

/// `resource_drift` for each change made outside terrane, then `planned_change` for each
/// change the plan makes (no-ops are not listed).
pub fn planned_changes(plan: &Plan) {
    for c in &plan.drift {
        emit(
            "info",
            &format!("{}: Drift detected ({})", c.addr, action_word(c.action)),
            "resource_drift",
            fields([("change", change_body(c))]),
        );
    }
    for c in plan.changes.iter().filter(|c| c.action != Action::NoOp) {
        let name = match &c.deposed {
            Some(d) => format!("{} (deposed object {d})", c.addr),
            None => c.addr.to_string(),
        };
        emit(
            "info",
            &format!("{name}: Plan to {}", action_word(c.action)),
            "planned_change",
            fields([("change", change_body(c))]),
        );
    }
}

/// The `change_summary` of a plan.
pub fn plan_summary(plan: &Plan) {
    let s = plan.summary();
    summary(
        "plan",
        s.add,
        s.change,
        s.destroy,
        &format!("Plan: {} to add, {} to change, {} to destroy.", s.add, s.change, s.destroy),
    );
}

/// The `change_summary` of a finished apply (`operation` `apply` or `destroy`).
pub fn apply_summary(destroy: bool, added: usize, changed: usize, destroyed: usize) {
    if destroy {
        summary("destroy", added, changed, destroyed, &format!("Destroy complete! Resources: {destroyed} destroyed."));
    } else {
        summary(
            "apply",
            added,
            changed,
            destroyed,
            &format!("Apply complete! Resources: {added} added, {changed} changed, {destroyed} destroyed."),
        );
    }
}

fn summary(operation: &str, add: usize, change: usize, remove: usize, message: &str) {
    emit(
        "info",
        message,
        "change_summary",
        fields([(
            "changes",
            json!({"add": add, "change": change, "import": 0, "remove": remove, "operation": operation}),
        )]),
    );
}

/// The `outputs` event of a plan: each output's action (no values).
pub fn plan_outputs(plan: &Plan) {
    if plan.outputs.is_empty() {
        return;
    }
    let outputs: Map<String, J> = plan
        .outputs
        .iter()
        .map(|o| (o.name.clone(), json!({"sensitive": o.sensitive, "action": action_word(o.action)})))
        .collect();
    emit("info", &format!("Outputs: {}", outputs.len()), "outputs", fields([("outputs", J::Object(outputs))]));
}

/// The `outputs` event after an apply: values and types, without the values of sensitive
/// outputs.
pub fn state_outputs(state: &State) {
    if state.outputs.is_empty() {
        return;
    }
    let outputs: Map<String, J> = state
        .outputs
        .iter()
        .map(|(name, o)| {
            let mut m = fields([("sensitive", o.sensitive.into()), ("type", o.ty.clone())]);
            if !o.sensitive {
                m.insert("value".into(), o.value.clone());
            }
            (name.clone(), J::Object(m))
        })
        .collect();
    emit("info", &format!("Outputs: {}", outputs.len()), "outputs", fields([("outputs", J::Object(outputs))]));
}

fn start_verb(a: Action) -> &'static str {
    match a {
        Action::Create => "Creating",
        Action::Update => "Modifying",
        Action::Delete => "Destroying",
        Action::Read => "Refreshing",
        _ => "Working",
    }
}

fn progress_verb(a: Action) -> &'static str {
    match a {
        Action::Create => "creating",
        Action::Update => "modifying",
        Action::Delete => "destroying",
        Action::Read => "refreshing",
        _ => "working",
    }
}

fn noun(a: Action) -> &'static str {
    match a {
        Action::Create => "Creation",
        Action::Update => "Modifications",
        Action::Delete => "Destruction",
        Action::Read => "Read",
        _ => "Operation",
    }
}

/// Seconds as Go's encoding/json writes a float64: `2`, `1.5` (never `2.0`).
fn seconds(d: Duration) -> J {
    let ms = d.as_millis();
    if ms.is_multiple_of(1000) {
        return J::from((ms / 1000) as u64);
    }
    serde_json::Number::from_f64(ms as f64 / 1000.0).map_or(J::Null, J::Number)
}

fn whole_seconds(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 { format!("{}m{}s", s / 60, s % 60) } else { format!("{s}s") }
}

fn named(addr: &InstanceAddr, deposed: Option<&str>) -> String {
    match deposed {
        Some(d) => format!("{addr} (deposed object {d})"),
        None => addr.to_string(),
    }
}

fn with_id(mut m: Map<String, J>, id: Option<&str>) -> Map<String, J> {
    if let Some(id) = id {
        m.insert("id_key".into(), "id".into());
        m.insert("id_value".into(), id.into());
    }
    m
}

fn id_suffix(id: Option<&str>) -> String {
    id.map(|i| format!(" [id={i}]")).unwrap_or_default()
}

/// Progress as events (the `-json` counterpart of [`super::ProgressHooks`]).
pub struct JsonHooks;

impl Hooks for JsonHooks {
    fn refreshing(&self, addr: &InstanceAddr, id: Option<&str>) {
        let hook = with_id(fields([("resource", resource(addr))]), id);
        emit(
            "info",
            &format!("{addr}: Refreshing state...{}", id_suffix(id)),
            "refresh_start",
            fields([("hook", J::Object(hook))]),
        );
    }
    fn refreshed(&self, addr: &InstanceAddr, id: Option<&str>) {
        let hook = with_id(fields([("resource", resource(addr))]), id);
        emit(
            "info",
            &format!("{addr}: Refresh complete{}", id_suffix(id)),
            "refresh_complete",
            fields([("hook", J::Object(hook))]),
        );
    }
    fn reading(&self, addr: &InstanceAddr) {
        let hook = fields([("resource", resource(addr)), ("action", "read".into())]);
        emit("info", &format!("{addr}: Refreshing..."), "apply_start", fields([("hook", J::Object(hook))]));
    }
    fn apply_start(&self, addr: &InstanceAddr, deposed: Option<&str>, action: Action) {
        if action == Action::Read {
            // Announced by `reading`.
            return;
        }
        let hook = fields([("resource", resource(addr)), ("action", action_word(action).into())]);
        emit(
            "info",
            &format!("{}: {}...", named(addr, deposed), start_verb(action)),
            "apply_start",
            fields([("hook", J::Object(hook))]),
        );
    }
    fn apply_progress(&self, addr: &InstanceAddr, action: Action, elapsed: Duration) {
        let hook = fields([
            ("resource", resource(addr)),
            ("action", action_word(action).into()),
            ("elapsed_seconds", seconds(elapsed)),
        ]);
        emit(
            "info",
            &format!("{addr}: Still {}... [{} elapsed]", progress_verb(action), whole_seconds(elapsed)),
            "apply_progress",
            fields([("hook", J::Object(hook))]),
        );
    }
    fn apply_done(
        &self,
        addr: &InstanceAddr,
        deposed: Option<&str>,
        action: Action,
        elapsed: Duration,
        id: Option<&str>,
    ) {
        let hook = with_id(
            fields([
                ("resource", resource(addr)),
                ("action", action_word(action).into()),
                ("elapsed_seconds", seconds(elapsed)),
            ]),
            id,
        );
        emit(
            "info",
            &format!(
                "{}: {} complete after {}{}",
                named(addr, deposed),
                noun(action),
                whole_seconds(elapsed),
                id_suffix(id)
            ),
            "apply_complete",
            fields([("hook", J::Object(hook))]),
        );
    }
    fn apply_failed(&self, addr: &InstanceAddr, action: Action, elapsed: Duration) {
        let hook = fields([
            ("resource", resource(addr)),
            ("action", action_word(action).into()),
            ("elapsed_seconds", seconds(elapsed)),
        ]);
        emit(
            "error",
            &format!("{addr}: {} errored after {}", noun(action), whole_seconds(elapsed)),
            "apply_errored",
            fields([("hook", J::Object(hook))]),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_engine::addr::{InstanceKey, ModuleStep, ResourceAddr};

    #[test]
    fn resources_are_described_as_terraform_does() {
        let mut r = ResourceAddr::managed("aws_instance", "web");
        r.module.push(ModuleStep { name: "app".into(), key: InstanceKey::None });
        let j = resource(&r.instance(InstanceKey::Str("a".into())));
        assert_eq!(
            j,
            json!({
                "addr": "module.app.aws_instance.web[\"a\"]",
                "module": "module.app",
                "resource": "aws_instance.web[\"a\"]",
                "implied_provider": "aws",
                "resource_type": "aws_instance",
                "resource_name": "web",
                "resource_key": "a",
            })
        );
        assert_eq!(reason_word(Reason::ReplaceBecauseCannotUpdate), "cannot_update");
        assert_eq!(reason_word(Reason::DeleteBecauseNoResourceConfig), "delete_because_no_resource_config");
        assert_eq!(seconds(Duration::from_millis(1500)), json!(1.5));
        assert_eq!(seconds(Duration::ZERO), json!(0));
    }

    #[test]
    fn snippets_point_into_the_source_lines() {
        let mut sources = SourceMap::default();
        let file = sources.add("main.tf", "a = 1\nbad = x\n");
        let d = Diagnostic::error("Oops", "").at(terrane_engine::diag::SourceRange::new(file, 12..13));
        let s = snippet(&d, &sources).unwrap();
        assert_eq!(s["code"], "bad = x");
        assert_eq!(s["start_line"], 2);
        assert_eq!(s["highlight_start_offset"], 6);
        assert_eq!(s["highlight_end_offset"], 7);
    }
}
