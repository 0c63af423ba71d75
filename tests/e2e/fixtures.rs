//! Data-driven cases: each directory under tests/fixtures/<kind>/<case>/ holds a
//! configuration; the command's output is compared with an insta snapshot.
//!   plan/         `terrane plan`          (stdout, then stderr)
//!   diagnostics/  `terrane validate`      (stderr)

use crate::Work;
use std::path::{Path, PathBuf};

fn cases(kind: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(kind);
    let mut dirs: Vec<PathBuf> =
        std::fs::read_dir(&root).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no fixtures under {}", root.display());
    dirs
}

fn copy_case(case: &Path) -> Work {
    let w = Work::new("");
    std::fs::remove_file(w.path().join("main.tf")).unwrap();
    copy_dir(case, w.path());
    w
}

/// Copies a case directory with its subdirectories (modules).
fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// Replaces run-specific text (temporary paths, ids) so snapshots are stable.
fn stable(s: &str, w: &Work) -> String {
    let re = regex::Regex::new(r"fake-[0-9a-f]{16}").unwrap();
    let s = s.replace(&w.path().display().to_string(), "[WORKDIR]");
    re.replace_all(&s, "fake-[ID]").into_owned()
}

#[test]
fn plan_fixtures() {
    for case in cases("plan") {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let w = copy_case(&case);
        // A case may bring a setup config applied first (setup.tf.txt), to plan changes against.
        if let Ok(setup) = std::fs::read_to_string(case.join("setup.tf.txt")) {
            let main = std::fs::read_to_string(w.path().join("main.tf")).unwrap();
            w.write("main.tf", &setup);
            w.ok(&["apply", "-auto-approve"]);
            w.write("main.tf", &main);
        }
        let args: Vec<String> = std::fs::read_to_string(case.join("args"))
            .map(|a| a.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        let mut all = vec!["plan".to_string()];
        all.extend(args);
        let refs: Vec<&str> = all.iter().map(String::as_str).collect();
        let (code, out, err) = w.run(&refs);
        let text = stable(&format!("exit code: {code}\n--- stdout\n{out}\n--- stderr\n{err}"), &w);
        insta::assert_snapshot!(format!("plan__{name}"), text);
    }
}

#[test]
fn diagnostic_fixtures() {
    for case in cases("diagnostics") {
        let name = case.file_name().unwrap().to_string_lossy().to_string();
        let w = copy_case(&case);
        let (code, _, err) = w.run(&["validate"]);
        assert_eq!(code, 1, "{name}: validate must fail\n{err}");
        insta::assert_snapshot!(format!("diagnostics__{name}"), stable(&err, &w));
    }
}
