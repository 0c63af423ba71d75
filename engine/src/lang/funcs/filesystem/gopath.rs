//! Go's lexical path functions (`path/filepath` on Unix) and `go-homedir`'s expansion, as
//! Terraform's filesystem functions use them: results and error texts depend on their exact
//! rules (`Clean`'s handling of `..`, `Base("")` being `.`, `Join` dropping empty elements).

use std::io;

/// `filepath.Clean`: the shortest lexically equivalent path.
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
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

/// `filepath.Join`: the non-empty elements joined with `/` and cleaned; `""` when all are empty.
pub fn join(elems: &[&str]) -> String {
    let parts: Vec<&str> = elems.iter().copied().filter(|e| !e.is_empty()).collect();
    if parts.is_empty() {
        return String::new();
    }
    clean(&parts.join("/"))
}

/// `filepath.IsAbs`.
pub fn is_abs(path: &str) -> bool {
    path.starts_with('/')
}

/// `filepath.Base`: the last element, trailing slashes removed; `.` for an empty path and
/// `/` for a path of slashes only.
pub fn base(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    match trimmed.rfind('/') {
        Some(i) => trimmed[i + 1..].to_string(),
        None => trimmed.to_string(),
    }
}

/// `filepath.Dir`: everything but the last element, cleaned.
pub fn dir(path: &str) -> String {
    let upto = path.rfind('/').map_or(0, |i| i + 1);
    clean(&path[..upto])
}

/// `filepath.Abs`: relative paths are joined to the process's working directory.
pub fn abs(path: &str) -> io::Result<String> {
    if is_abs(path) {
        return Ok(clean(path));
    }
    let cwd = std::env::current_dir()?;
    Ok(join(&[&cwd.to_string_lossy(), path]))
}

/// `filepath.Rel`: `target` relative to `base`, lexically; `None` when it cannot be made
/// relative (one absolute and the other not, or `base` climbing above `target`).
pub fn rel(base: &str, target: &str) -> Option<String> {
    let b = clean(base);
    let t = clean(target);
    if b == t {
        return Some(".".into());
    }
    let b = if b == "." { String::new() } else { b };
    if is_abs(&b) != is_abs(&t) {
        return None;
    }
    let bparts: Vec<&str> = b.split('/').filter(|s| !s.is_empty()).collect();
    let tparts: Vec<&str> = t.split('/').filter(|s| !s.is_empty()).collect();
    let t_rel: Vec<&str> = if t == "." { Vec::new() } else { tparts };
    let common = bparts.iter().zip(t_rel.iter()).take_while(|(a, b)| a == b).count();
    if bparts[common..].contains(&"..") {
        return None;
    }
    let mut out: Vec<&str> = vec![".."; bparts.len() - common];
    out.extend_from_slice(&t_rel[common..]);
    Some(if out.is_empty() { ".".into() } else { out.join("/") })
}

/// `homedir.Expand`: a leading `~` (alone or before a slash) becomes the home directory.
pub fn expand_home(path: &str) -> Result<String, String> {
    let Some(rest) = path.strip_prefix('~') else { return Ok(path.to_string()) };
    if !rest.is_empty() && !rest.starts_with('/') && !rest.starts_with('\\') {
        return Err("cannot expand user-specific home dir".into());
    }
    let home = home_dir()?;
    Ok(join(&[&home, rest]))
}

/// `homedir.Dir` on Unix: `$HOME`, else the user's entry in the password database.
fn home_dir() -> Result<String, String> {
    if let Ok(h) = std::env::var("HOME")
        && !h.is_empty()
    {
        return Ok(h);
    }
    let out = std::process::Command::new("sh").args(["-c", "cd && pwd"]).output().map_err(|e| go_io_error_text(&e))?;
    let dir = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if dir.is_empty() {
        return Err("blank output when reading home directory".into());
    }
    Ok(dir)
}

/// The text Go gives an OS error (`syscall.Errno`): the C library's message, lower-cased
/// as in Go's tables ("no such file or directory").
pub fn go_io_error_text(e: &io::Error) -> String {
    let Some(code) = e.raw_os_error() else { return e.to_string() };
    let full = io::Error::from_raw_os_error(code).to_string();
    let msg = full.strip_suffix(&format!(" (os error {code})")).unwrap_or(&full);
    let mut chars = msg.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Go's `*PathError` text: `op path: error`.
pub fn path_error(op: &str, path: &str, e: &io::Error) -> String {
    format!("{op} {path}: {}", go_io_error_text(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_as_go() {
        for (i, o) in [
            ("", "."),
            ("a/b/../c", "a/c"),
            ("/a/./b//c/", "/a/b/c"),
            ("/..", "/"),
            ("../../a", "../../a"),
            ("a/../..", ".."),
            ("./a/../b/c", "b/c"),
            ("//", "/"),
        ] {
            assert_eq!(clean(i), o, "{i}");
        }
    }

    #[test]
    fn base_and_dir_as_go() {
        assert_eq!(base("foo/bar/"), "bar");
        assert_eq!(base("//a//b//"), "b");
        assert_eq!(base("/"), "/");
        assert_eq!(base(""), ".");
        assert_eq!(dir("foo/bar/"), "foo/bar");
        assert_eq!(dir("foo"), ".");
        assert_eq!(dir("/foo"), "/");
        assert_eq!(dir("a//b"), "a");
        assert_eq!(dir("./a/../b/c"), "b");
    }

    #[test]
    fn rel_as_go() {
        assert_eq!(rel("files", "files/a.txt").as_deref(), Some("a.txt"));
        assert_eq!(rel(".", "files/a.txt").as_deref(), Some("files/a.txt"));
        assert_eq!(rel("/a/b", "/a/c/d").as_deref(), Some("../c/d"));
        assert_eq!(rel("/a", "b"), None);
        assert_eq!(join(&["", ""]), "");
        assert_eq!(join(&[".", "files/x"]), "files/x");
    }
}
