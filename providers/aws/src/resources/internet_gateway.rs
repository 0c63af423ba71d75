//! `aws_internet_gateway`: created on its own, attached to `vpc_id` when one is given; a new
//! `vpc_id` detaches from the old VPC and attaches to the new one in place.

use crate::delete::{dependency_violation, retry_while_in_use};
use crate::describe::all_failed;
use crate::ec2::{describe_by_ids, filter, tag_map, tag_spec, update_tags};
use crate::errors::{code, sdk_error};
use crate::model::{Op, Tags, Timeouts, limit};
use crate::resource::{Ctx, ResourceType, Result};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_ec2::types::{AttachmentStatus, InternetGateway as Igw, ResourceType as Rt};
use std::time::Duration;
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct InternetGateway;

/// An `aws_internet_gateway` object.
#[derive(Model, Clone, Debug, Default)]
struct Gateway {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(computed)]
    owner_id: Option<String>,
    #[model(optional, computed)]
    vpc_id: Option<String>,
    #[model(flatten)]
    tags: Tags,
    #[model(block = "single")]
    timeouts: Option<Timeouts>,
}

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20 * 60);

/// The VPC the gateway is attached to (attaching or attached), if any.
fn attached_vpc(g: &Igw) -> Option<String> {
    g.attachments()
        .iter()
        .find(|a| !matches!(a.state(), Some(AttachmentStatus::Detached | AttachmentStatus::Detaching)))
        .and_then(|a| a.vpc_id().map(str::to_string))
}

async fn attach(c: &Ctx<'_>, id: &str, vpc: &str, limit: Duration) -> Result<()> {
    // A VPC just created may not be visible to the attach call yet: retry while it is not found.
    wait_for(&format!("internet gateway {id} to attach to {vpc}"), limit, || async {
        match c.clients.ec2.attach_internet_gateway().internet_gateway_id(id).vpc_id(vpc).send().await {
            Ok(_) => Ok(Poll::Done(())),
            Err(e) if code(&e) == Some("InvalidVpcID.NotFound") => Ok(Poll::Pending("VPC not found yet".into())),
            Err(e) => Err(sdk_error(&format!("attaching internet gateway {id} to {vpc}"), e)),
        }
    })
    .await
}

async fn detach(c: &Ctx<'_>, id: &str, vpc: &str, limit: Duration) -> Result<()> {
    // Detaching fails while public addresses in the VPC are mapped (DependencyViolation).
    wait_for(&format!("internet gateway {id} to detach from {vpc}"), limit, || async {
        match c.clients.ec2.detach_internet_gateway().internet_gateway_id(id).vpc_id(vpc).send().await {
            Ok(_) => Ok(Poll::Done(())),
            Err(e) if crate::errors::is_not_found(&e) || code(&e) == Some("Gateway.NotAttached") => Ok(Poll::Done(())),
            Err(e) if code(&e) == Some("DependencyViolation") => {
                Ok(Poll::Pending("in use (DependencyViolation)".into()))
            }
            Err(e) => Err(sdk_error(&format!("detaching internet gateway {id} from {vpc}"), e)),
        }
    })
    .await
}

impl InternetGateway {
    /// The gateway `id` as a read finds it, keeping what `like` (planned or prior) says of
    /// what the API does not hold.
    async fn read_one(&self, c: &Ctx<'_>, id: &str, like: &Gateway) -> Result<Value> {
        let stub = Gateway { id: Some(id.to_string()), ..like.clone() };
        crate::resource::read_model(self, c, &stub, &format!("internet gateway {id}")).await
    }
}

#[async_trait]
impl ResourceType for InternetGateway {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::Ec2("id"))
    }

    fn name(&self) -> &'static str {
        "aws_internet_gateway"
    }

    fn schema(&self) -> Schema {
        Gateway::schema()
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = Gateway::from_value(planned)?;
        let tags = planned.tags.at_create(c);
        let out = c
            .clients
            .ec2
            .create_internet_gateway()
            .set_tag_specifications(tag_spec(Rt::InternetGateway, &tags).map(|t| vec![t]))
            .send()
            .await
            .map_err(|e| sdk_error("creating internet gateway", e))?;
        let id = out
            .internet_gateway()
            .and_then(|g| g.internet_gateway_id())
            .ok_or_else(|| ProviderError::new("creating internet gateway: no ID in the response"))?
            .to_string();
        let partial = || Gateway { id: Some(id.clone()), ..Gateway::default() }.to_value();
        if let Some(vpc) = &planned.vpc_id {
            attach(c, &id, vpc, limit(&planned.timeouts, Op::Create, DEFAULT_TIMEOUT))
                .await
                .map_err(|e| e.with_partial_state(partial()))?;
        }
        self.read_one(c, &id, &planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by the token tag its create gave it (CreateInternetGateway TagSpecifications).
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let Some(id) = crate::ec2::find_by_token(c, "internet-gateway").await? else { return Ok(None) };
        crate::resource::read_stub(self, c, crate::resource::with_id(planned, &id)).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let ids: Vec<String> = current.iter().map(crate::val::id).collect();
        let describe = |page| {
            c.clients
                .ec2
                .describe_internet_gateways()
                .filters(filter("internet-gateway-id", page))
                .into_paginator()
                .items()
                .send()
        };
        let found = match describe_by_ids(&ids, "reading internet gateways", describe, Igw::internet_gateway_id).await {
            Ok(f) => f,
            Err(msg) => return all_failed(current.len(), &ProviderError::new(msg)),
        };
        current
            .iter()
            .map(|cur| {
                let cur = Gateway::from_stub(cur)?;
                let Some(g) = cur.id.as_ref().and_then(|id| found.get(id)) else { return Ok(None) };
                let (id, owner) = (g.internet_gateway_id().unwrap_or_default(), g.owner_id().unwrap_or_default());
                Ok(Some(
                    Gateway {
                        id: Some(id.to_string()),
                        arn: Some(format!("arn:aws:ec2:{}:{owner}:internet-gateway/{id}", c.clients.region)),
                        owner_id: Some(owner.to_string()),
                        vpc_id: attached_vpc(g),
                        tags: cur.tags.read_back(c, &tag_map(g.tags())),
                        timeouts: cur.timeouts,
                    }
                    .to_value(),
                ))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (Gateway::from_stub(prior)?, Gateway::from_value(planned)?);
        let id = prior.id.clone().unwrap_or_default();
        if prior.vpc_id != planned.vpc_id {
            let limit = limit(&planned.timeouts, Op::Update, DEFAULT_TIMEOUT);
            if let Some(vpc) = &prior.vpc_id {
                detach(c, &id, vpc, limit).await?;
            }
            if let Some(vpc) = &planned.vpc_id {
                attach(c, &id, vpc, limit).await?;
            }
        }
        update_tags(&c.clients.ec2, &id, &prior.tags.wanted(), &planned.tags.wanted()).await?;
        self.read_one(c, &id, &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = Gateway::from_stub(prior)?;
        let id = prior.id.unwrap_or_default();
        let limit = limit(&prior.timeouts, Op::Delete, DEFAULT_TIMEOUT);
        if let Some(vpc) = &prior.vpc_id {
            detach(c, &id, vpc, limit).await?;
        }
        retry_while_in_use(
            &format!("internet gateway {id} to be deleted"),
            limit,
            &format!("deleting internet gateway {id}"),
            dependency_violation,
            || c.clients.ec2.delete_internet_gateway().internet_gateway_id(&id).send(),
        )
        .await
    }
}
