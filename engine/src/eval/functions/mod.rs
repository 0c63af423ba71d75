//! Terraform's built-in functions, one file per family. Each function declares its
//! parameters; the caller handles arity, unknown arguments and sensitive marks uniformly.

mod collection;
mod conversion;
mod crypto;
mod encoding;
mod filesystem;
mod ipnet;
mod numeric;
mod string;

use crate::value::{Value, format_number};
use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

/// What a function may see of the evaluation: the directory relative paths resolve against.
pub struct FuncCtx<'a> {
    pub base_dir: &'a Path,
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum FuncError {
    /// The argument at this index is unsuitable; the message says why.
    Arg(usize, String),
    /// Wrong number of arguments.
    Arity(String),
    /// The call failed for another reason.
    Call(String),
}

pub type FuncImpl = fn(&FuncCtx<'_>, Vec<Value>) -> Result<Value, FuncError>;

/// How a function treats unknown arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unknowns {
    /// Any unknown anywhere in any argument makes the result unknown (most functions).
    Propagate,
    /// Only a wholly unknown argument makes the result unknown; the function itself handles
    /// unknowns nested inside collections (`length`, `concat`, `merge`, `keys`, ...).
    Nested,
}

pub struct Function {
    pub name: &'static str,
    /// Parameter names, for messages.
    pub params: &'static [&'static str],
    /// Name of the variadic parameter, if the function takes any number of extra arguments.
    pub variadic: Option<&'static str>,
    pub unknowns: Unknowns,
    /// The function receives sensitive marks as they are (`sensitive`, `nonsensitive`);
    /// otherwise arguments are unmarked and the result is marked when any argument was.
    pub sees_marks: bool,
    /// Null arguments are allowed (`coalesce`, `lookup`'s default); otherwise they are an error.
    pub allow_null: bool,
    pub imp: FuncImpl,
}

impl Function {
    pub const fn new(name: &'static str, params: &'static [&'static str], imp: FuncImpl) -> Function {
        Function { name, params, variadic: None, unknowns: Unknowns::Propagate, sees_marks: false, allow_null: false, imp }
    }
    pub const fn variadic(mut self, name: &'static str) -> Function {
        self.variadic = Some(name);
        self
    }
    pub const fn nested_unknowns(mut self) -> Function {
        self.unknowns = Unknowns::Nested;
        self
    }
    pub const fn sees_marks(mut self) -> Function {
        self.sees_marks = true;
        self
    }
    pub const fn allow_null(mut self) -> Function {
        self.allow_null = true;
        self
    }

    pub fn param_name(&self, i: usize) -> &'static str {
        self.params.get(i).copied().or(self.variadic).unwrap_or("argument")
    }
}

static REGISTRY: LazyLock<HashMap<&'static str, Function>> = LazyLock::new(|| {
    let mut m = HashMap::new();
    for family in [
        string::functions,
        collection::functions,
        conversion::functions,
        crypto::functions,
        encoding::functions,
        filesystem::functions,
        ipnet::functions,
        numeric::functions,
    ] as [fn() -> Vec<Function>; 8]
    {
        for f in family() {
            m.insert(f.name, f);
        }
    }
    m
});

pub fn lookup(name: &str) -> Option<&'static Function> {
    REGISTRY.get(name)
}

/// Names of every function (and of the special forms `try` and `can`).
pub fn names() -> impl Iterator<Item = &'static str> {
    REGISTRY.keys().copied().chain(["try", "can"])
}

/// Calls `f` with arity, null, unknown and sensitive handling.
pub fn call(f: &Function, ctx: &FuncCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let n = f.params.len();
    if args.len() < n || (f.variadic.is_none() && args.len() > n) {
        let expected = if f.variadic.is_some() {
            format!("at least {n}")
        } else {
            n.to_string()
        };
        return Err(FuncError::Arity(format!(
            "Function \"{}\" expects {expected} argument{}, but {} were given.",
            f.name,
            if n == 1 && f.variadic.is_none() { "" } else { "s" },
            args.len()
        )));
    }
    let mut marked = false;
    let args: Vec<Value> = if f.sees_marks {
        args
    } else {
        args.into_iter()
            .map(|a| {
                marked |= a.contains_sensitive();
                a.deep_unmark()
            })
            .collect()
    };
    if !f.allow_null {
        if let Some(i) = args.iter().position(Value::is_null) {
            return Err(FuncError::Arg(i, "argument must not be null.".into()));
        }
    }
    let unknown = match f.unknowns {
        Unknowns::Propagate => args.iter().any(|a| !a.is_wholly_known()),
        Unknowns::Nested => args.iter().any(Value::is_unknown),
    };
    if unknown {
        return Ok(Value::Unknown.mark_if(marked));
    }
    let out = (f.imp)(ctx, args)?;
    Ok(out.mark_if(marked))
}

// ---- argument helpers shared by the families ----

pub(crate) fn arg_err(i: usize, msg: impl Into<String>) -> FuncError {
    FuncError::Arg(i, msg.into())
}

/// The argument as a string; numbers and bools convert as in Terraform.
pub(crate) fn str_arg(args: &[Value], i: usize) -> Result<String, FuncError> {
    match &args[i] {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(format_number(*n)),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(arg_err(i, format!("string required, but have {}.", other.type_name()))),
    }
}

pub(crate) fn num_arg(args: &[Value], i: usize) -> Result<f64, FuncError> {
    match &args[i] {
        Value::Number(n) => Ok(*n),
        Value::String(s) => s.trim().parse::<f64>().map_err(|_| arg_err(i, format!("a number is required, got the string {s:?}."))),
        other => Err(arg_err(i, format!("number required, but have {}.", other.type_name()))),
    }
}

/// A number that must be a whole number.
pub(crate) fn int_arg(args: &[Value], i: usize) -> Result<i64, FuncError> {
    let n = num_arg(args, i)?;
    if n.fract() != 0.0 {
        return Err(arg_err(i, format!("a whole number is required, got {}.", format_number(n))));
    }
    Ok(n as i64)
}

pub(crate) fn bool_arg(args: &[Value], i: usize) -> Result<bool, FuncError> {
    match &args[i] {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s == "true" => Ok(true),
        Value::String(s) if s == "false" => Ok(false),
        other => Err(arg_err(i, format!("bool required, but have {}.", other.type_name()))),
    }
}

/// Elements of a list, tuple or set argument.
pub(crate) fn seq_arg(args: &[Value], i: usize) -> Result<Vec<Value>, FuncError> {
    match &args[i] {
        Value::List(items) | Value::Set(items) => Ok(items.clone()),
        other => Err(arg_err(i, format!("list, set or tuple required, but have {}.", other.type_name()))),
    }
}

/// Entries of a map or object argument.
pub(crate) fn map_arg(args: &[Value], i: usize) -> Result<crate::value::ValueMap, FuncError> {
    match &args[i] {
        Value::Map(m) => Ok(m.clone()),
        other => Err(arg_err(i, format!("map or object required, but have {}.", other.type_name()))),
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Calls a function by name with the given arguments, as the evaluator would.
    pub fn call_fn(name: &str, args: Vec<Value>) -> Result<Value, FuncError> {
        let f = lookup(name).unwrap_or_else(|| panic!("no function {name}"));
        call(f, &FuncCtx { base_dir: Path::new(".") }, args)
    }
}
