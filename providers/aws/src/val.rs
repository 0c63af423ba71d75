//! Reading arguments and building results: the engine's helpers for providers.

pub use terrane_engine::attrs::*;
