//! `data "aws_ami"`: the image for the swarm nodes (filters, owners, most_recent).

use crate::errors::sdk_error;
use crate::resource::{Ctx, DataSourceType, Result};
use crate::val;
use async_trait::async_trait;
use aws_sdk_ec2::types::Image;
use std::collections::BTreeMap;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct Ami;

/// The image's string attributes, each read as DescribeImages returns it.
const COMPUTED_STRINGS: &[&str] = &[
    "name",
    "arn",
    "architecture",
    "boot_mode",
    "creation_date",
    "deprecation_time",
    "description",
    "hypervisor",
    "image_id",
    "image_location",
    "image_owner_alias",
    "image_type",
    "imds_support",
    "kernel_id",
    "last_launched_time",
    "owner_id",
    "platform",
    "platform_details",
    "ramdisk_id",
    "root_device_name",
    "root_device_type",
    "root_snapshot_id",
    "sriov_net_support",
    "state",
    "tpm_support",
    "usage_operation",
    "virtualization_type",
];

fn block_device_mapping_type() -> Type {
    Type::object_from([
        ("device_name", Type::String),
        ("ebs", Type::map(Type::String)),
        ("no_device", Type::String),
        ("virtual_name", Type::String),
    ])
}

fn product_code_type() -> Type {
    Type::object_from([("product_code_id", Type::String), ("product_code_type", Type::String)])
}

/// A block device mapping as hashicorp/aws flattens it: `ebs` is a map of strings
/// (`"true"`, `"8"`), numbers and flags that are not set written as their zero value.
fn block_device_mapping(m: &aws_sdk_ec2::types::BlockDeviceMapping) -> Value {
    let ebs: BTreeMap<String, String> = m
        .ebs()
        .map(|e| {
            let b = |v: Option<bool>| v.unwrap_or(false).to_string();
            let n = |v: Option<i32>| v.unwrap_or(0).to_string();
            BTreeMap::from([
                ("delete_on_termination".to_string(), b(e.delete_on_termination())),
                ("encrypted".to_string(), b(e.encrypted())),
                ("iops".to_string(), n(e.iops())),
                ("snapshot_id".to_string(), e.snapshot_id().unwrap_or_default().to_string()),
                ("throughput".to_string(), n(e.throughput())),
                ("volume_size".to_string(), n(e.volume_size())),
                ("volume_type".to_string(), e.volume_type().map(|t| t.as_str()).unwrap_or_default().to_string()),
            ])
        })
        .unwrap_or_default();
    Value::object([
        ("device_name", Value::from(m.device_name().unwrap_or_default())),
        ("ebs", val::str_map(&ebs)),
        ("no_device", Value::from(m.no_device().unwrap_or_default())),
        ("virtual_name", Value::from(m.virtual_name().unwrap_or_default())),
    ])
}

/// The snapshot of the root device's EBS volume, `""` if there is none.
fn root_snapshot_id(image: &Image) -> &str {
    let Some(root) = image.root_device_name() else { return "" };
    image
        .block_device_mappings()
        .iter()
        .find(|m| m.device_name() == Some(root))
        .and_then(|m| m.ebs())
        .and_then(|e| e.snapshot_id())
        .unwrap_or_default()
}

/// `state_reason` as hashicorp/aws writes it: `UNSET` for both when the image has none.
fn state_reason(image: &Image) -> Value {
    let (code, message) = match image.state_reason() {
        Some(r) => (r.code().unwrap_or_default(), r.message().unwrap_or_default()),
        None => ("UNSET", "UNSET"),
    };
    val::str_map(&BTreeMap::from([
        ("code".to_string(), code.to_string()),
        ("message".to_string(), message.to_string()),
    ]))
}

#[async_trait]
impl DataSourceType for Ami {
    fn name(&self) -> &'static str {
        "aws_ami"
    }

    fn schema(&self) -> Schema {
        let mut s = Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("owners", Attribute::optional(Type::list(Type::String)))
            .attr("most_recent", Attribute::optional(Type::Bool).default(false))
            .attr("name_regex", Attribute::optional(Type::String))
            .attr("executable_users", Attribute::optional(Type::list(Type::String)))
            .attr("include_deprecated", Attribute::optional(Type::Bool))
            .attr("uefi_data", Attribute::optional(Type::String))
            .attr("tags", Attribute::optional_computed(Type::map(Type::String)))
            .attr("block_device_mappings", Attribute::computed(Type::set(block_device_mapping_type())))
            .attr("product_codes", Attribute::computed(Type::set(product_code_type())))
            .attr("state_reason", Attribute::computed(Type::map(Type::String)))
            .attr("ena_support", Attribute::computed(Type::Bool))
            .attr("public", Attribute::computed(Type::Bool));
        for k in COMPUTED_STRINGS {
            s = s.attr(k, Attribute::computed(Type::String));
        }
        crate::resource::with_timeouts(super::with_filters(s), &["read"])
    }

    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value> {
        let owners = val::strings(config, "owners");
        let out = c
            .clients
            .ec2
            .describe_images()
            .set_filters(Some(super::filters(config)))
            .set_owners((!owners.is_empty()).then_some(owners))
            .set_include_deprecated(val::boolean(config, "include_deprecated"))
            .set_executable_users({
                let u = val::strings(config, "executable_users");
                (!u.is_empty()).then_some(u)
            })
            .send()
            .await
            .map_err(|e| sdk_error("reading AMIs", e))?;
        let name_regex = match val::string(config, "name_regex") {
            Some(r) => {
                Some(regex::Regex::new(&r).map_err(|e| ProviderError::new(format!("invalid name_regex {r:?}: {e}")))?)
            }
            None => None,
        };
        let mut images: Vec<_> = out
            .images()
            .iter()
            .filter(|i| name_regex.as_ref().is_none_or(|re| i.name().is_some_and(|n| re.is_match(n))))
            .collect();
        images.sort_by(|a, b| b.creation_date().cmp(&a.creation_date()));
        let image = match (images.len(), val::boolean(config, "most_recent").unwrap_or(false)) {
            (0, _) => {
                return Err(ProviderError::new(
                    "Your query returned no results. Please change your search criteria and try again.",
                ));
            }
            (1, _) | (_, true) => images[0],
            (n, false) => {
                return Err(ProviderError::new(format!(
                    "Your query returned more than one result ({n}). Please try a more specific search criteria, or set `most_recent` attribute to true."
                )));
            }
        };
        let id = image.image_id().unwrap_or_default();
        let text = |v: Option<&str>| val::opt_str(v);
        let strings: [(&str, Value); 27] = [
            ("name", text(image.name())),
            ("arn", Value::from(format!("arn:aws:ec2:{}::image/{id}", c.clients.region))),
            ("architecture", text(image.architecture().map(|a| a.as_str()))),
            ("boot_mode", text(image.boot_mode().map(|a| a.as_str()))),
            ("creation_date", text(image.creation_date())),
            ("deprecation_time", text(image.deprecation_time())),
            ("description", text(image.description())),
            ("hypervisor", text(image.hypervisor().map(|a| a.as_str()))),
            ("image_id", Value::from(id)),
            ("image_location", text(image.image_location())),
            ("image_owner_alias", text(image.image_owner_alias())),
            ("image_type", text(image.image_type().map(|a| a.as_str()))),
            ("imds_support", text(image.imds_support().map(|a| a.as_str()))),
            ("kernel_id", text(image.kernel_id())),
            ("last_launched_time", text(image.last_launched_time())),
            ("owner_id", text(image.owner_id())),
            ("platform", text(image.platform().map(|a| a.as_str()))),
            ("platform_details", text(image.platform_details())),
            ("ramdisk_id", text(image.ramdisk_id())),
            ("root_device_name", text(image.root_device_name())),
            ("root_device_type", text(image.root_device_type().map(|a| a.as_str()))),
            ("root_snapshot_id", Value::from(root_snapshot_id(image))),
            ("sriov_net_support", text(image.sriov_net_support())),
            ("state", text(image.state().map(|a| a.as_str()))),
            ("tpm_support", text(image.tpm_support().map(|a| a.as_str()))),
            ("usage_operation", text(image.usage_operation())),
            ("virtualization_type", text(image.virtualization_type().map(|a| a.as_str()))),
        ];
        debug_assert_eq!(strings.len(), COMPUTED_STRINGS.len());
        let mut v = config.clone();
        let tags: BTreeMap<String, String> = image
            .tags()
            .iter()
            .map(|t| (t.key().unwrap_or_default().into(), t.value().unwrap_or_default().into()))
            .collect();
        let mappings: Vec<Value> = image.block_device_mappings().iter().map(block_device_mapping).collect();
        let codes: Vec<Value> = image
            .product_codes()
            .iter()
            .map(|p| {
                Value::object([
                    ("product_code_id", Value::from(p.product_code_id().unwrap_or_default())),
                    ("product_code_type", Value::from(p.product_code_type().map(|t| t.as_str()).unwrap_or_default())),
                ])
            })
            .collect();
        for (k, x) in strings.into_iter().chain([
            ("id", Value::from(id)),
            ("tags", val::str_map(&tags)),
            ("block_device_mappings", Value::set(block_device_mapping_type(), mappings)),
            ("product_codes", Value::set(product_code_type(), codes)),
            ("state_reason", state_reason(image)),
            ("ena_support", Value::Bool(image.ena_support().unwrap_or(false))),
            ("public", Value::Bool(image.public().unwrap_or(false))),
        ]) {
            v.set_at_path(&[PathStep::Attr(k.into())], x);
        }
        Ok(v)
    }
}
