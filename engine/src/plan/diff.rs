//! The generic, schema-driven diff every provider gets by default: configured values win,
//! unset computed attributes keep their prior value (or become known after apply), defaults
//! fill unset optional ones, and a change to a force-new attribute forces replacement.

use crate::provider::PlanResponse;
use crate::schema::{Nesting, Schema};
use crate::value::{PathStep, Type, Value, ValueMap};

/// Plans a new state from the prior state (`None` when creating) and the configuration.
pub fn generic_plan(schema: &Schema, prior: Option<&Value>, config: &Value) -> PlanResponse {
    let mut requires_replace = Vec::new();
    let planned = plan_object(schema, prior, config, &mut Vec::new(), &mut requires_replace);
    if requires_replace.is_empty() {
        return PlanResponse::new(planned, requires_replace);
    }
    // A replacement plans the new object as a create: everything computed is new.
    let planned = plan_object(schema, None, config, &mut Vec::new(), &mut Vec::new());
    PlanResponse::new(planned, requires_replace)
}

/// Equality for diffing: sensitive marks are ignored; unknown differs from everything.
pub fn same(a: &Value, b: &Value) -> bool {
    if a.is_unknown() || b.is_unknown() {
        return false;
    }
    a.lang_eq(b)
}

fn plan_object(
    schema: &Schema,
    prior: Option<&Value>,
    config: &Value,
    path: &mut Vec<PathStep>,
    rr: &mut Vec<Vec<PathStep>>,
) -> Value {
    let (config, marks) = config.clone().unmark();
    if config.is_unknown() {
        return Value::unknown(schema.value_type()).with_marks(marks);
    }
    let prior = prior.map(Value::unmarked).filter(|p| !p.is_null());
    let mut out = ValueMap::new();
    for (name, attr) in &schema.attributes {
        let c = config.get_attr(name).cloned().unwrap_or_else(|| Value::null(attr.ty.clone()));
        let p = prior.and_then(|p| p.get_attr(name));
        let collection = attr.ty.is_list() || attr.ty.is_set() || attr.ty.is_map();
        let planned = if collection && is_empty_collection(&c) && !attr.computed {
            // An empty list, set or map is the same as leaving the argument out, as in the
            // Terraform SDK: providers read both back as null.
            Value::null(attr.ty.clone())
        } else if attr.ty.is_set() && !c.is_wholly_known() {
            // A set with an unknown element is unknown as a whole, as the Terraform SDK plans
            // it (the element's hash, and so the set's size, is not known).
            Value::unknown(attr.ty.clone()).with_marks(c.marks())
        } else if !c.is_null() {
            c
        } else if attr.computed {
            // An existing object keeps what the provider decided (null included); a new one
            // learns it at apply.
            match (prior, p) {
                (Some(_), Some(pv)) => pv.clone(),
                _ => attr.default.clone().unwrap_or_else(|| Value::unknown(attr.ty.clone())),
            }
        } else {
            attr.default.clone().unwrap_or_else(|| Value::null(attr.ty.clone()))
        };
        let planned = planned.conform(&attr.ty);
        if attr.force_new
            && let Some(prior_obj) = prior
        {
            let pv = prior_obj.get_attr(name).cloned().unwrap_or_else(|| Value::null(attr.ty.clone()));
            if !same(&pv, &planned) {
                path.push(PathStep::Attr(name.clone()));
                rr.push(path.clone());
                path.pop();
            }
        }
        out.insert(name.clone(), planned);
    }
    for (name, block) in &schema.blocks {
        let block_ty = || match block.nesting {
            Nesting::Single => block.schema.value_type(),
            Nesting::List => Type::list(block.schema.value_type()),
            Nesting::Set => Type::set(block.schema.value_type()),
        };
        let c = config.get_attr(name).cloned().unwrap_or_else(|| Value::null(block_ty()));
        let p = prior.and_then(|p| p.get_attr(name));
        let unconfigured = match c.unmarked() {
            Value::Null(_) => true,
            v => v.as_seq().is_some_and(<[Value]>::is_empty),
        };
        if block.computed && unconfigured {
            // The provider decides: an existing object keeps what it has.
            let v = match (prior, p) {
                (Some(_), Some(pv)) => pv.clone(),
                (Some(_), None) => Value::null(block_ty()),
                (None, _) => Value::unknown(block_ty()),
            };
            out.insert(name.clone(), v);
            continue;
        }
        path.push(PathStep::Attr(name.clone()));
        let inner = c.unmarked();
        let planned = match (block.nesting, inner) {
            (_, Value::Unknown(_)) => Value::unknown(block_ty()),
            (Nesting::Single, Value::Null(_)) => Value::null(block_ty()),
            (Nesting::Single, _) => plan_object(&block.schema, p, &c, path, rr),
            (Nesting::List, v) if v.as_seq().is_some() => {
                let items = v.as_seq().unwrap_or(&[]);
                let prior_items = p.map(Value::unmarked).and_then(Value::as_seq).unwrap_or(&[]);
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    path.push(PathStep::Index(i));
                    out.push(plan_object(&block.schema, prior_items.get(i), item, path, rr));
                    path.pop();
                }
                Value::list(block.schema.value_type(), out)
            }
            (Nesting::Set, v) if v.as_seq().is_some() => {
                let items = v.as_seq().unwrap_or(&[]);
                let prior_items = p.map(Value::unmarked).and_then(Value::as_seq).unwrap_or(&[]);
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    let matching = prior_items.iter().find(|pi| configured_equal(&block.schema, pi, item));
                    out.push(plan_object(&block.schema, matching, item, &mut Vec::new(), &mut Vec::new()));
                }
                Value::set(block.schema.value_type(), out)
            }
            (Nesting::List, _) => Value::empty_list(block.schema.value_type()),
            (Nesting::Set, _) => Value::empty_set(block.schema.value_type()),
        };
        if block.force_new
            && let Some(pv) = p
            && !same(pv, &planned)
        {
            rr.push(path.clone());
        }
        path.pop();
        out.insert(name.clone(), planned);
    }
    Value::object_from_map(out).with_marks(marks)
}

fn is_empty_collection(v: &Value) -> bool {
    let v = v.unmarked();
    v.is_known() && !v.is_null() && v.length_int() == Some(0)
}

/// Whether a prior set element matches a configured one on every attribute the
/// configuration sets (computed attributes are ignored).
fn configured_equal(schema: &Schema, prior: &Value, config: &Value) -> bool {
    schema.attributes.iter().all(|(name, attr)| {
        let c = config.get_attr(name).cloned().unwrap_or(Value::NULL);
        if c.is_null() && attr.computed {
            return true;
        }
        same(&prior.get_attr(name).cloned().unwrap_or(Value::NULL), &c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Attribute, NestedBlock};

    fn schema() -> Schema {
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("name", Attribute::required(Type::String).force_new())
            .attr("size", Attribute::optional(Type::Number).default(Value::from(1i64)))
            .attr("zone", Attribute::optional_computed(Type::String))
            .block("rule", NestedBlock::list(Schema::new().attr("port", Attribute::required(Type::Number))))
    }

    fn obj(entries: Vec<(&str, Value)>) -> Value {
        Value::object(entries)
    }

    #[test]
    fn create_fills_defaults_and_unknowns() {
        let config = obj(vec![
            ("name", "a".into()),
            ("size", Value::NULL),
            ("zone", Value::NULL),
            ("id", Value::NULL),
            ("rule", Value::empty_tuple()),
        ]);
        let r = generic_plan(&schema(), None, &config);
        assert_eq!(r.planned.get_attr("id"), Some(&Value::unknown(Type::String)));
        assert_eq!(r.planned.get_attr("size"), Some(&Value::from(1i64)));
        assert_eq!(r.planned.get_attr("zone"), Some(&Value::unknown(Type::String)));
        assert!(r.requires_replace.is_empty());
    }

    #[test]
    fn update_keeps_computed_and_detects_force_new() {
        let prior = obj(vec![
            ("id", "i-1".into()),
            ("name", "a".into()),
            ("size", 1i64.into()),
            ("zone", "z1".into()),
            ("rule", Value::empty_tuple()),
        ]);
        let config = obj(vec![
            ("name", "a".into()),
            ("size", 2i64.into()),
            ("zone", Value::NULL),
            ("rule", Value::empty_tuple()),
        ]);
        let r = generic_plan(&schema(), Some(&prior), &config);
        assert_eq!(r.planned.get_attr("id"), Some(&Value::from("i-1")));
        assert_eq!(r.planned.get_attr("zone"), Some(&Value::from("z1")));
        assert!(r.requires_replace.is_empty());

        let config = obj(vec![
            ("name", "b".into()),
            ("size", 2i64.into()),
            ("zone", Value::NULL),
            ("rule", Value::empty_tuple()),
        ]);
        let r = generic_plan(&schema(), Some(&prior), &config);
        assert_eq!(r.requires_replace, vec![vec![PathStep::Attr("name".into())]]);
        assert_eq!(r.planned.get_attr("id"), Some(&Value::unknown(Type::String)), "a replacement gets a new id");
    }

    #[test]
    fn a_computed_attribute_the_provider_left_null_stays_null() {
        let prior = obj(vec![
            ("id", "i-1".into()),
            ("name", "a".into()),
            ("size", 1i64.into()),
            ("zone", Value::NULL),
            ("rule", Value::empty_tuple()),
        ]);
        let config = obj(vec![
            ("name", "a".into()),
            ("size", 1i64.into()),
            ("zone", Value::NULL),
            ("rule", Value::empty_tuple()),
        ]);
        let r = generic_plan(&schema(), Some(&prior), &config);
        assert_eq!(r.planned.get_attr("zone"), Some(&Value::null(Type::String)));
        assert!(r.requires_replace.is_empty());
    }

    #[test]
    fn unknown_force_new_value_forces_replacement() {
        let prior = obj(vec![
            ("id", "i-1".into()),
            ("name", "a".into()),
            ("size", 1i64.into()),
            ("zone", "z".into()),
            ("rule", Value::empty_tuple()),
        ]);
        let config = obj(vec![
            ("name", Value::DYNAMIC),
            ("size", 1i64.into()),
            ("zone", Value::NULL),
            ("rule", Value::empty_tuple()),
        ]);
        let r = generic_plan(&schema(), Some(&prior), &config);
        assert_eq!(r.requires_replace.len(), 1);
    }
}
