//! The built-in providers' schemas against their plugins', attribute by attribute and block by
//! block (types, required / optional / computed, sensitive, nesting, schema versions), through
//! `terrane-schema-parity`. No plugin binaries exist here, so each reference in `fixtures/`
//! (`terraform providers schema -json`'s shape, one provider) was transcribed by hand from the
//! provider's source at its release tag:
//!
//! - `local_schema.json`: hashicorp/terraform-provider-local v2.9.0,
//!   `internal/provider/resource_local_file.go`, `resource_local_sensitive_file.go`,
//!   `data_source_local_file.go`, `data_source_local_sensitive_file.go` (the types built in:
//!   the `local_command` data source, ephemeral resource and action are not).
//! - `cloudinit_schema.json`: hashicorp/terraform-provider-cloudinit v2.4.0,
//!   `internal/provider/data_source_cloudinit_config.go` and `resource_cloudinit_config.go`.
//! - `tls_schema.json`: hashicorp/terraform-provider-tls v4.2.1,
//!   `internal/provider/resource_private_key.go` (schema version 1),
//!   `resource_self_signed_cert.go`, `resource_cert_request.go`,
//!   `resource_locally_signed_cert.go`, `data_source_public_key.go` and
//!   `data_source_certificate.go` (`x509CertObjectAttrTypes`); the ephemeral resources are not
//!   built in.
//! - `random_schema.json`: hashicorp/terraform-provider-random v3.9.0,
//!   `internal/provider/resource_*.go` (`Schema`, `schema.Schema{Version: ...}`; note
//!   `random_string`'s current schema declares version 2 and `random_password`'s 3);
//!   ephemeral resources are not part of it (terrane has none yet).
//! - `time_schema.json`: hashicorp/terraform-provider-time v0.14.0,
//!   `internal/provider/resource_time_*.go` (every type at schema version 0, nothing
//!   sensitive); its provider functions are tested in `src/time/functions.rs`.
//!
//! `fixtures/<provider>_known_differences.txt` lists differences not closed yet (none).

use std::path::PathBuf;
use std::sync::Arc;
use terrane_engine::provider::ProviderFactory;

fn check(local_name: &str, source: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let factory: Arc<dyn ProviderFactory> = terrane_provider_utility::factories()
        .into_iter()
        .find(|(n, _)| *n == local_name)
        .map(|(_, f)| f)
        .unwrap_or_else(|| panic!("no built-in provider {local_name}"));
    assert_eq!(factory.source(), source);
    let provider = factory.new_instance();
    let reference = terrane_schema_parity::Reference {
        json: &dir.join(format!("{local_name}_schema.json")),
        known: &dir.join(format!("{local_name}_known_differences.txt")),
        name: source,
    };
    let nothing_extra = |_: &str, _: &str, _: &terrane_engine::schema::Attribute| false;
    let tally = terrane_schema_parity::check(&reference, provider.schema(), &nothing_extra);
    assert!(tally.types > 0);
}

#[test]
fn local_schema_equals_the_plugins() {
    check("local", "hashicorp/local");
}

#[test]
fn cloudinit_schema_equals_the_plugins() {
    check("cloudinit", "hashicorp/cloudinit");
}

#[test]
fn tls_schema_equals_the_plugins() {
    check("tls", "hashicorp/tls");
}

#[test]
fn random_schema_equals_the_plugins() {
    check("random", "hashicorp/random");
}

#[test]
fn time_schema_equals_the_plugins() {
    check("time", "hashicorp/time");
}
