//! Test helpers for the encoding, crypto and filesystem families: calls as HCL makes them,
//! in the conformance suite's context directory, with the diagnostics' texts.

use crate::cty::{Marks, Type, Value};
use crate::lang::function::{FuncCtx, call_hcl};
use std::path::Path;

/// The conformance context, relative to the crate (the tests' working directory).
pub const CONTEXT: &str = "tests/conformance/context";

pub fn ctx() -> FuncCtx<'static> {
    FuncCtx { base_dir: Path::new(CONTEXT), template: None, plan_timestamp: None }
}

/// Calls `name`; the value, or the first diagnostic's detail.
pub fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    call_in(&ctx(), name, args)
}

pub fn call_in(ctx: &FuncCtx<'_>, name: &str, args: Vec<Value>) -> Result<Value, String> {
    let f = super::lookup(name).expect("function exists");
    call_hcl(name, f, ctx, args).map_err(|e| e[0].detail.clone())
}

pub fn s(v: &str) -> Value {
    Value::string(v)
}

pub fn secret(v: &str) -> Value {
    Value::string(v).with_marks(Marks::SENSITIVE)
}

pub fn unknown_string() -> Value {
    Value::unknown(Type::String)
}

/// The string a call returns.
pub fn string(name: &str, args: Vec<Value>) -> String {
    match call(name, args) {
        Ok(v) => v.as_str().unwrap_or_else(|| panic!("{name}: not a string: {v:?}")).to_string(),
        Err(e) => panic!("{name}: {e}"),
    }
}

/// The error detail of a failing call.
pub fn error(name: &str, args: Vec<Value>) -> String {
    match call(name, args) {
        Ok(v) => panic!("{name}: expected an error, got {v:?}"),
        Err(e) => e,
    }
}
