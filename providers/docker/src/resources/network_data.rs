//! `data "docker_network"`: an existing network by name.

use super::network::{IpamBlock, ipam_blocks, object};
use crate::resource::{Ctx, DataSourceType, Result};
use async_trait::async_trait;
use std::collections::BTreeMap;
use terrane_engine::model::{Model, Object};
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct NetworkData;

/// A `data "docker_network"` object: `ipam_config` is an attribute here, not a block.
#[derive(Model, Clone, Debug, Default)]
struct NetworkDataObject {
    #[model(required)]
    name: String,
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    driver: Option<String>,
    #[model(computed)]
    scope: Option<String>,
    #[model(computed)]
    internal: Option<bool>,
    #[model(computed)]
    options: Option<BTreeMap<String, String>>,
    #[model(computed)]
    ipam_config: Option<std::collections::BTreeSet<Object<IpamBlock>>>,
}

#[async_trait]
impl DataSourceType for NetworkData {
    fn name(&self) -> &'static str {
        "docker_network"
    }

    fn schema(&self) -> Schema {
        NetworkDataObject::schema()
    }

    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value> {
        let name = NetworkDataObject::from_value(config)?.name;
        let all = super::network::list(c).await?;
        let found = all
            .iter()
            .find(|n| n.name.as_ref() == Some(&name) || n.id.as_ref() == Some(&name))
            .ok_or_else(|| ProviderError::new(format!("no network named {name:?}")))?;
        let found = found.into();
        let n = object(&found, &Default::default());
        Ok(NetworkDataObject {
            name,
            id: n.id,
            driver: n.driver,
            scope: n.scope,
            internal: n.internal,
            options: n.options,
            ipam_config: Some(ipam_blocks(&found).into_iter().map(Object).collect()),
        }
        .to_value())
    }
}
