//! `templatestring` (Terraform's `MakeTemplateStringFunc`): renders a template held in a
//! string value that the call refers to.
//!
//! Terraform takes the template argument as an expression and accepts only a reference
//! (`local.t`, `var.x.t`, `local.ts["k"]`, splats of those). The evaluator, which sees the
//! syntax, classifies the argument with [`template_arg`] and calls the function
//! [`templatestring_for`] gives, so that a refusal comes where Terraform makes it (after
//! the checks of `vars`). This function parses the template and checks `vars` as
//! Terraform does; the [`TemplateRenderer`](crate::lang::function::TemplateRenderer)
//! evaluates it (its errors worded as HCL's `Diagnostics.Error()`), and gives the
//! functions it calls no renderer: `templatestring` then refuses a recursive call.

use crate::cty::convert::convert;
use crate::cty::ty::go_quote;
use crate::cty::{Type, Value};
use crate::hcl::{Expr, ExprKind, Span, line_col, parse_template, valid_identifier};
use crate::lang::function::{FuncCtx, FuncError, Function, ImplFn, Param, Returns, refine_not_null};
use std::sync::LazyLock;

/// How a `templatestring` call writes its template argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateArg {
    /// A reference, possibly with attribute, index and splat steps: accepted.
    Reference,
    /// A template that is only an interpolation (`"${local.t}"`).
    InterpolationOnly,
    /// A template of one literal part (`"Hello, $${name}"`).
    LiteralTemplate,
    /// Any other template (`"Hello, ${x}"`, a heredoc with directives).
    Template,
    /// Any other expression (a function call, an operator, parentheses...).
    Other,
}

/// How `expr`, the template argument of a `templatestring` call, is written (Terraform's
/// `isValidTemplateStringExpr` and the cases before it).
pub fn template_arg(expr: &Expr) -> TemplateArg {
    fn reference(e: &Expr) -> bool {
        match &e.kind {
            ExprKind::ScopeTraversal { .. } => true,
            ExprKind::RelativeTraversal { source, .. } | ExprKind::Splat { source, .. } => reference(source),
            ExprKind::Index { collection, .. } => reference(collection),
            _ => false,
        }
    }
    match &expr.kind {
        ExprKind::TemplateWrap(_) => TemplateArg::InterpolationOnly,
        // `""` is a literal template too.
        ExprKind::Template(parts)
            if parts.iter().all(|p| matches!(p.kind, ExprKind::Literal(_))) && parts.len() <= 1 =>
        {
            TemplateArg::LiteralTemplate
        }
        ExprKind::Template(_) => TemplateArg::Template,
        _ if reference(expr) => TemplateArg::Reference,
        _ => TemplateArg::Other,
    }
}

const FILENAME: &str = "<templatestring argument>";

/// hcl's `Range.String()` of a span of the template.
fn range_string(src: &str, span: &Span) -> String {
    let (l1, c1) = line_col(src.as_bytes(), span.start);
    let (l2, c2) = line_col(src.as_bytes(), span.end);
    if l1 == l2 { format!("{FILENAME}:{l1},{c1}-{c2}") } else { format!("{FILENAME}:{l1},{c1}-{l2},{c2}") }
}

/// Parses the template: Terraform's "invalid template" error, worded as HCL's
/// `Diagnostics.Error()`.
fn parse(src: &str) -> Result<Expr, FuncError> {
    let (expr, diags) = parse_template(src.as_bytes(), FILENAME);
    let Some(d) = diags.first() else { return Ok(expr) };
    let mut msg = format!("{}: {}; {}", range_string(src, &d.subject), d.summary, d.detail);
    if diags.len() > 1 {
        msg.push_str(&format!(", and {} other diagnostic(s)", diags.len() - 1));
    }
    Err(FuncError::arg(0, format!("invalid template: {msg}")))
}

/// Terraform's checks of `vars` before rendering: a map or object, of identifiers, with
/// every variable the template refers to.
fn check_vars(src: &str, expr: &Expr, vars: &Value) -> Result<(), FuncError> {
    let ty = vars.ty();
    if !(ty.is_map() || ty.is_object()) {
        return Err(FuncError::arg(1, "invalid vars value: must be a map"));
    }
    let names = vars.as_map().cloned().unwrap_or_default();
    if let Some(bad) = names.keys().find(|n| !valid_identifier(n)) {
        return Err(FuncError::arg(
            1,
            format!(
                "invalid template variable name {}: must start with a letter, followed by zero or more letters, digits, and underscores",
                go_quote(bad)
            ),
        ));
    }
    let mut missing = None;
    expr.variables(&mut |root, _, span| {
        if missing.is_none() && !names.contains_key(root) {
            missing = Some((root.to_string(), span.start..span.start + root.len()));
        }
    });
    match missing {
        Some((root, span)) => Err(FuncError::arg(
            1,
            format!("vars map does not contain key {}, referenced at {}", go_quote(&root), range_string(src, &span)),
        )),
        None => Ok(()),
    }
}

fn render(ctx: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let (template, vars) = (&args[0], &args[1]);
    if template.is_unknown() {
        return Ok(Value::unknown(Type::String));
    }
    // Exactly a string: a number or bool would not be a useful template.
    if template.ty() != Type::String || template.is_null() {
        return Err(FuncError::arg(0, "invalid template value: a string is required"));
    }
    let (template, marks) = template.clone().unmark();
    let src = template.as_str().expect("a known string");
    let expr = parse(src)?;
    check_vars(src, &expr, vars)?;
    let Some(renderer) = ctx.template else {
        return Err(FuncError::other("cannot recursively call templatestring from inside another template function"));
    };
    let out = renderer.render(src, FILENAME, vars)?;
    if out.is_null() {
        return Err(FuncError::other(format!(
            "{}: Template result is null; The result of the template is null, which is not a valid result for a templatestring call.",
            range_string(src, &expr.span)
        )));
    }
    let out = convert(out, &Type::String).map_err(|e| FuncError::other(format!("invalid template result: {e}")))?;
    Ok(out.with_marks(marks))
}

fn make(imp: ImplFn) -> Function {
    Function {
        name: "templatestring",
        params: vec![
            // Terraform's parameter is the expression itself: whatever its value is, the
            // function sees it.
            Param::new("template", Type::Dynamic).allow_null().allow_unknown().allow_dynamic().allow_marked(),
            Param::new("vars", Type::Dynamic),
        ],
        var_param: None,
        returns: Returns::Static(|| Type::String),
        refine: Some(refine_not_null),
        imp,
    }
}

fn refusal(detail: &str) -> FuncError {
    FuncError::arg(0, format!("invalid template expression: {detail}"))
}

static REFUSING: LazyLock<[Function; 4]> = LazyLock::new(|| {
    [
        make(|_, _, _| {
            Err(refusal(
                "templatestring is only for rendering templates retrieved dynamically from elsewhere; to treat the inner expression as template syntax, write the reference expression directly without any template interpolation syntax",
            ))
        }),
        make(|_, _, _| {
            Err(refusal(
                "templatestring is only for rendering templates retrieved dynamically from elsewhere, and so does not support providing a literal template; consider using a template string expression instead",
            ))
        }),
        make(|_, _, _| {
            Err(refusal(
                "templatestring is only for rendering templates retrieved dynamically from elsewhere; to render an inline template, consider using a plain template string expression",
            ))
        }),
        make(|_, _, _| {
            Err(refusal(
                "must be a direct reference to a single string from elsewhere, containing valid Terraform template syntax",
            ))
        }),
    ]
});

/// The function to call for a `templatestring` call whose template argument is written
/// as `arg`: the registered one for a reference, otherwise one that refuses it as
/// Terraform does (then the template argument is not looked at: pass an unknown).
pub fn templatestring_for(arg: TemplateArg) -> &'static Function {
    match arg {
        TemplateArg::Reference => super::super::lookup("templatestring").expect("registered"),
        TemplateArg::InterpolationOnly => &REFUSING[0],
        TemplateArg::LiteralTemplate => &REFUSING[1],
        TemplateArg::Template => &REFUSING[2],
        TemplateArg::Other => &REFUSING[3],
    }
}

pub(super) fn functions() -> Vec<Function> {
    vec![make(render)]
}
