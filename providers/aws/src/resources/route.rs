//! `aws_route`: one route in a route table, by destination; a new target replaces the route in
//! place (ReplaceRoute). IDs are Terraform's (`r-<table><crc32 of the destination>`); import
//! takes `rtb-xxx_10.0.0.0/16` (or an IPv6 CIDR or prefix list ID after the underscore).

use crate::delete::{dependency_violation, retry_while_in_use};
use crate::ec2::describe_route_tables;
use crate::errors::{code, conflict_on_first_attempt, sdk_error, taken_if};
use crate::model::{Op, Timeouts, limit};
use crate::resource::{Ctx, ResourceType, Result, crc32, invalid};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_ec2::types::Route as ApiRoute;
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::plan::diff::same;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::{PathStep, Value};

pub struct Route;

/// An `aws_route` object.
#[derive(Model, Clone, Debug, Default)]
struct RouteObject {
    #[model(computed)]
    id: Option<String>,
    #[model(required, force_new)]
    route_table_id: String,
    #[model(optional, force_new)]
    destination_cidr_block: Option<String>,
    #[model(optional, force_new)]
    destination_ipv6_cidr_block: Option<String>,
    #[model(optional, force_new)]
    destination_prefix_list_id: Option<String>,
    #[model(optional)]
    carrier_gateway_id: Option<String>,
    #[model(optional)]
    core_network_arn: Option<String>,
    #[model(optional)]
    egress_only_gateway_id: Option<String>,
    #[model(optional)]
    gateway_id: Option<String>,
    #[model(optional)]
    local_gateway_id: Option<String>,
    #[model(optional)]
    nat_gateway_id: Option<String>,
    #[model(optional, computed)]
    network_interface_id: Option<String>,
    #[model(optional)]
    transit_gateway_id: Option<String>,
    #[model(optional)]
    vpc_endpoint_id: Option<String>,
    #[model(optional)]
    vpc_peering_connection_id: Option<String>,
    #[model(computed)]
    instance_id: Option<String>,
    #[model(computed)]
    instance_owner_id: Option<String>,
    #[model(computed)]
    origin: Option<String>,
    #[model(computed)]
    state: Option<String>,
    #[model(block = "single")]
    timeouts: Option<Timeouts>,
}

/// The attributes naming a route's destination (exactly one is set).
const DESTINATIONS: &[&str] = &["destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id"];

/// The attributes naming a route's target (exactly one is set).
const TARGETS: &[&str] = &[
    "carrier_gateway_id",
    "core_network_arn",
    "egress_only_gateway_id",
    "gateway_id",
    "local_gateway_id",
    "nat_gateway_id",
    "network_interface_id",
    "transit_gateway_id",
    "vpc_endpoint_id",
    "vpc_peering_connection_id",
];

impl RouteObject {
    /// The destination, as (attribute, value).
    fn destination(&self) -> Option<(&'static str, String)> {
        [
            ("destination_cidr_block", &self.destination_cidr_block),
            ("destination_ipv6_cidr_block", &self.destination_ipv6_cidr_block),
            ("destination_prefix_list_id", &self.destination_prefix_list_id),
        ]
        .into_iter()
        .find_map(|(k, v)| v.clone().filter(|s| !s.is_empty()).map(|v| (k, v)))
    }

    /// The targets, by attribute (in [`TARGETS`]'s order).
    fn targets(&self) -> [(&'static str, &Option<String>); 10] {
        [
            ("carrier_gateway_id", &self.carrier_gateway_id),
            ("core_network_arn", &self.core_network_arn),
            ("egress_only_gateway_id", &self.egress_only_gateway_id),
            ("gateway_id", &self.gateway_id),
            ("local_gateway_id", &self.local_gateway_id),
            ("nat_gateway_id", &self.nat_gateway_id),
            ("network_interface_id", &self.network_interface_id),
            ("transit_gateway_id", &self.transit_gateway_id),
            ("vpc_endpoint_id", &self.vpc_endpoint_id),
            ("vpc_peering_connection_id", &self.vpc_peering_connection_id),
        ]
    }

    /// Route table and destination, from the attributes or else the import ID.
    fn key(&self) -> Option<(String, &'static str, String)> {
        if let Some((k, d)) = self.destination().filter(|_| !self.route_table_id.is_empty()) {
            return Some((self.route_table_id.clone(), k, d));
        }
        let (t, d) = self.id.as_deref()?.split_once('_')?;
        (t.starts_with("rtb-") && !d.is_empty()).then(|| (t.to_string(), destination_kind(d), d.to_string()))
    }
}

/// Terraform's ID of a route: `r-` + table ID + hash of the destination.
pub fn route_id(table: &str, destination: &str) -> String {
    format!("r-{table}{}", crc32(destination.as_bytes()))
}

/// The attribute an import ID's destination belongs to.
fn destination_kind(d: &str) -> &'static str {
    if d.starts_with("pl-") {
        "destination_prefix_list_id"
    } else if d.contains(':') {
        "destination_ipv6_cidr_block"
    } else {
        "destination_cidr_block"
    }
}

fn matches(r: &ApiRoute, kind: &str, dest: &str) -> bool {
    match kind {
        "destination_cidr_block" => r.destination_cidr_block() == Some(dest),
        "destination_ipv6_cidr_block" => r.destination_ipv6_cidr_block().is_some_and(|d| d.eq_ignore_ascii_case(dest)),
        _ => r.destination_prefix_list_id() == Some(dest),
    }
}

fn object_from(r: &ApiRoute, table: &str, kind: &str, dest: &str, cur: &RouteObject) -> RouteObject {
    let gw = r.gateway_id().filter(|g| !g.is_empty());
    let (gateway, endpoint) = match gw {
        Some(g) if g.starts_with("vpce-") => (None, Some(g)),
        g => (g, None),
    };
    let text = |s: Option<&str>| s.map(str::to_string);
    let dest_if = |k: &str| (kind == k).then(|| dest.to_string());
    RouteObject {
        id: Some(route_id(table, dest)),
        route_table_id: table.to_string(),
        destination_cidr_block: dest_if("destination_cidr_block"),
        destination_ipv6_cidr_block: dest_if("destination_ipv6_cidr_block"),
        destination_prefix_list_id: dest_if("destination_prefix_list_id"),
        carrier_gateway_id: text(r.carrier_gateway_id()),
        core_network_arn: text(r.core_network_arn()),
        egress_only_gateway_id: text(r.egress_only_internet_gateway_id()),
        gateway_id: text(gateway),
        local_gateway_id: text(r.local_gateway_id()),
        nat_gateway_id: text(r.nat_gateway_id()),
        network_interface_id: text(r.network_interface_id()),
        transit_gateway_id: text(r.transit_gateway_id()),
        vpc_endpoint_id: text(endpoint),
        vpc_peering_connection_id: text(r.vpc_peering_connection_id()),
        instance_id: text(r.instance_id()),
        instance_owner_id: text(r.instance_owner_id()),
        origin: text(r.origin().map(|o| o.as_str())),
        state: text(r.state().map(|s| s.as_str())),
        timeouts: cur.timeouts.clone(),
    }
}

macro_rules! route_call {
    ($req:expr, $v:expr) => {{
        let v: &RouteObject = $v;
        $req.set_destination_cidr_block(v.destination_cidr_block.clone())
            .set_destination_ipv6_cidr_block(v.destination_ipv6_cidr_block.clone())
            .set_destination_prefix_list_id(v.destination_prefix_list_id.clone())
            .set_carrier_gateway_id(v.carrier_gateway_id.clone())
            .set_core_network_arn(v.core_network_arn.clone())
            .set_egress_only_internet_gateway_id(v.egress_only_gateway_id.clone())
            .set_gateway_id(v.gateway_id.clone())
            .set_local_gateway_id(v.local_gateway_id.clone())
            .set_nat_gateway_id(v.nat_gateway_id.clone())
            .set_network_interface_id(v.network_interface_id.clone())
            .set_transit_gateway_id(v.transit_gateway_id.clone())
            .set_vpc_endpoint_id(v.vpc_endpoint_id.clone())
            .set_vpc_peering_connection_id(v.vpc_peering_connection_id.clone())
    }};
}

impl Route {
    async fn read_one(&self, c: &Ctx<'_>, like: &RouteObject) -> Result<Option<Value>> {
        crate::resource::read_stub(self, c, like.to_value()).await
    }

    /// Waits until the route shows in its table (new routes take a moment on AWS).
    async fn wait_ready(&self, c: &Ctx<'_>, like: &RouteObject, limit: Duration) -> Result<Value> {
        wait_for("the route to be ready", limit, || async {
            Ok(match self.read_one(c, like).await? {
                Some(v) => Poll::Done(v),
                None => Poll::Pending("not found yet".into()),
            })
        })
        .await
    }
}

#[async_trait]
impl ResourceType for Route {
    fn name(&self) -> &'static str {
        "aws_route"
    }

    fn schema(&self) -> Schema {
        RouteObject::schema()
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        // An unset network_interface_id is computed (AWS names the interface of a route to an
        // instance), but a route moved to another target loses it.
        let other_target =
            TARGETS.iter().any(|t| *t != "network_interface_id" && config.get_attr(t).is_some_and(|v| !v.is_null()));
        if !other_target || config.get_attr("network_interface_id").is_some_and(|v| !v.is_null()) {
            return;
        }
        let moved = prior.is_none_or(|p| {
            TARGETS.iter().any(|t| {
                *t != "network_interface_id"
                    && !same(
                        &p.get_attr(t).cloned().unwrap_or_default(),
                        &plan.planned.get_attr(t).cloned().unwrap_or_default(),
                    )
            })
        });
        let had = prior.and_then(|p| p.get_attr("network_interface_id")).and_then(Value::as_str).is_some();
        if moved && had {
            plan.planned.set_at_path(&[PathStep::Attr("network_interface_id".into())], Value::DYNAMIC);
        }
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let set = |keys: &[&str]| keys.iter().filter(|k| config.get_attr(k).is_some_and(|v| !v.is_null())).count();
        let mut d = Vec::new();
        if set(DESTINATIONS) != 1 {
            d.push(invalid(
                "Invalid route destination",
                format!("exactly one of {} must be set", DESTINATIONS.join(", ")),
            ));
        }
        if set(TARGETS) != 1 {
            d.push(invalid("Invalid route target", format!("exactly one of {} must be set", TARGETS.join(", "))));
        }
        d
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = RouteObject::from_value(planned)?;
        let table = &planned.route_table_id;
        let (kind, dest) = planned.destination().ok_or_else(|| ProviderError::new("creating route: no destination"))?;
        match route_call!(c.clients.ec2.create_route().route_table_id(table), &planned).send().await {
            Ok(_) => {}
            Err(e) if code(&e) == Some("RouteAlreadyExists") => {
                return Err(taken_if(
                    conflict_on_first_attempt(&e),
                    ProviderError::new(format!(
                        "a route in {table} with destination {dest} already exists; to manage it, import it as {table}_{dest}"
                    )),
                ));
            }
            Err(e) => return Err(sdk_error(&format!("creating route to {dest} in {table}"), e)),
        }
        let like = RouteObject { id: Some(route_id(table, &dest)), ..planned.clone() };
        let partial = RouteObject {
            id: like.id.clone(),
            route_table_id: table.clone(),
            destination_cidr_block: (kind == "destination_cidr_block").then(|| dest.clone()),
            destination_ipv6_cidr_block: (kind == "destination_ipv6_cidr_block").then(|| dest.clone()),
            destination_prefix_list_id: (kind == "destination_prefix_list_id").then(|| dest.clone()),
            ..RouteObject::default()
        }
        .to_value();
        self.wait_ready(c, &like, limit(&planned.timeouts, Op::Create, Duration::from_secs(5 * 60)))
            .await
            .map_err(|e| e.with_partial_state(partial))
    }

    /// Found by its natural key, route table and destination: a route has no ID or tags of
    /// its own, and CreateRoute refuses a destination the table already routes.
    /// A route to another target than the planned one is not what the create made.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let planned = RouteObject::from_stub(planned)?;
        let Some((table, _, dest)) = planned.key() else { return Ok(None) };
        let like = RouteObject { id: Some(route_id(&table, &dest)), ..planned.clone() };
        let Some(found) = self.read_one(c, &like).await? else { return Ok(None) };
        let made = RouteObject::from_stub(&found)?;
        let same_targets = planned.targets().iter().zip(made.targets()).all(|((_, want), (_, got))| match want {
            Some(want) => got.as_ref() == Some(want),
            None => true,
        });
        Ok(same_targets.then_some(found))
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let current: Vec<std::result::Result<RouteObject, _>> = current.iter().map(RouteObject::from_stub).collect();
        let keys: Vec<Option<(String, &'static str, String)>> =
            current.iter().map(|cur| cur.as_ref().ok().and_then(RouteObject::key)).collect();
        let mut tables: Vec<String> = keys.iter().flatten().map(|k| k.0.clone()).collect();
        tables.sort();
        tables.dedup();
        let found = match describe_route_tables(c, &tables).await {
            Ok(f) => f,
            Err(msg) => return crate::describe::all_failed(current.len(), &ProviderError::new(msg)),
        };
        current
            .into_iter()
            .zip(keys)
            .map(|(cur, k)| {
                let cur = cur?;
                let Some((table, kind, dest)) = k else { return Ok(None) };
                let Some(t) = found.get(&table) else { return Ok(None) };
                Ok(t.routes()
                    .iter()
                    .find(|r| matches(r, kind, &dest))
                    .map(|r| object_from(r, &table, kind, &dest, &cur).to_value()))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, raw_prior: &Value, raw: &Value) -> Result<Value> {
        let (prior, planned) = (RouteObject::from_stub(raw_prior)?, RouteObject::from_value(raw)?);
        let table = &prior.route_table_id;
        // A target not known yet (the computed network_interface_id) is not a change.
        let changed = prior
            .targets()
            .iter()
            .zip(planned.targets())
            .any(|((t, old), (_, new))| *old != new && !raw.get_attr(t).is_some_and(Value::is_unknown));
        if changed {
            let (_, dest) = prior.destination().unwrap_or_default();
            route_call!(c.clients.ec2.replace_route().route_table_id(table), &planned)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("replacing route to {dest} in {table}"), e))?;
        }
        self.wait_ready(c, &planned, limit(&planned.timeouts, Op::Update, Duration::from_secs(2 * 60))).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = RouteObject::from_stub(prior)?;
        let Some((table, kind, dest)) = prior.key() else { return Ok(()) };
        let limit = limit(&prior.timeouts, Op::Delete, Duration::from_secs(5 * 60));
        retry_while_in_use(
            &format!("route to {dest} in {table} to be deleted"),
            limit,
            &format!("deleting route to {dest} from {table}"),
            dependency_violation,
            || {
                let req = c.clients.ec2.delete_route().route_table_id(&table);
                let req = match kind {
                    "destination_cidr_block" => req.destination_cidr_block(&dest),
                    "destination_ipv6_cidr_block" => req.destination_ipv6_cidr_block(&dest),
                    _ => req.destination_prefix_list_id(&dest),
                };
                req.send()
            },
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_hash_the_destination_like_terraform() {
        assert_eq!(crc32(b"hello"), 907_060_870);
        assert_eq!(crc32(b""), 0);
        assert_eq!(route_id("rtb-1", "hello"), "r-rtb-1907060870");
    }

    fn key(id: &str) -> Option<(String, &'static str, String)> {
        RouteObject::from_stub(&Value::object([("id", Value::from(id))])).unwrap().key()
    }

    #[test]
    fn import_ids_name_table_and_destination() {
        let k = key("rtb-0abc_10.0.0.0/16").unwrap();
        assert_eq!(k, ("rtb-0abc".to_string(), "destination_cidr_block", "10.0.0.0/16".to_string()));
        assert_eq!(key("rtb-0abc_2001:db8::/56").unwrap().1, "destination_ipv6_cidr_block");
        assert_eq!(key("rtb-0abc_pl-123").unwrap().1, "destination_prefix_list_id");
        assert!(key("nonsense").is_none());
        let configured = RouteObject {
            route_table_id: "rtb-1".into(),
            destination_ipv6_cidr_block: Some("::/0".into()),
            ..RouteObject::default()
        };
        assert_eq!(configured.key(), Some(("rtb-1".into(), "destination_ipv6_cidr_block", "::/0".into())));
    }
}
