//! A working directory that Terraform 1.11 initialised and applied
//! (`tests/fixtures/terraform-dir/`, recorded by its `regenerate.sh`) is taken over by terrane
//! with nothing renamed or re-initialised, and what terrane writes there stays where
//! Terraform looks for it.

use crate::Work;
use crate::s3::{Bucket, http, work};
use std::path::{Path, PathBuf};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/terraform-dir")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The fixture's configuration, state files and `.terraform/environment` in a new directory.
fn terraform_dir() -> Work {
    let w = Work::new(&std::fs::read_to_string(fixture().join("main.tf")).unwrap());
    copy_dir(&fixture().join("local"), w.path());
    w
}

#[test]
fn a_terraform_directory_plans_no_changes_in_its_selected_workspace() {
    let w = terraform_dir();
    // Terraform left `staging` selected; its state is under terraform.tfstate.d.
    assert_eq!(w.ok(&["workspace", "show"]).trim(), "staging");
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode", "-var", "greeting=hi"]);
    assert_eq!(code, 0, "no changes expected\n{out}\n{err}");
    assert_eq!(w.ok(&["output", "-raw", "message"]), "hi from staging");
    // Terraform's arbitrary-precision number, read from its state and written back exactly.
    assert_eq!(w.ok(&["output", "-json", "big"]).trim(), "123456789012345678901234567890");

    w.ok(&["workspace", "select", "default"]);
    assert_eq!(std::fs::read_to_string(w.path().join(".terraform/environment")).unwrap(), "default");
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "no changes expected in default\n{out}\n{err}");
    assert_eq!(w.ok(&["output", "-raw", "message"]), "hello from default");
}

#[test]
fn what_terrane_applies_in_a_terraform_directory_stays_in_terraform_files() {
    let w = terraform_dir();
    let before = json(&w.path().join("terraform.tfstate.d/staging/terraform.tfstate"));
    w.ok(&["apply", "-auto-approve", "-var", "greeting=hey"]);
    let after = json(&w.path().join("terraform.tfstate.d/staging/terraform.tfstate"));
    assert_eq!(after["lineage"], before["lineage"], "the same state, continued");
    assert!(after["serial"].as_u64() > before["serial"].as_u64(), "{after}");
    assert_eq!(after["outputs"]["message"]["value"], "hey from staging");
    assert_eq!(after["outputs"]["big"]["value"].to_string(), "123456789012345678901234567890");
    // The default workspace's file is Terraform's and untouched; nothing under terrane's
    // former names appears.
    assert_eq!(json(&w.path().join("terraform.tfstate")), json(&fixture().join("local/terraform.tfstate")));
    for name in ["terrane.tfstate", "terrane.tfstate.d", ".terrane/environment"] {
        assert!(!w.path().join(name).exists(), "{name} was written");
    }
}

#[test]
fn a_directory_of_terrane_0_1_keeps_its_state() {
    let w = Work::new("resource \"terraform_data\" \"x\" {\n  input = var.v\n}\nvariable \"v\" {}\n");
    w.ok(&["apply", "-auto-approve", "-var", "v=1"]);
    // As terrane 0.1 left it: terrane.tfstate and the workspace in .terrane/environment.
    std::fs::rename(w.path().join("terraform.tfstate"), w.path().join("terrane.tfstate")).unwrap();
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode", "-var", "v=1"]);
    assert_eq!(code, 0, "the former file is still the state\n{out}\n{err}");
    w.ok(&["apply", "-auto-approve", "-var", "v=2"]);
    assert!(!w.path().join("terraform.tfstate").exists());
    let state = json(&w.path().join("terrane.tfstate"));
    assert_eq!(state["resources"][0]["instances"][0]["attributes"]["input"]["value"], "2");
}

#[test]
fn the_s3_backend_terraform_init_recorded_is_used_without_terrane_init() {
    let b = Bucket::new("from-tf");
    let key = "platform/terraform.tfstate";
    let w = work(&format!(
        r#"terraform {{
  backend "s3" {{
    key                         = "{key}"
    region                      = "eu-west-1"
    use_path_style              = true
    skip_credentials_validation = true
    skip_requesting_account_id  = true
  }}
}}
{}"#,
        std::fs::read_to_string(fixture().join("main.tf")).unwrap()
    ));
    // What `terraform init -backend-config=bucket=... -backend-config=endpoints=...` recorded,
    // pointed at this test's bucket, and the state Terraform left in it.
    let recorded = std::fs::read_to_string(fixture().join("s3-backend.tfstate"))
        .unwrap()
        .replace("terrane-fixture-bucket", &b.name);
    std::fs::create_dir_all(w.path().join(".terraform")).unwrap();
    std::fs::write(w.path().join(".terraform/terraform.tfstate"), recorded).unwrap();
    let state = std::fs::read(fixture().join("local/terraform.tfstate")).unwrap();
    assert_eq!(http("PUT", &b.url(key), &[], &state).status, 200);

    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "no init and no changes expected\n{out}\n{err}");
    assert_eq!(w.ok(&["output", "-raw", "message"]), "hello from default");
    w.ok(&["apply", "-auto-approve", "-var", "greeting=hey"]);
    assert_eq!(b.state(key)["outputs"]["message"]["value"], "hey from default");
    assert!(!w.path().join("terraform.tfstate").exists(), "no local copy of the state");

    // A block setting that no longer matches what Terraform recorded needs an init, as in
    // Terraform.
    let main = std::fs::read_to_string(w.path().join("main.tf")).unwrap();
    w.write("main.tf", &main.replace("platform/terraform.tfstate", "elsewhere/terraform.tfstate"));
    let (code, _, err) = w.run(&["plan"]);
    assert_eq!(code, 1);
    assert!(err.contains("Backend configuration changed"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Terraform with the real hashicorp/aws plugin, on moto, and terrane taking turns

/// The Terraform CLI configuration `tests/env/terraform.sh` writes (Terraform 1.11 with the
/// hashicorp/aws 5.100.0 plugin from the machine's filesystem mirror, offline).
pub(crate) fn terraform_cli_config() -> PathBuf {
    let path = PathBuf::from(
        std::env::var("TERRANE_TF_CLI_CONFIG").unwrap_or_else(|_| "/var/tmp/terrane-env/terraform.tfrc".into()),
    );
    assert!(path.exists(), "{} is missing: run tests/env/setup.sh (it finds Terraform and the plugin)", path.display());
    path
}

/// Runs `terraform ARGS` in `w`; returns (exit code, stdout and stderr).
fn terraform(w: &Work, args: &[&str]) -> (i32, String) {
    terraform_in(w.path(), args)
}

/// Runs `terraform ARGS` in `dir` with the plugin mirror's CLI configuration.
pub(crate) fn terraform_in(dir: &Path, args: &[&str]) -> (i32, String) {
    let rc = terraform_cli_config();
    terraform_env(dir, args, &[("TF_CLI_CONFIG_FILE", rc.to_str().unwrap())])
}

/// Runs `terraform ARGS` in `dir` with `env` (a CLI configuration among it), non-interactive.
pub(crate) fn terraform_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let out = std::process::Command::new("terraform")
        .current_dir(dir)
        .args(args)
        .envs(env.iter().copied())
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_INPUT", "0")
        .env_remove("TF_WORKSPACE")
        .output()
        .expect("terraform runs (tests/env/setup.sh checks it is installed)");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

fn terraform_ok(w: &Work, args: &[&str]) -> String {
    let (code, out) = terraform(w, args);
    assert_eq!(code, 0, "terraform {args:?} failed:\n{out}");
    out
}

/// A directory with the 31-object platform (and its 8 data sources) of `tests/fixtures/handover`, its names from `name`.
fn platform(name: &str) -> Work {
    let main = std::fs::read_to_string(fixture().parent().unwrap().join("handover/main.tf")).unwrap();
    let w = work(&main).with_env("TF_VAR_name", name);
    std::fs::copy(fixture().parent().unwrap().join("handover/key.pub"), w.path().join("key.pub")).unwrap();
    w
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{:x}",
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() % 0xff_ffff
    )
}

/// The promise of #18 both ways, with Terraform 1.11 and the real plugin on moto, grouped in
/// one test (each Terraform apply of the platform takes about a minute and a half):
/// Terraform applies (its state in S3, locked in DynamoDB, as most teams keep it), terrane
/// finds nothing to change, changes something, Terraform agrees with what it recorded,
/// terrane destroys; terrane applies (local state), Terraform finds nothing to change and
/// destroys.
#[test]
fn terraform_and_terrane_hand_a_platform_back_and_forth() {
    // In: Terraform made it.
    let name = unique("in");
    let w = platform(&name);
    let b = Bucket::new("handover");
    let key = "platform/terraform.tfstate";
    w.write("backend.tf", &s3_backend(&b.name, key, &format!("dynamodb_table = \"{}\"", lock_table(&b))));
    let tf = |args: &[&str]| terraform(&w, &[args, &["-var", &format!("name={name}")]].concat());
    terraform_ok(&w, &["init", "-no-color"]);
    let (code, out) = tf(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(code, 0, "terraform apply:\n{out}");
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "terrane plans changes on what Terraform applied:\n{out}\n{err}");
    let (_, tf_read) = terraform(&w, &["output", "-json", "read"]);
    let applied = w.ok(&["apply", "-auto-approve", "-var", "retention=30"]);
    assert!(applied.contains("0 added, 1 changed, 0 destroyed"), "{applied}");
    // Its data sources read what Terraform's read (the output, evaluated again by terrane).
    let ours = w.ok(&["output", "-json", "read"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&ours).unwrap(),
        serde_json::from_str::<serde_json::Value>(&tf_read).unwrap(),
        "terrane's data sources read otherwise than Terraform's"
    );
    // (Read-only, so without Terraform's lock: its DynamoDB PutItem, retried by its SDK after
    // an answer moto sent but that got lost under load, once found its own first attempt's
    // item and failed as locked.)
    let (code, out) = tf(&["plan", "-detailed-exitcode", "-no-color", "-lock=false", "-var", "retention=30"]);
    assert_eq!(code, 0, "Terraform disagrees with what terrane changed and recorded:\n{out}");
    w.ok(&["destroy", "-auto-approve"]);
    let left = b.state(key)["resources"].as_array().unwrap().iter().filter(|r| r["mode"] == "managed").count();
    assert_eq!(left, 0, "terrane destroyed what Terraform made, recorded in S3");
    assert!(!w.path().join("terraform.tfstate").exists(), "no local state beside the S3 one");

    // Out: terrane made it.
    let name = unique("out");
    let w = platform(&name);
    let tf = |args: &[&str]| terraform(&w, &[args, &["-var", &format!("name={name}")]].concat());
    w.ok(&["apply", "-auto-approve"]);
    terraform_ok(&w, &["init", "-no-color"]);
    let (code, out) = tf(&["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(code, 0, "Terraform plans changes on what terrane applied:\n{out}");
    let (code, out) = tf(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(code, 0, "terraform destroy:\n{out}");
    assert!(out.contains("31 destroyed"), "{out}");
}

/// A `backend "s3"` block for `bucket` and `key` on moto, with `setting` (how it locks).
fn s3_backend(bucket: &str, key: &str, setting: &str) -> String {
    let moto = crate::s3::MOTO;
    format!(
        r#"terraform {{
  backend "s3" {{
    bucket                      = "{bucket}"
    key                         = "{key}"
    region                      = "eu-west-1"
    {setting}
    endpoints                   = {{ s3 = "http://{moto}", dynamodb = "http://{moto}" }}
    access_key                  = "testing"
    secret_key                  = "testing"
    use_path_style              = true
    skip_credentials_validation = true
    skip_requesting_account_id  = true
  }}
}}
"#
    )
}

/// A DynamoDB lock table on moto, as Terraform's documentation creates it.
fn lock_table(b: &Bucket) -> String {
    let table = format!("{}-locks", b.name);
    dynamodb(
        "CreateTable",
        serde_json::json!({
            "TableName": table,
            "KeySchema": [{"AttributeName": "LockID", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "LockID", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST"
        }),
    );
    table
}

/// A DynamoDB request to moto (`target` as in `X-Amz-Target`).
fn dynamodb(target: &str, body: serde_json::Value) -> serde_json::Value {
    let target = format!("DynamoDB_20120810.{target}");
    let r = http(
        "POST",
        "/",
        &[("X-Amz-Target", target.as_str()), ("Content-Type", "application/x-amz-json-1.0")],
        body.to_string().as_bytes(),
    );
    assert_eq!(r.status, 200, "{target}: {}", r.text());
    serde_json::from_slice(&r.body).unwrap()
}

/// The item `id` of `table`, if any.
fn item(table: &str, id: &str) -> Option<serde_json::Value> {
    let out = dynamodb(
        "GetItem",
        serde_json::json!({"TableName": table, "Key": {"LockID": {"S": id}}, "ConsistentRead": true}),
    );
    out.get("Item").cloned()
}

/// How a state is kept and locked, for [`take_turns`].
enum Locking<'a> {
    /// S3 with `dynamodb_table`: an item `<bucket>/<key>`, and the state's digest beside it.
    DynamoDb { b: &'a Bucket, table: &'a str },
    /// S3 with `use_lockfile = true`: an object `<key>.tflock`.
    LockFile { b: &'a Bucket },
    /// The local backend: a POSIX lock on `terraform.tfstate`, its holder in
    /// `.terraform.tfstate.lock.info`.
    Local,
}

const KEY: &str = "platform/terraform.tfstate";

impl Locking<'_> {
    /// The configuration, its one resource's input set to `input`.
    fn config(&self, input: &str) -> String {
        let backend = match self {
            Locking::DynamoDb { b, table } => s3_backend(&b.name, KEY, &format!("dynamodb_table = \"{table}\"")),
            Locking::LockFile { b } => s3_backend(&b.name, KEY, "use_lockfile = true"),
            Locking::Local => String::new(),
        };
        format!("{backend}\nresource \"terraform_data\" \"x\" {{\n  input = \"{input}\"\n}}\n")
    }

    /// The state as stored.
    fn state(&self, w: &Work) -> serde_json::Value {
        match self {
            Locking::DynamoDb { b, .. } | Locking::LockFile { b } => b.state(KEY),
            Locking::Local => json(&w.path().join("terraform.tfstate")),
        }
    }

    /// The state's digest recorded beside it (DynamoDB only).
    fn digest(&self) -> Option<serde_json::Value> {
        match self {
            Locking::DynamoDb { b, table } => {
                item(table, &format!("{}/{KEY}-md5", b.name)).map(|i| i["Digest"]["S"].clone())
            }
            _ => None,
        }
    }

    /// The held lock's info (Terraform's lock info JSON), if it is held.
    fn holder(&self, w: &Work) -> Option<serde_json::Value> {
        let text = match self {
            Locking::DynamoDb { b, table } => {
                item(table, &format!("{}/{KEY}", b.name))?["Info"]["S"].as_str().unwrap().to_string()
            }
            Locking::LockFile { b } => {
                let r = http("GET", &b.url(&format!("{KEY}.tflock")), &[], b"");
                if r.status == 404 {
                    return None;
                }
                assert_eq!(r.status, 200, "{}", r.text());
                r.text()
            }
            Locking::Local => std::fs::read_to_string(w.path().join(".terraform.tfstate.lock.info")).ok()?,
        };
        serde_json::from_str(&text).ok()
    }

    /// Polls until the lock is held, while `holder` (the process expected to take it) runs.
    fn wait_held(&self, w: &Work, holder: &mut std::process::Child) -> serde_json::Value {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        loop {
            if let Some(i) = self.holder(w) {
                return i;
            }
            if holder.try_wait().unwrap().is_some() {
                let mut out = String::new();
                if let Some(s) = holder.stdout.as_mut() {
                    let _ = std::io::Read::read_to_string(s, &mut out);
                }
                if let Some(s) = holder.stderr.as_mut() {
                    let _ = std::io::Read::read_to_string(s, &mut out);
                }
                panic!("the process that should hold the lock ended before taking it:\n{out}");
            }
            assert!(std::time::Instant::now() < deadline, "the lock was never taken");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

/// Terraform 1.11 (its own backends, no plugin) and terrane take turns on one state kept and
/// locked as `locking` says: each reads what the other wrote, and each is refused, with the
/// holder's lock ID named, while the other holds the lock (an apply waiting for its
/// confirmation).
fn take_turns(locking: &Locking<'_>) {
    use std::io::Write;
    let input = |w: &Work| locking.state(w)["resources"][0]["instances"][0]["attributes"]["input"]["value"].clone();
    let w = work(&locking.config("one"));
    terraform_ok(&w, &["init", "-input=false"]);
    terraform_ok(&w, &["apply", "-auto-approve", "-input=false"]);
    let by_terraform = locking.digest();

    // Terraform's state, read by terrane: no changes.
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "terrane plans Terraform's state without changes\n{out}\n{err}");
    // terrane writes (and records the new digest, with DynamoDB): Terraform reads its state (it
    // refuses one whose digest does not match) and agrees there is nothing to do.
    w.write("main.tf", &locking.config("two"));
    w.ok(&["apply", "-auto-approve"]);
    if let Locking::DynamoDb { .. } = locking {
        assert!(by_terraform.is_some(), "Terraform records the state's digest");
        assert_ne!(locking.digest(), by_terraform, "terrane updated the digest");
    }
    assert_eq!(input(&w), "two");
    let (code, text) = terraform(&w, &["plan", "-detailed-exitcode", "-input=false"]);
    assert_eq!(code, 0, "Terraform reads terrane's state\n{text}");
    assert!(locking.holder(&w).is_none(), "no lock left");

    // Terraform holds the lock: terrane is refused and told who holds it.
    w.write("main.tf", &locking.config("three"));
    let mut tf = std::process::Command::new("terraform")
        .current_dir(w.path())
        .args(["apply"])
        .env("TF_CLI_CONFIG_FILE", terraform_cli_config())
        .env("CHECKPOINT_DISABLE", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let info = locking.wait_held(&w, &mut tf);
    let (code, _, err) = w.run(&["plan"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Error acquiring the state lock"), "{err}");
    assert!(err.contains(info["ID"].as_str().unwrap()), "the error names Terraform's lock: {err}");
    tf.stdin.take().unwrap().write_all(b"no\n").unwrap();
    let out = tf.wait_with_output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("Apply cancelled"), "{out:?}");
    assert!(locking.holder(&w).is_none(), "Terraform released its lock");

    // terrane holds the lock: Terraform is refused and told who holds it.
    w.write("main.tf", &locking.config("four"));
    let mut ours = w
        .std_cmd(&["apply"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let info = locking.wait_held(&w, &mut ours);
    let (code, text) = terraform(&w, &["plan", "-input=false", "-lock-timeout=0s"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("Error acquiring the state lock"), "{text}");
    assert!(text.contains(info["ID"].as_str().unwrap()), "Terraform names terrane's lock: {text}");
    ours.stdin.take().unwrap().write_all(b"no\n").unwrap();
    let out = ours.wait_with_output().unwrap();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    assert!(locking.holder(&w).is_none(), "terrane released its lock");
    assert_eq!(input(&w), "two", "nothing was applied while the other held the lock");
}

/// The backend most teams' Terraform uses: S3 state locked in DynamoDB (`dynamodb_table`),
/// with the state's MD5 digest kept there, which Terraform checks before it reads.
#[test]
fn terraform_and_terrane_take_turns_on_an_s3_state_locked_in_dynamodb() {
    let b = Bucket::new("ddb");
    let table = lock_table(&b);
    take_turns(&Locking::DynamoDb { b: &b, table: &table });
}

/// Terraform 1.10+'s S3-native locking (`use_lockfile = true`): the `<key>.tflock` object.
#[test]
fn terraform_and_terrane_take_turns_on_an_s3_state_locked_with_a_lock_file() {
    take_turns(&Locking::LockFile { b: &Bucket::new("lockfile") });
}

/// The local backend, the default: Terraform locks the state file itself (a POSIX lock on
/// `terraform.tfstate`); terrane takes the same lock, and keeps it on the new file each time
/// it writes one.
#[test]
fn terraform_and_terrane_take_turns_on_a_local_state() {
    take_turns(&Locking::Local);
}
