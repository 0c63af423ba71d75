//! A module block's `version` argument, as Terraform 1.11 selects a registry module's version:
//! the constraints of hashicorp/go-version (`=`, `!=`, `>`, `>=`, `<`, `<=`, `~>`,
//! comma-separated; `~> 1` means `>= 1`, `~> 1.2` means `>= 1.2, < 2`), and a pre-release
//! only when the whole constraint is that one exact version (`1.2.0-beta1` or
//! `=1.2.0-beta1`: Terraform also asks apparentlymart/go-versions, which reads no commas and
//! no space after `=`). These differ from the provider constraints' on purpose.

use super::version::{Op, split_operator};
use std::cmp::Ordering;

/// A version as go-version reads it: numbers (at least three, missing ones zero), a
/// pre-release and build metadata.
#[derive(Clone, Debug)]
pub struct ModuleVersion {
    nums: Vec<u64>,
    /// How many numbers were written.
    written: usize,
    pub pre: String,
    pub meta: String,
}

impl ModuleVersion {
    pub fn parse(s: &str) -> Option<ModuleVersion> {
        let s = s.strip_prefix('v').unwrap_or(s);
        let (s, meta) = match s.split_once('+') {
            Some((a, m)) if !m.is_empty() && m.split('.').all(ident_ok) => (a, m.to_string()),
            Some(_) => return None,
            None => (s, String::new()),
        };
        let (core, pre) = match s.split_once('-') {
            Some((c, p)) if !p.is_empty() && p.split('.').all(ident_ok) => (c, p.to_string()),
            Some(_) => return None,
            None => (s, String::new()),
        };
        let mut nums = Vec::new();
        for p in core.split('.') {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            nums.push(p.parse().ok()?);
        }
        let written = nums.len();
        while nums.len() < 3 {
            nums.push(0);
        }
        Some(ModuleVersion { nums, written, pre, meta })
    }

    fn num(&self, i: usize) -> u64 {
        self.nums.get(i).copied().unwrap_or(0)
    }

    fn same_numbers(&self, o: &ModuleVersion) -> bool {
        (0..self.nums.len().max(o.nums.len())).all(|i| self.num(i) == o.num(i))
    }
}

fn ident_ok(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'~')
}

impl std::fmt::Display for ModuleVersion {
    /// As go-version writes it: `1.2` is `1.2.0`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let nums: Vec<String> = self.nums.iter().map(u64::to_string).collect();
        write!(f, "{}", nums.join("."))?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.meta.is_empty() {
            write!(f, "+{}", self.meta)?;
        }
        Ok(())
    }
}

impl PartialEq for ModuleVersion {
    fn eq(&self, o: &ModuleVersion) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}

impl Eq for ModuleVersion {}

impl PartialOrd for ModuleVersion {
    fn partial_cmp(&self, o: &ModuleVersion) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for ModuleVersion {
    /// Numbers, then a release above its pre-releases, pre-releases part by part (numbers
    /// below words); build metadata is not compared.
    fn cmp(&self, o: &ModuleVersion) -> Ordering {
        for i in 0..self.nums.len().max(o.nums.len()) {
            match self.num(i).cmp(&o.num(i)) {
                Ordering::Equal => {}
                ord => return ord,
            }
        }
        match (self.pre.is_empty(), o.pre.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            _ => {}
        }
        let (a, b): (Vec<&str>, Vec<&str>) = (self.pre.split('.').collect(), o.pre.split('.').collect());
        for i in 0..a.len().max(b.len()) {
            let ord = match (a.get(i), b.get(i)) {
                (Some(x), Some(y)) => match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    _ => x.cmp(y),
                },
                (Some(_), None) => Ordering::Greater,
                (None, Some(_)) => Ordering::Less,
                (None, None) => Ordering::Equal,
            };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }
}

/// A module block's `version` constraints.
#[derive(Clone, Debug)]
pub struct ModuleConstraints {
    terms: Vec<(Op, ModuleVersion)>,
    /// The string as written, which the pre-release rule reads.
    text: String,
}

impl ModuleConstraints {
    /// No constraint: every release.
    pub fn any() -> ModuleConstraints {
        ModuleConstraints { terms: Vec::new(), text: String::new() }
    }

    /// Parses `version = "..."`; the error is go-version's.
    pub fn parse(s: &str) -> Result<ModuleConstraints, String> {
        let mut terms = Vec::new();
        for raw in s.split(',') {
            let t = raw.trim();
            let (op, rest) = split_operator(t);
            let v = ModuleVersion::parse(rest).ok_or_else(|| format!("Malformed constraint: {raw}"))?;
            terms.push((op, v));
        }
        Ok(ModuleConstraints { terms, text: s.to_string() })
    }

    /// Whether `v` meets every term, as go-version checks it.
    pub fn check(&self, v: &ModuleVersion) -> bool {
        self.terms.iter().all(|(op, c)| {
            // A pre-release meets an ordering only against a pre-release of the same numbers.
            let pre_ok = match (v.pre.is_empty(), c.pre.is_empty()) {
                (false, false) => v.same_numbers(c),
                (false, true) => false,
                _ => true,
            };
            match op {
                Op::Eq => v == c,
                Op::Ne => v != c,
                Op::Gt => pre_ok && v > c,
                Op::Lt => pre_ok && v < c,
                Op::Ge => pre_ok && v >= c,
                Op::Le => pre_ok && v <= c,
                Op::Pessimistic => {
                    if !pre_ok || (!c.pre.is_empty() && v.pre.is_empty()) || v < c {
                        return false;
                    }
                    (0..c.written.saturating_sub(1)).all(|i| v.num(i) == c.num(i))
                }
            }
        })
    }

    /// Whether Terraform would select `v` from a registry's list: releases that meet the
    /// constraints; a pre-release only when the constraint is exactly it.
    pub fn selects(&self, v: &ModuleVersion) -> bool {
        if !v.pre.is_empty() && !self.requests_exactly(v) {
            return false;
        }
        self.check(v)
    }

    /// apparentlymart/go-versions' reading of the whole string: one version, or `=` and one
    /// version with no space between, naming `v` with its metadata.
    fn requests_exactly(&self, v: &ModuleVersion) -> bool {
        let t = self.text.trim();
        if t.contains(',') {
            return false;
        }
        let t = t.strip_prefix('=').unwrap_or(t);
        if t.starts_with(char::is_whitespace) || t.starts_with('v') {
            return false;
        }
        match ModuleVersion::parse(t) {
            Some(want) => want.written <= 3 && want == *v && want.pre == v.pre && want.meta == v.meta,
            None => false,
        }
    }
}

/// The newest version of `available` that Terraform selects under `constraints`, and the newest
/// version it considers at all (for its "newest available version" message). Unparsable
/// versions are skipped.
pub fn select_module_version<'a>(
    available: impl IntoIterator<Item = &'a str>,
    constraints: &ModuleConstraints,
) -> (Option<ModuleVersion>, Option<ModuleVersion>) {
    let mut best: Option<ModuleVersion> = None;
    let mut newest: Option<ModuleVersion> = None;
    for s in available {
        let Some(v) = ModuleVersion::parse(s) else { continue };
        if !v.pre.is_empty() && !constraints.requests_exactly(&v) {
            continue;
        }
        if newest.as_ref().is_none_or(|n| v > *n) {
            newest = Some(v.clone());
        }
        if constraints.check(&v) && best.as_ref().is_none_or(|b| v > *b) {
            best = Some(v);
        }
    }
    (best, newest)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Terraform 1.11.4 installed from a registry listing these versions, for each
    /// constraint (recorded by running `terraform get` against a test registry).
    const AVAILABLE: [&str; 9] =
        ["0.9.0", "1.0.0", "1.1.0", "1.2.0-beta1", "1.2.0", "2.0.0-rc1", "2.0.0", "2.1.0-alpha", "3.0.0-beta.2"];
    const TERRAFORM: &[(&str, Option<&str>)] = &[
        ("", Some("2.0.0")),
        ("1.2.0-beta1", Some("1.2.0-beta1")),
        ("= 1.2.0-beta1", None),
        ("=1.2.0-beta1", Some("1.2.0-beta1")),
        (" 1.2.0-beta1 ", Some("1.2.0-beta1")),
        ("v1.2.0-beta1", None),
        ("1.2.0-beta1+x", None),
        ("1.2.0-beta", None),
        (">= 1.2.0-beta1", Some("2.0.0")),
        (">=1.2.0-beta1", Some("2.0.0")),
        ("<=1.2.0-beta1", Some("1.1.0")),
        ("~> 1.2.0-beta1", None),
        ("~> 1", Some("2.0.0")),
        ("~> 0", Some("2.0.0")),
        ("~> 1.0", Some("1.2.0")),
        ("~> 1.1", Some("1.2.0")),
        ("~> 1.1.0", Some("1.1.0")),
        ("~>2.0", Some("2.0.0")),
        ("!= 2.0.0", Some("1.2.0")),
        ("!= 1.2.0-beta1", Some("2.0.0")),
        ("> 1.0, < 2.0", Some("1.2.0")),
        ("<= 1.2.0", Some("1.2.0")),
        ("2.0.0-rc1", Some("2.0.0-rc1")),
        ("=2.0.0-rc1", Some("2.0.0-rc1")),
        ("2.0.0-rc1, >= 1.0", None),
        ("2.0.0-rc1, != 2.0.0", None),
        ("3.0.0-beta.2", Some("3.0.0-beta.2")),
        ("~> 2.0.0-rc1", None),
        ("~> 2.1.0-alpha", None),
        ("~> 1.2.0-alpha", None),
        ("< 2.0.0-rc1", Some("1.2.0")),
        (">=1.0,<=2.0.0-rc1", Some("1.2.0")),
        ("1.2.0-beta1, < 1.2.0", None),
        ("2.1.0-alpha, 2.1.0-alpha", None),
        (">= 2.0.0-rc1, <= 2.0.0-rc1", None),
        ("1.2", Some("1.2.0")),
        ("0.9", Some("0.9.0")),
        ("v1.1.0", Some("1.1.0")),
        ("=1.1.0", Some("1.1.0")),
        ("> 3", None),
        ("> 2.0.0", None),
        ("1.0.0,1.1.0", None),
        ("~> 1.1.0, != 1.1.0", None),
        ("> 0.9.0, != 1.2.0", Some("2.0.0")),
    ];

    #[test]
    fn module_versions_are_selected_as_terraform_selects_them() {
        for (constraint, want) in TERRAFORM {
            let c = if constraint.is_empty() {
                ModuleConstraints::any()
            } else {
                ModuleConstraints::parse(constraint).unwrap()
            };
            let (got, newest) = select_module_version(AVAILABLE, &c);
            assert_eq!(got.map(|v| v.to_string()).as_deref(), *want, "version = {constraint:?}");
            // Terraform's "newest available version" leaves out the pre-releases not asked for.
            assert!(newest.is_some_and(|n| n.to_string() == "2.0.0" || !n.pre.is_empty()));
        }
    }

    #[test]
    fn module_version_strings_are_go_versions() {
        assert_eq!(ModuleVersion::parse("v1.2").unwrap().to_string(), "1.2.0");
        assert!(ModuleVersion::parse("1.2.0-").is_none() && ModuleVersion::parse("x").is_none());
        assert!(ModuleConstraints::parse(">= 1.0, ").is_err());
        assert!(ModuleVersion::parse("1.0.0-rc.2") < ModuleVersion::parse("1.0.0-rc.10"));
        assert!(ModuleVersion::parse("1.0.0-rc.2") > ModuleVersion::parse("1.0.0-2"));
    }
}
