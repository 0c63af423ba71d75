//! `aws_lb`: the application (or network) load balancer in front of the swarm cluster.
//!
//! Its load balancer attributes (idle timeout, HTTP/2, logs, ...) are one table in
//! [`super::lb_attributes`]; where it runs (`subnets`, `subnet_mapping`) is
//! [`super::lb_subnets`]; its minimum capacity [`super::lb_capacity`].

use super::lb_attributes::{self as attributes, APPLICATION, LbAttributes, NETWORK, type_bit};
use super::lb_capacity::{self as capacity, Capacity};
use super::lb_subnets::{self as subnets, Mapping};
use crate::describe::{all_failed, describe_by_arn, split_err};
use crate::elbv2::{PAGE, arn_after, attribute_map, describe_tags, elb_tags, update_tags};
use crate::errors::{describe, is_not_found, sdk_error};
use crate::model::{Op, Tags, Timeouts, known_parts, limit};
use crate::plan::keep_computed;
use crate::resource::{Ctx, ResourceType, Result, invalid, prefix_of};
use crate::val;
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    EnforceSecurityGroupInboundRulesOnPrivateLinkTrafficEnum, IpAddressType, IpamPools, LoadBalancer,
    LoadBalancerAttribute, LoadBalancerSchemeEnum, LoadBalancerTypeEnum, RemoveIpamPoolEnum,
};
use futures::stream::{self, StreamExt};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct Lb;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);

const ENFORCE: &str = "enforce_security_group_inbound_rules_on_private_link_traffic";

/// An `aws_lb` object.
#[derive(Model, Clone, Debug, Default)]
struct LbObject {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(computed)]
    arn_suffix: Option<String>,
    #[model(computed)]
    dns_name: Option<String>,
    #[model(computed)]
    zone_id: Option<String>,
    #[model(computed)]
    vpc_id: Option<String>,
    #[model(optional, computed, force_new)]
    name: Option<String>,
    #[model(optional, computed, force_new)]
    name_prefix: Option<String>,
    #[model(optional, computed, force_new)]
    internal: Option<bool>,
    #[model(optional, default = "application", force_new)]
    load_balancer_type: String,
    #[model(optional, computed)]
    security_groups: Option<BTreeSet<String>>,
    #[model(optional, computed)]
    subnets: Option<BTreeSet<String>>,
    #[model(optional, computed)]
    ip_address_type: Option<String>,
    #[model(optional, force_new)]
    customer_owned_ipv4_pool: Option<String>,
    #[model(optional, computed, name = "enforce_security_group_inbound_rules_on_private_link_traffic")]
    enforce_security_group_inbound_rules: Option<String>,
    #[model(block = "set", computed)]
    subnet_mapping: Vec<Mapping>,
    #[model(block, max = 1)]
    ipam_pools: Option<IpamPool>,
    #[model(block, max = 1)]
    minimum_load_balancer_capacity: Option<Capacity>,
    #[model(flatten)]
    attributes: LbAttributes,
    #[model(flatten)]
    tags: Tags,
    #[model(block = "single")]
    timeouts: Option<Timeouts>,
}

/// `ipam_pools`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
struct IpamPool {
    #[model(required)]
    ipv4_ipam_pool_id: String,
}

impl LbObject {
    /// The bit of its type (0 for one not known).
    fn type_bit(&self) -> u8 {
        type_bit(Some(&self.load_balancer_type))
    }

    /// The mode of enforcing security group rules on PrivateLink traffic to send: a network
    /// load balancer's, when set.
    fn enforce(&self) -> Option<&str> {
        self.enforce_security_group_inbound_rules.as_deref().filter(|e| !e.is_empty() && self.type_bit() == NETWORK)
    }
}

/// Whether `planned` has a value (known, at apply) and it is not `prior`'s.
fn changed<T: PartialEq>(prior: &Option<T>, planned: &Option<T>) -> bool {
    planned.is_some() && planned != prior
}

/// The bit of a planned `load_balancer_type` (0 while it is not known).
fn lb_type(v: &Value) -> u8 {
    type_bit(v.get_attr("load_balancer_type").and_then(Value::as_str))
}

async fn lb_attributes(c: &Ctx<'_>, arn: &str) -> Result<HashMap<String, String>> {
    let out = c
        .clients
        .elbv2
        .describe_load_balancer_attributes()
        .load_balancer_arn(arn)
        .send()
        .await
        .map_err(|e| sdk_error(&format!("reading the attributes of load balancer {arn}"), e))?;
    Ok(attribute_map(out.attributes().iter().map(|a| (a.key(), a.value()))))
}

/// The key of an attribute AWS refuses as unknown or unsupported, from its message
/// (`Load balancer attribute key 'routing.http.desync_mitigation_mode' is not recognized`).
fn refused_key(message: &str) -> Option<String> {
    let (_, rest) = message.split_once("attribute key ")?;
    let key = rest.split_whitespace().next()?.trim_matches(|c| c == '\'' || c == '"');
    let after = &rest[rest.find(key)? + key.len()..];
    let after = after.trim_start_matches(['\'', '"']);
    (after.starts_with(" is not recognized") || after.starts_with(" is not supported")).then(|| key.to_string())
}

/// Sets load balancer attributes; one AWS does not know (or does not support for this type, or
/// in this partition) is left out and the others set, as hashicorp/aws does, with a warning.
async fn set_attributes(c: &Ctx<'_>, arn: &str, mut attrs: Vec<(String, String)>) -> Result<()> {
    while !attrs.is_empty() {
        let list = attrs.iter().map(|(k, v)| LoadBalancerAttribute::builder().key(k).value(v).build()).collect();
        let doing = format!("setting the attributes of load balancer {arn}");
        match c
            .clients
            .elbv2
            .modify_load_balancer_attributes()
            .load_balancer_arn(arn)
            .set_attributes(Some(list))
            .send()
            .await
        {
            Ok(_) => return Ok(()),
            Err(e) => {
                let message = describe(&doing, &e);
                match refused_key(&message).filter(|k| attrs.iter().any(|(a, _)| a == k)) {
                    Some(key) => {
                        tracing::warn!("load balancer {arn}: AWS refuses the attribute {key}, left out: {message}");
                        attrs.retain(|(k, _)| *k != key);
                    }
                    None => return Err(sdk_error(&doing, e)),
                }
            }
        }
    }
    Ok(())
}

async fn set_security_groups(c: &Ctx<'_>, arn: &str, planned: &LbObject) -> Result<()> {
    c.clients
        .elbv2
        .set_security_groups()
        .load_balancer_arn(arn)
        .set_security_groups(Some(planned.security_groups.iter().flatten().cloned().collect()))
        .set_enforce_security_group_inbound_rules_on_private_link_traffic(
            planned.enforce().map(EnforceSecurityGroupInboundRulesOnPrivateLinkTrafficEnum::from),
        )
        .send()
        .await
        .map_err(|e| sdk_error(&format!("setting the security groups of load balancer {arn}"), e))?;
    Ok(())
}

fn ipam_pools(planned: &LbObject) -> Option<IpamPools> {
    let b = planned.ipam_pools.as_ref()?;
    Some(IpamPools::builder().ipv4_ipam_pool_id(&b.ipv4_ipam_pool_id).build())
}

async fn wait_active(c: &Ctx<'_>, arn: &str, limit: Duration) -> Result<()> {
    wait_for(&format!("load balancer {arn} to become active"), limit, || async {
        let out = c
            .clients
            .elbv2
            .describe_load_balancers()
            .load_balancer_arns(arn)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading load balancer {arn}"), e))?;
        let state = out.load_balancers().first().and_then(|l| l.state());
        Ok(match state.and_then(|s| s.code()).map(|code| code.as_str()) {
            Some("active") => Poll::Done(()),
            Some("provisioning") | None => Poll::Pending("provisioning".into()),
            Some(other) => {
                Poll::Failed(format!("{other} ({})", state.and_then(|s| s.reason()).unwrap_or("no reason given")))
            }
        })
    })
    .await
}

/// What a read found beside the load balancer itself.
struct Extra {
    tags: BTreeMap<String, String>,
    attrs: HashMap<String, String>,
    /// The minimum capacity (none: not read for this type, kept).
    capacity: Option<Option<Capacity>>,
}

fn lb_value(c: &Ctx<'_>, lb: &LoadBalancer, extra: &Extra, cur: &LbObject) -> LbObject {
    let arn = lb.load_balancer_arn().unwrap_or_default();
    let lb_type = lb.r#type().map_or("application", |t| t.as_str());
    let name = lb.load_balancer_name().unwrap_or_default();
    let (subnets, mappings) = subnets::read(lb.availability_zones());
    let text = |s: Option<&str>| s.map(str::to_string);
    LbObject {
        id: Some(arn.to_string()),
        arn: Some(arn.to_string()),
        arn_suffix: Some(arn_after(arn, ":loadbalancer/").to_string()),
        dns_name: text(lb.dns_name()),
        zone_id: text(lb.canonical_hosted_zone_id()),
        vpc_id: text(lb.vpc_id()),
        name: Some(name.to_string()),
        // hashicorp/aws records an empty string for a name not generated from a prefix.
        name_prefix: Some(prefix_of(None, name).unwrap_or_default()),
        internal: Some(lb.scheme() == Some(&LoadBalancerSchemeEnum::Internal)),
        load_balancer_type: lb_type.to_string(),
        security_groups: Some(lb.security_groups().iter().cloned().collect()),
        subnets: Some(subnets),
        subnet_mapping: mappings,
        ip_address_type: text(lb.ip_address_type().map(|t| t.as_str())),
        // hashicorp/aws records none as an empty string.
        customer_owned_ipv4_pool: Some(lb.customer_owned_ipv4_pool().unwrap_or_default().to_string()),
        enforce_security_group_inbound_rules: Some(
            lb.enforce_security_group_inbound_rules_on_private_link_traffic().unwrap_or_default().to_string(),
        ),
        ipam_pools: lb
            .ipam_pools()
            .map(|p| IpamPool { ipv4_ipam_pool_id: p.ipv4_ipam_pool_id().unwrap_or_default().to_string() }),
        minimum_load_balancer_capacity: extra
            .capacity
            .clone()
            .unwrap_or_else(|| cur.minimum_load_balancer_capacity.clone()),
        attributes: LbAttributes::read(&extra.attrs, type_bit(Some(lb_type)), &cur.attributes),
        tags: cur.tags.read_back(c, &extra.tags),
        timeouts: cur.timeouts.clone(),
    }
}

impl Lb {
    async fn read_one(&self, c: &Ctx<'_>, arn: &str, like: &LbObject) -> Result<Value> {
        let stub = LbObject { id: Some(arn.to_string()), ..like.clone() };
        crate::resource::read_model(self, c, &stub, &format!("load balancer {arn}")).await
    }
}

fn valid_lb_name(name: &str, what: &str, max: usize) -> Option<Diagnostic> {
    let bad = name.chars().count() > max
        || !name.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '-')
        || name.starts_with('-')
        || (what == "name" && name.ends_with('-'))
        || name.starts_with("internal-");
    bad.then(|| {
        invalid(
            &format!("Invalid {what}"),
            format!("{name:?}: a load balancer {what} has at most {max} characters, only letters, digits and hyphens, does not begin (or end) with a hyphen, and does not begin with \"internal-\"."),
        )
    })
}

/// `config` as hashicorp/aws compares it with the prior state: a `customer_owned_ipv4_pool` left
/// out is the empty string it reads, unset mapping addresses are empty. Whether it changed.
fn normalize(prior: Option<&Value>, config: &mut Value) -> bool {
    let mut changed = subnets::normalize_config(config);
    let pool = prior.and_then(|p| LbObject::from_stub(p).ok()).and_then(|p| p.customer_owned_ipv4_pool);
    if pool.as_deref() == Some("")
        && config.get_attr("customer_owned_ipv4_pool").is_none_or(|v| v.is_known() && v.is_null())
    {
        config.set_at_path(&[PathStep::Attr("customer_owned_ipv4_pool".into())], Value::from(""));
        changed = true;
    }
    changed
}

/// For a type `types` does not include, the block keeps what it has (empty for a new one), as
/// hashicorp/aws ignores its difference.
fn ignore_block_unless(plan: &mut PlanResponse, prior: Option<&Value>, k: &str, types: u8, lb_type: u8, ety: Type) {
    if types & lb_type != 0 {
        return;
    }
    let v = prior.and_then(|p| p.get_attr(k)).filter(|v| v.is_wholly_known() && !v.is_null());
    plan.planned.set_at_path(&[PathStep::Attr(k.into())], v.cloned().unwrap_or_else(|| Value::empty_list(ety)));
}

impl LbObject {
    /// The name a create gives the load balancer: `name`, else `name_prefix` (or `tf-lb-`) and a
    /// unique suffix.
    fn created_name(&self, c: &Ctx<'_>) -> String {
        c.name_or_prefix(self.name.as_deref(), self.name_prefix.as_deref(), "tf-lb-")
    }
}

#[async_trait]
impl ResourceType for Lb {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::Elbv2)
    }

    fn name(&self) -> &'static str {
        "aws_lb"
    }

    fn schema(&self) -> Schema {
        LbObject::schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        // Read leniently, with what is not known yet null: it is not checked.
        let cfg = match LbObject::from_stub(&known_parts(config)) {
            Ok(c) => c,
            Err(e) => return vec![invalid("Invalid configuration", e.to_string())],
        };
        if cfg.name.is_some() && cfg.name_prefix.is_some() {
            out.push(invalid(
                "Conflicting configuration arguments",
                "\"name\": conflicts with name_prefix; set only one of them.",
            ));
        }
        out.extend(cfg.name.as_ref().and_then(|n| valid_lb_name(n, "name", 32)));
        out.extend(cfg.name_prefix.as_ref().and_then(|n| valid_lb_name(n, "name_prefix", 6)));
        let t = &cfg.load_balancer_type;
        if !["application", "network", "gateway"].contains(&t.as_str()) {
            out.push(invalid(
                "Invalid load_balancer_type",
                format!("load_balancer_type must be one of application, network, gateway; got {t:?}."),
            ));
        }
        if let Some(t) = cfg
            .ip_address_type
            .as_ref()
            .filter(|t| !["ipv4", "dualstack", "dualstack-without-public-ipv4"].contains(&t.as_str()))
        {
            out.push(invalid(
                "Invalid ip_address_type",
                format!("ip_address_type must be one of ipv4, dualstack, dualstack-without-public-ipv4; got {t:?}."),
            ));
        }
        if let Some(t) =
            cfg.enforce_security_group_inbound_rules.as_ref().filter(|t| !["on", "off"].contains(&t.as_str()))
        {
            out.push(invalid(&format!("Invalid {ENFORCE}"), format!("{ENFORCE} must be one of on, off; got {t:?}.")));
        }
        if let Some(t) = cfg.attributes.idle_timeout.filter(|t| !(1..=4000).contains(t)) {
            out.push(invalid(
                "Invalid idle_timeout",
                format!("idle_timeout must be between 1 and 4000 seconds, got {t}."),
            ));
        }
        out.extend(cfg.attributes.validate());
        out.extend(subnets::validate(config, &cfg.subnet_mapping));
        out
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        let schema = LbObject::schema();
        let pool = config.get_attr("customer_owned_ipv4_pool").cloned().unwrap_or(Value::NULL);
        let mut config = config.clone();
        if normalize(prior, &mut config) {
            // Planned again (the provider's tags rules apply after `customize_plan`).
            *plan = terrane_engine::plan::diff::generic_plan(&schema, prior, &config);
        }
        let config = &config;
        let lb_type = lb_type(&plan.planned);
        keep_computed(
            prior,
            config,
            plan,
            &["name_prefix", "internal", "security_groups", "subnets", "ip_address_type"],
        );
        subnets::plan(&schema, prior, config, plan, lb_type);
        // From here on, a replacement plans a new object (as configured, not normalized).
        let prior = prior.filter(|p| !p.is_null() && plan.requires_replace.is_empty());
        if prior.is_none() {
            plan.planned.set_at_path(&[PathStep::Attr("customer_owned_ipv4_pool".into())], pool.conform(&Type::String));
        }
        attributes::plan(prior, config, &mut plan.planned, lb_type);
        ignore_block_unless(plan, prior, "ipam_pools", APPLICATION, lb_type, IpamPool::schema().value_type());
        let capacity_ty = Capacity::schema().value_type();
        ignore_block_unless(plan, prior, "minimum_load_balancer_capacity", APPLICATION | NETWORK, lb_type, capacity_ty);
        // Only a network load balancer takes it; for the others it is what AWS says.
        if lb_type != NETWORK {
            let v = prior.and_then(|p| p.get_attr(ENFORCE)).filter(|v| v.is_known()).cloned();
            plan.planned.set_at_path(&[PathStep::Attr(ENFORCE.into())], v.unwrap_or(Value::unknown(Type::String)));
        } else {
            keep_computed(prior, config, plan, &[ENFORCE]);
        }
    }

    async fn create(&self, c: &Ctx<'_>, raw: &Value) -> Result<Value> {
        let planned = LbObject::from_value(raw)?;
        let name = planned.created_name(c);
        let lb_type = planned.load_balancer_type.as_str();
        let bit = planned.type_bit();
        let groups: Vec<String> = planned.security_groups.iter().flatten().cloned().collect();
        let subnet_ids: Vec<String> = planned.subnets.iter().flatten().cloned().collect();
        let mut req = c
            .clients
            .elbv2
            .create_load_balancer()
            .name(&name)
            .r#type(LoadBalancerTypeEnum::from(lb_type))
            .set_subnets((!subnet_ids.is_empty()).then_some(subnet_ids))
            .set_subnet_mappings(subnets::to_api(&planned.subnet_mapping))
            .set_security_groups((!groups.is_empty()).then_some(groups))
            .set_customer_owned_ipv4_pool(planned.customer_owned_ipv4_pool.clone().filter(|p| !p.is_empty()))
            .set_ipam_pools(ipam_pools(&planned))
            .set_tags(elb_tags(&planned.tags.at_create(c)));
        if planned.internal == Some(true) {
            req = req.scheme(LoadBalancerSchemeEnum::Internal);
        }
        if let Some(t) = &planned.ip_address_type {
            req = req.ip_address_type(IpAddressType::from(t.as_str()));
        }
        let out = req.send().await.map_err(|e| sdk_error(&format!("creating {lb_type} load balancer {name}"), e))?;
        let arn = out
            .load_balancers()
            .first()
            .and_then(|l| l.load_balancer_arn())
            .ok_or_else(|| ProviderError::new("creating load balancer: no ARN in the response"))?
            .to_string();
        let partial = || {
            LbObject { id: Some(arn.clone()), arn: Some(arn.clone()), name: Some(name.clone()), ..LbObject::default() }
                .to_value()
        };
        let limit = limit(&planned.timeouts, Op::Create, DEFAULT_TIMEOUT);
        let finish = async {
            wait_active(c, &arn, limit).await?;
            if bit & (APPLICATION | NETWORK) != 0
                && let Some(units) = capacity::units(&planned.minimum_load_balancer_capacity)
            {
                capacity::set(c, &arn, Some(units), limit).await?;
            }
            set_attributes(c, &arn, planned.attributes.to_send(None, bit)).await?;
            if planned.enforce().is_some() {
                set_security_groups(c, &arn, &planned).await?;
            }
            wait_active(c, &arn, limit).await?;
            self.read_one(c, &arn, &planned).await
        };
        finish.await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by its name (configured, or made from `name_prefix` and the token), carrying the
    /// token tag CreateLoadBalancer gave it; one still provisioning is waited for, as the
    /// create would.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let wanted = LbObject::from_stub(planned)?;
        let name = wanted.created_name(c);
        let arn = match c.clients.elbv2.describe_load_balancers().names(&name).send().await {
            Ok(out) => out.load_balancers().first().and_then(|l| l.load_balancer_arn()).map(str::to_string),
            Err(e) if is_not_found(&e) => None,
            Err(e) => return Err(sdk_error(&format!("looking for load balancer {name}"), e)),
        };
        let Some(arn) = arn else { return Ok(None) };
        if crate::resource::find_named(self, c, crate::resource::with_id(planned, &arn), true).await?.is_none() {
            return Ok(None);
        }
        wait_active(c, &arn, limit(&wanted.timeouts, Op::Create, DEFAULT_TIMEOUT)).await?;
        Ok(Some(self.read_one(c, &arn, &wanted).await?))
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let arns: Vec<String> = current.iter().map(val::id).filter(|a| !a.is_empty()).collect();
        let lbs = describe_by_arn(&arns, PAGE, |page| async move {
            c.clients
                .elbv2
                .describe_load_balancers()
                .set_load_balancer_arns(Some(page))
                .send()
                .await
                .map(|o| o.load_balancers().to_vec())
                .map_err(|e| split_err("reading load balancers", e))
        })
        .await;
        let found: HashMap<String, LoadBalancer> = match lbs {
            Ok(lbs) => lbs.into_iter().filter_map(|l| Some((l.load_balancer_arn()?.to_string(), l))).collect(),
            Err(e) => return all_failed(current.len(), &e),
        };
        let found_arns: Vec<String> = found.keys().cloned().collect();
        let mut tags = match describe_tags(c, &found_arns).await {
            Ok(t) => t,
            Err(e) => return all_failed(current.len(), &e),
        };
        // One DescribeLoadBalancerAttributes (and, for application and network load balancers,
        // one DescribeCapacityReservation) per load balancer: the APIs take one ARN.
        let jobs: Vec<(String, bool)> = found
            .iter()
            .map(|(arn, lb)| (arn.clone(), type_bit(lb.r#type().map(|t| t.as_str())) & (APPLICATION | NETWORK) != 0))
            .collect();
        let mut extras: HashMap<String, Result<Extra>> = stream::iter(jobs)
            .map(|(arn, with_capacity)| async move {
                let extra = async {
                    let attrs = lb_attributes(c, &arn).await?;
                    let capacity = if with_capacity { Some(capacity::read(c, &arn).await?) } else { None };
                    Ok(Extra { tags: BTreeMap::new(), attrs, capacity })
                }
                .await;
                (arn, extra)
            })
            .buffered(8)
            .collect()
            .await;
        current
            .iter()
            .map(|cur| {
                let cur = LbObject::from_stub(cur)?;
                let arn = cur.id.clone().unwrap_or_default();
                let Some(lb) = found.get(&arn) else { return Ok(None) };
                let mut extra = match extras.remove(&arn) {
                    Some(e) => e?,
                    None => return Err(ProviderError::new(format!("load balancer {arn} was read twice"))),
                };
                extra.tags = tags.remove(&arn).unwrap_or_default();
                Ok(Some(lb_value(c, lb, &extra, &cur).to_value()))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (LbObject::from_stub(prior)?, LbObject::from_value(planned)?);
        let arn = prior.id.clone().unwrap_or_default();
        let elbv2 = &c.clients.elbv2;
        let bit = planned.type_bit();
        let limit = limit(&planned.timeouts, Op::Update, DEFAULT_TIMEOUT);
        set_attributes(c, &arn, planned.attributes.to_send(Some(&prior.attributes), bit)).await?;
        if changed(&prior.security_groups, &planned.security_groups)
            || changed(&prior.enforce_security_group_inbound_rules, &planned.enforce_security_group_inbound_rules)
        {
            set_security_groups(c, &arn, &planned).await?;
        }
        let subnet_ids = planned
            .subnets
            .clone()
            .filter(|_| changed(&prior.subnets, &planned.subnets))
            .map(|s| s.into_iter().collect());
        let mappings = subnets::changed_mappings(&prior.subnet_mapping, &planned.subnet_mapping);
        if subnet_ids.is_some() || mappings.is_some() {
            elbv2
                .set_subnets()
                .load_balancer_arn(&arn)
                .set_subnets(subnet_ids)
                .set_subnet_mappings(mappings)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("setting the subnets of load balancer {arn}"), e))?;
        }
        if let Some(t) =
            planned.ip_address_type.as_ref().filter(|_| changed(&prior.ip_address_type, &planned.ip_address_type))
        {
            elbv2
                .set_ip_address_type()
                .load_balancer_arn(&arn)
                .ip_address_type(IpAddressType::from(t.as_str()))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("setting the IP address type of load balancer {arn}"), e))?;
        }
        if prior.ipam_pools != planned.ipam_pools {
            let req = match ipam_pools(&planned) {
                Some(p) => elbv2.modify_ip_pools().ipam_pools(p),
                None => elbv2.modify_ip_pools().remove_ipam_pools(RemoveIpamPoolEnum::Ipv4),
            };
            req.load_balancer_arn(&arn)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("setting the IPAM pools of load balancer {arn}"), e))?;
        }
        if prior.minimum_load_balancer_capacity != planned.minimum_load_balancer_capacity {
            capacity::set(c, &arn, capacity::units(&planned.minimum_load_balancer_capacity), limit).await?;
        }
        update_tags(c, &arn, &prior.tags.wanted(), &planned.tags.wanted()).await?;
        wait_active(c, &arn, limit).await?;
        self.read_one(c, &arn, &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = LbObject::from_stub(prior)?;
        let arn = prior.id.clone().unwrap_or_default();
        match c.clients.elbv2.delete_load_balancer().load_balancer_arn(&arn).send().await {
            Ok(_) => {}
            Err(e) if is_not_found(&e) => return Ok(()),
            Err(e) => return Err(sdk_error(&format!("deleting load balancer {arn}"), e)),
        }
        // As Terraform does: wait (best effort) for the load balancer's network interfaces to
        // go, so its subnets and security groups can be deleted right after.
        let description = format!("ELB {}", arn_after(&arn, ":loadbalancer/"));
        let waited = wait_for(
            &format!("the network interfaces of load balancer {arn} to be deleted"),
            limit(&prior.timeouts, Op::Delete, DEFAULT_TIMEOUT),
            || async {
                let out = c
                    .clients
                    .ec2
                    .describe_network_interfaces()
                    .filters(crate::ec2::filter("description", [description.as_str()]))
                    .send()
                    .await
                    .map_err(|e| sdk_error("listing network interfaces", e))?;
                let left = out.network_interfaces().len();
                Ok(if left == 0 { Poll::Done(()) } else { Poll::Pending(format!("{left} network interfaces left")) })
            },
        )
        .await;
        if let Err(e) = waited {
            tracing::warn!("load balancer {arn} deleted, but: {}", e.message);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_attribute_keys_are_found_in_the_message() {
        let m = "setting the attributes of load balancer x: ValidationError: Load balancer attribute key 'routing.http.desync_mitigation_mode' is not recognized (ELBv2 ModifyLoadBalancerAttributes)";
        assert_eq!(refused_key(m).as_deref(), Some("routing.http.desync_mitigation_mode"));
        let m = "InvalidConfigurationRequest: Load balancer attribute key 'dns_record.client_routing_policy' is not supported on load balancers with type 'network'";
        assert_eq!(refused_key(m).as_deref(), Some("dns_record.client_routing_policy"));
        assert_eq!(refused_key("InvalidConfigurationRequest: Key zonal_shift.config.enabled not valid"), None);
    }

    #[test]
    fn names_are_checked() {
        assert!(valid_lb_name("web-1", "name", 32).is_none());
        assert!(valid_lb_name("web_1", "name", 32).is_some());
        assert!(valid_lb_name("internal-web", "name", 32).is_some());
        assert!(valid_lb_name("web-", "name", 32).is_some());
        assert!(valid_lb_name("web-", "name_prefix", 6).is_none());
        assert!(valid_lb_name("toolong", "name_prefix", 6).is_some());
        let bad = Lb.validate(&Value::object([
            ("load_balancer_type", Value::from("classic")),
            ("subnets", val::str_set(["subnet-1"])),
        ]));
        assert_eq!(bad.len(), 1, "{bad:?}");
    }
}
