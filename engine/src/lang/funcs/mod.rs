//! Terraform's built-in functions, one file per family, each a port of cty's stdlib or
//! Terraform's `lang/funcs` with the same parameters, return types, refinements, results
//! and error messages. Every function is also reachable as `core::NAME`; the
//! `provider::terraform::` functions are registered under their full name.

mod collection;
mod conversion;
mod crypto;
mod datetime;
pub(crate) use datetime::unix_of_rfc3339;
mod encoding;
pub use encoding::go_gzip;
#[cfg(test)]
mod fenc_testutil;
mod filesystem;
mod format;
mod ipnet;
mod numeric;
mod provider_terraform;
mod string;

pub use string::{TemplateArg, template_arg, templatestring_for};

use super::function::Function;
use std::collections::BTreeMap;
use std::sync::LazyLock;

static REGISTRY: LazyLock<BTreeMap<&'static str, Function>> = LazyLock::new(|| {
    let mut m = BTreeMap::new();
    for family in [
        collection::functions,
        conversion::functions,
        crypto::functions,
        datetime::functions,
        encoding::functions,
        filesystem::functions,
        ipnet::functions,
        numeric::functions,
        provider_terraform::functions,
        string::functions,
    ] as [fn() -> Vec<Function>; 10]
    {
        for f in family() {
            let prev = m.insert(f.name, f);
            assert!(prev.is_none(), "function registered twice");
        }
    }
    m
});

/// The function called `name` (`core::` prefixes accepted).
pub fn lookup(name: &str) -> Option<&'static Function> {
    REGISTRY.get(name.strip_prefix("core::").unwrap_or(name))
}

/// The names of every built-in function, without the `core::` spellings.
pub fn names() -> impl Iterator<Item = &'static str> {
    REGISTRY.keys().copied()
}
