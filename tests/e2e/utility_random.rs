//! hashicorp/random, built in: every type through the binary (plan, apply, a re-plan with no
//! changes, a replacement on `keepers`, import, destroy), the state shape the plugin records
//! (provider address, schema versions, attributes), secrets kept out of every output and
//! log, and states written in the plugin's shape (current and older schema versions) read
//! with no change planned.

use crate::Work;
use serde_json::{Value, json};

const CONFIG: &str = r#"
resource "random_password" "p" {
  length           = 24
  min_special      = 2
  override_special = "_%@"
}
resource "random_string" "s" {
  length  = 12
  special = false
  keepers = { v = "1" }
}
resource "random_id" "i" {
  byte_length = 8
  prefix      = "x-"
}
resource "random_integer" "n" {
  min  = 1
  max  = 3
  seed = "12345"
}
resource "random_uuid" "u" {}
resource "random_uuid4" "u4" {}
resource "random_uuid7" "u7" {}
resource "random_shuffle" "sh" {
  input = ["a", "b", "c", "d", "e"]
  seed  = "-"
}
resource "random_pet" "pet" {
  length    = 3
  separator = "_"
}
resource "random_bytes" "b" {
  length = 16
}
output "s" { value = random_string.s.result }
"#;

fn instance<'a>(s: &'a Value, ty: &str) -> &'a Value {
    let r = s["resources"].as_array().unwrap().iter().find(|r| r["type"] == ty).unwrap_or_else(|| panic!("{ty}"));
    assert_eq!(r["provider"], "provider[\"registry.terraform.io/hashicorp/random\"]");
    &r["instances"][0]
}

/// The first line of a plan that starts (after its indentation) with `start`.
fn line<'a>(out: &'a str, start: &str) -> &'a str {
    out.lines().find(|l| l.trim_start().starts_with(start)).unwrap_or_default()
}

fn attrs<'a>(s: &'a Value, ty: &str) -> &'a Value {
    &instance(s, ty)["attributes"]
}

#[test]
fn utility_random_every_type_applies_replans_clean_and_replaces_on_keepers() {
    let w = Work::new(CONFIG);
    w.ok(&["init"]);
    let plan = w.ok(&["plan"]);
    assert!(plan.contains("# random_password.p will be created"), "{plan}");
    assert!(plan.contains("Plan: 10 to add, 0 to change, 0 to destroy."), "{plan}");
    for line in ["+ result           = (sensitive value)", "+ bcrypt_hash      = (sensitive value)"] {
        assert!(plan.contains(line), "{line} in\n{plan}");
    }
    assert!(plan.contains("+ special          = true"), "defaults are planned\n{plan}");
    w.ok(&["apply", "-auto-approve"]);
    let s = w.state();

    let versions = [
        ("random_password", 3),
        ("random_string", 2),
        ("random_id", 0),
        ("random_integer", 0),
        ("random_uuid", 0),
        ("random_shuffle", 0),
        ("random_pet", 0),
        ("random_bytes", 0),
    ];
    for (ty, v) in versions {
        assert_eq!(instance(&s, ty)["schema_version"], v, "{ty}");
    }

    let p = attrs(&s, "random_password");
    let password = p["result"].as_str().unwrap().to_string();
    assert_eq!(password.chars().count(), 24);
    assert!(password.chars().filter(|c| "_%@".contains(*c)).count() >= 2, "{password}");
    assert!(password.chars().all(|c| c.is_ascii_alphanumeric() || "_%@".contains(c)), "{password}");
    assert_eq!(p["id"], "none");
    assert!(p["bcrypt_hash"].as_str().unwrap().starts_with("$2a$10$"), "{p}");
    assert_eq!(p["number"], true);
    assert_eq!(p["numeric"], true);
    assert_eq!(p["min_upper"], 0);
    assert_eq!(p["keepers"], Value::Null);
    let sensitive = &instance(&s, "random_password")["sensitive_attributes"];
    let paths: Vec<&str> = sensitive.as_array().unwrap().iter().map(|p| p[0]["value"].as_str().unwrap()).collect();
    assert!(paths.contains(&"result") && paths.contains(&"bcrypt_hash"), "{sensitive}");

    let st = attrs(&s, "random_string");
    let first_string = st["result"].as_str().unwrap().to_string();
    assert_eq!(st["id"], first_string.as_str());
    assert!(first_string.len() == 12 && first_string.chars().all(|c| c.is_ascii_alphanumeric()), "{first_string}");
    assert_eq!(st["keepers"], json!({"v": "1"}));

    let id = attrs(&s, "random_id");
    let b64 = id["id"].as_str().unwrap();
    assert_eq!(b64.len(), 11, "8 bytes in unpadded base64url");
    assert_eq!(id["b64_url"], format!("x-{b64}"));
    assert!(id["hex"].as_str().unwrap().strip_prefix("x-").unwrap().len() == 16);
    assert!(id["dec"].as_str().unwrap().strip_prefix("x-").unwrap().parse::<u64>().is_ok());

    let n = attrs(&s, "random_integer");
    let result = n["result"].as_i64().unwrap();
    // The plugin's TestAccResourceInteger_*: seed "12345" in 1..=3 gives 3.
    assert_eq!(result, 3);
    assert_eq!(n["id"], result.to_string());

    let u = attrs(&s, "random_uuid")["result"].as_str().unwrap().to_string();
    assert_eq!(u.len(), 36);
    assert_eq!(attrs(&s, "random_uuid")["id"], u.as_str());
    assert_eq!(attrs(&s, "random_uuid4")["result"].as_str().unwrap().as_bytes()[14], b'4');
    assert_eq!(attrs(&s, "random_uuid7")["result"].as_str().unwrap().as_bytes()[14], b'7');

    let sh = attrs(&s, "random_shuffle");
    assert_eq!(sh["id"], "-");
    // The plugin's TestAccResourceShuffle_*: seed "-" gives a, c, b, e, d.
    assert_eq!(sh["result"], json!(["a", "c", "b", "e", "d"]));

    let pet = attrs(&s, "random_pet")["id"].as_str().unwrap().to_string();
    assert_eq!(pet.split('_').count(), 3, "{pet}");

    let b = attrs(&s, "random_bytes");
    assert_eq!(b["hex"].as_str().unwrap().len(), 32);
    assert_eq!(b["base64"].as_str().unwrap().len(), 24);

    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "a re-plan changes nothing\n{out}{err}");

    // A seeded integer is the same number again when made again.
    w.ok(&["apply", "-auto-approve", "-replace=random_integer.n"]);
    assert_eq!(attrs(&w.state(), "random_integer")["result"], result);

    w.write("main.tf", &CONFIG.replace("v = \"1\"", "v = \"2\""));
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2);
    assert!(out.contains("# random_string.s must be replaced"), "{out}");
    assert!(out.contains("~ \"v\" = \"1\" -> \"2\""), "{out}");
    assert!(out.contains("Plan: 1 to add, 0 to change, 1 to destroy."), "{out}");
    w.ok(&["apply", "-auto-approve"]);
    let s2 = w.state();
    assert_ne!(attrs(&s2, "random_string")["result"], first_string.as_str(), "a replacement is a new string");
    assert_eq!(attrs(&s2, "random_password")["result"], password.as_str(), "the rest is kept");

    // Leaving out an argument the plugin defaults plans the default, and replaces.
    w.write("main.tf", &CONFIG.replace("v = \"1\"", "v = \"2\"").replace("  special = false\n", ""));
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2);
    assert!(line(&out, "~ special").ends_with("= false -> true # forces replacement"), "{out}");

    w.ok(&["destroy", "-auto-approve"]);
    assert!(w.addresses().is_empty());
}

#[test]
fn utility_random_secrets_appear_in_no_output_or_log() {
    let w = Work::new(CONFIG).with_env("TERRANE_LOG", "trace");
    let mut seen = String::new();
    let mut run = |w: &Work, args: &[&str]| {
        let (code, out, err) = w.run(args);
        assert_eq!(code, 0, "terrane {args:?}\n{out}\n{err}");
        seen.push_str(&format!("\n$ terrane {args:?}\n{out}\n{err}"));
    };
    run(&w, &["init"]);
    run(&w, &["apply", "-auto-approve"]);
    let s = w.state();
    let secrets: Vec<String> = [
        attrs(&s, "random_password")["result"].as_str().unwrap(),
        attrs(&s, "random_password")["bcrypt_hash"].as_str().unwrap(),
        attrs(&s, "random_bytes")["base64"].as_str().unwrap(),
        attrs(&s, "random_bytes")["hex"].as_str().unwrap(),
    ]
    .map(str::to_string)
    .to_vec();
    run(&w, &["plan"]);
    run(&w, &["plan", "-out=plan.bin"]);
    run(&w, &["show", "plan.bin"]);
    run(&w, &["show", "-json", "plan.bin"]);
    run(&w, &["show"]);
    run(&w, &["show", "-json"]);
    run(&w, &["state", "show", "random_password.p"]);
    run(&w, &["state", "show", "random_bytes.b"]);
    run(&w, &["apply", "-auto-approve", "-replace=random_password.p"]);
    let s = w.state();
    let new_password = attrs(&s, "random_password")["result"].as_str().unwrap().to_string();
    run(&w, &["show"]);
    run(&w, &["destroy", "-auto-approve"]);
    assert!(seen.contains("TRACE") || seen.contains("DEBUG"), "the logs were not on");
    for secret in secrets.iter().chain([&new_password]) {
        assert!(!seen.contains(secret.as_str()), "{secret} leaked");
    }
    // The plan's JSON marks them, as Terraform's does.
    let w = Work::new(CONFIG);
    w.ok(&["init"]);
    w.ok(&["plan", "-out=plan.bin"]);
    let j: Value = serde_json::from_str(&w.ok(&["show", "-json", "plan.bin"])).unwrap();
    let change = j["resource_changes"].as_array().unwrap().iter().find(|c| c["type"] == "random_password").unwrap();
    assert_eq!(change["change"]["after_sensitive"]["result"], true, "{change}");
    assert_eq!(change["change"]["after_sensitive"]["bcrypt_hash"], true, "{change}");
    assert_eq!(change["change"]["after_unknown"]["result"], true, "{change}");
}

#[test]
fn utility_random_imports_record_what_the_plugin_records() {
    let config = r#"
resource "random_password" "p" {
  length = 20
}
resource "random_string" "s" {
  length = 10
}
resource "random_id" "i" {
  byte_length = 4
}
resource "random_integer" "n" {
  min  = 1
  max  = 3
  seed = "12345"
}
resource "random_uuid" "u" {}
resource "random_bytes" "b" {
  length = 4
}
"#;
    // IDs from the plugin's acceptance tests where it has them
    // (TestAccResourceID_ImportWithoutKeepersProducesNoPlannedChanges: "p-9hUg";
    // TestAccResourceInteger_*: "3,1,3,12345").
    let imports = r#"
import {
  to = random_password.p
  id = "abcdefghij0123456789"
}
import {
  to = random_string.s
  id = "Abc123_xyz"
}
import {
  to = random_id.i
  id = "p-9hUg"
}
import {
  to = random_integer.n
  id = "3,1,3,12345"
}
import {
  to = random_uuid.u
  id = "6B0F8E7C-2A8C-4F96-8D34-0F0A6F2B9A11"
}
import {
  to = random_bytes.b
  id = "AQIDBA=="
}
"#;
    let w = Work::new(&format!("{config}{imports}"));
    w.ok(&["init"]);
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("Plan: 6 to import, 0 to add, 0 to change, 0 to destroy."), "{out}");
    w.ok(&["apply", "-auto-approve"]);
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "an import plans no change against a configuration of the same values\n{out}{err}");

    let s = w.state();
    let p = attrs(&s, "random_password");
    assert_eq!(instance(&s, "random_password")["schema_version"], 3);
    assert_eq!(p["result"], "abcdefghij0123456789");
    assert_eq!(p["id"], "none");
    assert_eq!(p["length"], 20);
    assert!(p["bcrypt_hash"].as_str().unwrap().starts_with("$2a$10$"));
    let st = attrs(&s, "random_string");
    assert_eq!(st["id"], "Abc123_xyz");
    assert_eq!(st["length"], 10);
    let i = attrs(&s, "random_id");
    assert_eq!(i["byte_length"], 4);
    assert_eq!(i["hex"], "a7ef6152");
    assert_eq!(i["prefix"], Value::Null);
    let n = attrs(&s, "random_integer");
    assert_eq!((n["result"].as_i64(), n["min"].as_i64(), n["max"].as_i64()), (Some(3), Some(1), Some(3)));
    assert_eq!(n["seed"], "12345");
    assert_eq!(attrs(&s, "random_uuid")["result"], "6b0f8e7c-2a8c-4f96-8d34-0f0a6f2b9a11");
    assert_eq!(attrs(&s, "random_bytes")["hex"], "01020304");

    // An import records the attributes a create records, with the same values where the
    // configuration decides them.
    let created = Work::new(config);
    created.ok(&["init"]);
    created.ok(&["apply", "-auto-approve"]);
    let c = created.state();
    for ty in ["random_password", "random_string", "random_id", "random_integer", "random_uuid", "random_bytes"] {
        let (a, b) = (attrs(&s, ty).as_object().unwrap(), attrs(&c, ty).as_object().unwrap());
        assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "{ty}");
        for k in [
            "length",
            "special",
            "upper",
            "lower",
            "number",
            "numeric",
            "min_special",
            "override_special",
            "keepers",
            "min",
            "max",
            "seed",
            "byte_length",
        ] {
            if let Some(v) = a.get(k) {
                assert_eq!(v, &b[k], "{ty}.{k}");
            }
        }
    }

    let bad = Work::new(
        "resource \"random_integer\" \"n\" {\n  min = 1\n  max = 3\n}\nimport {\n  to = random_integer.n\n  id = \"3,1\"\n}\n",
    );
    bad.ok(&["init"]);
    let (code, out, err) = bad.run(&["plan"]);
    assert_ne!(code, 0, "{out}");
    assert!(
        err.contains("Invalid import usage: expecting {result},{min},{max} or {result},{min},{max},{seed}"),
        "{err}"
    );
}

#[test]
fn utility_random_states_written_by_the_plugin_plan_no_change() {
    let config = r#"
resource "random_password" "p" {
  length  = 16
  special = false
}
resource "random_string" "s" {
  length = 8
}
resource "random_pet" "pet" {}
resource "random_shuffle" "sh" {
  input = ["a", "b"]
  keepers = {}
}
"#;
    let w = Work::new(config);
    // Written by hand in the shape hashicorp/random 3.9.0 records these types (its
    // passwordModelV3, stringModelV3, petModelV0, shuffleModelV0: every attribute, defaults
    // written out, numbers as JSON numbers), as Terraform 1.11 writes a state. The
    // bcrypt_hash is a real $2a$ hash of the result. random_string is stored at schema
    // version 1 as provider versions before 3.4 wrote it (no `numeric`; `length` and the
    // min_* null, as an import by 3.3.1 and earlier left them), to be upgraded.
    w.write(
        "terraform.tfstate",
        r#"{"version":4,"terraform_version":"1.11.4","serial":3,"lineage":"5b1d2c3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e","outputs":{},"resources":[
{"mode":"managed","type":"random_password","name":"p","provider":"provider[\"registry.terraform.io/hashicorp/random\"]","instances":[{"schema_version":3,"attributes":{"bcrypt_hash":"$2a$10$CdQiaLo5rkQyeQ90uRLnB.aIPcK1pZS.znETOk1zcJSvqAFzqds.G","id":"none","keepers":null,"length":16,"lower":true,"min_lower":0,"min_numeric":0,"min_special":0,"min_upper":0,"number":true,"numeric":true,"override_special":null,"result":"Pq7rT2xLm9Vw3KzB","special":false,"upper":true},"sensitive_attributes":[[{"type":"get_attr","value":"bcrypt_hash"}],[{"type":"get_attr","value":"result"}]]}]},
{"mode":"managed","type":"random_string","name":"s","provider":"provider[\"registry.terraform.io/hashicorp/random\"]","instances":[{"schema_version":1,"attributes":{"id":"k3Jd9sLa","keepers":null,"length":null,"lower":null,"min_lower":null,"min_numeric":null,"min_special":null,"min_upper":null,"number":null,"override_special":null,"result":"k3Jd9sLa","special":null,"upper":null},"sensitive_attributes":[]}]},
{"mode":"managed","type":"random_pet","name":"pet","provider":"provider[\"registry.terraform.io/hashicorp/random\"]","instances":[{"schema_version":0,"attributes":{"id":"able-ox","keepers":null,"length":2,"prefix":null,"separator":"-"},"sensitive_attributes":[]}]},
{"mode":"managed","type":"random_shuffle","name":"sh","provider":"provider[\"registry.terraform.io/hashicorp/random\"]","instances":[{"schema_version":0,"attributes":{"id":"-","input":["a","b"],"keepers":{},"result":["b","a"],"result_count":null,"seed":null},"sensitive_attributes":[]}]}
],"check_results":null}"#,
    );
    w.ok(&["init"]);
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "{out}{err}");
    // No change planned for random_string although its stored `length` is null and the
    // configuration's 8: the state went through the plugin's upgrader (length from the
    // result, defaults for the rest) before it was compared.
    w.write("main.tf", &config.replace("length = 8", "length = 9"));
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2);
    assert!(line(&out, "~ length").ends_with("= 8 -> 9 # forces replacement"), "{out}");
}
