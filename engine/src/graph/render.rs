//! Renderings of the graph: DOT and Mermaid (`terrane graph`), and the graph narrowed to a
//! plan's changes with each node marked by what the plan does to it.

use super::{Graph, Node};
use crate::plan::{Action, Plan};
use petgraph::stable_graph::NodeIndex;
use std::collections::{HashMap, HashSet};

impl Graph {
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
pub(super) fn mermaid_escape(s: &str) -> String {
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
