//! Machine-readable output: `show -json` (plans and states), `plan -json` and `apply -json`
//! event streams, `apply -detailed-exitcode`, `graph -format=mermaid`.

use crate::Work;
use serde_json::{Value as J, json};
use std::collections::BTreeSet;

const SECRET: &str = "tok-s3cr3t-42";

const CONFIG: &str = r#"
variable "size" {
  type    = number
  default = 1
}

variable "token" {
  type      = string
  default   = "tok-s3cr3t-42"
  sensitive = true
}

resource "fake_resource" "net" {
  name   = "net"
  value  = "v1"
  secret = var.token
  rule {
    port = 80
  }
}

resource "fake_resource" "app" {
  count = 2
  name  = "app-${count.index}"
  value = fake_resource.net.id
  size  = var.size
}

output "net_id" {
  value = fake_resource.net.id
}

output "token" {
  value     = var.token
  sensitive = true
}
"#;

/// Each stdout line parsed as one JSON object.
fn events(out: &str) -> Vec<J> {
    out.lines()
        .map(|l| serde_json::from_str::<J>(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}\n--- all:\n{out}")))
        .collect()
}

fn types(events: &[J]) -> BTreeSet<String> {
    events.iter().map(|e| e["type"].as_str().unwrap_or_default().to_string()).collect()
}

fn of_type<'a>(events: &'a [J], kind: &str) -> Vec<&'a J> {
    events.iter().filter(|e| e["type"] == kind).collect()
}

fn assert_common_fields(events: &[J]) {
    for e in events {
        for k in ["@level", "@message", "@module", "@timestamp", "type"] {
            assert!(e.get(k).is_some(), "{k} missing in {e}");
        }
    }
    assert_eq!(events[0]["type"], "version", "the stream starts with the version");
}

fn change<'a>(plan: &'a J, address: &str) -> &'a J {
    plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == address)
        .unwrap_or_else(|| panic!("no change for {address} in {plan}"))
}

/// Changes the stored `value` of the cloud object named `name`, behind terrane's back.
fn drift(w: &Work, name: &str, value: &str) {
    let path = w.cloud().join("objects.json");
    let mut objects: serde_json::Map<String, J> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for o in objects.values_mut() {
        if o["name"] == name {
            o["value"] = value.into();
        }
    }
    std::fs::write(&path, serde_json::to_vec(&objects).unwrap()).unwrap();
}

#[test]
fn show_json_of_a_plan_and_of_the_state() {
    let w = Work::new(CONFIG);
    w.ok(&["apply", "-auto-approve"]);
    drift(&w, "net", "changed-outside");
    w.write(
        "main.tf",
        &CONFIG
            .replace("count = 2", "count = 1")
            .replace("name  = \"app-${count.index}\"", "name  = \"app2-${count.index}\""),
    );
    let (code, _, err) = w.run(&["plan", "-out=p.bin", "-var", "size=3", "-detailed-exitcode"]);
    assert_eq!(code, 2, "{err}");
    let out = w.ok(&["show", "-json", "p.bin"]);
    assert_eq!(out.lines().count(), 1, "one line, as Terraform prints it");
    assert!(!out.contains(SECRET), "a sensitive value leaked:\n{out}");
    let plan: J = serde_json::from_str(&out).unwrap();
    assert_eq!(plan["format_version"], "1.2");
    assert!(plan["terrane_version"].is_string());
    assert_eq!(plan["errored"], false);
    assert_eq!(plan["applyable"], true);
    assert_eq!(change(&plan, "fake_resource.app[0]")["change"]["actions"], json!(["delete", "create"]));
    assert_eq!(change(&plan, "fake_resource.app[0]")["change"]["replace_paths"], json!([["name"]]));
    assert_eq!(change(&plan, "fake_resource.app[1]")["change"]["actions"], json!(["delete"]));
    assert_eq!(change(&plan, "fake_resource.app[1]")["action_reason"], "delete_because_count_index");
    let net = change(&plan, "fake_resource.net");
    assert_eq!(net["change"]["actions"], json!(["update"]), "the drifted value is set back");
    assert_eq!(net["change"]["before"]["secret"], J::Null, "masked");
    assert_eq!(net["change"]["before_sensitive"]["secret"], true);
    assert_eq!(net["change"]["before"]["rule"], json!([{"port": 80, "protocol": "tcp"}]));
    let drift = plan["resource_drift"].as_array().unwrap();
    assert_eq!(drift[0]["address"], "fake_resource.net");
    assert_eq!(drift[0]["change"]["after"]["value"], "changed-outside");
    assert_eq!(plan["variables"]["token"], json!({"value": null, "sensitive": true}));
    assert_eq!(plan["variables"]["size"], json!({"value": 3}));
    assert_eq!(plan["output_changes"]["token"]["after_sensitive"], true);
    assert_eq!(plan["prior_state"]["values"]["root_module"]["resources"].as_array().map(Vec::len), Some(3));
    let config_resources = plan["configuration"]["root_module"]["resources"].as_array().unwrap();
    let app = config_resources.iter().find(|r| r["address"] == "fake_resource.app").unwrap();
    assert_eq!(app["count_expression"], json!({"constant_value": 1}));
    assert_eq!(app["expressions"]["value"]["references"], json!(["fake_resource.net.id", "fake_resource.net"]));

    // The state, current and from a file.
    for args in [&["show", "-json"][..], &["show", "-json", "terraform.tfstate"][..]] {
        let out = w.ok(args);
        assert!(!out.contains(SECRET), "{args:?} leaked:\n{out}");
        let state: J = serde_json::from_str(&out).unwrap();
        assert_eq!(state["format_version"], "1.0");
        let resources = state["values"]["root_module"]["resources"].as_array().unwrap();
        let addresses: Vec<&str> = resources.iter().map(|r| r["address"].as_str().unwrap()).collect();
        assert_eq!(addresses, ["fake_resource.app[0]", "fake_resource.app[1]", "fake_resource.net"]);
        assert_eq!(resources[0]["index"], 0);
        assert_eq!(resources[0]["provider_name"], "terrane.dev/test/fake");
        assert_eq!(resources[0]["depends_on"], json!(["fake_resource.net"]));
        assert_eq!(resources[2]["sensitive_values"]["secret"], true);
        assert_eq!(state["values"]["outputs"]["token"], json!({"sensitive": true, "type": "string", "value": null}));
    }
}

#[test]
fn show_json_without_state() {
    let w = Work::new(CONFIG);
    let out = w.ok(&["show", "-json"]);
    let j: J = serde_json::from_str(&out).unwrap();
    assert_eq!(j["format_version"], "1.0");
    assert!(j.get("values").is_none());
}

#[test]
fn plan_json_streams_events() {
    let w = Work::new(CONFIG);
    let (code, out, err) = w.run(&["plan", "-json", "-detailed-exitcode"]);
    assert_eq!(code, 2, "{err}");
    assert!(!out.contains(SECRET), "{out}");
    let ev = events(&out);
    assert_common_fields(&ev);
    assert_eq!(ev[0]["terraform"], "1.11.4");
    assert_eq!(ev[0]["ui"], "1.2");
    let planned = of_type(&ev, "planned_change");
    assert_eq!(planned.len(), 3);
    let net = planned.iter().find(|e| e["change"]["resource"]["addr"] == "fake_resource.net").unwrap();
    assert_eq!(net["change"]["action"], "create");
    assert_eq!(net["@message"], "fake_resource.net: Plan to create");
    assert_eq!(net["change"]["resource"]["implied_provider"], "fake");
    let app0 = planned.iter().find(|e| e["change"]["resource"]["addr"] == "fake_resource.app[0]").unwrap();
    assert_eq!(app0["change"]["resource"]["resource_key"], 0);
    let summary = of_type(&ev, "change_summary");
    assert_eq!(summary[0]["changes"], json!({"add": 3, "change": 0, "import": 0, "remove": 0, "operation": "plan"}));
    assert_eq!(summary[0]["@message"], "Plan: 3 to add, 0 to change, 0 to destroy.");
    let outputs = of_type(&ev, "outputs");
    assert_eq!(outputs[0]["outputs"]["token"], json!({"sensitive": true, "action": "create"}));

    w.ok(&["apply", "-auto-approve"]);
    drift(&w, "net", "changed-outside");
    let (code, out, _) = w.run(&["plan", "-json", "-var", "size=2"]);
    assert_eq!(code, 0);
    let ev = events(&out);
    let kinds = types(&ev);
    for k in ["version", "refresh_start", "refresh_complete", "resource_drift", "planned_change", "change_summary"] {
        assert!(kinds.contains(k), "no {k} event in {kinds:?}");
    }
    let refreshed = of_type(&ev, "refresh_complete");
    assert_eq!(refreshed.len(), 3);
    assert_eq!(refreshed[0]["hook"]["id_key"], "id");
    assert!(refreshed[0]["hook"]["id_value"].as_str().unwrap().starts_with("fake-"));
    assert!(!out.contains(SECRET), "{out}");

    // Errors are diagnostics events on stdout.
    w.write("main.tf", "resource \"fake_resource\" \"x\" {\n  nmae = \"typo\"\n}\n");
    let (code, out, err) = w.run(&["plan", "-json"]);
    assert_eq!(code, 1);
    assert!(err.is_empty(), "nothing on stderr: {err}");
    let ev = events(&out);
    let diag = of_type(&ev, "diagnostic");
    assert_eq!(diag[0]["@level"], "error");
    assert_eq!(diag[0]["diagnostic"]["severity"], "error");
    assert_eq!(diag[0]["diagnostic"]["range"]["filename"], "main.tf");
    assert_eq!(diag[0]["diagnostic"]["snippet"]["code"], "  nmae = \"typo\"");
}

#[test]
fn apply_json_streams_events_and_needs_approval_up_front() {
    let w = Work::new(CONFIG);
    let (code, out, _) = w.run(&["apply", "-json"]);
    assert_eq!(code, 1);
    let ev = events(&out);
    assert_eq!(ev[1]["diagnostic"]["summary"], "Plan file or auto-approve required");
    assert!(w.cloud_names().is_empty(), "nothing was applied");

    let (code, out, err) = w.run(&["apply", "-json", "-auto-approve"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains(SECRET), "{out}");
    let ev = events(&out);
    assert_common_fields(&ev);
    let kinds = types(&ev);
    for k in ["version", "planned_change", "change_summary", "apply_start", "apply_complete", "outputs"] {
        assert!(kinds.contains(k), "no {k} event in {kinds:?}");
    }
    let starts = of_type(&ev, "apply_start");
    assert_eq!(starts.len(), 3);
    assert_eq!(starts[0]["hook"]["action"], "create");
    let done = of_type(&ev, "apply_complete");
    assert!(done.iter().all(|e| e["hook"]["id_value"].as_str().is_some_and(|i| i.starts_with("fake-"))));
    let summaries = of_type(&ev, "change_summary");
    assert_eq!(summaries.last().unwrap()["changes"]["operation"], "apply");
    assert_eq!(summaries.last().unwrap()["@message"], "Apply complete! Resources: 3 added, 0 changed, 0 destroyed.");
    let outputs = of_type(&ev, "outputs");
    let last = outputs.last().unwrap();
    assert_eq!(last["outputs"]["token"], json!({"sensitive": true, "type": "string"}));
    assert!(last["outputs"]["net_id"]["value"].as_str().unwrap().starts_with("fake-"));

    // A saved plan applies without -auto-approve; a failure is an apply_errored event and a
    // diagnostic.
    w.write(
        "main.tf",
        &format!(
            "{CONFIG}\nresource \"fake_resource\" \"broken\" {{\n  name    = \"broken\"\n  fail_on = \"create\"\n}}\n"
        ),
    );
    w.ok(&["plan", "-out=p.bin"]);
    let (code, out, _) = w.run(&["apply", "-json", "p.bin"]);
    assert_eq!(code, 1);
    let ev = events(&out);
    let errored = of_type(&ev, "apply_errored");
    assert_eq!(errored[0]["hook"]["resource"]["addr"], "fake_resource.broken");
    assert_eq!(errored[0]["@level"], "error");
    assert!(of_type(&ev, "diagnostic").iter().any(|d| d["diagnostic"]["summary"].as_str().unwrap().contains("broken")));
    assert!(of_type(&ev, "planned_change").is_empty(), "a saved plan is not shown again");
    assert!(!out.contains(SECRET), "{out}");

    // destroy -json
    w.write("main.tf", CONFIG);
    let (code, out, _) = w.run(&["destroy", "-json", "-auto-approve"]);
    assert_eq!(code, 0, "{out}");
    let ev = events(&out);
    let last = of_type(&ev, "change_summary").last().copied().unwrap().clone();
    assert_eq!(last["changes"]["operation"], "destroy");
    assert_eq!(last["changes"]["remove"], 3);
}

#[test]
fn apply_detailed_exitcode() {
    let w = Work::new(CONFIG);
    let (code, out, err) = w.run(&["apply", "-auto-approve", "-detailed-exitcode"]);
    assert_eq!(code, 2, "changes were applied\n{out}{err}");
    assert!(out.contains("Apply complete! Resources: 3 added"), "{out}");
    let (code, out, _) = w.run(&["apply", "-auto-approve", "-detailed-exitcode"]);
    assert_eq!(code, 0, "nothing changed\n{out}");
    w.ok(&["plan", "-out=p.bin", "-var", "size=2"]);
    let (code, _, err) = w.run(&["apply", "-detailed-exitcode", "p.bin"]);
    assert_eq!(code, 2, "{err}");
    let (code, out, _) = w.run(&["apply", "-json", "-auto-approve", "-detailed-exitcode", "-var", "size=2"]);
    assert_eq!(code, 0, "{out}");
    w.write("main.tf", "resource \"fake_resource\" \"x\" {\n  name    = \"x\"\n  fail_on = \"create\"\n}\n");
    let (code, _, _) = w.run(&["apply", "-auto-approve", "-detailed-exitcode"]);
    assert_eq!(code, 1, "errors exit 1");
}

#[test]
fn graph_as_mermaid_whole_or_limited_to_a_plan() {
    let w = Work::new(CONFIG);
    let out = w.ok(&["graph", "-format=mermaid"]);
    assert!(out.starts_with("flowchart LR\n"), "{out}");
    assert!(out.contains("[\"fake_resource.app\"]"), "{out}");
    assert!(out.contains("{{\"provider[#quot;fake#quot;]\"}}"), "{out}");
    let id = |name: &str| {
        out.lines()
            .find(|l| l.contains(&format!("[\"{name}\"]")))
            .and_then(|l| l.split_whitespace().next())
            .and_then(|s| s.split('[').next())
            .unwrap()
            .to_string()
    };
    assert!(out.contains(&format!("{} --> {}", id("fake_resource.app"), id("fake_resource.net"))), "{out}");
    let dot = w.ok(&["graph"]);
    assert!(dot.starts_with("digraph {"), "DOT stays the default: {dot}");

    w.ok(&["apply", "-auto-approve"]);
    w.ok(&["plan", "-out=p.bin", "-var", "size=2"]);
    let out = w.ok(&["graph", "-format=mermaid", "-plan=p.bin"]);
    assert!(out.contains("[\"fake_resource.app (update)\"]"), "{out}");
    assert!(!out.contains("fake_resource.net"), "unchanged resources are left out: {out}");
    assert!(out.contains("class n0 update"), "{out}");
    let dot = w.ok(&["graph", "-plan=p.bin"]);
    assert!(dot.contains("label = \"fake_resource.app (update)\""), "{dot}");
    let (code, _, err) = w.run(&["graph", "-format=svg"]);
    assert_ne!(code, 0);
    assert!(err.contains("mermaid"), "{err}");
}
