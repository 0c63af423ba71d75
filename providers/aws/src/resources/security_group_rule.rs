//! `aws_security_group_rule`: one ingress or egress permission of a security group, as the
//! Terraform provider manages it: the ID is Terraform's `sgrule-<hash>`, every argument but
//! `description` forces replacement, and a read finds the rule among the group's permissions
//! (it still exists while every source it names is still allowed). Import takes Terraform's
//! `sg-xxx_ingress_tcp_22_22_10.0.0.0/8[_source...]` or a security group rule ID (`sgr-xxx`).

use crate::ec2::{FILTER_PAGE, filter};
use crate::errors::{code, conflict_on_first_attempt, sdk_error, taken_if};
use crate::model::{CreateTimeouts, Op, limit};
use crate::resource::{Ctx, ResourceType, Result, chunks, crc32, invalid};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_ec2::types::{
    IpPermission, IpRange, Ipv6Range, PrefixListId, SecurityGroup, SecurityGroupRule as ApiRule, UserIdGroupPair,
};
use std::collections::HashMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::{PathStep, Value};

pub struct SecurityGroupRule;

/// An `aws_security_group_rule` object.
#[derive(Model, Clone, Debug, Default)]
struct RuleObject {
    #[model(computed)]
    id: Option<String>,
    #[model(required, force_new, name = "type")]
    kind: String,
    #[model(required, force_new)]
    from_port: i64,
    #[model(required, force_new)]
    to_port: i64,
    #[model(required, force_new)]
    protocol: String,
    #[model(optional, force_new)]
    cidr_blocks: Option<Vec<String>>,
    #[model(optional, force_new)]
    ipv6_cidr_blocks: Option<Vec<String>>,
    #[model(optional, force_new)]
    prefix_list_ids: Option<Vec<String>>,
    #[model(required, force_new)]
    security_group_id: String,
    #[model(optional, computed, force_new)]
    source_security_group_id: Option<String>,
    #[model(optional, default = false, force_new, name = "self")]
    self_ref: bool,
    #[model(optional)]
    description: Option<String>,
    #[model(computed)]
    security_group_rule_id: Option<String>,
    #[model(block = "single")]
    timeouts: Option<CreateTimeouts>,
}

/// Terraform's `ProtocolForValue`: names for the protocols that have one, `-1` for all.
pub fn protocol_for_value(v: &str) -> String {
    let p = v.to_lowercase();
    match p.as_str() {
        "-1" | "all" => "-1".into(),
        "tcp" | "udp" | "icmp" | "icmpv6" => p,
        "6" => "tcp".into(),
        "17" => "udp".into(),
        "1" => "icmp".into(),
        "58" => "icmpv6".into(),
        _ => p,
    }
}

/// What identifies a rule: its group, direction, protocol, ports and sources.
#[derive(Clone, Debug, PartialEq)]
struct Rule {
    group: String,
    kind: String,
    protocol: String,
    from: i64,
    to: i64,
    cidrs: Vec<String>,
    ipv6: Vec<String>,
    prefix_lists: Vec<String>,
    source: Option<String>,
    self_: bool,
    description: Option<String>,
}

impl Rule {
    /// The rule an object names (`None` when its group, direction or protocol is missing, as
    /// in an import stub that has only the ID).
    fn of(o: &RuleObject) -> Option<Rule> {
        if o.security_group_id.is_empty() || o.kind.is_empty() || o.protocol.is_empty() {
            return None;
        }
        Some(Rule {
            group: o.security_group_id.clone(),
            kind: o.kind.clone(),
            protocol: protocol_for_value(&o.protocol),
            from: o.from_port,
            to: o.to_port,
            cidrs: o.cidr_blocks.clone().unwrap_or_default(),
            ipv6: o.ipv6_cidr_blocks.clone().unwrap_or_default(),
            prefix_lists: o.prefix_list_ids.clone().unwrap_or_default(),
            source: o.source_security_group_id.clone().filter(|s| !s.is_empty()),
            self_: o.self_ref,
            description: o.description.clone().filter(|s| !s.is_empty()),
        })
    }

    /// Terraform's import ID: `sg-xxx_ingress_tcp_8000_8000_10.0.3.0/24[_source]*`.
    fn from_import_id(id: &str) -> Option<Rule> {
        let parts: Vec<String> = id.to_lowercase().split('_').map(str::to_string).collect();
        if parts.len() < 6 || !parts[0].starts_with("sg-") || !matches!(parts[1].as_str(), "ingress" | "egress") {
            return None;
        }
        let mut r = Rule {
            group: parts[0].clone(),
            kind: parts[1].clone(),
            protocol: protocol_for_value(&parts[2]),
            from: parts[3].parse().ok()?,
            to: parts[4].parse().ok()?,
            cidrs: Vec::new(),
            ipv6: Vec::new(),
            prefix_lists: Vec::new(),
            source: None,
            self_: false,
            description: None,
        };
        for s in &parts[5..] {
            if s == "self" {
                r.self_ = true;
            } else if s.contains("sg-") {
                r.source = Some(s.clone());
            } else if s.contains("pl-") {
                r.prefix_lists.push(s.clone());
            } else if s.contains(':') {
                r.ipv6.push(s.clone());
            } else if s.contains('.') {
                r.cidrs.push(s.clone());
            } else {
                return None;
            }
        }
        Some(r)
    }

    /// The referenced groups (the source group and the group itself for `self`), sorted.
    fn groups(&self) -> Vec<String> {
        let mut g: Vec<String> = self.source.iter().map(|s| s.rsplit('/').next().unwrap_or(s).to_string()).collect();
        if self.self_ {
            g.push(self.group.clone());
        }
        g.sort();
        g.dedup();
        g
    }

    fn permission(&self) -> IpPermission {
        let d = self.description.clone();
        let mut p = IpPermission::builder().ip_protocol(&self.protocol);
        if self.protocol != "-1" {
            p = p.from_port(self.from as i32).to_port(self.to as i32);
        }
        p.set_ip_ranges(Some(
            self.cidrs.iter().map(|c| IpRange::builder().cidr_ip(c).set_description(d.clone()).build()).collect(),
        ))
        .set_ipv6_ranges(Some(
            self.ipv6.iter().map(|c| Ipv6Range::builder().cidr_ipv6(c).set_description(d.clone()).build()).collect(),
        ))
        .set_prefix_list_ids(Some(
            self.prefix_lists
                .iter()
                .map(|c| PrefixListId::builder().prefix_list_id(c).set_description(d.clone()).build())
                .collect(),
        ))
        .set_user_id_group_pairs(Some(
            self.groups()
                .into_iter()
                .map(|g| UserIdGroupPair::builder().group_id(g).set_description(d.clone()).build())
                .collect(),
        ))
        .build()
    }

    /// Terraform's `IPPermissionIDHash`.
    fn id(&self) -> String {
        let mut b = format!("{}-", self.group);
        if self.protocol != "-1" {
            if self.from > 0 {
                b.push_str(&format!("{}-", self.from));
            }
            if self.to > 0 {
                b.push_str(&format!("{}-", self.to));
            }
        }
        b.push_str(&format!("{}-{}-", self.protocol, self.kind));
        for list in [&self.cidrs, &self.ipv6, &self.prefix_lists] {
            let mut s = list.clone();
            s.sort();
            for v in s {
                b.push_str(&format!("{v}-"));
            }
        }
        for g in self.groups() {
            b.push_str(&format!("{g}--"));
        }
        format!("sgrule-{}", crc32(b.as_bytes()))
    }

    /// Whether an AWS permission holds this rule (same protocol and ports, every source).
    fn matches(&self, p: &IpPermission) -> bool {
        if protocol_for_value(p.ip_protocol().unwrap_or_default()) != self.protocol {
            return false;
        }
        if self.protocol != "-1"
            && (p.from_port().map(i64::from) != Some(self.from) || p.to_port().map(i64::from) != Some(self.to))
        {
            return false;
        }
        let has =
            |list: Vec<&str>, want: &[String]| want.iter().all(|w| list.iter().any(|x| x.eq_ignore_ascii_case(w)));
        has(p.ip_ranges().iter().filter_map(|r| r.cidr_ip()).collect(), &self.cidrs)
            && has(p.ipv6_ranges().iter().filter_map(|r| r.cidr_ipv6()).collect(), &self.ipv6)
            && has(p.prefix_list_ids().iter().filter_map(|r| r.prefix_list_id()).collect(), &self.prefix_lists)
            && has(p.user_id_group_pairs().iter().filter_map(|g| g.group_id()).collect(), &self.groups())
    }

    /// The description AWS holds on one of this rule's sources.
    fn description_in(&self, p: &IpPermission) -> Option<String> {
        let found = p
            .ip_ranges()
            .iter()
            .filter(|r| r.cidr_ip().is_some_and(|c| self.cidrs.iter().any(|x| x == c)))
            .filter_map(|r| r.description())
            .chain(
                p.ipv6_ranges()
                    .iter()
                    .filter(|r| r.cidr_ipv6().is_some_and(|c| self.ipv6.iter().any(|x| x.eq_ignore_ascii_case(c))))
                    .filter_map(|r| r.description()),
            )
            .chain(
                p.prefix_list_ids()
                    .iter()
                    .filter(|r| r.prefix_list_id().is_some_and(|c| self.prefix_lists.iter().any(|x| x == c)))
                    .filter_map(|r| r.description()),
            )
            .chain(
                p.user_id_group_pairs()
                    .iter()
                    .filter(|g| g.group_id().is_some_and(|c| self.groups().iter().any(|x| x == c)))
                    .filter_map(|g| g.description()),
            )
            .find(|d| !d.is_empty());
        found.map(str::to_string)
    }

    /// The ID AWS gives the rule, when it names exactly one source.
    fn rule_id(&self, rules: &[ApiRule]) -> Option<String> {
        let sources = self.cidrs.len() + self.ipv6.len() + self.prefix_lists.len() + self.groups().len();
        if sources != 1 {
            return None;
        }
        rules
            .iter()
            .find(|r| {
                r.group_id() == Some(self.group.as_str())
                    && r.is_egress() == Some(self.kind == "egress")
                    && protocol_for_value(r.ip_protocol().unwrap_or_default()) == self.protocol
                    && (self.protocol == "-1"
                        || (r.from_port().map(i64::from) == Some(self.from)
                            && r.to_port().map(i64::from) == Some(self.to)))
                    && (self.cidrs.first().map(String::as_str) == r.cidr_ipv4()
                        && self.ipv6.first().map(String::as_str) == r.cidr_ipv6()
                        && self.prefix_lists.first().map(String::as_str) == r.prefix_list_id()
                        && self.groups().first().map(String::as_str)
                            == r.referenced_group_info().and_then(|g| g.group_id()))
            })
            .and_then(|r| r.security_group_rule_id().map(str::to_string))
    }

    /// The object: the rule's arguments as given (`cur`'s lists, as written), and what AWS
    /// computed.
    fn object(&self, cur: &RuleObject, description: Option<String>, rule_id: Option<String>) -> RuleObject {
        let list = |given: &Option<Vec<String>>, items: &[String]| {
            given.clone().or_else(|| Some(items.to_vec()).filter(|i| !i.is_empty()))
        };
        RuleObject {
            id: Some(self.id()),
            kind: self.kind.clone(),
            from_port: self.from,
            to_port: self.to,
            protocol: self.protocol.clone(),
            cidr_blocks: list(&cur.cidr_blocks, &self.cidrs),
            ipv6_cidr_blocks: list(&cur.ipv6_cidr_blocks, &self.ipv6),
            prefix_list_ids: list(&cur.prefix_list_ids, &self.prefix_lists),
            security_group_id: self.group.clone(),
            source_security_group_id: self.source.clone(),
            self_ref: self.self_,
            description,
            security_group_rule_id: rule_id,
            timeouts: cur.timeouts.clone(),
        }
    }
}

/// The rule a state value or import stub describes.
fn rule_of(o: &RuleObject) -> Option<Rule> {
    Rule::of(o).or_else(|| Rule::from_import_id(o.id.as_deref().unwrap_or_default()))
}

/// Security groups and their rules, a few calls for many groups.
async fn describe(
    c: &Ctx<'_>,
    groups: &[String],
) -> std::result::Result<(HashMap<String, SecurityGroup>, Vec<ApiRule>), String> {
    let mut found = HashMap::new();
    let mut rules = Vec::new();
    for page in chunks(groups, FILTER_PAGE) {
        let listed = c
            .clients
            .ec2
            .describe_security_groups()
            .filters(filter("group-id", page.clone()))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| crate::errors::describe("reading security groups", &e))?;
        for g in listed {
            if let Some(id) = g.group_id().map(str::to_string) {
                found.insert(id, g);
            }
        }
        let present: Vec<String> = page.iter().filter(|g| found.contains_key(*g)).cloned().collect();
        if present.is_empty() {
            continue;
        }
        let mut pages =
            c.clients.ec2.describe_security_group_rules().filters(filter("group-id", present)).into_paginator().send();
        while let Some(page) = pages.next().await {
            match page {
                Ok(out) => rules.extend(out.security_group_rules().iter().cloned()),
                // Rule IDs are extra information: an endpoint without the API still reads rules
                // (those of the pages read before the failure are kept).
                Err(e) => {
                    tracing::debug!("{}", crate::errors::describe("reading security group rule IDs", &e));
                    break;
                }
            }
        }
    }
    Ok((found, rules))
}

fn find(r: &Rule, g: &SecurityGroup) -> Option<IpPermission> {
    let perms = if r.kind == "egress" { g.ip_permissions_egress() } else { g.ip_permissions() };
    perms.iter().find(|p| r.matches(p)).cloned()
}

impl SecurityGroupRule {
    async fn read_one(&self, c: &Ctx<'_>, like: &RuleObject) -> Result<Option<Value>> {
        crate::resource::read_stub(self, c, like.to_value()).await
    }
}

#[async_trait]
impl ResourceType for SecurityGroupRule {
    fn name(&self) -> &'static str {
        "aws_security_group_rule"
    }
    /// hashicorp/aws's schema version: state is stored in that version's shape.
    fn schema_version(&self) -> u64 {
        2
    }
    fn state_upgrades(&self) -> crate::upgrade::Upgrades {
        // vpc_security_group_rule.go: `MigrateState: securityGroupRuleMigrateState`.
        crate::upgrade::Upgrades::migrate(crate::upgrade::security_group_rule_migrate)
    }

    fn schema(&self) -> Schema {
        RuleObject::schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut d = Vec::new();
        if let Some(t) = config.get_attr("type").and_then(Value::as_str)
            && t != "ingress"
            && t != "egress"
        {
            d.push(invalid(
                "Invalid security group rule type",
                format!("type must be \"ingress\" or \"egress\", not {t:?}"),
            ));
        }
        let set =
            |k: &str| config.get_attr(k).is_some_and(|v| !v.is_null() && v.as_seq().is_none_or(|s| !s.is_empty()));
        let self_ = config.get_attr("self").is_some_and(|v| v.is_unknown() || v.as_bool() == Some(true));
        if !["cidr_blocks", "ipv6_cidr_blocks", "source_security_group_id", "prefix_list_ids"].iter().any(|k| set(k))
            && !self_
        {
            d.push(invalid(
                "Missing security group rule source",
                "one of cidr_blocks, ipv6_cidr_blocks, self, source_security_group_id or prefix_list_ids must be set",
            ));
        }
        if (set("cidr_blocks") || set("ipv6_cidr_blocks")) && (set("source_security_group_id") || self_) {
            d.push(invalid(
                "Conflicting security group rule sources",
                "cidr_blocks and ipv6_cidr_blocks cannot be combined with self or source_security_group_id",
            ));
        }
        if set("source_security_group_id") && self_ {
            d.push(invalid(
                "Conflicting security group rule sources",
                "source_security_group_id cannot be combined with self",
            ));
        }
        d
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        // The protocol is stored as Terraform's StateFunc makes it ("6" is "tcp", "all" is "-1"):
        // plan against that form so an equivalent spelling changes nothing.
        let Some(p) = config.get_attr("protocol").and_then(Value::as_str) else { return };
        let mut cfg = config.clone();
        cfg.set_at_path(&[PathStep::Attr("protocol".into())], Value::from(protocol_for_value(p)));
        *plan = terrane_engine::plan::diff::generic_plan(&RuleObject::schema(), prior, &cfg);
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = RuleObject::from_value(planned)?;
        let r = Rule::of(&planned).ok_or_else(|| {
            ProviderError::new("creating security group rule: security_group_id, type and protocol must be known")
        })?;
        let ec2 = &c.clients.ec2;
        let doing = format!("authorizing {} rule on security group {}", r.kind, r.group);
        let duplicate = || {
            ProviderError::new(format!(
                "a security group rule with the same {} permission already exists on {}: import it with ID {}",
                r.kind,
                r.group,
                import_id(&r)
            ))
        };
        if r.kind == "egress" {
            match ec2.authorize_security_group_egress().group_id(&r.group).ip_permissions(r.permission()).send().await {
                Ok(_) => {}
                Err(e) if code(&e) == Some("InvalidPermission.Duplicate") => {
                    return Err(taken_if(conflict_on_first_attempt(&e), duplicate()));
                }
                Err(e) => return Err(sdk_error(&doing, e)),
            }
        } else {
            match ec2.authorize_security_group_ingress().group_id(&r.group).ip_permissions(r.permission()).send().await
            {
                Ok(_) => {}
                Err(e) if code(&e) == Some("InvalidPermission.Duplicate") => {
                    return Err(taken_if(conflict_on_first_attempt(&e), duplicate()));
                }
                Err(e) => return Err(sdk_error(&doing, e)),
            }
        }
        let like = RuleObject { id: Some(r.id()), ..planned.clone() };
        let partial = r.object(&planned, r.description.clone(), None).to_value();
        wait_for(
            &format!("security group rule {} to show", r.id()),
            limit(&planned.timeouts, Op::Create, Duration::from_secs(5 * 60)),
            || async {
                Ok(match self.read_one(c, &like).await? {
                    Some(v) => Poll::Done(v),
                    None => Poll::Pending("not found yet".into()),
                })
            },
        )
        .await
        .map_err(|e| e.with_partial_state(partial))
    }

    /// Found by its natural key, the permission itself (group, direction, protocol, ports,
    /// sources; the ID is a hash of them): AuthorizeSecurityGroupIngress/Egress refuses a
    /// duplicate permission.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        crate::resource::read_stub(self, c, planned.clone()).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let current: Vec<std::result::Result<RuleObject, _>> = current.iter().map(RuleObject::from_stub).collect();
        let rules: Vec<Option<Rule>> = current.iter().map(|cur| cur.as_ref().ok().and_then(rule_of)).collect();
        let mut groups: Vec<String> = rules.iter().flatten().map(|r| r.group.clone()).collect();
        groups.sort();
        groups.dedup();
        let (found, api_rules) = match describe(c, &groups).await {
            Ok(f) => f,
            Err(msg) => return crate::describe::all_failed(current.len(), &ProviderError::new(msg)),
        };
        current
            .into_iter()
            .zip(rules)
            .map(|(cur, r)| {
                let cur = cur?;
                let Some(r) = r else { return Ok(None) };
                let Some(g) = found.get(&r.group) else { return Ok(None) };
                let Some(p) = find(&r, g) else { return Ok(None) };
                Ok(Some(r.object(&cur, r.description_in(&p), r.rule_id(&api_rules)).to_value()))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (RuleObject::from_stub(prior)?, RuleObject::from_value(planned)?);
        let r =
            Rule::of(&planned).ok_or_else(|| ProviderError::new("updating security group rule: arguments unknown"))?;
        if prior.description != planned.description {
            let ec2 = &c.clients.ec2;
            let doing = format!("updating the description of rule {} on {}", r.id(), r.group);
            if r.kind == "egress" {
                ec2.update_security_group_rule_descriptions_egress()
                    .group_id(&r.group)
                    .ip_permissions(r.permission())
                    .send()
                    .await
                    .map_err(|e| sdk_error(&doing, e))?;
            } else {
                ec2.update_security_group_rule_descriptions_ingress()
                    .group_id(&r.group)
                    .ip_permissions(r.permission())
                    .send()
                    .await
                    .map_err(|e| sdk_error(&doing, e))?;
            }
        }
        self.read_one(c, &planned)
            .await?
            .ok_or_else(|| ProviderError::new(format!("security group rule {} is gone", r.id())))
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let Some(r) = rule_of(&RuleObject::from_stub(prior)?) else { return Ok(()) };
        let ec2 = &c.clients.ec2;
        let doing = format!("revoking {} rule {} of security group {}", r.kind, r.id(), r.group);
        if r.kind == "egress" {
            match ec2.revoke_security_group_egress().group_id(&r.group).ip_permissions(r.permission()).send().await {
                Ok(_) => Ok(()),
                Err(e) if crate::errors::is_not_found(&e) => Ok(()),
                Err(e) => Err(sdk_error(&doing, e)),
            }
        } else {
            match ec2.revoke_security_group_ingress().group_id(&r.group).ip_permissions(r.permission()).send().await {
                Ok(_) => Ok(()),
                Err(e) if crate::errors::is_not_found(&e) => Ok(()),
                Err(e) => Err(sdk_error(&doing, e)),
            }
        }
    }

    async fn import(&self, c: &Ctx<'_>, id: &str) -> Result<Option<Value>> {
        let stub = if id.starts_with("sgr-") {
            let out = match c.clients.ec2.describe_security_group_rules().security_group_rule_ids(id).send().await {
                Ok(o) => o,
                Err(e) if crate::errors::is_not_found(&e) => return Ok(None),
                Err(e) => return Err(sdk_error(&format!("reading security group rule {id}"), e)),
            };
            let Some(r) = out.security_group_rules().first() else { return Ok(None) };
            let list = |v: Option<&str>| v.map(|s| vec![s.to_string()]);
            let referenced = r.referenced_group_info().and_then(|g| g.group_id());
            RuleObject {
                security_group_id: r.group_id().unwrap_or_default().to_string(),
                kind: if r.is_egress() == Some(true) { "egress" } else { "ingress" }.to_string(),
                protocol: r.ip_protocol().unwrap_or_default().to_string(),
                from_port: i64::from(r.from_port().unwrap_or(0).max(0)),
                to_port: i64::from(r.to_port().unwrap_or(0).max(0)),
                cidr_blocks: list(r.cidr_ipv4()),
                ipv6_cidr_blocks: list(r.cidr_ipv6()),
                prefix_list_ids: list(r.prefix_list_id()),
                source_security_group_id: referenced.filter(|g| Some(*g) != r.group_id()).map(str::to_string),
                self_ref: referenced.is_some_and(|g| Some(g) == r.group_id()),
                ..RuleObject::default()
            }
        } else if Rule::from_import_id(id).is_some() {
            RuleObject { id: Some(id.to_string()), ..RuleObject::default() }
        } else {
            return Err(ProviderError::new(format!(
                "unexpected import ID {id:?}: expected SECURITYGROUPID_TYPE_PROTOCOL_FROMPORT_TOPORT_SOURCE[_SOURCE]* (sg-123_ingress_tcp_80_80_10.0.0.0/8) or a security group rule ID (sgr-123)"
            )));
        };
        self.read_one(c, &stub).await
    }
}

/// Terraform's import ID for a rule.
fn import_id(r: &Rule) -> String {
    let mut parts = vec![r.group.clone(), r.kind.clone(), r.protocol.clone(), r.from.to_string(), r.to.to_string()];
    parts.extend(r.cidrs.iter().chain(&r.ipv6).chain(&r.prefix_lists).cloned());
    parts.extend(r.source.iter().cloned());
    if r.self_ {
        parts.push("self".into());
    }
    parts.join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_normalize_like_terraform() {
        assert_eq!(protocol_for_value("ALL"), "-1");
        assert_eq!(protocol_for_value("6"), "tcp");
        assert_eq!(protocol_for_value("UDP"), "udp");
        assert_eq!(protocol_for_value("50"), "50");
    }

    #[test]
    fn import_ids_round_trip() {
        let r = Rule::from_import_id("sg-09a093729ef9382a6_ingress_tcp_8000_8000_10.0.3.0/24_10.0.4.0/24").unwrap();
        assert_eq!(r.cidrs, vec!["10.0.3.0/24", "10.0.4.0/24"]);
        assert_eq!((r.from, r.to, r.protocol.as_str()), (8000, 8000, "tcp"));
        assert_eq!(import_id(&r), "sg-09a093729ef9382a6_ingress_tcp_8000_8000_10.0.3.0/24_10.0.4.0/24");
        let s = Rule::from_import_id("sg-1_egress_all_0_65536_self").unwrap();
        assert!(s.self_);
        assert_eq!(s.groups(), vec!["sg-1"]);
        assert!(Rule::from_import_id("sg-1_ingress_tcp_1_2").is_none());
        assert!(Rule::from_import_id("sg-1_sideways_tcp_1_2_10.0.0.0/8").is_none());
    }

    #[test]
    fn ids_hash_like_terraform() {
        // "sg-1-22-22-tcp-ingress-10.0.0.0/8-"
        let r = Rule::from_import_id("sg-1_ingress_tcp_22_22_10.0.0.0/8").unwrap();
        assert_eq!(r.id(), format!("sgrule-{}", crc32(b"sg-1-22-22-tcp-ingress-10.0.0.0/8-")));
        let all = Rule::from_import_id("sg-1_ingress_-1_0_0_sg-2").unwrap();
        assert_eq!(all.id(), format!("sgrule-{}", crc32(b"sg-1--1-ingress-sg-2--")));
    }
}
