//! Decoding a block body (resource, data source or provider) against a schema into an
//! object value of the schema's type: arguments converted to their types, absent ones null,
//! nested and `dynamic` blocks expanded, unsupported and missing arguments reported.

use super::Evaluator;
use crate::config::{BlockBody, Expr};
use crate::cty::{Type, Value, convert};
use crate::diag::{Diagnostic, Diagnostics, SourceRange, did_you_mean};
use crate::hcl::ast::{Block, Body};
use crate::schema::{Nesting, Schema};
use std::collections::BTreeMap;

/// Decodes `body` against `schema`. `header` is the block's header, where missing
/// arguments are reported. Returns the object value (every schema attribute present, null
/// when unset) and the diagnostics; on errors the value is still as complete as possible.
pub fn decode_body(
    ev: &mut Evaluator<'_>,
    body: &BlockBody,
    schema: &Schema,
    header: &SourceRange,
) -> (Value, Diagnostics) {
    let mut diags = Diagnostics::new();
    let d = Decoder { body };
    let v = d.decode(ev, &body.body, schema, header, &mut diags);
    (v, diags)
}

struct Decoder<'b> {
    body: &'b BlockBody,
}

#[derive(Default)]
struct BlockValues {
    items: Vec<Value>,
    unknown: bool,
    ranges: Vec<SourceRange>,
}

impl Decoder<'_> {
    /// A block type written as an argument (`ingress = [ ... ]`, see
    /// [`crate::schema::NestedBlock::attribute_syntax`]): the list (or set) of objects, each
    /// converted to the block's object type, as Terraform converts it (every attribute given).
    fn blocks_as_attribute(
        &self,
        ev: &mut Evaluator<'_>,
        a: &crate::hcl::ast::Attribute,
        nested: &crate::schema::NestedBlock,
        entry: &mut BlockValues,
        diags: &mut Diagnostics,
    ) {
        let ety = nested.schema.value_type();
        let ty = match nested.nesting {
            Nesting::Set => Type::set(ety),
            _ => Type::list(ety),
        };
        let v = match ev.eval(&self.expr(&a.expr)) {
            Ok(v) => v,
            Err(d) => {
                diags.extend(d);
                entry.unknown = true;
                return;
            }
        };
        match convert::convert(v, &ty) {
            Ok(v) if !v.is_known() => entry.unknown = true,
            Ok(v) => entry.items.extend(v.as_seq().map(<[Value]>::to_vec).unwrap_or_default()),
            Err(err) => {
                diags.push(
                    Diagnostic::error(
                        "Incorrect attribute value type",
                        format!("Inappropriate value for attribute \"{}\": {}.", a.name, err.message),
                    )
                    .at(self.range(&a.expr.span)),
                );
                entry.unknown = true;
            }
        }
    }

    fn range(&self, span: &crate::hcl::Span) -> SourceRange {
        SourceRange::new(self.body.file, span.clone())
    }

    fn expr(&self, e: &crate::hcl::ast::Expr) -> Expr {
        Expr::new(self.body.file, e.clone(), &self.body.source)
    }

    fn decode(
        &self,
        ev: &mut Evaluator<'_>,
        body: &Body,
        schema: &Schema,
        header: &SourceRange,
        diags: &mut Diagnostics,
    ) -> Value {
        let mut out = BTreeMap::new();
        let mut blocks: crate::IndexMap<&str, BlockValues> = crate::IndexMap::default();
        // Attributes of list or set of object type written as blocks (Terraform's
        // `blocktoattr`, for providers whose SDK declares blocks that way).
        let mut attr_blocks: crate::IndexMap<String, BlockValues> = crate::IndexMap::default();
        for a in &body.attributes {
            let name = a.name.as_str();
            if let Some((key, nested)) = schema.blocks.get_key_value(name).filter(|(_, b)| b.attribute_syntax) {
                let entry = blocks.entry(key.as_str()).or_default();
                entry.ranges.push(self.range(&a.name_span));
                self.blocks_as_attribute(ev, a, nested, entry, diags);
                continue;
            }
            let Some(attr) = schema.attributes.get(name) else {
                let detail = if schema.blocks.contains_key(name) {
                    format!(
                        "An argument named \"{name}\" is not expected here. Did you mean to define a block of type \"{name}\"?"
                    )
                } else {
                    let hint = did_you_mean(name, schema.attributes.keys().map(String::as_str)).unwrap_or_default();
                    format!("An argument named \"{name}\" is not expected here.{hint}")
                };
                diags.push(Diagnostic::error("Unsupported argument", detail).at(self.range(&a.name_span)));
                continue;
            };
            if attr.computed && !attr.optional && !attr.required {
                diags.push(
                    Diagnostic::error(
                        "Value for unconfigurable attribute",
                        format!("Can't configure a value for \"{name}\": its value will be decided automatically based on the result of applying this configuration."),
                    )
                    .at(self.range(&a.name_span)),
                );
                continue;
            }
            let v = match ev.eval(&self.expr(&a.expr)) {
                Ok(v) => match convert::convert(v, &attr.ty) {
                    Ok(v) => v,
                    Err(err) => {
                        diags.push(
                            Diagnostic::error(
                                "Incorrect attribute value type",
                                format!("Inappropriate value for attribute \"{name}\": {}.", err.message),
                            )
                            .at(self.range(&a.expr.span)),
                        );
                        Value::unknown(attr.ty.clone())
                    }
                },
                Err(d) => {
                    diags.extend(d);
                    Value::unknown(attr.ty.clone())
                }
            };
            out.insert(name.to_string(), v);
        }
        for b in &body.blocks {
            if b.ty == "dynamic" {
                let Some(label) = b.labels.first() else {
                    diags.push(
                        Diagnostic::error(
                            "Invalid dynamic block",
                            "A dynamic block takes one label: the type of block to generate.",
                        )
                        .at(self.range(&b.header_span())),
                    );
                    continue;
                };
                let Some((name, nested)) = schema.blocks.get_key_value(label.as_str()) else {
                    if let Some(inner) = block_attribute(schema, label) {
                        let entry = attr_blocks.entry(label.clone()).or_default();
                        match self.expand_dynamic(ev, b, &inner, diags) {
                            Some(values) => entry.items.extend(values),
                            None => entry.unknown = true,
                        }
                        continue;
                    }
                    diags.push(self.unsupported_block(b, label, schema));
                    continue;
                };
                let entry = blocks.entry(name.as_str()).or_default();
                match self.expand_dynamic(ev, b, &nested.schema, diags) {
                    Some(values) => entry.items.extend(values),
                    None => entry.unknown = true,
                }
                entry.ranges.push(self.range(&b.header_span()));
                continue;
            }
            let Some((key, nested)) = schema.blocks.get_key_value(b.ty.as_str()) else {
                if let Some(inner) = block_attribute(schema, &b.ty) {
                    let h = self.range(&b.header_span());
                    let v = self.decode(ev, &b.body, &inner, &h, diags);
                    attr_blocks.entry(b.ty.clone()).or_default().items.push(v);
                    continue;
                }
                diags.push(self.unsupported_block(b, &b.ty, schema));
                continue;
            };
            if !b.labels.is_empty() {
                diags.push(
                    Diagnostic::error("Extraneous label", format!("A \"{}\" block takes no labels.", b.ty))
                        .at(self.range(&b.header_span())),
                );
            }
            let h = self.range(&b.header_span());
            let v = self.decode(ev, &b.body, &nested.schema, &h, diags);
            let entry = blocks.entry(key.as_str()).or_default();
            entry.items.push(v);
            entry.ranges.push(h);
        }
        for (name, entry) in attr_blocks {
            let Some(attr) = schema.attributes.get(&name) else { continue };
            if out.contains_key(&name) {
                diags.push(
                    Diagnostic::error(
                        "Duplicate argument",
                        format!(
                            "The argument \"{name}\" is given both as an argument and as blocks; use one or the other."
                        ),
                    )
                    .at(header.clone()),
                );
                continue;
            }
            let v = if entry.unknown {
                Value::unknown(attr.ty.clone())
            } else if entry.items.is_empty() {
                // `dynamic` blocks that made none: the attribute is left unset, as Terraform
                // leaves it (so a computed one stays the provider's to decide).
                continue;
            } else {
                let ety = attr.ty.element_type().cloned().unwrap_or(Type::Dynamic);
                let items = entry.items.into_iter().map(|i| convert::convert(i.clone(), &ety).unwrap_or(i)).collect();
                if attr.ty.is_set() { Value::set(ety, items) } else { Value::list(ety, items) }
            };
            out.insert(name, v);
        }
        for (name, attr) in &schema.attributes {
            if !out.contains_key(name) {
                if attr.required {
                    diags.push(
                        Diagnostic::error(
                            "Missing required argument",
                            format!("The argument \"{name}\" is required, but no definition was found."),
                        )
                        .at(header.clone()),
                    );
                }
                out.insert(name.clone(), Value::null(attr.ty.clone()));
            }
        }
        for (name, nested) in &schema.blocks {
            let entry = blocks.shift_remove(name.as_str()).unwrap_or_default();
            let ety = nested.schema.value_type();
            if entry.unknown {
                let ty = match nested.nesting {
                    Nesting::Single => ety,
                    Nesting::List => Type::list(ety),
                    Nesting::Set => Type::set(ety),
                };
                out.insert(name.clone(), Value::unknown(ty));
                continue;
            }
            let n = entry.items.len();
            if n < nested.min_items {
                diags.push(
                    Diagnostic::error(
                        "Insufficient blocks",
                        format!(
                            "At least {} \"{name}\" block{} required.",
                            nested.min_items,
                            if nested.min_items == 1 { " is" } else { "s are" }
                        ),
                    )
                    .at(header.clone()),
                );
            }
            if let Some(max) = nested.max_items
                && n > max
            {
                diags.push(
                    Diagnostic::error(
                        "Too many blocks",
                        format!(
                            "No more than {max} \"{name}\" block{} allowed.",
                            if max == 1 { " is" } else { "s are" }
                        ),
                    )
                    .at(entry.ranges.get(max).cloned().unwrap_or_else(|| header.clone())),
                );
            }
            let v = match nested.nesting {
                Nesting::Single => entry.items.into_iter().next().unwrap_or(Value::null(ety)),
                Nesting::List => Value::list(ety, entry.items),
                Nesting::Set => Value::set(ety, entry.items),
            };
            out.insert(name.clone(), v);
        }
        Value::object_from_map(out)
    }

    fn unsupported_block(&self, b: &Block, name: &str, schema: &Schema) -> Diagnostic {
        let detail = if schema.attributes.contains_key(name) {
            format!(
                "Blocks of type \"{name}\" are not expected here. Did you mean to define argument \"{name}\"? If so, use the equals sign to assign it a value."
            )
        } else {
            let hint = did_you_mean(name, schema.blocks.keys().map(String::as_str)).unwrap_or_default();
            format!("Blocks of type \"{name}\" are not expected here.{hint}")
        };
        Diagnostic::error("Unsupported block type", detail).at(self.range(&b.header_span()))
    }

    /// Expands a `dynamic` block into one value per element of its `for_each`; `None` when
    /// the collection is not known yet.
    fn expand_dynamic(
        &self,
        ev: &mut Evaluator<'_>,
        b: &Block,
        schema: &Schema,
        diags: &mut Diagnostics,
    ) -> Option<Vec<Value>> {
        let header = self.range(&b.header_span());
        let iterator = dynamic_iterator(b);
        let mut for_each = None;
        for a in &b.body.attributes {
            match a.name.as_str() {
                "for_each" => for_each = Some(a),
                "iterator" | "labels" => {}
                other => diags.push(
                    Diagnostic::error(
                        "Unsupported argument",
                        format!("An argument named \"{other}\" is not expected in a dynamic block."),
                    )
                    .at(self.range(&a.name_span)),
                ),
            }
        }
        let mut content = None;
        for c in &b.body.blocks {
            if c.ty == "content" {
                content = Some(c);
            } else {
                diags.push(
                    Diagnostic::error("Unsupported block type", "A dynamic block takes only a content block.")
                        .at(self.range(&c.header_span())),
                );
            }
        }
        let (Some(for_each), Some(content)) = (for_each, content) else {
            diags.push(
                Diagnostic::error(
                    "Invalid dynamic block",
                    "A dynamic block needs a for_each argument and a content block.",
                )
                .at(header),
            );
            return Some(Vec::new());
        };
        let coll = match ev.eval(&self.expr(&for_each.expr)) {
            Ok(v) => v,
            Err(d) => {
                diags.extend(d);
                return Some(Vec::new());
            }
        };
        let range = self.range(&for_each.expr.span);
        let (coll, marked) = coll.into_unmarked();
        if marked {
            diags.push(
                Diagnostic::error(
                    "Invalid dynamic for_each value",
                    "Cannot use a value marked as sensitive in for_each: the number of blocks would disclose it.",
                )
                .at(range),
            );
            return Some(Vec::new());
        }
        if coll.is_null() {
            diags.push(
                Diagnostic::error("Invalid dynamic for_each value", "Cannot use a null value in for_each.").at(range),
            );
            return Some(Vec::new());
        }
        if !coll.is_known() {
            return None;
        }
        if !coll.can_iterate_elements() {
            diags.push(
                Diagnostic::error(
                    "Invalid dynamic for_each value",
                    format!("Cannot use a {} value in for_each. An iterable collection is required.", coll.type_name()),
                )
                .at(range),
            );
            return Some(Vec::new());
        }
        if !crate::cty::ops::length(&coll).is_known() {
            return None;
        }
        let mut out = Vec::new();
        let h = self.range(&content.header_span());
        for (k, v) in coll.elements() {
            let it = Value::object([("key", k), ("value", v)]);
            let value = ev.with_bound(&iterator, it, |ev| self.decode(ev, &content.body, schema, &h, diags));
            out.push(value);
        }
        Some(out)
    }
}

/// The iterator name of a `dynamic` block (its `iterator` argument, or its label).
pub fn dynamic_iterator(b: &Block) -> String {
    if let Some(a) = b.body.attribute("iterator")
        && let Some(name) = a.expr.as_keyword()
    {
        return name.to_string();
    }
    b.labels.first().cloned().unwrap_or_default()
}

/// Terraform's `blocktoattr`: an attribute whose type is a list or set of objects may be
/// written as blocks, each block an object whose attributes are all optional. The schema of
/// such a block, when `name` is such an attribute.
fn block_attribute(schema: &Schema, name: &str) -> Option<Schema> {
    let attr = schema.attributes.get(name)?;
    if attr.computed && !attr.optional && !attr.required {
        return None;
    }
    let Some(Type::Object(o)) = attr.ty.element_type().filter(|_| attr.ty.is_list() || attr.ty.is_set()) else {
        return None;
    };
    let mut s = Schema::new();
    for (k, t) in &o.attrs {
        s = s.attr(k, crate::schema::Attribute::optional(t.clone()));
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::EmptyScope;
    use crate::schema::{Attribute, NestedBlock};

    fn schema() -> Schema {
        Schema::new().block(
            "rule",
            NestedBlock::set(
                Schema::new()
                    .attr("port", Attribute::optional(Type::Number))
                    .attr("note", Attribute::optional(Type::String)),
            )
            .with_attribute_syntax(),
        )
    }

    fn decode(body: &str) -> (Value, Diagnostics) {
        let src = format!("resource \"t\" \"x\" {{\n{body}\n}}\n");
        let (config, diags) = crate::config::load_sources(vec![("main.tf".into(), src)]);
        assert!(!diags.has_errors(), "{diags}");
        let r = config.resources.values().next().unwrap();
        decode_body(&mut Evaluator::new(&EmptyScope, std::path::Path::new(".")), &r.body, &schema(), &r.range)
    }

    /// A block type with the plugin SDK's attribute syntax is the same written either way;
    /// `[]` is no blocks; an object that leaves an attribute out is refused, as Terraform
    /// refuses it (the attribute form takes every attribute).
    #[test]
    fn blocks_written_as_an_argument() {
        let (blocks, d) = decode("rule {\n port = 22\n note = \"ssh\"\n}\nrule {\n port = 80\n note = null\n}");
        assert!(!d.has_errors(), "{d}");
        let (attr, d) = decode("rule = [{ port = 22, note = \"ssh\" }, { port = 80, note = null }]");
        assert!(!d.has_errors(), "{d}");
        assert_eq!(attr, blocks);
        let (none, d) = decode("rule = []");
        assert!(!d.has_errors(), "{d}");
        assert_eq!(none.get_attr("rule").and_then(|v| v.length_int()), Some(0));
        let (_, d) = decode("rule = [{ port = 22 }]");
        assert!(d.has_errors());
        let text = d.to_string();
        assert!(text.contains("Inappropriate value for attribute \"rule\"") && text.contains("note"), "{text}");
    }

    /// Terraform's `blocktoattr`: an attribute of list or set of object type (hashicorp/aws's
    /// `aws_network_acl.egress`, declared so by the plugin SDK) may be written as blocks, each
    /// leaving out what it does not set; left out altogether, it is null, not empty.
    #[test]
    fn an_attribute_of_objects_written_as_blocks() {
        let rule = Type::object_from([("port", Type::Number), ("note", Type::String)]);
        let schema = Schema::new()
            .attr("egress", Attribute::optional_computed(Type::set(rule.clone())))
            .attr("ingress", Attribute::optional_computed(Type::set(rule)));
        let decode = |body: &str| {
            let src = format!("resource \"t\" \"x\" {{\n{body}\n}}\n");
            let (config, diags) = crate::config::load_sources(vec![("main.tf".into(), src)]);
            assert!(!diags.has_errors(), "{diags}");
            let r = config.resources.values().next().unwrap();
            decode_body(&mut Evaluator::new(&EmptyScope, std::path::Path::new(".")), &r.body, &schema, &r.range)
        };
        let (v, d) = decode("egress {\n port = 443\n}\negress {\n port = 80\n note = \"http\"\n}");
        assert!(!d.has_errors(), "{d}");
        let egress = v.get_attr("egress").unwrap();
        assert_eq!(egress.length_int(), Some(2));
        assert!(egress.as_seq().unwrap().iter().any(|r| r.get_attr("note").is_some_and(Value::is_null)));
        assert!(v.get_attr("ingress").unwrap().is_null());
        let (_, d) = decode("egress {\n port = 1\n}\negress = []");
        assert!(d.to_string().contains("both as an argument and as blocks"), "{d}");
    }
}
