//! `aws_security_group`, with inline `ingress` and `egress` rules.
//!
//! As in the Terraform provider: rules not configured at all are left as they are (managed by
//! `aws_security_group_rule`, say), except that a new group in a VPC loses AWS's default
//! allow-all egress rule; configured rules are made exactly so.

use crate::delete::{dependency_violation, retry_while_in_use};
use crate::describe::all_failed;
use crate::ec2::{describe_by_ids, filter, tag_map, tag_spec, update_tags};
use crate::errors::sdk_error;
use crate::model::{CreateDeleteTimeouts, Op, Tags, known, limit};
use crate::resource::{Ctx, ResourceType, Result, prefix_of, time_suffix};
use async_trait::async_trait;
use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range, PrefixListId, ResourceType as Rt, UserIdGroupPair};
use std::collections::BTreeSet;
use std::time::Duration;
use terrane_engine::model::{Blocks, Model};
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::{Nesting, Schema};
use terrane_engine::value::{PathStep, Value};

pub struct SecurityGroup;

/// An `aws_security_group` object.
#[derive(Model, Clone, Debug, Default)]
struct SecurityGroupObject {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(optional, computed, force_new)]
    name: Option<String>,
    #[model(optional, computed, force_new)]
    name_prefix: Option<String>,
    #[model(optional, default = "Managed by Terraform", force_new)]
    description: String,
    #[model(optional, computed, force_new)]
    vpc_id: Option<String>,
    #[model(computed)]
    owner_id: Option<String>,
    #[model(optional, default = false)]
    revoke_rules_on_delete: bool,
    #[model(block = "set", attribute_syntax)]
    ingress: Vec<Rule>,
    #[model(block = "set", attribute_syntax)]
    egress: Vec<Rule>,
    #[model(flatten)]
    tags: Tags,
    #[model(block = "single")]
    timeouts: Option<CreateDeleteTimeouts>,
}

/// An `ingress` or `egress` rule.
#[derive(Model, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Rule {
    #[model(required)]
    from_port: i64,
    #[model(required)]
    to_port: i64,
    #[model(required)]
    protocol: String,
    #[model(optional)]
    cidr_blocks: Option<Vec<String>>,
    #[model(optional)]
    ipv6_cidr_blocks: Option<Vec<String>>,
    #[model(optional)]
    prefix_list_ids: Option<Vec<String>>,
    #[model(optional)]
    security_groups: Option<BTreeSet<String>>,
    #[model(optional, default = false, name = "self")]
    self_ref: bool,
    #[model(optional)]
    description: Option<String>,
}

impl Rule {
    /// The rule in a canonical form, for comparing configured and actual rules: protocols by
    /// name ("all" is "-1", and has no ports), lists sorted, empty lists and strings as null.
    fn normalized(self) -> Rule {
        let protocol = match self.protocol.to_lowercase().as_str() {
            "all" | "-1" => "-1".to_string(),
            "6" => "tcp".to_string(),
            "17" => "udp".to_string(),
            "1" => "icmp".to_string(),
            other => other.to_string(),
        };
        let (from_port, to_port) = if protocol == "-1" { (0, 0) } else { (self.from_port, self.to_port) };
        let sorted = |v: Option<Vec<String>>| {
            let mut v = v.unwrap_or_default();
            v.sort();
            Some(v).filter(|v| !v.is_empty())
        };
        Rule {
            from_port,
            to_port,
            protocol,
            cidr_blocks: sorted(self.cidr_blocks),
            ipv6_cidr_blocks: sorted(self.ipv6_cidr_blocks),
            prefix_list_ids: sorted(self.prefix_list_ids),
            security_groups: self.security_groups.filter(|g| !g.is_empty()),
            self_ref: self.self_ref,
            description: self.description.filter(|d| !d.is_empty()),
        }
    }
}

fn permission(rule: &Rule, own_id: &str) -> IpPermission {
    let r = rule.clone().normalized();
    let desc = r.description.clone();
    let mut groups: Vec<UserIdGroupPair> = r
        .security_groups
        .iter()
        .flatten()
        .map(|g| UserIdGroupPair::builder().group_id(g).set_description(desc.clone()).build())
        .collect();
    if r.self_ref {
        groups.push(UserIdGroupPair::builder().group_id(own_id).set_description(desc.clone()).build());
    }
    let mut p = IpPermission::builder().ip_protocol(r.protocol.clone());
    if r.protocol != "-1" {
        p = p.from_port(r.from_port as i32).to_port(r.to_port as i32);
    }
    let each = |v: &Option<Vec<String>>| v.iter().flatten().cloned().collect::<Vec<_>>();
    p.set_ip_ranges(Some(
        each(&r.cidr_blocks)
            .into_iter()
            .map(|c| IpRange::builder().cidr_ip(c).set_description(desc.clone()).build())
            .collect(),
    ))
    .set_ipv6_ranges(Some(
        each(&r.ipv6_cidr_blocks)
            .into_iter()
            .map(|c| Ipv6Range::builder().cidr_ipv6(c).set_description(desc.clone()).build())
            .collect(),
    ))
    .set_prefix_list_ids(Some(
        each(&r.prefix_list_ids)
            .into_iter()
            .map(|c| PrefixListId::builder().prefix_list_id(c).set_description(desc.clone()).build())
            .collect(),
    ))
    .set_user_id_group_pairs(Some(groups))
    .build()
}

/// A permission as AWS returns it, as a rule.
fn rule_from(p: &IpPermission, own_id: &str) -> Rule {
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
    let mut groups = BTreeSet::new();
    for g in p.user_id_group_pairs() {
        desc = desc.or(g.description().map(str::to_string));
        match g.group_id() {
            Some(id) if id == own_id => self_ref = true,
            Some(id) => {
                groups.insert(id.to_string());
            }
            None => {}
        }
    }
    Rule {
        from_port: p.from_port().map_or(0, i64::from),
        to_port: p.to_port().map_or(0, i64::from),
        protocol: p.ip_protocol().unwrap_or_default().to_string(),
        cidr_blocks: Some(cidrs),
        ipv6_cidr_blocks: Some(v6),
        prefix_list_ids: Some(pl),
        security_groups: Some(groups),
        self_ref,
        description: desc,
    }
    .normalized()
}

/// The rules in canonical form, sorted, each once.
fn rules(blocks: &[Rule]) -> Vec<Rule> {
    let mut r: Vec<Rule> = blocks.iter().cloned().map(Rule::normalized).collect();
    r.sort();
    r.dedup();
    r
}

enum Direction {
    Ingress,
    Egress,
}

async fn change_rules(c: &Ctx<'_>, id: &str, dir: Direction, old: &[Rule], new: &[Rule]) -> Result<()> {
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
    async fn read_one(&self, c: &Ctx<'_>, id: &str, like: &SecurityGroupObject) -> Result<Value> {
        let stub = SecurityGroupObject { id: Some(id.to_string()), ..like.clone() };
        crate::resource::read_model(self, c, &stub, &format!("security group {id}")).await
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
        SecurityGroupObject::schema()
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        for k in ["ingress", "egress"] {
            let value = if configured(config, k) {
                // Configured rules, in the canonical form reads produce ("all" is "-1", ...).
                match plan.planned.get_attr(k) {
                    Some(v) if v.is_wholly_known() => match Vec::<Rule>::from_blocks(Some(v), true) {
                        Ok(r) => rules(&r).to_blocks(Nesting::Set),
                        Err(_) => v.clone(),
                    },
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

    async fn create(&self, c: &Ctx<'_>, raw: &Value) -> Result<Value> {
        let planned = SecurityGroupObject::from_value(raw)?;
        let name = match &planned.name {
            Some(n) => n.clone(),
            None => format!("{}{}", planned.name_prefix.as_deref().unwrap_or("terraform-"), time_suffix()),
        };
        let tags = planned.tags.at_create(c);
        let out = c
            .clients
            .ec2
            .create_security_group()
            .group_name(&name)
            .description(&planned.description)
            .set_vpc_id(planned.vpc_id.clone())
            .set_tag_specifications(tag_spec(Rt::SecurityGroup, &tags).map(|t| vec![t]))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("creating security group {name}"), e))?;
        let id = out
            .group_id()
            .ok_or_else(|| ProviderError::new("creating security group: no group ID in the response"))?
            .to_string();
        let partial = || {
            SecurityGroupObject { id: Some(id.clone()), name: Some(name.clone()), ..SecurityGroupObject::default() }
                .to_value()
        };
        // Read what AWS made (the default egress rule in a VPC), then make the rules so.
        let fresh = self.read_one(c, &id, &planned).await.map_err(|e| e.with_partial_state(partial()))?;
        let made = SecurityGroupObject::from_stub(&fresh)?;
        // Rules not known yet (an unknown set) are left for a later update.
        let want = |k: &str, r: &[Rule]| if known(raw, k) { rules(r) } else { Vec::new() };
        change_rules(c, &id, Direction::Ingress, &rules(&made.ingress), &want("ingress", &planned.ingress))
            .await
            .map_err(|e| e.with_partial_state(fresh.clone()))?;
        change_rules(c, &id, Direction::Egress, &rules(&made.egress), &want("egress", &planned.egress))
            .await
            .map_err(|e| e.with_partial_state(fresh.clone()))?;
        self.read_one(c, &id, &planned).await.map_err(|e| e.with_partial_state(fresh.clone()))
    }

    /// Found by the token tag its create gave it (CreateSecurityGroup TagSpecifications; the name is unique only within its VPC, and may be generated).
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let Some(id) = crate::ec2::find_by_token(c, "security-group").await? else { return Ok(None) };
        crate::resource::read_stub(self, c, crate::resource::with_id(planned, &id)).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let ids: Vec<String> = current.iter().map(crate::val::id).collect();
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
                let cur = SecurityGroupObject::from_stub(cur)?;
                let Some(g) = cur.id.as_ref().and_then(|id| found.remove(id)) else { return Ok(None) };
                let id = g.group_id().unwrap_or_default();
                let owner = g.owner_id().unwrap_or_default();
                let name = g.group_name().unwrap_or_default();
                Ok(Some(
                    SecurityGroupObject {
                        id: Some(id.to_string()),
                        arn: Some(format!("arn:aws:ec2:{}:{owner}:security-group/{id}", c.clients.region)),
                        name: g.group_name().map(str::to_string),
                        name_prefix: prefix_of(cur.name_prefix.as_deref(), name),
                        description: g.description().unwrap_or_default().to_string(),
                        vpc_id: g.vpc_id().map(str::to_string),
                        owner_id: Some(owner.to_string()),
                        revoke_rules_on_delete: cur.revoke_rules_on_delete,
                        ingress: g.ip_permissions().iter().map(|p| rule_from(p, id)).collect(),
                        egress: g.ip_permissions_egress().iter().map(|p| rule_from(p, id)).collect(),
                        tags: cur.tags.read_back(c, &tag_map(g.tags())),
                        timeouts: cur.timeouts,
                    }
                    .to_value(),
                ))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, raw_prior: &Value, raw: &Value) -> Result<Value> {
        let (prior, planned) = (SecurityGroupObject::from_stub(raw_prior)?, SecurityGroupObject::from_value(raw)?);
        let id = prior.id.clone().unwrap_or_default();
        let sides = [
            ("ingress", Direction::Ingress, &prior.ingress, &planned.ingress),
            ("egress", Direction::Egress, &prior.egress, &planned.egress),
        ];
        for (k, dir, old, new) in sides {
            let (old, new) = (rules(old), rules(new));
            if known(raw, k) && old != new {
                change_rules(c, &id, dir, &old, &new).await?;
            }
        }
        update_tags(&c.clients.ec2, &id, &prior.tags.wanted(), &planned.tags.wanted()).await?;
        self.read_one(c, &id, &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = SecurityGroupObject::from_stub(prior)?;
        let id = prior.id.clone().unwrap_or_default();
        if prior.revoke_rules_on_delete {
            change_rules(c, &id, Direction::Ingress, &rules(&prior.ingress), &[]).await?;
            change_rules(c, &id, Direction::Egress, &rules(&prior.egress), &[]).await?;
        }
        retry_while_in_use(
            &format!("security group {id} to be deleted"),
            limit(&prior.timeouts, Op::Delete, Duration::from_secs(15 * 60)),
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

    fn rule(v: Value) -> Rule {
        Rule::from_stub(&v).unwrap().normalized()
    }

    #[test]
    fn rules_normalize_protocols_and_order() {
        let strs =
            |s: &[&str]| Value::list(terrane_engine::value::Type::String, s.iter().map(|s| Value::from(*s)).collect());
        let a = rule(Value::object([
            ("from_port", Value::from(22i64)),
            ("to_port", Value::from(22i64)),
            ("protocol", Value::from("6")),
            ("cidr_blocks", strs(&["10.0.0.0/8", "0.0.0.0/0"])),
        ]));
        let b = rule(Value::object([
            ("from_port", Value::from(22i64)),
            ("to_port", Value::from(22i64)),
            ("protocol", Value::from("tcp")),
            ("cidr_blocks", strs(&["0.0.0.0/0", "10.0.0.0/8"])),
            ("self", Value::Bool(false)),
            ("description", Value::from("")),
        ]));
        assert_eq!(a, b);
        assert_eq!(a.description, None);
        let all = rule(Value::object([
            ("from_port", Value::from(5i64)),
            ("to_port", Value::from(9i64)),
            ("protocol", Value::from("all")),
        ]));
        assert_eq!((all.from_port, all.protocol.as_str()), (0, "-1"));
        assert_eq!(rules(&[a.clone(), b]), vec![a], "the same rule twice is one rule");
    }
}
