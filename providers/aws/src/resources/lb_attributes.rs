//! The load balancer attributes of `aws_lb` (ModifyLoadBalancerAttributes and
//! DescribeLoadBalancerAttributes), declared once: each argument's AWS key, kind, Terraform's
//! default and the load balancer types it means something to; and the two log blocks
//! (`access_logs`, `connection_logs`) kept in the same attributes.
//!
//! As hashicorp/aws does: an argument is sent only to the types it means something to, on create
//! (with its default when unset) and on update (when it changed); for the other types its
//! difference is ignored, so its value is whatever was read before (null for a new load
//! balancer). A read sets every argument whose key AWS returns, whatever the type, and keeps
//! the others as they were.

use crate::resource::invalid;
use crate::val;
use std::collections::HashMap;
use terrane_engine::diag::Diagnostic;
use terrane_engine::plan::diff::same;
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::{PathStep, Type, Value};

/// Load balancer types, as bits.
pub const APPLICATION: u8 = 1;
pub const NETWORK: u8 = 2;
pub const GATEWAY: u8 = 4;
const ALL: u8 = APPLICATION | NETWORK | GATEWAY;

/// The bit of a `load_balancer_type` (0 for one not known).
pub fn type_bit(lb_type: Option<&str>) -> u8 {
    match lb_type {
        Some("application") => APPLICATION,
        Some("network") => NETWORK,
        Some("gateway") => GATEWAY,
        _ => 0,
    }
}

/// An argument's kind, with Terraform's default.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Bool(bool),
    Int(i64),
    Str(&'static str),
}

pub struct LbAttribute {
    /// The argument.
    pub name: &'static str,
    /// Its load balancer attribute key.
    pub key: &'static str,
    pub kind: Kind,
    /// The load balancer types it is sent to; for the others its difference is ignored.
    pub types: u8,
    /// The values a string may take (any, when empty).
    pub allowed: &'static [&'static str],
}

const fn attr(name: &'static str, key: &'static str, kind: Kind, types: u8) -> LbAttribute {
    LbAttribute { name, key, kind, types, allowed: &[] }
}

/// hashicorp/aws 5.100.0's table (`loadBalancerAttributes` in internal/service/elbv2), with the
/// defaults of its schema.
pub const ATTRIBUTES: &[LbAttribute] = &[
    attr("client_keep_alive", "client_keep_alive.seconds", Kind::Int(3600), APPLICATION),
    LbAttribute {
        allowed: &["monitor", "defensive", "strictest"],
        ..attr("desync_mitigation_mode", "routing.http.desync_mitigation_mode", Kind::Str("defensive"), APPLICATION)
    },
    LbAttribute {
        allowed: &["availability_zone_affinity", "partial_availability_zone_affinity", "any_availability_zone"],
        ..attr(
            "dns_record_client_routing_policy",
            "dns_record.client_routing_policy",
            Kind::Str("any_availability_zone"),
            NETWORK,
        )
    },
    attr(
        "drop_invalid_header_fields",
        "routing.http.drop_invalid_header_fields.enabled",
        Kind::Bool(false),
        APPLICATION,
    ),
    // An application load balancer always balances across zones; AWS refuses to turn it off.
    attr("enable_cross_zone_load_balancing", "load_balancing.cross_zone.enabled", Kind::Bool(false), NETWORK | GATEWAY),
    attr("enable_deletion_protection", "deletion_protection.enabled", Kind::Bool(false), ALL),
    attr("enable_http2", "routing.http2.enabled", Kind::Bool(true), APPLICATION),
    attr(
        "enable_tls_version_and_cipher_suite_headers",
        "routing.http.x_amzn_tls_version_and_cipher_suite.enabled",
        Kind::Bool(false),
        APPLICATION,
    ),
    attr("enable_waf_fail_open", "waf.fail_open.enabled", Kind::Bool(false), APPLICATION),
    attr("enable_xff_client_port", "routing.http.xff_client_port.enabled", Kind::Bool(false), APPLICATION),
    attr("enable_zonal_shift", "zonal_shift.config.enabled", Kind::Bool(false), APPLICATION | NETWORK),
    attr("idle_timeout", "idle_timeout.timeout_seconds", Kind::Int(60), APPLICATION),
    attr("preserve_host_header", "routing.http.preserve_host_header.enabled", Kind::Bool(false), APPLICATION),
    LbAttribute {
        allowed: &["append", "preserve", "remove"],
        ..attr(
            "xff_header_processing_mode",
            "routing.http.xff_header_processing.mode",
            Kind::Str("append"),
            APPLICATION,
        )
    },
];

/// A block of log settings: `<prefix>.enabled`, `<prefix>.bucket`, `<prefix>.prefix`.
pub struct LogBlock {
    pub name: &'static str,
    prefix: &'static str,
    /// The types a create sets it for (to "off" when it is left out).
    created: u8,
    /// The types a read sets it for (the others keep what they had).
    read: u8,
}

pub const LOG_BLOCKS: &[LogBlock] = &[
    LogBlock { name: "access_logs", prefix: "access_logs.s3", created: APPLICATION | NETWORK, read: ALL },
    LogBlock { name: "connection_logs", prefix: "connection_logs.s3", created: APPLICATION, read: APPLICATION },
];

impl Kind {
    fn ty(self) -> Type {
        match self {
            Kind::Bool(_) => Type::Bool,
            Kind::Int(_) => Type::Number,
            Kind::Str(_) => Type::String,
        }
    }

    fn default(self) -> Value {
        match self {
            Kind::Bool(b) => Value::Bool(b),
            Kind::Int(n) => Value::from(n),
            Kind::Str(s) => Value::from(s),
        }
    }

    /// An attribute value as the argument holds it (Terraform's `StringToBoolValue` and
    /// `StringToIntValue`: anything but "true" is false, anything but a number is 0).
    fn parse(self, s: &str) -> Value {
        match self {
            Kind::Bool(_) => Value::Bool(s == "true"),
            Kind::Int(_) => Value::from(s.parse::<i64>().unwrap_or(0)),
            Kind::Str(_) => Value::from(s),
        }
    }

    /// The argument's value as an attribute value (an empty string is not sent).
    fn format(self, v: &Value) -> Option<String> {
        match self {
            Kind::Bool(_) => v.as_bool().map(|b| b.to_string()),
            Kind::Int(_) => v.as_number().and_then(|n| n.to_i64()).map(|n| n.to_string()),
            Kind::Str(_) => v.as_str().filter(|s| !s.is_empty()).map(str::to_string),
        }
    }
}

fn log_schema() -> Schema {
    Schema::new()
        .attr("bucket", Attribute::required(Type::String))
        .attr("enabled", Attribute::optional(Type::Bool).default(false))
        .attr("prefix", Attribute::optional(Type::String))
}

/// The schema with the attribute arguments and the log blocks added.
pub fn with_attributes(mut s: Schema) -> Schema {
    for a in ATTRIBUTES {
        s = s.attr(a.name, Attribute::optional(a.kind.ty()));
    }
    for b in LOG_BLOCKS {
        s = s.block(b.name, NestedBlock::list(log_schema()).max(1));
    }
    s
}

/// Errors for string arguments outside their values.
pub fn validate(config: &Value) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for a in ATTRIBUTES.iter().filter(|a| !a.allowed.is_empty()) {
        if let Some(v) = val::string(config, a.name).filter(|v| !a.allowed.contains(&v.as_str())) {
            out.push(invalid(
                &format!("Invalid {}", a.name),
                format!("{} must be one of {}; got {v:?}.", a.name, a.allowed.join(", ")),
            ));
        }
    }
    out
}

fn attr_path(k: &str) -> [PathStep; 1] {
    [PathStep::Attr(k.to_string())]
}

/// A value kept from before: unknown (nothing read yet) is null.
fn kept(v: Option<&Value>, ty: Type) -> Value {
    v.filter(|v| v.is_wholly_known() && !v.is_null()).cloned().unwrap_or_else(|| Value::null(ty))
}

/// Plans the attribute arguments and log blocks of a load balancer of type `lb_type` (a bit,
/// 0 while unknown). `prior` is the object being updated (none for a create or replacement).
pub fn plan(prior: Option<&Value>, config: &Value, planned: &mut Value, lb_type: u8) {
    for a in ATTRIBUTES {
        let v = if a.types & lb_type != 0 {
            match config.get_attr(a.name).filter(|v| !v.is_null()) {
                Some(v) => v.clone(),
                None => a.kind.default(),
            }
        } else {
            // Its difference is ignored: what was there stays (nothing, for a new one).
            kept(prior.and_then(|p| p.get_attr(a.name)), a.kind.ty())
        };
        planned.set_at_path(&attr_path(a.name), v);
    }
    for b in LOG_BLOCKS {
        plan_logs(b.name, prior, config, planned);
    }
}

/// A log block left out keeps what it has (hashicorp/aws suppresses the difference of a missing
/// optional block); one set has an empty prefix when unset; while it is disabled, its bucket and
/// prefix changes are ignored.
fn plan_logs(name: &str, prior: Option<&Value>, config: &Value, planned: &mut Value) {
    let ty = Type::list(log_schema().value_type());
    let before = prior.and_then(|p| val::block(p, name));
    if !val::block_configured(config, name) {
        let v = prior.and_then(|p| p.get_attr(name)).filter(|v| v.is_wholly_known());
        planned
            .set_at_path(&attr_path(name), v.cloned().unwrap_or_else(|| Value::empty_list(log_schema().value_type())));
        return;
    }
    let Some(mut item) = val::block(planned, name).filter(Value::is_known) else { return };
    if let (Some(false), Some(before)) = (val::boolean(&item, "enabled"), &before) {
        for k in ["bucket", "prefix"] {
            item.set_at_path(&attr_path(k), kept(before.get_attr(k), Type::String));
        }
    }
    if item.get_attr("prefix").is_none_or(Value::is_null) {
        item.set_at_path(&attr_path("prefix"), Value::from(""));
    }
    planned.set_at_path(&attr_path(name), Value::list(log_schema().value_type(), vec![item]).conform(&ty));
}

/// The key-value pairs to send: on create (`prior` none) every argument of the type (strings
/// when not empty) and the log blocks; on update what changed.
pub fn to_send(planned: &Value, prior: Option<&Value>, lb_type: u8) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for b in LOG_BLOCKS {
        let item = val::block(planned, b.name);
        match prior {
            None if b.created & lb_type == 0 => continue,
            Some(p) if !changed(p, planned, b.name) => continue,
            _ => {}
        }
        let enabled = item.as_ref().and_then(|i| val::boolean(i, "enabled")).unwrap_or(false);
        out.push((format!("{}.enabled", b.prefix), enabled.to_string()));
        if enabled && let Some(item) = &item {
            for k in ["bucket", "prefix"] {
                let v = val::string(item, k).unwrap_or_default();
                // A create leaves empty values out; an update sends them, to clear the old ones.
                if prior.is_some() || !v.is_empty() {
                    out.push((format!("{}.{k}", b.prefix), v));
                }
            }
        }
    }
    for a in ATTRIBUTES.iter().filter(|a| a.types & lb_type != 0) {
        if prior.is_some_and(|p| !changed(p, planned, a.name)) {
            continue;
        }
        if let Some(v) = planned.get_attr(a.name).and_then(|v| a.kind.format(v)) {
            out.push((a.key.to_string(), v));
        }
    }
    out
}

/// Whether `k` is planned to a known value other than the prior one.
pub fn changed(prior: &Value, planned: &Value, k: &str) -> bool {
    let p = planned.get_attr(k).cloned().unwrap_or(Value::NULL);
    p.is_wholly_known() && !same(&prior.get_attr(k).cloned().unwrap_or(Value::NULL), &p)
}

/// The arguments and log blocks as read from the attributes AWS returned; what it did not
/// return stays as in `cur`.
pub fn read(attrs: &HashMap<String, String>, lb_type: u8, cur: &Value) -> Vec<(&'static str, Value)> {
    let mut out = Vec::new();
    for a in ATTRIBUTES {
        let v = match attrs.get(a.key) {
            Some(s) => a.kind.parse(s),
            None => kept(cur.get_attr(a.name), a.kind.ty()),
        };
        out.push((a.name, v));
    }
    for b in LOG_BLOCKS {
        let v = if b.read & lb_type != 0 {
            let get = |k: &str| attrs.get(&format!("{}.{k}", b.prefix)).cloned().unwrap_or_default();
            Value::list(
                log_schema().value_type(),
                vec![Value::object([
                    ("bucket", Value::from(get("bucket"))),
                    ("enabled", Value::Bool(get("enabled") == "true")),
                    ("prefix", Value::from(get("prefix"))),
                ])],
            )
        } else {
            match cur.get_attr(b.name).filter(|v| v.is_wholly_known() && !v.is_null()) {
                Some(v) => v.clone(),
                None => Value::empty_list(log_schema().value_type()),
            }
        };
        out.push((b.name, v));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())))
    }

    #[test]
    fn a_create_sends_every_argument_of_its_type() {
        let mut planned = obj(&[("enable_http2", Value::NULL)]);
        plan(None, &obj(&[("idle_timeout", Value::from(30i64))]), &mut planned, APPLICATION);
        let sent: HashMap<String, String> = to_send(&planned, None, APPLICATION).into_iter().collect();
        assert_eq!(sent.get("idle_timeout.timeout_seconds").map(String::as_str), Some("30"));
        assert_eq!(sent.get("routing.http2.enabled").map(String::as_str), Some("true"));
        assert_eq!(sent.get("routing.http.xff_header_processing.mode").map(String::as_str), Some("append"));
        assert_eq!(sent.get("access_logs.s3.enabled").map(String::as_str), Some("false"));
        assert_eq!(sent.get("connection_logs.s3.enabled").map(String::as_str), Some("false"));
        assert!(!sent.contains_key("load_balancing.cross_zone.enabled"), "not an application's");
        assert!(!sent.contains_key("dns_record.client_routing_policy"));
        assert_eq!(planned.get_attr("enable_cross_zone_load_balancing"), Some(&Value::null(Type::Bool)));

        let mut planned = obj(&[]);
        plan(None, &obj(&[("idle_timeout", Value::from(30i64))]), &mut planned, NETWORK);
        let sent: HashMap<String, String> = to_send(&planned, None, NETWORK).into_iter().collect();
        let mut keys: Vec<&str> = sent.keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "access_logs.s3.enabled",
                "deletion_protection.enabled",
                "dns_record.client_routing_policy",
                "load_balancing.cross_zone.enabled",
                "zonal_shift.config.enabled"
            ]
        );
        assert_eq!(planned.get_attr("idle_timeout"), Some(&Value::null(Type::Number)), "ignored for a network one");
    }

    #[test]
    fn an_update_sends_what_changed_and_keeps_what_the_type_ignores() {
        let prior = obj(&[
            ("enable_http2", Value::Bool(true)),
            ("idle_timeout", Value::from(60i64)),
            ("enable_cross_zone_load_balancing", Value::Bool(true)),
        ]);
        let config =
            obj(&[("enable_http2", Value::Bool(false)), ("enable_cross_zone_load_balancing", Value::Bool(false))]);
        let mut planned = prior.clone();
        plan(Some(&prior), &config, &mut planned, APPLICATION);
        assert_eq!(planned.get_attr("enable_cross_zone_load_balancing"), Some(&Value::Bool(true)));
        let sent = to_send(&planned, Some(&prior), APPLICATION);
        assert!(sent.contains(&("routing.http2.enabled".into(), "false".into())), "{sent:?}");
        assert!(!sent.iter().any(|(k, _)| k == "idle_timeout.timeout_seconds"), "{sent:?}");
    }

    #[test]
    fn disabled_logs_ignore_their_bucket() {
        let logs = |bucket: &str, enabled: bool| {
            Value::list(
                log_schema().value_type(),
                vec![obj(&[
                    ("bucket", Value::from(bucket)),
                    ("enabled", Value::Bool(enabled)),
                    ("prefix", Value::NULL),
                ])],
            )
        };
        let prior = obj(&[("access_logs", logs("", false))]);
        let config = obj(&[("access_logs", logs("b", false))]);
        let mut planned = config.clone();
        plan_logs("access_logs", Some(&prior), &config, &mut planned);
        let item = val::block(&planned, "access_logs").unwrap();
        assert_eq!(item.get_attr("bucket"), Some(&Value::from("")));
        assert_eq!(item.get_attr("prefix"), Some(&Value::from("")));
        // Left out, a block keeps what it has.
        let mut planned = obj(&[]);
        plan_logs("access_logs", Some(&prior), &obj(&[]), &mut planned);
        assert_eq!(planned.get_attr("access_logs"), prior.get_attr("access_logs"));
        // Enabled, its bucket and prefix are sent, even empty.
        let config = obj(&[("access_logs", logs("b", true))]);
        let mut planned = config.clone();
        plan_logs("access_logs", Some(&prior), &config, &mut planned);
        let sent = to_send(&planned, Some(&prior), APPLICATION);
        assert_eq!(
            sent,
            vec![
                ("access_logs.s3.enabled".to_string(), "true".to_string()),
                ("access_logs.s3.bucket".to_string(), "b".to_string()),
                ("access_logs.s3.prefix".to_string(), String::new()),
            ]
        );
    }

    #[test]
    fn a_read_keeps_what_aws_does_not_return() {
        let cur = obj(&[("client_keep_alive", Value::NULL), ("idle_timeout", Value::from(60i64))]);
        let attrs: HashMap<String, String> = [
            ("idle_timeout.timeout_seconds", "120"),
            ("routing.http2.enabled", "false"),
            ("access_logs.s3.bucket", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let got: HashMap<&str, Value> = read(&attrs, NETWORK, &cur).into_iter().collect();
        assert_eq!(got["idle_timeout"], Value::from(120i64));
        assert_eq!(got["enable_http2"], Value::Bool(false));
        assert_eq!(got["client_keep_alive"], Value::null(Type::Number));
        assert_eq!(got["connection_logs"], Value::empty_list(log_schema().value_type()), "not read for a network one");
        let logs = val::block(&obj(&[("l", got["access_logs"].clone())]), "l").unwrap();
        assert_eq!(logs.get_attr("enabled"), Some(&Value::Bool(false)));
    }
}
