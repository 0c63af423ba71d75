//! `terrane workspace ...` and `terrane force-unlock`

use crate::args::{ForceUnlockArgs, WorkspaceCommand};
use crate::ui::Ui;
use crate::workdir::{self, Lock};
use std::sync::Arc;
use terrane_engine::state::{State, StateBackend};

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name != "."
        && name != ".."
}

async fn backend(ui: &Ui) -> Option<Arc<dyn StateBackend>> {
    let config = workdir::load_config(ui);
    match crate::backends::current(config.as_ref()) {
        Ok(b) => Some(b),
        Err(d) => {
            workdir::report(ui, d, config.as_ref().map(|c| &c.sources));
            None
        }
    }
}

pub async fn run(c: WorkspaceCommand, ui: &Ui) -> u8 {
    let Some(backend) = backend(ui).await else { return 1 };
    let current = workdir::workspace();
    let list = match backend.workspaces().await {
        Ok(l) => l,
        Err(e) => {
            ui.error("Failed to list workspaces", &e.to_string());
            return 1;
        }
    };
    match c {
        WorkspaceCommand::List => {
            for w in &list {
                ui.line(&format!("{} {w}", if *w == current { "*" } else { " " }));
            }
            0
        }
        WorkspaceCommand::Show => {
            ui.line(&current);
            0
        }
        WorkspaceCommand::New { lock, name } => {
            if !valid_name(&name) {
                ui.error(
                    "Invalid workspace name",
                    "Workspace names may contain only letters, digits, '-', '_' and '.'.",
                );
                return 1;
            }
            if list.contains(&name) {
                ui.error(&format!("Workspace \"{name}\" already exists"), "");
                return 1;
            }
            let Some(l) =
                Lock::take(ui, &backend, &name, "OperationTypeWorkspaceNew", lock.lock, &lock.lock_timeout).await
            else {
                return 1;
            };
            let written = backend.write(&name, &State::new()).await;
            let released = l.release(ui).await;
            if let Err(e) = written {
                ui.error("Failed to create the workspace", &e.to_string());
                return 1;
            }
            if let Err(e) = workdir::select_workspace(&name) {
                ui.error("Failed to select the workspace", &e.to_string());
                return 1;
            }
            ui.line(&format!("Created and switched to workspace \"{name}\"!\n\nYou're now on a new, empty workspace. Workspaces isolate their state,\nso if you run \"terrane plan\" terrane will not see any existing state\nfor this configuration."));
            if released { 0 } else { 1 }
        }
        WorkspaceCommand::Select { or_create, name } => {
            if !list.contains(&name) {
                if !or_create {
                    ui.error(&format!("Workspace \"{name}\" doesn't exist."), "You can create this workspace with the \"new\" subcommand or include the \"-or-create\" flag with the \"select\" subcommand.");
                    return 1;
                }
                if let Err(e) = backend.write(&name, &State::new()).await {
                    ui.error("Failed to create the workspace", &e.to_string());
                    return 1;
                }
            }
            if let Err(e) = workdir::select_workspace(&name) {
                ui.error("Failed to select the workspace", &e.to_string());
                return 1;
            }
            ui.line(&format!("Switched to workspace \"{name}\"."));
            0
        }
        WorkspaceCommand::Delete { force, lock, name } => {
            if !list.contains(&name) {
                ui.error(&format!("Workspace \"{name}\" doesn't exist."), "");
                return 1;
            }
            if name == current {
                ui.error("Workspace is your active workspace", &format!("You cannot delete the currently active workspace \"{name}\". Switch to another workspace first."));
                return 1;
            }
            let Some(l) =
                Lock::take(ui, &backend, &name, "OperationTypeWorkspaceDelete", lock.lock, &lock.lock_timeout).await
            else {
                return 1;
            };
            let state = backend.read(&name).await;
            let code = match state {
                Ok(Some(s)) if !s.resources.is_empty() && !force => {
                    ui.error(
                        "Workspace is not empty",
                        &format!("Workspace \"{name}\" is currently tracking {} resource(s). Deleting it would lose track of them; destroy them first, or use -force to delete the workspace anyway.", s.resources.len()),
                    );
                    1
                }
                Err(e) => {
                    ui.error("Failed to read the workspace's state", &e.to_string());
                    1
                }
                Ok(_) => 0,
            };
            let released = l.release(ui).await;
            if code != 0 {
                return code;
            }
            if let Err(e) = backend.delete_workspace(&name).await {
                ui.error("Failed to delete the workspace", &e.to_string());
                return 1;
            }
            ui.line(&format!("Deleted workspace \"{name}\"!"));
            if released { 0 } else { 1 }
        }
    }
}

pub async fn force_unlock(args: ForceUnlockArgs, ui: &Ui) -> u8 {
    let Some(backend) = backend(ui).await else { return 1 };
    let ws = workdir::workspace();
    if !args.force && !ui.confirm("Do you really want to force-unlock?", "terrane will remove the lock on the remote state.\n  This will allow local terrane commands to modify this state, even though it\n  may still be in use.") {
        ui.error("force-unlock cancelled.", "");
        return 1;
    }
    match backend.force_unlock(&ws, &args.lock_id).await {
        Ok(()) => {
            ui.line("terrane state has been successfully unlocked!\n\nThe state has been unlocked, and terrane commands should now be able to\nobtain a new lock on the remote state.");
            0
        }
        Err(e) => {
            ui.error("Failed to unlock state", &e.to_string());
            1
        }
    }
}
