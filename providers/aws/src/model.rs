//! Models shared by the typed resource definitions (`terrane_engine::model`): tags and
//! timeouts, declared once.

use std::collections::BTreeMap;
use std::time::Duration;
use terrane_engine::model::Model;
use terrane_engine::value::{Type, Value};

/// `tags` and `tags_all`, as every taggable resource has them (flattened into the resource).
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct Tags {
    #[model(optional)]
    pub tags: Option<BTreeMap<String, String>>,
    #[model(optional, computed)]
    pub tags_all: Option<BTreeMap<String, String>>,
}

impl Tags {
    /// The tags the object should carry: the planned `tags_all` (its own and the provider's
    /// default tags).
    pub fn wanted(&self) -> BTreeMap<String, String> {
        self.tags_all.clone().unwrap_or_default()
    }

    /// What a create sends: [`Tags::wanted`], and the token tag of a create with one.
    pub fn at_create(&self, c: &crate::resource::Ctx<'_>) -> BTreeMap<String, String> {
        let mut tags = self.wanted();
        if let Some(t) = c.token {
            tags.insert(crate::tags::TOKEN_TAG.to_string(), t.to_string());
        }
        tags
    }

    /// The tags read back from what AWS holds (`api`), given the prior ones.
    pub fn read_back(&self, c: &crate::resource::Ctx<'_>, api: &BTreeMap<String, String>) -> Tags {
        crate::tags::read_back_tags(api, c.default_tags(), self.tags.as_ref())
    }
}

/// An attribute whose value is an object (`master_user_secret`, ACM's
/// `domain_validation_options`): see [`terrane_engine::model::Object`].
pub use terrane_engine::model::Object;

/// `timeouts { read }`, for data sources.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct ReadTimeouts {
    #[model(optional)]
    pub read: Option<String>,
}

/// `timeouts { create, update, delete }`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct Timeouts {
    #[model(optional)]
    pub create: Option<String>,
    #[model(optional)]
    pub update: Option<String>,
    #[model(optional)]
    pub delete: Option<String>,
}

/// `timeouts { create, delete }`, for types that update nothing slow.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct CreateDeleteTimeouts {
    #[model(optional)]
    pub create: Option<String>,
    #[model(optional)]
    pub delete: Option<String>,
}

/// `timeouts { create }`, for types whose create alone waits.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct CreateTimeouts {
    #[model(optional)]
    pub create: Option<String>,
}

/// `timeouts { create, read, update, delete }`.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct CrudTimeouts {
    #[model(optional)]
    pub create: Option<String>,
    #[model(optional)]
    pub read: Option<String>,
    #[model(optional)]
    pub update: Option<String>,
    #[model(optional)]
    pub delete: Option<String>,
}

/// `timeouts { create, update }`, for types whose delete is not waited for.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct CreateUpdateTimeouts {
    #[model(optional)]
    pub create: Option<String>,
    #[model(optional)]
    pub update: Option<String>,
}

/// An operation a timeout is given for.
#[derive(Clone, Copy)]
pub enum Op {
    Create,
    Update,
    Delete,
}

/// A `timeouts` block: the duration configured for an operation, if any.
pub trait TimeoutsBlock {
    fn configured(&self, op: Op) -> Option<&str>;
}

impl TimeoutsBlock for Timeouts {
    fn configured(&self, op: Op) -> Option<&str> {
        match op {
            Op::Create => self.create.as_deref(),
            Op::Update => self.update.as_deref(),
            Op::Delete => self.delete.as_deref(),
        }
    }
}

impl TimeoutsBlock for CreateTimeouts {
    fn configured(&self, op: Op) -> Option<&str> {
        match op {
            Op::Create => self.create.as_deref(),
            Op::Update | Op::Delete => None,
        }
    }
}

impl TimeoutsBlock for CrudTimeouts {
    fn configured(&self, op: Op) -> Option<&str> {
        match op {
            Op::Create => self.create.as_deref(),
            Op::Update => self.update.as_deref(),
            Op::Delete => self.delete.as_deref(),
        }
    }
}

impl TimeoutsBlock for CreateDeleteTimeouts {
    fn configured(&self, op: Op) -> Option<&str> {
        match op {
            Op::Create => self.create.as_deref(),
            Op::Update => None,
            Op::Delete => self.delete.as_deref(),
        }
    }
}

impl TimeoutsBlock for CreateUpdateTimeouts {
    fn configured(&self, op: Op) -> Option<&str> {
        match op {
            Op::Create => self.create.as_deref(),
            Op::Update => self.update.as_deref(),
            Op::Delete => None,
        }
    }
}

/// The configured timeout of `op` (`"40m"`), or `default`.
pub fn limit(t: &Option<impl TimeoutsBlock>, op: Op, default: Duration) -> Duration {
    crate::waiter::configured_or(t.as_ref().and_then(|t| t.configured(op)), default)
}

/// Whether attribute `k` of `v` is known through and through: what a typed read cannot tell
/// (an `Option` reads a value not known yet as none), for an update that leaves such a value
/// as it is.
pub fn known(v: &Value, k: &str) -> bool {
    v.get_attr(k).is_some_and(Value::is_wholly_known)
}

/// A configuration as a typed read of it can take it at validate, where parts may not be known
/// yet: what is not known is null (an `Option` field reads either as none, and a lenient read of
/// another field as its type's default), and so is a collection of values holding a null or an
/// element not known yet (which would not read). Blocks keep their known elements.
pub fn known_parts(config: &Value) -> Value {
    config.clone().transform(&|v| match v {
        Value::Unknown(u) => Value::Null(u.ty),
        v if holds_null(&v) => Value::null(v.ty()),
        v => v,
    })
}

/// Whether a list, set or map of values that are not objects holds a null.
fn holds_null(v: &Value) -> bool {
    let null = |e: &Value| e.is_null() && !matches!(e.ty(), Type::Object(_));
    match v.unmarked() {
        Value::List(s) | Value::Set(s) => s.items.iter().any(null),
        Value::Map(m) => m.items.values().any(null),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_known_yet_reads_as_none() {
        let config = Value::object([
            ("tags", Value::map(Type::String, BTreeMap::from([("a".to_string(), Value::unknown(Type::String))]))),
            ("tags_all", Value::unknown(Type::map(Type::String))),
        ]);
        assert!(Tags::from_stub(&config).is_err(), "a map holding an unknown does not read");
        assert_eq!(Tags::from_stub(&known_parts(&config)).unwrap(), Tags::default());
        let known =
            Value::object([("tags", Value::map(Type::String, BTreeMap::from([("a".to_string(), Value::from("b"))])))]);
        assert_eq!(Tags::from_stub(&known_parts(&known)).unwrap().tags.unwrap()["a"], "b");
    }
}
