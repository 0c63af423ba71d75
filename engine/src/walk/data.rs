//! Data sources: read at plan time when their configuration is known and nothing they
//! depend on changes, else planned as a read the apply makes.

use super::Walk;
use super::apply::ApplyWalk;
use super::plan::PlanWalk;
use super::resource::Block;
use crate::addr::{InstanceKey, ResourceAddr};
use crate::checks::{Checkable, Rule};
use crate::config::Resource;
use crate::eval::decode_body;
use crate::graph::Node;
use crate::plan::planner::keep_marks;
use crate::plan::{Action, PlanMode, Reason, ResourceChange};
use crate::provider::{Provider, ProviderError};
use crate::run::{Here, InstanceCtx};
use crate::schema::ResourceSchema;
use crate::state::ObjectState;
use crate::value::Value;
use std::collections::HashSet;

impl PlanWalk<'_> {
    pub(crate) async fn data(&self, addr: &ResourceAddr) -> bool {
        let Some(res) = self.ctx.config.resource_at(addr) else { return false };
        let Some(schema) = self.ctx.resource_schema(&res.provider, addr) else { return false };
        let Some(provider) = self.provider_instance(&res.provider) else { return false };
        self.visited.lock().expect("visited lock").extend(self.recorded(addr));
        if self.opts().mode == PlanMode::Destroy {
            return true;
        }
        let provider_address = self.ctx.provider_address(&res.provider);
        let pending = self.dependency_pending(addr);
        self.checks.objects_known(&Checkable::Resource(addr.instance(InstanceKey::None)));
        let mut ok = true;
        for h in self.instances_of(&addr.module_names()) {
            let full = addr.in_module(&h.module);
            let Some(expansion) = self.expand_resource(&h, res) else {
                ok = false;
                continue;
            };
            self.declare_instances(&full, &expansion);
            let b = Block {
                h: &h,
                res,
                full: &full,
                schema,
                provider: provider.as_ref(),
                provider_address: &provider_address,
            };
            let b = &b;
            ok &= self
                .each_instance(&h, res, &expansion, async |inst| self.read_data_instance(b, inst, pending).await)
                .await;
        }
        ok
    }

    /// Whether a managed resource this node depends on has a pending change.
    pub(crate) fn dependency_pending(&self, addr: &ResourceAddr) -> bool {
        let Some(i) = self.graph.get(&Node::Resource(addr.clone())) else { return false };
        let deps: HashSet<ResourceAddr> = self.graph.resource_dependencies(i).into_iter().collect();
        let actions = self.actions.lock().expect("actions lock");
        actions.iter().any(|(a, (action, _, _))| {
            deps.contains(&a.resource.static_addr()) && *action != Action::NoOp && *action != Action::Read
        })
    }

    pub(crate) async fn read_data_instance(
        &self,
        b: &Block<'_, '_>,
        inst: &InstanceCtx,
        pending: bool,
    ) -> Option<Value> {
        let Block { h, res, full, schema, provider, provider_address } = *b;
        let addr = full.instance(inst.key.clone());
        let config = self.data_config(h, res, inst, schema, provider)?;
        let known = config.is_wholly_known();
        if !known || pending {
            let planned = crate::plan::diff::generic_plan(&schema.block, None, &config).planned;
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
        if self.opts().data_from_state
            && let Some((v, _)) = self.refreshed_object(full, &inst.key, schema)
        {
            let v = keep_marks(&config, v);
            return self.postconditions(h, res, inst, &v).then_some(v);
        }
        self.hooks.reading(&addr);
        let start = std::time::Instant::now();
        let result = {
            let _permit = self.permits.acquire().await?;
            provider.read_data(&res.addr.type_name, config.clone()).await
        };
        if let Ok(v) = &result {
            // As Terraform's plan: "Read complete after 0s [id=aws]".
            let id = crate::hooks::id_of(v);
            self.hooks.apply_done(&addr, None, Action::Read, start.elapsed(), id.as_deref());
        }
        let v = self.data_read(res, full, &inst.key, schema, &config, result)?;
        self.postconditions(h, res, inst, &v).then_some(v)
    }
}

impl ApplyWalk<'_> {
    pub(crate) async fn read_data(&self, b: &Block<'_, '_>, inst: &InstanceCtx) -> Option<Value> {
        let Block { h, res, full, schema, provider, .. } = *b;
        let _permit = self.permits.acquire().await?;
        let config = self.data_config(h, res, inst, schema, provider)?;
        let addr = full.instance(inst.key.clone());
        self.hooks.reading(&addr);
        let (result, _) =
            self.operate(&addr, None, Action::Read, provider.read_data(&res.addr.type_name, config.clone())).await;
        self.data_read(res, full, &inst.key, schema, &config, result)
    }
}

impl Walk<'_> {
    /// The data source instance's configuration, decoded in its scope and checked (required
    /// arguments, the provider's own validation), once its preconditions hold (Terraform
    /// checks them before it reads); `None` on an error or a failed precondition (reported).
    fn data_config(
        &self,
        h: &Here<'_>,
        res: &Resource,
        inst: &InstanceCtx,
        schema: &ResourceSchema,
        provider: &dyn Provider,
    ) -> Option<Value> {
        let scope = self.scope(h, Some(inst), None);
        let mut ev = scope.evaluator();
        let (config, diags) = decode_body(&mut ev, &res.body, &schema.block, &res.range);
        if !self.errors(diags) {
            return None;
        }
        if !self.errors(crate::plan::planner::body_checks(res, &schema.block, provider, &config)) {
            return None;
        }
        let addr = res.addr.in_module(&h.module).instance(inst.key.clone());
        self.preconditions(&mut ev, res, &addr).then_some(config)
    }

    /// A resource or data source instance's preconditions, evaluated in its scope (`ev`) and
    /// recorded; false when one failed or could not be evaluated (reported).
    pub(crate) fn preconditions(
        &self,
        ev: &mut crate::eval::Evaluator<'_>,
        res: &Resource,
        addr: &crate::addr::InstanceAddr,
    ) -> bool {
        crate::checks::enforce(
            &self.checks,
            ev,
            &Checkable::Resource(addr.clone()),
            Rule::ResourcePrecondition,
            &res.lifecycle.preconditions,
            |d| self.error(d),
            |d| self.failed(d),
        )
    }

    /// What a read returned, recorded in the state (the marks of the configuration kept);
    /// `None` when it failed (reported).
    fn data_read(
        &self,
        res: &Resource,
        full: &ResourceAddr,
        key: &InstanceKey,
        schema: &ResourceSchema,
        config: &Value,
        result: Result<Value, ProviderError>,
    ) -> Option<Value> {
        match result {
            Ok(v) => {
                let v = keep_marks(config, schema.fit(v));
                let provider_address = self.ctx.provider_address(&res.provider);
                self.set_object(full, key, &provider_address, Some(ObjectState::plain(&v, schema)));
                Some(v)
            }
            Err(e) => {
                let addr = full.instance(key.clone());
                self.error(self.provider_error("Error reading", &addr, res, e));
                None
            }
        }
    }
}
