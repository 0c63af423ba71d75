//! Resource types, one file each.

mod cloudwatch_log_group;
mod security_group;
mod subnet;
mod vpc;

use crate::resource::ResourceType;

pub fn all() -> Vec<Box<dyn ResourceType>> {
    vec![
        Box::new(cloudwatch_log_group::LogGroup),
        Box::new(security_group::SecurityGroup),
        Box::new(subnet::Subnet),
        Box::new(vpc::Vpc),
    ]
}
