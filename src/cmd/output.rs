//! `terrane output`

use crate::args::OutputArgs;
use crate::ui::Ui;
use crate::workdir;
use terrane_engine::lang::console::format_value;
use terrane_engine::state::{OutputState, State};

/// `name = value` as Terraform's output view writes it (`repl.FormatValue`), sensitive
/// outputs as `<sensitive>`.
fn line_of(name: &str, o: &OutputState) -> String {
    if o.sensitive {
        return format!("{name} = <sensitive>");
    }
    format!("{name} = {}", format_value(&o.typed_value(), 0))
}

/// Prints every output as `name = value` (sensitive ones masked), as after an apply.
pub fn print_all(ui: &Ui, state: &State) {
    if state.outputs.is_empty() {
        return;
    }
    ui.line(&ui.paint().green(&ui.paint().bold("\nOutputs:\n")));
    for (name, o) in &state.outputs {
        ui.line(&line_of(name, o));
    }
}

pub async fn run(args: OutputArgs, ui: &Ui) -> u8 {
    let config = workdir::load_config(ui);
    let backend = match crate::backends::current(config.as_ref()) {
        Ok(b) => b,
        Err(d) => {
            workdir::report(ui, d, config.as_ref().map(|c| &c.sources));
            return 1;
        }
    };
    let Ok(state) = workdir::read_state(ui, &backend, &workdir::workspace()).await else { return 1 };
    let state = state.unwrap_or_default();
    match &args.name {
        Some(name) => {
            let Some(o) = state.outputs.get(name) else {
                ui.error(
                    &format!("Output \"{name}\" not found"),
                    "The output variable requested could not be found in the state file. If you recently added this to your configuration, be sure to run `terrane apply`, since the state won't be updated with new output variables until that command is run.",
                );
                return 1;
            };
            if args.json {
                ui.line(&serde_json::to_string_pretty(&o.value).unwrap_or_default());
            } else if args.raw {
                match &o.value {
                    serde_json::Value::String(s) => ui.out(s),
                    serde_json::Value::Number(n) => ui.out(&n.to_string()),
                    serde_json::Value::Bool(b) => ui.out(&b.to_string()),
                    _ => {
                        ui.error("Unsupported value for raw output", "The -raw option only supports strings, numbers, and boolean values; use -json for other types.");
                        return 1;
                    }
                }
            } else {
                // Asking for one output by name shows its value, sensitive or not, as Terraform does.
                ui.line(&format_value(&o.typed_value().deep_unmark(), 0));
            }
        }
        None if args.json => {
            let m: serde_json::Map<String, serde_json::Value> = state
                .outputs
                .iter()
                .map(|(k, o)| {
                    (k.clone(), serde_json::json!({"sensitive": o.sensitive, "type": o.ty, "value": o.value}))
                })
                .collect();
            ui.line(&serde_json::to_string_pretty(&m).unwrap_or_default());
        }
        None => {
            if state.outputs.is_empty() {
                ui.error(
                    "No outputs found",
                    "The state file either has no outputs defined, or all the defined outputs are empty.",
                );
                return 0;
            }
            for (name, o) in &state.outputs {
                ui.line(&line_of(name, o));
            }
        }
    }
    0
}
