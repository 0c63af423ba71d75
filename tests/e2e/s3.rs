//! The S3 state backend through the binary, against the moto server on 127.0.0.1:5000
//! (`tests/env/setup.sh` starts it): concurrent runs and the lock, conditional writes when a
//! lock was removed, the lock released on Ctrl-C and on errors, workspaces, migration,
//! `state pull`/`push`, errors that say what to fix, encryption, and no state on local disk.
//! Every test has its own bucket; the bucket's objects are checked with plain HTTP requests.

use crate::Work;
use serde_json::Value;
use std::io::{Read, Write};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

pub(crate) const MOTO: &str = "127.0.0.1:5000";
const KEY: &str = "platform/terraform.tfstate";
const LOCK: &str = "platform/terraform.tfstate.tflock";

// ---------------------------------------------------------------------------------------------
// moto over HTTP

pub(crate) struct Response {
    pub(crate) status: u16,
    headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Response {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.0 exchange with moto. Moto does not check signatures, but treats requests
/// without an `Authorization` header as anonymous (denied private objects): send a dummy one.
pub(crate) fn http(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Response {
    let mut s = std::net::TcpStream::connect(MOTO)
        .unwrap_or_else(|e| panic!("moto is not reachable on {MOTO} ({e}); start it with tests/env/setup.sh"));
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    // Moto tells services apart by the credential scope.
    let service =
        if headers.iter().any(|(k, v)| *k == "X-Amz-Target" && v.starts_with("DynamoDB")) { "dynamodb" } else { "s3" };
    let mut req = format!(
        "{method} {path} HTTP/1.0\r\nHost: {MOTO}\r\nContent-Length: {}\r\nAuthorization: AWS4-HMAC-SHA256 Credential=testing/20260101/eu-west-1/{service}/aws4_request, SignedHeaders=host, Signature=0\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("an HTTP response from moto");
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Response { status, headers, body: raw[end + 4..].to_vec() }
}

/// A bucket of its own for one test, in eu-west-1.
pub(crate) struct Bucket {
    pub(crate) name: String,
}

impl Bucket {
    pub(crate) fn new(tag: &str) -> Bucket {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() % 1_000_000_000;
        let name = format!("e2e-{tag}-{}-{t}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst));
        let r = http(
            "PUT",
            &format!("/{name}"),
            &[("Content-Type", "application/xml")],
            b"<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>",
        );
        assert_eq!(r.status, 200, "creating bucket {name}: {}", r.text());
        let region = http("HEAD", &format!("/{name}"), &[], b"");
        assert_eq!(region.header("x-amz-bucket-region"), Some("eu-west-1"));
        Bucket { name }
    }

    pub(crate) fn url(&self, key: &str) -> String {
        format!("/{}/{key}", self.name)
    }

    /// The object's bytes, or `None` when there is no such object.
    fn get(&self, key: &str) -> Option<Vec<u8>> {
        let r = http("GET", &self.url(key), &[], b"");
        match r.status {
            200 => Some(r.body),
            404 => None,
            s => panic!("GET s3://{}/{key}: HTTP {s}: {}", self.name, r.text()),
        }
    }

    fn exists(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The state stored under `key`, parsed.
    pub(crate) fn state(&self, key: &str) -> Value {
        let bytes = self.get(key).unwrap_or_else(|| panic!("no object s3://{}/{key}", self.name));
        serde_json::from_slice(&bytes).unwrap()
    }

    fn head(&self, key: &str) -> Response {
        http("HEAD", &self.url(key), &[], b"")
    }

    fn delete(&self, key: &str) {
        let r = http("DELETE", &self.url(key), &[], b"");
        assert_eq!(r.status, 204, "DELETE s3://{}/{key}: {}", self.name, r.text());
    }

    /// Every object key in the bucket, sorted.
    fn keys(&self) -> Vec<String> {
        let r = http("GET", &format!("/{}?list-type=2", self.name), &[], b"");
        assert_eq!(r.status, 200, "{}", r.text());
        let text = r.text();
        let mut keys: Vec<String> = text
            .split("<Key>")
            .skip(1)
            .filter_map(|s| s.split("</Key>").next())
            .map(|k| k.replace("&amp;", "&"))
            .collect();
        keys.sort();
        keys
    }

    /// Polls until the object exists.
    fn wait_for(&self, key: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.exists(key) {
            assert!(Instant::now() < deadline, "s3://{}/{key} never appeared", self.name);
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Working directories using the S3 backend

/// The backend block: everything but the bucket, which `init -backend-config` gives.
fn backend_block(extra: &str) -> String {
    format!(
        r#"
terraform {{
  backend "s3" {{
    key                         = "{KEY}"
    region                      = "eu-west-1"
    endpoints                   = {{ s3 = "http://{MOTO}" }}
    use_path_style              = true
    skip_credentials_validation = true
    skip_requesting_account_id  = true
{extra}  }}
}}
"#
    )
}

/// A working directory whose commands get moto's credentials and nothing from the user's AWS
/// configuration.
pub(crate) fn work(main_tf: &str) -> Work {
    Work::new(main_tf)
        .with_env("AWS_ACCESS_KEY_ID", "testing")
        .with_env("AWS_SECRET_ACCESS_KEY", "testing")
        .with_env("AWS_SESSION_TOKEN", "")
        .with_env("AWS_PROFILE", "")
        .with_env("AWS_CONFIG_FILE", "/dev/null")
        .with_env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .with_env("AWS_EC2_METADATA_DISABLED", "true")
}

fn bucket_flag(b: &Bucket) -> String {
    format!("-backend-config=bucket={}", b.name)
}

/// A directory with `config` and the S3 backend (block settings plus `extra`), initialized.
fn initialized(b: &Bucket, config: &str, extra: &str) -> Work {
    let w = work(&format!("{}{config}", backend_block(extra)));
    let out = w.ok(&["init", &bucket_flag(b)]);
    assert!(out.contains("terrane has been successfully initialized"), "{out}");
    w
}

/// `type.name` of every resource with instances in a state.
fn addresses(state: &Value) -> Vec<String> {
    let mut out: Vec<String> = state["resources"]
        .as_array()
        .map(|rs| {
            rs.iter()
                .filter(|r| r["instances"].as_array().is_some_and(|i| !i.is_empty()))
                .map(|r| format!("{}.{}", r["type"].as_str().unwrap(), r["name"].as_str().unwrap()))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn serial(state: &Value) -> u64 {
    state["serial"].as_u64().unwrap()
}

fn lineage(state: &Value) -> String {
    state["lineage"].as_str().unwrap().to_string()
}

/// A `terrane` run in the background.
struct Bg {
    child: Child,
}

impl Bg {
    fn spawn(w: &Work, args: &[&str]) -> Bg {
        let child = w.std_cmd(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        Bg { child }
    }

    fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    #[cfg(unix)]
    fn signal(&self, sig: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).unwrap();
        // SAFETY: sends a signal to a child process this test started.
        assert_eq!(unsafe { libc::kill(pid, sig) }, 0);
    }

    /// Waits for the end: (exit code, stdout, stderr).
    fn finish(self) -> (i32, String, String) {
        let out = self.child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// The one diagnostic line of stderr that mentions `needle` (errors are `error: summary`
/// followed by `= detail`).
fn detail_line<'a>(stderr: &'a str, needle: &str) -> &'a str {
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains(needle)).collect();
    assert_eq!(lines.len(), 1, "one line mentions {needle:?}:\n{stderr}");
    lines[0]
}

const SLOW_PAIR: &str = r#"
resource "fake_resource" "a" {
  name       = "a"
  latency_ms = 1500
}

resource "fake_resource" "b" {
  name       = "b"
  latency_ms = 1500
}
"#;

// ---------------------------------------------------------------------------------------------
// 1. Concurrent runs

#[test]
fn of_two_simultaneous_applies_one_applies_and_the_other_names_the_lock_holder() {
    let b = Bucket::new("race");
    let w = initialized(&b, SLOW_PAIR, "");
    let first = Bg::spawn(&w, &["apply", "-auto-approve"]);
    let second = Bg::spawn(&w, &["apply", "-auto-approve"]);
    // Whoever won holds the lock for the length of the slow creates: read who it is.
    b.wait_for(LOCK);
    let holder: Value = serde_json::from_slice(&b.get(LOCK).unwrap()).unwrap();
    let results = [first.finish(), second.finish()];
    let codes: Vec<i32> = results.iter().map(|r| r.0).collect();
    assert!(codes == [0, 1] || codes == [1, 0], "exactly one apply succeeds: {results:#?}");
    let (_, won, _) = results.iter().find(|r| r.0 == 0).unwrap();
    let (_, lost_out, lost) = results.iter().find(|r| r.0 == 1).unwrap();
    assert!(won.contains("Apply complete! Resources: 2 added"), "{won}");
    assert!(!lost_out.contains("Creation complete"), "the loser changed nothing: {lost_out}");

    assert!(lost.contains("Error acquiring the state lock"), "{lost}");
    assert!(lost.contains(&format!("S3 state s3://{}/{KEY}", b.name)), "{lost}");
    let id = holder["ID"].as_str().unwrap();
    assert!(lost.contains(&format!("ID:        {id}")), "names the lock {id}: {lost}");
    assert!(lost.contains(&format!("Who:       {}", holder["Who"].as_str().unwrap())), "{lost}");
    assert!(lost.contains("Operation: OperationTypeApply"), "{lost}");
    assert!(lost.contains(&format!("Created:   {}", holder["Created"].as_str().unwrap())), "since when: {lost}");
    assert!(lost.contains(&format!("terrane force-unlock {id}")), "how to unlock: {lost}");

    let state = b.state(KEY);
    assert_eq!(addresses(&state), ["fake_resource.a", "fake_resource.b"]);
    assert!(!b.exists(LOCK), "the winner released the lock");
}

#[test]
fn with_a_lock_timeout_the_second_apply_waits_and_applies_on_top_of_the_first() {
    let b = Bucket::new("wait");
    let w = initialized(&b, SLOW_PAIR, "");
    // Each run adds one resource; whichever order they take the lock in, both must end up in
    // the state, written one after the other.
    let mut runs = [
        Bg::spawn(&w, &["apply", "-auto-approve", "-lock-timeout=30s", "-target=fake_resource.a"]),
        Bg::spawn(&w, &["apply", "-auto-approve", "-lock-timeout=30s", "-target=fake_resource.b"]),
    ];
    let mut seen: Vec<(u64, String)> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while runs.iter_mut().any(Bg::running) {
        assert!(Instant::now() < deadline, "the applies did not finish");
        if let Some(bytes) = b.get(KEY) {
            let s: Value = serde_json::from_slice(&bytes).unwrap();
            let now = (serial(&s), lineage(&s));
            if seen.last() != Some(&now) {
                seen.push(now);
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    for r in runs {
        let (code, out, err) = r.finish();
        assert_eq!(code, 0, "both applies succeed\nstdout:\n{out}\nstderr:\n{err}");
        assert!(out.contains("Apply complete! Resources: 1 added, 0 changed, 0 destroyed."), "{out}");
    }
    let last = b.state(KEY);
    assert_eq!(addresses(&last), ["fake_resource.a", "fake_resource.b"], "the second kept the first's work");
    seen.push((serial(&last), lineage(&last)));
    seen.dedup();
    assert!(seen.len() >= 2, "both runs wrote the state: {seen:?}");
    assert!(seen.windows(2).all(|p| p[0].0 < p[1].0), "the serial only grows: {seen:?}");
    assert!(seen.iter().all(|(_, l)| *l == seen[0].1), "one lineage throughout: {seen:?}");
    assert!(!b.exists(LOCK));
}

#[cfg(unix)]
#[test]
fn the_lock_of_a_killed_run_is_removed_by_the_force_unlock_the_error_names() {
    let b = Bucket::new("killed");
    let w = initialized(&b, SLOW_PAIR, "");
    let mut run = Bg::spawn(&w, &["apply", "-auto-approve"]);
    b.wait_for(LOCK);
    run.child.kill().unwrap();
    run.finish();
    assert!(b.exists(LOCK), "a killed run cannot release its lock");

    let (code, _, err) = w.run(&["plan"]);
    assert_eq!(code, 1, "{err}");
    let id = detail_line(&err, "ID:").split_whitespace().last().unwrap().to_string();
    assert!(err.contains(&format!("`terrane force-unlock {id}`")), "{err}");
    let (code, _, err) = w.run(&["force-unlock", "-force", "not-the-id"]);
    assert_eq!(code, 1, "a wrong ID removes nothing");
    assert!(err.contains("does not match"), "{err}");
    assert!(b.exists(LOCK));
    let out = w.ok(&["force-unlock", "-force", &id]);
    assert!(out.contains("successfully unlocked"), "{out}");
    assert!(!b.exists(LOCK));
    let out = w.ok(&["apply", "-auto-approve", "-lock-timeout=0s"]);
    assert!(out.contains("Apply complete!"), "{out}");
}

// ---------------------------------------------------------------------------------------------
// 2. A run whose lock was removed cannot overwrite what was written meanwhile

#[test]
fn a_run_whose_lock_was_deleted_cannot_overwrite_the_state_written_meanwhile() {
    let b = Bucket::new("stolen");
    let slow =
        initialized(&b, "resource \"fake_resource\" \"slow\" {\n  name       = \"slow\"\n  latency_ms = 4000\n}\n", "");
    let mut run = Bg::spawn(&slow, &["apply", "-auto-approve"]);
    b.wait_for(LOCK);
    // Someone removes the lock (as force-unlock would) and another run takes the state over.
    b.delete(LOCK);
    let other = initialized(&b, "resource \"fake_resource\" \"other\" {\n  name = \"other\"\n}\n", "");
    let out = other.ok(&["apply", "-auto-approve"]);
    assert!(out.contains("Resources: 1 added"), "{out}");
    let written_meanwhile = b.get(KEY).unwrap();
    assert!(run.running(), "the slow apply was still running when the other run wrote the state");

    let (code, out, err) = run.finish();
    assert_eq!(code, 1, "stdout:\n{out}\nstderr:\n{err}");
    assert!(err.contains("Failed to save the state"), "{err}");
    let line = detail_line(&err, "refusing to write");
    assert!(line.contains(&format!("refusing to write s3://{}/{KEY}", b.name)), "{line}");
    assert!(line.contains("the state there changed since this run read it"), "{line}");
    assert!(line.contains("Nothing was overwritten"), "{line}");
    assert!(err.contains("errored.tfstate"), "{err}");
    assert_eq!(b.get(KEY).unwrap(), written_meanwhile, "the newer state is intact");
    assert_eq!(addresses(&b.state(KEY)), ["fake_resource.other"]);
    // The refused run's work is not lost: it is in errored.tfstate, to push once reconciled.
    let errored: Value = serde_json::from_slice(&std::fs::read(slow.path().join("errored.tfstate")).unwrap()).unwrap();
    assert_eq!(addresses(&errored), ["fake_resource.slow"]);
    assert!(!b.exists(LOCK));
}

// ---------------------------------------------------------------------------------------------
// 3. The lock is released on Ctrl-C and on errors; finished work is in the state

#[cfg(unix)]
/// Ctrl-C (SIGINT) or SIGTERM during an apply: finished work is in S3, no lock is left.
fn interrupted_apply_leaves_no_lock(sig: libc::c_int, bucket: &str) {
    let b = Bucket::new(bucket);
    let w = initialized(
        &b,
        r#"
resource "fake_resource" "quick" { name = "quick" }
resource "fake_resource" "slow" {
  name       = "slow"
  value      = fake_resource.quick.id
  latency_ms = 1500
}
resource "fake_resource" "after" {
  name  = "after"
  value = fake_resource.slow.id
}
"#,
        "",
    );
    let run = Bg::spawn(&w, &["apply", "-auto-approve"]);
    b.wait_for(LOCK);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !w.cloud_names().contains(&"quick".to_string()) {
        assert!(Instant::now() < deadline, "apply did not start");
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(300));
    run.signal(sig);
    let (code, _, err) = run.finish();
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Interrupt received"), "{err}");
    assert!(!b.exists(LOCK), "no lock object is left behind: {:?}", b.keys());
    assert_eq!(addresses(&b.state(KEY)), ["fake_resource.quick", "fake_resource.slow"]);
    assert_eq!(w.cloud_names(), ["quick", "slow"]);
    let out = w.ok(&["apply", "-auto-approve", "-lock-timeout=0s"]);
    assert!(out.contains("Resources: 1 added"), "{out}");
}

#[test]
fn ctrl_c_during_an_apply_leaves_no_lock_and_keeps_finished_work_in_s3() {
    interrupted_apply_leaves_no_lock(libc::SIGINT, "sigint");
}

#[test]
fn sigterm_during_an_apply_leaves_no_lock_and_keeps_finished_work_in_s3() {
    interrupted_apply_leaves_no_lock(libc::SIGTERM, "sigterm");
}

#[test]
fn a_provider_error_during_an_apply_leaves_no_lock_and_keeps_finished_work_in_s3() {
    let b = Bucket::new("fail");
    let w = initialized(
        &b,
        r#"
resource "fake_resource" "first" { name = "first" }
resource "fake_resource" "broken" {
  name    = "broken"
  value   = fake_resource.first.id
  fail_on = "create"
}
resource "fake_resource" "independent" {
  name       = "independent"
  latency_ms = 300
}
"#,
        "",
    );
    let (code, out, err) = w.run(&["apply", "-auto-approve"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("injected failure on create"), "{err}");
    assert_eq!(b.keys(), [KEY], "the state and no lock object");
    assert_eq!(addresses(&b.state(KEY)), ["fake_resource.first", "fake_resource.independent"]);
}

// ---------------------------------------------------------------------------------------------
// 4. Workspaces

const WORKSPACE_AWARE: &str = r#"
resource "fake_resource" "r" {
  name = "r-${terraform.workspace}"
}

output "workspace" {
  value = terraform.workspace
}
"#;

#[test]
fn workspaces_are_objects_under_the_env_prefix() {
    let b = Bucket::new("ws");
    let w = initialized(&b, WORKSPACE_AWARE, "");
    w.ok(&["apply", "-auto-approve"]);
    let staging_key = format!("env:/staging/{KEY}");
    let out = w.ok(&["workspace", "new", "staging"]);
    assert!(out.contains("Created and switched to workspace \"staging\""), "{out}");
    assert!(b.exists(&staging_key), "workspace new creates its state object");
    w.ok(&["apply", "-auto-approve"]);

    let default = b.state(KEY);
    let staging = b.state(&staging_key);
    assert_eq!(default["outputs"]["workspace"]["value"], "default");
    assert_eq!(staging["outputs"]["workspace"]["value"], "staging", "terraform.workspace is the workspace name");
    assert_eq!(staging["resources"][0]["instances"][0]["attributes"]["name"], "r-staging");
    assert_ne!(lineage(&default), lineage(&staging), "each workspace has a state of its own");
    assert_eq!(b.keys(), [staging_key.as_str(), KEY]);

    assert_eq!(w.ok(&["workspace", "list"]), "  default\n* staging\n");
    assert_eq!(w.ok(&["workspace", "show"]), "staging\n");
    assert_eq!(w.ok(&["output", "-raw", "workspace"]), "staging");

    // Empty it, switch away and delete it: its object goes, the default's stays.
    w.ok(&["destroy", "-auto-approve"]);
    w.ok(&["workspace", "select", "default"]);
    let out = w.ok(&["workspace", "delete", "staging"]);
    assert!(out.contains("Deleted workspace \"staging\""), "{out}");
    assert_eq!(b.keys(), [KEY], "the staging state object was deleted");
    assert_eq!(w.ok(&["workspace", "list"]), "* default\n");
    assert_eq!(b.state(KEY), default, "the default state is untouched");
}

#[test]
fn a_custom_workspace_key_prefix_is_honoured() {
    let b = Bucket::new("prefix");
    let w = initialized(&b, WORKSPACE_AWARE, "    workspace_key_prefix = \"teams/platform\"\n");
    w.ok(&["workspace", "new", "dev"]);
    w.ok(&["apply", "-auto-approve"]);
    let key = format!("teams/platform/dev/{KEY}");
    assert_eq!(b.keys(), [key.as_str()], "nothing under env:/");
    assert_eq!(b.state(&key)["outputs"]["workspace"]["value"], "dev");
    assert_eq!(w.ok(&["workspace", "list"]), "  default\n* dev\n");
    // The default workspace's state is at the key itself.
    w.ok(&["workspace", "select", "default"]);
    w.ok(&["apply", "-auto-approve"]);
    assert_eq!(b.state(KEY)["outputs"]["workspace"]["value"], "default");
}

// ---------------------------------------------------------------------------------------------
// 5. Migration

const MIGRATED: &str = r#"
variable "size" {
  type    = number
  default = 1
}

resource "fake_resource" "one" {
  name = "one"
  size = var.size
}

output "one" {
  value = fake_resource.one.id
}
"#;

fn local_state(w: &Work) -> Value {
    serde_json::from_slice(&std::fs::read(w.path().join("terraform.tfstate")).unwrap()).unwrap()
}

#[test]
fn migrating_local_state_to_s3_and_back_keeps_serial_and_lineage() {
    let b = Bucket::new("migrate");
    let w = work(MIGRATED);
    w.ok(&["workspace", "new", "staging"]);
    w.ok(&["apply", "-auto-approve"]);
    let staging_file = w.path().join("terraform.tfstate.d/staging/terraform.tfstate");
    let local_staging: Value = serde_json::from_slice(&std::fs::read(&staging_file).unwrap()).unwrap();
    w.ok(&["workspace", "select", "default"]);
    w.ok(&["apply", "-auto-approve"]);
    w.ok(&["apply", "-auto-approve", "-var", "size=2"]);
    let local = local_state(&w);
    assert!(serial(&local) >= 2, "{local}");

    // Local → S3.
    w.write("main.tf", &format!("{}{MIGRATED}", backend_block("")));
    let (code, _, err) = w.run(&["plan"]);
    assert_eq!(code, 1);
    assert!(err.contains("Backend initialization required"), "{err}");
    let out = w.ok(&["init", "-migrate-state", &bucket_flag(&b)]);
    assert!(out.contains("Moved workspace \"default\""), "{out}");
    assert!(out.contains("Moved workspace \"staging\""), "{out}");
    assert_eq!(b.state(KEY), local, "the S3 state is the local state, serial and lineage included");
    assert_eq!(b.state(&format!("env:/staging/{KEY}")), local_staging, "every workspace moves");
    assert_eq!(w.ok(&["workspace", "list"]), "* default\n  staging\n");
    // The local copies are retired, so a later return to `local` cannot use them.
    assert!(!w.path().join("terraform.tfstate").exists() && !staging_file.exists());
    assert!(w.path().join("terraform.tfstate.migrated").exists(), "{out}");
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode", "-var", "size=2"]);
    assert_eq!(code, 0, "the moved state is used: {out}");

    // A change in S3, then S3 → local.
    w.ok(&["apply", "-auto-approve", "-var", "size=3"]);
    let changed = b.state(KEY);
    assert_eq!(lineage(&changed), lineage(&local));
    assert!(serial(&changed) > serial(&local));
    w.write("main.tf", MIGRATED);
    let (code, _, err) = w.run(&["plan"]);
    assert_eq!(code, 1);
    assert!(err.contains("terrane init -migrate-state"), "{err}");
    let out = w.ok(&["init", "-migrate-state"]);
    assert!(out.contains("Moved workspace \"default\""), "{out}");
    assert_eq!(local_state(&w), changed, "the local state is the S3 state, serial and lineage included");
    let back: Value = serde_json::from_slice(&std::fs::read(&staging_file).unwrap()).unwrap();
    assert_eq!(back, local_staging);
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode", "-var", "size=3"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn migration_refuses_a_target_of_another_lineage_unless_force_copy() {
    let b = Bucket::new("lineage");
    // Other infrastructure already keeps its state at the key.
    let theirs = initialized(&b, "resource \"fake_resource\" \"theirs\" { name = \"theirs\" }\n", "");
    theirs.ok(&["apply", "-auto-approve"]);
    let before = b.get(KEY).unwrap();

    let w = work(MIGRATED);
    w.ok(&["apply", "-auto-approve"]);
    let local = local_state(&w);
    w.write("main.tf", &format!("{}{MIGRATED}", backend_block("")));
    let (code, out, err) = w.run(&["init", "-migrate-state", &bucket_flag(&b)]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("The target already holds another state"), "{err}");
    assert!(err.contains(&format!("lineage {}", lineage(&serde_json::from_slice(&before).unwrap()))), "{err}");
    assert!(err.contains("-force-copy"), "says how to overwrite: {err}");
    assert_eq!(b.get(KEY).unwrap(), before, "the target state is untouched");
    assert!(!b.exists(LOCK));
    let (code, _, err) = w.run(&["plan"]);
    assert_eq!(code, 1, "the backend was not recorded");
    assert!(err.contains("Backend initialization required"), "{err}");

    let out = w.ok(&["init", "-migrate-state", "-force-copy", &bucket_flag(&b)]);
    assert!(out.contains("Moved workspace \"default\""), "{out}");
    assert_eq!(b.state(KEY), local);
}

// ---------------------------------------------------------------------------------------------
// 6. state pull / state push

#[test]
fn state_pull_and_push_use_the_s3_state() {
    let b = Bucket::new("pullpush");
    let w = initialized(
        &b,
        "resource \"fake_resource\" \"x\" { name = \"x\" }\noutput \"greeting\" { value = \"hello\" }\n",
        "",
    );
    w.ok(&["apply", "-auto-approve"]);
    let pulled: Value = serde_json::from_str(&w.ok(&["state", "pull"])).unwrap();
    assert_eq!(pulled, b.state(KEY), "state pull prints the S3 state");

    let mut pushed = pulled.clone();
    pushed["outputs"]["greeting"]["value"] = "pushed".into();
    w.write("pushed.tfstate", &pushed.to_string());
    w.ok(&["state", "push", "pushed.tfstate"]);
    let now = b.state(KEY);
    assert_eq!(now["outputs"]["greeting"]["value"], "pushed");
    assert_eq!(serial(&now), serial(&pulled) + 1, "a push bumps the serial");
    assert_eq!(lineage(&now), lineage(&pulled));
    assert_eq!(w.ok(&["output", "-raw", "greeting"]), "pushed");
    assert!(!b.exists(LOCK));

    // A state of other infrastructure is refused without -force, and nothing changes.
    let mut foreign = pulled.clone();
    foreign["lineage"] = "00000000-0000-0000-0000-000000000000".into();
    foreign["serial"] = 100.into();
    w.write("foreign.tfstate", &foreign.to_string());
    let (code, _, err) = w.run(&["state", "push", "foreign.tfstate"]);
    assert_eq!(code, 1);
    assert!(err.contains("cannot import a state with lineage"), "{err}");
    assert_eq!(b.state(KEY), now);
    // So is an older state of the same lineage.
    let (code, _, err) = w.run(&["state", "push", "pushed.tfstate"]);
    assert_eq!(code, 1, "serial {} is behind {}", serial(&pushed), serial(&now));
    assert!(err.contains("cannot overwrite the existing state with serial"), "{err}");
    w.ok(&["state", "push", "-force", "foreign.tfstate"]);
    assert_eq!(lineage(&b.state(KEY)), "00000000-0000-0000-0000-000000000000");
}

// ---------------------------------------------------------------------------------------------
// 7. Errors that say what to fix

const ONE: &str = "resource \"fake_resource\" \"one\" { name = \"one\" }\n";

#[test]
fn a_missing_bucket_is_one_line_that_names_it() {
    let w = work(&format!("{}{ONE}", backend_block("")));
    let missing = format!("e2e-missing-{}", std::process::id());
    let (code, _, err) = w.run(&["init", &format!("-backend-config=bucket={missing}")]);
    assert_eq!(code, 1, "{err}");
    let line = detail_line(&err, "s3://");
    assert!(line.contains(&format!("s3://{missing}/{KEY}")), "{line}");
    assert!(line.contains(&format!("the bucket \"{missing}\" does not exist")), "{line}");
    assert!(
        line.contains(&format!("create it (`aws s3 mb s3://{missing} --region eu-west-1`) or fix `bucket`")),
        "{line}"
    );
    assert!(!w.path().join(".terrane/backend.json").exists(), "nothing was recorded");
}

#[test]
fn a_wrong_region_is_one_line_that_names_the_right_one() {
    let b = Bucket::new("region");
    let w = work(&format!("{}{ONE}", backend_block("").replace("eu-west-1", "us-west-2")));
    let (code, _, err) = w.run(&["init", &bucket_flag(&b)]);
    assert_eq!(code, 1, "{err}");
    let line = detail_line(&err, "s3://");
    assert!(line.contains(&format!("the bucket \"{}\" is in eu-west-1, not us-west-2", b.name)), "{line}");
    assert!(line.contains("set `region = \"eu-west-1\"`"), "{line}");
    assert!(!w.path().join(".terrane/backend.json").exists(), "nothing was recorded");
    assert!(b.keys().is_empty(), "nothing was written to the bucket");
}

#[test]
fn access_denied_is_one_line_that_says_which_permissions_are_needed() {
    let b = Bucket::new("denied");
    let w = initialized(&b, ONE, "");
    w.ok(&["apply", "-auto-approve"]);
    // From now on, a bucket policy denies everyone every object operation.
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::{0}","arn:aws:s3:::{0}/*"]}}]}}"#,
        b.name
    );
    let r = http("PUT", &format!("/{}?policy", b.name), &[("Content-Type", "application/json")], policy.as_bytes());
    assert!(r.status == 200 || r.status == 204, "{}", r.text());
    assert_eq!(b.head(KEY).status, 403, "moto enforces the policy");

    let (code, _, err) = w.run(&["plan"]);
    assert_eq!(code, 1, "{err}");
    let line = detail_line(&err, "s3://");
    assert!(line.contains("access denied"), "{line}");
    assert!(line.contains("check the credentials"), "{line}");
    assert!(line.contains("s3:GetObject"), "{line}");

    let (code, _, err) = w.run(&["init", "-reconfigure", &bucket_flag(&b)]);
    assert_eq!(code, 1, "{err}");
    assert!(detail_line(&err, "s3://").contains("access denied"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// 8. Encryption

#[test]
fn the_state_is_stored_with_server_side_encryption_unless_turned_off() {
    let b = Bucket::new("sse");
    let w = initialized(&b, ONE, "    encrypt = true\n");
    w.ok(&["apply", "-auto-approve"]);
    let head = b.head(KEY);
    assert_eq!(head.status, 200);
    assert_eq!(head.header("x-amz-server-side-encryption"), Some("AES256"), "{:?}", head.headers);

    // Without `encrypt`: encrypted all the same (terrane never writes state in the clear).
    let default = Bucket::new("defsse");
    let w = initialized(&default, ONE, "");
    w.ok(&["apply", "-auto-approve"]);
    assert_eq!(default.head(KEY).header("x-amz-server-side-encryption"), Some("AES256"));
    assert_eq!(default.head(LOCK).status, 404, "no lock left");

    // `encrypt = false` (an S3-compatible store without SSE): turned off on request only.
    let plain = Bucket::new("nosse");
    let w = initialized(&plain, ONE, "    encrypt = false\n");
    w.ok(&["apply", "-auto-approve"]);
    assert_eq!(plain.head(KEY).header("x-amz-server-side-encryption"), None, "moto reports only what was asked");
}

// ---------------------------------------------------------------------------------------------
// 9. No state on local disk

#[test]
fn with_s3_the_state_never_touches_the_local_disk() {
    let b = Bucket::new("nodisk");
    let w = initialized(
        &b,
        "variable \"token\" {\n  sensitive = true\n}\nresource \"fake_resource\" \"one\" {\n  name   = \"one\"\n  secret = var.token\n}\n",
        "",
    );
    w.ok(&["apply", "-auto-approve", "-var", "token=secret-token-123"]);
    w.ok(&["workspace", "new", "other"]);
    w.ok(&["apply", "-auto-approve", "-var", "token=secret-token-123"]);
    let state = b.state(KEY);
    assert_eq!(addresses(&state), ["fake_resource.one"]);
    assert_eq!(state["resources"][0]["instances"][0]["attributes"]["secret"], "secret-token-123");
    for name in
        ["terraform.tfstate", "terrane.tfstate", "terraform.tfstate.backup", "errored.tfstate", "terraform.tfstate.d"]
    {
        assert!(!w.path().join(name).exists(), "{name} exists");
    }
    // Nothing in the directory (but the fake cloud) holds the state or its secret.
    let needles = [lineage(&state), lineage(&b.state(&format!("env:/other/{KEY}"))), "secret-token-123".to_string()];
    let mut stack = vec![w.path().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p == w.cloud() {
                continue;
            }
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
            for n in &needles {
                assert!(!text.contains(n.as_str()), "{} holds {n}", p.display());
            }
        }
    }
}
