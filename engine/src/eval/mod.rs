//! Evaluation of configuration expressions: the language ([`crate::lang::eval`]) bound to
//! Terraform's objects. A [`Scope`] resolves references by [`Subject`] (`var.x`,
//! `aws_instance.web`, `count.index`); the references an expression makes are found
//! statically ([`references`]) to build the dependency graph; block bodies are decoded
//! against a provider schema ([`decode_body`]).

mod body;
pub mod references;

pub use body::{decode_body, dynamic_iterator};
pub use references::{Reference, Subject};

use crate::config::{CheckRule, Expr};
use crate::diag::{Diagnostic, Diagnostics, SourceRange};
use crate::hcl::ast::Traverser;
use crate::lang::eval as lang;
use crate::value::Value;
use std::path::{Path, PathBuf};

/// Resolves the objects expressions refer to. The planner, the applier and the console each
/// provide one.
pub trait Scope: Sync {
    /// The value of `subject` (a whole resource is an object, a tuple for `count`, or an
    /// object for `for_each`). `range` is where the reference is, for diagnostics.
    fn resolve(&self, subject: &Subject, range: &SourceRange) -> Result<Value, Diagnostic>;

    /// A provider's function by its full name (`provider::aws::arn_parse`).
    fn provider_function(&self, _name: &str) -> Option<std::sync::Arc<dyn lang::ExternalFunction>> {
        None
    }
}

/// A scope in which nothing can be referenced: constants only.
pub struct EmptyScope;

impl Scope for EmptyScope {
    fn resolve(&self, _subject: &Subject, range: &SourceRange) -> Result<Value, Diagnostic> {
        Err(Diagnostic::error("Variables not allowed", "Variables may not be used here.").at(range.clone()))
    }
}

/// A scope in which every reference is unknown (`validate`: checks types and arguments
/// without values).
pub struct UnknownScope;

impl Scope for UnknownScope {
    fn resolve(&self, _subject: &Subject, _range: &SourceRange) -> Result<Value, Diagnostic> {
        Ok(Value::DYNAMIC)
    }
}

/// The language's view of an engine scope: a traversal's root and first steps parsed into a
/// [`Subject`] (with Terraform's messages for malformed references), then resolved.
struct Adapter<'a> {
    scope: &'a dyn Scope,
}

impl lang::Scope for Adapter<'_> {
    fn resolve(&self, root: &str, steps: &[Traverser], range: &SourceRange) -> Result<(Value, usize), lang::Diags> {
        let attrs: Vec<&str> = steps
            .iter()
            .take(references::subject_len(root))
            .map_while(|s| match s {
                Traverser::Attr { name, .. } => Some(name.as_str()),
                Traverser::Index { .. } => None,
            })
            .collect();
        let subject = references::subject_of(root, &attrs)
            .map_err(|(summary, detail)| vec![Diagnostic::error(summary, detail).at(range.clone())])?;
        let used = references::steps_used(&subject);
        let v = self.scope.resolve(&subject, range).map_err(|d| vec![d])?;
        Ok((v, used))
    }

    fn provider_function(&self, name: &str) -> Option<std::sync::Arc<dyn lang::ExternalFunction>> {
        self.scope.provider_function(name)
    }
}

/// Evaluates configuration expressions against a scope.
pub struct Evaluator<'a> {
    scope: Adapter<'a>,
    /// Directory the file functions resolve relative paths against.
    pub base_dir: PathBuf,
    /// The plan's timestamp, for `plantimestamp()`.
    pub plan_timestamp: Option<String>,
    /// `terrane console`: the console-only `type()` function is available.
    pub console: bool,
    bound: Vec<(String, Value)>,
}

impl<'a> Evaluator<'a> {
    pub fn new(scope: &'a dyn Scope, base_dir: &Path) -> Evaluator<'a> {
        Evaluator {
            scope: Adapter { scope },
            base_dir: base_dir.to_path_buf(),
            plan_timestamp: None,
            console: false,
            bound: Vec::new(),
        }
    }

    /// Evaluates an expression: its value, or every error it met.
    pub fn eval(&mut self, e: &Expr) -> Result<Value, Diagnostics> {
        let (v, diags) = self.eval_all(e);
        if diags.iter().any(Diagnostic::is_error) { Err(Diagnostics(diags)) } else { Ok(v) }
    }

    /// Evaluates an expression: its value (unknown where errors were) and diagnostics.
    pub fn eval_all(&mut self, e: &Expr) -> (Value, Vec<Diagnostic>) {
        let src = e.source.text.as_bytes();
        let mut ev = lang::Evaluator::new(&self.scope, &self.base_dir, e.file, src, &e.source.name);
        ev.plan_timestamp = self.plan_timestamp.as_deref();
        ev.console = self.console;
        for (n, v) in &self.bound {
            ev.bind(n, v.clone());
        }
        ev.eval(&e.expr)
    }

    /// Evaluates an expression and converts its value to `want`, as Terraform's
    /// `Scope.EvalExpr` does ("Incorrect value type" when it does not convert).
    pub fn eval_as(&mut self, e: &Expr, want: &crate::cty::Type) -> Result<Value, Diagnostics> {
        let v = self.eval(e)?;
        if want.is_dynamic() {
            return Ok(v);
        }
        crate::cty::convert::convert(v, want).map_err(|err| {
            Diagnostic::error("Incorrect value type", format!("Invalid expression value: {}.", err.format()))
                .at(e.range())
                .into()
        })
    }

    /// Evaluates with an extra name bound (a dynamic block's iterator).
    pub fn with_bound<T>(&mut self, name: &str, value: Value, f: impl FnOnce(&mut Self) -> T) -> T {
        self.bound.push((name.to_string(), value));
        let out = f(self);
        self.bound.pop();
        out
    }
}

/// Evaluates an expression as HCL does without an evaluation context (variable defaults,
/// `.tfvars` values, settings): no references, no function calls.
pub fn eval_constant(e: &Expr) -> Result<Value, Diagnostics> {
    let (v, diags) = eval_constant_all(e);
    if diags.iter().any(Diagnostic::is_error) { Err(Diagnostics(diags)) } else { Ok(v) }
}

/// [`eval_constant`] with the value (unknown where errors were) and every diagnostic.
pub fn eval_constant_all(e: &Expr) -> (Value, Vec<Diagnostic>) {
    let src = e.source.text.as_bytes();
    let mut ev = lang::Evaluator::new(&lang::NoScope, Path::new("."), e.file, src, &e.source.name);
    ev.no_functions = true;
    ev.eval(&e.expr)
}

/// Evaluates a condition (`validation`, `precondition`, `postcondition`, `check`) and, when
/// it does not hold, its message. `Ok(None)` when the condition holds or is not yet known.
pub fn check_condition(ev: &mut Evaluator<'_>, rule: &CheckRule) -> Result<Option<String>, Diagnostics> {
    Ok(match eval_condition(ev, rule)? {
        Condition::Fail(msg) => Some(msg),
        Condition::Pass | Condition::Unknown => None,
    })
}

/// A condition's result: it holds, fails (with its error message), or is not known yet.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    Pass,
    Fail(String),
    Unknown,
}

impl Condition {
    /// The check status this result is reported as.
    pub fn status(&self) -> crate::checks::Status {
        match self {
            Condition::Pass => crate::checks::Status::Pass,
            Condition::Fail(_) => crate::checks::Status::Fail,
            Condition::Unknown => crate::checks::Status::Unknown,
        }
    }
}

/// Evaluates a condition rule (see [`check_condition`]).
pub fn eval_condition(ev: &mut Evaluator<'_>, rule: &CheckRule) -> Result<Condition, Diagnostics> {
    let cond = ev.eval(&rule.condition)?;
    if !cond.is_known() {
        return Ok(Condition::Unknown);
    }
    let range = rule.condition.range();
    if cond.is_null() {
        return Err(Diagnostic::error(
            "Invalid condition result",
            "Condition expression must return either true or false, not null.",
        )
        .at(range)
        .into());
    }
    let cond = match crate::cty::convert::convert(cond, &crate::cty::Type::Bool) {
        Ok(c) => c,
        Err(e) => {
            return Err(Diagnostic::error(
                "Invalid condition result",
                format!("Invalid condition result value: {}.", e.message),
            )
            .at(range)
            .into());
        }
    };
    match cond.unmarked() {
        Value::Bool(true) => Ok(Condition::Pass),
        Value::Bool(false) => {
            let msg = ev.eval(&rule.error_message)?;
            Ok(Condition::Fail(match (msg.is_sensitive(), msg.unmarked()) {
                (true, _) => "(the error message is sensitive)".to_string(),
                (_, Value::String(s)) => s.clone(),
                (_, Value::Unknown(_)) => "(the error message is not known yet)".to_string(),
                (_, other) => crate::lang::console::format_value(other, 0),
            }))
        }
        _ => Ok(Condition::Unknown),
    }
}

/// `Invalid reference` as Terraform words it for a malformed reference.
pub(crate) fn invalid_reference(detail: impl Into<String>) -> (String, String) {
    ("Invalid reference".to_string(), detail.into())
}
