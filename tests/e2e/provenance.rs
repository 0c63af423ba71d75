//! Why a change happens: the `# because ...` lines under each change, `-explain ADDRESS`,
//! the Markdown summary grouped by root cause and the JSON `terrane_causes` extension, for
//! the causes a reviewer meets: a variable flowing through a local and a module, a
//! replacement cascading to dependents, drift, `-replace`, `replace_triggered_by`, a moved
//! block, a new `for_each` key, and a sensitive variable (masked everywhere).

use crate::Work;
use serde_json::Value as J;

const PROVIDERS: &str = r#"
terraform {
  required_providers {
    fake = { source = "terrane.dev/test/fake" }
  }
}
"#;

const APP_MODULE: &str = r#"
variable "image" {
  type = string
}

variable "names" {
  type = list(string)
}

resource "fake_resource" "svc" {
  for_each = toset(var.names)
  name     = each.key
  value    = var.image
}

output "ids" {
  value = [for s in fake_resource.svc : s.id]
}

output "images" {
  value = [for s in fake_resource.svc : s.value]
}
"#;

const SECRET_BEFORE: &str = "first-s3cret-value";
const SECRET_AFTER: &str = "second-s3cret-value";

/// The platform-like configuration most cases use: a tag flowing through a local and a
/// module into three services, a security-group-like resource whose name forces replacement,
/// an instance that refers to it, and a database with a sensitive password.
fn config() -> String {
    format!(
        r#"{PROVIDERS}
variable "image_tag" {{
  type    = string
  default = "1.0"
}}

variable "group_name" {{
  type    = string
  default = "cluster"
}}

variable "names" {{
  type    = list(string)
  default = ["web", "api", "worker"]
}}

variable "db_password" {{
  type      = string
  sensitive = true
}}

locals {{
  image = "registry.example/app:${{var.image_tag}}"
}}

module "apps" {{
  source = "./modules/app"
  image  = local.image
  names  = var.names
}}

resource "fake_resource" "group" {{
  name  = "sg-${{var.group_name}}"
  value = "v1"
}}

resource "fake_resource" "instance" {{
  name  = "instance"
  value = fake_resource.group.id
}}

resource "fake_resource" "db" {{
  name   = "db"
  secret = var.db_password
}}

resource "fake_resource" "proxy" {{
  name  = "proxy"
  value = join(",", module.apps.images)
}}
"#
    )
}

fn work() -> Work {
    let w = Work::new(&config());
    std::fs::create_dir_all(w.path().join("modules/app")).unwrap();
    w.write("modules/app/main.tf", APP_MODULE);
    w.ok(&["init"]);
    w.ok(&["apply", "-auto-approve", "-var", &format!("db_password={SECRET_BEFORE}")]);
    w
}

/// The plan's `#` lines (headlines and notes): what the cause lines are judged by.
fn comment_lines(out: &str) -> String {
    out.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("# ") && !l.starts_with("# (") || l.starts_with("# (because"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn plan(w: &Work, args: &[&str]) -> String {
    let mut all = vec!["plan"];
    all.extend_from_slice(args);
    let (code, out, err) = w.run(&all);
    assert_eq!(code, 0, "plan failed\n{out}\n{err}");
    assert!(!out.contains(SECRET_BEFORE) && !out.contains(SECRET_AFTER), "a secret leaked:\n{out}");
    assert!(!err.contains(SECRET_BEFORE) && !err.contains(SECRET_AFTER), "a secret leaked:\n{err}");
    out
}

/// The `-explain` output without the refresh lines.
fn explain(w: &Work, args: &[&str], addr: &str) -> String {
    let flag = format!("-explain={addr}");
    let mut all = args.to_vec();
    all.push(&flag);
    plan(w, &all).lines().filter(|l| !l.contains("Refreshing state...")).collect::<Vec<_>>().join("\n")
}

fn secret_var(v: &str) -> String {
    format!("db_password={v}")
}

#[test]
fn a_variable_through_a_local_and_a_module_and_a_sensitive_variable() {
    let w = work();
    let state = w.state();
    let inputs = &state["terrane_inputs"];
    assert_eq!(inputs["image_tag"]["value"], "1.0", "the applied inputs are recorded: {inputs}");
    assert_eq!(inputs["db_password"]["sensitive"], true);
    assert!(inputs["db_password"]["digest"].as_str().unwrap().starts_with("sha256:"));
    assert!(!inputs.to_string().contains(SECRET_BEFORE), "the recorded inputs hold the secret: {inputs}");

    let secret = secret_var(SECRET_AFTER);
    let args = ["-var", "image_tag=1.1", "-var", secret.as_str()];
    let out = plan(&w, &args);
    insta::assert_snapshot!("variable_cause_lines", comment_lines(&out));
    insta::assert_snapshot!("variable_explain", explain(&w, &args, "module.apps.fake_resource.svc[\"web\"]"));
    insta::assert_snapshot!("sensitive_explain", explain(&w, &args, "fake_resource.db"));
    // Through a module output and another resource's change.
    insta::assert_snapshot!("module_output_explain", explain(&w, &args, "fake_resource.proxy"));

    // Markdown: the summary groups the changes by root cause.
    let mut md_args = vec!["plan", "-markdown"];
    md_args.extend(&args);
    let (code, md, _) = w.run(&md_args);
    assert_eq!(code, 0);
    assert!(!md.contains(SECRET_BEFORE) && !md.contains(SECRET_AFTER), "a secret leaked:\n{md}");
    let why: String = md
        .lines()
        .skip_while(|l| !l.starts_with("**Why:**"))
        .take_while(|l| !l.starts_with("> ") && !l.starts_with("####"))
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("variable_markdown_why", why);

    // JSON: the chain in `terrane_causes`, values masked for the sensitive variable.
    let mut plan_args = vec!["plan", "-out=p.bin"];
    plan_args.extend(&args);
    w.ok(&plan_args);
    let json = w.ok(&["show", "-json", "p.bin"]);
    assert!(!json.contains(SECRET_BEFORE) && !json.contains(SECRET_AFTER), "a secret leaked:\n{json}");
    let plan: J = serde_json::from_str(&json).unwrap();
    let causes = |addr: &str| -> J {
        plan["resource_changes"].as_array().unwrap().iter().find(|c| c["address"] == addr).unwrap()["terrane_causes"]
            .clone()
    };
    let web = causes("module.apps.fake_resource.svc[\"web\"]");
    insta::assert_json_snapshot!("variable_json_causes", web);
    let db = causes("fake_resource.db");
    assert_eq!(db[0]["root"]["kind"], "variable");
    assert_eq!(db[0]["root"]["sensitive"], true);
    assert!(db[0]["root"].get("before").is_none() && db[0]["root"].get("after").is_none(), "{db}");
    // `show -explain` on the saved plan gives the same chain as `plan -explain`.
    let shown = w.ok(&["show", "-explain=module.apps.fake_resource.svc[\"web\"]", "p.bin"]);
    assert_eq!(shown.trim(), explain(&w, &args, "module.apps.fake_resource.svc[\"web\"]").trim());
}

#[test]
fn a_replacement_cascades_to_dependents() {
    let w = work();
    let secret = secret_var(SECRET_BEFORE);
    let args = ["-var", "group_name=swarm", "-var", secret.as_str()];
    let out = plan(&w, &args);
    insta::assert_snapshot!("cascade_cause_lines", comment_lines(&out));
    insta::assert_snapshot!("cascade_explain", explain(&w, &args, "fake_resource.instance"));
}

#[test]
fn drift_replace_and_a_new_for_each_key() {
    let w = work();
    // Drift: the instance's value changed outside terrane.
    let path = w.cloud().join("objects.json");
    let mut objects: serde_json::Map<String, J> = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    for o in objects.values_mut() {
        if o["name"] == "instance" {
            o["value"] = "changed-by-hand".into();
        }
    }
    std::fs::write(&path, serde_json::to_vec(&objects).unwrap()).unwrap();
    let secret = secret_var(SECRET_BEFORE);
    let args =
        ["-var", secret.as_str(), "-var", r#"names=["web","api","worker","batch"]"#, "-replace=fake_resource.db"];
    let out = plan(&w, &args);
    insta::assert_snapshot!("drift_replace_expansion_cause_lines", comment_lines(&out));
    insta::assert_snapshot!("drift_explain", explain(&w, &args, "fake_resource.instance"));
    insta::assert_snapshot!("expansion_explain", explain(&w, &args, "module.apps.fake_resource.svc[\"batch\"]"));
}

#[test]
fn replace_triggered_by_and_a_moved_block() {
    let w = work();
    let secret = secret_var(SECRET_BEFORE);
    let changed = config().replace("resource \"fake_resource\" \"db\"", "resource \"fake_resource\" \"database\"")
        + r#"
moved {
  from = fake_resource.db
  to   = fake_resource.database
}

resource "fake_resource" "worker" {
  name  = "worker"
  value = "w1"
  lifecycle {
    replace_triggered_by = [fake_resource.group.value]
  }
}
"#;
    w.write("main.tf", &changed);
    w.ok(&["apply", "-auto-approve", "-var", &secret]);
    w.write("main.tf", &changed.replace("value = \"v1\"", "value = \"v2\""));
    let out = plan(&w, &["-var", &secret]);
    insta::assert_snapshot!("trigger_cause_lines", comment_lines(&out));
    insta::assert_snapshot!("trigger_explain", explain(&w, &["-var", &secret], "fake_resource.worker"));

    // A moved block (before it is applied): shown with the block's location.
    let w = work();
    w.write("main.tf", &changed);
    let out = plan(&w, &["-var", &secret]);
    let moved: Vec<&str> = out.lines().filter(|l| l.contains("moved")).map(str::trim).collect();
    insta::assert_snapshot!("moved_cause_lines", moved.join("\n"));
}

#[test]
fn without_recorded_inputs_the_cause_says_so() {
    let w = work();
    // A state written before inputs were recorded (or by Terraform) has none.
    let mut state = w.state();
    state.as_object_mut().unwrap().remove("terrane_inputs");
    std::fs::write(w.path().join("terraform.tfstate"), serde_json::to_vec_pretty(&state).unwrap()).unwrap();
    let out = plan(&w, &["-var", "image_tag=2.0", "-var", &secret_var(SECRET_AFTER)]);
    insta::assert_snapshot!("unrecorded_cause_lines", comment_lines(&out));
}

#[test]
fn a_provider_default_is_named_as_the_cause() {
    let w = work();
    let secret = secret_var(SECRET_BEFORE);
    // `size` set to 2, then removed: the provider's default (1) comes back.
    let sized = config().replace("  name  = \"instance\"\n", "  name  = \"instance\"\n  size  = 2\n");
    w.write("main.tf", &sized);
    w.ok(&["apply", "-auto-approve", "-var", &secret]);
    w.write("main.tf", &config());
    let out = plan(&w, &["-var", &secret]);
    assert_eq!(
        comment_lines(&out),
        "# fake_resource.instance will be updated in-place\n# because the provider plans a new size (not set in the configuration)"
    );
}
