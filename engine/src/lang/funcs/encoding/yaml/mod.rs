//! PLACEHOLDER
use crate::cty::Type;
use crate::lang::function::{Function, Param, Returns, unpredictable};
pub(super) fn yamldecode() -> Function {
    Function {
        name: "yamldecode",
        params: vec![Param::new("src", Type::String)],
        var_param: None,
        returns: Returns::Static(|| Type::Dynamic),
        refine: None,
        imp: unpredictable,
    }
}
pub(super) fn yamlencode() -> Function {
    Function {
        name: "yamlencode",
        params: vec![Param::new("value", Type::Dynamic)],
        var_param: None,
        returns: Returns::Static(|| Type::String),
        refine: None,
        imp: unpredictable,
    }
}
