//! `aws_lb_target_group`: where the load balancer sends traffic (the swarm nodes' published
//! ports). `health_check` and `stickiness` are optional and computed, as in Terraform: left out,
//! they take what AWS has.

use super::lb_target_group_attributes as tga;
use crate::delete::retry_while_in_use;
use crate::describe::{all_failed, describe_by_arn, split_err};
use crate::elbv2::{PAGE, arn_after, attribute_map, describe_tags, elb_tags, update_tags};
use crate::errors::{code, is_not_found, sdk_error};
use crate::iam::PROPAGATION;
use crate::plan::keep_computed;
use crate::resource::{Ctx, ResourceType, Result, invalid, name_prefix_from_name};
use crate::val::{self, Obj};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    Matcher, ProtocolEnum, TargetGroup, TargetGroupAttribute, TargetGroupIpAddressTypeEnum, TargetTypeEnum,
};
use futures::stream::{self, StreamExt};
use std::collections::{BTreeMap, HashMap};
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct LbTargetGroup;

const HEALTH_CHECK_COMPUTED: &[&str] = &["matcher", "path", "timeout"];

fn health_check_schema() -> Schema {
    Schema::new()
        .attr("enabled", Attribute::optional(Type::Bool).default(true))
        .attr("healthy_threshold", Attribute::optional(Type::Number).default(Value::from(3i64)))
        .attr("interval", Attribute::optional(Type::Number).default(Value::from(30i64)))
        .attr("matcher", Attribute::optional_computed(Type::String))
        .attr("path", Attribute::optional_computed(Type::String))
        .attr("port", Attribute::optional(Type::String).default("traffic-port"))
        .attr("protocol", Attribute::optional(Type::String).default("HTTP"))
        .attr("timeout", Attribute::optional_computed(Type::Number))
        .attr("unhealthy_threshold", Attribute::optional(Type::Number).default(Value::from(3i64)))
}

fn stickiness_schema() -> Schema {
    Schema::new()
        .attr("cookie_duration", Attribute::optional(Type::Number).default(Value::from(86400i64)))
        .attr("cookie_name", Attribute::optional(Type::String))
        .attr("enabled", Attribute::optional(Type::Bool).default(true))
        .attr("type", Attribute::required(Type::String))
}

fn schema() -> Schema {
    tga::with_attributes(crate::resource::with_tags(
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("arn", Attribute::computed(Type::String))
            .attr("arn_suffix", Attribute::computed(Type::String))
            .attr("name", Attribute::optional_computed(Type::String).force_new())
            .attr("name_prefix", Attribute::optional_computed(Type::String).force_new())
            .attr("port", Attribute::optional(Type::Number).force_new())
            .attr("protocol", Attribute::optional(Type::String).force_new())
            .attr("protocol_version", Attribute::optional_computed(Type::String).force_new())
            .attr("vpc_id", Attribute::optional(Type::String).force_new())
            .attr("target_type", Attribute::optional(Type::String).default("instance").force_new())
            .attr("ip_address_type", Attribute::optional_computed(Type::String).force_new())
            // A string, as in Terraform (a "nullable int").
            .attr("deregistration_delay", Attribute::optional(Type::String).default("300"))
            .block("health_check", NestedBlock::list(health_check_schema()).max(1))
            .attr("load_balancer_arns", Attribute::computed(Type::set(Type::String)))
            .block("stickiness", NestedBlock::list(stickiness_schema()).max(1)),
    ))
}

/// The blocks that, left out, keep what AWS has.
/// What a lambda target group ignores.
const LAMBDA_IGNORED: &[&str] = &["vpc_id", "port", "protocol", "protocol_version"];

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
fn stickiness_attributes(s: &Value, protocol: Option<&str>) -> Vec<(String, String)> {
    let kind = val::string(s, "type").unwrap_or_default();
    let mut out = vec![
        ("stickiness.enabled".to_string(), val::boolean(s, "enabled").unwrap_or(true).to_string()),
        ("stickiness.type".to_string(), kind.clone()),
    ];
    let duration = val::int(s, "cookie_duration").unwrap_or(86400).to_string();
    if is_http(protocol) {
        match kind.as_str() {
            "lb_cookie" => out.push(("stickiness.lb_cookie.duration_seconds".into(), duration)),
            "app_cookie" => {
                out.push((
                    "stickiness.app_cookie.cookie_name".into(),
                    val::string(s, "cookie_name").unwrap_or_default(),
                ));
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

fn matcher(hc: &Value, protocol_version: Option<&str>) -> Option<Matcher> {
    let m = val::string(hc, "matcher")?;
    Some(if protocol_version == Some("GRPC") {
        Matcher::builder().grpc_code(m).build()
    } else {
        Matcher::builder().http_code(m).build()
    })
}

fn tg_value(
    c: &Ctx<'_>,
    tg: &TargetGroup,
    tags: &BTreeMap<String, String>,
    attrs: &HashMap<String, String>,
    cur: &Value,
) -> Value {
    let arn = tg.target_group_arn().unwrap_or_default();
    let name = tg.target_group_name().unwrap_or_default();
    let protocol = tg.protocol().map(|p| p.as_str());
    let health_check = Value::object([
        ("enabled", val::opt_bool(tg.health_check_enabled())),
        ("healthy_threshold", val::opt_num(tg.healthy_threshold_count())),
        ("interval", val::opt_num(tg.health_check_interval_seconds())),
        ("matcher", val::opt_str(tg.matcher().and_then(|m| m.http_code().or(m.grpc_code())))),
        ("path", val::opt_str(tg.health_check_path())),
        ("port", val::opt_str(tg.health_check_port())),
        ("protocol", val::opt_str(tg.health_check_protocol().map(|p| p.as_str()))),
        ("timeout", val::opt_num(tg.health_check_timeout_seconds())),
        ("unhealthy_threshold", val::opt_num(tg.unhealthy_threshold_count())),
    ]);
    let prior_stickiness = val::block(cur, "stickiness");
    let stickiness = match attrs.get("stickiness.type") {
        Some(kind) => {
            let http = is_http(protocol);
            let duration_key = match kind.as_str() {
                "lb_cookie" if http => Some("stickiness.lb_cookie.duration_seconds"),
                "app_cookie" if http => Some("stickiness.app_cookie.duration_seconds"),
                _ => None,
            };
            let duration = duration_key
                .and_then(|k| attrs.get(k))
                .and_then(|d| d.parse::<i64>().ok())
                .or_else(|| prior_stickiness.as_ref().and_then(|s| val::int(s, "cookie_duration")))
                .unwrap_or(0);
            let cookie_name = if http && kind == "app_cookie" {
                attrs.get("stickiness.app_cookie.cookie_name").filter(|n| !n.is_empty()).map(String::as_str)
            } else {
                None
            };
            Value::tuple(vec![Value::object([
                ("cookie_duration", Value::from(duration)),
                ("cookie_name", val::opt_str(cookie_name)),
                ("enabled", Value::Bool(attrs.get("stickiness.enabled").is_some_and(|v| v == "true"))),
                ("type", Value::from(kind.as_str())),
            ])])
        }
        // As Terraform reads it: one element, zero values (a lambda target group has none).
        None => Value::tuple(vec![Value::object([
            ("cookie_duration", Value::from(0i64)),
            ("cookie_name", Value::from("")),
            ("enabled", Value::Bool(false)),
            ("type", Value::from("")),
        ])]),
    };
    let deregistration_delay = attrs
        .get("deregistration_delay.timeout_seconds")
        .cloned()
        .or_else(|| val::string(cur, "deregistration_delay"))
        .unwrap_or_else(|| "300".into());
    let (tags, tags_all) = crate::tags::read_back(tags, c.default_tags(), cur);
    let target_type = tg.target_type().map(|t| t.as_str()).unwrap_or("instance");
    let lambda = target_type == "lambda";
    // A lambda target group has no VPC, port or protocol; what the configuration says of them
    // is ignored (as hashicorp/aws does, with a warning), so what was there stays.
    let lambda_kept = |k: &str, v: Value| {
        if lambda { cur.get_attr(k).filter(|v| v.is_wholly_known()).cloned().unwrap_or(v) } else { v }
    };
    let mut obj = Obj::new(&schema());
    for (k, v) in tga::read(attrs, target_type, protocol, cur) {
        obj = obj.set(k, v);
    }
    obj.set("id", arn)
        .set("arn", arn)
        .set("arn_suffix", format!("targetgroup/{}", arn_after(arn, ":targetgroup/")))
        .set("name", name)
        .set("name_prefix", name_prefix_from_name(name))
        .set("port", lambda_kept("port", val::opt_num(tg.port())))
        .set("protocol", lambda_kept("protocol", val::opt_str(protocol)))
        .set("protocol_version", lambda_kept("protocol_version", val::opt_str(tg.protocol_version())))
        .set("vpc_id", lambda_kept("vpc_id", val::opt_str(tg.vpc_id().filter(|v| !v.is_empty()))))
        .set("load_balancer_arns", val::str_set(tg.load_balancer_arns().iter().cloned()))
        .set("target_type", val::opt_str(tg.target_type().map(|t| t.as_str())))
        .set("ip_address_type", val::opt_str(tg.ip_address_type().map(|t| t.as_str())))
        .set("deregistration_delay", deregistration_delay)
        .set("health_check", Value::tuple(vec![health_check]))
        .set("stickiness", stickiness)
        .set("tags", tags)
        .set("tags_all", tags_all)
        .build()
}

impl LbTargetGroup {
    /// Reads a target group just written (waiting out ELBv2's eventual consistency).
    async fn read_new(&self, c: &Ctx<'_>, arn: &str, like: &Value) -> Result<Value> {
        let mut stub = like.clone();
        stub.set_at_path(&[PathStep::Attr("id".into())], Value::from(arn));
        wait_for(&format!("target group {arn} to be readable"), PROPAGATION, || async {
            Ok(match self.read_many(c, std::slice::from_ref(&stub)).await.pop().unwrap_or(Ok(None))? {
                Some(v) => Poll::Done(v),
                None => Poll::Pending("not found yet".into()),
            })
        })
        .await
    }
}

fn validate_health_check(hc: &Value, protocol: Option<&str>, out: &mut Vec<Diagnostic>) {
    let range = |k: &str, lo: f64, hi: f64, out: &mut Vec<Diagnostic>| {
        if let Some(n) = val::number(hc, k).filter(|n| !(lo..=hi).contains(n)) {
            out.push(invalid(
                &format!("Invalid health_check.{k}"),
                format!("health_check.{k} must be between {lo} and {hi}, got {n}."),
            ));
        }
    };
    range("interval", 5.0, 300.0, out);
    range("healthy_threshold", 2.0, 10.0, out);
    range("unhealthy_threshold", 2.0, 10.0, out);
    range("timeout", 2.0, 120.0, out);
    let hc_protocol = val::string(hc, "protocol").map(|p| p.to_uppercase());
    if hc_protocol.as_deref() == Some("TCP") {
        for k in ["matcher", "path"] {
            if val::string(hc, k).is_some() {
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
    if let Some(p) = val::string(hc, "port")
        .filter(|p| p != "traffic-port" && !p.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n)))
    {
        out.push(invalid(
            "Invalid health_check.port",
            format!("health_check.port must be a port number or \"traffic-port\", got {p:?}."),
        ));
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
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if val::string(config, "name").is_some() && val::string(config, "name_prefix").is_some() {
            out.push(invalid(
                "Conflicting configuration arguments",
                "\"name\": conflicts with name_prefix; set only one of them.",
            ));
        }
        for (k, max) in [("name", 32), ("name_prefix", 6)] {
            if let Some(n) = val::string(config, k).filter(|n| {
                n.chars().count() > max
                    || !n.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
                    || n.starts_with('-')
            }) {
                out.push(invalid(&format!("Invalid {k}"), format!("{n:?}: a target group {k} has at most {max} characters, only letters, digits and hyphens, and does not begin with a hyphen.")));
            }
        }
        let target_type = val::string(config, "target_type").unwrap_or_else(|| "instance".into());
        if !["instance", "ip", "lambda", "alb"].contains(&target_type.as_str()) {
            out.push(invalid(
                "Invalid target_type",
                format!("target_type must be one of instance, ip, lambda, alb; got {target_type:?}."),
            ));
        }
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
        let protocol = val::string(config, "protocol");
        if let Some(p) = protocol.as_deref().filter(|p| !ProtocolEnum::values().contains(p)) {
            out.push(invalid(
                "Invalid protocol",
                format!("protocol must be one of {}; got {p:?}.", ProtocolEnum::values().join(", ")),
            ));
        }
        if let Some(d) =
            val::string(config, "deregistration_delay").filter(|d| !d.parse::<u32>().is_ok_and(|n| n <= 3600))
        {
            out.push(invalid(
                "Invalid deregistration_delay",
                format!("deregistration_delay must be a whole number of seconds from 0 to 3600, got {d:?}."),
            ));
        }
        for a in tga::ATTRIBUTES.iter().filter(|a| !a.allowed.is_empty()) {
            if let Some(v) = val::string(config, a.name).filter(|v| !a.allowed.contains(&v.as_str())) {
                out.push(invalid(
                    &format!("Invalid {}", a.name),
                    format!("{} must be one of {}; got {v:?}.", a.name, a.allowed.join(", ")),
                ));
            }
        }
        if let Some(n) = val::number(config, "slow_start").filter(|n| *n != 0.0 && !(30.0..=900.0).contains(n)) {
            out.push(invalid(
                "Invalid slow_start",
                format!("slow_start must be 0 or between 30 and 900 seconds, got {n}."),
            ));
        }
        for f in val::blocks(config, "target_failover") {
            for k in ["on_deregistration", "on_unhealthy"] {
                if let Some(v) = val::string(&f, k).filter(|v| v != "rebalance" && v != "no_rebalance") {
                    out.push(invalid(
                        &format!("Invalid target_failover.{k}"),
                        format!("target_failover.{k} must be rebalance or no_rebalance; got {v:?}."),
                    ));
                }
            }
        }
        if let Some(hc) = val::block(config, "health_check") {
            validate_health_check(&hc, protocol.as_deref(), &mut out);
        }
        if let Some(s) = val::block(config, "stickiness") {
            if let Some(t) = val::string(&s, "type").filter(|t| {
                !["lb_cookie", "app_cookie", "source_ip", "source_ip_dest_ip", "source_ip_dest_ip_proto"]
                    .contains(&t.as_str())
            }) {
                out.push(invalid("Invalid stickiness.type", format!("stickiness.type must be one of lb_cookie, app_cookie, source_ip, source_ip_dest_ip, source_ip_dest_ip_proto; got {t:?}.")));
            }
            if let Some(d) = val::number(&s, "cookie_duration").filter(|d| !(0.0..=604800.0).contains(d)) {
                out.push(invalid(
                    "Invalid stickiness.cookie_duration",
                    format!("stickiness.cookie_duration must be between 0 and 604800 seconds, got {d}."),
                ));
            }
        }
        out
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        // A lambda target group has no VPC, port or protocol: their differences are ignored
        // (hashicorp/aws warns that they are set, and reads them back empty).
        if let Some(p) = prior.filter(|p| !p.is_null())
            && val::string(config, "target_type").as_deref() == Some("lambda")
            && val::string(p, "target_type").as_deref() == Some("lambda")
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
                for (k, _) in schema().attributes.iter().filter(|(_, a)| a.computed) {
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
            // Computed attributes of a configured health check keep their prior value, null or not.
            let config_hc = val::block(config, "health_check");
            let prior_hc = prior.and_then(|p| val::block(p, "health_check"));
            if let (Some(cfg), Some(before)) = (config_hc, prior_hc) {
                for k in HEALTH_CHECK_COMPUTED {
                    if cfg.get_attr(k).is_none_or(Value::is_null) {
                        plan.planned.set_at_path(&hc_path(k), before.get_attr(k).cloned().unwrap_or(Value::NULL));
                    }
                }
            }
        }
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let name = c.generated_name(planned, "tf-");
        let target_type = val::string(planned, "target_type").unwrap_or_else(|| "instance".into());
        let protocol = val::string(planned, "protocol");
        let protocol_version = val::string(planned, "protocol_version");
        let mut req = c
            .clients
            .elbv2
            .create_target_group()
            .name(&name)
            .target_type(TargetTypeEnum::from(target_type.as_str()))
            .set_tags(elb_tags(&crate::tags::at_create(c, planned)));
        if target_type != "lambda" {
            req = req
                .set_port(val::int(planned, "port").map(|p| p as i32))
                .set_protocol(protocol.as_deref().map(ProtocolEnum::from))
                .set_vpc_id(val::string(planned, "vpc_id"));
            if is_http(protocol.as_deref()) {
                req = req.set_protocol_version(protocol_version.clone());
            }
            if let Some(t) =
                val::string(planned, "ip_address_type").filter(|_| target_type == "instance" || target_type == "ip")
            {
                req = req.ip_address_type(TargetGroupIpAddressTypeEnum::from(t.as_str()));
            }
        }
        if let Some(hc) = val::block(planned, "health_check") {
            let hc_protocol = val::string(&hc, "protocol").unwrap_or_else(|| "HTTP".into());
            req = req
                .set_health_check_enabled(val::boolean(&hc, "enabled"))
                .set_health_check_interval_seconds(val::int(&hc, "interval").map(|n| n as i32))
                .set_healthy_threshold_count(val::int(&hc, "healthy_threshold").map(|n| n as i32))
                .set_unhealthy_threshold_count(val::int(&hc, "unhealthy_threshold").map(|n| n as i32))
                .set_health_check_timeout_seconds(val::int(&hc, "timeout").filter(|n| *n != 0).map(|n| n as i32));
            if hc_protocol != "TCP" {
                req = req
                    .set_health_check_path(val::string(&hc, "path"))
                    .set_matcher(matcher(&hc, protocol_version.as_deref()));
            }
            if target_type != "lambda" {
                req = req
                    .set_health_check_port(val::string(&hc, "port"))
                    .health_check_protocol(ProtocolEnum::from(hc_protocol.as_str()));
            }
        }
        let out = req.send().await.map_err(|e| sdk_error(&format!("creating target group {name}"), e))?;
        let arn = out
            .target_groups()
            .first()
            .and_then(|t| t.target_group_arn())
            .ok_or_else(|| ProviderError::new("creating target group: no ARN in the response"))?
            .to_string();
        let partial = || {
            Value::object([
                ("id", Value::from(arn.as_str())),
                ("arn", Value::from(arn.as_str())),
                ("name", Value::from(name.as_str())),
            ])
        };
        let mut attrs = Vec::new();
        if target_type == "instance" || target_type == "ip" {
            if let Some(s) = val::block(planned, "stickiness") {
                attrs.extend(stickiness_attributes(&s, protocol.as_deref()));
            }
            if let Some(d) = val::string(planned, "deregistration_delay") {
                attrs.push(("deregistration_delay.timeout_seconds".into(), d));
            }
        }
        attrs.extend(tga::to_send(planned, None, &target_type, protocol.as_deref()));
        set_attributes(c, &arn, attrs).await.map_err(|e| e.with_partial_state(partial()))?;
        self.read_new(c, &arn, planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by its name (configured, or made from `name_prefix` and the token), carrying the
    /// token tag CreateTargetGroup gave it.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let name = c.generated_name(planned, "tf-");
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
                let arn = val::id(cur);
                let Some(tg) = found.get(&arn) else { return Ok(None) };
                let attrs = attrs.get(&arn).cloned().unwrap_or_else(|| Ok(HashMap::new()))?;
                Ok(Some(tg_value(c, tg, tags.get(&arn).unwrap_or(&BTreeMap::new()), &attrs, cur)))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let arn = val::id(prior);
        let changed = |k: &str| prior.get_attr(k) != planned.get_attr(k);
        let target_type = val::string(planned, "target_type").unwrap_or_else(|| "instance".into());
        let protocol = val::string(planned, "protocol");
        if let Some(hc) = val::block(planned, "health_check").filter(|_| changed("health_check")) {
            let hc_protocol = val::string(&hc, "protocol").unwrap_or_else(|| "HTTP".into());
            let mut req = c
                .clients
                .elbv2
                .modify_target_group()
                .target_group_arn(&arn)
                .set_health_check_enabled(val::boolean(&hc, "enabled"))
                .set_health_check_interval_seconds(val::int(&hc, "interval").map(|n| n as i32))
                .set_healthy_threshold_count(val::int(&hc, "healthy_threshold").map(|n| n as i32))
                .set_unhealthy_threshold_count(val::int(&hc, "unhealthy_threshold").map(|n| n as i32))
                .set_health_check_timeout_seconds(val::int(&hc, "timeout").filter(|n| *n != 0).map(|n| n as i32));
            if hc_protocol != "TCP" {
                req = req
                    .set_health_check_path(val::string(&hc, "path"))
                    .set_matcher(matcher(&hc, val::string(planned, "protocol_version").as_deref()));
            }
            if target_type != "lambda" {
                req = req
                    .set_health_check_port(val::string(&hc, "port"))
                    .health_check_protocol(ProtocolEnum::from(hc_protocol.as_str()));
            }
            req.send().await.map_err(|e| sdk_error(&format!("modifying the health check of target group {arn}"), e))?;
        }
        let mut attrs = Vec::new();
        if target_type == "instance" || target_type == "ip" {
            if changed("stickiness") {
                match val::block(planned, "stickiness") {
                    Some(s) => attrs.extend(stickiness_attributes(&s, protocol.as_deref())),
                    None => attrs.push(("stickiness.enabled".into(), "false".into())),
                }
            }
            if changed("deregistration_delay") {
                attrs.push((
                    "deregistration_delay.timeout_seconds".into(),
                    val::string(planned, "deregistration_delay").unwrap_or_else(|| "300".into()),
                ));
            }
        }
        attrs.extend(tga::to_send(planned, Some(prior), &target_type, protocol.as_deref()));
        set_attributes(c, &arn, attrs).await?;
        update_tags(c, &arn, &val::string_map(prior, "tags_all"), &crate::tags::wanted(planned)).await?;
        self.read_new(c, &arn, planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let arn = val::id(prior);
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
        let s = Value::object([
            ("type", Value::from("lb_cookie")),
            ("enabled", Value::Bool(true)),
            ("cookie_duration", Value::from(60i64)),
        ]);
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
        let hc = Value::object([("protocol", Value::from("TCP")), ("path", Value::from("/"))]);
        let mut out = Vec::new();
        validate_health_check(&hc, Some("HTTP"), &mut out);
        assert_eq!(out.len(), 2, "{out:?}");
    }
}
