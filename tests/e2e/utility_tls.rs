//! hashicorp/tls, built in: `tls_private_key` and data `tls_public_key` through the binary
//! (keys OpenSSL and ssh-keygen accept, recorded with schema version 1 and their private forms
//! sensitive, replaced when an argument changes, never printed), and states written in the
//! plugin's shapes (version 1, and version 0 of plugin 3.x, upgraded) planning no change.

use crate::Work;
use std::process::Command;

const CONFIG: &str = r#"
resource "tls_private_key" "rsa" {
  algorithm = "RSA"
}
resource "tls_private_key" "ec" {
  algorithm   = "ECDSA"
  ecdsa_curve = "P256"
}
resource "tls_private_key" "ed" {
  algorithm = "ED25519"
}
data "tls_public_key" "from_pem" {
  private_key_pem = tls_private_key.rsa.private_key_pem
}
data "tls_public_key" "from_openssh" {
  private_key_openssh = tls_private_key.ed.private_key_openssh
}
output "rsa_public" { value = tls_private_key.rsa.public_key_pem }
output "ed_openssh" { value = data.tls_public_key.from_openssh.public_key_openssh }
"#;

/// Runs a tool the test checks with; a missing tool fails the test.
fn tool(name: &str, args: &[&str], dir: &std::path::Path) -> String {
    let out = Command::new(name)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{name} is needed to check the TLS provider's keys ({e}): install it"));
    assert!(out.status.success(), "{name} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn instance<'a>(s: &'a serde_json::Value, mode: &str, name: &str) -> &'a serde_json::Value {
    &s["resources"].as_array().unwrap().iter().find(|r| r["mode"] == mode && r["name"] == name).unwrap()["instances"][0]
}

#[test]
fn utility_tls_private_keys_are_generated_recorded_and_replaced_as_the_plugin_does() {
    let w = Work::new(CONFIG).with_env("TERRANE_LOG", "debug");
    let mut seen = String::new();
    let mut run = |args: &[&str]| {
        let (code, out, err) = w.run(args);
        seen.push_str(&out);
        seen.push_str(&err);
        (code, out, err)
    };
    assert_eq!(run(&["init"]).0, 0);
    let (code, out, err) = run(&["plan", "-out=plan.bin"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("+ private_key_pem               = (sensitive value)"), "{out}");
    assert!(out.contains("+ rsa_bits                      = 2048"), "{out}");
    assert!(out.contains("+ ecdsa_curve                   = \"P224\""), "{out}");
    assert!(out.contains("+ public_key_pem                = (known after apply)"), "{out}");
    let (code, json, _) = run(&["show", "-json", "plan.bin"]);
    assert_eq!(code, 0);
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rsa = plan["resource_changes"].as_array().unwrap().iter().find(|c| c["name"] == "rsa").unwrap();
    assert_eq!(rsa["change"]["after_sensitive"]["private_key_pem"], true, "{rsa}");
    let (code, out, err) = run(&["apply", "plan.bin"]);
    assert_eq!(code, 0, "{out}{err}");

    let s = w.state();
    let r = s["resources"].as_array().unwrap().iter().find(|r| r["name"] == "rsa").unwrap();
    assert_eq!(r["provider"], "provider[\"registry.terraform.io/hashicorp/tls\"]");
    let rsa = instance(&s, "managed", "rsa");
    assert_eq!(rsa["schema_version"], 1);
    let marked: Vec<&str> =
        rsa["sensitive_attributes"].as_array().unwrap().iter().map(|p| p[0]["value"].as_str().unwrap()).collect();
    for a in ["private_key_pem", "private_key_openssh", "private_key_pem_pkcs8"] {
        assert!(marked.contains(&a), "{a} in {marked:?}");
    }
    let a = &rsa["attributes"];
    let pem = a["private_key_pem"].as_str().unwrap();
    assert!(pem.starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    std::fs::write(w.path().join("rsa.pem"), pem).unwrap();
    tool("openssl", &["pkey", "-in", "rsa.pem", "-check", "-noout"], w.path());
    assert_eq!(
        tool("openssl", &["pkey", "-in", "rsa.pem", "-pubout"], w.path()),
        a["public_key_pem"].as_str().unwrap()
    );
    assert_eq!(s["outputs"]["rsa_public"]["value"], a["public_key_pem"]);
    let from_pem = &instance(&s, "data", "from_pem")["attributes"];
    assert_eq!(from_pem["public_key_openssh"], a["public_key_openssh"]);
    assert_eq!(from_pem["id"], a["id"]);
    assert_eq!(from_pem["algorithm"], "RSA");
    let ec = &instance(&s, "managed", "ec")["attributes"];
    assert!(ec["private_key_pem"].as_str().unwrap().starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
    let ed = &instance(&s, "managed", "ed")["attributes"];
    assert!(ed["private_key_pem"].as_str().unwrap().starts_with("-----BEGIN PRIVATE KEY-----\n"));
    std::fs::write(w.path().join("ed.pub"), ed["public_key_openssh"].as_str().unwrap()).unwrap();
    let fp = tool("ssh-keygen", &["-l", "-E", "sha256", "-f", "ed.pub"], w.path());
    assert_eq!(fp.split_whitespace().nth(1), ed["public_key_fingerprint_sha256"].as_str());
    assert_eq!(s["outputs"]["ed_openssh"]["value"], ed["public_key_openssh"]);

    let (code, out, err) = run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "a re-plan changes nothing\n{out}{err}");

    w.write("main.tf", &CONFIG.replace("algorithm = \"RSA\"", "algorithm = \"RSA\"\n  rsa_bits  = 3072"));
    let (code, out, _) = run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("# tls_private_key.rsa must be replaced"), "{out}");
    assert!(out.contains("~ rsa_bits                      = 2048 -> 3072 # forces replacement"), "{out}");
    assert_eq!(run(&["apply", "-auto-approve"]).0, 0);
    let s = w.state();
    let pem = instance(&s, "managed", "rsa")["attributes"]["private_key_pem"].as_str().unwrap().to_string();
    std::fs::write(w.path().join("rsa.pem"), &pem).unwrap();
    let text = tool("openssl", &["pkey", "-in", "rsa.pem", "-noout", "-text"], w.path());
    assert!(text.contains("Private-Key: (3072 bit"), "{}", text.lines().next().unwrap_or(""));

    let (code, _, err) = run(&["import", "tls_private_key.other", "x"]);
    assert_ne!(code, 0, "the plugin's tls_private_key has no import: {err}");

    assert_eq!(run(&["show"]).0, 0);
    assert_eq!(run(&["destroy", "-auto-approve"]).0, 0);
    assert!(w.addresses().is_empty());
    assert!(seen.contains("DEBUG"), "the logs were not on");
    assert!(!seen.contains("PRIVATE KEY"), "a private key was printed");
    assert!(!seen.contains(pem.lines().nth(1).unwrap()), "the private key leaked");
}

/// A state as the plugin records a `tls_private_key`, with every value made by OpenSSL and
/// ssh-keygen (a new P-256 key each run).
fn plugin_state(w: &Work, version: u64) -> serde_json::Value {
    let d = w.path();
    // hashForState hashes the DER with white space trimmed: a key whose DER ends in white
    // space would need Go's trimming to compute here, so another key is made instead.
    let (pem, der) = loop {
        tool("openssl", &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "k8.pem"], d);
        // SEC 1 with the curve's OID, as Go's MarshalECPrivateKey writes it.
        let pem = tool("openssl", &["ec", "-in", "k8.pem"], d);
        std::fs::write(d.join("k.pem"), &pem).unwrap();
        let out = Command::new("openssl")
            .args(["pkey", "-in", "k.pem", "-pubout", "-outform", "DER"])
            .current_dir(d)
            .output()
            .unwrap();
        let der = out.stdout;
        let ends_in_space = matches!(der.last(), Some(b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
            || der.ends_with(&[0xc2, 0x85])
            || der.ends_with(&[0xc2, 0xa0]);
        if !ends_in_space {
            break (pem, der);
        }
    };
    let public = tool("openssl", &["pkey", "-in", "k.pem", "-pubout"], d);
    std::fs::write(d.join("k.der"), &der).unwrap();
    let id = tool("openssl", &["dgst", "-sha1", "-r", "k.der"], d).split_whitespace().next().unwrap().to_string();
    std::fs::copy(d.join("k.pem"), d.join("id")).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(d.join("id"), std::fs::Permissions::from_mode(0o600)).unwrap();
    let openssh_public = tool("ssh-keygen", &["-y", "-f", "id"], d);
    std::fs::write(d.join("id.pub"), &openssh_public).unwrap();
    let fp = |e: &str| {
        tool("ssh-keygen", &["-l", "-E", e, "-f", "id.pub"], d).split_whitespace().nth(1).unwrap().to_string()
    };
    let (sha, md5) = (fp("sha256"), fp("md5"));
    tool("ssh-keygen", &["-p", "-N", "", "-f", "id"], d);
    let openssh = std::fs::read_to_string(d.join("id")).unwrap();
    let mut attributes = serde_json::json!({
        "algorithm": "ECDSA", "ecdsa_curve": "P256", "rsa_bits": 2048, "id": id,
        "private_key_pem": pem, "public_key_pem": public,
        "public_key_openssh": openssh_public.trim_end().to_string() + "\n",
        "public_key_fingerprint_md5": md5.trim_start_matches("MD5:"),
    });
    if version == 1 {
        attributes["private_key_openssh"] = openssh.into();
        attributes["private_key_pem_pkcs8"] =
            tool("openssl", &["pkcs8", "-topk8", "-nocrypt", "-in", "k.pem"], d).into();
        attributes["public_key_fingerprint_sha256"] = sha.into();
    }
    serde_json::json!({
        "version": 4, "terraform_version": "1.11.4", "serial": 1,
        "lineage": "3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "outputs": {},
        "resources": [{"mode": "managed", "type": "tls_private_key", "name": "k",
            "provider": "provider[\"registry.terraform.io/hashicorp/tls\"]",
            "instances": [{"schema_version": version, "attributes": attributes,
                "sensitive_attributes": [
                    [{"type": "get_attr", "value": "private_key_openssh"}],
                    [{"type": "get_attr", "value": "private_key_pem"}],
                    [{"type": "get_attr", "value": "private_key_pem_pkcs8"}]]}]}],
        "check_results": null
    })
}

#[test]
fn utility_tls_private_key_states_written_by_the_plugin_plan_no_change() {
    for version in [1, 0] {
        let w =
            Work::new("resource \"tls_private_key\" \"k\" {\n  algorithm   = \"ECDSA\"\n  ecdsa_curve = \"P256\"\n}\n");
        let state = plugin_state(&w, version);
        let id = state["resources"][0]["instances"][0]["attributes"]["id"].clone();
        w.write("terraform.tfstate", &state.to_string());
        w.ok(&["init"]);
        let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
        assert_eq!(code, 0, "version {version}\n{out}{err}");
        if version == 0 {
            // Upgraded as the plugin upgrades it: the forms 3.x lacked filled from the key
            // (the plan's prior state is the upgraded one).
            w.ok(&["plan", "-out=plan.bin"]);
            let plan: serde_json::Value = serde_json::from_str(&w.ok(&["show", "-json", "plan.bin"])).unwrap();
            let r = &plan["prior_state"]["values"]["root_module"]["resources"][0];
            assert_eq!(r["schema_version"], 1, "{r}");
            assert_eq!(r["values"]["id"], id, "the same key");
            assert!(r["values"]["public_key_fingerprint_sha256"].as_str().unwrap().starts_with("SHA256:"), "{r}");
            assert_eq!(r["sensitive_values"]["private_key_openssh"], true, "{r}");
        }
    }
}

const CERT: &str = r#"
resource "tls_private_key" "ca" {
  algorithm   = "ECDSA"
  ecdsa_curve = "P384"
}
resource "tls_self_signed_cert" "ca" {
  private_key_pem       = tls_private_key.ca.private_key_pem
  validity_period_hours = 24
  early_renewal_hours   = 1
  is_ca_certificate     = true
  set_subject_key_id    = true
  allowed_uses          = ["cert_signing", "crl_signing", "digital_signature"]
  dns_names             = ["ca.example.com"]
  subject {
    common_name  = "Example CA"
    organization = "Example"
  }
}
"#;

#[test]
fn utility_tls_self_signed_cert_is_a_ca_openssl_verifies_and_is_replaced_when_due() {
    let w = Work::new(CERT);
    w.ok(&["init"]);
    let (code, out, err) = w.run(&["plan"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("+ private_key_pem       = (sensitive value)"), "{out}");
    assert!(out.contains("+ ready_for_renewal     = false"), "{out}");
    assert!(out.contains("+ cert_pem              = (known after apply)"), "{out}");
    w.ok(&["apply", "-auto-approve"]);
    let s = w.state();
    let c = &s["resources"].as_array().unwrap().iter().find(|r| r["type"] == "tls_self_signed_cert").unwrap()["instances"]
        [0];
    assert_eq!(c["schema_version"], 0);
    let a = &c["attributes"];
    assert_eq!(a["key_algorithm"], "ECDSA");
    assert_eq!(a["ready_for_renewal"], false);
    std::fs::write(w.path().join("ca.pem"), a["cert_pem"].as_str().unwrap()).unwrap();
    let ok = tool("openssl", &["verify", "-CAfile", "ca.pem", "ca.pem"], w.path());
    assert_eq!(ok.trim(), "ca.pem: OK");
    let text = tool("openssl", &["x509", "-in", "ca.pem", "-noout", "-text"], w.path());
    assert!(text.contains("Subject: O = Example, CN = Example CA"), "{text}");
    assert!(text.contains("ecdsa-with-SHA384"), "{text}");
    assert!(text.contains("CA:TRUE"), "{text}");
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "{out}{err}");

    // early_renewal_hours changes in place.
    w.write("main.tf", &CERT.replace("early_renewal_hours   = 1", "early_renewal_hours   = 2"));
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("# tls_self_signed_cert.ca will be updated in-place"), "{out}");
    w.ok(&["apply", "-auto-approve"]);
    let before = w.state();

    // Due for renewal (its end moved to within early_renewal_hours): replaced.
    let mut state = before.clone();
    for r in state["resources"].as_array_mut().unwrap() {
        if r["type"] == "tls_self_signed_cert" {
            r["instances"][0]["attributes"]["validity_end_time"] = "2020-01-01T00:00:00Z".into();
        }
    }
    w.write("terraform.tfstate", &state.to_string());
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("# tls_self_signed_cert.ca must be replaced"), "{out}");
    assert!(out.contains("ready_for_renewal"), "{out}");
    w.ok(&["apply", "-auto-approve"]);
    let after = w.state();
    let cert = |s: &serde_json::Value| {
        s["resources"].as_array().unwrap().iter().find(|r| r["type"] == "tls_self_signed_cert").unwrap()["instances"][0]
            ["attributes"]["id"]
            .clone()
    };
    assert_ne!(cert(&before), cert(&after), "a new certificate");
    w.ok(&["destroy", "-auto-approve"]);
}

#[test]
fn utility_tls_a_request_signed_by_a_local_ca_verifies_and_replans_without_changes() {
    let config = format!(
        "{CERT}{}",
        r#"
resource "tls_private_key" "server" {
  algorithm = "RSA"
}
resource "tls_cert_request" "server" {
  private_key_pem = tls_private_key.server.private_key_pem
  dns_names       = ["server.example.com"]
  ip_addresses    = ["10.0.0.1"]
  subject {
    common_name = "server.example.com"
  }
}
resource "tls_locally_signed_cert" "server" {
  cert_request_pem      = tls_cert_request.server.cert_request_pem
  ca_private_key_pem    = tls_private_key.ca.private_key_pem
  ca_cert_pem           = tls_self_signed_cert.ca.cert_pem
  validity_period_hours = 12
  allowed_uses          = ["digital_signature", "key_encipherment", "server_auth"]
}
data "tls_certificate" "server" {
  content = tls_locally_signed_cert.server.cert_pem
}
"#
    );
    let w = Work::new(&config);
    w.ok(&["init"]);
    let (code, out, err) = w.run(&["plan"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("+ ca_private_key_pem    = (sensitive value)"), "{out}");
    w.ok(&["apply", "-auto-approve"]);
    let s = w.state();
    let attrs = |ty: &str| {
        s["resources"].as_array().unwrap().iter().find(|r| r["type"] == ty).unwrap()["instances"][0]["attributes"]
            .clone()
    };
    let ca = attrs("tls_self_signed_cert");
    let csr = attrs("tls_cert_request");
    let cert = attrs("tls_locally_signed_cert");
    assert_eq!(cert["ca_key_algorithm"], "ECDSA");
    assert_eq!(csr["key_algorithm"], "RSA");
    std::fs::write(w.path().join("ca.pem"), ca["cert_pem"].as_str().unwrap()).unwrap();
    std::fs::write(w.path().join("req.pem"), csr["cert_request_pem"].as_str().unwrap()).unwrap();
    std::fs::write(w.path().join("cert.pem"), cert["cert_pem"].as_str().unwrap()).unwrap();
    tool("openssl", &["req", "-in", "req.pem", "-verify", "-noout"], w.path());
    let ok = tool("openssl", &["verify", "-CAfile", "ca.pem", "cert.pem"], w.path());
    assert_eq!(ok.trim(), "cert.pem: OK");
    let text = tool("openssl", &["x509", "-in", "cert.pem", "-noout", "-text"], w.path());
    assert!(text.contains("Subject: CN = server.example.com"), "{text}");
    assert!(text.contains("DNS:server.example.com, IP Address:10.0.0.1"), "{text}");
    let read = s["resources"].as_array().unwrap().iter().find(|r| r["type"] == "tls_certificate").unwrap();
    let info = &read["instances"][0]["attributes"]["certificates"][0];
    assert_eq!(info["subject"], "CN=server.example.com");
    assert_eq!(info["issuer"], "CN=Example CA,O=Example");
    assert_eq!(info["serial_number"], cert["id"]);
    assert_eq!(info["public_key_algorithm"], "RSA");
    assert_eq!(info["signature_algorithm"], "ECDSA-SHA384");
    assert_eq!(info["cert_pem"], cert["cert_pem"]);
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "{out}{err}");
    w.ok(&["destroy", "-auto-approve"]);
}

#[test]
fn utility_tls_self_signed_cert_state_written_by_the_plugin_plans_no_change() {
    let w = Work::new(
        r#"
resource "tls_self_signed_cert" "c" {
  private_key_pem       = file("${path.module}/k.pem")
  validity_period_hours = 24
  allowed_uses          = ["digital_signature"]
  subject {
    common_name = "example"
  }
}
"#,
    );
    let d = w.path();
    // A certificate made by OpenSSL, recorded as hashicorp/tls 4.2 records one
    // (resource_self_signed_cert.go's model: the defaults, `id` the serial in decimal,
    // validity times as Go's MarshalText writes them).
    tool("openssl", &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "k8.pem"], d);
    let key = tool("openssl", &["ec", "-in", "k8.pem"], d);
    std::fs::write(d.join("k.pem"), &key).unwrap();
    // A serial below 2^128, as the plugin draws them (this one from its acceptance tests).
    let serial = "266244246501122064554217434340898012243";
    tool(
        "openssl",
        &[
            "req",
            "-x509",
            "-key",
            "k.pem",
            "-subj",
            "/CN=example",
            "-days",
            "1",
            "-set_serial",
            serial,
            "-out",
            "c.pem",
        ],
        d,
    );
    let cert = std::fs::read_to_string(d.join("c.pem")).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let rfc3339 = |secs: u64| {
        let out = Command::new("date").args(["-u", "-d", &format!("@{secs}"), "+%Y-%m-%dT%H:%M:%SZ"]).output().unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    let subject = serde_json::json!([{"common_name": "example", "country": null, "email_address": null,
        "locality": null, "organization": null, "organizational_unit": null,
        "postal_code": null, "province": null, "serial_number": null, "street_address": null}]);
    let attributes = serde_json::json!({
        "allowed_uses": ["digital_signature"], "cert_pem": cert, "dns_names": null,
        "early_renewal_hours": 0, "id": serial, "ip_addresses": null,
        "is_ca_certificate": false, "key_algorithm": "ECDSA", "max_path_length": null,
        "private_key_pem": key, "ready_for_renewal": false, "set_authority_key_id": false,
        "set_subject_key_id": false, "subject": subject, "uris": null,
        "validity_end_time": rfc3339(now + 24 * 3600), "validity_period_hours": 24,
        "validity_start_time": rfc3339(now),
    });
    let instance = serde_json::json!({"schema_version": 0, "attributes": attributes,
        "sensitive_attributes": [[{"type": "get_attr", "value": "private_key_pem"}]]});
    let state = serde_json::json!({
        "version": 4, "terraform_version": "1.11.4", "serial": 1,
        "lineage": "5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6", "outputs": {},
        "resources": [{"mode": "managed", "type": "tls_self_signed_cert", "name": "c",
            "provider": "provider[\"registry.terraform.io/hashicorp/tls\"]",
            "instances": [instance]}],
        "check_results": null
    });
    w.write("terraform.tfstate", &state.to_string());
    w.ok(&["init"]);
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "{out}{err}");
}
