//! What `docker_secret` and `docker_config` share: immutable swarm objects holding
//! base64-encoded data; any change replaces them.

use crate::labels::{self, Label};
use crate::resource::{Ctx, Result, found};
use base64::Engine;
use bollard::models::{ConfigSpec, SecretSpec};
use std::collections::HashMap;
use terrane_engine::model::{Model, ModelError};
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

/// A `docker_secret` object; a `docker_config` is one without labels (see [`ConfigObject`]).
#[derive(Model, Clone, Debug, Default)]
pub struct Blob {
    #[model(computed)]
    id: Option<String>,
    #[model(required, force_new)]
    name: String,
    /// `None` where nothing says (a secret's data never comes back from the daemon, so an
    /// imported secret has none).
    #[model(required, force_new, sensitive, describe = "Base64-encoded content.")]
    data: Option<String>,
    #[model(block = "set", force_new)]
    labels: Vec<Label>,
}

/// A `docker_config` object: kreuzwerker/docker's has no labels, and its data is not secret.
#[derive(Model, Clone, Debug, Default)]
struct ConfigObject {
    #[model(computed)]
    id: Option<String>,
    #[model(required, force_new)]
    name: String,
    #[model(required, force_new, describe = "Base64-encoded content.")]
    data: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Secret,
    Config,
}

impl Kind {
    fn noun(self) -> &'static str {
        match self {
            Kind::Secret => "secret",
            Kind::Config => "config",
        }
    }
}

impl Kind {
    pub fn schema(self) -> Schema {
        match self {
            Kind::Secret => Blob::schema(),
            Kind::Config => ConfigObject::schema(),
        }
    }

    /// An object of this kind (`lenient` as [`Model::read`]).
    fn read(self, v: &Value, lenient: bool) -> std::result::Result<Blob, ModelError> {
        match self {
            Kind::Secret => Blob::read(v, lenient),
            Kind::Config => {
                let c = ConfigObject::read(v, lenient)?;
                Ok(Blob { id: c.id, name: c.name, data: c.data, labels: Vec::new() })
            }
        }
    }

    fn value(self, b: Blob) -> Value {
        match self {
            // Marked where it is made, not only where the engine records it.
            Kind::Secret => Blob::schema().mark_sensitive(b.to_value()),
            Kind::Config => ConfigObject { id: b.id, name: b.name, data: b.data }.to_value(),
        }
    }
}

/// Checks that `data` is base64 (standard or URL-safe), as the daemon requires.
pub fn check_data(kind: Kind, config: &Value) -> Vec<terrane_engine::diag::Diagnostic> {
    let Some(d) = kind.read(config, true).ok().and_then(|b| b.data) else { return Vec::new() };
    if normalize(&d).is_none() {
        return vec![terrane_engine::diag::Diagnostic::error(
            "Invalid data",
            "data must be base64-encoded; use base64encode(...) on the content (the value is not shown because it may be secret).",
        )];
    }
    Vec::new()
}

/// Standard base64 of the (standard or URL-safe) input.
fn normalize(data: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(data))
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(data))
        .ok()?;
    Some(base64::engine::general_purpose::STANDARD.encode(bytes))
}

pub async fn create(kind: Kind, c: &Ctx<'_>, planned: &Value) -> Result<String> {
    let planned = kind.read(planned, false)?;
    let name = planned.name.clone();
    let data = normalize(planned.data.as_deref().unwrap_or_default())
        .ok_or_else(|| ProviderError::new(format!("the data of {} {name} is not base64", kind.noun())))?;
    let labels = Some(labels::map_of(&planned.labels));
    // Names are unique in a swarm: a create whose answer was lost is found by name (exactly:
    // the daemon would also take an ID prefix).
    let doing = format!("creating {} {name}", kind.noun());
    let named = name.as_str();
    let id = match kind {
        Kind::Secret => {
            let spec = &SecretSpec { name: Some(name.clone()), data: Some(data), labels, ..Default::default() };
            c.create(
                &doing,
                move || async move { Ok(c.docker.create_secret(spec.clone()).await?.id) },
                Some(move || async move {
                    let s = found(c.docker.inspect_secret(named).await)?;
                    Ok(s.filter(|s| s.spec.as_ref().and_then(|p| p.name.as_deref()) == Some(named)).and_then(|s| s.id))
                }),
            )
            .await?
        }
        Kind::Config => {
            let spec = &ConfigSpec { name: Some(name.clone()), data: Some(data), labels, ..Default::default() };
            c.create(
                &doing,
                move || async move { Ok(c.docker.create_config(spec.clone()).await?.id) },
                Some(move || async move {
                    let s = found(c.docker.inspect_config(named).await)?;
                    Ok(s.filter(|s| s.spec.as_ref().and_then(|p| p.name.as_deref()) == Some(named)).and_then(|s| s.id))
                }),
            )
            .await?
        }
    };
    Ok(id)
}

/// The secret or config named exactly `name`, with when it was created.
pub async fn named(kind: Kind, c: &Ctx<'_>, name: &str) -> Result<Vec<crate::resource::Named>> {
    let doing = format!("reading {} {name}", kind.noun());
    let found = match kind {
        Kind::Secret => c
            .call(&doing, || async { found(c.docker.inspect_secret(name).await) })
            .await?
            .map(|s| (s.spec.and_then(|p| p.name), s.id, s.created_at)),
        Kind::Config => c
            .call(&doing, || async { found(c.docker.inspect_config(name).await) })
            .await?
            .map(|s| (s.spec.and_then(|p| p.name), s.id, s.created_at)),
    };
    Ok(found
        .filter(|(n, _, _)| n.as_deref() == Some(name))
        .map(|(_, id, created)| crate::resource::Named::new(id, created.as_deref()))
        .into_iter()
        .collect())
}

/// The IDs of the secrets or configs carrying the labels in `filter`.
pub async fn ids_labelled(kind: Kind, c: &Ctx<'_>, filter: HashMap<String, Vec<String>>) -> Result<Vec<String>> {
    let doing = format!("listing {}s", kind.noun());
    let ids = match kind {
        Kind::Secret => {
            let opts = bollard::query_parameters::ListSecretsOptions { filters: Some(filter) };
            c.call(&doing, || c.docker.list_secrets(Some(opts.clone())))
                .await?
                .into_iter()
                .filter_map(|s| s.id)
                .collect()
        }
        Kind::Config => {
            let opts = bollard::query_parameters::ListConfigsOptions { filters: Some(filter) };
            c.call(&doing, || c.docker.list_configs(Some(opts.clone())))
                .await?
                .into_iter()
                .filter_map(|s| s.id)
                .collect()
        }
    };
    Ok(ids)
}

/// A secret or a config as a listing describes it.
struct Listed {
    id: Option<String>,
    name: Option<String>,
    data: Option<String>,
    labels: Option<HashMap<String, String>>,
}

/// Secrets and configs: two types of the same fields.
macro_rules! listed_from {
    ($t:ty) => {
        impl From<$t> for Listed {
            fn from(s: $t) -> Listed {
                let spec = s.spec.unwrap_or_default();
                Listed { id: s.id, name: spec.name, data: spec.data, labels: spec.labels }
            }
        }
    };
}
listed_from!(bollard::models::Secret);
listed_from!(bollard::models::Config);

pub async fn read_many(kind: Kind, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
    let doing = format!("listing {}s", kind.noun());
    let listed: std::result::Result<Vec<Listed>, ProviderError> = match kind {
        Kind::Secret => c
            .call(&doing, || c.docker.list_secrets(None::<bollard::query_parameters::ListSecretsOptions>))
            .await
            .map(|v| v.into_iter().map(Listed::from).collect()),
        Kind::Config => c
            .call(&doing, || c.docker.list_configs(None::<bollard::query_parameters::ListConfigsOptions>))
            .await
            .map(|v| v.into_iter().map(Listed::from).collect()),
    }
    .map_err(ProviderError::from);
    let all = match listed {
        Ok(a) => a,
        Err(e) => return current.iter().map(|_| Err(e.clone())).collect(),
    };
    let by_id: HashMap<&str, &Listed> = all.iter().filter_map(|s| Some((s.id.as_deref()?, s))).collect();
    let by_name: HashMap<&str, &Listed> = all.iter().filter_map(|s| Some((s.name.as_deref()?, s))).collect();
    current
        .iter()
        .map(|cur| {
            let prior = kind.read(cur, true)?;
            let id = prior.id.as_deref().unwrap_or_default();
            let Some(found) = by_id.get(id).or_else(|| by_name.get(id)) else { return Ok(None) };
            // Secrets never come back from the daemon; configs do.
            let data = match (kind, found.data.as_deref()) {
                (Kind::Config, Some(d)) => Some(keep_spelling(prior.data.as_deref(), d)),
                _ => prior.data,
            };
            Ok(Some(kind.value(Blob {
                id: Some(found.id.clone().unwrap_or_default()),
                name: found.name.clone().unwrap_or_default(),
                data,
                labels: labels::read_labels(found.labels.as_ref()),
            })))
        })
        .collect()
}

/// The prior base64 text when it encodes the same bytes as the daemon's.
fn keep_spelling(prior: Option<&str>, daemon: &str) -> String {
    match prior {
        Some(p) if normalize(p).as_deref() == Some(daemon) => p.to_string(),
        _ => daemon.to_string(),
    }
}

pub async fn delete(kind: Kind, c: &Ctx<'_>, prior: &Value) -> Result<()> {
    let prior = kind.read(prior, true)?;
    let id = prior.id.clone().unwrap_or_default();
    let doing = format!("removing {} {}", kind.noun(), if prior.name.is_empty() { &id } else { &prior.name });
    // A service being removed still references the object for a moment: retry while in use.
    for attempt in 0..60 {
        let r = match kind {
            Kind::Secret => c.call(&doing, || c.docker.delete_secret(&id)).await,
            Kind::Config => c.call(&doing, || c.docker.delete_config(&id)).await,
        };
        match r {
            Ok(()) => return Ok(()),
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) if attempt < 59 && e.to_string().contains("in use") => {
                tokio::time::sleep(std::time::Duration::from_millis(500)).await
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
