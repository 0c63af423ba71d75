//! Decoding top-level blocks (`terraform`, `provider`, `variable`, `locals`, `resource`,
//! `data`, `output`) into typed declarations, with a diagnostic for every misuse.

use super::*;
use crate::addr::Mode;
use crate::diag::did_you_mean;
use crate::eval::{self, references};
use crate::hcl::ast::{self, Attribute, Block, Body as AstBody, ExprKind};

/// The file being decoded: its id and its name and text.
pub(super) struct FileCtx {
    pub(super) file: FileId,
    pub(super) source: Arc<SourceFile>,
}

impl FileCtx {
    pub(super) fn range(&self, span: &crate::hcl::Span) -> SourceRange {
        SourceRange::new(self.file, span.clone())
    }

    pub(super) fn header(&self, block: &Block) -> SourceRange {
        self.range(&block.header_span())
    }

    pub(super) fn expr(&self, a: Attribute) -> Expr {
        Expr::new(self.file, a.expr, &self.source)
    }

    pub(super) fn expr_of(&self, e: &ast::Expr) -> Expr {
        Expr::new(self.file, e.clone(), &self.source)
    }

    pub(super) fn body(&self, body: AstBody) -> BlockBody {
        BlockBody { file: self.file, body: Arc::new(body), source: self.source.clone() }
    }
}

pub(super) fn decode_file(
    config: &mut Config,
    file: FileId,
    source: &Arc<SourceFile>,
    body: AstBody,
    diags: &mut Diagnostics,
) {
    let f = FileCtx { file, source: source.clone() };
    for attr in body.attributes {
        diags.push(
            Diagnostic::error(
                "Unsupported argument",
                format!("An argument named \"{}\" is not expected at the top level.", attr.name),
            )
            .at(f.range(&attr.name_span)),
        );
    }
    for block in body.blocks {
        decode_block(config, &f, block, diags);
    }
}

fn decode_block(config: &mut Config, f: &FileCtx, block: Block, diags: &mut Diagnostics) {
    let kind = block.ty.clone();
    let header = f.header(&block);
    let want_labels = match kind.as_str() {
        "terraform" | "locals" => 0,
        "provider" | "variable" | "output" | "module" => 1,
        "resource" | "data" => 2,
        "moved" | "import" | "removed" => 0,
        "check" => 1,
        other => {
            let hint = did_you_mean(
                other,
                [
                    "terraform",
                    "locals",
                    "provider",
                    "variable",
                    "output",
                    "module",
                    "resource",
                    "data",
                    "moved",
                    "import",
                    "removed",
                    "check",
                ],
            )
            .unwrap_or_default();
            diags.push(
                Diagnostic::error(
                    "Unsupported block type",
                    format!("Blocks of type \"{other}\" are not expected here.{hint}"),
                )
                .at(header),
            );
            return;
        }
    };
    if block.labels.len() != want_labels {
        let what = match want_labels {
            0 => "no labels".to_string(),
            1 => "one label (its name)".to_string(),
            _ => "two labels (type and name)".to_string(),
        };
        diags.push(
            Diagnostic::error("Wrong number of block labels", format!("A {kind} block takes {what}.")).at(header),
        );
        return;
    }
    for (label, span) in block.labels.iter().zip(&block.label_spans) {
        if !valid_name(label) {
            diags.push(
                Diagnostic::error(
                    "Invalid name",
                    "A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.",
                )
                .at(f.range(span)),
            );
            return;
        }
    }
    let labels = block.labels.clone();
    let open_brace = f.range(&(block.open_brace_span.start..block.open_brace_span.start));
    let body = block.body;
    match kind.as_str() {
        "terraform" => decode_terraform(config, f, body, diags),
        "locals" => decode_locals(config, f, body, diags),
        "provider" => decode_provider(config, f, labels, body, header, diags),
        "variable" => decode_variable(config, f, labels, body, header, diags),
        "output" => decode_output(config, f, labels, body, header, diags),
        "resource" | "data" => {
            let mode = if kind == "data" { Mode::Data } else { Mode::Managed };
            let labels = labels.into_iter().zip(block.label_spans.iter().map(|s| f.range(s))).collect();
            decode_resource(config, f, mode, labels, body, header, diags)
        }
        "module" => super::modules::decode_module_call(config, f, labels, body, header, open_brace, diags),
        "moved" => super::modules::decode_moved(config, f, body, header, diags),
        "import" => super::modules::decode_import(config, f, body, header, diags),
        "removed" => super::modules::decode_removed(config, f, body, header, diags),
        "check" => super::modules::decode_check(config, f, labels, body, header, diags),
        _ => unreachable!(),
    }
}

fn valid_name(s: &str) -> bool {
    crate::hcl::valid_identifier(s)
}

/// A body split into its attributes (by name) and blocks, checked against the names allowed.
pub(super) struct Parts {
    pub(super) attrs: IndexMap<String, Attribute>,
    pub(super) blocks: Vec<Block>,
}

pub(super) fn split_body(
    f: &FileCtx,
    body: AstBody,
    allowed_attrs: &[&str],
    allowed_blocks: &[&str],
    what: &str,
    diags: &mut Diagnostics,
) -> Parts {
    let mut parts = Parts { attrs: IndexMap::default(), blocks: Vec::new() };
    for a in body.attributes {
        if !allowed_attrs.contains(&a.name.as_str()) {
            let hint = did_you_mean(&a.name, allowed_attrs.iter().copied()).unwrap_or_default();
            diags.push(
                Diagnostic::error(
                    "Unsupported argument",
                    format!("An argument named \"{}\" is not expected in a {what}.{hint}", a.name),
                )
                .at(f.range(&a.name_span)),
            );
        } else {
            parts.attrs.insert(a.name.clone(), a);
        }
    }
    for b in body.blocks {
        if allowed_blocks.contains(&b.ty.as_str()) {
            parts.blocks.push(b);
        } else {
            let hint = did_you_mean(&b.ty, allowed_blocks.iter().copied()).unwrap_or_default();
            diags.push(
                Diagnostic::error(
                    "Unsupported block type",
                    format!("Blocks of type \"{}\" are not expected in a {what}.{hint}", b.ty),
                )
                .at(f.header(&b)),
            );
        }
    }
    parts
}

/// Evaluates an argument that must be a constant (no references), e.g. `sensitive = true`.
pub(super) fn constant(f: &FileCtx, a: &Attribute, diags: &mut Diagnostics) -> Option<Value> {
    match eval::eval_constant(&f.expr_of(&a.expr)) {
        Ok(v) => Some(v),
        Err(d) => {
            diags.extend(d);
            None
        }
    }
}

pub(super) fn constant_bool(f: &FileCtx, a: &Attribute, diags: &mut Diagnostics) -> bool {
    match constant(f, a, diags).map(|v| crate::cty::convert::convert(v, &Type::Bool)) {
        Some(Ok(v)) if v.as_bool().is_some() => v.as_bool() == Some(true),
        Some(_) => {
            diags.push(
                Diagnostic::error("Invalid value", format!("\"{}\" must be true or false.", a.name))
                    .at(f.range(&a.expr.span)),
            );
            false
        }
        None => false,
    }
}

pub(super) fn constant_string(f: &FileCtx, a: &Attribute, diags: &mut Diagnostics) -> Option<String> {
    match crate::cty::convert::convert(constant(f, a, diags)?, &Type::String) {
        Ok(Value::String(s)) => Some(s),
        _ => {
            diags.push(
                Diagnostic::error("Invalid value", format!("\"{}\" must be a string.", a.name))
                    .at(f.range(&a.expr.span)),
            );
            None
        }
    }
}

fn decode_terraform(config: &mut Config, f: &FileCtx, body: AstBody, diags: &mut Diagnostics) {
    let parts = split_body(
        f,
        body,
        &["required_version", "experiments", "language"],
        &["required_providers", "backend", "cloud", "provider_meta"],
        "terraform block",
        diags,
    );
    if let Some(a) = parts.attrs.get("required_version")
        && let Some(s) = constant_string(f, a, diags)
    {
        match VersionConstraint::parse(&s) {
            Ok(c) => config.terraform.required_version = Some((c, f.range(&a.expr.span))),
            Err(e) => diags.push(Diagnostic::error("Invalid version constraint", e).at(f.range(&a.expr.span))),
        }
    }
    for b in parts.blocks {
        let header = f.header(&b);
        match b.ty.as_str() {
            "required_providers" => {
                for a in &b.body.attributes {
                    let name = a.name.clone();
                    let req = match constant(f, a, diags) {
                        Some(Value::String(v)) => {
                            RequiredProvider { source: format!("hashicorp/{name}"), version: Some(v) }
                        }
                        Some(v) if v.as_map().is_some() => {
                            let m = v.as_map().expect("checked");
                            RequiredProvider {
                                source: m
                                    .get("source")
                                    .and_then(Value::as_str)
                                    .unwrap_or(&format!("hashicorp/{name}"))
                                    .to_string(),
                                version: m.get("version").and_then(Value::as_str).map(str::to_string),
                            }
                        }
                        Some(_) => {
                            diags.push(
                                Diagnostic::error(
                                    "Invalid required_providers entry",
                                    "Each entry must be an object with source and version.",
                                )
                                .at(f.range(&a.expr.span)),
                            );
                            continue;
                        }
                        None => continue,
                    };
                    config.terraform.required_providers.insert(name, req);
                }
            }
            "backend" => {
                if b.labels.len() != 1 {
                    diags.push(
                        Diagnostic::error("Invalid backend block", "A backend block takes one label: its type.")
                            .at(header),
                    );
                    continue;
                }
                if let Some(prev) = &config.terraform.backend {
                    diags.push(
                        Diagnostic::error(
                            "Duplicate backend configuration",
                            "A configuration may have only one backend.",
                        )
                        .at(header)
                        .with_related(prev.range.clone(), "first declared here"),
                    );
                    continue;
                }
                let mut cfg = IndexMap::default();
                for a in &b.body.attributes {
                    if let Some(v) = constant(f, a, diags) {
                        cfg.insert(a.name.clone(), v);
                    }
                }
                for inner in &b.body.blocks {
                    diags.push(
                        Diagnostic::error("Unsupported block type", "Backend configuration takes arguments only.")
                            .at(f.header(inner)),
                    );
                }
                config.terraform.backend = Some(Backend { kind: b.labels[0].clone(), config: cfg, range: header });
            }
            "cloud" => diags.push(
                Diagnostic::error("HCP Terraform is not supported", "Use a local or s3 backend with terrane.")
                    .at(header),
            ),
            _ => {}
        }
    }
}

fn decode_locals(config: &mut Config, f: &FileCtx, body: AstBody, diags: &mut Diagnostics) {
    for b in &body.blocks {
        diags.push(Diagnostic::error("Unsupported block type", "A locals block takes arguments only.").at(f.header(b)));
    }
    for a in body.attributes {
        let name = a.name.clone();
        let range = f.range(&a.span);
        if let Some(prev) = config.locals.get(&name) {
            diags.push(
                Diagnostic::error(
                    "Duplicate local value definition",
                    format!(
                        "A local value named \"{name}\" was already defined at {}. Local value names must be unique within a module.",
                        config.sources.range_string(&prev.range)
                    ),
                )
                .at(range),
            );
            continue;
        }
        config.locals.insert(name.clone(), Local { name, expr: f.expr(a), range });
    }
}

fn decode_provider(
    config: &mut Config,
    f: &FileCtx,
    labels: Vec<String>,
    body: AstBody,
    header: SourceRange,
    diags: &mut Diagnostics,
) {
    let name = labels.into_iter().next().unwrap_or_default();
    let mut rest = AstBody { span: body.span.clone(), end_span: body.end_span.clone(), ..AstBody::default() };
    let mut alias = None;
    for a in body.attributes {
        match a.name.as_str() {
            "alias" => alias = constant_string(f, &a, diags),
            "version" => diags.push(
                Diagnostic::warning(
                    "Version constraints inside provider configuration blocks are deprecated",
                    "Put the version in terraform { required_providers { ... } } instead.",
                )
                .at(f.range(&a.name_span)),
            ),
            _ => rest.attributes.push(a),
        }
    }
    rest.blocks = body.blocks;
    let p = ProviderBlock { name, alias, body: f.body(rest), range: header.clone() };
    let key = p.key();
    if let Some(prev) = config.providers.get(&key) {
        diags.push(
            Diagnostic::error(
                "Duplicate provider configuration",
                format!("A provider configuration for \"{key}\" was already given. Give each extra configuration a unique alias."),
            )
            .at(header)
            .with_related(prev.range.clone(), "first given here"),
        );
        return;
    }
    config.providers.insert(key, p);
}

pub(super) fn decode_checks(
    f: &FileCtx,
    blocks: &mut Vec<Block>,
    kind: &str,
    diags: &mut Diagnostics,
) -> Vec<CheckRule> {
    let mut out = Vec::new();
    let (matching, rest): (Vec<Block>, Vec<Block>) = std::mem::take(blocks).into_iter().partition(|b| b.ty == kind);
    *blocks = rest;
    for b in matching {
        let range = f.header(&b);
        let mut parts = split_body(f, b.body, &["condition", "error_message"], &[], &format!("{kind} block"), diags);
        match (parts.attrs.shift_remove("condition"), parts.attrs.shift_remove("error_message")) {
            (Some(c), Some(m)) => out.push(CheckRule { condition: f.expr(c), error_message: f.expr(m), range }),
            (c, _) => {
                let missing = if c.is_none() { "condition" } else { "error_message" };
                diags.push(
                    Diagnostic::error("Missing required argument", format!("The argument \"{missing}\" is required."))
                        .at(range),
                );
            }
        }
    }
    out
}

fn decode_variable(
    config: &mut Config,
    f: &FileCtx,
    labels: Vec<String>,
    body: AstBody,
    header: SourceRange,
    diags: &mut Diagnostics,
) {
    let name = labels.into_iter().next().unwrap_or_default();
    if matches!(
        name.as_str(),
        "source" | "version" | "providers" | "count" | "for_each" | "lifecycle" | "depends_on" | "locals"
    ) {
        diags.push(
            Diagnostic::error("Invalid variable name", format!("The variable name \"{name}\" is reserved."))
                .at(header.clone()),
        );
    }
    let mut parts = split_body(
        f,
        body,
        &["type", "default", "description", "sensitive", "nullable", "ephemeral"],
        &["validation"],
        "variable block",
        diags,
    );
    let validations = decode_checks(f, &mut parts.blocks, "validation", diags);
    let (ty, defaults, parse_literal) = match parts.attrs.get("type") {
        Some(a) => variable_type(f, &a.expr, diags),
        None => (Type::Dynamic, None, true),
    };
    let nullable = parts.attrs.get("nullable").is_none_or(|a| constant_bool(f, a, diags));
    let mut default = None;
    if let Some(a) = parts.attrs.get("default")
        && let Some(v) = constant(f, a, diags)
    {
        let v = match &defaults {
            Some(d) if !v.is_null() => d.apply(v),
            _ => v,
        };
        let v = match crate::cty::convert::convert(v, &ty) {
            Ok(v) => v,
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        "Invalid default value for variable",
                        format!(
                            "This default value is not compatible with the variable's type constraint: {}.",
                            e.format()
                        ),
                    )
                    .at(f.range(&a.expr.span)),
                );
                Value::DYNAMIC
            }
        };
        if !nullable && v.is_null() {
            diags.push(
                Diagnostic::error(
                    "Invalid default value for variable",
                    "A null default value is not valid when nullable=false.",
                )
                .at(f.range(&a.expr.span)),
            );
        }
        default = Some(v);
    }
    let description = parts.attrs.get("description").and_then(|a| constant_string(f, a, diags));
    let sensitive = parts.attrs.get("sensitive").is_some_and(|a| constant_bool(f, a, diags));
    if let Some(prev) = config.variables.get(&name) {
        diags.push(
            Diagnostic::error(
                "Duplicate variable declaration",
                format!(
                    "A variable named \"{name}\" was already declared at {}. Variable names must be unique within a module.",
                    config.sources.range_string(&prev.range)
                ),
            )
            .at(header),
        );
        return;
    }
    let v = Variable {
        name: name.clone(),
        ty,
        defaults,
        parse_literal,
        default,
        description,
        sensitive,
        nullable,
        validations,
        range: header,
    };
    config.variables.insert(name, v);
}

/// Terraform's `decodeVariableType`: the type constraint, its defaults, and whether values
/// from the command line and environment are taken literally (primitive types and no
/// type) or parsed as HCL. Pre-0.12 quoted types are refused with Terraform's hints; bare
/// `list` and `map` mean `list(any)` and `map(any)`.
fn variable_type(
    f: &FileCtx,
    e: &ast::Expr,
    diags: &mut Diagnostics,
) -> (Type, Option<crate::lang::typeexpr::Defaults>, bool) {
    if let Some(s) = e.as_quoted_literal() {
        let quoted = |what: &str, hint: &str| {
            Diagnostic::error(
                "Invalid quoted type constraints",
                format!("Terraform 0.11 and earlier required type constraints to be given in quotes, but that form is now deprecated and will be removed in a future version of Terraform. Remove the quotes around \"{what}\"{hint}."),
            )
            .at(f.range(&e.span))
        };
        let (d, literal) = match s {
            "string" => (quoted("string", ""), true),
            "list" => (quoted("list", " and write list(string) instead to explicitly indicate that the list elements are strings"), false),
            "map" => (quoted("map", " and write map(string) instead to explicitly indicate that the map elements are strings"), false),
            _ => (
                Diagnostic::error(
                    "Invalid legacy variable type hint",
                    "To provide a full type expression, remove the surrounding quotes and give the type expression directly.",
                )
                .at(f.range(&e.span)),
                false,
            ),
        };
        diags.push(d);
        return (Type::Dynamic, None, literal);
    }
    match e.as_keyword() {
        Some("list") => return (Type::list(Type::Dynamic), None, false),
        Some("map") => return (Type::map(Type::Dynamic), None, false),
        _ => {}
    }
    let (t, d, type_diags) = crate::lang::typeexpr::type_constraint(e, f.file);
    if type_diags.iter().any(Diagnostic::is_error) {
        diags.0.extend(type_diags);
        return (Type::Dynamic, None, false);
    }
    diags.0.extend(type_diags);
    let literal = t.is_primitive();
    (t, d, literal)
}

fn decode_output(
    config: &mut Config,
    f: &FileCtx,
    labels: Vec<String>,
    body: AstBody,
    header: SourceRange,
    diags: &mut Diagnostics,
) {
    let name = labels.into_iter().next().unwrap_or_default();
    let mut parts = split_body(
        f,
        body,
        &["value", "description", "sensitive", "depends_on", "ephemeral"],
        &["precondition"],
        "output block",
        diags,
    );
    let preconditions = decode_checks(f, &mut parts.blocks, "precondition", diags);
    let description = parts.attrs.get("description").and_then(|a| constant_string(f, a, diags));
    let sensitive = parts.attrs.get("sensitive").is_some_and(|a| constant_bool(f, a, diags));
    let depends_on = parts.attrs.shift_remove("depends_on").map(|a| depends_on_list(f, a, diags)).unwrap_or_default();
    let Some(value) = parts.attrs.shift_remove("value") else {
        diags.push(Diagnostic::error("Missing required argument", "The argument \"value\" is required.").at(header));
        return;
    };
    if let Some(prev) = config.outputs.get(&name) {
        diags.push(
            Diagnostic::error(
                "Duplicate output definition",
                format!(
                    "An output named \"{name}\" was already defined at {}. Output names must be unique within a module.",
                    config.sources.range_string(&prev.range)
                ),
            )
            .at(header),
        );
        return;
    }
    config.outputs.insert(
        name.clone(),
        Output { name, value: f.expr(value), description, sensitive, depends_on, preconditions, range: header },
    );
}

/// Terraform's `shimTraversalInString`: where a reference is expected, a quoted string
/// (`"aws_instance.a"`, the form of Terraform 0.11) is read as the reference it spells, with
/// a deprecation warning. Anything else is returned as it is.
pub(super) fn shim_quoted_reference(f: &FileCtx, e: ast::Expr, diags: &mut Diagnostics) -> ast::Expr {
    let Some(text) = e.as_quoted_literal().map(str::to_string) else { return e };
    // Parsed in place (everything before the string blanked, line breaks kept), so that
    // positions are the file's: exact unless the string has escapes, as in Terraform.
    let start = (e.span.start + 1).min(f.source.text.len());
    let mut buf: Vec<u8> =
        f.source.text.as_bytes()[..start].iter().map(|&b| if b == b'\n' { b'\n' } else { b' ' }).collect();
    buf.extend_from_slice(text.as_bytes());
    let (parsed, parse_diags) = crate::hcl::parse_expression(&buf, &f.source.name);
    let failed = !parse_diags.is_empty();
    diags.0.extend(parse_diags.into_iter().map(|d| hcl_diagnostic(f.file, d)));
    diags.push(
        Diagnostic::warning(
            "Quoted references are deprecated",
            "In this context, references are expected literally rather than in quotes. Terraform 0.11 and earlier required quotes, but quoted references are now deprecated and will be removed in a future version of Terraform. Remove the quotes surrounding this reference to silence this warning.",
        )
        .at(f.range(&e.span)),
    );
    if failed { e } else { parsed }
}

/// `count` and `for_each` on one resource or module call, reported at `for_each`'s name.
pub(super) fn count_and_for_each(at: SourceRange) -> Diagnostic {
    Diagnostic::error(
        "Invalid combination of \"count\" and \"for_each\"",
        "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.",
    )
    .at(at)
}

/// `depends_on = [aws_instance.a, var.x]`: each element must be a plain reference.
pub(super) fn depends_on_list(f: &FileCtx, a: Attribute, diags: &mut Diagnostics) -> Vec<Expr> {
    let ExprKind::Tuple(items) = a.expr.kind else {
        diags.push(
            Diagnostic::error("Invalid depends_on", "depends_on must be a list of references.")
                .at(f.range(&a.expr.span)),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let item = shim_quoted_reference(f, item, diags);
        let e = Expr::new(f.file, item, &f.source);
        match references::static_reference(&e) {
            Ok(_) => out.push(e),
            Err(d) => diags.push(d),
        }
    }
    out
}

fn decode_resource(
    config: &mut Config,
    f: &FileCtx,
    mode: Mode,
    labels: Vec<(String, SourceRange)>,
    body: AstBody,
    header: SourceRange,
    diags: &mut Diagnostics,
) {
    let mut labels = labels.into_iter();
    let (type_name, type_range) = labels.next().unwrap_or_else(|| (String::new(), header.clone()));
    let name = labels.next().map(|(n, _)| n).unwrap_or_default();
    let addr = ResourceAddr::new(mode, type_name.clone(), name);
    let mut rest = AstBody { span: body.span.clone(), end_span: body.end_span.clone(), ..AstBody::default() };
    let mut count = None;
    let mut for_each = None;
    let mut for_each_name = None;
    let mut depends_on = Vec::new();
    let mut provider = None;
    let mut provider_range = None;
    let mut lifecycle = Lifecycle::default();
    let mut lifecycle_seen = false;
    for a in body.attributes {
        match a.name.as_str() {
            "count" => count = Some(f.expr(a)),
            "for_each" => {
                for_each_name = Some(f.range(&a.name_span));
                for_each = Some(f.expr(a));
            }
            "depends_on" => depends_on = depends_on_list(f, a, diags),
            "provider" => {
                provider_range = Some(f.range(&a.expr.span));
                match provider_reference(&a.expr) {
                    Some(p) => provider = Some(p),
                    None => diags.push(
                        Diagnostic::error(
                            "Invalid provider reference",
                            "The provider argument takes a provider name and optional alias, like aws.west (not a string).",
                        )
                        .at(f.range(&a.expr.span)),
                    ),
                }
            }
            _ => rest.attributes.push(a),
        }
    }
    for b in body.blocks {
        match b.ty.as_str() {
            "lifecycle" => {
                if lifecycle_seen {
                    diags.push(
                        Diagnostic::error(
                            "Duplicate lifecycle block",
                            "Only one lifecycle block is allowed in a resource.",
                        )
                        .at(f.header(&b)),
                    );
                    continue;
                }
                lifecycle_seen = true;
                lifecycle = decode_lifecycle(f, b.body, mode, diags);
            }
            "provisioner" | "connection" => diags.push(
                Diagnostic::error(
                    "Provisioners are not supported",
                    "terrane does not run provisioners; use user_data, cloud-init or a swarm service instead.",
                )
                .at(f.header(&b)),
            ),
            _ => rest.blocks.push(b),
        }
    }
    if count.is_some() && for_each.is_some() {
        diags.push(count_and_for_each(for_each_name.clone().unwrap_or_else(|| header.clone())));
    }
    let provider = provider.unwrap_or_else(|| implied_provider(&type_name).to_string());
    if let Some(prev) = config.resources.get(&addr) {
        let what = if mode == Mode::Data { "data" } else { "resource" };
        diags.push(
            Diagnostic::error(
                format!("Duplicate {what} \"{}\" configuration", addr.type_name),
                format!(
                    "A {} {} named \"{}\" was already declared at {}. Resource names must be unique per type in each module.",
                    addr.type_name,
                    if mode == Mode::Data { "data resource" } else { "resource" },
                    addr.name,
                    config.sources.range_string(&prev.range)
                ),
            )
            .at(header),
        );
        return;
    }
    config.resources.insert(
        addr.clone(),
        Resource {
            addr,
            provider,
            provider_range,
            count,
            for_each,
            depends_on,
            lifecycle,
            body: f.body(rest),
            range: header,
            type_range,
        },
    );
}

/// `aws` or `aws.west` written as a bare reference.
pub(super) fn provider_reference(e: &ast::Expr) -> Option<String> {
    match &e.kind {
        ExprKind::ScopeTraversal { root, steps, .. } => match steps.as_slice() {
            [] => Some(root.clone()),
            [crate::hcl::Traverser::Attr { name, .. }] => Some(format!("{root}.{name}")),
            _ => None,
        },
        _ => None,
    }
}

fn decode_lifecycle(f: &FileCtx, body: AstBody, mode: Mode, diags: &mut Diagnostics) -> Lifecycle {
    let managed_only = ["create_before_destroy", "prevent_destroy", "ignore_changes", "replace_triggered_by"];
    let mut parts = split_body(f, body, &managed_only, &["precondition", "postcondition"], "lifecycle block", diags);
    let mut lc = Lifecycle {
        preconditions: decode_checks(f, &mut parts.blocks, "precondition", diags),
        postconditions: decode_checks(f, &mut parts.blocks, "postcondition", diags),
        ..Lifecycle::default()
    };
    if mode == Mode::Data {
        if let Some((name, a)) = parts.attrs.first() {
            diags.push(
                Diagnostic::error(
                    "Unsupported lifecycle argument",
                    format!("\"{name}\" applies to managed resources only; data sources take only precondition and postcondition blocks."),
                )
                .at(f.range(&a.name_span)),
            );
        }
        return lc;
    }
    if let Some(a) = parts.attrs.get("create_before_destroy") {
        lc.create_before_destroy = constant_bool(f, a, diags);
    }
    if let Some(a) = parts.attrs.get("prevent_destroy") {
        lc.prevent_destroy = constant_bool(f, a, diags);
    }
    if let Some(a) = parts.attrs.shift_remove("ignore_changes") {
        lc.ignore_changes = decode_ignore_changes(f, a, diags);
    }
    if let Some(a) = parts.attrs.shift_remove("replace_triggered_by") {
        let span = a.expr.span.clone();
        match a.expr.kind {
            ExprKind::Tuple(items) => {
                for item in items {
                    let e = Expr::new(f.file, item, &f.source);
                    match references::static_reference(&e) {
                        Ok(r) if r.subject.is_resource() => lc.replace_triggered_by.push(e),
                        Ok(_) => diags.push(
                            Diagnostic::error(
                                "Invalid replace_triggered_by expression",
                                "Only references to managed resources (and their attributes) may be used here.",
                            )
                            .at(e.range()),
                        ),
                        Err(d) => diags.push(d),
                    }
                }
            }
            _ => diags.push(
                Diagnostic::error("Invalid replace_triggered_by", "replace_triggered_by must be a list of references.")
                    .at(f.range(&span)),
            ),
        }
    }
    lc
}

fn decode_ignore_changes(f: &FileCtx, a: Attribute, diags: &mut Diagnostics) -> IgnoreChanges {
    if a.expr.as_keyword() == Some("all") {
        return IgnoreChanges::All;
    }
    let items = match a.expr.kind {
        ExprKind::Tuple(items) => items,
        _ => {
            diags.push(
                Diagnostic::error("Invalid expression", "A static list expression is required.")
                    .at(f.range(&a.expr.span)),
            );
            return IgnoreChanges::None;
        }
    };
    let mut paths = Vec::new();
    for item in items {
        if item.as_quoted_literal() == Some("*") {
            diags.push(
                Diagnostic::error(
                    "Invalid ignore_changes wildcard",
                    "The [\"*\"] form of ignore_changes wildcard is was deprecated and is now invalid. Use \"ignore_changes = all\" to ignore changes to all attributes.",
                )
                .at(f.range(&a.expr.span)),
            );
            continue;
        }
        let item = shim_quoted_reference(f, item, diags);
        match references::ignore_path(&item) {
            Some((path, ranges)) => paths.push(IgnorePath {
                path,
                ranges: ranges.iter().map(|r| f.range(r)).collect(),
            }),
            None => diags.push(
                Diagnostic::error(
                    "Invalid expression",
                    "A single static variable reference is required: only attribute access and indexing with constant keys. No calculations, function calls, template expressions, etc are allowed here.",
                )
                .at(f.range(&item.span)),
            ),
        }
    }
    IgnoreChanges::Paths(paths)
}
