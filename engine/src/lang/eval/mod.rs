//! Expression evaluation, a port of hclsyntax's `Value` methods: every kind of expression
//! gives a value and the diagnostics it met, so one evaluation reports every error (as
//! Terraform does) and errors leave unknown placeholders behind rather than stopping.

pub(crate) mod call;
mod collections;
mod ops;
mod template;
pub mod traverse;

use crate::cty::Value;
use crate::diag::{Diagnostic, FileId, SourceRange};
use crate::hcl::ast::{Expr, ExprKind, Span, Traverser};
use std::path::Path;

pub type Diags = Vec<Diagnostic>;

pub fn has_errors(d: &[Diagnostic]) -> bool {
    d.iter().any(Diagnostic::is_error)
}

/// Resolves the references an expression makes: Terraform's `var.x`, `local.y`,
/// `aws_instance.a`, `count.index`... The planner, the applier and the console each provide
/// one.
pub trait Scope: Sync {
    /// The value `root` and the leading `steps` refer to, and how many of the steps the
    /// reference took (`var.x` takes one; `data.a.b` two); the evaluator applies the rest.
    fn resolve(&self, root: &str, steps: &[Traverser], range: &SourceRange) -> Result<(Value, usize), Diags>;

    /// The root names in scope, for "did you mean" hints of HCL's own unknown-variable
    /// error (template variables).
    fn names(&self) -> Vec<String> {
        Vec::new()
    }

    /// Whether references are resolved before evaluation (Terraform's scopes); a plain
    /// HCL scope (template variables) reports them as evaluation meets them.
    fn prevalidates(&self) -> bool {
        true
    }

    /// A function a provider offers (`provider::aws::arn_parse`), when the scope has one by
    /// that name.
    fn provider_function(&self, _name: &str) -> Option<std::sync::Arc<dyn ExternalFunction>> {
        None
    }
}

/// A function defined outside the language: a provider's.
pub trait ExternalFunction: Send + Sync {
    fn signature(&self) -> &crate::schema::FunctionSignature;
    /// Calls it with arguments of its parameters' types (unmarked).
    fn call(&self, args: Vec<Value>) -> Result<Value, String>;
}

/// Evaluates the expressions of one source file against a scope.
pub struct Evaluator<'a> {
    pub scope: &'a dyn Scope,
    /// Directory the file functions resolve relative paths against.
    pub base_dir: &'a Path,
    pub file: FileId,
    /// The file's text and name, for the ranges some messages quote (`try`).
    pub src: &'a [u8],
    pub filename: &'a str,
    /// `terraform console`: the console-only `type()` function is available.
    pub console: bool,
    /// The plan's timestamp for `plantimestamp()` (RFC 3339), when planning.
    pub plan_timestamp: Option<&'a str>,
    /// In a template rendered by `templatefile`/`templatestring`: those are refused.
    pub in_template: bool,
    /// No functions may be called (HCL's evaluation without an `EvalContext`: defaults
    /// in type constraints).
    pub no_functions: bool,
    /// Names bound by `for` expressions and template directives, innermost last.
    bound: Vec<(String, Value)>,
    /// The current element of the splats being evaluated, innermost last.
    splat_items: Vec<Value>,
}

impl<'a> Evaluator<'a> {
    pub fn new(
        scope: &'a dyn Scope,
        base_dir: &'a Path,
        file: FileId,
        src: &'a [u8],
        filename: &'a str,
    ) -> Evaluator<'a> {
        Evaluator {
            scope,
            base_dir,
            file,
            src,
            filename,
            console: false,
            plan_timestamp: None,
            in_template: false,
            no_functions: false,
            bound: Vec::new(),
            splat_items: Vec::new(),
        }
    }

    pub(crate) fn range(&self, span: &Span) -> SourceRange {
        SourceRange::new(self.file, span.clone())
    }

    pub(crate) fn error(&self, summary: &str, detail: impl Into<String>, span: &Span) -> Diagnostic {
        Diagnostic::error(summary, detail).at(self.range(span))
    }

    /// hcl's `Range.String()` of a span of this file (`main.tf:3,5-9`).
    pub(crate) fn range_string(&self, span: &Span) -> String {
        let (l1, c1) = crate::hcl::line_col(self.src, span.start);
        let (l2, c2) = crate::hcl::line_col(self.src, span.end);
        if l1 == l2 {
            format!("{}:{l1},{c1}-{c2}", self.filename)
        } else {
            format!("{}:{l1},{c1}-{l2},{c2}", self.filename)
        }
    }

    /// Binds `name` to `value` for every evaluation from now on (a dynamic block's
    /// iterator).
    pub fn bind(&mut self, name: &str, value: Value) {
        self.bound.push((name.to_string(), value));
    }

    /// Evaluates with `name` bound to `value` (a dynamic block's iterator, a template's
    /// loop variable).
    pub fn with_bound<T>(&mut self, name: &str, value: Value, f: impl FnOnce(&mut Self) -> T) -> T {
        self.bound.push((name.to_string(), value));
        let out = f(self);
        self.bound.pop();
        out
    }

    /// Evaluates an expression as Terraform's `Scope.EvalExpr` does: every reference is
    /// resolved first, and if any fails only those errors are reported (evaluation would
    /// repeat them, and `try` could hide them); then the expression is evaluated.
    pub fn eval(&mut self, e: &Expr) -> (Value, Diags) {
        if self.scope.prevalidates() {
            let mut diags: Diags = Vec::new();
            let bound: Vec<String> = self.bound.iter().map(|(n, _)| n.clone()).collect();
            let mut refs = Vec::new();
            e.variables(&mut |root, steps, span| {
                if !bound.iter().any(|b| b == root) {
                    refs.push((root, steps, span.clone()));
                }
            });
            for (root, steps, span) in refs {
                if let Err(d) = self.scope.resolve(root, steps, &self.range(&span)) {
                    diags.extend(d);
                }
            }
            if has_errors(&diags) {
                return (Value::DYNAMIC, diags);
            }
        }
        self.value(e)
    }
    /// Each expression's value, in order, and all their diagnostics.
    fn values(&mut self, exprs: &[Expr]) -> (Vec<Value>, Diags) {
        let mut diags = Vec::new();
        let mut vals = Vec::with_capacity(exprs.len());
        for e in exprs {
            let (v, d) = self.value(e);
            diags.extend(d);
            vals.push(v);
        }
        (vals, diags)
    }

    /// Evaluates an expression without the reference pre-check (recursion, and scopes
    /// that do not pre-validate).
    pub(crate) fn value(&mut self, e: &Expr) -> (Value, Diags) {
        // Deeply nested expressions recurse deeply: the stack grows on the heap when it runs
        // low (Go's stacks, which Terraform runs on, grow the same way).
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || self.value_inner(e))
    }

    fn value_inner(&mut self, e: &Expr) -> (Value, Diags) {
        match &e.kind {
            ExprKind::Literal(v) => (v.clone(), Vec::new()),
            ExprKind::Parens(inner) | ExprKind::TemplateWrap(inner) => self.value(inner),
            ExprKind::SyntaxError => (Value::DYNAMIC, Vec::new()),
            ExprKind::ScopeTraversal { root, root_span, steps } => {
                self.scope_traversal(root, root_span, steps, &e.span)
            }
            ExprKind::RelativeTraversal { source, steps } => {
                let (v, mut diags) = self.value(source);
                match self.traverse_rel(v, steps) {
                    Ok(v) => (v, diags),
                    Err(more) => {
                        diags.extend(more);
                        (Value::DYNAMIC, diags)
                    }
                }
            }
            ExprKind::AnonSymbol => (self.splat_items.last().cloned().unwrap_or(Value::DYNAMIC), Vec::new()),
            ExprKind::FunctionCall { name, name_span, args, expand_final, open_paren_span, close_paren_span } => {
                self.function_call(name, name_span, args, *expand_final, (open_paren_span, close_paren_span), &e.span)
            }
            ExprKind::Conditional { cond, if_true, if_false } => self.conditional(cond, if_true, if_false, &e.span),
            ExprKind::BinaryOp { op, lhs, rhs } => self.binary_op(*op, lhs, rhs, &e.span),
            ExprKind::UnaryOp { op, val, .. } => self.unary_op(*op, val, &e.span),
            ExprKind::Template(parts) => self.template(parts, &e.span),
            ExprKind::TemplateJoin(tuple) => self.template_join(tuple, &e.span),
            ExprKind::Tuple(items) => {
                let (vals, diags) = self.values(items);
                (Value::tuple(vals), diags)
            }
            ExprKind::Object(items) => self.object_cons(items),
            ExprKind::For(f) => self.for_expr(f, &e.span),
            ExprKind::Index { collection, key, bracket_span } => {
                let (c, mut diags) = self.value(collection);
                let (k, d) = self.value(key);
                diags.extend(d);
                match traverse::index(&c, &k, &self.range(bracket_span)) {
                    Ok(v) => (v, diags),
                    Err(more) => {
                        diags.extend(more);
                        (Value::DYNAMIC, diags)
                    }
                }
            }
            ExprKind::Splat { source, each, marker_span } => self.splat(source, each, marker_span, &e.span),
        }
    }

    fn scope_traversal(&mut self, root: &str, root_span: &Span, steps: &[Traverser], span: &Span) -> (Value, Diags) {
        if let Some((_, v)) = self.bound.iter().rev().find(|(n, _)| n == root) {
            let v = v.clone();
            return match self.traverse_rel(v, steps) {
                Ok(v) => (v, Vec::new()),
                Err(d) => (Value::DYNAMIC, d),
            };
        }
        let _ = root_span;
        match self.scope.resolve(root, steps, &self.range(span)) {
            Ok((v, used)) => match self.traverse_rel(v, &steps[used.min(steps.len())..]) {
                Ok(v) => (v, Vec::new()),
                Err(d) => (Value::DYNAMIC, d),
            },
            Err(d) => (Value::DYNAMIC, d),
        }
    }

    /// Applies traversal steps to a value (hcl's `TraverseRel`), stopping at the first error.
    pub fn traverse_rel(&self, mut v: Value, steps: &[Traverser]) -> Result<Value, Diags> {
        for step in steps {
            v = match step {
                Traverser::Attr { name, span } => traverse::get_attr(&v, name, &self.range(span))?,
                Traverser::Index { key, span } => traverse::index(&v, key, &self.range(span))?,
            };
        }
        Ok(v)
    }
}

/// When less than this much stack is left, recursion continues on a new segment...
pub(crate) const STACK_RED_ZONE: usize = 256 * 1024;
/// ... of this size.
pub(crate) const STACK_GROWTH: usize = 4 * 1024 * 1024;

/// A scope in which nothing can be referenced (variable defaults, settings): HCL's
/// "Variables not allowed".
pub struct NoScope;

impl Scope for NoScope {
    fn resolve(&self, _root: &str, _steps: &[Traverser], range: &SourceRange) -> Result<(Value, usize), Diags> {
        Err(vec![Diagnostic::error("Variables not allowed", "Variables may not be used here.").at(range.clone())])
    }
}

/// A scope of plain named values (template variables): a missing name is HCL's "Unknown
/// variable".
pub struct VarsScope {
    pub vars: std::collections::BTreeMap<String, Value>,
}

impl Scope for VarsScope {
    fn resolve(&self, root: &str, _steps: &[Traverser], range: &SourceRange) -> Result<(Value, usize), Diags> {
        if let Some(v) = self.vars.get(root) {
            return Ok((v.clone(), 0));
        }
        let hint = crate::hcl::best_suggestion(root, self.vars.keys().map(String::as_str))
            .map(|s| format!(" Did you mean {}?", crate::cty::ty::go_quote(s)))
            .unwrap_or_default();
        Err(vec![
            Diagnostic::error(
                "Unknown variable",
                format!("There is no variable named {}.{hint}", crate::cty::ty::go_quote(root)),
            )
            .at(SourceRange::new(range.file, range.span.start..range.span.start + root.len())),
        ])
    }

    fn names(&self) -> Vec<String> {
        self.vars.keys().cloned().collect()
    }

    fn prevalidates(&self) -> bool {
        false
    }
}
