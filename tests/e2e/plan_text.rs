//! Plan text as Terraform prints it: each case under tests/fixtures/plan-terraform/ holds a
//! configuration (`main.tf`), the state Terraform 1.11 recorded after applying `setup.tf.txt`,
//! and what `terraform plan -no-color` printed for `main.tf` against that state
//! (`terraform.txt`, recorded by `generate.sh` there). terrane plans the same configuration
//! against the same state, and everything from the first change to the end of "Changes to
//! Outputs" must be the same text.
//!
//! Where terrane deliberately prints more, the comparison leaves it out, and only that: its
//! provenance lines (`  # because var.x is …`, which say where a change comes from) and the
//! legend's wording above the first change.

use crate::Work;
use std::path::{Path, PathBuf};

/// The part of a plan's text compared: from the first resource or output change to the end of
/// the changes to outputs, without terrane's provenance lines.
fn changes(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let start =
        lines.iter().position(|l| l.starts_with("  # ") || l.starts_with("Changes to Outputs:")).unwrap_or(lines.len());
    let end = lines.iter().position(|l| l.starts_with('─')).unwrap_or(lines.len());
    lines[start..end]
        .iter()
        .filter(|l| !(l.trim_start().starts_with("# because ") || l.trim_start().starts_with("# (because ")))
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n")
        .trim_end()
        .to_string()
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plan-terraform");
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(&root).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    assert!(dirs.len() >= 3, "no cases under {}", root.display());
    dirs
}

#[test]
fn plan_text_is_terraforms() {
    let mut failures = Vec::new();
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let read = |f: &str| std::fs::read_to_string(case.join(f)).unwrap();
        let w = Work::new(&read("main.tf"));
        w.write("terraform.tfstate", &read("terraform.tfstate"));
        let args: Vec<String> = std::fs::read_to_string(case.join("args"))
            .map(|a| a.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        let mut all = vec!["plan".to_string(), "-no-color".to_string()];
        all.extend(args);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let (_, out, err) = w.run(&refs);
        let expected = changes(&read("terraform.txt"));
        assert!(!expected.is_empty(), "{name}: the recorded plan shows no change");
        let ours = changes(&out);
        if ours != expected {
            let diff = similar::TextDiff::from_lines(&expected, &ours)
                .unified_diff()
                .header("terraform", "terrane")
                .to_string();
            failures.push(format!("{name}:\n{diff}\nstderr:\n{err}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
