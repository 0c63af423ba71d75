//! `random_uuid` (16 random bytes in UUID form, as hashicorp/go-uuid's `GenerateUUID`: no
//! version or variant bits), `random_uuid4` and `random_uuid7` (RFC 9562 versions 4 and 7).
//! Each is imported from a UUID, recorded in lowercase.

use crate::framework::{self, Rules};
use crate::kit::{Ctx, Managed, Result, random_bytes};
use std::collections::BTreeMap;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanRequest, PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub enum RandomUuid {
    /// `random_uuid`.
    Any,
    V4,
    V7,
}

#[derive(Model, Clone, Debug, Default)]
pub struct RandomUuidObject {
    #[model(optional, force_new)]
    pub keepers: Option<BTreeMap<String, String>>,
    #[model(computed)]
    pub result: Option<String>,
    #[model(computed)]
    pub id: Option<String>,
}

/// go-uuid's `FormatUUID`.
fn format(b: &[u8]) -> String {
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

fn import_error(detail: impl std::fmt::Display) -> ProviderError {
    ProviderError::new(format!(
        "Import Random UUID Error: There was an error during the parsing of the UUID.\n\n{}Original Error: {detail}",
        super::RETRY
    ))
}

/// go-uuid's `ParseUUID`: 36 characters, dashes at 8, 13, 18 and 23, hex between.
fn parse_go_uuid(id: &str) -> std::result::Result<Vec<u8>, String> {
    if id.len() != 36 {
        return Err(format!("uuid string is wrong length: {}", id.len()));
    }
    let b = id.as_bytes();
    if b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
        return Err("uuid is improperly formatted".into());
    }
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 {
        return Err("uuid is improperly formatted".into());
    }
    hex::decode(hex).map_err(|e| e.to_string())
}

impl RandomUuid {
    fn generate(&self) -> Result<String> {
        Ok(match self {
            RandomUuid::Any => format(&random_bytes(16)?),
            RandomUuid::V4 => {
                let b: [u8; 16] = random_bytes(16)?.try_into().expect("16 bytes");
                uuid::Builder::from_random_bytes(b).into_uuid().to_string()
            }
            RandomUuid::V7 => uuid::Uuid::now_v7().to_string(),
        })
    }
}

#[async_trait::async_trait]
impl Managed for RandomUuid {
    fn name(&self) -> &'static str {
        match self {
            RandomUuid::Any => "random_uuid",
            RandomUuid::V4 => "random_uuid4",
            RandomUuid::V7 => "random_uuid7",
        }
    }
    fn schema(&self) -> Schema {
        RandomUuidObject::schema()
    }
    fn plan(&self, _c: &Ctx<'_>, req: &PlanRequest<'_>) -> Result<PlanResponse> {
        framework::plan(req, &Rules { keep: &["result", "id"], replace_if: Some(&super::keepers_rule), modify: None })
    }
    async fn create(&self, _c: &Ctx<'_>, planned: Value) -> Result<Value> {
        let planned = RandomUuidObject::from_value(&planned)?;
        let u = self.generate()?;
        Ok(RandomUuidObject { result: Some(u.clone()), id: Some(u), ..planned }.to_value())
    }
    async fn import(&self, _c: &Ctx<'_>, id: &str) -> Result<Value> {
        let u = match self {
            RandomUuid::Any => format(&parse_go_uuid(id).map_err(import_error)?),
            // google/uuid's Parse takes the forms uuid::Uuid::parse_str does.
            _ => uuid::Uuid::parse_str(id).map_err(import_error)?.to_string(),
        };
        Ok(RandomUuidObject { keepers: None, result: Some(u.clone()), id: Some(u) }.to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_have_their_forms_and_versions() {
        let any = RandomUuid::Any.generate().unwrap();
        assert_eq!(parse_go_uuid(&any).unwrap().len(), 16);
        assert_eq!(format(&parse_go_uuid(&any).unwrap()), any);
        let v4 = uuid::Uuid::parse_str(&RandomUuid::V4.generate().unwrap()).unwrap();
        assert_eq!(v4.get_version_num(), 4);
        let v7 = uuid::Uuid::parse_str(&RandomUuid::V7.generate().unwrap()).unwrap();
        assert_eq!(v7.get_version_num(), 7);
    }

    #[test]
    fn an_import_is_recorded_in_lowercase_and_bad_ids_fail() {
        let b = parse_go_uuid("6B0F8E7C-2A8C-4F96-8D34-0F0A6F2B9A11").unwrap();
        assert_eq!(format(&b), "6b0f8e7c-2a8c-4f96-8d34-0f0a6f2b9a11");
        assert!(parse_go_uuid("6b0f8e7c2a8c4f968d340f0a6f2b9a11").is_err());
        assert!(parse_go_uuid("6b0f8e7c-2a8c-4f96-8d34_0f0a6f2b9a11").is_err());
    }
}
