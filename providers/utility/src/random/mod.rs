//! hashicorp/random 3.9.0 (terraform-provider-random, plugin framework): `random_bytes`,
//! `random_id`, `random_integer`, `random_password`, `random_pet`, `random_shuffle`,
//! `random_string`, `random_uuid`, `random_uuid4` and `random_uuid7`, with the plugin's
//! schemas, schema versions and state upgraders, import IDs and generation rules.
//!
//! Secrets come from the operating system's randomness ([`random_bytes`], as `crypto/rand`).
//! `random_integer` and `random_shuffle` with a `seed` give what the plugin gives for that
//! seed: Go's `math/rand`, seeded as the plugin seeds it ([`seeded`]).

mod bytes;
mod chars;
mod go_cooked;
mod id;
mod integer;
mod password;
mod pet;
mod seeded;
mod shuffle;
mod string;
mod uuid;

use crate::framework;
use crate::kit::{Kit, Result, random_bytes};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

/// The plugin's advice in its randomness errors (`diagnostics.RetryMsg`).
pub(crate) const RETRY: &str = "Retry the Terraform operation. If the error still occurs or happens regularly, please \
                                contact the provider developer with hardware and operating system information.\n\n";

pub fn factory() -> Kit {
    Kit::new(
        "hashicorp/random",
        Schema::new(),
        vec![
            Box::new(bytes::RandomBytes),
            Box::new(id::RandomId),
            Box::new(integer::RandomInteger),
            Box::new(password::RandomPassword),
            Box::new(pet::RandomPet),
            Box::new(shuffle::RandomShuffle),
            Box::new(string::RandomString),
            Box::new(uuid::RandomUuid::Any),
            Box::new(uuid::RandomUuid::V4),
            Box::new(uuid::RandomUuid::V7),
        ],
        Vec::new(),
    )
}

/// A uniformly random number below `n` (> 0) from the operating system (`rand.Int` over
/// `crypto/rand`).
pub(crate) fn below(n: u64) -> Result<u64> {
    // Rejection sampling: draws above the largest multiple of n would favour small numbers.
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let b = random_bytes(8)?;
        let x = u64::from_le_bytes(b.try_into().expect("8 bytes"));
        if x < zone {
            return Ok(x % n);
        }
    }
}

/// The plugin's `RequiresReplaceIfValuesNotNull` on `keepers`: a change replaces, except
/// where only keys with null values come and go (the plugin SDK dropped those).
pub(crate) fn keepers_replace(prior: &Value, config: &Value) -> bool {
    if !framework::differs(prior, config) {
        return false;
    }
    let config_entries = config.unmarked().as_map();
    let prior_entries = prior.unmarked().as_map();
    match (prior_entries, config_entries) {
        (None, Some(c)) if prior.is_null() => c.values().any(|v| !v.is_null()),
        (Some(p), Some(c)) => {
            let new_not_null = c.iter().any(|(k, v)| match p.get(k) {
                None => !v.is_null(),
                Some(pv) => framework::differs(pv, v),
            });
            new_not_null || p.keys().any(|k| !c.contains_key(k))
        }
        _ => true,
    }
}

/// The `replace_if` of every random type with `keepers` under `RequiresReplaceIfValuesNotNull`.
pub(crate) fn keepers_rule(name: &str, prior: &Value, config: &Value, _planned: &Value) -> Option<bool> {
    (name == "keepers").then(|| keepers_replace(prior, config))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use terrane_engine::value::Type;

    fn map(entries: &[(&str, Option<&str>)]) -> Value {
        let m: BTreeMap<String, Value> = entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(Value::string).unwrap_or_else(|| Value::null(Type::String))))
            .collect();
        Value::map(Type::String, m)
    }

    #[test]
    fn keepers_replace_on_a_change_but_not_for_keys_with_null_values() {
        let a = map(&[("a", Some("1"))]);
        assert!(!keepers_replace(&a, &a));
        assert!(keepers_replace(&a, &map(&[("a", Some("2"))])));
        assert!(keepers_replace(&a, &map(&[])), "a key removed");
        assert!(keepers_replace(&a, &map(&[("a", Some("1")), ("b", Some("x"))])));
        assert!(!keepers_replace(&a, &map(&[("a", Some("1")), ("b", None)])), "a new key with a null value");
        let null = Value::null(Type::map(Type::String));
        assert!(!keepers_replace(&null, &map(&[("b", None)])));
        assert!(keepers_replace(&null, &map(&[("b", Some("x"))])));
        assert!(!keepers_replace(&null, &null));
    }

    #[test]
    fn below_stays_below_and_reaches_every_value() {
        let mut seen = [false; 7];
        for _ in 0..500 {
            let n = below(7).unwrap();
            seen[n as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }
}
