//! HashiCorp's utility providers, built in: `random`, `tls`, `null`, `local`, `time` and
//! `cloudinit`. No plugin binaries for them exist where terrane runs offline, and they are
//! small, deterministic (or random by design) and handle secrets, so they are written here
//! with the same resource types, arguments, attributes, state shapes and import IDs as the
//! hashicorp/* plugins, and a state written by either serves the other.
//!
//! Each provider is a [`kit::Kit`]: a list of typed resource and data source definitions
//! ([`kit::Managed`], [`kit::Data`]); adding a type is one file.

pub mod cloudinit;
pub mod framework;
pub mod kit;
pub mod local;
pub mod null;
pub mod random;
pub mod time;
pub mod tls;

use std::sync::Arc;
use terrane_engine::provider::ProviderFactory;

/// Every provider of this crate, by the local name Terraform implies for it.
pub fn factories() -> Vec<(&'static str, Arc<dyn ProviderFactory>)> {
    vec![
        ("null", Arc::new(null::factory())),
        ("local", Arc::new(local::factory())),
        ("cloudinit", Arc::new(cloudinit::factory())),
        ("tls", Arc::new(tls::factory())),
        ("random", Arc::new(random::factory())),
        ("time", Arc::new(time::factory())),
    ]
}
