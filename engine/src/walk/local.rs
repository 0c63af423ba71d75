//! Local values: the same in every operation. One that fails to evaluate is unknown for the
//! rest of the walk, so what refers to it reports its own errors, not this one again.

use super::Walk;
use crate::eval::Subject;
use crate::value::Value;

pub(super) fn visit(w: &Walk<'_>, path: &[String], name: &str) -> bool {
    w.in_each_instance(path, |h| {
        let Some(l) = h.config.locals.get(name) else { return false };
        let scope = w.scope(h, None, None);
        let (v, ok) = match scope.evaluator().eval(&l.expr) {
            Ok(v) => (v, true),
            Err(d) => {
                w.error(d);
                (Value::DYNAMIC, false)
            }
        };
        w.values.set(&h.module, Subject::Local(name.to_string()), v);
        ok
    })
}
