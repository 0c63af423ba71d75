//! `docker_service`: an app as a swarm service, with the Terraform Docker provider's schema.
//! Updates are rolling, in place, against the service's version index; after create and
//! update the provider waits until the desired tasks run (`converge_config`), and a service
//! that cannot converge fails with its tasks' own errors ("No such image: ...").

mod converge;
mod read;
mod schema;
mod spec;

use crate::resource::{Ctx, Named, ResourceType, Result, found};
use async_trait::async_trait;
use bollard::models::{Service as Svc, ServiceSpec};
use bollard::query_parameters::{InspectServiceOptions, ListServicesOptions, ListTasksOptions, UpdateServiceOptions};
use converge::{converge, running_tasks, tasks_of};
use schema::ServiceObject;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use terrane_engine::model::Model;
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
    c.read(&format!("reading service {id}"), || c.docker.inspect_service(id, None::<InspectServiceOptions>)).await
}

impl Service {
    async fn read_one(&self, c: &Ctx<'_>, id: &str, like: &ServiceObject) -> Result<Option<Value>> {
        let Some(svc) = inspect(c, id).await? else { return Ok(None) };
        let template = svc.spec.as_ref().and_then(|s| s.task_template.as_ref());
        let attached = template.and_then(|t| t.networks.as_ref()).is_some_and(|n| !n.is_empty());
        let networks = if attached { network_names(c).await } else { HashMap::new() };
        Ok(Some(read::from_service(&svc, like, &networks).to_value()))
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

    fn schema_version(&self) -> u64 {
        2
    }

    /// terrane's version 0 spelled `task_spec.resources.reservation` `reservations`.
    fn upgrade(&self, _version: u64, mut attributes: serde_json::Value) -> serde_json::Value {
        crate::upgrade::rename(&mut attributes, &["task_spec", "resources"], "reservations", "reservation");
        crate::upgrade::to_schema(&schema(), attributes)
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = &ServiceObject::from_value(planned)?;
        let name = planned.name.clone();
        let spec = spec::to_spec(planned, &format!("building the service spec of {name}"))?;
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

    async fn named(&self, c: &Ctx<'_>, name: &str) -> Result<Vec<Named>> {
        let svc = c
            .call(&format!("reading service {name}"), || async {
                found(c.docker.inspect_service(name, None::<InspectServiceOptions>).await)
            })
            .await?;
        Ok(svc
            .filter(|s| s.spec.as_ref().and_then(|p| p.name.as_deref()) == Some(name))
            .map(|s| Named::new(s.id, s.created_at.as_deref()))
            .into_iter()
            .collect())
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let current: Vec<ServiceObject> = match current.iter().map(ServiceObject::from_stub).collect() {
            Ok(c) => c,
            Err(e) => return current.iter().map(|_| Err(ProviderError::from(e.clone()))).collect(),
        };
        let ids: Vec<String> = current.iter().map(|c| c.id.clone().unwrap_or_default()).collect();
        let all = match list(c, &ids).await {
            Ok(a) => a,
            Err(e) => return current.iter().map(|_| Err(e.clone())).collect(),
        };
        let by_id: HashMap<&str, &Svc> = all.iter().filter_map(|s| Some((s.id.as_deref()?, s))).collect();
        let networks = network_names(c).await;
        let mut out = Vec::with_capacity(current.len());
        for (cur, id) in current.iter().zip(&ids) {
            match by_id.get(id.as_str()) {
                Some(s) => out.push(Ok(Some(read::from_service(s, cur, &networks).to_value()))),
                // Import by name: the ID filter does not match names.
                None => out.push(match inspect(c, id).await {
                    Ok(Some(s)) => Ok(Some(read::from_service(&s, cur, &networks).to_value())),
                    Ok(None) => Ok(None),
                    Err(e) => Err(e),
                }),
            }
        }
        out
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let id = ServiceObject::from_stub(prior)?.id.unwrap_or_default();
        let planned = &ServiceObject::from_value(planned)?;
        let spec = spec::to_spec(planned, "building the service spec")?;
        let auth = c.settings.credentials_for(image_of(&spec));
        // An update names the version it changes: each attempt reads the current one, so an
        // attempt after one whose answer was lost sends the same spec again instead of failing
        // with "update out of sequence".
        let name = &planned.name;
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
        let prior = ServiceObject::from_stub(prior)?;
        let id = prior.id.clone().unwrap_or_default();
        let name = if prior.name.is_empty() { id.clone() } else { prior.name };
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
