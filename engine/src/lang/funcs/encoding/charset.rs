//! PLACEHOLDER
use crate::cty::{Type, Value};
use crate::lang::function::{FuncCtx, FuncError};
pub(super) fn textencodebase64(_: &FuncCtx<'_>, _: &[Value], _: &Type) -> Result<Value, FuncError> {
    Err(FuncError::other("todo"))
}
pub(super) fn textdecodebase64(_: &FuncCtx<'_>, _: &[Value], _: &Type) -> Result<Value, FuncError> {
    Err(FuncError::other("todo"))
}
