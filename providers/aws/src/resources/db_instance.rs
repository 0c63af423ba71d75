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
use crate::model::{Op, limit};
use crate::plan::{changed, missing, replan_lowercase};
use crate::rds::{rds_tag_map, rds_update_tags};
use crate::resource::{Ctx, Refused, ResourceType, Result, chunks, invalid};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_rds::types::{DbInstance, Filter};
use std::collections::HashMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

mod create;
mod modify;
mod read;
mod schema;

use modify::Pass;
use schema::{Instance, LOG_TYPES, REFUSED};

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
    async fn read_one(&self, c: &Ctx<'_>, identifier: &str, like: &Instance) -> Result<Value> {
        let stub = Instance { identifier: Some(identifier.to_string()), ..like.clone() };
        crate::resource::read_model(self, c, &stub, &format!("RDS DB instance {identifier}")).await
    }

    async fn do_create(&self, c: &Ctx<'_>, raw: &Value, planned: &Instance, password: Option<&str>) -> Result<Value> {
        let identifier = planned.created_name(c);
        let what = format!("creating RDS DB instance {identifier}");
        let from = create::source(planned);
        let managed = planned.manage_master_user_password.unwrap_or(false);
        if from == create::Source::New {
            for (k, v) in [("engine", &planned.engine), ("username", &planned.username)] {
                if v.is_none() {
                    return Err(create::required(&what, k));
                }
            }
            if password.is_none() && !managed {
                return Err(create::required(&what, "password"));
            }
            if planned.allocated_storage.is_none() {
                return Err(create::required(&what, "allocated_storage"));
            }
        }
        let tags = planned.tags.at_create(c);
        match from {
            create::Source::New => {
                create::create_new(c, &identifier, planned, password.map(str::to_string), &tags).await?;
            }
            create::Source::Replica => create::create_replica(c, &identifier, planned, &tags).await?,
            create::Source::Snapshot => create::restore_snapshot(c, &identifier, planned, &tags).await?,
        }
        let partial = || {
            let id = Some(identifier.clone());
            Instance { identifier: id.clone(), id, password_wo: None, ..planned.clone() }.to_value()
        };
        let limit = limit(&planned.timeouts, Op::Create, CREATE_TIMEOUT);
        wait_available(c, &identifier, limit, true, false).await.map_err(|e| e.with_partial_state(partial()))?;
        if from != create::Source::New {
            // What a replica or a restore does not take at creation, set right after it (as
            // hashicorp/aws does), applied at once.
            let made = self.read_one(c, &identifier, planned).await.map_err(|e| e.with_partial_state(partial()))?;
            let made = Instance::from_stub(&made)?;
            let pass = if from == create::Source::Replica { Pass::AfterReplica } else { Pass::AfterRestore };
            let req = c.clients.rds.modify_db_instance().db_instance_identifier(&identifier).apply_immediately(true);
            let (mut req, mut any) = modify::add_changes(req, &made, planned, raw, pass);
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

    async fn do_update(
        &self,
        c: &Ctx<'_>,
        prior: &Instance,
        raw: &Value,
        planned: &Instance,
        password: Option<&str>,
    ) -> Result<Value> {
        let identifier = prior.identifier_or_id();
        let apply_now = planned.apply_immediately;
        let limit = limit(&planned.timeouts, Op::Update, UPDATE_TIMEOUT);
        // A replica whose source is taken away becomes a standalone instance.
        let source_gone = planned.replicate_source_db.as_ref().is_none_or(|s| s.is_empty());
        if prior.replicate_source_db.as_ref().is_some_and(|s| !s.is_empty()) && source_gone {
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
        let (mut req, mut any) = modify::add_changes(req, prior, planned, raw, Pass::Update);
        // The master password: `password` when it changes; the write-only `password_wo` when
        // its version changes (it is never in state to compare).
        let wo_version = prior.password_wo_version != planned.password_wo_version;
        if prior.password != planned.password || (wo_version && password.is_some()) {
            req = req.set_master_user_password(password.map(str::to_string));
            any = true;
        }
        if any {
            req.send().await.map_err(|e| sdk_error(&format!("updating RDS DB instance {identifier}"), e))?;
            wait_available(c, &identifier, limit, false, apply_now).await?;
        }
        let arn = prior.arn.clone().unwrap_or_default();
        rds_update_tags(c, &arn, &prior.tags.wanted(), &planned.tags.wanted()).await?;
        self.read_one(c, &identifier, planned).await
    }
}

impl Instance {
    /// The name a create gives the DB instance: `identifier`, else `identifier_prefix` (or `terraform-`) and a
    /// unique suffix.
    fn created_name(&self, c: &Ctx<'_>) -> String {
        c.name_or_prefix(self.identifier.as_deref(), self.identifier_prefix.as_deref(), "terraform-")
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
        Instance::schema()
    }

    fn refused(&self) -> &'static [Refused] {
        REFUSED
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        // A configuration's values may not be known yet: those read as unset.
        let cfg = Instance::from_stub(config).unwrap_or_default();
        let set = |k: &str| !missing(config, k);
        if set("identifier") && set("identifier_prefix") {
            out.push(invalid(
                "Conflicting arguments",
                "\"identifier\": conflicts with identifier_prefix; set one of them.",
            ));
        }
        for (k, id) in [("identifier", &cfg.identifier), ("identifier_prefix", &cfg.identifier_prefix)] {
            let Some(id) = id else { continue };
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
            let on = |k: &str| {
                set(k) && (k != "manage_master_user_password" || cfg.manage_master_user_password != Some(false))
            };
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
        for (k, v, allowed) in cfg.restricted() {
            if let Some(v) = v.filter(|v| !allowed.contains(&v.as_str())) {
                out.push(invalid("Invalid value", format!("expected {k} to be one of {allowed:?}, got {v}")));
            }
        }
        for v in cfg.enabled_cloudwatch_logs_exports.iter().flatten() {
            if !LOG_TYPES.contains(&v.as_str()) {
                out.push(invalid(
                    "Invalid value",
                    format!("expected enabled_cloudwatch_logs_exports to be one of {LOG_TYPES:?}, got {v}"),
                ));
            }
        }
        if let Some(n) = Some(cfg.monitoring_interval).filter(|n| ![0, 1, 5, 10, 15, 30, 60].contains(n)) {
            out.push(invalid(
                "Invalid value",
                format!("expected monitoring_interval to be one of [0 1 5 10 15 30 60], got {n}"),
            ));
        }
        if let Some(s) = &cfg.final_snapshot_identifier
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
        replan_lowercase(&Instance::schema(), prior, config, plan, &["engine", "maintenance_window"]);
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
        // (Values not known yet read as unset.)
        let read = |v: &Value| Instance::from_stub(v).unwrap_or_default();
        let (was, cfg) = (read(prior), read(config));
        let max = cfg.max_allocated_storage;
        if let (Some(now), Some(want), Some(m)) = (was.allocated_storage, cfg.allocated_storage, max)
            && now > want
            && m > want
        {
            set(plan, "allocated_storage", Value::int(now));
        }
        if was.max_allocated_storage.unwrap_or(0) == 0 && max.is_some() && max == read(&plan.planned).allocated_storage
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
        let (raw, planned) = (planned, Instance::from_value(planned)?);
        let password = planned.master_password();
        self.do_create(c, raw, &planned, password.as_deref()).await.map_err(|e| scrub(e, password.as_deref()))
    }

    /// Found by its identifier (configured, or made from `identifier_prefix` and the token),
    /// carrying the token tag CreateDBInstance gave it; one still being created is waited
    /// for, as the create would.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        // (A record of a plan may hold unknowns, recorded as null: read leniently.)
        let planned = Instance::from_stub(planned)?;
        let identifier = planned.created_name(c).to_lowercase();
        let id = Some(identifier.clone());
        let stub = Instance { identifier: id.clone(), id, ..planned.clone() }.to_value();
        if crate::resource::find_named(self, c, stub, true).await?.is_none() {
            return Ok(None);
        }
        wait_available(c, &identifier, limit(&planned.timeouts, Op::Create, CREATE_TIMEOUT), true, false).await?;
        Ok(Some(self.read_one(c, &identifier, &planned).await?))
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let curs: Vec<_> = current.iter().map(Instance::from_stub).collect();
        let ids: Vec<String> =
            curs.iter().flatten().map(Instance::identifier_or_id).filter(|i| !i.is_empty()).collect();
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
        curs.into_iter()
            .map(|cur| {
                let cur = cur?;
                let Some(db) = found.get(&cur.identifier_or_id()) else { return Ok(None) };
                let tags = cur.tags.read_back(c, &rds_tag_map(db.tag_list()));
                Ok(Some(read::build(db, &cur, tags).to_value()))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, raw, planned) = (Instance::from_stub(prior)?, planned, Instance::from_value(planned)?);
        let password = planned.master_password();
        let old = prior.password.clone();
        self.do_update(c, &prior, raw, &planned, password.as_deref())
            .await
            .map_err(|e| scrub(scrub(e, password.as_deref()), old.as_deref()))
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = Instance::from_stub(prior)?;
        let identifier = prior.identifier_or_id();
        let protected = || {
            ProviderError::new(format!(
                "cannot delete RDS DB instance {identifier}: deletion_protection is enabled. Set deletion_protection = false and apply that change first, then destroy the instance."
            ))
        };
        if prior.deletion_protection {
            return Err(protected());
        }
        let skip = prior.skip_final_snapshot;
        let final_snapshot = prior.final_snapshot_identifier.clone();
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
            .delete_automated_backups(prior.delete_automated_backups);
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
            limit(&prior.timeouts, Op::Delete, DELETE_TIMEOUT),
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
    use schema::{Listener, Secret};

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
        let mut plan = terrane_engine::plan::diff::generic_plan(&Instance::schema(), Some(prior), config);
        RdsInstance.customize_plan(Some(prior), config, &mut plan);
        plan
    }

    /// An instance with every default recorded, as a create records them (`storage_encrypted`
    /// forces replacement).
    fn defaults() -> Instance {
        Instance::from_stub(&Value::object(Vec::<(&str, Value)>::new())).unwrap()
    }

    fn instance(change: impl FnOnce(&mut Instance)) -> Value {
        let mut i = Instance {
            id: Some("db-1".into()),
            identifier: Some("db".into()),
            engine: Some("postgres".into()),
            instance_class: "db.t3.micro".into(),
            allocated_storage: Some(20),
            ..defaults()
        };
        change(&mut i);
        i.to_value()
    }

    #[test]
    fn a_write_only_password_is_planned_only_with_a_new_version() {
        let prior = instance(|i| i.password_wo_version = Some(1));
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
        let same = Instance::from_value(&planned(&prior, &config(1)).planned).unwrap();
        assert_eq!(same.password_wo, None);
        let bumped = planned(&prior, &config(2));
        assert_eq!(bumped.planned.get_attr("password_wo").cloned().unwrap().deep_unmark(), Value::from("secret-1"));
        let bumped = Instance::from_value(&bumped.planned).unwrap();
        assert_eq!(bumped.password_wo.as_deref(), Some("secret-1"));
        assert_eq!(bumped.master_password().as_deref(), Some("secret-1"));
    }

    #[test]
    fn storage_grown_by_autoscaling_and_a_ceiling_equal_to_the_size_plan_no_change() {
        let grown = instance(|i| (i.allocated_storage, i.max_allocated_storage) = (Some(40), Some(100)));
        let config = Value::object([
            ("identifier", Value::from("db")),
            ("instance_class", Value::from("db.t3.micro")),
            ("allocated_storage", Value::from(20i64)),
            ("max_allocated_storage", Value::from(100i64)),
        ]);
        let plan = Instance::from_value(&planned(&grown, &config).planned).unwrap();
        assert_eq!(plan.allocated_storage, Some(40));
        let off = instance(|_| {});
        let config = Value::object([
            ("identifier", Value::from("db")),
            ("instance_class", Value::from("db.t3.micro")),
            ("allocated_storage", Value::from(20i64)),
            ("max_allocated_storage", Value::from(20i64)),
        ]);
        let plan = planned(&off, &config).planned;
        assert!(plan.get_attr("max_allocated_storage").is_some_and(Value::is_null), "known to be unset");
        assert_eq!(Instance::from_value(&plan).unwrap().max_allocated_storage, None);
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
        let logs = Value::set(Type::String, vec![Value::from("postgres")]);
        assert_eq!(v(&[("enabled_cloudwatch_logs_exports", logs)]).len(), 1);
        assert_eq!(v(&[("monitoring_interval", 7i64.into())]).len(), 1);
    }

    #[test]
    fn engine_case_does_not_replace() {
        let prior = Instance {
            id: Some("db-1".into()),
            engine: Some("mysql".into()),
            instance_class: "db.t3.micro".into(),
            ..defaults()
        }
        .to_value();
        let config = Value::object([("engine", Value::from("MySQL")), ("instance_class", Value::from("db.t3.micro"))]);
        let mut plan = terrane_engine::plan::diff::generic_plan(&Instance::schema(), Some(&prior), &config);
        RdsInstance.customize_plan(Some(&prior), &config, &mut plan);
        assert!(plan.requires_replace.is_empty(), "{:?}", plan.requires_replace);
    }

    #[test]
    fn the_secret_and_listener_are_lists_of_objects() {
        let i = Instance {
            master_user_secret: Some(vec![crate::model::Object(Secret {
                secret_arn: Some("arn:secret".into()),
                ..Secret::default()
            })]),
            listener_endpoint: Some(vec![]),
            ..defaults()
        };
        let v = i.to_value();
        let secret = v.get_attr("master_user_secret").and_then(Value::as_seq).unwrap();
        assert_eq!(secret[0].get_attr("secret_arn"), Some(&Value::from("arn:secret")));
        let back = Instance::from_stub(&v).unwrap();
        assert_eq!(back.master_user_secret, i.master_user_secret);
        assert_eq!(back.listener_endpoint, Some(Vec::<crate::model::Object<Listener>>::new()));
    }
}
