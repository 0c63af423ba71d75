//! Planning: walk the graph, refresh the recorded objects (batched per resource type as soon
//! as their provider is configured), evaluate every block and ask providers what each
//! instance's change will be. The result is a [`Plan`]; nothing here prints.

use super::diff::same;
use super::{Action, OutputChange, Plan, PlanMode, Reason, ResourceChange, StateRef};
use crate::addr::{InstanceAddr, InstanceKey, Mode, ResourceAddr, Target};
use crate::checks::{CheckState, Checkable, Rule};
use crate::config::{IgnoreChanges, Resource};
use crate::context::Context;
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::{Condition, Subject, decode_body, references};
use crate::graph::{Graph, Node, NodeOutcome, Permits, WalkControl, target_nodes, walk};
use crate::hooks::{Hooks, id_of};
use crate::provider::{PlanRequest, Provider};
use crate::run::{Expansion, Here, InstanceCtx, expand};
use crate::schema::ResourceSchema;
use crate::state::{ObjectState, ObjectStatus, State, object_from_value, value_from_object};
use crate::value::Type;
use crate::value::Value;
use crate::walk::{Op, Operation, Walk, output_value};
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
    match plan_inner(ctx, stored, opts, control, hooks).await {
        Ok((plan, diags)) => (Some(plan), diags),
        Err(diags) => (None, diags),
    }
}

async fn plan_inner(
    ctx: &Context,
    stored: Option<&State>,
    opts: &PlanOptions,
    control: &WalkControl,
    hooks: &dyn Hooks,
) -> Result<(Plan, Diagnostics), Diagnostics> {
    let empty = State::default();
    let mut base_state = std::borrow::Cow::Borrowed(stored.unwrap_or(&empty));
    // `moved` blocks (and the moves implied by adding or removing `count`): the recorded
    // objects take their new addresses before anything else. The state is copied only then.
    let move_stmts = super::moves::find_statements(&ctx.config, &base_state);
    let move_results = if move_stmts.is_empty() {
        super::moves::MoveResults::default()
    } else {
        super::moves::apply_statements(&ctx.config, &move_stmts, base_state.to_mut())
    };
    let base_state = &*base_state;
    let (mut graph, mut diags) = ctx.graph(base_state);
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
    let refreshed = Mutex::new(base_state.clone());
    let op = Op::Plan { opts, stored: base_state, outputs: Mutex::new(Vec::new()) };
    let permits = Permits::new(opts.parallelism, control);
    let w = PlanWalk {
        w: Walk::new(ctx, &graph, op, opts.mode, &refreshed, CheckState::new(&ctx.config), permits, hooks),
        opts,
        stored: base_state,
        refreshed_values: Mutex::new(HashMap::new()),
        changes: Mutex::new(Vec::new()),
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
    let outcome = walk(&graph, control, |i| crate::walk::visit(&w, i)).await;
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
    for imp in ctx.config.imports.iter().filter(|i| i.for_each.is_none()) {
        let done = imports.iter().any(|i| imp.to.contains(&i.addr));
        let managed = match &imp.to {
            Target::Instance(i) => base_state.object(&i.resource, &i.key).is_some(),
            Target::Resource(r) => base_state.object(r, &InstanceKey::None).is_some(),
            Target::Module(_) => true,
        };
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
    if errored && ctx.validate().has_errors() {
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
        base: stored.map(|s| StateRef { lineage: s.lineage.clone(), serial: s.serial }),
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
    plan.causes = super::provenance::explain(&ctx.config, &plan, base_state);
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

struct PlanWalk<'a> {
    w: Walk<'a>,
    opts: &'a PlanOptions,
    /// The state as read (after moves): outputs and pending creates are looked up in it.
    stored: &'a State,
    /// Objects as refresh decoded them, taken (once) by [`PlanWalk::refreshed_object`]
    /// instead of decoding the state's JSON a second time.
    refreshed_values: Mutex<HashMap<InstanceAddr, Value>>,
    changes: Mutex<Vec<ResourceChange>>,
    drift: Mutex<Vec<ResourceChange>>,
    /// Planned action and values per instance, for `replace_triggered_by` and data sources.
    actions: Mutex<HashMap<InstanceAddr, (Action, Value, Value)>>,
    visited: Mutex<HashSet<ResourceAddr>>,
    /// The instance keys each resource of each module instance expanded to.
    declared: Mutex<HashMap<ResourceAddr, Vec<InstanceKey>>>,
    /// Where recorded objects moved to before planning.
    moved_to: HashSet<InstanceAddr>,
    imports: Mutex<Vec<super::ImportTarget>>,
    /// Objects found by [`PlanWalk::adopt`].
    adopted: Mutex<BTreeSet<InstanceAddr>>,
    /// Providers whose pending creates were all looked for.
    adopt_done: Mutex<HashSet<String>>,
    narrow: HashSet<ResourceAddr>,
    /// Recorded resources in modules, by configuration block (built on first use).
    recorded_index: std::sync::OnceLock<HashMap<ResourceAddr, Vec<ResourceAddr>>>,
}

impl<'a> std::ops::Deref for PlanWalk<'a> {
    type Target = Walk<'a>;
    fn deref(&self) -> &Walk<'a> {
        &self.w
    }
}

impl Operation for PlanWalk<'_> {
    fn walk(&self) -> &Walk<'_> {
        &self.w
    }

    /// Finds what a crashed apply created, then refreshes every recorded object.
    async fn provider_ready(&self, key: &str, p: &dyn Provider) -> bool {
        if !self.adopt(key, p).await {
            return false;
        }
        if self.opts.refresh {
            return self.refresh(key, p).await;
        }
        true
    }

    async fn resource(&self, addr: &ResourceAddr, _node: NodeIndex) -> bool {
        match addr.mode {
            Mode::Managed => self.managed(addr).await,
            Mode::Data => self.data(addr).await,
        }
    }

    /// Deletions are planned by the resources' nodes and [`PlanWalk::plan_orphans`].
    async fn destroy(&self, _inst: &InstanceAddr, _deposed: Option<&str>) -> bool {
        true
    }
}

impl super::moves::Declared for PlanWalk<'_> {
    fn module_instances(&self, path: &[String]) -> Vec<Vec<crate::addr::ModuleStep>> {
        if self.ctx.config.module(path).is_none() {
            return Vec::new();
        }
        self.values.module_instances(path)
    }

    fn resource_keys(&self, addr: &ResourceAddr) -> Option<Vec<InstanceKey>> {
        self.declared.lock().expect("declared lock").get(addr).cloned()
    }
}

impl PlanWalk<'_> {
    fn planned_outputs(&self) -> &Mutex<Vec<OutputChange>> {
        match &self.op {
            Op::Plan { outputs, .. } => outputs,
            Op::Apply { .. } => unreachable!("a plan walk"),
        }
    }

    fn declare(&self, full: &ResourceAddr, keys: Vec<InstanceKey>) {
        self.declared.lock().expect("declared lock").insert(full.clone(), keys);
    }

    /// Creates a crashed apply recorded but did not finish recording: what each made (found
    /// by its token) joins the state, so it is updated rather than created a second time.
    async fn adopt(&self, key: &str, p: &dyn Provider) -> bool {
        let pending: Vec<crate::state::PendingCreate> =
            self.stored.pending.values().filter(|c| c.provider == key).cloned().collect();
        let mut ok = true;
        for c in pending {
            if self.state.lock().expect("state lock").object(&c.addr.resource, &c.addr.key).is_some() {
                continue; // recorded after all: nothing to find
            }
            let Some(schema) = self.ctx.resource_schema(key, &c.addr.resource) else { continue };
            let planned = schema.block.from_json(&c.planned);
            if let Err(d) = self.find_and_adopt(&c, planned, schema, p, &c.provider_address).await {
                ok = false;
                self.error(d);
            }
        }
        if ok {
            self.adopt_done.lock().expect("adopt lock").insert(key.to_string());
        }
        ok
    }

    /// Refreshes every recorded object of this provider, one batched call per resource type.
    async fn refresh(&self, key: &str, p: &dyn Provider) -> bool {
        let mut groups: BTreeMap<String, Vec<(ResourceAddr, InstanceKey, Value)>> = BTreeMap::new();
        {
            let state = self.state.lock().expect("state lock");
            for (addr, k, obj) in state.instances() {
                if addr.mode != Mode::Managed || self.ctx.provider_key_of(addr, &state) != key {
                    continue;
                }
                if !self.opts.targets.is_empty()
                    && !self.opts.targets.iter().any(|t| t.contains(&addr.instance(k.clone())))
                {
                    continue;
                }
                let Some(schema) = self.ctx.resource_schema(key, addr) else { continue };
                groups.entry(addr.type_name.clone()).or_default().push((
                    addr.clone(),
                    k.clone(),
                    value_from_object(obj, &schema.block),
                ));
            }
        }
        let calls = groups.into_iter().map(|(type_name, items)| async move {
            let Some(_permit) = self.permits.acquire().await else { return (items, None) };
            for (addr, k, v) in &items {
                self.hooks.refreshing(&addr.instance(k.clone()), id_of(v).as_deref());
            }
            let current: Vec<Value> = items.iter().map(|(_, _, v)| v.clone()).collect();
            let results = p.read_many(&type_name, current).await;
            (items, Some(results))
        });
        let mut ok = true;
        for (items, results) in futures::future::join_all(calls).await {
            let Some(results) = results else {
                ok = false; // interrupted
                continue;
            };
            for ((addr, k, prior), result) in items.into_iter().zip(results) {
                ok &= self.record_refresh(key, &addr, &k, prior, result);
            }
        }
        ok
    }

    fn record_refresh(
        &self,
        key: &str,
        addr: &ResourceAddr,
        k: &InstanceKey,
        prior: Value,
        result: Result<Option<Value>, crate::provider::ProviderError>,
    ) -> bool {
        let inst = addr.instance(k.clone());
        let schema = self.ctx.resource_schema(key, addr).expect("schema checked before refresh");
        let provider_address = self.ctx.provider_address(key);
        if let Ok(found) = &result {
            self.hooks.refreshed(&inst, found.as_ref().and_then(id_of).as_deref());
        }
        match result {
            Err(e) => {
                self.error(Diagnostic::error(format!("Error refreshing {inst}"), e.message));
                false
            }
            Ok(None) => {
                self.state.lock().expect("state lock").set_object(addr, k, &provider_address, None);
                self.drift.lock().expect("drift lock").push(ResourceChange {
                    addr: inst,
                    deposed: None,
                    provider: key.to_string(),
                    provider_address,
                    action: Action::Delete,
                    before: prior,
                    after: Value::NULL,
                    replace_paths: Vec::new(),
                    reason: None,
                });
                true
            }
            Ok(Some(new)) => {
                let new = schema.fit(new);
                let new = keep_marks(&prior, new);
                self.refreshed_values.lock().expect("refreshed values lock").insert(inst.clone(), new.clone());
                if !same(&prior.clone().deep_unmark(), &new.clone().deep_unmark()) {
                    let mut state = self.state.lock().expect("state lock");
                    if let Some(obj) = state.object(addr, k).cloned() {
                        let (attributes, sensitive_paths) = object_from_value(&new, &schema.block);
                        state.set_object(
                            addr,
                            k,
                            &provider_address,
                            Some(ObjectState { attributes, sensitive_paths, ..obj }),
                        );
                    }
                    drop(state);
                    self.drift.lock().expect("drift lock").push(ResourceChange {
                        addr: inst,
                        deposed: None,
                        provider: key.to_string(),
                        provider_address,
                        action: Action::Update,
                        before: prior,
                        after: new,
                        replace_paths: Vec::new(),
                        reason: None,
                    });
                }
                true
            }
        }
    }

    /// An object of the refreshed state as a value: as refresh decoded it when it did (taken
    /// once), else decoded from the state.
    fn refreshed_object(
        &self,
        addr: &ResourceAddr,
        k: &InstanceKey,
        schema: &ResourceSchema,
    ) -> Option<(Value, ObjectStatus)> {
        let decoded = self.refreshed_values.lock().expect("refreshed values lock").remove(&addr.instance(k.clone()));
        let state = self.state.lock().expect("state lock");
        let o = state.object(addr, k)?;
        Some((decoded.unwrap_or_else(|| value_from_object(o, &schema.block)), o.status))
    }

    fn record(&self, c: ResourceChange) {
        self.actions
            .lock()
            .expect("actions lock")
            .insert(c.addr.clone(), (c.action, c.before.clone(), c.after.clone()));
        self.changes.lock().expect("changes lock").push(c);
    }

    /// Whether an instance is within the -target scope.
    fn in_scope(&self, inst: &InstanceAddr) -> bool {
        self.narrow.is_empty()
            || !self.narrow.contains(&inst.resource.static_addr())
            || self.opts.targets.iter().any(|t| t.contains(inst))
    }

    /// The recorded resources of a configuration block, in every module instance.
    fn recorded(&self, addr: &ResourceAddr) -> Vec<ResourceAddr> {
        let state = self.state.lock().expect("state lock");
        if addr.module.is_empty() {
            // A root resource has one recorded address: its own.
            return state.resources.contains_key(addr).then(|| addr.clone()).into_iter().collect();
        }
        let index = self.recorded_index.get_or_init(|| crate::state::index_by_block(&state));
        index.get(addr).cloned().unwrap_or_default()
    }

    async fn managed(&self, addr: &ResourceAddr) -> bool {
        let path = addr.module_names();
        let Some(res) = self.ctx.config.resource_at(addr) else { return false };
        let Some(schema) = self.ctx.resource_schema(&res.provider, addr) else { return false };
        if !self.errors(validate_ignore_changes(res, &schema.block)) {
            return false;
        }
        let Some(provider) = self.provider_instance(&res.provider) else { return false };
        let provider_address = self.ctx.provider_address(&res.provider);
        let recorded = self.recorded(addr);
        self.visited.lock().expect("visited lock").extend(recorded.iter().cloned());
        if self.opts.mode == PlanMode::Destroy {
            let mut ok = true;
            for full in &recorded {
                for k in self.existing_keys(full) {
                    if self.in_scope(&full.instance(k.clone())) {
                        ok &= self.plan_delete(res, full, &k, schema, &provider_address, None);
                    }
                }
            }
            return ok;
        }
        let heres = self.instances_of(&path);
        self.checks.objects_known(&Checkable::Resource(addr.instance(InstanceKey::None)));
        let mut ok = true;
        for h in &heres {
            let full = addr.in_module(&h.module);
            ok &= self.managed_in(h, res, &full, schema, provider.as_ref(), &provider_address).await;
        }
        // Objects of module instances that no longer exist.
        let live: HashSet<&crate::run::ModInst> = heres.iter().map(|h| &h.module).collect();
        for full in recorded.iter().filter(|r| !live.contains(&r.module)) {
            for k in self.existing_keys(full) {
                if self.in_scope(&full.instance(k.clone())) {
                    ok &=
                        self.plan_delete(res, full, &k, schema, &provider_address, Some(Reason::DeleteBecauseNoModule));
                }
            }
            self.plan_deposed(full, &res.provider, schema, &provider_address);
        }
        ok
    }

    fn existing_keys(&self, full: &ResourceAddr) -> Vec<InstanceKey> {
        let state = self.state.lock().expect("state lock");
        state
            .resource(full)
            .map(|r| r.instances.iter().filter(|(_, i)| i.current.is_some()).map(|(k, _)| k.clone()).collect())
            .unwrap_or_default()
    }

    /// Plans a resource block in one module instance; `full` is its address there.
    async fn managed_in(
        &self,
        h: &Here<'_>,
        res: &Resource,
        full: &ResourceAddr,
        schema: &ResourceSchema,
        provider: &dyn Provider,
        provider_address: &str,
    ) -> bool {
        let existing = self.existing_keys(full);
        if self.opts.mode == PlanMode::RefreshOnly {
            let state = self.state.lock().expect("state lock");
            let v = crate::run::resource_value_from_state(self.ctx, &state, full);
            drop(state);
            self.values.set(&h.module, Subject::Resource(res.addr.clone()), v);
            return true;
        }
        let scope = self.scope(h, None, None);
        let expansion = match expand(res.count.as_ref(), res.for_each.as_ref(), &mut scope.evaluator()) {
            Ok(e) => e,
            Err(d) => {
                self.error(d);
                self.values.set(&h.module, Subject::Resource(res.addr.clone()), Value::DYNAMIC);
                return false;
            }
        };
        let instances = expansion.instances();
        for inst in &instances {
            self.checks.add_object(&Checkable::Resource(full.instance(inst.key.clone())));
        }
        self.declare(full, instances.iter().map(|i| i.key.clone()).collect());
        let planned = futures::future::join_all(instances.iter().map(|inst| async {
            if self.in_scope(&full.instance(inst.key.clone())) {
                self.plan_instance(h, res, full, inst, schema, provider, provider_address).await
            } else {
                // Outside -target: unchanged, as recorded.
                Some(self.refreshed_object(full, &inst.key, schema).map(|(v, _)| v).unwrap_or(Value::DYNAMIC))
            }
        }))
        .await;
        let mut ok = true;
        let mut values = BTreeMap::new();
        for (inst, p) in instances.iter().zip(planned) {
            match p {
                Some(v) => {
                    values.insert(inst.key.clone(), v);
                }
                None => ok = false,
            }
        }
        for k in existing.iter().filter(|k| !expansion.contains(k) && self.in_scope(&full.instance((*k).clone()))) {
            let reason = match (k, &expansion) {
                (InstanceKey::Int(_), Expansion::Count(_)) => Reason::DeleteBecauseCountIndex,
                (InstanceKey::Str(_), Expansion::ForEach(_)) => Reason::DeleteBecauseEachKey,
                _ => Reason::DeleteBecauseNoResourceConfig,
            };
            ok &= self.plan_delete(res, full, k, schema, provider_address, Some(reason));
        }
        self.plan_deposed(full, &res.provider, schema, provider_address);
        self.values.set(&h.module, Subject::Resource(res.addr.clone()), expansion.aggregate(values));
        ok
    }

    fn plan_delete(
        &self,
        res: &Resource,
        full: &ResourceAddr,
        k: &InstanceKey,
        schema: &ResourceSchema,
        provider_address: &str,
        reason: Option<Reason>,
    ) -> bool {
        let inst = full.instance(k.clone());
        let Some((before, _)) = self.refreshed_object(full, k, schema) else { return true };
        if res.lifecycle.prevent_destroy {
            self.error(prevent_destroy_error(&inst, res));
            return false;
        }
        if let Some(d) = deletion_protected(&inst, &before, false) {
            self.error(d.at(res.range.clone()));
            return false;
        }
        self.record(ResourceChange {
            addr: inst,
            deposed: None,
            provider: res.provider.clone(),
            provider_address: provider_address.to_string(),
            action: Action::Delete,
            before,
            after: Value::NULL,
            replace_paths: Vec::new(),
            reason,
        });
        true
    }

    /// Old objects left by an interrupted create-before-destroy replacement are deleted.
    fn plan_deposed(&self, addr: &ResourceAddr, key: &str, schema: &ResourceSchema, provider_address: &str) {
        let deposed: Vec<(InstanceKey, String, Value)> = {
            let state = self.state.lock().expect("state lock");
            state
                .resource(addr)
                .map(|r| {
                    r.instances
                        .iter()
                        .flat_map(|(k, i)| {
                            i.deposed
                                .iter()
                                .map(move |(dk, o)| (k.clone(), dk.clone(), value_from_object(o, &schema.block)))
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        for (k, dk, before) in deposed {
            self.changes.lock().expect("changes lock").push(ResourceChange {
                addr: addr.instance(k),
                deposed: Some(dk),
                provider: key.to_string(),
                provider_address: provider_address.to_string(),
                action: Action::Delete,
                before,
                after: Value::NULL,
                replace_paths: Vec::new(),
                reason: None,
            });
        }
    }

    /// Plans one instance; returns its planned value (what references to it see).
    #[allow(clippy::too_many_arguments)]
    async fn plan_instance(
        &self,
        h: &Here<'_>,
        res: &Resource,
        full: &ResourceAddr,
        inst: &InstanceCtx,
        schema: &ResourceSchema,
        provider: &dyn Provider,
        provider_address: &str,
    ) -> Option<Value> {
        let addr = full.instance(inst.key.clone());
        let mut prior = self.refreshed_object(full, &inst.key, schema);
        if prior.is_none() && self.opts.mode == PlanMode::Normal {
            match self.import_for(&addr, schema, provider, provider_address).await {
                Ok(Some(v)) => prior = Some((v, ObjectStatus::Ready)),
                Ok(None) => {}
                Err(d) => {
                    self.error(d);
                    return None;
                }
            }
        }
        let scope = self.scope(h, Some(inst), None);
        let mut ev = scope.evaluator();
        let (config, diags) = decode_body(&mut ev, &res.body, &schema.block, &res.range);
        if !self.errors(diags) {
            return None;
        }
        if !self.errors(body_checks(res, &schema.block, provider, &config)) {
            return None;
        }
        let obj = Checkable::Resource(addr.clone());
        let rules = &res.lifecycle.preconditions;
        if !crate::checks::enforce(
            &self.checks,
            &mut ev,
            &obj,
            Rule::ResourcePrecondition,
            rules,
            |d| self.error(d),
            |d| self.failed(d),
        ) {
            return None;
        }
        // An object adopted early (from the values recorded before the create, unknown ones
        // null) is asked for again now that its configuration is known, so it is read the
        // way the configuration spells it (a network by ID rather than by name).
        let adopted_early = prior.is_some() && self.adopted.lock().expect("adopted lock").contains(&addr);
        if (prior.is_none() || adopted_early) && self.opts.mode == PlanMode::Normal {
            match self.adopt_late(&addr, res, schema, provider, provider_address, &config).await {
                Ok(Some(v)) => prior = Some((v, ObjectStatus::Ready)),
                Ok(None) => {}
                Err(d) => {
                    self.error(d);
                    return None;
                }
            }
        }
        let config = match &prior {
            Some((p, _)) => apply_ignore_changes(&res.lifecycle.ignore_changes, &schema.block, p, config),
            None => config,
        };
        let prior_value = prior.as_ref().map(|(v, _)| v.clone());
        let resp = match provider
            .plan(PlanRequest { type_name: &res.addr.type_name, schema, prior: prior_value.as_ref(), config: &config })
            .await
        {
            Ok(r) => r,
            Err(e) => {
                self.error(Diagnostic::error(format!("Error planning {addr}"), e.message).at(res.range.clone()));
                return None;
            }
        };
        let mut planned = keep_marks(&config, schema.fit(resp.planned));
        let tainted = matches!(prior, Some((_, ObjectStatus::Tainted)));
        let requested = self.opts.replace.iter().any(|r| r == &addr);
        let triggered = match self.replace_triggered(res, &h.module) {
            Ok(t) => t,
            Err(d) => {
                self.error(d);
                return None;
            }
        };
        let (action, reason) = match &prior_value {
            None => (Action::Create, None),
            Some(p) => {
                let reason = if tainted {
                    Some(Reason::ReplaceBecauseTainted)
                } else if requested {
                    Some(Reason::ReplaceByRequest)
                } else if !resp.requires_replace.is_empty() {
                    Some(Reason::ReplaceBecauseCannotUpdate)
                } else if triggered {
                    Some(Reason::ReplaceByTriggers)
                } else {
                    None
                };
                match reason {
                    Some(r) => {
                        let a = if res.lifecycle.create_before_destroy {
                            Action::CreateThenDelete
                        } else {
                            Action::DeleteThenCreate
                        };
                        (a, Some(r))
                    }
                    None if same(&p.clone().deep_unmark(), &planned.clone().deep_unmark()) => (Action::NoOp, None),
                    None => (Action::Update, None),
                }
            }
        };
        if action.is_replace() && resp.requires_replace.is_empty() {
            // Replaced by request, taint or trigger: plan the new object as a create.
            match provider
                .plan(PlanRequest { type_name: &res.addr.type_name, schema, prior: None, config: &config })
                .await
            {
                Ok(r) => planned = keep_marks(&config, schema.fit(r.planned)),
                Err(e) => {
                    self.error(Diagnostic::error(format!("Error planning {addr}"), e.message).at(res.range.clone()));
                    return None;
                }
            }
        }
        if action.deletes() && res.lifecycle.prevent_destroy {
            self.error(prevent_destroy_error(&addr, res));
            return None;
        }
        if action.deletes()
            && let Some(p) = &prior_value
            && let Some(d) = deletion_protected(&addr, p, action.is_replace())
        {
            self.error(d.at(res.range.clone()));
            return None;
        }
        if !self.postconditions(h, res, inst, &planned) {
            return None;
        }
        self.record(ResourceChange {
            addr,
            deposed: None,
            provider: res.provider.clone(),
            provider_address: provider_address.to_string(),
            action,
            before: prior_value.unwrap_or(Value::NULL),
            after: planned.clone(),
            replace_paths: resp.requires_replace,
            reason,
        });
        Some(planned)
    }

    /// A pending create that [`PlanWalk::adopt`] did not find, looked for again with its
    /// configuration as it evaluates now. What was unknown when the killed apply was planned
    /// (the IDs of objects it created in the same run: the route table of a route, the
    /// group of a security group rule) is known once those objects were adopted, and a
    /// provider that finds objects by natural key or name needs it. Asked only when the
    /// planned value differs from the recorded one.
    async fn adopt_late(
        &self,
        addr: &InstanceAddr,
        res: &Resource,
        schema: &ResourceSchema,
        provider: &dyn Provider,
        provider_address: &str,
        config: &Value,
    ) -> Result<Option<Value>, Diagnostic> {
        let Some(c) = self.stored.pending.get(addr) else { return Ok(None) };
        let planned = provider
            .plan(PlanRequest { type_name: &res.addr.type_name, schema, prior: None, config })
            .await
            .map_err(|e| Diagnostic::error(format!("Error planning {addr}"), e.message).at(res.range.clone()))?
            .planned
            .deep_unmark()
            .unknowns_to_null();
        if planned.to_json() == schema.block.from_json(&c.planned).to_json() {
            return Ok(None); // asked already, with the same values
        }
        self.find_and_adopt(c, planned, schema, provider, provider_address).await.map_err(|d| d.at(res.range.clone()))
    }

    /// Asks the provider what the pending create `c` made (given `planned`) and, when it
    /// finds it, puts it in the refreshed state as adopted.
    async fn find_and_adopt(
        &self,
        c: &crate::state::PendingCreate,
        planned: Value,
        schema: &ResourceSchema,
        provider: &dyn Provider,
        provider_address: &str,
    ) -> Result<Option<Value>, Diagnostic> {
        let found = {
            let Some(_permit) = self.permits.acquire().await else { return Err(interrupted_error()) };
            provider.find_created(&c.addr.resource.type_name, planned, &c.token).await
        };
        let v = match found {
            Ok(Some(v)) => schema.fit(v),
            Ok(None) => return Ok(None),
            Err(e) => {
                return Err(Diagnostic::error(
                    format!("Error looking for {} after an interrupted apply", c.addr),
                    format!(
                        "An earlier apply was stopped while creating {}; terrane looks for what it created (token {}) before planning it again, and that failed: {}",
                        c.addr, c.token, e.message
                    ),
                ));
            }
        };
        self.state.lock().expect("state lock").set_object(
            &c.addr.resource,
            &c.addr.key,
            provider_address,
            Some(ObjectState::plain(&v, schema)),
        );
        self.adopted.lock().expect("adopted lock").insert(c.addr.clone());
        Ok(Some(v))
    }

    /// When an `import` block targets `addr`: reads the object by its id into the refreshed
    /// state and returns it as the prior object.
    async fn import_for(
        &self,
        addr: &InstanceAddr,
        schema: &ResourceSchema,
        provider: &dyn Provider,
        provider_address: &str,
    ) -> Result<Option<Value>, Diagnostics> {
        let root = self.root();
        // The import block (and, with for_each, the element) that targets `addr`.
        let mut found: Option<(&crate::config::Import, Option<InstanceCtx>)> = None;
        for i in &self.ctx.config.imports {
            match (&i.to, &i.for_each, &i.key) {
                (Target::Resource(r), Some(fe), Some(key)) if r == &addr.resource => {
                    let scope = self.scope(&root, None, None);
                    let Expansion::ForEach(elems) = expand(None, Some(fe), &mut scope.evaluator())? else {
                        continue;
                    };
                    for (k, each_value) in elems {
                        let inst = InstanceCtx { key: InstanceKey::Str(k), each_value: Some(each_value) };
                        let scope = self.scope(&root, Some(&inst), None);
                        let kv = scope.evaluator().eval(key)?;
                        let ik = match (kv.as_str(), kv.as_number().and_then(|n| n.to_i64())) {
                            (Some(s), _) => InstanceKey::Str(s.to_string()),
                            (None, Some(n)) => InstanceKey::Int(n),
                            _ => continue,
                        };
                        if ik == addr.key {
                            found = Some((i, Some(inst)));
                            break;
                        }
                    }
                }
                (Target::Instance(t), None, _) if t == addr => found = Some((i, None)),
                (Target::Resource(r), None, _) if r == &addr.resource && addr.key.is_none() => found = Some((i, None)),
                _ => {}
            }
            if found.is_some() {
                break;
            }
        }
        let Some((imp, each)) = found else {
            return Ok(None);
        };
        if !self.opts.targets.is_empty() && !self.opts.targets.iter().any(|t| t.contains(addr)) {
            return Ok(None);
        }
        let scope = self.scope(&root, each.as_ref(), None);
        let invalid =
            |detail: &str| Err(Diagnostic::error("Invalid import id argument", detail).at(imp.id.range()).into());
        let v = scope.evaluator().eval_as(&imp.id, &Type::String)?;
        if v.is_null() {
            return invalid("The import ID cannot be null.");
        }
        if !v.is_known() {
            return invalid(
                "The import block \"id\" argument depends on resource attributes that cannot be determined until apply, so terrane cannot plan to import this resource.",
            );
        }
        let id = v.unmarked().as_str().unwrap_or_default().to_string();
        if id.is_empty() {
            return invalid("The import ID value evaluates to an empty string, please provide a non-empty value.");
        }
        self.hooks.importing(addr, &id);
        let found = {
            let Some(_permit) = self.permits.acquire().await else { return Err(interrupted_error().into()) };
            provider.import(&addr.resource.type_name, &id).await
        };
        let v = match found {
            Ok(v) => schema.fit(v),
            Err(e) => {
                return Err(Diagnostic::error(
                    format!("Cannot import {addr}"),
                    format!("Importing id \"{id}\" failed: {}", e.message),
                )
                .at(imp.range.clone())
                .into());
            }
        };
        self.state.lock().expect("state lock").set_object(
            &addr.resource,
            &addr.key,
            provider_address,
            Some(ObjectState::plain(&v, schema)),
        );
        self.imports.lock().expect("imports lock").push(super::ImportTarget { addr: addr.clone(), id });
        Ok(Some(v))
    }

    /// Postconditions whose values are known at plan time are checked now; the rest at apply.
    fn postconditions(&self, h: &Here<'_>, res: &Resource, inst: &InstanceCtx, planned: &Value) -> bool {
        if res.lifecycle.postconditions.is_empty() {
            return true;
        }
        let scope = self.scope(h, Some(inst), Some(planned));
        let mut ev = scope.evaluator();
        let obj = Checkable::Resource(res.addr.in_module(&h.module).instance(inst.key.clone()));
        let mut ok = true;
        for (i, rule) in res.lifecycle.postconditions.iter().enumerate() {
            match crate::eval::eval_condition(&mut ev, rule) {
                Ok(Condition::Fail(msg)) => {
                    ok = false;
                    self.checks.report(
                        &obj,
                        Rule::ResourcePostcondition,
                        i,
                        crate::checks::Status::Fail,
                        Some(msg.clone()),
                    );
                    self.failed(Diagnostic::error("Resource postcondition failed", msg).at(rule.condition.range()));
                }
                Ok(c) => self.checks.report(&obj, Rule::ResourcePostcondition, i, c.status(), None),
                // Attributes not known until apply: checked then.
                Err(_) => {}
            }
        }
        ok
    }

    /// Whether a `replace_triggered_by` reference has a planned change.
    fn replace_triggered(&self, res: &Resource, module: &[crate::addr::ModuleStep]) -> Result<bool, Diagnostic> {
        for e in &res.lifecycle.replace_triggered_by {
            let r = references::static_reference(e)?;
            let Subject::Resource(target) = &r.subject else { continue };
            let target = &target.in_module(module);
            let mut rest = r.rest.clone();
            let key = match rest.first() {
                Some(crate::value::PathStep::Index(i)) => Some(InstanceKey::Int(*i as i64)),
                Some(crate::value::PathStep::Key(k)) => Some(InstanceKey::Str(k.clone())),
                _ => None,
            };
            if key.is_some() {
                rest.remove(0);
            }
            let actions = self.actions.lock().expect("actions lock");
            let hit = actions.iter().any(|(a, (action, before, after))| {
                if &a.resource != target || key.as_ref().is_some_and(|k| k != &a.key) {
                    return false;
                }
                if rest.is_empty() {
                    matches!(action, Action::Update | Action::DeleteThenCreate | Action::CreateThenDelete)
                } else {
                    let b = before.at_path(&rest).cloned().unwrap_or(Value::NULL);
                    let n = after.at_path(&rest).cloned().unwrap_or(Value::NULL);
                    *action != Action::NoOp && !same(&b, &n)
                }
            });
            if hit {
                return Ok(true);
            }
        }
        Ok(false)
    }

    async fn data(&self, addr: &ResourceAddr) -> bool {
        let Some(res) = self.ctx.config.resource_at(addr) else { return false };
        let Some(schema) = self.ctx.resource_schema(&res.provider, addr) else { return false };
        let Some(provider) = self.provider_instance(&res.provider) else { return false };
        self.visited.lock().expect("visited lock").extend(self.recorded(addr));
        if self.opts.mode == PlanMode::Destroy {
            return true;
        }
        let provider_address = self.ctx.provider_address(&res.provider);
        let pending = self.dependency_pending(addr);
        self.checks.objects_known(&Checkable::Resource(addr.instance(InstanceKey::None)));
        let mut ok = true;
        for h in self.instances_of(&addr.module_names()) {
            let full = addr.in_module(&h.module);
            let scope = self.scope(&h, None, None);
            let expansion = match expand(res.count.as_ref(), res.for_each.as_ref(), &mut scope.evaluator()) {
                Ok(e) => e,
                Err(d) => {
                    self.error(d);
                    ok = false;
                    continue;
                }
            };
            let instances = expansion.instances();
            for inst in &instances {
                self.checks.add_object(&Checkable::Resource(full.instance(inst.key.clone())));
            }
            self.declare(&full, instances.iter().map(|i| i.key.clone()).collect());
            let results = futures::future::join_all(instances.iter().map(|inst| {
                self.read_data_instance(&h, res, &full, inst, schema, provider.as_ref(), &provider_address, pending)
            }))
            .await;
            let mut values = BTreeMap::new();
            for (inst, r) in instances.iter().zip(results) {
                match r {
                    Some(v) => {
                        values.insert(inst.key.clone(), v);
                    }
                    None => ok = false,
                }
            }
            self.values.set(&h.module, Subject::Resource(res.addr.clone()), expansion.aggregate(values));
        }
        ok
    }

    /// Whether a managed resource this node depends on has a pending change.
    fn dependency_pending(&self, addr: &ResourceAddr) -> bool {
        let Some(i) = self.graph.get(&Node::Resource(addr.clone())) else { return false };
        let deps: HashSet<ResourceAddr> = self.graph.resource_dependencies(i).into_iter().collect();
        let actions = self.actions.lock().expect("actions lock");
        actions.iter().any(|(a, (action, _, _))| {
            deps.contains(&a.resource.static_addr()) && *action != Action::NoOp && *action != Action::Read
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn read_data_instance(
        &self,
        h: &Here<'_>,
        res: &Resource,
        full: &ResourceAddr,
        inst: &InstanceCtx,
        schema: &ResourceSchema,
        provider: &dyn Provider,
        provider_address: &str,
        pending: bool,
    ) -> Option<Value> {
        let addr = full.instance(inst.key.clone());
        let scope = self.scope(h, Some(inst), None);
        let mut ev = scope.evaluator();
        let (config, diags) = decode_body(&mut ev, &res.body, &schema.block, &res.range);
        if !self.errors(diags) {
            return None;
        }
        let known = config.is_wholly_known();
        if !known || pending {
            let planned = super::diff::generic_plan(&schema.block, None, &config).planned;
            let planned = keep_marks(&config, schema.fit(planned));
            self.record(ResourceChange {
                addr,
                deposed: None,
                provider: res.provider.clone(),
                provider_address: provider_address.to_string(),
                action: Action::Read,
                before: Value::NULL,
                after: planned.clone(),
                replace_paths: Vec::new(),
                reason: Some(if known {
                    Reason::ReadBecauseDependencyPending
                } else {
                    Reason::ReadBecauseConfigUnknown
                }),
            });
            return Some(planned);
        }
        if self.opts.data_from_state
            && let Some((v, _)) = self.refreshed_object(full, &inst.key, schema)
        {
            let v = keep_marks(&config, v);
            return self.postconditions(h, res, inst, &v).then_some(v);
        }
        self.hooks.reading(&addr);
        let result = {
            let _permit = self.permits.acquire().await?;
            provider.read_data(&res.addr.type_name, config.clone()).await
        };
        match result {
            Ok(v) => {
                let v = keep_marks(&config, schema.fit(v));
                self.state.lock().expect("state lock").set_object(
                    full,
                    &inst.key,
                    provider_address,
                    Some(ObjectState::plain(&v, schema)),
                );
                if !self.postconditions(h, res, inst, &v) {
                    return None;
                }
                Some(v)
            }
            Err(e) => {
                self.error(Diagnostic::error(format!("Error reading {addr}"), e.message).at(res.range.clone()));
                None
            }
        }
    }

    /// Deletes for resources that are in state but no longer in the configuration, and for
    /// outputs that were removed.
    fn plan_orphans(&self) {
        let visited = self.visited.lock().expect("visited lock").clone();
        let orphans: Vec<Orphan> = {
            let state = self.state.lock().expect("state lock");
            let mut out = Vec::new();
            for (addr, rs) in &state.resources {
                if self.ctx.config.resource_at(addr).is_some() || visited.contains(addr) {
                    continue;
                }
                if !self.opts.targets.is_empty() && !self.opts.targets.iter().any(|t| t.contains_resource(addr)) {
                    continue;
                }
                let key = self.ctx.provider_key_of(addr, &state);
                let schema = self.ctx.resource_schema(&key, addr).map(|s| s.block.clone()).unwrap_or_default();
                for (k, i) in &rs.instances {
                    let current = i.current.as_ref().map(|o| value_from_object(o, &schema)).unwrap_or(Value::NULL);
                    let deposed = i.deposed.iter().map(|(dk, o)| (dk.clone(), value_from_object(o, &schema))).collect();
                    out.push((addr.clone(), k.clone(), key.clone(), current, deposed));
                }
            }
            out
        };
        for (addr, k, key, current, deposed) in orphans {
            if addr.mode == Mode::Data {
                // Data sources no longer configured are simply forgotten.
                continue;
            }
            let provider_address = self.ctx.provider_address(&key);
            let forget = removed_block(&self.ctx.config, &addr).is_some_and(|r| !r.destroy);
            if !current.is_null() && !forget {
                let inst = addr.instance(k.clone());
                if let Some(d) = deletion_protected(&inst, &current, false) {
                    self.error(d);
                    continue;
                }
            }
            if !current.is_null() {
                let inst = addr.instance(k.clone());
                // As Terraform's deleteActionReason: with no configuration, a moved object has
                // no move target; any other was removed from the configuration.
                let reason = if self.moved_to.contains(&inst) {
                    Reason::DeleteBecauseNoMoveTarget
                } else {
                    Reason::DeleteBecauseNoResourceConfig
                };
                self.record(ResourceChange {
                    addr: addr.instance(k.clone()),
                    deposed: None,
                    provider: key.clone(),
                    provider_address: provider_address.clone(),
                    action: if forget { Action::Forget } else { Action::Delete },
                    before: current,
                    after: Value::NULL,
                    replace_paths: Vec::new(),
                    reason: Some(reason),
                });
            }
            for (dk, before) in deposed {
                self.changes.lock().expect("changes lock").push(ResourceChange {
                    addr: addr.instance(k.clone()),
                    deposed: Some(dk),
                    provider: key.clone(),
                    provider_address: provider_address.clone(),
                    action: Action::Delete,
                    before,
                    after: Value::NULL,
                    replace_paths: Vec::new(),
                    reason: None,
                });
            }
        }
        if self.opts.targets.is_empty() && self.opts.mode != PlanMode::RefreshOnly {
            for (name, o) in &self.stored.outputs {
                if !self.ctx.config.outputs.contains_key(name) || self.opts.mode == PlanMode::Destroy {
                    let mut outputs = self.planned_outputs().lock().expect("outputs lock");
                    if !outputs.iter().any(|c| &c.name == name) {
                        outputs.push(OutputChange {
                            name: name.clone(),
                            action: Action::Delete,
                            before: output_value(o),
                            after: Value::NULL,
                            sensitive: o.sensitive,
                        });
                    }
                }
            }
        }
    }
}

/// The `removed` block (in any module) that names a recorded resource, if one does.
fn removed_block<'c>(config: &'c crate::config::Config, addr: &ResourceAddr) -> Option<&'c crate::config::Removed> {
    let names = addr.module_names();
    for m in config.modules() {
        if !names.starts_with(&m.path) {
            continue;
        }
        for r in &m.removed {
            let hit = match &r.from {
                Target::Resource(t) => {
                    let mut full: Vec<String> = m.path.clone();
                    full.extend(t.module_names());
                    full == names && t.mode == addr.mode && t.type_name == addr.type_name && t.name == addr.name
                }
                Target::Module(t) => {
                    let mut full: Vec<String> = m.path.clone();
                    full.extend(t.iter().map(|s| s.name.clone()));
                    names.starts_with(&full)
                }
                Target::Instance(_) => false,
            };
            if hit {
                return Some(r);
            }
        }
    }
    None
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
            [crate::value::PathStep::Attr(n)] => res
                .body
                .body
                .attributes
                .iter()
                .find(|a| &a.name == n)
                .map(|a| crate::diag::SourceRange::new(res.body.file, a.expr.span.clone())),
            _ => None,
        };
        d.push(
            Diagnostic::error(
                "Missing required argument",
                format!("The argument \"{name}\" is required, but no definition was found."),
            )
            .at(range.unwrap_or_else(|| res.range.clone())),
        );
    }
    for e in provider.validate(&res.addr.type_name, config) {
        d.push(if e.range.is_none() { e.at(res.range.clone()) } else { e });
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

/// An instance in state without configuration: address, key, provider key, current object
/// (null when only deposed objects are left) and deposed objects.
type Orphan = (ResourceAddr, InstanceKey, String, Value, Vec<(String, Value)>);

/// The error of an operation not started because planning was interrupted.
fn interrupted_error() -> Diagnostic {
    Diagnostic::error("Operation interrupted", "Planning stopped before it finished; no plan was made.")
}

/// An error when the object has the provider's deletion protection on (RDS
/// `deletion_protection`, load balancers' `enable_deletion_protection`): the API would refuse
/// the delete half-way through the apply, so the plan refuses it now.
fn deletion_protected(inst: &InstanceAddr, prior: &Value, replace: bool) -> Option<Diagnostic> {
    let attr = ["deletion_protection", "enable_deletion_protection"]
        .into_iter()
        .find(|a| prior.get_attr(a).and_then(Value::as_bool) == Some(true))?;
    let what = if replace { "replaced (which destroys it)" } else { "destroyed" };
    Some(Diagnostic::error(
        "Instance cannot be destroyed",
        format!(
            "{inst} has {attr} enabled, but the plan calls for it to be {what}. The API would refuse the delete in the middle of the apply. Set {attr} = false and apply that change first, or reduce the scope of the plan with -target."
        ),
    ))
}

fn prevent_destroy_error(inst: &InstanceAddr, res: &Resource) -> Diagnostic {
    Diagnostic::error(
        "Instance cannot be destroyed",
        format!("Resource {inst} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag."),
    )
    .at(res.range.clone())
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

/// Terraform's `processIgnoreChanges`: the configuration with ignored changes replaced by the
/// prior values. `all`: the prior object with the attributes only the provider decides
/// nulled. Paths: Terraform's `processIgnoreChangesIndividual`, including its quirk that an
/// ignored key of an object (not a map) ignores the whole object.
pub(crate) fn apply_ignore_changes(
    ic: &IgnoreChanges,
    schema: &crate::schema::Schema,
    prior: &Value,
    config: Value,
) -> Value {
    match ic {
        IgnoreChanges::None => config,
        _ if prior.is_null() || config.is_null() => config,
        IgnoreChanges::All => null_computed_only(prior.clone(), schema),
        IgnoreChanges::Paths(paths) => ignore_changes_individual(prior, config, paths),
    }
}

/// The prior value with every attribute that is computed and not optional set to null.
fn null_computed_only(v: Value, schema: &crate::schema::Schema) -> Value {
    use crate::value::PathStep;
    if v.is_null() || !v.is_known() {
        return v;
    }
    let mut out = v.clone();
    for (name, a) in &schema.attributes {
        if a.computed && !a.optional {
            out.set_at_path(&[PathStep::Attr(name.clone())], Value::Null(a.ty.clone()));
        }
    }
    for (name, b) in &schema.blocks {
        let Some(inner) = v.get_attr(name) else { continue };
        let (inner, m) = inner.clone().unmark();
        let fixed = match &inner {
            Value::List(s) => {
                Value::list(s.ety.clone(), s.items.iter().map(|i| null_computed_only(i.clone(), &b.schema)).collect())
            }
            Value::Set(s) => {
                Value::set(s.ety.clone(), s.items.iter().map(|i| null_computed_only(i.clone(), &b.schema)).collect())
            }
            Value::Object(_) => null_computed_only(inner.clone(), &b.schema),
            _ => inner.clone(),
        };
        out.set_at_path(&[PathStep::Attr(name.clone())], fixed.with_marks(m));
    }
    out
}

/// cty's `Path.Apply`: the value at `path`, `None` where cty reports an error (an attribute
/// of what is not an object, a string key of what is not a map, a missing key, a null).
fn cty_path_apply(v: &Value, path: &[crate::value::PathStep]) -> Option<Value> {
    use crate::cty::Type;
    use crate::value::PathStep;
    let mut cur = v.clone();
    for step in path {
        if cur.is_null() {
            return None;
        }
        let ty = cur.ty();
        cur = match step {
            PathStep::Attr(name) => {
                let Type::Object(o) = &ty else { return None };
                o.attrs.get(name)?;
                crate::cty::ops::get_attr(&cur, name)?
            }
            PathStep::Key(k) => {
                if !matches!(ty, Type::Map(_)) {
                    return None;
                }
                if !cur.is_known() {
                    return Some(Value::DYNAMIC);
                }
                let (inner, m) = cur.unmark();
                inner.as_map()?.get(k)?.clone().with_marks(m)
            }
            PathStep::Index(i) => {
                if !matches!(ty, Type::List(_) | Type::Tuple(_)) {
                    return None;
                }
                if !cur.is_known() {
                    return Some(Value::DYNAMIC);
                }
                let (inner, m) = cur.unmark();
                let item = match &inner {
                    Value::List(s) => s.items.get(*i)?.clone(),
                    Value::Tuple(items) => items.get(*i)?.clone(),
                    _ => return None,
                };
                item.with_marks(m)
            }
        };
    }
    Some(cur)
}

struct Ignored {
    path: Vec<crate::value::PathStep>,
    value: Value,
    key: Option<String>,
}

fn ignore_changes_individual(prior: &Value, config: Value, paths: &[crate::config::IgnorePath]) -> Value {
    use crate::value::PathStep;
    let mut ignored = Vec::new();
    for ip in paths {
        let mut path = ip.path.clone();
        let mut key = None;
        if let Some(PathStep::Key(k)) = path.last() {
            key = Some(k.clone());
            path.pop();
        }
        let (Some(p), Some(c)) = (cty_path_apply(prior, &path), cty_path_apply(&config, &path)) else { continue };
        if p != c {
            ignored.push(Ignored { path, value: p, key });
        }
    }
    if ignored.is_empty() {
        return config;
    }
    transform_ignored(config, &mut Vec::new(), &ignored)
}

/// cty's `Transform` (children first) with the callback of `processIgnoreChangesIndividual`.
fn transform_ignored(v: Value, path: &mut Vec<crate::value::PathStep>, ignored: &[Ignored]) -> Value {
    use crate::value::PathStep;
    let (inner, m) = v.unmark();
    let rebuilt = match inner {
        Value::Object(attrs) => Value::object(attrs.iter().map(|(k, x)| {
            path.push(PathStep::Attr(k.clone()));
            let x = transform_ignored(x.clone(), path, ignored);
            path.pop();
            (k.clone(), x)
        })),
        Value::Map(mdata) => {
            let items = mdata
                .items
                .iter()
                .map(|(k, x)| {
                    path.push(PathStep::Key(k.clone()));
                    let x = transform_ignored(x.clone(), path, ignored);
                    path.pop();
                    (k.clone(), x)
                })
                .collect();
            Value::map(mdata.ety.clone(), items)
        }
        Value::List(s) => Value::list(s.ety.clone(), transform_items(&s.items, path, ignored)),
        Value::Tuple(items) => Value::tuple(transform_items(&items, path, ignored)),
        other => other,
    };
    ignore_at(rebuilt.with_marks(m), path, ignored)
}

/// The elements of a list or tuple, transformed at their indexes.
fn transform_items(items: &[Value], path: &mut Vec<crate::value::PathStep>, ignored: &[Ignored]) -> Vec<Value> {
    items
        .iter()
        .enumerate()
        .map(|(i, x)| {
            path.push(crate::value::PathStep::Index(i));
            let x = transform_ignored(x.clone(), path, ignored);
            path.pop();
            x
        })
        .collect()
}

fn ignore_at(v: Value, path: &[crate::value::PathStep], ignored: &[Ignored]) -> Value {
    use crate::cty::Type;
    let Type::Map(ety) = v.ty() else {
        return ignored.iter().find(|i| i.path == path).map_or(v, |i| i.value.clone());
    };
    if !v.is_null() && !v.is_known() {
        return v;
    }
    let (inner, vmarks) = v.unmark();
    let mut config_map = match &inner {
        Value::Map(mdata) => mdata.items.clone(),
        _ => Default::default(),
    };
    for ig in ignored.iter().filter(|i| i.path == path) {
        let Some(key) = &ig.key else { return ig.value.clone() };
        let (prior, _) = ig.value.clone().unmark();
        match prior.as_map().and_then(|m| m.get(key)) {
            Some(e) => {
                config_map.insert(key.clone(), e.clone());
            }
            None => {
                config_map.remove(key);
            }
        }
    }
    let new = if !config_map.is_empty() {
        Value::map((*ety).clone(), config_map)
    } else if inner.is_null() {
        inner
    } else {
        Value::map((*ety).clone(), Default::default())
    };
    new.with_marks(vmarks)
}

/// A resource's `ignore_changes` checked against its schema, as Terraform's validate walk does:
/// each path must exist (`StaticValidateTraversal`), and one naming an attribute only the
/// provider decides (computed, not optional) is warned about, at the resource's type.
pub(crate) fn validate_ignore_changes(res: &Resource, schema: &crate::schema::Schema) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if let IgnoreChanges::Paths(paths) = &res.lifecycle.ignore_changes {
        for ip in paths {
            static_validate_traversal(schema, &ip.path, &ip.ranges, &mut diags);
            if diags.has_errors() {
                continue;
            }
            if let Some(a) = attribute_by_path(schema, &ip.path)
                && a.computed
                && !a.optional
            {
                diags.push(
                    Diagnostic::warning(
                        "Redundant ignore_changes element",
                        format!(
                            "Adding an attribute name to ignore_changes tells terrane to ignore future changes to the argument in configuration after the object has been created, retaining the value originally configured.\n\nThe attribute {} is decided by the provider alone and therefore there can be no configured value to compare with. Including this attribute in ignore_changes has no effect. Remove the attribute from ignore_changes to quiet this warning.",
                            crate::value::path_to_string(&ip.path)
                        ),
                    )
                    .at(res.type_range.clone()),
                );
            }
        }
    }
    diags
}

/// The attribute a path names, through nested blocks (Terraform's `Block.AttributeByPath`;
/// index steps are passed over).
fn attribute_by_path<'s>(
    schema: &'s crate::schema::Schema,
    path: &[crate::value::PathStep],
) -> Option<&'s crate::schema::Attribute> {
    let mut block = schema;
    for (i, step) in path.iter().enumerate() {
        let crate::value::PathStep::Attr(name) = step else { continue };
        if let Some(a) = block.attributes.get(name) {
            return (i + 1 == path.len()).then_some(a);
        }
        block = &block.blocks.get(name)?.schema;
    }
    None
}

fn static_validate_traversal(
    schema: &crate::schema::Schema,
    path: &[crate::value::PathStep],
    ranges: &[crate::diag::SourceRange],
    diags: &mut Diagnostics,
) {
    use crate::lang::eval::traverse;
    use crate::schema::Nesting;
    use crate::value::PathStep;
    let Some((first, after)) = path.split_first() else { return };
    let range = ranges.first().cloned();
    let at = |d: Diagnostic| match &range {
        Some(r) => d.at(r.clone()),
        None => d,
    };
    let name = match first {
        PathStep::Attr(n) => n,
        PathStep::Key(k) if crate::hcl::valid_identifier(k) => {
            diags.push(at(Diagnostic::error(
                "Invalid index operation",
                format!(
                    "Only attribute access is allowed here. Did you mean to access attribute {} using the dot operator?",
                    crate::cty::ty::go_quote(k)
                ),
            )));
            return;
        }
        _ => {
            diags.push(at(Diagnostic::error(
                "Invalid index operation",
                "Only attribute access is allowed here, using the dot operator.",
            )));
            return;
        }
    };
    let rest_ranges = ranges.get(1..).unwrap_or_default();
    if let Some(a) = schema.attributes.get(name) {
        let mut v = Value::unknown(a.ty.clone());
        for (step, r) in after.iter().zip(rest_ranges) {
            let res = match step {
                PathStep::Attr(n) => traverse::get_attr(&v, n, r),
                PathStep::Key(k) => traverse::index(&v, &Value::string(k.clone()), r),
                PathStep::Index(i) => traverse::index(&v, &Value::int(*i as i64), r),
            };
            match res {
                Ok(x) => v = x,
                Err(d) => {
                    diags.0.extend(d);
                    return;
                }
            }
        }
        return;
    }
    if let Some(b) = schema.blocks.get(name) {
        match b.nesting {
            Nesting::Single => static_validate_traversal(&b.schema, after, rest_ranges, diags),
            _ if after.is_empty() => {}
            Nesting::Set => diags.push(
                Diagnostic::error(
                    "Cannot index a set value",
                    format!("Block type {} is represented by a set of objects, and set elements do not have addressable keys. To find elements matching specific criteria, use a \"for\" expression with an \"if\" clause.", crate::cty::ty::go_quote(name)),
                )
                .at(rest_ranges[0].clone()),
            ),
            Nesting::List => match after[0] {
                PathStep::Index(_) | PathStep::Key(_) => {
                    static_validate_traversal(&b.schema, &after[1..], &rest_ranges[1..], diags)
                }
                PathStep::Attr(_) => diags.push(
                    Diagnostic::error(
                        "Invalid operation",
                        format!("Block type {} is represented by a list of objects, so it must be indexed using a numeric key, like .{name}[0].", crate::cty::ty::go_quote(name)),
                    )
                    .at(rest_ranges[0].clone()),
                ),
            },
        }
        return;
    }
    let mut names: Vec<&str> = schema.attributes.keys().chain(schema.blocks.keys()).map(String::as_str).collect();
    names.sort_unstable();
    let hint = crate::hcl::name_suggestion(name, names.iter().copied())
        .map(|s| format!(" Did you mean {}?", crate::cty::ty::go_quote(s)))
        .unwrap_or_default();
    diags.push(at(Diagnostic::error(
        "Unsupported attribute",
        format!(
            "This object has no argument, nested block, or exported attribute named {}.{hint}",
            crate::cty::ty::go_quote(name)
        ),
    )));
}
