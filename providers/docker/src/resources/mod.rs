//! Resource types and data sources, one file each.

mod blob;
mod config;
pub(crate) mod network;
mod network_data;
mod secret;
mod volume;

pub use volume::volume_name_for;

use crate::resource::{DataSourceType, ResourceType};

pub fn all() -> Vec<Box<dyn ResourceType>> {
    vec![
        Box::new(config::Config),
        Box::new(network::Network),
        Box::new(secret::Secret),
        Box::new(crate::service::Service),
        Box::new(volume::Volume),
    ]
}

pub fn data_sources() -> Vec<Box<dyn DataSourceType>> {
    vec![Box::new(network_data::NetworkData)]
}
