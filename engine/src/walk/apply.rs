//! The apply's side of the walk: the changes it applies, the recorder every result goes to,
//! the counts, and its part of [`Operation`].

use super::{Operation, Walk};
use crate::addr::{InstanceAddr, ResourceAddr};
use crate::apply::{ApplyOptions, Counts, Recorder};
use crate::eval::Subject;
use crate::plan::Plan;
use crate::plan::{Action, PlanMode, ResourceChange};
use crate::provider::{Provider, ProviderError};
use crate::run::resource_value_from_state;
use crate::schema::ResourceSchema;
use petgraph::stable_graph::NodeIndex;
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub(crate) struct ApplyWalk<'a> {
    pub(crate) w: Walk<'a>,
    pub(crate) plan: &'a Plan,
    pub(crate) changes: HashMap<(InstanceAddr, Option<String>), &'a ResourceChange>,
    /// The idempotency token of each create (see [`crate::state::PendingCreate`]).
    pub(crate) tokens: HashMap<InstanceAddr, String>,
    pub(crate) recorder: &'a Recorder,
    pub(crate) counts: Mutex<Counts>,
    /// Objects deposed by this apply's create-before-destroy replacements.
    pub(crate) deposed_now: Mutex<HashMap<InstanceAddr, String>>,
    pub(crate) in_flight: Mutex<HashSet<String>>,
    /// The instances whose create was started (its token handed to the provider).
    pub(crate) started: Mutex<HashSet<InstanceAddr>>,
    /// Objects created with a token, by provider configuration and type, for
    /// [`Provider::creates_recorded`].
    pub(crate) created: Mutex<Vec<(String, String, crate::value::Value)>>,
    pub(crate) opts: &'a ApplyOptions,
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
    pub(crate) fn remove_stale_outputs(&self) {
        let keep: HashSet<&String> = self.ctx.config.outputs.keys().collect();
        let destroy = self.plan.mode == PlanMode::Destroy;
        self.recorder.update(|s| s.outputs.retain(|k, _| !destroy && keep.contains(k)));
    }

    pub(crate) fn schema_of(&self, res_provider: &str, addr: &ResourceAddr) -> Option<&ResourceSchema> {
        self.ctx.resource_schema(res_provider, addr)
    }

    /// Runs a provider operation with progress reports and in-flight tracking. The caller
    /// holds a permit.
    pub(crate) async fn operate<T>(
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
}
