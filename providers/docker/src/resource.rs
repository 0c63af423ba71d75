//! What each resource type and data source implements, one file each.

use crate::config::Settings;
use crate::retry::{self, CallError};
use async_trait::async_trait;
use std::collections::HashMap;
use std::future::Future;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct Ctx<'a> {
    pub docker: &'a bollard::Docker,
    pub settings: &'a Settings,
    /// The idempotency token of the create this context serves: an unnamed volume is named
    /// after it ([`crate::resources::volume_name_for`]), so that it can be found by name.
    pub token: Option<&'a str>,
}

pub type Result<T> = std::result::Result<T, ProviderError>;

impl Ctx<'_> {
    /// A daemon call that is safe to repeat (read, delete, update against a fresh version),
    /// retried as [`crate::retry`] says. `doing` names it in errors: "reading service web".
    pub async fn call<T, F, Fut>(&self, doing: &str, f: F) -> std::result::Result<T, CallError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = std::result::Result<T, bollard::errors::Error>>,
    {
        retry::call(&self.settings.retry, doing, f).await.map_err(|e| self.located(e))
    }

    /// A create, retried without creating twice: see [`retry::create`].
    pub async fn create<T, F, Fut, G, GFut>(
        &self,
        doing: &str,
        create: F,
        find: Option<G>,
    ) -> std::result::Result<T, CallError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = std::result::Result<T, bollard::errors::Error>>,
        G: FnMut() -> GFut,
        GFut: Future<Output = std::result::Result<Option<T>, bollard::errors::Error>>,
    {
        retry::create(&self.settings.retry, doing, create, find).await.map_err(|e| self.located(e))
    }

    fn located(&self, mut e: CallError) -> CallError {
        e.host = self.settings.host.clone();
        e
    }
}

impl Ctx<'_> {
    /// [`Ctx::call`] for a read of one object: `None` when the daemon says it is gone.
    pub async fn read<T, F, Fut>(&self, doing: &str, f: F) -> Result<Option<T>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = std::result::Result<T, bollard::errors::Error>>,
    {
        match self.call(doing, f).await {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// `Some(found)`, or `None` when the daemon says there is no such object.
pub fn found<T>(
    r: std::result::Result<T, bollard::errors::Error>,
) -> std::result::Result<Option<T>, bollard::errors::Error> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// An object found by its name: its ID and when it was created (as the daemon's clock says).
pub struct Named {
    pub id: String,
    pub created: Option<std::time::SystemTime>,
}

impl Named {
    pub fn new(id: Option<String>, created: Option<&str>) -> Named {
        Named { id: id.unwrap_or_default(), created: created.and_then(terrane_engine::attrs::rfc3339_time) }
    }
}

#[async_trait]
pub trait ResourceType: Send + Sync {
    fn name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    /// Recorded in state as `schema_version`; kreuzwerker/docker's for the same type.
    fn schema_version(&self) -> u64 {
        0
    }
    /// An object recorded with an older schema version, in the current shape: see
    /// [`crate::upgrade`].
    fn upgrade(&self, _version: u64, attributes: serde_json::Value) -> serde_json::Value {
        crate::upgrade::to_schema(&self.schema(), attributes)
    }
    fn validate(&self, _config: &Value) -> Vec<Diagnostic> {
        Vec::new()
    }
    fn customize_plan(&self, _prior: Option<&Value>, _config: &Value, _plan: &mut PlanResponse) {}
    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value>;
    /// Reads many objects with as few daemon calls as possible; `None` for objects gone.
    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>>;
    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value>;
    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()>;
    /// The IDs of the objects of this type carrying all the labels in `filter` (a daemon list
    /// filter: `{"label": ["k=v"]}`), in one call.
    async fn ids_labelled(&self, c: &Ctx<'_>, filter: HashMap<String, Vec<String>>) -> Result<Vec<String>>;
    /// The objects of this type named exactly `name` (not an ID or a prefix of one), with when
    /// the daemon says each was created.
    async fn named(&self, c: &Ctx<'_>, name: &str) -> Result<Vec<Named>>;
    /// Imports by ID or name.
    async fn import(&self, c: &Ctx<'_>, id: &str) -> Result<Option<Value>> {
        let stub = Value::object([("id", Value::from(id))]);
        self.read_many(c, &[stub]).await.pop().unwrap_or(Ok(None))
    }
}

#[async_trait]
pub trait DataSourceType: Send + Sync {
    fn name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value>;
}

/// Parses a Go-style duration (`10s`, `1m30s`, `500ms`) into nanoseconds.
pub fn duration_ns(s: &str) -> Option<i64> {
    humantime::parse_duration(s).ok().map(|d| d.as_nanos() as i64)
}

/// Formats nanoseconds as a duration; keeps `prior`'s spelling when it means the same.
pub fn format_ns(ns: i64, prior: Option<&str>) -> String {
    if let Some(p) = prior
        && duration_ns(p) == Some(ns)
    {
        return p.to_string();
    }
    let d = std::time::Duration::from_nanos(ns.max(0) as u64);
    humantime::format_duration(d).to_string().replace(' ', "")
}
