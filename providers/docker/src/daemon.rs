//! Where the models' values and the daemon's fields meet: what the daemon leaves empty (a
//! string, a map) reads as none, and a model's sorted map goes out as the daemon's hash map.

use std::collections::{BTreeMap, HashMap};

/// A string the daemon set; an empty one is none.
pub fn text(s: Option<&str>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(str::to_string)
}

/// A string map the daemon set, sorted; an empty one is none.
pub fn sorted(m: Option<&HashMap<String, String>>) -> Option<BTreeMap<String, String>> {
    let m = crate::labels::from_hash(m);
    (!m.is_empty()).then_some(m)
}

/// A model's string map as the daemon takes it (none is empty).
pub fn hashed(m: Option<&BTreeMap<String, String>>) -> HashMap<String, String> {
    m.into_iter().flatten().map(|(k, v)| (k.clone(), v.clone())).collect()
}
