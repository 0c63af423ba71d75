use super::*;

#[test]
fn constraints_are_normalised_as_terraform_writes_them() {
    // What Terraform 1.11 wrote in .terraform.lock.hcl for `version = "~> 5.0, >= 5.10"`.
    let t = parse_constraints("~> 5.0, >= 5.10").unwrap();
    assert_eq!(constraints_string(&t), "~> 5.0, >= 5.10.0");
    // Root and module constraints merged: duplicates dropped, sorted by version, then
    // operator.
    let mut t = parse_constraints(">= 4.0").unwrap();
    t.extend(parse_constraints("~> 5.1.2, < 6, >= 4.0.0").unwrap());
    assert_eq!(constraints_string(&t), ">= 4.0.0, ~> 5.1.2, < 6.0.0");
    assert_eq!(constraints_string(&parse_constraints("5.100.0").unwrap()), "5.100.0");
}

#[test]
fn versions_are_chosen_as_terraform_chooses_them() {
    let v = |s: &str| Version::parse(s).unwrap();
    let c = parse_constraints("~> 5.0").unwrap();
    assert!(meets(&v("5.100.0"), &c));
    assert!(!meets(&v("6.0.0"), &c));
    assert!(!meets(&v("5.1.0-beta1"), &c), "pre-releases only when named");
    assert!(meets(&v("5.1.0-beta1"), &parse_constraints("5.1.0-beta1").unwrap()));
    let c = parse_constraints("~> 5.1.2").unwrap();
    assert!(meets(&v("5.1.9"), &c));
    assert!(!meets(&v("5.2.0"), &c));
    assert!(v("5.10.0") > v("5.9.1"));
    assert!(v("1.0.0") > v("1.0.0-rc1"));
}

#[test]
fn the_cli_configuration_is_read() {
    let c = parse_cli_config(
        r#"
plugin_cache_dir = "/var/cache/tf"
provider_installation {
  filesystem_mirror {
    path    = "/opt/tf-plugins"
    include = ["registry.terraform.io/*/*"]
  }
  dev_overrides {
    "example.com/acme/widget" = "/home/dev/widget"
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/*"]
  }
}
"#,
        "terraform.rc",
    )
    .unwrap();
    assert_eq!(c.plugin_cache_dir, Some(PathBuf::from("/var/cache/tf")));
    assert_eq!(c.methods.len(), 2);
    let aws = Addr::parse("hashicorp/aws").unwrap();
    assert!(c.methods[0].selects(&aws));
    assert!(!c.methods[1].selects(&aws));
    assert!(c.methods[1].selects(&Addr::parse("cloudflare/cloudflare").unwrap()));
    assert_eq!(c.dev_overrides[&Addr::parse("example.com/acme/widget").unwrap()], PathBuf::from("/home/dev/widget"));
}

fn net(cfg: &CliConfig) -> Net {
    Net::new(cfg).unwrap()
}

fn fake_mirror(root: &Path, version: &str) -> PathBuf {
    let dir = root.join("registry.terraform.io/hashicorp/widget").join(version).join(platform());
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("terraform-provider-widget_v{version}_x5")), format!("plugin {version}")).unwrap();
    std::fs::write(dir.join("LICENSE.txt"), "MPL").unwrap();
    dir
}

#[tokio::test]
async fn installs_the_newest_matching_version_from_a_mirror_and_locks_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mirror = tmp.path().join("mirror");
    fake_mirror(&mirror, "1.2.0");
    fake_mirror(&mirror, "1.3.0");
    fake_mirror(&mirror, "2.0.0");
    let cfg = CliConfig {
        methods: vec![Method::FilesystemMirror { path: mirror.clone(), include: vec![], exclude: vec![] }],
        ..Default::default()
    };
    let req = Requirement { addr: Addr::parse("hashicorp/widget").unwrap(), constraints: vec!["~> 1.2".into()] };
    let data = tmp.path().join(".terraform");
    let mut locks = BTreeMap::new();
    let done = install(&data, &req, &cfg, &net(&cfg), &mut locks, false).await.unwrap();
    assert_eq!(done.version, "1.3.0");
    assert!(std::fs::symlink_metadata(&done.dir).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(&done.executable).unwrap(), "plugin 1.3.0");
    let text = lock_file_text(&locks);
    assert!(text.contains("provider \"registry.terraform.io/hashicorp/widget\" {\n  version     = \"1.3.0\"\n  constraints = \"~> 1.2\"\n  hashes = [\n    \"h1:"), "{text}");
    std::fs::write(tmp.path().join(LOCK_FILE), &text).unwrap();
    assert_eq!(read_lock_file(tmp.path()).unwrap(), locks);

    // A newer 1.x appears: the lock file keeps 1.3.0 until -upgrade.
    fake_mirror(&mirror, "1.4.0");
    let again = install(&data, &req, &cfg, &net(&cfg), &mut locks, false).await.unwrap();
    assert_eq!((again.version.as_str(), &again.how), ("1.3.0", &How::AlreadyInstalled));
    let upgraded = install(&data, &req, &cfg, &net(&cfg), &mut locks, true).await.unwrap();
    assert_eq!(upgraded.version, "1.4.0");
}

#[tokio::test]
async fn a_package_that_does_not_match_the_lock_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mirror = tmp.path().join("mirror");
    let pkg = fake_mirror(&mirror, "1.0.0");
    let cfg = CliConfig {
        methods: vec![Method::FilesystemMirror { path: mirror, include: vec![], exclude: vec![] }],
        ..Default::default()
    };
    let req = Requirement { addr: Addr::parse("hashicorp/widget").unwrap(), constraints: vec![] };
    let mut locks = BTreeMap::new();
    install(&tmp.path().join(".terraform"), &req, &cfg, &net(&cfg), &mut locks, false).await.unwrap();
    std::fs::write(pkg.join("terraform-provider-widget_v1.0.0_x5"), "tampered").unwrap();
    let err = install(&tmp.path().join(".terraform"), &req, &cfg, &net(&cfg), &mut locks, false).await.unwrap_err();
    assert!(err.contains("doesn't match any of the checksums"), "{err}");
}

#[test]
fn hash_v1_is_gos_dirhash() {
    // dirhash.Hash1 of {a: "x", b/c: "y"}, computed independently:
    // sha256 of "<sha256(x)>  a\n<sha256(y)>  b/c\n".
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("a"), "x").unwrap();
    std::fs::create_dir(tmp.path().join("b")).unwrap();
    std::fs::write(tmp.path().join("b/c"), "y").unwrap();
    let lines = format!("{}  a\n{}  b/c\n", hex::encode(Sha256::digest(b"x")), hex::encode(Sha256::digest(b"y")));
    use base64::Engine;
    let want = format!("h1:{}", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(lines.as_bytes())));
    assert_eq!(hash_v1(tmp.path()).unwrap(), want);
}

#[tokio::test]
async fn a_plugin_cache_holds_the_package_and_the_data_directory_links_to_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mirror = tmp.path().join("mirror");
    fake_mirror(&mirror, "1.0.0");
    let cache = tmp.path().join("cache");
    let cfg = CliConfig {
        methods: vec![Method::FilesystemMirror { path: mirror, include: vec![], exclude: vec![] }],
        plugin_cache_dir: Some(cache.clone()),
        ..Default::default()
    };
    let req = Requirement { addr: Addr::parse("hashicorp/widget").unwrap(), constraints: vec![] };
    let mut locks = BTreeMap::new();
    let done = install(&tmp.path().join(".terraform"), &req, &cfg, &net(&cfg), &mut locks, false).await.unwrap();
    let cached = cache.join("registry.terraform.io/hashicorp/widget/1.0.0").join(platform());
    assert_eq!(std::fs::read_link(&done.dir).unwrap(), cached.canonicalize().unwrap());
    assert_eq!(hash_v1(&cached).unwrap(), *locks.values().next().unwrap().hashes.iter().next().unwrap());
}

fn zipped(files: &[(&str, &str, u32)]) -> Vec<u8> {
    let files: Vec<(&str, &[u8], u32)> = files.iter().map(|(n, t, m)| (*n, t.as_bytes(), *m)).collect();
    crate::registry::testing::archive(&files)
}

#[tokio::test]
async fn a_packed_mirror_is_unpacked_and_hashed_as_its_files() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let mirror = tmp.path().join("mirror");
    let dir = mirror.join("registry.terraform.io/hashicorp/widget");
    std::fs::create_dir_all(&dir).unwrap();
    let archive =
        zipped(&[("terraform-provider-widget_v1.0.0_x5", "plugin 1.0.0", 0o755), ("LICENSE.txt", "MPL", 0o644)]);
    std::fs::write(dir.join(format!("terraform-provider-widget_1.0.0_{}.zip", platform())), &archive).unwrap();
    // An unpacked 0.9.0 beside it: the newest wins, whatever its form.
    fake_mirror(&mirror, "0.9.0");
    let cfg = CliConfig {
        methods: vec![Method::FilesystemMirror { path: mirror, include: vec![], exclude: vec![] }],
        ..Default::default()
    };
    let req = Requirement { addr: Addr::parse("hashicorp/widget").unwrap(), constraints: vec![] };
    let mut locks = BTreeMap::new();
    let data = tmp.path().join(".terraform");
    let done = install(&data, &req, &cfg, &net(&cfg), &mut locks, false).await.unwrap();
    assert_eq!((done.version.as_str(), &done.how), ("1.0.0", &How::Installed(Auth::Unauthenticated)));
    assert!(!std::fs::symlink_metadata(&done.dir).unwrap().file_type().is_symlink(), "unpacked, not linked");
    assert_eq!(std::fs::metadata(&done.executable).unwrap().permissions().mode() & 0o777, 0o755);
    // The lock file's h1: is the hash of the files, the same as for the unpacked layout.
    let unpacked = tmp.path().join("same");
    std::fs::create_dir_all(&unpacked).unwrap();
    std::fs::write(unpacked.join("terraform-provider-widget_v1.0.0_x5"), "plugin 1.0.0").unwrap();
    std::fs::write(unpacked.join("LICENSE.txt"), "MPL").unwrap();
    let h1 = hash_v1(&unpacked).unwrap();
    assert_eq!(locks[&req.addr].hashes, BTreeSet::from([h1]));
}

#[test]
fn an_archive_that_would_escape_its_directory_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let err = unpack(&zipped(&[("../evil", "x", 0o644)]), &tmp.path().join("p")).unwrap_err();
    assert!(err.contains("leaves its directory"), "{err}");
    assert!(!tmp.path().join("evil").exists());
}

#[tokio::test]
async fn every_method_offers_versions_and_the_first_that_has_the_newest_serves_it() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    fake_mirror(&a, "1.0.0");
    fake_mirror(&b, "1.1.0");
    fake_mirror(&b, "1.0.0");
    let fs = |path: &Path| Method::FilesystemMirror { path: path.to_path_buf(), include: vec![], exclude: vec![] };
    let cfg = CliConfig { methods: vec![fs(&a), fs(&b)], ..Default::default() };
    let req = Requirement { addr: Addr::parse("hashicorp/widget").unwrap(), constraints: vec![] };
    let mut locks = BTreeMap::new();
    let done = install(&tmp.path().join(".terraform"), &req, &cfg, &net(&cfg), &mut locks, false).await.unwrap();
    assert_eq!(done.version, "1.1.0");
    assert!(std::fs::read_link(&done.dir).unwrap().starts_with(b.canonicalize().unwrap()));
}

#[test]
fn the_implied_registry_method_leaves_out_what_the_implied_mirrors_have() {
    let tmp = tempfile::tempdir().unwrap();
    fake_mirror(tmp.path(), "1.0.0");
    assert_eq!(mirrored(tmp.path()), vec!["registry.terraform.io/hashicorp/widget".to_string()]);
}

#[test]
fn credentials_and_hosts_are_read_from_the_cli_configuration() {
    let c = parse_cli_config(
        r#"
credentials "registry.example.com" {
  token = "s3cr3t"
}
host "registry.example.com" {
  services = {
    "providers.v1" = "https://registry.example.com/v1/providers/"
  }
}
"#,
        "terraform.rc",
    )
    .unwrap();
    assert_eq!(c.credentials["registry.example.com"], "s3cr3t");
    assert_eq!(c.hosts["registry.example.com"]["providers.v1"], "https://registry.example.com/v1/providers/");
}
