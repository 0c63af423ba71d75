//! `aws_route_table`, with inline `route` blocks.
//!
//! As in the Terraform provider: routes not configured at all are left as they are (managed by
//! `aws_route`, say) and read back as what AWS holds; configured routes are made exactly so. The
//! VPC's `local` routes and routes propagated from virtual private gateways are never listed.

use crate::delete::{dependency_violation, retry_while_in_use};
use crate::ec2::{describe_route_tables, tag_map, tag_spec, update_tags};
use crate::errors::{code, sdk_error};
use crate::resource::{Ctx, ResourceType, Result, with_tags, with_timeouts};
use crate::val::{self, Obj};
use crate::waiter::{Poll, timeout, wait_for};
use async_trait::async_trait;
use aws_sdk_ec2::types::{ResourceType as Rt, Route, RouteOrigin};
use std::time::Duration;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct RouteTable;

/// Destinations of a route, as the `route` block names them.
pub const DESTINATIONS: &[&str] = &["cidr_block", "ipv6_cidr_block", "destination_prefix_list_id"];

/// Targets of a route, as the `route` block names them.
pub const TARGETS: &[&str] = &[
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

fn route_schema() -> Schema {
    DESTINATIONS.iter().chain(TARGETS).fold(Schema::new(), |s, k| s.attr(k, Attribute::optional(Type::String)))
}

fn schema() -> Schema {
    with_timeouts(
        with_tags(
            Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("arn", Attribute::computed(Type::String))
                .attr("owner_id", Attribute::computed(Type::String))
                .attr("vpc_id", Attribute::required(Type::String).force_new())
                .attr("propagating_vgws", Attribute::optional_computed(Type::set(Type::String)))
                .block("route", NestedBlock::set(route_schema()).with_attribute_syntax()),
        ),
        &["create", "update", "delete"],
    )
}

/// A route in canonical form: every field present, empty strings as null.
fn normalize(route: &Value) -> Value {
    Value::object(DESTINATIONS.iter().chain(TARGETS).map(|k| {
        let v = match route.get_attr(k) {
            Some(v) if v.is_unknown() => Value::unknown(Type::String),
            _ => val::string(route, k).filter(|s| !s.is_empty()).map_or(Value::null(Type::String), Value::from),
        };
        (*k, v)
    }))
}

fn routes(v: &Value) -> Vec<Value> {
    let mut r: Vec<Value> = val::blocks(v, "route").iter().map(normalize).collect();
    r.sort_by(Value::total_cmp);
    r.dedup();
    r
}

/// A route as AWS returns it, as a `route` value; `None` for routes Terraform never lists.
fn route_from(r: &Route) -> Option<Value> {
    let gw = r.gateway_id().unwrap_or_default();
    if gw == "local" || gw == "VpcLattice" || r.origin() == Some(&RouteOrigin::EnableVgwRoutePropagation) {
        return None;
    }
    if r.destination_prefix_list_id().is_some() && gw.starts_with("vpce-") {
        return None; // a VPC endpoint's route, managed with the endpoint
    }
    let (gateway, endpoint) =
        if gw.starts_with("vpce-") { (None, Some(gw)) } else { (Some(gw).filter(|g| !g.is_empty()), None) };
    Some(normalize(&Value::object([
        ("cidr_block", val::opt_str(r.destination_cidr_block())),
        ("ipv6_cidr_block", val::opt_str(r.destination_ipv6_cidr_block())),
        ("destination_prefix_list_id", val::opt_str(r.destination_prefix_list_id())),
        ("carrier_gateway_id", val::opt_str(r.carrier_gateway_id())),
        ("core_network_arn", val::opt_str(r.core_network_arn())),
        ("egress_only_gateway_id", val::opt_str(r.egress_only_internet_gateway_id())),
        ("gateway_id", val::opt_str(gateway)),
        ("local_gateway_id", val::opt_str(r.local_gateway_id())),
        ("nat_gateway_id", val::opt_str(r.nat_gateway_id())),
        ("network_interface_id", val::opt_str(r.network_interface_id())),
        ("transit_gateway_id", val::opt_str(r.transit_gateway_id())),
        ("vpc_endpoint_id", val::opt_str(endpoint)),
        ("vpc_peering_connection_id", val::opt_str(r.vpc_peering_connection_id())),
    ])))
}

/// The destination of a route value, as (field, value).
fn destination(route: &Value) -> Option<(&'static str, String)> {
    DESTINATIONS.iter().find_map(|k| val::string(route, k).map(|v| (*k, v)))
}

macro_rules! route_call {
    ($req:expr, $route:expr) => {{
        let r = $route;
        let s = |k: &str| val::string(r, k);
        $req.set_destination_cidr_block(s("cidr_block"))
            .set_destination_ipv6_cidr_block(s("ipv6_cidr_block"))
            .set_destination_prefix_list_id(s("destination_prefix_list_id"))
            .set_carrier_gateway_id(s("carrier_gateway_id"))
            .set_core_network_arn(s("core_network_arn"))
            .set_egress_only_internet_gateway_id(s("egress_only_gateway_id"))
            .set_gateway_id(s("gateway_id"))
            .set_local_gateway_id(s("local_gateway_id"))
            .set_nat_gateway_id(s("nat_gateway_id"))
            .set_network_interface_id(s("network_interface_id"))
            .set_transit_gateway_id(s("transit_gateway_id"))
            .set_vpc_endpoint_id(s("vpc_endpoint_id"))
            .set_vpc_peering_connection_id(s("vpc_peering_connection_id"))
    }};
}

/// Brings the table's routes from `old` to `new`: removed destinations are deleted, changed
/// ones replaced, new ones created.
async fn change_routes(c: &Ctx<'_>, id: &str, old: &[Value], new: &[Value]) -> Result<()> {
    let ec2 = &c.clients.ec2;
    let new_dests: Vec<_> = new.iter().filter_map(destination).collect();
    let old_dests: Vec<_> = old.iter().filter_map(destination).collect();
    for r in old.iter().filter(|r| !new.contains(r)) {
        let Some(dest) = destination(r) else { continue };
        if new_dests.contains(&dest) {
            continue; // replaced below
        }
        let req = ec2.delete_route().route_table_id(id);
        let req = match dest.0 {
            "cidr_block" => req.destination_cidr_block(&dest.1),
            "ipv6_cidr_block" => req.destination_ipv6_cidr_block(&dest.1),
            _ => req.destination_prefix_list_id(&dest.1),
        };
        match req.send().await {
            Ok(_) => {}
            Err(e) if code(&e) == Some("InvalidRoute.NotFound") => {}
            Err(e) => return Err(sdk_error(&format!("deleting route to {} from {id}", dest.1), e)),
        }
    }
    for r in new.iter().filter(|r| !old.contains(r)) {
        let Some(dest) = destination(r) else {
            return Err(ProviderError::new(format!(
                "a route of {id} has no destination: set cidr_block, ipv6_cidr_block or destination_prefix_list_id"
            )));
        };
        if old_dests.contains(&dest) {
            route_call!(ec2.replace_route().route_table_id(id), r)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("replacing route to {} in {id}", dest.1), e))?;
        } else {
            route_call!(ec2.create_route().route_table_id(id), r)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("creating route to {} in {id}", dest.1), e))?;
        }
    }
    Ok(())
}

async fn change_propagation(c: &Ctx<'_>, id: &str, old: &[String], new: &[String]) -> Result<()> {
    let ec2 = &c.clients.ec2;
    for g in old.iter().filter(|g| !new.contains(g)) {
        ec2.disable_vgw_route_propagation()
            .route_table_id(id)
            .gateway_id(g)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("disabling route propagation from {g} to {id}"), e))?;
    }
    for g in new.iter().filter(|g| !old.contains(g)) {
        ec2.enable_vgw_route_propagation()
            .route_table_id(id)
            .gateway_id(g)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("enabling route propagation from {g} to {id}"), e))?;
    }
    Ok(())
}

fn configured(config: &Value, k: &str) -> bool {
    config.get_attr(k).is_some_and(|v| v.is_unknown() || v.as_seq().is_some_and(|s| !s.is_empty()))
}

impl RouteTable {
    async fn read_one(&self, c: &Ctx<'_>, id: &str, like: &Value) -> Result<Value> {
        let mut stub = like.clone();
        stub.set_at_path(&[PathStep::Attr("id".into())], Value::from(id));
        self.read_many(c, &[stub])
            .await
            .pop()
            .unwrap_or(Ok(None))?
            .ok_or_else(|| ProviderError::new(format!("route table {id} is gone")))
    }
}

#[async_trait]
impl ResourceType for RouteTable {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::Ec2("id"))
    }

    fn name(&self) -> &'static str {
        "aws_route_table"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        let value = if configured(config, "route") {
            match plan.planned.get_attr("route") {
                Some(v) if v.is_wholly_known() => Value::set_any(routes(&plan.planned)),
                Some(v) => v.clone(),
                None => Value::DYNAMIC,
            }
        } else if plan.requires_replace.is_empty() {
            prior.and_then(|p| p.get_attr("route")).cloned().unwrap_or(Value::DYNAMIC)
        } else {
            Value::DYNAMIC
        };
        plan.planned.set_at_path(&[PathStep::Attr("route".into())], value);
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let tags = crate::tags::at_create(c, planned);
        let vpc = val::string(planned, "vpc_id").unwrap_or_default();
        let out = c
            .clients
            .ec2
            .create_route_table()
            .vpc_id(&vpc)
            .set_tag_specifications(tag_spec(Rt::RouteTable, &tags).map(|t| vec![t]))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("creating route table in {vpc}"), e))?;
        let id = out
            .route_table()
            .and_then(|t| t.route_table_id())
            .ok_or_else(|| ProviderError::new("creating route table: no ID in the response"))?
            .to_string();
        let partial = || Value::object([("id", Value::from(id.as_str()))]);
        let vgws = if planned.get_attr("propagating_vgws").is_some_and(Value::is_unknown) {
            Vec::new()
        } else {
            val::strings(planned, "propagating_vgws")
        };
        change_propagation(c, &id, &[], &vgws).await.map_err(|e| e.with_partial_state(partial()))?;
        let want = if planned.get_attr("route").is_some_and(Value::is_unknown) { Vec::new() } else { routes(planned) };
        // Wait until the new table can be found before adding routes to it.
        let limit = timeout(planned, "create", Duration::from_secs(5 * 60));
        wait_for(&format!("route table {id} to exist"), limit, || async {
            match describe_route_tables(c, std::slice::from_ref(&id)).await {
                Ok(m) if m.contains_key(&id) => Ok(Poll::Done(())),
                Ok(_) => Ok(Poll::Pending("not found yet".into())),
                Err(e) => Err(ProviderError::new(e)),
            }
        })
        .await
        .map_err(|e| e.with_partial_state(partial()))?;
        change_routes(c, &id, &[], &want).await.map_err(|e| e.with_partial_state(partial()))?;
        self.read_one(c, &id, planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by the token tag its create gave it (CreateRouteTable TagSpecifications).
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let Some(id) = crate::ec2::find_by_token(c, "route-table").await? else { return Ok(None) };
        crate::resource::read_stub(self, c, crate::resource::with_id(planned, &id)).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let ids: Vec<String> = current.iter().map(val::id).collect();
        let mut found = match describe_route_tables(c, &ids).await {
            Ok(f) => f,
            Err(msg) => return current.iter().map(|_| Err(ProviderError::new(msg.clone()))).collect(),
        };
        current
            .iter()
            .map(|cur| {
                let id = val::id(cur);
                let Some(t) = found.remove(&id) else { return Ok(None) };
                let (tags, tags_all) = crate::tags::read_back(&tag_map(t.tags()), c.default_tags(), cur);
                let owner = t.owner_id().unwrap_or_default();
                let routes: Vec<Value> = t.routes().iter().filter_map(route_from).collect();
                let vgws: Vec<&str> = t.propagating_vgws().iter().filter_map(|g| g.gateway_id()).collect();
                Ok(Some(
                    Obj::new(&schema())
                        .set("id", id.as_str())
                        .set("arn", format!("arn:aws:ec2:{}:{owner}:route-table/{id}", c.clients.region))
                        .set("owner_id", owner)
                        .set("vpc_id", val::opt_str(t.vpc_id()))
                        .set("propagating_vgws", val::str_set(vgws))
                        .set("route", Value::set_any(routes))
                        .set("tags", tags)
                        .set("tags_all", tags_all)
                        .keep(cur, &["timeouts"])
                        .build(),
                ))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = val::id(prior);
        if let Some(v) = planned.get_attr("propagating_vgws").filter(|v| v.is_wholly_known()) {
            let new = val::strings(&Value::object([("v", v.clone())]), "v");
            change_propagation(c, &id, &val::strings(prior, "propagating_vgws"), &new).await?;
        }
        if planned.get_attr("route").is_some_and(Value::is_wholly_known) {
            let (old, new) = (routes(prior), routes(planned));
            if old != new {
                change_routes(c, &id, &old, &new).await?;
            }
        }
        update_tags(&c.clients.ec2, &id, &val::string_map(prior, "tags_all"), &crate::tags::wanted(planned)).await?;
        self.read_one(c, &id, planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let id = val::id(prior);
        // Subnets and gateways still associated keep the table in use: let them go first.
        match describe_route_tables(c, std::slice::from_ref(&id)).await {
            Ok(m) => {
                if let Some(t) = m.get(&id) {
                    for a in t.associations().iter().filter(|a| a.main() != Some(true)) {
                        let Some(assoc) = a.route_table_association_id() else { continue };
                        match c.clients.ec2.disassociate_route_table().association_id(assoc).send().await {
                            Ok(_) => {}
                            Err(e) if crate::errors::is_not_found(&e) => {}
                            Err(e) => {
                                return Err(sdk_error(&format!("disassociating {assoc} from route table {id}"), e));
                            }
                        }
                    }
                }
            }
            Err(msg) => return Err(ProviderError::new(msg)),
        }
        retry_while_in_use(
            &format!("route table {id} to be deleted"),
            timeout(prior, "delete", Duration::from_secs(5 * 60)),
            &format!("deleting route table {id}"),
            dependency_violation,
            || c.clients.ec2.delete_route_table().route_table_id(&id).send(),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_normalize_empty_fields() {
        let a = normalize(&Value::object([
            ("cidr_block", Value::from("0.0.0.0/0")),
            ("gateway_id", Value::from("igw-1")),
            ("nat_gateway_id", Value::from("")),
        ]));
        let b = route_from(
            &Route::builder()
                .destination_cidr_block("0.0.0.0/0")
                .gateway_id("igw-1")
                .origin(RouteOrigin::CreateRoute)
                .build(),
        )
        .unwrap();
        assert_eq!(a, b);
        assert!(
            route_from(&Route::builder().destination_cidr_block("10.0.0.0/16").gateway_id("local").build()).is_none()
        );
        assert_eq!(destination(&a), Some(("cidr_block", "0.0.0.0/0".to_string())));
    }
}
