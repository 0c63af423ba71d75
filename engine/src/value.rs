//! The engine's values: Terraform's value system ([`crate::cty`]) under the names the engine
//! has always used.

pub use crate::cty::paths::View;
pub use crate::cty::paths::number_json;
pub use crate::cty::{Marks, PathStep, Type, Value, path_to_string};
use std::collections::BTreeMap;

/// A map of attribute or element names to values, ordered by key as in Terraform.
pub type ValueMap = BTreeMap<String, Value>;

/// Parses JSON text into a value typed as cty's `ImpliedType` would (objects, tuples), with
/// numbers exact.
pub fn from_json_text(text: &str) -> Result<Value, String> {
    let j = crate::cty::json::parse(text)?;
    let ty = crate::cty::json::implied_type(&j)?;
    crate::cty::json::unmarshal(&j, &ty).map_err(|e| e.message)
}

/// Parses JSON text into a value of type `ty` (cty's `Unmarshal`).
pub fn from_json_text_typed(text: &str, ty: &Type) -> Result<Value, String> {
    let j = crate::cty::json::parse(text)?;
    crate::cty::json::unmarshal(&j, ty).map_err(|e| e.message)
}
