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
use crate::waiter::{Poll, wait_for};
use aws_sdk_ec2::types::{
    HttpTokensState, Instance as ApiInstance, InstanceMetadataEndpointState, InstanceMetadataOptionsRequest,
    InstanceMetadataOptionsState, InstanceMetadataProtocolState, InstanceMetadataTagsState,
};
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;

const BLOCK: &str = "metadata_options";
const ENABLED: &str = "enabled";
const DISABLED: &str = "disabled";

/// The `metadata_options` block.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct MetadataOptions {
    #[model(optional, default = ENABLED)]
    pub http_endpoint: String,
    #[model(optional, default = DISABLED)]
    pub http_protocol_ipv6: String,
    #[model(optional, computed)]
    pub http_put_response_hop_limit: Option<i64>,
    #[model(optional, computed)]
    pub http_tokens: Option<String>,
    #[model(optional, computed)]
    pub instance_metadata_tags: Option<String>,
}

/// The allowed values of each option (`m`: the block as configured, what is not known yet
/// null).
pub fn validate(m: Option<&MetadataOptions>, out: &mut Vec<Diagnostic>) {
    let Some(m) = m else { return };
    for (k, v, allowed) in [
        ("http_endpoint", Some(&m.http_endpoint), &["enabled", "disabled"][..]),
        ("http_protocol_ipv6", Some(&m.http_protocol_ipv6), &["enabled", "disabled"][..]),
        ("http_tokens", m.http_tokens.as_ref(), &["optional", "required"][..]),
        ("instance_metadata_tags", m.instance_metadata_tags.as_ref(), &["enabled", "disabled"][..]),
    ] {
        if let Some(v) = v
            && !allowed.contains(&v.as_str())
        {
            out.push(invalid(
                &format!("Invalid {BLOCK}.{k}"),
                format!("expected {BLOCK}.{k} to be one of {allowed:?}, got {v:?}"),
            ));
        }
    }
    if let Some(n) = m.http_put_response_hop_limit
        && !(1..=64).contains(&n)
    {
        out.push(invalid(
            &format!("Invalid {BLOCK}.http_put_response_hop_limit"),
            format!("expected {BLOCK}.http_put_response_hop_limit to be in the range (1 - 64), got {n}"),
        ));
    }
}

/// The options to send, from the planned block (`None` when the configuration has none).
pub fn request(m: Option<&MetadataOptions>) -> Option<InstanceMetadataOptionsRequest> {
    let m = m?;
    let endpoint = m.http_endpoint.as_str();
    let mut r = InstanceMetadataOptionsRequest::builder().http_endpoint(InstanceMetadataEndpointState::from(endpoint));
    if endpoint == ENABLED {
        r = r
            .set_http_tokens(m.http_tokens.as_deref().map(HttpTokensState::from))
            .set_http_put_response_hop_limit(m.http_put_response_hop_limit.filter(|n| *n > 0).map(|n| n as i32))
            .http_protocol_ipv6(InstanceMetadataProtocolState::from(m.http_protocol_ipv6.as_str()))
            .set_instance_metadata_tags(m.instance_metadata_tags.as_deref().map(InstanceMetadataTagsState::from));
    }
    Some(r.build())
}

/// The block as the instance has it (none when the API says nothing; an option it leaves out
/// that has a default reads as the default).
pub fn read(i: &ApiInstance) -> Option<MetadataOptions> {
    let o = i.metadata_options()?;
    Some(MetadataOptions {
        http_endpoint: o.http_endpoint().map_or(ENABLED, |s| s.as_str()).to_string(),
        http_protocol_ipv6: o.http_protocol_ipv6().map_or(DISABLED, |s| s.as_str()).to_string(),
        http_put_response_hop_limit: o.http_put_response_hop_limit().map(i64::from),
        http_tokens: o.http_tokens().map(|s| s.as_str().to_string()),
        instance_metadata_tags: o.instance_metadata_tags().map(|s| s.as_str().to_string()),
    })
}

/// Changes the options in place when the planned block differs from the prior one (`known`:
/// whether the planned block is known yet).
pub async fn update(
    c: &crate::resource::Ctx<'_>,
    id: &str,
    prior: Option<&MetadataOptions>,
    planned: Option<&MetadataOptions>,
    known: bool,
    limit: Duration,
) -> Result<()> {
    if !known || planned == prior {
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
