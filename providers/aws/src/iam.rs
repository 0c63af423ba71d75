//! IAM helpers shared by the IAM resource types (and those that wait for IAM): how long IAM
//! takes to show a change, tags in and out.

use crate::resource::Result;
use std::collections::BTreeMap;
use std::time::Duration;
use terrane_engine::provider::ProviderError;

/// How long IAM takes to show a new object everywhere (Terraform's `propagationTimeout`).
pub const PROPAGATION: Duration = Duration::from_secs(2 * 60);

/// Tags as IAM takes them (a key or value IAM cannot take is an error).
pub fn iam_tags(m: &BTreeMap<String, String>) -> Result<Vec<aws_sdk_iam::types::Tag>> {
    m.iter()
        .map(|(k, v)| {
            aws_sdk_iam::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| ProviderError::new(format!("tag {k}: {e}")))
        })
        .collect()
}

/// IAM tags as a map.
pub fn iam_tag_map(tags: &[aws_sdk_iam::types::Tag]) -> BTreeMap<String, String> {
    tags.iter().map(|t| (t.key().to_string(), t.value().to_string())).collect()
}
