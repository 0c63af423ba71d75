//! An in-repo fake provider for engine and CLI tests. Its "cloud" is a JSON file (or memory),
//! so tests can change objects behind terrane's back (drift) and see what an apply created.
//! Latency and failures are injected per resource through arguments:
//!
//! ```hcl
//! provider "fake" { store = "/tmp/cloud" }
//! resource "fake_resource" "web" {
//!   name       = "web"         # forces replacement
//!   value      = "v1"          # updated in place
//!   secret     = "hunter2"     # sensitive
//!   latency_ms = 200           # every operation on it takes this long (a create makes its
//!                              # object first, then waits)
//!   fail_on    = "create"      # create | update | delete | read: that operation fails
//!                              # converge: a create or update is made, then reported failed
//!                              # with the object (as a service that never became healthy)
//! }
//! ```

use async_trait::async_trait;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;
use terrane_engine::provider::{PlanRequest, PlanResponse, Provider, ProviderError, ProviderFactory};
use terrane_engine::schema::{Attribute, NestedBlock, ProviderSchema, ResourceSchema, Schema};
use terrane_engine::value::PathStep;
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub const SOURCE: &str = "terrane.dev/test/fake";

/// Where an object keeps the idempotency token it was created with (not an attribute).
const TOKEN_KEY: &str = "_creation_token";

static SCHEMA: LazyLock<ProviderSchema> = LazyLock::new(|| {
    let mut s = ProviderSchema {
        provider: Schema::new()
            .attr(
                "store",
                Attribute::optional(Type::String).describe("Directory holding the fake cloud's objects.json."),
            )
            .attr("latency_ms", Attribute::optional(Type::Number).describe("Latency added to every operation.")),
        ..ProviderSchema::default()
    };
    s.resources.insert(
        "fake_resource".into(),
        ResourceSchema::new(
            Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("name", Attribute::optional(Type::String).force_new())
                .attr("value", Attribute::optional(Type::String))
                .attr("number", Attribute::optional(Type::Number))
                .attr("list", Attribute::optional(Type::list(Type::String)))
                .attr("tags", Attribute::optional(Type::map(Type::String)))
                .attr("secret", Attribute::optional(Type::String).sensitive())
                .attr("size", Attribute::optional(Type::Number).default(Value::from(1i64)))
                .attr("zone", Attribute::optional_computed(Type::String))
                .attr("arn", Attribute::computed(Type::String))
                .attr("latency_ms", Attribute::optional(Type::Number))
                .attr("fail_on", Attribute::optional(Type::String))
                .block(
                    "rule",
                    NestedBlock::list(
                        Schema::new()
                            .attr("port", Attribute::required(Type::Number))
                            .attr("protocol", Attribute::optional(Type::String).default(Value::from("tcp"))),
                    ),
                ),
        )
        // Version 0 had `rule` as a single block (an object); version 1 as a list of them.
        .with_version(1),
    );
    s.data_sources.insert(
        "fake_lookup".into(),
        ResourceSchema::new(
            Schema::new()
                .attr("name", Attribute::required(Type::String))
                .attr("id", Attribute::computed(Type::String))
                .attr("value", Attribute::computed(Type::String)),
        ),
    );
    s
});

pub struct FakeFactory;

impl ProviderFactory for FakeFactory {
    fn source(&self) -> &str {
        SOURCE
    }
    fn new_instance(&self) -> Arc<dyn Provider> {
        Arc::new(FakeProvider::default())
    }
}

/// Counts of calls made, for tests that check batching and concurrency.
#[derive(Default, Debug)]
pub struct Calls {
    pub read_many: AtomicU64,
    pub read: AtomicU64,
    in_flight: AtomicU64,
    /// The most operations that ran at the same time.
    pub max_in_flight: AtomicU64,
    /// Every create, update and delete, in the order they started: `create web`.
    pub log: Mutex<Vec<String>>,
}

/// A factory handing out one shared instance, so tests can inspect its [`Calls`].
pub struct SharedFake(pub Arc<FakeProvider>);

impl ProviderFactory for SharedFake {
    fn source(&self) -> &str {
        SOURCE
    }
    fn new_instance(&self) -> Arc<dyn Provider> {
        self.0.clone()
    }
}

struct InFlight<'a>(&'a Calls);

impl<'a> InFlight<'a> {
    fn enter(calls: &'a Calls, op: &str, v: &Value) -> InFlight<'a> {
        let label = attr(v, "name")
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| attr(v, "id").as_str().unwrap_or("?").to_string());
        calls.log.lock().expect("log lock").push(format!("{op} {label}"));
        let now = calls.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        calls.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(calls)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

#[derive(Default)]
pub struct FakeProvider {
    store: Mutex<Option<PathBuf>>,
    memory: Mutex<BTreeMap<String, serde_json::Value>>,
    latency: Mutex<Duration>,
    pub calls: Calls,
    /// When set, plans fill an unset `zone` with this value, as a provider whose defaults
    /// come from outside the configuration (to test that a changed final plan is refused).
    pub planned_zone: Mutex<Option<String>>,
}

fn attr(v: &Value, name: &str) -> Value {
    v.get_attr(name).cloned().unwrap_or(Value::NULL)
}

fn err(msg: impl Into<String>) -> ProviderError {
    ProviderError::new(msg)
}

impl FakeProvider {
    fn load(&self) -> BTreeMap<String, serde_json::Value> {
        match self.store.lock().expect("store lock").as_ref() {
            Some(dir) => std::fs::read(dir.join("objects.json"))
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_default(),
            None => self.memory.lock().expect("memory lock").clone(),
        }
    }

    fn save(&self, objects: &BTreeMap<String, serde_json::Value>) -> Result<(), ProviderError> {
        match self.store.lock().expect("store lock").as_ref() {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
                let tmp = dir.join(format!(".objects.{}.tmp", std::process::id()));
                std::fs::write(&tmp, serde_json::to_vec_pretty(objects).unwrap_or_default())
                    .map_err(|e| err(e.to_string()))?;
                std::fs::rename(&tmp, dir.join("objects.json")).map_err(|e| err(e.to_string()))
            }
            None => {
                *self.memory.lock().expect("memory lock") = objects.clone();
                Ok(())
            }
        }
    }

    /// Edits the cloud under one lock, so parallel operations do not lose each other's writes.
    fn with_objects<T>(
        &self,
        f: impl FnOnce(&mut BTreeMap<String, serde_json::Value>) -> T,
    ) -> Result<T, ProviderError> {
        static LOCK: Mutex<()> = Mutex::new(());
        let _g = LOCK.lock().expect("cloud lock");
        if self.store.lock().expect("store lock").is_none() {
            // In memory: edit in place (no copy of the whole cloud per operation).
            return Ok(f(&mut self.memory.lock().expect("memory lock")));
        }
        let mut objects = self.load();
        let out = f(&mut objects);
        self.save(&objects)?;
        Ok(out)
    }

    async fn delay(&self, v: &Value) {
        let mut d = *self.latency.lock().expect("latency lock");
        if let Some(ms) = attr(v, "latency_ms").as_f64() {
            d += Duration::from_millis(ms as u64);
        }
        if d.is_zero() {
            return;
        }
        // Exactly the latency: tokio's timer fires on a millisecond tick at the earliest, which
        // would make each operation up to 2 ms longer than asked (10% of a 20 ms operation,
        // and the apply benchmark compares against the ideal schedule of exact latencies). The
        // last 2 ms are slept on a blocking thread instead.
        let deadline = std::time::Instant::now() + d;
        let coarse = d.saturating_sub(Duration::from_millis(2));
        if !coarse.is_zero() {
            tokio::time::sleep(coarse).await;
        }
        let rest = deadline.saturating_duration_since(std::time::Instant::now());
        if !rest.is_zero() {
            let _ = tokio::task::spawn_blocking(move || std::thread::sleep(rest)).await;
        }
    }

    fn fails(v: &Value, op: &str) -> bool {
        attr(v, "fail_on").as_str() == Some(op)
    }
}

/// The stored form of an object: plain JSON without marks.
fn to_json(v: &Value) -> serde_json::Value {
    v.clone().deep_unmark().to_json()
}

fn from_json(j: &serde_json::Value) -> Value {
    let mut j = j.clone();
    if let Some(obj) = j.as_object_mut() {
        obj.remove(TOKEN_KEY);
    }
    SCHEMA.resources["fake_resource"].block.from_json(&j)
}

#[async_trait]
impl Provider for FakeProvider {
    fn schema(&self) -> &ProviderSchema {
        &SCHEMA
    }

    async fn plan(&self, req: PlanRequest<'_>) -> Result<PlanResponse, ProviderError> {
        let mut resp = terrane_engine::plan::diff::generic_plan(&req.schema.block, req.prior, req.config);
        if let Some(zone) = self.planned_zone.lock().expect("zone lock").clone()
            && attr(&resp.planned, "zone").is_unknown()
        {
            resp.planned.set_at_path(&[PathStep::Attr("zone".into())], Value::from(zone));
        }
        Ok(resp)
    }

    /// Version 0 of `fake_resource` recorded `rule` as one object (or null): version 1 has
    /// a list of them.
    async fn upgrade_state(
        &self,
        type_name: &str,
        version: u64,
        mut attributes: serde_json::Value,
    ) -> Result<serde_json::Value, ProviderError> {
        if type_name != "fake_resource" || version != 0 {
            return Err(err(format!("{type_name} has no schema version {version}")));
        }
        if let Some(obj) = attributes.as_object_mut() {
            let rule = match obj.remove("rule") {
                Some(serde_json::Value::Null) | None => serde_json::json!([]),
                Some(r @ serde_json::Value::Object(_)) => serde_json::json!([r]),
                Some(other) => return Err(err(format!("rule: expected an object in version 0, found {other}"))),
            };
            obj.insert("rule".into(), rule);
        }
        Ok(attributes)
    }

    async fn configure(&self, config: Value) -> Result<(), ProviderError> {
        let store = attr(&config, "store")
            .as_str()
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("TERRANE_FAKE_STORE").map(PathBuf::from));
        *self.store.lock().expect("store lock") = store;
        if let Some(ms) = attr(&config, "latency_ms").as_f64() {
            *self.latency.lock().expect("latency lock") = Duration::from_millis(ms as u64);
        }
        Ok(())
    }

    fn validate(&self, type_name: &str, config: &Value) -> Vec<terrane_engine::diag::Diagnostic> {
        let mut out = Vec::new();
        if type_name == "fake_resource"
            && let Some(op) = attr(config, "fail_on").as_str()
            && !matches!(op, "create" | "update" | "delete" | "read" | "converge")
        {
            out.push(terrane_engine::diag::Diagnostic::error(
                "Invalid fail_on",
                format!("fail_on must be create, update, delete, read or converge, not {op:?}."),
            ));
        }
        out
    }

    async fn create(&self, type_name: &str, planned: Value) -> Result<Value, ProviderError> {
        self.create_with_token(type_name, planned, "").await
    }

    /// Marks the object with the token (as the AWS provider tags an instance with its client
    /// token), where `find_created` looks for it.
    async fn create_with_token(&self, type_name: &str, planned: Value, token: &str) -> Result<Value, ProviderError> {
        if type_name != "fake_resource" {
            return Err(err(format!("unknown type {type_name}")));
        }
        let _op = InFlight::enter(&self.calls, "create", &planned);
        if Self::fails(&planned, "create") {
            self.delay(&planned).await;
            return Err(err("injected failure on create"));
        }
        let id = format!("fake-{}", uuid_like());
        let mut m = planned.as_map().cloned().unwrap_or_default();
        m.insert("id".into(), Value::from(id.as_str()));
        m.insert("arn".into(), Value::from(format!("arn:fake:::{id}")));
        if attr(&planned, "zone").is_unknown() {
            m.insert("zone".into(), Value::from("zone-a"));
        }
        let v = Value::object_from_map(m);
        let mut j = to_json(&v);
        if !token.is_empty()
            && let Some(obj) = j.as_object_mut()
        {
            obj.insert(TOKEN_KEY.into(), token.into());
        }
        self.with_objects(|o| {
            o.insert(id.clone(), j);
        })?;
        // As a cloud API whose object exists at once and becomes ready later: a create killed
        // while it waits has made its object (which the next plan adopts).
        self.delay(&planned).await;
        if Self::fails(&v, "converge") {
            return Err(err("injected failure after create").with_partial_state(v));
        }
        Ok(v)
    }

    async fn find_created(
        &self,
        type_name: &str,
        _planned: Value,
        token: &str,
    ) -> Result<Option<Value>, ProviderError> {
        if type_name != "fake_resource" {
            return Ok(None);
        }
        let objects = self.load();
        Ok(objects.values().find(|o| o.get(TOKEN_KEY).and_then(|t| t.as_str()) == Some(token)).map(from_json))
    }

    async fn read(&self, _type_name: &str, current: Value) -> Result<Option<Value>, ProviderError> {
        self.calls.read.fetch_add(1, Ordering::SeqCst);
        if Self::fails(&current, "read") {
            return Err(err("injected failure on read"));
        }
        let id = attr(&current, "id").as_str().unwrap_or_default().to_string();
        self.with_objects(|objects| objects.get(&id).map(from_json))
    }

    async fn read_many(&self, type_name: &str, current: Vec<Value>) -> Vec<Result<Option<Value>, ProviderError>> {
        self.calls.read_many.fetch_add(1, Ordering::SeqCst);
        let objects = self.load();
        let _ = type_name;
        current
            .into_iter()
            .map(|c| {
                if Self::fails(&c, "read") {
                    return Err(err("injected failure on read"));
                }
                let id = attr(&c, "id").as_str().unwrap_or_default().to_string();
                Ok(objects.get(&id).map(from_json))
            })
            .collect()
    }

    async fn update(&self, _type_name: &str, prior: Value, planned: Value) -> Result<Value, ProviderError> {
        let _op = InFlight::enter(&self.calls, "update", &planned);
        self.delay(&planned).await;
        if Self::fails(&planned, "update") {
            return Err(err("injected failure on update"));
        }
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        let j = to_json(&planned);
        let found = self.with_objects(|o| match o.get_mut(&id) {
            Some(slot) => {
                *slot = j;
                true
            }
            None => false,
        })?;
        if !found {
            return Err(err(format!("object {id} does not exist")));
        }
        if Self::fails(&planned, "converge") {
            return Err(err("injected failure after update").with_partial_state(planned));
        }
        Ok(planned)
    }

    async fn delete(&self, _type_name: &str, prior: Value) -> Result<(), ProviderError> {
        let _op = InFlight::enter(&self.calls, "delete", &prior);
        self.delay(&prior).await;
        if Self::fails(&prior, "delete") {
            return Err(err("injected failure on delete"));
        }
        let id = attr(&prior, "id").as_str().unwrap_or_default().to_string();
        self.with_objects(|o| {
            o.remove(&id);
        })
    }

    async fn import(&self, _type_name: &str, id: &str) -> Result<Value, ProviderError> {
        self.load().get(id).map(from_json).ok_or_else(|| err(format!("no object with id {id}")))
    }

    async fn read_data(&self, type_name: &str, config: Value) -> Result<Value, ProviderError> {
        if type_name != "fake_lookup" {
            return Err(err(format!("unknown data source {type_name}")));
        }
        let name = attr(&config, "name").as_str().unwrap_or_default().to_string();
        let found =
            self.load().values().find(|o| o.get("name").and_then(|n| n.as_str()) == Some(name.as_str())).cloned();
        let (id, value) = match found {
            Some(o) => (
                o.get("id").and_then(|v| v.as_str()).unwrap_or_default().to_string(),
                o.get("value").and_then(|v| v.as_str()).unwrap_or_default().to_string(),
            ),
            None => (format!("lookup-{name}"), String::new()),
        };
        Ok(Value::object([("name", Value::from(name)), ("id", Value::from(id)), ("value", Value::from(value))]))
    }
}

/// A unique enough id without pulling in a UUID crate: time and a process-wide counter.
fn uuid_like() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{:012x}{:04x}", t & 0xffff_ffff_ffff, N.fetch_add(1, Ordering::SeqCst) & 0xffff)
}
