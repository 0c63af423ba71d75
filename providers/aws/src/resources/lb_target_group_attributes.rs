//! The target group attributes of `aws_lb_target_group` (ModifyTargetGroupAttributes and
//! DescribeTargetGroupAttributes) beyond `stickiness`: one table of the plain arguments (the
//! attribute key, kind and the target types it is sent for), and the three blocks kept in
//! attributes (`target_failover`, `target_group_health`, `target_health_state`).
//!
//! As hashicorp/aws 5.100.0 does: a create sends an argument for the target types it is
//! meant for when it is set (a bool when true, a number when above 0, a string when not
//! empty); an update sends what changed. A read sets each argument whose key AWS returns and
//! keeps the others; the blocks are read as one element, its fields null where AWS returns
//! no key (what Terraform records).

use super::lb_attributes::changed;
use crate::val;
use std::collections::HashMap;
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::{Type, Value};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Bool,
    Int,
    Str,
    /// A string holding a bool, or empty (`preserve_client_ip`).
    NullableBool,
}

pub struct TgAttribute {
    pub name: &'static str,
    pub key: &'static str,
    pub kind: Kind,
    /// Sent to (and read for) target groups of type `lambda` alone, else instance and ip.
    pub lambda: bool,
    pub allowed: &'static [&'static str],
}

const fn attr(name: &'static str, key: &'static str, kind: Kind) -> TgAttribute {
    TgAttribute { name, key, kind, lambda: false, allowed: &[] }
}

/// hashicorp/aws 5.100.0's `targetGroupAttributes` (but `deregistration_delay`, kept apart).
pub const ATTRIBUTES: &[TgAttribute] = &[
    attr("connection_termination", "deregistration_delay.connection_termination.enabled", Kind::Bool),
    TgAttribute {
        lambda: true,
        ..attr("lambda_multi_value_headers_enabled", "lambda.multi_value_headers.enabled", Kind::Bool)
    },
    TgAttribute {
        allowed: &["round_robin", "least_outstanding_requests", "weighted_random"],
        ..attr("load_balancing_algorithm_type", "load_balancing.algorithm.type", Kind::Str)
    },
    TgAttribute {
        allowed: &["on", "off"],
        ..attr("load_balancing_anomaly_mitigation", "load_balancing.algorithm.anomaly_mitigation", Kind::Str)
    },
    TgAttribute {
        allowed: &["true", "false", "use_load_balancer_configuration"],
        ..attr("load_balancing_cross_zone_enabled", "load_balancing.cross_zone.enabled", Kind::Str)
    },
    TgAttribute {
        allowed: &["true", "false"],
        ..attr("preserve_client_ip", "preserve_client_ip.enabled", Kind::NullableBool)
    },
    attr("proxy_protocol_v2", "proxy_protocol_v2.enabled", Kind::Bool),
    attr("slow_start", "slow_start.duration_seconds", Kind::Int),
];

/// The plain arguments, declared as hashicorp/aws does.
pub fn with_attributes(s: Schema) -> Schema {
    s.attr("connection_termination", Attribute::optional_computed(Type::Bool))
        .attr("lambda_multi_value_headers_enabled", Attribute::optional(Type::Bool).default(false))
        .attr("load_balancing_algorithm_type", Attribute::optional_computed(Type::String))
        .attr("load_balancing_anomaly_mitigation", Attribute::optional_computed(Type::String))
        .attr("load_balancing_cross_zone_enabled", Attribute::optional_computed(Type::String))
        .attr("preserve_client_ip", Attribute::optional_computed(Type::String))
        .attr("proxy_protocol_v2", Attribute::optional(Type::Bool).default(false))
        .attr("slow_start", Attribute::optional(Type::Number).default(Value::from(0i64)))
        .block("target_failover", NestedBlock::list(target_failover_schema()))
        .block("target_group_health", NestedBlock::list(target_group_health_schema()).max(1))
        .block("target_health_state", NestedBlock::list(target_health_state_schema()))
}

pub fn target_failover_schema() -> Schema {
    Schema::new()
        .attr("on_deregistration", Attribute::required(Type::String))
        .attr("on_unhealthy", Attribute::required(Type::String))
}

fn dns_failover_schema() -> Schema {
    Schema::new()
        .attr("minimum_healthy_targets_count", Attribute::optional(Type::String).default("1"))
        .attr("minimum_healthy_targets_percentage", Attribute::optional(Type::String).default("off"))
}

fn unhealthy_state_routing_schema() -> Schema {
    Schema::new()
        .attr("minimum_healthy_targets_count", Attribute::optional(Type::Number).default(Value::from(1i64)))
        .attr("minimum_healthy_targets_percentage", Attribute::optional(Type::String).default("off"))
}

pub fn target_group_health_schema() -> Schema {
    Schema::new()
        .block("dns_failover", NestedBlock::list(dns_failover_schema()).max(1))
        .block("unhealthy_state_routing", NestedBlock::list(unhealthy_state_routing_schema()).max(1))
}

pub fn target_health_state_schema() -> Schema {
    Schema::new()
        .attr("enable_unhealthy_connection_termination", Attribute::required(Type::Bool))
        .attr("unhealthy_draining_interval", Attribute::optional(Type::Number))
}

fn applies(a: &TgAttribute, target_type: &str) -> bool {
    if a.lambda { target_type == "lambda" } else { target_type == "instance" || target_type == "ip" }
}

/// The attributes to send: on create (`prior` none) what is set, on update what changed.
pub fn to_send(
    planned: &Value,
    prior: Option<&Value>,
    target_type: &str,
    protocol: Option<&str>,
) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let update = prior.is_some();
    for a in ATTRIBUTES.iter().filter(|a| applies(a, target_type)) {
        if prior.is_some_and(|p| !changed(p, planned, a.name)) {
            continue;
        }
        let Some(v) = planned.get_attr(a.name).filter(|v| v.is_wholly_known() && !v.is_null()) else { continue };
        let s = match a.kind {
            Kind::Bool => v.as_bool().filter(|b| *b || update).map(|b| b.to_string()),
            Kind::Int => v.as_number().and_then(|n| n.to_i64()).filter(|n| *n > 0 || update).map(|n| n.to_string()),
            Kind::Str | Kind::NullableBool => v.as_str().filter(|s| !s.is_empty()).map(str::to_string),
        };
        if let Some(s) = s {
            out.push((a.key.to_string(), s));
        }
    }
    let block_changed = |k: &str| prior.is_none_or(|p| changed(p, planned, k));
    if (target_type == "instance" || target_type == "ip") && block_changed("target_failover") {
        for f in val::blocks(planned, "target_failover") {
            for (k, key) in [
                ("on_deregistration", "target_failover.on_deregistration"),
                ("on_unhealthy", "target_failover.on_unhealthy"),
            ] {
                if let Some(v) = val::string(&f, k) {
                    out.push((key.to_string(), v));
                }
            }
        }
    }
    if (target_type == "instance" || target_type == "ip")
        && matches!(protocol, Some("TCP" | "TLS"))
        && block_changed("target_health_state")
        && let Some(h) = val::blocks(planned, "target_health_state").first()
    {
        if let Some(b) = val::boolean(h, "enable_unhealthy_connection_termination") {
            out.push(("target_health_state.unhealthy.connection_termination.enabled".into(), b.to_string()));
        }
        if let Some(n) = val::int(h, "unhealthy_draining_interval").filter(|n| *n > 0 || update) {
            out.push(("target_health_state.unhealthy.draining_interval_seconds".into(), n.to_string()));
        }
    }
    if block_changed("target_group_health")
        && let Some(h) = val::block(planned, "target_group_health")
    {
        for (block, prefix) in [
            ("dns_failover", "target_group_health.dns_failover.minimum_healthy_targets"),
            ("unhealthy_state_routing", "target_group_health.unhealthy_state_routing.minimum_healthy_targets"),
        ] {
            let Some(b) = val::block(&h, block) else { continue };
            if let Some(c) = b.get_attr("minimum_healthy_targets_count").and_then(scalar) {
                out.push((format!("{prefix}.count"), c));
            }
            if let Some(p) = val::string(&b, "minimum_healthy_targets_percentage") {
                out.push((format!("{prefix}.percentage"), p));
            }
        }
    }
    out
}

/// A known string or whole number as text.
fn scalar(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string).or_else(|| v.as_number().and_then(|n| n.to_i64()).map(|n| n.to_string()))
}

/// The schema default of an argument that is not computed.
fn default_of(name: &str) -> Option<Value> {
    match name {
        "lambda_multi_value_headers_enabled" | "proxy_protocol_v2" => Some(Value::Bool(false)),
        "slow_start" => Some(Value::from(0i64)),
        _ => None,
    }
}

fn ty(k: Kind) -> Type {
    match k {
        Kind::Bool => Type::Bool,
        Kind::Int => Type::Number,
        Kind::Str | Kind::NullableBool => Type::String,
    }
}

/// The arguments and blocks as read from the attributes AWS returned.
pub fn read(
    attrs: &HashMap<String, String>,
    target_type: &str,
    protocol: Option<&str>,
    cur: &Value,
) -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    for a in ATTRIBUTES {
        let v = match attrs.get(a.key).filter(|_| applies(a, target_type)) {
            Some(s) => match a.kind {
                Kind::Bool => Value::Bool(s == "true"),
                Kind::Int => Value::from(s.parse::<i64>().unwrap_or(0)),
                Kind::Str | Kind::NullableBool => Value::from(s.as_str()),
            },
            // Not returned: what was there; for an import, the default of an argument that
            // is not computed (what a plan of the configuration that leaves it out has).
            None => match (cur.get_attr(a.name).filter(|v| v.is_wholly_known() && !v.is_null()), default_of(a.name)) {
                (Some(v), _) => v.clone(),
                (None, Some(d)) => d,
                (None, None) => Value::null(ty(a.kind)),
            },
        };
        out.push((a.name, v));
    }
    let s = |k: &str| val::opt_str(attrs.get(k).map(String::as_str));
    let geneve = protocol == Some("GENEVE");
    let failover = Value::object([
        ("on_deregistration", if geneve { s("target_failover.on_deregistration") } else { Value::null(Type::String) }),
        ("on_unhealthy", if geneve { s("target_failover.on_unhealthy") } else { Value::null(Type::String) }),
    ]);
    out.push(("target_failover", Value::list(target_failover_schema().value_type(), vec![failover])));
    let tcp = matches!(protocol, Some("TCP" | "TLS"));
    let get = |k: &str| attrs.get(k).filter(|_| tcp);
    let health_state = Value::object([
        (
            "enable_unhealthy_connection_termination",
            get("target_health_state.unhealthy.connection_termination.enabled")
                .map(|v| Value::Bool(v == "true"))
                .unwrap_or(Value::null(Type::Bool)),
        ),
        (
            "unhealthy_draining_interval",
            get("target_health_state.unhealthy.draining_interval_seconds")
                .map(|v| Value::from(v.parse::<i64>().unwrap_or(0)))
                .unwrap_or(Value::null(Type::Number)),
        ),
    ]);
    out.push(("target_health_state", Value::list(target_health_state_schema().value_type(), vec![health_state])));
    let count = |prefix: &str| attrs.get(&format!("{prefix}.count"));
    let dns = "target_group_health.dns_failover.minimum_healthy_targets";
    let routing = "target_group_health.unhealthy_state_routing.minimum_healthy_targets";
    let health = Value::object([
        (
            "dns_failover",
            Value::list(
                dns_failover_schema().value_type(),
                vec![Value::object([
                    ("minimum_healthy_targets_count", val::opt_str(count(dns).map(String::as_str))),
                    ("minimum_healthy_targets_percentage", s(&format!("{dns}.percentage"))),
                ])],
            ),
        ),
        (
            "unhealthy_state_routing",
            Value::list(
                unhealthy_state_routing_schema().value_type(),
                vec![Value::object([
                    (
                        "minimum_healthy_targets_count",
                        count(routing)
                            .map(|c| Value::from(c.parse::<i64>().unwrap_or(0)))
                            .unwrap_or(Value::null(Type::Number)),
                    ),
                    ("minimum_healthy_targets_percentage", s(&format!("{routing}.percentage"))),
                ])],
            ),
        ),
    ]);
    out.push(("target_group_health", Value::list(target_group_health_schema().value_type(), vec![health])));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())))
    }

    #[test]
    fn a_create_sends_what_is_set_for_its_target_type() {
        let planned = obj(&[
            ("slow_start", Value::from(30i64)),
            ("proxy_protocol_v2", Value::Bool(false)),
            ("lambda_multi_value_headers_enabled", Value::Bool(true)),
            ("load_balancing_algorithm_type", Value::DYNAMIC),
            ("preserve_client_ip", Value::from("false")),
        ]);
        let sent: HashMap<String, String> = to_send(&planned, None, "instance", Some("HTTP")).into_iter().collect();
        assert_eq!(sent.get("slow_start.duration_seconds").map(String::as_str), Some("30"));
        assert_eq!(sent.get("preserve_client_ip.enabled").map(String::as_str), Some("false"));
        assert!(!sent.contains_key("proxy_protocol_v2.enabled"), "false is not sent on create");
        assert!(!sent.contains_key("lambda.multi_value_headers.enabled"), "a lambda argument");
        assert!(!sent.contains_key("load_balancing.algorithm.type"), "unknown: not set");
        let sent = to_send(&planned, None, "lambda", None);
        assert_eq!(sent, vec![("lambda.multi_value_headers.enabled".to_string(), "true".to_string())]);
    }

    #[test]
    fn an_update_sends_what_changed_even_false() {
        let prior = obj(&[("proxy_protocol_v2", Value::Bool(true)), ("slow_start", Value::from(30i64))]);
        let planned = obj(&[("proxy_protocol_v2", Value::Bool(false)), ("slow_start", Value::from(30i64))]);
        let sent = to_send(&planned, Some(&prior), "ip", Some("TCP"));
        assert_eq!(sent, vec![("proxy_protocol_v2.enabled".to_string(), "false".to_string())]);
    }

    #[test]
    fn reads_keep_what_aws_does_not_return() {
        let attrs: HashMap<String, String> =
            [("slow_start.duration_seconds", "0"), ("target_failover.on_unhealthy", "rebalance")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        let cur = obj(&[("connection_termination", Value::DYNAMIC), ("proxy_protocol_v2", Value::Bool(false))]);
        let got: HashMap<&str, Value> = read(&attrs, "instance", Some("HTTP"), &cur).into_iter().collect();
        assert_eq!(got["slow_start"], Value::from(0i64));
        assert_eq!(got["connection_termination"], Value::null(Type::Bool), "unknown and not returned: null");
        assert_eq!(got["proxy_protocol_v2"], Value::Bool(false));
        let f = val::block(&obj(&[("f", got["target_failover"].clone())]), "f").unwrap();
        assert_eq!(f.get_attr("on_unhealthy"), Some(&Value::null(Type::String)), "read for GENEVE alone");
    }
}
