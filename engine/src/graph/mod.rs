//! The dependency graph: one node per variable, local, output, resource block and provider
//! configuration; an edge from each object to every object that refers to it. Built in small
//! steps (nodes, reference edges, provider edges), checked for cycles, walked in parallel.

mod walk;

pub use walk::{NodeOutcome, WalkControl, walk};

use crate::addr::{InstanceAddr, Mode, ResourceAddr, Target};
use crate::config::{Config, Expr, implied_provider, provider_key};
use crate::diag::{Diagnostic, Diagnostics, SourceRange, did_you_mean};
use crate::eval::references::{self, Reference, Subject};
use crate::plan::{Action, Plan};
use crate::state::{State, parse_provider_address};
use petgraph::Direction;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use std::collections::{HashMap, HashSet};
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Variable(String),
    Local(String),
    Output(String),
    /// A resource or data block (all its instances).
    Resource(ResourceAddr),
    /// A provider configuration, by key (`aws`, `aws.west`).
    Provider(String),
    /// Deleting one object (apply graphs only): an instance, or one of its deposed objects.
    Destroy(InstanceAddr, Option<String>),
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Variable(n) => write!(f, "var.{n}"),
            Node::Local(n) => write!(f, "local.{n}"),
            Node::Output(n) => write!(f, "output.{n}"),
            Node::Resource(r) => write!(f, "{r}"),
            Node::Provider(p) => write!(f, "provider[\"{p}\"]"),
            Node::Destroy(i, None) => write!(f, "{i} (destroy)"),
            Node::Destroy(i, Some(d)) => write!(f, "{i} (destroy deposed {d})"),
        }
    }
}

/// A dependency graph; edges point from a dependency to its dependent.
#[derive(Debug, Default)]
pub struct Graph {
    pub g: StableDiGraph<Node, ()>,
    index: HashMap<Node, NodeIndex>,
}

impl Graph {
    pub fn add(&mut self, n: Node) -> NodeIndex {
        if let Some(i) = self.index.get(&n) {
            return *i;
        }
        let i = self.g.add_node(n.clone());
        self.index.insert(n, i);
        i
    }

    pub fn get(&self, n: &Node) -> Option<NodeIndex> {
        self.index.get(n).copied()
    }

    pub fn node(&self, i: NodeIndex) -> &Node {
        &self.g[i]
    }

    /// `from` must finish before `to` starts.
    pub fn edge(&mut self, from: NodeIndex, to: NodeIndex) {
        if from != to && self.g.find_edge(from, to).is_none() {
            self.g.add_edge(from, to, ());
        }
    }

    pub fn dependencies(&self, i: NodeIndex) -> impl Iterator<Item = NodeIndex> + '_ {
        self.g.neighbors_directed(i, Direction::Incoming)
    }

    pub fn dependents(&self, i: NodeIndex) -> impl Iterator<Item = NodeIndex> + '_ {
        self.g.neighbors_directed(i, Direction::Outgoing)
    }

    pub fn nodes(&self) -> impl Iterator<Item = (NodeIndex, &Node)> {
        self.g.node_indices().map(|i| (i, &self.g[i]))
    }

    pub fn len(&self) -> usize {
        self.g.node_count()
    }

    pub fn is_empty(&self) -> bool {
        self.g.node_count() == 0
    }

    fn remove(&mut self, i: NodeIndex) {
        if let Some(n) = self.g.remove_node(i) {
            self.index.remove(&n);
        }
    }

    /// Keeps only `keep` and everything they depend on.
    pub fn retain_ancestors(&mut self, keep: &[NodeIndex]) {
        let closure = self.closure(keep, Direction::Incoming);
        self.retain(&closure);
    }

    /// Keeps only `keep` and everything that depends on them.
    pub fn retain_descendants(&mut self, keep: &[NodeIndex]) {
        let closure = self.closure(keep, Direction::Outgoing);
        self.retain(&closure);
    }

    pub fn closure(&self, start: &[NodeIndex], dir: Direction) -> HashSet<NodeIndex> {
        let mut seen: HashSet<NodeIndex> = start.iter().copied().collect();
        let mut stack: Vec<NodeIndex> = start.to_vec();
        while let Some(i) = stack.pop() {
            for n in self.g.neighbors_directed(i, dir) {
                if seen.insert(n) {
                    stack.push(n);
                }
            }
        }
        seen
    }

    fn retain(&mut self, keep: &HashSet<NodeIndex>) {
        let drop: Vec<NodeIndex> = self.g.node_indices().filter(|i| !keep.contains(i)).collect();
        for i in drop {
            self.remove(i);
        }
    }

    /// Resource blocks `i` depends on, directly or through variables and locals (what state
    /// records as an object's `dependencies`).
    pub fn resource_dependencies(&self, i: NodeIndex) -> Vec<ResourceAddr> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack: Vec<NodeIndex> = self.dependencies(i).collect();
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                continue;
            }
            match &self.g[n] {
                Node::Resource(r) => out.push(r.clone()),
                Node::Local(_) | Node::Variable(_) => stack.extend(self.dependencies(n)),
                _ => {}
            }
        }
        out.sort();
        out
    }

    /// Errors for every cycle, naming each object in it with its place.
    pub fn check_cycles(&self, ranges: &dyn Fn(&Node) -> Option<SourceRange>) -> Diagnostics {
        let mut diags = Diagnostics::new();
        for scc in petgraph::algo::tarjan_scc(&self.g) {
            let cyclic = scc.len() > 1 || self.g.find_edge(scc[0], scc[0]).is_some();
            if !cyclic {
                continue;
            }
            let mut names: Vec<&Node> = scc.iter().map(|i| &self.g[*i]).collect();
            names.sort();
            let list = names.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            let mut d = Diagnostic::error(
                "Cycle",
                format!("These objects depend on each other, so none can be evaluated first: {list}."),
            );
            for n in names {
                if let Some(r) = ranges(n) {
                    if d.range.is_none() {
                        d.range = Some(r);
                    } else {
                        d = d.with_related(r, format!("{n} is part of the cycle"));
                    }
                }
            }
            diags.push(d);
        }
        diags
    }

    /// The graph in DOT format (`terrane graph`).
    pub fn to_dot(&self) -> String {
        self.to_dot_marked(&NodeMarks::new())
    }

    /// The graph in DOT format, with each marked node labelled with what a plan does to it.
    pub fn to_dot_marked(&self, marks: &NodeMarks) -> String {
        let mut nodes: Vec<(NodeIndex, &Node)> = self.nodes().collect();
        nodes.sort_by(|a, b| a.1.cmp(b.1));
        let mut out = String::from("digraph {\n  compound = \"true\"\n  newrank = \"true\"\n  subgraph \"root\" {\n");
        for (_, n) in &nodes {
            let shape = match n {
                Node::Provider(_) => "diamond",
                Node::Variable(_) | Node::Local(_) | Node::Output(_) => "note",
                _ => "box",
            };
            let name = n.to_string();
            let (label, color) = match marks.get(*n) {
                Some(actions) => {
                    let kind = mark_kind(actions);
                    (format!("{name} ({})", mark_label(actions)), format!(", color = \"{}\"", kind.dot_color()))
                }
                None => (name.clone(), String::new()),
            };
            out.push_str(&format!(
                "    \"{}\" [label = \"{}\", shape = \"{shape}\"{color}]\n",
                dot_escape(&name),
                dot_escape(&label)
            ));
        }
        for (from, to) in self.sorted_edges() {
            out.push_str(&format!("    \"{}\" -> \"{}\"\n", dot_escape(&from), dot_escape(&to)));
        }
        out.push_str("  }\n}\n");
        out
    }

    /// Edges as (dependent, dependency) names, sorted: the direction Terraform's graphs draw.
    fn sorted_edges(&self) -> Vec<(String, String)> {
        let mut edges: Vec<(String, String)> = self
            .g
            .edge_indices()
            .filter_map(|e| self.g.edge_endpoints(e))
            .map(|(a, b)| (self.g[b].to_string(), self.g[a].to_string()))
            .collect();
        edges.sort();
        edges
    }

    /// The graph as a Mermaid flowchart (`terrane graph -format=mermaid`), which GitHub and
    /// GitLab render in Markdown. Arrows point from an object to what it depends on, as in
    /// the DOT output; marked nodes carry the plan's action in their label and a class
    /// (`create`, `update`, `replace`, `delete`, `read`) styled in colour.
    pub fn to_mermaid(&self, marks: &NodeMarks) -> String {
        let mut nodes: Vec<&Node> = self.nodes().map(|(_, n)| n).collect();
        nodes.sort();
        let ids: HashMap<String, String> =
            nodes.iter().enumerate().map(|(i, n)| (n.to_string(), format!("n{i}"))).collect();
        let mut out = String::from("flowchart LR\n");
        let mut classes: std::collections::BTreeMap<&'static str, Vec<&str>> = std::collections::BTreeMap::new();
        for n in &nodes {
            let name = n.to_string();
            let id = &ids[&name];
            let label = match marks.get(*n) {
                Some(actions) => {
                    classes.entry(mark_kind(actions).class()).or_default().push(id);
                    format!("{name} ({})", mark_label(actions))
                }
                None => name.clone(),
            };
            let label = mermaid_escape(&label);
            let shape = match n {
                Node::Provider(_) => format!("{{{{\"{label}\"}}}}"),
                Node::Variable(_) | Node::Local(_) | Node::Output(_) => format!("([\"{label}\"])"),
                _ => format!("[\"{label}\"]"),
            };
            out.push_str(&format!("  {id}{shape}\n"));
        }
        for (from, to) in self.sorted_edges() {
            out.push_str(&format!("  {} --> {}\n", ids[&from], ids[&to]));
        }
        if !classes.is_empty() {
            for kind in [MarkKind::Create, MarkKind::Update, MarkKind::Replace, MarkKind::Delete, MarkKind::Read] {
                if classes.contains_key(kind.class()) {
                    out.push_str(&format!("  classDef {} {}\n", kind.class(), kind.mermaid_style()));
                }
            }
            for (class, members) in &classes {
                out.push_str(&format!("  class {} {class}\n", members.join(",")));
            }
        }
        out
    }

    /// Keeps only the resources a plan changes (every action but no-op), adding for each
    /// one that the graph lacks (a resource removed from the configuration) a node of its
    /// own. Dependencies through removed objects (locals, variables, unchanged resources) are
    /// kept as direct edges. Returns what the plan does to each node, for the renderings.
    pub fn restrict_to_plan(&mut self, plan: &Plan) -> NodeMarks {
        let mut marks = NodeMarks::new();
        for c in plan.changes.iter().filter(|c| c.action != Action::NoOp) {
            let actions = marks.entry(Node::Resource(c.addr.resource.clone())).or_default();
            if !actions.contains(&c.action) {
                actions.push(c.action);
            }
        }
        let keep: HashSet<NodeIndex> = marks.keys().map(|n| self.add(n.clone())).collect();
        // Each kept node's nearest kept dependents, through removed nodes.
        let mut shortcuts = Vec::new();
        for &k in &keep {
            let mut stack: Vec<NodeIndex> = self.dependents(k).collect();
            let mut seen = HashSet::new();
            while let Some(n) = stack.pop() {
                if !seen.insert(n) {
                    continue;
                }
                if keep.contains(&n) {
                    shortcuts.push((k, n));
                } else {
                    stack.extend(self.dependents(n));
                }
            }
        }
        for (a, b) in shortcuts {
            self.edge(a, b);
        }
        self.retain(&keep);
        marks
    }
}

/// What a plan does to graph nodes: the distinct actions of each resource's instances.
pub type NodeMarks = std::collections::BTreeMap<Node, Vec<Action>>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum MarkKind {
    Create,
    Update,
    Replace,
    Delete,
    Read,
}

impl MarkKind {
    fn class(self) -> &'static str {
        match self {
            MarkKind::Create => "create",
            MarkKind::Update => "update",
            MarkKind::Replace => "replace",
            MarkKind::Delete => "delete",
            MarkKind::Read => "read",
        }
    }
    fn mermaid_style(self) -> &'static str {
        match self {
            MarkKind::Create => "fill:#dafbe1,stroke:#1a7f37,color:#1a7f37",
            MarkKind::Update => "fill:#fff8c5,stroke:#9a6700,color:#9a6700",
            MarkKind::Replace => "fill:#ffebe9,stroke:#bc4c00,color:#bc4c00,stroke-dasharray:4",
            MarkKind::Delete => "fill:#ffebe9,stroke:#cf222e,color:#cf222e",
            MarkKind::Read => "fill:#ddf4ff,stroke:#0969da,color:#0969da",
        }
    }
    fn dot_color(self) -> &'static str {
        match self {
            MarkKind::Create => "green",
            MarkKind::Update => "goldenrod",
            MarkKind::Replace => "orange",
            MarkKind::Delete => "red",
            MarkKind::Read => "blue",
        }
    }
}

/// The most significant of a node's actions, for its colour: destroying beats replacing
/// beats updating beats creating beats reading.
fn mark_kind(actions: &[Action]) -> MarkKind {
    let rank = |a: &Action| match a {
        Action::Delete => 4,
        Action::DeleteThenCreate | Action::CreateThenDelete => 3,
        Action::Update => 2,
        Action::Create => 1,
        Action::Read | Action::NoOp => 0,
    };
    match actions.iter().max_by_key(|a| rank(a)) {
        Some(Action::Delete) => MarkKind::Delete,
        Some(Action::DeleteThenCreate | Action::CreateThenDelete) => MarkKind::Replace,
        Some(Action::Update) => MarkKind::Update,
        Some(Action::Create) => MarkKind::Create,
        _ => MarkKind::Read,
    }
}

/// `create`, `update`, `replace`, `delete`, `read`, joined when instances differ.
fn mark_label(actions: &[Action]) -> String {
    let mut words: Vec<&str> = actions
        .iter()
        .map(|a| match a {
            Action::Create => "create",
            Action::Update => "update",
            Action::DeleteThenCreate | Action::CreateThenDelete => "replace",
            Action::Delete => "delete",
            Action::Read => "read",
            Action::NoOp => "no-op",
        })
        .collect();
    words.sort();
    words.dedup();
    words.join(", ")
}

/// A label inside a quoted Mermaid node: quotes and markup characters as entity codes.
fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '#' => out.push_str("#35;"),
            c => out.push(c),
        }
    }
    out
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// What the builder needs to know beyond the configuration.
pub struct BuildOptions<'a> {
    /// Resource types each provider (by local name) offers, for "unknown resource type" errors.
    pub resource_types: &'a dyn Fn(&str, Mode) -> Option<Vec<String>>,
    /// Providers the binary offers.
    pub provider_names: Vec<String>,
}

/// Builds the graph of a configuration, adding provider nodes for resources only in state.
/// Reports references to undeclared objects, misuse of `count`/`each`/`self`, unknown
/// resource types and providers, and cycles.
pub fn build(config: &Config, state: &State, opts: &BuildOptions<'_>) -> (Graph, Diagnostics) {
    let mut g = Graph::default();
    let mut diags = Diagnostics::new();

    // 1. Nodes.
    for name in config.variables.keys() {
        g.add(Node::Variable(name.clone()));
    }
    for name in config.locals.keys() {
        g.add(Node::Local(name.clone()));
    }
    for name in config.outputs.keys() {
        g.add(Node::Output(name.clone()));
    }
    for key in config.providers.keys() {
        g.add(Node::Provider(key.clone()));
    }
    for (addr, r) in &config.resources {
        let ri = g.add(Node::Resource(addr.clone()));
        let pi = g.add(Node::Provider(r.provider.clone()));
        g.edge(pi, ri);
        let local_name = r.provider.split('.').next().unwrap_or_default();
        match (opts.resource_types)(local_name, addr.mode) {
            None => diags.push(unknown_provider(
                local_name,
                &opts.provider_names,
                r.provider_range.clone().unwrap_or(r.range.clone()),
            )),
            Some(types) if !types.iter().any(|t| t == &addr.type_name) => {
                let kind = if addr.mode == Mode::Data { "data source" } else { "resource" };
                let hint = did_you_mean(&addr.type_name, types.iter().map(String::as_str)).unwrap_or_default();
                diags.push(
                    Diagnostic::error(
                        format!("Invalid {kind} type"),
                        format!(
                            "The provider \"{local_name}\" does not support {kind} type \"{}\".{hint}",
                            addr.type_name
                        ),
                    )
                    .at(r.range.clone()),
                );
            }
            Some(_) => {}
        }
    }
    // Providers of resources that are only in state (to refresh and delete them).
    for r in state.resources.values() {
        if let Some((name, alias)) = parse_provider_address(&r.provider) {
            g.add(Node::Provider(provider_key(&name, alias.as_deref())));
        }
    }
    let declared_providers: Vec<(NodeIndex, String)> = g
        .nodes()
        .filter_map(|(i, n)| match n {
            Node::Provider(k) => Some((i, k.clone())),
            _ => None,
        })
        .collect();
    for (_, key) in &declared_providers {
        let name = key.split('.').next().unwrap_or_default();
        if (opts.resource_types)(name, Mode::Managed).is_none() && config.providers.contains_key(key) {
            diags.push(unknown_provider(name, &opts.provider_names, config.providers[key].range.clone()));
        }
    }

    // 2. Reference edges.
    let link = |g: &mut Graph, to: NodeIndex, refs: Vec<Reference>, ctx: RefContext, diags: &mut Diagnostics| {
        for r in refs {
            match resolve(config, &r, ctx) {
                Ok(Some(node)) => {
                    let from = g.add(node);
                    if from == to && !ctx.allow_self {
                        diags.push(
                            Diagnostic::error(
                                "Self-referential block",
                                format!("Configuration for {} may not refer to itself.", r.subject),
                            )
                            .at(r.range.clone()),
                        );
                    } else {
                        g.edge(from, to);
                    }
                }
                Ok(None) => {}
                Err(d) => diags.push(d),
            }
        }
    };
    for (name, v) in &config.variables {
        let i = g.add(Node::Variable(name.clone()));
        for rule in &v.validations {
            let mut refs = references::of_expr(&rule.condition);
            refs.extend(references::of_expr(&rule.error_message));
            // A validation may refer to its own variable.
            refs.retain(|r| r.subject != Subject::Var(name.clone()));
            link(&mut g, i, refs, RefContext::plain(), &mut diags);
        }
    }
    for (name, l) in &config.locals {
        let i = g.add(Node::Local(name.clone()));
        link(&mut g, i, references::of_expr(&l.expr), RefContext::plain(), &mut diags);
    }
    for (name, o) in &config.outputs {
        let i = g.add(Node::Output(name.clone()));
        let mut refs = references::of_expr(&o.value);
        for d in &o.depends_on {
            refs.extend(references::of_expr(d));
        }
        for rule in &o.preconditions {
            refs.extend(references::of_expr(&rule.condition));
            refs.extend(references::of_expr(&rule.error_message));
        }
        link(&mut g, i, refs, RefContext::plain(), &mut diags);
    }
    for (key, p) in &config.providers {
        let i = g.add(Node::Provider(key.clone()));
        link(&mut g, i, references::of_body(p.body.file, &p.body.body), RefContext::plain(), &mut diags);
    }
    for (addr, r) in &config.resources {
        let i = g.add(Node::Resource(addr.clone()));
        let ctx =
            RefContext { count: r.count.is_some(), each: r.for_each.is_some(), self_ok: false, allow_self: false };
        let mut refs = references::of_body(r.body.file, &r.body.body);
        for d in &r.depends_on {
            refs.extend(references::of_expr(d));
        }
        for rule in &r.lifecycle.preconditions {
            refs.extend(references::of_expr(&rule.condition));
            refs.extend(references::of_expr(&rule.error_message));
        }
        for e in &r.lifecycle.replace_triggered_by {
            refs.extend(references::of_expr(e));
        }
        link(&mut g, i, refs, ctx, &mut diags);
        // count and for_each cannot use count/each themselves.
        let meta: Vec<&Expr> = r.count.iter().chain(r.for_each.iter()).collect();
        for e in meta {
            link(&mut g, i, references::of_expr(e), RefContext::plain(), &mut diags);
        }
        let post = RefContext { self_ok: true, ..ctx };
        for rule in &r.lifecycle.postconditions {
            let mut refs = references::of_expr(&rule.condition);
            refs.extend(references::of_expr(&rule.error_message));
            link(&mut g, i, refs, post, &mut diags);
        }
    }

    // 3. Cycles.
    diags.extend(g.check_cycles(&|n| node_range(config, n)));
    (g, diags)
}

fn unknown_provider(name: &str, available: &[String], range: SourceRange) -> Diagnostic {
    let hint = did_you_mean(name, available.iter().map(String::as_str)).unwrap_or_default();
    Diagnostic::error(
        "Provider not available",
        format!(
            "terrane has no provider named \"{name}\".{hint} The providers built into this terrane are: {}.",
            available.join(", ")
        ),
    )
    .at(range)
}

/// The declaration range of a node, for diagnostics.
pub fn node_range(config: &Config, n: &Node) -> Option<SourceRange> {
    match n {
        Node::Variable(v) => config.variables.get(v).map(|v| v.range.clone()),
        Node::Local(l) => config.locals.get(l).map(|l| l.expr.range()),
        Node::Output(o) => config.outputs.get(o).map(|o| o.range.clone()),
        Node::Resource(r) => config.resources.get(r).map(|r| r.range.clone()),
        Node::Provider(p) => config.providers.get(p).map(|p| p.range.clone()),
        Node::Destroy(..) => None,
    }
}

#[derive(Clone, Copy)]
struct RefContext {
    count: bool,
    each: bool,
    self_ok: bool,
    allow_self: bool,
}

impl RefContext {
    fn plain() -> RefContext {
        RefContext { count: false, each: false, self_ok: false, allow_self: false }
    }
}

/// The graph node a reference names, `None` for references without a node (`count.index`,
/// `path.module`), or an error for references to undeclared objects.
fn resolve(config: &Config, r: &Reference, ctx: RefContext) -> Result<Option<Node>, Diagnostic> {
    let err = |summary: &str, detail: String| Err(Diagnostic::error(summary, detail).at(r.range.clone()));
    match &r.subject {
        Subject::Var(name) => {
            if config.variables.contains_key(name) {
                Ok(Some(Node::Variable(name.clone())))
            } else {
                let hint = did_you_mean(name, config.variables.keys().map(String::as_str)).unwrap_or_default();
                err(
                    "Reference to undeclared input variable",
                    format!("An input variable with the name \"{name}\" has not been declared.{hint} This variable can be declared with a variable \"{name}\" {{}} block."),
                )
            }
        }
        Subject::Local(name) => {
            if config.locals.contains_key(name) {
                Ok(Some(Node::Local(name.clone())))
            } else {
                let hint = did_you_mean(name, config.locals.keys().map(String::as_str)).unwrap_or_default();
                err("Reference to undeclared local value", format!("A local value with the name \"{name}\" has not been declared.{hint}"))
            }
        }
        Subject::Resource(addr) => {
            if config.resources.contains_key(addr) {
                Ok(Some(Node::Resource(addr.clone())))
            } else {
                let same_kind: Vec<String> = config
                    .resources
                    .keys()
                    .filter(|a| a.mode == addr.mode)
                    .map(|a| if a.mode == Mode::Data { format!("data.{}.{}", a.type_name, a.name) } else { format!("{}.{}", a.type_name, a.name) })
                    .collect();
                let hint = did_you_mean(&addr.to_string(), same_kind.iter().map(String::as_str)).unwrap_or_default();
                let kind = if addr.mode == Mode::Data { "data resource" } else { "managed resource" };
                err(
                    "Reference to undeclared resource",
                    format!("A {kind} \"{}\" \"{}\" has not been declared in the root module.{hint}", addr.type_name, addr.name),
                )
            }
        }
        Subject::Module(name) => err(
            "Reference to undeclared module",
            format!("No module call named \"{name}\" is declared in the root module."),
        ),
        Subject::CountIndex if !ctx.count => err(
            "Reference to \"count\" in non-counted context",
            "The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.".into(),
        ),
        Subject::EachKey | Subject::EachValue if !ctx.each => err(
            "Reference to \"each\" in context without for_each",
            "The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.".into(),
        ),
        Subject::SelfRef if !ctx.self_ok => err(
            "Invalid \"self\" reference",
            "The \"self\" object can be used only in a resource's postcondition blocks.".into(),
        ),
        _ => Ok(None),
    }
}

/// The graph nodes of the resources named by `-target` addresses; errors for addresses that
/// name nothing in the configuration or state.
pub fn target_nodes(g: &Graph, targets: &[Target]) -> Vec<NodeIndex> {
    g.nodes()
        .filter(|(_, n)| match n {
            Node::Resource(r) => targets.iter().any(|t| t.contains_resource(r)),
            Node::Destroy(i, _) => targets.iter().any(|t| t.contains(i)),
            _ => false,
        })
        .map(|(i, _)| i)
        .collect()
}

/// The provider configuration key of a resource only known from state.
pub fn state_provider_key(provider_address: &str, type_name: &str) -> String {
    match parse_provider_address(provider_address) {
        Some((name, alias)) => provider_key(&name, alias.as_deref()),
        None => implied_provider(type_name).to_string(),
    }
}

#[cfg(test)]
mod tests;
