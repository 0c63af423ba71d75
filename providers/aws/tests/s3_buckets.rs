//! S3 buckets and their split configuration resources against moto: create, re-plan clean,
//! update in place, replace, drift, import, destroy; a non-empty bucket's destroy refused with
//! how many objects it holds, then `force_destroy` emptying a versioned bucket page by page.

mod support;

use support::{attr_path, change, drift};

use aws_sdk_s3::primitives::ByteStream;
use std::sync::LazyLock;
use support::{Harness, actions, kms, s3, unique};
use terrane_engine::plan::planner::PlanOptions;
use terrane_engine::plan::{Action, PlanMode};
use terrane_engine::state::State;
use terrane_engine::value::{Type, Value};

/// The force-destroy test counts API calls, which are counted process-wide: under `cargo test`
/// (one process) the tests run one at a time.
static SERIAL: LazyLock<tokio::sync::Mutex<()>> = LazyLock::new(|| tokio::sync::Mutex::new(()));

/// Plans and applies without asserting success: the diagnostics as text, and the state.
async fn run(h: &Harness, src: &str, mode: PlanMode) -> (String, State) {
    let opts = PlanOptions { mode, ..PlanOptions::default() };
    let (ctx, p) = h.try_plan(src, &opts).await.unwrap_or_else(|d| panic!("plan failed:\n{d}"));
    let (out, state) = h.apply_plan(&ctx, &p).await;
    (out.diags.to_string(), state)
}

/// Imports `id` and checks that every attribute comes back as it is in state.
async fn assert_import(h: &Harness, src: &str, state: &State, addr: &str, id: &str) {
    let type_name = addr.split('.').next().unwrap();
    let imported = h.provider(src).await.import(type_name, id).await.unwrap_or_else(|e| panic!("import {addr}: {e}"));
    let stored = h.value(state, addr);
    let stored_map = stored.as_map().unwrap();
    for (k, v) in stored_map {
        if k == "timeouts" {
            continue;
        }
        let got = imported.get_attr(k).cloned().unwrap_or_default();
        assert_eq!(got.deep_unmark(), v.clone().deep_unmark(), "{addr}.{k} differs after import of {id:?}");
    }
}

async fn bucket_exists(name: &str) -> bool {
    s3().await.head_bucket().bucket(name).send().await.is_ok()
}

async fn bucket_tags(name: &str) -> Vec<(String, String)> {
    match s3().await.get_bucket_tagging().bucket(name).send().await {
        Ok(t) => t.tag_set().iter().map(|t| (t.key().to_string(), t.value().to_string())).collect(),
        Err(_) => Vec::new(),
    }
}

fn error_code<E: aws_smithy_types::error::metadata::ProvideErrorMetadata, R>(
    r: Result<impl Sized, aws_smithy_runtime_api::client::result::SdkError<E, R>>,
) -> String {
    match r {
        Ok(_) => "(no error)".into(),
        Err(e) => aws_smithy_types::error::metadata::ProvideErrorMetadata::code(&e).unwrap_or("?").to_string(),
    }
}

// ---------------------------------------------------------------------------------- aws_s3_bucket

fn bucket_src(name: &str, env: &str, prefix: &str) -> String {
    format!(
        r#"
resource "aws_s3_bucket" "named" {{
  bucket = "{name}"
  tags = {{
    env = "{env}"
  }}
}}

resource "aws_s3_bucket" "prefixed" {{
  bucket_prefix       = "{prefix}"
  object_lock_enabled = true
}}
"#
    )
}

#[tokio::test]
async fn bucket_lifecycle() {
    let _serial = SERIAL.lock().await;
    let h = Harness::new();
    let name = unique("tf-bucket");
    let prefix = format!("{}-", unique("tfp"));
    let src = bucket_src(&name, "a", &prefix);
    let state = h.apply(&src).await;
    let addr = "aws_s3_bucket.named";
    assert_eq!(h.str_attr(&state, addr, "id"), name);
    assert_eq!(h.str_attr(&state, addr, "bucket"), name);
    assert_eq!(h.str_attr(&state, addr, "arn"), format!("arn:aws:s3:::{name}"));
    assert_eq!(h.str_attr(&state, addr, "bucket_domain_name"), format!("{name}.s3.amazonaws.com"));
    assert_eq!(h.str_attr(&state, addr, "bucket_regional_domain_name"), format!("{name}.s3.eu-west-1.amazonaws.com"));
    assert_eq!(h.str_attr(&state, addr, "region"), "eu-west-1");
    assert_eq!(h.str_attr(&state, addr, "hosted_zone_id"), "Z1BKCTXD74EZPE");
    assert_eq!(h.attr(&state, addr, "object_lock_enabled"), Value::Bool(false));
    assert_eq!(h.attr(&state, addr, "force_destroy"), Value::Bool(false));
    assert_eq!(h.attr(&state, addr, "bucket_prefix"), Value::null(Type::String));
    assert!(bucket_exists(&name).await);
    let located = s3().await.get_bucket_location().bucket(&name).send().await.unwrap();
    assert_eq!(located.location_constraint().map(|l| l.as_str()), Some("eu-west-1"));
    assert_eq!(bucket_tags(&name).await, vec![("env".to_string(), "a".to_string())]);

    // The generated name: the prefix and Terraform's 26-character suffix; object lock on.
    let generated = h.str_attr(&state, "aws_s3_bucket.prefixed", "bucket");
    assert!(generated.starts_with(&prefix) && generated.len() == prefix.len() + 26, "{generated}");
    assert_eq!(h.str_attr(&state, "aws_s3_bucket.prefixed", "bucket_prefix"), prefix);
    assert_eq!(h.attr(&state, "aws_s3_bucket.prefixed", "object_lock_enabled"), Value::Bool(true));
    let lock = s3().await.get_object_lock_configuration().bucket(&generated).send().await.unwrap();
    assert_eq!(
        lock.object_lock_configuration().and_then(|l| l.object_lock_enabled()).map(|e| e.as_str()),
        Some("Enabled")
    );
    support::assert_no_changes(&h.plan(&src).await);

    // In place: tags (force_destroy is recorded without a call).
    let retagged = bucket_src(&name, "b", &prefix).replacen("tags = {", "force_destroy = true\n  tags = {", 1);
    assert_eq!(actions(&h.plan(&retagged).await), vec![(addr.to_string(), Action::Update)]);
    let state = h.apply(&retagged).await;
    assert_eq!(bucket_tags(&name).await, vec![("env".to_string(), "b".to_string())]);
    assert_eq!(h.attr(&state, addr, "force_destroy"), Value::Bool(true));
    support::assert_no_changes(&h.plan(&retagged).await);

    // Drift: tags changed behind terrane's back.
    let tagging = aws_sdk_s3::types::Tagging::builder()
        .tag_set(aws_sdk_s3::types::Tag::builder().key("env").value("drifted").build().unwrap())
        .tag_set(aws_sdk_s3::types::Tag::builder().key("extra").value("x").build().unwrap())
        .build()
        .unwrap();
    s3().await.put_bucket_tagging().bucket(&name).tagging(tagging).send().await.unwrap();
    let p = h.plan(&retagged).await;
    assert_eq!(drift(&p), vec![(addr.to_string(), Action::Update)]);
    assert_eq!(actions(&p), vec![(addr.to_string(), Action::Update)]);
    let state = h.apply(&retagged).await;
    assert_eq!(bucket_tags(&name).await, vec![("env".to_string(), "b".to_string())]);
    support::assert_no_changes(&h.plan(&retagged).await);

    // Import by name reproduces the state (force_destroy comes back false, as in Terraform).
    let imported = h.provider(&retagged).await.import("aws_s3_bucket", &name).await.unwrap();
    assert_eq!(imported.get_attr("force_destroy"), Some(&Value::Bool(false)));
    let unforced = bucket_src(&name, "b", &prefix);
    let state_unforced = h.apply(&unforced).await;
    assert_import(&h, &unforced, &state_unforced, addr, &name).await;
    assert_import(&h, &unforced, &state_unforced, "aws_s3_bucket.prefixed", &generated).await;
    let missing = h.provider(&unforced).await.import("aws_s3_bucket", &unique("tf-nothing")).await;
    assert!(missing.is_err_and(|e| e.message.contains("non-existent")));
    drop(state);

    // A new name replaces the bucket (the empty old one is deleted).
    let renamed_to = format!("{name}-2");
    let renamed = bucket_src(&renamed_to, "b", &prefix);
    let p = h.plan(&renamed).await;
    assert_eq!(change(&p, addr).action, Action::DeleteThenCreate);
    assert_eq!(change(&p, addr).replace_paths, vec![attr_path("bucket")]);
    let state = h.apply(&renamed).await;
    assert_eq!(h.str_attr(&state, addr, "id"), renamed_to);
    assert!(!bucket_exists(&name).await && bucket_exists(&renamed_to).await);

    // Deleted behind terrane's back: the plan creates it again.
    s3().await.delete_bucket().bucket(&renamed_to).send().await.unwrap();
    let p = h.plan(&renamed).await;
    assert_eq!(actions(&p), vec![(addr.to_string(), Action::Create)]);
    h.apply(&renamed).await;
    assert!(bucket_exists(&renamed_to).await);

    let state = h.destroy(&renamed).await;
    assert!(state.resources.is_empty());
    for b in [&name, &renamed_to, &generated] {
        assert!(!bucket_exists(b).await, "bucket {b} is still in moto");
    }
}

#[tokio::test]
async fn invalid_bucket_names_fail_validation() {
    let _serial = SERIAL.lock().await;
    let h = Harness::new();
    let src = r#"
resource "aws_s3_bucket" "bad" {
  bucket = "Not_A_Bucket"
}
"#;
    let err = h.try_plan(src, &PlanOptions::default()).await.err().expect("an invalid name is refused").to_string();
    assert!(err.contains("Invalid bucket name") && err.contains("lowercase"), "{err}");
}

// --------------------------------------------------------------------- destroy of a full bucket

fn full_bucket_src(name: &str, force: bool) -> String {
    format!(
        r#"
resource "aws_s3_bucket" "full" {{
  bucket        = "{name}"
  force_destroy = {force}
}}
"#
    )
}

/// Versioning is turned on through the API here, not with `aws_s3_bucket_versioning`:
/// destroying that resource suspends versioning before the bucket goes, and moto 5.2's
/// DeleteObjects fails (HTTP 500, `FakeDeleteMarker` has no `dispose`) on a key with a delete
/// marker in a suspended bucket. AWS deletes those versions whatever the versioning state.
#[tokio::test]
async fn a_full_bucket_is_kept_unless_force_destroy_then_every_version_goes() {
    let _serial = SERIAL.lock().await;
    let h = Harness::new();
    let name = unique("tf-full");
    let kept = full_bucket_src(&name, false);
    h.apply(&kept).await;
    let client = s3().await;
    let enabled = aws_sdk_s3::types::VersioningConfiguration::builder()
        .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
        .build();
    client.put_bucket_versioning().bucket(&name).versioning_configuration(enabled).send().await.unwrap();

    // 1,000 objects, three of them overwritten (a second version each) and two deleted (a
    // delete marker each): 1,005 versions and markers, more than one page of 1,000.
    let put = |key: String| {
        let client = client.clone();
        let name = name.clone();
        async move {
            client.put_object().bucket(&name).key(&key).body(ByteStream::from_static(b"x")).send().await.unwrap();
        }
    };
    use futures::stream::{self, StreamExt};
    stream::iter((0..1000).map(|i| format!("data/{i:04}"))).map(put).buffer_unordered(16).collect::<Vec<_>>().await;
    for i in 0..3 {
        put(format!("data/{i:04}")).await;
    }
    for i in 10..12 {
        client.delete_object().bucket(&name).key(format!("data/{i:04}")).send().await.unwrap();
    }

    // Without force_destroy: refused, naming the bucket and the count; nothing deleted.
    let (diags, state) = run(&h, &kept, PlanMode::Destroy).await;
    assert!(diags.contains(&format!("S3 bucket {name} is not empty")), "{diags}");
    assert!(diags.contains("1005 objects"), "{diags}");
    assert!(diags.contains("force_destroy = true"), "{diags}");
    assert!(bucket_exists(&name).await);
    let i = terrane_engine::addr::parse_instance("aws_s3_bucket.full").unwrap();
    assert!(state.object(&i.resource, &i.key).is_some(), "the bucket stays in the state");
    let listed = client.list_object_versions().bucket(&name).send().await.unwrap();
    assert_eq!(listed.versions().len() + listed.delete_markers().len(), 1000, "a full first page is still there");

    // force_destroy = true, applied, then destroy: every version and marker goes, a page at a
    // time (1,000, then 5, then an empty listing).
    let forced = full_bucket_src(&name, true);
    assert_eq!(actions(&h.plan(&forced).await), vec![("aws_s3_bucket.full".to_string(), Action::Update)]);
    h.apply(&forced).await;
    h.calls.reset();
    let state = h.destroy(&forced).await;
    assert!(state.resources.is_empty());
    assert!(!bucket_exists(&name).await, "bucket {name} is still in moto");
    let calls = h.calls.snapshot();
    assert_eq!(calls.get("S3.DeleteObjects"), Some(&2), "two batches for 1,005 versions: {calls:?}");
    assert_eq!(calls.get("S3.ListObjectVersions"), Some(&3), "two pages and the empty listing: {calls:?}");
    assert_eq!(calls.get("S3.DeleteBucket"), Some(&2), "refused while full, then deleted: {calls:?}");
}

// ---------------------------------------------------------------------- aws_s3_bucket_versioning

fn versioning_src(a: &str, b: &str, target: &str, status: &str) -> String {
    format!(
        r#"
resource "aws_s3_bucket" "a" {{
  bucket = "{a}"
}}

resource "aws_s3_bucket" "b" {{
  bucket = "{b}"
}}

resource "aws_s3_bucket_versioning" "v" {{
  bucket = aws_s3_bucket.{target}.id
  versioning_configuration {{
    status = "{status}"
  }}
}}
"#
    )
}

/// The bucket's versioning status. moto 5.2 names the answer's root element
/// `GetBucketVersioningResponse`, which the SDK refuses to decode: then the raw answer is read.
async fn versioning_status(bucket: &str) -> Option<String> {
    use aws_smithy_runtime_api::client::result::SdkError;
    match s3().await.get_bucket_versioning().bucket(bucket).send().await {
        Ok(out) => out.status().map(|s| s.as_str().to_string()),
        Err(SdkError::ServiceError(se)) if se.raw().status().is_success() => {
            let body = String::from_utf8_lossy(se.raw().body().bytes().unwrap()).into_owned();
            assert!(body.contains("<GetBucketVersioningResponse"), "{body}");
            body.split("<Status>").nth(1).and_then(|s| s.split("</Status>").next()).map(str::to_string)
        }
        Err(e) => panic!("GetBucketVersioning {bucket}: {e:?}"),
    }
}

#[tokio::test]
async fn versioning_lifecycle() {
    let _serial = SERIAL.lock().await;
    let h = Harness::new();
    let (a, b) = (unique("tf-ver-a"), unique("tf-ver-b"));
    let addr = "aws_s3_bucket_versioning.v";
    let src = versioning_src(&a, &b, "a", "Enabled");
    let state = h.apply(&src).await;
    assert_eq!(h.str_attr(&state, addr, "id"), a);
    assert_eq!(versioning_status(&a).await.as_deref(), Some("Enabled"));
    support::assert_no_changes(&h.plan(&src).await);

    // In place: suspended.
    let suspended = versioning_src(&a, &b, "a", "Suspended");
    assert_eq!(actions(&h.plan(&suspended).await), vec![(addr.to_string(), Action::Update)]);
    let state = h.apply(&suspended).await;
    assert_eq!(versioning_status(&a).await.as_deref(), Some("Suspended"));
    support::assert_no_changes(&h.plan(&suspended).await);

    // Drift: enabled again behind terrane's back.
    let enabled = aws_sdk_s3::types::VersioningConfiguration::builder()
        .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
        .build();
    s3().await.put_bucket_versioning().bucket(&a).versioning_configuration(enabled).send().await.unwrap();
    let p = h.plan(&suspended).await;
    assert_eq!(drift(&p), vec![(addr.to_string(), Action::Update)]);
    assert_eq!(actions(&p), vec![(addr.to_string(), Action::Update)]);
    h.apply(&suspended).await;
    assert_eq!(versioning_status(&a).await.as_deref(), Some("Suspended"));

    // A versioned bucket cannot go back to Disabled.
    let (diags, _) = run(&h, &versioning_src(&a, &b, "a", "Disabled"), PlanMode::Normal).await;
    assert!(diags.contains("cannot be updated from 'Suspended' to 'Disabled'"), "{diags}");
    assert_eq!(versioning_status(&a).await.as_deref(), Some("Suspended"));

    // Import by bucket name.
    assert_import(&h, &suspended, &state, addr, &a).await;

    // Another bucket replaces the resource; the old bucket's versioning is suspended.
    let moved = versioning_src(&a, &b, "b", "Enabled");
    h.apply(&src).await;
    assert_eq!(versioning_status(&a).await.as_deref(), Some("Enabled"));
    let p = h.plan(&moved).await;
    assert_eq!(change(&p, addr).action, Action::DeleteThenCreate);
    assert_eq!(change(&p, addr).replace_paths, vec![attr_path("bucket")]);
    h.apply(&moved).await;
    assert_eq!(versioning_status(&a).await.as_deref(), Some("Suspended"));
    assert_eq!(versioning_status(&b).await.as_deref(), Some("Enabled"));

    // Destroying the resource alone suspends versioning (the bucket stays).
    let without = format!(
        "resource \"aws_s3_bucket\" \"a\" {{\n  bucket = \"{a}\"\n}}\nresource \"aws_s3_bucket\" \"b\" {{\n  bucket = \"{b}\"\n}}\n"
    );
    assert_eq!(actions(&h.plan(&without).await), vec![(addr.to_string(), Action::Delete)]);
    h.apply(&without).await;
    assert_eq!(versioning_status(&b).await.as_deref(), Some("Suspended"));
    assert!(bucket_exists(&b).await);

    let state = h.destroy(&without).await;
    assert!(state.resources.is_empty());
    for x in [&a, &b] {
        assert!(!bucket_exists(x).await, "bucket {x} is still in moto");
    }
}

#[tokio::test]
async fn versioning_disabled_records_an_unversioned_bucket() {
    let _serial = SERIAL.lock().await;
    let h = Harness::new();
    let (a, b) = (unique("tf-ver-off"), unique("tf-ver-off"));
    let addr = "aws_s3_bucket_versioning.v";
    let src = versioning_src(&a, &b, "a", "Disabled");
    let state = h.apply(&src).await;
    assert_eq!(h.str_attr(&state, addr, "id"), a);
    assert_eq!(versioning_status(&a).await, None, "nothing was sent");
    let v = h.attr(&state, addr, "versioning_configuration");
    assert_eq!(v.as_seq().and_then(|s| s.first()).and_then(|x| x.get_attr("status")), Some(&Value::from("Disabled")));
    support::assert_no_changes(&h.plan(&src).await);
    assert_import(&h, &src, &state, addr, &a).await;

    // Disabled to Enabled is an ordinary update.
    let enabled = versioning_src(&a, &b, "a", "Enabled");
    assert_eq!(actions(&h.plan(&enabled).await), vec![(addr.to_string(), Action::Update)]);
    h.apply(&enabled).await;
    assert_eq!(versioning_status(&a).await.as_deref(), Some("Enabled"));

    let state = h.destroy(&enabled).await;
    assert!(state.resources.is_empty());
    assert!(!bucket_exists(&a).await && !bucket_exists(&b).await);
}

// ------------------------------------------------ aws_s3_bucket_server_side_encryption_configuration

fn sse_src(a: &str, b: &str, target: &str, by_default: &str, bucket_key: &str) -> String {
    format!(
        r#"
resource "aws_s3_bucket" "a" {{
  bucket = "{a}"
}}

resource "aws_s3_bucket" "b" {{
  bucket = "{b}"
}}

resource "aws_s3_bucket_server_side_encryption_configuration" "sse" {{
  bucket = aws_s3_bucket.{target}.id
  rule {{
    apply_server_side_encryption_by_default {{
      {by_default}
    }}
    {bucket_key}
  }}
}}
"#
    )
}

/// (algorithm, KMS key, bucket key) of the bucket's first encryption rule, or the error code.
async fn encryption(bucket: &str) -> Result<(String, Option<String>, bool), String> {
    match s3().await.get_bucket_encryption().bucket(bucket).send().await {
        Ok(out) => {
            let rule = &out.server_side_encryption_configuration().unwrap().rules()[0];
            let d = rule.apply_server_side_encryption_by_default().unwrap();
            Ok((
                d.sse_algorithm().as_str().to_string(),
                d.kms_master_key_id().map(str::to_string),
                rule.bucket_key_enabled() == Some(true),
            ))
        }
        Err(e) => Err(error_code::<_, _>(Err::<(), _>(e))),
    }
}

#[tokio::test]
async fn server_side_encryption_lifecycle() {
    let _serial = SERIAL.lock().await;
    let h = Harness::new();
    let (a, b) = (unique("tf-sse-a"), unique("tf-sse-b"));
    let key = kms().await.create_key().description("terrane s3 test").send().await.unwrap();
    let key_arn = key.key_metadata().unwrap().arn().unwrap().to_string();
    let addr = "aws_s3_bucket_server_side_encryption_configuration.sse";

    // SSE-S3.
    let aes = sse_src(&a, &b, "a", r#"sse_algorithm = "AES256""#, "");
    let state = h.apply(&aes).await;
    assert_eq!(h.str_attr(&state, addr, "id"), a);
    assert_eq!(encryption(&a).await, Ok(("AES256".to_string(), None, false)));
    support::assert_no_changes(&h.plan(&aes).await);

    // In place: SSE-KMS with a key and S3 Bucket Keys.
    let with_kms = sse_src(
        &a,
        &b,
        "a",
        &format!("sse_algorithm     = \"aws:kms\"\n      kms_master_key_id = \"{key_arn}\""),
        "bucket_key_enabled = true",
    );
    assert_eq!(actions(&h.plan(&with_kms).await), vec![(addr.to_string(), Action::Update)]);
    let state = h.apply(&with_kms).await;
    assert_eq!(encryption(&a).await, Ok(("aws:kms".to_string(), Some(key_arn.clone()), true)));
    support::assert_no_changes(&h.plan(&with_kms).await);

    // Drift: back to SSE-S3 behind terrane's back.
    let aes_rule = aws_sdk_s3::types::ServerSideEncryptionRule::builder()
        .apply_server_side_encryption_by_default(
            aws_sdk_s3::types::ServerSideEncryptionByDefault::builder()
                .sse_algorithm(aws_sdk_s3::types::ServerSideEncryption::Aes256)
                .build()
                .unwrap(),
        )
        .build();
    let conf = aws_sdk_s3::types::ServerSideEncryptionConfiguration::builder().rules(aes_rule).build().unwrap();
    s3().await.put_bucket_encryption().bucket(&a).server_side_encryption_configuration(conf).send().await.unwrap();
    let p = h.plan(&with_kms).await;
    assert_eq!(drift(&p), vec![(addr.to_string(), Action::Update)]);
    assert_eq!(actions(&p), vec![(addr.to_string(), Action::Update)]);
    h.apply(&with_kms).await;
    assert_eq!(encryption(&a).await, Ok(("aws:kms".to_string(), Some(key_arn.clone()), true)));
    support::assert_no_changes(&h.plan(&with_kms).await);

    // Import by bucket name.
    assert_import(&h, &with_kms, &state, addr, &a).await;

    // Another bucket replaces the resource; the old bucket's configuration is deleted.
    let moved = with_kms.replace("aws_s3_bucket.a.id", "aws_s3_bucket.b.id");
    let p = h.plan(&moved).await;
    assert_eq!(change(&p, addr).action, Action::DeleteThenCreate);
    assert_eq!(change(&p, addr).replace_paths, vec![attr_path("bucket")]);
    h.apply(&moved).await;
    assert_eq!(encryption(&b).await, Ok(("aws:kms".to_string(), Some(key_arn.clone()), true)));
    // AWS falls back to SSE-S3; moto reports no configuration.
    assert!(!matches!(encryption(&a).await, Ok((alg, _, _)) if alg == "aws:kms"), "{:?}", encryption(&a).await);

    // Destroyed: the configuration is gone, the bucket stays.
    let buckets_only = moved.split("resource \"aws_s3_bucket_server_side").next().unwrap().to_string();
    assert_eq!(actions(&h.plan(&buckets_only).await), vec![(addr.to_string(), Action::Delete)]);
    h.apply(&buckets_only).await;
    assert!(!matches!(encryption(&b).await, Ok((alg, _, _)) if alg == "aws:kms"), "{:?}", encryption(&b).await);
    assert!(bucket_exists(&b).await);

    let state = h.destroy(&buckets_only).await;
    assert!(state.resources.is_empty());
    assert!(!bucket_exists(&a).await && !bucket_exists(&b).await);
}

// ---------------------------------------------------------------- aws_s3_bucket_public_access_block

fn pab_src(a: &str, b: &str, target: &str, restrict: bool) -> String {
    format!(
        r#"
resource "aws_s3_bucket" "a" {{
  bucket = "{a}"
}}

resource "aws_s3_bucket" "b" {{
  bucket = "{b}"
}}

resource "aws_s3_bucket_public_access_block" "pab" {{
  bucket                  = aws_s3_bucket.{target}.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = {restrict}
}}
"#
    )
}

/// The four switches as S3 reports them, or the error code.
async fn public_access(bucket: &str) -> Result<[bool; 4], String> {
    match s3().await.get_public_access_block().bucket(bucket).send().await {
        Ok(out) => {
            let p = out.public_access_block_configuration().unwrap();
            Ok([
                p.block_public_acls().unwrap_or(false),
                p.block_public_policy().unwrap_or(false),
                p.ignore_public_acls().unwrap_or(false),
                p.restrict_public_buckets().unwrap_or(false),
            ])
        }
        Err(e) => Err(error_code::<_, _>(Err::<(), _>(e))),
    }
}

#[tokio::test]
async fn public_access_block_lifecycle() {
    let _serial = SERIAL.lock().await;
    let h = Harness::new();
    let (a, b) = (unique("tf-pab-a"), unique("tf-pab-b"));
    let addr = "aws_s3_bucket_public_access_block.pab";
    let src = pab_src(&a, &b, "a", true);
    let state = h.apply(&src).await;
    assert_eq!(h.str_attr(&state, addr, "id"), a);
    assert_eq!(public_access(&a).await, Ok([true; 4]));
    support::assert_no_changes(&h.plan(&src).await);

    // In place: one switch off.
    let relaxed = pab_src(&a, &b, "a", false);
    assert_eq!(actions(&h.plan(&relaxed).await), vec![(addr.to_string(), Action::Update)]);
    h.apply(&relaxed).await;
    assert_eq!(public_access(&a).await, Ok([true, true, true, false]));
    support::assert_no_changes(&h.plan(&relaxed).await);

    // Drift: all switches off behind terrane's back.
    let off = aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
        .block_public_acls(false)
        .block_public_policy(false)
        .ignore_public_acls(false)
        .restrict_public_buckets(false)
        .build();
    s3().await.put_public_access_block().bucket(&a).public_access_block_configuration(off).send().await.unwrap();
    let p = h.plan(&src).await;
    assert_eq!(drift(&p), vec![(addr.to_string(), Action::Update)]);
    assert_eq!(actions(&p), vec![(addr.to_string(), Action::Update)]);
    let state = h.apply(&src).await;
    assert_eq!(public_access(&a).await, Ok([true; 4]));

    // Import by bucket name.
    assert_import(&h, &src, &state, addr, &a).await;

    // Another bucket replaces the resource; the old bucket's block is deleted.
    let moved = pab_src(&a, &b, "b", true);
    let p = h.plan(&moved).await;
    assert_eq!(change(&p, addr).action, Action::DeleteThenCreate);
    assert_eq!(change(&p, addr).replace_paths, vec![attr_path("bucket")]);
    h.apply(&moved).await;
    assert_eq!(public_access(&a).await, Err("NoSuchPublicAccessBlockConfiguration".to_string()));
    assert_eq!(public_access(&b).await, Ok([true; 4]));

    // Deleted behind terrane's back: created again.
    s3().await.delete_public_access_block().bucket(&b).send().await.unwrap();
    assert_eq!(actions(&h.plan(&moved).await), vec![(addr.to_string(), Action::Create)]);
    h.apply(&moved).await;
    assert_eq!(public_access(&b).await, Ok([true; 4]));

    let state = h.destroy(&moved).await;
    assert!(state.resources.is_empty());
    assert!(!bucket_exists(&a).await && !bucket_exists(&b).await);
}

// ---------------------------------------------------------------------------- aws_s3_bucket_policy

fn policy_src(a: &str, b: &str, target: &str, actions: &str) -> String {
    format!(
        r#"
resource "aws_s3_bucket" "a" {{
  bucket = "{a}"
}}

resource "aws_s3_bucket" "b" {{
  bucket = "{b}"
}}

resource "aws_s3_bucket_policy" "p" {{
  bucket = aws_s3_bucket.{target}.id
  policy = <<-JSON
    {{
      "Version": "2012-10-17",
      "Statement": [
        {{
          "Sid": "Read",
          "Effect": "Allow",
          "Principal": {{ "AWS": "arn:aws:iam::123456789012:root" }},
          "Action": {actions},
          "Resource": "${{aws_s3_bucket.{target}.arn}}/*"
        }}
      ]
    }}
  JSON
}}
"#
    )
}

async fn bucket_policy(bucket: &str) -> Result<serde_json::Value, String> {
    match s3().await.get_bucket_policy().bucket(bucket).send().await {
        Ok(out) => Ok(serde_json::from_str(out.policy().unwrap()).unwrap()),
        Err(e) => Err(error_code::<_, _>(Err::<(), _>(e))),
    }
}

#[tokio::test]
async fn bucket_policy_lifecycle() {
    let _serial = SERIAL.lock().await;
    let h = Harness::new();
    let (a, b) = (unique("tf-pol-a"), unique("tf-pol-b"));
    let addr = "aws_s3_bucket_policy.p";
    let src = policy_src(&a, &b, "a", r#"["s3:GetObject"]"#);
    let state = h.apply(&src).await;
    assert_eq!(h.str_attr(&state, addr, "id"), a);
    let stored = bucket_policy(&a).await.unwrap();
    assert_eq!(stored["Statement"][0]["Resource"], format!("arn:aws:s3:::{a}/*"));
    support::assert_no_changes(&h.plan(&src).await);

    // S3 reformatting the document (whitespace, key order, a one-element list as a string)
    // is no change and no drift.
    let reformatted = format!(
        r#"{{"Statement":{{"Resource":"arn:aws:s3:::{a}/*","Action":"s3:GetObject","Principal":{{"AWS":["arn:aws:iam::123456789012:root"]}},"Effect":"Allow","Sid":"Read"}},"Version":"2012-10-17"}}"#
    );
    s3().await.put_bucket_policy().bucket(&a).policy(&reformatted).send().await.unwrap();
    let p = h.plan(&src).await;
    assert!(p.drift.is_empty(), "{:?}", drift(&p));
    support::assert_no_changes(&p);

    // In place: another action.
    let two = policy_src(&a, &b, "a", r#"["s3:GetObject", "s3:ListBucket"]"#);
    assert_eq!(actions(&h.plan(&two).await), vec![(addr.to_string(), Action::Update)]);
    let state = h.apply(&two).await;
    assert_eq!(bucket_policy(&a).await.unwrap()["Statement"][0]["Action"].as_array().map(Vec::len), Some(2));
    support::assert_no_changes(&h.plan(&two).await);

    // Drift: a different document behind terrane's back.
    s3().await.put_bucket_policy().bucket(&a).policy(&reformatted).send().await.unwrap();
    let p = h.plan(&two).await;
    assert_eq!(drift(&p), vec![(addr.to_string(), Action::Update)]);
    assert_eq!(actions(&p), vec![(addr.to_string(), Action::Update)]);
    h.apply(&two).await;
    assert_eq!(bucket_policy(&a).await.unwrap()["Statement"][0]["Action"].as_array().map(Vec::len), Some(2));

    // Import by bucket name.
    assert_import(&h, &two, &state, addr, &a).await;

    // Another bucket replaces the resource; the old bucket's policy is deleted.
    let moved = policy_src(&a, &b, "b", r#"["s3:GetObject", "s3:ListBucket"]"#);
    let p = h.plan(&moved).await;
    assert_eq!(change(&p, addr).action, Action::DeleteThenCreate);
    assert!(change(&p, addr).replace_paths.contains(&attr_path("bucket")));
    h.apply(&moved).await;
    assert_eq!(bucket_policy(&a).await, Err("NoSuchBucketPolicy".to_string()));
    assert_eq!(bucket_policy(&b).await.unwrap()["Statement"][0]["Resource"], format!("arn:aws:s3:::{b}/*"));

    let state = h.destroy(&moved).await;
    assert!(state.resources.is_empty());
    assert!(!bucket_exists(&a).await && !bucket_exists(&b).await);
}
