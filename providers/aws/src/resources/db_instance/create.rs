//! The three ways an instance comes to be: CreateDBInstance, CreateDBInstanceReadReplica
//! (`replicate_source_db`) and RestoreDBInstanceFromDBSnapshot (`snapshot_identifier`).

use crate::errors::sdk_error;
use crate::rds::rds_tags;
use crate::resource::{Ctx, Result};
use crate::val;
use aws_sdk_rds::types::{DatabaseInsightsMode, ReplicaMode, Tag};
use std::collections::BTreeMap;
use terrane_engine::provider::ProviderError;
use terrane_engine::value::Value;

/// How the instance is made.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(super) enum Source {
    New,
    Replica,
    Snapshot,
}

pub(super) fn source(planned: &Value) -> Source {
    if val::string(planned, "replicate_source_db").is_some_and(|s| !s.is_empty()) {
        Source::Replica
    } else if val::string(planned, "snapshot_identifier").is_some_and(|s| !s.is_empty()) {
        Source::Snapshot
    } else {
        Source::New
    }
}

fn int32(v: &Value, k: &str) -> Option<i32> {
    val::int(v, k).map(|n| n as i32)
}

fn positive(v: &Value, k: &str) -> Option<i32> {
    int32(v, k).filter(|n| *n > 0)
}

fn tag_list(tags: &BTreeMap<String, String>) -> Option<Vec<Tag>> {
    (!tags.is_empty()).then(|| rds_tags(tags))
}

fn list(v: &Value, k: &str) -> Option<Vec<String>> {
    let items = val::strings(v, k);
    (!items.is_empty()).then_some(items)
}

/// The Performance Insights settings as CreateDBInstance takes them (retention and key only
/// with Performance Insights on, as RDS requires).
fn insights(planned: &Value) -> (bool, Option<String>, Option<i32>) {
    let on = val::boolean(planned, "performance_insights_enabled").unwrap_or(false);
    if !on {
        return (false, None, None);
    }
    (
        true,
        val::nonempty(planned, "performance_insights_kms_key_id"),
        int32(planned, "performance_insights_retention_period"),
    )
}

/// The monitoring interval, and its role only with an interval (RDS refuses a role alone).
fn monitoring(planned: &Value) -> (Option<i32>, Option<String>) {
    match positive(planned, "monitoring_interval") {
        Some(n) => (Some(n), val::nonempty(planned, "monitoring_role_arn")),
        None => (None, None),
    }
}

fn insights_mode(planned: &Value) -> Option<DatabaseInsightsMode> {
    val::nonempty(planned, "database_insights_mode").map(|m| DatabaseInsightsMode::from(m.as_str()))
}

/// The arguments CreateDBInstance, CreateDBInstanceReadReplica and
/// RestoreDBInstanceFromDBSnapshot all take, set on any of their request builders (three SDK
/// types with the same setter names).
macro_rules! every_create {
    ($req:expr, $planned:expr, $tags:expr) => {{
        let planned = $planned;
        $req.db_instance_class(val::string(planned, "instance_class").unwrap_or_default())
            .set_storage_type(val::string(planned, "storage_type"))
            .set_iops(positive(planned, "iops"))
            .set_storage_throughput(positive(planned, "storage_throughput"))
            .set_dedicated_log_volume(val::boolean(planned, "dedicated_log_volume").filter(|d| *d))
            .set_port(int32(planned, "port"))
            .set_availability_zone(val::string(planned, "availability_zone"))
            .set_db_subnet_group_name(val::string(planned, "db_subnet_group_name"))
            .set_vpc_security_group_ids(list(planned, "vpc_security_group_ids"))
            .set_db_parameter_group_name(val::string(planned, "parameter_group_name"))
            .set_option_group_name(val::nonempty(planned, "option_group_name"))
            .set_multi_az(val::boolean(planned, "multi_az"))
            .publicly_accessible(val::boolean(planned, "publicly_accessible").unwrap_or(false))
            .auto_minor_version_upgrade(val::boolean(planned, "auto_minor_version_upgrade").unwrap_or(true))
            .deletion_protection(val::boolean(planned, "deletion_protection").unwrap_or(false))
            .copy_tags_to_snapshot(val::boolean(planned, "copy_tags_to_snapshot").unwrap_or(false))
            .set_enable_iam_database_authentication(val::boolean(planned, "iam_database_authentication_enabled"))
            .set_enable_cloudwatch_logs_exports(list(planned, "enabled_cloudwatch_logs_exports"))
            .set_ca_certificate_identifier(val::nonempty(planned, "ca_cert_identifier"))
            .set_network_type(val::nonempty(planned, "network_type"))
            .set_tags(tag_list($tags))
    }};
}

/// What CreateDBInstance and CreateDBInstanceReadReplica also take (a restore gets it from a
/// ModifyDBInstance afterwards): storage autoscaling, encryption key, Performance Insights,
/// Database Insights and Enhanced Monitoring.
macro_rules! new_instance {
    ($req:expr, $planned:expr) => {{
        let planned = $planned;
        let (pi, pi_key, pi_retention) = insights(planned);
        let (interval, role) = monitoring(planned);
        $req.set_max_allocated_storage(positive(planned, "max_allocated_storage"))
            .set_kms_key_id(val::string(planned, "kms_key_id"))
            .enable_performance_insights(pi)
            .set_performance_insights_kms_key_id(pi_key)
            .set_performance_insights_retention_period(pi_retention)
            .set_database_insights_mode(insights_mode(planned))
            .set_monitoring_interval(interval)
            .set_monitoring_role_arn(role)
    }};
}

/// CreateDBInstance with every argument it takes.
pub(super) async fn create_new(
    c: &Ctx<'_>,
    identifier: &str,
    planned: &Value,
    password: Option<String>,
    tags: &BTreeMap<String, String>,
) -> Result<()> {
    let what = format!("creating RDS DB instance {identifier}");
    let managed = val::boolean(planned, "manage_master_user_password").unwrap_or(false);
    let req = c
        .clients
        .rds
        .create_db_instance()
        .db_instance_identifier(identifier)
        .set_engine(val::string(planned, "engine"))
        .set_engine_version(val::string(planned, "engine_version"))
        .set_allocated_storage(int32(planned, "allocated_storage"))
        .set_master_username(val::string(planned, "username"))
        .set_master_user_password(password)
        .set_manage_master_user_password(managed.then_some(true))
        .set_master_user_secret_kms_key_id(val::nonempty(planned, "master_user_secret_kms_key_id").filter(|_| managed))
        .set_db_name(val::string(planned, "db_name"))
        // As the Terraform provider: an unset retention period is sent as 0 (no backups).
        .backup_retention_period(int32(planned, "backup_retention_period").unwrap_or(0))
        .set_preferred_backup_window(val::string(planned, "backup_window"))
        .set_preferred_maintenance_window(val::string(planned, "maintenance_window"))
        .storage_encrypted(val::boolean(planned, "storage_encrypted").unwrap_or(false))
        .set_license_model(val::nonempty(planned, "license_model"))
        .set_engine_lifecycle_support(val::nonempty(planned, "engine_lifecycle_support"))
        .set_character_set_name(val::nonempty(planned, "character_set_name"))
        .set_nchar_character_set_name(val::nonempty(planned, "nchar_character_set_name"))
        .set_timezone(val::nonempty(planned, "timezone"));
    new_instance!(every_create!(req, planned, tags), planned).send().await.map(drop).map_err(|e| sdk_error(&what, e))
}

/// CreateDBInstanceReadReplica. The replica takes its engine, version, user, password and
/// storage size from its source; what the call does not take (backup and maintenance
/// settings) is set by a ModifyDBInstance afterwards.
pub(super) async fn create_replica(
    c: &Ctx<'_>,
    identifier: &str,
    planned: &Value,
    tags: &BTreeMap<String, String>,
) -> Result<()> {
    let source = val::string(planned, "replicate_source_db").unwrap_or_default();
    let what = format!("creating RDS DB instance {identifier} (read replica of {source})");
    // A source in another region is named by its ARN; the call is made in this region.
    let req = c
        .clients
        .rds
        .create_db_instance_read_replica()
        .db_instance_identifier(identifier)
        .source_db_instance_identifier(&source)
        .set_upgrade_storage_config(val::boolean(planned, "upgrade_storage_config"))
        .set_replica_mode(val::nonempty(planned, "replica_mode").map(|m| ReplicaMode::from(m.as_str())));
    new_instance!(every_create!(req, planned, tags), planned).send().await.map(drop).map_err(|e| sdk_error(&what, e))
}

/// RestoreDBInstanceFromDBSnapshot. What the call does not take (the password, monitoring,
/// Performance Insights, storage autoscaling, the maintenance window) is set by a
/// ModifyDBInstance afterwards.
pub(super) async fn restore_snapshot(
    c: &Ctx<'_>,
    identifier: &str,
    planned: &Value,
    tags: &BTreeMap<String, String>,
) -> Result<()> {
    let snapshot = val::string(planned, "snapshot_identifier").unwrap_or_default();
    let what = format!("creating RDS DB instance {identifier} (restore from snapshot {snapshot})");
    let engine = val::string(planned, "engine").map(|e| e.to_lowercase());
    // RDS ignores (MySQL, MariaDB) or refuses (PostgreSQL) a database name on restore: the
    // snapshot has its own.
    let db_name = val::string(planned, "db_name")
        .filter(|_| !matches!(engine.as_deref(), Some("mysql" | "mariadb" | "postgres") | None));
    let managed = val::boolean(planned, "manage_master_user_password").unwrap_or(false);
    let req = c
        .clients
        .rds
        .restore_db_instance_from_db_snapshot()
        .db_instance_identifier(identifier)
        .db_snapshot_identifier(&snapshot)
        .set_engine(engine)
        .set_db_name(db_name)
        .set_allocated_storage(int32(planned, "allocated_storage"))
        .set_manage_master_user_password(managed.then_some(true))
        .set_master_user_secret_kms_key_id(val::nonempty(planned, "master_user_secret_kms_key_id").filter(|_| managed))
        .set_backup_retention_period(int32(planned, "backup_retention_period"))
        .set_preferred_backup_window(val::string(planned, "backup_window"))
        .set_license_model(val::nonempty(planned, "license_model"))
        .set_engine_lifecycle_support(val::nonempty(planned, "engine_lifecycle_support"));
    every_create!(req, planned, tags).send().await.map(drop).map_err(|e| sdk_error(&what, e))
}

/// The error for a create that lacks what CreateDBInstance needs.
pub(super) fn required(what: &str, k: &str) -> ProviderError {
    ProviderError::new(format!("{what}: \"{k}\": required field is not set"))
}
