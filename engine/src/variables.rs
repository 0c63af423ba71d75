//! Input variable values, as Terraform collects and prepares them (`collectVariableValues`,
//! `ParseVariableValues`, `prepareFinalInputVariableValue`): from `TF_VAR_name` (and
//! `TERRANE_VAR_name`) environment variables, `terraform.tfvars`, `terraform.tfvars.json`,
//! `*.auto.tfvars` in lexical order, then `-var` and `-var-file` in command-line order (later
//! wins); parsed by the declaration's mode; then defaults, type conversion and nullability,
//! with Terraform's messages.

use crate::config::{Config, Expr, Variable};
use crate::diag::{Diagnostic, Diagnostics, SourceFile, SourceMap, SourceRange};
use crate::eval::eval_constant_all;
use crate::value::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One `-var` or `-var-file` argument, in command-line order.
#[derive(Clone, Debug)]
pub enum CliVar {
    /// `name=value`
    Var(String),
    File(PathBuf),
}

/// Where a variable's value came from (Terraform's `ValueSourceType`, with the range of the
/// value where it has one).
#[derive(Clone, Debug)]
pub enum ValueSource {
    /// A module call's argument, or a root default: the range is the argument's expression
    /// or the declaration.
    Config(SourceRange),
    /// `terraform.tfvars` or `*.auto.tfvars`.
    AutoFile(SourceRange),
    /// `-var-file`.
    NamedFile(SourceRange),
    Env,
    Cli,
    /// A value prepared before: a saved plan's, or one an engine caller gives directly.
    Prepared,
}

impl ValueSource {
    fn range(&self) -> Option<&SourceRange> {
        match self {
            ValueSource::Config(r) | ValueSource::AutoFile(r) | ValueSource::NamedFile(r) => Some(r),
            ValueSource::Env | ValueSource::Cli | ValueSource::Prepared => None,
        }
    }
}

/// A variable's value before it is prepared: `None` when it was not set at all (not even to
/// null).
#[derive(Clone, Debug)]
pub struct InputValue {
    pub value: Option<Value>,
    pub source: ValueSource,
}

impl From<Value> for InputValue {
    /// A value already prepared (preparing it again changes nothing).
    fn from(v: Value) -> InputValue {
        InputValue { value: Some(v), source: ValueSource::Prepared }
    }
}

impl InputValue {
    /// Not set at all: the declaration's default applies.
    pub fn unset(decl: &Variable) -> InputValue {
        InputValue { value: None, source: ValueSource::Config(decl.range.clone()) }
    }
}

/// A value as given, before its declaration decides how to read it.
enum Unparsed {
    Text { text: String, source: ValueSource },
    Expr { expr: Expr, file_name: String, named: bool },
}

/// Collects and prepares the values of the root module's variables. `env` is the process
/// environment; `dir` the directory `terraform.tfvars` and `*.auto.tfvars` are read from.
pub fn collect(
    config: &Config,
    dir: &Path,
    cli: &[CliVar],
    env: &[(String, String)],
    sources: &mut SourceMap,
) -> (BTreeMap<String, Value>, Diagnostics) {
    let (inputs, mut diags) = collect_inputs(config, dir, cli, env, sources);
    let mut out = BTreeMap::new();
    for (name, decl) in &config.variables {
        let Some(raw) = inputs.get(name) else { continue };
        let (v, d) = prepare_final(&format!("var.{name}"), raw, decl, sources);
        let failed = d.has_errors();
        diags.extend(d);
        if !failed {
            out.insert(name.clone(), v);
        }
    }
    (out, diags)
}

/// Collects the values of the root module's variables as given (Terraform's
/// `ParseVariableValues`): parsed, undeclared ones reported, required ones present. They
/// are prepared ([`prepare_final`]) later, by the plan, as Terraform does: a value that does
/// not suit its variable is an error of the plan, which still shows what it could plan.
pub fn collect_inputs(
    config: &Config,
    dir: &Path,
    cli: &[CliVar],
    env: &[(String, String)],
    sources: &mut SourceMap,
) -> (BTreeMap<String, InputValue>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut given: BTreeMap<String, Unparsed> = BTreeMap::new();

    for prefix in ["TF_VAR_", "TERRANE_VAR_"] {
        for (k, v) in env {
            if let Some(name) = k.strip_prefix(prefix) {
                given.insert(name.to_string(), Unparsed::Text { text: v.clone(), source: ValueSource::Env });
            }
        }
    }
    let mut auto_files: Vec<String> = Vec::new();
    for name in ["terraform.tfvars", "terraform.tfvars.json"] {
        if dir.join(name).is_file() {
            auto_files.push(name.to_string());
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut auto: Vec<String> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json"))
            .collect();
        auto.sort();
        auto_files.extend(auto);
    }
    for name in &auto_files {
        read_file(&dir.join(name), name, false, &mut given, sources, &mut diags);
    }
    for c in cli {
        match c {
            CliVar::Var(raw) => {
                let Some((name, value)) = raw.split_once('=') else {
                    diags.push(Diagnostic::error(
                        "Invalid -var option",
                        format!("The given -var option {} is not correctly specified. Must be a variable name and value separated by an equals sign, like -var=\"key=value\".", go_quote(raw)),
                    ));
                    continue;
                };
                if name.ends_with(' ') {
                    diags.push(Diagnostic::error(
                        "Invalid -var option",
                        format!(
                            "Variable name {} is invalid due to trailing space. Did you mean -var=\"{}={}\"?",
                            go_quote(name),
                            name.trim_end_matches(' '),
                            value.trim_start_matches(' ')
                        ),
                    ));
                    continue;
                }
                given.insert(name.to_string(), Unparsed::Text { text: value.to_string(), source: ValueSource::Cli });
            }
            CliVar::File(p) => {
                let shown = p.display().to_string();
                let full = if p.is_absolute() { p.clone() } else { dir.join(p) };
                read_file(&full, &shown, true, &mut given, sources, &mut diags);
            }
        }
    }

    // ParseVariableValues: declared values by their declaration's mode; undeclared ones
    // warned about (files) or refused (command line).
    let mut inputs: BTreeMap<String, InputValue> = BTreeMap::new();
    let mut undeclared_in_files = 0;
    for (name, u) in given {
        let Some(decl) = config.variables.get(&name) else {
            match u {
                Unparsed::Expr { file_name, .. } => {
                    if undeclared_in_files < 2 {
                        diags.push(Diagnostic::warning(
                            "Value for undeclared variable",
                            format!("The root module does not declare a variable named {} but a value was found in file {}. If you meant to use this value, add a \"variable\" block to the configuration.\n\nTo silence these warnings, use TF_VAR_... environment variables to provide certain \"global\" settings to all configurations in your organization. To reduce the verbosity of these warnings, use the -compact-warnings option.", go_quote(&name), go_quote(&file_name)),
                        ));
                    }
                    undeclared_in_files += 1;
                }
                Unparsed::Text { source: ValueSource::Cli, .. } => diags.push(Diagnostic::error(
                    "Value for undeclared variable",
                    format!("A variable named {} was assigned on the command line, but the root module does not declare a variable of that name. To use this value, add a \"variable\" block to the configuration.", go_quote(&name)),
                )),
                Unparsed::Text { .. } => {}
            }
            continue;
        };
        let (value, source, d) = match u {
            Unparsed::Text { text, source } => {
                let (v, d) = parse_text(&name, &text, decl.parse_literal, sources);
                (v, source, d)
            }
            Unparsed::Expr { expr, named, .. } => {
                let (v, d) = eval_constant_all(&expr);
                let r = expr.range();
                (v, if named { ValueSource::NamedFile(r) } else { ValueSource::AutoFile(r) }, d)
            }
        };
        let failed = d.iter().any(Diagnostic::is_error);
        diags.0.extend(d);
        if !failed {
            inputs.insert(name, InputValue { value: Some(value), source });
        }
    }
    if undeclared_in_files > 2 {
        diags.push(Diagnostic::warning(
            "Values for undeclared variables",
            format!(
                "In addition to the other similar warnings shown, {} other variable(s) defined without being declared.",
                undeclared_in_files - 2
            ),
        ));
    }

    let mut out = BTreeMap::new();
    for (name, decl) in &config.variables {
        let raw = match inputs.remove(name) {
            Some(raw) => raw,
            None if decl.default.is_none() => {
                diags.push(
                    Diagnostic::error(
                        "No value for required variable",
                        format!("The root module input variable {} is not set, and has no default value. Use a -var or -var-file command line argument to provide a value for this variable.", go_quote(name)),
                    )
                    .at(decl.range.clone()),
                );
                continue;
            }
            None => InputValue::unset(decl),
        };
        out.insert(name.clone(), raw);
    }
    (out, diags)
}

/// Terraform's `prepareFinalInputVariableValue`: the default when nothing was given, the
/// type's optional-attribute defaults, conversion to the type constraint, then null handled
/// by `nullable`; sensitive variables come out marked. `addr` is the variable's address
/// (`var.x`, `module.a[0].var.x`).
pub fn prepare_final(addr: &str, raw: &InputValue, decl: &Variable, sources: &SourceMap) -> (Value, Diagnostics) {
    let mut diags = Diagnostics::new();
    let placeholder = || Value::unknown(decl.ty.clone());
    let decl_range = sources.range_string(&decl.range);
    let default = match &decl.default {
        Some(d) => match crate::cty::convert::convert(d.clone(), &decl.ty) {
            Ok(v) => Some(v),
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        "Invalid default value for module argument",
                        format!(
                            "The default value for variable {} is incompatible with its type constraint: {}.",
                            go_quote(&decl.name),
                            e.message
                        ),
                    )
                    .at(decl.range.clone()),
                );
                return (placeholder(), diags);
            }
        },
        None => None,
    };
    let non_file_source = match &raw.source {
        ValueSource::Cli => Some(format!("set using -var=\"{}=...\"", decl.name)),
        ValueSource::Env => Some(format!("set using the TF_VAR_{} environment variable", decl.name)),
        _ => None,
    };
    let source_range = raw.source.range().cloned().unwrap_or_else(|| decl.range.clone());
    let given = match (&raw.value, &default) {
        (Some(v), _) => v.clone(),
        (None, Some(d)) => d.clone(),
        (None, None) => {
            diags.push(
                Diagnostic::error(
                    "Required variable not set",
                    format!("The variable {} is required, but is not set.", go_quote(&decl.name)),
                )
                .at(decl.range.clone()),
            );
            return (placeholder(), diags);
        }
    };
    let given = match &decl.defaults {
        Some(d) if !given.is_null() => d.apply(given),
        _ => given,
    };
    let val = match crate::cty::convert::convert(given, &decl.ty) {
        Ok(v) => v,
        Err(e) => {
            let err = &e.message;
            let (detail, subject) = match &non_file_source {
                Some(src) => (format!("Unsuitable value for {addr} {src}: {err}."), decl.range.clone()),
                None if decl.sensitive => (
                    format!(
                        "The given value is not suitable for {addr}, which is sensitive: {err}. Invalid value defined at {}.",
                        sources.range_string(&source_range)
                    ),
                    decl.range.clone(),
                ),
                None => (
                    format!("The given value is not suitable for {addr} declared at {decl_range}: {err}."),
                    source_range.clone(),
                ),
            };
            diags.push(Diagnostic::error("Invalid value for input variable", detail).at(subject));
            return (placeholder(), diags);
        }
    };
    let val = if val.is_null() && !decl.nullable {
        match default {
            Some(d) => d,
            None => {
                let d = match &non_file_source {
                    Some(src) => Diagnostic::error(
                        "Required variable not set",
                        format!("Unsuitable value for {addr} {src}: required variable may not be set to null."),
                    )
                    .at(decl.range.clone()),
                    None => Diagnostic::error(
                        "Required variable not set",
                        format!(
                            "The given value is not suitable for {addr} defined at {decl_range}: required variable may not be set to null."
                        ),
                    )
                    .at(source_range),
                };
                diags.push(d);
                return (placeholder(), diags);
            }
        }
    } else {
        val
    };
    (val.mark_if(decl.sensitive), diags)
}

/// A module call's argument for an input variable (`None` when the call does not set it),
/// prepared as [`prepare_final`] does; `range` is the argument's expression.
pub fn convert_module_input(
    addr: &str,
    decl: &Variable,
    value: Option<Value>,
    range: Option<&SourceRange>,
    sources: &SourceMap,
) -> (Value, Diagnostics) {
    let source = ValueSource::Config(range.cloned().unwrap_or_else(|| decl.range.clone()));
    prepare_final(addr, &InputValue { value, source }, decl, sources)
}

fn go_quote(s: &str) -> String {
    crate::cty::ty::go_quote(s)
}

/// `VariableParsingMode.Parse`: the text itself, or an HCL expression evaluated without a
/// context, from a pseudo-file named `<value for var.NAME>`.
fn parse_text(name: &str, text: &str, literal: bool, sources: &mut SourceMap) -> (Value, Vec<Diagnostic>) {
    if literal {
        return (Value::string(text), Vec::new());
    }
    let file_name = format!("<value for var.{name}>");
    let file = sources.add(file_name.clone(), text);
    let source = Arc::new(SourceFile { name: file_name.clone(), text: Arc::from(text) });
    let (e, parse_diags) = crate::hcl::parse_expression(text.as_bytes(), &file_name);
    if !parse_diags.is_empty() {
        let diags: Vec<Diagnostic> = parse_diags.into_iter().map(|d| crate::config::hcl_diagnostic(file, d)).collect();
        if diags.iter().any(Diagnostic::is_error) {
            return (Value::DYNAMIC, diags);
        }
    }
    eval_constant_all(&Expr::new(file, e, &source))
}

/// `addVarsFromFile`: the file's attributes, kept unevaluated until their declarations are
/// known. `shown` is the name Terraform reports (as given on the command line).
fn read_file(
    path: &Path,
    shown: &str,
    named: bool,
    to: &mut BTreeMap<String, Unparsed>,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            diags.push(Diagnostic::error(
                "Failed to read variables file",
                format!("Given variables file {shown} does not exist."),
            ));
            return;
        }
        Err(e) => {
            diags
                .push(Diagnostic::error("Failed to read variables file", format!("Error while reading {shown}: {e}.")));
            return;
        }
    };
    let decoded = crate::diag::Decoded::new(&bytes);
    let text = decoded.text.clone();
    let file = sources.add(shown.to_string(), text.as_str());
    let source = Arc::new(SourceFile { name: shown.to_string(), text: Arc::from(text.as_str()) });
    if shown.ends_with(".json") {
        let parsed = crate::cty::json::parse(&text).and_then(|j| {
            let ty = crate::cty::json::implied_type(&j)?;
            crate::cty::json::unmarshal(&j, &ty).map_err(|e| e.message)
        });
        match parsed {
            Ok(v) if v.ty().is_object() => {
                for (k, v) in v.as_map().cloned().unwrap_or_default() {
                    let expr = crate::hcl::ast::Expr::new(crate::hcl::ast::ExprKind::Literal(v), 0..0);
                    to.insert(k, Unparsed::Expr { expr: Expr::new(file, expr, &source), file_name: shown.into(), named });
                }
            }
            Ok(_) => diags.push(
                Diagnostic::error("Incorrect JSON value type", "The root value in a JSON-based configuration must be either a JSON object or a JSON array of objects.")
                    .at(SourceRange::new(file, 0..text.len().min(1))),
            ),
            Err(e) => diags.push(Diagnostic::error("Syntax error", e).at(SourceRange::new(file, 0..text.len().min(1)))),
        }
        return;
    }
    let (body, parse_diags) = crate::hcl::parse_config(&bytes, shown);
    let mut failed = false;
    for mut d in parse_diags {
        d.subject = decoded.span(&d.subject);
        d.context = d.context.map(|c| decoded.span(&c));
        let d = crate::config::hcl_diagnostic(file, d);
        failed |= d.is_error();
        diags.push(d);
    }
    for b in &body.blocks {
        if b.ty == "variable" && b.labels.len() == 1 {
            let name = &b.labels[0];
            diags.push(
                Diagnostic::error(
                    "Variable declaration in .tfvars file",
                    format!("A .tfvars file is used to assign values to variables that have already been declared in .tf files, not to declare new variables. To declare variable {}, place this block in one of your .tf files, such as variables.tf.\n\nTo set a value for this variable in {shown}, use the definition syntax instead:\n    {name} = <value>", go_quote(name)),
                )
                .at(SourceRange::new(file, b.type_span.clone())),
            );
            failed = true;
        }
    }
    if failed {
        return;
    }
    if let Some(b) = body.blocks.first() {
        diags.push(
            Diagnostic::error(format!("Unexpected {} block", go_quote(&b.ty)), "Blocks are not allowed here.")
                .at(SourceRange::new(file, b.type_span.clone())),
        );
    }
    for a in body.attributes {
        to.insert(
            a.name.clone(),
            Unparsed::Expr { expr: Expr::new(file, a.expr, &source), file_name: shown.into(), named },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(src: &str) -> Config {
        let (c, d) = crate::config::load_sources(vec![("main.tf".into(), src.into())]);
        assert!(!d.has_errors(), "{d}");
        c
    }

    #[test]
    fn precedence_env_then_files_then_cli() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("terraform.tfvars"), "a = \"file\"\nb = \"file\"\n").unwrap();
        std::fs::write(dir.path().join("x.auto.tfvars"), "b = \"auto\"\n").unwrap();
        let c =
            config("variable \"a\" {}\nvariable \"b\" {}\nvariable \"c\" {}\nvariable \"n\" { type = list(number) }\n");
        let env = vec![("TF_VAR_c".to_string(), "env".to_string()), ("TF_VAR_a".to_string(), "env".to_string())];
        let cli = vec![CliVar::Var("n=[1, 2]".into())];
        let mut sources = SourceMap::default();
        let (vals, diags) = collect(&c, dir.path(), &cli, &env, &mut sources);
        assert!(!diags.has_errors(), "{diags}");
        assert_eq!(vals["a"], Value::from("file"));
        assert_eq!(vals["b"], Value::from("auto"));
        assert_eq!(vals["c"], Value::from("env"));
        assert_eq!(vals["n"], Value::list(crate::cty::Type::Number, vec![1i64.into(), 2i64.into()]));
    }

    #[test]
    fn errors_for_missing_undeclared_and_mistyped() {
        let dir = tempfile::tempdir().unwrap();
        let c = config("variable \"port\" { type = number }\n");
        let mut sources = SourceMap::default();
        let (_, diags) = collect(&c, dir.path(), &[], &[], &mut sources);
        assert_eq!(diags.0[0].summary, "No value for required variable");
        let (_, diags) = collect(&c, dir.path(), &[CliVar::Var("prot=1".into())], &[], &mut sources);
        assert_eq!(diags.0[0].summary, "Value for undeclared variable");
        let (_, diags) = collect(&c, dir.path(), &[CliVar::Var("port=abc".into())], &[], &mut sources);
        assert_eq!(diags.0[0].summary, "Invalid value for input variable");
    }

    #[test]
    fn sensitive_variables_are_marked() {
        let dir = tempfile::tempdir().unwrap();
        let c = config("variable \"pw\" {\n  sensitive = true\n  default = \"x\"\n}\n");
        let (vals, _) = collect(&c, dir.path(), &[], &[], &mut SourceMap::default());
        assert!(vals["pw"].is_sensitive());
    }
}
