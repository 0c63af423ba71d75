//! Filesystem functions: file, fileexists, filebase64, templatefile, and the path functions
//! basename, dirname, abspath, pathexpand.

use super::*;
use crate::eval::{EmptyScope, Evaluator};
use base64::Engine;
use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::template::{ForTemplateExpr, Template};
use hcl_edit::visit::Visit;
use std::cell::Cell;
use std::path::PathBuf;

pub(super) fn functions() -> Vec<Function> {
    vec![
        Function::new("file", &["path"], file),
        Function::new("fileexists", &["path"], fileexists),
        Function::new("filebase64", &["path"], |ctx, a| {
            let (bytes, _) = read_file(ctx, &str_arg(&a, 0)?)?;
            Ok(Value::String(base64::engine::general_purpose::STANDARD.encode(bytes)))
        }),
        Function::new("templatefile", &["path", "vars"], templatefile),
        Function::new("basename", &["path"], |_, a| Ok(Value::String(base_name(&str_arg(&a, 0)?)))),
        Function::new("dirname", &["path"], |_, a| Ok(Value::String(dir_name(&str_arg(&a, 0)?)))),
        Function::new("abspath", &["path"], abspath),
        Function::new("pathexpand", &["path"], |_, a| {
            expand_home(&str_arg(&a, 0)?).map(Value::String).map_err(|e| FuncError::Call(format!("{e}.")))
        }),
    ]
}

// ---- paths, with Go's `path/filepath` semantics ----

/// Go's `filepath.Clean`: resolves `.`, `..` and repeated separators lexically.
fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&p) if p != ".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(".."),
            },
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// Go's `filepath.Base`: the last element, ignoring trailing slashes.
fn base_name(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// Go's `filepath.Dir`: everything but the last element, cleaned.
fn dir_name(path: &str) -> String {
    let cut = path.rfind('/').map_or(0, |i| i + 1);
    clean(&path[..cut])
}

/// `~` or `~/...` to the home directory, as Terraform's `homedir.Expand` does.
fn expand_home(path: &str) -> Result<String, String> {
    let Some(rest) = path.strip_prefix('~') else { return Ok(path.to_string()) };
    if !rest.is_empty() && !rest.starts_with('/') && !rest.starts_with('\\') {
        return Err("cannot expand user-specific home dir".into());
    }
    let home = std::env::var("HOME").map_err(|_| "failed to find the home directory".to_string())?;
    Ok(clean(&format!("{home}/{rest}")))
}

/// The path a file function reads: `~` expanded, relative paths resolved against the
/// module directory, cleaned.
fn resolve(ctx: &FuncCtx<'_>, path: &str) -> Result<String, FuncError> {
    let path = expand_home(path).map_err(|e| FuncError::Call(format!("failed to expand ~: {e}.")))?;
    if path.starts_with('/') {
        return Ok(clean(&path));
    }
    Ok(clean(&format!("{}/{path}", ctx.base_dir.to_string_lossy())))
}

fn read_file(ctx: &FuncCtx<'_>, path: &str) -> Result<(Vec<u8>, String), FuncError> {
    let resolved = resolve(ctx, path)?;
    match std::fs::read(&resolved) {
        Ok(bytes) => Ok((bytes, resolved)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(arg_err(
            0,
            format!(
                "no file exists at {}; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource.",
                super::encoding::json_string(&resolved)
            ),
        )),
        Err(_) if std::path::Path::new(&resolved).is_dir() => {
            Err(arg_err(0, format!("failed to read file: read {resolved}: is a directory.")))
        }
        Err(e) => Err(arg_err(0, format!("failed to read file: {e}."))),
    }
}

fn read_text(ctx: &FuncCtx<'_>, path: &str) -> Result<String, FuncError> {
    let (bytes, resolved) = read_file(ctx, path)?;
    String::from_utf8(bytes).map_err(|_| {
        arg_err(
            0,
            format!(
                "contents of {resolved} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead."
            ),
        )
    })
}

fn file(ctx: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    read_text(ctx, &str_arg(&a, 0)?).map(Value::String)
}

fn fileexists(ctx: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let resolved = resolve(ctx, &str_arg(&a, 0)?)?;
    let quoted = super::encoding::json_string(&resolved);
    match std::fs::metadata(&resolved) {
        Ok(m) if m.is_file() => Ok(Value::Bool(true)),
        Ok(m) if m.is_dir() => Err(FuncError::Call(format!("{quoted} is a directory, not a file."))),
        Ok(_) => Err(FuncError::Call(format!("{quoted} is not a regular file."))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::Bool(false)),
        Err(_) => Err(FuncError::Call(format!("failed to stat {quoted}."))),
    }
}

fn abspath(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let path = str_arg(&a, 0)?;
    if path.starts_with('/') {
        return Ok(Value::String(clean(&path)));
    }
    let cwd: PathBuf = std::env::current_dir().map_err(|e| FuncError::Call(format!("{e}.")))?;
    Ok(Value::String(clean(&format!("{}/{path}", cwd.to_string_lossy()))))
}

// ---- templatefile ----

thread_local! {
    /// Set while a template file is rendered: templates may not call `templatefile`.
    static IN_TEMPLATE: Cell<bool> = const { Cell::new(false) };
}

/// Clears [`IN_TEMPLATE`] when rendering ends, even by a panic.
struct TemplateGuard;

impl Drop for TemplateGuard {
    fn drop(&mut self) {
        IN_TEMPLATE.with(|t| t.set(false));
    }
}

fn templatefile(ctx: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    if IN_TEMPLATE.with(Cell::get) {
        return Err(FuncError::Call(
            "cannot recursively call templatefile from inside another template function.".into(),
        ));
    }
    let path = str_arg(&a, 0)?;
    let Value::Map(vars) = &a[1] else {
        return Err(arg_err(1, "invalid vars value: must be a map."));
    };
    let src = read_text(ctx, &path)?;
    let range = |span: std::ops::Range<usize>| {
        let (l1, c1) = crate::diag::line_col(&src, span.start);
        let (l2, c2) = crate::diag::line_col(&src, span.end);
        if l1 == l2 { format!("{path}:{l1},{c1}-{c2}") } else { format!("{path}:{l1},{c1}-{l2},{c2}") }
    };
    let template = hcl_edit::parser::parse_template(&src).map_err(|e| {
        let (line, col) = (e.location().line(), e.location().column());
        FuncError::Call(format!("{path}:{line},{col}-{col}: Invalid template; {}.", e.message()))
    })?;
    // As Terraform does, every name the template refers to must be among the variables,
    // whether or not the reference is evaluated: the template sees nothing else.
    let mut refs = TemplateRefs::default();
    refs.visit_template(&template);
    if let Some((name, span)) = refs.unbound.into_iter().find(|(name, _)| !vars.contains_key(name)) {
        return Err(arg_err(
            1,
            format!(
                "vars map does not contain key {}, referenced at {}.",
                super::encoding::json_string(&name),
                range(span)
            ),
        ));
    }
    IN_TEMPLATE.with(|t| t.set(true));
    let _guard = TemplateGuard;
    let mut ev = Evaluator::new(&EmptyScope, ctx.base_dir);
    ev.bound = vars.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    render_template(&mut ev, &template).map_err(|d| {
        let at = d.range.map(|r| range(r.span)).unwrap_or_else(|| path.clone());
        FuncError::Call(format!("{at}: {}; {}.", d.summary, d.detail))
    })
}

fn render_template(ev: &mut Evaluator<'_>, template: &Template) -> Result<Value, crate::diag::Diagnostic> {
    ev.template(template)
}

/// The names a template refers to that its own `for` expressions and directives do not
/// bind, with where they are.
#[derive(Default)]
struct TemplateRefs {
    bound: Vec<String>,
    unbound: Vec<(String, std::ops::Range<usize>)>,
}

impl Visit for TemplateRefs {
    fn visit_expr(&mut self, e: &Expression) {
        match e {
            Expression::Variable(v) => {
                if !self.bound.iter().any(|b| b == v.as_str()) {
                    self.unbound.push((v.as_str().to_string(), v.span().unwrap_or(0..0)));
                }
            }
            Expression::ForExpr(f) => {
                self.visit_expr(&f.intro.collection_expr);
                let depth = self.bound.len();
                if let Some(k) = &f.intro.key_var {
                    self.bound.push(k.as_str().to_string());
                }
                self.bound.push(f.intro.value_var.as_str().to_string());
                if let Some(k) = &f.key_expr {
                    self.visit_expr(k);
                }
                self.visit_expr(&f.value_expr);
                if let Some(c) = &f.cond {
                    self.visit_expr(&c.expr);
                }
                self.bound.truncate(depth);
            }
            Expression::Object(obj) => {
                for (k, v) in obj.iter() {
                    // A bare name as an object key is the key itself, not a reference.
                    if let ObjectKey::Expression(k) = k
                        && !matches!(k, Expression::Variable(_))
                    {
                        self.visit_expr(k);
                    }
                    self.visit_expr(v.expr());
                }
            }
            other => hcl_edit::visit::visit_expr(self, other),
        }
    }

    fn visit_for_template_expr(&mut self, f: &ForTemplateExpr) {
        self.visit_expr(&f.collection_expr);
        let depth = self.bound.len();
        if let Some(k) = &f.key_var {
            self.bound.push(k.as_str().to_string());
        }
        self.bound.push(f.value_var.as_str().to_string());
        self.visit_template(&f.template);
        self.bound.truncate(depth);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn dir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("temp dir");
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).expect("write");
        }
        dir
    }

    #[test]
    fn path_functions() {
        let cases = [
            ("basename", "/a/b/c.txt", "c.txt"),
            ("basename", "a/b/", "b"),
            ("basename", "", "."),
            ("basename", "/", "/"),
            ("dirname", "/a/b/c.txt", "/a/b"),
            ("dirname", "c", "."),
            ("dirname", "/a/b/", "/a/b"),
            ("dirname", "", "."),
            ("dirname", "a//b", "a"),
            ("dirname", "/a", "/"),
            ("abspath", "/a/./b/../c/", "/a/c"),
            ("pathexpand", "/x/~", "/x/~"),
        ];
        for (f, input, want) in cases {
            assert_eq!(ok(f, vec![s(input)]), s(want), "{f}({input:?})");
        }
        let home = std::env::var("HOME").expect("HOME");
        assert_eq!(ok("pathexpand", vec![s("~/x")]), s(&format!("{}/x", clean(&home))));
        assert_eq!(err("pathexpand", vec![s("~bob/x")]), "cannot expand user-specific home dir.");
        let cwd = std::env::current_dir().expect("cwd");
        assert_eq!(ok("abspath", vec![s("a/../b")]), s(&format!("{}/b", cwd.to_string_lossy())));
        assert_eq!(clean("../a/../../b/./c//"), "../../b/c");
        assert_eq!(clean("/../a"), "/a");
    }

    #[test]
    fn reading_files() {
        let dir = dir_with(&[("f.txt", b"abc"), ("bin", &[0xff, 0x00])]);
        let call = |name: &str, path: &str| call_fn_in(dir.path(), name, vec![s(path)]);
        assert_eq!(call("file", "f.txt"), Ok(s("abc")));
        assert_eq!(call("filebase64", "f.txt"), Ok(s("YWJj")));
        assert_eq!(call("filebase64", "bin"), Ok(s("/wA=")));
        assert_eq!(call("fileexists", "f.txt"), Ok(Value::Bool(true)));
        assert_eq!(call("fileexists", "nope"), Ok(Value::Bool(false)));
        let root = dir.path().to_string_lossy().to_string();
        assert_eq!(call("fileexists", &format!("{root}/f.txt")), Ok(Value::Bool(true)));
        assert_eq!(call("fileexists", "."), Err(FuncError::Call(format!("\"{root}\" is a directory, not a file."))));
        let Err(FuncError::Arg(0, m)) = call("file", "nope") else { panic!() };
        assert!(
            m.starts_with(&format!("no file exists at \"{root}/nope\"; this function works only with files")),
            "{m}"
        );
        let Err(FuncError::Arg(0, m)) = call("file", "bin") else { panic!() };
        assert!(
            m.starts_with(&format!("contents of {root}/bin are not valid UTF-8; use the filebase64 function")),
            "{m}"
        );
        assert_eq!(
            call("file", "."),
            Err(FuncError::Arg(0, format!("failed to read file: read {root}: is a directory.")))
        );
    }

    #[test]
    fn templatefile_renders_with_vars_only() {
        let dir = dir_with(&[
            ("t.tmpl", b"hello ${name}\n%{ for x in items ~}\n- ${upper(x)}\n%{ endfor ~}\n"),
            ("single.tmpl", b"${items}"),
            ("bad.tmpl", b"${foo.bar}"),
            ("lazy.tmpl", b"%{ if false }${missing}%{ endif }"),
            ("for.tmpl", b"${join(\",\", [for k, v in m : \"${k}=${v}\"])}"),
            ("rec.tmpl", b"${templatefile(\"t.tmpl\", {})}"),
            ("null.tmpl", b"x ${name}"),
            ("syntax.tmpl", b"%{ if"),
        ]);
        let tf = |path: &str, vars: Value| call_fn_in(dir.path(), "templatefile", vec![s(path), vars]);
        let vars = Value::object([("name", s("w")), ("items", strs(&["a", "b"]))]);
        assert_eq!(tf("t.tmpl", vars.clone()), Ok(s("hello w\n- A\n- B\n")));
        // A template that is a single interpolation gives its value, whatever the type.
        assert_eq!(tf("single.tmpl", vars.clone()), Ok(strs(&["a", "b"])));
        assert_eq!(tf("for.tmpl", Value::object([("m", Value::object([("a", n(1.0))]))])), Ok(s("a=1")));
        assert_eq!(
            tf("t.tmpl", Value::object([("name", s("w"))])),
            Err(FuncError::Arg(1, "vars map does not contain key \"items\", referenced at t.tmpl:2,13-18.".into()))
        );
        assert_eq!(
            tf("bad.tmpl", Value::object::<&str>([])),
            Err(FuncError::Arg(1, "vars map does not contain key \"foo\", referenced at bad.tmpl:1,3-6.".into()))
        );
        assert_eq!(
            tf("lazy.tmpl", Value::object::<&str>([])),
            Err(FuncError::Arg(
                1,
                "vars map does not contain key \"missing\", referenced at lazy.tmpl:1,16-23.".into()
            ))
        );
        assert_eq!(tf("t.tmpl", list(vec![])), Err(FuncError::Arg(1, "invalid vars value: must be a map.".into())));
        let Err(FuncError::Call(m)) = tf("rec.tmpl", Value::object::<&str>([])) else { panic!() };
        assert!(
            m.ends_with("Call to function \"templatefile\" failed: cannot recursively call templatefile from inside another template function.."),
            "{m}"
        );
        assert!(m.starts_with("rec.tmpl:1,3-"), "{m}");
        assert_eq!(
            tf("null.tmpl", Value::object([("name", Value::Null)])),
            Err(FuncError::Call(
                "null.tmpl:1,5-9: Invalid template interpolation value; The expression result is null. Cannot include a null value in a string template..".into()
            ))
        );
        let Err(FuncError::Call(m)) = tf("syntax.tmpl", Value::object::<&str>([])) else { panic!() };
        assert!(m.starts_with("syntax.tmpl:1,"), "{m}");
        assert!(
            matches!(tf("nope.tmpl", Value::object::<&str>([])), Err(FuncError::Arg(0, m)) if m.starts_with("no file exists at"))
        );
        // Unknown variables give an unknown result; rendering can still go on afterwards.
        assert_eq!(
            tf("t.tmpl", Value::object([("name", Value::Unknown), ("items", list(vec![]))])),
            Ok(Value::Unknown)
        );
        assert_eq!(tf("t.tmpl", vars), Ok(s("hello w\n- A\n- B\n")));
    }
}
