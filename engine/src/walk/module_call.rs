//! Module calls: `count`/`for_each` evaluated in every instance of the caller. In a destroy
//! walk an expansion that cannot be evaluated counts as none. The validate walk checks what
//! it can of the expansion, and the call's value is unknown.

use super::Walk;
use crate::eval::Subject;
use crate::run::{Expansion, Repetition};
use crate::value::{Type, Value};
use std::collections::BTreeMap;

pub(super) fn visit(w: &Walk<'_>, path: &[String]) -> bool {
    let Some((name, parent)) = path.split_last() else { return true };
    if w.validating() {
        validating(w, parent, name);
        return true;
    }
    w.in_each_instance(parent, |h| {
        let scope = w.scope(h, None, None);
        let (e, ok) = match crate::run::expand_module_call(&scope, name, w.destroying()) {
            Ok(e) => (e, true),
            Err(d) => {
                w.error(d);
                (Expansion::Count(0), false)
            }
        };
        w.values.set_expansion(&h.module, name, e);
        ok
    })
}

/// The validate walk: `count`/`for_each` checked, and `module.NAME` an unknown object of the
/// child's outputs (a list of them for `count`, a map for `for_each`).
fn validating(w: &Walk<'_>, parent: &[String], name: &String) {
    let Some(config) = w.ctx.config.module(parent) else { return };
    let Some(call) = config.module_calls.get(name) else { return };
    let (count, for_each) = (call.count.as_ref(), call.for_each.as_ref());
    if let Some(d) =
        w.in_module(parent, Repetition::None, None, |ev| crate::run::validate_expansion(count, for_each, ev))
    {
        w.error(d);
    }
    let outputs: BTreeMap<String, Type> = config
        .children
        .get(name)
        .map(|c| c.outputs.keys().map(|o| (o.clone(), Type::Dynamic)).collect())
        .unwrap_or_default();
    let inst = Type::object(outputs);
    let ty = match Repetition::of(count, for_each) {
        Repetition::Count => Type::list(inst),
        Repetition::ForEach => Type::map(inst),
        Repetition::None => inst,
    };
    w.values.set(&crate::checks::unkeyed(parent), Subject::Module(name.clone()), Value::unknown(ty));
}
