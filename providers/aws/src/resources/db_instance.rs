//! `aws_db_instance`: an RDS database.
//!
//! `id` follows the Terraform AWS provider 5.x and later: it is the DBI resource ID
//! (`db-ABC...`, the same as `resource_id`); `identifier` is the instance's name, and imports
//! take the identifier (`terraform import aws_db_instance.x mydb`).
//!
//! `password` is sensitive: it is sent on create and when it changes, never read back (the
//! configured value is kept), and scrubbed from every error this file returns.

use crate::delete::wait_gone;
use crate::describe::{PAGE, all_failed};
use crate::errors::{code, describe, is_not_found, sdk_error};
use crate::plan::{engine_version, missing, replan_lowercase};
use crate::rds::{rds_tag_map, rds_tags, rds_update_tags};
use crate::resource::{Ctx, ResourceType, Result, chunks, invalid, with_tags, with_timeouts};
use crate::val::{self, Obj};
use crate::waiter::{Poll, timeout, wait_for};
use async_trait::async_trait;
use aws_sdk_rds::types::{DbInstance, Filter};
use std::collections::HashMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::plan::diff::same;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct RdsInstance;

const CREATE_TIMEOUT: Duration = Duration::from_secs(40 * 60);
const UPDATE_TIMEOUT: Duration = Duration::from_secs(80 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// The most identifiers one `db-instance-id` filter takes.
const FILTER_PAGE: usize = 100;

/// Statuses an instance passes through on its way to `available` (Terraform's list).
const PENDING: &[&str] = &[
    "backing-up",
    "configuring-enhanced-monitoring",
    "configuring-iam-database-auth",
    "configuring-log-exports",
    "converting-to-vpc",
    "creating",
    "maintenance",
    "modifying",
    "moving-to-vpc",
    "rebooting",
    "renaming",
    "resetting-master-credentials",
    "starting",
    "stopping",
    "storage-config-upgrade",
    "upgrading",
];

fn schema() -> Schema {
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
        .attr("status", Attribute::computed(Type::String));
    with_timeouts(with_tags(s), &["create", "update", "delete"])
}

/// The identifier of an instance in state (an import stub has only `id`, the identifier).
fn identifier_of(v: &Value) -> String {
    val::string(v, "identifier").unwrap_or_else(|| val::id(v)).to_lowercase()
}

/// Removes the password from an error message, whatever produced it.
fn scrub(mut e: ProviderError, password: Option<&str>) -> ProviderError {
    if let Some(p) = password.filter(|p| p.len() >= 3)
        && e.message.contains(p)
    {
        e.message = e.message.replace(p, "(sensitive value)");
    }
    e
}

fn changed(prior: &Value, planned: &Value, k: &str) -> bool {
    let p = prior.get_attr(k).cloned().unwrap_or_default().deep_unmark();
    let n = planned.get_attr(k).cloned().unwrap_or_default().deep_unmark();
    !same(&p, &n) && !n.is_unknown()
}

fn int32(v: &Value, k: &str) -> Option<i32> {
    val::int(v, k).map(|n| n as i32)
}

async fn find(c: &Ctx<'_>, identifier: &str) -> Result<Option<DbInstance>> {
    match c.clients.rds.describe_db_instances().db_instance_identifier(identifier).send().await {
        Ok(o) => Ok(o.db_instances().first().cloned()),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(sdk_error(&format!("reading RDS DB instance {identifier}"), e)),
    }
}

/// Modifications RDS has accepted but not yet applied.
fn has_pending_modifications(db: &DbInstance) -> bool {
    db.pending_modified_values().is_some_and(|p| {
        p.db_instance_class().is_some()
            || p.allocated_storage().is_some()
            || p.master_user_password().is_some()
            || p.port().is_some()
            || p.backup_retention_period().is_some()
            || p.multi_az().is_some()
            || p.engine_version().is_some()
            || p.storage_type().is_some()
            || p.db_subnet_group_name().is_some()
    })
}

/// Waits until the instance is `available` (with `settled`, also without pending
/// modifications, which `apply_immediately` applies right away).
async fn wait_available(c: &Ctx<'_>, identifier: &str, limit: Duration, creating: bool, settled: bool) -> Result<()> {
    wait_for(&format!("RDS DB instance {identifier} to become available"), limit, || async {
        let Some(db) = find(c, identifier).await? else {
            return Ok(if creating { Poll::Pending("not found yet".into()) } else { Poll::Failed("gone".into()) });
        };
        let status = db.db_instance_status().unwrap_or("unknown").to_string();
        Ok(match status.as_str() {
            "available" | "storage-optimization" if settled && has_pending_modifications(&db) => {
                Poll::Pending(format!("{status}, with pending modifications"))
            }
            "available" | "storage-optimization" => Poll::Done(()),
            s if PENDING.contains(&s) => Poll::Pending(status),
            _ => Poll::Failed(status),
        })
    })
    .await
}

impl RdsInstance {
    async fn read_one(&self, c: &Ctx<'_>, identifier: &str, like: &Value) -> Result<Value> {
        let mut stub = like.clone();
        stub.set_at_path(&[PathStep::Attr("identifier".into())], Value::from(identifier));
        self.read_many(c, &[stub])
            .await
            .pop()
            .unwrap_or(Ok(None))?
            .ok_or_else(|| ProviderError::new(format!("RDS DB instance {identifier} is gone")))
    }

    async fn do_create(&self, c: &Ctx<'_>, planned: &Value, password: Option<&str>) -> Result<Value> {
        let identifier = c.name_or_generated(planned, "identifier", "identifier_prefix");
        let what = format!("creating RDS DB instance {identifier}");
        for (k, v) in [
            ("engine", val::string(planned, "engine")),
            ("username", val::string(planned, "username")),
            ("password", password.map(str::to_string)),
        ] {
            if v.is_none() {
                return Err(ProviderError::new(format!("{what}: \"{k}\": required field is not set")));
            }
        }
        if val::int(planned, "allocated_storage").is_none() {
            return Err(ProviderError::new(format!("{what}: \"allocated_storage\": required field is not set")));
        }
        let tags = crate::tags::at_create(c, planned);
        let sgs = val::strings(planned, "vpc_security_group_ids");
        c.clients
            .rds
            .create_db_instance()
            .db_instance_identifier(&identifier)
            .db_instance_class(val::string(planned, "instance_class").unwrap_or_default())
            .set_engine(val::string(planned, "engine"))
            .set_engine_version(val::string(planned, "engine_version"))
            .set_allocated_storage(int32(planned, "allocated_storage"))
            .set_storage_type(val::string(planned, "storage_type"))
            .set_master_username(val::string(planned, "username"))
            .set_master_user_password(password.map(str::to_string))
            .set_db_name(val::string(planned, "db_name"))
            .set_port(int32(planned, "port"))
            .set_db_subnet_group_name(val::string(planned, "db_subnet_group_name"))
            .set_vpc_security_group_ids((!sgs.is_empty()).then_some(sgs))
            .set_db_parameter_group_name(val::string(planned, "parameter_group_name"))
            .set_multi_az(val::boolean(planned, "multi_az"))
            .publicly_accessible(val::boolean(planned, "publicly_accessible").unwrap_or(false))
            // As the Terraform provider: an unset retention period is sent as 0 (no backups).
            .backup_retention_period(int32(planned, "backup_retention_period").unwrap_or(0))
            .set_preferred_backup_window(val::string(planned, "backup_window"))
            .set_preferred_maintenance_window(val::string(planned, "maintenance_window"))
            .set_availability_zone(val::string(planned, "availability_zone"))
            .auto_minor_version_upgrade(val::boolean(planned, "auto_minor_version_upgrade").unwrap_or(true))
            .deletion_protection(val::boolean(planned, "deletion_protection").unwrap_or(false))
            .storage_encrypted(val::boolean(planned, "storage_encrypted").unwrap_or(false))
            .set_kms_key_id(val::string(planned, "kms_key_id"))
            .set_tags((!tags.is_empty()).then(|| rds_tags(&tags)))
            .send()
            .await
            .map_err(|e| sdk_error(&what, e))?;
        let partial = || {
            let mut p = planned.clone();
            p.set_at_path(&[PathStep::Attr("identifier".into())], Value::from(identifier.as_str()));
            p.set_at_path(&[PathStep::Attr("id".into())], Value::from(identifier.as_str()));
            p.unknowns_to_null()
        };
        wait_available(c, &identifier, timeout(planned, "create", CREATE_TIMEOUT), true, false)
            .await
            .map_err(|e| e.with_partial_state(partial()))?;
        self.read_one(c, &identifier, planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    async fn do_update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value, password: Option<&str>) -> Result<Value> {
        let identifier = identifier_of(prior);
        let apply_now = val::boolean(planned, "apply_immediately").unwrap_or(false);
        let mut req =
            c.clients.rds.modify_db_instance().db_instance_identifier(&identifier).apply_immediately(apply_now);
        let mut any = false;
        let mut on = |k: &str| {
            let ch = changed(prior, planned, k);
            any |= ch;
            ch
        };
        if on("instance_class") {
            req = req.set_db_instance_class(val::string(planned, "instance_class"));
        }
        if on("allocated_storage") {
            req = req.set_allocated_storage(int32(planned, "allocated_storage"));
        }
        if on("storage_type") {
            req = req.set_storage_type(val::string(planned, "storage_type"));
        }
        if on("engine_version") {
            req = req
                .set_engine_version(val::string(planned, "engine_version"))
                .set_allow_major_version_upgrade(val::boolean(planned, "allow_major_version_upgrade"));
        }
        if on("password") {
            req = req.set_master_user_password(password.map(str::to_string));
        }
        if on("port") {
            req = req.set_db_port_number(int32(planned, "port"));
        }
        if on("db_subnet_group_name") {
            req = req.set_db_subnet_group_name(val::string(planned, "db_subnet_group_name"));
        }
        if on("vpc_security_group_ids") {
            req = req.set_vpc_security_group_ids(Some(val::strings(planned, "vpc_security_group_ids")));
        }
        if on("parameter_group_name") {
            req = req.set_db_parameter_group_name(val::string(planned, "parameter_group_name"));
        }
        if on("multi_az") {
            req = req.set_multi_az(val::boolean(planned, "multi_az"));
        }
        if on("publicly_accessible") {
            req = req.set_publicly_accessible(val::boolean(planned, "publicly_accessible"));
        }
        if on("backup_retention_period") {
            req = req.set_backup_retention_period(int32(planned, "backup_retention_period"));
        }
        if on("backup_window") {
            req = req.set_preferred_backup_window(val::string(planned, "backup_window"));
        }
        if on("maintenance_window") {
            req = req.set_preferred_maintenance_window(val::string(planned, "maintenance_window"));
        }
        if on("auto_minor_version_upgrade") {
            req = req.set_auto_minor_version_upgrade(val::boolean(planned, "auto_minor_version_upgrade"));
        }
        if on("deletion_protection") {
            req = req.set_deletion_protection(val::boolean(planned, "deletion_protection"));
        }
        if any {
            req.send().await.map_err(|e| sdk_error(&format!("updating RDS DB instance {identifier}"), e))?;
            wait_available(c, &identifier, timeout(planned, "update", UPDATE_TIMEOUT), false, apply_now).await?;
        }
        let arn = val::string(prior, "arn").unwrap_or_default();
        rds_update_tags(c, &arn, &val::string_map(prior, "tags_all"), &crate::tags::wanted(planned)).await?;
        self.read_one(c, &identifier, planned).await
    }
}

fn build(db: &DbInstance, cur: &Value, tags: Value, tags_all: Value) -> Value {
    let endpoint = db.endpoint();
    let address = endpoint.and_then(|e| e.address());
    let port = endpoint.and_then(|e| e.port()).or(db.db_instance_port());
    let sgs = db.vpc_security_groups().iter().filter_map(|g| g.vpc_security_group_id().map(str::to_string));
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
        .set("storage_type", val::opt_str(db.storage_type()))
        .set("username", val::opt_str(db.master_username()))
        .set("db_name", val::opt_str(db.db_name()))
        .set("port", val::opt_num(port))
        .set("db_subnet_group_name", val::opt_str(db.db_subnet_group().and_then(|g| g.db_subnet_group_name())))
        .set("vpc_security_group_ids", val::str_set(sgs))
        .set(
            "parameter_group_name",
            val::opt_str(db.db_parameter_groups().first().and_then(|g| g.db_parameter_group_name())),
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
        // Not returned by the API: kept as configured (the password above all).
        .keep(cur, &["password", "final_snapshot_identifier", "allow_major_version_upgrade", "timeouts"])
        .set("skip_final_snapshot", Value::Bool(val::boolean(cur, "skip_final_snapshot").unwrap_or(false)))
        .set("apply_immediately", Value::Bool(val::boolean(cur, "apply_immediately").unwrap_or(false)))
        .build()
}

#[async_trait]
impl ResourceType for RdsInstance {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::Rds)
    }

    fn name(&self) -> &'static str {
        "aws_db_instance"
    }
    /// hashicorp/aws's schema version: state is stored in that version's shape.
    fn schema_version(&self) -> u64 {
        2
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let set = |k: &str| !missing(config, k);
        if set("identifier") && set("identifier_prefix") {
            out.push(invalid(
                "Conflicting arguments",
                "\"identifier\": conflicts with identifier_prefix; set one of them.",
            ));
        }
        for k in ["identifier", "identifier_prefix"] {
            let Some(id) = val::string(config, k) else { continue };
            let ok = id.starts_with(|ch: char| ch.is_ascii_lowercase())
                && id.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
                && !id.contains("--")
                && (k == "identifier_prefix" || !id.ends_with('-'));
            if !ok {
                out.push(invalid(
                    &format!("Invalid {k}"),
                    format!("{id:?}: only lowercase alphanumeric characters and hyphens allowed in \"{k}\"; it must begin with a letter and contain no two consecutive hyphens"),
                ));
            }
        }
        if let Some(s) = val::string(config, "final_snapshot_identifier")
            && (!s.starts_with(|ch: char| ch.is_ascii_alphabetic())
                || !s.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
                || s.contains("--")
                || s.ends_with('-'))
        {
            out.push(invalid(
                "Invalid final_snapshot_identifier",
                format!("{s:?}: must begin with a letter, contain only alphanumeric characters and hyphens, and not end in a hyphen or contain two consecutive hyphens"),
            ));
        }
        out
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        // RDS stores both in lowercase (Terraform's StateFunc does the same).
        replan_lowercase(&schema(), prior, config, plan, &["engine", "maintenance_window"]);
        let Some(prior) = prior.filter(|_| plan.requires_replace.is_empty()) else { return };
        // What the API derives from a changed argument is known only after the change.
        for (arg, derived) in [("engine_version", "engine_version_actual"), ("port", "endpoint")] {
            if changed(prior, &plan.planned, arg) {
                plan.planned.set_at_path(&[PathStep::Attr(derived.into())], Value::DYNAMIC);
            }
        }
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let password = val::string(planned, "password");
        self.do_create(c, planned, password.as_deref()).await.map_err(|e| scrub(e, password.as_deref()))
    }

    /// Found by its identifier (configured, or made from `identifier_prefix` and the token),
    /// carrying the token tag CreateDBInstance gave it; one still being created is waited
    /// for, as the create would.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let identifier = c.name_or_generated(planned, "identifier", "identifier_prefix").to_lowercase();
        let mut stub = crate::resource::with_id(planned, &identifier);
        stub.set_at_path(&[PathStep::Attr("identifier".into())], Value::from(identifier.as_str()));
        if crate::resource::find_named(self, c, stub, true).await?.is_none() {
            return Ok(None);
        }
        wait_available(c, &identifier, timeout(planned, "create", CREATE_TIMEOUT), true, false).await?;
        Ok(Some(self.read_one(c, &identifier, planned).await?))
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let ids: Vec<String> = current.iter().map(identifier_of).collect();
        let mut found: HashMap<String, DbInstance> = HashMap::new();
        for page in chunks(&ids, FILTER_PAGE) {
            let filter = Filter::builder().name("db-instance-id").set_values(Some(page)).build();
            let req = c.clients.rds.describe_db_instances().filters(filter).max_records(PAGE);
            let listed = match req.into_paginator().items().send().try_collect().await {
                Ok(l) => l,
                Err(e) => {
                    return all_failed(current.len(), &ProviderError::new(describe("reading RDS DB instances", &e)));
                }
            };
            for db in listed {
                if let Some(id) = db.db_instance_identifier() {
                    found.insert(id.to_lowercase(), db);
                }
            }
        }
        current
            .iter()
            .zip(&ids)
            .map(|(cur, id)| {
                let Some(db) = found.get(id) else { return Ok(None) };
                let (tags, tags_all) = crate::tags::read_back(&rds_tag_map(db.tag_list()), c.default_tags(), cur);
                Ok(Some(build(db, cur, tags, tags_all)))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let password = val::string(planned, "password");
        let old = val::string(prior, "password");
        self.do_update(c, prior, planned, password.as_deref())
            .await
            .map_err(|e| scrub(scrub(e, password.as_deref()), old.as_deref()))
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let identifier = identifier_of(prior);
        let protected = || {
            ProviderError::new(format!(
                "cannot delete RDS DB instance {identifier}: deletion_protection is enabled. Set deletion_protection = false and apply that change first, then destroy the instance."
            ))
        };
        if val::boolean(prior, "deletion_protection") == Some(true) {
            return Err(protected());
        }
        let skip = val::boolean(prior, "skip_final_snapshot").unwrap_or(false);
        let final_snapshot = val::string(prior, "final_snapshot_identifier");
        if !skip && final_snapshot.is_none() {
            return Err(ProviderError::new(format!(
                "deleting RDS DB instance {identifier}: final_snapshot_identifier is required when skip_final_snapshot is false. Set final_snapshot_identifier (or skip_final_snapshot = true) and apply that change first, then destroy the instance."
            )));
        }
        let req = c
            .clients
            .rds
            .delete_db_instance()
            .db_instance_identifier(&identifier)
            .skip_final_snapshot(skip)
            .set_final_db_snapshot_identifier(if skip { None } else { final_snapshot })
            .delete_automated_backups(true);
        match req.send().await {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => return Ok(()),
            Err(e)
                if code(&e) == Some("InvalidDBInstanceState") && describe("", &e).contains("already being deleted") => {
            }
            Err(e) if describe("", &e).to_lowercase().contains("deletion protection") => return Err(protected()),
            Err(e) => return Err(sdk_error(&format!("deleting RDS DB instance {identifier}"), e)),
        }
        wait_gone(
            &format!("RDS DB instance {identifier} to be deleted"),
            timeout(prior, "delete", DELETE_TIMEOUT),
            || async {
                Ok(find(c, &identifier).await?.map(|db| db.db_instance_status().unwrap_or("unknown").to_string()))
            },
        )
        .await
    }

    async fn import(&self, c: &Ctx<'_>, id: &str) -> Result<Option<Value>> {
        let stub = Value::object([("identifier", Value::from(id))]);
        self.read_many(c, &[stub]).await.pop().unwrap_or(Ok(None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_is_scrubbed_from_errors() {
        let e = scrub(ProviderError::new("bad request: MasterUserPassword=hunter22 is invalid"), Some("hunter22"));
        assert!(!e.message.contains("hunter22"));
        assert!(e.message.contains("(sensitive value)"));
    }

    #[test]
    fn identifiers_are_validated() {
        let bad = RdsInstance.validate(&Value::object([("identifier", Value::from("Main-DB"))]));
        assert_eq!(bad.len(), 1);
        assert!(RdsInstance.validate(&Value::object([("identifier", Value::from("main-db"))])).is_empty());
        let both = Value::object([("identifier", Value::from("a")), ("identifier_prefix", Value::from("b-"))]);
        assert_eq!(RdsInstance.validate(&both).len(), 1);
    }

    #[test]
    fn engine_case_does_not_replace() {
        let prior = Obj::new(&schema())
            .set("id", "db-1")
            .set("engine", "mysql")
            .set("instance_class", "db.t3.micro")
            .set("publicly_accessible", false)
            .set("auto_minor_version_upgrade", true)
            .set("deletion_protection", false)
            .set("skip_final_snapshot", false)
            .set("apply_immediately", false)
            .set("storage_encrypted", false)
            .build();
        let config = Value::object([("engine", Value::from("MySQL")), ("instance_class", Value::from("db.t3.micro"))]);
        let mut plan = terrane_engine::plan::diff::generic_plan(&schema(), Some(&prior), &config);
        RdsInstance.customize_plan(Some(&prior), &config, &mut plan);
        assert!(plan.requires_replace.is_empty(), "{:?}", plan.requires_replace);
    }
}
