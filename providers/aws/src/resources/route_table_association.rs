//! `aws_route_table_association`: a subnet or an (internet or virtual private) gateway
//! associated with a route table. A new `route_table_id` moves the association in place
//! (ReplaceRouteTableAssociation, which gives it a new ID). Import takes `subnet-xxx/rtb-xxx`
//! or `igw-xxx/rtb-xxx`.

use crate::delete::{dependency_violation, retry_while_in_use};
use crate::ec2::{FILTER_PAGE, filter};
use crate::errors::{code, sdk_error};
use crate::model::{Op, Timeouts, limit};
use crate::resource::{Ctx, ResourceType, Result, chunks, invalid};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_ec2::types::{RouteTableAssociation as ApiAssociation, RouteTableAssociationStateCode};
use std::collections::HashMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct RouteTableAssociation;

/// An `aws_route_table_association` object.
#[derive(Model, Clone, Debug, Default)]
struct Association {
    #[model(computed)]
    id: Option<String>,
    #[model(optional, force_new)]
    subnet_id: Option<String>,
    #[model(optional, force_new)]
    gateway_id: Option<String>,
    #[model(required)]
    route_table_id: String,
    #[model(block = "single")]
    timeouts: Option<Timeouts>,
}

impl Association {
    /// The subnet or gateway associated.
    fn target(&self) -> Option<&str> {
        self.subnet_id.as_deref().or(self.gateway_id.as_deref())
    }
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

/// The association as a read returns it, with the `timeouts` of `cur`.
fn value_from(a: &ApiAssociation, cur: &Association) -> Value {
    let text = |s: Option<&str>| s.map(str::to_string);
    Association {
        id: text(a.route_table_association_id()),
        subnet_id: text(a.subnet_id()),
        gateway_id: text(a.gateway_id()),
        route_table_id: a.route_table_id().unwrap_or_default().to_string(),
        timeouts: cur.timeouts.clone(),
    }
    .to_value()
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
    async fn read_one(&self, c: &Ctx<'_>, id: &str, like: &Association) -> Result<Value> {
        let stub = Association { id: Some(id.to_string()), ..like.clone() };
        crate::resource::read_model(self, c, &stub, &format!("route table association {id}")).await
    }
}

#[async_trait]
impl ResourceType for RouteTableAssociation {
    fn name(&self) -> &'static str {
        "aws_route_table_association"
    }

    fn schema(&self) -> Schema {
        Association::schema()
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
        let planned = Association::from_value(planned)?;
        let table = &planned.route_table_id;
        let target = planned.target().unwrap_or_default();
        let limit = limit(&planned.timeouts, Op::Create, Duration::from_secs(5 * 60));
        // New route tables take a moment to be found by AssociateRouteTable.
        let id = wait_for(&format!("{target} to be associated with {table}"), limit, || async {
            match c
                .clients
                .ec2
                .associate_route_table()
                .route_table_id(table)
                .set_subnet_id(planned.subnet_id.clone())
                .set_gateway_id(planned.gateway_id.clone())
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
        let partial = Association { id: Some(id.clone()), route_table_id: table.clone(), ..Association::default() };
        self.read_one(c, &id, &planned).await.map_err(|e| e.with_partial_state(partial.to_value()))
    }

    /// Found by its natural key, route table and subnet (or gateway): the association ID is
    /// only known from AssociateRouteTable's answer and takes no tags, and a subnet has one
    /// route table association at most.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        // (A planned value without its route table cannot have made anything.)
        let Ok(planned) = Association::from_value(planned) else { return Ok(None) };
        let table = planned.route_table_id.as_str();
        let Some(target) = planned.target() else { return Ok(None) };
        let found = associations(c, "route-table-id", std::slice::from_ref(&planned.route_table_id))
            .await
            .map_err(ProviderError::new)?;
        Ok(found
            .values()
            .find(|a| {
                a.route_table_id() == Some(table) && (a.subnet_id() == Some(target) || a.gateway_id() == Some(target))
            })
            .map(|a| value_from(a, &planned)))
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let ids: Vec<String> = current.iter().map(crate::val::id).filter(|id| id.starts_with("rtbassoc-")).collect();
        let found = match associations(c, "association.route-table-association-id", &ids).await {
            Ok(f) => f,
            Err(msg) => return current.iter().map(|_| Err(ProviderError::new(msg.clone()))).collect(),
        };
        current
            .iter()
            .map(|cur| {
                let cur = Association::from_stub(cur)?;
                Ok(cur.id.as_ref().and_then(|id| found.get(id)).map(|a| value_from(a, &cur)))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (Association::from_stub(prior)?, Association::from_value(planned)?);
        let mut id = prior.id.clone().unwrap_or_default();
        let table = &planned.route_table_id;
        if prior.route_table_id != *table {
            let out = c
                .clients
                .ec2
                .replace_route_table_association()
                .association_id(&id)
                .route_table_id(table)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("moving association {id} to route table {table}"), e))?;
            id = out.new_association_id().map(str::to_string).unwrap_or(id);
        }
        self.read_one(c, &id, &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = Association::from_stub(prior)?;
        let id = prior.id.clone().unwrap_or_default();
        retry_while_in_use(
            &format!("route table association {id} to be deleted"),
            limit(&prior.timeouts, Op::Delete, Duration::from_secs(5 * 60)),
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
        let stub = Association { id: Some(id.to_string()), ..Association::default() };
        Ok(found
            .values()
            .find(|a| {
                a.route_table_id() == Some(table) && (a.subnet_id() == Some(target) || a.gateway_id() == Some(target))
            })
            .map(|a| value_from(a, &stub)))
    }
}
