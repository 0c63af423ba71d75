//! Terminal output: diagnostics on stderr with source snippets, progress lines during
//! refresh and apply, and the approval prompt; or, with `-json`, Terraform's machine-readable
//! event stream on stdout ([`json`]).

pub mod json;

use std::io::{BufRead, Write};
use std::time::Duration;
use terrane_engine::addr::InstanceAddr;
use terrane_engine::diag::{Diagnostic, Diagnostics, SourceMap, render};
use terrane_engine::hooks::Hooks;
use terrane_engine::plan::Action;
use terrane_engine::plan::render::style::Paint;

#[derive(Clone)]
pub struct Ui {
    pub color: bool,
    /// `-json`: everything is written as JSON events on stdout.
    pub json: bool,
}

impl Ui {
    pub fn new(color: bool) -> Ui {
        Ui { color, json: false }
    }

    /// The same terminal, writing JSON events (`-json`).
    pub fn json_mode(&self) -> Ui {
        Ui { color: false, json: true }
    }

    /// The progress hooks for this terminal: lines (on stderr when stdout carries a
    /// document), or events.
    pub fn hooks(&self, to_stderr: bool) -> Box<dyn Hooks> {
        if self.json { Box::new(json::JsonHooks) } else { Box::new(ProgressHooks { color: self.color, to_stderr }) }
    }

    pub fn paint(&self) -> Paint {
        Paint::new(self.color)
    }

    /// Prints diagnostics (errors and warnings) to stderr.
    pub fn diags(&self, diags: &Diagnostics, sources: &SourceMap) {
        if diags.is_empty() {
            return;
        }
        if self.json {
            diags.iter().for_each(|d| json::diagnostic(d, sources));
            return;
        }
        let list: Vec<Diagnostic> = diags.iter().cloned().collect();
        let text = render(&list, sources, self.color);
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    }

    /// Prints one error without a source location.
    pub fn error(&self, summary: &str, detail: &str) {
        self.diags(&Diagnostics::from(Diagnostic::error(summary, detail)), &SourceMap::default());
    }

    pub fn out(&self, s: &str) {
        if self.json {
            json::log(s);
            return;
        }
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(s.as_bytes());
        let _ = out.flush();
    }

    pub fn line(&self, s: &str) {
        self.out(&format!("{s}\n"));
    }

    /// Asks for approval; only `yes` approves.
    pub fn confirm(&self, question: &str, description: &str) -> bool {
        self.out(&format!(
            "\n{}\n  {description}\n  Only 'yes' will be accepted to approve.\n\n  {} ",
            self.paint().bold(question),
            self.paint().bold("Enter a value:")
        ));
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        self.out("\n");
        answer.trim() == "yes"
    }
}

fn verbs(a: Action) -> (&'static str, &'static str, &'static str) {
    match a {
        Action::Create => ("Creating...", "Creation complete", "Still creating..."),
        Action::Update => ("Modifying...", "Modifications complete", "Still modifying..."),
        Action::Delete => ("Destroying...", "Destruction complete", "Still destroying..."),
        Action::Read => ("Reading...", "Read complete", "Still reading..."),
        _ => ("Working...", "Complete", "Still working..."),
    }
}

fn elapsed(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 { format!("{}m{}s", s / 60, s % 60) } else { format!("{s}s") }
}

fn name(addr: &InstanceAddr, deposed: Option<&str>) -> String {
    match deposed {
        Some(d) => format!("{addr} (deposed object {d})"),
        None => addr.to_string(),
    }
}

/// Progress lines as Terraform prints them (on stderr when stdout carries a document).
pub struct ProgressHooks {
    pub color: bool,
    pub to_stderr: bool,
}

impl ProgressHooks {
    fn print(&self, s: String) {
        let p = Paint::new(self.color);
        if self.to_stderr {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "{s}");
            return;
        }
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{}", p.bold(&s));
        let _ = out.flush();
    }
}

impl Hooks for ProgressHooks {
    fn refreshing(&self, addr: &InstanceAddr, id: Option<&str>) {
        let id = id.map(|i| format!(" [id={i}]")).unwrap_or_default();
        self.print(format!("{addr}: Refreshing state...{id}"));
    }
    fn reading(&self, addr: &InstanceAddr) {
        self.print(format!("{addr}: Reading..."));
    }
    fn apply_start(&self, addr: &InstanceAddr, deposed: Option<&str>, action: Action) {
        self.print(format!("{}: {}", name(addr, deposed), verbs(action).0));
    }
    fn apply_progress(&self, addr: &InstanceAddr, action: Action, d: Duration) {
        self.print(format!("{addr}: {} [{} elapsed]", verbs(action).2, elapsed(d)));
    }
    fn apply_done(&self, addr: &InstanceAddr, deposed: Option<&str>, action: Action, d: Duration, id: Option<&str>) {
        let id = id.map(|i| format!(" [id={i}]")).unwrap_or_default();
        self.print(format!("{}: {} after {}{id}", name(addr, deposed), verbs(action).1, elapsed(d)));
    }
    fn apply_failed(&self, addr: &InstanceAddr, action: Action, d: Duration) {
        let verb = match action {
            Action::Create => "Creation",
            Action::Update => "Modification",
            Action::Delete => "Destruction",
            _ => "Operation",
        };
        self.print(format!("{addr}: {verb} failed after {}", elapsed(d)));
    }
}
