//! Terraform's validate walk: the configuration checked without state, variable values or
//! provider APIs. It is an operation of the one walker ([`crate::walk`]): every block is
//! evaluated once per static module (not per instance), in dependency order, by the node
//! kinds' own `validating` functions, with Terraform's stand-ins for what is not known yet
//! (`evaluationStateData` in `walkValidate`, [`crate::run::Repetition`]):
//!
//! - input variables: unknown values of their type (marked when sensitive), a module's
//!   arguments being checked against them;
//! - resources and data sources: unknown (`cty.DynamicVal`);
//! - module calls: an unknown object of their outputs (a list or map of them with
//!   `count`/`for_each`);
//! - `count.index`, `each.key`, `each.value`: unknown where `count`/`for_each` is set.
//!
//! What is known must be valid: `count` and `for_each` values, module arguments against
//! their variables, resource bodies against their schemas (and the provider's own checks),
//! `ignore_changes`, conditions that evaluate to something other than a bool, outputs that
//! expose sensitive values. Conditions are not enforced here (their values are rarely
//! known); the plan does that.

use crate::checks::CheckState;
use crate::context::Context;
use crate::diag::Diagnostics;
use crate::graph::{Permits, WalkControl, walk};
use crate::hooks::NoHooks;
use crate::plan::PlanMode;
use crate::state::State;
use crate::walk::{Op, ValidateWalk, Walk};
use std::sync::Mutex;

/// Validates the configuration as `terraform validate` does; also what `plan` runs when
/// planning failed, to tell errors that give no plan at all from those of a partial plan.
pub async fn validate(ctx: &Context) -> Diagnostics {
    let (graph, mut diags) = ctx.graph(&State::new());
    // References to undeclared objects are reported by the graph and read as unknown: the
    // walk still evaluates everything else, so that every error is reported at once.
    if diags.iter().filter(|d| d.is_error()).count() > graph.unresolved {
        return diags;
    }
    let state = Mutex::new(State::new());
    let control = WalkControl::default();
    let (checks, permits) = (CheckState::new(&ctx.config), Permits::new(1, &control));
    let w =
        ValidateWalk { w: Walk::new(ctx, &graph, Op::Validate, PlanMode::Normal, &state, checks, permits, &NoHooks) };
    walk(&graph, &control, |i| crate::walk::visit(&w, i)).await;
    diags.extend(w.w.diags.into_inner().expect("diags lock"));
    diags.extend(crate::plan::planner::invalid_import_ids(ctx));
    diags
}
