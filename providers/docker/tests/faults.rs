//! Faults between the provider and the daemon, injected by a proxy (support/proxy.rs): every
//! call kind failing once is retried and the run succeeds; failing always ends in a clear
//! error within a bounded time; a partial failure keeps its successes in the state, and the
//! next apply converges without duplicates.

mod support;

use std::time::{Duration, Instant};
use support::proxy::{Fault, Proxy, Rule};
use support::{Harness, IMAGE, actions, assert_no_changes, docker, unique};
use terrane_engine::apply::ApplyOutcome;
use terrane_engine::plan::Action;

/// Every daemon call the provider makes for a network and a service, from connecting
/// (`GET /version`) to removing them.
const CALL_KINDS: &[&str] = &[
    "GET /version",
    "POST /networks/create",
    "GET /networks",
    "GET /networks/*",
    "DELETE /networks/*",
    "POST /services/create",
    "GET /services",
    "GET /services/*",
    "POST /services/*/update",
    "DELETE /services/*",
    "GET /tasks",
];

/// Failing always ends within: 4 attempts of at most 2 s, 3.5 s of pauses, and the engine's
/// and daemon's own work around them.
const BOUND: Duration = Duration::from_secs(25);

fn app(tag: &str, version: &str, services: &[&str]) -> String {
    let mut src = format!(
        r#"
resource "docker_network" "net" {{
  name   = "{tag}-net"
  driver = "overlay"
}}
"#
    );
    for s in services {
        src.push_str(&format!(
            r#"
resource "docker_service" "{s}" {{
  name = "{tag}-{s}"
  task_spec {{
    container_spec {{
      image             = "{IMAGE}"
      command           = ["sleep", "86400"]
      env               = {{ VERSION = "{version}" }}
      stop_grace_period = "1s"
    }}
    networks_advanced {{
      name = docker_network.net.name
    }}
  }}
  mode {{
    replicated {{
      replicas = 1
    }}
  }}
  converge_config {{
    delay   = "200ms"
    timeout = "60s"
  }}
}}
"#
        ));
    }
    src
}

fn services_named(tag: &str) -> Vec<String> {
    let out = docker(&["service", "ls", "--format", "{{.Name}}"]);
    out.lines().filter(|n| n.starts_with(&format!("{tag}-"))).map(str::to_string).collect()
}

fn networks_named(tag: &str) -> Vec<String> {
    let out = docker(&["network", "ls", "--format", "{{.Name}}"]);
    out.lines().filter(|n| n.starts_with(&format!("{tag}-"))).map(str::to_string).collect()
}

/// The first error of an apply, as "summary: detail".
fn first_error(out: &ApplyOutcome) -> String {
    let e = out.diags.iter().find(|d| d.is_error()).expect("an error");
    format!("{}: {}", e.summary, e.detail)
}

/// Removes what a failed test left behind, through the daemon's own socket.
fn clean(tag: &str) {
    for s in services_named(tag) {
        let _ = std::process::Command::new("docker").args(["service", "rm", &s]).output();
    }
    for _ in 0..40 {
        let left = networks_named(tag);
        if left.is_empty() {
            break;
        }
        for n in left {
            let _ = std::process::Command::new("docker").args(["network", "rm", &n]).output();
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// Create, refresh, update and destroy a network and a service through the proxy, with the
/// first request of every call kind answered by `fault`; each step must succeed, and the
/// proxy must have seen every kind again after its fault.
async fn every_call_kind_failing_once(fault: Fault) {
    let proxy = Proxy::start(CALL_KINDS.iter().map(|k| Rule::once(k, fault)).collect()).await;
    let h = Harness::with_host(&proxy.host()).fast_retries();
    let tag = unique("once");
    let v1 = app(&tag, "1", &["web"]);
    let state = h.apply(&v1).await;
    let id = h.id(&state, "docker_service.web");
    assert_no_changes(&h.plan(&v1).await);
    let v2 = app(&tag, "2", &["web"]);
    assert_eq!(actions(&h.plan(&v2).await), vec![("docker_service.web".to_string(), Action::Update)]);
    let state = h.apply(&v2).await;
    assert_eq!(h.id(&state, "docker_service.web"), id, "updated in place");
    assert_eq!(docker(&["service", "inspect", "-f", "{{.Spec.TaskTemplate.ContainerSpec.Env}}", &id]), "[VERSION=2]");
    assert_no_changes(&h.plan(&v2).await);
    // One object each, even where a create's answer was lost after the daemon made it.
    assert_eq!(services_named(&tag), vec![format!("{tag}-web")]);
    assert_eq!(networks_named(&tag), vec![format!("{tag}-net")]);
    h.destroy(&v2).await;
    assert!(services_named(&tag).is_empty() && networks_named(&tag).is_empty());

    let fired = proxy.fired();
    for (kind, n) in CALL_KINDS.iter().zip(&fired) {
        assert_eq!(*n, 1, "{kind} got {} once", fault.name());
        if fault == Fault::LoseAnswer && kind.ends_with("/create") {
            // The daemon made it: the next attempt found it by name instead of creating again.
            assert_eq!(proxy.count(kind), 1, "{kind} sent once: {:?}", proxy.seen());
            let (what, name) = if kind.contains("network") { ("networks", "net") } else { ("services", "web") };
            assert!(proxy.count(&format!("GET /{what}/{tag}-{name}")) >= 1, "looked up by name: {:?}", proxy.seen());
        } else {
            assert!(proxy.count(kind) >= 2, "{kind} was tried again after {}: {:?}", fault.name(), proxy.seen());
        }
    }
}

#[tokio::test]
async fn every_call_kind_failing_once_with_http_500_is_retried() {
    every_call_kind_failing_once(Fault::Status(500)).await;
}

#[tokio::test]
async fn every_call_kind_failing_once_with_http_503_is_retried() {
    every_call_kind_failing_once(Fault::Status(503)).await;
}

#[tokio::test]
async fn every_call_kind_throttled_once_with_http_429_is_retried() {
    every_call_kind_failing_once(Fault::Status(429)).await;
}

#[tokio::test]
async fn every_call_kind_with_a_dropped_connection_once_is_retried() {
    every_call_kind_failing_once(Fault::Drop).await;
}

#[tokio::test]
async fn every_call_kind_timing_out_once_is_retried() {
    every_call_kind_failing_once(Fault::Hang).await;
}

#[tokio::test]
async fn every_call_kind_losing_its_answer_once_is_retried_without_duplicates() {
    every_call_kind_failing_once(Fault::LoseAnswer).await;
}

/// Applies `src` through a proxy answering `call` with `fault` every time, and returns the
/// error and how long it took.
async fn fails_always(h: &Harness, proxy: &Proxy, src: &str, call: &str, fault: Fault) -> (String, ApplyOutcome) {
    proxy.set_rules(vec![Rule::always(call, fault)]);
    let start = Instant::now();
    let (out, _) = h.try_apply(src).await;
    let took = start.elapsed();
    proxy.set_rules(Vec::new());
    let err = first_error(&out);
    assert!(took < BOUND, "{call} failing always with {} took {took:?}: {err}", fault.name());
    (err, out)
}

#[tokio::test]
async fn creates_failing_always_end_in_a_clear_error_and_keep_what_was_made() {
    let proxy = Proxy::start(Vec::new()).await;
    let h = Harness::with_host(&proxy.host()).fast_retries();
    let tag = unique("create");
    let src = app(&tag, "1", &["web"]);

    // The network is made; the service never is: its error names it, the cause and the tries.
    let (err, _) = fails_always(&h, &proxy, &src, "POST /services/create", Fault::Status(503)).await;
    assert!(err.contains("Error creating docker_service.web"), "{err}");
    assert!(err.contains(&format!("creating service {tag}-web: injected fault: HTTP 503 (HTTP 503)")), "{err}");
    assert!(err.contains("gave up after 4 attempts"), "{err}");
    assert_eq!(proxy.count("POST /services/create"), 4);
    let p = h.plan(&src).await;
    assert_eq!(actions(&p), vec![("docker_service.web".to_string(), Action::Create)], "the network was kept");

    // A daemon that never answers: the timeout is the cause.
    let before = proxy.count("POST /services/create");
    let (err, _) = fails_always(&h, &proxy, &src, "POST /services/create", Fault::Hang).await;
    assert!(err.contains("no answer from the Docker daemon within 2s"), "{err}");
    assert!(err.contains(&format!("(Docker host {})", proxy.host())), "{err}");
    assert!(proxy.count("POST /services/create") - before >= 2);
    assert!(services_named(&tag).is_empty(), "a hung request never reached the daemon");

    // The service is made, but its tasks can never be listed: it is kept, tainted.
    let (err, out) = fails_always(&h, &proxy, &src, "GET /tasks", Fault::Drop).await;
    assert!(err.contains("listing the tasks of service"), "{err}");
    assert!(err.contains("gave up after 4 attempts"), "{err}");
    drop(out);
    let p = h.plan(&src).await;
    assert_eq!(actions(&p), vec![("docker_service.web".to_string(), Action::DeleteThenCreate)], "kept, tainted");

    // Once the daemon answers again, the next apply converges: one service, one network.
    h.apply(&src).await;
    assert_no_changes(&h.plan(&src).await);
    assert_eq!(services_named(&tag), vec![format!("{tag}-web")]);
    assert_eq!(networks_named(&tag), vec![format!("{tag}-net")]);
    h.destroy(&src).await;
    clean(&tag);
}

#[tokio::test]
async fn reads_updates_and_deletes_failing_always_end_in_a_clear_error() {
    let proxy = Proxy::start(Vec::new()).await;
    let h = Harness::with_host(&proxy.host()).fast_retries();
    let tag = unique("always");
    let v1 = app(&tag, "1", &["web"]);
    h.apply(&v1).await;

    // Reading: the refresh of a plan fails, naming the resource and the call.
    proxy.set_rules(vec![Rule::always("GET /services", Fault::Status(500))]);
    let start = Instant::now();
    let err = match h.try_plan(&v1, &Default::default()).await {
        Ok(_) => panic!("the plan succeeded with every service listing failing"),
        Err(d) => d.to_string(),
    };
    assert!(start.elapsed() < BOUND, "{err}");
    assert!(err.contains("docker_service.web") && err.contains("listing services: injected fault: HTTP 500"), "{err}");
    assert!(err.contains("gave up after 4 attempts"), "{err}");
    proxy.set_rules(Vec::new());

    // Updating: throttled every time.
    let v2 = app(&tag, "2", &["web"]);
    let (err, _) = fails_always(&h, &proxy, &v2, "POST /services/*/update", Fault::Status(429)).await;
    assert!(err.contains("Error updating docker_service.web"), "{err}");
    assert!(err.contains(&format!("updating service {tag}-web: injected fault: HTTP 429")), "{err}");
    assert_eq!(actions(&h.plan(&v2).await), vec![("docker_service.web".to_string(), Action::Update)]);
    h.apply(&v2).await;

    // Deleting: the connection drops every time; the service stays in the state.
    let destroy = terrane_engine::plan::planner::PlanOptions {
        mode: terrane_engine::plan::PlanMode::Destroy,
        ..Default::default()
    };
    proxy.set_rules(vec![Rule::always("DELETE /services/*", Fault::Drop)]);
    let (ctx, p) = h.try_plan(&v2, &destroy).await.unwrap_or_else(|d| panic!("{d}"));
    let start = Instant::now();
    let (out, state) = h.apply_plan(&ctx, &p).await;
    assert!(start.elapsed() < BOUND);
    let err = first_error(&out);
    assert!(err.contains("Error deleting docker_service.web"), "{err}");
    assert!(err.contains(&format!("removing service {tag}-web")), "{err}");
    assert!(err.contains("gave up after 4 attempts"), "{err}");
    assert!(!h.id(&state, "docker_service.web").is_empty(), "still recorded");
    assert_eq!(services_named(&tag).len(), 1);
    proxy.set_rules(Vec::new());
    h.destroy(&v2).await;
    assert!(services_named(&tag).is_empty() && networks_named(&tag).is_empty());
    clean(&tag);
}

#[tokio::test]
async fn an_unreachable_daemon_ends_in_a_clear_error() {
    let port = support::free_port();
    let h = Harness::with_host(&format!("tcp://127.0.0.1:{port}")).fast_retries();
    let src = app(&unique("nowhere"), "1", &["web"]);
    let start = Instant::now();
    let (out, _) = h.try_apply(&src).await;
    assert!(start.elapsed() < BOUND);
    let err = first_error(&out);
    assert!(err.contains(&format!("cannot connect to the Docker daemon at tcp://127.0.0.1:{port}")), "{err}");
    assert!(err.to_lowercase().contains("connection refused"), "{err}");
    assert!(err.contains("gave up after 4 attempts"), "{err}");
}

#[tokio::test]
async fn a_partial_failure_keeps_the_successes_and_the_next_apply_converges() {
    let tag = unique("partial");
    // Only the second service's create fails, every time.
    let proxy = Proxy::start(vec![
        Rule::always("POST /services/create", Fault::Status(503)).with_body(&format!("\"{tag}-b\"")),
    ])
    .await;
    let h = Harness::with_host(&proxy.host()).fast_retries();
    let src = app(&tag, "1", &["a", "b", "c"]);
    let (out, state) = h.try_apply(&src).await;
    let err = first_error(&out);
    assert!(err.contains("Error creating docker_service.b"), "{err}");
    assert_eq!(out.diags.iter().filter(|d| d.is_error()).count(), 1, "{}", out.diags);
    for addr in ["docker_network.net", "docker_service.a", "docker_service.c"] {
        assert!(!h.id(&state, addr).is_empty(), "{addr} is in the state");
    }
    let mut made = services_named(&tag);
    made.sort();
    assert_eq!(made, vec![format!("{tag}-a"), format!("{tag}-c")]);

    // The next plan continues from there: only b is left to create.
    proxy.set_rules(Vec::new());
    assert_eq!(actions(&h.plan(&src).await), vec![("docker_service.b".to_string(), Action::Create)]);
    h.apply(&src).await;
    assert_no_changes(&h.plan(&src).await);
    let mut made = services_named(&tag);
    made.sort();
    assert_eq!(made, vec![format!("{tag}-a"), format!("{tag}-b"), format!("{tag}-c")]);
    assert_eq!(networks_named(&tag), vec![format!("{tag}-net")]);
    h.destroy(&src).await;
    clean(&tag);
}
