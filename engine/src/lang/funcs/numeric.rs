//! Functions of the numeric family: `abs`, `ceil`, `floor`, `log`, `max`, `min`, `parseint`,
//! `pow` and `signum`, as cty's stdlib defines them (Terraform 1.11 uses cty's versions).
//!
//! `log` and `pow` compute on float64 values as Go's `math` does; when the result is NaN
//! (`log(-1, 10)`, `pow(-8, 1/3)`) Terraform 1.11 panics inside the function, and this port
//! reports "result is not a number" instead, the message later Terraform versions give.

use crate::cty::ty::go_quote;
use crate::cty::{Type, Value};
use crate::lang::function::{FuncCtx, FuncError, Function, ImplFn, Param, Returns, refine_not_null};
use crate::number::{Number, NumberError};
use std::cmp::Ordering;

/// The numeric functions, and `format`/`formatlist` (their own module, `format.rs`).
pub(super) fn functions() -> Vec<Function> {
    let mut fs = vec![
        Function {
            name: "abs",
            params: vec![Param::new("num", Type::Number).allow_dynamic().allow_marked()],
            var_param: None,
            returns: Returns::Static(|| Type::Number),
            refine: Some(refine_not_null),
            imp: |_, args, _| Ok(crate::cty::ops::absolute(&args[0])),
        },
        unary("ceil", |_, args, _| Ok(Value::Number(number(&args[0]).ceil()))),
        unary("floor", |_, args, _| Ok(Value::Number(number(&args[0]).floor()))),
        unary("signum", |_, args, _| {
            number(&args[0]).signum().map(Value::Number).map_err(|e| FuncError::other(e.to_string()))
        }),
        binary("log", "base", |_, args, _| float_result(number(&args[0]).log(number(&args[1])))),
        binary("pow", "power", |_, args, _| float_result(number(&args[0]).pow(number(&args[1])))),
        extremum("max", |_, args, _| pick(args, Ordering::Greater)),
        extremum("min", |_, args, _| pick(args, Ordering::Less)),
        Function {
            name: "parseint",
            params: vec![Param::new("number", Type::Dynamic), Param::new("base", Type::Number)],
            var_param: None,
            returns: Returns::Computed(parseint_type),
            refine: Some(refine_not_null),
            imp: parseint,
        },
    ];
    fs.extend(super::format::functions());
    fs
}

fn number(v: &Value) -> &Number {
    v.as_number().expect("the function framework passes a known number")
}

/// A function of one number, `num`.
fn unary(name: &'static str, imp: ImplFn) -> Function {
    Function {
        name,
        params: vec![Param::new("num", Type::Number)],
        var_param: None,
        returns: Returns::Static(|| Type::Number),
        refine: Some(refine_not_null),
        imp,
    }
}

/// A function of two numbers, `num` and `second`.
fn binary(name: &'static str, second: &'static str, imp: ImplFn) -> Function {
    Function {
        name,
        params: vec![Param::new("num", Type::Number), Param::new(second, Type::Number)],
        var_param: None,
        returns: Returns::Static(|| Type::Number),
        refine: Some(refine_not_null),
        imp,
    }
}

/// The result of a float64 computation: a gocty conversion error or a NaN fails the call.
fn float_result(r: Result<Number, NumberError>) -> Result<Value, FuncError> {
    match r {
        Ok(n) => Ok(Value::Number(n)),
        Err(NumberError::NaN) => Err(FuncError::other("result is not a number")),
        Err(e) => Err(FuncError::other(e.to_string())),
    }
}

/// `max` or `min`: any number of numbers.
fn extremum(name: &'static str, imp: ImplFn) -> Function {
    Function {
        name,
        params: Vec::new(),
        var_param: Some(Param::new("numbers", Type::Number).allow_dynamic()),
        returns: Returns::Static(|| Type::Number),
        refine: Some(refine_not_null),
        imp,
    }
}

/// The first number that beats every earlier one (`want`: Greater for `max`), starting from
/// the opposite infinity, as cty does.
fn pick(args: &[Value], want: Ordering) -> Result<Value, FuncError> {
    if args.is_empty() {
        return Err(FuncError::other("must pass at least one number"));
    }
    let mut best = Number::infinity(want == Ordering::Greater);
    for a in args {
        let n = number(a);
        if n.cmp(&best) == want {
            best = n.clone();
        }
    }
    Ok(Value::Number(best))
}

fn parseint_type(_: &FuncCtx<'_>, args: &[Value]) -> Result<Type, FuncError> {
    let ty = args[0].ty();
    if ty != Type::String {
        return Err(FuncError::arg(0, format!("first argument must be a string, not {}", ty.friendly_name())));
    }
    Ok(Type::Number)
}

fn parseint(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let s = args[0].as_str().expect("checked by the return type");
    let base = number(&args[1]).to_i64().ok_or_else(|| FuncError::arg(1, NumberError::NotAnInt64.to_string()))?;
    if !(2..=62).contains(&base) {
        return Err(FuncError::arg(1, "base must be a whole number between 2 and 62 inclusive"));
    }
    Number::parse_int(s, base as u32)
        .map(Value::Number)
        .ok_or_else(|| FuncError::arg(0, format!("cannot parse {} as a base {base} integer", go_quote(s))))
}

#[cfg(test)]
mod tests;
