//! The human plan: Terraform's layout and symbols, `# forces replacement` on the attribute
//! that forces it, `(known after apply)`, `(sensitive value)`, multi-line strings as line
//! diffs, drift apart from the changes, and the summary line.

use super::style::Paint;
use crate::addr::Mode;
use crate::plan::{Action, OutputChange, Plan, PlanMode, Reason, ResourceChange};
use crate::schema::{Nesting, Schema};
use crate::value::{PathStep, Type, Value, View};
use std::fmt::Write;

/// Looks up the schema of a change's resource type, for block-aware rendering.
pub type SchemaLookup<'a> = &'a dyn Fn(&ResourceChange) -> Option<Schema>;

/// Renders the whole plan as `terrane plan` prints it.
pub fn render_plan(plan: &Plan, schemas: SchemaLookup<'_>, color: bool) -> String {
    let p = Paint::new(color);
    let mut out = String::new();
    let visible: Vec<&ResourceChange> = plan.changes.iter().filter(|c| shown(plan, c)).collect();
    if !plan.drift.is_empty() {
        let _ = writeln!(out, "\n{}", p.bold("Note: Objects have changed outside of terrane"));
        let _ = writeln!(
            out,
            "\nterrane detected the following changes made outside of terrane since the last \"terrane apply\" which may have affected this plan:\n"
        );
        for c in &plan.drift {
            out.push_str(&render_change(c, schemas(c).as_ref(), &p, true));
            out.push('\n');
        }
        if plan.mode == PlanMode::RefreshOnly {
            let _ = writeln!(
                out,
                "This is a refresh-only plan, so terrane will not take any actions to undo these. If you were expecting these changes then you can apply this plan to record the updated values in the terrane state without changing any remote objects."
            );
        } else {
            let _ = writeln!(
                out,
                "Unless you have made equivalent changes to your configuration, or ignored the relevant attributes using ignore_changes, the following plan may include actions to undo or respond to these changes."
            );
        }
        let _ = writeln!(out, "\n{}", "─".repeat(77));
    }
    let output_changes: Vec<&OutputChange> = plan.outputs.iter().filter(|o| o.action != Action::NoOp).collect();
    if visible.is_empty() && output_changes.is_empty() {
        if plan.errored {
            // Terraform's words (jsonformat/plan.go): nothing was planned before the errors.
            let _ = writeln!(
                out,
                "\n{} terrane encountered an error while generating this plan.",
                p.bold(&p.red("Planning failed."))
            );
            return out;
        }
        if plan.mode == PlanMode::RefreshOnly && !plan.drift.is_empty() {
            return out;
        }
        let _ = writeln!(out, "\n{} Your infrastructure matches the configuration.", p.bold("No changes."));
        let _ = writeln!(
            out,
            "\nterrane has compared your real infrastructure against your configuration and found no differences, so no changes are needed."
        );
        return out;
    }
    if !visible.is_empty() {
        let mut actions: Vec<Action> =
            visible.iter().map(|c| c.action).filter(|a| !matches!(a, Action::NoOp | Action::Forget)).collect();
        if plan.errored {
            // The walk stopped on errors: these are the changes planned before them.
            let _ = writeln!(
                out,
                "\nterrane planned the following actions{}, but then encountered a problem:",
                if actions.is_empty() { "" } else { ", indicated with these symbols" }
            );
        } else if !actions.is_empty() {
            let _ = writeln!(out, "\nterrane will perform the following actions, indicated with these symbols:");
        } else {
            let _ = writeln!(out, "\nterrane will perform the following actions:");
        }
        actions.sort_by_key(|a| legend_order(*a));
        actions.dedup();
        for a in actions {
            let _ = writeln!(out, "{} {}", p.action(a, &format!("{:>3}", a.symbol())), legend(a));
        }
        out.push('\n');
        for c in &visible {
            out.push_str(&render_planned_change(plan, c, schemas(c).as_ref(), &p));
            out.push('\n');
        }
        let s = plan.summary();
        let mut imports = if s.import > 0 { format!("{} to import, ", s.import) } else { String::new() };
        if s.adopt > 0 {
            imports.push_str(&format!("{} to adopt, ", s.adopt));
        }
        let _ = writeln!(
            out,
            "{} {imports}{} to add, {} to change, {} to destroy.",
            p.bold("Plan:"),
            s.add,
            s.change,
            s.destroy
        );
    }
    if !output_changes.is_empty() {
        let _ = writeln!(out, "\nChanges to Outputs:");
        // As Terraform: padded to every output's name, unchanged ones too.
        let width = plan.outputs.iter().map(|o| o.name.len()).max().unwrap_or(0);
        // Outputs have no schema: Terraform diffs them as JSON documents.
        let mut r = Lines { out: &mut out, p: &p, no_null_suffix: false, legacy: false, json: true };
        for o in output_changes {
            r.attribute(
                &o.name,
                width,
                ValueOrAbsent::of(&o.before, o.action == Action::Create),
                ValueOrAbsent::of(&o.after, o.action == Action::Delete || o.after.is_null()),
                0,
                false,
                None,
            );
        }
    }
    out
}

fn legend_order(a: Action) -> u8 {
    match a {
        Action::Create => 0,
        Action::Update => 1,
        Action::Delete => 2,
        Action::DeleteThenCreate => 3,
        Action::CreateThenDelete => 4,
        Action::Read => 5,
        Action::Forget => 6,
        Action::NoOp => 7,
    }
}

fn legend(a: Action) -> &'static str {
    match a {
        Action::Create => "create",
        Action::Update => "update in-place",
        Action::Delete => "destroy",
        Action::DeleteThenCreate => "destroy and then create replacement",
        Action::CreateThenDelete => "create replacement and then destroy",
        Action::Read => "read (data resources)",
        Action::Forget => "forget (stop managing, without destroying)",
        Action::NoOp => "no-op",
    }
}

/// The heading comment of a change: `# aws_instance.web will be created`.
pub fn headline(c: &ResourceChange, drift: bool) -> String {
    let addr = match &c.deposed {
        Some(d) => format!("{} (deposed object {d})", c.addr),
        None => c.addr.to_string(),
    };
    if drift {
        return match c.action {
            Action::Delete => format!("{addr} has been deleted"),
            _ => format!("{addr} has changed"),
        };
    }
    match (c.action, c.reason) {
        (Action::Create, _) => format!("{addr} will be created"),
        (Action::Update, _) => format!("{addr} will be updated in-place"),
        (Action::Delete, _) => format!("{addr} will be destroyed"),
        (Action::Read, _) => format!("{addr} will be read during apply"),
        (Action::Forget, _) => format!("{addr} will no longer be managed by terrane, but will not be destroyed"),
        (_, Some(Reason::ReplaceBecauseTainted)) => format!("{addr} is tainted, so must be replaced"),
        (_, Some(Reason::ReplaceByRequest)) => format!("{addr} will be replaced, as requested"),
        (_, Some(Reason::ReplaceByTriggers)) => {
            format!("{addr} will be replaced due to changes in replace_triggered_by")
        }
        (Action::DeleteThenCreate | Action::CreateThenDelete, _) => format!("{addr} must be replaced"),
        (Action::NoOp, _) => format!("{addr} has no changes"),
    }
}

/// The `# (because ...)` line under the headline, if any.
pub fn reason_line(c: &ResourceChange) -> Option<String> {
    if c.action == Action::Forget {
        return None;
    }
    Some(match c.reason? {
        // Terraform names the resource by type and name only.
        Reason::DeleteBecauseNoResourceConfig => {
            format!("(because {}.{} is not in configuration)", c.addr.resource.type_name, c.addr.resource.name)
        }
        Reason::DeleteBecauseNoModule => {
            format!("(because {} is not in configuration)", crate::addr::Target::Module(c.addr.resource.module.clone()))
        }
        Reason::DeleteBecauseCountIndex => format!("(because index {} is out of range for count)", c.addr.key),
        Reason::DeleteBecauseEachKey => format!("(because key {} is not in for_each map)", c.addr.key),
        Reason::ReadBecauseConfigUnknown => "(config refers to values not yet known)".to_string(),
        Reason::ReadBecauseDependencyPending => "(depends on a resource or a module with changes pending)".to_string(),
        _ => return None,
    })
}

/// Whether a planned change is shown: every action, and no-ops that move or import an object.
pub fn shown(plan: &Plan, c: &ResourceChange) -> bool {
    c.action != Action::NoOp
        || plan.moved_from(&c.addr).is_some()
        || plan.import_id(&c.addr).is_some()
        || plan.was_adopted(&c.addr)
}

/// The heading of a planned change, aware of moves and imports.
pub fn planned_headline(plan: &Plan, c: &ResourceChange) -> String {
    match (c.action, plan.moved_from(&c.addr), plan.import_id(&c.addr)) {
        (Action::NoOp, _, _) if plan.was_adopted(&c.addr) => {
            format!("{} will be adopted: an interrupted apply created it", c.addr)
        }
        (Action::NoOp, _, Some(_)) => format!("{} will be imported", c.addr),
        (Action::NoOp, Some(from), None) => format!("{from} has moved to {}", c.addr),
        _ => headline(c, false),
    }
}

/// The `# (...)` comments under a planned change's heading.
pub fn planned_notes(plan: &Plan, c: &ResourceChange) -> Vec<String> {
    let mut notes = Vec::new();
    if c.action == Action::Forget {
        notes.push("(destroy = false is set in the configuration)".to_string());
    }
    if let Some(r) = reason_line(c) {
        notes.push(r);
    }
    if c.reason == Some(Reason::DeleteBecauseNoMoveTarget)
        && let Some(from) = plan.moved_from(&c.addr)
    {
        notes.push(format!("(because {from} was moved to {}, which is not in configuration)", c.addr));
    }
    notes.extend(cause_lines(plan, c));
    if c.action != Action::NoOp {
        if let Some(from) = plan.moved_from(&c.addr) {
            notes.push(format!("(moved from {from})"));
        }
        if let Some(id) = plan.import_id(&c.addr) {
            notes.push(format!("(imported from {})", crate::addr::quote(id)));
        }
        if plan.was_adopted(&c.addr) {
            notes.push("(adopted: an interrupted apply created it, found again by its creation token)".to_string());
        }
    }
    notes
}

/// The `because ...` lines of a change: one per distinct root cause, at most three. A root
/// reached through one other resource names that resource's change; reached through several,
/// it names the root and the first of them.
pub fn cause_lines(plan: &Plan, c: &ResourceChange) -> Vec<String> {
    use crate::plan::provenance::Root;
    let here = c.addr.to_string();
    // (root, its causes with distinct lines), in the order found.
    let mut roots: Vec<(&Root, Vec<(String, &crate::plan::provenance::Cause)>)> = Vec::new();
    for cause in plan.causes_of(c) {
        // Said already by the headline, the reason line or the `destroy = false` note.
        let said = match &cause.root {
            Root::Removed { .. } => reason_line(c).is_some(),
            Root::New { address } => *address == here,
            Root::Forgotten { .. }
            | Root::Deposed { .. }
            | Root::DestroyMode { .. }
            | Root::Tainted { .. }
            | Root::Adopted { .. } => true,
            _ => false,
        };
        if said {
            continue;
        }
        let line = cause.line(&here);
        match roots.iter_mut().find(|(r, _)| **r == cause.root) {
            Some((_, causes)) if !causes.iter().any(|(l, _)| *l == line) => causes.push((line, cause)),
            Some(_) => {}
            None => roots.push((&cause.root, vec![(line, cause)])),
        }
    }
    let mut lines: Vec<String> = roots
        .iter()
        .map(|(root, causes)| match causes.as_slice() {
            [(one, _)] => format!("because {one}"),
            [(first, cause), rest @ ..] => {
                let through = cause.through().unwrap_or(first);
                format!("because {} (through {through} and {} more)", root.describe(Some(&here)), rest.len())
            }
            [] => String::new(),
        })
        .collect();
    if lines.len() > 3 {
        let more = lines.len() - 2;
        lines.truncate(2);
        lines.push(format!("and {more} more causes (terrane plan -explain={here})"));
    }
    lines
}

/// Why one change happens, every cause with its whole chain and where each link is written
/// (`terrane plan -explain=ADDRESS`).
pub fn render_explanation(plan: &Plan, addr: &str) -> Option<String> {
    let c = plan.changes.iter().find(|c| c.addr.to_string() == addr && c.deposed.is_none())?;
    let mut out = String::new();
    let _ = writeln!(out, "# {}", planned_headline(plan, c));
    let causes = plan.causes_of(c);
    if causes.is_empty() {
        let _ = writeln!(out, "\nNothing changes, so there is nothing to explain.");
        return Some(out);
    }
    for cause in causes {
        let _ = writeln!(out, "\nbecause {}", cause.root.describe(Some(addr)));
        let width = cause.chain.iter().map(|s| s.what.chars().count()).max().unwrap_or(0);
        for (i, s) in cause.chain.iter().enumerate() {
            let arrow = if i == 0 { "  " } else { "← " };
            let pad = " ".repeat(width - s.what.chars().count());
            match &s.at {
                Some(at) => {
                    let _ = writeln!(out, "  {arrow}{}{pad}  {at}", s.what);
                }
                None => {
                    let _ = writeln!(out, "  {arrow}{}", s.what);
                }
            }
        }
    }
    Some(out)
}

/// Renders one planned change block (with moves, imports and forgets).
pub fn render_planned_change(plan: &Plan, c: &ResourceChange, schema: Option<&Schema>, p: &Paint) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "  {}", p.bold(&format!("# {}", planned_headline(plan, c))));
    for n in planned_notes(plan, c) {
        let _ = writeln!(out, "  # {n}");
    }
    body(&mut out, c, schema, p);
    out
}

/// Renders one resource change block.
pub fn render_change(c: &ResourceChange, schema: Option<&Schema>, p: &Paint, drift: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "  {}", p.bold(&format!("# {}", headline(c, drift))));
    if !drift && let Some(r) = reason_line(c) {
        let _ = writeln!(out, "  # {r}");
    }
    body(&mut out, c, schema, p);
    out
}

fn body(out: &mut String, c: &ResourceChange, schema: Option<&Schema>, p: &Paint) {
    let action = c.action;
    let kind = if c.addr.resource.mode == Mode::Data { "data" } else { "resource" };
    let _ = writeln!(
        out,
        "{} {kind} \"{}\" \"{}\" {{",
        p.action(action, &format!("{:>3}", action.symbol())),
        c.addr.resource.type_name,
        c.addr.resource.name
    );
    let legacy = schema.is_some_and(|s| !non_legacy(s));
    let mut lines = Lines { out, p, no_null_suffix: false, legacy, json: false };
    let full = matches!(action, Action::Create | Action::Delete | Action::Read);
    let before = if matches!(action, Action::Create | Action::Read) { Value::NULL } else { c.before.clone() };
    let after = match action {
        Action::Delete => Value::NULL,
        // A forgotten object is shown as it is, unchanged.
        Action::Forget => c.before.clone(),
        _ => c.after.clone(),
    };
    lines.object_body(schema, &before, &after, 1, full, &c.replace_paths, &mut Vec::new());
    let _ = writeln!(out, "    }}");
}

/// A value, or the absence of one (for creates and deletes, where "null" is not a value).
#[derive(Clone, Copy)]
enum ValueOrAbsent<'a> {
    Absent,
    Present(&'a Value),
}

impl<'a> ValueOrAbsent<'a> {
    fn of(v: &'a Value, absent: bool) -> ValueOrAbsent<'a> {
        if absent || v.is_null() { ValueOrAbsent::Absent } else { ValueOrAbsent::Present(v) }
    }
}

struct Lines<'o, 'p> {
    out: &'o mut String,
    p: &'p Paint,
    /// Inside the old value of a block that becomes unknown: deleted attributes are shown
    /// without `-> null` (Terraform's `OverrideNullSuffix`).
    no_null_suffix: bool,
    /// The resource's schema is one the legacy plugin SDK could make, whose providers do not
    /// always tell an empty string from null: Terraform then shows the two as the same.
    legacy: bool,
    /// Inside a value of no declared type (an output, a dynamic attribute such as
    /// `terraform_data`'s `input`), which Terraform diffs as a JSON document: maps are objects,
    /// sets are lists, null attributes are shown, and no `# forces replacement` is added.
    json: bool,
}

/// Terraform's `containsNonLegacyFeatures`: what the legacy plugin SDK cannot declare.
fn non_legacy(s: &Schema) -> bool {
    s.attributes.values().any(|a| {
        let t = &a.ty;
        t.has_dynamic_types()
            || matches!(t, Type::Tuple(_) | Type::Object(_))
            || t.element_type().is_some_and(|e| e.element_type().is_some_and(|ee| !ee.is_primitive()))
    })
}

/// A string Terraform shows as `jsonencode(…)`: one starting with `{` or `[` that is JSON
/// (its renderer's `evaluatePrimitiveString`), decoded.
fn json_string(s: &str) -> Option<Value> {
    if !(s.starts_with('{') || s.starts_with('[')) {
        return None;
    }
    crate::value::from_json_text(s).ok()
}

/// Terraform's `ProcessSlice`: which element of `before` goes with which of `after`. Lists of
/// one length that are not a reordering pair by index; otherwise a longest common
/// subsequence, with a removed and an added object at the same place paired as an update.
fn slice_pairs(
    before: &[Value],
    after: &[Value],
    is_obj: impl Fn(&Value) -> bool,
) -> Vec<(Option<Value>, Option<Value>)> {
    let reorder = before.len() == after.len() && before.iter().all(|b| after.contains(b));
    if before.len() == after.len() && !reorder {
        return before.iter().zip(after).map(|(b, a)| (Some(b.clone()), Some(a.clone()))).collect();
    }
    let lcs = longest_common_subsequence(before, after);
    let (mut bi, mut ai, mut li) = (0, 0, 0);
    let mut out = Vec::new();
    while bi < before.len() || ai < after.len() || li < lcs.len() {
        while bi < before.len() && (li >= lcs.len() || before[bi] != lcs[li]) {
            let object_diff = is_obj(&before[bi])
                && ai < after.len()
                && is_obj(&after[ai])
                && (li >= lcs.len() || after[ai] != lcs[li]);
            if object_diff {
                out.push((Some(before[bi].clone()), Some(after[ai].clone())));
                ai += 1;
            } else {
                out.push((Some(before[bi].clone()), None));
            }
            bi += 1;
        }
        while ai < after.len() && (li >= lcs.len() || after[ai] != lcs[li]) {
            out.push((None, Some(after[ai].clone())));
            ai += 1;
        }
        if li < lcs.len() {
            out.push((Some(before[bi].clone()), Some(after[ai].clone())));
            bi += 1;
            ai += 1;
            li += 1;
        }
    }
    out
}

/// Terraform's `LongestCommonSubsequence` (objchange), with its choice among equal ones.
fn longest_common_subsequence(xs: &[Value], ys: &[Value]) -> Vec<Value> {
    if xs.is_empty() || ys.is_empty() {
        return Vec::new();
    }
    let w = xs.len();
    let mut c = vec![0usize; xs.len() * ys.len()];
    let mut eqs = vec![false; xs.len() * ys.len()];
    for y in 0..ys.len() {
        for x in 0..xs.len() {
            if xs[x] == ys[y] {
                eqs[w * y + x] = true;
                c[w * y + x] = if x == 0 || y == 0 { 1 } else { c[w * (y - 1) + (x - 1)] + 1 };
            } else {
                let l = if x > 0 { c[w * y + (x - 1)] } else { 0 };
                let u = if y > 0 { c[w * (y - 1) + x] } else { 0 };
                c[w * y + x] = l.max(u);
            }
        }
    }
    let mut seq = vec![Value::NULL; c[c.len() - 1]];
    let (mut x, mut y, mut i) = (xs.len() as isize - 1, ys.len() as isize - 1, seq.len() as isize - 1);
    while x > -1 && y > -1 && i > -1 {
        let (xu, yu) = (x as usize, y as usize);
        if eqs[w * yu + xu] {
            seq[i as usize] = xs[xu].clone();
            x -= 1;
            y -= 1;
            i -= 1;
        } else {
            let l = if xu > 0 { c[w * yu + (xu - 1)] } else { 0 };
            let u = if yu > 0 { c[w * (yu - 1) + xu] } else { 0 };
            if l > u {
                x -= 1;
            } else {
                y -= 1;
            }
        }
    }
    seq
}

/// Terraform's `processSet`: each old element matched to an equal new one (unchanged) or
/// removed, in order, then the new elements nothing matched, added.
fn set_pairs(before: &[Value], after: &[Value]) -> Vec<(Option<Value>, Option<Value>)> {
    let mut taken = vec![false; after.len()];
    let mut out = Vec::new();
    for b in before {
        match (0..after.len()).find(|&j| !taken[j] && after[j] == *b && b.is_known()) {
            Some(j) => {
                taken[j] = true;
                out.push((Some(b.clone()), Some(after[j].clone())));
            }
            None => out.push((Some(b.clone()), None)),
        }
    }
    out.extend(after.iter().zip(&taken).filter(|(_, t)| !**t).map(|(a, _)| (None, Some(a.clone()))));
    out
}

/// The note on a JSON string whose text changed but not its document.
fn whitespace_note(forces: &str) -> &'static str {
    if forces.is_empty() { " # whitespace changes" } else { " # whitespace changes force replacement" }
}

/// In a legacy schema's values, an empty string counts as null.
fn blank(v: &Value, legacy: bool) -> bool {
    v.is_null() || (legacy && v.as_str() == Some(""))
}

/// Terraform's `# (3 unchanged attributes hidden)`, dimmed, at `level`.
fn unchanged(p: &Paint, level: usize, n: usize, what: &str) -> String {
    format!("{}{}", pad(level), p.dim(&format!("# ({n} unchanged {what}{} hidden)", if n == 1 { "" } else { "s" })))
}

fn sym_prefix(p: &Paint, level: usize, a: Action) -> String {
    // The symbol's last character sits at column 2 + 4 * level.
    let width = 3 + 4 * level;
    let sym = match a {
        Action::NoOp => " ",
        other => other.symbol(),
    };
    p.action(a, &format!("{sym:>width$}"))
}

fn pad(level: usize) -> String {
    " ".repeat(2 + 4 * level + 2)
}

/// A key of a map or an object: a map's always quoted, an object's bare when it is an
/// identifier (Terraform's `hclEscapeString` and `EnsureValidAttributeName`).
fn entry_key(k: &str, map: bool) -> String {
    if map { crate::addr::quote(k) } else { key_repr(k) }
}

fn is_map(v: &Value) -> bool {
    matches!(v.unmarked(), Value::Map(_))
}

fn key_repr(k: &str) -> String {
    let ident = k.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if ident { k.to_string() } else { crate::addr::quote(k) }
}

impl Lines<'_, '_> {
    /// Attributes and blocks of an object, in schema order (attributes by name, then blocks).
    #[allow(clippy::too_many_arguments)]
    fn object_body(
        &mut self,
        schema: Option<&Schema>,
        before: &Value,
        after: &Value,
        level: usize,
        full: bool,
        replace: &[Vec<PathStep>],
        path: &mut Vec<PathStep>,
    ) {
        let empty = crate::value::ValueMap::new();
        let bm = before.as_map().unwrap_or(&empty);
        let am = after.as_map().unwrap_or(&empty);
        let mut names: Vec<&String> = bm.keys().chain(am.keys()).collect();
        names.sort();
        names.dedup();
        // A block type the SDK declares as an attribute (`ingress`, `route`: written either
        // way) is an attribute in the provider's real schema, and Terraform shows it as one.
        let is_block = |n: &str| schema.is_some_and(|s| s.blocks.get(n).is_some_and(|b| !b.attribute_syntax));
        let attrs: Vec<&String> = names.iter().copied().filter(|n| !is_block(n)).collect();
        // What Terraform's renderer has of an attribute at all: not null before and after.
        let present = |n: &str| !(bm.get(n).is_none_or(Value::is_null) && am.get(n).is_none_or(Value::is_null));
        let shown: Vec<&String> = attrs
            .iter()
            .copied()
            .filter(|n| {
                let b = bm.get(*n).unwrap_or(&Value::NULL);
                let a = am.get(*n).unwrap_or(&Value::NULL);
                let (bb, ab) = (blank(b, self.legacy), blank(a, self.legacy));
                let changed = !(bb && ab) && (!b.lang_eq(a) || a.is_unknown() || b.is_sensitive() != a.is_sensitive());
                (changed && !(b.is_null() && a.is_null()))
                    || (!full && matches!(n.as_str(), "id" | "name" | "tags") && !a.is_null())
            })
            .collect();
        // As Terraform's block renderer: the width of every attribute it has (hidden ones
        // too; not those null before and after).
        let width = attrs.iter().filter(|n| present(n)).map(|n| key_repr(n).len()).max().unwrap_or(0);
        let mut hidden = 0;
        for n in &attrs {
            if !shown.contains(n) {
                hidden += usize::from(present(n));
                continue;
            }
            path.push(PathStep::Attr((*n).clone()));
            let dynamic = schema.and_then(|s| s.attributes.get(n.as_str())).is_some_and(|a| a.ty == Type::Dynamic);
            let forces = !dynamic && replace.iter().any(|r| r == path);
            let b = bm.get(*n).map_or(ValueOrAbsent::Absent, |v| ValueOrAbsent::of(v, false));
            let a = am.get(*n).map_or(ValueOrAbsent::Absent, |v| ValueOrAbsent::of(v, false));
            let json = self.json || dynamic;
            let outer = std::mem::replace(&mut self.json, json);
            self.attribute(&key_repr(n), width, b, a, level, forces, Some((replace, &mut *path)));
            self.json = outer;
            path.pop();
        }
        // On a create or a delete only a legacy schema's empty strings are hidden.
        if hidden > 0 {
            let _ = writeln!(self.out, "{}", unchanged(self.p, level, hidden, "attribute"));
        }
        let Some(schema) = schema else { return };
        let mut hidden_blocks = 0;
        // As Terraform: block types by name, each group of shown blocks after a blank line
        // when the object has attributes (set ones: null attributes do not count).
        let has_attrs = attrs.iter().any(|n| present(n));
        let mut block_names: Vec<&String> =
            schema.blocks.iter().filter(|(_, b)| !b.attribute_syntax).map(|(k, _)| k).collect();
        block_names.sort();
        for name in block_names {
            let block = &schema.blocks[name];
            let group_start = self.out.len();
            self.block_group(name, block, bm, am, level, full, replace, path, &mut hidden_blocks);
            if has_attrs && self.out.len() > group_start {
                self.out.insert(group_start, '\n');
            }
        }
        if hidden_blocks > 0 && !full {
            let _ = writeln!(self.out, "\n{}", unchanged(self.p, level, hidden_blocks, "block"));
        }
    }

    /// The blocks of one type of an object (see [`Lines::object_body`]).
    #[allow(clippy::too_many_arguments)]
    fn block_group(
        &mut self,
        name: &str,
        block: &crate::schema::NestedBlock,
        bm: &crate::value::ValueMap,
        am: &crate::value::ValueMap,
        level: usize,
        full: bool,
        replace: &[Vec<PathStep>],
        path: &mut Vec<PathStep>,
        hidden_blocks: &mut usize,
    ) {
        let b = bm.get(name).cloned().unwrap_or(Value::NULL);
        let a = am.get(name).cloned().unwrap_or(Value::NULL);
        path.push(PathStep::Attr(name.to_string()));
        let forces = replace.iter().any(|r| r == path);
        match block.nesting {
            Nesting::Single => {
                if a.is_unknown() {
                    let old = if b.is_null() { vec![] } else { vec![b] };
                    self.unknown_blocks(name, &block.schema, old, level, forces, replace, path);
                } else if b.lang_eq(&a) {
                    if !b.is_null() {
                        *hidden_blocks += 1;
                    }
                } else {
                    self.block(name, &block.schema, &b, &a, level, full, forces, replace, path);
                }
            }
            Nesting::List | Nesting::Set => {
                if a.is_unknown() {
                    let old = b.as_seq().map(<[Value]>::to_vec).unwrap_or_default();
                    self.unknown_blocks(name, &block.schema, old, level, forces, replace, path);
                    path.pop();
                    return;
                }
                let bi = b.as_seq().map(<[Value]>::to_vec).unwrap_or_default();
                let ai = a.as_seq().map(<[Value]>::to_vec).unwrap_or_default();
                let ops = list_ops(&bi, &ai, block.nesting == Nesting::Set);
                for op in ops {
                    match op {
                        ListOp::Same(v) => {
                            let _ = v;
                            *hidden_blocks += 1;
                        }
                        ListOp::Removed(v) => {
                            self.block(name, &block.schema, &v, &Value::NULL, level, full, forces, replace, path)
                        }
                        ListOp::Added(v) => {
                            self.block(name, &block.schema, &Value::NULL, &v, level, full, forces, replace, path)
                        }
                        ListOp::Changed(b, a) => {
                            self.block(name, &block.schema, &b, &a, level, full, forces, replace, path)
                        }
                    }
                }
            }
        }
        path.pop();
    }

    /// Blocks whose value the provider decides at apply (a list or set of them, or a single
    /// one), as Terraform shows them: `+ name (known after apply)` where there were none, else
    /// each old block as deleted, then `-> (known after apply)`.
    #[allow(clippy::too_many_arguments)]
    fn unknown_blocks(
        &mut self,
        name: &str,
        schema: &Schema,
        old: Vec<Value>,
        level: usize,
        forces: bool,
        replace: &[Vec<PathStep>],
        path: &mut Vec<PathStep>,
    ) {
        let suffix = if forces { format!(" {}", self.p.red("# forces replacement")) } else { String::new() };
        let unknown = self.p.dim("(known after apply)");
        if old.is_empty() {
            let _ = writeln!(self.out, "{} {name} {unknown}{suffix}", sym_prefix(self.p, level, Action::Create));
            return;
        }
        for b in old {
            let _ = writeln!(self.out, "{} {name} {{", sym_prefix(self.p, level, Action::Update));
            let outer = std::mem::replace(&mut self.no_null_suffix, true);
            self.object_body(Some(schema), &b, &Value::NULL, level + 1, true, replace, path);
            self.no_null_suffix = outer;
            let _ = writeln!(self.out, "{}}} {} {unknown}{suffix}", pad(level), self.p.dim("->"));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn block(
        &mut self,
        name: &str,
        schema: &Schema,
        before: &Value,
        after: &Value,
        level: usize,
        full: bool,
        forces: bool,
        replace: &[Vec<PathStep>],
        path: &mut Vec<PathStep>,
    ) {
        let action = match (before.is_null(), after.is_null()) {
            (true, false) => Action::Create,
            (false, true) => Action::Delete,
            _ => Action::Update,
        };
        let suffix = if forces { format!(" {}", self.p.red("# forces replacement")) } else { String::new() };
        let _ = writeln!(self.out, "{} {name} {{{suffix}", sym_prefix(self.p, level, action));
        let full = full || action != Action::Update;
        self.object_body(Some(schema), before, after, level + 1, full, replace, path);
        let _ = writeln!(self.out, "{}}}", pad(level));
    }

    /// One attribute line (or a nested structure starting on it).
    #[allow(clippy::too_many_arguments)]
    fn attribute(
        &mut self,
        name: &str,
        width: usize,
        before: ValueOrAbsent<'_>,
        after: ValueOrAbsent<'_>,
        level: usize,
        forces: bool,
        _ctx: Option<(&[Vec<PathStep>], &mut Vec<PathStep>)>,
    ) {
        let suffix = if forces { format!(" {}", self.p.red("# forces replacement")) } else { String::new() };
        let label = format!("{name:<width$}");
        match (before, after) {
            (ValueOrAbsent::Absent, ValueOrAbsent::Absent) => {}
            (ValueOrAbsent::Absent, ValueOrAbsent::Present(a)) => {
                let _ = writeln!(
                    self.out,
                    "{} {label} = {}{suffix}",
                    sym_prefix(self.p, level, Action::Create),
                    self.value(a, level, Action::Create)
                );
            }
            (ValueOrAbsent::Present(b), ValueOrAbsent::Absent) if self.no_null_suffix => {
                let _ = writeln!(
                    self.out,
                    "{} {label} = {}{suffix}",
                    sym_prefix(self.p, level, Action::Delete),
                    self.value(b, level, Action::Delete)
                );
            }
            (ValueOrAbsent::Present(b), ValueOrAbsent::Absent) => {
                let _ = writeln!(
                    self.out,
                    "{} {label} = {} {} {}{suffix}",
                    sym_prefix(self.p, level, Action::Delete),
                    self.value(b, level, Action::Delete),
                    self.p.dim("->"),
                    self.p.dim("null")
                );
            }
            (ValueOrAbsent::Present(b), ValueOrAbsent::Present(a)) => {
                if b.lang_eq(a) && !a.is_unknown() && b.is_sensitive() == a.is_sensitive() {
                    let _ = writeln!(
                        self.out,
                        "{} {label} = {}{suffix}",
                        sym_prefix(self.p, level, Action::NoOp),
                        self.value(a, level, Action::NoOp)
                    );
                    return;
                }
                let prefix = sym_prefix(self.p, level, Action::Update);
                match (b.view(), a.view()) {
                    (View::Map(_), View::Map(_)) | (View::Seq(_), View::Seq(_)) => {
                        let open = if matches!(a.view(), View::Map(_)) { "{" } else { "[" };
                        let _ = writeln!(self.out, "{prefix} {label} = {open}{suffix}");
                        // Terraform's important attributes (`id`, `name`, `tags`) show their
                        // unchanged elements too.
                        let all = matches!(name.trim_end(), "id" | "name" | "tags");
                        self.update_body(b, a, level, all, "");
                    }
                    (View::String(bs_), View::String(as2))
                        if let (Some(bj), Some(aj)) = (json_string(bs_), json_string(as2)) =>
                    {
                        self.json_update(&prefix, &label, &bj, &aj, level, &suffix);
                    }
                    (View::String(bs_), View::String(as2)) if bs_.contains('\n') || as2.contains('\n') => {
                        let _ = writeln!(self.out, "{prefix} {label} = <<-EOT{suffix}");
                        let diff = similar::TextDiff::from_lines(bs_, as2);
                        let inner = " ".repeat(2 + 4 * (level + 1));
                        for change in diff.iter_all_changes() {
                            let line = change.value().trim_end_matches('\n');
                            let (sym, a) = match change.tag() {
                                similar::ChangeTag::Delete => ("-", Action::Delete),
                                similar::ChangeTag::Insert => ("+", Action::Create),
                                similar::ChangeTag::Equal => (" ", Action::NoOp),
                            };
                            let _ = writeln!(self.out, "{inner}{} {line}", self.p.action(a, sym));
                        }
                        let _ = writeln!(self.out, "{}EOT", pad(level));
                    }
                    // As Terraform's type-change and unknown renderers: the old value as
                    // deleted, the new one as created.
                    _ => {
                        let _ = writeln!(
                            self.out,
                            "{prefix} {label} = {} {} {}{suffix}",
                            self.value(b, level, Action::Delete),
                            self.p.dim("->"),
                            self.value(a, level, Action::Create)
                        );
                    }
                }
            }
        }
    }

    /// The changed elements of two maps or objects (`{`) or two lists or sets (`[`) at
    /// `level + 1`, then the closing bracket at `level`, followed by `suffix`.
    fn update_body(&mut self, b: &Value, a: &Value, level: usize, all: bool, suffix: &str) {
        match (b.view(), a.view()) {
            (View::Map(bm), View::Map(am)) => {
                let map = !self.json && (is_map(a) || is_map(b));
                self.map_entries(bm, am, map, level + 1, all);
                let _ = writeln!(self.out, "{}}}{suffix}", pad(level));
            }
            (View::Seq(bl), View::Seq(al)) => {
                let set =
                    !self.json && (matches!(a.unmarked(), Value::Set(_)) || matches!(b.unmarked(), Value::Set(_)));
                let pairs = if set {
                    set_pairs(bl, al)
                } else {
                    let json = self.json;
                    slice_pairs(bl, al, |v| matches!(v.view(), View::Map(_)) && (json || !is_map(v)))
                };
                self.elements(&pairs, level + 1, !set);
                let _ = writeln!(self.out, "{}]{suffix}", pad(level));
            }
            _ => unreachable!("update_body of two maps or two sequences"),
        }
    }

    /// An update of a string holding JSON to another, as Terraform shows it: the decoded
    /// documents diffed inside `jsonencode(…)`, or `# whitespace changes` when only the text
    /// differs.
    fn json_update(&mut self, prefix: &str, label: &str, b: &Value, a: &Value, level: usize, suffix: &str) {
        if b.lang_eq(a) {
            let _ = writeln!(self.out, "{prefix} {label} = jsonencode({}", whitespace_note(suffix));
            let _ = writeln!(self.out, "{}{}", pad(level + 1), self.value(a, level + 1, Action::NoOp));
            let _ = writeln!(self.out, "{})", pad(level));
            return;
        }
        match (b.view(), a.view()) {
            (View::Map(_), View::Map(_)) | (View::Seq(_), View::Seq(_)) => {
                let open = if matches!(a.view(), View::Map(_)) { "{" } else { "[" };
                let _ = writeln!(self.out, "{prefix} {label} = jsonencode(");
                let _ = writeln!(self.out, "{} {open}", sym_prefix(self.p, level + 1, Action::Update));
                self.update_body(b, a, level + 1, false, suffix);
            }
            _ => {
                // A document of another kind: the old one as deleted, the new one as created.
                let change = format!(
                    "{} {} {}",
                    self.value(b, level + 1, Action::Delete),
                    self.p.dim("->"),
                    self.value(a, level + 1, Action::Create)
                );
                if !change.contains('\n') {
                    let _ = writeln!(self.out, "{prefix} {label} = jsonencode({change}){suffix}");
                    return;
                }
                let _ = writeln!(self.out, "{prefix} {label} = jsonencode(");
                let _ = writeln!(self.out, "{} {change}{suffix}", sym_prefix(self.p, level + 1, Action::Update));
            }
        }
        let _ = writeln!(self.out, "{})", pad(level));
    }

    fn map_entries(
        &mut self,
        bm: &crate::value::ValueMap,
        am: &crate::value::ValueMap,
        map: bool,
        level: usize,
        all: bool,
    ) {
        let mut keys: Vec<&String> = bm.keys().chain(am.keys()).collect();
        keys.sort();
        keys.dedup();
        let changed: Vec<&String> = keys
            .iter()
            .copied()
            .filter(|k| {
                all || match (bm.get(*k), am.get(*k)) {
                    (Some(b), Some(a)) => !b.lang_eq(a) || a.is_unknown(),
                    _ => true,
                }
            })
            .collect();
        // As Terraform: the width of every element, hidden ones too.
        let width = keys.iter().map(|k| entry_key(k, map).len()).max().unwrap_or(0);
        for k in &changed {
            let b = bm.get(*k).map_or(ValueOrAbsent::Absent, ValueOrAbsent::Present);
            let a = am.get(*k).map_or(ValueOrAbsent::Absent, ValueOrAbsent::Present);
            self.attribute(&entry_key(k, map), width, b, a, level, false, None);
        }
        let hidden = keys.len() - changed.len();
        if hidden > 0 {
            let _ =
                writeln!(self.out, "{}", unchanged(self.p, level, hidden, if map { "element" } else { "attribute" }));
        }
    }

    /// The elements of a list or set diff at `level`, as Terraform's list renderer (with
    /// `context`: each change with the unchanged element before and after it, the rest
    /// counted) or its set renderer (unchanged elements counted).
    fn elements(&mut self, pairs: &[(Option<Value>, Option<Value>)], level: usize, context: bool) {
        let mut unchanged_run: Vec<&Value> = Vec::new();
        let mut render_next = false;
        for (b, a) in pairs {
            let same = matches!((b, a), (Some(b), Some(a)) if b == a && a.is_known());
            if same && !render_next {
                unchanged_run.push(b.as_ref().expect("an unchanged element has a value"));
                continue;
            }
            render_next = false;
            if context {
                if unchanged_run.len() > 1 {
                    let _ = writeln!(self.out, "{}", unchanged(self.p, level, unchanged_run.len() - 1, "element"));
                }
                if let Some(last) = unchanged_run.last() {
                    let _ = writeln!(
                        self.out,
                        "{} {},",
                        sym_prefix(self.p, level, Action::NoOp),
                        self.value(last, level, Action::NoOp)
                    );
                }
                unchanged_run.clear();
                render_next = !same;
            }
            self.element(b.as_ref(), a.as_ref(), level);
        }
        if !unchanged_run.is_empty() {
            let _ = writeln!(self.out, "{}", unchanged(self.p, level, unchanged_run.len(), "element"));
        }
    }

    /// One element of a list or set diff.
    fn element(&mut self, b: Option<&Value>, a: Option<&Value>, level: usize) {
        let (b, a) = match (b, a) {
            (None, Some(a)) => {
                let _ = writeln!(
                    self.out,
                    "{} {},",
                    sym_prefix(self.p, level, Action::Create),
                    self.value(a, level, Action::Create)
                );
                return;
            }
            (Some(b), None) => {
                let _ = writeln!(
                    self.out,
                    "{} {},",
                    sym_prefix(self.p, level, Action::Delete),
                    self.value(b, level, Action::Delete)
                );
                return;
            }
            (Some(b), Some(a)) => (b, a),
            (None, None) => return,
        };
        if b == a && a.is_known() {
            let _ = writeln!(
                self.out,
                "{} {},",
                sym_prefix(self.p, level, Action::NoOp),
                self.value(a, level, Action::NoOp)
            );
            return;
        }
        let prefix = sym_prefix(self.p, level, Action::Update);
        match (b.view(), a.view()) {
            (View::Map(_), View::Map(_)) | (View::Seq(_), View::Seq(_)) => {
                let open = if matches!(a.view(), View::Map(_)) { "{" } else { "[" };
                let _ = writeln!(self.out, "{prefix} {open}");
                self.update_body(b, a, level, false, ",");
            }
            _ => {
                let _ = writeln!(
                    self.out,
                    "{prefix} {} {} {},",
                    self.value(b, level, Action::Delete),
                    self.p.dim("->"),
                    self.value(a, level, Action::Create)
                );
            }
        }
    }

    /// A value as shown after `=`; nested structures span lines at `level`.
    fn value(&self, v: &Value, level: usize, action: Action) -> String {
        match v.view() {
            View::Sensitive(_) => self.p.dim("(sensitive value)"),
            View::Unknown => self.p.dim("(known after apply)"),
            View::Null => "null".into(),
            View::Bool(b) => b.to_string(),
            View::Number(n) => n.to_string(),
            View::String(s) if let Some(j) = json_string(s) => {
                let inner = self.value(&j, level + 1, action);
                if inner.contains('\n') {
                    format!("jsonencode(\n{}{inner}\n{})", pad(level + 1), pad(level))
                } else {
                    format!("jsonencode({inner})")
                }
            }
            View::String(s) if s.contains('\n') => {
                let mut out = String::from("<<-EOT\n");
                let inner = pad(level + 1);
                // As Terraform's `evaluatePrimitiveString`: trimmed, then split into lines.
                for line in s.trim().split('\n') {
                    let _ = writeln!(out, "{inner}{line}");
                }
                out.push_str(&format!("{}EOT", pad(level)));
                out
            }
            View::String(s) => crate::addr::quote(s),
            View::Seq(items) => {
                if items.is_empty() {
                    return "[]".into();
                }
                let mut out = String::from("[\n");
                for item in items {
                    let _ = writeln!(
                        out,
                        "{} {},",
                        sym_prefix(self.p, level + 1, action),
                        self.value(item, level + 1, action)
                    );
                }
                out.push_str(&format!("{}]", pad(level)));
                out
            }
            View::Map(m) => {
                if m.is_empty() {
                    return "{}".into();
                }
                let map = is_map(v) && !self.json;
                // As Terraform's objects: null attributes are left out (but not in a JSON
                // document); in a legacy schema an empty string is null too, but counted as an
                // unchanged attribute.
                let keep = |item: &Value| map || self.json || !blank(item, self.legacy);
                let shown: Vec<(&String, &Value)> = m.iter().filter(|(_, item)| keep(item)).collect();
                let hidden = m.iter().filter(|(_, item)| !keep(item) && !item.is_null()).count();
                let width = m
                    .iter()
                    .filter(|(_, item)| map || self.json || !item.is_null())
                    .map(|(k, _)| entry_key(k, map).len())
                    .max()
                    .unwrap_or(0);
                let mut out = String::from("{\n");
                for (k, item) in shown {
                    let _ = writeln!(
                        out,
                        "{} {:<width$} = {}",
                        sym_prefix(self.p, level + 1, action),
                        entry_key(k, map),
                        self.value(item, level + 1, action)
                    );
                }
                if hidden > 0 {
                    let _ = writeln!(out, "{}", unchanged(self.p, level + 1, hidden, "attribute"));
                }
                out.push_str(&format!("{}}}", pad(level)));
                out
            }
        }
    }
}

#[derive(Debug)]
enum ListOp {
    Same(Value),
    Added(Value),
    Removed(Value),
    Changed(Value, Value),
}

/// Aligns two lists for display: a longest-common-subsequence diff, pairing a removal and an
/// addition at the same place into one change (lists only, not sets).
fn list_ops(before: &[Value], after: &[Value], set: bool) -> Vec<ListOp> {
    let key = |v: &Value| serde_json::to_string(v).unwrap_or_default();
    let bk: Vec<String> = before.iter().map(key).collect();
    let ak: Vec<String> = after.iter().map(key).collect();
    let diff = similar::capture_diff_slices(similar::Algorithm::Myers, &bk, &ak);
    let mut ops = Vec::new();
    for op in diff {
        match op {
            similar::DiffOp::Equal { old_index, len, .. } => {
                for i in 0..len {
                    ops.push(ListOp::Same(before[old_index + i].clone()));
                }
            }
            similar::DiffOp::Delete { old_index, old_len, .. } => {
                for i in 0..old_len {
                    ops.push(ListOp::Removed(before[old_index + i].clone()));
                }
            }
            similar::DiffOp::Insert { new_index, new_len, .. } => {
                for i in 0..new_len {
                    ops.push(ListOp::Added(after[new_index + i].clone()));
                }
            }
            similar::DiffOp::Replace { old_index, old_len, new_index, new_len } => {
                let pairs = if set { 0 } else { old_len.min(new_len) };
                for i in 0..pairs {
                    ops.push(ListOp::Changed(before[old_index + i].clone(), after[new_index + i].clone()));
                }
                for i in pairs..old_len {
                    ops.push(ListOp::Removed(before[old_index + i].clone()));
                }
                for i in pairs..new_len {
                    ops.push(ListOp::Added(after[new_index + i].clone()));
                }
            }
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::{InstanceKey, ResourceAddr};
    use crate::schema::{Attribute, NestedBlock};
    use crate::value::Type;

    fn change(action: Action, before: Value, after: Value) -> ResourceChange {
        ResourceChange {
            addr: ResourceAddr::managed("t", "x").instance(InstanceKey::None),
            deposed: None,
            provider: "p".into(),
            provider_address: "provider[\"registry.terraform.io/hashicorp/p\"]".into(),
            action,
            before,
            after,
            replace_paths: Vec::new(),
            reason: None,
        }
    }

    /// A single-nesting block the provider decides at apply reads as Terraform 1.11's renderer
    /// (`differ.checkForUnknownBlock`) shows it, the same as a list of blocks: `+ name (known
    /// after apply)` on a create, the old block then `-> (known after apply)` on an update.
    #[test]
    fn an_unknown_single_block_reads_as_terraforms() {
        let inner = Schema::new().attr("size", Attribute::optional(Type::Number));
        let schema =
            Schema::new().attr("name", Attribute::required(Type::String)).block("opts", NestedBlock::single(inner));
        let unknown = Value::unknown(schema.blocks["opts"].schema.value_type());
        let after = Value::object([("name", "a".into()), ("opts", unknown.clone())]);
        let text = render_change(&change(Action::Create, Value::NULL, after), Some(&schema), &Paint::new(false), false);
        assert!(text.contains("      + name = \"a\"\n\n      + opts (known after apply)\n"), "{text}");
        let before = Value::object([("name", "a".into()), ("opts", Value::object([("size", 2i64.into())]))]);
        let after = Value::object([("name", "a".into()), ("opts", unknown)]);
        let text = render_change(&change(Action::Update, before, after), Some(&schema), &Paint::new(false), false);
        assert!(text.contains("      ~ opts {\n          - size = 2\n        } -> (known after apply)\n"), "{text}");
    }
}
