//! `aws_route_table_association`: a subnet or an (internet or virtual private) gateway
//! associated with a route table. A new `route_table_id` moves the association in place
//! (ReplaceRouteTableAssociation, which gives it a new ID). Import takes `subnet-xxx/rtb-xxx`
//! or `igw-xxx/rtb-xxx`.

use crate::delete::{dependency_violation, retry_while_in_use};
use crate::ec2::{FILTER_PAGE, filter};
use crate::errors::{code, sdk_error};
use crate::resource::{Ctx, ResourceType, Result, chunks, invalid, with_timeouts};
use crate::val::{self, Obj};
use crate::waiter::{Poll, timeout, wait_for};
use async_trait::async_trait;
use aws_sdk_ec2::types::{RouteTableAssociation as ApiAssociation, RouteTableAssociationStateCode};
use std::collections::HashMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub struct RouteTableAssociation;

fn schema() -> Schema {
    with_timeouts(
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("subnet_id", Attribute::optional(Type::String).force_new())
            .attr("gateway_id", Attribute::optional(Type::String).force_new())
            .attr("route_table_id", Attribute::required(Type::String)),
        &["create", "update", "delete"],
    )
}

fn live(a: &ApiAssociation) -> bool {
    !matches!(
        a.association_state().and_then(|s| s.state()),
        Some(
            RouteTableAssociationStateCode::Disassociated
                | RouteTableAssociationStateCode::Disassociating
                | RouteTableAssociationStateCode::Failed
        )
    )
}

fn value_from(a: &ApiAssociation, cur: &Value) -> Value {
    Obj::new(&schema())
        .set("id", val::opt_str(a.route_table_association_id()))
        .set("subnet_id", val::opt_str(a.subnet_id()))
        .set("gateway_id", val::opt_str(a.gateway_id()))
        .set("route_table_id", val::opt_str(a.route_table_id()))
        .keep(cur, &["timeouts"])
        .build()
}

/// Live associations, found by a filter on their route tables, keyed by association ID.
async fn associations(
    c: &Ctx<'_>,
    name: &str,
    values: &[String],
) -> std::result::Result<HashMap<String, ApiAssociation>, String> {
    let mut found = HashMap::new();
    for page in chunks(values, FILTER_PAGE) {
        let tables = c
            .clients
            .ec2
            .describe_route_tables()
            .filters(filter(name, page))
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .map_err(|e| crate::errors::describe("reading route table associations", &e))?;
        for t in &tables {
            for a in t.associations().iter().filter(|a| live(a)) {
                if let Some(id) = a.route_table_association_id() {
                    found.insert(id.to_string(), a.clone());
                }
            }
        }
    }
    Ok(found)
}

impl RouteTableAssociation {
    async fn read_one(&self, c: &Ctx<'_>, id: &str, like: &Value) -> Result<Value> {
        let stub = Value::object([
            ("id", Value::from(id)),
            ("timeouts", like.get_attr("timeouts").cloned().unwrap_or_default()),
        ]);
        self.read_many(c, &[stub])
            .await
            .pop()
            .unwrap_or(Ok(None))?
            .ok_or_else(|| ProviderError::new(format!("route table association {id} is gone")))
    }
}

#[async_trait]
impl ResourceType for RouteTableAssociation {
    fn name(&self) -> &'static str {
        "aws_route_table_association"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let set =
            ["subnet_id", "gateway_id"].iter().filter(|k| config.get_attr(k).is_some_and(|v| !v.is_null())).count();
        if set == 1 {
            Vec::new()
        } else {
            vec![invalid("Invalid route table association", "exactly one of subnet_id and gateway_id must be set")]
        }
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let table = val::string(planned, "route_table_id").unwrap_or_default();
        let (subnet, gateway) = (val::string(planned, "subnet_id"), val::string(planned, "gateway_id"));
        let target = subnet.clone().or(gateway.clone()).unwrap_or_default();
        let limit = timeout(planned, "create", Duration::from_secs(5 * 60));
        // New route tables take a moment to be found by AssociateRouteTable.
        let id = wait_for(&format!("{target} to be associated with {table}"), limit, || async {
            match c
                .clients
                .ec2
                .associate_route_table()
                .route_table_id(&table)
                .set_subnet_id(subnet.clone())
                .set_gateway_id(gateway.clone())
                .send()
                .await
            {
                Ok(o) => Ok(Poll::Done(o.association_id().unwrap_or_default().to_string())),
                Err(e) if code(&e) == Some("InvalidRouteTableID.NotFound") => {
                    Ok(Poll::Pending("route table not found yet".into()))
                }
                Err(e) => Err(sdk_error(&format!("associating {target} with route table {table}"), e)),
            }
        })
        .await?;
        if id.is_empty() {
            return Err(ProviderError::new(format!(
                "associating {target} with route table {table}: no association ID in the response"
            )));
        }
        let partial =
            Value::object([("id", Value::from(id.as_str())), ("route_table_id", Value::from(table.as_str()))]);
        self.read_one(c, &id, planned).await.map_err(|e| e.with_partial_state(partial))
    }

    /// Found by its natural key, route table and subnet (or gateway): the association ID is
    /// only known from AssociateRouteTable's answer and takes no tags, and a subnet has one
    /// route table association at most.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let Some(table) = val::string(planned, "route_table_id") else { return Ok(None) };
        let Some(target) = val::string(planned, "subnet_id").or(val::string(planned, "gateway_id")) else {
            return Ok(None);
        };
        let found =
            associations(c, "route-table-id", std::slice::from_ref(&table)).await.map_err(ProviderError::new)?;
        Ok(found
            .values()
            .find(|a| {
                a.route_table_id() == Some(table.as_str())
                    && (a.subnet_id() == Some(target.as_str()) || a.gateway_id() == Some(target.as_str()))
            })
            .map(|a| value_from(a, planned)))
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let ids: Vec<String> = current.iter().map(val::id).filter(|id| id.starts_with("rtbassoc-")).collect();
        let found = match associations(c, "association.route-table-association-id", &ids).await {
            Ok(f) => f,
            Err(msg) => return current.iter().map(|_| Err(ProviderError::new(msg.clone()))).collect(),
        };
        current.iter().map(|cur| Ok(found.get(&val::id(cur)).map(|a| value_from(a, cur)))).collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let mut id = val::id(prior);
        let table = val::string(planned, "route_table_id").unwrap_or_default();
        if val::string(prior, "route_table_id").as_deref() != Some(table.as_str()) {
            let out = c
                .clients
                .ec2
                .replace_route_table_association()
                .association_id(&id)
                .route_table_id(&table)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("moving association {id} to route table {table}"), e))?;
            id = out.new_association_id().map(str::to_string).unwrap_or(id);
        }
        self.read_one(c, &id, planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let id = val::id(prior);
        retry_while_in_use(
            &format!("route table association {id} to be deleted"),
            timeout(prior, "delete", Duration::from_secs(5 * 60)),
            &format!("deleting route table association {id}"),
            dependency_violation,
            || c.clients.ec2.disassociate_route_table().association_id(&id).send(),
        )
        .await
    }

    async fn import(&self, c: &Ctx<'_>, id: &str) -> Result<Option<Value>> {
        let Some((target, table)) = id.split_once('/') else {
            return Err(ProviderError::new(format!(
                "unexpected import ID {id:?}: expected SUBNET_ID/ROUTE_TABLE_ID or GATEWAY_ID/ROUTE_TABLE_ID"
            )));
        };
        let found = associations(c, "route-table-id", &[table.to_string()]).await.map_err(ProviderError::new)?;
        let stub = Value::object([("id", Value::from(id))]);
        Ok(found
            .values()
            .find(|a| {
                a.route_table_id() == Some(table) && (a.subnet_id() == Some(target) || a.gateway_id() == Some(target))
            })
            .map(|a| value_from(a, &stub)))
    }
}
