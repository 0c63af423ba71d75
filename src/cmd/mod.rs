//! One file per command.

mod apply;
mod console;
mod fmt;
pub(crate) mod get;
mod graph;
mod init;
mod operation;
mod output;
mod plan;
mod show;
mod state;
mod validate;
mod version;
mod workspace;

use crate::args::Command;
use crate::ui::Ui;

/// Runs a command; returns the process exit code.
pub async fn run(command: Command, ui: &Ui) -> u8 {
    match command {
        Command::Init(a) => init::run(a, ui).await,
        Command::Get(a) => get::run(a, ui).await,
        Command::Validate(a) => validate::run(a, ui).await,
        Command::Fmt(a) => fmt::run(a, ui),
        Command::Plan(a) => plan::run(a, ui).await,
        Command::Apply(a) => apply::run(a, false, ui).await,
        Command::Destroy(a) => apply::run(a, true, ui).await,
        Command::Show(a) => show::run(a, ui).await,
        Command::Output(a) => output::run(a, ui).await,
        Command::Console(a) => console::run(a, ui).await,
        Command::State(c) => state::run(c, ui).await,
        Command::Graph(a) => graph::run(a, ui).await,
        Command::Workspace(c) => workspace::run(c, ui).await,
        Command::ForceUnlock(a) => workspace::force_unlock(a, ui).await,
        Command::Version(a) => version::run(a, ui),
    }
}
