//! The `terrane` command line: Terraform's commands and flags (single-dash spellings such as
//! `-out=plan.bin` and `-auto-approve` work, as do `--long` forms), over terrane's engine.

mod args;
mod backends;
pub(crate) mod cmd;
mod module_registry;
mod plugins;
mod signals;
mod ui;
mod workdir;

use clap::Parser;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: a 100,000-resource plan allocates and frees
/// millions of small values, and spent a quarter of its time in glibc's malloc and free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let argv = args::normalize(std::env::args_os().collect());
    args::record_var_order(&argv);
    let cli = match args::Cli::try_parse_from(argv) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 1 } else { 0 });
        }
    };
    init_tracing();
    if let Some(dir) = &cli.chdir
        && let Err(e) = std::env::set_current_dir(dir)
    {
        eprintln!("Error: cannot change to directory {}: {e}", dir.display());
        return ExitCode::from(1);
    }
    let color =
        !cli.no_color && std::env::var_os("NO_COLOR").is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout());
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("Error: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let ui = ui::Ui::new(color);
    let code = runtime.block_on(cmd::run(cli.command, &ui));
    ExitCode::from(code)
}

/// Libraries that log whole requests and responses at debug level (service specs with their
/// environment, database passwords in API calls): capped at `info` whatever the filter says,
/// so secrets never reach the log.
const BODY_LOGGERS: &[&str] =
    &["bollard", "hyper", "hyper_util", "h2", "aws_smithy_runtime", "aws_smithy_http", "aws_sigv4", "aws_config"];

/// `TERRANE_LOG` (or `TF_LOG`) sets the log filter, e.g. `TERRANE_LOG=debug`; logs go to stderr.
fn init_tracing() {
    let filter = std::env::var("TERRANE_LOG").or_else(|_| std::env::var("TF_LOG")).unwrap_or_default();
    if filter.is_empty() {
        return;
    }
    let mut filter = tracing_subscriber::EnvFilter::try_new(filter.to_lowercase())
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    for target in BODY_LOGGERS {
        if let Ok(d) = format!("{target}=info").parse() {
            filter = filter.add_directive(d);
        }
    }
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
