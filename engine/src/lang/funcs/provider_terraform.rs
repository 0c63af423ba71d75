//! The builtin `terraform` provider's functions (`internal/builtin/providers/terraform/
//! functions.go`): `provider::terraform::encode_tfvars`, `decode_tfvars` and `encode_expr`.
//! The encoders write HCL as hclwrite does (`provider_terraform/hclwrite.rs`); the decoder
//! parses with our HCL parser and evaluates each argument without variables or functions,
//! folding HCL's diagnostics into the error text as Terraform does.
//!
//! Provider functions get cty parameters from the provider's declaration: a dynamically
//! typed parameter accepts the dynamic type, and none accepts marks; results are not refined
//! by the framework.

mod hclwrite;

use crate::cty::{Type, Value};
use crate::hcl::{Body, valid_identifier};
use crate::lang::eval::{Diags, Evaluator, Scope};
use crate::lang::function::{FuncCtx, FuncError, Function, Param, Returns};
use hclwrite::{Kind, Token, token};

pub(super) fn functions() -> Vec<Function> {
    let value = || Param::new("value", Type::Dynamic).allow_unknown().allow_dynamic();
    vec![
        Function {
            name: "provider::terraform::encode_tfvars",
            params: vec![value()],
            var_param: None,
            returns: Returns::Static(|| Type::String),
            refine: None,
            imp: encode_tfvars,
        },
        Function {
            name: "provider::terraform::decode_tfvars",
            params: vec![Param::new("src", Type::String)],
            var_param: None,
            returns: Returns::Static(|| Type::Dynamic),
            refine: None,
            imp: decode_tfvars,
        },
        Function {
            name: "provider::terraform::encode_expr",
            params: vec![value()],
            var_param: None,
            returns: Returns::Static(|| Type::String),
            refine: None,
            imp: encode_expr,
        },
    ]
}

fn encode_tfvars(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let v = &args[0];
    if !v.is_wholly_known() {
        return Ok(Value::unknown(Type::String).refine_not_null());
    }
    let (Value::Object(_) | Value::Map(_)) = v.unmarked() else {
        return Err(FuncError::other(
            "invalid value to encode: must be an object whose attribute names will become the encoded variable names",
        ));
    };
    let mut tokens: Vec<Token> = Vec::new();
    for (key, item) in v.as_map().expect("an object or a map") {
        if !valid_identifier(key) {
            return Err(FuncError::other(format!(
                "invalid variable name {}: must be a valid identifier, per Terraform's rules for input variable declarations",
                crate::cty::ty::go_quote(key)
            )));
        }
        tokens.push(token(Kind::Ident, key));
        tokens.push(token(Kind::Equal, "="));
        hclwrite::append_value(item, &mut tokens);
        tokens.push(token(Kind::Newline, "\n"));
    }
    hclwrite::format(&mut tokens);
    Ok(Value::string(hclwrite::to_text(&tokens)))
}

fn encode_expr(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let v = &args[0];
    if !v.is_wholly_known() {
        // The grammar tells how a non-null value of some types begins.
        let unknown = Value::unknown(Type::String).refine_not_null();
        let ty = v.ty();
        let prefix = match () {
            _ if v.range().could_be_null() => None,
            _ if ty.is_object() || ty.is_map() => Some("{"),
            _ if ty.is_tuple() || ty.is_list() || ty.is_set() => Some("["),
            _ if ty == Type::String => Some("\""),
            _ => None,
        };
        return Ok(match prefix {
            Some(p) => unknown.refine().string_prefix_full(p).new_value(),
            None => unknown,
        });
    }
    let mut tokens = Vec::new();
    hclwrite::append_value(v, &mut tokens);
    hclwrite::format(&mut tokens);
    Ok(Value::string(hclwrite::to_text(&tokens).trim()))
}

const FILENAME: &str = "<decode_tfvars argument>";

fn decode_tfvars(ctx: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let src = args[0].as_str().expect("a known string").as_bytes();
    let (body, diags) = crate::hcl::parse_config(src, FILENAME);
    if !diags.is_empty() {
        let messages = diags.iter().map(|d| hcl_error(src, &d.subject, &d.summary, &d.detail)).collect();
        return Err(FuncError::other(format!("invalid tfvars syntax: {}", join_diagnostics(messages))));
    }
    if let Some(block) = body.blocks.first() {
        let msg = format!("Unexpected {} block", crate::cty::ty::go_quote(&block.ty));
        let e = hcl_error(src, &block.type_span, &msg, "Blocks are not allowed here.");
        return Err(FuncError::other(format!("invalid tfvars content: {e}")));
    }
    attribute_values(ctx, src, &body)
}

/// Each attribute's value, evaluated as HCL does without an evaluation context.
fn attribute_values(ctx: &FuncCtx<'_>, src: &[u8], body: &Body) -> Result<Value, FuncError> {
    let mut ev = Evaluator::new(&NoContext, ctx.base_dir, 0, src, FILENAME);
    ev.no_functions = true;
    let mut attrs = std::collections::BTreeMap::new();
    for attr in &body.attributes {
        let (v, diags) = ev.eval(&attr.expr);
        if crate::lang::eval::has_errors(&diags) {
            let messages = diags
                .iter()
                .map(|d| {
                    let span = d.range.as_ref().map(|r| r.span.clone());
                    hcl_error_opt(src, span.as_ref(), &d.summary, &d.detail)
                })
                .collect();
            return Err(FuncError::other(format!(
                "invalid expression for variable {}: {}",
                crate::cty::ty::go_quote(&attr.name),
                join_diagnostics(messages)
            )));
        }
        attrs.insert(attr.name.clone(), v);
    }
    Ok(Value::object_from_map(attrs))
}

/// HCL's evaluation without a context: any variable is an error at its root name.
struct NoContext;

impl Scope for NoContext {
    fn resolve(
        &self,
        root: &str,
        _: &[crate::hcl::Traverser],
        range: &crate::diag::SourceRange,
    ) -> Result<(Value, usize), Diags> {
        let root_range = crate::diag::SourceRange::new(range.file, range.span.start..range.span.start + root.len());
        Err(vec![
            crate::diag::Diagnostic::error("Variables not allowed", "Variables may not be used here.").at(root_range),
        ])
    }

    fn prevalidates(&self) -> bool {
        false
    }
}

/// `hcl.Diagnostic.Error()`: "file:line,col-col: summary; detail".
fn hcl_error(src: &[u8], span: &crate::hcl::Span, summary: &str, detail: &str) -> String {
    hcl_error_opt(src, Some(span), summary, detail)
}

fn hcl_error_opt(src: &[u8], span: Option<&crate::hcl::Span>, summary: &str, detail: &str) -> String {
    let place = match span {
        None => "<nil>".to_string(),
        Some(span) => {
            let (l1, c1) = crate::hcl::line_col(src, span.start);
            let (l2, c2) = crate::hcl::line_col(src, span.end);
            if l1 == l2 { format!("{FILENAME}:{l1},{c1}-{c2}") } else { format!("{FILENAME}:{l1},{c1}-{l2},{c2}") }
        }
    };
    format!("{place}: {summary}; {detail}")
}

/// `hcl.Diagnostics.Error()`: the first, and how many others.
fn join_diagnostics(messages: Vec<String>) -> String {
    match messages.len() {
        0 => "no diagnostics".to_string(),
        1 => messages.into_iter().next().unwrap_or_default(),
        n => format!("{}, and {} other diagnostic(s)", messages[0], n - 1),
    }
}

#[cfg(test)]
mod tests;
