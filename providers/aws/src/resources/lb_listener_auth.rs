//! `aws_lb_listener`'s authentication: the `authenticate_cognito` and `authenticate_oidc`
//! actions of `default_action`, and `mutual_authentication` (mTLS), as hashicorp/aws 5.100.0
//! sends and reads them. Optional values are sent when not empty; a read takes what AWS
//! returns (empty strings and 0 where it returns nothing, as Terraform records them), but the
//! OIDC `client_secret`, which AWS never returns, is kept from before.

use crate::val;
use aws_sdk_elasticloadbalancingv2::types::{
    AdvertiseTrustStoreCaNamesEnum, AuthenticateCognitoActionConditionalBehaviorEnum, AuthenticateCognitoActionConfig,
    AuthenticateOidcActionConditionalBehaviorEnum, AuthenticateOidcActionConfig, MutualAuthenticationAttributes,
};
use std::collections::{BTreeMap, HashMap};
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::{Type, Value};

fn common(s: Schema) -> Schema {
    s.attr("authentication_request_extra_params", Attribute::optional(Type::map(Type::String)))
        .attr("on_unauthenticated_request", Attribute::optional_computed(Type::String))
        .attr("scope", Attribute::optional_computed(Type::String))
        .attr("session_cookie_name", Attribute::optional_computed(Type::String))
        .attr("session_timeout", Attribute::optional_computed(Type::Number))
}

pub fn cognito_schema() -> Schema {
    common(Schema::new())
        .attr("user_pool_arn", Attribute::required(Type::String))
        .attr("user_pool_client_id", Attribute::required(Type::String))
        .attr("user_pool_domain", Attribute::required(Type::String))
}

pub fn oidc_schema() -> Schema {
    common(Schema::new())
        .attr("authorization_endpoint", Attribute::required(Type::String))
        .attr("client_id", Attribute::required(Type::String))
        .attr("client_secret", Attribute::required(Type::String).sensitive())
        .attr("issuer", Attribute::required(Type::String))
        .attr("token_endpoint", Attribute::required(Type::String))
        .attr("user_info_endpoint", Attribute::required(Type::String))
}

pub fn mutual_authentication_schema() -> Schema {
    Schema::new()
        .attr("advertise_trust_store_ca_names", Attribute::optional_computed(Type::String))
        .attr("ignore_client_certificate_expiry", Attribute::optional(Type::Bool))
        .attr("mode", Attribute::required(Type::String))
        .attr("trust_store_arn", Attribute::optional(Type::String))
}

/// The computed arguments of the authentication blocks (kept from before when left out).
pub const COMPUTED: &[&str] = &["on_unauthenticated_request", "scope", "session_cookie_name", "session_timeout"];

fn extra_params(v: &Value) -> Option<HashMap<String, String>> {
    let m = val::string_map(v, "authentication_request_extra_params");
    (!m.is_empty()).then(|| m.into_iter().collect())
}

fn timeout(v: &Value) -> Option<i64> {
    val::int(v, "session_timeout").filter(|n| *n != 0)
}

pub fn expand_cognito(v: &Value) -> AuthenticateCognitoActionConfig {
    AuthenticateCognitoActionConfig::builder()
        .set_user_pool_arn(val::string(v, "user_pool_arn"))
        .set_user_pool_client_id(val::string(v, "user_pool_client_id"))
        .set_user_pool_domain(val::string(v, "user_pool_domain"))
        .set_authentication_request_extra_params(extra_params(v))
        .set_on_unauthenticated_request(
            val::nonempty(v, "on_unauthenticated_request")
                .map(|s| AuthenticateCognitoActionConditionalBehaviorEnum::from(s.to_lowercase().as_str())),
        )
        .set_scope(val::nonempty(v, "scope"))
        .set_session_cookie_name(val::nonempty(v, "session_cookie_name"))
        .set_session_timeout(timeout(v))
        .build()
}

pub fn expand_oidc(v: &Value) -> AuthenticateOidcActionConfig {
    AuthenticateOidcActionConfig::builder()
        .set_authorization_endpoint(val::string(v, "authorization_endpoint"))
        .set_client_id(val::string(v, "client_id"))
        .set_client_secret(val::string(v, "client_secret"))
        .set_issuer(val::string(v, "issuer"))
        .set_token_endpoint(val::string(v, "token_endpoint"))
        .set_user_info_endpoint(val::string(v, "user_info_endpoint"))
        .set_authentication_request_extra_params(extra_params(v))
        .set_on_unauthenticated_request(
            val::nonempty(v, "on_unauthenticated_request")
                .map(|s| AuthenticateOidcActionConditionalBehaviorEnum::from(s.to_lowercase().as_str())),
        )
        .set_scope(val::nonempty(v, "scope"))
        .set_session_cookie_name(val::nonempty(v, "session_cookie_name"))
        .set_session_timeout(timeout(v))
        .build()
}

fn params_value(m: Option<&HashMap<String, String>>) -> Value {
    match m.filter(|m| !m.is_empty()) {
        Some(m) => val::str_map(&m.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<BTreeMap<_, _>>()),
        None => Value::null(Type::map(Type::String)),
    }
}

fn s(x: Option<&str>) -> Value {
    Value::from(x.unwrap_or_default())
}

pub fn cognito_value(c: &AuthenticateCognitoActionConfig) -> Value {
    Value::object([
        ("authentication_request_extra_params", params_value(c.authentication_request_extra_params())),
        ("on_unauthenticated_request", s(c.on_unauthenticated_request().map(|e| e.as_str()))),
        ("scope", s(c.scope())),
        ("session_cookie_name", s(c.session_cookie_name())),
        ("session_timeout", Value::from(c.session_timeout().unwrap_or(0))),
        ("user_pool_arn", s(c.user_pool_arn())),
        ("user_pool_client_id", s(c.user_pool_client_id())),
        ("user_pool_domain", s(c.user_pool_domain())),
    ])
}

/// The OIDC block read back; `prior` (the block before) gives the client secret.
pub fn oidc_value(c: &AuthenticateOidcActionConfig, prior: Option<&Value>) -> Value {
    let secret = c
        .client_secret()
        .map(Value::from)
        .or_else(|| prior.and_then(|p| p.get_attr("client_secret")).filter(|v| v.is_wholly_known()).cloned())
        .unwrap_or_else(|| Value::null(Type::String));
    Value::object([
        ("authentication_request_extra_params", params_value(c.authentication_request_extra_params())),
        ("authorization_endpoint", s(c.authorization_endpoint())),
        ("client_id", s(c.client_id())),
        ("client_secret", secret),
        ("issuer", s(c.issuer())),
        ("on_unauthenticated_request", s(c.on_unauthenticated_request().map(|e| e.as_str()))),
        ("scope", s(c.scope())),
        ("session_cookie_name", s(c.session_cookie_name())),
        ("session_timeout", Value::from(c.session_timeout().unwrap_or(0))),
        ("token_endpoint", s(c.token_endpoint())),
        ("user_info_endpoint", s(c.user_info_endpoint())),
    ])
}

/// The `mutual_authentication` block as the API takes it: the mode alone for "off" and
/// "passthrough"; for "verify" the trust store and its options.
pub fn expand_mutual(v: &Value) -> MutualAuthenticationAttributes {
    let mode = val::string(v, "mode").unwrap_or_default();
    let b = MutualAuthenticationAttributes::builder().mode(&mode);
    if mode != "verify" {
        return b.build();
    }
    b.set_trust_store_arn(val::string(v, "trust_store_arn"))
        .set_ignore_client_certificate_expiry(Some(
            val::boolean(v, "ignore_client_certificate_expiry").unwrap_or(false),
        ))
        .set_advertise_trust_store_ca_names(
            val::nonempty(v, "advertise_trust_store_ca_names")
                .map(|s| AdvertiseTrustStoreCaNamesEnum::from(s.as_str())),
        )
        .build()
}

/// The block read back (none when AWS reports none; the caller decides what that means).
pub fn mutual_value(m: &MutualAuthenticationAttributes) -> Value {
    let mode = m.mode().unwrap_or_default();
    let verify = mode == "verify";
    Value::object([
        (
            "advertise_trust_store_ca_names",
            val::opt_str(m.advertise_trust_store_ca_names().map(|e| e.as_str()).filter(|_| verify)),
        ),
        (
            "ignore_client_certificate_expiry",
            if verify {
                Value::Bool(m.ignore_client_certificate_expiry().unwrap_or(false))
            } else {
                Value::null(Type::Bool)
            },
        ),
        ("mode", Value::from(mode)),
        ("trust_store_arn", val::opt_str(m.trust_store_arn().filter(|_| verify))),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oidc_keeps_its_secret_and_sends_only_what_is_set() {
        let block = Value::object([
            ("client_id", Value::from("id")),
            ("client_secret", Value::from("secret")),
            ("issuer", Value::from("https://example.com")),
            ("scope", Value::from("")),
            ("session_timeout", Value::from(0i64)),
        ]);
        let api = expand_oidc(&block);
        assert_eq!(api.client_secret(), Some("secret"));
        assert_eq!(api.scope(), None);
        assert_eq!(api.session_timeout(), None);
        let returned = AuthenticateOidcActionConfig::builder().client_id("id").build();
        let back = oidc_value(&returned, Some(&block));
        assert_eq!(back.get_attr("client_secret"), Some(&Value::from("secret")));
        assert_eq!(back.get_attr("scope"), Some(&Value::from("")));
    }

    #[test]
    fn mutual_authentication_off_is_the_mode_alone() {
        let off = Value::object([("mode", Value::from("off")), ("trust_store_arn", Value::from("arn:ts"))]);
        assert_eq!(expand_mutual(&off).trust_store_arn(), None);
        let verify = Value::object([("mode", Value::from("verify")), ("trust_store_arn", Value::from("arn:ts"))]);
        let api = expand_mutual(&verify);
        assert_eq!(api.trust_store_arn(), Some("arn:ts"));
        assert_eq!(api.ignore_client_certificate_expiry(), Some(false));
        assert_eq!(mutual_value(&api).get_attr("trust_store_arn"), Some(&Value::from("arn:ts")));
    }
}
