//! `aws_elasticache_replication_group`: a Redis/Valkey primary with replicas (cluster mode
//! disabled).
//!
//! As in the Terraform provider, settings the replication group API does not return (engine
//! version, parameter group, subnet group, security groups, maintenance window) are read from
//! its first member cluster. `auth_token` is sensitive and never read back.

use crate::delete::wait_gone;
use crate::describe::{PAGE, all_failed, bounded, few_or_listing};
use crate::elasticache::{
    ENGINES, bool_string, disassociate_global, ec_tags, ec_tags_of, ec_update_tags, fetch_clusters, log_delivery_block,
    log_delivery_value, log_requests_for_create, log_requests_for_update, nullable_bool, retention_read_back,
    security_group_ids, validate_conflicts, validate_enum, validate_log_delivery, validate_nullable_bool,
    wait_global_available,
};
use crate::errors::{code, describe, is_not_found, sdk_error};
use crate::plan::{changed, engine_version, force_replacement, or_prior, replan_lowercase};
use crate::resource::{Ctx, ResourceType, Result, invalid, with_tags, with_timeouts};
use crate::val::{self, Obj};
use crate::waiter::{Poll, timeout, wait_for};
use async_trait::async_trait;
use aws_sdk_elasticache::types::{
    AuthTokenUpdateStrategyType, CacheCluster, ClusterMode, DataTieringStatus, IpDiscovery, NetworkType,
    ReplicationGroup, TransitEncryptionMode,
};
use std::collections::HashMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::plan::diff::same;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct EcReplicationGroup;

const CREATE_TIMEOUT: Duration = Duration::from_secs(60 * 60);
const UPDATE_TIMEOUT: Duration = Duration::from_secs(40 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(45 * 60);

/// The port a Redis or Valkey group gets when none is configured.
const DEFAULT_PORT: i64 = 6379;

/// Statuses a replication group passes through on its way to `available`.
const PENDING: &[&str] = &["creating", "modifying", "snapshotting"];

fn schema() -> Schema {
    let s = Schema::new()
        .attr("id", Attribute::computed(Type::String))
        .attr("arn", Attribute::computed(Type::String))
        .attr("replication_group_id", Attribute::required(Type::String).force_new())
        .attr("description", Attribute::required(Type::String))
        // Redis unless said otherwise (hashicorp/aws 5.x's default).
        .attr("engine", Attribute::optional(Type::String).default("redis"))
        .attr("engine_version", Attribute::optional_computed(Type::String))
        .attr("engine_version_actual", Attribute::computed(Type::String))
        .attr("node_type", Attribute::optional_computed(Type::String))
        .attr("num_cache_clusters", Attribute::optional_computed(Type::Number))
        .attr("num_node_groups", Attribute::optional_computed(Type::Number))
        .attr("replicas_per_node_group", Attribute::optional_computed(Type::Number))
        .attr("preferred_cache_cluster_azs", Attribute::optional(Type::list(Type::String)))
        // Optional and force-new; the default port read back where none is configured is
        // no change (hashicorp/aws's DiffSuppressFunc, see `customize_plan`).
        .attr("port", Attribute::optional(Type::Number).force_new())
        .attr("subnet_group_name", Attribute::optional_computed(Type::String).force_new())
        .attr("security_group_ids", Attribute::optional_computed(Type::set(Type::String)))
        .attr("security_group_names", Attribute::optional_computed(Type::set(Type::String)).force_new())
        .attr("parameter_group_name", Attribute::optional_computed(Type::String))
        .attr("automatic_failover_enabled", Attribute::optional(Type::Bool).default(false))
        .attr("multi_az_enabled", Attribute::optional(Type::Bool).default(false))
        .attr("cluster_mode", Attribute::optional_computed(Type::String))
        .attr("global_replication_group_id", Attribute::optional_computed(Type::String).force_new())
        .attr("data_tiering_enabled", Attribute::optional_computed(Type::Bool).force_new())
        .attr("ip_discovery", Attribute::optional_computed(Type::String))
        .attr("network_type", Attribute::optional_computed(Type::String).force_new())
        // Strings in hashicorp/aws 5.x ("true" or "false"; unset lets AWS decide).
        .attr("at_rest_encryption_enabled", Attribute::optional_computed(Type::String).force_new())
        .attr("auto_minor_version_upgrade", Attribute::optional_computed(Type::String))
        .attr("transit_encryption_enabled", Attribute::optional_computed(Type::Bool))
        .attr("transit_encryption_mode", Attribute::optional_computed(Type::String))
        .attr("kms_key_id", Attribute::optional(Type::String).force_new())
        .attr("auth_token", Attribute::optional(Type::String).sensitive())
        .attr("auth_token_update_strategy", Attribute::optional(Type::String).default("ROTATE"))
        .attr("user_group_ids", Attribute::optional(Type::set(Type::String)))
        .attr("notification_topic_arn", Attribute::optional(Type::String))
        .attr("maintenance_window", Attribute::optional_computed(Type::String))
        .attr("snapshot_retention_limit", Attribute::optional(Type::Number))
        .attr("snapshot_window", Attribute::optional_computed(Type::String))
        .attr("snapshot_arns", Attribute::optional(Type::set(Type::String)).force_new())
        .attr("snapshot_name", Attribute::optional(Type::String).force_new())
        .attr("final_snapshot_identifier", Attribute::optional(Type::String))
        .attr("apply_immediately", Attribute::optional_computed(Type::Bool))
        .attr("member_clusters", Attribute::computed(Type::set(Type::String)))
        .attr("primary_endpoint_address", Attribute::computed(Type::String))
        .attr("reader_endpoint_address", Attribute::computed(Type::String))
        .attr("configuration_endpoint_address", Attribute::computed(Type::String))
        .attr("cluster_enabled", Attribute::computed(Type::Bool))
        .block("log_delivery_configuration", log_delivery_block());
    with_timeouts(with_tags(s), &["create", "update", "delete"])
}

fn int32(v: &Value, k: &str) -> Option<i32> {
    val::int(v, k).map(|n| n as i32)
}

/// Removes the auth token from an error message, whatever produced it.
fn scrub(mut e: ProviderError, secret: Option<&str>) -> ProviderError {
    if let Some(s) = secret.filter(|s| s.len() >= 3)
        && e.message.contains(s)
    {
        e.message = e.message.replace(s, "(sensitive value)");
    }
    e
}

async fn find(c: &Ctx<'_>, id: &str) -> Result<Option<ReplicationGroup>> {
    match c.clients.elasticache.describe_replication_groups().replication_group_id(id).send().await {
        Ok(o) => Ok(o.replication_groups().first().cloned()),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(ProviderError::new(describe(&format!("reading ElastiCache replication group {id}"), &e))),
    }
}

/// The groups with these (lowercase) IDs: one call each for a few, else one paged listing.
async fn fetch(c: &Ctx<'_>, ids: &[String]) -> Result<HashMap<String, ReplicationGroup>> {
    few_or_listing(
        ids,
        |g: &ReplicationGroup| g.replication_group_id().unwrap_or_default().to_lowercase(),
        |id| find(c, id),
        c.clients.elasticache.describe_replication_groups().max_records(PAGE).into_paginator().items().send(),
        "listing ElastiCache replication groups",
    )
    .await
}

/// The first member cluster of a group, where the group's other settings are read from.
fn first_member(g: &ReplicationGroup) -> Option<String> {
    g.node_groups()
        .first()
        .and_then(|ng| ng.node_group_members().first())
        .and_then(|m| m.cache_cluster_id())
        .or(g.member_clusters().first().map(String::as_str))
        .map(str::to_lowercase)
}

async fn wait_available(c: &Ctx<'_>, id: &str, limit: Duration, creating: bool) -> Result<()> {
    wait_for(&format!("ElastiCache replication group {id} to become available"), limit, || async {
        let Some(g) = find(c, id).await? else {
            return Ok(if creating { Poll::Pending("not found yet".into()) } else { Poll::Failed("gone".into()) });
        };
        let status = g.status().unwrap_or("unknown").to_string();
        Ok(match status.as_str() {
            "available" => Poll::Done(()),
            s if PENDING.contains(&s) => Poll::Pending(status),
            _ => Poll::Failed(status),
        })
    })
    .await
}

/// Shards and replicas per shard changed (`num_node_groups`, `replicas_per_node_group`), as
/// hashicorp/aws makes the change: ModifyReplicationGroupShardConfiguration for the number of
/// shards (removing the highest-numbered ones when there are fewer), then Increase or
/// DecreaseReplicaCount for the replicas of each shard.
async fn update_shards(c: &Ctx<'_>, id: &str, prior: &Value, planned: &Value, limit: Duration) -> Result<()> {
    let ec = &c.clients.elasticache;
    if changed(prior, planned, "num_node_groups")
        && let Some(new) = val::int(planned, "num_node_groups")
    {
        let old = val::int(prior, "num_node_groups").unwrap_or(0);
        let mut req = ec
            .modify_replication_group_shard_configuration()
            .replication_group_id(id)
            .node_group_count(new as i32)
            .apply_immediately(true);
        if new < old {
            let g = find(c, id)
                .await?
                .ok_or_else(|| ProviderError::new(format!("ElastiCache replication group {id} is gone")))?;
            let mut ids: Vec<String> =
                g.node_groups().iter().filter_map(|n| n.node_group_id().map(str::to_string)).collect();
            ids.sort();
            let remove: Vec<String> = ids.iter().skip(new.max(0) as usize).rev().cloned().collect();
            req = req.set_node_groups_to_remove((!remove.is_empty()).then_some(remove));
        }
        wait_available(c, id, limit, false).await?;
        req.send()
            .await
            .map_err(|e| sdk_error(&format!("modifying the shards of ElastiCache replication group {id}"), e))?;
        wait_available(c, id, limit, false).await?;
    }
    if changed(prior, planned, "replicas_per_node_group")
        && let Some(new) = val::int(planned, "replicas_per_node_group")
    {
        let old = val::int(prior, "replicas_per_node_group").unwrap_or(0);
        let what = format!("changing the replica count of ElastiCache replication group {id} to {new}");
        wait_available(c, id, limit, false).await?;
        if new > old {
            let req = ec.increase_replica_count().replication_group_id(id).new_replica_count(new as i32);
            req.apply_immediately(true).send().await.map_err(|e| sdk_error(&what, e))?;
        } else if new < old {
            let req = ec.decrease_replica_count().replication_group_id(id).new_replica_count(new as i32);
            req.apply_immediately(true).send().await.map_err(|e| sdk_error(&what, e))?;
        }
        wait_available(c, id, limit, false).await?;
    }
    Ok(())
}

async fn build(
    c: &Ctx<'_>,
    cur: &Value,
    id: &str,
    g: &ReplicationGroup,
    member: Option<&CacheCluster>,
) -> Result<Value> {
    let arn = g.arn().unwrap_or_default().to_string();
    let (tags, tags_all) = crate::tags::read_back(&ec_tags_of(c, &arn).await?, c.default_tags(), cur);
    let ng = g.node_groups().first();
    let config_endpoint = g.configuration_endpoint();
    let port = config_endpoint.and_then(|e| e.port()).or(ng.and_then(|n| n.primary_endpoint()?.port()));
    let failover = g.automatic_failover().is_some_and(|f| matches!(f.as_str(), "enabled" | "enabling"));
    let multi_az = g.multi_az().is_some_and(|m| m.as_str() == "enabled");
    let engine = g.engine().or(member.and_then(|m| m.engine()));
    let member_version = member.and_then(|m| m.engine_version());
    // Terraform drops the token from state when the group has none.
    let auth_token = if g.auth_token_enabled() == Some(false) {
        Value::NULL
    } else {
        cur.get_attr("auth_token").cloned().unwrap_or_default()
    };
    let m_str = |f: fn(&CacheCluster) -> Option<&str>| val::opt_str(member.and_then(f));
    Ok(Obj::new(&schema())
        .set("id", id)
        .set("replication_group_id", g.replication_group_id().unwrap_or(id))
        .set("arn", arn)
        .set("description", val::opt_str(g.description()))
        .set("engine", or_prior(val::opt_str(engine), cur, "engine"))
        .set("engine_version", engine_version(val::string(cur, "engine_version"), member_version))
        .set("engine_version_actual", val::opt_str(member_version))
        .set("node_type", val::opt_str(g.cache_node_type()))
        .set("num_cache_clusters", Value::from(g.member_clusters().len()))
        .set("member_clusters", val::str_set(g.member_clusters().iter().cloned()))
        .set("port", or_prior(val::opt_num(port), cur, "port"))
        .set("primary_endpoint_address", val::opt_str(ng.and_then(|n| n.primary_endpoint()?.address())))
        .set("reader_endpoint_address", val::opt_str(ng.and_then(|n| n.reader_endpoint()?.address())))
        .set("configuration_endpoint_address", val::opt_str(config_endpoint.and_then(|e| e.address())))
        .set("cluster_enabled", val::opt_bool(g.cluster_enabled()))
        .set("automatic_failover_enabled", Value::Bool(failover))
        .set("multi_az_enabled", Value::Bool(multi_az))
        .set(
            "at_rest_encryption_enabled",
            or_prior(
                bool_string(g.at_rest_encryption_enabled().or(member.and_then(|m| m.at_rest_encryption_enabled()))),
                cur,
                "at_rest_encryption_enabled",
            ),
        )
        .set(
            "auto_minor_version_upgrade",
            or_prior(
                bool_string(g.auto_minor_version_upgrade().or(member.and_then(|m| m.auto_minor_version_upgrade()))),
                cur,
                "auto_minor_version_upgrade",
            ),
        )
        .set("transit_encryption_enabled", val::opt_bool(g.transit_encryption_enabled()))
        .set(
            "transit_encryption_mode",
            or_prior(
                val::opt_str(
                    g.transit_encryption_mode()
                        .or(member.and_then(|m| m.transit_encryption_mode()))
                        .map(|m| m.as_str()),
                ),
                cur,
                "transit_encryption_mode",
            ),
        )
        .set("cluster_mode", or_prior(val::opt_str(g.cluster_mode().map(|m| m.as_str())), cur, "cluster_mode"))
        .set("data_tiering_enabled", Value::Bool(g.data_tiering() == Some(&DataTieringStatus::Enabled)))
        .set("ip_discovery", or_prior(val::opt_str(g.ip_discovery().map(|m| m.as_str())), cur, "ip_discovery"))
        .set("network_type", or_prior(val::opt_str(g.network_type().map(|m| m.as_str())), cur, "network_type"))
        .set(
            "global_replication_group_id",
            val::opt_str(
                g.global_replication_group_info()
                    .and_then(|i| i.global_replication_group_id())
                    .filter(|i| !i.is_empty()),
            ),
        )
        .set("num_node_groups", Value::from(g.node_groups().len()))
        .set(
            "replicas_per_node_group",
            match ng {
                Some(n) => Value::from(n.node_group_members().len().saturating_sub(1)),
                None => Value::NULL,
            },
        )
        .set(
            "user_group_ids",
            match g.user_group_ids() {
                [] => Value::NULL,
                ids => val::str_set(ids.iter().cloned()),
            },
        )
        .set("log_delivery_configuration", log_delivery_value(g.log_delivery_configurations()))
        .set(
            "security_group_names",
            or_prior(
                val::str_set(
                    member
                        .map(|m| m.cache_security_groups())
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|sg| sg.cache_security_group_name().map(str::to_string)),
                ),
                cur,
                "security_group_names",
            ),
        )
        .set("kms_key_id", val::opt_str(g.kms_key_id()))
        .set("snapshot_retention_limit", retention_read_back(g.snapshot_retention_limit(), cur))
        .set("snapshot_window", val::opt_str(g.snapshot_window()))
        // From the first member cluster; kept as configured when it cannot be read (moto
        // does not create member clusters).
        .set("subnet_group_name", or_prior(m_str(CacheCluster::cache_subnet_group_name), cur, "subnet_group_name"))
        .set(
            "security_group_ids",
            or_prior(member.map(security_group_ids).unwrap_or_default(), cur, "security_group_ids"),
        )
        .set(
            "parameter_group_name",
            or_prior(
                val::opt_str(member.and_then(|m| m.cache_parameter_group()?.cache_parameter_group_name())),
                cur,
                "parameter_group_name",
            ),
        )
        .set(
            "maintenance_window",
            or_prior(m_str(CacheCluster::preferred_maintenance_window), cur, "maintenance_window"),
        )
        .set("tags", tags)
        .set("tags_all", tags_all)
        .set("auth_token", auth_token)
        .keep(
            cur,
            &[
                "auth_token_update_strategy",
                "final_snapshot_identifier",
                "notification_topic_arn",
                "preferred_cache_cluster_azs",
                "snapshot_arns",
                "snapshot_name",
                "timeouts",
            ],
        )
        .set("apply_immediately", Value::Bool(val::boolean(cur, "apply_immediately").unwrap_or(false)))
        .build())
}

/// hashicorp/aws's checks of the arguments this file added: allowed values, conflicts.
fn validate_arguments(config: &Value, out: &mut Vec<Diagnostic>) {
    validate_nullable_bool(config, "auto_minor_version_upgrade", out);
    validate_enum(config, "auth_token_update_strategy", &["SET", "ROTATE", "DELETE"], out);
    validate_enum(config, "cluster_mode", &["enabled", "disabled", "compatible"], out);
    validate_enum(config, "ip_discovery", &["ipv4", "ipv6"], out);
    validate_enum(config, "network_type", &["ipv4", "ipv6", "dual_stack"], out);
    validate_enum(config, "transit_encryption_mode", &["preferred", "required"], out);
    out.extend(validate_log_delivery(config));
    validate_conflicts(config, "num_cache_clusters", &["num_node_groups", "replicas_per_node_group"], out);
    validate_conflicts(config, "user_group_ids", &["auth_token"], out);
    validate_conflicts(
        config,
        "global_replication_group_id",
        &[
            "num_node_groups",
            "parameter_group_name",
            "engine",
            "engine_version",
            "node_type",
            "security_group_names",
            "transit_encryption_enabled",
            "at_rest_encryption_enabled",
            "snapshot_arns",
            "snapshot_name",
        ],
        out,
    );
    if val::int(config, "snapshot_retention_limit").is_some_and(|n| n > 35) {
        out.push(invalid("Invalid snapshot_retention_limit", "expected snapshot_retention_limit to be at most (35)"));
    }
    if val::int(config, "replicas_per_node_group").is_some_and(|n| n < 0) {
        out.push(invalid("Invalid replicas_per_node_group", "expected replicas_per_node_group to be at least (0)"));
    }
}

impl EcReplicationGroup {
    async fn read_one(&self, c: &Ctx<'_>, id: &str, like: &Value) -> Result<Value> {
        let mut stub = like.clone();
        stub.set_at_path(&[PathStep::Attr("id".into())], Value::from(id));
        self.read_many(c, &[stub])
            .await
            .pop()
            .unwrap_or(Ok(None))?
            .ok_or_else(|| ProviderError::new(format!("ElastiCache replication group {id} is gone")))
    }

    async fn do_create(&self, c: &Ctx<'_>, planned: &Value, token: Option<&str>) -> Result<Value> {
        let id = val::string(planned, "replication_group_id").unwrap_or_default().to_lowercase();
        let what = format!("creating ElastiCache replication group {id}");
        let global = val::string(planned, "global_replication_group_id");
        let nonempty = |k: &str| Some(val::strings(planned, k)).filter(|v| !v.is_empty());
        let mut req = c
            .clients
            .elasticache
            .create_replication_group()
            .replication_group_id(&id)
            .replication_group_description(val::string(planned, "description").unwrap_or_default())
            .set_engine_version(val::string(planned, "engine_version"))
            .set_num_cache_clusters(int32(planned, "num_cache_clusters"))
            .set_num_node_groups(int32(planned, "num_node_groups").filter(|n| *n != 0))
            .set_replicas_per_node_group(int32(planned, "replicas_per_node_group"))
            .set_preferred_cache_cluster_azs(nonempty("preferred_cache_cluster_azs"))
            .set_port(int32(planned, "port"))
            .set_cache_subnet_group_name(val::string(planned, "subnet_group_name"))
            .set_security_group_ids(nonempty("security_group_ids"))
            .set_cache_security_group_names(nonempty("security_group_names"))
            .set_cache_parameter_group_name(val::string(planned, "parameter_group_name"))
            .set_multi_az_enabled(val::boolean(planned, "multi_az_enabled").filter(|m| *m))
            .set_at_rest_encryption_enabled(nullable_bool(planned, "at_rest_encryption_enabled"))
            .set_auto_minor_version_upgrade(nullable_bool(planned, "auto_minor_version_upgrade"))
            .set_cluster_mode(val::string(planned, "cluster_mode").map(|m| ClusterMode::from(m.as_str())))
            .set_data_tiering_enabled(val::boolean(planned, "data_tiering_enabled").filter(|d| *d))
            .set_ip_discovery(val::string(planned, "ip_discovery").map(|m| IpDiscovery::from(m.as_str())))
            .set_network_type(val::string(planned, "network_type").map(|m| NetworkType::from(m.as_str())))
            .set_transit_encryption_mode(
                val::string(planned, "transit_encryption_mode").map(|m| TransitEncryptionMode::from(m.as_str())),
            )
            .set_notification_topic_arn(val::string(planned, "notification_topic_arn"))
            .set_kms_key_id(val::string(planned, "kms_key_id"))
            .set_auth_token(token.map(str::to_string))
            .set_user_group_ids(nonempty("user_group_ids"))
            .set_log_delivery_configurations(log_requests_for_create(planned))
            .set_preferred_maintenance_window(val::string(planned, "maintenance_window"))
            .set_snapshot_retention_limit(int32(planned, "snapshot_retention_limit"))
            .set_snapshot_window(val::string(planned, "snapshot_window"))
            .set_snapshot_arns(nonempty("snapshot_arns"))
            .set_snapshot_name(val::string(planned, "snapshot_name"))
            .set_tags(ec_tags(&crate::tags::at_create(c, planned)));
        // A member of a global replication group takes its engine, node type and encryption
        // from the global group; any other group needs a node type (hashicorp/aws checks this
        // at apply, as here).
        if let Some(g) = &global {
            req = req.global_replication_group_id(g);
        } else {
            let Some(node_type) = val::string(planned, "node_type") else {
                return Err(ProviderError::new(format!(
                    "{what}: \"node_type\" is required unless \"global_replication_group_id\" is set"
                )));
            };
            req = req
                .cache_node_type(node_type)
                // As the Terraform provider: redis unless said otherwise.
                .engine(val::string(planned, "engine").unwrap_or_else(|| "redis".into()))
                .automatic_failover_enabled(val::boolean(planned, "automatic_failover_enabled").unwrap_or(false))
                .set_transit_encryption_enabled(val::boolean(planned, "transit_encryption_enabled"));
        }
        req.send().await.map_err(|e| sdk_error(&what, e))?;
        let partial = || {
            let mut p = planned.clone();
            p.set_at_path(&[PathStep::Attr("id".into())], Value::from(id.as_str()));
            p.unknowns_to_null()
        };
        let limit = timeout(planned, "create", CREATE_TIMEOUT);
        wait_available(c, &id, limit, true).await.map_err(|e| e.with_partial_state(partial()))?;
        if let Some(g) = &global {
            wait_global_available(c, g, limit).await.map_err(|e| e.with_partial_state(partial()))?;
        }
        self.read_one(c, &id, planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    async fn do_update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value, token: Option<&str>) -> Result<Value> {
        let id = val::id(prior);
        let limit = timeout(planned, "update", UPDATE_TIMEOUT);
        let (old_n, new_n) =
            (val::int(prior, "num_cache_clusters").unwrap_or(1), val::int(planned, "num_cache_clusters"));
        // The order the Terraform provider uses: shards or more replicas first, then the
        // group's settings, then the auth token, then fewer replicas.
        let shards = changed(prior, planned, "num_node_groups") || changed(prior, planned, "replicas_per_node_group");
        if shards {
            update_shards(c, &id, prior, planned, limit).await?;
        } else if let Some(n) = new_n.filter(|n| *n > old_n) {
            wait_available(c, &id, limit, false).await?;
            c.clients
                .elasticache
                .increase_replica_count()
                .replication_group_id(&id)
                .new_replica_count((n - 1) as i32)
                .apply_immediately(true)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("adding replicas to ElastiCache replication group {id}"), e))?;
            wait_available(c, &id, limit, false).await?;
        }
        let mut req = c
            .clients
            .elasticache
            .modify_replication_group()
            .replication_group_id(&id)
            .apply_immediately(val::boolean(planned, "apply_immediately").unwrap_or(false));
        let mut any = false;
        let mut on = |k: &str| {
            let ch = changed(prior, planned, k);
            any |= ch;
            ch
        };
        if on("description") {
            req = req.set_replication_group_description(val::string(planned, "description"));
        }
        if on("engine") {
            req = req.set_engine(val::string(planned, "engine"));
        }
        if on("engine_version") {
            req = req
                .set_engine_version(val::string(planned, "engine_version"))
                .engine(val::string(planned, "engine").unwrap_or_else(|| "redis".into()));
        }
        if on("node_type") {
            req = req.set_cache_node_type(val::string(planned, "node_type"));
        }
        if on("automatic_failover_enabled") {
            req = req.set_automatic_failover_enabled(val::boolean(planned, "automatic_failover_enabled"));
        }
        if on("multi_az_enabled") {
            req = req.set_multi_az_enabled(val::boolean(planned, "multi_az_enabled"));
        }
        if on("transit_encryption_enabled") {
            req = req.set_transit_encryption_enabled(val::boolean(planned, "transit_encryption_enabled"));
        }
        if on("security_group_ids") {
            req = req.set_security_group_ids(Some(val::strings(planned, "security_group_ids")));
        }
        if on("parameter_group_name") {
            req = req.set_cache_parameter_group_name(val::string(planned, "parameter_group_name"));
        }
        if on("maintenance_window") {
            req = req.set_preferred_maintenance_window(val::string(planned, "maintenance_window"));
        }
        if on("snapshot_retention_limit") {
            if val::int(prior, "snapshot_retention_limit").unwrap_or(0) == 0 {
                req = req.snapshotting_cluster_id(format!("{id}-001"));
            }
            req = req.set_snapshot_retention_limit(int32(planned, "snapshot_retention_limit"));
        }
        if on("snapshot_window") {
            req = req.set_snapshot_window(val::string(planned, "snapshot_window"));
        }
        if on("auto_minor_version_upgrade") {
            req = req.set_auto_minor_version_upgrade(nullable_bool(planned, "auto_minor_version_upgrade"));
        }
        if on("cluster_mode") {
            req = req.set_cluster_mode(val::string(planned, "cluster_mode").map(|m| ClusterMode::from(m.as_str())));
        }
        if on("ip_discovery") {
            req = req.set_ip_discovery(val::string(planned, "ip_discovery").map(|m| IpDiscovery::from(m.as_str())));
        }
        if on("transit_encryption_mode") {
            req = req.set_transit_encryption_mode(
                val::string(planned, "transit_encryption_mode").map(|m| TransitEncryptionMode::from(m.as_str())),
            );
        }
        if on("notification_topic_arn") {
            // No topic: notifications off (an empty ARN is refused).
            req = match val::string(planned, "notification_topic_arn").filter(|a| !a.is_empty()) {
                Some(arn) => req.notification_topic_arn(arn).notification_topic_status("active"),
                None => req.notification_topic_status("inactive"),
            };
        }
        if !val::strings(planned, "security_group_names").is_empty() && on("security_group_names") {
            req = req.set_cache_security_group_names(Some(val::strings(planned, "security_group_names")));
        }
        if on("log_delivery_configuration") {
            req = req.set_log_delivery_configurations(Some(log_requests_for_update(prior, planned)));
        }
        let strategy = val::string(planned, "auth_token_update_strategy").unwrap_or_else(|| "ROTATE".into());
        let auth_changed =
            changed(prior, planned, "auth_token") || changed(prior, planned, "auth_token_update_strategy");
        if on("user_group_ids") {
            let (old, new) = (val::strings(prior, "user_group_ids"), val::strings(planned, "user_group_ids"));
            let add: Vec<String> = new.iter().filter(|g| !old.contains(g)).cloned().collect();
            let remove: Vec<String> = old.iter().filter(|g| !new.contains(g)).cloned().collect();
            // Moving from an auth token to RBAC user groups: the token goes in the same call.
            if !add.is_empty() && auth_changed && strategy == "DELETE" {
                req = req.auth_token_update_strategy(AuthTokenUpdateStrategyType::Delete);
            }
            req = req
                .set_user_group_ids_to_add((!add.is_empty()).then_some(add))
                .set_user_group_ids_to_remove((!remove.is_empty()).then_some(remove));
        }
        if any {
            wait_available(c, &id, limit, false).await?;
            match req.send().await {
                Ok(_) => {}
                Err(e) if describe("", &e).contains("No modifications were requested") => {}
                Err(e) => return Err(sdk_error(&format!("updating ElastiCache replication group {id}"), e)),
            }
            wait_available(c, &id, limit, false).await?;
        }
        // DELETE is only taken while moving to user groups (above).
        if auth_changed && strategy != "DELETE" {
            c.clients
                .elasticache
                .modify_replication_group()
                .replication_group_id(&id)
                .apply_immediately(true)
                .set_auth_token(token.map(str::to_string))
                .auth_token_update_strategy(AuthTokenUpdateStrategyType::from(strategy.as_str()))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating the auth token of ElastiCache replication group {id}"), e))?;
            wait_available(c, &id, limit, false).await?;
        }
        if let Some(n) = new_n.filter(|n| *n < old_n && !shards) {
            c.clients
                .elasticache
                .decrease_replica_count()
                .replication_group_id(&id)
                .new_replica_count((n - 1) as i32)
                .apply_immediately(true)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("removing replicas from ElastiCache replication group {id}"), e))?;
            wait_available(c, &id, limit, false).await?;
        }
        let arn = val::string(prior, "arn").unwrap_or_default();
        ec_update_tags(c, &arn, &val::string_map(prior, "tags_all"), &crate::tags::wanted(planned)).await?;
        self.read_one(c, &id, planned).await
    }
}

#[async_trait]
impl ResourceType for EcReplicationGroup {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::ElastiCache)
    }

    fn name(&self) -> &'static str {
        "aws_elasticache_replication_group"
    }
    /// hashicorp/aws's schema version: state is stored in that version's shape.
    fn schema_version(&self) -> u64 {
        2
    }
    fn state_upgrades(&self) -> crate::upgrade::Upgrades {
        // replication_group.go: a pass-through `MigrateState` and one `StateUpgrader`, from 1.
        crate::upgrade::Upgrades {
            migrate_state: Some(crate::upgrade::replication_group_migrate),
            state_upgraders: &[(1, crate::upgrade::replication_group_v1)],
        }
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if let Some(e) = val::string(config, "engine")
            && !ENGINES[1..].contains(&e.as_str())
        {
            out.push(invalid("Invalid engine", format!("expected engine to be redis or valkey, got {e:?}")));
        }
        if let Some(s) = val::string(config, "at_rest_encryption_enabled")
            && s != "true"
            && s != "false"
        {
            out.push(invalid(
                "Invalid at_rest_encryption_enabled",
                format!("expected at_rest_encryption_enabled to be \"true\" or \"false\", got {s:?}"),
            ));
        }
        if let Some(d) = val::string(config, "description")
            && d.is_empty()
        {
            out.push(invalid("Invalid description", "\"description\" must not be empty"));
        }
        if let Some(id) = val::string(config, "replication_group_id")
            && (id.is_empty()
                || id.len() > 40
                || !id.starts_with(|ch: char| ch.is_ascii_alphabetic())
                || !id.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
                || id.contains("--")
                || id.ends_with('-'))
        {
            out.push(invalid(
                "Invalid replication_group_id",
                format!("{id:?}: 1 to 40 alphanumeric characters or hyphens, beginning with a letter, without two consecutive hyphens or a trailing hyphen"),
            ));
        }
        if val::boolean(config, "multi_az_enabled") == Some(true)
            && val::boolean(config, "automatic_failover_enabled") == Some(false)
        {
            out.push(invalid(
                "Invalid multi_az_enabled",
                "automatic_failover_enabled must be true when multi_az_enabled is true",
            ));
        }
        if val::boolean(config, "automatic_failover_enabled") == Some(true)
            && val::int(config, "num_cache_clusters").is_some_and(|n| n < 2)
        {
            out.push(invalid(
                "Invalid num_cache_clusters",
                "\"num_cache_clusters\": must be at least 2 if automatic_failover_enabled is true",
            ));
        }
        validate_arguments(config, &mut out);
        out
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        let prior_obj = prior.filter(|p| !p.is_null());
        // hashicorp/aws's DiffSuppressFuncs, said as the configuration they mean: the default
        // port read back where none is configured, and the engine, its version and the
        // parameter group of a member of a global replication group (they are the global
        // group's), are no change.
        let mut suppressed = config.clone();
        if let Some(prior) = prior_obj {
            if crate::plan::missing(config, "port") && val::int(prior, "port") == Some(DEFAULT_PORT) {
                suppressed.set_at_path(&[PathStep::Attr("port".into())], Value::from(DEFAULT_PORT));
            }
            if val::string(prior, "global_replication_group_id").is_some_and(|g| !g.is_empty()) {
                for k in ["engine", "engine_version", "parameter_group_name"] {
                    let v = prior.get_attr(k).cloned().unwrap_or_default();
                    suppressed.set_at_path(&[PathStep::Attr(k.into())], v);
                }
            }
        }
        if !same(&suppressed, config) {
            // `config` is the configuration as written when the port made the generic plan a
            // replacement: the zero values of the prior state fill it again, as they would
            // have without the port (see `legacy`).
            let filled = prior_obj.map(|p| crate::legacy::config_with_zero_values(p, suppressed.clone(), &schema()));
            *plan = terrane_engine::plan::diff::generic_plan(&schema(), prior, filled.as_ref().unwrap_or(&suppressed));
            if plan.requires_replace.is_empty() {
                suppressed = filled.unwrap_or(suppressed);
            } else {
                *plan = terrane_engine::plan::diff::generic_plan(&schema(), prior, &suppressed);
            }
        }
        // ElastiCache stores both in lowercase (Terraform's StateFunc does the same).
        replan_lowercase(&schema(), prior, &suppressed, plan, &["replication_group_id", "maintenance_window"]);
        // Valkey back to Redis is a new group (hashicorp/aws's engine ForceNew on downgrade).
        if let Some(prior) = prior_obj
            && val::string(prior, "engine").as_deref() == Some("valkey")
            && val::string(&plan.planned, "engine").as_deref() == Some("redis")
        {
            force_replacement(&schema(), &suppressed, plan, "engine");
        }
        let Some(prior) = prior_obj.filter(|_| plan.requires_replace.is_empty()) else { return };
        // A group whose state has no update strategy (written before it had a default) has
        // the default: hashicorp/aws's state upgrade writes ROTATE in; here the plan keeps it
        // unset rather than updating the group (with its auth token) to say so.
        if prior.get_attr("auth_token_update_strategy").is_none_or(Value::is_null)
            && val::string(&plan.planned, "auth_token_update_strategy").as_deref() == Some("ROTATE")
        {
            plan.planned.set_at_path(&[PathStep::Attr("auth_token_update_strategy".into())], Value::null(Type::String));
        }
        for (arg, derived) in [("num_cache_clusters", "member_clusters"), ("engine_version", "engine_version_actual")] {
            if changed(prior, &plan.planned, arg) {
                plan.planned.set_at_path(&[PathStep::Attr(derived.into())], Value::DYNAMIC);
            }
        }
        // Shards, replicas per shard and clusters follow from one another: a change of one
        // leaves the others (those not configured) and the member clusters to be read back.
        const COUNTS: [&str; 3] = ["num_cache_clusters", "num_node_groups", "replicas_per_node_group"];
        if COUNTS.iter().any(|k| changed(prior, &plan.planned, k)) {
            for k in COUNTS.iter().chain(&["member_clusters"]) {
                if crate::plan::missing(config, k) {
                    let ty = schema().attributes[*k].ty.clone();
                    plan.planned.set_at_path(&[PathStep::Attr((*k).into())], Value::unknown(ty));
                }
            }
        }
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let token = val::string(planned, "auth_token");
        self.do_create(c, planned, token.as_deref()).await.map_err(|e| scrub(e, token.as_deref()))
    }

    /// Found by its ID (`replication_group_id`, unique in the account and region), carrying
    /// the token tag CreateReplicationGroup gave it; one still being created is waited for, as
    /// the create would.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let id = val::string(planned, "replication_group_id").unwrap_or_default().to_lowercase();
        if id.is_empty()
            || crate::resource::find_named(self, c, crate::resource::with_id(planned, &id), true).await?.is_none()
        {
            return Ok(None);
        }
        wait_available(c, &id, timeout(planned, "create", CREATE_TIMEOUT), true).await?;
        Ok(Some(self.read_one(c, &id, planned).await?))
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let ids: Vec<String> = current.iter().map(|v| val::id(v).to_lowercase()).collect();
        let groups = match fetch(c, &ids).await {
            // As the Terraform provider: a group being deleted is gone.
            Ok(f) => f.into_iter().filter(|(_, g)| g.status() != Some("deleting")).collect::<HashMap<_, _>>(),
            Err(e) => return all_failed(current.len(), &e),
        };
        let members: Vec<String> = groups.values().filter_map(first_member).collect();
        let clusters = match fetch_clusters(c, &members).await {
            Ok(m) => m,
            Err(e) => return all_failed(current.len(), &e),
        };
        let reads = current.iter().zip(&ids).map(|(cur, id)| {
            let g = groups.get(id);
            let clusters = &clusters;
            async move {
                let Some(g) = g else { return Ok(None) };
                let member = first_member(g).and_then(|m| clusters.get(&m));
                build(c, cur, id, g, member).await.map(Some)
            }
        });
        bounded(reads.collect()).await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let token = val::string(planned, "auth_token");
        let old = val::string(prior, "auth_token");
        self.do_update(c, prior, planned, token.as_deref())
            .await
            .map_err(|e| scrub(scrub(e, token.as_deref()), old.as_deref()))
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let id = val::id(prior);
        let limit = timeout(prior, "delete", DELETE_TIMEOUT);
        let final_snapshot = val::string(prior, "final_snapshot_identifier");
        // A member of a global replication group leaves it first.
        if let Some(g) = val::string(prior, "global_replication_group_id").filter(|g| !g.is_empty()) {
            disassociate_global(c, &g, &id, limit).await?;
        }
        // Member clusters being created or snapshotted block deletion: retry for 10 minutes.
        let sent = wait_for(
            &format!("ElastiCache replication group {id} to accept deletion"),
            limit.min(Duration::from_secs(600)),
            || async {
                let req = c
                    .clients
                    .elasticache
                    .delete_replication_group()
                    .replication_group_id(&id)
                    .set_final_snapshot_identifier(final_snapshot.clone());
                match req.send().await {
                    Ok(_) => Ok(Poll::Done(true)),
                    Err(e) if is_not_found(&e) => Ok(Poll::Done(false)),
                    Err(e) if code(&e) == Some("InvalidReplicationGroupState") => {
                        Ok(Poll::Pending(describe("", &e).trim_start_matches(": ").to_string()))
                    }
                    Err(e) => Err(sdk_error(&format!("deleting ElastiCache replication group {id}"), e)),
                }
            },
        )
        .await?;
        if !sent {
            return Ok(());
        }
        wait_gone(&format!("ElastiCache replication group {id} to be deleted"), limit, || async {
            Ok(find(c, &id).await?.map(|g| g.status().unwrap_or("unknown").to_string()))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failover_needs_two_clusters() {
        let bad = Value::object([
            ("replication_group_id", Value::from("rg")),
            ("description", Value::from("d")),
            ("automatic_failover_enabled", Value::Bool(true)),
            ("num_cache_clusters", Value::from(1i64)),
        ]);
        assert_eq!(EcReplicationGroup.validate(&bad).len(), 1);
    }

    fn prior_group() -> Value {
        Obj::new(&schema())
            .set("id", "rg")
            .set("replication_group_id", "rg")
            .set("description", "d")
            .set("engine", "redis")
            .set("node_type", "cache.t3.micro")
            .set("port", 6379i64)
            .set("automatic_failover_enabled", false)
            .set("multi_az_enabled", false)
            .set("apply_immediately", false)
            .set("snapshot_retention_limit", 0i64)
            .build()
    }

    fn plan(prior: &Value, config: &Value) -> PlanResponse {
        let mut p = terrane_engine::plan::diff::generic_plan(&schema(), Some(prior), config);
        EcReplicationGroup.customize_plan(Some(prior), config, &mut p);
        p
    }

    #[test]
    fn the_default_port_read_back_is_no_change() {
        let prior = prior_group();
        // A configuration as the engine passes it: every attribute, null where not set.
        let config = Obj::new(&schema())
            .set("replication_group_id", "rg")
            .set("description", "d")
            .set("node_type", "cache.t3.micro")
            .build();
        let p = plan(&prior, &config);
        assert!(p.requires_replace.is_empty(), "{:?}", p.requires_replace);
        assert_eq!(p.planned.get_attr("port"), Some(&Value::from(6379i64)));
        // The prior state's zero retention (as Terraform writes it) is kept, not planned away.
        assert_eq!(p.planned.get_attr("snapshot_retention_limit"), Some(&Value::from(0i64)));
        // A state without an update strategy keeps none (no update for the default).
        assert_eq!(p.planned.get_attr("auth_token_update_strategy"), Some(&Value::null(Type::String)));
        let mut other = config.clone();
        other.set_at_path(&[PathStep::Attr("port".into())], Value::from(6380i64));
        assert_eq!(plan(&prior, &other).requires_replace, vec![vec![PathStep::Attr("port".into())]]);
    }

    #[test]
    fn valkey_back_to_redis_replaces_the_group() {
        let mut prior = prior_group();
        prior.set_at_path(&[PathStep::Attr("engine".into())], Value::from("valkey"));
        let config = Value::object([
            ("replication_group_id", Value::from("rg")),
            ("description", Value::from("d")),
            ("node_type", Value::from("cache.t3.micro")),
            ("engine", Value::from("redis")),
            ("port", Value::from(6379i64)),
        ]);
        assert!(plan(&prior, &config).requires_replace.contains(&vec![PathStep::Attr("engine".into())]));
    }

    #[test]
    fn auth_token_is_scrubbed_from_errors() {
        let e = scrub(ProviderError::new("AuthToken s3cr3t-token-value is invalid"), Some("s3cr3t-token-value"));
        assert!(!e.message.contains("s3cr3t"));
    }
}
