//! The listener attributes of `aws_lb_listener` (ModifyListenerAttributes and
//! DescribeListenerAttributes): each argument's key, kind and the listener protocols it is sent
//! for, as hashicorp/aws 5.100.0 declares them. All are optional and computed: left out, they
//! keep what AWS has. A create sends those set (a bool whatever its value, a number above 0, a
//! string not empty) for the listener's protocol; an update sends what changed. A read sets
//! each argument whose key AWS returns (whatever the protocol, as Terraform does) and keeps the
//! others.

use std::collections::HashMap;
use terrane_engine::plan::diff::same;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::{Type, Value};

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Bool,
    Int,
    Str,
}

pub struct ListenerAttribute {
    pub name: &'static str,
    pub key: &'static str,
    pub kind: Kind,
    pub protocols: &'static [&'static str],
}

const HTTPS: &[&str] = &["HTTPS"];
const HTTP_ANY: &[&str] = &["HTTP", "HTTPS"];

const fn https(name: &'static str, key: &'static str) -> ListenerAttribute {
    ListenerAttribute { name, key, kind: Kind::Str, protocols: HTTPS }
}

const fn http(name: &'static str, key: &'static str) -> ListenerAttribute {
    ListenerAttribute { name, key, kind: Kind::Str, protocols: HTTP_ANY }
}

pub const ATTRIBUTES: &[ListenerAttribute] = &[
    https(
        "routing_http_request_x_amzn_mtls_clientcert_header_name",
        "routing.http.request.x_amzn_mtls_clientcert.header_name",
    ),
    https(
        "routing_http_request_x_amzn_mtls_clientcert_issuer_header_name",
        "routing.http.request.x_amzn_mtls_clientcert_issuer.header_name",
    ),
    https(
        "routing_http_request_x_amzn_mtls_clientcert_leaf_header_name",
        "routing.http.request.x_amzn_mtls_clientcert_leaf.header_name",
    ),
    https(
        "routing_http_request_x_amzn_mtls_clientcert_serial_number_header_name",
        "routing.http.request.x_amzn_mtls_clientcert_serial_number.header_name",
    ),
    https(
        "routing_http_request_x_amzn_mtls_clientcert_subject_header_name",
        "routing.http.request.x_amzn_mtls_clientcert_subject.header_name",
    ),
    https(
        "routing_http_request_x_amzn_mtls_clientcert_validity_header_name",
        "routing.http.request.x_amzn_mtls_clientcert_validity.header_name",
    ),
    https(
        "routing_http_request_x_amzn_tls_cipher_suite_header_name",
        "routing.http.request.x_amzn_tls_cipher_suite.header_name",
    ),
    https("routing_http_request_x_amzn_tls_version_header_name", "routing.http.request.x_amzn_tls_version.header_name"),
    http(
        "routing_http_response_access_control_allow_credentials_header_value",
        "routing.http.response.access_control_allow_credentials.header_value",
    ),
    http(
        "routing_http_response_access_control_allow_headers_header_value",
        "routing.http.response.access_control_allow_headers.header_value",
    ),
    http(
        "routing_http_response_access_control_allow_methods_header_value",
        "routing.http.response.access_control_allow_methods.header_value",
    ),
    http(
        "routing_http_response_access_control_allow_origin_header_value",
        "routing.http.response.access_control_allow_origin.header_value",
    ),
    http(
        "routing_http_response_access_control_expose_headers_header_value",
        "routing.http.response.access_control_expose_headers.header_value",
    ),
    http(
        "routing_http_response_access_control_max_age_header_value",
        "routing.http.response.access_control_max_age.header_value",
    ),
    http(
        "routing_http_response_content_security_policy_header_value",
        "routing.http.response.content_security_policy.header_value",
    ),
    ListenerAttribute {
        name: "routing_http_response_server_enabled",
        key: "routing.http.response.server.enabled",
        kind: Kind::Bool,
        protocols: HTTP_ANY,
    },
    https(
        "routing_http_response_strict_transport_security_header_value",
        "routing.http.response.strict_transport_security.header_value",
    ),
    http(
        "routing_http_response_x_content_type_options_header_value",
        "routing.http.response.x_content_type_options.header_value",
    ),
    http("routing_http_response_x_frame_options_header_value", "routing.http.response.x_frame_options.header_value"),
    // Network load balancers' TCP listeners and gateway load balancers' GENEVE ones.
    ListenerAttribute {
        name: "tcp_idle_timeout_seconds",
        key: "tcp.idle_timeout.seconds",
        kind: Kind::Int,
        protocols: &["TCP", "GENEVE"],
    },
];

fn ty(k: Kind) -> Type {
    match k {
        Kind::Bool => Type::Bool,
        Kind::Int => Type::Number,
        Kind::Str => Type::String,
    }
}

pub fn with_attributes(mut s: Schema) -> Schema {
    for a in ATTRIBUTES {
        s = s.attr(a.name, Attribute::optional_computed(ty(a.kind)));
    }
    s
}

/// The protocol a listener's attributes are chosen by: a gateway load balancer's listener has
/// none set (GENEVE).
pub fn effective_protocol(protocol: Option<&str>, lb_arn: &str) -> String {
    match protocol {
        Some(p) => p.to_uppercase(),
        None if lb_arn.contains(":loadbalancer/gwy/") => "GENEVE".into(),
        None => String::new(),
    }
}

/// The attributes to send: on create (`prior` none) those set, on update those changed.
pub fn to_send(planned: &Value, prior: Option<&Value>, protocol: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for a in ATTRIBUTES.iter().filter(|a| a.protocols.contains(&protocol)) {
        let Some(v) = planned.get_attr(a.name).filter(|v| v.is_wholly_known() && !v.is_null()) else { continue };
        if let Some(p) = prior
            && same(&p.get_attr(a.name).cloned().unwrap_or(Value::NULL), v)
        {
            continue;
        }
        let update = prior.is_some();
        let s = match a.kind {
            Kind::Bool => v.as_bool().map(|b| b.to_string()),
            Kind::Int => v.as_number().and_then(|n| n.to_i64()).filter(|n| *n > 0).map(|n| n.to_string()),
            Kind::Str => v.as_str().filter(|s| update || !s.is_empty()).map(str::to_string),
        };
        if let Some(s) = s {
            out.push((a.key.to_string(), s));
        }
    }
    out
}

/// The arguments as read from the attributes AWS returned; the others as in `cur` (null
/// when unknown).
pub fn read(attrs: &HashMap<String, String>, cur: &Value) -> Vec<(&'static str, Value)> {
    ATTRIBUTES
        .iter()
        .map(|a| {
            let v = match attrs.get(a.key) {
                Some(s) => match a.kind {
                    Kind::Bool => Value::Bool(s == "true"),
                    Kind::Int => Value::from(s.parse::<i64>().unwrap_or(0)),
                    Kind::Str => Value::from(s.as_str()),
                },
                None => cur
                    .get_attr(a.name)
                    .filter(|v| v.is_wholly_known())
                    .cloned()
                    .unwrap_or_else(|| Value::null(ty(a.kind))),
            };
            (a.name, v)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(pairs: &[(&str, Value)]) -> Value {
        Value::object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())))
    }

    #[test]
    fn attributes_go_to_the_protocols_they_mean_something_to() {
        let planned = obj(&[
            ("routing_http_response_server_enabled", Value::Bool(false)),
            ("routing_http_response_strict_transport_security_header_value", Value::from("max-age=60")),
            ("tcp_idle_timeout_seconds", Value::from(600i64)),
            ("routing_http_response_x_frame_options_header_value", Value::DYNAMIC),
        ]);
        let http: HashMap<String, String> = to_send(&planned, None, "HTTP").into_iter().collect();
        assert_eq!(http.len(), 1, "{http:?}");
        assert_eq!(http["routing.http.response.server.enabled"], "false");
        let https: HashMap<String, String> = to_send(&planned, None, "HTTPS").into_iter().collect();
        assert_eq!(https.len(), 2, "{https:?}");
        assert_eq!(to_send(&planned, None, "TCP"), vec![("tcp.idle_timeout.seconds".to_string(), "600".to_string())]);
        // An update: what changed alone.
        let prior = obj(&[("routing_http_response_server_enabled", Value::Bool(false))]);
        assert!(to_send(&planned, Some(&prior), "HTTP").is_empty());
    }

    #[test]
    fn reads_keep_what_aws_does_not_return() {
        let attrs: HashMap<String, String> = [("tcp.idle_timeout.seconds".to_string(), "350".to_string())].into();
        let cur = obj(&[("routing_http_response_server_enabled", Value::DYNAMIC)]);
        let got: HashMap<&str, Value> = read(&attrs, &cur).into_iter().collect();
        assert_eq!(got["tcp_idle_timeout_seconds"], Value::from(350i64));
        assert_eq!(got["routing_http_response_server_enabled"], Value::null(Type::Bool));
    }
}
