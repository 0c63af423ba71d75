//! `aws_lb_target_group_attachment`: one target (an instance, an IP) registered in a target
//! group. Its ID is the group's ARN with a unique suffix, as Terraform makes it; like
//! Terraform, it cannot be imported (the ID does not name the target).

use crate::errors::{code, is_not_found, sdk_error};
use crate::resource::{Ctx, ResourceType, Result, invalid};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{TargetDescription, TargetHealthDescription};
use futures::stream::{self, StreamExt};
use std::collections::BTreeMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct LbTargetGroupAttachment;

/// An `aws_lb_target_group_attachment` object: all it holds is what was configured (AWS
/// keeps no more of a registration than the target).
#[derive(Model, Clone, Debug, Default)]
struct AttachmentObject {
    #[model(computed)]
    id: Option<String>,
    #[model(required, force_new)]
    target_group_arn: String,
    #[model(required, force_new)]
    target_id: String,
    #[model(optional, force_new)]
    port: Option<i64>,
    #[model(optional, force_new)]
    availability_zone: Option<String>,
}

impl AttachmentObject {
    fn target(&self) -> TargetDescription {
        TargetDescription::builder()
            .id(&self.target_id)
            .set_port(self.port.map(|p| p as i32))
            .set_availability_zone(self.availability_zone.clone())
            .build()
    }

    /// Whether a registered target is this attachment's (a target being deregistered, or no
    /// longer registered, is not).
    fn matches(&self, d: &TargetHealthDescription) -> bool {
        let Some(t) = d.target() else { return false };
        let leaving = d
            .target_health()
            .and_then(|h| h.reason())
            .is_some_and(|r| matches!(r.as_str(), "Target.DeregistrationInProgress" | "Target.NotRegistered"));
        !leaving
            && t.id() == Some(self.target_id.as_str())
            && self.port.is_none_or(|p| t.port() == Some(p as i32))
            && self.availability_zone.as_ref().is_none_or(|az| t.availability_zone().is_none_or(|x| x == az))
    }

    /// The attachment with its ID, made as Terraform makes it (the group's ARN and a suffix).
    fn with_new_id(self, c: &Ctx<'_>) -> AttachmentObject {
        let id = format!("{}-{}", self.target_group_arn, c.unique_suffix());
        AttachmentObject { id: Some(id), ..self }
    }
}

/// The targets registered in a group; `None` when the group is gone.
async fn registered(c: &Ctx<'_>, group: &str) -> Result<Option<Vec<TargetHealthDescription>>> {
    match c.clients.elbv2.describe_target_health().target_group_arn(group).send().await {
        Ok(out) => Ok(Some(out.target_health_descriptions().to_vec())),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(sdk_error(&format!("reading the targets of target group {group}"), e)),
    }
}

#[async_trait]
impl ResourceType for LbTargetGroupAttachment {
    fn name(&self) -> &'static str {
        "aws_lb_target_group_attachment"
    }

    fn schema(&self) -> Schema {
        AttachmentObject::schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        // Read leniently: a port not known yet is not checked.
        let port = match AttachmentObject::from_stub(config) {
            Ok(a) => a.port,
            Err(e) => return vec![invalid("Invalid configuration", e.to_string())],
        };
        match port.filter(|p| !(1..=65535).contains(p)) {
            Some(p) => vec![invalid("Invalid port", format!("port must be between 1 and 65535, got {p}."))],
            None => Vec::new(),
        }
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = AttachmentObject::from_value(planned)?;
        let group = &planned.target_group_arn;
        // An instance just launched is not a valid target until it runs.
        wait_for(&format!("target to be registered in {group}"), Duration::from_secs(10 * 60), || async {
            match c.clients.elbv2.register_targets().target_group_arn(group).targets(planned.target()).send().await {
                Ok(_) => Ok(Poll::Done(())),
                Err(e) if code(&e) == Some("InvalidTarget") => {
                    Ok(Poll::Pending(crate::errors::describe("invalid target", &e)))
                }
                Err(e) => Err(sdk_error(&format!("registering a target in {group}"), e)),
            }
        })
        .await?;
        Ok(planned.with_new_id(c).to_value())
    }

    /// One DescribeTargetHealth per target group, for all its attachments.
    /// Found by its natural key, target group and target (ID, port, zone): a registration has
    /// no ID or tags in AWS (RegisterTargets is idempotent anyway). The ID is made as the create
    /// makes it.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let planned = AttachmentObject::from_stub(planned)?;
        if planned.target_group_arn.is_empty() {
            return Ok(None);
        }
        let Some(targets) = registered(c, &planned.target_group_arn).await? else { return Ok(None) };
        if !targets.iter().any(|d| planned.matches(d)) {
            return Ok(None);
        }
        Ok(Some(planned.with_new_id(c).to_value()))
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let current: Vec<Result<AttachmentObject>> =
            current.iter().map(|cur| AttachmentObject::from_stub(cur).map_err(ProviderError::from)).collect();
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, cur) in current.iter().enumerate() {
            if let Ok(cur) = cur {
                groups.entry(cur.target_group_arn.clone()).or_default().push(i);
            }
        }
        let found: Vec<(Vec<usize>, Result<Option<Vec<TargetHealthDescription>>>)> = stream::iter(groups)
            .map(|(group, idx)| async move { (idx, registered(c, &group).await) })
            .buffered(8)
            .collect()
            .await;
        let mut out: Vec<Result<Option<Value>>> =
            current.iter().map(|cur| cur.as_ref().map(|_| None).map_err(Clone::clone)).collect();
        for (idx, targets) in found {
            for i in idx {
                let Ok(cur) = &current[i] else { continue };
                out[i] = match &targets {
                    Err(e) => Err(e.clone()),
                    Ok(None) => Ok(None),
                    Ok(Some(t)) => Ok(t.iter().any(|d| cur.matches(d)).then(|| cur.to_value())),
                };
            }
        }
        out
    }

    async fn update(&self, _c: &Ctx<'_>, _prior: &Value, planned: &Value) -> Result<Value> {
        // Every argument forces replacement: nothing to change in place.
        Ok(AttachmentObject::from_value(planned)?.to_value())
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = AttachmentObject::from_stub(prior)?;
        let group = &prior.target_group_arn;
        match c.clients.elbv2.deregister_targets().target_group_arn(group).targets(prior.target()).send().await {
            Ok(_) => Ok(()),
            Err(e) if is_not_found(&e) || code(&e) == Some("InvalidTarget") => Ok(()),
            Err(e) => Err(sdk_error(&format!("deregistering a target from {group}"), e)),
        }
    }

    async fn import(&self, _c: &Ctx<'_>, id: &str) -> Result<Option<Value>> {
        Err(ProviderError::new(format!(
            "aws_lb_target_group_attachment cannot be imported (as in Terraform): its ID ({id:?}) does not name the target; declare the attachment and let apply register the target (registering is idempotent)"
        )))
    }
}
