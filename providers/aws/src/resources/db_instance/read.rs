//! An instance as DescribeDBInstances shows it, in hashicorp/aws's shape.

use super::schema;
use crate::plan::engine_version;
use crate::val::{self, Obj};
use aws_sdk_rds::types::DbInstance;
use terrane_engine::value::{Type, Value};

/// Arguments the API does not return: kept as configured (the passwords above all).
/// `password_wo` is write-only, so it is never among them: it is always null in state.
const KEPT: &[&str] = &[
    "password",
    "password_wo_version",
    // hashicorp/aws does not read it back either (the key is in `master_user_secret`).
    "master_user_secret_kms_key_id",
    "final_snapshot_identifier",
    "allow_major_version_upgrade",
    "snapshot_identifier",
    "upgrade_storage_config",
    "blue_green_update",
    "restore_to_point_in_time",
    "s3_import",
    "timeouts",
];

pub(super) fn build(db: &DbInstance, cur: &Value, tags: Value, tags_all: Value) -> Value {
    let endpoint = db.endpoint();
    let address = endpoint.and_then(|e| e.address());
    let port = endpoint.and_then(|e| e.port()).or(db.db_instance_port());
    let sgs = db.vpc_security_groups().iter().filter_map(|g| g.vpc_security_group_id().map(str::to_string));
    let secret = db.master_user_secret();
    Obj::new(&schema())
        // Terraform AWS provider >= 5.0: `id` is the DBI resource ID.
        .set("id", val::opt_str(db.dbi_resource_id()))
        .set("resource_id", val::opt_str(db.dbi_resource_id()))
        .set("identifier", val::opt_str(db.db_instance_identifier()))
        .set(
            "identifier_prefix",
            crate::resource::prefix_read_back(
                cur,
                "identifier_prefix",
                db.db_instance_identifier().unwrap_or_default(),
            ),
        )
        .set("arn", val::opt_str(db.db_instance_arn()))
        .set("engine", val::opt_str(db.engine()))
        .set("engine_version", engine_version(val::string(cur, "engine_version"), db.engine_version()))
        .set("engine_version_actual", val::opt_str(db.engine_version()))
        .set("instance_class", val::opt_str(db.db_instance_class()))
        .set("allocated_storage", val::opt_num(db.allocated_storage()))
        .set("max_allocated_storage", max_allocated_storage(db))
        .set("storage_type", val::opt_str(db.storage_type()))
        .set("iops", val::opt_int(db.iops()))
        .set("storage_throughput", val::opt_int(db.storage_throughput()))
        .set("dedicated_log_volume", Value::Bool(db.dedicated_log_volume().unwrap_or(false)))
        .set("username", val::opt_str(db.master_username()))
        .set("db_name", val::opt_str(db.db_name()))
        .set("port", val::opt_num(port))
        .set("db_subnet_group_name", val::opt_str(db.db_subnet_group().and_then(|g| g.db_subnet_group_name())))
        .set("vpc_security_group_ids", val::str_set(sgs))
        .set(
            "parameter_group_name",
            val::opt_str(db.db_parameter_groups().first().and_then(|g| g.db_parameter_group_name())),
        )
        .set(
            "option_group_name",
            val::opt_str(db.option_group_memberships().first().and_then(|g| g.option_group_name())),
        )
        .set("multi_az", val::opt_bool(db.multi_az()))
        .set("publicly_accessible", Value::Bool(db.publicly_accessible().unwrap_or(false)))
        .set("backup_retention_period", val::opt_num(db.backup_retention_period()))
        .set("backup_window", val::opt_str(db.preferred_backup_window()))
        .set("maintenance_window", val::opt_str(db.preferred_maintenance_window()))
        .set("availability_zone", val::opt_str(db.availability_zone()))
        .set("auto_minor_version_upgrade", Value::Bool(db.auto_minor_version_upgrade().unwrap_or(true)))
        .set("deletion_protection", Value::Bool(db.deletion_protection().unwrap_or(false)))
        .set("storage_encrypted", Value::Bool(db.storage_encrypted().unwrap_or(false)))
        .set("kms_key_id", val::opt_str(db.kms_key_id()))
        // The master password: managed in Secrets Manager (then the secret is shown).
        .set("manage_master_user_password", managed(secret.is_some(), cur))
        .set(
            "master_user_secret",
            Value::list(
                super::schema::secret_type(),
                secret
                    .map(|s| {
                        Value::object([
                            ("kms_key_id", val::opt_str(s.kms_key_id())),
                            ("secret_arn", val::opt_str(s.secret_arn())),
                            ("secret_status", val::opt_str(s.secret_status())),
                        ])
                    })
                    .into_iter()
                    .collect(),
            ),
        )
        .set("iam_database_authentication_enabled", val::opt_bool(db.iam_database_authentication_enabled()))
        .set("performance_insights_enabled", Value::Bool(db.performance_insights_enabled().unwrap_or(false)))
        .set("performance_insights_kms_key_id", val::opt_str(db.performance_insights_kms_key_id()))
        .set("performance_insights_retention_period", val::opt_int(db.performance_insights_retention_period()))
        .set("database_insights_mode", val::opt_str(db.database_insights_mode().map(|m| m.as_str())))
        .set("monitoring_interval", Value::int(i64::from(db.monitoring_interval().unwrap_or(0))))
        .set("monitoring_role_arn", val::opt_str(db.monitoring_role_arn()))
        .set("enabled_cloudwatch_logs_exports", logs_exports(db))
        .set("ca_cert_identifier", val::opt_str(db.ca_certificate_identifier()))
        .set("license_model", val::opt_str(db.license_model()))
        .set("network_type", val::opt_str(db.network_type()))
        .set("engine_lifecycle_support", val::opt_str(db.engine_lifecycle_support()))
        .set("character_set_name", val::opt_str(db.character_set_name()))
        .set("nchar_character_set_name", val::opt_str(db.nchar_character_set_name()))
        .set("timezone", val::opt_str(db.timezone()))
        .set("copy_tags_to_snapshot", Value::Bool(db.copy_tags_to_snapshot().unwrap_or(false)))
        .set("latest_restorable_time", val::opt_str(db.latest_restorable_time().map(val::rfc3339).as_deref()))
        .set("listener_endpoint", listener_endpoint(db))
        .set("replicate_source_db", val::opt_str(db.read_replica_source_db_instance_identifier()))
        .set("replica_mode", val::opt_str(db.replica_mode().map(|m| m.as_str())))
        .set("replicas", val::strs(db.read_replica_db_instance_identifiers().iter().cloned()))
        .set("backup_target", val::opt_str(db.backup_target()))
        .set("custom_iam_instance_profile", val::opt_str(db.custom_iam_instance_profile()))
        .set("customer_owned_ip_enabled", val::opt_bool(db.customer_owned_ip_enabled()))
        .set("address", val::opt_str(address))
        .set(
            "endpoint",
            match (address, port) {
                (Some(a), Some(p)) => Value::from(format!("{a}:{p}")),
                _ => Value::NULL,
            },
        )
        .set("hosted_zone_id", val::opt_str(endpoint.and_then(|e| e.hosted_zone_id())))
        .set("status", val::opt_str(db.db_instance_status()))
        .set("tags", tags)
        .set("tags_all", tags_all)
        .keep(&cur.clone().unknowns_to_null(), KEPT)
        // Used on delete only; hashicorp/aws keeps them as configured, with their defaults.
        .set("skip_final_snapshot", Value::Bool(val::boolean(cur, "skip_final_snapshot").unwrap_or(false)))
        .set("apply_immediately", Value::Bool(val::boolean(cur, "apply_immediately").unwrap_or(false)))
        .set("delete_automated_backups", Value::Bool(val::boolean(cur, "delete_automated_backups").unwrap_or(true)))
        .build()
}

/// Whether RDS manages the master password: `true` with a secret; without one, `false` if so
/// configured, else unset (as hashicorp/aws records it).
fn managed(secret: bool, cur: &Value) -> Value {
    match (secret, val::boolean(cur, "manage_master_user_password")) {
        (true, _) => Value::Bool(true),
        (false, Some(false)) => Value::Bool(false),
        _ => Value::null(Type::Bool),
    }
}

/// Storage autoscaling's ceiling; RDS reports it only when autoscaling is on (moto reports the
/// allocated storage when it is off, which means the same: no autoscaling).
fn max_allocated_storage(db: &DbInstance) -> Value {
    match db.max_allocated_storage() {
        Some(m) if Some(m) != db.allocated_storage() => Value::int(i64::from(m)),
        _ => Value::null(Type::Number),
    }
}

fn logs_exports(db: &DbInstance) -> Value {
    let logs = db.enabled_cloudwatch_logs_exports();
    if logs.is_empty() { Value::null(Type::set(Type::String)) } else { val::str_set(logs.iter().cloned()) }
}

fn listener_endpoint(db: &DbInstance) -> Value {
    let items = db
        .listener_endpoint()
        .map(|e| {
            Value::object([
                ("address", val::opt_str(e.address())),
                ("hosted_zone_id", val::opt_str(e.hosted_zone_id())),
                ("port", val::opt_int(e.port())),
            ])
        })
        .into_iter()
        .collect();
    Value::list(super::schema::listener_type(), items)
}
