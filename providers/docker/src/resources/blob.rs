//! What `docker_secret` and `docker_config` share: immutable swarm objects holding
//! base64-encoded data; any change replaces them.

use crate::labels;
use crate::resource::{Ctx, Result, found};
use base64::Engine;
use std::collections::HashMap;
use terrane_engine::attrs::{self as val, Obj};
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

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

pub fn schema(kind: Kind) -> Schema {
    let data = Attribute::required(Type::String).force_new().describe("Base64-encoded content.");
    let data = if kind == Kind::Secret { data.sensitive() } else { data };
    let s = Schema::new()
        .attr("id", Attribute::computed(Type::String))
        .attr("name", Attribute::required(Type::String).force_new())
        .attr("data", data);
    // kreuzwerker/docker's docker_config has no labels.
    if kind == Kind::Secret { s.block("labels", labels::block(true)) } else { s }
}

/// Checks that `data` is base64 (standard or URL-safe), as the daemon requires.
pub fn check_data(config: &Value) -> Vec<terrane_engine::diag::Diagnostic> {
    let Some(d) = val::string(config, "data") else { return Vec::new() };
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
    let name = val::string(planned, "name").unwrap_or_default();
    let data = normalize(&val::string(planned, "data").unwrap_or_default())
        .ok_or_else(|| ProviderError::new(format!("the data of {} {name} is not base64", kind.noun())))?;
    let spec = serde_json::json!({"Name": name, "Data": data, "Labels": labels::to_map(planned, "labels")});
    // Names are unique in a swarm: a create whose answer was lost is found by name (exactly:
    // the daemon would also take an ID prefix).
    let doing = format!("creating {} {name}", kind.noun());
    let named = name.as_str();
    let id = match kind {
        Kind::Secret => {
            let spec: bollard::models::SecretSpec =
                serde_json::from_value(spec).map_err(|e| ProviderError::new(e.to_string()))?;
            let spec = &spec;
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
            let spec: bollard::models::ConfigSpec =
                serde_json::from_value(spec).map_err(|e| ProviderError::new(e.to_string()))?;
            let spec = &spec;
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

pub async fn read_many(kind: Kind, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
    let doing = format!("listing {}s", kind.noun());
    let listed: std::result::Result<Vec<serde_json::Value>, ProviderError> = match kind {
        Kind::Secret => c
            .call(&doing, || c.docker.list_secrets(None::<bollard::query_parameters::ListSecretsOptions>))
            .await
            .map(|v| v.iter().filter_map(|s| serde_json::to_value(s).ok()).collect()),
        Kind::Config => c
            .call(&doing, || c.docker.list_configs(None::<bollard::query_parameters::ListConfigsOptions>))
            .await
            .map(|v| v.iter().filter_map(|s| serde_json::to_value(s).ok()).collect()),
    }
    .map_err(ProviderError::from);
    let all = match listed {
        Ok(a) => a,
        Err(e) => return current.iter().map(|_| Err(e.clone())).collect(),
    };
    let by_id: HashMap<&str, &serde_json::Value> = all.iter().filter_map(|s| Some((s["ID"].as_str()?, s))).collect();
    let by_name: HashMap<&str, &serde_json::Value> =
        all.iter().filter_map(|s| Some((s["Spec"]["Name"].as_str()?, s))).collect();
    current
        .iter()
        .map(|cur| {
            let id = val::id(cur);
            let Some(j) = by_id.get(id.as_str()).or_else(|| by_name.get(id.as_str())) else { return Ok(None) };
            let spec = &j["Spec"];
            // Secrets never come back from the daemon; configs do.
            let data = match (kind, spec["Data"].as_str()) {
                (Kind::Config, Some(d)) => keep_spelling(cur.get_attr("data"), d),
                _ => cur.get_attr("data").cloned().unwrap_or(Value::NULL),
            };
            let data = if kind == Kind::Secret && !data.is_null() { data.mark_sensitive() } else { data };
            Ok(Some(
                Obj::new(&schema(kind))
                    .set("id", j["ID"].as_str().unwrap_or_default())
                    .set("name", spec["Name"].as_str().unwrap_or_default())
                    .set("data", data)
                    .set("labels", if kind == Kind::Secret { labels::read(spec.get("Labels")) } else { Value::NULL })
                    .build(),
            ))
        })
        .collect()
}

/// The prior base64 text when it encodes the same bytes as the daemon's.
fn keep_spelling(prior: Option<&Value>, daemon: &str) -> Value {
    match prior.and_then(Value::as_str) {
        Some(p) if normalize(p).as_deref() == Some(daemon) => Value::from(p),
        _ => Value::from(daemon),
    }
}

pub async fn delete(kind: Kind, c: &Ctx<'_>, prior: &Value) -> Result<()> {
    let id = val::id(prior);
    let doing = format!("removing {} {}", kind.noun(), val::string(prior, "name").unwrap_or_else(|| id.clone()));
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
