use super::local::LocalBackend;
use super::*;
use crate::schema::{Attribute, Schema};
use crate::value::Type;
use crate::value::Value;

const TERRAFORM_STATE: &str = include_str!("../../tests/fixtures/state/terraform-1.11.tfstate");

fn terraform_data_schema() -> Schema {
    Schema::new()
        .attr("id", Attribute::computed(Type::String))
        .attr("input", Attribute::optional(Type::Dynamic))
        .attr("output", Attribute::computed(Type::Dynamic))
        .attr("triggers_replace", Attribute::optional(Type::Dynamic))
}

#[test]
fn reads_a_state_written_by_terraform() {
    let state = State::from_json(TERRAFORM_STATE.as_bytes()).unwrap();
    assert_eq!(state.serial, 4);
    let a = crate::addr::ResourceAddr::managed("terraform_data", "a");
    let obj = state.object(&a, &InstanceKey::None).unwrap();
    assert_eq!(obj.sensitive_paths, vec![vec![PathStep::Attr("input".into()), PathStep::Attr("pw".into())]]);
    let v = value_from_object(obj, &terraform_data_schema());
    let pw = v.get_attr("input").and_then(|i| i.get_attr("pw")).unwrap();
    assert!(pw.is_sensitive());
    assert_eq!(pw.unmarked(), &Value::from("hunter2"));
    let b = crate::addr::ResourceAddr::managed("terraform_data", "b");
    assert_eq!(state.resource(&b).unwrap().instances.len(), 2);
    assert_eq!(state.resource(&b).unwrap().each, EachMode::List);
}

#[test]
fn round_trips_terraform_state_json() {
    let state = State::from_json(TERRAFORM_STATE.as_bytes()).unwrap();
    let again = State::from_json(&state.to_json()).unwrap();
    assert_eq!(state, again);
    let a: serde_json::Value = serde_json::from_str(TERRAFORM_STATE).unwrap();
    let b: serde_json::Value = serde_json::from_slice(&state.to_json()).unwrap();
    assert_eq!(a["resources"], b["resources"], "resources must be written exactly as Terraform writes them");
    assert_eq!(a["outputs"], b["outputs"]);
}

#[test]
fn any_typed_attributes_are_stored_with_their_type() {
    let schema = terraform_data_schema();
    let v = Value::object([
        ("id", Value::from("x")),
        ("input", Value::set_any(vec!["b".into(), "a".into()])),
        ("output", Value::NULL),
        ("triggers_replace", Value::NULL),
    ]);
    let (json, sens) = object_from_value(&v, &schema);
    assert!(sens.is_empty());
    assert_eq!(json.to_json()["input"], serde_json::json!({"value": ["a", "b"], "type": ["set", "string"]}));
    let obj = ObjectState {
        schema_version: 0,
        attributes: json,
        sensitive_paths: sens,
        dependencies: vec![].into(),
        status: ObjectStatus::Ready,
        create_before_destroy: false,
        private: None,
    };
    assert_eq!(value_from_object(&obj, &schema), v);
}

#[tokio::test]
async fn local_backend_writes_atomically_with_backup_and_private_mode() {
    let dir = tempfile::tempdir().unwrap();
    let b = LocalBackend::in_dir(dir.path());
    assert!(b.read("default").await.unwrap().is_none());
    let mut s = State::new();
    s.serial = 1;
    b.write("default", &s).await.unwrap();
    let b2 = LocalBackend::in_dir(dir.path());
    s.serial = 2;
    b2.write("default", &s).await.unwrap();
    assert_eq!(b2.read("default").await.unwrap().unwrap().serial, 2);
    let backup = State::from_json(&std::fs::read(dir.path().join("terraform.tfstate.backup")).unwrap()).unwrap();
    assert_eq!(backup.serial, 1, "the backup holds the state the run started from");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("terraform.tfstate")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".terrane-state-"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files are left behind");
}

#[tokio::test]
async fn local_lock_is_exclusive_and_reports_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    let a = LocalBackend::in_dir(dir.path());
    let b = LocalBackend::in_dir(dir.path());
    let info = LockInfo::new("apply");
    a.lock("default", &info).await.unwrap();
    match b.lock("default", &LockInfo::new("plan")).await {
        Err(LockError::Held(h)) => {
            assert_eq!(h.id, info.id);
            assert_eq!(h.operation, "apply");
            assert_eq!(h.pid, std::process::id());
        }
        other => panic!("expected the lock to be held, got {other:?}"),
    }
    let err = b.force_unlock("default", &info.id).await.unwrap_err();
    assert!(err.to_string().contains("running process"), "{err}");
    a.unlock("default", &info.id).await.unwrap();
    b.lock("default", &LockInfo::new("plan")).await.unwrap();
}

#[tokio::test]
async fn lock_timeout_waits_for_release() {
    let dir = tempfile::tempdir().unwrap();
    let a = std::sync::Arc::new(LocalBackend::in_dir(dir.path()));
    let b = LocalBackend::in_dir(dir.path());
    let info = LockInfo::new("apply");
    a.lock("default", &info).await.unwrap();
    let a2 = a.clone();
    let id = info.id.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        a2.unlock("default", &id).await.unwrap();
    });
    let r = lock_with_timeout(&b, "default", &LockInfo::new("plan"), std::time::Duration::from_secs(5)).await;
    assert!(r.is_ok(), "{r:?}");
    let r =
        lock_with_timeout(a.as_ref(), "default", &LockInfo::new("plan"), std::time::Duration::from_millis(200)).await;
    assert!(matches!(r, Err(LockError::Held(_))));
}

#[tokio::test]
async fn workspaces_live_in_their_own_directory() {
    let dir = tempfile::tempdir().unwrap();
    let b = LocalBackend::in_dir(dir.path());
    b.write("staging", &State::new()).await.unwrap();
    assert!(dir.path().join("terraform.tfstate.d/staging/terraform.tfstate").exists());
    assert_eq!(b.workspaces().await.unwrap(), vec!["default", "staging"]);
    b.delete_workspace("staging").await.unwrap();
    assert_eq!(b.workspaces().await.unwrap(), vec!["default"]);
    assert!(b.delete_workspace("default").await.is_err());
}

#[test]
fn provider_addresses() {
    assert_eq!(
        provider_address("hashicorp/aws", Some("west")),
        "provider[\"registry.terraform.io/hashicorp/aws\"].west"
    );
    assert_eq!(
        parse_provider_address("provider[\"terraform.io/builtin/terraform\"]"),
        Some(("terraform".to_string(), None))
    );
}

#[test]
fn recorded_inputs_round_trip_and_keep_secrets_out() {
    let mut s = State::new();
    let tags = Value::object([("env", Value::from("prod"))]);
    s.inputs.insert("tag".into(), RecordedInput::record(&s.lineage, &Value::from("1.0"), false));
    s.inputs.insert("tags".into(), RecordedInput::record(&s.lineage, &tags, false));
    let secret = Value::from("hunter2-secret").mark_sensitive();
    s.inputs.insert("password".into(), RecordedInput::record(&s.lineage, &secret, true));
    let bytes = s.to_json();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(!text.contains("hunter2-secret"), "{text}");
    let back = State::from_json(&bytes).unwrap();
    assert_eq!(back.inputs, s.inputs);
    assert!(back.inputs["tag"].matches(&back.lineage, &Value::from("1.0")));
    assert!(!back.inputs["tag"].matches(&back.lineage, &Value::from("1.1")));
    assert!(back.inputs["tags"].matches(&back.lineage, &tags));
    assert!(back.inputs["password"].matches(&back.lineage, &secret));
    assert!(!back.inputs["password"].matches(&back.lineage, &Value::from("other").mark_sensitive()));
    assert_eq!(back.inputs["password"].value(), None);
    // The digest depends on the lineage: the same secret in another state gives another one.
    assert_ne!(RecordedInput::digest("other-lineage", &secret), RecordedInput::digest(&back.lineage, &secret));
    // A damaged record is refused, not half-used.
    let broken = text.replace("\"digest\"", "\"digestx\"");
    assert!(State::from_json(broken.as_bytes()).is_err());
}

#[test]
fn a_null_input_is_recorded_and_read_back() {
    // A variable whose value is null (`default = null`) is a value: the state written after
    // an apply must read back, and compare equal to the same null next time.
    let mut s = State::new();
    s.inputs.insert("maybe".into(), RecordedInput::record(&s.lineage, &Value::NULL, false));
    let text = String::from_utf8(s.to_json()).unwrap();
    assert!(text.contains("\"maybe\""), "{text}");
    let back = State::from_json(text.as_bytes()).expect("a state with a null input reads back");
    assert_eq!(back.inputs, s.inputs);
    assert!(back.inputs["maybe"].matches(&back.lineage, &Value::NULL));
    assert!(!back.inputs["maybe"].matches(&back.lineage, &Value::from("x")));
}

#[test]
fn states_written_with_a_null_input_by_earlier_versions_read_back() {
    // What terrane 0.1 wrote for `variable "maybe" { type = string, default = null }`.
    let text = r#"{"version":4,"terraform_version":"1.11.4","serial":1,"lineage":"l","outputs":{},"resources":[],
        "terrane_inputs":{"maybe":{"value":null,"type":"dynamic"}}}"#;
    let s = State::from_json(text.as_bytes()).expect("readable");
    assert!(s.inputs["maybe"].matches("l", &Value::NULL));
}

#[tokio::test]
async fn a_directory_with_only_the_former_state_file_keeps_using_it() {
    use crate::state::local::default_paths;
    let dir = tempfile::tempdir().unwrap();
    // A new directory gets Terraform's names.
    assert_eq!(default_paths(dir.path()).0, dir.path().join("terraform.tfstate"));
    // One that terrane 0.1 initialised keeps its file: nothing is left behind unread.
    let mut s = State::new();
    s.serial = 7;
    LocalBackend::new(dir.path().join("terrane.tfstate"), dir.path().join("terrane.tfstate.d"))
        .write("default", &s)
        .await
        .unwrap();
    let (file, workspaces) = default_paths(dir.path());
    assert_eq!((file, workspaces), (dir.path().join("terrane.tfstate"), dir.path().join("terrane.tfstate.d")));
    assert_eq!(LocalBackend::in_dir(dir.path()).read("default").await.unwrap().unwrap().serial, 7);
    // Once Terraform's file exists (Terraform ran here), it is the state.
    std::fs::write(dir.path().join("terraform.tfstate"), s.to_json()).unwrap();
    assert_eq!(default_paths(dir.path()).0, dir.path().join("terraform.tfstate"));
}

#[test]
fn create_tokens_carry_the_time_they_were_made() {
    let before = std::time::SystemTime::now() - std::time::Duration::from_millis(1);
    let token = super::new_create_token();
    let after = std::time::SystemTime::now() + std::time::Duration::from_millis(1);
    assert!(token.starts_with("terrane-") && token.len() == 40, "{token}");
    let t = super::create_token_time(&token).unwrap();
    assert!(before <= t && t <= after, "{t:?} not between {before:?} and {after:?}");
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_800_000_000);
    assert_eq!(super::create_token_time(&super::create_token_at(at)), Some(at));
    // Tokens written before tokens carried a time (version 4) have none.
    assert_eq!(super::create_token_time(&format!("terrane-{}", uuid::Uuid::new_v4().simple())), None);
    assert_eq!(super::create_token_time("a-token"), None);
}

#[test]
fn api_timestamps_in_any_offset_are_read() {
    let t = crate::attrs::rfc3339_time("2026-12-07T06:12:01.5Z").unwrap();
    assert_eq!(t.duration_since(std::time::UNIX_EPOCH).unwrap().as_millis(), 1_796_623_921_500);
    assert_eq!(crate::attrs::rfc3339_time("2026-12-07T08:12:01.5+02:00"), Some(t));
    assert_eq!(crate::attrs::rfc3339_time("yesterday"), None);
}
