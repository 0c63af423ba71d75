//! What each resource type and data source implements, one file each.

use crate::config::{Clients, Settings};
use async_trait::async_trait;
use std::collections::BTreeMap;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::types::Type;
use terrane_engine::value::Value;

/// What an operation can use: the clients and the provider's settings.
pub struct Ctx<'a> {
    pub clients: &'a Clients,
    pub settings: &'a Settings,
}

impl Ctx<'_> {
    pub fn default_tags(&self) -> &BTreeMap<String, String> {
        &self.settings.default_tags
    }
}

pub type Result<T> = std::result::Result<T, ProviderError>;

#[async_trait]
pub trait ResourceType: Send + Sync {
    /// Terraform's type name (`aws_vpc`).
    fn name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn schema_version(&self) -> u64 {
        0
    }
    /// Checks beyond the schema (allowed values, exclusive arguments).
    fn validate(&self, _config: &Value) -> Vec<Diagnostic> {
        Vec::new()
    }
    /// Adjusts the generic plan for rules the schema cannot say.
    fn customize_plan(&self, _prior: Option<&Value>, _config: &Value, _plan: &mut PlanResponse) {}
    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value>;
    /// Reads many objects of this type (from their prior values) with as few calls as the API
    /// allows; `None` for objects that no longer exist.
    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>>;
    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value>;
    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()>;
    /// The object with this import ID, as a read would return it.
    async fn import(&self, c: &Ctx<'_>, id: &str) -> Result<Option<Value>> {
        let stub = Value::object([("id", Value::from(id))]);
        self.read_many(c, &[stub]).await.pop().unwrap_or(Ok(None))
    }
}

#[async_trait]
pub trait DataSourceType: Send + Sync {
    fn name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// The result of a data source that is a function of its configuration alone (no API
    /// call, no credentials, no clients built); `None` for those that read from AWS.
    fn compute(&self, _config: &Value) -> Option<Result<Value>> {
        None
    }
    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value>;
}

/// `tags` and `tags_all`, as every taggable resource has them.
pub fn with_tags(s: Schema) -> Schema {
    s.attr("tags", Attribute::optional(Type::map(Type::String)))
        .attr("tags_all", Attribute::optional_computed(Type::map(Type::String)))
}

/// A `timeouts { create, update, delete }` block.
pub fn with_timeouts(s: Schema, ops: &[&str]) -> Schema {
    let mut t = Schema::new();
    for op in ops {
        t = t.attr(op, Attribute::optional(Type::String));
    }
    s.block("timeouts", NestedBlock::single(t))
}

/// Reads objects one by one, at most eight at a time, for APIs that cannot batch (IAM). Each
/// read gets its own copy of the value: a closure taking `&Value` would tie the future's type
/// to the closure's lifetime, which async-trait's `Send` check rejects.
pub async fn read_each<F, Fut>(current: &[Value], read: F) -> Vec<Result<Option<Value>>>
where
    F: Fn(Value) -> Fut,
    Fut: std::future::Future<Output = Result<Option<Value>>>,
{
    use futures::stream::{self, StreamExt};
    stream::iter(current.to_vec()).map(read).buffered(8).collect().await
}

/// Splits `items` into chunks of at most `n` (API page limits).
pub fn chunks<T: Clone>(items: &[T], n: usize) -> Vec<Vec<T>> {
    items.chunks(n.max(1)).map(<[T]>::to_vec).collect()
}

/// An error for an invalid argument value, found at validate time.
pub fn invalid(summary: &str, detail: impl Into<String>) -> Diagnostic {
    Diagnostic::error(summary, detail)
}
