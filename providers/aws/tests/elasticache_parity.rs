//! The arguments of `aws_elasticache_replication_group` and `aws_elasticache_cluster` that
//! hashicorp/aws 5.100.0 has and terrane added for schema parity, against moto: sent on
//! create (checked in what moto stores), read back with no drift, planned with hashicorp/aws's
//! defaults (`engine = "redis"`, `auth_token_update_strategy = "ROTATE"`,
//! `auto_minor_version_upgrade = "true"`) and its default-port diff suppression, updated,
//! destroyed.
//!
//! What moto (5.2) lacks, so what is not exercised here against a server:
//! - ModifyCacheCluster (answered with an HTML error page): no cluster update is tested.
//! - ModifyReplicationGroup applies only the description, engine, node type, failover,
//!   Multi-AZ and snapshot retention; the other arguments it is sent (log delivery, user
//!   groups, transit encryption mode, IP discovery, notifications) it ignores, so their
//!   updates are checked as plans and requests, not as results.
//! - IncreaseReplicaCount, DecreaseReplicaCount, ModifyReplicationGroupShardConfiguration,
//!   DescribeGlobalReplicationGroups and DisassociateGlobalReplicationGroup: shard and replica
//!   changes and global replication groups are checked at plan and validate only.
//! - A replication group's member clusters are not cache clusters in moto
//!   (DescribeCacheClusters does not find them), and deletes never finish (`deleting`).

mod support;

use support::{Harness, actions, change, elasticache, unique};
use terrane_engine::plan::planner::PlanOptions;
use terrane_engine::plan::{Action, PlanMode};
use terrane_engine::state::State;
use terrane_engine::value::{Type, Value};

/// The resources of `body` with a provider configuration `aws.fast` that does not retry
/// (moto answers the calls it lacks with HTTP 500, which the SDK would retry for minutes).
fn config(body: &str) -> String {
    let provider = support::provider_block().replacen(
        "provider \"aws\" {",
        "provider \"aws\" {\n  alias       = \"fast\"\n  max_retries = 1",
        1,
    );
    let body: Vec<String> = body
        .lines()
        .map(|l| if l.starts_with("resource ") { format!("{l}\n  provider = aws.fast") } else { l.to_string() })
        .collect();
    format!("{provider}\n{}\n", body.join("\n"))
}

/// Plans and applies without asserting success: the diagnostics as text, and the state.
async fn run(h: &Harness, src: &str, mode: PlanMode) -> (String, State) {
    let opts = PlanOptions { mode, ..PlanOptions::default() };
    let (ctx, p) = h.try_plan(src, &opts).await.unwrap_or_else(|d| panic!("plan failed:\n{d}"));
    let (out, state) = h.apply_plan(&ctx, &p).await;
    (out.diags.to_string(), state)
}

/// The plan's errors (the plan must fail).
async fn plan_errors(h: &Harness, src: &str) -> String {
    match h.try_plan(src, &PlanOptions::default()).await {
        Ok(_) => panic!("the plan should fail"),
        Err(d) => d.to_string(),
    }
}

fn log_block(destination: &str, format: &str, log_type: &str) -> Value {
    Value::object([
        ("destination", Value::from(destination)),
        ("destination_type", Value::from("cloudwatch-logs")),
        ("log_format", Value::from(format)),
        ("log_type", Value::from(log_type)),
    ])
}

async fn live_group(id: &str) -> aws_sdk_elasticache::types::ReplicationGroup {
    let out = elasticache().await.describe_replication_groups().replication_group_id(id).send().await.unwrap();
    out.replication_groups()[0].clone()
}

async fn live_cluster(id: &str) -> aws_sdk_elasticache::types::CacheCluster {
    let out = elasticache().await.describe_cache_clusters().cache_cluster_id(id).send().await.unwrap();
    out.cache_clusters()[0].clone()
}

/// Destroys a replication group: moto never finishes deleting one, so the delete times out
/// with the group `deleting` (what the assertions check: the delete was asked for).
async fn destroy_until_deleting(h: &Harness, src: &str) {
    let (diags, _) = run(h, src, PlanMode::Destroy).await;
    assert!(diags.contains("timed out") && diags.contains("deleting"), "destroy: {diags}");
}

// ------------------------------------------------------------- aws_elasticache_replication_group

fn full_group(id: &str, description: &str, retention: i64) -> String {
    config(&format!(
        r#"
resource "aws_elasticache_replication_group" "rg" {{
  replication_group_id        = "{id}"
  description                 = "{description}"
  node_type                   = "cache.t3.micro"
  engine                      = "redis"
  engine_version              = "7.1"
  num_cache_clusters          = 1
  port                        = 6380
  at_rest_encryption_enabled  = true
  kms_key_id                  = "arn:aws:kms:eu-west-1:123456789012:key/{id}"
  transit_encryption_enabled  = true
  transit_encryption_mode     = "preferred"
  auth_token                  = "a-long-redis-auth-token-0123"
  auth_token_update_strategy  = "ROTATE"
  auto_minor_version_upgrade  = "false"
  cluster_mode                = "disabled"
  data_tiering_enabled        = false
  ip_discovery                = "ipv4"
  network_type                = "ipv4"
  notification_topic_arn      = "arn:aws:sns:eu-west-1:123456789012:{id}"
  preferred_cache_cluster_azs = ["eu-west-1a"]
  snapshot_retention_limit    = {retention}
  final_snapshot_identifier   = "{id}-final"
  log_delivery_configuration {{
    destination      = "/{id}/slow"
    destination_type = "cloudwatch-logs"
    log_format       = "json"
    log_type         = "slow-log"
  }}
  log_delivery_configuration {{
    destination      = "/{id}/engine"
    destination_type = "cloudwatch-logs"
    log_format       = "text"
    log_type         = "engine-log"
  }}
  timeouts {{
    delete = "1s"
  }}
}}
"#
    ))
}

#[tokio::test]
async fn replication_group_new_arguments_are_created_read_back_and_updated() {
    let h = Harness::new();
    let id = unique("ecp-rg");
    let addr = "aws_elasticache_replication_group.rg";
    let src = full_group(&id, "sessions", 2);
    let state = h.apply(&src).await;

    // Sent on create: what moto stores.
    let g = live_group(&id).await;
    assert_eq!(g.port_from_endpoint(), Some(6380));
    assert_eq!(g.at_rest_encryption_enabled(), Some(true));
    assert_eq!(g.kms_key_id(), Some(format!("arn:aws:kms:eu-west-1:123456789012:key/{id}").as_str()));
    assert_eq!(g.transit_encryption_enabled(), Some(true));
    assert_eq!(g.transit_encryption_mode().map(|m| m.as_str()), Some("preferred"));
    assert_eq!(g.auth_token_enabled(), Some(true));
    assert_eq!(g.auto_minor_version_upgrade(), Some(false));
    assert_eq!(g.cluster_mode().map(|m| m.as_str()), Some("disabled"));
    assert_eq!(g.ip_discovery().map(|m| m.as_str()), Some("ipv4"));
    assert_eq!(g.network_type().map(|m| m.as_str()), Some("ipv4"));
    let mut logs: Vec<(String, String, String)> = g
        .log_delivery_configurations()
        .iter()
        .map(|l| {
            let group = l.destination_details().and_then(|d| d.cloud_watch_logs_details()?.log_group());
            (
                l.log_type().map(|t| t.as_str().to_string()).unwrap_or_default(),
                l.log_format().map(|t| t.as_str().to_string()).unwrap_or_default(),
                group.unwrap_or_default().to_string(),
            )
        })
        .collect();
    logs.sort();
    assert_eq!(
        logs,
        vec![
            ("engine-log".into(), "text".into(), format!("/{id}/engine")),
            ("slow-log".into(), "json".into(), format!("/{id}/slow")),
        ]
    );

    // Read back as configured.
    let v = h.value(&state, addr);
    let get = |k: &str| v.get_attr(k).cloned().unwrap_or_default().deep_unmark();
    assert_eq!(get("port"), Value::from(6380i64));
    assert_eq!(get("at_rest_encryption_enabled"), Value::from("true"));
    assert_eq!(get("auto_minor_version_upgrade"), Value::from("false"));
    assert_eq!(get("transit_encryption_mode"), Value::from("preferred"));
    assert_eq!(get("cluster_mode"), Value::from("disabled"));
    assert_eq!(get("data_tiering_enabled"), Value::Bool(false));
    assert_eq!(get("ip_discovery"), Value::from("ipv4"));
    assert_eq!(get("network_type"), Value::from("ipv4"));
    assert_eq!(get("num_node_groups"), Value::from(1i64));
    assert_eq!(get("replicas_per_node_group"), Value::from(0i64));
    assert_eq!(get("notification_topic_arn"), Value::from(format!("arn:aws:sns:eu-west-1:123456789012:{id}")));
    assert_eq!(get("final_snapshot_identifier"), Value::from(format!("{id}-final")));
    assert_eq!(get("global_replication_group_id"), Value::null(Type::String));
    let logs = get("log_delivery_configuration");
    assert_eq!(logs.as_seq().map(<[Value]>::len), Some(2), "{logs:?}");
    let slow = log_block(&format!("/{id}/slow"), "json", "slow-log");
    assert!(logs.as_seq().unwrap().contains(&slow), "{logs:?}");
    support::assert_no_changes(&h.plan(&src).await);

    // In place: the description and the snapshot retention (what moto's
    // ModifyReplicationGroup applies).
    let updated = full_group(&id, "user sessions", 5);
    assert_eq!(actions(&h.plan(&updated).await), vec![(addr.to_string(), Action::Update)]);
    h.apply(&updated).await;
    let g = live_group(&id).await;
    assert_eq!(g.description(), Some("user sessions"));
    assert_eq!(g.snapshot_retention_limit(), Some(5));
    support::assert_no_changes(&h.plan(&updated).await);

    // A log delivery block changed is an update in place; a new network type, KMS key or
    // data tiering a new group.
    let p = h.plan(&updated.replace("log_format       = \"json\"", "log_format       = \"text\"")).await;
    assert_eq!(change(&p, addr).action, Action::Update);
    let p = h.plan(&updated.replace("network_type                = \"ipv4\"", "network_type = \"dual_stack\"")).await;
    assert_eq!(change(&p, addr).action, Action::DeleteThenCreate);
    assert_eq!(change(&p, addr).replace_paths, vec![support::attr_path("network_type")]);
    let p = h.plan(&updated.replace("data_tiering_enabled        = false", "data_tiering_enabled = true")).await;
    assert_eq!(change(&p, addr).replace_paths, vec![support::attr_path("data_tiering_enabled")]);

    destroy_until_deleting(&h, &updated).await;
    assert_eq!(live_group(&id).await.status(), Some("deleting"));
}

trait PortFromEndpoint {
    fn port_from_endpoint(&self) -> Option<i32>;
}

impl PortFromEndpoint for aws_sdk_elasticache::types::ReplicationGroup {
    fn port_from_endpoint(&self) -> Option<i32> {
        self.node_groups().first()?.primary_endpoint()?.port()
    }
}

#[tokio::test]
async fn replication_group_defaults_plan_as_hashicorp_aws_and_stay_clean() {
    let h = Harness::new();
    let id = unique("ecp-rgd");
    let addr = "aws_elasticache_replication_group.rg";
    let src = config(&format!(
        r#"
resource "aws_elasticache_replication_group" "rg" {{
  replication_group_id = "{id}"
  description          = "defaults"
  node_type            = "cache.t3.micro"
  timeouts {{
    delete = "1s"
  }}
}}
"#
    ));
    // hashicorp/aws 5.100.0's defaults, as its plan shows them (Terraform, on moto).
    let p = h.plan(&src).await;
    let after = &change(&p, addr).after;
    assert_eq!(after.get_attr("engine"), Some(&Value::from("redis")));
    assert_eq!(after.get_attr("auth_token_update_strategy"), Some(&Value::from("ROTATE")));
    assert!(after.get_attr("port").is_some_and(Value::is_null), "no port planned: {:?}", after.get_attr("port"));
    assert!(after.get_attr("snapshot_retention_limit").is_some_and(Value::is_null));

    let state = h.apply(&src).await;
    let g = live_group(&id).await;
    assert_eq!(g.engine(), Some("redis"));
    // What AWS defaults is read back (Terraform records port 6379 as well; the retention it
    // records as 0, terrane as null: both "not set")...
    assert_eq!(h.attr(&state, addr, "port"), Value::from(6379i64));
    assert_eq!(h.attr(&state, addr, "snapshot_retention_limit"), Value::null(Type::Number));
    assert_eq!(h.attr(&state, addr, "cluster_mode"), Value::from("disabled"));
    // ...and is no change for a configuration that leaves them out (the port's diff is
    // suppressed, as hashicorp/aws's DiffSuppressFunc does; not a replacement).
    support::assert_no_changes(&h.plan(&src).await);

    // The default port configured is no change either; another port replaces the group.
    let with_port =
        src.replace("node_type            = \"cache.t3.micro\"", "node_type = \"cache.t3.micro\"\n  port = 6379");
    support::assert_no_changes(&h.plan(&with_port).await);
    let other = with_port.replace("port = 6379", "port = 6390");
    let p = h.plan(&other).await;
    assert_eq!(change(&p, addr).replace_paths, vec![support::attr_path("port")]);

    destroy_until_deleting(&h, &src).await;
}

#[tokio::test]
async fn replication_group_in_cluster_mode_reads_its_shards() {
    let h = Harness::new();
    let id = unique("ecp-rgc");
    let addr = "aws_elasticache_replication_group.rg";
    let src = config(&format!(
        r#"
resource "aws_elasticache_replication_group" "rg" {{
  replication_group_id       = "{id}"
  description                = "sharded"
  node_type                  = "cache.t3.micro"
  cluster_mode               = "enabled"
  num_node_groups            = 2
  replicas_per_node_group    = 1
  automatic_failover_enabled = true
  timeouts {{
    delete = "1s"
  }}
}}
"#
    ));
    let state = h.apply(&src).await;
    let g = live_group(&id).await;
    assert_eq!(g.node_groups().len(), 2);
    assert_eq!(g.cluster_enabled(), Some(true));
    assert_eq!(h.attr(&state, addr, "num_node_groups"), Value::from(2i64));
    assert_eq!(h.attr(&state, addr, "replicas_per_node_group"), Value::from(1i64));
    assert_eq!(h.attr(&state, addr, "cluster_enabled"), Value::Bool(true));
    assert_eq!(h.attr(&state, addr, "cluster_mode"), Value::from("enabled"));
    let members = h.attr(&state, addr, "member_clusters");
    assert_eq!(members.as_seq().map(<[Value]>::len), Some(4), "{members:?}");
    assert_eq!(h.attr(&state, addr, "num_cache_clusters"), Value::from(4i64));
    support::assert_no_changes(&h.plan(&src).await);

    // More replicas per shard: an update in place that leaves the member clusters and the
    // cluster count to be read back (moto lacks IncreaseReplicaCount: planned only).
    let p = h.plan(&src.replace("replicas_per_node_group    = 1", "replicas_per_node_group = 2")).await;
    let c = change(&p, addr);
    assert_eq!(c.action, Action::Update);
    assert!(!c.after.get_attr("member_clusters").unwrap().is_known());
    assert!(!c.after.get_attr("num_cache_clusters").unwrap().is_known());
    assert_eq!(c.after.get_attr("replicas_per_node_group"), Some(&Value::from(2i64)));

    destroy_until_deleting(&h, &src).await;
}

#[tokio::test]
async fn replication_group_arguments_are_checked_as_hashicorp_aws_checks_them() {
    let h = Harness::new();
    let group = |extra: &str| {
        config(&format!(
            r#"
resource "aws_elasticache_replication_group" "rg" {{
  replication_group_id = "ecp-check"
  description          = "d"
  node_type            = "cache.t3.micro"
  {extra}
}}
"#
        ))
    };
    let errs = plan_errors(&h, &group("num_cache_clusters = 2\n  num_node_groups = 2")).await;
    assert!(errs.contains("\"num_cache_clusters\": conflicts with num_node_groups"), "{errs}");
    let errs =
        plan_errors(&h, &group("auth_token = \"a-long-redis-auth-token-0123\"\n  user_group_ids = [\"g\"]")).await;
    assert!(errs.contains("\"user_group_ids\": conflicts with auth_token"), "{errs}");
    let errs = plan_errors(&h, &group("global_replication_group_id = \"ldgnf-global\"")).await;
    assert!(errs.contains("\"global_replication_group_id\": conflicts with node_type"), "{errs}");
    let errs = plan_errors(&h, &group("transit_encryption_mode = \"sometimes\"")).await;
    assert!(errs.contains("transit_encryption_mode"), "{errs}");
    let errs = plan_errors(&h, &group("auto_minor_version_upgrade = \"yes\"")).await;
    assert!(errs.contains("auto_minor_version_upgrade"), "{errs}");
    let errs = plan_errors(&h, &group("snapshot_retention_limit = 36")).await;
    assert!(errs.contains("at most (35)"), "{errs}");
    let log = "log_delivery_configuration {\n destination = \"x\"\n destination_type = \"s3\"\n log_format = \"json\"\n log_type = \"slow-log\"\n }";
    let errs = plan_errors(&h, &group(log)).await;
    assert!(errs.contains("destination_type"), "{errs}");
}

// ---------------------------------------------------------------------- aws_elasticache_cluster

/// Destroys a cluster (moto deletes clusters at once) and checks that it is gone.
async fn destroy_cluster(h: &Harness, src: &str, id: &str) {
    let state = h.destroy(src).await;
    assert!(state.resources.is_empty(), "destroyed, nothing left in state");
    let gone = elasticache().await.describe_cache_clusters().cache_cluster_id(id).send().await;
    assert!(gone.is_err(), "{id} still exists: {gone:?}");
}

fn full_cluster(id: &str) -> String {
    config(&format!(
        r#"
resource "aws_elasticache_cluster" "c" {{
  cluster_id                 = "{id}"
  engine                     = "redis"
  node_type                  = "cache.t3.micro"
  auto_minor_version_upgrade = "false"
  ip_discovery               = "ipv4"
  network_type               = "ipv4"
  notification_topic_arn     = "arn:aws:sns:eu-west-1:123456789012:{id}"
  snapshot_retention_limit   = 2
  transit_encryption_enabled = true
  log_delivery_configuration {{
    destination      = "/{id}/engine"
    destination_type = "cloudwatch-logs"
    log_format       = "text"
    log_type         = "engine-log"
  }}
  timeouts {{
    delete = "1s"
  }}
}}
"#
    ))
}

#[tokio::test]
async fn cluster_new_arguments_are_created_and_read_back() {
    let h = Harness::new();
    let id = unique("ecp-c");
    let addr = "aws_elasticache_cluster.c";
    let src = full_cluster(&id);
    let state = h.apply(&src).await;

    let c = live_cluster(&id).await;
    assert_eq!(c.auto_minor_version_upgrade(), Some(false));
    assert_eq!(c.ip_discovery().map(|m| m.as_str()), Some("ipv4"));
    assert_eq!(c.network_type().map(|m| m.as_str()), Some("ipv4"));
    assert_eq!(c.transit_encryption_enabled(), Some(true));
    assert_eq!(c.snapshot_retention_limit(), Some(2));
    let logs = c.log_delivery_configurations();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].log_type().map(|t| t.as_str()), Some("engine-log"));
    assert_eq!(
        logs[0].destination_details().and_then(|d| d.cloud_watch_logs_details()?.log_group()),
        Some(format!("/{id}/engine").as_str())
    );

    let v = h.value(&state, addr);
    let get = |k: &str| v.get_attr(k).cloned().unwrap_or_default();
    assert_eq!(get("auto_minor_version_upgrade"), Value::from("false"));
    assert_eq!(get("ip_discovery"), Value::from("ipv4"));
    assert_eq!(get("network_type"), Value::from("ipv4"));
    assert_eq!(get("transit_encryption_enabled"), Value::Bool(true));
    assert_eq!(get("snapshot_retention_limit"), Value::from(2i64));
    assert_eq!(get("notification_topic_arn"), Value::from(format!("arn:aws:sns:eu-west-1:123456789012:{id}")));
    assert_eq!(get("replication_group_id"), Value::null(Type::String));
    let logs = get("log_delivery_configuration");
    assert_eq!(logs.as_seq(), Some(&[log_block(&format!("/{id}/engine"), "text", "engine-log")][..]), "{logs:?}");
    support::assert_no_changes(&h.plan(&src).await);

    // Force-new as in hashicorp/aws: the network type, transit encryption; in place (with
    // ModifyCacheCluster, which moto lacks: planned only) the rest.
    let p = h.plan(&src.replace("transit_encryption_enabled = true", "transit_encryption_enabled = false")).await;
    assert_eq!(change(&p, addr).replace_paths, vec![support::attr_path("transit_encryption_enabled")]);
    let p =
        h.plan(&src.replace("auto_minor_version_upgrade = \"false\"", "auto_minor_version_upgrade = \"true\"")).await;
    assert_eq!(change(&p, addr).action, Action::Update);
    let p = h.plan(&src.replace("log_format       = \"text\"", "log_format       = \"json\"")).await;
    assert_eq!(change(&p, addr).action, Action::Update);

    destroy_cluster(&h, &src, &id).await;
}

#[tokio::test]
async fn cluster_defaults_plan_as_hashicorp_aws_and_stay_clean() {
    let h = Harness::new();
    let id = unique("ecp-cd");
    let addr = "aws_elasticache_cluster.c";
    let src = config(&format!(
        r#"
resource "aws_elasticache_cluster" "c" {{
  cluster_id      = "{id}"
  engine          = "memcached"
  node_type       = "cache.t3.micro"
  num_cache_nodes = 1
  timeouts {{
    delete = "1s"
  }}
}}
"#
    ));
    let p = h.plan(&src).await;
    assert_eq!(change(&p, addr).after.get_attr("auto_minor_version_upgrade"), Some(&Value::from("true")));
    let state = h.apply(&src).await;
    assert_eq!(h.attr(&state, addr, "auto_minor_version_upgrade"), Value::from("true"));
    assert_eq!(h.attr(&state, addr, "log_delivery_configuration").as_seq().map(<[Value]>::len), Some(0));
    support::assert_no_changes(&h.plan(&src).await);
    destroy_cluster(&h, &src, &id).await;
}

/// moto's CreateCacheCluster requires a node type even for a cluster joining a replication
/// group (AWS takes it from the group, and hashicorp/aws refuses `node_type` with
/// `replication_group_id`), so such a cluster is planned and checked here, not created.
#[tokio::test]
async fn cluster_joins_a_replication_group_without_an_engine() {
    let h = Harness::new();
    let addr = "aws_elasticache_cluster.replica";
    let src = config(
        r#"
resource "aws_elasticache_cluster" "replica" {
  cluster_id           = "ecp-member"
  replication_group_id = "ecp-group"
}
"#,
    );
    let p = h.plan(&src).await;
    let after = &change(&p, addr).after;
    assert_eq!(after.get_attr("replication_group_id"), Some(&Value::from("ecp-group")));
    assert!(!after.get_attr("engine").unwrap().is_known(), "the engine is the group's: read back");
    assert_eq!(after.get_attr("auto_minor_version_upgrade"), Some(&Value::from("true")));

    // Exactly one of engine and replication_group_id; a member takes its settings from the
    // group; an outpost mode needs the outpost.
    let both =
        src.replace("replication_group_id = \"ecp-group\"", "replication_group_id = \"x\"\n  engine = \"redis\"");
    assert!(plan_errors(&h, &both).await.contains("only one of `engine,replication_group_id`"));
    let neither = src.replace("replication_group_id = \"ecp-group\"", "");
    assert!(plan_errors(&h, &neither).await.contains("one of `engine,replication_group_id` must be specified"));
    let port = src.replace("cluster_id           = \"", "port = 6379\n  cluster_id = \"");
    assert!(plan_errors(&h, &port).await.contains("\"replication_group_id\": conflicts with port"));
    let outpost = src.replace("cluster_id           = \"", "outpost_mode = \"single-outpost\"\n  cluster_id = \"");
    assert!(plan_errors(&h, &outpost).await.contains("outpost_mode,preferred_outpost_arn"));
}

// ------------------------------------------------------------- states written by Terraform

/// Clusters Terraform applied with hashicorp/aws 5.100.0 (tests/fixtures/terraform_elasticache):
/// terrane plans the state it wrote, with its zero values and defaults for the new
/// arguments, as no change (without refreshing: the objects are gone from moto).
#[tokio::test]
async fn clusters_terraform_applied_plan_no_changes() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform_elasticache");
    let h = Harness::new();
    std::fs::copy(dir.join("clusters.tfstate"), h.dir.path().join("terraform.tfstate")).unwrap();
    let src = std::fs::read_to_string(dir.join("clusters.tf")).unwrap();
    let opts = PlanOptions { refresh: false, ..PlanOptions::default() };
    let (_, p) = h.try_plan(&src, &opts).await.unwrap_or_else(|d| panic!("plan failed:\n{d}"));
    assert_eq!(p.changes.iter().filter(|c| c.addr.resource.type_name == "aws_elasticache_cluster").count(), 2);
    support::assert_no_changes(&p);
}

/// A replacement a type's own rule forces (a Memcached cluster cannot change its node type in
/// place) on an object Terraform recorded with its zero values (`""`, `0`, `[]`): the new
/// object is planned from no prior object, as Terraform plans a replacement and as the apply
/// plans it again, so the apply goes through. (It was planned from the zero-filled
/// configuration, and the apply stopped with "Provider produced inconsistent final plan".)
#[tokio::test]
async fn a_rule_forced_replacement_of_a_terraform_state_applies() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform_elasticache");
    let mut state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("clusters.tfstate")).unwrap()).unwrap();
    // The "defaults" cluster alone, as a Memcached one (gone from moto: the delete finds
    // nothing, the create makes it).
    let id = unique("tfmc");
    state["resources"].as_array_mut().unwrap().retain(|r| r["name"] == "defaults");
    let attrs = &mut state["resources"][0]["instances"][0]["attributes"];
    for (k, v) in [
        ("id", serde_json::json!(id)),
        ("cluster_id", serde_json::json!(id)),
        ("engine", serde_json::json!("memcached")),
        ("engine_version", serde_json::json!("1.6.22")),
        ("engine_version_actual", serde_json::json!("1.6.22")),
        ("parameter_group_name", serde_json::json!("default.memcached1.6")),
        ("port", serde_json::json!(11211)),
    ] {
        attrs[k] = v;
    }
    let h = Harness::new();
    std::fs::write(h.dir.path().join("terraform.tfstate"), state.to_string()).unwrap();
    let src = format!(
        r#"
resource "aws_elasticache_cluster" "defaults" {{
  cluster_id      = "{id}"
  engine          = "memcached"
  engine_version  = "1.6.22"
  node_type       = "cache.t3.small"
  num_cache_nodes = 1
}}
"#
    );
    let opts = PlanOptions { refresh: false, ..PlanOptions::default() };
    let (ctx, p) = h.try_plan(&src, &opts).await.unwrap_or_else(|d| panic!("plan failed:\n{d}"));
    let c = change(&p, "aws_elasticache_cluster.defaults");
    assert!(c.action.is_replace(), "{:?}", c.action);
    assert_eq!(c.replace_paths, vec![support::attr_path("node_type")]);
    let (out, state) = h.apply_plan(&ctx, &p).await;
    assert!(!out.diags.has_errors(), "apply failed:\n{}", out.diags);
    assert_eq!(h.str_attr(&state, "aws_elasticache_cluster.defaults", "node_type"), "cache.t3.small");
    assert!(h.destroy(&src).await.resources.is_empty());
}
