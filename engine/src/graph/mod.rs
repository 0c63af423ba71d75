//! The dependency graph: one node per variable, local, output, resource block and provider
//! configuration; an edge from each object to every object that refers to it. Built in small
//! steps (nodes, reference edges, provider edges), checked for cycles, walked in parallel.

mod walk;

pub use walk::{NodeOutcome, Permits, WalkControl, walk};

use crate::addr::{InstanceAddr, Mode, ResourceAddr, Target};
use crate::config::{Config, Expr, implied_provider, module_display, provider_key};
use crate::diag::{Diagnostic, Diagnostics, SourceRange, did_you_mean};
use crate::eval::references::{self, Reference, Subject};
use crate::plan::{Action, Plan};
use crate::state::{State, parse_provider_address};
use petgraph::Direction;
use petgraph::stable_graph::{NodeIndex, StableDiGraph};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// Nodes of variables, locals, outputs and module calls carry the static path of their
/// module (the names of the module calls, empty at the root); resource nodes carry static
/// addresses (module path without instance keys). Each such node stands for the object in
/// every instance of its module.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Variable(Vec<String>, String),
    Local(Vec<String>, String),
    Output(Vec<String>, String),
    /// A module call (its path ends with the call's name): expands its instances.
    Module(Vec<String>),
    /// A `check` block's assertions.
    Check(Vec<String>, String),
    /// A resource or data block (all its instances).
    Resource(ResourceAddr),
    /// A provider configuration, by key (`aws`, `aws.west`).
    Provider(String),
    /// Deleting one object (apply graphs only): an instance, or one of its deposed objects.
    Destroy(InstanceAddr, Option<String>),
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = |p: &[String]| if p.is_empty() { String::new() } else { format!("{}.", module_display(p)) };
        match self {
            Node::Variable(p, n) => write!(f, "{}var.{n}", prefix(p)),
            Node::Local(p, n) => write!(f, "{}local.{n}", prefix(p)),
            Node::Output(p, n) => write!(f, "{}output.{n}", prefix(p)),
            Node::Module(p) => write!(f, "{}", module_display(p)),
            Node::Check(p, n) => write!(f, "{}check.{n}", prefix(p)),
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
    /// Every edge, to tell an edge already there in O(1): petgraph's `find_edge` walks the
    /// whole edge list of a node, which made building a graph quadratic in the number of
    /// dependents of one node (a provider with 40,000 resources: 1.3 s of a 100k plan).
    edges: HashSet<(NodeIndex, NodeIndex)>,
    /// How many of the errors found while building are references to undeclared variables,
    /// locals or resources. Those read as unknown, so a plan can still evaluate everything
    /// else and report all its errors at once, as Terraform's validate walk does.
    pub unresolved: usize,
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
        if from != to && self.edges.insert((from, to)) {
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
        // The index may be given to a node added later: forget the edges it had.
        let incoming: Vec<NodeIndex> = self.dependencies(i).collect();
        let outgoing: Vec<NodeIndex> = self.dependents(i).collect();
        for d in incoming {
            self.edges.remove(&(d, i));
        }
        for d in outgoing {
            self.edges.remove(&(i, d));
        }
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
                Node::Local(..) | Node::Variable(..) | Node::Output(..) | Node::Module(_) => {
                    stack.extend(self.dependencies(n))
                }
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
                Node::Variable(..) | Node::Local(..) | Node::Output(..) | Node::Check(..) => "note",
                Node::Module(_) => "component",
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
                Node::Variable(..) | Node::Local(..) | Node::Output(..) | Node::Check(..) => {
                    format!("([\"{label}\"])")
                }
                Node::Module(_) => format!("[[\"{label}\"]]"),
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
            let actions = marks.entry(Node::Resource(c.addr.resource.static_addr())).or_default();
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
        Action::Read | Action::NoOp | Action::Forget => 0,
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
            Action::Forget => "forget",
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

/// Builds the graph of a configuration tree, adding provider nodes for resources only in
/// state. Reports references to undeclared objects, misuse of `count`/`each`/`self`, unknown
/// resource types and providers, and cycles.
pub fn build(config: &Config, state: &State, opts: &BuildOptions<'_>) -> (Graph, Diagnostics) {
    let mut g = Graph::default();
    let mut diags = Diagnostics::new();
    let modules = config.modules();
    // Errors in the arguments of module calls, by the called module's path.
    let mut call_errors: Vec<(Vec<String>, Diagnostics)> = Vec::new();

    // 1. Nodes.
    for m in &modules {
        let p = &m.path;
        for name in m.variables.keys() {
            g.add(Node::Variable(p.clone(), name.clone()));
        }
        for name in m.locals.keys() {
            g.add(Node::Local(p.clone(), name.clone()));
        }
        for name in m.outputs.keys() {
            g.add(Node::Output(p.clone(), name.clone()));
        }
        for c in &m.checks {
            g.add(Node::Check(p.clone(), c.name.clone()));
        }
        for name in m.children.keys() {
            g.add(Node::Module(child_path(p, name)));
        }
    }
    for key in config.providers.keys() {
        g.add(Node::Provider(key.clone()));
    }
    for m in &modules {
        for (addr, r) in &m.resources {
            let ri = g.add(Node::Resource(static_in(addr, &m.path)));
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
    let link =
        |g: &mut Graph, m: &Config, to: NodeIndex, refs: Vec<Reference>, ctx: RefContext, diags: &mut Diagnostics| {
            for r in refs {
                match resolve(m, &r, ctx) {
                    Ok(nodes) => {
                        for node in nodes {
                            let from = g.add(node);
                            if from == to && !ctx.allow_self {
                                let d = match g.node(to) {
                                    Node::Local(..) => Diagnostic::error(
                                        "Self-referencing local value",
                                        format!(
                                            "Local value {} cannot use its own result as part of its expression.",
                                            r.subject
                                        ),
                                    ),
                                    _ => Diagnostic::error(
                                        "Self-referential block",
                                        format!("Configuration for {} may not refer to itself.", r.subject),
                                    ),
                                };
                                diags.push(d.at(r.range.clone()));
                            } else {
                                g.edge(from, to);
                            }
                        }
                    }
                    Err(d) => {
                        if matches!(r.subject, Subject::Var(_) | Subject::Local(_) | Subject::Resource(_)) {
                            g.unresolved += 1;
                        }
                        diags.push(called_from(config, &m.path, d))
                    }
                }
            }
        };
    for m in &modules {
        let p = &m.path;
        // Everything in a module instance waits for the call that expands it.
        let call = (!p.is_empty()).then(|| g.add(Node::Module(p.clone())));
        let inside = |g: &mut Graph, i: NodeIndex| {
            if let Some(c) = call {
                g.edge(c, i);
            }
        };
        for (name, v) in &m.variables {
            let i = g.add(Node::Variable(p.clone(), name.clone()));
            inside(&mut g, i);
            for rule in &v.validations {
                let mut refs = references::of_expr(&rule.condition);
                refs.extend(references::of_expr(&rule.error_message));
                // A validation may refer to its own variable.
                refs.retain(|r| r.subject != Subject::Var(name.clone()));
                link(&mut g, m, i, refs, RefContext::plain(), &mut diags);
            }
        }
        for (name, l) in &m.locals {
            let i = g.add(Node::Local(p.clone(), name.clone()));
            inside(&mut g, i);
            link(&mut g, m, i, references::of_expr(&l.expr), RefContext::plain(), &mut diags);
        }
        for (name, o) in &m.outputs {
            let i = g.add(Node::Output(p.clone(), name.clone()));
            inside(&mut g, i);
            let mut refs = references::of_expr(&o.value);
            for d in &o.depends_on {
                refs.extend(references::of_expr(d));
            }
            for rule in &o.preconditions {
                refs.extend(references::of_expr(&rule.condition));
                refs.extend(references::of_expr(&rule.error_message));
            }
            link(&mut g, m, i, refs, RefContext::plain(), &mut diags);
        }
        for c in &m.checks {
            let i = g.add(Node::Check(p.clone(), c.name.clone()));
            inside(&mut g, i);
            let mut refs = Vec::new();
            for rule in &c.asserts {
                refs.extend(references::of_expr(&rule.condition));
                refs.extend(references::of_expr(&rule.error_message));
            }
            link(&mut g, m, i, refs, RefContext::plain(), &mut diags);
        }
        if p.is_empty() {
            for (key, pb) in &m.providers {
                let i = g.add(Node::Provider(key.clone()));
                link(&mut g, m, i, references::of_body(pb.body.file, &pb.body.body), RefContext::plain(), &mut diags);
            }
            for imp in &m.imports {
                // The id is evaluated when the target resource is planned.
                if let crate::addr::Target::Resource(r)
                | crate::addr::Target::Instance(crate::addr::InstanceAddr { resource: r, .. }) = &imp.to
                    && let Some(ri) = g.get(&Node::Resource(r.static_addr()))
                {
                    let each = imp.for_each.is_some();
                    let mut refs = references::of_expr(&imp.id);
                    refs.extend(imp.key.iter().flat_map(references::of_expr));
                    let ctx = RefContext { each, ..RefContext::plain() };
                    link(&mut g, m, ri, refs, ctx, &mut diags);
                    if let Some(fe) = &imp.for_each {
                        link(&mut g, m, ri, references::of_expr(fe), RefContext::plain(), &mut diags);
                    }
                }
            }
        }
        for (addr, r) in &m.resources {
            let i = g.add(Node::Resource(static_in(addr, p)));
            inside(&mut g, i);
            let ctx =
                RefContext { count: r.count.is_some(), each: r.for_each.is_some(), self_ok: false, allow_self: false };
            let mut refs = references::of_body(r.body.file, &r.body.body);
            for rule in &r.lifecycle.preconditions {
                refs.extend(references::of_expr(&rule.condition));
                refs.extend(references::of_expr(&rule.error_message));
            }
            for e in &r.lifecycle.replace_triggered_by {
                refs.extend(references::of_expr(e));
            }
            link(&mut g, m, i, refs, ctx, &mut diags);
            depends_on_edges(&mut g, m, i, &r.depends_on, &mut diags);
            // count and for_each cannot use count/each themselves.
            let meta: Vec<&Expr> = r.count.iter().chain(r.for_each.iter()).collect();
            for e in meta {
                link(&mut g, m, i, references::of_expr(e), RefContext::plain(), &mut diags);
            }
            let post = RefContext { self_ok: true, ..ctx };
            for rule in &r.lifecycle.postconditions {
                let mut refs = references::of_expr(&rule.condition);
                refs.extend(references::of_expr(&rule.error_message));
                link(&mut g, m, i, refs, post, &mut diags);
            }
        }
        for (name, child) in &m.children {
            let call_decl = &m.module_calls[name];
            let cp = child_path(p, name);
            let ci = g.add(Node::Module(cp.clone()));
            inside(&mut g, ci);
            let meta: Vec<&Expr> = call_decl.count.iter().chain(call_decl.for_each.iter()).collect();
            for e in meta {
                link(&mut g, m, ci, references::of_expr(e), RefContext::plain(), &mut diags);
            }
            depends_on_edges(&mut g, m, ci, &call_decl.depends_on, &mut diags);
            let ctx = RefContext {
                count: call_decl.count.is_some(),
                each: call_decl.for_each.is_some(),
                self_ok: false,
                allow_self: false,
            };
            // The call's arguments decoded against the child's variables, as HCL's
            // `Body.Content` does in Terraform's ModuleVariableTransformer.
            let mut content = Diagnostics::new();
            for (vname, v) in &child.variables {
                if v.default.is_none() && !call_decl.args.contains_key(vname) {
                    content.push(
                        Diagnostic::error(
                            "Missing required argument",
                            format!("The argument \"{vname}\" is required, but no definition was found."),
                        )
                        .at(call_decl.body_start.clone()),
                    );
                }
            }
            for (arg, e) in &call_decl.args {
                if !child.variables.contains_key(arg) {
                    let unset = child.variables.keys().filter(|v| !call_decl.args.contains_key(*v));
                    let hint = crate::hcl::name_suggestion(arg, unset.map(String::as_str))
                        .map(|s| format!(" Did you mean {}?", crate::cty::ty::go_quote(s)))
                        .unwrap_or_default();
                    content.push(
                        Diagnostic::error(
                            "Unsupported argument",
                            format!("An argument named {} is not expected here.{hint}", crate::cty::ty::go_quote(arg)),
                        )
                        .at(call_decl.arg_names.get(arg).cloned().unwrap_or_else(|| e.range())),
                    );
                    continue;
                }
                // Input variables are evaluated in the caller's scope.
                let vi = g.add(Node::Variable(cp.clone(), arg.clone()));
                link(&mut g, m, vi, references::of_expr(e), ctx, &mut diags);
            }
            if content.has_errors() {
                call_errors.push((cp.clone(), content));
            }
            for (_, parent_key, range) in &call_decl.providers {
                if p.is_empty() && parent_key.contains('.') && !config.providers.contains_key(parent_key) {
                    diags.push(
                        Diagnostic::error(
                            "Provider configuration not present",
                            format!("The module call passes provider configuration {parent_key}, which is not declared. Add a provider block with alias = \"{}\".", parent_key.split_once('.').map(|x| x.1).unwrap_or_default()),
                        )
                        .at(range.clone()),
                    );
                }
            }
        }
    }

    // 3. Cycles.
    diags.extend(g.check_cycles(&|n| node_range(config, n)));
    // Terraform stops building its graph at the first module call whose arguments do not
    // decode, and reports only that call's errors. It visits calls depth first, a module's
    // calls before the module itself (in map order; terrane sorts by name).
    if let Some((_, errors)) = call_errors.into_iter().min_by(|(a, _), (b, _)| post_order(a, b)) {
        let mut out: Diagnostics = Diagnostics(diags.0.into_iter().filter(|d| !d.is_error()).collect());
        out.extend(errors);
        g.unresolved = 0;
        return (g, out);
    }
    (g, diags)
}

/// The order of module paths in a depth-first walk that visits children before parents.
fn post_order(a: &[String], b: &[String]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    b.len().cmp(&a.len())
}

/// A diagnostic about a module's content, with a note pointing at the call that brought the
/// module in.
pub fn called_from(root: &Config, path: &[String], d: Diagnostic) -> Diagnostic {
    let Some((name, parent)) = path.split_last() else { return d };
    match root.module(parent).and_then(|p| p.module_calls.get(name)) {
        Some(call) => d.with_related(call.range.clone(), format!("in {}, called here", module_display(path))),
        None => d,
    }
}

fn child_path(p: &[String], name: &str) -> Vec<String> {
    let mut c = p.to_vec();
    c.push(name.to_string());
    c
}

/// A module-relative resource address as a static graph address.
fn static_in(addr: &ResourceAddr, path: &[String]) -> ResourceAddr {
    ResourceAddr {
        module: path
            .iter()
            .map(|n| crate::addr::ModuleStep { name: n.clone(), key: crate::addr::InstanceKey::None })
            .collect(),
        ..addr.clone()
    }
}

/// `depends_on`: on a resource, a module (everything in it), or any other object.
fn depends_on_edges(g: &mut Graph, m: &Config, to: NodeIndex, list: &[Expr], diags: &mut Diagnostics) {
    for e in list {
        if let Some(range) = references::beyond_object(e) {
            diags.push(
                Diagnostic::error(
                    "Invalid depends_on reference",
                    "References in depends_on must be to a whole object (resource, etc), not to an attribute of an object.",
                )
                .at(range),
            );
            continue;
        }
        let refs = references::of_expr(e);
        for r in refs {
            if let Subject::Module(name) = &r.subject
                && m.children.contains_key(name)
            {
                let cp = child_path(&m.path, name);
                let inner: Vec<NodeIndex> = g
                    .nodes()
                    .filter(|(_, n)| match n {
                        Node::Resource(a) => a.module_names().starts_with(&cp),
                        Node::Output(p, _) => p.starts_with(&cp),
                        _ => false,
                    })
                    .map(|(i, _)| i)
                    .collect();
                for i in inner {
                    g.edge(i, to);
                }
                continue;
            }
            match resolve(m, &r, RefContext::plain()) {
                Ok(nodes) => {
                    for n in nodes {
                        let from = g.add(n);
                        g.edge(from, to);
                    }
                }
                Err(d) => diags.push(d),
            }
        }
    }
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
        Node::Variable(p, v) => config.module(p)?.variables.get(v).map(|v| v.range.clone()),
        Node::Local(p, l) => config.module(p)?.locals.get(l).map(|l| l.expr.range()),
        Node::Output(p, o) => config.module(p)?.outputs.get(o).map(|o| o.range.clone()),
        Node::Check(p, c) => config.module(p)?.checks.iter().find(|x| &x.name == c).map(|c| c.range.clone()),
        Node::Module(p) => {
            let (name, parent) = p.split_last()?;
            config.module(parent)?.module_calls.get(name).map(|c| c.range.clone())
        }
        Node::Resource(r) => config.resource_at(r).map(|r| r.range.clone()),
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

/// Checks that a reference outside any resource (a console line) names a declared object,
/// with the errors the graph reports.
pub fn validate_reference(m: &Config, r: &Reference) -> Result<(), Diagnostic> {
    resolve(m, r, RefContext::plain()).map(|_| ())
}

/// The graph nodes a reference in module `m` names (none for `count.index`, `path.module`,
/// ...; every output of a module call), or an error for references to undeclared objects.
fn resolve(m: &Config, r: &Reference, ctx: RefContext) -> Result<Vec<Node>, Diagnostic> {
    let err = |summary: &str, detail: String| Err(Diagnostic::error(summary, detail).at(r.range.clone()));
    let p = &m.path;
    let here = if p.is_empty() { "the root module".to_string() } else { module_display(p) };
    match &r.subject {
        Subject::Var(name) => {
            if m.variables.contains_key(name) {
                Ok(vec![Node::Variable(p.clone(), name.clone())])
            } else {
                let hint = did_you_mean(name, m.variables.keys().map(String::as_str)).unwrap_or_default();
                err(
                    "Reference to undeclared input variable",
                    format!("An input variable with the name \"{name}\" has not been declared.{hint} This variable can be declared with a variable \"{name}\" {{}} block."),
                )
            }
        }
        Subject::Local(name) => {
            if m.locals.contains_key(name) {
                Ok(vec![Node::Local(p.clone(), name.clone())])
            } else {
                let hint = did_you_mean(name, m.locals.keys().map(String::as_str)).unwrap_or_default();
                err("Reference to undeclared local value", format!("A local value with the name \"{name}\" has not been declared.{hint}"))
            }
        }
        Subject::Resource(addr) => {
            if m.resources.contains_key(addr) {
                Ok(vec![Node::Resource(static_in(addr, p))])
            } else {
                let same_kind: Vec<String> = m
                    .resources
                    .keys()
                    .filter(|a| a.mode == addr.mode)
                    .map(|a| if a.mode == Mode::Data { format!("data.{}.{}", a.type_name, a.name) } else { format!("{}.{}", a.type_name, a.name) })
                    .collect();
                let hint = did_you_mean(&addr.to_string(), same_kind.iter().map(String::as_str)).unwrap_or_default();
                let kind = if addr.mode == Mode::Data { "data resource" } else { "managed resource" };
                err(
                    "Reference to undeclared resource",
                    format!("A {kind} \"{}\" \"{}\" has not been declared in {here}.{hint}", addr.type_name, addr.name),
                )
            }
        }
        Subject::Module(name) => match m.children.get(name) {
            Some(child) => {
                let cp = child_path(p, name);
                // `module.x.out` depends on that output; `module.x` on all of them.
                let attr = match r.rest.first() {
                    Some(crate::value::PathStep::Attr(a)) => Some(a.clone()),
                    _ => None,
                };
                match attr {
                    Some(a) if child.outputs.contains_key(&a) => Ok(vec![Node::Output(cp, a)]),
                    Some(a) if child.module_calls.is_empty() || !child.outputs.is_empty() => {
                        let hint = did_you_mean(&a, child.outputs.keys().map(String::as_str)).unwrap_or_default();
                        err(
                            "Unsupported attribute",
                            format!("This object does not have an attribute named \"{a}\": {} declares no output \"{a}\".{hint}", module_display(&cp)),
                        )
                    }
                    _ => {
                        let mut out: Vec<Node> = child.outputs.keys().map(|o| Node::Output(cp.clone(), o.clone())).collect();
                        out.push(Node::Module(cp));
                        Ok(out)
                    }
                }
            }
            None => {
                let hint = did_you_mean(name, m.module_calls.keys().map(String::as_str)).unwrap_or_default();
                err(
                    "Reference to undeclared module",
                    format!("No module call named \"{name}\" is declared in {here}.{hint}"),
                )
            }
        },
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
        _ => Ok(Vec::new()),
    }
}

/// The graph nodes of the resources named by `-target` addresses; errors for addresses that
/// name nothing in the configuration or state.
pub fn target_nodes(g: &Graph, targets: &[Target]) -> Vec<NodeIndex> {
    g.nodes()
        .filter(|(_, n)| match n {
            Node::Resource(r) => targets.iter().any(|t| t.names_resource_block(r)),
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
