//! Terraform's validate walk: the configuration checked without state, variable values or
//! provider APIs. Every block is evaluated once per static module (not per instance), in
//! dependency order, with Terraform's stand-ins for what is not known yet
//! (`evaluationStateData` in `walkValidate`):
//!
//! - input variables: unknown values of their type (marked when sensitive), a module's
//!   arguments being checked against them;
//! - resources and data sources: unknown (`cty.DynamicVal`);
//! - module calls: an unknown object of their outputs (a list or map of them with
//!   `count`/`for_each`);
//! - `count.index`, `each.key`, `each.value`: unknown where `count`/`for_each` is set.
//!
//! What is known must be valid: `count` and `for_each` values, module arguments against
//! their variables, resource bodies against their schemas (and the provider's own checks),
//! `ignore_changes`, conditions that evaluate to something other than a bool, outputs that
//! expose sensitive values. Conditions are not enforced here (their values are rarely
//! known); the plan does that.

use crate::addr::Mode;
use crate::checks::unkeyed;
use crate::config::CheckRule;
use crate::context::Context;
use crate::diag::{Diagnostic, Diagnostics, SourceRange};
use crate::eval::{Evaluator, Scope, Subject, decode_body};
use crate::graph::{Graph, Node};
use crate::run::{Here, RunScope, Values};
use crate::state::State;
use crate::value::{Type, Value};
use petgraph::stable_graph::NodeIndex;
use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

/// Validates the configuration as `terraform validate` does; also what `plan` runs when
/// planning failed, to tell errors that give no plan at all from those of a partial plan.
pub fn validate(ctx: &Context) -> Diagnostics {
    let (graph, mut diags) = ctx.graph(&State::new());
    // References to undeclared objects are reported by the graph and read as unknown: the
    // walk still evaluates everything else, so that every error is reported at once.
    if diags.iter().filter(|d| d.is_error()).count() > graph.unresolved {
        return diags;
    }
    let mut w =
        ValidateWalk { ctx, values: Values::default(), state: Mutex::new(State::new()), diags: Diagnostics::new() };
    for i in order(&graph) {
        w.visit(graph.node(i));
    }
    diags.extend(w.diags);
    diags.extend(crate::plan::planner::invalid_import_ids(ctx));
    diags
}

/// The nodes in an order where each comes after what it depends on (Kahn's algorithm;
/// cycles are reported by the graph builder, and their nodes come last).
fn order(g: &Graph) -> Vec<NodeIndex> {
    let mut waiting: HashMap<NodeIndex, usize> = g.nodes().map(|(i, _)| (i, g.dependencies(i).count())).collect();
    let mut ready: Vec<NodeIndex> = waiting.iter().filter(|(_, n)| **n == 0).map(|(i, _)| *i).collect();
    ready.sort();
    let mut out = Vec::with_capacity(waiting.len());
    while let Some(i) = ready.pop() {
        out.push(i);
        let mut next: Vec<NodeIndex> = Vec::new();
        for d in g.dependents(i) {
            if let Some(n) = waiting.get_mut(&d) {
                *n -= 1;
                if *n == 0 {
                    next.push(d);
                }
            }
        }
        next.sort();
        ready.extend(next.into_iter().rev());
    }
    // What is left waits on a cycle.
    let mut rest: Vec<NodeIndex> = waiting.into_iter().filter(|(_, n)| *n > 0).map(|(i, _)| i).collect();
    rest.sort();
    out.extend(rest);
    out
}

/// What `count.index` and `each` are in a block with `count` or `for_each`: unknown.
#[derive(Clone, Copy, PartialEq)]
enum Repetition {
    None,
    Count,
    ForEach,
}

impl Repetition {
    fn of(count: Option<&crate::config::Expr>, for_each: Option<&crate::config::Expr>) -> Repetition {
        match (count, for_each) {
            (Some(_), _) => Repetition::Count,
            (None, Some(_)) => Repetition::ForEach,
            (None, None) => Repetition::None,
        }
    }
}

/// A module's scope with resources, `count.index` and `each` unknown (the walk's
/// [`RunScope`] resolves everything else).
struct StubScope<'a> {
    run: RunScope<'a>,
    repetition: Repetition,
}

impl Scope for StubScope<'_> {
    fn resolve(&self, subject: &Subject, range: &SourceRange) -> Result<Value, Diagnostic> {
        match (subject, self.repetition) {
            (Subject::CountIndex, Repetition::Count) => Ok(Value::unknown(Type::Number)),
            (Subject::EachKey, Repetition::ForEach) => Ok(Value::unknown(Type::String)),
            (Subject::EachValue, Repetition::ForEach) => Ok(Value::DYNAMIC),
            // Terraform's validate walk: a resource's value is not known (cty.DynamicVal).
            (Subject::Resource(_), _) => Ok(Value::DYNAMIC),
            _ => self.run.resolve(subject, range),
        }
    }

    fn provider_function(&self, name: &str) -> Option<std::sync::Arc<dyn crate::lang::eval::ExternalFunction>> {
        self.run.provider_function(name)
    }
}

struct ValidateWalk<'a> {
    ctx: &'a Context,
    values: Values,
    state: Mutex<State>,
    diags: Diagnostics,
}

impl ValidateWalk<'_> {
    fn visit(&mut self, node: &Node) {
        match node {
            Node::Variable(p, n) => self.variable(p, n),
            Node::Local(p, n) => self.local(p, n),
            Node::Output(p, n) => self.output(p, n),
            Node::Module(p) => self.module_call(p),
            Node::Check(p, n) => self.check(p, n),
            Node::Provider(k) => self.provider(k),
            Node::Resource(addr) => self.resource(addr),
            Node::Destroy(..) => {}
        }
    }

    /// Evaluates in module `path` (unkeyed), with `repetition`'s stand-ins and `self`.
    fn eval_in<T>(
        &self,
        path: &[String],
        repetition: Repetition,
        self_value: Option<&Value>,
        f: impl FnOnce(&mut Evaluator<'_>) -> T,
    ) -> Option<T> {
        let config = self.ctx.config.module(path)?;
        let here = Here { module: unkeyed(path), config };
        let run = RunScope::new(self.ctx, &here, &self.values, &self.state, None, self_value);
        let scope = StubScope { run, repetition };
        let mut ev = Evaluator::new(&scope, &config.dir);
        Some(f(&mut ev))
    }

    fn set(&self, path: &[String], subject: Subject, v: Value) {
        self.values.set(&unkeyed(path), subject, v);
    }

    fn variable(&mut self, path: &[String], name: &str) {
        let Some(config) = self.ctx.config.module(path) else { return };
        let Some(decl) = config.variables.get(name) else { return };
        // A module's argument is checked against its variable, but as everywhere in
        // Terraform's validate walk, a variable's value is unknown, of its type.
        if let Some((call_name, parent)) = path.split_last() {
            self.check_module_argument(parent, call_name, decl);
        }
        self.set(path, Subject::Var(name.to_string()), Value::unknown(decl.ty.clone()).mark_if(decl.sensitive));
        let rules = &decl.validations;
        let d = self.eval_in(path, Repetition::None, None, |ev| rule_errors(ev, rules)).unwrap_or_default();
        self.diags.extend(d);
    }

    /// A module call's argument for a variable, evaluated in the caller and converted.
    fn check_module_argument(&mut self, parent: &[String], call_name: &str, decl: &crate::config::Variable) {
        let Some(call) = self.ctx.config.module(parent).and_then(|c| c.module_calls.get(call_name)) else { return };
        let Some(e) = call.args.get(&decl.name) else { return };
        let repetition = Repetition::of(call.count.as_ref(), call.for_each.as_ref());
        match self.eval_in(parent, repetition, None, |ev| ev.eval(e)) {
            Some(Ok(v)) => {
                let mut addr: Vec<String> = parent.iter().map(|p| format!("module.{p}")).collect();
                addr.push(format!("module.{call_name}.var.{}", decl.name));
                let (_, d) = crate::variables::convert_module_input(
                    &addr.join("."),
                    decl,
                    Some(v),
                    Some(&e.range()),
                    &self.ctx.config.sources,
                );
                self.diags.extend(d);
            }
            Some(Err(d)) => self.diags.extend(d),
            None => {}
        }
    }

    fn local(&mut self, path: &[String], name: &str) {
        let Some(l) = self.ctx.config.module(path).and_then(|c| c.locals.get(name)) else { return };
        let v = match self.eval_in(path, Repetition::None, None, |ev| ev.eval(&l.expr)) {
            Some(Ok(v)) => v,
            Some(Err(d)) => {
                self.diags.extend(d);
                Value::DYNAMIC
            }
            None => Value::DYNAMIC,
        };
        self.set(path, Subject::Local(name.to_string()), v);
    }

    fn output(&mut self, path: &[String], name: &str) {
        let Some(o) = self.ctx.config.module(path).and_then(|c| c.outputs.get(name)) else { return };
        let rules = &o.preconditions;
        let result = self.eval_in(path, Repetition::None, None, |ev| (rule_errors(ev, rules), ev.eval(&o.value)));
        let Some((rule_diags, value)) = result else { return };
        self.diags.extend(rule_diags);
        let v = match value {
            Ok(v) => v,
            Err(d) => {
                self.diags.extend(d);
                Value::DYNAMIC
            }
        };
        if path.is_empty() && v.contains_sensitive() && !o.sensitive {
            self.diags.push(crate::walk::sensitive_output_error(o));
        }
        self.values.set_output(&unkeyed(path), name, v.mark_if(o.sensitive));
    }

    /// A module call: `count`/`for_each` checked, and `module.NAME` an unknown object of the
    /// child's outputs (a list of them for `count`, a map for `for_each`).
    fn module_call(&mut self, path: &[String]) {
        let Some((name, parent)) = path.split_last() else { return };
        let Some(config) = self.ctx.config.module(parent) else { return };
        let Some(call) = config.module_calls.get(name) else { return };
        let d = self
            .eval_in(parent, Repetition::None, None, |ev| {
                crate::run::validate_expansion(call.count.as_ref(), call.for_each.as_ref(), ev)
            })
            .unwrap_or_default();
        self.diags.extend(d);
        let outputs: BTreeMap<String, Type> = config
            .children
            .get(name)
            .map(|c| c.outputs.keys().map(|o| (o.clone(), Type::Dynamic)).collect())
            .unwrap_or_default();
        let inst = Type::object(outputs);
        let ty = match Repetition::of(call.count.as_ref(), call.for_each.as_ref()) {
            Repetition::Count => Type::list(inst),
            Repetition::ForEach => Type::map(inst),
            Repetition::None => inst,
        };
        self.set(parent, Subject::Module(name.clone()), Value::unknown(ty));
    }

    /// A check block's assertions: evaluation errors only (they are enforced by the plan).
    fn check(&mut self, path: &[String], name: &str) {
        let Some(c) = self.ctx.config.module(path).and_then(|m| m.checks.iter().find(|c| c.name == name)) else {
            return;
        };
        let d = self.eval_in(path, Repetition::None, None, |ev| rule_errors(ev, &c.asserts)).unwrap_or_default();
        self.diags.extend(d);
    }

    fn provider(&mut self, key: &str) {
        let Some(p) = self.ctx.config.providers.get(key) else { return };
        let Some(schema) = self.ctx.provider_schema(key) else { return };
        let d = self
            .eval_in(&[], Repetition::None, None, |ev| decode_body(ev, &p.body, &schema.provider, &p.range).1)
            .unwrap_or_default();
        self.diags.extend(d);
    }

    fn resource(&mut self, addr: &crate::addr::ResourceAddr) {
        let path = addr.module_names();
        let Some(res) = self.ctx.config.resource_at(addr) else { return };
        let repetition = Repetition::of(res.count.as_ref(), res.for_each.as_ref());
        let d = self
            .eval_in(&path, Repetition::None, None, |ev| {
                crate::run::validate_expansion(res.count.as_ref(), res.for_each.as_ref(), ev)
            })
            .unwrap_or_default();
        self.diags.extend(d);
        let Some(schema) = self.ctx.resource_schema(&res.provider, addr) else { return };
        if addr.mode == Mode::Managed {
            self.diags.extend(crate::plan::ignore::validate_ignore_changes(res, &schema.block));
        }
        let unknown_self = Value::unknown(schema.block.value_type());
        let post = self
            .eval_in(&path, repetition, Some(&unknown_self), |ev| rule_errors(ev, &res.lifecycle.postconditions))
            .unwrap_or_default();
        self.diags.extend(post);
        let d = self
            .eval_in(&path, repetition, None, |ev| {
                let mut d = rule_errors(ev, &res.lifecycle.preconditions);
                let (config, body) = decode_body(ev, &res.body, &schema.block, &res.range);
                d.extend(body);
                if !d.has_errors()
                    && let Some(p) = self.ctx.providers.get(&res.provider)
                {
                    d.extend(crate::plan::planner::body_checks(res, &schema.block, p.as_ref(), &config));
                }
                d
            })
            .unwrap_or_default();
        self.diags.extend(d);
    }
}

/// Errors evaluating conditions and their messages, as Terraform's validate walk has them
/// (`validateCheckRules`: the value is not looked at, not even for its type); whether they
/// hold, and are bools, is the plan's business.
fn rule_errors(ev: &mut Evaluator<'_>, rules: &[CheckRule]) -> Diagnostics {
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
