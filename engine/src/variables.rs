//! Input variable values from every source, with Terraform's precedence (later wins):
//! `TF_VAR_name` (and `TERRANE_VAR_name`) environment variables, `terraform.tfvars`,
//! `*.auto.tfvars` in lexical order, then `-var` and `-var-file` in command-line order.

use crate::config::{Config, Expr};
use crate::diag::{Diagnostic, Diagnostics, SourceMap, SourceRange, did_you_mean};
use crate::eval::eval_constant;
use crate::types::{Type, convert};
use crate::value::Value;
use hcl_edit::Span;
use hcl_edit::structure::Structure;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One `-var` or `-var-file` argument, in command-line order.
#[derive(Clone, Debug)]
pub enum CliVar {
    /// `name=value`
    Var(String),
    File(PathBuf),
}

struct Raw {
    value: Value,
    range: Option<SourceRange>,
}

/// Collects the values of the root module's variables. `env` is the process environment.
pub fn collect(
    config: &Config,
    dir: &Path,
    cli: &[CliVar],
    env: &[(String, String)],
    sources: &mut SourceMap,
) -> (BTreeMap<String, Value>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut raw: BTreeMap<String, Raw> = BTreeMap::new();
    let declared = |name: &str| config.variables.get(name);

    for prefix in ["TF_VAR_", "TERRANE_VAR_"] {
        for (k, v) in env {
            let Some(name) = k.strip_prefix(prefix) else { continue };
            if let Some(decl) = declared(name) {
                match parse_raw(v, decl) {
                    Ok(value) => {
                        raw.insert(name.to_string(), Raw { value, range: None });
                    }
                    Err(msg) => diags.push(Diagnostic::error(
                        "Invalid value for input variable",
                        format!(
                            "The environment variable {k} does not contain a valid value for variable \"{name}\": {msg}"
                        ),
                    )),
                }
            }
        }
    }

    let mut files: Vec<PathBuf> = Vec::new();
    for name in ["terraform.tfvars", "terraform.tfvars.json"] {
        let p = dir.join(name);
        if p.is_file() {
            files.push(p);
        }
    }
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut auto: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                let n = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
                n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
            })
            .collect();
        auto.sort();
        files.extend(auto);
    }
    for f in &files {
        read_file(config, f, &mut raw, sources, &mut diags, false);
    }
    for c in cli {
        match c {
            CliVar::Var(kv) => {
                let Some((name, v)) = kv.split_once('=') else {
                    diags.push(Diagnostic::error(
                        "Invalid -var option",
                        format!("The given -var option {kv:?} is not correctly specified. It must be a variable name and value separated by an equals sign, like -var=\"key=value\"."),
                    ));
                    continue;
                };
                let name = name.trim();
                let Some(decl) = declared(name) else {
                    let hint = did_you_mean(name, config.variables.keys().map(String::as_str)).unwrap_or_default();
                    diags.push(Diagnostic::error(
                        "Value for undeclared variable",
                        format!("A variable named \"{name}\" was assigned on the command line, but the root module does not declare a variable of that name.{hint} To use this value, add a \"variable\" block to the configuration."),
                    ));
                    continue;
                };
                match parse_raw(v, decl) {
                    Ok(value) => {
                        raw.insert(name.to_string(), Raw { value, range: None });
                    }
                    Err(msg) => diags.push(Diagnostic::error(
                        "Invalid value for input variable",
                        format!("The value given for variable \"{name}\" with -var is not valid: {msg}"),
                    )),
                }
            }
            CliVar::File(p) => {
                let p = if p.is_absolute() { p.clone() } else { dir.join(p) };
                read_file(config, &p, &mut raw, sources, &mut diags, true);
            }
        }
    }

    let mut out = BTreeMap::new();
    for (name, decl) in &config.variables {
        let given = raw.remove(name);
        let (value, range) = match given {
            Some(r) => (r.value, r.range),
            _ => match &decl.default {
                Some(d) => (d.clone(), None),
                None => {
                    diags.push(
                        Diagnostic::error(
                            "No value for required variable",
                            format!("The root module input variable \"{name}\" is not set, and has no default value. Use a -var or -var-file command line argument, a .tfvars file, or the TF_VAR_{name} environment variable to provide a value for this variable."),
                        )
                        .at(decl.range.clone()),
                    );
                    continue;
                }
            },
        };
        let value = if value.is_null() && !decl.nullable {
            match &decl.default {
                Some(d) => d.clone(),
                None => {
                    diags.push(
                        Diagnostic::error(
                            "Required variable not set",
                            format!("The variable \"{name}\" is not nullable, so it must not be set to null."),
                        )
                        .at(range.clone().unwrap_or(decl.range.clone())),
                    );
                    continue;
                }
            }
        } else {
            value
        };
        match convert(value, &decl.ty) {
            Ok(v) => {
                out.insert(name.clone(), v.mark_if(decl.sensitive));
            }
            Err(e) => diags.push(
                Diagnostic::error(
                    "Invalid value for input variable",
                    format!(
                        "The given value is not suitable for var.{name} declared at {}: {e}.",
                        describe(sources, &decl.range)
                    ),
                )
                .at(range.unwrap_or(decl.range.clone())),
            ),
        }
    }
    (out, diags)
}

/// A module call's argument for an input variable: null falls back to the default when the
/// variable is not nullable, then the value is converted to the variable's type.
pub fn convert_module_input(
    decl: &crate::config::Variable,
    value: Value,
    range: &SourceRange,
) -> Result<Value, Diagnostic> {
    let value = if value.is_null() && !decl.nullable {
        match &decl.default {
            Some(d) => d.clone(),
            None => {
                return Err(Diagnostic::error(
                    "Invalid value for module argument",
                    format!("The variable \"{}\" is not nullable, so it must not be set to null.", decl.name),
                )
                .at(range.clone()));
            }
        }
    } else {
        value
    };
    match convert(value, &decl.ty) {
        Ok(v) => Ok(v.mark_if(decl.sensitive)),
        Err(e) => Err(Diagnostic::error(
            "Invalid value for input variable",
            format!("The given value is not suitable for var.{}: {e}.", decl.name),
        )
        .at(range.clone())
        .with_related(decl.range.clone(), "declared here")),
    }
}

fn describe(sources: &SourceMap, r: &SourceRange) -> String {
    match sources.get(r.file) {
        Some(f) => {
            let (l, _) = crate::diag::line_col(&f.text, r.span.start);
            format!("{}:{l}", f.name)
        }
        None => "its declaration".into(),
    }
}

/// A value from the command line or environment: raw text for string and untyped variables,
/// an HCL expression otherwise (including `type = any`, as Terraform does).
fn parse_raw(text: &str, decl: &crate::config::Variable) -> Result<Value, String> {
    match &decl.ty {
        Type::String => Ok(Value::String(text.to_string())),
        Type::Any if !decl.typed => Ok(Value::String(text.to_string())),
        _ => {
            let expr = hcl_edit::parser::parse_expr(text).map_err(|e| e.message().to_string())?;
            eval_constant(&Expr { file: 0, expr }).map_err(|d| format!("{}: {}", d.summary, d.detail))
        }
    }
}

fn read_file(
    config: &Config,
    path: &Path,
    raw: &mut BTreeMap<String, Raw>,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
    explicit: bool,
) {
    let (text, invalid_at) = match std::fs::read(path) {
        Ok(b) => crate::diag::decode_source(b),
        Err(e) => {
            diags.push(Diagnostic::error(
                "Failed to read variables file",
                format!("Given variables file {} does not exist or cannot be read: {e}", path.display()),
            ));
            return;
        }
    };
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let file = sources.add(if explicit { path.display().to_string() } else { name.clone() }, text.as_str());
    if let Some(at) = invalid_at {
        diags.push(crate::diag::invalid_encoding(file, at));
    }
    let entries: Vec<(String, Result<Value, Diagnostic>, SourceRange)> = if name.ends_with(".json") {
        match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(m)) => {
                m.into_iter().map(|(k, v)| (k, Ok(Value::from_json(&v)), SourceRange::new(file, 0..0))).collect()
            }
            _ => {
                diags.push(
                    Diagnostic::error(
                        "Invalid variables file",
                        format!("{} must contain a JSON object.", path.display()),
                    )
                    .at(SourceRange::new(file, 0..0)),
                );
                return;
            }
        }
    } else {
        let body = match hcl_edit::parser::parse_body(&text) {
            Ok(b) => b,
            Err(e) => {
                let off = e.location().offset();
                diags.push(
                    Diagnostic::error("Invalid syntax", e.message().to_string())
                        .at(SourceRange::new(file, off..off + 1)),
                );
                return;
            }
        };
        let mut out = Vec::new();
        for s in body.into_iter() {
            match s {
                Structure::Attribute(a) => {
                    let range = SourceRange::new(file, a.key.span().unwrap_or(0..0));
                    let v = eval_constant(&Expr { file, expr: a.value });
                    out.push((a.key.as_str().to_string(), v, range));
                }
                Structure::Block(b) => diags.push(
                    Diagnostic::error("Unexpected block", "A variables file takes only argument assignments.")
                        .at(SourceRange::new(file, b.ident.span().unwrap_or(0..0))),
                ),
            }
        }
        out
    };
    for (k, v, range) in entries {
        if !config.variables.contains_key(&k) {
            let hint = did_you_mean(&k, config.variables.keys().map(String::as_str)).unwrap_or_default();
            diags.push(
                Diagnostic::warning(
                    "Value for undeclared variable",
                    format!("The root module does not declare a variable named \"{k}\" but a value was found in file \"{name}\".{hint} To use this value, add a \"variable\" block to the configuration."),
                )
                .at(range),
            );
            continue;
        }
        match v {
            Ok(value) => {
                raw.insert(k, Raw { value, range: Some(range) });
            }
            Err(d) => diags.push(d),
        }
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
        assert_eq!(vals["n"], Value::List(vec![1i64.into(), 2i64.into()]));
    }

    #[test]
    fn errors_for_missing_undeclared_and_mistyped() {
        let dir = tempfile::tempdir().unwrap();
        let c = config("variable \"port\" { type = number }\n");
        let mut sources = SourceMap::default();
        let (_, diags) = collect(&c, dir.path(), &[], &[], &mut sources);
        assert_eq!(diags.0[0].summary, "No value for required variable");
        let (_, diags) = collect(&c, dir.path(), &[CliVar::Var("prot=1".into())], &[], &mut sources);
        assert!(diags.0[0].detail.contains("Did you mean \"port\""), "{}", diags.0[0].detail);
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
