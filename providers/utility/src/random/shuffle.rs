//! `random_shuffle`: `input` in a random order, `result_count` items long (repeating whole
//! permutations when longer than the input), deterministic for a `seed` (see
//! [`super::seeded`]). `id` is always `"-"`. No import, as the plugin.

use super::seeded::Rng;
use crate::framework::{self, Rules};
use crate::kit::{Ctx, Managed, Result};
use std::collections::BTreeMap;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanRequest, PlanResponse};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct RandomShuffle;

#[derive(Model, Clone, Debug, Default)]
pub struct RandomShuffleObject {
    #[model(optional, force_new)]
    pub keepers: Option<BTreeMap<String, String>>,
    #[model(optional, force_new)]
    pub seed: Option<String>,
    #[model(required, force_new)]
    pub input: Vec<String>,
    #[model(optional, force_new)]
    pub result_count: Option<i64>,
    #[model(computed)]
    pub result: Option<Vec<String>>,
    #[model(computed)]
    pub id: Option<String>,
}

/// `count` items of `input`, permutation after permutation.
pub fn shuffle(input: &[String], count: i64, seed: Option<&str>) -> Result<Vec<String>> {
    if count <= 0 || input.is_empty() {
        return Ok(Vec::new());
    }
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(count as usize);
    loop {
        for i in rng.perm(input.len())? {
            out.push(input[i].clone());
            if out.len() as i64 >= count {
                return Ok(out);
            }
        }
    }
}

#[async_trait::async_trait]
impl Managed for RandomShuffle {
    fn name(&self) -> &'static str {
        "random_shuffle"
    }
    fn schema(&self) -> Schema {
        RandomShuffleObject::schema()
    }
    fn plan(&self, _c: &Ctx<'_>, req: &PlanRequest<'_>) -> Result<PlanResponse> {
        framework::plan(req, &Rules { keep: &["result", "id"], replace_if: Some(&super::keepers_rule), modify: None })
    }
    async fn create(&self, _c: &Ctx<'_>, planned: Value) -> Result<Value> {
        let planned = RandomShuffleObject::from_value(&planned)?;
        let count = planned.result_count.unwrap_or(planned.input.len() as i64);
        let result = shuffle(&planned.input, count, planned.seed.as_deref())?;
        Ok(RandomShuffleObject { result: Some(result), id: Some("-".into()), ..planned }.to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("i{i}")).collect()
    }

    #[test]
    fn a_shuffle_is_a_permutation_and_longer_counts_repeat_permutations() {
        let mut r = shuffle(&input(11), 11, None).unwrap();
        r.sort();
        let mut want = input(11);
        want.sort();
        assert_eq!(r, want);
        let r = shuffle(&input(3), 7, None).unwrap();
        assert_eq!(r.len(), 7);
        let mut first: Vec<_> = r[..3].to_vec();
        first.sort();
        assert_eq!(first, input(3));
        assert_eq!(shuffle(&input(3), 2, None).unwrap().len(), 2);
        assert!(shuffle(&input(3), 0, None).unwrap().is_empty());
        assert!(shuffle(&[], 5, None).unwrap().is_empty());
    }

    #[test]
    fn a_seed_gives_the_same_order() {
        let a = shuffle(&input(20), 20, Some("-")).unwrap();
        assert_eq!(shuffle(&input(20), 20, Some("-")).unwrap(), a);
        assert_ne!(shuffle(&input(20), 20, Some("other")).unwrap(), a);
    }
}
