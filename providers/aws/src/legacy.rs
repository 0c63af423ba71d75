//! hashicorp/aws (built on Terraform's plugin SDK v2) records an attribute that is not set as
//! its type's zero value — `""`, `0`, `false`, `[]`, `{}` — where terrane records `null`; to
//! AWS and to both tools the two mean the same ("not set"). So that a state Terraform wrote
//! shows neither drift nor changes in terrane, a value read back as `null` where the prior
//! state holds the zero value keeps the zero value ([`keep_zero_values`]), and an argument
//! left out of the configuration where the prior state holds its zero value is planned as
//! that zero value ([`config_with_zero_values`]). States terrane writes keep `null`;
//! Terraform reads those without a change (the SDK treats both alike).

use std::collections::BTreeMap;
use std::sync::Arc;
use terrane_engine::schema::{Nesting, Schema};
use terrane_engine::value::Value;

/// Whether `v` is its type's zero value as the plugin SDK writes it.
pub(crate) fn is_zero(v: &Value) -> bool {
    match v.unmarked() {
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.to_i64() == Some(0),
        Value::Bool(b) => !b,
        Value::List(s) | Value::Set(s) => s.items.is_empty(),
        Value::Map(m) => m.items.is_empty(),
        Value::Tuple(t) => t.is_empty(),
        _ => false,
    }
}

/// `new` (a read-back or planned value) with each `null` that `prior` holds as the zero
/// value replaced by that zero value: through objects by attribute, lists by position, and
/// sets by the prior element each new one equals but for such nulls.
pub fn keep_zero_values(prior: &Value, new: Value) -> Value {
    if new.is_null() && !new.is_marked() && is_zero(prior) {
        return prior.clone();
    }
    match (prior.unmarked(), new) {
        (Value::Object(p), Value::Object(n)) => {
            let attrs: BTreeMap<String, Value> = n
                .iter()
                .map(|(k, v)| match p.get(k) {
                    Some(pv) => (k.clone(), keep_zero_values(pv, v.clone())),
                    None => (k.clone(), v.clone()),
                })
                .collect();
            Value::Object(Arc::new(attrs))
        }
        (Value::List(p), Value::List(n)) if p.items.len() == n.items.len() => {
            let items = p.items.iter().zip(n.items.iter()).map(|(pv, nv)| keep_zero_values(pv, nv.clone())).collect();
            Value::list(n.ety.clone(), items)
        }
        // A set's element is matched with the prior element it equals once its nulls take
        // that element's zero values.
        (Value::Set(p), Value::Set(n)) if p.items.len() == n.items.len() => {
            Value::set(n.ety.clone(), match_set(&p.items, &n.items, keep_zero_values))
        }
        (_, new) => new,
    }
}

/// The configuration as the plugin SDK reads it against the prior state: an argument that
/// is not computed, left out (`null`), where the prior state holds its zero value, is that
/// zero value; through nested blocks (lists by position, sets by the prior element each
/// configured one equals but for such arguments). Computed arguments are left alone: left
/// out, they keep their prior value anyway, and a replacement must plan them anew.
pub fn config_with_zero_values(prior: &Value, config: Value, schema: &Schema) -> Value {
    let (Value::Object(p), Value::Object(c)) = (prior.unmarked(), &config) else { return config };
    let attrs: BTreeMap<String, Value> = c
        .iter()
        .map(|(k, v)| {
            let Some(pv) = p.get(k) else { return (k.clone(), v.clone()) };
            let filled = if let Some(a) = schema.attributes.get(k) {
                if !a.computed && v.is_null() && !v.is_marked() && is_zero(pv) { pv.clone() } else { v.clone() }
            } else if let Some(b) = schema.blocks.get(k) {
                fill_blocks(pv, v.clone(), b.nesting, &b.schema)
            } else {
                v.clone()
            };
            (k.clone(), filled)
        })
        .collect();
    Value::Object(Arc::new(attrs))
}

fn fill_blocks(prior: &Value, config: Value, nesting: Nesting, schema: &Schema) -> Value {
    match (nesting, prior.unmarked(), &config) {
        (Nesting::Single, _, _) => config_with_zero_values(prior, config, schema),
        (Nesting::List, Value::List(p), Value::List(c)) if p.items.len() == c.items.len() => {
            let items =
                p.items.iter().zip(c.items.iter()).map(|(pv, cv)| config_with_zero_values(pv, cv.clone(), schema));
            Value::list(c.ety.clone(), items.collect())
        }
        (Nesting::Set, Value::Set(p), Value::Set(c)) if p.items.len() == c.items.len() => {
            Value::set(c.ety.clone(), match_set(&p.items, &c.items, |pv, cv| config_with_zero_values(pv, cv, schema)))
        }
        _ => config,
    }
}

/// Each of `new`'s elements as the unused `prior` element that `fill(prior, new)` turns it
/// into (equal but for nulls filled with zero values), else as it is.
fn match_set(prior: &[Value], new: &[Value], fill: impl Fn(&Value, Value) -> Value) -> Vec<Value> {
    let mut unused: Vec<&Value> = prior.iter().collect();
    new.iter()
        .map(|nv| match unused.iter().position(|pv| fill(pv, nv.clone()) == **pv) {
            Some(i) => unused.swap_remove(i).clone(),
            None => nv.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_engine::value::Type;

    #[test]
    fn nulls_keep_the_zero_values_terraform_recorded() {
        let prior = Value::object([
            ("kms_key_id", Value::from("")),
            ("retention_in_days", Value::from(14i64)),
            ("skip_destroy", Value::Bool(false)),
            ("iops", Value::from(0i64)),
            ("egress", Value::list(Type::String, vec![])),
            ("name", Value::from("app")),
            ("block", Value::list(Type::Dynamic, vec![Value::object([("prefix", Value::from(""))])])),
        ]);
        let read = Value::object([
            ("kms_key_id", Value::null(Type::String)),
            ("retention_in_days", Value::null(Type::Number)),
            ("skip_destroy", Value::null(Type::Bool)),
            ("iops", Value::from(3000i64)),
            ("egress", Value::null(Type::list(Type::String))),
            ("name", Value::null(Type::String)),
            ("block", Value::list(Type::Dynamic, vec![Value::object([("prefix", Value::null(Type::String))])])),
        ]);
        let kept = keep_zero_values(&prior, read);
        let get = |k: &str| kept.get_attr(k).cloned().unwrap();
        assert_eq!(get("kms_key_id"), Value::from(""), "a zero value stays");
        assert_eq!(get("skip_destroy"), Value::Bool(false));
        assert_eq!(get("egress"), Value::list(Type::String, vec![]));
        assert_eq!(get("iops"), Value::from(3000i64), "a real value wins");
        assert!(get("retention_in_days").is_null(), "a value that was set and is gone stays gone");
        assert!(get("name").is_null());
        let block = get("block");
        assert_eq!(block.as_seq().unwrap()[0].get_attr("prefix"), Some(&Value::from("")), "in blocks too");
    }

    #[test]
    fn set_elements_match_the_prior_element_they_equal_but_for_nulls() {
        let rule =
            |key: Value, alg: &str| Value::object([("kms_master_key_id", key), ("sse_algorithm", Value::from(alg))]);
        let ety = rule(Value::from(""), "AES256").ty();
        let prior = Value::set(ety.clone(), vec![rule(Value::from(""), "AES256")]);
        let read = Value::set(ety.clone(), vec![rule(Value::null(Type::String), "AES256")]);
        assert_eq!(keep_zero_values(&prior, read), prior);
        // A real change is kept.
        let changed = Value::set(ety.clone(), vec![rule(Value::null(Type::String), "aws:kms")]);
        assert_eq!(keep_zero_values(&prior, changed.clone()), changed);
    }

    #[test]
    fn left_out_arguments_are_their_recorded_zero_value_but_computed_ones_are_not() {
        use terrane_engine::schema::Attribute;
        let schema = Schema::new()
            .attr("kms_key_id", Attribute::optional(Type::String))
            .attr("multi_az", Attribute::optional_computed(Type::Bool))
            .attr("name", Attribute::required(Type::String));
        let prior = Value::object([
            ("kms_key_id", Value::from("")),
            ("multi_az", Value::Bool(false)),
            ("name", Value::from("db")),
        ]);
        let config = Value::object([
            ("kms_key_id", Value::null(Type::String)),
            ("multi_az", Value::null(Type::Bool)),
            ("name", Value::from("db")),
        ]);
        let read = config_with_zero_values(&prior, config, &schema);
        assert_eq!(read.get_attr("kms_key_id"), Some(&Value::from("")));
        assert!(read.get_attr("multi_az").unwrap().is_null(), "computed: the plan keeps or renews it");
    }
}
