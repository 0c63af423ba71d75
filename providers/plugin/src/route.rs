//! One provider served by two implementations: terrane's built-in crate for the types it
//! implements, the provider's plugin for every other type, from the same provider
//! configuration. The plugin starts only when one of its types is used.

use crate::provider::PluginFactory;
use std::sync::Arc;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::{
    Applied, ApplyRequest, MoveRequest, PlanRequest, PlanResponse, Provider, ProviderError, ProviderFactory,
};
use terrane_engine::schema::{Nesting, ProviderSchema, Schema};
use terrane_engine::value::Value;

/// Makes [`Routed`] providers.
pub struct RoutedFactory {
    builtin: Arc<dyn ProviderFactory>,
    plugin: Arc<PluginFactory>,
    schema: Arc<ProviderSchema>,
}

impl RoutedFactory {
    /// The built-in crate's types, then the plugin's others. The provider block is the
    /// plugin's (the real provider's, which the built-in one follows).
    pub fn new(builtin: Arc<dyn ProviderFactory>, plugin: Arc<PluginFactory>) -> RoutedFactory {
        let b = builtin.new_instance();
        let b = b.schema();
        let p = plugin.schema();
        let mut schema = ProviderSchema {
            provider: p.provider.clone(),
            resources: p.resources.clone(),
            data_sources: p.data_sources.clone(),
            functions: p.functions.clone(),
        };
        schema.resources.extend(b.resources.iter().map(|(k, v)| (k.clone(), v.clone())));
        schema.data_sources.extend(b.data_sources.iter().map(|(k, v)| (k.clone(), v.clone())));
        if p.provider.attributes.is_empty() && p.provider.blocks.is_empty() {
            schema.provider = b.provider.clone();
        }
        RoutedFactory { builtin, plugin, schema: Arc::new(schema) }
    }
}

impl ProviderFactory for RoutedFactory {
    fn source(&self) -> &str {
        self.builtin.source()
    }

    fn new_instance(&self) -> Arc<dyn Provider> {
        Arc::new(Routed {
            builtin: self.builtin.new_instance(),
            plugin: Arc::new(self.plugin.instance()),
            schema: Arc::clone(&self.schema),
        })
    }
}

/// The provider configuration, decoded with the plugin's schema, as the built-in crate's
/// schema has it: where one nests a block as a list of at most one and the other as a
/// single block (hashicorp/aws's `assume_role`, `default_tags`), the block is the list's
/// element, or the element of a one-element list.
fn fit_blocks(schema: &Schema, v: Value) -> Value {
    let (v, marks) = v.unmark();
    let Some(attrs) = v.as_map().filter(|_| !v.is_null()) else { return v.with_marks(marks) };
    let mut out = attrs.clone();
    for (name, b) in &schema.blocks {
        let Some(bv) = out.get(name).cloned() else { continue };
        let fitted = match (b.nesting, bv.as_seq().map(<[Value]>::to_vec)) {
            (Nesting::Single, Some(items)) => match items.into_iter().next() {
                Some(first) => fit_blocks(&b.schema, first),
                None => Value::null(b.schema.value_type()),
            },
            (Nesting::List | Nesting::Set, Some(items)) => {
                Value::list(b.schema.value_type(), items.into_iter().map(|i| fit_blocks(&b.schema, i)).collect())
            }
            (Nesting::List | Nesting::Set, None) if !bv.is_null() && bv.is_known() => {
                Value::list(b.schema.value_type(), vec![fit_blocks(&b.schema, bv)])
            }
            (_, None) => fit_blocks(&b.schema, bv),
        };
        out.insert(name.clone(), fitted);
    }
    Value::Object(Arc::new(out)).conform(&schema.value_type()).with_marks(marks)
}

/// A provider whose types are served by the built-in crate where it has them.
pub struct Routed {
    builtin: Arc<dyn Provider>,
    plugin: Arc<dyn Provider>,
    schema: Arc<ProviderSchema>,
}

impl Routed {
    fn for_resource(&self, type_name: &str) -> &dyn Provider {
        if self.builtin.schema().resources.contains_key(type_name) { &*self.builtin } else { &*self.plugin }
    }

    fn for_data(&self, type_name: &str) -> &dyn Provider {
        if self.builtin.schema().data_sources.contains_key(type_name) { &*self.builtin } else { &*self.plugin }
    }
}

#[async_trait::async_trait]
impl Provider for Routed {
    fn schema(&self) -> &ProviderSchema {
        &self.schema
    }

    async fn configure(&self, config: Value) -> Result<(), ProviderError> {
        // The plugin only keeps it: it is configured when it starts.
        self.plugin.configure(config.clone()).await?;
        let own = fit_blocks(&self.builtin.schema().provider, config);
        self.builtin.configure(own).await
    }

    fn validate(&self, type_name: &str, config: &Value) -> Vec<Diagnostic> {
        self.for_resource(type_name).validate(type_name, config)
    }

    fn can_move_state(&self) -> bool {
        self.builtin.can_move_state() || self.plugin.can_move_state()
    }

    async fn move_state(&self, req: MoveRequest<'_>) -> Result<Applied, ProviderError> {
        self.for_resource(req.target_type).move_state(req).await
    }

    fn validate_data(&self, type_name: &str, config: &Value) -> Vec<Diagnostic> {
        self.for_data(type_name).validate_data(type_name, config)
    }

    async fn plan(&self, req: PlanRequest<'_>) -> Result<PlanResponse, ProviderError> {
        self.for_resource(req.type_name).plan(req).await
    }

    async fn create(&self, type_name: &str, planned: Value) -> Result<Value, ProviderError> {
        self.for_resource(type_name).create(type_name, planned).await
    }

    async fn create_with_token(&self, type_name: &str, planned: Value, token: &str) -> Result<Value, ProviderError> {
        self.for_resource(type_name).create_with_token(type_name, planned, token).await
    }

    async fn find_created(&self, type_name: &str, planned: Value, token: &str) -> Result<Option<Value>, ProviderError> {
        self.for_resource(type_name).find_created(type_name, planned, token).await
    }

    async fn upgrade_state(
        &self,
        type_name: &str,
        version: u64,
        attributes: serde_json::Value,
    ) -> Result<serde_json::Value, ProviderError> {
        self.for_resource(type_name).upgrade_state(type_name, version, attributes).await
    }

    async fn read(&self, type_name: &str, current: Value) -> Result<Option<Value>, ProviderError> {
        self.for_resource(type_name).read(type_name, current).await
    }

    async fn read_many(&self, type_name: &str, current: Vec<Value>) -> Vec<Result<Option<Value>, ProviderError>> {
        self.for_resource(type_name).read_many(type_name, current).await
    }

    async fn update(&self, type_name: &str, prior: Value, planned: Value) -> Result<Value, ProviderError> {
        self.for_resource(type_name).update(type_name, prior, planned).await
    }

    async fn apply_change(&self, req: ApplyRequest<'_>) -> Result<Applied, ProviderError> {
        self.for_resource(req.type_name).apply_change(req).await
    }

    async fn delete(&self, type_name: &str, prior: Value) -> Result<(), ProviderError> {
        self.for_resource(type_name).delete(type_name, prior).await
    }

    async fn import(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        self.for_resource(type_name).import(type_name, id).await
    }

    async fn creates_recorded(&self, type_name: &str, objects: Vec<Value>) -> Result<(), ProviderError> {
        self.for_resource(type_name).creates_recorded(type_name, objects).await
    }

    async fn stop(&self) {
        futures::join!(self.builtin.stop(), self.plugin.stop());
    }

    fn call_function(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        self.plugin.call_function(name, args)
    }

    async fn read_data(&self, type_name: &str, config: Value) -> Result<Value, ProviderError> {
        self.for_data(type_name).read_data(type_name, config).await
    }
}
