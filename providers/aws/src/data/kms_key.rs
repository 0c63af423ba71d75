//! `data "aws_kms_key"`: a key found by ID, key ARN, alias name or alias ARN.

use crate::errors::sdk_error;
use crate::resource::{Ctx, DataSourceType, Result};
use crate::val::{self, Obj};
use async_trait::async_trait;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub struct KmsKey;

fn schema() -> Schema {
    let computed = |t: Type| Attribute::computed(t);
    Schema::new()
        .attr("key_id", Attribute::required(Type::String))
        .attr("grant_tokens", Attribute::optional(Type::list(Type::String)))
        .attr("id", computed(Type::String))
        .attr("arn", computed(Type::String))
        .attr("aws_account_id", computed(Type::String))
        .attr("cloud_hsm_cluster_id", computed(Type::String))
        .attr("creation_date", computed(Type::String))
        .attr("custom_key_store_id", computed(Type::String))
        .attr("customer_master_key_spec", computed(Type::String))
        .attr("key_spec", computed(Type::String))
        .attr("deletion_date", computed(Type::String))
        .attr("description", computed(Type::String))
        .attr("enabled", computed(Type::Bool))
        .attr("expiration_model", computed(Type::String))
        .attr("key_manager", computed(Type::String))
        .attr("key_state", computed(Type::String))
        .attr("key_usage", computed(Type::String))
        .attr("multi_region", computed(Type::Bool))
        .attr("origin", computed(Type::String))
        .attr("pending_deletion_window_in_days", computed(Type::Number))
        .attr("valid_to", computed(Type::String))
        .attr("multi_region_configuration", computed(Type::list(multi_region_type())))
        .attr("xks_key_configuration", computed(Type::list(Type::object_from([("id", Type::String)]))))
}

fn key_ref_type() -> Type {
    Type::object_from([("arn", Type::String), ("region", Type::String)])
}

fn multi_region_type() -> Type {
    Type::object_from([
        ("multi_region_key_type", Type::String),
        ("primary_key", Type::list(key_ref_type())),
        ("replica_keys", Type::list(key_ref_type())),
    ])
}

fn key_ref(k: &aws_sdk_kms::types::MultiRegionKey) -> Value {
    Value::object([("arn", val::opt_str(k.arn())), ("region", val::opt_str(k.region()))])
}

/// `multi_region_configuration` as hashicorp/aws flattens it: one element, or none for a
/// single-Region key.
fn multi_region(m: &aws_sdk_kms::types::KeyMetadata) -> Value {
    let items = m
        .multi_region_configuration()
        .map(|c| {
            Value::object([
                ("multi_region_key_type", val::opt_str(c.multi_region_key_type().map(|t| t.as_str()))),
                ("primary_key", Value::list(key_ref_type(), c.primary_key().map(key_ref).into_iter().collect())),
                ("replica_keys", Value::list(key_ref_type(), c.replica_keys().iter().map(key_ref).collect())),
            ])
        })
        .into_iter()
        .collect();
    Value::list(multi_region_type(), items)
}

#[async_trait]
impl DataSourceType for KmsKey {
    fn name(&self) -> &'static str {
        "aws_kms_key"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value> {
        let key_id = val::string(config, "key_id").unwrap_or_default();
        let out = c
            .clients
            .kms
            .describe_key()
            .key_id(&key_id)
            .set_grant_tokens(Some(val::strings(config, "grant_tokens")).filter(|t| !t.is_empty()))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading KMS key {key_id}"), e))?;
        let m = out.key_metadata().ok_or_else(|| ProviderError::new(format!("KMS key {key_id}: empty result")))?;
        // RFC 3339 in whole seconds, as Terraform writes times.
        let date = |d: Option<&aws_smithy_types::DateTime>| {
            val::opt_str(
                d.and_then(|t| {
                    aws_smithy_types::DateTime::from_secs(t.secs())
                        .fmt(aws_smithy_types::date_time::Format::DateTime)
                        .ok()
                })
                .as_deref(),
            )
        };
        Ok(Obj::new(&schema())
            .keep(config, &["key_id", "grant_tokens"])
            .set("id", m.key_id())
            .set("arn", val::opt_str(m.arn()))
            .set("aws_account_id", val::opt_str(m.aws_account_id()))
            .set("cloud_hsm_cluster_id", val::opt_str(m.cloud_hsm_cluster_id()))
            .set("creation_date", date(m.creation_date()))
            .set("custom_key_store_id", val::opt_str(m.custom_key_store_id()))
            // (Deprecated by AWS in favour of KeySpec, which holds the same.)
            .set("customer_master_key_spec", val::opt_str(m.key_spec().map(|s| s.as_str())))
            .set("key_spec", val::opt_str(m.key_spec().map(|s| s.as_str())))
            .set("deletion_date", date(m.deletion_date()))
            .set("description", m.description().unwrap_or_default())
            .set("enabled", Value::Bool(m.enabled()))
            .set("expiration_model", val::opt_str(m.expiration_model().map(|s| s.as_str())))
            .set("key_manager", val::opt_str(m.key_manager().map(|s| s.as_str())))
            .set("key_state", val::opt_str(m.key_state().map(|s| s.as_str())))
            .set("key_usage", val::opt_str(m.key_usage().map(|s| s.as_str())))
            .set("multi_region", Value::Bool(m.multi_region().unwrap_or(false)))
            .set("origin", val::opt_str(m.origin().map(|s| s.as_str())))
            .set("pending_deletion_window_in_days", val::opt_num(m.pending_deletion_window_in_days()))
            .set("valid_to", date(m.valid_to()))
            .set("multi_region_configuration", multi_region(m))
            .set(
                "xks_key_configuration",
                Value::list(
                    Type::object_from([("id", Type::String)]),
                    m.xks_key_configuration()
                        .map(|x| Value::object([("id", val::opt_str(x.id()))]))
                        .into_iter()
                        .collect(),
                ),
            )
            .build())
    }
}
