//! The syntax tree of HCL's native syntax, as hclsyntax builds it: bodies of attributes and
//! blocks, and expressions with the byte ranges of their source.

use crate::cty::Value;
use std::ops::Range;

pub type Span = Range<usize>;

/// The range covering both.
pub fn between(a: &Span, b: &Span) -> Span {
    a.start.min(b.start)..a.end.max(b.end)
}

#[derive(Clone, Debug, Default)]
pub struct Body {
    /// In source order; names are unique (a redefinition is an error and is dropped).
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<Block>,
    pub span: Span,
    /// Where the body ends (after its last item), for "missing argument" diagnostics.
    pub end_span: Span,
}

impl Body {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }
}

#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: String,
    pub expr: Expr,
    pub span: Span,
    pub name_span: Span,
    pub equals_span: Span,
}

#[derive(Clone, Debug)]
pub struct Block {
    pub ty: String,
    pub labels: Vec<String>,
    pub body: Body,
    pub type_span: Span,
    pub label_spans: Vec<Span>,
    pub open_brace_span: Span,
    pub close_brace_span: Span,
}

impl Block {
    /// The block's header: its type and labels.
    pub fn header_span(&self) -> Span {
        match self.label_spans.last() {
            Some(l) => between(&self.type_span, l),
            None => self.type_span.clone(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// One step of a traversal after its root.
#[derive(Clone, Debug)]
pub enum Traverser {
    Attr {
        name: String,
        span: Span,
    },
    /// An index by a literal key (`[0]`, `["a"]`, legacy `.0`).
    Index {
        key: Value,
        span: Span,
    },
}

impl Traverser {
    pub fn span(&self) -> &Span {
        match self {
            Traverser::Attr { span, .. } | Traverser::Index { span, .. } => span,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Equal,
    NotEqual,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Not,
    Negate,
}

#[derive(Clone, Debug)]
pub struct ObjectItem {
    pub key: Expr,
    /// The key was written in parentheses: never a bare name.
    pub force_non_literal: bool,
    pub value: Expr,
}

#[derive(Clone, Debug)]
pub struct ForExpr {
    pub key_var: Option<String>,
    pub val_var: String,
    pub coll: Expr,
    pub key: Option<Expr>,
    pub val: Expr,
    pub cond: Option<Expr>,
    pub group: bool,
    pub open_span: Span,
    pub close_span: Span,
}

#[derive(Clone, Debug)]
pub enum ExprKind {
    /// A literal value (numbers, `true`, `false`, `null`; a dynamic unknown after a
    /// syntax error).
    Literal(Value),
    /// A root name and the steps after it (`var.a[0].b`).
    ScopeTraversal {
        root: String,
        root_span: Span,
        steps: Vec<Traverser>,
    },
    /// Steps applied to the result of another expression.
    RelativeTraversal {
        source: Box<Expr>,
        steps: Vec<Traverser>,
    },
    FunctionCall {
        /// With its namespace (`provider::terraform::encode_tfvars`).
        name: String,
        name_span: Span,
        args: Vec<Expr>,
        expand_final: bool,
        open_paren_span: Span,
        close_paren_span: Span,
    },
    Conditional {
        cond: Box<Expr>,
        if_true: Box<Expr>,
        if_false: Box<Expr>,
    },
    BinaryOp {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    UnaryOp {
        op: UnaryOp,
        val: Box<Expr>,
        symbol_span: Span,
    },
    /// A template of several parts (literals, interpolations, directives).
    Template(Vec<Expr>),
    /// A template that is a single interpolation: its value passes through unconverted.
    TemplateWrap(Box<Expr>),
    /// The strings of a `%{ for }` directive's tuple, joined.
    TemplateJoin(Box<Expr>),
    Tuple(Vec<Expr>),
    Object(Vec<ObjectItem>),
    For(Box<ForExpr>),
    Index {
        collection: Box<Expr>,
        key: Box<Expr>,
        bracket_span: Span,
    },
    Splat {
        source: Box<Expr>,
        each: Box<Expr>,
        marker_span: Span,
    },
    /// The placeholder a splat's `each` expression refers to.
    AnonSymbol,
    Parens(Box<Expr>),
    /// What remains of an expression that failed to parse.
    SyntaxError,
}

impl Expr {
    pub fn new(kind: ExprKind, span: Span) -> Expr {
        Expr { kind, span }
    }

    /// The expression as a static traversal (`aws_instance.a.id`), as HCL's
    /// `AbsTraversalForExpr`: for references in `depends_on`, `moved`, `ignore_changes`.
    pub fn as_traversal(&self) -> Option<(&str, &[Traverser])> {
        match &self.kind {
            ExprKind::ScopeTraversal { root, steps, .. } => Some((root, steps)),
            _ => None,
        }
    }

    /// HCL's `StartRange`: the part of the expression a diagnostic about it as a whole (a
    /// function argument) points at. Inside a quoted string for a template; the opening
    /// bracket of a collection, index or `for`; the left operand of an operator.
    pub fn start_span(&self) -> Span {
        let opening = |s: &Span| s.start..(s.start + 1).min(s.end);
        match &self.kind {
            ExprKind::FunctionCall { name_span, open_paren_span, .. } => between(name_span, open_paren_span),
            ExprKind::Conditional { cond: e, .. }
            | ExprKind::BinaryOp { lhs: e, .. }
            | ExprKind::TemplateJoin(e)
            | ExprKind::Parens(e) => e.start_span(),
            ExprKind::UnaryOp { symbol_span, .. } => symbol_span.clone(),
            // `""` has no parts: HCL's empty literal sits right after the opening quote.
            ExprKind::Template(parts) => match parts.first() {
                Some(p) => p.start_span(),
                None => (self.span.start + 1).min(self.span.end)..(self.span.start + 1).min(self.span.end),
            },
            ExprKind::Tuple(_) | ExprKind::Object(_) => opening(&self.span),
            ExprKind::For(f) => f.open_span.clone(),
            ExprKind::Index { bracket_span, .. } => opening(bracket_span),
            ExprKind::Splat { marker_span, .. } => marker_span.clone(),
            _ => self.span.clone(),
        }
    }

    /// A quoted string without interpolations (`"text"`): its text.
    pub fn as_quoted_literal(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Template(parts) => match parts.as_slice() {
                [Expr { kind: ExprKind::Literal(Value::String(s)), .. }] => Some(s),
                _ => None,
            },
            _ => None,
        }
    }

    /// The keyword `null`, `true` or `false` as a bare name, or a single-name traversal
    /// (HCL's `ExprAsKeyword`).
    pub fn as_keyword(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::ScopeTraversal { root, steps, .. } if steps.is_empty() => Some(root),
            ExprKind::Literal(Value::Bool(true)) => Some("true"),
            ExprKind::Literal(Value::Bool(false)) => Some("false"),
            ExprKind::Literal(v) if v.is_null() => Some("null"),
            _ => None,
        }
    }

    /// Calls `f` on every scope traversal in the expression (HCL's `Variables()`), skipping
    /// names bound by `for` expressions and splats.
    pub fn variables<'a>(&'a self, f: &mut dyn FnMut(&'a str, &'a [Traverser], &'a Span)) {
        walk_vars(self, &mut Vec::new(), f);
    }
}

fn walk_vars<'a>(e: &'a Expr, bound: &mut Vec<&'a str>, f: &mut dyn FnMut(&'a str, &'a [Traverser], &'a Span)) {
    match &e.kind {
        ExprKind::ScopeTraversal { root, steps, .. } => {
            if !bound.contains(&root.as_str()) {
                f(root, steps, &e.span);
            }
        }
        ExprKind::Literal(_) | ExprKind::AnonSymbol | ExprKind::SyntaxError => {}
        ExprKind::RelativeTraversal { source, .. } => walk_vars(source, bound, f),
        ExprKind::FunctionCall { args, .. } | ExprKind::Template(args) | ExprKind::Tuple(args) => {
            for a in args {
                walk_vars(a, bound, f);
            }
        }
        ExprKind::Conditional { cond, if_true, if_false } => {
            walk_vars(cond, bound, f);
            walk_vars(if_true, bound, f);
            walk_vars(if_false, bound, f);
        }
        ExprKind::BinaryOp { lhs, rhs, .. } => {
            walk_vars(lhs, bound, f);
            walk_vars(rhs, bound, f);
        }
        ExprKind::UnaryOp { val, .. }
        | ExprKind::TemplateWrap(val)
        | ExprKind::TemplateJoin(val)
        | ExprKind::Parens(val) => walk_vars(val, bound, f),
        ExprKind::Object(items) => {
            for it in items {
                // A bare name as a key is a string, not a reference.
                if it.force_non_literal || it.key.as_keyword().is_none() {
                    walk_vars(&it.key, bound, f);
                }
                walk_vars(&it.value, bound, f);
            }
        }
        ExprKind::For(fe) => {
            walk_vars(&fe.coll, bound, f);
            let depth = bound.len();
            if let Some(k) = &fe.key_var {
                bound.push(k);
            }
            bound.push(&fe.val_var);
            for x in [fe.key.as_ref(), Some(&fe.val), fe.cond.as_ref()].into_iter().flatten() {
                walk_vars(x, bound, f);
            }
            bound.truncate(depth);
        }
        ExprKind::Index { collection, key, .. } => {
            walk_vars(collection, bound, f);
            walk_vars(key, bound, f);
        }
        ExprKind::Splat { source, each, .. } => {
            walk_vars(source, bound, f);
            walk_vars(each, bound, f);
        }
    }
}
