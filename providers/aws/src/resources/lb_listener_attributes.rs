//! The listener attributes of `aws_lb_listener` (ModifyListenerAttributes and
//! DescribeListenerAttributes): each argument's key, kind and the listener protocols it is sent
//! for, as hashicorp/aws 5.100.0 declares them (the typed [`ListenerAttributes`], flattened
//! into the listener's model). All are optional and computed: left out, they keep what AWS
//! has. A create sends those set (a bool whatever its value, a number above 0, a string not
//! empty) for the listener's protocol; an update sends what changed. A read sets each argument
//! whose key AWS returns (whatever the protocol, as Terraform does) and keeps the others.

use super::lb_attributes::FromText;
use std::collections::HashMap;
use terrane_engine::model::Model;

/// The listener attribute arguments.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct ListenerAttributes {
    #[model(optional, computed)]
    pub routing_http_request_x_amzn_mtls_clientcert_header_name: Option<String>,
    #[model(optional, computed)]
    pub routing_http_request_x_amzn_mtls_clientcert_issuer_header_name: Option<String>,
    #[model(optional, computed)]
    pub routing_http_request_x_amzn_mtls_clientcert_leaf_header_name: Option<String>,
    #[model(optional, computed)]
    pub routing_http_request_x_amzn_mtls_clientcert_serial_number_header_name: Option<String>,
    #[model(optional, computed)]
    pub routing_http_request_x_amzn_mtls_clientcert_subject_header_name: Option<String>,
    #[model(optional, computed)]
    pub routing_http_request_x_amzn_mtls_clientcert_validity_header_name: Option<String>,
    #[model(optional, computed)]
    pub routing_http_request_x_amzn_tls_cipher_suite_header_name: Option<String>,
    #[model(optional, computed)]
    pub routing_http_request_x_amzn_tls_version_header_name: Option<String>,
    #[model(optional, computed)]
    pub routing_http_response_access_control_allow_credentials_header_value: Option<String>,
    #[model(optional, computed)]
    pub routing_http_response_access_control_allow_headers_header_value: Option<String>,
    #[model(optional, computed)]
    pub routing_http_response_access_control_allow_methods_header_value: Option<String>,
    #[model(optional, computed)]
    pub routing_http_response_access_control_allow_origin_header_value: Option<String>,
    #[model(optional, computed)]
    pub routing_http_response_access_control_expose_headers_header_value: Option<String>,
    #[model(optional, computed)]
    pub routing_http_response_access_control_max_age_header_value: Option<String>,
    #[model(optional, computed)]
    pub routing_http_response_content_security_policy_header_value: Option<String>,
    #[model(optional, computed)]
    pub routing_http_response_server_enabled: Option<bool>,
    #[model(optional, computed)]
    pub routing_http_response_strict_transport_security_header_value: Option<String>,
    #[model(optional, computed)]
    pub routing_http_response_x_content_type_options_header_value: Option<String>,
    #[model(optional, computed)]
    pub routing_http_response_x_frame_options_header_value: Option<String>,
    #[model(optional, computed)]
    pub tcp_idle_timeout_seconds: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    Bool,
    Int,
    Str,
}

pub struct ListenerAttribute {
    pub key: &'static str,
    pub kind: Kind,
    pub protocols: &'static [&'static str],
    /// The argument's value as the attribute's text (none while unset).
    pub get: fn(&ListenerAttributes) -> Option<String>,
    /// Sets the argument from the attribute's text.
    pub set: fn(&mut ListenerAttributes, &str),
}

const HTTPS: &[&str] = &["HTTPS"];
const HTTP_ANY: &[&str] = &["HTTP", "HTTPS"];

macro_rules! attr {
    ($name:ident, $key:expr, $kind:expr, $protocols:expr) => {
        ListenerAttribute {
            key: $key,
            kind: $kind,
            protocols: $protocols,
            get: |a| a.$name.as_ref().map(|v| v.to_string()),
            set: |a, s| a.$name = Some(FromText::from_text(s)),
        }
    };
}

macro_rules! https {
    ($name:ident, $key:expr) => {
        attr!($name, $key, Kind::Str, HTTPS)
    };
}

macro_rules! http {
    ($name:ident, $key:expr) => {
        attr!($name, $key, Kind::Str, HTTP_ANY)
    };
}

pub const ATTRIBUTES: &[ListenerAttribute] = &[
    https!(
        routing_http_request_x_amzn_mtls_clientcert_header_name,
        "routing.http.request.x_amzn_mtls_clientcert.header_name"
    ),
    https!(
        routing_http_request_x_amzn_mtls_clientcert_issuer_header_name,
        "routing.http.request.x_amzn_mtls_clientcert_issuer.header_name"
    ),
    https!(
        routing_http_request_x_amzn_mtls_clientcert_leaf_header_name,
        "routing.http.request.x_amzn_mtls_clientcert_leaf.header_name"
    ),
    https!(
        routing_http_request_x_amzn_mtls_clientcert_serial_number_header_name,
        "routing.http.request.x_amzn_mtls_clientcert_serial_number.header_name"
    ),
    https!(
        routing_http_request_x_amzn_mtls_clientcert_subject_header_name,
        "routing.http.request.x_amzn_mtls_clientcert_subject.header_name"
    ),
    https!(
        routing_http_request_x_amzn_mtls_clientcert_validity_header_name,
        "routing.http.request.x_amzn_mtls_clientcert_validity.header_name"
    ),
    https!(
        routing_http_request_x_amzn_tls_cipher_suite_header_name,
        "routing.http.request.x_amzn_tls_cipher_suite.header_name"
    ),
    https!(routing_http_request_x_amzn_tls_version_header_name, "routing.http.request.x_amzn_tls_version.header_name"),
    http!(
        routing_http_response_access_control_allow_credentials_header_value,
        "routing.http.response.access_control_allow_credentials.header_value"
    ),
    http!(
        routing_http_response_access_control_allow_headers_header_value,
        "routing.http.response.access_control_allow_headers.header_value"
    ),
    http!(
        routing_http_response_access_control_allow_methods_header_value,
        "routing.http.response.access_control_allow_methods.header_value"
    ),
    http!(
        routing_http_response_access_control_allow_origin_header_value,
        "routing.http.response.access_control_allow_origin.header_value"
    ),
    http!(
        routing_http_response_access_control_expose_headers_header_value,
        "routing.http.response.access_control_expose_headers.header_value"
    ),
    http!(
        routing_http_response_access_control_max_age_header_value,
        "routing.http.response.access_control_max_age.header_value"
    ),
    http!(
        routing_http_response_content_security_policy_header_value,
        "routing.http.response.content_security_policy.header_value"
    ),
    attr!(routing_http_response_server_enabled, "routing.http.response.server.enabled", Kind::Bool, HTTP_ANY),
    https!(
        routing_http_response_strict_transport_security_header_value,
        "routing.http.response.strict_transport_security.header_value"
    ),
    http!(
        routing_http_response_x_content_type_options_header_value,
        "routing.http.response.x_content_type_options.header_value"
    ),
    http!(routing_http_response_x_frame_options_header_value, "routing.http.response.x_frame_options.header_value"),
    // Network load balancers' TCP listeners and gateway load balancers' GENEVE ones.
    attr!(tcp_idle_timeout_seconds, "tcp.idle_timeout.seconds", Kind::Int, &["TCP", "GENEVE"]),
];

/// The protocol a listener's attributes are chosen by: a gateway load balancer's listener has
/// none set (GENEVE).
pub fn effective_protocol(protocol: Option<&str>, lb_arn: &str) -> String {
    match protocol {
        Some(p) => p.to_uppercase(),
        None if lb_arn.contains(":loadbalancer/gwy/") => "GENEVE".into(),
        None => String::new(),
    }
}

impl ListenerAttributes {
    /// The attributes to send: on create (`prior` none) those set, on update those changed.
    pub fn to_send(&self, prior: Option<&ListenerAttributes>, protocol: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let update = prior.is_some();
        for a in ATTRIBUTES.iter().filter(|a| a.protocols.contains(&protocol)) {
            let Some(v) = (a.get)(self) else { continue };
            if prior.is_some_and(|p| (a.get)(p).as_ref() == Some(&v)) {
                continue;
            }
            let send = match a.kind {
                Kind::Bool => true,
                Kind::Int => <i64 as FromText>::from_text(&v) > 0,
                Kind::Str => update || !v.is_empty(),
            };
            if send {
                out.push((a.key.to_string(), v));
            }
        }
        out
    }

    /// The arguments as read from the attributes AWS returned; the others as in `cur` (read
    /// leniently: null when unknown).
    pub fn read(attrs: &HashMap<String, String>, cur: &ListenerAttributes) -> ListenerAttributes {
        let mut out = cur.clone();
        for a in ATTRIBUTES {
            if let Some(s) = attrs.get(a.key) {
                (a.set)(&mut out, s);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use terrane_engine::value::Value;

    fn obj(pairs: &[(&str, Value)]) -> ListenerAttributes {
        ListenerAttributes::from_value(&Value::object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())))).unwrap()
    }

    #[test]
    fn attributes_go_to_the_protocols_they_mean_something_to() {
        let planned = obj(&[
            ("routing_http_response_server_enabled", Value::Bool(false)),
            ("routing_http_response_strict_transport_security_header_value", Value::from("max-age=60")),
            ("tcp_idle_timeout_seconds", Value::from(600i64)),
            ("routing_http_response_x_frame_options_header_value", Value::DYNAMIC),
        ]);
        let http: HashMap<String, String> = planned.to_send(None, "HTTP").into_iter().collect();
        assert_eq!(http.len(), 1, "{http:?}");
        assert_eq!(http["routing.http.response.server.enabled"], "false");
        let https: HashMap<String, String> = planned.to_send(None, "HTTPS").into_iter().collect();
        assert_eq!(https.len(), 2, "{https:?}");
        assert_eq!(planned.to_send(None, "TCP"), vec![("tcp.idle_timeout.seconds".to_string(), "600".to_string())]);
        // An update: what changed alone.
        let prior = obj(&[("routing_http_response_server_enabled", Value::Bool(false))]);
        assert!(planned.to_send(Some(&prior), "HTTP").is_empty());
    }

    #[test]
    fn reads_keep_what_aws_does_not_return() {
        let attrs: HashMap<String, String> = [("tcp.idle_timeout.seconds".to_string(), "350".to_string())].into();
        let cur = obj(&[("routing_http_response_server_enabled", Value::DYNAMIC)]);
        let got = ListenerAttributes::read(&attrs, &cur);
        assert_eq!(got.tcp_idle_timeout_seconds, Some(350));
        assert_eq!(got.routing_http_response_server_enabled, None);
        let back = got.to_value();
        assert_eq!(
            back.get_attr("routing_http_response_server_enabled"),
            Some(&Value::null(terrane_engine::value::Type::Bool))
        );
    }
}
