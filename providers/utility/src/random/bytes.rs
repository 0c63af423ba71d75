//! `random_bytes`: `length` random bytes, as `base64` (standard) and `hex`, both sensitive.
//! Imported from the base64 string.

use crate::framework::{self, Rules};
use crate::kit::{Ctx, Managed, Result, random_bytes};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use std::collections::BTreeMap;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanRequest, PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct RandomBytes;

#[derive(Model, Clone, Debug, Default)]
pub struct RandomBytesObject {
    /// A change replaces (the framework's plain `RequiresReplace`).
    #[model(optional, force_new)]
    pub keepers: Option<BTreeMap<String, String>>,
    /// At least 1.
    #[model(required, force_new)]
    pub length: i64,
    #[model(computed, sensitive)]
    pub base64: Option<String>,
    #[model(computed, sensitive)]
    pub hex: Option<String>,
}

#[async_trait::async_trait]
impl Managed for RandomBytes {
    fn name(&self) -> &'static str {
        "random_bytes"
    }
    fn schema(&self) -> Schema {
        RandomBytesObject::schema()
    }
    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        match config.get_attr("length").map(Value::unmarked).and_then(Value::as_i64) {
            Some(n) if n < 1 => vec![
                Diagnostic::error(
                    "Invalid Attribute Value",
                    format!("Attribute length value must be at least 1, got: {n}"),
                )
                .about_attribute("length"),
            ],
            _ => Vec::new(),
        }
    }
    fn plan(&self, _c: &Ctx<'_>, req: &PlanRequest<'_>) -> Result<PlanResponse> {
        framework::plan(req, &Rules { keep: &["base64", "hex"], ..Rules::default() })
    }
    async fn create(&self, _c: &Ctx<'_>, planned: Value) -> Result<Value> {
        let planned = RandomBytesObject::from_value(&planned)?;
        let b = random_bytes(planned.length.max(0) as usize)?;
        Ok(RandomBytesObject { base64: Some(STANDARD.encode(&b)), hex: Some(hex::encode(&b)), ..planned }.to_value())
    }
    async fn import(&self, _c: &Ctx<'_>, id: &str) -> Result<Value> {
        let b = STANDARD.decode(id).map_err(|e| {
            ProviderError::new(format!(
                "Import Random Bytes Error: There was an error during the parsing of the base64 string.\n\n{}\
                 Original Error: {e}",
                super::RETRY
            ))
        })?;
        Ok(RandomBytesObject {
            keepers: None,
            length: b.len() as i64,
            base64: Some(id.into()),
            hex: Some(hex::encode(&b)),
        }
        .to_value())
    }
}
