//! `docker_network`: the overlay networks services attach to (the platform's `proxy`).
//! Networks cannot change in place: every argument forces replacement.

use crate::labels;
use crate::resource::{Ctx, Named, ResourceType, Result, found};
use async_trait::async_trait;
use bollard::query_parameters::{InspectNetworkOptions, ListNetworksOptions};
use std::collections::HashMap;
use terrane_engine::attrs::{self as val, Obj};
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub struct Network;

pub fn schema() -> Schema {
    Schema::new()
        .attr("id", Attribute::computed(Type::String))
        .attr("name", Attribute::required(Type::String).force_new())
        .attr("driver", Attribute::optional_computed(Type::String).force_new())
        .attr("options", Attribute::optional_computed(Type::map(Type::String)).force_new())
        .attr("attachable", Attribute::optional(Type::Bool).default(false).force_new())
        .attr("internal", Attribute::optional_computed(Type::Bool).force_new())
        // Deprecated in kreuzwerker/docker: the daemon always refuses a duplicate name since
        // API 1.44. Sent as given, for older daemons.
        .attr("check_duplicate", Attribute::optional(Type::Bool).force_new())
        .attr("ingress", Attribute::optional(Type::Bool).default(false).force_new())
        .attr("ipv6", Attribute::optional(Type::Bool).default(false).force_new())
        .attr("ipam_driver", Attribute::optional(Type::String).default("default").force_new())
        .attr("ipam_options", Attribute::optional(Type::map(Type::String)).force_new())
        .attr("scope", Attribute::computed(Type::String))
        .block("labels", labels::block(true))
        .block(
            "ipam_config",
            NestedBlock::set(
                Schema::new()
                    .attr("subnet", Attribute::optional(Type::String))
                    .attr("ip_range", Attribute::optional(Type::String))
                    .attr("gateway", Attribute::optional(Type::String))
                    .attr("aux_address", Attribute::optional(Type::map(Type::String))),
            )
            .force_new()
            .computed(),
        )
}

pub fn ipam_config(j: &serde_json::Value) -> Value {
    let configs = j["IPAM"]["Config"].as_array().cloned().unwrap_or_default();
    Value::set_any(
        configs
            .iter()
            .map(|c| {
                let s = |k: &str| {
                    c.get(k).and_then(|v| v.as_str()).filter(|s| !s.is_empty()).map_or(Value::NULL, Value::from)
                };
                let aux = labels::from_json(c.get("AuxiliaryAddresses"));
                Value::object([
                    ("subnet", s("Subnet")),
                    ("ip_range", s("IPRange")),
                    ("gateway", s("Gateway")),
                    ("aux_address", if aux.is_empty() { Value::NULL } else { val::str_map(&aux) }),
                ])
            })
            .collect(),
    )
}

/// The object for a network as the daemon describes it.
pub fn from_json(j: &serde_json::Value, prior: &Value) -> Value {
    let b = |k: &str| Value::Bool(j[k].as_bool().unwrap_or(false));
    let opts = labels::from_json(j.get("Options"));
    let ipam_opts = labels::from_json(j["IPAM"].get("Options"));
    Obj::new(&schema())
        .set("id", j["Id"].as_str().unwrap_or_default())
        .set("name", j["Name"].as_str().unwrap_or_default())
        .set("driver", j["Driver"].as_str().unwrap_or_default())
        .set("options", val::str_map(&opts))
        .set("attachable", b("Attachable"))
        .set("internal", b("Internal"))
        .set("ingress", b("Ingress"))
        .set("ipv6", b("EnableIPv6"))
        .set("ipam_driver", j["IPAM"]["Driver"].as_str().unwrap_or("default"))
        .set(
            "ipam_options",
            if ipam_opts.is_empty() {
                prior.get_attr("ipam_options").cloned().unwrap_or_default()
            } else {
                val::str_map(&ipam_opts)
            },
        )
        .set("scope", j["Scope"].as_str().unwrap_or_default())
        .set("labels", labels::read(j.get("Labels")))
        .set("ipam_config", ipam_config(j))
        .keep(prior, &["check_duplicate"])
        .build()
}

/// Every network (one call).
pub async fn list(c: &Ctx<'_>) -> Result<Vec<bollard::models::Network>> {
    Ok(c.call("listing networks", || c.docker.list_networks(None::<ListNetworksOptions>)).await?)
}

#[async_trait]
impl ResourceType for Network {
    fn name(&self) -> &'static str {
        "docker_network"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    /// kreuzwerker/docker's version 1 (its version 0 had `labels` as a map).
    fn schema_version(&self) -> u64 {
        1
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let name = val::string(planned, "name").unwrap_or_default();
        let ipam: Vec<serde_json::Value> = val::blocks(planned, "ipam_config")
            .iter()
            .map(|b| {
                let mut m = serde_json::Map::new();
                for (k, api) in [("subnet", "Subnet"), ("ip_range", "IPRange"), ("gateway", "Gateway")] {
                    if let Some(s) = val::string(b, k) {
                        m.insert(api.into(), s.into());
                    }
                }
                let aux = val::string_map(b, "aux_address");
                if !aux.is_empty() {
                    m.insert("AuxiliaryAddresses".into(), serde_json::to_value(aux).unwrap_or_default());
                }
                serde_json::Value::Object(m)
            })
            .collect();
        let mut req = serde_json::json!({
            "Name": name,
            "Attachable": val::boolean(planned, "attachable").unwrap_or(false),
            "Internal": val::boolean(planned, "internal").unwrap_or(false),
            "Ingress": val::boolean(planned, "ingress").unwrap_or(false),
            "EnableIPv6": val::boolean(planned, "ipv6").unwrap_or(false),
            "Options": val::string_map(planned, "options"),
            "Labels": labels::to_map(planned, "labels"),
            "IPAM": {"Driver": val::string(planned, "ipam_driver").unwrap_or_else(|| "default".into()), "Config": ipam, "Options": val::string_map(planned, "ipam_options")},
        });
        if let Some(d) = val::string(planned, "driver") {
            req["Driver"] = d.into();
        }
        if let Some(check) = val::boolean(planned, "check_duplicate") {
            req["CheckDuplicate"] = check.into();
        }
        let req: bollard::models::NetworkCreateRequest = serde_json::from_value(req)
            .map_err(|e| ProviderError::new(format!("building the network request: {e}")))?;
        // A create whose answer was lost is found by name (unique for swarm networks; the
        // look-up also insists on the exact name, not an ID prefix).
        let (req, named) = (&req, name.as_str());
        let id = c
            .create(
                &format!("creating network {name}"),
                move || async move { Ok(c.docker.create_network(req.clone()).await?.id) },
                Some(move || async move {
                    let net = found(c.docker.inspect_network(named, None::<InspectNetworkOptions>).await)?;
                    Ok(net.filter(|n| n.name.as_deref() == Some(named)).and_then(|n| n.id))
                }),
            )
            .await?;
        let partial = || Value::object([("id", Value::from(id.as_str())), ("name", Value::from(name.as_str()))]);
        // Swarm fills in a new overlay network's details (driver, IPAM) shortly after.
        let stub = Value::object([("id", Value::from(id.as_str()))]);
        for _ in 0..50 {
            let now = self
                .read_many(c, std::slice::from_ref(&stub))
                .await
                .pop()
                .unwrap_or(Ok(None))
                .map_err(|e| e.with_partial_state(partial()))?;
            match now {
                Some(v) if val::string(&v, "driver").is_some_and(|d| !d.is_empty()) => return Ok(v),
                Some(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
                None => break,
            }
        }
        Err(ProviderError::new(format!("network {name} did not become ready after creation"))
            .with_partial_state(partial()))
    }

    async fn ids_labelled(&self, c: &Ctx<'_>, filter: HashMap<String, Vec<String>>) -> Result<Vec<String>> {
        let opts = ListNetworksOptions { filters: Some(filter) };
        let found = c.call("listing networks", || c.docker.list_networks(Some(opts.clone()))).await?;
        Ok(found.into_iter().filter_map(|n| n.id).collect())
    }

    /// Network names need not be unique outside a swarm: every network with the name.
    async fn named(&self, c: &Ctx<'_>, name: &str) -> Result<Vec<Named>> {
        let opts = ListNetworksOptions { filters: Some(HashMap::from([("name".to_string(), vec![name.to_string()])])) };
        let all = c.call("listing networks", || c.docker.list_networks(Some(opts.clone()))).await?;
        Ok(all
            .into_iter()
            .filter(|n| n.name.as_deref() == Some(name))
            .map(|n| Named::new(n.id, n.created.as_deref()))
            .collect())
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        // One listing finds which networks exist; each found one is inspected, since a
        // listing does not carry every detail (and swarm fills an overlay's IPAM lazily).
        let all = match list(c).await {
            Ok(a) => a,
            Err(e) => return current.iter().map(|_| Err(e.clone())).collect(),
        };
        let mut out = Vec::with_capacity(current.len());
        for cur in current {
            let id = val::id(cur);
            let found = all.iter().find(|n| n.id.as_ref() == Some(&id) || n.name.as_ref() == Some(&id));
            let Some(found) = found else {
                out.push(Ok(None));
                continue;
            };
            let nid = found.id.clone().unwrap_or_default();
            let doing = format!("reading network {}", found.name.as_deref().unwrap_or(&nid));
            out.push(match c.call(&doing, || c.docker.inspect_network(&nid, None::<InspectNetworkOptions>)).await {
                Ok(n) => Ok(Some(from_json(&serde_json::to_value(&n).unwrap_or_default(), cur))),
                Err(e) if e.is_not_found() => Ok(None),
                Err(e) => Err(e.into()),
            });
        }
        out
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, _planned: &Value) -> Result<Value> {
        // Every argument forces replacement: nothing to change in place.
        self.read_many(c, std::slice::from_ref(prior))
            .await
            .pop()
            .unwrap_or(Ok(None))?
            .ok_or_else(|| ProviderError::new("the network is gone"))
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let id = val::id(prior);
        let doing = format!("removing network {}", val::string(prior, "name").unwrap_or_else(|| id.clone()));
        // Tasks detach asynchronously after a service is removed: retry while in use.
        for attempt in 0..60 {
            match c.call(&doing, || c.docker.remove_network(&id)).await {
                // Gone already: also when an earlier attempt's answer was lost.
                Ok(()) => break,
                Err(e) if e.is_not_found() => break,
                Err(e)
                    if attempt < 59
                        && (e.to_string().contains("in use") || e.to_string().contains("active endpoints")) =>
                {
                    tokio::time::sleep(std::time::Duration::from_millis(500)).await
                }
                Err(e) => return Err(e.into()),
            }
        }
        // Swarm removes the network asynchronously: wait until it is gone.
        for _ in 0..100 {
            match found(c.docker.inspect_network(&id, None::<InspectNetworkOptions>).await) {
                Ok(None) => break,
                _ => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
            }
        }
        Ok(())
    }
}
