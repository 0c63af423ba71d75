//! Provider plugins (#19): the real hashicorp/aws 5.100.0 plugin from the machine's
//! filesystem mirror, on moto, serving the types terrane does not build in beside the
//! built-in ones, from `init` to `destroy`; Terraform 1.11 with the same plugin is the
//! reference for the lock file and for the state terrane records.

use crate::Work;
use crate::from_terraform::{terraform_cli_config as tfrc, terraform_in as terraform};

const MOTO: &str = "http://127.0.0.1:5000";

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{:x}",
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() % 0xff_ffff
    )
}

/// A VPC (built in) with types terrane does not build in: an EIP, a network ACL, an IAM
/// policy attached to a role (the role built in), and `data.aws_partition`.
fn config(name: &str, extra: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    aws = {{ source = "hashicorp/aws", version = "~> 5.0, >= 5.10" }}
  }}
}}

provider "aws" {{
  region                      = "eu-west-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {{
    ec2 = "{MOTO}"
    iam = "{MOTO}"
    sts = "{MOTO}"
  }}
}}

data "aws_partition" "current" {{}}

resource "aws_vpc" "main" {{
  cidr_block = "172.16.12.0/22"
  tags       = {{ Name = "{name}" }}
}}

resource "aws_eip" "ip" {{
  domain = "vpc"
  tags   = {{ Name = "{name}" }}
}}

resource "aws_network_acl" "acl" {{
  vpc_id = aws_vpc.main.id
  egress {{
    protocol   = "tcp"
    rule_no    = 100
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 443
    to_port    = 443
  }}
  tags = {{ Name = "{name}" }}
}}

resource "aws_iam_role" "app" {{
  name = "{name}-app"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "ec2.amazonaws.com" }} }}]
  }})
}}

resource "aws_iam_policy" "logs" {{
  name = "{name}-logs"
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["logs:PutLogEvents"], Resource = "arn:${{data.aws_partition.current.partition}}:logs:*:*:*" }}]
  }})
}}

resource "aws_iam_role_policy_attachment" "logs" {{
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.logs.arn
}}

output "partition" {{
  value = data.aws_partition.current.partition
}}
{extra}
"#
    )
}

fn eips(name: &str) -> usize {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let ec2 = crate::crash_aws::moto_ec2();
        let f = aws_sdk_ec2::types::Filter::builder().name("tag:Name").values(name).build();
        ec2.describe_addresses().filters(f).send().await.unwrap().addresses().len()
    })
}

/// init, plan, apply, a re-plan with no changes, Terraform agreeing with the state,
/// import, destroy with nothing left: the whole life of plugin-served types.
#[test]
fn aws_types_terrane_does_not_build_in_are_served_by_the_real_plugin() {
    let name = unique("plug");
    let cache = tempfile::tempdir().unwrap();
    // Provider-defined functions: one known at plan, one on a value known after apply.
    let functions = r#"
output "account" {
  value = provider::aws::arn_parse("arn:aws:iam::123456789012:policy/x").account_id
}
output "policy_service" {
  value = provider::aws::arn_parse(aws_iam_policy.logs.arn).service
}
"#;
    let w = Work::new(&config(&name, functions))
        .with_env("TF_CLI_CONFIG_FILE", tfrc().to_str().unwrap())
        .with_env("TERRANE_PLUGIN_CACHE_DIR", cache.path().to_str().unwrap());

    // init installs the plugin from the mirror and writes the lock file Terraform writes.
    let out = w.ok(&["init"]);
    assert!(out.contains("- Installed hashicorp/aws v5.100.0 (unauthenticated)"), "{out}");
    let reference = tempfile::tempdir().unwrap();
    std::fs::write(reference.path().join("main.tf"), config(&name, functions)).unwrap();
    let (code, tf_out) = terraform(reference.path(), &["init", "-no-color"]);
    assert_eq!(code, 0, "{tf_out}");
    let ours = std::fs::read_to_string(w.path().join(".terraform.lock.hcl")).unwrap();
    let theirs = std::fs::read_to_string(reference.path().join(".terraform.lock.hcl")).unwrap();
    assert_eq!(ours, theirs, "the lock file differs from Terraform's");
    let link = w.path().join(".terraform/providers/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64");
    assert!(
        std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(),
        "linked to the mirror as Terraform links it"
    );
    let again = w.ok(&["init"]);
    assert!(again.contains("- Reusing previous version of hashicorp/aws from the dependency lock file"), "{again}");

    // The plugin's own validation, as Terraform's validate walk calls it.
    w.write("bad.tf", "resource \"aws_eip\" \"bad\" {\n  domain = \"bogus\"\n}\n");
    let (code, _, err) = w.run(&["plan"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("expected domain to be one of"), "{err}");
    // At the argument, as Terraform places it; `validate` asks the plugin too (unconfigured).
    assert!(err.contains("bad.tf:2:12"), "{err}");
    let (code, _, err) = w.run(&["validate"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("expected domain to be one of") && err.contains("bad.tf:2:12"), "{err}");
    std::fs::remove_file(w.path().join("bad.tf")).unwrap();
    // Valid, provider functions included (validate calls them on the unconfigured plugin).
    let out = w.ok(&["validate"]);
    assert!(out.contains("Success! The configuration is valid."), "{out}");

    // plan and apply: built-in and plugin types together.
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(out.contains("+ account        = \"123456789012\""), "{out}"); // padded to policy_service
    for r in [
        "aws_vpc.main",
        "aws_eip.ip",
        "aws_network_acl.acl",
        "aws_iam_policy.logs",
        "aws_iam_role_policy_attachment.logs",
    ] {
        assert!(out.contains(&format!("# {r} will be created")), "{r} missing from the plan:\n{out}");
    }
    let applied = w.ok(&["apply", "-auto-approve"]);
    assert!(applied.contains("6 added, 0 changed, 0 destroyed"), "{applied}");
    assert_eq!(eips(&name), 1, "the EIP exists in moto");
    let state = w.state();
    let find = |ty: &str| {
        state["resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["type"] == ty)
            .cloned()
            .unwrap_or_else(|| panic!("{ty} not in state"))
    };
    let eip = find("aws_eip");
    assert_eq!(eip["provider"], "provider[\"registry.terraform.io/hashicorp/aws\"]");
    assert!(eip["instances"][0]["attributes"]["allocation_id"].as_str().unwrap().starts_with("eipalloc-"));
    assert_eq!(w.ok(&["output", "-raw", "partition"]), "aws");
    assert_eq!(w.ok(&["output", "-raw", "account"]), "123456789012");
    assert_eq!(w.ok(&["output", "-raw", "policy_service"]), "iam");
    let policy_arn = find("aws_iam_policy")["instances"][0]["attributes"]["arn"].as_str().unwrap().to_string();

    // Nothing to change, for terrane and for Terraform reading terrane's state.
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "a re-plan finds changes:\n{out}\n{err}");
    std::fs::copy(w.path().join("terraform.tfstate"), reference.path().join("terraform.tfstate")).unwrap();
    let (code, out) = terraform(reference.path(), &["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(code, 0, "Terraform plans changes on the state terrane recorded through the plugin:\n{out}");

    // import: the policy forgotten, then adopted by an import block.
    w.ok(&["state", "rm", "aws_iam_policy.logs"]);
    w.write("import.tf", &format!("import {{\n  to = aws_iam_policy.logs\n  id = \"{policy_arn}\"\n}}\n"));
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert!(out.contains("aws_iam_policy.logs will be imported"), "{code}\n{out}\n{err}");
    let applied = w.ok(&["apply", "-auto-approve"]);
    assert!(applied.contains("1 imported"), "{applied}");
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "after the import:\n{out}\n{err}");

    // destroy leaves nothing.
    let destroyed = w.ok(&["destroy", "-auto-approve"]);
    assert!(destroyed.contains("6 destroyed"), "{destroyed}");
    assert_eq!(eips(&name), 0, "the EIP is gone from moto");
}

/// A TCP listener that accepts connections and never answers: an AWS API that hangs.
fn black_hole() -> (std::net::SocketAddr, std::thread::JoinHandle<()>) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let t = std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in l.incoming().take(64) {
            match s {
                Ok(s) => held.push(s),
                Err(_) => return,
            }
        }
    });
    (addr, t)
}

/// An EIP on moto, then (depending on it) an IAM policy whose API hangs.
fn hanging_config(name: &str, iam: &str) -> String {
    config(name, "")
        .split("data \"aws_partition\"")
        .next()
        .unwrap()
        .replace(&format!("iam = \"{MOTO}\""), &format!("iam = \"http://{iam}\""))
        + &format!(
            r#"
resource "aws_eip" "ip" {{
  domain = "vpc"
  tags   = {{ Name = "{name}" }}
}}

resource "aws_iam_policy" "p" {{
  name   = "{name}-${{aws_eip.ip.allocation_id}}"
  policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = ["logs:PutLogEvents"], Resource = "*" }}] }})
}}
"#
        )
}

/// The plugin processes terrane (pid `parent`) started.
fn plugin_children(parent: u32) -> Vec<i32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else { continue };
        // pid (comm) state ppid ...
        let Some(rest) = stat.rsplit_once(") ").map(|(_, r)| r) else { continue };
        let ppid: u32 = rest.split(' ').nth(1).and_then(|p| p.parse().ok()).unwrap_or(0);
        if ppid == parent && stat.contains("terraform-prov") {
            out.push(pid);
        }
    }
    out
}

/// Runs an apply that hangs in the plugin after the EIP is made; `interrupt` decides what
/// happens then. Returns (exit code, stderr) and checks the EIP is in the state.
fn apply_until_the_plugin_hangs(interrupt: impl FnOnce(&std::process::Child)) -> (i32, String, Work, String) {
    let name = unique("hang");
    let (iam, _hole) = black_hole();
    let cache = tempfile::tempdir().unwrap();
    let w = Work::new(&hanging_config(&name, &iam.to_string()))
        .with_env("TF_CLI_CONFIG_FILE", tfrc().to_str().unwrap())
        .with_env("TERRANE_PLUGIN_CACHE_DIR", cache.path().to_str().unwrap());
    w.ok(&["init"]);
    let out_path = w.path().join("apply.out");
    let mut child = w
        .std_cmd(&["apply", "-auto-approve"])
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(90);
    loop {
        let out = std::fs::read_to_string(&out_path).unwrap_or_default();
        if out.contains("aws_iam_policy.p: Creating...") {
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "the apply ended early:\n{out}");
        assert!(std::time::Instant::now() < deadline, "the policy's create never started:\n{out}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    interrupt(&child);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code().unwrap_or(-1);
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("terrane did not end within a minute");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
    let state = w.state();
    let types: Vec<&str> = state["resources"].as_array().unwrap().iter().filter_map(|r| r["type"].as_str()).collect();
    assert!(types.contains(&"aws_eip"), "the EIP made before the plugin failed is not in the state: {state}");
    assert!(!types.contains(&"aws_iam_policy"), "{state}");
    assert!(!w.path().join(".terraform.tfstate.lock.info").exists(), "the state lock is left behind");
    (code, err, w, name)
}

/// Cleans up what the apply made (the EIP), the hanging endpoint pointed back at moto.
fn clean_up(w: &Work, name: &str) {
    w.write("main.tf", config(name, "").split("data \"aws_partition\"").next().unwrap());
    w.ok(&["destroy", "-auto-approve"]);
    assert_eq!(eips(name), 0);
}

/// The plugin dies mid-apply: a clear error naming it, and what was made is kept.
#[test]
fn a_plugin_that_crashes_mid_apply_is_reported_and_finished_work_kept() {
    let (code, err, w, name) = apply_until_the_plugin_hangs(|child| {
        let plugins = plugin_children(child.id());
        assert!(!plugins.is_empty(), "no plugin process under terrane");
        for pid in plugins {
            // SAFETY: killing a process of this test's own terrane.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    });
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Error creating aws_iam_policy.p"), "{err}");
    assert!(
        err.contains("The plugin registry.terraform.io/hashicorp/aws exited (signal: 9 (SIGKILL)) during the ApplyResourceChange call"),
        "{err}"
    );
    clean_up(&w, &name);
}

/// The plugin's API hangs: Ctrl-C stops it (Terraform's Stop call), the apply ends with an
/// error, and what was made is kept.
#[test]
fn ctrl_c_stops_a_plugin_whose_call_hangs() {
    let (code, err, w, name) = apply_until_the_plugin_hangs(|child| {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    });
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("Interrupt received"), "{err}");
    assert!(!err.contains("Two interrupts"), "one interrupt was enough: {err}");
    clean_up(&w, &name);
}

/// With hashicorp/aws installed, a configuration and state that only use types the built-in
/// crate serves never read the plugin's schema (megabytes; 0.2 s and 125 MB per command,
/// measured with `terrane validate`): the schema cache stays empty. A plugin-only type, or a
/// provider function, brings the plugin in.
#[test]
fn the_plugin_is_not_read_while_the_built_in_crate_serves_everything() {
    let cache = tempfile::tempdir().unwrap();
    let builtin_only = r#"
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}
resource "aws_vpc" "v" {
  cidr_block = "10.9.0.0/16"
}
"#;
    let w = Work::new(builtin_only)
        .with_env("TF_CLI_CONFIG_FILE", tfrc().to_str().unwrap())
        .with_env("TERRANE_PLUGIN_CACHE_DIR", cache.path().to_str().unwrap());
    w.ok(&["init"]);
    assert!(w.path().join(".terraform.lock.hcl").exists());
    w.ok(&["validate"]);
    let cached = || std::fs::read_dir(cache.path()).map(|d| d.count()).unwrap_or(0);
    assert_eq!(cached(), 0, "the plugin's schema was read");
    w.write("partition.tf", "data \"aws_partition\" \"p\" {}\n");
    w.ok(&["validate"]);
    assert_eq!(cached(), 1, "a plugin-only data source reads the plugin's schema");
}
