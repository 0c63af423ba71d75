//! Modules from a module registry, against two registries the test serves over HTTPS (its own
//! CA): the public one (`namespace/name/provider`, its `modules.v1` service given by a `host`
//! block of the CLI configuration) and a private one (`host/namespace/name/provider`) that
//! wants a token. Terraform 1.11 is the reference: on the same configuration both must pick the
//! same versions (pre-releases and constraints), write the same `modules.json`, install the
//! same files, and each must plan in a directory the other initialised; errors end the same way.

use super::Work;
use super::from_terraform::terraform_env;
use super::https_server::{Answer, Server};
use serde_json::json;
use std::path::Path;
use std::process::Command;

const TOKEN: &str = "m0dule-t0ken";

/// A gzipped tarball of `files` (path, text), made with the tar command.
fn tarball(files: &[(&str, String)]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let out = Command::new("tar").current_dir(dir.path()).args(["-czf", "-", "."]).output().unwrap();
    assert!(out.status.success());
    out.stdout
}

/// Publishes `ns/name/provider` at `versions` on `s` under `/v1/modules/`; each version's
/// package is a tarball under `/files/` (no token needed) whose root module outputs its version.
/// `location` says where the download endpoint points for a version.
fn publish(
    s: &Server,
    module: &str,
    versions: &[&str],
    location: impl Fn(&str) -> String,
    files: impl Fn(&str) -> Vec<(&'static str, String)>,
) {
    s.answer("/.well-known/terraform.json", Answer::json(&json!({"modules.v1": "/v1/modules/"})));
    let list: Vec<_> = versions.iter().map(|v| json!({"version": v})).collect();
    s.answer(&format!("/v1/modules/{module}/versions"), Answer::json(&json!({"modules": [{"versions": list}]})));
    for v in versions {
        s.answer(&format!("/files/{module}/{v}.tar.gz"), Answer::ok(tarball(&files(v))));
        s.answer(
            &format!("/v1/modules/{module}/{v}/download"),
            Answer { status: 204, headers: vec![("X-Terraform-Get".into(), location(v))], body: Vec::new() },
        );
    }
}

/// A side of the comparison: a configuration directory with its CLI configuration and home.
struct Side {
    work: Work,
    env: Vec<(String, String)>,
}

impl Side {
    fn new(main: &str, ca: &Path, tfrc: &str) -> Side {
        let mut work = Work::new(main);
        let home = work.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let rc = home.join("terraform.rc");
        std::fs::write(&rc, tfrc).unwrap();
        let env = vec![
            ("TF_CLI_CONFIG_FILE".to_string(), rc.display().to_string()),
            ("SSL_CERT_FILE".to_string(), ca.display().to_string()),
            ("HOME".to_string(), home.display().to_string()),
        ];
        for (k, v) in &env {
            work = work.with_env(k, v);
        }
        Side { work, env }
    }

    fn terraform(&self, args: &[&str]) -> (i32, String) {
        let env: Vec<(&str, &str)> = self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        terraform_env(self.work.path(), args, &env)
    }

    fn manifest(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.work.path().join(".terraform/modules/modules.json")).unwrap();
        serde_json::from_str(&text).unwrap()
    }

    /// The version each module key was installed at.
    fn versions(&self) -> Vec<(String, String)> {
        let m = self.manifest();
        let mut out: Vec<(String, String)> = m["Modules"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| Some((r["Key"].as_str()?.to_string(), r["Version"].as_str()?.to_string())))
            .collect();
        out.sort();
        out
    }
}

/// Every file under `dir`: its path and content.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if p.file_name().is_some_and(|n| n != "modules.json") {
                out.push((p.strip_prefix(root).unwrap().display().to_string(), std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The modules.json records, sorted by key (Terraform writes them so; compared parsed).
fn records(m: &serde_json::Value) -> Vec<serde_json::Value> {
    let mut r = m["Modules"].as_array().unwrap().clone();
    r.sort_by_key(|x| x["Key"].as_str().unwrap_or_default().to_string());
    r
}

/// The summary of the first error in an output: Terraform writes `Error: ...`, terrane
/// `error: ...`.
fn summary(out: &str) -> String {
    out.lines()
        .map(|l| l.trim_start_matches(['│', ' ']))
        .find_map(|l| l.strip_prefix("Error: ").or_else(|| l.strip_prefix("error: ")))
        .unwrap_or_default()
        .to_string()
}

/// Terraform's message with its line wrapping undone.
fn flat(s: &str) -> String {
    s.split_whitespace().filter(|w| *w != "│").collect::<Vec<_>>().join(" ")
}

struct Registries {
    public: Server,
    private: Server,
    /// The private registry's host, as a module source names it (a name with a dot).
    host: String,
    /// Both servers' CAs in one file, for `SSL_CERT_FILE`.
    ca: std::path::PathBuf,
    _ca_dir: tempfile::TempDir,
}

fn registries() -> Registries {
    let public = Server::start(None);
    let private = Server::start(Some(TOKEN));
    let host = private.host.replace("localhost", "127.0.0.1");
    // The public network module: a module calling a local sibling inside its package.
    publish(
        &public,
        "example/network/aws",
        &["0.9.0", "1.0.0", "1.1.0", "1.2.0-beta1", "2.0.0-rc1", "2.0.0"],
        |v| format!("/files/example/network/aws/{v}.tar.gz"),
        |v| {
            vec![
                (
                    "main.tf",
                    format!(
                        "module \"naming\" {{\n  source = \"./naming\"\n}}\noutput \"version\" {{ value = \"network-{v}-${{module.naming.prefix}}\" }}\n"
                    ),
                ),
                ("naming/main.tf", "output \"prefix\" { value = \"net\" }\n".to_string()),
                ("README.md", format!("network {v}\n")),
            ]
        },
    );
    // The private app module: the registry points into its package (`//pkg`), by an absolute
    // address with `?archive=`; its worker calls the public registry in turn.
    let files_base = private.url("/files/corp/app/docker");
    publish(
        &private,
        "corp/app/docker",
        &["1.0.0", "1.1.0", "1.2.0", "2.0.0-beta", "3.0.0"],
        move |v| format!("{files_base}/{v}.tar.gz//pkg?archive=tar.gz"),
        |v| {
            vec![
                ("pkg/main.tf", format!("output \"version\" {{ value = \"app-{v}\" }}\n")),
                (
                    "pkg/modules/worker/main.tf",
                    format!(
                        "module \"net\" {{\n  source  = \"example/network/aws\"\n  version = \"1.0.0\"\n}}\noutput \"version\" {{ value = \"worker-{v}-${{module.net.version}}\" }}\n"
                    ),
                ),
                ("other/ignored.txt", "outside the module's directory\n".to_string()),
            ]
        },
    );
    let ca_dir = tempfile::tempdir().unwrap();
    let ca = ca_dir.path().join("ca.pem");
    let pems = [&public.ca_file, &private.ca_file].map(|f| std::fs::read_to_string(f).unwrap());
    std::fs::write(&ca, pems.concat()).unwrap();
    Registries { public, private, host, ca, _ca_dir: ca_dir }
}

fn tfrc(r: &Registries, token: bool) -> String {
    let mut s = format!(
        "host \"registry.terraform.io\" {{\n  services = {{\n    \"modules.v1\" = \"{}\"\n  }}\n}}\n",
        r.public.url("/v1/modules/")
    );
    if token {
        s.push_str(&format!("credentials \"{}\" {{\n  token = \"{TOKEN}\"\n}}\n", r.host));
    }
    s
}

fn config(host: &str, network_version: &str) -> String {
    format!(
        r#"
module "net" {{
  source  = "example/network/aws"
  version = "{network_version}"
}}
module "pre" {{
  source  = "example/network/aws"
  version = "2.0.0-rc1"
}}
module "latest" {{
  source = "example/network/aws"
}}
module "worker" {{
  source  = "{host}/corp/app/docker//modules/worker"
  version = ">= 1.0, != 1.2.0, < 3.0"
}}
module "app" {{
  source  = "{host}/corp/app/docker"
  version = "~> 1.0.0"
}}
output "versions" {{
  value = [module.net.version, module.pre.version, module.latest.version, module.worker.version, module.app.version]
}}
"#
    )
}

#[test]
fn registry_modules_install_as_terraform_installs_them() {
    let r = registries();
    let main = config(&r.host, "~> 1.0");
    let rc = tfrc(&r, true);
    let (tf, ours) = (Side::new(&main, &r.ca, &rc), Side::new(&main, &r.ca, &rc));

    let (code, tf_out) = tf.terraform(&["init", "-no-color"]);
    assert_eq!(code, 0, "{tf_out}");
    r.private.take_asked();
    let out = ours.work.ok(&["init"]);
    // The token went with every call to the private registry's API.
    let asked = r.private.take_asked();
    assert!(asked.iter().any(|a| a.path.starts_with("/v1/")), "{asked:?}");
    assert!(asked.iter().filter(|a| a.path.starts_with("/v1/")).all(|a| a.authorized), "{asked:?}");

    // The same versions: ~> 1.0 is the newest 1.x release, a pre-release only when named.
    assert_eq!(ours.versions(), tf.versions(), "terrane:\n{out}\nTerraform:\n{tf_out}");
    assert!(ours.versions().contains(&("pre".to_string(), "2.0.0-rc1".to_string())), "{:?}", ours.versions());
    assert!(ours.versions().contains(&("net".to_string(), "1.1.0".to_string())), "{:?}", ours.versions());
    // The same manifest, and the same lines saying what was downloaded.
    assert_eq!(records(&ours.manifest()), records(&tf.manifest()));
    let downloads = |s: &str| {
        let mut l: Vec<String> =
            s.lines().filter(|l| l.starts_with("Downloading ") || l.starts_with("- ")).map(str::to_string).collect();
        l.sort();
        l
    };
    assert_eq!(downloads(&out), downloads(&tf_out), "terrane:\n{out}\nTerraform:\n{tf_out}");
    // The same files.
    let installed = |s: &Side| files(&s.work.path().join(".terraform/modules"));
    assert_eq!(installed(&ours), installed(&tf));

    // Each plans what the other installed, with the same outputs.
    let plan = ours.work.ok(&["plan"]);
    assert!(plan.contains("network-1.1.0-net") && plan.contains("worker-1.1.0-network-1.0.0-net"), "{plan}");
    assert!(plan.contains("network-2.0.0-rc1-net") && plan.contains("app-1.0.0"), "{plan}");
    let (code, tf_plan) = ours.terraform(&["plan", "-no-color"]);
    assert_eq!(code, 0, "terraform plan after terrane init:\n{tf_plan}");
    assert!(tf_plan.contains("worker-1.1.0-network-1.0.0-net"), "{tf_plan}");
    let (code, out, err) = tf.work.run(&["plan"]);
    assert_eq!(code, 0, "terrane plan after terraform init:\n{out}{err}");
    assert!(out.contains("network-1.1.0-net") && out.contains("app-1.0.0"), "{out}");
    // A saved plan carries the installed modules' files; applying it gives the outputs.
    ours.work.ok(&["plan", "-out", "p.bin"]);
    let applied = ours.work.ok(&["apply", "p.bin"]);
    assert!(applied.contains("worker-1.1.0-network-1.0.0-net"), "{applied}");

    // A newer release: init keeps what meets the constraint, -upgrade takes it, as Terraform.
    publish(
        &r.public,
        "example/network/aws",
        &["0.9.0", "1.0.0", "1.1.0", "1.2.0-beta1", "1.3.0", "2.0.0-rc1", "2.0.0"],
        |v| format!("/files/example/network/aws/{v}.tar.gz"),
        |v| vec![("main.tf", format!("output \"version\" {{ value = \"network-{v}\" }}\n"))],
    );
    r.public.take_asked();
    ours.work.ok(&["init"]);
    assert!(!r.public.take_asked().iter().any(|a| a.path.starts_with("/files/")), "nothing is downloaded again");
    let (code, tf_out) = tf.terraform(&["init", "-no-color"]);
    assert_eq!(code, 0, "{tf_out}");
    assert_eq!(ours.versions(), tf.versions());
    ours.work.ok(&["init", "-upgrade"]);
    let (code, tf_out) = tf.terraform(&["init", "-upgrade", "-no-color"]);
    assert_eq!(code, 0, "{tf_out}");
    assert!(ours.versions().contains(&("net".to_string(), "1.3.0".to_string())), "{:?}", ours.versions());
    assert_eq!(ours.versions(), tf.versions());
    assert_eq!(records(&ours.manifest()), records(&tf.manifest()));

    // A changed constraint the installed version no longer meets: plan says to init again.
    ours.work.write("main.tf", &config(&r.host, "~> 0.9.0"));
    let (code, _, err) = ours.work.run(&["plan"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Module version requirements have changed"), "{err}");
    tf.work.write("main.tf", &config(&r.host, "~> 0.9.0"));
    let (code, tf_plan) = tf.terraform(&["plan", "-no-color"]);
    assert_eq!(code, 1, "{tf_plan}");
    assert_eq!(summary(&err), summary(&tf_plan), "terrane:\n{err}\nTerraform:\n{tf_plan}");
    // Both blame the net module's source argument.
    assert!(
        tf_plan.contains("on main.tf line 3") && err.contains("main.tf:3:"),
        "terrane:\n{err}\nTerraform:\n{tf_plan}"
    );
    let out = ours.work.ok(&["get"]);
    assert!(out.contains("Downloading registry.terraform.io/example/network/aws 0.9.0 for net..."), "{out}");
}

#[test]
fn registry_module_errors_end_as_terraform_ends_them() {
    let r = registries();
    let cases = [
        // No version matches: Terraform names the newest release it considered.
        (
            "module \"m\" {\n  source  = \"example/network/aws\"\n  version = \"> 5.0\"\n}\n".to_string(),
            tfrc(&r, true),
            "There is no available version of module \"registry.terraform.io/example/network/aws\" (main.tf:1) which matches the given version constraint. The newest available version is 2.0.0.",
        ),
        // The private registry without the token: 401.
        (
            format!("module \"m\" {{\n  source  = \"{}/corp/app/docker\"\n  version = \"1.0.0\"\n}}\n", r.host),
            tfrc(&r, false),
            "error looking up module versions: 401 Unauthorized.",
        ),
        // A host nobody answers on.
        (
            "module \"m\" {\n  source  = \"127.0.0.1:1/corp/app/docker\"\n  version = \"1.0.0\"\n}\n".to_string(),
            tfrc(&r, true),
            "Failed to retrieve available versions for module \"m\" (main.tf:1) from 127.0.0.1:1: failed to request discovery document",
        ),
        // A module the registry does not have.
        (
            "module \"m\" {\n  source  = \"example/nothing/aws\"\n}\n".to_string(),
            tfrc(&r, true),
            "Module \"m\" (from main.tf:1) cannot be found in the module registry at registry.terraform.io.",
        ),
        // A registry answering with no module, and with a module of no versions.
        (
            "module \"m\" {\n  source  = \"example/empty/aws\"\n}\n".to_string(),
            tfrc(&r, true),
            "returned an invalid response when",
        ),
        (
            "module \"m\" {\n  source  = \"example/none/aws\"\n}\n".to_string(),
            tfrc(&r, true),
            "Module \"registry.terraform.io/example/none/aws\" (main.tf:1) has no versions available on registry.terraform.io.",
        ),
        // A constraint that does not parse: reported at the argument, after the newest version
        // was looked for.
        (
            "module \"m\" {\n  source  = \"example/network/aws\"\n  version = \"~> x\"\n}\n".to_string(),
            tfrc(&r, true),
            "This string does not use correct version constraint syntax.",
        ),
        // A version on a local path: the source is read as a registry address.
        (
            "module \"m\" {\n  source  = \"./x\"\n  version = \"1.0.0\"\n}\n".to_string(),
            tfrc(&r, true),
            "Failed to parse module registry address: can't use local directory \"./x\" as a module registry address.",
        ),
    ];
    r.public.answer("/v1/modules/example/empty/aws/versions", Answer::json(&json!({"modules": []})));
    r.public.answer("/v1/modules/example/none/aws/versions", Answer::json(&json!({"modules": [{"versions": []}]})));
    let block = "module \"m\" {";
    let blamed = [block, block, block, block, block, block, "version = \"~> x\"", "source  = \"./x\""];
    assert_eq!(cases.len(), blamed.len());
    for ((main, rc, detail), blamed) in cases.into_iter().zip(blamed) {
        let (tf, ours) = (Side::new(&main, &r.ca, &rc), Side::new(&main, &r.ca, &rc));
        let (code, tf_out) = tf.terraform(&["init", "-no-color"]);
        assert_eq!(code, 1, "{tf_out}");
        assert!(flat(&tf_out).contains(detail), "{main}\nTerraform:\n{tf_out}");
        let (code, out, err) = ours.work.run(&["init"]);
        assert_eq!(code, 1, "{out}{err}");
        assert_eq!(summary(&err), summary(&tf_out), "terrane:\n{err}\nTerraform:\n{tf_out}");
        assert!(flat(&err).contains(detail), "terrane:\n{err}");
        // The same place is blamed.
        assert!(tf_out.contains(blamed) && err.contains(blamed), "terrane:\n{err}\nTerraform:\n{tf_out}");
    }
}

#[test]
fn registry_locations_as_json_a_data_dir_and_an_old_install_are_read() {
    let r = registries();
    // Newer registries answer the download with 200 and {"location": ...}; Terraform 1.11
    // reads only X-Terraform-Get, so this is terrane's alone.
    r.public.answer(
        "/v1/modules/example/network/aws/1.0.0/download",
        Answer::json(&json!({"location": r.public.url("/files/example/network/aws/1.0.0.tar.gz")})),
    );
    let main = "module \"m\" {\n  source  = \"example/network/aws\"\n  version = \"1.0.0\"\n}\noutput \"v\" { value = module.m.version }\n";
    let ours = Side::new(main, &r.ca, &tfrc(&r, true)).work.with_env("TF_DATA_DIR", "state-dir");
    let out = ours.ok(&["init"]);
    assert!(out.contains("- m in state-dir/modules/m"), "{out}");
    let manifest = std::fs::read_to_string(ours.path().join("state-dir/modules/modules.json")).unwrap();
    assert!(manifest.contains("\"Version\":\"1.0.0\""), "{manifest}");
    assert!(!ours.path().join(".terraform").exists());
    let plan = ours.ok(&["plan"]);
    assert!(plan.contains("network-1.0.0-net"), "{plan}");

    // A tarball module installed by an earlier terrane under .terrane/modules, with no
    // manifest: still used; a registry module there is not (it says to run init).
    let w = Work::new("module \"svc\" {\n  source = \"./svc.tar.gz\"\n}\noutput \"s\" { value = module.svc.s }\n");
    std::fs::create_dir_all(w.path().join(".terrane/modules/svc")).unwrap();
    w.write(".terrane/modules/svc/main.tf", "output \"s\" { value = \"old-install\" }\n");
    let plan = w.ok(&["plan"]);
    assert!(plan.contains("old-install"), "{plan}");
    w.write("main.tf", "module \"svc\" {\n  source = \"example/network/aws\"\n}\n");
    std::fs::create_dir_all(w.path().join(".terrane/modules/svc")).unwrap();
    let (code, _, err) = w.run(&["plan"]);
    assert_eq!(code, 1);
    assert!(err.contains("Module not installed") && err.contains("Run \"terrane init\""), "{err}");
}

#[test]
fn a_tf_token_goes_to_the_registry_hosts_service_wherever_it_lives() {
    let r = registries();
    // registry.corp.example's modules.v1 service is the private server (a host block), and
    // its token comes from TF_TOKEN_registry_corp_example: both tools send it to the service.
    let rc = format!(
        "host \"registry.corp.example\" {{\n  services = {{\n    \"modules.v1\" = \"{}\"\n  }}\n}}\n",
        r.private.url("/v1/modules/")
    );
    let main = "module \"app\" {\n  source  = \"registry.corp.example/corp/app/docker\"\n  version = \"~> 1.1\"\n}\n";
    let (mut tf, ours) = (Side::new(main, &r.ca, &rc), Side::new(main, &r.ca, &rc));
    tf.env.push(("TF_TOKEN_registry_corp_example".into(), TOKEN.into()));
    let ours = Side { work: ours.work.with_env("TF_TOKEN_registry_corp_example", TOKEN), env: ours.env };
    let (code, tf_out) = tf.terraform(&["init", "-no-color"]);
    assert_eq!(code, 0, "{tf_out}");
    r.private.take_asked();
    let out = ours.work.ok(&["init"]);
    assert!(out.contains("Downloading registry.corp.example/corp/app/docker 1.2.0 for app..."), "{out}");
    assert_eq!(records(&ours.manifest()), records(&tf.manifest()));
    let asked = r.private.take_asked();
    assert!(asked.iter().filter(|a| a.path.starts_with("/v1/")).all(|a| a.authorized), "{asked:?}");

    // Without it, both are refused.
    let (tf, ours) = (Side::new(main, &r.ca, &rc), Side::new(main, &r.ca, &rc));
    let (code, tf_out) = tf.terraform(&["init", "-no-color"]);
    assert_eq!(code, 1, "{tf_out}");
    let (code, _, err) = ours.work.run(&["init"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(summary(&err), summary(&tf_out), "terrane:\n{err}\nTerraform:\n{tf_out}");
    assert!(flat(&err).contains("401 Unauthorized") && flat(&tf_out).contains("401 Unauthorized"), "{err}");
}
