//! The schema of `aws_db_instance` (hashicorp/aws 5.100.0's), the values it accepts, and the
//! arguments terrane declares but does not carry out.

use crate::model::{Object, Tags, Timeouts};
use crate::resource::Refused;
use std::collections::BTreeSet;
use terrane_engine::model::Model;

/// An `aws_db_instance` object.
#[derive(Model, Clone, Debug, Default)]
pub(super) struct Instance {
    #[model(computed)]
    pub id: Option<String>,
    #[model(computed)]
    pub arn: Option<String>,
    #[model(optional, computed, force_new)]
    pub identifier: Option<String>,
    #[model(optional, computed, force_new)]
    pub identifier_prefix: Option<String>,
    #[model(optional, computed, force_new)]
    pub engine: Option<String>,
    #[model(optional, computed)]
    pub engine_version: Option<String>,
    #[model(computed)]
    pub engine_version_actual: Option<String>,
    #[model(required)]
    pub instance_class: String,
    #[model(optional, computed)]
    pub allocated_storage: Option<i64>,
    #[model(optional, computed)]
    pub storage_type: Option<String>,
    #[model(optional, computed, force_new)]
    pub username: Option<String>,
    #[model(optional, sensitive)]
    pub password: Option<String>,
    #[model(optional, computed, force_new)]
    pub db_name: Option<String>,
    #[model(optional, computed)]
    pub port: Option<i64>,
    /// In place, as in the Terraform provider (ModifyDBInstance moves the instance).
    #[model(optional, computed)]
    pub db_subnet_group_name: Option<String>,
    #[model(optional, computed)]
    pub vpc_security_group_ids: Option<BTreeSet<String>>,
    #[model(optional, computed)]
    pub parameter_group_name: Option<String>,
    #[model(optional, computed)]
    pub multi_az: Option<bool>,
    #[model(optional, default = false)]
    pub publicly_accessible: bool,
    #[model(optional, computed)]
    pub backup_retention_period: Option<i64>,
    #[model(optional, computed)]
    pub backup_window: Option<String>,
    #[model(optional, computed)]
    pub maintenance_window: Option<String>,
    #[model(optional, computed, force_new)]
    pub availability_zone: Option<String>,
    #[model(optional, default = true)]
    pub auto_minor_version_upgrade: bool,
    #[model(optional)]
    pub allow_major_version_upgrade: Option<bool>,
    #[model(optional, default = false)]
    pub deletion_protection: bool,
    #[model(optional, default = false)]
    pub skip_final_snapshot: bool,
    #[model(optional)]
    pub final_snapshot_identifier: Option<String>,
    #[model(optional, default = false)]
    pub apply_immediately: bool,
    #[model(optional, default = false, force_new)]
    pub storage_encrypted: bool,
    #[model(optional, computed, force_new)]
    pub kms_key_id: Option<String>,
    #[model(computed)]
    pub address: Option<String>,
    #[model(computed)]
    pub endpoint: Option<String>,
    #[model(computed)]
    pub hosted_zone_id: Option<String>,
    #[model(computed)]
    pub resource_id: Option<String>,
    #[model(computed)]
    pub status: Option<String>,
    // Storage.
    #[model(optional, computed)]
    pub iops: Option<i64>,
    #[model(optional, computed)]
    pub storage_throughput: Option<i64>,
    #[model(optional)]
    pub max_allocated_storage: Option<i64>,
    #[model(optional, default = false)]
    pub dedicated_log_volume: bool,
    #[model(optional)]
    pub upgrade_storage_config: Option<bool>,
    // Credentials: the master password managed in Secrets Manager, or written only.
    #[model(optional)]
    pub manage_master_user_password: Option<bool>,
    #[model(optional, computed)]
    pub master_user_secret_kms_key_id: Option<String>,
    #[model(computed)]
    pub master_user_secret: Option<Vec<Object<Secret>>>,
    #[model(optional, sensitive)]
    pub password_wo: Option<String>,
    #[model(optional)]
    pub password_wo_version: Option<i64>,
    #[model(optional)]
    pub iam_database_authentication_enabled: Option<bool>,
    // Monitoring and logs.
    #[model(optional, default = false)]
    pub performance_insights_enabled: bool,
    #[model(optional, computed)]
    pub performance_insights_kms_key_id: Option<String>,
    #[model(optional, computed)]
    pub performance_insights_retention_period: Option<i64>,
    #[model(optional, computed)]
    pub database_insights_mode: Option<String>,
    #[model(optional, default = 0i64)]
    pub monitoring_interval: i64,
    #[model(optional, computed)]
    pub monitoring_role_arn: Option<String>,
    #[model(optional)]
    pub enabled_cloudwatch_logs_exports: Option<BTreeSet<String>>,
    // Engine settings.
    #[model(optional, computed)]
    pub ca_cert_identifier: Option<String>,
    #[model(optional, computed)]
    pub license_model: Option<String>,
    #[model(optional, computed)]
    pub option_group_name: Option<String>,
    #[model(optional, computed)]
    pub network_type: Option<String>,
    #[model(optional, computed, force_new)]
    pub engine_lifecycle_support: Option<String>,
    #[model(optional, computed, force_new)]
    pub character_set_name: Option<String>,
    #[model(optional, computed, force_new)]
    pub nchar_character_set_name: Option<String>,
    #[model(optional, computed, force_new)]
    pub timezone: Option<String>,
    #[model(optional, default = false)]
    pub copy_tags_to_snapshot: bool,
    #[model(optional, default = true)]
    pub delete_automated_backups: bool,
    #[model(computed)]
    pub latest_restorable_time: Option<String>,
    #[model(computed)]
    pub listener_endpoint: Option<Vec<Object<Listener>>>,
    // Sources: a snapshot, or another instance to replicate.
    #[model(optional, computed, force_new)]
    pub snapshot_identifier: Option<String>,
    #[model(optional)]
    pub replicate_source_db: Option<String>,
    #[model(optional, computed)]
    pub replica_mode: Option<String>,
    #[model(computed)]
    pub replicas: Option<Vec<String>>,
    // Declared and refused (see `REFUSED`).
    #[model(optional, computed, force_new)]
    pub backup_target: Option<String>,
    #[model(optional, force_new)]
    pub custom_iam_instance_profile: Option<String>,
    #[model(optional)]
    pub customer_owned_ip_enabled: Option<bool>,
    #[model(optional)]
    pub domain: Option<String>,
    #[model(optional)]
    pub domain_auth_secret_arn: Option<String>,
    #[model(optional)]
    pub domain_dns_ips: Option<Vec<String>>,
    #[model(optional, computed)]
    pub domain_fqdn: Option<String>,
    #[model(optional)]
    pub domain_iam_role_name: Option<String>,
    #[model(optional)]
    pub domain_ou: Option<String>,
    #[model(block, max = 1)]
    pub blue_green_update: Option<BlueGreenUpdate>,
    #[model(block, max = 1, force_new)]
    pub restore_to_point_in_time: Option<RestoreToPointInTime>,
    #[model(block, max = 1)]
    pub s3_import: Option<S3Import>,
    #[model(flatten)]
    pub tags: Tags,
    #[model(block = "single")]
    pub timeouts: Option<Timeouts>,
}

/// An element of `master_user_secret`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub(super) struct Secret {
    #[model(computed)]
    pub kms_key_id: Option<String>,
    #[model(computed)]
    pub secret_arn: Option<String>,
    #[model(computed)]
    pub secret_status: Option<String>,
}

/// An element of `listener_endpoint`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub(super) struct Listener {
    #[model(computed)]
    pub address: Option<String>,
    #[model(computed)]
    pub hosted_zone_id: Option<String>,
    #[model(computed)]
    pub port: Option<i64>,
}

/// `blue_green_update` (refused).
#[derive(Model, Clone, Debug, Default)]
pub(super) struct BlueGreenUpdate {
    #[model(optional)]
    pub enabled: Option<bool>,
}

/// `restore_to_point_in_time` (refused).
#[derive(Model, Clone, Debug, Default)]
pub(super) struct RestoreToPointInTime {
    #[model(optional)]
    pub restore_time: Option<String>,
    #[model(optional)]
    pub source_db_instance_automated_backups_arn: Option<String>,
    #[model(optional)]
    pub source_db_instance_identifier: Option<String>,
    #[model(optional)]
    pub source_dbi_resource_id: Option<String>,
    #[model(optional)]
    pub use_latest_restorable_time: Option<bool>,
}

/// `s3_import` (refused).
#[derive(Model, Clone, Debug, Default)]
pub(super) struct S3Import {
    #[model(required, force_new)]
    pub bucket_name: String,
    #[model(optional, force_new)]
    pub bucket_prefix: Option<String>,
    #[model(required, force_new)]
    pub ingestion_role: String,
    #[model(required, force_new)]
    pub source_engine: String,
    #[model(required, force_new)]
    pub source_engine_version: String,
}

impl Instance {
    /// The identifier of an instance in state (an import stub has only `identifier`; an older
    /// one may have only `id`), lowercase.
    pub fn identifier_or_id(&self) -> String {
        self.identifier.as_deref().or(self.id.as_deref()).unwrap_or_default().to_lowercase()
    }

    /// The master password to send: `password`, or the write-only `password_wo` (which is in
    /// the plan only when it is to be sent: see `customize_plan`).
    pub fn master_password(&self) -> Option<String> {
        self.password.clone().or_else(|| self.password_wo.clone())
    }

    /// The arguments whose values hashicorp/aws restricts, with their values and the values
    /// it accepts.
    pub fn restricted(&self) -> [(&'static str, Option<&String>, &'static [&'static str]); 5] {
        [
            ("network_type", self.network_type.as_ref(), &["IPV4", "DUAL"]),
            ("database_insights_mode", self.database_insights_mode.as_ref(), &["standard", "advanced"]),
            ("replica_mode", self.replica_mode.as_ref(), &["open-read-only", "mounted"]),
            (
                "engine_lifecycle_support",
                self.engine_lifecycle_support.as_ref(),
                &["open-source-rds-extended-support", "open-source-rds-extended-support-disabled"],
            ),
            ("storage_type", self.storage_type.as_ref(), &["standard", "gp2", "gp3", "io1", "io2"]),
        ]
    }
}

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
