//! The `region` argument hashicorp/aws v6 gives every resource and data source: the object
//! lives in that Region instead of the provider's. terrane accepts it in configurations
//! written for v6 while keeping v5's state shape (schema parity is with 5.100.0, which has no
//! such argument): it is optional and not computed, so a state either version wrote reads
//! without a change, and an object that does not set it stays in the provider's Region.
//!
//! Every call for an object goes through the clients of its Region, built once per Region
//! from the provider's settings (credentials, endpoints, retries) with the Region changed.
//! A refresh reads each Region's objects in one batch. Moving an object to another Region
//! replaces it, as in v6.

use crate::config::{Clients, Settings};
use crate::resource::Ctx;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::{PathStep, Type, Value};

/// `s` with the `region` argument (a schema that has its own `region`, `aws_s3_bucket`'s
/// computed one, keeps it and lets it be set).
pub fn with_region(mut s: Schema) -> Schema {
    match s.attributes.get_mut("region") {
        Some(a) => {
            a.optional = true;
            a.computed = true;
            a.force_new = true;
            s
        }
        None => s.attr("region", Attribute::optional(Type::String).force_new()),
    }
}

/// The Region an object's value names, if it names one.
pub fn of(v: &Value) -> Option<String> {
    v.get_attr("region").and_then(|r| r.unmarked().as_str().map(str::to_string)).filter(|r| !r.is_empty())
}

/// The positions of `values`, grouped by the Region each names (those naming none first).
pub fn grouped(values: &[Value]) -> Vec<Vec<usize>> {
    let mut groups: BTreeMap<Option<String>, Vec<usize>> = BTreeMap::new();
    for (i, v) in values.iter().enumerate() {
        groups.entry(of(v)).or_default().push(i);
    }
    groups.into_values().collect()
}

/// A Region's settings and clients.
pub struct Regional {
    settings: Settings,
    clients: Clients,
}

impl Regional {
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx { clients: &self.clients, settings: &self.settings, token: None }
    }
}

/// The clients of every other Region used so far.
#[derive(Default)]
pub struct Regions(tokio::sync::Mutex<HashMap<String, Arc<Regional>>>);

impl Regions {
    /// The clients of `region`, built from the provider's `settings` on first use (the
    /// credentials were checked with the provider's own clients, `main`).
    pub async fn get(&self, settings: &Settings, main: &Clients, region: &str) -> Result<Arc<Regional>, ProviderError> {
        let mut cache = self.0.lock().await;
        if let Some(r) = cache.get(region) {
            return Ok(r.clone());
        }
        let settings =
            Settings { region: Some(region.to_string()), skip_credentials_validation: true, ..settings.clone() };
        let mut clients = crate::config::build_clients(&settings).await?;
        clients.account_id = main.account_id.clone();
        let r = Arc::new(Regional { settings, clients });
        cache.insert(region.to_string(), r.clone());
        Ok(r)
    }
}

/// The Region of the environment (`AWS_REGION`, `AWS_DEFAULT_REGION`), for a provider block
/// that names none, when the clients are not built yet (a plan makes no API call).
pub fn from_env() -> Option<String> {
    ["AWS_REGION", "AWS_DEFAULT_REGION"].iter().find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
}

/// The configuration to plan with: a `region` naming the Region the object already is in
/// (the provider's, for a prior state that names none) counts as not set, so that adding
/// `region = "<the provider's>"` to a configuration moves nothing. Any other change of
/// `region` replaces the object (the argument forces replacement).
pub fn same_as_prior(prior: Option<&Value>, config: &Value, default: Option<&str>) -> Value {
    let mut config = config.clone();
    let Some(prior) = prior.filter(|p| !p.is_null()) else { return config };
    let before = of(prior).or_else(|| default.map(str::to_string));
    if of(prior).is_none() && before.is_some() && of(&config) == before {
        config.set_at_path(&[PathStep::Attr("region".into())], Value::null(Type::String));
    }
    config
}

/// `got` (what a type's read, create or update returned, built from the type's own schema)
/// with the `region` of `from` (the planned or prior value) where it has none.
pub fn keep(from: &Value, mut got: Value) -> Value {
    if got.get_attr("region").is_none_or(Value::is_null) {
        let r = from.get_attr("region").filter(|r| r.is_known()).cloned().unwrap_or(Value::null(Type::String));
        got.set_at_path(&[PathStep::Attr("region".into())], r);
    }
    got
}
