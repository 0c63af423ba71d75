//! Functions of the datetime family.

use crate::lang::function::Function;

pub(super) fn functions() -> Vec<Function> {
    Vec::new()
}
