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

use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::Type;

/// The `filter { name, values }` blocks EC2 data sources take.
pub fn with_filters(s: Schema) -> Schema {
    s.block(
        "filter",
        NestedBlock::set(
            Schema::new()
                .attr("name", Attribute::required(Type::String))
                .attr("values", Attribute::required(Type::set(Type::String))),
        ),
    )
}

/// The configured filters as EC2 filters.
pub fn filters(config: &terrane_engine::value::Value) -> Vec<aws_sdk_ec2::types::Filter> {
    crate::val::blocks(config, "filter")
        .iter()
        .map(|f| {
            crate::ec2::filter(&crate::val::string(f, "name").unwrap_or_default(), crate::val::strings(f, "values"))
        })
        .collect()
}
