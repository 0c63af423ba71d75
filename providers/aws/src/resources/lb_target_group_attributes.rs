//! The target group attributes of `aws_lb_target_group` (ModifyTargetGroupAttributes and
//! DescribeTargetGroupAttributes) beyond `stickiness`: one table of the plain arguments (the
//! attribute key, kind and the target types it is sent for), and the three blocks kept in
//! attributes (`target_failover`, `target_group_health`, `target_health_state`), declared as
//! the typed [`TgAttributes`] (flattened into the target group's model).
//!
//! As hashicorp/aws 5.100.0 does: a create sends an argument for the target types it is
//! meant for when it is set (a bool when true, a number when above 0, a string when not
//! empty); an update sends what changed. A read sets each argument whose key AWS returns and
//! keeps the others; the blocks are read as one element, its fields null where AWS returns
//! no key (what Terraform records: so those fields are `Option`s, required or defaulted ones
//! too).

use std::collections::HashMap;
use terrane_engine::model::Model;

/// The plain attribute arguments and the three blocks kept in target group attributes.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct TgAttributes {
    #[model(optional, computed)]
    pub connection_termination: Option<bool>,
    #[model(optional, default = false)]
    pub lambda_multi_value_headers_enabled: bool,
    #[model(optional, computed)]
    pub load_balancing_algorithm_type: Option<String>,
    #[model(optional, computed)]
    pub load_balancing_anomaly_mitigation: Option<String>,
    #[model(optional, computed)]
    pub load_balancing_cross_zone_enabled: Option<String>,
    #[model(optional, computed)]
    pub preserve_client_ip: Option<String>,
    #[model(optional, default = false)]
    pub proxy_protocol_v2: bool,
    #[model(optional, default = 0i64)]
    pub slow_start: i64,
    #[model(block)]
    pub target_failover: Vec<TargetFailover>,
    #[model(block, max = 1)]
    pub target_group_health: Option<TargetGroupHealth>,
    #[model(block)]
    pub target_health_state: Vec<TargetHealthState>,
}

/// `target_failover` (read for GENEVE target groups alone: null otherwise).
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct TargetFailover {
    #[model(required)]
    pub on_deregistration: Option<String>,
    #[model(required)]
    pub on_unhealthy: Option<String>,
}

/// `target_group_health`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct TargetGroupHealth {
    #[model(block, max = 1)]
    pub dns_failover: Option<DnsFailover>,
    #[model(block, max = 1)]
    pub unhealthy_state_routing: Option<UnhealthyStateRouting>,
}

/// `target_group_health.dns_failover` (a count as a string, as in Terraform).
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct DnsFailover {
    #[model(optional, default = "1")]
    pub minimum_healthy_targets_count: Option<String>,
    #[model(optional, default = "off")]
    pub minimum_healthy_targets_percentage: Option<String>,
}

/// `target_group_health.unhealthy_state_routing`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct UnhealthyStateRouting {
    #[model(optional, default = 1i64)]
    pub minimum_healthy_targets_count: Option<i64>,
    #[model(optional, default = "off")]
    pub minimum_healthy_targets_percentage: Option<String>,
}

/// `target_health_state` (read for TCP and TLS target groups alone: null otherwise).
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct TargetHealthState {
    #[model(required)]
    pub enable_unhealthy_connection_termination: Option<bool>,
    #[model(optional)]
    pub unhealthy_draining_interval: Option<i64>,
}

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
    /// The argument's value as the attribute's text (none while unset).
    pub get: fn(&TgAttributes) -> Option<String>,
    /// Sets the argument from the attribute's text.
    pub set: fn(&mut TgAttributes, &str),
}

/// Terraform's `StringToBoolValue` and `StringToIntValue`: anything but "true" is false,
/// anything but a number is 0.
fn flag(s: &str) -> bool {
    s == "true"
}

fn whole(s: &str) -> i64 {
    s.parse().unwrap_or(0)
}

/// hashicorp/aws 5.100.0's `targetGroupAttributes` (but `deregistration_delay`, kept apart).
pub const ATTRIBUTES: &[TgAttribute] = &[
    TgAttribute {
        name: "connection_termination",
        key: "deregistration_delay.connection_termination.enabled",
        kind: Kind::Bool,
        lambda: false,
        allowed: &[],
        get: |a| a.connection_termination.map(|b| b.to_string()),
        set: |a, s| a.connection_termination = Some(flag(s)),
    },
    TgAttribute {
        name: "lambda_multi_value_headers_enabled",
        key: "lambda.multi_value_headers.enabled",
        kind: Kind::Bool,
        lambda: true,
        allowed: &[],
        get: |a| Some(a.lambda_multi_value_headers_enabled.to_string()),
        set: |a, s| a.lambda_multi_value_headers_enabled = flag(s),
    },
    TgAttribute {
        name: "load_balancing_algorithm_type",
        key: "load_balancing.algorithm.type",
        kind: Kind::Str,
        lambda: false,
        allowed: &["round_robin", "least_outstanding_requests", "weighted_random"],
        get: |a| a.load_balancing_algorithm_type.clone(),
        set: |a, s| a.load_balancing_algorithm_type = Some(s.to_string()),
    },
    TgAttribute {
        name: "load_balancing_anomaly_mitigation",
        key: "load_balancing.algorithm.anomaly_mitigation",
        kind: Kind::Str,
        lambda: false,
        allowed: &["on", "off"],
        get: |a| a.load_balancing_anomaly_mitigation.clone(),
        set: |a, s| a.load_balancing_anomaly_mitigation = Some(s.to_string()),
    },
    TgAttribute {
        name: "load_balancing_cross_zone_enabled",
        key: "load_balancing.cross_zone.enabled",
        kind: Kind::Str,
        lambda: false,
        allowed: &["true", "false", "use_load_balancer_configuration"],
        get: |a| a.load_balancing_cross_zone_enabled.clone(),
        set: |a, s| a.load_balancing_cross_zone_enabled = Some(s.to_string()),
    },
    TgAttribute {
        name: "preserve_client_ip",
        key: "preserve_client_ip.enabled",
        kind: Kind::NullableBool,
        lambda: false,
        allowed: &["true", "false"],
        get: |a| a.preserve_client_ip.clone(),
        set: |a, s| a.preserve_client_ip = Some(s.to_string()),
    },
    TgAttribute {
        name: "proxy_protocol_v2",
        key: "proxy_protocol_v2.enabled",
        kind: Kind::Bool,
        lambda: false,
        allowed: &[],
        get: |a| Some(a.proxy_protocol_v2.to_string()),
        set: |a, s| a.proxy_protocol_v2 = flag(s),
    },
    TgAttribute {
        name: "slow_start",
        key: "slow_start.duration_seconds",
        kind: Kind::Int,
        lambda: false,
        allowed: &[],
        get: |a| Some(a.slow_start.to_string()),
        set: |a, s| a.slow_start = whole(s),
    },
];

fn applies(a: &TgAttribute, target_type: &str) -> bool {
    if a.lambda { target_type == "lambda" } else { target_type == "instance" || target_type == "ip" }
}

const DNS_FAILOVER: &str = "target_group_health.dns_failover.minimum_healthy_targets";
const ROUTING: &str = "target_group_health.unhealthy_state_routing.minimum_healthy_targets";

impl TgAttributes {
    /// The attributes to send: on create (`prior` none) what is set, on update what changed.
    pub fn to_send(
        &self,
        prior: Option<&TgAttributes>,
        target_type: &str,
        protocol: Option<&str>,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let update = prior.is_some();
        for a in ATTRIBUTES.iter().filter(|a| applies(a, target_type)) {
            let Some(v) = (a.get)(self) else { continue };
            if prior.is_some_and(|p| (a.get)(p).as_ref() == Some(&v)) {
                continue;
            }
            let send = match a.kind {
                Kind::Bool => flag(&v) || update,
                Kind::Int => whole(&v) > 0 || update,
                Kind::Str | Kind::NullableBool => !v.is_empty(),
            };
            if send {
                out.push((a.key.to_string(), v));
            }
        }
        let instance_or_ip = target_type == "instance" || target_type == "ip";
        if instance_or_ip && prior.is_none_or(|p| p.target_failover != self.target_failover) {
            for f in &self.target_failover {
                for (v, key) in [
                    (&f.on_deregistration, "target_failover.on_deregistration"),
                    (&f.on_unhealthy, "target_failover.on_unhealthy"),
                ] {
                    if let Some(v) = v {
                        out.push((key.to_string(), v.clone()));
                    }
                }
            }
        }
        if instance_or_ip
            && matches!(protocol, Some("TCP" | "TLS"))
            && prior.is_none_or(|p| p.target_health_state != self.target_health_state)
            && let Some(h) = self.target_health_state.first()
        {
            if let Some(b) = h.enable_unhealthy_connection_termination {
                out.push(("target_health_state.unhealthy.connection_termination.enabled".into(), b.to_string()));
            }
            if let Some(n) = h.unhealthy_draining_interval.filter(|n| *n > 0 || update) {
                out.push(("target_health_state.unhealthy.draining_interval_seconds".into(), n.to_string()));
            }
        }
        if prior.is_none_or(|p| p.target_group_health != self.target_group_health)
            && let Some(h) = &self.target_group_health
        {
            if let Some(d) = &h.dns_failover {
                if let Some(c) = &d.minimum_healthy_targets_count {
                    out.push((format!("{DNS_FAILOVER}.count"), c.clone()));
                }
                if let Some(p) = &d.minimum_healthy_targets_percentage {
                    out.push((format!("{DNS_FAILOVER}.percentage"), p.clone()));
                }
            }
            if let Some(r) = &h.unhealthy_state_routing {
                if let Some(c) = r.minimum_healthy_targets_count {
                    out.push((format!("{ROUTING}.count"), c.to_string()));
                }
                if let Some(p) = &r.minimum_healthy_targets_percentage {
                    out.push((format!("{ROUTING}.percentage"), p.clone()));
                }
            }
        }
        out
    }

    /// The arguments and blocks as read from the attributes AWS returned; an argument it did
    /// not return keeps what `cur` has (read leniently: unknown is null, and an argument that
    /// is not computed has its default, what a plan of a configuration that leaves it out has).
    pub fn read(
        attrs: &HashMap<String, String>,
        target_type: &str,
        protocol: Option<&str>,
        cur: &TgAttributes,
    ) -> TgAttributes {
        let mut out = cur.clone();
        for a in ATTRIBUTES.iter().filter(|a| applies(a, target_type)) {
            if let Some(s) = attrs.get(a.key) {
                (a.set)(&mut out, s);
            }
        }
        let s = |k: &str| attrs.get(k).cloned();
        let geneve = protocol == Some("GENEVE");
        out.target_failover = vec![TargetFailover {
            on_deregistration: s("target_failover.on_deregistration").filter(|_| geneve),
            on_unhealthy: s("target_failover.on_unhealthy").filter(|_| geneve),
        }];
        let tcp = matches!(protocol, Some("TCP" | "TLS"));
        let tcp_only = |k: &str| s(k).filter(|_| tcp);
        out.target_health_state = vec![TargetHealthState {
            enable_unhealthy_connection_termination: tcp_only(
                "target_health_state.unhealthy.connection_termination.enabled",
            )
            .map(|v| flag(&v)),
            unhealthy_draining_interval: tcp_only("target_health_state.unhealthy.draining_interval_seconds")
                .map(|v| whole(&v)),
        }];
        out.target_group_health = Some(TargetGroupHealth {
            dns_failover: Some(DnsFailover {
                minimum_healthy_targets_count: s(&format!("{DNS_FAILOVER}.count")),
                minimum_healthy_targets_percentage: s(&format!("{DNS_FAILOVER}.percentage")),
            }),
            unhealthy_state_routing: Some(UnhealthyStateRouting {
                minimum_healthy_targets_count: s(&format!("{ROUTING}.count")).map(|c| whole(&c)),
                minimum_healthy_targets_percentage: s(&format!("{ROUTING}.percentage")),
            }),
        });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_engine::value::Value;

    fn obj(pairs: &[(&str, Value)]) -> TgAttributes {
        TgAttributes::from_value(&Value::object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())))).unwrap()
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
        let sent: HashMap<String, String> = planned.to_send(None, "instance", Some("HTTP")).into_iter().collect();
        assert_eq!(sent.get("slow_start.duration_seconds").map(String::as_str), Some("30"));
        assert_eq!(sent.get("preserve_client_ip.enabled").map(String::as_str), Some("false"));
        assert!(!sent.contains_key("proxy_protocol_v2.enabled"), "false is not sent on create");
        assert!(!sent.contains_key("lambda.multi_value_headers.enabled"), "a lambda argument");
        assert!(!sent.contains_key("load_balancing.algorithm.type"), "unknown: not set");
        let sent = planned.to_send(None, "lambda", None);
        assert_eq!(sent, vec![("lambda.multi_value_headers.enabled".to_string(), "true".to_string())]);
    }

    #[test]
    fn an_update_sends_what_changed_even_false() {
        let prior = obj(&[("proxy_protocol_v2", Value::Bool(true)), ("slow_start", Value::from(30i64))]);
        let planned = obj(&[("proxy_protocol_v2", Value::Bool(false)), ("slow_start", Value::from(30i64))]);
        let sent = planned.to_send(Some(&prior), "ip", Some("TCP"));
        assert_eq!(sent, vec![("proxy_protocol_v2.enabled".to_string(), "false".to_string())]);
    }

    #[test]
    fn reads_keep_what_aws_does_not_return() {
        let attrs: HashMap<String, String> =
            [("slow_start.duration_seconds", "0"), ("target_failover.on_unhealthy", "rebalance")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        let cur = TgAttributes::from_stub(&Value::object([
            ("connection_termination", Value::DYNAMIC),
            ("proxy_protocol_v2", Value::Bool(false)),
        ]))
        .unwrap();
        let got = TgAttributes::read(&attrs, "instance", Some("HTTP"), &cur);
        assert_eq!(got.slow_start, 0);
        assert_eq!(got.connection_termination, None, "unknown and not returned: null");
        assert!(!got.proxy_protocol_v2);
        assert_eq!(got.target_failover[0].on_unhealthy, None, "read for GENEVE alone");
        let back = got.to_value();
        assert_eq!(
            back.get_attr("target_failover").and_then(|f| f.as_seq()).map(|f| f[0].get_attr("on_unhealthy").cloned()),
            Some(Some(Value::null(terrane_engine::value::Type::String))),
            "null in the object a read returns"
        );
    }
}
