//! `aws_lb_target_group_attachment`: one target (an instance, an IP) registered in a target
//! group. Its ID is the group's ARN with a unique suffix, as Terraform makes it; like
//! Terraform, it cannot be imported (the ID does not name the target).

use crate::errors::{code, is_not_found, sdk_error};
use crate::resource::{Ctx, ResourceType, Result, invalid};
use crate::val::{self, Obj};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_elasticloadbalancingv2::types::{TargetDescription, TargetHealthDescription};
use futures::stream::{self, StreamExt};
use std::collections::BTreeMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub struct LbTargetGroupAttachment;

fn schema() -> Schema {
    Schema::new()
        .attr("id", Attribute::computed(Type::String))
        .attr("target_group_arn", Attribute::required(Type::String).force_new())
        .attr("target_id", Attribute::required(Type::String).force_new())
        .attr("port", Attribute::optional(Type::Number).force_new())
        .attr("availability_zone", Attribute::optional(Type::String).force_new())
}

fn target(v: &Value) -> TargetDescription {
    TargetDescription::builder()
        .set_id(val::string(v, "target_id"))
        .set_port(val::int(v, "port").map(|p| p as i32))
        .set_availability_zone(val::string(v, "availability_zone"))
        .build()
}

fn attachment_value(v: &Value) -> Value {
    Obj::new(&schema()).keep(v, &["id", "target_group_arn", "target_id", "port", "availability_zone"]).build()
}

/// Whether a registered target is this attachment's (a target being deregistered, or no
/// longer registered, is not).
fn matches(d: &TargetHealthDescription, cur: &Value) -> bool {
    let Some(t) = d.target() else { return false };
    let leaving = d
        .target_health()
        .and_then(|h| h.reason())
        .is_some_and(|r| matches!(r.as_str(), "Target.DeregistrationInProgress" | "Target.NotRegistered"));
    !leaving
        && t.id() == val::string(cur, "target_id").as_deref()
        && val::int(cur, "port").is_none_or(|p| t.port() == Some(p as i32))
        && val::string(cur, "availability_zone").is_none_or(|az| t.availability_zone().is_none_or(|x| x == az))
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
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        match val::number(config, "port").filter(|p| !(1.0..=65535.0).contains(p)) {
            Some(p) => vec![invalid("Invalid port", format!("port must be between 1 and 65535, got {p}."))],
            None => Vec::new(),
        }
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let group = val::string(planned, "target_group_arn").unwrap_or_default();
        // An instance just launched is not a valid target until it runs.
        wait_for(&format!("target to be registered in {group}"), Duration::from_secs(10 * 60), || async {
            match c.clients.elbv2.register_targets().target_group_arn(&group).targets(target(planned)).send().await {
                Ok(_) => Ok(Poll::Done(())),
                Err(e) if code(&e) == Some("InvalidTarget") => {
                    Ok(Poll::Pending(crate::errors::describe("invalid target", &e)))
                }
                Err(e) => Err(sdk_error(&format!("registering a target in {group}"), e)),
            }
        })
        .await?;
        let mut v = attachment_value(planned);
        v.set_at_path(
            &[terrane_engine::value::PathStep::Attr("id".into())],
            Value::from(format!("{group}-{}", c.unique_suffix())),
        );
        Ok(v)
    }

    /// One DescribeTargetHealth per target group, for all its attachments.
    /// Found by its natural key, target group and target (ID, port, zone): a registration has
    /// no ID or tags in AWS (RegisterTargets is idempotent anyway). The ID is made as the create
    /// makes it.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let Some(group) = val::string(planned, "target_group_arn").filter(|g| !g.is_empty()) else { return Ok(None) };
        let Some(targets) = registered(c, &group).await? else { return Ok(None) };
        if !targets.iter().any(|d| matches(d, planned)) {
            return Ok(None);
        }
        let mut v = attachment_value(planned);
        v.set_at_path(
            &[terrane_engine::value::PathStep::Attr("id".into())],
            Value::from(format!("{group}-{}", c.unique_suffix())),
        );
        Ok(Some(v))
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, cur) in current.iter().enumerate() {
            groups.entry(val::string(cur, "target_group_arn").unwrap_or_default()).or_default().push(i);
        }
        let found: Vec<(Vec<usize>, Result<Option<Vec<TargetHealthDescription>>>)> = stream::iter(groups)
            .map(|(group, idx)| async move { (idx, registered(c, &group).await) })
            .buffered(8)
            .collect()
            .await;
        let mut out: Vec<Result<Option<Value>>> = current.iter().map(|_| Ok(None)).collect();
        for (idx, targets) in found {
            for i in idx {
                let cur = &current[i];
                out[i] = match &targets {
                    Err(e) => Err(e.clone()),
                    Ok(None) => Ok(None),
                    Ok(Some(t)) => Ok(t.iter().any(|d| matches(d, cur)).then(|| attachment_value(cur))),
                };
            }
        }
        out
    }

    async fn update(&self, _c: &Ctx<'_>, _prior: &Value, planned: &Value) -> Result<Value> {
        // Every argument forces replacement: nothing to change in place.
        Ok(attachment_value(planned))
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let group = val::string(prior, "target_group_arn").unwrap_or_default();
        match c.clients.elbv2.deregister_targets().target_group_arn(&group).targets(target(prior)).send().await {
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
