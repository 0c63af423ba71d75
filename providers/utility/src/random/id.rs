//! `random_id`: `byte_length` random bytes as an ID: `id` (and `b64_url`) base64url without
//! padding, `b64_std`, `hex` and `dec` (the bytes as a big-endian number), each after
//! `prefix`. Imported from `[PREFIX,]B64URL`.

use crate::framework::{self, Rules};
use crate::kit::{Ctx, Managed, Result, random_bytes};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use std::collections::BTreeMap;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanRequest, PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct RandomId;

#[derive(Model, Clone, Debug, Default)]
pub struct RandomIdObject {
    #[model(optional, force_new)]
    pub keepers: Option<BTreeMap<String, String>>,
    #[model(required, force_new)]
    pub byte_length: i64,
    #[model(optional, force_new)]
    pub prefix: Option<String>,
    #[model(computed)]
    pub b64_url: Option<String>,
    #[model(computed)]
    pub b64_std: Option<String>,
    #[model(computed)]
    pub hex: Option<String>,
    #[model(computed)]
    pub dec: Option<String>,
    #[model(computed)]
    pub id: Option<String>,
}

/// The bytes as an unsigned big-endian number in decimal (Go's `big.Int.SetBytes(b).String()`).
pub fn decimal(bytes: &[u8]) -> String {
    let mut digits: Vec<u8> = Vec::new(); // little-endian base 10
    for &b in bytes {
        let mut carry = u32::from(b);
        for d in &mut digits {
            let v = u32::from(*d) * 256 + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    if digits.is_empty() {
        return "0".into();
    }
    digits.iter().rev().map(|d| char::from(b'0' + d)).collect()
}

fn object(bytes: &[u8], prefix: Option<String>, keepers: Option<BTreeMap<String, String>>) -> RandomIdObject {
    let p = prefix.clone().unwrap_or_default();
    let id = URL_SAFE_NO_PAD.encode(bytes);
    RandomIdObject {
        keepers,
        byte_length: bytes.len() as i64,
        b64_url: Some(format!("{p}{id}")),
        b64_std: Some(format!("{p}{}", STANDARD.encode(bytes))),
        hex: Some(format!("{p}{}", hex::encode(bytes))),
        dec: Some(format!("{p}{}", decimal(bytes))),
        id: Some(id),
        prefix,
    }
}

#[async_trait::async_trait]
impl Managed for RandomId {
    fn name(&self) -> &'static str {
        "random_id"
    }
    fn schema(&self) -> Schema {
        RandomIdObject::schema()
    }
    fn plan(&self, _c: &Ctx<'_>, req: &PlanRequest<'_>) -> Result<PlanResponse> {
        let keep = &["b64_url", "b64_std", "hex", "dec", "id"];
        framework::plan(req, &Rules { keep, replace_if: Some(&super::keepers_rule), modify: None })
    }
    async fn create(&self, _c: &Ctx<'_>, planned: Value) -> Result<Value> {
        let planned = RandomIdObject::from_value(&planned)?;
        let b = random_bytes(planned.byte_length.max(0) as usize)?;
        Ok(object(&b, planned.prefix, planned.keepers).to_value())
    }
    async fn import(&self, _c: &Ctx<'_>, id: &str) -> Result<Value> {
        let (prefix, b64) = match id.rfind(',') {
            Some(i) => (Some(id[..i].to_string()), &id[i + 1..]),
            None => (None, id),
        };
        let b = URL_SAFE_NO_PAD.decode(b64).map_err(|e| {
            ProviderError::new(format!(
                "Import Random ID Error: While attempting to import a random id there was a decoding error.\n\n+{}\
                 Original Error: {e}",
                super::RETRY
            ))
        })?;
        Ok(object(&b, prefix.filter(|p| !p.is_empty()), None).to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_import_decodes_base64url_and_records_every_encoding() {
        // TestAccResourceID_ImportWithoutKeepersProducesNoPlannedChanges (3.9.0) imports
        // "p-9hUg" against `byte_length = 4` with no change planned. The other encodings are
        // those the plugin names (StdEncoding, hex, big.Int), of the bytes a7 ef 61 52.
        let b = URL_SAFE_NO_PAD.decode("p-9hUg").unwrap();
        let o = object(&b, None, None);
        assert_eq!(o.byte_length, 4);
        assert_eq!(o.id.as_deref(), Some("p-9hUg"));
        assert_eq!(o.b64_url.as_deref(), Some("p-9hUg"));
        assert_eq!(o.b64_std.as_deref(), Some("p+9hUg=="));
        assert_eq!(o.hex.as_deref(), Some("a7ef6152"));
        assert_eq!(o.dec.as_deref(), Some("2817483090"));
        let o = object(&b, Some("cloud-".into()), None);
        assert_eq!(o.b64_url.as_deref(), Some("cloud-p-9hUg"));
        assert_eq!(o.hex.as_deref(), Some("cloud-a7ef6152"));
        assert_eq!(o.id.as_deref(), Some("p-9hUg"), "the id has no prefix");
    }

    #[test]
    fn decimal_of_big_numbers() {
        assert_eq!(decimal(&[]), "0");
        assert_eq!(decimal(&[0, 0]), "0");
        assert_eq!(decimal(&[1, 0]), "256");
        assert_eq!(decimal(&[0xff; 16]), u128::MAX.to_string());
    }
}
