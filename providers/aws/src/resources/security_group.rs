//! `aws_security_group`, with inline `ingress` and `egress` rules.
//!
//! As in the Terraform provider: rules not configured at all are left as they are (managed by
//! `aws_security_group_rule`, say), except that a new group in a VPC loses AWS's default
//! allow-all egress rule; configured rules are made exactly so.

use crate::delete::{dependency_violation, retry_while_in_use};
use crate::describe::all_failed;
use crate::ec2::{describe_by_ids, filter, tag_map, tag_spec, update_tags};
use crate::errors::sdk_error;
use crate::resource::{Ctx, ResourceType, Result, time_suffix, with_tags, with_timeouts};
use crate::val::{self, Obj};
use crate::waiter::timeout;
use async_trait::async_trait;
use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, ResourceType as Rt, UserIdGroupPair};
use std::time::Duration;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct SecurityGroup;

fn rule_schema() -> Schema {
    Schema::new()
        .attr("from_port", Attribute::required(Type::Number))
        .attr("to_port", Attribute::required(Type::Number))
        .attr("protocol", Attribute::required(Type::String))
        .attr("cidr_blocks", Attribute::optional(Type::list(Type::String)))
        .attr("ipv6_cidr_blocks", Attribute::optional(Type::list(Type::String)))
        .attr("prefix_list_ids", Attribute::optional(Type::list(Type::String)))
        .attr("security_groups", Attribute::optional(Type::set(Type::String)))
        .attr("self", Attribute::optional(Type::Bool).default(false))
        .attr("description", Attribute::optional(Type::String))
}

fn schema() -> Schema {
    with_timeouts(
        with_tags(
            Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("arn", Attribute::computed(Type::String))
                .attr("name", Attribute::optional_computed(Type::String).force_new())
                .attr("name_prefix", Attribute::optional_computed(Type::String).force_new())
                .attr("description", Attribute::optional(Type::String).default("Managed by Terraform").force_new())
                .attr("vpc_id", Attribute::optional_computed(Type::String).force_new())
                .attr("owner_id", Attribute::computed(Type::String))
                .attr("revoke_rules_on_delete", Attribute::optional(Type::Bool).default(false))
                .block("ingress", NestedBlock::set(rule_schema()).with_attribute_syntax())
                .block("egress", NestedBlock::set(rule_schema()).with_attribute_syntax()),
        ),
        &["create", "delete"],
    )
}

/// A rule in a canonical form, for comparing configured and actual rules.
fn normalize(rule: &Value) -> Value {
    let proto = match val::string(rule, "protocol").unwrap_or_default().to_lowercase().as_str() {
        "all" | "-1" => "-1".to_string(),
        "6" => "tcp".to_string(),
        "17" => "udp".to_string(),
        "1" => "icmp".to_string(),
        other => other.to_string(),
    };
    let (from, to) = if proto == "-1" {
        (0, 0)
    } else {
        (val::int(rule, "from_port").unwrap_or(0), val::int(rule, "to_port").unwrap_or(0))
    };
    let mut cidrs = val::strings(rule, "cidr_blocks");
    cidrs.sort();
    let mut v6 = val::strings(rule, "ipv6_cidr_blocks");
    v6.sort();
    let mut pl = val::strings(rule, "prefix_list_ids");
    pl.sort();
    let opt_list = |v: Vec<String>| if v.is_empty() { Value::NULL } else { val::strs(v) };
    Value::object([
        ("from_port", Value::from(from)),
        ("to_port", Value::from(to)),
        ("protocol", Value::from(proto)),
        ("cidr_blocks", opt_list(cidrs)),
        ("ipv6_cidr_blocks", opt_list(v6)),
        ("prefix_list_ids", opt_list(pl)),
        ("security_groups", {
            let g = val::strings(rule, "security_groups");
            if g.is_empty() { Value::NULL } else { val::str_set(g) }
        }),
        ("self", Value::Bool(val::boolean(rule, "self").unwrap_or(false))),
        ("description", val::string(rule, "description").filter(|d| !d.is_empty()).map_or(Value::NULL, Value::from)),
    ])
}

fn permission(rule: &Value, own_id: &str) -> IpPermission {
    let r = normalize(rule);
    let desc = val::string(&r, "description");
    let mut groups: Vec<UserIdGroupPair> = val::strings(&r, "security_groups")
        .into_iter()
        .map(|g| UserIdGroupPair::builder().group_id(g).set_description(desc.clone()).build())
        .collect();
    if val::boolean(&r, "self") == Some(true) {
        groups.push(UserIdGroupPair::builder().group_id(own_id).set_description(desc.clone()).build());
    }
    let proto = val::string(&r, "protocol").unwrap_or_default();
    let mut p = IpPermission::builder().ip_protocol(proto.clone());
    if proto != "-1" {
        p = p
            .from_port(val::int(&r, "from_port").unwrap_or(0) as i32)
            .to_port(val::int(&r, "to_port").unwrap_or(0) as i32);
    }
    p.set_ip_ranges(Some(
        val::strings(&r, "cidr_blocks")
            .into_iter()
            .map(|c| IpRange::builder().cidr_ip(c).set_description(desc.clone()).build())
            .collect(),
    ))
    .set_ipv6_ranges(Some(
        val::strings(&r, "ipv6_cidr_blocks")
            .into_iter()
            .map(|c| Ipv6Range::builder().cidr_ipv6(c).set_description(desc.clone()).build())
            .collect(),
    ))
    .set_prefix_list_ids(Some(
        val::strings(&r, "prefix_list_ids")
            .into_iter()
            .map(|c| PrefixListId::builder().prefix_list_id(c).set_description(desc.clone()).build())
            .collect(),
    ))
    .set_user_id_group_pairs(Some(groups))
    .build()
}

/// A permission as AWS returns it, as a rule value.
fn rule_from(p: &IpPermission, own_id: &str) -> Value {
    let mut desc = None;
    let cidrs: Vec<String> = p
        .ip_ranges()
        .iter()
        .filter_map(|r| {
            desc = desc.clone().or(r.description().map(str::to_string));
            r.cidr_ip().map(str::to_string)
        })
        .collect();
    let v6: Vec<String> = p.ipv6_ranges().iter().filter_map(|r| r.cidr_ipv6().map(str::to_string)).collect();
    let pl: Vec<String> = p.prefix_list_ids().iter().filter_map(|r| r.prefix_list_id().map(str::to_string)).collect();
    let mut self_ref = false;
    let mut groups = Vec::new();
    for g in p.user_id_group_pairs() {
        desc = desc.or(g.description().map(str::to_string));
        match g.group_id() {
            Some(id) if id == own_id => self_ref = true,
            Some(id) => groups.push(id.to_string()),
            None => {}
        }
    }
    normalize(&Value::object([
        ("from_port", val::opt_num(p.from_port())),
        ("to_port", val::opt_num(p.to_port())),
        ("protocol", val::opt_str(p.ip_protocol())),
        ("cidr_blocks", val::strs(cidrs)),
        ("ipv6_cidr_blocks", val::strs(v6)),
        ("prefix_list_ids", val::strs(pl)),
        ("security_groups", val::str_set(groups)),
        ("self", Value::Bool(self_ref)),
        ("description", val::opt_str(desc.as_deref())),
    ]))
}

fn rules(v: &Value, k: &str) -> Vec<Value> {
    let mut r: Vec<Value> = val::blocks(v, k).iter().map(normalize).collect();
    r.sort_by(Value::total_cmp);
    r.dedup();
    r
}

enum Direction {
    Ingress,
    Egress,
}

async fn change_rules(c: &Ctx<'_>, id: &str, dir: Direction, old: &[Value], new: &[Value]) -> Result<()> {
    let removed: Vec<IpPermission> = old.iter().filter(|r| !new.contains(r)).map(|r| permission(r, id)).collect();
    let added: Vec<IpPermission> = new.iter().filter(|r| !old.contains(r)).map(|r| permission(r, id)).collect();
    let ec2 = &c.clients.ec2;
    match dir {
        Direction::Ingress => {
            if !removed.is_empty() {
                ec2.revoke_security_group_ingress()
                    .group_id(id)
                    .set_ip_permissions(Some(removed))
                    .send()
                    .await
                    .map_err(|e| sdk_error(&format!("revoking ingress rules of {id}"), e))?;
            }
            if !added.is_empty() {
                ec2.authorize_security_group_ingress()
                    .group_id(id)
                    .set_ip_permissions(Some(added))
                    .send()
                    .await
                    .map_err(|e| sdk_error(&format!("authorizing ingress rules of {id}"), e))?;
            }
        }
        Direction::Egress => {
            if !removed.is_empty() {
                ec2.revoke_security_group_egress()
                    .group_id(id)
                    .set_ip_permissions(Some(removed))
                    .send()
                    .await
                    .map_err(|e| sdk_error(&format!("revoking egress rules of {id}"), e))?;
            }
            if !added.is_empty() {
                ec2.authorize_security_group_egress()
                    .group_id(id)
                    .set_ip_permissions(Some(added))
                    .send()
                    .await
                    .map_err(|e| sdk_error(&format!("authorizing egress rules of {id}"), e))?;
            }
        }
    }
    Ok(())
}

fn configured(config: &Value, k: &str) -> bool {
    config.get_attr(k).is_some_and(|v| v.is_unknown() || v.as_seq().is_some_and(|s| !s.is_empty()))
}

impl SecurityGroup {
    async fn read_one(&self, c: &Ctx<'_>, id: &str, like: &Value) -> Result<Value> {
        let mut stub = like.clone();
        stub.set_at_path(&[PathStep::Attr("id".into())], Value::from(id));
        self.read_many(c, &[stub])
            .await
            .pop()
            .unwrap_or(Ok(None))?
            .ok_or_else(|| ProviderError::new(format!("security group {id} is gone")))
    }
}

#[async_trait]
impl ResourceType for SecurityGroup {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::Ec2("id"))
    }

    fn name(&self) -> &'static str {
        "aws_security_group"
    }
    /// hashicorp/aws's schema version: state is stored in that version's shape.
    fn schema_version(&self) -> u64 {
        1
    }
    fn state_upgrades(&self) -> crate::upgrade::Upgrades {
        // vpc_security_group.go: `MigrateState: securityGroupMigrateState`.
        crate::upgrade::Upgrades::migrate(crate::upgrade::security_group_migrate)
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        for k in ["ingress", "egress"] {
            let value = if configured(config, k) {
                // Configured rules, in the canonical form reads produce ("all" is "-1", ...).
                match plan.planned.get_attr(k) {
                    Some(v) if v.is_wholly_known() => Value::set_any(rules(&plan.planned, k)),
                    Some(v) => v.clone(),
                    None => Value::DYNAMIC,
                }
            } else if plan.requires_replace.is_empty() {
                // Unconfigured rule lists are computed: kept as they are, decided at creation.
                prior.and_then(|p| p.get_attr(k)).cloned().unwrap_or(Value::DYNAMIC)
            } else {
                Value::DYNAMIC
            };
            plan.planned.set_at_path(&[PathStep::Attr(k.into())], value);
        }
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let name = match val::string(planned, "name") {
            Some(n) => n,
            None => format!(
                "{}{}",
                val::string(planned, "name_prefix").unwrap_or_else(|| "terraform-".into()),
                time_suffix()
            ),
        };
        let tags = crate::tags::at_create(c, planned);
        let out = c
            .clients
            .ec2
            .create_security_group()
            .group_name(&name)
            .description(val::string(planned, "description").unwrap_or_else(|| "Managed by Terraform".into()))
            .set_vpc_id(val::string(planned, "vpc_id"))
            .set_tag_specifications(tag_spec(Rt::SecurityGroup, &tags).map(|t| vec![t]))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("creating security group {name}"), e))?;
        let id = out
            .group_id()
            .ok_or_else(|| ProviderError::new("creating security group: no group ID in the response"))?
            .to_string();
        let partial = || Value::object([("id", Value::from(id.as_str())), ("name", Value::from(name.as_str()))]);
        // Read what AWS made (the default egress rule in a VPC), then make the rules so.
        let fresh = self.read_one(c, &id, planned).await.map_err(|e| e.with_partial_state(partial()))?;
        let ingress = if planned.get_attr("ingress").is_some_and(Value::is_unknown) {
            Vec::new()
        } else {
            rules(planned, "ingress")
        };
        let egress = if planned.get_attr("egress").is_some_and(Value::is_unknown) {
            Vec::new()
        } else {
            rules(planned, "egress")
        };
        change_rules(c, &id, Direction::Ingress, &rules(&fresh, "ingress"), &ingress)
            .await
            .map_err(|e| e.with_partial_state(fresh.clone()))?;
        change_rules(c, &id, Direction::Egress, &rules(&fresh, "egress"), &egress)
            .await
            .map_err(|e| e.with_partial_state(fresh.clone()))?;
        self.read_one(c, &id, planned).await.map_err(|e| e.with_partial_state(fresh.clone()))
    }

    /// Found by the token tag its create gave it (CreateSecurityGroup TagSpecifications; the name is unique only within its VPC, and may be generated).
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let Some(id) = crate::ec2::find_by_token(c, "security-group").await? else { return Ok(None) };
        crate::resource::read_stub(self, c, crate::resource::with_id(planned, &id)).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let ids: Vec<String> = current.iter().map(val::id).collect();
        let describe = |page| {
            c.clients.ec2.describe_security_groups().filters(filter("group-id", page)).into_paginator().items().send()
        };
        let mut found = match describe_by_ids(
            &ids,
            "reading security groups",
            describe,
            aws_sdk_ec2::types::SecurityGroup::group_id,
        )
        .await
        {
            Ok(f) => f,
            Err(msg) => return all_failed(current.len(), &ProviderError::new(msg)),
        };
        current
            .iter()
            .map(|cur| {
                let id = val::id(cur);
                let Some(g) = found.remove(&id) else { return Ok(None) };
                let (tags, tags_all) = crate::tags::read_back(&tag_map(g.tags()), c.default_tags(), cur);
                let owner = g.owner_id().unwrap_or_default();
                let ingress: Vec<Value> = g.ip_permissions().iter().map(|p| rule_from(p, &id)).collect();
                let egress: Vec<Value> = g.ip_permissions_egress().iter().map(|p| rule_from(p, &id)).collect();
                Ok(Some(
                    Obj::new(&schema())
                        .set("id", id.as_str())
                        .set("arn", format!("arn:aws:ec2:{}:{owner}:security-group/{id}", c.clients.region))
                        .set("name", val::opt_str(g.group_name()))
                        .set("description", val::opt_str(g.description()))
                        .set("vpc_id", val::opt_str(g.vpc_id()))
                        .set("owner_id", owner)
                        .set("ingress", Value::set_any(ingress))
                        .set("egress", Value::set_any(egress))
                        .set("tags", tags)
                        .set("tags_all", tags_all)
                        .set(
                            "revoke_rules_on_delete",
                            Value::Bool(val::boolean(cur, "revoke_rules_on_delete").unwrap_or(false)),
                        )
                        .set(
                            "name_prefix",
                            crate::resource::prefix_read_back(cur, "name_prefix", g.group_name().unwrap_or_default()),
                        )
                        .keep(cur, &["timeouts"])
                        .build(),
                ))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = val::id(prior);
        for (k, dir) in [("ingress", Direction::Ingress), ("egress", Direction::Egress)] {
            let want = planned.get_attr(k).cloned().unwrap_or(Value::NULL);
            if want.is_unknown() || !want.is_wholly_known() {
                continue;
            }
            let (old, new) = (rules(prior, k), rules(planned, k));
            if old != new {
                change_rules(c, &id, dir, &old, &new).await?;
            }
        }
        update_tags(&c.clients.ec2, &id, &val::string_map(prior, "tags_all"), &crate::tags::wanted(planned)).await?;
        self.read_one(c, &id, planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let id = val::id(prior);
        if val::boolean(prior, "revoke_rules_on_delete") == Some(true) {
            change_rules(c, &id, Direction::Ingress, &rules(prior, "ingress"), &[]).await?;
            change_rules(c, &id, Direction::Egress, &rules(prior, "egress"), &[]).await?;
        }
        retry_while_in_use(
            &format!("security group {id} to be deleted"),
            timeout(prior, "delete", Duration::from_secs(15 * 60)),
            &format!("deleting security group {id}"),
            dependency_violation,
            || c.clients.ec2.delete_security_group().group_id(&id).send(),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_normalize_protocols_and_order() {
        let a = normalize(&Value::object([
            ("from_port", Value::from(22i64)),
            ("to_port", Value::from(22i64)),
            ("protocol", Value::from("6")),
            ("cidr_blocks", val::strs(["10.0.0.0/8", "0.0.0.0/0"])),
        ]));
        let b = normalize(&Value::object([
            ("from_port", Value::from(22i64)),
            ("to_port", Value::from(22i64)),
            ("protocol", Value::from("tcp")),
            ("cidr_blocks", val::strs(["0.0.0.0/0", "10.0.0.0/8"])),
            ("self", Value::Bool(false)),
            ("description", Value::from("")),
        ]));
        assert_eq!(a, b);
        let all = normalize(&Value::object([
            ("from_port", Value::from(5i64)),
            ("to_port", Value::from(9i64)),
            ("protocol", Value::from("all")),
        ]));
        assert_eq!(all.get_attr("from_port"), Some(&Value::from(0i64)));
        assert_eq!(all.get_attr("protocol"), Some(&Value::from("-1")));
    }
}
