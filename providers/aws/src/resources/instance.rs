//! `aws_instance`.
//!
//! - Create: RunInstances with the engine's idempotency token as the client token, and the
//!   same token as a `terrane:create-token` tag (kept, hidden from `tags`/`tags_all`), so a
//!   create whose answer was lost, or that a killed apply left unrecorded, is found again
//!   instead of launched twice: by the `client-token` filter (AWS) or the tag (moto ignores
//!   client tokens); then wait until `running`.
//! - `instance_type` and in-place `user_data` changes stop the instance, modify it and start it
//!   again; security groups, source/dest check, the IAM instance profile, the root volume,
//!   detailed `monitoring` (Monitor/UnmonitorInstances), `metadata_options` (see
//!   `instance_metadata`) and tags change without a stop. `user_data_replace_on_change` makes user data force a new
//!   instance, as in Terraform.
//! - `user_data` is stored as Terraform stores it, the SHA-1 hex of the user data.
//! - Refresh reads every instance with one DescribeInstances per 1,000 IDs, every EBS volume
//!   with one DescribeVolumes per 200, CPU credits with one DescribeInstanceCreditSpecifications
//!   (burstable instances whose state has a credit specification), launch template names with
//!   one DescribeLaunchTemplates; per instance (one DescribeInstanceAttribute each) only what
//!   the state asks for: user data when it has some, the stop/termination protection and
//!   shutdown behaviour when it holds other than EC2's defaults or does not know them (so a
//!   change of those made outside terrane to an instance with the defaults is not seen), the
//!   password data with `get_password_data`.
//! - Launch options, block devices and interfaces: `instance_options` and `instance_devices`.
//!   `instance_market_options` (spot) is declared but refused.

use super::instance_devices::{Attributes, Devices, RootDevice};
use super::instance_metadata::MetadataOptions;
use super::instance_options::{CreditSpecification, LaunchTemplate, Options};
use crate::ec2::{FILTER_PAGE, describe_volumes, filter, tag_map, tags as ec2_tags, update_tags};
use crate::errors::{code, sdk_error};
use crate::model::{CrudTimeouts, Op, Tags, known, known_parts, limit};
use crate::resource::{Ctx, Refused, ResourceType, Result, chunks, invalid, time_suffix};
use crate::val;
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use aws_sdk_ec2::primitives::Blob;
use aws_sdk_ec2::types::{
    AttributeBooleanValue, AttributeValue, BlobAttributeValue, BlockDeviceMapping, EbsInstanceBlockDeviceSpecification,
    GroupIdentifier, IamInstanceProfileSpecification, Instance as ApiInstance, InstanceBlockDeviceMappingSpecification,
    InstanceNetworkInterfaceSpecification, InstanceStateName, InstanceType, MonitoringState, ResourceType as Rt,
    RunInstancesMonitoringEnabled, ShutdownBehavior, TagSpecification, Volume, VolumeType,
};
use base64::Engine;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::plan::diff::{generic_plan, same};
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::{PathStep, Value};

pub struct Instance;

/// The tag that finds an instance whose RunInstances answer was lost.
const TOKEN_TAG: &str = crate::tags::TOKEN_TAG;
/// The most instance IDs one DescribeInstances takes.
const DESCRIBE_PAGE: usize = 1000;

/// An `aws_instance` object. Launch options are [`Options`] (`instance_options`), block
/// devices, interfaces and addresses [`Devices`] (`instance_devices`), the attributes
/// DescribeInstances does not report [`Attributes`].
#[derive(Model, Clone, Debug, Default)]
struct InstanceObject {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(optional, computed, force_new)]
    ami: Option<String>,
    #[model(optional, computed)]
    instance_type: Option<String>,
    #[model(optional, computed, force_new)]
    availability_zone: Option<String>,
    #[model(optional, computed, force_new)]
    subnet_id: Option<String>,
    #[model(optional, computed)]
    vpc_security_group_ids: Option<BTreeSet<String>>,
    #[model(optional, computed, force_new)]
    security_groups: Option<BTreeSet<String>>,
    #[model(optional, computed, force_new)]
    key_name: Option<String>,
    #[model(flatten)]
    user_data: UserData,
    #[model(optional, computed)]
    iam_instance_profile: Option<String>,
    #[model(optional, computed, force_new)]
    associate_public_ip_address: Option<bool>,
    #[model(optional, computed, force_new)]
    private_ip: Option<String>,
    #[model(optional, default = true)]
    source_dest_check: bool,
    #[model(optional, computed, force_new)]
    ebs_optimized: Option<bool>,
    #[model(optional, computed, force_new)]
    tenancy: Option<String>,
    #[model(computed)]
    instance_state: Option<String>,
    #[model(computed)]
    public_ip: Option<String>,
    #[model(computed)]
    public_dns: Option<String>,
    #[model(computed)]
    private_dns: Option<String>,
    #[model(computed)]
    primary_network_interface_id: Option<String>,
    #[model(computed)]
    outpost_arn: Option<String>,
    #[model(optional, computed)]
    monitoring: Option<bool>,
    #[model(flatten)]
    attributes: Attributes,
    #[model(optional, default = false)]
    get_password_data: bool,
    #[model(computed)]
    password_data: Option<String>,
    #[model(block, max = 1, computed)]
    metadata_options: Option<MetadataOptions>,
    #[model(block, max = 1)]
    root_block_device: Option<RootDevice>,
    #[model(flatten)]
    tags: Tags,
    #[model(block = "single")]
    timeouts: Option<CrudTimeouts>,
    #[model(flatten)]
    options: Options,
    #[model(flatten)]
    devices: Devices,
}

/// The user data arguments (a model of their own: plan-time code reads them alone, from
/// values whose other attributes may not be known yet).
#[derive(Model, Clone, Debug, Default, PartialEq)]
struct UserData {
    #[model(optional, computed)]
    user_data: Option<String>,
    #[model(optional, computed)]
    user_data_base64: Option<String>,
    #[model(optional, default = false)]
    user_data_replace_on_change: bool,
}

impl UserData {
    /// The user data to send, base64-encoded: `user_data` (raw or base64) or
    /// `user_data_base64`.
    fn to_send(&self) -> Option<String> {
        if let Some(s) = self.user_data.as_deref().filter(|s| !s.is_empty()) {
            return Some(b64().encode(user_data_bytes(s)));
        }
        nonempty(&self.user_data_base64)
    }
}

fn schema() -> Schema {
    InstanceObject::schema()
}

/// A string argument that is set and not empty.
fn nonempty(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| !s.is_empty())
}

/// SHA-1 (FIPS 180-1), hex-encoded, for `user_data` as Terraform stores it.
pub fn sha1_hex(data: &[u8]) -> String {
    let mut h: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for block in msg.chunks(64) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5A82_7999),
                20..=39 => (b ^ c ^ d, 0x6ED9_EBA1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    h.iter().map(|x| format!("{x:08x}")).collect()
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// The bytes of user data as given: base64 that decodes is taken as encoded (Terraform's rule).
fn user_data_bytes(s: &str) -> Vec<u8> {
    b64().decode(s.trim()).unwrap_or_else(|_| s.as_bytes().to_vec())
}

/// Terraform's `userDataHashSum`.
pub fn user_data_hash(s: &str) -> String {
    sha1_hex(&user_data_bytes(s))
}

/// The name in an instance profile ARN (`arn:aws:iam::123:instance-profile/path/name`).
fn profile_name(arn: &str) -> Option<String> {
    arn.split_once(":instance-profile/").map(|(_, rest)| rest.rsplit('/').next().unwrap_or(rest).to_string())
}

fn state_name(i: &ApiInstance) -> Option<&InstanceStateName> {
    i.state().and_then(|s| s.name())
}

fn is_gone(i: &ApiInstance) -> bool {
    matches!(state_name(i), Some(InstanceStateName::Terminated))
}

/// Whether a failed call may be tried again (after checking whether it took effect).
fn transient<E: aws_smithy_types::error::metadata::ProvideErrorMetadata, R>(
    e: &aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> bool {
    use aws_smithy_runtime_api::client::result::SdkError;
    match e {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => true,
        SdkError::ServiceError(_) => matches!(
            code(e),
            Some(
                "RequestLimitExceeded"
                    | "Throttling"
                    | "ThrottlingException"
                    | "InternalError"
                    | "InternalFailure"
                    | "ServiceUnavailable"
                    | "Unavailable"
            )
        ),
        _ => false,
    }
}

/// An IAM instance profile just created is not usable by EC2 for a few seconds.
fn profile_not_ready<E: aws_smithy_types::error::metadata::ProvideErrorMetadata, R>(
    e: &aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> bool {
    match e {
        aws_smithy_runtime_api::client::result::SdkError::ServiceError(se) => {
            se.err().code() == Some("InvalidParameterValue")
                && se.err().message().is_some_and(|m| {
                    m.contains("Invalid IAM Instance Profile") || m.contains("has no associated IAM Roles")
                })
        }
        _ => false,
    }
}

/// Instances by ID, with as few DescribeInstances calls as possible (one per 1,000 IDs). IDs
/// that no longer exist are left out instead of failing the batch.
async fn describe(c: &Ctx<'_>, ids: &[String]) -> std::result::Result<HashMap<String, ApiInstance>, String> {
    let mut found = HashMap::new();
    let valid: Vec<String> = {
        let mut v: Vec<String> = ids
            .iter()
            .filter(|id| id.starts_with("i-") && id[2..].bytes().all(|b| b.is_ascii_hexdigit()))
            .cloned()
            .collect();
        v.sort();
        v.dedup();
        v
    };
    for page in chunks(&valid, DESCRIBE_PAGE) {
        let mut ask = page.clone();
        let mut done = false;
        // EC2 refuses the whole call when one ID does not exist, naming the missing IDs: drop
        // them and ask again; after a few rounds fall back to filters, which never fail so.
        for _ in 0..3 {
            if ask.is_empty() {
                done = true;
                break;
            }
            match collect(c.clients.ec2.describe_instances().set_instance_ids(Some(ask.clone())), &mut found).await {
                Ok(()) => {
                    done = true;
                    break;
                }
                Err(e) if matches!(code(&e), Some("InvalidInstanceID.NotFound" | "InvalidInstanceID.Malformed")) => {
                    let msg = aws_smithy_types::error::metadata::ProvideErrorMetadata::message(&e)
                        .unwrap_or_default()
                        .to_string();
                    let missing: Vec<&str> = msg
                        .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '-'))
                        .filter(|w| w.starts_with("i-"))
                        .collect();
                    let before = ask.len();
                    ask.retain(|id| !missing.contains(&id.as_str()));
                    if ask.len() == before {
                        break;
                    }
                }
                Err(e) => return Err(crate::errors::describe("reading instances", &e)),
            }
        }
        if !done {
            for sub in chunks(&ask, FILTER_PAGE) {
                let req = c.clients.ec2.describe_instances().filters(filter("instance-id", sub)).max_results(1000);
                collect(req, &mut found).await.map_err(|e| crate::errors::describe("reading instances", &e))?;
            }
        }
    }
    Ok(found)
}

type DescribeError = aws_smithy_runtime_api::client::result::SdkError<
    aws_sdk_ec2::operation::describe_instances::DescribeInstancesError,
    aws_smithy_runtime_api::client::orchestrator::HttpResponse,
>;

/// Sends a DescribeInstances request and its next pages, keeping every instance.
async fn collect(
    req: aws_sdk_ec2::operation::describe_instances::builders::DescribeInstancesFluentBuilder,
    found: &mut HashMap<String, ApiInstance>,
) -> std::result::Result<(), DescribeError> {
    let mut reservations = req.into_paginator().items().send();
    while let Some(r) = reservations.try_next().await? {
        for i in r.instances() {
            if let Some(id) = i.instance_id() {
                found.insert(id.to_string(), i.clone());
            }
        }
    }
    Ok(())
}

/// The root volume's ID and the mapping's delete-on-termination flag.
fn root_mapping(i: &ApiInstance) -> Option<(String, String, Option<bool>)> {
    let maps = i.block_device_mappings();
    let root = i.root_device_name();
    let m = maps.iter().find(|m| m.device_name().is_some() && m.device_name() == root).or_else(|| {
        // Some emulators name the root device differently from the image: a lone EBS volume
        // is the root one.
        (maps.len() == 1).then(|| &maps[0])
    })?;
    let ebs = m.ebs()?;
    Some((m.device_name()?.to_string(), ebs.volume_id()?.to_string(), ebs.delete_on_termination()))
}

/// Whether `cur` is an import's stub (no more than the ID: not even a null `ami`), which a
/// typed read cannot tell from a state: a raw check.
fn is_stub(cur: &Value) -> bool {
    cur.get_attr("ami").is_none()
}

/// Whether the state holds user data to compare with what AWS has: user data not known yet
/// (after a create) counts, which a typed read takes for none, so it is a raw check.
fn wants_user_data(cur: &Value) -> bool {
    let has = |k: &str| cur.get_attr(k).is_some_and(|v| !v.is_null());
    has("user_data") || has("user_data_base64") || is_stub(cur)
}

async fn user_data(c: &Ctx<'_>, id: &str) -> Result<Option<String>> {
    let out = c
        .clients
        .ec2
        .describe_instance_attribute()
        .instance_id(id)
        .attribute(aws_sdk_ec2::types::InstanceAttributeName::UserData)
        .send()
        .await
        .map_err(|e| sdk_error(&format!("reading the user data of {id}"), e))?;
    Ok(out.user_data().and_then(|u| u.value()).filter(|s| !s.is_empty()).map(str::to_string))
}

struct Found<'a> {
    instance: &'a ApiInstance,
    volume: Option<&'a Volume>,
    volumes: &'a HashMap<String, Volume>,
    user_data: Option<Option<String>>,
    attributes: Option<Attributes>,
    password: Option<String>,
    credits: Option<String>,
    launch_template: Option<LaunchTemplate>,
}

/// The instance as read (`cur`: the prior value, or the planned one after a create or an
/// update, for what the API does not tell).
fn object_from(c: &Ctx<'_>, f: &Found<'_>, cur: &InstanceObject) -> InstanceObject {
    let i = f.instance;
    let id = i.instance_id().unwrap_or_default();
    // hashicorp/aws builds the ARN with the provider's account ID (none when it skips asking).
    let owner = c.clients.account_id.clone().unwrap_or_default();
    let mut api_tags = tag_map(i.tags());
    api_tags.remove(TOKEN_TAG);
    // AWS's own tags (`aws:ec2launchtemplate:id`, ...) are not the resource's.
    api_tags.retain(|k, _| !k.starts_with("aws:"));
    let primary = i.network_interfaces().iter().find(|n| n.attachment().and_then(|a| a.device_index()) == Some(0));
    let (subnet, eni, public_assoc, sdc) = match primary {
        Some(n) => (
            n.subnet_id().or(i.subnet_id()),
            n.network_interface_id(),
            n.association().is_some(),
            n.source_dest_check().or(i.source_dest_check()),
        ),
        None => (i.subnet_id(), None, i.public_ip_address().is_some(), i.source_dest_check()),
    };
    // The instance's groups are its primary interface's; emulators may fill only one list.
    let groups: &[GroupIdentifier] = match primary {
        Some(n) if i.security_groups().is_empty() => n.groups(),
        _ => i.security_groups(),
    };
    let ids: BTreeSet<String> = groups.iter().filter_map(|g| g.group_id()).map(str::to_string).collect();
    let names: BTreeSet<String> = groups.iter().filter_map(|g| g.group_name()).map(str::to_string).collect();
    let by_name = subnet.is_none_or(str::is_empty) || cur.security_groups.as_ref().is_some_and(|g| !g.is_empty());
    let managed = cur.devices.volume_tags_managed();
    let root = root_mapping(i).map(|(device, volume, dot)| {
        let v = f.volume;
        RootDevice {
            tags: super::instance_devices::root_tags_read(v, cur.root_block_device.as_ref(), managed),
            delete_on_termination: dot.unwrap_or(true),
            device_name: Some(device),
            encrypted: v.and_then(Volume::encrypted),
            iops: v.and_then(Volume::iops).map(i64::from),
            kms_key_id: v.and_then(Volume::kms_key_id).map(str::to_string),
            throughput: v.and_then(Volume::throughput).map(i64::from),
            volume_id: Some(volume),
            volume_size: v.and_then(Volume::size).map(i64::from),
            volume_type: v.and_then(|v| v.volume_type()).map(|t| t.as_str().to_string()),
        }
    });
    let mut options = super::instance_options::read(i, &cur.options, f.launch_template.clone());
    if let Some(cr) = &f.credits {
        options.credit_specification = Some(CreditSpecification { cpu_credits: Some(cr.clone()) });
    }
    let user_data = match &f.user_data {
        Some(data) => {
            let base64_form = cur.user_data.user_data_base64.is_some();
            let (user_data, user_data_base64) = match data {
                None => (None, None),
                Some(d) if base64_form => (None, Some(d.clone())),
                Some(d) => (Some(user_data_hash(d)), None),
            };
            UserData { user_data, user_data_base64, ..cur.user_data.clone() }
        }
        // Not read: the state's is kept (one not known yet is none).
        None => cur.user_data.clone(),
    };
    let text = |s: Option<&str>| s.map(str::to_string);
    let shown = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_string);
    InstanceObject {
        id: Some(id.to_string()),
        arn: Some(format!("arn:aws:ec2:{}:{owner}:instance/{id}", c.clients.region)),
        ami: text(i.image_id()),
        instance_type: text(i.instance_type().map(|t| t.as_str())),
        availability_zone: text(i.placement().and_then(|p| p.availability_zone())),
        tenancy: text(i.placement().and_then(|p| p.tenancy()).map(|t| t.as_str())),
        subnet_id: shown(subnet),
        vpc_security_group_ids: Some(ids),
        security_groups: Some(if by_name { names } else { BTreeSet::new() }),
        key_name: text(i.key_name()),
        iam_instance_profile: i.iam_instance_profile().and_then(|p| p.arn()).and_then(profile_name),
        associate_public_ip_address: Some(public_assoc),
        private_ip: text(i.private_ip_address()),
        source_dest_check: sdc.unwrap_or(true),
        ebs_optimized: Some(i.ebs_optimized().unwrap_or(false)),
        instance_state: text(state_name(i).map(|s| s.as_str())),
        public_ip: shown(i.public_ip_address()),
        public_dns: shown(i.public_dns_name()),
        private_dns: shown(i.private_dns_name()),
        primary_network_interface_id: text(eni),
        outpost_arn: text(i.outpost_arn()),
        monitoring: Some(matches!(
            i.monitoring().and_then(|m| m.state()),
            Some(MonitoringState::Enabled | MonitoringState::Pending)
        )),
        metadata_options: super::instance_metadata::read(i),
        root_block_device: root,
        user_data,
        tags: cur.tags.read_back(c, &api_tags),
        timeouts: cur.timeouts.clone(),
        devices: super::instance_devices::read(i, primary, f.volumes, &cur.devices),
        get_password_data: cur.get_password_data,
        password_data: f.password.clone(),
        attributes: f.attributes.clone().unwrap_or_else(|| cur.attributes.clone()),
        options,
    }
}

fn set(v: &mut Value, k: &str, x: Value) {
    v.set_at_path(&[PathStep::Attr(k.into())], x);
}

/// The instance's root device name, from its image.
async fn image_root_device(c: &Ctx<'_>, ami: &str) -> Result<Option<String>> {
    let out = c
        .clients
        .ec2
        .describe_images()
        .image_ids(ami)
        .send()
        .await
        .map_err(|e| sdk_error(&format!("reading image {ami}"), e))?;
    Ok(out.images().first().and_then(|i| i.root_device_name()).map(str::to_string))
}

/// The image of the launch template the instance is launched from (for its root device).
async fn template_image(c: &Ctx<'_>, lt: Option<&LaunchTemplate>) -> Result<String> {
    let lt = lt.cloned().unwrap_or_default();
    let (id, name) = lt.id_or_name();
    let version = Some(lt.version).filter(|v| !v.is_empty());
    let out = c
        .clients
        .ec2
        .describe_launch_template_versions()
        .set_launch_template_id(id)
        .set_launch_template_name(name)
        .versions(version.unwrap_or_else(|| super::instance_options::DEFAULT_VERSION.into()))
        .send()
        .await
        .map_err(|e| sdk_error("reading the launch template", e))?;
    out.launch_template_versions()
        .first()
        .and_then(|v| v.launch_template_data())
        .and_then(|d| d.image_id())
        .map(str::to_string)
        .ok_or_else(|| ProviderError::new("`ami` must be set or provided via `launch_template`"))
}

async fn wait_state(c: &Ctx<'_>, id: &str, want: InstanceStateName, limit: Duration) -> Result<()> {
    wait_for(&format!("instance {id} to be {}", want.as_str()), limit, || async {
        let found = describe(c, &[id.to_string()]).await.map_err(ProviderError::new)?;
        let Some(i) = found.get(id) else {
            return Ok(if want == InstanceStateName::Terminated {
                Poll::Done(())
            } else {
                Poll::Pending("not found yet".into())
            });
        };
        let state = state_name(i).cloned().unwrap_or(InstanceStateName::Pending);
        if state == want {
            return Ok(Poll::Done(()));
        }
        let reason = i.state_reason().and_then(|r| r.message()).unwrap_or_default();
        match state {
            InstanceStateName::Terminated | InstanceStateName::ShuttingDown
                if want != InstanceStateName::Terminated =>
            {
                Ok(Poll::Failed(format!("{}{}{reason}", state.as_str(), if reason.is_empty() { "" } else { ": " })))
            }
            s => Ok(Poll::Pending(s.as_str().to_string())),
        }
    })
    .await
}

/// What one instance's read asks for beyond DescribeInstances: its ID, user data, the
/// attributes, and password data (with the configured read timeout).
type Ask = (String, bool, bool, Option<Option<String>>);
type Extra = (Option<Option<String>>, Option<Attributes>, Option<String>);

impl Instance {
    /// Reads a batch: one DescribeInstances, one DescribeVolumes for every EBS volume, one
    /// DescribeInstanceCreditSpecifications for the burstable instances whose state has a
    /// credit specification, one DescribeLaunchTemplates for the templates named; then per
    /// instance, a few at a time, only what the state asks for (user data, the attributes
    /// DescribeInstances lacks, password data).
    async fn read_batch(&self, c: &Ctx<'_>, current: &[Value]) -> Result<Vec<Result<Option<Value>>>> {
        let curs = current.iter().map(InstanceObject::from_stub).collect::<std::result::Result<Vec<_>, _>>()?;
        let ids: Vec<String> = curs.iter().map(|cur| cur.id.clone().unwrap_or_default()).collect();
        let found = describe(c, &ids).await.map_err(ProviderError::new)?;
        let live = |id: &str| found.get(id).filter(|i| !is_gone(i));
        let mut volume_ids: Vec<String> =
            ids.iter().filter_map(|id| live(id)).flat_map(super::instance_devices::volume_ids).collect();
        volume_ids.sort();
        volume_ids.dedup();
        let volumes = describe_volumes(c, &volume_ids).await.map_err(ProviderError::new)?;
        let credit_ids: Vec<String> = ids
            .iter()
            .zip(current.iter().zip(&curs))
            .filter(|(id, (raw, cur))| {
                live(id).is_some_and(|i| {
                    super::instance_options::burstable(i.instance_type().map(|t| t.as_str()).unwrap_or_default())
                }) && (is_stub(raw) || cur.options.credit_specification.is_some())
            })
            .map(|(id, _)| id.clone())
            .collect();
        let credits = super::instance_options::credits(c, &credit_ids).await?;
        let mut templates: Vec<String> =
            ids.iter().filter_map(|id| live(id)).filter_map(super::instance_options::launch_template_id).collect();
        templates.sort();
        templates.dedup();
        let names = super::instance_options::launch_template_names(c, &templates).await?;
        // What each live instance needs besides (owned, for the futures below).
        let asks: Vec<Option<Ask>> = ids
            .iter()
            .zip(current.iter().zip(&curs))
            .map(|(id, (raw, cur))| {
                live(id).map(|_| {
                    (
                        id.clone(),
                        wants_user_data(raw),
                        super::instance_devices::attributes_wanted(raw),
                        cur.get_password_data.then(|| cur.timeouts.as_ref().and_then(|t| t.read.clone())),
                    )
                })
            })
            .collect();
        let extra: Vec<Result<Extra>> = {
            use futures::stream::{self, StreamExt};
            stream::iter(asks.into_iter().map(|ask| async move {
                let Some((id, ud, attrs, pw)) = ask else { return Ok((None, None, None)) };
                let data = if ud { Some(user_data(c, &id).await?) } else { None };
                let attrs = if attrs { Some(super::instance_devices::attributes(c, &id).await?) } else { None };
                let password = match pw {
                    Some(read) => Some(super::instance_devices::password_data(c, &id, read.as_deref()).await?),
                    None => None,
                };
                Ok((data, attrs, password))
            }))
            .buffered(8)
            .collect()
            .await
        };
        Ok(curs
            .iter()
            .zip(ids.iter().zip(extra))
            .map(|(cur, (id, extra))| {
                let Some(instance) = live(id) else { return Ok(None) };
                let (user_data, attributes, password) = extra?;
                let volume = root_mapping(instance).and_then(|m| volumes.get(&m.1));
                let launch_template = super::instance_options::read_launch_template(
                    instance,
                    cur.options.launch_template.as_ref(),
                    &names,
                );
                let found = Found {
                    instance,
                    volume,
                    volumes: &volumes,
                    user_data,
                    attributes,
                    password,
                    credits: credits.get(id).cloned(),
                    launch_template,
                };
                Ok(Some(object_from(c, &found, cur).to_value()))
            })
            .collect())
    }

    /// What RunInstances cannot do: tags of the root and EBS volumes, source/dest checking off.
    async fn after_launch(&self, c: &Ctx<'_>, id: &str, planned: &InstanceObject) -> Result<()> {
        let found = describe(c, &[id.to_string()]).await.map_err(ProviderError::new)?;
        if let Some(i) = found.get(id) {
            super::instance_devices::tag_volumes(c, i, planned.root_block_device.as_ref(), &planned.devices).await?;
        }
        if !planned.source_dest_check && planned.devices.network_interface.is_empty() {
            c.clients
                .ec2
                .modify_instance_attribute()
                .instance_id(id)
                .source_dest_check(AttributeBooleanValue::builder().value(false).build())
                .send()
                .await
                .map_err(|e| sdk_error(&format!("turning source/dest checking of instance {id} off"), e))?;
        }
        Ok(())
    }

    /// Reads the instance, starting from `like` (the planned value: what it does not know
    /// yet, such as the attributes after a create, is read).
    async fn read_one(&self, c: &Ctx<'_>, id: &str, like: &Value) -> Result<Value> {
        crate::resource::read_stub(self, c, crate::resource::with_id(like, id))
            .await?
            .ok_or_else(|| ProviderError::new(format!("instance {id} is gone")))
    }

    /// Launches the instance once, even when an answer is lost: the token tag finds an
    /// instance launched by an earlier attempt.
    async fn launch(&self, c: &Ctx<'_>, p: &InstanceObject) -> Result<String> {
        let token = c.token.map_or_else(|| format!("terrane-{}", time_suffix()), str::to_string);
        let mut tags: BTreeMap<String, String> = p.tags.wanted();
        tags.insert(TOKEN_TAG.into(), token.clone());
        let mut specs =
            vec![TagSpecification::builder().resource_type(Rt::Instance).set_tags(Some(ec2_tags(&tags))).build()];
        let volume_tags = p.devices.volume_tags.clone().unwrap_or_default();
        if !volume_tags.is_empty() {
            specs.push(
                TagSpecification::builder().resource_type(Rt::Volume).set_tags(Some(ec2_tags(&volume_tags))).build(),
            );
        }
        let sgs: Vec<String> = p.vpc_security_group_ids.iter().flatten().cloned().collect();
        let names: Vec<String> = p.security_groups.iter().flatten().cloned().collect();
        let mut req = c
            .clients
            .ec2
            .run_instances()
            .min_count(1)
            .max_count(1)
            .client_token(&token)
            .set_image_id(nonempty(&p.ami))
            .set_instance_type(nonempty(&p.instance_type).map(|t| InstanceType::from(t.as_str())))
            .set_key_name(nonempty(&p.key_name))
            .set_user_data(p.user_data.to_send())
            .set_ebs_optimized(p.ebs_optimized)
            .set_monitoring(p.monitoring.map(|on| RunInstancesMonitoringEnabled::builder().enabled(on).build()))
            .set_metadata_options(super::instance_metadata::request(p.metadata_options.as_ref()))
            .set_disable_api_termination(p.attributes.disable_api_termination)
            .set_disable_api_stop(p.attributes.disable_api_stop)
            .set_instance_initiated_shutdown_behavior(
                nonempty(&p.attributes.instance_initiated_shutdown_behavior)
                    .map(|b| ShutdownBehavior::from(b.as_str())),
            )
            .set_tag_specifications(Some(specs));
        req = super::instance_options::launch(
            req,
            &p.options,
            p.instance_type.as_deref().unwrap_or_default(),
            p.availability_zone.clone(),
            p.tenancy.clone(),
        );
        if let Some(profile) = nonempty(&p.iam_instance_profile) {
            req = req.iam_instance_profile(IamInstanceProfileSpecification::builder().name(profile).build());
        }
        let interfaces = super::instance_devices::interfaces(&p.devices);
        let public = p.associate_public_ip_address;
        let addresses = p.devices.addresses_wanted();
        if !interfaces.is_empty() {
            req = req.set_network_interfaces(Some(interfaces));
        } else if let Some(subnet) = nonempty(&p.subnet_id)
            && (public.is_some() || addresses)
        {
            // Only a network interface specification can ask for a public address, IPv6
            // addresses or secondary private IPs.
            let ni = InstanceNetworkInterfaceSpecification::builder()
                .device_index(0)
                .set_associate_public_ip_address(public)
                .delete_on_termination(true)
                .subnet_id(subnet)
                .set_groups((!sgs.is_empty()).then(|| sgs.clone()));
            let ni = super::instance_devices::with_addresses(ni, &p.devices, p.private_ip.as_deref());
            let ni = if addresses && p.devices.secondary_private_ips.as_ref().is_some_and(|s| !s.is_empty()) {
                ni
            } else {
                ni.set_private_ip_address(nonempty(&p.private_ip))
            };
            req = req.network_interfaces(ni.build());
        } else {
            req = req
                .set_subnet_id(nonempty(&p.subnet_id))
                .set_security_group_ids((!sgs.is_empty()).then(|| sgs.clone()))
                .set_private_ip_address(nonempty(&p.private_ip))
                .set_ipv6_address_count(p.devices.ipv6_address_count.filter(|n| *n > 0).map(|n| n as i32));
        }
        if !names.is_empty() {
            req = req.set_security_groups(Some(names));
        }
        let mut mappings = super::instance_devices::mappings(&p.devices)?;
        if let Some(root) = &p.root_block_device {
            let ami = match nonempty(&p.ami) {
                Some(a) => a,
                None => template_image(c, p.options.launch_template.as_ref()).await?,
            };
            let device = image_root_device(c, &ami).await?.ok_or_else(|| {
                ProviderError::new(format!("image {ami} has no root device to configure with root_block_device"))
            })?;
            let ebs = super::instance_devices::root_ebs(root)?;
            mappings.push(BlockDeviceMapping::builder().device_name(device).ebs(ebs).build());
        }
        if !mappings.is_empty() {
            req = req.set_block_device_mappings(Some(mappings));
        }
        // No SDK retries: a retried RunInstances that moto (or a lost answer) does not
        // deduplicate would launch twice. Retry here, looking for the token first.
        let no_retry =
            aws_sdk_ec2::config::Builder::default().retry_config(aws_sdk_ec2::config::retry::RetryConfig::disabled());
        let limit = limit(&p.timeouts, Op::Create, Duration::from_secs(10 * 60));
        wait_for("the instance to launch", limit, || {
            let req = req.clone();
            let no_retry = no_retry.clone();
            let token = token.clone();
            async move {
                match req.customize().config_override(no_retry).send().await {
                    Ok(out) => {
                        let id =
                            out.instances().first().and_then(|i| i.instance_id()).ok_or_else(|| {
                                ProviderError::new("launching instance: no instance ID in the response")
                            })?;
                        Ok(Poll::Done(id.to_string()))
                    }
                    Err(e) if transient(&e) || profile_not_ready(&e) => {
                        let found = self.find_by_token(c, &token).await?;
                        match found {
                            Some(id) => Ok(Poll::Done(id)),
                            None => Ok(Poll::Pending(crate::errors::describe("launching instance", &e))),
                        }
                    }
                    Err(e) => Err(sdk_error("launching instance", e)),
                }
            }
        })
        .await
    }

    /// The live instance launched with this token: by its token tag (set by RunInstances
    /// itself), else by the `client-token` filter (what AWS records of the ClientToken; moto
    /// ignores client tokens and does not know that filter, so an error there means nothing
    /// more was found).
    async fn find_by_token(&self, c: &Ctx<'_>, token: &str) -> Result<Option<String>> {
        let live = |out: &aws_sdk_ec2::operation::describe_instances::DescribeInstancesOutput| {
            out.reservations()
                .iter()
                .flat_map(|r| r.instances())
                .filter(|i| !is_gone(i))
                .find(|i| {
                    i.client_token() == Some(token)
                        || tag_map(i.tags()).get(TOKEN_TAG).map(String::as_str) == Some(token)
                })
                .and_then(|i| i.instance_id())
                .map(str::to_string)
        };
        let out = c
            .clients
            .ec2
            .describe_instances()
            .filters(filter(&format!("tag:{TOKEN_TAG}"), [token]))
            .send()
            .await
            .map_err(|e| sdk_error("looking for an instance launched earlier", e))?;
        if let Some(id) = live(&out) {
            return Ok(Some(id));
        }
        let no_retry =
            aws_sdk_ec2::config::Builder::default().retry_config(aws_sdk_ec2::config::retry::RetryConfig::disabled());
        let by_client_token = c
            .clients
            .ec2
            .describe_instances()
            .filters(filter("client-token", [token]))
            .customize()
            .config_override(no_retry)
            .send()
            .await;
        Ok(by_client_token.ok().and_then(|out| live(&out)))
    }

    /// Stops the instance, applies the changes that need it stopped, and starts it again
    /// (`user_data_changed`: whether the planned user data differs from the prior).
    async fn stopped_changes(
        &self,
        c: &Ctx<'_>,
        id: &str,
        (prior, planned): (&InstanceObject, &InstanceObject),
        user_data_changed: bool,
        limit: Duration,
    ) -> Result<()> {
        let ec2 = &c.clients.ec2;
        let new_type = planned.instance_type.clone().filter(|t| Some(t) != prior.instance_type.as_ref());
        let new_data = user_data_changed.then(|| {
            let (old, new) = (&prior.user_data, &planned.user_data);
            // Whichever of the two changed (the other may still hold the old value).
            let b64_changed = new.user_data_base64.is_some() && new.user_data_base64 != old.user_data_base64;
            if b64_changed {
                nonempty(&new.user_data_base64)
            } else {
                UserData { user_data: new.user_data.clone(), ..UserData::default() }.to_send()
            }
        });
        if new_type.is_none() && new_data.is_none() {
            return Ok(());
        }
        ec2.stop_instances()
            .instance_ids(id)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("stopping instance {id}"), e))?;
        wait_state(c, id, InstanceStateName::Stopped, limit).await?;
        if let Some(t) = new_type {
            ec2.modify_instance_attribute()
                .instance_id(id)
                .instance_type(AttributeValue::builder().value(&t).build())
                .send()
                .await
                .map_err(|e| sdk_error(&format!("changing the type of instance {id} to {t}"), e))?;
        }
        if let Some(data) = new_data {
            let bytes = data.map(|d| b64().decode(d).unwrap_or_default()).unwrap_or_default();
            ec2.modify_instance_attribute()
                .instance_id(id)
                .user_data(BlobAttributeValue::builder().value(Blob::new(bytes)).build())
                .send()
                .await
                .map_err(|e| sdk_error(&format!("changing the user data of instance {id}"), e))?;
        }
        ec2.start_instances()
            .instance_ids(id)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("starting instance {id}"), e))?;
        wait_state(c, id, InstanceStateName::Running, limit).await
    }

    async fn change_profile(&self, c: &Ctx<'_>, id: &str, want: Option<String>, limit: Duration) -> Result<()> {
        let ec2 = &c.clients.ec2;
        let out = ec2
            .describe_iam_instance_profile_associations()
            .filters(filter("instance-id", [id]))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading the instance profile of {id}"), e))?;
        let current = out.iam_instance_profile_associations().iter().find(|a| {
            !matches!(
                a.state(),
                Some(
                    aws_sdk_ec2::types::IamInstanceProfileAssociationState::Disassociated
                        | aws_sdk_ec2::types::IamInstanceProfileAssociationState::Disassociating
                )
            )
        });
        match (current.and_then(|a| a.association_id()), want) {
            (Some(assoc), Some(name)) => {
                let spec = IamInstanceProfileSpecification::builder().name(&name).build();
                wait_for(&format!("instance profile {name} to attach to {id}"), limit, || async {
                    match ec2
                        .replace_iam_instance_profile_association()
                        .association_id(assoc)
                        .iam_instance_profile(spec.clone())
                        .send()
                        .await
                    {
                        Ok(_) => Ok(Poll::Done(())),
                        Err(e) if profile_not_ready(&e) => Ok(Poll::Pending("instance profile not ready".into())),
                        Err(e) => Err(sdk_error(&format!("replacing the instance profile of {id}"), e)),
                    }
                })
                .await
            }
            (None, Some(name)) => {
                let spec = IamInstanceProfileSpecification::builder().name(&name).build();
                wait_for(&format!("instance profile {name} to attach to {id}"), limit, || async {
                    match ec2
                        .associate_iam_instance_profile()
                        .instance_id(id)
                        .iam_instance_profile(spec.clone())
                        .send()
                        .await
                    {
                        Ok(_) => Ok(Poll::Done(())),
                        Err(e) if profile_not_ready(&e) => Ok(Poll::Pending("instance profile not ready".into())),
                        Err(e) => Err(sdk_error(&format!("attaching instance profile {name} to {id}"), e)),
                    }
                })
                .await
            }
            (Some(assoc), None) => {
                ec2.disassociate_iam_instance_profile()
                    .association_id(assoc)
                    .send()
                    .await
                    .map_err(|e| sdk_error(&format!("detaching the instance profile of {id}"), e))?;
                Ok(())
            }
            (None, None) => Ok(()),
        }
    }

    async fn change_root_volume(
        &self,
        c: &Ctx<'_>,
        id: &str,
        old: Option<&RootDevice>,
        new: Option<&RootDevice>,
    ) -> Result<()> {
        let (Some(old), Some(new)) = (old, new) else {
            return Ok(());
        };
        let ec2 = &c.clients.ec2;
        let volume = old.volume_id.clone().unwrap_or_default();
        // A planned value that is set (known) and not the prior one.
        fn changed<T: PartialEq>(old: &Option<T>, new: &Option<T>) -> bool {
            new.is_some() && new != old
        }
        let n = |old: Option<i64>, new: Option<i64>| {
            if changed(&old, &new) { new.filter(|v| *v > 0).map(|v| v as i32) } else { None }
        };
        let resized = changed(&old.volume_size, &new.volume_size)
            || changed(&old.volume_type, &new.volume_type)
            || changed(&old.iops, &new.iops)
            || changed(&old.throughput, &new.throughput);
        if resized && !volume.is_empty() {
            ec2.modify_volume()
                .volume_id(&volume)
                .set_size(n(old.volume_size, new.volume_size))
                .set_iops(n(old.iops, new.iops))
                .set_throughput(n(old.throughput, new.throughput))
                .set_volume_type(if changed(&old.volume_type, &new.volume_type) {
                    new.volume_type.as_deref().map(VolumeType::from)
                } else {
                    None
                })
                .send()
                .await
                .map_err(|e| sdk_error(&format!("modifying root volume {volume} of {id}"), e))?;
        }
        if new.delete_on_termination != old.delete_on_termination {
            let device = old.device_name.clone().unwrap_or_default();
            ec2.modify_instance_attribute()
                .instance_id(id)
                .block_device_mappings(
                    InstanceBlockDeviceMappingSpecification::builder()
                        .device_name(&device)
                        .ebs(
                            EbsInstanceBlockDeviceSpecification::builder()
                                .delete_on_termination(new.delete_on_termination)
                                .build(),
                        )
                        .build(),
                )
                .send()
                .await
                .map_err(|e| sdk_error(&format!("changing delete_on_termination of the root volume of {id}"), e))?;
        }
        Ok(())
    }
}

/// Whether a configured set block of force-new elements (`ebs_block_device`,
/// `network_interface`) changed in more than the volumes' tags: then the instance is replaced.
/// A planned element whose only change is its tags keeps its volume's computed values.
fn set_block_replaced(prior: &Value, planned: &mut Value, k: &str) -> bool {
    let Some(items) = planned
        .get_attr(k)
        .filter(|v| v.is_wholly_known() || v.as_seq().is_some())
        .and_then(|v| v.as_seq())
        .map(<[Value]>::to_vec)
    else {
        return false;
    };
    let old = val::blocks(prior, k);
    let strip = |v: &Value| {
        let mut v = v.clone();
        for a in ["tags", "tags_all", "volume_id"] {
            if v.get_attr(a).is_some() {
                v.set_at_path(&[PathStep::Attr(a.into())], Value::NULL);
            }
        }
        v
    };
    let mut fixed = Vec::with_capacity(items.len());
    let mut changed = items.len() != old.len();
    for item in items {
        let key = strip(&item);
        match old.iter().find(|o| {
            let o = strip(o);
            // Computed attributes the configuration left unknown match anything.
            let (Some(a), Some(b)) = (o.as_map(), key.as_map()) else { return false };
            a.iter().all(|(name, ov)| b.get(name).is_none_or(|nv| nv.is_unknown() || same(ov, nv)))
        }) {
            Some(o) => {
                let mut merged = o.clone();
                let before = o.get_attr("tags").cloned().unwrap_or_default();
                // Tags left out where the state holds none (`{}`, as Terraform records it)
                // are no change.
                if let Some(t) = item.get_attr("tags")
                    && !(t.is_null() && (before.is_null() || crate::legacy::is_zero(&before)))
                    && !same(&before, t)
                {
                    merged.set_at_path(&[PathStep::Attr("tags".into())], t.clone());
                    merged.set_at_path(&[PathStep::Attr("tags_all".into())], Value::DYNAMIC);
                }
                fixed.push(merged);
            }
            None => {
                changed = true;
                fixed.push(item);
            }
        }
    }
    if !changed && let Some(rebuilt) = Value::set_of(fixed) {
        set(planned, k, rebuilt);
    }
    changed
}

/// Whether the planned user data differs from the state's (planned holds raw user data only
/// when it changed). User data not known yet is no change: a raw check (`model::known`).
fn user_data_changed(prior: &Value, planned: &Value) -> bool {
    let (Ok(old), Ok(new)) = (UserData::from_stub(prior), UserData::from_stub(planned)) else { return false };
    (known(planned, "user_data") && new.user_data != old.user_data)
        || (known(planned, "user_data_base64") && new.user_data_base64 != old.user_data_base64)
}

/// Plans `user_data` (the hash when it did not change, else the new user data for apply to
/// send) and the root block device (computed when not configured); says whether user data
/// must replace the instance.
fn plan_user_data_and_root(prior: Option<&Value>, config: &Value, planned: &mut Value, replacing: bool) -> bool {
    let mut replace = false;
    let prior_data = prior.map(|p| UserData::from_stub(p).unwrap_or_default());
    let on_change = UserData::from_stub(config).is_ok_and(|c| c.user_data_replace_on_change);
    match config.get_attr("user_data").map(|v| v.unmarked().clone()) {
        Some(Value::String(s)) => {
            let h = user_data_hash(&s);
            let before = prior_data.as_ref().and_then(|p| p.user_data.clone());
            if before.as_deref() == Some(h.as_str()) || (s.is_empty() && before.is_none()) {
                set(planned, "user_data", before.map_or(Value::NULL, Value::from));
            } else {
                replace |= prior.is_some() && on_change;
            }
        }
        Some(v) if v.is_unknown() => replace |= prior.is_some() && on_change,
        _ => {}
    }
    match config.get_attr("user_data_base64").map(|v| v.unmarked().clone()) {
        Some(Value::String(s)) => {
            replace |=
                prior_data.as_ref().is_some_and(|p| p.user_data_base64.as_deref() != Some(s.as_str())) && on_change
        }
        Some(v) if v.is_unknown() => replace |= prior.is_some() && on_change,
        _ => {}
    }
    let configured = config
        .get_attr("root_block_device")
        .is_some_and(|v| v.is_unknown() || v.as_seq().is_some_and(|s| !s.is_empty()));
    if !configured {
        let keep = if replacing {
            Value::DYNAMIC
        } else {
            prior.and_then(|p| p.get_attr("root_block_device")).cloned().unwrap_or(Value::DYNAMIC)
        };
        set(planned, "root_block_device", keep);
    }
    replace
}

#[async_trait]
impl ResourceType for Instance {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::Ec2("id"))
    }

    fn name(&self) -> &'static str {
        "aws_instance"
    }
    /// hashicorp/aws's schema version: state is stored in that version's shape.
    fn schema_version(&self) -> u64 {
        1
    }
    fn state_upgrades(&self) -> crate::upgrade::Upgrades {
        // ec2_instance.go (5.x): `MigrateState: instanceMigrateState`. 6.x's version 2 (the
        // `cpu_options` upgrader) is not 5.100.0's.
        crate::upgrade::Upgrades::migrate(crate::upgrade::instance_migrate)
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut d = Vec::new();
        // Whether an argument is set counts values not known yet (raw checks); the values
        // checked are read typed, with what is not known yet null (not checked).
        let set = |k: &str| config.get_attr(k).is_some_and(|v| !v.is_null());
        let cfg = InstanceObject::from_stub(&known_parts(config)).unwrap_or_else(|e| {
            d.push(invalid("Invalid configuration", e.to_string()));
            InstanceObject::default()
        });
        if set("user_data") && set("user_data_base64") {
            d.push(invalid("Conflicting user data", "user_data and user_data_base64 cannot both be set"));
        }
        if let Some(s) = &cfg.user_data.user_data_base64
            && b64().decode(s.trim()).is_err()
        {
            d.push(invalid("Invalid user_data_base64", "user_data_base64 must be base64-encoded"));
        }
        if let Some(s) = &cfg.user_data.user_data
            && s.len() > 16384
        {
            d.push(invalid(
                "Invalid user_data",
                format!("user_data is {} bytes long; at most 16384 are allowed", s.len()),
            ));
        }
        if !set("ami") && !set("launch_template") {
            d.push(invalid("Missing ami", "ami must be set or provided via launch_template"));
        }
        let blocks =
            |k: &str| config.get_attr(k).is_some_and(|v| !v.is_known() || v.as_seq().is_some_and(|s| !s.is_empty()));
        if blocks("network_interface") {
            for k in [
                "associate_public_ip_address",
                "subnet_id",
                "private_ip",
                "secondary_private_ips",
                "vpc_security_group_ids",
                "security_groups",
                "ipv6_addresses",
                "ipv6_address_count",
                "source_dest_check",
            ] {
                if set(k) {
                    d.push(invalid(
                        "Conflicting configuration arguments",
                        format!("\"network_interface\": conflicts with {k}"),
                    ));
                }
            }
        }
        if set("ipv6_address_count") && set("ipv6_addresses") {
            d.push(invalid(
                "Conflicting configuration arguments",
                "\"ipv6_address_count\": conflicts with ipv6_addresses",
            ));
        }
        if set("placement_group") && set("host_resource_group_arn") {
            d.push(invalid(
                "Conflicting configuration arguments",
                "\"placement_group\": conflicts with host_resource_group_arn",
            ));
        }
        let cpu = val::block(config, "cpu_options").unwrap_or_default();
        for (top, inner) in [("cpu_core_count", "core_count"), ("cpu_threads_per_core", "threads_per_core")] {
            if set(top) && cpu.get_attr(inner).is_some_and(|v| !v.is_null()) {
                d.push(invalid(
                    "Conflicting configuration arguments",
                    format!("\"{top}\": conflicts with cpu_options.0.{inner}"),
                ));
            }
        }
        for (k, v, allowed) in [
            (
                "instance_initiated_shutdown_behavior",
                &cfg.attributes.instance_initiated_shutdown_behavior,
                &["stop", "terminate"][..],
            ),
            ("tenancy", &cfg.tenancy, &["default", "dedicated", "host"][..]),
        ] {
            if let Some(v) = v
                && !allowed.contains(&v.as_str())
            {
                d.push(invalid(&format!("Invalid {k}"), format!("expected {k} to be one of {allowed:?}, got {v:?}")));
            }
        }
        if let Some(v) = cfg.options.credit_specification.as_ref().and_then(|c| c.cpu_credits.as_ref())
            && !["standard", "unlimited"].contains(&v.as_str())
        {
            d.push(invalid(
                "Invalid credit_specification.cpu_credits",
                format!("expected cpu_credits to be one of [\"standard\", \"unlimited\"], got {v:?}"),
            ));
        }
        super::instance_metadata::validate(cfg.metadata_options.as_ref(), &mut d);
        d
    }

    fn refused(&self) -> &'static [Refused] {
        &[Refused {
            name: "instance_market_options",
            why: "spot instances (RunInstances' InstanceMarketOptions) are not built: their spot request must be read back and cancelled on destroy, and the spot options read back from DescribeSpotInstanceRequests.",
        }]
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        if let Some(p) = prior {
            // Leaving credit_specification out keeps what the instance has (hashicorp/aws
            // suppresses that diff).
            if !crate::val::block_configured(config, "credit_specification") {
                set(
                    &mut plan.planned,
                    "credit_specification",
                    p.get_attr("credit_specification").cloned().unwrap_or_default(),
                );
            }
            if !val::blocks(config, "network_interface").is_empty() {
                set(
                    &mut plan.planned,
                    "source_dest_check",
                    p.get_attr("source_dest_check").cloned().unwrap_or_default(),
                );
            }
            if plan.requires_replace.is_empty()
                && let Some(path) = ["ebs_block_device", "network_interface"]
                    .into_iter()
                    .find(|k| set_block_replaced(p, &mut plan.planned, k))
            {
                let tags_all = plan.planned.get_attr("tags_all").cloned().unwrap_or_default();
                let mut fresh = generic_plan(&schema(), None, config);
                set(&mut fresh.planned, "tags_all", tags_all);
                plan_user_data_and_root(None, config, &mut fresh.planned, true);
                plan.planned = fresh.planned;
                plan.requires_replace = vec![vec![PathStep::Attr(path.into())]];
                return;
            }
        }
        let replacing = prior.is_some() && !plan.requires_replace.is_empty();
        if plan_user_data_and_root(prior, config, &mut plan.planned, replacing) && plan.requires_replace.is_empty() {
            // User data forces a new instance: plan it as a create.
            let tags_all = plan.planned.get_attr("tags_all").cloned().unwrap_or_default();
            let mut fresh = generic_plan(&schema(), None, config);
            set(&mut fresh.planned, "tags_all", tags_all);
            plan_user_data_and_root(None, config, &mut fresh.planned, true);
            let path = if config.get_attr("user_data").is_some_and(|v| !v.is_null()) {
                "user_data"
            } else {
                "user_data_base64"
            };
            plan.planned = fresh.planned;
            plan.requires_replace = vec![vec![PathStep::Attr(path.into())]];
            return;
        }
        if let Some(p) = prior
            && plan.requires_replace.is_empty()
        {
            // A stop and start gives the instance new public addresses.
            let new_type = plan.planned.get_attr("instance_type").cloned().unwrap_or_default();
            let restarts = !same(&new_type, &p.get_attr("instance_type").cloned().unwrap_or_default())
                || user_data_changed(p, &plan.planned);
            if restarts {
                for k in ["public_ip", "public_dns"] {
                    set(&mut plan.planned, k, Value::DYNAMIC);
                }
            }
        }
    }

    async fn create(&self, c: &Ctx<'_>, raw: &Value) -> Result<Value> {
        let planned = InstanceObject::from_value(raw)?;
        let id = self.launch(c, &planned).await?;
        // No more than the ID, as an import's stub: what the next read finds out all it can for.
        let partial = || Value::object([("id", Value::from(id.as_str()))]);
        let limit = limit(&planned.timeouts, Op::Create, Duration::from_secs(10 * 60));
        wait_state(c, &id, InstanceStateName::Running, limit).await.map_err(|e| e.with_partial_state(partial()))?;
        self.after_launch(c, &id, &planned).await.map_err(|e| e.with_partial_state(partial()))?;
        self.read_one(c, &id, raw).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by its client token or its token tag (see `find_by_token`); an instance still
    /// starting is waited for, as the create would.
    async fn find_created(&self, c: &Ctx<'_>, raw: &Value) -> Result<Option<Value>> {
        let Some(token) = c.token else { return Ok(None) };
        let Some(id) = self.find_by_token(c, token).await? else { return Ok(None) };
        let planned = InstanceObject::from_value(raw)?;
        let limit = limit(&planned.timeouts, Op::Create, Duration::from_secs(10 * 60));
        wait_state(c, &id, InstanceStateName::Running, limit).await?;
        crate::resource::read_stub(self, c, crate::resource::with_id(raw, &id)).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        match self.read_batch(c, current).await {
            Ok(v) => v,
            Err(e) => current.iter().map(|_| Err(ProviderError::new(e.message.clone()))).collect(),
        }
    }

    async fn update(&self, c: &Ctx<'_>, raw_prior: &Value, raw: &Value) -> Result<Value> {
        let (prior, planned) = (InstanceObject::from_stub(raw_prior)?, InstanceObject::from_value(raw)?);
        // Computed arguments and blocks not known yet are left as they are (a raw check: the
        // typed read takes them for none).
        let known = |k: &str| known(raw, k);
        let id = prior.id.clone().unwrap_or_default();
        let limit = limit(&planned.timeouts, Op::Update, Duration::from_secs(10 * 60));
        let ec2 = &c.clients.ec2;
        if known("vpc_security_group_ids") {
            let (old, new) = (
                prior.vpc_security_group_ids.clone().unwrap_or_default(),
                planned.vpc_security_group_ids.clone().unwrap_or_default(),
            );
            if old != new && !new.is_empty() {
                ec2.modify_instance_attribute()
                    .instance_id(&id)
                    .set_groups(Some(new.into_iter().collect()))
                    .send()
                    .await
                    .map_err(|e| sdk_error(&format!("changing the security groups of instance {id}"), e))?;
            }
        }
        // With network interfaces of its own, source/dest checking is the interfaces'.
        let want = planned.source_dest_check;
        if prior.source_dest_check != want && planned.devices.network_interface.is_empty() {
            ec2.modify_instance_attribute()
                .instance_id(&id)
                .source_dest_check(AttributeBooleanValue::builder().value(want).build())
                .send()
                .await
                .map_err(|e| sdk_error(&format!("changing source_dest_check of instance {id}"), e))?;
        }
        if known("iam_instance_profile") && planned.iam_instance_profile != prior.iam_instance_profile {
            self.change_profile(c, &id, planned.iam_instance_profile.clone(), limit).await?;
        }
        if let Some(on) = planned.monitoring
            && prior.monitoring != Some(on)
        {
            let what = format!("turning detailed monitoring of instance {id} {}", if on { "on" } else { "off" });
            if on {
                ec2.monitor_instances().instance_ids(&id).send().await.map(|_| ()).map_err(|e| sdk_error(&what, e))?;
            } else {
                ec2.unmonitor_instances()
                    .instance_ids(&id)
                    .send()
                    .await
                    .map(|_| ())
                    .map_err(|e| sdk_error(&what, e))?;
            }
        }
        super::instance_metadata::update(
            c,
            &id,
            prior.metadata_options.as_ref(),
            planned.metadata_options.as_ref(),
            known("metadata_options"),
            limit,
        )
        .await?;
        super::instance_devices::update_attributes(c, &id, &prior.attributes, &planned.attributes).await?;
        super::instance_options::update(c, &id, &prior.options, &planned.options, known).await?;
        super::instance_devices::update(
            c,
            &id,
            (&prior.devices, prior.root_block_device.as_ref(), prior.primary_network_interface_id.as_deref()),
            (&planned.devices, planned.root_block_device.as_ref()),
            known,
        )
        .await?;
        self.change_root_volume(c, &id, prior.root_block_device.as_ref(), planned.root_block_device.as_ref()).await?;
        self.stopped_changes(c, &id, (&prior, &planned), user_data_changed(raw_prior, raw), limit).await?;
        update_tags(ec2, &id, &prior.tags.tags_all.clone().unwrap_or_default(), &planned.tags.wanted()).await?;
        self.read_one(c, &id, raw).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = InstanceObject::from_stub(prior)?;
        let id = prior.id.clone().unwrap_or_default();
        // Termination protection off first, as hashicorp/aws does (errors are left to the
        // termination to report).
        if prior.attributes.disable_api_termination != Some(false) {
            let off = AttributeBooleanValue::builder().value(false).build();
            if let Err(e) =
                c.clients.ec2.modify_instance_attribute().instance_id(&id).disable_api_termination(off).send().await
            {
                tracing::warn!("turning termination protection of {id} off: {}", crate::errors::describe("", &e));
            }
        }
        match c.clients.ec2.terminate_instances().instance_ids(&id).send().await {
            Ok(_) => {}
            Err(e) if crate::errors::is_not_found(&e) => return Ok(()),
            Err(e) => return Err(sdk_error(&format!("terminating instance {id}"), e)),
        }
        let limit = limit(&prior.timeouts, Op::Delete, Duration::from_secs(20 * 60));
        wait_state(c, &id, InstanceStateName::Terminated, limit).await
    }

    async fn import(&self, c: &Ctx<'_>, id: &str) -> Result<Option<Value>> {
        // No more than the ID (not even a null `ami`): what tells a read it is an import's.
        let stub = Value::object([("id", Value::from(id))]);
        self.read_many(c, &[stub]).await.pop().unwrap_or(Ok(None))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_matches_known_digests() {
        assert_eq!(sha1_hex(b""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(sha1_hex(b"hello"), "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
        assert_eq!(sha1_hex(&[b'a'; 1000]), "291e9a6c66994949b57ba5e650361e98fc36b1ba");
    }

    #[test]
    fn user_data_hash_decodes_base64_first() {
        assert_eq!(user_data_hash("hello"), sha1_hex(b"hello"));
        assert_eq!(user_data_hash("aGVsbG8="), sha1_hex(b"hello"));
        assert_eq!(user_data_hash("#!/bin/sh\necho hi\n").len(), 40);
    }

    #[test]
    fn profile_names_come_from_arns() {
        assert_eq!(profile_name("arn:aws:iam::123456789012:instance-profile/app/web").as_deref(), Some("web"));
        assert_eq!(profile_name("arn:aws:iam::123456789012:instance-profile/web").as_deref(), Some("web"));
        assert_eq!(profile_name("nonsense"), None);
    }

    #[test]
    fn unchanged_user_data_plans_the_stored_hash() {
        let prior = Value::object([
            ("user_data", Value::from(user_data_hash("echo hi"))),
            ("root_block_device", Value::tuple(vec![])),
        ]);
        let config = Value::object([("user_data", Value::from("echo hi"))]);
        let mut planned = config.clone();
        assert!(!plan_user_data_and_root(Some(&prior), &config, &mut planned, false));
        assert_eq!(planned.get_attr("user_data"), prior.get_attr("user_data"));
        let config =
            Value::object([("user_data", Value::from("echo bye")), ("user_data_replace_on_change", Value::Bool(true))]);
        let mut planned = config.clone();
        assert!(plan_user_data_and_root(Some(&prior), &config, &mut planned, false));
        assert_eq!(planned.get_attr("user_data"), Some(&Value::from("echo bye")));
    }
}
