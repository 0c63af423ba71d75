//! `terrane graph`: the dependency graph in DOT or Mermaid; with `-plan=FILE`, only the
//! resources a saved plan changes, each marked with its action.

use super::operation::{context_for_plan, plan_file_error};
use crate::args::{GraphArgs, GraphFormat};
use crate::ui::Ui;
use crate::workdir;
use terrane_engine::context::Context;
use terrane_engine::graph::NodeMarks;
use terrane_engine::plan::Plan;
use terrane_engine::state::State;

pub async fn run(args: GraphArgs, ui: &Ui) -> u8 {
    let (ctx, plan) = match &args.plan {
        Some(path) => {
            let plan = match std::fs::read(path).map_err(|e| e.to_string()).and_then(|b| Plan::from_bytes(&b)) {
                Ok(p) => p,
                Err(e) => {
                    plan_file_error(ui, path, &e);
                    return 1;
                }
            };
            match context_for_plan(&plan, &plan.prior_state).await {
                Ok(ctx) => (ctx, Some(plan)),
                Err(d) => {
                    ui.diags(&d, &Default::default());
                    return 1;
                }
            }
        }
        None => {
            let Some(config) = workdir::load_config(ui) else { return 1 };
            let registry = match crate::plugins::registry_for(&config, None).await {
                Ok(r) => r,
                Err(d) => {
                    ui.diags(&d.into(), &config.sources);
                    return 1;
                }
            };
            (Context::new(config, registry, &State::new(), &workdir::workspace()), None)
        }
    };
    let state = plan.as_ref().map(|p| p.prior_state.clone()).unwrap_or_default();
    let (mut g, diags) = ctx.graph(&state);
    ui.diags(&diags, &ctx.config.sources);
    if diags.has_errors() {
        return 1;
    }
    let marks = match &plan {
        Some(p) => g.restrict_to_plan(p),
        None => NodeMarks::new(),
    };
    ui.out(&match args.format {
        GraphFormat::Dot => g.to_dot_marked(&marks),
        GraphFormat::Mermaid => g.to_mermaid(&marks),
    });
    0
}
