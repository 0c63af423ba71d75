//! Module calls: `count`/`for_each` evaluated in every instance of the caller. In a destroy
//! walk an expansion that cannot be evaluated counts as none.

use super::Walk;
use crate::run::Expansion;

pub(super) fn visit(w: &Walk<'_>, path: &[String]) -> bool {
    let Some((name, parent)) = path.split_last() else { return true };
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
