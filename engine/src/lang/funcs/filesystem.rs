//! Functions of the filesystem family, after Terraform's `lang/funcs/filesystem.go`: paths
//! (`abspath`, `basename`, `dirname`, `pathexpand`) with Go's lexical rules, and files read
//! relative to the module's directory (`file`, `filebase64`, `fileexists`, `fileset`,
//! `templatefile`) with Terraform's error texts. The file hashes are in `crypto`.

mod glob;
pub(super) mod gopath;
mod template;

use crate::cty::ty::go_quote;
use crate::cty::{Marks, Type, Value};
use crate::lang::function::{FuncCtx, FuncError, Function, ImplFn, Param, Returns, refine_not_null};
use base64::Engine as _;
use std::io::Read as _;

pub(super) fn functions() -> Vec<Function> {
    vec![
        string_fn("abspath", |_, a, _| {
            one_string(a, |s| gopath::abs(s).map_err(|e| FuncError::other(gopath::go_io_error_text(&e))))
        }),
        string_fn("basename", |_, a, _| one_string(a, |s| Ok(gopath::base(s)))),
        string_fn("dirname", |_, a, _| one_string(a, |s| Ok(gopath::dir(s)))),
        string_fn("pathexpand", |_, a, _| one_string(a, |s| gopath::expand_home(s).map_err(FuncError::other))),
        file_fn("file", file_impl),
        file_fn("filebase64", filebase64_impl),
        Function {
            name: "fileexists",
            params: vec![path_param("path")],
            var_param: None,
            returns: Returns::Static(|| Type::Bool),
            refine: Some(refine_not_null),
            imp: fileexists_impl,
        },
        Function {
            name: "fileset",
            params: vec![path_param("path"), path_param("pattern")],
            var_param: None,
            returns: Returns::Static(|| Type::set(Type::String)),
            refine: Some(refine_not_null),
            imp: fileset_impl,
        },
        template::templatefile(),
    ]
}

/// A function of one path string (unmarked, known) to a string.
fn string_fn(name: &'static str, imp: ImplFn) -> Function {
    Function {
        name,
        params: vec![Param::new("path", Type::String)],
        var_param: None,
        returns: Returns::Static(|| Type::String),
        refine: Some(refine_not_null),
        imp,
    }
}

fn one_string(args: &[Value], f: impl Fn(&str) -> Result<String, FuncError>) -> Result<Value, FuncError> {
    let s = args[0].as_str().unwrap_or_default();
    f(s).map(Value::string)
}

/// A path parameter that sees unknown and marked arguments (the file functions keep the
/// path's marks on their result).
fn path_param(name: &'static str) -> Param {
    Param::new(name, Type::String).allow_marked().allow_unknown()
}

fn file_fn(name: &'static str, imp: ImplFn) -> Function {
    Function {
        name,
        params: vec![path_param("path")],
        var_param: None,
        returns: Returns::Static(|| Type::String),
        refine: Some(refine_not_null),
        imp,
    }
}

/// Terraform's `redactIfSensitive` for a string: quoted, or `(sensitive value)`.
pub(super) fn redact(s: &str, marks: Marks) -> String {
    if marks.is_sensitive() { "(sensitive value)".into() } else { go_quote(s) }
}

/// The module directory paths are relative to, as Terraform's `baseDir` string.
fn base_dir(ctx: &FuncCtx<'_>) -> String {
    ctx.base_dir.to_string_lossy().into_owned()
}

/// Terraform's `openFile`: `~` expanded, relative paths joined to the base directory.
/// The error texts are Go's (`open PATH: no such file or directory`).
pub(super) fn open_file(ctx: &FuncCtx<'_>, path: &str) -> Result<(std::fs::File, String), OpenError> {
    let expanded = gopath::expand_home(path).map_err(|e| OpenError::Other(format!("failed to expand ~: {e}")))?;
    let full = if gopath::is_abs(&expanded) { expanded } else { gopath::join(&[&base_dir(ctx), &expanded]) };
    let full = gopath::clean(&full);
    match std::fs::File::open(&full) {
        Ok(f) => Ok((f, full)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(OpenError::NotExist(gopath::path_error("open", &full, &e)))
        }
        Err(e) => Err(OpenError::Other(gopath::path_error("open", &full, &e))),
    }
}

pub(super) enum OpenError {
    NotExist(String),
    Other(String),
}

impl OpenError {
    pub(super) fn into_message(self) -> String {
        match self {
            OpenError::NotExist(m) | OpenError::Other(m) => m,
        }
    }
}

/// Reads a whole file (`io.ReadAll` after `openFile`), the read error as Go words it.
pub(super) fn read_all(mut f: std::fs::File, full: &str) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    f.read_to_end(&mut buf).map_err(|e| gopath::path_error("read", full, &e))?;
    Ok(buf)
}

/// Terraform's `readFileBytes`, for `file`, `filebase64` and `templatefile`.
pub(super) fn read_file_bytes(ctx: &FuncCtx<'_>, path: &str, marks: Marks) -> Result<Vec<u8>, String> {
    let (f, full) = open_file(ctx, path).map_err(|e| match e {
        OpenError::NotExist(_) => format!(
            "no file exists at {}; this function works only with files that are distributed as part of the configuration source code, so if this file will be created by a resource in this configuration you must instead obtain this result from an attribute of that resource",
            redact(path, marks)
        ),
        OpenError::Other(m) => m,
    })?;
    read_all(f, &full).map_err(|e| format!("failed to read file: {e}"))
}

/// `file` for a known, unmarked path: the contents as a string, with the path's marks.
pub(super) fn read_text_file(ctx: &FuncCtx<'_>, path: &str, marks: Marks) -> Result<Value, FuncError> {
    let src = read_file_bytes(ctx, path, marks).map_err(|e| FuncError::arg(0, e))?;
    let text = String::from_utf8(src).map_err(|_| {
        FuncError::other(format!(
            "contents of {} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead",
            redact(path, marks)
        ))
    })?;
    Ok(Value::string(text).with_marks(marks))
}

fn file_impl(ctx: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let (path, marks) = args[0].clone().unmark();
    let Some(p) = path.as_str() else { return Ok(Value::unknown(Type::String).with_marks(marks)) };
    read_text_file(ctx, p, marks)
}

fn filebase64_impl(ctx: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let (path, marks) = args[0].clone().unmark();
    let Some(p) = path.as_str() else { return Ok(Value::unknown(Type::String).with_marks(marks)) };
    let src = read_file_bytes(ctx, p, marks).map_err(|e| FuncError::arg(0, e))?;
    Ok(Value::string(base64::engine::general_purpose::STANDARD.encode(src)).with_marks(marks))
}

fn fileexists_impl(ctx: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    use std::os::unix::fs::FileTypeExt as _;
    let (path, marks) = args[0].clone().unmark();
    let Some(p) = path.as_str() else { return Ok(Value::unknown(Type::Bool).with_marks(marks)) };
    let p = gopath::expand_home(p).map_err(|e| FuncError::other(format!("failed to expand ~: {e}")))?;
    let full = if gopath::is_abs(&p) { p } else { gopath::join(&[&base_dir(ctx), &p]) };
    let full = gopath::clean(&full);
    let meta = match std::fs::metadata(&full) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Value::FALSE.with_marks(marks)),
        Err(_) => return Err(FuncError::other(format!("failed to stat {}", redact(&full, marks)))),
    };
    let ft = meta.file_type();
    if ft.is_file() {
        return Ok(Value::TRUE.with_marks(marks));
    }
    let name = redact(&full, marks);
    // Terraform reports these against a second argument the function does not have, so
    // they read as errors of the call.
    Err(FuncError::arg(
        1,
        if ft.is_dir() {
            format!("{name} is a directory, not a file")
        } else if ft.is_block_device() || ft.is_char_device() {
            format!("{name} is a device node, not a regular file")
        } else if ft.is_fifo() {
            format!("{name} is a named pipe, not a regular file")
        } else if ft.is_socket() {
            format!("{name} is a unix domain socket, not a regular file")
        } else {
            format!("{name} is not a regular file")
        },
    ))
}

fn fileset_impl(ctx: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let (path, pmarks) = args[0].clone().unmark();
    let (pattern, qmarks) = args[1].clone().unmark();
    let marks = pmarks | qmarks;
    let (Some(path), Some(pattern)) = (path.as_str(), pattern.as_str()) else {
        return Ok(Value::unknown(ret.clone()).with_marks(marks));
    };
    let path = if gopath::is_abs(path) { path.to_string() } else { gopath::join(&[&base_dir(ctx), path]) };
    let pattern = gopath::join(&[&path, pattern]);
    let matches = glob::glob(&pattern)
        .map_err(|e| FuncError::other(format!("failed to glob pattern {}: {e}", redact(&pattern, marks))))?;
    let mut vals = Vec::new();
    for m in matches {
        let meta = std::fs::metadata(&m).map_err(|e| {
            FuncError::other(format!("failed to stat {}: {}", redact(&m, marks), gopath::path_error("stat", &m, &e)))
        })?;
        if !meta.file_type().is_file() {
            continue;
        }
        let rel = gopath::rel(&path, &m).ok_or_else(|| {
            FuncError::other(format!(
                "failed to trim path of match {}: Rel: can't make {m} relative to {path}",
                redact(&m, marks)
            ))
        })?;
        vals.push(Value::string(rel));
    }
    Ok(Value::set(Type::String, vals).with_marks(marks))
}
