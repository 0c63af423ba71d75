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
use std::collections::{BTreeMap, BTreeSet};
use terrane_engine::model::Model;

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

/// The legacy arguments and their computed attributes (from the website configuration),
/// flattened into the bucket: what a read gives is what the prior value records.
#[derive(Model, Clone, Debug, Default)]
pub struct Legacy {
    #[model(optional, computed)]
    acceleration_status: Option<String>,
    #[model(optional, computed)]
    acl: Option<String>,
    #[model(optional, computed)]
    policy: Option<String>,
    #[model(optional, computed)]
    request_payer: Option<String>,
    #[model(computed)]
    website_domain: Option<String>,
    #[model(computed)]
    website_endpoint: Option<String>,
    #[model(block, computed)]
    cors_rule: Vec<CorsRule>,
    #[model(block = "set", computed)]
    grant: Vec<Grant>,
    #[model(block, computed)]
    lifecycle_rule: Vec<LifecycleRule>,
    #[model(block, max = 1, computed)]
    logging: Option<Logging>,
    #[model(block, max = 1, computed)]
    object_lock_configuration: Option<ObjectLockConfiguration>,
    #[model(block, max = 1, computed)]
    replication_configuration: Option<ReplicationConfiguration>,
    #[model(block, max = 1, computed)]
    server_side_encryption_configuration: Option<ServerSideEncryptionConfiguration>,
    #[model(block, max = 1, computed)]
    versioning: Option<Versioning>,
    #[model(block, max = 1, computed)]
    website: Option<Website>,
}

#[derive(Model, Clone, Debug, Default)]
struct CorsRule {
    #[model(optional)]
    allowed_headers: Option<Vec<String>>,
    #[model(required)]
    allowed_methods: Vec<String>,
    #[model(required)]
    allowed_origins: Vec<String>,
    #[model(optional)]
    expose_headers: Option<Vec<String>>,
    #[model(optional)]
    max_age_seconds: Option<i64>,
}

#[derive(Model, Clone, Debug, Default)]
struct Grant {
    #[model(optional)]
    id: Option<String>,
    #[model(required)]
    permissions: BTreeSet<String>,
    #[model(required, name = "type")]
    kind: String,
    #[model(optional)]
    uri: Option<String>,
}

#[derive(Model, Clone, Debug, Default)]
struct LifecycleRule {
    #[model(optional)]
    abort_incomplete_multipart_upload_days: Option<i64>,
    #[model(required)]
    enabled: bool,
    #[model(optional, computed)]
    id: Option<String>,
    #[model(optional)]
    prefix: Option<String>,
    #[model(optional)]
    tags: Option<BTreeMap<String, String>>,
    #[model(block, max = 1)]
    expiration: Option<Expiration>,
    #[model(block, max = 1)]
    noncurrent_version_expiration: Option<NoncurrentVersionExpiration>,
    #[model(block = "set")]
    noncurrent_version_transition: Vec<NoncurrentVersionTransition>,
    #[model(block = "set")]
    transition: Vec<Transition>,
}

#[derive(Model, Clone, Debug, Default)]
struct Expiration {
    #[model(optional)]
    date: Option<String>,
    #[model(optional)]
    days: Option<i64>,
    #[model(optional)]
    expired_object_delete_marker: Option<bool>,
}

#[derive(Model, Clone, Debug, Default)]
struct NoncurrentVersionExpiration {
    #[model(optional)]
    days: Option<i64>,
}

#[derive(Model, Clone, Debug, Default)]
struct NoncurrentVersionTransition {
    #[model(optional)]
    days: Option<i64>,
    #[model(required)]
    storage_class: String,
}

#[derive(Model, Clone, Debug, Default)]
struct Transition {
    #[model(optional)]
    date: Option<String>,
    #[model(optional)]
    days: Option<i64>,
    #[model(required)]
    storage_class: String,
}

#[derive(Model, Clone, Debug, Default)]
struct Logging {
    #[model(required)]
    target_bucket: String,
    #[model(optional)]
    target_prefix: Option<String>,
}

#[derive(Model, Clone, Debug, Default)]
struct ObjectLockConfiguration {
    #[model(optional)]
    object_lock_enabled: Option<String>,
    #[model(block, max = 1)]
    rule: Option<ObjectLockRule>,
}

#[derive(Model, Clone, Debug, Default)]
struct ObjectLockRule {
    #[model(block, min = 1, max = 1)]
    default_retention: Option<DefaultRetention>,
}

#[derive(Model, Clone, Debug, Default)]
struct DefaultRetention {
    #[model(optional)]
    days: Option<i64>,
    #[model(required)]
    mode: String,
    #[model(optional)]
    years: Option<i64>,
}

#[derive(Model, Clone, Debug, Default)]
struct ReplicationConfiguration {
    #[model(required)]
    role: String,
    #[model(block = "set", min = 1)]
    rules: Vec<ReplicationRule>,
}

#[derive(Model, Clone, Debug, Default)]
struct ReplicationRule {
    #[model(optional)]
    delete_marker_replication_status: Option<String>,
    #[model(optional)]
    id: Option<String>,
    #[model(optional)]
    prefix: Option<String>,
    #[model(optional)]
    priority: Option<i64>,
    #[model(required)]
    status: String,
    #[model(block, min = 1, max = 1)]
    destination: Option<Destination>,
    #[model(block, max = 1)]
    filter: Option<ReplicationFilter>,
    #[model(block, max = 1)]
    source_selection_criteria: Option<SourceSelectionCriteria>,
}

#[derive(Model, Clone, Debug, Default)]
struct Destination {
    #[model(optional)]
    account_id: Option<String>,
    #[model(required)]
    bucket: String,
    #[model(optional)]
    replica_kms_key_id: Option<String>,
    #[model(optional)]
    storage_class: Option<String>,
    #[model(block, max = 1)]
    access_control_translation: Option<AccessControlTranslation>,
    #[model(block, max = 1)]
    metrics: Option<ReplicationMinutes>,
    #[model(block, max = 1)]
    replication_time: Option<ReplicationMinutes>,
}

#[derive(Model, Clone, Debug, Default)]
struct AccessControlTranslation {
    #[model(required)]
    owner: String,
}

/// `metrics` and `replication_time`, which have the same attributes.
#[derive(Model, Clone, Debug, Default)]
struct ReplicationMinutes {
    #[model(optional)]
    minutes: Option<i64>,
    #[model(optional)]
    status: Option<String>,
}

#[derive(Model, Clone, Debug, Default)]
struct ReplicationFilter {
    #[model(optional)]
    prefix: Option<String>,
    #[model(optional)]
    tags: Option<BTreeMap<String, String>>,
}

#[derive(Model, Clone, Debug, Default)]
struct SourceSelectionCriteria {
    #[model(block, max = 1)]
    sse_kms_encrypted_objects: Option<SseKmsEncryptedObjects>,
}

#[derive(Model, Clone, Debug, Default)]
struct SseKmsEncryptedObjects {
    #[model(required)]
    enabled: bool,
}

#[derive(Model, Clone, Debug, Default)]
struct ServerSideEncryptionConfiguration {
    #[model(block, min = 1, max = 1)]
    rule: Option<EncryptionRule>,
}

#[derive(Model, Clone, Debug, Default)]
struct EncryptionRule {
    #[model(optional)]
    bucket_key_enabled: Option<bool>,
    #[model(block, min = 1, max = 1)]
    apply_server_side_encryption_by_default: Option<EncryptionByDefault>,
}

#[derive(Model, Clone, Debug, Default)]
struct EncryptionByDefault {
    #[model(optional)]
    kms_master_key_id: Option<String>,
    #[model(required)]
    sse_algorithm: String,
}

#[derive(Model, Clone, Debug, Default)]
struct Versioning {
    #[model(optional)]
    enabled: Option<bool>,
    #[model(optional)]
    mfa_delete: Option<bool>,
}

#[derive(Model, Clone, Debug, Default)]
struct Website {
    #[model(optional)]
    error_document: Option<String>,
    #[model(optional)]
    index_document: Option<String>,
    #[model(optional)]
    redirect_all_requests_to: Option<String>,
    #[model(optional)]
    routing_rules: Option<String>,
}
