//! `cargo bench --bench aws_refresh` (or `just bench-aws`): the refresh of many AWS objects
//! against moto (started by tests/env/moto.sh when it is not running). Applies 300 instances,
//! 300 security groups, 300 subnets and 50 log groups with the real binary, then plans them
//! again in this process with the AWS provider, counting the API requests it sends: a refresh
//! costs about one call per resource type and page, not one per object.
//!
//!   cargo bench --bench aws_refresh -- [--count 300] [--log-groups 50]

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;
use terrane_engine::context::Context;
use terrane_engine::graph::WalkControl;
use terrane_engine::hooks::NoHooks;
use terrane_engine::plan::planner::{PlanOptions, plan};
use terrane_engine::provider::ProviderRegistry;
use terrane_engine::state::StateBackend;
use terrane_engine::state::local::LocalBackend;

/// The AWS provider, counting its requests into one shared [`ApiCalls`](terrane_provider_aws::ApiCalls).
struct Counting(terrane_provider_aws::ApiCalls);

impl terrane_engine::provider::ProviderFactory for Counting {
    fn source(&self) -> &str {
        terrane_provider_aws::SOURCE
    }
    fn new_instance(&self) -> Arc<dyn terrane_engine::provider::Provider> {
        Arc::new(terrane_provider_aws::AwsProvider::default().counting_into(self.0.clone()))
    }
}

const MOTO: &str = "http://127.0.0.1:5000";

fn config(tag: &str, n: usize, logs: usize) -> String {
    format!(
        r#"
provider "aws" {{
  region                      = "eu-west-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  endpoints {{
    ec2                      = "{MOTO}"
    logs                     = "{MOTO}"
    sts                      = "{MOTO}"
    resourcegroupstaggingapi = "{MOTO}"
  }}
}}
resource "aws_vpc" "big" {{
  cidr_block = "10.50.0.0/16"
  tags       = {{ Name = "{tag}" }}
}}
resource "aws_subnet" "many" {{
  count      = {n}
  vpc_id     = aws_vpc.big.id
  cidr_block = cidrsubnet(aws_vpc.big.cidr_block, 9, count.index)
  tags       = {{ Name = "{tag}-${{count.index}}" }}
}}
resource "aws_security_group" "many" {{
  count  = {n}
  name   = "{tag}-${{count.index}}"
  vpc_id = aws_vpc.big.id
}}
resource "aws_instance" "many" {{
  count         = {n}
  ami           = "ami-785db401"
  instance_type = "t3.micro"
  tags          = {{ Name = "{tag}-${{count.index}}" }}
}}
resource "aws_cloudwatch_log_group" "many" {{
  count = {logs}
  name  = "/{tag}/app-${{count.index}}"
  tags  = {{ app = "app-${{count.index}}" }}
}}
"#
    )
}

fn terrane(dir: &Path, args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_terrane"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env("TERRANE_AWS_POLL_MS", "50")
        .output()
        .expect("run terrane");
    assert!(
        out.status.success(),
        "terrane {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut n = 300usize;
    let mut logs = 50usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--count" => n = it.next().expect("count").parse().expect("number"),
            "--log-groups" => logs = it.next().expect("log groups").parse().expect("number"),
            _ => {}
        }
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let moto = Command::new(repo.join("tests/env/moto.sh")).status().expect("tests/env/moto.sh");
    assert!(moto.success(), "moto could not be started");

    let dir = tempfile::tempdir().expect("tempdir");
    let tag = format!("bench{}", std::process::id());
    std::fs::write(dir.path().join("main.tf"), config(&tag, n, logs)).expect("config");
    let start = Instant::now();
    terrane(dir.path(), &["apply", "-auto-approve", "-parallelism=20"]);
    let apply = start.elapsed();

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let backend = LocalBackend::in_dir(dir.path());
    let stored = rt.block_on(backend.read("default")).expect("read state").expect("a state");
    let objects = stored.instances().count();
    let (config, diags) = terrane_engine::config::load_dir(dir.path());
    assert!(!diags.has_errors(), "{diags}");
    let mut registry = ProviderRegistry::with_builtin();
    let counted = terrane_provider_aws::ApiCalls::default();
    registry.register("aws", Arc::new(Counting(counted.clone())));
    let ctx = Context::new(config, registry, &stored, "default");
    let start = Instant::now();
    let (p, _) = rt
        .block_on(plan(&ctx, Some(&stored), &PlanOptions::default(), &WalkControl::default(), &NoHooks))
        .unwrap_or_else(|d| panic!("plan failed: {d}"));
    let wall = start.elapsed();
    let calls = counted.snapshot();
    let total: u64 = calls.values().sum();
    assert!(!p.has_changes(), "the re-plan must find no changes");

    println!(
        "terrane AWS refresh benchmark against moto ({n} instances, {n} security groups, {n} subnets, {logs} log groups, 1 VPC)"
    );
    println!(
        "apply: {:.1} s; plan with refresh of {objects} objects: {:.2} s, {total} API calls",
        apply.as_secs_f64(),
        wall.as_secs_f64()
    );
    for (op, count) in &calls {
        println!("  {op:<40} {count}");
    }
    println!("calls per object: {:.3}", total as f64 / objects as f64);

    terrane(dir.path(), &["destroy", "-auto-approve", "-parallelism=20"]);
}
