//! Static analysis of expressions: which objects (variables, locals, resources, ...) an
//! expression refers to. The dependency graph is built from these references.

use crate::addr::{Mode, ResourceAddr};
use crate::config::Expr;
use crate::diag::{Diagnostic, FileId, SourceRange};
use crate::value::PathStep;
use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey, TraversalOperator};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::{Directive, Element, Template};

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

/// How many traversal steps after the root name make up the subject.
fn subject_len(root: &str) -> usize {
    match root {
        "data" => 2,
        _ => 1,
    }
}

/// Splits a root name and its first attribute steps into a subject, or explains why not.
pub(crate) fn subject_of(root: &str, attrs: &[&str]) -> Result<Subject, String> {
    let first = attrs.first().copied();
    let need = |what: &str| format!("The \"{root}\" object cannot be used alone; name {what}, like {root}.example.");
    Ok(match root {
        "var" => Subject::Var(first.ok_or_else(|| need("a variable"))?.to_string()),
        "local" => Subject::Local(first.ok_or_else(|| need("a local value"))?.to_string()),
        "module" => Subject::Module(first.ok_or_else(|| need("a module call"))?.to_string()),
        "count" => match first {
            Some("index") => Subject::CountIndex,
            _ => return Err("The \"count\" object has only the attribute \"index\".".into()),
        },
        "each" => match first {
            Some("key") => Subject::EachKey,
            Some("value") => Subject::EachValue,
            _ => return Err("The \"each\" object has only the attributes \"key\" and \"value\".".into()),
        },
        "self" => Subject::SelfRef,
        "path" => match first {
            Some(p @ ("module" | "root" | "cwd")) => Subject::Path(p.to_string()),
            _ => return Err("The \"path\" object has only the attributes \"module\", \"root\" and \"cwd\".".into()),
        },
        "terraform" => match first {
            Some("workspace") => Subject::Workspace,
            _ => return Err("The \"terraform\" object has only the attribute \"workspace\".".into()),
        },
        "data" => match attrs {
            [t, n, ..] => Subject::Resource(ResourceAddr::new(Mode::Data, *t, *n)),
            _ => return Err("A data source reference needs a type and a name, like data.aws_ami.base.".into()),
        },
        "resource" => {
            return Err("\"resource\" is not a valid reference; refer to a resource by its type and name.".into());
        }
        type_name => match first {
            Some(n) => Subject::Resource(ResourceAddr::managed(type_name, n)),
            None => {
                return Err(format!(
                    "A reference to a resource type must be followed by at least one attribute access, specifying the resource name (\"{type_name}\" alone is not a value)."
                ));
            }
        },
    })
}

/// Collects every reference in `e`, ignoring names bound by enclosing `for` expressions
/// or template directives (given in `bound`).
pub fn collect(file: FileId, e: &Expression, bound: &mut Vec<String>, out: &mut Vec<Reference>) {
    match e {
        Expression::Null(_) | Expression::Bool(_) | Expression::Number(_) | Expression::String(_) => {}
        Expression::Array(items) => items.iter().for_each(|i| collect(file, i, bound, out)),
        Expression::Object(obj) => {
            for (k, v) in obj.iter() {
                if let ObjectKey::Expression(k) = k {
                    // A bare identifier in parentheses or a string is a key, not a reference.
                    if !matches!(k, Expression::Variable(_)) {
                        collect(file, k, bound, out);
                    }
                }
                collect(file, v.expr(), bound, out);
            }
        }
        Expression::StringTemplate(t) => collect_template(file, t, bound, out),
        Expression::HeredocTemplate(h) => collect_template(file, &h.template, bound, out),
        Expression::Parenthesis(p) => collect(file, p.inner(), bound, out),
        Expression::Variable(v) => {
            let name = v.as_str();
            if !bound.iter().any(|b| b == name)
                && let Ok(subject) = subject_of(name, &[])
            {
                out.push(Reference { subject, range: SourceRange::new(file, v.span().unwrap_or(0..0)), rest: vec![] });
            }
        }
        Expression::Conditional(c) => {
            collect(file, &c.cond_expr, bound, out);
            collect(file, &c.true_expr, bound, out);
            collect(file, &c.false_expr, bound, out);
        }
        Expression::FuncCall(f) => f.args.iter().for_each(|a| collect(file, a, bound, out)),
        Expression::Traversal(t) => {
            if let Some(r) = traversal_reference(file, t, bound) {
                out.push(r);
            } else {
                collect(file, &t.expr, bound, out);
            }
            for op in &t.operators {
                if let TraversalOperator::Index(i) = op.value() {
                    collect(file, i, bound, out);
                }
            }
        }
        Expression::UnaryOp(u) => collect(file, &u.expr, bound, out),
        Expression::BinaryOp(b) => {
            collect(file, &b.lhs_expr, bound, out);
            collect(file, &b.rhs_expr, bound, out);
        }
        Expression::ForExpr(f) => {
            collect(file, &f.intro.collection_expr, bound, out);
            let n = bound.len();
            if let Some(k) = &f.intro.key_var {
                bound.push(k.as_str().to_string());
            }
            bound.push(f.intro.value_var.as_str().to_string());
            if let Some(k) = &f.key_expr {
                collect(file, k, bound, out);
            }
            collect(file, &f.value_expr, bound, out);
            if let Some(c) = &f.cond {
                collect(file, &c.expr, bound, out);
            }
            bound.truncate(n);
        }
    }
}

fn collect_template(file: FileId, t: &Template, bound: &mut Vec<String>, out: &mut Vec<Reference>) {
    for el in t.iter() {
        match el {
            Element::Literal(_) => {}
            Element::Interpolation(i) => collect(file, &i.expr, bound, out),
            Element::Directive(d) => match d.as_ref() {
                Directive::If(d) => {
                    collect(file, &d.if_expr.cond_expr, bound, out);
                    collect_template(file, &d.if_expr.template, bound, out);
                    if let Some(e) = &d.else_expr {
                        collect_template(file, &e.template, bound, out);
                    }
                }
                Directive::For(d) => {
                    let f = &d.for_expr;
                    collect(file, &f.collection_expr, bound, out);
                    let n = bound.len();
                    if let Some(k) = &f.key_var {
                        bound.push(k.as_str().to_string());
                    }
                    bound.push(f.value_var.as_str().to_string());
                    collect_template(file, &f.template, bound, out);
                    bound.truncate(n);
                }
            },
        }
    }
}

fn traversal_reference(file: FileId, t: &hcl_edit::expr::Traversal, bound: &[String]) -> Option<Reference> {
    let Expression::Variable(root) = &t.expr else { return None };
    let root_name = root.as_str();
    if bound.iter().any(|b| b == root_name) {
        return None;
    }
    let mut attrs = Vec::new();
    let take = subject_len(root_name);
    for op in t.operators.iter().take(take) {
        match op.value() {
            TraversalOperator::GetAttr(a) => attrs.push(a.as_str()),
            _ => break,
        }
    }
    let subject = subject_of(root_name, &attrs).ok()?;
    let used = match &subject {
        Subject::SelfRef => 0,
        Subject::Resource(r) if r.mode == Mode::Data => 2,
        _ => 1,
    };
    let start = root.span().map_or(0, |s| s.start);
    let mut end = root.span().map_or(start, |s| s.end);
    if let Some(op) = t.operators.get(used.max(1) - 1).filter(|_| used > 0) {
        end = op.span().map_or(end, |s| s.end);
    }
    let mut rest = Vec::new();
    for op in t.operators.iter().skip(used) {
        let step = match op.value() {
            TraversalOperator::GetAttr(a) => PathStep::Attr(a.as_str().to_string()),
            TraversalOperator::LegacyIndex(i) => PathStep::Index(*i.value() as usize),
            TraversalOperator::Index(Expression::Number(n)) => match n.value().as_u64() {
                Some(i) => PathStep::Index(i as usize),
                None => break,
            },
            TraversalOperator::Index(Expression::String(s)) => PathStep::Key(s.as_str().to_string()),
            _ => break,
        };
        rest.push(step);
    }
    Some(Reference { subject, range: SourceRange::new(file, start..end), rest })
}

/// References of an expression.
pub fn of_expr(e: &Expr) -> Vec<Reference> {
    let mut out = Vec::new();
    collect(e.file, &e.expr, &mut Vec::new(), &mut out);
    out
}

/// References of a whole block body, including nested and `dynamic` blocks (whose
/// iterator names are bound inside their `content`).
pub fn of_body(file: FileId, body: &Body) -> Vec<Reference> {
    let mut out = Vec::new();
    body_refs(file, body, &mut Vec::new(), &mut out);
    out
}

fn body_refs(file: FileId, body: &Body, bound: &mut Vec<String>, out: &mut Vec<Reference>) {
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => collect(file, &a.value, bound, out),
            Structure::Block(b) if b.ident.as_str() == "dynamic" => {
                let label = b.labels.first().map(|l| l.as_str().to_string()).unwrap_or_default();
                let mut iterator = label;
                for s in b.body.iter() {
                    if let Structure::Attribute(a) = s {
                        match a.key.as_str() {
                            "for_each" | "labels" => collect(file, &a.value, bound, out),
                            "iterator" => {
                                if let Expression::Variable(v) = &a.value {
                                    iterator = v.as_str().to_string();
                                }
                            }
                            _ => {}
                        }
                    }
                }
                let n = bound.len();
                bound.push(iterator);
                for s in b.body.iter() {
                    if let Structure::Block(content) = s
                        && content.ident.as_str() == "content"
                    {
                        body_refs(file, &content.body, bound, out);
                    }
                }
                bound.truncate(n);
            }
            Structure::Block(b) => body_refs(file, &b.body, bound, out),
        }
    }
}

/// The single reference an expression must consist of (`depends_on`, `replace_triggered_by`).
pub fn static_reference(e: &Expr) -> Result<Reference, Diagnostic> {
    let invalid = || {
        Diagnostic::error(
            "Invalid reference",
            "A single static reference is expected here, like aws_instance.web or var.name.",
        )
        .at(e.range())
    };
    let refs = match &e.expr {
        Expression::Traversal(t) => {
            if t.operators.iter().any(|op| matches!(op.value(), TraversalOperator::Index(i) if !matches!(i, Expression::Number(_) | Expression::String(_)))) {
                return Err(invalid());
            }
            traversal_reference(e.file, t, &[])
        }
        Expression::Variable(_) => None,
        _ => None,
    };
    refs.ok_or_else(invalid)
}

/// An attribute path relative to the resource itself (`tags["Name"]`, `ingress[0].cidr`),
/// as `ignore_changes` takes them.
pub fn attribute_path(e: &Expression) -> Option<Vec<PathStep>> {
    match e {
        Expression::Variable(v) => Some(vec![PathStep::Attr(v.as_str().to_string())]),
        Expression::String(s) => Some(vec![PathStep::Attr(s.as_str().to_string())]),
        Expression::Traversal(t) => {
            let mut path = attribute_path(&t.expr)?;
            for op in &t.operators {
                path.push(match op.value() {
                    TraversalOperator::GetAttr(a) => PathStep::Attr(a.as_str().to_string()),
                    TraversalOperator::LegacyIndex(i) => PathStep::Index(*i.value() as usize),
                    TraversalOperator::Index(Expression::Number(n)) => PathStep::Index(n.value().as_u64()? as usize),
                    TraversalOperator::Index(Expression::String(s)) => PathStep::Key(s.as_str().to_string()),
                    _ => return None,
                });
            }
            Some(path)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(src: &str) -> Vec<String> {
        let e = Expr { file: 0, expr: hcl_edit::parser::parse_expr(src).unwrap() };
        of_expr(&e).into_iter().map(|r| r.subject.to_string()).collect()
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
        let e = Expr { file: 0, expr: hcl_edit::parser::parse_expr("aws_instance.web[0].id").unwrap() };
        let r = &of_expr(&e)[0];
        assert_eq!(r.range.span, 0..16);
        assert_eq!(r.rest, vec![PathStep::Index(0), PathStep::Attr("id".into())]);
    }
}
