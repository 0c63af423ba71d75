//! `cargo bench --features fake-provider --bench apply` (or `just bench-apply`): how close an
//! apply comes to the ideal schedule of its dependency graph. Each shape has 1,000
//! `fake_resource`s whose create takes a fixed latency; the ideal wall time for parallelism P
//! is max(critical path, ⌈N / P⌉) × latency (for the diamond: its three layers). The figure is
//! the apply of a saved plan (no refresh) by the real binary, divided by that ideal.
//!
//! Then the state checkpoints of a 10,000-resource apply: how many times the state was
//! written (its serial: one durable write of the planned creates' intents, then checkpoints
//! coalesced to at most one a second, then the final write) against the seconds it ran.
//!
//!   cargo bench --features fake-provider --bench apply -- [--latency-ms 20] [--parallelism 10] [--checkpoint-n 10000]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const N: usize = 1000;

struct Shape {
    name: &'static str,
    config: String,
    /// The ideal schedule, in units of one operation's latency.
    ideal_steps: usize,
}

fn res(name: &str, latency: u64, after: Option<&str>) -> String {
    let value = after.map(|a| format!("\n  value      = {a}.id")).unwrap_or_default();
    format!(
        "resource \"fake_resource\" \"{name}\" {{\n  name       = \"{name}\"\n  latency_ms = {latency}{value}\n}}\n"
    )
}

fn shapes(latency: u64, p: usize) -> Vec<Shape> {
    // Wide: N independent resources.
    let wide = format!(
        "resource \"fake_resource\" \"w\" {{\n  count      = {N}\n  name       = \"w-${{count.index}}\"\n  latency_ms = {latency}\n}}\n"
    );
    // Deep: P chains of N / P resources: the critical path is N / P long, as wide as P.
    let chains = p;
    let len = N / chains;
    let mut deep = String::new();
    for c in 0..chains {
        for i in 0..len {
            let prev = (i > 0).then(|| format!("fake_resource.d_{c}_{}", i - 1));
            deep.push_str(&res(&format!("d_{c}_{i}"), latency, prev.as_deref()));
        }
    }
    // Diamond: one root, N - 2 in the middle depending on it, one sink depending on all.
    let mut diamond = res("top", latency, None);
    diamond.push_str(&format!(
        "resource \"fake_resource\" \"mid\" {{\n  count      = {}\n  name       = \"mid-${{count.index}}\"\n  value      = fake_resource.top.id\n  latency_ms = {latency}\n}}\n",
        N - 2
    ));
    diamond.push_str(&format!(
        "resource \"fake_resource\" \"sink\" {{\n  name       = \"sink\"\n  value      = length(fake_resource.mid[*].id)\n  latency_ms = {latency}\n}}\n"
    ));
    vec![
        Shape { name: "wide", config: wide, ideal_steps: N.div_ceil(p) },
        Shape { name: "deep", config: deep, ideal_steps: len.max(N.div_ceil(p)) },
        Shape { name: "diamond", config: diamond, ideal_steps: 1 + (N - 2).div_ceil(p) + 1 },
    ]
}

fn run(terrane: &Path, dir: &Path, args: &[&str]) -> Duration {
    let start = Instant::now();
    let out = Command::new(terrane)
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("TERRANE_FAKE_STORE")
        .output()
        .expect("run terrane");
    assert!(
        out.status.success(),
        "terrane {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    start.elapsed()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut latency = 20u64;
    let mut p = 10usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--latency-ms" => latency = it.next().expect("latency").parse().expect("number"),
            "--parallelism" => p = it.next().expect("parallelism").parse().expect("number"),
            _ => {}
        }
    }
    let mut checkpoint_n = 10_000usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--checkpoint-n" {
            checkpoint_n = it.next().expect("count").parse().expect("number");
        }
    }
    let terrane = Path::new(env!("CARGO_BIN_EXE_terrane"));
    println!("terrane apply schedule benchmark: {N} resources, {latency} ms per create, -parallelism={p}");
    println!("{:>8} {:>10} {:>10} {:>8}", "shape", "ideal s", "apply s", "ratio");
    for shape in shapes(latency, p) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("main.tf"), &shape.config).expect("config");
        run(terrane, dir.path(), &["plan", "-out=plan.bin"]);
        let wall = run(terrane, dir.path(), &["apply", &format!("-parallelism={p}"), "plan.bin"]);
        let ideal = Duration::from_millis(latency) * shape.ideal_steps as u32;
        println!(
            "{:>8} {:>10.2} {:>10.2} {:>8.3}",
            shape.name,
            ideal.as_secs_f64(),
            wall.as_secs_f64(),
            wall.as_secs_f64() / ideal.as_secs_f64()
        );
    }
    checkpoints(terrane, checkpoint_n, p);
}

/// Applies `n` independent resources (1 ms each) and reports the state writes.
fn checkpoints(terrane: &Path, n: usize, p: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = format!(
        "resource \"fake_resource\" \"c\" {{\n  count      = {n}\n  name       = \"c-${{count.index}}\"\n  latency_ms = 1\n}}\n"
    );
    std::fs::write(dir.path().join("main.tf"), config).expect("config");
    run(terrane, dir.path(), &["plan", "-out=plan.bin"]);
    let wall = run(terrane, dir.path(), &["apply", &format!("-parallelism={p}"), "plan.bin"]);
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("terraform.tfstate")).expect("state")).expect("json");
    let writes = state["serial"].as_u64().unwrap_or(0);
    let bound = 2 + wall.as_secs_f64().ceil() as u64;
    println!(
        "\ncheckpoints: apply of {n} resources took {:.2} s and wrote the state {writes} times (bound: 1 intent write + 1 per second + the final write = {bound}): {}",
        wall.as_secs_f64(),
        if writes <= bound { "ok" } else { "OVER" }
    );
}
