//! `aws_volume_attachment`: an EBS volume attached to an instance as a device.
//!
//! Its ID is Terraform's `vai-` + the CRC-32 of `DEVICE-INSTANCE-VOLUME-`, its import ID
//! `DEVICE_NAME:VOLUME_ID:INSTANCE_ID`. Every argument but the three flags used on destroy
//! forces a new attachment. Create waits for the instance to be running (or stopped) and the
//! attachment to be `attached`; destroy (unless `skip_destroy`) optionally stops the instance,
//! detaches (`force_detach`) and waits until the attachment is gone. Refresh reads every
//! attachment's volume with one DescribeVolumes per 200 volumes.

use crate::ec2::describe_volumes;
use crate::errors::{code, describe, sdk_error};
use crate::resource::{Ctx, ResourceType, Result, crc32, invalid, with_timeouts};
use crate::val::{self, Obj};
use crate::waiter::{Poll, timeout, wait_for};
use async_trait::async_trait;
use aws_sdk_ec2::types::{InstanceStateName, Volume, VolumeAttachmentState, VolumeState};
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct VolumeAttachment;

const CREATE_TIMEOUT: Duration = Duration::from_secs(5 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(5 * 60);
/// How long an instance may take to start or stop around an attachment.
const INSTANCE_TIMEOUT: Duration = Duration::from_secs(10 * 60);

fn schema() -> Schema {
    with_timeouts(
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("device_name", Attribute::required(Type::String).force_new())
            .attr("instance_id", Attribute::required(Type::String).force_new())
            .attr("volume_id", Attribute::required(Type::String).force_new())
            .attr("force_detach", Attribute::optional(Type::Bool))
            .attr("skip_destroy", Attribute::optional(Type::Bool))
            .attr("stop_instance_before_detaching", Attribute::optional(Type::Bool)),
        &["create", "delete"],
    )
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

struct Key {
    device: String,
    volume: String,
    instance: String,
}

impl Key {
    fn of(v: &Value) -> Key {
        Key {
            device: val::string(v, "device_name").unwrap_or_default(),
            volume: val::string(v, "volume_id").unwrap_or_default(),
            instance: val::string(v, "instance_id").unwrap_or_default(),
        }
    }
}

async fn find(c: &Ctx<'_>, k: &Key) -> Result<Option<VolumeAttachmentState>> {
    let found = describe_volumes(c, std::slice::from_ref(&k.volume)).await.map_err(ProviderError::new)?;
    Ok(found.get(&k.volume).and_then(|v| attachment_state(v, &k.device, &k.instance)))
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
async fn wait_attached(c: &Ctx<'_>, k: &Key, planned: &Value, gone_fails: bool) -> Result<()> {
    wait_for(
        &format!("EBS volume {} to attach to instance {}", k.volume, k.instance),
        timeout(planned, "create", CREATE_TIMEOUT),
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

fn attachment_value(k: &Key, cur: &Value) -> Value {
    Obj::new(&schema())
        .set("id", attachment_id(&k.device, &k.volume, &k.instance))
        .set("device_name", k.device.as_str())
        .set("volume_id", k.volume.as_str())
        .set("instance_id", k.instance.as_str())
        .keep(cur, &["force_detach", "skip_destroy", "stop_instance_before_detaching", "timeouts"])
        .build()
}

#[async_trait]
impl ResourceType for VolumeAttachment {
    fn name(&self) -> &'static str {
        "aws_volume_attachment"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        match val::string(config, "device_name") {
            Some(d) if d.is_empty() => vec![invalid("Invalid device_name", "device_name must not be empty.")],
            _ => Vec::new(),
        }
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let k = Key::of(planned);
        let what = format!("attaching EBS volume {} to instance {} as {}", k.volume, k.instance, k.device);
        if find(c, &k).await?.is_none() {
            use InstanceStateName as S;
            wait_instance(c, &k.instance, &[S::Running, S::Stopped], &[S::Pending, S::Stopping]).await?;
            c.clients
                .ec2
                .attach_volume()
                .device(&k.device)
                .instance_id(&k.instance)
                .volume_id(&k.volume)
                .send()
                .await
                .map_err(|e| sdk_error(&what, e))?;
        }
        wait_attached(c, &k, planned, false).await?;
        Ok(attachment_value(&k, planned))
    }

    /// Found by its natural key, volume, instance and device (an attachment has no ID or tags
    /// in AWS); one still attaching is waited for, as the create would.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let k = Key::of(planned);
        if k.volume.is_empty() || find(c, &k).await?.is_none() {
            return Ok(None);
        }
        wait_attached(c, &k, planned, true).await?;
        Ok(Some(attachment_value(&k, planned)))
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let volumes: Vec<String> = current.iter().map(|v| Key::of(v).volume).filter(|v| !v.is_empty()).collect();
        let found = match describe_volumes(c, &volumes).await {
            Ok(f) => f,
            Err(msg) => return current.iter().map(|_| Err(ProviderError::new(msg.clone()))).collect(),
        };
        current
            .iter()
            .map(|cur| {
                let k = Key::of(cur);
                let attached = found.get(&k.volume).and_then(|v| attachment_state(v, &k.device, &k.instance));
                Ok(attached.map(|_| attachment_value(&k, cur)))
            })
            .collect()
    }

    async fn update(&self, _c: &Ctx<'_>, _prior: &Value, planned: &Value) -> Result<Value> {
        // Only the flags used on destroy change in place: nothing to call.
        Ok(planned.clone())
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        if val::boolean(prior, "skip_destroy") == Some(true) {
            return Ok(());
        }
        let k = Key::of(prior);
        if val::boolean(prior, "stop_instance_before_detaching") == Some(true) {
            c.clients
                .ec2
                .stop_instances()
                .instance_ids(&k.instance)
                .force(false)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("stopping instance {} to detach {}", k.instance, k.volume), e))?;
            use InstanceStateName as S;
            wait_instance(c, &k.instance, &[S::Stopped], &[S::Pending, S::Running, S::ShuttingDown, S::Stopping])
                .await?;
        }
        let what = format!("detaching EBS volume {} from instance {}", k.volume, k.instance);
        let req = c
            .clients
            .ec2
            .detach_volume()
            .device(&k.device)
            .instance_id(&k.instance)
            .volume_id(&k.volume)
            .force(val::boolean(prior, "force_detach").unwrap_or(false));
        match req.send().await {
            Ok(_) => {}
            // Already detached (the volume is available), or gone with its volume.
            Err(e) if code(&e) == Some("IncorrectState") && describe("", &e).contains("available") => return Ok(()),
            Err(e) if code(&e) == Some("InvalidVolume.NotFound") => return Ok(()),
            Err(e) => return Err(sdk_error(&what, e)),
        }
        wait_for(
            &format!("EBS volume {} to detach from instance {}", k.volume, k.instance),
            timeout(prior, "delete", DELETE_TIMEOUT),
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
        let mut stub = Obj::new(&schema()).build();
        for (k, v) in [("device_name", device), ("volume_id", volume), ("instance_id", instance)] {
            stub.set_at_path(&[PathStep::Attr(k.into())], Value::from(v));
        }
        self.read_many(c, &[stub]).await.pop().unwrap_or(Ok(None))
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
