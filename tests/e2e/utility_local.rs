//! hashicorp/local, built in: `local_file` and `local_sensitive_file` through the binary (the
//! file written, its checksums recorded as the plugin records them, every argument replacing
//! it, a file changed outside written again), the data sources, and a state written in the
//! plugin's shape planning no change.

use crate::Work;

const SECRET: &str = "s3cr3t-local-content-4711";

fn config(content: &str) -> String {
    format!(
        r#"
resource "local_file" "plain" {{
  filename        = "${{path.module}}/out/plain.txt"
  content         = "{content}"
  file_permission = "0640"
}}
resource "local_sensitive_file" "secret" {{
  filename = "${{path.module}}/out/secret.txt"
  content  = "{SECRET}"
}}
data "local_file" "read" {{
  filename = local_file.plain.filename
}}
data "local_sensitive_file" "read" {{
  filename = local_sensitive_file.secret.filename
}}
output "read" {{ value = data.local_file.read.content }}
output "sha" {{ value = data.local_sensitive_file.read.content_sha256 }}
"#
    )
}

fn resource<'a>(s: &'a serde_json::Value, mode: &str, ty: &str) -> &'a serde_json::Value {
    s["resources"].as_array().unwrap().iter().find(|r| r["mode"] == mode && r["type"] == ty).unwrap()
}

#[test]
fn utility_local_files_are_written_recorded_and_replaced_as_the_plugin_does() {
    let w = Work::new(&config("hello")).with_env("TERRANE_LOG", "trace");
    let mut seen = String::new();
    let mut run = |w: &Work, args: &[&str]| {
        let (code, out, err) = w.run(args);
        seen.push_str(&out);
        seen.push_str(&err);
        (code, out, err)
    };
    assert_eq!(run(&w, &["init"]).0, 0);
    let (code, out, err) = run(&w, &["plan", "-out=plan.bin"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("+ content              = \"hello\""), "{out}");
    assert!(out.contains("+ content              = (sensitive value)"), "{out}");
    assert!(out.contains("+ file_permission      = \"0640\""), "{out}");
    assert!(out.contains("+ directory_permission = \"0700\""), "{out}");
    assert!(out.contains("+ content_sha1         = (known after apply)"), "{out}");
    let (code, json, _) = run(&w, &["show", "-json", "plan.bin"]);
    assert_eq!(code, 0);
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rc = plan["resource_changes"].as_array().unwrap();
    let secret = rc.iter().find(|c| c["type"] == "local_sensitive_file").unwrap();
    assert_eq!(secret["change"]["after_sensitive"]["content"], true, "{secret}");
    let (code, out, err) = run(&w, &["apply", "plan.bin"]);
    assert_eq!(code, 0, "{out}{err}");

    let plain = w.path().join("out/plain.txt");
    let secret_file = w.path().join("out/secret.txt");
    assert_eq!(std::fs::read_to_string(&plain).unwrap(), "hello");
    assert_eq!(std::fs::read_to_string(&secret_file).unwrap(), SECRET);
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(std::fs::metadata(&secret_file).unwrap().permissions().mode() & 0o077, 0);

    let s = w.state();
    let r = resource(&s, "managed", "local_file");
    assert_eq!(r["provider"], "provider[\"registry.terraform.io/hashicorp/local\"]");
    let i = &r["instances"][0];
    assert_eq!(i["schema_version"], 0);
    // `printf hello | sha1sum` and the others.
    assert_eq!(i["attributes"]["id"], "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
    assert_eq!(i["attributes"]["content_sha1"], "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
    assert_eq!(i["attributes"]["content_md5"], "5d41402abc4b2a76b9719d911017c592");
    assert_eq!(i["attributes"]["content_base64sha256"], "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=");
    assert_eq!(i["attributes"]["directory_permission"], "0777");
    assert_eq!(i["attributes"]["sensitive_content"], serde_json::Value::Null);
    let r = resource(&s, "managed", "local_sensitive_file");
    assert_eq!(r["provider"], "provider[\"registry.terraform.io/hashicorp/local\"]");
    let marked = r["instances"][0]["sensitive_attributes"].as_array().unwrap();
    assert!(marked.contains(&serde_json::json!([{"type": "get_attr", "value": "content"}])), "{r}");
    let d = resource(&s, "data", "local_sensitive_file");
    let mut marked: Vec<String> = d["instances"][0]["sensitive_attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0]["value"].as_str().unwrap().to_string())
        .collect();
    marked.sort();
    assert_eq!(marked, ["content", "content_base64"], "{d}");
    assert_eq!(s["outputs"]["read"]["value"], "hello");

    let (code, out, err) = run(&w, &["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "a re-plan changes nothing\n{out}{err}");

    // Changed outside: refresh drops it, so the plan writes it again.
    std::fs::write(&plain, "edited").unwrap();
    let (code, out, _) = run(&w, &["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("# local_file.plain will be created"), "{out}");
    // Removed outside: the same.
    std::fs::remove_file(&secret_file).unwrap();
    let (code, out, _) = run(&w, &["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("# local_sensitive_file.secret will be created"), "{out}");
    assert_eq!(run(&w, &["apply", "-auto-approve"]).0, 0);
    assert_eq!(std::fs::read_to_string(&plain).unwrap(), "hello");
    assert_eq!(std::fs::read_to_string(&secret_file).unwrap(), SECRET);

    // A new content replaces.
    w.write("main.tf", &config("hello again"));
    let (code, out, _) = run(&w, &["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("# local_file.plain must be replaced"), "{out}");
    assert!(out.contains("~ content              = \"hello\" -> \"hello again\" # forces replacement"), "{out}");
    assert_eq!(run(&w, &["apply", "-auto-approve"]).0, 0);
    assert_eq!(std::fs::read_to_string(&plain).unwrap(), "hello again");

    // No import: the plugin has none.
    let (code, _, err) = run(&w, &["import", "local_file.other", "x"]);
    assert_ne!(code, 0, "{err}");

    assert_eq!(run(&w, &["show"]).0, 0);
    assert_eq!(run(&w, &["destroy", "-auto-approve"]).0, 0);
    assert!(!plain.exists() && !secret_file.exists());
    assert!(seen.contains("TRACE") || seen.contains("DEBUG"), "the logs were not on");
    assert!(!seen.contains(SECRET), "the secret leaked");
}

#[test]
fn utility_local_file_exactly_one_content_and_permissions_are_checked() {
    let w = Work::new("resource \"local_file\" \"f\" {\n  filename = \"x\"\n}\n");
    w.ok(&["init"]);
    let (code, out, err) = w.run(&["plan"]);
    assert_eq!(code, 1);
    assert!(err.contains("Invalid Attribute Combination"), "{out}{err}");
    w.write(
        "main.tf",
        "resource \"local_file\" \"f\" {\n  filename = \"x\"\n  content = \"a\"\n  file_permission = \"9999\"\n}\n",
    );
    let (code, out, err) = w.run(&["plan"]);
    assert_eq!(code, 1);
    assert!(err.contains("bad mode permission"), "{out}{err}");
}

#[test]
fn utility_local_file_state_written_by_terraform_plans_no_change() {
    let w = Work::new(
        "resource \"local_file\" \"f\" {\n  filename = \"${path.module}/f.txt\"\n  content  = \"hello\"\n}\n",
    );
    w.write("f.txt", "hello");
    let filename = "./f.txt"; // "${path.module}/f.txt"
    // Written by hand as hashicorp/local 2.9 records a local_file (resource_local_file.go's
    // model: every attribute, the defaults "0777", `id` and the checksums of "hello", from
    // coreutils), with the schema's sensitive attribute marked as Terraform marks it.
    let state = serde_json::json!({
        "version": 4, "terraform_version": "1.11.4", "serial": 1,
        "lineage": "9b2f3c4d-1e2f-4a5b-8c9d-0e1f2a3b4c5d", "outputs": {},
        "resources": [{"mode": "managed", "type": "local_file", "name": "f",
            "provider": "provider[\"registry.terraform.io/hashicorp/local\"]",
            "instances": [{"schema_version": 0, "attributes": {
                "content": "hello", "content_base64": null,
                "content_base64sha256": "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=",
                "content_base64sha512": "m3HSJL1i83hdltRq0+o9czGb+8KJDKra4t/3JRlnPKcjI8PZm6XBHXx6zG4UuMXaDEZjR1wuXDre9G9zvN7AQw==",
                "content_md5": "5d41402abc4b2a76b9719d911017c592",
                "content_sha1": "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d",
                "content_sha256": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                "content_sha512": "9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca72323c3d99ba5c11d7c7acc6e14b8c5da0c4663475c2e5c3adef46f73bcdec043",
                "directory_permission": "0777", "file_permission": "0777",
                "filename": filename, "id": "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d",
                "sensitive_content": null, "source": null},
                "sensitive_attributes": [[{"type": "get_attr", "value": "sensitive_content"}]]}]}],
        "check_results": null
    });
    w.write("terraform.tfstate", &state.to_string());
    w.ok(&["init"]);
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "{out}{err}");
}
