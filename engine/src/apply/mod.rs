//! Applying a plan: a parallel walk of the apply graph (configuration nodes plus one node per
//! object to delete), calling providers, recording every finished change in the state and
//! checkpointing it ([`recorder`]). A failure stops only what depends on it; an interrupt
//! starts nothing new and lets in-flight calls finish; a second interrupt abandons them.

mod graph;
pub mod recorder;

pub use recorder::Recorder;

use crate::addr::InstanceAddr;
use crate::checks::CheckState;
use crate::context::Context;
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::{NodeOutcome, Permits, WalkControl, walk};
use crate::hooks::Hooks;
use crate::plan::{Action, Plan, PlanMode, ResourceChange};
use crate::state::State;
use crate::value::Value;
use crate::walk::{ApplyWalk, Op, Walk};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct ApplyOptions {
    pub parallelism: usize,
    /// How often "Still creating..." is reported for a slow operation.
    pub progress_interval: Duration,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions { parallelism: 10, progress_interval: Duration::from_secs(10) }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub added: usize,
    pub changed: usize,
    pub destroyed: usize,
    pub imported: usize,
    pub forgotten: usize,
}

pub struct ApplyOutcome {
    pub diags: Diagnostics,
    pub counts: Counts,
    /// The walk was interrupted; not every change was made.
    pub interrupted: bool,
    /// Objects whose operation was abandoned by a second interrupt: their real state is unknown.
    pub abandoned: Vec<String>,
}

/// Applies `plan`. The state lives in `recorder`, which the caller starts from the plan's
/// prior state and finishes afterwards (so the final write happens whatever went wrong).
pub async fn apply(
    ctx: &Context,
    plan: &Plan,
    recorder: &Recorder,
    opts: &ApplyOptions,
    control: &WalkControl,
    hooks: &dyn Hooks,
) -> ApplyOutcome {
    let state_now = recorder.snapshot();
    if !plan.drift.is_empty() || !plan.moves.is_empty() || !plan.imports.is_empty() {
        // The refreshed state differs from the stored one (drift, moved and imported
        // objects): record it even if nothing else changes.
        recorder.update(|_| {});
    }
    // `removed` blocks with `destroy = false`: the objects leave the state, untouched.
    let mut forgotten = 0;
    for c in plan.changes.iter().filter(|c| c.action == Action::Forget) {
        recorder.update(|s| s.set_object(&c.addr.resource, &c.addr.key, &c.provider_address, None));
        forgotten += 1;
    }
    let (g, diags) = graph::build(ctx, plan, &state_now);
    if diags.has_errors() {
        return ApplyOutcome { diags, counts: Counts::default(), interrupted: false, abandoned: Vec::new() };
    }
    // Every create gets an idempotency token, recorded (durably, before any create starts)
    // with what it will create: after a crash, the next plan finds what these made.
    let pending: Vec<crate::state::PendingCreate> = plan
        .changes
        .iter()
        .filter(|c| {
            c.deposed.is_none()
                && matches!(c.action, Action::Create | Action::DeleteThenCreate | Action::CreateThenDelete)
        })
        .map(|c| crate::state::PendingCreate {
            addr: c.addr.clone(),
            provider: c.provider.clone(),
            provider_address: c.provider_address.clone(),
            token: crate::state::new_create_token(),
            planned: c.after.clone().deep_unmark().unknowns_to_null().to_json(),
        })
        .collect();
    let tokens: HashMap<InstanceAddr, String> = pending.iter().map(|p| (p.addr.clone(), p.token.clone())).collect();
    if !pending.is_empty() {
        recorder.update(|s| {
            s.pending.extend(pending.into_iter().map(|p| (p.addr.clone(), p)));
        });
        if let Err(e) = recorder.write_now().await {
            let d = Diagnostic::error(
                "Failed to record the planned creates",
                format!(
                    "Before creating anything, terrane records each create in the state so that a crash cannot leave an object no state knows about; writing the state failed: {e}. Nothing was changed."
                ),
            );
            return ApplyOutcome {
                diags: d.into(),
                counts: Counts::default(),
                interrupted: false,
                abandoned: Vec::new(),
            };
        }
    }
    let changes: HashMap<(InstanceAddr, Option<String>), &ResourceChange> =
        plan.changes.iter().map(|c| ((c.addr.clone(), c.deposed.clone()), c)).collect();
    let op = Op::Apply { plan, recorder };
    let checks = CheckState::seeded(&ctx.config, Some(&plan.checks));
    let permits = Permits::new(opts.parallelism, control);
    let w = ApplyWalk {
        w: Walk::new(ctx, &g, op, plan.mode, recorder.state(), checks, permits, hooks),
        plan,
        changes,
        tokens,
        recorder,
        counts: Mutex::new(Counts::default()),
        deposed_now: Mutex::new(HashMap::new()),
        in_flight: Mutex::new(HashSet::new()),
        started: Mutex::new(HashSet::new()),
        created: Mutex::new(Vec::new()),
        opts,
    };
    w.error(diags);
    let outcome = crate::walk::stopping_providers(ctx, control, walk(&g, control, |i| crate::walk::visit(&w, i))).await;
    // As Terraform: the results found again by the apply are recorded (a refresh-only plan's
    // as planned; a destroy leaves none).
    let results = match plan.mode {
        PlanMode::Normal => w.checks.results(),
        PlanMode::RefreshOnly => plan.checks.clone(),
        PlanMode::Destroy => Default::default(),
    };
    if recorder.state().lock().expect("state lock").check_results != results {
        recorder.update(|s| s.check_results = results);
    }
    // Interrupted: a node was not started, or an operation inside a started one was refused.
    let interrupted =
        w.permits.refused() || outcome.values().any(|o| matches!(o, NodeOutcome::Cancelled | NodeOutcome::Abandoned));
    if interrupted {
        // The creates that never started made nothing: no later plan needs to look for them.
        let started = w.started.lock().expect("started lock").clone();
        recorder.update(|s| s.pending.retain(|a, _| !w.tokens.contains_key(a) || started.contains(a)));
    }
    let abandoned: Vec<String> = if outcome.values().any(|o| *o == NodeOutcome::Abandoned) {
        let mut v: Vec<String> = w.in_flight.lock().expect("in-flight lock").iter().cloned().collect();
        v.sort();
        v
    } else {
        Vec::new()
    };
    if plan.mode == PlanMode::Destroy || (plan.targets.is_empty() && !interrupted) {
        w.remove_stale_outputs();
    }
    let counts = *w.counts.lock().expect("counts lock");
    let mut created = w.created.into_inner().expect("created lock");
    let mut diags = w.w.diags.into_inner().expect("diags lock");
    // Nothing new starts after an interrupt, this clean-up included: what an interrupted
    // apply created is recorded and keeps its token mark, which does no harm.
    if !interrupted {
        created.extend(adopted_objects(ctx, plan, recorder));
        diags.extend(release_tokens(ctx, recorder, created).await);
    }
    if interrupted {
        diags.push(Diagnostic::error(
            "Operation interrupted",
            if abandoned.is_empty() {
                "The apply was interrupted: changes not yet started were not made. Every finished change is recorded in the state.".to_string()
            } else {
                format!(
                    "The apply was abandoned while these operations were in progress; their real state is unknown, so check them before the next apply: {}.",
                    abandoned.join(", ")
                )
            },
        ));
    }
    if plan.mode == PlanMode::Destroy && plan.targets.is_empty() && !interrupted && !diags.has_errors() {
        // A complete destroy leaves an empty state, as Terraform's does: data sources go too.
        recorder.update(|s| s.resources.retain(|a, _| a.mode != crate::addr::Mode::Data));
    }
    if plan.mode == PlanMode::Normal && plan.targets.is_empty() && !interrupted && !diags.has_errors() {
        // A complete apply: the inputs it applied become the ones later plans compare with.
        let lineage = recorder.state().lock().expect("state lock").lineage.clone();
        let inputs: std::collections::BTreeMap<_, _> = plan
            .variables
            .iter()
            .map(|(name, v)| {
                let sensitive = ctx.config.variables.get(name).is_some_and(|d| d.sensitive);
                (name.clone(), crate::state::RecordedInput::record(&lineage, v, sensitive))
            })
            .collect();
        if recorder.state().lock().expect("state lock").inputs != inputs {
            recorder.update(|s| s.inputs = inputs);
        }
    }
    let mut counts = counts;
    counts.imported = plan.imports.len();
    counts.forgotten = forgotten;
    ApplyOutcome { diags, counts, interrupted, abandoned }
}

/// The objects a plan adopted by their creation token after a crash, as now recorded.
fn adopted_objects(ctx: &Context, plan: &Plan, recorder: &Recorder) -> Vec<(String, String, Value)> {
    let state = recorder.snapshot_ref();
    plan.adopted
        .iter()
        .filter_map(|addr| {
            let res = ctx.config.resource_at(&addr.resource.static_addr())?;
            let schema = ctx.resource_schema(&res.provider, &addr.resource)?;
            let obj = state.object(&addr.resource, &addr.key)?;
            let v = crate::state::value_from_object(obj, &schema.block);
            Some((res.provider.clone(), addr.resource.type_name.clone(), v))
        })
        .collect()
}

/// Once the state recording them is written, hands each provider the objects it created
/// with a token ([`Provider::creates_recorded`]), a call per provider configuration and
/// type; what fails is a warning.
async fn release_tokens(ctx: &Context, recorder: &Recorder, created: Vec<(String, String, Value)>) -> Diagnostics {
    let mut diags = Diagnostics::default();
    if created.is_empty() {
        return diags;
    }
    if recorder.write_now().await.is_err() {
        // Not recorded durably: the tokens are still what finds these objects.
        return diags;
    }
    let mut groups: std::collections::BTreeMap<(String, String), Vec<Value>> = Default::default();
    for (provider, type_name, v) in created {
        groups.entry((provider, type_name)).or_default().push(v.deep_unmark());
    }
    for ((key, type_name), objects) in groups {
        let Some(provider) = ctx.providers.get(&key) else { continue };
        if let Err(e) = provider.creates_recorded(&type_name, objects).await {
            diags.push(Diagnostic::warning(
                format!("Could not remove the creation marks of new {type_name} objects"),
                format!("The objects are created and recorded in the state; the mark terrane gave them while creating them (to find them again after a crash) is still on them: {}", e.message),
            ));
        }
    }
    diags
}

/// Refuses to apply a saved plan to a state other than the one it was made from.
pub fn check_plan_base(plan: &Plan, current: Option<&State>) -> Result<(), Diagnostic> {
    if plan.errored {
        return Err(Diagnostic::error(
            "Cannot apply incomplete plan",
            "terrane encountered an error when generating this plan, so it cannot be applied.",
        ));
    }
    match (&plan.base, current) {
        (None, None) => Ok(()),
        (None, Some(s)) if s.is_empty() && s.serial == 0 => Ok(()),
        (None, Some(s)) => Err(Diagnostic::error(
            "Saved plan is stale",
            format!(
                "The plan was made when there was no state, but the state now exists (serial {}, lineage {}). Make a new plan.",
                s.serial, s.lineage
            ),
        )),
        (Some(b), None) => Err(Diagnostic::error(
            "Saved plan is stale",
            format!(
                "The plan was made from state serial {} of lineage {}, but there is no state now. Make a new plan.",
                b.serial, b.lineage
            ),
        )),
        (Some(b), Some(s)) if b.lineage != s.lineage => Err(Diagnostic::error(
            "Saved plan does not match the current state",
            format!(
                "The plan was made for state lineage {}, but the current state has lineage {}: it belongs to different infrastructure. Make a new plan against the current state.",
                b.lineage, s.lineage
            ),
        )),
        (Some(b), Some(s)) if b.serial != s.serial => Err(Diagnostic::error(
            "Saved plan is stale",
            format!(
                "The plan was made from state serial {}, but the state has changed since (it is now at serial {}). Make a new plan.",
                b.serial, s.serial
            ),
        )),
        _ => Ok(()),
    }
}

/// The prior state a plan starts from.
pub fn plan_prior_state(plan: &Plan) -> Result<State, Diagnostic> {
    Ok(plan.prior_state.clone())
}
