//! Reading arguments and building results: the engine's helpers for providers.

pub use terrane_engine::attrs::*;

/// A timestamp as Terraform writes them (RFC 3339, whole seconds).
pub fn rfc3339(t: &aws_smithy_types::DateTime) -> String {
    aws_smithy_types::DateTime::from_secs(t.secs())
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}

/// An object type from its attributes' names and types.
pub fn object_type<const N: usize>(attrs: [(&str, terrane_engine::value::Type); N]) -> terrane_engine::value::Type {
    terrane_engine::value::Type::object(attrs.into_iter().map(|(k, t)| (k.to_string(), t)).collect())
}
