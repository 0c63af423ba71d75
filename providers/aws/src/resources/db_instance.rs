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
use crate::plan::{changed, missing, replan_lowercase};
use crate::rds::{rds_tag_map, rds_update_tags};
use crate::resource::{Ctx, Refused, ResourceType, Result, chunks, invalid};
use crate::val;
use crate::waiter::{Poll, timeout, wait_for};
use async_trait::async_trait;
use aws_sdk_rds::types::{DbInstance, Filter};
use std::collections::HashMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

mod create;
mod modify;
mod read;
mod schema;

use modify::Pass;
use schema::{ALLOWED, LOG_TYPES, REFUSED, schema};

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

/// The identifier of an instance in state (an import stub has only `id`, the identifier).
fn identifier_of(v: &Value) -> String {
    val::string(v, "identifier").unwrap_or_else(|| val::id(v)).to_lowercase()
}

/// The master password to send: `password`, or the write-only `password_wo` (which is in
/// the plan only when it is to be sent: see `customize_plan`).
fn master_password(v: &Value) -> Option<String> {
    val::string(v, "password").or_else(|| val::string(v, "password_wo"))
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
            || p.iops().is_some()
            || p.storage_throughput().is_some()
            || p.license_model().is_some()
            || p.ca_certificate_identifier().is_some()
            || p.iam_database_authentication_enabled().is_some()
            || p.dedicated_log_volume().is_some()
            || p.pending_cloudwatch_logs_exports().is_some()
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
        let from = create::source(planned);
        let managed = val::boolean(planned, "manage_master_user_password").unwrap_or(false);
        if from == create::Source::New {
            for k in ["engine", "username"] {
                if val::string(planned, k).is_none() {
                    return Err(create::required(&what, k));
                }
            }
            if password.is_none() && !managed {
                return Err(create::required(&what, "password"));
            }
            if val::int(planned, "allocated_storage").is_none() {
                return Err(create::required(&what, "allocated_storage"));
            }
        }
        let tags = crate::tags::at_create(c, planned);
        match from {
            create::Source::New => {
                create::create_new(c, &identifier, planned, password.map(str::to_string), &tags).await?;
            }
            create::Source::Replica => create::create_replica(c, &identifier, planned, &tags).await?,
            create::Source::Snapshot => create::restore_snapshot(c, &identifier, planned, &tags).await?,
        }
        let partial = || {
            let mut p = planned.clone();
            p.set_at_path(&[PathStep::Attr("identifier".into())], Value::from(identifier.as_str()));
            p.set_at_path(&[PathStep::Attr("id".into())], Value::from(identifier.as_str()));
            p.set_at_path(&[PathStep::Attr("password_wo".into())], Value::null(Type::String));
            p.unknowns_to_null()
        };
        let limit = timeout(planned, "create", CREATE_TIMEOUT);
        wait_available(c, &identifier, limit, true, false).await.map_err(|e| e.with_partial_state(partial()))?;
        if from != create::Source::New {
            // What a replica or a restore does not take at creation, set right after it (as
            // hashicorp/aws does), applied at once.
            let made = self.read_one(c, &identifier, planned).await.map_err(|e| e.with_partial_state(partial()))?;
            let pass = if from == create::Source::Replica { Pass::AfterReplica } else { Pass::AfterRestore };
            let req = c.clients.rds.modify_db_instance().db_instance_identifier(&identifier).apply_immediately(true);
            let (mut req, mut any) = modify::add_changes(req, &made, planned, pass);
            if let Some(p) = password.filter(|_| from == create::Source::Snapshot && !managed) {
                req = req.master_user_password(p);
                any = true;
            }
            if any {
                req.send()
                    .await
                    .map_err(|e| sdk_error(&format!("updating RDS DB instance {identifier}"), e))
                    .map_err(|e| e.with_partial_state(partial()))?;
                wait_available(c, &identifier, limit, false, true)
                    .await
                    .map_err(|e| e.with_partial_state(partial()))?;
            }
        }
        self.read_one(c, &identifier, planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    async fn do_update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value, password: Option<&str>) -> Result<Value> {
        let identifier = identifier_of(prior);
        let apply_now = val::boolean(planned, "apply_immediately").unwrap_or(false);
        let limit = timeout(planned, "update", UPDATE_TIMEOUT);
        // A replica whose source is taken away becomes a standalone instance.
        let source_gone = val::string(planned, "replicate_source_db").is_none_or(|s| s.is_empty());
        if val::string(prior, "replicate_source_db").is_some_and(|s| !s.is_empty()) && source_gone {
            c.clients
                .rds
                .promote_read_replica()
                .db_instance_identifier(&identifier)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("promoting RDS DB instance {identifier}"), e))?;
            wait_available(c, &identifier, limit, false, false).await?;
        }
        let req = c.clients.rds.modify_db_instance().db_instance_identifier(&identifier).apply_immediately(apply_now);
        let (mut req, mut any) = modify::add_changes(req, prior, planned, Pass::Update);
        // The master password: `password` when it changes; the write-only `password_wo` when
        // its version changes (it is never in state to compare).
        let wo_version = changed(prior, planned, "password_wo_version");
        if changed(prior, planned, "password") || (wo_version && password.is_some()) {
            req = req.set_master_user_password(password.map(str::to_string));
            any = true;
        }
        if any {
            req.send().await.map_err(|e| sdk_error(&format!("updating RDS DB instance {identifier}"), e))?;
            wait_available(c, &identifier, limit, false, apply_now).await?;
        }
        let arn = val::string(prior, "arn").unwrap_or_default();
        rds_update_tags(c, &arn, &val::string_map(prior, "tags_all"), &crate::tags::wanted(planned)).await?;
        self.read_one(c, &identifier, planned).await
    }
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
    fn state_upgrades(&self) -> crate::upgrade::Upgrades {
        // instance.go: `StateUpgraders` from 0 and from 1, no `MigrateState`.
        crate::upgrade::Upgrades {
            migrate_state: None,
            state_upgraders: &[(0, crate::upgrade::db_instance_v0), (1, crate::upgrade::db_instance_v1)],
        }
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn refused(&self) -> &'static [Refused] {
        REFUSED
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
        for (a, b) in [
            ("password", "manage_master_user_password"),
            ("password", "password_wo"),
            ("password_wo", "manage_master_user_password"),
            ("replicate_source_db", "snapshot_identifier"),
        ] {
            // A `false` management flag is as good as unset.
            let on = |k: &str| set(k) && val::boolean(config, k) != Some(false);
            if on(a) && on(b) {
                out.push(invalid("Conflicting configuration arguments", format!("\"{a}\": conflicts with {b}")));
            }
        }
        for (a, b) in [("password_wo", "password_wo_version"), ("password_wo_version", "password_wo")] {
            if set(a) && !set(b) {
                out.push(invalid(
                    "Missing required argument",
                    format!("\"{a}\": all of `password_wo,password_wo_version` must be specified"),
                ));
            }
        }
        for (k, allowed) in ALLOWED {
            if let Some(v) = val::string(config, k).filter(|v| !allowed.contains(&v.as_str())) {
                out.push(invalid("Invalid value", format!("expected {k} to be one of {allowed:?}, got {v}")));
            }
        }
        for v in val::strings(config, "enabled_cloudwatch_logs_exports") {
            if !LOG_TYPES.contains(&v.as_str()) {
                out.push(invalid(
                    "Invalid value",
                    format!("expected enabled_cloudwatch_logs_exports to be one of {LOG_TYPES:?}, got {v}"),
                ));
            }
        }
        if let Some(n) = val::int(config, "monitoring_interval").filter(|n| ![0, 1, 5, 10, 15, 30, 60].contains(n)) {
            out.push(invalid(
                "Invalid value",
                format!("expected monitoring_interval to be one of [0 1 5 10 15 30 60], got {n}"),
            ));
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
        let set = |plan: &mut PlanResponse, k: &str, v: Value| plan.planned.set_at_path(&[PathStep::Attr(k.into())], v);
        // `password_wo` is write-only: never in state, so in the plan only to be sent, when
        // `password_wo_version` changes (Terraform's way to say "send it again").
        if !changed(prior, &plan.planned, "password_wo_version") {
            set(plan, "password_wo", Value::null(Type::String));
        }
        // An empty list where Terraform's state has one is the same "not set" as the null the
        // plan has for it.
        for k in ["domain_dns_ips", "enabled_cloudwatch_logs_exports"] {
            let empty = prior.get_attr(k).filter(|v| v.as_seq().is_some_and(<[Value]>::is_empty)).cloned();
            if let Some(empty) = empty.filter(|_| missing(&plan.planned, k)) {
                set(plan, k, empty);
            }
        }
        // hashicorp/aws's diff suppressions. Storage autoscaling grew the storage beyond the
        // configured size: no change. A ceiling equal to the size is no autoscaling, as unset.
        let allocated = |v: &Value| val::int(v, "allocated_storage");
        let max = val::int(config, "max_allocated_storage");
        if let (Some(now), Some(want), Some(m)) = (allocated(prior), allocated(config), max)
            && now > want
            && m > want
        {
            set(plan, "allocated_storage", Value::int(now));
        }
        if val::int(prior, "max_allocated_storage").unwrap_or(0) == 0
            && max.is_some()
            && max == allocated(&plan.planned)
        {
            set(plan, "max_allocated_storage", prior.get_attr("max_allocated_storage").cloned().unwrap_or_default());
        }
        // What the API derives from a changed argument is known only after the change (and
        // only where the configuration does not say it).
        let derived: &[(&str, &[&str])] = &[
            ("engine_version", &["engine_version_actual"]),
            ("port", &["endpoint"]),
            ("manage_master_user_password", &["master_user_secret", "master_user_secret_kms_key_id"]),
            ("master_user_secret_kms_key_id", &["master_user_secret"]),
            (
                "performance_insights_enabled",
                &["performance_insights_kms_key_id", "performance_insights_retention_period"],
            ),
            ("storage_type", &["iops", "storage_throughput"]),
            ("allocated_storage", &["iops", "storage_throughput"]),
            ("replicate_source_db", &["replica_mode"]),
        ];
        for (arg, outs) in derived {
            if changed(prior, &plan.planned, arg) {
                for k in outs.iter().filter(|k| missing(config, k)) {
                    set(plan, k, Value::DYNAMIC);
                }
            }
        }
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let password = master_password(planned);
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
                Ok(Some(read::build(db, cur, tags, tags_all)))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let password = master_password(planned);
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
            .delete_automated_backups(val::boolean(prior, "delete_automated_backups").unwrap_or(true));
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
    use crate::val::Obj;

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

    fn planned(prior: &Value, config: &Value) -> PlanResponse {
        let mut plan = terrane_engine::plan::diff::generic_plan(&schema(), Some(prior), config);
        RdsInstance.customize_plan(Some(prior), config, &mut plan);
        plan
    }

    fn instance(extra: &[(&str, Value)]) -> Value {
        let mut o = Obj::new(&schema())
            .set("id", "db-1")
            .set("identifier", "db")
            .set("engine", "postgres")
            .set("instance_class", "db.t3.micro")
            .set("allocated_storage", 20i64)
            // As a create records its defaults (`storage_encrypted` forces replacement).
            .set("storage_encrypted", false);
        for (k, v) in extra {
            o = o.set(k, v.clone());
        }
        o.build()
    }

    #[test]
    fn a_write_only_password_is_planned_only_with_a_new_version() {
        let prior = instance(&[("password_wo_version", Value::from(1i64))]);
        let config = |version: i64| {
            Value::object([
                ("identifier", Value::from("db")),
                ("engine", Value::from("postgres")),
                ("instance_class", Value::from("db.t3.micro")),
                ("allocated_storage", Value::from(20i64)),
                ("password_wo", Value::from("secret-1")),
                ("password_wo_version", Value::from(version)),
            ])
        };
        let same = planned(&prior, &config(1));
        assert!(same.planned.get_attr("password_wo").unwrap().is_null());
        let bumped = planned(&prior, &config(2));
        assert_eq!(bumped.planned.get_attr("password_wo").cloned().unwrap().deep_unmark(), Value::from("secret-1"));
        assert_eq!(master_password(&bumped.planned).as_deref(), Some("secret-1"));
    }

    #[test]
    fn storage_grown_by_autoscaling_and_a_ceiling_equal_to_the_size_plan_no_change() {
        let grown =
            instance(&[("allocated_storage", Value::from(40i64)), ("max_allocated_storage", Value::from(100i64))]);
        let config = Value::object([
            ("identifier", Value::from("db")),
            ("instance_class", Value::from("db.t3.micro")),
            ("allocated_storage", Value::from(20i64)),
            ("max_allocated_storage", Value::from(100i64)),
        ]);
        let plan = planned(&grown, &config);
        assert_eq!(plan.planned.get_attr("allocated_storage"), Some(&Value::from(40i64)));
        let off = instance(&[]);
        let config = Value::object([
            ("identifier", Value::from("db")),
            ("instance_class", Value::from("db.t3.micro")),
            ("allocated_storage", Value::from(20i64)),
            ("max_allocated_storage", Value::from(20i64)),
        ]);
        assert!(planned(&off, &config).planned.get_attr("max_allocated_storage").unwrap().is_null());
    }

    #[test]
    fn password_arguments_conflict() {
        let v = |pairs: &[(&str, Value)]| RdsInstance.validate(&Value::object(pairs.iter().cloned()));
        assert_eq!(v(&[("password", "a".into()), ("manage_master_user_password", true.into())]).len(), 1);
        assert!(v(&[("password", "a".into()), ("manage_master_user_password", false.into())]).is_empty());
        assert_eq!(
            v(&[("password", "a".into()), ("password_wo", "b".into()), ("password_wo_version", 1i64.into())]).len(),
            1
        );
        assert_eq!(v(&[("password_wo", "b".into())]).len(), 1, "password_wo needs password_wo_version");
        assert_eq!(v(&[("enabled_cloudwatch_logs_exports", val::str_set(["postgres"]))]).len(), 1);
        assert_eq!(v(&[("monitoring_interval", 7i64.into())]).len(), 1);
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
