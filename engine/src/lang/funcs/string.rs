//! Functions of the string family: Go's `strings` and `regexp` semantics on Unicode
//! 15.0.0 data, as Terraform 1.11 (Go 1.23, cty 1.16, go-textseg v15) has them.

mod basic;
mod case;
mod goregex;
mod graphemes;
mod lists;
mod patterns;
mod substr;
mod templatestring;
#[rustfmt::skip]
mod unicode15;

pub use templatestring::{TemplateArg, template_arg, templatestring_for};

use crate::cty::Value;
use crate::lang::function::{FuncError, Function};

/// A number as a Go `int` (gocty's conversion), or its error.
fn go_int(v: &Value) -> Result<i64, FuncError> {
    v.as_number().and_then(|n| n.to_i64()).ok_or_else(|| {
        FuncError::other("value must be a whole number, between -9223372036854775808 and 9223372036854775807")
    })
}

pub(super) fn functions() -> Vec<Function> {
    [
        basic::functions,
        case::functions,
        lists::functions,
        patterns::functions,
        substr::functions,
        templatestring::functions,
    ]
    .into_iter()
    .flat_map(|f| f())
    .collect()
}

#[cfg(test)]
mod tests;
