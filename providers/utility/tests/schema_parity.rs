//! Schema parity of the built-in utility providers with the HashiCorp plugins they stand in
//! for, attribute by attribute (type, required / optional / computed, sensitive) and each
//! type's schema version, through `terrane_schema_parity`.
//!
//! No plugin binaries exist here, so the references were transcribed by hand from the
//! providers' Go source at their release tags:
//! - `tests/fixtures/random_schema.json`: hashicorp/terraform-provider-random v3.9.0,
//!   `internal/provider/resource_*.go` (`Schema`, `schema.Schema{Version: ...}`; note
//!   `random_string`'s current schema declares version 2 and `random_password`'s 3);
//!   ephemeral resources are not part of it (terrane has none yet).
//! - `tests/fixtures/time_schema.json`: hashicorp/terraform-provider-time v0.14.0,
//!   `internal/provider/resource_time_*.go` (every type at schema version 0, nothing
//!   sensitive); its provider functions are tested in `src/time/functions.rs`.

use std::path::PathBuf;
use terrane_engine::provider::ProviderFactory;

fn check(provider: &str, name: &str, factory: &dyn ProviderFactory) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let reference = terrane_schema_parity::Reference {
        json: &dir.join(format!("{provider}_schema.json")),
        known: &dir.join(format!("{provider}_known_differences.txt")),
        name,
    };
    let nothing_extra = |_: &str, _: &str, _: &terrane_engine::schema::Attribute| false;
    let instance = factory.new_instance();
    let tally = terrane_schema_parity::check(&reference, instance.schema(), &nothing_extra);
    assert!(tally.items > 0, "nothing was compared");
}

#[test]
fn schemas_equal_hashicorp_random() {
    check("random", "hashicorp/random 3.9.0", &terrane_provider_utility::random::factory());
}

#[test]
fn schemas_equal_hashicorp_time() {
    check("time", "hashicorp/time 0.14.0", &terrane_provider_utility::time::factory());
}
