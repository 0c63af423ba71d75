//! `data "aws_kms_key"`: a key found by ID, key ARN, alias name or alias ARN.

use crate::errors::sdk_error;
use crate::model::Object;
use crate::resource::{Ctx, DataSourceType, Result};
use async_trait::async_trait;
use aws_sdk_kms::types::{KeyMetadata, MultiRegionKey};
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct KmsKey;

/// A `data "aws_kms_key"` object.
#[derive(Model, Clone, Debug, Default)]
struct KmsKeyObject {
    #[model(required)]
    key_id: String,
    #[model(optional)]
    grant_tokens: Option<Vec<String>>,
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(computed)]
    aws_account_id: Option<String>,
    #[model(computed)]
    cloud_hsm_cluster_id: Option<String>,
    #[model(computed)]
    creation_date: Option<String>,
    #[model(computed)]
    custom_key_store_id: Option<String>,
    #[model(computed)]
    customer_master_key_spec: Option<String>,
    #[model(computed)]
    key_spec: Option<String>,
    #[model(computed)]
    deletion_date: Option<String>,
    #[model(computed)]
    description: Option<String>,
    #[model(computed)]
    enabled: Option<bool>,
    #[model(computed)]
    expiration_model: Option<String>,
    #[model(computed)]
    key_manager: Option<String>,
    #[model(computed)]
    key_state: Option<String>,
    #[model(computed)]
    key_usage: Option<String>,
    #[model(computed)]
    multi_region: Option<bool>,
    #[model(computed)]
    origin: Option<String>,
    #[model(computed)]
    pending_deletion_window_in_days: Option<i64>,
    #[model(computed)]
    valid_to: Option<String>,
    #[model(computed)]
    multi_region_configuration: Option<Vec<Object<MultiRegion>>>,
    #[model(computed)]
    xks_key_configuration: Option<Vec<Object<XksKey>>>,
}

/// The element of `multi_region_configuration`.
#[derive(Model, Clone, Debug, Default)]
struct MultiRegion {
    #[model(computed)]
    multi_region_key_type: Option<String>,
    #[model(computed)]
    primary_key: Option<Vec<Object<KeyRef>>>,
    #[model(computed)]
    replica_keys: Option<Vec<Object<KeyRef>>>,
}

/// A key of a multi-Region configuration.
#[derive(Model, Clone, Debug, Default)]
struct KeyRef {
    #[model(computed)]
    arn: Option<String>,
    #[model(computed)]
    region: Option<String>,
}

/// The element of `xks_key_configuration`.
#[derive(Model, Clone, Debug, Default)]
struct XksKey {
    #[model(computed)]
    id: Option<String>,
}

fn text(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}

fn key_ref(k: &MultiRegionKey) -> Object<KeyRef> {
    Object(KeyRef { arn: text(k.arn()), region: text(k.region()) })
}

/// `multi_region_configuration` as hashicorp/aws flattens it: one element, or none for a
/// single-Region key.
fn multi_region(m: &KeyMetadata) -> Vec<Object<MultiRegion>> {
    m.multi_region_configuration()
        .map(|c| {
            Object(MultiRegion {
                multi_region_key_type: text(c.multi_region_key_type().map(|t| t.as_str())),
                primary_key: Some(c.primary_key().map(key_ref).into_iter().collect()),
                replica_keys: Some(c.replica_keys().iter().map(key_ref).collect()),
            })
        })
        .into_iter()
        .collect()
}

/// RFC 3339 in whole seconds, as Terraform writes times.
fn date(d: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    d.and_then(|t| {
        aws_smithy_types::DateTime::from_secs(t.secs()).fmt(aws_smithy_types::date_time::Format::DateTime).ok()
    })
}

#[async_trait]
impl DataSourceType for KmsKey {
    fn name(&self) -> &'static str {
        "aws_kms_key"
    }

    fn schema(&self) -> Schema {
        KmsKeyObject::schema()
    }

    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value> {
        let config = KmsKeyObject::from_value(config)?;
        let key_id = &config.key_id;
        let out = c
            .clients
            .kms
            .describe_key()
            .key_id(key_id)
            .set_grant_tokens(config.grant_tokens.clone().filter(|t| !t.is_empty()))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading KMS key {key_id}"), e))?;
        let m = out.key_metadata().ok_or_else(|| ProviderError::new(format!("KMS key {key_id}: empty result")))?;
        Ok(KmsKeyObject {
            key_id: config.key_id.clone(),
            grant_tokens: config.grant_tokens.clone(),
            id: Some(m.key_id().to_string()),
            arn: text(m.arn()),
            aws_account_id: text(m.aws_account_id()),
            cloud_hsm_cluster_id: text(m.cloud_hsm_cluster_id()),
            creation_date: date(m.creation_date()),
            custom_key_store_id: text(m.custom_key_store_id()),
            // (Deprecated by AWS in favour of KeySpec, which holds the same.)
            customer_master_key_spec: text(m.key_spec().map(|s| s.as_str())),
            key_spec: text(m.key_spec().map(|s| s.as_str())),
            deletion_date: date(m.deletion_date()),
            description: Some(m.description().unwrap_or_default().to_string()),
            enabled: Some(m.enabled()),
            expiration_model: text(m.expiration_model().map(|s| s.as_str())),
            key_manager: text(m.key_manager().map(|s| s.as_str())),
            key_state: text(m.key_state().map(|s| s.as_str())),
            key_usage: text(m.key_usage().map(|s| s.as_str())),
            multi_region: Some(m.multi_region().unwrap_or(false)),
            origin: text(m.origin().map(|s| s.as_str())),
            pending_deletion_window_in_days: m.pending_deletion_window_in_days().map(i64::from),
            valid_to: date(m.valid_to()),
            multi_region_configuration: Some(multi_region(m)),
            xks_key_configuration: Some(
                m.xks_key_configuration().map(|x| Object(XksKey { id: text(x.id()) })).into_iter().collect(),
            ),
        }
        .to_value())
    }
}
