//! What references name: the graph nodes behind `var.x`, `local.y`, `aws_instance.z`,
//! `module.m.out`, or the error for a reference to something undeclared or out of place.

use super::{Node, child_path, static_in};
use crate::addr::Mode;
use crate::config::{Config, module_display};
use crate::diag::{Diagnostic, did_you_mean};
use crate::eval::references::{Reference, Subject};

/// Checks that a reference outside any resource (a console line) names a declared object,
/// with the errors the graph reports.
pub fn validate_reference(m: &Config, r: &Reference) -> Result<(), Diagnostic> {
    resolve(m, r).map(|_| ())
}

/// The graph nodes a reference in module `m` names (none for `count.index`, `path.module`,
/// ...; every output of a module call), or an error for references to undeclared objects.
/// `count`, `each` and `self` where they are not available are errors of evaluation, as in
/// Terraform: the walk reports them, with everything else it finds.
pub(super) fn resolve(m: &Config, r: &Reference) -> Result<Vec<Node>, Diagnostic> {
    let err = |summary: &str, detail: String| Err(Diagnostic::error(summary, detail).at(r.range.clone()));
    let p = &m.path;
    let here = if p.is_empty() { "the root module".to_string() } else { module_display(p) };
    match &r.subject {
        Subject::Var(name) => {
            if m.variables.contains_key(name) {
                Ok(vec![Node::Variable(p.clone(), name.clone())])
            } else {
                let hint = did_you_mean(name, m.variables.keys().map(String::as_str)).unwrap_or_default();
                err(
                    "Reference to undeclared input variable",
                    format!(
                        "An input variable with the name \"{name}\" has not been declared.{hint} This variable can be declared with a variable \"{name}\" {{}} block."
                    ),
                )
            }
        }
        Subject::Local(name) => {
            if m.locals.contains_key(name) {
                Ok(vec![Node::Local(p.clone(), name.clone())])
            } else {
                let hint = did_you_mean(name, m.locals.keys().map(String::as_str)).unwrap_or_default();
                err(
                    "Reference to undeclared local value",
                    format!("A local value with the name \"{name}\" has not been declared.{hint}"),
                )
            }
        }
        Subject::Resource(addr) => {
            if m.resources.contains_key(addr) {
                Ok(vec![Node::Resource(static_in(addr, p))])
            } else {
                let same_kind: Vec<String> = m
                    .resources
                    .keys()
                    .filter(|a| a.mode == addr.mode)
                    .map(|a| {
                        if a.mode == Mode::Data {
                            format!("data.{}.{}", a.type_name, a.name)
                        } else {
                            format!("{}.{}", a.type_name, a.name)
                        }
                    })
                    .collect();
                let hint = did_you_mean(&addr.to_string(), same_kind.iter().map(String::as_str)).unwrap_or_default();
                let kind = if addr.mode == Mode::Data { "data resource" } else { "managed resource" };
                err(
                    "Reference to undeclared resource",
                    format!("A {kind} \"{}\" \"{}\" has not been declared in {here}.{hint}", addr.type_name, addr.name),
                )
            }
        }
        Subject::Module(name) => match m.children.get(name) {
            Some(child) => {
                let cp = child_path(p, name);
                // `module.x.out` depends on that output; `module.x` on all of them.
                let attr = match r.rest.first() {
                    Some(crate::value::PathStep::Attr(a)) => Some(a.clone()),
                    _ => None,
                };
                match attr {
                    Some(a) if child.outputs.contains_key(&a) => Ok(vec![Node::Output(cp, a)]),
                    Some(a) if child.module_calls.is_empty() || !child.outputs.is_empty() => {
                        let hint = did_you_mean(&a, child.outputs.keys().map(String::as_str)).unwrap_or_default();
                        err(
                            "Unsupported attribute",
                            format!(
                                "This object does not have an attribute named \"{a}\": {} declares no output \"{a}\".{hint}",
                                module_display(&cp)
                            ),
                        )
                    }
                    _ => {
                        let mut out: Vec<Node> =
                            child.outputs.keys().map(|o| Node::Output(cp.clone(), o.clone())).collect();
                        out.push(Node::Module(cp));
                        Ok(out)
                    }
                }
            }
            None => {
                let hint = did_you_mean(name, m.module_calls.keys().map(String::as_str)).unwrap_or_default();
                err(
                    "Reference to undeclared module",
                    format!("No module call named \"{name}\" is declared in {here}.{hint}"),
                )
            }
        },
        _ => Ok(Vec::new()),
    }
}
