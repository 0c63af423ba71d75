//! Decoding top-level blocks (`terraform`, `provider`, `variable`, `locals`, `resource`,
//! `data`, `output`) into typed declarations, with a diagnostic for every misuse.

use super::*;
use crate::addr::Mode;
use crate::diag::did_you_mean;
use crate::eval::{self, references};
use hcl_edit::structure::{Attribute, Block, Structure};

pub(super) fn range_of(file: FileId, s: &impl Span) -> SourceRange {
    SourceRange::new(file, s.span().unwrap_or(0..0))
}

/// The header of a block: its identifier and labels (`resource "aws_instance" "web"`).
pub(super) fn header_range(file: FileId, block: &Block) -> SourceRange {
    let start = block.ident.span().map_or(0, |s| s.start);
    let end = block.labels.last().and_then(|l| l.span()).or_else(|| block.ident.span()).map_or(start, |s| s.end);
    SourceRange::new(file, start..end)
}

pub(super) fn decode_file(config: &mut Config, file: FileId, body: Body, diags: &mut Diagnostics) {
    for structure in body.into_iter() {
        match structure {
            Structure::Attribute(attr) => diags.push(
                Diagnostic::error(
                    "Unsupported argument",
                    format!("An argument named \"{}\" is not expected at the top level.", attr.key.as_str()),
                )
                .at(range_of(file, &attr.key)),
            ),
            Structure::Block(block) => decode_block(config, file, block, diags),
        }
    }
}

fn decode_block(config: &mut Config, file: FileId, block: Block, diags: &mut Diagnostics) {
    let kind = block.ident.as_str().to_string();
    let header = header_range(file, &block);
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
    let labels: Vec<String> = block.labels.iter().map(|l| l.as_str().to_string()).collect();
    for (label, l) in labels.iter().zip(&block.labels) {
        if !valid_name(label) {
            diags.push(
                Diagnostic::error(
                    "Invalid name",
                    "A name must start with a letter or underscore and may contain only letters, digits, underscores, and dashes.",
                )
                .at(range_of(file, l)),
            );
            return;
        }
    }
    match kind.as_str() {
        "terraform" => decode_terraform(config, file, block.body, diags),
        "locals" => decode_locals(config, file, block.body, diags),
        "provider" => decode_provider(config, file, labels, block.body, header, diags),
        "variable" => decode_variable(config, file, labels, block.body, header, diags),
        "output" => decode_output(config, file, labels, block.body, header, diags),
        "resource" => decode_resource(config, file, Mode::Managed, labels, block.body, header, diags),
        "data" => decode_resource(config, file, Mode::Data, labels, block.body, header, diags),
        "module" => super::modules::decode_module_call(config, file, labels, block.body, header, diags),
        "moved" => super::modules::decode_moved(config, file, block.body, header, diags),
        "import" => super::modules::decode_import(config, file, block.body, header, diags),
        "removed" => super::modules::decode_removed(config, file, block.body, header, diags),
        "check" => super::modules::decode_check(config, file, labels, block.body, header, diags),
        _ => unreachable!(),
    }
}

fn valid_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// A body split into its attributes (by name) and blocks, checked against the names allowed.
pub(super) struct Parts {
    pub(super) attrs: IndexMap<String, Attribute>,
    pub(super) blocks: Vec<Block>,
}

pub(super) fn split_body(
    file: FileId,
    body: Body,
    allowed_attrs: &[&str],
    allowed_blocks: &[&str],
    what: &str,
    diags: &mut Diagnostics,
) -> Parts {
    let mut parts = Parts { attrs: IndexMap::new(), blocks: Vec::new() };
    for s in body.into_iter() {
        match s {
            Structure::Attribute(a) => {
                let name = a.key.as_str().to_string();
                if !allowed_attrs.contains(&name.as_str()) {
                    let hint = did_you_mean(&name, allowed_attrs.iter().copied()).unwrap_or_default();
                    diags.push(
                        Diagnostic::error(
                            "Unsupported argument",
                            format!("An argument named \"{name}\" is not expected in a {what}.{hint}"),
                        )
                        .at(range_of(file, &a.key)),
                    );
                } else if let Some(prev) = parts.attrs.get(&name) {
                    diags.push(
                        Diagnostic::error(
                            "Attribute redefined",
                            format!("The argument \"{name}\" was already set. Each argument may be set only once."),
                        )
                        .at(range_of(file, &a.key))
                        .with_related(range_of(file, &prev.key), "first set here"),
                    );
                } else {
                    parts.attrs.insert(name, a);
                }
            }
            Structure::Block(b) => {
                if allowed_blocks.contains(&b.ident.as_str()) {
                    parts.blocks.push(b);
                } else {
                    let hint = did_you_mean(b.ident.as_str(), allowed_blocks.iter().copied()).unwrap_or_default();
                    diags.push(
                        Diagnostic::error(
                            "Unsupported block type",
                            format!("Blocks of type \"{}\" are not expected in a {what}.{hint}", b.ident.as_str()),
                        )
                        .at(header_range(file, &b)),
                    );
                }
            }
        }
    }
    parts
}

pub(super) fn expr(file: FileId, a: Attribute) -> Expr {
    Expr { file, expr: a.value }
}

/// Evaluates an argument that must be a constant (no references), e.g. `sensitive = true`.
pub(super) fn constant(file: FileId, a: &Attribute, diags: &mut Diagnostics) -> Option<Value> {
    match eval::eval_constant(&Expr { file, expr: a.value.clone() }) {
        Ok(v) => Some(v),
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

pub(super) fn constant_bool(file: FileId, a: &Attribute, diags: &mut Diagnostics) -> bool {
    match constant(file, a, diags) {
        Some(Value::Bool(b)) => b,
        Some(_) => {
            diags.push(
                Diagnostic::error("Invalid value", format!("\"{}\" must be true or false.", a.key.as_str()))
                    .at(range_of(file, &a.value)),
            );
            false
        }
        None => false,
    }
}

pub(super) fn constant_string(file: FileId, a: &Attribute, diags: &mut Diagnostics) -> Option<String> {
    match constant(file, a, diags)? {
        Value::String(s) => Some(s),
        _ => {
            diags.push(
                Diagnostic::error("Invalid value", format!("\"{}\" must be a string.", a.key.as_str()))
                    .at(range_of(file, &a.value)),
            );
            None
        }
    }
}

fn decode_terraform(config: &mut Config, file: FileId, body: Body, diags: &mut Diagnostics) {
    let parts = split_body(
        file,
        body,
        &["required_version", "experiments", "language"],
        &["required_providers", "backend", "cloud", "provider_meta"],
        "terraform block",
        diags,
    );
    if let Some(a) = parts.attrs.get("required_version")
        && let Some(s) = constant_string(file, a, diags)
    {
        match VersionConstraint::parse(&s) {
            Ok(c) => config.terraform.required_version = Some((c, range_of(file, &a.value))),
            Err(e) => diags.push(Diagnostic::error("Invalid version constraint", e).at(range_of(file, &a.value))),
        }
    }
    for b in parts.blocks {
        let header = header_range(file, &b);
        match b.ident.as_str() {
            "required_providers" => {
                for s in b.body.into_iter() {
                    let Structure::Attribute(a) = s else { continue };
                    let name = a.key.as_str().to_string();
                    let req = match constant(file, &a, diags) {
                        Some(Value::String(v)) => {
                            RequiredProvider { source: format!("hashicorp/{name}"), version: Some(v) }
                        }
                        Some(Value::Map(m)) => RequiredProvider {
                            source: m
                                .get("source")
                                .and_then(Value::as_str)
                                .unwrap_or(&format!("hashicorp/{name}"))
                                .to_string(),
                            version: m.get("version").and_then(Value::as_str).map(str::to_string),
                        },
                        Some(_) => {
                            diags.push(
                                Diagnostic::error(
                                    "Invalid required_providers entry",
                                    "Each entry must be an object with source and version.",
                                )
                                .at(range_of(file, &a.value)),
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
                let mut cfg = IndexMap::new();
                for s in b.body.into_iter() {
                    match s {
                        Structure::Attribute(a) => {
                            if let Some(v) = constant(file, &a, diags) {
                                cfg.insert(a.key.as_str().to_string(), v);
                            }
                        }
                        Structure::Block(inner) => diags.push(
                            Diagnostic::error("Unsupported block type", "Backend configuration takes arguments only.")
                                .at(header_range(file, &inner)),
                        ),
                    }
                }
                config.terraform.backend =
                    Some(Backend { kind: b.labels[0].as_str().to_string(), config: cfg, range: header });
            }
            "cloud" => diags.push(
                Diagnostic::error("HCP Terraform is not supported", "Use a local or s3 backend with terrane.")
                    .at(header),
            ),
            _ => {}
        }
    }
}

fn decode_locals(config: &mut Config, file: FileId, body: Body, diags: &mut Diagnostics) {
    for s in body.into_iter() {
        match s {
            Structure::Attribute(a) => {
                let name = a.key.as_str().to_string();
                if let Some(prev) = config.locals.get(&name) {
                    diags.push(
                        Diagnostic::error(
                            "Duplicate local value definition",
                            format!(
                                "A local value named \"{name}\" was already defined. Local value names must be unique."
                            ),
                        )
                        .at(range_of(file, &a.key))
                        .with_related(prev.expr.range(), "first defined here"),
                    );
                    continue;
                }
                config.locals.insert(name.clone(), Local { name, expr: expr(file, a) });
            }
            Structure::Block(b) => diags.push(
                Diagnostic::error("Unsupported block type", "A locals block takes arguments only.")
                    .at(header_range(file, &b)),
            ),
        }
    }
}

fn decode_provider(
    config: &mut Config,
    file: FileId,
    labels: Vec<String>,
    body: Body,
    header: SourceRange,
    diags: &mut Diagnostics,
) {
    let name = labels.into_iter().next().unwrap_or_default();
    let mut rest = Body::new();
    let mut alias = None;
    for s in body.into_iter() {
        match s {
            Structure::Attribute(a) if a.key.as_str() == "alias" => alias = constant_string(file, &a, diags),
            Structure::Attribute(a) if a.key.as_str() == "version" => diags.push(
                Diagnostic::warning(
                    "Version constraints inside provider configuration blocks are deprecated",
                    "Put the version in terraform { required_providers { ... } } instead.",
                )
                .at(range_of(file, &a.key)),
            ),
            other => rest.push(other),
        }
    }
    let p = ProviderBlock { name, alias, body: BlockBody { file, body: rest }, range: header.clone() };
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
    file: FileId,
    blocks: &mut Vec<Block>,
    kind: &str,
    diags: &mut Diagnostics,
) -> Vec<CheckRule> {
    let mut out = Vec::new();
    let (matching, rest): (Vec<Block>, Vec<Block>) =
        std::mem::take(blocks).into_iter().partition(|b| b.ident.as_str() == kind);
    *blocks = rest;
    for b in matching {
        let range = header_range(file, &b);
        let mut parts = split_body(file, b.body, &["condition", "error_message"], &[], &format!("{kind} block"), diags);
        match (parts.attrs.shift_remove("condition"), parts.attrs.shift_remove("error_message")) {
            (Some(c), Some(m)) => out.push(CheckRule { condition: expr(file, c), error_message: expr(file, m), range }),
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
    file: FileId,
    labels: Vec<String>,
    body: Body,
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
        file,
        body,
        &["type", "default", "description", "sensitive", "nullable", "ephemeral"],
        &["validation"],
        "variable block",
        diags,
    );
    let validations = decode_checks(file, &mut parts.blocks, "validation", diags);
    let (ty, typed) = match parts.attrs.get("type") {
        Some(a) => match parse_type(&a.value) {
            Ok(t) => (t, true),
            Err(msg) => {
                diags.push(Diagnostic::error("Invalid type specification", msg).at(range_of(file, &a.value)));
                (Type::Any, false)
            }
        },
        None => (Type::Any, false),
    };
    let mut default = None;
    if let Some(a) = parts.attrs.get("default")
        && let Some(v) = constant(file, a, diags)
    {
        match crate::types::convert(v, &ty) {
            Ok(v) => default = Some(v),
            Err(e) => diags.push(
                Diagnostic::error(
                    "Invalid default value for variable",
                    format!("This default value is not compatible with the variable's type constraint: {e}."),
                )
                .at(range_of(file, &a.value)),
            ),
        }
    }
    let description = parts.attrs.get("description").and_then(|a| constant_string(file, a, diags));
    let sensitive = parts.attrs.get("sensitive").is_some_and(|a| constant_bool(file, a, diags));
    let nullable = parts.attrs.get("nullable").is_none_or(|a| constant_bool(file, a, diags));
    if let Some(prev) = config.variables.get(&name) {
        diags.push(
            Diagnostic::error(
                "Duplicate variable declaration",
                format!("A variable named \"{name}\" was already declared. Variable names must be unique."),
            )
            .at(header)
            .with_related(prev.range.clone(), "first declared here"),
        );
        return;
    }
    let v = Variable {
        name: name.clone(),
        ty,
        typed,
        default,
        description,
        sensitive,
        nullable,
        validations,
        range: header,
    };
    config.variables.insert(name, v);
}

fn decode_output(
    config: &mut Config,
    file: FileId,
    labels: Vec<String>,
    body: Body,
    header: SourceRange,
    diags: &mut Diagnostics,
) {
    let name = labels.into_iter().next().unwrap_or_default();
    let mut parts = split_body(
        file,
        body,
        &["value", "description", "sensitive", "depends_on", "ephemeral"],
        &["precondition"],
        "output block",
        diags,
    );
    let preconditions = decode_checks(file, &mut parts.blocks, "precondition", diags);
    let description = parts.attrs.get("description").and_then(|a| constant_string(file, a, diags));
    let sensitive = parts.attrs.get("sensitive").is_some_and(|a| constant_bool(file, a, diags));
    let depends_on =
        parts.attrs.shift_remove("depends_on").map(|a| depends_on_list(file, a, diags)).unwrap_or_default();
    let Some(value) = parts.attrs.shift_remove("value") else {
        diags.push(Diagnostic::error("Missing required argument", "The argument \"value\" is required.").at(header));
        return;
    };
    if let Some(prev) = config.outputs.get(&name) {
        diags.push(
            Diagnostic::error(
                "Duplicate output definition",
                format!("An output named \"{name}\" was already defined."),
            )
            .at(header)
            .with_related(prev.range.clone(), "first defined here"),
        );
        return;
    }
    config.outputs.insert(
        name.clone(),
        Output { name, value: expr(file, value), description, sensitive, depends_on, preconditions, range: header },
    );
}

/// `depends_on = [aws_instance.a, var.x]`: each element must be a plain reference.
pub(super) fn depends_on_list(file: FileId, a: Attribute, diags: &mut Diagnostics) -> Vec<Expr> {
    let Expression::Array(items) = a.value else {
        diags.push(
            Diagnostic::error("Invalid depends_on", "depends_on must be a list of references.")
                .at(range_of(file, &a.value)),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items.into_iter() {
        let e = Expr { file, expr: item };
        match references::static_reference(&e) {
            Ok(_) => out.push(e),
            Err(d) => diags.push(d),
        }
    }
    out
}

fn decode_resource(
    config: &mut Config,
    file: FileId,
    mode: Mode,
    labels: Vec<String>,
    body: Body,
    header: SourceRange,
    diags: &mut Diagnostics,
) {
    let mut labels = labels.into_iter();
    let type_name = labels.next().unwrap_or_default();
    let name = labels.next().unwrap_or_default();
    let addr = ResourceAddr::new(mode, type_name.clone(), name);
    let mut rest = Body::new();
    let mut count = None;
    let mut for_each = None;
    let mut depends_on = Vec::new();
    let mut provider = None;
    let mut provider_range = None;
    let mut lifecycle = Lifecycle::default();
    let mut lifecycle_seen = false;
    for s in body.into_iter() {
        match s {
            Structure::Attribute(a) => match a.key.as_str() {
                "count" => count = Some(expr(file, a)),
                "for_each" => for_each = Some(expr(file, a)),
                "depends_on" => depends_on = depends_on_list(file, a, diags),
                "provider" => {
                    provider_range = Some(range_of(file, &a.value));
                    match provider_reference(&a.value) {
                        Some(p) => provider = Some(p),
                        None => diags.push(
                            Diagnostic::error(
                                "Invalid provider reference",
                                "The provider argument takes a provider name and optional alias, like aws.west (not a string).",
                            )
                            .at(range_of(file, &a.value)),
                        ),
                    }
                }
                _ => rest.push(Structure::Attribute(a)),
            },
            Structure::Block(b) if b.ident.as_str() == "lifecycle" => {
                if lifecycle_seen {
                    diags.push(
                        Diagnostic::error(
                            "Duplicate lifecycle block",
                            "Only one lifecycle block is allowed in a resource.",
                        )
                        .at(header_range(file, &b)),
                    );
                    continue;
                }
                lifecycle_seen = true;
                lifecycle = decode_lifecycle(file, b.body, mode, diags);
            }
            Structure::Block(b) if matches!(b.ident.as_str(), "provisioner" | "connection") => diags.push(
                Diagnostic::error(
                    "Provisioners are not supported",
                    "terrane does not run provisioners; use user_data, cloud-init or a swarm service instead.",
                )
                .at(header_range(file, &b)),
            ),
            other => rest.push(other),
        }
    }
    if count.is_some() && for_each.is_some() {
        diags.push(
            Diagnostic::error(
                "Invalid combination of \"count\" and \"for_each\"",
                "The \"count\" and \"for_each\" meta-arguments are mutually-exclusive; only one may be used.",
            )
            .at(header.clone()),
        );
    }
    let provider = provider.unwrap_or_else(|| implied_provider(&type_name).to_string());
    if let Some(prev) = config.resources.get(&addr) {
        let what = if mode == Mode::Data { "data" } else { "resource" };
        diags.push(
            Diagnostic::error(
                format!("Duplicate {what} \"{}\" configuration", addr.type_name),
                format!("A {what} named \"{}\" was already declared. Names must be unique per type.", addr.name),
            )
            .at(header)
            .with_related(prev.range.clone(), "first declared here"),
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
            body: BlockBody { file, body: rest },
            range: header,
        },
    );
}

pub(super) fn provider_reference(e: &Expression) -> Option<String> {
    match e {
        Expression::Variable(v) => Some(v.as_str().to_string()),
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else { return None };
            match t.operators.as_slice() {
                [op] => match op.value() {
                    hcl_edit::expr::TraversalOperator::GetAttr(alias) => {
                        Some(format!("{}.{}", root.as_str(), alias.as_str()))
                    }
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

fn decode_lifecycle(file: FileId, body: Body, mode: Mode, diags: &mut Diagnostics) -> Lifecycle {
    let managed_only = ["create_before_destroy", "prevent_destroy", "ignore_changes", "replace_triggered_by"];
    let mut parts = split_body(file, body, &managed_only, &["precondition", "postcondition"], "lifecycle block", diags);
    let mut lc = Lifecycle {
        preconditions: decode_checks(file, &mut parts.blocks, "precondition", diags),
        postconditions: decode_checks(file, &mut parts.blocks, "postcondition", diags),
        ..Lifecycle::default()
    };
    if mode == Mode::Data {
        if let Some((name, a)) = parts.attrs.first() {
            diags.push(
                Diagnostic::error(
                    "Unsupported lifecycle argument",
                    format!("\"{name}\" applies to managed resources only; data sources take only precondition and postcondition blocks."),
                )
                .at(range_of(file, &a.key)),
            );
        }
        return lc;
    }
    if let Some(a) = parts.attrs.get("create_before_destroy") {
        lc.create_before_destroy = constant_bool(file, a, diags);
    }
    if let Some(a) = parts.attrs.get("prevent_destroy") {
        lc.prevent_destroy = constant_bool(file, a, diags);
    }
    if let Some(a) = parts.attrs.shift_remove("ignore_changes") {
        lc.ignore_changes = decode_ignore_changes(file, a, diags);
    }
    if let Some(a) = parts.attrs.shift_remove("replace_triggered_by") {
        match a.value {
            Expression::Array(items) => {
                for item in items.into_iter() {
                    let e = Expr { file, expr: item };
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
            other => diags.push(
                Diagnostic::error("Invalid replace_triggered_by", "replace_triggered_by must be a list of references.")
                    .at(range_of(file, &other)),
            ),
        }
    }
    lc
}

fn decode_ignore_changes(file: FileId, a: Attribute, diags: &mut Diagnostics) -> IgnoreChanges {
    match &a.value {
        Expression::Variable(v) if v.as_str() == "all" => return IgnoreChanges::All,
        Expression::String(s) if s.as_str() == "all" => return IgnoreChanges::All,
        Expression::Array(_) => {}
        other => {
            diags.push(
                Diagnostic::error(
                    "Invalid ignore_changes",
                    "ignore_changes must be \"all\" or a list of attribute names.",
                )
                .at(range_of(file, other)),
            );
            return IgnoreChanges::None;
        }
    }
    let Expression::Array(items) = a.value else { unreachable!() };
    let mut paths = Vec::new();
    for item in items.into_iter() {
        match references::attribute_path(&item) {
            Some(p) => paths.push(p),
            None => diags.push(
                Diagnostic::error(
                    "Invalid ignore_changes entry",
                    "Each entry must be an attribute name of this resource, like tags or tags[\"Name\"].",
                )
                .at(range_of(file, &item)),
            ),
        }
    }
    IgnoreChanges::Paths(paths)
}
