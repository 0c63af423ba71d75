//! Crash-safe apply with the AWS provider on moto (127.0.0.1:5000, `tests/env/moto.sh`): an
//! apply of 34 AWS objects (a network, security groups and rules, log groups, IAM roles,
//! policies and instance profiles) is killed with SIGKILL while moto's answer to each kind of
//! call that makes an object is held back (`holding_proxy`), and at 8 seeded random points; the
//! next plan adopts what the killed run created (found by name, by the hidden token tag, or by
//! natural key), the apply after it converges, and every object exists exactly once in AWS
//! (counted with the SDK): no twin, no orphan. Each point works under its own names and is
//! destroyed at the end.

use crate::holding_proxy::HoldingProxy;
use crate::{Lcg, Work, apply_killed_after, recover_and_check};
use std::time::{Duration, Instant};

const MOTO: &str = "http://127.0.0.1:5000";

/// The 34 objects, named after `p` (unique to one kill point), made through `endpoint`.
fn config(p: &str, endpoint: &str) -> String {
    format!(
        r#"
provider "aws" {{
  region                      = "eu-west-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  endpoints {{
    ec2  = "{endpoint}"
    logs = "{endpoint}"
    iam  = "{endpoint}"
    sts  = "{endpoint}"
  }}
}}

resource "aws_vpc" "main" {{
  cidr_block           = "10.70.0.0/16"
  enable_dns_hostnames = true
  tags = {{
    Name = "{p}"
  }}
}}

resource "aws_subnet" "s" {{
  count      = 4
  vpc_id     = aws_vpc.main.id
  cidr_block = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
  tags = {{
    Name = "{p}-s${{count.index}}"
  }}
}}

resource "aws_internet_gateway" "gw" {{
  vpc_id = aws_vpc.main.id
  tags = {{
    Name = "{p}"
  }}
}}

resource "aws_route_table" "rt" {{
  vpc_id = aws_vpc.main.id
  tags = {{
    Name = "{p}"
  }}
}}

resource "aws_route" "default" {{
  route_table_id         = aws_route_table.rt.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.gw.id
}}

resource "aws_route_table_association" "a" {{
  count          = 4
  subnet_id      = aws_subnet.s[count.index].id
  route_table_id = aws_route_table.rt.id
}}

resource "aws_security_group" "sg" {{
  count  = 4
  name   = "{p}-sg${{count.index}}"
  vpc_id = aws_vpc.main.id
  tags = {{
    Name = "{p}-sg${{count.index}}"
  }}
}}

resource "aws_security_group_rule" "ssh" {{
  count             = 2
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = ["10.0.0.0/8"]
  security_group_id = aws_security_group.sg[count.index].id
}}

resource "aws_cloudwatch_log_group" "lg" {{
  count             = 8
  name              = "/{p}/app${{count.index}}"
  retention_in_days = 7
}}

resource "aws_iam_role" "r" {{
  count = 4
  name  = "{p}-r${{count.index}}"
  assume_role_policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Principal = {{ Service = "ec2.amazonaws.com" }}, Action = "sts:AssumeRole" }}]
  }})
  tags = {{
    team = "ops"
  }}
}}

resource "aws_iam_role_policy" "logs" {{
  count = 2
  name  = "logs"
  role  = aws_iam_role.r[count.index].name
  policy = jsonencode({{
    Version   = "2012-10-17"
    Statement = [{{ Effect = "Allow", Action = ["logs:PutLogEvents"], Resource = "*" }}]
  }})
}}

resource "aws_iam_instance_profile" "ip" {{
  count = 2
  name  = "{p}-ip${{count.index}}"
  role  = aws_iam_role.r[count.index].name
}}
"#
    )
}

const OBJECTS: usize = 34;

pub(crate) fn http_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls;
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
        .build_https()
}

macro_rules! moto_client {
    ($krate:ident) => {{
        let conf = $krate::config::Builder::new()
            .behavior_version($krate::config::BehaviorVersion::latest())
            .region($krate::config::Region::new("eu-west-1"))
            .endpoint_url(MOTO)
            .credentials_provider(aws_credential_types::Credentials::new("testing", "testing", None, None, "test"))
            .http_client(http_client())
            .build();
        $krate::Client::from_conf(conf)
    }};
}

/// An EC2 client on moto, for other tests' censuses.
pub(crate) fn moto_ec2() -> aws_sdk_ec2::Client {
    moto_client!(aws_sdk_ec2)
}

fn ec2_filter(name: &str, values: &[&str]) -> aws_sdk_ec2::types::Filter {
    aws_sdk_ec2::types::Filter::builder()
        .name(name)
        .set_values(Some(values.iter().map(|v| v.to_string()).collect()))
        .build()
}

/// What AWS (moto) holds of the objects named after `p`, by kind: counted behind terrane's
/// back, so a twin or an orphan shows.
async fn census(p: &str) -> Vec<(&'static str, usize)> {
    let ec2 = moto_client!(aws_sdk_ec2);
    let named = |v: &str| ec2_filter("tag:Name", &[v]);
    let vpcs = ec2.describe_vpcs().filters(named(p)).send().await.unwrap().vpcs().len();
    let subnets = ec2.describe_subnets().filters(named(&format!("{p}-s*"))).send().await.unwrap().subnets().len();
    let gws = ec2.describe_internet_gateways().filters(named(p)).send().await.unwrap().internet_gateways().len();
    let tables = ec2.describe_route_tables().filters(named(p)).send().await.unwrap();
    let routes: usize = tables
        .route_tables()
        .iter()
        .map(|t| t.routes().iter().filter(|r| r.destination_cidr_block() == Some("0.0.0.0/0")).count())
        .sum();
    let associations: usize = tables.route_tables().iter().map(|t| t.associations().len()).sum();
    let groups =
        ec2.describe_security_groups().filters(ec2_filter("group-name", &[&format!("{p}-sg*")])).send().await.unwrap();
    let rules: usize = groups
        .security_groups()
        .iter()
        .map(|g| g.ip_permissions().iter().filter(|r| r.from_port() == Some(22)).count())
        .sum();
    let logs = moto_client!(aws_sdk_cloudwatchlogs);
    let log_groups = logs.describe_log_groups().log_group_name_prefix(format!("/{p}/")).send().await.unwrap();
    let iam = moto_client!(aws_sdk_iam);
    let roles: Vec<String> = iam
        .list_roles()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.role_name().to_string())
        .filter(|n| n.starts_with(&format!("{p}-r")))
        .collect();
    let mut policies = 0;
    for r in &roles {
        policies += iam.list_role_policies().role_name(r).send().await.unwrap().policy_names().len();
    }
    let profiles = iam
        .list_instance_profiles()
        .into_paginator()
        .items()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap()
        .into_iter()
        .filter(|ip| ip.instance_profile_name().starts_with(&format!("{p}-ip")))
        .count();
    vec![
        ("vpc", vpcs),
        ("subnet", subnets),
        ("internet gateway", gws),
        ("route table", tables.route_tables().len()),
        ("route", routes),
        ("route table association", associations),
        ("security group", groups.security_groups().len()),
        ("security group rule", rules),
        ("log group", log_groups.log_groups().len()),
        ("iam role", roles.len()),
        ("iam role policy", policies),
        ("instance profile", profiles),
    ]
}

/// [`census`] from the shared, synchronous recovery checks, on this test's runtime.
fn census_now(p: &str) -> Vec<(&'static str, usize)> {
    tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(census(p)))
}

fn expected() -> Vec<(&'static str, usize)> {
    vec![
        ("vpc", 1),
        ("subnet", 4),
        ("internet gateway", 1),
        ("route table", 1),
        ("route", 1),
        ("route table association", 4),
        ("security group", 4),
        ("security group rule", 2),
        ("log group", 8),
        ("iam role", 4),
        ("iam role policy", 2),
        ("instance profile", 2),
    ]
}

fn work(p: &str, endpoint: &str) -> Work {
    assert!(
        std::net::TcpStream::connect("127.0.0.1:5000").is_ok(),
        "moto is not running on 127.0.0.1:5000: run the tests through tests/run.sh (or tests/env/moto.sh first)"
    );
    Work::new(&config(p, endpoint)).with_env("TERRANE_AWS_POLL_MS", "50")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_an_aws_apply_leaves_no_twin_and_converges() {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let run = format!("tcrash{}-{}", std::process::id(), nanos % 100_000);
    assert_eq!(expected().iter().map(|(_, n)| n).sum::<usize>(), OBJECTS);

    // How long an uninterrupted apply takes, to spread the kill points over it.
    let p0 = format!("{run}-ref");
    let reference = work(&p0, MOTO);
    let started = Instant::now();
    reference.ok(&["apply", "-auto-approve"]);
    let full = started.elapsed();
    assert_eq!(census(&p0).await, expected());
    assert_eq!(reference.addresses().len(), OBJECTS);
    reference.ok(&["destroy", "-auto-approve"]);

    // Every call that makes an object, interrupted at its worst moment: moto has made it, the
    // answer is held back, and terrane is killed before it hears of it. The next plan must
    // adopt it (by the hidden token tag, by name, or by natural key), for each kind.
    let proxy = HoldingProxy::start("127.0.0.1:5000");
    for action in [
        "CreateVpc",
        "CreateSubnet",
        "CreateInternetGateway",
        "AttachInternetGateway",
        "CreateRouteTable",
        "CreateRoute",
        "AssociateRouteTable",
        "CreateSecurityGroup",
        "AuthorizeSecurityGroupIngress",
        "CreateLogGroup",
        "CreateRole",
        "PutRolePolicy",
        "CreateInstanceProfile",
        "AddRoleToInstanceProfile",
    ] {
        let p = format!("{run}-{}", action.to_lowercase());
        let w = work(&p, &proxy.url);
        proxy.apply_killed_while_held(&w, action);
        let what = format!("killed while the answer to {action} was held");
        recover_and_check(&w, &what, 1, &expected(), || census_now(&p));
    }

    // And at seeded random moments, wherever they fall.
    let mut rng = Lcg(0xa75_5eed);
    let mut adopted_total = 0;
    let points = 8;
    for point in 0..points {
        let p = format!("{run}-{point}");
        let w = work(&p, MOTO);
        let delay = Duration::from_millis(rng.below(full.as_millis() as u64));
        apply_killed_after(&w, delay);
        adopted_total +=
            recover_and_check(&w, &format!("point {point} ({delay:?})"), 0, &expected(), || census_now(&p));
    }
    eprintln!("{points} kill points over a {full:?} apply; {adopted_total} objects adopted");
}
