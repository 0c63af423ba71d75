//! Test support: configurations run through terrane's engine with the Docker provider against
//! the local dockerd in swarm mode that the test command starts (tests/env/docker.sh).

#![allow(dead_code)]

pub mod proxy;

use std::sync::Arc;
use std::time::Duration;
use terrane_engine::addr::parse_instance;
use terrane_engine::apply::{ApplyOptions, ApplyOutcome, Recorder, apply, plan_prior_state};
use terrane_engine::config::load_sources;
use terrane_engine::context::Context;
use terrane_engine::diag::Diagnostics;
use terrane_engine::graph::WalkControl;
use terrane_engine::hooks::NoHooks;
use terrane_engine::plan::planner::{PlanOptions, plan};
use terrane_engine::plan::{Action, Plan, PlanMode};
use terrane_engine::provider::{Provider, ProviderFactory, ProviderRegistry};
use terrane_engine::state::local::LocalBackend;
use terrane_engine::state::{State, StateBackend, value_from_object};
use terrane_engine::value::Value;
use terrane_provider_docker::{DockerProvider, RetryPolicy};

pub const IMAGE: &str = "terrane-test/busybox:1";

/// A unique name, so tests share the daemon without colliding.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros() % 100_000_000;
    format!("{prefix}-{t}-{}", N.fetch_add(1, Ordering::SeqCst))
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub backend: Arc<LocalBackend>,
    /// The `provider "docker"` block every configuration gets.
    pub provider: String,
    /// The providers' retry policy, when not the default: given to each provider, never
    /// through the process environment that every test shares.
    pub retry: Option<RetryPolicy>,
}

/// Makes providers with the harness's retry policy.
struct Factory(Option<RetryPolicy>);

impl ProviderFactory for Factory {
    fn source(&self) -> &str {
        terrane_provider_docker::SOURCE
    }
    fn new_instance(&self) -> Arc<dyn Provider> {
        match &self.0 {
            Some(p) => Arc::new(DockerProvider::with_retry(p.clone())),
            None => Arc::new(DockerProvider::default()),
        }
    }
}

/// Runs a docker CLI command, returning stdout.
pub fn docker(args: &[&str]) -> String {
    let out = std::process::Command::new("docker").args(args).output().expect("docker CLI");
    assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Harness {
    pub fn new() -> Harness {
        let ok = std::process::Command::new("docker")
            .args(["info", "--format", "{{.Swarm.LocalNodeState}}"])
            .output()
            .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "active");
        assert!(
            ok,
            "dockerd in swarm mode is not running: run the tests through tests/run.sh (or tests/env/docker.sh first)"
        );
        let dir = tempfile::tempdir().unwrap();
        let backend = Arc::new(LocalBackend::in_dir(dir.path()));
        Harness { dir, backend, provider: "provider \"docker\" {}".into(), retry: None }
    }

    /// Retries bounded tightly, so tests of failures end soon: 3 retries (pauses of 0.25, 0.5
    /// and 1 s, each with up to as much again of jitter, so always all three within the 5 s
    /// allowed), 2 s per attempt.
    pub fn fast_retries(self) -> Harness {
        let policy = RetryPolicy {
            max_retries: 3,
            max_wait: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(2),
            ..RetryPolicy::default()
        };
        Harness { retry: Some(policy), ..self }
    }

    /// A harness whose provider talks to the daemon at `host` (a proxy's, say).
    pub fn with_host(host: &str) -> Harness {
        Harness { provider: format!("provider \"docker\" {{\n  host = \"{host}\"\n}}"), ..Harness::new() }
    }

    pub fn ctx(&self, src: &str, state: &State) -> Context {
        let full = format!("{}\n{src}", self.provider);
        let (mut config, diags) = load_sources(vec![("main.tf".into(), full)]);
        assert!(!diags.has_errors(), "config errors: {diags}");
        config.dir = self.dir.path().to_path_buf();
        let mut reg = ProviderRegistry::with_builtin();
        reg.register("docker", Arc::new(Factory(self.retry.clone())));
        Context::new(config, reg, state, "default")
    }

    pub async fn try_plan(&self, src: &str, opts: &PlanOptions) -> Result<(Context, Plan), Diagnostics> {
        let stored = self.backend.read("default").await.unwrap();
        let ctx = self.ctx(src, stored.as_ref().unwrap_or(&State::new()));
        let (p, _) = plan(&ctx, stored.as_ref(), opts, &WalkControl::default(), &NoHooks).await?;
        Ok((ctx, p))
    }

    pub async fn plan(&self, src: &str) -> Plan {
        match self.try_plan(src, &PlanOptions::default()).await {
            Ok((_, p)) => p,
            Err(d) => panic!("plan failed:\n{d}"),
        }
    }

    pub async fn apply_plan(&self, ctx: &Context, p: &Plan) -> (ApplyOutcome, State) {
        let recorder =
            Recorder::start(plan_prior_state(p).unwrap(), self.backend.clone(), "default", Duration::from_millis(200));
        let outcome = apply(ctx, p, &recorder, &ApplyOptions::default(), &WalkControl::default(), &NoHooks).await;
        let state = recorder.finish().await.map_err(|(_, e)| e).unwrap();
        (outcome, state)
    }

    pub async fn try_apply(&self, src: &str) -> (ApplyOutcome, State) {
        let (ctx, p) =
            self.try_plan(src, &PlanOptions::default()).await.unwrap_or_else(|d| panic!("plan failed:\n{d}"));
        self.apply_plan(&ctx, &p).await
    }

    pub async fn apply(&self, src: &str) -> State {
        let (out, state) = self.try_apply(src).await;
        assert!(!out.diags.has_errors(), "apply failed:\n{}", out.diags);
        state
    }

    pub async fn destroy(&self, src: &str) -> State {
        let opts = PlanOptions { mode: PlanMode::Destroy, ..PlanOptions::default() };
        let (ctx, p) = self.try_plan(src, &opts).await.unwrap_or_else(|d| panic!("destroy plan failed:\n{d}"));
        let (out, state) = self.apply_plan(&ctx, &p).await;
        assert!(!out.diags.has_errors(), "destroy failed:\n{}", out.diags);
        state
    }

    pub fn value(&self, state: &State, addr: &str) -> Value {
        let i = parse_instance(addr).unwrap();
        let obj = state.object(&i.resource, &i.key).unwrap_or_else(|| panic!("{addr} not in state"));
        let p = terrane_engine::provider::ProviderFactory::new_instance(&terrane_provider_docker::DockerFactory);
        value_from_object(obj, &p.schema().resources[&i.resource.type_name].block)
    }

    pub fn id(&self, state: &State, addr: &str) -> String {
        self.value(state, addr).get_attr("id").and_then(Value::as_str).unwrap_or_default().to_string()
    }
}

pub fn actions(p: &Plan) -> Vec<(String, Action)> {
    p.changes.iter().filter(|c| c.action != Action::NoOp).map(|c| (c.addr.to_string(), c.action)).collect()
}

pub fn assert_no_changes(p: &Plan) {
    if p.has_changes() {
        panic!("expected no changes, got:\n{}", terrane_engine::plan::render::text::render_plan(p, &|_| None, false));
    }
}

/// GETs http://127.0.0.1:port/ until it answers (or 30 s pass).
pub async fn fetch(port: u16) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(out) = std::process::Command::new("curl")
            .args(["-fsS", "--max-time", "2", &format!("http://127.0.0.1:{port}/")])
            .output()
            && out.status.success()
        {
            return String::from_utf8_lossy(&out.stdout).trim().to_string();
        }
        assert!(std::time::Instant::now() < deadline, "nothing answers on port {port}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
