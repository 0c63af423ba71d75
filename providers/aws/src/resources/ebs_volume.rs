//! `aws_ebs_volume`: a block storage volume in one availability zone.
//!
//! Size, type, IOPS and throughput change in place with ModifyVolume (then wait until the
//! modification is `optimizing` or `completed`); the zone, encryption, KMS key, snapshot,
//! multi-attach and outpost force a new volume, as in the Terraform AWS provider. Refresh reads
//! every volume with one DescribeVolumes per 200 IDs. `final_snapshot = true` snapshots the
//! volume (with its tags) before deleting it.

use crate::ec2::{describe_volumes, tag_map, tag_spec, update_tags};
use crate::errors::{code, is_not_found, sdk_error};
use crate::resource::{Ctx, ResourceType, Result, invalid, time_suffix, with_tags, with_timeouts};
use crate::val::{self, Obj, rfc3339};
use crate::waiter::{Poll, timeout, wait_for};
use async_trait::async_trait;
use aws_sdk_ec2::types::{ResourceType as Rt, SnapshotState, Volume, VolumeModificationState, VolumeState, VolumeType};
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::plan::diff::same;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct EbsVolume;

const CREATE_TIMEOUT: Duration = Duration::from_secs(5 * 60);
const UPDATE_TIMEOUT: Duration = Duration::from_secs(5 * 60);
const DELETE_TIMEOUT: Duration = Duration::from_secs(10 * 60);

/// Types that take (io1, io2: require) an IOPS setting.
const IOPS_TYPES: &[&str] = &["io1", "io2", "gp3"];

fn schema() -> Schema {
    with_timeouts(
        with_tags(
            Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("arn", Attribute::computed(Type::String))
                .attr("availability_zone", Attribute::required(Type::String).force_new())
                .attr("size", Attribute::optional_computed(Type::Number))
                .attr("type", Attribute::optional_computed(Type::String))
                .attr("iops", Attribute::optional_computed(Type::Number))
                .attr("throughput", Attribute::optional_computed(Type::Number))
                .attr("encrypted", Attribute::optional_computed(Type::Bool).force_new())
                .attr("kms_key_id", Attribute::optional_computed(Type::String).force_new())
                .attr("snapshot_id", Attribute::optional_computed(Type::String).force_new())
                .attr("multi_attach_enabled", Attribute::optional(Type::Bool).force_new())
                .attr("outpost_arn", Attribute::optional(Type::String).force_new())
                .attr("final_snapshot", Attribute::optional(Type::Bool).default(false))
                .attr("create_time", Attribute::computed(Type::String)),
        ),
        &["create", "update", "delete"],
    )
}

fn int32(v: &Value, k: &str) -> Option<i32> {
    val::int(v, k).filter(|n| *n > 0).map(|n| n as i32)
}

fn changed(prior: &Value, planned: &Value, k: &str) -> bool {
    let n = planned.get_attr(k).cloned().unwrap_or_default();
    !n.is_unknown() && !same(&prior.get_attr(k).cloned().unwrap_or_default(), &n)
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

fn volume_value(c: &Ctx<'_>, v: &Volume, cur: &Value) -> Value {
    let id = v.volume_id().unwrap_or_default();
    let region = &c.clients.region;
    let account = c.clients.account_id.clone().unwrap_or_default();
    let (tags, tags_all) = crate::tags::read_back(&tag_map(v.tags()), c.default_tags(), cur);
    Obj::new(&schema())
        .set("id", id)
        .set("arn", format!("arn:{}:ec2:{region}:{account}:volume/{id}", partition(region)))
        .set("availability_zone", val::opt_str(v.availability_zone()))
        .set("size", val::opt_num(v.size()))
        .set("type", val::opt_str(v.volume_type().map(VolumeType::as_str)))
        .set("iops", val::opt_num(v.iops()))
        .set("throughput", val::opt_num(v.throughput()))
        .set("encrypted", val::opt_bool(v.encrypted()))
        .set("kms_key_id", val::opt_str(v.kms_key_id()))
        .set("snapshot_id", val::opt_str(v.snapshot_id().filter(|s| !s.is_empty())))
        .set("multi_attach_enabled", val::opt_bool(v.multi_attach_enabled()))
        .set("outpost_arn", val::opt_str(v.outpost_arn()))
        .set("create_time", v.create_time().map_or(Value::NULL, |t| Value::from(rfc3339(t))))
        .set("tags", tags)
        .set("tags_all", tags_all)
        .set("final_snapshot", Value::Bool(val::boolean(cur, "final_snapshot").unwrap_or(false)))
        .keep(cur, &["timeouts"])
        .build()
}

async fn find(c: &Ctx<'_>, id: &str) -> Result<Option<Volume>> {
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
async fn final_snapshot(c: &Ctx<'_>, prior: &Value, id: &str, limit: Duration) -> Result<()> {
    let tags = val::string_map(prior, "tags_all");
    let snapshot =
        wait_for(&format!("a final snapshot of EBS volume {id} to start"), Duration::from_secs(60), || async {
            let req = c
                .clients
                .ec2
                .create_snapshot()
                .volume_id(id)
                .set_tag_specifications(tag_spec(Rt::Snapshot, &tags).map(|t| vec![t]));
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
    async fn read_one(&self, c: &Ctx<'_>, id: &str, like: &Value) -> Result<Value> {
        let mut stub = like.clone();
        stub.set_at_path(&[PathStep::Attr("id".into())], Value::from(id));
        self.read_many(c, &[stub])
            .await
            .pop()
            .unwrap_or(Ok(None))?
            .ok_or_else(|| ProviderError::new(format!("EBS volume {id} is gone")))
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
        schema()
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
        let tags = crate::tags::at_create(c, planned);
        let out = c
            .clients
            .ec2
            .create_volume()
            .client_token(c.token.map_or_else(|| format!("terrane-{}", time_suffix()), str::to_string))
            .set_availability_zone(val::string(planned, "availability_zone"))
            .set_size(int32(planned, "size"))
            .set_volume_type(val::string(planned, "type").map(|t| VolumeType::from(t.as_str())))
            .set_iops(int32(planned, "iops"))
            .set_throughput(int32(planned, "throughput"))
            .set_encrypted(val::boolean(planned, "encrypted"))
            .set_kms_key_id(val::string(planned, "kms_key_id"))
            .set_snapshot_id(val::string(planned, "snapshot_id"))
            .set_multi_attach_enabled(val::boolean(planned, "multi_attach_enabled").filter(|m| *m))
            .set_outpost_arn(val::string(planned, "outpost_arn"))
            .set_tag_specifications(tag_spec(Rt::Volume, &tags).map(|t| vec![t]))
            .send()
            .await
            .map_err(|e| sdk_error("creating EBS volume", e))?;
        let id = out
            .volume_id()
            .ok_or_else(|| ProviderError::new("creating EBS volume: no volume ID in the response"))?
            .to_string();
        let partial = || {
            let mut p = planned.clone();
            p.set_at_path(&[PathStep::Attr("id".into())], Value::from(id.as_str()));
            p.unknowns_to_null()
        };
        wait_state(c, &id, timeout(planned, "create", CREATE_TIMEOUT), Some(VolumeState::Available))
            .await
            .map_err(|e| e.with_partial_state(partial()))?;
        self.read_one(c, &id, planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by the token tag its create gave it (CreateVolume TagSpecifications; the same
    /// token is the ClientToken, which AWS honours for a retried call, but DescribeVolumes
    /// cannot filter by it). A volume still being created is waited for, as the create would.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let Some(id) = crate::ec2::find_by_token(c, "volume").await? else { return Ok(None) };
        wait_state(c, &id, timeout(planned, "create", CREATE_TIMEOUT), Some(VolumeState::Available)).await?;
        crate::resource::read_stub(self, c, crate::resource::with_id(planned, &id)).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let ids: Vec<String> = current.iter().map(val::id).filter(|i| !i.is_empty()).collect();
        let mut found = match describe_volumes(c, &ids).await {
            Ok(f) => f,
            Err(msg) => return current.iter().map(|_| Err(ProviderError::new(msg.clone()))).collect(),
        };
        current
            .iter()
            .map(|cur| {
                Ok(found
                    .remove(&val::id(cur))
                    .filter(|v| v.state() != Some(&VolumeState::Deleted) && v.state() != Some(&VolumeState::Deleting))
                    .map(|v| volume_value(c, &v, cur)))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = val::id(prior);
        let kind = val::string(planned, "type").unwrap_or_default();
        let mut req = c.clients.ec2.modify_volume().volume_id(&id);
        let mut any = false;
        if changed(prior, planned, "size") {
            req = req.set_size(int32(planned, "size"));
            any = true;
        }
        if changed(prior, planned, "iops") {
            req = req.set_iops(int32(planned, "iops"));
            any = true;
        }
        if changed(prior, planned, "throughput") {
            any = true;
        }
        if changed(prior, planned, "type") {
            req = req.volume_type(VolumeType::from(kind.as_str()));
            // Changing to io1, io2 or gp3 would otherwise reset the IOPS to 3,000.
            if IOPS_TYPES.contains(&kind.as_str()) {
                req = req.set_iops(int32(planned, "iops"));
            }
            any = true;
        }
        if any {
            // As the Terraform provider: always send a gp3 volume's throughput, which AWS
            // would otherwise not always retain.
            if kind == "gp3" {
                req = req.set_throughput(int32(planned, "throughput"));
            }
            req.send().await.map_err(|e| sdk_error(&format!("modifying EBS volume {id}"), e))?;
            wait_modified(c, &id, timeout(planned, "update", UPDATE_TIMEOUT)).await?;
        }
        update_tags(&c.clients.ec2, &id, &val::string_map(prior, "tags_all"), &crate::tags::wanted(planned)).await?;
        self.read_one(c, &id, planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let id = val::id(prior);
        let limit = timeout(prior, "delete", DELETE_TIMEOUT);
        if val::boolean(prior, "final_snapshot") == Some(true) {
            final_snapshot(c, prior, &id, limit).await?;
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

    fn cfg(pairs: Vec<(&str, Value)>) -> Value {
        let mut v = Obj::new(&schema()).build();
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
