//! `state list|show|mv|rm|pull|push`, workspaces, `output`, `graph`, `fmt`.

use crate::Work;

const CONFIG: &str = r#"
resource "fake_resource" "a" {
  name  = "a"
  value = "hello"
}
resource "fake_resource" "b" {
  name  = "b"
  value = fake_resource.a.id
}
output "a_value" {
  value = fake_resource.a.value
}
"#;

#[test]
fn state_list_show_mv_rm() {
    let w = Work::new(CONFIG);
    w.ok(&["apply", "-auto-approve"]);
    assert_eq!(w.addresses(), ["fake_resource.a", "fake_resource.b"]);
    let show = w.ok(&["state", "show", "fake_resource.a"]);
    assert!(show.starts_with("# fake_resource.a:\nresource \"fake_resource\" \"a\" {"), "{show}");
    assert!(show.contains("value = \"hello\""), "{show}");

    let serial_before = w.state()["serial"].as_u64().unwrap();
    w.ok(&["state", "mv", "fake_resource.b", "fake_resource.c"]);
    assert_eq!(w.addresses(), ["fake_resource.a", "fake_resource.c"]);
    assert!(w.state()["serial"].as_u64().unwrap() > serial_before);
    // The configuration still says `b`: the plan wants to create b and destroy c.
    let out = w.ok(&["plan"]);
    assert!(out.contains("fake_resource.b will be created"), "{out}");
    assert!(out.contains("fake_resource.c will be destroyed"), "{out}");
    assert!(out.contains("(because fake_resource.c is not in configuration)"), "{out}");
    w.ok(&["state", "mv", "fake_resource.c", "fake_resource.b"]);
    assert!(w.ok(&["plan"]).contains("No changes."));

    let (code, _, err) = w.run(&["state", "mv", "fake_resource.a", "fake_resource.b"]);
    assert_eq!(code, 1);
    assert!(err.contains("fake_resource.b already exists in the state"), "{err}");

    w.ok(&["state", "rm", "fake_resource.b"]);
    assert_eq!(w.addresses(), ["fake_resource.a"]);
    assert_eq!(w.cloud_names(), ["a", "b"], "state rm forgets, it does not destroy");
}

#[test]
fn state_pull_and_push() {
    let w = Work::new(CONFIG);
    w.ok(&["apply", "-auto-approve"]);
    let pulled = w.ok(&["state", "pull"]);
    let mut state: serde_json::Value = serde_json::from_str(&pulled).unwrap();
    assert_eq!(state["version"], 4);
    // Pushing an older serial is refused without -force.
    state["serial"] = serde_json::json!(0);
    w.write("old.tfstate", &state.to_string());
    let (code, _, err) = w.run(&["state", "push", "old.tfstate"]);
    assert_eq!(code, 1);
    assert!(err.contains("serial"), "{err}");
    state["lineage"] = serde_json::json!("other-lineage");
    state["serial"] = serde_json::json!(100);
    w.write("other.tfstate", &state.to_string());
    let (code, _, err) = w.run(&["state", "push", "other.tfstate"]);
    assert_eq!(code, 1);
    assert!(err.contains("lineage"), "{err}");
    w.ok(&["state", "push", "-force", "other.tfstate"]);
    assert_eq!(w.state()["lineage"], "other-lineage");
}

#[test]
fn workspaces_keep_separate_states() {
    let w = Work::new(CONFIG);
    w.ok(&["apply", "-auto-approve"]);
    assert_eq!(w.ok(&["workspace", "show"]).trim(), "default");
    w.ok(&["workspace", "new", "staging"]);
    assert_eq!(w.ok(&["workspace", "show"]).trim(), "staging");
    assert_eq!(w.ok(&["workspace", "list"]), "  default\n* staging\n");
    assert!(w.addresses().is_empty(), "a new workspace starts empty");
    let out = w.ok(&["plan"]);
    assert!(out.contains("Plan: 2 to add"), "{out}");
    w.ok(&["apply", "-auto-approve"]);
    assert!(w.path().join("terraform.tfstate.d/staging/terraform.tfstate").exists());
    let (code, _, err) = w.run(&["workspace", "delete", "staging"]);
    assert_eq!(code, 1);
    assert!(err.contains("active workspace"), "{err}");
    w.ok(&["workspace", "select", "default"]);
    let (code, _, err) = w.run(&["workspace", "delete", "staging"]);
    assert_eq!(code, 1, "a workspace with resources is not deleted without -force");
    assert!(err.contains("not empty"), "{err}");
    w.ok(&["workspace", "delete", "-force", "staging"]);
    assert_eq!(w.ok(&["workspace", "list"]), "* default\n");
    let (code, _, _) = w.run(&["workspace", "select", "nope"]);
    assert_eq!(code, 1);
}

#[test]
fn output_and_graph() {
    let w = Work::new(CONFIG);
    w.ok(&["apply", "-auto-approve"]);
    assert_eq!(w.ok(&["output", "a_value"]), "\"hello\"\n");
    assert_eq!(w.ok(&["output", "-raw", "a_value"]), "hello");
    assert_eq!(w.ok(&["output"]), "a_value = \"hello\"\n");
    let dot = w.ok(&["graph"]);
    assert!(dot.starts_with("digraph {"), "{dot}");
    assert!(dot.contains("\"fake_resource.b\" -> \"fake_resource.a\""), "{dot}");
}

#[test]
fn fmt_check_and_write() {
    let w = Work::new("resource \"fake_resource\" \"a\" {\nname = \"a\"\n    value=\"x\"\n}\n");
    let (code, out, _) = w.run(&["fmt", "-check"]);
    assert_eq!(code, 3);
    assert_eq!(out.trim(), "main.tf");
    w.ok(&["fmt"]);
    let text = std::fs::read_to_string(w.path().join("main.tf")).unwrap();
    assert_eq!(text, "resource \"fake_resource\" \"a\" {\n  name  = \"a\"\n  value = \"x\"\n}\n");
    let (code, _, _) = w.run(&["fmt", "-check"]);
    assert_eq!(code, 0);
}

#[test]
fn terraform_style_flags_and_chdir() {
    let w = Work::new(CONFIG);
    let parent = w.path().parent().unwrap().to_path_buf();
    let name = w.path().file_name().unwrap().to_string_lossy().to_string();
    let mut c = assert_cmd::Command::cargo_bin("terrane").unwrap();
    let out = c
        .current_dir(&parent)
        .args([&format!("-chdir={name}"), "apply", "-auto-approve", "-parallelism=2", "-refresh=false"])
        .env("NO_COLOR", "1")
        .env("TERRANE_FAKE_STORE", w.cloud())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(w.path().join("terraform.tfstate").exists());
}
