//! `yamldecode` and `yamlencode`, after `github.com/zclconf/go-cty-yaml` v1.1.0 (the
//! version Terraform 1.11 uses). The syntax is read by `saphyr-parser`; the resolution of
//! scalars, the types inferred and the emitter's layout are go-cty-yaml's.

mod decode;
mod emit;
mod events;
mod resolve;
mod timestamp;

use crate::cty::{Type, Value};
use crate::lang::function::{FuncCtx, FuncError, Function, Param, Returns};

pub(super) fn yamldecode() -> Function {
    Function {
        name: "yamldecode",
        params: vec![Param::new("src", Type::String)],
        var_param: None,
        returns: Returns::Computed(|_, args| {
            if !args[0].is_known() {
                return Ok(Type::Dynamic);
            }
            decode::implied_type(args[0].as_str().unwrap_or_default()).map_err(FuncError::other)
        }),
        refine: None,
        imp: |_, args, ret| decode::unmarshal(args[0].as_str().unwrap_or_default(), ret).map_err(FuncError::other),
    }
}

pub(super) fn yamlencode() -> Function {
    Function {
        name: "yamlencode",
        params: vec![Param::new("value", Type::Dynamic).allow_null().allow_dynamic()],
        var_param: None,
        returns: Returns::Static(|| Type::String),
        refine: None,
        imp: yamlencode_impl,
    }
}

fn yamlencode_impl(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    if !args[0].is_wholly_known() {
        return Ok(Value::unknown(ret.clone()));
    }
    Ok(Value::string(emit::marshal(&args[0])))
}

#[cfg(test)]
mod tests;
