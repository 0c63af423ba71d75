//! `terrane fmt`

use crate::args::FmtArgs;
use crate::ui::Ui;
use std::io::Read;
use std::path::{Path, PathBuf};
use terrane_engine::fmt::{format_for_stdout, format_source};

fn collect(dir: &Path, recursive: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            if recursive {
                collect(&p, recursive, out);
            }
        } else if name.ends_with(".tf") || name.ends_with(".tfvars") || name.ends_with(".tftest.hcl") {
            out.push(p);
        }
    }
}

pub fn run(args: FmtArgs, ui: &Ui) -> u8 {
    if args.paths.len() == 1 && args.paths[0] == Path::new("-") {
        let mut src = String::new();
        if std::io::stdin().read_to_string(&mut src).is_err() {
            ui.error("Failed to read stdin", "");
            return 1;
        }
        return match format_for_stdout(&src) {
            Ok(out) => {
                if args.check && out != src {
                    return 3;
                }
                ui.out(&out);
                0
            }
            Err(e) => {
                ui.error("Invalid syntax", &format!("<stdin>:{}:{}: {}", e.line, e.column, e.message));
                2
            }
        };
    }
    let roots = if args.paths.is_empty() { vec![PathBuf::from(".")] } else { args.paths.clone() };
    let mut files = Vec::new();
    for r in &roots {
        if r.is_dir() {
            collect(r, args.recursive, &mut files);
        } else {
            files.push(r.clone());
        }
    }
    let mut unformatted = false;
    let mut failed = false;
    for f in files {
        let src = match std::fs::read_to_string(&f) {
            Ok(s) => s,
            Err(e) => {
                ui.error("Failed to read file", &format!("{}: {e}", f.display()));
                failed = true;
                continue;
            }
        };
        let out = match format_source(&src) {
            Ok(o) => o,
            Err(e) => {
                ui.error("Invalid syntax", &format!("{}:{}:{}: {}", f.display(), e.line, e.column, e.message));
                failed = true;
                continue;
            }
        };
        if out == src {
            continue;
        }
        unformatted = true;
        let shown = f.strip_prefix("./").unwrap_or(&f).display().to_string();
        if args.list {
            ui.line(&shown);
        }
        if args.diff {
            let diff = similar::TextDiff::from_lines(&src, &out);
            ui.out(&diff.unified_diff().header(&format!("old/{shown}"), &format!("new/{shown}")).to_string());
        }
        if args.write
            && !args.check
            && let Err(e) = std::fs::write(&f, &out)
        {
            ui.error("Failed to write file", &format!("{}: {e}", f.display()));
            failed = true;
        }
    }
    if failed {
        2
    } else if args.check && unformatted {
        3
    } else {
        0
    }
}
