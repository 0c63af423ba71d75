//! `fileset`'s globbing: a port of the rules of `github.com/bmatcuk/doublestar` v1.1.5, the
//! version Terraform uses (`**` across directories, `{a,b}` alternatives, `[a-z]` classes,
//! `\` escapes, a pattern error only when a name is matched against the bad component).

use super::gopath;
use std::fs;

/// The pattern is malformed (Go's `path.ErrBadPattern`).
#[derive(Debug, PartialEq)]
pub struct BadPattern;

impl std::fmt::Display for BadPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("syntax error in pattern")
    }
}

/// Splits on `sep`, a separator preceded by `\` not counting.
fn split_escaped(path: &str, sep: char) -> Vec<&str> {
    if !path.contains(sep) {
        return vec![path];
    }
    let mut out = Vec::new();
    let mut start = 0;
    let mut empty_end = false;
    while start < path.len() {
        match index_escaped(&path[start..], sep) {
            Some(end) => {
                out.push(&path[start..start + end]);
                start += end + sep.len_utf8();
                empty_end = true;
            }
            None => {
                out.push(&path[start..]);
                start = path.len();
                empty_end = false;
            }
        }
    }
    if empty_end {
        out.push("");
    }
    out
}

fn index_escaped(s: &str, r: char) -> Option<usize> {
    let end = s.find(r)?;
    if end > 0 && s.as_bytes()[end - 1] == b'\\' {
        let start = end + r.len_utf8();
        return index_escaped(&s[start..], r).map(|e| e + start);
    }
    Some(end)
}

/// `doublestar.Glob`: the paths matching `pattern`, in directory order.
pub fn glob(pattern: &str) -> Result<Vec<String>, BadPattern> {
    let components = split_escaped(pattern, '/');
    let mut matches = Vec::new();
    let result = if components[0].is_empty() {
        do_glob("/", &components[1..], &mut matches)
    } else {
        do_glob(".", &components, &mut matches)
    };
    result.map(|()| matches)
}

struct Entry {
    name: String,
    is_dir: bool,
    is_symlink: bool,
}

fn read_dir(dir: &str) -> Vec<Entry> {
    let Ok(rd) = fs::read_dir(dir) else { return Vec::new() };
    rd.filter_map(Result::ok)
        .filter_map(|e| {
            let ft = e.file_type().ok()?;
            Some(Entry {
                name: e.file_name().to_string_lossy().into_owned(),
                is_dir: ft.is_dir(),
                is_symlink: ft.is_symlink(),
            })
        })
        .collect()
}

fn do_glob(basedir: &str, components: &[&str], m: &mut Vec<String>) -> Result<(), BadPattern> {
    let mut err = Ok(());
    let pat_len = components.len();
    let mut pat_idx = components.iter().position(|c| c.contains(['*', '?', '[', '{', '\\'])).unwrap_or(pat_len);
    let mut basedir = basedir.to_string();
    if pat_idx > 0 {
        basedir = gopath::join(&[&basedir, &gopath::join(&components[..pat_idx])]);
    }
    let Ok(meta) = fs::symlink_metadata(&basedir) else { return err };
    if pat_idx >= pat_len {
        m.push(basedir);
        return err;
    }
    let is_dir = if meta.file_type().is_symlink() {
        match fs::metadata(&basedir) {
            Ok(meta) => meta.is_dir(),
            Err(_) => return err,
        }
    } else {
        meta.is_dir()
    };
    if !is_dir {
        return err;
    }
    let files = read_dir(&basedir);
    let mut last = pat_idx + 1 >= pat_len;
    if components[pat_idx] == "**" {
        for file in &files {
            let path = gopath::join(&[&basedir, &file.name]);
            let is_dir = if file.is_symlink {
                match fs::metadata(&path) {
                    Ok(meta) => meta.is_dir(),
                    Err(_) => continue,
                }
            } else {
                file.is_dir
            };
            if is_dir {
                if last {
                    m.push(path.clone());
                }
                // As in Go, a later directory's result replaces an earlier one's error.
                err = do_glob(&path, &components[pat_idx..], m);
            } else if last {
                m.push(path);
            }
        }
        if last {
            return err;
        }
        pat_idx += 1;
        last = pat_idx + 1 >= pat_len;
    }
    for file in &files {
        let matched = match_component(components[pat_idx], &file.name)?;
        err = Ok(());
        if matched {
            let path = gopath::join(&[&basedir, &file.name]);
            if last {
                m.push(path);
            } else {
                err = do_glob(&path, &components[pat_idx + 1..], m);
            }
        }
    }
    err
}

/// Matches one path component against one pattern component.
fn match_component(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    if pattern.is_empty() && name.is_empty() {
        return Ok(true);
    }
    if pattern.is_empty() {
        return Ok(false);
    }
    if name.is_empty() && pattern != "*" {
        return Ok(false);
    }
    let (mut pi, mut ni) = (0, 0);
    while pi < pattern.len() && ni < name.len() {
        let (pr, padj) = decode(&pattern[pi..]);
        let (nr, nadj) = decode(&name[ni..]);
        if pr == Some('\\') {
            pi += padj;
            let (pr, padj) = decode(&pattern[pi..]);
            match pr {
                None => return Err(BadPattern),
                Some(c) if Some(c) == nr => {
                    pi += padj;
                    ni += nadj;
                }
                Some(_) => return Ok(false),
            }
        } else if pr == Some('*') {
            pi += padj;
            if pi >= pattern.len() {
                return Ok(true);
            }
            let mut j = ni;
            while j < name.len() {
                if name.is_char_boundary(j) && match_component(&pattern[pi..], &name[j..]).unwrap_or(false) {
                    return Ok(true);
                }
                // Go steps by the width of the first rune of the name at every try.
                j += nadj;
            }
            return Ok(false);
        } else if pr == Some('[') {
            pi += padj;
            let end = index_escaped(&pattern[pi..], ']').ok_or(BadPattern)? + pi;
            let class: Vec<char> = pattern[pi..end].chars().collect();
            if class.is_empty() {
                return Err(BadPattern);
            }
            let nr = nr.unwrap_or(char::REPLACEMENT_CHARACTER);
            let negated = class[0] == '^';
            let mut ci = usize::from(negated);
            let mut matched = false;
            while ci < class.len() {
                let mut low = class[ci];
                if low == '-' {
                    return Err(BadPattern);
                }
                ci += 1;
                if low == '\\' {
                    low = *class.get(ci).ok_or(BadPattern)?;
                    ci += 1;
                }
                let mut high = low;
                if class.get(ci) == Some(&'-') {
                    ci += 1;
                    high = *class.get(ci).ok_or(BadPattern)?;
                    if high == '-' {
                        return Err(BadPattern);
                    }
                    ci += 1;
                    if high == '\\' {
                        high = *class.get(ci).ok_or(BadPattern)?;
                        ci += 1;
                    }
                }
                if low <= nr && nr <= high {
                    matched = true;
                }
            }
            if matched == negated {
                return Ok(false);
            }
            pi = end + 1;
            ni += nadj;
        } else if pr == Some('{') {
            pi += padj;
            let end = index_escaped(&pattern[pi..], '}').ok_or(BadPattern)? + pi;
            let options = split_escaped(&pattern[pi..end], ',');
            let rest = &pattern[end + 1..];
            for o in options {
                if match_component(&format!("{o}{rest}"), &name[ni..])? {
                    return Ok(true);
                }
            }
            return Ok(false);
        } else if pr == Some('?') || pr == nr {
            pi += padj;
            ni += nadj;
        } else {
            return Ok(false);
        }
    }
    if pi >= pattern.len() && ni >= name.len() {
        return Ok(true);
    }
    Ok((ni >= name.len() && &pattern[pi..] == "*") || &pattern[pi..] == "**")
}

/// The first character and its width (a lone `None` for the end).
fn decode(s: &str) -> (Option<char>, usize) {
    match s.chars().next() {
        Some(c) => (Some(c), c.len_utf8()),
        None => (None, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components() {
        assert_eq!(match_component("*.txt", "a.txt"), Ok(true));
        assert_eq!(match_component("{hello,empty}.txt", "empty.txt"), Ok(true));
        assert_eq!(match_component("[a-h]*.txt", "hello.txt"), Ok(true));
        assert_eq!(match_component("[a-h]*.txt", "unicode.txt"), Ok(false));
        assert_eq!(match_component("[^a-h]*", "x"), Ok(true));
        assert_eq!(match_component("[", "x"), Err(BadPattern));
        assert_eq!(match_component("h?llo", "hello"), Ok(true));
        assert_eq!(split_escaped("a/b/", '/'), vec!["a", "b", ""]);
        assert_eq!(split_escaped("a\\/b", '/'), vec!["a\\/b"]);
    }
}
