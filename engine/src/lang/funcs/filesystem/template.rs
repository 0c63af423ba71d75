//! `templatefile`: reads a template next to the configuration and renders it through the
//! evaluator's [`TemplateRenderer`](crate::lang::function::TemplateRenderer), with
//! Terraform's checks of the variables. The result's type is the rendered value's, so the
//! template is rendered to know it, as Terraform does.
//!
//! The renderer's side of the contract: it parses the template (syntax errors worded as
//! HCL's `Diagnostics.Error()`), reports a reference to a variable that `vars` lacks as an
//! error of argument 1 (`vars map does not contain key "x", referenced at FILE:L,C-C`),
//! refuses a null result, and calls functions with `FuncCtx::template` set to `None`,
//! which `templatefile` and `templatestring` take as a recursive call and refuse.

use super::{path_param, read_text_file};
use crate::cty::{Marks, Type, Value};
use crate::lang::function::{FuncCtx, FuncError, Function, Param, Returns};

pub(super) fn templatefile() -> Function {
    Function {
        name: "templatefile",
        params: vec![path_param("path"), Param::new("vars", Type::Dynamic).allow_marked().allow_unknown()],
        var_param: None,
        returns: Returns::Computed(return_type),
        refine: None,
        imp,
    }
}

fn return_type(ctx: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    if !(args[0].is_known() && args[1].is_known()) {
        return Ok(Type::Dynamic);
    }
    let (path, marks) = args[0].clone().unmark();
    let (vars, _) = args[1].clone().unmark_deep();
    Ok(render(ctx, path.as_str().unwrap_or_default(), marks, &vars)?.0.ty())
}

fn imp(ctx: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let (path, path_marks) = args[0].clone().unmark();
    let (vars, vars_marks) = args[1].clone().unmark_deep();
    let Some(path) = path.as_str().filter(|_| vars.is_known()) else {
        return Ok(Value::unknown(ret.clone()).with_marks(path_marks | vars_marks));
    };
    let (out, tmpl_marks) = render(ctx, path, path_marks, &vars)?;
    Ok(out.with_marks(tmpl_marks | vars_marks))
}

/// Loads and renders the template; the result and the template's marks.
fn render(ctx: &FuncCtx<'_>, path: &str, marks: Marks, vars: &Value) -> Result<(Value, Marks), FuncError> {
    let Some(renderer) = ctx.template else {
        return Err(FuncError::other("cannot recursively call templatefile from inside another template function"));
    };
    let (src, tmpl_marks) = read_text_file(ctx, path, marks)?.unmark();
    check_vars(vars)?;
    let out = renderer.render(src.as_str().unwrap_or_default(), path, vars)?;
    Ok((out, tmpl_marks))
}

/// Terraform's checks of `vars`: a map or an object, whose keys are all identifiers.
pub(crate) fn check_vars(vars: &Value) -> Result<(), FuncError> {
    let ty = vars.ty();
    if !(ty.is_map() || ty.is_object()) {
        return Err(FuncError::arg(1, "invalid vars value: must be a map"));
    }
    for name in vars.as_map().into_iter().flat_map(|m| m.keys()) {
        if !valid_identifier(name) {
            return Err(FuncError::arg(
                1,
                format!(
                    "invalid template variable name {}: must start with a letter, followed by zero or more letters, digits, and underscores",
                    crate::cty::ty::go_quote(name)
                ),
            ));
        }
    }
    Ok(())
}

/// HCL's `ValidIdentifier`: `(ID_Start | '_') (ID_Continue | '-')*`.
pub(crate) fn valid_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c == '_' || unicode_ident::is_xid_start(c) => {}
        _ => return false,
    }
    chars.all(|c| c == '-' || unicode_ident::is_xid_continue(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert!(valid_identifier("name"));
        assert!(valid_identifier("_x-y1"));
        assert!(valid_identifier("été"));
        assert!(!valid_identifier("not valid"));
        assert!(!valid_identifier("1a"));
        assert!(!valid_identifier(""));
    }
}
