//! Finding and installing provider plugins as `terraform init` does.
//!
//! - The CLI configuration (`TF_CLI_CONFIG_FILE`, else `~/.terraformrc`): its
//!   `provider_installation` block (`filesystem_mirror`, `network_mirror`, `direct`, with
//!   `include`/`exclude` patterns; `dev_overrides`), and `plugin_cache_dir` (or
//!   `TF_PLUGIN_CACHE_DIR`). Without a `provider_installation` block, Terraform's implied
//!   local mirrors (`terraform.d/plugins`, `~/.terraform.d/plugins`, the XDG data
//!   directories) come first, then the origin registry.
//! - A filesystem mirror in the unpacked layout
//!   (`HOST/NAMESPACE/TYPE/VERSION/OS_ARCH/terraform-provider-TYPE_vVERSION`).
//! - The version: the newest the mirror has that meets every constraint, or the one the
//!   dependency lock file names (unless `-upgrade`).
//! - Installation: `.terraform/providers/HOST/NAMESPACE/TYPE/VERSION/OS_ARCH`, a link to the
//!   mirror's directory, as Terraform makes it.
//! - The dependency lock file, `.terraform.lock.hcl`, byte for byte as Terraform writes it:
//!   the version, the normalised constraints, and the `h1:` hash of the package (Go's
//!   `dirhash.Hash1`); a package whose hash the lock file does not list is refused.

use crate::net::Net;
use crate::registry;
pub use crate::registry::Auth;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use terrane_engine::config::Expr;
use terrane_engine::diag::SourceFile;
use terrane_engine::hcl;
use terrane_engine::value::Value;
use url::Url;

/// The default registry host.
pub const DEFAULT_HOST: &str = "registry.terraform.io";
/// The lock file's name.
pub const LOCK_FILE: &str = ".terraform.lock.hcl";

/// A provider's source address.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Addr {
    pub host: String,
    pub namespace: String,
    pub name: String,
}

impl Addr {
    /// Parses `aws`, `hashicorp/aws` or `registry.terraform.io/hashicorp/aws`.
    pub fn parse(s: &str) -> Result<Addr, String> {
        let parts: Vec<&str> = s.split('/').collect();
        let (host, ns, name) = match parts[..] {
            [name] => (DEFAULT_HOST, "hashicorp", name),
            [ns, name] => (DEFAULT_HOST, ns, name),
            [host, ns, name] => (host, ns, name),
            _ => return Err(format!("invalid provider source address {s:?}")),
        };
        if name.is_empty() || ns.is_empty() || host.is_empty() {
            return Err(format!("invalid provider source address {s:?}"));
        }
        Ok(Addr { host: host.to_lowercase(), namespace: ns.to_lowercase(), name: name.to_lowercase() })
    }

    /// `hashicorp/aws` for the default registry, else the full address.
    pub fn short(&self) -> String {
        if self.host == DEFAULT_HOST { format!("{}/{}", self.namespace, self.name) } else { self.to_string() }
    }

    fn matches(&self, pattern: &str) -> bool {
        let p: Vec<&str> = pattern.split('/').collect();
        let (h, n, t) = match p[..] {
            [n, t] => (DEFAULT_HOST, n, t),
            [h, n, t] => (h, n, t),
            _ => return false,
        };
        let m = |pat: &str, v: &str| pat == "*" || pat.eq_ignore_ascii_case(v);
        m(h, &self.host) && m(n, &self.namespace) && m(t, &self.name)
    }
}

impl std::fmt::Display for Addr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.host, self.namespace, self.name)
    }
}

/// The platform plugins are chosen for (`linux_amd64`).
pub fn platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        a => a,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

// ----- versions and constraints -----

/// A version: numbers, and a pre-release label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub nums: [u64; 3],
    pub pre: String,
}

impl Version {
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim().trim_start_matches('v');
        let s = s.split('+').next()?;
        let (core, pre) = match s.split_once('-') {
            Some((c, p)) => (c, p.to_string()),
            None => (s, String::new()),
        };
        let mut nums = [0u64; 3];
        let parts: Vec<&str> = core.split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return None;
        }
        for (i, p) in parts.iter().enumerate() {
            nums[i] = p.parse().ok()?;
        }
        Some(Version { nums, pre })
    }
}

impl Ord for Version {
    fn cmp(&self, o: &Version) -> std::cmp::Ordering {
        self.nums.cmp(&o.nums).then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            (false, false) => self.pre.cmp(&o.pre),
        })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, o: &Version) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.nums[0], self.nums[1], self.nums[2])?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        Ok(())
    }
}

/// One term of a constraint (`~> 5.0`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Term {
    op: Op,
    v: Version,
    /// How many numbers were written (`~> 5.0` is two).
    written: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    // In the order Terraform sorts terms of the same boundary.
    Gt,
    Ge,
    Eq,
    PessimisticPatch,
    PessimisticMinor,
    Le,
    Lt,
    Ne,
}

/// Parses a provider version constraint string (`"~> 5.0, >= 5.10"`).
pub fn parse_constraints(s: &str) -> Result<Vec<Term>, String> {
    let mut out = Vec::new();
    for raw in s.split(',') {
        let t = raw.trim();
        if t.is_empty() {
            return Err(format!("invalid version constraint {s:?}"));
        }
        let (op, rest) = [("~>", "~>"), (">=", ">="), ("<=", "<="), ("!=", "!="), (">", ">"), ("<", "<"), ("=", "=")]
            .iter()
            .find_map(|(p, _)| t.strip_prefix(p).map(|r| (*p, r)))
            .unwrap_or(("=", t));
        let rest = rest.trim();
        let written = rest.split(['-', '+']).next().unwrap_or("").split('.').count();
        let v = Version::parse(rest).ok_or_else(|| format!("invalid version constraint {s:?}"))?;
        let op = match op {
            "~>" if written >= 3 => Op::PessimisticPatch,
            "~>" => Op::PessimisticMinor,
            ">=" => Op::Ge,
            "<=" => Op::Le,
            "!=" => Op::Ne,
            ">" => Op::Gt,
            "<" => Op::Lt,
            _ => Op::Eq,
        };
        out.push(Term { op, v, written });
    }
    Ok(out)
}

/// Whether `v` meets every term. A pre-release is chosen only when a term names it exactly.
pub fn meets(v: &Version, terms: &[Term]) -> bool {
    if !v.pre.is_empty() && !terms.iter().any(|t| t.op == Op::Eq && t.v == *v) {
        return false;
    }
    terms.iter().all(|t| match t.op {
        Op::Eq => v == &t.v,
        Op::Ne => v != &t.v,
        Op::Gt => v > &t.v,
        Op::Ge => v >= &t.v,
        Op::Lt => v < &t.v,
        Op::Le => v <= &t.v,
        Op::PessimisticPatch => v >= &t.v && v.nums[0] == t.v.nums[0] && v.nums[1] == t.v.nums[1],
        // `~> 5` and `~> 5.0` both mean ">= 5.0.0, < 6.0.0".
        Op::PessimisticMinor => v >= &t.v && v.nums[0] == t.v.nums[0],
    })
}

/// Terraform's normalised form of a set of constraints (`VersionConstraintsString`): unique
/// terms sorted by version, then by operator; `~> 5.0` kept to two numbers.
pub fn constraints_string(terms: &[Term]) -> String {
    let mut uniq: Vec<&Term> = Vec::new();
    for t in terms {
        let same = |u: &&Term| u.op == t.op && u.v == t.v;
        if !uniq.iter().any(same) {
            uniq.push(t);
        }
    }
    uniq.sort_by(|a, b| a.v.cmp(&b.v).then(a.op.cmp(&b.op)));
    uniq.iter()
        .map(|t| {
            let op = match t.op {
                Op::Gt => "> ",
                Op::Lt => "< ",
                Op::Ge => ">= ",
                Op::PessimisticPatch | Op::PessimisticMinor => "~> ",
                Op::Le => "<= ",
                Op::Eq => "",
                Op::Ne => "!= ",
            };
            let v = if t.op == Op::PessimisticMinor {
                let mut s = format!("{}.{}", t.v.nums[0], t.v.nums[1]);
                if !t.v.pre.is_empty() {
                    s = format!("{s}-{}", t.v.pre);
                }
                s
            } else {
                t.v.to_string()
            };
            format!("{op}{v}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

// ----- the CLI configuration -----

/// One installation method.
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    FilesystemMirror { path: PathBuf, include: Vec<String>, exclude: Vec<String> },
    NetworkMirror { url: String, include: Vec<String>, exclude: Vec<String> },
    Direct { include: Vec<String>, exclude: Vec<String> },
}

impl Method {
    fn selects(&self, a: &Addr) -> bool {
        let (include, exclude) = match self {
            Method::FilesystemMirror { include, exclude, .. }
            | Method::NetworkMirror { include, exclude, .. }
            | Method::Direct { include, exclude } => (include, exclude),
        };
        (include.is_empty() || include.iter().any(|p| a.matches(p))) && !exclude.iter().any(|p| a.matches(p))
    }

    /// Where the method looks, for messages.
    fn describe(&self, a: &Addr) -> String {
        match self {
            Method::FilesystemMirror { path, .. } => format!("the filesystem mirror {}", path.display()),
            Method::NetworkMirror { url, .. } => format!("the provider mirror at {url}"),
            Method::Direct { .. } => format!("the origin registry {}", a.host),
        }
    }
}

/// What the CLI configuration says about providers.
#[derive(Clone, Debug, Default)]
pub struct CliConfig {
    pub methods: Vec<Method>,
    /// Local builds used instead of installed versions.
    pub dev_overrides: BTreeMap<Addr, PathBuf>,
    pub plugin_cache_dir: Option<PathBuf>,
    /// `credentials "HOST" { token = "…" }`: the registries' API tokens.
    pub credentials: BTreeMap<String, String>,
    /// `host "HOST" { services = { … } }`: service discovery answered locally.
    pub hosts: BTreeMap<String, BTreeMap<String, String>>,
    /// The file it was read from.
    pub file: Option<PathBuf>,
}

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

/// The CLI configuration file Terraform reads.
pub fn cli_config_file() -> Option<PathBuf> {
    if let Some(f) = std::env::var_os("TF_CLI_CONFIG_FILE").filter(|f| !f.is_empty()) {
        return Some(PathBuf::from(f));
    }
    let f = home()?.join(".terraformrc");
    f.exists().then_some(f)
}

/// Reads the CLI configuration (a missing file is an empty configuration).
pub fn cli_config() -> Result<CliConfig, String> {
    // As Terraform: a configuration file that cannot be opened is only a warning.
    let text = cli_config_file().and_then(|f| match std::fs::read_to_string(&f) {
        Ok(t) => Some((f, t)),
        Err(e) => {
            tracing::warn!("Unable to open CLI configuration file {}: {e}", f.display());
            None
        }
    });
    let mut cfg = match text {
        Some((f, text)) => {
            let mut c = parse_cli_config(&text, &f.display().to_string())?;
            c.file = Some(f);
            c
        }
        None => CliConfig::default(),
    };
    if let Some(d) = std::env::var_os("TF_PLUGIN_CACHE_DIR").filter(|d| !d.is_empty()) {
        cfg.plugin_cache_dir = Some(PathBuf::from(d));
    }
    if cfg.methods.is_empty() {
        cfg.methods = implied_methods();
    }
    Ok(cfg)
}

/// Terraform's implied local mirrors, then the origin registry.
fn implied_methods() -> Vec<Method> {
    let mut dirs = vec![PathBuf::from("terraform.d/plugins")];
    if let Some(h) = home() {
        dirs.push(h.join(".terraform.d/plugins"));
    }
    let data_home =
        std::env::var_os("XDG_DATA_HOME").map(PathBuf::from).or_else(|| home().map(|h| h.join(".local/share")));
    if let Some(d) = data_home {
        dirs.push(d.join("terraform/plugins"));
    }
    let data_dirs = std::env::var("XDG_DATA_DIRS").unwrap_or_else(|_| "/usr/local/share:/usr/share".into());
    dirs.extend(data_dirs.split(':').filter(|d| !d.is_empty()).map(|d| Path::new(d).join("terraform/plugins")));
    let mut out: Vec<Method> = dirs
        .into_iter()
        .filter(|d| d.is_dir())
        .map(|path| Method::FilesystemMirror { path, include: Vec::new(), exclude: Vec::new() })
        .collect();
    // A provider found in one of them is not looked for in its registry.
    let mut found = Vec::new();
    for m in &out {
        if let Method::FilesystemMirror { path, .. } = m {
            found.extend(mirrored(path));
        }
    }
    found.sort();
    found.dedup();
    out.push(Method::Direct { include: Vec::new(), exclude: found });
    out
}

/// The providers (`HOST/NAMESPACE/TYPE`) a filesystem mirror has.
fn mirrored(dir: &Path) -> Vec<String> {
    let names = |d: &Path| -> Vec<(String, PathBuf)> {
        std::fs::read_dir(d)
            .map(|r| {
                r.filter_map(Result::ok)
                    .filter(|e| e.path().is_dir())
                    .filter_map(|e| Some((e.file_name().to_str()?.to_string(), e.path())))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for (host, h) in names(dir) {
        for (ns, n) in names(&h) {
            for (ty, _) in names(&n) {
                out.push(format!("{host}/{ns}/{ty}"));
            }
        }
    }
    out
}

fn constant(a: &hcl::ast::Attribute, source: &Arc<SourceFile>) -> Result<Value, String> {
    let e = Expr::new(0, a.expr.clone(), source);
    terrane_engine::eval::eval_constant(&e)
        .map_err(|d| d.iter().map(|d| d.summary.clone()).collect::<Vec<_>>().join("; "))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_seq().map(|s| s.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

/// The entries of `dev_overrides` blocks, and the text with those blocks' bodies blanked.
/// Terraform reads the CLI configuration with HCL 1, where a block's keys may be quoted
/// (`"hashicorp/aws" = "/path"`); HCL 2 does not allow that, so they are read here.
fn take_dev_overrides(text: &str) -> (String, Vec<(String, String)>) {
    let mut out = text.to_string();
    let mut entries = Vec::new();
    let mut from = 0;
    while let Some(at) = text[from..].find("dev_overrides") {
        let start = from + at + "dev_overrides".len();
        let Some(open) = text[start..].find('{').map(|o| start + o) else { break };
        if !text[start..open].trim().is_empty() {
            from = start;
            continue;
        }
        let Some(close) = text[open..].find('}').map(|c| open + c) else { break };
        for line in text[open + 1..close].lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            if let Some((k, v)) = line.split_once('=') {
                let unquote = |s: &str| s.trim().trim_matches('"').to_string();
                entries.push((unquote(k), unquote(v)));
            }
        }
        let blank: String = text[open + 1..close].chars().map(|c| if c == '\n' { c } else { ' ' }).collect();
        out.replace_range(open + 1..close, &blank);
        from = close;
    }
    (out, entries)
}

/// Parses a CLI configuration file's text.
pub fn parse_cli_config(text: &str, name: &str) -> Result<CliConfig, String> {
    let (text, overrides) = take_dev_overrides(text);
    let text = text.as_str();
    let (body, diags) = hcl::parse_config(text.as_bytes(), name);
    if let Some(d) = diags.first() {
        return Err(format!("{name}: {}", d.summary));
    }
    let source = Arc::new(SourceFile { name: name.to_string(), text: Arc::from(text) });
    let mut cfg = CliConfig::default();
    for a in &body.attributes {
        if a.name == "plugin_cache_dir" {
            cfg.plugin_cache_dir = constant(a, &source)?.as_str().map(PathBuf::from);
        }
    }
    for b in &body.blocks {
        let (Some(host), true) = (b.labels.first(), b.ty == "credentials" || b.ty == "host") else { continue };
        for a in &b.body.attributes {
            let v = constant(a, &source)?;
            match (b.ty.as_str(), a.name.as_str()) {
                ("credentials", "token") => {
                    cfg.credentials.insert(host.clone(), v.as_str().unwrap_or_default().to_string());
                }
                ("host", "services") => {
                    let services = v
                        .as_map()
                        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
                        .unwrap_or_default();
                    cfg.hosts.insert(host.clone(), services);
                }
                _ => {}
            }
        }
    }
    for b in body.blocks.iter().filter(|b| b.ty == "provider_installation") {
        for m in &b.body.blocks {
            let mut args: BTreeMap<&str, Value> = BTreeMap::new();
            for a in &m.body.attributes {
                args.insert(a.name.as_str(), constant(a, &source)?);
            }
            let list = |k: &str| args.get(k).map(strings).unwrap_or_default();
            let text = |k: &str| args.get(k).and_then(|v| v.as_str().map(str::to_string));
            match m.ty.as_str() {
                "filesystem_mirror" => cfg.methods.push(Method::FilesystemMirror {
                    path: PathBuf::from(text("path").ok_or(format!("{name}: filesystem_mirror needs a path"))?),
                    include: list("include"),
                    exclude: list("exclude"),
                }),
                "network_mirror" => cfg.methods.push(Method::NetworkMirror {
                    url: text("url").ok_or(format!("{name}: network_mirror needs a url"))?,
                    include: list("include"),
                    exclude: list("exclude"),
                }),
                "direct" => cfg.methods.push(Method::Direct { include: list("include"), exclude: list("exclude") }),
                "dev_overrides" => {
                    for (k, v) in &overrides {
                        cfg.dev_overrides.insert(Addr::parse(k)?, PathBuf::from(v));
                    }
                }
                other => return Err(format!("{name}: unknown provider installation method {other:?}")),
            }
        }
    }
    Ok(cfg)
}

// ----- the lock file -----

/// One provider's entry in the dependency lock file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locked {
    pub version: String,
    pub constraints: Option<String>,
    pub hashes: BTreeSet<String>,
}

/// Reads `.terraform.lock.hcl` in `dir` (none: empty).
pub fn read_lock_file(dir: &Path) -> Result<BTreeMap<Addr, Locked>, String> {
    let path = dir.join(LOCK_FILE);
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(BTreeMap::new()) };
    let (body, diags) = hcl::parse_config(text.as_bytes(), LOCK_FILE);
    if let Some(d) = diags.first() {
        return Err(format!("{LOCK_FILE}: {}", d.summary));
    }
    let source = Arc::new(SourceFile { name: LOCK_FILE.to_string(), text: Arc::from(text.as_str()) });
    let mut out = BTreeMap::new();
    for b in body.blocks.iter().filter(|b| b.ty == "provider") {
        let Some(label) = b.labels.first() else { continue };
        let addr = Addr::parse(label)?;
        let mut locked = Locked { version: String::new(), constraints: None, hashes: BTreeSet::new() };
        for a in &b.body.attributes {
            let v = constant(a, &source)?;
            match a.name.as_str() {
                "version" => locked.version = v.as_str().unwrap_or_default().to_string(),
                "constraints" => locked.constraints = v.as_str().map(str::to_string),
                "hashes" => locked.hashes = strings(&v).into_iter().collect(),
                _ => {}
            }
        }
        out.insert(addr, locked);
    }
    Ok(out)
}

/// The lock file's text, as Terraform writes it.
pub fn lock_file_text(locks: &BTreeMap<Addr, Locked>) -> String {
    let mut s = String::from(
        "# This file is maintained automatically by \"terraform init\".\n# Manual edits may be lost in future updates.\n",
    );
    for (addr, l) in locks {
        s.push_str(&format!("\nprovider \"{addr}\" {{\n"));
        match &l.constraints {
            Some(c) => {
                s.push_str(&format!("  version     = \"{}\"\n", l.version));
                s.push_str(&format!("  constraints = \"{c}\"\n"));
            }
            None => s.push_str(&format!("  version = \"{}\"\n", l.version)),
        }
        if !l.hashes.is_empty() {
            s.push_str("  hashes = [\n");
            for h in &l.hashes {
                s.push_str(&format!("    \"{h}\",\n"));
            }
            s.push_str("  ]\n");
        }
        s.push_str("}\n");
    }
    s
}

/// Go's `dirhash.Hash1` of a package directory: the SHA-256 of the lines
/// `SHA256HEX  RELATIVE/PATH\n` of its files, sorted by path, as `h1:` and base64.
pub fn hash_v1(dir: &Path) -> std::io::Result<String> {
    use base64::Engine;
    let mut files = Vec::new();
    collect_files(dir, dir, &mut files)?;
    files.sort();
    let mut h = Sha256::new();
    for rel in files {
        let mut f = std::fs::File::open(dir.join(&rel))?;
        let mut fh = Sha256::new();
        std::io::copy(&mut f, &mut fh)?;
        h.update(format!("{}  {rel}\n", hex::encode(fh.finalize())).as_bytes());
    }
    Ok(format!("h1:{}", base64::engine::general_purpose::STANDARD.encode(h.finalize())))
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let p = e.path();
        // As filepath.Walk: a link to a directory is not followed; a link to a file is hashed.
        let ft = e.file_type()?;
        if ft.is_dir() {
            collect_files(root, &p, out)?;
        } else if !(ft.is_symlink() && p.is_dir()) {
            let rel = p.strip_prefix(root).map_err(std::io::Error::other)?;
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

// ----- installation -----

/// A provider the configuration requires: its address and every constraint on it.
#[derive(Clone, Debug)]
pub struct Requirement {
    pub addr: Addr,
    pub constraints: Vec<String>,
}

impl Requirement {
    /// Every constraint's terms, merged.
    pub fn terms(&self) -> Result<Vec<Term>, String> {
        let mut terms = Vec::new();
        for c in &self.constraints {
            terms.extend(parse_constraints(c)?);
        }
        Ok(terms)
    }
}

/// What `init` did for one provider.
#[derive(Clone, Debug, PartialEq)]
pub struct Installed {
    pub addr: Addr,
    pub version: String,
    /// The package directory in `.terraform/providers`.
    pub dir: PathBuf,
    pub executable: PathBuf,
    pub how: How,
}

/// How `init` came by a provider's package, in Terraform's words.
#[derive(Clone, Debug, PartialEq)]
pub enum How {
    /// Already in `.terraform/providers`, matching the lock file ("Using previously-installed").
    AlreadyInstalled,
    /// Linked from the plugin cache, matching the lock file.
    FromCache,
    /// A `dev_overrides` build, not installed.
    DevOverride,
    /// Installed from an installation method, so authenticated.
    Installed(Auth),
}

/// The package directory of `addr` `version` in the data directory.
pub fn package_dir(data_dir: &Path, addr: &Addr, version: &str) -> PathBuf {
    package_dir_in(&data_dir.join("providers"), addr, version)
}

/// `HOST/NAMESPACE/TYPE/VERSION/OS_ARCH` under `root` (a mirror's or a cache's layout).
fn package_dir_in(root: &Path, addr: &Addr, version: &str) -> PathBuf {
    root.join(&addr.host).join(&addr.namespace).join(&addr.name).join(version).join(platform())
}

/// Copies an unpacked package (its files keep their permissions).
fn copy_package(src: &Path, dest: &Path) -> std::io::Result<()> {
    if dest.exists() {
        std::fs::remove_dir_all(dest)?;
    }
    std::fs::create_dir_all(dest)?;
    for e in std::fs::read_dir(src)? {
        let e = e?;
        let to = dest.join(e.file_name());
        if e.path().is_dir() {
            copy_package(&e.path(), &to)?;
        } else {
            std::fs::copy(e.path(), &to)?;
        }
    }
    Ok(())
}

/// Unpacks a provider package archive into the new directory `dest`, keeping its files'
/// modes; entries that would land outside `dest` are refused.
pub fn unpack(archive: &[u8], dest: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(archive)).map_err(|e| format!("not a zip archive: {e}"))?;
    std::fs::create_dir_all(dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| e.to_string())?;
        let rel =
            f.enclosed_name().ok_or_else(|| format!("the archive's entry {:?} leaves its directory", f.name()))?;
        let to = dest.join(rel);
        if f.is_dir() {
            std::fs::create_dir_all(&to).map_err(|e| format!("{}: {e}", to.display()))?;
            continue;
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        let mut out = std::fs::File::create(&to).map_err(|e| format!("{}: {e}", to.display()))?;
        std::io::copy(&mut f, &mut out).map_err(|e| format!("{}: {e}", to.display()))?;
        if let Some(mode) = f.unix_mode() {
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(mode & 0o777))
                .map_err(|e| format!("{}: {e}", to.display()))?;
        }
    }
    Ok(())
}

/// The plugin executable in a package directory (`terraform-provider-NAME*`).
pub fn executable_in(dir: &Path, name: &str) -> Option<PathBuf> {
    let prefix = format!("terraform-provider-{name}");
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&prefix)))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.into_iter().next()
}

/// Where a filesystem mirror keeps one version: unpacked, or packed as Terraform's
/// `terraform-provider-TYPE_VERSION_OS_ARCH.zip`.
#[derive(Clone, Debug)]
enum Local {
    Dir(PathBuf),
    Zip(PathBuf),
}

fn mirror_versions(mirror: &Path, addr: &Addr) -> Vec<(Version, Local)> {
    let base = mirror.join(&addr.host).join(&addr.namespace).join(&addr.name);
    let Ok(entries) = std::fs::read_dir(&base) else { return Vec::new() };
    let packed_prefix = format!("terraform-provider-{}_", addr.name);
    let packed_suffix = format!("_{}.zip", platform());
    let mut out: Vec<(Version, Local)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            if let Some(v) = name.strip_prefix(&packed_prefix).and_then(|r| r.strip_suffix(&packed_suffix)) {
                return Some((Version::parse(v)?, Local::Zip(e.path())));
            }
            let v = Version::parse(&name)?;
            let dir = e.path().join(platform());
            executable_in(&dir, &addr.name).map(|_| (v, Local::Dir(dir)))
        })
        .collect();
    // Newest first; an unpacked directory before an archive of the same version.
    out.sort_by(|a, b| b.0.cmp(&a.0).then(matches!(a.1, Local::Zip(_)).cmp(&matches!(b.1, Local::Zip(_)))));
    out
}

/// The versions one installation method offers for `addr`, or why it could not say.
async fn offered(m: &Method, net: &Net, addr: &Addr) -> Result<Vec<Version>, String> {
    Ok(match m {
        Method::FilesystemMirror { path, .. } => mirror_versions(path, addr).into_iter().map(|(v, _)| v).collect(),
        Method::NetworkMirror { url, .. } => {
            let base = Url::parse(url).map_err(|e| format!("invalid network mirror URL {url:?}: {e}"))?;
            registry::mirror_versions(net, &base, addr).await?
        }
        Method::Direct { .. } => {
            let (versions, warnings) = registry::registry_versions(net, addr).await?;
            for w in warnings {
                tracing::warn!("the registry says of {addr}: {w}");
            }
            versions
        }
    })
}

/// A package found: a mirror's directory to link, or an archive to check and unpack.
enum Found {
    Dir(PathBuf),
    /// How the archive was authenticated, the other platforms' `zh:` hashes its signed
    /// checksums vouch for, and (from a network mirror) the address and hashes it must match
    /// once unpacked.
    Archive {
        bytes: Vec<u8>,
        auth: Auth,
        signed: Vec<String>,
        mirror: Option<(Url, Vec<String>)>,
    },
}

/// Fetches `addr` `version` from the method `m` (which offered it) and authenticates it.
async fn fetch(m: &Method, net: &Net, addr: &Addr, version: &Version) -> Result<Found, String> {
    match m {
        Method::FilesystemMirror { path, .. } => {
            let local =
                mirror_versions(path, addr).into_iter().find(|(v, _)| v == version).map(|(_, l)| l).ok_or_else(
                    || format!("the filesystem mirror {} no longer has {addr} {version}", path.display()),
                )?;
            match local {
                Local::Dir(d) => Ok(Found::Dir(d)),
                // A local archive has nothing to be checked against: Terraform says so.
                Local::Zip(z) => {
                    let bytes = std::fs::read(&z).map_err(|e| format!("{}: {e}", z.display()))?;
                    Ok(Found::Archive { bytes, auth: Auth::Unauthenticated, signed: Vec::new(), mirror: None })
                }
            }
        }
        Method::NetworkMirror { url, .. } => {
            let base = Url::parse(url).map_err(|e| e.to_string())?;
            let p = registry::mirror_package(net, &base, addr, version).await?;
            let bytes = registry::download(net, &p.url).await?;
            let (auth, mirror) = match p.hashes.is_empty() {
                true => (Auth::Unauthenticated, None),
                false => (Auth::VerifiedChecksum, Some((p.url, p.hashes))),
            };
            Ok(Found::Archive { bytes, auth, signed: Vec::new(), mirror })
        }
        Method::Direct { .. } => {
            let p = registry::registry_package(net, addr, version).await?;
            let bytes = registry::download(net, &p.url).await?;
            let (auth, signed) = registry::authenticate(&bytes, &p)?;
            Ok(Found::Archive { bytes, auth, signed, mirror: None })
        }
    }
}

/// Unpacks an archive beside `into` (the same file system), for checking before it replaces
/// what is there: the staging directory, the unpacked package in it, and its `h1:` hash.
fn stage(archive: &[u8], into: &Path) -> Result<(tempfile::TempDir, PathBuf, String), String> {
    let parent = into.parent().ok_or_else(|| format!("{} has no parent directory", into.display()))?;
    std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    let tmp = tempfile::tempdir_in(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    let dir = tmp.path().join("package");
    unpack(archive, &dir)?;
    let h1 = hash_v1(&dir).map_err(|e| format!("hashing {}: {e}", dir.display()))?;
    Ok((tmp, dir, h1))
}

fn lock_mismatch(addr: &Addr, version: &str) -> String {
    format!(
        "the local package for {addr} {version} doesn't match any of the checksums previously recorded in the dependency lock file ({LOCK_FILE}); for more information: https://developer.hashicorp.com/terraform/language/files/dependency-lock#checksum-verification"
    )
}

/// Installs what `req` needs into `data_dir` (`.terraform`), updating `locks`, as Terraform's
/// installer does: the versions every selected method offers, the newest that meets the
/// constraints (or the lock file's, unless `upgrade`), taken from the first method that has
/// it, checked against the lock file's hashes; a package already installed or in the plugin
/// cache that matches the lock file is used as it is.
pub async fn install(
    data_dir: &Path,
    req: &Requirement,
    cfg: &CliConfig,
    net: &Net,
    locks: &mut BTreeMap<Addr, Locked>,
    upgrade: bool,
) -> Result<Installed, String> {
    let terms = req.terms()?;
    let constraints = Some(constraints_string(&terms)).filter(|c| !c.is_empty());
    let addr = &req.addr;
    if let Some(path) = cfg.dev_overrides.get(addr) {
        let executable = executable_in(path, &addr.name)
            .ok_or_else(|| format!("the dev_overrides directory {} has no plugin for {addr}", path.display()))?;
        return Ok(Installed {
            addr: addr.clone(),
            version: String::new(),
            dir: path.clone(),
            executable,
            how: How::DevOverride,
        });
    }
    let locked = locks.get(addr).cloned().filter(|_| !upgrade);
    let wanted = |v: &Version| match &locked {
        Some(l) => l.version == v.to_string(),
        None => meets(v, &terms),
    };
    let done = |version: &str, dir: PathBuf, how: How| -> Result<Installed, String> {
        let executable = executable_in(&dir, &addr.name).ok_or_else(|| format!("no plugin in {}", dir.display()))?;
        Ok(Installed { addr: addr.clone(), version: version.to_string(), dir, executable, how })
    };
    // Already installed, or in the cache, as the lock file records it: nothing to fetch.
    if let Some(l) = locked.as_ref().filter(|l| !l.hashes.is_empty()) {
        let dest = package_dir(data_dir, addr, &l.version);
        if hash_v1(&dest).is_ok_and(|h| l.hashes.contains(&h)) {
            return done(&l.version, dest, How::AlreadyInstalled);
        }
        if let Some(cache) = &cfg.plugin_cache_dir {
            let cached = package_dir_in(cache, addr, &l.version);
            if hash_v1(&cached).is_ok_and(|h| l.hashes.contains(&h)) {
                link(&cached, &dest).map_err(|e| format!("installing {addr} into {}: {e}", dest.display()))?;
                return done(&l.version, dest, How::FromCache);
            }
        }
    }
    let methods: Vec<&Method> = cfg.methods.iter().filter(|m| m.selects(addr)).collect();
    let mut offers = Vec::new();
    for m in &methods {
        offers.push(offered(m, net, addr).await?);
    }
    let best = offers.iter().flatten().filter(|v| wanted(v)).max().cloned();
    let Some(version) = best else {
        let want = match &locked {
            Some(l) => format!("the version the lock file selected, {}", l.version),
            None => match &constraints {
                Some(c) => format!("a version matching \"{c}\""),
                None => "any version".to_string(),
            },
        };
        let tried = methods.iter().map(|m| m.describe(addr)).collect::<Vec<_>>();
        return Err(format!(
            "Could not find {want} of provider {addr} for {}; looked in {}.",
            platform(),
            if tried.is_empty() { "no installation method includes it".to_string() } else { tried.join(", ") }
        ));
    };
    let from = methods.iter().zip(&offers).find(|(_, vs)| vs.contains(&version)).map(|(m, _)| *m).expect("offered");
    let found = fetch(from, net, addr, &version).await?;
    let version = version.to_string();
    let same = locks.get(addr).filter(|l| l.version == version && !l.hashes.is_empty()).cloned();
    let dest = package_dir(data_dir, addr, &version);
    // With a plugin cache, the package goes there and the data directory links to it.
    let into = match &cfg.plugin_cache_dir {
        Some(cache) => package_dir_in(cache, addr, &version),
        None => dest.clone(),
    };
    let (auth, signed, hash) = match found {
        Found::Dir(src) => {
            let hash = hash_v1(&src).map_err(|e| format!("hashing {}: {e}", src.display()))?;
            if same.as_ref().is_some_and(|l| !l.hashes.contains(&hash)) {
                return Err(lock_mismatch(addr, &version));
            }
            if into != dest && hash_v1(&into).ok().as_deref() != Some(hash.as_str()) {
                copy_package(&src, &into).map_err(|e| format!("caching {addr} in {}: {e}", into.display()))?;
            }
            let src = if into != dest { into.clone() } else { src };
            link(&src, &dest).map_err(|e| format!("installing {addr} into {}: {e}", dest.display()))?;
            (Auth::Unauthenticated, Vec::new(), hash)
        }
        Found::Archive { bytes, auth, signed, mirror } => {
            // Unpacked and hashed once: an archive matches a list of hashes by its `zh:` or by
            // the `h1:` of its files.
            let (_staging, staged, h1) = stage(&bytes, &into)?;
            let zh = registry::zip_hash(&bytes);
            let is_this = |h: &String| *h == zh || *h == h1;
            if let Some((url, hashes)) = &mirror
                && !hashes.iter().any(is_this)
            {
                return Err(format!("the package downloaded from {url} doesn't match any of the mirror's checksums"));
            }
            if same.as_ref().is_some_and(|l| !l.hashes.iter().any(is_this)) {
                return Err(lock_mismatch(addr, &version));
            }
            replace_dir(&staged, &into).map_err(|e| format!("installing {addr} into {}: {e}", into.display()))?;
            if into != dest {
                link(&into, &dest).map_err(|e| format!("installing {addr} into {}: {e}", dest.display()))?;
            }
            (auth, signed, h1)
        }
    };
    let mut hashes = same.map(|l| l.hashes).unwrap_or_default();
    hashes.insert(hash);
    // Only a signed checksum document vouches for the other platforms' archives.
    if matches!(auth, Auth::Official { .. } | Auth::Partner { .. } | Auth::Community { .. }) {
        hashes.extend(signed);
    }
    locks.insert(addr.clone(), Locked { version: version.clone(), constraints, hashes });
    done(&version, dest, How::Installed(auth))
}

/// Puts the directory `staged` at `dest` (on the same file system), replacing what was there.
fn replace_dir(staged: &Path, dest: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(dest) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(dest)?,
        Ok(_) => std::fs::remove_file(dest)?,
        Err(_) => {}
    }
    std::fs::rename(staged, dest)
}

/// Makes `dest` a link to the unpacked package `src`, as Terraform links a filesystem
/// mirror's package into the data directory.
fn link(src: &Path, dest: &Path) -> std::io::Result<()> {
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent)?;
    }
    match std::fs::symlink_metadata(dest) {
        Ok(m) if m.file_type().is_symlink() || m.is_file() => std::fs::remove_file(dest)?,
        Ok(_) => std::fs::remove_dir_all(dest)?,
        Err(_) => {}
    }
    let src = src.canonicalize()?;
    std::os::unix::fs::symlink(src, dest)
}

/// The installed plugin for `addr`, as the lock file selects it (`None`: not installed).
pub fn installed(data_dir: &Path, addr: &Addr, locks: &BTreeMap<Addr, Locked>, cfg: &CliConfig) -> Option<PathBuf> {
    if let Some(path) = cfg.dev_overrides.get(addr) {
        return executable_in(path, &addr.name);
    }
    let l = locks.get(addr)?;
    executable_in(&package_dir(data_dir, addr, &l.version), &addr.name)
}

#[cfg(test)]
mod tests;
