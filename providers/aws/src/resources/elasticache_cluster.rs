//! `aws_elasticache_cluster`: a Memcached or single-node Redis/Valkey cache.

use crate::delete::wait_gone;
use crate::describe::{all_failed, bounded};
use crate::elasticache::{
    ENGINES, bool_string, ec_tags, ec_tags_of, ec_update_tags, fetch_clusters, find_cluster, log_delivery_block,
    log_delivery_value, log_requests_for_create, log_requests_for_update, nullable_bool, retention_read_back,
    security_group_ids, validate_conflicts, validate_enum, validate_log_delivery, validate_nullable_bool,
};
use crate::errors::{code, describe, is_not_found, sdk_error};
use crate::plan::{engine_version, force_replacement, missing, or_prior, replan_lowercase};
use crate::resource::{Ctx, ResourceType, Result, invalid, with_tags, with_timeouts};
use crate::val::{self, Obj};
use crate::waiter::{Poll, timeout, wait_for};
use async_trait::async_trait;
use aws_sdk_elasticache::types::{AzMode, CacheCluster, IpDiscovery, NetworkType, OutpostMode};
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::plan::diff::same;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct EcCluster;

const CREATE_TIMEOUT: Duration = Duration::from_secs(40 * 60);
const UPDATE_TIMEOUT: Duration = Duration::from_secs(80 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(40 * 60);

/// Statuses a cluster passes through on its way to `available`.
const PENDING: &[&str] = &["creating", "modifying", "snapshotting", "rebooting cluster nodes"];

fn cache_node_type() -> Type {
    Type::object_from([
        ("id", Type::String),
        ("address", Type::String),
        ("port", Type::Number),
        ("availability_zone", Type::String),
        ("outpost_arn", Type::String),
    ])
}

fn schema() -> Schema {
    let s = Schema::new()
        .attr("id", Attribute::computed(Type::String))
        .attr("arn", Attribute::computed(Type::String))
        .attr("cluster_id", Attribute::required(Type::String).force_new())
        .attr("engine", Attribute::optional_computed(Type::String).force_new())
        .attr("engine_version", Attribute::optional_computed(Type::String))
        .attr("engine_version_actual", Attribute::computed(Type::String))
        .attr("node_type", Attribute::optional_computed(Type::String))
        .attr("num_cache_nodes", Attribute::optional_computed(Type::Number))
        .attr("port", Attribute::optional_computed(Type::Number).force_new())
        .attr("parameter_group_name", Attribute::optional_computed(Type::String))
        .attr("subnet_group_name", Attribute::optional_computed(Type::String).force_new())
        .attr("security_group_ids", Attribute::optional_computed(Type::set(Type::String)))
        .attr("az_mode", Attribute::optional_computed(Type::String))
        .attr("availability_zone", Attribute::optional_computed(Type::String).force_new())
        .attr("maintenance_window", Attribute::optional_computed(Type::String))
        .attr("snapshot_retention_limit", Attribute::optional(Type::Number))
        .attr("snapshot_window", Attribute::optional_computed(Type::String))
        .attr("final_snapshot_identifier", Attribute::optional(Type::String))
        .attr("preferred_availability_zones", Attribute::optional(Type::list(Type::String)))
        .attr("snapshot_arns", Attribute::optional(Type::list(Type::String)).force_new())
        .attr("snapshot_name", Attribute::optional(Type::String).force_new())
        .attr("apply_immediately", Attribute::optional_computed(Type::Bool))
        // A string in hashicorp/aws 5.x ("true" or "false"), "true" unless configured.
        .attr("auto_minor_version_upgrade", Attribute::optional(Type::String).default("true"))
        .attr("ip_discovery", Attribute::optional_computed(Type::String))
        .attr("network_type", Attribute::optional_computed(Type::String).force_new())
        .attr("notification_topic_arn", Attribute::optional(Type::String))
        .attr("outpost_mode", Attribute::optional(Type::String).force_new())
        .attr("preferred_outpost_arn", Attribute::optional_computed(Type::String).force_new())
        .attr("replication_group_id", Attribute::optional_computed(Type::String).force_new())
        .attr("transit_encryption_enabled", Attribute::optional_computed(Type::Bool).force_new())
        .block("log_delivery_configuration", log_delivery_block())
        .attr("cache_nodes", Attribute::computed(Type::list(cache_node_type())))
        .attr("cluster_address", Attribute::computed(Type::String))
        .attr("configuration_endpoint", Attribute::computed(Type::String));
    with_timeouts(with_tags(s), &["create", "update", "delete"])
}

fn changed(prior: &Value, planned: &Value, k: &str) -> bool {
    let p = prior.get_attr(k).cloned().unwrap_or_default();
    let n = planned.get_attr(k).cloned().unwrap_or_default();
    !same(&p, &n) && !n.is_unknown()
}

fn int32(v: &Value, k: &str) -> Option<i32> {
    val::int(v, k).map(|n| n as i32)
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
    let api_tags = ec_tags_of(c, cc.arn().unwrap_or_default()).await?;
    Ok(Some(cluster_value(cc, id, cur, &crate::tags::read_back(&api_tags, c.default_tags(), cur))))
}

/// The state of a cluster as DescribeCacheClusters (with node info) reports it.
fn cluster_value(cc: &CacheCluster, id: &str, cur: &Value, (tags, tags_all): &(Value, Value)) -> Value {
    let arn = cc.arn().unwrap_or_default().to_string();
    let mut nodes: Vec<_> = cc.cache_nodes().iter().collect();
    nodes.sort_by_key(|n| n.cache_node_id().unwrap_or_default().to_string());
    let nodes: Vec<Value> = nodes
        .into_iter()
        .map(|n| {
            Value::object([
                ("id", val::opt_str(n.cache_node_id())),
                ("address", val::opt_str(n.endpoint().and_then(|e| e.address()))),
                ("port", val::opt_num(n.endpoint().and_then(|e| e.port()))),
                ("availability_zone", val::opt_str(n.customer_availability_zone())),
                ("outpost_arn", val::opt_str(n.customer_outpost_arn())),
            ])
        })
        .collect();
    let config_endpoint = cc.configuration_endpoint();
    let port = config_endpoint.and_then(|e| e.port()).or(cc.cache_nodes().first().and_then(|n| n.endpoint()?.port()));
    let az = cc.preferred_availability_zone();
    let az_mode = match az {
        Some("Multiple") => Value::from("cross-az"),
        Some(_) => Value::from("single-az"),
        None => Value::NULL,
    };
    // moto leaves out several fields AWS always returns; `or_prior` keeps the configured value
    // for those, so the omission is not taken for drift.
    Obj::new(&schema())
        .set("id", id)
        .set("cluster_id", cc.cache_cluster_id().unwrap_or(id))
        .set("arn", arn)
        .set("engine", val::opt_str(cc.engine()))
        .set("engine_version", engine_version(val::string(cur, "engine_version"), cc.engine_version()))
        .set("engine_version_actual", val::opt_str(cc.engine_version()))
        .set("node_type", val::opt_str(cc.cache_node_type()))
        .set("num_cache_nodes", val::opt_num(cc.num_cache_nodes()))
        .set("port", or_prior(val::opt_num(port), cur, "port"))
        .set(
            "parameter_group_name",
            or_prior(
                val::opt_str(cc.cache_parameter_group().and_then(|g| g.cache_parameter_group_name())),
                cur,
                "parameter_group_name",
            ),
        )
        .set("subnet_group_name", or_prior(val::opt_str(cc.cache_subnet_group_name()), cur, "subnet_group_name"))
        .set("security_group_ids", or_prior(security_group_ids(cc), cur, "security_group_ids"))
        .set("az_mode", or_prior(az_mode, cur, "az_mode"))
        .set("availability_zone", or_prior(val::opt_str(az.filter(|z| *z != "Multiple")), cur, "availability_zone"))
        .set("maintenance_window", or_prior(val::opt_str(cc.preferred_maintenance_window()), cur, "maintenance_window"))
        .set("snapshot_retention_limit", retention_read_back(cc.snapshot_retention_limit(), cur))
        .set("snapshot_window", or_prior(val::opt_str(cc.snapshot_window()), cur, "snapshot_window"))
        .set("cache_nodes", Value::tuple(nodes))
        .set("cluster_address", val::opt_str(config_endpoint.and_then(|e| e.address())))
        .set(
            "configuration_endpoint",
            match config_endpoint.and_then(|e| Some((e.address()?, e.port()?))) {
                Some((a, p)) => Value::from(format!("{a}:{p}")),
                None => Value::NULL,
            },
        )
        .set(
            "auto_minor_version_upgrade",
            or_prior(bool_string(cc.auto_minor_version_upgrade()), cur, "auto_minor_version_upgrade"),
        )
        .set("ip_discovery", or_prior(val::opt_str(cc.ip_discovery().map(|m| m.as_str())), cur, "ip_discovery"))
        .set("network_type", or_prior(val::opt_str(cc.network_type().map(|m| m.as_str())), cur, "network_type"))
        .set("preferred_outpost_arn", or_prior(val::opt_str(cc.preferred_outpost_arn()), cur, "preferred_outpost_arn"))
        .set("replication_group_id", val::opt_str(cc.replication_group_id().filter(|r| !r.is_empty())))
        .set(
            "transit_encryption_enabled",
            or_prior(val::opt_bool(cc.transit_encryption_enabled()), cur, "transit_encryption_enabled"),
        )
        // Read back only while the topic is active, as hashicorp/aws does; otherwise (and where
        // the API leaves the notification configuration out) the configured one is kept.
        .set(
            "notification_topic_arn",
            match cc.notification_configuration().filter(|n| n.topic_status() == Some("active")) {
                Some(n) => val::opt_str(n.topic_arn()),
                None => cur.get_attr("notification_topic_arn").cloned().unwrap_or_default(),
            },
        )
        .set("log_delivery_configuration", log_delivery_value(cc.log_delivery_configurations()))
        .set("tags", tags.clone())
        .set("tags_all", tags_all.clone())
        .keep(
            cur,
            &[
                "final_snapshot_identifier",
                "outpost_mode",
                "preferred_availability_zones",
                "snapshot_arns",
                "snapshot_name",
                "timeouts",
            ],
        )
        .set("apply_immediately", Value::Bool(val::boolean(cur, "apply_immediately").unwrap_or(false)))
        .build()
}

/// Arguments only Redis and Valkey take (snapshots).
const REDIS_ONLY: &[&str] =
    &["snapshot_retention_limit", "snapshot_window", "snapshot_arns", "snapshot_name", "final_snapshot_identifier"];

/// Terraform's checks of the arguments that depend on the engine (its CustomizeDiff), and
/// the snapshot arguments Memcached has no use for (AWS would refuse them at apply).
fn validate_engine_arguments(config: &Value, out: &mut Vec<Diagnostic>) {
    let nodes = val::int(config, "num_cache_nodes");
    if val::string(config, "az_mode").as_deref() == Some("cross-az") && nodes == Some(1) {
        out.push(invalid("Invalid az_mode", "az_mode \"cross-az\" is not supported with num_cache_nodes = 1"));
    }
    match val::string(config, "engine").as_deref() {
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
    if let Some(zones) = config.get_attr("preferred_availability_zones").and_then(Value::as_seq)
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
    let engine = val::string(config, "engine");
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
        && let Some(version) = val::string(config, "engine_version")
        && let [major, minor, ..] = version.split('.').collect::<Vec<_>>()[..]
        && [major, minor].iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        set(plan, "parameter_group_name", Value::from(format!("default.memcached{major}.{minor}")));
    }
}

/// hashicorp/aws's checks of the arguments this file added: allowed values, conflicts, and
/// arguments that need one another.
fn validate_arguments(config: &Value, out: &mut Vec<Diagnostic>) {
    validate_nullable_bool(config, "auto_minor_version_upgrade", out);
    validate_enum(config, "ip_discovery", &["ipv4", "ipv6"], out);
    validate_enum(config, "network_type", &["ipv4", "ipv6", "dual_stack"], out);
    validate_enum(config, "outpost_mode", &["single-outpost", "cross-outpost"], out);
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
    if val::int(config, "snapshot_retention_limit").is_some_and(|n| n > 35) {
        out.push(invalid("Invalid snapshot_retention_limit", "expected snapshot_retention_limit to be at most (35)"));
    }
}

impl EcCluster {
    async fn read_one(&self, c: &Ctx<'_>, id: &str, like: &Value) -> Result<Value> {
        let mut stub = like.clone();
        stub.set_at_path(&[PathStep::Attr("id".into())], Value::from(id));
        self.read_many(c, &[stub])
            .await
            .pop()
            .unwrap_or(Ok(None))?
            .ok_or_else(|| ProviderError::new(format!("ElastiCache cluster {id} is gone")))
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
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
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
        validate_arguments(config, &mut out);
        if let Some(e) = val::string(config, "engine")
            && !ENGINES.contains(&e.as_str())
        {
            out.push(invalid("Invalid engine", format!("expected engine to be one of {ENGINES:?}, got {e:?}")));
        }
        if let Some(id) = val::string(config, "cluster_id")
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
        if let Some(mode) = val::string(config, "az_mode")
            && mode != "single-az"
            && mode != "cross-az"
        {
            out.push(invalid("Invalid az_mode", format!("expected az_mode to be single-az or cross-az, got {mode:?}")));
        }
        validate_engine_arguments(config, &mut out);
        out
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        // ElastiCache stores both in lowercase (Terraform's StateFunc does the same).
        replan_lowercase(&schema(), prior, config, plan, &["cluster_id", "maintenance_window"]);
        if let Some(prior) = prior.filter(|p| !p.is_null()) {
            // Memcached cannot change its node type in place (Terraform's ForceNewIf).
            if val::string(prior, "engine").as_deref() == Some("memcached")
                && changed(prior, &plan.planned, "node_type")
            {
                force_replacement(&schema(), config, plan, "node_type");
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
        let id = val::string(planned, "cluster_id").unwrap_or_default().to_lowercase();
        // A cluster joining a replication group takes its security groups from the group.
        let group = val::string(planned, "replication_group_id");
        let sgs = if group.is_some() { Vec::new() } else { val::strings(planned, "security_group_ids") };
        c.clients
            .elasticache
            .create_cache_cluster()
            .cache_cluster_id(&id)
            .set_replication_group_id(group)
            .set_auto_minor_version_upgrade(nullable_bool(planned, "auto_minor_version_upgrade"))
            .set_outpost_mode(val::string(planned, "outpost_mode").map(|m| OutpostMode::from(m.as_str())))
            .set_preferred_outpost_arn(val::string(planned, "preferred_outpost_arn"))
            .set_notification_topic_arn(val::string(planned, "notification_topic_arn"))
            .set_transit_encryption_enabled(val::boolean(planned, "transit_encryption_enabled"))
            .set_ip_discovery(val::string(planned, "ip_discovery").map(|m| IpDiscovery::from(m.as_str())))
            .set_network_type(val::string(planned, "network_type").map(|m| NetworkType::from(m.as_str())))
            .set_log_delivery_configurations(log_requests_for_create(planned))
            .set_engine(val::string(planned, "engine"))
            .set_engine_version(val::string(planned, "engine_version"))
            .set_cache_node_type(val::string(planned, "node_type"))
            .set_num_cache_nodes(int32(planned, "num_cache_nodes"))
            .set_port(int32(planned, "port"))
            .set_cache_parameter_group_name(val::string(planned, "parameter_group_name"))
            .set_cache_subnet_group_name(val::string(planned, "subnet_group_name"))
            .set_security_group_ids((!sgs.is_empty()).then_some(sgs))
            .set_az_mode(val::string(planned, "az_mode").map(|m| AzMode::from(m.as_str())))
            .set_preferred_availability_zone(val::string(planned, "availability_zone"))
            .set_preferred_maintenance_window(val::string(planned, "maintenance_window"))
            .set_snapshot_retention_limit(int32(planned, "snapshot_retention_limit"))
            .set_snapshot_window(val::string(planned, "snapshot_window"))
            .set_preferred_availability_zones(
                Some(val::strings(planned, "preferred_availability_zones")).filter(|z| !z.is_empty()),
            )
            .set_snapshot_arns(Some(val::strings(planned, "snapshot_arns")).filter(|a| !a.is_empty()))
            .set_snapshot_name(val::string(planned, "snapshot_name"))
            .set_tags(ec_tags(&crate::tags::at_create(c, planned)))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("creating ElastiCache cluster {id}"), e))?;
        let partial = || {
            let mut p = planned.clone();
            p.set_at_path(&[PathStep::Attr("id".into())], Value::from(id.as_str()));
            p.unknowns_to_null()
        };
        wait_available(c, &id, timeout(planned, "create", CREATE_TIMEOUT), true)
            .await
            .map_err(|e| e.with_partial_state(partial()))?;
        self.read_one(c, &id, planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by its ID (`cluster_id`, unique in the account and region), carrying the token
    /// tag CreateCacheCluster gave it; one still being created is waited for, as the create
    /// would.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let id = val::string(planned, "cluster_id").unwrap_or_default().to_lowercase();
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
        let found = match fetch_clusters(c, &ids).await {
            Ok(f) => f,
            Err(e) => return all_failed(current.len(), &e),
        };
        let reads = current.iter().zip(&ids).map(|(cur, id)| build(c, cur, id, found.get(id)));
        bounded(reads.collect()).await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = val::id(prior);
        let mut req = c
            .clients
            .elasticache
            .modify_cache_cluster()
            .cache_cluster_id(&id)
            .apply_immediately(val::boolean(planned, "apply_immediately").unwrap_or(false));
        let mut any = false;
        let mut on = |k: &str| {
            let ch = changed(prior, planned, k);
            any |= ch;
            ch
        };
        // As hashicorp/aws: no security groups is not sent (the cluster keeps its own).
        if !val::strings(planned, "security_group_ids").is_empty() && on("security_group_ids") {
            req = req.set_security_group_ids(Some(val::strings(planned, "security_group_ids")));
        }
        if on("ip_discovery") {
            req = req.set_ip_discovery(val::string(planned, "ip_discovery").map(|m| IpDiscovery::from(m.as_str())));
        }
        if on("log_delivery_configuration") {
            req = req.set_log_delivery_configurations(Some(log_requests_for_update(prior, planned)));
        }
        if on("notification_topic_arn") {
            // No topic: notifications off.
            req = match val::string(planned, "notification_topic_arn").filter(|a| !a.is_empty()) {
                Some(arn) => req.notification_topic_arn(arn),
                None => req.notification_topic_arn("").notification_topic_status("inactive"),
            };
        }
        if on("auto_minor_version_upgrade") {
            req = req.set_auto_minor_version_upgrade(nullable_bool(planned, "auto_minor_version_upgrade"));
        }
        if on("parameter_group_name") {
            req = req.set_cache_parameter_group_name(val::string(planned, "parameter_group_name"));
        }
        if on("maintenance_window") {
            req = req.set_preferred_maintenance_window(val::string(planned, "maintenance_window"));
        }
        if on("engine_version") {
            req = req.set_engine_version(val::string(planned, "engine_version"));
        }
        if on("snapshot_window") {
            req = req.set_snapshot_window(val::string(planned, "snapshot_window"));
        }
        if on("node_type") {
            req = req.set_cache_node_type(val::string(planned, "node_type"));
        }
        if on("snapshot_retention_limit") {
            req = req.set_snapshot_retention_limit(int32(planned, "snapshot_retention_limit"));
        }
        if on("az_mode") {
            req = req.set_az_mode(val::string(planned, "az_mode").map(|m| AzMode::from(m.as_str())));
        }
        if on("num_cache_nodes") {
            let (old, new) =
                (val::int(prior, "num_cache_nodes").unwrap_or(0), val::int(planned, "num_cache_nodes").unwrap_or(0));
            // Fewer nodes: remove the highest-numbered ones, as the Terraform provider does.
            let remove: Vec<String> = (new + 1..=old).rev().map(|i| format!("{i:04}")).collect();
            // More Memcached nodes go to the zones listed after the existing nodes' ones.
            let zones = val::strings(planned, "preferred_availability_zones");
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
            wait_available(c, &id, timeout(planned, "update", UPDATE_TIMEOUT), false).await?;
        }
        let arn = val::string(prior, "arn").unwrap_or_default();
        ec_update_tags(c, &arn, &val::string_map(prior, "tags_all"), &crate::tags::wanted(planned)).await?;
        self.read_one(c, &id, planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let id = val::id(prior);
        let limit = timeout(prior, "delete", DELETE_TIMEOUT);
        let final_snapshot = val::string(prior, "final_snapshot_identifier");
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

    #[test]
    fn engine_is_required_and_checked() {
        assert_eq!(EcCluster.validate(&Value::object([("cluster_id", Value::from("web"))])).len(), 1);
        let bad = Value::object([("cluster_id", Value::from("web")), ("engine", Value::from("mongodb"))]);
        assert_eq!(EcCluster.validate(&bad).len(), 1);
        let ok = Value::object([("cluster_id", Value::from("web")), ("engine", Value::from("redis"))]);
        assert!(EcCluster.validate(&ok).is_empty());
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
        let v = cluster_value(&cc, "mc", &Value::object([("id", Value::from("mc"))]), &(Value::NULL, Value::NULL));
        assert_eq!(v.get_attr("configuration_endpoint"), Some(&Value::from("mc.cfg.cache.amazonaws.com:11211")));
        assert_eq!(v.get_attr("cluster_address"), Some(&Value::from("mc.cfg.cache.amazonaws.com")));
        assert_eq!(v.get_attr("port"), Some(&Value::from(11211i64)));
        assert_eq!(v.get_attr("az_mode"), Some(&Value::from("cross-az")));
        assert_eq!(v.get_attr("availability_zone"), Some(&Value::null(terrane_engine::value::Type::String)));
        let nodes = v.get_attr("cache_nodes").and_then(Value::as_seq).unwrap();
        let ids: Vec<_> = nodes.iter().filter_map(|n| val::string(n, "id")).collect();
        assert_eq!(ids, vec!["0001", "0002"], "sorted by node ID");
        assert_eq!(val::string(&nodes[0], "availability_zone").as_deref(), Some("eu-west-1a"));
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
        let out = EcCluster.validate(&bad);
        assert!(out.iter().any(|d| d.detail.contains("does not support snapshot_retention_limit")), "{out:?}");
        let zero = cfg(vec![
            ("cluster_id", "mc".into()),
            ("engine", "memcached".into()),
            ("snapshot_retention_limit", 0i64.into()),
        ]);
        assert!(EcCluster.validate(&zero).is_empty());
        let redis = cfg(vec![("cluster_id", "r".into()), ("engine", "redis".into()), ("num_cache_nodes", 2i64.into())]);
        assert!(EcCluster.validate(&redis)[0].detail.contains("does not support num_cache_nodes > 1"));

        let mc = Obj::new(&schema())
            .set("cluster_id", "mc")
            .set("engine", "memcached")
            .set("engine_version", "1.6.22")
            .set("apply_immediately", false)
            .build();
        let mut plan = terrane_engine::plan::diff::generic_plan(&schema(), None, &mc);
        EcCluster.customize_plan(None, &mc, &mut plan);
        assert_eq!(plan.planned.get_attr("port"), Some(&Value::from(11211i64)));
        assert_eq!(plan.planned.get_attr("parameter_group_name"), Some(&Value::from("default.memcached1.6")));
        let redis =
            Obj::new(&schema()).set("cluster_id", "r").set("engine", "redis").set("apply_immediately", false).build();
        let mut plan = terrane_engine::plan::diff::generic_plan(&schema(), None, &redis);
        EcCluster.customize_plan(None, &redis, &mut plan);
        assert_eq!(plan.planned.get_attr("port"), Some(&Value::from(6379i64)));
        assert_eq!(
            plan.planned.get_attr("parameter_group_name"),
            Some(&Value::unknown(terrane_engine::value::Type::String))
        );
    }

    #[test]
    fn memcached_node_type_change_replaces() {
        let prior = |engine: &str| {
            Obj::new(&schema())
                .set("id", "c")
                .set("cluster_id", "c")
                .set("engine", engine)
                .set("node_type", "cache.t3.micro")
                .set("apply_immediately", false)
                .build()
        };
        let config = Value::object([
            ("cluster_id", Value::from("c")),
            ("engine", Value::from("memcached")),
            ("node_type", Value::from("cache.t3.small")),
        ]);
        let memcached = prior("memcached");
        let mut plan = terrane_engine::plan::diff::generic_plan(&schema(), Some(&memcached), &config);
        EcCluster.customize_plan(Some(&memcached), &config, &mut plan);
        assert_eq!(plan.requires_replace, vec![vec![PathStep::Attr("node_type".into())]]);
        assert_eq!(plan.planned.get_attr("id"), Some(&Value::unknown(terrane_engine::value::Type::String)));
        let redis = prior("redis");
        let config = Value::object([
            ("cluster_id", Value::from("c")),
            ("engine", Value::from("redis")),
            ("node_type", Value::from("cache.t3.small")),
        ]);
        let mut plan = terrane_engine::plan::diff::generic_plan(&schema(), Some(&redis), &config);
        EcCluster.customize_plan(Some(&redis), &config, &mut plan);
        assert!(plan.requires_replace.is_empty());
        assert_eq!(plan.planned.get_attr("node_type"), Some(&Value::from("cache.t3.small")));
    }
}
