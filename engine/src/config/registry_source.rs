//! Module registry source addresses (`NAMESPACE/NAME/PROVIDER`, `HOST/NAMESPACE/NAME/PROVIDER`,
//! each with an optional `//subdir`), parsed as Terraform's `tfaddr.ParseModuleSource` does, and
//! the go-getter subdirectory split they share with other remote sources.

/// The host of registry addresses that name none.
pub const PUBLIC_MODULE_REGISTRY: &str = "registry.terraform.io";

/// A module in a module registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrySource {
    /// Lower case, without the default HTTPS port.
    pub host: String,
    pub namespace: String,
    pub name: String,
    pub provider: String,
    /// A directory inside the package (`//modules/x`), cleaned.
    pub subdir: Option<String>,
}

impl RegistrySource {
    /// The address if `source` is a registry address, as Terraform decides it: whatever parses
    /// as one is one; anything else is left to the other kinds of sources.
    pub fn parse(source: &str) -> Result<RegistrySource, String> {
        if source.starts_with("./") || source.starts_with("../") || source.starts_with('/') {
            return Err(format!("can't use local directory {source:?} as a module registry address"));
        }
        let (package, subdir) = split_subdir(source);
        let subdir = subdir.map(|s| clean_path(&s)).filter(|s| !s.is_empty() && s != ".");
        if subdir.as_deref().is_some_and(|s| s.starts_with("../") || s == "..") {
            return Err(format!("subdirectory path {:?} leads outside of the module package", subdir.unwrap()));
        }
        let mut parts: Vec<&str> = package.split('/').collect();
        if parts.len() != 3 && parts.len() != 4 {
            return Err(
                "a module registry source address must have either three or four slash-separated components".into()
            );
        }
        let mut host = PUBLIC_MODULE_REGISTRY.to_string();
        if parts.len() == 4 {
            host = valid_host(parts[0]).ok_or_else(|| format!("invalid module registry hostname {:?}", parts[0]))?;
            if !host.contains('.') {
                return Err("invalid module registry hostname: must contain at least one dot".into());
            }
            parts.remove(0);
        }
        if host == "github.com" || host == "bitbucket.org" {
            return Err(format!(
                "can't use {host:?} as a module registry host, because it's reserved for installing directly from version control repositories"
            ));
        }
        let name_ok = |s: &str| {
            let b = s.as_bytes();
            !b.is_empty()
                && b.len() <= 64
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b'_')
        };
        if !name_ok(parts[0]) {
            return Err(format!("invalid namespace {:?}", parts[0]));
        }
        if !name_ok(parts[1]) {
            return Err(format!("invalid module name {:?}", parts[1]));
        }
        let p = parts[2];
        if p.is_empty() || p.len() > 64 || !p.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()) {
            return Err(format!("invalid target system {p:?}"));
        }
        Ok(RegistrySource {
            host,
            namespace: parts[0].to_string(),
            name: parts[1].to_string(),
            provider: p.to_string(),
            subdir,
        })
    }

    /// `HOST/NAMESPACE/NAME/PROVIDER`, the package without the subdirectory.
    pub fn package(&self) -> String {
        format!("{}/{}/{}/{}", self.host, self.namespace, self.name, self.provider)
    }

    /// The package as written in a configuration: without the public registry's host.
    pub fn package_for_display(&self) -> String {
        if self.host == PUBLIC_MODULE_REGISTRY {
            format!("{}/{}/{}", self.namespace, self.name, self.provider)
        } else {
            self.package()
        }
    }
}

impl std::fmt::Display for RegistrySource {
    /// As Terraform records the source in `modules.json`: the host always written.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.package())?;
        if let Some(s) = &self.subdir {
            write!(f, "//{s}")?;
        }
        Ok(())
    }
}

/// A host name as Terraform compares them: lower case, the default HTTPS port dropped; `None`
/// when it is not a host name (with an optional port).
fn valid_host(h: &str) -> Option<String> {
    let h = h.to_ascii_lowercase();
    let (name, port) = match h.rsplit_once(':') {
        Some((n, p)) => (n, Some(p)),
        None => (h.as_str(), None),
    };
    if let Some(p) = port
        && (p.is_empty() || !p.bytes().all(|c| c.is_ascii_digit()) || p.parse::<u32>().map_or(true, |p| p > 65535))
    {
        return None;
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_alphanumeric() || c == '-')
    };
    if name.is_empty() || !name.split('.').all(label_ok) {
        return None;
    }
    Some(match port {
        Some("443") | None => name.to_string(),
        Some(p) => format!("{name}:{p}"),
    })
}

/// Splits `proto://host/path//sub?q=p` into `proto://host/path?q=p` and `sub`, as go-getter's
/// `SourceDirSubdir` does (the `//` after a scheme does not count).
pub fn split_subdir(src: &str) -> (String, Option<String>) {
    let stop = src.find('?').unwrap_or(src.len());
    let offset = src[..stop].find("://").map_or(0, |i| i + 3);
    let Some(i) = src[offset..stop].find("//") else { return (src.to_string(), None) };
    let i = i + offset;
    let mut sub = src[i + 2..].to_string();
    let mut package = src[..i].to_string();
    if let Some(q) = sub.find('?') {
        package.push_str(&sub[q..]);
        sub.truncate(q);
    }
    (package, Some(sub))
}

/// `path.Clean` for slash-separated relative paths.
pub fn clean_path(p: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." if out.last().is_some_and(|l| *l != "..") => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    if out.is_empty() { ".".into() } else { out.join("/") }
}

/// Joins two cleaned subdirectories, either of which may be absent.
pub fn join_subdirs(a: Option<&str>, b: Option<&str>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(clean_path(&format!("{a}/{b}"))),
        (Some(s), None) | (None, Some(s)) => Some(s.to_string()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_module_addresses_parse_as_terraform_parses_them() {
        let a = RegistrySource::parse("hashicorp/consul/aws").unwrap();
        assert_eq!(a.to_string(), "registry.terraform.io/hashicorp/consul/aws");
        assert_eq!(a.package_for_display(), "hashicorp/consul/aws");
        let a = RegistrySource::parse("Example.COM:443/ns/name/aws//modules/x/../y").unwrap();
        assert_eq!(a.to_string(), "example.com/ns/name/aws//modules/y");
        assert_eq!(RegistrySource::parse("127.0.0.1:8443/ns/n/p").unwrap().package(), "127.0.0.1:8443/ns/n/p");
        for bad in [
            "./local",
            "localhost:8443/ns/name/prov",
            "github.com/hashicorp/example/x",
            "hashicorp/consul",
            "git::https://example.com/x.git",
            "ns/name/AWS",
            "ns/-name/aws",
            "ns/name/aws//../x",
            "a/b/c/d/e",
        ] {
            assert!(RegistrySource::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn module_subdirectories_split_as_go_getter_splits_them() {
        assert_eq!(
            split_subdir("https://h/x.tar.gz//sub?archive=tgz"),
            ("https://h/x.tar.gz?archive=tgz".into(), Some("sub".into()))
        );
        assert_eq!(split_subdir("git::https://h/r.git?ref=v1"), ("git::https://h/r.git?ref=v1".into(), None));
        assert_eq!(join_subdirs(Some("a"), Some("b/../c")), Some("a/c".into()));
    }
}
