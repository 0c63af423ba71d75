//! `aws_ebs_volume`: a block storage volume in one availability zone.
//!
//! Size, type, IOPS and throughput change in place with ModifyVolume (then wait until the
//! modification is `optimizing` or `completed`); the zone, encryption, KMS key, snapshot,
//! multi-attach and outpost force a new volume, as in the Terraform AWS provider. Refresh reads
//! every volume with one DescribeVolumes per 200 IDs. `final_snapshot = true` snapshots the
//! volume (with its tags) before deleting it.

use crate::describe::all_failed;
use crate::ec2::{describe_volumes, tag_map, tag_spec, update_tags};
use crate::errors::{code, is_not_found, sdk_error};
use crate::model::{Op, Tags, Timeouts, limit};
use crate::resource::{Ctx, ResourceType, Result, invalid, time_suffix};
use crate::val::{self, rfc3339};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_ec2::types::{ResourceType as Rt, SnapshotState, VolumeModificationState, VolumeState, VolumeType};
use std::collections::BTreeMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::plan::diff::same;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::{PathStep, Value};

pub struct EbsVolume;

const CREATE_TIMEOUT: Duration = Duration::from_secs(5 * 60);
const UPDATE_TIMEOUT: Duration = Duration::from_secs(5 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// Types that take (io1, io2: require) an IOPS setting.
const IOPS_TYPES: &[&str] = &["io1", "io2", "gp3"];

/// An `aws_ebs_volume` object.
#[derive(Model, Clone, Debug, Default)]
struct Volume {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(required, force_new)]
    availability_zone: String,
    #[model(optional, computed)]
    size: Option<i64>,
    #[model(optional, computed, name = "type")]
    kind: Option<String>,
    #[model(optional, computed)]
    iops: Option<i64>,
    #[model(optional, computed)]
    throughput: Option<i64>,
    #[model(optional, computed, force_new)]
    encrypted: Option<bool>,
    #[model(optional, computed, force_new)]
    kms_key_id: Option<String>,
    #[model(optional, computed, force_new)]
    snapshot_id: Option<String>,
    #[model(optional, force_new)]
    multi_attach_enabled: Option<bool>,
    #[model(optional, force_new)]
    outpost_arn: Option<String>,
    #[model(optional, default = false)]
    final_snapshot: bool,
    #[model(computed)]
    create_time: Option<String>,
    #[model(flatten)]
    tags: Tags,
    #[model(block = "single")]
    timeouts: Option<Timeouts>,
}

/// A number AWS takes as an `i32`, when it is set (zero is not).
fn int32(n: Option<i64>) -> Option<i32> {
    n.filter(|n| *n > 0).map(|n| n as i32)
}

/// Whether a plan-time value changes (a value not known yet does not, yet).
fn changed(prior: &Value, planned: &Value, k: &str) -> bool {
    let n = planned.get_attr(k).cloned().unwrap_or_default();
    !n.is_unknown() && !same(&prior.get_attr(k).cloned().unwrap_or_default(), &n)
}

/// Whether an optional and computed argument changes in an update: its planned value is
/// `None` only when it is not known yet (a type change brings its own IOPS and throughput),
/// which is no change of its own.
fn changes<T: PartialEq>(prior: &Option<T>, planned: &Option<T>) -> bool {
    planned.is_some() && prior != planned
}

/// The partition of a region (`aws`, `aws-cn`, `aws-us-gov`).
pub(super) fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

fn volume_value(c: &Ctx<'_>, v: &aws_sdk_ec2::types::Volume, cur: &Volume) -> Value {
    let id = v.volume_id().unwrap_or_default();
    let region = &c.clients.region;
    let account = c.clients.account_id.clone().unwrap_or_default();
    let text = |s: Option<&str>| s.map(str::to_string);
    Volume {
        id: Some(id.to_string()),
        arn: Some(format!("arn:{}:ec2:{region}:{account}:volume/{id}", partition(region))),
        availability_zone: v.availability_zone().unwrap_or_default().to_string(),
        size: v.size().map(i64::from),
        kind: text(v.volume_type().map(VolumeType::as_str)),
        iops: v.iops().map(i64::from),
        throughput: v.throughput().map(i64::from),
        encrypted: v.encrypted(),
        kms_key_id: text(v.kms_key_id()),
        snapshot_id: text(v.snapshot_id().filter(|s| !s.is_empty())),
        multi_attach_enabled: v.multi_attach_enabled(),
        outpost_arn: text(v.outpost_arn()),
        final_snapshot: cur.final_snapshot,
        create_time: v.create_time().map(rfc3339),
        tags: cur.tags.read_back(c, &tag_map(v.tags())),
        timeouts: cur.timeouts.clone(),
    }
    .to_value()
}

async fn find(c: &Ctx<'_>, id: &str) -> Result<Option<aws_sdk_ec2::types::Volume>> {
    let mut found = describe_volumes(c, &[id.to_string()]).await.map_err(ProviderError::new)?;
    Ok(found.remove(id).filter(|v| v.state() != Some(&VolumeState::Deleted)))
}

async fn wait_state(c: &Ctx<'_>, id: &str, limit: Duration, want: Option<VolumeState>) -> Result<()> {
    let what = match &want {
        Some(s) => format!("EBS volume {id} to be {}", s.as_str()),
        None => format!("EBS volume {id} to be deleted"),
    };
    wait_for(&what, limit, || async {
        let Some(v) = find(c, id).await? else {
            return Ok(match want {
                None => Poll::Done(()),
                Some(_) => Poll::Pending("not found yet".into()),
            });
        };
        let state = v.state().cloned().unwrap_or(VolumeState::Creating);
        Ok(match (&want, &state) {
            (Some(w), s) if s == w => Poll::Done(()),
            (Some(_), VolumeState::Error) => Poll::Failed("error".into()),
            (_, s) => Poll::Pending(s.as_str().to_string()),
        })
    })
    .await
}

/// Waits until the latest modification of the volume is `optimizing` or `completed`.
async fn wait_modified(c: &Ctx<'_>, id: &str, limit: Duration) -> Result<()> {
    wait_for(&format!("EBS volume {id} to be modified"), limit, || async {
        let out = c
            .clients
            .ec2
            .describe_volumes_modifications()
            .volume_ids(id)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading the modifications of EBS volume {id}"), e))?;
        let latest = out.volumes_modifications().iter().max_by_key(|m| m.start_time().map(|t| t.as_nanos()));
        let Some(state) = latest.and_then(|m| m.modification_state()) else {
            return Ok(Poll::Pending("no modification yet".into()));
        };
        Ok(match state {
            VolumeModificationState::Completed | VolumeModificationState::Optimizing => Poll::Done(()),
            VolumeModificationState::Failed => Poll::Failed(format!(
                "failed{}",
                latest.and_then(|m| m.status_message()).map(|m| format!(": {m}")).unwrap_or_default()
            )),
            s => Poll::Pending(s.as_str().to_string()),
        })
    })
    .await
}

/// Snapshots the volume (with its tags) and waits for the snapshot, before a delete.
async fn final_snapshot(c: &Ctx<'_>, tags: &BTreeMap<String, String>, id: &str, limit: Duration) -> Result<()> {
    let snapshot =
        wait_for(&format!("a final snapshot of EBS volume {id} to start"), Duration::from_secs(60), || async {
            let req = c
                .clients
                .ec2
                .create_snapshot()
                .volume_id(id)
                .set_tag_specifications(tag_spec(Rt::Snapshot, tags).map(|t| vec![t]));
            match req.send().await {
                Ok(o) => Ok(Poll::Done(o.snapshot_id().unwrap_or_default().to_string())),
                Err(e) if code(&e) == Some("SnapshotCreationPerVolumeRateExceeded") => {
                    Ok(Poll::Pending("snapshot rate exceeded".into()))
                }
                Err(e) => Err(sdk_error(&format!("creating a final snapshot of EBS volume {id}"), e)),
            }
        })
        .await?;
    wait_for(&format!("snapshot {snapshot} of EBS volume {id} to complete"), limit, || async {
        let out = c
            .clients
            .ec2
            .describe_snapshots()
            .snapshot_ids(&snapshot)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading snapshot {snapshot}"), e))?;
        let state = out.snapshots().first().and_then(|s| s.state()).cloned();
        Ok(match state {
            Some(SnapshotState::Completed) => Poll::Done(()),
            Some(SnapshotState::Error) => Poll::Failed("error".into()),
            s => Poll::Pending(s.map_or("not found yet".into(), |s| s.as_str().to_string())),
        })
    })
    .await
}

impl EbsVolume {
    async fn read_one(&self, c: &Ctx<'_>, id: &str, like: &Volume) -> Result<Value> {
        let stub = Volume { id: Some(id.to_string()), ..like.clone() };
        crate::resource::read_model(self, c, &stub, &format!("EBS volume {id}")).await
    }
}

#[async_trait]
impl ResourceType for EbsVolume {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::Ec2("id"))
    }

    fn name(&self) -> &'static str {
        "aws_ebs_volume"
    }

    fn schema(&self) -> Schema {
        Volume::schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let unset = |k: &str| config.get_attr(k).is_none_or(Value::is_null);
        if unset("size") && unset("snapshot_id") {
            out.push(invalid("Missing required argument", "\"size\": one of `size,snapshot_id` must be specified."));
        }
        // What the Terraform provider checks when creating a volume.
        let kind = config.get_attr("type").filter(|t| !t.is_unknown()).map(|t| t.as_str().unwrap_or("gp2").to_string());
        if let Some(kind) = kind {
            let iops = val::int(config, "iops").unwrap_or(0);
            match kind.as_str() {
                "io1" | "io2" if unset("iops") => {
                    out.push(invalid("Missing iops", format!("'iops' must be set when 'type' is '{kind}'")))
                }
                k if !IOPS_TYPES.contains(&k) && iops > 0 => {
                    out.push(invalid("Invalid iops", format!("'iops' must not be set when 'type' is '{kind}'")))
                }
                _ => {}
            }
            if val::int(config, "throughput").unwrap_or(0) > 0 && kind != "gp3" {
                out.push(invalid(
                    "Invalid throughput",
                    format!("'throughput' must not be set when 'type' is '{kind}'"),
                ));
            }
            if val::boolean(config, "multi_attach_enabled") == Some(true) && kind != "io1" && kind != "io2" {
                out.push(invalid(
                    "Invalid multi_attach_enabled",
                    format!("'multi_attach_enabled' must not be set when 'type' is '{kind}'"),
                ));
            }
        }
        if let Some(t) = val::number(config, "throughput").filter(|t| !(125.0..=1000.0).contains(t)) {
            out.push(invalid(
                "Invalid throughput",
                format!("expected throughput to be in the range (125 - 1000), got {t}"),
            ));
        }
        out
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        let Some(prior) = prior.filter(|p| !p.is_null() && plan.requires_replace.is_empty()) else { return };
        let kind = val::string(&plan.planned, "type").unwrap_or_default();
        // `iops = 0` on a type without IOPS settings is no change (Terraform clears it).
        if changed(prior, &plan.planned, "iops")
            && !IOPS_TYPES.contains(&kind.as_str())
            && val::int(config, "iops") == Some(0)
        {
            plan.planned
                .set_at_path(&[PathStep::Attr("iops".into())], prior.get_attr("iops").cloned().unwrap_or_default());
        }
        // A new type brings its own IOPS and throughput unless they are configured.
        if changed(prior, &plan.planned, "type") {
            for k in ["iops", "throughput"] {
                if config.get_attr(k).is_none_or(Value::is_null) {
                    plan.planned.set_at_path(&[PathStep::Attr(k.into())], Value::DYNAMIC);
                }
            }
        }
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = Volume::from_value(planned)?;
        let tags = planned.tags.at_create(c);
        let out = c
            .clients
            .ec2
            .create_volume()
            .client_token(c.token.map_or_else(|| format!("terrane-{}", time_suffix()), str::to_string))
            .availability_zone(&planned.availability_zone)
            .set_size(int32(planned.size))
            .set_volume_type(planned.kind.as_deref().map(VolumeType::from))
            .set_iops(int32(planned.iops))
            .set_throughput(int32(planned.throughput))
            .set_encrypted(planned.encrypted)
            .set_kms_key_id(planned.kms_key_id.clone())
            .set_snapshot_id(planned.snapshot_id.clone())
            .set_multi_attach_enabled(planned.multi_attach_enabled.filter(|m| *m))
            .set_outpost_arn(planned.outpost_arn.clone())
            .set_tag_specifications(tag_spec(Rt::Volume, &tags).map(|t| vec![t]))
            .send()
            .await
            .map_err(|e| sdk_error("creating EBS volume", e))?;
        let id = out
            .volume_id()
            .ok_or_else(|| ProviderError::new("creating EBS volume: no volume ID in the response"))?
            .to_string();
        let partial = || Volume { id: Some(id.clone()), ..planned.clone() }.to_value();
        wait_state(c, &id, limit(&planned.timeouts, Op::Create, CREATE_TIMEOUT), Some(VolumeState::Available))
            .await
            .map_err(|e| e.with_partial_state(partial()))?;
        self.read_one(c, &id, &planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by the token tag its create gave it (CreateVolume TagSpecifications; the same
    /// token is the ClientToken, which AWS honours for a retried call, but DescribeVolumes
    /// cannot filter by it). A volume still being created is waited for, as the create would.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let Some(id) = crate::ec2::find_by_token(c, "volume").await? else { return Ok(None) };
        let like = Volume::from_stub(planned)?;
        wait_state(c, &id, limit(&like.timeouts, Op::Create, CREATE_TIMEOUT), Some(VolumeState::Available)).await?;
        crate::resource::read_stub(self, c, Volume { id: Some(id), ..like }.to_value()).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let ids: Vec<String> = current.iter().map(val::id).filter(|i| !i.is_empty()).collect();
        let mut found = match describe_volumes(c, &ids).await {
            Ok(f) => f,
            Err(msg) => return all_failed(current.len(), &ProviderError::new(msg)),
        };
        current
            .iter()
            .map(|cur| {
                let cur = Volume::from_stub(cur)?;
                Ok(cur
                    .id
                    .as_ref()
                    .and_then(|id| found.remove(id))
                    .filter(|v| v.state() != Some(&VolumeState::Deleted) && v.state() != Some(&VolumeState::Deleting))
                    .map(|v| volume_value(c, &v, &cur)))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (Volume::from_stub(prior)?, Volume::from_value(planned)?);
        let id = prior.id.clone().unwrap_or_default();
        let kind = planned.kind.clone().unwrap_or_default();
        let mut req = c.clients.ec2.modify_volume().volume_id(&id);
        let mut any = false;
        if changes(&prior.size, &planned.size) {
            req = req.set_size(int32(planned.size));
            any = true;
        }
        if changes(&prior.iops, &planned.iops) {
            req = req.set_iops(int32(planned.iops));
            any = true;
        }
        if changes(&prior.throughput, &planned.throughput) {
            any = true;
        }
        if changes(&prior.kind, &planned.kind) {
            req = req.volume_type(VolumeType::from(kind.as_str()));
            // Changing to io1, io2 or gp3 would otherwise reset the IOPS to 3,000.
            if IOPS_TYPES.contains(&kind.as_str()) {
                req = req.set_iops(int32(planned.iops));
            }
            any = true;
        }
        if any {
            // As the Terraform provider: always send a gp3 volume's throughput, which AWS
            // would otherwise not always retain.
            if kind == "gp3" {
                req = req.set_throughput(int32(planned.throughput));
            }
            req.send().await.map_err(|e| sdk_error(&format!("modifying EBS volume {id}"), e))?;
            wait_modified(c, &id, limit(&planned.timeouts, Op::Update, UPDATE_TIMEOUT)).await?;
        }
        update_tags(&c.clients.ec2, &id, &prior.tags.wanted(), &planned.tags.wanted()).await?;
        self.read_one(c, &id, &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = Volume::from_stub(prior)?;
        let id = prior.id.clone().unwrap_or_default();
        let limit = limit(&prior.timeouts, Op::Delete, DELETE_TIMEOUT);
        if prior.final_snapshot {
            final_snapshot(c, &prior.tags.wanted(), &id, limit).await?;
        }
        // A volume being detached is still in use for a while.
        wait_for(&format!("EBS volume {id} to be released"), limit, || async {
            match c.clients.ec2.delete_volume().volume_id(&id).send().await {
                Ok(_) => Ok(Poll::Done(())),
                Err(e) if is_not_found(&e) => Ok(Poll::Done(())),
                Err(e) if code(&e) == Some("VolumeInUse") => Ok(Poll::Pending("in use".into())),
                Err(e) => Err(sdk_error(&format!("deleting EBS volume {id}"), e)),
            }
        })
        .await?;
        wait_state(c, &id, limit, None).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::val::Obj;

    fn cfg(pairs: Vec<(&str, Value)>) -> Value {
        let mut v = Obj::new(&Volume::schema()).build();
        for (k, x) in pairs {
            v.set_at_path(&[PathStep::Attr(k.into())], x);
        }
        v
    }

    #[test]
    fn type_rules_of_iops_and_throughput() {
        let ok = cfg(vec![("availability_zone", "eu-west-1a".into()), ("size", 10i64.into())]);
        assert!(EbsVolume.validate(&ok).is_empty());
        let no_size = cfg(vec![("availability_zone", "eu-west-1a".into())]);
        assert!(EbsVolume.validate(&no_size)[0].detail.contains("size,snapshot_id"));
        let io1 = cfg(vec![("size", 10i64.into()), ("type", "io1".into())]);
        assert!(EbsVolume.validate(&io1)[0].detail.contains("'iops' must be set"));
        let gp2 = cfg(vec![("size", 10i64.into()), ("type", "gp2".into()), ("iops", 300i64.into())]);
        assert!(EbsVolume.validate(&gp2)[0].detail.contains("must not be set"));
        let tp = cfg(vec![("size", 10i64.into()), ("type", "gp2".into()), ("throughput", 200i64.into())]);
        assert!(EbsVolume.validate(&tp)[0].detail.contains("'throughput'"));
        let gp3 = cfg(vec![
            ("size", 10i64.into()),
            ("type", "gp3".into()),
            ("iops", 4000i64.into()),
            ("throughput", 250i64.into()),
        ]);
        assert!(EbsVolume.validate(&gp3).is_empty());
    }

    #[test]
    fn partitions() {
        assert_eq!(partition("eu-west-1"), "aws");
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
    }
}
