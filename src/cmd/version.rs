//! `terrane version`

use crate::args::VersionArgs;
use crate::ui::Ui;

pub fn run(args: VersionArgs, ui: &Ui) -> u8 {
    let providers: Vec<String> = crate::workdir::registry().names().map(str::to_string).collect();
    if args.json {
        let j = serde_json::json!({
            "terrane_version": terrane_engine::VERSION,
            "terraform_language": terrane_engine::config::LANGUAGE_VERSION,
            "platform": format!("{}_{}", std::env::consts::OS, std::env::consts::ARCH),
            "providers": providers,
        });
        ui.line(&serde_json::to_string_pretty(&j).unwrap_or_default());
    } else {
        ui.line(&format!("terrane v{}", terrane_engine::VERSION));
        ui.line(&format!("on {}_{}", std::env::consts::OS, std::env::consts::ARCH));
        ui.line(&format!("implements the Terraform {} language", terrane_engine::config::LANGUAGE_VERSION));
        ui.line(&format!("built-in providers: {}", providers.join(", ")));
    }
    0
}
