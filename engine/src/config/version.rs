//! `required_version` constraints (`>= 1.5, < 2.0`, `~> 1.6`) checked against the language
//! version terrane implements.

use crate::diag::{Diagnostic, SourceRange};

/// The Terraform language version terrane implements; `required_version` is checked against it.
pub const LANGUAGE_VERSION: &str = "1.11.4";

#[derive(Clone, Debug, PartialEq)]
pub struct VersionConstraint {
    parts: Vec<(Op, Vec<u64>)>,
    text: String,
}

/// A constraint's operator (go-version's), shared with the module `version` constraints.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Pessimistic,
}

impl VersionConstraint {
    pub fn parse(s: &str) -> Result<VersionConstraint, String> {
        let mut parts = Vec::new();
        for raw in s.split(',') {
            let raw = raw.trim();
            let (op, rest) = split_operator(raw);
            let version = parse_version(rest).ok_or_else(|| format!("\"{raw}\" is not a valid version constraint."))?;
            parts.push((op, version));
        }
        Ok(VersionConstraint { parts, text: s.to_string() })
    }

    pub fn matches(&self, version: &str) -> bool {
        let Some(v) = parse_version(version) else { return false };
        self.parts.iter().all(|(op, c)| {
            let ord = cmp(&v, c);
            match op {
                Op::Eq => ord.is_eq(),
                Op::Ne => !ord.is_eq(),
                Op::Gt => ord.is_gt(),
                Op::Ge => ord.is_ge(),
                Op::Lt => ord.is_lt(),
                Op::Le => ord.is_le(),
                Op::Pessimistic => {
                    // ~> 1.2.3 means >= 1.2.3, < 1.3; ~> 1.2 means >= 1.2, < 2.
                    let keep = c.len().saturating_sub(1).max(1);
                    let mut upper: Vec<u64> = c[..keep].to_vec();
                    if let Some(last) = upper.last_mut() {
                        *last += 1;
                    }
                    if c.len() == 1 {
                        upper = vec![c[0] + 1];
                    }
                    ord.is_ge() && cmp(&v, &upper).is_lt()
                }
            }
        })
    }
}

/// The operator a constraint term starts with (`=` when none) and the rest, trimmed at the
/// start.
pub(super) fn split_operator(term: &str) -> (Op, &str) {
    [
        ("~>", Op::Pessimistic),
        (">=", Op::Ge),
        ("<=", Op::Le),
        ("!=", Op::Ne),
        (">", Op::Gt),
        ("<", Op::Lt),
        ("=", Op::Eq),
    ]
    .iter()
    .find_map(|(p, op)| term.strip_prefix(p).map(|r| (*op, r.trim_start())))
    .unwrap_or((Op::Eq, term))
}

fn parse_version(s: &str) -> Option<Vec<u64>> {
    let s = s.trim().trim_start_matches('v');
    let core = s.split(['-', '+']).next()?;
    let v: Option<Vec<u64>> = core.split('.').map(|p| p.parse().ok()).collect();
    v.filter(|v| !v.is_empty() && v.len() <= 3)
}

fn cmp(a: &[u64], b: &[u64]) -> std::cmp::Ordering {
    for i in 0..3 {
        let o = a.get(i).copied().unwrap_or(0).cmp(&b.get(i).copied().unwrap_or(0));
        if o.is_ne() {
            return o;
        }
    }
    std::cmp::Ordering::Equal
}

pub fn check_required_version(c: &VersionConstraint, _engine: &str, range: &SourceRange) -> Option<Diagnostic> {
    (!c.matches(LANGUAGE_VERSION)).then(|| {
        Diagnostic::error(
            "Unsupported Terraform Core version",
            format!(
                "This configuration requires Terraform {}; terrane implements the Terraform {LANGUAGE_VERSION} language.",
                c.text
            ),
        )
        .at(range.clone())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints() {
        let c = VersionConstraint::parse(">= 1.5, < 2.0").unwrap();
        assert!(c.matches("1.11.4"));
        assert!(!c.matches("2.0.0"));
        let p = VersionConstraint::parse("~> 1.6").unwrap();
        assert!(p.matches("1.11.4") && !p.matches("2.0.0") && !p.matches("1.5.0"));
        let p = VersionConstraint::parse("~> 1.6.2").unwrap();
        assert!(p.matches("1.6.9") && !p.matches("1.7.0"));
        assert!(VersionConstraint::parse(">= banana").is_err());
    }
}
