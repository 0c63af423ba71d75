//! Loading a directory of `.tf` files into a [`Config`]: every block decoded into typed
//! declarations whose expressions keep their source spans.

mod blocks;
mod module_version;
mod modules;
mod registry_source;
mod version;

pub use module_version::{ModuleConstraints, ModuleVersion, select_module_version};
pub use modules::{
    Check, ConfigFs, DiskFs, Import, MemFs, ModuleCall, ModuleRecord, Moved, Removed, check_registry_call, data_dir,
    fetched_subdir, installed_module_dir, is_fetched_source, is_local_source, is_registry_source, load_tree,
    module_display, module_manifest_path, normalize, read_module_manifest, recorded_source, resolve_providers,
    write_module_manifest,
};
pub use registry_source::{PUBLIC_MODULE_REGISTRY, RegistrySource, clean_path, join_subdirs, split_subdir};
pub use version::{LANGUAGE_VERSION, VersionConstraint, check_required_version};

use crate::IndexMap;
use crate::addr::{Mode, ResourceAddr};
use crate::cty::Type;
use crate::diag::{Diagnostic, Diagnostics, FileId, SourceFile, SourceMap, SourceRange};
use crate::hcl::ast;
use crate::lang::typeexpr::Defaults;
use crate::value::{PathStep, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// An expression with the file it came from.
#[derive(Clone, Debug)]
pub struct Expr {
    pub file: FileId,
    pub expr: Arc<ast::Expr>,
    /// The file's name and text (for the ranges some messages quote).
    pub source: Arc<SourceFile>,
}

impl Expr {
    pub fn new(file: FileId, expr: ast::Expr, source: &Arc<SourceFile>) -> Expr {
        Expr { file, expr: Arc::new(expr), source: source.clone() }
    }

    pub fn range(&self) -> SourceRange {
        SourceRange::new(self.file, self.expr.span.clone())
    }

    /// Parses a standalone expression (`-var` values, `-target` addresses, the console).
    pub fn parse(text: &str, name: &str) -> Result<Expr, Diagnostics> {
        let source = Arc::new(SourceFile { name: name.to_string(), text: Arc::from(text) });
        let (e, diags) = crate::hcl::parse_expression(text.as_bytes(), name);
        if !diags.is_empty() {
            return Err(Diagnostics(diags.into_iter().map(|d| hcl_diagnostic(0, d)).collect()));
        }
        Ok(Expr::new(0, e, &source))
    }
}

/// A block body kept for evaluation against a schema (resource, data and provider bodies).
#[derive(Clone, Debug)]
pub struct BlockBody {
    pub file: FileId,
    pub body: Arc<ast::Body>,
    pub source: Arc<SourceFile>,
}

impl BlockBody {
    /// An empty body (a provider without a configuration block).
    pub fn empty() -> BlockBody {
        BlockBody {
            file: 0,
            body: Arc::new(ast::Body::default()),
            source: Arc::new(SourceFile { name: String::new(), text: Arc::from("") }),
        }
    }
}

/// A syntax error of the HCL parser as an engine diagnostic.
pub fn hcl_diagnostic(file: FileId, d: crate::hcl::Diag) -> Diagnostic {
    let mut out = Diagnostic::error(d.summary, d.detail).at(SourceRange::new(file, d.subject));
    if let Some(ctx) = d.context {
        out = out.with_related(SourceRange::new(file, ctx), "");
    }
    out
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
    /// The static path of this module (call names; empty at the root).
    pub path: Vec<String>,
    pub module_calls: IndexMap<String, ModuleCall>,
    /// The loaded modules this one calls, by call name.
    pub children: IndexMap<String, Config>,
    pub moved: Vec<Moved>,
    pub imports: Vec<Import>,
    pub removed: Vec<Removed>,
    pub checks: Vec<Check>,
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
    /// The defaults of the type constraint's optional attributes.
    pub defaults: Option<Defaults>,
    /// Whether values from the command line and the environment are taken as literal
    /// strings (no type, or a primitive one) rather than parsed as HCL expressions.
    pub parse_literal: bool,
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
    /// The whole `name = expr` definition (Terraform's `DeclRange` of a local).
    pub range: SourceRange,
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
    /// The type label (`"aws_instance"`).
    pub type_range: SourceRange,
}

impl Resource {
    pub fn mode(&self) -> Mode {
        self.addr.mode
    }

    /// Where a diagnostic about the top-level argument `name` points: its expression when
    /// the block sets it, else the block.
    pub fn argument_range(&self, name: &str) -> SourceRange {
        match self.body.body.attribute(name) {
            Some(a) => SourceRange::new(self.body.file, a.expr.span.clone()),
            None => self.range.clone(),
        }
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
    Paths(Vec<IgnorePath>),
}

/// One `ignore_changes` entry: the path it names in the resource's value, and the source
/// range of each of its steps (for diagnostics about a step).
#[derive(Debug, Clone, PartialEq)]
pub struct IgnorePath {
    pub path: Vec<PathStep>,
    pub ranges: Vec<SourceRange>,
}

/// The provider name a resource type belongs to: `aws_instance` → `aws`;
/// `terraform_data` → `terraform`.
pub fn implied_provider(type_name: &str) -> &str {
    type_name.split('_').next().unwrap_or(type_name)
}

/// Reads every `*.tf` file of `dir` (sorted by name) and of every module it calls into a
/// configuration tree, with the diagnostics found (check `has_errors`). Override files and
/// JSON syntax are reported as not supported rather than ignored.
pub fn load_dir(dir: &Path) -> (Config, Diagnostics) {
    load_with(&DiskFs, dir)
}

/// Loads a configuration tree through `fs` and maps every resource to its root provider
/// configuration.
pub fn load_with(fs: &dyn ConfigFs, dir: &Path) -> (Config, Diagnostics) {
    let (mut config, mut diags) = load_tree(fs, dir);
    diags.extend(resolve_providers(&mut config));
    (config, diags)
}

/// Loads a configuration from in-memory files (path, text): used for saved plans, which
/// carry the configuration they were made from, and for tests. Paths are relative to the
/// working directory; the root module is the directory of files without a directory part.
pub fn load_sources(files: Vec<(String, String)>) -> (Config, Diagnostics) {
    let fs = MemFs(files.into_iter().map(|(n, t)| (PathBuf::from(n), t)).collect());
    load_with(&fs, Path::new(""))
}

/// Decodes one file into `config` (whose source map receives it).
fn load_file(config: &mut Config, name: String, bytes: Vec<u8>, diags: &mut Diagnostics) {
    let base = Path::new(&name).file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
    let decoded = crate::diag::Decoded::new(&bytes);
    let text = decoded.text.clone();
    if base.ends_with("_override.tf") || base == "override.tf" {
        let file = config.sources.add(name.clone(), text);
        diags.push(
            Diagnostic::error(
                "Override files are not supported",
                format!("{name} is an override file; terrane does not merge override files. Move its content into the file it overrides."),
            )
            .at(SourceRange::new(file, 0..0)),
        );
        return;
    }
    let file = config.sources.add(name.clone(), text.as_str());
    let source = Arc::new(config.sources.get(file).expect("just added").clone());
    // The parser reads the bytes as they are, so an invalid UTF-8 sequence is reported at
    // its line and column (the text kept for snippets has it replaced).
    let (body, parse_diags) = crate::hcl::parse_config(&bytes, &name);
    let failed = !parse_diags.is_empty();
    diags.0.extend(parse_diags.into_iter().map(|mut d| {
        d.subject = decoded.span(&d.subject);
        d.context = d.context.map(|c| decoded.span(&c));
        hcl_diagnostic(file, d)
    }));
    if failed {
        return;
    }
    blocks::decode_file(config, file, &source, body, diags);
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
