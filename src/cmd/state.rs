//! `terrane state list|show|mv|rm|pull|push`

use crate::args::{LockOpts, StateCommand};
use crate::ui::Ui;
use crate::workdir::{self, Lock};
use std::sync::Arc;
use terrane_engine::addr::{Mode, Target, parse_target};
use terrane_engine::context::Context;
use terrane_engine::plan::render::hcl::format_resource;
use terrane_engine::state::{State, StateBackend, value_from_object};

async fn open(ui: &Ui) -> Option<(Arc<dyn StateBackend>, String)> {
    let config = workdir::load_config(ui);
    match crate::backends::current(config.as_ref()) {
        Ok(b) => Some((b, workdir::workspace())),
        Err(d) => {
            workdir::report(ui, d, config.as_ref().map(|c| &c.sources));
            None
        }
    }
}

fn parse_all(ui: &Ui, addrs: &[String]) -> Option<Vec<Target>> {
    let mut out = Vec::new();
    for a in addrs {
        match parse_target(a) {
            Ok(t) => out.push(t),
            Err(e) => {
                ui.error("Invalid address", &e.to_string());
                return None;
            }
        }
    }
    Some(out)
}

pub async fn run(c: StateCommand, ui: &Ui) -> u8 {
    let Some((backend, ws)) = open(ui).await else { return 1 };
    match c {
        StateCommand::List { addresses } => {
            let Some(filters) = parse_all(ui, &addresses) else { return 1 };
            let Ok(state) = workdir::read_state(ui, &backend, &ws).await else { return 1 };
            let state = state.unwrap_or_default();
            for (addr, key, _) in state.instances() {
                let inst = addr.instance(key.clone());
                if filters.is_empty() || filters.iter().any(|f| f.contains(&inst)) {
                    ui.line(&inst.to_string());
                }
            }
            0
        }
        StateCommand::Show { address } => {
            let Some(t) = parse_all(ui, std::slice::from_ref(&address)) else { return 1 };
            let Ok(state) = workdir::read_state(ui, &backend, &ws).await else { return 1 };
            let state = state.unwrap_or_default();
            let ctx = Context::new(Default::default(), workdir::registry(), &state, &ws);
            let mut found = false;
            for (addr, key, obj) in state.instances() {
                let inst = addr.instance(key.clone());
                if !t[0].contains(&inst) {
                    continue;
                }
                found = true;
                let pk = ctx.provider_key_of(addr, &state);
                let v = match ctx.resource_schema(&pk, addr) {
                    Some(s) => value_from_object(obj, &s.block),
                    None => obj.attributes.to_value(),
                };
                let kind = if addr.mode == Mode::Data { "data" } else { "resource" };
                ui.line(&format!("# {inst}:"));
                ui.out(&format_resource(kind, &addr.type_name, &addr.name, &v));
            }
            if !found {
                ui.error(
                    "No instance found for the given address",
                    &format!("{address} does not match anything in the state."),
                );
                return 1;
            }
            0
        }
        StateCommand::Pull => {
            let Ok(state) = workdir::read_state(ui, &backend, &ws).await else { return 1 };
            if let Some(s) = state {
                ui.out(&String::from_utf8_lossy(&s.to_json()));
            }
            0
        }
        StateCommand::Push { force, lock, path } => {
            let bytes = match std::fs::read(&path) {
                Ok(b) => b,
                Err(e) => {
                    ui.error("Failed to read the state file", &format!("{}: {e}", path.display()));
                    return 1;
                }
            };
            let new = match State::from_json(&bytes) {
                Ok(s) => s,
                Err(e) => {
                    ui.error("Invalid state file", &format!("{}: {e}", path.display()));
                    return 1;
                }
            };
            with_lock(ui, &backend, &ws, &lock, "OperationTypeStatePush", |current| {
                if let Some(cur) = current {
                    if !force && cur.lineage != new.lineage {
                        return Err(format!("cannot import a state with lineage {:?} over unrelated state with lineage {:?}; use -force to do it anyway", new.lineage, cur.lineage));
                    }
                    if !force && cur.serial > new.serial {
                        return Err(format!("cannot overwrite the existing state with serial {} with a state of serial {}; use -force to do it anyway", cur.serial, new.serial));
                    }
                }
                Ok(Some(new.clone()))
            })
            .await
        }
        StateCommand::Rm { dry_run, lock, addresses } => {
            let Some(targets) = parse_all(ui, &addresses) else { return 1 };
            with_lock(ui, &backend, &ws, &lock, "OperationTypeStateRm", |current| {
                let mut state = current.cloned().ok_or("the state is empty")?;
                let doomed: Vec<_> = state
                    .instances()
                    .map(|(a, k, _)| a.instance(k.clone()))
                    .filter(|i| targets.iter().any(|t| t.contains(i)))
                    .collect();
                if doomed.is_empty() {
                    return Err(format!("no instance matches {}", addresses.join(", ")));
                }
                for i in &doomed {
                    let provider = state.resources[&i.resource].provider.clone();
                    ui.line(&format!("{} {i}", if dry_run { "Would remove" } else { "Removed" }));
                    state.set_object(&i.resource, &i.key, &provider, None);
                }
                ui.line(&format!("Successfully removed {} resource instance(s).", doomed.len()));
                Ok(if dry_run { None } else { Some(state) })
            })
            .await
        }
        StateCommand::Mv { dry_run, lock, source, destination } => {
            let Some(t) = parse_all(ui, &[source.clone(), destination.clone()]) else { return 1 };
            let (src, dst) = (t[0].clone(), t[1].clone());
            with_lock(ui, &backend, &ws, &lock, "OperationTypeStateMv", |current| {
                let mut state = current.cloned().ok_or("the state is empty")?;
                move_in_state(&mut state, &src, &dst)?;
                ui.line(&format!("{} \"{source}\" to \"{destination}\"", if dry_run { "Would move" } else { "Move" }));
                ui.line("Successfully moved 1 object(s).");
                Ok(if dry_run { None } else { Some(state) })
            })
            .await
        }
    }
}

/// Moves a resource (all instances), one instance, or a whole module instance to a new
/// address (the engine's mover, shared with `moved` blocks).
fn move_in_state(state: &mut State, src: &Target, dst: &Target) -> Result<(), String> {
    terrane_engine::plan::moves::move_objects(state, src, dst)
        .map(|_| ())
        .map_err(|e| format!("cannot move {src} to {dst}: {e}"))
}

/// Reads the state under the lock, applies `f` and writes the result (if any).
async fn with_lock(
    ui: &Ui,
    backend: &Arc<dyn StateBackend>,
    ws: &str,
    lock: &LockOpts,
    operation: &str,
    f: impl FnOnce(Option<&State>) -> Result<Option<State>, String>,
) -> u8 {
    let Some(l) = Lock::take(ui, backend, ws, operation, lock.lock, &lock.lock_timeout).await else { return 1 };
    let code = match workdir::read_state(ui, backend, ws).await {
        Err(()) => 1,
        Ok(current) => match f(current.as_ref()) {
            Err(e) => {
                ui.error("State change refused", &e);
                1
            }
            Ok(None) => 0,
            Ok(Some(mut new)) => {
                if let Some(cur) = &current {
                    new.serial = new.serial.max(cur.serial + 1);
                }
                match backend.write(ws, &new).await {
                    Ok(()) => 0,
                    Err(e) => {
                        ui.error("Failed to write the state", &e.to_string());
                        1
                    }
                }
            }
        },
    };
    if !l.release(ui).await {
        return 1;
    }
    code
}
