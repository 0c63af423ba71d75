//! Schema parity with kreuzwerker/docker 3.9.0, the Terraform provider terrane's Docker
//! provider stands in for: the five swarm resource types and the `docker_network` data source
//! have its schemas, attribute by attribute and block by block.
//!
//! The reference is `tests/schema/kreuzwerker_docker.json`, in `terraform providers schema
//! -json`'s shape. No plugin binary is available here, so `tests/schema/regenerate.sh` records
//! it from the provider's Go source at the release tag, lowered as the plugin SDK lowers it,
//! and checks it against the documentation generated at that tag. Differences not closed yet
//! are listed in `tests/schema/known_differences.txt` (the list only shrinks).

use std::path::PathBuf;
use terrane_engine::provider::Provider;

#[test]
fn schemas_equal_kreuzwerker_docker() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/schema");
    let provider = terrane_provider_docker::DockerProvider::default();
    let reference = terrane_schema_parity::Reference {
        json: &dir.join("kreuzwerker_docker.json"),
        known: &dir.join("known_differences.txt"),
        name: "kreuzwerker/docker",
    };
    let nothing_extra = |_: &str, _: &str, _: &terrane_engine::schema::Attribute| false;
    terrane_schema_parity::check(&reference, provider.schema(), &nothing_extra);
}
