//! Attribute schemas: what a resource, data source or provider block accepts, which
//! attributes the provider computes, which force replacement and which are sensitive.

use crate::IndexMap;
use crate::cty::Type;
use crate::value::Value;
use std::collections::BTreeMap;
use std::sync::OnceLock;

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
    /// Also written as an argument (the plugin SDK's "attributes as blocks",
    /// `ConfigModeAttr`): `ingress = [{ from_port = 22, ... }]`, each object giving every
    /// attribute (`null` for those not wanted), and `ingress = []` for none.
    pub attribute_syntax: bool,
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
            attribute_syntax: false,
        }
    }
    pub fn list(schema: Schema) -> NestedBlock {
        NestedBlock {
            nesting: Nesting::List,
            schema,
            min_items: 0,
            max_items: None,
            force_new: false,
            computed: false,
            attribute_syntax: false,
        }
    }
    pub fn set(schema: Schema) -> NestedBlock {
        NestedBlock {
            nesting: Nesting::Set,
            schema,
            min_items: 0,
            max_items: None,
            force_new: false,
            computed: false,
            attribute_syntax: false,
        }
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
    /// See [`NestedBlock::attribute_syntax`].
    pub fn with_attribute_syntax(mut self) -> NestedBlock {
        self.attribute_syntax = true;
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

    /// The object type of values of this schema (attributes, and blocks as objects, lists
    /// or sets of objects).
    pub fn value_type(&self) -> Type {
        let mut attrs = BTreeMap::new();
        for (k, a) in &self.attributes {
            attrs.insert(k.clone(), a.ty.clone());
        }
        for (k, b) in &self.blocks {
            let inner = b.schema.value_type();
            let ty = match b.nesting {
                Nesting::Single => inner,
                Nesting::List => Type::list(inner),
                Nesting::Set => Type::set(inner),
            };
            attrs.insert(k.clone(), ty);
        }
        Type::object(attrs)
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
        let (v, marks) = v.unmark();
        let Some(m) = v.as_map() else { return v.with_marks(marks) };
        let mut m = m.clone();
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
                    Value::List(s) => {
                        Value::list(s.ety.clone(), s.items.iter().map(|i| b.schema.mark_sensitive(i.clone())).collect())
                    }
                    Value::Set(s) => {
                        Value::set(s.ety.clone(), s.items.iter().map(|i| b.schema.mark_sensitive(i.clone())).collect())
                    }
                    other => b.schema.mark_sensitive(other),
                };
                m.insert(k.clone(), x);
            }
        }
        Value::object_from_map(m).with_marks(marks)
    }

    /// The paths of required attributes the value sets to a known null (an argument given
    /// `null`, which the decoder cannot see), as the Terraform SDK's validation finds them at
    /// plan time. Unknown values are not checked: they may be set at apply.
    pub fn null_required(&self, v: &Value) -> Vec<Vec<crate::value::PathStep>> {
        use crate::value::PathStep;
        fn walk(s: &Schema, v: &Value, path: &mut Vec<PathStep>, out: &mut Vec<Vec<PathStep>>) {
            if !v.is_known() || v.is_null() {
                return;
            }
            for (name, a) in &s.attributes {
                if a.required && v.get_attr(name).is_some_and(|x| x.is_known() && x.is_null()) {
                    let mut p = path.clone();
                    p.push(PathStep::Attr(name.clone()));
                    out.push(p);
                }
            }
            for (name, b) in &s.blocks {
                let Some(x) = v.get_attr(name) else { continue };
                path.push(PathStep::Attr(name.clone()));
                match b.nesting {
                    Nesting::Single => walk(&b.schema, x, path, out),
                    Nesting::List | Nesting::Set => {
                        for (i, item) in x.as_seq().unwrap_or(&[]).iter().enumerate() {
                            path.push(PathStep::Index(i));
                            walk(&b.schema, item, path, out);
                            path.pop();
                        }
                    }
                }
                path.pop();
            }
        }
        let mut out = Vec::new();
        walk(self, v, &mut Vec::new(), &mut out);
        out
    }

    /// A value of this schema read back from JSON (state), typed by the schema.
    pub fn from_json(&self, json: &serde_json::Value) -> Value {
        Value::from_json(json).conform(&self.value_type())
    }
}

/// Everything a provider offers: its own configuration schema, its resource and data
/// source types, and its functions (`provider::NAME::FUNCTION`).
#[derive(Clone, Debug, Default)]
pub struct ProviderSchema {
    pub provider: Schema,
    pub resources: BTreeMap<String, ResourceSchema>,
    pub data_sources: BTreeMap<String, ResourceSchema>,
    pub functions: BTreeMap<String, FunctionSignature>,
}

/// A provider function's parameters and result.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FunctionSignature {
    pub params: Vec<FunctionParam>,
    pub variadic: Option<FunctionParam>,
    pub returns: Type,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FunctionParam {
    pub name: String,
    pub ty: Type,
    pub allow_null: bool,
    pub allow_unknown: bool,
}

#[derive(Clone, Debug, Default)]
pub struct ResourceSchema {
    /// Bumped when the stored shape changes; recorded in state as `schema_version`.
    pub version: u64,
    pub block: Schema,
    ty: OnceLock<Type>,
}

impl ResourceSchema {
    pub fn new(block: Schema) -> ResourceSchema {
        ResourceSchema { version: 0, block, ty: OnceLock::new() }
    }

    pub fn with_version(mut self, version: u64) -> ResourceSchema {
        self.version = version;
        self
    }

    /// A value a provider returned, made a value of the resource's type (leniently, see
    /// [`Value::conform`]) with the schema's sensitive attributes marked.
    pub fn fit(&self, v: Value) -> Value {
        self.block.mark_sensitive(v.conform(self.value_type()))
    }

    /// The object type of the resource's values (computed once).
    pub fn value_type(&self) -> &Type {
        self.ty.get_or_init(|| self.block.value_type())
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
        assert_eq!(v.get_attr("names"), Some(&Value::set(Type::String, vec!["a".into(), "b".into()])));
        assert_eq!(v.get_attr("id"), Some(&Value::null(Type::String)));
        assert_eq!(v.get_attr("rule").and_then(Value::as_seq).map(<[Value]>::len), Some(2));
    }

    #[test]
    fn marks_schema_sensitive_attributes() {
        let s = Schema::new().attr("password", Attribute::optional(Type::String).sensitive());
        let v = s.mark_sensitive(Value::object([("password", Value::from("x"))]));
        assert!(v.get_attr("password").unwrap().is_sensitive());
    }
}
