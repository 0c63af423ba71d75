//! `aws_lb_listener`: a port of the load balancer and what it does with requests
//! (`default_action`: forward to target groups, redirect, or a fixed response).

use super::lb_listener_attributes::{ListenerAttributes, effective_protocol};
use super::lb_listener_auth::{self as auth, Cognito, MutualAuthentication, Oidc};
use crate::describe::{all_failed, describe_by_arn, split_err};
use crate::elbv2::{PAGE, attribute_map, describe_tags, elb_tags, update_tags};
use crate::errors::{code, is_not_found, sdk_error};
use crate::model::{CreateUpdateTimeouts, Op, Tags, known_parts, limit};
use crate::plan::keep_computed;
use crate::resource::{Ctx, ResourceType, Result, invalid};
use crate::val;
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Certificate, FixedResponseActionConfig, ForwardActionConfig, Listener, ListenerAttribute,
    ProtocolEnum, RedirectActionConfig, RedirectActionStatusCodeEnum, TargetGroupStickinessConfig, TargetGroupTuple,
};
use futures::stream::{self, StreamExt};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::{PathStep, Value};

pub struct LbListener;

const ACTION_TYPES: &[&str] = &["forward", "redirect", "fixed-response", "authenticate-cognito", "authenticate-oidc"];
const CONTENT_TYPES: &[&str] = &["text/plain", "text/css", "text/html", "application/javascript", "application/json"];

/// An `aws_lb_listener` object.
#[derive(Model, Clone, Debug, Default)]
struct ListenerObject {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(required, force_new)]
    load_balancer_arn: String,
    #[model(optional)]
    port: Option<i64>,
    #[model(optional, computed)]
    protocol: Option<String>,
    #[model(optional, computed)]
    ssl_policy: Option<String>,
    #[model(optional)]
    certificate_arn: Option<String>,
    #[model(optional)]
    alpn_policy: Option<String>,
    #[model(block, min = 1)]
    default_action: Vec<DefaultAction>,
    #[model(block, max = 1)]
    mutual_authentication: Option<MutualAuthentication>,
    #[model(flatten)]
    attributes: ListenerAttributes,
    #[model(flatten)]
    tags: Tags,
    #[model(block = "single")]
    timeouts: Option<CreateUpdateTimeouts>,
}

/// A `default_action` block.
#[derive(Model, Clone, Debug, Default, PartialEq)]
struct DefaultAction {
    #[model(required, name = "type")]
    kind: String,
    #[model(optional, computed)]
    order: Option<i64>,
    #[model(optional)]
    target_group_arn: Option<String>,
    #[model(block, max = 1)]
    forward: Option<Forward>,
    #[model(block, max = 1)]
    redirect: Option<Redirect>,
    #[model(block, max = 1)]
    fixed_response: Option<FixedResponse>,
    #[model(block, max = 1)]
    authenticate_cognito: Option<Cognito>,
    #[model(block, max = 1)]
    authenticate_oidc: Option<Oidc>,
}

/// `default_action.forward`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
struct Forward {
    #[model(block = "set", min = 1, max = 5)]
    target_group: Vec<WeightedTargetGroup>,
    #[model(block, max = 1)]
    stickiness: Option<ForwardStickiness>,
}

#[derive(Model, Clone, Debug, Default, PartialEq)]
struct WeightedTargetGroup {
    #[model(required)]
    arn: String,
    #[model(optional, default = 1i64)]
    weight: i64,
}

/// Its duration an `Option`: read back null where AWS returns none.
#[derive(Model, Clone, Debug, Default, PartialEq)]
struct ForwardStickiness {
    #[model(required)]
    duration: Option<i64>,
    #[model(optional, default = false)]
    enabled: bool,
}

/// `default_action.redirect`: what a read sets is what AWS returns (null where none), so its
/// defaulted arguments and status code are `Option`s.
#[derive(Model, Clone, Debug, Default, PartialEq)]
struct Redirect {
    #[model(optional, default = "#{host}")]
    host: Option<String>,
    #[model(optional, default = "/#{path}")]
    path: Option<String>,
    #[model(optional, default = "#{port}")]
    port: Option<String>,
    #[model(optional, default = "#{protocol}")]
    protocol: Option<String>,
    #[model(optional, default = "#{query}")]
    query: Option<String>,
    #[model(required)]
    status_code: Option<String>,
}

/// `default_action.fixed_response` (its content type read back null where AWS returns none).
#[derive(Model, Clone, Debug, Default, PartialEq)]
struct FixedResponse {
    #[model(required)]
    content_type: Option<String>,
    #[model(optional)]
    message_body: Option<String>,
    #[model(optional, computed)]
    status_code: Option<String>,
}

/// Whether an attribute or block is set (unknown counts: it will be).
fn is_set(v: &Value, k: &str) -> bool {
    v.get_attr(k).is_some_and(|x| x.is_unknown() || (!x.is_null() && x.as_seq().is_none_or(|s| !s.is_empty())))
}

/// The API's actions for the `default_action` blocks (orders 1, 2, ... unless set).
fn expand_actions(actions: &[DefaultAction]) -> Vec<Action> {
    actions
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let kind = a.kind.as_str();
            let order = a.order.filter(|o| *o != 0).unwrap_or(i as i64 + 1) as i32;
            let mut b = Action::builder().r#type(ActionTypeEnum::from(kind)).order(order);
            match kind {
                "forward" => {
                    if let Some(arn) = &a.target_group_arn {
                        b = b.target_group_arn(arn);
                    } else if let Some(f) = &a.forward {
                        let groups = f
                            .target_group
                            .iter()
                            .map(|g| {
                                TargetGroupTuple::builder().target_group_arn(&g.arn).weight(g.weight as i32).build()
                            })
                            .collect();
                        let stickiness = f.stickiness.as_ref().map(|s| {
                            TargetGroupStickinessConfig::builder()
                                .enabled(s.enabled)
                                .set_duration_seconds(s.duration.map(|d| d as i32))
                                .build()
                        });
                        b = b.forward_config(
                            ForwardActionConfig::builder()
                                .set_target_groups(Some(groups))
                                .set_target_group_stickiness_config(stickiness)
                                .build(),
                        );
                    }
                }
                "redirect" => {
                    if let Some(r) = &a.redirect {
                        b = b.redirect_config(
                            RedirectActionConfig::builder()
                                .set_host(r.host.clone())
                                .set_path(r.path.clone())
                                .set_port(r.port.clone())
                                .set_protocol(r.protocol.clone())
                                .set_query(r.query.clone())
                                .set_status_code(r.status_code.as_deref().map(RedirectActionStatusCodeEnum::from))
                                .build(),
                        );
                    }
                }
                "fixed-response" => {
                    if let Some(f) = &a.fixed_response {
                        b = b.fixed_response_config(
                            FixedResponseActionConfig::builder()
                                .set_content_type(f.content_type.clone())
                                .set_message_body(f.message_body.clone().filter(|m| !m.is_empty()))
                                .set_status_code(f.status_code.clone())
                                .build(),
                        );
                    }
                }
                "authenticate-cognito" => {
                    b = b.set_authenticate_cognito_config(a.authenticate_cognito.as_ref().map(auth::expand_cognito));
                }
                "authenticate-oidc" => {
                    b = b.set_authenticate_oidc_config(a.authenticate_oidc.as_ref().map(auth::expand_oidc));
                }
                _ => {}
            }
            b.build()
        })
        .collect()
}

fn forward_value(f: &ForwardActionConfig, prior: Option<&DefaultAction>) -> Forward {
    let target_group = f
        .target_groups()
        .iter()
        .map(|g| WeightedTargetGroup {
            arn: g.target_group_arn().unwrap_or_default().to_string(),
            weight: i64::from(g.weight().unwrap_or(1)),
        })
        .collect();
    let prior_stickiness = prior.and_then(|p| p.forward.as_ref()).is_some_and(|pf| pf.stickiness.is_some());
    // AWS reports disabled stickiness even when none was asked for (Terraform suppresses it).
    let stickiness = match f.target_group_stickiness_config() {
        Some(s) if s.enabled() == Some(true) || prior_stickiness => Some(ForwardStickiness {
            duration: s.duration_seconds().map(i64::from),
            enabled: s.enabled().unwrap_or(false),
        }),
        _ => None,
    };
    Forward { target_group, stickiness }
}

fn action_value(a: &Action, i: usize, prior: Option<&DefaultAction>) -> DefaultAction {
    let kind = a.r#type().map(|t| t.as_str().to_string()).unwrap_or_default();
    let text = |s: Option<&str>| s.map(str::to_string);
    let mut out =
        DefaultAction { order: Some(i64::from(a.order().unwrap_or(i as i32 + 1))), ..DefaultAction::default() };
    match kind.as_str() {
        "forward" => {
            // As configured: a `forward` block, or a single `target_group_arn`.
            let prior_forward = prior.is_some_and(|p| p.forward.is_some());
            let single = a.target_group_arn().map(str::to_string).or_else(|| {
                match a.forward_config().map(|f| f.target_groups()) {
                    Some([one]) => one.target_group_arn().map(str::to_string),
                    _ => None,
                }
            });
            match (prior_forward, a.forward_config(), single) {
                (true, Some(f), _) | (false, Some(f), None) => out.forward = Some(forward_value(f, prior)),
                (true, None, Some(arn)) => {
                    out.forward =
                        Some(Forward { target_group: vec![WeightedTargetGroup { arn, weight: 1 }], stickiness: None })
                }
                (_, _, Some(arn)) => out.target_group_arn = Some(arn),
                _ => {}
            }
        }
        "redirect" => {
            out.redirect = a.redirect_config().map(|r| Redirect {
                host: text(r.host()),
                path: text(r.path()),
                port: text(r.port()),
                protocol: text(r.protocol()),
                query: text(r.query()),
                status_code: text(r.status_code().map(|s| s.as_str())),
            });
        }
        "fixed-response" => {
            out.fixed_response = a.fixed_response_config().map(|f| FixedResponse {
                content_type: text(f.content_type()),
                message_body: text(f.message_body().filter(|m| !m.is_empty())),
                status_code: text(f.status_code()),
            });
        }
        _ => {}
    }
    out.authenticate_cognito =
        a.authenticate_cognito_config().filter(|_| kind == "authenticate-cognito").map(auth::cognito_value);
    out.authenticate_oidc = a
        .authenticate_oidc_config()
        .filter(|_| kind == "authenticate-oidc")
        .map(|c| auth::oidc_value(c, prior.and_then(|p| p.authenticate_oidc.as_ref())));
    out.kind = kind;
    out
}

fn listener_value(
    c: &Ctx<'_>,
    l: &Listener,
    tags: &BTreeMap<String, String>,
    attrs: &HashMap<String, String>,
    cur: &ListenerObject,
) -> ListenerObject {
    let arn = l.listener_arn().unwrap_or_default();
    let mut actions = l.default_actions().to_vec();
    actions.sort_by_key(|a| a.order().unwrap_or(0));
    let default_action =
        actions.iter().enumerate().map(|(i, a)| action_value(a, i, cur.default_action.get(i))).collect();
    let one = |items: &[String]| if let [x] = items { Some(x.clone()) } else { None };
    let certs: Vec<String> = l.certificates().iter().filter_map(|c| c.certificate_arn().map(str::to_string)).collect();
    ListenerObject {
        id: Some(arn.to_string()),
        arn: Some(arn.to_string()),
        load_balancer_arn: l.load_balancer_arn().unwrap_or_default().to_string(),
        port: l.port().map(i64::from),
        protocol: l.protocol().map(|p| p.as_str().to_string()),
        ssl_policy: l.ssl_policy().map(str::to_string),
        certificate_arn: one(&certs),
        alpn_policy: one(l.alpn_policy()),
        default_action,
        // AWS reports no mutual authentication for listeners that are not HTTPS (and moto
        // keeps none): the block configured stays as it was.
        mutual_authentication: match l.mutual_authentication() {
            Some(m) => Some(auth::mutual_value(m)),
            None => cur.mutual_authentication.clone(),
        },
        attributes: ListenerAttributes::read(attrs, &cur.attributes),
        tags: cur.tags.read_back(c, tags),
        timeouts: cur.timeouts.clone(),
    }
}

async fn listener_attributes(c: &Ctx<'_>, arn: &str) -> Result<HashMap<String, String>> {
    let out = c
        .clients
        .elbv2
        .describe_listener_attributes()
        .listener_arn(arn)
        .send()
        .await
        .map_err(|e| sdk_error(&format!("reading the attributes of listener {arn}"), e))?;
    Ok(attribute_map(out.attributes().iter().map(|a| (a.key(), a.value()))))
}

async fn set_attributes(c: &Ctx<'_>, arn: &str, attrs: Vec<(String, String)>) -> Result<()> {
    if attrs.is_empty() {
        return Ok(());
    }
    let attrs = attrs.into_iter().map(|(k, v)| ListenerAttribute::builder().key(k).value(v).build()).collect();
    c.clients
        .elbv2
        .modify_listener_attributes()
        .listener_arn(arn)
        .set_attributes(Some(attrs))
        .send()
        .await
        .map_err(|e| sdk_error(&format!("setting the attributes of listener {arn}"), e))?;
    Ok(())
}

/// Listeners on an application load balancer default to HTTP.
fn protocol_of(planned: &ListenerObject) -> Option<String> {
    planned
        .protocol
        .clone()
        .or_else(|| planned.load_balancer_arn.contains(":loadbalancer/app/").then(|| "HTTP".to_string()))
}

fn takes_tls(protocol: Option<&str>) -> bool {
    matches!(protocol, Some("HTTPS" | "TLS"))
}

impl LbListener {
    async fn read_one(&self, c: &Ctx<'_>, arn: &str, like: &ListenerObject) -> Result<Value> {
        let stub = ListenerObject { id: Some(arn.to_string()), ..like.clone() }.to_value();
        wait_for(&format!("listener {arn} to be readable"), Duration::from_secs(2 * 60), || async {
            Ok(match self.read_many(c, std::slice::from_ref(&stub)).await.pop().unwrap_or(Ok(None))? {
                Some(v) => Poll::Done(v),
                None => Poll::Pending("not found yet".into()),
            })
        })
        .await
    }
}

fn validate_action(a: &Value, i: usize, out: &mut Vec<Diagnostic>) {
    let at = format!("default_action[{i}]");
    let Some(kind) = val::string(a, "type") else { return };
    if !ACTION_TYPES.contains(&kind.as_str()) {
        out.push(invalid(
            "Invalid default_action type",
            format!("{at}.type must be one of {}; got {kind:?}.", ACTION_TYPES.join(", ")),
        ));
        return;
    }
    match kind.as_str() {
        "forward" if !is_set(a, "target_group_arn") && !is_set(a, "forward") => out.push(invalid(
            "Invalid default_action",
            format!("{at}: for actions of type \"forward\", set \"target_group_arn\" or a \"forward\" block."),
        )),
        "redirect" if !is_set(a, "redirect") => out.push(invalid(
            "Invalid default_action",
            format!("{at}: for actions of type \"redirect\", set a \"redirect\" block."),
        )),
        "authenticate-cognito" if !is_set(a, "authenticate_cognito") => out.push(invalid(
            "Invalid default_action",
            format!("{at}: for actions of type \"authenticate-cognito\", set an \"authenticate_cognito\" block."),
        )),
        "authenticate-oidc" if !is_set(a, "authenticate_oidc") => out.push(invalid(
            "Invalid default_action",
            format!("{at}: for actions of type \"authenticate-oidc\", set an \"authenticate_oidc\" block."),
        )),
        "fixed-response" if !is_set(a, "fixed_response") => out.push(invalid(
            "Invalid default_action",
            format!("{at}: for actions of type \"fixed-response\", set a \"fixed_response\" block."),
        )),
        _ => {}
    }
    // The blocks, read leniently: what is not known yet is not checked.
    let Ok(action) = DefaultAction::from_stub(&known_parts(a)) else { return };
    if let Some(r) = &action.redirect {
        if let Some(s) = r.status_code.as_ref().filter(|s| *s != "HTTP_301" && *s != "HTTP_302") {
            out.push(invalid(
                "Invalid redirect status_code",
                format!("{at}.redirect.status_code must be HTTP_301 or HTTP_302, got {s:?}."),
            ));
        }
        if let Some(p) = r.protocol.as_ref().filter(|p| !["#{protocol}", "HTTP", "HTTPS"].contains(&p.as_str())) {
            out.push(invalid(
                "Invalid redirect protocol",
                format!("{at}.redirect.protocol must be #{{protocol}}, HTTP or HTTPS, got {p:?}."),
            ));
        }
    }
    let on_unauthenticated = [
        ("authenticate_cognito", action.authenticate_cognito.map(|c| c.common)),
        ("authenticate_oidc", action.authenticate_oidc.map(|o| o.common)),
    ];
    for (block, common) in on_unauthenticated {
        if let Some(v) = common.and_then(|c| c.on_unauthenticated_request)
            && !["deny", "allow", "authenticate"].contains(&v.to_lowercase().as_str())
        {
            out.push(invalid(
                "Invalid on_unauthenticated_request",
                format!("{at}.{block}.on_unauthenticated_request must be deny, allow or authenticate, got {v:?}."),
            ));
        }
    }
    if let Some(f) = &action.fixed_response {
        if let Some(t) = f.content_type.as_ref().filter(|t| !CONTENT_TYPES.contains(&t.as_str())) {
            out.push(invalid(
                "Invalid fixed_response content_type",
                format!("{at}.fixed_response.content_type must be one of {}; got {t:?}.", CONTENT_TYPES.join(", ")),
            ));
        }
        if let Some(s) = f
            .status_code
            .as_ref()
            .filter(|s| !(s.len() == 3 && s.starts_with(['2', '4', '5']) && s.bytes().all(|b| b.is_ascii_digit())))
        {
            out.push(invalid(
                "Invalid fixed_response status_code",
                format!("{at}.fixed_response.status_code must be a 2XX, 4XX or 5XX code, got {s:?}."),
            ));
        }
    }
}

#[async_trait]
impl ResourceType for LbListener {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::Elbv2)
    }

    fn name(&self) -> &'static str {
        "aws_lb_listener"
    }

    fn schema(&self) -> Schema {
        ListenerObject::schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        // Read leniently, with what is not known yet null: it is not checked.
        let cfg = match ListenerObject::from_stub(&known_parts(config)) {
            Ok(c) => c,
            Err(e) => return vec![invalid("Invalid configuration", e.to_string())],
        };
        if let Some(p) = cfg.port.filter(|p| !(1..=65535).contains(p)) {
            out.push(invalid("Invalid port", format!("port must be between 1 and 65535, got {p}.")));
        }
        if let Some(p) = cfg.protocol.as_ref().filter(|p| !ProtocolEnum::values().contains(&p.to_uppercase().as_str()))
        {
            out.push(invalid(
                "Invalid protocol",
                format!("protocol must be one of {}; got {p:?}.", ProtocolEnum::values().join(", ")),
            ));
        }
        // Each action as configured (a raw value: whether a block is set counts one not known yet).
        for (i, a) in val::blocks(config, "default_action").iter().enumerate() {
            validate_action(a, i, &mut out);
        }
        let one_of = |k: &str, v: Option<&String>, allowed: &[&str], out: &mut Vec<Diagnostic>| {
            if let Some(v) = v.filter(|v| !allowed.iter().any(|a| a.eq_ignore_ascii_case(v))) {
                out.push(invalid(
                    &format!("Invalid {k}"),
                    format!("{k} must be one of {}; got {v:?}.", allowed.join(", ")),
                ));
            }
        };
        one_of(
            "alpn_policy",
            cfg.alpn_policy.as_ref(),
            &["HTTP1Only", "HTTP2Only", "HTTP2Optional", "HTTP2Preferred", "None"],
            &mut out,
        );
        if let Some(m) = &cfg.mutual_authentication {
            // A mode not known yet reads as empty: not checked.
            let mode = Some(&m.mode).filter(|m| !m.is_empty());
            one_of("mutual_authentication.mode", mode, &["off", "passthrough", "verify"], &mut out);
            one_of(
                "mutual_authentication.advertise_trust_store_ca_names",
                m.advertise_trust_store_ca_names.as_ref(),
                &["on", "off"],
                &mut out,
            );
        }
        if let Some(n) = cfg.attributes.tcp_idle_timeout_seconds.filter(|n| !(60..=6000).contains(n)) {
            out.push(invalid(
                "Invalid tcp_idle_timeout_seconds",
                format!("tcp_idle_timeout_seconds must be between 60 and 6000, got {n}."),
            ));
        }
        out
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        keep_computed(prior, config, plan, &["protocol", "ssl_policy"]);
        // Terraform stores the protocol upper-cased.
        if let Some(p) = plan.planned.get_attr("protocol").and_then(Value::as_str).map(str::to_uppercase) {
            plan.planned.set_at_path(&[PathStep::Attr("protocol".into())], Value::from(p));
        }
        // Computed values inside the actions keep their prior value (null or not).
        let Some(prior) = prior.filter(|p| !p.is_null() && plan.requires_replace.is_empty()) else { return };
        // Left out, mutual authentication is whatever AWS has.
        if !val::block_configured(config, "mutual_authentication") {
            plan.planned.set_at_path(
                &[PathStep::Attr("mutual_authentication".into())],
                prior.get_attr("mutual_authentication").cloned().unwrap_or(Value::NULL),
            );
        }
        let before = val::blocks(prior, "default_action");
        for (i, a) in val::blocks(config, "default_action").iter().enumerate() {
            let Some(p) = before.get(i) else { continue };
            let action = |rest: Vec<PathStep>| {
                [vec![PathStep::Attr("default_action".into()), PathStep::Index(i)], rest].concat()
            };
            if a.get_attr("order").is_none_or(Value::is_null) {
                plan.planned.set_at_path(
                    &action(vec![PathStep::Attr("order".into())]),
                    p.get_attr("order").cloned().unwrap_or(Value::NULL),
                );
            }
            for block in ["authenticate_cognito", "authenticate_oidc"] {
                let (Some(cb), Some(pb)) = (val::block(a, block), val::block(p, block)) else { continue };
                for k in auth::COMPUTED {
                    if cb.get_attr(k).is_none_or(Value::is_null) {
                        plan.planned.set_at_path(
                            &action(vec![
                                PathStep::Attr(block.into()),
                                PathStep::Index(0),
                                PathStep::Attr((*k).into()),
                            ]),
                            pb.get_attr(k).cloned().unwrap_or(Value::NULL),
                        );
                    }
                }
            }
            if let (Some(cf), Some(pf)) = (val::block(a, "fixed_response"), val::block(p, "fixed_response"))
                && cf.get_attr("status_code").is_none_or(Value::is_null)
            {
                plan.planned.set_at_path(
                    &action(vec![
                        PathStep::Attr("fixed_response".into()),
                        PathStep::Index(0),
                        PathStep::Attr("status_code".into()),
                    ]),
                    pf.get_attr("status_code").cloned().unwrap_or(Value::NULL),
                );
            }
        }
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = ListenerObject::from_value(planned)?;
        let lb_arn = planned.load_balancer_arn.as_str();
        let protocol = protocol_of(&planned);
        let actions = expand_actions(&planned.default_action);
        // A certificate just issued may not be visible to ELB yet.
        let limit = limit(&planned.timeouts, Op::Create, Duration::from_secs(5 * 60));
        let out = wait_for(&format!("listener on {lb_arn} to be created"), limit, || async {
            let req = c
                .clients
                .elbv2
                .create_listener()
                .load_balancer_arn(lb_arn)
                .set_port(planned.port.map(|p| p as i32))
                .set_protocol(protocol.as_deref().map(ProtocolEnum::from))
                .set_ssl_policy(planned.ssl_policy.clone())
                .set_certificates(
                    planned.certificate_arn.as_ref().map(|a| vec![Certificate::builder().certificate_arn(a).build()]),
                )
                .set_alpn_policy(planned.alpn_policy.clone().map(|a| vec![a]))
                .set_mutual_authentication(planned.mutual_authentication.as_ref().map(auth::expand_mutual))
                .set_default_actions(Some(actions.clone()))
                .set_tags(elb_tags(&planned.tags.at_create(c)));
            match req.send().await {
                Ok(out) => Ok(Poll::Done(out)),
                Err(e) if code(&e) == Some("CertificateNotFound") => {
                    Ok(Poll::Pending(crate::errors::describe("certificate not found", &e)))
                }
                Err(e) => Err(sdk_error(&format!("creating listener on {lb_arn}"), e)),
            }
        })
        .await?;
        let arn = out
            .listeners()
            .first()
            .and_then(|l| l.listener_arn())
            .ok_or_else(|| ProviderError::new("creating listener: no ARN in the response"))?
            .to_string();
        let partial = || {
            ListenerObject {
                id: Some(arn.clone()),
                arn: Some(arn.clone()),
                load_balancer_arn: lb_arn.to_string(),
                ..ListenerObject::default()
            }
            .to_value()
        };
        let protocol = effective_protocol(protocol.as_deref(), lb_arn);
        set_attributes(c, &arn, planned.attributes.to_send(None, &protocol))
            .await
            .map_err(|e| e.with_partial_state(partial()))?;
        self.read_one(c, &arn, &planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by the token tag CreateListener gave it, among the listeners of its load
    /// balancer (a listener has no name; its port is unique on the load balancer, but an
    /// existing listener on that port may be another's).
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let Some(token) = c.token else { return Ok(None) };
        let planned = ListenerObject::from_stub(planned)?;
        let lb_arn = &planned.load_balancer_arn;
        if lb_arn.is_empty() {
            return Ok(None);
        }
        let out = match c.clients.elbv2.describe_listeners().load_balancer_arn(lb_arn).send().await {
            Ok(o) => o,
            Err(e) if is_not_found(&e) => return Ok(None),
            Err(e) => return Err(sdk_error(&format!("listing the listeners of {lb_arn}"), e)),
        };
        let arns: Vec<String> = out.listeners().iter().filter_map(|l| l.listener_arn()).map(str::to_string).collect();
        let tags = describe_tags(c, &arns).await?;
        let found = arns
            .into_iter()
            .find(|a| tags.get(a).and_then(|t| t.get(crate::tags::TOKEN_TAG)).is_some_and(|t| t == token));
        match found {
            Some(arn) => Ok(Some(self.read_one(c, &arn, &planned).await?)),
            None => Ok(None),
        }
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let arns: Vec<String> = current.iter().map(val::id).filter(|a| !a.is_empty()).collect();
        let listeners = describe_by_arn(&arns, PAGE, |page| async move {
            c.clients
                .elbv2
                .describe_listeners()
                .set_listener_arns(Some(page))
                .send()
                .await
                .map(|o| o.listeners().to_vec())
                .map_err(|e| split_err("reading listeners", e))
        })
        .await;
        let found: HashMap<String, Listener> = match listeners {
            Ok(l) => l.into_iter().filter_map(|l| Some((l.listener_arn()?.to_string(), l))).collect(),
            Err(e) => return all_failed(current.len(), &e),
        };
        let found_arns: Vec<String> = found.keys().cloned().collect();
        let tags = match describe_tags(c, &found_arns).await {
            Ok(t) => t,
            Err(e) => return all_failed(current.len(), &e),
        };
        // One DescribeListenerAttributes per listener (the API takes one ARN).
        let attrs: HashMap<String, Result<HashMap<String, String>>> = stream::iter(found_arns.clone())
            .map(|arn| async move { (arn.clone(), listener_attributes(c, &arn).await) })
            .buffered(8)
            .collect()
            .await;
        current
            .iter()
            .map(|cur| {
                let cur = ListenerObject::from_stub(cur)?;
                let arn = cur.id.clone().unwrap_or_default();
                let Some(l) = found.get(&arn) else { return Ok(None) };
                let attrs = attrs.get(&arn).cloned().unwrap_or_else(|| Ok(HashMap::new()))?;
                Ok(Some(listener_value(c, l, tags.get(&arn).unwrap_or(&BTreeMap::new()), &attrs, &cur).to_value()))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (ListenerObject::from_stub(prior)?, ListenerObject::from_value(planned)?);
        let arn = prior.id.clone().unwrap_or_default();
        let actions_changed = prior.default_action != planned.default_action;
        let mutual_changed = prior.mutual_authentication != planned.mutual_authentication;
        if prior.port != planned.port
            || prior.protocol != planned.protocol
            || prior.ssl_policy != planned.ssl_policy
            || prior.certificate_arn != planned.certificate_arn
            || prior.alpn_policy != planned.alpn_policy
            || actions_changed
            || mutual_changed
        {
            let protocol = protocol_of(&planned);
            let tls = takes_tls(protocol.as_deref());
            let mut req = c
                .clients
                .elbv2
                .modify_listener()
                .listener_arn(&arn)
                .set_port(planned.port.map(|p| p as i32))
                .set_protocol(protocol.as_deref().map(ProtocolEnum::from))
                .set_ssl_policy(planned.ssl_policy.clone().filter(|_| tls))
                .set_certificates(
                    planned.certificate_arn.as_ref().map(|a| vec![Certificate::builder().certificate_arn(a).build()]),
                )
                .set_alpn_policy(planned.alpn_policy.clone().map(|a| vec![a]));
            if actions_changed {
                req = req.set_default_actions(Some(expand_actions(&planned.default_action)));
            }
            if mutual_changed {
                req = req.set_mutual_authentication(planned.mutual_authentication.as_ref().map(auth::expand_mutual));
            }
            req.send().await.map_err(|e| sdk_error(&format!("modifying listener {arn}"), e))?;
        }
        let protocol = effective_protocol(protocol_of(&planned).as_deref(), &planned.load_balancer_arn);
        set_attributes(c, &arn, planned.attributes.to_send(Some(&prior.attributes), &protocol)).await?;
        update_tags(c, &arn, &prior.tags.wanted(), &planned.tags.wanted()).await?;
        self.read_one(c, &arn, &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let arn = ListenerObject::from_stub(prior)?.id.unwrap_or_default();
        match c.clients.elbv2.delete_listener().listener_arn(&arn).send().await {
            Ok(_) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(sdk_error(&format!("deleting listener {arn}"), e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_engine::model::Blocks;

    fn action(kind: &str, extra: Vec<(&str, Value)>) -> Value {
        let mut v = vec![("type", Value::from(kind))];
        v.extend(extra);
        Value::object(v)
    }

    #[test]
    fn actions_need_their_block() {
        let config = Value::object([(
            "default_action",
            Value::tuple(vec![
                action("forward", vec![]),
                action("forward", vec![("target_group_arn", Value::DYNAMIC)]),
                action(
                    "redirect",
                    vec![("redirect", Value::tuple(vec![Value::object([("status_code", Value::from("HTTP_307"))])]))],
                ),
                action("authenticate-oidc", vec![]),
            ]),
        )]);
        let out = LbListener.check(&config);
        assert_eq!(out.len(), 3, "{out:?}");
    }

    #[test]
    fn listener_arguments_are_checked() {
        let config = Value::object([
            ("tcp_idle_timeout_seconds", Value::from(30i64)),
            ("alpn_policy", Value::from("http2preferred")),
            ("mutual_authentication", Value::tuple(vec![Value::object([("mode", Value::from("strict"))])])),
        ]);
        let out = LbListener.check(&config);
        assert_eq!(out.len(), 2, "alpn_policy is matched without case: {out:?}");
    }

    #[test]
    fn actions_are_numbered_in_order() {
        let planned = Value::object([(
            "default_action",
            Value::tuple(vec![
                action(
                    "fixed-response",
                    vec![(
                        "fixed_response",
                        Value::tuple(vec![Value::object([
                            ("content_type", Value::from("text/plain")),
                            ("status_code", Value::from("404")),
                        ])]),
                    )],
                ),
                action("forward", vec![("target_group_arn", Value::from("arn:tg")), ("order", Value::DYNAMIC)]),
            ]),
        )]);
        let actions =
            expand_actions(&Vec::<DefaultAction>::from_blocks(planned.get_attr("default_action"), false).unwrap());
        assert_eq!(actions.iter().map(|a| a.order()).collect::<Vec<_>>(), vec![Some(1), Some(2)]);
        assert_eq!(actions[1].target_group_arn(), Some("arn:tg"));
        let back = action_value(&actions[1], 1, None);
        assert_eq!(back.target_group_arn.as_deref(), Some("arn:tg"));
        assert_eq!(back.order, Some(2));
    }
}
