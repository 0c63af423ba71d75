//! State upgrades ([`terrane_engine::provider::Provider::upgrade_state`]): hashicorp/aws
//! 5.100.0's `MigrateState` and `StateUpgraders` for the types whose schema version is above
//! 0, applied the way terraform-plugin-sdk v2's `UpgradeResourceState` applies them
//! (helper/schema/grpc_provider.go). Each type declares its own in
//! [`crate::resource::ResourceType::state_upgrades`], beside its schema version, as an SDK
//! resource declares them beside its `SchemaVersion`; the functions are here, with
//! hashicorp's own test cases.
//!
//! The SDK takes one of two paths, by what Terraform sends:
//!
//! - a JSON state (`attributes`, what Terraform 0.12 and later write): only the
//!   `StateUpgraders` run, each from its own version, in turn ([`upgrade_json`]). A legacy
//!   `MigrateState` is never applied to a JSON state. So for the six types whose only
//!   upgrade is a `MigrateState` (aws_instance, aws_key_pair, aws_security_group,
//!   aws_security_group_rule, aws_subnet, aws_vpc), an older JSON state is normalised and
//!   nothing else: a version 0 aws_vpc keeps `assign_generated_ipv6_cidr_block` null, a
//!   version 0 aws_key_pair keeps its public key's trailing newline. (Those versions all
//!   predate Terraform 0.12: every hashicorp/aws release 0.12 could use already wrote them at
//!   their current version.)
//! - a flatmap state (`attributes_flat`, written by Terraform 0.11 and never rewritten):
//!   `MigrateState` runs once on the flatmap, then the flatmap is read by the schema of the
//!   version reached and the `StateUpgraders` go on from there ([`migrate_flatmap`] is the
//!   first half; the engine does not read `attributes_flat` yet).
//!
//! After either path the SDK fits the result to the current schema ([`normalise`]).

use crate::resource::crc32;
use serde_json::{Map, Value as J};
use std::collections::{BTreeMap, BTreeSet};
use terrane_engine::cty::json as cty_json;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Nesting, Schema};
use terrane_engine::value::{Type, path_to_string};

/// A flatmap state, as Terraform 0.11 recorded objects: `"cidr_blocks.#" = "1"`,
/// `"cidr_blocks.0" = "10.0.0.0/8"`, `"tags.%" = "0"`.
pub type Flat = BTreeMap<String, String>;

/// A legacy `MigrateState`: called once with the recorded version, it brings a flatmap state
/// to the schema version it was declared with (an error in the SDK's words otherwise).
pub type MigrateState = fn(u64, &mut Flat) -> Result<(), String>;

/// A `StateUpgrader`'s `Upgrade`: the JSON attributes of its version, in the next version's
/// shape.
pub type StateUpgrade = fn(J) -> J;

/// What a type declares beside its schema version: the SDK resource's `MigrateState` and
/// `StateUpgraders`.
#[derive(Clone, Copy)]
pub struct Upgrades {
    pub migrate_state: Option<MigrateState>,
    /// Each upgrader's `Version` (the version it reads) and `Upgrade`, in ascending order.
    pub state_upgraders: &'static [(u64, StateUpgrade)],
}

impl Upgrades {
    /// Nothing declared: schema version 0.
    pub const NONE: Upgrades = Upgrades { migrate_state: None, state_upgraders: &[] };

    /// A `MigrateState` alone.
    pub const fn migrate(f: MigrateState) -> Upgrades {
        Upgrades { migrate_state: Some(f), state_upgraders: &[] }
    }
}

/// The SDK's `UpgradeResourceState` for a JSON state recorded at `version`: every
/// `StateUpgrader` whose `Version` is the version reached so far, in order, then
/// [`normalise`].
pub fn upgrade_json(upgrades: Upgrades, schema: &Schema, version: u64, attributes: J) -> Result<J, ProviderError> {
    let mut attributes = attributes;
    let mut at = version;
    for (from, upgrade) in upgrades.state_upgraders {
        if *from == at {
            attributes = upgrade(attributes);
            at += 1;
        }
    }
    normalise(schema, attributes)
}

/// The SDK's `upgradeFlatmapState` up to the flatmap's conversion to JSON: `MigrateState`
/// runs when the recorded version is older than the first `StateUpgrader` (or, with none,
/// than `schema_version`). Returns the attributes and the version they are now at: with
/// upgraders, the first one's version (whose schema then reads the flatmap, and from which
/// [`upgrade_json`]'s upgraders go on); without, the recorded version, read by the current
/// schema (the SDK does not count a `MigrateState` as reaching a version).
pub fn migrate_flatmap(
    upgrades: Upgrades,
    schema_version: u64,
    version: u64,
    mut flat: Flat,
) -> Result<(Flat, u64), ProviderError> {
    let first = upgrades.state_upgraders.first().map(|(v, _)| *v);
    if version >= first.unwrap_or(schema_version) {
        return Ok((flat, version));
    }
    if let Some(migrate) = upgrades.migrate_state {
        migrate(version, &mut flat).map_err(ProviderError::new)?;
    }
    Ok((flat, first.unwrap_or(version)))
}

/// What the SDK does after the upgraders, so the object has the current schema's shape:
/// attributes the schema no longer has are removed, at any depth (`removeAttributes`); the
/// rest is decoded by the schema's type, missing attributes null and a value of another type
/// an error (`JSONMapToStateValue`, `CoerceValue`); list and set blocks left null become empty
/// (`NormalizeObjectFromLegacySDK`; single blocks, `timeouts`, stay null).
pub fn normalise(schema: &Schema, mut attributes: J) -> Result<J, ProviderError> {
    let ty = schema.value_type();
    remove_attributes(&mut attributes, &ty);
    let parsed = cty_json::parse(&attributes.to_string()).map_err(ProviderError::new)?;
    let value = cty_json::unmarshal(&parsed, &ty).map_err(|e| type_error(&e))?;
    let text = cty_json::marshal(&value, &ty).map_err(|e| type_error(&e))?;
    let mut out: J = serde_json::from_str(&text).map_err(|e| ProviderError::new(e.to_string()))?;
    empty_blocks(schema, &mut out);
    Ok(out)
}

fn type_error(e: &terrane_engine::cty::ty::PathError) -> ProviderError {
    match path_to_string(&e.path) {
        p if p.is_empty() => ProviderError::new(e.message.clone()),
        p => ProviderError::new(format!("{p}: {}", e.message)),
    }
}

fn remove_attributes(v: &mut J, ty: &Type) {
    match (v, ty) {
        (J::Array(items), Type::List(e) | Type::Set(e)) => {
            for item in items {
                remove_attributes(item, e);
            }
        }
        (J::Object(m), Type::Map(e)) => {
            for item in m.values_mut() {
                remove_attributes(item, e);
            }
        }
        (J::Object(m), Type::Object(o)) => {
            let gone: Vec<String> = m.keys().filter(|k| !o.attrs.contains_key(*k)).cloned().collect();
            for k in gone {
                m.remove(&k);
            }
            for (k, item) in m.iter_mut() {
                if let Some(t) = o.attrs.get(k) {
                    remove_attributes(item, t);
                }
            }
        }
        _ => {}
    }
}

/// List and set blocks null or missing made empty, inside blocks too. Blocks also written as
/// arguments (`ingress` of aws_security_group: the SDK's `ConfigModeAttr`) are attributes in
/// the SDK's schema and keep their null.
fn empty_blocks(schema: &Schema, v: &mut J) {
    let Some(obj) = v.as_object_mut() else { return };
    for (name, b) in &schema.blocks {
        match b.nesting {
            Nesting::Single => {
                if let Some(inner) = obj.get_mut(name) {
                    empty_blocks(&b.schema, inner);
                }
            }
            Nesting::List | Nesting::Set => {
                let slot = obj.entry(name.clone()).or_insert(J::Null);
                if slot.is_null() && !b.attribute_syntax {
                    *slot = J::Array(Vec::new());
                }
                if let J::Array(items) = slot {
                    for item in items {
                        empty_blocks(&b.schema, item);
                    }
                }
            }
        }
    }
}

// ---- StateUpgraders (JSON) ----

/// aws_db_instance 0 → 1 (internal/service/rds/instance_migrate.go, `InstanceStateUpgradeV0`):
/// `delete_automated_backups`, new in version 1, recorded as its default, true.
pub fn db_instance_v0(mut attributes: J) -> J {
    if let Some(m) = attributes.as_object_mut() {
        m.insert("delete_automated_backups".into(), J::Bool(true));
    }
    attributes
}

/// aws_db_instance 1 → 2 (`InstanceStateUpgradeV1`, hashicorp/aws 5.0.0): the ID becomes the
/// DBI resource ID (`resource_id`, null when the state has none) instead of the identifier.
pub fn db_instance_v1(mut attributes: J) -> J {
    if let Some(m) = attributes.as_object_mut() {
        let id = m.get("resource_id").cloned().unwrap_or(J::Null);
        m.insert("id".into(), id);
    }
    attributes
}

/// aws_elasticache_replication_group 1 → 2 (internal/service/elasticache/
/// replication_group_migrate.go, `replicationGroupStateUpgradeV1`; `...FromV1` in 6.x):
/// `auth_token_update_strategy` (5.27.0) recorded as its default then, `ROTATE`; and the
/// `cluster_mode` block of 4.x removed, in either shape (`cluster_mode` and any
/// `cluster_mode.*` key), since 5.59.0's `cluster_mode` is a string. A null state becomes an
/// object of that one attribute, as in Go.
pub fn replication_group_v1(attributes: J) -> J {
    let mut m = match attributes {
        J::Object(m) => m,
        _ => Map::new(),
    };
    m.insert("auth_token_update_strategy".into(), J::from("ROTATE"));
    let old: Vec<String> =
        m.keys().filter(|k| *k == "cluster_mode" || k.starts_with("cluster_mode.")).cloned().collect();
    for k in old {
        m.remove(&k);
    }
    J::Object(m)
}

/// aws_elasticache_replication_group's `MigrateState`: none. Version 1 changed nothing in the
/// state; the SDK resource declares a pass-through so a version 0 flatmap reaches version 1.
pub fn replication_group_migrate(_version: u64, _flat: &mut Flat) -> Result<(), String> {
    Ok(())
}

// ---- MigrateState (flatmap) ----

/// `InstanceState.Empty()`: no ID. Every `MigrateState` below leaves such a state alone.
fn empty(flat: &Flat) -> bool {
    flat.get("id").is_none_or(String::is_empty)
}

/// A version 0 → 1 `MigrateState` that records `false` for an attribute new in version 1
/// (`error` says an unexpected version in the SDK resource's words).
fn v0_false(version: u64, flat: &mut Flat, attribute: &str, error: &str) -> Result<(), String> {
    if version != 0 {
        return Err(format!("{error}: {version}"));
    }
    if !empty(flat) {
        flat.insert(attribute.to_string(), "false".to_string());
    }
    Ok(())
}

/// aws_vpc 0 → 1 (internal/service/ec2/vpc_migrate.go): `assign_generated_ipv6_cidr_block`
/// recorded as `false`.
pub fn vpc_migrate(version: u64, flat: &mut Flat) -> Result<(), String> {
    v0_false(version, flat, "assign_generated_ipv6_cidr_block", "Unexpected schema version")
}

/// aws_subnet 0 → 1 (internal/service/ec2/vpc_subnet_migrate.go):
/// `assign_ipv6_address_on_creation` recorded as `false`.
pub fn subnet_migrate(version: u64, flat: &mut Flat) -> Result<(), String> {
    v0_false(version, flat, "assign_ipv6_address_on_creation", "Unexpected schema version")
}

/// aws_security_group 0 → 1 (internal/service/ec2/vpc_security_group_migrate.go):
/// `revoke_rules_on_delete` recorded as `false`.
pub fn security_group_migrate(version: u64, flat: &mut Flat) -> Result<(), String> {
    v0_false(version, flat, "revoke_rules_on_delete", "unexpected schema version")
}

/// aws_key_pair 0 → 1 (internal/service/ec2/ec2_key_pair_migrate.go): the public key without
/// surrounding whitespace (a trailing newline, hashicorp/terraform#3455); an empty one when
/// the state has none.
pub fn key_pair_migrate(version: u64, flat: &mut Flat) -> Result<(), String> {
    if version != 0 {
        return Err(format!("Unexpected schema version: {version}"));
    }
    if !empty(flat) {
        let key = flat.get("public_key").map_or("", |k| k.trim()).to_string();
        flat.insert("public_key".into(), key);
    }
    Ok(())
}

/// aws_security_group_rule 0 → 2 and 1 → 2 (internal/service/ec2/
/// vpc_security_group_rule_migrate.go): one step for either, the ID recomputed as
/// `sgrule-<crc32>` of the rule's security group, ports above 0, protocol as recorded, type,
/// sorted IPv4 CIDR blocks and sorted source groups (the security group itself when `self`,
/// and `source_security_group_id`), each group written `<id>--` (no group name). IPv6 blocks
/// and prefix lists were not in the hash then.
pub fn security_group_rule_migrate(version: u64, flat: &mut Flat) -> Result<(), String> {
    if version > 1 {
        return Err(format!("Unexpected schema version: {version}"));
    }
    if empty(flat) {
        return Ok(());
    }
    let id = security_group_rule_v1_id(flat)
        .ok_or_else(|| "making new IP Permission in Security Group migration".to_string())?;
    flat.insert("id".into(), id);
    Ok(())
}

/// `None` when a port is not an integer.
fn security_group_rule_v1_id(a: &Flat) -> Option<String> {
    let get = |k: &str| a.get(k).map_or("", String::as_str);
    // Go's `int32(strconv.Atoi(...))`: an int, truncated to 32 bits.
    let to = get("to_port").parse::<i64>().ok()? as i32;
    let from = get("from_port").parse::<i64>().ok()? as i32;
    let group = get("security_group_id");
    let mut groups = BTreeSet::new();
    if get("self") == "true" {
        groups.insert(group);
    }
    if !get("source_security_group_id").is_empty() {
        groups.insert(get("source_security_group_id"));
    }
    let mut cidrs: Vec<&str> = a
        .iter()
        .filter(|(k, _)| *k != "cidr_blocks.#" && k.starts_with("cidr_blocks"))
        .map(|(_, v)| v.as_str())
        .collect();
    cidrs.sort_unstable();
    let mut b = format!("{group}-");
    if from > 0 {
        b.push_str(&format!("{from}-"));
    }
    if to > 0 {
        b.push_str(&format!("{to}-"));
    }
    b.push_str(&format!("{}-{}-", get("protocol"), get("type")));
    for c in cidrs {
        b.push_str(&format!("{c}-"));
    }
    for g in groups {
        b.push_str(&format!("{g}--"));
    }
    Some(format!("sgrule-{}", crc32(b.as_bytes())))
}

/// aws_instance 0 → 1 (internal/service/ec2/ec2_instance_migrate.go): Terraform 0.3's
/// `block_device` set split into `ebs_block_device`, `ephemeral_block_device` (a virtual name
/// starting `ephemeral`) and `root_block_device` (device `/dev/sda1`), each device keyed by
/// the CRC-32 of its device name, without the fields its new block does not have; the three
/// counts start at 0 (a `root_block_device` already recorded, as from 0.3.7, is kept).
pub fn instance_migrate(version: u64, flat: &mut Flat) -> Result<(), String> {
    if version != 0 {
        return Err(format!("Unexpected schema version: {version}"));
    }
    if empty(flat) {
        return Ok(());
    }
    flat.remove("block_device.#");
    let mut old: BTreeMap<String, Flat> = BTreeMap::new();
    let keys: Vec<String> = flat.keys().filter(|k| k.starts_with("block_device.")).cloned().collect();
    for k in keys {
        let parts: Vec<&str> = k.split('.').collect();
        if parts.len() != 3 {
            return Err(format!("Found unexpected block_device field: {k:?}"));
        }
        let v = flat.remove(&k).unwrap_or_default();
        old.entry(parts[1].to_string()).or_default().insert(parts[2].to_string(), v);
    }
    flat.insert("ebs_block_device.#".into(), "0".into());
    flat.insert("ephemeral_block_device.#".into(), "0".into());
    flat.entry("root_block_device.#".into()).or_insert_with(|| "0".into());
    for mut device in old.into_values() {
        let name = device.get("device_name").cloned().unwrap_or_default();
        let (kind, dropped): (&str, &[&str]) = if device.get("virtual_name").is_some_and(|v| v.starts_with("ephemeral"))
        {
            ("ephemeral_block_device", &["delete_on_termination", "encrypted", "iops", "volume_size", "volume_type"])
        } else if device.contains_key("device_name") && name == "/dev/sda1" {
            ("root_block_device", &["virtual_name", "encrypted", "snapshot_id"])
        } else {
            ("ebs_block_device", &["virtual_name"])
        };
        for d in dropped {
            device.remove(*d);
        }
        let code = crc32(name.as_bytes());
        for (attr, v) in device {
            flat.insert(format!("{kind}.{code}.{attr}"), v);
        }
        let count = format!("{kind}.#");
        let n = flat.get(&count).and_then(|c| c.parse::<i64>().ok()).unwrap_or(0);
        flat.insert(count, (n + 1).to_string());
    }
    Ok(())
}

#[cfg(test)]
mod tests;
