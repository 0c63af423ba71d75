//! Functions, as cty's `function` package defines them: parameters with a type constraint
//! and what they accept (null, unknown, values of the dynamic type, marked values), a
//! return type computed from the arguments, an optional refinement of unknown results, and
//! the implementation. [`call`] applies the rules every function shares, exactly as cty
//! does, so an implementation sees only what its parameters allow.

use crate::cty::refine::RefinementBuilder;
use crate::cty::{Marks, Type, Value};
use std::path::Path;

/// A parameter of a function.
#[derive(Clone, Debug)]
pub struct Param {
    pub name: &'static str,
    /// The type constraint arguments are converted to (dynamic: any).
    pub ty: Type,
    pub allow_null: bool,
    pub allow_unknown: bool,
    pub allow_dynamic_type: bool,
    pub allow_marked: bool,
}

impl Param {
    pub fn new(name: &'static str, ty: Type) -> Param {
        Param { name, ty, allow_null: false, allow_unknown: false, allow_dynamic_type: false, allow_marked: false }
    }
    pub fn allow_null(mut self) -> Param {
        self.allow_null = true;
        self
    }
    pub fn allow_unknown(mut self) -> Param {
        self.allow_unknown = true;
        self
    }
    pub fn allow_dynamic(mut self) -> Param {
        self.allow_dynamic_type = true;
        self
    }
    pub fn allow_marked(mut self) -> Param {
        self.allow_marked = true;
        self
    }
}

/// Why a function call failed: an argument (by index) or the call as a whole. The message
/// is what Terraform appends to "Invalid value for \"x\" parameter: " or "Call to function
/// \"f\" failed: ".
#[derive(Clone, Debug, PartialEq)]
pub enum FuncError {
    Arg(usize, String),
    Other(String),
}

impl FuncError {
    pub fn arg(i: usize, msg: impl Into<String>) -> FuncError {
        FuncError::Arg(i, msg.into())
    }
    pub fn other(msg: impl Into<String>) -> FuncError {
        FuncError::Other(msg.into())
    }
}

impl std::fmt::Display for FuncError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FuncError::Arg(_, m) | FuncError::Other(m) => f.write_str(m),
        }
    }
}

/// What a function may see of its surroundings.
pub struct FuncCtx<'a> {
    /// The directory relative paths resolve against (the module's directory).
    pub base_dir: &'a Path,
    /// Renders a template (for `templatefile` and `templatestring`): source, file name for
    /// diagnostics, and the variables it sees.
    pub template: Option<&'a dyn TemplateRenderer>,
    /// The plan's timestamp (`plantimestamp()`), RFC 3339; `None` in the console.
    pub plan_timestamp: Option<&'a str>,
}

/// The language's template evaluation, offered to the template functions.
pub trait TemplateRenderer {
    /// Parses and evaluates `src` as a template with only `vars` in scope and the
    /// functions of `allowed` (template functions exclude themselves, as in Terraform).
    fn render(&self, src: &str, filename: &str, vars: &Value) -> Result<Value, FuncError>;
}

pub type TypeFn = fn(&FuncCtx<'_>, &[Value]) -> Result<Type, FuncError>;
pub type ImplFn = fn(&FuncCtx<'_>, &[Value], &Type) -> Result<Value, FuncError>;
pub type RefineFn = fn(RefinementBuilder) -> RefinementBuilder;

/// A function's return type: fixed, or computed from the arguments (which may be unknown).
#[derive(Clone, Copy)]
pub enum Returns {
    Static(fn() -> Type),
    Computed(TypeFn),
}

pub struct Function {
    pub name: &'static str,
    pub params: Vec<Param>,
    pub var_param: Option<Param>,
    pub returns: Returns,
    pub refine: Option<RefineFn>,
    pub imp: ImplFn,
}

/// The common refinement: a function's unknown result is not null.
pub fn refine_not_null(b: RefinementBuilder) -> RefinementBuilder {
    b.not_null()
}

impl Function {
    /// The parameter an argument at `i` is for.
    pub fn param(&self, i: usize) -> Option<&Param> {
        self.params.get(i).or(self.var_param.as_ref())
    }

    /// cty's `returnTypeForValues`: the return type, and whether an argument of the dynamic
    /// type that the parameter does not accept forces an unknown result.
    pub fn return_type(&self, ctx: &FuncCtx<'_>, args: &[Value]) -> Result<(Type, bool), FuncError> {
        let n = self.params.len();
        if self.var_param.is_none() && args.len() != n {
            return Err(FuncError::other(format!("wrong number of arguments ({n} required; {} given)", args.len())));
        }
        if args.len() < n {
            return Err(FuncError::other(format!(
                "wrong number of arguments (at least {n} required; {} given)",
                args.len()
            )));
        }
        let mut unmarked: Option<Vec<Value>> = None;
        for (i, v) in args.iter().enumerate() {
            let spec = self.param(i).expect("arity checked");
            if v.contains_marked() && !spec.allow_marked {
                let args = unmarked.get_or_insert_with(|| args.to_vec());
                args[i] = v.clone().unmark_deep().0;
            }
            if v.is_null() && !spec.allow_null {
                return Err(FuncError::arg(i, "argument must not be null"));
            }
            let vt = v.ty();
            if vt.is_dynamic() {
                if !spec.allow_dynamic_type {
                    return Ok((Type::Dynamic, true));
                }
            } else if let Some(e) = vt.test_conformance(&spec.ty).into_iter().next() {
                // cty reports a variadic argument's conformance error by its position among
                // the variadic arguments (a quirk kept for identical messages).
                let idx = if i >= n { i - n } else { i };
                return Err(FuncError::arg(idx, e.message));
            }
        }
        let args = unmarked.as_deref().unwrap_or(args);
        let ty = match self.returns {
            Returns::Static(t) => t(),
            Returns::Computed(f) => f(ctx, args)?,
        };
        Ok((ty, false))
    }
}

/// The most bytes (of strings, counted through collections) a function call may take or give,
/// so that no configuration can make terrane allocate without bound: 64 MiB. Terraform has no
/// such bound (it runs out of memory instead).
pub(crate) const MAX_VALUE_BYTES: usize = 64 << 20;

/// Fails when a result of `n` bytes, computed before building it, would be too large.
pub(crate) fn check_size(n: usize) -> Result<(), FuncError> {
    if n > MAX_VALUE_BYTES {
        return Err(FuncError::other(format!(
            "the result would be {n} bytes, more than the {MAX_VALUE_BYTES} a value may have"
        )));
    }
    Ok(())
}

/// The size of a value in bytes (strings, and 8 for anything else), counting at most a little
/// past `budget`.
fn value_size(v: &Value, budget: usize) -> usize {
    match v.unmarked() {
        Value::String(s) => s.len(),
        Value::List(d) | Value::Set(d) => sum_sizes(d.items.iter(), budget),
        Value::Tuple(items) => sum_sizes(items.iter(), budget),
        Value::Map(m) => sum_entry_sizes(m.items.iter(), budget),
        Value::Object(m) => sum_entry_sizes(m.iter(), budget),
        _ => 8,
    }
}

fn sum_sizes<'v>(items: impl Iterator<Item = &'v Value>, budget: usize) -> usize {
    let mut n = 0;
    for i in items {
        if n > budget {
            break;
        }
        n += 8 + value_size(i, budget);
    }
    n
}

/// The entries of a map or object: each key's length and its value's size.
fn sum_entry_sizes<'v>(entries: impl Iterator<Item = (&'v String, &'v Value)>, budget: usize) -> usize {
    let mut n = 0;
    for (k, v) in entries {
        if n > budget {
            break;
        }
        n += k.len() + value_size(v, budget);
    }
    n
}

/// cty's `Function.Call`: checks the arguments against the parameters, returns an unknown
/// (of the return type) when an argument the function cannot take is unknown, takes marks
/// off the arguments that do not accept them and puts them on the result, and refines an
/// unknown result.
pub fn call(f: &Function, ctx: &FuncCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let (expected, dyn_args) = f.return_type(ctx, &args)?;
    let mut marks = Marks::NONE;
    let mut return_unknown = dyn_args;
    let mut args = args;
    for (i, v) in args.iter_mut().enumerate() {
        let spec = f.param(i).expect("arity checked");
        if !spec.allow_marked && v.contains_marked() {
            let (u, m) = std::mem::take(v).unmark_deep();
            *v = u;
            marks |= m;
        }
        if !v.is_known() && !spec.allow_unknown {
            return_unknown = true;
        }
    }
    let refine = |v: Value| -> Value {
        match f.refine {
            Some(r) if !dyn_args && (v.is_known() || !v.ty().is_dynamic()) => r(v.refine()).new_value(),
            _ => v,
        }
    };
    if return_unknown {
        return Ok(refine(Value::unknown(expected)).with_marks(marks));
    }
    let out = (f.imp)(ctx, &args, &expected)?;
    check_size(value_size(&out, MAX_VALUE_BYTES))?;
    Ok(refine(out.with_marks(marks)))
}

/// A function's `imp` that is never called because its return type is all it needs
/// (cty's `Unpredictable`: an unknown of the return type).
pub fn unpredictable(_: &FuncCtx<'_>, _: &[Value], ret: &Type) -> Result<Value, FuncError> {
    Ok(Value::unknown(ret.clone()))
}

/// A failed call as HCL reports it: the diagnostic's summary and detail, and the argument
/// it is about (for the source range), if any.
#[derive(Clone, Debug, PartialEq)]
pub struct CallError {
    pub summary: String,
    pub detail: String,
    pub arg: Option<usize>,
}

/// A call as HCL's `FunctionCallExpr` makes it after evaluating the arguments: the arity is
/// checked, each argument converted to its parameter's type, then the function called;
/// every failure worded as Terraform words it. `name` is the name as written
/// (`core::upper`). Every unsuitable argument gives its own error, as in HCL.
pub fn call_hcl(name: &str, f: &Function, ctx: &FuncCtx<'_>, args: Vec<Value>) -> Result<Value, Vec<CallError>> {
    use crate::cty::ty::go_quote;
    let n = f.params.len();
    if args.len() < n {
        let qual = if f.var_param.is_some() { " at least" } else { "" };
        return Err(vec![CallError {
            summary: "Not enough function arguments".into(),
            detail: format!(
                "Function {} expects{qual} {n} argument(s). Missing value for {}.",
                go_quote(name),
                go_quote(f.params[args.len()].name)
            ),
            arg: None,
        }]);
    }
    if f.var_param.is_none() && args.len() > n {
        return Err(vec![CallError {
            summary: "Too many function arguments".into(),
            detail: format!("Function {} expects only {n} argument(s).", go_quote(name)),
            arg: Some(n),
        }]);
    }
    let mut converted = Vec::with_capacity(args.len());
    let mut errors = Vec::new();
    for (i, v) in args.into_iter().enumerate() {
        let param = f.param(i).expect("arity checked");
        match crate::cty::convert::convert(v, &param.ty) {
            Ok(v) => converted.push(v),
            Err(e) => {
                errors.push(CallError {
                    summary: "Invalid function argument".into(),
                    detail: format!("Invalid value for {} parameter: {}.", go_quote(param.name), e.message),
                    arg: Some(i),
                });
                converted.push(Value::unknown(param.ty.clone()));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let count = converted.len();
    call(f, ctx, converted).map_err(|e| {
        vec![match e {
            FuncError::Arg(i, msg) => match f.param(i) {
                Some(param) if i < count => CallError {
                    summary: "Invalid function argument".into(),
                    detail: format!("Invalid value for {} parameter: {msg}.", go_quote(param.name)),
                    arg: Some(i),
                },
                Some(param) => CallError {
                    summary: "Invalid function argument".into(),
                    detail: format!("Invalid value for {} parameter: {msg}.", go_quote(param.name)),
                    arg: None,
                },
                None => CallError {
                    summary: "Error in function call".into(),
                    detail: format!("Call to function {} failed: {msg}.", go_quote(name)),
                    arg: None,
                },
            },
            FuncError::Other(msg) => CallError {
                summary: "Error in function call".into(),
                detail: format!("Call to function {} failed: {msg}.", go_quote(name)),
                arg: None,
            },
        }]
    })
}
