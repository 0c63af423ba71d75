//! KMS keys and aliases, `data "aws_kms_key"` and `data "aws_iam_policy_document"` against
//! moto: create, read back, re-plan clean, update in place, replace, import, drift, destroy;
//! refresh batching; policy documents feeding real resources.

mod support;

use support::{change, drift};

use support::{Harness, actions, assert_no_changes, iam, kms, unique};
use terrane_engine::plan::Action;

use terrane_engine::state::State;
use terrane_engine::value::{PathStep, Type, Value};

/// Tests that call AWS run one at a time within a process: some count API calls, and the
/// counter is process-wide (nextest runs each test in its own process anyway).
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Imports `addr`'s object by `id` and checks every attribute matches the state (but `skip`).
async fn assert_import_matches(h: &Harness, src: &str, state: &State, addr: &str, id: &str, skip: &[&str]) {
    let p = h.provider(src).await;
    let stored = h.value(state, addr);
    let type_name = addr.split('.').next().unwrap();
    let imported = p.import(type_name, id).await.unwrap_or_else(|e| panic!("importing {addr} ({id}): {}", e.message));
    for (k, v) in stored.as_map().unwrap() {
        if skip.contains(&k.as_str()) {
            continue;
        }
        assert_eq!(imported.get_attr(k), Some(v), "{addr}.{k} differs after import");
    }
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

/// IAM returns documents URL-encoded.
fn url_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn output(state: &State, name: &str) -> serde_json::Value {
    state.outputs.get(name).unwrap_or_else(|| panic!("no output {name}")).value.clone()
}

async fn key_state(key_id: &str) -> (String, Option<i64>) {
    let m = kms().await.describe_key().key_id(key_id).send().await.unwrap().key_metadata.unwrap();
    (m.key_state().unwrap().as_str().to_string(), m.deletion_date().map(|d| d.secs()))
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

// -------------------------------------------------------------------------------------------
// aws_kms_key
// -------------------------------------------------------------------------------------------

struct KeyArgs<'a> {
    description: &'a str,
    rotation: bool,
    enabled: bool,
    tag: &'a str,
    /// The actions the second policy statement allows.
    actions: &'a str,
    /// More arguments of the key.
    extra: &'a str,
}

fn key_config(a: &KeyArgs) -> String {
    r#"
data "aws_caller_identity" "current" {}

data "aws_iam_policy_document" "key" {
  statement {
    sid       = "Root"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "Use"
    actions   = [ACTIONS]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "k" {
  description             = "DESCRIPTION"
  deletion_window_in_days = 7
  enable_key_rotation     = ROTATION
  is_enabled              = ENABLED
  policy                  = data.aws_iam_policy_document.key.json
  EXTRA
  tags = {
    team = "TAG"
  }
  timeouts {
    create = "5m"
  }
}
"#
    .replace("DESCRIPTION", a.description)
    .replace("ROTATION", &a.rotation.to_string())
    .replace("ENABLED", &a.enabled.to_string())
    .replace("TAG", a.tag)
    .replace("ACTIONS", a.actions)
    .replace("EXTRA", a.extra)
}

#[tokio::test]
async fn kms_key_lifecycle() {
    let _serial = SERIAL.lock().await;
    let h = Harness::new();
    let client = kms().await;
    let tag = unique("platform");
    let mut args = KeyArgs {
        description: "state bucket",
        rotation: true,
        enabled: true,
        tag: &tag,
        actions: r#""kms:Encrypt", "kms:Decrypt""#,
        extra: "",
    };
    let src = key_config(&args);
    assert_eq!(actions(&h.plan(&src).await), vec![("aws_kms_key.k".to_string(), Action::Create)]);
    let state = h.apply(&src).await;

    let id = h.str_attr(&state, "aws_kms_key.k", "id");
    assert_eq!(h.str_attr(&state, "aws_kms_key.k", "key_id"), id);
    assert!(h.str_attr(&state, "aws_kms_key.k", "arn").ends_with(&format!(":key/{id}")));
    assert_eq!(h.attr(&state, "aws_kms_key.k", "key_usage"), Value::from("ENCRYPT_DECRYPT"));
    assert_eq!(h.attr(&state, "aws_kms_key.k", "customer_master_key_spec"), Value::from("SYMMETRIC_DEFAULT"));
    assert_eq!(h.attr(&state, "aws_kms_key.k", "multi_region"), Value::Bool(false));
    // The policy is stored as Terraform stores it: normalised JSON (keys sorted, compact).
    let policy = h.str_attr(&state, "aws_kms_key.k", "policy");
    assert_eq!(policy, serde_json::to_string(&json(&policy)).unwrap());
    assert!(
        policy.starts_with(r#"{"Statement":[{"Action":"kms:*","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::"#),
        "{policy}"
    );

    // What KMS holds.
    let m = client.describe_key().key_id(&id).send().await.unwrap().key_metadata.unwrap();
    assert_eq!((m.description(), m.enabled()), (Some("state bucket"), true));
    assert!(client.get_key_rotation_status().key_id(&id).send().await.unwrap().key_rotation_enabled());
    let held = client.get_key_policy().key_id(&id).policy_name("default").send().await.unwrap();
    assert_eq!(json(held.policy().unwrap()), json(&policy));
    let tags = client.list_resource_tags().key_id(&id).send().await.unwrap();
    assert_eq!(
        tags.tags()
            .iter()
            .filter(|t| t.tag_key() != "terrane:create-token")
            .map(|t| (t.tag_key(), t.tag_value()))
            .collect::<Vec<_>>(),
        vec![("team", tag.as_str())]
    );

    assert_no_changes(&h.plan(&src).await);

    // KMS holding the same policy formatted otherwise is no drift.
    let pretty = serde_json::to_string_pretty(&json(&policy)).unwrap().replace("\"Version\"", "\"Version\" ");
    client.put_key_policy().key_id(&id).policy_name("default").policy(pretty).send().await.unwrap();
    let p = h.plan(&src).await;
    assert!(drift(&p).is_empty(), "an equivalent policy is no drift: {:?}", drift(&p));
    assert_no_changes(&p);

    // In place: description, rotation, enabled, tags, the policy.
    let tag2 = format!("{tag}-ops");
    args = KeyArgs {
        description: "state bucket (old)",
        rotation: false,
        enabled: false,
        tag: &tag2,
        actions: r#""kms:Decrypt""#,
        ..args
    };
    let updated = key_config(&args);
    let p = h.plan(&updated).await;
    assert_eq!(actions(&p), vec![("aws_kms_key.k".to_string(), Action::Update)]);
    let state = h.apply(&updated).await;
    assert_eq!(h.str_attr(&state, "aws_kms_key.k", "id"), id, "updated in place");
    let m = client.describe_key().key_id(&id).send().await.unwrap().key_metadata.unwrap();
    assert_eq!((m.description(), m.enabled()), (Some("state bucket (old)"), false));
    assert!(!client.get_key_rotation_status().key_id(&id).send().await.unwrap().key_rotation_enabled());
    let held = client.get_key_policy().key_id(&id).policy_name("default").send().await.unwrap();
    let held = json(held.policy().unwrap());
    assert_eq!(held["Statement"][1]["Action"], "kms:Decrypt", "{held}");
    let tags = client.list_resource_tags().key_id(&id).send().await.unwrap();
    let visible = tags.tags().iter().filter(|t| t.tag_key() != "terrane:create-token");
    assert_eq!(visible.map(|t| t.tag_value()).collect::<Vec<_>>(), vec![tag2.as_str()]);
    assert_eq!(h.attr(&state, "aws_kms_key.k", "is_enabled"), Value::Bool(false));
    assert_no_changes(&h.plan(&updated).await);

    // Drift: a description and the enabled flag changed behind terrane's back.
    client.update_key_description().key_id(&id).description("changed by hand").send().await.unwrap();
    client.enable_key().key_id(&id).send().await.unwrap();
    let p = h.plan(&updated).await;
    assert_eq!(drift(&p), vec![("aws_kms_key.k".to_string(), Action::Update)]);
    assert_eq!(actions(&p), vec![("aws_kms_key.k".to_string(), Action::Update)]);
    let before = change(&p, "aws_kms_key.k").before.clone();
    assert_eq!(before.get_attr("description"), Some(&Value::from("changed by hand")));
    assert_eq!(before.get_attr("is_enabled"), Some(&Value::Bool(true)));
    let state = h.apply(&updated).await;
    let m = client.describe_key().key_id(&id).send().await.unwrap().key_metadata.unwrap();
    assert_eq!((m.description(), m.enabled()), (Some("state bucket (old)"), false));
    assert_no_changes(&h.plan(&updated).await);

    // Import by key ID reproduces the state (but what Terraform does not import).
    assert_import_matches(&h, &updated, &state, "aws_kms_key.k", &id, &["deletion_window_in_days", "timeouts"]).await;
    let missing = h.provider(&updated).await.import("aws_kms_key", "0f0e0d0c-0b0a-0908-0706-050403020100").await;
    assert!(missing.unwrap_err().message.contains("non-existent"));

    // multi_region forces a new key; the old one is scheduled for deletion.
    let multi = key_config(&KeyArgs { extra: "multi_region = true", ..args });
    let p = h.plan(&multi).await;
    let c = change(&p, "aws_kms_key.k");
    assert_eq!(c.action, Action::DeleteThenCreate);
    assert_eq!(c.replace_paths, vec![vec![PathStep::Attr("multi_region".into())]]);
    let state = h.apply(&multi).await;
    let new_id = h.str_attr(&state, "aws_kms_key.k", "id");
    assert_ne!(new_id, id);
    assert!(new_id.starts_with("mrk-"), "{new_id}");
    assert_eq!(h.attr(&state, "aws_kms_key.k", "multi_region"), Value::Bool(true));
    assert_eq!(key_state(&id).await.0, "PendingDeletion");
    assert_no_changes(&h.plan(&multi).await);

    // Destroy schedules the deletion with the configured window (7 days).
    let state = h.destroy(&multi).await;
    assert!(
        state.resources.keys().all(|a| a.mode != terrane_engine::addr::Mode::Managed),
        "{:?}",
        state.resources.keys()
    );
    let (st, date) = key_state(&new_id).await;
    assert_eq!(st, "PendingDeletion");
    let days = (date.unwrap() - now()) as f64 / 86400.0;
    assert!((6.9..=7.1).contains(&days), "deletion in {days} days");
}

#[tokio::test]
async fn kms_key_defaults_and_refresh_calls() {
    let _serial = SERIAL.lock().await;
    let h = Harness::new();
    let src = r#"
resource "aws_kms_key" "plain" {}

resource "aws_kms_key" "signing" {
  key_usage                = "SIGN_VERIFY"
  customer_master_key_spec = "RSA_2048"
  description              = "release signing"
}
"#;
    let state = h.apply(src).await;
    // Without a policy, KMS's default policy is computed (the account may do everything).
    let policy = json(&h.str_attr(&state, "aws_kms_key.plain", "policy"));
    assert_eq!(policy["Statement"][0]["Action"], "kms:*", "{policy}");
    assert!(policy["Statement"][0]["Principal"]["AWS"].as_str().unwrap().ends_with(":root"), "{policy}");
    for (k, v) in [
        ("description", Value::from("")),
        ("key_usage", Value::from("ENCRYPT_DECRYPT")),
        ("customer_master_key_spec", Value::from("SYMMETRIC_DEFAULT")),
        ("is_enabled", Value::Bool(true)),
        ("enable_key_rotation", Value::Bool(false)),
        ("bypass_policy_lockout_safety_check", Value::Bool(false)),
        ("deletion_window_in_days", Value::null(Type::Number)),
        ("tags", Value::null(Type::map(Type::String))),
    ] {
        assert_eq!(h.attr(&state, "aws_kms_key.plain", k), v, "{k}");
    }
    assert_eq!(h.attr(&state, "aws_kms_key.signing", "customer_master_key_spec"), Value::from("RSA_2048"));
    let signing = h.str_attr(&state, "aws_kms_key.signing", "id");
    let m = kms().await.describe_key().key_id(&signing).send().await.unwrap().key_metadata.unwrap();
    assert_eq!(m.key_usage().unwrap().as_str(), "SIGN_VERIFY");

    // Refresh: one DescribeKey, GetKeyPolicy and ListResourceTags per key (KMS cannot
    // describe many keys at once); only the symmetric key has a rotation status to read.
    h.calls.reset();
    assert_no_changes(&h.plan(src).await);
    let calls = h.calls.snapshot();
    let count = |op: &str| calls.get(op).copied().unwrap_or(0);
    assert_eq!(count("KMS.DescribeKey"), 2, "{calls:?}");
    assert_eq!(count("KMS.GetKeyPolicy"), 2, "{calls:?}");
    assert_eq!(count("KMS.ListResourceTags"), 2, "{calls:?}");
    assert_eq!(count("KMS.GetKeyRotationStatus"), 1, "{calls:?}");
    // And the provider's account ID (STS GetCallerIdentity), asked once as hashicorp/aws does.
    assert_eq!(count("STS.GetCallerIdentity"), 1, "{calls:?}");
    assert_eq!(calls.values().sum::<u64>(), 8, "{calls:?}");

    // A changed key usage replaces the key.
    let p = h.plan(&src.replace("SIGN_VERIFY", "ENCRYPT_DECRYPT")).await;
    assert_eq!(change(&p, "aws_kms_key.signing").action, Action::DeleteThenCreate);

    // A key scheduled for deletion behind terrane's back is gone, as for Terraform.
    kms().await.schedule_key_deletion().key_id(&signing).pending_window_in_days(7).send().await.unwrap();
    let p = h.plan(src).await;
    assert_eq!(drift(&p), vec![("aws_kms_key.signing".to_string(), Action::Delete)]);
    assert_eq!(actions(&p), vec![("aws_kms_key.signing".to_string(), Action::Create)]);

    // Destroy without a window: AWS's default, 30 days.
    let plain = h.str_attr(&state, "aws_kms_key.plain", "id");
    assert!(h.destroy(src).await.resources.is_empty());
    let (st, date) = key_state(&plain).await;
    assert_eq!(st, "PendingDeletion");
    let days = (date.unwrap() - now()) as f64 / 86400.0;
    assert!((29.9..=30.1).contains(&days), "deletion in {days} days");
}

#[tokio::test]
async fn kms_key_arguments_are_validated() {
    let h = Harness::new();
    let src = r#"
resource "aws_kms_key" "bad" {
  deletion_window_in_days = 3
  key_usage               = "DECRYPT_ONLY"
}
"#;
    let err = h.try_plan(src, &Default::default()).await.err().expect("invalid arguments are refused").to_string();
    assert!(err.contains("deletion_window_in_days") && err.contains("(7 - 30)"), "{err}");
    assert!(err.contains("key_usage"), "{err}");
}

// -------------------------------------------------------------------------------------------
// aws_kms_alias
// -------------------------------------------------------------------------------------------

fn alias_config(name: &str, target: &str) -> String {
    r#"
resource "aws_kms_key" "a" {
  description             = "key a"
  deletion_window_in_days = 7
}

resource "aws_kms_key" "b" {
  description             = "key b"
  deletion_window_in_days = 7
}

resource "aws_kms_alias" "app" {
  name          = "alias/NAME"
  target_key_id = aws_kms_key.TARGET.key_id
}

resource "aws_kms_alias" "gen" {
  name_prefix   = "alias/terrane-"
  target_key_id = aws_kms_key.a.arn
}
"#
    .replace("NAME", name)
    .replace("TARGET", target)
}

async fn alias_target(name: &str) -> Option<String> {
    let out = kms().await.list_aliases().limit(1000).send().await.unwrap();
    out.aliases().iter().find(|a| a.alias_name() == Some(name)).and_then(|a| a.target_key_id().map(str::to_string))
}

#[tokio::test]
async fn kms_alias_lifecycle() {
    let _serial = SERIAL.lock().await;
    let h = Harness::new();
    let name = unique("app");
    let alias = format!("alias/{name}");
    let src = alias_config(&name, "a");
    let state = h.apply(&src).await;
    let key_a = h.str_attr(&state, "aws_kms_key.a", "id");
    let key_b = h.str_attr(&state, "aws_kms_key.b", "id");

    assert_eq!(h.str_attr(&state, "aws_kms_alias.app", "id"), alias);
    assert_eq!(h.str_attr(&state, "aws_kms_alias.app", "name"), alias);
    assert!(h.str_attr(&state, "aws_kms_alias.app", "arn").ends_with(&format!(":{alias}")));
    assert_eq!(h.str_attr(&state, "aws_kms_alias.app", "target_key_id"), key_a);
    assert_eq!(h.str_attr(&state, "aws_kms_alias.app", "target_key_arn"), h.str_attr(&state, "aws_kms_key.a", "arn"));
    assert_eq!(h.attr(&state, "aws_kms_alias.app", "name_prefix"), Value::null(Type::String));
    // A generated name: the prefix and Terraform's 26-character suffix.
    let generated = h.str_attr(&state, "aws_kms_alias.gen", "name");
    assert!(generated.starts_with("alias/terrane-") && generated.len() == "alias/terrane-".len() + 26, "{generated}");
    assert_eq!(h.attr(&state, "aws_kms_alias.gen", "name_prefix"), Value::from("alias/terrane-"));
    // Configured by key ARN, read back as the key ID: the same key, no change.
    assert_eq!(h.str_attr(&state, "aws_kms_alias.gen", "target_key_id"), key_a);
    assert_eq!(alias_target(&alias).await.as_deref(), Some(key_a.as_str()));
    assert_eq!(alias_target(&generated).await.as_deref(), Some(key_a.as_str()));

    // Refresh lists the aliases once for both.
    h.calls.reset();
    assert_no_changes(&h.plan(&src).await);
    let calls = h.calls.snapshot();
    assert_eq!(calls.get("KMS.ListAliases").copied(), Some(1), "{calls:?}");

    // Retargeting updates the alias in place.
    let retargeted = alias_config(&name, "b");
    let p = h.plan(&retargeted).await;
    assert_eq!(actions(&p), vec![("aws_kms_alias.app".to_string(), Action::Update)]);
    let state = h.apply(&retargeted).await;
    assert_eq!(alias_target(&alias).await.as_deref(), Some(key_b.as_str()));
    assert_eq!(h.str_attr(&state, "aws_kms_alias.app", "target_key_arn"), h.str_attr(&state, "aws_kms_key.b", "arn"));
    assert_no_changes(&h.plan(&retargeted).await);

    // Drift: the alias moved back behind terrane's back.
    kms().await.update_alias().alias_name(&alias).target_key_id(&key_a).send().await.unwrap();
    let p = h.plan(&retargeted).await;
    assert_eq!(drift(&p), vec![("aws_kms_alias.app".to_string(), Action::Update)]);
    assert_eq!(actions(&p), vec![("aws_kms_alias.app".to_string(), Action::Update)]);
    let state = h.apply(&retargeted).await;
    assert_eq!(alias_target(&alias).await.as_deref(), Some(key_b.as_str()));

    // Import by name.
    assert_import_matches(&h, &retargeted, &state, "aws_kms_alias.app", &alias, &[]).await;
    assert_import_matches(&h, &retargeted, &state, "aws_kms_alias.gen", &generated, &[]).await;

    // A new name replaces the alias.
    let renamed = alias_config(&format!("{name}-v2"), "b");
    let p = h.plan(&renamed).await;
    let c = change(&p, "aws_kms_alias.app");
    assert_eq!(c.action, Action::DeleteThenCreate);
    assert_eq!(c.replace_paths, vec![vec![PathStep::Attr("name".into())]]);
    h.apply(&renamed).await;
    assert_eq!(alias_target(&alias).await, None);
    assert_eq!(alias_target(&format!("{alias}-v2")).await.as_deref(), Some(key_b.as_str()));

    // Destroy leaves no alias and both keys pending deletion.
    assert!(h.destroy(&renamed).await.resources.is_empty());
    assert_eq!(alias_target(&format!("{alias}-v2")).await, None);
    assert_eq!(alias_target(&generated).await, None);
    assert_eq!(key_state(&key_a).await.0, "PendingDeletion");
    assert_eq!(key_state(&key_b).await.0, "PendingDeletion");
}

#[tokio::test]
async fn kms_alias_names_are_validated() {
    let h = Harness::new();
    for (bad, why) in [
        (r#"name = "app""#, "must begin with 'alias/'"),
        (r#"name = "alias/aws/s3""#, "reserved"),
        ("name = \"alias/a\"\n  name_prefix = \"alias/b\"", "conflicts"),
    ] {
        let src = format!("resource \"aws_kms_alias\" \"x\" {{\n  {bad}\n  target_key_id = \"k\"\n}}\n");
        let err = h.try_plan(&src, &Default::default()).await.err().expect("refused").to_string();
        assert!(err.contains(why), "{bad}: {err}");
    }
}

// -------------------------------------------------------------------------------------------
// data "aws_kms_key"
// -------------------------------------------------------------------------------------------

#[tokio::test]
async fn kms_key_data_source_finds_keys_by_id_arn_and_alias() {
    let _serial = SERIAL.lock().await;
    let h = Harness::new();
    let name = unique("lookup");
    let src = format!(
        r#"
resource "aws_kms_key" "k" {{
  description             = "looked up"
  deletion_window_in_days = 7
}}

resource "aws_kms_alias" "k" {{
  name          = "alias/{name}"
  target_key_id = aws_kms_key.k.key_id
}}

data "aws_kms_key" "by_id" {{
  key_id = aws_kms_key.k.key_id
}}

data "aws_kms_key" "by_arn" {{
  key_id = aws_kms_key.k.arn
}}

data "aws_kms_key" "by_alias" {{
  key_id = aws_kms_alias.k.name
}}

data "aws_kms_key" "by_alias_arn" {{
  key_id = aws_kms_alias.k.arn
}}

output "found" {{
  value = {{
    for k, d in {{ id = data.aws_kms_key.by_id, arn = data.aws_kms_key.by_arn, alias = data.aws_kms_key.by_alias, alias_arn = data.aws_kms_key.by_alias_arn }} :
    k => [d.id, d.arn, d.description, d.key_state, d.key_usage, d.enabled, d.key_spec, d.origin, d.key_manager, d.multi_region]
  }}
}}

output "details" {{
  value = [data.aws_kms_key.by_id.key_id, data.aws_kms_key.by_id.creation_date, data.aws_kms_key.by_id.aws_account_id, length(data.aws_kms_key.by_id.multi_region_configuration), length(data.aws_kms_key.by_id.xks_key_configuration)]
}}
"#
    );
    let state = h.apply(&src).await;
    let id = h.str_attr(&state, "aws_kms_key.k", "id");
    let arn = h.str_attr(&state, "aws_kms_key.k", "arn");
    let expected = serde_json::json!([
        id,
        arn,
        "looked up",
        "Enabled",
        "ENCRYPT_DECRYPT",
        true,
        "SYMMETRIC_DEFAULT",
        "AWS_KMS",
        "CUSTOMER",
        false
    ]);
    let found = output(&state, "found");
    for k in ["id", "arn", "alias", "alias_arn"] {
        assert_eq!(found[k], expected, "looked up by {k}");
    }
    let details = output(&state, "details");
    assert_eq!(details[0], serde_json::Value::from(id.clone()), "key_id stays as configured");
    assert!(details[1].as_str().unwrap().ends_with('Z'), "{details}");
    assert_eq!(details[2], "123456789012");
    assert_eq!(details[3], 0, "a single-Region key has no multi_region_configuration");
    assert_eq!(details[4], 0, "nor an external key store");
    assert_no_changes(&h.plan(&src).await);

    // A key that does not exist is an error naming it.
    let missing = "data \"aws_kms_key\" \"x\" {\n  key_id = \"alias/no-such-alias-terrane\"\n}\n";
    let err = h.try_plan(missing, &Default::default()).await.err().expect("an unknown key is an error").to_string();
    assert!(err.contains("alias/no-such-alias-terrane") && err.contains("NotFoundException"), "{err}");
    let state = h.destroy(&src).await;
    assert!(state.resources.keys().all(|a| a.mode != terrane_engine::addr::Mode::Managed));
    assert_eq!(key_state(&id).await.0, "PendingDeletion");
}

// -------------------------------------------------------------------------------------------
// data "aws_iam_policy_document"
// -------------------------------------------------------------------------------------------

fn documents_config(role: &str, actions: &str) -> String {
    r#"
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "r" {
  name               = "ROLE"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_kms_key" "k" {
  description             = "used by ROLE"
  deletion_window_in_days = 7
}

data "aws_iam_policy_document" "use_key" {
  statement {
    sid       = "UseKey"
    actions   = [ACTIONS]
    resources = [aws_kms_key.k.arn]
  }
  statement {
    sid       = "ListOwnPrefix"
    actions   = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::bucket"]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["home/&{aws:username}/"]
    }
  }
}

resource "aws_iam_role_policy" "use_key" {
  name   = "use-key"
  role   = aws_iam_role.r.name
  policy = data.aws_iam_policy_document.use_key.json
}

output "use_key" {
  value = data.aws_iam_policy_document.use_key.json
}
"#
    .replace("ROLE", role)
    .replace("ACTIONS", actions)
}

#[tokio::test]
async fn iam_policy_documents_feed_real_resources() {
    let _serial = SERIAL.lock().await;
    let h = Harness::new();
    let role = unique("doc-role");
    let src = documents_config(&role, r#""kms:Decrypt", "kms:GenerateDataKey""#);
    // The document naming the key waits for it: read during apply.
    let p = h.plan(&src).await;
    let mut acts = actions(&p);
    acts.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        acts,
        vec![
            ("aws_iam_role.r".to_string(), Action::Create),
            ("aws_iam_role_policy.use_key".to_string(), Action::Create),
            ("aws_kms_key.k".to_string(), Action::Create),
            ("data.aws_iam_policy_document.use_key".to_string(), Action::Read),
        ]
    );
    let state = h.apply(&src).await;
    let key_arn = h.str_attr(&state, "aws_kms_key.k", "arn");
    let expected = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "UseKey",
      "Effect": "Allow",
      "Action": [
        "kms:GenerateDataKey",
        "kms:Decrypt"
      ],
      "Resource": "KEY"
    },
    {
      "Sid": "ListOwnPrefix",
      "Effect": "Allow",
      "Action": "s3:ListBucket",
      "Resource": "arn:aws:s3:::bucket",
      "Condition": {
        "StringLike": {
          "s3:prefix": "home/${aws:username}/"
        }
      }
    }
  ]
}"#
    .replace("KEY", &key_arn);
    assert_eq!(output(&state, "use_key"), serde_json::Value::from(expected.clone()));

    // IAM holds the documents.
    let client = iam().await;
    let held = client.get_role_policy().role_name(&role).policy_name("use-key").send().await.unwrap();
    assert_eq!(json(&url_decoded(held.policy_document())), json(&expected));
    let got = client.get_role().role_name(&role).send().await.unwrap();
    let trust = json(&url_decoded(got.role().unwrap().assume_role_policy_document().unwrap()));
    assert_eq!(trust["Statement"][0]["Principal"]["Service"], "ec2.amazonaws.com", "{trust}");
    assert_eq!(trust["Statement"][0]["Action"], "sts:AssumeRole", "{trust}");

    // Re-planned, the documents are rendered at plan time and mean the same: no change.
    assert_no_changes(&h.plan(&src).await);

    // Another action changes the inline policy, and only it.
    let narrowed = documents_config(&role, r#""kms:Decrypt""#);
    let p = h.plan(&narrowed).await;
    assert_eq!(actions(&p), vec![("aws_iam_role_policy.use_key".to_string(), Action::Update)]);
    h.apply(&narrowed).await;
    let held = client.get_role_policy().role_name(&role).policy_name("use-key").send().await.unwrap();
    assert_eq!(json(&url_decoded(held.policy_document()))["Statement"][0]["Action"], "kms:Decrypt");
    assert_no_changes(&h.plan(&narrowed).await);

    let state = h.destroy(&narrowed).await;
    assert!(state.resources.keys().all(|a| a.mode != terrane_engine::addr::Mode::Managed));
    assert!(client.get_role().role_name(&role).send().await.is_err(), "the role is gone");
}

/// The document is a pure function: it is rendered by a provider that cannot reach AWS at
/// all (no endpoint answers, credentials would be checked first), which fails any real call.
#[tokio::test]
async fn iam_policy_document_needs_no_aws_call() {
    let provider = terrane_engine::provider::ProviderFactory::new_instance(&terrane_provider_aws::AwsFactory);
    let dead = "http://127.0.0.1:9";
    let endpoints = Value::tuple(vec![Value::object([("sts", Value::from(dead)), ("iam", Value::from(dead))])]);
    let config = Value::object([
        ("region", Value::from("eu-west-1")),
        ("access_key", Value::from("nobody")),
        ("secret_key", Value::from("nothing")),
        ("max_retries", Value::from(1i64)),
        ("skip_credentials_validation", Value::Bool(false)),
        ("endpoints", endpoints),
    ]);
    provider.configure(config).await.unwrap();
    let doc = Value::object([(
        "statement",
        Value::tuple(vec![Value::object([
            ("actions", Value::set_any(vec!["s3:GetObject".into(), "s3:PutObject".into()])),
            ("resources", Value::set_any(vec!["arn:aws:s3:::b/*".into()])),
        ])]),
    )]);
    let out = provider.read_data("aws_iam_policy_document", doc).await.unwrap_or_else(|e| panic!("{}", e.message));
    assert_eq!(
        out.get_attr("minified_json").and_then(Value::as_str),
        Some(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::b/*"}]}"#
        )
    );
    // The same provider fails a data source that does need AWS.
    let err = provider.read_data("aws_caller_identity", Value::object::<&str>([])).await.unwrap_err();
    assert!(err.message.contains("GetCallerIdentity"), "{}", err.message);
}
