//! Refresh (plan only): every recorded object read again, one batched call per resource type
//! as soon as its provider is configured; drift is recorded apart from the changes.

use super::plan::PlanWalk;
use crate::addr::{InstanceKey, Mode, ResourceAddr};
use crate::diag::Diagnostic;
use crate::hooks::id_of;
use crate::plan::diff::same;
use crate::plan::planner::keep_marks;
use crate::plan::{Action, ResourceChange};
use crate::provider::Provider;
use crate::schema::ResourceSchema;
use crate::state::{ObjectState, ObjectStatus, object_from_value, value_from_object};
use crate::value::Value;
use std::collections::BTreeMap;

impl PlanWalk<'_> {
    /// Refreshes every recorded object of this provider, one batched call per resource type.
    pub(crate) async fn refresh(&self, key: &str, p: &dyn Provider) -> bool {
        let mut groups: BTreeMap<String, Vec<(ResourceAddr, InstanceKey, Value)>> = BTreeMap::new();
        {
            let state = self.state.lock().expect("state lock");
            for (addr, k, obj) in state.instances() {
                if addr.mode != Mode::Managed || self.ctx.provider_key_of(addr, &state) != key {
                    continue;
                }
                if !self.opts().targets.is_empty()
                    && !self.opts().targets.iter().any(|t| t.contains(&addr.instance(k.clone())))
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

    pub(crate) fn record_refresh(
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
                self.set_object(addr, k, &provider_address, None);
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
    pub(crate) fn refreshed_object(
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

    /// The provider's private data recorded with an object of the refreshed state.
    pub(crate) fn refreshed_private(&self, addr: &ResourceAddr, k: &InstanceKey) -> Option<Vec<u8>> {
        let state = self.state.lock().expect("state lock");
        state.object(addr, k)?.private_bytes()
    }
}
