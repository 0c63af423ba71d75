//! The proposed new state Terraform core sends a plugin with `PlanResourceChange`
//! (`objchange.ProposedNew`): the configuration, where a computed attribute the
//! configuration leaves null keeps its prior value, nested blocks matched to their prior
//! blocks (lists by index, sets by the values the configuration gives).

use std::collections::BTreeMap;
use std::sync::Arc;
use terrane_engine::cty::ops::raw_equals;
use terrane_engine::schema::{NestedBlock, Nesting, Schema};
use terrane_engine::value::Value;

/// The proposed new object for `prior` (`None` for a create) and `config`.
pub fn proposed_new(schema: &Schema, prior: Option<&Value>, config: &Value) -> Value {
    let config = config.unmarked();
    let prior = prior.map(Value::unmarked).filter(|p| !p.is_null());
    if config.is_null() && prior.is_none() {
        return Value::null(schema.value_type());
    }
    let empty;
    let prior = match prior {
        Some(p) => p,
        None => {
            empty = empty_value(schema);
            &empty
        }
    };
    object(schema, prior, config)
}

/// cty's `EmptyValue` of a block: attributes null, list and set blocks empty, single blocks
/// null.
fn empty_value(schema: &Schema) -> Value {
    let mut attrs = BTreeMap::new();
    for (name, a) in &schema.attributes {
        attrs.insert(name.clone(), Value::null(a.ty.clone()));
    }
    for (name, b) in &schema.blocks {
        let ety = b.schema.value_type();
        attrs.insert(
            name.clone(),
            match b.nesting {
                Nesting::Single => Value::null(ety),
                Nesting::List => Value::empty_list(ety),
                Nesting::Set => Value::empty_set(ety),
            },
        );
    }
    Value::Object(Arc::new(attrs))
}

fn object(schema: &Schema, prior: &Value, config: &Value) -> Value {
    let config = config.unmarked();
    if config.is_null() || !config.is_known() {
        return prior.clone();
    }
    let mut out = BTreeMap::new();
    for (name, a) in &schema.attributes {
        let prior_v = if prior.is_null() {
            Value::null(a.ty.clone())
        } else if !prior.is_known() {
            Value::unknown(a.ty.clone())
        } else {
            prior.get_attr(name).cloned().unwrap_or_else(|| Value::null(a.ty.clone()))
        };
        let config_v = config.get_attr(name).cloned().unwrap_or_else(|| Value::null(a.ty.clone()));
        let v = if a.computed && config_v.is_null() { prior_v } else { config_v };
        out.insert(name.clone(), v);
    }
    for (name, b) in &schema.blocks {
        let ety = b.schema.value_type();
        let prior_v = if prior.is_known() && !prior.is_null() {
            prior.get_attr(name).cloned().unwrap_or_else(|| Value::null(ety.clone()))
        } else {
            Value::unknown(ety.clone())
        };
        let config_v = config.get_attr(name).cloned().unwrap_or_else(|| Value::null(ety.clone()));
        out.insert(name.clone(), nested_block(b, &prior_v, &config_v));
    }
    Value::Object(Arc::new(out))
}

fn nested_block(b: &NestedBlock, prior: &Value, config: &Value) -> Value {
    let config = config.unmarked();
    if !config.is_known() {
        return config.clone();
    }
    match b.nesting {
        Nesting::Single if config.is_null() => config.clone(),
        Nesting::Single => {
            let prior = if prior.is_null() { empty_value(&b.schema) } else { prior.clone() };
            object(&b.schema, &prior, config)
        }
        Nesting::List => {
            let Some(items) = config.as_seq().filter(|s| !s.is_empty()) else { return config.clone() };
            let prior_items = if prior.is_known() && !prior.is_null() { prior.as_seq() } else { None };
            let new: Vec<Value> = items
                .iter()
                .enumerate()
                .map(|(i, c)| match (prior.is_known(), prior_items.and_then(|p| p.get(i))) {
                    (true, None) => c.clone(),
                    (_, p) => {
                        let p = p.cloned().unwrap_or_else(|| Value::unknown(b.schema.value_type()));
                        block_object(&b.schema, &p, c)
                    }
                })
                .collect();
            Value::list(b.schema.value_type(), new)
        }
        Nesting::Set => {
            let Some(items) = config.as_seq().filter(|s| !s.is_empty()) else { return config.clone() };
            let prior_items: Vec<Value> = if prior.is_known() && !prior.is_null() {
                prior.as_seq().map(<[Value]>::to_vec).unwrap_or_default()
            } else {
                Vec::new()
            };
            let mut used = vec![false; prior_items.len()];
            let new: Vec<Value> = items
                .iter()
                .map(|c| {
                    let found = prior_items
                        .iter()
                        .enumerate()
                        .find(|(i, p)| !used[*i] && valid_prior_from_config(&b.schema, p, c))
                        .map(|(i, p)| {
                            used[i] = true;
                            p.clone()
                        });
                    let p = found.unwrap_or_else(|| Value::null(b.schema.value_type()));
                    block_object(&b.schema, &p, c)
                })
                .collect();
            Value::set(b.schema.value_type(), new)
        }
    }
}

/// `ProposedNew` of one element of a list or set block.
fn block_object(schema: &Schema, prior: &Value, config: &Value) -> Value {
    if config.is_null() && prior.is_null() {
        return prior.clone();
    }
    let prior = if prior.is_null() { empty_value(schema) } else { prior.clone() };
    object(schema, &prior, config)
}

/// Whether a prior set element can be the one a configured element describes: every value
/// the configuration gives is the prior's, and every value it leaves out is computed.
fn valid_prior_from_config(schema: &Schema, prior: &Value, config: &Value) -> bool {
    if raw_equals(prior, config) {
        return true;
    }
    for (name, a) in &schema.attributes {
        let (Some(p), Some(c)) = (prior.get_attr(name), config.get_attr(name)) else { return false };
        if raw_equals(p, c) {
            continue;
        }
        if !a.computed || !c.is_null() {
            return false;
        }
    }
    for (name, b) in &schema.blocks {
        let (Some(p), Some(c)) = (prior.get_attr(name), config.get_attr(name)) else { return false };
        if raw_equals(p, c) {
            continue;
        }
        match (b.nesting, p.as_seq(), c.as_seq()) {
            (Nesting::List, Some(ps), Some(cs)) if ps.len() == cs.len() => {
                if !ps.iter().zip(cs).all(|(p, c)| valid_prior_from_config(&b.schema, p, c)) {
                    return false;
                }
            }
            (Nesting::Single, _, _) if !p.is_null() && !c.is_null() => {
                if !valid_prior_from_config(&b.schema, p, c) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_engine::cty::Type;
    use terrane_engine::schema::Attribute;

    fn schema() -> Schema {
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("name", Attribute::optional(Type::String))
            .attr("zone", Attribute::optional_computed(Type::String))
            .block(
                "rule",
                NestedBlock::set(
                    Schema::new()
                        .attr("port", Attribute::required(Type::Number))
                        .attr("rule_id", Attribute::computed(Type::String)),
                ),
            )
    }

    fn rule(port: i64, id: Option<&str>) -> Value {
        Value::object([("port", Value::int(port)), ("rule_id", id.map_or(Value::null(Type::String), Value::string))])
    }

    #[test]
    fn a_create_proposes_the_configuration_with_computed_attributes_null() {
        let config = Value::object([
            ("id", Value::null(Type::String)),
            ("name", Value::string("a")),
            ("zone", Value::null(Type::String)),
            ("rule", Value::empty_set(schema().blocks["rule"].schema.value_type())),
        ]);
        let p = proposed_new(&schema(), None, &config);
        assert_eq!(p.get_attr("name"), Some(&Value::string("a")));
        assert!(p.get_attr("id").unwrap().is_null());
        assert!(p.get_attr("zone").unwrap().is_null());
    }

    #[test]
    fn an_update_keeps_computed_values_and_matches_set_blocks() {
        let rty = schema().blocks["rule"].schema.value_type();
        let prior = Value::object([
            ("id", Value::string("i-1")),
            ("name", Value::string("a")),
            ("zone", Value::string("eu-west-1a")),
            ("rule", Value::set(rty.clone(), vec![rule(22, Some("r-22")), rule(80, Some("r-80"))])),
        ]);
        let config = Value::object([
            ("id", Value::null(Type::String)),
            ("name", Value::string("b")),
            ("zone", Value::null(Type::String)),
            ("rule", Value::set(rty.clone(), vec![rule(80, None), rule(443, None)])),
        ]);
        let p = proposed_new(&schema(), Some(&prior), &config);
        assert_eq!(p.get_attr("id"), Some(&Value::string("i-1")));
        assert_eq!(p.get_attr("zone"), Some(&Value::string("eu-west-1a")));
        assert_eq!(p.get_attr("name"), Some(&Value::string("b")));
        let rules = p.get_attr("rule").unwrap().as_seq().unwrap().to_vec();
        assert!(rules.iter().any(|r| raw_equals(r, &rule(80, Some("r-80")))), "{rules:?}");
        assert!(rules.iter().any(|r| raw_equals(r, &rule(443, None))), "{rules:?}");
    }
}
