//! Function calls (hclsyntax's `FunctionCallExpr`): the function looked up, a final `...`
//! argument expanded, the arguments converted and the function called; `try` and `can`,
//! which take expressions rather than values; the console's `type`.

use super::{Diags, Evaluator, has_errors};
use crate::cty::ty::go_quote;
use crate::cty::{Marks, Type, Value};
use crate::hcl::ast::{Expr, Span, between};
use crate::lang::funcs;
use crate::lang::function::{CallError, FuncCtx, FuncError, TemplateRenderer, call_hcl};

impl Evaluator<'_> {
    pub(super) fn function_call(
        &mut self,
        name: &str,
        name_span: &Span,
        args: &[Expr],
        expand_final: bool,
        (open_paren, close_paren): (&Span, &Span),
        span: &Span,
    ) -> (Value, Diags) {
        if self.no_functions {
            return (
                Value::DYNAMIC,
                vec![self.error("Function calls not allowed", "Functions may not be called here.", span)],
            );
        }
        let bare = name.strip_prefix("core::").unwrap_or(name);
        match bare {
            "try" if name == bare || name == "core::try" => return self.try_fn(name, args, span),
            "can" => return self.can_fn(name, args, name_span, close_paren, span),
            "type" if self.console && name == bare => return self.type_fn(args, span),
            _ => {}
        }
        if name.starts_with("provider::")
            && let Some(f) = self.scope.provider_function(name)
        {
            return self.call_external(name, &*f, args, span);
        }
        // Terraform's console has no plantimestamp.
        let Some(mut f) = funcs::lookup(name).filter(|_| !(self.console && bare == "plantimestamp")) else {
            return (Value::DYNAMIC, vec![self.unknown_function(name, name_span)]);
        };
        if bare == "templatestring" && !expand_final && !args.is_empty() {
            // Terraform takes the template as an expression and accepts only a reference.
            f = funcs::templatestring_for(funcs::template_arg(&args[0]));
        }
        let mut diags = Vec::new();
        let mut vals: Vec<Value> = Vec::with_capacity(args.len());
        let mut arg_spans: Vec<Span> = Vec::with_capacity(args.len());
        let last = args.len().saturating_sub(1);
        for (i, a) in args.iter().enumerate() {
            if expand_final && i == last {
                let (v, d) = self.value(a);
                let failed = has_errors(&d);
                diags.extend(d);
                if failed {
                    return (Value::DYNAMIC, diags);
                }
                let ty = v.ty();
                if ty.is_dynamic() {
                    if v.is_null() {
                        diags.push(self.expand_null(&a.span));
                    }
                    return (Value::DYNAMIC, diags);
                }
                if !(ty.is_tuple() || ty.is_list() || ty.is_set()) {
                    diags.push(self.error(
                        "Invalid expanding argument value",
                        "The expanding argument (indicated by ...) must be of a tuple, list, or set type.",
                        &a.span,
                    ));
                    return (Value::DYNAMIC, diags);
                }
                if v.is_null() {
                    diags.push(self.expand_null(&a.span));
                    return (Value::DYNAMIC, diags);
                }
                if !v.is_known() {
                    return (Value::DYNAMIC, diags);
                }
                let (v, marks) = v.unmark();
                for item in v.as_seq().unwrap_or(&[]) {
                    vals.push(item.clone().with_marks(marks));
                    arg_spans.push(a.start_span());
                }
                continue;
            }
            let (v, d) = self.value(a);
            diags.extend(d);
            vals.push(v);
            arg_spans.push(a.start_span());
        }
        if has_errors(&diags) {
            return (Value::DYNAMIC, diags);
        }
        let renderer = Renderer { base_dir: self.base_dir, plan_timestamp: self.plan_timestamp };
        // In a template the template functions have no renderer: they refuse to be called
        // recursively, as Terraform's do.
        let template: Option<&dyn TemplateRenderer> = if self.in_template { None } else { Some(&renderer) };
        let ctx = FuncCtx { base_dir: self.base_dir, template, plan_timestamp: self.plan_timestamp };
        match call_hcl(name, f, &ctx, vals) {
            Ok(v) => (v, diags),
            Err(errs) => {
                for CallError { summary, detail, arg } in errs {
                    let at = match arg {
                        Some(i) if i < arg_spans.len() => arg_spans[i].clone(),
                        Some(_) => close_paren.clone(),
                        None if summary == "Not enough function arguments" => close_paren.clone(),
                        // HCL's `StartRange`: the name and the opening parenthesis.
                        None => between(name_span, open_paren),
                    };
                    diags.push(self.error(&summary, detail, &at));
                }
                (Value::DYNAMIC, diags)
            }
        }
    }

    fn expand_null(&self, span: &Span) -> crate::diag::Diagnostic {
        self.error(
            "Invalid expanding argument value",
            "The expanding argument (indicated by ...) must not be null.",
            span,
        )
    }

    /// A provider's function: its arguments checked and converted as Terraform's
    /// `providerFunction` does (nulls and unknowns refused unless the parameter allows them;
    /// an unknown argument where it does not makes an unknown result), the result carrying
    /// the arguments' marks.
    fn call_external(
        &mut self,
        name: &str,
        f: &dyn super::ExternalFunction,
        args: &[Expr],
        span: &Span,
    ) -> (Value, Diags) {
        let sig = f.signature();
        let (vals, diags) = self.values(args);
        if has_errors(&diags) {
            return (Value::unknown(sig.returns.clone()), diags);
        }
        let fail = |this: &Self, summary: &str, detail: String, at: &Span| {
            (Value::unknown(sig.returns.clone()), vec![this.error(summary, detail, at)])
        };
        let want = sig.params.len();
        if vals.len() < want {
            let missing = go_quote(&sig.params[vals.len()].name);
            let qual = if sig.variadic.is_some() { " at least" } else { "" };
            let detail =
                format!("Function {} expects{qual} {want} argument(s). Missing value for {missing}.", go_quote(name));
            return fail(self, "Not enough function arguments", detail, span);
        }
        if sig.variadic.is_none() && vals.len() > want {
            let detail = format!("Function {} expects only {want} argument(s).", go_quote(name));
            return fail(self, "Too many function arguments", detail, span);
        }
        let mut marks = Marks::NONE;
        let mut plain = Vec::with_capacity(vals.len());
        for (i, (v, a)) in vals.into_iter().zip(args).enumerate() {
            let p = sig.params.get(i).or(sig.variadic.as_ref()).expect("arity checked");
            let (v, m) = v.unmark_deep();
            marks |= m;
            if v.is_null() && !p.allow_null {
                return fail(
                    self,
                    "Invalid function argument",
                    format!("Invalid value for \"{}\" parameter: argument must not be null.", p.name),
                    &a.span,
                );
            }
            if !v.is_wholly_known() && !p.allow_unknown {
                return (Value::unknown(sig.returns.clone()).with_marks(marks), diags);
            }
            match crate::cty::convert::convert(v, &p.ty) {
                Ok(v) => plain.push(v),
                Err(e) => {
                    return fail(
                        self,
                        "Invalid function argument",
                        format!("Invalid value for \"{}\" parameter: {}.", p.name, e.message),
                        &a.span,
                    );
                }
            }
        }
        match f.call(plain) {
            Ok(v) => (v.with_marks(marks), diags),
            Err(e) => {
                fail(self, "Error in function call", format!("Call to function {} failed: {e}.", go_quote(name)), span)
            }
        }
    }

    /// HCL's "Call to unknown function", as Terraform rewrites it for namespaced names
    /// (`lang.CheckForUnknownFunctionDiags`).
    fn unknown_function(&self, name: &str, name_span: &Span) -> crate::diag::Diagnostic {
        let available: Vec<&str> = funcs::names()
            .filter(|n| !(self.console && *n == "plantimestamp"))
            .chain(self.console.then_some("type"))
            .collect();
        let Some(sep) = name.rfind("::") else {
            let mut detail = format!("There is no function named {}.", go_quote(name));
            if let Some(s) = crate::hcl::best_suggestion(name, available.iter().copied().filter(|n| !n.contains("::")))
            {
                detail.push_str(&format!(" Did you mean {}?", go_quote(s)));
            }
            if let Some(p) = available.iter().find(|n| n.ends_with(&format!("::{name}"))) {
                detail.push_str(&format!(" Did you mean {}?", go_quote(p)));
            }
            return self.error("Call to unknown function", detail, name_span);
        };
        let namespace = &name[..sep + 2];
        let short = &name[sep + 2..];
        let parts: Vec<&str> = namespace.split("::").collect();
        let detail = if parts[0] != "provider" {
            format!(
                "The function namespace {} is not valid. Provider function calls must use the \"provider::\" namespace prefix.",
                go_quote(parts[0])
            )
        } else if parts.get(1).is_none_or(|p| p.is_empty()) {
            "The function call must include the provider name after the \"provider::\" prefix.".to_string()
        } else if available.iter().any(|n| n.starts_with(namespace)) {
            format!("The function {} is not available from the provider {}.", go_quote(short), go_quote(parts[1]))
        } else {
            format!(
                "There is no function named \"{namespace}{short}\". Ensure that provider name {} is declared in this module's required_providers block, and that this provider offers a function named {}.",
                go_quote(parts[1]),
                go_quote(short)
            )
        };
        self.error("Unknown provider function", detail, name_span)
    }

    /// HCL's `try`: the first argument that evaluates without errors, or an error listing
    /// every argument's diagnostics. An argument that is not wholly known makes the result
    /// unknown (of the dynamic type).
    fn try_fn(&mut self, name: &str, args: &[Expr], span: &Span) -> (Value, Diags) {
        if args.is_empty() {
            return (
                Value::DYNAMIC,
                vec![self.error(
                    "Error in function call",
                    format!("Call to function {} failed: at least one argument is required.", go_quote(name)),
                    span,
                )],
            );
        }
        let mut collected: Diags = Vec::new();
        for a in args {
            let (v, d) = self.value(a);
            if has_errors(&d) {
                collected.extend(d);
                continue;
            }
            if !v.is_wholly_known() {
                return (Value::DYNAMIC, Vec::new());
            }
            return (v, Vec::new());
        }
        let mut msg = String::from("no expression succeeded:\n");
        for d in &collected {
            match &d.range {
                Some(r) => {
                    msg.push_str(&format!("- {} (at {})\n  {}\n", d.summary, self.range_string(&r.span), d.detail))
                }
                None => msg.push_str(&format!("- {}\n  {}\n", d.summary, d.detail)),
            }
        }
        msg.push_str("\nAt least one expression must produce a successful result");
        (
            Value::DYNAMIC,
            vec![self.error(
                "Error in function call",
                format!("Call to function {} failed: {msg}.", go_quote(name)),
                span,
            )],
        )
    }

    fn can_fn(
        &mut self,
        name: &str,
        args: &[Expr],
        name_span: &Span,
        close_paren: &Span,
        span: &Span,
    ) -> (Value, Diags) {
        let _ = (name_span, span);
        match args {
            [a] => {
                let (v, d) = self.value(a);
                if has_errors(&d) {
                    return (Value::FALSE, Vec::new());
                }
                if !v.is_wholly_known() {
                    return (Value::unknown(Type::Bool), Vec::new());
                }
                (Value::TRUE, Vec::new())
            }
            [] => (
                Value::DYNAMIC,
                vec![self.error(
                    "Not enough function arguments",
                    format!("Function {} expects 1 argument(s). Missing value for \"expression\".", go_quote(name)),
                    close_paren,
                )],
            ),
            _ => (
                Value::DYNAMIC,
                vec![self.error(
                    "Too many function arguments",
                    format!("Function {} expects only 1 argument(s).", go_quote(name)),
                    &args[1].span,
                )],
            ),
        }
    }

    /// The console's `type(x)`: a marker value the console prints as the type.
    fn type_fn(&mut self, args: &[Expr], span: &Span) -> (Value, Diags) {
        let [a] = args else {
            return (Value::DYNAMIC, vec![self.error("Invalid function argument", "type() takes one argument.", span)]);
        };
        let (v, d) = self.value(a);
        if has_errors(&d) {
            return (Value::DYNAMIC, d);
        }
        let ty = v.unmark_deep().0.ty();
        (Value::object([(TYPE_MARKER, Value::string(ty.console_string()))]).with_marks(Marks::NONE), d)
    }
}

/// The attribute name of the console's `type()` result.
pub const TYPE_MARKER: &str = "\u{0}terrane:type";

/// Renders templates for `templatefile` and `templatestring`: parsed as a template, with
/// only the given variables in scope; the template functions called there refuse.
struct Renderer<'a> {
    base_dir: &'a std::path::Path,
    plan_timestamp: Option<&'a str>,
}

impl TemplateRenderer for Renderer<'_> {
    fn render(&self, src: &str, filename: &str, vars: &Value) -> Result<Value, FuncError> {
        let scope = super::VarsScope { vars: vars.as_map().cloned().unwrap_or_default() };
        let mut ev = Evaluator::new(&scope, self.base_dir, usize::MAX, src.as_bytes(), filename);
        // HCL's `Diagnostics.Error()`: "RANGE: SUMMARY; DETAIL", and how many others.
        let error = |ev: &Evaluator<'_>, span: Option<&Span>, summary: &str, detail: &str, count: usize| {
            let mut msg = match span {
                Some(span) => format!("{}: {summary}; {detail}", ev.range_string(span)),
                None => format!("{summary}; {detail}"),
            };
            if count > 1 {
                msg.push_str(&format!(", and {} other diagnostic(s)", count - 1));
            }
            FuncError::other(msg)
        };
        let (expr, parse_diags) = crate::hcl::parse_template(src.as_bytes(), filename);
        if let Some(d) = parse_diags.first() {
            return Err(error(&ev, Some(&d.subject), &d.summary, &d.detail, parse_diags.len()));
        }
        // Terraform checks the references first, for a message that names `vars`.
        let mut missing = None;
        expr.variables(&mut |root, _, span| {
            if missing.is_none() && !scope.vars.contains_key(root) {
                missing = Some((root.to_string(), span.start..span.start + root.len()));
            }
        });
        if let Some((root, span)) = missing {
            return Err(FuncError::arg(
                1,
                format!(
                    "vars map does not contain key {}, referenced at {}",
                    crate::cty::ty::go_quote(&root),
                    ev.range_string(&span)
                ),
            ));
        }
        ev.plan_timestamp = self.plan_timestamp;
        ev.in_template = true;
        let (v, diags) = ev.eval(&expr);
        if let Some(d) = diags.iter().find(|d| d.is_error()) {
            return Err(error(&ev, d.range.as_ref().map(|r| &r.span), &d.summary, &d.detail, diags.len()));
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests;
