//! Terraform's `objchange.AssertObjectCompatible`: whether a value is a valid completion of
//! a planned, possibly partly unknown, value. Every value known in the plan must be the
//! same; an unknown may become anything its type and refinements allow.
//!
//! Applying a saved plan uses it twice: before anything changes, on the whole plan made again
//! from the same prior state ([`super::verify`]), and for each instance as it is applied,
//! on the provider's final plan (Terraform's "Provider produced inconsistent final plan").

use crate::cty::convert::mismatch_message;
use crate::cty::gostring::go_string;
use crate::cty::ops;
use crate::schema::{Nesting, Schema};
use crate::value::Value;

/// The differences between `planned` and `actual` for a block of `schema`, each as
/// `tfdiags.FormatError` renders it: `.path: message`.
pub fn assert_object_compatible(schema: &Schema, planned: &Value, actual: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    object(schema, planned, actual, &mut String::new(), &mut errs);
    errs
}

/// `AssertValueCompatible`: the same for a single value, marks removed.
pub fn assert_value_compatible(planned: &Value, actual: &Value) -> Vec<String> {
    let mut errs = Vec::new();
    value(&planned.clone().deep_unmark(), &actual.clone().deep_unmark(), &mut String::new(), &mut errs);
    errs
}

fn push(errs: &mut Vec<String>, path: &str, msg: String) {
    errs.push(if path.is_empty() { msg } else { format!("{path}: {msg}") });
}

fn object(schema: &Schema, planned: &Value, actual: &Value, path: &mut String, errs: &mut Vec<String>) {
    let at_root = if path.is_empty() { "Root object " } else { "" };
    let (planned, actual) = (planned.unmarked(), actual.unmarked());
    if planned.is_null() && !actual.is_null() {
        return push(errs, path, format!("{at_root}was absent, but now present"));
    }
    if actual.is_null() && !planned.is_null() {
        return push(errs, path, format!("{at_root}was present, but now absent"));
    }
    if planned.is_null() || !planned.is_known() || !actual.is_known() {
        return;
    }
    // Go iterates the schema's maps in no fixed order; by name here, for stable messages.
    let mut names: Vec<&String> = schema.attributes.keys().collect();
    names.sort();
    for name in names {
        let attr = &schema.attributes[name];
        let p = planned.get_attr(name).cloned().unwrap_or(Value::NULL);
        let a = actual.get_attr(name).cloned().unwrap_or(Value::NULL);
        let sensitive = attr.sensitive || p.contains_sensitive() || a.contains_sensitive();
        let len = path.len();
        path.push('.');
        path.push_str(name);
        let mut more = Vec::new();
        value(&p.deep_unmark(), &a.deep_unmark(), path, &mut more);
        if sensitive && !more.is_empty() {
            push(errs, path, "inconsistent values for sensitive attribute".into());
        } else {
            errs.extend(more);
        }
        path.truncate(len);
    }
    let mut names: Vec<&String> = schema.blocks.keys().collect();
    names.sort();
    for name in names {
        let block = &schema.blocks[name];
        let p = planned.get_attr(name).map(|v| v.unmarked().clone()).unwrap_or(Value::NULL);
        let a = actual.get_attr(name).map(|v| v.unmarked().clone()).unwrap_or(Value::NULL);
        let len = path.len();
        path.push('.');
        path.push_str(name);
        match block.nesting {
            Nesting::Single => {
                if !(p.is_unknown() && a.is_null()) {
                    object(&block.schema, &p, &a, path, errs);
                }
            }
            Nesting::List => {
                if p.is_known() && a.is_known() && !p.is_null() && !a.is_null() {
                    let (ps, as_) = (p.as_seq().unwrap_or(&[]), a.as_seq().unwrap_or(&[]));
                    if ps.len() != as_.len() {
                        push(errs, path, format!("block count changed from {} to {}", ps.len(), as_.len()));
                    } else {
                        for (i, (pe, ae)) in ps.iter().zip(as_).enumerate() {
                            let len = path.len();
                            path.push_str(&format!("[{i}]"));
                            object(&block.schema, pe, ae, path, errs);
                            path.truncate(len);
                        }
                    }
                }
            }
            Nesting::Set => {
                if p.is_known() && a.is_known() && !p.is_null() && !a.is_null() {
                    let (ps, as_) = (p.as_seq().unwrap_or(&[]), a.as_seq().unwrap_or(&[]));
                    let set_path = path.clone();
                    errs.extend(sets(ps, as_, &set_path, |pe, ae| {
                        let mut e = Vec::new();
                        object(&block.schema, pe, ae, &mut format!("{set_path}[...]"), &mut e);
                        e.is_empty()
                    }));
                    if ps.len() < as_.len() {
                        push(errs, path, format!("block set length changed from {} to {}", ps.len(), as_.len()));
                    }
                }
            }
        }
        path.truncate(len);
    }
}

fn value(planned: &Value, actual: &Value, path: &mut String, errs: &mut Vec<String>) {
    let pty = planned.ty();
    if pty == crate::value::Type::Dynamic {
        return;
    }
    let aty = actual.ty();
    if !aty.test_conformance(&pty).is_empty() {
        return push(errs, path, format!("wrong final value type: {}", mismatch_message(&aty, &pty)));
    }
    if !planned.is_known() {
        let ok = planned.range().includes(actual);
        if ok.as_bool() == Some(false) {
            push(
                errs,
                path,
                format!(
                    "final value {} does not conform to planning placeholder {}",
                    go_string(actual),
                    go_string(planned)
                ),
            );
        }
        return;
    }
    if actual.is_null() {
        if !planned.is_null() {
            push(errs, path, format!("was {}, but now null", go_string(planned)));
        }
        return;
    }
    if planned.is_null() {
        return push(errs, path, format!("was null, but now {}", go_string(actual)));
    }
    if !actual.is_known() {
        return push(errs, path, "was known, but now unknown".into());
    }
    match planned {
        Value::Bool(_) | Value::Number(_) | Value::String(_)
            if ops::equals(actual, planned).as_bool() != Some(true) =>
        {
            push(errs, path, format!("was {}, but now {}", go_string(planned), go_string(actual)));
        }
        Value::List(_) | Value::Tuple(_) => {
            let (ps, as_) = (planned.as_seq().unwrap_or(&[]), actual.as_seq().unwrap_or(&[]));
            for (i, pe) in ps.iter().enumerate() {
                let Some(ae) = as_.get(i) else {
                    push(errs, path, format!("element {i} has vanished"));
                    continue;
                };
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                value(pe, ae, path, errs);
                path.truncate(len);
            }
            for i in ps.len()..as_.len() {
                push(errs, path, format!("new element {i} has appeared"));
            }
        }
        Value::Map(_) | Value::Object(_) => {
            let (pm, am) = (planned.as_map(), actual.as_map());
            let (Some(pm), Some(am)) = (pm, am) else { return };
            let is_map = matches!(planned, Value::Map(_));
            for (k, pe) in pm {
                let Some(ae) = am.get(k) else {
                    push(errs, path, format!("element {} has vanished", crate::cty::ty::go_quote(k)));
                    continue;
                };
                let len = path.len();
                if is_map {
                    path.push_str(&format!("[{}]", crate::cty::ty::go_quote(k)));
                } else {
                    path.push('.');
                    path.push_str(k);
                }
                value(pe, ae, path, errs);
                path.truncate(len);
            }
            if is_map {
                for k in am.keys().filter(|k| !pm.contains_key(*k)) {
                    push(errs, path, format!("new element {} has appeared", crate::cty::ty::go_quote(k)));
                }
            }
        }
        Value::Set(_) => {
            let (ps, as_) = (planned.as_seq().unwrap_or(&[]), actual.as_seq().unwrap_or(&[]));
            let set_path = path.clone();
            errs.extend(sets(ps, as_, &set_path, |pe, ae| {
                let mut e = Vec::new();
                value(pe, ae, &mut format!("{set_path}[...]"), &mut e);
                e.is_empty()
            }));
            if ps.len() < as_.len() {
                push(errs, path, format!("length changed from {} to {}", ps.len(), as_.len()));
            }
        }
        _ => {}
    }
}

/// `assertSetValuesCompatible`: every element on each side must correlate with at least one
/// on the other.
fn sets(planned: &[Value], actual: &[Value], path: &str, f: impl Fn(&Value, &Value) -> bool) -> Vec<String> {
    let mut peq = vec![false; planned.len()];
    let mut aeq = vec![false; actual.len()];
    for (pi, pv) in planned.iter().enumerate() {
        for (ai, av) in actual.iter().enumerate() {
            if f(pv, av) {
                peq[pi] = true;
                aeq[ai] = true;
            }
        }
    }
    // The planned side first; the actual side only when that found nothing, so that one
    // difference is not reported from both sides.
    let uncorrelated = |values: &[Value], eq: &[bool], side: &str, other: &str| -> Vec<String> {
        let mut errs = Vec::new();
        for (v, _) in values.iter().zip(eq).filter(|(_, eq)| !**eq) {
            let msg = format!("{side} set element {} does not correlate with any element in {other}", go_string(v));
            push(&mut errs, path, msg);
        }
        errs
    };
    let errs = uncorrelated(planned, &peq, "planned", "actual");
    if !errs.is_empty() {
        return errs;
    }
    uncorrelated(actual, &aeq, "actual", "plan")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Attribute;
    use crate::value::Type;
    use std::collections::BTreeMap;

    fn schema() -> Schema {
        let mut s = Schema::default();
        for (name, ty, sensitive) in [
            ("input", Type::String, false),
            ("tags", Type::Map(Type::String.into()), false),
            ("password", Type::String, true),
            ("ports", Type::List(Type::Number.into()), false),
            ("zones", Type::Set(Type::String.into()), false),
        ] {
            s.attributes.insert(name.into(), Attribute { sensitive, ..Attribute::optional(ty) });
        }
        s
    }

    fn obj(pairs: &[(&str, Value)]) -> Value {
        let mut m: BTreeMap<String, Value> = ["input", "tags", "password", "ports", "zones"]
            .iter()
            .map(|k| (k.to_string(), Value::null(schema().attributes[*k].ty.clone())))
            .collect();
        for (k, v) in pairs {
            m.insert(k.to_string(), v.clone());
        }
        Value::object_from_map(m)
    }

    #[test]
    fn a_changed_known_value_is_named_with_both_values() {
        let errs = assert_object_compatible(
            &schema(),
            &obj(&[("input", Value::string("reviewed"))]),
            &obj(&[("input", Value::string("changed"))]),
        );
        assert_eq!(errs, vec![r#".input: was cty.StringVal("reviewed"), but now cty.StringVal("changed")"#]);
    }

    #[test]
    fn an_unknown_may_become_anything_its_refinements_allow() {
        let planned = obj(&[("input", Value::unknown(Type::String).refine_not_null())]);
        assert!(assert_object_compatible(&schema(), &planned, &obj(&[("input", Value::string("x"))])).is_empty());
        let errs = assert_object_compatible(&schema(), &planned, &obj(&[]));
        assert_eq!(
            errs,
            vec![
                ".input: final value cty.NullVal(cty.String) does not conform to planning placeholder cty.UnknownVal(cty.String).RefineNotNull()"
            ]
        );
    }

    #[test]
    fn sensitive_attributes_are_not_disclosed() {
        let errs = assert_object_compatible(
            &schema(),
            &obj(&[("password", Value::string("old"))]),
            &obj(&[("password", Value::string("new"))]),
        );
        assert_eq!(errs, vec![".password: inconsistent values for sensitive attribute"]);
    }

    #[test]
    fn collections_report_elements() {
        let tags = |pairs: &[(&str, &str)]| {
            Value::map(
                Type::String,
                pairs.iter().map(|(k, v)| (k.to_string(), Value::string(*v))).collect::<BTreeMap<_, _>>(),
            )
        };
        let ports = |ns: &[i64]| Value::list(Type::Number, ns.iter().map(|n| Value::int(*n)).collect());
        let errs = assert_object_compatible(
            &schema(),
            &obj(&[("tags", tags(&[("a", "1"), ("b", "2")])), ("ports", ports(&[80]))]),
            &obj(&[("tags", tags(&[("a", "9"), ("c", "3")])), ("ports", ports(&[80, 443]))]),
        );
        assert_eq!(
            errs,
            vec![
                r#".ports: new element 1 has appeared"#,
                r#".tags["a"]: was cty.StringVal("1"), but now cty.StringVal("9")"#,
                r#".tags: element "b" has vanished"#,
                r#".tags: new element "c" has appeared"#,
            ]
        );
    }

    #[test]
    fn set_elements_must_correlate_planned_side_first() {
        let zones = |zs: &[&str]| Value::set(Type::String, zs.iter().map(|z| Value::string(*z)).collect());
        let errs = assert_object_compatible(
            &schema(),
            &obj(&[("zones", zones(&["a", "b"]))]),
            &obj(&[("zones", zones(&["a", "c"]))]),
        );
        assert_eq!(
            errs,
            vec![r#".zones: planned set element cty.StringVal("b") does not correlate with any element in actual"#]
        );
        let errs = assert_object_compatible(
            &schema(),
            &obj(&[("zones", zones(&["a"]))]),
            &obj(&[("zones", zones(&["a", "c"]))]),
        );
        assert_eq!(
            errs,
            vec![
                r#".zones: actual set element cty.StringVal("c") does not correlate with any element in plan"#,
                ".zones: length changed from 1 to 2",
            ]
        );
        let unknown = Value::set(Type::String, vec![Value::string("a"), Value::unknown(Type::String)]);
        assert!(
            assert_object_compatible(&schema(), &obj(&[("zones", unknown)]), &obj(&[("zones", zones(&["a", "z"]))]))
                .is_empty()
        );
    }

    #[test]
    fn null_and_presence() {
        let errs = assert_object_compatible(&schema(), &Value::null(Type::Dynamic), &obj(&[]));
        assert_eq!(errs, vec!["Root object was absent, but now present"]);
        let errs = assert_object_compatible(&schema(), &obj(&[("input", Value::string("x"))]), &obj(&[]));
        assert_eq!(errs, vec![r#".input: was cty.StringVal("x"), but now null"#]);
    }
}
