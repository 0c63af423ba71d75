//! ModifyDBInstance from the difference between two values of an instance: the prior state
//! and the plan in an update; what a restore or a replica came up as and the configuration
//! right after such a create (arguments those calls do not take).

use super::create::int32;
use super::schema::Instance;
use aws_sdk_rds::operation::modify_db_instance::builders::ModifyDBInstanceFluentBuilder as Modify;
use aws_sdk_rds::types::{CloudwatchLogsExportConfiguration, DatabaseInsightsMode, ReplicaMode};
use terrane_engine::value::Value;

/// What to compare.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Pass {
    /// An update: every change, to a value or back to unset.
    Update,
    /// Right after a restore from a snapshot: what is configured and differs.
    AfterRestore,
    /// Right after creating a read replica: the same, but for the storage size, which a
    /// replica takes from its source and may not change in its first six hours.
    AfterReplica,
}

/// Provisioned IOPS, if any (hashicorp/aws's states record none as 0, which RDS refuses).
fn iops_of(v: &Instance) -> Option<i32> {
    int32(v.iops).filter(|n| *n > 0)
}

/// Adds to `req` every argument that differs between `prior` and `planned`; whether any did.
/// `raw` is the planned value `planned` was read from: an attribute not known yet there (which
/// the model reads as unset) is not a change.
pub(super) fn add_changes(
    mut req: Modify,
    prior: &Instance,
    planned: &Instance,
    raw: &Value,
    pass: Pass,
) -> (Modify, bool) {
    let mut any = false;
    let mut on = |k: &str, differs: bool| {
        let v = raw.get_attr(k);
        let known = v.is_none_or(|v| !v.is_unknown());
        let configured = v.is_some_and(|v| !v.is_null());
        let ch = differs && known && (pass == Pass::Update || configured);
        any |= ch;
        ch
    };
    macro_rules! on {
        ($k:ident) => {
            on(stringify!($k), prior.$k != planned.$k)
        };
    }
    let storage = pass != Pass::AfterReplica && on!(allocated_storage);
    let iops = on!(iops);
    if storage || iops {
        // As hashicorp/aws: the size and the provisioned IOPS go together.
        req = req.set_allocated_storage(int32(planned.allocated_storage)).set_iops(iops_of(planned));
    }
    if on!(storage_throughput) {
        req = req.set_storage_throughput(int32(planned.storage_throughput)).set_iops(iops_of(planned));
    }
    if on!(storage_type) {
        req = req.set_storage_type(planned.storage_type.clone());
        if matches!(planned.storage_type.as_deref(), Some("io1" | "io2" | "gp3")) {
            req = req.set_iops(iops_of(planned));
        }
    }
    if on!(max_allocated_storage) {
        // Unset (or 0) turns storage autoscaling off: RDS takes that as a ceiling equal to
        // the allocated storage.
        let max = int32(planned.max_allocated_storage).filter(|m| *m > 0);
        req = req.set_max_allocated_storage(max.or(int32(planned.allocated_storage)));
    }
    if on!(dedicated_log_volume) {
        req = req.dedicated_log_volume(planned.dedicated_log_volume);
    }
    if on!(instance_class) {
        req = req.db_instance_class(&planned.instance_class);
    }
    if on!(engine_version) {
        req = req
            .set_engine_version(planned.engine_version.clone())
            .set_allow_major_version_upgrade(planned.allow_major_version_upgrade);
    }
    if on!(port) {
        req = req.set_db_port_number(int32(planned.port));
    }
    if on!(db_subnet_group_name) {
        req = req.set_db_subnet_group_name(planned.db_subnet_group_name.clone());
    }
    if on!(vpc_security_group_ids) {
        let ids = planned.vpc_security_group_ids.iter().flatten().cloned().collect();
        req = req.set_vpc_security_group_ids(Some(ids));
    }
    if on!(parameter_group_name) {
        req = req.set_db_parameter_group_name(planned.parameter_group_name.clone());
    }
    if on!(option_group_name) {
        req = req.set_option_group_name(planned.option_group_name.clone());
    }
    if on!(multi_az) {
        req = req.set_multi_az(planned.multi_az);
    }
    if on!(publicly_accessible) {
        req = req.publicly_accessible(planned.publicly_accessible);
    }
    if on!(backup_retention_period) {
        req = req.set_backup_retention_period(int32(planned.backup_retention_period));
    }
    if on!(backup_window) {
        req = req.set_preferred_backup_window(planned.backup_window.clone());
    }
    if on!(maintenance_window) {
        req = req.set_preferred_maintenance_window(planned.maintenance_window.clone());
    }
    if on!(auto_minor_version_upgrade) {
        req = req.auto_minor_version_upgrade(planned.auto_minor_version_upgrade);
    }
    if on!(deletion_protection) {
        req = req.deletion_protection(planned.deletion_protection);
    }
    if on!(copy_tags_to_snapshot) {
        req = req.copy_tags_to_snapshot(planned.copy_tags_to_snapshot);
    }
    if on!(iam_database_authentication_enabled) {
        req = req.enable_iam_database_authentication(planned.iam_database_authentication_enabled.unwrap_or(false));
    }
    if on!(ca_cert_identifier) {
        req = req.set_ca_certificate_identifier(planned.ca_cert_identifier.clone());
    }
    if on!(license_model) {
        req = req.set_license_model(planned.license_model.clone());
    }
    if on!(network_type) {
        req = req.set_network_type(planned.network_type.clone());
    }
    if on!(replica_mode) {
        req = req.set_replica_mode(planned.replica_mode.as_deref().map(ReplicaMode::from));
    }
    // Monitoring: the interval and the role that publishes the metrics go together.
    let (interval, role) = (on!(monitoring_interval), on!(monitoring_role_arn));
    if interval || role {
        let n = int32(Some(planned.monitoring_interval)).unwrap_or(0);
        req = req.monitoring_interval(n);
        if n > 0 {
            req = req.set_monitoring_role_arn(planned.monitoring_role_arn.clone());
        }
    }
    // Performance Insights: all of its settings go together (and with Database Insights,
    // whose advanced mode needs them).
    let pi = [
        on!(performance_insights_enabled),
        on!(performance_insights_kms_key_id),
        on!(performance_insights_retention_period),
    ]
    .contains(&true);
    let insights = on!(database_insights_mode);
    if pi || insights {
        let enabled = planned.performance_insights_enabled;
        req = req.enable_performance_insights(enabled);
        if enabled {
            req = req
                .set_performance_insights_kms_key_id(planned.performance_insights_kms_key_id.clone())
                .set_performance_insights_retention_period(int32(planned.performance_insights_retention_period));
        }
    }
    if insights {
        req = req.set_database_insights_mode(planned.database_insights_mode.as_deref().map(DatabaseInsightsMode::from));
    }
    if on!(enabled_cloudwatch_logs_exports) {
        let (old, new) = (
            prior.enabled_cloudwatch_logs_exports.clone().unwrap_or_default(),
            planned.enabled_cloudwatch_logs_exports.clone().unwrap_or_default(),
        );
        let config = CloudwatchLogsExportConfiguration::builder()
            .set_enable_log_types(Some(new.difference(&old).cloned().collect()))
            .set_disable_log_types(Some(old.difference(&new).cloned().collect()))
            .build();
        req = req.cloudwatch_logs_export_configuration(config);
    }
    // The master password, managed by RDS in Secrets Manager or not. Turning management
    // off needs a new password (`password` changes with it: the two conflict).
    let (manage, key) = (on!(manage_master_user_password), on!(master_user_secret_kms_key_id));
    let managed = planned.manage_master_user_password.unwrap_or(false);
    if manage || (key && managed) {
        req = req.manage_master_user_password(managed);
        if managed {
            req = req.set_master_user_secret_kms_key_id(planned.master_user_secret_kms_key_id.clone());
        }
    }
    (req, any)
}
