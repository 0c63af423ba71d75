//! `terrane validate`

use crate::args::ValidateArgs;
use crate::ui::Ui;
use std::path::Path;
use terrane_engine::config::load_dir;
use terrane_engine::context::Context;
use terrane_engine::state::State;

pub async fn run(args: ValidateArgs, ui: &Ui) -> u8 {
    let (config, mut diags) = load_dir(Path::new("."));
    let registry = match crate::plugins::registry_for(&config, None).await {
        Ok(r) => r,
        Err(d) => {
            diags.push(d);
            crate::workdir::registry()
        }
    };
    let ctx = Context::new(config, registry, &State::new(), &crate::workdir::workspace());
    if !diags.has_errors() {
        diags.extend(ctx.validate().await);
    }
    let sources = ctx.config.sources.clone();
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
    ui.line(&ui.paint().green(&ui.paint().bold("Success! The configuration is valid.")));
    0
}
