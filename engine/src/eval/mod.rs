//! The expression evaluator: HCL expressions (from hcl-edit, with spans) to [`Value`]s,
//! with unknown values and sensitive marks flowing through every operator and function.

mod body;
mod expr;
pub mod functions;
mod ops;
pub mod references;
mod template;

pub use body::{decode_body, dynamic_iterators};
pub use references::{Reference, Subject};

use crate::config::Expr;
use crate::diag::{Diagnostic, FileId, SourceRange};
use crate::value::Value;
use std::path::{Path, PathBuf};

/// Resolves the objects expressions refer to. The planner, the applier and the console each
/// provide one.
pub trait Scope: Sync {
    /// The value of `subject` (a whole resource is an object, a tuple for `count`, or a map
    /// for `for_each`). `range` is where the reference is, for diagnostics.
    fn resolve(&self, subject: &Subject, range: &SourceRange) -> Result<Value, Diagnostic>;
}

/// A scope in which nothing can be referenced: constants only.
pub struct EmptyScope;

impl Scope for EmptyScope {
    fn resolve(&self, subject: &Subject, range: &SourceRange) -> Result<Value, Diagnostic> {
        Err(Diagnostic::error(
            "Variables not allowed",
            format!("A reference to {subject} cannot be used here; only constant values are allowed."),
        )
        .at(range.clone()))
    }
}

/// A scope in which every reference is unknown (`validate`: checks types and arguments
/// without values).
pub struct UnknownScope;

impl Scope for UnknownScope {
    fn resolve(&self, _subject: &Subject, _range: &SourceRange) -> Result<Value, Diagnostic> {
        Ok(Value::Unknown)
    }
}

/// Evaluates expressions of one file against a scope.
pub struct Evaluator<'a> {
    pub scope: &'a dyn Scope,
    /// Directory that file functions (`file`, `templatefile`) resolve relative paths against.
    pub base_dir: PathBuf,
    pub(crate) file: FileId,
    /// Names bound by `for` expressions, template directives and dynamic block iterators.
    pub(crate) bound: Vec<(String, Value)>,
}

impl<'a> Evaluator<'a> {
    pub fn new(scope: &'a dyn Scope, base_dir: &Path) -> Evaluator<'a> {
        Evaluator { scope, base_dir: base_dir.to_path_buf(), file: 0, bound: Vec::new() }
    }

    /// Evaluates an expression.
    pub fn eval(&mut self, e: &Expr) -> Result<Value, Diagnostic> {
        let prev = std::mem::replace(&mut self.file, e.file);
        let out = self.expr(&e.expr);
        self.file = prev;
        out
    }

    /// Evaluates with an extra name bound (e.g. a dynamic block's iterator).
    pub fn with_bound<T>(&mut self, name: &str, value: Value, f: impl FnOnce(&mut Self) -> T) -> T {
        self.bound.push((name.to_string(), value));
        let out = f(self);
        self.bound.pop();
        out
    }

    pub(crate) fn range(&self, span: Option<std::ops::Range<usize>>) -> SourceRange {
        SourceRange::new(self.file, span.unwrap_or(0..0))
    }
}

/// Evaluates an expression that may not refer to anything (variable defaults, settings).
pub fn eval_constant(e: &Expr) -> Result<Value, Diagnostic> {
    Evaluator::new(&EmptyScope, Path::new(".")).eval(e)
}

/// Evaluates a condition (`validation`, `precondition`, `postcondition`) and its message.
/// Returns `Ok(None)` when the condition holds or is not yet known.
pub fn check_condition(ev: &mut Evaluator<'_>, rule: &crate::config::CheckRule) -> Result<Option<String>, Diagnostic> {
    let cond = ev.eval(&rule.condition)?;
    let (cond, _) = cond.unmark();
    match cond {
        Value::Unknown => Ok(None),
        Value::Bool(true) => Ok(None),
        Value::Bool(false) => {
            let msg = ev.eval(&rule.error_message)?;
            Ok(Some(match msg.unmark() {
                (_, true) => "(the error message is sensitive)".to_string(),
                (Value::String(s), _) => s.clone(),
                (Value::Unknown, _) => "(the error message is not known yet)".to_string(),
                (other, _) => format!("{other:?}"),
            }))
        }
        Value::Null => Err(Diagnostic::error(
            "Invalid condition result",
            "The condition expression must not produce null: it must be true or false.",
        )
        .at(rule.condition.range())),
        _ => Err(Diagnostic::error("Invalid condition result", "The condition must be a boolean value.")
            .at(rule.condition.range())),
    }
}

#[cfg(test)]
mod tests;
