//! The second round of AWS resources against moto: ACM certificates (requested and imported)
//! behind an HTTPS listener, EBS volumes and their attachments, Memcached clusters. Each type:
//! create, read back, re-plan clean, update in place, replace, import, drift, destroy; and a
//! batched refresh.
//!
//! Test certificates are made at test time with the `openssl` command (no network).
//!
//! moto (5.2) gaps met here: ListCertificates summaries lack `SubjectAlternativeNameSummaries`
//! (so every certificate is described, see the batching test); ElastiCache's ModifyCacheCluster
//! is missing (the Memcached test checks the call is made and fails clearly, with a provider
//! that does not retry moto's HTTP 500), and DescribeCacheClusters returns no cache nodes,
//! endpoints, port or parameter group for Memcached.

mod support;

use support::{attr_path, change, drift, render};

use std::path::Path;
use support::{Harness, acm, actions, assert_no_changes, ec2, elasticache, elbv2, unique};
use terrane_engine::plan::planner::PlanOptions;
use terrane_engine::plan::{Action, PlanMode};
use terrane_engine::state::State;
use terrane_engine::value::{PathStep, Type, Value};
use tokio::sync::RwLock;

/// Tests take this shared; the batching test takes it alone so the API call counts it reads
/// are its own (the counter is per process).
static EXCLUSIVE: RwLock<()> = RwLock::const_new(());

/// Imports `id` and checks every attribute but `skip` comes back as state holds it.
async fn assert_import(h: &Harness, src: &str, state: &State, addr: &str, id: &str, skip: &[&str]) -> Value {
    let type_name = addr.split('.').next().unwrap();
    let imported = h.provider(src).await.import(type_name, id).await.unwrap_or_else(|e| panic!("import {addr}: {e}"));
    let stored = h.value(state, addr);
    for (k, v) in stored.as_map().unwrap() {
        if skip.contains(&k.as_str()) {
            continue;
        }
        let got = imported.get_attr(k).cloned().unwrap_or_default();
        assert_eq!(got.deep_unmark(), v.clone().deep_unmark(), "{addr}.{k} differs after import of {id}");
    }
    imported
}

fn sensitive_paths(state: &State, addr: &str) -> Vec<Vec<PathStep>> {
    let i = terrane_engine::addr::parse_instance(addr).unwrap();
    state.object(&i.resource, &i.key).unwrap_or_else(|| panic!("{addr} not in state")).sensitive_paths.clone()
}

fn in_state(state: &State, addr: &str) -> bool {
    let i = terrane_engine::addr::parse_instance(addr).unwrap();
    state.object(&i.resource, &i.key).is_some()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_seq().unwrap_or(&[]).iter().filter_map(|x| x.as_str().map(str::to_string)).collect()
}

/// Plans and applies without asserting success: the diagnostics as text, and the state.
async fn run(h: &Harness, src: &str, mode: PlanMode) -> (String, State) {
    let opts = PlanOptions { mode, ..PlanOptions::default() };
    let (ctx, p) = h.try_plan(src, &opts).await.unwrap_or_else(|d| panic!("plan failed:\n{d}"));
    let (out, state) = h.apply_plan(&ctx, &p).await;
    (out.diags.to_string(), state)
}

/// The error a plan fails with.
async fn plan_error(h: &Harness, src: &str) -> String {
    match h.try_plan(src, &PlanOptions::default()).await {
        Ok((_, p)) => panic!("the plan should fail, got:\n{}", render(&p)),
        Err(d) => d.to_string(),
    }
}

/// A self-signed certificate for `cn` made with openssl: (certificate path, key path).
fn self_signed(dir: &Path, cn: &str) -> (String, String) {
    let cert = dir.join(format!("{cn}.crt"));
    let key = dir.join(format!("{cn}.key"));
    let out = std::process::Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj"])
        .arg(format!("/CN={cn}"))
        .arg("-addext")
        .arg(format!("subjectAltName=DNS:{cn}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("the tests need the openssl command");
    assert!(out.status.success(), "openssl failed: {}", String::from_utf8_lossy(&out.stderr));
    (cert.display().to_string(), key.display().to_string())
}

// ------------------------------------------------------------------ aws_acm_certificate

fn requested(domain: &str, sans: &str, env: &str) -> String {
    format!(
        r#"
resource "aws_acm_certificate" "site" {{
  domain_name               = "{domain}"
  subject_alternative_names = [{sans}]
  validation_method         = "DNS"
  tags = {{
    env = "{env}"
  }}
}}

# What a Route 53 validation record would iterate over: its keys are known at plan time.
resource "terraform_data" "validation" {{
  for_each = {{
    for o in aws_acm_certificate.site.domain_validation_options : o.domain_name => o.resource_record_name
  }}
  input = each.value
}}
"#
    )
}

#[tokio::test]
async fn requested_certificate_lifecycle() {
    let _g = EXCLUSIVE.read().await;
    let h = Harness::new();
    let domain = format!("{}.example.com", unique("cert"));
    let www = format!("www.{domain}");
    let addr = "aws_acm_certificate.site";
    let src = requested(&domain, &format!("\"{www}\""), "a");

    // The plan knows the domains to validate (the domain name joins the SANs, as ACM does).
    let p = h.plan(&src).await;
    let c = change(&p, addr);
    let dvo = c.after.get_attr("domain_validation_options").and_then(Value::as_seq).unwrap();
    let planned_domains: Vec<String> =
        dvo.iter().filter_map(|o| o.get_attr("domain_name")?.as_str().map(String::from)).collect();
    assert_eq!(planned_domains, vec![domain.clone(), www.clone()]);
    assert_eq!(strings(c.after.get_attr("subject_alternative_names").unwrap()), vec![domain.clone(), www.clone()]);
    let validations: Vec<String> =
        actions(&p).into_iter().filter(|(a, _)| a.starts_with("terraform_data.validation")).map(|(a, _)| a).collect();
    assert_eq!(validations.len(), 2, "{validations:?}");

    let state = h.apply(&src).await;
    let arn = h.str_attr(&state, addr, "arn");
    assert!(arn.starts_with("arn:aws:acm:eu-west-1:") && arn.contains(":certificate/"), "{arn}");
    assert_eq!(h.str_attr(&state, addr, "id"), arn);
    assert_eq!(h.str_attr(&state, addr, "domain_name"), domain);
    assert_eq!(h.str_attr(&state, addr, "validation_method"), "DNS");
    assert_eq!(h.str_attr(&state, addr, "type"), "AMAZON_ISSUED");
    assert_eq!(h.str_attr(&state, addr, "status"), "PENDING_VALIDATION");
    assert_eq!(h.str_attr(&state, addr, "key_algorithm"), "RSA_2048");
    assert!(h.str_attr(&state, addr, "not_after").ends_with('Z'));
    assert_eq!(strings(&h.attr(&state, addr, "subject_alternative_names")), vec![domain.clone(), www.clone()]);
    let dvo_v = h.attr(&state, addr, "domain_validation_options");
    let dvo = dvo_v.as_seq().unwrap();
    assert_eq!(dvo.len(), 2);
    for o in dvo {
        let d = o.get_attr("domain_name").and_then(Value::as_str).unwrap();
        let name = o.get_attr("resource_record_name").and_then(Value::as_str).unwrap();
        assert!(name.starts_with('_') && name.ends_with(&format!("{d}.")), "{name} for {d}");
        assert_eq!(o.get_attr("resource_record_type"), Some(&Value::from("CNAME")));
        assert!(o.get_attr("resource_record_value").and_then(Value::as_str).is_some_and(|v| !v.is_empty()));
    }
    assert!(in_state(&state, &format!("terraform_data.validation[\"{www}\"]")));
    let live = acm().await.describe_certificate().certificate_arn(&arn).send().await.unwrap();
    let live = live.certificate().unwrap();
    assert_eq!(live.domain_name(), Some(domain.as_str()));
    assert!(live.subject_alternative_names().contains(&www));
    assert_no_changes(&h.plan(&src).await);
    // Listing the domain name among the SANs too is the same certificate.
    assert_no_changes(&h.plan(&requested(&domain, &format!("\"{domain}\", \"{www}\""), "a")).await);

    // In place: tags.
    let retagged = requested(&domain, &format!("\"{www}\""), "b");
    assert_eq!(actions(&h.plan(&retagged).await), vec![(addr.to_string(), Action::Update)]);
    let state = h.apply(&retagged).await;
    assert_eq!(h.str_attr(&state, addr, "arn"), arn, "updated in place");
    let tags = acm().await.list_tags_for_certificate().certificate_arn(&arn).send().await.unwrap();
    let visible = tags.tags().iter().filter(|t| t.key() != "terrane:create-token");
    assert_eq!(visible.map(|t| (t.key(), t.value())).collect::<Vec<_>>(), vec![("env", Some("b"))]);
    assert_no_changes(&h.plan(&retagged).await);

    // Drift: a tag added behind terrane's back shows and is planned away.
    let tag = aws_sdk_acm::types::Tag::builder().key("owner").value("someone").build().unwrap();
    acm().await.add_tags_to_certificate().certificate_arn(&arn).tags(tag).send().await.unwrap();
    let p = h.plan(&retagged).await;
    assert_eq!(drift(&p), vec![(addr.to_string(), Action::Update)]);
    assert_eq!(actions(&p), vec![(addr.to_string(), Action::Update)]);
    let state = h.apply(&retagged).await;
    let tags = acm().await.list_tags_for_certificate().certificate_arn(&arn).send().await.unwrap();
    assert!(!tags.tags().iter().any(|t| t.key() == "owner"));
    assert_no_changes(&h.plan(&retagged).await);

    // Import by ARN reproduces the state.
    assert_import(&h, &retagged, &state, addr, &arn, &[]).await;

    // Another SAN is another certificate.
    let api = format!("api.{domain}");
    let more = requested(&domain, &format!("\"{www}\", \"{api}\""), "b");
    let p = h.plan(&more).await;
    assert_eq!(change(&p, addr).action, Action::DeleteThenCreate);
    assert_eq!(change(&p, addr).replace_paths, vec![attr_path("subject_alternative_names")]);
    let state = h.apply(&more).await;
    let arn2 = h.str_attr(&state, addr, "arn");
    assert_ne!(arn2, arn);
    assert_eq!(h.attr(&state, addr, "domain_validation_options").as_seq().map(<[Value]>::len), Some(3));
    assert!(in_state(&state, &format!("terraform_data.validation[\"{api}\"]")));
    assert!(acm().await.describe_certificate().certificate_arn(&arn).send().await.is_err(), "the old one is gone");
    assert_no_changes(&h.plan(&more).await);

    let state = h.destroy(&more).await;
    assert!(state.resources.is_empty());
    assert!(acm().await.describe_certificate().certificate_arn(&arn2).send().await.is_err(), "deleted in moto");
}

#[tokio::test]
async fn certificate_arguments_are_checked_at_plan_time() {
    let _g = EXCLUSIVE.read().await;
    let h = Harness::new();
    let err = plan_error(&h, "resource \"aws_acm_certificate\" \"c\" {\n  domain_name = \"x.example.com\"\n}\n").await;
    assert!(err.contains("`certificate_authority_arn` or `validation_method` must be set"), "{err}");
    let err = plan_error(
        &h,
        "resource \"aws_acm_certificate\" \"c\" {\n  domain_name = \"x.example.com\"\n  validation_method = \"DNS\"\n  private_key = \"k\"\n  certificate_body = \"b\"\n}\n",
    )
    .await;
    assert!(err.contains("exactly one of `domain_name`"), "{err}");
    let err =
        plan_error(&h, "resource \"aws_acm_certificate\" \"c\" {\n  domain_name = \"x.example.com.\"\n  validation_method = \"DNS\"\n}\n")
            .await;
    assert!(err.contains("cannot end with a period"), "{err}");
}

// -------------------------------------------- imported certificate behind an HTTPS listener

struct Https<'a> {
    net: &'a str,
    lb: &'a str,
    cert: &'a str,
    key: &'a str,
    ssl_policy: &'a str,
}

fn https(a: &Https<'_>) -> String {
    r#"
resource "aws_vpc" "tls" {
  cidr_block = "10.63.0.0/16"
  tags = {
    Name = "NET"
  }
}

resource "aws_subnet" "tls" {
  count             = 2
  vpc_id            = aws_vpc.tls.id
  cidr_block        = cidrsubnet(aws_vpc.tls.cidr_block, 8, count.index + 1)
  availability_zone = ["eu-west-1a", "eu-west-1b"][count.index]
}

resource "aws_lb" "web" {
  name               = "LB"
  load_balancer_type = "application"
  subnets            = aws_subnet.tls[*].id
}

resource "aws_lb_target_group" "web" {
  name     = "LB"
  port     = 8080
  protocol = "HTTP"
  vpc_id   = aws_vpc.tls.id
}

resource "aws_acm_certificate" "imported" {
  certificate_body = file("CERT")
  private_key      = file("KEY")
  tags = {
    Name = "NET"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "POLICY"
  certificate_arn   = aws_acm_certificate.imported.arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}
"#
    .replace("NET", a.net)
    .replace("LB", a.lb)
    .replace("CERT", a.cert)
    .replace("KEY", a.key)
    .replace("POLICY", a.ssl_policy)
}

#[tokio::test]
async fn imported_certificate_behind_an_https_listener() {
    let _g = EXCLUSIVE.read().await;
    let h = Harness::new();
    let net = unique("tls");
    let lb = unique("tls");
    let cn1 = format!("{net}.example.com");
    let cn2 = format!("next-{net}.example.com");
    let (cert1, key1) = self_signed(h.dir.path(), &cn1);
    let (cert2, key2) = self_signed(h.dir.path(), &cn2);
    let key_text = std::fs::read_to_string(&key1).unwrap();
    let key_line = key_text.lines().nth(1).unwrap().to_string();
    let mut a =
        Https { net: &net, lb: &lb, cert: &cert1, key: &key1, ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06" };
    let src = https(&a);
    let cert = "aws_acm_certificate.imported";
    let listener = "aws_lb_listener.https";

    let p = h.plan(&src).await;
    assert!(!render(&p).contains(&key_line), "the plan shows the private key");
    let state = h.apply(&src).await;
    let arn = h.str_attr(&state, cert, "arn");
    assert_eq!(h.str_attr(&state, cert, "domain_name"), cn1);
    assert_eq!(h.str_attr(&state, cert, "type"), "IMPORTED");
    assert_eq!(h.str_attr(&state, cert, "status"), "ISSUED");
    assert_eq!(h.str_attr(&state, cert, "validation_method"), "NONE");
    let dvo = h.attr(&state, cert, "domain_validation_options");
    assert!(dvo.ty().is_set() && dvo.length_int() == Some(0), "{dvo:?}");
    assert!(sensitive_paths(&state, cert).contains(&attr_path("private_key")));
    assert_eq!(h.str_attr(&state, listener, "protocol"), "HTTPS");
    assert_eq!(h.str_attr(&state, listener, "certificate_arn"), arn);
    assert_eq!(h.str_attr(&state, listener, "ssl_policy"), "ELBSecurityPolicy-TLS13-1-2-2021-06");
    let listener_arn = h.str_attr(&state, listener, "arn");
    let live = elbv2().await.describe_listeners().listener_arns(&listener_arn).send().await.unwrap();
    let l = &live.listeners()[0];
    assert_eq!(l.protocol().map(|p| p.as_str()), Some("HTTPS"));
    assert_eq!(l.certificates().iter().filter_map(|c| c.certificate_arn()).collect::<Vec<_>>(), vec![arn.as_str()]);
    assert_eq!(l.ssl_policy(), Some("ELBSecurityPolicy-TLS13-1-2-2021-06"));
    let live = acm().await.describe_certificate().certificate_arn(&arn).send().await.unwrap();
    assert_eq!(live.certificate().and_then(|c| c.domain_name()), Some(cn1.as_str()));
    assert_no_changes(&h.plan(&src).await);

    // A new body and key re-import the certificate in place, under the same ARN.
    a = Https { cert: &cert2, key: &key2, ..a };
    let renewed = https(&a);
    let p = h.plan(&renewed).await;
    assert_eq!(actions(&p), vec![(cert.to_string(), Action::Update)]);
    assert!(!render(&p).contains(&key_line), "the plan shows the private key");
    let state = h.apply(&renewed).await;
    assert_eq!(h.str_attr(&state, cert, "arn"), arn);
    assert_eq!(h.str_attr(&state, cert, "domain_name"), cn2);
    let live = acm().await.describe_certificate().certificate_arn(&arn).send().await.unwrap();
    assert_eq!(live.certificate().and_then(|c| c.domain_name()), Some(cn2.as_str()));
    assert_no_changes(&h.plan(&renewed).await);

    // In place: the listener's TLS policy.
    a = Https { ssl_policy: "ELBSecurityPolicy-2016-08", ..a };
    let policy = https(&a);
    assert_eq!(actions(&h.plan(&policy).await), vec![(listener.to_string(), Action::Update)]);
    let state = h.apply(&policy).await;
    assert_eq!(h.str_attr(&state, listener, "arn"), listener_arn);
    let live = elbv2().await.describe_listeners().listener_arns(&listener_arn).send().await.unwrap();
    assert_eq!(live.listeners()[0].ssl_policy(), Some("ELBSecurityPolicy-2016-08"));
    assert_no_changes(&h.plan(&policy).await);

    // Drift: the policy changed through the API shows and is planned back.
    elbv2()
        .await
        .modify_listener()
        .listener_arn(&listener_arn)
        .ssl_policy("ELBSecurityPolicy-TLS13-1-2-2021-06")
        .send()
        .await
        .unwrap();
    let p = h.plan(&policy).await;
    assert_eq!(drift(&p), vec![(listener.to_string(), Action::Update)]);
    assert_eq!(actions(&p), vec![(listener.to_string(), Action::Update)]);
    let state = h.apply(&policy).await;
    assert_no_changes(&h.plan(&policy).await);

    // Import by ARN: all but the PEM texts, which ACM never returns (Terraform's importIgnore).
    let imported =
        assert_import(&h, &policy, &state, cert, &arn, &["certificate_body", "private_key", "certificate_chain"]).await;
    assert_eq!(imported.get_attr("private_key"), Some(&Value::null(Type::String)));
    assert_import(&h, &policy, &state, listener, &listener_arn, &[]).await;

    // An Amazon-issued certificate instead: a new certificate (created first, as the lifecycle
    // asks), the listener moved to it in place, then the old one deleted.
    let cn3 = format!("amazon-{net}.example.com");
    let requested = policy.replace(
        &format!("certificate_body = file(\"{cert2}\")\n  private_key      = file(\"{key2}\")"),
        &format!("domain_name       = \"{cn3}\"\n  validation_method = \"DNS\""),
    );
    assert_ne!(requested, policy);
    let p = h.plan(&requested).await;
    assert_eq!(change(&p, cert).action, Action::CreateThenDelete);
    assert_eq!(change(&p, listener).action, Action::Update);
    let state = h.apply(&requested).await;
    let arn3 = h.str_attr(&state, cert, "arn");
    assert_ne!(arn3, arn);
    assert_eq!(h.str_attr(&state, cert, "type"), "AMAZON_ISSUED");
    assert_eq!(h.str_attr(&state, listener, "arn"), listener_arn, "the listener is updated in place");
    assert_eq!(h.str_attr(&state, listener, "certificate_arn"), arn3);
    let live = elbv2().await.describe_listeners().listener_arns(&listener_arn).send().await.unwrap();
    let certs: Vec<&str> = live.listeners()[0].certificates().iter().filter_map(|c| c.certificate_arn()).collect();
    assert_eq!(certs, vec![arn3.as_str()]);
    assert!(acm().await.describe_certificate().certificate_arn(&arn).send().await.is_err(), "the old one is gone");
    assert_no_changes(&h.plan(&requested).await);

    let state = h.destroy(&requested).await;
    assert!(state.resources.is_empty());
    assert!(acm().await.describe_certificate().certificate_arn(&arn3).send().await.is_err(), "deleted in moto");
    assert!(elbv2().await.describe_listeners().listener_arns(&listener_arn).send().await.is_err());
}

// ------------------------------------------------------ aws_ebs_volume, aws_volume_attachment

/// An AMI moto knows.
async fn ami() -> String {
    let out = ec2().await.describe_images().send().await.unwrap();
    out.images().iter().find_map(|i| i.image_id()).expect("moto lists no AMI").to_string()
}

struct Disk<'a> {
    tag: &'a str,
    ami: &'a str,
    size: i64,
    iops: i64,
    throughput: i64,
    encrypted: bool,
    env: &'a str,
    stop_first: bool,
}

fn disk(d: &Disk<'_>) -> String {
    let Disk { tag, ami, size, iops, throughput, encrypted, env, stop_first } = d;
    format!(
        r#"
resource "aws_vpc" "d" {{
  cidr_block = "10.64.0.0/16"
  tags = {{ Name = "{tag}" }}
}}

resource "aws_subnet" "d" {{
  vpc_id            = aws_vpc.d.id
  cidr_block        = "10.64.1.0/24"
  availability_zone = "eu-west-1a"
}}

resource "aws_instance" "d" {{
  ami           = "{ami}"
  instance_type = "t3.micro"
  subnet_id     = aws_subnet.d.id
  tags = {{ Name = "{tag}" }}
}}

resource "aws_ebs_volume" "data" {{
  availability_zone = "eu-west-1a"
  size              = {size}
  type              = "gp3"
  iops              = {iops}
  throughput        = {throughput}
  encrypted         = {encrypted}
  final_snapshot    = true
  tags = {{
    Name = "{tag}"
    env  = "{env}"
  }}
}}

resource "aws_volume_attachment" "data" {{
  device_name                    = "/dev/sdh"
  volume_id                      = aws_ebs_volume.data.id
  instance_id                    = aws_instance.d.id
  stop_instance_before_detaching = {stop_first}
}}
"#
    )
}

async fn volume(id: &str) -> aws_sdk_ec2::types::Volume {
    let out = ec2().await.describe_volumes().volume_ids(id).send().await.unwrap();
    out.volumes()[0].clone()
}

#[tokio::test]
async fn ebs_volume_and_attachment_lifecycle() {
    let _g = EXCLUSIVE.read().await;
    let h = Harness::new();
    let tag = unique("disk");
    let ami = ami().await;
    let vol = "aws_ebs_volume.data";
    let att = "aws_volume_attachment.data";
    let mut d = Disk {
        tag: &tag,
        ami: &ami,
        size: 10,
        iops: 3000,
        throughput: 125,
        encrypted: false,
        env: "a",
        stop_first: false,
    };
    let src = disk(&d);
    let state = h.apply(&src).await;
    let id = h.str_attr(&state, vol, "id");
    let instance = h.str_attr(&state, "aws_instance.d", "id");
    assert!(id.starts_with("vol-"));
    // The provider's account ID (moto's), which it asks STS for unless told to skip that.
    assert_eq!(h.str_attr(&state, vol, "arn"), format!("arn:aws:ec2:eu-west-1:123456789012:volume/{id}"));
    assert_eq!(h.attr(&state, vol, "size"), Value::from(10i64));
    assert_eq!(h.str_attr(&state, vol, "type"), "gp3");
    assert_eq!(h.attr(&state, vol, "iops"), Value::from(3000i64));
    assert_eq!(h.attr(&state, vol, "throughput"), Value::from(125i64));
    assert_eq!(h.attr(&state, vol, "encrypted"), Value::Bool(false));
    assert!(!h.str_attr(&state, vol, "create_time").is_empty());
    // Terraform's ID: vai- and the CRC-32 of "DEVICE-INSTANCE-VOLUME-".
    let vai = format!("vai-{}", crc32(format!("/dev/sdh-{instance}-{id}-").as_bytes()));
    assert_eq!(h.str_attr(&state, att, "id"), vai);
    let live = volume(&id).await;
    assert_eq!(live.state().map(|s| s.as_str()), Some("in-use"));
    let a = &live.attachments()[0];
    assert_eq!((a.instance_id(), a.device()), (Some(instance.as_str()), Some("/dev/sdh")));
    assert_no_changes(&h.plan(&src).await);

    // In place: size, IOPS, throughput and tags with ModifyVolume and CreateTags; the flag
    // used on destroy is an update without a call.
    d = Disk { size: 20, iops: 4000, throughput: 250, env: "b", stop_first: true, ..d };
    let grown = disk(&d);
    let p = h.plan(&grown).await;
    let mut acts = actions(&p);
    acts.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(acts, vec![(vol.to_string(), Action::Update), (att.to_string(), Action::Update)]);
    let state = h.apply(&grown).await;
    assert_eq!(h.str_attr(&state, vol, "id"), id, "updated in place");
    let live = volume(&id).await;
    assert_eq!((live.size(), live.iops(), live.throughput()), (Some(20), Some(4000), Some(250)));
    assert!(live.tags().iter().any(|t| t.key() == Some("env") && t.value() == Some("b")));
    assert_eq!(h.attr(&state, att, "stop_instance_before_detaching"), Value::Bool(true));
    assert_no_changes(&h.plan(&grown).await);

    // Drift: a tag changed and the volume detached behind terrane's back.
    let client = ec2().await;
    client
        .create_tags()
        .resources(&id)
        .tags(aws_sdk_ec2::types::Tag::builder().key("env").value("drifted").build())
        .send()
        .await
        .unwrap();
    // The instance drifts too: as hashicorp/aws, its `ebs_block_device` lists every volume
    // attached to it, with the volume's tags.
    let p = h.plan(&grown).await;
    let mut found = drift(&p);
    found.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(found, vec![(vol.to_string(), Action::Update), ("aws_instance.d".to_string(), Action::Update)]);
    assert_eq!(actions(&p), vec![(vol.to_string(), Action::Update)]);
    client.detach_volume().volume_id(&id).instance_id(&instance).device("/dev/sdh").send().await.unwrap();
    let p = h.plan(&grown).await;
    let mut found = drift(&p);
    found.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        found,
        vec![
            (vol.to_string(), Action::Update),
            ("aws_instance.d".to_string(), Action::Update),
            (att.to_string(), Action::Delete)
        ]
    );
    assert_eq!(change(&p, att).action, Action::Create);
    let state = h.apply(&grown).await;
    assert_eq!(volume(&id).await.state().map(|s| s.as_str()), Some("in-use"), "attached again");
    assert_eq!(h.str_attr(&state, att, "id"), vai);
    assert_no_changes(&h.plan(&grown).await);

    // Import: the volume by ID, the attachment by DEVICE_NAME:VOLUME_ID:INSTANCE_ID.
    assert_import(&h, &grown, &state, vol, &id, &["final_snapshot", "timeouts"]).await;
    assert_import(&h, &grown, &state, att, &format!("/dev/sdh:{id}:{instance}"), &["stop_instance_before_detaching"])
        .await;
    let err = h.provider(&grown).await.import("aws_volume_attachment", &id).await.unwrap_err();
    assert!(err.message.contains("DEVICE_NAME:VOLUME_ID:INSTANCE_ID"), "{}", err.message);

    // Encryption makes a new volume: the attachment goes first (stopping the instance, as
    // asked), the old volume leaves a final snapshot, the new one is attached.
    d = Disk { encrypted: true, ..d };
    let encrypted = disk(&d);
    let p = h.plan(&encrypted).await;
    assert_eq!(change(&p, vol).action, Action::DeleteThenCreate);
    assert_eq!(change(&p, vol).replace_paths, vec![attr_path("encrypted")]);
    assert_eq!(change(&p, att).action, Action::DeleteThenCreate);
    assert_eq!(change(&p, "aws_instance.d").action, Action::NoOp);
    let state = h.apply(&encrypted).await;
    let id2 = h.str_attr(&state, vol, "id");
    assert_ne!(id2, id);
    assert_eq!(h.attr(&state, vol, "encrypted"), Value::Bool(true));
    assert!(!h.str_attr(&state, vol, "kms_key_id").is_empty(), "the default EBS key");
    assert!(client.describe_volumes().volume_ids(&id).send().await.is_err(), "the old volume is gone");
    let snaps = client
        .describe_snapshots()
        .filters(aws_sdk_ec2::types::Filter::builder().name("volume-id").values(&id).build())
        .send()
        .await
        .unwrap();
    let snap = snaps.snapshots().first().expect("a final snapshot of the old volume");
    assert!(snap.tags().iter().any(|t| t.key() == Some("Name") && t.value() == Some(tag.as_str())));
    let stopped = client.describe_instances().instance_ids(&instance).send().await.unwrap();
    let state_name = stopped.reservations()[0].instances()[0].state().and_then(|s| s.name()).cloned();
    assert_eq!(state_name.map(|s| s.as_str().to_string()).as_deref(), Some("stopped"));
    assert_eq!(volume(&id2).await.attachments()[0].instance_id(), Some(instance.as_str()));
    assert_no_changes(&h.plan(&encrypted).await);

    let state = h.destroy(&encrypted).await;
    assert!(state.resources.is_empty());
    assert!(client.describe_volumes().volume_ids(&id2).send().await.is_err(), "deleted in moto");
    let _ = client.delete_snapshot().snapshot_id(snap.snapshot_id().unwrap()).send().await;
}

/// CRC-32 (IEEE), to check Terraform's attachment IDs independently of the provider's code.
fn crc32(bytes: &[u8]) -> u32 {
    let table: Vec<u32> =
        (0..256u32).map(|n| (0..8).fold(n, |c, _| if c & 1 == 1 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 })).collect();
    !bytes.iter().fold(!0u32, |c, &b| table[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8))
}

#[tokio::test]
async fn volume_arguments_are_checked_at_plan_time() {
    let _g = EXCLUSIVE.read().await;
    let h = Harness::new();
    let err = plan_error(
        &h,
        "resource \"aws_ebs_volume\" \"v\" {\n  availability_zone = \"eu-west-1a\"\n  size = 10\n  type = \"io2\"\n}\n",
    )
    .await;
    assert!(err.contains("'iops' must be set when 'type' is 'io2'"), "{err}");
    let err = plan_error(&h, "resource \"aws_ebs_volume\" \"v\" {\n  availability_zone = \"eu-west-1a\"\n}\n").await;
    assert!(err.contains("one of `size,snapshot_id` must be specified"), "{err}");
}

// ------------------------------------------------------- aws_elasticache_cluster (memcached)

/// A second provider configuration, `aws.fast`, that does not retry: moto answers the
/// ElastiCache calls it lacks with HTTP 500, which the SDK would otherwise retry for minutes.
fn fast_provider() -> String {
    support::provider_block().replacen(
        "provider \"aws\" {",
        "provider \"aws\" {\n  alias       = \"fast\"\n  max_retries = 1",
        1,
    )
}

fn memcached(id: &str, node_type: &str, nodes: usize, env: &str, extra: &str) -> String {
    let zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c", "eu-west-1a"][..nodes]
        .iter()
        .map(|z| format!("\"{z}\""))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        r#"{}
resource "aws_elasticache_cluster" "mc" {{
  provider                     = aws.fast
  cluster_id                   = "{id}"
  engine                       = "memcached"
  engine_version               = "1.6.22"
  node_type                    = "{node_type}"
  num_cache_nodes              = {nodes}
  az_mode                      = "cross-az"
  preferred_availability_zones = [{zones}]
  {extra}
  tags = {{
    env = "{env}"
  }}
}}
"#,
        fast_provider()
    )
}

#[tokio::test]
async fn memcached_cluster_lifecycle() {
    let _g = EXCLUSIVE.read().await;
    let h = Harness::new();
    let id = unique("mc");
    let addr = "aws_elasticache_cluster.mc";
    let src = memcached(&id, "cache.t3.micro", 3, "a", "");
    let p = h.plan(&src).await;
    // Memcached's defaults, known at plan time.
    assert_eq!(change(&p, addr).after.get_attr("port"), Some(&Value::from(11211i64)));
    assert_eq!(change(&p, addr).after.get_attr("parameter_group_name"), Some(&Value::from("default.memcached1.6")));
    let state = h.apply(&src).await;
    assert_eq!(h.str_attr(&state, addr, "id"), id);
    assert_eq!(h.str_attr(&state, addr, "engine"), "memcached");
    assert_eq!(h.attr(&state, addr, "num_cache_nodes"), Value::from(3i64));
    assert_eq!(h.attr(&state, addr, "port"), Value::from(11211i64));
    assert_eq!(h.str_attr(&state, addr, "az_mode"), "cross-az");
    assert_eq!(
        strings(&h.attr(&state, addr, "preferred_availability_zones")),
        vec!["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    );
    assert!(h.str_attr(&state, addr, "arn").ends_with(&format!(":cluster:{id}")));
    let live = elasticache().await.describe_cache_clusters().cache_cluster_id(&id).send().await.unwrap();
    let live = &live.cache_clusters()[0];
    assert_eq!((live.engine(), live.num_cache_nodes()), (Some("memcached"), Some(3)));
    assert_no_changes(&h.plan(&src).await);

    // In place: tags.
    let retagged = memcached(&id, "cache.t3.micro", 3, "b", "");
    assert_eq!(actions(&h.plan(&retagged).await), vec![(addr.to_string(), Action::Update)]);
    let state = h.apply(&retagged).await;
    assert_eq!(h.attr(&state, addr, "tags"), Value::map(Type::String, [("env".to_string(), Value::from("b"))].into()));
    assert_no_changes(&h.plan(&retagged).await);

    // In place: a fourth node, with ModifyCacheCluster (NewAvailabilityZones from the list),
    // which moto lacks: the call is made and fails clearly.
    let bigger = memcached(&id, "cache.t3.micro", 4, "b", "");
    assert_eq!(actions(&h.plan(&bigger).await), vec![(addr.to_string(), Action::Update)]);
    let (diags, _) = run(&h, &bigger, PlanMode::Normal).await;
    assert!(diags.contains(&format!("updating ElastiCache cluster {id}")), "{diags}");

    // Drift: a tag changed through the API.
    let arn = h.str_attr(&state, addr, "arn");
    let tag = aws_sdk_elasticache::types::Tag::builder().key("env").value("drifted").build();
    elasticache().await.add_tags_to_resource().resource_name(&arn).tags(tag).send().await.unwrap();
    let p = h.plan(&retagged).await;
    assert_eq!(drift(&p), vec![(addr.to_string(), Action::Update)]);
    let state = h.apply(&retagged).await;
    assert_no_changes(&h.plan(&retagged).await);

    // Import by ID: what AWS reports (moto leaves out the port and parameter group, kept from
    // the configuration in state; preferred_availability_zones is never read back, as in
    // Terraform).
    let keys = ["id", "cluster_id", "arn", "engine", "node_type", "num_cache_nodes", "tags", "tags_all"];
    let imported = h.provider(&retagged).await.import("aws_elasticache_cluster", &id).await.unwrap();
    let stored = h.value(&state, addr);
    for k in keys {
        assert_eq!(imported.get_attr(k), stored.get_attr(k), "{addr}.{k} differs after import");
    }

    // Memcached cannot change node type in place: a new one replaces the cluster.
    let p = h.plan(&memcached(&id, "cache.t3.small", 3, "b", "")).await;
    assert_eq!(change(&p, addr).action, Action::DeleteThenCreate);
    assert_eq!(change(&p, addr).replace_paths, vec![attr_path("node_type")]);
    let state = h.apply(&memcached(&id, "cache.t3.small", 3, "b", "")).await;
    assert_eq!(h.str_attr(&state, addr, "node_type"), "cache.t3.small");
    let live = elasticache().await.describe_cache_clusters().cache_cluster_id(&id).send().await.unwrap();
    assert_eq!(live.cache_clusters()[0].cache_node_type(), Some("cache.t3.small"));

    let (diags, state) = run(&h, &memcached(&id, "cache.t3.small", 3, "b", ""), PlanMode::Destroy).await;
    assert!(diags.is_empty(), "{diags}");
    assert!(!in_state(&state, addr));
    assert!(elasticache().await.describe_cache_clusters().cache_cluster_id(&id).send().await.is_err());
}

#[tokio::test]
async fn redis_only_arguments_are_refused_for_memcached() {
    let _g = EXCLUSIVE.read().await;
    let h = Harness::new();
    let id = unique("mc");
    for (extra, what) in [
        ("snapshot_retention_limit = 3", "snapshot_retention_limit"),
        ("snapshot_window = \"05:00-06:00\"", "snapshot_window"),
        ("final_snapshot_identifier = \"last\"", "final_snapshot_identifier"),
    ] {
        let err = plan_error(&h, &memcached(&id, "cache.t3.micro", 2, "a", extra)).await;
        assert!(err.contains(&format!("engine \"memcached\" does not support {what}")), "{err}");
    }
    let err = plan_error(&h, &memcached(&id, "cache.t3.micro", 1, "a", "")).await;
    assert!(err.contains("az_mode \"cross-az\" is not supported with num_cache_nodes = 1"), "{err}");
    let err = plan_error(
        &h,
        &memcached(&id, "cache.t3.micro", 2, "a", "")
            .replace("\"memcached\"", "\"redis\"")
            .replace("engine_version               = \"1.6.22\"", ""),
    )
    .await;
    assert!(err.contains("engine \"redis\" does not support num_cache_nodes > 1"), "{err}");
    let err =
        plan_error(&h, &memcached(&id, "cache.t3.micro", 3, "a", "").replace("\"eu-west-1c\"", "").replace(", ]", "]"))
            .await;
    assert!(err.contains("preferred_availability_zones"), "{err}");
}

// ------------------------------------------------------------------- batched refresh

#[tokio::test]
async fn refresh_of_many_certificates_and_volumes_is_batched() {
    let _g = EXCLUSIVE.write().await;
    let h = Harness::new();
    let prefix = unique("many");
    let src = format!(
        r#"
resource "aws_acm_certificate" "many" {{
  count             = 5
  domain_name       = "${{count.index}}.{prefix}.example.com"
  validation_method = "DNS"
}}

resource "aws_ebs_volume" "many" {{
  count             = 4
  availability_zone = "eu-west-1b"
  size              = 1 + count.index
  tags = {{
    Name = "{prefix}"
  }}
}}
"#
    );
    h.apply(&src).await;
    h.calls.reset();
    assert_no_changes(&h.plan(&src).await);
    let calls = h.calls.snapshot();
    let count = |op: &str| calls.get(op).copied().unwrap_or(0);
    assert_eq!(count("EC2.DescribeVolumes"), 1, "{calls:?}");
    assert_eq!(count("ACM.ListCertificates"), 1, "{calls:?}");
    // moto's summaries lack the SAN list, so every certificate is described; against AWS the
    // summaries of certificates whose records are in state are enough.
    assert_eq!(count("ACM.DescribeCertificate"), 5, "{calls:?}");
    assert_eq!(count("ACM.ListTagsForCertificate"), 5, "{calls:?}");
    eprintln!("API calls of a refresh of 5 certificates and 4 volumes: {calls:?}");
    assert!(h.destroy(&src).await.resources.is_empty());
}

/// `options` (transparency logging) is sent with the request and read back; a certificate
/// that sets none records what ACM gives it; `renewal_summary` and `pending_renewal` are
/// read; `early_renewal_duration` is refused by name. (moto has no UpdateCertificateOptions,
/// so changing the preference in place is not exercised here.)
#[tokio::test]
async fn certificate_options_and_renewal_attributes() {
    let _shared = EXCLUSIVE.read().await;
    let h = Harness::new();
    let domain = format!("{}.example.com", unique("opts"));
    let src = format!(
        r#"
resource "aws_acm_certificate" "quiet" {{
  domain_name       = "{domain}"
  validation_method = "DNS"
  options {{
    certificate_transparency_logging_preference = "DISABLED"
  }}
}}

resource "aws_acm_certificate" "plain" {{
  domain_name       = "plain.{domain}"
  validation_method = "DNS"
}}
"#
    );
    let state = h.apply(&src).await;
    let quiet = h.value(&state, "aws_acm_certificate.quiet");
    let pref = |v: &Value| {
        v.get_attr("options")
            .and_then(Value::as_seq)
            .and_then(|o| o.first().cloned())
            .and_then(|o| o.get_attr("certificate_transparency_logging_preference").cloned())
    };
    assert_eq!(pref(&quiet), Some(Value::from("DISABLED")));
    assert_eq!(quiet.get_attr("pending_renewal"), Some(&Value::Bool(false)));
    assert!(quiet.get_attr("renewal_summary").and_then(Value::as_seq).is_some(), "{quiet:?}");
    let arn = h.str_attr(&state, "aws_acm_certificate.quiet", "arn");
    let described = acm().await.describe_certificate().certificate_arn(&arn).send().await.unwrap();
    let options = described.certificate().and_then(|c| c.options()).unwrap();
    assert_eq!(options.certificate_transparency_logging_preference().map(|p| p.as_str()), Some("DISABLED"));
    assert_eq!(pref(&h.value(&state, "aws_acm_certificate.plain")), Some(Value::from("ENABLED")), "ACM's default");
    assert_no_changes(&h.plan(&src).await);

    let early = src.replace(
        "validation_method = \"DNS\"\n  options",
        "validation_method = \"DNS\"\n  early_renewal_duration = \"P90D\"\n  options",
    );
    let err = plan_error(&h, &early).await;
    assert!(err.contains("\"early_renewal_duration\"") && err.contains("private CA"), "{err}");
    h.destroy(&src).await;
}

/// `skip_requesting_account_id = true`: no STS call, and the ARNs the provider builds have no
/// account ID, as hashicorp/aws 5.100.0 writes them in that case (its state of an instance on
/// moto reads `arn:aws:ec2:eu-west-1::instance/i-…`).
#[tokio::test]
async fn without_the_account_id_arns_have_none_and_sts_is_not_asked() {
    let mut h = Harness::new();
    h.provider = support::provider_block_at(support::MOTO, "skip_requesting_account_id = true");
    let src = r#"
resource "aws_ebs_volume" "v" {
  availability_zone = "eu-west-1a"
  size              = 1
}
"#;
    h.calls.reset();
    let state = h.apply(src).await;
    let id = h.str_attr(&state, "aws_ebs_volume.v", "id");
    assert_eq!(h.str_attr(&state, "aws_ebs_volume.v", "arn"), format!("arn:aws:ec2:eu-west-1::volume/{id}"));
    assert_eq!(h.calls.snapshot().get("STS.GetCallerIdentity"), None);
    assert!(h.destroy(src).await.resources.is_empty());
}
