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
use terrane_engine::model::Model;
use terrane_engine::value::{PathStep, Type, Value};

/// The attribute arguments and log blocks of `aws_lb` (flattened into its model). The
/// arguments are optional without a default in the schema: the plan gives them theirs (see
/// [`plan`]).
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct LbAttributes {
    #[model(optional)]
    pub client_keep_alive: Option<i64>,
    #[model(optional)]
    pub desync_mitigation_mode: Option<String>,
    #[model(optional)]
    pub dns_record_client_routing_policy: Option<String>,
    #[model(optional)]
    pub drop_invalid_header_fields: Option<bool>,
    #[model(optional)]
    pub enable_cross_zone_load_balancing: Option<bool>,
    #[model(optional)]
    pub enable_deletion_protection: Option<bool>,
    #[model(optional)]
    pub enable_http2: Option<bool>,
    #[model(optional)]
    pub enable_tls_version_and_cipher_suite_headers: Option<bool>,
    #[model(optional)]
    pub enable_waf_fail_open: Option<bool>,
    #[model(optional)]
    pub enable_xff_client_port: Option<bool>,
    #[model(optional)]
    pub enable_zonal_shift: Option<bool>,
    #[model(optional)]
    pub idle_timeout: Option<i64>,
    #[model(optional)]
    pub preserve_host_header: Option<bool>,
    #[model(optional)]
    pub xff_header_processing_mode: Option<String>,
    #[model(block, max = 1)]
    pub access_logs: Option<Logs>,
    #[model(block, max = 1)]
    pub connection_logs: Option<Logs>,
}

/// `access_logs` and `connection_logs`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct Logs {
    #[model(required)]
    pub bucket: String,
    #[model(optional, default = false)]
    pub enabled: bool,
    #[model(optional)]
    pub prefix: Option<String>,
}

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
    /// The argument's value as the attribute's text (none while unset).
    pub get: fn(&LbAttributes) -> Option<String>,
    /// Sets the argument from the attribute's text.
    pub set: fn(&mut LbAttributes, &str),
}

/// An argument's type, read from the attribute's text as Terraform's `StringToBoolValue` and
/// `StringToIntValue` do: anything but "true" is false, anything but a number is 0 (for the
/// load balancer's attributes and the listener's).
pub(crate) trait FromText {
    fn from_text(s: &str) -> Self;
}

impl FromText for bool {
    fn from_text(s: &str) -> Self {
        s == "true"
    }
}

impl FromText for i64 {
    fn from_text(s: &str) -> Self {
        s.parse().unwrap_or(0)
    }
}

impl FromText for String {
    fn from_text(s: &str) -> Self {
        s.to_string()
    }
}

macro_rules! attr {
    ($name:ident, $key:expr, $kind:expr, $types:expr $(, $allowed:expr)?) => {
        LbAttribute {
            name: stringify!($name),
            key: $key,
            kind: $kind,
            types: $types,
            allowed: attr!(@allowed $($allowed)?),
            get: |a| a.$name.as_ref().map(|v| v.to_string()),
            set: |a, s| a.$name = Some(FromText::from_text(s)),
        }
    };
    (@allowed) => { &[] };
    (@allowed $allowed:expr) => { $allowed };
}

/// hashicorp/aws 5.100.0's table (`loadBalancerAttributes` in internal/service/elbv2), with the
/// defaults of its schema.
pub const ATTRIBUTES: &[LbAttribute] = &[
    attr!(client_keep_alive, "client_keep_alive.seconds", Kind::Int(3600), APPLICATION),
    attr!(
        desync_mitigation_mode,
        "routing.http.desync_mitigation_mode",
        Kind::Str("defensive"),
        APPLICATION,
        &["monitor", "defensive", "strictest"]
    ),
    attr!(
        dns_record_client_routing_policy,
        "dns_record.client_routing_policy",
        Kind::Str("any_availability_zone"),
        NETWORK,
        &["availability_zone_affinity", "partial_availability_zone_affinity", "any_availability_zone"]
    ),
    attr!(
        drop_invalid_header_fields,
        "routing.http.drop_invalid_header_fields.enabled",
        Kind::Bool(false),
        APPLICATION
    ),
    // An application load balancer always balances across zones; AWS refuses to turn it off.
    attr!(enable_cross_zone_load_balancing, "load_balancing.cross_zone.enabled", Kind::Bool(false), NETWORK | GATEWAY),
    attr!(enable_deletion_protection, "deletion_protection.enabled", Kind::Bool(false), ALL),
    attr!(enable_http2, "routing.http2.enabled", Kind::Bool(true), APPLICATION),
    attr!(
        enable_tls_version_and_cipher_suite_headers,
        "routing.http.x_amzn_tls_version_and_cipher_suite.enabled",
        Kind::Bool(false),
        APPLICATION
    ),
    attr!(enable_waf_fail_open, "waf.fail_open.enabled", Kind::Bool(false), APPLICATION),
    attr!(enable_xff_client_port, "routing.http.xff_client_port.enabled", Kind::Bool(false), APPLICATION),
    attr!(enable_zonal_shift, "zonal_shift.config.enabled", Kind::Bool(false), APPLICATION | NETWORK),
    attr!(idle_timeout, "idle_timeout.timeout_seconds", Kind::Int(60), APPLICATION),
    attr!(preserve_host_header, "routing.http.preserve_host_header.enabled", Kind::Bool(false), APPLICATION),
    attr!(
        xff_header_processing_mode,
        "routing.http.xff_header_processing.mode",
        Kind::Str("append"),
        APPLICATION,
        &["append", "preserve", "remove"]
    ),
];

/// A block of log settings: `<prefix>.enabled`, `<prefix>.bucket`, `<prefix>.prefix`.
pub struct LogBlock {
    pub name: &'static str,
    prefix: &'static str,
    /// The types a create sets it for (to "off" when it is left out).
    created: u8,
    /// The types a read sets it for (the others keep what they had).
    read: u8,
    /// Its field.
    get: fn(&LbAttributes) -> &Option<Logs>,
    set: fn(&mut LbAttributes, Option<Logs>),
}

pub const LOG_BLOCKS: &[LogBlock] = &[
    LogBlock {
        name: "access_logs",
        prefix: "access_logs.s3",
        created: APPLICATION | NETWORK,
        read: ALL,
        get: |a| &a.access_logs,
        set: |a, l| a.access_logs = l,
    },
    LogBlock {
        name: "connection_logs",
        prefix: "connection_logs.s3",
        created: APPLICATION,
        read: APPLICATION,
        get: |a| &a.connection_logs,
        set: |a, l| a.connection_logs = l,
    },
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
}

impl LbAttributes {
    /// Errors for string arguments outside their values.
    pub fn validate(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for a in ATTRIBUTES.iter().filter(|a| !a.allowed.is_empty()) {
            if let Some(v) = (a.get)(self).filter(|v| !a.allowed.contains(&v.as_str())) {
                out.push(invalid(
                    &format!("Invalid {}", a.name),
                    format!("{} must be one of {}; got {v:?}.", a.name, a.allowed.join(", ")),
                ));
            }
        }
        out
    }

    /// The key-value pairs to send: on create (`prior` none) every argument of the type
    /// (strings when not empty) and the log blocks; on update what changed.
    pub fn to_send(&self, prior: Option<&LbAttributes>, lb_type: u8) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for b in LOG_BLOCKS {
            let item = (b.get)(self);
            match prior {
                None if b.created & lb_type == 0 => continue,
                Some(p) if (b.get)(p) == item => continue,
                _ => {}
            }
            let enabled = item.as_ref().is_some_and(|i| i.enabled);
            out.push((format!("{}.enabled", b.prefix), enabled.to_string()));
            if enabled && let Some(item) = item {
                for (k, v) in [("bucket", item.bucket.clone()), ("prefix", item.prefix.clone().unwrap_or_default())] {
                    // A create leaves empty values out; an update sends them, to clear the old ones.
                    if prior.is_some() || !v.is_empty() {
                        out.push((format!("{}.{k}", b.prefix), v));
                    }
                }
            }
        }
        for a in ATTRIBUTES.iter().filter(|a| a.types & lb_type != 0) {
            let Some(v) = (a.get)(self) else { continue };
            if prior.is_some_and(|p| (a.get)(p).as_ref() == Some(&v)) {
                continue;
            }
            // An empty string is not sent.
            if !(matches!(a.kind, Kind::Str(_)) && v.is_empty()) {
                out.push((a.key.to_string(), v));
            }
        }
        out
    }

    /// The arguments and log blocks as read from the attributes AWS returned; what it did not
    /// return stays as in `cur` (read leniently: unknown is null).
    pub fn read(attrs: &HashMap<String, String>, lb_type: u8, cur: &LbAttributes) -> LbAttributes {
        let mut out = cur.clone();
        for a in ATTRIBUTES {
            if let Some(s) = attrs.get(a.key) {
                (a.set)(&mut out, s);
            }
        }
        for b in LOG_BLOCKS.iter().filter(|b| b.read & lb_type != 0) {
            let get = |k: &str| attrs.get(&format!("{}.{k}", b.prefix)).cloned().unwrap_or_default();
            let logs = Logs { bucket: get("bucket"), enabled: get("enabled") == "true", prefix: Some(get("prefix")) };
            (b.set)(&mut out, Some(logs));
        }
        out
    }
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
    let ty = Type::list(Logs::schema().value_type());
    let before = prior.and_then(|p| val::block(p, name));
    if !val::block_configured(config, name) {
        let v = prior.and_then(|p| p.get_attr(name)).filter(|v| v.is_wholly_known());
        planned.set_at_path(
            &attr_path(name),
            v.cloned().unwrap_or_else(|| Value::empty_list(Logs::schema().value_type())),
        );
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
    planned.set_at_path(&attr_path(name), Value::list(Logs::schema().value_type(), vec![item]).conform(&ty));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An object as the engine passes it: every attribute, null where `pairs` leaves it out.
    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())))
            .conform(&LbAttributes::schema().value_type())
    }

    fn typed(v: &Value) -> LbAttributes {
        LbAttributes::from_value(v).unwrap()
    }

    #[test]
    fn a_create_sends_every_argument_of_its_type() {
        let mut planned = obj(&[("enable_http2", Value::NULL)]);
        plan(None, &obj(&[("idle_timeout", Value::from(30i64))]), &mut planned, APPLICATION);
        let sent: HashMap<String, String> = typed(&planned).to_send(None, APPLICATION).into_iter().collect();
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
        let sent: HashMap<String, String> = typed(&planned).to_send(None, NETWORK).into_iter().collect();
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
        let sent = typed(&planned).to_send(Some(&typed(&prior)), APPLICATION);
        assert!(sent.contains(&("routing.http2.enabled".into(), "false".into())), "{sent:?}");
        assert!(!sent.iter().any(|(k, _)| k == "idle_timeout.timeout_seconds"), "{sent:?}");
    }

    #[test]
    fn disabled_logs_ignore_their_bucket() {
        let logs = |bucket: &str, enabled: bool| {
            Value::list(
                Logs::schema().value_type(),
                vec![Value::object([
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
        let item = typed(&planned).access_logs.unwrap();
        assert_eq!(item.bucket, "");
        assert_eq!(item.prefix.as_deref(), Some(""));
        // Left out, a block keeps what it has.
        let mut planned = obj(&[]);
        plan_logs("access_logs", Some(&prior), &obj(&[]), &mut planned);
        assert_eq!(planned.get_attr("access_logs"), prior.get_attr("access_logs"));
        // Enabled, its bucket and prefix are sent, even empty.
        let config = obj(&[("access_logs", logs("b", true))]);
        let mut planned = config.clone();
        plan_logs("access_logs", Some(&prior), &config, &mut planned);
        let sent = typed(&planned).to_send(Some(&typed(&prior)), APPLICATION);
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
        let got = LbAttributes::read(&attrs, NETWORK, &LbAttributes::from_stub(&cur).unwrap());
        assert_eq!(got.idle_timeout, Some(120));
        assert_eq!(got.enable_http2, Some(false));
        assert_eq!(got.client_keep_alive, None);
        assert_eq!(got.connection_logs, None, "not read for a network one");
        let back = got.to_value();
        assert_eq!(back.get_attr("client_keep_alive"), Some(&Value::null(Type::Number)));
        assert_eq!(back.get_attr("connection_logs"), Some(&Value::empty_list(Logs::schema().value_type())));
        assert!(!got.access_logs.unwrap().enabled);
    }
}
