//! Data sources, one file each.

mod ami;
mod availability_zones;
mod caller_identity;
mod iam_policy_document;
mod kms_key;
mod region;
mod subnets;
mod vpc;

use crate::resource::DataSourceType;
use std::collections::BTreeSet;
use terrane_engine::model::Model;

pub fn all() -> Vec<Box<dyn DataSourceType>> {
    vec![
        Box::new(ami::Ami),
        Box::new(availability_zones::AvailabilityZones),
        Box::new(caller_identity::CallerIdentity),
        Box::new(iam_policy_document::IamPolicyDocument),
        Box::new(kms_key::KmsKey),
        Box::new(region::Region),
        Box::new(subnets::Subnets),
        Box::new(vpc::Vpc),
    ]
}

/// A `filter { name, values }` block, as EC2 data sources take them (a set of blocks:
/// `#[model(block = "set")] filter: Vec<Filter>`).
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct Filter {
    #[model(required)]
    pub name: String,
    #[model(required)]
    pub values: BTreeSet<String>,
}

/// The configured filters as EC2 filters.
pub fn filters(configured: &[Filter]) -> Vec<aws_sdk_ec2::types::Filter> {
    configured.iter().map(|f| crate::ec2::filter(&f.name, f.values.iter().cloned())).collect()
}
