//! Input variables: a root variable's value is prepared from what was given (plan) or taken
//! from the plan (apply); a module's is its call's argument, evaluated in the caller. Then
//! the validation rules.

use super::{Op, Walk};
use crate::checks::{Checkable, Rule};
use crate::config::{CheckRule, Variable};
use crate::context::Context;
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::{Condition, Subject};
use crate::run::{Here, Repetition};
use crate::value::Value;

pub(super) fn visit(w: &Walk<'_>, path: &[String], name: &str) -> bool {
    if w.validating() {
        return validating(w, path, name);
    }
    w.checkable_instances(path, |m| Checkable::Var(m, name.to_string()));
    if path.is_empty() {
        return root(w, name);
    }
    w.in_each_instance(path, |h| {
        let Some(decl) = h.config.variables.get(name) else { return false };
        match crate::run::module_input(w.ctx, &w.values, w.state, &h.module, decl) {
            Ok(v) => w.values.set(&h.module, Subject::Var(name.to_string()), v),
            Err(d) => {
                w.error(d);
                w.values.set(&h.module, Subject::Var(name.to_string()), Value::DYNAMIC);
                return false;
            }
        }
        validate(w, h, name, decl)
    })
}

fn root(w: &Walk<'_>, name: &str) -> bool {
    let Some(decl) = w.ctx.config.variables.get(name) else { return false };
    match &w.op {
        Op::Plan { opts, .. } => {
            let unset = crate::variables::InputValue::unset(decl);
            let raw = opts.variables.get(name).unwrap_or(&unset);
            // Terraform's root variable node: a value that does not suit the variable is an
            // error of the plan, and the variable is unknown for the rest of it.
            let (value, d) = crate::variables::prepare_final(&format!("var.{name}"), raw, decl, &w.ctx.config.sources);
            w.values.set(&[], Subject::Var(name.to_string()), value);
            if !w.errors(d) {
                return false;
            }
        }
        // The plan prepared it.
        Op::Apply { plan, .. } => {
            w.values.set(&[], Subject::Var(name.to_string()), plan.variables.get(name).cloned().unwrap_or(Value::NULL))
        }
        Op::Validate => unreachable!("validating() handles the validate walk"),
    }
    validate(w, &w.root(), name, decl)
}

/// The validation rules: checked by the plan, and again by the apply (values unknown at
/// plan time are known), except when destroying.
fn validate(w: &Walk<'_>, h: &Here<'_>, name: &str, decl: &Variable) -> bool {
    if w.applying() && (decl.validations.is_empty() || w.destroying()) {
        return true;
    }
    let scope = w.scope(h, None, None);
    let mut ev = scope.evaluator();
    let obj = Checkable::Var(h.module.clone(), name.to_string());
    let results = crate::checks::evaluate(&w.checks, &mut ev, &obj, Rule::InputValidation, &decl.validations);
    let (ok, diags, failures) = validation_results(w.ctx, decl, results);
    w.error(diags);
    for d in failures {
        w.failed(d);
    }
    ok
}

/// The diagnostics of a variable's validation results, and whether all held. A failed rule
/// is reported at the variable's declaration (where the value came from, for values set
/// outside the configuration), naming the rule.
fn validation_results(
    ctx: &Context,
    decl: &Variable,
    results: Vec<(&CheckRule, Result<Condition, Diagnostics>)>,
) -> (bool, Diagnostics, Vec<Diagnostic>) {
    let mut ok = true;
    let mut diags = Diagnostics::new();
    let mut failures = Vec::new();
    for (rule, result) in results {
        match result {
            Ok(Condition::Fail(msg)) => {
                ok = false;
                let at = location(ctx, &rule.range);
                failures.push(
                    Diagnostic::error(
                        "Invalid value for variable",
                        format!("{msg}\n\nThis was checked by the validation rule at {at}."),
                    )
                    .at(decl.range.clone()),
                );
            }
            Err(d) => {
                ok = false;
                diags.extend(d);
            }
            Ok(_) => {}
        }
    }
    (ok, diags, failures)
}

/// A range as Terraform writes one in a message (hcl's `Range.String`):
/// `file:line,col-endcol`, or `file:line,col-endline,endcol` across lines.
fn location(ctx: &Context, r: &crate::diag::SourceRange) -> String {
    match ctx.config.sources.get(r.file) {
        Some(f) => {
            let (l, c) = crate::diag::line_col(&f.text, r.span.start);
            let (el, ec) = crate::diag::line_col(&f.text, r.span.end);
            if el == l { format!("{}:{l},{c}-{ec}", f.name) } else { format!("{}:{l},{c}-{el},{ec}", f.name) }
        }
        None => "its declaration".into(),
    }
}

/// The validate walk: a module's argument is checked against its variable, but as everywhere
/// in Terraform's validate walk, a variable's value is unknown, of its type. Then errors
/// evaluating its validation rules.
fn validating(w: &Walk<'_>, path: &[String], name: &str) -> bool {
    let Some(decl) = w.ctx.config.module(path).and_then(|c| c.variables.get(name)) else { return true };
    if let Some((call_name, parent)) = path.split_last() {
        module_argument(w, parent, call_name, decl);
    }
    let unknown = Value::unknown(decl.ty.clone()).mark_if(decl.sensitive);
    w.values.set(&crate::checks::unkeyed(path), Subject::Var(name.to_string()), unknown);
    let rules = &decl.validations;
    if let Some(d) = w.in_module(path, Repetition::None, None, |ev| super::rule_errors(ev, rules)) {
        w.error(d);
    }
    true
}

/// A module call's argument for variable `decl`, evaluated in the caller and converted.
fn module_argument(w: &Walk<'_>, parent: &[String], call_name: &str, decl: &Variable) {
    let Some(call) = w.ctx.config.module(parent).and_then(|c| c.module_calls.get(call_name)) else { return };
    let Some(e) = call.args.get(&decl.name) else { return };
    let repetition = Repetition::of(call.count.as_ref(), call.for_each.as_ref());
    match w.in_module(parent, repetition, None, |ev| ev.eval(e)) {
        Some(Ok(v)) => {
            let mut addr: Vec<String> = parent.iter().map(|p| format!("module.{p}")).collect();
            addr.push(format!("module.{call_name}.var.{}", decl.name));
            let (_, d) = crate::variables::convert_module_input(
                &addr.join("."),
                decl,
                Some(v),
                Some(&e.range()),
                &w.ctx.config.sources,
            );
            w.error(d);
        }
        Some(Err(d)) => w.error(d),
        None => {}
    }
}
