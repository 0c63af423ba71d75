//! VPC, subnets, security groups and log groups against moto: create, re-plan clean, update in
//! place, replace, drift, import, destroy to nothing.

mod support;

use support::{Harness, actions, ec2, logs, unique};
use terrane_engine::plan::Action;
use terrane_engine::value::Value;

fn network(cidr: &str, tag: &str, dns_hostnames: bool) -> String {
    let sg_name = tag.trim_end_matches("-b");
    format!(
        r#"
resource "aws_vpc" "main" {{
  cidr_block           = "{cidr}"
  enable_dns_hostnames = {dns_hostnames}
  tags = {{
    Name = "{tag}"
  }}
}}

resource "aws_subnet" "public" {{
  count                   = 3
  vpc_id                  = aws_vpc.main.id
  cidr_block              = cidrsubnet(aws_vpc.main.cidr_block, 2, count.index)
  availability_zone       = ["eu-west-1a", "eu-west-1b", "eu-west-1c"][count.index]
  map_public_ip_on_launch = true
  tags = {{
    Name = "{tag}-${{count.index}}"
  }}
}}

resource "aws_security_group" "cluster" {{
  name        = "{sg_name}-cluster"
  description = "swarm cluster"
  vpc_id      = aws_vpc.main.id

  ingress {{
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}
  ingress {{
    from_port = 0
    to_port   = 0
    protocol  = "-1"
    self      = true
  }}
  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "all"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}
"#
    )
}

#[tokio::test]
async fn vpc_subnets_and_security_group_lifecycle() {
    let h = Harness::new();
    let tag = unique("net");
    let src = network("172.16.12.0/22", &tag, true);
    let p = h.plan(&src).await;
    assert_eq!(actions(&p).len(), 5);
    let state = h.apply(&src).await;

    let vpc_id = h.str_attr(&state, "aws_vpc.main", "id");
    assert!(vpc_id.starts_with("vpc-"), "{vpc_id}");
    assert_eq!(h.attr(&state, "aws_vpc.main", "enable_dns_hostnames"), Value::Bool(true));
    assert_eq!(h.str_attr(&state, "aws_subnet.public[2]", "cidr_block"), "172.16.14.0/24");
    assert_eq!(h.attr(&state, "aws_subnet.public[0]", "map_public_ip_on_launch"), Value::Bool(true));
    let sg = h.value(&state, "aws_security_group.cluster");
    assert_eq!(sg.get_attr("ingress").and_then(Value::as_seq).map(<[Value]>::len), Some(2));
    assert_eq!(sg.get_attr("egress").and_then(Value::as_seq).map(<[Value]>::len), Some(1));

    // What AWS holds matches.
    let client = ec2().await;
    let vpcs = client.describe_vpcs().vpc_ids(&vpc_id).send().await.unwrap();
    assert_eq!(vpcs.vpcs()[0].cidr_block(), Some("172.16.12.0/22"));

    support::assert_no_changes(&h.plan(&src).await);

    // In place: a tag and an attribute.
    let updated = network("172.16.12.0/22", &format!("{tag}-b"), false);
    let p = h.plan(&updated).await;
    let acts = actions(&p);
    assert!(acts.contains(&("aws_vpc.main".into(), Action::Update)), "{acts:?}");
    assert!(acts.iter().all(|(_, a)| *a == Action::Update), "{acts:?}");
    let state = h.apply(&updated).await;
    assert_eq!(h.attr(&state, "aws_vpc.main", "enable_dns_hostnames"), Value::Bool(false));
    support::assert_no_changes(&h.plan(&updated).await);

    // A rule change updates the group in place.
    let more = updated.replace("from_port   = 22\n    to_port     = 22", "from_port   = 2222\n    to_port     = 2222");
    let p = h.plan(&more).await;
    assert_eq!(actions(&p), vec![("aws_security_group.cluster".to_string(), Action::Update)]);
    let state = h.apply(&more).await;
    let ingress = h.attr(&state, "aws_security_group.cluster", "ingress");
    assert!(ingress.as_seq().unwrap().iter().any(|r| r.get_attr("from_port") == Some(&Value::from(2222i64))));
    support::assert_no_changes(&h.plan(&more).await);

    // Drift: a tag changed and a subnet deleted through the API.
    client
        .create_tags()
        .resources(&vpc_id)
        .tags(aws_sdk_ec2::types::Tag::builder().key("Name").value("renamed").build())
        .send()
        .await
        .unwrap();
    let subnet2 = h.str_attr(&state, "aws_subnet.public[2]", "id");
    client.delete_subnet().subnet_id(&subnet2).send().await.unwrap();
    let p = h.plan(&more).await;
    let drift: Vec<(String, Action)> = p.drift.iter().map(|c| (c.addr.to_string(), c.action)).collect();
    assert!(drift.contains(&("aws_subnet.public[2]".into(), Action::Delete)), "{drift:?}");
    assert!(drift.contains(&("aws_vpc.main".into(), Action::Update)), "{drift:?}");
    let acts = actions(&p);
    assert!(acts.contains(&("aws_subnet.public[2]".into(), Action::Create)), "{acts:?}");
    assert!(acts.contains(&("aws_vpc.main".into(), Action::Update)), "{acts:?}");
    h.apply(&more).await;

    // A new CIDR block replaces the VPC (and so everything in it).
    let moved = more.replace("172.16.12.0/22", "172.16.16.0/22");
    let p = h.plan(&moved).await;
    let vpc_change = p.changes.iter().find(|c| c.addr.to_string() == "aws_vpc.main").unwrap();
    assert_eq!(vpc_change.action, Action::DeleteThenCreate);
    assert_eq!(vpc_change.replace_paths, vec![vec![terrane_engine::value::PathStep::Attr("cidr_block".into())]]);

    // Destroy leaves nothing.
    let state = h.destroy(&more).await;
    assert!(state.resources.is_empty());
    let left = client
        .describe_vpcs()
        .filters(aws_sdk_ec2::types::Filter::builder().name("vpc-id").values(&vpc_id).build())
        .send()
        .await
        .unwrap();
    assert!(left.vpcs().is_empty(), "the VPC is gone");
}

#[tokio::test]
async fn import_reproduces_the_state() {
    let h = Harness::new();
    let tag = unique("imp");
    let src = network("10.20.0.0/16", &tag, true);
    let state = h.apply(&src).await;
    let provider = h.provider(&src).await;
    for addr in ["aws_vpc.main", "aws_subnet.public[1]", "aws_security_group.cluster"] {
        let stored = h.value(&state, addr);
        let id = stored.get_attr("id").unwrap().as_str().unwrap().to_string();
        let type_name = addr.split('.').next().unwrap();
        let imported = provider.import(type_name, &id).await.unwrap();
        for k in ["id", "arn", "cidr_block", "vpc_id", "tags", "tags_all", "ingress", "egress", "name"] {
            assert_eq!(imported.get_attr(k), stored.get_attr(k), "{addr}.{k} differs after import");
        }
    }
    h.destroy(&src).await;
}

fn log_group(name: &str, days: i64) -> String {
    format!(
        r#"
resource "aws_cloudwatch_log_group" "app" {{
  name              = "{name}"
  retention_in_days = {days}
  tags = {{
    app = "web"
  }}
}}
"#
    )
}

#[tokio::test]
async fn log_group_lifecycle_and_drift() {
    let h = Harness::new();
    let name = format!("/{}/web", unique("tag"));
    let src = log_group(&name, 14);
    let state = h.apply(&src).await;
    assert_eq!(h.attr(&state, "aws_cloudwatch_log_group.app", "retention_in_days"), Value::from(14i64));
    assert!(h.str_attr(&state, "aws_cloudwatch_log_group.app", "arn").contains(&name));
    support::assert_no_changes(&h.plan(&src).await);

    let p = h.plan(&log_group(&name, 30)).await;
    assert_eq!(actions(&p), vec![("aws_cloudwatch_log_group.app".to_string(), Action::Update)]);
    h.apply(&log_group(&name, 30)).await;

    // Retention changed through the API shows as drift and is planned back.
    logs().await.put_retention_policy().log_group_name(&name).retention_in_days(7).send().await.unwrap();
    let p = h.plan(&log_group(&name, 30)).await;
    assert_eq!(p.drift.len(), 1);
    assert_eq!(actions(&p), vec![("aws_cloudwatch_log_group.app".to_string(), Action::Update)]);

    let renamed = log_group(&format!("{name}-2"), 30);
    let p = h.plan(&renamed).await;
    assert_eq!(p.changes.iter().find(|c| c.action != Action::NoOp).unwrap().action, Action::DeleteThenCreate);

    h.destroy(&src).await;
    let left = logs().await.describe_log_groups().log_group_name_prefix(&name).send().await.unwrap();
    assert!(left.log_groups().is_empty());
}

#[tokio::test]
async fn invalid_retention_is_refused_at_plan_time() {
    let h = Harness::new();
    let Err(d) = h.try_plan(&log_group("/x/y", 10), &Default::default()).await else { panic!("must fail") };
    assert!(d.iter().any(|d| d.summary == "Invalid retention_in_days"), "{d}");
}

#[tokio::test]
async fn plan_from_empty_state_makes_no_api_call() {
    // No moto needed: a closed endpoint would fail any call.
    let src = r#"
provider "aws" {
  region = "eu-west-1"
  endpoints {
    ec2 = "http://127.0.0.1:9"
    sts = "http://127.0.0.1:9"
  }
}
resource "aws_vpc" "v" {
  cidr_block = "10.0.0.0/16"
}
"#;
    let (config, d) = terrane_engine::config::load_sources(vec![("main.tf".into(), src.into())]);
    assert!(!d.has_errors());
    let mut reg = terrane_engine::provider::ProviderRegistry::with_builtin();
    reg.register("aws", std::sync::Arc::new(terrane_provider_aws::AwsFactory));
    let state = terrane_engine::state::State::new();
    let ctx = terrane_engine::context::Context::new(config, reg, &state, "default");
    let (p, _) = terrane_engine::plan::planner::plan(
        &ctx,
        None,
        &Default::default(),
        &Default::default(),
        &terrane_engine::hooks::NoHooks,
    )
    .await
    .unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(actions(&p), vec![("aws_vpc.v".to_string(), Action::Create)]);
}
