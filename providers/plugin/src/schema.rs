//! A plugin's schema (the protocol's `GetProviderSchema` answer) as the engine's schema.
//!
//! The engine's schema has what Terraform core uses of the protocol's: attribute types and
//! flags, nested blocks (single, list, set; a `group` block is a single block that is never
//! null), version 6's nested attributes (as attributes of object, list, set or map of object
//! type, their optional attributes optional in the type). Replacement is the plugin's to
//! decide (`requires_replace`), so nothing is force-new here. A type whose schema the engine
//! cannot hold (a block nested as a map, which no HashiCorp provider uses) is left out, and
//! [`Converted::skipped`] names it.

use crate::wire::{self, v5, v6};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use terrane_engine::cty::{ObjectType, Type};
use terrane_engine::schema::{
    Attribute, FunctionParam, FunctionSignature, NestedBlock, Nesting, ProviderSchema, ResourceSchema, Schema,
};

/// The engine's view of a plugin's schema.
pub struct Converted {
    pub schema: ProviderSchema,
    /// The plugin's functions, by name.
    pub functions: BTreeMap<String, wire::Function>,
    /// Types left out, with why.
    pub skipped: Vec<(String, String)>,
    /// Problems the plugin reported with its own schema.
    pub diagnostics: Vec<wire::Diagnostic>,
    /// The plugin offers `MoveResourceState` (moves across resource types).
    pub can_move_state: bool,
}

/// What both versions' schema messages offer.
trait Block {
    type Attr: Attr;
    type Nested: Nested<Block = Self>;
    fn attributes(&self) -> &[Self::Attr];
    fn block_types(&self) -> &[Self::Nested];
}

trait Attr {
    fn name(&self) -> &str;
    fn flags(&self) -> (bool, bool, bool, bool);
    fn description(&self) -> &str;
    fn ty(&self) -> Result<Type, String>;
}

trait Nested {
    type Block: Block;
    fn parts(&self) -> (&str, Option<&Self::Block>, i32, i64, i64);
}

/// The traits for one protocol version's messages; only the attribute's type differs
/// (version 6 may nest it).
macro_rules! block_impls {
    ($m:ident, $ty:expr) => {
        impl Block for $m::Block {
            type Attr = $m::Attribute;
            type Nested = $m::NestedBlock;
            fn attributes(&self) -> &[$m::Attribute] {
                &self.attributes
            }
            fn block_types(&self) -> &[$m::NestedBlock] {
                &self.block_types
            }
        }
        impl Nested for $m::NestedBlock {
            type Block = $m::Block;
            fn parts(&self) -> (&str, Option<&$m::Block>, i32, i64, i64) {
                (&self.type_name, self.block.as_ref(), self.nesting, self.min_items, self.max_items)
            }
        }
        impl Attr for $m::Attribute {
            fn name(&self) -> &str {
                &self.name
            }
            fn flags(&self) -> (bool, bool, bool, bool) {
                (self.required, self.optional, self.computed, self.sensitive)
            }
            fn description(&self) -> &str {
                &self.description
            }
            fn ty(&self) -> Result<Type, String> {
                let ty: fn(&$m::Attribute) -> Result<Type, String> = $ty;
                ty(self)
            }
        }
    };
}
block_impls!(v5, |a| type_from_bytes(&a.r#type));
block_impls!(v6, |a| match &a.nested_type {
    Some(o) => object_type(o),
    None => type_from_bytes(&a.r#type),
});

fn type_from_bytes(b: &[u8]) -> Result<Type, String> {
    let j: serde_json::Value = serde_json::from_slice(b).map_err(|e| format!("invalid type JSON: {e}"))?;
    Type::from_json(&j)
}

/// A version 6 nested attribute's type, as Terraform core implies it.
fn object_type(o: &wire::Object) -> Result<Type, String> {
    let mut attrs = BTreeMap::new();
    let mut optional = BTreeSet::new();
    for a in &o.attributes {
        attrs.insert(a.name.clone(), a.ty()?);
        if a.optional || a.computed {
            optional.insert(a.name.clone());
        }
    }
    let obj = Type::Object(Arc::new(ObjectType { attrs, optional }));
    Ok(match o.nesting {
        1 => obj,
        2 => Type::list(obj),
        3 => Type::set(obj),
        4 => Type::map(obj),
        n => return Err(format!("unknown nesting mode {n} of a nested attribute")),
    })
}

fn block<B: Block>(b: &B) -> Result<Schema, String> {
    let mut s = Schema::new();
    for a in b.attributes() {
        let (required, optional, computed, sensitive) = a.flags();
        let ty = a.ty().map_err(|e| format!("attribute {}: {e}", a.name()))?;
        let mut attr = Attribute::optional(ty);
        attr.required = required;
        attr.optional = optional;
        attr.computed = computed;
        attr.sensitive = sensitive;
        attr.description = a.description().to_string();
        s = s.attr(a.name(), attr);
    }
    for n in b.block_types() {
        let (name, inner, nesting, min, max) = n.parts();
        let inner = match inner {
            Some(i) => block(i).map_err(|e| format!("block {name}: {e}"))?,
            None => Schema::new(),
        };
        let mut nb = match nesting {
            1 | 5 => NestedBlock::single(inner),
            2 => NestedBlock::list(inner),
            3 => NestedBlock::set(inner),
            4 => return Err(format!("block {name} is nested as a map, which terrane does not support yet")),
            n => return Err(format!("block {name} has unknown nesting mode {n}")),
        };
        nb.min_items = usize::try_from(min).unwrap_or(0);
        nb.max_items = match (nesting, max) {
            (1 | 5, _) => Some(1),
            (_, m) if m > 0 => usize::try_from(m).ok(),
            _ => None,
        };
        if nesting == 5 {
            // A group block is always present; the engine reads it as a required single one
            // the provider fills in when absent.
            nb.computed = true;
        }
        debug_assert!(matches!(nb.nesting, Nesting::Single | Nesting::List | Nesting::Set));
        s = s.block(name, nb);
    }
    Ok(s)
}

/// A function's signature; `None` when a type does not parse.
fn signature(f: &wire::Function) -> Option<FunctionSignature> {
    let param = |p: &wire::Parameter| {
        Some(FunctionParam {
            name: p.name.clone(),
            ty: type_from_bytes(&p.r#type).ok()?,
            allow_null: p.allow_null_value,
            allow_unknown: p.allow_unknown_values,
        })
    };
    Some(FunctionSignature {
        params: f.parameters.iter().map(param).collect::<Option<Vec<_>>>()?,
        variadic: match &f.variadic_parameter {
            Some(p) => Some(param(p)?),
            None => None,
        },
        returns: f.r#return.as_ref().map(|r| type_from_bytes(&r.r#type)).transpose().ok()?.unwrap_or_default(),
    })
}

macro_rules! convert_fn {
    ($name:ident, $m:ident) => {
        /// Converts a protocol schema answer.
        pub fn $name(resp: &$m::GetProviderSchemaResponse) -> Converted {
            let mut skipped = Vec::new();
            let provider = resp
                .provider
                .as_ref()
                .and_then(|s| s.block.as_ref())
                .map(|b| {
                    block(b).unwrap_or_else(|e| {
                        skipped.push(("provider".to_string(), e));
                        Schema::new()
                    })
                })
                .unwrap_or_default();
            let mut types = |map: &std::collections::HashMap<String, $m::Schema>| {
                let mut out = BTreeMap::new();
                for (name, s) in map {
                    let Some(b) = &s.block else { continue };
                    match block(b) {
                        Ok(schema) => {
                            out.insert(
                                name.clone(),
                                ResourceSchema::new(schema).with_version(u64::try_from(s.version).unwrap_or(0)),
                            );
                        }
                        Err(e) => skipped.push((name.clone(), e)),
                    }
                }
                out
            };
            let resources = types(&resp.resource_schemas);
            let data_sources = types(&resp.data_source_schemas);
            skipped.sort();
            let functions = resp.functions.iter().filter_map(|(k, f)| Some((k.clone(), signature(f)?))).collect();
            Converted {
                schema: ProviderSchema { provider, resources, data_sources, functions },
                functions: resp.functions.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                skipped,
                diagnostics: resp.diagnostics.clone(),
                can_move_state: resp.server_capabilities.as_ref().is_some_and(|c| c.move_resource_state),
            }
        }
    };
}
convert_fn!(convert_v5, v5);
convert_fn!(convert_v6, v6);

#[cfg(test)]
mod tests {
    use super::*;

    fn attr5(name: &str, ty: &str, required: bool, computed: bool) -> v5::Attribute {
        v5::Attribute {
            name: name.into(),
            r#type: ty.as_bytes().to_vec(),
            required,
            optional: !required,
            computed,
            ..Default::default()
        }
    }

    #[test]
    fn converts_attributes_and_blocks() {
        let b = v5::Block {
            attributes: vec![
                attr5("id", "\"string\"", false, true),
                attr5("tags", "[\"map\",\"string\"]", false, false),
            ],
            block_types: vec![v5::NestedBlock {
                type_name: "ingress".into(),
                block: Some(v5::Block {
                    attributes: vec![attr5("from_port", "\"number\"", true, false)],
                    ..Default::default()
                }),
                nesting: 3,
                min_items: 0,
                max_items: 0,
            }],
            ..Default::default()
        };
        let s = block(&b).unwrap();
        assert!(s.attributes["id"].computed);
        assert_eq!(s.attributes["tags"].ty, Type::map(Type::String));
        assert_eq!(s.blocks["ingress"].nesting, Nesting::Set);
        assert_eq!(s.blocks["ingress"].max_items, None);
        assert!(s.blocks["ingress"].schema.attributes["from_port"].required);
    }

    #[test]
    fn nested_attributes_become_object_types_with_optional_attributes() {
        let o = wire::Object {
            attributes: vec![
                v6::Attribute {
                    name: "a".into(),
                    r#type: b"\"string\"".to_vec(),
                    required: true,
                    ..Default::default()
                },
                v6::Attribute {
                    name: "b".into(),
                    r#type: b"\"number\"".to_vec(),
                    optional: true,
                    ..Default::default()
                },
            ],
            nesting: 2,
        };
        let ty = object_type(&o).unwrap();
        let Type::List(inner) = ty else { panic!("a list") };
        let Type::Object(obj) = &*inner else { panic!("an object") };
        assert_eq!(obj.optional.iter().collect::<Vec<_>>(), ["b"]);
    }

    #[test]
    fn a_map_nested_block_is_refused_by_name() {
        let b = v6::Block {
            block_types: vec![v6::NestedBlock { type_name: "rule".into(), nesting: 4, ..Default::default() }],
            ..Default::default()
        };
        assert!(block(&b).unwrap_err().contains("rule is nested as a map"));
    }
}
