//! Labels as the Terraform Docker provider writes them: `labels { label = "k" value = "v" }`
//! blocks, a set.

use std::collections::{BTreeMap, HashMap};
use terrane_engine::attrs as val;
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub fn block(force_new: bool) -> NestedBlock {
    let b = NestedBlock::set(
        Schema::new().attr("label", Attribute::required(Type::String)).attr("value", Attribute::required(Type::String)),
    );
    if force_new { b.force_new() } else { b }
}

/// The label blocks of `v[k]` as a map.
pub fn to_map(v: &Value, k: &str) -> BTreeMap<String, String> {
    val::blocks(v, k)
        .iter()
        .filter_map(|l| Some((val::string(l, "label")?, val::string(l, "value").unwrap_or_default())))
        .collect()
}

/// A map as label blocks.
pub fn from_map(m: &BTreeMap<String, String>) -> Value {
    Value::set_any(
        m.iter()
            .map(|(k, v)| Value::object([("label", Value::from(k.as_str())), ("value", Value::from(v.as_str()))]))
            .collect(),
    )
}

/// The label terrane before version 0.2 put a create's idempotency token in. Creates no
/// longer mark their objects (see `find_created`); reads still leave it out, so objects made
/// then never show it as drift, and a pending create recorded then is still found by it.
pub const CREATE_TOKEN: &str = "terrane.create-token";

/// The label filter that finds the objects a create with `token` marked.
pub fn token_filter(token: &str) -> HashMap<String, Vec<String>> {
    HashMap::from([("label".to_string(), vec![format!("{CREATE_TOKEN}={token}")])])
}

/// An object's labels as the daemon returns them, as label blocks, without the create token.
pub fn read(j: Option<&serde_json::Value>) -> Value {
    without_token(from_json(j))
}

/// An object's labels as bollard's models carry them, as label blocks, without the create
/// token.
pub fn read_map(m: Option<&HashMap<String, String>>) -> Value {
    without_token(from_hash(m))
}

fn without_token(mut m: BTreeMap<String, String>) -> Value {
    m.remove(CREATE_TOKEN);
    from_map(&m)
}

/// Labels from a JSON object (as the daemon returns them).
pub fn from_json(j: Option<&serde_json::Value>) -> BTreeMap<String, String> {
    j.and_then(|j| j.as_object())
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
        .unwrap_or_default()
}

/// Labels (or any string map) as bollard's models carry them, sorted.
pub fn from_hash(m: Option<&HashMap<String, String>>) -> BTreeMap<String, String> {
    m.map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default()
}
