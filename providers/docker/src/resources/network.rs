//! `docker_network`: the overlay networks services attach to (the platform's `proxy`).
//! Networks cannot change in place: every argument forces replacement.

use crate::daemon::{hashed, sorted, text};
use crate::labels::{self, Label};
use crate::resource::{Ctx, Named, ResourceType, Result, found};
use async_trait::async_trait;
use bollard::models::{Ipam, IpamConfig, Network as Listed, NetworkCreateRequest, NetworkInspect};
use bollard::query_parameters::{InspectNetworkOptions, ListNetworksOptions};
use std::collections::{BTreeMap, HashMap};
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct Network;

/// A `docker_network` object.
#[derive(Model, Clone, Debug, Default)]
pub struct NetworkObject {
    #[model(computed)]
    pub id: Option<String>,
    #[model(required, force_new)]
    pub name: String,
    #[model(optional, computed, force_new)]
    pub driver: Option<String>,
    #[model(optional, computed, force_new)]
    pub options: Option<BTreeMap<String, String>>,
    #[model(optional, default = false, force_new)]
    attachable: bool,
    #[model(optional, computed, force_new)]
    pub internal: Option<bool>,
    /// Deprecated in kreuzwerker/docker: the daemon refuses a duplicate name since API 1.44,
    /// and the request has no such field any more. Recorded as configured.
    #[model(optional, force_new)]
    check_duplicate: Option<bool>,
    #[model(optional, default = false, force_new)]
    ingress: bool,
    #[model(optional, default = false, force_new)]
    ipv6: bool,
    #[model(optional, default = "default", force_new)]
    ipam_driver: String,
    #[model(optional, force_new)]
    ipam_options: Option<BTreeMap<String, String>>,
    #[model(computed)]
    pub scope: Option<String>,
    #[model(block = "set", force_new)]
    labels: Vec<Label>,
    #[model(block = "set", force_new, computed)]
    pub ipam_config: Vec<IpamBlock>,
}

/// One `ipam_config` block (the resource's) or object (the data source's).
#[derive(Model, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct IpamBlock {
    #[model(optional)]
    subnet: Option<String>,
    #[model(optional)]
    ip_range: Option<String>,
    #[model(optional)]
    gateway: Option<String>,
    #[model(optional)]
    aux_address: Option<BTreeMap<String, String>>,
}

pub fn schema() -> Schema {
    NetworkObject::schema()
}

/// A network as the daemon describes it, in a listing (`Network`) or an inspection
/// (`NetworkInspect`): two types of the same fields.
pub struct Net<'a> {
    id: &'a Option<String>,
    name: &'a Option<String>,
    driver: &'a Option<String>,
    scope: &'a Option<String>,
    ipam: Option<&'a Ipam>,
    internal: Option<bool>,
    attachable: Option<bool>,
    ingress: Option<bool>,
    enable_ipv6: Option<bool>,
    options: Option<&'a HashMap<String, String>>,
    labels: Option<&'a HashMap<String, String>>,
}

macro_rules! described_by {
    ($t:ty) => {
        impl<'a> From<&'a $t> for Net<'a> {
            fn from(n: &'a $t) -> Net<'a> {
                Net {
                    id: &n.id,
                    name: &n.name,
                    driver: &n.driver,
                    scope: &n.scope,
                    ipam: n.ipam.as_ref(),
                    internal: n.internal,
                    attachable: n.attachable,
                    ingress: n.ingress,
                    enable_ipv6: n.enable_ipv6,
                    options: n.options.as_ref(),
                    labels: n.labels.as_ref(),
                }
            }
        }
    };
}
described_by!(Listed);
described_by!(NetworkInspect);

/// The `ipam_config` of a network as the daemon describes it.
pub fn ipam_blocks(n: &Net<'_>) -> Vec<IpamBlock> {
    let configs = n.ipam.and_then(|i| i.config.as_ref());
    configs
        .into_iter()
        .flatten()
        .map(|c| IpamBlock {
            subnet: text(c.subnet.as_deref()),
            ip_range: text(c.ip_range.as_deref()),
            gateway: text(c.gateway.as_deref()),
            aux_address: sorted(c.auxiliary_addresses.as_ref()),
        })
        .collect()
}

/// The object for a network as the daemon describes it, given the prior one (whose
/// `ipam_options` and `check_duplicate` the daemon does not answer with).
pub fn object(n: &Net<'_>, prior: &NetworkObject) -> NetworkObject {
    NetworkObject {
        id: Some(n.id.clone().unwrap_or_default()),
        name: n.name.clone().unwrap_or_default(),
        driver: Some(n.driver.clone().unwrap_or_default()),
        options: Some(labels::from_hash(n.options)),
        attachable: n.attachable.unwrap_or(false),
        internal: Some(n.internal.unwrap_or(false)),
        check_duplicate: prior.check_duplicate,
        ingress: n.ingress.unwrap_or(false),
        ipv6: n.enable_ipv6.unwrap_or(false),
        ipam_driver: n.ipam.and_then(|i| i.driver.clone()).unwrap_or_else(|| "default".into()),
        ipam_options: sorted(n.ipam.and_then(|i| i.options.as_ref())).or_else(|| prior.ipam_options.clone()),
        scope: Some(n.scope.clone().unwrap_or_default()),
        labels: labels::read_labels(n.labels),
        ipam_config: ipam_blocks(n),
    }
}

impl NetworkObject {
    fn request(&self) -> NetworkCreateRequest {
        let config = self
            .ipam_config
            .iter()
            .map(|b| IpamConfig {
                subnet: b.subnet.clone(),
                ip_range: b.ip_range.clone(),
                gateway: b.gateway.clone(),
                auxiliary_addresses: b.aux_address.as_ref().filter(|m| !m.is_empty()).map(|m| hashed(Some(m))),
            })
            .collect();
        NetworkCreateRequest {
            name: self.name.clone(),
            driver: self.driver.clone(),
            attachable: Some(self.attachable),
            internal: Some(self.internal.unwrap_or(false)),
            ingress: Some(self.ingress),
            enable_ipv6: Some(self.ipv6),
            options: Some(hashed(self.options.as_ref())),
            labels: Some(labels::map_of(&self.labels)),
            ipam: Some(Ipam {
                driver: Some(self.ipam_driver.clone()),
                config: Some(config),
                options: Some(hashed(self.ipam_options.as_ref())),
            }),
            ..Default::default()
        }
    }
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
        let planned = NetworkObject::from_value(planned)?;
        let (name, req) = (planned.name.clone(), planned.request());
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
                Some(v) if NetworkObject::from_stub(&v)?.driver.is_some_and(|d| !d.is_empty()) => return Ok(v),
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
            let prior = match NetworkObject::from_stub(cur) {
                Ok(p) => p,
                Err(e) => {
                    out.push(Err(e.into()));
                    continue;
                }
            };
            let id = prior.id.clone().unwrap_or_default();
            let found = all.iter().find(|n| n.id.as_ref() == Some(&id) || n.name.as_ref() == Some(&id));
            let Some(found) = found else {
                out.push(Ok(None));
                continue;
            };
            let nid = found.id.clone().unwrap_or_default();
            let doing = format!("reading network {}", found.name.as_deref().unwrap_or(&nid));
            let now = c.read(&doing, || c.docker.inspect_network(&nid, None::<InspectNetworkOptions>)).await;
            out.push(now.map(|n| n.map(|n| object(&(&n).into(), &prior).to_value())));
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
        let prior = NetworkObject::from_stub(prior)?;
        let id = prior.id.clone().unwrap_or_default();
        let doing = format!("removing network {}", if prior.name.is_empty() { &id } else { &prior.name });
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
