//! `terrane apply` and `terrane destroy`

use super::operation::{
    Session, context_for_plan, make_plan, open, open_with, plan_config, plan_file_error, plan_options, print_plan,
};
use crate::args::ApplyArgs;
use crate::signals;
use crate::ui::{Ui, json};
use std::path::Path;
use std::time::Duration;
use terrane_engine::apply::{ApplyOptions, Recorder, apply, check_plan_base, plan_prior_state};
use terrane_engine::diag::{Diagnostics, SourceMap};
use terrane_engine::graph::WalkControl;
use terrane_engine::plan::render::markdown::what_is_lost;
use terrane_engine::plan::{Plan, PlanMode};
use terrane_engine::state::State;
use terrane_engine::state::local::{ERRORED_STATE_FILE, write_private};

pub async fn run(args: ApplyArgs, destroy: bool, ui: &Ui) -> u8 {
    let ui = &if args.json { ui.json_mode() } else { ui.clone() };
    if ui.json {
        json::version();
        if !args.auto_approve && args.plan_file.is_none() {
            ui.error(
                "Plan file or auto-approve required",
                "terrane cannot ask for interactive approval when -json is set. You can either apply a saved plan file, or enable the -auto-approve option.",
            );
            return 1;
        }
    }
    let destroy = destroy || args.destroy;
    let operation = if destroy { "OperationTypeApply (destroy)" } else { "OperationTypeApply" };
    // A saved plan carries its configuration (and so its backend settings): the files on
    // disk are not read.
    let saved = match &args.plan_file {
        Some(path) => match read_plan(ui, path) {
            Some(p) => Some(p),
            None => return 1,
        },
        None => None,
    };
    // Signals are handled from before the lock is taken until after it is released.
    let control = WalkControl::default();
    let watcher = signals::watch(&control);
    let session = match &saved {
        Some(plan) => match plan_config(plan) {
            Ok(config) => open_with(ui, config, &args.opts, operation).await,
            Err(d) => {
                ui.diags(&d, &SourceMap::default());
                return 1;
            }
        },
        None => open(ui, &args.opts, operation).await,
    };
    let Some(mut session) = session else {
        watcher.abort();
        return 1;
    };
    let code = apply_locked(&args, saved, destroy, ui, &mut session, &control).await;
    watcher.abort();
    let released = session.release(ui).await;
    if !released && code != 1 { 1 } else { code }
}

fn read_plan(ui: &Ui, path: &std::path::Path) -> Option<Plan> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            plan_file_error(ui, path, &e.to_string());
            return None;
        }
    };
    match Plan::from_bytes(&bytes) {
        Ok(p) => Some(p),
        Err(e) => {
            plan_file_error(ui, path, &e);
            None
        }
    }
}

async fn apply_locked(
    args: &ApplyArgs,
    saved: Option<Plan>,
    destroy: bool,
    ui: &Ui,
    session: &mut Session,
    control: &WalkControl,
) -> u8 {
    let (plan, saved) = match saved {
        Some(p) => (p, true),
        None => {
            let mode = if destroy { PlanMode::Destroy } else { PlanMode::Normal };
            let Some(opts) = plan_options(ui, session, &args.opts, mode) else { return 1 };
            let (plan, diags) = make_plan(ui, session, &opts, control, false).await;
            let sources = &session.ctx.config.sources;
            match plan {
                Some(plan) if !plan.errored => {
                    render_plan(ui, session, &plan);
                    ui.diags(&diags, sources);
                    (plan, false)
                }
                Some(plan) => {
                    // As Terraform: what was planned before the errors is shown (it may
                    // explain them), then the errors; nothing is applied.
                    if !plan.changes.is_empty() || !plan.outputs.is_empty() {
                        render_plan(ui, session, &plan);
                    }
                    ui.diags(&diags, sources);
                    return 1;
                }
                None => {
                    ui.diags(&diags, sources);
                    return 1;
                }
            }
        }
    };
    if saved {
        if let Err(d) = check_plan_base(&plan, session.stored.as_ref()) {
            ui.diags(&Diagnostics::from(d), &SourceMap::default());
            return 1;
        }
        if plan.workspace != session.workspace {
            ui.error(
                "Saved plan is for a different workspace",
                &format!(
                    "The plan was made for workspace \"{}\", but the current workspace is \"{}\".",
                    plan.workspace, session.workspace
                ),
            );
            return 1;
        }
        match context_for_plan(&plan, session.stored.as_ref().unwrap_or(&State::new())).await {
            Ok(ctx) => session.ctx = ctx,
            Err(d) => {
                ui.diags(&d, &SourceMap::default());
                return 1;
            }
        }
        // Applied as reviewed: the plan made again now must be the saved one.
        let stale = terrane_engine::plan::verify::verify_saved_plan(&session.ctx, &plan, control).await;
        if stale.has_errors() {
            ui.diags(&stale, &session.ctx.config.sources);
            return 1;
        }
    } else {
        if !plan.has_changes() {
            if ui.json {
                json::apply_summary(plan.mode == PlanMode::Destroy, 0, 0, 0);
                json::state_outputs(&plan.prior_state);
            }
            return 0;
        }
        if !args.auto_approve {
            let doomed = destroyed(&plan);
            let (q, mut d) = if plan.mode == PlanMode::Destroy {
                (
                    "Do you really want to destroy all resources?",
                    "terrane will destroy all your managed infrastructure, as shown above.\n  There is no undo."
                        .to_string(),
                )
            } else if !doomed.is_empty() {
                (
                    "Do you want to perform these actions, destroying the objects listed?",
                    "terrane will perform the actions described above.".to_string(),
                )
            } else {
                (
                    "Do you want to perform these actions?",
                    "terrane will perform the actions described above.".to_string(),
                )
            };
            if !doomed.is_empty() {
                d.push_str(&format!(
                    "\n\n  These will be destroyed (replaced objects included):\n{}",
                    doomed_list(&doomed)
                ));
            }
            if !ui.confirm(q, &d) {
                ui.error(if plan.mode == PlanMode::Destroy { "Destroy cancelled." } else { "Apply cancelled." }, "");
                return 1;
            }
        }
    }
    if control.cancel.is_cancelled() {
        ui.error("Operation interrupted", "Nothing was applied.");
        return 1;
    }
    if (args.auto_approve || saved) && !ui.json {
        // Nobody was asked: say loudly what data this apply is about to lose.
        let lossy: Vec<(String, &str)> =
            destroyed(&plan).into_iter().filter_map(|(addr, ty)| what_is_lost(&ty).map(|lost| (addr, lost))).collect();
        if !lossy.is_empty() {
            let list: Vec<String> = lossy.iter().map(|(a, lost)| format!("  - {a}: {lost}")).collect();
            ui.diags(
                &Diagnostics::from(terrane_engine::diag::Diagnostic::warning(
                    "This apply destroys objects that hold data",
                    format!(
                        "Applying without a confirmation ({}); these objects are destroyed or replaced:\n{}",
                        if saved { "a saved plan" } else { "-auto-approve" },
                        list.join("\n")
                    ),
                )),
                &SourceMap::default(),
            );
        }
    }
    let prior = match plan_prior_state(&plan) {
        Ok(s) => s,
        Err(d) => {
            ui.diags(&Diagnostics::from(d), &SourceMap::default());
            return 1;
        }
    };
    let parallelism = args.opts.parallelism.max(1);
    let recorder = Recorder::start(prior, session.backend.clone(), &session.workspace, Duration::from_secs(1));
    let hooks = ui.hooks(false);
    let opts = ApplyOptions { parallelism, ..ApplyOptions::default() };
    let outcome = apply(&session.ctx, &plan, &recorder, &opts, control, hooks.as_ref()).await;
    let final_state = recorder.finish().await;
    ui.diags(&outcome.diags, &session.ctx.config.sources);
    let state = match final_state {
        Ok(s) => s,
        Err((state, e)) => {
            save_errored_state(ui, &state, &e.to_string());
            return 1;
        }
    };
    if outcome.diags.has_errors() {
        return 1;
    }
    let c = outcome.counts;
    let changed = if args.detailed_exitcode && plan.has_changes() { 2 } else { 0 };
    if ui.json {
        json::apply_summary(plan.mode == PlanMode::Destroy, c.added, c.changed, c.destroyed);
        if plan.mode != PlanMode::Destroy {
            json::state_outputs(&state);
        }
        return changed;
    }
    let p = ui.paint();
    if plan.mode == PlanMode::Destroy {
        ui.line(&p.green(&p.bold(&format!("\nDestroy complete! Resources: {} destroyed.", c.destroyed))));
    } else {
        let imported = if c.imported > 0 { format!("{} imported, ", c.imported) } else { String::new() };
        let forgotten = if c.forgotten > 0 { format!(", {} forgotten", c.forgotten) } else { String::new() };
        ui.line(&p.green(&p.bold(&format!(
            "\nApply complete! Resources: {imported}{} added, {} changed, {} destroyed{forgotten}.",
            c.added, c.changed, c.destroyed
        ))));
        super::output::print_all(ui, &state);
    }
    changed
}

/// The last resort when the backend refuses the final state (as Terraform's
/// `backupStateForError`): `errored.tfstate` in the working directory, private and written
/// atomically; and if even that fails, the state itself on stdout, so that the record of what
/// exists is not lost.
fn save_errored_state(ui: &Ui, state: &State, error: &str) {
    let bytes = state.to_json();
    match write_private(Path::new(ERRORED_STATE_FILE), &bytes) {
        Ok(()) => ui.error(
            "Failed to save the state",
            &format!(
                "{error}\n\nThe state was written to {ERRORED_STATE_FILE} in the working directory instead. Running apply again now would work from the older state in the backend; push this one first, once the backend works again:\n    terrane state push {ERRORED_STATE_FILE}"
            ),
        ),
        Err(we) => {
            ui.error("Failed to save the state", error);
            ui.error(
                "Failed to create local state file",
                &format!("Error creating local state file for recovery: {ERRORED_STATE_FILE}: {we}"),
            );
            let text = String::from_utf8_lossy(&bytes);
            if ui.json {
                let state: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
                json::emit(
                    "info",
                    "Emergency state dump",
                    "log",
                    [("state".to_string(), state)].into_iter().collect(),
                );
            } else {
                // Raw, uncoloured and whole, whatever the terminal: it is to be copied.
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{text}");
                let _ = out.flush();
            }
            ui.error(
                "Failed to persist state to backend",
                &format!(
                    "The errors shown above prevented terrane from writing the updated state to the configured backend and from creating a local backup file. As a fallback, the raw state data is printed {} as a JSON object.\n\nTo retry writing this state, copy the state data (from the first {{ to the last }} inclusive) and save it into a local file called {ERRORED_STATE_FILE}, then run the following command:\n    terrane state push {ERRORED_STATE_FILE}",
                    if ui.json { "in the \"Emergency state dump\" event" } else { "on standard output" }
                ),
            );
        }
    }
}

/// (address, type) of every object the plan destroys, replacements included.
fn destroyed(plan: &Plan) -> Vec<(String, String)> {
    plan.changes
        .iter()
        .filter(|c| c.action.deletes())
        .map(|c| {
            let addr = match &c.deposed {
                Some(d) => format!("{} (deposed object {d})", c.addr),
                None => c.addr.to_string(),
            };
            (addr, c.addr.resource.type_name.clone())
        })
        .collect()
}

/// The objects for a confirmation prompt, at most 20 named.
fn doomed_list(doomed: &[(String, String)]) -> String {
    const SHOWN: usize = 20;
    let mut lines: Vec<String> = doomed
        .iter()
        .take(SHOWN)
        .map(|(a, ty)| match what_is_lost(ty) {
            Some(lost) => format!("    - {a} (loses {lost})"),
            None => format!("    - {a}"),
        })
        .collect();
    if doomed.len() > SHOWN {
        lines.push(format!("    … and {} more", doomed.len() - SHOWN));
    }
    lines.join("\n")
}

/// Shows a plan about to be applied: Terraform's JSON messages, or the human rendering.
fn render_plan(ui: &Ui, session: &Session, plan: &Plan) {
    if ui.json {
        json::planned_changes(plan);
        json::plan_summary(plan);
        json::plan_outputs(plan);
    } else {
        print_plan(ui, &session.ctx, plan);
    }
}
