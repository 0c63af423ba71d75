//! `aws_elasticache_replication_group`: a Redis/Valkey primary with replicas (cluster mode
//! disabled).
//!
//! As in the Terraform provider, settings the replication group API does not return (engine
//! version, parameter group, subnet group, security groups, maintenance window) are read from
//! its first member cluster. `auth_token` is sensitive and never read back.

use crate::delete::wait_gone;
use crate::describe::{PAGE, all_failed, bounded, few_or_listing};
use crate::elasticache::{
    ENGINES, LogDelivery, bool_text, check_enum, check_nullable_bool, disassociate_global, ec_tags, ec_tags_of,
    ec_update_tags, fetch_clusters, log_deliveries, log_requests, log_requests_for_change, parse_bool, retention,
    security_groups, validate_conflicts, validate_log_delivery, wait_global_available,
};
use crate::errors::{code, describe, is_not_found, sdk_error};
use crate::model::{Op, Tags, Timeouts, limit};
use crate::plan::{changed, engine_version, force_replacement, replan_lowercase};
use crate::resource::{Ctx, ResourceType, Result, invalid};
use crate::val;
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_elasticache::types::{
    AuthTokenUpdateStrategyType, CacheCluster, ClusterMode, DataTieringStatus, IpDiscovery, NetworkType,
    ReplicationGroup, TransitEncryptionMode,
};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::plan::diff::same;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
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

/// An `aws_elasticache_replication_group` object.
#[derive(Model, Clone, Debug, Default)]
struct Group {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(required, force_new)]
    replication_group_id: String,
    #[model(required)]
    description: String,
    /// Redis unless said otherwise (hashicorp/aws 5.x's default).
    #[model(optional, default = "redis")]
    engine: String,
    #[model(optional, computed)]
    engine_version: Option<String>,
    #[model(computed)]
    engine_version_actual: Option<String>,
    #[model(optional, computed)]
    node_type: Option<String>,
    #[model(optional, computed)]
    num_cache_clusters: Option<i64>,
    #[model(optional, computed)]
    num_node_groups: Option<i64>,
    #[model(optional, computed)]
    replicas_per_node_group: Option<i64>,
    #[model(optional)]
    preferred_cache_cluster_azs: Option<Vec<String>>,
    /// Optional and force-new; the default port read back where none is configured is no
    /// change (hashicorp/aws's DiffSuppressFunc, see `customize_plan`).
    #[model(optional, force_new)]
    port: Option<i64>,
    #[model(optional, computed, force_new)]
    subnet_group_name: Option<String>,
    #[model(optional, computed)]
    security_group_ids: Option<BTreeSet<String>>,
    #[model(optional, computed, force_new)]
    security_group_names: Option<BTreeSet<String>>,
    #[model(optional, computed)]
    parameter_group_name: Option<String>,
    #[model(optional, default = false)]
    automatic_failover_enabled: bool,
    #[model(optional, default = false)]
    multi_az_enabled: bool,
    #[model(optional, computed)]
    cluster_mode: Option<String>,
    #[model(optional, computed, force_new)]
    global_replication_group_id: Option<String>,
    #[model(optional, computed, force_new)]
    data_tiering_enabled: Option<bool>,
    #[model(optional, computed)]
    ip_discovery: Option<String>,
    #[model(optional, computed, force_new)]
    network_type: Option<String>,
    /// Strings in hashicorp/aws 5.x ("true" or "false"; unset lets AWS decide).
    #[model(optional, computed, force_new)]
    at_rest_encryption_enabled: Option<String>,
    #[model(optional, computed)]
    auto_minor_version_upgrade: Option<String>,
    #[model(optional, computed)]
    transit_encryption_enabled: Option<bool>,
    #[model(optional, computed)]
    transit_encryption_mode: Option<String>,
    #[model(optional, force_new)]
    kms_key_id: Option<String>,
    #[model(optional, sensitive)]
    auth_token: Option<String>,
    /// A null in state (one written before the default) reads as the default; it is kept
    /// null there (see `build`).
    #[model(optional, default = "ROTATE")]
    auth_token_update_strategy: String,
    #[model(optional)]
    user_group_ids: Option<BTreeSet<String>>,
    #[model(optional)]
    notification_topic_arn: Option<String>,
    #[model(optional, computed)]
    maintenance_window: Option<String>,
    #[model(optional)]
    snapshot_retention_limit: Option<i64>,
    #[model(optional, computed)]
    snapshot_window: Option<String>,
    #[model(optional, force_new)]
    snapshot_arns: Option<BTreeSet<String>>,
    #[model(optional, force_new)]
    snapshot_name: Option<String>,
    #[model(optional)]
    final_snapshot_identifier: Option<String>,
    #[model(optional, computed)]
    apply_immediately: Option<bool>,
    #[model(computed)]
    member_clusters: Option<BTreeSet<String>>,
    #[model(computed)]
    primary_endpoint_address: Option<String>,
    #[model(computed)]
    reader_endpoint_address: Option<String>,
    #[model(computed)]
    configuration_endpoint_address: Option<String>,
    #[model(computed)]
    cluster_enabled: Option<bool>,
    #[model(block = "set", max = 2)]
    log_delivery_configuration: Vec<LogDelivery>,
    #[model(flatten)]
    tags: Tags,
    #[model(block = "single")]
    timeouts: Option<Timeouts>,
}

fn int32(n: Option<i64>) -> Option<i32> {
    n.map(|n| n as i32)
}

/// A set read back: what the API reports, or the configured one where the API reports none
/// (moto leaves out several fields AWS always returns).
fn or_prior(api: Option<BTreeSet<String>>, cur: Option<BTreeSet<String>>) -> Option<BTreeSet<String>> {
    match api {
        Some(s) if !s.is_empty() => Some(s),
        api => cur.or(api),
    }
}

/// A set argument that is set and not empty, as a list for the API.
fn nonempty(s: &Option<BTreeSet<String>>) -> Option<Vec<String>> {
    s.as_ref().filter(|s| !s.is_empty()).map(|s| s.iter().cloned().collect())
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
async fn update_shards(c: &Ctx<'_>, id: &str, prior: &Group, planned: &Group, limit: Duration) -> Result<()> {
    let ec = &c.clients.elasticache;
    // (What is not known yet reads as `None`: no change.)
    if prior.num_node_groups != planned.num_node_groups
        && let Some(new) = planned.num_node_groups
    {
        let old = prior.num_node_groups.unwrap_or(0);
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
    if prior.replicas_per_node_group != planned.replicas_per_node_group
        && let Some(new) = planned.replicas_per_node_group
    {
        let old = prior.replicas_per_node_group.unwrap_or(0);
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
    raw: &Value,
    id: &str,
    g: &ReplicationGroup,
    member: Option<&CacheCluster>,
) -> Result<Value> {
    let cur = Group::from_stub(raw)?;
    let text = |s: Option<&str>| s.map(str::to_string);
    let arn = g.arn().unwrap_or_default().to_string();
    let tags = cur.tags.read_back(c, &ec_tags_of(c, &arn).await?);
    let ng = g.node_groups().first();
    let config_endpoint = g.configuration_endpoint();
    let port = config_endpoint.and_then(|e| e.port()).or(ng.and_then(|n| n.primary_endpoint()?.port()));
    let failover = g.automatic_failover().is_some_and(|f| matches!(f.as_str(), "enabled" | "enabling"));
    let multi_az = g.multi_az().is_some_and(|m| m.as_str() == "enabled");
    let engine = g.engine().or(member.and_then(|m| m.engine()));
    let member_version = member.and_then(|m| m.engine_version());
    let m_str = |f: fn(&CacheCluster) -> Option<&str>| member.and_then(f).map(str::to_string);
    let security_group_names = member.map(|m| {
        m.cache_security_groups().iter().filter_map(|sg| sg.cache_security_group_name().map(str::to_string)).collect()
    });
    // moto leaves out several fields AWS always returns: the configured value is kept for
    // those (`.or(cur...)`), so the omission is not taken for drift.
    let group = Group {
        id: Some(id.to_string()),
        replication_group_id: g.replication_group_id().unwrap_or(id).to_string(),
        arn: Some(arn),
        description: g.description().unwrap_or_default().to_string(),
        engine: engine.map(str::to_string).unwrap_or(cur.engine),
        engine_version: engine_version(cur.engine_version, member_version).as_str().map(str::to_string),
        engine_version_actual: text(member_version),
        node_type: text(g.cache_node_type()),
        num_cache_clusters: Some(g.member_clusters().len() as i64),
        member_clusters: Some(g.member_clusters().iter().cloned().collect()),
        port: port.map(i64::from).or(cur.port),
        primary_endpoint_address: text(ng.and_then(|n| n.primary_endpoint()?.address())),
        reader_endpoint_address: text(ng.and_then(|n| n.reader_endpoint()?.address())),
        configuration_endpoint_address: text(config_endpoint.and_then(|e| e.address())),
        cluster_enabled: g.cluster_enabled(),
        automatic_failover_enabled: failover,
        multi_az_enabled: multi_az,
        at_rest_encryption_enabled: bool_text(
            g.at_rest_encryption_enabled().or(member.and_then(|m| m.at_rest_encryption_enabled())),
        )
        .or(cur.at_rest_encryption_enabled),
        auto_minor_version_upgrade: bool_text(
            g.auto_minor_version_upgrade().or(member.and_then(|m| m.auto_minor_version_upgrade())),
        )
        .or(cur.auto_minor_version_upgrade),
        transit_encryption_enabled: g.transit_encryption_enabled(),
        transit_encryption_mode: text(
            g.transit_encryption_mode().or(member.and_then(|m| m.transit_encryption_mode())).map(|m| m.as_str()),
        )
        .or(cur.transit_encryption_mode),
        cluster_mode: text(g.cluster_mode().map(|m| m.as_str())).or(cur.cluster_mode),
        data_tiering_enabled: Some(g.data_tiering() == Some(&DataTieringStatus::Enabled)),
        ip_discovery: text(g.ip_discovery().map(|m| m.as_str())).or(cur.ip_discovery),
        network_type: text(g.network_type().map(|m| m.as_str())).or(cur.network_type),
        global_replication_group_id: text(
            g.global_replication_group_info().and_then(|i| i.global_replication_group_id()).filter(|i| !i.is_empty()),
        ),
        num_node_groups: Some(g.node_groups().len() as i64),
        replicas_per_node_group: ng.map(|n| n.node_group_members().len().saturating_sub(1) as i64),
        user_group_ids: match g.user_group_ids() {
            [] => None,
            ids => Some(ids.iter().cloned().collect()),
        },
        log_delivery_configuration: log_deliveries(g.log_delivery_configurations()),
        security_group_names: or_prior(Some(security_group_names.unwrap_or_default()), cur.security_group_names),
        kms_key_id: text(g.kms_key_id()),
        snapshot_retention_limit: retention(g.snapshot_retention_limit(), cur.snapshot_retention_limit),
        snapshot_window: text(g.snapshot_window()),
        // From the first member cluster; kept as configured when it cannot be read (moto
        // does not create member clusters).
        subnet_group_name: m_str(CacheCluster::cache_subnet_group_name).or(cur.subnet_group_name),
        security_group_ids: or_prior(member.map(security_groups), cur.security_group_ids),
        parameter_group_name: member
            .and_then(|m| m.cache_parameter_group()?.cache_parameter_group_name())
            .map(str::to_string)
            .or(cur.parameter_group_name),
        maintenance_window: m_str(CacheCluster::preferred_maintenance_window).or(cur.maintenance_window),
        tags,
        // Terraform drops the token from state when the group has none.
        auth_token: if g.auth_token_enabled() == Some(false) { None } else { cur.auth_token },
        // Arguments the API does not return: kept as configured.
        auth_token_update_strategy: cur.auth_token_update_strategy,
        final_snapshot_identifier: cur.final_snapshot_identifier,
        notification_topic_arn: cur.notification_topic_arn,
        preferred_cache_cluster_azs: cur.preferred_cache_cluster_azs,
        snapshot_arns: cur.snapshot_arns,
        snapshot_name: cur.snapshot_name,
        timeouts: cur.timeouts,
        apply_immediately: Some(cur.apply_immediately.unwrap_or(false)),
    };
    let mut v = group.to_value();
    // An update strategy a state does not have (one written before it had a default) stays
    // unset, as the plan keeps it (see `customize_plan`); the model would read it as the
    // default.
    if raw.get_attr("auth_token_update_strategy").is_none_or(Value::is_null) {
        v.set_at_path(&[PathStep::Attr("auth_token_update_strategy".into())], Value::null(Type::String));
    }
    Ok(v)
}

/// hashicorp/aws's checks of the arguments this file added: allowed values, conflicts.
fn validate_arguments(config: &Value, cfg: &Group, out: &mut Vec<Diagnostic>) {
    check_nullable_bool("auto_minor_version_upgrade", cfg.auto_minor_version_upgrade.as_deref(), out);
    let strategy = Some(cfg.auth_token_update_strategy.as_str());
    check_enum("auth_token_update_strategy", strategy, &["SET", "ROTATE", "DELETE"], out);
    check_enum("cluster_mode", cfg.cluster_mode.as_deref(), &["enabled", "disabled", "compatible"], out);
    check_enum("ip_discovery", cfg.ip_discovery.as_deref(), &["ipv4", "ipv6"], out);
    check_enum("network_type", cfg.network_type.as_deref(), &["ipv4", "ipv6", "dual_stack"], out);
    check_enum("transit_encryption_mode", cfg.transit_encryption_mode.as_deref(), &["preferred", "required"], out);
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
    if cfg.snapshot_retention_limit.is_some_and(|n| n > 35) {
        out.push(invalid("Invalid snapshot_retention_limit", "expected snapshot_retention_limit to be at most (35)"));
    }
    if cfg.replicas_per_node_group.is_some_and(|n| n < 0) {
        out.push(invalid("Invalid replicas_per_node_group", "expected replicas_per_node_group to be at least (0)"));
    }
}

impl EcReplicationGroup {
    async fn read_one(&self, c: &Ctx<'_>, id: &str, like: &Group) -> Result<Value> {
        let stub = Group { id: Some(id.to_string()), ..like.clone() };
        crate::resource::read_model(self, c, &stub, &format!("ElastiCache replication group {id}")).await
    }

    async fn do_create(&self, c: &Ctx<'_>, planned: &Group, token: Option<&str>) -> Result<Value> {
        let id = planned.replication_group_id.to_lowercase();
        let what = format!("creating ElastiCache replication group {id}");
        let global = planned.global_replication_group_id.clone();
        let mut req = c
            .clients
            .elasticache
            .create_replication_group()
            .replication_group_id(&id)
            .replication_group_description(&planned.description)
            .set_engine_version(planned.engine_version.clone())
            .set_num_cache_clusters(int32(planned.num_cache_clusters))
            .set_num_node_groups(int32(planned.num_node_groups).filter(|n| *n != 0))
            .set_replicas_per_node_group(int32(planned.replicas_per_node_group))
            .set_preferred_cache_cluster_azs(planned.preferred_cache_cluster_azs.clone().filter(|v| !v.is_empty()))
            .set_port(int32(planned.port))
            .set_cache_subnet_group_name(planned.subnet_group_name.clone())
            .set_security_group_ids(nonempty(&planned.security_group_ids))
            .set_cache_security_group_names(nonempty(&planned.security_group_names))
            .set_cache_parameter_group_name(planned.parameter_group_name.clone())
            .set_multi_az_enabled(planned.multi_az_enabled.then_some(true))
            .set_at_rest_encryption_enabled(parse_bool(planned.at_rest_encryption_enabled.as_deref()))
            .set_auto_minor_version_upgrade(parse_bool(planned.auto_minor_version_upgrade.as_deref()))
            .set_cluster_mode(planned.cluster_mode.as_deref().map(ClusterMode::from))
            .set_data_tiering_enabled(planned.data_tiering_enabled.filter(|d| *d))
            .set_ip_discovery(planned.ip_discovery.as_deref().map(IpDiscovery::from))
            .set_network_type(planned.network_type.as_deref().map(NetworkType::from))
            .set_transit_encryption_mode(planned.transit_encryption_mode.as_deref().map(TransitEncryptionMode::from))
            .set_notification_topic_arn(planned.notification_topic_arn.clone())
            .set_kms_key_id(planned.kms_key_id.clone())
            .set_auth_token(token.map(str::to_string))
            .set_user_group_ids(nonempty(&planned.user_group_ids))
            .set_log_delivery_configurations(log_requests(&planned.log_delivery_configuration))
            .set_preferred_maintenance_window(planned.maintenance_window.clone())
            .set_snapshot_retention_limit(int32(planned.snapshot_retention_limit))
            .set_snapshot_window(planned.snapshot_window.clone())
            .set_snapshot_arns(nonempty(&planned.snapshot_arns))
            .set_snapshot_name(planned.snapshot_name.clone())
            .set_tags(ec_tags(&planned.tags.at_create(c)));
        // A member of a global replication group takes its engine, node type and encryption
        // from the global group; any other group needs a node type (hashicorp/aws checks this
        // at apply, as here).
        if let Some(g) = &global {
            req = req.global_replication_group_id(g);
        } else {
            let Some(node_type) = planned.node_type.clone() else {
                return Err(ProviderError::new(format!(
                    "{what}: \"node_type\" is required unless \"global_replication_group_id\" is set"
                )));
            };
            req = req
                .cache_node_type(node_type)
                // As the Terraform provider: redis unless said otherwise (the default).
                .engine(&planned.engine)
                .automatic_failover_enabled(planned.automatic_failover_enabled)
                .set_transit_encryption_enabled(planned.transit_encryption_enabled);
        }
        req.send().await.map_err(|e| sdk_error(&what, e))?;
        let partial = || Group { id: Some(id.clone()), ..planned.clone() }.to_value();
        let limit = limit(&planned.timeouts, Op::Create, CREATE_TIMEOUT);
        wait_available(c, &id, limit, true).await.map_err(|e| e.with_partial_state(partial()))?;
        if let Some(g) = &global {
            wait_global_available(c, g, limit).await.map_err(|e| e.with_partial_state(partial()))?;
        }
        self.read_one(c, &id, planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    async fn do_update(
        &self,
        c: &Ctx<'_>,
        prior: &Group,
        raw: &Value,
        planned: &Group,
        token: Option<&str>,
    ) -> Result<Value> {
        let id = prior.id.clone().unwrap_or_default();
        let limit = limit(&planned.timeouts, Op::Update, UPDATE_TIMEOUT);
        let (old_n, new_n) = (prior.num_cache_clusters.unwrap_or(1), planned.num_cache_clusters);
        // A change: the planned value differs and is known (what is not known yet reads as
        // unset in the model, and is left as it is).
        let known = |k: &str| raw.get_attr(k).is_none_or(|v| !v.is_unknown());
        // The order the Terraform provider uses: shards or more replicas first, then the
        // group's settings, then the auth token, then fewer replicas.
        let shards = (prior.num_node_groups != planned.num_node_groups && known("num_node_groups"))
            || (prior.replicas_per_node_group != planned.replicas_per_node_group && known("replicas_per_node_group"));
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
            .apply_immediately(planned.apply_immediately.unwrap_or(false));
        let mut any = false;
        let mut on = |k: &str, differs: bool| {
            let ch = differs && known(k);
            any |= ch;
            ch
        };
        macro_rules! on {
            ($k:ident) => {
                on(stringify!($k), prior.$k != planned.$k)
            };
        }
        if on!(description) {
            req = req.replication_group_description(&planned.description);
        }
        if on!(engine) {
            req = req.engine(&planned.engine);
        }
        if on!(engine_version) {
            req = req.set_engine_version(planned.engine_version.clone()).engine(&planned.engine);
        }
        if on!(node_type) {
            req = req.set_cache_node_type(planned.node_type.clone());
        }
        if on!(automatic_failover_enabled) {
            req = req.automatic_failover_enabled(planned.automatic_failover_enabled);
        }
        if on!(multi_az_enabled) {
            req = req.multi_az_enabled(planned.multi_az_enabled);
        }
        if on!(transit_encryption_enabled) {
            req = req.set_transit_encryption_enabled(planned.transit_encryption_enabled);
        }
        if on!(security_group_ids) {
            let ids = planned.security_group_ids.iter().flatten().cloned().collect();
            req = req.set_security_group_ids(Some(ids));
        }
        if on!(parameter_group_name) {
            req = req.set_cache_parameter_group_name(planned.parameter_group_name.clone());
        }
        if on!(maintenance_window) {
            req = req.set_preferred_maintenance_window(planned.maintenance_window.clone());
        }
        if on!(snapshot_retention_limit) {
            if prior.snapshot_retention_limit.unwrap_or(0) == 0 {
                req = req.snapshotting_cluster_id(format!("{id}-001"));
            }
            req = req.set_snapshot_retention_limit(int32(planned.snapshot_retention_limit));
        }
        if on!(snapshot_window) {
            req = req.set_snapshot_window(planned.snapshot_window.clone());
        }
        if on!(auto_minor_version_upgrade) {
            req = req.set_auto_minor_version_upgrade(parse_bool(planned.auto_minor_version_upgrade.as_deref()));
        }
        if on!(cluster_mode) {
            req = req.set_cluster_mode(planned.cluster_mode.as_deref().map(ClusterMode::from));
        }
        if on!(ip_discovery) {
            req = req.set_ip_discovery(planned.ip_discovery.as_deref().map(IpDiscovery::from));
        }
        if on!(transit_encryption_mode) {
            let mode = planned.transit_encryption_mode.as_deref().map(TransitEncryptionMode::from);
            req = req.set_transit_encryption_mode(mode);
        }
        if on!(notification_topic_arn) {
            // No topic: notifications off (an empty ARN is refused).
            req = match planned.notification_topic_arn.as_deref().filter(|a| !a.is_empty()) {
                Some(arn) => req.notification_topic_arn(arn).notification_topic_status("active"),
                None => req.notification_topic_status("inactive"),
            };
        }
        if let Some(names) = nonempty(&planned.security_group_names)
            && on!(security_group_names)
        {
            req = req.set_cache_security_group_names(Some(names));
        }
        if on!(log_delivery_configuration) {
            let reqs = log_requests_for_change(&prior.log_delivery_configuration, &planned.log_delivery_configuration);
            req = req.set_log_delivery_configurations(Some(reqs));
        }
        let strategy = planned.auth_token_update_strategy.clone();
        let auth_changed = prior.auth_token != planned.auth_token
            || prior.auth_token_update_strategy != planned.auth_token_update_strategy;
        if on!(user_group_ids) {
            let (old, new) =
                (prior.user_group_ids.clone().unwrap_or_default(), planned.user_group_ids.clone().unwrap_or_default());
            let add: Vec<String> = new.difference(&old).cloned().collect();
            let remove: Vec<String> = old.difference(&new).cloned().collect();
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
        let arn = prior.arn.clone().unwrap_or_default();
        ec_update_tags(c, &arn, &prior.tags.wanted(), &planned.tags.wanted()).await?;
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
        Group::schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        // A configuration's values may not be known yet: those read as unset (or as the
        // default). The required ones are checked as configured, below.
        let cfg = Group::from_stub(config).unwrap_or_default();
        if !ENGINES[1..].contains(&cfg.engine.as_str()) {
            let e = &cfg.engine;
            out.push(invalid("Invalid engine", format!("expected engine to be redis or valkey, got {e:?}")));
        }
        if let Some(s) = &cfg.at_rest_encryption_enabled
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
        // (Failover configured as false, not left unset.)
        if cfg.multi_az_enabled && val::boolean(config, "automatic_failover_enabled") == Some(false) {
            out.push(invalid(
                "Invalid multi_az_enabled",
                "automatic_failover_enabled must be true when multi_az_enabled is true",
            ));
        }
        if cfg.automatic_failover_enabled && cfg.num_cache_clusters.is_some_and(|n| n < 2) {
            out.push(invalid(
                "Invalid num_cache_clusters",
                "\"num_cache_clusters\": must be at least 2 if automatic_failover_enabled is true",
            ));
        }
        validate_arguments(config, &cfg, &mut out);
        out
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        let prior_obj = prior.filter(|p| !p.is_null());
        // hashicorp/aws's DiffSuppressFuncs, said as the configuration they mean: the default
        // port read back where none is configured, and the engine, its version and the
        // parameter group of a member of a global replication group (they are the global
        // group's), are no change.
        let mut suppressed = config.clone();
        // (Values not known yet read as unset.)
        let read = |v: &Value| Group::from_stub(v).unwrap_or_default();
        if let Some(prior) = prior_obj {
            let was = read(prior);
            if crate::plan::missing(config, "port") && was.port == Some(DEFAULT_PORT) {
                suppressed.set_at_path(&[PathStep::Attr("port".into())], Value::from(DEFAULT_PORT));
            }
            if was.global_replication_group_id.is_some_and(|g| !g.is_empty()) {
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
            let schema = Group::schema();
            let filled = prior_obj.map(|p| crate::legacy::config_with_zero_values(p, suppressed.clone(), &schema));
            *plan = terrane_engine::plan::diff::generic_plan(&schema, prior, filled.as_ref().unwrap_or(&suppressed));
            if plan.requires_replace.is_empty() {
                suppressed = filled.unwrap_or(suppressed);
            } else {
                *plan = terrane_engine::plan::diff::generic_plan(&schema, prior, &suppressed);
            }
        }
        // ElastiCache stores both in lowercase (Terraform's StateFunc does the same).
        replan_lowercase(&Group::schema(), prior, &suppressed, plan, &["replication_group_id", "maintenance_window"]);
        // Valkey back to Redis is a new group (hashicorp/aws's engine ForceNew on downgrade).
        if let Some(prior) = prior_obj
            && read(prior).engine == "valkey"
            && read(&plan.planned).engine == "redis"
        {
            force_replacement(&Group::schema(), &suppressed, plan, "engine");
        }
        let Some(prior) = prior_obj.filter(|_| plan.requires_replace.is_empty()) else { return };
        // A group whose state has no update strategy (written before it had a default) has
        // the default: hashicorp/aws's state upgrade writes ROTATE in; here the plan keeps it
        // unset rather than updating the group (with its auth token) to say so.
        if prior.get_attr("auth_token_update_strategy").is_none_or(Value::is_null)
            && plan.planned.get_attr("auth_token_update_strategy").and_then(Value::as_str) == Some("ROTATE")
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
                    let ty = Group::schema().attributes[*k].ty.clone();
                    plan.planned.set_at_path(&[PathStep::Attr((*k).into())], Value::unknown(ty));
                }
            }
        }
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = Group::from_value(planned)?;
        let token = planned.auth_token.clone();
        self.do_create(c, &planned, token.as_deref()).await.map_err(|e| scrub(e, token.as_deref()))
    }

    /// Found by its ID (`replication_group_id`, unique in the account and region), carrying
    /// the token tag CreateReplicationGroup gave it; one still being created is waited for, as
    /// the create would.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        // (A record of a plan may hold unknowns, recorded as null: read leniently.)
        let planned = Group::from_stub(planned)?;
        let id = planned.replication_group_id.to_lowercase();
        let stub = Group { id: Some(id.clone()), ..planned.clone() }.to_value();
        if id.is_empty() || crate::resource::find_named(self, c, stub, true).await?.is_none() {
            return Ok(None);
        }
        wait_available(c, &id, limit(&planned.timeouts, Op::Create, CREATE_TIMEOUT), true).await?;
        Ok(Some(self.read_one(c, &id, &planned).await?))
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
        let (prior, raw, planned) = (Group::from_stub(prior)?, planned, Group::from_value(planned)?);
        let token = planned.auth_token.clone();
        let old = prior.auth_token.clone();
        self.do_update(c, &prior, raw, &planned, token.as_deref())
            .await
            .map_err(|e| scrub(scrub(e, token.as_deref()), old.as_deref()))
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = Group::from_stub(prior)?;
        let id = prior.id.clone().unwrap_or_default();
        let limit = limit(&prior.timeouts, Op::Delete, DELETE_TIMEOUT);
        let final_snapshot = prior.final_snapshot_identifier.clone();
        // A member of a global replication group leaves it first.
        if let Some(g) = prior.global_replication_group_id.clone().filter(|g| !g.is_empty()) {
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
        assert_eq!(EcReplicationGroup.check(&bad).len(), 1);
    }

    /// A group's state, written before the update strategy had a default (so without one).
    fn prior_group(engine: &str) -> Value {
        let mut v = Group {
            id: Some("rg".into()),
            replication_group_id: "rg".into(),
            description: "d".into(),
            engine: engine.into(),
            node_type: Some("cache.t3.micro".into()),
            port: Some(6379),
            apply_immediately: Some(false),
            snapshot_retention_limit: Some(0),
            ..Group::default()
        }
        .to_value();
        v.set_at_path(&[PathStep::Attr("auth_token_update_strategy".into())], Value::null(Type::String));
        v
    }

    /// A configuration as the engine passes it: every attribute, null where not set.
    fn config(set: Vec<(&str, Value)>) -> Value {
        let schema = Group::schema();
        let mut m: std::collections::BTreeMap<String, Value> =
            schema.attributes.keys().map(|k| (k.clone(), Value::NULL)).collect();
        m.insert("log_delivery_configuration".into(), Value::empty_set(LogDelivery::schema().value_type()));
        m.extend(set.into_iter().map(|(k, v)| (k.to_string(), v)));
        Value::object_from_map(m).conform(&schema.value_type())
    }

    fn plan(prior: &Value, config: &Value) -> PlanResponse {
        let mut p = terrane_engine::plan::diff::generic_plan(&Group::schema(), Some(prior), config);
        EcReplicationGroup.customize_plan(Some(prior), config, &mut p);
        p
    }

    #[test]
    fn the_default_port_read_back_is_no_change() {
        let prior = prior_group("redis");
        let base = || {
            vec![
                ("replication_group_id", Value::from("rg")),
                ("description", Value::from("d")),
                ("node_type", Value::from("cache.t3.micro")),
            ]
        };
        let p = plan(&prior, &config(base()));
        assert!(p.requires_replace.is_empty(), "{:?}", p.requires_replace);
        let planned = Group::from_value(&p.planned).unwrap();
        assert_eq!(planned.port, Some(6379));
        // The prior state's zero retention (as Terraform writes it) is kept, not planned away.
        assert_eq!(planned.snapshot_retention_limit, Some(0));
        // A state without an update strategy keeps none (no update for the default).
        assert_eq!(p.planned.get_attr("auth_token_update_strategy"), Some(&Value::null(Type::String)));
        let mut other = base();
        other.push(("port", Value::from(6380i64)));
        assert_eq!(plan(&prior, &config(other)).requires_replace, vec![vec![PathStep::Attr("port".into())]]);
    }

    #[test]
    fn valkey_back_to_redis_replaces_the_group() {
        let prior = prior_group("valkey");
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
