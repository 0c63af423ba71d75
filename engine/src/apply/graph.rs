//! The apply graph: the configuration graph plus one node per object to delete, ordered so
//! that dependents are deleted before what they depend on, a destroy-then-create replacement
//! deletes before it creates, a create-before-destroy replacement deletes only after its
//! dependents point at the new object, and a resource that stops referring to a deleted one
//! is updated before the deletion.

use crate::addr::ResourceAddr;
use crate::context::Context;
use crate::diag::Diagnostics;
use crate::graph::{Graph, Node, node_range};
use crate::plan::planner::restrict_to_targets;
use crate::plan::{Action, Plan, PlanMode};
use crate::state::State;
use petgraph::stable_graph::NodeIndex;
use std::collections::HashMap;

pub(super) fn build(ctx: &Context, plan: &Plan, state: &State) -> (Graph, Diagnostics) {
    let (mut g, mut diags) = ctx.graph(state);
    if diags.has_errors() {
        return (g, diags);
    }
    if !plan.targets.is_empty() {
        let targets: Vec<_> = plan.targets.iter().filter_map(|t| crate::addr::parse_target(t).ok()).collect();
        restrict_to_targets(&mut g, &targets, plan.mode == PlanMode::Destroy);
    }
    // Which resources each resource's recorded objects depend on, and the reverse.
    let mut state_deps: HashMap<ResourceAddr, Vec<ResourceAddr>> = HashMap::new();
    for (addr, r) in &state.resources {
        // Dependencies are recorded as configuration (static) addresses.
        let deps = state_deps.entry(addr.static_addr()).or_default();
        for inst in r.instances.values() {
            for obj in inst.current.iter().chain(inst.deposed.values()) {
                deps.extend(obj.dependencies.iter().cloned());
            }
        }
        deps.sort();
        deps.dedup();
    }
    let mut state_dependents: HashMap<&ResourceAddr, Vec<&ResourceAddr>> = HashMap::new();
    for (a, deps) in &state_deps {
        for d in deps {
            state_dependents.entry(d).or_default().push(a);
        }
    }

    let mut destroys: HashMap<ResourceAddr, Vec<NodeIndex>> = HashMap::new();
    for c in plan.changes.iter().filter(|c| c.action.deletes()) {
        let d = g.add(Node::Destroy(c.addr.clone(), c.deposed.clone()));
        let block = c.addr.resource.static_addr();
        destroys.entry(block.clone()).or_default().push(d);
        let p = g.add(Node::Provider(c.provider.clone()));
        g.edge(p, d);
        let res_node = g.get(&Node::Resource(block.clone()));
        match (c.action, c.deposed.is_some(), res_node) {
            (Action::DeleteThenCreate, false, Some(r)) => g.edge(d, r),
            (Action::CreateThenDelete, false, Some(r)) => {
                g.edge(r, d);
                // Dependents are updated to use the new object before the old one goes.
                let dependents: Vec<NodeIndex> = g.closure(&[r], petgraph::Direction::Outgoing).into_iter().collect();
                for dep in dependents {
                    if dep != d && matches!(g.node(dep), Node::Resource(_)) {
                        g.edge(dep, d);
                    }
                }
            }
            _ => {
                // A resource that referred to the deleted one is updated (to stop referring
                // to it) before the deletion.
                if let Some(users) = state_dependents.get(&block) {
                    for u in users {
                        if let Some(ui) = g.get(&Node::Resource((*u).clone()))
                            && Some(ui) != res_node
                        {
                            g.edge(ui, d);
                        }
                    }
                }
            }
        }
    }
    // Dependents are deleted before what they depend on (per recorded dependencies, and per
    // configuration for objects being replaced).
    let destroy_list: Vec<(ResourceAddr, Vec<NodeIndex>)> =
        destroys.iter().map(|(a, v)| (a.clone(), v.clone())).collect();
    for (addr, nodes) in &destroy_list {
        let mut deps: Vec<ResourceAddr> = state_deps.get(addr).cloned().unwrap_or_default();
        if let Some(ri) = g.get(&Node::Resource(addr.clone())) {
            deps.extend(g.resource_dependencies(ri));
        }
        deps.sort();
        deps.dedup();
        for dep in deps {
            if &dep == addr {
                continue;
            }
            if let Some(targets) = destroys.get(&dep) {
                for &from in nodes {
                    for &to in targets {
                        g.edge(from, to);
                    }
                }
            }
        }
    }
    diags.extend(g.check_cycles(&|n| node_range(&ctx.config, n)));
    (g, diags)
}
