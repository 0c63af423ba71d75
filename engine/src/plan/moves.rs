//! Moving recorded objects to new addresses: `moved` blocks (applied to the state before a plan
//! is made) and `terrane state mv` share [`move_objects`].

use super::Move;
use crate::addr::{InstanceAddr, InstanceKey, ModuleStep, ResourceAddr, Target};
use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::state::{EachMode, ResourceState, State};

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

/// Prefixes a target written in a module with the module instance it applies to.
fn in_module(t: &Target, prefix: &[ModuleStep]) -> Target {
    let mut steps = prefix.to_vec();
    match t {
        Target::Module(m) => {
            steps.extend_from_slice(m);
            Target::Module(steps)
        }
        Target::Resource(r) => {
            steps.extend_from_slice(&r.module);
            Target::Resource(r.in_module(&steps))
        }
        Target::Instance(i) => {
            steps.extend_from_slice(&i.resource.module);
            Target::Instance(InstanceAddr { resource: i.resource.in_module(&steps), key: i.key.clone() })
        }
    }
}

/// Applies every `moved` block of the configuration to `state` (in each recorded instance of
/// the block's module), in declaration order, so chains of moves work. A block whose source
/// is not recorded does nothing; one whose source is still configured is an error.
pub fn apply_moved_blocks(config: &Config, state: &mut State) -> (Vec<Move>, Diagnostics) {
    let mut moves: Vec<Move> = Vec::new();
    let mut diags = Diagnostics::new();
    for m in config.modules() {
        for mv in &m.moved {
            let same_block = match (&mv.from, &mv.to) {
                (Target::Resource(f) | Target::Instance(InstanceAddr { resource: f, .. }), Target::Resource(t))
                | (
                    Target::Resource(f) | Target::Instance(InstanceAddr { resource: f, .. }),
                    Target::Instance(InstanceAddr { resource: t, .. }),
                ) => f == t,
                _ => false,
            };
            if let Target::Resource(r) = &mv.from
                && m.resources.contains_key(r)
                && !same_block
            {
                diags.push(
                    Diagnostic::error(
                        "Moved object still exists",
                        format!(
                            "This statement declares a move from {r}, but that resource is still declared in the configuration. Change your configuration so that this resource is declared as {} instead.",
                            mv.to
                        ),
                    )
                    .at(mv.range.clone()),
                );
                continue;
            }
            // The recorded instances of this module.
            let mut prefixes: Vec<Vec<ModuleStep>> = state
                .resources
                .keys()
                .filter(|a| {
                    a.module.len() >= m.path.len() && a.module[..m.path.len()].iter().map(|s| &s.name).eq(m.path.iter())
                })
                .map(|a| a.module[..m.path.len()].to_vec())
                .collect();
            prefixes.sort();
            prefixes.dedup();
            for prefix in prefixes {
                let from = in_module(&mv.from, &prefix);
                let to = in_module(&mv.to, &prefix);
                let present = match &from {
                    Target::Module(f) => state.resources.keys().any(|a| a.module.starts_with(f)),
                    Target::Resource(r) => state.resources.contains_key(r),
                    Target::Instance(i) => state.object(&i.resource, &i.key).is_some(),
                };
                if !present {
                    continue;
                }
                match move_objects(state, &from, &to) {
                    Ok(done) => {
                        for d in done {
                            // A chain (a → b, b → c) records one move, a → c.
                            match moves.iter_mut().find(|x| x.to == d.from) {
                                Some(prev) => prev.to = d.to,
                                None => moves.push(d),
                            }
                        }
                    }
                    Err(e) => diags.push(
                        Diagnostic::warning(
                            "Ambiguous move statement",
                            format!("The move from {from} to {to} was not made: {e}."),
                        )
                        .at(mv.range.clone()),
                    ),
                }
            }
        }
    }
    (moves, diags)
}
