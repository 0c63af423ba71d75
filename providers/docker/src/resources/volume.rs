//! `docker_volume`: named volumes, with a driver and its options (the platform used the
//! rexray/ebs driver for EBS-backed volumes). Volumes cannot change: any change replaces.

use crate::labels;
use crate::resource::{Ctx, Named, ResourceType, Result, found};
use async_trait::async_trait;
use std::collections::HashMap;
use terrane_engine::attrs::{self as val, Obj};
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub struct Volume;

/// The name of an unnamed volume whose create had `token`: 64 hex digits, like the names the
/// daemon gives anonymous volumes.
pub fn volume_name_for(token: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

fn schema() -> Schema {
    Schema::new()
        .attr("id", Attribute::computed(Type::String))
        .attr("name", Attribute::optional_computed(Type::String).force_new())
        .attr("driver", Attribute::optional_computed(Type::String).force_new())
        .attr("driver_opts", Attribute::optional(Type::map(Type::String)).force_new())
        .attr("mountpoint", Attribute::computed(Type::String))
        .block("labels", labels::block(true))
        .block("cluster", cluster())
}

/// A swarm cluster volume (Docker 23+, through a CSI plugin): declared as kreuzwerker/docker
/// declares it, refused in a configuration (see [`Volume::validate`]).
fn cluster() -> NestedBlock {
    let s = || Attribute::optional(Type::String);
    NestedBlock::list(
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("scope", s().default("single").force_new())
            .attr("sharing", s().default("none").force_new())
            .attr("type", s().default("block").force_new())
            .attr("group", s().default("").force_new())
            .attr("topology_preferred", s().default("").force_new())
            .attr("topology_required", s().default("").force_new())
            .attr("required_bytes", s().force_new())
            .attr("limit_bytes", s().force_new())
            .attr("availability", s().default("active")),
    )
    .max(1)
}

#[async_trait]
impl ResourceType for Volume {
    fn name(&self) -> &'static str {
        "docker_volume"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    /// kreuzwerker/docker's version 1 (its version 0 had `labels` as a map).
    fn schema_version(&self) -> u64 {
        1
    }

    /// Cluster volumes need a CSI volume plugin installed on the swarm's nodes; there is none
    /// to prove creating, publishing and removing one against, so the block is refused by name
    /// rather than accepted and perhaps done wrong.
    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        if val::blocks(config, "cluster").is_empty() {
            return Vec::new();
        }
        vec![Diagnostic::error(
            "Unsupported argument: cluster",
            "docker_volume.cluster (a swarm cluster volume, made through a CSI volume plugin) is not supported by terrane's Docker provider yet: no CSI plugin was available to test it against. Use a local or plugin volume (driver, driver_opts), or manage this volume with kreuzwerker/docker.",
        )]
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let mut req = serde_json::json!({
            "DriverOpts": val::string_map(planned, "driver_opts"),
            "Labels": labels::to_map(planned, "labels"),
        });
        // An unnamed volume is named after the create's token, as the daemon would name it
        // (hex), so that a create killed before it was recorded can be found by name.
        if let Some(n) = val::string(planned, "name").or_else(|| c.token.map(volume_name_for)) {
            req["Name"] = n.into();
        }
        if let Some(d) = val::string(planned, "driver") {
            req["Driver"] = d.into();
        }
        let req: bollard::models::VolumeCreateRequest =
            serde_json::from_value(req).map_err(|e| ProviderError::new(e.to_string()))?;
        // A named volume whose create answer was lost is found by name; an unnamed one gets a
        // new random name each time, so it is only created again when the first request never
        // reached the daemon.
        let name = val::string(planned, "name").or_else(|| c.token.map(volume_name_for));
        let doing = format!("creating volume {}", name.as_deref().unwrap_or("(unnamed)"));
        let req = &req;
        let find = name.as_deref().map(|n| move || async move { found(c.docker.inspect_volume(n).await) });
        let v = c.create(&doing, move || c.docker.create_volume(req.clone()), find).await?;
        let j = serde_json::to_value(&v).unwrap_or_default();
        Ok(from_json(&j, planned))
    }

    async fn ids_labelled(&self, c: &Ctx<'_>, filter: HashMap<String, Vec<String>>) -> Result<Vec<String>> {
        let opts = bollard::query_parameters::ListVolumesOptions { filters: Some(filter) };
        let found = c.call("listing volumes", || c.docker.list_volumes(Some(opts.clone()))).await?;
        Ok(found.volumes.unwrap_or_default().into_iter().map(|v| v.name).collect())
    }

    async fn named(&self, c: &Ctx<'_>, name: &str) -> Result<Vec<Named>> {
        let v =
            c.call(&format!("reading volume {name}"), || async { found(c.docker.inspect_volume(name).await) }).await?;
        Ok(v.filter(|v| v.name == name)
            .map(|v| Named::new(Some(v.name), v.created_at.as_deref()))
            .into_iter()
            .collect())
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let mut out = Vec::with_capacity(current.len());
        for cur in current {
            let name = val::id(cur);
            out.push(match c.call(&format!("reading volume {name}"), || c.docker.inspect_volume(&name)).await {
                Ok(v) => Ok(Some(from_json(&serde_json::to_value(&v).unwrap_or_default(), cur))),
                Err(e) if e.is_not_found() => Ok(None),
                Err(e) => Err(e.into()),
            });
        }
        out
    }

    async fn update(&self, _c: &Ctx<'_>, _prior: &Value, planned: &Value) -> Result<Value> {
        Ok(planned.clone())
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let name = val::id(prior);
        let doing = format!("removing volume {name}");
        for attempt in 0..60 {
            match c
                .call(&doing, || c.docker.remove_volume(&name, None::<bollard::query_parameters::RemoveVolumeOptions>))
                .await
            {
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
}

fn from_json(j: &serde_json::Value, prior: &Value) -> Value {
    let opts = labels::from_json(j.get("Options"));
    Obj::new(&schema())
        .set("id", j["Name"].as_str().unwrap_or_default())
        .set("name", j["Name"].as_str().unwrap_or_default())
        .set("driver", j["Driver"].as_str().unwrap_or_default())
        .set(
            "driver_opts",
            if opts.is_empty() {
                prior.get_attr("driver_opts").cloned().unwrap_or_default()
            } else {
                val::str_map(&opts)
            },
        )
        .set("mountpoint", j["Mountpoint"].as_str().unwrap_or_default())
        .set("labels", labels::read(j.get("Labels")))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_volume_is_refused_by_name_and_none_is_accepted() {
        let cluster = Value::object([("scope", Value::from("multi"))]);
        let with = Value::object([("name", Value::from("v")), ("cluster", Value::tuple(vec![cluster]))]);
        let errors = Volume.validate(&with);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].summary.contains("cluster") && errors[0].detail.contains("CSI"), "{errors:?}");
        let without = Value::object([("name", Value::from("v")), ("cluster", Value::tuple(Vec::new()))]);
        assert!(Volume.validate(&without).is_empty());
    }
}
