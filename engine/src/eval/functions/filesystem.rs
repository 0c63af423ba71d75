//! filesystem functions.

use super::*;

pub(super) fn functions() -> Vec<Function> {
    vec![]
}
