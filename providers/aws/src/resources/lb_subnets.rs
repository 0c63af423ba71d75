//! Where `aws_lb` runs: `subnets` or `subnet_mapping` (exactly one of them configured), read
//! back from the load balancer's availability zones; and the rules hashicorp/aws has for
//! changing them in place (its `customizeDiffLoadBalancerALB` and `...NLB`): a network load
//! balancer only gains subnets in place, an application one gains or loses mappings but does
//! not change one; whichever of the two arguments changes, the other becomes known after apply.

use crate::plan::{force_replacement, missing};
use crate::resource::invalid;
use crate::val;
use aws_sdk_elasticloadbalancingv2::types::{AvailabilityZone, SubnetMapping};
use std::collections::BTreeSet;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::plan::diff::same;
use terrane_engine::provider::PlanResponse;
use terrane_engine::schema::Schema;
use terrane_engine::value::{PathStep, Type, Value};

use super::lb_attributes::{APPLICATION, NETWORK};

/// The arguments of a mapping that the configuration sets (`outpost_id` is AWS's).
const MAPPING_ARGS: [&str; 4] = ["allocation_id", "ipv6_address", "private_ipv4_address", "subnet_id"];

/// A `subnet_mapping` block (a set, optional and computed: read back whether configured or
/// not).
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct Mapping {
    #[model(optional)]
    pub allocation_id: Option<String>,
    #[model(optional)]
    pub ipv6_address: Option<String>,
    #[model(computed)]
    pub outpost_id: Option<String>,
    #[model(optional)]
    pub private_ipv4_address: Option<String>,
    #[model(required)]
    pub subnet_id: String,
}

impl Mapping {
    /// Its configured arguments (unset ones empty), as [`MAPPING_ARGS`] orders them.
    fn key(&self) -> [String; 4] {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        [s(&self.allocation_id), s(&self.ipv6_address), s(&self.private_ipv4_address), self.subnet_id.clone()]
    }
}

fn mapping_schema() -> Schema {
    Mapping::schema()
}

/// `subnets` and `subnet_mapping` as read from the load balancer's zones (empty strings where
/// AWS has no address, as hashicorp/aws records them).
pub fn read(zones: &[AvailabilityZone]) -> (BTreeSet<String>, Vec<Mapping>) {
    let subnets = zones.iter().filter_map(|z| z.subnet_id().map(str::to_string)).collect();
    let text = |s: Option<&str>| Some(s.unwrap_or_default().to_string());
    let mappings = zones
        .iter()
        .map(|z| {
            let a = z.load_balancer_addresses().first();
            Mapping {
                allocation_id: text(a.and_then(|a| a.allocation_id())),
                ipv6_address: text(a.and_then(|a| a.ipv6_address())),
                outpost_id: text(z.outpost_id()),
                private_ipv4_address: text(a.and_then(|a| a.private_ipv4_address())),
                subnet_id: z.subnet_id().unwrap_or_default().to_string(),
            }
        })
        .collect();
    (subnets, mappings)
}

/// The configured mappings as CreateLoadBalancer and SetSubnets take them (none while unknown,
/// which reads as none).
pub fn to_api(planned: &[Mapping]) -> Option<Vec<SubnetMapping>> {
    let s = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
    let out: Vec<SubnetMapping> = planned
        .iter()
        .map(|m| {
            SubnetMapping::builder()
                .set_subnet_id(Some(m.subnet_id.clone()).filter(|v| !v.is_empty()))
                .set_allocation_id(s(&m.allocation_id))
                .set_private_ipv4_address(s(&m.private_ipv4_address))
                .set_ipv6_address(s(&m.ipv6_address))
                .build()
        })
        .collect();
    (!out.is_empty()).then_some(out)
}

/// The mappings as sets of their configured arguments (none while not known).
fn keys(v: Option<&Value>) -> Option<BTreeSet<[String; 4]>> {
    let v = v?;
    if v.is_null() {
        return Some(BTreeSet::new());
    }
    let items = v.as_seq().filter(|_| v.is_known())?;
    items
        .iter()
        .map(|m| {
            let mut k: [String; 4] = Default::default();
            for (i, a) in MAPPING_ARGS.iter().enumerate() {
                let x = m.get_attr(a)?;
                if !x.is_known() {
                    return None;
                }
                k[i] = x.as_str().unwrap_or_default().to_string();
            }
            Some(k)
        })
        .collect()
}

/// The mappings to set when `planned` changes them (other than `prior`'s; at apply, mappings
/// not known yet read as none, and there are none to set).
pub fn changed_mappings(prior: &[Mapping], planned: &[Mapping]) -> Option<Vec<SubnetMapping>> {
    let keys = |m: &[Mapping]| m.iter().map(Mapping::key).collect::<BTreeSet<_>>();
    (keys(planned) != keys(prior)).then(|| to_api(planned)).flatten()
}

/// Configured mappings with their unset arguments empty, as hashicorp/aws compares them with
/// what it read (where AWS has no address the read gives ""). Whether anything changed.
pub fn normalize_config(config: &mut Value) -> bool {
    let Some(items) = config.get_attr("subnet_mapping").filter(|v| v.is_known()).and_then(Value::as_seq) else {
        return false;
    };
    let mut changed = false;
    let items: Vec<Value> = items
        .iter()
        .map(|m| {
            let mut m = m.clone();
            for k in ["allocation_id", "ipv6_address", "private_ipv4_address"] {
                if m.is_known() && m.get_attr(k).is_none_or(|v| v.is_known() && v.is_null()) {
                    m.set_at_path(&[PathStep::Attr(k.into())], Value::from(""));
                    changed = true;
                }
            }
            m
        })
        .collect();
    if changed {
        let ty = mapping_schema().value_type();
        let v = Value::set(ty.clone(), items).conform(&Type::set(ty));
        config.set_at_path(&[PathStep::Attr("subnet_mapping".into())], v);
    }
    changed
}

/// Errors: not exactly one of `subnets` and `subnet_mapping` (in `config`, where "not known
/// yet" counts as set); addresses of the configured `mappings` that are not IP addresses.
pub fn validate(config: &Value, mappings_configured: &[Mapping]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let subnets = !missing(config, "subnets");
    let mappings = val::block_configured(config, "subnet_mapping");
    if subnets == mappings {
        out.push(invalid(
            "Invalid combination of arguments",
            if subnets {
                "\"subnet_mapping\": only one of `subnet_mapping,subnets` can be specified, but `subnet_mapping,subnets` were specified."
            } else {
                "\"subnet_mapping\": one of `subnet_mapping,subnets` must be specified: the load balancer's subnets."
            },
        ));
    }
    for m in mappings_configured {
        for (k, a, v4) in
            [("private_ipv4_address", &m.private_ipv4_address, true), ("ipv6_address", &m.ipv6_address, false)]
        {
            let Some(a) = a.as_ref().filter(|a| !a.is_empty()) else { continue };
            let ok = match a.parse::<std::net::IpAddr>() {
                Ok(ip) => ip.is_ipv4() == v4,
                Err(_) => false,
            };
            if !ok {
                let kind = if v4 { "IPv4" } else { "IPv6" };
                out.push(invalid(
                    &format!("Invalid subnet_mapping.{k}"),
                    format!("subnet_mapping.{k}: expected an {kind} address, got {a:?}."),
                ));
            }
        }
    }
    out
}

/// hashicorp/aws's in-place rules for an update of a load balancer of type `lb_type` (a bit).
pub fn plan(schema: &Schema, prior: Option<&Value>, config: &Value, resp: &mut PlanResponse, lb_type: u8) {
    let Some(prior) = prior.filter(|p| !p.is_null() && resp.requires_replace.is_empty()) else { return };
    let planned = resp.planned.clone();
    let unknown = |resp: &mut PlanResponse, k: &str, ty: Type| {
        if resp.requires_replace.is_empty() {
            resp.planned.set_at_path(&[PathStep::Attr(k.into())], Value::unknown(ty));
        }
    };
    let mapping_ty = Type::set(mapping_schema().value_type());

    let (old, new) = (keys(prior.get_attr("subnet_mapping")), keys(planned.get_attr("subnet_mapping")));
    if old != new {
        if let (Some(os), Some(ns)) = (&old, &new) {
            let replace = match lb_type {
                NETWORK => ns.len() <= os.len() || !os.is_subset(ns),
                APPLICATION => match ns.len().cmp(&os.len()) {
                    std::cmp::Ordering::Equal => true,
                    std::cmp::Ordering::Less => !ns.is_subset(os),
                    std::cmp::Ordering::Greater => !os.is_subset(ns),
                },
                _ => false,
            };
            if replace {
                force_replacement(schema, config, resp, "subnet_mapping");
            }
        }
        unknown(resp, "subnets", Type::set(Type::String));
    }

    let (old, new) = (prior.get_attr("subnets"), planned.get_attr("subnets"));
    if new.is_some_and(|n| !same(old.unwrap_or(&Value::NULL), n)) {
        let len = |v: Option<&Value>| v.and_then(Value::as_seq).map_or(0, <[Value]>::len);
        let known = config.get_attr("subnets").is_some_and(Value::is_wholly_known);
        if lb_type == NETWORK && known && len(new) <= len(old) {
            force_replacement(schema, config, resp, "subnets");
        }
        unknown(resp, "subnet_mapping", mapping_ty);
    }

    // A network load balancer's security groups can be changed, but not all added or removed.
    let (old, new) = (prior.get_attr("security_groups"), planned.get_attr("security_groups"));
    if lb_type == NETWORK
        && config.get_attr("security_groups").is_some_and(Value::is_wholly_known)
        && new.is_some_and(|n| !same(old.unwrap_or(&Value::NULL), n))
    {
        let empty = |v: Option<&Value>| v.and_then(Value::as_seq).is_none_or(<[Value]>::is_empty);
        if empty(old) != empty(new) {
            force_replacement(schema, config, resp, "security_groups");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_engine::model::Blocks;

    fn mapping(subnet: &str) -> Value {
        Value::object([
            ("allocation_id", Value::from("")),
            ("ipv6_address", Value::from("")),
            ("outpost_id", Value::from("")),
            ("private_ipv4_address", Value::from("")),
            ("subnet_id", Value::from(subnet)),
        ])
    }

    fn lb(subnets: &[&str]) -> Value {
        let ty = mapping_schema().value_type();
        Value::object([
            ("subnets", val::str_set(subnets.iter().copied())),
            ("subnet_mapping", Value::set(ty, subnets.iter().map(|s| mapping(s)).collect())),
            ("security_groups", val::str_set(Vec::<String>::new())),
        ])
    }

    fn plan_subnets(prior: &[&str], wanted: &[&str], lb_type: u8) -> PlanResponse {
        let schema = Schema::new()
            .attr("subnets", terrane_engine::schema::Attribute::optional_computed(Type::set(Type::String)))
            .attr("security_groups", terrane_engine::schema::Attribute::optional_computed(Type::set(Type::String)))
            .block("subnet_mapping", terrane_engine::schema::NestedBlock::set(Mapping::schema()).computed());
        let config = Value::object([("subnets", val::str_set(wanted.iter().copied()))]);
        let prior = lb(prior);
        let mut resp = terrane_engine::plan::diff::generic_plan(&schema, Some(&prior), &config);
        plan(&schema, Some(&prior), &config, &mut resp, lb_type);
        resp
    }

    #[test]
    fn a_network_load_balancer_only_gains_subnets_in_place() {
        let r = plan_subnets(&["a", "b"], &["a", "b", "c"], NETWORK);
        assert!(r.requires_replace.is_empty());
        assert!(!r.planned.get_attr("subnet_mapping").unwrap().is_known(), "known after apply");
        let r = plan_subnets(&["a", "b"], &["a", "c"], NETWORK);
        assert_eq!(r.requires_replace, vec![vec![PathStep::Attr("subnets".into())]]);
        let r = plan_subnets(&["a", "b"], &["a", "c"], APPLICATION);
        assert!(r.requires_replace.is_empty());
        let r = plan_subnets(&["a", "b"], &["a", "b"], NETWORK);
        assert!(r.requires_replace.is_empty());
        assert_eq!(r.planned.get_attr("subnet_mapping"), lb(&["a", "b"]).get_attr("subnet_mapping"));
    }

    fn validate(config: &Value) -> Vec<Diagnostic> {
        let mappings = Vec::<Mapping>::from_blocks(config.get_attr("subnet_mapping"), true).unwrap();
        super::validate(config, &mappings)
    }

    #[test]
    fn exactly_one_of_subnets_and_mappings() {
        assert_eq!(validate(&Value::object([("subnets", val::str_set(["s"]))])).len(), 0);
        assert_eq!(validate(&Value::object([("subnets", Value::NULL)])).len(), 1);
        let both = Value::object([
            ("subnets", val::str_set(["s"])),
            ("subnet_mapping", Value::set(mapping_schema().value_type(), vec![mapping("s")])),
        ]);
        assert_eq!(validate(&both).len(), 1);
        let mut bad = mapping("s");
        bad.set_at_path(&[PathStep::Attr("private_ipv4_address".into())], Value::from("::1"));
        let one = Value::object([("subnet_mapping", Value::set(mapping_schema().value_type(), vec![bad]))]);
        assert_eq!(validate(&one)[0].summary, "Invalid subnet_mapping.private_ipv4_address");
    }
}
