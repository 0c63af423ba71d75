//! Decoding a block body (resource, data source or provider) against a schema into an
//! object value: arguments converted to their types, nested and `dynamic` blocks expanded,
//! unknown and missing arguments reported.

use super::Evaluator;
use crate::config::Expr;
use crate::diag::{Diagnostic, Diagnostics, FileId, SourceRange, did_you_mean};
use crate::schema::{Nesting, Schema};
use crate::types::convert;
use crate::value::{Value, ValueMap};
use hcl_edit::Span;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body, Structure};

/// Decodes `body` against `schema`. `header` is the block's header, where missing
/// arguments are reported. Returns the object value (every schema attribute present, null
/// when unset) and the diagnostics; on errors the value is still as complete as possible.
pub fn decode_body(
    ev: &mut Evaluator<'_>,
    file: FileId,
    body: &Body,
    schema: &Schema,
    header: &SourceRange,
) -> (Value, Diagnostics) {
    let mut diags = Diagnostics::new();
    let v = decode(ev, file, body, schema, header, &mut diags);
    (v, diags)
}

fn span_range(file: FileId, s: &impl Span) -> SourceRange {
    SourceRange::new(file, s.span().unwrap_or(0..0))
}

fn block_header(file: FileId, b: &Block) -> SourceRange {
    let start = b.ident.span().map_or(0, |s| s.start);
    let end = b.labels.last().and_then(|l| l.span()).or_else(|| b.ident.span()).map_or(start, |s| s.end);
    SourceRange::new(file, start..end)
}

fn decode(
    ev: &mut Evaluator<'_>,
    file: FileId,
    body: &Body,
    schema: &Schema,
    header: &SourceRange,
    diags: &mut Diagnostics,
) -> Value {
    let mut out = ValueMap::new();
    let mut blocks: indexmap::IndexMap<&str, BlockValues> = indexmap::IndexMap::new();
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let name = a.key.as_str();
                let Some(attr) = schema.attributes.get(name) else {
                    let detail = if schema.blocks.contains_key(name) {
                        format!(
                            "An argument named \"{name}\" is not expected here. Did you mean to define a block of type \"{name}\"?"
                        )
                    } else {
                        let hint = did_you_mean(name, schema.attributes.keys().map(String::as_str)).unwrap_or_default();
                        format!("An argument named \"{name}\" is not expected here.{hint}")
                    };
                    diags.push(Diagnostic::error("Unsupported argument", detail).at(span_range(file, &a.key)));
                    continue;
                };
                if attr.computed && !attr.optional && !attr.required {
                    diags.push(
                        Diagnostic::error(
                            "Value for unconfigurable attribute",
                            format!("Can't configure a value for \"{name}\": its value will be decided automatically based on the result of applying this configuration."),
                        )
                        .at(span_range(file, &a.key)),
                    );
                    continue;
                }
                if out.contains_key(name) {
                    diags.push(
                        Diagnostic::error("Attribute redefined", format!("The argument \"{name}\" was already set."))
                            .at(span_range(file, &a.key)),
                    );
                    continue;
                }
                let e = Expr { file, expr: a.value.clone() };
                match ev.eval(&e) {
                    Ok(v) => match convert(v, &attr.ty) {
                        Ok(v) => {
                            out.insert(name.to_string(), v);
                        }
                        Err(err) => {
                            diags.push(
                                Diagnostic::error(
                                    "Incorrect attribute value type",
                                    format!("Inappropriate value for attribute \"{name}\": {err}."),
                                )
                                .at(span_range(file, &a.value)),
                            );
                            out.insert(name.to_string(), Value::Unknown);
                        }
                    },
                    Err(d) => {
                        diags.push(d);
                        out.insert(name.to_string(), Value::Unknown);
                    }
                }
            }
            Structure::Block(b) if b.ident.as_str() == "dynamic" => {
                let Some(label) = b.labels.first() else {
                    diags.push(
                        Diagnostic::error(
                            "Invalid dynamic block",
                            "A dynamic block takes one label: the type of block to generate.",
                        )
                        .at(block_header(file, b)),
                    );
                    continue;
                };
                let Some((name, nested)) = schema.blocks.get_key_value(label.as_str()) else {
                    diags.push(unsupported_block(file, b, label.as_str(), schema));
                    continue;
                };
                let entry = blocks.entry(name.as_str()).or_default();
                if let Some(values) = expand_dynamic(ev, file, b, &nested.schema, diags) {
                    entry.items.extend(values);
                } else {
                    entry.unknown = true;
                }
                entry.ranges.push(block_header(file, b));
            }
            Structure::Block(b) => {
                let name = b.ident.as_str();
                let Some((key, nested)) = schema.blocks.get_key_value(name) else {
                    diags.push(unsupported_block(file, b, name, schema));
                    continue;
                };
                if !b.labels.is_empty() {
                    diags.push(
                        Diagnostic::error("Extraneous label", format!("A \"{name}\" block takes no labels."))
                            .at(block_header(file, b)),
                    );
                }
                let h = block_header(file, b);
                let v = decode(ev, file, &b.body, &nested.schema, &h, diags);
                let entry = blocks.entry(key.as_str()).or_default();
                entry.items.push(v);
                entry.ranges.push(h);
            }
        }
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
            out.insert(name.clone(), Value::Null);
        }
    }
    for (name, nested) in &schema.blocks {
        let entry = blocks.shift_remove(name.as_str()).unwrap_or_default();
        if entry.unknown {
            out.insert(name.clone(), Value::Unknown);
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
                    format!("No more than {max} \"{name}\" block{} allowed.", if max == 1 { " is" } else { "s are" }),
                )
                .at(entry.ranges.get(max).cloned().unwrap_or_else(|| header.clone())),
            );
        }
        let v = match nested.nesting {
            Nesting::Single => entry.items.into_iter().next().unwrap_or(Value::Null),
            Nesting::List => Value::List(entry.items),
            Nesting::Set => Value::set(entry.items),
        };
        out.insert(name.clone(), v);
    }
    Value::Map(out)
}

#[derive(Default)]
struct BlockValues {
    items: Vec<Value>,
    unknown: bool,
    ranges: Vec<SourceRange>,
}

fn unsupported_block(file: FileId, b: &Block, name: &str, schema: &Schema) -> Diagnostic {
    let detail = if schema.attributes.contains_key(name) {
        format!(
            "Blocks of type \"{name}\" are not expected here. Did you mean to define argument \"{name}\"? If so, use the equals sign to assign it a value."
        )
    } else {
        let hint = did_you_mean(name, schema.blocks.keys().map(String::as_str)).unwrap_or_default();
        format!("Blocks of type \"{name}\" are not expected here.{hint}")
    };
    Diagnostic::error("Unsupported block type", detail).at(block_header(file, b))
}

/// The iterator name of a `dynamic` block (its `iterator` argument, or its label).
pub fn dynamic_iterators(b: &Block) -> String {
    for s in b.body.iter() {
        if let Structure::Attribute(a) = s
            && a.key.as_str() == "iterator"
            && let Expression::Variable(v) = &a.value
        {
            return v.as_str().to_string();
        }
    }
    b.labels.first().map(|l| l.as_str().to_string()).unwrap_or_default()
}

/// Expands a `dynamic` block into one value per element of its `for_each`; `None` when the
/// collection is not known yet.
fn expand_dynamic(
    ev: &mut Evaluator<'_>,
    file: FileId,
    b: &Block,
    schema: &Schema,
    diags: &mut Diagnostics,
) -> Option<Vec<Value>> {
    let header = block_header(file, b);
    let iterator = dynamic_iterators(b);
    let mut for_each = None;
    let mut content = None;
    for s in b.body.iter() {
        match s {
            Structure::Attribute(a) => match a.key.as_str() {
                "for_each" => for_each = Some(a),
                "iterator" | "labels" => {}
                other => diags.push(
                    Diagnostic::error(
                        "Unsupported argument",
                        format!("An argument named \"{other}\" is not expected in a dynamic block."),
                    )
                    .at(span_range(file, &a.key)),
                ),
            },
            Structure::Block(c) if c.ident.as_str() == "content" => content = Some(c),
            Structure::Block(c) => diags.push(
                Diagnostic::error("Unsupported block type", "A dynamic block takes only a content block.")
                    .at(block_header(file, c)),
            ),
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
    let coll = match ev.eval(&Expr { file, expr: for_each.value.clone() }) {
        Ok(v) => v,
        Err(d) => {
            diags.push(d);
            return Some(Vec::new());
        }
    };
    let (coll, marked) = coll.into_unmarked();
    if marked {
        diags.push(
            Diagnostic::error(
                "Invalid dynamic for_each value",
                "Sensitive values cannot be used as the for_each of a dynamic block: the number of blocks would disclose them.",
            )
            .at(span_range(file, &for_each.value)),
        );
        return Some(Vec::new());
    }
    let pairs: Vec<(Value, Value)> = match coll {
        Value::Unknown => return None,
        Value::Null => {
            diags.push(
                Diagnostic::error("Invalid dynamic for_each value", "Cannot use a null value in for_each.")
                    .at(span_range(file, &for_each.value)),
            );
            return Some(Vec::new());
        }
        Value::List(items) => items.into_iter().enumerate().map(|(i, v)| (Value::from(i), v)).collect(),
        Value::Set(items) => items.into_iter().map(|v| (v.clone(), v)).collect(),
        Value::Map(m) => m.into_iter().map(|(k, v)| (Value::String(k), v)).collect(),
        other => {
            diags.push(
                Diagnostic::error(
                    "Invalid dynamic for_each value",
                    format!(
                        "Cannot use a {} value in for_each. An iterable collection is required.",
                        other.type_name()
                    ),
                )
                .at(span_range(file, &for_each.value)),
            );
            return Some(Vec::new());
        }
    };
    let mut out = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        let it = Value::object([("key", k), ("value", v)]);
        let h = block_header(file, content);
        let value = ev.with_bound(&iterator, it, |ev| decode(ev, file, &content.body, schema, &h, diags));
        out.push(value);
    }
    Some(out)
}
