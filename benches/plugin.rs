//! `cargo bench --bench plugin` (or `just bench-plugin`): a plan through the real
//! hashicorp/aws plugin, terrane against Terraform 1.11 with the same plugin, the same
//! configuration and the same state, on moto, in one run.
//!
//! The configuration is `--dir DIR` (used where it is, so a module's example keeps its
//! relative `source`; it is applied and destroyed there), else a generated one: a VPC (built into terrane) and `--count` each of
//! EIPs, network ACLs and IAM policies (served by the plugin). terrane applies it once, both
//! tools plan it `--runs` times (alternating, refresh included), and terrane destroys it.
//! Printed: each tool's median and minimum, terrane's first plan with an empty schema cache,
//! and the ratio.
//!
//!   cargo bench --bench plugin -- [--count 10] [--runs 5] [--dir DIR]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const MOTO: &str = "http://127.0.0.1:5000";

fn generated(n: usize, tag: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    aws = {{ source = "hashicorp/aws", version = "~> 5.0" }}
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
  cidr_block = "10.60.0.0/16"
  tags       = {{ Name = "{tag}" }}
}}
resource "aws_eip" "ip" {{
  count  = {n}
  domain = "vpc"
  tags   = {{ Name = "{tag}-${{count.index}}" }}
}}
resource "aws_network_acl" "acl" {{
  count  = {n}
  vpc_id = aws_vpc.main.id
  egress {{
    protocol   = "tcp"
    rule_no    = 100
    action     = "allow"
    cidr_block = "0.0.0.0/0"
    from_port  = 443
    to_port    = 443
  }}
  tags = {{ Name = "{tag}-${{count.index}}" }}
}}
resource "aws_iam_policy" "p" {{
  count = {n}
  name  = "{tag}-${{count.index}}"
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["logs:PutLogEvents"], Resource = "arn:${{data.aws_partition.current.partition}}:logs:*:*:*" }}]
  }})
}}
"#
    )
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1).cloned())
}

fn run(bin: &str, dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Duration {
    let start = Instant::now();
    let mut c = Command::new(bin);
    c.current_dir(dir).args(args).env("TF_IN_AUTOMATION", "1").env("CHECKPOINT_DISABLE", "1").env("NO_COLOR", "1");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap_or_else(|e| panic!("{bin}: {e}"));
    let took = start.elapsed();
    assert!(
        out.status.success() || out.status.code() == Some(2),
        "{bin} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    took
}

fn stats(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    (v[v.len() / 2].as_secs_f64(), v[0].as_secs_f64())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = arg(&args, "--count").and_then(|s| s.parse().ok()).unwrap_or(10);
    let runs: usize = arg(&args, "--runs").and_then(|s| s.parse().ok()).unwrap_or(5);
    let status = Command::new("tests/env/moto.sh").status().expect("tests/env/moto.sh starts moto");
    assert!(status.success(), "moto did not start");
    let tfrc = PathBuf::from(
        std::env::var("TERRANE_TF_CLI_CONFIG").unwrap_or_else(|_| "/var/tmp/terrane-env/terraform.tfrc".into()),
    );
    if !tfrc.exists() {
        assert!(Command::new("tests/env/terraform.sh").status().unwrap().success(), "tests/env/terraform.sh failed");
    }
    let terrane = env!("CARGO_BIN_EXE_terrane");
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("schema-cache");
    let dir = match arg(&args, "--dir") {
        Some(d) => PathBuf::from(d),
        None => {
            let dir = tmp.path().join("config");
            std::fs::create_dir_all(&dir).unwrap();
            let tag = format!("bench{}", std::process::id());
            std::fs::write(dir.join("main.tf"), generated(n, &tag)).unwrap();
            dir
        }
    };
    let env = [("TF_CLI_CONFIG_FILE", tfrc.as_path()), ("TERRANE_PLUGIN_CACHE_DIR", cache.as_path())];
    run("terraform", &dir, &["init", "-input=false"], &env);
    run(terrane, &dir, &["init"], &env);
    let applied = run(terrane, &dir, &["apply", "-auto-approve"], &env);
    let cold = {
        let _ = std::fs::remove_dir_all(&cache);
        run(terrane, &dir, &["plan", "-lock=false"], &env)
    };
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for _ in 0..runs {
        theirs.push(run("terraform", &dir, &["plan", "-lock=false", "-input=false"], &env));
        ours.push(run(terrane, &dir, &["plan", "-lock=false"], &env));
    }
    run(terrane, &dir, &["destroy", "-auto-approve"], &env);
    let (om, omin) = stats(ours);
    let (tm, tmin) = stats(theirs);
    println!("plan through the hashicorp/aws plugin on moto ({runs} runs each, refresh included):");
    println!(
        "  terrane   median {om:.2} s   min {omin:.2} s   (first plan, empty schema cache: {:.2} s)",
        cold.as_secs_f64()
    );
    println!("  terraform median {tm:.2} s   min {tmin:.2} s");
    println!("  terrane is {:.1}x faster (medians); the apply took {:.1} s", tm / om, applied.as_secs_f64());
}
