//! `check` blocks: their assertions are warnings, never errors, and are not evaluated when
//! destroying. A plan warns of an assertion it cannot decide yet and leaves one that fails to
//! evaluate to the apply; the apply reports both kinds of failure as warnings.

use super::Walk;
use crate::checks::{Checkable, Rule};
use crate::diag::{Diagnostic, Severity};
use crate::eval::Condition;

pub(super) fn visit(w: &Walk<'_>, path: &[String], name: &str) -> bool {
    if w.validating() {
        // Errors evaluating the assertions only: they are enforced by the plan.
        let check = w.ctx.config.module(path).and_then(|m| m.checks.iter().find(|c| c.name == name));
        let asserts = check.map(|c| c.asserts.as_slice()).unwrap_or_default();
        let rep = crate::run::Repetition::None;
        if let Some(d) = w.in_module(path, rep, None, |ev| super::rule_errors(ev, asserts)) {
            w.error(d);
        }
        return true;
    }
    w.checkable_instances(path, |m| Checkable::Check(m, name.to_string()));
    if w.destroying() {
        return true;
    }
    for h in w.instances_of(path) {
        let Some(c) = h.config.checks.iter().find(|c| c.name == name) else { continue };
        let scope = w.scope(&h, None, None);
        let mut ev = scope.evaluator();
        let obj = Checkable::Check(h.module.clone(), name.to_string());
        for (rule, result) in crate::checks::evaluate(&w.checks, &mut ev, &obj, Rule::CheckAssertion, &c.asserts) {
            match result {
                Ok(Condition::Fail(msg)) => {
                    w.failed(Diagnostic::warning("Check block assertion failed", msg).at(rule.condition.range()))
                }
                Ok(Condition::Unknown) if !w.applying() => w.failed(
                    Diagnostic::warning(
                        "Check block assertion known after apply",
                        "The condition could not be evaluated at this time, a result will be known when this plan is applied.",
                    )
                    .at(rule.condition.range()),
                ),
                Err(ds) if w.applying() => {
                    for d in ds {
                        w.error(Diagnostic { severity: Severity::Warning, ..d });
                    }
                }
                // Conditions failing to evaluate in a plan are checked again after apply.
                Ok(_) | Err(_) => {}
            }
        }
    }
    true
}
