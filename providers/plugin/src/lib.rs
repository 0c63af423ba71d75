//! Terraform provider plugins for terrane.
//!
//! Every provider Terraform can use is a plugin: a program that speaks Terraform's provider
//! protocol (versions 5 and 6) over gRPC, started by go-plugin's handshake. This crate is the
//! client side of that: starting a plugin with automatic mutual TLS ([`process`]), the
//! protocol's messages ([`wire`]), values in cty's MessagePack encoding ([`msgpack`]), schemas
//! ([`schema`], cached on disk by [`cache`]), and a plugin behind the engine's `Provider`
//! trait ([`provider`]), so the engine does not know whether a provider is built in.
//! Finding and installing plugins as `terraform init` does is [`install`]: from filesystem
//! mirrors, network mirrors and origin registries ([`registry`], over [`net`]), with the
//! registries' checksums and OpenPGP signatures checked.

pub mod cache;
pub mod install;
pub mod msgpack;
pub mod net;
pub mod process;
pub mod proposed;
pub mod provider;
pub mod registry;
pub mod route;
pub mod schema;
pub mod wire;

mod tls;

pub use process::PluginError;
pub use provider::{PluginFactory, PluginProvider};
pub use route::{Routed, RoutedFactory};
