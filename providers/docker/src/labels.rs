//! Labels as the Terraform Docker provider writes them: `labels { label = "k" value = "v" }`
//! blocks, a set.

use std::collections::{BTreeMap, HashMap};
use terrane_engine::model::Model;

/// One `labels { label = "k" value = "v" }` block.
#[derive(Model, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Label {
    #[model(required)]
    pub label: String,
    #[model(required)]
    pub value: String,
}

/// Label blocks as the map the daemon takes.
pub fn map_of(labels: &[Label]) -> HashMap<String, String> {
    labels.iter().map(|l| (l.label.clone(), l.value.clone())).collect()
}

/// A map as label blocks, sorted.
pub fn blocks_of(m: &BTreeMap<String, String>) -> Vec<Label> {
    m.iter().map(|(k, v)| Label { label: k.clone(), value: v.clone() }).collect()
}

/// An object's labels as bollard's models carry them, as label blocks, without the create
/// token.
pub fn read_labels(m: Option<&HashMap<String, String>>) -> Vec<Label> {
    let mut m = from_hash(m);
    m.remove(CREATE_TOKEN);
    blocks_of(&m)
}

/// The label terrane before version 0.2 put a create's idempotency token in. Creates no
/// longer mark their objects (see `find_created`); reads still leave it out, so objects made
/// then never show it as drift, and a pending create recorded then is still found by it.
pub const CREATE_TOKEN: &str = "terrane.create-token";

/// The label filter that finds the objects a create with `token` marked.
pub fn token_filter(token: &str) -> HashMap<String, Vec<String>> {
    HashMap::from([("label".to_string(), vec![format!("{CREATE_TOKEN}={token}")])])
}

/// Labels (or any string map) as bollard's models carry them, sorted.
pub fn from_hash(m: Option<&HashMap<String, String>>) -> BTreeMap<String, String> {
    m.map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()).unwrap_or_default()
}
