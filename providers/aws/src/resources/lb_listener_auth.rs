//! `aws_lb_listener`'s authentication: the `authenticate_cognito` and `authenticate_oidc`
//! actions of `default_action`, and `mutual_authentication` (mTLS), as hashicorp/aws 5.100.0
//! sends and reads them. Optional values are sent when not empty; a read takes what AWS
//! returns (empty strings and 0 where it returns nothing, as Terraform records them), but the
//! OIDC `client_secret`, which AWS never returns, is kept from before.

use aws_sdk_elasticloadbalancingv2::types::{
    AdvertiseTrustStoreCaNamesEnum, AuthenticateCognitoActionConditionalBehaviorEnum, AuthenticateCognitoActionConfig,
    AuthenticateOidcActionConditionalBehaviorEnum, AuthenticateOidcActionConfig, MutualAuthenticationAttributes,
};
use std::collections::{BTreeMap, HashMap};
use terrane_engine::model::Model;

/// The arguments both authentication blocks have.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct AuthCommon {
    #[model(optional)]
    pub authentication_request_extra_params: Option<BTreeMap<String, String>>,
    #[model(optional, computed)]
    pub on_unauthenticated_request: Option<String>,
    #[model(optional, computed)]
    pub scope: Option<String>,
    #[model(optional, computed)]
    pub session_cookie_name: Option<String>,
    #[model(optional, computed)]
    pub session_timeout: Option<i64>,
}

/// `authenticate_cognito`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct Cognito {
    #[model(flatten)]
    pub common: AuthCommon,
    #[model(required)]
    pub user_pool_arn: String,
    #[model(required)]
    pub user_pool_client_id: String,
    #[model(required)]
    pub user_pool_domain: String,
}

/// `authenticate_oidc`. Its client secret is an `Option`: AWS never returns it, and a read
/// with none from before has none.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct Oidc {
    #[model(flatten)]
    pub common: AuthCommon,
    #[model(required)]
    pub authorization_endpoint: String,
    #[model(required)]
    pub client_id: String,
    #[model(required, sensitive)]
    pub client_secret: Option<String>,
    #[model(required)]
    pub issuer: String,
    #[model(required)]
    pub token_endpoint: String,
    #[model(required)]
    pub user_info_endpoint: String,
}

/// `mutual_authentication`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct MutualAuthentication {
    #[model(optional, computed)]
    pub advertise_trust_store_ca_names: Option<String>,
    #[model(optional)]
    pub ignore_client_certificate_expiry: Option<bool>,
    #[model(required)]
    pub mode: String,
    #[model(optional)]
    pub trust_store_arn: Option<String>,
}

/// The computed arguments of the authentication blocks (kept from before when left out).
pub const COMPUTED: &[&str] = &["on_unauthenticated_request", "scope", "session_cookie_name", "session_timeout"];

fn nonempty(s: &Option<String>) -> Option<String> {
    s.clone().filter(|s| !s.is_empty())
}

impl AuthCommon {
    fn extra_params(&self) -> Option<HashMap<String, String>> {
        let m = self.authentication_request_extra_params.clone().unwrap_or_default();
        (!m.is_empty()).then(|| m.into_iter().collect())
    }

    fn timeout(&self) -> Option<i64> {
        self.session_timeout.filter(|n| *n != 0)
    }

    /// As read (empty strings and 0 where AWS returns nothing).
    fn read(
        params: Option<&HashMap<String, String>>,
        on_unauthenticated_request: Option<&str>,
        scope: Option<&str>,
        session_cookie_name: Option<&str>,
        session_timeout: Option<i64>,
    ) -> AuthCommon {
        AuthCommon {
            authentication_request_extra_params: params
                .filter(|m| !m.is_empty())
                .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
            on_unauthenticated_request: Some(s(on_unauthenticated_request)),
            scope: Some(s(scope)),
            session_cookie_name: Some(s(session_cookie_name)),
            session_timeout: Some(session_timeout.unwrap_or(0)),
        }
    }
}

pub fn expand_cognito(v: &Cognito) -> AuthenticateCognitoActionConfig {
    let c = &v.common;
    AuthenticateCognitoActionConfig::builder()
        .user_pool_arn(&v.user_pool_arn)
        .user_pool_client_id(&v.user_pool_client_id)
        .user_pool_domain(&v.user_pool_domain)
        .set_authentication_request_extra_params(c.extra_params())
        .set_on_unauthenticated_request(
            nonempty(&c.on_unauthenticated_request)
                .map(|s| AuthenticateCognitoActionConditionalBehaviorEnum::from(s.to_lowercase().as_str())),
        )
        .set_scope(nonempty(&c.scope))
        .set_session_cookie_name(nonempty(&c.session_cookie_name))
        .set_session_timeout(c.timeout())
        .build()
}

pub fn expand_oidc(v: &Oidc) -> AuthenticateOidcActionConfig {
    let c = &v.common;
    AuthenticateOidcActionConfig::builder()
        .authorization_endpoint(&v.authorization_endpoint)
        .client_id(&v.client_id)
        .set_client_secret(v.client_secret.clone())
        .issuer(&v.issuer)
        .token_endpoint(&v.token_endpoint)
        .user_info_endpoint(&v.user_info_endpoint)
        .set_authentication_request_extra_params(c.extra_params())
        .set_on_unauthenticated_request(
            nonempty(&c.on_unauthenticated_request)
                .map(|s| AuthenticateOidcActionConditionalBehaviorEnum::from(s.to_lowercase().as_str())),
        )
        .set_scope(nonempty(&c.scope))
        .set_session_cookie_name(nonempty(&c.session_cookie_name))
        .set_session_timeout(c.timeout())
        .build()
}

fn s(x: Option<&str>) -> String {
    x.unwrap_or_default().to_string()
}

pub fn cognito_value(c: &AuthenticateCognitoActionConfig) -> Cognito {
    Cognito {
        common: AuthCommon::read(
            c.authentication_request_extra_params(),
            c.on_unauthenticated_request().map(|e| e.as_str()),
            c.scope(),
            c.session_cookie_name(),
            c.session_timeout(),
        ),
        user_pool_arn: s(c.user_pool_arn()),
        user_pool_client_id: s(c.user_pool_client_id()),
        user_pool_domain: s(c.user_pool_domain()),
    }
}

/// The OIDC block read back; `prior` (the block before) gives the client secret.
pub fn oidc_value(c: &AuthenticateOidcActionConfig, prior: Option<&Oidc>) -> Oidc {
    Oidc {
        common: AuthCommon::read(
            c.authentication_request_extra_params(),
            c.on_unauthenticated_request().map(|e| e.as_str()),
            c.scope(),
            c.session_cookie_name(),
            c.session_timeout(),
        ),
        authorization_endpoint: s(c.authorization_endpoint()),
        client_id: s(c.client_id()),
        client_secret: c.client_secret().map(str::to_string).or_else(|| prior.and_then(|p| p.client_secret.clone())),
        issuer: s(c.issuer()),
        token_endpoint: s(c.token_endpoint()),
        user_info_endpoint: s(c.user_info_endpoint()),
    }
}

/// The `mutual_authentication` block as the API takes it: the mode alone for "off" and
/// "passthrough"; for "verify" the trust store and its options.
pub fn expand_mutual(v: &MutualAuthentication) -> MutualAuthenticationAttributes {
    let b = MutualAuthenticationAttributes::builder().mode(&v.mode);
    if v.mode != "verify" {
        return b.build();
    }
    b.set_trust_store_arn(v.trust_store_arn.clone())
        .set_ignore_client_certificate_expiry(Some(v.ignore_client_certificate_expiry.unwrap_or(false)))
        .set_advertise_trust_store_ca_names(
            nonempty(&v.advertise_trust_store_ca_names).map(|s| AdvertiseTrustStoreCaNamesEnum::from(s.as_str())),
        )
        .build()
}

/// The block read back (none when AWS reports none; the caller decides what that means).
pub fn mutual_value(m: &MutualAuthenticationAttributes) -> MutualAuthentication {
    let mode = m.mode().unwrap_or_default();
    let verify = mode == "verify";
    MutualAuthentication {
        advertise_trust_store_ca_names: m
            .advertise_trust_store_ca_names()
            .map(|e| e.as_str().to_string())
            .filter(|_| verify),
        ignore_client_certificate_expiry: verify.then(|| m.ignore_client_certificate_expiry().unwrap_or(false)),
        mode: mode.to_string(),
        trust_store_arn: m.trust_store_arn().map(str::to_string).filter(|_| verify),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_engine::value::Value;

    #[test]
    fn oidc_keeps_its_secret_and_sends_only_what_is_set() {
        let block = Oidc::from_stub(&Value::object([
            ("client_id", Value::from("id")),
            ("client_secret", Value::from("secret")),
            ("issuer", Value::from("https://example.com")),
            ("scope", Value::from("")),
            ("session_timeout", Value::from(0i64)),
        ]))
        .unwrap();
        let api = expand_oidc(&block);
        assert_eq!(api.client_secret(), Some("secret"));
        assert_eq!(api.scope(), None);
        assert_eq!(api.session_timeout(), None);
        let returned = AuthenticateOidcActionConfig::builder().client_id("id").build();
        let back = oidc_value(&returned, Some(&block)).to_value();
        assert_eq!(back.get_attr("client_secret").map(Value::unmarked), Some(&Value::from("secret")));
        assert_eq!(back.get_attr("scope"), Some(&Value::from("")));
    }

    #[test]
    fn mutual_authentication_off_is_the_mode_alone() {
        let block = |v: Value| MutualAuthentication::from_value(&v).unwrap();
        let off = block(Value::object([("mode", Value::from("off")), ("trust_store_arn", Value::from("arn:ts"))]));
        assert_eq!(expand_mutual(&off).trust_store_arn(), None);
        let verify =
            block(Value::object([("mode", Value::from("verify")), ("trust_store_arn", Value::from("arn:ts"))]));
        let api = expand_mutual(&verify);
        assert_eq!(api.trust_store_arn(), Some("arn:ts"));
        assert_eq!(api.ignore_client_certificate_expiry(), Some(false));
        assert_eq!(mutual_value(&api).to_value().get_attr("trust_store_arn"), Some(&Value::from("arn:ts")));
    }
}
