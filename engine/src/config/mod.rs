//! Loading a directory of `.tf` files into a [`Config`]: every block decoded into typed
//! declarations whose expressions keep their source spans.

mod blocks;
mod typeexpr;
mod version;

pub use typeexpr::parse_type;
pub use version::{LANGUAGE_VERSION, VersionConstraint, check_required_version};

use crate::addr::{Mode, ResourceAddr};
use crate::diag::{Diagnostic, Diagnostics, FileId, SourceMap, SourceRange};
use crate::types::Type;
use crate::value::{PathStep, Value};
use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::structure::Body;
use indexmap::IndexMap;
use std::path::{Path, PathBuf};

/// An expression with the file it came from.
#[derive(Clone, Debug)]
pub struct Expr {
    pub file: FileId,
    pub expr: Expression,
}

impl Expr {
    pub fn range(&self) -> SourceRange {
        SourceRange::new(self.file, self.expr.span().unwrap_or(0..0))
    }
}

/// A block body kept for evaluation against a schema (resource, data and provider bodies).
#[derive(Clone, Debug)]
pub struct BlockBody {
    pub file: FileId,
    pub body: Body,
}

/// The loaded configuration of one module directory.
#[derive(Debug, Default)]
pub struct Config {
    pub dir: PathBuf,
    pub sources: SourceMap,
    pub terraform: TerraformSettings,
    pub providers: IndexMap<String, ProviderBlock>,
    pub variables: IndexMap<String, Variable>,
    pub locals: IndexMap<String, Local>,
    pub resources: IndexMap<ResourceAddr, Resource>,
    pub outputs: IndexMap<String, Output>,
}

#[derive(Debug, Default)]
pub struct TerraformSettings {
    pub required_version: Option<(VersionConstraint, SourceRange)>,
    pub required_providers: IndexMap<String, RequiredProvider>,
    pub backend: Option<Backend>,
}

#[derive(Clone, Debug)]
pub struct RequiredProvider {
    pub source: String,
    pub version: Option<String>,
}

/// A `backend "<type>" { ... }` block; its arguments are literal values.
#[derive(Clone, Debug)]
pub struct Backend {
    pub kind: String,
    pub config: IndexMap<String, Value>,
    pub range: SourceRange,
}

#[derive(Debug)]
pub struct ProviderBlock {
    pub name: String,
    pub alias: Option<String>,
    pub body: BlockBody,
    pub range: SourceRange,
}

impl ProviderBlock {
    /// `aws` or `aws.west`.
    pub fn key(&self) -> String {
        provider_key(&self.name, self.alias.as_deref())
    }
}

pub fn provider_key(name: &str, alias: Option<&str>) -> String {
    match alias {
        Some(a) => format!("{name}.{a}"),
        None => name.to_string(),
    }
}

#[derive(Debug)]
pub struct Variable {
    pub name: String,
    pub ty: Type,
    /// Whether a `type` was given (without one, values keep their own type).
    pub typed: bool,
    pub default: Option<Value>,
    pub description: Option<String>,
    pub sensitive: bool,
    pub nullable: bool,
    pub validations: Vec<CheckRule>,
    pub range: SourceRange,
}

#[derive(Debug)]
pub struct Local {
    pub name: String,
    pub expr: Expr,
}

#[derive(Debug)]
pub struct Output {
    pub name: String,
    pub value: Expr,
    pub description: Option<String>,
    pub sensitive: bool,
    pub depends_on: Vec<Expr>,
    pub preconditions: Vec<CheckRule>,
    pub range: SourceRange,
}

/// A `validation`, `precondition` or `postcondition` block.
#[derive(Clone, Debug)]
pub struct CheckRule {
    pub condition: Expr,
    pub error_message: Expr,
    pub range: SourceRange,
}

#[derive(Debug)]
pub struct Resource {
    pub addr: ResourceAddr,
    /// The provider configuration it uses: `aws` or `aws.west`.
    pub provider: String,
    /// Set when the `provider` argument was given explicitly.
    pub provider_range: Option<SourceRange>,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub depends_on: Vec<Expr>,
    pub lifecycle: Lifecycle,
    pub body: BlockBody,
    pub range: SourceRange,
}

impl Resource {
    pub fn mode(&self) -> Mode {
        self.addr.mode
    }
}

#[derive(Debug, Default)]
pub struct Lifecycle {
    pub create_before_destroy: bool,
    pub prevent_destroy: bool,
    pub ignore_changes: IgnoreChanges,
    pub replace_triggered_by: Vec<Expr>,
    pub preconditions: Vec<CheckRule>,
    pub postconditions: Vec<CheckRule>,
}

#[derive(Debug, Default, Clone, PartialEq)]
pub enum IgnoreChanges {
    #[default]
    None,
    All,
    Paths(Vec<Vec<PathStep>>),
}

/// The provider name a resource type belongs to: `aws_instance` → `aws`;
/// `terraform_data` → `terraform`.
pub fn implied_provider(type_name: &str) -> &str {
    type_name.split('_').next().unwrap_or(type_name)
}

/// Reads every `*.tf` file of `dir` (sorted by name) into a configuration, with the
/// diagnostics found (check `has_errors`). Override files and JSON syntax are reported as not
/// supported rather than ignored.
pub fn load_dir(dir: &Path) -> (Config, Diagnostics) {
    let mut files = Vec::new();
    let mut diags = Diagnostics::new();
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().to_string();
                if !path.is_file() || name.starts_with('.') {
                    continue;
                }
                if name.ends_with(".tf.json") {
                    diags.push(Diagnostic::warning(
                        "JSON configuration syntax is not supported",
                        format!("terrane reads the native HCL syntax only; {name} was skipped."),
                    ));
                } else if name.ends_with(".tf") {
                    files.push((name, path));
                }
            }
        }
        Err(e) => {
            diags.push(Diagnostic::error(
                "Failed to read the configuration directory",
                format!("{}: {e}", dir.display()),
            ));
            return (Config::default(), diags);
        }
    }
    files.sort();
    let mut sources = Vec::new();
    for (name, path) in files {
        match std::fs::read_to_string(&path) {
            Ok(text) => sources.push((display_path(dir, &path, &name), text)),
            Err(e) => diags.push(Diagnostic::error("Failed to read file", format!("{}: {e}", path.display()))),
        }
    }
    let (mut config, more) = load_sources(sources);
    config.dir = dir.to_path_buf();
    diags.extend(more);
    (config, diags)
}

fn display_path(dir: &Path, path: &Path, name: &str) -> String {
    if dir == Path::new(".") || dir.as_os_str().is_empty() { name.to_string() } else { path.display().to_string() }
}

/// Loads a configuration from in-memory files (name, text): used for saved plans, which
/// carry the configuration they were made from, and for tests.
pub fn load_sources(files: Vec<(String, String)>) -> (Config, Diagnostics) {
    let mut config = Config::default();
    let mut diags = Diagnostics::new();
    for (name, text) in files {
        if name.ends_with("_override.tf") || name == "override.tf" {
            let file = config.sources.add(name.clone(), text);
            diags.push(
                Diagnostic::error(
                    "Override files are not supported",
                    format!("{name} is an override file; terrane does not merge override files. Move its content into the file it overrides."),
                )
                .at(SourceRange::new(file, 0..0)),
            );
            continue;
        }
        let file = config.sources.add(name, text.as_str());
        match hcl_edit::parser::parse_body(&text) {
            Ok(body) => blocks::decode_file(&mut config, file, body, &mut diags),
            Err(e) => diags.push(syntax_error(&config.sources, file, &e)),
        }
    }
    (config, diags)
}

fn syntax_error(sources: &SourceMap, file: FileId, e: &hcl_edit::parser::Error) -> Diagnostic {
    let text = &sources.get(file).map(|f| f.text.clone()).unwrap_or_default();
    let offset = e.location().offset().min(text.len());
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i).max(offset + 1).min(text.len());
    let message = e.message().trim();
    let detail = if message.is_empty() {
        "The configuration could not be parsed here.".to_string()
    } else {
        capitalize(message)
    };
    Diagnostic::error("Invalid syntax", detail).at(SourceRange::new(file, offset..end.max(offset)))
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

impl Config {
    pub fn resource(&self, addr: &ResourceAddr) -> Option<&Resource> {
        self.resources.get(addr)
    }

    /// Checks cross-block rules: providers referenced exist, required_version holds.
    pub fn check(&self, engine_version: &str) -> Diagnostics {
        let mut diags = Diagnostics::new();
        if let Some((constraint, range)) = &self.terraform.required_version
            && let Some(d) = check_required_version(constraint, engine_version, range)
        {
            diags.push(d);
        }
        for r in self.resources.values() {
            if let (Some(range), false) = (&r.provider_range, self.providers.contains_key(&r.provider)) {
                // A provider without a block is fine (it is configured empty), unless an alias is named.
                if r.provider.contains('.') {
                    diags.push(
                        Diagnostic::error(
                            "Provider configuration not present",
                            format!(
                                "{} refers to provider configuration {}, which is not declared. Add a provider block with alias = \"{}\".",
                                r.addr,
                                r.provider,
                                r.provider.split_once('.').map(|x| x.1).unwrap_or_default()
                            ),
                        )
                        .at(range.clone()),
                    );
                }
            }
        }
        diags
    }
}
