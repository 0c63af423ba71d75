//! Guard rails before destruction: the confirmation names what will be destroyed, a refusal
//! destroys nothing, and an apply nobody confirms (`-auto-approve`, a saved plan) warns
//! before it destroys objects that hold data.

use crate::Work;

const CONFIG: &str = r#"
terraform {
  required_providers {
    fake = { source = "terrane.dev/test/fake" }
  }
}

resource "fake_resource" "keep" {
  name = "keep"
}

resource "fake_resource" "db" {
  name = "db"
}

resource "fake_resource" "cache" {
  name = "cache"
}
"#;

#[test]
fn the_confirmation_names_what_is_destroyed_and_no_destroys_nothing() {
    let w = Work::new(CONFIG);
    w.ok(&["apply", "-auto-approve"]);
    assert_eq!(w.cloud_names(), ["cache", "db", "keep"]);

    let out = w.cmd(&["destroy"]).write_stdin("no\n").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    let prompt = stdout.split("Do you really want to destroy all resources?").nth(1).expect("the destroy question");
    for addr in ["fake_resource.cache", "fake_resource.db", "fake_resource.keep"] {
        assert!(prompt.contains(&format!("    - {addr}")), "{addr} is not named in the confirmation:\n{prompt}");
    }
    assert!(stderr.contains("Destroy cancelled."), "{stderr}");
    assert_eq!(w.cloud_names(), ["cache", "db", "keep"], "a refused destroy destroyed something");

    // A normal apply that replaces one object names it too; `yes` goes ahead.
    w.write("main.tf", &CONFIG.replace("name = \"db\"", "name = \"db2\""));
    let out = w.cmd(&["apply"]).write_stdin("yes\n").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let prompt = stdout.split("destroying the objects listed?").nth(1).expect("the question naming destruction");
    assert!(
        prompt.contains("These will be destroyed (replaced objects included):\n    - fake_resource.db\n"),
        "{prompt}"
    );
    assert!(!prompt.contains("    - fake_resource.keep"), "{prompt}");
    assert_eq!(w.cloud_names(), ["cache", "db2", "keep"]);
}

/// A log group on moto: an object that holds data (its logs).
fn log_group_work() -> Work {
    let name = format!("/terrane-guard/{}", std::process::id());
    let w = Work::new(&format!(
        r#"
provider "aws" {{
  region                      = "eu-west-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  endpoints {{
    logs = "http://127.0.0.1:5000"
    sts = "http://127.0.0.1:5000"
  }}
}}

resource "aws_cloudwatch_log_group" "app" {{
  name = "{name}"
}}
"#
    ));
    assert!(
        std::net::TcpStream::connect("127.0.0.1:5000").is_ok(),
        "moto is not running on 127.0.0.1:5000: run the tests through tests/run.sh"
    );
    w
}

#[test]
fn applying_unconfirmed_destruction_of_data_warns_first() {
    let w = log_group_work();
    w.ok(&["init"]);
    w.ok(&["apply", "-auto-approve"]);
    let warning = "This apply destroys objects that hold data";
    let named = "aws_cloudwatch_log_group.app: a log group and the logs in it";

    // A saved destroy plan is applied without a question: the warning comes first.
    w.ok(&["plan", "-destroy", "-out=destroy.bin"]);
    let (code, out, err) = w.run(&["apply", "destroy.bin"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains(warning) && err.contains(named) && err.contains("a saved plan"), "{err}");
    assert!(out.contains("Destroy complete!") || out.contains("Apply complete!"), "{out}");
    assert!(w.addresses().is_empty());

    // -auto-approve: the same warning.
    w.ok(&["apply", "-auto-approve"]);
    let (code, out, err) = w.run(&["destroy", "-auto-approve"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(err.contains(warning) && err.contains(named) && err.contains("-auto-approve"), "{err}");
    assert!(w.addresses().is_empty());

    // An apply that destroys nothing holding data does not warn.
    w.ok(&["apply", "-auto-approve"]);
    let (_, _, err) = w.run(&["apply", "-auto-approve"]);
    assert!(!err.contains(warning), "{err}");
    w.ok(&["destroy", "-auto-approve"]);
}
