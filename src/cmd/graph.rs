//! `terrane graph`

use crate::args::GraphArgs;
use crate::ui::Ui;
use crate::workdir;
use terrane_engine::context::Context;
use terrane_engine::state::State;

pub fn run(_args: GraphArgs, ui: &Ui) -> u8 {
    let Some(config) = workdir::load_config(ui) else { return 1 };
    let ctx = Context::new(config, workdir::registry(), &State::new(), &workdir::workspace());
    let (g, diags) = ctx.graph(&State::new());
    ui.diags(&diags, &ctx.config.sources);
    if diags.has_errors() {
        return 1;
    }
    ui.out(&g.to_dot());
    0
}
