//! Module calls and the blocks that move objects between addresses (`moved`, `import`,
//! `removed`), `check` blocks, and loading a configuration with all its child modules into
//! one tree that shares one [`SourceMap`].

use super::blocks::{
    FileCtx, constant_bool, constant_string, count_and_for_each, decode_checks, depends_on_list, provider_reference,
    split_body,
};
use super::*;
use crate::addr::{Target, parse_target};
use crate::hcl::ast::{Attribute, Body as AstBody, ExprKind};
use std::collections::BTreeMap;

/// A `module "name" { source = ... }` block.
#[derive(Debug)]
pub struct ModuleCall {
    pub name: String,
    pub source: String,
    pub source_range: SourceRange,
    pub version: Option<String>,
    /// Where the `version` argument's value is.
    pub version_range: Option<SourceRange>,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub depends_on: Vec<Expr>,
    /// `providers = { aws = aws.eu }`: the child's provider key → the caller's.
    pub providers: Vec<(String, String, SourceRange)>,
    /// Input variable values, by variable name.
    pub args: IndexMap<String, Expr>,
    /// Where each argument's name is.
    pub arg_names: IndexMap<String, SourceRange>,
    pub range: SourceRange,
    /// Where the block's body starts (its `{`): where HCL reports a missing argument.
    pub body_start: SourceRange,
}

/// A `moved { from = ..., to = ... }` block.
#[derive(Debug, Clone)]
pub struct Moved {
    pub from: Target,
    pub to: Target,
    pub range: SourceRange,
}

/// An `import { to = ..., id = ... }` block.
#[derive(Debug)]
pub struct Import {
    pub to: Target,
    pub to_range: SourceRange,
    pub id: Expr,
    pub provider: Option<String>,
    /// `for_each`: one import per element, `to` naming the resource and `key` (evaluated
    /// with `each`) the instance.
    pub for_each: Option<Expr>,
    pub key: Option<Expr>,
    pub range: SourceRange,
}

/// A `removed { from = ...; lifecycle { destroy = false } }` block.
#[derive(Debug, Clone)]
pub struct Removed {
    pub from: Target,
    pub destroy: bool,
    pub range: SourceRange,
}

/// A `check "name" { assert { ... } }` block: failed assertions are warnings.
#[derive(Debug)]
pub struct Check {
    pub name: String,
    pub asserts: Vec<CheckRule>,
    pub range: SourceRange,
}

pub(super) fn decode_module_call(
    config: &mut Config,
    f: &FileCtx,
    labels: Vec<String>,
    body: AstBody,
    header: SourceRange,
    body_start: SourceRange,
    diags: &mut Diagnostics,
) {
    let name = labels.into_iter().next().unwrap_or_default();
    let mut call = ModuleCall {
        name: name.clone(),
        source: String::new(),
        source_range: header.clone(),
        version: None,
        version_range: None,
        count: None,
        for_each: None,
        depends_on: Vec::new(),
        providers: Vec::new(),
        args: IndexMap::default(),
        arg_names: IndexMap::default(),
        range: header.clone(),
        body_start,
    };
    let mut has_source = false;
    let mut for_each_name = None;
    for a in body.attributes {
        match a.name.as_str() {
            "source" => {
                call.source_range = f.range(&a.expr.span);
                if let Some(src) = constant_string(f, &a, diags) {
                    call.source = src;
                    has_source = true;
                }
            }
            "version" => {
                call.version_range = Some(f.range(&a.expr.span));
                call.version = constant_string(f, &a, diags);
            }
            "count" => call.count = Some(f.expr(a)),
            "for_each" => {
                for_each_name = Some(f.range(&a.name_span));
                call.for_each = Some(f.expr(a));
            }
            "depends_on" => call.depends_on = depends_on_list(f, a, diags),
            "providers" => {
                let range = f.range(&a.expr.span);
                let ExprKind::Object(items) = &a.expr.kind else {
                    diags.push(
                        Diagnostic::error(
                            "Invalid providers argument",
                            "providers takes a map from the module's provider names to provider configurations, like { aws = aws.eu }.",
                        )
                        .at(range),
                    );
                    continue;
                };
                for item in items {
                    let key = if item.force_non_literal { None } else { provider_reference(&item.key) };
                    let value = provider_reference(&item.value);
                    let r = f.range(&item.value.span);
                    match (key, value) {
                        (Some(k), Some(v)) => call.providers.push((k, v, r)),
                        _ => diags.push(
                            Diagnostic::error(
                                "Invalid providers argument",
                                "Each entry maps a provider name (or name.alias) in the module to a provider configuration of the caller, like aws = aws.eu.",
                            )
                            .at(r),
                        ),
                    }
                }
            }
            _ => {
                call.arg_names.insert(a.name.clone(), f.range(&a.name_span));
                call.args.insert(a.name.clone(), f.expr(a));
            }
        }
    }
    for b in &body.blocks {
        diags.push(
            Diagnostic::error(
                "Unsupported block type",
                format!("Blocks of type \"{}\" are not expected in a module block; modules take arguments only.", b.ty),
            )
            .at(f.header(b)),
        );
    }
    if !has_source {
        diags.push(
            Diagnostic::error("Missing required argument", "The argument \"source\" is required in a module block.")
                .at(header.clone()),
        );
        return;
    }
    for d in check_registry_call(&call) {
        diags.push(d);
    }
    if call.count.is_some() && call.for_each.is_some() {
        diags.push(count_and_for_each(for_each_name.clone().unwrap_or_else(|| header.clone())));
    }
    if let Some(prev) = config.module_calls.get(&name) {
        diags.push(
            Diagnostic::error(
                "Duplicate module call",
                format!(
                    "A module call named \"{name}\" was already defined at {}. Module calls must have unique names within a module.",
                    config.sources.range_string(&prev.range)
                ),
            )
            .at(header),
        );
        return;
    }
    config.module_calls.insert(name, call);
}

/// What Terraform checks of a module call with a `version` argument: the constraint's syntax,
/// and that the source is a registry address (the argument says it is meant as one).
pub fn check_registry_call(call: &ModuleCall) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(version) = &call.version else { return out };
    if let Err(e) = RegistrySource::parse(&call.source) {
        out.push(
            Diagnostic::error(
                "Invalid registry module source address",
                format!(
                    "Failed to parse module registry address: {e}.\n\nterrane assumed that you intended a module registry source address because you also set the argument \"version\", which applies only to registry modules."
                ),
            )
            .at(call.source_range.clone()),
        );
    }
    if ModuleConstraints::parse(version).is_err() {
        out.push(
            Diagnostic::error(
                "Invalid version constraint",
                "This string does not use correct version constraint syntax.",
            )
            .at(call.version_range.clone().unwrap_or_else(|| call.range.clone())),
        );
    }
    out
}

/// An address argument (`from`, `to`) as written in the source.
fn address_arg(f: &FileCtx, a: &Attribute, diags: &mut Diagnostics) -> Option<Target> {
    let range = f.range(&a.expr.span);
    let text = f.source.text.get(range.span.clone()).unwrap_or("").trim().to_string();
    match parse_target(&text) {
        Ok(t) => Some(t),
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    "Invalid address",
                    format!(
                        "{}: {}. An address looks like aws_instance.web, aws_instance.web[0] or module.app[\"web\"].",
                        text, e.reason
                    ),
                )
                .at(range),
            );
            None
        }
    }
}

pub(super) fn decode_moved(
    config: &mut Config,
    f: &FileCtx,
    body: AstBody,
    header: SourceRange,
    diags: &mut Diagnostics,
) {
    let parts = split_body(f, body, &["from", "to"], &[], "moved block", diags);
    let from = parts.attrs.get("from").and_then(|a| address_arg(f, a, diags));
    let to = parts.attrs.get("to").and_then(|a| address_arg(f, a, diags));
    match (from, to) {
        (Some(from), Some(to)) => {
            let compatible = matches!(
                (&from, &to),
                (Target::Module(_), Target::Module(_))
                    | (Target::Resource(_) | Target::Instance(_), Target::Resource(_) | Target::Instance(_))
            );
            if !compatible {
                diags.push(
                    Diagnostic::error(
                        "Invalid \"moved\" addresses",
                        "The \"from\" and \"to\" addresses must either both refer to resources or both refer to modules.",
                    )
                    .at(header),
                );
                return;
            }
            config.moved.push(Moved { from, to, range: header });
        }
        _ if parts.attrs.contains_key("from") && parts.attrs.contains_key("to") => {}
        _ => diags.push(
            Diagnostic::error("Missing required argument", "A moved block takes the arguments \"from\" and \"to\".")
                .at(header),
        ),
    }
}

pub(super) fn decode_import(
    config: &mut Config,
    f: &FileCtx,
    body: AstBody,
    header: SourceRange,
    diags: &mut Diagnostics,
) {
    let mut parts = split_body(f, body, &["to", "id", "provider", "for_each", "identity"], &[], "import block", diags);
    if let Some(a) = parts.attrs.get("identity") {
        diags.push(
            Diagnostic::error(
                "import identity is not supported",
                "terrane imports one object per import block, by id.",
            )
            .at(f.range(&a.name_span)),
        );
    }
    let for_each = parts.attrs.shift_remove("for_each").map(|a| f.expr(a));
    if for_each.is_some()
        && let Some(a) = parts.attrs.get("to")
        && let ExprKind::Index { collection, key, .. } = &a.expr.kind
    {
        // `to = aws_instance.web[each.key]`: the key is known once `each` is.
        let to_range = f.range(&a.expr.span);
        let text = f.source.text.get(f.range(&collection.span).span).unwrap_or("").trim().to_string();
        match parse_target(&text) {
            Ok(Target::Resource(r)) => {
                let key = f.expr_of(key);
                let provider = parts.attrs.get("provider").and_then(|a| provider_reference(&a.expr));
                match parts.attrs.shift_remove("id").map(|a| f.expr(a)) {
                    Some(id) => config.imports.push(Import {
                        to: Target::Resource(r),
                        to_range,
                        id,
                        provider,
                        for_each,
                        key: Some(key),
                        range: header,
                    }),
                    None => diags.push(
                        Diagnostic::error(
                            "Missing required argument",
                            "An import block takes the arguments \"to\" and \"id\".",
                        )
                        .at(header),
                    ),
                }
                return;
            }
            _ => {
                diags.push(
                    Diagnostic::error(
                        "Invalid address",
                        format!("{text}: an import with for_each imports into instances of one resource, like aws_instance.web[each.key]."),
                    )
                    .at(to_range),
                );
                return;
            }
        }
    }
    let to_range = parts.attrs.get("to").map(|a| f.range(&a.expr.span));
    let to = parts.attrs.get("to").and_then(|a| address_arg(f, a, diags));
    let provider = parts.attrs.get("provider").and_then(|a| provider_reference(&a.expr));
    let id = parts.attrs.shift_remove("id").map(|a| f.expr(a));
    match (to, id, to_range) {
        (Some(to @ (Target::Resource(_) | Target::Instance(_))), Some(id), Some(to_range)) => {
            config.imports.push(Import { to, to_range, id, provider, for_each, key: None, range: header })
        }
        (Some(Target::Module(_)), _, Some(r)) => diags.push(
            Diagnostic::error("Invalid import address", "An import block imports into a resource, not a module.").at(r),
        ),
        (_, None, _) => diags.push(
            Diagnostic::error("Missing required argument", "An import block takes the arguments \"to\" and \"id\".")
                .at(header),
        ),
        _ => {}
    }
}

pub(super) fn decode_removed(
    config: &mut Config,
    f: &FileCtx,
    body: AstBody,
    header: SourceRange,
    diags: &mut Diagnostics,
) {
    let parts = split_body(f, body, &["from"], &["lifecycle", "provisioner", "connection"], "removed block", diags);
    let from = parts.attrs.get("from").and_then(|a| address_arg(f, a, diags));
    // Terraform blames the first instance key: of a module step, or of the resource.
    let key_range = |a: &Attribute, last: bool| {
        let range = f.range(&a.expr.span);
        let text = f.source.text.get(range.span.clone()).unwrap_or("");
        let mut quoted = false;
        let mut opens = Vec::new();
        let mut prev = '\0';
        for (i, ch) in text.char_indices() {
            match ch {
                '"' if prev != '\\' => quoted = !quoted,
                '[' if !quoted => opens.push(i),
                _ => {}
            }
            prev = ch;
        }
        let start = if last { opens.last() } else { opens.first() }.copied().unwrap_or(0);
        let end = text[start..].find(']').map(|e| start + e + 1).unwrap_or(text.len());
        crate::diag::SourceRange::new(range.file, range.span.start + start..range.span.start + end)
    };
    let mut destroy = true;
    for b in parts.blocks {
        if b.ty != "lifecycle" {
            diags.push(
                Diagnostic::error("Provisioners are not supported", "terrane does not run provisioners.")
                    .at(f.header(&b)),
            );
            continue;
        }
        let lc = split_body(f, b.body, &["destroy"], &[], "removed block's lifecycle", diags);
        if let Some(a) = lc.attrs.get("destroy") {
            destroy = constant_bool(f, a, diags);
        }
    }
    match from {
        Some(Target::Instance(_)) => diags.push(
            Diagnostic::error(
                "Resource instance keys not allowed",
                "Resource address must be a resource (e.g. \"test_instance.foo\"), not a resource instance (e.g. \"test_instance.foo[1]\").",
            )
            .at(key_range(&parts.attrs["from"], true)),
        ),
        Some(Target::Resource(r)) if r.module.iter().any(|s| !s.key.is_none()) => diags.push(
            Diagnostic::error(
                "Module instance keys not allowed",
                "Module address must be a module (e.g. \"module.foo\"), not a module instance (e.g. \"module.foo[1]\").",
            )
            .at(key_range(&parts.attrs["from"], false)),
        ),
        Some(Target::Module(m)) if m.iter().any(|s| !s.key.is_none()) => diags.push(
            Diagnostic::error(
                "Module instance keys not allowed",
                "Module address must be a module (e.g. \"module.foo\"), not a module instance (e.g. \"module.foo[1]\").",
            )
            .at(key_range(&parts.attrs["from"], false)),
        ),
        Some(from) => config.removed.push(Removed { from, destroy, range: header }),
        None if !parts.attrs.contains_key("from") => diags.push(
            Diagnostic::error("Missing required argument", "A removed block takes the argument \"from\".").at(header),
        ),
        None => {}
    }
}

pub(super) fn decode_check(
    config: &mut Config,
    f: &FileCtx,
    labels: Vec<String>,
    body: AstBody,
    header: SourceRange,
    diags: &mut Diagnostics,
) {
    let name = labels.into_iter().next().unwrap_or_default();
    let mut parts = split_body(f, body, &[], &["assert", "data"], "check block", diags);
    let mut asserts_blocks = Vec::new();
    for b in std::mem::take(&mut parts.blocks) {
        if b.ty == "data" {
            diags.push(
                Diagnostic::error(
                    "Scoped data sources are not supported",
                    "terrane does not read data blocks inside check blocks; declare the data source at the top level.",
                )
                .at(f.header(&b)),
            );
        } else {
            asserts_blocks.push(b);
        }
    }
    let asserts = decode_checks(f, &mut asserts_blocks, "assert", diags);
    if asserts.is_empty() {
        diags.push(
            Diagnostic::error("Missing assert block", "A check block needs at least one assert block.").at(header),
        );
        return;
    }
    config.checks.push(Check { name, asserts, range: header });
}

/// Where a configuration's files come from: the file system, or the files a saved plan
/// carries.
pub trait ConfigFs {
    /// The `.tf` files directly in `dir`: (file name, bytes), any order. An error when the
    /// directory does not exist.
    fn read_dir(&self, dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>>;
}

/// The real file system.
pub struct DiskFs;

impl ConfigFs for DiskFs {
    fn read_dir(&self, dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(if dir.as_os_str().is_empty() { Path::new(".") } else { dir })? {
            let entry = entry?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().to_string();
            if !path.is_file() || name.starts_with('.') || !(name.ends_with(".tf") || name.ends_with(".tf.json")) {
                continue;
            }
            out.push((name, std::fs::read(&path)?));
        }
        Ok(out)
    }
}

/// Files in memory, by path (a saved plan's configuration, tests).
pub struct MemFs(pub BTreeMap<PathBuf, String>);

impl ConfigFs for MemFs {
    fn read_dir(&self, dir: &Path) -> std::io::Result<Vec<(String, Vec<u8>)>> {
        let dir = normalize(dir);
        let out: Vec<(String, Vec<u8>)> = self
            .0
            .iter()
            .filter(|(p, _)| normalize(p.parent().unwrap_or(Path::new(""))) == dir)
            .map(|(p, t)| (p.file_name().unwrap_or_default().to_string_lossy().to_string(), t.clone().into_bytes()))
            .collect();
        if out.is_empty() {
            return Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no configuration files"));
        }
        Ok(out)
    }
}

/// A path without `.` components and with `a/..` pairs folded (lexically).
pub fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out.iter().collect()
}

/// Whether a module source is a path on the local file system.
pub fn is_local_source(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../") || Path::new(source).is_absolute()
}

/// Whether a module source is fetched by `terrane init` into `.terraform/modules` (registry
/// modules, git repositories and tarballs) rather than used in place.
pub fn is_fetched_source(source: &str) -> bool {
    let s = source.strip_prefix("file::").unwrap_or(source);
    source.starts_with("git::")
        || source.starts_with("github.com/")
        || s.ends_with(".tar.gz")
        || s.ends_with(".tgz")
        || is_registry_source(source)
}

/// Whether a module source is a module registry address (`hashicorp/consul/aws`).
pub fn is_registry_source(source: &str) -> bool {
    !is_local_source(source) && RegistrySource::parse(source).is_ok()
}

/// The source as Terraform records it in `modules.json`: a registry address with its host,
/// a GitHub shorthand as the git URL it stands for; others as written.
pub fn recorded_source(source: &str) -> String {
    if !is_local_source(source)
        && let Ok(r) = RegistrySource::parse(source)
    {
        return r.to_string();
    }
    if let Some(rest) = source.strip_prefix("github.com/") {
        let (package, subdir) = split_subdir(rest);
        let (repo, query) = match package.split_once('?') {
            Some((r, q)) => (r.to_string(), format!("?{q}")),
            None => (package.clone(), String::new()),
        };
        let repo = repo.trim_end_matches(".git");
        let sub = subdir.map(|s| format!("//{s}")).unwrap_or_default();
        return format!("git::https://github.com/{repo}.git{sub}{query}");
    }
    source.to_string()
}

/// The directory inside a fetched repository that holds the module: the part after `//` in
/// `git::https://host/repo.git//modules/app?ref=v1`.
pub fn fetched_subdir(source: &str) -> Option<String> {
    let s = source.strip_prefix("git::").unwrap_or(source);
    split_subdir(s).1.map(|d| clean_path(&d)).filter(|d| !d.is_empty() && d != ".")
}

/// Terraform's data directory for a configuration in `root`: `TF_DATA_DIR` (relative to the
/// working directory, as Terraform reads it) or `.terraform`.
pub fn data_dir(root: &Path) -> PathBuf {
    match std::env::var_os("TF_DATA_DIR").filter(|d| !d.is_empty()) {
        Some(d) => PathBuf::from(d),
        None => normalize(&root.join(".terraform")),
    }
}

/// `<data dir>/modules/modules.json`, where Terraform and terrane record installed modules.
pub fn module_manifest_path(root: &Path) -> PathBuf {
    data_dir(root).join("modules").join("modules.json")
}

/// One record of `modules.json`, as Terraform writes it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModuleRecord {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Source")]
    pub source: String,
    #[serde(rename = "Version", default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(rename = "Dir")]
    pub dir: String,
}

#[derive(serde::Serialize, serde::Deserialize, Default)]
struct ManifestFile {
    #[serde(rename = "Modules", default)]
    modules: Vec<ModuleRecord>,
}

/// The installed modules recorded in `modules.json`, by key; empty when there is none.
pub fn read_module_manifest(root: &Path) -> Result<BTreeMap<String, ModuleRecord>, String> {
    let path = module_manifest_path(root);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    if bytes.is_empty() {
        return Ok(BTreeMap::new());
    }
    let file: ManifestFile =
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: error unmarshalling snapshot: {e}", path.display()))?;
    Ok(file.modules.into_iter().map(|r| (r.key.clone(), r)).collect())
}

/// Writes `modules.json` as Terraform does: compact, sorted by key.
pub fn write_module_manifest(root: &Path, records: &BTreeMap<String, ModuleRecord>) -> std::io::Result<()> {
    let path = module_manifest_path(root);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let file = ManifestFile { modules: records.values().cloned().collect() };
    std::fs::write(path, serde_json::to_vec(&file).map_err(std::io::Error::other)?)
}

/// Where a module fetched for the call at `call_path` is installed: `<data dir>/modules/<key>`,
/// the key being the call path (`app.db`).
pub fn installed_module_dir(root: &Path, call_path: &[String]) -> PathBuf {
    normalize(&data_dir(root).join("modules").join(call_path.join(".")))
}

/// Where terrane before 0.x installed fetched modules: `.terrane/modules/<key>`.
fn legacy_module_dir(root: &Path, call_path: &[String]) -> PathBuf {
    normalize(&root.join(".terrane").join("modules").join(call_path.join(".")))
}

/// The directory of a fetched module, from the manifest (or an old `.terrane/modules`
/// install); Terraform's error, at the place it blames, when it is not installed as configured.
fn fetched_module_dir(
    root: &Path,
    manifest: &BTreeMap<String, ModuleRecord>,
    call: &ModuleCall,
    path: &[String],
) -> Result<PathBuf, Diagnostic> {
    let key = path.join(".");
    let init = "Run \"terrane init\" to install all modules required by this configuration.";
    if let Some(record) = manifest.get(&key) {
        if record.source != recorded_source(&call.source) && record.source != call.source {
            return Err(Diagnostic::error(
                "Module source has changed",
                format!("The source address was changed since this module was installed. {init}"),
            )
            .at(call.source_range.clone()));
        }
        if let (Some(v), Some(c)) = (&record.version, &call.version)
            && let (Some(v), Ok(c)) = (ModuleVersion::parse(v), ModuleConstraints::parse(c))
            && !c.check(&v)
        {
            return Err(Diagnostic::error(
                "Module version requirements have changed",
                format!(
                    "The version requirements have changed since this module was installed and the installed version ({v}) is no longer acceptable. {init}"
                ),
            )
            .at(call.source_range.clone()));
        }
        return Ok(normalize(&root.join(&record.dir)));
    }
    let legacy = legacy_module_dir(root, path);
    if !is_registry_source(&call.source) && legacy.is_dir() {
        return Ok(match fetched_subdir(&call.source) {
            Some(sub) => normalize(&legacy.join(sub)),
            None => legacy,
        });
    }
    Err(Diagnostic::error("Module not installed", format!("This module is not yet installed. {init}"))
        .at(call.range.clone()))
}

const MAX_MODULE_DEPTH: usize = 16;

/// Loads the root module in `dir` and every module it calls, recursively.
pub fn load_tree(fs: &dyn ConfigFs, dir: &Path) -> (Config, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut sources = SourceMap::default();
    let Some(mut root) = load_module(fs, dir, Vec::new(), &mut sources, &mut diags) else {
        let mut c = Config { sources, ..Config::default() };
        c.dir = dir.to_path_buf();
        return (c, diags);
    };
    let manifest = match read_module_manifest(dir) {
        Ok(m) => m,
        Err(e) => {
            diags.push(Diagnostic::error("Failed to read module manifest", e));
            BTreeMap::new()
        }
    };
    let mut ctx = LoadCtx { fs, root_dir: dir, manifest: &manifest };
    load_children(&mut ctx, &mut root, &mut sources, &mut diags, &mut vec![normalize(dir)]);
    root.sources = sources;
    (root, diags)
}

fn load_module(
    fs: &dyn ConfigFs,
    dir: &Path,
    path: Vec<String>,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<Config> {
    let files = match fs.read_dir(dir) {
        Ok(f) => f,
        Err(e) => {
            diags.push(Diagnostic::error(
                "Failed to read the configuration directory",
                format!("{}: {e}", if dir.as_os_str().is_empty() { ".".into() } else { dir.display().to_string() }),
            ));
            return None;
        }
    };
    let mut named: Vec<(String, Vec<u8>)> = Vec::new();
    let mut files = files;
    files.sort();
    for (name, text) in files {
        if name.ends_with(".tf.json") {
            diags.push(Diagnostic::warning(
                "JSON configuration syntax is not supported",
                format!("terrane reads the native HCL syntax only; {name} was skipped."),
            ));
            continue;
        }
        let shown = normalize(&dir.join(&name));
        named.push((shown.display().to_string(), text));
    }
    let mut config = Config { sources: std::mem::take(sources), ..Config::default() };
    for (name, text) in named {
        load_file(&mut config, name, text, diags);
    }
    *sources = std::mem::take(&mut config.sources);
    config.dir = dir.to_path_buf();
    config.path = path;
    Some(config)
}

/// What loading child modules needs besides the tree.
struct LoadCtx<'a> {
    fs: &'a dyn ConfigFs,
    root_dir: &'a Path,
    manifest: &'a BTreeMap<String, ModuleRecord>,
}

fn load_children(
    ctx: &mut LoadCtx,
    parent: &mut Config,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
    ancestors: &mut Vec<PathBuf>,
) {
    let calls: Vec<(String, String, SourceRange)> =
        parent.module_calls.values().map(|c| (c.name.clone(), c.source.clone(), c.source_range.clone())).collect();
    for (name, source, range) in calls {
        let mut path = parent.path.clone();
        path.push(name.clone());
        let from = if parent.path.is_empty() { "the root module".to_string() } else { module_display(&parent.path) };
        if path.len() > MAX_MODULE_DEPTH {
            diags.push(
                Diagnostic::error(
                    "Module nesting too deep",
                    format!(
                        "Modules are nested more than {MAX_MODULE_DEPTH} levels deep; a module probably calls itself."
                    ),
                )
                .at(range),
            );
            continue;
        }
        let dir = if is_fetched_source(&source) {
            match fetched_module_dir(ctx.root_dir, ctx.manifest, &parent.module_calls[&name], &path) {
                Ok(d) => d,
                Err(d) => {
                    diags.push(d);
                    continue;
                }
            }
        } else if is_local_source(&source) {
            normalize(&parent.dir.join(&source))
        } else {
            diags.push(
                Diagnostic::error(
                    "Unsupported module source",
                    format!(
                        "module \"{name}\" (called from {from}) has source \"{source}\". terrane loads modules from local paths (starting with ./ or ../), module registries (namespace/name/provider, host/namespace/name/provider), git repositories (git::https://...?ref=v1.2.0) and tarballs (.tar.gz)."
                    ),
                )
                .at(range),
            );
            continue;
        };
        if ancestors.contains(&dir) {
            diags.push(
                Diagnostic::error(
                    "Module calls itself",
                    format!("module \"{name}\" (called from {from}) loads {}, which is already being loaded by one of its callers.", dir.display()),
                )
                .at(range),
            );
            continue;
        }
        let mut child_diags = Diagnostics::new();
        let child = load_module(ctx.fs, &dir, path.clone(), sources, &mut child_diags);
        let Some(mut child) = child else {
            let detail = if !is_fetched_source(&source) {
                format!(
                    "module \"{name}\" (called from {from}) has source \"{source}\", but {} cannot be read as a module directory.",
                    dir.display()
                )
            } else {
                format!(
                    "module \"{name}\" (called from {from}) comes from \"{source}\", which is not installed. Run terrane init to download it."
                )
            };
            let summary = if !is_fetched_source(&source) { "Module not found" } else { "Module not installed" };
            diags.push(Diagnostic::error(summary, detail).at(range));
            continue;
        };
        // Errors inside a module say which call brought it in.
        for d in child_diags.0 {
            diags.push(if d.is_error() && d.range.is_some() {
                d.with_related(range.clone(), format!("in module \"{}\", called here", module_display(&path)))
            } else {
                d
            });
        }
        ancestors.push(dir.clone());
        load_children(ctx, &mut child, sources, diags, ancestors);
        ancestors.pop();
        parent.children.insert(name, child);
    }
}

/// `module.a.module.b`.
pub fn module_display(path: &[String]) -> String {
    path.iter().map(|p| format!("module.{p}")).collect::<Vec<_>>().join(".")
}

/// Maps every resource's provider key, in every module, to the root module's provider
/// configuration it uses, following `providers = {...}` on module calls; a module that gets no
/// explicit mapping for a provider uses its caller's configuration of the same key.
pub fn resolve_providers(root: &mut Config) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let map = BTreeMap::new();
    resolve_in(root, &map, &mut diags);
    diags
}

fn resolve_in(config: &mut Config, map: &BTreeMap<String, String>, diags: &mut Diagnostics) {
    let is_root = config.path.is_empty();
    if !is_root {
        for p in config.providers.values() {
            diags.push(
                Diagnostic::error(
                    "Provider configuration in a module",
                    format!(
                        "{} configures provider \"{}\". terrane takes provider configurations from the root module only: move this block to the root module and pass it with providers = {{ {} = ... }} on the module call.",
                        module_display(&config.path),
                        p.key(),
                        p.key()
                    ),
                )
                .at(p.range.clone()),
            );
        }
        let lookup = |k: &str| map.get(k).cloned().unwrap_or_else(|| k.to_string());
        for r in config.resources.values_mut() {
            r.provider = lookup(&r.provider);
        }
        for i in &mut config.imports {
            if let Some(p) = &mut i.provider {
                *p = lookup(p);
            }
        }
    }
    let names: Vec<String> = config.children.keys().cloned().collect();
    for name in names {
        let call = &config.module_calls[&name];
        let mut child_map: BTreeMap<String, String> = BTreeMap::new();
        let explicit = !call.providers.is_empty();
        for (child_key, parent_key, _) in &call.providers {
            let target =
                if is_root { parent_key.clone() } else { map.get(parent_key).cloned().unwrap_or(parent_key.clone()) };
            child_map.insert(child_key.clone(), target);
        }
        if !explicit {
            // Implicit inheritance: every configuration the caller can see keeps its key.
            for (k, v) in map {
                child_map.insert(k.clone(), v.clone());
            }
        }
        let child = config.children.get_mut(&name).expect("child");
        resolve_in(child, &child_map, diags);
    }
}

impl Config {
    /// The module at a static path (names of module calls), `self` for the empty path.
    pub fn module(&self, path: &[String]) -> Option<&Config> {
        let mut c = self;
        for p in path {
            c = c.children.get(p)?;
        }
        Some(c)
    }

    /// Every module of the tree, the root first, each before its children.
    pub fn modules(&self) -> Vec<&Config> {
        let mut out = vec![self];
        let mut i = 0;
        while i < out.len() {
            let c = out[i];
            out.extend(c.children.values());
            i += 1;
        }
        out
    }

    /// The resource a (static or instance) address names, in whichever module holds it.
    pub fn resource_at(&self, addr: &ResourceAddr) -> Option<&Resource> {
        let names: Vec<String> = addr.module.iter().map(|s| s.name.clone()).collect();
        let m = self.module(&names)?;
        m.resources.get(&addr.relative())
    }
}

#[cfg(test)]
mod module_manifest_tests {
    use super::*;

    /// What `terraform get` wrote for a registry module (Terraform 1.11.4, a test registry).
    const TERRAFORM_MANIFEST: &str = r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"m","Source":"127.0.0.1:8443/ns/name/prov","Version":"1.0.0","Dir":".terraform/modules/m"}]}"#;

    fn load(dir: &Path, source: &str, version: &str) -> Result<Config, String> {
        let main = format!("module \"m\" {{\n  source  = \"{source}\"\n  version = \"{version}\"\n}}\n");
        std::fs::write(dir.join("main.tf"), main).unwrap();
        let (config, diags) = load_tree(&DiskFs, dir);
        match diags.iter().find(|d| d.is_error()) {
            Some(d) => Err(d.summary.clone()),
            None => Ok(config),
        }
    }

    #[test]
    fn registry_modules_load_from_terraforms_module_manifest() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        std::fs::create_dir_all(dir.join(".terraform/modules/m")).unwrap();
        std::fs::write(dir.join(".terraform/modules/m/main.tf"), "output \"x\" { value = 1 }\n").unwrap();
        let source = "127.0.0.1:8443/ns/name/prov";
        assert_eq!(load(&dir, source, "~> 1.0").err().as_deref(), Some("Module not installed"));
        std::fs::write(dir.join(".terraform/modules/modules.json"), TERRAFORM_MANIFEST).unwrap();
        let config = load(&dir, source, "~> 1.0").unwrap();
        assert_eq!(config.children["m"].outputs.len(), 1);
        let records = read_module_manifest(&dir).unwrap();
        assert_eq!(records["m"].version.as_deref(), Some("1.0.0"));
        assert_eq!(load(&dir, source, ">= 2.0").err().as_deref(), Some("Module version requirements have changed"));
        assert_eq!(
            load(&dir, "127.0.0.1:8443/ns/other/prov", "1.0.0").err().as_deref(),
            Some("Module source has changed")
        );
        // Written back as Terraform writes it.
        write_module_manifest(&dir, &records).unwrap();
        assert_eq!(std::fs::read_to_string(dir.join(".terraform/modules/modules.json")).unwrap(), TERRAFORM_MANIFEST);
    }

    #[test]
    fn module_sources_are_recorded_as_terraform_records_them() {
        assert_eq!(
            recorded_source("hashicorp/consul/aws//modules/x"),
            "registry.terraform.io/hashicorp/consul/aws//modules/x"
        );
        assert_eq!(recorded_source("github.com/o/r//sub?ref=v1"), "git::https://github.com/o/r.git//sub?ref=v1");
        assert_eq!(recorded_source("./local"), "./local");
    }
}
