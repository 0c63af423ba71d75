//! `data "aws_ami"`: the image for the swarm nodes (filters, owners, most_recent).

use super::Filter;
use crate::errors::sdk_error;
use crate::model::{Object, ReadTimeouts};
use crate::resource::{Ctx, DataSourceType, Result};
use async_trait::async_trait;
use aws_sdk_ec2::types::Image;
use std::collections::{BTreeMap, BTreeSet};
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct Ami;

/// A `data "aws_ami"` object.
#[derive(Model, Clone, Debug, Default)]
struct AmiObject {
    #[model(computed)]
    id: Option<String>,
    #[model(optional)]
    owners: Option<Vec<String>>,
    #[model(optional, default = false)]
    most_recent: bool,
    #[model(optional)]
    name_regex: Option<String>,
    #[model(optional)]
    executable_users: Option<Vec<String>>,
    #[model(optional)]
    include_deprecated: Option<bool>,
    #[model(optional)]
    uefi_data: Option<String>,
    #[model(optional, computed)]
    tags: Option<BTreeMap<String, String>>,
    #[model(computed)]
    block_device_mappings: Option<BTreeSet<Object<BlockDeviceMapping>>>,
    #[model(computed)]
    product_codes: Option<BTreeSet<Object<ProductCode>>>,
    #[model(computed)]
    state_reason: Option<BTreeMap<String, String>>,
    #[model(computed)]
    ena_support: Option<bool>,
    #[model(computed)]
    public: Option<bool>,
    // The image's string attributes, each read as DescribeImages returns it.
    #[model(computed)]
    name: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(computed)]
    architecture: Option<String>,
    #[model(computed)]
    boot_mode: Option<String>,
    #[model(computed)]
    creation_date: Option<String>,
    #[model(computed)]
    deprecation_time: Option<String>,
    #[model(computed)]
    description: Option<String>,
    #[model(computed)]
    hypervisor: Option<String>,
    #[model(computed)]
    image_id: Option<String>,
    #[model(computed)]
    image_location: Option<String>,
    #[model(computed)]
    image_owner_alias: Option<String>,
    #[model(computed)]
    image_type: Option<String>,
    #[model(computed)]
    imds_support: Option<String>,
    #[model(computed)]
    kernel_id: Option<String>,
    #[model(computed)]
    last_launched_time: Option<String>,
    #[model(computed)]
    owner_id: Option<String>,
    #[model(computed)]
    platform: Option<String>,
    #[model(computed)]
    platform_details: Option<String>,
    #[model(computed)]
    ramdisk_id: Option<String>,
    #[model(computed)]
    root_device_name: Option<String>,
    #[model(computed)]
    root_device_type: Option<String>,
    #[model(computed)]
    root_snapshot_id: Option<String>,
    #[model(computed)]
    sriov_net_support: Option<String>,
    #[model(computed)]
    state: Option<String>,
    #[model(computed)]
    tpm_support: Option<String>,
    #[model(computed)]
    usage_operation: Option<String>,
    #[model(computed)]
    virtualization_type: Option<String>,
    #[model(block = "set")]
    filter: Vec<Filter>,
    #[model(block = "single")]
    timeouts: Option<ReadTimeouts>,
}

/// An element of `block_device_mappings`.
#[derive(Model, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct BlockDeviceMapping {
    #[model(computed)]
    device_name: Option<String>,
    #[model(computed)]
    ebs: Option<BTreeMap<String, String>>,
    #[model(computed)]
    no_device: Option<String>,
    #[model(computed)]
    virtual_name: Option<String>,
}

/// An element of `product_codes`.
#[derive(Model, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
struct ProductCode {
    #[model(computed)]
    product_code_id: Option<String>,
    #[model(computed)]
    product_code_type: Option<String>,
}

fn text(s: Option<&str>) -> Option<String> {
    s.map(str::to_string)
}

/// A block device mapping as hashicorp/aws flattens it: `ebs` is a map of strings
/// (`"true"`, `"8"`), numbers and flags that are not set written as their zero value.
fn block_device_mapping(m: &aws_sdk_ec2::types::BlockDeviceMapping) -> Object<BlockDeviceMapping> {
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
    Object(BlockDeviceMapping {
        device_name: Some(m.device_name().unwrap_or_default().to_string()),
        ebs: Some(ebs),
        no_device: Some(m.no_device().unwrap_or_default().to_string()),
        virtual_name: Some(m.virtual_name().unwrap_or_default().to_string()),
    })
}

fn product_code(p: &aws_sdk_ec2::types::ProductCode) -> Object<ProductCode> {
    Object(ProductCode {
        product_code_id: Some(p.product_code_id().unwrap_or_default().to_string()),
        product_code_type: Some(p.product_code_type().map(|t| t.as_str()).unwrap_or_default().to_string()),
    })
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
fn state_reason(image: &Image) -> BTreeMap<String, String> {
    let (code, message) = match image.state_reason() {
        Some(r) => (r.code().unwrap_or_default(), r.message().unwrap_or_default()),
        None => ("UNSET", "UNSET"),
    };
    BTreeMap::from([("code".to_string(), code.to_string()), ("message".to_string(), message.to_string())])
}

#[async_trait]
impl DataSourceType for Ami {
    fn name(&self) -> &'static str {
        "aws_ami"
    }

    fn schema(&self) -> Schema {
        AmiObject::schema()
    }

    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value> {
        let config = AmiObject::from_value(config)?;
        let some = |v: &Option<Vec<String>>| v.clone().filter(|v| !v.is_empty());
        let out = c
            .clients
            .ec2
            .describe_images()
            .set_filters(Some(super::filters(&config.filter)))
            .set_owners(some(&config.owners))
            .set_include_deprecated(config.include_deprecated)
            .set_executable_users(some(&config.executable_users))
            .send()
            .await
            .map_err(|e| sdk_error("reading AMIs", e))?;
        let name_regex = match &config.name_regex {
            Some(r) => {
                Some(regex::Regex::new(r).map_err(|e| ProviderError::new(format!("invalid name_regex {r:?}: {e}")))?)
            }
            None => None,
        };
        let mut images: Vec<_> = out
            .images()
            .iter()
            .filter(|i| name_regex.as_ref().is_none_or(|re| i.name().is_some_and(|n| re.is_match(n))))
            .collect();
        images.sort_by(|a, b| b.creation_date().cmp(&a.creation_date()));
        let image = match (images.len(), config.most_recent) {
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
        let tags: BTreeMap<String, String> = image
            .tags()
            .iter()
            .map(|t| (t.key().unwrap_or_default().into(), t.value().unwrap_or_default().into()))
            .collect();
        Ok(AmiObject {
            id: Some(id.to_string()),
            tags: Some(tags),
            block_device_mappings: Some(image.block_device_mappings().iter().map(block_device_mapping).collect()),
            product_codes: Some(image.product_codes().iter().map(product_code).collect()),
            state_reason: Some(state_reason(image)),
            ena_support: Some(image.ena_support().unwrap_or(false)),
            public: Some(image.public().unwrap_or(false)),
            name: text(image.name()),
            arn: Some(format!("arn:aws:ec2:{}::image/{id}", c.clients.region)),
            architecture: text(image.architecture().map(|a| a.as_str())),
            boot_mode: text(image.boot_mode().map(|a| a.as_str())),
            creation_date: text(image.creation_date()),
            deprecation_time: text(image.deprecation_time()),
            description: text(image.description()),
            hypervisor: text(image.hypervisor().map(|a| a.as_str())),
            image_id: Some(id.to_string()),
            image_location: text(image.image_location()),
            image_owner_alias: text(image.image_owner_alias()),
            image_type: text(image.image_type().map(|a| a.as_str())),
            imds_support: text(image.imds_support().map(|a| a.as_str())),
            kernel_id: text(image.kernel_id()),
            last_launched_time: text(image.last_launched_time()),
            owner_id: text(image.owner_id()),
            platform: text(image.platform().map(|a| a.as_str())),
            platform_details: text(image.platform_details()),
            ramdisk_id: text(image.ramdisk_id()),
            root_device_name: text(image.root_device_name()),
            root_device_type: text(image.root_device_type().map(|a| a.as_str())),
            root_snapshot_id: Some(root_snapshot_id(image).to_string()),
            sriov_net_support: text(image.sriov_net_support()),
            state: text(image.state().map(|a| a.as_str())),
            tpm_support: text(image.tpm_support().map(|a| a.as_str())),
            usage_operation: text(image.usage_operation()),
            virtualization_type: text(image.virtualization_type().map(|a| a.as_str())),
            ..config
        }
        .to_value())
    }
}
