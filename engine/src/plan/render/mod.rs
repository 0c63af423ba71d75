//! Renderings of a plan. They only present what the plan says.

pub mod hcl;
pub mod json;
pub mod markdown;
pub mod style;
pub mod text;
