//! `aws_lb`'s load balancer attributes and where it runs, against moto: created with values
//! other than the defaults, changed in place, read back, drift planned back; `subnet_mapping`
//! and `subnets` for a network load balancer; the arguments a type ignores.
//!
//! Not testable on moto (it stores none of them, or lacks the call): `customer_owned_ipv4_pool`
//! and `ipam_pools` (CreateLoadBalancer ignores them, ModifyIpPools is not implemented),
//! `minimum_load_balancer_capacity` (ModifyCapacityReservation is not implemented; its
//! DescribeCapacityReservation reads none), `enforce_security_group_inbound_rules_on_private_link_traffic`
//! (SetSecurityGroups ignores it). Only their reading back is checked here.

mod support;

use std::collections::HashMap;
use support::{Harness, actions, assert_no_changes, change, drift, elbv2, unique};
use terrane_engine::plan::Action;
use terrane_engine::value::{PathStep, Type, Value};

/// The load balancer's attributes as moto holds them.
async fn lb_attributes(arn: &str) -> HashMap<String, String> {
    let out = elbv2().await.describe_load_balancer_attributes().load_balancer_arn(arn).send().await.unwrap();
    out.attributes()
        .iter()
        .filter_map(|a| Some((a.key()?.to_string(), a.value().unwrap_or_default().to_string())))
        .collect()
}

fn network(name: &str, octet: u8) -> String {
    format!(
        r#"
resource "aws_vpc" "v" {{
  cidr_block = "10.{octet}.0.0/16"
  tags = {{
    Name = "{name}"
  }}
}}

resource "aws_subnet" "s" {{
  count             = 3
  vpc_id            = aws_vpc.v.id
  cidr_block        = cidrsubnet(aws_vpc.v.cidr_block, 8, count.index + 1)
  availability_zone = ["eu-west-1a", "eu-west-1b", "eu-west-1c"][count.index]
}}

resource "aws_security_group" "g" {{
  name   = "{name}"
  vpc_id = aws_vpc.v.id
}}
"#
    )
}

struct Alb<'a> {
    name: &'a str,
    http2: bool,
    desync: &'a str,
    idle: i64,
    /// The access_logs block (empty: left out).
    access_logs: &'a str,
}

fn alb(a: &Alb) -> String {
    format!(
        r#"
resource "aws_lb" "web" {{
  name                                        = "{name}"
  subnets                                     = [aws_subnet.s[0].id, aws_subnet.s[1].id]
  security_groups                             = [aws_security_group.g.id]
  idle_timeout                                = {idle}
  enable_http2                                = {http2}
  desync_mitigation_mode                      = "{desync}"
  client_keep_alive                           = 600
  drop_invalid_header_fields                  = true
  preserve_host_header                        = true
  enable_xff_client_port                      = true
  xff_header_processing_mode                  = "preserve"
  enable_tls_version_and_cipher_suite_headers = true
  enable_waf_fail_open                        = true
  enable_zonal_shift                          = true
  enable_cross_zone_load_balancing            = false
  {access_logs}
  connection_logs {{
    bucket  = "{name}-logs"
    enabled = false
  }}
}}
"#,
        name = a.name,
        idle = a.idle,
        http2 = a.http2,
        desync = a.desync,
        access_logs = a.access_logs,
    )
}

fn str_attr(attrs: &HashMap<String, String>, k: &str) -> Option<String> {
    attrs.get(k).cloned()
}

#[tokio::test]
async fn application_load_balancer_attributes_created_changed_read_back_and_drift() {
    let h = Harness::new();
    let name = unique("lba");
    let logs_on =
        format!("access_logs {{\n    bucket  = \"{name}-logs\"\n    prefix  = \"web\"\n    enabled = true\n  }}");
    let mut args = Alb { name: &name, http2: false, desync: "strictest", idle: 120, access_logs: &logs_on };
    let src = network(&name, 63) + &alb(&args);
    let state = h.apply(&src).await;

    // Created with every argument of its type, set (not left to AWS's defaults).
    let arn = h.str_attr(&state, "aws_lb.web", "arn");
    let got = lb_attributes(&arn).await;
    for (k, v) in [
        ("idle_timeout.timeout_seconds", "120"),
        ("routing.http2.enabled", "false"),
        ("routing.http.desync_mitigation_mode", "strictest"),
        ("client_keep_alive.seconds", "600"),
        ("routing.http.drop_invalid_header_fields.enabled", "true"),
        ("routing.http.preserve_host_header.enabled", "true"),
        ("routing.http.xff_client_port.enabled", "true"),
        ("routing.http.xff_header_processing.mode", "preserve"),
        ("routing.http.x_amzn_tls_version_and_cipher_suite.enabled", "true"),
        ("waf.fail_open.enabled", "true"),
        ("zonal_shift.config.enabled", "true"),
        ("deletion_protection.enabled", "false"),
        ("access_logs.s3.enabled", "true"),
        ("access_logs.s3.bucket", &format!("{name}-logs")),
        ("access_logs.s3.prefix", "web"),
        ("connection_logs.s3.enabled", "false"),
    ] {
        assert_eq!(str_attr(&got, k).as_deref(), Some(v), "{k}");
    }
    // Not sent to an application load balancer (AWS keeps it on); nor a network one's.
    assert!(!got.contains_key("dns_record.client_routing_policy"), "{got:?}");
    // Read back as hashicorp/aws records them.
    let v = h.value(&state, "aws_lb.web");
    assert_eq!(v.get_attr("enable_http2"), Some(&Value::Bool(false)));
    assert_eq!(v.get_attr("client_keep_alive"), Some(&Value::from(600i64)));
    assert_eq!(v.get_attr("xff_header_processing_mode"), Some(&Value::from("preserve")));
    assert_eq!(v.get_attr("dns_record_client_routing_policy"), Some(&Value::null(Type::String)));
    assert_eq!(v.get_attr("customer_owned_ipv4_pool"), Some(&Value::from("")));
    assert_eq!(v.get_attr("enforce_security_group_inbound_rules_on_private_link_traffic"), Some(&Value::from("")));
    assert_eq!(v.get_attr("minimum_load_balancer_capacity").and_then(Value::length_int), Some(0));
    assert_eq!(v.get_attr("ipam_pools").and_then(Value::length_int), Some(0));
    let logs = |v: &Value, block: &str, k: &str| {
        v.get_attr(block).and_then(Value::as_seq).and_then(|s| s.first()).and_then(|b| b.get_attr(k)).cloned()
    };
    assert_eq!(logs(&v, "access_logs", "prefix"), Some(Value::from("web")));
    assert_eq!(logs(&v, "connection_logs", "enabled"), Some(Value::Bool(false)));
    let mappings = v.get_attr("subnet_mapping").and_then(Value::as_seq).map(<[Value]>::to_vec).unwrap_or_default();
    assert_eq!(mappings.len(), 2);
    assert!(mappings.iter().all(|m| m.get_attr("allocation_id") == Some(&Value::from(""))));
    assert_no_changes(&h.plan(&src).await);

    // In place: what changed is sent, nothing else.
    let logs_off = format!("access_logs {{\n    bucket  = \"{name}-logs\"\n    enabled = false\n  }}");
    args = Alb { http2: true, desync: "monitor", idle: 90, access_logs: &logs_off, ..args };
    let changed = network(&name, 63) + &alb(&args);
    let p = h.plan(&changed).await;
    assert_eq!(actions(&p), vec![("aws_lb.web".to_string(), Action::Update)]);
    h.calls.reset();
    let state = h.apply(&changed).await;
    assert_eq!(h.str_attr(&state, "aws_lb.web", "arn"), arn, "changed in place");
    assert_eq!(h.calls.snapshot().get("Elastic Load Balancing v2.ModifyLoadBalancerAttributes").copied(), Some(1));
    let got = lb_attributes(&arn).await;
    assert_eq!(str_attr(&got, "routing.http2.enabled").as_deref(), Some("true"));
    assert_eq!(str_attr(&got, "routing.http.desync_mitigation_mode").as_deref(), Some("monitor"));
    assert_eq!(str_attr(&got, "idle_timeout.timeout_seconds").as_deref(), Some("90"));
    assert_eq!(str_attr(&got, "access_logs.s3.enabled").as_deref(), Some("false"));
    assert_eq!(str_attr(&got, "access_logs.s3.prefix").as_deref(), Some("web"), "a disabled log keeps its prefix");
    assert_no_changes(&h.plan(&changed).await);
    // A disabled log's bucket and prefix mean nothing; a log block left out keeps what it has.
    let other_bucket =
        changed.replace(&format!("\"{name}-logs\"\n    enabled = false"), "\"other\"\n    enabled = false");
    let logs_left_out = changed.replace(&logs_off, "");
    assert!(other_bucket != changed && logs_left_out != changed);
    assert_no_changes(&h.plan(&other_bucket).await);
    assert_no_changes(&h.plan(&logs_left_out).await);

    // Drift: attributes changed behind terrane's back show, and are set back.
    let set = |k: &str, v: &str| {
        aws_sdk_elasticloadbalancingv2::types::LoadBalancerAttribute::builder().key(k).value(v).build()
    };
    elbv2()
        .await
        .modify_load_balancer_attributes()
        .load_balancer_arn(&arn)
        .attributes(set("routing.http2.enabled", "false"))
        .attributes(set("client_keep_alive.seconds", "100"))
        .send()
        .await
        .unwrap();
    let p = h.plan(&changed).await;
    assert_eq!(drift(&p), vec![("aws_lb.web".to_string(), Action::Update)]);
    let c = change(&p, "aws_lb.web");
    assert_eq!(c.action, Action::Update);
    assert_eq!(c.before.get_attr("client_keep_alive"), Some(&Value::from(100i64)));
    assert_eq!(c.after.get_attr("client_keep_alive"), Some(&Value::from(600i64)));
    h.apply(&changed).await;
    let got = lb_attributes(&arn).await;
    assert_eq!(str_attr(&got, "routing.http2.enabled").as_deref(), Some("true"));
    assert_eq!(str_attr(&got, "client_keep_alive.seconds").as_deref(), Some("600"));
    assert_no_changes(&h.plan(&changed).await);

    // Import reads what the state holds.
    let state = h.state().await;
    let p = h.provider(&changed).await;
    let imported = p.import("aws_lb", &arn).await.unwrap();
    let stored = h.value(&state, "aws_lb.web");
    for (k, v) in stored.as_map().unwrap() {
        if k != "timeouts" {
            assert_eq!(imported.get_attr(k), Some(v), "aws_lb.web.{k} differs after import");
        }
    }
    assert!(h.destroy(&changed).await.resources.is_empty());
}

#[tokio::test]
async fn network_load_balancer_subnet_mappings_and_the_arguments_it_ignores() {
    let h = Harness::new();
    let name = unique("lbn");
    let nlb = |mappings: &[usize], extra: &str| {
        let blocks: String = mappings
            .iter()
            .map(|i| format!("  subnet_mapping {{\n    subnet_id = aws_subnet.s[{i}].id\n  }}\n"))
            .collect();
        format!(
            r#"
resource "aws_lb" "tcp" {{
  name                             = "{name}"
  load_balancer_type               = "network"
  internal                         = true
  enable_cross_zone_load_balancing = true
  dns_record_client_routing_policy = "availability_zone_affinity"
  idle_timeout                     = 300
  enable_http2                     = false
{blocks}{extra}}}
"#
        )
    };
    let src = network(&name, 64) + &nlb(&[0, 1], "");
    let state = h.apply(&src).await;
    let arn = h.str_attr(&state, "aws_lb.tcp", "arn");
    let got = lb_attributes(&arn).await;
    assert_eq!(str_attr(&got, "load_balancing.cross_zone.enabled").as_deref(), Some("true"));
    assert_eq!(str_attr(&got, "dns_record.client_routing_policy").as_deref(), Some("availability_zone_affinity"));
    assert_eq!(str_attr(&got, "zonal_shift.config.enabled").as_deref(), Some("false"), "the default, set");
    // An application load balancer's arguments mean nothing here: not sent, null, no changes.
    for k in ["idle_timeout.timeout_seconds", "routing.http2.enabled", "connection_logs.s3.enabled"] {
        assert!(!got.contains_key(k), "{k}: {got:?}");
    }
    let v = h.value(&state, "aws_lb.tcp");
    assert_eq!(v.get_attr("idle_timeout"), Some(&Value::null(Type::Number)));
    assert_eq!(v.get_attr("enable_http2"), Some(&Value::null(Type::Bool)));
    assert_eq!(v.get_attr("client_keep_alive"), Some(&Value::null(Type::Number)));
    assert_eq!(v.get_attr("connection_logs").and_then(Value::length_int), Some(0));
    assert_eq!(v.get_attr("subnets").and_then(Value::length_int), Some(2), "read back from the mappings");
    assert_no_changes(&h.plan(&src).await);
    let other_idle = src.replace("idle_timeout                     = 300", "idle_timeout = 30");
    assert_ne!(other_idle, src);
    assert_no_changes(&h.plan(&other_idle).await);

    // A mapping added: in place (SetSubnets); `subnets` known after apply.
    let three = network(&name, 64) + &nlb(&[0, 1, 2], "");
    let p = h.plan(&three).await;
    let c = change(&p, "aws_lb.tcp");
    assert_eq!(c.action, Action::Update);
    assert!(!c.after.get_attr("subnets").unwrap().is_known());
    let state = h.apply(&three).await;
    assert_eq!(h.str_attr(&state, "aws_lb.tcp", "arn"), arn);
    let lb = elbv2().await.describe_load_balancers().load_balancer_arns(&arn).send().await.unwrap();
    assert_eq!(lb.load_balancers()[0].availability_zones().len(), 3);
    assert_eq!(h.attr(&state, "aws_lb.tcp", "subnets").length_int(), Some(3));
    assert_no_changes(&h.plan(&three).await);

    // The same subnets as `subnets` instead of mappings: nothing to change.
    let as_subnets = three.replace(
        "  subnet_mapping {\n    subnet_id = aws_subnet.s[0].id\n  }\n  subnet_mapping {\n    subnet_id = aws_subnet.s[1].id\n  }\n  subnet_mapping {\n    subnet_id = aws_subnet.s[2].id\n  }\n",
        "  subnets = aws_subnet.s[*].id\n",
    );
    assert_ne!(as_subnets, three);
    assert_no_changes(&h.plan(&as_subnets).await);

    // A mapping taken away: a network load balancer is replaced.
    let p = h.plan(&(network(&name, 64) + &nlb(&[0, 2], ""))).await;
    let c = change(&p, "aws_lb.tcp");
    assert_eq!(c.action, Action::DeleteThenCreate);
    assert_eq!(c.replace_paths, vec![vec![PathStep::Attr("subnet_mapping".into())]]);

    // In place: an attribute of its type.
    let off = three.replace("enable_cross_zone_load_balancing = true", "enable_cross_zone_load_balancing = false");
    assert_eq!(actions(&h.plan(&off).await), vec![("aws_lb.tcp".to_string(), Action::Update)]);
    h.apply(&off).await;
    assert_eq!(str_attr(&lb_attributes(&arn).await, "load_balancing.cross_zone.enabled").as_deref(), Some("false"));
    assert_no_changes(&h.plan(&off).await);
    assert!(h.destroy(&off).await.resources.is_empty());
}

#[tokio::test]
async fn load_balancer_arguments_are_checked_at_plan_time() {
    let h = Harness::new();
    let cases = [
        (
            r#"resource "aws_lb" "l" { name = "l" }"#,
            "Invalid combination of arguments",
            "one of `subnet_mapping,subnets` must be specified",
        ),
        (
            r#"resource "aws_lb" "l" {
  subnets = ["subnet-1"]
  subnet_mapping {
    subnet_id = "subnet-1"
  }
}"#,
            "Invalid combination of arguments",
            "only one of `subnet_mapping,subnets` can be specified",
        ),
        (
            r#"resource "aws_lb" "l" {
  subnets                = ["subnet-1"]
  desync_mitigation_mode = "relaxed"
}"#,
            "Invalid desync_mitigation_mode",
            "monitor, defensive, strictest",
        ),
        (
            r#"resource "aws_lb" "l" {
  subnets                    = ["subnet-1"]
  xff_header_processing_mode = "drop"
}"#,
            "Invalid xff_header_processing_mode",
            "append, preserve, remove",
        ),
        (
            r#"resource "aws_lb" "l" {
  load_balancer_type = "network"
  subnet_mapping {
    subnet_id            = "subnet-1"
    private_ipv4_address = "10.0.0.300"
  }
}"#,
            "Invalid subnet_mapping.private_ipv4_address",
            "expected an IPv4 address",
        ),
    ];
    for (src, summary, detail) in cases {
        let Err(d) = h.try_plan(src, &Default::default()).await else { panic!("must fail: {src}") };
        assert!(
            d.iter().any(|d| d.summary == summary && d.detail.contains(detail)),
            "{summary} expected for {src}:\n{d}"
        );
    }
}

/// A target group's attributes as moto holds them.
async fn tg_attributes(arn: &str) -> HashMap<String, String> {
    let out = elbv2().await.describe_target_group_attributes().target_group_arn(arn).send().await.unwrap();
    out.attributes()
        .iter()
        .filter_map(|a| Some((a.key()?.to_string(), a.value().unwrap_or_default().to_string())))
        .collect()
}

/// A listener's attributes as moto holds them.
async fn listener_attributes(arn: &str) -> HashMap<String, String> {
    let out = elbv2().await.describe_listener_attributes().listener_arn(arn).send().await.unwrap();
    out.attributes()
        .iter()
        .filter_map(|a| Some((a.key()?.to_string(), a.value().unwrap_or_default().to_string())))
        .collect()
}

fn first(v: &Value, k: &str) -> Value {
    v.get_attr(k).and_then(Value::as_seq).and_then(|s| s.first()).cloned().unwrap_or(Value::NULL)
}

fn target_groups(name: &str, slow_start: i64, proxy_v2: bool, multi_value: bool) -> String {
    format!(
        r#"
resource "aws_lb_target_group" "http" {{
  name                              = "{name}-http"
  port                              = 80
  protocol                          = "HTTP"
  vpc_id                            = aws_vpc.v.id
  slow_start                        = {slow_start}
  deregistration_delay              = 10
  load_balancing_algorithm_type     = "weighted_random"
  load_balancing_anomaly_mitigation = "on"
  load_balancing_cross_zone_enabled = "true"
  stickiness {{
    type            = "lb_cookie"
    cookie_duration = 600
  }}
  target_group_health {{
    dns_failover {{
      minimum_healthy_targets_count = "2"
    }}
    unhealthy_state_routing {{
      minimum_healthy_targets_percentage = "50"
    }}
  }}
}}

resource "aws_lb_target_group" "tcp" {{
  name                   = "{name}-tcp"
  port                   = 80
  protocol               = "TCP"
  vpc_id                 = aws_vpc.v.id
  preserve_client_ip     = "false"
  proxy_protocol_v2      = {proxy_v2}
  connection_termination = true
  target_health_state {{
    enable_unhealthy_connection_termination = false
    unhealthy_draining_interval             = 100
  }}
}}

# A lambda target group has no VPC: hashicorp/aws ignores the one given (with a warning).
resource "aws_lb_target_group" "lambda" {{
  name                               = "{name}-fn"
  target_type                        = "lambda"
  vpc_id                             = aws_vpc.v.id
  lambda_multi_value_headers_enabled = {multi_value}
}}
"#
    )
}

#[tokio::test]
async fn target_group_attributes_created_changed_and_read_back() {
    let h = Harness::new();
    let name = unique("tga");
    let src = network(&name, 64) + &target_groups(&name, 30, true, true);
    let state = h.apply(&src).await;

    let http = h.str_attr(&state, "aws_lb_target_group.http", "arn");
    let got = tg_attributes(&http).await;
    for (k, v) in [
        ("slow_start.duration_seconds", "30"),
        ("deregistration_delay.timeout_seconds", "10"),
        ("load_balancing.algorithm.type", "weighted_random"),
        ("load_balancing.algorithm.anomaly_mitigation", "on"),
        ("load_balancing.cross_zone.enabled", "true"),
        ("stickiness.lb_cookie.duration_seconds", "600"),
        ("target_group_health.dns_failover.minimum_healthy_targets.count", "2"),
        ("target_group_health.dns_failover.minimum_healthy_targets.percentage", "off"),
        ("target_group_health.unhealthy_state_routing.minimum_healthy_targets.count", "1"),
        ("target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage", "50"),
    ] {
        assert_eq!(str_attr(&got, k).as_deref(), Some(v), "{k}");
    }
    assert!(!got.contains_key("proxy_protocol_v2.enabled"), "false is not sent on create: {got:?}");
    let tcp = h.str_attr(&state, "aws_lb_target_group.tcp", "arn");
    let got = tg_attributes(&tcp).await;
    for (k, v) in [
        ("preserve_client_ip.enabled", "false"),
        ("proxy_protocol_v2.enabled", "true"),
        ("deregistration_delay.connection_termination.enabled", "true"),
        ("target_health_state.unhealthy.connection_termination.enabled", "false"),
        ("target_health_state.unhealthy.draining_interval_seconds", "100"),
    ] {
        assert_eq!(str_attr(&got, k).as_deref(), Some(v), "{k}");
    }
    assert!(!got.contains_key("slow_start.duration_seconds") || got["slow_start.duration_seconds"] == "0");
    let lambda = h.str_attr(&state, "aws_lb_target_group.lambda", "arn");
    assert_eq!(str_attr(&tg_attributes(&lambda).await, "lambda.multi_value_headers.enabled").as_deref(), Some("true"));

    // Read back as hashicorp/aws records them.
    let v = h.value(&state, "aws_lb_target_group.http");
    assert_eq!(v.get_attr("slow_start"), Some(&Value::from(30i64)));
    assert_eq!(v.get_attr("load_balancing_anomaly_mitigation"), Some(&Value::from("on")));
    assert_eq!(v.get_attr("connection_termination"), Some(&Value::null(Type::Bool)), "moto returns none");
    assert_eq!(v.get_attr("load_balancer_arns").and_then(Value::length_int), Some(0));
    let dns = first(&first(&v, "target_group_health"), "dns_failover");
    assert_eq!(dns.get_attr("minimum_healthy_targets_count"), Some(&Value::from("2")));
    assert_eq!(first(&v, "target_failover").get_attr("on_unhealthy"), Some(&Value::null(Type::String)));
    let v = h.value(&state, "aws_lb_target_group.tcp");
    assert_eq!(v.get_attr("preserve_client_ip"), Some(&Value::from("false")));
    assert_eq!(v.get_attr("proxy_protocol_v2"), Some(&Value::Bool(true)));
    assert_eq!(first(&v, "target_health_state").get_attr("unhealthy_draining_interval"), Some(&Value::from(100i64)));
    let v = h.value(&state, "aws_lb_target_group.lambda");
    assert_eq!(v.get_attr("lambda_multi_value_headers_enabled"), Some(&Value::Bool(true)));
    // No drift, and the lambda target group is not replaced for its vpc_id.
    assert_no_changes(&h.plan(&src).await);

    // In place: what changed is sent.
    let changed = network(&name, 64) + &target_groups(&name, 60, false, false);
    let p = h.plan(&changed).await;
    assert_eq!(
        actions(&p),
        vec![
            ("aws_lb_target_group.http".to_string(), Action::Update),
            ("aws_lb_target_group.lambda".to_string(), Action::Update),
            ("aws_lb_target_group.tcp".to_string(), Action::Update),
        ]
    );
    let state = h.apply(&changed).await;
    assert_eq!(h.str_attr(&state, "aws_lb_target_group.http", "arn"), http, "changed in place");
    assert_eq!(str_attr(&tg_attributes(&http).await, "slow_start.duration_seconds").as_deref(), Some("60"));
    assert_eq!(str_attr(&tg_attributes(&tcp).await, "proxy_protocol_v2.enabled").as_deref(), Some("false"));
    assert_eq!(str_attr(&tg_attributes(&lambda).await, "lambda.multi_value_headers.enabled").as_deref(), Some("false"));
    assert_no_changes(&h.plan(&changed).await);

    // Drift behind terrane's back shows and is set back.
    let set = |k: &str, v: &str| {
        aws_sdk_elasticloadbalancingv2::types::TargetGroupAttribute::builder().key(k).value(v).build()
    };
    elbv2()
        .await
        .modify_target_group_attributes()
        .target_group_arn(&http)
        .attributes(set("load_balancing.algorithm.type", "round_robin"))
        .send()
        .await
        .unwrap();
    let p = h.plan(&changed).await;
    assert_eq!(drift(&p), vec![("aws_lb_target_group.http".to_string(), Action::Update)]);
    h.apply(&changed).await;
    assert_eq!(
        str_attr(&tg_attributes(&http).await, "load_balancing.algorithm.type").as_deref(),
        Some("weighted_random")
    );

    let state = h.destroy(&changed).await;
    assert!(state.resources.is_empty());
}

fn listeners(name: &str, server: bool, frame: &str, idle: i64, scope: &str) -> String {
    format!(
        r#"
resource "aws_lb" "alb" {{
  name            = "{name}-alb"
  subnets         = [aws_subnet.s[0].id, aws_subnet.s[1].id]
  security_groups = [aws_security_group.g.id]
}}

resource "aws_lb" "nlb" {{
  name               = "{name}-nlb"
  load_balancer_type = "network"
  subnets            = [aws_subnet.s[0].id, aws_subnet.s[1].id]
}}

resource "aws_lb_target_group" "a" {{
  name     = "{name}-a"
  port     = 80
  protocol = "HTTP"
  vpc_id   = aws_vpc.v.id
}}

resource "aws_lb_target_group" "b" {{
  name     = "{name}-b"
  port     = 81
  protocol = "HTTP"
  vpc_id   = aws_vpc.v.id
}}

resource "aws_lb_target_group" "tcp" {{
  name     = "{name}-tcp"
  port     = 80
  protocol = "TCP"
  vpc_id   = aws_vpc.v.id
}}

resource "aws_lb_listener" "oidc" {{
  load_balancer_arn                                         = aws_lb.alb.arn
  port                                                      = 80
  routing_http_response_server_enabled                      = {server}
  routing_http_response_x_frame_options_header_value        = "{frame}"
  routing_http_response_access_control_max_age_header_value = "60"
  default_action {{
    type = "authenticate-oidc"
    authenticate_oidc {{
      authorization_endpoint              = "https://example.com/authorize"
      client_id                           = "client"
      client_secret                       = "s3cret"
      issuer                              = "https://example.com"
      token_endpoint                      = "https://example.com/token"
      user_info_endpoint                  = "https://example.com/userinfo"
      scope                               = "{scope}"
      authentication_request_extra_params = {{ display = "page" }}
    }}
  }}
  default_action {{
    type = "forward"
    forward {{
      target_group {{
        arn    = aws_lb_target_group.a.arn
        weight = 2
      }}
      target_group {{
        arn = aws_lb_target_group.b.arn
      }}
      stickiness {{
        enabled  = true
        duration = 300
      }}
    }}
  }}
}}

resource "aws_lb_listener" "cognito" {{
  load_balancer_arn = aws_lb.alb.arn
  port              = 8080
  protocol          = "HTTP"
  default_action {{
    type = "authenticate-cognito"
    authenticate_cognito {{
      user_pool_arn       = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc"
      user_pool_client_id = "client"
      user_pool_domain    = "domain"
      session_timeout     = 3600
    }}
  }}
  default_action {{
    type = "fixed-response"
    fixed_response {{
      content_type = "text/plain"
      message_body = "hi"
      status_code  = "200"
    }}
  }}
}}

resource "aws_lb_listener" "tcp" {{
  load_balancer_arn        = aws_lb.nlb.arn
  port                     = 80
  protocol                 = "TCP"
  tcp_idle_timeout_seconds = {idle}
  default_action {{
    type             = "forward"
    target_group_arn = aws_lb_target_group.tcp.arn
  }}
}}
"#
    )
}

// moto keeps no `mutual_authentication` (CreateListener and ModifyListener ignore it, and
// DescribeListeners returns none), so it is tested by the unit tests of lb_listener_auth.rs
// alone; an HTTPS listener needs a certificate moto's ELBv2 cannot check either.
#[tokio::test]
async fn listener_attributes_and_authentication_created_changed_and_read_back() {
    let h = Harness::new();
    let name = unique("lsa");
    let src = network(&name, 65) + &listeners(&name, false, "DENY", 600, "openid");
    let state = h.apply(&src).await;

    let oidc = h.str_attr(&state, "aws_lb_listener.oidc", "arn");
    let got = listener_attributes(&oidc).await;
    assert_eq!(str_attr(&got, "routing.http.response.server.enabled").as_deref(), Some("false"));
    assert_eq!(str_attr(&got, "routing.http.response.x_frame_options.header_value").as_deref(), Some("DENY"));
    assert_eq!(str_attr(&got, "routing.http.response.access_control_max_age.header_value").as_deref(), Some("60"));
    let tcp = h.str_attr(&state, "aws_lb_listener.tcp", "arn");
    assert_eq!(str_attr(&listener_attributes(&tcp).await, "tcp.idle_timeout.seconds").as_deref(), Some("600"));

    // The actions as AWS holds them.
    let out = elbv2().await.describe_listeners().listener_arns(&oidc).send().await.unwrap();
    let actions_api = out.listeners()[0].default_actions();
    let o = actions_api.iter().find_map(|a| a.authenticate_oidc_config()).expect("an OIDC action");
    assert_eq!(o.client_secret(), Some("s3cret"));
    assert_eq!(o.scope(), Some("openid"));
    assert_eq!(
        o.authentication_request_extra_params().and_then(|m| m.get("display")).map(String::as_str),
        Some("page")
    );

    // Read back as hashicorp/aws records them: the secret kept, what AWS returns nothing for empty.
    let v = h.value(&state, "aws_lb_listener.oidc");
    assert_eq!(v.get_attr("routing_http_response_server_enabled"), Some(&Value::Bool(false)));
    assert_eq!(v.get_attr("tcp_idle_timeout_seconds"), Some(&Value::from(350i64)), "moto's for every listener");
    let acts = v.get_attr("default_action").and_then(Value::as_seq).map(<[Value]>::to_vec).unwrap_or_default();
    assert_eq!(acts.len(), 2);
    let o = first(&acts[0], "authenticate_oidc");
    assert_eq!(o.get_attr("client_secret").map(Value::unmarked), Some(&Value::from("s3cret")));
    assert_eq!(o.get_attr("session_cookie_name"), Some(&Value::from("")));
    assert_eq!(first(&acts[1], "forward").get_attr("target_group").and_then(Value::length_int), Some(2));
    let v = h.value(&state, "aws_lb_listener.cognito");
    let acts = v.get_attr("default_action").and_then(Value::as_seq).map(<[Value]>::to_vec).unwrap_or_default();
    assert_eq!(first(&acts[0], "authenticate_cognito").get_attr("session_timeout"), Some(&Value::from(3600i64)));
    assert_eq!(first(&acts[1], "fixed_response").get_attr("message_body"), Some(&Value::from("hi")));
    assert_no_changes(&h.plan(&src).await);

    // In place: the attributes and the action changed.
    let changed = network(&name, 65) + &listeners(&name, true, "SAMEORIGIN", 900, "openid email");
    let p = h.plan(&changed).await;
    assert_eq!(
        actions(&p),
        vec![("aws_lb_listener.oidc".to_string(), Action::Update), ("aws_lb_listener.tcp".to_string(), Action::Update),]
    );
    let state = h.apply(&changed).await;
    assert_eq!(h.str_attr(&state, "aws_lb_listener.oidc", "arn"), oidc, "changed in place");
    let got = listener_attributes(&oidc).await;
    assert_eq!(str_attr(&got, "routing.http.response.server.enabled").as_deref(), Some("true"));
    assert_eq!(str_attr(&got, "routing.http.response.x_frame_options.header_value").as_deref(), Some("SAMEORIGIN"));
    assert_eq!(str_attr(&listener_attributes(&tcp).await, "tcp.idle_timeout.seconds").as_deref(), Some("900"));
    let out = elbv2().await.describe_listeners().listener_arns(&oidc).send().await.unwrap();
    let o = out.listeners()[0].default_actions().iter().find_map(|a| a.authenticate_oidc_config()).cloned();
    assert_eq!(o.and_then(|o| o.scope().map(str::to_string)).as_deref(), Some("openid email"));
    assert_no_changes(&h.plan(&changed).await);

    let state = h.destroy(&changed).await;
    assert!(state.resources.is_empty());
}
