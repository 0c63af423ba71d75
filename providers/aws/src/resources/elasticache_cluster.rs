//! `aws_elasticache_cluster`: a Memcached or single-node Redis/Valkey cache.

use crate::delete::wait_gone;
use crate::describe::{all_failed, bounded};
use crate::elasticache::{
    ENGINES, LogDelivery, bool_text, check_enum, check_nullable_bool, ec_tags, ec_tags_of, ec_update_tags,
    fetch_clusters, find_cluster, log_deliveries, log_requests, log_requests_for_change, parse_bool, retention,
    security_groups, validate_conflicts, validate_log_delivery,
};
use crate::errors::{code, describe, is_not_found, sdk_error};
use crate::model::{Object, Op, Tags, Timeouts, limit};
use crate::plan::{engine_version, force_replacement, missing, replan_lowercase};
use crate::resource::{Ctx, ResourceType, Result, invalid};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_elasticache::types::{AzMode, CacheCluster, IpDiscovery, NetworkType, OutpostMode};
use std::collections::BTreeSet;
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::plan::diff::same;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::{PathStep, Value};

pub struct EcCluster;

const CREATE_TIMEOUT: Duration = Duration::from_secs(40 * 60);
const UPDATE_TIMEOUT: Duration = Duration::from_secs(80 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(40 * 60);

/// Statuses a cluster passes through on its way to `available`.
const PENDING: &[&str] = &["creating", "modifying", "snapshotting", "rebooting cluster nodes"];

/// An `aws_elasticache_cluster` object.
#[derive(Model, Clone, Debug, Default)]
struct Cluster {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(required, force_new)]
    cluster_id: String,
    #[model(optional, computed, force_new)]
    engine: Option<String>,
    #[model(optional, computed)]
    engine_version: Option<String>,
    #[model(computed)]
    engine_version_actual: Option<String>,
    #[model(optional, computed)]
    node_type: Option<String>,
    #[model(optional, computed)]
    num_cache_nodes: Option<i64>,
    #[model(optional, computed, force_new)]
    port: Option<i64>,
    #[model(optional, computed)]
    parameter_group_name: Option<String>,
    #[model(optional, computed, force_new)]
    subnet_group_name: Option<String>,
    #[model(optional, computed)]
    security_group_ids: Option<BTreeSet<String>>,
    #[model(optional, computed)]
    az_mode: Option<String>,
    #[model(optional, computed, force_new)]
    availability_zone: Option<String>,
    #[model(optional, computed)]
    maintenance_window: Option<String>,
    #[model(optional)]
    snapshot_retention_limit: Option<i64>,
    #[model(optional, computed)]
    snapshot_window: Option<String>,
    #[model(optional)]
    final_snapshot_identifier: Option<String>,
    #[model(optional)]
    preferred_availability_zones: Option<Vec<String>>,
    #[model(optional, force_new)]
    snapshot_arns: Option<Vec<String>>,
    #[model(optional, force_new)]
    snapshot_name: Option<String>,
    #[model(optional, computed)]
    apply_immediately: Option<bool>,
    /// A string in hashicorp/aws 5.x ("true" or "false"), "true" unless configured.
    #[model(optional, default = "true")]
    auto_minor_version_upgrade: String,
    #[model(optional, computed)]
    ip_discovery: Option<String>,
    #[model(optional, computed, force_new)]
    network_type: Option<String>,
    #[model(optional)]
    notification_topic_arn: Option<String>,
    #[model(optional, force_new)]
    outpost_mode: Option<String>,
    #[model(optional, computed, force_new)]
    preferred_outpost_arn: Option<String>,
    #[model(optional, computed, force_new)]
    replication_group_id: Option<String>,
    #[model(optional, computed, force_new)]
    transit_encryption_enabled: Option<bool>,
    #[model(block = "set", max = 2)]
    log_delivery_configuration: Vec<LogDelivery>,
    #[model(computed)]
    cache_nodes: Option<Vec<Object<CacheNode>>>,
    #[model(computed)]
    cluster_address: Option<String>,
    #[model(computed)]
    configuration_endpoint: Option<String>,
    #[model(flatten)]
    tags: Tags,
    #[model(block = "single")]
    timeouts: Option<Timeouts>,
}

/// An element of `cache_nodes`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
struct CacheNode {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    address: Option<String>,
    #[model(computed)]
    port: Option<i64>,
    #[model(computed)]
    availability_zone: Option<String>,
    #[model(computed)]
    outpost_arn: Option<String>,
}

fn changed(prior: &Value, planned: &Value, k: &str) -> bool {
    let p = prior.get_attr(k).cloned().unwrap_or_default();
    let n = planned.get_attr(k).cloned().unwrap_or_default();
    !same(&p, &n) && !n.is_unknown()
}

fn int32(n: Option<i64>) -> Option<i32> {
    n.map(|n| n as i32)
}

async fn wait_available(c: &Ctx<'_>, id: &str, limit: Duration, creating: bool) -> Result<()> {
    wait_for(&format!("ElastiCache cluster {id} to become available"), limit, || async {
        let Some(cc) = find_cluster(c, id).await? else {
            return Ok(if creating { Poll::Pending("not found yet".into()) } else { Poll::Failed("gone".into()) });
        };
        let status = cc.cache_cluster_status().unwrap_or("unknown").to_string();
        Ok(match status.as_str() {
            "available" => Poll::Done(()),
            s if PENDING.contains(&s) => Poll::Pending(status),
            _ => Poll::Failed(status),
        })
    })
    .await
}

async fn build(c: &Ctx<'_>, cur: &Value, id: &str, cc: Option<&CacheCluster>) -> Result<Option<Value>> {
    let Some(cc) = cc else { return Ok(None) };
    let cur = Cluster::from_stub(cur)?;
    let api_tags = ec_tags_of(c, cc.arn().unwrap_or_default()).await?;
    let tags = cur.tags.read_back(c, &api_tags);
    Ok(Some(cluster_value(cc, id, cur, tags).to_value()))
}

/// The state of a cluster as DescribeCacheClusters (with node info) reports it; `cur` is the
/// prior value (or the plan).
fn cluster_value(cc: &CacheCluster, id: &str, cur: Cluster, tags: Tags) -> Cluster {
    let text = |s: Option<&str>| s.map(str::to_string);
    let mut nodes: Vec<_> = cc.cache_nodes().iter().collect();
    nodes.sort_by_key(|n| n.cache_node_id().unwrap_or_default().to_string());
    let nodes = nodes
        .into_iter()
        .map(|n| {
            Object(CacheNode {
                id: text(n.cache_node_id()),
                address: text(n.endpoint().and_then(|e| e.address())),
                port: n.endpoint().and_then(|e| e.port()).map(i64::from),
                availability_zone: text(n.customer_availability_zone()),
                outpost_arn: text(n.customer_outpost_arn()),
            })
        })
        .collect();
    let config_endpoint = cc.configuration_endpoint();
    let port = config_endpoint.and_then(|e| e.port()).or(cc.cache_nodes().first().and_then(|n| n.endpoint()?.port()));
    let az = cc.preferred_availability_zone();
    let az_mode = az.map(|z| if z == "Multiple" { "cross-az" } else { "single-az" });
    let sgs = Some(security_groups(cc)).filter(|s| !s.is_empty());
    // moto leaves out several fields AWS always returns: the configured value is kept for
    // those (`.or(cur...)`), so the omission is not taken for drift.
    Cluster {
        id: Some(id.to_string()),
        cluster_id: cc.cache_cluster_id().unwrap_or(id).to_string(),
        arn: Some(cc.arn().unwrap_or_default().to_string()),
        engine: text(cc.engine()),
        engine_version: engine_version(cur.engine_version, cc.engine_version()).as_str().map(str::to_string),
        engine_version_actual: text(cc.engine_version()),
        node_type: text(cc.cache_node_type()),
        num_cache_nodes: cc.num_cache_nodes().map(i64::from),
        port: port.map(i64::from).or(cur.port),
        parameter_group_name: text(cc.cache_parameter_group().and_then(|g| g.cache_parameter_group_name()))
            .or(cur.parameter_group_name),
        subnet_group_name: text(cc.cache_subnet_group_name()).or(cur.subnet_group_name),
        security_group_ids: sgs.or(cur.security_group_ids).or(Some(BTreeSet::new())),
        az_mode: text(az_mode).or(cur.az_mode),
        availability_zone: text(az.filter(|z| *z != "Multiple")).or(cur.availability_zone),
        maintenance_window: text(cc.preferred_maintenance_window()).or(cur.maintenance_window),
        snapshot_retention_limit: retention(cc.snapshot_retention_limit(), cur.snapshot_retention_limit),
        snapshot_window: text(cc.snapshot_window()).or(cur.snapshot_window),
        cache_nodes: Some(nodes),
        cluster_address: text(config_endpoint.and_then(|e| e.address())),
        configuration_endpoint: config_endpoint.and_then(|e| Some(format!("{}:{}", e.address()?, e.port()?))),
        auto_minor_version_upgrade: bool_text(cc.auto_minor_version_upgrade())
            .unwrap_or(cur.auto_minor_version_upgrade),
        ip_discovery: text(cc.ip_discovery().map(|m| m.as_str())).or(cur.ip_discovery),
        network_type: text(cc.network_type().map(|m| m.as_str())).or(cur.network_type),
        preferred_outpost_arn: text(cc.preferred_outpost_arn()).or(cur.preferred_outpost_arn),
        replication_group_id: text(cc.replication_group_id().filter(|r| !r.is_empty())),
        transit_encryption_enabled: cc.transit_encryption_enabled().or(cur.transit_encryption_enabled),
        // Read back only while the topic is active, as hashicorp/aws does; otherwise (and where
        // the API leaves the notification configuration out) the configured one is kept.
        notification_topic_arn: match cc.notification_configuration().filter(|n| n.topic_status() == Some("active")) {
            Some(n) => text(n.topic_arn()),
            None => cur.notification_topic_arn,
        },
        log_delivery_configuration: log_deliveries(cc.log_delivery_configurations()),
        tags,
        // Arguments the API does not return: kept as configured.
        final_snapshot_identifier: cur.final_snapshot_identifier,
        outpost_mode: cur.outpost_mode,
        preferred_availability_zones: cur.preferred_availability_zones,
        snapshot_arns: cur.snapshot_arns,
        snapshot_name: cur.snapshot_name,
        timeouts: cur.timeouts,
        apply_immediately: Some(cur.apply_immediately.unwrap_or(false)),
    }
}

/// Arguments only Redis and Valkey take (snapshots).
const REDIS_ONLY: &[&str] =
    &["snapshot_retention_limit", "snapshot_window", "snapshot_arns", "snapshot_name", "final_snapshot_identifier"];

/// Terraform's checks of the arguments that depend on the engine (its CustomizeDiff), and
/// the snapshot arguments Memcached has no use for (AWS would refuse them at apply).
fn validate_engine_arguments(config: &Value, cfg: &Cluster, out: &mut Vec<Diagnostic>) {
    let nodes = cfg.num_cache_nodes;
    if cfg.az_mode.as_deref() == Some("cross-az") && nodes == Some(1) {
        out.push(invalid("Invalid az_mode", "az_mode \"cross-az\" is not supported with num_cache_nodes = 1"));
    }
    match cfg.engine.as_deref() {
        Some("memcached") => {
            for k in REDIS_ONLY {
                let set = match config.get_attr(k) {
                    None => false,
                    Some(v) if v.is_null() => false,
                    Some(v) if *k == "snapshot_retention_limit" => v.as_f64().is_none_or(|n| n != 0.0),
                    Some(v) => v.as_seq().is_none_or(|items| !items.is_empty()),
                };
                if set {
                    out.push(invalid(
                        "Argument not supported by the engine",
                        format!("engine \"memcached\" does not support {k}: snapshots are a Redis and Valkey feature."),
                    ));
                }
            }
        }
        Some(engine) if nodes.is_some_and(|n| n > 1) => out.push(invalid(
            "Invalid num_cache_nodes",
            format!("engine \"{engine}\" does not support num_cache_nodes > 1 (use aws_elasticache_replication_group for replicas)"),
        )),
        _ => {}
    }
    if let Some(zones) = &cfg.preferred_availability_zones
        && let Some(n) = nodes
        && zones.len() as i64 != n
    {
        out.push(invalid(
            "Invalid preferred_availability_zones",
            format!(
                "preferred_availability_zones lists {} zones: it must list one per cache node (num_cache_nodes = {n}).",
                zones.len()
            ),
        ));
    }
}

/// What AWS gives a new cluster unless told otherwise, known at plan time: the engine's port
/// (11211 for Memcached, 6379 for Redis and Valkey) and Memcached's default parameter group
/// for the configured version (`default.memcached1.6` for 1.6.x).
fn plan_engine_defaults(config: &Value, plan: &mut PlanResponse) {
    // (Values not known yet read as unset.)
    let cfg = Cluster::from_stub(config).unwrap_or_default();
    let engine = cfg.engine;
    let set = |plan: &mut PlanResponse, k: &str, v: Value| plan.planned.set_at_path(&[PathStep::Attr(k.into())], v);
    if missing(config, "port") {
        match engine.as_deref() {
            Some("memcached") => set(plan, "port", Value::from(11211i64)),
            Some("redis" | "valkey") => set(plan, "port", Value::from(6379i64)),
            _ => {}
        }
    }
    if engine.as_deref() == Some("memcached")
        && missing(config, "parameter_group_name")
        && let Some(version) = cfg.engine_version
        && let [major, minor, ..] = version.split('.').collect::<Vec<_>>()[..]
        && [major, minor].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        set(plan, "parameter_group_name", Value::from(format!("default.memcached{major}.{minor}")));
    }
}

/// hashicorp/aws's checks of the arguments this file added: allowed values, conflicts, and
/// arguments that need one another.
fn validate_arguments(config: &Value, cfg: &Cluster, out: &mut Vec<Diagnostic>) {
    check_nullable_bool("auto_minor_version_upgrade", Some(&cfg.auto_minor_version_upgrade), out);
    check_enum("ip_discovery", cfg.ip_discovery.as_deref(), &["ipv4", "ipv6"], out);
    check_enum("network_type", cfg.network_type.as_deref(), &["ipv4", "ipv6", "dual_stack"], out);
    check_enum("outpost_mode", cfg.outpost_mode.as_deref(), &["single-outpost", "cross-outpost"], out);
    out.extend(validate_log_delivery(config));
    validate_conflicts(
        config,
        "replication_group_id",
        &[
            "az_mode",
            "engine_version",
            "maintenance_window",
            "node_type",
            "notification_topic_arn",
            "num_cache_nodes",
            "parameter_group_name",
            "port",
            "security_group_ids",
            "snapshot_arns",
            "snapshot_name",
            "snapshot_retention_limit",
            "snapshot_window",
            "subnet_group_name",
        ],
        out,
    );
    if !missing(config, "outpost_mode") && missing(config, "preferred_outpost_arn") {
        out.push(invalid(
            "Missing required argument",
            "\"outpost_mode\": all of `outpost_mode,preferred_outpost_arn` must be specified",
        ));
    }
    if cfg.snapshot_retention_limit.is_some_and(|n| n > 35) {
        out.push(invalid("Invalid snapshot_retention_limit", "expected snapshot_retention_limit to be at most (35)"));
    }
}

impl EcCluster {
    async fn read_one(&self, c: &Ctx<'_>, id: &str, like: &Cluster) -> Result<Value> {
        let stub = Cluster { id: Some(id.to_string()), ..like.clone() };
        crate::resource::read_model(self, c, &stub, &format!("ElastiCache cluster {id}")).await
    }
}

#[async_trait]
impl ResourceType for EcCluster {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::ElastiCache)
    }

    fn name(&self) -> &'static str {
        "aws_elasticache_cluster"
    }

    fn schema(&self) -> Schema {
        Cluster::schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        // A configuration's values may not be known yet: those read as unset.
        let cfg = Cluster::from_stub(config).unwrap_or_default();
        // hashicorp/aws's ExactlyOneOf: a cluster runs an engine, or joins a replication group.
        match (missing(config, "engine"), missing(config, "replication_group_id")) {
            (true, true) => out.push(invalid(
                "Missing required argument",
                "\"engine\": one of `engine,replication_group_id` must be specified (engine: memcached, redis or valkey).",
            )),
            (false, false) => out.push(invalid(
                "Invalid combination of arguments",
                "\"engine\": only one of `engine,replication_group_id` can be specified.",
            )),
            _ => {}
        }
        validate_arguments(config, &cfg, &mut out);
        if let Some(e) = &cfg.engine
            && !ENGINES.contains(&e.as_str())
        {
            out.push(invalid("Invalid engine", format!("expected engine to be one of {ENGINES:?}, got {e:?}")));
        }
        // (Required: what is not known yet reads as "", which is not what the check is for.)
        if let Some(id) = crate::val::string(config, "cluster_id")
            && (id.is_empty()
                || id.len() > 50
                || !id.starts_with(|ch: char| ch.is_ascii_alphabetic())
                || !id.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
                || id.contains("--")
                || id.ends_with('-'))
        {
            out.push(invalid(
                "Invalid cluster_id",
                format!("{id:?}: 1 to 50 alphanumeric characters or hyphens, beginning with a letter, without two consecutive hyphens or a trailing hyphen"),
            ));
        }
        if let Some(mode) = &cfg.az_mode
            && mode != "single-az"
            && mode != "cross-az"
        {
            out.push(invalid("Invalid az_mode", format!("expected az_mode to be single-az or cross-az, got {mode:?}")));
        }
        validate_engine_arguments(config, &cfg, &mut out);
        out
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        // ElastiCache stores both in lowercase (Terraform's StateFunc does the same).
        replan_lowercase(&Cluster::schema(), prior, config, plan, &["cluster_id", "maintenance_window"]);
        if let Some(prior) = prior.filter(|p| !p.is_null()) {
            // Memcached cannot change its node type in place (Terraform's ForceNewIf).
            let engine = Cluster::from_stub(prior).unwrap_or_default().engine;
            if engine.as_deref() == Some("memcached") && changed(prior, &plan.planned, "node_type") {
                force_replacement(&Cluster::schema(), config, plan, "node_type");
            }
            if plan.requires_replace.is_empty() {
                for (arg, derived) in [("num_cache_nodes", "cache_nodes"), ("engine_version", "engine_version_actual")]
                {
                    if changed(prior, &plan.planned, arg) {
                        plan.planned.set_at_path(&[PathStep::Attr(derived.into())], Value::DYNAMIC);
                    }
                }
                return;
            }
        }
        plan_engine_defaults(config, plan);
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = Cluster::from_value(planned)?;
        let id = planned.cluster_id.to_lowercase();
        // A cluster joining a replication group takes its security groups from the group.
        let group = planned.replication_group_id.clone();
        let sgs: Vec<String> =
            if group.is_some() { Vec::new() } else { planned.security_group_ids.iter().flatten().cloned().collect() };
        c.clients
            .elasticache
            .create_cache_cluster()
            .cache_cluster_id(&id)
            .set_replication_group_id(group)
            .set_auto_minor_version_upgrade(parse_bool(Some(&planned.auto_minor_version_upgrade)))
            .set_outpost_mode(planned.outpost_mode.as_deref().map(OutpostMode::from))
            .set_preferred_outpost_arn(planned.preferred_outpost_arn.clone())
            .set_notification_topic_arn(planned.notification_topic_arn.clone())
            .set_transit_encryption_enabled(planned.transit_encryption_enabled)
            .set_ip_discovery(planned.ip_discovery.as_deref().map(IpDiscovery::from))
            .set_network_type(planned.network_type.as_deref().map(NetworkType::from))
            .set_log_delivery_configurations(log_requests(&planned.log_delivery_configuration))
            .set_engine(planned.engine.clone())
            .set_engine_version(planned.engine_version.clone())
            .set_cache_node_type(planned.node_type.clone())
            .set_num_cache_nodes(int32(planned.num_cache_nodes))
            .set_port(int32(planned.port))
            .set_cache_parameter_group_name(planned.parameter_group_name.clone())
            .set_cache_subnet_group_name(planned.subnet_group_name.clone())
            .set_security_group_ids((!sgs.is_empty()).then_some(sgs))
            .set_az_mode(planned.az_mode.as_deref().map(AzMode::from))
            .set_preferred_availability_zone(planned.availability_zone.clone())
            .set_preferred_maintenance_window(planned.maintenance_window.clone())
            .set_snapshot_retention_limit(int32(planned.snapshot_retention_limit))
            .set_snapshot_window(planned.snapshot_window.clone())
            .set_preferred_availability_zones(planned.preferred_availability_zones.clone().filter(|z| !z.is_empty()))
            .set_snapshot_arns(planned.snapshot_arns.clone().filter(|a| !a.is_empty()))
            .set_snapshot_name(planned.snapshot_name.clone())
            .set_tags(ec_tags(&planned.tags.at_create(c)))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("creating ElastiCache cluster {id}"), e))?;
        let partial = || Cluster { id: Some(id.clone()), ..planned.clone() }.to_value();
        wait_available(c, &id, limit(&planned.timeouts, Op::Create, CREATE_TIMEOUT), true)
            .await
            .map_err(|e| e.with_partial_state(partial()))?;
        self.read_one(c, &id, &planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by its ID (`cluster_id`, unique in the account and region), carrying the token
    /// tag CreateCacheCluster gave it; one still being created is waited for, as the create
    /// would.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        // (A record of a plan may hold unknowns, recorded as null: read leniently.)
        let planned = Cluster::from_stub(planned)?;
        let id = planned.cluster_id.to_lowercase();
        let stub = Cluster { id: Some(id.clone()), ..planned.clone() }.to_value();
        if id.is_empty() || crate::resource::find_named(self, c, stub, true).await?.is_none() {
            return Ok(None);
        }
        wait_available(c, &id, limit(&planned.timeouts, Op::Create, CREATE_TIMEOUT), true).await?;
        Ok(Some(self.read_one(c, &id, &planned).await?))
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let ids: Vec<String> = current.iter().map(|v| crate::val::id(v).to_lowercase()).collect();
        let found = match fetch_clusters(c, &ids).await {
            Ok(f) => f,
            Err(e) => return all_failed(current.len(), &e),
        };
        let reads = current.iter().zip(&ids).map(|(cur, id)| build(c, cur, id, found.get(id)));
        bounded(reads.collect()).await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (raw, prior, planned) = (planned, Cluster::from_stub(prior)?, Cluster::from_value(planned)?);
        let id = prior.id.clone().unwrap_or_default();
        let mut req = c
            .clients
            .elasticache
            .modify_cache_cluster()
            .cache_cluster_id(&id)
            .apply_immediately(planned.apply_immediately.unwrap_or(false));
        let mut any = false;
        // A change: the planned value differs and is known (what is not known yet reads as
        // unset in the model, and is left as it is).
        let mut on = |k: &str, differs: bool| {
            let ch = differs && raw.get_attr(k).is_none_or(|v| !v.is_unknown());
            any |= ch;
            ch
        };
        macro_rules! on {
            ($k:ident) => {
                on(stringify!($k), prior.$k != planned.$k)
            };
        }
        // As hashicorp/aws: no security groups is not sent (the cluster keeps its own).
        let sgs: Vec<String> = planned.security_group_ids.iter().flatten().cloned().collect();
        if !sgs.is_empty() && on!(security_group_ids) {
            req = req.set_security_group_ids(Some(sgs));
        }
        if on!(ip_discovery) {
            req = req.set_ip_discovery(planned.ip_discovery.as_deref().map(IpDiscovery::from));
        }
        if on!(log_delivery_configuration) {
            let reqs = log_requests_for_change(&prior.log_delivery_configuration, &planned.log_delivery_configuration);
            req = req.set_log_delivery_configurations(Some(reqs));
        }
        if on!(notification_topic_arn) {
            // No topic: notifications off.
            req = match planned.notification_topic_arn.as_deref().filter(|a| !a.is_empty()) {
                Some(arn) => req.notification_topic_arn(arn),
                None => req.notification_topic_arn("").notification_topic_status("inactive"),
            };
        }
        if on!(auto_minor_version_upgrade) {
            req = req.set_auto_minor_version_upgrade(parse_bool(Some(&planned.auto_minor_version_upgrade)));
        }
        if on!(parameter_group_name) {
            req = req.set_cache_parameter_group_name(planned.parameter_group_name.clone());
        }
        if on!(maintenance_window) {
            req = req.set_preferred_maintenance_window(planned.maintenance_window.clone());
        }
        if on!(engine_version) {
            req = req.set_engine_version(planned.engine_version.clone());
        }
        if on!(snapshot_window) {
            req = req.set_snapshot_window(planned.snapshot_window.clone());
        }
        if on!(node_type) {
            req = req.set_cache_node_type(planned.node_type.clone());
        }
        if on!(snapshot_retention_limit) {
            req = req.set_snapshot_retention_limit(int32(planned.snapshot_retention_limit));
        }
        if on!(az_mode) {
            req = req.set_az_mode(planned.az_mode.as_deref().map(AzMode::from));
        }
        if on!(num_cache_nodes) {
            let (old, new) = (prior.num_cache_nodes.unwrap_or(0), planned.num_cache_nodes.unwrap_or(0));
            // Fewer nodes: remove the highest-numbered ones, as the Terraform provider does.
            let remove: Vec<String> = (new + 1..=old).rev().map(|i| format!("{i:04}")).collect();
            // More Memcached nodes go to the zones listed after the existing nodes' ones.
            let zones = planned.preferred_availability_zones.clone().unwrap_or_default();
            if new > old && !zones.is_empty() {
                if zones.len() as i64 != new {
                    return Err(ProviderError::new(format!(
                        "updating ElastiCache cluster {id}: length of preferred_availability_zones ({}) must match num_cache_nodes ({new})",
                        zones.len()
                    )));
                }
                req = req.set_new_availability_zones(Some(zones[old.max(0) as usize..].to_vec()));
            }
            req = req
                .set_num_cache_nodes(Some(new as i32))
                .set_cache_node_ids_to_remove((!remove.is_empty()).then_some(remove));
        }
        if any {
            req.send().await.map_err(|e| sdk_error(&format!("updating ElastiCache cluster {id}"), e))?;
            wait_available(c, &id, limit(&planned.timeouts, Op::Update, UPDATE_TIMEOUT), false).await?;
        }
        let arn = prior.arn.clone().unwrap_or_default();
        ec_update_tags(c, &arn, &prior.tags.wanted(), &planned.tags.wanted()).await?;
        self.read_one(c, &id, &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = Cluster::from_stub(prior)?;
        let id = prior.id.clone().unwrap_or_default();
        let limit = limit(&prior.timeouts, Op::Delete, DELETE_TIMEOUT);
        let final_snapshot = prior.final_snapshot_identifier.clone();
        // A cluster that is snapshotting cannot be deleted yet: retry for up to 5 minutes.
        let sent = wait_for(
            &format!("ElastiCache cluster {id} to accept deletion"),
            limit.min(Duration::from_secs(300)),
            || async {
                let req = c
                    .clients
                    .elasticache
                    .delete_cache_cluster()
                    .cache_cluster_id(&id)
                    .set_final_snapshot_identifier(final_snapshot.clone());
                match req.send().await {
                    Ok(_) => Ok(Poll::Done(true)),
                    Err(e) if is_not_found(&e) => Ok(Poll::Done(false)),
                    Err(e)
                        if code(&e) == Some("InvalidCacheClusterState")
                            && !describe("", &e).contains("serving as primary")
                            && !describe("", &e).contains("only member of a replication group") =>
                    {
                        Ok(Poll::Pending(describe("", &e).trim_start_matches(": ").to_string()))
                    }
                    Err(e) => Err(sdk_error(&format!("deleting ElastiCache cluster {id}"), e)),
                }
            },
        )
        .await?;
        if !sent {
            return Ok(());
        }
        wait_gone(&format!("ElastiCache cluster {id} to be deleted"), limit, || async {
            Ok(find_cluster(c, &id).await?.map(|cc| cc.cache_cluster_status().unwrap_or("unknown").to_string()))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cluster with every default (what a configuration that sets nothing reads as).
    fn defaults() -> Cluster {
        Cluster::from_stub(&Value::object(Vec::<(&str, Value)>::new())).unwrap()
    }

    #[test]
    fn engine_is_required_and_checked() {
        assert_eq!(EcCluster.check(&Value::object([("cluster_id", Value::from("web"))])).len(), 1);
        let bad = Value::object([("cluster_id", Value::from("web")), ("engine", Value::from("mongodb"))]);
        assert_eq!(EcCluster.check(&bad).len(), 1);
        let ok = Value::object([("cluster_id", Value::from("web")), ("engine", Value::from("redis"))]);
        assert!(EcCluster.check(&ok).is_empty());
    }

    #[test]
    fn memcached_endpoints_and_nodes_are_read() {
        use aws_sdk_elasticache::types::{CacheNode, Endpoint};
        let node = |id: &str, az: &str| {
            CacheNode::builder()
                .cache_node_id(id)
                .endpoint(Endpoint::builder().address(format!("mc.{id}.cache.amazonaws.com")).port(11211).build())
                .customer_availability_zone(az)
                .build()
        };
        let cc = CacheCluster::builder()
            .cache_cluster_id("mc")
            .engine("memcached")
            .num_cache_nodes(2)
            .preferred_availability_zone("Multiple")
            .configuration_endpoint(Endpoint::builder().address("mc.cfg.cache.amazonaws.com").port(11211).build())
            .cache_nodes(node("0002", "eu-west-1b"))
            .cache_nodes(node("0001", "eu-west-1a"))
            .build();
        let cur = Cluster { id: Some("mc".into()), ..defaults() };
        let v = cluster_value(&cc, "mc", cur, Tags::default());
        assert_eq!(v.configuration_endpoint.as_deref(), Some("mc.cfg.cache.amazonaws.com:11211"));
        assert_eq!(v.cluster_address.as_deref(), Some("mc.cfg.cache.amazonaws.com"));
        assert_eq!(v.port, Some(11211));
        assert_eq!(v.az_mode.as_deref(), Some("cross-az"));
        assert_eq!(v.availability_zone, None);
        let nodes = v.cache_nodes.clone().unwrap();
        let ids: Vec<_> = nodes.iter().filter_map(|n| n.0.id.as_deref()).collect();
        assert_eq!(ids, vec!["0001", "0002"], "sorted by node ID");
        assert_eq!(nodes[0].0.availability_zone.as_deref(), Some("eu-west-1a"));
        let back = v.to_value();
        let first = back.get_attr("cache_nodes").and_then(Value::as_seq).map(|n| n[0].clone()).unwrap();
        assert_eq!(first.get_attr("address"), Some(&Value::from("mc.0001.cache.amazonaws.com")), "a list of objects");
    }

    #[test]
    fn engine_rules_and_defaults() {
        let cfg = |pairs: Vec<(&str, Value)>| Value::object(pairs);
        let bad = cfg(vec![
            ("cluster_id", "mc".into()),
            ("engine", "memcached".into()),
            ("num_cache_nodes", 2i64.into()),
            ("snapshot_retention_limit", 5i64.into()),
        ]);
        let out = EcCluster.check(&bad);
        assert!(out.iter().any(|d| d.detail.contains("does not support snapshot_retention_limit")), "{out:?}");
        let zero = cfg(vec![
            ("cluster_id", "mc".into()),
            ("engine", "memcached".into()),
            ("snapshot_retention_limit", 0i64.into()),
        ]);
        assert!(EcCluster.check(&zero).is_empty());
        let redis = cfg(vec![("cluster_id", "r".into()), ("engine", "redis".into()), ("num_cache_nodes", 2i64.into())]);
        assert!(EcCluster.check(&redis)[0].detail.contains("does not support num_cache_nodes > 1"));

        let config = |id: &str, engine: &str, version: Option<&str>| {
            let engine = Some(engine.to_string());
            let engine_version = version.map(str::to_string);
            let apply_immediately = Some(false);
            Cluster { cluster_id: id.into(), engine, engine_version, apply_immediately, ..defaults() }.to_value()
        };
        let mc = config("mc", "memcached", Some("1.6.22"));
        let mut plan = terrane_engine::plan::diff::generic_plan(&Cluster::schema(), None, &mc);
        EcCluster.customize_plan(None, &mc, &mut plan);
        let planned = Cluster::from_value(&plan.planned).unwrap();
        assert_eq!(planned.port, Some(11211));
        assert_eq!(planned.parameter_group_name.as_deref(), Some("default.memcached1.6"));
        let redis = config("r", "redis", None);
        let mut plan = terrane_engine::plan::diff::generic_plan(&Cluster::schema(), None, &redis);
        EcCluster.customize_plan(None, &redis, &mut plan);
        assert_eq!(Cluster::from_value(&plan.planned).unwrap().port, Some(6379));
        // Not known until AWS picks it (the model reads that as unset, so the value is asked).
        assert_eq!(
            plan.planned.get_attr("parameter_group_name"),
            Some(&Value::unknown(terrane_engine::value::Type::String))
        );
    }

    #[test]
    fn memcached_node_type_change_replaces() {
        let prior = |engine: &str| {
            Cluster {
                id: Some("c".into()),
                cluster_id: "c".into(),
                engine: Some(engine.into()),
                node_type: Some("cache.t3.micro".into()),
                apply_immediately: Some(false),
                ..defaults()
            }
            .to_value()
        };
        let config = Value::object([
            ("cluster_id", Value::from("c")),
            ("engine", Value::from("memcached")),
            ("node_type", Value::from("cache.t3.small")),
        ]);
        let memcached = prior("memcached");
        let mut plan = terrane_engine::plan::diff::generic_plan(&Cluster::schema(), Some(&memcached), &config);
        EcCluster.customize_plan(Some(&memcached), &config, &mut plan);
        assert_eq!(plan.requires_replace, vec![vec![PathStep::Attr("node_type".into())]]);
        assert_eq!(plan.planned.get_attr("id"), Some(&Value::unknown(terrane_engine::value::Type::String)));
        let redis = prior("redis");
        let config = Value::object([
            ("cluster_id", Value::from("c")),
            ("engine", Value::from("redis")),
            ("node_type", Value::from("cache.t3.small")),
        ]);
        let mut plan = terrane_engine::plan::diff::generic_plan(&Cluster::schema(), Some(&redis), &config);
        EcCluster.customize_plan(Some(&redis), &config, &mut plan);
        assert!(plan.requires_replace.is_empty());
        assert_eq!(Cluster::from_value(&plan.planned).unwrap().node_type.as_deref(), Some("cache.t3.small"));
    }
}
