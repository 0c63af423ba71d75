//! `random_password`: `random_string` whose `result` is sensitive, with a bcrypt hash of it
//! (`bcrypt_hash`, sensitive) and `id` always `"none"`. Schema version 3; imported from the
//! password.

use super::chars::{self, Chars};
use super::string::imported;
use crate::kit::{Ctx, Managed, Result};
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanRequest, PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct RandomPassword;

#[derive(Model, Clone, Debug, Default)]
pub struct RandomPasswordObject {
    #[model(flatten)]
    pub chars: Chars,
    #[model(computed, sensitive)]
    pub result: Option<String>,
    /// A bcrypt hash of the first 72 bytes of `result`.
    #[model(computed, sensitive)]
    pub bcrypt_hash: Option<String>,
    #[model(computed)]
    pub id: Option<String>,
}

/// bcrypt at Go's `bcrypt.DefaultCost` (10) of the first 72 bytes, as the plugin's
/// `generateHash` (Go's x/crypto/bcrypt refuses longer inputs). `$2a$`, as Go writes.
pub fn hash(password: &str) -> Result<String> {
    let b = password.as_bytes();
    let b = &b[..b.len().min(72)];
    bcrypt::hash_with_result(b, 10).map(|h| h.format_for_version(bcrypt::Version::TwoA)).map_err(|e| {
        ProviderError::new(format!(
            "Hash Generation Error: While attempting to generate a hash from the password an error occurred.\n\n\
             Verify that the state contains a populated 'result' field, using 'terraform state show', and retry \
             the operation\n\nOriginal Error: {e}"
        ))
    })
}

#[async_trait::async_trait]
impl Managed for RandomPassword {
    fn name(&self) -> &'static str {
        "random_password"
    }
    fn schema(&self) -> Schema {
        RandomPasswordObject::schema()
    }
    fn schema_version(&self) -> u64 {
        3
    }
    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        chars::validate(config)
    }
    fn plan(&self, _c: &Ctx<'_>, req: &PlanRequest<'_>) -> Result<PlanResponse> {
        chars::plan(req, &["result", "bcrypt_hash", "id"])
    }
    async fn create(&self, _c: &Ctx<'_>, planned: Value) -> Result<Value> {
        let planned = RandomPasswordObject::from_value(&planned)?;
        let s = planned.chars.generate()?;
        Ok(RandomPasswordObject { bcrypt_hash: Some(hash(&s)?), result: Some(s), id: Some("none".into()), ..planned }
            .to_value())
    }
    async fn import(&self, _c: &Ctx<'_>, id: &str) -> Result<Value> {
        Ok(RandomPasswordObject {
            chars: imported(id),
            result: Some(id.into()),
            bcrypt_hash: Some(hash(id)?),
            id: Some("none".into()),
        }
        .to_value())
    }
    /// Versions 0 to 2: the arguments as for `random_string`; version 0 had no `bcrypt_hash`
    /// (one is made), and a version 2 hash that does not verify the result is made again.
    fn upgrade_state(&self, version: u64, attributes: serde_json::Value) -> Result<serde_json::Value> {
        let mut attrs = chars::upgrade(attributes);
        let result = attrs["result"].as_str().unwrap_or_default().to_string();
        let rehash = match version {
            0 => true,
            2 => {
                let h = attrs["bcrypt_hash"].as_str().unwrap_or_default();
                !bcrypt::verify(&result.as_bytes()[..result.len().min(72)], h).unwrap_or(false)
            }
            _ => false,
        };
        if rehash {
            attrs["bcrypt_hash"] = hash(&result)?.into();
        }
        Ok(attrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_verifies_the_password_and_only_its_first_72_bytes() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$2a$10$"), "{h}");
        assert!(bcrypt::verify("correct horse", &h).unwrap());
        assert!(!bcrypt::verify("wrong horse", &h).unwrap());
        let long = "x".repeat(100);
        let h = hash(&long).unwrap();
        assert!(bcrypt::verify(&long.as_bytes()[..72], &h).unwrap());
    }

    #[test]
    fn a_version_2_state_whose_hash_does_not_match_gets_a_new_one() {
        let good = hash("pw").unwrap();
        let state = |h: &str| {
            serde_json::json!({"id": "none", "result": "pw", "bcrypt_hash": h, "keepers": null, "length": 2,
                "special": true, "upper": true, "lower": true, "number": true, "numeric": true, "min_numeric": 0,
                "min_upper": 0, "min_lower": 0, "min_special": 0, "override_special": null})
        };
        let kept = RandomPassword.upgrade_state(2, state(&good)).unwrap();
        assert_eq!(kept["bcrypt_hash"], good.as_str());
        let bad = hash("other").unwrap();
        let fixed = RandomPassword.upgrade_state(2, state(&bad)).unwrap();
        assert_ne!(fixed["bcrypt_hash"], bad.as_str());
        assert!(bcrypt::verify("pw", fixed["bcrypt_hash"].as_str().unwrap()).unwrap());
    }
}
