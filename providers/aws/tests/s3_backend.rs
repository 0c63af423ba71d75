//! The S3 state backend against moto (with its conditional writes): no lost write, locks,
//! workspaces, clear errors; and through a fault-injecting proxy: a failed write is retried, a
//! write or lock whose answer was lost is not taken for a conflict.

mod support;

use std::collections::BTreeMap;
use terrane_engine::state::{LockError, LockInfo, State, StateBackend, StateError};
use terrane_engine::value::Value;
use terrane_provider_aws::{S3Backend, S3Settings};

async fn s3() -> aws_sdk_s3::Client {
    let conf = aws_sdk_s3::config::Builder::new()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("eu-west-1"))
        .endpoint_url(support::MOTO)
        .force_path_style(true)
        .credentials_provider(aws_credential_types::Credentials::new("testing", "testing", None, None, "test"))
        .http_client(support::http_client())
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

async fn bucket() -> String {
    let name = support::unique("state").to_lowercase();
    support::new_bucket(&name).await;
    name
}

fn settings(bucket: &str, extra: &[(&str, Value)]) -> S3Settings {
    support::s3_backend_settings(bucket, support::MOTO, extra)
}

#[tokio::test]
async fn writes_are_conditional_so_no_write_is_lost() {
    let b = bucket().await;
    let first = S3Backend::new(settings(&b, &[("encrypt", Value::Bool(true))]));
    assert!(first.read("default").await.unwrap().is_none());
    let mut s = State::new();
    s.serial = 1;
    first.write("default", &s).await.unwrap();
    let got = s3().await.get_object().bucket(&b).key("platform/terraform.tfstate").send().await.unwrap();
    assert_eq!(got.server_side_encryption().map(|e| e.as_str()), Some("AES256"), "encrypted on write");

    // A second run reads, then the first writes again: the second's write must be refused.
    let second = S3Backend::new(settings(&b, &[]));
    let read = second.read("default").await.unwrap().unwrap();
    assert_eq!(read.serial, 1);
    s.serial = 2;
    first.write("default", &s).await.unwrap();
    let mut stale = read.clone();
    stale.serial = 3;
    match second.write("default", &stale).await {
        Err(StateError::Conflict(msg)) => assert!(msg.contains("changed since this run read it"), "{msg}"),
        other => panic!("a stale write must be refused, got {other:?}"),
    }
    let now = S3Backend::new(settings(&b, &[])).read("default").await.unwrap().unwrap();
    assert_eq!(now.serial, 2, "the newer state was not overwritten");

    // A fresh workspace written by two runs at once: only the first create wins.
    let a = S3Backend::new(settings(&b, &[]));
    let c = S3Backend::new(settings(&b, &[]));
    assert!(a.read("race").await.unwrap().is_none());
    assert!(c.read("race").await.unwrap().is_none());
    a.write("race", &State::new()).await.unwrap();
    assert!(matches!(c.write("race", &State::new()).await, Err(StateError::Conflict(_))));
}

#[tokio::test]
async fn the_lock_is_an_object_created_only_if_absent() {
    let b = bucket().await;
    let one = S3Backend::new(settings(&b, &[]));
    let two = S3Backend::new(settings(&b, &[]));
    let info = LockInfo::new("OperationTypeApply");
    one.lock("default", &info).await.unwrap();
    let lock = s3().await.get_object().bucket(&b).key("platform/terraform.tfstate.tflock").send().await.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&lock.body.collect().await.unwrap().into_bytes()).unwrap();
    assert_eq!(body["ID"], info.id);
    assert_eq!(body["Operation"], "OperationTypeApply");
    assert_eq!(body["Pid"], std::process::id());
    match two.lock("default", &LockInfo::new("OperationTypePlan")).await {
        Err(LockError::Held(h)) => {
            assert_eq!(h.id, info.id);
            assert!(h.path.contains(&b), "{}", h.path);
        }
        other => panic!("expected the lock to be held, got {other:?}"),
    }
    assert!(two.force_unlock("default", "wrong-id").await.is_err(), "force-unlock needs the holder's ID");
    one.unlock("default", &info.id).await.unwrap();
    let gone = s3().await.get_object().bucket(&b).key("platform/terraform.tfstate.tflock").send().await;
    assert!(gone.is_err(), "unlock removes the lock object");
    let again = LockInfo::new("OperationTypePlan");
    two.lock("default", &again).await.unwrap();
    one.force_unlock("default", &again.id).await.unwrap();
}

#[tokio::test]
async fn an_old_lock_is_reported_as_probably_stale() {
    let b = bucket().await;
    let holder = S3Backend::new(settings(&b, &[]));
    holder.lock("default", &LockInfo::new("OperationTypeApply")).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let other = S3Backend::new(settings(&b, &[])).with_stale_after(std::time::Duration::from_secs(1));
    match other.lock("default", &LockInfo::new("OperationTypePlan")).await {
        Err(LockError::Held(h)) => assert!(h.info.contains("probably stale"), "{}", h.info),
        other => panic!("expected a held lock, got {other:?}"),
    }
}

#[tokio::test]
async fn workspaces_live_under_the_prefix() {
    let b = bucket().await;
    let be = S3Backend::new(settings(&b, &[]));
    be.write("default", &State::new()).await.unwrap();
    be.write("staging", &State::new()).await.unwrap();
    be.write("prod", &State::new()).await.unwrap();
    let keys: Vec<String> = s3()
        .await
        .list_objects_v2()
        .bucket(&b)
        .send()
        .await
        .unwrap()
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_string))
        .collect();
    assert!(keys.contains(&"env:/staging/platform/terraform.tfstate".to_string()), "{keys:?}");
    assert!(keys.contains(&"platform/terraform.tfstate".to_string()), "{keys:?}");
    assert_eq!(be.workspaces().await.unwrap(), vec!["default", "prod", "staging"]);
    be.delete_workspace("staging").await.unwrap();
    assert_eq!(be.workspaces().await.unwrap(), vec!["default", "prod"]);
    let custom = S3Backend::new(settings(&b, &[("workspace_key_prefix", Value::from("workspaces"))]));
    custom.write("dev", &State::new()).await.unwrap();
    assert!(s3().await.head_object().bucket(&b).key("workspaces/dev/platform/terraform.tfstate").send().await.is_ok());
}

#[tokio::test]
async fn errors_say_what_to_fix() {
    let missing = S3Backend::new(settings("no-such-bucket-terrane", &[]));
    let e = missing.read("default").await.unwrap_err().to_string();
    assert!(e.contains("does not exist") && e.contains("no-such-bucket-terrane"), "{e}");
    assert!(!e.contains('\n'), "one line: {e}");
    let m = BTreeMap::from([("key".to_string(), Value::from("x"))]);
    assert!(S3Settings::from_config(&m).unwrap_err().contains("bucket"));
    let m = BTreeMap::from([
        ("bucket".to_string(), Value::from("b")),
        ("key".to_string(), Value::from("x")),
        ("dynamodb_table".to_string(), Value::from("locks")),
    ]);
    assert_eq!(S3Settings::from_config(&m).unwrap().dynamodb_table.as_deref(), Some("locks"));
    let m = BTreeMap::from([
        ("bucket".to_string(), Value::from("b")),
        ("key".to_string(), Value::from("x")),
        ("bukcet".to_string(), Value::from("y")),
    ]);
    assert!(S3Settings::from_config(&m).unwrap_err().contains("bukcet"));
}

/// A backend on `bucket` whose requests go through a fault proxy.
async fn proxied(bucket: &str) -> (support::fault_proxy::FaultProxy, S3Backend) {
    let proxy = support::fault_proxy::FaultProxy::start().await;
    let backend = S3Backend::new(support::s3_backend_settings(bucket, &proxy.url, &[]));
    (proxy, backend)
}

const STATE_KEY: &str = "/platform/terraform.tfstate";

#[tokio::test]
async fn a_state_write_failing_once_is_retried() {
    use support::fault_proxy::Fault;
    let b = bucket().await;
    let (proxy, be) = proxied(&b).await;
    be.lock("default", &LockInfo::new("OperationTypeApply")).await.unwrap();
    assert!(be.read("default").await.unwrap().is_none());
    let mut s = State::new();
    for (serial, fault) in [(1, Fault::Status(500)), (2, Fault::Throttle), (3, Fault::Drop)] {
        s.serial = serial;
        proxy.once_at("PutObject", STATE_KEY, fault);
        be.write("default", &s).await.unwrap_or_else(|e| panic!("write {serial} after {fault:?}: {e}"));
        proxy.all_fired().unwrap();
    }
    assert_eq!(proxy.faults("PutObject"), 3);
    let now = S3Backend::new(settings(&b, &[])).read("default").await.unwrap().unwrap();
    assert_eq!(now.serial, 3);
    be.unlock("default", &LockInfo::new("x").id).await.ok();
}

#[tokio::test]
async fn a_write_whose_answer_was_lost_is_not_taken_for_a_conflict() {
    use support::fault_proxy::Fault;
    let b = bucket().await;
    let (proxy, be) = proxied(&b).await;
    let mut s = State::new();
    s.serial = 1;
    be.write("default", &s).await.unwrap();

    // The write lands, its answer is lost; the SDK's retry (If-Match on the old ETag) is
    // refused by S3 — by the write itself, which is no conflict.
    s.serial = 2;
    proxy.once_at("PutObject", STATE_KEY, Fault::LoseResponse);
    be.write("default", &s).await.unwrap();
    proxy.all_fired().unwrap();
    // The ETag it now holds is the landed write's: the next write goes through.
    s.serial = 3;
    be.write("default", &s).await.unwrap();
    assert_eq!(S3Backend::new(settings(&b, &[])).read("default").await.unwrap().unwrap().serial, 3);

    // A first write to a fresh workspace (If-None-Match: *) alike.
    proxy.once_at("PutObject", "/dev/platform/terraform.tfstate", Fault::LoseResponse);
    be.write("dev", &s).await.unwrap();
    proxy.all_fired().unwrap();

    // A real conflict is still refused, answer lost or not.
    let other = S3Backend::new(settings(&b, &[]));
    let read = other.read("default").await.unwrap().unwrap();
    s.serial = 4;
    be.write("default", &s).await.unwrap();
    let mut stale = read;
    stale.serial = 5;
    match other.write("default", &stale).await {
        Err(StateError::Conflict(msg)) => assert!(msg.contains("changed since this run read it"), "{msg}"),
        other => panic!("a stale write must be refused, got {other:?}"),
    }
}

#[tokio::test]
async fn a_lock_whose_answer_was_lost_is_held() {
    use support::fault_proxy::Fault;
    let b = bucket().await;
    let (proxy, be) = proxied(&b).await;
    let info = LockInfo::new("OperationTypeApply");
    proxy.once_at("PutObject", "/platform/terraform.tfstate.tflock", Fault::LoseResponse);
    be.lock("default", &info).await.unwrap();
    proxy.all_fired().unwrap();
    match S3Backend::new(settings(&b, &[])).lock("default", &LockInfo::new("OperationTypePlan")).await {
        Err(LockError::Held(h)) => assert_eq!(h.id, info.id, "held by the first run"),
        other => panic!("expected a held lock, got {other:?}"),
    }
    be.unlock("default", &info.id).await.unwrap();
    S3Backend::new(settings(&b, &[])).lock("default", &LockInfo::new("OperationTypePlan")).await.unwrap();
}

async fn dynamodb() -> aws_sdk_dynamodb::Client {
    let conf = aws_sdk_dynamodb::config::Builder::new()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("eu-west-1"))
        .endpoint_url(support::MOTO)
        .credentials_provider(aws_credential_types::Credentials::new("testing", "testing", None, None, "test"))
        .http_client(support::http_client())
        .build();
    aws_sdk_dynamodb::Client::from_conf(conf)
}

/// A lock table as Terraform's documentation creates it (hash key `LockID`, a string).
async fn lock_table() -> String {
    use aws_sdk_dynamodb::types::{AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType};
    let name = support::unique("locks");
    dynamodb()
        .await
        .create_table()
        .table_name(&name)
        .key_schema(KeySchemaElement::builder().attribute_name("LockID").key_type(KeyType::Hash).build().unwrap())
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("LockID")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
    name
}

async fn item(
    table: &str,
    id: &str,
) -> Option<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
    let out = dynamodb()
        .await
        .get_item()
        .table_name(table)
        .key("LockID", aws_sdk_dynamodb::types::AttributeValue::S(id.into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    out.item
}

fn s(v: &aws_sdk_dynamodb::types::AttributeValue) -> &str {
    v.as_s().unwrap()
}

/// With `dynamodb_table`, as Terraform: the lock is also an item put only if absent (both
/// locks or neither), every write records the state's MD5 digest beside it, and a state whose
/// digest does not match is refused once the wait for a late write is over.
#[tokio::test]
async fn with_dynamodb_table_locks_are_items_and_every_write_records_the_digest() {
    use md5::Digest;
    let b = bucket().await;
    let table = lock_table().await;
    let extra = [
        ("dynamodb_table", Value::from(table.as_str())),
        ("endpoints", Value::object([("s3", Value::from(support::MOTO)), ("dynamodb", Value::from(support::MOTO))])),
    ];
    let one = S3Backend::new(settings(&b, &extra));
    let two = S3Backend::new(settings(&b, &extra)).with_digest_wait(std::time::Duration::from_millis(600));
    let lock_id = format!("{b}/platform/terraform.tfstate");

    let info = LockInfo::new("OperationTypeApply");
    one.lock("default", &info).await.unwrap();
    let held = item(&table, &lock_id).await.expect("the lock item");
    let body: serde_json::Value = serde_json::from_str(s(&held["Info"])).unwrap();
    assert_eq!(body["ID"], info.id);
    assert_eq!(body["Operation"], "OperationTypeApply");
    match two.lock("default", &LockInfo::new("OperationTypePlan")).await {
        Err(LockError::Held(h)) => assert_eq!(h.id, info.id),
        other => panic!("expected the lock to be held, got {other:?}"),
    }
    one.unlock("default", &info.id).await.unwrap();
    assert!(item(&table, &lock_id).await.is_none(), "unlock removes the item");

    // A lock item left by someone else (Terraform) and no lock object: still refused, and
    // the S3 lock taken meanwhile is given back.
    let theirs = LockInfo::new("OperationTypeApply");
    dynamodb()
        .await
        .put_item()
        .table_name(&table)
        .item("LockID", aws_sdk_dynamodb::types::AttributeValue::S(lock_id.clone()))
        .item("Info", aws_sdk_dynamodb::types::AttributeValue::S(serde_json::to_string(&theirs).unwrap()))
        .send()
        .await
        .unwrap();
    assert!(matches!(two.lock("default", &LockInfo::new("OperationTypePlan")).await, Err(LockError::Held(_))));
    let lockfile = s3().await.get_object().bucket(&b).key("platform/terraform.tfstate.tflock").send().await;
    assert!(lockfile.is_err(), "no S3 lock kept without the DynamoDB one");
    two.force_unlock("default", &theirs.id).await.unwrap();
    assert!(item(&table, &lock_id).await.is_none());

    // Every write records the digest of exactly what was written.
    let mut st = State::new();
    st.serial = 4;
    one.write("default", &st).await.unwrap();
    let object = s3().await.get_object().bucket(&b).key("platform/terraform.tfstate").send().await.unwrap();
    let bytes = object.body.collect().await.unwrap().into_bytes();
    let digest = item(&table, &format!("{lock_id}-md5")).await.expect("the digest item");
    assert_eq!(s(&digest["Digest"]), hex::encode(md5::Md5::digest(&bytes)));
    assert_eq!(two.read("default").await.unwrap().unwrap().serial, 4);

    // A digest that does not match what S3 holds (a write still on its way, or a state
    // changed behind the backend's back) is refused, saying what to check and set.
    dynamodb()
        .await
        .put_item()
        .table_name(&table)
        .item("LockID", aws_sdk_dynamodb::types::AttributeValue::S(format!("{lock_id}-md5")))
        .item("Digest", aws_sdk_dynamodb::types::AttributeValue::S("0123456789abcdef0123456789abcdef".into()))
        .send()
        .await
        .unwrap();
    match two.read("default").await {
        Err(StateError::Corrupt(msg)) => {
            assert!(msg.contains("does not have the expected content"), "{msg}");
            assert!(msg.contains(&hex::encode(md5::Md5::digest(&bytes))), "{msg}");
        }
        other => panic!("expected the digest mismatch to be refused, got {other:?}"),
    }
}
