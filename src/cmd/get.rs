//! Installing modules (`terrane get`, and the first step of `terrane init`), as Terraform
//! does: local paths are used where they are; registry modules (`namespace/name/provider`,
//! `host/namespace/name/provider`) at the newest version their `version` allows, git
//! repositories (`git::URL//subdir?ref=v1.2.0`, `github.com/o/r`) cloned with the git command
//! and local tarballs (`.tar.gz`, `.tgz`, a terrane extension) unpacked with tar, each into
//! `<data dir>/modules/<key>`; everything recorded in `<data dir>/modules/modules.json` in
//! Terraform's shape, so a directory initialised by either tool works with the other.

use crate::args::GetArgs;
use crate::module_registry::{self, VersionsError};
use crate::ui::Ui;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use terrane_engine::config::{
    Config, DiskFs, ModuleConstraints, ModuleRecord, RegistrySource, check_registry_call, fetched_subdir,
    installed_module_dir, is_local_source, is_registry_source, join_subdirs, load_tree, normalize,
    read_module_manifest, recorded_source, select_module_version, split_subdir, write_module_manifest,
};
use terrane_engine::diag::{Diagnostic, Diagnostics, SourceMap, SourceRange};
use terrane_provider_plugin::net::Net;

pub async fn run(args: GetArgs, ui: &Ui) -> u8 {
    match install(ui, args.update).await {
        Ok(()) => 0,
        Err(()) => 1,
    }
}

fn is_tarball(source: &str) -> bool {
    let s = source.strip_prefix("file::").unwrap_or(source);
    s.ends_with(".tar.gz") || s.ends_with(".tgz")
}

/// One module call of the configuration, as the installer needs it.
struct Call {
    path: Vec<String>,
    name: String,
    source: String,
    version: Option<String>,
    parent_dir: PathBuf,
    range: SourceRange,
    /// What is wrong with its `version` argument or, given one, its source.
    checks: Vec<Diagnostic>,
}

/// `main.tf:1`, as Terraform names a module call in its messages.
fn call_at(sources: &SourceMap, r: &SourceRange) -> String {
    let name = sources.get(r.file).map(|f| f.name.clone()).unwrap_or_default();
    format!("{name}:{}", sources.line_col(r.file, r.span.start).0)
}

/// Installs every module the configuration calls (and those they call), printing each as
/// Terraform does. With `update`, every fetched module is fetched again (registry modules at
/// the newest version allowed); otherwise an installed module is kept while its source is
/// unchanged and its version still meets the constraint.
pub async fn install(ui: &Ui, update: bool) -> Result<(), ()> {
    if ui.json {
        crate::ui::json::init_output("initializing_modules_message", "Initializing modules...");
    } else {
        ui.line(&ui.paint().bold("Initializing modules..."));
    }
    let root = Path::new(".");
    let mut manifest = match read_module_manifest(root) {
        Ok(m) => m,
        Err(e) => {
            ui.error("Failed to read module manifest", &e);
            return Err(());
        }
    };
    let mut net: Option<Net> = None;
    let mut done: BTreeSet<String> = BTreeSet::new();
    // Installing a module can reveal the modules it calls: load again until nothing is new.
    loop {
        let (config, _) = load_tree(&DiskFs, root);
        let calls = collect(&config);
        if calls.is_empty() && manifest.is_empty() {
            // As Terraform: no module calls, no manifest.
            return Ok(());
        }
        let mut progressed = false;
        let mut diags = Diagnostics::new();
        // Modules installed in this pass: what the tree loaded below them is stale until the
        // next pass loads it again.
        let mut fresh: Vec<String> = Vec::new();
        for call in calls {
            let key = call.path.join(".");
            if done.contains(&key) || fresh.iter().any(|f| key.starts_with(&format!("{f}."))) {
                continue;
            }
            done.insert(key.clone());
            if install_one(ui, &config.sources, &call, &mut manifest, &mut net, update, &mut diags).await.is_some() {
                fresh.push(key);
                progressed = true;
            }
        }
        if diags.has_errors() {
            ui.diags(&diags, &config.sources);
            let _ = save(ui, &mut manifest);
            return Err(());
        }
        // The next pass loads the tree through the manifest.
        save(ui, &mut manifest)?;
        if !progressed {
            return Ok(());
        }
    }
}

fn save(ui: &Ui, manifest: &mut BTreeMap<String, ModuleRecord>) -> Result<(), ()> {
    manifest.insert(
        String::new(),
        ModuleRecord { key: String::new(), source: String::new(), version: None, dir: ".".into() },
    );
    if let Err(e) = write_module_manifest(Path::new("."), manifest) {
        ui.error("Failed to update module manifest", &format!("Unable to write the module manifest file: {e}"));
        return Err(());
    }
    Ok(())
}

/// Installs (or keeps) the module of one call; `None` when it failed (the reason in `diags`).
async fn install_one(
    ui: &Ui,
    sources: &SourceMap,
    call: &Call,
    manifest: &mut BTreeMap<String, ModuleRecord>,
    net: &mut Option<Net>,
    update: bool,
    diags: &mut Diagnostics,
) -> Option<()> {
    let key = call.path.join(".");
    let at = call_at(sources, &call.range);
    // A version argument makes the source a registry address, as in Terraform.
    if call.checks.iter().any(|d| d.summary == "Invalid registry module source address") {
        for d in &call.checks {
            diags.push(d.clone());
        }
        return None;
    }
    if is_local_source(&call.source) && !is_tarball(&call.source) {
        let unchanged = manifest.get(&key).is_some_and(|r| r.source == call.source && Path::new(&r.dir).is_dir());
        if unchanged && !update {
            return Some(());
        }
        let dir = normalize(&call.parent_dir.join(&call.source));
        ui.line(&format!("- {key} in {}", dir.display()));
        manifest.insert(
            key.clone(),
            ModuleRecord { key, source: call.source.clone(), version: None, dir: dir.display().to_string() },
        );
        return Some(());
    }
    let registry = if is_registry_source(&call.source) { RegistrySource::parse(&call.source).ok() } else { None };
    // An invalid constraint is reported, and the newest version looked for regardless, as
    // Terraform does.
    let constraints =
        call.version.as_deref().and_then(|v| ModuleConstraints::parse(v).ok()).unwrap_or_else(ModuleConstraints::any);
    let installed = install_fetched(ui, call, registry, &constraints, manifest, net, update, &at, diags).await;
    for d in &call.checks {
        diags.push(d.clone());
    }
    installed
}

/// Installs (or keeps) a fetched module: a registry's or another remote source's.
#[allow(clippy::too_many_arguments)]
async fn install_fetched(
    ui: &Ui,
    call: &Call,
    registry: Option<RegistrySource>,
    constraints: &ModuleConstraints,
    manifest: &mut BTreeMap<String, ModuleRecord>,
    net: &mut Option<Net>,
    update: bool,
    at: &str,
    diags: &mut Diagnostics,
) -> Option<()> {
    let key = call.path.join(".");
    let source = recorded_source(&call.source);
    let inst = installed_module_dir(Path::new("."), &call.path);
    // Keep what is installed while it still answers the configuration.
    let keep = !update
        && manifest.get(&key).is_some_and(|r| {
            r.source == source
                && r.version
                    .as_deref()
                    .and_then(terrane_engine::config::ModuleVersion::parse)
                    .is_none_or(|v| constraints.check(&v))
                && Path::new(&r.dir).is_dir()
        });
    if keep {
        return Some(());
    }
    manifest.remove(&key);
    let prefix = format!("{key}.");
    manifest.retain(|k, _| !k.starts_with(&prefix));
    let (dir, version) = match registry {
        Some(addr) => {
            if net.is_none() {
                let made = terrane_provider_plugin::install::cli_config().and_then(|cli| Net::new(&cli));
                match made {
                    Ok(n) => *net = Some(n),
                    Err(e) => {
                        diags.push(Diagnostic::error("Invalid CLI configuration", e));
                        return None;
                    }
                }
            }
            let net = net.as_ref().expect("made above");
            let (dir, v) = install_registry(ui, net, call, &addr, constraints, &inst, at, diags).await?;
            (dir, Some(v))
        }
        None => {
            // Terraform names the package: the address without its subdirectory.
            ui.line(&format!("Downloading {} for {key}...", split_subdir(&source).0));
            if let Err(e) = fetch(&call.source, &inst) {
                diags.push(
                    Diagnostic::error(
                        "Failed to download module",
                        format!("Could not download module {:?} ({at}) source code from {source:?}: {e}", call.name),
                    )
                    .at(call.range.clone()),
                );
                return None;
            }
            let dir = match fetched_subdir(&call.source) {
                Some(sub) => normalize(&inst.join(sub)),
                None => inst.clone(),
            };
            (dir, None)
        }
    };
    ui.line(&format!("- {key} in {}", dir.display()));
    manifest.insert(key.clone(), ModuleRecord { key, source, version, dir: dir.display().to_string() });
    Some(())
}

/// Selects the version, asks the registry where it is and fetches it into `inst`: the module's
/// directory and version.
#[allow(clippy::too_many_arguments)]
async fn install_registry(
    ui: &Ui,
    net: &Net,
    call: &Call,
    addr: &RegistrySource,
    constraints: &ModuleConstraints,
    inst: &Path,
    at: &str,
    diags: &mut Diagnostics,
) -> Option<(PathBuf, String)> {
    let host = &addr.host;
    let listed = match module_registry::versions(net, addr).await {
        Ok(v) => v,
        Err(VersionsError::NotFound) => {
            diags.push(
                Diagnostic::error(
                    "Module not found",
                    format!("Module {:?} (from {at}) cannot be found in the module registry at {host}.", call.name),
                )
                .at(call.range.clone()),
            );
            return None;
        }
        Err(VersionsError::Invalid) => {
            diags.push(
                Diagnostic::error(
                    "Invalid response from remote module registry",
                    format!(
                        "The registry at {host} returned an invalid response when terrane requested available versions for module {:?} ({at}).",
                        call.name
                    ),
                )
                .at(call.range.clone()),
            );
            return None;
        }
        Err(VersionsError::Other(e)) => {
            diags.push(
                Diagnostic::error(
                    "Error accessing remote module registry",
                    format!(
                        "Failed to retrieve available versions for module {:?} ({at}) from {host}: {e}.",
                        call.name
                    ),
                )
                .at(call.range.clone()),
            );
            return None;
        }
    };
    let package = addr.package();
    let (best, newest) = select_module_version(listed.iter().map(String::as_str), constraints);
    let Some(newest) = newest else {
        diags.push(
            Diagnostic::error(
                "Module has no versions",
                format!("Module {:?} ({at}) has no versions available on {host}.", addr.to_string()),
            )
            .at(call.range.clone()),
        );
        return None;
    };
    let Some(version) = best else {
        diags.push(
            Diagnostic::error(
                "Unresolvable module version constraint",
                format!(
                    "There is no available version of module {:?} ({at}) which matches the given version constraint. The newest available version is {newest}.",
                    addr.to_string()
                ),
            )
            .at(call.range.clone()),
        );
        return None;
    };
    let key = call.path.join(".");
    ui.line(&format!("Downloading {package} {version} for {key}..."));
    let location = match module_registry::location(net, addr, &version.to_string()).await {
        Ok(l) => l,
        Err(e) => {
            diags.push(Diagnostic::error(
                "Error accessing remote module registry",
                format!("Failed to retrieve a download URL for {addr} {version} from {host}: {e}"),
            ));
            return None;
        }
    };
    let staging = beside(inst, "download");
    let _ = std::fs::remove_dir_all(&staging);
    let fetched = module_registry::fetch_package(net, &location, &staging).await;
    let subdir = match fetched {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            diags.push(
                Diagnostic::error(
                    "Failed to download module",
                    format!("Could not download module {:?} ({at}) source code from {location:?}: {e}.", call.name),
                )
                .at(call.range.clone()),
            );
            return None;
        }
    };
    let _ = std::fs::remove_dir_all(inst);
    if let Err(e) = std::fs::rename(&staging, inst) {
        diags.push(Diagnostic::error("Failed to download module", format!("{}: {e}", inst.display())));
        return None;
    }
    let sub = join_subdirs(subdir.as_deref(), addr.subdir.as_deref());
    let dir = match &sub {
        Some(s) => normalize(&inst.join(s)),
        None => inst.to_path_buf(),
    };
    if sub.is_some() && !dir.is_dir() {
        diags.push(Diagnostic::error(
            "Unreadable module subdirectory",
            format!(
                "The directory {} does not exist. The target submodule {} does not exist within the target module.",
                dir.display(),
                sub.unwrap_or_default()
            ),
        ));
        return None;
    }
    Some((dir, version.to_string()))
}

/// Every module call in the tree, callers before the modules they call.
fn collect(config: &Config) -> Vec<Call> {
    let mut out = Vec::new();
    for m in config.modules() {
        for call in m.module_calls.values() {
            let mut path = m.path.clone();
            path.push(call.name.clone());
            out.push(Call {
                path,
                name: call.name.clone(),
                source: call.source.clone(),
                version: call.version.clone(),
                parent_dir: m.dir.clone(),
                range: call.range.clone(),
                checks: check_registry_call(call),
            });
        }
    }
    out
}

/// `dir` with `~suffix` appended to its name: a place beside it that no module key uses.
fn beside(dir: &Path, suffix: &str) -> PathBuf {
    let mut name = dir.as_os_str().to_os_string();
    name.push(format!("~{suffix}"));
    PathBuf::from(name)
}

/// Fetches a git or tarball `source` into `dest` (replacing what was there).
pub fn fetch(source: &str, dest: &Path) -> Result<(), String> {
    let staging = beside(dest, "fetching");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
    let result = if is_tarball(source) { untar(source, &staging) } else { clone(source, &staging) };
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    let _ = std::fs::remove_dir_all(dest);
    if let Some(parent) = dest.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    std::fs::rename(&staging, dest).map_err(|e| format!("{}: {e}", dest.display()))
}

/// `git::URL//subdir?ref=REF`, `github.com/owner/repo//subdir?ref=REF`.
fn parse_git(source: &str) -> (String, Option<String>, Option<String>) {
    let s = source.strip_prefix("git::").unwrap_or(source);
    let (s, query) = match s.split_once('?') {
        Some((a, q)) => (a, Some(q)),
        None => (s, None),
    };
    let reference = query.and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("ref=").map(str::to_string)));
    // `//` after the scheme's separates the repository from a directory inside it.
    let after_scheme = s.find("://").map_or(0, |i| i + 3);
    let (repo, subdir) = match s[after_scheme..].find("//") {
        Some(i) => (s[..after_scheme + i].to_string(), Some(s[after_scheme + i + 2..].to_string())),
        None => (s.to_string(), None),
    };
    let repo = if repo.starts_with("github.com/") { format!("https://{repo}.git") } else { repo };
    (repo, subdir, reference)
}

fn clone(source: &str, staging: &Path) -> Result<(), String> {
    let (repo, subdir, reference) = parse_git(source);
    let checkout = staging.join(".checkout");
    let mut c = Command::new("git");
    c.args(["clone", "--quiet", "--depth", "1"]);
    if let Some(r) = &reference {
        c.args(["--branch", r]);
    }
    c.arg(&repo).arg(&checkout).env("GIT_TERMINAL_PROMPT", "0");
    let out = c.output().map_err(|e| format!("cannot run git: {e}"))?;
    if !out.status.success() {
        let why = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(format!(
            "git clone of {repo}{} failed: {why}",
            reference.map(|r| format!(" at {r}")).unwrap_or_default()
        ));
    }
    // The whole repository is kept, so a module can use its siblings (`../other`).
    if let Some(d) = &subdir
        && !checkout.join(d).is_dir()
    {
        return Err(format!("the repository has no directory {d}"));
    }
    move_contents(&checkout, staging)?;
    let _ = std::fs::remove_dir_all(&checkout);
    Ok(())
}

fn untar(source: &str, staging: &Path) -> Result<(), String> {
    let file = PathBuf::from(source.strip_prefix("file::").unwrap_or(source));
    if !file.is_file() {
        return Err(format!("{} does not exist", file.display()));
    }
    let out = Command::new("tar")
        .arg("-xzf")
        .arg(std::fs::canonicalize(&file).map_err(|e| e.to_string())?)
        .arg("-C")
        .arg(staging)
        .output()
        .map_err(|e| format!("cannot run tar: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "tar could not unpack {}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    // A tarball holding a single directory holds the module inside it.
    let entries: Vec<PathBuf> =
        std::fs::read_dir(staging).map_err(|e| e.to_string())?.flatten().map(|e| e.path()).collect();
    if let [only] = entries.as_slice()
        && only.is_dir()
    {
        let inner = staging.join(".inner");
        std::fs::rename(only, &inner).map_err(|e| e.to_string())?;
        move_contents(&inner, staging)?;
        let _ = std::fs::remove_dir_all(&inner);
    }
    Ok(())
}

/// Moves the entries of `from` (but `.git`) into `to`.
fn move_contents(from: &Path, to: &Path) -> Result<(), String> {
    for e in std::fs::read_dir(from).map_err(|e| e.to_string())?.flatten() {
        if e.file_name() == ".git" {
            continue;
        }
        std::fs::rename(e.path(), to.join(e.file_name())).map_err(|err| format!("{}: {err}", e.path().display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use terrane_engine::config::is_fetched_source;

    #[test]
    fn git_sources_split_into_repository_directory_and_ref() {
        assert_eq!(
            parse_git("git::https://example.com/mods.git//network?ref=v1.2.0"),
            ("https://example.com/mods.git".into(), Some("network".into()), Some("v1.2.0".into()))
        );
        assert_eq!(parse_git("git::file:///tmp/repo"), ("file:///tmp/repo".into(), None, None));
        assert_eq!(
            parse_git("github.com/futurice/mods//app?ref=main"),
            ("https://github.com/futurice/mods.git".into(), Some("app".into()), Some("main".into()))
        );
        assert!(
            is_fetched_source("./mods.tar.gz")
                && is_fetched_source("git::https://x/y.git")
                && is_fetched_source("hashicorp/consul/aws")
                && !is_fetched_source("../modules/app")
        );
    }
}
