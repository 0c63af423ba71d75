//! terrane's engine: everything that is neither AWS nor Docker.
//!
//! Configuration is loaded from HCL ([`config`]), evaluated ([`eval`]) over a dependency
//! graph ([`graph`]) into a [`plan::Plan`] — plain data — which [`apply`] executes through the
//! [`provider::Provider`] trait, recording [`state`] through a backend.

pub mod addr;
pub mod attrs;
pub mod config;
pub mod console;
pub mod cty;
pub mod diag;
pub mod eval;
pub mod fmt;
pub mod hcl;
pub mod model;
pub mod number;
pub mod schema;
pub mod value;

// The code `#[derive(Model)]` generates names `::terrane_engine`, also inside this crate.
extern crate self as terrane_engine;

/// terrane's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub mod apply;
pub mod builtin;
pub mod checks;
pub mod context;
pub mod graph;
pub mod hooks;
pub mod lang;
pub mod plan;
pub mod provider;
pub mod run;
pub mod state;
pub mod validate;
pub mod variables;
mod walk;

/// The hasher of the engine's hot maps (configuration blocks, schemas, the graph and its
/// walk): foldhash, several times faster than the standard SipHash on these keys (names,
/// addresses, node indices), still randomly seeded.
pub type Hasher = foldhash::fast::RandomState;

/// An insertion-ordered map with [`Hasher`]: the configuration's and the schemas' maps.
pub type IndexMap<K, V> = indexmap::IndexMap<K, V, Hasher>;
