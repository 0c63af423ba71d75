//! `aws_instance`'s block devices and network interfaces: `ebs_block_device`,
//! `ephemeral_block_device`, tags on the root and EBS volumes and `volume_tags`,
//! `network_interface`, and the primary interface's `secondary_private_ips`,
//! `ipv6_address_count` / `ipv6_addresses` and `enable_primary_ipv6`.
//!
//! - Create: block device mappings and network interface specifications on RunInstances, then
//!   the volumes' own tags with CreateTags (as hashicorp/aws, after the launch); `volume_tags`
//!   go on RunInstances' volume tag specification.
//! - Update: EBS and ephemeral devices and interfaces force a new instance; tags of the root
//!   and EBS volumes and `volume_tags` change in place; secondary private IPs with
//!   Assign/UnassignPrivateIpAddresses on the primary interface.
//! - Read: EBS volumes from the instance's mappings and one DescribeVolumes for the whole
//!   batch; ephemeral devices do not show in the API, so the state keeps the configured ones;
//!   only the configured interfaces' device indexes are read (others may be attached by other
//!   resources).

use crate::ec2::{tag_map, update_tags};
use crate::errors::sdk_error;
use crate::model::Tags;
use crate::resource::{Ctx, Result};
use aws_sdk_ec2::types::{
    BlockDeviceMapping, EbsBlockDevice, Instance as ApiInstance, InstanceIpv6Address, InstanceNetworkInterface,
    InstanceNetworkInterfaceSpecification, PrivateIpAddressSpecification, Volume, VolumeType,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::value::Value;

/// The arguments and blocks of this module (flattened into the instance).
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct Devices {
    #[model(optional)]
    pub volume_tags: Option<BTreeMap<String, String>>,
    #[model(optional, computed)]
    pub secondary_private_ips: Option<BTreeSet<String>>,
    #[model(optional, computed, force_new)]
    pub ipv6_address_count: Option<i64>,
    #[model(optional, computed, force_new)]
    pub ipv6_addresses: Option<Vec<String>>,
    #[model(optional, computed, force_new)]
    pub enable_primary_ipv6: Option<bool>,
    #[model(block = "set", computed)]
    pub ebs_block_device: Vec<EbsDevice>,
    #[model(block = "set", computed, force_new)]
    pub ephemeral_block_device: Vec<EphemeralDevice>,
    #[model(block = "set", computed)]
    pub network_interface: Vec<NetworkInterface>,
}

/// `root_block_device`: the root volume, with its own tags.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct RootDevice {
    #[model(flatten)]
    pub tags: Tags,
    #[model(optional, default = true)]
    pub delete_on_termination: bool,
    #[model(computed)]
    pub device_name: Option<String>,
    #[model(optional, computed, force_new)]
    pub encrypted: Option<bool>,
    #[model(optional, computed)]
    pub iops: Option<i64>,
    #[model(optional, computed, force_new)]
    pub kms_key_id: Option<String>,
    #[model(optional, computed)]
    pub throughput: Option<i64>,
    #[model(computed)]
    pub volume_id: Option<String>,
    #[model(optional, computed)]
    pub volume_size: Option<i64>,
    #[model(optional, computed)]
    pub volume_type: Option<String>,
}

/// An `ebs_block_device`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct EbsDevice {
    #[model(optional, default = true, force_new)]
    pub delete_on_termination: bool,
    #[model(required, force_new)]
    pub device_name: String,
    #[model(optional, computed, force_new)]
    pub encrypted: Option<bool>,
    #[model(optional, computed, force_new)]
    pub iops: Option<i64>,
    #[model(optional, computed, force_new)]
    pub kms_key_id: Option<String>,
    #[model(optional, computed, force_new)]
    pub snapshot_id: Option<String>,
    #[model(flatten)]
    pub tags: Tags,
    #[model(optional, computed, force_new)]
    pub throughput: Option<i64>,
    #[model(computed)]
    pub volume_id: Option<String>,
    #[model(optional, computed, force_new)]
    pub volume_size: Option<i64>,
    #[model(optional, computed, force_new)]
    pub volume_type: Option<String>,
}

/// An `ephemeral_block_device` (instance store).
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct EphemeralDevice {
    #[model(required)]
    pub device_name: String,
    #[model(optional)]
    pub no_device: Option<bool>,
    #[model(optional)]
    pub virtual_name: Option<String>,
}

/// A `network_interface` attached at launch.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct NetworkInterface {
    #[model(optional, default = false, force_new)]
    pub delete_on_termination: bool,
    #[model(required, force_new)]
    pub device_index: i64,
    #[model(optional, default = 0i64, force_new)]
    pub network_card_index: i64,
    #[model(required, force_new)]
    pub network_interface_id: String,
}

/// What an EBS volume's specification is made of (the root device's or an `ebs_block_device`'s).
struct Ebs<'a> {
    delete_on_termination: bool,
    encrypted: Option<bool>,
    iops: Option<i64>,
    kms_key_id: &'a Option<String>,
    snapshot_id: Option<&'a Option<String>>,
    throughput: Option<i64>,
    volume_size: Option<i64>,
    volume_type: &'a Option<String>,
}

fn ebs_spec(bd: Ebs<'_>, what: &str) -> Result<EbsBlockDevice> {
    let n = |v: Option<i64>| v.filter(|v| *v > 0).map(|v| v as i32);
    let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    let vt = nonempty(bd.volume_type);
    let t = vt.as_deref().unwrap_or("").to_ascii_lowercase();
    if n(bd.iops).is_some() && vt.is_some() && !matches!(t.as_str(), "io1" | "io2" | "gp3") {
        return Err(ProviderError::new(format!("iops attribute not supported for {what} with volume_type {t}")));
    }
    if n(bd.throughput).is_some() && vt.is_some() && t != "gp3" {
        return Err(ProviderError::new(format!("throughput attribute not supported for {what} with volume_type {t}")));
    }
    Ok(EbsBlockDevice::builder()
        .delete_on_termination(bd.delete_on_termination)
        .set_encrypted(bd.encrypted.filter(|e| *e))
        .set_kms_key_id(nonempty(bd.kms_key_id))
        .set_snapshot_id(bd.snapshot_id.and_then(nonempty))
        .set_iops(n(bd.iops).filter(|_| vt.is_some()))
        .set_throughput(n(bd.throughput).filter(|_| vt.is_some()))
        .set_volume_size(n(bd.volume_size))
        .set_volume_type(vt.map(|t| VolumeType::from(t.as_str())))
        .build())
}

/// The EBS and ephemeral block device mappings to launch with (the root one is added apart).
pub fn mappings(d: &Devices) -> Result<Vec<BlockDeviceMapping>> {
    let mut out = Vec::new();
    for bd in &d.ebs_block_device {
        let ebs = Ebs {
            delete_on_termination: bd.delete_on_termination,
            encrypted: bd.encrypted,
            iops: bd.iops,
            kms_key_id: &bd.kms_key_id,
            snapshot_id: Some(&bd.snapshot_id),
            throughput: bd.throughput,
            volume_size: bd.volume_size,
            volume_type: &bd.volume_type,
        };
        out.push(
            BlockDeviceMapping::builder().device_name(&bd.device_name).ebs(ebs_spec(ebs, "ebs_block_device")?).build(),
        );
    }
    for bd in &d.ephemeral_block_device {
        let no_device = bd.no_device.unwrap_or(false);
        let virtual_name = bd.virtual_name.clone().filter(|s| !s.is_empty());
        if !no_device && virtual_name.is_none() {
            return Err(ProviderError::new("virtual_name cannot be empty when no_device is false or undefined."));
        }
        let m = BlockDeviceMapping::builder().device_name(&bd.device_name);
        out.push(if no_device { m.no_device("").build() } else { m.set_virtual_name(virtual_name).build() });
    }
    Ok(out)
}

pub fn root_ebs(root: &RootDevice) -> Result<EbsBlockDevice> {
    let ebs = Ebs {
        delete_on_termination: root.delete_on_termination,
        encrypted: root.encrypted,
        iops: root.iops,
        kms_key_id: &root.kms_key_id,
        snapshot_id: None,
        throughput: root.throughput,
        volume_size: root.volume_size,
        volume_type: &root.volume_type,
    };
    ebs_spec(ebs, "root_block_device")
}

/// The network interfaces to launch with: the configured ones, or (with a subnet) the primary
/// one carrying the addresses.
pub fn interfaces(d: &Devices) -> Vec<InstanceNetworkInterfaceSpecification> {
    d.network_interface
        .iter()
        .map(|ni| {
            InstanceNetworkInterfaceSpecification::builder()
                .device_index(ni.device_index as i32)
                .network_card_index(ni.network_card_index as i32)
                .network_interface_id(&ni.network_interface_id)
                .delete_on_termination(ni.delete_on_termination)
                .build()
        })
        .collect()
}

impl Devices {
    /// Whether the primary interface must be specified for the addresses (IPv6 and secondary
    /// private IPs are only taken on an interface specification).
    pub fn addresses_wanted(&self) -> bool {
        self.secondary_private_ips.as_ref().is_some_and(|s| !s.is_empty())
            || self.ipv6_address_count.is_some_and(|n| n > 0)
            || self.ipv6_addresses.as_ref().is_some_and(|a| !a.is_empty())
            || self.enable_primary_ipv6 == Some(true)
    }

    /// Whether `volume_tags` manage the volumes' tags (set and not empty).
    pub fn volume_tags_managed(&self) -> bool {
        self.volume_tags.as_ref().is_some_and(|t| !t.is_empty())
    }
}

/// Adds the addresses to the primary interface's specification (`private_ip`: the instance's).
pub fn with_addresses(
    b: aws_sdk_ec2::types::builders::InstanceNetworkInterfaceSpecificationBuilder,
    d: &Devices,
    private_ip: Option<&str>,
) -> aws_sdk_ec2::types::builders::InstanceNetworkInterfaceSpecificationBuilder {
    let secondary: Vec<PrivateIpAddressSpecification> = d
        .secondary_private_ips
        .iter()
        .flatten()
        .map(|ip| PrivateIpAddressSpecification::builder().private_ip_address(ip).primary(false).build())
        .collect();
    let v6: Vec<InstanceIpv6Address> =
        d.ipv6_addresses.iter().flatten().map(|a| InstanceIpv6Address::builder().ipv6_address(a).build()).collect();
    let mut b = b
        .set_ipv6_address_count(d.ipv6_address_count.filter(|n| *n > 0).map(|n| n as i32))
        .set_primary_ipv6(d.enable_primary_ipv6.filter(|p| *p));
    if !secondary.is_empty() {
        // The primary address is asked for here too: a list of addresses without one
        // marked primary would make the first secondary the primary.
        if let Some(ip) = private_ip.filter(|s| !s.is_empty()) {
            b = b.private_ip_addresses(
                PrivateIpAddressSpecification::builder().private_ip_address(ip).primary(true).build(),
            );
        }
        b = b.set_private_ip_addresses(Some(secondary));
    }
    if !v6.is_empty() {
        b = b.set_ipv6_addresses(Some(v6));
    }
    b
}

fn is_root(i: &ApiInstance, device: Option<&str>) -> bool {
    device.is_some() && device == i.root_device_name()
}

/// Every EBS volume ID of the instance.
pub fn volume_ids(i: &ApiInstance) -> Vec<String> {
    i.block_device_mappings().iter().filter_map(|m| m.ebs().and_then(|e| e.volume_id()).map(str::to_string)).collect()
}

/// Tags of a volume read back into a device block: its own `tags` unless `volume_tags` manage
/// them (then `tags` stays as the state had it, `cur_block`), and all of them as `tags_all`.
fn device_tags(vol: Option<&Volume>, cur_block: Option<&Tags>, volume_tags_managed: bool) -> Tags {
    if volume_tags_managed {
        return cur_block.cloned().unwrap_or_default();
    }
    let api = vol.map(|v| crate::tags::visible(&tag_map(v.tags()))).unwrap_or_default();
    Tags { tags: Some(api.clone()).filter(|m| !m.is_empty()), tags_all: Some(api) }
}

/// The root block device's `tags` / `tags_all` (`cur`: the prior block).
pub fn root_tags_read(vol: Option<&Volume>, cur: Option<&RootDevice>, volume_tags_managed: bool) -> Tags {
    device_tags(vol, cur.map(|b| &b.tags), volume_tags_managed)
}

/// The devices and addresses as the instance has them (`primary`: its primary interface;
/// `cur`: the prior ones). Ephemeral devices do not show in the API: the prior ones are kept.
pub fn read(
    i: &ApiInstance,
    primary: Option<&InstanceNetworkInterface>,
    volumes: &HashMap<String, Volume>,
    cur: &Devices,
) -> Devices {
    let (secondary_private_ips, ipv6_address_count, ipv6_addresses, enable_primary_ipv6) =
        addresses_read(primary, cur.enable_primary_ipv6);
    Devices {
        volume_tags: volume_tags_read(i, volumes, cur),
        secondary_private_ips,
        ipv6_address_count,
        ipv6_addresses,
        enable_primary_ipv6,
        ebs_block_device: ebs_read(i, volumes, cur),
        ephemeral_block_device: cur.ephemeral_block_device.clone(),
        network_interface: interfaces_read(i, cur),
    }
}

/// The `ebs_block_device` set: every EBS volume but the root one.
fn ebs_read(i: &ApiInstance, volumes: &HashMap<String, Volume>, cur: &Devices) -> Vec<EbsDevice> {
    let managed = cur.volume_tags_managed();
    i.block_device_mappings()
        .iter()
        .filter(|m| !is_root(i, m.device_name()) && m.ebs().is_some())
        .filter_map(|m| {
            let ebs = m.ebs()?;
            let id = ebs.volume_id()?;
            let v = volumes.get(id);
            let device = m.device_name().unwrap_or_default();
            let cur_block = cur.ebs_block_device.iter().find(|b| b.device_name == device);
            Some(EbsDevice {
                delete_on_termination: ebs.delete_on_termination().unwrap_or(true),
                device_name: device.to_string(),
                encrypted: v.and_then(Volume::encrypted),
                iops: v.and_then(Volume::iops).map(i64::from),
                kms_key_id: v.and_then(Volume::kms_key_id).map(str::to_string),
                snapshot_id: v.and_then(Volume::snapshot_id).filter(|s| !s.is_empty()).map(str::to_string),
                tags: device_tags(v, cur_block.map(|b| &b.tags), managed),
                throughput: v.and_then(Volume::throughput).map(i64::from),
                volume_id: Some(id.to_string()),
                volume_size: v.and_then(Volume::size).map(i64::from),
                volume_type: v.and_then(|v| v.volume_type()).map(|t| t.as_str().to_string()),
            })
        })
        .collect()
}

/// `volume_tags` read back (the tags of all the instance's volumes), when the state has some.
fn volume_tags_read(
    i: &ApiInstance,
    volumes: &HashMap<String, Volume>,
    cur: &Devices,
) -> Option<BTreeMap<String, String>> {
    if !cur.volume_tags_managed() {
        return cur.volume_tags.clone();
    }
    let mut all = BTreeMap::new();
    for id in volume_ids(i) {
        if let Some(v) = volumes.get(&id) {
            all.extend(crate::tags::visible(&tag_map(v.tags())));
        }
    }
    Some(all)
}

/// The configured network interfaces as attached (by the configured device indexes).
fn interfaces_read(i: &ApiInstance, cur: &Devices) -> Vec<NetworkInterface> {
    let wanted: Vec<i64> = cur.network_interface.iter().map(|b| b.device_index).collect();
    i.network_interfaces()
        .iter()
        .filter_map(|n| {
            let a = n.attachment()?;
            let index = i64::from(a.device_index()?);
            wanted.contains(&index).then(|| NetworkInterface {
                delete_on_termination: a.delete_on_termination().unwrap_or(false),
                device_index: index,
                network_card_index: i64::from(a.network_card_index().unwrap_or(0)),
                network_interface_id: n.network_interface_id().unwrap_or_default().to_string(),
            })
        })
        .collect()
}

type Addresses = (Option<BTreeSet<String>>, Option<i64>, Option<Vec<String>>, Option<bool>);

/// The primary interface's addresses: `(secondary_private_ips, ipv6_address_count,
/// ipv6_addresses, enable_primary_ipv6)` (`cur_primary_ipv6`: the prior
/// `enable_primary_ipv6`, kept unless the interface has a primary IPv6 address).
fn addresses_read(primary: Option<&InstanceNetworkInterface>, cur_primary_ipv6: Option<bool>) -> Addresses {
    let Some(p) = primary else {
        return (Some(BTreeSet::new()), Some(0), Some(Vec::new()), cur_primary_ipv6);
    };
    let secondary: BTreeSet<String> = p
        .private_ip_addresses()
        .iter()
        .filter(|a| a.primary() != Some(true))
        .filter_map(|a| a.private_ip_address())
        .map(str::to_string)
        .collect();
    let v6: Vec<String> = p.ipv6_addresses().iter().filter_map(|a| a.ipv6_address()).map(str::to_string).collect();
    let primary_v6 = if p.ipv6_addresses().iter().any(|a| a.is_primary_ipv6() == Some(true)) {
        Some(true)
    } else {
        cur_primary_ipv6
    };
    (Some(secondary), Some(v6.len() as i64), Some(v6), primary_v6)
}

/// Tags the root and EBS volumes with the tags their blocks give, after the launch.
pub async fn tag_volumes(c: &Ctx<'_>, i: &ApiInstance, root: Option<&RootDevice>, d: &Devices) -> Result<()> {
    let by_device: HashMap<&str, &str> =
        i.block_device_mappings().iter().filter_map(|m| Some((m.device_name()?, m.ebs()?.volume_id()?))).collect();
    let mut wanted: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    if let Some(root) = root
        && let Some(dev) = i.root_device_name()
        && let Some(vol) = by_device.get(dev)
    {
        wanted.push((vol.to_string(), root.tags.tags.clone().unwrap_or_default()));
    }
    for bd in &d.ebs_block_device {
        if let Some(vol) = by_device.get(bd.device_name.as_str()) {
            wanted.push((vol.to_string(), bd.tags.tags.clone().unwrap_or_default()));
        }
    }
    for (vol, tags) in wanted.into_iter().filter(|(_, t)| !t.is_empty()) {
        update_tags(&c.clients.ec2, &vol, &BTreeMap::new(), &tags).await?;
    }
    Ok(())
}

/// In-place changes: volume tags (all volumes, root and EBS block tags) and secondary IPs
/// (`known`: whether a planned attribute or block is known yet; `eni`: the prior primary
/// network interface).
pub async fn update(
    c: &Ctx<'_>,
    id: &str,
    (prior, prior_root, eni): (&Devices, Option<&RootDevice>, Option<&str>),
    (planned, planned_root): (&Devices, Option<&RootDevice>),
    known: impl Fn(&str) -> bool,
) -> Result<()> {
    let ec2 = &c.clients.ec2;
    let tags = |t: &Option<BTreeMap<String, String>>| t.clone().unwrap_or_default();
    if known("volume_tags") && tags(&prior.volume_tags) != tags(&planned.volume_tags) {
        let out = ec2
            .describe_volumes()
            .filters(crate::ec2::filter("attachment.instance-id", [id]))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading the volumes of {id}"), e))?;
        for v in out.volumes() {
            if let Some(vol) = v.volume_id() {
                update_tags(ec2, vol, &tags(&prior.volume_tags), &tags(&planned.volume_tags)).await?;
            }
        }
    }
    if let (Some(old), Some(new)) = (prior_root, planned_root)
        && tags(&old.tags.tags) != tags(&new.tags.tags)
        && let Some(vol) = &old.volume_id
    {
        update_tags(ec2, vol, &tags(&old.tags.tags), &tags(&new.tags.tags)).await?;
    }
    if known("ebs_block_device") {
        for new in &planned.ebs_block_device {
            if let Some(o) = prior.ebs_block_device.iter().find(|o| o.device_name == new.device_name)
                && let Some(vol) = &o.volume_id
                && tags(&o.tags.tags) != tags(&new.tags.tags)
            {
                update_tags(ec2, vol, &tags(&o.tags.tags), &tags(&new.tags.tags)).await?;
            }
        }
    }
    if known("secondary_private_ips") {
        let old = prior.secondary_private_ips.clone().unwrap_or_default();
        let new = planned.secondary_private_ips.clone().unwrap_or_default();
        let gone: Vec<String> = old.difference(&new).cloned().collect();
        let added: Vec<String> = new.difference(&old).cloned().collect();
        if !gone.is_empty() || !added.is_empty() {
            let eni = eni.filter(|s| !s.is_empty()).ok_or_else(|| {
                ProviderError::new(format!(
                    "changing secondary_private_ips of {id}: the instance has no primary network interface"
                ))
            })?;
            if !gone.is_empty() {
                ec2.unassign_private_ip_addresses()
                    .network_interface_id(eni)
                    .set_private_ip_addresses(Some(gone))
                    .send()
                    .await
                    .map_err(|e| sdk_error(&format!("unassigning secondary private IPs of {id}"), e))?;
            }
            if !added.is_empty() {
                ec2.assign_private_ip_addresses()
                    .network_interface_id(eni)
                    .set_private_ip_addresses(Some(added))
                    .send()
                    .await
                    .map_err(|e| sdk_error(&format!("assigning secondary private IPs to {id}"), e))?;
            }
        }
    }
    Ok(())
}

/// The instance attributes DescribeInstances does not report, read one
/// DescribeInstanceAttribute each (flattened into the instance).
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct Attributes {
    #[model(optional, computed)]
    pub disable_api_stop: Option<bool>,
    #[model(optional, computed)]
    pub disable_api_termination: Option<bool>,
    #[model(optional, computed)]
    pub instance_initiated_shutdown_behavior: Option<String>,
}

/// Whether the attributes must be asked for: the state does not know them (a create, an
/// import) or holds other than what EC2 starts with. An instance whose state holds the
/// defaults (false, false, "stop") is not asked, so a refresh of many instances stays one
/// DescribeInstances; a change made outside terrane to such an instance is not seen.
///
/// "Not known" is an attribute not known yet (after a create) or missing (an import's stub),
/// which a typed read cannot tell from null (an older state): those are raw checks.
pub fn attributes_wanted(cur: &Value) -> bool {
    let Ok(a) = Attributes::from_stub(cur) else { return true };
    let defaults = a.disable_api_stop != Some(true)
        && a.disable_api_termination != Some(true)
        && a.instance_initiated_shutdown_behavior.as_deref().is_none_or(|s| s == "stop");
    let known = Attributes::schema().attributes.keys().all(|k| cur.get_attr(k).is_some_and(Value::is_known));
    !(known && defaults) || cur.get_attr("ami").is_none()
}

/// The three attributes, as the instance has them.
pub async fn attributes(c: &Ctx<'_>, id: &str) -> Result<Attributes> {
    use aws_sdk_ec2::types::InstanceAttributeName as N;
    let ask = |name: N| async move {
        c.clients
            .ec2
            .describe_instance_attribute()
            .instance_id(id)
            .attribute(name.clone())
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading attribute {} of {id}", name.as_str()), e))
    };
    let stop = ask(N::DisableApiStop).await?;
    let term = ask(N::DisableApiTermination).await?;
    let shut = ask(N::InstanceInitiatedShutdownBehavior).await?;
    Ok(Attributes {
        disable_api_stop: Some(stop.disable_api_stop().and_then(|v| v.value()).unwrap_or(false)),
        disable_api_termination: Some(term.disable_api_termination().and_then(|v| v.value()).unwrap_or(false)),
        instance_initiated_shutdown_behavior: shut
            .instance_initiated_shutdown_behavior()
            .and_then(|v| v.value())
            .map(str::to_string),
    })
}

/// Changes the three attributes in place (ModifyInstanceAttribute, one each), those planned
/// (known) and different from the prior ones.
pub async fn update_attributes(c: &Ctx<'_>, id: &str, prior: &Attributes, planned: &Attributes) -> Result<()> {
    use aws_sdk_ec2::types::{AttributeBooleanValue, AttributeValue};
    let flag = |v: bool| AttributeBooleanValue::builder().value(v).build();
    let req = || c.clients.ec2.modify_instance_attribute().instance_id(id);
    let mut changes = Vec::new();
    if let Some(v) = planned.disable_api_stop.filter(|v| prior.disable_api_stop != Some(*v)) {
        changes.push(("disable_api_stop", req().disable_api_stop(flag(v))));
    }
    if let Some(v) = planned.disable_api_termination.filter(|v| prior.disable_api_termination != Some(*v)) {
        changes.push(("disable_api_termination", req().disable_api_termination(flag(v))));
    }
    if let Some(v) = planned
        .instance_initiated_shutdown_behavior
        .as_ref()
        .filter(|v| prior.instance_initiated_shutdown_behavior.as_ref() != Some(*v))
    {
        changes.push((
            "instance_initiated_shutdown_behavior",
            req().instance_initiated_shutdown_behavior(AttributeValue::builder().value(v).build()),
        ));
    }
    for (k, r) in changes {
        r.send().await.map_err(|e| sdk_error(&format!("changing {k} of instance {id}"), e))?;
    }
    Ok(())
}

/// The Windows administrator password data (`get_password_data`), polled until EC2 has it,
/// within the read timeout (`read`: the configured one; 15 minutes by default, as
/// hashicorp/aws).
pub async fn password_data(c: &Ctx<'_>, id: &str, read: Option<&str>) -> Result<String> {
    let limit = crate::waiter::configured_or(read, std::time::Duration::from_secs(15 * 60));
    crate::waiter::wait_for(&format!("the password data of instance {id}"), limit, || async {
        let out = c
            .clients
            .ec2
            .get_password_data()
            .instance_id(id)
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading the password data of {id}"), e))?;
        Ok(match out.password_data().map(str::trim).filter(|s| !s.is_empty()) {
            Some(p) => crate::waiter::Poll::Done(p.to_string()),
            None => crate::waiter::Poll::Pending("password data is blank".into()),
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_engine::value::Type;

    #[test]
    fn attributes_are_asked_for_only_when_the_state_needs_them() {
        let state = |stop: Value, shut: Value| {
            Value::object([
                ("ami", Value::from("ami-1")),
                ("disable_api_stop", stop),
                ("disable_api_termination", Value::Bool(false)),
                ("instance_initiated_shutdown_behavior", shut),
            ])
        };
        assert!(!attributes_wanted(&state(Value::Bool(false), Value::from("stop"))), "EC2's defaults");
        assert!(!attributes_wanted(&state(Value::null(Type::Bool), Value::null(Type::String))), "an older state");
        assert!(attributes_wanted(&state(Value::Bool(true), Value::from("stop"))));
        assert!(attributes_wanted(&state(Value::Bool(false), Value::from("terminate"))));
        assert!(attributes_wanted(&state(Value::unknown(Type::Bool), Value::from("stop"))), "after a create");
        assert!(attributes_wanted(&Value::object([("id", Value::from("i-1"))])), "an import");
    }
}
