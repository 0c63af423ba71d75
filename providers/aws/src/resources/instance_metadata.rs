//! `aws_instance`'s `metadata_options` block: how the instance metadata service (IMDS) answers.
//!
//! - Create: RunInstances' MetadataOptions when the block is configured. With `http_endpoint =
//!   "disabled"` only the endpoint is sent, since EC2 refuses the other options then.
//! - Update in place: ModifyInstanceMetadataOptions with every option (a partial request resets
//!   the options it leaves out, on moto at least), then a wait until the change is `applied`.
//! - Read: the instance's MetadataOptions; the block is optional and computed, so an instance
//!   whose configuration has none keeps what AWS chose.

use crate::errors::sdk_error;
use crate::resource::{Result, invalid};
use crate::val;
use crate::waiter::{Poll, wait_for};
use aws_sdk_ec2::types::{
    HttpTokensState, Instance as ApiInstance, InstanceMetadataEndpointState, InstanceMetadataOptionsRequest,
    InstanceMetadataOptionsState, InstanceMetadataProtocolState, InstanceMetadataTagsState,
};
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::{Type, Value};

const BLOCK: &str = "metadata_options";

pub fn schema() -> NestedBlock {
    NestedBlock::list(
        Schema::new()
            .attr("http_endpoint", Attribute::optional(Type::String).default("enabled"))
            .attr("http_protocol_ipv6", Attribute::optional(Type::String).default("disabled"))
            .attr("http_put_response_hop_limit", Attribute::optional_computed(Type::Number))
            .attr("http_tokens", Attribute::optional_computed(Type::String))
            .attr("instance_metadata_tags", Attribute::optional_computed(Type::String)),
    )
    .max(1)
    .computed()
}

/// The allowed values of each option.
pub fn validate(config: &Value, out: &mut Vec<Diagnostic>) {
    let Some(m) = val::block(config, BLOCK) else { return };
    for (k, allowed) in [
        ("http_endpoint", &["enabled", "disabled"][..]),
        ("http_protocol_ipv6", &["enabled", "disabled"][..]),
        ("http_tokens", &["optional", "required"][..]),
        ("instance_metadata_tags", &["enabled", "disabled"][..]),
    ] {
        if let Some(v) = val::string(&m, k)
            && !allowed.contains(&v.as_str())
        {
            out.push(invalid(
                &format!("Invalid {BLOCK}.{k}"),
                format!("expected {BLOCK}.{k} to be one of {allowed:?}, got {v:?}"),
            ));
        }
    }
    if let Some(n) = val::int(&m, "http_put_response_hop_limit")
        && !(1..=64).contains(&n)
    {
        out.push(invalid(
            &format!("Invalid {BLOCK}.http_put_response_hop_limit"),
            format!("expected {BLOCK}.http_put_response_hop_limit to be in the range (1 - 64), got {n}"),
        ));
    }
}

/// The options to send, from the planned block (`None` when the configuration has none).
pub fn request(planned: &Value) -> Option<InstanceMetadataOptionsRequest> {
    let m = val::block(planned, BLOCK)?;
    let endpoint = val::string(&m, "http_endpoint").unwrap_or_else(|| "enabled".into());
    let mut r =
        InstanceMetadataOptionsRequest::builder().http_endpoint(InstanceMetadataEndpointState::from(endpoint.as_str()));
    if endpoint == "enabled" {
        r = r
            .set_http_tokens(val::string(&m, "http_tokens").map(|s| HttpTokensState::from(s.as_str())))
            .set_http_put_response_hop_limit(
                val::int(&m, "http_put_response_hop_limit").filter(|n| *n > 0).map(|n| n as i32),
            )
            .set_http_protocol_ipv6(
                val::string(&m, "http_protocol_ipv6").map(|s| InstanceMetadataProtocolState::from(s.as_str())),
            )
            .set_instance_metadata_tags(
                val::string(&m, "instance_metadata_tags").map(|s| InstanceMetadataTagsState::from(s.as_str())),
            );
    }
    Some(r.build())
}

/// The block as the instance has it (an empty list when the API says nothing).
pub fn read(i: &ApiInstance) -> Value {
    let Some(o) = i.metadata_options() else { return Value::tuple(Vec::new()) };
    Value::tuple(vec![Value::object([
        ("http_endpoint", val::opt_str(o.http_endpoint().map(|s| s.as_str()))),
        ("http_protocol_ipv6", val::opt_str(o.http_protocol_ipv6().map(|s| s.as_str()))),
        ("http_put_response_hop_limit", val::opt_int(o.http_put_response_hop_limit())),
        ("http_tokens", val::opt_str(o.http_tokens().map(|s| s.as_str()))),
        ("instance_metadata_tags", val::opt_str(o.instance_metadata_tags().map(|s| s.as_str()))),
    ])])
}

/// Changes the options in place when the planned block differs from the prior one.
pub async fn update(
    c: &crate::resource::Ctx<'_>,
    id: &str,
    prior: &Value,
    planned: &Value,
    limit: Duration,
) -> Result<()> {
    let want = planned.get_attr(BLOCK);
    if want.is_none_or(|w| !w.is_wholly_known()) || want == prior.get_attr(BLOCK) {
        return Ok(());
    }
    let Some(r) = request(planned) else { return Ok(()) };
    c.clients
        .ec2
        .modify_instance_metadata_options()
        .instance_id(id)
        .set_http_endpoint(r.http_endpoint().cloned())
        .set_http_tokens(r.http_tokens().cloned())
        .set_http_put_response_hop_limit(r.http_put_response_hop_limit())
        .set_http_protocol_ipv6(r.http_protocol_ipv6().cloned())
        .set_instance_metadata_tags(r.instance_metadata_tags().cloned())
        .send()
        .await
        .map_err(|e| sdk_error(&format!("changing the metadata options of instance {id}"), e))?;
    wait_for(&format!("the metadata options of instance {id} to apply"), limit, || async {
        let out = c
            .clients
            .ec2
            .describe_instances()
            .instance_ids(id)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading instance {id}"), e))?;
        let state = out
            .reservations()
            .iter()
            .flat_map(|r| r.instances())
            .find_map(|i| i.metadata_options().and_then(|o| o.state()).cloned());
        Ok(match state {
            Some(InstanceMetadataOptionsState::Pending) => Poll::Pending("pending".into()),
            _ => Poll::Done(()),
        })
    })
    .await
}
