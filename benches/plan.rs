//! `cargo bench --bench plan` (or `just bench`): plan with refresh of a large generated
//! configuration of `terraform_data` resources — chains, fan-out, fan-in and `for_each` over a
//! map — against a state that holds all of them. Prints wall time and peak memory of the
//! real `terrane` binary, `validate` and `fmt -check` on the same config, reading and writing
//! the state file, and start-up time; with `--terraform`, runs Terraform on the same config
//! for a ratio.
//!
//!   cargo bench --bench plan -- [--sizes 1000,10000,100000] [--runs 3] [--terraform]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Run {
    wall: Duration,
    max_rss_mb: f64,
    code: i32,
}

/// Runs a command and measures its wall time and peak resident memory.
fn measure(mut cmd: Command) -> Run {
    let start = Instant::now();
    let status = cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped()).output().expect("run");
    let wall = start.elapsed();
    // ru_maxrss of the children reaped so far: each measured command runs alone, so its
    // value dominates unless an earlier child was bigger; report per-run via a fresh helper.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    if !status.status.success() && status.status.code() != Some(2) {
        eprintln!("{}", String::from_utf8_lossy(&status.stderr));
    }
    Run { wall, max_rss_mb: usage.ru_maxrss as f64 / 1024.0, code: status.status.code().unwrap_or(-1) }
}

/// Measures in a fresh process so each figure's peak memory is its own.
fn measure_isolated(program: &Path, dir: &Path, args: &[&str]) -> Run {
    let me = std::env::current_exe().expect("bench exe");
    let out = Command::new(me).arg("--measure-one").arg(program).arg(dir).args(args).output().expect("measure");
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace();
    let wall = Duration::from_secs_f64(parts.next().and_then(|s| s.parse().ok()).unwrap_or(f64::NAN));
    let max_rss_mb = parts.next().and_then(|s| s.parse().ok()).unwrap_or(f64::NAN);
    let code = parts.next().and_then(|s| s.parse().ok()).unwrap_or(-1);
    Run { wall, max_rss_mb, code }
}

include!("support/config.rs");

fn generate(dir: &Path, n: usize) -> usize {
    let (text, count) = generate_config(n);
    std::fs::write(dir.join("main.tf"), text).expect("write config");
    count
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--measure-one") {
        let program = &args[1];
        let dir = &args[2];
        let mut cmd = Command::new(program);
        cmd.current_dir(dir).args(&args[3..]).env("NO_COLOR", "1").env("TF_IN_AUTOMATION", "1");
        let r = measure(cmd);
        println!("{} {} {}", r.wall.as_secs_f64(), r.max_rss_mb, r.code);
        return;
    }
    let mut sizes = vec![1_000usize, 10_000, 100_000];
    let mut runs = 3usize;
    let mut terraform = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--sizes" => sizes = it.next().expect("sizes").split(',').map(|s| s.parse().expect("size")).collect(),
            "--runs" => runs = it.next().expect("runs").parse().expect("runs"),
            "--terraform" => terraform = true,
            "--bench" => {}
            _ => {}
        }
    }
    let terrane = Path::new(env!("CARGO_BIN_EXE_terrane"));
    startup(terrane, runs);
    println!("\nterrane plan benchmark ({} runs each; binary {})", runs, terrane.display());
    println!(
        "{:>8} {:>10} {:>12} {:>12} {:>10} {:>12} {:>10} {:>14} {:>14}",
        "size",
        "apply s",
        "plan s(med)",
        "plan s(min)",
        "peak MB",
        "validate s",
        "fmt s",
        "state read ms",
        "state write ms"
    );
    for &n in &sizes {
        let dir = tempfile::tempdir().expect("tempdir");
        let count = generate(dir.path(), n);
        let apply = measure_isolated(terrane, dir.path(), &["apply", "-auto-approve", "-parallelism=50"]);
        assert_eq!(apply.code, 0, "apply of {count} resources failed");
        let mut walls = Vec::new();
        let mut peak: f64 = 0.0;
        for _ in 0..runs {
            let r = measure_isolated(terrane, dir.path(), &["plan", "-detailed-exitcode"]);
            assert_eq!(r.code, 0, "a re-plan after apply must find no changes (exit {})", r.code);
            walls.push(r.wall);
            peak = peak.max(r.max_rss_mb);
        }
        let validate = measure_isolated(terrane, dir.path(), &["validate"]);
        let fmt = measure_isolated(terrane, dir.path(), &["fmt", "-check"]);
        let (read, write) = state_io(dir.path(), runs);
        let min = *walls.iter().min().expect("runs");
        let med = median(walls.clone());
        println!(
            "{:>8} {:>10.2} {:>12.3} {:>12.3} {:>10.1} {:>12.3} {:>10.3} {:>14.1} {:>14.1}",
            count,
            apply.wall.as_secs_f64(),
            med.as_secs_f64(),
            min.as_secs_f64(),
            peak,
            validate.wall.as_secs_f64(),
            fmt.wall.as_secs_f64(),
            read.as_secs_f64() * 1000.0,
            write.as_secs_f64() * 1000.0
        );
        if terraform && which("terraform") {
            let tdir = tempfile::tempdir().expect("tempdir");
            std::fs::copy(dir.path().join("main.tf"), tdir.path().join("main.tf")).expect("copy");
            let init = measure_isolated(Path::new("terraform"), tdir.path(), &["init", "-input=false"]);
            assert_eq!(init.code, 0, "terraform init failed");
            let tapply = measure_isolated(
                Path::new("terraform"),
                tdir.path(),
                &["apply", "-auto-approve", "-input=false", "-parallelism=50"],
            );
            let tplan =
                measure_isolated(Path::new("terraform"), tdir.path(), &["plan", "-input=false", "-detailed-exitcode"]);
            println!(
                "{:>8} terraform: apply {:.2} s, plan {:.3} s, peak {:.1} MB  → terrane plan is {:.1}x faster, {:.1}x less memory",
                count,
                tapply.wall.as_secs_f64(),
                tplan.wall.as_secs_f64(),
                tplan.max_rss_mb,
                tplan.wall.as_secs_f64() / med.as_secs_f64(),
                tplan.max_rss_mb / peak
            );
        }
    }
}

/// Reading and writing the state file through the engine's local backend (median of `runs`).
fn state_io(dir: &Path, runs: usize) -> (Duration, Duration) {
    use terrane_engine::state::StateBackend;
    use terrane_engine::state::local::LocalBackend;
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let backend = LocalBackend::new(dir.join("terraform.tfstate"), dir.join("terraform.tfstate.d"));
    let copy = LocalBackend::new(dir.join("copy.tfstate"), dir.join("copy.tfstate.d"));
    let (mut reads, mut writes) = (Vec::new(), Vec::new());
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let state = rt.block_on(backend.read("default")).expect("read state").expect("a state");
        reads.push(start.elapsed());
        let start = Instant::now();
        rt.block_on(copy.write("default", &state)).expect("write state");
        writes.push(start.elapsed());
    }
    (median(reads), median(writes))
}

/// Start-up: commands that need no provider on a small configuration.
fn startup(terrane: &Path, runs: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    generate(dir.path(), 10);
    let time =
        |args: &[&str]| median((0..runs.max(3)).map(|_| measure_isolated(terrane, dir.path(), args).wall).collect());
    println!(
        "start-up: `terrane version` {:.1} ms, `terrane validate` (10 resources) {:.1} ms",
        time(&["version"]).as_secs_f64() * 1000.0,
        time(&["validate"]).as_secs_f64() * 1000.0
    );
}

fn which(program: &str) -> bool {
    Command::new(program)
        .arg("version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
