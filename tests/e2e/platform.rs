//! The futuswarm platform example (`examples/futuswarm-platform`, built from `modules/`):
//! planned without credentials (snapshot), and applied end to end with the AWS side on moto
//! and the Docker side on the local swarm: re-planned to `No changes.`, an app's image
//! changed (only its service updates in place), and destroyed to nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A copy of `modules/` and the example, so the example's `../../modules` paths hold and
/// its state stays out of the repository.
fn copy_platform() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("modules"), &tmp.path().join("modules"));
    let example = tmp.path().join("examples/futuswarm-platform");
    copy_dir(&repo().join("examples/futuswarm-platform"), &example);
    (tmp, example)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else if e.path().extension().is_none_or(|x| x != "tfstate") {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

fn terrane(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("terrane"));
    c.current_dir(dir).args(args).env("NO_COLOR", "1").env_remove("TF_WORKSPACE").env_remove("TERRANE_WORKSPACE");
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_platform_plans_without_credentials() {
    let (_tmp, dir) = copy_platform();
    let mut c = terrane(&dir, &["plan", "-var", r#"overrides={cluster={ami_id="ami-785db401"}}"#]);
    // No credentials anywhere, and no instance metadata service to fall back on.
    for var in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"] {
        c.env_remove(var);
    }
    c.env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("DOCKER_HOST", "unix:///nonexistent/docker.sock");
    let (code, out, err) = run(&mut c);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Plan: 48 to add, 0 to change, 0 to destroy."), "{out}");
    // No variable but the AMI: the database password and the nodes' SSH key are generated,
    // and the plan shows neither.
    for created in [
        r#"  # module.platform.random_password.db["api"] will be created"#,
        "  # module.platform.tls_private_key.ssh[0] will be created",
        r#"  # module.platform.module.app["api"].docker_secret.this["db_password"] will be created"#,
    ] {
        assert!(out.contains(created), "{created}\n{out}");
    }
    assert!(out.contains("      + result           = (sensitive value)"), "{out}");
    insta::assert_snapshot!("futuswarm_platform_plan", out);
}

/// The overrides that fit the platform onto moto and a one-node local swarm.
fn local_tfvars(tag: &str, api_image: &str) -> String {
    let port = 20000 + std::process::id() % 20000;
    let https = port + 1;
    format!(
        r#"
tag          = "{tag}"
aws_endpoint = "http://127.0.0.1:5000"
overrides = {{
  cluster  = {{ ami_id = "ami-785db401", managers = 1, workers = 1 }}
  logs     = {{ driver = "json-file" }}
  postgres = {{ deletion_protection = false, skip_final_snapshot = true }}
  proxy = {{
    network_name     = "{tag}-proxy"
    image            = "terrane-test/busybox:1"
    command          = ["sleep", "86400"]
    listener_image   = "terrane-test/busybox:1"
    listener_command = ["sleep", "86400"]
    http_port        = {port}
    https_port       = {https}
  }}
  apps = {{
    web = {{ image = "terrane-test/busybox:1", command = ["sh", "-c", "echo web > /www/index.html; exec httpd -f -p 80 -h /www"] }}
    api = {{ image = "{api_image}", command = ["sh", "-c", "env > /www/index.html; exec httpd -f -p 80 -h /www"] }}
  }}
}}
"#
    )
}

/// The database password and the SSH private key the platform generated, from the state.
fn generated_secrets(dir: &Path) -> Vec<String> {
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("terraform.tfstate")).unwrap()).unwrap();
    let mut out = Vec::new();
    for r in state["resources"].as_array().unwrap() {
        let attrs = &r["instances"][0]["attributes"];
        match r["type"].as_str() {
            Some("random_password") => out.push(attrs["result"].as_str().unwrap().to_string()),
            Some("tls_private_key") => {
                // A line of the key's base64 body, which no output may show.
                let key = attrs["private_key_openssh"].as_str().unwrap();
                out.push(key.lines().nth(1).unwrap().to_string());
            }
            _ => {}
        }
    }
    assert_eq!(out.len(), 2, "a generated password and a generated key");
    out
}

fn swarm_services(prefix: &str) -> Vec<String> {
    let out = Command::new("docker").args(["service", "ls", "--format", "{{.Name}}"]).output().unwrap();
    let mut names: Vec<String> =
        String::from_utf8_lossy(&out.stdout).lines().filter(|n| n.starts_with(prefix)).map(str::to_string).collect();
    names.sort();
    names
}

/// Removes what a failed run left on the shared swarm (services, then the network).
struct SwarmCleanup(String);

impl Drop for SwarmCleanup {
    fn drop(&mut self) {
        let left = swarm_services(&self.0);
        if !left.is_empty() {
            let _ = Command::new("docker").args(["service", "rm"]).args(&left).output();
        }
        for _ in 0..50 {
            let out = Command::new("docker").args(["network", "rm", &format!("{}-proxy", self.0)]).output();
            if out
                .map(|o| o.status.success() || String::from_utf8_lossy(&o.stderr).contains("not found"))
                .unwrap_or(true)
            {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }
}

#[test]
fn the_platform_applies_on_moto_and_the_local_swarm_and_destroys_to_nothing() {
    let (_tmp, dir) = copy_platform();
    let tag = format!("fs{}", std::process::id());
    let _cleanup = SwarmCleanup(tag.clone());
    // A second tag of the test image stands for an app's new release.
    let tagged = Command::new("docker").args(["tag", "terrane-test/busybox:1", "terrane-test/busybox:2"]).status();
    assert!(tagged.unwrap().success());
    std::fs::write(dir.join("local.tfvars"), local_tfvars(&tag, "terrane-test/busybox:1")).unwrap();
    std::fs::write(dir.join("release.tfvars"), local_tfvars(&tag, "terrane-test/busybox:2")).unwrap();
    let aws = |c: &mut Command| {
        // Debug logs on: the password must not show there either.
        c.env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("TERRANE_LOG", "debug")
            .env_remove("DOCKER_HOST");
    };

    let mut c = terrane(&dir, &["apply", "-auto-approve", "-var-file=local.tfvars"]);
    aws(&mut c);
    let (code, out, err) = run(&mut c);
    assert_eq!(code, 0, "{out}{err}");
    // The generated database password and SSH private key, from the state: in no output.
    let secrets = generated_secrets(&dir);
    let no_secret = |text: &str| {
        for s in &secrets {
            assert!(!text.contains(s.as_str()), "a generated secret leaked:\n{text}");
        }
    };
    no_secret(&format!("{out}{err}"));
    assert!(out.contains("Apply complete! Resources: 40 added, 0 changed, 0 destroyed."), "{out}");
    assert_eq!(
        swarm_services(&tag),
        [format!("{tag}-api"), format!("{tag}-proxy"), format!("{tag}-swarm-listener"), format!("{tag}-web")]
    );
    // The api gets its database's URL and the password as the swarm secret db_password.
    let listed = Command::new("docker").args(["secret", "ls", "--format", "{{.Name}}"]).output().unwrap();
    let listed = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.lines().any(|n| n.starts_with(&format!("{tag}-api-db_password-"))), "{listed}");
    let inspect = Command::new("docker")
        .args([
            "service",
            "inspect",
            &format!("{tag}-api"),
            "--format",
            "{{json .Spec.TaskTemplate.ContainerSpec.Env}}",
        ])
        .output()
        .unwrap();
    let env = String::from_utf8_lossy(&inspect.stdout);
    assert!(env.contains("DATABASE_URL=postgres://"), "{env}");
    let labels = Command::new("docker")
        .args(["service", "inspect", &format!("{tag}-api"), "--format", "{{json .Spec.Labels}}"])
        .output()
        .unwrap();
    let labels = String::from_utf8_lossy(&labels.stdout);
    for l in [r#""com.df.notify":"true""#, r#""com.df.servicePath":"/api""#, r#""com.df.port":"80""#] {
        assert!(labels.contains(l), "{labels}");
    }

    let mut c = terrane(&dir, &["plan", "-detailed-exitcode", "-var-file=local.tfvars"]);
    aws(&mut c);
    let (code, out, err) = run(&mut c);
    no_secret(&format!("{out}{err}"));
    assert_eq!(code, 0, "a re-plan finds nothing to do\n{out}{err}");
    assert!(out.contains("No changes."), "{out}");

    let mut c = terrane(&dir, &["plan", "-detailed-exitcode", "-out=release.bin", "-var-file=release.tfvars"]);
    aws(&mut c);
    let (code, out, err) = run(&mut c);
    no_secret(&format!("{out}{err}"));
    assert_eq!(code, 2, "{out}{err}");
    // The planned changes (not the notes on drift: terrane lists every attribute that changed
    // outside, such as a database's latest_restorable_time, where Terraform shows only drift
    // a planned change depends on).
    let changed: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("  # ") && !l.starts_with("  # (") && !l.starts_with("  # because"))
        .filter(|l| !l.ends_with(" has changed"))
        .collect();
    assert_eq!(
        changed,
        [r#"  # module.platform.module.app["api"].docker_service.this will be updated in-place"#],
        "{out}"
    );
    // The reason given is the new release's tag, through the module inputs.
    assert!(out.contains("  # because "), "{out}");
    assert!(out.contains("Plan: 0 to add, 1 to change, 0 to destroy."), "{out}");
    let mut c = terrane(&dir, &["apply", "release.bin"]);
    aws(&mut c);
    let (code, out, err) = run(&mut c);
    no_secret(&format!("{out}{err}"));
    assert_eq!(code, 0, "{out}{err}");
    let image = Command::new("docker")
        .args(["service", "inspect", &format!("{tag}-api"), "--format", "{{.Spec.TaskTemplate.ContainerSpec.Image}}"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&image.stdout).starts_with("terrane-test/busybox:2"));

    let mut c = terrane(&dir, &["destroy", "-auto-approve", "-var-file=release.tfvars"]);
    aws(&mut c);
    let (code, out, err) = run(&mut c);
    no_secret(&format!("{out}{err}"));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Destroy complete! Resources: 40 destroyed."), "{out}");
    assert!(swarm_services(&tag).is_empty());
    let (_, list, _) = run(&mut terrane(&dir, &["state", "list"]));
    assert_eq!(list.trim(), "", "nothing is left in the state");
}

#[test]
fn every_example_validates() {
    let examples = repo().join("examples");
    let mut checked = Vec::new();
    for e in std::fs::read_dir(&examples).unwrap().flatten() {
        if !e.path().join("main.tf").exists() {
            continue;
        }
        let (_tmp, _) = copy_platform();
        let dir = _tmp.path().join("examples").join(e.file_name());
        copy_dir(&e.path(), &dir);
        let (code, out, err) = run(&mut terrane(&dir, &["validate"]));
        assert_eq!(code, 0, "{}: {out}{err}", e.path().display());
        checked.push(e.file_name().to_string_lossy().to_string());
    }
    checked.sort();
    assert_eq!(checked, ["futuswarm-platform", "project-kickoff", "quickstart", "state-bootstrap"]);
}
