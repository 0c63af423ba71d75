//! examples/quickstart: plans without a daemon while the state is empty, then deploys an app
//! on the local swarm, answers on its published port, and is destroyed to nothing.

use crate::Work;

fn copy_quickstart() -> Work {
    let w = Work::new("");
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart/main.tf");
    std::fs::copy(src, w.path().join("main.tf")).unwrap();
    w
}

#[test]
fn quickstart_plans_without_a_daemon() {
    let w = copy_quickstart();
    let out =
        w.cmd(&["plan", "-detailed-exitcode"]).env("DOCKER_HOST", "unix:///nonexistent/docker.sock").output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("Plan: 3 to add, 0 to change, 0 to destroy."), "{stdout}");
    assert!(stdout.contains("docker_service.app[\"hello\"] will be created"), "{stdout}");
    assert!(!stdout.contains("change-me"), "the secret stays masked: {stdout}");
}

#[test]
fn quickstart_deploys_on_the_local_swarm() {
    let swarm = std::process::Command::new("docker").args(["info", "--format", "{{.Swarm.LocalNodeState}}"]).output();
    assert!(
        swarm.is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "active"),
        "a local swarm is required: run the tests through tests/run.sh"
    );
    let w = copy_quickstart();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let tag = format!("qs{}", port);
    // No registry here: the app is the locally built busybox image serving a page.
    let apps = format!(
        r#"apps={{hello={{image="terrane-test/busybox:1",command=["sh","-c","echo hello from terrane > /www/index.html; exec httpd -f -p 8080 -h /www"],port=8080,host_port={port}}}}}"#
    );
    let out = w.ok(&["apply", "-auto-approve", "-var", &format!("tag={tag}"), "-var", &apps]);
    assert!(out.contains("Apply complete! Resources: 3 added"), "{out}");
    let body = std::process::Command::new("curl")
        .args([
            "-fsS",
            "--retry",
            "20",
            "--retry-all-errors",
            "--retry-delay",
            "1",
            &format!("http://127.0.0.1:{port}/"),
        ])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&body.stdout).trim(), "hello from terrane");
    let (code, plan, _) = w.run(&["plan", "-detailed-exitcode", "-var", &format!("tag={tag}"), "-var", &apps]);
    assert_eq!(code, 0, "re-plan after apply: {plan}");
    w.ok(&["destroy", "-auto-approve", "-var", &format!("tag={tag}"), "-var", &apps]);
    let left = std::process::Command::new("docker").args(["service", "ls", "--format", "{{.Name}}"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&left.stdout).contains(&tag));
}

/// An `ssh://` host goes through the system ssh client (bollard's ssh transport, which runs
/// `docker system dial-stdio` on the host): the test environment's sshd on 127.0.0.1
/// (tests/env/sshd.sh) lets root in with a test key given by `ssh_opts = ["-i", ...]`.
#[test]
fn an_ssh_docker_host_is_reached_through_the_ssh_client() {
    let name = format!("terrane-ssh-{}", std::process::id());
    let config = |host: &str| {
        format!(
            r#"
provider "docker" {{
  host     = "{host}"
  ssh_opts = ["-i", "/var/tmp/terrane-ssh/id_ed25519"]
}}
resource "docker_network" "n" {{
  name   = "{name}"
  driver = "overlay"
}}
"#
        )
    };
    let inspect =
        || std::process::Command::new("docker").args(["network", "inspect", &name]).output().unwrap().status.success();
    let w = crate::Work::new(&config("ssh://root@127.0.0.1"));
    let out = w.ok(&["apply", "-auto-approve"]);
    assert!(out.contains("Resources: 1 added"), "{out}");
    assert!(inspect(), "the network exists on the daemon behind ssh");
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "read back over ssh: {out}{err}");
    w.ok(&["destroy", "-auto-approve"]);
    assert!(!inspect());

    // Nothing listens there: ssh's own reason is in the error.
    w.write("main.tf", &config("ssh://root@127.0.0.2"));
    let (code, out, err) = w.run(&["apply", "-auto-approve"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("cannot connect to the Docker daemon at ssh://root@127.0.0.2"), "{err}");
    assert!(err.contains("Connection refused"), "ssh itself was run: {err}");

    // A port in the URL cannot reach ssh through bollard: the error says where to put it.
    w.write("main.tf", &config("ssh://root@127.0.0.1:2222"));
    let (code, _, err) = w.run(&["apply", "-auto-approve"]);
    assert_eq!(code, 1);
    assert!(err.contains("Port 2222") && err.contains("ssh://root@127.0.0.1 without it"), "{err}");
}
