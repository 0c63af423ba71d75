//! init → plan → apply → no changes → change → destroy; saved plans; partial failure;
//! Ctrl-C; configuration errors.

use crate::Work;

const CONFIG: &str = r#"
variable "size" {
  type    = number
  default = 1
}

variable "token" {
  type      = string
  default   = "tok-123456"
  sensitive = true
}

resource "fake_resource" "net" {
  name = "net"
}

resource "fake_resource" "app" {
  count  = 2
  name   = "app-${count.index}"
  value  = fake_resource.net.id
  size   = var.size
  secret = var.token
}

output "app_ids" {
  value = fake_resource.app[*].id
}

output "token" {
  value     = var.token
  sensitive = true
}
"#;

#[test]
fn full_lifecycle_with_detailed_exit_codes() {
    let w = Work::new(CONFIG);
    let out = w.ok(&["init"]);
    assert!(out.contains("terrane has been successfully initialized"), "{out}");
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("Plan: 3 to add, 0 to change, 0 to destroy."), "{out}");
    assert!(!out.contains("tok-123456"), "a sensitive value leaked into the plan:\n{out}");

    let out = w.ok(&["apply", "-auto-approve"]);
    assert!(out.contains("Apply complete! Resources: 3 added, 0 changed, 0 destroyed."), "{out}");
    assert!(out.contains("fake_resource.net: Creation complete after"), "{out}");
    assert!(out.contains("token = <sensitive>"), "{out}");
    assert!(!out.contains("tok-123456"), "{out}");
    assert_eq!(w.cloud_names(), ["app-0", "app-1", "net"]);
    assert_eq!(w.addresses(), ["fake_resource.app[0]", "fake_resource.app[1]", "fake_resource.net"]);

    let (code, out, _) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("No changes. Your infrastructure matches the configuration."), "{out}");
    assert!(out.contains("fake_resource.net: Refreshing state... [id="), "{out}");

    let (code, out, _) = w.run(&["plan", "-detailed-exitcode", "-var", "size=3"]);
    assert_eq!(code, 2, "{out}");
    // Padded to the hidden `value` (Terraform pads to every attribute it has).
    assert!(out.contains("~ size   = 1 -> 3"), "{out}");
    assert!(out.contains("Plan: 0 to add, 2 to change, 0 to destroy."), "{out}");

    let out = w.ok(&["output", "-json"]);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["app_ids"]["value"].as_array().map(Vec::len), Some(2));
    assert_eq!(j["token"]["sensitive"], true);
    assert_eq!(
        w.ok(&["output", "-raw", "token"]),
        "tok-123456",
        "asking for a sensitive output by name shows it, as Terraform does"
    );

    let out = w.ok(&["destroy", "-auto-approve"]);
    assert!(out.contains("Destroy complete! Resources: 3 destroyed."), "{out}");
    assert!(w.cloud_names().is_empty());
    assert!(w.addresses().is_empty());
    assert!(w.state()["outputs"].as_object().unwrap().is_empty());
}

#[test]
fn saved_plans_apply_exactly_and_stale_ones_are_refused() {
    let w = Work::new(CONFIG);
    w.ok(&["plan", "-out=first.plan"]);
    // A plan file holds the state and the variables (secrets too): owner-only, even when
    // it replaces a file that was readable by others.
    std::fs::write(w.path().join("second.plan"), "old").unwrap();
    std::fs::set_permissions(w.path().join("second.plan"), std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .unwrap();
    w.ok(&["plan", "-out=second.plan"]);
    for f in ["first.plan", "second.plan"] {
        let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(w.path().join(f)).unwrap().permissions());
        assert_eq!(mode & 0o777, 0o600, "{f}");
    }
    let out = w.ok(&["apply", "first.plan"]);
    assert!(out.contains("Apply complete! Resources: 3 added"), "{out}");
    let (code, _, err) = w.run(&["apply", "second.plan"]);
    assert_eq!(code, 1);
    assert!(err.contains("Saved plan is stale"), "{err}");
    assert_eq!(w.cloud_names(), ["app-0", "app-1", "net"], "the stale plan created nothing");
    // A saved plan uses the configuration it was made from, not the files on disk.
    w.ok(&["plan", "-var", "size=5", "-out=resize.plan"]);
    std::fs::write(w.path().join("main.tf"), "this is not HCL {{{").unwrap();
    let out = w.ok(&["apply", "resize.plan"]);
    assert!(out.contains("2 changed"), "{out}");
    let state = w.state();
    let sizes: Vec<i64> = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["name"] == "app")
        .flat_map(|r| r["instances"].as_array().unwrap().iter().map(|i| i["attributes"]["size"].as_i64().unwrap()))
        .collect();
    assert_eq!(sizes, [5, 5]);
}

/// The case from issue #22: what the configuration reads (here a file) changes between plan
/// and apply. Terraform applies the independent object, then fails on the changed one
/// ("Provider produced inconsistent final plan"); terrane refuses the whole plan before
/// anything changes, naming the resource, the attribute and both values, and never a
/// sensitive value.
#[test]
fn a_saved_plan_whose_inputs_changed_is_refused_before_anything_changes() {
    let w = Work::new(
        r#"
resource "terraform_data" "cfg" {
  input = file("in.txt")
}

resource "fake_resource" "other" {
  name = "other"
}

resource "fake_resource" "keyed" {
  name   = "keyed"
  secret = file("secret.txt")
}
"#,
    );
    w.write("in.txt", "reviewed");
    w.write("secret.txt", "hunter2");
    w.ok(&["plan", "-out=p.plan"]);
    w.write("in.txt", "changed");
    w.write("secret.txt", "swordfish");
    let (code, out, err) = w.run(&["apply", "p.plan"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("Saved plan is stale"), "{err}");
    assert!(err.contains("terraform_data.cfg"), "{err}");
    assert!(err.contains(r#".input: was cty.StringVal("reviewed"), but now cty.StringVal("changed")"#), "{err}");
    assert!(err.contains(".secret: inconsistent values for sensitive attribute"), "{err}");
    assert!(!err.contains("hunter2") && !err.contains("swordfish"), "a secret leaked:\n{err}");
    assert!(err.contains("main.tf:2"), "the message points at the resource:\n{err}");
    assert!(w.cloud_names().is_empty(), "nothing was created: {:?}", w.cloud_names());
    assert!(!out.contains("Creating"), "{out}");
    // With the files as they were reviewed, the same plan applies.
    w.write("in.txt", "reviewed");
    w.write("secret.txt", "hunter2");
    let out = w.ok(&["apply", "p.plan"]);
    assert!(out.contains("Apply complete! Resources: 3 added"), "{out}");
}

/// As Terraform 1.11: a plan whose walk found errors is shown and saved with what it planned
/// before them (`"errored": true`), and is never applied; an error validation finds gives no
/// plan at all. (What the saved plan holds is compared with Terraform's in the conformance
/// cases `errored_plan_*`; this checks the rendering, the file and the refusals.)
#[test]
fn an_errored_plan_is_shown_and_saved_but_never_applied() {
    let w = Work::new(
        r#"
variable "ok" {
  type    = bool
  default = false
}

resource "fake_resource" "fine" {
  name = "fine"
}

resource "fake_resource" "guarded" {
  name = "guarded"
  lifecycle {
    precondition {
      condition     = var.ok
      error_message = "Not ok yet."
    }
  }
}
"#,
    );
    let (code, out, err) = w.run(&["plan", "-no-color", "-out=p.plan", "-detailed-exitcode"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(
            "terrane planned the following actions, indicated with these symbols, but then encountered a problem:"
        ),
        "{out}"
    );
    assert!(out.contains("# fake_resource.fine will be created"), "{out}");
    assert!(!out.contains("fake_resource.guarded will"), "{out}");
    assert!(!out.contains("Saved the plan"), "an errored plan has no next step:\n{out}");
    assert!(err.contains("Resource precondition failed") && err.contains("Not ok yet."), "{err}");
    let file = w.dir.path().join("p.plan");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).expect("the plan is saved").permissions().mode() & 0o777, 0o600);
    }
    let shown: serde_json::Value = serde_json::from_str(&w.ok(&["show", "-json", "p.plan"])).expect("JSON");
    assert_eq!(shown["errored"], true, "{shown}");
    assert_eq!(shown["applyable"], false, "{shown}");
    let planned: Vec<&str> =
        shown["resource_changes"].as_array().unwrap().iter().map(|c| c["address"].as_str().unwrap()).collect();
    assert_eq!(planned, ["fake_resource.fine"]);
    assert!(w.ok(&["show", "-no-color", "p.plan"]).contains("but then encountered a problem"));
    let (code, out, _) = w.run(&["plan", "-markdown"]);
    assert_eq!(code, 1);
    assert!(out.contains("**Planning failed.**") && out.contains("fake_resource.fine"), "{out}");
    let (code, out, err) = w.run(&["apply", "p.plan"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("Cannot apply incomplete plan"), "{err}");
    let (code, out, err) = w.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("# fake_resource.fine will be created"), "the partial plan is shown:\n{out}");
    assert!(err.contains("Resource precondition failed"), "{err}");
    assert!(w.cloud_names().is_empty(), "nothing was created: {:?}", w.cloud_names());
    // Fixed, the same configuration plans and applies.
    w.ok(&["apply", "-auto-approve", "-var", "ok=true"]);
    assert_eq!(w.cloud_names().len(), 2, "{:?}", w.cloud_names());
}

/// An error validation finds (here a constant that is not a number) stops before planning:
/// no plan is shown or saved, as in Terraform.
#[test]
fn an_error_validation_finds_saves_no_plan() {
    let w = Work::new(
        r#"
resource "fake_resource" "fine" {
  name = "fine"
}

resource "fake_resource" "broken" {
  name  = "broken"
  value = tonumber("abc")
}
"#,
    );
    let (code, out, err) = w.run(&["plan", "-no-color", "-out=p.plan"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("Invalid function argument"), "{err}");
    assert!(!out.contains("fake_resource.fine"), "{out}");
    assert!(!w.dir.path().join("p.plan").exists(), "no plan file");
}

#[test]
fn a_failure_mid_apply_keeps_every_finished_resource_in_the_state() {
    let config = r#"
resource "fake_resource" "first" { name = "first" }
resource "fake_resource" "broken" {
  name    = "broken"
  value   = fake_resource.first.id
  fail_on = "create"
}
resource "fake_resource" "needs_broken" {
  name  = "needs-broken"
  value = fake_resource.broken.id
}
resource "fake_resource" "independent" {
  name       = "independent"
  latency_ms = 300
}
"#;
    let w = Work::new(config);
    let (code, out, err) = w.run(&["apply", "-auto-approve"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("Error creating fake_resource.broken"), "{err}");
    assert!(err.contains("injected failure on create"), "{err}");
    assert!(err.contains("main.tf:3:"), "the error points at the resource: {err}");
    assert_eq!(w.addresses(), ["fake_resource.first", "fake_resource.independent"]);
    assert_eq!(w.cloud_names(), ["first", "independent"]);
    // Fix it and carry on from there: only the missing ones are created.
    std::fs::write(w.path().join("main.tf"), config.replace("  fail_on = \"create\"\n", "")).unwrap();
    let out = w.ok(&["apply", "-auto-approve"]);
    assert!(out.contains("Resources: 2 added, 0 changed, 0 destroyed."), "{out}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_during_apply_saves_finished_work_and_releases_the_lock() {
    let config = r#"
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
"#;
    let w = Work::new(config);
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("terrane"))
        .current_dir(w.path())
        .args(["apply", "-auto-approve"])
        .env("NO_COLOR", "1")
        .env("TERRANE_FAKE_STORE", w.cloud())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the slow create is under way.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !w.cloud_names().contains(&"quick".to_string()) {
        assert!(std::time::Instant::now() < deadline, "apply did not start");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let pid = child.id().to_string();
    assert!(std::process::Command::new("kill").args(["-INT", &pid]).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("Interrupt received"), "{stderr}");
    assert!(stderr.contains("Operation interrupted"), "{stderr}");
    // The in-flight create finished and is recorded; nothing after it started.
    assert_eq!(w.addresses(), ["fake_resource.quick", "fake_resource.slow"]);
    assert_eq!(w.cloud_names(), ["quick", "slow"]);
    // The lock was released: a new run can take it at once.
    let out = w.ok(&["apply", "-auto-approve", "-lock-timeout=0s"]);
    assert!(out.contains("Resources: 1 added"), "{out}");
}

/// Starts an apply of one slow create and, once the create is under way, makes the final
/// state write fail: `terraform.tfstate` becomes a directory (renaming the new state over it
/// fails). With `errored_blocked`, `errored.tfstate` is a directory too. Returns (exit code,
/// stdout, stderr).
#[cfg(unix)]
fn apply_with_unwritable_state(w: &Work, errored_blocked: bool) -> (i32, String, String) {
    w.write("main.tf", "resource \"fake_resource\" \"slow\" {\n  name       = \"slow\"\n  secret     = \"hunter2\"\n  latency_ms = 1000\n}\n");
    if errored_blocked {
        std::fs::create_dir_all(w.path().join("errored.tfstate/keep")).unwrap();
    }
    let child = w
        .std_cmd(&["apply", "-auto-approve"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The pending create is recorded before the create starts: the state file exists.
    let state = w.path().join("terraform.tfstate");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !std::fs::read_to_string(&state).is_ok_and(|s| s.contains("terrane_pending_creates")) {
        assert!(std::time::Instant::now() < deadline, "the apply never recorded its create");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::fs::remove_file(&state).unwrap();
    std::fs::create_dir_all(state.join("blocker")).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The backend refuses the final state: it goes to `errored.tfstate`, private (0600) and
/// whole, and `state push` recovers from it.
#[cfg(unix)]
#[test]
fn a_state_the_backend_refuses_is_saved_privately_to_errored_tfstate() {
    use std::os::unix::fs::PermissionsExt;
    let w = Work::new("");
    let (code, out, err) = apply_with_unwritable_state(&w, false);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("Failed to save the state"), "{err}");
    assert!(err.contains("The state was written to errored.tfstate"), "{err}");
    let errored = w.path().join("errored.tfstate");
    let mode = std::fs::metadata(&errored).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "errored.tfstate holds secrets but has mode {:o}", mode & 0o777);
    let state: serde_json::Value = serde_json::from_slice(&std::fs::read(&errored).unwrap()).unwrap();
    assert_eq!(state["resources"][0]["instances"][0]["attributes"]["name"], "slow");
    let leftovers: Vec<_> = std::fs::read_dir(w.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".terrane-state-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    // Recovery as the message says.
    std::fs::remove_dir_all(w.path().join("terraform.tfstate")).unwrap();
    w.ok(&["state", "push", "errored.tfstate"]);
    assert_eq!(w.addresses(), ["fake_resource.slow"]);
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "{out}{err}");
}

/// When even `errored.tfstate` cannot be written, the user is told so (not that it was
/// written) and the state is printed on stdout, as Terraform's last resort.
#[cfg(unix)]
#[test]
fn a_state_that_cannot_be_saved_anywhere_is_printed() {
    let w = Work::new("");
    let (code, out, err) = apply_with_unwritable_state(&w, true);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(err.contains("Failed to save the state"), "{err}");
    assert!(!err.contains("The state was written to errored.tfstate"), "a false claim: {err}");
    assert!(err.contains("Failed to create local state file"), "{err}");
    assert!(err.contains("Error creating local state file for recovery: errored.tfstate:"), "{err}");
    assert!(err.contains("Failed to persist state to backend"), "{err}");
    assert!(w.path().join("errored.tfstate/keep").is_dir());
    let start = out.find("{\n  \"version\"").unwrap_or_else(|| panic!("no state on stdout:\n{out}"));
    let end = out.rfind('}').unwrap();
    let state: serde_json::Value = serde_json::from_str(&out[start..=end]).unwrap();
    assert_eq!(state["resources"][0]["instances"][0]["attributes"]["name"], "slow");
    assert_eq!(w.cloud_names(), ["slow"]);
}

#[test]
fn configuration_errors_point_at_the_source_and_touch_nothing() {
    let w = Work::new(CONFIG);
    w.ok(&["apply", "-auto-approve"]);
    let before = std::fs::read(w.path().join("terraform.tfstate")).unwrap();
    w.write("broken.tf", "resource \"fake_resource\" \"x\" {\n  name  = \"x\"\n  value = var.sise\n}\n");
    let (code, _, err) = w.run(&["apply", "-auto-approve"]);
    assert_eq!(code, 1);
    assert!(err.contains("Reference to undeclared input variable"), "{err}");
    assert!(err.contains("broken.tf:3:11"), "{err}");
    assert!(err.contains("value = var.sise"), "{err}");
    assert!(err.contains("Did you mean \"size\"?"), "{err}");
    assert_eq!(std::fs::read(w.path().join("terraform.tfstate")).unwrap(), before, "the state is untouched");
    let (code, out, _) = w.run(&["validate", "-json"]);
    assert_eq!(code, 1);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["valid"], false);
    assert_eq!(j["diagnostics"][0]["range"]["filename"], "broken.tf");
    assert_eq!(j["diagnostics"][0]["range"]["start"]["line"], 3);
}

/// A file that is not UTF-8 is named with the line and column of its first invalid byte, as
/// Terraform names it (`terraform validate`: "Invalid character encoding", bad.tf line 2,
/// column 17, byte 31), and the other files' errors are still reported.
#[test]
fn a_file_that_is_not_utf8_is_reported_at_its_first_invalid_byte() {
    let w = Work::new("variable \"size\" {\n  default = 1\n}\n");
    std::fs::write(w.path().join("bad.tf"), b"variable \"a\" {\n  default = \"caf\xe9 ok\"\n}\n").unwrap();
    w.write("other.tf", "variable \"b\" {\n  default = \n}\n");
    let (code, _, err) = w.run(&["validate"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Invalid character encoding"), "{err}");
    assert!(err.contains("All input files must be UTF-8 encoded"), "{err}");
    assert!(err.contains("bad.tf:2:17"), "{err}");
    assert!(err.contains("default = \"caf\u{fffd} ok\""), "the snippet is missing: {err}");
    assert!(err.contains("other.tf:2"), "the other file's error is missing: {err}");
    assert!(!err.contains("stream did not contain valid UTF-8"), "{err}");
    let (code, out, _) = w.run(&["validate", "-json"]);
    assert_eq!(code, 1);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = j["diagnostics"].as_array().unwrap().iter().find(|d| d["summary"] == "Invalid character encoding").unwrap();
    assert_eq!(d["range"]["filename"], "bad.tf");
    assert_eq!(d["range"]["start"], serde_json::json!({"line": 2, "column": 17, "byte": 31}));
    assert_eq!(d["range"]["end"]["column"], 18);
    // The same for a variables file; as in Terraform, the string the byte is in is then
    // unterminated (Terraform 1.11 reports both errors at 2:6), and a byte in a comment is
    // not an error at all.
    std::fs::remove_file(w.path().join("bad.tf")).unwrap();
    std::fs::remove_file(w.path().join("other.tf")).unwrap();
    std::fs::write(w.path().join("terraform.tfvars"), b"size = 2\nx = \"\xff\"\n").unwrap();
    let (code, _, err) = w.run(&["plan"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Invalid character encoding") && err.contains("terraform.tfvars:2:6"), "{err}");
    assert!(err.contains("Unterminated template string"), "{err}");
    std::fs::write(w.path().join("terraform.tfvars"), b"size = 2\n# \xff\n").unwrap();
    let (code, _, err) = w.run(&["plan"]);
    assert_eq!(code, 0, "Terraform accepts a comment that is not UTF-8: {err}");
}

#[test]
fn show_json_masks_sensitive_values() {
    let w = Work::new(CONFIG);
    w.ok(&["plan", "-out=p.plan"]);
    let out = w.ok(&["show", "-json", "p.plan"]);
    assert!(!out.contains("tok-123456"), "{out}");
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    let app =
        j["resource_changes"].as_array().unwrap().iter().find(|c| c["address"] == "fake_resource.app[0]").unwrap();
    assert_eq!(app["change"]["actions"], serde_json::json!(["create"]));
    assert_eq!(app["change"]["after_sensitive"]["secret"], true);
    assert_eq!(app["change"]["after_unknown"]["id"], true);
    let text = w.ok(&["show", "p.plan"]);
    assert!(text.contains("Plan: 3 to add"), "{text}");
}

#[test]
fn variable_sources_follow_terraforms_precedence() {
    let w = Work::new("variable \"x\" {}\noutput \"x\" {\n  value = var.x\n}\n");
    w.write("a.tfvars", "x = \"from-file\"\n");
    w.ok(&["apply", "-auto-approve", "-var", "x=flag", "-var-file=a.tfvars"]);
    assert_eq!(w.ok(&["output", "-raw", "x"]), "from-file", "the later -var-file wins");
    w.ok(&["apply", "-auto-approve", "-var-file=a.tfvars", "-var", "x=flag"]);
    assert_eq!(w.ok(&["output", "-raw", "x"]), "flag", "the later -var wins");
    let out = w.cmd(&["apply", "-auto-approve"]).env("TF_VAR_x", "env").output().unwrap();
    assert!(out.status.success());
    assert_eq!(w.ok(&["output", "-raw", "x"]), "env");
    w.write("terraform.tfvars", "x = \"tfvars\"\n");
    let out = w.cmd(&["apply", "-auto-approve"]).env("TF_VAR_x", "env").output().unwrap();
    assert!(out.status.success());
    assert_eq!(w.ok(&["output", "-raw", "x"]), "tfvars", "terraform.tfvars beats the environment");
    w.write("z.auto.tfvars", "x = \"auto\"\n");
    w.ok(&["apply", "-auto-approve"]);
    assert_eq!(w.ok(&["output", "-raw", "x"]), "auto");
    std::fs::remove_file(w.path().join("terraform.tfvars")).unwrap();
    std::fs::remove_file(w.path().join("z.auto.tfvars")).unwrap();
    let (code, _, err) = w.run(&["plan"]);
    assert_eq!(code, 1);
    assert!(err.contains("No value for required variable"), "{err}");
}

#[test]
fn markdown_plans_for_pull_requests() {
    let w = Work::new(CONFIG);
    w.ok(&["apply", "-auto-approve"]);
    let (code, out, err) = w.run(&["plan", "-markdown", "-detailed-exitcode", "-var", "size=2", "-out=p.plan"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.starts_with("### terrane plan\n"), "only Markdown on stdout:\n{out}");
    assert!(err.contains("Refreshing state"), "progress goes to stderr: {err}");
    assert!(out.contains("| 0 | 2 | 0 | 0 |"), "{out}");
    assert!(!out.contains("tok-123456"), "{out}");
    let shown = w.ok(&["show", "-markdown", "p.plan"]);
    assert_eq!(shown.trim_end(), out.trim_end(), "show -markdown of the saved plan gives the same comment");
}

#[test]
fn a_complete_destroy_leaves_an_empty_state_data_sources_included() {
    let w = Work::new(
        r#"
terraform {
  required_providers {
    fake = { source = "terrane.dev/test/fake" }
  }
}

resource "fake_resource" "a" {
  name = "a"
}

data "fake_lookup" "a" {
  name = fake_resource.a.name
}

output "found" {
  value = data.fake_lookup.a.id
}
"#,
    );
    w.ok(&["apply", "-auto-approve"]);
    let modes: Vec<String> =
        w.state()["resources"].as_array().unwrap().iter().map(|r| r["mode"].as_str().unwrap().to_string()).collect();
    assert_eq!(modes, ["managed", "data"], "the data source is recorded after apply");
    w.ok(&["destroy", "-auto-approve"]);
    assert_eq!(w.state()["resources"], serde_json::json!([]), "Terraform's destroy leaves no data sources either");
}

/// A variable whose value is null (`default = null`) survives apply, plan and output, as in
/// Terraform 1.11: the plan after the apply shows no changes, a null output is left out of the
/// state (`output -json` omits it, asking for it by name fails) and the other outputs see it.
#[test]
fn a_null_variable_survives_apply_plan_and_output() {
    let w = Work::new(
        r#"
variable "maybe" {
  type    = string
  default = null
}

resource "terraform_data" "x" {
  input = var.maybe
}

output "maybe" {
  value = var.maybe
}

output "is_null" {
  value = var.maybe == null
}
"#,
    );
    w.ok(&["apply", "-auto-approve"]);
    // Every later command reads the state the apply wrote.
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("No changes."), "{out}");
    let j: serde_json::Value = serde_json::from_str(&w.ok(&["output", "-json"])).unwrap();
    assert_eq!(j, serde_json::json!({"is_null": {"sensitive": false, "type": "bool", "value": true}}));
    let (code, _, err) = w.run(&["output", "maybe"]);
    assert_eq!(code, 1);
    assert!(err.contains("Output \"maybe\" not found"), "{err}");
    // Setting it later is a change; unsetting it again is another.
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode", "-var", "maybe=x"]);
    assert_eq!(code, 2, "{out}");
    w.ok(&["apply", "-auto-approve", "-var", "maybe=x"]);
    w.ok(&["apply", "-auto-approve"]);
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "{out}");
}
