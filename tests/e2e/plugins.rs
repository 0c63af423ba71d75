//! Provider plugins (#19): the real hashicorp/aws 5.100.0 plugin from the machine's
//! filesystem mirror, on moto, serving the types terrane does not build in beside the
//! built-in ones, from `init` to `destroy`; Terraform 1.11 with the same plugin is the
//! reference for the lock file and for the state terrane records.

use crate::Work;
use std::path::PathBuf;

const MOTO: &str = "http://127.0.0.1:5000";

fn tfrc() -> PathBuf {
    let path = PathBuf::from(
        std::env::var("TERRANE_TF_CLI_CONFIG").unwrap_or_else(|_| "/var/tmp/terrane-env/terraform.tfrc".into()),
    );
    assert!(path.exists(), "{} is missing: run tests/env/setup.sh (it finds Terraform and the plugin)", path.display());
    path
}

fn terraform(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new("terraform")
        .current_dir(dir)
        .args(args)
        .env("TF_CLI_CONFIG_FILE", tfrc())
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_INPUT", "0")
        .env_remove("TF_WORKSPACE")
        .output()
        .expect("terraform runs (tests/env/setup.sh checks it is installed)");
    (
        out.status.code().unwrap_or(-1),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

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
    let w = Work::new(&config(&name, ""))
        .with_env("TF_CLI_CONFIG_FILE", tfrc().to_str().unwrap())
        .with_env("TERRANE_PLUGIN_CACHE_DIR", cache.path().to_str().unwrap());

    // init installs the plugin from the mirror and writes the lock file Terraform writes.
    let out = w.ok(&["init"]);
    assert!(out.contains("- Installed hashicorp/aws v5.100.0 (unauthenticated)"), "{out}");
    let reference = tempfile::tempdir().unwrap();
    std::fs::write(reference.path().join("main.tf"), config(&name, "")).unwrap();
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

    // plan and apply: built-in and plugin types together.
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2, "{out}\n{err}");
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
