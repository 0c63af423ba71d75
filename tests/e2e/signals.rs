//! Ctrl-C and SIGTERM at any moment of a plan or an apply: no lock is left behind, the state
//! is never half written, and every object the cloud has is in the state. A second signal
//! abandons in-flight work and names what may be in an unknown state; a signal while waiting
//! for the lock stops the wait.

use crate::{Lcg, Work, thirty_resources, wait_for_lock};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

fn spawn(w: &Work, args: &[&str]) -> Child {
    w.std_cmd(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
}

fn signal(child: &Child, sig: libc::c_int) {
    // SAFETY: sending a signal to a child process we own.
    unsafe { libc::kill(child.id() as libc::pid_t, sig) };
}

/// Waits at most `limit` for the child; its exit code and stderr.
fn finish(mut child: Child, limit: Duration) -> (i32, String) {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            return (status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned());
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("terrane did not exit within {limit:?} of the signal");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The ids of the objects in the fake cloud and in the state.
fn cloud_ids(w: &Work) -> Vec<String> {
    let Ok(bytes) = std::fs::read(w.cloud().join("objects.json")) else { return Vec::new() };
    let objects: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&bytes).unwrap();
    let mut ids: Vec<String> = objects.keys().cloned().collect();
    ids.sort();
    ids
}

fn state_ids(w: &Work) -> Vec<String> {
    let path = w.path().join("terraform.tfstate");
    if !path.exists() {
        return Vec::new();
    }
    let state: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap())
        .unwrap_or_else(|e| panic!("the state file is not whole JSON after a signal: {e}"));
    assert_eq!(state["version"], 4, "{state}");
    let mut ids: Vec<String> = state["resources"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r["instances"].as_array().unwrap().iter().map(|i| i["attributes"]["id"].as_str().unwrap().to_string())
        })
        .collect();
    ids.sort();
    ids
}

#[test]
fn interrupts_at_random_points_leave_no_lock_and_a_whole_state() {
    let reference = Work::new(&thirty_resources());
    let started = Instant::now();
    reference.ok(&["apply", "-auto-approve"]);
    let full = started.elapsed();
    let mut rng = Lcg(0x51c1);
    for point in 0..12 {
        let sig = if point % 2 == 0 { libc::SIGINT } else { libc::SIGTERM };
        let w = Work::new(&thirty_resources());
        // Half the points in a plan of a half-applied configuration, half in an apply.
        let planning = point % 3 == 2;
        if planning {
            w.ok(&["apply", "-auto-approve", "-target=fake_resource.wide"]);
        }
        let before = std::fs::read(w.path().join("terraform.tfstate")).ok();
        let delay = Duration::from_millis(rng.below(full.as_millis() as u64));
        let child = spawn(&w, if planning { &["plan"] } else { &["apply", "-auto-approve"] });
        std::thread::sleep(delay);
        signal(&child, sig);
        let (code, err) = finish(child, Duration::from_secs(20));
        // 0: done before the signal; 1: interrupted; -1: killed by the signal itself, which
        // happens only before terrane installs its handlers, while it is still starting up
        // (no lock taken yet; the checks below hold all the same).
        assert!(matches!(code, -1..=1), "point {point} ({delay:?}): exit {code}\n{err}");
        // No lock left: another run takes it at once.
        let (code, out, err) = w.run(&["plan", "-lock-timeout=0s"]);
        assert_eq!(code, 0, "point {point} ({delay:?}): the lock was left behind\n{out}{err}");
        if planning {
            assert_eq!(
                std::fs::read(w.path().join("terraform.tfstate")).ok(),
                before,
                "point {point}: a plan changed the state"
            );
        }
        // In-flight work finished and was recorded: the cloud has nothing the state lacks.
        let (cloud, state) = (cloud_ids(&w), state_ids(&w));
        assert!(
            cloud.iter().all(|id| state.contains(id)),
            "point {point} ({delay:?}): objects missing from the state\ncloud {cloud:?}\nstate {state:?}"
        );
        w.ok(&["apply", "-auto-approve"]);
        assert_eq!(w.cloud_names().len(), 30, "point {point}");
        let (code, _, _) = w.run(&["plan", "-detailed-exitcode"]);
        assert_eq!(code, 0, "point {point}: not converged");
    }
}

/// An apply of one resource whose create takes `ms`, once it holds the lock.
fn slow_apply(ms: u64) -> (Work, Child) {
    let w = Work::new(&format!(
        "terraform {{\n  required_providers {{\n    fake = {{ source = \"terrane.dev/test/fake\" }}\n  }}\n}}\n\nresource \"fake_resource\" \"slow\" {{\n  name       = \"slow\"\n  latency_ms = {ms}\n}}\n"
    ));
    let child = spawn(&w, &["apply", "-auto-approve"]);
    wait_for_lock(&w);
    (w, child)
}

#[test]
fn a_second_interrupt_abandons_in_flight_work_and_names_it() {
    let (w, child) = slow_apply(5000);
    std::thread::sleep(Duration::from_millis(500));
    signal(&child, libc::SIGINT);
    std::thread::sleep(Duration::from_millis(200));
    let second = Instant::now();
    signal(&child, libc::SIGINT);
    let (code, err) = finish(child, Duration::from_secs(10));
    assert!(second.elapsed() < Duration::from_secs(3), "the second interrupt did not abandon the 5 s create");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Two interrupts received"), "{err}");
    assert!(err.contains("their real state is unknown") && err.contains("fake_resource.slow"), "{err}");
    let (code, out, err) = w.run(&["plan", "-lock-timeout=0s"]);
    assert_eq!(code, 0, "the lock was left behind\n{out}{err}");
}

#[test]
fn an_interrupt_while_waiting_for_the_lock_stops_the_wait() {
    let (w, holder) = slow_apply(3000);
    let waiter = spawn(&w, &["plan", "-lock-timeout=60s"]);
    std::thread::sleep(Duration::from_millis(500));
    let sent = Instant::now();
    signal(&waiter, libc::SIGINT);
    let (code, err) = finish(waiter, Duration::from_secs(10));
    assert!(sent.elapsed() < Duration::from_secs(2), "the wait for the lock went on after Ctrl-C");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Stopped waiting for the state lock"), "{err}");
    let (code, err) = finish(holder, Duration::from_secs(20));
    assert_eq!(code, 0, "the holder was disturbed: {err}");
}

/// `count = 60` (or `for_each` of 60) objects of 50 ms each, one at a time.
fn sixty_slow(expansion: &str) -> String {
    let (meta, name) = match expansion {
        "count" => ("count      = 60", "n-${count.index}"),
        _ => ("for_each   = toset([for i in range(60) : tostring(i)])", "n-${each.key}"),
    };
    format!(
        "terraform {{\n  required_providers {{\n    fake = {{ source = \"terrane.dev/test/fake\" }}\n  }}\n}}\n\nresource \"fake_resource\" \"many\" {{\n  {meta}\n  name       = \"{name}\"\n  latency_ms = 50\n}}\n\noutput \"names\" {{\n  value = [for r in fake_resource.many : r.name]\n}}\n"
    )
}

/// The issue's case with the fake provider: instances of one counted resource are one node of
/// the graph, and the interrupt must stop them too, not only nodes not yet started.
#[test]
fn an_interrupt_stops_the_instances_of_a_counted_resource() {
    for (expansion, sig) in [("count", libc::SIGINT), ("for_each", libc::SIGTERM)] {
        let w = Work::new(&sixty_slow(expansion));
        let child = spawn(&w, &["apply", "-auto-approve", "-parallelism=1"]);
        let deadline = Instant::now() + Duration::from_secs(30);
        while w.cloud_names().len() < 5 {
            assert!(Instant::now() < deadline, "{expansion}: the apply never created 5 objects");
            std::thread::sleep(Duration::from_millis(5));
        }
        let sent = Instant::now();
        signal(&child, sig);
        let (code, err) = finish(child, Duration::from_secs(20));
        let took = sent.elapsed();
        let (cloud, state) = (cloud_ids(&w), state_ids(&w));
        assert_eq!(code, 1, "{expansion}: an interrupted apply must fail\n{err}");
        assert!(err.contains("Operation interrupted"), "{expansion}: {err}");
        assert!(cloud.len() < 60, "{expansion}: all 60 were created after the signal ({took:?})\n{err}");
        // At most the one in flight finishes after the signal.
        assert!(took < Duration::from_secs(2), "{expansion}: took {took:?} to stop");
        assert_eq!(state, cloud, "{expansion}: the state differs from the cloud");
        // The creates that never started are not left for the next plan to look for.
        assert!(w.state().get("terrane_pending_creates").is_none(), "{expansion}: pending creates left");
        assert!(!w.path().join(".terraform.tfstate.lock.info").exists(), "{expansion}: lock info left behind");
        let (code, out, err) = w.run(&["plan", "-lock-timeout=0s", "-detailed-exitcode"]);
        assert_eq!(code, 2, "{expansion}: the lock was left behind, or nothing left to create\n{out}{err}");
        assert!(out.contains(&format!("Plan: {} to add", 60 - cloud.len())), "{expansion}: {out}");
    }
}

/// The issue's case on the real swarm: 60 `docker_service` with `count`, `-parallelism=1`,
/// SIGINT after one second. The apply stops after the services in flight, fails, records
/// exactly what the daemon holds, releases the lock; destroy removes what was made.
#[test]
fn an_interrupt_stops_a_counted_swarm_apply() {
    const IMAGE: &str = "terrane-test/busybox:1";
    let docker = |args: &[&str]| {
        let out = std::process::Command::new("docker").args(args).output().expect("the docker CLI runs");
        assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    docker(&["image", "inspect", "--format", "{{.Id}}", IMAGE]);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let p = format!("tsig{}-{}", std::process::id(), nanos % 100_000);
    // Whatever happens, this test's services do not outlive it.
    struct Cleanup(String);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            let ls = std::process::Command::new("docker")
                .args(["service", "ls", "-q", "--filter", &format!("name={}-", self.0)])
                .output();
            let ids: Vec<String> = ls
                .map(|o| String::from_utf8_lossy(&o.stdout).split_whitespace().map(str::to_string).collect())
                .unwrap_or_default();
            if !ids.is_empty() {
                let _ = std::process::Command::new("docker").args(["service", "rm"]).args(&ids).output();
            }
        }
    }
    let _cleanup = Cleanup(p.clone());
    let on_daemon = || {
        let mut names: Vec<String> =
            docker(&["service", "ls", "--filter", &format!("name={p}-"), "--format", "{{.Name}}"])
                .lines()
                .filter(|n| n.starts_with(&format!("{p}-")))
                .map(str::to_string)
                .collect();
        names.sort();
        names
    };
    let w = Work::new(&format!(
        r#"
terraform {{
  required_providers {{
    docker = {{ source = "kreuzwerker/docker" }}
  }}
}}

provider "docker" {{}}

resource "docker_service" "app" {{
  count = 60
  name  = "{p}-app${{count.index}}"
  task_spec {{
    container_spec {{
      image             = "{IMAGE}"
      command           = ["sleep", "3600"]
      stop_grace_period = "1s"
    }}
  }}
}}
"#
    ));
    let child = spawn(&w, &["apply", "-auto-approve", "-parallelism=1"]);
    std::thread::sleep(Duration::from_secs(1));
    let sent = Instant::now();
    signal(&child, libc::SIGINT);
    let (code, err) = finish(child, Duration::from_secs(30));
    let took = sent.elapsed();
    let made = on_daemon();
    eprintln!(
        "after SIGINT at 1 s: {} services on the daemon, exit {code}, exited {took:?} after the signal",
        made.len()
    );
    let mut in_state: Vec<String> = w.state()["resources"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["instances"].as_array().unwrap().iter())
        .map(|i| i["attributes"]["name"].as_str().unwrap().to_string())
        .collect();
    in_state.sort();
    let (dcode, out, derr) = w.run(&["destroy", "-auto-approve"]);
    let left = on_daemon();
    assert_eq!(code, 1, "an interrupted apply must fail\n{err}");
    assert!(made.len() < 60, "all 60 services were created after the signal ({took:?})");
    assert!(took < Duration::from_secs(10), "took {took:?} to stop");
    assert_eq!(in_state, made, "the state's services differ from the daemon's");
    assert!(!w.path().join(".terraform.tfstate.lock.info").exists(), "lock info left behind");
    assert_eq!(dcode, 0, "destroy failed (a lock left behind?)\n{out}{derr}");
    assert!(left.is_empty(), "services left after destroy: {left:?}");
}
