//! The state lock: a second run finds it held, says who holds it, and waits with -lock-timeout.

use crate::{Work, wait_for_lock};

const SLOW: &str = r#"
resource "fake_resource" "slow" {
  name       = "slow"
  latency_ms = 1500
}
"#;

fn spawn_apply(w: &Work) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("terrane"))
        .current_dir(w.path())
        .args(["apply", "-auto-approve"])
        .env("NO_COLOR", "1")
        .env("TERRANE_FAKE_STORE", w.cloud())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn a_held_lock_is_reported_with_its_holder() {
    let w = Work::new(SLOW);
    let mut child = spawn_apply(&w);
    wait_for_lock(&w);
    let (code, _, err) = w.run(&["plan"]);
    assert_eq!(code, 1);
    assert!(err.contains("Error acquiring the state lock"), "{err}");
    assert!(err.contains("Operation: OperationTypeApply"), "{err}");
    assert!(err.contains("terrane force-unlock"), "{err}");
    assert!(child.wait().unwrap().success());
    // Released at the end: the next run locks at once.
    w.ok(&["plan"]);
    assert!(!w.path().join(".terraform.tfstate.lock.info").exists());
}

#[test]
fn lock_timeout_waits_for_the_holder() {
    let w = Work::new(SLOW);
    let mut child = spawn_apply(&w);
    wait_for_lock(&w);
    let out = w.ok(&["plan", "-lock-timeout=30s", "-detailed-exitcode"]);
    assert!(out.contains("No changes."), "the plan ran after the apply finished: {out}");
    assert!(child.wait().unwrap().success());
}

#[test]
fn lock_false_skips_locking() {
    let w = Work::new(SLOW);
    let mut child = spawn_apply(&w);
    wait_for_lock(&w);
    let (code, out, err) = w.run(&["plan", "-lock=false"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(child.wait().unwrap().success());
}
