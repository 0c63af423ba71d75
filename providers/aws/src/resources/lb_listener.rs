//! `aws_lb_listener`: a port of the load balancer and what it does with requests
//! (`default_action`: forward to target groups, redirect, or a fixed response).

use super::lb_listener_attributes as la;
use super::lb_listener_auth as auth;
use crate::describe::{all_failed, describe_by_arn, split_err};
use crate::elbv2::{PAGE, attribute_map, describe_tags, elb_tags, update_tags};
use crate::errors::{code, is_not_found, sdk_error};
use crate::plan::keep_computed;
use crate::resource::{Ctx, ResourceType, Result, invalid, with_tags};
use crate::val::{self, Obj};
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
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct LbListener;

const ACTION_TYPES: &[&str] = &["forward", "redirect", "fixed-response", "authenticate-cognito", "authenticate-oidc"];
const CONTENT_TYPES: &[&str] = &["text/plain", "text/css", "text/html", "application/javascript", "application/json"];

fn action_schema() -> Schema {
    let forward = Schema::new()
        .block(
            "target_group",
            NestedBlock::set(
                Schema::new()
                    .attr("arn", Attribute::required(Type::String))
                    .attr("weight", Attribute::optional(Type::Number).default(Value::from(1i64))),
            )
            .min(1)
            .max(5),
        )
        .block(
            "stickiness",
            NestedBlock::list(
                Schema::new()
                    .attr("duration", Attribute::required(Type::Number))
                    .attr("enabled", Attribute::optional(Type::Bool).default(false)),
            )
            .max(1),
        );
    let redirect = Schema::new()
        .attr("host", Attribute::optional(Type::String).default("#{host}"))
        .attr("path", Attribute::optional(Type::String).default("/#{path}"))
        .attr("port", Attribute::optional(Type::String).default("#{port}"))
        .attr("protocol", Attribute::optional(Type::String).default("#{protocol}"))
        .attr("query", Attribute::optional(Type::String).default("#{query}"))
        .attr("status_code", Attribute::required(Type::String));
    let fixed_response = Schema::new()
        .attr("content_type", Attribute::required(Type::String))
        .attr("message_body", Attribute::optional(Type::String))
        .attr("status_code", Attribute::optional_computed(Type::String));
    Schema::new()
        .attr("type", Attribute::required(Type::String))
        .attr("order", Attribute::optional_computed(Type::Number))
        .attr("target_group_arn", Attribute::optional(Type::String))
        .block("forward", NestedBlock::list(forward).max(1))
        .block("redirect", NestedBlock::list(redirect).max(1))
        .block("fixed_response", NestedBlock::list(fixed_response).max(1))
        .block("authenticate_cognito", NestedBlock::list(auth::cognito_schema()).max(1))
        .block("authenticate_oidc", NestedBlock::list(auth::oidc_schema()).max(1))
}

fn schema() -> Schema {
    let s = with_tags(
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("arn", Attribute::computed(Type::String))
            .attr("load_balancer_arn", Attribute::required(Type::String).force_new())
            .attr("port", Attribute::optional(Type::Number))
            .attr("protocol", Attribute::optional_computed(Type::String))
            .attr("ssl_policy", Attribute::optional_computed(Type::String))
            .attr("certificate_arn", Attribute::optional(Type::String))
            .attr("alpn_policy", Attribute::optional(Type::String))
            .block("default_action", NestedBlock::list(action_schema()).min(1))
            .block("mutual_authentication", NestedBlock::list(auth::mutual_authentication_schema()).max(1)),
    );
    crate::resource::with_timeouts(la::with_attributes(s), &["create", "update"])
}

/// Whether an attribute or block is set (unknown counts: it will be).
fn is_set(v: &Value, k: &str) -> bool {
    v.get_attr(k).is_some_and(|x| x.is_unknown() || (!x.is_null() && x.as_seq().is_none_or(|s| !s.is_empty())))
}

/// The API's actions for the `default_action` blocks (orders 1, 2, ... unless set).
fn expand_actions(planned: &Value) -> Vec<Action> {
    val::blocks(planned, "default_action")
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let kind = val::string(a, "type").unwrap_or_default();
            let order = val::int(a, "order").filter(|o| *o != 0).unwrap_or(i as i64 + 1) as i32;
            let mut b = Action::builder().r#type(ActionTypeEnum::from(kind.as_str())).order(order);
            match kind.as_str() {
                "forward" => {
                    if let Some(arn) = val::string(a, "target_group_arn") {
                        b = b.target_group_arn(arn);
                    } else if let Some(f) = val::block(a, "forward") {
                        let groups = val::blocks(&f, "target_group")
                            .iter()
                            .map(|g| {
                                TargetGroupTuple::builder()
                                    .set_target_group_arn(val::string(g, "arn"))
                                    .set_weight(val::int(g, "weight").map(|w| w as i32))
                                    .build()
                            })
                            .collect();
                        let stickiness = val::block(&f, "stickiness").map(|s| {
                            TargetGroupStickinessConfig::builder()
                                .enabled(val::boolean(&s, "enabled").unwrap_or(false))
                                .set_duration_seconds(val::int(&s, "duration").map(|d| d as i32))
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
                    if let Some(r) = val::block(a, "redirect") {
                        b = b.redirect_config(
                            RedirectActionConfig::builder()
                                .set_host(val::string(&r, "host"))
                                .set_path(val::string(&r, "path"))
                                .set_port(val::string(&r, "port"))
                                .set_protocol(val::string(&r, "protocol"))
                                .set_query(val::string(&r, "query"))
                                .set_status_code(
                                    val::string(&r, "status_code")
                                        .map(|s| RedirectActionStatusCodeEnum::from(s.as_str())),
                                )
                                .build(),
                        );
                    }
                }
                "fixed-response" => {
                    if let Some(f) = val::block(a, "fixed_response") {
                        b = b.fixed_response_config(
                            FixedResponseActionConfig::builder()
                                .set_content_type(val::string(&f, "content_type"))
                                .set_message_body(val::string(&f, "message_body").filter(|m| !m.is_empty()))
                                .set_status_code(val::string(&f, "status_code"))
                                .build(),
                        );
                    }
                }
                "authenticate-cognito" => {
                    b = b.set_authenticate_cognito_config(
                        val::block(a, "authenticate_cognito").map(|c| auth::expand_cognito(&c)),
                    );
                }
                "authenticate-oidc" => {
                    b = b.set_authenticate_oidc_config(
                        val::block(a, "authenticate_oidc").map(|c| auth::expand_oidc(&c)),
                    );
                }
                _ => {}
            }
            b.build()
        })
        .collect()
}

fn forward_value(f: &ForwardActionConfig, prior: Option<&Value>) -> Value {
    let groups: Vec<Value> = f
        .target_groups()
        .iter()
        .map(|g| {
            Value::object([
                ("arn", val::opt_str(g.target_group_arn())),
                ("weight", Value::from(i64::from(g.weight().unwrap_or(1)))),
            ])
        })
        .collect();
    let prior_stickiness =
        prior.and_then(|p| val::block(p, "forward")).is_some_and(|pf| !val::blocks(&pf, "stickiness").is_empty());
    // AWS reports disabled stickiness even when none was asked for (Terraform suppresses it).
    let stickiness = match f.target_group_stickiness_config() {
        Some(s) if s.enabled() == Some(true) || prior_stickiness => {
            vec![Value::object([
                ("duration", val::opt_num(s.duration_seconds())),
                ("enabled", Value::Bool(s.enabled().unwrap_or(false))),
            ])]
        }
        _ => Vec::new(),
    };
    Value::tuple(vec![Value::object([
        ("target_group", Value::set_any(groups)),
        ("stickiness", Value::tuple(stickiness)),
    ])])
}

fn action_value(a: &Action, i: usize, prior: Option<&Value>) -> Value {
    let kind = a.r#type().map(|t| t.as_str().to_string()).unwrap_or_default();
    let mut target_group_arn = Value::NULL;
    let (mut forward, mut redirect, mut fixed) = (Value::empty_tuple(), Value::empty_tuple(), Value::empty_tuple());
    match kind.as_str() {
        "forward" => {
            // As configured: a `forward` block, or a single `target_group_arn`.
            let prior_forward = prior.is_some_and(|p| !val::blocks(p, "forward").is_empty());
            let single = a.target_group_arn().map(str::to_string).or_else(|| {
                match a.forward_config().map(|f| f.target_groups()) {
                    Some([one]) => one.target_group_arn().map(str::to_string),
                    _ => None,
                }
            });
            match (prior_forward, a.forward_config(), single) {
                (true, Some(f), _) | (false, Some(f), None) => forward = forward_value(f, prior),
                (true, None, Some(arn)) => {
                    forward = Value::tuple(vec![Value::object([
                        (
                            "target_group",
                            Value::set_any(vec![Value::object([
                                ("arn", Value::from(arn)),
                                ("weight", Value::from(1i64)),
                            ])]),
                        ),
                        ("stickiness", Value::empty_tuple()),
                    ])])
                }
                (_, _, Some(arn)) => target_group_arn = Value::from(arn),
                _ => {}
            }
        }
        "redirect" => {
            if let Some(r) = a.redirect_config() {
                redirect = Value::tuple(vec![Value::object([
                    ("host", val::opt_str(r.host())),
                    ("path", val::opt_str(r.path())),
                    ("port", val::opt_str(r.port())),
                    ("protocol", val::opt_str(r.protocol())),
                    ("query", val::opt_str(r.query())),
                    ("status_code", val::opt_str(r.status_code().map(|s| s.as_str()))),
                ])]);
            }
        }
        "fixed-response" => {
            if let Some(f) = a.fixed_response_config() {
                fixed = Value::tuple(vec![Value::object([
                    ("content_type", val::opt_str(f.content_type())),
                    ("message_body", val::opt_str(f.message_body().filter(|m| !m.is_empty()))),
                    ("status_code", val::opt_str(f.status_code())),
                ])]);
            }
        }
        _ => {}
    }
    let cognito = match a.authenticate_cognito_config().filter(|_| kind == "authenticate-cognito") {
        Some(c) => Value::tuple(vec![auth::cognito_value(c)]),
        None => Value::empty_tuple(),
    };
    let oidc = match a.authenticate_oidc_config().filter(|_| kind == "authenticate-oidc") {
        Some(c) => {
            Value::tuple(vec![auth::oidc_value(c, prior.and_then(|p| val::block(p, "authenticate_oidc")).as_ref())])
        }
        None => Value::empty_tuple(),
    };
    Value::object([
        ("type", Value::from(kind)),
        ("authenticate_cognito", cognito),
        ("authenticate_oidc", oidc),
        ("order", Value::from(i64::from(a.order().unwrap_or(i as i32 + 1)))),
        ("target_group_arn", target_group_arn),
        ("forward", forward),
        ("redirect", redirect),
        ("fixed_response", fixed),
    ])
}

fn listener_value(
    c: &Ctx<'_>,
    l: &Listener,
    tags: &BTreeMap<String, String>,
    attrs: &HashMap<String, String>,
    cur: &Value,
) -> Value {
    let arn = l.listener_arn().unwrap_or_default();
    let mut actions = l.default_actions().to_vec();
    actions.sort_by_key(|a| a.order().unwrap_or(0));
    let prior_actions = val::blocks(cur, "default_action");
    let actions: Vec<Value> =
        actions.iter().enumerate().map(|(i, a)| action_value(a, i, prior_actions.get(i))).collect();
    let (tags, tags_all) = crate::tags::read_back(tags, c.default_tags(), cur);
    let one = |items: &[String]| if let [x] = items { Value::from(x.as_str()) } else { Value::NULL };
    let certs: Vec<String> = l.certificates().iter().filter_map(|c| c.certificate_arn().map(str::to_string)).collect();
    // AWS reports no mutual authentication for listeners that are not HTTPS (and moto keeps
    // none): the block configured stays as it was.
    let mutual = match l.mutual_authentication() {
        Some(m) => Value::tuple(vec![auth::mutual_value(m)]),
        None => cur
            .get_attr("mutual_authentication")
            .filter(|v| v.is_wholly_known() && !v.is_null())
            .cloned()
            .unwrap_or_else(Value::empty_tuple),
    };
    let mut obj = Obj::new(&schema());
    for (k, v) in la::read(attrs, cur) {
        obj = obj.set(k, v);
    }
    obj.set("mutual_authentication", mutual)
        .set("timeouts", cur.get_attr("timeouts").filter(|v| v.is_wholly_known()).cloned().unwrap_or(Value::NULL))
        .set("id", arn)
        .set("arn", arn)
        .set("load_balancer_arn", val::opt_str(l.load_balancer_arn()))
        .set("port", val::opt_num(l.port()))
        .set("protocol", val::opt_str(l.protocol().map(|p| p.as_str())))
        .set("ssl_policy", val::opt_str(l.ssl_policy()))
        .set("certificate_arn", one(&certs))
        .set("alpn_policy", one(l.alpn_policy()))
        .set("default_action", Value::tuple(actions))
        .set("tags", tags)
        .set("tags_all", tags_all)
        .build()
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
fn protocol_of(planned: &Value) -> Option<String> {
    val::string(planned, "protocol").or_else(|| {
        val::string(planned, "load_balancer_arn")
            .filter(|a| a.contains(":loadbalancer/app/"))
            .map(|_| "HTTP".to_string())
    })
}

fn takes_tls(protocol: Option<&str>) -> bool {
    matches!(protocol, Some("HTTPS" | "TLS"))
}

impl LbListener {
    async fn read_one(&self, c: &Ctx<'_>, arn: &str, like: &Value) -> Result<Value> {
        let mut stub = like.clone();
        stub.set_at_path(&[PathStep::Attr("id".into())], Value::from(arn));
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
    if let Some(r) = val::block(a, "redirect") {
        if let Some(s) = val::string(&r, "status_code").filter(|s| s != "HTTP_301" && s != "HTTP_302") {
            out.push(invalid(
                "Invalid redirect status_code",
                format!("{at}.redirect.status_code must be HTTP_301 or HTTP_302, got {s:?}."),
            ));
        }
        if let Some(p) = val::string(&r, "protocol").filter(|p| !["#{protocol}", "HTTP", "HTTPS"].contains(&p.as_str()))
        {
            out.push(invalid(
                "Invalid redirect protocol",
                format!("{at}.redirect.protocol must be #{{protocol}}, HTTP or HTTPS, got {p:?}."),
            ));
        }
    }
    for block in ["authenticate_cognito", "authenticate_oidc"] {
        if let Some(v) = val::block(a, block).and_then(|b| val::string(&b, "on_unauthenticated_request"))
            && !["deny", "allow", "authenticate"].contains(&v.to_lowercase().as_str())
        {
            out.push(invalid(
                "Invalid on_unauthenticated_request",
                format!("{at}.{block}.on_unauthenticated_request must be deny, allow or authenticate, got {v:?}."),
            ));
        }
    }
    if let Some(f) = val::block(a, "fixed_response") {
        if let Some(t) = val::string(&f, "content_type").filter(|t| !CONTENT_TYPES.contains(&t.as_str())) {
            out.push(invalid(
                "Invalid fixed_response content_type",
                format!("{at}.fixed_response.content_type must be one of {}; got {t:?}.", CONTENT_TYPES.join(", ")),
            ));
        }
        if let Some(s) = val::string(&f, "status_code")
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
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if let Some(p) = val::number(config, "port").filter(|p| !(1.0..=65535.0).contains(p)) {
            out.push(invalid("Invalid port", format!("port must be between 1 and 65535, got {p}.")));
        }
        if let Some(p) =
            val::string(config, "protocol").filter(|p| !ProtocolEnum::values().contains(&p.to_uppercase().as_str()))
        {
            out.push(invalid(
                "Invalid protocol",
                format!("protocol must be one of {}; got {p:?}.", ProtocolEnum::values().join(", ")),
            ));
        }
        for (i, a) in val::blocks(config, "default_action").iter().enumerate() {
            validate_action(a, i, &mut out);
        }
        let one_of = |k: &str, v: Option<String>, allowed: &[&str], out: &mut Vec<Diagnostic>| {
            if let Some(v) = v.filter(|v| !allowed.iter().any(|a| a.eq_ignore_ascii_case(v))) {
                out.push(invalid(
                    &format!("Invalid {k}"),
                    format!("{k} must be one of {}; got {v:?}.", allowed.join(", ")),
                ));
            }
        };
        one_of(
            "alpn_policy",
            val::string(config, "alpn_policy"),
            &["HTTP1Only", "HTTP2Only", "HTTP2Optional", "HTTP2Preferred", "None"],
            &mut out,
        );
        if let Some(m) = val::block(config, "mutual_authentication") {
            one_of("mutual_authentication.mode", val::string(&m, "mode"), &["off", "passthrough", "verify"], &mut out);
            one_of(
                "mutual_authentication.advertise_trust_store_ca_names",
                val::string(&m, "advertise_trust_store_ca_names"),
                &["on", "off"],
                &mut out,
            );
        }
        if let Some(n) = val::number(config, "tcp_idle_timeout_seconds").filter(|n| !(60.0..=6000.0).contains(n)) {
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
        let lb_arn = val::string(planned, "load_balancer_arn").unwrap_or_default();
        let protocol = protocol_of(planned);
        let actions = expand_actions(planned);
        // A certificate just issued may not be visible to ELB yet.
        let limit = crate::waiter::timeout(planned, "create", Duration::from_secs(5 * 60));
        let out = wait_for(&format!("listener on {lb_arn} to be created"), limit, || async {
            let req = c
                .clients
                .elbv2
                .create_listener()
                .load_balancer_arn(&lb_arn)
                .set_port(val::int(planned, "port").map(|p| p as i32))
                .set_protocol(protocol.as_deref().map(ProtocolEnum::from))
                .set_ssl_policy(val::string(planned, "ssl_policy"))
                .set_certificates(
                    val::string(planned, "certificate_arn")
                        .map(|a| vec![Certificate::builder().certificate_arn(a).build()]),
                )
                .set_alpn_policy(val::string(planned, "alpn_policy").map(|a| vec![a]))
                .set_mutual_authentication(
                    val::block(planned, "mutual_authentication").map(|m| auth::expand_mutual(&m)),
                )
                .set_default_actions(Some(actions.clone()))
                .set_tags(elb_tags(&crate::tags::at_create(c, planned)));
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
            Value::object([
                ("id", Value::from(arn.as_str())),
                ("arn", Value::from(arn.as_str())),
                ("load_balancer_arn", Value::from(lb_arn.as_str())),
            ])
        };
        let protocol = la::effective_protocol(protocol.as_deref(), &lb_arn);
        set_attributes(c, &arn, la::to_send(planned, None, &protocol))
            .await
            .map_err(|e| e.with_partial_state(partial()))?;
        self.read_one(c, &arn, planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by the token tag CreateListener gave it, among the listeners of its load
    /// balancer (a listener has no name; its port is unique on the load balancer, but an
    /// existing listener on that port may be another's).
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let Some(token) = c.token else { return Ok(None) };
        let Some(lb_arn) = val::string(planned, "load_balancer_arn") else { return Ok(None) };
        let out = match c.clients.elbv2.describe_listeners().load_balancer_arn(&lb_arn).send().await {
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
            Some(arn) => Ok(Some(self.read_one(c, &arn, planned).await?)),
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
                let arn = val::id(cur);
                let Some(l) = found.get(&arn) else { return Ok(None) };
                let attrs = attrs.get(&arn).cloned().unwrap_or_else(|| Ok(HashMap::new()))?;
                Ok(Some(listener_value(c, l, tags.get(&arn).unwrap_or(&BTreeMap::new()), &attrs, cur)))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let arn = val::id(prior);
        let changed = |k: &str| prior.get_attr(k) != planned.get_attr(k);
        if [
            "port",
            "protocol",
            "ssl_policy",
            "certificate_arn",
            "alpn_policy",
            "default_action",
            "mutual_authentication",
        ]
        .iter()
        .any(|k| changed(k))
        {
            let protocol = protocol_of(planned);
            let tls = takes_tls(protocol.as_deref());
            let mut req = c
                .clients
                .elbv2
                .modify_listener()
                .listener_arn(&arn)
                .set_port(val::int(planned, "port").map(|p| p as i32))
                .set_protocol(protocol.as_deref().map(ProtocolEnum::from))
                .set_ssl_policy(val::string(planned, "ssl_policy").filter(|_| tls))
                .set_certificates(
                    val::string(planned, "certificate_arn")
                        .map(|a| vec![Certificate::builder().certificate_arn(a).build()]),
                )
                .set_alpn_policy(val::string(planned, "alpn_policy").map(|a| vec![a]));
            if changed("default_action") {
                req = req.set_default_actions(Some(expand_actions(planned)));
            }
            if changed("mutual_authentication") {
                req = req.set_mutual_authentication(
                    val::block(planned, "mutual_authentication").map(|m| auth::expand_mutual(&m)),
                );
            }
            req.send().await.map_err(|e| sdk_error(&format!("modifying listener {arn}"), e))?;
        }
        let lb_arn = val::string(planned, "load_balancer_arn").unwrap_or_default();
        let protocol = la::effective_protocol(protocol_of(planned).as_deref(), &lb_arn);
        set_attributes(c, &arn, la::to_send(planned, Some(prior), &protocol)).await?;
        update_tags(c, &arn, &val::string_map(prior, "tags_all"), &crate::tags::wanted(planned)).await?;
        self.read_one(c, &arn, planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let arn = val::id(prior);
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
        let out = LbListener.validate(&config);
        assert_eq!(out.len(), 3, "{out:?}");
    }

    #[test]
    fn listener_arguments_are_checked() {
        let config = Value::object([
            ("tcp_idle_timeout_seconds", Value::from(30i64)),
            ("alpn_policy", Value::from("http2preferred")),
            ("mutual_authentication", Value::tuple(vec![Value::object([("mode", Value::from("strict"))])])),
        ]);
        let out = LbListener.validate(&config);
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
        let actions = expand_actions(&planned);
        assert_eq!(actions.iter().map(|a| a.order()).collect::<Vec<_>>(), vec![Some(1), Some(2)]);
        assert_eq!(actions[1].target_group_arn(), Some("arn:tg"));
        let back = action_value(&actions[1], 1, None);
        assert_eq!(back.get_attr("target_group_arn"), Some(&Value::from("arn:tg")));
        assert_eq!(back.get_attr("order"), Some(&Value::from(2i64)));
    }
}
