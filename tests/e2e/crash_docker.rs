//! Crash-safe apply with the Docker provider on the local one-node swarm (`tests/env/docker.sh`):
//! an apply of 32 swarm objects (an overlay network, secrets, configs, volumes and services
//! that use them) is killed with SIGKILL while the daemon's answer to each kind of create is held
//! back (`holding_proxy`), and at 12 seeded random points. Creates leave no mark on
//! their objects; the next plan finds what the killed run created by its name and the time its
//! create was recorded, and adopts it, the apply after it converges, and the daemon holds every object
//! exactly once (listed with the `docker` CLI, behind terrane's back): no name conflict, no
//! orphan. Each point works under its own names and is destroyed at the end.

use crate::holding_proxy::HoldingProxy;
use crate::{Lcg, Work, apply_killed_after, recover_and_check};
use std::time::{Duration, Instant};

const IMAGE: &str = "terrane-test/busybox:1";

/// The 32 objects, named after `p` (unique to one kill point), made through the daemon at `host`.
fn config(p: &str, host: &str) -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    docker = {{ source = "kreuzwerker/docker" }}
  }}
}}

provider "docker" {{
  host = "{host}"
}}

resource "docker_network" "net" {{
  name       = "{p}-net"
  driver     = "overlay"
  attachable = true
}}

resource "docker_secret" "s" {{
  count = 8
  name  = "{p}-s${{count.index}}"
  data  = base64encode("secret ${{count.index}}")
}}

resource "docker_config" "c" {{
  count = 8
  name  = "{p}-c${{count.index}}"
  data  = base64encode("setting = ${{count.index}}")
}}

resource "docker_volume" "v" {{
  count = 9
  name  = "{p}-v${{count.index}}"
  labels {{
    label = "app"
    value = "app${{count.index}}"
  }}
}}

resource "docker_service" "app" {{
  count = 6
  name  = "{p}-app${{count.index}}"
  labels {{
    label = "com.df.notify"
    value = "true"
  }}
  task_spec {{
    container_spec {{
      image             = "{IMAGE}"
      command           = ["sleep", "3600"]
      stop_grace_period = "1s"
      secrets {{
        secret_id   = docker_secret.s[count.index].id
        secret_name = docker_secret.s[count.index].name
        file_name   = "/run/secrets/app"
      }}
      configs {{
        config_id   = docker_config.c[count.index].id
        config_name = docker_config.c[count.index].name
        file_name   = "/app.conf"
      }}
      mounts {{
        target = "/data"
        source = docker_volume.v[count.index].name
        type   = "volume"
      }}
    }}
    networks_advanced {{
      name = docker_network.net.id
    }}
  }}
}}
"#
    )
}

const OBJECTS: usize = 32;

fn docker(args: &[&str]) -> String {
    let out = std::process::Command::new("docker").args(args).output().expect("the docker CLI runs");
    assert!(out.status.success(), "docker {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What the daemon holds of the objects named after `p`, by kind.
fn census(p: &str) -> Vec<(&'static str, usize)> {
    let prefix = format!("{p}-");
    let count = |kind: &str| {
        docker(&[kind, "ls", "--filter", &format!("name={prefix}"), "--format", "{{.Name}}"])
            .lines()
            .filter(|n| n.starts_with(&prefix))
            .count()
    };
    vec![
        ("network", count("network")),
        ("secret", count("secret")),
        ("config", count("config")),
        ("volume", count("volume")),
        ("service", count("service")),
    ]
}

fn expected() -> Vec<(&'static str, usize)> {
    vec![("network", 1), ("secret", 8), ("config", 8), ("volume", 9), ("service", 6)]
}

const DOCKERD: &str = "unix:///var/run/docker.sock";

fn work(p: &str, host: &str) -> Work {
    docker(&["image", "inspect", "--format", "{{.Id}}", IMAGE]);
    Work::new(&config(p, host))
}

#[test]
fn kill_9_at_each_create_and_at_random_points_of_a_swarm_apply_leaves_no_orphan_and_converges() {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let run = format!("tkill{}-{}", std::process::id(), nanos % 100_000);
    assert_eq!(expected().iter().map(|(_, n)| n).sum::<usize>(), OBJECTS);

    // How long an uninterrupted apply takes, to spread the kill points over it.
    let p0 = format!("{run}-ref");
    let reference = work(&p0, DOCKERD);
    let started = Instant::now();
    reference.ok(&["apply", "-auto-approve"]);
    let full = started.elapsed();
    assert_eq!(census(&p0), expected());
    assert_eq!(reference.addresses().len(), OBJECTS);
    // Nothing of terrane's is left on the objects (Terraform would read a label as drift).
    for (kind, name, labels) in [
        ("service", format!("{p0}-app0"), "{{json .Spec.Labels}}"),
        ("network", format!("{p0}-net"), "{{json .Labels}}"),
        ("secret", format!("{p0}-s0"), "{{json .Spec.Labels}}"),
        ("config", format!("{p0}-c0"), "{{json .Spec.Labels}}"),
        ("volume", format!("{p0}-v0"), "{{json .Labels}}"),
    ] {
        let labels = docker(&[kind, "inspect", "-f", labels, &name]);
        assert!(!labels.contains("terrane"), "{kind} {name} carries terrane's labels: {labels}");
    }
    reference.ok(&["destroy", "-auto-approve"]);
    assert!(census(&p0).iter().all(|(_, n)| *n == 0), "objects left after destroy");

    // Every call that makes an object, interrupted at its worst moment: the daemon has made it,
    // the answer is held back, and terrane is killed before it hears of it. The next plan must
    // adopt it, for each kind.
    let proxy = HoldingProxy::start("/var/run/docker.sock");
    let host = proxy.url.replace("http://", "tcp://");
    for action in ["networks/create", "secrets/create", "configs/create", "volumes/create", "services/create"] {
        let p = format!("{run}-{}", action.replace("/create", ""));
        let w = work(&p, &host);
        proxy.apply_killed_while_held(&w, action);
        let what = format!("killed while the answer to {action} was held");
        recover_and_check(&w, &what, 1, &expected(), || census(&p));
    }

    // And at seeded random moments, wherever they fall.
    let mut rng = Lcg(0xd0c_4e5);
    let mut adopted_total = 0;
    let points = 12;
    for point in 0..points {
        let p = format!("{run}-{point}");
        let w = work(&p, DOCKERD);
        let delay = Duration::from_millis(rng.below(full.as_millis() as u64));
        apply_killed_after(&w, delay);
        adopted_total += recover_and_check(&w, &format!("point {point} ({delay:?})"), 0, &expected(), || census(&p));
    }
    eprintln!("{points} kill points over a {full:?} apply; {adopted_total} objects adopted");
}
