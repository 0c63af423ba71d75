//! Terraform's value system, after cty: types ([`Type`]), values with typed nulls and
//! unknowns, refinements and marks ([`Value`]), conversion and unification ([`convert`]),
//! the operations the language needs ([`ops`]) and the JSON encoding ([`json`]).

pub mod conform;
pub mod convert;
pub mod gostring;
pub mod json;
pub mod marks;
pub mod ops;
pub mod paths;
pub mod refine;
pub mod set;
pub mod ty;
pub mod value;

pub use marks::Marks;
pub use ty::{ObjectType, PathError, Type};
pub use value::{MapData, SeqData, Unknown, Value};

use std::fmt;

/// One step of a path into a value: an object attribute, a map key or a list, tuple or set
/// index.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PathStep {
    Attr(String),
    Key(String),
    Index(usize),
}

impl fmt::Display for PathStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathStep::Attr(a) => write!(f, ".{a}"),
            PathStep::Key(k) => write!(f, "[{k:?}]"),
            PathStep::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// Renders a path as `a.b[0]["k"]` (without a leading dot).
pub fn path_to_string(path: &[PathStep]) -> String {
    let s: String = path.iter().map(ToString::to_string).collect();
    s.strip_prefix('.').map(str::to_string).unwrap_or(s)
}
