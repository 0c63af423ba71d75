//! The arguments hashicorp/aws's `aws_s3_bucket` still declares from before v4, when a
//! bucket's ACL, CORS, lifecycle, logging, object lock, replication, encryption, versioning
//! and website were set on the bucket itself (deprecated since, in favour of one resource
//! each: `aws_s3_bucket_versioning`, `aws_s3_bucket_server_side_encryption_configuration`,
//! `aws_s3_bucket_policy`, ...).
//!
//! terrane declares them as hashicorp/aws does (optional and computed), so that a state
//! Terraform wrote, which records them all, reads without a change, and refuses a
//! configuration that sets one, naming the resource to use instead. They are not read from
//! S3 on refresh (that would take a dozen calls per bucket): a bucket keeps the values its
//! state records (Terraform's, as it last read them; none for a bucket terrane made), and
//! Terraform reads them again on its next refresh.

use crate::resource::Refused;
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::Type;

/// Why each legacy argument is refused, naming the resource that replaces it.
macro_rules! replaced_by {
    ($name:literal, $resource:literal) => {
        Refused {
            name: $name,
            why: concat!(
                "hashicorp/aws deprecated it in v4 in favour of the ",
                $resource,
                " resource, and terrane supports only that form."
            ),
        }
    };
}

pub static REFUSED: [Refused; 13] = [
    replaced_by!("acceleration_status", "aws_s3_bucket_accelerate_configuration"),
    replaced_by!("acl", "aws_s3_bucket_acl"),
    replaced_by!("cors_rule", "aws_s3_bucket_cors_configuration"),
    replaced_by!("grant", "aws_s3_bucket_acl"),
    replaced_by!("lifecycle_rule", "aws_s3_bucket_lifecycle_configuration"),
    replaced_by!("logging", "aws_s3_bucket_logging"),
    replaced_by!("object_lock_configuration", "aws_s3_bucket_object_lock_configuration"),
    replaced_by!("policy", "aws_s3_bucket_policy"),
    replaced_by!("replication_configuration", "aws_s3_bucket_replication_configuration"),
    replaced_by!("request_payer", "aws_s3_bucket_request_payment_configuration"),
    replaced_by!("server_side_encryption_configuration", "aws_s3_bucket_server_side_encryption_configuration"),
    replaced_by!("versioning", "aws_s3_bucket_versioning"),
    replaced_by!("website", "aws_s3_bucket_website_configuration"),
];

/// The computed attributes that come with them (from the website configuration).
pub const COMPUTED: [&str; 2] = ["website_domain", "website_endpoint"];

/// `s` with the legacy arguments and their computed attributes.
pub fn with_legacy(s: Schema) -> Schema {
    s.attr("acceleration_status", Attribute::optional_computed(Type::String))
        .attr("acl", Attribute::optional_computed(Type::String))
        .attr("policy", Attribute::optional_computed(Type::String))
        .attr("request_payer", Attribute::optional_computed(Type::String))
        .attr("website_domain", Attribute::computed(Type::String))
        .attr("website_endpoint", Attribute::computed(Type::String))
        .block(
            "cors_rule",
            NestedBlock::list(
                Schema::new()
                    .attr("allowed_headers", Attribute::optional(Type::list(Type::String)))
                    .attr("allowed_methods", Attribute::required(Type::list(Type::String)))
                    .attr("allowed_origins", Attribute::required(Type::list(Type::String)))
                    .attr("expose_headers", Attribute::optional(Type::list(Type::String)))
                    .attr("max_age_seconds", Attribute::optional(Type::Number)),
            )
            .computed(),
        )
        .block(
            "grant",
            NestedBlock::set(
                Schema::new()
                    .attr("id", Attribute::optional(Type::String))
                    .attr("permissions", Attribute::required(Type::set(Type::String)))
                    .attr("type", Attribute::required(Type::String))
                    .attr("uri", Attribute::optional(Type::String)),
            )
            .computed(),
        )
        .block(
            "lifecycle_rule",
            NestedBlock::list(
                Schema::new()
                    .attr("abort_incomplete_multipart_upload_days", Attribute::optional(Type::Number))
                    .attr("enabled", Attribute::required(Type::Bool))
                    .attr("id", Attribute::optional_computed(Type::String))
                    .attr("prefix", Attribute::optional(Type::String))
                    .attr("tags", Attribute::optional(Type::map(Type::String)))
                    .block(
                        "expiration",
                        NestedBlock::list(
                            Schema::new()
                                .attr("date", Attribute::optional(Type::String))
                                .attr("days", Attribute::optional(Type::Number))
                                .attr("expired_object_delete_marker", Attribute::optional(Type::Bool)),
                        )
                        .max(1),
                    )
                    .block(
                        "noncurrent_version_expiration",
                        NestedBlock::list(Schema::new().attr("days", Attribute::optional(Type::Number))).max(1),
                    )
                    .block(
                        "noncurrent_version_transition",
                        NestedBlock::set(
                            Schema::new()
                                .attr("days", Attribute::optional(Type::Number))
                                .attr("storage_class", Attribute::required(Type::String)),
                        ),
                    )
                    .block(
                        "transition",
                        NestedBlock::set(
                            Schema::new()
                                .attr("date", Attribute::optional(Type::String))
                                .attr("days", Attribute::optional(Type::Number))
                                .attr("storage_class", Attribute::required(Type::String)),
                        ),
                    ),
            )
            .computed(),
        )
        .block(
            "logging",
            NestedBlock::list(
                Schema::new()
                    .attr("target_bucket", Attribute::required(Type::String))
                    .attr("target_prefix", Attribute::optional(Type::String)),
            )
            .max(1)
            .computed(),
        )
        .block(
            "object_lock_configuration",
            NestedBlock::list(
                Schema::new().attr("object_lock_enabled", Attribute::optional(Type::String)).block(
                    "rule",
                    NestedBlock::list(
                        Schema::new().block(
                            "default_retention",
                            NestedBlock::list(
                                Schema::new()
                                    .attr("days", Attribute::optional(Type::Number))
                                    .attr("mode", Attribute::required(Type::String))
                                    .attr("years", Attribute::optional(Type::Number)),
                            )
                            .min(1)
                            .max(1),
                        ),
                    )
                    .max(1),
                ),
            )
            .max(1)
            .computed(),
        )
        .block(
            "replication_configuration",
            NestedBlock::list(
                Schema::new().attr("role", Attribute::required(Type::String)).block(
                    "rules",
                    NestedBlock::set(
                        Schema::new()
                            .attr("delete_marker_replication_status", Attribute::optional(Type::String))
                            .attr("id", Attribute::optional(Type::String))
                            .attr("prefix", Attribute::optional(Type::String))
                            .attr("priority", Attribute::optional(Type::Number))
                            .attr("status", Attribute::required(Type::String))
                            .block(
                                "destination",
                                NestedBlock::list(
                                    Schema::new()
                                        .attr("account_id", Attribute::optional(Type::String))
                                        .attr("bucket", Attribute::required(Type::String))
                                        .attr("replica_kms_key_id", Attribute::optional(Type::String))
                                        .attr("storage_class", Attribute::optional(Type::String))
                                        .block(
                                            "access_control_translation",
                                            NestedBlock::list(
                                                Schema::new().attr("owner", Attribute::required(Type::String)),
                                            )
                                            .max(1),
                                        )
                                        .block(
                                            "metrics",
                                            NestedBlock::list(
                                                Schema::new()
                                                    .attr("minutes", Attribute::optional(Type::Number))
                                                    .attr("status", Attribute::optional(Type::String)),
                                            )
                                            .max(1),
                                        )
                                        .block(
                                            "replication_time",
                                            NestedBlock::list(
                                                Schema::new()
                                                    .attr("minutes", Attribute::optional(Type::Number))
                                                    .attr("status", Attribute::optional(Type::String)),
                                            )
                                            .max(1),
                                        ),
                                )
                                .min(1)
                                .max(1),
                            )
                            .block(
                                "filter",
                                NestedBlock::list(
                                    Schema::new()
                                        .attr("prefix", Attribute::optional(Type::String))
                                        .attr("tags", Attribute::optional(Type::map(Type::String))),
                                )
                                .max(1),
                            )
                            .block(
                                "source_selection_criteria",
                                NestedBlock::list(
                                    Schema::new().block(
                                        "sse_kms_encrypted_objects",
                                        NestedBlock::list(
                                            Schema::new().attr("enabled", Attribute::required(Type::Bool)),
                                        )
                                        .max(1),
                                    ),
                                )
                                .max(1),
                            ),
                    )
                    .min(1),
                ),
            )
            .max(1)
            .computed(),
        )
        .block(
            "server_side_encryption_configuration",
            NestedBlock::list(
                Schema::new().block(
                    "rule",
                    NestedBlock::list(
                        Schema::new().attr("bucket_key_enabled", Attribute::optional(Type::Bool)).block(
                            "apply_server_side_encryption_by_default",
                            NestedBlock::list(
                                Schema::new()
                                    .attr("kms_master_key_id", Attribute::optional(Type::String))
                                    .attr("sse_algorithm", Attribute::required(Type::String)),
                            )
                            .min(1)
                            .max(1),
                        ),
                    )
                    .min(1)
                    .max(1),
                ),
            )
            .max(1)
            .computed(),
        )
        .block(
            "versioning",
            NestedBlock::list(
                Schema::new()
                    .attr("enabled", Attribute::optional(Type::Bool))
                    .attr("mfa_delete", Attribute::optional(Type::Bool)),
            )
            .max(1)
            .computed(),
        )
        .block(
            "website",
            NestedBlock::list(
                Schema::new()
                    .attr("error_document", Attribute::optional(Type::String))
                    .attr("index_document", Attribute::optional(Type::String))
                    .attr("redirect_all_requests_to", Attribute::optional(Type::String))
                    .attr("routing_rules", Attribute::optional(Type::String)),
            )
            .max(1)
            .computed(),
        )
}

/// The names of everything [`with_legacy`] adds.
pub fn names() -> impl Iterator<Item = &'static str> {
    REFUSED.iter().map(|r| r.name).chain(COMPUTED)
}
