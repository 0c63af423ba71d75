//! What `plan`, `apply` and `destroy` share: loading everything a plan needs, making the plan
//! under the state lock, and printing it.

use crate::args::PlanOpts;
use crate::ui::Ui;
use crate::workdir::{self, Lock};
use std::path::Path;
use std::sync::Arc;
use terrane_engine::addr::{parse_instance, parse_target};
use terrane_engine::context::Context;
use terrane_engine::diag::{Diagnostic, Diagnostics};
use terrane_engine::graph::WalkControl;
use terrane_engine::plan::planner::{PlanOptions, plan_partial_owned};
use terrane_engine::plan::render::text::render_plan;
use terrane_engine::plan::{Plan, PlanMode};
use terrane_engine::schema::Schema;
use terrane_engine::state::{State, StateBackend};
use terrane_engine::variables::{CliVar, collect_inputs};

/// A working directory loaded for an operation, with its lock held.
pub struct Session {
    pub ctx: Context,
    pub backend: Arc<dyn StateBackend>,
    pub workspace: String,
    pub lock: Option<Lock>,
    pub stored: Option<State>,
}

impl Session {
    pub async fn release(mut self, ui: &Ui) -> bool {
        match self.lock.take() {
            Some(l) => l.release(ui).await,
            None => true,
        }
    }
}

/// Variables from `-var`/`-var-file` in command-line order (later ones win).
pub fn cli_vars(opts: &PlanOpts) -> Vec<CliVar> {
    if let Some(order) = crate::args::var_order()
        && order.len() == opts.vars.len() + opts.var_files.len()
    {
        return order
            .iter()
            .map(|(file, v)| if *file { CliVar::File(v.into()) } else { CliVar::Var(v.clone()) })
            .collect();
    }
    let mut out: Vec<CliVar> = opts.var_files.iter().cloned().map(CliVar::File).collect();
    out.extend(opts.vars.iter().cloned().map(CliVar::Var));
    out
}

/// Loads the configuration, takes the lock and reads the state.
pub async fn open(ui: &Ui, opts: &PlanOpts, operation: &str) -> Option<Session> {
    let config = workdir::load_config(ui)?;
    open_with(ui, config, opts, operation).await
}

/// Like [`open`], with a configuration already loaded (a saved plan's).
pub async fn open_with(
    ui: &Ui,
    config: terrane_engine::config::Config,
    opts: &PlanOpts,
    operation: &str,
) -> Option<Session> {
    let backend = match crate::backends::current(Some(&config)) {
        Ok(b) => b,
        Err(d) => {
            ui.diags(&Diagnostics::from(d), &config.sources);
            return None;
        }
    };
    let workspace = workdir::workspace();
    let lock = Lock::take(ui, &backend, &workspace, operation, opts.lock, &opts.lock_timeout).await?;
    let stored = match workdir::read_state(ui, &backend, &workspace).await {
        Ok(s) => s,
        Err(()) => {
            lock.release(ui).await;
            return None;
        }
    };
    let registry = match crate::plugins::registry_for(&config, stored.as_ref()).await {
        Ok(r) => r,
        Err(d) => {
            ui.diags(&Diagnostics::from(d), &config.sources);
            lock.release(ui).await;
            return None;
        }
    };
    let ctx = Context::new(config, registry, stored.as_ref().unwrap_or(&State::new()), &workspace);
    Some(Session { ctx, backend, workspace, lock: Some(lock), stored })
}

/// Builds plan options from the command line, printing errors.
pub fn plan_options(ui: &Ui, session: &mut Session, opts: &PlanOpts, mode: PlanMode) -> Option<PlanOptions> {
    let env: Vec<(String, String)> = std::env::vars().collect();
    let dir = session.ctx.config.dir.clone();
    let mut sources = session.ctx.config.sources.clone();
    let (variables, diags) = collect_inputs(&session.ctx.config, &dir, &cli_vars(opts), &env, &mut sources);
    session.ctx.config.sources = sources;
    ui.diags(&diags, &session.ctx.config.sources);
    if diags.has_errors() {
        return None;
    }
    let mut targets = Vec::new();
    for t in &opts.targets {
        match parse_target(t) {
            Ok(t) => targets.push(t),
            Err(e) => {
                ui.error("Invalid target address", &e.to_string());
                return None;
            }
        }
    }
    let mut replace = Vec::new();
    for r in &opts.replace {
        match parse_instance(r) {
            Ok(i) => replace.push(i),
            Err(e) => {
                ui.error("Invalid replace address", &e.to_string());
                return None;
            }
        }
    }
    let mode = if opts.refresh_only { PlanMode::RefreshOnly } else { mode };
    Some(PlanOptions {
        mode,
        targets,
        replace,
        refresh: opts.refresh,
        parallelism: opts.parallelism.max(1),
        variables,
        ..PlanOptions::default()
    })
}

/// Makes the plan. Its diagnostics are returned, not printed: Terraform prints them after
/// the plan. A plan with errors comes back only when the walk ran ([`Plan::errored`]); it
/// is shown and can be saved, never applied.
pub async fn make_plan(
    ui: &Ui,
    session: &mut Session,
    opts: &PlanOptions,
    control: &WalkControl,
    quiet: bool,
) -> (Option<Plan>, Diagnostics) {
    let hooks = ui.hooks(quiet);
    // The stored state becomes the plan's prior state (no copy of every object): the
    // session has no further use for it.
    plan_partial_owned(&session.ctx, session.stored.take(), opts, control, hooks.as_ref()).await
}

/// The schema of a change's resource type, for rendering.
pub fn schema_lookup(ctx: &Context) -> impl Fn(&terrane_engine::plan::ResourceChange) -> Option<Schema> + '_ {
    move |c| ctx.resource_schema(&c.provider, &c.addr.resource).map(|s| s.block.clone())
}

pub fn print_plan(ui: &Ui, ctx: &Context, plan: &Plan) {
    let lookup = schema_lookup(ctx);
    ui.out(&render_plan(plan, &lookup, ui.color));
}

/// The configuration snapshot a saved plan carries.
pub fn plan_config(plan: &Plan) -> Result<terrane_engine::config::Config, Diagnostics> {
    let (mut config, diags) = terrane_engine::config::load_sources(plan.config.clone());
    config.dir = Path::new(&plan.config_dir).to_path_buf();
    if diags.has_errors() {
        return Err(diags);
    }
    Ok(config)
}

pub fn print_markdown(ui: &Ui, ctx: &Context, plan: &Plan) {
    let lookup = schema_lookup(ctx);
    ui.out(&terrane_engine::plan::render::markdown::render_markdown(
        plan,
        &lookup,
        terrane_engine::plan::render::markdown::COMMENT_LIMIT,
    ));
    ui.out("\n");
}

/// Prints why one resource changes (`-explain ADDRESS`); false when the address is invalid.
pub fn print_explanation(ui: &Ui, plan: &Plan, addr: &str) -> bool {
    let inst = match terrane_engine::addr::parse_instance(addr) {
        Ok(i) => i,
        Err(e) => {
            ui.error("Invalid -explain address", &format!("{addr}: {e}"));
            return false;
        }
    };
    let addr = inst.to_string();
    match terrane_engine::plan::render::text::render_explanation(plan, &addr) {
        Some(text) => ui.out(&text),
        None => ui.out(&format!("No change is planned for {addr}, so there is nothing to explain.\n")),
    }
    true
}

/// The context a saved plan was made with: its configuration snapshot and providers.
pub async fn context_for_plan(plan: &Plan, state: &State) -> Result<Context, Diagnostics> {
    let config = plan_config(plan)?;
    let registry = crate::plugins::registry_for(&config, Some(state)).await.map_err(Diagnostics::from)?;
    Ok(Context::new(config, registry, state, &plan.workspace))
}

pub fn plan_file_error(ui: &Ui, path: &Path, msg: &str) {
    ui.diags(
        &Diagnostics::from(Diagnostic::error("Failed to load the saved plan", format!("{}: {msg}", path.display()))),
        &Default::default(),
    );
}
