//! The provider interface. The engine knows nothing else about providers: the AWS and
//! Docker crates, the built-in `terraform` provider and the test fake all implement this.
//!
//! Request/response shaped and small, after OpenTofu's `providers.Interface`. A provider
//! object is one configured instance (one `provider` block); a [`ProviderFactory`] makes them.

use crate::diag::Diagnostic;
use crate::schema::{ProviderSchema, ResourceSchema};
use crate::value::{PathStep, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A failed provider operation.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ProviderError {
    pub message: String,
    /// What exists after a create or update that failed half-way (an instance that was
    /// started but never became healthy): recorded in state, tainted, so nothing is lost.
    pub partial_state: Option<Value>,
    /// A create refused at once because an object with its name or key already exists: this
    /// create made nothing, and the object that exists is not its own. The engine then drops
    /// the create's pending record, so no later plan takes that object for this create's.
    pub already_exists: bool,
    /// The diagnostic's summary, when the provider has one of its own (else the engine says
    /// what failed: "Error reading data.x.y").
    pub summary: Option<String>,
    /// The top-level argument the error is about: the diagnostic points at its expression
    /// instead of the whole block, as a Terraform provider's attribute diagnostics do.
    pub attribute: Option<String>,
}

impl ProviderError {
    pub fn new(message: impl Into<String>) -> ProviderError {
        ProviderError {
            message: message.into(),
            partial_state: None,
            already_exists: false,
            summary: None,
            attribute: None,
        }
    }

    /// Gives the error a summary of its own ([`ProviderError::summary`]).
    pub fn with_summary(mut self, summary: impl Into<String>) -> ProviderError {
        self.summary = Some(summary.into());
        self
    }

    /// Points the error at a top-level argument ([`ProviderError::attribute`]).
    pub fn at_attribute(mut self, name: impl Into<String>) -> ProviderError {
        self.attribute = Some(name.into());
        self
    }

    /// Marks the error as [`ProviderError::already_exists`].
    pub fn already_exists(mut self) -> ProviderError {
        self.already_exists = true;
        self
    }

    pub fn with_partial_state(mut self, v: Value) -> ProviderError {
        self.partial_state = Some(v);
        self
    }
}

/// Planning one resource instance: the prior state (none for a create) and the
/// configuration (unknown where it depends on values not known until apply).
pub struct PlanRequest<'a> {
    pub type_name: &'a str,
    pub schema: &'a ResourceSchema,
    pub prior: Option<&'a Value>,
    pub config: &'a Value,
    /// The provider's private data recorded with the prior object (Terraform's `private`):
    /// opaque to the engine, only plugins use it.
    pub prior_private: Option<&'a [u8]>,
}

/// The planned new state (unknown where the provider will decide) and the attribute paths
/// whose change forces replacement.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanResponse {
    pub planned: Value,
    pub requires_replace: Vec<Vec<PathStep>>,
    /// Private data the provider wants back when the change is applied
    /// ([`ApplyRequest::private`]).
    pub private: Option<Vec<u8>>,
}

impl PlanResponse {
    pub fn new(planned: Value, requires_replace: Vec<Vec<PathStep>>) -> PlanResponse {
        PlanResponse { planned, requires_replace, private: None }
    }
}

/// Applying a planned create (no prior) or update: Terraform's `ApplyResourceChange`.
pub struct ApplyRequest<'a> {
    pub type_name: &'a str,
    pub prior: Option<Value>,
    pub planned: Value,
    /// The configuration the plan was made from.
    pub config: &'a Value,
    /// What the plan's [`PlanResponse::private`] was.
    pub private: Option<&'a [u8]>,
    /// The create's idempotency token ([`Provider::create_with_token`]).
    pub token: &'a str,
}

/// Moving an object recorded as another resource type (perhaps of another provider) to one of
/// this provider's types: Terraform's `MoveResourceState`, for `moved` blocks across types.
pub struct MoveRequest<'a> {
    /// The source's provider, fully qualified (`registry.terraform.io/hashicorp/null`).
    pub source_provider: &'a str,
    pub source_type: &'a str,
    pub source_schema_version: u64,
    /// The source object's attributes, as recorded.
    pub source_state: &'a serde_json::Value,
    pub source_private: Option<&'a [u8]>,
    pub target_type: &'a str,
}

/// The new object, and the private data to record with it.
pub struct Applied {
    pub new_state: Value,
    pub private: Option<Vec<u8>>,
}

#[async_trait::async_trait]
pub trait Provider: Send + Sync {
    /// The schemas of the provider's configuration, resources and data sources.
    fn schema(&self) -> &ProviderSchema;

    /// Configures this instance from its `provider` block (unknown values possible in plan).
    async fn configure(&self, config: Value) -> Result<(), ProviderError>;

    /// Checks a resource's configuration beyond its schema (mutually exclusive arguments,
    /// value formats). Diagnostics need not carry a range; the engine adds the block's, or its
    /// argument's ([`Diagnostic::about_attribute`]). Warnings are shown as Terraform shows them.
    fn validate(&self, _type_name: &str, _config: &Value) -> Vec<Diagnostic> {
        Vec::new()
    }

    /// Whether the provider converts objects of other resource types to its own
    /// ([`Provider::move_state`]; the protocol's `MoveResourceState` capability).
    fn can_move_state(&self) -> bool {
        false
    }

    /// An object recorded as another resource type, as this provider's `target_type`.
    async fn move_state(&self, req: MoveRequest<'_>) -> Result<Applied, ProviderError> {
        Err(ProviderError::new(format!("moving a {} to a {} is not supported", req.source_type, req.target_type)))
    }

    /// [`Provider::validate`] for a data source's configuration.
    fn validate_data(&self, _type_name: &str, _config: &Value) -> Vec<Diagnostic> {
        Vec::new()
    }

    /// Plans a change. The default is the generic schema-driven diff; override only for
    /// resource types with special rules.
    async fn plan(&self, req: PlanRequest<'_>) -> Result<PlanResponse, ProviderError> {
        Ok(crate::plan::diff::generic_plan(&req.schema.block, req.prior, req.config))
    }

    async fn create(&self, type_name: &str, planned: Value) -> Result<Value, ProviderError>;

    /// Creates with an idempotency token, unique to this create: the provider passes it to
    /// the API where there is such a thing (EC2 `ClientToken`) or marks the object with it
    /// (a tag), so [`Provider::find_created`] can find the object after a crash. The default
    /// ignores the token.
    async fn create_with_token(&self, type_name: &str, planned: Value, token: &str) -> Result<Value, ProviderError> {
        let _ = token;
        self.create(type_name, planned).await
    }

    /// After an apply was killed during a create: the object that create made, if any, found
    /// by its token or by the unique name in `planned` (unknown values are null). `None`: it
    /// made nothing (or the provider cannot tell, the default), so the create is planned again.
    async fn find_created(&self, type_name: &str, planned: Value, token: &str) -> Result<Option<Value>, ProviderError> {
        let _ = (type_name, planned, token);
        Ok(None)
    }

    /// An object recorded with schema version `version`, older than its type's schema
    /// declares, rewritten in the current shape (Terraform's `UpgradeResourceState`): blocks
    /// that became lists, renamed attributes. `attributes` is the object as stored (JSON).
    /// The engine calls this before anything reads the object, for managed objects only. The
    /// default keeps the attributes as they are.
    async fn upgrade_state(
        &self,
        type_name: &str,
        version: u64,
        attributes: serde_json::Value,
    ) -> Result<serde_json::Value, ProviderError> {
        let _ = (type_name, version);
        Ok(attributes)
    }

    /// Reads the current state of an object; `None` when it no longer exists.
    async fn read(&self, type_name: &str, current: Value) -> Result<Option<Value>, ProviderError>;

    /// Reads many objects of one type. Providers override this to batch (one
    /// `DescribeInstances` for hundreds of instances); the default reads one by one.
    async fn read_many(&self, type_name: &str, current: Vec<Value>) -> Vec<Result<Option<Value>, ProviderError>> {
        let mut out = Vec::with_capacity(current.len());
        for v in current {
            out.push(self.read(type_name, v).await);
        }
        out
    }

    async fn update(&self, type_name: &str, prior: Value, planned: Value) -> Result<Value, ProviderError>;

    /// Applies a create or an update with everything the plan knew: the configuration and
    /// the plan's private data. The default calls [`Provider::create_with_token`] or
    /// [`Provider::update`]; plugins, which need the configuration, override it.
    async fn apply_change(&self, req: ApplyRequest<'_>) -> Result<Applied, ProviderError> {
        let new_state = match req.prior {
            Some(prior) => self.update(req.type_name, prior, req.planned).await?,
            None => self.create_with_token(req.type_name, req.planned, req.token).await?,
        };
        Ok(Applied { new_state, private: None })
    }

    async fn delete(&self, type_name: &str, prior: Value) -> Result<(), ProviderError>;

    /// The state of an existing object, found by its import ID.
    async fn import(&self, type_name: &str, id: &str) -> Result<Value, ProviderError> {
        let _ = id;
        Err(ProviderError::new(format!("{type_name} does not support import")))
    }

    /// After the state that records them was written: the objects this run created with an
    /// idempotency token (and the ones a plan adopted by their token after a crash). Nothing
    /// needs to find them by their token any more, so a provider that marked them with it (a
    /// tag) takes the mark away, leaving nothing of terrane's on them. An error is reported as
    /// a warning: a mark left behind does no harm.
    async fn creates_recorded(&self, type_name: &str, objects: Vec<Value>) -> Result<(), ProviderError> {
        let _ = (type_name, objects);
        Ok(())
    }

    /// Calls one of the provider's functions ([`ProviderSchema::functions`]) with arguments
    /// of its parameters' types. Synchronous: expressions are evaluated synchronously (a
    /// plugin blocks its worker thread for the call).
    fn call_function(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        let _ = args;
        Err(format!("the provider has no function {name:?}"))
    }

    /// Asks the provider to end what it is doing soon (Terraform's `Stop`, after the first
    /// Ctrl-C): its operations then return, finished or failed. The default does nothing
    /// (built-in operations finish on their own and nothing new starts).
    async fn stop(&self) {}

    /// Reads a data source.
    async fn read_data(&self, type_name: &str, config: Value) -> Result<Value, ProviderError> {
        let _ = config;
        Err(ProviderError::new(format!("data source {type_name} is not implemented")))
    }
}

/// Makes provider instances; one per `provider` block (alias) in a run.
pub trait ProviderFactory: Send + Sync {
    /// The source address recorded in state (`hashicorp/aws`, `terraform.io/builtin/terraform`).
    fn source(&self) -> &str;
    fn new_instance(&self) -> Arc<dyn Provider>;
}

/// The providers a binary offers, by local name (`aws`, `docker`, `terraform`).
#[derive(Clone, Default)]
pub struct ProviderRegistry {
    factories: BTreeMap<String, Arc<dyn ProviderFactory>>,
}

impl ProviderRegistry {
    /// A registry with the built-in `terraform` provider.
    pub fn with_builtin() -> ProviderRegistry {
        let mut r = ProviderRegistry::default();
        r.register("terraform", Arc::new(crate::builtin::TerraformFactory::default()));
        r
    }

    pub fn register(&mut self, name: &str, f: Arc<dyn ProviderFactory>) {
        self.factories.insert(name.to_string(), f);
    }

    pub fn get(&self, name: &str) -> Option<&Arc<dyn ProviderFactory>> {
        self.factories.get(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.factories.keys().map(String::as_str)
    }
}
