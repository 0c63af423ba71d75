//! Deleting: the plan's deletes (objects no longer configured, deposed objects, `removed`
//! blocks, outputs removed) and the apply's delete of each.

use super::apply::ApplyWalk;
use super::plan::PlanWalk;
use super::resource::{deletion_protected, prevent_destroy_error};
use crate::addr::{InstanceAddr, InstanceKey, Mode, ResourceAddr, Target};
use crate::config::Resource;
use crate::diag::Diagnostic;
use crate::plan::{Action, OutputChange, PlanMode, Reason, ResourceChange};
use crate::schema::ResourceSchema;
use crate::state::value_from_object;
use crate::value::Value;
use crate::walk::output_value;

impl PlanWalk<'_> {
    pub(crate) fn plan_delete(
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
    pub(crate) fn plan_deposed(&self, addr: &ResourceAddr, key: &str, schema: &ResourceSchema, provider_address: &str) {
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

    /// Deletes for resources that are in state but no longer in the configuration, and for
    /// outputs that were removed.
    pub(crate) fn plan_orphans(&self) {
        let visited = self.visited.lock().expect("visited lock").clone();
        let orphans: Vec<Orphan> = {
            let state = self.state.lock().expect("state lock");
            let mut out = Vec::new();
            for (addr, rs) in &state.resources {
                if self.ctx.config.resource_at(addr).is_some() || visited.contains(addr) {
                    continue;
                }
                if !self.opts().targets.is_empty() && !self.opts().targets.iter().any(|t| t.contains_resource(addr)) {
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
        if self.opts().targets.is_empty() && self.opts().mode != PlanMode::RefreshOnly {
            for (name, o) in &self.stored().outputs {
                if !self.ctx.config.outputs.contains_key(name) || self.opts().mode == PlanMode::Destroy {
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

impl ApplyWalk<'_> {
    pub(crate) async fn destroy_object(&self, inst: &InstanceAddr, deposed: Option<&str>) -> bool {
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

/// An instance in state without configuration: address, key, provider key, current object
/// (null when only deposed objects are left) and deposed objects.
type Orphan = (ResourceAddr, InstanceKey, String, Value, Vec<(String, Value)>);

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
