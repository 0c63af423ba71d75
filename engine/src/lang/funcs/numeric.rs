//! Functions of the numeric family.

use crate::lang::function::Function;

pub(super) fn functions() -> Vec<Function> {
    Vec::new()
}
