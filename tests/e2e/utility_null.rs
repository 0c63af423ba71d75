//! hashicorp/null, built in: `null_resource` and `null_data_source` through the binary, with
//! the state shape the plugin records (provider address, schema version 0, `id` a decimal
//! random number, `triggers` a map), and the `moved` block Terraform 1.9 added from
//! `null_resource` to `terraform_data`.

use crate::Work;

const CONFIG: &str = r#"
resource "null_resource" "a" {
  triggers = { v = "1" }
}
data "null_data_source" "d" {
  inputs = { x = "y" }
}
output "id" { value = null_resource.a.id }
output "d" { value = data.null_data_source.d.outputs }
"#;

fn id(w: &Work) -> String {
    let s = w.state();
    s["outputs"]["id"]["value"].as_str().unwrap().to_string()
}

#[test]
fn utility_null_resource_is_recorded_as_the_plugin_records_it_and_replaced_on_a_trigger() {
    let w = Work::new(CONFIG);
    w.ok(&["init"]);
    w.ok(&["apply", "-auto-approve"]);
    let s = w.state();
    let r = s["resources"].as_array().unwrap().iter().find(|r| r["mode"] == "managed").unwrap();
    assert_eq!(r["type"], "null_resource");
    assert_eq!(r["provider"], "provider[\"registry.terraform.io/hashicorp/null\"]");
    assert_eq!(r["instances"][0]["schema_version"], 0);
    assert_eq!(r["instances"][0]["attributes"]["triggers"], serde_json::json!({"v": "1"}));
    let first = id(&w);
    assert!(first.parse::<u64>().is_ok_and(|n| n < 1 << 63), "{first}");
    assert_eq!(s["outputs"]["d"]["value"], serde_json::json!({"x": "y"}));
    let d =
        &s["resources"].as_array().unwrap().iter().find(|r| r["mode"] == "data").unwrap()["instances"][0]["attributes"];
    assert!(d["random"].as_str().unwrap().parse::<u64>().is_ok(), "{d}");
    assert_eq!(d["id"], "static");
    assert_eq!(d["has_computed_default"], "default");

    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "a re-plan changes nothing\n{out}{err}");

    w.write("main.tf", &CONFIG.replace("v = \"1\"", "v = \"2\""));
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2);
    assert!(out.contains("# null_resource.a must be replaced"), "{out}");
    assert!(out.contains("~ \"v\" = \"1\" -> \"2\""), "{out}");
    w.ok(&["apply", "-auto-approve"]);
    assert_ne!(id(&w), first, "a replacement has a new id");

    w.ok(&["destroy", "-auto-approve"]);
    assert!(w.addresses().is_empty());
}

#[test]
fn utility_null_resource_state_written_by_terraform_plans_no_change_and_moves_to_terraform_data() {
    let w = Work::new("resource \"null_resource\" \"a\" {\n  triggers = { v = \"1\" }\n}\n");
    // As hashicorp/null 3.2 records a null_resource (its resource schema: `id`, `triggers`).
    w.write(
        "terraform.tfstate",
        r#"{"version":4,"terraform_version":"1.11.4","serial":1,"lineage":"0d9b6f4e-5f1e-4a5c-9d1e-1c2b3a4d5e6f","outputs":{},"resources":[{"mode":"managed","type":"null_resource","name":"a","provider":"provider[\"registry.terraform.io/hashicorp/null\"]","instances":[{"schema_version":0,"attributes":{"id":"4142386364929046543","triggers":{"v":"1"}},"sensitive_attributes":[]}]}],"check_results":null}"#,
    );
    w.ok(&["init"]);
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "{out}{err}");

    w.write(
        "main.tf",
        "resource \"terraform_data\" \"a\" {\n  triggers_replace = { v = \"1\" }\n}\nmoved {\n  from = null_resource.a\n  to   = terraform_data.a\n}\n",
    );
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("# null_resource.a has moved to terraform_data.a"), "{out}");
    assert!(out.contains("0 to add, 0 to change, 0 to destroy"), "{out}");
    w.ok(&["apply", "-auto-approve"]);
    let s = w.state();
    assert_eq!(s["resources"][0]["type"], "terraform_data");
    assert_eq!(s["resources"][0]["instances"][0]["attributes"]["id"], "4142386364929046543");
}
