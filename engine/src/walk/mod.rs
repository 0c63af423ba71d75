//! The one walker. Validate, plan and apply walk their graphs with [`visit`]: one walk-state
//! object ([`Walk`]), and one module per node kind holding what that kind of node does in each
//! operation, side by side (`variable`, `local`, `output`, `module_call`, `check`,
//! `provider`, `resource`). What only an operation has (the plan's refresh and diff of
//! resources, the apply's provider calls and state records) is behind [`Operation`].
//!
//! Validation ([`crate::validate`]) is Terraform's validate walk: every block once per static
//! module, with stand-ins for what only a plan knows ([`crate::run::Repetition`]), and every
//! node visited whatever fails, so that every error is reported at once.

mod adopt;
mod apply;
mod check;
mod data;
mod destroy;
mod local;
mod module_call;
mod output;
mod plan;
mod provider;
mod refresh;
mod resource;
mod validate;
mod variable;

pub(crate) use apply::ApplyWalk;
pub(crate) use output::{output_type, output_value};
pub(crate) use plan::PlanWalk;
pub(crate) use validate::ValidateWalk;

use crate::addr::{InstanceAddr, InstanceKey, ModuleStep, ResourceAddr};
use crate::apply::Recorder;
use crate::checks::{CheckState, Checkable};
use crate::context::Context;
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::{Graph, Node, Permits};
use crate::hooks::Hooks;
use crate::plan::planner::PlanOptions;
use crate::plan::{OutputChange, Plan, PlanMode};
use crate::provider::Provider;
use crate::run::{Here, InstanceCtx, RunScope, Values};
use crate::state::{ObjectState, State};
use crate::value::Value;
use petgraph::stable_graph::NodeIndex;
use std::sync::{Arc, Mutex};

/// The operation a walk performs, with what only it has.
pub(crate) enum Op<'a> {
    Plan {
        opts: &'a PlanOptions,
        /// The state as read (after moves): the outputs' values before.
        stored: &'a State,
        outputs: Mutex<Vec<OutputChange>>,
    },
    Apply {
        plan: &'a Plan,
        recorder: &'a Recorder,
    },
    /// Terraform's validate walk: no state, no variable values, no provider calls but the
    /// providers' own checks of a configuration.
    Validate,
}

/// What every walk has: the configuration, the graph, the values evaluated so far, the state
/// references fall back to, the diagnostics, the results of conditions, and the permits
/// every provider call takes (none once interrupted).
pub(crate) struct Walk<'a> {
    pub ctx: &'a Context,
    pub graph: &'a Graph,
    pub op: Op<'a>,
    /// Normal, destroy or refresh-only: of the plan, or of the plan being applied.
    pub mode: PlanMode,
    /// The plan's refreshed state; the apply's state as it is recorded.
    pub state: &'a Mutex<State>,
    pub values: Values,
    pub checks: CheckState,
    pub permits: Permits,
    pub hooks: &'a dyn Hooks,
    pub diags: Mutex<Diagnostics>,
    /// Conditions that do not hold, kept apart from other errors while planning: Terraform
    /// evaluates none when validation fails first. An apply reports them as errors.
    pub failed: Mutex<Diagnostics>,
}

/// The node kinds whose behaviour is an operation's own.
pub(crate) trait Operation {
    fn walk(&self) -> &Walk<'_>;
    /// After provider `key` is configured (the plan refreshes its objects).
    async fn provider_ready(&self, key: &str, p: &dyn Provider) -> bool;
    async fn resource(&self, addr: &ResourceAddr, node: NodeIndex) -> bool;
    async fn destroy(&self, inst: &InstanceAddr, deposed: Option<&str>) -> bool;
}

/// Visits node `i`: what the walk does there, in the operation `op` performs.
pub(crate) async fn visit<O: Operation>(op: &O, i: NodeIndex) -> bool {
    let w = op.walk();
    let ok = match w.graph.node(i) {
        Node::Variable(p, n) => variable::visit(w, p, n),
        Node::Local(p, n) => local::visit(w, p, n),
        Node::Output(p, n) => output::visit(w, p, n),
        Node::Module(p) => module_call::visit(w, p),
        Node::Check(p, n) => check::visit(w, p, n),
        Node::Provider(k) if w.validating() => provider::validating(w, k),
        Node::Provider(k) => match provider::visit(w, k).await {
            Some(p) => op.provider_ready(k, p.as_ref()).await,
            None => false,
        },
        Node::Resource(addr) => op.resource(addr, i).await,
        Node::Destroy(inst, deposed) => op.destroy(inst, deposed.as_deref()).await,
    };
    // The validate walk visits every node whatever fails before it, to report every error at
    // once (what failed is unknown to what refers to it).
    ok || w.validating()
}

impl<'a> Walk<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        ctx: &'a Context,
        graph: &'a Graph,
        op: Op<'a>,
        mode: PlanMode,
        state: &'a Mutex<State>,
        checks: CheckState,
        permits: Permits,
        hooks: &'a dyn Hooks,
    ) -> Walk<'a> {
        Walk {
            ctx,
            graph,
            op,
            mode,
            state,
            values: Values::default(),
            checks,
            permits,
            hooks,
            diags: Mutex::new(Diagnostics::new()),
            failed: Mutex::new(Diagnostics::new()),
        }
    }

    pub fn applying(&self) -> bool {
        matches!(self.op, Op::Apply { .. })
    }

    pub fn validating(&self) -> bool {
        matches!(self.op, Op::Validate)
    }

    pub fn destroying(&self) -> bool {
        self.mode == PlanMode::Destroy
    }

    pub fn error(&self, d: impl Into<Diagnostics>) {
        let d = d.into();
        if !d.is_empty() {
            self.diags.lock().expect("diags lock").extend(d);
        }
    }

    /// Reports `d`; false when it holds an error.
    pub fn errors(&self, d: Diagnostics) -> bool {
        let bad = d.has_errors();
        self.error(d);
        !bad
    }

    /// A provider's error about a resource or data source instance as a diagnostic: the
    /// provider's own summary, else `"{what} {addr}"` ("Error reading data.x.y"); at the
    /// argument it names when the configuration sets it, else at the block.
    pub fn provider_error(
        &self,
        what: &str,
        addr: &InstanceAddr,
        res: &crate::config::Resource,
        e: crate::provider::ProviderError,
    ) -> Diagnostic {
        let range = e.attribute.as_deref().map_or_else(|| res.range.clone(), |name| res.argument_range(name));
        let summary = e.summary.unwrap_or_else(|| format!("{what} {addr}"));
        Diagnostic::error(summary, e.message).at(range)
    }

    /// A condition that does not hold (a failed precondition, postcondition, validation rule
    /// or check assertion): a plan reports it unless validation fails; an apply reports it.
    pub fn failed(&self, d: Diagnostic) {
        match self.op {
            Op::Plan { .. } => self.failed.lock().expect("conditions lock").push(d),
            Op::Apply { .. } | Op::Validate => self.error(d),
        }
    }

    pub fn scope<'s>(
        &'s self,
        here: &'s Here<'s>,
        inst: Option<&'s InstanceCtx>,
        self_value: Option<&'s Value>,
    ) -> RunScope<'s> {
        let scope = RunScope::new(self.ctx, here, &self.values, self.state, inst, self_value);
        if self.validating() { scope.with_stand_ins(crate::run::Repetition::None) } else { scope }
    }

    /// Evaluates with `f` in static module `path`, as the validate walk does: with the
    /// stand-ins of a block of `repetition`, and `self` when given.
    pub fn in_module<T>(
        &self,
        path: &[String],
        repetition: crate::run::Repetition,
        self_value: Option<&Value>,
        f: impl FnOnce(&mut crate::eval::Evaluator<'_>) -> T,
    ) -> Option<T> {
        let config = self.ctx.config.module(path)?;
        let here = Here { module: crate::checks::unkeyed(path), config };
        let scope =
            RunScope::new(self.ctx, &here, &self.values, self.state, None, self_value).with_stand_ins(repetition);
        Some(f(&mut scope.evaluator()))
    }

    pub fn root(&self) -> Here<'_> {
        Here::root(&self.ctx.config)
    }

    /// Every instance of the module at static path `path` (validating: the module itself).
    pub fn instances_of(&self, path: &[String]) -> Vec<Here<'_>> {
        if self.validating() {
            let config = self.ctx.config.module(path);
            return config.map(|config| Here { module: crate::checks::unkeyed(path), config }).into_iter().collect();
        }
        Here::instances(&self.ctx.config, &self.values, path)
    }

    /// Runs `f` in every instance of module `path` (all of them, whatever fails); true when
    /// every one succeeded.
    pub fn in_each_instance(&self, path: &[String], f: impl FnMut(&Here<'_>) -> bool) -> bool {
        self.instances_of(path).iter().map(f).fold(true, |all, ok| all & ok)
    }

    /// The instances of a checkable block of module `path` are those of the module.
    pub fn checkable_instances(&self, path: &[String], make: impl Fn(Vec<ModuleStep>) -> Checkable) {
        let config = make(crate::checks::unkeyed(path));
        if !self.checks.has(&config) {
            return;
        }
        self.checks.objects_known(&config);
        for m in self.values.module_instances(path) {
            self.checks.add_object(&make(m));
        }
    }

    /// Records `obj` (or its absence) in the state: the plan's refreshed state, or through
    /// the apply's recorder (which checkpoints it).
    pub fn set_object(&self, addr: &ResourceAddr, key: &InstanceKey, provider_address: &str, obj: Option<ObjectState>) {
        match &self.op {
            Op::Plan { .. } | Op::Validate => {
                self.state.lock().expect("state lock").set_object(addr, key, provider_address, obj)
            }
            Op::Apply { recorder, .. } => recorder.update(|s| s.set_object(addr, key, provider_address, obj)),
        }
    }

    pub fn provider_instance(&self, key: &str) -> Option<Arc<dyn Provider>> {
        self.ctx.providers.get(key).cloned()
    }
}

/// Errors evaluating conditions and their messages, as Terraform's validate walk has them
/// (`validateCheckRules`: the value is not looked at, not even for its type); whether they
/// hold, and are bools, is the plan's business.
pub(crate) fn rule_errors(ev: &mut crate::eval::Evaluator<'_>, rules: &[crate::config::CheckRule]) -> Diagnostics {
    let mut d = Diagnostics::new();
    for r in rules {
        for e in [&r.condition, &r.error_message] {
            if let Err(e) = ev.eval(e) {
                d.extend(e);
            }
        }
    }
    d
}

/// Runs `walk`; when the walk is interrupted, every provider of the run is asked to stop
/// what it is doing ([`Provider::stop`]), as Terraform stops its providers.
pub(crate) async fn stopping_providers<F: std::future::Future>(
    ctx: &Context,
    control: &crate::graph::WalkControl,
    walk: F,
) -> F::Output {
    tokio::pin!(walk);
    let stopper = async {
        control.cancel.cancelled().await;
        futures::future::join_all(ctx.providers.values().map(|p| p.stop())).await;
    };
    tokio::pin!(stopper);
    let mut stopped = false;
    loop {
        tokio::select! {
            out = &mut walk => return out,
            () = &mut stopper, if !stopped => stopped = true,
        }
    }
}
