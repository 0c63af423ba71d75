//! `aws_route_table`, with inline `route` blocks.
//!
//! As in the Terraform provider: routes not configured at all are left as they are (managed by
//! `aws_route`, say) and read back as what AWS holds; configured routes are made exactly so. The
//! VPC's `local` routes and routes propagated from virtual private gateways are never listed.

use crate::delete::{dependency_violation, retry_while_in_use};
use crate::ec2::{describe_route_tables, tag_map, tag_spec, update_tags};
use crate::errors::{code, sdk_error};
use crate::model::{Op, Tags, Timeouts, known, limit};
use crate::resource::{Ctx, ResourceType, Result};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_ec2::types::{ResourceType as Rt, Route, RouteOrigin};
use std::collections::BTreeSet;
use std::time::Duration;
use terrane_engine::model::{Blocks, Model};
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::{Nesting, Schema};
use terrane_engine::value::{PathStep, Value};

pub struct RouteTable;

/// An `aws_route_table` object.
#[derive(Model, Clone, Debug, Default)]
struct RouteTableObject {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(computed)]
    owner_id: Option<String>,
    #[model(required, force_new)]
    vpc_id: String,
    #[model(optional, computed)]
    propagating_vgws: Option<BTreeSet<String>>,
    #[model(block = "set", attribute_syntax)]
    route: Vec<RouteBlock>,
    #[model(flatten)]
    tags: Tags,
    #[model(block = "single")]
    timeouts: Option<Timeouts>,
}

/// A `route` block: one destination and one target.
#[derive(Model, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct RouteBlock {
    #[model(optional)]
    cidr_block: Option<String>,
    #[model(optional)]
    ipv6_cidr_block: Option<String>,
    #[model(optional)]
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
    #[model(optional)]
    network_interface_id: Option<String>,
    #[model(optional)]
    transit_gateway_id: Option<String>,
    #[model(optional)]
    vpc_endpoint_id: Option<String>,
    #[model(optional)]
    vpc_peering_connection_id: Option<String>,
}

impl RouteBlock {
    /// The route in canonical form: empty strings as null.
    fn normalized(self) -> RouteBlock {
        let n = |s: Option<String>| s.filter(|s| !s.is_empty());
        RouteBlock {
            cidr_block: n(self.cidr_block),
            ipv6_cidr_block: n(self.ipv6_cidr_block),
            destination_prefix_list_id: n(self.destination_prefix_list_id),
            carrier_gateway_id: n(self.carrier_gateway_id),
            core_network_arn: n(self.core_network_arn),
            egress_only_gateway_id: n(self.egress_only_gateway_id),
            gateway_id: n(self.gateway_id),
            local_gateway_id: n(self.local_gateway_id),
            nat_gateway_id: n(self.nat_gateway_id),
            network_interface_id: n(self.network_interface_id),
            transit_gateway_id: n(self.transit_gateway_id),
            vpc_endpoint_id: n(self.vpc_endpoint_id),
            vpc_peering_connection_id: n(self.vpc_peering_connection_id),
        }
    }

    /// The route's destination, as (field, value).
    fn destination(&self) -> Option<(&'static str, String)> {
        [
            ("cidr_block", &self.cidr_block),
            ("ipv6_cidr_block", &self.ipv6_cidr_block),
            ("destination_prefix_list_id", &self.destination_prefix_list_id),
        ]
        .into_iter()
        .find_map(|(k, v)| v.clone().map(|v| (k, v)))
    }
}

/// The routes in canonical form, sorted, each once.
fn routes(blocks: Vec<RouteBlock>) -> Vec<RouteBlock> {
    let mut r: Vec<RouteBlock> = blocks.into_iter().map(RouteBlock::normalized).collect();
    r.sort();
    r.dedup();
    r
}

/// A route as AWS returns it, as a `route` block; `None` for routes Terraform never lists.
fn route_from(r: &Route) -> Option<RouteBlock> {
    let gw = r.gateway_id().unwrap_or_default();
    if gw == "local" || gw == "VpcLattice" || r.origin() == Some(&RouteOrigin::EnableVgwRoutePropagation) {
        return None;
    }
    if r.destination_prefix_list_id().is_some() && gw.starts_with("vpce-") {
        return None; // a VPC endpoint's route, managed with the endpoint
    }
    let (gateway, endpoint) =
        if gw.starts_with("vpce-") { (None, Some(gw)) } else { (Some(gw).filter(|g| !g.is_empty()), None) };
    let text = |s: Option<&str>| s.map(str::to_string);
    Some(
        RouteBlock {
            cidr_block: text(r.destination_cidr_block()),
            ipv6_cidr_block: text(r.destination_ipv6_cidr_block()),
            destination_prefix_list_id: text(r.destination_prefix_list_id()),
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
        }
        .normalized(),
    )
}

macro_rules! route_call {
    ($req:expr, $route:expr) => {{
        let r: &RouteBlock = $route;
        $req.set_destination_cidr_block(r.cidr_block.clone())
            .set_destination_ipv6_cidr_block(r.ipv6_cidr_block.clone())
            .set_destination_prefix_list_id(r.destination_prefix_list_id.clone())
            .set_carrier_gateway_id(r.carrier_gateway_id.clone())
            .set_core_network_arn(r.core_network_arn.clone())
            .set_egress_only_internet_gateway_id(r.egress_only_gateway_id.clone())
            .set_gateway_id(r.gateway_id.clone())
            .set_local_gateway_id(r.local_gateway_id.clone())
            .set_nat_gateway_id(r.nat_gateway_id.clone())
            .set_network_interface_id(r.network_interface_id.clone())
            .set_transit_gateway_id(r.transit_gateway_id.clone())
            .set_vpc_endpoint_id(r.vpc_endpoint_id.clone())
            .set_vpc_peering_connection_id(r.vpc_peering_connection_id.clone())
    }};
}

/// Brings the table's routes from `old` to `new`: removed destinations are deleted, changed
/// ones replaced, new ones created.
async fn change_routes(c: &Ctx<'_>, id: &str, old: &[RouteBlock], new: &[RouteBlock]) -> Result<()> {
    let ec2 = &c.clients.ec2;
    let new_dests: Vec<_> = new.iter().filter_map(RouteBlock::destination).collect();
    let old_dests: Vec<_> = old.iter().filter_map(RouteBlock::destination).collect();
    for r in old.iter().filter(|r| !new.contains(r)) {
        let Some(dest) = r.destination() else { continue };
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
        let Some(dest) = r.destination() else {
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

async fn change_propagation(c: &Ctx<'_>, id: &str, old: &BTreeSet<String>, new: &BTreeSet<String>) -> Result<()> {
    let ec2 = &c.clients.ec2;
    for g in old.iter().filter(|g| !new.contains(*g)) {
        ec2.disable_vgw_route_propagation()
            .route_table_id(id)
            .gateway_id(g)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("disabling route propagation from {g} to {id}"), e))?;
    }
    for g in new.iter().filter(|g| !old.contains(*g)) {
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
    async fn read_one(&self, c: &Ctx<'_>, id: &str, like: &RouteTableObject) -> Result<Value> {
        let stub = RouteTableObject { id: Some(id.to_string()), ..like.clone() };
        crate::resource::read_model(self, c, &stub, &format!("route table {id}")).await
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
        RouteTableObject::schema()
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        let value = if configured(config, "route") {
            match plan.planned.get_attr("route") {
                Some(v) if v.is_wholly_known() => match Vec::<RouteBlock>::from_blocks(Some(v), true) {
                    Ok(r) => routes(r).to_blocks(Nesting::Set),
                    Err(_) => v.clone(),
                },
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

    async fn create(&self, c: &Ctx<'_>, raw: &Value) -> Result<Value> {
        let planned = RouteTableObject::from_value(raw)?;
        let tags = planned.tags.at_create(c);
        let vpc = &planned.vpc_id;
        let out = c
            .clients
            .ec2
            .create_route_table()
            .vpc_id(vpc)
            .set_tag_specifications(tag_spec(Rt::RouteTable, &tags).map(|t| vec![t]))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("creating route table in {vpc}"), e))?;
        let id = out
            .route_table()
            .and_then(|t| t.route_table_id())
            .ok_or_else(|| ProviderError::new("creating route table: no ID in the response"))?
            .to_string();
        let partial = || RouteTableObject { id: Some(id.clone()), ..RouteTableObject::default() }.to_value();
        // What is not known yet (an unknown set reads as none) is left for a later update.
        let vgws = planned.propagating_vgws.clone().unwrap_or_default();
        change_propagation(c, &id, &BTreeSet::new(), &vgws).await.map_err(|e| e.with_partial_state(partial()))?;
        let want = if known(raw, "route") { routes(planned.route.clone()) } else { Vec::new() };
        // Wait until the new table can be found before adding routes to it.
        let limit = limit(&planned.timeouts, Op::Create, Duration::from_secs(5 * 60));
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
        self.read_one(c, &id, &planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by the token tag its create gave it (CreateRouteTable TagSpecifications).
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let Some(id) = crate::ec2::find_by_token(c, "route-table").await? else { return Ok(None) };
        crate::resource::read_stub(self, c, crate::resource::with_id(planned, &id)).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let ids: Vec<String> = current.iter().map(crate::val::id).collect();
        let mut found = match describe_route_tables(c, &ids).await {
            Ok(f) => f,
            Err(msg) => return crate::describe::all_failed(current.len(), &ProviderError::new(msg)),
        };
        current
            .iter()
            .map(|cur| {
                let cur = RouteTableObject::from_stub(cur)?;
                let Some(t) = cur.id.as_ref().and_then(|id| found.remove(id)) else { return Ok(None) };
                let id = t.route_table_id().unwrap_or_default();
                let owner = t.owner_id().unwrap_or_default();
                Ok(Some(
                    RouteTableObject {
                        id: Some(id.to_string()),
                        arn: Some(format!("arn:aws:ec2:{}:{owner}:route-table/{id}", c.clients.region)),
                        owner_id: Some(owner.to_string()),
                        vpc_id: t.vpc_id().unwrap_or_default().to_string(),
                        propagating_vgws: Some(
                            t.propagating_vgws().iter().filter_map(|g| g.gateway_id()).map(str::to_string).collect(),
                        ),
                        route: t.routes().iter().filter_map(route_from).collect(),
                        tags: cur.tags.read_back(c, &tag_map(t.tags())),
                        timeouts: cur.timeouts,
                    }
                    .to_value(),
                ))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, raw_prior: &Value, raw: &Value) -> Result<Value> {
        let (prior, planned) = (RouteTableObject::from_stub(raw_prior)?, RouteTableObject::from_value(raw)?);
        let id = prior.id.clone().unwrap_or_default();
        if known(raw, "propagating_vgws") {
            let new = planned.propagating_vgws.clone().unwrap_or_default();
            change_propagation(c, &id, &prior.propagating_vgws.clone().unwrap_or_default(), &new).await?;
        }
        if known(raw, "route") {
            let (old, new) = (routes(prior.route.clone()), routes(planned.route.clone()));
            if old != new {
                change_routes(c, &id, &old, &new).await?;
            }
        }
        update_tags(&c.clients.ec2, &id, &prior.tags.wanted(), &planned.tags.wanted()).await?;
        self.read_one(c, &id, &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = RouteTableObject::from_stub(prior)?;
        let id = prior.id.clone().unwrap_or_default();
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
            limit(&prior.timeouts, Op::Delete, Duration::from_secs(5 * 60)),
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
        let configured = Value::object([
            ("cidr_block", Value::from("0.0.0.0/0")),
            ("gateway_id", Value::from("igw-1")),
            ("nat_gateway_id", Value::from("")),
        ]);
        let a = RouteBlock::from_stub(&configured).unwrap().normalized();
        let b = route_from(
            &Route::builder()
                .destination_cidr_block("0.0.0.0/0")
                .gateway_id("igw-1")
                .origin(RouteOrigin::CreateRoute)
                .build(),
        )
        .unwrap();
        assert_eq!(a, b);
        assert_eq!(a.nat_gateway_id, None);
        assert!(
            route_from(&Route::builder().destination_cidr_block("10.0.0.0/16").gateway_id("local").build()).is_none()
        );
        assert_eq!(a.destination(), Some(("cidr_block", "0.0.0.0/0".to_string())));
        assert_eq!(routes(vec![b.clone(), a.clone()]), vec![a], "the same route twice is one route");
    }
}
