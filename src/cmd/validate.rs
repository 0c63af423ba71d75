//! `terrane validate`

use crate::args::ValidateArgs;
use crate::ui::Ui;
use std::path::Path;
use terrane_engine::config::load_dir;
use terrane_engine::context::Context;
use terrane_engine::diag::Diagnostics;
use terrane_engine::state::State;

pub fn run(args: ValidateArgs, ui: &Ui) -> u8 {
    let (ctx, diags) = match load_dir(Path::new(".")) {
        Ok((config, warnings)) => {
            let ctx = Context::new(config, crate::workdir::registry(), &State::new(), &crate::workdir::workspace());
            let mut diags = warnings;
            diags.extend(ctx.validate());
            (Some(ctx), diags)
        }
        Err((config, diags)) => {
            if !args.json {
                ui.diags(&diags, &config.sources);
                return 1;
            }
            let ctx = Context::new(config, crate::workdir::registry(), &State::new(), "default");
            (Some(ctx), diags)
        }
    };
    let sources = ctx.as_ref().map(|c| c.config.sources.clone()).unwrap_or_default();
    let errors = diags.iter().filter(|d| d.is_error()).count();
    let warnings = diags.iter().count() - errors;
    if args.json {
        let j = serde_json::json!({
            "format_version": "1.0",
            "valid": errors == 0,
            "error_count": errors,
            "warning_count": warnings,
            "diagnostics": diags.iter().map(|d| d.to_json(&sources)).collect::<Vec<_>>(),
        });
        ui.line(&serde_json::to_string_pretty(&j).unwrap_or_default());
        return u8::from(errors > 0);
    }
    ui.diags(&diags, &sources);
    if errors > 0 {
        return 1;
    }
    let _ = Diagnostics::new();
    ui.line(&ui.paint().green(&ui.paint().bold("Success! The configuration is valid.")));
    0
}
