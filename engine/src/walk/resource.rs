//! Managed resources: expanded per module instance; the plan asks the provider what each
//! instance's change is (imports, replacements, ignore_changes, conditions); the apply makes
//! the planned change and records the result.

use super::Walk;
use super::apply::ApplyWalk;
use super::plan::PlanWalk;
use crate::addr::{InstanceAddr, InstanceKey, Mode, ResourceAddr, Target};
use crate::checks::{Checkable, Rule, Status};
use crate::config::Resource;
use crate::diag::{Diagnostic, Diagnostics};
use crate::eval::{Condition, Subject, decode_body, references};
use crate::hooks::id_of;
use crate::plan::diff::same;
use crate::plan::ignore::{apply_ignore_changes, validate_ignore_changes};
use crate::plan::planner::{body_checks, interrupted_error, keep_marks};
use crate::plan::{Action, PlanMode, Reason, ResourceChange};
use crate::provider::{ApplyRequest, PlanRequest, Provider};
use crate::run::{Expansion, Here, InstanceCtx, expand};
use crate::schema::ResourceSchema;
use crate::state::{ObjectState, ObjectStatus, object_from_value, value_from_object};
use crate::value::{Type, Value};
use petgraph::stable_graph::NodeIndex;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// One resource (or data) block in one module instance, as each of its instances is
/// planned, applied or read: what stays the same from instance to instance.
#[derive(Clone, Copy)]
pub(crate) struct Block<'x, 'h> {
    pub h: &'x Here<'h>,
    pub res: &'x Resource,
    /// The block's address in that module instance.
    pub full: &'x ResourceAddr,
    pub schema: &'x ResourceSchema,
    pub provider: &'x dyn Provider,
    pub provider_address: &'x str,
}

impl PlanWalk<'_> {
    pub(crate) async fn managed(&self, addr: &ResourceAddr) -> bool {
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
        if self.opts().mode == PlanMode::Destroy {
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
            let b =
                Block { h, res, full: &full, schema, provider: provider.as_ref(), provider_address: &provider_address };
            ok &= self.managed_in(&b).await;
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

    /// Plans a resource block in one module instance; `full` is its address there.
    pub(crate) async fn managed_in(&self, b: &Block<'_, '_>) -> bool {
        let Block { h, res, full, schema, provider_address, .. } = *b;
        let existing = self.existing_keys(full);
        if self.opts().mode == PlanMode::RefreshOnly {
            let state = self.state.lock().expect("state lock");
            let v = crate::run::resource_value_from_state(self.ctx, &state, full);
            drop(state);
            self.values.set(&h.module, Subject::Resource(res.addr.clone()), v);
            return true;
        }
        let Some(expansion) = self.expand_resource(h, res) else { return false };
        self.declare_instances(full, &expansion);
        let mut ok = self
            .each_instance(h, res, &expansion, async |inst| {
                if self.in_scope(&full.instance(inst.key.clone())) {
                    self.plan_instance(b, inst).await
                } else {
                    // Outside -target: unchanged, as recorded.
                    Some(self.refreshed_object(full, &inst.key, schema).map(|(v, _)| v).unwrap_or(Value::DYNAMIC))
                }
            })
            .await;
        for k in existing.iter().filter(|k| !expansion.contains(k) && self.in_scope(&full.instance((*k).clone()))) {
            let reason = match (k, &expansion) {
                (InstanceKey::Int(_), Expansion::Count(_)) => Reason::DeleteBecauseCountIndex,
                (InstanceKey::Str(_), Expansion::ForEach(_)) => Reason::DeleteBecauseEachKey,
                _ => Reason::DeleteBecauseNoResourceConfig,
            };
            ok &= self.plan_delete(res, full, k, schema, provider_address, Some(reason));
        }
        self.plan_deposed(full, &res.provider, schema, provider_address);
        ok
    }

    /// Plans one instance; returns its planned value (what references to it see).
    pub(crate) async fn plan_instance(&self, b: &Block<'_, '_>, inst: &InstanceCtx) -> Option<Value> {
        let Block { h, res, full, schema, provider, provider_address } = *b;
        let addr = full.instance(inst.key.clone());
        let mut prior = self.refreshed_object(full, &inst.key, schema);
        if prior.is_none() && self.opts().mode == PlanMode::Normal {
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
        if !self.preconditions(&mut ev, res, &addr) {
            return None;
        }
        // An object adopted early (from the values recorded before the create, unknown ones
        // null) is asked for again now that its configuration is known, so it is read the
        // way the configuration spells it (a network by ID rather than by name).
        let adopted_early = prior.is_some() && self.adopted.lock().expect("adopted lock").contains(&addr);
        if (prior.is_none() || adopted_early) && self.opts().mode == PlanMode::Normal {
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
        let prior_private = prior_value.as_ref().and_then(|_| self.refreshed_private(full, &inst.key));
        let resp = match provider
            .plan(PlanRequest {
                type_name: &res.addr.type_name,
                schema,
                prior: prior_value.as_ref(),
                config: &config,
                prior_private: prior_private.as_deref(),
            })
            .await
        {
            Ok(r) => r,
            Err(e) => {
                self.error(self.provider_error("Error planning", &addr, res, e));
                return None;
            }
        };
        let mut planned = keep_marks(&config, schema.fit(resp.planned));
        let tainted = matches!(prior, Some((_, ObjectStatus::Tainted)));
        let requested = self.opts().replace.iter().any(|r| r == &addr);
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
        if action.is_replace() {
            // The new object is planned as a create, from no prior object, as Terraform plans
            // it (and as the apply will plan it again): whether replaced by request, taint or
            // trigger, or because the provider said so (its reasons are kept from the plan
            // against the prior object).
            match provider
                .plan(PlanRequest {
                    type_name: &res.addr.type_name,
                    schema,
                    prior: None,
                    config: &config,
                    prior_private: None,
                })
                .await
            {
                Ok(r) => planned = keep_marks(&config, schema.fit(r.planned)),
                Err(e) => {
                    self.error(self.provider_error("Error planning", &addr, res, e));
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
            // As Terraform: what forces a replacement is shown only where there is one.
            replace_paths: if action.is_replace() { resp.requires_replace } else { Vec::new() },
            reason,
        });
        Some(planned)
    }

    /// When an `import` block targets `addr`: reads the object by its id into the refreshed
    /// state and returns it as the prior object.
    pub(crate) async fn import_for(
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
        if !self.opts().targets.is_empty() && !self.opts().targets.iter().any(|t| t.contains(addr)) {
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
        self.set_object(&addr.resource, &addr.key, provider_address, Some(ObjectState::plain(&v, schema)));
        self.imports.lock().expect("imports lock").push(crate::plan::ImportTarget { addr: addr.clone(), id });
        Ok(Some(v))
    }

    /// Whether a `replace_triggered_by` reference has a planned change.
    pub(crate) fn replace_triggered(
        &self,
        res: &Resource,
        module: &[crate::addr::ModuleStep],
    ) -> Result<bool, Diagnostic> {
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
}

impl ApplyWalk<'_> {
    pub(crate) async fn resource_in(&self, h: &Here<'_>, addr: &ResourceAddr, node: NodeIndex) -> bool {
        let Some(res) = h.config.resources.get(&addr.relative()) else { return false };
        let full = addr.in_module(&h.module);
        let addr = &full;
        let Some(schema) = self.schema_of(&res.provider, addr) else { return false };
        let Some(provider) = self.ctx.providers.get(&res.provider).cloned() else { return false };
        let Some(expansion) = self.expand_resource(h, res) else { return false };
        let dependencies: Arc<[ResourceAddr]> = self.graph.resource_dependencies(node).into();
        let deps = &dependencies;
        let provider_address = self.ctx.provider_address(&res.provider);
        let b = Block { h, res, full: addr, schema, provider: provider.as_ref(), provider_address: &provider_address };
        let b = &b;
        self.each_instance(h, res, &expansion, async |inst| {
            let iaddr = addr.instance(inst.key.clone());
            match self.changes.get(&(iaddr.clone(), None)).copied() {
                Some(c) if c.action != Action::NoOp && c.action != Action::Delete => {
                    self.report_conditions(h, res, inst, None);
                    match addr.mode {
                        Mode::Managed => self.apply_instance(b, inst, c, deps).await,
                        Mode::Data => self.read_data(b, inst).await,
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
                    // A data source read at plan time is not read again, and its conditions
                    // are not evaluated again: Terraform's apply leaves their results unknown.
                    if addr.mode == Mode::Managed {
                        self.report_conditions(h, res, inst, Some(&v));
                    }
                    Some(v)
                }
            }
        })
        .await
    }

    pub(crate) async fn apply_instance(
        &self,
        b: &Block<'_, '_>,
        inst: &InstanceCtx,
        change: &ResourceChange,
        dependencies: &Arc<[ResourceAddr]>,
    ) -> Option<Value> {
        let Block { h, res, full, schema, provider, .. } = *b;
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
        let (prior, prior_private) = if change.action == Action::Update {
            let state = self.recorder.snapshot_ref();
            match state.object(full, &inst.key) {
                Some(o) => (Some(value_from_object(o, &schema.block)), o.private_bytes()),
                None => (None, None),
            }
        } else {
            (None, None)
        };
        // As at plan: ignored changes keep their prior values.
        let config = match &prior {
            Some(p) => apply_ignore_changes(&res.lifecycle.ignore_changes, &schema.block, p, config),
            None => config,
        };
        let resp = match provider
            .plan(PlanRequest {
                type_name: &res.addr.type_name,
                schema,
                prior: prior.as_ref(),
                config: &config,
                prior_private: prior_private.as_deref(),
            })
            .await
        {
            Ok(r) => r,
            Err(e) => {
                self.error(self.provider_error("Error planning", &addr, res, e));
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
        let action = if prior.is_some() { Action::Update } else { Action::Create };
        let token = match action {
            Action::Create => {
                self.started.lock().expect("started lock").insert(addr.clone());
                self.tokens.get(&addr).cloned().unwrap_or_else(|| format!("terrane-{}", uuid::Uuid::new_v4().simple()))
            }
            _ => String::new(),
        };
        let apply = provider.apply_change(ApplyRequest {
            type_name: &res.addr.type_name,
            prior,
            planned,
            config: &config,
            private: resp.private.as_deref(),
            token: &token,
        });
        let (result, elapsed) = self.operate(&addr, None, action, apply).await;
        let private = match &result {
            Ok(a) => ObjectState::encode_private(a.private.as_deref()),
            Err(_) => ObjectState::encode_private(resp.private.as_deref()),
        };
        let result = result.map(|a| a.new_state);
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
                private: private.clone(),
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
                if action == Action::Create {
                    let created = (res.provider.clone(), res.addr.type_name.clone(), new.clone());
                    self.created.lock().expect("created lock").push(created);
                }
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
    pub(crate) fn restore_deposed(&self, addr: &InstanceAddr) {
        let Some(dk) = self.deposed_now.lock().expect("deposed lock").remove(addr) else { return };
        self.recorder.update(|s| {
            if let Some(inst) = s.resources.get_mut(&addr.resource).and_then(|r| r.instances.get_mut(&addr.key))
                && inst.current.is_none()
            {
                inst.current = inst.deposed.remove(&dk);
            }
        });
    }

    /// A resource instance's conditions for the record, where the apply does not check them
    /// itself: preconditions always, postconditions of an instance left unchanged (`value`).
    pub(crate) fn report_conditions(&self, h: &Here<'_>, res: &Resource, inst: &InstanceCtx, value: Option<&Value>) {
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
}

/// An error when the object has the provider's deletion protection on (RDS
/// `deletion_protection`, load balancers' `enable_deletion_protection`): the API would refuse
/// the delete half-way through the apply, so the plan refuses it now.
pub(super) fn deletion_protected(inst: &InstanceAddr, prior: &Value, replace: bool) -> Option<Diagnostic> {
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

pub(super) fn prevent_destroy_error(inst: &InstanceAddr, res: &Resource) -> Diagnostic {
    Diagnostic::error(
        "Instance cannot be destroyed",
        format!("Resource {inst} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag."),
    )
    .at(res.range.clone())
}

impl Walk<'_> {
    /// Expands resource `res` in module instance `h` (its `count` or `for_each`); `None` when
    /// that fails (reported), and the resource is unknown for the rest of the walk.
    pub(crate) fn expand_resource(&self, h: &Here<'_>, res: &Resource) -> Option<Expansion> {
        let scope = self.scope(h, None, None);
        match expand(res.count.as_ref(), res.for_each.as_ref(), &mut scope.evaluator()) {
            Ok(e) => Some(e),
            Err(d) => {
                self.error(d);
                self.values.set(&h.module, Subject::Resource(res.addr.clone()), Value::DYNAMIC);
                None
            }
        }
    }

    /// Runs `each` for every instance of `expansion` at once, and sets the resource's value
    /// in `h` to theirs, aggregated as `count` or `for_each` make it; false when one failed.
    pub(crate) async fn each_instance(
        &self,
        h: &Here<'_>,
        res: &Resource,
        expansion: &Expansion,
        each: impl AsyncFn(&InstanceCtx) -> Option<Value>,
    ) -> bool {
        let instances = expansion.instances();
        let results = futures::future::join_all(instances.iter().map(|inst| each(inst))).await;
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

    /// A resource instance's postconditions on `value` (planned, or new after apply): false
    /// when one fails. A plan leaves one it cannot evaluate yet (attributes known after
    /// apply) to the apply, which reports its errors.
    pub(crate) fn postconditions(&self, h: &Here<'_>, res: &Resource, inst: &InstanceCtx, value: &Value) -> bool {
        if res.lifecycle.postconditions.is_empty() {
            return true;
        }
        let scope = self.scope(h, Some(inst), Some(value));
        let mut ev = scope.evaluator();
        let obj = Checkable::Resource(res.addr.in_module(&h.module).instance(inst.key.clone()));
        let mut ok = true;
        for (i, rule) in res.lifecycle.postconditions.iter().enumerate() {
            let (status, failure) = match crate::eval::eval_condition(&mut ev, rule) {
                Ok(Condition::Fail(msg)) => {
                    self.failed(
                        Diagnostic::error("Resource postcondition failed", msg.clone()).at(rule.condition.range()),
                    );
                    (Status::Fail, Some(msg))
                }
                Ok(c) => (c.status(), None),
                Err(d) if self.applying() => {
                    self.error(d);
                    (Status::Error, None)
                }
                Err(_) => continue,
            };
            ok &= !matches!(status, Status::Fail | Status::Error);
            self.checks.report(&obj, Rule::ResourcePostcondition, i, status, failure);
        }
        ok
    }
}

/// The validate walk: `count`/`for_each` checked, `ignore_changes` checked against the
/// schema, errors evaluating conditions (`self` unknown in postconditions), and the body
/// decoded against the schema and checked by the provider.
pub(super) fn validating(w: &Walk<'_>, addr: &ResourceAddr) -> bool {
    use crate::run::Repetition;
    let path = addr.module_names();
    let Some(res) = w.ctx.config.resource_at(addr) else { return true };
    let (count, for_each) = (res.count.as_ref(), res.for_each.as_ref());
    let repetition = Repetition::of(count, for_each);
    let expansion =
        w.in_module(&path, Repetition::None, None, |ev| crate::run::validate_expansion(count, for_each, ev));
    w.error(expansion.unwrap_or_default());
    let Some(schema) = w.ctx.resource_schema(&res.provider, addr) else { return true };
    if addr.mode == crate::addr::Mode::Managed {
        w.error(crate::plan::ignore::validate_ignore_changes(res, &schema.block));
    }
    let unknown_self = Value::unknown(schema.block.value_type());
    let post = &res.lifecycle.postconditions;
    let post = w.in_module(&path, repetition, Some(&unknown_self), |ev| super::rule_errors(ev, post));
    w.error(post.unwrap_or_default());
    let body = w.in_module(&path, repetition, None, |ev| {
        let mut d = super::rule_errors(ev, &res.lifecycle.preconditions);
        let (config, body) = crate::eval::decode_body(ev, &res.body, &schema.block, &res.range);
        d.extend(body);
        if !d.has_errors()
            && let Some(p) = w.ctx.providers.get(&res.provider)
        {
            d.extend(crate::plan::planner::body_checks(res, &schema.block, p.as_ref(), &config));
        }
        d
    });
    w.error(body.unwrap_or_default());
    true
}
