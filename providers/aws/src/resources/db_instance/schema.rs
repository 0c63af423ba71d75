//! The schema of `aws_db_instance` (hashicorp/aws 5.100.0's), the values it accepts, and the
//! arguments terrane declares but does not carry out.

use crate::resource::{Refused, with_tags, with_timeouts};
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::Type;

pub(super) fn schema() -> Schema {
    let s = Schema::new()
        .attr("id", Attribute::computed(Type::String))
        .attr("arn", Attribute::computed(Type::String))
        .attr("identifier", Attribute::optional_computed(Type::String).force_new())
        .attr("identifier_prefix", Attribute::optional_computed(Type::String).force_new())
        .attr("engine", Attribute::optional_computed(Type::String).force_new())
        .attr("engine_version", Attribute::optional_computed(Type::String))
        .attr("engine_version_actual", Attribute::computed(Type::String))
        .attr("instance_class", Attribute::required(Type::String))
        .attr("allocated_storage", Attribute::optional_computed(Type::Number))
        .attr("storage_type", Attribute::optional_computed(Type::String))
        .attr("username", Attribute::optional_computed(Type::String).force_new())
        .attr("password", Attribute::optional(Type::String).sensitive())
        .attr("db_name", Attribute::optional_computed(Type::String).force_new())
        .attr("port", Attribute::optional_computed(Type::Number))
        // In place, as in the Terraform provider (ModifyDBInstance moves the instance).
        .attr("db_subnet_group_name", Attribute::optional_computed(Type::String))
        .attr("vpc_security_group_ids", Attribute::optional_computed(Type::set(Type::String)))
        .attr("parameter_group_name", Attribute::optional_computed(Type::String))
        .attr("multi_az", Attribute::optional_computed(Type::Bool))
        .attr("publicly_accessible", Attribute::optional(Type::Bool).default(false))
        .attr("backup_retention_period", Attribute::optional_computed(Type::Number))
        .attr("backup_window", Attribute::optional_computed(Type::String))
        .attr("maintenance_window", Attribute::optional_computed(Type::String))
        .attr("availability_zone", Attribute::optional_computed(Type::String).force_new())
        .attr("auto_minor_version_upgrade", Attribute::optional(Type::Bool).default(true))
        .attr("allow_major_version_upgrade", Attribute::optional(Type::Bool))
        .attr("deletion_protection", Attribute::optional(Type::Bool).default(false))
        .attr("skip_final_snapshot", Attribute::optional(Type::Bool).default(false))
        .attr("final_snapshot_identifier", Attribute::optional(Type::String))
        .attr("apply_immediately", Attribute::optional(Type::Bool).default(false))
        .attr("storage_encrypted", Attribute::optional(Type::Bool).default(false).force_new())
        .attr("kms_key_id", Attribute::optional_computed(Type::String).force_new())
        .attr("address", Attribute::computed(Type::String))
        .attr("endpoint", Attribute::computed(Type::String))
        .attr("hosted_zone_id", Attribute::computed(Type::String))
        .attr("resource_id", Attribute::computed(Type::String))
        .attr("status", Attribute::computed(Type::String))
        // Storage.
        .attr("iops", Attribute::optional_computed(Type::Number))
        .attr("storage_throughput", Attribute::optional_computed(Type::Number))
        .attr("max_allocated_storage", Attribute::optional(Type::Number))
        .attr("dedicated_log_volume", Attribute::optional(Type::Bool).default(false))
        .attr("upgrade_storage_config", Attribute::optional(Type::Bool))
        // Credentials: the master password managed in Secrets Manager, or written only.
        .attr("manage_master_user_password", Attribute::optional(Type::Bool))
        .attr("master_user_secret_kms_key_id", Attribute::optional_computed(Type::String))
        .attr("master_user_secret", Attribute::computed(Type::list(secret_type())))
        .attr("password_wo", Attribute::optional(Type::String).sensitive())
        .attr("password_wo_version", Attribute::optional(Type::Number))
        .attr("iam_database_authentication_enabled", Attribute::optional(Type::Bool))
        // Monitoring and logs.
        .attr("performance_insights_enabled", Attribute::optional(Type::Bool).default(false))
        .attr("performance_insights_kms_key_id", Attribute::optional_computed(Type::String))
        .attr("performance_insights_retention_period", Attribute::optional_computed(Type::Number))
        .attr("database_insights_mode", Attribute::optional_computed(Type::String))
        .attr("monitoring_interval", Attribute::optional(Type::Number).default(0i64))
        .attr("monitoring_role_arn", Attribute::optional_computed(Type::String))
        .attr("enabled_cloudwatch_logs_exports", Attribute::optional(Type::set(Type::String)))
        // Engine settings.
        .attr("ca_cert_identifier", Attribute::optional_computed(Type::String))
        .attr("license_model", Attribute::optional_computed(Type::String))
        .attr("option_group_name", Attribute::optional_computed(Type::String))
        .attr("network_type", Attribute::optional_computed(Type::String))
        .attr("engine_lifecycle_support", Attribute::optional_computed(Type::String).force_new())
        .attr("character_set_name", Attribute::optional_computed(Type::String).force_new())
        .attr("nchar_character_set_name", Attribute::optional_computed(Type::String).force_new())
        .attr("timezone", Attribute::optional_computed(Type::String).force_new())
        .attr("copy_tags_to_snapshot", Attribute::optional(Type::Bool).default(false))
        .attr("delete_automated_backups", Attribute::optional(Type::Bool).default(true))
        .attr("latest_restorable_time", Attribute::computed(Type::String))
        .attr("listener_endpoint", Attribute::computed(Type::list(listener_type())))
        // Sources: a snapshot, or another instance to replicate.
        .attr("snapshot_identifier", Attribute::optional_computed(Type::String).force_new())
        .attr("replicate_source_db", Attribute::optional(Type::String))
        .attr("replica_mode", Attribute::optional_computed(Type::String))
        .attr("replicas", Attribute::computed(Type::list(Type::String)))
        // Declared and refused (see `REFUSED`).
        .attr("backup_target", Attribute::optional_computed(Type::String).force_new())
        .attr("custom_iam_instance_profile", Attribute::optional(Type::String).force_new())
        .attr("customer_owned_ip_enabled", Attribute::optional(Type::Bool))
        .attr("domain", Attribute::optional(Type::String))
        .attr("domain_auth_secret_arn", Attribute::optional(Type::String))
        .attr("domain_dns_ips", Attribute::optional(Type::list(Type::String)))
        .attr("domain_fqdn", Attribute::optional_computed(Type::String))
        .attr("domain_iam_role_name", Attribute::optional(Type::String))
        .attr("domain_ou", Attribute::optional(Type::String))
        .block(
            "blue_green_update",
            NestedBlock::list(Schema::new().attr("enabled", Attribute::optional(Type::Bool))).max(1),
        )
        .block(
            "restore_to_point_in_time",
            NestedBlock::list(
                Schema::new()
                    .attr("restore_time", Attribute::optional(Type::String))
                    .attr("source_db_instance_automated_backups_arn", Attribute::optional(Type::String))
                    .attr("source_db_instance_identifier", Attribute::optional(Type::String))
                    .attr("source_dbi_resource_id", Attribute::optional(Type::String))
                    .attr("use_latest_restorable_time", Attribute::optional(Type::Bool)),
            )
            .max(1)
            .force_new(),
        )
        .block(
            "s3_import",
            NestedBlock::list(
                Schema::new()
                    .attr("bucket_name", Attribute::required(Type::String).force_new())
                    .attr("bucket_prefix", Attribute::optional(Type::String).force_new())
                    .attr("ingestion_role", Attribute::required(Type::String).force_new())
                    .attr("source_engine", Attribute::required(Type::String).force_new())
                    .attr("source_engine_version", Attribute::required(Type::String).force_new()),
            )
            .max(1),
        );
    with_timeouts(with_tags(s), &["create", "update", "delete"])
}

pub(super) fn secret_type() -> Type {
    Type::object_from([("kms_key_id", Type::String), ("secret_arn", Type::String), ("secret_status", Type::String)])
}

pub(super) fn listener_type() -> Type {
    Type::object_from([("address", Type::String), ("hosted_zone_id", Type::String), ("port", Type::Number)])
}

/// The values hashicorp/aws accepts for these arguments.
pub(super) const ALLOWED: &[(&str, &[&str])] = &[
    ("network_type", &["IPV4", "DUAL"]),
    ("database_insights_mode", &["standard", "advanced"]),
    ("replica_mode", &["open-read-only", "mounted"]),
    ("engine_lifecycle_support", &["open-source-rds-extended-support", "open-source-rds-extended-support-disabled"]),
    ("storage_type", &["standard", "gp2", "gp3", "io1", "io2"]),
];

/// The log types an instance can export to CloudWatch Logs (hashicorp/aws's list).
pub(super) const LOG_TYPES: &[&str] = &[
    "agent",
    "alert",
    "audit",
    "diag.log",
    "error",
    "general",
    "iam-db-auth-error",
    "listener",
    "notify.log",
    "oemagent",
    "postgresql",
    "slowquery",
    "trace",
    "upgrade",
];

/// What terrane does not carry out, and why.
pub(super) const REFUSED: &[Refused] = &[
    Refused {
        name: "backup_target",
        why: "it places backups on an AWS Outpost (\"outposts\"), which needs RDS on Outposts; terrane has no Outposts support and cannot test it.",
    },
    Refused {
        name: "custom_iam_instance_profile",
        why: "it belongs to RDS Custom (engines custom-oracle-*, custom-sqlserver-*), which needs an EC2 instance profile set up for RDS Custom; terrane does not support RDS Custom.",
    },
    Refused {
        name: "customer_owned_ip_enabled",
        why: "customer-owned IP addresses exist only for RDS on AWS Outposts, which terrane does not support.",
    },
    Refused {
        name: "domain",
        why: "joining an Active Directory domain (AWS Directory Service) needs a directory and its IAM role; terrane has no Directory Service support.",
    },
    Refused {
        name: "domain_auth_secret_arn",
        why: "joining a self-managed Active Directory domain needs the domain, its DNS servers and its credentials secret; terrane has no Active Directory support.",
    },
    Refused {
        name: "domain_dns_ips",
        why: "joining a self-managed Active Directory domain needs the domain, its DNS servers and its credentials secret; terrane has no Active Directory support.",
    },
    Refused {
        name: "domain_fqdn",
        why: "joining a self-managed Active Directory domain needs the domain, its DNS servers and its credentials secret; terrane has no Active Directory support.",
    },
    Refused {
        name: "domain_iam_role_name",
        why: "joining an Active Directory domain (AWS Directory Service) needs a directory and its IAM role; terrane has no Directory Service support.",
    },
    Refused {
        name: "domain_ou",
        why: "joining a self-managed Active Directory domain needs the domain, its DNS servers and its credentials secret; terrane has no Active Directory support.",
    },
    Refused {
        name: "blue_green_update",
        why: "it updates through an RDS Blue/Green Deployment (create, switch over, delete the old instance), a workflow terrane does not implement; without it the same change is made in place with ModifyDBInstance.",
    },
    Refused {
        name: "restore_to_point_in_time",
        why: "restoring from automated backups (RestoreDBInstanceToPointInTime) is not implemented; moto keeps no automated backups to restore from, so it could not be tested.",
    },
    Refused {
        name: "s3_import",
        why: "restoring from a backup in S3 (RestoreDBInstanceFromS3) needs an Xtrabackup of MySQL in a bucket and an ingestion role; it is not implemented.",
    },
];
