//! Installing modules (`terrane get`, and the first step of `terrane init`): local paths are
//! used where they are; git repositories (`git::URL//subdir?ref=v1.2.0`, `github.com/o/r`)
//! are cloned with the git command and local tarballs (`.tar.gz`, `.tgz`) unpacked with tar,
//! each into `.terrane/modules/<call path>`, recorded in `.terrane/modules/modules.json`
//! (Terraform's manifest shape) so a changed source is fetched again.

use crate::args::GetArgs;
use crate::ui::Ui;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::Command;
use terrane_engine::config::{Config, DiskFs, installed_module_dir, is_fetched_source, load_tree, module_display};

const MANIFEST: &str = ".terrane/modules/modules.json";

#[derive(Serialize, Deserialize, Default)]
struct Manifest {
    #[serde(rename = "Modules")]
    modules: Vec<Entry>,
}

#[derive(Serialize, Deserialize, Clone)]
struct Entry {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Source")]
    source: String,
    #[serde(rename = "Dir")]
    dir: String,
}

pub async fn run(args: GetArgs, ui: &Ui) -> u8 {
    match install(ui, args.update) {
        Ok(()) => 0,
        Err(()) => 1,
    }
}

/// Whether a source is fetched into `.terrane/modules` rather than used in place.
pub fn is_remote(source: &str) -> bool {
    is_fetched_source(source)
}

fn is_tarball(source: &str) -> bool {
    let s = source.strip_prefix("file::").unwrap_or(source);
    s.ends_with(".tar.gz") || s.ends_with(".tgz")
}

/// Installs every module the configuration calls (and those they call), printing each.
pub fn install(ui: &Ui, update: bool) -> Result<(), ()> {
    if ui.json {
        crate::ui::json::init_output("initializing_modules_message", "Initializing modules...");
    } else {
        ui.line(&ui.paint().bold("Initializing modules..."));
    }
    let mut manifest: Manifest =
        std::fs::read(MANIFEST).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default();
    let mut fetched: Vec<String> = Vec::new();
    // Fetching a module can reveal the modules it calls: load again until nothing is missing.
    loop {
        let (config, _) = load_tree(&DiskFs, Path::new("."));
        let mut missing = Vec::new();
        collect(&config, &mut |path, source, parent_dir| {
            let key = path.join(".");
            if is_remote(source) {
                let dir = installed_module_dir(Path::new("."), path);
                let recorded = manifest.modules.iter().find(|e| e.key == key).map(|e| e.source.as_str());
                let stale = recorded != Some(source) || (update && !fetched.contains(&key));
                if !dir.exists() || stale {
                    missing.push((path.to_vec(), source.to_string(), dir));
                }
            } else if !fetched.contains(&key) {
                fetched.push(key.clone());
                let shown = terrane_engine::config::normalize(&parent_dir.join(source));
                ui.line(&format!("- {} in {}", module_display(path), shown.display()));
            }
        });
        if missing.is_empty() {
            break;
        }
        for (path, source, dir) in missing {
            let key = path.join(".");
            ui.line(&format!("- {} from {source}", module_display(&path)));
            if let Err(e) = fetch(&source, &dir) {
                ui.error("Failed to download module", &format!("{} (source \"{source}\"): {e}", module_display(&path)));
                return Err(());
            }
            manifest.modules.retain(|e| e.key != key);
            manifest.modules.push(Entry { key: key.clone(), source: source.clone(), dir: dir.display().to_string() });
            fetched.push(key);
        }
        manifest.modules.sort_by(|a, b| a.key.cmp(&b.key));
        let written = std::fs::create_dir_all(".terrane/modules")
            .and_then(|_| std::fs::write(MANIFEST, serde_json::to_vec_pretty(&manifest).unwrap_or_default()));
        if let Err(e) = written {
            ui.error("Failed to record the installed modules", &format!("{MANIFEST}: {e}"));
            return Err(());
        }
    }
    Ok(())
}

/// Calls `f(call path, source, caller's directory)` for every module call in the tree.
fn collect(config: &Config, f: &mut dyn FnMut(&[String], &str, &Path)) {
    for m in config.modules() {
        for call in m.module_calls.values() {
            let mut path = m.path.clone();
            path.push(call.name.clone());
            f(&path, &call.source, &m.dir);
        }
    }
}

/// Fetches `source` into `dest` (replacing what was there).
fn fetch(source: &str, dest: &Path) -> Result<(), String> {
    let staging = dest.with_extension("fetching");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
    let result = if is_tarball(source) { untar(source, &staging) } else { clone(source, &staging) };
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    let _ = std::fs::remove_dir_all(dest);
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
        assert!(is_remote("./mods.tar.gz") && is_remote("git::https://x/y.git") && !is_remote("../modules/app"));
    }
}
