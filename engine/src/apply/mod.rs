//! Applying a plan: a parallel walk of the apply graph (configuration nodes plus one node per
//! object to delete), calling providers, recording every finished change in the state and
//! checkpointing it ([`recorder`]). A failure stops only what depends on it; an interrupt
//! starts nothing new and lets in-flight calls finish; a second interrupt abandons them.

mod graph;
pub mod recorder;

pub use recorder::Recorder;

use crate::addr::{InstanceAddr, Mode, ResourceAddr};
use crate::checks::{CheckState, Checkable, Rule};
use crate::config::Resource;
use crate::context::Context;
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::{Subject, decode_body};
use crate::graph::{NodeOutcome, Permits, WalkControl, walk};
use crate::hooks::{Hooks, id_of};
use crate::plan::planner::keep_marks;
use crate::plan::{Action, Plan, PlanMode, ResourceChange};
use crate::provider::{PlanRequest, Provider, ProviderError};
use crate::run::{Here, InstanceCtx, expand, resource_value_from_state};
use crate::schema::ResourceSchema;
use crate::state::{ObjectState, ObjectStatus, State, object_from_value, value_from_object};
use crate::value::Value;
use crate::walk::{Op, Operation, Walk};
use petgraph::stable_graph::NodeIndex;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
            token: format!("terrane-{}", uuid::Uuid::new_v4().simple()),
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
        opts,
    };
    w.error(diags);
    let outcome = walk(&g, control, |i| crate::walk::visit(&w, i)).await;
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
    let mut diags = w.w.diags.into_inner().expect("diags lock");
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

struct ApplyWalk<'a> {
    w: Walk<'a>,
    plan: &'a Plan,
    changes: HashMap<(InstanceAddr, Option<String>), &'a ResourceChange>,
    /// The idempotency token of each create (see [`crate::state::PendingCreate`]).
    tokens: HashMap<InstanceAddr, String>,
    recorder: &'a Recorder,
    counts: Mutex<Counts>,
    /// Objects deposed by this apply's create-before-destroy replacements.
    deposed_now: Mutex<HashMap<InstanceAddr, String>>,
    in_flight: Mutex<HashSet<String>>,
    /// The instances whose create was started (its token handed to the provider).
    started: Mutex<HashSet<InstanceAddr>>,
    opts: &'a ApplyOptions,
}

impl<'a> std::ops::Deref for ApplyWalk<'a> {
    type Target = Walk<'a>;
    fn deref(&self) -> &Walk<'a> {
        &self.w
    }
}

impl Operation for ApplyWalk<'_> {
    fn walk(&self) -> &Walk<'_> {
        &self.w
    }

    async fn provider_ready(&self, _key: &str, _p: &dyn Provider) -> bool {
        true
    }

    async fn resource(&self, addr: &ResourceAddr, node: NodeIndex) -> bool {
        if self.destroying() {
            // Destroying: the recorded objects are the resource's value, for what refers to it.
            let state = self.recorder.snapshot_ref();
            let recorded: Vec<ResourceAddr> = if addr.module.is_empty() {
                state.resources.contains_key(addr).then(|| addr.clone()).into_iter().collect()
            } else {
                state.resources.keys().filter(|a| a.static_addr() == *addr).cloned().collect()
            };
            for full in recorded {
                let v = resource_value_from_state(self.ctx, &state, &full);
                self.values.set(&full.module, Subject::Resource(full.relative()), v);
            }
            return true;
        }
        let mut ok = true;
        for h in self.instances_of(&addr.module_names()) {
            ok &= self.resource_in(&h, addr, node).await;
        }
        ok
    }

    async fn destroy(&self, inst: &InstanceAddr, deposed: Option<&str>) -> bool {
        self.destroy_object(inst, deposed).await
    }
}

impl ApplyWalk<'_> {
    /// A resource instance's conditions for the record, where the apply does not check them
    /// itself: preconditions always, postconditions of an instance left unchanged (`value`).
    fn report_conditions(&self, h: &Here<'_>, res: &Resource, inst: &InstanceCtx, value: Option<&Value>) {
        if res.lifecycle.preconditions.is_empty() && res.lifecycle.postconditions.is_empty() {
            return;
        }
        let obj = Checkable::Resource(res.addr.in_module(&h.module).instance(inst.key.clone()));
        let scope = self.scope(h, Some(inst), None);
        crate::checks::evaluate(
            &self.checks,
            &mut scope.evaluator(),
            &obj,
            Rule::ResourcePrecondition,
            &res.lifecycle.preconditions,
        );
        if let Some(v) = value {
            let scope = self.scope(h, Some(inst), Some(v));
            crate::checks::evaluate(
                &self.checks,
                &mut scope.evaluator(),
                &obj,
                Rule::ResourcePostcondition,
                &res.lifecycle.postconditions,
            );
        }
    }

    fn remove_stale_outputs(&self) {
        let keep: HashSet<&String> = self.ctx.config.outputs.keys().collect();
        let destroy = self.plan.mode == PlanMode::Destroy;
        self.recorder.update(|s| s.outputs.retain(|k, _| !destroy && keep.contains(k)));
    }

    fn schema_of(&self, res_provider: &str, addr: &ResourceAddr) -> Option<&ResourceSchema> {
        self.ctx.resource_schema(res_provider, addr)
    }

    async fn resource_in(&self, h: &Here<'_>, addr: &ResourceAddr, node: NodeIndex) -> bool {
        let Some(res) = h.config.resources.get(&addr.relative()) else { return false };
        let full = addr.in_module(&h.module);
        let addr = &full;
        let Some(schema) = self.schema_of(&res.provider, addr) else { return false };
        let Some(provider) = self.ctx.providers.get(&res.provider).cloned() else { return false };
        let expansion =
            match expand(res.count.as_ref(), res.for_each.as_ref(), &mut self.scope(h, None, None).evaluator()) {
                Ok(e) => e,
                Err(d) => {
                    self.error(d);
                    return false;
                }
            };
        let dependencies: Arc<[ResourceAddr]> = self.graph.resource_dependencies(node).into();
        let instances = expansion.instances();
        let results = futures::future::join_all(instances.iter().map(|inst| {
            let deps = &dependencies;
            let provider = provider.clone();
            async move {
                let iaddr = addr.instance(inst.key.clone());
                match self.changes.get(&(iaddr.clone(), None)).copied() {
                    Some(c) if c.action != Action::NoOp && c.action != Action::Delete => {
                        self.report_conditions(h, res, inst, None);
                        match addr.mode {
                            Mode::Managed => {
                                self.apply_instance(h, res, addr, inst, c, schema, provider.as_ref(), deps).await
                            }
                            Mode::Data => self.read_data(h, res, addr, inst, schema, provider.as_ref()).await,
                        }
                    }
                    _ => {
                        let v = {
                            let state = self.recorder.snapshot_ref();
                            state
                                .object(addr, &inst.key)
                                .map(|o| value_from_object(o, &schema.block))
                                .unwrap_or(Value::NULL)
                        };
                        self.report_conditions(h, res, inst, Some(&v));
                        Some(v)
                    }
                }
            }
        }))
        .await;
        let mut ok = true;
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
        ok
    }

    /// Runs a provider operation with progress reports and in-flight tracking. The caller
    /// holds a permit.
    async fn operate<T>(
        &self,
        addr: &InstanceAddr,
        deposed: Option<&str>,
        action: Action,
        op: impl std::future::Future<Output = Result<T, ProviderError>>,
    ) -> (Result<T, ProviderError>, Duration) {
        let name = addr.to_string();
        self.in_flight.lock().expect("in-flight lock").insert(name.clone());
        self.hooks.apply_start(addr, deposed, action);
        let start = Instant::now();
        tokio::pin!(op);
        let mut ticker = tokio::time::interval_at(
            tokio::time::Instant::now() + self.opts.progress_interval,
            self.opts.progress_interval,
        );
        let result = loop {
            tokio::select! {
                r = &mut op => break r,
                _ = ticker.tick() => self.hooks.apply_progress(addr, action, start.elapsed()),
            }
        };
        self.in_flight.lock().expect("in-flight lock").remove(&name);
        (result, start.elapsed())
    }

    #[allow(clippy::too_many_arguments)]
    async fn apply_instance(
        &self,
        h: &Here<'_>,
        res: &Resource,
        full: &ResourceAddr,
        inst: &InstanceCtx,
        change: &ResourceChange,
        schema: &ResourceSchema,
        provider: &dyn Provider,
        dependencies: &Arc<[ResourceAddr]>,
    ) -> Option<Value> {
        // Not started at all once interrupted (this is one of maybe many instances of a node).
        let _permit = self.permits.acquire().await?;
        let addr = full.instance(inst.key.clone());
        let scope = self.scope(h, Some(inst), None);
        let mut ev = scope.evaluator();
        let (config, diags) = decode_body(&mut ev, &res.body, &schema.block, &res.range);
        if diags.has_errors() {
            self.diags.lock().expect("diags lock").extend(diags);
            return None;
        }
        if !config.is_wholly_known() {
            // Everything it refers to has been applied by now, unless something failed.
            self.error(
                Diagnostic::error(
                    format!("Cannot apply {addr}"),
                    "Its configuration still has values that are not known, because an object or value it depends on could not be determined. Fix the errors above and apply again.",
                )
                .at(res.range.clone()),
            );
            return None;
        }
        if change.action == Action::CreateThenDelete {
            let mut dk = None;
            self.recorder.update(|s| dk = s.depose(full, &inst.key));
            if let Some(dk) = dk {
                self.deposed_now.lock().expect("deposed lock").insert(addr.clone(), dk);
            }
        }
        let prior = if change.action == Action::Update {
            let state = self.recorder.snapshot_ref();
            state.object(full, &inst.key).map(|o| value_from_object(o, &schema.block))
        } else {
            None
        };
        // As at plan: ignored changes keep their prior values.
        let config = match &prior {
            Some(p) => {
                crate::plan::planner::apply_ignore_changes(&res.lifecycle.ignore_changes, &schema.block, p, config)
            }
            None => config,
        };
        let resp = match provider
            .plan(PlanRequest { type_name: &res.addr.type_name, schema, prior: prior.as_ref(), config: &config })
            .await
        {
            Ok(r) => r,
            Err(e) => {
                self.error(Diagnostic::error(format!("Error planning {addr}"), e.message).at(res.range.clone()));
                self.restore_deposed(&addr);
                return None;
            }
        };
        if change.action == Action::Update && !resp.requires_replace.is_empty() {
            self.error(
                Diagnostic::error(
                    "Provider produced inconsistent final plan",
                    format!("When expanding the plan for {addr} to include new values learned so far during apply, the change became a replacement, but the plan was to update it in place. This is a bug in the provider; run plan again."),
                )
                .at(res.range.clone()),
            );
            return None;
        }
        let planned = keep_marks(&config, schema.fit(resp.planned));
        // The final plan must complete the reviewed one: every value known then is the same.
        let inconsistent = crate::plan::compat::assert_object_compatible(&schema.block, &change.after, &planned);
        if !inconsistent.is_empty() {
            let source = self.ctx.provider_source(&res.provider);
            for e in inconsistent {
                self.error(Diagnostic::error(
                    "Provider produced inconsistent final plan",
                    format!("When expanding the plan for {addr} to include new values learned so far during apply, provider \"{source}\" produced an invalid new value for {e}.\n\nThis is a bug in the provider, which should be reported in the provider's own issue tracker."),
                ));
            }
            self.restore_deposed(&addr);
            return None;
        }
        let (action, result, elapsed) = match prior {
            Some(p) => {
                let (r, t) =
                    self.operate(&addr, None, Action::Update, provider.update(&res.addr.type_name, p, planned)).await;
                (Action::Update, r, t)
            }
            None => {
                let token = self
                    .tokens
                    .get(&addr)
                    .cloned()
                    .unwrap_or_else(|| format!("terrane-{}", uuid::Uuid::new_v4().simple()));
                self.started.lock().expect("started lock").insert(addr.clone());
                let create = provider.create_with_token(&res.addr.type_name, planned, &token);
                let (r, t) = self.operate(&addr, None, Action::Create, create).await;
                (Action::Create, r, t)
            }
        };
        let provider_address = self.ctx.provider_address(&res.provider);
        let store = |v: &Value, status: ObjectStatus| {
            let (attributes, sensitive_paths) = object_from_value(v, &schema.block);
            let obj = ObjectState {
                schema_version: schema.version,
                attributes,
                sensitive_paths,
                dependencies: Arc::clone(dependencies),
                status,
                create_before_destroy: res.lifecycle.create_before_destroy,
                private: None,
            };
            self.recorder.update(|s| {
                s.set_object(full, &inst.key, &provider_address, Some(obj));
                s.pending.remove(&addr);
            });
        };
        match result {
            Ok(new) => {
                let new = keep_marks(&config, schema.fit(new));
                store(&new, ObjectStatus::Ready);
                self.hooks.apply_done(&addr, None, action, elapsed, id_of(&new).as_deref());
                {
                    let mut c = self.counts.lock().expect("counts lock");
                    if action == Action::Update { c.changed += 1 } else { c.added += 1 }
                }
                if !new.is_wholly_known() {
                    self.error(Diagnostic::error(
                        "Provider returned invalid result object after apply",
                        format!("After the apply operation, the provider still indicated an unknown value for {addr}. All values must be known after apply, so this is always a bug in the provider."),
                    ));
                    return None;
                }
                if !self.postconditions(h, res, inst, &new) {
                    store(&new, ObjectStatus::Tainted);
                    return None;
                }
                Some(new)
            }
            Err(e) => {
                self.hooks.apply_failed(&addr, action, elapsed);
                let verb = if action == Action::Update { "updating" } else { "creating" };
                self.error(Diagnostic::error(format!("Error {verb} {addr}"), e.message.clone()).at(res.range.clone()));
                // As Terraform: what a failed create made is tainted (replaced next time); what
                // a failed update left is recorded as it is, to be updated again.
                let status = if action == Action::Create { ObjectStatus::Tainted } else { ObjectStatus::Ready };
                match e.partial_state {
                    Some(partial) => store(&keep_marks(&config, schema.fit(partial)), status),
                    None if action == Action::Create => {
                        if e.already_exists {
                            self.recorder.update(|s| {
                                s.pending.remove(&addr);
                            });
                        }
                        self.restore_deposed(&addr)
                    }
                    None => {}
                }
                None
            }
        }
    }

    /// A create-before-destroy whose create failed keeps the old object as the current one.
    fn restore_deposed(&self, addr: &InstanceAddr) {
        let Some(dk) = self.deposed_now.lock().expect("deposed lock").remove(addr) else { return };
        self.recorder.update(|s| {
            if let Some(inst) = s.resources.get_mut(&addr.resource).and_then(|r| r.instances.get_mut(&addr.key))
                && inst.current.is_none()
            {
                inst.current = inst.deposed.remove(&dk);
            }
        });
    }

    fn postconditions(&self, h: &Here<'_>, res: &Resource, inst: &InstanceCtx, new: &Value) -> bool {
        let scope = self.scope(h, Some(inst), Some(new));
        let mut ev = scope.evaluator();
        let obj = Checkable::Resource(res.addr.in_module(&h.module).instance(inst.key.clone()));
        let rules = &res.lifecycle.postconditions;
        crate::checks::enforce(
            &self.checks,
            &mut ev,
            &obj,
            Rule::ResourcePostcondition,
            rules,
            |d| self.error(d),
            |d| self.error(d),
        )
    }

    async fn read_data(
        &self,
        h: &Here<'_>,
        res: &Resource,
        full: &ResourceAddr,
        inst: &InstanceCtx,
        schema: &ResourceSchema,
        provider: &dyn Provider,
    ) -> Option<Value> {
        let _permit = self.permits.acquire().await?;
        let addr = full.instance(inst.key.clone());
        let scope = self.scope(h, Some(inst), None);
        let (config, diags) = decode_body(&mut scope.evaluator(), &res.body, &schema.block, &res.range);
        if diags.has_errors() {
            self.diags.lock().expect("diags lock").extend(diags);
            return None;
        }
        self.hooks.reading(&addr);
        let (result, _) =
            self.operate(&addr, None, Action::Read, provider.read_data(&res.addr.type_name, config.clone())).await;
        match result {
            Ok(v) => {
                let v = keep_marks(&config, schema.fit(v));
                let provider_address = self.ctx.provider_address(&res.provider);
                let obj = ObjectState::plain(&v, schema);
                self.recorder.update(|s| s.set_object(full, &inst.key, &provider_address, Some(obj)));
                Some(v)
            }
            Err(e) => {
                self.error(Diagnostic::error(format!("Error reading {addr}"), e.message).at(res.range.clone()));
                None
            }
        }
    }

    async fn destroy_object(&self, inst: &InstanceAddr, deposed: Option<&str>) -> bool {
        let Some(change) = self.changes.get(&(inst.clone(), deposed.map(str::to_string))).copied() else { return true };
        // For a create-before-destroy replacement the old object was deposed by this apply.
        let deposed_key: Option<String> = match (deposed, change.action) {
            (Some(d), _) => Some(d.to_string()),
            (None, Action::CreateThenDelete) => self.deposed_now.lock().expect("deposed lock").get(inst).cloned(),
            _ => None,
        };
        if change.action == Action::CreateThenDelete && deposed_key.is_none() {
            return true;
        }
        let state_key = self.ctx.provider_key_of(&inst.resource, &self.recorder.snapshot_ref());
        let Some(provider) =
            self.ctx.providers.get(&change.provider).or_else(|| self.ctx.providers.get(&state_key)).cloned()
        else {
            self.error(self.ctx.error_unknown_provider(&change.provider));
            return false;
        };
        let Some(schema) = self.ctx.resource_schema(&change.provider, &inst.resource) else { return false };
        let prior = {
            let state = self.recorder.snapshot_ref();
            let objs = state.resources.get(&inst.resource).and_then(|r| r.instances.get(&inst.key));
            let obj = match &deposed_key {
                Some(dk) => objs.and_then(|o| o.deposed.get(dk)),
                None => objs.and_then(|o| o.current.as_ref()),
            };
            obj.map(|o| value_from_object(o, &schema.block))
        };
        let Some(prior) = prior else { return true };
        let Some(_permit) = self.permits.acquire().await else { return false };
        let (result, elapsed) = self
            .operate(inst, deposed_key.as_deref(), Action::Delete, provider.delete(&inst.resource.type_name, prior))
            .await;
        match result {
            Ok(()) => {
                self.recorder.update(|s| match &deposed_key {
                    Some(dk) => s.remove_deposed(&inst.resource, &inst.key, dk),
                    None => s.set_object(&inst.resource, &inst.key, &change.provider_address, None),
                });
                self.hooks.apply_done(inst, deposed_key.as_deref(), Action::Delete, elapsed, None);
                self.counts.lock().expect("counts lock").destroyed += 1;
                true
            }
            Err(e) => {
                self.hooks.apply_failed(inst, Action::Delete, elapsed);
                self.error(Diagnostic::error(format!("Error deleting {inst}"), e.message));
                false
            }
        }
    }
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
