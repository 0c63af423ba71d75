//! Waiting after a create or update until the service's desired tasks run (`converge_config`),
//! or failing with its tasks' own errors.

use super::inspect;
use super::schema::ServiceObject;
use crate::resource::{Ctx, Result, duration_ns};
use bollard::models::{ServiceUpdateStatusStateEnum as UpdateState, Task, TaskSpec, TaskState};
use bollard::query_parameters::ListTasksOptions;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use terrane_engine::provider::ProviderError;

/// The timeout and the longest pause between checks: `converge_config`'s, else 3 minutes and
/// a quarter of a second.
fn converge_settings(planned: &ServiceObject) -> (Duration, Duration) {
    let cfg = planned.converge_config.as_ref();
    let get = |d: Option<&String>, default: Duration| {
        d.and_then(|s| duration_ns(s)).map_or(default, |ns| Duration::from_nanos(ns as u64))
    };
    (get(cfg.map(|c| &c.timeout), Duration::from_secs(180)), get(cfg.map(|c| &c.delay), Duration::from_millis(250)))
}

/// The first convergence checks come this often; after [`FAST_CHECKS`] they grow apart up to
/// `delay`.
const FIRST_POLL: Duration = Duration::from_millis(50);
const FAST_CHECKS: Duration = Duration::from_secs(2);

/// A task template as swarm compares a task's to its service's to decide whether the task
/// must be replaced. The daemon spells "nothing" in several ways (a missing field, `{}`,
/// `[]`, the default restart policy, runtime `container`) that swarm treats alike; a change
/// of placement alone replaces no task.
///
/// This one comparison is made on the template's JSON form, on purpose: one generic walk
/// drops every empty spelling from every field of the template, nested or not (bollard's
/// `TaskSpec` has dozens, with more in each API version), where a typed comparison would
/// have to name each field and would silently compare a field it does not name as before.
fn rolled_out(template: Option<&TaskSpec>) -> serde_json::Value {
    fn strip(v: &serde_json::Value) -> Option<serde_json::Value> {
        match v {
            serde_json::Value::Null => None,
            serde_json::Value::Object(m) => {
                let m: serde_json::Map<String, serde_json::Value> =
                    m.iter().filter_map(|(k, v)| Some((k.clone(), strip(v)?))).collect();
                (!m.is_empty()).then_some(serde_json::Value::Object(m))
            }
            serde_json::Value::Array(a) if a.is_empty() => None,
            serde_json::Value::Array(a) => Some(serde_json::Value::Array(a.iter().filter_map(strip).collect())),
            other => Some(other.clone()),
        }
    }
    let mut t = strip(&serde_json::to_value(template).unwrap_or_default()).unwrap_or_default();
    if let Some(o) = t.as_object_mut() {
        o.remove("Placement");
        if o.get("Runtime").and_then(|r| r.as_str()) == Some("container") {
            o.remove("Runtime");
        }
        let default_restart = serde_json::json!({"Condition": "any", "Delay": 5_000_000_000u64, "MaxAttempts": 0});
        if o.get("RestartPolicy") == Some(&default_restart) {
            o.remove("RestartPolicy");
        }
    }
    t
}

/// How long after an update the tasks that ran before it may still look current: swarm
/// starts a rolling update a moment after the call. Past this, with no rolling update under
/// way, the update changed nothing swarm replaces tasks for.
const ROLLOUT_START: Duration = Duration::from_secs(5);

/// The listing of a service's tasks.
pub(super) fn tasks_of(id: &str) -> ListTasksOptions {
    ListTasksOptions { filters: Some(HashMap::from([("service".to_string(), vec![id.to_string()])])) }
}

/// The IDs of the service's tasks meant to run now.
pub(super) async fn running_tasks(c: &Ctx<'_>, id: &str) -> Result<Vec<String>> {
    let opts = tasks_of(id);
    let tasks =
        c.call(&format!("listing the tasks of service {id}"), || c.docker.list_tasks(Some(opts.clone()))).await?;
    Ok(tasks
        .iter()
        .filter(|t| t.desired_state == Some(bollard::models::TaskState::RUNNING))
        .filter_map(|t| t.id.clone())
        .collect())
}

/// Waits until the service's desired tasks run. A small task runs within a few hundred
/// milliseconds, so for the first two seconds the checks come every 50 ms, then grow by half
/// each time up to `converge_config.delay` (250 ms without the block): an apply is not rounded
/// up to whole delays, and a slow service does not keep the daemon busy with checks.
/// A new replicated service is checked with one call (its tasks; the replicas wanted are in
/// its spec and no rolling update can be under way), the service itself read only every
/// fourth check, to notice that it is gone.
/// After an update that changed the task template, the tasks that ran before it (`before`)
/// must have been replaced: swarm starts the rolling update a moment after the call, and
/// until then the old tasks still look converged.
pub(super) async fn converge(c: &Ctx<'_>, id: &str, planned: &ServiceObject, before: &[String]) -> Result<()> {
    let (timeout, delay) = converge_settings(planned);
    let start = Instant::now();
    let mut pause = FIRST_POLL.min(delay);
    let mut checks = 0u32;
    let mode = planned.mode.as_ref();
    let global = mode.is_some_and(|m| m.global);
    let planned_replicas = mode.and_then(|m| m.replicated.as_ref()).map(|r| r.replicas);
    let tasks_only = before.is_empty() && !global;
    loop {
        let svc = if tasks_only && checks % 4 != 3 {
            None
        } else {
            Some(
                inspect(c, id)
                    .await?
                    .ok_or_else(|| ProviderError::new(format!("service {id} disappeared while converging")))?,
            )
        };
        let desired = if global {
            let nodes = c
                .call("listing swarm nodes", || {
                    c.docker.list_nodes(None::<bollard::query_parameters::ListNodesOptions>)
                })
                .await?;
            nodes
                .iter()
                .filter(|n| {
                    n.status.as_ref().and_then(|s| s.state.as_ref()).map(|s| s.to_string()) == Some("ready".into())
                })
                .count()
        } else {
            match &svc {
                Some(svc) => {
                    let mode = svc.spec.as_ref().and_then(|s| s.mode.as_ref());
                    let replicas = mode.and_then(|m| m.replicated.as_ref()).and_then(|r| r.replicas);
                    replicas.and_then(|r| u64::try_from(r).ok()).unwrap_or(1) as usize
                }
                None => planned_replicas.unwrap_or(1).max(0) as usize,
            }
        };
        let opts = tasks_of(id);
        let tasks =
            c.call(&format!("listing the tasks of service {id}"), || c.docker.list_tasks(Some(opts.clone()))).await?;
        let state = |t: &Task| t.status.as_ref().and_then(|s| s.state);
        let wanted: Vec<&Task> = tasks.iter().filter(|t| t.desired_state == Some(TaskState::RUNNING)).collect();
        let running = wanted.iter().filter(|t| state(t) == Some(TaskState::RUNNING)).count();
        let update_status = svc.as_ref().and_then(|s| s.update_status.as_ref());
        let updating = update_status.and_then(|u| u.state);
        let rolling = matches!(updating, Some(UpdateState::UPDATING | UpdateState::ROLLBACK_STARTED));
        // A task that ran before the update and does not run the new template is still to be
        // replaced, unless swarm has not started replacing anything well after the call.
        let stale = !before.is_empty() && (rolling || start.elapsed() < ROLLOUT_START) && {
            let template =
                rolled_out(svc.as_ref().and_then(|s| s.spec.as_ref()).and_then(|s| s.task_template.as_ref()));
            wanted
                .iter()
                .any(|t| t.id.as_ref().is_some_and(|i| before.contains(i)) && rolled_out(t.spec.as_ref()) != template)
        };
        checks += 1;
        if running >= desired && wanted.len() == running && !stale && !rolling {
            tracing::debug!(service = id, elapsed = ?start.elapsed(), checks, "converged");
            return Ok(());
        }
        if let Some(stopped @ (UpdateState::PAUSED | UpdateState::ROLLBACK_COMPLETED | UpdateState::ROLLBACK_PAUSED)) =
            updating
        {
            let msg = update_status.and_then(|u| u.message.as_deref()).unwrap_or("");
            return Err(ProviderError::new(format!(
                "the rolling update of service {id} stopped ({stopped}): {msg}{}",
                task_errors(&tasks)
            )));
        }
        let rejected = tasks
            .iter()
            .filter(|t| {
                matches!(state(t), Some(TaskState::REJECTED | TaskState::FAILED))
                    && t.status.as_ref().is_some_and(|s| s.err.is_some())
            })
            .count();
        if rejected >= 3 && running == 0 {
            return Err(ProviderError::new(format!("service {id} cannot start its tasks{}", task_errors(&tasks))));
        }
        if start.elapsed() >= timeout {
            return Err(ProviderError::new(format!(
                "service {id} did not converge within {}: {running} of {desired} tasks running{}",
                humantime::format_duration(timeout),
                task_errors(&tasks)
            )));
        }
        tokio::time::sleep(pause.min(timeout.saturating_sub(start.elapsed()))).await;
        if start.elapsed() >= FAST_CHECKS {
            pause = (pause * 3 / 2).min(delay);
        }
    }
}

/// The distinct errors of failed tasks, as the daemon words them.
fn task_errors(tasks: &[Task]) -> String {
    let mut errs: Vec<String> = tasks.iter().filter_map(|t| t.status.as_ref()?.err.clone()).collect();
    errs.sort();
    errs.dedup();
    if errs.is_empty() { String::new() } else { format!("; task errors: {}", errs.join("; ")) }
}
