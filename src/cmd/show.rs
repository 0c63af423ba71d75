//! `terrane show`: the current state, a state file, or a saved plan.

use super::operation::{context_for_plan, print_plan};
use crate::args::ShowArgs;
use crate::ui::Ui;
use crate::workdir;
use terrane_engine::addr::Mode;
use terrane_engine::context::Context;
use terrane_engine::plan::Plan;
use terrane_engine::plan::render::hcl::{format_resource, format_value};
use terrane_engine::plan::render::json::{plan_json, state_json};
use terrane_engine::state::{State, value_from_object};
use terrane_engine::value::Value;

pub async fn run(args: ShowArgs, ui: &Ui) -> u8 {
    if let Some(path) = &args.file {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                ui.error("Failed to read file", &format!("{}: {e}", path.display()));
                return 1;
            }
        };
        if let Ok(plan) = Plan::from_bytes(&bytes) {
            let state = terrane_engine::apply::plan_prior_state(&plan).unwrap_or_default();
            let ctx = match context_for_plan(&plan, &state).await {
                Ok(c) => c,
                Err(d) => {
                    ui.diags(&d, &Default::default());
                    return 1;
                }
            };
            if args.json {
                // One line, as `terraform show -json` prints it.
                ui.line(&plan_json(&plan, &ctx).to_string());
            } else if args.markdown {
                super::operation::print_markdown(ui, &ctx, &plan);
            } else if let Some(addr) = &args.explain {
                return if super::operation::print_explanation(ui, &plan, addr) { 0 } else { 1 };
            } else {
                print_plan(ui, &ctx, &plan);
            }
            return 0;
        }
        return match State::from_json(&bytes) {
            Ok(state) => show_state(ui, &state, args.json),
            Err(e) => {
                ui.error(
                    "Failed to read file",
                    &format!("{} is neither a terrane plan nor a state file: {e}", path.display()),
                );
                1
            }
        };
    }
    let config = workdir::load_config(ui);
    let backend = match crate::backends::current(config.as_ref()) {
        Ok(b) => b,
        Err(d) => {
            workdir::report(ui, d, config.as_ref().map(|c| &c.sources));
            return 1;
        }
    };
    let Ok(state) = workdir::read_state(ui, &backend, &workdir::workspace()).await else { return 1 };
    match state {
        Some(s) => show_state(ui, &s, args.json),
        None if args.json => {
            ui.line(&state_json(&State::new(), &state_context(&State::new())).to_string());
            0
        }
        None => {
            ui.line("No state.");
            0
        }
    }
}

fn state_context(state: &State) -> Context {
    Context::new(Default::default(), workdir::registry(), state, &workdir::workspace())
}

fn show_state(ui: &Ui, state: &State, json: bool) -> u8 {
    let ctx = state_context(state);
    if json {
        ui.line(&state_json(state, &ctx).to_string());
        return 0;
    }
    if state.is_empty() {
        ui.line("The state file is empty. No resources are represented.");
        return 0;
    }
    for (addr, key, obj) in state.instances() {
        let key_provider = ctx.provider_key_of(addr, state);
        let v = match ctx.resource_schema(&key_provider, addr) {
            Some(s) => value_from_object(obj, &s.block),
            None => obj.attributes.to_value(),
        };
        let kind = if addr.mode == Mode::Data { "data" } else { "resource" };
        ui.line(&format!("# {}:", addr.instance(key.clone())));
        ui.line(&format_resource(kind, &addr.type_name, &addr.name, &v));
    }
    if !state.outputs.is_empty() {
        ui.line("\nOutputs:\n");
        for (name, o) in &state.outputs {
            let v = Value::from_json(&o.value);
            let v = if o.sensitive { v.mark_sensitive() } else { v };
            ui.line(&format!("{name} = {}", format_value(&v, 0, 4, "(sensitive value)")));
        }
    }
    0
}
