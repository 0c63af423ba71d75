//! Output values. A module instance's output is kept for `module.<name>` references. A root
//! output is a planned change (plan) or a value recorded in the state (apply); destroying
//! removes it. Preconditions are checked before the value is evaluated, except when
//! destroying.

use super::{Op, Walk};
use crate::checks::{Checkable, Rule};
use crate::config::{CheckRule, Output};
use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::diff::same;
use crate::plan::{Action, OutputChange};
use crate::run::Here;
use crate::state::OutputState;
use crate::value::Value;

pub(super) fn visit(w: &Walk<'_>, path: &[String], name: &str) -> bool {
    if w.validating() {
        return validating(w, path, name);
    }
    w.checkable_instances(path, |m| Checkable::OutputValue(m, name.to_string()));
    if path.is_empty() {
        return root(w, name);
    }
    w.in_each_instance(path, |h| {
        let Some(o) = h.config.outputs.get(name) else { return false };
        if !w.destroying() && !preconditions(w, h, name, &o.preconditions) {
            return false;
        }
        let (v, ok) = match w.scope(h, None, None).evaluator().eval(&o.value) {
            Ok(v) => (v.mark_if(o.sensitive), true),
            // Destroying needs no output: one that cannot be evaluated any more is unknown.
            Err(_) if w.destroying() => (Value::DYNAMIC, true),
            Err(d) => {
                w.error(Diagnostics(
                    d.into_iter().map(|d| crate::graph::called_from(&w.ctx.config, path, d)).collect(),
                ));
                (Value::DYNAMIC, false)
            }
        };
        w.values.set_output(&h.module, name, v);
        ok
    })
}

fn root(w: &Walk<'_>, name: &str) -> bool {
    let Some(o) = w.ctx.config.outputs.get(name) else { return false };
    if w.destroying() {
        match &w.op {
            Op::Plan { stored, .. } => {
                if let Some(before) = stored.outputs.get(name) {
                    push_change(w, o, Action::Delete, output_value(before), Value::NULL);
                }
            }
            Op::Apply { recorder, .. } => recorder.update(|s| {
                s.outputs.remove(name);
            }),
            Op::Validate => {}
        }
        return true;
    }
    let root = w.root();
    if !preconditions(w, &root, name, &o.preconditions) {
        return false;
    }
    let after = match w.scope(&root, None, None).evaluator().eval(&o.value) {
        Ok(v) => v,
        Err(d) => {
            w.error(d);
            return false;
        }
    };
    match &w.op {
        Op::Plan { stored, .. } => {
            if after.contains_sensitive() && !o.sensitive {
                w.error(sensitive_output_error(o));
                return false;
            }
            let after = after.mark_if(o.sensitive);
            let before = stored.outputs.get(name).map(output_value).unwrap_or(Value::NULL);
            // As Terraform: an output absent from the state is null before (null outputs are
            // never recorded), and one that becomes null is an update to null.
            let action = if before.is_null() && after.is_null() {
                Action::NoOp
            } else if before.is_null() {
                Action::Create
            } else if !after.is_null() && same(&before, &after) {
                Action::NoOp
            } else {
                Action::Update
            };
            push_change(w, o, action, before, after);
        }
        // A value that depends on something that failed or was skipped is not recorded.
        Op::Apply { .. } if !after.is_wholly_known() => {}
        Op::Apply { recorder, .. } => {
            if after.is_null() {
                // As Terraform: a null output is not recorded (asking for it by name then
                // says it is not found, and `output -json` leaves it out).
                recorder.update(|s| {
                    s.outputs.remove(name);
                });
            } else {
                let plain = after.deep_unmark();
                let state = OutputState { value: plain.to_json(), ty: output_type(&plain), sensitive: o.sensitive };
                recorder.update(|s| {
                    s.outputs.insert(name.to_string(), state);
                });
            }
        }
        Op::Validate => unreachable!("validating() handles the validate walk"),
    }
    true
}

fn push_change(w: &Walk<'_>, o: &Output, action: Action, before: Value, after: Value) {
    if let Op::Plan { outputs, .. } = &w.op {
        outputs.lock().expect("outputs lock").push(OutputChange {
            name: o.name.clone(),
            action,
            before,
            after,
            sensitive: o.sensitive,
        });
    }
}

/// An output's preconditions: false when one fails.
fn preconditions(w: &Walk<'_>, h: &Here<'_>, name: &str, rules: &[CheckRule]) -> bool {
    let obj = Checkable::OutputValue(h.module.clone(), name.to_string());
    let scope = w.scope(h, None, None);
    let mut ev = scope.evaluator();
    crate::checks::enforce(&w.checks, &mut ev, &obj, Rule::OutputPrecondition, rules, |d| w.error(d), |d| w.failed(d))
}

/// A root output whose value holds sensitive values without `sensitive = true`.
pub(crate) fn sensitive_output_error(o: &Output) -> Diagnostic {
    Diagnostic::error(
        "Output refers to sensitive values",
        "To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, terrane requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.\n\nIf you do intend to export this data, annotate the output value as sensitive by adding the following argument:\n    sensitive = true",
    )
    .at(o.range.clone())
}

/// A recorded output's value, marked as it was declared.
pub(crate) fn output_value(o: &OutputState) -> Value {
    crate::state::codec_typed(&o.value, &o.ty).mark_if(o.sensitive)
}

/// The type of an output as the state and `output -json` record it.
pub(crate) fn output_type(v: &Value) -> serde_json::Value {
    v.ty().to_json()
}

/// The validate walk: errors evaluating the preconditions and the value, and a root output
/// that exposes sensitive values without being marked so.
fn validating(w: &Walk<'_>, path: &[String], name: &str) -> bool {
    let Some(o) = w.ctx.config.module(path).and_then(|c| c.outputs.get(name)) else { return true };
    let rules = &o.preconditions;
    let result =
        w.in_module(path, crate::run::Repetition::None, None, |ev| (super::rule_errors(ev, rules), ev.eval(&o.value)));
    let Some((rule_diags, value)) = result else { return true };
    w.error(rule_diags);
    let v = value.unwrap_or_else(|d| {
        w.error(d);
        Value::DYNAMIC
    });
    if path.is_empty() && v.contains_sensitive() && !o.sensitive {
        w.error(sensitive_output_error(o));
    }
    w.values.set_output(&crate::checks::unkeyed(path), name, v.mark_if(o.sensitive));
    true
}
