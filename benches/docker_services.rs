//! `cargo bench --bench docker_services` (or `just bench-docker`): applying many swarm services
//! on the local daemon (started by tests/env/docker.sh when it is not running) against the
//! time one service takes to converge. First one service (busybox, one replica, the provider
//! waiting for its task to run as in every apply) is applied and destroyed a few times with
//! the real binary; the slowest of those applies is the single-service converge time. Then N
//! such services are applied with `-parallelism=P`. The figure is
//!
//!   wall / (slowest single × ⌈N / P⌉)
//!
//! which should stay at or below 1.5. The same formula is also given with the slowest service
//! of the N-service apply itself (its longest create and converge, from `apply -json`): under
//! the load of P services starting at once each one takes longer than alone, and this figure
//! shows how well the apply packs its waves whatever the daemon's speed. To tell terrane's
//! share from the daemon's, the same N
//! services are then created straight through the Docker API, P at a time, each checked every
//! 50 ms until its task runs: the daemon's floor for this work, which no client can beat.
//! Everything is destroyed afterwards, also when a step fails, and services left behind by a
//! failed destroy are removed with the docker CLI.
//!
//! Each figure is given for every `--parallelism` asked for (3 and 10 by default: on a
//! 2-core machine the daemon cannot start ten containers in the time of one, while three it
//! nearly can).
//!
//!   cargo bench --bench docker_services -- [--count 50] [--parallelism 3,10] [--singles 5]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const IMAGE: &str = "terrane-test/busybox:1";
const LIMIT: f64 = 1.5;

fn config(tag: &str, count: usize) -> String {
    format!(
        r#"
provider "docker" {{}}

resource "docker_service" "s" {{
  count = {count}
  name  = "{tag}-${{count.index}}"
  task_spec {{
    container_spec {{
      image             = "{IMAGE}"
      command           = ["sleep", "86400"]
      stop_grace_period = "1s"
    }}
  }}
  mode {{
    replicated {{
      replicas = 1
    }}
  }}
}}
"#
    )
}

fn terrane(dir: &Path, args: &[&str]) -> Result<Duration, String> {
    terrane_out(dir, args).map(|(d, _)| d)
}

/// Runs terrane; its wall time and standard output.
fn terrane_out(dir: &Path, args: &[&str]) -> Result<(Duration, String), String> {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_terrane"))
        .current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .map_err(|e| format!("cannot run terrane: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "terrane {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok((start.elapsed(), String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// The longest create (the call and the wait for its task) of an `apply -json`'s output.
fn slowest_create(json_lines: &str) -> Duration {
    json_lines
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["type"] == "apply_complete")
        .filter_map(|m| m["hook"]["elapsed_seconds"].as_f64())
        .map(Duration::from_secs_f64)
        .max()
        .unwrap_or_default()
}

/// A working directory whose services are destroyed when it goes, whatever happened.
struct Workspace {
    dir: tempfile::TempDir,
    tag: String,
}

impl Workspace {
    fn new(tag: String, count: usize) -> Workspace {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("main.tf"), config(&tag, count)).expect("config");
        Workspace { dir, tag }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    fn apply(&self, parallelism: usize) -> Result<Duration, String> {
        terrane(&self.path(), &["apply", "-auto-approve", &format!("-parallelism={parallelism}")])
    }

    fn destroy(&self) -> Result<Duration, String> {
        terrane(&self.path(), &["destroy", "-auto-approve", "-parallelism=20"])
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        if let Err(e) = self.destroy() {
            eprintln!("{e}");
        }
        remove_left_over(&format!("{}-", self.tag));
    }
}

/// Removes whatever services named `prefix`* a failed step left behind.
fn remove_left_over(prefix: &str) {
    let out = Command::new("docker")
        .args(["service", "ls", "-q", "--filter", &format!("name={prefix}")])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .unwrap_or_default();
    if !out.is_empty() {
        eprintln!("removing {} services left behind", out.len());
        let _ = Command::new("docker").args(["service", "rm"]).args(&out).output();
    }
}

/// Waits until no container of the services named `prefix`* is left (stopping ones included),
/// so that one phase's clean-up does not slow the next one down.
fn settle(prefix: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        let out = Command::new("docker")
            .args(["ps", "-aq", "--filter", &format!("name={prefix}")])
            .output()
            .map(|o| o.stdout)
            .unwrap_or_default();
        if out.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The daemon's floor: `count` services created and waited for straight through the API,
/// `parallelism` at a time, checking every 50 ms. Returns the wall time.
async fn floor(prefix: &str, count: usize, parallelism: usize) -> Duration {
    use bollard::query_parameters::ListTasksOptions;
    use futures::StreamExt;
    let docker =
        bollard::Docker::connect_with_local_defaults().expect("docker").negotiate_version().await.expect("docker");
    let one = |i: usize| {
        let docker = docker.clone();
        async move {
            let spec = serde_json::json!({
                "Name": format!("{prefix}{i}"),
                "TaskTemplate": {"ContainerSpec": {"Image": IMAGE, "Command": ["sleep", "86400"], "StopGracePeriod": 1_000_000_000}},
                "Mode": {"Replicated": {"Replicas": 1}},
            });
            let id = docker
                .create_service(serde_json::from_value(spec).expect("spec"), None)
                .await
                .expect("create service")
                .id
                .unwrap_or_default();
            let filters = std::collections::HashMap::from([("service".to_string(), vec![id])]);
            loop {
                let tasks = docker
                    .list_tasks(Some(ListTasksOptions { filters: Some(filters.clone()) }))
                    .await
                    .expect("list tasks");
                let running = |t: &bollard::models::Task| {
                    t.status.as_ref().and_then(|s| s.state) == Some(bollard::models::TaskState::RUNNING)
                };
                if tasks.iter().any(running) {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    };
    let start = Instant::now();
    futures::stream::iter(0..count).map(one).buffer_unordered(parallelism).collect::<Vec<()>>().await;
    let wall = start.elapsed();
    for i in 0..count {
        let _ = docker.delete_service(&format!("{prefix}{i}")).await;
    }
    wall
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut count = 50usize;
    let mut parallelisms = vec![3usize, 10];
    let mut singles = 5usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--count" => count = it.next().expect("count").parse().expect("number"),
            "--parallelism" => {
                parallelisms =
                    it.next().expect("parallelism").split(',').map(|p| p.trim().parse().expect("number")).collect()
            }
            "--singles" => singles = it.next().expect("singles").parse().expect("number"),
            _ => {}
        }
    }
    assert!(
        count > 0 && parallelisms.iter().all(|p| *p > 0) && singles > 0,
        "--count, --parallelism and --singles must be positive"
    );
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let env = Command::new(repo.join("tests/env/docker.sh")).status().expect("tests/env/docker.sh");
    assert!(env.success(), "the swarm could not be started");
    let tag = format!("bench{}", std::process::id());

    println!("terrane Docker apply benchmark on the local swarm: {count} services ({IMAGE}, 1 replica each)");
    let mut times = Vec::new();
    {
        let one = Workspace::new(format!("{tag}-one"), 1);
        // A warm-up apply: the first one after a quiet daemon pays for things later ones do not.
        one.apply(1).and_then(|_| one.destroy()).unwrap_or_else(|e| panic!("{e}"));
        settle(&format!("{tag}-one-"));
        for _ in 0..singles {
            let t = one.apply(1).unwrap_or_else(|e| panic!("{e}"));
            times.push(t);
            one.destroy().unwrap_or_else(|e| panic!("{e}"));
            settle(&format!("{tag}-one-"));
        }
    }
    let slowest = times.iter().max().copied().unwrap_or_default();
    let fastest = times.iter().min().copied().unwrap_or_default();
    let list: Vec<String> = times.iter().map(|t| format!("{:.2}", t.as_secs_f64())).collect();
    println!(
        "one service, {singles} applies: {} s (fastest {:.2} s, slowest {:.2} s)",
        list.join(" "),
        fastest.as_secs_f64(),
        slowest.as_secs_f64()
    );

    for parallelism in parallelisms {
        println!();
        let many = Workspace::new(format!("{tag}-many{parallelism}"), count);
        let (wall, out) =
            terrane_out(&many.path(), &["apply", "-auto-approve", "-json", &format!("-parallelism={parallelism}")])
                .unwrap_or_else(|e| panic!("{e}"));
        let slowest_in_run = slowest_create(&out);
        let waves = count.div_ceil(parallelism);
        let bound = slowest * waves as u32;
        let ratio = wall.as_secs_f64() / bound.as_secs_f64();
        println!(
            "{count} services, -parallelism={parallelism}: {:.2} s; slowest single × ⌈{count}/{parallelism}⌉ = {:.2} × {waves} = {:.2} s",
            wall.as_secs_f64(),
            slowest.as_secs_f64(),
            bound.as_secs_f64()
        );
        println!(
            "ratio against one service applied alone: {ratio:.3} ({} the {LIMIT} limit)",
            if ratio <= LIMIT { "within" } else { "OVER" }
        );
        // The same formula with the slowest service of this run: how well the apply packs its
        // waves, whatever the daemon's speed under this load.
        let in_run = wall.as_secs_f64() / (slowest_in_run.as_secs_f64() * waves as f64);
        println!(
            "slowest service of this run: {:.2} s (create and converge); wall / (that × {waves}) = {in_run:.3} ({} the {LIMIT} limit)",
            slowest_in_run.as_secs_f64(),
            if in_run <= LIMIT { "within" } else { "OVER" }
        );
        let destroy = many.destroy().unwrap_or_else(|e| panic!("{e}"));
        println!("destroy of {count} services: {:.2} s", destroy.as_secs_f64());
        settle(&format!("{tag}-many{parallelism}-"));

        let prefix = format!("{tag}-api{parallelism}-");
        let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
        let floor = rt.block_on(floor(&prefix, count, parallelism));
        remove_left_over(&prefix);
        println!(
            "daemon floor: the same {count} services straight through the API, {parallelism} at a time: {:.2} s; terrane / floor = {:.3}",
            floor.as_secs_f64(),
            wall.as_secs_f64() / floor.as_secs_f64()
        );
        settle(&prefix);
    }
}
