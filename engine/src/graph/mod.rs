//! The dependency graph: one node per variable, local, output, resource block and provider
//! configuration; an edge from each object to every object that refers to it. Built by small
//! passes ([`build`]), checked for cycles, walked in parallel ([`walk`]), rendered for
//! `terrane graph` ([`render`]).

mod build;
mod refs;
mod render;
mod walk;

pub use build::{BuildOptions, build};
pub use refs::validate_reference;
pub use render::NodeMarks;
pub use walk::{NodeOutcome, Permits, WalkControl, walk};

use crate::Hasher;
use crate::addr::{InstanceAddr, ResourceAddr, Target};
use crate::config::{Config, implied_provider, module_display, provider_key};
use crate::diag::{Diagnostic, Diagnostics, SourceRange};
use crate::state::parse_provider_address;
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
    index: HashMap<Node, NodeIndex, Hasher>,
    /// Every edge, to tell an edge already there in O(1): petgraph's `find_edge` walks the
    /// whole edge list of a node, which made building a graph quadratic in the number of
    /// dependents of one node (a provider with 40,000 resources: 1.3 s of a 100k plan).
    edges: HashSet<(NodeIndex, NodeIndex), Hasher>,
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
