//! Moving recorded objects to new addresses: `moved` blocks (applied to the state before a plan
//! is made) and `terrane state mv` share [`move_objects`].

use super::Move;
use crate::addr::{InstanceAddr, InstanceKey, ModuleStep, ResourceAddr, Target};
use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics, SourceRange};
use crate::state::{EachMode, ObjectState, ResourceState, State};

/// Moves what `from` names in `state` to `to`: a whole resource, one instance, or every
/// resource of a module instance. Returns each instance moved; an error when nothing fits
/// or the destination is taken.
pub fn move_objects(state: &mut State, from: &Target, to: &Target) -> Result<Vec<Move>, String> {
    match (from, to) {
        (Target::Module(f), Target::Module(t)) => {
            let affected: Vec<ResourceAddr> =
                state.resources.keys().filter(|a| a.module.starts_with(f)).cloned().collect();
            if affected.is_empty() {
                return Err(format!("no objects are recorded in {from}"));
            }
            let mut plan = Vec::new();
            for a in &affected {
                let mut module: Vec<ModuleStep> = t.clone();
                module.extend_from_slice(&a.module[f.len()..]);
                let dest = a.in_module(&module);
                if state.resources.contains_key(&dest) {
                    return Err(format!("{dest} already exists in the state"));
                }
                plan.push((a.clone(), dest));
            }
            let mut moves = Vec::new();
            for (a, dest) in plan {
                let rs = state.resources.remove(&a).expect("listed");
                for k in rs.instances.keys() {
                    moves.push(Move { from: a.instance(k.clone()), to: dest.instance(k.clone()) });
                }
                state.resources.insert(dest, rs);
            }
            Ok(moves)
        }
        (Target::Resource(f), Target::Resource(t)) => {
            if f.mode != t.mode || f.type_name != t.type_name {
                return Err(format!("{from} and {to} are of different resource types"));
            }
            let Some(rs) = state.resources.get(f) else { return Err(format!("{from} is not in the state")) };
            if state.resources.contains_key(t) {
                return Err(format!("{to} already exists in the state"));
            }
            let moves =
                rs.instances.keys().map(|k| Move { from: f.instance(k.clone()), to: t.instance(k.clone()) }).collect();
            let rs = state.resources.remove(f).expect("checked");
            state.resources.insert(t.clone(), rs);
            Ok(moves)
        }
        (Target::Resource(_) | Target::Instance(_), Target::Resource(_) | Target::Instance(_)) => {
            let f = as_instance(from);
            let t = as_instance(to);
            if f.resource.mode != t.resource.mode || f.resource.type_name != t.resource.type_name {
                return Err(format!("{from} and {to} are of different resource types"));
            }
            let objects = state
                .resources
                .get_mut(&f.resource)
                .and_then(|r| r.instances.remove(&f.key))
                .ok_or_else(|| format!("{f} is not in the state"))?;
            let provider = state.resources.get(&f.resource).map(|r| r.provider.clone()).unwrap_or_default();
            if state.resources.get(&t.resource).is_some_and(|r| r.instances.contains_key(&t.key)) {
                // Put it back: nothing moves.
                state.resources.get_mut(&f.resource).expect("exists").instances.insert(f.key.clone(), objects);
                return Err(format!("{t} already exists in the state"));
            }
            if state.resources.get(&f.resource).is_some_and(|r| r.instances.is_empty()) {
                state.resources.remove(&f.resource);
            }
            let dest = state.resources.entry(t.resource.clone()).or_insert_with(|| ResourceState {
                provider,
                each: each_of(&t.key),
                instances: Default::default(),
            });
            dest.each = each_of(&t.key);
            dest.instances.insert(t.key.clone(), objects);
            Ok(vec![Move { from: f, to: t }])
        }
        _ => Err(format!("cannot move {from} to {to}: a module moves only to a module, a resource only to a resource")),
    }
}

fn as_instance(t: &Target) -> InstanceAddr {
    match t {
        Target::Instance(i) => i.clone(),
        Target::Resource(r) => r.instance(InstanceKey::None),
        Target::Module(_) => unreachable!("checked by the caller"),
    }
}

fn each_of(k: &InstanceKey) -> EachMode {
    match k {
        InstanceKey::None => EachMode::Single,
        InstanceKey::Int(_) => EachMode::List,
        InstanceKey::Str(_) => EachMode::Map,
    }
}

/// What a move endpoint selects, relative to the module that declares the statement
/// (Terraform's `relSubject`): all instances of a module call, one module instance, a whole
/// resource, or one resource instance. Module steps before the subject are exact instances.
#[derive(Clone, Debug, PartialEq)]
pub enum Subject {
    Call { prefix: Vec<ModuleStep>, name: String },
    ModuleInstance(Vec<ModuleStep>),
    Resource(ResourceAddr),
    Instance(InstanceAddr),
}

/// A move endpoint as it applies in every instance of the declaring module `module`.
#[derive(Clone, Debug, PartialEq)]
pub struct Endpoint {
    pub module: Vec<String>,
    pub subject: Subject,
}

/// One `moved` block, or a move implied by adding or removing `count`.
#[derive(Clone, Debug)]
pub struct Statement {
    pub from: Endpoint,
    pub to: Endpoint,
    pub range: SourceRange,
    pub implied: bool,
}

/// A step of a module path pattern: `None` matches any instance key.
type Step = (String, Option<InstanceKey>);

fn exact(steps: &[ModuleStep]) -> impl Iterator<Item = Step> + '_ {
    steps.iter().map(|s| (s.name.clone(), Some(s.key.clone())))
}

fn module_display(steps: &[ModuleStep]) -> String {
    steps.iter().map(|s| format!("module.{}{}", s.name, s.key)).collect::<Vec<_>>().join(".")
}

fn same_resource(a: &ResourceAddr, b: &ResourceAddr) -> bool {
    a.mode == b.mode && a.type_name == b.type_name && a.name == b.name
}

impl Subject {
    fn is_module(&self) -> bool {
        matches!(self, Subject::Call { .. } | Subject::ModuleInstance(_))
    }
}

impl std::fmt::Display for Subject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Subject::Call { prefix, name } => {
                let mut steps = prefix.clone();
                steps.push(ModuleStep { name: name.clone(), key: InstanceKey::None });
                write!(f, "{}", module_display(&steps))
            }
            Subject::ModuleInstance(m) => write!(f, "{}", module_display(m)),
            Subject::Resource(r) => write!(f, "{r}"),
            Subject::Instance(i) => write!(f, "{i}"),
        }
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for m in &self.module {
            write!(f, "module.{m}[*].")?;
        }
        write!(f, "{}", self.subject)?;
        if matches!(self.subject, Subject::Call { .. } | Subject::Resource(_)) {
            write!(f, "[*]")?;
        }
        Ok(())
    }
}

impl Endpoint {
    /// The full module path this endpoint selects in (Terraform's synthModuleInstance).
    fn synth(&self) -> Vec<Step> {
        let mut out: Vec<Step> = self.module.iter().map(|m| (m.clone(), None)).collect();
        match &self.subject {
            Subject::ModuleInstance(m) => out.extend(exact(m)),
            Subject::Call { prefix, name } => {
                out.extend(exact(prefix));
                out.push((name.clone(), None));
            }
            Subject::Resource(r) => out.extend(exact(&r.module)),
            Subject::Instance(i) => out.extend(exact(&i.resource.module)),
        }
        out
    }

    fn selects_module(&self, addr: &[ModuleStep]) -> bool {
        let synth = self.synth();
        synth.len() == addr.len()
            && synth.iter().zip(addr).all(|((n, k), s)| n == &s.name && k.as_ref().is_none_or(|k| k == &s.key))
    }

    fn selects_resource(&self, addr: &ResourceAddr) -> bool {
        let rel = match &self.subject {
            Subject::Resource(r) => r,
            Subject::Instance(i) => &i.resource,
            _ => return false,
        };
        self.selects_module(&addr.module) && same_resource(rel, addr)
    }

    fn can_chain_from(&self, other: &Endpoint) -> bool {
        let (e, o) = (self.synth(), other.synth());
        if e.len() != o.len() || !can_match(&o, &e) {
            return false;
        }
        match (&other.subject, &self.subject) {
            (a, b) if a.is_module() && b.is_module() => true,
            (Subject::Resource(o), Subject::Resource(e)) => same_resource(o, e),
            (Subject::Instance(o), Subject::Instance(e)) => same_resource(&o.resource, &e.resource) && o.key == e.key,
            _ => false,
        }
    }

    fn nested_within(&self, other: &Endpoint) -> bool {
        let (e, o) = (self.synth(), other.synth());
        if o.len() > e.len() || !can_match(&o, &e) {
            return false;
        }
        match (&other.subject, &self.subject) {
            (Subject::Call { .. }, Subject::Call { .. }) => e.len() > o.len(),
            (Subject::Call { .. }, _) => true,
            (Subject::ModuleInstance(_), Subject::ModuleInstance(_) | Subject::Call { .. }) => e.len() > o.len(),
            (Subject::ModuleInstance(_), _) => true,
            (Subject::Resource(o_r), Subject::Instance(e_i)) => e.len() == o.len() && same_resource(&e_i.resource, o_r),
            _ => false,
        }
    }

    /// Splits a module instance path into the declaring module's instance and the rest.
    fn split_prefix<'m>(&self, inst: &'m [ModuleStep]) -> Option<(&'m [ModuleStep], &'m [ModuleStep])> {
        if self.module.len() > inst.len() || !self.module.iter().zip(inst).all(|(n, s)| n == &s.name) {
            return None;
        }
        Some(inst.split_at(self.module.len()))
    }

    /// The absolute address this endpoint names in one instance of its declaring module.
    fn in_module_instance(&self, inst: &[ModuleStep]) -> Abs {
        let join = |m: &[ModuleStep]| [inst, m].concat();
        match &self.subject {
            Subject::Call { prefix, name } => Abs::Call(join(prefix), name.clone()),
            Subject::ModuleInstance(m) => Abs::ModuleInstance(join(m)),
            Subject::Resource(r) => Abs::Resource(r.in_module(&join(&r.module))),
            Subject::Instance(i) => Abs::Instance(InstanceAddr {
                resource: i.resource.in_module(&join(&i.resource.module)),
                key: i.key.clone(),
            }),
        }
    }
}

fn can_match(a: &[Step], b: &[Step]) -> bool {
    a.iter().zip(b).all(|((an, ak), (bn, bk))| an == bn && (ak.is_none() || bk.is_none() || ak == bk))
}

/// An absolute movable address (Terraform's AbsMoveable).
#[derive(Clone, Debug, PartialEq)]
enum Abs {
    Call(Vec<ModuleStep>, String),
    ModuleInstance(Vec<ModuleStep>),
    Resource(ResourceAddr),
    Instance(InstanceAddr),
}

impl std::fmt::Display for Abs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Abs::Call(p, n) => {
                write!(f, "{}", Subject::Call { prefix: p.clone(), name: n.clone() })
            }
            Abs::ModuleInstance(m) => write!(f, "{}", module_display(m)),
            Abs::Resource(r) => write!(f, "{r}"),
            Abs::Instance(i) => write!(f, "{i}"),
        }
    }
}

/// Where a module instance moves under a module statement, if it matches.
fn module_destination(m: &[ModuleStep], from: &Endpoint, to: &Endpoint) -> Option<Vec<ModuleStep>> {
    if m.is_empty() || !from.subject.is_module() {
        return None;
    }
    let (prefix, rel) = from.split_prefix(m)?;
    let (new, suffix): (Vec<ModuleStep>, &[ModuleStep]) = match (&from.subject, &to.subject) {
        (Subject::ModuleInstance(f), Subject::ModuleInstance(t)) => {
            if f.len() > rel.len() || f[..] != rel[..f.len()] {
                return None;
            }
            (t.clone(), &rel[f.len()..])
        }
        (Subject::Call { prefix: fp, name: fname }, Subject::Call { prefix: tp, name: tname }) => {
            if rel.is_empty() || fp.len() > rel.len() - 1 || fp[..] != rel[..fp.len()] {
                return None;
            }
            let call = &rel[fp.len()];
            if &call.name != fname {
                return None;
            }
            let mut new = tp.clone();
            new.push(ModuleStep { name: tname.clone(), key: call.key.clone() });
            (new, &rel[fp.len() + 1..])
        }
        _ => return None,
    };
    Some([prefix, &new[..], suffix].concat())
}

/// Where a whole recorded resource moves under a statement, if it matches.
fn resource_destination(r: &ResourceAddr, from: &Endpoint, to: &Endpoint) -> Option<ResourceAddr> {
    if from.subject.is_module() {
        return module_destination(&r.module, from, to).map(|m| r.in_module(&m));
    }
    let (Subject::Resource(f), Subject::Resource(t)) = (&from.subject, &to.subject) else { return None };
    if !same_resource(f, r) {
        return None;
    }
    let (prefix, rel) = from.split_prefix(&r.module)?;
    if rel != &f.module[..] {
        return None;
    }
    Some(t.in_module(&[prefix, &t.module[..]].concat()))
}

/// Where one recorded instance moves under a statement, if it matches.
fn instance_destination(i: &InstanceAddr, from: &Endpoint, to: &Endpoint) -> Option<InstanceAddr> {
    match (&from.subject, &to.subject) {
        (Subject::Call { .. } | Subject::ModuleInstance(_), _) => module_destination(&i.resource.module, from, to)
            .map(|m| InstanceAddr { resource: i.resource.in_module(&m), key: i.key.clone() }),
        (Subject::Resource(_), _) => {
            resource_destination(&i.resource, from, to).map(|r| InstanceAddr { resource: r, key: i.key.clone() })
        }
        (Subject::Instance(f), Subject::Instance(t)) => {
            if !same_resource(&f.resource, &i.resource) || f.key != i.key {
                return None;
            }
            let (prefix, rel) = from.split_prefix(&i.resource.module)?;
            if rel != &f.resource.module[..] {
                return None;
            }
            Some(InstanceAddr {
                resource: t.resource.in_module(&[prefix, &t.resource.module[..]].concat()),
                key: t.key.clone(),
            })
        }
        _ => None,
    }
}

/// Terraform's UnifyMoveEndpoints: both endpoints of one kind, whole objects when both
/// name whole objects, instances otherwise.
fn unify(module: &[String], from: &Target, to: &Target) -> Option<(Endpoint, Endpoint)> {
    let ep = |subject| Endpoint { module: module.to_vec(), subject };
    match (from, to) {
        (Target::Module(f), Target::Module(t)) if !f.is_empty() && !t.is_empty() => {
            let keyed = |m: &[ModuleStep]| !m.last().expect("non-empty").key.is_none();
            if keyed(f) || keyed(t) {
                Some((ep(Subject::ModuleInstance(f.clone())), ep(Subject::ModuleInstance(t.clone()))))
            } else {
                let call = |m: &[ModuleStep]| {
                    let (last, prefix) = m.split_last().expect("non-empty");
                    Subject::Call { prefix: prefix.to_vec(), name: last.name.clone() }
                };
                Some((ep(call(f)), ep(call(t))))
            }
        }
        (Target::Resource(_) | Target::Instance(_), Target::Resource(_) | Target::Instance(_)) => {
            let inst = |t: &Target| match t {
                Target::Instance(i) => i.clone(),
                Target::Resource(r) => r.instance(InstanceKey::None),
                Target::Module(_) => unreachable!("matched above"),
            };
            if matches!(from, Target::Instance(_)) || matches!(to, Target::Instance(_)) {
                Some((ep(Subject::Instance(inst(from))), ep(Subject::Instance(inst(to)))))
            } else {
                let (Target::Resource(f), Target::Resource(t)) = (from, to) else { unreachable!() };
                Some((ep(Subject::Resource(f.clone())), ep(Subject::Resource(t.clone()))))
            }
        }
        _ => None,
    }
}

/// Every `moved` block of the configuration (Terraform's FindMoveStatements), then the
/// moves implied by adding `count` to, or removing it from, a recorded resource
/// (ImpliedMoveStatements).
pub fn find_statements(config: &Config, state: &State) -> Vec<Statement> {
    let mut out = Vec::new();
    for m in config.modules() {
        for mv in &m.moved {
            if let Some((from, to)) = unify(&m.path, &mv.from, &mv.to) {
                out.push(Statement { from, to, range: mv.range.clone(), implied: false });
            }
        }
    }
    let explicit = out.len();
    for m in config.modules() {
        for (addr, rs) in &state.resources {
            if addr.module.len() != m.path.len() || !addr.module.iter().zip(&m.path).all(|(s, n)| &s.name == n) {
                continue;
            }
            let Some(res) = m.resources.get(&addr.relative()) else { continue };
            let (from_key, to_key, range) = match (&res.count, &res.for_each) {
                (Some(c), _) if rs.instances.contains_key(&InstanceKey::None) => {
                    (InstanceKey::None, InstanceKey::Int(0), c.range())
                }
                (None, None) if rs.instances.contains_key(&InstanceKey::Int(0)) => {
                    (InstanceKey::Int(0), InstanceKey::None, res.range.clone())
                }
                _ => continue,
            };
            if out[..explicit].iter().any(|s| s.from.selects_resource(addr) || s.to.selects_resource(addr)) {
                continue;
            }
            let ep = |key| Endpoint { module: Vec::new(), subject: Subject::Instance(addr.instance(key)) };
            out.push(Statement { from: ep(from_key), to: ep(to_key), range, implied: true });
        }
    }
    out
}

/// Whether statement `a` must run after statement `b`.
fn depends_on(a: &Statement, b: &Statement) -> bool {
    if a.from.can_chain_from(&b.to) {
        return true;
    }
    if !(a.from.nested_within(&b.to)
        || a.to.nested_within(&b.to)
        || b.from.nested_within(&a.from)
        || b.to.nested_within(&a.from))
    {
        return false;
    }
    if a.to.module.len() >= b.to.module.len() {
        return true;
    }
    !is_module_reindex(&a.from, &a.to)
}

fn is_module_reindex(from: &Endpoint, to: &Endpoint) -> bool {
    let names = |s: &Subject| -> Option<Vec<String>> {
        match s {
            Subject::Call { prefix, name } => {
                Some(prefix.iter().map(|s| s.name.clone()).chain(std::iter::once(name.clone())).collect())
            }
            Subject::ModuleInstance(m) => Some(m.iter().map(|s| s.name.clone()).collect()),
            _ => None,
        }
    };
    match (names(&from.subject), names(&to.subject)) {
        (Some(f), Some(t)) => {
            !matches!((&from.subject, &to.subject), (Subject::Call { .. }, Subject::Call { .. })) && f == t
        }
        _ => false,
    }
}

/// The dependency edges between statements: `edges[a]` lists the statements `a` runs after.
fn graph(stmts: &[Statement]) -> Vec<Vec<usize>> {
    (0..stmts.len())
        .map(|a| (0..stmts.len()).filter(|&b| a != b && depends_on(&stmts[a], &stmts[b])).collect())
        .collect()
}

/// The strongly connected components with more than one statement (Tarjan).
fn cycles(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct T<'e> {
        edges: &'e [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(t: &mut T<'_>, v: usize) {
        t.index[v] = Some(t.next);
        t.low[v] = t.next;
        t.next += 1;
        t.stack.push(v);
        t.on[v] = true;
        for &w in &t.edges[v] {
            match t.index[w] {
                None => {
                    visit(t, w);
                    t.low[v] = t.low[v].min(t.low[w]);
                }
                Some(i) if t.on[w] => t.low[v] = t.low[v].min(i),
                _ => {}
            }
        }
        if Some(t.low[v]) == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on[w] = false;
                comp.push(w);
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                t.out.push(comp);
            }
        }
    }
    let n = edges.len();
    let mut t = T {
        edges,
        index: vec![None; n],
        low: vec![0; n],
        on: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if t.index[v].is_none() {
            visit(&mut t, v);
        }
    }
    t.out
}

fn location(config: &Config, r: &SourceRange) -> String {
    match config.sources.get(r.file) {
        Some(f) => {
            let (l, c) = crate::diag::line_col(&f.text, r.span.start);
            format!("{}:{l},{c}", f.name)
        }
        None => String::new(),
    }
}

fn cycle_diags(config: &Config, stmts: &[Statement], edges: &[Vec<usize>]) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for cycle in cycles(edges) {
        let mut lines: Vec<String> = cycle
            .iter()
            .map(|&i| format!("\n  - {}: {} → {}", location(config, &stmts[i].range), stmts[i].from, stmts[i].to))
            .collect();
        lines.sort();
        diags.push(Diagnostic::error(
            "Cyclic dependency in move statements",
            format!(
                "The following chained move statements form a cycle, and so there is no final location to move objects to:{}\n\nA chain of move statements must end with an address that doesn't appear in any other statements, and which typically also refers to an object still declared in the configuration.",
                lines.concat()
            ),
        ));
    }
    diags
}

/// What applying the statements did: each instance moved (a chain recorded once, first
/// address to last), and each move not made because its destination was taken.
#[derive(Debug, Default)]
pub struct MoveResults {
    pub moves: Vec<Move>,
    /// (the object's address, where it should have moved), in the order found.
    pub blocked: Vec<(String, String)>,
    /// Instances moved to another resource type: their objects still hold the source type's
    /// attributes until the destination's provider converts them ([`convert_cross_type`]).
    pub cross_type: Vec<(Move, SourceRange)>,
}

impl MoveResults {
    fn record(&mut self, old: InstanceAddr, new: InstanceAddr) {
        let from = match self.moves.iter().position(|m| m.to == old) {
            Some(p) => self.moves.remove(p).from,
            None => old,
        };
        self.moves.push(Move { from, to: new });
    }

    fn block(&mut self, actual: String, wanted: String) {
        self.blocked.retain(|(a, _)| a != &actual);
        self.blocked.push((actual, wanted));
    }

    /// Terraform's warning about moves blocked by objects already at their destination.
    pub fn blocked_warning(&self) -> Option<Diagnostic> {
        if self.blocked.is_empty() {
            return None;
        }
        let items: String = self.blocked.iter().map(|(a, w)| format!("\n  - {a} could not move to {w}")).collect();
        Some(Diagnostic::warning(
            "Unresolved resource instance address changes",
            format!(
                "terrane tried to adjust resource instance addresses in the prior state based on change information recorded in the configuration, but some adjustments did not succeed due to existing objects already at the intended addresses:{items}\n\nterrane has planned to destroy these objects. If terrane's proposed changes aren't appropriate, you must first resolve the conflicts using the \"terrane state\" subcommands and then create a new plan."
            ),
        ))
    }
}

fn module_instances_in(state: &State) -> Vec<Vec<ModuleStep>> {
    let mut out: Vec<Vec<ModuleStep>> = state.resources.keys().map(|a| a.module.clone()).collect();
    out.sort();
    out.dedup();
    out
}

/// Applies the statements to `state` (Terraform's ApplyMoves): in dependency order, each to
/// every recorded object it matches. Statements that form a cycle move nothing.
pub fn apply_statements(config: &Config, stmts: &[Statement], state: &mut State) -> MoveResults {
    let mut res = MoveResults::default();
    if stmts.is_empty() {
        return res;
    }
    let edges = graph(stmts);
    if cycle_diags(config, stmts, &edges).has_errors() {
        return res;
    }
    // Dependencies first; statements in declaration order otherwise.
    let mut order = Vec::new();
    let mut done = vec![false; stmts.len()];
    fn post(v: usize, edges: &[Vec<usize>], done: &mut Vec<bool>, order: &mut Vec<usize>) {
        if done[v] {
            return;
        }
        done[v] = true;
        for &w in &edges[v] {
            post(w, edges, done, order);
        }
        order.push(v);
    }
    for v in 0..stmts.len() {
        post(v, &edges, &mut done, &mut order);
    }
    for i in order {
        let stmt = &stmts[i];
        for m in module_instances_in(state) {
            if stmt.from.subject.is_module() {
                let Some(new) = module_destination(&m, &stmt.from, &stmt.to) else { continue };
                if state.resources.keys().any(|a| a.module == new) {
                    res.block(module_display(&m), module_display(&new));
                    continue;
                }
                let here: Vec<ResourceAddr> = state.resources.keys().filter(|a| a.module == m).cloned().collect();
                for a in here {
                    let rs = state.resources.remove(&a).expect("listed");
                    let dest = a.in_module(&new);
                    for k in rs.instances.keys() {
                        res.record(a.instance(k.clone()), dest.instance(k.clone()));
                    }
                    state.resources.insert(dest, rs);
                }
                continue;
            }
            if !stmt.from.selects_module(&m) {
                continue;
            }
            let here: Vec<ResourceAddr> = state.resources.keys().filter(|a| a.module == m).cloned().collect();
            for a in here {
                if let Some(dest) = resource_destination(&a, &stmt.from, &stmt.to) {
                    if state.resources.contains_key(&dest) {
                        res.block(a.to_string(), dest.to_string());
                        continue;
                    }
                    let rs = state.resources.remove(&a).expect("listed");
                    for k in rs.instances.keys() {
                        res.record(a.instance(k.clone()), dest.instance(k.clone()));
                        if a.type_name != dest.type_name {
                            let m = Move { from: a.instance(k.clone()), to: dest.instance(k.clone()) };
                            res.cross_type.push((m, stmt.range.clone()));
                        }
                    }
                    state.resources.insert(dest, rs);
                    continue;
                }
                let keys: Vec<InstanceKey> =
                    state.resources.get(&a).map(|r| r.instances.keys().cloned().collect()).unwrap_or_default();
                for k in keys {
                    let inst = a.instance(k);
                    let Some(dest) = instance_destination(&inst, &stmt.from, &stmt.to) else { continue };
                    if state.resources.get(&dest.resource).is_some_and(|r| r.instances.contains_key(&dest.key)) {
                        res.block(inst.to_string(), dest.to_string());
                        continue;
                    }
                    let src = state.resources.get_mut(&a).expect("listed");
                    let objects = src.instances.remove(&inst.key).expect("listed");
                    let provider = src.provider.clone();
                    if src.instances.is_empty() {
                        state.resources.remove(&a);
                    }
                    let d = state.resources.entry(dest.resource.clone()).or_insert_with(|| ResourceState {
                        provider,
                        each: each_of(&dest.key),
                        instances: Default::default(),
                    });
                    d.each = each_of(&dest.key);
                    d.instances.insert(dest.key.clone(), objects);
                    if inst.resource.type_name != dest.resource.type_name {
                        res.cross_type.push((Move { from: inst.clone(), to: dest.clone() }, stmt.range.clone()));
                    }
                    res.record(inst, dest);
                }
            }
        }
    }
    res
}

/// Converts the objects that `moved` blocks took to another resource type (Terraform's
/// cross-type moves, 1.8 and later): the destination's provider rewrites each one's recorded
/// attributes as its own type (`MoveResourceState`), and the resource is recorded under that
/// provider. A provider that does not offer it stops the plan with Terraform's error.
pub(crate) async fn convert_cross_type(
    ctx: &crate::context::Context,
    state: &mut State,
    moved: &[(Move, SourceRange)],
) -> Diagnostics {
    let mut diags = Diagnostics::new();
    for (m, range) in moved {
        if m.to.resource.mode != crate::addr::Mode::Managed || m.from.resource.mode != crate::addr::Mode::Managed {
            continue; // data sources are read again, never moved across types
        }
        // The destination's provider: its configuration's, else the one its type implies
        // (the recorded one is still the source's).
        let key = ctx
            .config
            .resource_at(&m.to.resource)
            .map(|r| r.provider.clone())
            .unwrap_or_else(|| crate::config::implied_provider(&m.to.resource.type_name).to_string());
        let target_address = ctx.provider_address(&key);
        let Some(rs) = state.resources.get(&m.to.resource) else { continue };
        let source_provider = crate::state::provider_address_source(&rs.provider).unwrap_or_default().to_string();
        let provider = ctx.providers.get(&key);
        let Some(provider) = provider.filter(|p| p.can_move_state()) else {
            let source = ctx.provider_source(&key);
            diags.push(
                Diagnostic::error(
                    "Unsupported `moved` across resource types",
                    format!("The provider \"{source}\" does not support moved operations across resource types and providers."),
                )
                .at(range.clone()),
            );
            continue;
        };
        let Some(schema) = ctx.resource_schema(&key, &m.to.resource) else { continue };
        let rs = state.resources.get_mut(&m.to.resource).expect("looked up");
        let Some(inst) = rs.instances.get_mut(&m.to.key) else { continue };
        for obj in inst.current.iter_mut().chain(inst.deposed.values_mut()) {
            let private = obj.private_bytes();
            let source_state = obj.attributes.to_json();
            let req = crate::provider::MoveRequest {
                source_provider: &source_provider,
                source_type: &m.from.resource.type_name,
                source_schema_version: obj.schema_version,
                source_state: &source_state,
                source_private: private.as_deref(),
                target_type: &m.to.resource.type_name,
            };
            match provider.move_state(req).await {
                Ok(moved) => {
                    let (attributes, sensitive) = crate::state::object_from_value(&moved.new_state, &schema.block);
                    obj.attributes = attributes;
                    obj.sensitive_paths = sensitive;
                    obj.schema_version = schema.version;
                    obj.private = ObjectState::encode_private(moved.private.as_deref());
                }
                Err(e) => diags.push(
                    Diagnostic::error(
                        e.summary.clone().unwrap_or_else(|| "Failed to move resource state".into()),
                        e.message,
                    )
                    .at(range.clone()),
                ),
            }
        }
        rs.provider = target_address;
    }
    diags
}

/// The instances the plan declared, for [`validate_statements`].
pub trait Declared {
    /// Every instance of the module at a static path (the root: one, empty).
    fn module_instances(&self, path: &[String]) -> Vec<Vec<ModuleStep>>;
    /// The instance keys of a resource in one module instance; `None` when it was not
    /// declared there.
    fn resource_keys(&self, addr: &ResourceAddr) -> Option<Vec<InstanceKey>>;
}

/// Terraform's ValidateMoves, once the plan knows which instances the configuration declares.
pub fn validate_statements(config: &Config, stmts: &[Statement], declared: &dyn Declared) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if stmts.is_empty() {
        return diags;
    }
    let names = |m: &[ModuleStep]| m.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
    let module_exists = |m: &[ModuleStep]| declared.module_instances(&names(m)).iter().any(|i| i == m);
    let exists = |a: &Abs| match a {
        Abs::ModuleInstance(m) => module_exists(m),
        Abs::Call(parent, name) => {
            module_exists(parent) && config.module(&names(parent)).is_some_and(|c| c.module_calls.contains_key(name))
        }
        Abs::Resource(r) => declared.resource_keys(r).is_some(),
        Abs::Instance(i) => declared.resource_keys(&i.resource).is_some_and(|k| k.contains(&i.key)),
    };
    let decl_range = |a: &Abs| -> Option<SourceRange> {
        match a {
            Abs::ModuleInstance(m) => {
                let (last, parent) = m.split_last()?;
                let call = config.module(&names(parent))?.module_calls.get(&last.name)?;
                Some(match (&call.for_each, &call.count) {
                    (Some(e), _) | (None, Some(e)) => e.range(),
                    _ => call.range.clone(),
                })
            }
            Abs::Call(parent, name) => Some(config.module(&names(parent))?.module_calls.get(name)?.range.clone()),
            Abs::Instance(i) => {
                let r = config.module(&names(&i.resource.module))?.resources.get(&i.resource.relative())?;
                Some(match (&r.for_each, &r.count) {
                    (Some(e), _) | (None, Some(e)) => e.range(),
                    _ => r.range.clone(),
                })
            }
            Abs::Resource(a) => Some(config.module(&names(&a.module))?.resources.get(&a.relative())?.range.clone()),
        }
    };
    let mut stmt_from: Vec<(Abs, Abs, SourceRange)> = Vec::new();
    let mut stmt_to: Vec<(Abs, Abs, SourceRange)> = Vec::new();
    for stmt in stmts {
        for inst in declared.module_instances(&stmt.from.module) {
            let from = stmt.from.in_module_instance(&inst);
            let to = stmt.to.in_module_instance(&inst);
            if from == to {
                diags.push(
                    Diagnostic::error(
                        "Redundant move statement",
                        format!("This statement declares a move from {from} to the same address, which is the same as not declaring this move at all."),
                    )
                    .at(stmt.range.clone()),
                );
                continue;
            }
            let (noun, short) = match from {
                Abs::ModuleInstance(_) => ("module instance", "instance"),
                Abs::Call(..) => ("module call", "call"),
                Abs::Instance(_) => ("resource instance", "instance"),
                Abs::Resource(_) => ("resource", "resource"),
            };
            if exists(&from) {
                let at = decl_range(&from).map(|r| format!(" at {}", location(config, &r))).unwrap_or_default();
                diags.push(
                    Diagnostic::error(
                        "Moved object still exists",
                        format!("This statement declares a move from {from}, but that {noun} is still declared{at}.\n\nChange your configuration so that this {short} will be declared as {to} instead."),
                    )
                    .at(stmt.range.clone()),
                );
            }
            match stmt_from.iter().find(|(f, _, _)| f == &from) {
                Some((_, other, r)) => {
                    if other != &to {
                        diags.push(
                            Diagnostic::error(
                                "Ambiguous move statements",
                                format!("A statement at {} declared that {from} moved to {other}, but this statement instead declares that it moved to {to}.\n\nEach {noun} can move to only one destination {short}.", location(config, r)),
                            )
                            .at(stmt.range.clone()),
                        );
                    }
                }
                None => stmt_from.push((from.clone(), to.clone(), stmt.range.clone())),
            }
            match stmt_to.iter().find(|(t, _, _)| t == &to) {
                Some((_, other, r)) => {
                    if other != &from {
                        diags.push(
                            Diagnostic::error(
                                "Ambiguous move statements",
                                format!("A statement at {} declared that {other} moved to {to}, but this statement instead declares that {from} moved there.\n\nEach {noun} can have moved from only one source {short}.", location(config, r)),
                            )
                            .at(stmt.range.clone()),
                        );
                    }
                }
                None => stmt_to.push((to, from, stmt.range.clone())),
            }
        }
    }
    if !diags.has_errors() {
        diags.extend(cycle_diags(config, stmts, &graph(stmts)));
    }
    diags
}
