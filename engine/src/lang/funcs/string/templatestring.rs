//! `templatestring` (Terraform's `MakeTemplateStringFunc`): renders a template held in a
//! string value that the call refers to.
//!
//! Terraform takes the template argument as an expression and accepts only a reference
//! (`local.t`, `var.x.t`, `local.ts["k"]`, splats of those); the evaluator, which sees the
//! syntax, classifies the argument ([`TemplateArg`]) and calls the function
//! [`templatestring_for`] gives, so that the refusal comes at the point of the call
//! Terraform makes it (after the checks of `vars`). Parsing and rendering the template,
//! with the checks of `vars` Terraform makes there (a map or object, valid names, every
//! referenced variable present, no recursive template functions, a non-null result), are
//! the [`TemplateRenderer`](crate::lang::function::TemplateRenderer)'s.

use crate::cty::convert::convert;
use crate::cty::{Type, Value};
use crate::lang::function::{FuncCtx, FuncError, Function, ImplFn, Param, Returns, refine_not_null};
use std::sync::LazyLock;

/// How a `templatestring` call writes its template argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateArg {
    /// A reference, possibly with attribute, index and splat steps: accepted.
    Reference,
    /// A template that is only an interpolation (`"${local.t}"`).
    InterpolationOnly,
    /// A template without interpolations or directives (`"Hello, $${name}"`).
    LiteralTemplate,
    /// Any other template (`"Hello, ${x}"`, a heredoc with directives).
    Template,
    /// Any other expression (a function call, an operator, a literal number...).
    Other,
}

fn refusal(detail: &str) -> FuncError {
    FuncError::arg(0, format!("invalid template expression: {detail}"))
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
    let renderer = ctx.template.ok_or_else(|| FuncError::other("templates cannot be rendered here"))?;
    let out = renderer.render(src, "<templatestring argument>", vars)?;
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
/// Terraform does (its argument 0 is not looked at; pass an unknown).
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
