//! Plan and validation rules shared by resource types that the schema alone cannot say:
//! identifiers planned in lowercase, replacement forced by one attribute, optional-computed
//! values kept, configured engine versions matched with the actual ones, `name` and
//! `name_prefix` checked.

use crate::resource::invalid;
use crate::val;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::PlanResponse;
use terrane_engine::schema::Schema;
use terrane_engine::value::{PathStep, Value};

/// Re-plans with the given configured string attributes lowercased, as Terraform's
/// `StateFunc: strings.ToLower` does for identifiers AWS stores in lowercase (so `MyCache`
/// neither replaces `mycache` nor shows a diff forever).
pub fn replan_lowercase(
    schema: &Schema,
    prior: Option<&Value>,
    config: &Value,
    resp: &mut PlanResponse,
    attrs: &[&str],
) {
    let mut lowered = config.clone();
    let mut changed = false;
    for a in attrs {
        let Some(s) = config.get_attr(a).and_then(Value::as_str) else { continue };
        let l = s.to_lowercase();
        if l != s {
            lowered.set_at_path(&[PathStep::Attr((*a).to_string())], Value::from(l));
            changed = true;
        }
    }
    if !changed {
        return;
    }
    *resp = terrane_engine::plan::diff::generic_plan(schema, prior, &lowered);
}

/// Turns an in-place update into a replacement because of `attr` (a rule the schema alone
/// cannot say, like Terraform's `ForceNewIf`).
pub fn force_replacement(schema: &Schema, config: &Value, resp: &mut PlanResponse, attr: &str) {
    let path = vec![PathStep::Attr(attr.to_string())];
    if resp.requires_replace.contains(&path) {
        return;
    }
    if resp.requires_replace.is_empty() {
        let kept = resp.planned.get_attr(attr).cloned();
        resp.planned = terrane_engine::plan::diff::generic_plan(schema, None, config).planned;
        if let Some(v) = kept {
            resp.planned.set_at_path(&[PathStep::Attr(attr.to_string())], v);
        }
    }
    resp.requires_replace.push(path);
}

/// The `engine_version` to record: the configured one while the actual version matches it
/// (`8.0` or `7.x` for `8.0.35` / `7.1.0`), else the actual one.
pub fn engine_version(configured: Option<String>, actual: Option<&str>) -> Value {
    match (configured, actual) {
        (Some(c), Some(a)) if version_matches(&c, a) => Value::from(c),
        (c, None) => val::opt_str(c.as_deref()),
        (_, Some(a)) => Value::from(a),
    }
}

/// Whether the actual engine version is the configured one or within it (`8.0` and `8.0.35`).
pub fn version_matches(configured: &str, actual: &str) -> bool {
    let c = configured.trim_end_matches(".x").trim_end_matches('.');
    configured == actual || actual.starts_with(&format!("{c}."))
}

/// Whether a configured attribute is missing (null; an unknown value is not missing).
pub fn missing(config: &Value, k: &str) -> bool {
    config.get_attr(k).is_none_or(Value::is_null)
}

/// Whether `k` is planned to a known value other than the prior one (marks aside).
pub fn changed(prior: &Value, planned: &Value, k: &str) -> bool {
    let p = prior.get_attr(k).cloned().unwrap_or_default().deep_unmark();
    let n = planned.get_attr(k).cloned().unwrap_or_default().deep_unmark();
    !terrane_engine::plan::diff::same(&p, &n) && !n.is_unknown()
}

/// Keeps the prior value of optional-computed attributes the configuration leaves unset, even
/// when that value is null (the generic plan would make a null prior value unknown, and so
/// plan a change on every run).
pub fn keep_computed(prior: Option<&Value>, config: &Value, plan: &mut PlanResponse, keys: &[&str]) {
    let Some(prior) = prior.filter(|p| !p.is_null()) else { return };
    if !plan.requires_replace.is_empty() {
        return;
    }
    for k in keys {
        if config.get_attr(k).is_none_or(Value::is_null) {
            let v = prior.get_attr(k).cloned().unwrap_or(Value::NULL);
            plan.planned.set_at_path(&[PathStep::Attr((*k).to_string())], v);
        }
    }
}

/// Errors for `name` and `name_prefix` set together or too long.
pub fn validate_name(config: &Value, max: usize, max_prefix: usize) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let name = val::string(config, "name");
    let prefix = val::string(config, "name_prefix");
    if name.is_some() && prefix.is_some() {
        out.push(invalid(
            "Conflicting configuration arguments",
            "\"name\": conflicts with name_prefix; set only one of them.",
        ));
    }
    if let Some(n) = name.filter(|n| n.chars().count() > max) {
        out.push(invalid("Invalid name", format!("{n:?} is longer than {max} characters.")));
    }
    if let Some(p) = prefix.filter(|p| p.chars().count() > max_prefix) {
        out.push(invalid("Invalid name_prefix", format!("{p:?} is longer than {max_prefix} characters.")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_engine::schema::{Attribute, Schema};
    use terrane_engine::value::Type;

    #[test]
    fn engine_versions_match_by_prefix() {
        assert!(version_matches("8.0", "8.0.35"));
        assert!(version_matches("7.x", "7.1.0"));
        assert!(version_matches("16.3", "16.3"));
        assert!(!version_matches("8.0", "8.01.1"));
        assert_eq!(engine_version(Some("8.0".into()), Some("8.0.35")), Value::from("8.0"));
        assert_eq!(engine_version(Some("8.0".into()), Some("8.4.1")), Value::from("8.4.1"));
        assert_eq!(engine_version(None, Some("8.4.1")), Value::from("8.4.1"));
    }

    #[test]
    fn identifiers_are_planned_in_lowercase() {
        let s = Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("cluster_id", Attribute::required(Type::String).force_new());
        let prior = Value::object([("id", Value::from("web")), ("cluster_id", Value::from("web"))]);
        let config = Value::object([("cluster_id", Value::from("WEB"))]);
        let mut resp = terrane_engine::plan::diff::generic_plan(&s, Some(&prior), &config);
        assert_eq!(resp.requires_replace.len(), 1);
        replan_lowercase(&s, Some(&prior), &config, &mut resp, &["cluster_id"]);
        assert!(resp.requires_replace.is_empty());
        assert_eq!(resp.planned.get_attr("id"), Some(&Value::from("web")));
    }
}
