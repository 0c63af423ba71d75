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
use crate::resource::{Ctx, Result};
use crate::val;
use aws_sdk_ec2::types::{
    BlockDeviceMapping, EbsBlockDevice, Instance as ApiInstance, InstanceIpv6Address, InstanceNetworkInterface,
    InstanceNetworkInterfaceSpecification, PrivateIpAddressSpecification, Volume, VolumeType,
};
use std::collections::{BTreeMap, HashMap};
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::{Type, Value};

pub fn schema(s: Schema) -> Schema {
    let oc = Attribute::optional_computed;
    s.attr("volume_tags", Attribute::optional(Type::map(Type::String)))
        .attr("secondary_private_ips", oc(Type::set(Type::String)))
        .attr("ipv6_address_count", oc(Type::Number).force_new())
        .attr("ipv6_addresses", oc(Type::list(Type::String)).force_new())
        .attr("enable_primary_ipv6", oc(Type::Bool).force_new())
        .block(
            "ebs_block_device",
            NestedBlock::set(
                Schema::new()
                    .attr("delete_on_termination", Attribute::optional(Type::Bool).default(true).force_new())
                    .attr("device_name", Attribute::required(Type::String).force_new())
                    .attr("encrypted", oc(Type::Bool).force_new())
                    .attr("iops", oc(Type::Number).force_new())
                    .attr("kms_key_id", oc(Type::String).force_new())
                    .attr("snapshot_id", oc(Type::String).force_new())
                    .attr("tags", Attribute::optional(Type::map(Type::String)))
                    .attr("tags_all", oc(Type::map(Type::String)))
                    .attr("throughput", oc(Type::Number).force_new())
                    .attr("volume_id", Attribute::computed(Type::String))
                    .attr("volume_size", oc(Type::Number).force_new())
                    .attr("volume_type", oc(Type::String).force_new()),
            )
            .computed(),
        )
        .block(
            "ephemeral_block_device",
            NestedBlock::set(
                Schema::new()
                    .attr("device_name", Attribute::required(Type::String))
                    .attr("no_device", Attribute::optional(Type::Bool))
                    .attr("virtual_name", Attribute::optional(Type::String)),
            )
            .computed()
            .force_new(),
        )
        .block(
            "network_interface",
            NestedBlock::set(
                Schema::new()
                    .attr("delete_on_termination", Attribute::optional(Type::Bool).default(false).force_new())
                    .attr("device_index", Attribute::required(Type::Number).force_new())
                    .attr("network_card_index", Attribute::optional(Type::Number).default(0i64).force_new())
                    .attr("network_interface_id", Attribute::required(Type::String).force_new()),
            )
            .computed(),
        )
}

/// The root block device's schema additions: its volume's tags.
pub fn root_tags(s: Schema) -> Schema {
    s.attr("tags", Attribute::optional(Type::map(Type::String)))
        .attr("tags_all", Attribute::optional_computed(Type::map(Type::String)))
}

fn ebs_spec(bd: &Value, what: &str) -> Result<EbsBlockDevice> {
    let n = |k: &str| val::int(bd, k).filter(|v| *v > 0).map(|v| v as i32);
    let vt = val::string(bd, "volume_type").filter(|s| !s.is_empty());
    let t = vt.as_deref().unwrap_or("").to_ascii_lowercase();
    if n("iops").is_some() && vt.is_some() && !matches!(t.as_str(), "io1" | "io2" | "gp3") {
        return Err(ProviderError::new(format!("iops attribute not supported for {what} with volume_type {t}")));
    }
    if n("throughput").is_some() && vt.is_some() && t != "gp3" {
        return Err(ProviderError::new(format!("throughput attribute not supported for {what} with volume_type {t}")));
    }
    Ok(EbsBlockDevice::builder()
        .set_delete_on_termination(val::boolean(bd, "delete_on_termination"))
        .set_encrypted(val::boolean(bd, "encrypted").filter(|e| *e))
        .set_kms_key_id(val::string(bd, "kms_key_id").filter(|s| !s.is_empty()))
        .set_snapshot_id(val::string(bd, "snapshot_id").filter(|s| !s.is_empty()))
        .set_iops(n("iops").filter(|_| vt.is_some()))
        .set_throughput(n("throughput").filter(|_| vt.is_some()))
        .set_volume_size(n("volume_size"))
        .set_volume_type(vt.map(|t| VolumeType::from(t.as_str())))
        .build())
}

/// The EBS and ephemeral block device mappings to launch with (the root one is added apart).
pub fn mappings(planned: &Value) -> Result<Vec<BlockDeviceMapping>> {
    let mut out = Vec::new();
    for bd in val::blocks(planned, "ebs_block_device") {
        out.push(
            BlockDeviceMapping::builder()
                .set_device_name(val::string(&bd, "device_name"))
                .ebs(ebs_spec(&bd, "ebs_block_device")?)
                .build(),
        );
    }
    for bd in val::blocks(planned, "ephemeral_block_device") {
        let no_device = val::boolean(&bd, "no_device").unwrap_or(false);
        let virtual_name = val::string(&bd, "virtual_name").filter(|s| !s.is_empty());
        if !no_device && virtual_name.is_none() {
            return Err(ProviderError::new("virtual_name cannot be empty when no_device is false or undefined."));
        }
        let m = BlockDeviceMapping::builder().set_device_name(val::string(&bd, "device_name"));
        out.push(if no_device { m.no_device("").build() } else { m.set_virtual_name(virtual_name).build() });
    }
    Ok(out)
}

pub fn root_ebs(root: &Value) -> Result<EbsBlockDevice> {
    ebs_spec(root, "root_block_device")
}

/// The network interfaces to launch with: the configured ones, or (with a subnet) the primary
/// one carrying the addresses.
pub fn interfaces(planned: &Value) -> Vec<InstanceNetworkInterfaceSpecification> {
    val::blocks(planned, "network_interface")
        .iter()
        .map(|ni| {
            InstanceNetworkInterfaceSpecification::builder()
                .set_device_index(val::int(ni, "device_index").map(|n| n as i32))
                .set_network_card_index(val::int(ni, "network_card_index").map(|n| n as i32))
                .set_network_interface_id(val::string(ni, "network_interface_id"))
                .set_delete_on_termination(val::boolean(ni, "delete_on_termination"))
                .build()
        })
        .collect()
}

/// Whether the primary interface must be specified for the addresses (IPv6 and secondary
/// private IPs are only taken on an interface specification).
pub fn addresses_wanted(planned: &Value) -> bool {
    !val::strings(planned, "secondary_private_ips").is_empty()
        || val::int(planned, "ipv6_address_count").is_some_and(|n| n > 0)
        || !val::strings(planned, "ipv6_addresses").is_empty()
        || val::boolean(planned, "enable_primary_ipv6") == Some(true)
}

/// Adds the addresses to the primary interface's specification.
pub fn with_addresses(
    b: aws_sdk_ec2::types::builders::InstanceNetworkInterfaceSpecificationBuilder,
    planned: &Value,
) -> aws_sdk_ec2::types::builders::InstanceNetworkInterfaceSpecificationBuilder {
    let secondary: Vec<PrivateIpAddressSpecification> = val::strings(planned, "secondary_private_ips")
        .into_iter()
        .map(|ip| PrivateIpAddressSpecification::builder().private_ip_address(ip).primary(false).build())
        .collect();
    let v6: Vec<InstanceIpv6Address> = val::strings(planned, "ipv6_addresses")
        .into_iter()
        .map(|a| InstanceIpv6Address::builder().ipv6_address(a).build())
        .collect();
    let mut b = b
        .set_ipv6_address_count(val::int(planned, "ipv6_address_count").filter(|n| *n > 0).map(|n| n as i32))
        .set_primary_ipv6(val::boolean(planned, "enable_primary_ipv6").filter(|p| *p));
    if !secondary.is_empty() {
        // The primary address is asked for here too: a list of addresses without one
        // marked primary would make the first secondary the primary.
        if let Some(ip) = val::string(planned, "private_ip").filter(|s| !s.is_empty()) {
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

fn opt_tags(m: &BTreeMap<String, String>) -> Value {
    if m.is_empty() { Value::NULL } else { val::str_map(m) }
}

/// Tags of a volume read back into a device block: its own `tags` unless `volume_tags` manage
/// them (then `tags` stays as the state had it), and all of them as `tags_all`.
fn device_tags(vol: Option<&Volume>, cur_block: Option<&Value>, volume_tags_managed: bool) -> (Value, Value) {
    let api = vol.map(|v| crate::tags::visible(&tag_map(v.tags()))).unwrap_or_default();
    if volume_tags_managed {
        let keep = |k: &str| {
            cur_block.and_then(|b| b.get_attr(k)).filter(|v| v.is_wholly_known()).cloned().unwrap_or(Value::NULL)
        };
        return (keep("tags"), keep("tags_all"));
    }
    (opt_tags(&api), val::str_map(&api))
}

/// Whether `volume_tags` manage the volumes' tags (set and not empty in the state).
pub fn volume_tags_managed(cur: &Value) -> bool {
    !val::string_map(cur, "volume_tags").is_empty()
}

/// The root block device's `tags` / `tags_all`.
pub fn root_tags_read(vol: Option<&Volume>, cur: &Value) -> (Value, Value) {
    let block = val::block(cur, "root_block_device");
    device_tags(vol, block.as_ref(), volume_tags_managed(cur))
}

/// The `ebs_block_device` set: every EBS volume but the root one.
pub fn ebs_read(i: &ApiInstance, volumes: &HashMap<String, Volume>, cur: &Value) -> Value {
    let managed = volume_tags_managed(cur);
    let prior = val::blocks(cur, "ebs_block_device");
    let items: Vec<Value> = i
        .block_device_mappings()
        .iter()
        .filter(|m| !is_root(i, m.device_name()) && m.ebs().is_some())
        .filter_map(|m| {
            let ebs = m.ebs()?;
            let id = ebs.volume_id()?;
            let v = volumes.get(id);
            let device = m.device_name().unwrap_or_default();
            let cur_block = prior.iter().find(|b| val::string(b, "device_name").as_deref() == Some(device));
            let (tags, tags_all) = device_tags(v, cur_block, managed);
            Some(Value::object([
                ("delete_on_termination", Value::Bool(ebs.delete_on_termination().unwrap_or(true))),
                ("device_name", Value::from(device)),
                ("encrypted", val::opt_bool(v.and_then(Volume::encrypted))),
                ("iops", val::opt_int(v.and_then(Volume::iops))),
                ("kms_key_id", val::opt_str(v.and_then(Volume::kms_key_id))),
                ("snapshot_id", val::opt_str(v.and_then(Volume::snapshot_id).filter(|s| !s.is_empty()))),
                ("tags", tags),
                ("tags_all", tags_all),
                ("throughput", val::opt_int(v.and_then(Volume::throughput))),
                ("volume_id", Value::from(id)),
                ("volume_size", val::opt_int(v.and_then(Volume::size))),
                ("volume_type", val::opt_str(v.and_then(|v| v.volume_type()).map(|t| t.as_str()))),
            ]))
        })
        .collect();
    Value::tuple(items)
}

/// `volume_tags` read back (the tags of all the instance's volumes), when the state has some.
pub fn volume_tags_read(i: &ApiInstance, volumes: &HashMap<String, Volume>, cur: &Value) -> Value {
    if !volume_tags_managed(cur) {
        return match cur.get_attr("volume_tags") {
            Some(v) if v.is_wholly_known() => v.clone(),
            _ => Value::NULL,
        };
    }
    let mut all = BTreeMap::new();
    for id in volume_ids(i) {
        if let Some(v) = volumes.get(&id) {
            all.extend(crate::tags::visible(&tag_map(v.tags())));
        }
    }
    val::str_map(&all)
}

/// The configured network interfaces as attached (by the configured device indexes).
pub fn interfaces_read(i: &ApiInstance, cur: &Value) -> Value {
    let wanted: Vec<i64> =
        val::blocks(cur, "network_interface").iter().filter_map(|b| val::int(b, "device_index")).collect();
    let items: Vec<Value> = i
        .network_interfaces()
        .iter()
        .filter_map(|n| {
            let a = n.attachment()?;
            let index = i64::from(a.device_index()?);
            wanted.contains(&index).then(|| {
                Value::object([
                    ("delete_on_termination", Value::Bool(a.delete_on_termination().unwrap_or(false))),
                    ("device_index", Value::from(index)),
                    ("network_card_index", Value::from(i64::from(a.network_card_index().unwrap_or(0)))),
                    ("network_interface_id", val::opt_str(n.network_interface_id())),
                ])
            })
        })
        .collect();
    Value::tuple(items)
}

/// The primary interface's addresses: `(secondary_private_ips, ipv6_address_count,
/// ipv6_addresses, enable_primary_ipv6)`.
pub fn addresses_read(primary: Option<&InstanceNetworkInterface>, cur: &Value) -> [(&'static str, Value); 4] {
    let Some(p) = primary else {
        return [
            ("secondary_private_ips", val::str_set(Vec::<String>::new())),
            ("ipv6_address_count", Value::from(0i64)),
            ("ipv6_addresses", val::strs(Vec::<String>::new())),
            ("enable_primary_ipv6", super::instance_options::known_or(cur, "enable_primary_ipv6", Value::NULL)),
        ];
    };
    let secondary: Vec<&str> = p
        .private_ip_addresses()
        .iter()
        .filter(|a| a.primary() != Some(true))
        .filter_map(|a| a.private_ip_address())
        .collect();
    let v6: Vec<&str> = p.ipv6_addresses().iter().filter_map(|a| a.ipv6_address()).collect();
    let primary_v6 = if p.ipv6_addresses().iter().any(|a| a.is_primary_ipv6() == Some(true)) {
        Value::Bool(true)
    } else {
        super::instance_options::known_or(cur, "enable_primary_ipv6", Value::NULL)
    };
    [
        ("secondary_private_ips", val::str_set(secondary)),
        ("ipv6_address_count", Value::from(v6.len() as i64)),
        ("ipv6_addresses", val::strs(v6)),
        ("enable_primary_ipv6", primary_v6),
    ]
}

/// Tags the root and EBS volumes with the tags their blocks give, after the launch.
pub async fn tag_volumes(c: &Ctx<'_>, i: &ApiInstance, planned: &Value) -> Result<()> {
    let by_device: HashMap<&str, &str> =
        i.block_device_mappings().iter().filter_map(|m| Some((m.device_name()?, m.ebs()?.volume_id()?))).collect();
    let mut wanted: Vec<(String, BTreeMap<String, String>)> = Vec::new();
    if let Some(root) = val::block(planned, "root_block_device")
        && let Some(dev) = i.root_device_name()
        && let Some(vol) = by_device.get(dev)
    {
        wanted.push((vol.to_string(), val::string_map(&root, "tags")));
    }
    for bd in val::blocks(planned, "ebs_block_device") {
        if let Some(dev) = val::string(&bd, "device_name")
            && let Some(vol) = by_device.get(dev.as_str())
        {
            wanted.push((vol.to_string(), val::string_map(&bd, "tags")));
        }
    }
    for (vol, tags) in wanted.into_iter().filter(|(_, t)| !t.is_empty()) {
        update_tags(&c.clients.ec2, &vol, &BTreeMap::new(), &tags).await?;
    }
    Ok(())
}

/// In-place changes: volume tags (all volumes, root and EBS block tags) and secondary IPs.
pub async fn update(c: &Ctx<'_>, id: &str, prior: &Value, planned: &Value) -> Result<()> {
    let ec2 = &c.clients.ec2;
    let known = |k: &str| planned.get_attr(k).is_some_and(Value::is_wholly_known);
    if known("volume_tags") && val::string_map(prior, "volume_tags") != val::string_map(planned, "volume_tags") {
        let out = ec2
            .describe_volumes()
            .filters(crate::ec2::filter("attachment.instance-id", [id]))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("reading the volumes of {id}"), e))?;
        for v in out.volumes() {
            if let Some(vol) = v.volume_id() {
                update_tags(ec2, vol, &val::string_map(prior, "volume_tags"), &val::string_map(planned, "volume_tags"))
                    .await?;
            }
        }
    }
    if let (Some(old), Some(new)) = (val::block(prior, "root_block_device"), val::block(planned, "root_block_device"))
        && new.get_attr("tags").is_some_and(Value::is_wholly_known)
        && val::string_map(&old, "tags") != val::string_map(&new, "tags")
        && let Some(vol) = val::string(&old, "volume_id")
    {
        update_tags(ec2, &vol, &val::string_map(&old, "tags"), &val::string_map(&new, "tags")).await?;
    }
    if known("ebs_block_device") {
        let old = val::blocks(prior, "ebs_block_device");
        for new in val::blocks(planned, "ebs_block_device") {
            let dev = val::string(&new, "device_name");
            if let Some(o) = old.iter().find(|o| val::string(o, "device_name") == dev)
                && let Some(vol) = val::string(o, "volume_id")
                && val::string_map(o, "tags") != val::string_map(&new, "tags")
            {
                update_tags(ec2, &vol, &val::string_map(o, "tags"), &val::string_map(&new, "tags")).await?;
            }
        }
    }
    if known("secondary_private_ips") {
        let old = val::strings(prior, "secondary_private_ips");
        let new = val::strings(planned, "secondary_private_ips");
        let gone: Vec<String> = old.iter().filter(|ip| !new.contains(ip)).cloned().collect();
        let added: Vec<String> = new.iter().filter(|ip| !old.contains(ip)).cloned().collect();
        if !gone.is_empty() || !added.is_empty() {
            let eni =
                val::string(prior, "primary_network_interface_id").filter(|s| !s.is_empty()).ok_or_else(|| {
                    ProviderError::new(format!(
                        "changing secondary_private_ips of {id}: the instance has no primary network interface"
                    ))
                })?;
            if !gone.is_empty() {
                ec2.unassign_private_ip_addresses()
                    .network_interface_id(&eni)
                    .set_private_ip_addresses(Some(gone))
                    .send()
                    .await
                    .map_err(|e| sdk_error(&format!("unassigning secondary private IPs of {id}"), e))?;
            }
            if !added.is_empty() {
                ec2.assign_private_ip_addresses()
                    .network_interface_id(&eni)
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
/// DescribeInstanceAttribute each: `disable_api_stop`, `disable_api_termination` and
/// `instance_initiated_shutdown_behavior`.
pub const ATTRIBUTES: [&str; 3] =
    ["disable_api_stop", "disable_api_termination", "instance_initiated_shutdown_behavior"];

/// Whether the attributes must be asked for: the state does not know them (a create, an
/// import) or holds other than what EC2 starts with. An instance whose state holds the
/// defaults (false, false, "stop") is not asked, so a refresh of many instances stays one
/// DescribeInstances; a change made outside terrane to such an instance is not seen.
pub fn attributes_wanted(cur: &Value) -> bool {
    let default = |k: &str, d: Value| cur.get_attr(k).is_some_and(|v| v.is_known() && (v.lang_eq(&d) || v.is_null()));
    !(default("disable_api_stop", Value::Bool(false))
        && default("disable_api_termination", Value::Bool(false))
        && default("instance_initiated_shutdown_behavior", Value::from("stop")))
        || cur.get_attr("ami").is_none()
}

/// The three attributes, as `(name, value)`.
pub async fn attributes(c: &Ctx<'_>, id: &str) -> Result<Vec<(&'static str, Value)>> {
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
    Ok(vec![
        ("disable_api_stop", Value::Bool(stop.disable_api_stop().and_then(|v| v.value()).unwrap_or(false))),
        (
            "disable_api_termination",
            Value::Bool(term.disable_api_termination().and_then(|v| v.value()).unwrap_or(false)),
        ),
        (
            "instance_initiated_shutdown_behavior",
            val::opt_str(shut.instance_initiated_shutdown_behavior().and_then(|v| v.value())),
        ),
    ])
}

/// Changes the three attributes in place (ModifyInstanceAttribute, one each).
pub async fn update_attributes(c: &Ctx<'_>, id: &str, prior: &Value, planned: &Value) -> Result<()> {
    use aws_sdk_ec2::types::{AttributeBooleanValue, AttributeValue};
    for k in ATTRIBUTES {
        let Some(want) = planned.get_attr(k).filter(|v| v.is_known() && !v.is_null()) else { continue };
        if prior.get_attr(k).is_some_and(|p| p.lang_eq(want)) {
            continue;
        }
        let req = c.clients.ec2.modify_instance_attribute().instance_id(id);
        let req = match k {
            "disable_api_stop" => {
                req.disable_api_stop(AttributeBooleanValue::builder().set_value(val::boolean(planned, k)).build())
            }
            "disable_api_termination" => req
                .disable_api_termination(AttributeBooleanValue::builder().set_value(val::boolean(planned, k)).build()),
            _ => req.instance_initiated_shutdown_behavior(
                AttributeValue::builder().set_value(val::string(planned, k)).build(),
            ),
        };
        req.send().await.map_err(|e| sdk_error(&format!("changing {k} of instance {id}"), e))?;
    }
    Ok(())
}

/// The Windows administrator password data (`get_password_data`), polled until EC2 has it,
/// within the read timeout (15 minutes by default, as hashicorp/aws).
pub async fn password_data(c: &Ctx<'_>, id: &str, cur: &Value) -> Result<String> {
    let limit = crate::waiter::timeout(cur, "read", std::time::Duration::from_secs(15 * 60));
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
