//! Attribute schemas: what a resource, data source or provider block accepts, which
//! attributes the provider computes, which force replacement and which are sensitive.

use crate::types::{ObjectAttr, Type};
use crate::value::Value;
use indexmap::IndexMap;
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Schema {
    pub attributes: IndexMap<String, Attribute>,
    pub blocks: IndexMap<String, NestedBlock>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub ty: Type,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    /// A change to this attribute replaces the resource.
    pub force_new: bool,
    pub sensitive: bool,
    /// Used when the configuration leaves the attribute unset.
    pub default: Option<Value>,
    pub description: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Nesting {
    /// At most one block; its value is an object (or null).
    Single,
    /// Repeated blocks; a list of objects.
    List,
    /// Repeated blocks without order; a set of objects.
    Set,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NestedBlock {
    pub nesting: Nesting,
    pub schema: Schema,
    pub min_items: usize,
    pub max_items: Option<usize>,
    /// A change anywhere inside the block replaces the resource.
    pub force_new: bool,
    /// Optional and computed: when the configuration has none, the provider decides (and an
    /// existing object keeps what it has).
    pub computed: bool,
}

impl Attribute {
    fn new(ty: Type) -> Attribute {
        Attribute {
            ty,
            required: false,
            optional: false,
            computed: false,
            force_new: false,
            sensitive: false,
            default: None,
            description: String::new(),
        }
    }
    pub fn required(ty: Type) -> Attribute {
        Attribute { required: true, ..Attribute::new(ty) }
    }
    pub fn optional(ty: Type) -> Attribute {
        Attribute { optional: true, ..Attribute::new(ty) }
    }
    /// Set by the provider only (`id`, `arn`).
    pub fn computed(ty: Type) -> Attribute {
        Attribute { computed: true, ..Attribute::new(ty) }
    }
    /// Optional; when unset, the provider decides (`availability_zone`).
    pub fn optional_computed(ty: Type) -> Attribute {
        Attribute { optional: true, computed: true, ..Attribute::new(ty) }
    }
    pub fn force_new(mut self) -> Attribute {
        self.force_new = true;
        self
    }
    pub fn sensitive(mut self) -> Attribute {
        self.sensitive = true;
        self
    }
    pub fn default(mut self, v: impl Into<Value>) -> Attribute {
        self.default = Some(v.into());
        self
    }
    pub fn describe(mut self, d: impl Into<String>) -> Attribute {
        self.description = d.into();
        self
    }
}

impl NestedBlock {
    pub fn single(schema: Schema) -> NestedBlock {
        NestedBlock {
            nesting: Nesting::Single,
            schema,
            min_items: 0,
            max_items: Some(1),
            force_new: false,
            computed: false,
        }
    }
    pub fn list(schema: Schema) -> NestedBlock {
        NestedBlock { nesting: Nesting::List, schema, min_items: 0, max_items: None, force_new: false, computed: false }
    }
    pub fn set(schema: Schema) -> NestedBlock {
        NestedBlock { nesting: Nesting::Set, schema, min_items: 0, max_items: None, force_new: false, computed: false }
    }
    pub fn min(mut self, n: usize) -> NestedBlock {
        self.min_items = n;
        self
    }
    pub fn max(mut self, n: usize) -> NestedBlock {
        self.max_items = Some(n);
        self
    }
    pub fn force_new(mut self) -> NestedBlock {
        self.force_new = true;
        self
    }
    pub fn computed(mut self) -> NestedBlock {
        self.computed = true;
        self
    }
}

impl Schema {
    pub fn new() -> Schema {
        Schema::default()
    }
    pub fn attr(mut self, name: &str, a: Attribute) -> Schema {
        self.attributes.insert(name.to_string(), a);
        self
    }
    pub fn block(mut self, name: &str, b: NestedBlock) -> Schema {
        self.blocks.insert(name.to_string(), b);
        self
    }

    /// The object type of values of this schema.
    pub fn value_type(&self) -> Type {
        let mut attrs = BTreeMap::new();
        for (k, a) in &self.attributes {
            attrs.insert(k.clone(), ObjectAttr { ty: a.ty.clone(), optional: !a.required, default: None });
        }
        for (k, b) in &self.blocks {
            let inner = b.schema.value_type();
            let ty = match b.nesting {
                Nesting::Single => inner,
                Nesting::List => Type::list(inner),
                Nesting::Set => Type::set(inner),
            };
            attrs.insert(k.clone(), ObjectAttr { ty, optional: true, default: None });
        }
        Type::Object(attrs)
    }

    /// Whether any attribute (at any depth) is sensitive by schema.
    pub fn has_sensitive(&self) -> bool {
        self.attributes.values().any(|a| a.sensitive) || self.blocks.values().any(|b| b.schema.has_sensitive())
    }

    /// Marks the attributes the schema declares sensitive.
    pub fn mark_sensitive(&self, v: Value) -> Value {
        if !self.has_sensitive() {
            return v;
        }
        let (v, marked) = v.into_unmarked();
        let Value::Map(mut m) = v else { return v.mark_if(marked) };
        for (k, a) in &self.attributes {
            if a.sensitive
                && let Some(x) = m.remove(k)
            {
                m.insert(k.clone(), if x.is_null() { x } else { x.mark_sensitive() });
            }
        }
        for (k, b) in &self.blocks {
            if let Some(x) = m.remove(k) {
                let x = match x {
                    Value::List(items) => Value::List(items.into_iter().map(|i| b.schema.mark_sensitive(i)).collect()),
                    Value::Set(items) => Value::Set(items.into_iter().map(|i| b.schema.mark_sensitive(i)).collect()),
                    other => b.schema.mark_sensitive(other),
                };
                m.insert(k.clone(), x);
            }
        }
        Value::Map(m).mark_if(marked)
    }

    /// A value of this schema read back from JSON (state): lists become sets where the
    /// schema says so, and missing attributes become null.
    pub fn from_json(&self, json: &serde_json::Value) -> Value {
        let Some(obj) = json.as_object() else { return Value::from_json(json) };
        let mut m = crate::value::ValueMap::new();
        for (k, a) in &self.attributes {
            m.insert(k.clone(), obj.get(k).map(|j| typed_from_json(j, &a.ty)).unwrap_or(Value::Null));
        }
        for (k, b) in &self.blocks {
            let v = match (obj.get(k), b.nesting) {
                (Some(serde_json::Value::Array(items)), Nesting::List) => {
                    Value::List(items.iter().map(|i| b.schema.from_json(i)).collect())
                }
                (Some(serde_json::Value::Array(items)), Nesting::Set) => {
                    Value::set(items.iter().map(|i| b.schema.from_json(i)).collect())
                }
                (Some(serde_json::Value::Array(items)), Nesting::Single) => {
                    items.first().map(|i| b.schema.from_json(i)).unwrap_or(Value::Null)
                }
                (Some(j @ serde_json::Value::Object(_)), _) => b.schema.from_json(j),
                (_, Nesting::Single) => Value::Null,
                (_, _) => Value::List(Vec::new()),
            };
            m.insert(k.clone(), v);
        }
        // Keep attributes the schema does not know (written by another version), so nothing is lost.
        for (k, j) in obj {
            m.entry(k.clone()).or_insert_with(|| Value::from_json(j));
        }
        Value::Map(m)
    }
}

fn typed_from_json(j: &serde_json::Value, ty: &Type) -> Value {
    match (j, ty) {
        (serde_json::Value::Array(items), Type::Set(et)) => {
            Value::set(items.iter().map(|i| typed_from_json(i, et)).collect())
        }
        (serde_json::Value::Array(items), Type::List(et)) => {
            Value::List(items.iter().map(|i| typed_from_json(i, et)).collect())
        }
        (serde_json::Value::Object(m), Type::Map(et)) => {
            Value::Map(m.iter().map(|(k, v)| (k.clone(), typed_from_json(v, et))).collect())
        }
        (serde_json::Value::Object(m), Type::Object(attrs)) => Value::Map(
            m.iter()
                .map(|(k, v)| {
                    let t = attrs.get(k).map(|a| &a.ty).unwrap_or(&Type::Any);
                    (k.clone(), typed_from_json(v, t))
                })
                .collect(),
        ),
        _ => Value::from_json(j),
    }
}

/// Everything a provider offers: its own configuration schema and its resource and data
/// source types.
#[derive(Clone, Debug, Default)]
pub struct ProviderSchema {
    pub provider: Schema,
    pub resources: BTreeMap<String, ResourceSchema>,
    pub data_sources: BTreeMap<String, ResourceSchema>,
}

#[derive(Clone, Debug, Default)]
pub struct ResourceSchema {
    /// Bumped when the stored shape changes; recorded in state as `schema_version`.
    pub version: u64,
    pub block: Schema,
}

impl ResourceSchema {
    pub fn new(block: Schema) -> ResourceSchema {
        ResourceSchema { version: 0, block }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_json_restores_sets_and_nulls() {
        let s = Schema::new()
            .attr("names", Attribute::optional(Type::set(Type::String)))
            .attr("id", Attribute::computed(Type::String))
            .block("rule", NestedBlock::set(Schema::new().attr("port", Attribute::required(Type::Number))));
        let v = s.from_json(&serde_json::json!({"names": ["b", "a"], "rule": [{"port": 2}, {"port": 1}]}));
        assert_eq!(v.get_attr("names"), Some(&Value::Set(vec!["a".into(), "b".into()])));
        assert_eq!(v.get_attr("id"), Some(&Value::Null));
        assert_eq!(v.get_attr("rule").and_then(Value::as_seq).map(<[Value]>::len), Some(2));
    }

    #[test]
    fn marks_schema_sensitive_attributes() {
        let s = Schema::new().attr("password", Attribute::optional(Type::String).sensitive());
        let v = s.mark_sensitive(Value::object([("password", Value::from("x"))]));
        assert!(v.get_attr("password").unwrap().is_sensitive());
    }
}
