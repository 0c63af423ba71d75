//! Faults from the AWS APIs, injected by a proxy in front of moto (support/fault_proxy.rs):
//! every call kind (create, read, modify, tag, delete) failing once is retried and succeeds;
//! failing always ends in one clear line (what, which object, the cause, the API operation and
//! the attempts) within bounded time; a hung attempt times out and is retried; a partial
//! failure keeps every success in the state (an S3 backend), and the next apply converges
//! without duplicates; a create whose answer was lost says which attempt failed.

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};
use support::fault_proxy::{Fault, FaultProxy};
use support::{Harness, actions, provider_block_at, unique};
use terrane_engine::plan::Action;
use terrane_engine::plan::planner::PlanOptions;
use terrane_engine::state::State;

/// One attempt may take this long in these tests; a hang lasts longer.
const ATTEMPT: Duration = Duration::from_secs(3);
const HANG: Duration = Duration::from_secs(8);

/// A proxy and a harness whose provider sends everything through it.
async fn proxied(extra: &str) -> (FaultProxy, Harness) {
    let proxy = FaultProxy::start().await;
    let mut h = Harness::new();
    h.provider = provider_block_at(&proxy.url, extra);
    h.timings.attempt_timeout = ATTEMPT;
    (proxy, h)
}

/// Plans and applies; returns the errors (rendered) and the state written.
async fn try_apply(h: &Harness, src: &str) -> (String, State) {
    let (ctx, p) = h.try_plan(src, &PlanOptions::default()).await.unwrap_or_else(|d| panic!("plan failed:\n{d}"));
    let (out, state) = h.apply_plan(&ctx, &p).await;
    (out.diags.to_string(), state)
}

struct Platform<'a> {
    tag: &'a str,
    stage: &'a str,
    public: bool,
    subnet_tags: &'a str,
    port: u16,
    days: u32,
    backups: u32,
}

fn platform(p: &Platform) -> String {
    let Platform { tag, stage, public, subnet_tags, port, days, backups } = p;
    format!(
        r#"
resource "aws_vpc" "main" {{
  cidr_block = "10.61.0.0/16"
  tags = {{
    Name  = "{tag}"
    stage = "{stage}"
  }}
}}

resource "aws_subnet" "a" {{
  vpc_id                  = aws_vpc.main.id
  cidr_block              = "10.61.1.0/24"
  availability_zone       = "eu-west-1a"
  map_public_ip_on_launch = {public}
  tags                    = {subnet_tags}
}}

resource "aws_subnet" "b" {{
  vpc_id            = aws_vpc.main.id
  cidr_block        = "10.61.2.0/24"
  availability_zone = "eu-west-1b"
  tags = {{
    Name = "{tag}-b"
  }}
}}

resource "aws_security_group" "web" {{
  name   = "{tag}-web"
  vpc_id = aws_vpc.main.id
  ingress {{
    from_port   = {port}
    to_port     = {port}
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }}
}}

resource "aws_cloudwatch_log_group" "app" {{
  name              = "/{tag}/app"
  retention_in_days = {days}
  tags = {{
    stage = "{stage}"
  }}
}}

resource "aws_elasticache_subnet_group" "cache" {{
  name       = "{tag}-cache"
  subnet_ids = [aws_subnet.a.id, aws_subnet.b.id]
  tags = {{
    stage = "{stage}"
  }}
}}

resource "aws_db_subnet_group" "db" {{
  name       = "{tag}-db"
  subnet_ids = [aws_subnet.a.id, aws_subnet.b.id]
  tags = {{
    stage = "{stage}"
  }}
}}

resource "aws_db_instance" "db" {{
  identifier              = "{tag}-db"
  engine                  = "postgres"
  engine_version          = "16.3"
  instance_class          = "db.t3.micro"
  allocated_storage       = 20
  username                = "app"
  password                = "S3cret-Passw0rd"
  db_subnet_group_name    = aws_db_subnet_group.db.name
  backup_retention_period = {backups}
  apply_immediately       = true
  skip_final_snapshot     = true
}}
"#
    )
}

/// Asserts that every injected fault fired and that each faulted action was sent again.
fn assert_retried(proxy: &FaultProxy, faulted: &[&str]) {
    proxy.all_fired().unwrap();
    for a in faulted {
        let (faults, sent) = (proxy.faults(a), proxy.count(a));
        assert!(faults >= 1 && sent > faults, "{a}: {faults} faults, {sent} requests: {:?}", proxy.counts());
    }
    proxy.clear();
}

#[tokio::test]
async fn each_call_kind_failing_once_is_retried() {
    let (proxy, h) = proxied("").await;
    let tag = unique("faults");
    let first = Platform {
        tag: &tag,
        stage: "one",
        public: false,
        subnet_tags: &format!("{{ Name = \"{tag}-a\", old = \"yes\" }}"),
        port: 80,
        days: 7,
        backups: 7,
    };
    let src = platform(&first);

    // Creates, and the reads that follow them.
    let create = [
        ("CreateVpc", Fault::Status(500)),
        ("CreateSubnet", Fault::Status(503)),
        ("CreateSecurityGroup", Fault::Throttle),
        ("AuthorizeSecurityGroupIngress", Fault::Drop),
        ("CreateLogGroup", Fault::Throttle),
        ("PutRetentionPolicy", Fault::Hang(HANG)),
        ("CreateCacheSubnetGroup", Fault::Throttle),
        ("CreateDBSubnetGroup", Fault::Status(500)),
        ("CreateDBInstance", Fault::Status(503)),
        ("DescribeSecurityGroups", Fault::Status(503)),
        ("DescribeLogGroups", Fault::Drop),
        ("DescribeCacheSubnetGroups", Fault::Throttle),
    ];
    for (a, f) in create {
        proxy.once(a, f);
    }
    let state = h.apply(&src).await;
    assert_retried(&proxy, &create.map(|(a, _)| a));
    assert_eq!(h.attr(&state, "aws_cloudwatch_log_group.app", "retention_in_days"), 7i64.into());

    // Refresh.
    let read = [
        ("DescribeVpcs", Fault::Status(503)),
        ("DescribeSubnets", Fault::Throttle),
        ("DescribeDBSubnetGroups", Fault::Status(500)),
        ("DescribeDBInstances", Fault::Throttle),
        ("logs:ListTagsForResource", Fault::Drop),
        ("elasticache:ListTagsForResource", Fault::LoseResponse),
    ];
    for (a, f) in read {
        proxy.once(a, f);
    }
    support::assert_no_changes(&h.plan(&src).await);
    assert_retried(&proxy, &read.map(|(a, _)| a));

    // Modifications and tagging, in place. Idempotent calls survive a lost answer too.
    let second = Platform {
        stage: "two",
        public: true,
        subnet_tags: &format!("{{ Name = \"{tag}-a\" }}"),
        port: 443,
        days: 14,
        backups: 3,
        ..first
    };
    let src = platform(&second);
    let p = h.plan(&src).await;
    assert!(actions(&p).iter().all(|(_, a)| *a == Action::Update), "{:?}", actions(&p));
    let update = [
        ("CreateTags", Fault::Throttle),
        ("DeleteTags", Fault::Status(503)),
        ("ModifySubnetAttribute", Fault::LoseResponse),
        ("RevokeSecurityGroupIngress", Fault::Status(500)),
        ("PutRetentionPolicy", Fault::LoseResponse),
        ("TagResource", Fault::Throttle),
        ("ModifyDBInstance", Fault::Throttle),
        ("elasticache:AddTagsToResource", Fault::Drop),
        ("rds:AddTagsToResource", Fault::Status(500)),
    ];
    for (a, f) in update {
        proxy.once(a, f);
    }
    let state = h.apply(&src).await;
    assert_retried(&proxy, &update.map(|(a, _)| a));
    assert_eq!(h.attr(&state, "aws_cloudwatch_log_group.app", "retention_in_days"), 14i64.into());
    assert_eq!(h.attr(&state, "aws_subnet.a", "map_public_ip_on_launch"), true.into());
    support::assert_no_changes(&h.plan(&src).await);

    // Deletes.
    let delete = [
        ("DeleteDBInstance", Fault::Status(503)),
        ("DeleteDBSubnetGroup", Fault::Status(500)),
        ("DeleteCacheSubnetGroup", Fault::Throttle),
        ("DeleteSecurityGroup", Fault::Throttle),
        ("DeleteSubnet", Fault::Status(503)),
        ("DeleteVpc", Fault::Drop),
        ("DeleteLogGroup", Fault::LoseResponse),
    ];
    for (a, f) in delete {
        proxy.once(a, f);
    }
    let state = h.destroy(&src).await;
    assert_retried(&proxy, &delete.map(|(a, _)| a));
    assert_eq!(state.instances().count(), 0);
    let vpcs = support::ec2()
        .await
        .describe_vpcs()
        .filters(aws_sdk_ec2::types::Filter::builder().name("tag:Name").values(&tag).build())
        .send()
        .await
        .unwrap();
    assert!(vpcs.vpcs().is_empty(), "the VPC is gone");
}

/// Asserts that an apply failed with one clear line naming the operation, the object, the
/// cause, the API call and its attempts, sending the call exactly `attempts` times, in bounded
/// time.
fn assert_gave_up(errors: &str, expected: &[&str], proxy: &FaultProxy, action: &str, started: Instant) {
    eprintln!("{action} failing always, after {:?}:\n{errors}", started.elapsed());
    for e in expected {
        assert!(errors.contains(e), "expected {e:?} in:\n{errors}");
    }
    assert_eq!(proxy.count(action), 3, "{action} sent once and retried twice: {:?}", proxy.counts());
    proxy.all_fired().unwrap();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(40), "gave up after {took:?}");
    proxy.clear();
}

#[tokio::test]
async fn each_call_kind_failing_always_ends_in_a_clear_error_in_bounded_time() {
    let (proxy, h) = proxied("max_retries = 3").await;
    let tag = unique("faults-always");
    let first = Platform {
        tag: &tag,
        stage: "one",
        public: false,
        subnet_tags: &format!("{{ Name = \"{tag}-a\" }}"),
        port: 80,
        days: 7,
        backups: 7,
    };
    let src = platform(&first);

    // Create: throttled every time.
    proxy.reset();
    proxy.always("CreateSecurityGroup", Fault::Throttle);
    let started = Instant::now();
    let (errors, state) = try_apply(&h, &src).await;
    assert_gave_up(
        &errors,
        &[
            "Error creating aws_security_group.web",
            &format!(
                "creating security group {tag}-web: RequestLimitExceeded: Request limit exceeded. (EC2 CreateSecurityGroup, gave up after 3 attempts)"
            ),
        ],
        &proxy,
        "CreateSecurityGroup",
        started,
    );
    assert_eq!(state.instances().count(), 7, "the other objects were created");
    let state = h.apply(&src).await;
    assert_eq!(state.instances().count(), 8);

    // Read: every refresh of the log group answered 503.
    proxy.reset();
    proxy.always("DescribeLogGroups", Fault::Status(503));
    let started = Instant::now();
    let errors = match h.try_plan(&src, &PlanOptions::default()).await {
        Ok(_) => panic!("the refresh must fail"),
        Err(d) => d.to_string(),
    };
    assert_gave_up(
        &errors,
        &[
            "aws_cloudwatch_log_group.app",
            "reading log groups: ServiceUnavailable: Service is unavailable (CloudWatch Logs DescribeLogGroups, gave up after 3 attempts)",
        ],
        &proxy,
        "DescribeLogGroups",
        started,
    );

    // Modify: the connection dropped every time.
    proxy.reset();
    let second = Platform { public: true, ..first };
    proxy.always("ModifySubnetAttribute", Fault::Drop);
    let started = Instant::now();
    let (errors, _) = try_apply(&h, &platform(&second)).await;
    assert_gave_up(
        &errors,
        &[
            "Error updating aws_subnet.a",
            "the connection failed",
            "(EC2 ModifySubnetAttribute, gave up after 3 attempts)",
        ],
        &proxy,
        "ModifySubnetAttribute",
        started,
    );

    // Tagging: every attempt hangs past the attempt timeout.
    proxy.reset();
    let third = Platform { stage: "two", ..second };
    proxy.always("CreateTags", Fault::Hang(HANG));
    let started = Instant::now();
    let (errors, _) = try_apply(&h, &platform(&third)).await;
    assert_gave_up(
        &errors,
        &[
            "Error updating aws_vpc.main",
            "no answer within 3s (the time one attempt may take) (EC2 CreateTags, gave up after 3 attempts)",
        ],
        &proxy,
        "CreateTags",
        started,
    );

    // Delete: an internal error every time.
    proxy.reset();
    proxy.always("DeleteCacheSubnetGroup", Fault::Status(500));
    let started = Instant::now();
    let opts = PlanOptions { mode: terrane_engine::plan::PlanMode::Destroy, ..PlanOptions::default() };
    let (ctx, p) = h.try_plan(&platform(&third), &opts).await.unwrap();
    let (out, state) = h.apply_plan(&ctx, &p).await;
    assert_gave_up(
        &out.diags.to_string(),
        &[
            "Error deleting aws_elasticache_subnet_group.cache",
            &format!(
                "deleting ElastiCache subnet group {tag}-cache: InternalFailure: Internal failure (injected) (ElastiCache DeleteCacheSubnetGroup, gave up after 3 attempts)"
            ),
        ],
        &proxy,
        "DeleteCacheSubnetGroup",
        started,
    );
    assert!(state.instances().count() > 0, "what could not be deleted stays in the state");

    // Without faults, everything converges and goes.
    h.apply(&platform(&third)).await;
    support::assert_no_changes(&h.plan(&platform(&third)).await);
    assert_eq!(h.destroy(&platform(&third)).await.instances().count(), 0);
}

#[tokio::test]
async fn a_hung_attempt_times_out_and_the_retry_succeeds() {
    let (proxy, h) = proxied("").await;
    let tag = unique("faults-hang");
    let src = format!(
        r#"
resource "aws_cloudwatch_log_group" "app" {{
  name = "/{tag}/app"
}}
"#
    );
    h.apply(&src).await;
    let before = proxy.count("DescribeLogGroups");
    proxy.once("DescribeLogGroups", Fault::Hang(HANG));
    let started = Instant::now();
    support::assert_no_changes(&h.plan(&src).await);
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(3), "the attempt waited for its timeout: {took:?}");
    assert!(took < HANG, "the retry did not wait for the hung attempt: {took:?}");
    assert_eq!(proxy.count("DescribeLogGroups") - before, 2, "one hung attempt, one retry");
    h.destroy(&src).await;
}

#[tokio::test]
async fn a_partial_failure_keeps_every_success_and_the_next_apply_converges() {
    let (proxy, _) = proxied("").await;
    let bucket = unique("faults-state").to_lowercase();
    support::new_bucket(&bucket).await;
    let backend =
        Arc::new(terrane_provider_aws::S3Backend::new(support::s3_backend_settings(&bucket, support::MOTO, &[])));
    let mut h = Harness::with(provider_block_at(&proxy.url, "max_retries = 3"), backend.clone());
    h.timings.attempt_timeout = ATTEMPT;
    let tag = unique("faults-partial");
    let src = platform(&Platform {
        tag: &tag,
        stage: "one",
        public: false,
        subnet_tags: &format!("{{ Name = \"{tag}-a\" }}"),
        port: 80,
        days: 7,
        backups: 7,
    });

    // The security group cannot be created; the log group is created but its retention cannot
    // be set.
    proxy.always("CreateSecurityGroup", Fault::Status(500));
    proxy.always("PutRetentionPolicy", Fault::Throttle);
    let (errors, _) = try_apply(&h, &src).await;
    assert!(errors.contains("Error creating aws_security_group.web"), "{errors}");
    assert!(errors.contains("Error creating aws_cloudwatch_log_group.app"), "{errors}");
    proxy.clear();

    // What was made is in the S3 state: the created objects, the half-made log group tainted.
    let stored = h.state().await;
    let addrs: Vec<String> = stored.instances().map(|(a, k, _)| format!("{a}{k}")).collect();
    for a in
        ["aws_vpc.main", "aws_subnet.a", "aws_subnet.b", "aws_elasticache_subnet_group.cache", "aws_db_subnet_group.db"]
    {
        assert!(addrs.contains(&a.to_string()), "{a} in {addrs:?}");
    }
    assert!(!addrs.contains(&"aws_security_group.web".to_string()), "{addrs:?}");
    let log_group = stored.instances().find(|(a, _, _)| a.to_string() == "aws_cloudwatch_log_group.app");
    assert!(
        log_group.is_some_and(|(_, _, o)| o.status == terrane_engine::state::ObjectStatus::Tainted),
        "the half-made log group is kept, tainted"
    );

    // The next plan continues from there, and the apply converges.
    let p = h.plan(&src).await;
    let mut acts = actions(&p);
    acts.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        acts,
        vec![
            ("aws_cloudwatch_log_group.app".to_string(), Action::DeleteThenCreate),
            ("aws_security_group.web".to_string(), Action::Create),
        ]
    );
    h.apply(&src).await;
    support::assert_no_changes(&h.plan(&src).await);

    // One of each in AWS: nothing was made twice.
    let ec2 = support::ec2().await;
    let by = |name: &str, value: &str| aws_sdk_ec2::types::Filter::builder().name(name).values(value).build();
    let vpcs = ec2.describe_vpcs().filters(by("tag:Name", &tag)).send().await.unwrap();
    assert_eq!(vpcs.vpcs().len(), 1);
    let vpc = vpcs.vpcs()[0].vpc_id().unwrap().to_string();
    let subnets = ec2.describe_subnets().filters(by("vpc-id", &vpc)).send().await.unwrap();
    assert_eq!(subnets.subnets().len(), 2);
    let groups = ec2.describe_security_groups().filters(by("group-name", &format!("{tag}-web"))).send().await.unwrap();
    assert_eq!(groups.security_groups().len(), 1);
    let logs =
        support::logs().await.describe_log_groups().log_group_name_prefix(format!("/{tag}/")).send().await.unwrap();
    assert_eq!(logs.log_groups().len(), 1);
    assert_eq!(logs.log_groups()[0].retention_in_days(), Some(7));

    assert_eq!(h.destroy(&src).await.instances().count(), 0);
}

/// A create whose answer was lost is retried and then finds its own object: the error says the
/// retry failed on attempt 2 (not that it gave up), and the object is there for an import.
/// (Creates are not made idempotent here except `aws_instance`'s, by a creation-token tag.)
#[tokio::test]
async fn a_create_whose_answer_was_lost_says_which_attempt_failed() {
    let (proxy, h) = proxied("max_retries = 3").await;
    let tag = unique("faults-lost");
    let src = format!(
        r#"
resource "aws_cloudwatch_log_group" "app" {{
  name = "/{tag}/app"
}}
"#
    );
    proxy.once("CreateLogGroup", Fault::LoseResponse);
    let (errors, _) = try_apply(&h, &src).await;
    let expected = format!(
        "creating log group /{tag}/app: ResourceAlreadyExistsException: The specified log group already exists (CloudWatch Logs CreateLogGroup, failed on attempt 2 of 3)"
    );
    assert!(errors.contains(&expected), "{errors}");
    let logs = support::logs().await;
    logs.delete_log_group().log_group_name(format!("/{tag}/app")).send().await.unwrap();
}
