//! An instance as DescribeDBInstances shows it, in hashicorp/aws's shape.

use super::schema::{Instance, Listener, Secret};
use crate::model::{Object, Tags};
use crate::plan::engine_version;
use aws_sdk_rds::types::DbInstance;

/// The instance `db` as state holds it. `cur` is the prior value (or the plan): the arguments
/// the API does not return are kept as configured (the passwords above all). `password_wo` is
/// write-only, so it is never among them: it is always null in state.
pub(super) fn build(db: &DbInstance, cur: &Instance, tags: Tags) -> Instance {
    let endpoint = db.endpoint();
    let address = endpoint.and_then(|e| e.address());
    let port = endpoint.and_then(|e| e.port()).or(db.db_instance_port());
    let sgs = db.vpc_security_groups().iter().filter_map(|g| g.vpc_security_group_id().map(str::to_string));
    let secret = db.master_user_secret();
    let identifier = db.db_instance_identifier().unwrap_or_default();
    let cur = cur.clone();
    Instance {
        // Terraform AWS provider >= 5.0: `id` is the DBI resource ID.
        id: text(db.dbi_resource_id()),
        resource_id: text(db.dbi_resource_id()),
        identifier: text(db.db_instance_identifier()),
        identifier_prefix: crate::resource::prefix_of(cur.identifier_prefix.as_deref(), identifier),
        arn: text(db.db_instance_arn()),
        engine: text(db.engine()),
        engine_version: engine_version(cur.engine_version.clone(), db.engine_version()).as_str().map(str::to_string),
        engine_version_actual: text(db.engine_version()),
        instance_class: db.db_instance_class().unwrap_or_default().to_string(),
        allocated_storage: db.allocated_storage().map(i64::from),
        max_allocated_storage: max_allocated_storage(db),
        storage_type: text(db.storage_type()),
        iops: db.iops().map(i64::from),
        storage_throughput: db.storage_throughput().map(i64::from),
        dedicated_log_volume: db.dedicated_log_volume().unwrap_or(false),
        username: text(db.master_username()),
        db_name: text(db.db_name()),
        port: port.map(i64::from),
        db_subnet_group_name: text(db.db_subnet_group().and_then(|g| g.db_subnet_group_name())),
        vpc_security_group_ids: Some(sgs.collect()),
        parameter_group_name: text(db.db_parameter_groups().first().and_then(|g| g.db_parameter_group_name())),
        option_group_name: text(db.option_group_memberships().first().and_then(|g| g.option_group_name())),
        multi_az: db.multi_az(),
        publicly_accessible: db.publicly_accessible().unwrap_or(false),
        backup_retention_period: db.backup_retention_period().map(i64::from),
        backup_window: text(db.preferred_backup_window()),
        maintenance_window: text(db.preferred_maintenance_window()),
        availability_zone: text(db.availability_zone()),
        auto_minor_version_upgrade: db.auto_minor_version_upgrade().unwrap_or(true),
        deletion_protection: db.deletion_protection().unwrap_or(false),
        storage_encrypted: db.storage_encrypted().unwrap_or(false),
        kms_key_id: text(db.kms_key_id()),
        // The master password: managed in Secrets Manager (then the secret is shown).
        manage_master_user_password: managed(secret.is_some(), cur.manage_master_user_password),
        master_user_secret: Some(
            secret
                .map(|s| {
                    Object(Secret {
                        kms_key_id: text(s.kms_key_id()),
                        secret_arn: text(s.secret_arn()),
                        secret_status: text(s.secret_status()),
                    })
                })
                .into_iter()
                .collect(),
        ),
        iam_database_authentication_enabled: db.iam_database_authentication_enabled(),
        performance_insights_enabled: db.performance_insights_enabled().unwrap_or(false),
        performance_insights_kms_key_id: text(db.performance_insights_kms_key_id()),
        performance_insights_retention_period: db.performance_insights_retention_period().map(i64::from),
        database_insights_mode: text(db.database_insights_mode().map(|m| m.as_str())),
        monitoring_interval: i64::from(db.monitoring_interval().unwrap_or(0)),
        monitoring_role_arn: text(db.monitoring_role_arn()),
        enabled_cloudwatch_logs_exports: logs_exports(db),
        ca_cert_identifier: text(db.ca_certificate_identifier()),
        license_model: text(db.license_model()),
        network_type: text(db.network_type()),
        engine_lifecycle_support: text(db.engine_lifecycle_support()),
        character_set_name: text(db.character_set_name()),
        nchar_character_set_name: text(db.nchar_character_set_name()),
        timezone: text(db.timezone()),
        copy_tags_to_snapshot: db.copy_tags_to_snapshot().unwrap_or(false),
        latest_restorable_time: db.latest_restorable_time().map(crate::val::rfc3339),
        listener_endpoint: Some(listener_endpoint(db)),
        replicate_source_db: text(db.read_replica_source_db_instance_identifier()),
        replica_mode: text(db.replica_mode().map(|m| m.as_str())),
        replicas: Some(db.read_replica_db_instance_identifiers().to_vec()),
        backup_target: text(db.backup_target()),
        custom_iam_instance_profile: text(db.custom_iam_instance_profile()),
        customer_owned_ip_enabled: db.customer_owned_ip_enabled(),
        address: text(address),
        endpoint: match (address, port) {
            (Some(a), Some(p)) => Some(format!("{a}:{p}")),
            _ => None,
        },
        hosted_zone_id: text(endpoint.and_then(|e| e.hosted_zone_id())),
        status: text(db.db_instance_status()),
        tags,
        // Arguments the API does not return: kept as configured.
        password: cur.password,
        password_wo: None,
        password_wo_version: cur.password_wo_version,
        // hashicorp/aws does not read it back either (the key is in `master_user_secret`).
        master_user_secret_kms_key_id: cur.master_user_secret_kms_key_id,
        final_snapshot_identifier: cur.final_snapshot_identifier,
        allow_major_version_upgrade: cur.allow_major_version_upgrade,
        snapshot_identifier: cur.snapshot_identifier,
        upgrade_storage_config: cur.upgrade_storage_config,
        blue_green_update: cur.blue_green_update,
        restore_to_point_in_time: cur.restore_to_point_in_time,
        s3_import: cur.s3_import,
        timeouts: cur.timeouts,
        // Used on delete only; hashicorp/aws keeps them as configured, with their defaults.
        skip_final_snapshot: cur.skip_final_snapshot,
        apply_immediately: cur.apply_immediately,
        delete_automated_backups: cur.delete_automated_backups,
        // Refused, and not read back (DescribeDBInstances shows a domain membership only).
        domain: None,
        domain_auth_secret_arn: None,
        domain_dns_ips: None,
        domain_fqdn: None,
        domain_iam_role_name: None,
        domain_ou: None,
    }
}

/// Whether RDS manages the master password: `true` with a secret; without one, `false` if so
/// configured, else unset (as hashicorp/aws records it).
fn managed(secret: bool, configured: Option<bool>) -> Option<bool> {
    match (secret, configured) {
        (true, _) => Some(true),
        (false, Some(false)) => Some(false),
        _ => None,
    }
}

/// Storage autoscaling's ceiling; RDS reports it only when autoscaling is on (moto reports the
/// allocated storage when it is off, which means the same: no autoscaling).
fn max_allocated_storage(db: &DbInstance) -> Option<i64> {
    match db.max_allocated_storage() {
        Some(m) if Some(m) != db.allocated_storage() => Some(i64::from(m)),
        _ => None,
    }
}

fn logs_exports(db: &DbInstance) -> Option<std::collections::BTreeSet<String>> {
    let logs = db.enabled_cloudwatch_logs_exports();
    (!logs.is_empty()).then(|| logs.iter().cloned().collect())
}

fn listener_endpoint(db: &DbInstance) -> Vec<Object<Listener>> {
    db.listener_endpoint()
        .map(|e| {
            Object(Listener {
                address: text(e.address()),
                hosted_zone_id: text(e.hosted_zone_id()),
                port: e.port().map(i64::from),
            })
        })
        .into_iter()
        .collect()
}

fn text(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}
