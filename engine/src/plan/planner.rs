//! Planning: walk the graph, refresh the recorded objects (batched per resource type as soon
//! as their provider is configured), evaluate every block and ask providers what each
//! instance's change will be. The result is a [`Plan`]; nothing here prints.

use super::{Action, Plan, PlanMode, StateRef};
use crate::addr::{InstanceAddr, InstanceKey, Mode, ResourceAddr, Target};
use crate::checks::CheckState;
use crate::config::Resource;
use crate::context::Context;
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::Subject;
use crate::graph::{Graph, Node, NodeOutcome, Permits, WalkControl, target_nodes, walk};
use crate::hooks::Hooks;
use crate::provider::Provider;
use crate::state::State;
use crate::value::Value;
use crate::walk::{Op, PlanWalk, Walk};
use petgraph::stable_graph::NodeIndex;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Mutex;

#[derive(Clone, Debug)]
pub struct PlanOptions {
    pub mode: PlanMode,
    pub targets: Vec<Target>,
    pub replace: Vec<InstanceAddr>,
    pub refresh: bool,
    /// Data sources already in the prior state are taken from it instead of being read
    /// again (making a saved plan again to verify it, [`super::verify`]).
    pub data_from_state: bool,
    pub parallelism: usize,
    /// Input variable values as given ([`crate::variables::collect_inputs`]); the plan
    /// prepares them (defaults, conversion, nullability). Missing ones take their defaults.
    pub variables: BTreeMap<String, crate::variables::InputValue>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            mode: PlanMode::Normal,
            targets: Vec::new(),
            replace: Vec::new(),
            refresh: true,
            data_from_state: false,
            parallelism: 10,
            variables: BTreeMap::new(),
        }
    }
}

/// Makes a plan. `stored` is the state as read from the backend (`None`: no state yet).
/// Returns the plan and its warnings, or every error found.
pub async fn plan(
    ctx: &Context,
    stored: Option<&State>,
    opts: &PlanOptions,
    control: &WalkControl,
    hooks: &dyn Hooks,
) -> Result<(Plan, Diagnostics), Diagnostics> {
    match plan_partial(ctx, stored, opts, control, hooks).await {
        (Some(plan), diags) if !plan.errored => Ok((plan, diags)),
        (_, diags) => Err(diags),
    }
}

/// Makes a plan as Terraform's `Context.Plan` does: errors found before the walk (the
/// graph, invalid `moved` blocks, an interrupt) give no plan; errors found by the walk give
/// the changes planned so far, as a plan marked [`Plan::errored`]. Such a plan is shown and
/// can be saved for inspection (`show -json` says `"errored": true`), but is never applied.
pub async fn plan_partial(
    ctx: &Context,
    stored: Option<&State>,
    opts: &PlanOptions,
    control: &WalkControl,
    hooks: &dyn Hooks,
) -> (Option<Plan>, Diagnostics) {
    plan_partial_owned(ctx, stored.cloned(), opts, control, hooks).await
}

/// [`plan_partial`] taking the stored state: it becomes the plan's prior state (refreshed)
/// without a copy, which at 100,000 objects is 80 MB less at the peak.
pub async fn plan_partial_owned(
    ctx: &Context,
    stored: Option<State>,
    opts: &PlanOptions,
    control: &WalkControl,
    hooks: &dyn Hooks,
) -> (Option<Plan>, Diagnostics) {
    match plan_inner(ctx, stored, opts, control, hooks).await {
        Ok((plan, diags)) => (Some(plan), diags),
        Err(diags) => (None, diags),
    }
}

async fn plan_inner(
    ctx: &Context,
    stored: Option<State>,
    opts: &PlanOptions,
    control: &WalkControl,
    hooks: &dyn Hooks,
) -> Result<(Plan, Diagnostics), Diagnostics> {
    let base = stored.as_ref().map(|s| StateRef { lineage: s.lineage.clone(), serial: s.serial });
    let mut base_state = stored.unwrap_or_default();
    // `moved` blocks (and the moves implied by adding or removing `count`): the recorded
    // objects take their new addresses before anything else.
    let move_stmts = super::moves::find_statements(&ctx.config, &base_state);
    let move_results = if move_stmts.is_empty() {
        super::moves::MoveResults::default()
    } else {
        super::moves::apply_statements(&ctx.config, &move_stmts, &mut base_state)
    };
    // Objects moved to another resource type take that type's shape from its provider.
    if !move_results.cross_type.is_empty() {
        let d = super::moves::convert_cross_type(ctx, &mut base_state, &move_results.cross_type).await;
        if d.has_errors() {
            return Err(d);
        }
    }
    // Objects recorded with an older schema version take the current shape before anything
    // reads them.
    let upgrade_diags = super::upgrade::upgrade_objects(ctx, &mut base_state).await;
    if upgrade_diags.has_errors() {
        return Err(upgrade_diags);
    }
    // What the walk and the plan's explanations need of the state as stored (after moves);
    // the objects themselves become the refreshed state.
    let stored_meta = State {
        outputs: base_state.outputs.clone(),
        pending: base_state.pending.clone(),
        inputs: base_state.inputs.clone(),
        lineage: base_state.lineage.clone(),
        serial: base_state.serial,
        ..State::default()
    };
    // Import targets already managed, as stored.
    let imports_managed: Vec<bool> = ctx
        .config
        .imports
        .iter()
        .map(|imp| match &imp.to {
            Target::Instance(i) => base_state.object(&i.resource, &i.key).is_some(),
            Target::Resource(r) => base_state.object(r, &InstanceKey::None).is_some(),
            Target::Module(_) => true,
        })
        .collect();
    let (mut graph, mut diags) = ctx.graph(&base_state);
    // References to undeclared objects read as unknown: the walk still evaluates everything
    // else, so that every error is reported at once (Terraform's validate walk).
    if diags.iter().filter(|d| d.is_error()).count() > graph.unresolved {
        return Err(diags);
    }
    let mut moves = move_results.moves.clone();
    let early = check_removed_and_imports(ctx);
    let failed = early.has_errors();
    diags.extend(early);
    if failed {
        return Err(diags);
    }
    // Resources named directly by -target (and no other target's dependency) plan only the
    // instances the targets name.
    let mut narrow = HashSet::new();
    if !opts.targets.is_empty() {
        let direct = target_nodes(&graph, &opts.targets);
        let mut ancestors = HashSet::new();
        for &d in &direct {
            let mut up = graph.closure(&[d], petgraph::Direction::Incoming);
            up.remove(&d);
            ancestors.extend(up);
        }
        for d in direct {
            if let (Node::Resource(r), false) = (graph.node(d), ancestors.contains(&d)) {
                narrow.insert(r.clone());
            }
        }
        restrict_to_targets(&mut graph, &opts.targets, opts.mode == PlanMode::Destroy);
        diags.push(Diagnostic::warning(
            "Resource targeting is in effect",
            "You are creating a plan with the -target option, which means that the result of this plan may not represent all of the changes requested by the current configuration.\n\nThe -target option is not for routine use, and is provided only for exceptional situations such as recovering from errors or mistakes, or when terrane specifically suggests to use it as part of an error message.",
        ));
    }
    // Sized for a change per recorded object, the usual case: growing by doubling would
    // hold two copies at the peak.
    let recorded_objects = base_state.resources.values().map(|r| r.instances.len()).sum();
    let refreshed = Mutex::new(base_state);
    let op = Op::Plan { opts, stored: &stored_meta, outputs: Mutex::new(Vec::new()) };
    let permits = Permits::new(opts.parallelism, control);
    let w = PlanWalk {
        w: Walk::new(ctx, &graph, op, opts.mode, &refreshed, CheckState::new(&ctx.config), permits, hooks),
        refreshed_values: Mutex::new(HashMap::new()),
        changes: Mutex::new(Vec::with_capacity(recorded_objects)),
        drift: Mutex::new(Vec::new()),
        actions: Mutex::new(HashMap::new()),
        visited: Mutex::new(HashSet::new()),
        declared: Mutex::new(HashMap::new()),
        moved_to: moves.iter().map(|m| m.to.clone()).collect(),
        imports: Mutex::new(Vec::new()),
        adopted: Mutex::new(BTreeSet::new()),
        adopt_done: Mutex::new(HashSet::new()),
        narrow,
        recorded_index: std::sync::OnceLock::new(),
    };
    let outcome =
        crate::walk::stopping_providers(ctx, control, walk(&graph, control, |i| crate::walk::visit(&w, i))).await;
    let interrupted =
        w.permits.refused() || outcome.values().any(|o| matches!(o, NodeOutcome::Cancelled | NodeOutcome::Abandoned));
    w.plan_orphans();
    // Invalid move statements take precedence over every other problem: an incomplete move
    // is likely their cause.
    let move_diags = super::moves::validate_statements(&ctx.config, &move_stmts, &w);
    if move_diags.has_errors() {
        return Err(move_diags);
    }
    let mut walk_diags = w.w.diags.into_inner().expect("diags lock");
    let failed_conditions = w.w.failed.into_inner().expect("conditions lock");
    if interrupted && !walk_diags.has_errors() && !failed_conditions.has_errors() {
        walk_diags.push(interrupted_error());
    }
    diags.extend(walk_diags);
    diags.extend(move_diags);
    if !diags.has_errors()
        && !failed_conditions.has_errors()
        && let Some(d) = move_results.blocked_warning()
    {
        diags.push(d);
    }
    if interrupted {
        diags.extend(failed_conditions);
        return Err(diags);
    }
    let imports = w.imports.into_inner().expect("imports lock");
    for (imp, &managed) in ctx.config.imports.iter().zip(&imports_managed).filter(|(i, _)| i.for_each.is_none()) {
        let done = imports.iter().any(|i| imp.to.contains(&i.addr));
        if !done && !managed && opts.mode == PlanMode::Normal && opts.targets.is_empty() {
            diags.push(
                Diagnostic::error(
                    "Configuration for import target does not exist",
                    format!("The configuration for {} does not declare such an instance (check its count or for_each). Add the resource to the configuration, or remove this import block.", imp.to),
                )
                .at(imp.to_range.clone()),
            );
        }
    }
    // From here on, errors make a partial plan: what the walk planned before them. Terraform
    // validates the configuration before it plans, and errors found there give no plan at
    // all; validation runs here only when planning failed, so a good plan pays nothing.
    // Then the walk's errors are reported (it evaluated everything validation does), but
    // not its failed conditions: Terraform never evaluated them.
    let errored = diags.has_errors() || failed_conditions.has_errors();
    if errored && ctx.validate().await.has_errors() {
        return Err(diags);
    }
    diags.extend(failed_conditions);
    let mut changes = w.changes.into_inner().expect("changes lock");
    changes.sort_by(|a, b| a.addr.cmp(&b.addr).then(a.deposed.cmp(&b.deposed)));
    let forgotten: Vec<String> =
        changes.iter().filter(|c| c.action == Action::Forget).map(|c| format!(" - {}", c.addr)).collect();
    if !forgotten.is_empty() {
        diags.push(Diagnostic::warning(
            "Some objects will no longer be managed by terrane",
            format!(
                "If you apply this plan, terrane will discard its tracking information for the following objects, but it will not delete them:\n{}\n\nAfter applying this plan, terrane will no longer manage these objects. You will need to import them into terrane to manage them again.",
                forgotten.join("\n")
            ),
        ));
    }
    let mut drift = w.drift.into_inner().expect("drift lock");
    drift.sort_by(|a, b| a.addr.cmp(&b.addr));
    let Op::Plan { outputs, .. } = w.w.op else { unreachable!("a plan walk") };
    let mut outputs = outputs.into_inner().expect("outputs lock");
    outputs.sort_by(|a, b| a.name.cmp(&b.name));
    let variables: BTreeMap<String, Value> = ctx
        .config
        .variables
        .keys()
        .filter_map(|n| w.w.values.get(&[], &Subject::Var(n.clone())).map(|v| (n.clone(), v)))
        .collect();
    let checks = w.w.checks.results();
    let mut prior_state = std::mem::take(&mut *w.w.state.lock().expect("state lock"));
    // As Terraform: the previous run's results are not part of the plan's prior state.
    prior_state.check_results = Default::default();
    // Pending creates that were looked for are settled: adopted, or to be created again.
    let done = w.adopt_done.into_inner().expect("adopt lock");
    prior_state.pending.retain(|_, p| !done.contains(&p.provider));
    let adopted = w.adopted.into_inner().expect("adopted lock");
    moves.retain(|m| prior_state.object(&m.to.resource, &m.to.key).is_some() || changes.iter().any(|c| c.addr == m.to));
    // No-op changes carry no values: the prior state holds them (moved and imported objects
    // keep theirs, to be shown).
    for c in &mut changes {
        let shown = moves.iter().any(|m| m.to == c.addr)
            || imports.iter().any(|i| i.addr == c.addr)
            || adopted.contains(&c.addr);
        if c.action == Action::NoOp && !shown {
            c.before = Value::NULL;
            c.after = Value::NULL;
        }
    }
    let mut plan = Plan {
        format_version: super::PLAN_FORMAT_VERSION,
        terrane_version: crate::VERSION.to_string(),
        mode: opts.mode,
        workspace: ctx.workspace.clone(),
        base,
        variables,
        changes,
        drift,
        outputs,
        targets: opts.targets.iter().map(ToString::to_string).collect(),
        replace: opts.replace.iter().map(ToString::to_string).collect(),
        config: ctx
            .config
            .sources
            .files()
            .filter(|(_, f)| f.name.ends_with(".tf"))
            .map(|(_, f)| (f.name.clone(), f.text.to_string()))
            .collect(),
        config_dir: ctx.config.dir.display().to_string(),
        prior_state,
        errored,
        created: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
        moves,
        imports,
        adopted: adopted.into_iter().collect(),
        causes: BTreeMap::new(),
        checks,
    };
    plan.causes = super::provenance::explain(&ctx.config, &plan, &stored_meta);
    Ok((plan, diags))
}

/// Keeps the targeted resources and what they depend on (for destroy: what depends on them).
pub fn restrict_to_targets(graph: &mut Graph, targets: &[Target], destroy: bool) {
    let keep = target_nodes(graph, targets);
    if destroy {
        let down = graph.closure(&keep, petgraph::Direction::Outgoing);
        let down: Vec<NodeIndex> = down.into_iter().collect();
        graph.retain_ancestors(&down);
    } else {
        graph.retain_ancestors(&keep);
    }
}

/// `removed` blocks must name something no longer configured; `import` blocks must target a
/// configured managed resource.
fn check_removed_and_imports(ctx: &Context) -> Diagnostics {
    let mut diags = Diagnostics::new();
    // As Terraform's FindRemoveStatements: by absolute (static) address, the first found
    // (a parent module's) winning.
    let mut seen: Vec<String> = Vec::new();
    for m in ctx.config.modules() {
        for r in &m.removed {
            let (path, resource) = match &r.from {
                Target::Resource(t) => (
                    [m.path.clone(), t.module_names()].concat(),
                    Some(ResourceAddr { module: Vec::new(), ..t.clone() }),
                ),
                Target::Module(t) => ([m.path.clone(), t.iter().map(|s| s.name.clone()).collect()].concat(), None),
                Target::Instance(_) => continue,
            };
            let abs = path.iter().map(|n| format!("module.{n}.")).collect::<String>();
            let abs = match &resource {
                Some(res) => format!("{abs}{res}"),
                None => abs.trim_end_matches('.').to_string(),
            };
            if seen.contains(&abs) {
                continue;
            }
            seen.push(abs.clone());
            let detail =
                format!("This statement declares that {abs} was removed, but it is still declared in configuration.");
            match resource {
                Some(res) => {
                    if let Some(decl) = ctx.config.module(&path).and_then(|c| c.resources.get(&res)) {
                        diags.push(Diagnostic::error("Removed resource still exists", detail).at(decl.range.clone()));
                    }
                }
                None => {
                    let call = path
                        .split_last()
                        .and_then(|(name, parent)| ctx.config.module(parent)?.module_calls.get(name))
                        .filter(|_| ctx.config.module(&path).is_some());
                    if let Some(call) = call {
                        diags.push(Diagnostic::error("Removed module still exists", detail).at(call.range.clone()));
                    }
                }
            }
        }
    }
    // As Terraform's validation (before the plan). Those errors come alone.
    let invalid_ids = invalid_import_ids(ctx);
    if invalid_ids.has_errors() {
        diags.extend(invalid_ids);
        return diags;
    }
    for imp in &ctx.config.imports {
        let r = match &imp.to {
            Target::Resource(r) => r,
            Target::Instance(i) => &i.resource,
            Target::Module(_) => continue,
        };
        if r.mode != Mode::Managed || ctx.config.resource_at(&r.static_addr()).is_none() {
            diags.push(
                Diagnostic::error(
                    "Configuration for import target does not exist",
                    format!("The configuration for the given import target {} does not exist. All target instances must have an associated configuration to be imported.", imp.to),
                )
                .at(imp.to_range.clone()),
            );
        }
    }
    diags
}

/// A resource body's checks beyond its schema's types: required arguments set to null, and
/// the provider's own validation.
pub(crate) fn body_checks(
    res: &Resource,
    schema: &crate::schema::Schema,
    provider: &dyn Provider,
    config: &Value,
) -> Diagnostics {
    let mut d = Diagnostics::new();
    for path in schema.null_required(config) {
        let name = match path.last() {
            Some(crate::value::PathStep::Attr(n)) => n.clone(),
            _ => continue,
        };
        let range = match path.as_slice() {
            [crate::value::PathStep::Attr(n)] => res.argument_range(n),
            _ => res.range.clone(),
        };
        d.push(
            Diagnostic::error(
                "Missing required argument",
                format!("The argument \"{name}\" is required, but no definition was found."),
            )
            .at(range),
        );
    }
    let own = match res.addr.mode {
        crate::addr::Mode::Managed => provider.validate(&res.addr.type_name, config),
        crate::addr::Mode::Data => provider.validate_data(&res.addr.type_name, config),
    };
    for e in own {
        if e.range.is_some() {
            d.push(e);
            continue;
        }
        let at = e.attribute.as_deref().map_or_else(|| res.range.clone(), |n| res.argument_range(n));
        d.push(e.at(at));
    }
    d
}

/// Import ids already known to be null or empty (Terraform's validate walk).
pub(crate) fn invalid_import_ids(ctx: &Context) -> Diagnostics {
    let mut invalid_ids = Diagnostics::new();
    for imp in ctx.config.imports.iter().filter(|i| i.for_each.is_none()) {
        let scope = crate::eval::UnknownScope;
        let Ok(v) = crate::eval::Evaluator::new(&scope, &ctx.config.dir).eval(&imp.id) else { continue };
        let detail = if v.is_null() {
            "The import ID cannot be null."
        } else if v.is_known() && v.unmarked().as_str() == Some("") {
            "The import ID value evaluates to an empty string, please provide a non-empty value."
        } else {
            continue;
        };
        invalid_ids.push(Diagnostic::error("Invalid import id argument", detail).at(imp.id.range()));
    }
    invalid_ids
}

/// The error of an operation not started because planning was interrupted.
pub(crate) fn interrupted_error() -> Diagnostic {
    Diagnostic::error("Operation interrupted", "Planning stopped before it finished; no plan was made.")
}

/// Re-applies the sensitive marks of `from` (configuration or prior state) to the same
/// paths of `to`, so a provider cannot unmark a value by echoing it.
pub(crate) fn keep_marks(from: &Value, to: Value) -> Value {
    let paths = from.sensitive_paths();
    if paths.is_empty() {
        return to;
    }
    to.mark_paths(&paths)
}
