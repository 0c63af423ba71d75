//! Functions of the crypto family.

use crate::lang::function::Function;

pub(super) fn functions() -> Vec<Function> {
    Vec::new()
}
