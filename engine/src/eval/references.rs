//! Static analysis of expressions: which objects (variables, locals, resources, ...) an
//! expression refers to. The dependency graph is built from these references.

use crate::addr::{Mode, ResourceAddr};
use crate::config::Expr;
use crate::diag::{Diagnostic, FileId, SourceRange};
use crate::hcl::ast::{self, Body, ExprKind, Span, Traverser};
use crate::value::{PathStep, Value};

/// What a reference names.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    Var(String),
    Local(String),
    Resource(ResourceAddr),
    Module(String),
    CountIndex,
    EachKey,
    EachValue,
    SelfRef,
    Path(String),
    Workspace,
}

impl Subject {
    pub fn is_resource(&self) -> bool {
        matches!(self, Subject::Resource(r) if r.mode == Mode::Managed)
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Var(n) => write!(f, "var.{n}"),
            Subject::Local(n) => write!(f, "local.{n}"),
            Subject::Resource(r) => write!(f, "{r}"),
            Subject::Module(n) => write!(f, "module.{n}"),
            Subject::CountIndex => write!(f, "count.index"),
            Subject::EachKey => write!(f, "each.key"),
            Subject::EachValue => write!(f, "each.value"),
            Subject::SelfRef => write!(f, "self"),
            Subject::Path(p) => write!(f, "path.{p}"),
            Subject::Workspace => write!(f, "terraform.workspace"),
        }
    }
}

/// A reference found in an expression: its subject, where it is, and the static
/// steps that follow it (`aws_instance.web[0].id` → `[0]`, `.id`).
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    pub subject: Subject,
    pub range: SourceRange,
    pub rest: Vec<PathStep>,
}

/// How many attribute steps after the root name make up the subject, at most.
pub(crate) fn subject_len(root: &str) -> usize {
    match root {
        "data" | "resource" => 2,
        "self" => 0,
        _ => 1,
    }
}

/// How many steps after the root a subject takes.
pub(crate) fn steps_used(subject: &Subject) -> usize {
    match subject {
        Subject::SelfRef => 0,
        Subject::Resource(r) if r.mode == Mode::Data => 2,
        _ => 1,
    }
}

/// Splits a root name and its first attribute steps into a subject, or says why not (the
/// diagnostic's summary and detail, as Terraform's `addrs.ParseRef` words them).
pub(crate) fn subject_of(root: &str, attrs: &[&str]) -> Result<Subject, (String, String)> {
    let first = attrs.first().copied();
    let direct = || {
        super::invalid_reference(format!(
            "The {} object cannot be accessed directly. Instead, access one of its attributes.",
            q(root)
        ))
    };
    Ok(match root {
        "var" => Subject::Var(first.ok_or_else(direct)?.to_string()),
        "local" => Subject::Local(first.ok_or_else(direct)?.to_string()),
        "module" => Subject::Module(first.ok_or_else(direct)?.to_string()),
        "count" => match first.ok_or_else(direct)? {
            "index" => Subject::CountIndex,
            other => {
                return Err((
                    "Invalid \"count\" attribute".into(),
                    format!(
                        "The \"count\" object does not have an attribute named {}. The only supported attribute is count.index, which is the index of each instance of a resource block that has the \"count\" argument set.",
                        q(other)
                    ),
                ));
            }
        },
        "each" => match first.ok_or_else(direct)? {
            "key" => Subject::EachKey,
            "value" => Subject::EachValue,
            other => {
                return Err((
                    "Invalid \"each\" attribute".into(),
                    format!(
                        "The \"each\" object does not have an attribute named {}. The supported attributes are each.key and each.value, the current key and value pair of the \"for_each\" attribute set.",
                        q(other)
                    ),
                ));
            }
        },
        "self" => Subject::SelfRef,
        "path" => match first.ok_or_else(direct)? {
            p @ ("module" | "root" | "cwd") => Subject::Path(p.to_string()),
            other => {
                let hint = crate::hcl::best_suggestion(other, ["cwd", "module", "root"])
                    .map(|s| format!(" Did you mean {}?", q(s)))
                    .unwrap_or_default();
                return Err((
                    "Invalid \"path\" attribute".into(),
                    format!("The \"path\" object does not have an attribute named {}.{hint}", q(other)),
                ));
            }
        },
        "terraform" => match first.ok_or_else(direct)? {
            "workspace" => Subject::Workspace,
            other => {
                return Err((
                    "Invalid \"terraform\" attribute".into(),
                    format!(
                        "The \"terraform\" object does not have an attribute named {}. The only supported attribute is terraform.workspace, the name of the currently-selected workspace.",
                        q(other)
                    ),
                ));
            }
        },
        "data" => match attrs {
            [t, n, ..] => Subject::Resource(ResourceAddr::new(Mode::Data, *t, *n)),
            _ => {
                return Err(super::invalid_reference(
                    "The \"data\" object must be followed by two attribute names: the data source type and the resource name.",
                ));
            }
        },
        "resource" => match attrs {
            [t, n, ..] => Subject::Resource(ResourceAddr::managed(*t, *n)),
            _ => {
                return Err(super::invalid_reference(
                    "The \"resource\" object must be followed by two attribute names: the resource type and the resource name.",
                ));
            }
        },
        "template" | "lazy" | "arg" => {
            return Err((
                "Reserved symbol name".into(),
                format!(
                    "The symbol name {} is reserved for use in a future Terraform version. If you are using a provider that already uses this as a resource type name, add the prefix \"resource.\" to force interpretation as a resource type name.",
                    q(root)
                ),
            ));
        }
        type_name => match first {
            Some(n) => Subject::Resource(ResourceAddr::managed(type_name, n)),
            None => {
                return Err(super::invalid_reference(
                    "A reference to a resource type must be followed by at least one attribute access, specifying the resource name.",
                ));
            }
        },
    })
}

fn q(s: &str) -> String {
    crate::cty::ty::go_quote(s)
}

/// A reference from a traversal (root and steps), if it names a subject.
fn traversal_reference(file: FileId, root: &str, steps: &[Traverser], span: &Span) -> Option<Reference> {
    let attrs: Vec<&str> = steps
        .iter()
        .take(subject_len(root))
        .map_while(|s| match s {
            Traverser::Attr { name, .. } => Some(name.as_str()),
            Traverser::Index { .. } => None,
        })
        .collect();
    let subject = subject_of(root, &attrs).ok()?;
    let mut used = steps_used(&subject);
    if root == "resource" {
        used = 2;
    }
    let end = if used == 0 { span.start + root.len() } else { steps.get(used - 1).map_or(span.end, |s| s.span().end) };
    let rest = path_steps(&steps[used.min(steps.len())..]);
    Some(Reference { subject, range: SourceRange::new(file, span.start..end), rest })
}

/// Static traversal steps as a path (stopping at the first step that is not static).
fn path_steps(steps: &[Traverser]) -> Vec<PathStep> {
    let mut out = Vec::new();
    for s in steps {
        out.push(match s {
            Traverser::Attr { name, .. } => PathStep::Attr(name.clone()),
            Traverser::Index { key, .. } => match key.unmarked() {
                Value::Number(n) => match n.to_u64() {
                    Some(i) => PathStep::Index(i as usize),
                    None => break,
                },
                Value::String(s) => PathStep::Key(s.clone()),
                _ => break,
            },
        });
    }
    out
}

/// References of an expression (names bound by `for` expressions excluded).
pub fn of_expr(e: &Expr) -> Vec<Reference> {
    let mut out = Vec::new();
    collect(e.file, &e.expr, &[], &mut out);
    out
}

/// References of a parsed expression of file `file`.
pub fn of_ast_expr(file: FileId, e: &ast::Expr) -> Vec<Reference> {
    let mut out = Vec::new();
    collect(file, e, &[], &mut out);
    out
}

fn collect(file: FileId, e: &ast::Expr, bound: &[String], out: &mut Vec<Reference>) {
    e.variables(&mut |root, steps, span| {
        if !bound.iter().any(|b| b == root)
            && let Some(r) = traversal_reference(file, root, steps, span)
        {
            out.push(r);
        }
    });
}

/// References of a whole block body, including nested and `dynamic` blocks (whose
/// iterator names are bound inside their `content`).
pub fn of_body(file: FileId, body: &Body) -> Vec<Reference> {
    let mut out = Vec::new();
    body_refs(file, body, &mut Vec::new(), &mut out);
    out
}

fn body_refs(file: FileId, body: &Body, bound: &mut Vec<String>, out: &mut Vec<Reference>) {
    for a in &body.attributes {
        collect(file, &a.expr, bound, out);
    }
    for b in &body.blocks {
        if b.ty != "dynamic" {
            body_refs(file, &b.body, bound, out);
            continue;
        }
        for a in &b.body.attributes {
            if matches!(a.name.as_str(), "for_each" | "labels") {
                collect(file, &a.expr, bound, out);
            }
        }
        let n = bound.len();
        bound.push(super::dynamic_iterator(b));
        for content in b.body.blocks.iter().filter(|c| c.ty == "content") {
            body_refs(file, &content.body, bound, out);
        }
        bound.truncate(n);
    }
}

/// The single reference an expression must consist of (`depends_on`,
/// `replace_triggered_by`): a static traversal.
pub fn static_reference(e: &Expr) -> Result<Reference, Diagnostic> {
    let invalid = || {
        Diagnostic::error(
            "Invalid expression",
            "A single static variable reference is required: only attribute access and indexing with constant keys. No calculations, function calls, template expressions, etc are allowed here.",
        )
        .at(e.range())
    };
    match &e.expr.kind {
        ExprKind::ScopeTraversal { root, steps, .. } => {
            traversal_reference(e.file, root, steps, &e.expr.span).ok_or_else(invalid)
        }
        _ => Err(invalid()),
    }
}

/// Where a `depends_on` reference goes beyond a whole object (Terraform's `ParseRef`
/// `Remaining`): `aws_instance.a.id`, `var.x.y`. A resource takes an instance key and a module
/// call an instance key and an output name before that.
pub fn beyond_object(e: &Expr) -> Option<SourceRange> {
    let ExprKind::ScopeTraversal { root, steps, .. } = &e.expr.kind else { return None };
    let is_index = |i: usize| matches!(steps.get(i), Some(Traverser::Index { .. }));
    let is_attr = |i: usize| matches!(steps.get(i), Some(Traverser::Attr { .. }));
    let used = match root.as_str() {
        "module" => {
            let mut n = 1;
            if is_index(n) {
                n += 1;
            }
            if is_attr(n) {
                n += 1;
            }
            n
        }
        "data" => 2 + usize::from(is_index(2)),
        "var" | "local" | "path" | "terraform" | "count" | "each" | "self" | "resource" | "ephemeral" => 1,
        _ => 1 + usize::from(is_index(1)),
    };
    let rest = steps.get(used..).filter(|r| !r.is_empty())?;
    let span = rest[0].span().start..rest[rest.len() - 1].span().end;
    Some(SourceRange::new(e.file, span))
}

/// An `ignore_changes` entry (a relative traversal, `tags["Name"]`): its path and the source
/// span of each step.
pub fn ignore_path(e: &ast::Expr) -> Option<(Vec<PathStep>, Vec<crate::hcl::Span>)> {
    let ExprKind::ScopeTraversal { root, root_span, steps } = &e.kind else { return None };
    let rest = path_steps(steps);
    if rest.len() != steps.len() {
        return None;
    }
    let mut path = vec![PathStep::Attr(root.clone())];
    path.extend(rest);
    let mut spans = vec![root_span.clone()];
    spans.extend(steps.iter().map(|s| s.span().clone()));
    Some((path, spans))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::SourceFile;
    use std::sync::Arc;

    fn expr(src: &str) -> Expr {
        let (e, d) = crate::hcl::parse_expression(src.as_bytes(), "t");
        assert!(d.is_empty());
        Expr::new(0, e, &Arc::new(SourceFile { name: "t".into(), text: Arc::from(src) }))
    }

    fn refs(src: &str) -> Vec<String> {
        of_expr(&expr(src)).into_iter().map(|r| r.subject.to_string()).collect()
    }

    #[test]
    fn finds_references() {
        assert_eq!(refs("var.a + local.b"), ["var.a", "local.b"]);
        assert_eq!(refs("aws_instance.web[0].id"), ["aws_instance.web"]);
        assert_eq!(refs("data.aws_ami.x.id"), ["data.aws_ami.x"]);
        assert_eq!(refs("\"${count.index}-${each.key}\""), ["count.index", "each.key"]);
        assert_eq!(refs("[for s in var.list : s.name if s.on]"), ["var.list"]);
        assert_eq!(refs("{ for k, v in local.m : k => v }"), ["local.m"]);
        assert_eq!(refs("upper(path.module)"), ["path.module"]);
    }

    #[test]
    fn reference_range_and_rest() {
        let r = &of_expr(&expr("aws_instance.web[0].id"))[0];
        assert_eq!(r.range.span, 0..16);
        assert_eq!(r.rest, vec![PathStep::Index(0), PathStep::Attr("id".into())]);
    }
}
