//! A saved plan is applied as reviewed: before anything changes, the plan is made again from
//! the saved plan's own prior state, configuration, variables, targets and replacements
//! (without refreshing, and with the data sources as they were read at plan time), and
//! every value known in the saved plan must come out the same ([`super::compat`]).
//!
//! Terraform makes this comparison only per instance, as the apply reaches it ("Provider
//! produced inconsistent final plan"), so the objects applied before the first difference
//! stay changed. terrane refuses the whole plan first; the per-instance check remains for
//! what only becomes known during the apply.

use super::compat::{assert_object_compatible, assert_value_compatible};
use super::planner::{PlanOptions, plan};
use super::{Action, Plan, ResourceChange};
use crate::addr::{parse_instance, parse_target};
use crate::context::Context;
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::WalkControl;
use crate::hooks::NoHooks;
use std::collections::{BTreeMap, BTreeSet};

/// The differences between `saved` and the same plan made again now, as errors (none: the
/// saved plan is what would be applied). Errors of the new plan itself are returned as they
/// are: the apply could not proceed either.
pub async fn verify_saved_plan(ctx: &Context, saved: &Plan, control: &WalkControl) -> Diagnostics {
    let opts = PlanOptions {
        mode: saved.mode,
        targets: saved.targets.iter().filter_map(|t| parse_target(t).ok()).collect(),
        replace: saved.replace.iter().filter_map(|r| parse_instance(r).ok()).collect(),
        refresh: false,
        data_from_state: true,
        variables: saved.variables.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect(),
        ..PlanOptions::default()
    };
    let again = match plan(ctx, Some(&saved.prior_state), &opts, control, &NoHooks).await {
        Ok((p, _warnings)) => p,
        Err(d) => return d,
    };
    compare(ctx, saved, &again)
}

type Key = (String, Option<String>);

fn key(c: &ResourceChange) -> Key {
    (c.addr.to_string(), c.deposed.clone())
}

fn compare(ctx: &Context, saved: &Plan, again: &Plan) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let now: BTreeMap<Key, &ResourceChange> = again.changes.iter().map(|c| (key(c), c)).collect();
    let before: BTreeSet<Key> = saved.changes.iter().map(key).collect();
    for was in &saved.changes {
        let is = now.get(&key(was)).copied();
        let is_action = is.map_or(Action::NoOp, |c| c.action);
        let problems = if is_action != was.action {
            vec![format!(
                "the planned action was {}, but now it is {}",
                action_name(was.action),
                action_name(is_action)
            )]
        } else if was.action == Action::NoOp {
            // Nothing changes either way (a no-op keeps its values only when a move or an
            // import is shown with it, and those are already in the prior state now).
            Vec::new()
        } else if let (Some(is), Some(schema)) = (is, ctx.resource_schema(&was.provider, &was.addr.resource)) {
            assert_object_compatible(&schema.block, &was.after, &is.after)
        } else {
            Vec::new()
        };
        if !problems.is_empty() {
            diags.push(stale(ctx, was, &problems));
        }
    }
    for is in again.changes.iter().filter(|c| c.action != Action::NoOp && !before.contains(&key(c))) {
        let problem = format!("the saved plan has no change for it, but now it is to be {}", action_name(is.action));
        diags.push(stale(ctx, is, &[problem]));
    }
    let outputs_now: BTreeMap<&str, _> = again.outputs.iter().map(|o| (o.name.as_str(), o)).collect();
    for was in &saved.outputs {
        let Some(is) = outputs_now.get(was.name.as_str()) else { continue };
        let mut problems = assert_value_compatible(&was.after, &is.after);
        if !problems.is_empty() && (was.sensitive || is.sensitive) {
            problems = vec!["inconsistent values for sensitive output".into()];
        }
        if !problems.is_empty() {
            diags.push(Diagnostic::error(
                "Saved plan is stale",
                format!(
                    "Planning again from the same state, configuration and variables gives another value for output.{}: {}.\n\n{AFTERWORD}",
                    was.name,
                    problems.join("; ")
                ),
            ));
        }
    }
    diags
}

const AFTERWORD: &str = "Something the configuration reads has changed since the plan was made (a file, an environment variable, a provider's defaults), so the saved plan is no longer what would be applied. Nothing was applied. Make a new plan and review it.";

fn stale(ctx: &Context, c: &ResourceChange, problems: &[String]) -> Diagnostic {
    let mut d = Diagnostic::error(
        "Saved plan is stale",
        format!(
            "Planning again from the same state, configuration and variables gives a different change for {}{}:\n  {}\n\n{AFTERWORD}",
            c.addr,
            c.deposed.as_ref().map(|d| format!(" (deposed object {d})")).unwrap_or_default(),
            problems.join("\n  ")
        ),
    );
    if let Some(res) = ctx.config.resource_at(&c.addr.resource) {
        d = d.at(res.range.clone());
    }
    d
}

fn action_name(a: Action) -> &'static str {
    match a {
        Action::NoOp => "no change",
        Action::Create => "create",
        Action::Read => "read",
        Action::Update => "update in place",
        Action::DeleteThenCreate => "replace (destroy, then create)",
        Action::CreateThenDelete => "replace (create, then destroy)",
        Action::Delete => "destroy",
        Action::Forget => "forget",
    }
}
