//! `terrane plan`

use super::operation::{make_plan, open, plan_options, print_markdown, print_plan};
use crate::args::PlanArgs;
use crate::signals;
use crate::ui::{Ui, json};
use terrane_engine::graph::WalkControl;
use terrane_engine::plan::PlanMode;

pub async fn run(args: PlanArgs, ui: &Ui) -> u8 {
    let ui = &if args.json { ui.json_mode() } else { ui.clone() };
    if ui.json {
        json::version();
    }
    // Signals are handled from before the lock is taken until after it is released.
    let control = WalkControl::default();
    let watcher = signals::watch(&control);
    let Some(mut session) = open(ui, &args.opts, "OperationTypePlan").await else {
        watcher.abort();
        return 1;
    };
    let code = plan_locked(&args, ui, &mut session, &control).await;
    watcher.abort();
    let released = session.release(ui).await;
    if !released && code != 1 { 1 } else { code }
}

async fn plan_locked(args: &PlanArgs, ui: &Ui, session: &mut super::operation::Session, control: &WalkControl) -> u8 {
    let mode = if args.destroy { PlanMode::Destroy } else { PlanMode::Normal };
    let Some(opts) = plan_options(ui, session, &args.opts, mode) else { return 1 };
    let (plan, diags) = make_plan(ui, session, &opts, control, args.markdown).await;
    let sources = &session.ctx.config.sources;
    let Some(plan) = plan else {
        ui.diags(&diags, sources);
        return 1;
    };
    // As Terraform: the plan (partial when the walk found errors) first, then its diagnostics.
    if ui.json {
        json::planned_changes(&plan);
        json::plan_summary(&plan);
        json::plan_outputs(&plan);
    } else if args.markdown {
        print_markdown(ui, &session.ctx, &plan);
    } else if let Some(addr) = &args.explain {
        if !super::operation::print_explanation(ui, &plan, addr) {
            ui.diags(&diags, sources);
            return 1;
        }
    } else {
        print_plan(ui, &session.ctx, &plan);
    }
    // An errored plan is saved too, for inspection (`show`): apply refuses it.
    if let Some(out) = &args.out
        && let Err(e) = write_private(out, &plan.to_bytes())
    {
        ui.diags(&diags, sources);
        ui.error("Failed to write the plan file", &format!("{}: {e}", out.display()));
        return 1;
    }
    ui.diags(&diags, sources);
    if plan.errored {
        return 1;
    }
    let code = if args.detailed_exitcode && plan.has_changes() { 2 } else { 0 };
    if args.markdown || ui.json || args.explain.is_some() {
        return code;
    }
    if let Some(out) = &args.out {
        ui.line(&format!("\n{}\n\nSaved the plan to: {}\n\nTo perform exactly these actions, run the following command to apply:\n    terrane apply \"{}\"", "─".repeat(77), out.display(), out.display()));
    } else if plan.has_changes() {
        ui.line(&format!("\n{}\n\nNote: You didn't use the -out option to save this plan, so terrane can't guarantee to take exactly these actions if you run \"terrane apply\" now.", "─".repeat(77)));
    }
    code
}

/// Writes a plan file readable by its owner only: it holds the prior state and the input
/// variables, sensitive ones included.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        // An existing file keeps its mode through open(): narrow it first.
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}
