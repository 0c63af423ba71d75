//! The plan as a pull-request comment: a verdict and a summary table, every destroy and
//! replacement listed up front with what it loses, then the changes grouped by module with
//! each resource's diff folded in `<details>`, drift apart, and everything sized to fit a
//! GitHub comment (65,536 characters): details go first, largest first, never the warnings.

use super::style::Paint;
use super::text::{SchemaLookup, headline, planned_headline, reason_line, render_change, render_planned_change, shown};
use crate::plan::{Action, Plan, PlanMode, ResourceChange};
use std::collections::BTreeMap;
use std::fmt::Write;

/// GitHub's limit for a comment body.
pub const COMMENT_LIMIT: usize = 65_536;

/// Renders the plan as Markdown no longer than `limit` characters.
pub fn render_markdown(plan: &Plan, schemas: SchemaLookup<'_>, limit: usize) -> String {
    let head = header(plan);
    let warnings = warnings(plan);
    let changes: Vec<&ResourceChange> = plan.changes.iter().filter(|c| shown(plan, c)).collect();
    // Each resource's folded diff, by module.
    let mut details: Vec<Detail> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| Detail {
            order: i,
            module: module_of(c),
            summary: summary_line(Some(plan), c, false),
            body: Some(diff_block(Some(plan), c, schemas, false)),
        })
        .collect();
    let drift: Vec<Detail> = plan
        .drift
        .iter()
        .enumerate()
        .map(|(i, c)| Detail {
            order: i,
            module: module_of(c),
            summary: summary_line(None, c, true),
            body: Some(diff_block(None, c, schemas, true)),
        })
        .collect();
    let mut drift = drift;
    let outputs = outputs_section(plan);
    let footer_note = |dropped: usize| {
        if dropped == 0 {
            String::new()
        } else {
            format!(
                "\n> [!NOTE]\n> The diffs of {dropped} resource{} were left out to keep this comment under {limit} characters. Run `terrane show <plan file>` to see the whole plan.\n",
                if dropped == 1 { "" } else { "s" }
            )
        }
    };
    // Drop the largest diffs (drift first) until the comment fits; sizes are known up front.
    let full = assemble(&head, &warnings, &details, &drift, &outputs, "", false);
    let mut size = full.chars().count();
    let mut dropped = 0;
    if size > limit {
        let mut order: Vec<(bool, usize, usize)> = Vec::new(); // (is_change, index, saving)
        for (i, d) in drift.iter().enumerate() {
            order.push((false, i, d.saving()));
        }
        let mut change_order: Vec<(bool, usize, usize)> =
            details.iter().enumerate().map(|(i, d)| (true, i, d.saving())).collect();
        order.sort_by_key(|b| std::cmp::Reverse(b.2));
        change_order.sort_by_key(|b| std::cmp::Reverse(b.2));
        order.extend(change_order);
        let note_room = 300;
        for (is_change, i, saving) in order {
            if size + note_room <= limit {
                break;
            }
            let d = if is_change { &mut details[i] } else { &mut drift[i] };
            d.body = None;
            size -= saving;
            dropped += 1;
        }
    }
    let out = assemble(&head, &warnings, &details, &drift, &outputs, &footer_note(dropped), false);
    if out.chars().count() <= limit {
        return out;
    }
    // Still too long: list the remaining changes as counts. The summary and the destructive
    // changes stay.
    let out = assemble(
        &head,
        &warnings,
        &details,
        &drift,
        &outputs,
        &footer_note(dropped.max(details.len() + drift.len())),
        true,
    );
    if out.chars().count() <= limit {
        return out;
    }
    let compact = compact_warnings(plan);
    assemble(&head, &compact, &details, &drift, &outputs, &footer_note(details.len() + drift.len()), true)
}

impl Detail {
    /// Characters saved by leaving this diff out.
    fn saving(&self) -> usize {
        let with = self
            .body
            .as_ref()
            .map_or(0, |b| b.chars().count() + "<details><summary></summary>\n\n\n\n</details>\n\n".len());
        let without = "-  (diff left out for size)\n".len();
        with.saturating_sub(without)
    }
}

struct Detail {
    order: usize,
    module: String,
    summary: String,
    body: Option<String>,
}

fn module_of(c: &ResourceChange) -> String {
    c.addr.resource.module_string().unwrap_or_else(|| "root module".to_string())
}

/// Escapes text for Markdown and HTML outside code blocks.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '`' => out.push_str("&#96;"),
            '@' => out.push_str("&#64;"),
            '|' => out.push_str("&#124;"),
            '*' | '_' | '[' | ']' | '\\' | '#' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// An address inside `<code>`, HTML-escaped.
fn code(s: &str) -> String {
    let mut out = String::from("<code>");
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("&#64;"),
            c => out.push(c),
        }
    }
    out.push_str("</code>");
    out
}

fn header(plan: &Plan) -> String {
    let mut counts = [0usize; 4]; // add, change, replace, destroy
    let mut reads = 0;
    for c in &plan.changes {
        match c.action {
            Action::Create => counts[0] += 1,
            Action::Update => counts[1] += 1,
            Action::DeleteThenCreate | Action::CreateThenDelete => counts[2] += 1,
            Action::Delete => counts[3] += 1,
            Action::Read => reads += 1,
            Action::NoOp | Action::Forget => {}
        }
    }
    let [add, change, replace, destroy] = counts;
    let verdict = if plan.errored {
        "❌ **Planning failed.** terrane encountered an error while generating this plan; the changes below are those planned before it. This plan cannot be applied.".to_string()
    } else if !plan.has_changes() {
        "✅ **No changes.** The infrastructure matches the configuration.".to_string()
    } else if plan.mode == PlanMode::RefreshOnly {
        format!(
            "🔄 **Refresh only:** {} object{} changed outside terrane will be recorded.",
            plan.drift.len(),
            if plan.drift.len() == 1 { "" } else { "s" }
        )
    } else if destroy + replace > 0 {
        format!(
            "⚠️ **{add} to add, {change} to change, {replace} to replace, {destroy} to destroy** — review the destructive changes below."
        )
    } else {
        format!("📝 **{add} to add, {change} to change, {replace} to replace, {destroy} to destroy.**")
    };
    let mut out = format!("### terrane plan\n\n{verdict}\n\n");
    out.push_str("| add | change | replace | destroy | import | move | read | drift |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let _ = writeln!(
        out,
        "| {add} | {change} | {replace} | {destroy} | {} | {} | {reads} | {} |",
        plan.imports.len(),
        plan.moves.len(),
        plan.drift.len()
    );
    out.push_str(&why(plan));
    out
}

/// The changes grouped by root cause, largest group first: a reviewer sees at a glance that
/// a large plan has one small cause, or an unexpected one.
fn why(plan: &Plan) -> String {
    let mut groups: BTreeMap<String, usize> = BTreeMap::new();
    for c in plan.changes.iter().filter(|c| shown(plan, c)) {
        let mut mine: Vec<String> = plan.causes_of(c).iter().map(|cause| cause.root.group()).collect();
        mine.sort();
        mine.dedup();
        for g in mine {
            *groups.entry(g).or_default() += 1;
        }
    }
    if groups.is_empty() {
        return String::new();
    }
    let mut groups: Vec<(String, usize)> = groups.into_iter().collect();
    groups.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut out = String::from("\n**Why:**\n\n");
    const SHOWN: usize = 10;
    for (i, (g, n)) in groups.iter().enumerate() {
        if i == SHOWN {
            let _ = writeln!(out, "- … and {} more causes", groups.len() - SHOWN);
            break;
        }
        let _ = writeln!(out, "- **{n}** change{} because {}", if *n == 1 { "" } else { "s" }, escape(g));
    }
    out
}

/// What is lost when an object of this type is destroyed.
pub fn what_is_lost(type_name: &str) -> Option<&'static str> {
    Some(match type_name {
        "aws_db_instance" | "aws_rds_cluster" => "a database: its data is gone unless a final snapshot is taken",
        "aws_elasticache_cluster" | "aws_elasticache_replication_group" => "a cache: its data is lost",
        "aws_ebs_volume" | "docker_volume" => "a volume and the data on it",
        "aws_s3_bucket" => "a bucket and its objects",
        "aws_cloudwatch_log_group" => "a log group and the logs in it",
        "aws_kms_key" => "a key: data encrypted with it can no longer be read",
        "docker_secret" => "the secret's current value",
        "docker_config" => "the config's current content",
        "aws_instance" => "an instance and its local disks",
        "aws_lb" => "the load balancer and its DNS name",
        _ => return None,
    })
}

fn warnings(plan: &Plan) -> String {
    let mut out = destructive_warnings(plan);
    let forgotten: Vec<&ResourceChange> = plan.changes.iter().filter(|c| c.action == Action::Forget).collect();
    if !forgotten.is_empty() {
        out.push_str("\n> [!IMPORTANT]\n> **No longer managed** (`removed` with `destroy = false`): these objects stay, but terrane forgets them:\n>\n");
        for c in forgotten {
            let _ = writeln!(out, "> - {}", code(&c.addr.to_string()));
        }
    }
    out
}

fn destructive_warnings(plan: &Plan) -> String {
    let destructive: Vec<&ResourceChange> = plan.changes.iter().filter(|c| c.action.deletes()).collect();
    if destructive.is_empty() {
        return String::new();
    }
    let destroyed = destructive.iter().filter(|c| c.action == Action::Delete).count();
    let replaced = destructive.len() - destroyed;
    let mut out = format!(
        "\n> [!WARNING]\n> **{destroyed} to destroy, {replaced} to replace.** These lose the objects below:\n>\n"
    );
    for c in destructive {
        let verb = match c.action {
            Action::Delete => "**destroyed**",
            Action::CreateThenDelete => "**replaced** (new one first)",
            _ => "**replaced** (destroyed first)",
        };
        let mut line = format!("> - {} {verb}", code(&c.addr.to_string()));
        if !c.replace_paths.is_empty() {
            let attrs: Vec<String> = c.replace_paths.iter().map(|p| code(&crate::value::path_to_string(p))).collect();
            let _ = write!(line, " because {} changed (forces replacement)", attrs.join(", "));
        } else if let Some(r) = reason_line(c) {
            let _ = write!(line, " {}", escape(&r));
        } else if c.action.is_replace() {
            let _ = write!(line, " — {}", escape(&headline(c, false)));
        }
        if let Some(lost) = what_is_lost(&c.addr.resource.type_name) {
            let _ = write!(line, " — loses {lost}");
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn summary_line(plan: Option<&Plan>, c: &ResourceChange, drift: bool) -> String {
    let sym = match c.action {
        Action::NoOp if plan.is_some_and(|p| p.import_id(&c.addr).is_some()) => "📥",
        Action::NoOp if plan.is_some_and(|p| p.moved_from(&c.addr).is_some()) => "🔷 →",
        Action::Create => "🟢 +",
        Action::Update => "🟡 ~",
        Action::Delete => "🔴 -",
        Action::DeleteThenCreate => "🟣 -/+",
        Action::CreateThenDelete => "🟣 +/-",
        Action::Read => "🔵 &lt;=",
        Action::Forget => "⚪ .",
        Action::NoOp => "",
    };
    if let Some(from) = plan.filter(|_| c.action == Action::NoOp).and_then(|p| p.moved_from(&c.addr)) {
        return format!("{sym} {} has moved to {}", code(&from.to_string()), code(&c.addr.to_string()));
    }
    let text = match plan {
        Some(p) => planned_headline(p, c),
        None => headline(c, drift),
    };
    let addr = c.addr.to_string();
    let because = match plan.map(|p| super::text::cause_lines(p, c)) {
        Some(lines) if !lines.is_empty() => format!(" — {}", escape(&lines.join("; "))),
        _ => String::new(),
    };
    match text.strip_prefix(&addr) {
        Some(rest) => format!("{sym} {}{}{because}", code(&addr), escape(rest)),
        None => format!("{sym} {}{because}", escape(&text)),
    }
}

/// The resource's diff as a `diff` code block: Terraform's text with the action symbol moved
/// to the first column so GitHub colours it; fenced with more backticks than it contains.
fn diff_block(plan: Option<&Plan>, c: &ResourceChange, schemas: SchemaLookup<'_>, drift: bool) -> String {
    let text = match plan {
        Some(p) => render_planned_change(p, c, schemas(c).as_ref(), &Paint::new(false)),
        None => render_change(c, schemas(c).as_ref(), &Paint::new(false), drift),
    };
    let mut lines = Vec::new();
    for line in text.lines().skip(1) {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let moved = ["-/+ ", "+/- ", "<= ", "+ ", "- ", "~ "].iter().find_map(|sym| {
            trimmed.strip_prefix(sym).map(|rest| {
                let mark = match sym.trim() {
                    "~" => "!",
                    "-/+" | "+/-" => "!",
                    "<=" => "#",
                    s => s,
                };
                format!("{mark}{}{}", " ".repeat(indent.saturating_sub(mark.len()) + sym.len() - 1), rest)
            })
        });
        lines.push(moved.unwrap_or_else(|| line.to_string()));
    }
    let body = lines.join("\n");
    let longest = longest_backtick_run(&body);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}diff\n{body}\n{fence}")
}

fn longest_backtick_run(s: &str) -> usize {
    let mut best = 0;
    let mut cur = 0;
    for ch in s.chars() {
        if ch == '`' {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

/// The warning list with addresses only, for plans whose destroys alone crowd the comment.
fn compact_warnings(plan: &Plan) -> String {
    let destructive: Vec<String> =
        plan.changes.iter().filter(|c| c.action.deletes()).map(|c| c.addr.to_string()).collect();
    if destructive.is_empty() {
        return String::new();
    }
    format!(
        "\n> [!WARNING]\n> **{} objects will be destroyed or replaced:** {}\n",
        destructive.len(),
        destructive.iter().map(|a| code(a)).collect::<Vec<_>>().join(", ")
    )
}

fn outputs_section(plan: &Plan) -> String {
    let changed: Vec<_> = plan.outputs.iter().filter(|o| o.action != Action::NoOp).collect();
    if changed.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n#### Outputs\n\n| output | change |\n|---|---|\n");
    for o in changed {
        let what = match o.action {
            Action::Create => "added",
            Action::Delete => "removed",
            _ => "changed",
        };
        let sensitive = if o.sensitive { " (sensitive)" } else { "" };
        let _ = writeln!(out, "| {} | {what}{sensitive} |", code(&o.name));
    }
    out
}

fn assemble(
    head: &str,
    warnings: &str,
    details: &[Detail],
    drift: &[Detail],
    outputs: &str,
    note: &str,
    counts_only: bool,
) -> String {
    let mut out = String::new();
    out.push_str(head);
    out.push_str(warnings);
    let section = |out: &mut String, title: &str, list: &[Detail]| {
        if list.is_empty() {
            return;
        }
        let mut by_module: BTreeMap<&str, Vec<&Detail>> = BTreeMap::new();
        for d in list {
            by_module.entry(d.module.as_str()).or_default().push(d);
        }
        let _ = writeln!(out, "\n#### {title}\n");
        if counts_only {
            let _ = writeln!(
                out,
                "{} resource{} (listed in full by `terrane show`).",
                list.len(),
                if list.len() == 1 { "" } else { "s" }
            );
            return;
        }
        for (module, items) in by_module {
            if module != "root module" || title.starts_with("Changes") {
                let _ = writeln!(out, "**{}**\n", escape(module));
            }
            let mut items = items;
            items.sort_by_key(|d| d.order);
            for d in items {
                match &d.body {
                    Some(body) => {
                        let _ = writeln!(out, "<details><summary>{}</summary>\n\n{body}\n\n</details>\n", d.summary);
                    }
                    None => {
                        let _ = writeln!(out, "- {} (diff left out for size)", d.summary);
                    }
                }
            }
        }
    };
    section(&mut out, "Changes", details);
    section(&mut out, "Drift: changed outside terrane", drift);
    out.push_str(outputs);
    out.push_str(note);
    out
}

#[cfg(test)]
mod tests;
