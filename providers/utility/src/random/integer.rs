//! `random_integer`: a number in `min..=max`, deterministic for a `seed` (see
//! [`super::seeded`]). Imported from `RESULT,MIN,MAX[,SEED]`.

use super::seeded::Rng;
use crate::framework::{self, Rules};
use crate::kit::{Ctx, Managed, Result};
use std::collections::BTreeMap;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanRequest, PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct RandomInteger;

#[derive(Model, Clone, Debug, Default)]
pub struct RandomIntegerObject {
    #[model(optional, force_new)]
    pub keepers: Option<BTreeMap<String, String>>,
    #[model(required, force_new)]
    pub min: i64,
    #[model(required, force_new)]
    pub max: i64,
    #[model(optional, force_new)]
    pub seed: Option<String>,
    #[model(computed)]
    pub result: Option<i64>,
    #[model(computed)]
    pub id: Option<String>,
}

/// The number `seed` gives in `min..=max`.
pub fn generate(min: i64, max: i64, seed: Option<&str>) -> Result<i64> {
    if max < min {
        return Err(ProviderError::new(
            "Create Random Integer Error: The minimum (minVal) value needs to be smaller than or equal to maximum \
             (maxVal) value.",
        ));
    }
    let span = (i128::from(max) - i128::from(min) + 1) as u128;
    let n = if span > u128::from(u64::MAX) {
        // The whole i64 range: any 64 bits.
        Rng::new(seed).below(u64::MAX)? as i128 + i128::from(min)
    } else {
        i128::from(Rng::new(seed).below(span as u64)?) + i128::from(min)
    };
    Ok(n as i64)
}

fn import_error(detail: String) -> ProviderError {
    ProviderError::new(format!("Import Random Integer Error: {detail}"))
}

#[async_trait::async_trait]
impl Managed for RandomInteger {
    fn name(&self) -> &'static str {
        "random_integer"
    }
    fn schema(&self) -> Schema {
        RandomIntegerObject::schema()
    }
    fn plan(&self, _c: &Ctx<'_>, req: &PlanRequest<'_>) -> Result<PlanResponse> {
        framework::plan(req, &Rules { keep: &["result", "id"], replace_if: Some(&super::keepers_rule), modify: None })
    }
    async fn create(&self, _c: &Ctx<'_>, planned: Value) -> Result<Value> {
        let planned = RandomIntegerObject::from_value(&planned)?;
        let seed = planned.seed.clone().filter(|s| !s.is_empty());
        let n = generate(planned.min, planned.max, seed.as_deref())?;
        Ok(RandomIntegerObject { result: Some(n), id: Some(n.to_string()), seed, ..planned }.to_value())
    }
    async fn import(&self, _c: &Ctx<'_>, id: &str) -> Result<Value> {
        let parts: Vec<&str> = id.split(',').collect();
        if parts.len() != 3 && parts.len() != 4 {
            return Err(import_error(
                "Invalid import usage: expecting {result},{min},{max} or {result},{min},{max},{seed}".into(),
            ));
        }
        let int = |s: &str, what: &str| {
            s.parse::<i64>().map_err(|e| {
                import_error(format!(
                    "The {what}value supplied could not be parsed as an integer.\n\nOriginal Error: strconv.ParseInt: \
                     parsing {s:?}: {}",
                    if e.to_string().contains("too large") || e.to_string().contains("too small") {
                        "value out of range"
                    } else {
                        "invalid syntax"
                    }
                ))
            })
        };
        let result = int(parts[0], "")?;
        let min = int(parts[1], "min ")?;
        let max = int(parts[2], "max ")?;
        Ok(RandomIntegerObject {
            keepers: None,
            min,
            max,
            seed: parts.get(3).map(|s| s.to_string()),
            result: Some(result),
            id: Some(parts[0].into()),
        }
        .to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_number_is_within_bounds_and_fixed_by_a_seed() {
        for _ in 0..200 {
            let n = generate(1, 3, None).unwrap();
            assert!((1..=3).contains(&n));
        }
        assert_eq!(generate(5, 5, None).unwrap(), 5);
        let a = generate(-1000, 1000, Some("12345")).unwrap();
        assert!((-1000..=1000).contains(&a));
        for _ in 0..5 {
            assert_eq!(generate(-1000, 1000, Some("12345")).unwrap(), a);
        }
        assert!(generate(i64::MIN, i64::MAX, None).is_ok());
    }

    #[test]
    fn max_below_min_fails_with_the_plugins_message() {
        let e = generate(3, 1, None).unwrap_err().to_string();
        assert!(e.contains("The minimum (minVal) value needs to be smaller than or equal to maximum (maxVal) value."));
    }
}
