//! `terrane show`: the current state, a state file, or a saved plan.

use super::operation::{context_for_plan, print_plan};
use crate::args::ShowArgs;
use crate::ui::Ui;
use crate::workdir;
use terrane_engine::addr::Mode;
use terrane_engine::context::Context;
use terrane_engine::plan::Plan;
use terrane_engine::plan::render::hcl::{format_resource, format_value};
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
            let ctx = match context_for_plan(&plan, &state) {
                Ok(c) => c,
                Err(d) => {
                    ui.diags(&d, &Default::default());
                    return 1;
                }
            };
            if args.json {
                ui.line(&serde_json::to_string_pretty(&plan_json(&ctx, &plan)).unwrap_or_default());
            } else if args.markdown {
                super::operation::print_markdown(ui, &ctx, &plan);
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
    let backend = match workdir::backend(config.as_ref()) {
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
            ui.line(&serde_json::json!({"format_version": "1.0"}).to_string());
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
        ui.line(&serde_json::to_string_pretty(&state_json(&ctx, state)).unwrap_or_default());
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

/// The state in the shape of `terraform show -json`.
fn state_json(ctx: &Context, state: &State) -> serde_json::Value {
    let mut resources = Vec::new();
    for (addr, key, obj) in state.instances() {
        let pk = ctx.provider_key_of(addr, state);
        let v = match ctx.resource_schema(&pk, addr) {
            Some(s) => value_from_object(obj, &s.block),
            None => obj.attributes.to_value(),
        };
        let mut r = serde_json::json!({
            "address": addr.instance(key.clone()).to_string(),
            "mode": addr.mode.as_str(),
            "type": addr.type_name,
            "name": addr.name,
            "provider_name": state.resources[addr].provider.trim_start_matches("provider[\"").split('"').next().unwrap_or_default(),
            "schema_version": obj.schema_version,
            "values": v.masked_json(),
            "sensitive_values": v.sensitive_mask(),
        });
        if let Some(k) = key.to_json() {
            r["index"] = k;
        }
        if !obj.dependencies.is_empty() {
            r["depends_on"] = obj.dependencies.iter().map(ToString::to_string).collect();
        }
        resources.push(r);
    }
    let outputs: serde_json::Map<String, serde_json::Value> = state
        .outputs
        .iter()
        .map(|(k, o)| (k.clone(), serde_json::json!({"sensitive": o.sensitive, "value": if o.sensitive { serde_json::Value::Null } else { o.value.clone() }, "type": o.ty})))
        .collect();
    serde_json::json!({
        "format_version": "1.0",
        "terraform_version": state.terraform_version,
        "values": {"outputs": outputs, "root_module": {"resources": resources}},
    })
}

/// A saved plan in the shape of `terraform show -json`: resource_changes with actions,
/// before/after, after_unknown, before/after_sensitive and replace_paths; resource_drift;
/// output_changes.
fn plan_json(ctx: &Context, plan: &Plan) -> serde_json::Value {
    let change_json = |c: &terrane_engine::plan::ResourceChange| {
        let path_json = |p: &Vec<terrane_engine::value::PathStep>| -> serde_json::Value {
            p.iter()
                .map(|s| match s {
                    terrane_engine::value::PathStep::Attr(a) | terrane_engine::value::PathStep::Key(a) => {
                        serde_json::Value::from(a.clone())
                    }
                    terrane_engine::value::PathStep::Index(i) => serde_json::Value::from(*i),
                })
                .collect()
        };
        let mut j = serde_json::json!({
            "address": c.addr.to_string(),
            "mode": c.addr.resource.mode.as_str(),
            "type": c.addr.resource.type_name,
            "name": c.addr.resource.name,
            "provider_name": c.provider_address.trim_start_matches("provider[\"").split('"').next().unwrap_or_default(),
            "change": {
                "actions": c.action.json_actions(),
                "before": c.before.masked_json(),
                "after": c.after.masked_json(),
                "after_unknown": c.after.unknown_mask(),
                "before_sensitive": c.before.sensitive_mask(),
                "after_sensitive": c.after.sensitive_mask(),
            },
        });
        if let Some(k) = c.addr.key.to_json() {
            j["index"] = k;
        }
        if let Some(d) = &c.deposed {
            j["deposed"] = d.clone().into();
        }
        if !c.replace_paths.is_empty() {
            j["change"]["replace_paths"] = c.replace_paths.iter().map(path_json).collect();
        }
        if let Some(r) = c.reason {
            j["action_reason"] = serde_json::to_value(r).unwrap_or_default();
        }
        j
    };
    let outputs: serde_json::Map<String, serde_json::Value> = plan
        .outputs
        .iter()
        .map(|o| {
            (
                o.name.clone(),
                serde_json::json!({
                    "actions": o.action.json_actions(),
                    "before": if o.sensitive { serde_json::Value::Null } else { o.before.masked_json() },
                    "after": if o.sensitive { serde_json::Value::Null } else { o.after.masked_json() },
                    "after_unknown": o.after.is_unknown(),
                    "before_sensitive": o.sensitive,
                    "after_sensitive": o.sensitive,
                }),
            )
        })
        .collect();
    let _ = ctx;
    serde_json::json!({
        "format_version": "1.2",
        "terraform_version": terrane_engine::config::LANGUAGE_VERSION,
        "terrane_version": plan.terrane_version,
        "resource_changes": plan.changes.iter().map(change_json).collect::<Vec<_>>(),
        "resource_drift": plan.drift.iter().map(change_json).collect::<Vec<_>>(),
        "output_changes": outputs,
        "errored": plan.errored,
    })
}
