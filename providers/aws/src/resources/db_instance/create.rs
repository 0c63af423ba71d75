//! The three ways an instance comes to be: CreateDBInstance, CreateDBInstanceReadReplica
//! (`replicate_source_db`) and RestoreDBInstanceFromDBSnapshot (`snapshot_identifier`).

use super::schema::Instance;
use crate::errors::sdk_error;
use crate::rds::rds_tags;
use crate::resource::{Ctx, Result};
use aws_sdk_rds::types::{DatabaseInsightsMode, ReplicaMode, Tag};
use std::collections::{BTreeMap, BTreeSet};
use terrane_engine::provider::ProviderError;

/// How the instance is made.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(super) enum Source {
    New,
    Replica,
    Snapshot,
}

pub(super) fn source(planned: &Instance) -> Source {
    if planned.replicate_source_db.as_ref().is_some_and(|s| !s.is_empty()) {
        Source::Replica
    } else if planned.snapshot_identifier.as_ref().is_some_and(|s| !s.is_empty()) {
        Source::Snapshot
    } else {
        Source::New
    }
}

pub(super) fn int32(n: Option<i64>) -> Option<i32> {
    n.map(|n| n as i32)
}

fn positive(n: Option<i64>) -> Option<i32> {
    int32(n).filter(|n| *n > 0)
}

/// A string argument that is set and not empty (hashicorp/aws's `d.GetOk` for strings).
fn nonempty(s: &Option<String>) -> Option<String> {
    s.clone().filter(|s| !s.is_empty())
}

fn tag_list(tags: &BTreeMap<String, String>) -> Option<Vec<Tag>> {
    (!tags.is_empty()).then(|| rds_tags(tags))
}

fn list(items: &Option<BTreeSet<String>>) -> Option<Vec<String>> {
    items.as_ref().filter(|i| !i.is_empty()).map(|i| i.iter().cloned().collect())
}

/// The Performance Insights settings as CreateDBInstance takes them (retention and key only
/// with Performance Insights on, as RDS requires).
fn insights(planned: &Instance) -> (bool, Option<String>, Option<i32>) {
    if !planned.performance_insights_enabled {
        return (false, None, None);
    }
    (true, nonempty(&planned.performance_insights_kms_key_id), int32(planned.performance_insights_retention_period))
}

/// The monitoring interval, and its role only with an interval (RDS refuses a role alone).
fn monitoring(planned: &Instance) -> (Option<i32>, Option<String>) {
    match positive(Some(planned.monitoring_interval)) {
        Some(n) => (Some(n), nonempty(&planned.monitoring_role_arn)),
        None => (None, None),
    }
}

fn insights_mode(planned: &Instance) -> Option<DatabaseInsightsMode> {
    nonempty(&planned.database_insights_mode).map(|m| DatabaseInsightsMode::from(m.as_str()))
}

/// The arguments CreateDBInstance, CreateDBInstanceReadReplica and
/// RestoreDBInstanceFromDBSnapshot all take, set on any of their request builders (three SDK
/// types with the same setter names).
macro_rules! every_create {
    ($req:expr, $planned:expr, $tags:expr) => {{
        let planned: &Instance = $planned;
        $req.db_instance_class(&planned.instance_class)
            .set_storage_type(planned.storage_type.clone())
            .set_iops(positive(planned.iops))
            .set_storage_throughput(positive(planned.storage_throughput))
            .set_dedicated_log_volume(planned.dedicated_log_volume.then_some(true))
            .set_port(int32(planned.port))
            .set_availability_zone(planned.availability_zone.clone())
            .set_db_subnet_group_name(planned.db_subnet_group_name.clone())
            .set_vpc_security_group_ids(list(&planned.vpc_security_group_ids))
            .set_db_parameter_group_name(planned.parameter_group_name.clone())
            .set_option_group_name(nonempty(&planned.option_group_name))
            .set_multi_az(planned.multi_az)
            .publicly_accessible(planned.publicly_accessible)
            .auto_minor_version_upgrade(planned.auto_minor_version_upgrade)
            .deletion_protection(planned.deletion_protection)
            .copy_tags_to_snapshot(planned.copy_tags_to_snapshot)
            .set_enable_iam_database_authentication(planned.iam_database_authentication_enabled)
            .set_enable_cloudwatch_logs_exports(list(&planned.enabled_cloudwatch_logs_exports))
            .set_ca_certificate_identifier(nonempty(&planned.ca_cert_identifier))
            .set_network_type(nonempty(&planned.network_type))
            .set_tags(tag_list($tags))
    }};
}

/// What CreateDBInstance and CreateDBInstanceReadReplica also take (a restore gets it from a
/// ModifyDBInstance afterwards): storage autoscaling, encryption key, Performance Insights,
/// Database Insights and Enhanced Monitoring.
macro_rules! new_instance {
    ($req:expr, $planned:expr) => {{
        let planned: &Instance = $planned;
        let (pi, pi_key, pi_retention) = insights(planned);
        let (interval, role) = monitoring(planned);
        $req.set_max_allocated_storage(positive(planned.max_allocated_storage))
            .set_kms_key_id(planned.kms_key_id.clone())
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
    planned: &Instance,
    password: Option<String>,
    tags: &BTreeMap<String, String>,
) -> Result<()> {
    let what = format!("creating RDS DB instance {identifier}");
    let managed = planned.manage_master_user_password.unwrap_or(false);
    let req = c
        .clients
        .rds
        .create_db_instance()
        .db_instance_identifier(identifier)
        .set_engine(planned.engine.clone())
        .set_engine_version(planned.engine_version.clone())
        .set_allocated_storage(int32(planned.allocated_storage))
        .set_master_username(planned.username.clone())
        .set_master_user_password(password)
        .set_manage_master_user_password(managed.then_some(true))
        .set_master_user_secret_kms_key_id(nonempty(&planned.master_user_secret_kms_key_id).filter(|_| managed))
        .set_db_name(planned.db_name.clone())
        // As the Terraform provider: an unset retention period is sent as 0 (no backups).
        .backup_retention_period(int32(planned.backup_retention_period).unwrap_or(0))
        .set_preferred_backup_window(planned.backup_window.clone())
        .set_preferred_maintenance_window(planned.maintenance_window.clone())
        .storage_encrypted(planned.storage_encrypted)
        .set_license_model(nonempty(&planned.license_model))
        .set_engine_lifecycle_support(nonempty(&planned.engine_lifecycle_support))
        .set_character_set_name(nonempty(&planned.character_set_name))
        .set_nchar_character_set_name(nonempty(&planned.nchar_character_set_name))
        .set_timezone(nonempty(&planned.timezone));
    new_instance!(every_create!(req, planned, tags), planned).send().await.map(drop).map_err(|e| sdk_error(&what, e))
}

/// CreateDBInstanceReadReplica. The replica takes its engine, version, user, password and
/// storage size from its source; what the call does not take (backup and maintenance
/// settings) is set by a ModifyDBInstance afterwards.
pub(super) async fn create_replica(
    c: &Ctx<'_>,
    identifier: &str,
    planned: &Instance,
    tags: &BTreeMap<String, String>,
) -> Result<()> {
    let source = planned.replicate_source_db.clone().unwrap_or_default();
    let what = format!("creating RDS DB instance {identifier} (read replica of {source})");
    // A source in another region is named by its ARN; the call is made in this region.
    let req = c
        .clients
        .rds
        .create_db_instance_read_replica()
        .db_instance_identifier(identifier)
        .source_db_instance_identifier(&source)
        .set_upgrade_storage_config(planned.upgrade_storage_config)
        .set_replica_mode(nonempty(&planned.replica_mode).map(|m| ReplicaMode::from(m.as_str())));
    new_instance!(every_create!(req, planned, tags), planned).send().await.map(drop).map_err(|e| sdk_error(&what, e))
}

/// RestoreDBInstanceFromDBSnapshot. What the call does not take (the password, monitoring,
/// Performance Insights, storage autoscaling, the maintenance window) is set by a
/// ModifyDBInstance afterwards.
pub(super) async fn restore_snapshot(
    c: &Ctx<'_>,
    identifier: &str,
    planned: &Instance,
    tags: &BTreeMap<String, String>,
) -> Result<()> {
    let snapshot = planned.snapshot_identifier.clone().unwrap_or_default();
    let what = format!("creating RDS DB instance {identifier} (restore from snapshot {snapshot})");
    let engine = planned.engine.as_ref().map(|e| e.to_lowercase());
    // RDS ignores (MySQL, MariaDB) or refuses (PostgreSQL) a database name on restore: the
    // snapshot has its own.
    let db_name =
        planned.db_name.clone().filter(|_| !matches!(engine.as_deref(), Some("mysql" | "mariadb" | "postgres") | None));
    let managed = planned.manage_master_user_password.unwrap_or(false);
    let req = c
        .clients
        .rds
        .restore_db_instance_from_db_snapshot()
        .db_instance_identifier(identifier)
        .db_snapshot_identifier(&snapshot)
        .set_engine(engine)
        .set_db_name(db_name)
        .set_allocated_storage(int32(planned.allocated_storage))
        .set_manage_master_user_password(managed.then_some(true))
        .set_master_user_secret_kms_key_id(nonempty(&planned.master_user_secret_kms_key_id).filter(|_| managed))
        .set_backup_retention_period(int32(planned.backup_retention_period))
        .set_preferred_backup_window(planned.backup_window.clone())
        .set_license_model(nonempty(&planned.license_model))
        .set_engine_lifecycle_support(nonempty(&planned.engine_lifecycle_support));
    every_create!(req, planned, tags).send().await.map(drop).map_err(|e| sdk_error(&what, e))
}

/// The error for a create that lacks what CreateDBInstance needs.
pub(super) fn required(what: &str, k: &str) -> ProviderError {
    ProviderError::new(format!("{what}: \"{k}\": required field is not set"))
}
