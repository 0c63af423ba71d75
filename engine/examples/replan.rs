//! Profiling harness for the engine's plan, without the CLI and the cloud providers (a
//! release build of the engine alone): the plan benchmark's configuration (`benches/plan.rs`)
//! of N `terraform_data` resources is applied once, then planned again against its state,
//! each phase timed. Run under `perf record` to see where a re-plan spends its time:
//!
//!     cargo build --release -p terrane-engine --example replan
//!     perf record -g target/release/examples/replan 10000 3
//!
//! Prints, per run: config load, state decode, plan walk, state encode (milliseconds).

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::sync::Arc;
use std::time::{Duration, Instant};
use terrane_engine::apply::{ApplyOptions, Recorder, apply};
use terrane_engine::config::load_dir;
use terrane_engine::context::Context;
use terrane_engine::graph::WalkControl;
use terrane_engine::hooks::NoHooks;
use terrane_engine::plan::planner::{PlanOptions, plan};
use terrane_engine::provider::ProviderRegistry;
use terrane_engine::state::State;
use terrane_engine::state::local::LocalBackend;

include!("../../benches/support/config.rs");

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let runs: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(3);
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.tf"), generate_config(n).0).expect("write config");
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let backend = Arc::new(LocalBackend::in_dir(dir.path()));
    let control = WalkControl::default();
    rt.block_on(async {
        let (config, diags) = load_dir(dir.path());
        assert!(!diags.has_errors(), "{diags}");
        let ctx = Context::new(config, ProviderRegistry::with_builtin(), &State::new(), "default");
        let (p, _) = plan(&ctx, None, &PlanOptions::default(), &control, &NoHooks).await.expect("first plan");
        let recorder = Recorder::start(p.prior_state.clone(), backend.clone(), "default", Duration::from_secs(5));
        let outcome = apply(&ctx, &p, &recorder, &ApplyOptions::default(), &control, &NoHooks).await;
        assert!(!outcome.diags.has_errors(), "{}", outcome.diags);
        recorder.finish().await.map_err(|(_, e)| e).expect("state saved");
    });
    let state_path = dir.path().join("terraform.tfstate");
    println!("{n} resources; per run: load ms, state decode ms, plan ms, state encode ms");
    for _ in 0..runs {
        let t = Instant::now();
        let (config, _) = load_dir(dir.path());
        let load = t.elapsed();
        let t = Instant::now();
        let bytes = std::fs::read(&state_path).expect("state");
        let state = State::from_json(&bytes).expect("state decodes");
        let decode = t.elapsed();
        let t = Instant::now();
        let ctx = Context::new(config, ProviderRegistry::with_builtin(), &state, "default");
        let (p, _) =
            rt.block_on(plan(&ctx, Some(&state), &PlanOptions::default(), &control, &NoHooks)).expect("re-plan");
        let planned = t.elapsed();
        assert!(!p.has_changes(), "a re-plan after apply finds no changes");
        let t = Instant::now();
        let out = state.to_json();
        let encode = t.elapsed();
        println!("{} {} {} {} ({} bytes)", ms(load), ms(decode), ms(planned), ms(encode), out.len());
    }
}
