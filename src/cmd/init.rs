//! `terrane init`: checks the configuration and its providers (built in: nothing to
//! download), initializes the backend (with `-backend-config` settings), and moves the state
//! when the backend changes (`-migrate-state`), refusing to overwrite a state of another
//! lineage unless `-force-copy`.

use crate::args::InitArgs;
use crate::backends::{self, Choice};
use crate::ui::{Ui, json};
use crate::workdir;
use std::path::Path;
use std::sync::Arc;
use terrane_engine::config::{Config, load_dir};
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::state::{LockInfo, State, StateBackend};

/// Terraform's preamble to configuration errors found by `init` (`init_config_error`).
const INIT_CONFIG_ERROR: &str = "terrane encountered problems during initialisation, including problems\nwith the configuration, described below.\n\nThe terrane configuration must be valid before initialization so that\nterrane can determine which modules and providers need to be installed.";

pub async fn run(args: InitArgs, ui: &Ui) -> u8 {
    let ui = &if args.json { ui.json_mode() } else { ui.clone() };
    if ui.json {
        json::version();
    }
    if super::get::install(ui, args.upgrade).await.is_err() {
        return 1;
    }
    let Some(config) = load_config(ui) else { return 1 };
    let p = ui.paint();
    let overrides = match backends::parse_overrides(&args.backend_config) {
        Ok(o) => o,
        Err(d) => {
            ui.diags(&Diagnostics::from(d), &config.sources);
            return 1;
        }
    };
    let wanted = match backends::configured(Some(&config), &overrides) {
        Ok(c) => c,
        Err(d) => {
            ui.diags(&Diagnostics::from(d), &config.sources);
            return 1;
        }
    };
    let previous = backends::saved().unwrap_or_else(Choice::local_default);
    if ui.json {
        json::init_output("initializing_backend_message", "Initializing the backend...");
    } else {
        ui.line(&p.bold(&format!("Initializing the backend... ({})", wanted.describe())));
    }
    let target = match backends::open(&wanted) {
        Ok(b) => b,
        Err(d) => {
            ui.diags(&Diagnostics::from(d), &config.sources);
            return 1;
        }
    };
    // Check the backend answers (bucket exists, in this region, credentials work) before
    // moving any state to it or recording it.
    let ws = workdir::workspace();
    if let Err(e) = target.read(&ws).await {
        ui.error("Failed to read the state", &e.to_string());
        return 1;
    }
    if let Err(e) = backends::check(&wanted).await {
        ui.error("Failed to use the backend", &e);
        return 1;
    }
    if !previous.same_settings(&wanted) && !args.reconfigure {
        let source = match backends::open(&previous) {
            Ok(b) => b,
            Err(d) => {
                ui.diags(&Diagnostics::from(d), &config.sources);
                return 1;
            }
        };
        match migrate(ui, &previous, source, &wanted, target.clone(), &args).await {
            Ok(()) => {}
            Err(()) => return 1,
        }
    }
    if let Err(e) = backends::save(&wanted) {
        ui.error("Failed to record the backend settings", &format!("{}: {e}", workdir::DATA_DIR));
        return 1;
    }
    if ui.json {
        json::init_output("initializing_provider_plugin_message", "Initializing provider plugins...");
    } else {
        ui.line(&p.bold("Initializing provider plugins..."));
    }
    if !install_providers(ui, &config, args.upgrade, &args.plugin_dir).await {
        return 1;
    }
    let success = "terrane has been successfully initialized!";
    let next = "You may now begin working with terrane. Try running \"terrane plan\" to see\nany changes that are required for your infrastructure.";
    if ui.json {
        json::init_output("output_init_success_message", success);
        json::init_output("output_init_success_cli_message", next);
    } else {
        ui.line(&p.green(&p.bold(&format!("\n{success}"))));
        ui.line(&format!("\n{next}"));
    }
    0
}

/// Loads the configuration, reporting errors as Terraform's `init` does: errors in the root
/// module's files come with the `init_config_error` preamble, and those found after parsing
/// twice (Terraform decodes the root module once to initialize the backend and once more to
/// load the configuration tree; its parser caches files, so syntax errors are reported only
/// once). Errors only in called modules are reported once, without the preamble (Terraform
/// finds them while installing modules).
fn load_config(ui: &Ui) -> Option<Config> {
    let (config, diags) = load_dir(Path::new("."));
    if !diags.has_errors() {
        ui.diags(&diags, &config.sources);
        return Some(config);
    }
    let file_of = |d: &Diagnostic| d.range.as_ref().and_then(|r| config.sources.get(r.file)).map(|f| f.name.clone());
    let in_root = |name: &str| !name.contains('/') && !name.contains(std::path::MAIN_SEPARATOR);
    let root_errors = diags.iter().any(|d| d.is_error() && file_of(d).is_some_and(|f| in_root(&f)));
    if !root_errors {
        ui.diags(&diags, &config.sources);
        return None;
    }
    let unparsable = |name: &str| {
        std::fs::read(name).is_ok_and(|bytes| !terrane_engine::hcl::parse_config(&bytes, name).1.is_empty())
    };
    let mut all = diags.clone();
    for d in diags.iter() {
        if let Some(f) = file_of(d)
            && in_root(&f)
            && !unparsable(&f)
        {
            all.push(d.clone());
        }
    }
    all.push(Diagnostic::error(INIT_CONFIG_ERROR, ""));
    ui.diags(&all, &config.sources);
    None
}

/// Moves every workspace's state from the previous backend to the new one.
async fn migrate(
    ui: &Ui,
    from_choice: &Choice,
    from: Arc<dyn StateBackend>,
    to_choice: &Choice,
    to: Arc<dyn StateBackend>,
    args: &InitArgs,
) -> Result<(), ()> {
    let workspaces = from
        .workspaces()
        .await
        .map_err(|e| ui.error("Failed to list the previous backend's workspaces", &e.to_string()))?;
    let mut states = Vec::new();
    for ws in workspaces {
        if let Some(s) =
            from.read(&ws).await.map_err(|e| ui.error("Failed to read the previous backend's state", &e.to_string()))?
        {
            states.push((ws, s));
        }
    }
    if states.is_empty() {
        return Ok(());
    }
    if !args.migrate_state {
        ui.error(
            "Backend configuration changed",
            &format!(
                "The backend changes from {} to {}, and the old one holds state ({} workspace{}). Run `terrane init -migrate-state` to move it, or `terrane init -reconfigure` to leave it behind.",
                from_choice.describe(),
                to_choice.describe(),
                states.len(),
                if states.len() == 1 { "" } else { "s" }
            ),
        );
        return Err(());
    }
    for (ws, state) in states {
        copy_one(ui, &ws, &state, from.as_ref(), to.as_ref(), args.force_copy).await?;
        ui.line(&format!(
            "Moved workspace \"{ws}\" (serial {}, lineage {}) to {}.",
            state.serial,
            state.lineage,
            to_choice.describe()
        ));
        if to_choice.kind != "local"
            && let Some(kept) = backends::retire_local_state(from_choice, &ws)
        {
            ui.line(&format!("The local copy is kept as {} and no longer used.", kept.display()));
        }
    }
    Ok(())
}

async fn copy_one(
    ui: &Ui,
    ws: &str,
    state: &State,
    from: &dyn StateBackend,
    to: &dyn StateBackend,
    force: bool,
) -> Result<(), ()> {
    let info = LockInfo::new("OperationTypeMigrate");
    from.lock(ws, &info).await.map_err(|e| ui.error("Failed to lock the source state", &e.to_string()))?;
    let result = async {
        to.lock(ws, &info).await.map_err(|e| ui.error("Failed to lock the target state", &e.to_string()))?;
        let copied = async {
            let existing = to.read(ws).await.map_err(|e| ui.error("Failed to read the target state", &e.to_string()))?;
            if let Some(existing) = existing
                && existing.lineage != state.lineage
                && !existing.is_empty()
                && !force
            {
                ui.error(
                    "The target already holds another state",
                    &format!(
                        "Workspace \"{ws}\" in the new backend holds a state of lineage {} (serial {}), not {}: it belongs to other infrastructure. Use -force-copy to overwrite it.",
                        existing.lineage, existing.serial, state.lineage
                    ),
                );
                return Err(());
            }
            to.write(ws, state).await.map_err(|e| ui.error("Failed to write the state to the new backend", &e.to_string()))
        }
        .await;
        let _ = to.unlock(ws, &info.id).await;
        copied
    }
    .await;
    let _ = from.unlock(ws, &info.id).await;
    result
}

/// Installs the providers the configuration requires, as `terraform init` does: from the
/// CLI configuration's installation methods, the versions the lock file selected (unless
/// `-upgrade`), then writes the lock file. A provider terrane builds in needs no plugin; its
/// plugin is installed when an installation method has it, to serve the types terrane does
/// not build in.
async fn install_providers(ui: &Ui, config: &Config, upgrade: bool, plugin_dirs: &[std::path::PathBuf]) -> bool {
    use terrane_provider_plugin::install::{self, How};
    use terrane_provider_plugin::net::Net;
    let registry = workdir::registry();
    let reqs = crate::plugins::requirements(config);
    let mut locks = match install::read_lock_file(Path::new(".")) {
        Ok(l) => l,
        Err(e) => {
            ui.error("Failed to read the dependency lock file", &e);
            return false;
        }
    };
    let before = locks.clone();
    let had_lock_file = Path::new(install::LOCK_FILE).exists();
    let mut cli = match install::cli_config() {
        Ok(c) => c,
        Err(e) => {
            ui.error("Invalid CLI configuration", &e);
            return false;
        }
    };
    if !plugin_dirs.is_empty() {
        cli.methods = plugin_dirs
            .iter()
            .map(|d| install::Method::FilesystemMirror { path: d.clone(), include: Vec::new(), exclude: Vec::new() })
            .collect();
    }
    let net = match Net::new(&cli) {
        Ok(n) => n,
        Err(e) => {
            ui.error("Failed to set up HTTPS for the provider registries", &e);
            return false;
        }
    };
    let data = crate::plugins::data_dir();
    let mut missing = Vec::new();
    let mut third_party = false;
    let mut kept = std::collections::BTreeSet::new();
    for (local, required) in &reqs {
        let req = &required.req;
        let builtin = required.builtin(&registry, local);
        let short = req.addr.short();
        let constraints = req.terms().map(|t| install::constraints_string(&t)).unwrap_or_default();
        let locked = before.get(&req.addr).filter(|_| !upgrade);
        match locked {
            Some(_) => ui.line(&format!("- Reusing previous version of {short} from the dependency lock file")),
            None if constraints.is_empty() => ui.line(&format!("- Finding latest version of {short}...")),
            None => ui.line(&format!("- Finding {short} versions matching \"{constraints}\"...")),
        }
        match install::install(&data, req, &cli, &net, &mut locks, upgrade).await {
            Ok(i) => {
                kept.insert(req.addr.clone());
                let v = &i.version;
                match &i.how {
                    How::DevOverride => {
                        ui.line(&format!("- Using {short} from the dev_overrides directory {}", i.dir.display()))
                    }
                    How::AlreadyInstalled => ui.line(&format!("- Using previously-installed {short} v{v}")),
                    How::FromCache => ui.line(&format!("- Using {short} v{v} from the shared cache directory")),
                    How::Installed(auth) => {
                        ui.line(&format!("- Installing {short} v{v}..."));
                        match auth.third_party_key() {
                            Some(key) => {
                                third_party = true;
                                ui.line(&format!("- Installed {short} v{v} ({auth}, key ID {key})"));
                            }
                            None => ui.line(&format!("- Installed {short} v{v} ({auth})")),
                        }
                    }
                }
            }
            Err(_) if builtin.is_some() && locked.is_none() => {
                ui.line(&format!(
                    "- Using built-in provider {local} ({})",
                    builtin.map(|b| b.source()).unwrap_or_default()
                ));
            }
            Err(e) => missing.push(e),
        }
    }
    if third_party {
        ui.line("Partner and community providers are signed by their developers.\nIf you'd like to know more about provider signing, you can read about it here:\nhttps://developer.hashicorp.com/terraform/cli/plugins/signing");
    }
    if !missing.is_empty() {
        ui.error("Failed to install providers", &missing.join("\n\n"));
        return false;
    }
    locks.retain(|a, _| kept.contains(a));
    if locks != before {
        let text = install::lock_file_text(&locks);
        if let Err(e) = std::fs::write(install::LOCK_FILE, text) {
            ui.error("Failed to write the dependency lock file", &format!("{}: {e}", install::LOCK_FILE));
            return false;
        }
        if !had_lock_file && !locks.is_empty() {
            ui.line("terrane has created a lock file .terraform.lock.hcl to record the provider\nselections it made above. Include this file in your version control repository\nso that terrane can guarantee to make the same selections by default when\nyou run \"terrane init\" in the future.");
        } else if !locks.is_empty() {
            ui.line("terrane has made some changes to the provider dependency selections recorded\nin the .terraform.lock.hcl file. Review those changes and commit them to your\nversion control system if they represent changes you intended to make.");
        }
    }
    true
}
