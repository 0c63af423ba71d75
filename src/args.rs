//! Command-line arguments, spelled as Terraform spells them.

use clap::{ArgAction, Args, Parser, Subcommand};
use std::ffi::OsString;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "terrane",
    version,
    about = "Infrastructure as code for application platforms: Terraform's language, a fast engine, first-party AWS and Docker Swarm providers."
)]
pub struct Cli {
    /// Switch to a different working directory before executing the given subcommand.
    #[arg(long = "chdir", short = 'C', global = true, value_name = "DIR")]
    pub chdir: Option<PathBuf>,
    /// Disable colour in output (also NO_COLOR).
    #[arg(long = "no-color", global = true)]
    pub no_color: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Prepare the working directory: check the configuration, backend and providers.
    Init(InitArgs),
    /// Install or update the modules the configuration calls (git repositories, tarballs).
    Get(GetArgs),
    /// Check whether the configuration is valid.
    Validate(ValidateArgs),
    /// Reformat configuration files to the canonical style.
    Fmt(FmtArgs),
    /// Show the changes required by the current configuration.
    Plan(PlanArgs),
    /// Create or update infrastructure.
    Apply(ApplyArgs),
    /// Destroy previously-created infrastructure.
    Destroy(ApplyArgs),
    /// Show the current state or a saved plan.
    Show(ShowArgs),
    /// Show output values from the state.
    Output(OutputArgs),
    /// Try expressions against the configuration and state, as Terraform's console does.
    Console(ConsoleArgs),
    /// Advanced state management.
    #[command(subcommand)]
    State(StateCommand),
    /// Print the dependency graph (DOT or Mermaid), optionally only what a saved plan changes.
    Graph(GraphArgs),
    /// Workspace management.
    #[command(subcommand)]
    Workspace(WorkspaceCommand),
    /// Release a stuck lock on the current workspace's state.
    #[command(name = "force-unlock")]
    ForceUnlock(ForceUnlockArgs),
    /// Show the current terrane version.
    Version(VersionArgs),
}

#[derive(Args, Debug, Default)]
pub struct InitArgs {
    /// Accepted for compatibility; terrane never prompts during init.
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", default_value_t = true)]
    pub input: bool,
    /// Upgrade modules and provider plugins to the newest versions their constraints allow
    /// (instead of the versions the dependency lock file selected).
    #[arg(long)]
    pub upgrade: bool,
    /// Install provider plugins only from this directory (a filesystem mirror's layout);
    /// repeatable. Replaces the CLI configuration's installation methods, as in Terraform.
    #[arg(long = "plugin-dir", value_name = "DIR")]
    pub plugin_dir: Vec<std::path::PathBuf>,
    /// Backend settings (KEY=VALUE or a file), merged into the backend block.
    #[arg(long = "backend-config", value_name = "KEY=VALUE|FILE")]
    pub backend_config: Vec<String>,
    /// Do not ask before migrating state; accepted for compatibility.
    #[arg(long = "migrate-state")]
    pub migrate_state: bool,
    /// Use the new backend settings without moving existing state.
    #[arg(long)]
    pub reconfigure: bool,
    /// With -migrate-state: overwrite a state of another lineage in the target backend.
    #[arg(long = "force-copy")]
    pub force_copy: bool,
    /// Machine-readable output: one JSON event per line (Terraform's `-json` UI).
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug, Default)]
pub struct GetArgs {
    /// Fetch every remote module again, even if already installed.
    #[arg(long)]
    pub update: bool,
}

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Produce output in Terraform's JSON format.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct FmtArgs {
    /// Check whether the files are formatted; exit 3 when they are not.
    #[arg(long)]
    pub check: bool,
    /// Show the formatting changes as a diff.
    #[arg(long)]
    pub diff: bool,
    /// Also process files in subdirectories.
    #[arg(long)]
    pub recursive: bool,
    /// Do not list the files that were changed.
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", default_value_t = true)]
    pub list: bool,
    /// Write the result to the files (default true).
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", default_value_t = true)]
    pub write: bool,
    /// Files or directories (default: the current directory); `-` reads stdin.
    pub paths: Vec<PathBuf>,
}

/// `terrane console`.
#[derive(Args, Debug)]
pub struct ConsoleArgs {
    /// Set a variable: -var 'name=value'.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Load variable values from a file.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Whether to lock the state.
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", default_value_t = true)]
    pub lock: bool,
    /// How long to retry taking a held lock (e.g. 30s, 5m).
    #[arg(long = "lock-timeout", default_value = "0s")]
    pub lock_timeout: String,
}

/// Options shared by `plan`, `apply` and `destroy`.
#[derive(Args, Debug, Clone)]
pub struct PlanOpts {
    /// Set a variable: -var 'name=value'.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Load variable values from a file.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Limit planning to the given resource (and what it depends on).
    #[arg(long = "target", value_name = "ADDRESS")]
    pub targets: Vec<String>,
    /// Force replacement of the given resource instance.
    #[arg(long = "replace", value_name = "ADDRESS")]
    pub replace: Vec<String>,
    /// Update the state to match remote objects without proposing changes.
    #[arg(long = "refresh-only")]
    pub refresh_only: bool,
    /// Whether to refresh recorded objects before planning.
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", default_value_t = true)]
    pub refresh: bool,
    /// Limit the number of concurrent operations.
    #[arg(long, default_value_t = 10)]
    pub parallelism: usize,
    /// Whether to lock the state.
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", default_value_t = true)]
    pub lock: bool,
    /// How long to retry taking a held lock (e.g. 30s, 5m).
    #[arg(long = "lock-timeout", default_value = "0s")]
    pub lock_timeout: String,
    /// Accepted for compatibility; terrane never prompts for variables.
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", default_value_t = true)]
    pub input: bool,
    /// Show warnings in a compact form.
    #[arg(long = "compact-warnings")]
    pub compact_warnings: bool,
}

#[derive(Args, Debug)]
pub struct PlanArgs {
    #[command(flatten)]
    pub opts: PlanOpts,
    /// Save the plan to a file, for `terrane apply FILE`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Plan to destroy every object.
    #[arg(long)]
    pub destroy: bool,
    /// Exit 0 when there are no changes, 1 on error, 2 when there are changes.
    #[arg(long = "detailed-exitcode")]
    pub detailed_exitcode: bool,
    /// Print the plan as Markdown for a pull-request comment (progress goes to stderr).
    #[arg(long)]
    pub markdown: bool,
    /// Machine-readable output: one JSON event per line (Terraform's `-json` UI).
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Instead of the whole plan, say why one resource changes: every cause with its chain
    /// through locals, modules and other resources, and where each link is written.
    #[arg(long, value_name = "ADDRESS", conflicts_with_all = ["markdown", "json"])]
    pub explain: Option<String>,
}

#[derive(Args, Debug)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub opts: PlanOpts,
    /// Skip the interactive approval of the plan.
    #[arg(long = "auto-approve")]
    pub auto_approve: bool,
    /// A saved plan to apply (from `terrane plan -out`).
    pub plan_file: Option<PathBuf>,
    /// Plan to destroy every object (for `apply -destroy`).
    #[arg(long)]
    pub destroy: bool,
    /// Exit 0 when nothing changed, 2 when changes were applied, 1 on error.
    #[arg(long = "detailed-exitcode")]
    pub detailed_exitcode: bool,
    /// Machine-readable output: one JSON event per line (Terraform's `-json` UI); needs
    /// -auto-approve or a saved plan.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// Machine-readable JSON output.
    #[arg(long)]
    pub json: bool,
    /// A saved plan as Markdown for a pull-request comment.
    #[arg(long, conflicts_with = "json")]
    pub markdown: bool,
    /// For a saved plan: say why one resource changes (see `plan -explain`).
    #[arg(long, value_name = "ADDRESS", conflicts_with_all = ["markdown", "json"])]
    pub explain: Option<String>,
    /// A saved plan or state file; the current state when omitted.
    pub file: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct OutputArgs {
    #[arg(long)]
    pub json: bool,
    /// Print a string, number or bool value without quotes.
    #[arg(long)]
    pub raw: bool,
    pub name: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum StateCommand {
    /// List resources in the state.
    List { addresses: Vec<String> },
    /// Show a resource in the state.
    Show { address: String },
    /// Move an item in the state.
    Mv {
        #[arg(long = "dry-run")]
        dry_run: bool,
        #[command(flatten)]
        lock: LockOpts,
        source: String,
        destination: String,
    },
    /// Remove instances from the state (the objects themselves are not destroyed).
    Rm {
        #[arg(long = "dry-run")]
        dry_run: bool,
        #[command(flatten)]
        lock: LockOpts,
        #[arg(required = true)]
        addresses: Vec<String>,
    },
    /// Print the state as stored.
    Pull,
    /// Replace the stored state with a local state file.
    Push {
        /// Write even if lineages differ or the serial is lower.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        lock: LockOpts,
        path: PathBuf,
    },
}

#[derive(Args, Debug, Clone)]
pub struct LockOpts {
    #[arg(long, action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", default_value_t = true)]
    pub lock: bool,
    #[arg(long = "lock-timeout", default_value = "0s")]
    pub lock_timeout: String,
}

#[derive(Args, Debug)]
pub struct GraphArgs {
    /// Accepted for compatibility (plan, apply, plan-destroy); the dependency graph is printed.
    #[arg(long = "type")]
    pub graph_type: Option<String>,
    /// Output format: dot (Graphviz) or mermaid (renders in GitHub and GitLab Markdown).
    #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
    pub format: GraphFormat,
    /// A saved plan: show only the resources it changes, each marked with its action.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

#[derive(Subcommand, Debug)]
pub enum WorkspaceCommand {
    /// List workspaces.
    List,
    /// Create a new workspace and select it.
    New {
        #[command(flatten)]
        lock: LockOpts,
        name: String,
    },
    /// Select a workspace.
    Select {
        /// Create the workspace if it does not exist.
        #[arg(long = "or-create")]
        or_create: bool,
        name: String,
    },
    /// Show the name of the current workspace.
    Show,
    /// Delete a workspace.
    Delete {
        /// Delete even if its state still has resources.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        lock: LockOpts,
        name: String,
    },
}

#[derive(Args, Debug)]
pub struct ForceUnlockArgs {
    /// Do not ask for confirmation.
    #[arg(long)]
    pub force: bool,
    pub lock_id: String,
}

#[derive(Args, Debug)]
pub struct VersionArgs {
    #[arg(long)]
    pub json: bool,
}

/// `-var` and `-var-file` arguments in command-line order (later ones win, as in Terraform);
/// clap keeps each option's values in order but not their interleaving.
static VAR_ORDER: std::sync::OnceLock<Vec<(bool, String)>> = std::sync::OnceLock::new();

/// Records the order of `--var`/`--var-file` in the (normalized) command line.
pub fn record_var_order(argv: &[OsString]) {
    let mut out = Vec::new();
    let mut it = argv.iter().filter_map(|a| a.to_str());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        for (flag, is_file) in [("--var-file", true), ("--var", false)] {
            if a == flag {
                if let Some(v) = it.next() {
                    out.push((is_file, v.to_string()));
                }
                break;
            }
            if let Some(v) = a.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
                out.push((is_file, v.to_string()));
                break;
            }
        }
    }
    let _ = VAR_ORDER.set(out);
}

/// The recorded `-var`/`-var-file` order: `(is_file, value)`.
pub fn var_order() -> Option<&'static [(bool, String)]> {
    VAR_ORDER.get().map(Vec::as_slice)
}

/// Rewrites Terraform's single-dash long options (`-out=x`, `-auto-approve`, `-var`) to the
/// double-dash form clap parses. Short options (`-C`) and plain values are left alone.
pub fn normalize(argv: Vec<OsString>) -> Vec<OsString> {
    let mut out = Vec::with_capacity(argv.len());
    let mut after_double_dash = false;
    for (i, a) in argv.into_iter().enumerate() {
        let Some(s) = a.to_str() else {
            out.push(a);
            continue;
        };
        if i == 0 || after_double_dash {
            out.push(a);
            continue;
        }
        if s == "--" {
            after_double_dash = true;
            out.push(a);
            continue;
        }
        let bytes = s.as_bytes();
        let single_dash_long = bytes.len() > 2
            && bytes[0] == b'-'
            && bytes[1].is_ascii_alphabetic()
            && bytes[2..]
                .iter()
                .take_while(|b| **b != b'=')
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
            && bytes[1..].iter().take_while(|b| **b != b'=').count() > 1;
        if single_dash_long {
            out.push(OsString::from(format!("-{s}")));
        } else {
            out.push(a);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(args: &[&str]) -> Vec<String> {
        normalize(args.iter().map(OsString::from).collect()).into_iter().map(|a| a.into_string().unwrap()).collect()
    }

    #[test]
    fn single_dash_long_options_become_double_dash() {
        assert_eq!(
            norm(&["terrane", "plan", "-out=plan.bin", "-var", "a=-1", "-lock=false", "-C", "dir", "--target=x.y"]),
            ["terrane", "plan", "--out=plan.bin", "--var", "a=-1", "--lock=false", "-C", "dir", "--target=x.y"]
        );
        assert_eq!(norm(&["terrane", "apply", "-auto-approve", "-"]), ["terrane", "apply", "--auto-approve", "-"]);
        assert_eq!(norm(&["terrane", "fmt", "--", "-weird.tf"]), ["terrane", "fmt", "--", "-weird.tf"]);
    }

    #[test]
    fn var_order_is_recorded_across_both_options() {
        let argv: Vec<OsString> = norm(&["terrane", "plan", "-var", "a=1", "-var-file=x.tfvars", "-var=b=2"])
            .into_iter()
            .map(OsString::from)
            .collect();
        record_var_order(&argv);
        assert_eq!(
            var_order().unwrap(),
            [(false, "a=1".to_string()), (true, "x.tfvars".to_string()), (false, "b=2".to_string())]
        );
    }

    #[test]
    fn terraform_style_command_lines_parse() {
        let cli = Cli::try_parse_from(norm(&[
            "terrane",
            "-chdir=infra",
            "plan",
            "-out=p.bin",
            "-var=a=b",
            "-detailed-exitcode",
            "-refresh=false",
            "-lock-timeout=30s",
        ]))
        .unwrap();
        assert_eq!(cli.chdir.as_deref(), Some(std::path::Path::new("infra")));
        let Command::Plan(p) = cli.command else { panic!("plan") };
        assert_eq!(p.out.as_deref(), Some(std::path::Path::new("p.bin")));
        assert!(p.detailed_exitcode);
        assert!(!p.opts.refresh);
        assert_eq!(p.opts.vars, ["a=b"]);
        assert_eq!(p.opts.lock_timeout, "30s");
    }
}
