//! Functions of the ipnet family.

use crate::lang::function::Function;

pub(super) fn functions() -> Vec<Function> {
    Vec::new()
}
