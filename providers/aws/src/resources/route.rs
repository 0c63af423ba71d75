//! `aws_route`: one route in a route table, by destination; a new target replaces the route in
//! place (ReplaceRoute). IDs are Terraform's (`r-<table><crc32 of the destination>`); import
//! takes `rtb-xxx_10.0.0.0/16` (or an IPv6 CIDR or prefix list ID after the underscore).

use crate::delete::{dependency_violation, retry_while_in_use};
use crate::ec2::describe_route_tables;
use crate::errors::{code, conflict_on_first_attempt, sdk_error, taken_if};
use crate::resource::{Ctx, ResourceType, Result, crc32, invalid, with_timeouts};
use crate::val::{self, Obj};
use crate::waiter::{Poll, timeout, wait_for};
use async_trait::async_trait;
use aws_sdk_ec2::types::Route as ApiRoute;
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::plan::diff::same;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct Route;

const DESTINATIONS: &[&str] = &["destination_cidr_block", "destination_ipv6_cidr_block", "destination_prefix_list_id"];

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

fn schema() -> Schema {
    let mut s = Schema::new()
        .attr("id", Attribute::computed(Type::String))
        .attr("route_table_id", Attribute::required(Type::String).force_new());
    for d in DESTINATIONS {
        s = s.attr(d, Attribute::optional(Type::String).force_new());
    }
    for t in TARGETS {
        let a = if *t == "network_interface_id" {
            Attribute::optional_computed(Type::String)
        } else {
            Attribute::optional(Type::String)
        };
        s = s.attr(t, a);
    }
    let s = s
        .attr("instance_id", Attribute::computed(Type::String))
        .attr("instance_owner_id", Attribute::computed(Type::String))
        .attr("origin", Attribute::computed(Type::String))
        .attr("state", Attribute::computed(Type::String));
    with_timeouts(s, &["create", "update", "delete"])
}

/// Terraform's ID of a route: `r-` + table ID + hash of the destination.
pub fn route_id(table: &str, destination: &str) -> String {
    format!("r-{table}{}", crc32(destination.as_bytes()))
}

/// The destination of a route value, as (attribute, value).
fn destination(v: &Value) -> Option<(&'static str, String)> {
    DESTINATIONS.iter().find_map(|k| val::string(v, k).filter(|s| !s.is_empty()).map(|s| (*k, s)))
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

/// Route table and destination of a value, from its attributes or else its import ID.
fn key(v: &Value) -> Option<(String, &'static str, String)> {
    if let (Some(t), Some((k, d))) = (val::string(v, "route_table_id"), destination(v)) {
        return Some((t, k, d));
    }
    let id = val::id(v);
    let (t, d) = id.split_once('_')?;
    (t.starts_with("rtb-") && !d.is_empty()).then(|| (t.to_string(), destination_kind(d), d.to_string()))
}

fn matches(r: &ApiRoute, kind: &str, dest: &str) -> bool {
    match kind {
        "destination_cidr_block" => r.destination_cidr_block() == Some(dest),
        "destination_ipv6_cidr_block" => r.destination_ipv6_cidr_block().is_some_and(|d| d.eq_ignore_ascii_case(dest)),
        _ => r.destination_prefix_list_id() == Some(dest),
    }
}

fn value_from(r: &ApiRoute, table: &str, kind: &str, dest: &str, cur: &Value) -> Value {
    let gw = r.gateway_id().filter(|g| !g.is_empty());
    let (gateway, endpoint) = match gw {
        Some(g) if g.starts_with("vpce-") => (None, Some(g)),
        g => (g, None),
    };
    Obj::new(&schema())
        .set("id", route_id(table, dest))
        .set("route_table_id", table)
        .set(kind, dest)
        .set("carrier_gateway_id", val::opt_str(r.carrier_gateway_id()))
        .set("core_network_arn", val::opt_str(r.core_network_arn()))
        .set("egress_only_gateway_id", val::opt_str(r.egress_only_internet_gateway_id()))
        .set("gateway_id", val::opt_str(gateway))
        .set("local_gateway_id", val::opt_str(r.local_gateway_id()))
        .set("nat_gateway_id", val::opt_str(r.nat_gateway_id()))
        .set("network_interface_id", val::opt_str(r.network_interface_id()))
        .set("transit_gateway_id", val::opt_str(r.transit_gateway_id()))
        .set("vpc_endpoint_id", val::opt_str(endpoint))
        .set("vpc_peering_connection_id", val::opt_str(r.vpc_peering_connection_id()))
        .set("instance_id", val::opt_str(r.instance_id()))
        .set("instance_owner_id", val::opt_str(r.instance_owner_id()))
        .set("origin", val::opt_str(r.origin().map(|o| o.as_str())))
        .set("state", val::opt_str(r.state().map(|s| s.as_str())))
        .keep(cur, &["timeouts"])
        .build()
}

macro_rules! route_call {
    ($req:expr, $v:expr) => {{
        let v = $v;
        let s = |k: &str| val::string(v, k);
        $req.set_destination_cidr_block(s("destination_cidr_block"))
            .set_destination_ipv6_cidr_block(s("destination_ipv6_cidr_block"))
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

impl Route {
    async fn read_one(&self, c: &Ctx<'_>, like: &Value) -> Result<Option<Value>> {
        self.read_many(c, std::slice::from_ref(like)).await.pop().unwrap_or(Ok(None))
    }

    /// Waits until the route shows in its table (new routes take a moment on AWS).
    async fn wait_ready(&self, c: &Ctx<'_>, like: &Value, limit: Duration) -> Result<Value> {
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
        schema()
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
        let had = prior.and_then(|p| val::string(p, "network_interface_id")).is_some();
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
        let table = val::string(planned, "route_table_id").unwrap_or_default();
        let (_, dest) = destination(planned).ok_or_else(|| ProviderError::new("creating route: no destination"))?;
        match route_call!(c.clients.ec2.create_route().route_table_id(&table), planned).send().await {
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
        let partial = Value::object([
            ("id", Value::from(route_id(&table, &dest))),
            ("route_table_id", Value::from(table.as_str())),
            (destination(planned).map_or("destination_cidr_block", |d| d.0), Value::from(dest.as_str())),
        ]);
        let mut like = planned.clone();
        like.set_at_path(&[PathStep::Attr("id".into())], Value::from(route_id(&table, &dest)));
        self.wait_ready(c, &like, timeout(planned, "create", Duration::from_secs(5 * 60)))
            .await
            .map_err(|e| e.with_partial_state(partial))
    }

    /// Found by its natural key, route table and destination: a route has no ID or tags of
    /// its own, and CreateRoute refuses a destination the table already routes.
    /// A route to another target than the planned one is not what the create made.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let Some((table, _, dest)) = key(planned) else { return Ok(None) };
        let found =
            crate::resource::read_stub(self, c, crate::resource::with_id(planned, &route_id(&table, &dest))).await?;
        Ok(found.filter(|v| {
            TARGETS.iter().all(|t| match val::string(planned, t) {
                Some(want) => val::string(v, t).as_deref() == Some(want.as_str()),
                None => true,
            })
        }))
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let keys: Vec<Option<(String, &'static str, String)>> = current.iter().map(key).collect();
        let mut tables: Vec<String> = keys.iter().flatten().map(|k| k.0.clone()).collect();
        tables.sort();
        tables.dedup();
        let found = match describe_route_tables(c, &tables).await {
            Ok(f) => f,
            Err(msg) => return current.iter().map(|_| Err(ProviderError::new(msg.clone()))).collect(),
        };
        current
            .iter()
            .zip(keys)
            .map(|(cur, k)| {
                let Some((table, kind, dest)) = k else { return Ok(None) };
                let Some(t) = found.get(&table) else { return Ok(None) };
                Ok(t.routes().iter().find(|r| matches(r, kind, &dest)).map(|r| value_from(r, &table, kind, &dest, cur)))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let table = val::string(prior, "route_table_id").unwrap_or_default();
        let changed = TARGETS.iter().any(|t| {
            val::string(prior, t) != val::string(planned, t) && !planned.get_attr(t).is_some_and(Value::is_unknown)
        });
        if changed {
            let (_, dest) = destination(prior).unwrap_or_default();
            route_call!(c.clients.ec2.replace_route().route_table_id(&table), planned)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("replacing route to {dest} in {table}"), e))?;
        }
        self.wait_ready(c, planned, timeout(planned, "update", Duration::from_secs(2 * 60))).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let Some((table, kind, dest)) = key(prior) else { return Ok(()) };
        let limit = timeout(prior, "delete", Duration::from_secs(5 * 60));
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

    #[test]
    fn import_ids_name_table_and_destination() {
        let k = key(&Value::object([("id", Value::from("rtb-0abc_10.0.0.0/16"))])).unwrap();
        assert_eq!(k, ("rtb-0abc".to_string(), "destination_cidr_block", "10.0.0.0/16".to_string()));
        assert_eq!(
            key(&Value::object([("id", Value::from("rtb-0abc_2001:db8::/56"))])).unwrap().1,
            "destination_ipv6_cidr_block"
        );
        assert_eq!(
            key(&Value::object([("id", Value::from("rtb-0abc_pl-123"))])).unwrap().1,
            "destination_prefix_list_id"
        );
        assert!(key(&Value::object([("id", Value::from("nonsense"))])).is_none());
    }
}
