//! `terrane init`: checks the configuration, the backend and the providers, and prepares the
//! working directory. Providers are built in, so nothing is downloaded.

use crate::args::InitArgs;
use crate::ui::Ui;
use crate::workdir;

pub async fn run(args: InitArgs, ui: &Ui) -> u8 {
    let Some(config) = workdir::load_config(ui) else { return 1 };
    let p = ui.paint();
    let backend = match workdir::backend(Some(&config)) {
        Ok(b) => b,
        Err(d) => {
            workdir::report(ui, d, Some(&config.sources));
            return 1;
        }
    };
    if !args.backend_config.is_empty() {
        ui.error(
            "-backend-config is not supported by the local backend",
            "Backend settings from the command line are for the s3 backend.",
        );
        return 1;
    }
    let ws = workdir::workspace();
    ui.line(&p.bold(&format!("Initializing the backend... ({})", backend.describe(&ws))));
    if let Err(e) = backend.read(&ws).await {
        ui.error("Failed to read the state", &e.to_string());
        return 1;
    }
    if let Err(e) = std::fs::create_dir_all(workdir::DATA_DIR) {
        ui.error("Failed to create the data directory", &format!("{}: {e}", workdir::DATA_DIR));
        return 1;
    }
    ui.line(&p.bold("Initializing provider plugins..."));
    let registry = workdir::registry();
    let mut names: Vec<&str> =
        config.resources.values().map(|r| r.provider.split('.').next().unwrap_or_default()).collect();
    names.extend(config.providers.keys().map(|k| k.split('.').next().unwrap_or_default()));
    names.extend(config.terraform.required_providers.keys().map(String::as_str));
    names.sort();
    names.dedup();
    let mut missing = Vec::new();
    for n in names {
        match registry.get(n) {
            Some(f) => ui.line(&format!("- Using built-in provider {n} ({})", f.source())),
            None => missing.push(n.to_string()),
        }
    }
    if !missing.is_empty() {
        ui.error(
            "Provider not available",
            &format!(
                "This configuration uses providers that terrane does not have: {}. Built in: {}.",
                missing.join(", "),
                registry.names().collect::<Vec<_>>().join(", ")
            ),
        );
        return 1;
    }
    ui.line(&p.green(&p.bold("\nterrane has been successfully initialized!")));
    ui.line("\nYou may now begin working with terrane. Try running \"terrane plan\" to see\nany changes that are required for your infrastructure.");
    0
}
