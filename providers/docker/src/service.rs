//! `docker_service`: an app as a swarm service, with the Terraform Docker provider's schema.
//! Updates are rolling, in place, against the service's version index; after create and
//! update the provider waits until the desired tasks run (`converge_config`), and a service
//! that cannot converge fails with its tasks' own errors ("No such image: ...").

mod read;
mod schema;
mod spec;

use crate::resource::{Ctx, ResourceType, Result, duration_ns, found};
use async_trait::async_trait;
use bollard::models::{
    Service as Svc, ServiceSpec, ServiceUpdateStatusStateEnum as UpdateState, Task, TaskSpec, TaskState,
};
use bollard::query_parameters::{InspectServiceOptions, ListServicesOptions, ListTasksOptions, UpdateServiceOptions};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use terrane_engine::attrs as val;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub use schema::schema;

pub struct Service;

/// Every service the batch needs, in one call.
async fn list(c: &Ctx<'_>, ids: &[String]) -> Result<Vec<Svc>> {
    let opts =
        ListServicesOptions { filters: Some(HashMap::from([("id".to_string(), ids.to_vec())])), ..Default::default() };
    Ok(c.call("listing services", || c.docker.list_services(Some(opts.clone()))).await?)
}

async fn inspect(c: &Ctx<'_>, id: &str) -> Result<Option<Svc>> {
    match c.call(&format!("reading service {id}"), || c.docker.inspect_service(id, None::<InspectServiceOptions>)).await
    {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn converge_settings(planned: &Value) -> (Duration, Duration) {
    let cfg = val::block(planned, "converge_config");
    let get = |k: &str, default: Duration| {
        cfg.as_ref()
            .and_then(|c| val::string(c, k))
            .and_then(|s| duration_ns(&s))
            .map_or(default, |ns| Duration::from_nanos(ns as u64))
    };
    (get("timeout", Duration::from_secs(180)), get("delay", Duration::from_millis(250)))
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
fn tasks_of(id: &str) -> ListTasksOptions {
    ListTasksOptions { filters: Some(HashMap::from([("service".to_string(), vec![id.to_string()])])) }
}

/// The IDs of the service's tasks meant to run now.
async fn running_tasks(c: &Ctx<'_>, id: &str) -> Result<Vec<String>> {
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
async fn converge(c: &Ctx<'_>, id: &str, planned: &Value, before: &[String]) -> Result<()> {
    let (timeout, delay) = converge_settings(planned);
    let start = Instant::now();
    let mut pause = FIRST_POLL.min(delay);
    let mut checks = 0u32;
    let mode = val::block(planned, "mode");
    let global = mode.as_ref().and_then(|m| val::boolean(m, "global")).unwrap_or(false);
    let planned_replicas =
        mode.as_ref().and_then(|m| val::block(m, "replicated")).and_then(|r| val::int(&r, "replicas"));
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

impl Service {
    async fn read_one(&self, c: &Ctx<'_>, id: &str, like: &Value) -> Result<Option<Value>> {
        let Some(svc) = inspect(c, id).await? else { return Ok(None) };
        let template = svc.spec.as_ref().and_then(|s| s.task_template.as_ref());
        let attached = template.and_then(|t| t.networks.as_ref()).is_some_and(|n| !n.is_empty());
        let networks = if attached { network_names(c).await } else { HashMap::new() };
        Ok(Some(read::from_service(&svc, like, &networks)))
    }
}

/// The image a spec runs, whose registry's credentials the create or update sends.
fn image_of(spec: &ServiceSpec) -> &str {
    spec.task_template.as_ref().and_then(|t| t.container_spec.as_ref()).and_then(|c| c.image.as_deref()).unwrap_or("")
}

/// Network ID → name, to keep the spelling the configuration used for `networks_advanced`.
async fn network_names(c: &Ctx<'_>) -> HashMap<String, String> {
    match crate::resources::network::list(c).await {
        Ok(all) => all.into_iter().filter_map(|n| Some((n.id?, n.name?))).collect(),
        Err(_) => HashMap::new(),
    }
}

#[async_trait]
impl ResourceType for Service {
    fn name(&self) -> &'static str {
        "docker_service"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let name = val::string(planned, "name").unwrap_or_default();
        let mut spec = spec::to_spec(planned, &format!("building the service spec of {name}"))?;
        if let Some(token) = c.token {
            spec.labels.get_or_insert_default().insert(crate::labels::CREATE_TOKEN.to_string(), token.to_string());
        }
        let auth = c.settings.credentials_for(image_of(&spec));
        let asked = Instant::now();
        // Service names are unique in a swarm: a create whose answer was lost is found by name.
        let (spec, auth, named) = (&spec, &auth, name.as_str());
        let id = c
            .create(
                &format!("creating service {name}"),
                move || async move {
                    Ok(c.docker.create_service(spec.clone(), auth.clone()).await?.id.unwrap_or_default())
                },
                Some(move || async move {
                    let svc = found(c.docker.inspect_service(named, None::<InspectServiceOptions>).await)?;
                    Ok(svc.map(|s| s.id.unwrap_or_default()))
                }),
            )
            .await?;
        tracing::debug!(service = name, id, elapsed = ?asked.elapsed(), "created");
        let partial = || Value::object([("id", Value::from(id.as_str())), ("name", Value::from(name.as_str()))]);
        // Whatever happens while converging, the service exists and is recorded.
        let converged = converge(c, &id, planned, &[]).await;
        let now = self
            .read_one(c, &id, planned)
            .await
            .map_err(|e| e.with_partial_state(partial()))?
            .ok_or_else(|| ProviderError::new(format!("service {name} disappeared after creation")))?;
        match converged {
            Ok(()) => Ok(now),
            Err(e) => Err(e.with_partial_state(now)),
        }
    }

    async fn ids_labelled(&self, c: &Ctx<'_>, filter: HashMap<String, Vec<String>>) -> Result<Vec<String>> {
        let opts = ListServicesOptions { filters: Some(filter), ..Default::default() };
        let found = c.call("listing services", || c.docker.list_services(Some(opts.clone()))).await?;
        Ok(found.into_iter().filter_map(|s| s.id).collect())
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let ids: Vec<String> = current.iter().map(val::id).collect();
        let all = match list(c, &ids).await {
            Ok(a) => a,
            Err(e) => return current.iter().map(|_| Err(e.clone())).collect(),
        };
        let by_id: HashMap<&str, &Svc> = all.iter().filter_map(|s| Some((s.id.as_deref()?, s))).collect();
        let networks = network_names(c).await;
        let mut out = Vec::with_capacity(current.len());
        for cur in current {
            let id = val::id(cur);
            match by_id.get(id.as_str()) {
                Some(s) => out.push(Ok(Some(read::from_service(s, cur, &networks)))),
                // Import by name: the ID filter does not match names.
                None => out.push(match inspect(c, &id).await {
                    Ok(Some(s)) => Ok(Some(read::from_service(&s, cur, &networks))),
                    Ok(None) => Ok(None),
                    Err(e) => Err(e),
                }),
            }
        }
        out
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = val::id(prior);
        let spec = spec::to_spec(planned, "building the service spec")?;
        let auth = c.settings.credentials_for(image_of(&spec));
        // An update names the version it changes: each attempt reads the current one, so an
        // attempt after one whose answer was lost sends the same spec again instead of failing
        // with "update out of sequence".
        let name = val::string(planned, "name").unwrap_or_else(|| id.clone());
        let before = running_tasks(c, &id).await?;
        let (spec, auth, sid) = (&spec, &auth, id.as_str());
        c.call(&format!("updating service {name}"), move || async move {
            let current = c.docker.inspect_service(sid, None::<InspectServiceOptions>).await?;
            let version = current.version.and_then(|v| v.index).unwrap_or(0) as i32;
            let opts = UpdateServiceOptions { version, ..Default::default() };
            c.docker.update_service(sid, spec.clone(), opts, auth.clone()).await
        })
        .await?;
        let converged = converge(c, &id, planned, &before).await;
        let now = self
            .read_one(c, &id, planned)
            .await?
            .ok_or_else(|| ProviderError::new(format!("service {id} disappeared during the update")))?;
        match converged {
            Ok(()) => Ok(now),
            Err(e) => Err(e.with_partial_state(now)),
        }
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let id = val::id(prior);
        let name = val::string(prior, "name").unwrap_or_else(|| id.clone());
        // Its tasks, by ID: once the service is removed the daemon no longer lists tasks by
        // service ("service not found"), but keeps each task until its container is gone.
        let doing = format!("listing the tasks of service {name}");
        let by_service = tasks_of(&id);
        let task_ids: Vec<String> = match c.call(&doing, || c.docker.list_tasks(Some(by_service.clone()))).await {
            Ok(tasks) => tasks.into_iter().filter_map(|t| t.id).collect(),
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        match c.call(&format!("removing service {name}"), || c.docker.delete_service(&id)).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        // Wait for its tasks to stop and their containers on this node to be removed, so
        // networks, secrets, configs and volumes can go next (a volume removed while a task's
        // container is still being made would be made again by it).
        let start = Instant::now();
        let tasks = ListTasksOptions { filters: Some(HashMap::from([("id".to_string(), task_ids.clone())])) };
        let containers = bollard::query_parameters::ListContainersOptions {
            all: true,
            filters: Some(HashMap::from([("label".to_string(), vec![format!("com.docker.swarm.service.id={id}")])])),
            ..Default::default()
        };
        // The service is gone whatever happens here: a failing look ends the wait.
        let doing = format!("waiting for the tasks of service {name} to stop");
        while start.elapsed() < Duration::from_secs(60) {
            let tasks_left = if task_ids.is_empty() {
                Vec::new()
            } else {
                let Ok(t) = c.call(&doing, || c.docker.list_tasks(Some(tasks.clone()))).await else { break };
                t
            };
            let Ok(containers_left) = c.call(&doing, || c.docker.list_containers(Some(containers.clone()))).await
            else {
                break;
            };
            if tasks_left.is_empty() && containers_left.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Ok(())
    }
}
