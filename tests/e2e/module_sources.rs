//! Module sources fetched by `terrane init` / `terrane get`: a git repository (created in the
//! test, pinned with `?ref=`, with a module in a subdirectory that uses a sibling) and a local
//! tarball; a changed ref is fetched again; an unknown ref fails with git's reason; git
//! modules land where Terraform puts them, with the same modules.json, so each tool plans in a
//! directory the other initialised.

use crate::Work;
use std::path::Path;
use std::process::Command;

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn module(name_expr: &str) -> String {
    format!(
        r#"
variable "name" {{ type = string }}
module "naming" {{
  source = "../naming"
  base   = var.name
}}
resource "fake_resource" "this" {{
  name = {name_expr}
}}
output "name" {{ value = fake_resource.this.name }}
"#
    )
}

#[test]
fn git_and_tarball_modules_are_installed_and_used() {
    let repo = tempfile::tempdir().unwrap();
    let r = repo.path();
    std::fs::create_dir_all(r.join("modules/app")).unwrap();
    std::fs::create_dir_all(r.join("modules/naming")).unwrap();
    std::fs::write(
        r.join("modules/naming/main.tf"),
        "variable \"base\" {}\noutput \"full\" { value = \"${var.base}-v1\" }\n",
    )
    .unwrap();
    std::fs::write(r.join("modules/app/main.tf"), module("module.naming.full")).unwrap();
    git(r, &["init", "-q"]);
    git(r, &["add", "."]);
    git(r, &["commit", "-q", "-m", "v1"]);
    git(r, &["tag", "v1.0.0"]);
    std::fs::write(
        r.join("modules/naming/main.tf"),
        "variable \"base\" {}\noutput \"full\" { value = \"${var.base}-v2\" }\n",
    )
    .unwrap();
    git(r, &["commit", "-q", "-am", "v2"]);
    git(r, &["tag", "v2.0.0"]);

    // A tarball of a module directory, beside the configuration.
    let w = Work::new("");
    let src = w.path().join("tar-src/svc");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("main.tf"), "resource \"fake_resource\" \"svc\" { name = \"from-tarball\" }\n").unwrap();
    let tarred = Command::new("tar")
        .current_dir(w.path().join("tar-src"))
        .args(["-czf", "../svc.tar.gz", "svc"])
        .status()
        .unwrap();
    assert!(tarred.success());
    std::fs::remove_dir_all(w.path().join("tar-src")).unwrap();

    let main = |reference: &str| {
        format!(
            r#"
module "app" {{
  source = "git::file://{}//modules/app?ref={reference}"
  name   = "web"
}}
module "svc" {{
  source = "./svc.tar.gz"
}}
output "app_name" {{ value = module.app.name }}
"#,
            r.display()
        )
    };
    w.write("main.tf", &main("v1.0.0"));
    let (code, _, err) = w.run(&["plan"]);
    assert_eq!(code, 1);
    assert!(err.contains("Module not installed") && err.contains("terrane init"), "{err}");

    let out = w.ok(&["init"]);
    assert!(out.contains("Downloading git::file://"), "{out}");
    assert!(out.contains("Downloading ./svc.tar.gz for svc..."), "{out}");
    assert!(out.contains("- app.naming in .terraform/modules/app/modules/naming"), "{out}");
    let manifest = std::fs::read_to_string(w.path().join(".terraform/modules/modules.json")).unwrap();
    assert!(manifest.contains("\"Key\":\"app\"") && manifest.contains("?ref=v1.0.0"), "{manifest}");
    assert!(!w.path().join(".terraform/modules/app/.git").exists(), "no git metadata is kept");

    let out = w.ok(&["apply", "-auto-approve"]);
    assert!(out.contains("app_name = \"web-v1\""), "{out}");
    assert_eq!(w.cloud_names(), ["from-tarball", "web-v1"]);

    // A new ref is fetched by the next init; until then the old one stays in use.
    w.write("main.tf", &main("v2.0.0"));
    let out = w.ok(&["init"]);
    assert!(out.contains("ref=v2.0.0"), "{out}");
    let out = w.ok(&["plan"]);
    assert!(out.contains("\"web-v1\" -> \"web-v2\""), "{out}");

    // A ref that does not exist fails init with git's reason and keeps what was installed.
    w.write("main.tf", &main("v9.9.9"));
    let (code, _, err) = w.run(&["init"]);
    assert_eq!(code, 1);
    assert!(err.contains("Failed to download module") && err.contains("v9.9.9"), "{err}");
    assert!(w.path().join(".terraform/modules/app/modules/app/main.tf").exists());
}

#[test]
fn git_modules_are_installed_where_terraform_installs_them() {
    let repo = tempfile::tempdir().unwrap();
    let r = repo.path();
    std::fs::create_dir_all(r.join("modules/app")).unwrap();
    std::fs::write(r.join("modules/app/main.tf"), "output \"x\" { value = \"app\" }\n").unwrap();
    std::fs::write(r.join("main.tf"), "output \"x\" { value = \"root\" }\n").unwrap();
    git(r, &["init", "-q"]);
    git(r, &["add", "."]);
    git(r, &["commit", "-q", "-m", "v1"]);
    git(r, &["tag", "v1.0.0"]);
    let main = format!(
        "module \"app\" {{\n  source = \"git::file://{0}//modules/app?ref=v1.0.0\"\n}}\nmodule \"whole\" {{\n  source = \"git::file://{0}?ref=v1.0.0\"\n}}\noutput \"x\" {{ value = [module.app.x, module.whole.x] }}\n",
        r.display()
    );
    let (tf, ours) = (Work::new(&main), Work::new(&main));
    let env = [("TF_CLI_CONFIG_FILE", "/dev/null")];
    let (code, tf_out) = crate::from_terraform::terraform_env(tf.path(), &["init", "-no-color"], &env);
    assert_eq!(code, 0, "{tf_out}");
    let out = ours.ok(&["init"]);
    let lines = |s: &str| {
        let mut l: Vec<String> =
            s.lines().filter(|l| l.starts_with("Downloading ") || l.starts_with("- ")).map(str::to_string).collect();
        l.sort();
        l
    };
    assert_eq!(lines(&out), lines(&tf_out), "terrane:\n{out}\nTerraform:\n{tf_out}");
    let manifest = |w: &Work| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(w.path().join(".terraform/modules/modules.json")).unwrap())
            .unwrap()
    };
    assert_eq!(manifest(&ours), manifest(&tf));
    // Each plans in the directory the other initialised.
    let plan = tf.ok(&["plan"]);
    assert!(plan.contains("\"app\"") && plan.contains("\"root\""), "{plan}");
    let (code, tf_plan) = crate::from_terraform::terraform_env(ours.path(), &["plan", "-no-color"], &env);
    assert_eq!(code, 0, "{tf_plan}");
    assert!(tf_plan.contains("\"app\"") && tf_plan.contains("\"root\""), "{tf_plan}");
}
