//! hashicorp/null 3.2: `null_resource`, which does nothing but be replaced when its
//! `triggers` change, and the deprecated `null_data_source`.

use crate::kit::{Ctx, Data, Kit, Managed, Result, random_bytes};
use std::collections::BTreeMap;
use terrane_engine::model::Model;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub fn factory() -> Kit {
    Kit::new("hashicorp/null", Schema::new(), vec![Box::new(NullResource)], vec![Box::new(NullDataSource)])
}

/// A random non-negative 63-bit integer in decimal, as the plugin's `rand.Int()`.
fn random_decimal() -> Result<String> {
    let b = random_bytes(8)?;
    let n = u64::from_le_bytes(b.try_into().expect("8 bytes")) >> 1;
    Ok(n.to_string())
}

struct NullResource;

#[derive(Model, Clone, Debug, Default)]
struct NullResourceObject {
    /// A random value set at create time.
    #[model(computed)]
    id: Option<String>,
    /// Any change replaces the resource.
    #[model(optional, force_new)]
    triggers: Option<BTreeMap<String, String>>,
}

#[async_trait::async_trait]
impl Managed for NullResource {
    fn name(&self) -> &'static str {
        "null_resource"
    }
    fn schema(&self) -> Schema {
        NullResourceObject::schema()
    }
    async fn create(&self, _c: &Ctx<'_>, planned: Value) -> Result<Value> {
        let planned = NullResourceObject::from_value(&planned)?;
        Ok(NullResourceObject { id: Some(random_decimal()?), ..planned }.to_value())
    }
}

struct NullDataSource;

#[derive(Model, Clone, Debug, Default)]
struct NullDataSourceObject {
    #[model(optional)]
    inputs: Option<BTreeMap<String, String>>,
    /// The `inputs`, after the data source is read.
    #[model(computed)]
    outputs: Option<BTreeMap<String, String>>,
    /// A random value, new on every read.
    #[model(computed)]
    random: Option<String>,
    /// `"default"` when not set.
    #[model(optional, computed)]
    has_computed_default: Option<String>,
    /// Always `"static"`.
    #[model(computed)]
    id: Option<String>,
}

#[async_trait::async_trait]
impl Data for NullDataSource {
    fn name(&self) -> &'static str {
        "null_data_source"
    }
    fn schema(&self) -> Schema {
        NullDataSourceObject::schema()
    }
    async fn read(&self, _c: &Ctx<'_>, config: Value) -> Result<Value> {
        let config = NullDataSourceObject::from_stub(&config)?;
        Ok(NullDataSourceObject {
            outputs: config.inputs.clone(),
            random: Some(random_decimal()?),
            has_computed_default: config.has_computed_default.or_else(|| Some("default".into())),
            id: Some("static".into()),
            inputs: config.inputs,
        }
        .to_value())
    }
}
