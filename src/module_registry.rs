//! The module registry protocol, as Terraform 1.11 speaks it: the `modules.v1` service of a
//! host's discovery document, `GET <service><ns>/<name>/<provider>/versions`, and
//! `GET …/<version>/download`, which answers where the package is (`X-Terraform-Get`, relative
//! to the download address when it starts with `/`, `./` or `../`; newer registries answer
//! 200 with `{"location": …}`); then fetching that package as go-getter does: an archive
//! over HTTPS (`.tar.gz`, `.tgz`, `.zip`, or `?archive=`), or a git repository.

use std::path::Path;
use std::time::Duration;
use terrane_engine::config::{RegistrySource, split_subdir};
use terrane_provider_plugin::net::Net;
use url::Url;

/// Why the versions could not be listed.
pub enum VersionsError {
    /// The registry answered 404.
    NotFound,
    /// The answer named no module.
    Invalid,
    /// Anything else, in Terraform's words.
    Other(String),
}

/// The service's address for `addr`'s package, followed by `rest`.
async fn endpoint(net: &Net, addr: &RegistrySource, rest: &str) -> Result<Url, String> {
    let base = net.service(&addr.host, "modules.v1").await?;
    let base =
        if base.path().ends_with('/') { base } else { Url::parse(&format!("{base}/")).map_err(|e| e.to_string())? };
    base.join(&format!("{}/{}/{}/{rest}", addr.namespace, addr.name, addr.provider)).map_err(|e| e.to_string())
}

fn status_text(status: u16) -> String {
    let reason = http::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
    format!("{status} {reason}").trim_end().to_string()
}

/// The versions the registry lists for `addr`'s package.
pub async fn versions(net: &Net, addr: &RegistrySource) -> Result<Vec<String>, VersionsError> {
    #[derive(serde::Deserialize)]
    struct Listing {
        #[serde(default)]
        modules: Vec<Module>,
    }
    #[derive(serde::Deserialize)]
    struct Module {
        #[serde(default)]
        versions: Vec<Entry>,
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        version: String,
    }
    let url = endpoint(net, addr, "versions").await.map_err(VersionsError::Other)?;
    let resp = net.get_for(&url, Some(&addr.host), None).await.map_err(VersionsError::Other)?;
    match resp.status {
        200 => {}
        404 => return Err(VersionsError::NotFound),
        s => return Err(VersionsError::Other(format!("error looking up module versions: {}", status_text(s)))),
    }
    let listing: Listing = resp.json().map_err(VersionsError::Other)?;
    match listing.modules.into_iter().next() {
        Some(m) => Ok(m.versions.into_iter().map(|e| e.version).collect()),
        None => Err(VersionsError::Invalid),
    }
}

/// Where the registry says `version` of `addr`'s package is: a go-getter address.
pub async fn location(net: &Net, addr: &RegistrySource, version: &str) -> Result<String, String> {
    let url = endpoint(net, addr, &format!("{version}/download")).await?;
    let resp = net.get_for(&url, Some(&addr.host), None).await?;
    let module = addr.package_for_display();
    let body = String::from_utf8_lossy(&resp.body).to_string();
    match resp.status {
        200 | 204 => {}
        404 => return Err(format!("module {module:?} version {version:?} not found")),
        s => return Err(format!("error getting download location for {module:?}: {} resp:{body}", status_text(s))),
    }
    let header = resp.headers.get("x-terraform-get").and_then(|v| v.to_str().ok()).map(str::to_string);
    let location = match header.filter(|h| !h.is_empty()) {
        Some(h) => h,
        None => {
            #[derive(serde::Deserialize)]
            struct Location {
                location: String,
            }
            match serde_json::from_slice::<Location>(&resp.body) {
                Ok(l) if resp.status == 200 && !l.location.is_empty() => l.location,
                _ => {
                    return Err(format!(
                        "failed to get download URL for {module:?}: {} resp:{body}",
                        status_text(resp.status)
                    ));
                }
            }
        }
    };
    if location.starts_with('/') || location.starts_with("./") || location.starts_with("../") {
        return url
            .join(&location)
            .map(|u| u.to_string())
            .map_err(|e| format!("invalid relative URL for {module:?}: {e}"));
    }
    Ok(location)
}

/// The kinds of archive go-getter unpacks (tar ones by the tar command's filter flag).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Archive {
    /// A tar archive: `-z`, `-j`, `-J`, `--zstd`, or none.
    Tar(&'static str),
    Zip,
}

/// The archive a name ends in (`.tar.gz`), or that `?archive=` names (`tar.gz`).
fn archive_kind(name: &str) -> Option<Archive> {
    let kinds: [(&str, Archive); 11] = [
        ("tar.gz", Archive::Tar("-z")),
        ("tgz", Archive::Tar("-z")),
        ("tar.bz2", Archive::Tar("-j")),
        ("tbz2", Archive::Tar("-j")),
        ("tar.tbz2", Archive::Tar("-j")),
        ("tar.xz", Archive::Tar("-J")),
        ("txz", Archive::Tar("-J")),
        ("tar.zst", Archive::Tar("--zstd")),
        ("tzst", Archive::Tar("--zstd")),
        ("tar", Archive::Tar("")),
        ("zip", Archive::Zip),
    ];
    kinds.iter().find(|(ext, _)| name == *ext || name.ends_with(&format!(".{ext}"))).map(|(_, k)| *k)
}

/// Fetches a registry's package `location` into the new directory `dest`; returns the
/// subdirectory the location names (`//sub`), if any.
pub async fn fetch_package(net: &Net, location: &str, dest: &Path) -> Result<Option<String>, String> {
    let (package, subdir) = split_subdir(location);
    if package.starts_with("git::") || package.starts_with("github.com/") {
        crate::cmd::get::fetch(location, dest)?;
        return Ok(subdir);
    }
    let raw = package.strip_prefix("http::").or_else(|| package.strip_prefix("https::")).unwrap_or(&package);
    let mut url = Url::parse(raw).map_err(|e| format!("invalid package address {location:?}: {e}"))?;
    if url.scheme() != "https" && url.scheme() != "http" {
        return Err(format!("download not supported for scheme '{}'", url.scheme()));
    }
    // `?archive=tar.gz` names the archive's kind and is not sent.
    let mut kind = None;
    let pairs: Vec<(String, String)> = url.query_pairs().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    if let Some((_, v)) = pairs.iter().find(|(k, _)| k == "archive") {
        kind = Some(archive_kind(v).ok_or_else(|| format!("unsupported archive format: {v}"))?);
        let rest: Vec<&(String, String)> = pairs.iter().filter(|(k, _)| k != "archive").collect();
        if rest.is_empty() {
            url.set_query(None);
        } else {
            url.query_pairs_mut().clear().extend_pairs(rest.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
    }
    let kind = kind.or_else(|| archive_kind(url.path())).ok_or_else(|| {
        format!("{url} is not an archive (.tar.gz, .tgz, .zip or ?archive=): terrane cannot download it")
    })?;
    let resp = net.get(&url, Some(Duration::from_secs(600))).await?;
    if resp.status != 200 {
        return Err(format!("bad response code: {}", resp.status));
    }
    std::fs::create_dir_all(dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    match kind {
        Archive::Zip => terrane_provider_plugin::install::unpack(&resp.body, dest)?,
        Archive::Tar(filter) => untar(&resp.body, filter, dest)?,
    }
    Ok(subdir)
}

/// Unpacks a tar archive (compressed as `filter` says) into `dest` with the tar command,
/// refusing entries that leave it.
fn untar(bytes: &[u8], filter: &str, dest: &Path) -> Result<(), String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let tar = |args: &[&str], input: &[u8]| -> Result<String, String> {
        let mut child = Command::new("tar")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run tar: {e}"))?;
        let mut stdin = child.stdin.take().expect("stdin");
        let data = input.to_vec();
        let writer = std::thread::spawn(move || stdin.write_all(&data));
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        let _ = writer.join();
        if !out.status.success() {
            return Err(format!("tar could not unpack the archive: {}", String::from_utf8_lossy(&out.stderr).trim()));
        }
        Ok(String::from_utf8_lossy(&out.stdout).to_string())
    };
    let with = |args: &[&'static str]| -> Vec<&str> {
        let mut v: Vec<&str> = if filter.is_empty() { Vec::new() } else { vec![filter] };
        v.extend_from_slice(args);
        v
    };
    let listing = tar(&with(&["-tf", "-"]), bytes)?;
    for name in listing.lines() {
        if name.starts_with('/') || name.split('/').any(|p| p == "..") {
            return Err(format!("the archive's entry {name:?} leaves its directory"));
        }
    }
    let dest = dest.display().to_string();
    let mut args = with(&["-xf", "-", "--no-same-owner", "-C"]);
    args.push(&dest);
    tar(&args, bytes).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_module_archives_are_recognised_as_go_getter_does() {
        assert_eq!(archive_kind("/files/m.tar.gz"), Some(Archive::Tar("-z")));
        assert_eq!(archive_kind("/files/m.tgz"), Some(Archive::Tar("-z")));
        assert_eq!(archive_kind("tar.xz"), Some(Archive::Tar("-J")));
        assert_eq!(archive_kind("/files/m.tar"), Some(Archive::Tar("")));
        assert_eq!(archive_kind("zip"), Some(Archive::Zip));
        assert_eq!(archive_kind("/files/mtar"), None);
        assert_eq!(archive_kind("/files/m"), None);
        assert_eq!(status_text(401), "401 Unauthorized");
    }

    #[test]
    fn registry_module_tar_archives_unpack_with_each_compression() {
        let src = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(src.path().join("sub")).unwrap();
        std::fs::write(src.path().join("sub/main.tf"), "output \"x\" { value = 1 }\n").unwrap();
        for name in ["m.tar.gz", "m.tar.bz2", "m.tar.xz", "m.tar.zst", "m.tar"] {
            let Some(Archive::Tar(filter)) = archive_kind(name) else { panic!("{name}") };
            let mut args: Vec<&str> = if filter.is_empty() { Vec::new() } else { vec![filter] };
            args.extend(["-cf", "-", "."]);
            let out = std::process::Command::new("tar").current_dir(src.path()).args(&args).output().unwrap();
            assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
            let dest = tempfile::tempdir().unwrap();
            untar(&out.stdout, filter, dest.path()).unwrap();
            assert_eq!(
                std::fs::read_to_string(dest.path().join("sub/main.tf")).unwrap(),
                "output \"x\" { value = 1 }\n"
            );
        }
        let dest = tempfile::tempdir().unwrap();
        assert!(untar(b"not a tarball", "-z", dest.path()).is_err());
    }
}
