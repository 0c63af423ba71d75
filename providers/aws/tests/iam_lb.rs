//! IAM (role, inline policy, instance profile) and the load balancer in front of the cluster
//! (load balancer, target groups, listeners, target attachment) against moto: create, re-plan
//! clean, update in place, replace, drift, import, destroy to nothing.

mod support;

use support::change;

use support::{Harness, actions, assert_no_changes, elbv2, iam, unique};
use terrane_engine::plan::Action;
use terrane_engine::provider::Provider;
use terrane_engine::state::State;
use terrane_engine::value::{PathStep, Type, Value};

/// Imports `addr`'s object by `id` and checks every attribute matches the state (but `skip`).
async fn assert_import_matches(p: &dyn Provider, h: &Harness, state: &State, addr: &str, id: &str, skip: &[&str]) {
    let stored = h.value(state, addr);
    let type_name = addr.split('.').next().unwrap();
    let imported = p.import(type_name, id).await.unwrap_or_else(|e| panic!("importing {addr} ({id}): {}", e.message));
    for (k, v) in stored.as_map().unwrap() {
        if skip.contains(&k.as_str()) {
            continue;
        }
        assert_eq!(imported.get_attr(k), Some(v), "{addr}.{k} differs after import");
    }
}

// -------------------------------------------------------------------------------------------
// IAM
// -------------------------------------------------------------------------------------------

/// The assume role policy as people write it: indented, keys in another order than AWS's and
/// Terraform's normalised form, a one-element list where AWS keeps a string.
const TRUST_POLICY: &str = r#"<<EOF
{
  "Statement": [
    {
      "Action": ["sts:AssumeRole"],
      "Principal": { "Service": "ec2.amazonaws.com" },
      "Effect": "Allow"
    }
  ],
  "Version": "2012-10-17"
}
EOF"#;

struct IamArgs<'a> {
    role: &'a str,
    profile: &'a str,
    description: &'a str,
    max_session: i64,
    tag: &'a str,
    action: &'a str,
    trust: &'a str,
    /// More arguments of the role.
    extra: &'a str,
}

fn iam_config(a: &IamArgs) -> String {
    r#"
resource "aws_iam_role" "node" {
  name                 = "ROLE"
  description          = "DESCRIPTION"
  max_session_duration = MAX_SESSION
  EXTRA
  assume_role_policy   = TRUST
  tags = {
    team = "TAG"
  }
}

resource "aws_iam_role_policy" "logs" {
  name = "logs"
  role = aws_iam_role.node.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["ACTION"]
      Resource = "*"
    }]
  })
}

resource "aws_iam_instance_profile" "node" {
  name = "PROFILE"
  role = aws_iam_role.node.name
  tags = {
    team = "TAG"
  }
}
"#
    .replace("ROLE", a.role)
    .replace("PROFILE", a.profile)
    .replace("DESCRIPTION", a.description)
    .replace("MAX_SESSION", &a.max_session.to_string())
    .replace("TAG", a.tag)
    .replace("ACTION", a.action)
    .replace("TRUST", a.trust)
    .replace("EXTRA", a.extra)
}

#[tokio::test]
async fn iam_role_policy_and_instance_profile_lifecycle() {
    let h = Harness::new();
    let role = unique("node-role");
    let profile = unique("node-profile");
    let mut args = IamArgs {
        role: &role,
        profile: &profile,
        description: "swarm nodes",
        max_session: 3600,
        tag: "platform",
        action: "logs:PutLogEvents",
        trust: TRUST_POLICY,
        extra: "",
    };
    let src = iam_config(&args);
    let p = h.plan(&src).await;
    assert_eq!(actions(&p).len(), 3, "{:?}", actions(&p));
    let state = h.apply(&src).await;

    // What terrane stores is Terraform's normalised JSON; the ID forms are Terraform's.
    assert_eq!(
        h.str_attr(&state, "aws_iam_role.node", "assume_role_policy"),
        r#"{"Statement":[{"Action":["sts:AssumeRole"],"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"}}],"Version":"2012-10-17"}"#
    );
    assert_eq!(h.str_attr(&state, "aws_iam_role.node", "id"), role);
    assert!(h.str_attr(&state, "aws_iam_role.node", "arn").ends_with(&format!(":role/{role}")));
    assert!(!h.str_attr(&state, "aws_iam_role.node", "unique_id").is_empty());
    assert!(h.str_attr(&state, "aws_iam_role.node", "create_date").ends_with('Z'));
    assert_eq!(h.attr(&state, "aws_iam_role.node", "path"), Value::from("/"));
    assert_eq!(h.str_attr(&state, "aws_iam_role_policy.logs", "id"), format!("{role}:logs"));
    assert!(
        h.str_attr(&state, "aws_iam_role_policy.logs", "policy").starts_with(r#"{"Version":"2012-10-17","#),
        "Version first, as Terraform stores it"
    );
    assert_eq!(h.str_attr(&state, "aws_iam_instance_profile.node", "role"), role);

    // What AWS holds matches.
    let client = iam().await;
    let got = client.get_role().role_name(&role).send().await.unwrap();
    assert_eq!(got.role().unwrap().description(), Some("swarm nodes"));
    let got = client.get_instance_profile().instance_profile_name(&profile).send().await.unwrap();
    assert_eq!(got.instance_profile().unwrap().roles()[0].role_name(), role);

    assert_no_changes(&h.plan(&src).await);

    // The same policies written differently plan no change ...
    let reordered = iam_config(&IamArgs {
        trust: r#"jsonencode({ Version = "2012-10-17", Statement = { Effect = "Allow", Principal = { Service = ["ec2.amazonaws.com"] }, Action = "sts:AssumeRole" } })"#,
        ..args
    });
    assert_no_changes(&h.plan(&reordered).await);
    // ... and neither does AWS holding them in another form.
    let pretty = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"sts:AssumeRole\", \"Principal\": {\"Service\": \"ec2.amazonaws.com\"}}]\n}";
    client.update_assume_role_policy().role_name(&role).policy_document(pretty).send().await.unwrap();
    let p = h.plan(&src).await;
    assert!(
        p.drift.is_empty(),
        "an equivalent policy is no drift: {:?}",
        p.drift.iter().map(|c| c.addr.to_string()).collect::<Vec<_>>()
    );
    assert_no_changes(&p);
    // (AWS's copy back as terrane wrote it, so that import below reads what state holds.)
    let stored = h.str_attr(&state, "aws_iam_role.node", "assume_role_policy");
    client.update_assume_role_policy().role_name(&role).policy_document(&stored).send().await.unwrap();

    // In place: description, session length, permissions boundary, tags, the inline policy.
    let boundary = "arn:aws:iam::aws:policy/PowerUserAccess";
    let with_boundary = format!("permissions_boundary = \"{boundary}\"");
    args = IamArgs {
        extra: &with_boundary,
        description: "swarm managers and workers",
        max_session: 7200,
        tag: "ops",
        action: "logs:CreateLogStream",
        ..args
    };
    let updated = iam_config(&args);
    let p = h.plan(&updated).await;
    let mut acts = actions(&p);
    acts.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        acts,
        vec![
            ("aws_iam_instance_profile.node".to_string(), Action::Update),
            ("aws_iam_role.node".to_string(), Action::Update),
            ("aws_iam_role_policy.logs".to_string(), Action::Update),
        ]
    );
    let state = h.apply(&updated).await;
    assert_eq!(h.attr(&state, "aws_iam_role.node", "max_session_duration"), Value::from(7200i64));
    let got = client.get_role().role_name(&role).send().await.unwrap();
    let r = got.role().unwrap();
    assert_eq!((r.description(), r.max_session_duration()), (Some("swarm managers and workers"), Some(7200)));
    assert_eq!(r.permissions_boundary().and_then(|b| b.permissions_boundary_arn()), Some(boundary));
    let visible = r.tags().iter().filter(|t| t.key() != "terrane:create-token");
    assert_eq!(visible.map(|t| (t.key(), t.value())).collect::<Vec<_>>(), vec![("team", "ops")]);
    let doc = client.get_role_policy().role_name(&role).policy_name("logs").send().await.unwrap();
    assert!(doc.policy_document().contains("CreateLogStream"));
    assert_no_changes(&h.plan(&updated).await);

    // Import reproduces the state.
    let p = h.provider(&updated).await;
    assert_import_matches(p.as_ref(), &h, &state, "aws_iam_role.node", &role, &[]).await;
    assert_import_matches(p.as_ref(), &h, &state, "aws_iam_role_policy.logs", &format!("{role}:logs"), &[]).await;
    assert_import_matches(p.as_ref(), &h, &state, "aws_iam_instance_profile.node", &profile, &[]).await;
    let missing = p.import("aws_iam_role", &unique("no-such-role")).await;
    assert!(missing.unwrap_err().message.contains("non-existent"));

    // A new role name replaces the role and its inline policy; the profile takes the new role.
    let role2 = format!("{role}-b");
    let renamed = iam_config(&IamArgs { role: &role2, ..args });
    let p = h.plan(&renamed).await;
    let c = change(&p, "aws_iam_role.node");
    assert_eq!(c.action, Action::DeleteThenCreate);
    assert_eq!(c.replace_paths, vec![vec![PathStep::Attr("name".into())]]);
    assert!(change(&p, "aws_iam_role_policy.logs").action.is_replace());
    assert_eq!(change(&p, "aws_iam_instance_profile.node").action, Action::Update);
    let state = h.apply(&renamed).await;
    assert_eq!(h.str_attr(&state, "aws_iam_instance_profile.node", "role"), role2);
    assert!(client.get_role().role_name(&role).send().await.is_err(), "the old role is gone");
    let got = client.get_instance_profile().instance_profile_name(&profile).send().await.unwrap();
    assert_eq!(got.instance_profile().unwrap().roles()[0].role_name(), role2);
    assert_no_changes(&h.plan(&renamed).await);

    // A new path replaces the instance profile (the role stays).
    let moved = renamed.replace(
        "  name = \"PROFILE\"".replace("PROFILE", &profile).as_str(),
        &format!("  name = \"{profile}\"\n  path = \"/swarm/\""),
    );
    assert_ne!(moved, renamed);
    let p = h.plan(&moved).await;
    let c = change(&p, "aws_iam_instance_profile.node");
    assert_eq!(c.action, Action::DeleteThenCreate);
    assert_eq!(c.replace_paths, vec![vec![PathStep::Attr("path".into())]]);
    assert_eq!(actions(&p).len(), 1, "{:?}", actions(&p));
    let state = h.apply(&moved).await;
    assert!(
        h.str_attr(&state, "aws_iam_instance_profile.node", "arn")
            .ends_with(&format!(":instance-profile/swarm/{profile}"))
    );
    let got = client.get_instance_profile().instance_profile_name(&profile).send().await.unwrap();
    assert_eq!(got.instance_profile().unwrap().path(), "/swarm/");
    assert_eq!(got.instance_profile().unwrap().roles()[0].role_name(), role2);
    assert_no_changes(&h.plan(&moved).await);

    // force_detach_policies (and no boundary any more): the role goes even with policies
    // attached and written behind terrane's back.
    let detaching = moved.replace(&with_boundary, "force_detach_policies = true");
    let p = h.plan(&detaching).await;
    assert_eq!(actions(&p), vec![("aws_iam_role.node".to_string(), Action::Update)]);
    h.apply(&detaching).await;
    let got = client.get_role().role_name(&role2).send().await.unwrap();
    assert_eq!(got.role().unwrap().permissions_boundary(), None);
    // (moto has no AWS managed policies: a policy of our own stands in.)
    let read_only =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"}]}"#;
    let managed =
        client.create_policy().policy_name(unique("read-only")).policy_document(read_only).send().await.unwrap();
    let managed_arn = managed.policy().and_then(|p| p.arn()).unwrap().to_string();
    client.attach_role_policy().role_name(&role2).policy_arn(&managed_arn).send().await.unwrap();
    let extra = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;
    client.put_role_policy().role_name(&role2).policy_name("extra").policy_document(extra).send().await.unwrap();
    let renamed = detaching;

    // Destroy leaves nothing.
    let state = h.destroy(&renamed).await;
    assert!(state.resources.is_empty());
    use aws_sdk_iam::error::ProvideErrorMetadata;
    let role_left = client.get_role().role_name(&role2).send().await.err().and_then(|e| e.code().map(str::to_string));
    assert_eq!(role_left.as_deref(), Some("NoSuchEntity"));
    let profile_left = client
        .get_instance_profile()
        .instance_profile_name(&profile)
        .send()
        .await
        .err()
        .and_then(|e| e.code().map(str::to_string));
    assert_eq!(profile_left.as_deref(), Some("NoSuchEntity"));
    client.delete_policy().policy_arn(&managed_arn).send().await.unwrap();
}

#[tokio::test]
async fn generated_iam_names_carry_their_prefix() {
    let h = Harness::new();
    let src = r#"
resource "aws_iam_role" "gen" {
  name_prefix        = "terrane-test-"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }] })
}
"#;
    let state = h.apply(src).await;
    let name = h.str_attr(&state, "aws_iam_role.gen", "name");
    assert!(name.starts_with("terrane-test-") && name.len() == "terrane-test-".len() + 26, "{name}");
    assert_eq!(h.str_attr(&state, "aws_iam_role.gen", "name_prefix"), "terrane-test-");
    assert_no_changes(&h.plan(src).await);
    // Imported, the prefix is found from the name.
    let p = h.provider(src).await;
    assert_import_matches(p.as_ref(), &h, &state, "aws_iam_role.gen", &name, &[]).await;
    assert!(h.destroy(src).await.resources.is_empty());
}

// -------------------------------------------------------------------------------------------
// Load balancer
// -------------------------------------------------------------------------------------------

struct LbArgs<'a> {
    net: &'a str,
    cidr: &'a str,
    lb: &'a str,
    internal: bool,
    idle: i64,
    env: &'a str,
    dereg: i64,
    hc_path: &'a str,
    http_port: i64,
    message: &'a str,
    ip_port: i64,
    attach_port: i64,
    security_groups: &'a str,
}

fn lb_config(a: &LbArgs) -> String {
    let target_ip = a.cidr.replace("0.0/16", "1.10");
    r#"
resource "aws_vpc" "lb" {
  cidr_block = "CIDR"
  tags = {
    Name = "NET"
  }
}

resource "aws_subnet" "lb" {
  count             = 2
  vpc_id            = aws_vpc.lb.id
  cidr_block        = cidrsubnet(aws_vpc.lb.cidr_block, 8, count.index + 1)
  availability_zone = ["eu-west-1a", "eu-west-1b"][count.index]
}

resource "aws_security_group" "lb" {
  name   = "NET-lb"
  vpc_id = aws_vpc.lb.id
}

resource "aws_security_group" "lb2" {
  name   = "NET-lb2"
  vpc_id = aws_vpc.lb.id
}

resource "aws_lb" "web" {
  name               = "LBNAME"
  internal           = INTERNAL
  load_balancer_type = "application"
  security_groups    = [SECURITY_GROUPS]
  subnets            = aws_subnet.lb[*].id
  idle_timeout       = IDLE
  tags = {
    Name = "LBNAME"
    env  = "ENV"
  }
}

resource "aws_lb_target_group" "web" {
  name                 = "LBNAME"
  port                 = 8080
  protocol             = "HTTP"
  vpc_id               = aws_vpc.lb.id
  deregistration_delay = DEREG

  health_check {
    path     = "HCPATH"
    interval = 15
    matcher  = "200-299"
  }

  stickiness {
    type            = "lb_cookie"
    cookie_duration = 3600
  }
}

resource "aws_lb_target_group" "ip" {
  name_prefix = "ip-"
  port        = IP_PORT
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = aws_vpc.lb.id
}

resource "aws_lb_target_group_attachment" "ip" {
  target_group_arn = aws_lb_target_group.ip.arn
  target_id        = "TARGET_IP"
  port             = ATTACH_PORT
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = HTTP_PORT
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

resource "aws_lb_listener" "redirect" {
  load_balancer_arn = aws_lb.web.arn
  port              = 8443

  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}

resource "aws_lb_listener" "fixed" {
  load_balancer_arn = aws_lb.web.arn
  port              = 9999
  protocol          = "HTTP"

  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "MESSAGE"
      status_code  = "404"
    }
  }

  tags = {
    kind = "fixed"
  }
}
"#
    .replace("CIDR", a.cidr)
    .replace("NET", a.net)
    .replace("LBNAME", a.lb)
    .replace("INTERNAL", &a.internal.to_string())
    .replace("IDLE", &a.idle.to_string())
    .replace("ENV", a.env)
    .replace("DEREG", &a.dereg.to_string())
    .replace("HCPATH", a.hc_path)
    .replace("HTTP_PORT", &a.http_port.to_string())
    .replace("MESSAGE", a.message)
    .replace("TARGET_IP", &target_ip)
    .replace("ATTACH_PORT", &a.attach_port.to_string())
    .replace("SECURITY_GROUPS", a.security_groups)
    .replace("IP_PORT", &a.ip_port.to_string())
}

/// A load balancer name unique to this run (`web-123456789-0`: well under 32 characters).
fn lb_name(prefix: &str) -> String {
    unique(prefix)
}

#[tokio::test]
async fn load_balancer_lifecycle_drift_and_import() {
    let h = Harness::new();
    let net = unique("lbnet");
    let lb = lb_name("web");
    let mut args = LbArgs {
        net: &net,
        cidr: "10.61.0.0/16",
        lb: &lb,
        internal: false,
        idle: 60,
        env: "dev",
        dereg: 300,
        hc_path: "/health",
        http_port: 80,
        message: "not here",
        ip_port: 9000,
        attach_port: 9000,
        security_groups: "aws_security_group.lb.id",
    };
    let src = lb_config(&args);
    let state = h.apply(&src).await;

    let arn = h.str_attr(&state, "aws_lb.web", "arn");
    assert_eq!(h.str_attr(&state, "aws_lb.web", "id"), arn);
    assert!(h.str_attr(&state, "aws_lb.web", "arn_suffix").starts_with(&format!("app/{lb}/")));
    assert!(!h.str_attr(&state, "aws_lb.web", "dns_name").is_empty());
    assert!(!h.str_attr(&state, "aws_lb.web", "zone_id").is_empty());
    assert_eq!(h.str_attr(&state, "aws_lb.web", "vpc_id"), h.str_attr(&state, "aws_vpc.lb", "id"));
    assert_eq!(h.attr(&state, "aws_lb.web", "internal"), Value::Bool(false));
    assert_eq!(h.attr(&state, "aws_lb.web", "subnets").as_seq().map(<[Value]>::len), Some(2));
    let tg = h.str_attr(&state, "aws_lb_target_group.web", "arn");
    assert!(h.str_attr(&state, "aws_lb_target_group.web", "arn_suffix").starts_with(&format!("targetgroup/{lb}/")));
    assert!(h.str_attr(&state, "aws_lb_target_group.ip", "name").starts_with("ip-"));
    assert_eq!(h.str_attr(&state, "aws_lb_target_group.ip", "name_prefix"), "ip-");
    // Left out, the health check is AWS's.
    assert_eq!(h.attr(&state, "aws_lb_target_group.ip", "health_check").as_seq().map(<[Value]>::len), Some(1));
    assert!(
        h.str_attr(&state, "aws_lb_target_group_attachment.ip", "id")
            .starts_with(&format!("{}-", h.str_attr(&state, "aws_lb_target_group.ip", "arn")))
    );
    let actions_v = h.attr(&state, "aws_lb_listener.http", "default_action");
    let action = &actions_v.as_seq().unwrap()[0];
    assert_eq!(action.get_attr("target_group_arn"), Some(&Value::from(tg.as_str())));
    assert_eq!(action.get_attr("order"), Some(&Value::from(1i64)));

    // What AWS holds matches.
    let client = elbv2().await;
    let got = client.describe_load_balancers().names(&lb).send().await.unwrap();
    assert_eq!(got.load_balancers()[0].state().and_then(|s| s.code()).map(|c| c.as_str()), Some("active"));
    let attrs = client.describe_target_group_attributes().target_group_arn(&tg).send().await.unwrap();
    let attr =
        |k: &str| attrs.attributes().iter().find(|a| a.key() == Some(k)).and_then(|a| a.value()).map(str::to_string);
    assert_eq!(attr("stickiness.enabled").as_deref(), Some("true"));
    assert_eq!(attr("stickiness.lb_cookie.duration_seconds").as_deref(), Some("3600"));
    let listeners = client.describe_listeners().load_balancer_arn(&arn).send().await.unwrap();
    assert_eq!(listeners.listeners().len(), 3);

    assert_no_changes(&h.plan(&src).await);

    // In place: load balancer attribute, tag and security groups, target group health check and
    // attribute, listener port and fixed response.
    args = LbArgs {
        security_groups: "aws_security_group.lb.id, aws_security_group.lb2.id",
        idle: 120,
        env: "prod",
        dereg: 30,
        hc_path: "/healthz",
        http_port: 8080,
        message: "gone fishing",
        ..args
    };
    let updated = lb_config(&args);
    let p = h.plan(&updated).await;
    let mut acts = actions(&p);
    acts.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        acts,
        vec![
            ("aws_lb.web".to_string(), Action::Update),
            ("aws_lb_listener.fixed".to_string(), Action::Update),
            ("aws_lb_listener.http".to_string(), Action::Update),
            ("aws_lb_target_group.web".to_string(), Action::Update),
        ]
    );
    let state = h.apply(&updated).await;
    assert_eq!(h.str_attr(&state, "aws_lb.web", "arn"), arn, "updated in place");
    let lb_attrs = client.describe_load_balancer_attributes().load_balancer_arn(&arn).send().await.unwrap();
    assert!(
        lb_attrs
            .attributes()
            .iter()
            .any(|a| a.key() == Some("idle_timeout.timeout_seconds") && a.value() == Some("120"))
    );
    let got = client.describe_load_balancers().load_balancer_arns(&arn).send().await.unwrap();
    assert_eq!(got.load_balancers()[0].security_groups().len(), 2);
    let got = client.describe_target_groups().target_group_arns(&tg).send().await.unwrap();
    assert_eq!(got.target_groups()[0].health_check_path(), Some("/healthz"));
    let l = client
        .describe_listeners()
        .listener_arns(h.str_attr(&state, "aws_lb_listener.http", "arn"))
        .send()
        .await
        .unwrap();
    assert_eq!(l.listeners()[0].port(), Some(8080));
    assert_no_changes(&h.plan(&updated).await);

    // Drift: a tag changed through the API shows, and is planned back.
    client
        .add_tags()
        .resource_arns(&arn)
        .tags(aws_sdk_elasticloadbalancingv2::types::Tag::builder().key("env").value("hacked").build())
        .send()
        .await
        .unwrap();
    let p = h.plan(&updated).await;
    let drift: Vec<(String, Action)> = p.drift.iter().map(|c| (c.addr.to_string(), c.action)).collect();
    assert_eq!(drift, vec![("aws_lb.web".to_string(), Action::Update)]);
    assert_eq!(actions(&p), vec![("aws_lb.web".to_string(), Action::Update)]);
    h.apply(&updated).await;
    let tags = client.describe_tags().resource_arns(&arn).send().await.unwrap();
    assert!(tags.tag_descriptions()[0].tags().iter().any(|t| t.key() == Some("env") && t.value() == Some("prod")));
    let state = h.state().await;
    assert_no_changes(&h.plan(&updated).await);

    // Import by ARN reproduces the state; attachments cannot be imported (as in Terraform).
    let p = h.provider(&updated).await;
    for addr in [
        "aws_lb.web",
        "aws_lb_target_group.web",
        "aws_lb_target_group.ip",
        "aws_lb_listener.http",
        "aws_lb_listener.redirect",
        "aws_lb_listener.fixed",
    ] {
        let id = h.str_attr(&state, addr, "id");
        assert_import_matches(p.as_ref(), &h, &state, addr, &id, &[]).await;
    }
    let err = p
        .import("aws_lb_target_group_attachment", &h.str_attr(&state, "aws_lb_target_group_attachment.ip", "id"))
        .await
        .unwrap_err();
    assert!(err.message.contains("cannot be imported"), "{}", err.message);

    // Replacement: an internal load balancer is a new one (and so are its listeners); a new
    // port makes a new target group (and so a new attachment).
    let ip_group = h.str_attr(&state, "aws_lb_target_group.ip", "arn");
    args = LbArgs { internal: true, ip_port: 9100, attach_port: 9001, ..args };
    let replaced = lb_config(&args);
    let p = h.plan(&replaced).await;
    let c = change(&p, "aws_lb.web");
    assert_eq!(c.action, Action::DeleteThenCreate);
    assert_eq!(c.replace_paths, vec![vec![PathStep::Attr("internal".into())]]);
    let c = change(&p, "aws_lb_target_group.ip");
    assert_eq!(
        (c.action, c.replace_paths.clone()),
        (Action::DeleteThenCreate, vec![vec![PathStep::Attr("port".into())]])
    );
    for addr in [
        "aws_lb_listener.http",
        "aws_lb_listener.redirect",
        "aws_lb_listener.fixed",
        "aws_lb_target_group_attachment.ip",
    ] {
        assert!(change(&p, addr).action.is_replace(), "{addr}: {:?}", change(&p, addr).action);
    }
    assert_eq!(change(&p, "aws_lb_target_group.web").action, Action::NoOp);
    let state = h.apply(&replaced).await;
    let arn2 = h.str_attr(&state, "aws_lb.web", "arn");
    assert_ne!(arn2, arn);
    assert_eq!(h.attr(&state, "aws_lb.web", "internal"), Value::Bool(true));
    let targets = client
        .describe_target_health()
        .target_group_arn(h.str_attr(&state, "aws_lb_target_group.ip", "arn"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        targets
            .target_health_descriptions()
            .iter()
            .filter_map(|d| d.target().and_then(|t| t.port()))
            .collect::<Vec<_>>(),
        vec![9001]
    );
    let ip_group2 = h.str_attr(&state, "aws_lb_target_group.ip", "arn");
    assert_ne!(ip_group2, ip_group);
    assert!(
        client.describe_target_groups().target_group_arns(&ip_group).send().await.is_err(),
        "the old target group is gone"
    );
    assert_no_changes(&h.plan(&replaced).await);

    // Destroy leaves nothing.
    let state = h.destroy(&replaced).await;
    assert!(state.resources.is_empty());
    assert!(client.describe_load_balancers().names(&lb).send().await.is_err(), "the load balancer is gone");
    assert!(client.describe_target_groups().names(&lb).send().await.is_err(), "the target group is gone");
    assert!(
        client.describe_target_groups().target_group_arns(&ip_group2).send().await.is_err(),
        "the IP target group is gone"
    );
    assert!(
        client
            .describe_listeners()
            .load_balancer_arn(&arn2)
            .send()
            .await
            .map(|l| l.listeners().is_empty())
            .unwrap_or(true)
    );
}

#[tokio::test]
async fn network_load_balancer_with_computed_health_check() {
    let h = Harness::new();
    let net = unique("nlb");
    let name = lb_name("nlb");
    let src = r#"
resource "aws_vpc" "n" {
  cidr_block = "10.62.0.0/16"
  tags = {
    Name = "NET"
  }
}

resource "aws_subnet" "n" {
  vpc_id            = aws_vpc.n.id
  cidr_block        = "10.62.1.0/24"
  availability_zone = "eu-west-1a"
}

resource "aws_lb" "tcp" {
  name               = "NAME"
  load_balancer_type = "network"
  internal           = true
  subnets            = [aws_subnet.n.id]
}

resource "aws_lb_target_group" "tcp" {
  name     = "NAME"
  port     = 2377
  protocol = "TCP"
  vpc_id   = aws_vpc.n.id
}

resource "aws_lb_listener" "tcp" {
  load_balancer_arn = aws_lb.tcp.arn
  port              = 2377
  protocol          = "TCP"

  default_action {
    type = "forward"
    forward {
      target_group {
        arn = aws_lb_target_group.tcp.arn
      }
    }
  }
}
"#
    .replace("NET", &net)
    .replace("NAME", &name);
    let state = h.apply(&src).await;
    assert_eq!(h.attr(&state, "aws_lb.tcp", "load_balancer_type"), Value::from("network"));
    // AWS names a network load balancer `.../loadbalancer/net/NAME/ID`; moto says `app/` for
    // every type, so only the shape is checked.
    let arn = h.str_attr(&state, "aws_lb.tcp", "arn");
    let suffix = h.str_attr(&state, "aws_lb.tcp", "arn_suffix");
    assert!(
        arn.ends_with(&format!(":loadbalancer/{suffix}")) && suffix.contains(&format!("/{name}/")),
        "{arn} {suffix}"
    );
    let actions_v = h.attr(&state, "aws_lb_listener.tcp", "default_action");
    let action = &actions_v.as_seq().unwrap()[0];
    assert_eq!(
        action.get_attr("target_group_arn"),
        Some(&Value::null(Type::String)),
        "a forward block stays a forward block"
    );
    assert_eq!(val_len(action.get_attr("forward")), 1);
    assert_no_changes(&h.plan(&src).await);
    // idle_timeout means nothing to a network load balancer.
    assert_no_changes(
        &h.plan(&src.replace("internal           = true", "internal           = true\n  idle_timeout       = 300"))
            .await,
    );

    // In place: a TCP health check (no path or matcher: they stay null, plan after plan).
    let checked = src.replace(
        "  protocol = \"TCP\"\n  vpc_id   = aws_vpc.n.id\n",
        "  protocol = \"TCP\"\n  vpc_id   = aws_vpc.n.id\n\n  health_check {\n    protocol = \"tcp\"\n    interval = 10\n  }\n",
    );
    assert_ne!(checked, src);
    let p = h.plan(&checked).await;
    assert_eq!(actions(&p), vec![("aws_lb_target_group.tcp".to_string(), Action::Update)]);
    let state = h.apply(&checked).await;
    let hc_v = h.attr(&state, "aws_lb_target_group.tcp", "health_check");
    let hc = &hc_v.as_seq().unwrap()[0];
    assert_eq!(hc.get_attr("protocol"), Some(&Value::from("TCP")), "stored upper-cased, as Terraform does");
    assert_eq!(hc.get_attr("interval"), Some(&Value::from(10i64)));
    let got = elbv2()
        .await
        .describe_target_groups()
        .target_group_arns(h.str_attr(&state, "aws_lb_target_group.tcp", "arn"))
        .send()
        .await
        .unwrap();
    assert_eq!(got.target_groups()[0].health_check_interval_seconds(), Some(10));
    assert_no_changes(&h.plan(&checked).await);

    let p = h.provider(&checked).await;
    for addr in ["aws_lb.tcp", "aws_lb_target_group.tcp"] {
        let id = h.str_attr(&state, addr, "id");
        assert_import_matches(p.as_ref(), &h, &state, addr, &id, &[]).await;
    }
    assert!(h.destroy(&src).await.resources.is_empty());
}

fn val_len(v: Option<&Value>) -> usize {
    v.and_then(Value::as_seq).map_or(0, <[Value]>::len)
}

#[tokio::test]
async fn refresh_finds_objects_deleted_outside() {
    let h = Harness::new();
    let net = unique("gone");
    let name = lb_name("gone");
    let src = r#"
resource "aws_vpc" "g" {
  cidr_block = "10.63.0.0/16"
  tags = {
    Name = "NET"
  }
}

resource "aws_lb_target_group" "a" {
  name     = "NAME-a"
  port     = 80
  protocol = "HTTP"
  vpc_id   = aws_vpc.g.id
}

resource "aws_lb_target_group" "b" {
  name     = "NAME-b"
  port     = 80
  protocol = "HTTP"
  vpc_id   = aws_vpc.g.id
}

resource "aws_iam_role" "r" {
  name               = "NAME"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "ec2.amazonaws.com" }, Action = "sts:AssumeRole" }] })
}
"#
    .replace("NET", &net)
    .replace("NAME", &name);
    let state = h.apply(&src).await;
    // One of the two groups (read in one batch) and the role go behind terrane's back.
    elbv2()
        .await
        .delete_target_group()
        .target_group_arn(h.str_attr(&state, "aws_lb_target_group.a", "arn"))
        .send()
        .await
        .unwrap();
    iam().await.delete_role().role_name(&name).send().await.unwrap();
    let p = h.plan(&src).await;
    let mut drift: Vec<(String, Action)> = p.drift.iter().map(|c| (c.addr.to_string(), c.action)).collect();
    drift.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        drift,
        vec![("aws_iam_role.r".to_string(), Action::Delete), ("aws_lb_target_group.a".to_string(), Action::Delete)]
    );
    let mut acts = actions(&p);
    acts.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        acts,
        vec![("aws_iam_role.r".to_string(), Action::Create), ("aws_lb_target_group.a".to_string(), Action::Create)]
    );
    assert!(h.destroy(&src).await.resources.is_empty());
}

#[tokio::test]
async fn invalid_arguments_are_refused_at_plan_time() {
    let h = Harness::new();
    let cases = [
        (r#"resource "aws_iam_role" "r" { assume_role_policy = "{not json" }"#, "Invalid assume_role_policy"),
        (
            r#"resource "aws_iam_role" "r" {
  assume_role_policy   = "{}"
  max_session_duration = 60
}"#,
            "Invalid max_session_duration",
        ),
        (
            r#"resource "aws_lb" "l" {
  load_balancer_type = "classic"
  subnets            = ["subnet-1"]
}"#,
            "Invalid load_balancer_type",
        ),
        (r#"resource "aws_lb_target_group" "t" { name = "t" }"#, "Missing required argument"),
        (
            r#"resource "aws_lb_listener" "l" {
  load_balancer_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1"
  default_action {
    type = "forward"
  }
}"#,
            "Invalid default_action",
        ),
    ];
    for (src, summary) in cases {
        let Err(d) = h.try_plan(src, &Default::default()).await else { panic!("must fail: {src}") };
        assert!(d.iter().any(|d| d.summary == summary), "{summary} expected for {src}:\n{d}");
    }
}
