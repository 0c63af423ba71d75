//! examples/state-bootstrap through the binary, against the moto server on 127.0.0.1:5000:
//! the state bucket applied with local state, the printed backend block added, the state moved
//! into the bucket with `init -migrate-state`, and the plan from S3 state showing no changes;
//! the state object is in the bucket, encrypted, and the bucket cannot be destroyed.

use crate::s3::{MOTO, http, work};

const KEY: &str = "state-bootstrap/terraform.tfstate";

fn example_main_tf() -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/state-bootstrap/main.tf");
    std::fs::read_to_string(path).unwrap()
}

/// `args` followed by the `-var` arguments.
fn with_vars<'a>(args: &[&'a str], vars: &'a [String]) -> Vec<&'a str> {
    args.iter().copied().chain(vars.iter().map(String::as_str)).collect()
}

/// Deletes the bucket when the test ends (its `prevent_destroy` keeps terrane from doing it):
/// every object version and delete marker, then the bucket.
struct Cleanup(String);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let list = http("GET", &format!("/{}?versions", self.0), &[], b"");
        if list.status != 200 {
            return;
        }
        let text = list.text();
        for entry in text.split("<Version>").chain(text.split("<DeleteMarker>")).skip(1) {
            let field = |name: &str| {
                entry.split(&format!("<{name}>")).nth(1).and_then(|s| s.split(&format!("</{name}>")).next())
            };
            if let (Some(key), Some(version)) = (field("Key"), field("VersionId")) {
                http("DELETE", &format!("/{}/{key}?versionId={version}", self.0), &[], b"");
            }
        }
        http("DELETE", &format!("/{}", self.0), &[], b"");
    }
}

#[test]
fn the_state_bucket_is_bootstrapped_and_the_state_moved_into_it() {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() % 1_000_000_000;
    let bucket = format!("e2e-bootstrap-{}-{t}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
    let _cleanup = Cleanup(bucket.clone());
    let endpoint = format!("http://{MOTO}");
    let vars =
        ["-var".to_string(), format!("bucket_name={bucket}"), "-var".to_string(), format!("aws_endpoint={endpoint}")];
    let w = work(&example_main_tf());

    // 1. The bucket, with local state.
    let out = w.ok(&["init"]);
    assert!(out.contains("terrane has been successfully initialized"), "{out}");
    let out = w.ok(&with_vars(&["apply", "-auto-approve"], &vars));
    assert!(out.contains("Apply complete! Resources: 4 added, 0 changed, 0 destroyed."), "{out}");
    assert!(w.path().join("terraform.tfstate").exists());
    let versioning = http("GET", &format!("/{bucket}?versioning"), &[], b"");
    assert!(versioning.text().contains("<Status>Enabled</Status>"), "{}", versioning.text());
    let encryption = http("GET", &format!("/{bucket}?encryption"), &[], b"");
    assert!(encryption.text().contains("<SSEAlgorithm>AES256</SSEAlgorithm>"), "{}", encryption.text());
    let public = http("GET", &format!("/{bucket}?publicAccessBlock"), &[], b"");
    assert_eq!(public.text().matches(">true<").count(), 4, "{}", public.text());

    // 2. The backend block the example prints, added as backend.tf.
    let block = w.ok(&["output", "-raw", "backend_config"]);
    for line in [
        format!("bucket       = \"{bucket}\""),
        format!("key          = \"{KEY}\""),
        "encrypt      = true".to_string(),
        "use_lockfile = true".to_string(),
        format!("endpoints                   = {{ s3 = \"{endpoint}\" }}"),
    ] {
        assert!(block.contains(&line), "{line:?} is missing from the backend block:\n{block}");
    }
    w.write("backend.tf", &block);
    let (code, _, err) = w.run(&with_vars(&["plan"], &vars));
    assert_eq!(code, 1);
    assert!(err.contains("Backend configuration changed") && err.contains("terrane init -migrate-state"), "{err}");

    // 3. The local state moved into the bucket.
    let local: serde_json::Value =
        serde_json::from_slice(&std::fs::read(w.path().join("terraform.tfstate")).unwrap()).unwrap();
    let out = w.ok(&["init", "-migrate-state"]);
    assert!(out.contains("Moved workspace \"default\""), "{out}");
    assert!(!w.path().join("terraform.tfstate").exists(), "the local state is retired");
    let object = http("GET", &format!("/{bucket}/{KEY}"), &[], b"");
    assert_eq!(object.status, 200, "{}", object.text());
    let stored: serde_json::Value = serde_json::from_slice(&object.body).unwrap();
    assert_eq!(stored, local, "the state in the bucket is the local state, serial and lineage included");
    let mut types: Vec<&str> =
        stored["resources"].as_array().unwrap().iter().filter_map(|r| r["type"].as_str()).collect();
    types.sort();
    assert_eq!(
        types,
        [
            "aws_s3_bucket",
            "aws_s3_bucket_public_access_block",
            "aws_s3_bucket_server_side_encryption_configuration",
            "aws_s3_bucket_versioning"
        ]
    );
    let head = http("HEAD", &format!("/{bucket}/{KEY}"), &[], b"");
    assert_eq!(head.header("x-amz-server-side-encryption"), Some("AES256"), "the state is stored encrypted");

    // The plan from the state in S3: no changes, and no lock left behind.
    let (code, out, err) = w.run(&with_vars(&["plan", "-detailed-exitcode"], &vars));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("No changes."), "{out}");
    assert_eq!(http("GET", &format!("/{bucket}/{KEY}.tflock"), &[], b"").status, 404, "the lock is released");

    // The bucket is protected: destroy stops before deleting anything.
    let (code, out, err) = w.run(&with_vars(&["destroy", "-auto-approve"], &vars));
    assert_eq!(code, 1, "{out}{err}");
    assert!(format!("{out}{err}").contains("lifecycle.prevent_destroy"), "{out}{err}");
    assert_eq!(http("HEAD", &format!("/{bucket}/{KEY}"), &[], b"").status, 200, "the state is still there");
}
