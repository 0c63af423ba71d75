//! `terrane console`: expressions evaluated against the configuration, the variables and the
//! state, as Terraform's console does. With stdin piped, every line is evaluated, the first
//! error stops it (exit 1), and only the last result is printed; at a terminal, each result
//! is printed after its line, `exit` (or end of input) leaves, and a line with an open
//! bracket continues on the next.

use crate::args::{ConsoleArgs, PlanOpts};
use crate::cmd::operation;
use crate::ui::Ui;
use std::io::{BufRead, IsTerminal, Write};
use terrane_engine::console::Console;
use terrane_engine::diag::SourceMap;
use terrane_engine::variables::collect;

pub async fn run(args: ConsoleArgs, ui: &Ui) -> u8 {
    let opts = PlanOpts {
        vars: args.vars,
        var_files: args.var_files,
        targets: Vec::new(),
        replace: Vec::new(),
        refresh_only: false,
        refresh: false,
        parallelism: 10,
        lock: args.lock,
        lock_timeout: args.lock_timeout,
        input: false,
        compact_warnings: false,
    };
    let Some(session) = operation::open(ui, &opts, "console").await else { return 1 };
    let env: Vec<(String, String)> = std::env::vars().collect();
    let dir = session.ctx.config.dir.clone();
    let mut sources = session.ctx.config.sources.clone();
    let (vars, diags) = collect(&session.ctx.config, &dir, &operation::cli_vars(&opts), &env, &mut sources);
    ui.diags(&diags, &sources);
    if diags.has_errors() {
        session.release(ui).await;
        return 1;
    }
    let state = session.stored.clone().unwrap_or_default();
    let code = {
        let console = Console::new(&session.ctx, &state, vars);
        if std::io::stdin().is_terminal() { interactive(ui, &console, sources) } else { piped(ui, &console, sources) }
    };
    if !session.release(ui).await {
        return 1;
    }
    code
}

fn piped(ui: &Ui, console: &Console<'_>, mut sources: SourceMap) -> u8 {
    let mut last = String::new();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let line = line.trim();
        match line {
            "" => last.clear(),
            "exit" => return 0,
            _ => match console.eval_line(line, &mut sources) {
                Ok(out) => last = out,
                Err(d) => {
                    ui.diags(&d, &sources);
                    return 1;
                }
            },
        }
    }
    ui.line(&last);
    0
}

fn interactive(ui: &Ui, console: &Console<'_>, mut sources: SourceMap) -> u8 {
    let stdin = std::io::stdin();
    let mut pending = String::new();
    loop {
        print!("{}", if pending.is_empty() { "> " } else { ": " });
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => {
                println!();
                return 0;
            }
            Ok(_) => {}
        }
        pending.push_str(&line);
        if open_brackets(&pending) > 0 {
            continue;
        }
        let text = std::mem::take(&mut pending);
        let text = text.trim();
        match text {
            "" => continue,
            "exit" => return 0,
            _ => match console.eval_line(text, &mut sources) {
                Ok(out) => ui.line(&out),
                Err(d) => ui.diags(&d, &sources),
            },
        }
    }
}

/// How many brackets are open at the end of `text` (outside string literals).
fn open_brackets(text: &str) -> i64 {
    let (mut depth, mut in_string, mut escaped) = (0i64, false, false);
    for c in text.chars() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
    }
    depth
}

#[cfg(test)]
mod tests {
    #[test]
    fn brackets_open_across_lines_and_not_inside_strings() {
        assert_eq!(super::open_brackets("[1,\n"), 1);
        assert_eq!(super::open_brackets("{a = \"{\"}"), 0);
        assert_eq!(super::open_brackets("f(\"\\\"(\")"), 0);
    }
}
