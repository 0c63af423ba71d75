//! `random_pet`: `length` words (adverbs, an adjective, a name) joined by `separator`, after
//! `prefix`, from the word lists of github.com/dustinkirkland/golang-petname (the version the
//! plugin 3.9.0 builds with, eebcea082ee0; Apache License 2.0, © 2014 Dustin Kirkland),
//! copied into `words/` one word a line. No import, as the plugin.

use super::below;
use crate::framework::{self, Rules};
use crate::kit::{Ctx, Managed, Result};
use std::collections::BTreeMap;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanRequest, PlanResponse};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

const ADVERBS: &str = include_str!("words/adverbs.txt");
const ADJECTIVES: &str = include_str!("words/adjectives.txt");
const NAMES: &str = include_str!("words/names.txt");

pub struct RandomPet;

#[derive(Model, Clone, Debug, Default)]
pub struct RandomPetObject {
    #[model(optional, force_new)]
    pub keepers: Option<BTreeMap<String, String>>,
    #[model(optional, computed, force_new, default = 2i64)]
    pub length: i64,
    #[model(optional, force_new)]
    pub prefix: Option<String>,
    #[model(optional, computed, force_new, default = "-")]
    pub separator: String,
    #[model(computed)]
    pub id: Option<String>,
}

fn word(list: &str) -> Result<&str> {
    let words: Vec<&str> = list.lines().filter(|l| !l.is_empty()).collect();
    Ok(words[below(words.len() as u64)? as usize])
}

/// As petname's `Generate`: one word is a name, two an adjective and a name, more start
/// with adverbs (fewer than one word also gives two).
pub fn generate(length: i64, separator: &str) -> Result<String> {
    if length == 1 {
        return Ok(word(NAMES)?.to_lowercase());
    }
    let mut words = Vec::new();
    for _ in 0..(length - 2).max(0) {
        words.push(word(ADVERBS)?);
    }
    words.push(word(ADJECTIVES)?);
    words.push(word(NAMES)?);
    Ok(words.join(separator).to_lowercase())
}

#[async_trait::async_trait]
impl Managed for RandomPet {
    fn name(&self) -> &'static str {
        "random_pet"
    }
    fn schema(&self) -> Schema {
        RandomPetObject::schema()
    }
    fn plan(&self, _c: &Ctx<'_>, req: &PlanRequest<'_>) -> Result<PlanResponse> {
        framework::plan(req, &Rules { keep: &["id"], replace_if: Some(&super::keepers_rule), modify: None })
    }
    async fn create(&self, _c: &Ctx<'_>, planned: Value) -> Result<Value> {
        let planned = RandomPetObject::from_value(&planned)?;
        let mut pet = generate(planned.length, &planned.separator)?;
        let prefix = planned.prefix.clone().filter(|p| !p.is_empty());
        if let Some(p) = &prefix {
            pet = format!("{p}{}{pet}", planned.separator);
        }
        Ok(RandomPetObject { id: Some(pet), prefix, ..planned }.to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_list(list: &str, w: &str) -> bool {
        list.lines().any(|l| l == w)
    }

    #[test]
    fn the_word_lists_are_the_libraries() {
        // golang-petname eebcea082ee0: 449 adjectives, 261 adverbs, 452 names.
        assert_eq!(ADJECTIVES.lines().count(), 449);
        assert_eq!(ADVERBS.lines().count(), 261);
        assert_eq!(NAMES.lines().count(), 452);
    }

    #[test]
    fn words_by_length() {
        let one = generate(1, "-").unwrap();
        assert!(in_list(NAMES, &one), "{one}");
        let two = generate(2, "-").unwrap();
        let (adj, name) = two.split_once('-').unwrap();
        assert!(in_list(ADJECTIVES, adj) && in_list(NAMES, name), "{two}");
        let four = generate(4, "_").unwrap();
        let w: Vec<&str> = four.split('_').collect();
        assert_eq!(w.len(), 4);
        assert!(in_list(ADVERBS, w[0]) && in_list(ADVERBS, w[1]) && in_list(ADJECTIVES, w[2]) && in_list(NAMES, w[3]));
        assert_eq!(generate(0, "-").unwrap().split('-').count(), 2);
    }
}
