//! Reading arguments and building results: the engine's helpers for providers.

pub use terrane_engine::attrs::*;

/// A timestamp as Terraform writes them (RFC 3339, whole seconds).
pub fn rfc3339(t: &aws_smithy_types::DateTime) -> String {
    aws_smithy_types::DateTime::from_secs(t.secs())
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}
