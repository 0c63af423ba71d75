//! ElastiCache helpers shared by the ElastiCache resource types: tags in and out, tag updates,
//! the engines, clusters described (a replication group reads its member clusters), the
//! `log_delivery_configuration` block and the checks both types make.

use crate::describe::{PAGE, few_or_listing};
use crate::errors::{describe, is_not_found, sdk_error};
use crate::resource::{Ctx, Result, invalid};
use crate::val;
use aws_sdk_elasticache::types::{
    CacheCluster, CloudWatchLogsDestinationDetails, DestinationDetails, DestinationType,
    KinesisFirehoseDestinationDetails, LogDeliveryConfiguration, LogDeliveryConfigurationRequest, LogFormat, LogType,
    Tag,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::value::Value;

/// Tags as ElastiCache takes them (none for an empty map).
pub fn ec_tags(m: &BTreeMap<String, String>) -> Option<Vec<Tag>> {
    (!m.is_empty()).then(|| m.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect())
}

/// The tags of an ElastiCache resource (ListTagsForResource).
pub async fn ec_tags_of(c: &Ctx<'_>, arn: &str) -> Result<BTreeMap<String, String>> {
    let out = c
        .clients
        .elasticache
        .list_tags_for_resource()
        .resource_name(arn)
        .send()
        .await
        .map_err(|e| sdk_error(&format!("reading the tags of {arn}"), e))?;
    Ok(out
        .tag_list()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string())))
        .collect())
}

/// Brings an ElastiCache resource's tags from `old` to `new`.
pub async fn ec_update_tags(
    c: &Ctx<'_>,
    arn: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Result<()> {
    let ec = &c.clients.elasticache;
    crate::tags::update(
        old,
        new,
        async |keys| {
            let req = ec.remove_tags_from_resource().resource_name(arn).set_tag_keys(Some(keys));
            req.send().await.map(drop).map_err(|e| sdk_error(&format!("removing tags from {arn}"), e))
        },
        async |set| {
            let req = ec.add_tags_to_resource().resource_name(arn).set_tags(ec_tags(&set));
            req.send().await.map(drop).map_err(|e| sdk_error(&format!("tagging {arn}"), e))
        },
    )
    .await
}

/// The engines a cluster or replication group may run.
pub const ENGINES: &[&str] = &["memcached", "redis", "valkey"];

/// One cluster, with its nodes; `None` when it does not exist.
pub async fn find_cluster(c: &Ctx<'_>, id: &str) -> Result<Option<CacheCluster>> {
    let req = c.clients.elasticache.describe_cache_clusters().cache_cluster_id(id).show_cache_node_info(true);
    match req.send().await {
        Ok(o) => Ok(o.cache_clusters().first().cloned()),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(ProviderError::new(describe(&format!("reading ElastiCache cluster {id}"), &e))),
    }
}

/// The clusters with these (lowercase) IDs, with their nodes: one call each for a few,
/// else one paged listing of every cluster (DescribeCacheClusters filters on one ID only).
pub async fn fetch_clusters(c: &Ctx<'_>, ids: &[String]) -> Result<HashMap<String, CacheCluster>> {
    let listing = c
        .clients
        .elasticache
        .describe_cache_clusters()
        .show_cache_node_info(true)
        .max_records(PAGE)
        .into_paginator()
        .items()
        .send();
    few_or_listing(
        ids,
        |cc: &CacheCluster| cc.cache_cluster_id().unwrap_or_default().to_lowercase(),
        |id| find_cluster(c, id),
        listing,
        "listing ElastiCache clusters",
    )
    .await
}

/// The security group IDs of a cluster.
pub fn security_groups(cc: &CacheCluster) -> BTreeSet<String> {
    cc.security_groups().iter().filter_map(|g| g.security_group_id().map(str::to_string)).collect()
}

/// A `log_delivery_configuration` block, as both types have it (a set of at most two: one
/// per log type).
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct LogDelivery {
    #[model(required)]
    pub destination: String,
    #[model(required)]
    pub destination_type: String,
    #[model(required)]
    pub log_format: String,
    #[model(required)]
    pub log_type: String,
}

/// Allowed values of the block's arguments (the API's enums), for validation.
const LOG_ENUMS: &[(&str, &[&str])] = &[
    ("destination_type", &["cloudwatch-logs", "kinesis-firehose"]),
    ("log_format", &["text", "json"]),
    ("log_type", &["slow-log", "engine-log"]),
];

/// Errors for `log_delivery_configuration` blocks with values the API does not take. (On the
/// configuration as it is: a value not known yet is not checked, where [`LogDelivery`] would
/// read it as "".)
pub fn validate_log_delivery(config: &Value) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for b in val::blocks(config, "log_delivery_configuration") {
        for (k, allowed) in LOG_ENUMS {
            if let Some(v) = val::string(&b, k)
                && !allowed.contains(&v.as_str())
            {
                out.push(invalid(
                    &format!("Invalid log_delivery_configuration.{k}"),
                    format!("expected {k} to be one of {allowed:?}, got {v:?}"),
                ));
            }
        }
    }
    out
}

/// One configured block as the API takes it.
fn log_request(b: &LogDelivery) -> LogDeliveryConfigurationRequest {
    let (dest_type, dest) = (b.destination_type.as_str(), b.destination.clone());
    let details = match dest_type {
        "kinesis-firehose" => DestinationDetails::builder()
            .kinesis_firehose_details(KinesisFirehoseDestinationDetails::builder().delivery_stream(dest).build())
            .build(),
        _ => DestinationDetails::builder()
            .cloud_watch_logs_details(CloudWatchLogsDestinationDetails::builder().log_group(dest).build())
            .build(),
    };
    LogDeliveryConfigurationRequest::builder()
        .log_type(LogType::from(b.log_type.as_str()))
        .destination_type(DestinationType::from(dest_type))
        .destination_details(details)
        .log_format(LogFormat::from(b.log_format.as_str()))
        .enabled(true)
        .build()
}

/// The configured blocks as a create sends them (none for no blocks).
pub fn log_requests(blocks: &[LogDelivery]) -> Option<Vec<LogDeliveryConfigurationRequest>> {
    let reqs: Vec<_> = blocks.iter().map(log_request).collect();
    (!reqs.is_empty()).then_some(reqs)
}

/// What a modify sends when the blocks changed, as hashicorp/aws does: every planned block,
/// and for each log type no longer configured a request that disables it.
pub fn log_requests_for_change(prior: &[LogDelivery], planned: &[LogDelivery]) -> Vec<LogDeliveryConfigurationRequest> {
    let kept: Vec<&String> = planned.iter().map(|b| &b.log_type).collect();
    let mut out: Vec<_> = planned.iter().map(log_request).collect();
    for old in prior.iter().filter(|b| !kept.contains(&&b.log_type)) {
        let t = LogType::from(old.log_type.as_str());
        out.push(LogDeliveryConfigurationRequest::builder().log_type(t).enabled(false).build());
    }
    out
}

/// The blocks as the API reports them (hashicorp/aws's flatten: the destination is the log
/// group or the delivery stream, by destination type).
pub fn log_deliveries(configs: &[LogDeliveryConfiguration]) -> Vec<LogDelivery> {
    configs
        .iter()
        .map(|c| {
            let details = c.destination_details();
            let dest = match c.destination_type() {
                Some(DestinationType::KinesisFirehose) => {
                    details.and_then(|d| d.kinesis_firehose_details()?.delivery_stream())
                }
                _ => details.and_then(|d| d.cloud_watch_logs_details()?.log_group()),
            };
            LogDelivery {
                destination: dest.unwrap_or_default().to_string(),
                destination_type: c.destination_type().map(|t| t.as_str()).unwrap_or_default().to_string(),
                log_format: c.log_format().map(|t| t.as_str()).unwrap_or_default().to_string(),
                log_type: c.log_type().map(|t| t.as_str()).unwrap_or_default().to_string(),
            }
        })
        .collect()
}

/// A nullable bool of hashicorp/aws (`"true"`, `"false"`, or unset) as the API takes it.
pub fn parse_bool(s: Option<&str>) -> Option<bool> {
    s.and_then(|s| s.parse().ok())
}

/// A bool the API returned, as hashicorp/aws's nullable bool records it.
pub fn bool_text(b: Option<bool>) -> Option<String> {
    b.map(|b| b.to_string())
}

/// An error for a nullable bool `k` whose value `v` is neither `"true"` nor `"false"`.
pub fn check_nullable_bool(k: &str, v: Option<&str>, out: &mut Vec<Diagnostic>) {
    if let Some(s) = v
        && !s.is_empty()
        && s != "true"
        && s != "false"
    {
        out.push(invalid(&format!("Invalid {k}"), format!("expected {k} to be \"true\" or \"false\", got {s:?}")));
    }
}

/// An error for a string argument `k` whose value `v` is outside the values the API takes.
pub fn check_enum(k: &str, v: Option<&str>, allowed: &[&str], out: &mut Vec<Diagnostic>) {
    if let Some(s) = v
        && !allowed.contains(&s)
    {
        out.push(invalid(&format!("Invalid {k}"), format!("expected {k} to be one of {allowed:?}, got {s:?}")));
    }
}

/// Errors for arguments set together that hashicorp/aws's `ConflictsWith` refuses.
pub fn validate_conflicts(config: &Value, k: &str, with: &[&str], out: &mut Vec<Diagnostic>) {
    if crate::plan::missing(config, k) {
        return;
    }
    for w in with {
        let set = config
            .get_attr(w)
            .is_some_and(|v| !v.is_null() && v.as_seq().is_none_or(|items| !items.is_empty() || !v.is_known()));
        if set {
            out.push(invalid(
                "Conflicting configuration arguments",
                format!("\"{k}\": conflicts with {w}; set only one of them."),
            ));
        }
    }
}

/// The status of a global replication group and whether `member` (a replication group ID)
/// is one of its members; `None` when the global group does not exist.
async fn global_group(c: &Ctx<'_>, gid: &str, member: &str) -> Result<Option<(String, bool)>> {
    let req = c
        .clients
        .elasticache
        .describe_global_replication_groups()
        .global_replication_group_id(gid)
        .show_member_info(true);
    match req.send().await {
        Ok(o) => Ok(o.global_replication_groups().first().map(|g| {
            let is_member =
                g.members().iter().any(|m| m.replication_group_id().is_some_and(|r| r.eq_ignore_ascii_case(member)));
            (g.status().unwrap_or("unknown").to_string(), is_member)
        })),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(ProviderError::new(describe(&format!("reading ElastiCache global replication group {gid}"), &e))),
    }
}

/// Waits for a global replication group to be available after a member joined it (the
/// member can be available before the global group is), as hashicorp/aws does.
pub async fn wait_global_available(c: &Ctx<'_>, gid: &str, limit: std::time::Duration) -> Result<()> {
    crate::waiter::wait_for(
        &format!("ElastiCache global replication group {gid} to become available"),
        limit,
        || async {
            use crate::waiter::Poll;
            Ok(match global_group(c, gid, "").await? {
                None => Poll::Failed("not found".into()),
                Some((s, _)) if s == "available" || s == "primary-only" => Poll::Done(()),
                Some((s, _)) if s == "creating" || s == "modifying" => Poll::Pending(s),
                Some((s, _)) => Poll::Failed(s),
            })
        },
    )
    .await
}

/// Takes a replication group out of its global replication group before it is deleted, and
/// waits until it is no longer a member (a global group already gone, or a group not in it,
/// is fine).
pub async fn disassociate_global(c: &Ctx<'_>, gid: &str, id: &str, limit: std::time::Duration) -> Result<()> {
    let ec = &c.clients.elasticache;
    let region = ec.config().region().map(|r| r.to_string()).or_else(|| c.settings.region.clone()).unwrap_or_default();
    let what = format!("disassociating ElastiCache replication group {id} from global replication group {gid}");
    let sent = crate::waiter::wait_for(&what, limit, || async {
        use crate::waiter::Poll;
        let req = ec
            .disassociate_global_replication_group()
            .global_replication_group_id(gid)
            .replication_group_id(id)
            .replication_group_region(&region);
        match req.send().await {
            Ok(_) => Ok(Poll::Done(true)),
            Err(e) if is_not_found(&e) => Ok(Poll::Done(false)),
            Err(e) if describe("", &e).contains("is not associated with Global Replication Group") => {
                Ok(Poll::Done(false))
            }
            Err(e) if crate::errors::code(&e) == Some("InvalidGlobalReplicationGroupState") => {
                Ok(Poll::Pending(describe("", &e).trim_start_matches(": ").to_string()))
            }
            Err(e) => Err(sdk_error(&what, e)),
        }
    })
    .await?;
    if !sent {
        return Ok(());
    }
    crate::waiter::wait_for(&format!("ElastiCache replication group {id} to leave {gid}"), limit, || async {
        use crate::waiter::Poll;
        Ok(match global_group(c, gid, id).await? {
            Some((s, true)) => Poll::Pending(s),
            _ => Poll::Done(()),
        })
    })
    .await
}

/// The snapshot retention read back: what the API reports, but `0` (no snapshots, what AWS
/// reports for a cluster or group given none, and for Memcached) stays null where nothing is
/// configured, so that a state terrane writes keeps "not set" as null (see `legacy`) and a
/// replacement planned from it matches the one planned at apply.
pub fn retention(api: Option<i32>, configured: Option<i64>) -> Option<i64> {
    match api {
        Some(0) if configured.is_none() => None,
        n => n.map(i64::from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(items: &[(&str, &str)]) -> Vec<LogDelivery> {
        items
            .iter()
            .map(|(dest, log_type)| LogDelivery {
                destination: dest.to_string(),
                destination_type: "cloudwatch-logs".into(),
                log_format: "json".into(),
                log_type: log_type.to_string(),
            })
            .collect()
    }

    #[test]
    fn a_log_type_no_longer_configured_is_disabled() {
        let prior = blocks(&[("/slow", "slow-log"), ("/engine", "engine-log")]);
        let planned = blocks(&[("/slow2", "slow-log")]);
        let reqs = log_requests_for_change(&prior, &planned);
        assert_eq!(reqs.len(), 2);
        assert_eq!(reqs[0].log_type(), Some(&LogType::SlowLog));
        assert_eq!(reqs[0].enabled(), Some(true));
        let group = reqs[0].destination_details().and_then(|d| d.cloud_watch_logs_details()?.log_group());
        assert_eq!(group, Some("/slow2"));
        assert_eq!((reqs[1].log_type(), reqs[1].enabled()), (Some(&LogType::EngineLog), Some(false)));
        assert!(reqs[1].destination_details().is_none());
        assert!(log_requests(&blocks(&[])).is_none());
    }

    #[test]
    fn log_deliveries_are_read_by_destination_type() {
        let firehose = LogDeliveryConfiguration::builder()
            .log_type(LogType::SlowLog)
            .destination_type(DestinationType::KinesisFirehose)
            .log_format(LogFormat::Json)
            .destination_details(
                DestinationDetails::builder()
                    .kinesis_firehose_details(KinesisFirehoseDestinationDetails::builder().delivery_stream("s").build())
                    .build(),
            )
            .build();
        let items = log_deliveries(&[firehose]);
        assert_eq!(items[0].destination, "s");
        assert_eq!(items[0].destination_type, "kinesis-firehose");
        assert_eq!(retention(Some(0), None), None);
        assert_eq!(retention(Some(0), Some(0)), Some(0));
    }
}
