//! Crash-safe creates against moto, resource type by resource type. Each create is made as an
//! apply makes it after a kill -9: recorded in the state as pending, with its idempotency
//! token, before the call; made with that token; its result never recorded. Then:
//! - the next plan finds the object the create made (the same ID) and adopts it, planning no
//!   change: the hidden `terrane:create-token` tag shows in neither `tags` nor `tags_all`;
//! - the apply of that plan leaves nothing pending, takes the token tag off the object (it has
//!   done its work once the state records the object), and the plan after it is clean;
//! - looking with another token (or for another name or key) finds nothing, so an object is
//!   adopted only by the create that made it;
//! - behind terrane's back (the SDK), the object exists exactly once.

mod support;

use std::sync::Arc;
use support::{Harness, actions, unique};
use terrane_engine::addr::parse_instance;
use terrane_engine::plan::Action;
use terrane_engine::provider::Provider;
use terrane_engine::state::{PendingCreate, State, StateBackend};
use terrane_engine::value::{PathStep, Value};

const TOKEN_TAG: &str = "terrane:create-token";

/// How a resource type finds what a create made (see each type's `find_created`).
#[derive(Clone, Copy, Debug)]
enum By {
    /// The token tag given at creation: another token finds nothing.
    Tag,
    /// Its name (the attribute), with the token tag checked when the create could tag it:
    /// another name finds nothing; so does another token when the type is tagged.
    Name(&'static str, Tagged),
    /// Its natural key: the same object whatever the token; changing this attribute to this
    /// value finds nothing.
    Key(&'static str, &'static str),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Tagged {
    Yes,
    No,
}

fn token() -> String {
    format!("terrane-{:032x}", rand::random::<u128>())
}

fn id_of(v: &Value) -> String {
    v.get_attr("id").and_then(Value::as_str).unwrap_or_default().to_string()
}

/// What a killed apply leaves: a create recorded as pending and made, its result lost.
struct Crashed {
    addr: String,
    type_name: String,
    token: String,
    /// As the state records it: unknown values null.
    planned: Value,
    created: Value,
}

async fn crash_during_create(h: &Harness, p: &dyn Provider, src: &str, addr: &str) -> Crashed {
    let plan = h.plan(src).await;
    let c =
        plan.changes.iter().find(|c| c.addr.to_string() == addr).unwrap_or_else(|| panic!("{addr} is not in the plan"));
    assert_eq!(c.action, Action::Create, "{addr}");
    let token = token();
    let planned = c.after.clone().deep_unmark().unknowns_to_null();
    // Recorded before the create starts, as the apply records it.
    let mut state = h.backend.read("default").await.unwrap().unwrap_or_else(State::new);
    state.pending.insert(
        c.addr.clone(),
        PendingCreate {
            addr: c.addr.clone(),
            provider: c.provider.clone(),
            provider_address: c.provider_address.clone(),
            token: token.clone(),
            planned: planned.to_json(),
        },
    );
    h.backend.write("default", &state).await.unwrap();
    let type_name = c.addr.resource.type_name.clone();
    let created = p
        .create_with_token(&type_name, c.after.clone(), &token)
        .await
        .unwrap_or_else(|e| panic!("creating {addr}: {}", e.message));
    assert!(!id_of(&created).is_empty(), "{addr}: created without an ID");
    Crashed { addr: addr.to_string(), type_name, token, planned, created }
}

/// The next plan adopts what the create made and plans nothing else; its apply settles it.
async fn adopt(h: &Harness, src: &str, crashed: &Crashed) -> Value {
    let addr = parse_instance(&crashed.addr).unwrap();
    let (ctx, p) = h.try_plan(src, &Default::default()).await.unwrap_or_else(|d| panic!("plan failed:\n{d}"));
    assert!(p.was_adopted(&addr), "{}: not adopted", crashed.addr);
    let rendered = terrane_engine::plan::render::text::render_plan(&p, &|_| None, false);
    assert!(actions(&p).is_empty(), "{}: adopted, but the plan changes more:\n{rendered}", crashed.addr);
    assert!(rendered.contains("will be adopted"), "{rendered}");
    let adopted = h.value(&p.prior_state, &crashed.addr);
    assert_eq!(id_of(&adopted), id_of(&crashed.created), "{}: adopted another object", crashed.addr);
    for k in ["tags", "tags_all"] {
        if let Some(m) = adopted.get_attr(k).and_then(Value::as_map) {
            assert!(!m.contains_key(TOKEN_TAG), "{}.{k} shows the token tag", crashed.addr);
        }
    }
    let (out, state) = h.apply_plan(&ctx, &p).await;
    assert!(!out.diags.has_errors(), "{}: {}", crashed.addr, out.diags);
    assert!(state.pending.is_empty(), "{}: pending creates left", crashed.addr);
    let stored = h.backend.read("default").await.unwrap().unwrap();
    assert!(stored.pending.is_empty(), "{}: pending creates left in the stored state", crashed.addr);
    assert_eq!(id_of(&h.value(&stored, &crashed.addr)), id_of(&crashed.created));
    support::assert_no_changes(&h.plan(src).await);
    adopted
}

/// Looking with another token, or for another name or key, finds nothing.
async fn misses(p: &dyn Provider, crashed: &Crashed, by: By) {
    let find = |planned: Value, token: String| {
        let type_name = crashed.type_name.clone();
        async move { p.find_created(&type_name, planned, &token).await.unwrap_or_else(|e| panic!("{}", e.message)) }
    };
    let same = find(crashed.planned.clone(), crashed.token.clone()).await;
    assert_eq!(same.as_ref().map(id_of), Some(id_of(&crashed.created)), "{}: not found again", crashed.addr);
    let other = find(crashed.planned.clone(), token()).await;
    match by {
        By::Tag | By::Name(_, Tagged::Yes) => {
            assert!(other.is_none(), "{}: found with another token", crashed.addr)
        }
        // A name made from a prefix and the token is another name for another token.
        By::Name(attr, Tagged::No) if crashed.planned.get_attr(attr).is_none_or(Value::is_null) => {
            assert!(other.is_none(), "{}: found with another token", crashed.addr)
        }
        By::Name(_, Tagged::No) => {
            assert_eq!(other.as_ref().map(id_of), Some(id_of(&crashed.created)), "{}", crashed.addr)
        }
        // The same object (a target group attachment's ID is made up, from the token).
        By::Key(..) => assert!(other.is_some(), "{}: a natural key does not depend on the token", crashed.addr),
    }
    let changed = |attr: &str, value: String| {
        let mut v = crashed.planned.clone();
        // Of the attribute's type, as the engine gives a provider its values.
        let value = match crashed.planned.get_attr(attr).and_then(Value::as_number) {
            Some(_) => Value::from(value.parse::<i64>().expect("a number")),
            None => Value::from(value),
        };
        v.set_at_path(&[PathStep::Attr(attr.into())], value);
        v
    };
    let miss = match by {
        By::Tag => None,
        By::Name(attr, _) => {
            let old = crashed.planned.get_attr(attr).and_then(Value::as_str).unwrap_or_default().to_string();
            // Keep the name's shape (a prefix such as `alias/` or `/app/`).
            let cut = old.rfind(['/', '-']).map_or(0, |i| i + 1);
            Some(changed(attr, format!("{}miss{}", &old[..cut], rand::random::<u32>())))
        }
        By::Key(attr, value) => Some(changed(attr, value.to_string())),
    };
    if let Some(planned) = miss {
        assert!(
            find(planned, crashed.token.clone()).await.is_none(),
            "{}: found under another name or key",
            crashed.addr
        );
    }
}

/// Applies `src` but `addr` (and what depends on it): a step's configuration may bring what its
/// resource needs along with it.
async fn apply_all_but(h: &Harness, src: &str, addr: &str) {
    let plan = h.plan(src).await;
    if plan.changes.iter().all(|c| c.action == Action::NoOp || c.addr.to_string() == addr) {
        return;
    }
    let opts = terrane_engine::plan::planner::PlanOptions {
        targets: plan
            .changes
            .iter()
            .filter(|c| c.action != Action::NoOp && c.addr.to_string() != addr)
            .map(|c| terrane_engine::addr::Target::Instance(c.addr.clone()))
            .collect(),
        ..Default::default()
    };
    let (ctx, p) = h.try_plan(src, &opts).await.unwrap_or_else(|d| panic!("plan failed:\n{d}"));
    let (out, _) = h.apply_plan(&ctx, &p).await;
    assert!(!out.diags.has_errors(), "{}", out.diags);
}

/// Crash-creates each step's resource in turn (each step adds to the configuration before it,
/// which `base` starts; `base` is applied first, normally); returns the adopted values.
async fn walk(h: &Harness, base: &str, steps: &[(&str, String, By)]) -> (String, Vec<Value>) {
    let mut src = base.to_string();
    if !base.trim().is_empty() {
        h.apply(&src).await;
    }
    let p = h.provider(&src).await;
    let mut adopted = Vec::new();
    for (addr, snippet, by) in steps {
        src.push_str(snippet);
        apply_all_but(h, &src, addr).await;
        let crashed = crash_during_create(h, p.as_ref(), &src, addr).await;
        // Before the adopting apply, which takes the token tag off what it adopted.
        misses(p.as_ref(), &crashed, *by).await;
        adopted.push(adopt(h, &src, &crashed).await);
    }
    (src, adopted)
}

fn vpc(name: &str, cidr: &str) -> String {
    format!(
        r#"
resource "aws_vpc" "v" {{
  cidr_block           = "{cidr}"
  enable_dns_hostnames = true
  tags = {{
    Name = "{name}"
  }}
}}
"#
    )
}

/// The VPCs tagged `Name = name`.
async fn vpcs_named(name: &str) -> Vec<aws_sdk_ec2::types::Vpc> {
    let out = support::ec2()
        .await
        .describe_vpcs()
        .filters(aws_sdk_ec2::types::Filter::builder().name("tag:Name").values(name).build())
        .send()
        .await
        .unwrap();
    out.vpcs().to_vec()
}

fn has_token_tag(tags: &[aws_sdk_ec2::types::Tag]) -> bool {
    tags.iter().any(|t| t.key() == Some(TOKEN_TAG))
}

#[tokio::test]
async fn network_objects_are_found_by_their_token_tag_or_natural_key() {
    let h = Harness::new();
    let name = unique("crash-net");
    let steps = vec![
        ("aws_vpc.v", vpc(&name, "10.61.0.0/16"), By::Tag),
        (
            "aws_subnet.a",
            format!(
                r#"
resource "aws_subnet" "a" {{
  vpc_id            = aws_vpc.v.id
  cidr_block        = "10.61.1.0/24"
  availability_zone = "eu-west-1a"
  tags = {{
    Name = "{name}-a"
  }}
}}
"#
            ),
            By::Tag,
        ),
        (
            "aws_internet_gateway.gw",
            "\nresource \"aws_internet_gateway\" \"gw\" {\n  vpc_id = aws_vpc.v.id\n}\n".to_string(),
            By::Tag,
        ),
        (
            "aws_route_table.rt",
            "\nresource \"aws_route_table\" \"rt\" {\n  vpc_id = aws_vpc.v.id\n}\n".to_string(),
            By::Tag,
        ),
        (
            "aws_route.default",
            r#"
resource "aws_route" "default" {
  route_table_id         = aws_route_table.rt.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.gw.id
}
"#
            .to_string(),
            By::Key("destination_cidr_block", "10.99.0.0/16"),
        ),
        (
            "aws_route_table_association.a",
            r#"
resource "aws_route_table_association" "a" {
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.rt.id
}
"#
            .to_string(),
            By::Key("subnet_id", "subnet-00000000"),
        ),
        (
            "aws_security_group.sg",
            format!(
                r#"
resource "aws_security_group" "sg" {{
  name   = "{name}-sg"
  vpc_id = aws_vpc.v.id
  ingress {{
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/8"]
  }}
  tags = {{
    team = "ops"
  }}
}}
"#
            ),
            By::Tag,
        ),
        (
            "aws_security_group_rule.https",
            format!(
                r#"
resource "aws_security_group" "bare" {{
  name   = "{name}-bare"
  vpc_id = aws_vpc.v.id
}}

resource "aws_security_group_rule" "https" {{
  type              = "ingress"
  from_port         = 443
  to_port           = 443
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = aws_security_group.bare.id
}}
"#
            ),
            By::Key("from_port", "8443"),
        ),
    ];
    let (src, adopted) = walk(&h, "", &steps).await;

    // Behind terrane's back: one VPC, one subnet, one group of each name, the token tags gone.
    let found = vpcs_named(&name).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(!has_token_tag(found[0].tags()), "the adopting apply took the VPC's token tag off");
    let ec2 = support::ec2().await;
    let vpc_id = id_of(&adopted[0]);
    let filter = |n: &str, v: &str| aws_sdk_ec2::types::Filter::builder().name(n).values(v).build();
    let subnets = ec2.describe_subnets().filters(filter("vpc-id", &vpc_id)).send().await.unwrap();
    assert_eq!(subnets.subnets().len(), 1);
    let groups = ec2
        .describe_security_groups()
        .filters(filter("vpc-id", &vpc_id))
        .filters(filter("group-name", &format!("{name}-sg")))
        .send()
        .await
        .unwrap();
    assert_eq!(groups.security_groups().len(), 1);
    assert!(!has_token_tag(groups.security_groups()[0].tags()), "token tag left on the group");
    let gws = ec2.describe_internet_gateways().filters(filter("attachment.vpc-id", &vpc_id)).send().await.unwrap();
    assert_eq!(gws.internet_gateways().len(), 1);
    h.destroy(&src).await;
    assert!(vpcs_named(&name).await.is_empty());
}

/// An AMI moto knows.
async fn ami() -> String {
    let out = support::ec2().await.describe_images().send().await.unwrap();
    let images = out.images();
    let linux = |i: &&aws_sdk_ec2::types::Image| i.root_device_name() == Some("/dev/sda1") && i.platform().is_none();
    images.iter().find(linux).or(images.first()).and_then(|i| i.image_id()).expect("moto lists no AMI").to_string()
}

#[tokio::test]
async fn instances_volumes_and_key_pairs() {
    let h = Harness::new();
    let name = unique("crash-ec2");
    let ami = ami().await;
    let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEetMwvVHidCVlnIpNQIRpd4R3OWi7ui5U7BRnW3g7Ij terrane-test";
    let steps = vec![
        (
            "aws_key_pair.k",
            format!(
                r#"
resource "aws_key_pair" "k" {{
  key_name   = "{name}"
  public_key = "{key}"
  tags = {{
    env = "dev"
  }}
}}
"#
            ),
            By::Name("key_name", Tagged::Yes),
        ),
        (
            "aws_key_pair.prefixed",
            format!(
                r#"
resource "aws_key_pair" "prefixed" {{
  key_name_prefix = "{name}-p-"
  public_key      = "{key}"
}}
"#
            ),
            By::Name("key_name", Tagged::Yes),
        ),
        (
            "aws_instance.web",
            format!(
                r#"
resource "aws_instance" "web" {{
  ami           = "{ami}"
  instance_type = "t3.micro"
  key_name      = aws_key_pair.k.key_name
  tags = {{
    Name = "{name}"
  }}
}}
"#
            ),
            By::Tag,
        ),
        (
            "aws_ebs_volume.data",
            format!(
                r#"
resource "aws_ebs_volume" "data" {{
  availability_zone = aws_instance.web.availability_zone
  size              = 2
  tags = {{
    Name = "{name}"
  }}
}}
"#
            ),
            By::Tag,
        ),
        (
            "aws_volume_attachment.data",
            r#"
resource "aws_volume_attachment" "data" {
  device_name = "/dev/sdh"
  volume_id   = aws_ebs_volume.data.id
  instance_id = aws_instance.web.id
}
"#
            .to_string(),
            By::Key("device_name", "/dev/sdk"),
        ),
    ];
    let (src, _) = walk(&h, "", &steps).await;

    let ec2 = support::ec2().await;
    let filter = |n: &str, v: &str| aws_sdk_ec2::types::Filter::builder().name(n).values(v).build();
    let out = ec2.describe_instances().filters(filter("tag:Name", &name)).send().await.unwrap();
    let live: Vec<_> = out
        .reservations()
        .iter()
        .flat_map(|r| r.instances())
        .filter(|i| i.state().and_then(|s| s.name()) != Some(&aws_sdk_ec2::types::InstanceStateName::Terminated))
        .collect();
    assert_eq!(live.len(), 1, "one instance, not a twin");
    assert!(!has_token_tag(live[0].tags()), "the adopting apply took the instance's token tag off");
    let vols = ec2.describe_volumes().filters(filter("tag:Name", &name)).send().await.unwrap();
    assert_eq!(vols.volumes().len(), 1);
    assert!(!has_token_tag(vols.volumes()[0].tags()), "token tag left on the volume");
    h.destroy(&src).await;
}

#[tokio::test]
async fn log_groups_by_name_and_generated_name() {
    let h = Harness::new();
    let name = format!("/{}/web", unique("crash-logs"));
    let steps = vec![
        (
            "aws_cloudwatch_log_group.app",
            format!(
                r#"
resource "aws_cloudwatch_log_group" "app" {{
  name              = "{name}"
  retention_in_days = 14
  tags = {{
    app = "web"
  }}
}}
"#
            ),
            By::Name("name", Tagged::Yes),
        ),
        (
            "aws_cloudwatch_log_group.gen",
            format!("\nresource \"aws_cloudwatch_log_group\" \"gen\" {{\n  name_prefix = \"{name}-gen-\"\n}}\n"),
            By::Name("name", Tagged::Yes),
        ),
    ];
    let (src, adopted) = walk(&h, "", &steps).await;
    let logs = support::logs().await;
    let groups = logs.describe_log_groups().log_group_name_prefix(&name).send().await.unwrap();
    assert_eq!(groups.log_groups().len(), 2, "{:?}", groups.log_groups());
    let gen_name = adopted[1].get_attr("name").and_then(Value::as_str).unwrap().to_string();
    assert!(gen_name.starts_with(&format!("{name}-gen-")), "{gen_name}");
    let arn = groups.log_groups().iter().find(|g| g.log_group_name() == Some(name.as_str())).unwrap().arn().unwrap();
    let tags = logs.list_tags_for_resource().resource_arn(arn.trim_end_matches(":*")).send().await.unwrap();
    assert!(tags.tags().is_some_and(|t| !t.contains_key(TOKEN_TAG) && t.contains_key("app")), "{tags:?}");
    h.destroy(&src).await;
}

#[tokio::test]
async fn a_log_group_of_that_name_made_by_someone_else_is_not_adopted() {
    let h = Harness::new();
    let name = format!("/{}/web", unique("crash-foreign"));
    let src = format!("\nresource \"aws_cloudwatch_log_group\" \"app\" {{\n  name = \"{name}\"\n}}\n");
    support::logs().await.create_log_group().log_group_name(&name).send().await.unwrap();
    let p = h.provider(&src).await;
    let planned = Value::object([("name", Value::from(name.as_str()))]);
    let found = p.find_created("aws_cloudwatch_log_group", planned, &token()).await.unwrap();
    assert!(found.is_none(), "a group without this create's token is not adopted");
    support::logs().await.delete_log_group().log_group_name(&name).send().await.unwrap();
}

/// A create refused because someone else's object has the name (a bucket, an IAM role, an
/// identical security group rule: types found again by name or key alone) fails, and leaves
/// no pending record: the next plan plans the create again and adopts nothing.
#[tokio::test]
async fn a_create_refused_for_a_taken_name_leaves_nothing_to_adopt() {
    let h = Harness::new();
    let name = unique("crash-taken").to_lowercase();
    let sg = h
        .apply(&format!(
            "\nresource \"aws_vpc\" \"v\" {{\n  cidr_block = \"10.66.0.0/16\"\n}}\nresource \"aws_security_group\" \"g\" {{\n  name   = \"{name}\"\n  vpc_id = aws_vpc.v.id\n}}\n"
        ))
        .await;
    let group = h.str_attr(&sg, "aws_security_group.g", "id");
    // Someone else makes the bucket, the role and the rule first.
    support::new_bucket(&name).await;
    let s3 = support::s3().await;
    let assume = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let iam = support::iam().await;
    iam.create_role().role_name(&name).assume_role_policy_document(assume).send().await.unwrap();
    let ec2 = support::ec2().await;
    let rule = aws_sdk_ec2::types::IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(5432)
        .to_port(5432)
        .ip_ranges(aws_sdk_ec2::types::IpRange::builder().cidr_ip("10.66.0.0/16").build())
        .build();
    ec2.authorize_security_group_ingress().group_id(&group).ip_permissions(rule).send().await.unwrap();

    let src = format!(
        r#"
resource "aws_vpc" "v" {{
  cidr_block = "10.66.0.0/16"
}}
resource "aws_security_group" "g" {{
  name   = "{name}"
  vpc_id = aws_vpc.v.id
}}
resource "aws_s3_bucket" "b" {{
  bucket = "{name}"
}}
resource "aws_iam_role" "r" {{
  name               = "{name}"
  assume_role_policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Principal = {{ Service = "ec2.amazonaws.com" }}, Action = "sts:AssumeRole" }}] }})
}}
resource "aws_security_group_rule" "pg" {{
  type              = "ingress"
  from_port         = 5432
  to_port           = 5432
  protocol          = "tcp"
  cidr_blocks       = ["10.66.0.0/16"]
  security_group_id = aws_security_group.g.id
}}
"#
    );
    let (ctx, p) = h.try_plan(&src, &Default::default()).await.unwrap_or_else(|d| panic!("{d}"));
    let (out, state) = h.apply_plan(&ctx, &p).await;
    let mut failed: Vec<String> = out.diags.iter().filter(|d| d.is_error()).map(|d| d.summary.clone()).collect();
    failed.sort();
    assert_eq!(
        failed,
        vec![
            "Error creating aws_iam_role.r".to_string(),
            "Error creating aws_s3_bucket.b".to_string(),
            "Error creating aws_security_group_rule.pg".to_string(),
        ],
        "{}",
        out.diags
    );
    assert!(state.pending.is_empty(), "records left: {:?}", state.pending.keys().collect::<Vec<_>>());
    let p = h.plan(&src).await;
    assert!(p.adopted.is_empty(), "adopted someone else's objects: {:?}", p.adopted);
    let mut planned = actions(&p);
    planned.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        planned,
        vec![
            ("aws_iam_role.r".to_string(), Action::Create),
            ("aws_s3_bucket.b".to_string(), Action::Create),
            ("aws_security_group_rule.pg".to_string(), Action::Create),
        ]
    );

    s3.delete_bucket().bucket(&name).send().await.unwrap();
    iam.delete_role().role_name(&name).send().await.unwrap();
    h.destroy(&src).await;
}

/// A pending create recorded from a plan where everything was unknown (all null): every
/// resource type answers "nothing found" without failing, so the next plan is never stopped
/// by a record it cannot use yet.
#[tokio::test]
async fn every_type_answers_a_record_of_unknowns_with_nothing_found() {
    let h = Harness::new();
    let p = h.provider("").await;
    let types: Vec<String> = p.schema().resources.keys().cloned().collect();
    assert!(types.len() >= 33, "{types:?}");
    for t in types {
        let block = &p.schema().resources[&t].block;
        let planned = Value::object(block.attributes.keys().map(|k| (k.clone(), Value::NULL)));
        let found = p.find_created(&t, planned, &token()).await.unwrap_or_else(|e| panic!("{t}: {}", e.message));
        assert!(found.is_none(), "{t}: found {found:?}");
    }
}

#[tokio::test]
async fn an_alias_of_that_name_on_another_key_is_not_adopted() {
    let h = Harness::new();
    let name = format!("alias/{}", unique("crash-alias"));
    let kms = support::kms().await;
    let key = |d: &'static str| {
        let kms = kms.clone();
        async move { kms.create_key().description(d).send().await.unwrap().key_metadata.unwrap().key_id }
    };
    let (mine, theirs) = (key("mine").await, key("theirs").await);
    kms.create_alias().alias_name(&name).target_key_id(&theirs).send().await.unwrap();
    let p = h.provider("").await;
    let planned = |k: &str| Value::object([("name", Value::from(name.as_str())), ("target_key_id", Value::from(k))]);
    let find = |v| p.find_created("aws_kms_alias", v, "terrane-x");
    assert!(find(planned(&mine)).await.unwrap().is_none(), "an alias on another key is someone else's");
    assert!(find(planned(&theirs)).await.unwrap().is_some());
    kms.delete_alias().alias_name(&name).send().await.unwrap();
    for k in [mine, theirs] {
        kms.schedule_key_deletion().key_id(k).pending_window_in_days(7).send().await.unwrap();
    }
}

fn subnets(name: &str, cidr16: &str) -> String {
    format!(
        r#"
resource "aws_vpc" "d" {{
  cidr_block = "{cidr16}.0.0/16"
  tags = {{
    Name = "{name}"
  }}
}}

resource "aws_subnet" "d" {{
  count             = 2
  vpc_id            = aws_vpc.d.id
  cidr_block        = "{cidr16}.${{count.index}}.0/24"
  availability_zone = ["eu-west-1a", "eu-west-1b"][count.index]
}}
"#
    )
}

#[tokio::test]
async fn databases_and_caches_by_their_identifiers() {
    let h = Harness::new();
    let name = unique("crash-db");
    let steps = vec![
        (
            "aws_db_subnet_group.db",
            format!(
                r#"
resource "aws_db_subnet_group" "db" {{
  name       = "{name}"
  subnet_ids = aws_subnet.d[*].id
  tags = {{
    env = "dev"
  }}
}}
"#
            ),
            By::Name("name", Tagged::Yes),
        ),
        (
            "aws_db_instance.db",
            format!(
                r#"
resource "aws_db_instance" "db" {{
  identifier           = "{name}"
  engine               = "postgres"
  instance_class       = "db.t3.micro"
  allocated_storage    = 20
  username             = "app"
  password             = "Crash-Passw0rd"
  db_subnet_group_name = aws_db_subnet_group.db.name
  skip_final_snapshot  = true
  tags = {{
    env = "dev"
  }}
}}
"#
            ),
            By::Name("identifier", Tagged::Yes),
        ),
        (
            "aws_elasticache_subnet_group.c",
            format!(
                r#"
resource "aws_elasticache_subnet_group" "c" {{
  name       = "{name}"
  subnet_ids = aws_subnet.d[*].id
}}
"#
            ),
            By::Name("name", Tagged::Yes),
        ),
        (
            "aws_elasticache_cluster.c",
            format!(
                r#"
resource "aws_elasticache_cluster" "c" {{
  cluster_id        = "{name}"
  engine            = "redis"
  node_type         = "cache.t3.micro"
  num_cache_nodes   = 1
  subnet_group_name = aws_elasticache_subnet_group.c.name
  timeouts {{
    delete = "1s"
  }}
}}
"#
            ),
            By::Name("cluster_id", Tagged::Yes),
        ),
        (
            "aws_elasticache_replication_group.rg",
            format!(
                r#"
resource "aws_elasticache_replication_group" "rg" {{
  replication_group_id = "{name}-rg"
  description          = "crash test"
  node_type            = "cache.t3.micro"
  num_cache_clusters   = 1
  timeouts {{
    delete = "1s"
  }}
}}
"#
            ),
            By::Name("replication_group_id", Tagged::Yes),
        ),
    ];
    let (src, _) = walk(&h, &subnets(&name, "10.62"), &steps).await;
    let rds = support::rds().await;
    let dbs = rds.describe_db_instances().db_instance_identifier(&name).send().await.unwrap();
    assert_eq!(dbs.db_instances().len(), 1);
    assert!(!dbs.db_instances()[0].tag_list().iter().any(|t| t.key() == Some(TOKEN_TAG)), "token tag left");
    let groups = support::elasticache().await.describe_replication_groups().send().await.unwrap();
    let rg = format!("{name}-rg");
    assert_eq!(groups.replication_groups().iter().filter(|g| g.replication_group_id() == Some(rg.as_str())).count(), 1);
    // moto keeps a deleted replication group "deleting" for ever: deleted here, out of the
    // state, so the destroy does not wait for it.
    support::elasticache().await.delete_replication_group().replication_group_id(&rg).send().await.unwrap();
    let mut state = h.backend.read("default").await.unwrap().unwrap();
    state.resources.remove(&parse_instance("aws_elasticache_replication_group.rg").unwrap().resource);
    h.backend.write("default", &state).await.unwrap();
    h.destroy(&src.replace(&steps[4].1, "")).await;
}

#[tokio::test]
async fn iam_roles_profiles_and_policies() {
    let h = Harness::new();
    let name = unique("crash-iam");
    let trust = r#"jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }] })"#;
    let steps = vec![
        (
            "aws_iam_role.r",
            format!(
                r#"
resource "aws_iam_role" "r" {{
  name               = "{name}"
  assume_role_policy = {trust}
  tags = {{
    team = "ops"
  }}
}}
"#
            ),
            By::Name("name", Tagged::Yes),
        ),
        (
            "aws_iam_role.gen",
            format!(
                "\nresource \"aws_iam_role\" \"gen\" {{\n  name_prefix        = \"crash-\"\n  assume_role_policy = {trust}\n}}\n"
            ),
            By::Name("name", Tagged::Yes),
        ),
        (
            "aws_iam_role_policy.p",
            r#"
resource "aws_iam_role_policy" "p" {
  name = "logs"
  role = aws_iam_role.r.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["logs:PutLogEvents"], Resource = "*" }]
  })
}
"#
            .to_string(),
            By::Name("name", Tagged::No),
        ),
        (
            "aws_iam_instance_profile.p",
            format!(
                r#"
resource "aws_iam_instance_profile" "p" {{
  name = "{name}"
  role = aws_iam_role.r.name
}}
"#
            ),
            By::Name("name", Tagged::Yes),
        ),
    ];
    let (src, _) = walk(&h, "", &steps).await;
    let iam = support::iam().await;
    let role = iam.get_role().role_name(&name).send().await.unwrap();
    assert!(!role.role().unwrap().tags().iter().any(|t| t.key() == TOKEN_TAG), "token tag left");
    h.destroy(&src).await;
}

#[tokio::test]
async fn s3_buckets_and_their_configuration() {
    let h = Harness::new();
    let name = unique("crash-s3").to_lowercase();
    let steps = vec![
        (
            "aws_s3_bucket.b",
            format!(
                "\nresource \"aws_s3_bucket\" \"b\" {{\n  bucket = \"{name}\"\n  tags = {{\n    env = \"dev\"\n  }}\n}}\n"
            ),
            By::Name("bucket", Tagged::No),
        ),
        (
            "aws_s3_bucket.gen",
            "\nresource \"aws_s3_bucket\" \"gen\" {\n  bucket_prefix = \"crash-gen-\"\n}\n".to_string(),
            By::Name("bucket", Tagged::No),
        ),
        (
            "aws_s3_bucket_versioning.v",
            r#"
resource "aws_s3_bucket_versioning" "v" {
  bucket = aws_s3_bucket.b.id
  versioning_configuration {
    status = "Enabled"
  }
}
"#
            .to_string(),
            By::Key("bucket", "crash-no-such-bucket"),
        ),
        (
            "aws_s3_bucket_public_access_block.pab",
            r#"
resource "aws_s3_bucket_public_access_block" "pab" {
  bucket                  = aws_s3_bucket.b.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
"#
            .to_string(),
            By::Key("bucket", "crash-no-such-bucket"),
        ),
    ];
    let (src, _) = walk(&h, "", &steps).await;
    let buckets = support::s3().await.list_buckets().send().await.unwrap();
    assert_eq!(buckets.buckets().iter().filter(|b| b.name() == Some(name.as_str())).count(), 1);
    h.destroy(&src).await;
}

#[tokio::test]
async fn kms_keys_and_aliases() {
    let h = Harness::new();
    let name = unique("crash-kms");
    let steps = vec![
        (
            "aws_kms_key.k",
            format!(
                "\nresource \"aws_kms_key\" \"k\" {{\n  description             = \"{name}\"\n  deletion_window_in_days = 7\n  tags = {{\n    Name = \"{name}\"\n  }}\n}}\n"
            ),
            By::Tag,
        ),
        (
            "aws_kms_alias.a",
            format!(
                "\nresource \"aws_kms_alias\" \"a\" {{\n  name          = \"alias/{name}\"\n  target_key_id = aws_kms_key.k.key_id\n}}\n"
            ),
            By::Name("name", Tagged::No),
        ),
    ];
    let (src, adopted) = walk(&h, "", &steps).await;
    let kms = support::kms().await;
    let tags = kms.list_resource_tags().key_id(id_of(&adopted[0])).send().await.unwrap();
    assert!(!tags.tags().iter().any(|t| t.tag_key() == TOKEN_TAG), "token tag left");
    h.destroy(&src).await;
}

#[tokio::test]
async fn load_balancers_target_groups_listeners_and_certificates() {
    let h = Harness::new();
    let name = unique("crash-lb");
    let lb_name = name.clone();
    let steps = vec![
        (
            "aws_lb.web",
            format!(
                r#"
resource "aws_lb" "web" {{
  name    = "{lb_name}"
  subnets = aws_subnet.d[*].id
  tags = {{
    env = "dev"
  }}
}}
"#
            ),
            By::Name("name", Tagged::Yes),
        ),
        (
            "aws_lb_target_group.web",
            format!(
                r#"
resource "aws_lb_target_group" "web" {{
  name     = "{lb_name}"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = aws_vpc.d.id
}}
"#
            ),
            By::Name("name", Tagged::Yes),
        ),
        (
            "aws_lb_listener.http",
            r#"
resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}
"#
            .to_string(),
            By::Tag,
        ),
        (
            "aws_lb_target_group_attachment.ip",
            r#"
resource "aws_lb_target_group" "ip" {
  name_prefix = "ip-"
  port        = 80
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.d.id
}

resource "aws_lb_target_group_attachment" "ip" {
  target_group_arn = aws_lb_target_group.ip.arn
  target_id        = "10.63.0.10"
  port             = 80
}
"#
            .to_string(),
            By::Key("target_id", "10.63.0.11"),
        ),
        (
            "aws_acm_certificate.c",
            format!(
                r#"
resource "aws_acm_certificate" "c" {{
  domain_name       = "{lb_name}.example.com"
  validation_method = "DNS"
}}
"#
            ),
            By::Tag,
        ),
    ];
    let (src, _) = walk(&h, &subnets(&name, "10.63"), &steps).await;
    let lbs = support::elbv2().await.describe_load_balancers().names(&lb_name).send().await.unwrap();
    assert_eq!(lbs.load_balancers().len(), 1);
    h.destroy(&src).await;
}

/// A backend that keeps the first state written to it and refuses every later write: an apply
/// writes its pending creates first, so that is the state a kill -9 right after every create,
/// before any checkpoint, leaves behind; and, as for a killed process, nothing the apply
/// would do once a later write succeeded (taking the token tags off) happens.
struct FirstWrite {
    inner: Arc<dyn StateBackend>,
    first: std::sync::Mutex<Option<State>>,
}

#[async_trait::async_trait]
impl StateBackend for FirstWrite {
    async fn read(&self, ws: &str) -> Result<Option<State>, terrane_engine::state::StateError> {
        self.inner.read(ws).await
    }
    async fn write(&self, ws: &str, state: &State) -> Result<(), terrane_engine::state::StateError> {
        let killed = {
            let mut first = self.first.lock().unwrap();
            let killed = first.is_some();
            first.get_or_insert_with(|| state.clone());
            killed
        };
        if killed {
            return Err(terrane_engine::state::StateError::Io("killed after the first write".into()));
        }
        self.inner.write(ws, state).await
    }
    async fn lock(
        &self,
        ws: &str,
        info: &terrane_engine::state::LockInfo,
    ) -> Result<(), terrane_engine::state::LockError> {
        self.inner.lock(ws, info).await
    }
    async fn unlock(&self, ws: &str, id: &str) -> Result<(), terrane_engine::state::LockError> {
        self.inner.unlock(ws, id).await
    }
    async fn force_unlock(&self, ws: &str, id: &str) -> Result<(), terrane_engine::state::LockError> {
        self.inner.force_unlock(ws, id).await
    }
    async fn workspaces(&self) -> Result<Vec<String>, terrane_engine::state::StateError> {
        self.inner.workspaces().await
    }
    async fn delete_workspace(&self, ws: &str) -> Result<(), terrane_engine::state::StateError> {
        self.inner.delete_workspace(ws).await
    }
    fn describe(&self, ws: &str) -> String {
        self.inner.describe(ws)
    }
}

/// The worst moment of a kill: every create of an apply made, not one recorded. The pending
/// creates hold what the plan knew, so the route's table, the association's subnet and the
/// rule's group (made in the same run) were unknown: the next plan finds those once it has
/// adopted what they refer to. Everything is adopted, nothing is created twice.
#[tokio::test]
async fn an_apply_killed_after_every_create_and_before_any_record_is_adopted_whole() {
    let h = Harness::new();
    let name = unique("crash-whole");
    let src = format!(
        r#"{vpc}
resource "aws_subnet" "a" {{
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.64.1.0/24"
}}

resource "aws_internet_gateway" "gw" {{
  vpc_id = aws_vpc.v.id
}}

resource "aws_route_table" "rt" {{
  vpc_id = aws_vpc.v.id
}}

resource "aws_route" "default" {{
  route_table_id         = aws_route_table.rt.id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.gw.id
}}

resource "aws_route_table_association" "a" {{
  subnet_id      = aws_subnet.a.id
  route_table_id = aws_route_table.rt.id
}}

resource "aws_security_group" "sg" {{
  name   = "{name}"
  vpc_id = aws_vpc.v.id
}}

resource "aws_security_group_rule" "ssh" {{
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = ["10.0.0.0/8"]
  security_group_id = aws_security_group.sg.id
}}

resource "aws_cloudwatch_log_group" "lg" {{
  name = "/{name}/app"
}}
"#,
        vpc = vpc(&name, "10.64.0.0/16")
    );
    let (ctx, p) = h.try_plan(&src, &Default::default()).await.unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(actions(&p).len(), 9);
    let backend = Arc::new(FirstWrite { inner: h.backend.clone(), first: std::sync::Mutex::new(None) });
    let recorder = terrane_engine::apply::Recorder::start(
        terrane_engine::apply::plan_prior_state(&p).unwrap(),
        backend.clone(),
        "default",
        std::time::Duration::from_millis(200),
    );
    let out = terrane_engine::apply::apply(
        &ctx,
        &p,
        &recorder,
        &Default::default(),
        &terrane_engine::graph::WalkControl::default(),
        &terrane_engine::hooks::NoHooks,
    )
    .await;
    assert!(!out.diags.has_errors(), "{}", out.diags);
    let (applied, _) = recorder.finish().await.expect_err("no write after the first");
    // The kill: the state goes back to the pending creates alone.
    let crashed = backend.first.lock().unwrap().clone().unwrap();
    assert_eq!(crashed.pending.len(), 9);
    assert!(crashed.resources.values().all(|r| r.instances.values().all(|i| i.current.is_none())));
    h.backend.write("default", &crashed).await.unwrap();

    let (ctx, p) = h.try_plan(&src, &Default::default()).await.unwrap_or_else(|d| panic!("{d}"));
    let rendered = terrane_engine::plan::render::text::render_plan(&p, &|_| None, false);
    assert_eq!(p.adopted.len(), 9, "{rendered}");
    assert!(actions(&p).is_empty(), "{rendered}");
    for c in &p.changes {
        let addr = c.addr.to_string();
        assert_eq!(id_of(&h.value(&p.prior_state, &addr)), id_of(&h.value(&applied, &addr)), "{addr}");
    }
    let (out, state) = h.apply_plan(&ctx, &p).await;
    assert!(!out.diags.has_errors(), "{}", out.diags);
    assert!(state.pending.is_empty());
    support::assert_no_changes(&h.plan(&src).await);
    assert_eq!(vpcs_named(&name).await.len(), 1);
    h.destroy(&src).await;
    assert!(vpcs_named(&name).await.is_empty());
}

/// A plain apply leaves nothing of terrane's on what it created: once the state records an
/// object, the token tag comes off (EC2 objects in one DeleteTags call), so Terraform and the
/// account's tag policies see only the configuration's tags.
#[tokio::test]
async fn an_apply_takes_the_token_tag_off_what_it_created() {
    let h = Harness::new();
    let name = unique("no-token");
    let src = format!(
        r#"{}
resource "aws_security_group" "g" {{
  name   = "{name}-sg"
  vpc_id = aws_vpc.d.id
  tags = {{
    app = "web"
  }}
}}

resource "aws_internet_gateway" "gw" {{
  vpc_id = aws_vpc.d.id
}}

resource "aws_cloudwatch_log_group" "l" {{
  name = "/{name}/app"
  tags = {{
    app = "web"
  }}
}}

resource "aws_iam_role" "r" {{
  name               = "{name}-role"
  assume_role_policy = jsonencode({{ Version = "2012-10-17", Statement = [{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "ec2.amazonaws.com" }} }}] }})
}}

resource "aws_kms_key" "k" {{
  description = "{name}"
}}

resource "aws_db_subnet_group" "db" {{
  name       = "{name}-db"
  subnet_ids = aws_subnet.d[*].id
}}

resource "aws_elasticache_subnet_group" "c" {{
  name       = "{name}-cache"
  subnet_ids = aws_subnet.d[*].id
}}

resource "aws_lb_target_group" "t" {{
  name     = "{}"
  port     = 80
  protocol = "HTTP"
  vpc_id   = aws_vpc.d.id
}}
"#,
        subnets(&name, "10.71"),
        &name[name.len().saturating_sub(24)..]
    );
    let state = h.apply(&src).await;
    let id = |addr: &str| h.str_attr(&state, addr, "id");
    let arn = |addr: &str| h.str_attr(&state, addr, "arn");

    let ec2 = support::ec2().await;
    let ids = [
        id("aws_vpc.d"),
        id("aws_subnet.d[0]"),
        id("aws_subnet.d[1]"),
        id("aws_security_group.g"),
        id("aws_internet_gateway.gw"),
    ];
    let tags = ec2
        .describe_tags()
        .filters(aws_sdk_ec2::types::Filter::builder().name("resource-id").set_values(Some(ids.to_vec())).build())
        .send()
        .await
        .unwrap();
    assert!(tags.tags().iter().any(|t| t.key() == Some("app")), "the configuration's tags stay: {tags:?}");
    assert!(!tags.tags().iter().any(|t| t.key() == Some(TOKEN_TAG)), "token tags left: {tags:?}");

    let logs = support::logs().await;
    let l = logs.list_tags_for_resource().resource_arn(arn("aws_cloudwatch_log_group.l").trim_end_matches(":*"));
    let l = l.send().await.unwrap();
    assert_eq!(l.tags().map(|t| t.keys().cloned().collect::<Vec<_>>()), Some(vec!["app".to_string()]), "{l:?}");

    let role = support::iam().await.get_role().role_name(id("aws_iam_role.r")).send().await.unwrap();
    assert!(role.role().unwrap().tags().is_empty(), "{role:?}");

    let kms = support::kms().await.list_resource_tags().key_id(id("aws_kms_key.k")).send().await.unwrap();
    assert!(kms.tags().is_empty(), "{kms:?}");

    let rds = support::rds().await;
    let db = rds.list_tags_for_resource().resource_name(arn("aws_db_subnet_group.db")).send().await.unwrap();
    assert!(db.tag_list().is_empty(), "{db:?}");

    let ec = support::elasticache().await;
    let c = ec.list_tags_for_resource().resource_name(arn("aws_elasticache_subnet_group.c")).send().await.unwrap();
    assert!(c.tag_list().is_empty(), "{c:?}");

    let elb = support::elbv2().await;
    let t = elb.describe_tags().resource_arns(arn("aws_lb_target_group.t")).send().await.unwrap();
    assert!(t.tag_descriptions().iter().all(|d| d.tags().is_empty()), "{t:?}");

    support::assert_no_changes(&h.plan(&src).await);
    h.destroy(&src).await;
}
