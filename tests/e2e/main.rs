//! End-to-end tests: the real `terrane` binary in temporary directories, with the fake
//! provider's cloud kept in a file there.

mod bootstrap;
mod crash;
mod crash_aws;
mod crash_docker;
mod fixtures;
mod from_terraform;
mod guard_rails;
mod holding_proxy;
mod https_server;
mod json;
mod leaks;
mod lifecycle;
mod locking;
mod module_registry;
mod module_sources;
mod modules;
mod plan_text;
mod platform;
mod plugins;
mod provenance;
mod quickstart;
mod registry;
mod s3;
mod signals;
mod state_cmds;
mod utility_cloudinit;
mod utility_local;
mod utility_null;
mod utility_random;
mod utility_time;
mod utility_tls;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// A temporary working directory with a configuration and the fake cloud beside it.
pub struct Work {
    pub dir: tempfile::TempDir,
    /// Extra environment for every command run here.
    env: Vec<(String, String)>,
}

impl Work {
    pub fn new(main_tf: &str) -> Work {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.tf"), main_tf).unwrap();
        Work { dir, env: Vec::new() }
    }

    /// Sets an environment variable for every command run in this directory.
    pub fn with_env(mut self, key: &str, value: &str) -> Work {
        self.env.push((key.to_string(), value.to_string()));
        self
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, text: &str) {
        std::fs::write(self.path().join(name), text).unwrap();
    }

    pub fn cloud(&self) -> PathBuf {
        self.path().join("cloud")
    }

    /// A `terrane` command in this directory, without colour, with the fake cloud.
    pub fn cmd(&self, args: &[&str]) -> Command {
        Command::from_std(self.std_cmd(args))
    }

    /// The same as [`Work::cmd`], as a `std` command (to spawn it in the background).
    pub fn std_cmd(&self, args: &[&str]) -> std::process::Command {
        let mut c = std::process::Command::new(assert_cmd::cargo::cargo_bin("terrane"));
        c.current_dir(self.path())
            .args(args)
            .env("NO_COLOR", "1")
            .env("TERRANE_FAKE_STORE", self.cloud())
            .env_remove("TF_WORKSPACE")
            .env_remove("TERRANE_WORKSPACE");
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }

    /// Runs and returns (exit code, stdout, stderr).
    pub fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.cmd(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs and asserts success.
    pub fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.run(args);
        assert_eq!(code, 0, "terrane {args:?} failed\nstdout:\n{out}\nstderr:\n{err}");
        out
    }

    pub fn state(&self) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(self.path().join("terraform.tfstate")).unwrap()).unwrap()
    }

    /// Addresses of the instances in the state.
    pub fn addresses(&self) -> Vec<String> {
        let out = self.ok(&["state", "list"]);
        out.lines().map(str::to_string).collect()
    }

    /// Objects in the fake cloud, by name.
    pub fn cloud_names(&self) -> Vec<String> {
        let Ok(bytes) = std::fs::read(self.cloud().join("objects.json")) else { return Vec::new() };
        let objects: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&bytes).unwrap();
        let mut names: Vec<String> = objects.values().filter_map(|o| o["name"].as_str().map(str::to_string)).collect();
        names.sort();
        names
    }
}

/// 20 independent resources and a chain of 10 (each refers to the previous one's id), every
/// operation taking 30 ms on the fake cloud: an apply long enough to interrupt anywhere.
pub fn thirty_resources() -> String {
    let mut s = String::from(
        r#"
terraform {
  required_providers {
    fake = { source = "terrane.dev/test/fake" }
  }
}

resource "fake_resource" "wide" {
  count      = 20
  name       = "wide-${count.index}"
  latency_ms = 30
}

resource "fake_resource" "chain0" {
  name       = "chain-0"
  latency_ms = 30
}
"#,
    );
    for i in 1..10 {
        s.push_str(&format!(
            "\nresource \"fake_resource\" \"chain{i}\" {{\n  name       = \"chain-{i}\"\n  value      = fake_resource.chain{}.id\n  latency_ms = 30\n}}\n",
            i - 1
        ));
    }
    s
}

/// A small deterministic generator, so "random" points are the same on every run.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// `apply -auto-approve` in `w`, started in the background with its output captured (for a
/// test to kill it; its output is small enough for the pipes' buffers).
pub fn spawn_apply(w: &Work) -> std::process::Child {
    w.std_cmd(&["apply", "-auto-approve"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Kills a run with SIGKILL (no handler runs, nothing is flushed); returns what it printed.
pub fn kill(mut child: std::process::Child) -> String {
    child.kill().unwrap();
    let out = child.wait_with_output().unwrap();
    format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Runs `apply -auto-approve` in `w` and kills it with SIGKILL after `delay`.
pub fn apply_killed_after(w: &Work, delay: std::time::Duration) {
    let child = spawn_apply(w);
    std::thread::sleep(delay);
    kill(child);
}

/// After a killed apply: the next plan, which adopts what the killed run created, and the
/// apply of the rest. Returns how many objects the plan adopted (as a change of their own or
/// as the cause of another).
pub fn recover(w: &Work, what: &str) -> usize {
    let (code, plan, err) = w.run(&["plan", "-no-color"]);
    assert_eq!(code, 0, "{what}: plan failed\n{plan}\n{err}");
    let adopted = plan.matches("will be adopted").count() + plan.matches("(adopted:").count();
    let (code, out, err) = w.run(&["apply", "-auto-approve"]);
    assert_eq!(code, 0, "{what}: apply failed\n{out}\n{err}");
    adopted
}

/// After a killed apply: the next plan adopts what the killed run made (at least `adopt`
/// objects), the apply after it converges to exactly `expected` (counted by `census`, behind
/// terrane's back: no twin, no orphan), and the destroy leaves none. Returns how many objects
/// were adopted.
pub fn recover_and_check(
    w: &Work,
    what: &str,
    adopt: usize,
    expected: &[(&'static str, usize)],
    census: impl Fn() -> Vec<(&'static str, usize)>,
) -> usize {
    let what = format!("{what}; the killed run had made {:?}", census());
    let adopted = recover(w, &what);
    assert!(adopted >= adopt, "{what}: the plan adopted {adopted} objects");
    assert_eq!(census(), expected, "{what}: what exists differs from an uninterrupted apply's");
    assert_converged(w, &what, expected.iter().map(|(_, n)| n).sum());
    w.ok(&["destroy", "-auto-approve"]);
    assert!(census().iter().all(|(_, n)| *n == 0), "{what}: objects left after destroy");
    adopted
}

/// After a recovery: nothing left to change, `objects` in the state, no pending create.
pub fn assert_converged(w: &Work, what: &str, objects: usize) {
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "{what}: not converged\n{out}\n{err}");
    assert_eq!(w.addresses().len(), objects, "{what}");
    assert!(w.state().get("terrane_pending_creates").is_none(), "{what}: pending creates left in the state");
}

/// Waits until a run in `w` holds the local state lock.
pub fn wait_for_lock(w: &Work) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !w.path().join(".terraform.tfstate.lock.info").exists() {
        assert!(std::time::Instant::now() < deadline, "the apply never took the lock");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
