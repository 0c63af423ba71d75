//! `init` installing providers over the network, against a registry and a network mirror the
//! test serves over HTTPS (its own CA), with Terraform 1.11 pointed at the same server as the
//! reference: the same messages, the same lock file (`h1:` and the signed `zh:` hashes), the
//! same files installed, and the same refusals.

use super::Work;
use super::from_terraform::terraform_env;
use super::https_server::{Answer, Server};
use serde_json::json;
use std::path::Path;
use terrane_provider_plugin::registry::testing::{Publisher, archive};

const PLATFORMS: [(&str, &str); 2] = [("linux", "amd64"), ("darwin", "arm64")];

/// Publishes `example/hello` at `versions` on the server: the registry protocol's answers,
/// signed checksums for two platforms, and a network mirror's index of the same archives.
fn publish(s: &Server, p: &Publisher, versions: &[&str]) {
    publish_as(s, p, versions, &s.host)
}

/// [`publish`], with the network mirror's copies under `mirror_host` (the provider address's
/// host, which a mirror need not be).
fn publish_as(s: &Server, p: &Publisher, versions: &[&str], mirror_host: &str) {
    s.answer("/.well-known/terraform.json", Answer::json(&json!({"providers.v1": "/v1/providers/"})));
    let platforms: Vec<_> = PLATFORMS.iter().map(|(os, arch)| json!({"os": os, "arch": arch})).collect();
    let list: Vec<_> =
        versions.iter().map(|v| json!({"version": v, "protocols": ["5.0"], "platforms": platforms})).collect();
    s.answer("/v1/providers/example/hello/versions", Answer::json(&json!({ "versions": list })));
    s.answer(
        &format!("/mirror/{mirror_host}/example/hello/index.json"),
        Answer::json(&json!({"versions": versions.iter().map(|v| (v.to_string(), json!({}))).collect::<serde_json::Map<_, _>>()})),
    );
    for v in versions {
        let mut sums = String::new();
        let mut archives = serde_json::Map::new();
        for (os, arch) in PLATFORMS {
            let exe = format!("terraform-provider-hello_v{v}");
            let script = format!("#!/bin/sh\necho hello {v} {os}_{arch}\n");
            let zip = archive(&[(&exe, script.as_bytes(), 0o755), ("README.md", b"hello\n", 0o644)]);
            let file = format!("terraform-provider-hello_{v}_{os}_{arch}.zip");
            let sha = sha_hex(&zip);
            sums.push_str(&format!("{sha}  {file}\n"));
            s.answer(&format!("/files/{v}/{file}"), Answer::ok(zip));
            archives.insert(
                format!("{os}_{arch}"),
                json!({"url": s.url(&format!("/files/{v}/{file}")), "hashes": [format!("zh:{sha}")]}),
            );
            s.answer(
                &format!("/v1/providers/example/hello/{v}/download/{os}/{arch}"),
                Answer::json(&json!({
                    "protocols": ["5.0"], "os": os, "arch": arch, "filename": file,
                    "download_url": format!("/files/{v}/{file}"),
                    "shasums_url": format!("/files/{v}/terraform-provider-hello_{v}_SHA256SUMS"),
                    "shasums_signature_url": format!("/files/{v}/terraform-provider-hello_{v}_SHA256SUMS.sig"),
                    "shasum": sha,
                    "signing_keys": {"gpg_public_keys": [{
                        "key_id": p.key_id(), "ascii_armor": p.armored_public_key(),
                        "trust_signature": "", "source": "Example", "source_url": null
                    }]}
                })),
            );
        }
        s.answer(
            &format!("/files/{v}/terraform-provider-hello_{v}_SHA256SUMS.sig"),
            Answer::ok(p.sign(sums.as_bytes())),
        );
        s.answer(&format!("/files/{v}/terraform-provider-hello_{v}_SHA256SUMS"), Answer::ok(sums));
        s.answer(
            &format!("/mirror/{mirror_host}/example/hello/{v}.json"),
            Answer::json(&json!({ "archives": archives })),
        );
    }
}

fn sha_hex(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

fn config(host: &str) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    hello = {{\n      source  = \"{host}/example/hello\"\n      version = \"~> 1.0\"\n    }}\n  }}\n}}\n"
    )
}

/// Terraform's message with its line wrapping undone.
fn flat(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A directory for Terraform or terrane: the configuration, a CLI configuration (`tfrc`)
/// and a home of its own, with the test CA trusted.
struct Side {
    work: Work,
    env: Vec<(String, String)>,
}

impl Side {
    fn new(s: &Server, tfrc: &str) -> Side {
        Side::for_provider(s, tfrc, &s.host)
    }

    /// A side whose configuration requires the provider from `host`.
    fn for_provider(s: &Server, tfrc: &str, host: &str) -> Side {
        let work = Work::new(&config(host));
        let home = work.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let rc = work.path().join("home/terraform.rc");
        std::fs::write(&rc, tfrc).unwrap();
        let env = vec![
            ("TF_CLI_CONFIG_FILE".to_string(), rc.display().to_string()),
            ("SSL_CERT_FILE".to_string(), s.ca_file.display().to_string()),
            ("HOME".to_string(), home.display().to_string()),
        ];
        let mut work = work;
        for (k, v) in &env {
            work = work.with_env(k, v);
        }
        Side { work, env }
    }

    fn terraform(&self, args: &[&str]) -> (i32, String) {
        let env: Vec<(&str, &str)> = self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        terraform_env(self.work.path(), args, &env)
    }

    fn lock_file(&self) -> Option<String> {
        std::fs::read_to_string(self.work.path().join(".terraform.lock.hcl")).ok()
    }
}

/// `init` fails for Terraform and for terrane, each saying `why`, and terrane writes no lock
/// file.
fn both_refuse(tf: &Side, ours: &Side, why: &str) {
    let (code, tf_out) = tf.terraform(&["init", "-no-color"]);
    assert_eq!(code, 1, "{tf_out}");
    assert!(flat(&tf_out).contains(why), "{tf_out}");
    let (code, _, err) = ours.work.run(&["init"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(why), "{err}");
    assert!(ours.lock_file().is_none());
}

/// The installer's lines (`- …`) and the signing note, which Terraform and terrane share.
fn install_lines(out: &str) -> Vec<String> {
    out.lines().filter(|l| l.starts_with("- ") || l.starts_with("Partner and community")).map(str::to_string).collect()
}

/// Every file under `dir` (links followed) with its mode and content.
fn tree(dir: &Path) -> Vec<(String, u32, Vec<u8>)> {
    use std::os::unix::fs::PermissionsExt;
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, u32, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let m = std::fs::metadata(&p).unwrap();
            if m.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().display().to_string();
                out.push((rel, m.permissions().mode() & 0o777, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn init_installs_a_signed_provider_from_a_registry_as_terraform_does() {
    let s = Server::start(Some("s3cr3t-token"));
    let publisher = Publisher::new("Example Providers <providers@example.com>", true);
    publish(&s, &publisher, &["1.0.0", "1.1.0", "2.0.0"]);
    let tfrc = format!("credentials \"{}\" {{\n  token = \"s3cr3t-token\"\n}}\n", s.host);
    let (tf, ours) = (Side::new(&s, &tfrc), Side::new(&s, &tfrc));

    let (code, tf_out) = tf.terraform(&["init", "-no-color"]);
    assert_eq!(code, 0, "{tf_out}");
    s.take_asked();
    let out = ours.work.ok(&["init"]);
    let asked = s.take_asked();

    // The newest 1.x, signed by the publisher's key (a subkey): "self-signed", with the key ID.
    let installed = format!("- Installed {}/example/hello v1.1.0 (self-signed, key ID {})", s.host, publisher.key_id());
    assert!(out.contains(&installed), "{out}");
    assert_eq!(install_lines(&out), install_lines(&tf_out), "terrane:\n{out}\nTerraform:\n{tf_out}");
    // The lock file, byte for byte: the h1: of the files and both platforms' signed zh:.
    let lock = ours.lock_file().unwrap();
    assert_eq!(Some(&lock), tf.lock_file().as_ref());
    assert_eq!(lock.matches("\"zh:").count(), 2, "{lock}");
    assert_eq!(lock.matches("\"h1:").count(), 1, "{lock}");
    // The same files, with the same modes.
    let pkg = format!(".terraform/providers/{}/example/hello/1.1.0/linux_amd64", s.host);
    let files = tree(&ours.work.path().join(&pkg));
    assert_eq!(files, tree(&tf.work.path().join(&pkg)));
    assert!(files.iter().any(|(n, mode, _)| n == "terraform-provider-hello_v1.1.0" && *mode == 0o755), "{files:?}");
    // The token went with every registry call (the server refuses those without it).
    assert!(asked.iter().filter(|a| a.path.starts_with("/v1/")).all(|a| a.authorized), "{asked:?}");

    // Again: the lock file's version, already installed; nothing is downloaded.
    let again = ours.work.ok(&["init"]);
    let (code, tf_again) = tf.terraform(&["init", "-no-color"]);
    assert_eq!(code, 0, "{tf_again}");
    assert_eq!(install_lines(&again), install_lines(&tf_again), "terrane:\n{again}\nTerraform:\n{tf_again}");
    s.take_asked();
    ours.work.ok(&["init"]);
    assert!(!s.take_asked().iter().any(|a| a.path.starts_with("/files/")), "a second init downloads nothing");

    // -upgrade stays within the constraints.
    let up = ours.work.ok(&["init", "-upgrade"]);
    assert!(up.contains("v1.1.0"), "{up}");
    assert_eq!(ours.lock_file().unwrap(), lock);
}

#[test]
fn a_package_that_fails_its_checks_is_refused_and_nothing_is_installed() {
    let s = Server::start(Some("s3cr3t-token"));
    let publisher = Publisher::new("Example Providers <providers@example.com>", false);
    publish(&s, &publisher, &["1.0.0"]);
    let tfrc = format!("credentials \"{}\" {{\n  token = \"s3cr3t-token\"\n}}\n", s.host);

    // The checksums signed by a key the registry does not list.
    let sums_path = "/files/1.0.0/terraform-provider-hello_1.0.0_SHA256SUMS";
    let sums = s.answers.lock().unwrap()[sums_path].body.clone();
    let stranger = Publisher::new("Mallory <mallory@example.com>", false);
    s.answer(&format!("{sums_path}.sig"), Answer::ok(stranger.sign(&sums)));
    let (tf, ours) = (Side::new(&s, &tfrc), Side::new(&s, &tfrc));
    both_refuse(&tf, &ours, "authentication signature from unknown issuer");
    assert!(!ours.work.path().join(".terraform/providers").join(&s.host).exists());

    // An archive that is not the one the checksums name.
    s.answer(&format!("{sums_path}.sig"), Answer::ok(publisher.sign(&sums)));
    let file = "/files/1.0.0/terraform-provider-hello_1.0.0_linux_amd64.zip";
    s.answer(file, Answer::ok(archive(&[("terraform-provider-hello_v1.0.0", b"evil", 0o755)])));
    both_refuse(&tf, &ours, "archive has incorrect checksum");

    // Without the token, the registry says 401: both stop, naming the host.
    let (tf, ours) = (Side::new(&s, ""), Side::new(&s, ""));
    let (code, tf_out) = tf.terraform(&["init", "-no-color"]);
    assert_eq!(code, 1, "{tf_out}");
    let (code, _, err) = ours.work.run(&["init"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&format!("host {} rejected the given authentication credentials", s.host)), "{err}");
}

#[test]
fn a_network_mirror_serves_packages_checked_against_its_hashes() {
    // Terraform cannot ask a mirror for a provider whose host has a port (it takes
    // "localhost:PORT/…" for a URL scheme), so the provider's host here is a name only the
    // mirror knows, as in an air-gapped setup.
    let host = "registry.example.com";
    let s = Server::start(None);
    let publisher = Publisher::new("Example Providers <providers@example.com>", false);
    publish_as(&s, &publisher, &["1.0.0", "1.2.0"], host);
    let tfrc =
        format!("provider_installation {{\n  network_mirror {{\n    url = \"{}\"\n  }}\n}}\n", s.url("/mirror/"));
    let (tf, ours) = (Side::for_provider(&s, &tfrc, host), Side::for_provider(&s, &tfrc, host));
    let (code, tf_out) = tf.terraform(&["init", "-no-color"]);
    assert_eq!(code, 0, "{tf_out}");
    s.take_asked();
    let out = ours.work.ok(&["init"]);
    assert!(out.contains(&format!("- Installed {host}/example/hello v1.2.0 (verified checksum)")), "{out}");
    assert_eq!(install_lines(&out), install_lines(&tf_out), "terrane:\n{out}\nTerraform:\n{tf_out}");
    assert_eq!(ours.lock_file(), tf.lock_file());
    // Only the mirror was asked: not the registry.
    let asked = s.take_asked();
    assert!(asked.iter().all(|a| a.path.starts_with("/mirror/") || a.path.starts_with("/files/")), "{asked:?}");

    // A mirror whose archive does not match its own hashes.
    let v = format!("/mirror/{host}/example/hello/1.2.0.json");
    let bad = json!({"archives": {"linux_amd64": {"url": s.url("/files/1.2.0/terraform-provider-hello_1.2.0_linux_amd64.zip"), "hashes": [format!("zh:{}", "0".repeat(64))]}}});
    s.answer(&v, Answer::json(&bad));
    let (tf, ours) = (Side::for_provider(&s, &tfrc, host), Side::for_provider(&s, &tfrc, host));
    let (code, tf_out) = tf.terraform(&["init", "-no-color"]);
    assert_eq!(code, 1, "{tf_out}");
    let (code, _, err) = ours.work.run(&["init"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("doesn't match any of the mirror's checksums"), "{err}");
    assert!(ours.lock_file().is_none());
}
