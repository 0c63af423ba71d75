//! The plan's side of the walk: what it keeps besides the shared [`Walk`] state (the
//! planned changes, drift, imports, adopted objects), and its part of [`Operation`].

use super::{Op, Operation, Walk};
use crate::addr::{InstanceAddr, InstanceKey, Mode, ResourceAddr};
use crate::checks::Checkable;
use crate::plan::planner::PlanOptions;
use crate::plan::{Action, OutputChange, ResourceChange};
use crate::provider::Provider;
use crate::run::Expansion;
use crate::state::State;
use crate::value::Value;
use petgraph::stable_graph::NodeIndex;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Mutex;

pub(crate) struct PlanWalk<'a> {
    pub(crate) w: Walk<'a>,
    /// Objects as refresh decoded them, taken (once) by [`PlanWalk::refreshed_object`]
    /// instead of decoding the state's JSON a second time.
    pub(crate) refreshed_values: Mutex<HashMap<InstanceAddr, Value>>,
    pub(crate) changes: Mutex<Vec<ResourceChange>>,
    pub(crate) drift: Mutex<Vec<ResourceChange>>,
    /// Planned action and values per instance, for `replace_triggered_by` and data sources.
    pub(crate) actions: Mutex<HashMap<InstanceAddr, (Action, Value, Value)>>,
    pub(crate) visited: Mutex<HashSet<ResourceAddr>>,
    /// The instance keys each resource of each module instance expanded to.
    pub(crate) declared: Mutex<HashMap<ResourceAddr, Vec<InstanceKey>>>,
    /// Where recorded objects moved to before planning.
    pub(crate) moved_to: HashSet<InstanceAddr>,
    pub(crate) imports: Mutex<Vec<crate::plan::ImportTarget>>,
    /// Objects found by [`PlanWalk::adopt`].
    pub(crate) adopted: Mutex<BTreeSet<InstanceAddr>>,
    /// Providers whose pending creates were all looked for.
    pub(crate) adopt_done: Mutex<HashSet<String>>,
    pub(crate) narrow: HashSet<ResourceAddr>,
    /// Recorded resources in modules, by configuration block (built on first use).
    pub(crate) recorded_index: std::sync::OnceLock<HashMap<ResourceAddr, Vec<ResourceAddr>>>,
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
        if self.opts().refresh {
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

impl crate::plan::moves::Declared for PlanWalk<'_> {
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
    /// The plan's options.
    pub(crate) fn opts(&self) -> &PlanOptions {
        match &self.op {
            Op::Plan { opts, .. } => opts,
            _ => unreachable!("a plan walk"),
        }
    }

    /// The state as read (after moves): the outputs' values before, and pending creates.
    pub(crate) fn stored(&self) -> &State {
        match &self.op {
            Op::Plan { stored, .. } => stored,
            _ => unreachable!("a plan walk"),
        }
    }

    pub(crate) fn planned_outputs(&self) -> &Mutex<Vec<OutputChange>> {
        match &self.op {
            Op::Plan { outputs, .. } => outputs,
            _ => unreachable!("a plan walk"),
        }
    }

    /// The instances resource `full` expanded to: for `moved` validation and check results.
    pub(crate) fn declare_instances(&self, full: &ResourceAddr, expansion: &Expansion) {
        let instances = expansion.instances();
        for inst in &instances {
            self.checks.add_object(&Checkable::Resource(full.instance(inst.key.clone())));
        }
        let keys = instances.into_iter().map(|i| i.key).collect();
        self.declared.lock().expect("declared lock").insert(full.clone(), keys);
    }

    pub(crate) fn record(&self, c: ResourceChange) {
        self.actions
            .lock()
            .expect("actions lock")
            .insert(c.addr.clone(), (c.action, c.before.clone(), c.after.clone()));
        self.changes.lock().expect("changes lock").push(c);
    }

    /// Whether an instance is within the -target scope.
    pub(crate) fn in_scope(&self, inst: &InstanceAddr) -> bool {
        self.narrow.is_empty()
            || !self.narrow.contains(&inst.resource.static_addr())
            || self.opts().targets.iter().any(|t| t.contains(inst))
    }

    /// The recorded resources of a configuration block, in every module instance.
    pub(crate) fn recorded(&self, addr: &ResourceAddr) -> Vec<ResourceAddr> {
        let state = self.state.lock().expect("state lock");
        if addr.module.is_empty() {
            // A root resource has one recorded address: its own.
            return state.resources.contains_key(addr).then(|| addr.clone()).into_iter().collect();
        }
        let index = self.recorded_index.get_or_init(|| crate::state::index_by_block(&state));
        index.get(addr).cloned().unwrap_or_default()
    }

    pub(crate) fn existing_keys(&self, full: &ResourceAddr) -> Vec<InstanceKey> {
        let state = self.state.lock().expect("state lock");
        state
            .resource(full)
            .map(|r| r.instances.iter().filter(|(_, i)| i.current.is_some()).map(|(k, _)| k.clone()).collect())
            .unwrap_or_default()
    }
}
