//! Provenance: why each planned change happens.
//!
//! For every change the planner records its causes. A cause has a root, which is what
//! started it (an input variable that differs from the last applied one, drift, `-replace`,
//! `replace_triggered_by`, a moved block, a provider default, an edit of the configuration),
//! and a chain of steps that carries it to the change: the changed attribute, the locals,
//! module inputs and outputs and other resources' changes in between, each with where it is
//! written. Everything here is computed from the plan, the configuration and the inputs the
//! state recorded at the last complete apply; nothing is guessed from names.

use crate::addr::{InstanceAddr, InstanceKey, ModuleStep, ResourceAddr};
use crate::config::{Config, Expr, ModuleCall, Resource};
use crate::diag::{FileId, SourceRange};
use crate::eval::references::{self, Reference, Subject};
use crate::plan::diff::same;
use crate::plan::{Action, Plan, PlanMode, Reason, ResourceChange};
use crate::value::{PathStep, Value, View, path_to_string};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One reason a change happens: its root and the chain from the change to that root.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cause {
    pub root: Root,
    /// From the change outwards: the changed attribute first, the root's declaration last.
    pub chain: Vec<Step>,
}

/// A link of a cause's chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub kind: StepKind,
    /// What the step names: `image`, `local.image`, `module.app input image_tag`, ...
    pub what: String,
    /// `file:line:column` where the step is written, when it is written somewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// For a resource step: the address of the resource whose change carries the cause.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// The changed attribute (or nested block) of the resource.
    Attribute,
    Local,
    ModuleInput,
    ModuleOutput,
    /// A root input variable's declaration.
    Variable,
    /// A `for_each` or `count` expression (through `each.value`, or adding an instance).
    Expansion,
    /// Another resource's planned change that this one refers to.
    Resource,
    /// A `replace_triggered_by` reference.
    Trigger,
    /// A `moved`, `import` or `removed` block.
    Block,
}

/// What started a change.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Root {
    /// A root input variable: `name` includes the path used (`var.apps["web"].image`).
    /// Values are left out when the variable is sensitive; `recorded` is false when the state
    /// holds no earlier value to compare with (first apply, or a state written elsewhere).
    Variable {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        before: Option<Value>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<Value>,
        sensitive: bool,
        recorded: bool,
    },
    /// An attribute found changed outside terrane when refreshing.
    Drift { address: String, attribute: String },
    /// The configuration of an attribute differs from what was applied.
    Configuration { address: String, attribute: String },
    /// The provider plans a value the configuration does not set (a default, a normalisation).
    Provider { address: String, attribute: String },
    /// The object is new in the configuration.
    New { address: String },
    /// The object is no longer in the configuration.
    Removed { address: String },
    /// The plan is a destroy plan.
    DestroyMode { address: String },
    /// `-replace=ADDRESS`.
    ReplaceRequested { address: String },
    /// A `replace_triggered_by` reference changes (and nothing further explains that change).
    ReplaceTriggered { address: String, by: String },
    /// A previous apply failed part-way through creating the object.
    Tainted { address: String },
    /// A `moved` block gives the object a new address.
    Moved { from: String, to: String },
    /// An `import` block brings the object under management.
    Imported { address: String, id: String },
    /// A `removed` block with `destroy = false`.
    Forgotten { address: String },
    /// An object deposed by an interrupted create-before-destroy replacement.
    Deposed { address: String },
    /// An object an interrupted apply created without recording it, found again.
    Adopted { address: String },
}

impl Root {
    /// A sentence fragment for `# because ...`; `here` is the address of the change it is
    /// shown under (its own address is then left out).
    pub fn describe(&self, here: Option<&str>) -> String {
        let own = |a: &str| here == Some(a);
        let attr = |a: &str, name: &str| if own(a) { name.to_string() } else { format!("{a}.{name}") };
        match self {
            Root::Variable { name, before, after, sensitive, recorded } => match (sensitive, recorded, before, after) {
                (true, true, _, _) => format!("{name} changed (sensitive value)"),
                (true, false, _, _) => format!("{name} is set (sensitive value; no earlier value is recorded)"),
                (false, true, b, a) => format!(
                    "{name} changed ({} → {})",
                    short(b.as_ref().unwrap_or(&Value::NULL)),
                    short(a.as_ref().unwrap_or(&Value::NULL))
                ),
                (false, false, _, a) => {
                    format!("{name} is {} (no earlier value is recorded)", short(a.as_ref().unwrap_or(&Value::NULL)))
                }
            },
            Root::Drift { address, attribute } => format!("{} was changed outside terrane", attr(address, attribute)),
            Root::Configuration { address, attribute } => {
                format!("the configuration of {} changed", attr(address, attribute))
            }
            Root::Provider { address, attribute } => {
                format!("the provider plans a new {} (not set in the configuration)", attr(address, attribute))
            }
            Root::New { address } if own(address) => "it is new in the configuration".to_string(),
            Root::New { address } => format!("{address} is new in the configuration"),
            Root::Removed { address } if own(address) => "it is no longer in the configuration".to_string(),
            Root::Removed { address } => format!("{address} is no longer in the configuration"),
            Root::DestroyMode { .. } => "this is a destroy plan".to_string(),
            Root::ReplaceRequested { address } => format!("of -replace={address}"),
            Root::ReplaceTriggered { by, .. } => format!("replace_triggered_by {by} changes"),
            Root::Tainted { address } if own(address) => "it is tainted (a create failed part-way)".to_string(),
            Root::Tainted { address } => format!("{address} is tainted"),
            Root::Moved { from, .. } => format!("a moved block moves it from {from}"),
            Root::Imported { id, .. } => format!("an import block imports it (id {})", crate::addr::quote(id)),
            Root::Forgotten { .. } => "a removed block with destroy = false".to_string(),
            Root::Deposed { .. } => "it is an old object left by an interrupted replacement".to_string(),
            Root::Adopted { .. } => "an interrupted apply created it without recording it".to_string(),
        }
    }

    /// How the Markdown summary groups changes: one group per changed variable, one per kind
    /// otherwise.
    pub fn group(&self) -> String {
        match self {
            Root::Variable { .. } | Root::ReplaceRequested { .. } => self.describe(None),
            Root::Drift { .. } => "of drift (changed outside terrane)".to_string(),
            Root::Configuration { .. } => "of edits to the configuration".to_string(),
            Root::Provider { .. } => "of values the provider plans".to_string(),
            Root::New { .. } => "they are new in the configuration".to_string(),
            Root::Removed { .. } => "they are no longer in the configuration".to_string(),
            Root::DestroyMode { .. } => "this is a destroy plan".to_string(),
            Root::ReplaceTriggered { .. } => "of replace_triggered_by".to_string(),
            Root::Tainted { .. } => "they are tainted".to_string(),
            Root::Moved { .. } => "of moved blocks".to_string(),
            Root::Imported { .. } => "of import blocks".to_string(),
            Root::Forgotten { .. } => "of removed blocks".to_string(),
            Root::Deposed { .. } => "of interrupted replacements".to_string(),
            Root::Adopted { .. } => "of objects adopted after an interrupted apply".to_string(),
        }
    }
}

impl Cause {
    /// The nearest other resource whose change carries this cause.
    pub fn through(&self) -> Option<&str> {
        self.chain.iter().find(|s| s.kind == StepKind::Resource).and_then(|s| s.address.as_deref())
    }

    /// The one line shown under a change: the nearest other resource whose change carries
    /// the cause, else the root itself.
    pub fn line(&self, here: &str) -> String {
        if let Some(i) = self.chain.iter().position(|s| s.kind == StepKind::Resource) {
            let triggered = self.chain[..i].iter().any(|s| s.kind == StepKind::Trigger);
            let what = &self.chain[i].what;
            return if triggered { format!("{what} (replace_triggered_by)") } else { what.clone() };
        }
        let text = self.root.describe(Some(here));
        match self.chain.iter().find(|s| s.kind == StepKind::Block).and_then(|s| s.at.as_ref()) {
            Some(at) => format!("{text} ({at})"),
            None => text,
        }
    }
}

/// A value on one line, shortened: `"1.1"`, `3`, `["a","b"]`.
fn short(v: &Value) -> String {
    let s = match v.view() {
        View::Sensitive(_) => return "(sensitive value)".to_string(),
        View::Unknown => return "(known after apply)".to_string(),
        View::String(s) => crate::addr::quote(s),
        View::Null => "null".to_string(),
        _ if v.contains_sensitive() => return "(sensitive value)".to_string(),
        _ => v.to_json().to_string(),
    };
    if s.chars().count() > 60 { format!("{}…", s.chars().take(59).collect::<String>()) } else { s }
}

/// The causes of every change of `plan`, by address. `stored` is the state the plan was made
/// from (its recorded inputs are the "before" of variables).
pub fn explain(config: &Config, plan: &Plan, stored: &crate::state::State) -> BTreeMap<String, Vec<Cause>> {
    let mut t = Tracer::new(config, plan, stored);
    let mut out = BTreeMap::new();
    for c in &plan.changes {
        let shown = super::render::text::shown(plan, c);
        if !shown {
            continue;
        }
        let causes = t.change(c);
        if !causes.is_empty() {
            let key = match &c.deposed {
                Some(d) => format!("{} (deposed {d})", c.addr),
                None => c.addr.to_string(),
            };
            out.insert(key, causes);
        }
    }
    out
}

/// Module instance steps where a `None` key means "any instance" (a reference to a module
/// called with `count` or `for_each` without naming the instance).
type Steps = Vec<(String, Option<InstanceKey>)>;

/// Where `each.*` and `count.*` point in an expression.
#[derive(Clone)]
enum Each<'a> {
    None,
    Resource(&'a Resource, InstanceKey),
    Module(&'a ModuleCall, InstanceKey),
}

struct Tracer<'a> {
    config: &'a Config,
    plan: &'a Plan,
    stored: &'a crate::state::State,
    by_resource: HashMap<ResourceAddr, Vec<&'a ResourceChange>>,
    drift: HashMap<&'a InstanceAddr, &'a ResourceChange>,
    /// Module instances the stored state has objects in (as static names and as instances).
    module_instances: HashSet<Vec<ModuleStep>>,
    memo: HashMap<InstanceAddr, Vec<Cause>>,
    memo_refs: HashMap<String, Vec<Cause>>,
    visiting: HashSet<InstanceAddr>,
}

fn static_names(r: &ResourceAddr) -> ResourceAddr {
    ResourceAddr {
        module: r.module.iter().map(|s| ModuleStep { name: s.name.clone(), key: InstanceKey::None }).collect(),
        ..r.clone()
    }
}

fn steps_of(module: &[ModuleStep]) -> Steps {
    module.iter().map(|s| (s.name.clone(), Some(s.key.clone()))).collect()
}

fn names(steps: &Steps) -> Vec<String> {
    steps.iter().map(|(n, _)| n.clone()).collect()
}

fn module_label(steps: &Steps) -> String {
    steps
        .iter()
        .map(|(n, k)| match k {
            Some(k) if !k.is_none() => format!("module.{n}{k}"),
            _ => format!("module.{n}"),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// `local.x` at the root, `local.x (in module.app)` elsewhere.
fn scoped(what: String, steps: &Steps) -> String {
    if steps.is_empty() { what } else { format!("{what} (in {})", module_label(steps)) }
}

fn prepend(step: Step, causes: Vec<Cause>) -> Vec<Cause> {
    causes
        .into_iter()
        .map(|mut c| {
            c.chain.insert(0, step.clone());
            c
        })
        .collect()
}

/// The top-level attribute names of a change's replace paths.
fn forcing(c: &ResourceChange) -> Vec<String> {
    let mut v: Vec<String> = c
        .replace_paths
        .iter()
        .filter_map(|p| match p.first() {
            Some(PathStep::Attr(a)) => Some(a.clone()),
            _ => None,
        })
        .collect();
    v.dedup();
    v
}

fn attr_of(v: &Value, attr: &str) -> Value {
    v.get_attr(attr).cloned().unwrap_or(Value::NULL).deep_unmark()
}

/// Whether the attribute differs between the change's before and after.
fn attr_changes(c: &ResourceChange, attr: &str) -> bool {
    let (b, a) = (attr_of(&c.before, attr), attr_of(&c.after, attr));
    a.is_unknown() || !a.is_wholly_known() || !same(&b, &a)
}

impl<'a> Tracer<'a> {
    fn new(config: &'a Config, plan: &'a Plan, stored: &'a crate::state::State) -> Tracer<'a> {
        let mut by_resource: HashMap<ResourceAddr, Vec<&ResourceChange>> = HashMap::new();
        for c in plan.changes.iter().filter(|c| c.deposed.is_none()) {
            by_resource.entry(static_names(&c.addr.resource)).or_default().push(c);
        }
        let mut module_instances = HashSet::new();
        for addr in plan.prior_state.resources.keys() {
            for n in 1..=addr.module.len() {
                module_instances.insert(addr.module[..n].to_vec());
            }
        }
        Tracer {
            config,
            plan,
            stored,
            by_resource,
            drift: plan.drift.iter().map(|d| (&d.addr, d)).collect(),
            module_instances,
            memo: HashMap::new(),
            memo_refs: HashMap::new(),
            visiting: HashSet::new(),
        }
    }

    fn at(&self, r: &SourceRange) -> Option<String> {
        let f = self.config.sources.get(r.file)?;
        let (l, c) = crate::diag::line_col(&f.text, r.span.start);
        Some(format!("{}:{l}:{c}", f.name))
    }

    fn step(&self, kind: StepKind, what: impl Into<String>, r: Option<&SourceRange>) -> Step {
        Step { kind, what: what.into(), at: r.and_then(|r| self.at(r)), address: None }
    }

    fn cause(&self, root: Root, chain: Vec<Step>) -> Vec<Cause> {
        vec![Cause { root, chain }]
    }

    /// Every cause of one change (memoised; a cycle through resources ends the chain).
    fn change(&mut self, c: &'a ResourceChange) -> Vec<Cause> {
        if c.deposed.is_some() {
            return self.cause(Root::Deposed { address: c.addr.to_string() }, Vec::new());
        }
        if let Some(done) = self.memo.get(&c.addr) {
            return done.clone();
        }
        if !self.visiting.insert(c.addr.clone()) {
            return Vec::new();
        }
        let causes = self.compute(c);
        self.visiting.remove(&c.addr);
        let mut seen = HashSet::new();
        let causes: Vec<Cause> =
            causes.into_iter().filter(|c| seen.insert(serde_json::to_string(c).unwrap_or_default())).collect();
        self.memo.insert(c.addr.clone(), causes.clone());
        causes
    }

    fn compute(&mut self, c: &'a ResourceChange) -> Vec<Cause> {
        let address = c.addr.to_string();
        let res = self.config.resource_at(&c.addr.resource);
        match c.action {
            Action::Forget => self.cause(Root::Forgotten { address }, self.block_step(c, "removed")),
            Action::NoOp if self.plan.was_adopted(&c.addr) => self.cause(Root::Adopted { address }, Vec::new()),
            Action::NoOp => match (self.plan.moved_from(&c.addr), self.plan.import_id(&c.addr)) {
                (_, Some(id)) => {
                    self.cause(Root::Imported { address, id: id.to_string() }, self.block_step(c, "import"))
                }
                (Some(from), None) => {
                    self.cause(Root::Moved { from: from.to_string(), to: address }, self.block_step(c, "moved"))
                }
                (None, None) => Vec::new(),
            },
            Action::Create => self.created(c, res),
            Action::Delete => match (self.plan.mode, c.reason, res) {
                (PlanMode::Destroy, _, _) => self.cause(Root::DestroyMode { address }, Vec::new()),
                (_, Some(Reason::DeleteBecauseCountIndex | Reason::DeleteBecauseEachKey), Some(res)) => {
                    let causes = self.expansion(res, &steps_of(&c.addr.resource.module));
                    if causes.is_empty() { self.cause(Root::Removed { address }, Vec::new()) } else { causes }
                }
                _ => self.cause(Root::Removed { address }, Vec::new()),
            },
            Action::Read => {
                let Some(res) = res else { return Vec::new() };
                let steps = steps_of(&c.addr.resource.module);
                let mut refs = references::of_body(res.body.file, &res.body.body);
                refs.extend(res.depends_on.iter().flat_map(references::of_expr));
                let mut out = Vec::new();
                for r in refs {
                    out.extend(self.reference(&steps, &Each::Resource(res, c.addr.key.clone()), &r));
                }
                out
            }
            Action::Update | Action::DeleteThenCreate | Action::CreateThenDelete => match c.reason {
                Some(Reason::ReplaceBecauseTainted) => self.cause(Root::Tainted { address }, Vec::new()),
                Some(Reason::ReplaceByRequest) => self.cause(Root::ReplaceRequested { address }, Vec::new()),
                Some(Reason::ReplaceByTriggers) => match res {
                    Some(res) => self.triggers(c, res),
                    None => Vec::new(),
                },
                _ => {
                    let forced = forcing(c);
                    let attrs: Vec<String> = if c.action.is_replace() && !forced.is_empty() {
                        forced.clone()
                    } else {
                        let mut keys: Vec<String> =
                            c.after.as_map().map(|m| m.keys().cloned().collect()).unwrap_or_default();
                        for k in c.before.as_map().map(|m| m.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
                            if !keys.contains(&k) {
                                keys.push(k);
                            }
                        }
                        keys.into_iter().filter(|k| attr_changes(c, k)).collect()
                    };
                    let mut out = Vec::new();
                    let mut computed = Vec::new();
                    for a in &attrs {
                        match self.attribute(c, res, a, forced.contains(a)) {
                            Some(causes) => out.extend(causes),
                            None => computed.push(a.clone()),
                        }
                    }
                    if out.is_empty()
                        && let Some(a) = computed.first()
                    {
                        out = self.cause(Root::Provider { address, attribute: a.clone() }, Vec::new());
                    }
                    out
                }
            },
        }
    }

    /// The `moved`/`import`/`removed` block behind a change, as a chain step.
    fn block_step(&self, c: &ResourceChange, kind: &str) -> Vec<Step> {
        let root = self.config;
        let range = match kind {
            "moved" => root
                .modules()
                .into_iter()
                .flat_map(|m| m.moved.iter())
                .find(|m| m.to.contains(&c.addr))
                .map(|m| &m.range),
            "import" => root.imports.iter().find(|i| i.to.contains(&c.addr)).map(|i| &i.range),
            _ => root
                .modules()
                .into_iter()
                .flat_map(|m| m.removed.iter())
                .find(|r| r.from.contains(&c.addr) || r.from.contains_resource(&c.addr.resource))
                .map(|r| &r.range),
        };
        range.map(|r| vec![self.step(StepKind::Block, format!("{kind} block"), Some(r))]).unwrap_or_default()
    }

    /// A created instance: new in the configuration, or added by a `count`/`for_each` (of the
    /// resource or of a module it is in) whose value changed.
    fn created(&mut self, c: &'a ResourceChange, res: Option<&'a Resource>) -> Vec<Cause> {
        let address = c.addr.to_string();
        let full = &c.addr.resource;
        if let Some(res) = res
            && !c.addr.key.is_none()
            && self.plan.prior_state.resource(full).is_some_and(|r| !r.instances.is_empty())
        {
            let causes = self.expansion(res, &steps_of(&full.module));
            if !causes.is_empty() {
                return causes;
            }
        }
        // A new instance of a module whose other instances exist.
        for n in (1..=full.module.len()).rev() {
            let prefix = &full.module[..n];
            if self.module_instances.contains(prefix) {
                break;
            }
            let parent_names: Vec<String> = prefix[..n - 1].iter().map(|s| s.name.clone()).collect();
            let siblings = self
                .module_instances
                .iter()
                .any(|m| m.len() == n && m[..n - 1] == prefix[..n - 1] && m[n - 1].name == prefix[n - 1].name);
            if !siblings {
                continue;
            }
            let Some(call) = self.config.module(&parent_names).and_then(|p| p.module_calls.get(&prefix[n - 1].name))
            else {
                continue;
            };
            let Some(e) = call.for_each.as_ref().or(call.count.as_ref()) else { continue };
            let parent = steps_of(&prefix[..n - 1]);
            let step = self.step(
                StepKind::Expansion,
                format!("{} of module.{}", if call.for_each.is_some() { "for_each" } else { "count" }, call.name),
                Some(&e.range()),
            );
            let causes = prepend(step, self.expr(&parent, &Each::None, e));
            if !causes.is_empty() {
                return causes;
            }
        }
        self.cause(Root::New { address }, Vec::new())
    }

    /// The causes carried by a resource's `for_each` or `count`.
    fn expansion(&mut self, res: &'a Resource, steps: &Steps) -> Vec<Cause> {
        let Some(e) = res.for_each.as_ref().or(res.count.as_ref()) else { return Vec::new() };
        let what = if res.for_each.is_some() { "for_each" } else { "count" };
        let owner =
            if steps.is_empty() { res.addr.to_string() } else { format!("{}.{}", module_label(steps), res.addr) };
        let step = self.step(StepKind::Expansion, format!("{owner} {what}"), Some(&e.range()));
        prepend(step, self.expr(steps, &Each::None, e))
    }

    /// The causes of one changed attribute. `None`: the configuration does not set it and it
    /// is computed (a consequence, not a cause).
    fn attribute(
        &mut self,
        c: &'a ResourceChange,
        res: Option<&'a Resource>,
        attr: &str,
        forces: bool,
    ) -> Option<Vec<Cause>> {
        let address = c.addr.to_string();
        let label = if forces { format!("{address}.{attr} (forces replacement)") } else { format!("{address}.{attr}") };
        if let Some(d) = self.drift.get(&c.addr)
            && !same(&attr_of(&d.before, attr), &attr_of(&d.after, attr))
        {
            let chain = vec![self.step(StepKind::Attribute, label, None)];
            return Some(self.cause(Root::Drift { address, attribute: attr.to_string() }, chain));
        }
        let Some(res) = res else { return Some(Vec::new()) };
        let steps = steps_of(&c.addr.resource.module);
        let file = res.body.file;
        let mut found: Option<(SourceRange, Vec<Reference>)> = None;
        let body = &res.body.body;
        let attrs = body
            .attributes
            .iter()
            .filter(|a| a.name == attr)
            .map(|a| (a.span.clone(), references::of_ast_expr(file, &a.expr)));
        let blocks = body
            .blocks
            .iter()
            .filter(|b| b.ty == attr || (b.ty == "dynamic" && b.labels.first().is_some_and(|l| l == attr)))
            .map(|b| (b.type_span.start..b.close_brace_span.end, references::of_body(file, &b.body)));
        for (span, refs) in attrs.chain(blocks) {
            let range = SourceRange::new(file, span);
            match &mut found {
                Some((_, all)) => all.extend(refs),
                None => found = Some((range, refs)),
            }
        }
        let Some((range, refs)) = found else {
            let after = attr_of(&c.after, attr);
            if !after.is_wholly_known() {
                return None;
            }
            let chain = vec![self.step(StepKind::Attribute, label, None)];
            return Some(self.cause(Root::Provider { address, attribute: attr.to_string() }, chain));
        };
        let each = Each::Resource(res, c.addr.key.clone());
        let mut out = Vec::new();
        for r in &refs {
            out.extend(self.reference(&steps, &each, r));
        }
        let step = self.step(StepKind::Attribute, label, Some(&range));
        if out.is_empty() {
            return Some(self.cause(Root::Configuration { address, attribute: attr.to_string() }, vec![step]));
        }
        Some(prepend(step, out))
    }

    /// The causes carried by every reference of an expression.
    fn expr(&mut self, steps: &Steps, each: &Each<'a>, e: &Expr) -> Vec<Cause> {
        let mut out = Vec::new();
        for r in references::of_expr(e) {
            out.extend(self.reference(steps, each, &r));
        }
        out
    }

    /// The causes a reference carries, in the module instance `steps`.
    fn reference(&mut self, steps: &Steps, each: &Each<'a>, r: &Reference) -> Vec<Cause> {
        let memo_key = match &r.subject {
            Subject::Var(_) | Subject::Local(_) | Subject::Module(_) => {
                Some(format!("{steps:?}|{}|{}", r.subject, path_to_string(&r.rest)))
            }
            _ => None,
        };
        if let Some(k) = &memo_key
            && let Some(done) = self.memo_refs.get(k)
        {
            return done.clone();
        }
        let causes = match &r.subject {
            Subject::Var(name) if steps.is_empty() => self.variable(name, &r.rest),
            Subject::Var(name) => self.module_input(steps, name),
            Subject::Local(name) => {
                let Some(local) = self.config.module(&names(steps)).and_then(|m| m.locals.get(name)) else {
                    return Vec::new();
                };
                let step =
                    self.step(StepKind::Local, scoped(format!("local.{name}"), steps), Some(&local.expr.range()));
                prepend(step, self.expr(steps, &Each::None, &local.expr))
            }
            Subject::Module(name) => self.module_output(steps, name, &r.rest),
            Subject::Resource(addr) => self.resource_ref(steps, addr, &r.rest),
            Subject::EachValue => self.each_value(steps, each, &r.rest),
            Subject::EachKey | Subject::CountIndex | Subject::SelfRef | Subject::Path(_) | Subject::Workspace => {
                Vec::new()
            }
        };
        if let Some(k) = memo_key {
            self.memo_refs.insert(k, causes.clone());
        }
        causes
    }

    /// A root variable, compared with the value recorded at the last complete apply (at the
    /// path the reference uses, so `var.apps["web"]` is not blamed for a change of "api").
    fn variable(&self, name: &str, rest: &[PathStep]) -> Vec<Cause> {
        let Some(decl) = self.config.variables.get(name) else { return Vec::new() };
        let after_all = self.plan.variables.get(name).cloned().unwrap_or(Value::NULL);
        let sensitive = decl.sensitive || after_all.contains_sensitive();
        let label = format!("var.{name}{}", rest.iter().map(ToString::to_string).collect::<String>());
        let chain = vec![self.step(StepKind::Variable, format!("var.{name}"), Some(&decl.range))];
        let at = |v: &Value| v.at_path(rest).cloned().unwrap_or(Value::NULL).deep_unmark();
        let root = match self.stored.inputs.get(name) {
            None => Root::Variable {
                name: label,
                before: None,
                after: (!sensitive).then(|| at(&after_all)),
                sensitive,
                recorded: false,
            },
            Some(rec) if sensitive => {
                if rec.matches(&self.stored.lineage, &after_all) {
                    return Vec::new();
                }
                Root::Variable { name: label, before: None, after: None, sensitive, recorded: true }
            }
            Some(rec) => {
                let before = rec.value().map(|v| at(&v)).unwrap_or(Value::NULL);
                let after = at(&after_all);
                if same(&before, &after) {
                    return Vec::new();
                }
                Root::Variable { name: label, before: Some(before), after: Some(after), sensitive, recorded: true }
            }
        };
        self.cause(root, chain)
    }

    /// `var.x` inside a module: the argument the calling module block passes.
    fn module_input(&mut self, steps: &Steps, name: &str) -> Vec<Cause> {
        let parent: Steps = steps[..steps.len() - 1].to_vec();
        let (call_name, key) = &steps[steps.len() - 1];
        let Some(call) = self.config.module(&names(&parent)).and_then(|m| m.module_calls.get(call_name)) else {
            return Vec::new();
        };
        let Some(arg) = call.args.get(name) else { return Vec::new() };
        let step =
            self.step(StepKind::ModuleInput, format!("{} input {name}", module_label(steps)), Some(&arg.range()));
        let each = match key {
            Some(k) => Each::Module(call, k.clone()),
            None => Each::None,
        };
        prepend(step, self.expr(&parent, &each, arg))
    }

    /// `module.x.out` (or `module.x["k"].out`, or the whole `module.x`).
    fn module_output(&mut self, steps: &Steps, name: &str, rest: &[PathStep]) -> Vec<Cause> {
        let (key, rest) = match rest.first() {
            Some(PathStep::Index(i)) => (Some(InstanceKey::Int(*i as i64)), &rest[1..]),
            Some(PathStep::Key(k)) => (Some(InstanceKey::Str(k.clone())), &rest[1..]),
            _ => (None, rest),
        };
        let mut child = steps.clone();
        let Some(call) = self.config.module(&names(steps)).and_then(|m| m.module_calls.get(name)) else {
            return Vec::new();
        };
        let expanded = call.count.is_some() || call.for_each.is_some();
        child.push((name.to_string(), if expanded { key } else { Some(InstanceKey::None) }));
        let Some(module) = self.config.module(&names(&child)) else { return Vec::new() };
        let outputs: Vec<&'a crate::config::Output> = match rest.first() {
            Some(PathStep::Attr(out)) => module.outputs.get(out).into_iter().collect(),
            _ => module.outputs.values().collect(),
        };
        let mut causes = Vec::new();
        for o in outputs {
            let step = self.step(
                StepKind::ModuleOutput,
                format!("{} output {}", module_label(&child), o.name),
                Some(&o.range),
            );
            let found = self.expr(&child, &Each::None, &o.value);
            causes.extend(prepend(step, found));
        }
        causes
    }

    /// `each.value` (and its attributes): the `for_each` it comes from.
    fn each_value(&mut self, steps: &Steps, each: &Each<'a>, rest: &[PathStep]) -> Vec<Cause> {
        let (e, key, at_steps, what) = match each {
            Each::Resource(res, key) => match &res.for_each {
                Some(e) => (e, key, steps.clone(), "for_each".to_string()),
                None => return Vec::new(),
            },
            Each::Module(call, key) => match &call.for_each {
                Some(e) => (e, key, steps.clone(), format!("for_each of module.{}", call.name)),
                None => return Vec::new(),
            },
            Each::None => return Vec::new(),
        };
        let step = self.step(StepKind::Expansion, format!("each.value ({what})"), Some(&e.range()));
        // A plain reference (`for_each = var.apps`): follow the one element this instance uses.
        let causes = match (references::static_reference(e), key) {
            (Ok(mut r), InstanceKey::Str(k)) => {
                r.rest.push(PathStep::Key(k.clone()));
                r.rest.extend(rest.iter().cloned());
                self.reference(&at_steps, &Each::None, &r)
            }
            _ => self.expr(&at_steps, &Each::None, e),
        };
        prepend(step, causes)
    }

    /// A reference to another resource: the causes of its planned change, when the part
    /// referred to changes.
    fn resource_ref(&mut self, steps: &Steps, addr: &ResourceAddr, rest: &[PathStep]) -> Vec<Cause> {
        let (key, rest) = match rest.first() {
            Some(PathStep::Index(i)) => (Some(InstanceKey::Int(*i as i64)), &rest[1..]),
            Some(PathStep::Key(k)) => (Some(InstanceKey::Str(k.clone())), &rest[1..]),
            _ => (None, rest),
        };
        let attr = match rest.first() {
            Some(PathStep::Attr(a)) => Some(a.clone()),
            _ => None,
        };
        let full = ResourceAddr {
            module: steps.iter().map(|(n, _)| ModuleStep { name: n.clone(), key: InstanceKey::None }).collect(),
            ..addr.clone()
        };
        let Some(candidates) = self.by_resource.get(&full).cloned() else { return Vec::new() };
        let mut out = Vec::new();
        for x in candidates {
            let module_matches =
                x.addr.resource.module.iter().zip(steps).all(|(m, (_, k))| k.as_ref().is_none_or(|k| *k == m.key));
            if !module_matches || key.as_ref().is_some_and(|k| *k != x.addr.key) || x.action == Action::NoOp {
                continue;
            }
            let relevant = match (&attr, x.action) {
                (_, Action::Create | Action::Delete | Action::Read) | (None, _) => true,
                (Some(a), _) => attr_changes(x, a),
            };
            if !relevant {
                continue;
            }
            let what = match x.action {
                Action::Create => format!("{} will be created", x.addr),
                Action::Delete => format!("{} will be destroyed", x.addr),
                Action::Read => format!("{} will be read during apply", x.addr),
                Action::DeleteThenCreate | Action::CreateThenDelete => {
                    let f = forcing(x);
                    if f.is_empty() {
                        format!("{} will be replaced", x.addr)
                    } else {
                        format!("{} must be replaced ({} forces replacement)", x.addr, f.join(", "))
                    }
                }
                _ => match &attr {
                    Some(a) => format!("{}.{a} changes", x.addr),
                    None => format!("{} will be updated in-place", x.addr),
                },
            };
            let mut step = self.step(StepKind::Resource, what, None);
            step.address = Some(x.addr.to_string());
            let sub = match (&attr, x.action) {
                (Some(a), Action::Update) if !self.visiting.contains(&x.addr) => {
                    let res = self.config.resource_at(&x.addr.resource);
                    self.attribute(x, res, a, false).unwrap_or_default()
                }
                _ => self.change(x),
            };
            if sub.is_empty() {
                let root = Root::Provider { address: x.addr.to_string(), attribute: attr.clone().unwrap_or_default() };
                out.push(Cause { root, chain: vec![step] });
            } else {
                out.extend(prepend(step, sub));
            }
        }
        out
    }

    /// A replacement by `replace_triggered_by`: the references that fired, and their causes.
    fn triggers(&mut self, c: &'a ResourceChange, res: &'a Resource) -> Vec<Cause> {
        let steps = steps_of(&c.addr.resource.module);
        let mut out = Vec::new();
        for e in &res.lifecycle.replace_triggered_by {
            let Ok(r) = references::static_reference(e) else { continue };
            if !matches!(r.subject, Subject::Resource(_)) {
                continue;
            }
            let found = self.reference(&steps, &Each::None, &r);
            if found.is_empty() {
                continue;
            }
            let by = expr_text(self.config, e.file, &e.range());
            let step = self.step(StepKind::Trigger, format!("replace_triggered_by {by}"), Some(&e.range()));
            out.extend(prepend(step, found));
        }
        if out.is_empty() {
            out = self.cause(Root::ReplaceTriggered { address: c.addr.to_string(), by: String::new() }, Vec::new());
        }
        out
    }
}

fn expr_text(config: &Config, file: FileId, r: &SourceRange) -> String {
    config.sources.get(file).and_then(|f| f.text.get(r.span.clone())).map(|s| s.trim().to_string()).unwrap_or_default()
}
