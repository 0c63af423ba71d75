//! `aws_lb`: the application (or network) load balancer in front of the swarm cluster.

use crate::describe::{all_failed, describe_by_arn, split_err};
use crate::elbv2::{PAGE, arn_after, attribute_map, describe_tags, elb_tags, update_tags};
use crate::errors::{is_not_found, sdk_error};
use crate::plan::keep_computed;
use crate::resource::{Ctx, ResourceType, Result, invalid, name_prefix_from_name, with_tags, with_timeouts};
use crate::val::{self, Obj};
use crate::waiter::{Poll, timeout, wait_for};
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{
    IpAddressType, LoadBalancer, LoadBalancerAttribute, LoadBalancerSchemeEnum, LoadBalancerTypeEnum,
};
use futures::stream::{self, StreamExt};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct Lb;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10 * 60);

// ---------------------------------------------------------------------------------------------
// Shared ELBv2 helpers.
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// The resource.
// ---------------------------------------------------------------------------------------------

fn schema() -> Schema {
    with_timeouts(
        with_tags(
            Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("arn", Attribute::computed(Type::String))
                .attr("arn_suffix", Attribute::computed(Type::String))
                .attr("dns_name", Attribute::computed(Type::String))
                .attr("zone_id", Attribute::computed(Type::String))
                .attr("vpc_id", Attribute::computed(Type::String))
                .attr("name", Attribute::optional_computed(Type::String).force_new())
                .attr("name_prefix", Attribute::optional_computed(Type::String).force_new())
                .attr("internal", Attribute::optional_computed(Type::Bool).force_new())
                .attr("load_balancer_type", Attribute::optional(Type::String).default("application").force_new())
                .attr("security_groups", Attribute::optional_computed(Type::set(Type::String)))
                .attr("subnets", Attribute::optional_computed(Type::set(Type::String)))
                .attr("idle_timeout", Attribute::optional(Type::Number).default(Value::from(60i64)))
                .attr("enable_deletion_protection", Attribute::optional(Type::Bool).default(false))
                .attr("ip_address_type", Attribute::optional_computed(Type::String)),
        ),
        &["create", "update", "delete"],
    )
}

fn is_application(v: &Value) -> bool {
    val::string(v, "load_balancer_type").is_none_or(|t| t == "application")
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

async fn set_attributes(c: &Ctx<'_>, arn: &str, attrs: Vec<(&str, String)>) -> Result<()> {
    if attrs.is_empty() {
        return Ok(());
    }
    let attrs = attrs.into_iter().map(|(k, v)| LoadBalancerAttribute::builder().key(k).value(v).build()).collect();
    c.clients
        .elbv2
        .modify_load_balancer_attributes()
        .load_balancer_arn(arn)
        .set_attributes(Some(attrs))
        .send()
        .await
        .map_err(|e| sdk_error(&format!("setting the attributes of load balancer {arn}"), e))?;
    Ok(())
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

fn lb_value(
    c: &Ctx<'_>,
    lb: &LoadBalancer,
    tags: &BTreeMap<String, String>,
    attrs: &HashMap<String, String>,
    cur: &Value,
) -> Value {
    let arn = lb.load_balancer_arn().unwrap_or_default();
    let lb_type = lb.r#type().map_or("application", |t| t.as_str());
    let idle_timeout = if lb_type == "application" {
        attrs.get("idle_timeout.timeout_seconds").and_then(|s| s.parse::<i64>().ok()).unwrap_or(60)
    } else {
        val::int(cur, "idle_timeout").unwrap_or(60)
    };
    let (tags, tags_all) = crate::tags::read_back(tags, c.default_tags(), cur);
    let name = lb.load_balancer_name().unwrap_or_default();
    Obj::new(&schema())
        .set("id", arn)
        .set("arn", arn)
        .set("arn_suffix", arn_after(arn, ":loadbalancer/"))
        .set("dns_name", val::opt_str(lb.dns_name()))
        .set("zone_id", val::opt_str(lb.canonical_hosted_zone_id()))
        .set("vpc_id", val::opt_str(lb.vpc_id()))
        .set("name", name)
        .set("name_prefix", name_prefix_from_name(name))
        .set("internal", Value::Bool(lb.scheme() == Some(&LoadBalancerSchemeEnum::Internal)))
        .set("load_balancer_type", lb_type)
        .set("security_groups", val::str_set(lb.security_groups().iter().cloned()))
        .set("subnets", val::str_set(lb.availability_zones().iter().filter_map(|z| z.subnet_id().map(str::to_string))))
        .set("idle_timeout", Value::from(idle_timeout))
        .set(
            "enable_deletion_protection",
            Value::Bool(attrs.get("deletion_protection.enabled").is_some_and(|v| v == "true")),
        )
        .set("ip_address_type", val::opt_str(lb.ip_address_type().map(|t| t.as_str())))
        .set("tags", tags)
        .set("tags_all", tags_all)
        .keep(cur, &["timeouts"])
        .build()
}

impl Lb {
    async fn read_one(&self, c: &Ctx<'_>, arn: &str, like: &Value) -> Result<Value> {
        let mut stub = like.clone();
        stub.set_at_path(&[PathStep::Attr("id".into())], Value::from(arn));
        self.read_many(c, &[stub])
            .await
            .pop()
            .unwrap_or(Ok(None))?
            .ok_or_else(|| ProviderError::new(format!("load balancer {arn} is gone")))
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

#[async_trait]
impl ResourceType for Lb {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::Elbv2)
    }

    fn name(&self) -> &'static str {
        "aws_lb"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        if val::string(config, "name").is_some() && val::string(config, "name_prefix").is_some() {
            out.push(invalid(
                "Conflicting configuration arguments",
                "\"name\": conflicts with name_prefix; set only one of them.",
            ));
        }
        out.extend(val::string(config, "name").and_then(|n| valid_lb_name(&n, "name", 32)));
        out.extend(val::string(config, "name_prefix").and_then(|n| valid_lb_name(&n, "name_prefix", 6)));
        if let Some(t) = val::string(config, "load_balancer_type")
            .filter(|t| !["application", "network", "gateway"].contains(&t.as_str()))
        {
            out.push(invalid(
                "Invalid load_balancer_type",
                format!("load_balancer_type must be one of application, network, gateway; got {t:?}."),
            ));
        }
        if let Some(t) = val::string(config, "ip_address_type")
            .filter(|t| !["ipv4", "dualstack", "dualstack-without-public-ipv4"].contains(&t.as_str()))
        {
            out.push(invalid(
                "Invalid ip_address_type",
                format!("ip_address_type must be one of ipv4, dualstack, dualstack-without-public-ipv4; got {t:?}."),
            ));
        }
        if let Some(t) = val::number(config, "idle_timeout").filter(|t| !(1.0..=4000.0).contains(t)) {
            out.push(invalid(
                "Invalid idle_timeout",
                format!("idle_timeout must be between 1 and 4000 seconds, got {t}."),
            ));
        }
        if config.get_attr("subnets").is_none_or(Value::is_null) {
            out.push(invalid(
                "Missing required argument",
                "\"subnets\": the load balancer's subnets are required (subnet_mapping is not supported).",
            ));
        }
        out
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        keep_computed(
            prior,
            config,
            plan,
            &["name_prefix", "internal", "security_groups", "subnets", "ip_address_type"],
        );
        // idle_timeout means nothing to a network load balancer (Terraform suppresses its diff).
        if let Some(p) = prior.filter(|_| !is_application(&plan.planned) && plan.requires_replace.is_empty()) {
            plan.planned.set_at_path(
                &[PathStep::Attr("idle_timeout".into())],
                p.get_attr("idle_timeout").cloned().unwrap_or(Value::NULL),
            );
        }
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let name = c.generated_name(planned, "tf-lb-");
        let lb_type = val::string(planned, "load_balancer_type").unwrap_or_else(|| "application".into());
        let groups = val::strings(planned, "security_groups");
        let mut req = c
            .clients
            .elbv2
            .create_load_balancer()
            .name(&name)
            .r#type(LoadBalancerTypeEnum::from(lb_type.as_str()))
            .set_subnets(Some(val::strings(planned, "subnets")))
            .set_security_groups((!groups.is_empty()).then_some(groups))
            .set_tags(elb_tags(&crate::tags::at_create(c, planned)));
        if val::boolean(planned, "internal") == Some(true) {
            req = req.scheme(LoadBalancerSchemeEnum::Internal);
        }
        if let Some(t) = val::string(planned, "ip_address_type") {
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
            Value::object([
                ("id", Value::from(arn.as_str())),
                ("arn", Value::from(arn.as_str())),
                ("name", Value::from(name.as_str())),
            ])
        };
        let limit = timeout(planned, "create", DEFAULT_TIMEOUT);
        wait_active(c, &arn, limit).await.map_err(|e| e.with_partial_state(partial()))?;
        let mut attrs = vec![(
            "deletion_protection.enabled",
            val::boolean(planned, "enable_deletion_protection").unwrap_or(false).to_string(),
        )];
        if lb_type == "application" {
            attrs.push(("idle_timeout.timeout_seconds", val::int(planned, "idle_timeout").unwrap_or(60).to_string()));
        }
        set_attributes(c, &arn, attrs).await.map_err(|e| e.with_partial_state(partial()))?;
        wait_active(c, &arn, limit).await.map_err(|e| e.with_partial_state(partial()))?;
        self.read_one(c, &arn, planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by its name (configured, or made from `name_prefix` and the token), carrying the
    /// token tag CreateLoadBalancer gave it; one still provisioning is waited for, as the
    /// create would.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let name = c.generated_name(planned, "tf-lb-");
        let arn = match c.clients.elbv2.describe_load_balancers().names(&name).send().await {
            Ok(out) => out.load_balancers().first().and_then(|l| l.load_balancer_arn()).map(str::to_string),
            Err(e) if is_not_found(&e) => None,
            Err(e) => return Err(sdk_error(&format!("looking for load balancer {name}"), e)),
        };
        let Some(arn) = arn else { return Ok(None) };
        if crate::resource::find_named(self, c, crate::resource::with_id(planned, &arn), true).await?.is_none() {
            return Ok(None);
        }
        wait_active(c, &arn, timeout(planned, "create", DEFAULT_TIMEOUT)).await?;
        Ok(Some(self.read_one(c, &arn, planned).await?))
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
        let tags = match describe_tags(c, &found_arns).await {
            Ok(t) => t,
            Err(e) => return all_failed(current.len(), &e),
        };
        // One DescribeLoadBalancerAttributes per load balancer (the API takes one ARN).
        let attrs: HashMap<String, Result<HashMap<String, String>>> = stream::iter(found_arns.clone())
            .map(|arn| async move { (arn.clone(), lb_attributes(c, &arn).await) })
            .buffered(8)
            .collect()
            .await;
        current
            .iter()
            .map(|cur| {
                let arn = val::id(cur);
                let Some(lb) = found.get(&arn) else { return Ok(None) };
                let attrs = attrs.get(&arn).cloned().unwrap_or_else(|| Ok(HashMap::new()))?;
                Ok(Some(lb_value(c, lb, tags.get(&arn).unwrap_or(&BTreeMap::new()), &attrs, cur)))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let arn = val::id(prior);
        let elbv2 = &c.clients.elbv2;
        let changed = |k: &str| prior.get_attr(k) != planned.get_attr(k);
        let mut attrs = Vec::new();
        if changed("enable_deletion_protection") {
            attrs.push((
                "deletion_protection.enabled",
                val::boolean(planned, "enable_deletion_protection").unwrap_or(false).to_string(),
            ));
        }
        if is_application(planned) && changed("idle_timeout") {
            attrs.push(("idle_timeout.timeout_seconds", val::int(planned, "idle_timeout").unwrap_or(60).to_string()));
        }
        set_attributes(c, &arn, attrs).await?;
        if changed("security_groups") {
            elbv2
                .set_security_groups()
                .load_balancer_arn(&arn)
                .set_security_groups(Some(val::strings(planned, "security_groups")))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("setting the security groups of load balancer {arn}"), e))?;
        }
        if changed("subnets") {
            elbv2
                .set_subnets()
                .load_balancer_arn(&arn)
                .set_subnets(Some(val::strings(planned, "subnets")))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("setting the subnets of load balancer {arn}"), e))?;
        }
        if let Some(t) = val::string(planned, "ip_address_type").filter(|_| changed("ip_address_type")) {
            elbv2
                .set_ip_address_type()
                .load_balancer_arn(&arn)
                .ip_address_type(IpAddressType::from(t.as_str()))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("setting the IP address type of load balancer {arn}"), e))?;
        }
        update_tags(c, &arn, &val::string_map(prior, "tags_all"), &crate::tags::wanted(planned)).await?;
        wait_active(c, &arn, timeout(planned, "update", DEFAULT_TIMEOUT)).await?;
        self.read_one(c, &arn, planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let arn = val::id(prior);
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
            timeout(prior, "delete", DEFAULT_TIMEOUT),
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
