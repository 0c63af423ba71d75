//! `aws_volume_attachment`: an EBS volume attached to an instance as a device.
//!
//! Its ID is Terraform's `vai-` + the CRC-32 of `DEVICE-INSTANCE-VOLUME-`, its import ID
//! `DEVICE_NAME:VOLUME_ID:INSTANCE_ID`. Every argument but the three flags used on destroy
//! forces a new attachment. Create waits for the instance to be running (or stopped) and the
//! attachment to be `attached`; destroy (unless `skip_destroy`) optionally stops the instance,
//! detaches (`force_detach`) and waits until the attachment is gone. Refresh reads every
//! attachment's volume with one DescribeVolumes per 200 volumes.

use crate::describe::all_failed;
use crate::ec2::describe_volumes;
use crate::errors::{code, describe, sdk_error};
use crate::model::{CreateDeleteTimeouts, Op, limit};
use crate::resource::{Ctx, ResourceType, Result, crc32, invalid};
use crate::val;
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_ec2::types::{InstanceStateName, Volume, VolumeAttachmentState, VolumeState};
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct VolumeAttachment;

const CREATE_TIMEOUT: Duration = Duration::from_secs(5 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// How long an instance may take to start or stop around an attachment.
const INSTANCE_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// An `aws_volume_attachment` object.
#[derive(Model, Clone, Debug, Default)]
struct Attachment {
    #[model(computed)]
    id: Option<String>,
    #[model(required, force_new)]
    device_name: String,
    #[model(required, force_new)]
    instance_id: String,
    #[model(required, force_new)]
    volume_id: String,
    #[model(optional)]
    force_detach: Option<bool>,
    #[model(optional)]
    skip_destroy: Option<bool>,
    #[model(optional)]
    stop_instance_before_detaching: Option<bool>,
    #[model(block = "single")]
    timeouts: Option<CreateDeleteTimeouts>,
}

/// Terraform's ID of an attachment.
pub fn attachment_id(device: &str, volume: &str, instance: &str) -> String {
    format!("vai-{}", crc32(format!("{device}-{instance}-{volume}-").as_bytes()))
}

/// The attachment of `volume` to `instance` as `device`, unless it is detached or the volume
/// is not in use (Terraform's findVolumeAttachment).
fn attachment_state(v: &Volume, device: &str, instance: &str) -> Option<VolumeAttachmentState> {
    if matches!(v.state(), Some(VolumeState::Available | VolumeState::Deleted)) {
        return None;
    }
    v.attachments()
        .iter()
        .filter(|a| a.state() != Some(&VolumeAttachmentState::Detached))
        .find(|a| a.device() == Some(device) && a.instance_id() == Some(instance))
        .map(|a| a.state().cloned().unwrap_or(VolumeAttachmentState::Attaching))
}

/// The state of the attachment `k` names (its volume, instance and device).
async fn find(c: &Ctx<'_>, k: &Attachment) -> Result<Option<VolumeAttachmentState>> {
    let found = describe_volumes(c, std::slice::from_ref(&k.volume_id)).await.map_err(ProviderError::new)?;
    Ok(found.get(&k.volume_id).and_then(|v| attachment_state(v, &k.device_name, &k.instance_id)))
}

async fn instance_state(c: &Ctx<'_>, id: &str) -> Result<Option<InstanceStateName>> {
    let out = c
        .clients
        .ec2
        .describe_instances()
        .instance_ids(id)
        .send()
        .await
        .map_err(|e| sdk_error(&format!("reading instance {id}"), e))?;
    Ok(out
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .find(|i| i.instance_id() == Some(id))
        .and_then(|i| i.state())
        .and_then(|s| s.name())
        .cloned())
}

/// Waits until the instance is in one of `want`, while it is in one of `pending`.
async fn wait_instance(c: &Ctx<'_>, id: &str, want: &[InstanceStateName], pending: &[InstanceStateName]) -> Result<()> {
    let names: Vec<&str> = want.iter().map(InstanceStateName::as_str).collect();
    wait_for(&format!("instance {id} to be {}", names.join(" or ")), INSTANCE_TIMEOUT, || async {
        Ok(match instance_state(c, id).await? {
            Some(s) if want.contains(&s) => Poll::Done(()),
            Some(s) if pending.contains(&s) => Poll::Pending(s.as_str().to_string()),
            Some(s) => Poll::Failed(s.as_str().to_string()),
            None => Poll::Pending("not found yet".into()),
        })
    })
    .await
}

/// Waits until the attachment `k` is attached. After an attach call, an attachment not there
/// yet is still to come; when `gone_fails` (a crashed create's attachment, seen before the
/// wait), one no longer there was detached meanwhile: the wait fails.
async fn wait_attached(c: &Ctx<'_>, k: &Attachment, gone_fails: bool) -> Result<()> {
    wait_for(
        &format!("EBS volume {} to attach to instance {}", k.volume_id, k.instance_id),
        limit(&k.timeouts, Op::Create, CREATE_TIMEOUT),
        || async {
            Ok(match find(c, k).await? {
                Some(VolumeAttachmentState::Attached) => Poll::Done(()),
                Some(s) => Poll::Pending(s.as_str().to_string()),
                None if gone_fails => Poll::Failed("detached".into()),
                None => Poll::Pending("not attached yet".into()),
            })
        },
    )
    .await
}

/// The attachment as state holds it: its ID, and the rest as `k` (prior or planned) has it.
fn attachment_value(k: &Attachment) -> Value {
    let id = attachment_id(&k.device_name, &k.volume_id, &k.instance_id);
    Attachment { id: Some(id), ..k.clone() }.to_value()
}

#[async_trait]
impl ResourceType for VolumeAttachment {
    fn name(&self) -> &'static str {
        "aws_volume_attachment"
    }

    fn schema(&self) -> Schema {
        Attachment::schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        match val::string(config, "device_name") {
            Some(d) if d.is_empty() => vec![invalid("Invalid device_name", "device_name must not be empty.")],
            _ => Vec::new(),
        }
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let k = Attachment::from_value(planned)?;
        let what = format!("attaching EBS volume {} to instance {} as {}", k.volume_id, k.instance_id, k.device_name);
        if find(c, &k).await?.is_none() {
            use InstanceStateName as S;
            wait_instance(c, &k.instance_id, &[S::Running, S::Stopped], &[S::Pending, S::Stopping]).await?;
            c.clients
                .ec2
                .attach_volume()
                .device(&k.device_name)
                .instance_id(&k.instance_id)
                .volume_id(&k.volume_id)
                .send()
                .await
                .map_err(|e| sdk_error(&what, e))?;
        }
        wait_attached(c, &k, false).await?;
        Ok(attachment_value(&k))
    }

    /// Found by its natural key, volume, instance and device (an attachment has no ID or tags
    /// in AWS); one still attaching is waited for, as the create would.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let k = Attachment::from_stub(planned)?;
        if k.volume_id.is_empty() || find(c, &k).await?.is_none() {
            return Ok(None);
        }
        wait_attached(c, &k, true).await?;
        Ok(Some(attachment_value(&k)))
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let current: Vec<_> = current.iter().map(Attachment::from_stub).collect();
        let volumes: Vec<String> =
            current.iter().flatten().map(|k| k.volume_id.clone()).filter(|v| !v.is_empty()).collect();
        let found = match describe_volumes(c, &volumes).await {
            Ok(f) => f,
            Err(msg) => return all_failed(current.len(), &ProviderError::new(msg)),
        };
        current
            .into_iter()
            .map(|k| {
                let k = k?;
                let attached =
                    found.get(&k.volume_id).and_then(|v| attachment_state(v, &k.device_name, &k.instance_id));
                Ok(attached.map(|_| attachment_value(&k)))
            })
            .collect()
    }

    async fn update(&self, _c: &Ctx<'_>, _prior: &Value, planned: &Value) -> Result<Value> {
        // Only the flags used on destroy change in place: nothing to call.
        Ok(planned.clone())
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let k = Attachment::from_stub(prior)?;
        if k.skip_destroy == Some(true) {
            return Ok(());
        }
        if k.stop_instance_before_detaching == Some(true) {
            c.clients
                .ec2
                .stop_instances()
                .instance_ids(&k.instance_id)
                .force(false)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("stopping instance {} to detach {}", k.instance_id, k.volume_id), e))?;
            use InstanceStateName as S;
            wait_instance(c, &k.instance_id, &[S::Stopped], &[S::Pending, S::Running, S::ShuttingDown, S::Stopping])
                .await?;
        }
        let what = format!("detaching EBS volume {} from instance {}", k.volume_id, k.instance_id);
        let req = c
            .clients
            .ec2
            .detach_volume()
            .device(&k.device_name)
            .instance_id(&k.instance_id)
            .volume_id(&k.volume_id)
            .force(k.force_detach.unwrap_or(false));
        match req.send().await {
            Ok(_) => {}
            // Already detached (the volume is available), or gone with its volume.
            Err(e) if code(&e) == Some("IncorrectState") && describe("", &e).contains("available") => return Ok(()),
            Err(e) if code(&e) == Some("InvalidVolume.NotFound") => return Ok(()),
            Err(e) => return Err(sdk_error(&what, e)),
        }
        wait_for(
            &format!("EBS volume {} to detach from instance {}", k.volume_id, k.instance_id),
            limit(&k.timeouts, Op::Delete, DELETE_TIMEOUT),
            || async {
                Ok(match find(c, &k).await? {
                    None => Poll::Done(()),
                    Some(s) => Poll::Pending(s.as_str().to_string()),
                })
            },
        )
        .await
    }

    async fn import(&self, c: &Ctx<'_>, id: &str) -> Result<Option<Value>> {
        let parts: Vec<&str> = id.split(':').collect();
        let [device, volume, instance] = parts[..] else {
            return Err(ProviderError::new(format!(
                "Unexpected format of ID ({id:?}), expected DEVICE_NAME:VOLUME_ID:INSTANCE_ID"
            )));
        };
        if device.is_empty() || volume.is_empty() || instance.is_empty() {
            return Err(ProviderError::new(format!(
                "Unexpected format of ID ({id:?}), expected DEVICE_NAME:VOLUME_ID:INSTANCE_ID"
            )));
        }
        let stub = Attachment {
            device_name: device.to_string(),
            volume_id: volume.to_string(),
            instance_id: instance.to_string(),
            ..Attachment::default()
        };
        crate::resource::read_stub(self, c, stub.to_value()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_terraforms() {
        // crc32("/dev/sdh-i-1234-vol-5678-") as Terraform's create.StringHashcode computes it.
        assert_eq!(attachment_id("/dev/sdh", "vol-5678", "i-1234"), "vai-3366800350");
    }
}
