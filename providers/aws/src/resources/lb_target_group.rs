//! `aws_lb_target_group`: where the load balancer sends traffic (the swarm nodes' published
//! ports). `health_check` and `stickiness` are optional and computed, as in Terraform: left out,
//! they take what AWS has.

use super::lb_target_group_attributes::{self as tga, TgAttributes};
use crate::delete::retry_while_in_use;
use crate::describe::{all_failed, describe_by_arn, split_err};
use crate::elbv2::{PAGE, arn_after, attribute_map, describe_tags, elb_tags, update_tags};
use crate::errors::{code, is_not_found, sdk_error};
use crate::iam::PROPAGATION;
use crate::model::{Tags, known_parts};
use crate::plan::keep_computed;
use crate::resource::{Ctx, ResourceType, Result, invalid, prefix_of};
use crate::val;
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    Matcher, ProtocolEnum, TargetGroup, TargetGroupAttribute, TargetGroupIpAddressTypeEnum, TargetTypeEnum,
};
use futures::stream::{self, StreamExt};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::{PathStep, Value};

pub struct LbTargetGroup;

/// An `aws_lb_target_group` object.
#[derive(Model, Clone, Debug, Default)]
struct TargetGroupObject {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(computed)]
    arn_suffix: Option<String>,
    #[model(optional, computed, force_new)]
    name: Option<String>,
    #[model(optional, computed, force_new)]
    name_prefix: Option<String>,
    #[model(optional, force_new)]
    port: Option<i64>,
    #[model(optional, force_new)]
    protocol: Option<String>,
    #[model(optional, computed, force_new)]
    protocol_version: Option<String>,
    #[model(optional, force_new)]
    vpc_id: Option<String>,
    #[model(optional, default = "instance", force_new)]
    target_type: String,
    #[model(optional, computed, force_new)]
    ip_address_type: Option<String>,
    /// A string, as in Terraform (a "nullable int").
    #[model(optional, default = "300")]
    deregistration_delay: String,
    #[model(block, max = 1)]
    health_check: Option<HealthCheck>,
    #[model(computed)]
    load_balancer_arns: Option<BTreeSet<String>>,
    #[model(block, max = 1)]
    stickiness: Option<Stickiness>,
    #[model(flatten)]
    attributes: TgAttributes,
    #[model(flatten)]
    tags: Tags,
}

/// `health_check`. Its defaulted arguments are `Option`s: a read sets what AWS returns, null
/// where it returns nothing (the port and protocol of a lambda target group).
#[derive(Model, Clone, Debug, Default, PartialEq)]
struct HealthCheck {
    #[model(optional, default = true)]
    enabled: Option<bool>,
    #[model(optional, default = 3i64)]
    healthy_threshold: Option<i64>,
    #[model(optional, default = 30i64)]
    interval: Option<i64>,
    #[model(optional, computed)]
    matcher: Option<String>,
    #[model(optional, computed)]
    path: Option<String>,
    #[model(optional, default = "traffic-port")]
    port: Option<String>,
    #[model(optional, default = "HTTP")]
    protocol: Option<String>,
    #[model(optional, computed)]
    timeout: Option<i64>,
    #[model(optional, default = 3i64)]
    unhealthy_threshold: Option<i64>,
}

/// `stickiness`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
struct Stickiness {
    #[model(optional, default = 86400i64)]
    cookie_duration: i64,
    #[model(optional)]
    cookie_name: Option<String>,
    #[model(optional, default = true)]
    enabled: bool,
    #[model(required, name = "type")]
    kind: String,
}

const HEALTH_CHECK_COMPUTED: &[&str] = &["matcher", "path", "timeout"];

/// What a lambda target group ignores.
const LAMBDA_IGNORED: &[&str] = &["vpc_id", "port", "protocol", "protocol_version"];

/// The blocks that, left out, keep what AWS has.
const READ_BLOCKS: &[&str] =
    &["health_check", "stickiness", "target_failover", "target_group_health", "target_health_state"];

fn is_http(protocol: Option<&str>) -> bool {
    matches!(protocol, Some("HTTP" | "HTTPS"))
}

fn configured(config: &Value, k: &str) -> bool {
    config.get_attr(k).is_some_and(|v| v.is_unknown() || v.as_seq().is_some_and(|s| !s.is_empty()))
}

async fn tg_attributes(c: &Ctx<'_>, arn: &str) -> Result<HashMap<String, String>> {
    let out = c
        .clients
        .elbv2
        .describe_target_group_attributes()
        .target_group_arn(arn)
        .send()
        .await
        .map_err(|e| sdk_error(&format!("reading the attributes of target group {arn}"), e))?;
    Ok(attribute_map(out.attributes().iter().map(|a| (a.key(), a.value()))))
}

/// The stickiness attributes of a `stickiness` block.
fn stickiness_attributes(s: &Stickiness, protocol: Option<&str>) -> Vec<(String, String)> {
    let mut out = vec![
        ("stickiness.enabled".to_string(), s.enabled.to_string()),
        ("stickiness.type".to_string(), s.kind.clone()),
    ];
    let duration = s.cookie_duration.to_string();
    if is_http(protocol) {
        match s.kind.as_str() {
            "lb_cookie" => out.push(("stickiness.lb_cookie.duration_seconds".into(), duration)),
            "app_cookie" => {
                out.push(("stickiness.app_cookie.cookie_name".into(), s.cookie_name.clone().unwrap_or_default()));
                out.push(("stickiness.app_cookie.duration_seconds".into(), duration));
            }
            _ => {}
        }
    }
    out
}

async fn set_attributes(c: &Ctx<'_>, arn: &str, attrs: Vec<(String, String)>) -> Result<()> {
    if attrs.is_empty() {
        return Ok(());
    }
    let attrs = attrs.into_iter().map(|(k, v)| TargetGroupAttribute::builder().key(k).value(v).build()).collect();
    c.clients
        .elbv2
        .modify_target_group_attributes()
        .target_group_arn(arn)
        .set_attributes(Some(attrs))
        .send()
        .await
        .map_err(|e| sdk_error(&format!("setting the attributes of target group {arn}"), e))?;
    Ok(())
}

fn matcher(hc: &HealthCheck, protocol_version: Option<&str>) -> Option<Matcher> {
    let m = hc.matcher.clone()?;
    Some(if protocol_version == Some("GRPC") {
        Matcher::builder().grpc_code(m).build()
    } else {
        Matcher::builder().http_code(m).build()
    })
}

/// The stickiness read back from the attributes AWS returned (`prior`: the block before, whose
/// cookie duration stays when AWS returns none).
fn stickiness_read(attrs: &HashMap<String, String>, protocol: Option<&str>, prior: Option<&Stickiness>) -> Stickiness {
    let Some(kind) = attrs.get("stickiness.type") else {
        // As Terraform reads it: one element, zero values (a lambda target group has none).
        return Stickiness {
            cookie_duration: 0,
            cookie_name: Some(String::new()),
            enabled: false,
            kind: String::new(),
        };
    };
    let http = is_http(protocol);
    let duration_key = match kind.as_str() {
        "lb_cookie" if http => Some("stickiness.lb_cookie.duration_seconds"),
        "app_cookie" if http => Some("stickiness.app_cookie.duration_seconds"),
        _ => None,
    };
    let cookie_duration = duration_key
        .and_then(|k| attrs.get(k))
        .and_then(|d| d.parse::<i64>().ok())
        .or_else(|| prior.map(|s| s.cookie_duration))
        .unwrap_or(0);
    let cookie_name = if http && kind == "app_cookie" {
        attrs.get("stickiness.app_cookie.cookie_name").filter(|n| !n.is_empty()).cloned()
    } else {
        None
    };
    Stickiness {
        cookie_duration,
        cookie_name,
        enabled: attrs.get("stickiness.enabled").is_some_and(|v| v == "true"),
        kind: kind.clone(),
    }
}

fn tg_value(
    c: &Ctx<'_>,
    tg: &TargetGroup,
    tags: &BTreeMap<String, String>,
    attrs: &HashMap<String, String>,
    cur: &TargetGroupObject,
) -> TargetGroupObject {
    let arn = tg.target_group_arn().unwrap_or_default();
    let name = tg.target_group_name().unwrap_or_default();
    let protocol = tg.protocol().map(|p| p.as_str());
    let text = |s: Option<&str>| s.map(str::to_string);
    let health_check = HealthCheck {
        enabled: tg.health_check_enabled(),
        healthy_threshold: tg.healthy_threshold_count().map(i64::from),
        interval: tg.health_check_interval_seconds().map(i64::from),
        matcher: text(tg.matcher().and_then(|m| m.http_code().or(m.grpc_code()))),
        path: text(tg.health_check_path()),
        port: text(tg.health_check_port()),
        protocol: text(tg.health_check_protocol().map(|p| p.as_str())),
        timeout: tg.health_check_timeout_seconds().map(i64::from),
        unhealthy_threshold: tg.unhealthy_threshold_count().map(i64::from),
    };
    let deregistration_delay =
        attrs.get("deregistration_delay.timeout_seconds").cloned().unwrap_or_else(|| cur.deregistration_delay.clone());
    let target_type = tg.target_type().map(|t| t.as_str()).unwrap_or("instance");
    // A lambda target group has no VPC, port or protocol; what the configuration says of them
    // is ignored (as hashicorp/aws does, with a warning), so what was there stays.
    let lambda = target_type == "lambda";
    fn kept<T>(lambda: bool, cur: &Option<T>, read: Option<T>) -> Option<T>
    where
        T: Clone,
    {
        if lambda { cur.clone().or(read) } else { read }
    }
    TargetGroupObject {
        id: Some(arn.to_string()),
        arn: Some(arn.to_string()),
        arn_suffix: Some(format!("targetgroup/{}", arn_after(arn, ":targetgroup/"))),
        name: Some(name.to_string()),
        name_prefix: prefix_of(None, name),
        port: kept(lambda, &cur.port, tg.port().map(i64::from)),
        protocol: kept(lambda, &cur.protocol, text(protocol)),
        protocol_version: kept(lambda, &cur.protocol_version, text(tg.protocol_version())),
        vpc_id: kept(lambda, &cur.vpc_id, text(tg.vpc_id().filter(|v| !v.is_empty()))),
        target_type: target_type.to_string(),
        ip_address_type: text(tg.ip_address_type().map(|t| t.as_str())),
        deregistration_delay,
        health_check: Some(health_check),
        load_balancer_arns: Some(tg.load_balancer_arns().iter().cloned().collect()),
        stickiness: Some(stickiness_read(attrs, protocol, cur.stickiness.as_ref())),
        attributes: TgAttributes::read(attrs, target_type, protocol, &cur.attributes),
        tags: cur.tags.read_back(c, tags),
    }
}

impl LbTargetGroup {
    /// Reads a target group just written (waiting out ELBv2's eventual consistency).
    async fn read_new(&self, c: &Ctx<'_>, arn: &str, like: &TargetGroupObject) -> Result<Value> {
        let stub = TargetGroupObject { id: Some(arn.to_string()), ..like.clone() }.to_value();
        wait_for(&format!("target group {arn} to be readable"), PROPAGATION, || async {
            Ok(match self.read_many(c, std::slice::from_ref(&stub)).await.pop().unwrap_or(Ok(None))? {
                Some(v) => Poll::Done(v),
                None => Poll::Pending("not found yet".into()),
            })
        })
        .await
    }
}

fn validate_health_check(hc: &HealthCheck, protocol: Option<&str>, out: &mut Vec<Diagnostic>) {
    let range = |k: &str, n: Option<i64>, lo: i64, hi: i64, out: &mut Vec<Diagnostic>| {
        if let Some(n) = n.filter(|n| !(lo..=hi).contains(n)) {
            out.push(invalid(
                &format!("Invalid health_check.{k}"),
                format!("health_check.{k} must be between {lo} and {hi}, got {n}."),
            ));
        }
    };
    range("interval", hc.interval, 5, 300, out);
    range("healthy_threshold", hc.healthy_threshold, 2, 10, out);
    range("unhealthy_threshold", hc.unhealthy_threshold, 2, 10, out);
    range("timeout", hc.timeout, 2, 120, out);
    if hc.protocol.as_deref().is_some_and(|p| p.eq_ignore_ascii_case("TCP")) {
        for (k, v) in [("matcher", &hc.matcher), ("path", &hc.path)] {
            if v.is_some() {
                out.push(invalid(
                    "Invalid health_check",
                    format!("health_check.{k} cannot be set when health_check.protocol is \"TCP\"."),
                ));
            }
        }
        if is_http(protocol) {
            out.push(invalid(
                "Invalid health_check",
                format!("health_check.protocol cannot be \"TCP\" when protocol is {:?}.", protocol.unwrap_or_default()),
            ));
        }
    }
    if let Some(p) =
        hc.port.as_ref().filter(|p| *p != "traffic-port" && !p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n)))
    {
        out.push(invalid(
            "Invalid health_check.port",
            format!("health_check.port must be a port number or \"traffic-port\", got {p:?}."),
        ));
    }
}

/// The health check arguments CreateTargetGroup and ModifyTargetGroup both take.
macro_rules! with_health_check {
    ($req:expr, $hc:expr, $target_type:expr, $protocol_version:expr) => {{
        let hc: &HealthCheck = $hc;
        let hc_protocol = hc.protocol.clone().unwrap_or_else(|| "HTTP".into());
        let int = |n: Option<i64>| n.map(|n| n as i32);
        let mut req = $req
            .set_health_check_enabled(hc.enabled)
            .set_health_check_interval_seconds(int(hc.interval))
            .set_healthy_threshold_count(int(hc.healthy_threshold))
            .set_unhealthy_threshold_count(int(hc.unhealthy_threshold))
            .set_health_check_timeout_seconds(int(hc.timeout.filter(|n| *n != 0)));
        if hc_protocol != "TCP" {
            req = req.set_health_check_path(hc.path.clone()).set_matcher(matcher(hc, $protocol_version));
        }
        if $target_type != "lambda" {
            req = req
                .set_health_check_port(hc.port.clone())
                .health_check_protocol(ProtocolEnum::from(hc_protocol.as_str()));
        }
        req
    }};
}

impl TargetGroupObject {
    /// The name a create gives the target group: `name`, else `name_prefix` (or `tf-`) and a
    /// unique suffix.
    fn created_name(&self, c: &Ctx<'_>) -> String {
        c.name_or_prefix(self.name.as_deref(), self.name_prefix.as_deref(), "tf-")
    }
}

#[async_trait]
impl ResourceType for LbTargetGroup {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::Elbv2)
    }

    fn name(&self) -> &'static str {
        "aws_lb_target_group"
    }

    fn schema(&self) -> Schema {
        TargetGroupObject::schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        // Read leniently, with what is not known yet null: it is not checked.
        let cfg = match TargetGroupObject::from_stub(&known_parts(config)) {
            Ok(c) => c,
            Err(e) => return vec![invalid("Invalid configuration", e.to_string())],
        };
        if cfg.name.is_some() && cfg.name_prefix.is_some() {
            out.push(invalid(
                "Conflicting configuration arguments",
                "\"name\": conflicts with name_prefix; set only one of them.",
            ));
        }
        for (k, v, max) in [("name", &cfg.name, 32), ("name_prefix", &cfg.name_prefix, 6)] {
            if let Some(n) = v.as_ref().filter(|n| {
                n.chars().count() > max
                    || !n.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
                    || n.starts_with('-')
            }) {
                out.push(invalid(&format!("Invalid {k}"), format!("{n:?}: a target group {k} has at most {max} characters, only letters, digits and hyphens, and does not begin with a hyphen.")));
            }
        }
        let target_type = cfg.target_type.as_str();
        if !["instance", "ip", "lambda", "alb"].contains(&target_type) {
            out.push(invalid(
                "Invalid target_type",
                format!("target_type must be one of instance, ip, lambda, alb; got {target_type:?}."),
            ));
        }
        // Set or not known yet: a raw check, as "not known yet" reads as none.
        if target_type == "lambda" {
            for k in LAMBDA_IGNORED {
                if config.get_attr(k).is_some_and(|v| !v.is_null()) {
                    out.push(Diagnostic::warning(
                        "Invalid Attribute Combination",
                        format!("\"{k}\" cannot be specified when \"target_type\" is \"lambda\"; it is ignored."),
                    ));
                }
            }
        }
        if target_type != "lambda" {
            for k in ["port", "protocol", "vpc_id"] {
                if config.get_attr(k).is_none_or(Value::is_null) {
                    out.push(invalid(
                        "Missing required argument",
                        format!("\"{k}\" is required when target_type is {target_type:?}."),
                    ));
                }
            }
        }
        let protocol = cfg.protocol.as_deref();
        if let Some(p) = protocol.filter(|p| !ProtocolEnum::values().contains(p)) {
            out.push(invalid(
                "Invalid protocol",
                format!("protocol must be one of {}; got {p:?}.", ProtocolEnum::values().join(", ")),
            ));
        }
        let d = &cfg.deregistration_delay;
        if !d.parse::<u32>().is_ok_and(|n| n <= 3600) {
            out.push(invalid(
                "Invalid deregistration_delay",
                format!("deregistration_delay must be a whole number of seconds from 0 to 3600, got {d:?}."),
            ));
        }
        for a in tga::ATTRIBUTES.iter().filter(|a| !a.allowed.is_empty()) {
            if let Some(v) = (a.get)(&cfg.attributes).filter(|v| !a.allowed.contains(&v.as_str())) {
                out.push(invalid(
                    &format!("Invalid {}", a.name),
                    format!("{} must be one of {}; got {v:?}.", a.name, a.allowed.join(", ")),
                ));
            }
        }
        let n = cfg.attributes.slow_start;
        if n != 0 && !(30..=900).contains(&n) {
            out.push(invalid(
                "Invalid slow_start",
                format!("slow_start must be 0 or between 30 and 900 seconds, got {n}."),
            ));
        }
        for f in &cfg.attributes.target_failover {
            for (k, v) in [("on_deregistration", &f.on_deregistration), ("on_unhealthy", &f.on_unhealthy)] {
                if let Some(v) = v.as_ref().filter(|v| *v != "rebalance" && *v != "no_rebalance") {
                    out.push(invalid(
                        &format!("Invalid target_failover.{k}"),
                        format!("target_failover.{k} must be rebalance or no_rebalance; got {v:?}."),
                    ));
                }
            }
        }
        if let Some(hc) = &cfg.health_check {
            validate_health_check(hc, protocol, &mut out);
        }
        if let Some(s) = &cfg.stickiness {
            // The type as configured (a raw check: one not known yet is not checked).
            let kind = val::block(config, "stickiness").and_then(|s| val::string(&s, "type"));
            if let Some(t) = kind.filter(|t| {
                !["lb_cookie", "app_cookie", "source_ip", "source_ip_dest_ip", "source_ip_dest_ip_proto"]
                    .contains(&t.as_str())
            }) {
                out.push(invalid("Invalid stickiness.type", format!("stickiness.type must be one of lb_cookie, app_cookie, source_ip, source_ip_dest_ip, source_ip_dest_ip_proto; got {t:?}.")));
            }
            let d = s.cookie_duration;
            if !(0..=604800).contains(&d) {
                out.push(invalid(
                    "Invalid stickiness.cookie_duration",
                    format!("stickiness.cookie_duration must be between 0 and 604800 seconds, got {d}."),
                ));
            }
        }
        out
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        let read = |v: &Value| TargetGroupObject::from_stub(v).ok();
        let prior_object = prior.filter(|p| !p.is_null()).and_then(read);
        let lambda = |o: &Option<TargetGroupObject>| o.as_ref().is_some_and(|o| o.target_type == "lambda");
        // A lambda target group has no VPC, port or protocol: their differences are ignored
        // (hashicorp/aws warns that they are set, and reads them back empty).
        if let Some(p) = prior.filter(|p| !p.is_null())
            && lambda(&read(&known_parts(config)))
            && lambda(&prior_object)
        {
            for k in LAMBDA_IGNORED {
                plan.planned.set_at_path(&[PathStep::Attr((*k).into())], p.get_attr(k).cloned().unwrap_or(Value::NULL));
            }
            let replaced = !plan.requires_replace.is_empty();
            plan.requires_replace.retain(
                |path| !matches!(path.first(), Some(PathStep::Attr(a)) if LAMBDA_IGNORED.contains(&a.as_str())),
            );
            if replaced && plan.requires_replace.is_empty() {
                // Planned as a replacement, its computed values were left unknown: not replaced,
                // they stay as they were.
                for (k, _) in TargetGroupObject::schema().attributes.iter().filter(|(_, a)| a.computed) {
                    let path = [PathStep::Attr(k.clone())];
                    if plan.planned.at_path(&path).is_some_and(|v| !v.is_wholly_known()) {
                        plan.planned.set_at_path(&path, p.get_attr(k).cloned().unwrap_or(Value::NULL));
                    }
                }
            }
        }
        keep_computed(prior, config, plan, &["name_prefix", "protocol_version", "ip_address_type"]);
        let keep = plan.requires_replace.is_empty();
        let prior = prior.filter(|p| !p.is_null() && keep);
        for k in READ_BLOCKS {
            let k = *k;
            if !configured(config, k) {
                // Left out: whatever AWS has (decided at creation).
                let v = prior.and_then(|p| p.get_attr(k)).cloned().unwrap_or(Value::DYNAMIC);
                plan.planned.set_at_path(&[PathStep::Attr(k.into())], v);
            }
        }
        if configured(config, "health_check") {
            let hc_path =
                |k: &str| [PathStep::Attr("health_check".into()), PathStep::Index(0), PathStep::Attr(k.into())];
            // Terraform stores the health check protocol upper-cased.
            if let Some(p) = plan.planned.at_path(&hc_path("protocol")).and_then(Value::as_str).map(str::to_uppercase) {
                plan.planned.set_at_path(&hc_path("protocol"), Value::from(p));
            }
            // Computed attributes of a configured health check keep their prior value, null or
            // not (a raw check of the configuration: "not known yet" is not null).
            let config_hc = val::block(config, "health_check");
            let prior_hc = prior_object.filter(|_| keep).and_then(|p| p.health_check).map(|h| h.to_value());
            if let (Some(cfg), Some(before)) = (config_hc, prior_hc) {
                for k in HEALTH_CHECK_COMPUTED {
                    if cfg.get_attr(k).is_none_or(Value::is_null) {
                        plan.planned.set_at_path(&hc_path(k), before.get_attr(k).cloned().unwrap_or(Value::NULL));
                    }
                }
            }
        }
    }

    async fn create(&self, c: &Ctx<'_>, raw: &Value) -> Result<Value> {
        let planned = TargetGroupObject::from_value(raw)?;
        let name = planned.created_name(c);
        let target_type = planned.target_type.as_str();
        let protocol = planned.protocol.as_deref();
        let protocol_version = planned.protocol_version.as_deref();
        let mut req = c
            .clients
            .elbv2
            .create_target_group()
            .name(&name)
            .target_type(TargetTypeEnum::from(target_type))
            .set_tags(elb_tags(&planned.tags.at_create(c)));
        if target_type != "lambda" {
            req = req
                .set_port(planned.port.map(|p| p as i32))
                .set_protocol(protocol.map(ProtocolEnum::from))
                .set_vpc_id(planned.vpc_id.clone());
            if is_http(protocol) {
                req = req.set_protocol_version(planned.protocol_version.clone());
            }
            if let Some(t) =
                planned.ip_address_type.as_deref().filter(|_| target_type == "instance" || target_type == "ip")
            {
                req = req.ip_address_type(TargetGroupIpAddressTypeEnum::from(t));
            }
        }
        if let Some(hc) = &planned.health_check {
            req = with_health_check!(req, hc, target_type, protocol_version);
        }
        let out = req.send().await.map_err(|e| sdk_error(&format!("creating target group {name}"), e))?;
        let arn = out
            .target_groups()
            .first()
            .and_then(|t| t.target_group_arn())
            .ok_or_else(|| ProviderError::new("creating target group: no ARN in the response"))?
            .to_string();
        let partial = || {
            TargetGroupObject {
                id: Some(arn.clone()),
                arn: Some(arn.clone()),
                name: Some(name.clone()),
                ..TargetGroupObject::default()
            }
            .to_value()
        };
        let mut attrs = Vec::new();
        if target_type == "instance" || target_type == "ip" {
            if let Some(s) = &planned.stickiness {
                attrs.extend(stickiness_attributes(s, protocol));
            }
            attrs.push(("deregistration_delay.timeout_seconds".into(), planned.deregistration_delay.clone()));
        }
        attrs.extend(planned.attributes.to_send(None, target_type, protocol));
        set_attributes(c, &arn, attrs).await.map_err(|e| e.with_partial_state(partial()))?;
        self.read_new(c, &arn, &planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by its name (configured, or made from `name_prefix` and the token), carrying the
    /// token tag CreateTargetGroup gave it.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let name = TargetGroupObject::from_stub(planned)?.created_name(c);
        let arn = match c.clients.elbv2.describe_target_groups().names(&name).send().await {
            Ok(out) => out.target_groups().first().and_then(|t| t.target_group_arn()).map(str::to_string),
            Err(e) if is_not_found(&e) => None,
            Err(e) => return Err(sdk_error(&format!("looking for target group {name}"), e)),
        };
        let Some(arn) = arn else { return Ok(None) };
        crate::resource::find_named(self, c, crate::resource::with_id(planned, &arn), true).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let arns: Vec<String> = current.iter().map(val::id).filter(|a| !a.is_empty()).collect();
        let groups = describe_by_arn(&arns, PAGE, |page| async move {
            c.clients
                .elbv2
                .describe_target_groups()
                .set_target_group_arns(Some(page))
                .send()
                .await
                .map(|o| o.target_groups().to_vec())
                .map_err(|e| split_err("reading target groups", e))
        })
        .await;
        let found: HashMap<String, TargetGroup> = match groups {
            Ok(g) => g.into_iter().filter_map(|t| Some((t.target_group_arn()?.to_string(), t))).collect(),
            Err(e) => return all_failed(current.len(), &e),
        };
        let found_arns: Vec<String> = found.keys().cloned().collect();
        let tags = match describe_tags(c, &found_arns).await {
            Ok(t) => t,
            Err(e) => return all_failed(current.len(), &e),
        };
        // One DescribeTargetGroupAttributes per group (the API takes one ARN).
        let attrs: HashMap<String, Result<HashMap<String, String>>> = stream::iter(found_arns.clone())
            .map(|arn| async move { (arn.clone(), tg_attributes(c, &arn).await) })
            .buffered(8)
            .collect()
            .await;
        current
            .iter()
            .map(|cur| {
                let cur = TargetGroupObject::from_stub(cur)?;
                let arn = cur.id.clone().unwrap_or_default();
                let Some(tg) = found.get(&arn) else { return Ok(None) };
                let attrs = attrs.get(&arn).cloned().unwrap_or_else(|| Ok(HashMap::new()))?;
                Ok(Some(tg_value(c, tg, tags.get(&arn).unwrap_or(&BTreeMap::new()), &attrs, &cur).to_value()))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (TargetGroupObject::from_stub(prior)?, TargetGroupObject::from_value(planned)?);
        let arn = prior.id.clone().unwrap_or_default();
        let target_type = planned.target_type.as_str();
        let protocol = planned.protocol.as_deref();
        if let Some(hc) = planned.health_check.as_ref().filter(|hc| prior.health_check.as_ref() != Some(*hc)) {
            let req = c.clients.elbv2.modify_target_group().target_group_arn(&arn);
            let req = with_health_check!(req, hc, target_type, planned.protocol_version.as_deref());
            req.send().await.map_err(|e| sdk_error(&format!("modifying the health check of target group {arn}"), e))?;
        }
        let mut attrs = Vec::new();
        if target_type == "instance" || target_type == "ip" {
            if prior.stickiness != planned.stickiness {
                match &planned.stickiness {
                    Some(s) => attrs.extend(stickiness_attributes(s, protocol)),
                    None => attrs.push(("stickiness.enabled".into(), "false".into())),
                }
            }
            if prior.deregistration_delay != planned.deregistration_delay {
                attrs.push(("deregistration_delay.timeout_seconds".into(), planned.deregistration_delay.clone()));
            }
        }
        attrs.extend(planned.attributes.to_send(Some(&prior.attributes), target_type, protocol));
        set_attributes(c, &arn, attrs).await?;
        update_tags(c, &arn, &prior.tags.wanted(), &planned.tags.wanted()).await?;
        self.read_new(c, &arn, &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let arn = TargetGroupObject::from_stub(prior)?.id.unwrap_or_default();
        // A listener or rule deleted just before may still hold the group for a moment.
        retry_while_in_use(
            &format!("target group {arn} to be deleted"),
            PROPAGATION,
            &format!("deleting target group {arn}"),
            |e| (code(e) == Some("ResourceInUse")).then(|| crate::errors::describe("in use", e)),
            || c.clients.elbv2.delete_target_group().target_group_arn(&arn).send(),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stickiness_attributes_follow_the_protocol() {
        let s = Stickiness::from_value(&Value::object([
            ("type", Value::from("lb_cookie")),
            ("enabled", Value::Bool(true)),
            ("cookie_duration", Value::from(60i64)),
        ]))
        .unwrap();
        let http = stickiness_attributes(&s, Some("HTTP"));
        assert!(http.contains(&("stickiness.lb_cookie.duration_seconds".to_string(), "60".to_string())));
        assert_eq!(stickiness_attributes(&s, Some("TCP")).len(), 2);
    }

    #[test]
    fn a_lambda_target_group_warns_of_what_it_ignores() {
        let config = Value::object([("target_type", Value::from("lambda")), ("vpc_id", Value::from("vpc-1"))]);
        let out = LbTargetGroup.validate(&config);
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(!out[0].is_error(), "{out:?}");
    }

    #[test]
    fn tcp_health_checks_take_no_path() {
        let hc = HealthCheck::from_stub(&Value::object([("protocol", Value::from("TCP")), ("path", Value::from("/"))]))
            .unwrap();
        let mut out = Vec::new();
        validate_health_check(&hc, Some("HTTP"), &mut out);
        assert_eq!(out.len(), 2, "{out:?}");
    }
}
