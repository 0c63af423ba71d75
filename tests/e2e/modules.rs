//! Modules end to end: apply, re-plan, change an instance, `-target` a module instance,
//! `state mv` a module, and `moved`, `removed` and `import` blocks carried through apply.

use crate::Work;

const APP: &str = r#"
variable "name" { type = string }
variable "size" {
  type    = number
  default = 1
}
resource "fake_resource" "svc" {
  name = var.name
  size = var.size
}
output "id" { value = fake_resource.svc.id }
"#;

fn with_module(main: &str) -> Work {
    let w = Work::new(main);
    std::fs::create_dir_all(w.path().join("modules/app")).unwrap();
    w.write("modules/app/main.tf", APP);
    w
}

const APPS: &str = r#"
variable "sizes" {
  default = { web = 1, api = 2 }
}
module "app" {
  source   = "./modules/app"
  for_each = var.sizes
  name     = each.key
  size     = each.value
}
resource "fake_resource" "index" {
  name  = "index"
  value = join(",", sort([for k, m in module.app : m.id]))
}
output "ids" {
  value = { for k, m in module.app : k => m.id }
}
"#;

#[test]
fn module_instances_apply_replan_change_and_destroy() {
    let w = with_module(APPS);
    let out = w.ok(&["apply", "-auto-approve"]);
    assert!(out.contains("Resources: 3 added"), "{out}");
    assert_eq!(
        w.addresses(),
        ["fake_resource.index", "module.app[\"api\"].fake_resource.svc", "module.app[\"web\"].fake_resource.svc"]
    );
    // The state records module paths as Terraform does.
    let state = w.state();
    let modules: Vec<&str> =
        state["resources"].as_array().unwrap().iter().filter_map(|r| r["module"].as_str()).collect();
    assert_eq!(modules, ["module.app[\"api\"]", "module.app[\"web\"]"]);
    // Outputs of a for_each module are a map by key.
    let ids = &state["outputs"]["ids"]["value"];
    assert!(ids["web"].as_str().unwrap().starts_with("fake-"), "{ids}");
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("No changes."), "{out}");

    // Changing one instance's input updates only that instance.
    w.write("main.tf", &APPS.replace("api = 2", "api = 3"));
    let out = w.ok(&["plan"]);
    assert!(out.contains("module.app[\"api\"].fake_resource.svc will be updated in-place"), "{out}");
    assert!(out.contains("Plan: 0 to add, 1 to change, 0 to destroy."), "{out}");
    w.ok(&["apply", "-auto-approve"]);

    // A key removed from for_each destroys that module instance's objects.
    w.write("main.tf", &APPS.replace("web = 1, ", ""));
    let out = w.ok(&["plan"]);
    assert!(out.contains("(because module.app[\"web\"] is not in configuration)"), "{out}");
    w.ok(&["apply", "-auto-approve"]);
    assert_eq!(w.cloud_names(), ["api", "index"]);

    let out = w.ok(&["destroy", "-auto-approve"]);
    assert!(out.contains("Resources: 2 destroyed"), "{out}");
    assert!(w.cloud_names().is_empty());
}

#[test]
fn target_a_module_instance_and_move_a_module_in_state() {
    let w = with_module(APPS);
    let out = w.ok(&["apply", "-auto-approve", "-target=module.app[\"web\"]"]);
    assert!(out.contains("Resources: 1 added"), "{out}");
    assert_eq!(w.addresses(), ["module.app[\"web\"].fake_resource.svc"]);
    w.ok(&["apply", "-auto-approve"]);

    // state mv of a whole module instance, then the configuration follows it.
    w.ok(&["state", "mv", "module.app[\"web\"]", "module.app[\"www\"]"]);
    assert!(w.addresses().contains(&"module.app[\"www\"].fake_resource.svc".to_string()));
    w.write(
        "main.tf",
        &APPS
            .replace("web = 1", "www = 1")
            .replace("name     = each.key", "name     = each.key == \"www\" ? \"web\" : each.key"),
    );
    let out = w.ok(&["plan"]);
    assert!(!out.contains(" will be "), "the moved module instance needs no change\n{out}");
    assert!(out.contains("+ www = \"fake-"), "only the output's key changes\n{out}");
}

#[test]
fn moved_and_removed_blocks_are_recorded_by_apply() {
    let w = with_module(
        r#"
module "one" {
  source = "./modules/app"
  name   = "one"
}
resource "fake_resource" "old" { name = "old" }
resource "fake_resource" "legacy" { name = "legacy" }
"#,
    );
    w.ok(&["apply", "-auto-approve"]);
    w.write(
        "main.tf",
        r#"
module "many" {
  source   = "./modules/app"
  for_each = toset(["one"])
  name     = each.key
}
moved {
  from = module.one
  to   = module.many["one"]
}
resource "fake_resource" "new" { name = "old" }
moved {
  from = fake_resource.old
  to   = fake_resource.new
}
removed {
  from = fake_resource.legacy
  lifecycle { destroy = false }
}
"#,
    );
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2, "moves are changes to apply\n{out}");
    assert!(out.contains("module.one.fake_resource.svc has moved to module.many[\"one\"].fake_resource.svc"), "{out}");
    assert!(out.contains("fake_resource.legacy will no longer be managed by terrane"), "{out}");
    let out = w.ok(&["apply", "-auto-approve"]);
    assert!(out.contains("0 added, 0 changed, 0 destroyed, 1 forgotten"), "{out}");
    assert_eq!(w.addresses(), ["fake_resource.new", "module.many[\"one\"].fake_resource.svc"]);
    // Nothing was destroyed: the forgotten object still exists.
    assert_eq!(w.cloud_names(), ["legacy", "old", "one"]);
    // The moved blocks can stay; they now do nothing.
    w.write(
        "main.tf",
        &std::fs::read_to_string(w.path().join("main.tf"))
            .unwrap()
            .replace("removed {\n  from = fake_resource.legacy\n  lifecycle { destroy = false }\n}\n", ""),
    );
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn import_blocks_bring_existing_objects_under_management() {
    let w = Work::new(r#"resource "fake_resource" "a" { name = "existing" }"#);
    w.ok(&["apply", "-auto-approve"]);
    let id = w.state()["resources"][0]["instances"][0]["attributes"]["id"].as_str().unwrap().to_string();
    w.ok(&["state", "rm", "fake_resource.a"]);
    assert!(w.addresses().is_empty());

    let with_import = format!(
        r#"
resource "fake_resource" "a" {{
  name  = "existing"
  value = "managed"
}}
import {{
  to = fake_resource.a
  id = "{id}"
}}
"#
    );
    w.write("main.tf", &with_import);
    let out = w.ok(&["plan"]);
    assert!(out.contains("# fake_resource.a will be updated in-place"), "{out}");
    assert!(out.contains(&format!("# (imported from \"{id}\")")), "{out}");
    assert!(out.contains("Plan: 1 to import, 0 to add, 1 to change, 0 to destroy."), "{out}");
    let json = w.ok(&["plan", "-out=p.bin"]);
    assert!(json.contains("1 to import"));
    let shown: serde_json::Value = serde_json::from_str(&w.ok(&["show", "-json", "p.bin"])).unwrap();
    let rc = &shown["resource_changes"][0];
    assert_eq!(rc["change"]["importing"]["id"], id.as_str(), "{rc}");
    let out = w.ok(&["apply", "p.bin"]);
    assert!(out.contains("Resources: 1 imported, 0 added, 1 changed, 0 destroyed."), "{out}");
    assert_eq!(w.addresses(), ["fake_resource.a"]);
    assert_eq!(w.cloud_names(), ["existing"], "imported, not created anew");
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "the import block is done once the object is managed\n{out}");

    // An import whose object does not exist fails the plan and says which id.
    let w2 = Work::new(
        r#"
resource "fake_resource" "b" { name = "b" }
import {
  to = fake_resource.b
  id = "fake-0000000000000000"
}
"#,
    );
    let (code, _, err) = w2.run(&["plan"]);
    assert_eq!(code, 1);
    assert!(err.contains("Cannot import fake_resource.b") && err.contains("fake-0000000000000000"), "{err}");
}

/// A state Terraform wrote with a `null_resource` of hashicorp/null.
const NULL_RESOURCE_STATE: &str = r#"{
  "version": 4,
  "terraform_version": "1.11.4",
  "serial": 3,
  "lineage": "6f1c0f0e-0d59-4d1e-9a55-3c3e1cfbd0a1",
  "outputs": {},
  "resources": [
    {
      "mode": "managed",
      "type": "null_resource",
      "name": "a",
      "provider": "provider[\"registry.terraform.io/hashicorp/null\"]",
      "instances": [
        {
          "schema_version": 0,
          "attributes": {"id": "4719563948286271341", "triggers": {"v": "1"}},
          "sensitive_attributes": []
        }
      ]
    }
  ],
  "check_results": null
}
"#;

/// `moved` from `null_resource` to `terraform_data` (Terraform 1.9 and later): the built-in
/// provider converts the object (Terraform's `moveDataStoreResourceState`, read from its
/// source: hashicorp/null cannot be installed here to run Terraform itself), so the move plans
/// no change and the state records a `terraform_data` of the built-in provider, same id.
#[test]
fn a_null_resource_moves_to_terraform_data_across_types() {
    let w = Work::new(
        "resource \"terraform_data\" \"a\" {\n  triggers_replace = { v = \"1\" }\n}\n\nmoved {\n  from = null_resource.a\n  to   = terraform_data.a\n}\n",
    );
    w.write("terraform.tfstate", NULL_RESOURCE_STATE);
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("# null_resource.a has moved to terraform_data.a"), "{out}");
    assert!(out.contains("0 to add, 0 to change, 0 to destroy"), "{out}");
    w.ok(&["apply", "-auto-approve"]);
    let state = w.state();
    let r = &state["resources"][0];
    assert_eq!(r["type"], "terraform_data");
    assert_eq!(r["provider"], "provider[\"terraform.io/builtin/terraform\"]");
    assert_eq!(r["instances"][0]["attributes"]["id"], "4719563948286271341");
    assert_eq!(r["instances"][0]["attributes"]["triggers_replace"]["value"], serde_json::json!({"v": "1"}));
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "{out}");
}

/// A provider that cannot move objects across types stops the plan with Terraform's error,
/// and the state is left as it was.
#[test]
fn a_move_across_types_the_provider_cannot_make_is_refused() {
    let w = Work::new(
        "resource \"fake_resource\" \"a\" {\n  name = \"a\"\n}\n\nmoved {\n  from = null_resource.a\n  to   = fake_resource.a\n}\n",
    );
    w.write("terraform.tfstate", NULL_RESOURCE_STATE);
    let (code, _, err) = w.run(&["plan"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Unsupported `moved` across resource types"), "{err}");
    assert!(err.contains("does not support moved operations across resource types and providers"), "{err}");
    assert_eq!(w.state()["resources"][0]["type"], "null_resource");
}
