//! Secrets never leak: three known secrets (a sensitive variable, an RDS master password on
//! moto, a Docker secret on the local swarm) go through every command, with the logs at trace
//! level; none of them appears in any output, log, rendering of the plan file or Markdown.
//! The local state and the plan file, which must hold them, are readable by their owner only.

use crate::Work;
use std::os::unix::fs::PermissionsExt;

const TOKEN: &str = "tok-9f3b2c-SECRET-one";
const DB_PASSWORD: &str = "Pw-7d1e4a-SECRET-two";
const DOCKER_SECRET: &str = "dk-2a8c5f-SECRET-three";

fn config(tag: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    fake   = {{ source = "terrane.dev/test/fake" }}
    docker = {{ source = "kreuzwerker/docker" }}
  }}
}}

provider "aws" {{
  region                      = "eu-west-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  endpoints {{
    rds = "http://127.0.0.1:5000"
    sts = "http://127.0.0.1:5000"
  }}
}}

provider "docker" {{}}

variable "token" {{
  type      = string
  sensitive = true
}}

variable "db_password" {{
  type      = string
  sensitive = true
}}

variable "docker_secret" {{
  type      = string
  sensitive = true
}}

resource "fake_resource" "app" {{
  name   = "{tag}-app"
  secret = var.token
  value  = "plain"
}}

resource "aws_db_instance" "db" {{
  identifier          = "{tag}-db"
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "app"
  password            = var.db_password
  skip_final_snapshot = true
}}

resource "docker_secret" "app" {{
  name = "{tag}-secret"
  data = base64encode(var.docker_secret)
}}

output "token" {{
  value     = var.token
  sensitive = true
}}

output "db_endpoint" {{
  value = aws_db_instance.db.address
}}
"#
    )
}

#[test]
fn no_secret_appears_in_any_output_or_log() {
    assert!(
        std::net::TcpStream::connect("127.0.0.1:5000").is_ok(),
        "moto is not running: run the tests through tests/run.sh"
    );
    let tag = format!("leak{}", std::process::id());
    let w = Work::new(&config(&tag)).with_env("TERRANE_LOG", "trace");
    let vars =
        [format!("token={TOKEN}"), format!("db_password={DB_PASSWORD}"), format!("docker_secret={DOCKER_SECRET}")];
    let with_vars = |cmd: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
        for x in &vars {
            v.push("-var".into());
            v.push(x.clone());
        }
        v
    };
    let mut seen = String::new();
    let mut run = |args: Vec<String>, must_succeed: bool| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, out, err) = w.run(&refs);
        if must_succeed {
            assert_eq!(code, 0, "terrane {args:?} failed\n{out}\n{err}");
        }
        // The command line itself holds the secrets: only its command is noted.
        seen.push_str(&format!("\n$ terrane {}\n{out}\n{err}", args[0]));
    };
    run(vec!["init".into()], true);
    run(vec!["validate".into()], true);
    run(with_vars(&["plan"]), true);
    run(with_vars(&["plan", "-markdown"]), true);
    run(with_vars(&["plan", "-json"]), true);
    run(with_vars(&["plan", "-out=plan.bin"]), true);
    run(vec!["show".into(), "plan.bin".into()], true);
    run(vec!["show".into(), "-json".into(), "plan.bin".into()], true);
    run(vec!["show".into(), "-markdown".into(), "plan.bin".into()], true);
    run(vec!["apply".into(), "plan.bin".into()], true);
    run(vec!["output".into()], true);
    // `output -json` (and `output NAME`) print sensitive outputs in plain text, as Terraform's
    // do: they are how scripts read a value on purpose. Checked apart: the value is there, and
    // nothing else of it is printed.
    let (code, json, _) = w.run(&["output", "-json"]);
    assert_eq!(code, 0);
    let outputs: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(outputs["token"]["sensitive"], true);
    assert_eq!(outputs["token"]["value"], TOKEN);
    run(vec!["state".into(), "list".into()], true);
    for addr in ["fake_resource.app", "aws_db_instance.db", "docker_secret.app"] {
        run(vec!["state".into(), "show".into(), addr.into()], true);
    }
    run(vec!["show".into()], true);
    run(vec!["show".into(), "-json".into()], true);
    run(with_vars(&["plan", "-detailed-exitcode"]), true);
    run(with_vars(&["apply", "-json", "-auto-approve"]), true);
    // A change of each secret: the diff must not show old or new values.
    let rotated: Vec<String> =
        vars.iter().map(|v| v.replace("SECRET", "ROTATED")).flat_map(|v| ["-var".to_string(), v]).collect();
    let mut args = vec!["plan".to_string()];
    args.extend(rotated.clone());
    run(args, true);
    let mut args = vec!["plan".to_string(), "-explain=fake_resource.app".to_string()];
    args.extend(rotated);
    run(args, true);
    run(with_vars(&["destroy", "-auto-approve"]), true);

    assert!(
        seen.contains("TRACE") || seen.contains("DEBUG"),
        "the logs were not on: TERRANE_LOG=trace printed nothing"
    );
    for secret in [TOKEN, DB_PASSWORD, DOCKER_SECRET] {
        for variant in [secret.to_string(), secret.replace("SECRET", "ROTATED"), base64(secret)] {
            assert!(!seen.contains(&variant), "{variant} leaked:\n{}", context(&seen, &variant));
        }
    }
    // The files that must hold secrets are private.
    for f in ["plan.bin", "terraform.tfstate"] {
        let mode = std::fs::metadata(w.path().join(f)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{f} is mode {mode:o}");
    }
}

fn base64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn context(text: &str, needle: &str) -> String {
    let i = text.find(needle).unwrap_or(0);
    let start = text[..i].char_indices().rev().nth(300).map_or(0, |(j, _)| j);
    text[start..(i + needle.len() + 100).min(text.len())].to_string()
}

/// Inline Docker TLS material (`ca_material`, `cert_material`, `key_material`) is written to a
/// private temporary directory for the TLS client; nothing of it is left in the temporary
/// directory after a run, here one whose daemon cannot be reached.
#[test]
fn inline_docker_tls_material_is_not_left_behind() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let w = Work::new(&format!(
        r#"
terraform {{
  required_providers {{
    docker = {{ source = "kreuzwerker/docker" }}
  }}
}}

provider "docker" {{
  host          = "https://127.0.0.1:1"
  ca_material   = file("{0}/cert.pem")
  cert_material = file("{0}/cert.pem")
  key_material  = file("{0}/key.pem")
}}

resource "docker_network" "n" {{
  name   = "tls-material-test"
  driver = "overlay"
}}
"#,
        fixtures.display()
    ));
    let tmp = tempfile::tempdir().unwrap();
    let w = w.with_env("TMPDIR", tmp.path().to_str().unwrap()).with_env("TERRANE_DOCKER_MAX_RETRIES", "0");
    let (code, out, err) = w.run(&["apply", "-auto-approve"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("cannot connect to the Docker daemon at https://127.0.0.1:1"), "{err}");
    let left: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(left.is_empty(), "left in the temporary directory: {left:?}");
}
