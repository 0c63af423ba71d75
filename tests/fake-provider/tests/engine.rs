//! Engine behaviour end to end through the library API, with the fake provider: plan and
//! apply, replacement order, partial failure, parallelism, interrupts, drift, checkpoints.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use terrane_engine::addr::{InstanceKey, ResourceAddr, parse_instance, parse_target};
use terrane_engine::apply::{ApplyOptions, ApplyOutcome, Recorder, apply, check_plan_base, plan_prior_state};
use terrane_engine::config::load_sources;
use terrane_engine::context::Context;
use terrane_engine::diag::Diagnostics;
use terrane_engine::graph::WalkControl;
use terrane_engine::hooks::NoHooks;
use terrane_engine::plan::planner::{PlanOptions, plan};
use terrane_engine::plan::render::text::render_plan;
use terrane_engine::plan::{Action, Plan, PlanMode, Reason};
use terrane_engine::provider::ProviderRegistry;
use terrane_engine::state::local::LocalBackend;
use terrane_engine::state::{State, StateBackend, value_from_object};
use terrane_engine::value::Value;
use terrane_provider_fake::{FakeProvider, SharedFake};

struct Harness {
    dir: tempfile::TempDir,
    fake: Arc<FakeProvider>,
    backend: Arc<LocalBackend>,
}

impl Harness {
    fn new() -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let backend = Arc::new(LocalBackend::in_dir(dir.path()));
        Harness { dir, fake: Arc::new(FakeProvider::default()), backend }
    }

    fn ctx(&self, src: &str, state: &State) -> Context {
        let (mut config, diags) = load_sources(vec![("main.tf".into(), src.into())]);
        assert!(!diags.has_errors(), "config errors: {diags}");
        config.dir = self.dir.path().to_path_buf();
        let mut reg = ProviderRegistry::with_builtin();
        reg.register("fake", Arc::new(SharedFake(self.fake.clone())));
        Context::new(config, reg, state, "default")
    }

    async fn state(&self) -> Option<State> {
        self.backend.read("default").await.unwrap()
    }

    async fn plan_with(&self, src: &str, opts: &PlanOptions) -> Result<(Context, Plan), Diagnostics> {
        let stored = self.state().await;
        let ctx = self.ctx(src, stored.as_ref().unwrap_or(&State::new()));
        let (p, _) = plan(&ctx, stored.as_ref(), opts, &WalkControl::default(), &NoHooks).await?;
        Ok((ctx, p))
    }

    async fn plan(&self, src: &str) -> Plan {
        match self.plan_with(src, &PlanOptions::default()).await {
            Ok((_, p)) => p,
            Err(d) => panic!("plan failed: {d}"),
        }
    }

    async fn apply_plan(
        &self,
        ctx: &Context,
        p: &Plan,
        parallelism: usize,
        control: &WalkControl,
    ) -> (ApplyOutcome, State) {
        let recorder =
            Recorder::start(plan_prior_state(p).unwrap(), self.backend.clone(), "default", Duration::from_millis(200));
        let opts = ApplyOptions { parallelism, ..ApplyOptions::default() };
        let outcome = apply(ctx, p, &recorder, &opts, control, &NoHooks).await;
        let state = recorder.finish().await.map_err(|(_, e)| e).unwrap();
        (outcome, state)
    }

    async fn apply(&self, src: &str) -> (ApplyOutcome, State) {
        let (ctx, p) =
            self.plan_with(src, &PlanOptions::default()).await.unwrap_or_else(|d| panic!("plan failed: {d}"));
        self.apply_plan(&ctx, &p, 10, &WalkControl::default()).await
    }

    fn log(&self) -> Vec<String> {
        self.fake.calls.log.lock().unwrap().clone()
    }
}

fn actions(p: &Plan) -> Vec<(String, Action)> {
    p.changes.iter().filter(|c| c.action != Action::NoOp).map(|c| (c.addr.to_string(), c.action)).collect()
}

fn attr(state: &State, addr: &str, name: &str) -> Value {
    let i = parse_instance(addr).unwrap();
    let obj = state.object(&i.resource, &i.key).unwrap_or_else(|| panic!("{addr} not in state"));
    obj.attributes.to_value().get_attr(name).cloned().unwrap_or(Value::NULL)
}

const CHAIN: &str = r#"
variable "v" {
  default = "one"
}
resource "fake_resource" "base" {
  name  = "base"
  value = var.v
}
resource "fake_resource" "app" {
  count = 2
  name  = "app-${count.index}"
  value = "${fake_resource.base.id}/${var.v}"
}
output "ids" {
  value = fake_resource.app[*].id
}
"#;

/// Terraform's "Provider produced inconsistent final plan": when the provider's plan at apply
/// time differs from the reviewed plan in a value that was known, that instance is not
/// applied; what does not depend on it is.
#[tokio::test]
async fn a_final_plan_that_changes_a_known_value_is_refused() {
    let h = Harness::new();
    let src = r#"
resource "fake_resource" "placed" {
  name = "placed"
}
resource "fake_resource" "other" {
  name = "other"
  zone = "fixed"
}
"#;
    *h.fake.planned_zone.lock().unwrap() = Some("zone-a".into());
    let (ctx, p) = h.plan_with(src, &PlanOptions::default()).await.unwrap_or_else(|d| panic!("{d}"));
    let placed = p.changes.iter().find(|c| c.addr.to_string() == "fake_resource.placed").unwrap();
    assert_eq!(placed.after.get_attr("zone"), Some(&Value::from("zone-a")));
    *h.fake.planned_zone.lock().unwrap() = Some("zone-b".into());
    let (out, state) = h.apply_plan(&ctx, &p, 10, &WalkControl::default()).await;
    let errors: Vec<String> =
        out.diags.iter().filter(|d| d.is_error()).map(|d| format!("{}: {}", d.summary, d.detail)).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].starts_with("Provider produced inconsistent final plan: When expanding the plan for fake_resource.placed to include new values learned so far during apply, provider \"terrane.dev/test/fake\" produced an invalid new value for .zone: was cty.StringVal(\"zone-a\"), but now cty.StringVal(\"zone-b\")."), "{}", errors[0]);
    assert_eq!(h.log(), ["create other"], "only the consistent instance is created");
    let placed = parse_instance("fake_resource.placed").unwrap();
    assert!(state.object(&placed.resource, &placed.key).is_none());
}

#[tokio::test]
async fn apply_then_plan_has_no_changes() {
    let h = Harness::new();
    let p = h.plan(CHAIN).await;
    assert_eq!(actions(&p).len(), 3);
    assert!(p.changes.iter().all(|c| c.action == Action::Create));
    let (out, state) = h.apply(CHAIN).await;
    assert!(!out.diags.has_errors(), "{}", out.diags);
    assert_eq!(out.counts.added, 3);
    let base_id = attr(&state, "fake_resource.base", "id");
    assert_eq!(
        attr(&state, "fake_resource.app[1]", "value"),
        Value::from(format!("{}/one", base_id.as_str().unwrap()))
    );
    assert_eq!(state.outputs["ids"].value.as_array().map(Vec::len), Some(2));
    // Dependencies are recorded as Terraform records them.
    let app = parse_instance("fake_resource.app[0]").unwrap();
    assert_eq!(
        state.object(&app.resource, &app.key).unwrap().dependencies.to_vec(),
        vec![ResourceAddr::managed("fake_resource", "base")]
    );
    let again = h.plan(CHAIN).await;
    assert!(!again.has_changes(), "second plan: {:?}", actions(&again));
}

#[tokio::test]
async fn a_changed_variable_updates_in_place_and_a_force_new_change_replaces() {
    let h = Harness::new();
    h.apply(CHAIN).await;
    let changed = CHAIN.replace("default = \"one\"", "default = \"two\"");
    let p = h.plan(&changed).await;
    assert_eq!(
        actions(&p),
        vec![
            ("fake_resource.app[0]".into(), Action::Update),
            ("fake_resource.app[1]".into(), Action::Update),
            ("fake_resource.base".into(), Action::Update),
        ]
    );
    let renamed = CHAIN.replace("name  = \"base\"", "name  = \"base2\"");
    let p = h.plan(&renamed).await;
    let base = p.changes.iter().find(|c| c.addr.to_string() == "fake_resource.base").unwrap();
    assert_eq!(base.action, Action::DeleteThenCreate);
    assert_eq!(base.reason, Some(Reason::ReplaceBecauseCannotUpdate));
    assert_eq!(base.replace_paths, vec![vec![terrane_engine::value::PathStep::Attr("name".into())]]);
    // Dependents see the new id as unknown, so they are updated too.
    let app = p.changes.iter().find(|c| c.addr.to_string() == "fake_resource.app[0]").unwrap();
    assert_eq!(app.action, Action::Update);
    assert!(app.after.get_attr("value").unwrap().is_unknown());
    let text = render_plan(&p, &|_| None, false);
    assert!(text.contains("-/+ resource \"fake_resource\" \"base\""), "{text}");
    assert!(text.contains("# forces replacement"), "{text}");
    assert!(text.contains("Plan: 1 to add, 2 to change, 1 to destroy."), "{text}");
}

#[tokio::test]
async fn replacement_orders_destroy_and_create() {
    let h = Harness::new();
    let src = r#"
resource "fake_resource" "a" { name = "a1" }
resource "fake_resource" "b" {
  name = "b1"
  lifecycle { create_before_destroy = true }
}
"#;
    h.apply(src).await;
    h.fake.calls.log.lock().unwrap().clear();
    let (out, _) = h.apply(&src.replace("a1", "a2").replace("b1", "b2")).await;
    assert!(!out.diags.has_errors(), "{}", out.diags);
    let log = h.log();
    let pos = |s: &str| log.iter().position(|l| l == s).unwrap_or_else(|| panic!("{s} not in {log:?}"));
    assert!(pos("delete a1") < pos("create a2"), "destroy-then-create: {log:?}");
    assert!(pos("create b2") < pos("delete b1"), "create-before-destroy: {log:?}");
    assert_eq!(out.counts, terrane_engine::apply::Counts { added: 2, changed: 0, destroyed: 2, ..Default::default() });
}

#[tokio::test]
async fn destroy_runs_in_reverse_dependency_order() {
    let h = Harness::new();
    h.apply(CHAIN).await;
    h.fake.calls.log.lock().unwrap().clear();
    let (ctx, p) =
        h.plan_with(CHAIN, &PlanOptions { mode: PlanMode::Destroy, ..PlanOptions::default() }).await.unwrap();
    assert!(p.changes.iter().all(|c| c.action == Action::Delete));
    let (out, state) = h.apply_plan(&ctx, &p, 10, &WalkControl::default()).await;
    assert!(!out.diags.has_errors(), "{}", out.diags);
    let log = h.log();
    let base = log.iter().position(|l| l.starts_with("delete base") || l.contains("base")).unwrap();
    assert!(
        log.iter().filter(|l| l.contains("app")).all(|l| log.iter().position(|x| x == l).unwrap() < base),
        "{log:?}"
    );
    assert!(state.resources.is_empty());
    assert!(state.outputs.is_empty());
}

#[tokio::test]
async fn a_failure_keeps_every_success_and_finishes_independent_branches() {
    let h = Harness::new();
    let src = r#"
resource "fake_resource" "ok" { name = "ok" }
resource "fake_resource" "slow" {
  name       = "slow"
  latency_ms = 150
}
resource "fake_resource" "bad" {
  name    = "bad"
  value   = fake_resource.ok.id
  fail_on = "create"
}
resource "fake_resource" "after_bad" {
  name  = "after-bad"
  value = fake_resource.bad.id
}
"#;
    let (out, state) = h.apply(src).await;
    assert!(out.diags.has_errors());
    let errors: Vec<String> = out.diags.iter().filter(|d| d.is_error()).map(|d| d.summary.clone()).collect();
    assert_eq!(errors, vec!["Error creating fake_resource.bad".to_string()]);
    let in_state: Vec<String> = state.instances().map(|(a, k, _)| a.instance(k.clone()).to_string()).collect();
    assert_eq!(in_state, vec!["fake_resource.ok", "fake_resource.slow"]);
    // The state on disk has them too.
    let stored = h.state().await.unwrap();
    assert_eq!(stored.instances().count(), 2);
    assert!(!h.log().iter().any(|l| l == "create after-bad"), "a dependent of a failure must not run");
    // The next plan continues from there.
    let p = h.plan(&src.replace("  fail_on = \"create\"\n", "")).await;
    assert_eq!(
        actions(&p),
        vec![("fake_resource.after_bad".into(), Action::Create), ("fake_resource.bad".into(), Action::Create)]
    );
}

#[tokio::test]
async fn parallelism_bounds_concurrent_operations() {
    let h = Harness::new();
    let src = r#"
resource "fake_resource" "r" {
  count      = 12
  name       = "r${count.index}"
  latency_ms = 100
}
"#;
    let (ctx, p) = h.plan_with(src, &PlanOptions::default()).await.unwrap();
    let (out, _) = h.apply_plan(&ctx, &p, 4, &WalkControl::default()).await;
    assert!(!out.diags.has_errors(), "{}", out.diags);
    assert_eq!(h.fake.calls.max_in_flight.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn interrupt_stops_new_work_and_saves_what_finished() {
    let h = Harness::new();
    let src = r#"
resource "fake_resource" "first" {
  name       = "first"
  latency_ms = 300
}
resource "fake_resource" "second" {
  name  = "second"
  value = fake_resource.first.id
}
"#;
    let (ctx, p) = h.plan_with(src, &PlanOptions::default()).await.unwrap();
    let control = WalkControl::default();
    let c = control.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        c.cancel.cancel();
    });
    let (out, state) = h.apply_plan(&ctx, &p, 10, &control).await;
    assert!(out.interrupted);
    assert!(out.abandoned.is_empty());
    let in_state: Vec<String> = state.instances().map(|(a, _, _)| a.to_string()).collect();
    assert_eq!(in_state, vec!["fake_resource.first"], "the in-flight create finished and was recorded");
    assert!(!h.log().contains(&"create second".to_string()));
}

#[tokio::test]
async fn second_interrupt_abandons_in_flight_operations() {
    let h = Harness::new();
    let src = "resource \"fake_resource\" \"slow\" {\n  name = \"slow\"\n  latency_ms = 5000\n}\n";
    let (ctx, p) = h.plan_with(src, &PlanOptions::default()).await.unwrap();
    let control = WalkControl::default();
    let c = control.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(100)).await;
        c.cancel.cancel();
        c.abandon.cancel();
    });
    let (out, _) = h.apply_plan(&ctx, &p, 10, &control).await;
    assert_eq!(out.abandoned, vec!["fake_resource.slow".to_string()]);
    assert!(out.diags.iter().any(|d| d.detail.contains("fake_resource.slow")));
}

#[tokio::test]
async fn drift_is_reported_apart_and_planned_back() {
    let h = Harness::new();
    let src = "resource \"fake_resource\" \"x\" {\n  name  = \"x\"\n  value = \"wanted\"\n}\nresource \"fake_resource\" \"gone\" { name = \"gone\" }\n";
    let (_, state) = h.apply(src).await;
    // Change one object and delete another behind terrane's back.
    let x_id = attr(&state, "fake_resource.x", "id").as_str().unwrap().to_string();
    let gone_id = attr(&state, "fake_resource.gone", "id").as_str().unwrap().to_string();
    let fake = h.fake.clone();
    let mut edited = terrane_engine::provider::Provider::read(
        fake.as_ref(),
        "fake_resource",
        Value::object([("id", Value::from(x_id.as_str()))]),
    )
    .await
    .unwrap()
    .unwrap();
    edited.set_at_path(&[terrane_engine::value::PathStep::Attr("value".into())], Value::from("changed"));
    terrane_engine::provider::Provider::update(
        fake.as_ref(),
        "fake_resource",
        Value::object([("id", Value::from(x_id.as_str()))]),
        edited,
    )
    .await
    .unwrap();
    terrane_engine::provider::Provider::delete(
        fake.as_ref(),
        "fake_resource",
        Value::object([("id", Value::from(gone_id.as_str()))]),
    )
    .await
    .unwrap();
    let p = h.plan(src).await;
    let drift: Vec<(String, Action)> = p.drift.iter().map(|c| (c.addr.to_string(), c.action)).collect();
    assert_eq!(drift, vec![("fake_resource.gone".into(), Action::Delete), ("fake_resource.x".into(), Action::Update)]);
    assert_eq!(
        actions(&p),
        vec![("fake_resource.gone".into(), Action::Create), ("fake_resource.x".into(), Action::Update)]
    );
    let text = render_plan(&p, &|_| None, false);
    assert!(text.contains("Objects have changed outside of terrane"), "{text}");
    assert!(text.contains("# fake_resource.gone has been deleted"), "{text}");
    assert!(text.contains("~ value = \"changed\" -> \"wanted\""), "{text}");
    // One batched read for the two objects of one type.
    assert_eq!(h.fake.calls.read_many.load(Ordering::SeqCst), 1);
    assert_eq!(h.fake.calls.read.load(Ordering::SeqCst), 1, "no single reads besides the test's own");
}

#[tokio::test]
async fn sensitive_values_never_appear_in_the_plan_text() {
    let h = Harness::new();
    let src = r#"
variable "pw" {
  default   = "hunter2"
  sensitive = true
}
resource "fake_resource" "db" {
  name   = "db"
  secret = "s3cr3t"
  value  = "user:${var.pw}"
}
"#;
    let p = h.plan(src).await;
    let text = render_plan(&p, &|_| None, false);
    assert!(!text.contains("hunter2") && !text.contains("s3cr3t"), "{text}");
    assert!(text.contains("(sensitive value)"), "{text}");
    let (_, state) = h.apply(src).await;
    let i = parse_instance("fake_resource.db").unwrap();
    let obj = state.object(&i.resource, &i.key).unwrap();
    let mut paths: Vec<String> = obj.sensitive_paths.iter().map(|p| terrane_engine::value::path_to_string(p)).collect();
    paths.sort();
    assert_eq!(paths, vec!["secret", "value"]);
}

#[tokio::test]
async fn for_each_and_count_changes_delete_with_reasons() {
    let h = Harness::new();
    let src = r#"
variable "names" {
  default = ["a", "b", "c"]
}
resource "fake_resource" "each" {
  for_each = toset(var.names)
  name     = each.key
}
resource "fake_resource" "counted" {
  count = length(var.names)
  name  = "c${count.index}"
}
"#;
    h.apply(src).await;
    let p = h.plan(&src.replace("[\"a\", \"b\", \"c\"]", "[\"a\", \"c\"]")).await;
    let deletes: Vec<(String, Option<Reason>)> =
        p.changes.iter().filter(|c| c.action == Action::Delete).map(|c| (c.addr.to_string(), c.reason)).collect();
    assert_eq!(
        deletes,
        vec![
            ("fake_resource.counted[2]".into(), Some(Reason::DeleteBecauseCountIndex)),
            ("fake_resource.each[\"b\"]".into(), Some(Reason::DeleteBecauseEachKey)),
        ]
    );
}

#[tokio::test]
async fn removed_resources_are_destroyed_and_prevent_destroy_refuses() {
    let h = Harness::new();
    let src = "resource \"fake_resource\" \"keep\" {\n  name = \"keep\"\n  lifecycle {\n    prevent_destroy = true\n  }\n}\nresource \"fake_resource\" \"drop\" { name = \"drop\" }\n";
    h.apply(src).await;
    let only_keep =
        "resource \"fake_resource\" \"keep\" {\n  name = \"keep\"\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n";
    let p = h.plan(only_keep).await;
    assert_eq!(actions(&p), vec![("fake_resource.drop".into(), Action::Delete)]);
    assert_eq!(
        p.changes.iter().find(|c| c.action == Action::Delete).unwrap().reason,
        Some(Reason::DeleteBecauseNoResourceConfig)
    );
    let Err(err) = h
        .plan_with(&only_keep.replace("\"keep\"\n  lifecycle", "\"keep2\"\n  lifecycle"), &PlanOptions::default())
        .await
    else {
        panic!("a plan that destroys a prevent_destroy resource must fail")
    };
    assert!(err.iter().any(|d| d.summary == "Instance cannot be destroyed"), "{err}");
}

#[tokio::test]
async fn ignore_changes_replace_requests_and_replace_triggered_by() {
    let h = Harness::new();
    let src = r#"
resource "fake_resource" "a" {
  name  = "a"
  value = "v1"
  tags  = { env = "x" }
  lifecycle { ignore_changes = [tags] }
}
resource "fake_resource" "b" {
  name = "b"
  lifecycle { replace_triggered_by = [fake_resource.a] }
}
"#;
    h.apply(src).await;
    let p = h.plan(&src.replace("env = \"x\"", "env = \"y\"")).await;
    assert!(!p.has_changes(), "ignored attribute: {:?}", actions(&p));
    let p = h.plan(&src.replace("v1", "v2")).await;
    assert_eq!(
        actions(&p),
        vec![("fake_resource.a".into(), Action::Update), ("fake_resource.b".into(), Action::DeleteThenCreate)]
    );
    assert_eq!(p.changes[1].reason, Some(Reason::ReplaceByTriggers));
    let opts = PlanOptions { replace: vec![parse_instance("fake_resource.a").unwrap()], ..PlanOptions::default() };
    let (_, p) = h.plan_with(src, &opts).await.unwrap();
    let a = p.changes.iter().find(|c| c.addr.to_string() == "fake_resource.a").unwrap();
    assert_eq!((a.action, a.reason), (Action::DeleteThenCreate, Some(Reason::ReplaceByRequest)));
}

#[tokio::test]
async fn targeting_limits_the_plan_to_targets_and_dependencies() {
    let h = Harness::new();
    let opts = PlanOptions { targets: vec![parse_target("fake_resource.app[0]").unwrap()], ..PlanOptions::default() };
    let (_, p) = h.plan_with(CHAIN, &opts).await.unwrap();
    // The whole `app` block is planned (instances expand together) along with what it needs.
    let addrs: Vec<String> = actions(&p).into_iter().map(|(a, _)| a).collect();
    assert!(addrs.contains(&"fake_resource.base".to_string()));
    assert!(p.outputs.is_empty(), "outputs are not planned under -target");
}

#[tokio::test]
async fn a_stale_saved_plan_is_refused() {
    let h = Harness::new();
    let (ctx, p) = h.plan_with(CHAIN, &PlanOptions::default()).await.unwrap();
    h.apply(CHAIN).await;
    let err = check_plan_base(&p, h.state().await.as_ref()).unwrap_err();
    assert_eq!(err.summary, "Saved plan is stale");
    let _ = ctx;
    let (_, p2) = h.plan_with(CHAIN, &PlanOptions::default()).await.unwrap();
    assert!(check_plan_base(&p2, h.state().await.as_ref()).is_ok());
    let mut other = h.state().await.unwrap();
    other.lineage = "someone-else".into();
    assert_eq!(check_plan_base(&p2, Some(&other)).unwrap_err().summary, "Saved plan does not match the current state");
}

#[tokio::test]
async fn saved_plans_round_trip_through_bytes() {
    let h = Harness::new();
    let (_, p) = h.plan_with(CHAIN, &PlanOptions::default()).await.unwrap();
    let back = Plan::from_bytes(&p.to_bytes()).unwrap();
    assert_eq!(back.changes, p.changes);
    assert_eq!(back.variables, p.variables);
    assert!(Plan::from_bytes(b"PK\x03\x04 terraform zip").unwrap_err().contains("not a terrane plan"));
}

#[tokio::test]
async fn data_sources_read_at_plan_time_or_defer_to_apply() {
    let h = Harness::new();
    let src = r#"
resource "fake_resource" "src" {
  name  = "src"
  value = "hello"
}
data "fake_lookup" "now" {
  name = "nothing"
}
data "fake_lookup" "later" {
  name = fake_resource.src.name
  depends_on = [fake_resource.src]
}
resource "fake_resource" "use" {
  name  = "use"
  value = "${data.fake_lookup.now.id}:${data.fake_lookup.later.value}"
}
"#;
    let p = h.plan(src).await;
    let later = p.changes.iter().find(|c| c.addr.to_string() == "data.fake_lookup.later").unwrap();
    assert_eq!((later.action, later.reason), (Action::Read, Some(Reason::ReadBecauseDependencyPending)));
    assert!(!p.changes.iter().any(|c| c.addr.to_string() == "data.fake_lookup.now"), "read during plan, no change");
    let (out, state) = h.apply(src).await;
    assert!(!out.diags.has_errors(), "{}", out.diags);
    assert_eq!(attr(&state, "fake_resource.use", "value"), Value::from("lookup-nothing:hello"));
}

#[tokio::test]
async fn checkpoints_are_coalesced() {
    let h = Harness::new();
    let src = "resource \"fake_resource\" \"r\" {\n  count = 300\n  name = \"r${count.index}\"\n}\n";
    let (ctx, p) = h.plan_with(src, &PlanOptions::default()).await.unwrap();
    let recorder = Recorder::start(plan_prior_state(&p).unwrap(), h.backend.clone(), "default", Duration::from_secs(1));
    let out = apply(
        &ctx,
        &p,
        &recorder,
        &ApplyOptions { parallelism: 50, ..Default::default() },
        &WalkControl::default(),
        &NoHooks,
    )
    .await;
    assert!(!out.diags.has_errors());
    let writes_during = recorder.writes();
    let state = recorder.finish().await.map_err(|(_, e)| e).unwrap();
    assert_eq!(state.instances().count(), 300);
    assert!(writes_during <= 3, "300 changes in well under a second must not write 300 times (wrote {writes_during})");
    let stored = h.state().await.unwrap();
    assert_eq!(stored.instances().count(), 300, "the final write holds everything");
    assert_eq!(stored.serial, state.serial);
}

/// As Terraform: an object whose create failed after it was made is tainted and replaced
/// next time; one whose update failed after it was made is kept as it is and updated again
/// (a Docker service that did not converge after an update is not destroyed for it).
#[tokio::test]
async fn a_failed_create_taints_and_a_failed_update_does_not() {
    let h = Harness::new();
    let made = "resource \"fake_resource\" \"u\" {\n  name  = \"u\"\n  value = \"v1\"\n}\n";
    let (out, _) = h.apply(made).await;
    assert!(!out.diags.has_errors(), "{}", out.diags);
    let failing_update = made.replace("\"v1\"", "\"v2\"\n  fail_on = \"converge\"");
    let (out, state) = h.apply(&failing_update).await;
    assert!(out.diags.has_errors());
    let addr = ResourceAddr::managed("fake_resource", "u");
    let obj = state.object(&addr, &InstanceKey::None).unwrap();
    assert_eq!(obj.status, terrane_engine::state::ObjectStatus::Ready);
    assert_eq!(attr(&state, "fake_resource.u", "value"), Value::from("v2"));
    let p = h.plan(&failing_update.replace("converge", "read")).await;
    assert_eq!(actions(&p), vec![("fake_resource.u".into(), Action::Update)], "only fail_on changed");

    let failing_create = "resource \"fake_resource\" \"c\" {\n  name    = \"c\"\n  fail_on = \"converge\"\n}\n";
    let (out, state) = h.apply(&format!("{made}{failing_create}")).await;
    assert!(out.diags.has_errors());
    let obj = state.object(&ResourceAddr::managed("fake_resource", "c"), &InstanceKey::None).unwrap();
    assert_eq!(obj.status, terrane_engine::state::ObjectStatus::Tainted);
    let p = h.plan(&format!("{made}{}", failing_create.replace("  fail_on = \"converge\"\n", ""))).await;
    assert_eq!(actions(&p), vec![("fake_resource.c".into(), Action::DeleteThenCreate)]);
}

#[tokio::test]
async fn tainted_objects_are_replaced() {
    let h = Harness::new();
    let src = "resource \"fake_resource\" \"t\" { name = \"t\" }\n";
    h.apply(src).await;
    let mut s = h.state().await.unwrap();
    let addr = ResourceAddr::managed("fake_resource", "t");
    let mut obj = s.object(&addr, &InstanceKey::None).unwrap().clone();
    obj.status = terrane_engine::state::ObjectStatus::Tainted;
    let provider = s.resources[&addr].provider.clone();
    s.set_object(&addr, &InstanceKey::None, &provider, Some(obj));
    h.backend.write("default", &s).await.unwrap();
    let p = h.plan(src).await;
    assert_eq!(
        (p.changes[0].action, p.changes[0].reason),
        (Action::DeleteThenCreate, Some(Reason::ReplaceBecauseTainted))
    );
    let text = render_plan(&p, &|_| None, false);
    assert!(text.contains("is tainted, so must be replaced"), "{text}");
}

#[tokio::test]
async fn terraform_data_triggers_and_values() {
    let h = Harness::new();
    let src = r#"
resource "terraform_data" "v" {
  input            = { a = 1, b = ["x"] }
  triggers_replace = "t1"
}
output "out" {
  value = terraform_data.v.output.b[0]
}
"#;
    let (out, state) = h.apply(src).await;
    assert!(!out.diags.has_errors(), "{}", out.diags);
    assert_eq!(state.outputs["out"].value, serde_json::json!("x"));
    let addr = ResourceAddr::managed("terraform_data", "v");
    let obj = state.object(&addr, &InstanceKey::None).unwrap();
    let provider =
        terrane_engine::provider::ProviderFactory::new_instance(&terrane_engine::builtin::TerraformFactory::default());
    let v = value_from_object(obj, &provider.schema().resources["terraform_data"].block);
    assert_eq!(v.get_attr("output").unwrap().get_attr("a"), Some(&Value::from(1i64)));
    let p = h.plan(&src.replace("t1", "t2")).await;
    assert_eq!(actions(&p), vec![("terraform_data.v".into(), Action::DeleteThenCreate)]);
    assert!(!h.plan(src).await.has_changes());
}

#[tokio::test]
async fn dynamic_blocks_expand_from_collections() {
    let h = Harness::new();
    let src = r#"
variable "ports" {
  default = [80, 443]
}
resource "fake_resource" "d" {
  name = "d"
  dynamic "rule" {
    for_each = var.ports
    iterator = p
    content {
      port     = p.value
      protocol = p.key == 0 ? "http" : "https"
    }
  }
}
"#;
    let (out, state) = h.apply(src).await;
    assert!(!out.diags.has_errors(), "{}", out.diags);
    let rules = attr(&state, "fake_resource.d", "rule");
    assert_eq!(
        rules,
        Value::tuple(vec![
            Value::object([("port", Value::from(80i64)), ("protocol", Value::from("http"))]),
            Value::object([("port", Value::from(443i64)), ("protocol", Value::from("https"))]),
        ])
    );
    assert!(!h.plan(src).await.has_changes());
}

#[tokio::test]
async fn preconditions_postconditions_and_variable_validation() {
    let h = Harness::new();
    let pre = r#"
variable "env" {
  default = "prod"
  validation {
    condition     = contains(["prod", "dev"], var.env)
    error_message = "env must be prod or dev."
  }
}
resource "fake_resource" "p" {
  name = "p"
  lifecycle {
    precondition {
      condition     = var.env != "prod"
      error_message = "Not in prod, please."
    }
  }
}
"#;
    let Err(d) = h.plan_with(pre, &PlanOptions::default()).await else { panic!("precondition must fail") };
    let e = d.iter().find(|d| d.summary == "Resource precondition failed").expect("precondition error");
    assert_eq!(e.detail, "Not in prod, please.");
    let bad_var =
        PlanOptions { variables: [("env".to_string(), Value::from("qa").into())].into(), ..PlanOptions::default() };
    let Err(d) = h.plan_with(pre, &bad_var).await else { panic!("validation must fail") };
    let e = d.iter().find(|d| d.summary == "Invalid value for variable").expect("validation error");
    assert!(e.detail.starts_with("env must be prod or dev."), "{}", e.detail);
    assert!(e.detail.contains("main.tf:4,"), "names the rule's place: {}", e.detail);

    // A postcondition on a value known only after apply is checked at apply; failing, it
    // keeps the object but taints it.
    let post = r#"
resource "fake_resource" "q" {
  name = "q"
  lifecycle {
    postcondition {
      condition     = self.zone == "zone-b"
      error_message = "Expected zone-b, got ${self.zone}."
    }
  }
}
"#;
    let (out, state) = h.apply(post).await;
    let e = out.diags.iter().find(|d| d.summary == "Resource postcondition failed").expect("postcondition error");
    assert_eq!(e.detail, "Expected zone-b, got zone-a.");
    let q = ResourceAddr::managed("fake_resource", "q");
    assert_eq!(state.object(&q, &InstanceKey::None).unwrap().status, terrane_engine::state::ObjectStatus::Tainted);
}

#[tokio::test]
async fn refresh_only_records_drift_without_changing_anything() {
    let h = Harness::new();
    let src = "resource \"fake_resource\" \"x\" {\n  name  = \"x\"\n  value = \"wanted\"\n}\n";
    let (_, state) = h.apply(src).await;
    let id = attr(&state, "fake_resource.x", "id");
    let fake = h.fake.clone();
    let key = Value::object([("id", id.clone())]);
    let mut edited =
        terrane_engine::provider::Provider::read(fake.as_ref(), "fake_resource", key.clone()).await.unwrap().unwrap();
    edited.set_at_path(&[terrane_engine::value::PathStep::Attr("value".into())], Value::from("drifted"));
    terrane_engine::provider::Provider::update(fake.as_ref(), "fake_resource", key, edited).await.unwrap();
    h.fake.calls.log.lock().unwrap().clear();

    let (ctx, p) =
        h.plan_with(src, &PlanOptions { mode: PlanMode::RefreshOnly, ..PlanOptions::default() }).await.unwrap();
    assert_eq!(p.drift.len(), 1);
    assert!(actions(&p).is_empty(), "refresh-only plans no changes");
    assert!(p.has_changes(), "but applying it updates the state");
    let text = render_plan(&p, &|_| None, false);
    assert!(text.contains("This is a refresh-only plan"), "{text}");
    let (out, state) = h.apply_plan(&ctx, &p, 10, &WalkControl::default()).await;
    assert!(!out.diags.has_errors(), "{}", out.diags);
    assert!(h.log().is_empty(), "nothing was changed remotely: {:?}", h.log());
    assert_eq!(attr(&state, "fake_resource.x", "value"), Value::from("drifted"));
    assert_eq!(attr(&h.state().await.unwrap(), "fake_resource.x", "value"), Value::from("drifted"), "stored");
}

#[tokio::test]
async fn provider_aliases_are_recorded_in_state() {
    let h = Harness::new();
    let src = r#"
provider "fake" {}
provider "fake" {
  alias      = "slow"
  latency_ms = 10
}
resource "fake_resource" "a" { name = "a" }
resource "fake_resource" "b" {
  provider = fake.slow
  name     = "b"
}
"#;
    let (out, state) = h.apply(src).await;
    assert!(!out.diags.has_errors(), "{}", out.diags);
    assert_eq!(
        state.resources[&ResourceAddr::managed("fake_resource", "a")].provider,
        "provider[\"terrane.dev/test/fake\"]"
    );
    assert_eq!(
        state.resources[&ResourceAddr::managed("fake_resource", "b")].provider,
        "provider[\"terrane.dev/test/fake\"].slow"
    );
    assert!(!h.plan(src).await.has_changes());
}

/// An object recorded with an older schema version (`rule` as one object, version 0) is
/// upgraded by its provider before anything reads it: the plan has no changes and its prior
/// state has the current shape. One recorded with a newer version stops the plan with
/// Terraform's error, and nothing is written.
#[tokio::test]
async fn older_schema_versions_are_upgraded_and_newer_ones_refused() {
    let h = Harness::new();
    let src = "resource \"fake_resource\" \"x\" {\n  name = \"x\"\n  rule { port = 80 }\n}\nresource \"fake_resource\" \"y\" { name = \"y\" }\n";
    let (out, state) = h.apply(src).await;
    assert!(!out.diags.has_errors(), "{}", out.diags);
    // The same objects as version 0 recorded them.
    let mut v0 = state.clone();
    for addr in ["x", "y"] {
        let rs = v0.resources.get_mut(&ResourceAddr::managed("fake_resource", addr)).unwrap();
        let obj = rs.instances.get_mut(&InstanceKey::None).unwrap().current.as_mut().unwrap();
        assert_eq!(obj.schema_version, 1);
        let mut j = obj.attributes.to_json();
        let rule = j["rule"].as_array().unwrap().first().cloned().unwrap_or(serde_json::Value::Null);
        j["rule"] = rule;
        obj.attributes = terrane_engine::state::Attributes::from_json(&j);
        obj.schema_version = 0;
    }
    h.backend.write("default", &v0).await.unwrap();
    let p = h.plan(src).await;
    assert!(!p.has_changes(), "{}", render_plan(&p, &|_| None, false));
    let prior = plan_prior_state(&p).unwrap();
    let x = prior.object(&ResourceAddr::managed("fake_resource", "x"), &InstanceKey::None).unwrap();
    assert_eq!(x.schema_version, 1);
    assert_eq!(x.attributes.to_json()["rule"], serde_json::json!([{"port": 80, "protocol": "tcp"}]));
    let y = prior.object(&ResourceAddr::managed("fake_resource", "y"), &InstanceKey::None).unwrap();
    assert_eq!(y.attributes.to_json()["rule"], serde_json::json!([]));

    // A newer version than the provider knows.
    let mut newer = state.clone();
    let rs = newer.resources.get_mut(&ResourceAddr::managed("fake_resource", "x")).unwrap();
    rs.instances.get_mut(&InstanceKey::None).unwrap().current.as_mut().unwrap().schema_version = 2;
    h.backend.write("default", &newer).await.unwrap();
    let err = h.plan_with(src, &PlanOptions::default()).await.err().expect("a newer schema version fails the plan");
    let text = err.to_string();
    assert!(text.contains("Resource instance managed by newer provider version"), "{text}");
    assert!(
        text.contains("The current state of fake_resource.x was created by a newer provider version than is currently selected. Upgrade the fake provider to work with this state."),
        "{text}"
    );
}
