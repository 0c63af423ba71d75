//! Typed resource definitions. A provider declares a resource type (or a nested block) as a
//! struct deriving [`Model`]: its fields are the attributes and blocks, so the schema, the
//! reading of a planned or prior value and the object a read returns all come from one
//! declaration, and every attribute a provider touches is a field the compiler checks, instead
//! of a string looked up in a value.
//!
//! Reading is lenient where values are not known yet: an `Option` field reads a null or
//! unknown attribute as `None`; a field that is not an `Option` must be known and not null,
//! unless it has a default (which is then what a null reads as).

use crate::cty::Type;
use crate::schema::{Nesting, Schema};
use crate::value::Value;
use std::collections::{BTreeMap, BTreeSet};

pub use terrane_model_derive::Model;

/// A block of attributes and nested blocks: a resource type, a data source or a nested block.
pub trait Model: Sized {
    fn schema() -> Schema;
    /// The fields, read from an object; `lenient`: an attribute that is not an `Option` and is
    /// null or unknown reads as its type's default instead of failing.
    fn read(v: &Value, lenient: bool) -> Result<Self, ModelError>;
    /// The fields, read from an object (a configuration, a plan or a state).
    fn from_value(v: &Value) -> Result<Self, ModelError> {
        Self::read(v, false)
    }
    /// The fields of a prior value or an import's stub, which may hold no more than the ID
    /// (what a read starts from): what is missing reads as its type's default.
    fn from_stub(v: &Value) -> Result<Self, ModelError> {
        Self::read(v, true)
    }
    /// Writes every attribute and block into `out` (for [`Model::to_value`], and for a struct
    /// that flattens this one).
    fn write(&self, out: &mut BTreeMap<String, Value>);

    /// The object, of the schema's type (what a read returns).
    fn to_value(&self) -> Value {
        let mut out = BTreeMap::new();
        self.write(&mut out);
        Value::object_from_map(out).conform(&Self::schema().value_type())
    }
}

/// Why a value does not read as a model: an attribute missing, null, unknown or of another
/// type, with where.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelError {
    pub path: Vec<String>,
    pub message: String,
}

impl ModelError {
    fn new(message: impl Into<String>) -> ModelError {
        ModelError { path: Vec::new(), message: message.into() }
    }

    /// The same error, inside attribute or block `name`.
    pub fn within(mut self, name: &str) -> ModelError {
        self.path.insert(0, name.to_string());
        self
    }
}

impl std::fmt::Display for ModelError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.join("."), self.message)
    }
}

impl std::error::Error for ModelError {}

impl From<ModelError> for crate::provider::ProviderError {
    fn from(e: ModelError) -> Self {
        crate::provider::ProviderError::new(format!("unexpected value of {e}"))
    }
}

/// The type of an attribute's field, and its conversions.
pub trait Field: Sized {
    fn ty() -> Type;
    /// Reads a value that is known and not null.
    fn from_field(v: &Value) -> Result<Self, ModelError>;
    fn to_field(&self) -> Value;
    /// What a null or unknown value reads as: an error, except for `Option`.
    fn absent(v: Option<&Value>) -> Result<Self, ModelError> {
        Err(ModelError::new(match v {
            Some(v) if !v.is_known() => "not known yet",
            _ => "null",
        }))
    }
}

fn present(v: Option<&Value>) -> Option<&Value> {
    v.map(Value::unmarked).filter(|v| v.is_known() && !v.is_null())
}

/// Attribute `name` of `v` (see [`Model::read`] for `lenient`).
pub fn attribute<T: Field + Default>(v: &Value, name: &str, lenient: bool) -> Result<T, ModelError> {
    let a = v.get_attr(name);
    match present(a) {
        Some(x) => T::from_field(x),
        None if lenient => Ok(T::absent(a).unwrap_or_default()),
        None => T::absent(a),
    }
    .map_err(|e| e.within(name))
}

/// Attribute `name` of `v`, or `default` when it is null or unknown.
pub fn attribute_or<T: Field>(v: &Value, name: &str, default: impl FnOnce() -> Value) -> Result<T, ModelError> {
    match present(v.get_attr(name)) {
        Some(x) => T::from_field(x),
        None => T::from_field(&default()),
    }
    .map_err(|e| e.within(name))
}

/// `b`'s attributes and blocks added to `a`'s (for `flatten`).
pub fn merge(mut a: Schema, b: Schema) -> Schema {
    a.attributes.extend(b.attributes);
    a.blocks.extend(b.blocks);
    a
}

fn expected(what: &str, v: &Value) -> ModelError {
    ModelError::new(format!("expected {what}, found {}", v.type_name()))
}

impl Field for String {
    fn ty() -> Type {
        Type::String
    }
    fn from_field(v: &Value) -> Result<Self, ModelError> {
        v.as_str().map(str::to_string).ok_or_else(|| expected("a string", v))
    }
    fn to_field(&self) -> Value {
        Value::from(self.as_str())
    }
}

impl Field for bool {
    fn ty() -> Type {
        Type::Bool
    }
    fn from_field(v: &Value) -> Result<Self, ModelError> {
        v.as_bool().ok_or_else(|| expected("a bool", v))
    }
    fn to_field(&self) -> Value {
        Value::from(*self)
    }
}

impl Field for i64 {
    fn ty() -> Type {
        Type::Number
    }
    fn from_field(v: &Value) -> Result<Self, ModelError> {
        let n = v.as_number().ok_or_else(|| expected("a number", v))?;
        n.to_i64().ok_or_else(|| ModelError::new(format!("expected a whole number, found {}", n.to_f64())))
    }
    fn to_field(&self) -> Value {
        Value::from(*self)
    }
}

impl Field for f64 {
    fn ty() -> Type {
        Type::Number
    }
    fn from_field(v: &Value) -> Result<Self, ModelError> {
        v.as_f64().ok_or_else(|| expected("a number", v))
    }
    fn to_field(&self) -> Value {
        Value::from(*self)
    }
}

impl<T: Field> Field for Option<T> {
    fn ty() -> Type {
        T::ty()
    }
    fn from_field(v: &Value) -> Result<Self, ModelError> {
        T::from_field(v).map(Some)
    }
    fn to_field(&self) -> Value {
        match self {
            Some(x) => x.to_field(),
            None => Value::null(T::ty()),
        }
    }
    fn absent(_: Option<&Value>) -> Result<Self, ModelError> {
        Ok(None)
    }
}

fn elements<T: Field>(v: &Value) -> Result<Vec<T>, ModelError> {
    let items = v.as_seq().ok_or_else(|| expected("a list or set", v))?;
    items
        .iter()
        .enumerate()
        .map(|(i, x)| {
            match present(Some(x)) {
                Some(x) => T::from_field(x),
                None => T::absent(Some(x)),
            }
            .map_err(|e| e.within(&i.to_string()))
        })
        .collect()
}

impl<T: Field> Field for Vec<T> {
    fn ty() -> Type {
        Type::list(T::ty())
    }
    fn from_field(v: &Value) -> Result<Self, ModelError> {
        elements(v)
    }
    fn to_field(&self) -> Value {
        Value::list(T::ty(), self.iter().map(Field::to_field).collect())
    }
}

impl<T: Field + Ord> Field for BTreeSet<T> {
    fn ty() -> Type {
        Type::set(T::ty())
    }
    fn from_field(v: &Value) -> Result<Self, ModelError> {
        elements(v).map(|e| e.into_iter().collect())
    }
    fn to_field(&self) -> Value {
        Value::set(T::ty(), self.iter().map(Field::to_field).collect())
    }
}

impl<T: Field> Field for BTreeMap<String, T> {
    fn ty() -> Type {
        Type::map(T::ty())
    }
    fn from_field(v: &Value) -> Result<Self, ModelError> {
        let m = v.as_map().ok_or_else(|| expected("a map", v))?;
        m.iter()
            .map(|(k, x)| {
                let x = match present(Some(x)) {
                    Some(x) => T::from_field(x),
                    None => T::absent(Some(x)),
                };
                x.map(|x| (k.clone(), x)).map_err(|e| e.within(k))
            })
            .collect()
    }
    fn to_field(&self) -> Value {
        Value::map(T::ty(), self.iter().map(|(k, x)| (k.clone(), x.to_field())).collect())
    }
}

/// An attribute whose value is an object with the attributes of model `M`, where a provider
/// declares an attribute, not a block, of an object type (hashicorp/aws's computed
/// `master_user_secret` or ACM's `domain_validation_options`, kreuzwerker/docker's data source
/// `ipam_config`): a list of them is a `Vec<Object<M>>`. Read leniently: what the object
/// leaves null reads as its default.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Object<M>(pub M);

impl<M: Model> Field for Object<M> {
    fn ty() -> Type {
        M::schema().value_type()
    }
    fn from_field(v: &Value) -> Result<Self, ModelError> {
        M::from_stub(v).map(Object)
    }
    fn to_field(&self) -> Value {
        self.0.to_value()
    }
}

/// The type of a nested block's field: `Vec<M>` (any nesting) or `Option<M>` (a single block,
/// or a list of at most one).
pub trait Blocks: Sized {
    fn schema() -> Schema;
    fn from_blocks(v: Option<&Value>, lenient: bool) -> Result<Self, ModelError>;
    fn to_blocks(&self, nesting: Nesting) -> Value;
}

fn block_values(v: Option<&Value>) -> Vec<&Value> {
    match present(v) {
        None => Vec::new(),
        Some(v) => match v.as_seq() {
            Some(items) => items.iter().map(Value::unmarked).filter(|b| b.is_known() && !b.is_null()).collect(),
            None => vec![v],
        },
    }
}

fn nested<M: Model>(nesting: Nesting, items: Vec<Value>) -> Value {
    let ety = M::schema().value_type();
    match nesting {
        Nesting::Set => Value::set(ety, items),
        Nesting::List => Value::list(ety, items),
        Nesting::Single => items.into_iter().next().unwrap_or_else(|| Value::null(ety)),
    }
}

impl<M: Model> Blocks for Vec<M> {
    fn schema() -> Schema {
        M::schema()
    }
    fn from_blocks(v: Option<&Value>, lenient: bool) -> Result<Self, ModelError> {
        block_values(v)
            .into_iter()
            .enumerate()
            .map(|(i, b)| M::read(b, lenient).map_err(|e| e.within(&i.to_string())))
            .collect()
    }
    fn to_blocks(&self, nesting: Nesting) -> Value {
        nested::<M>(nesting, self.iter().map(Model::to_value).collect())
    }
}

impl<M: Model> Blocks for Option<M> {
    fn schema() -> Schema {
        M::schema()
    }
    fn from_blocks(v: Option<&Value>, lenient: bool) -> Result<Self, ModelError> {
        block_values(v).first().map(|b| M::read(b, lenient)).transpose()
    }
    fn to_blocks(&self, nesting: Nesting) -> Value {
        nested::<M>(nesting, self.iter().map(Model::to_value).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Attribute, NestedBlock};

    #[derive(Model, Debug, PartialEq)]
    struct Rule {
        #[model(required)]
        port: i64,
        #[model(optional, default = "tcp")]
        protocol: String,
    }

    #[derive(Model, Debug, PartialEq)]
    struct Tagged {
        #[model(optional)]
        tags: Option<BTreeMap<String, String>>,
    }

    #[derive(Model, Debug, PartialEq)]
    struct Thing {
        #[model(computed)]
        id: Option<String>,
        #[model(required, force_new)]
        name: String,
        #[model(optional, sensitive)]
        secret: Option<String>,
        #[model(optional, computed, name = "type")]
        kind: Option<String>,
        #[model(optional)]
        zones: BTreeSet<String>,
        #[model(block, max = 2)]
        rule: Vec<Rule>,
        #[model(block = "single")]
        only: Option<Rule>,
        #[model(block = "set", attribute_syntax)]
        open: Vec<Rule>,
        #[model(flatten)]
        tagged: Tagged,
    }

    #[test]
    fn the_schema_is_declared_by_the_fields() {
        let rule = Schema::new()
            .attr("port", Attribute::required(Type::Number))
            .attr("protocol", Attribute::optional(Type::String).default("tcp"));
        let want = Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("name", Attribute::required(Type::String).force_new())
            .attr("secret", Attribute::optional(Type::String).sensitive())
            .attr("type", Attribute::optional_computed(Type::String))
            .attr("zones", Attribute::optional(Type::set(Type::String)))
            .block("rule", NestedBlock::list(rule.clone()).max(2))
            .block("only", NestedBlock::single(rule.clone()))
            .block("open", NestedBlock::set(rule).with_attribute_syntax())
            .attr("tags", Attribute::optional(Type::map(Type::String)));
        assert_eq!(Thing::schema(), want);
    }

    #[test]
    fn a_value_reads_into_the_fields_and_back() {
        let ty = Thing::schema().value_type();
        let v = Value::object([
            ("id", Value::unknown(Type::String)),
            ("name", Value::from("web")),
            ("secret", Value::NULL),
            ("type", Value::from("t3")),
            ("zones", Value::set(Type::String, vec![Value::from("b"), Value::from("a")])),
            ("rule", Value::list(Rule::schema().value_type(), vec![Value::object([("port", Value::from(22i64))])])),
            ("only", Value::NULL),
            ("tags", Value::map(Type::String, BTreeMap::from([("team".to_string(), Value::from("ops"))]))),
        ]);
        let t = Thing::from_value(&v).unwrap();
        assert_eq!(
            t,
            Thing {
                id: None,
                name: "web".into(),
                secret: None,
                kind: Some("t3".into()),
                zones: BTreeSet::from(["a".to_string(), "b".to_string()]),
                rule: vec![Rule { port: 22, protocol: "tcp".into() }],
                only: None,
                open: vec![],
                tagged: Tagged { tags: Some(BTreeMap::from([("team".into(), "ops".into())])) },
            }
        );
        let back = t.to_value();
        assert_eq!(back.ty(), ty);
        assert_eq!(back.get_attr("id"), Some(&Value::null(Type::String)));
        assert_eq!(back.get_attr("type").and_then(Value::as_str), Some("t3"));
        assert_eq!(back.get_attr("only"), Some(&Value::null(Rule::schema().value_type())));
        assert_eq!(
            back.get_attr("rule").and_then(|r| r.as_seq()).map(|r| r[0].get_attr("protocol").cloned()),
            Some(Some(Value::from("tcp")))
        );
        assert_eq!(Thing::from_value(&back).unwrap(), t, "a read-back reads as what it was made from");
    }

    #[test]
    fn a_missing_or_mistyped_attribute_is_named() {
        let e = Thing::from_value(&Value::object([("name", Value::NULL)])).unwrap_err();
        assert_eq!(e.to_string(), "name: null");
        let e = Thing::from_value(&Value::object([("name", Value::unknown(Type::String))])).unwrap_err();
        assert_eq!(e.to_string(), "name: not known yet");
        let e = Thing::from_value(&Value::object([("name", Value::from("web"))])).unwrap_err();
        assert_eq!(e.to_string(), "zones: null", "a collection that is not an Option must be there");
        let stub = Thing::from_stub(&Value::object([("id", Value::from("t-1"))])).unwrap();
        assert_eq!((stub.id.as_deref(), stub.name.as_str(), stub.zones.len()), (Some("t-1"), "", 0), "a stub reads");
        let bad_rule = Value::object([
            ("name", Value::from("web")),
            ("zones", Value::set(Type::String, vec![])),
            ("rule", Value::list(Type::Dynamic, vec![Value::object([("port", Value::from("ssh"))])])),
        ]);
        assert_eq!(
            Thing::from_value(&bad_rule).unwrap_err().to_string(),
            "rule.0.port: expected a number, found string"
        );
    }
}
