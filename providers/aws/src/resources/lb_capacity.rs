//! `minimum_load_balancer_capacity` of `aws_lb` (application and network load balancers): the
//! capacity reservation, set with ModifyCapacityReservation and waited for until every zone has
//! it provisioned, read with DescribeCapacityReservation (an account not allowed to read it
//! reads none, as hashicorp/aws does).

use crate::errors::{code, sdk_error};
use crate::resource::{Ctx, Result};
use crate::waiter::{Poll, wait_for};
use aws_sdk_elasticloadbalancingv2::types::MinimumLoadBalancerCapacity;
use std::time::Duration;
use terrane_engine::model::Model;

/// A `minimum_load_balancer_capacity` block (a list of at most one).
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct Capacity {
    #[model(required)]
    pub capacity_units: i64,
}

impl Capacity {
    /// The block as read: one element when a minimum capacity is reserved.
    fn read(capacity: Option<&MinimumLoadBalancerCapacity>) -> Option<Capacity> {
        capacity.map(|m| Capacity { capacity_units: i64::from(m.capacity_units().unwrap_or(0)) })
    }
}

/// The configured capacity units (none when the block is left out).
pub fn units(planned: &Option<Capacity>) -> Option<i32> {
    planned.as_ref().and_then(|b| i32::try_from(b.capacity_units).ok())
}

/// The reserved minimum capacity of the load balancer.
pub async fn read(c: &Ctx<'_>, arn: &str) -> Result<Option<Capacity>> {
    match c.clients.elbv2.describe_capacity_reservation().load_balancer_arn(arn).send().await {
        Ok(out) => Ok(Capacity::read(out.minimum_load_balancer_capacity())),
        Err(e) if matches!(code(&e), Some("AccessDenied" | "InvalidAction")) => Ok(None),
        Err(e) => Err(sdk_error(&format!("reading the capacity reservation of load balancer {arn}"), e)),
    }
}

/// Reserves `units` (or resets the reservation, for none) and waits until it is provisioned.
pub async fn set(c: &Ctx<'_>, arn: &str, units: Option<i32>, limit: Duration) -> Result<()> {
    let mut req = c.clients.elbv2.modify_capacity_reservation().load_balancer_arn(arn);
    req = match units.filter(|n| *n != 0) {
        Some(n) => req.minimum_load_balancer_capacity(MinimumLoadBalancerCapacity::builder().capacity_units(n).build()),
        None => req.reset_capacity_reservation(true),
    };
    req.send().await.map_err(|e| sdk_error(&format!("setting the capacity reservation of load balancer {arn}"), e))?;
    wait_for(&format!("the capacity reservation of load balancer {arn} to be provisioned"), limit, || async {
        let out = c
            .clients
            .elbv2
            .describe_capacity_reservation()
            .load_balancer_arn(arn)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading the capacity reservation of load balancer {arn}"), e))?;
        // As hashicorp/aws waits: a zone "failed" or "rebalancing" may still get there.
        let waiting: Vec<String> = out
            .capacity_reservation_state()
            .iter()
            .filter_map(|z| {
                let s = z.state()?;
                let code = s.code()?.as_str();
                (code != "provisioned").then(|| {
                    let zone = z.availability_zone().unwrap_or("a zone");
                    match s.reason() {
                        Some(r) => format!("{zone}: {code} ({r})"),
                        None => format!("{zone}: {code}"),
                    }
                })
            })
            .collect();
        Ok(if waiting.is_empty() { Poll::Done(()) } else { Poll::Pending(waiting.join(", ")) })
    })
    .await
}
