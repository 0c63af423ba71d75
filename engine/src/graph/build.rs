//! Building the graph of a configuration tree, as a sequence of passes, each one concept (as
//! OpenTofu's graph transformers): the nodes of the configuration's blocks, the providers of
//! objects only in state, the containment of a module's objects in its call, the edges of
//! expression references and of `depends_on`; then the checks, each a pass of its own:
//! resource types and providers, module call arguments, provider configurations passed to
//! modules, cycles.

use super::refs::resolve;
use super::{Graph, Node, called_from, child_path, node_range, static_in};
use crate::addr::{Mode, Target};
use crate::config::{Config, Expr, provider_key};
use crate::diag::{Diagnostic, Diagnostics, SourceRange, did_you_mean};
use crate::eval::references::{self, Reference, Subject};
use crate::state::{State, parse_provider_address};
use petgraph::stable_graph::NodeIndex;

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
    let mut b = Builder { config, modules: config.modules(), g: Graph::default(), diags: Diagnostics::new() };
    b.block_nodes();
    b.state_providers(state);
    b.module_containment();
    b.reference_edges();
    b.depends_on_edges();
    let Builder { mut g, mut diags, .. } = b;
    diags.extend(check_resource_types(config, opts));
    diags.extend(check_providers(&g, config, opts));
    diags.extend(check_provider_passing(config));
    diags.extend(g.check_cycles(&|n| node_range(config, n)));
    // Terraform stops building its graph at the first module call whose arguments do not
    // decode, and reports only that call's errors. It visits calls depth first, a module's
    // calls before the module itself (in map order; terrane sorts by name).
    if let Some((_, errors)) = check_module_arguments(config).into_iter().min_by(|(a, _), (b, _)| post_order(a, b)) {
        let mut out: Diagnostics = Diagnostics(diags.0.into_iter().filter(|d| !d.is_error()).collect());
        out.extend(errors);
        g.unresolved = 0;
        return (g, out);
    }
    (g, diags)
}

struct Builder<'a> {
    config: &'a Config,
    modules: Vec<&'a Config>,
    g: Graph,
    diags: Diagnostics,
}

impl Builder<'_> {
    /// One node per variable, local, output, check, module call, provider configuration and
    /// resource block; each resource waits for its provider configuration.
    fn block_nodes(&mut self) {
        let g = &mut self.g;
        for m in &self.modules {
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
        for key in self.config.providers.keys() {
            g.add(Node::Provider(key.clone()));
        }
        for m in &self.modules {
            for (addr, r) in &m.resources {
                let ri = g.add(Node::Resource(static_in(addr, &m.path)));
                let pi = g.add(Node::Provider(r.provider.clone()));
                g.edge(pi, ri);
            }
        }
    }

    /// Providers of resources that are only in state (to refresh and delete them).
    fn state_providers(&mut self, state: &State) {
        for r in state.resources.values() {
            if let Some((name, alias)) = parse_provider_address(&r.provider) {
                self.g.add(Node::Provider(provider_key(&name, alias.as_deref())));
            }
        }
    }

    /// Everything in a module waits for the call that expands its instances.
    fn module_containment(&mut self) {
        let g = &mut self.g;
        for m in self.modules.iter().filter(|m| !m.path.is_empty()) {
            let p = &m.path;
            let call = g.add(Node::Module(p.clone()));
            let mut inside: Vec<Node> = Vec::new();
            inside.extend(m.variables.keys().map(|n| Node::Variable(p.clone(), n.clone())));
            inside.extend(m.locals.keys().map(|n| Node::Local(p.clone(), n.clone())));
            inside.extend(m.outputs.keys().map(|n| Node::Output(p.clone(), n.clone())));
            inside.extend(m.checks.iter().map(|c| Node::Check(p.clone(), c.name.clone())));
            inside.extend(m.resources.keys().map(|a| Node::Resource(static_in(a, p))));
            inside.extend(m.children.keys().map(|n| Node::Module(child_path(p, n))));
            for n in inside {
                let i = g.add(n);
                g.edge(call, i);
            }
        }
    }

    /// An edge from every object an expression refers to, to the object the expression
    /// belongs to.
    fn reference_edges(&mut self) {
        for m in self.modules.clone() {
            let p = &m.path;
            for (name, v) in &m.variables {
                let i = self.g.add(Node::Variable(p.clone(), name.clone()));
                for rule in &v.validations {
                    let mut refs = references::of_expr(&rule.condition);
                    refs.extend(references::of_expr(&rule.error_message));
                    // A validation may refer to its own variable.
                    refs.retain(|r| r.subject != Subject::Var(name.clone()));
                    self.link(m, i, refs);
                }
            }
            for (name, l) in &m.locals {
                let i = self.g.add(Node::Local(p.clone(), name.clone()));
                self.link(m, i, references::of_expr(&l.expr));
            }
            for (name, o) in &m.outputs {
                let i = self.g.add(Node::Output(p.clone(), name.clone()));
                let mut refs = references::of_expr(&o.value);
                for d in &o.depends_on {
                    refs.extend(references::of_expr(d));
                }
                for rule in &o.preconditions {
                    refs.extend(references::of_expr(&rule.condition));
                    refs.extend(references::of_expr(&rule.error_message));
                }
                self.link(m, i, refs);
            }
            for c in &m.checks {
                let i = self.g.add(Node::Check(p.clone(), c.name.clone()));
                let mut refs = Vec::new();
                for rule in &c.asserts {
                    refs.extend(references::of_expr(&rule.condition));
                    refs.extend(references::of_expr(&rule.error_message));
                }
                self.link(m, i, refs);
            }
            if p.is_empty() {
                for (key, pb) in &m.providers {
                    let i = self.g.add(Node::Provider(key.clone()));
                    self.link(m, i, references::of_body(pb.body.file, &pb.body.body));
                }
                for imp in &m.imports {
                    // The id is evaluated when the target resource is planned.
                    if let Target::Resource(r) | Target::Instance(crate::addr::InstanceAddr { resource: r, .. }) =
                        &imp.to
                        && let Some(ri) = self.g.get(&Node::Resource(r.static_addr()))
                    {
                        let mut refs = references::of_expr(&imp.id);
                        refs.extend(imp.key.iter().flat_map(references::of_expr));
                        self.link(m, ri, refs);
                        if let Some(fe) = &imp.for_each {
                            self.link(m, ri, references::of_expr(fe));
                        }
                    }
                }
            }
            for (addr, r) in &m.resources {
                let i = self.g.add(Node::Resource(static_in(addr, p)));
                let mut refs = references::of_body(r.body.file, &r.body.body);
                for rule in &r.lifecycle.preconditions {
                    refs.extend(references::of_expr(&rule.condition));
                    refs.extend(references::of_expr(&rule.error_message));
                }
                for e in &r.lifecycle.replace_triggered_by {
                    refs.extend(references::of_expr(e));
                }
                self.link(m, i, refs);
                // count and for_each cannot use count/each themselves.
                for e in r.count.iter().chain(r.for_each.iter()) {
                    self.link(m, i, references::of_expr(e));
                }
                for rule in &r.lifecycle.postconditions {
                    let mut refs = references::of_expr(&rule.condition);
                    refs.extend(references::of_expr(&rule.error_message));
                    self.link(m, i, refs);
                }
            }
            for (name, child) in &m.children {
                let call = &m.module_calls[name];
                let cp = child_path(p, name);
                let ci = self.g.add(Node::Module(cp.clone()));
                for e in call.count.iter().chain(call.for_each.iter()) {
                    self.link(m, ci, references::of_expr(e));
                }
                // Input variables are evaluated in the caller's scope.
                for (arg, e) in call.args.iter().filter(|(a, _)| child.variables.contains_key(*a)) {
                    let vi = self.g.add(Node::Variable(cp.clone(), arg.clone()));
                    self.link(m, vi, references::of_expr(e));
                }
            }
        }
    }

    /// Edges from what `refs` (in module `m`) name to node `to`; errors for references to
    /// what is not declared, and for blocks that refer to themselves.
    fn link(&mut self, m: &Config, to: NodeIndex, refs: Vec<Reference>) {
        let g = &mut self.g;
        for r in refs {
            match resolve(m, &r) {
                Ok(nodes) => {
                    for node in nodes {
                        let from = g.add(node);
                        if from == to {
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
                            self.diags.push(d.at(r.range.clone()));
                        } else {
                            g.edge(from, to);
                        }
                    }
                }
                Err(d) => {
                    if matches!(r.subject, Subject::Var(_) | Subject::Local(_) | Subject::Resource(_)) {
                        g.unresolved += 1;
                    }
                    self.diags.push(called_from(self.config, &m.path, d))
                }
            }
        }
    }

    /// `depends_on` of resources and module calls.
    fn depends_on_edges(&mut self) {
        for m in self.modules.clone() {
            for (addr, r) in &m.resources {
                let i = self.g.add(Node::Resource(static_in(addr, &m.path)));
                depends_on_edges(&mut self.g, m, i, &r.depends_on, &mut self.diags);
            }
            for name in m.children.keys() {
                let ci = self.g.add(Node::Module(child_path(&m.path, name)));
                depends_on_edges(&mut self.g, m, ci, &m.module_calls[name].depends_on, &mut self.diags);
            }
        }
    }
}

/// Resource types the providers do not offer, and providers this binary does not have.
fn check_resource_types(config: &Config, opts: &BuildOptions<'_>) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for m in config.modules() {
        for (addr, r) in &m.resources {
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
    diags
}

/// Provider configurations (`provider` blocks) for providers this binary does not have.
fn check_providers(g: &Graph, config: &Config, opts: &BuildOptions<'_>) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for (_, n) in g.nodes() {
        let Node::Provider(key) = n else { continue };
        let name = key.split('.').next().unwrap_or_default();
        if (opts.resource_types)(name, Mode::Managed).is_none() && config.providers.contains_key(key) {
            diags.push(unknown_provider(name, &opts.provider_names, config.providers[key].range.clone()));
        }
    }
    diags
}

/// Provider configurations a module call passes that the root module does not declare.
fn check_provider_passing(config: &Config) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for call in config.module_calls.values() {
        for (_, parent_key, range) in &call.providers {
            if parent_key.contains('.') && !config.providers.contains_key(parent_key) {
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
    diags
}

/// The arguments of every module call decoded against the called module's variables, as
/// HCL's `Body.Content` does in Terraform's ModuleVariableTransformer: errors by the called
/// module's path.
fn check_module_arguments(config: &Config) -> Vec<(Vec<String>, Diagnostics)> {
    let mut out = Vec::new();
    for m in config.modules() {
        for (name, child) in &m.children {
            let call = &m.module_calls[name];
            let mut content = Diagnostics::new();
            for (vname, v) in &child.variables {
                if v.default.is_none() && !call.args.contains_key(vname) {
                    content.push(
                        Diagnostic::error(
                            "Missing required argument",
                            format!("The argument \"{vname}\" is required, but no definition was found."),
                        )
                        .at(call.body_start.clone()),
                    );
                }
            }
            for (arg, e) in call.args.iter().filter(|(a, _)| !child.variables.contains_key(*a)) {
                let unset = child.variables.keys().filter(|v| !call.args.contains_key(*v));
                let hint = crate::hcl::name_suggestion(arg, unset.map(String::as_str))
                    .map(|s| format!(" Did you mean {}?", crate::cty::ty::go_quote(s)))
                    .unwrap_or_default();
                content.push(
                    Diagnostic::error(
                        "Unsupported argument",
                        format!("An argument named {} is not expected here.{hint}", crate::cty::ty::go_quote(arg)),
                    )
                    .at(call.arg_names.get(arg).cloned().unwrap_or_else(|| e.range())),
                );
            }
            if content.has_errors() {
                out.push((child_path(&m.path, name), content));
            }
        }
    }
    out
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
            match resolve(m, &r) {
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
