//! `ignore_changes`: Terraform's `processIgnoreChanges` (plan and apply) and the static
//! validation of its paths against the schema (validate).

use crate::config::{IgnoreChanges, Resource};
use crate::diag::{Diagnostic, Diagnostics};
use crate::value::Value;

/// Terraform's `processIgnoreChanges`: the configuration with ignored changes replaced by the
/// prior values. `all`: the prior object with the attributes only the provider decides
/// nulled. Paths: Terraform's `processIgnoreChangesIndividual`, including its quirk that an
/// ignored key of an object (not a map) ignores the whole object.
pub(crate) fn apply_ignore_changes(
    ic: &IgnoreChanges,
    schema: &crate::schema::Schema,
    prior: &Value,
    config: Value,
) -> Value {
    match ic {
        IgnoreChanges::None => config,
        _ if prior.is_null() || config.is_null() => config,
        IgnoreChanges::All => null_computed_only(prior.clone(), schema),
        IgnoreChanges::Paths(paths) => ignore_changes_individual(prior, config, paths),
    }
}

/// The prior value with every attribute that is computed and not optional set to null.
fn null_computed_only(v: Value, schema: &crate::schema::Schema) -> Value {
    use crate::value::PathStep;
    if v.is_null() || !v.is_known() {
        return v;
    }
    let mut out = v.clone();
    for (name, a) in &schema.attributes {
        if a.computed && !a.optional {
            out.set_at_path(&[PathStep::Attr(name.clone())], Value::Null(a.ty.clone()));
        }
    }
    for (name, b) in &schema.blocks {
        let Some(inner) = v.get_attr(name) else { continue };
        let (inner, m) = inner.clone().unmark();
        let fixed = match &inner {
            Value::List(s) => {
                Value::list(s.ety.clone(), s.items.iter().map(|i| null_computed_only(i.clone(), &b.schema)).collect())
            }
            Value::Set(s) => {
                Value::set(s.ety.clone(), s.items.iter().map(|i| null_computed_only(i.clone(), &b.schema)).collect())
            }
            Value::Object(_) => null_computed_only(inner.clone(), &b.schema),
            _ => inner.clone(),
        };
        out.set_at_path(&[PathStep::Attr(name.clone())], fixed.with_marks(m));
    }
    out
}

/// cty's `Path.Apply`: the value at `path`, `None` where cty reports an error (an attribute
/// of what is not an object, a string key of what is not a map, a missing key, a null).
fn cty_path_apply(v: &Value, path: &[crate::value::PathStep]) -> Option<Value> {
    use crate::cty::Type;
    use crate::value::PathStep;
    let mut cur = v.clone();
    for step in path {
        if cur.is_null() {
            return None;
        }
        let ty = cur.ty();
        cur = match step {
            PathStep::Attr(name) => {
                let Type::Object(o) = &ty else { return None };
                o.attrs.get(name)?;
                crate::cty::ops::get_attr(&cur, name)?
            }
            PathStep::Key(k) => {
                if !matches!(ty, Type::Map(_)) {
                    return None;
                }
                if !cur.is_known() {
                    return Some(Value::DYNAMIC);
                }
                let (inner, m) = cur.unmark();
                inner.as_map()?.get(k)?.clone().with_marks(m)
            }
            PathStep::Index(i) => {
                if !matches!(ty, Type::List(_) | Type::Tuple(_)) {
                    return None;
                }
                if !cur.is_known() {
                    return Some(Value::DYNAMIC);
                }
                let (inner, m) = cur.unmark();
                let item = match &inner {
                    Value::List(s) => s.items.get(*i)?.clone(),
                    Value::Tuple(items) => items.get(*i)?.clone(),
                    _ => return None,
                };
                item.with_marks(m)
            }
        };
    }
    Some(cur)
}

struct Ignored {
    path: Vec<crate::value::PathStep>,
    value: Value,
    key: Option<String>,
}

fn ignore_changes_individual(prior: &Value, config: Value, paths: &[crate::config::IgnorePath]) -> Value {
    use crate::value::PathStep;
    let mut ignored = Vec::new();
    for ip in paths {
        let mut path = ip.path.clone();
        let mut key = None;
        if let Some(PathStep::Key(k)) = path.last() {
            key = Some(k.clone());
            path.pop();
        }
        let (Some(p), Some(c)) = (cty_path_apply(prior, &path), cty_path_apply(&config, &path)) else { continue };
        if p != c {
            ignored.push(Ignored { path, value: p, key });
        }
    }
    if ignored.is_empty() {
        return config;
    }
    transform_ignored(config, &mut Vec::new(), &ignored)
}

/// cty's `Transform` (children first) with the callback of `processIgnoreChangesIndividual`.
fn transform_ignored(v: Value, path: &mut Vec<crate::value::PathStep>, ignored: &[Ignored]) -> Value {
    use crate::value::PathStep;
    let (inner, m) = v.unmark();
    let rebuilt = match inner {
        Value::Object(attrs) => Value::object(attrs.iter().map(|(k, x)| {
            path.push(PathStep::Attr(k.clone()));
            let x = transform_ignored(x.clone(), path, ignored);
            path.pop();
            (k.clone(), x)
        })),
        Value::Map(mdata) => {
            let items = mdata
                .items
                .iter()
                .map(|(k, x)| {
                    path.push(PathStep::Key(k.clone()));
                    let x = transform_ignored(x.clone(), path, ignored);
                    path.pop();
                    (k.clone(), x)
                })
                .collect();
            Value::map(mdata.ety.clone(), items)
        }
        Value::List(s) => Value::list(s.ety.clone(), transform_items(&s.items, path, ignored)),
        Value::Tuple(items) => Value::tuple(transform_items(&items, path, ignored)),
        other => other,
    };
    ignore_at(rebuilt.with_marks(m), path, ignored)
}

/// The elements of a list or tuple, transformed at their indexes.
fn transform_items(items: &[Value], path: &mut Vec<crate::value::PathStep>, ignored: &[Ignored]) -> Vec<Value> {
    items
        .iter()
        .enumerate()
        .map(|(i, x)| {
            path.push(crate::value::PathStep::Index(i));
            let x = transform_ignored(x.clone(), path, ignored);
            path.pop();
            x
        })
        .collect()
}

fn ignore_at(v: Value, path: &[crate::value::PathStep], ignored: &[Ignored]) -> Value {
    use crate::cty::Type;
    let Type::Map(ety) = v.ty() else {
        return ignored.iter().find(|i| i.path == path).map_or(v, |i| i.value.clone());
    };
    if !v.is_null() && !v.is_known() {
        return v;
    }
    let (inner, vmarks) = v.unmark();
    let mut config_map = match &inner {
        Value::Map(mdata) => mdata.items.clone(),
        _ => Default::default(),
    };
    for ig in ignored.iter().filter(|i| i.path == path) {
        let Some(key) = &ig.key else { return ig.value.clone() };
        let (prior, _) = ig.value.clone().unmark();
        match prior.as_map().and_then(|m| m.get(key)) {
            Some(e) => {
                config_map.insert(key.clone(), e.clone());
            }
            None => {
                config_map.remove(key);
            }
        }
    }
    let new = if !config_map.is_empty() {
        Value::map((*ety).clone(), config_map)
    } else if inner.is_null() {
        inner
    } else {
        Value::map((*ety).clone(), Default::default())
    };
    new.with_marks(vmarks)
}

/// A resource's `ignore_changes` checked against its schema, as Terraform's validate walk does:
/// each path must exist (`StaticValidateTraversal`), and one naming an attribute only the
/// provider decides (computed, not optional) is warned about, at the resource's type.
pub(crate) fn validate_ignore_changes(res: &Resource, schema: &crate::schema::Schema) -> Diagnostics {
    let mut diags = Diagnostics::new();
    if let IgnoreChanges::Paths(paths) = &res.lifecycle.ignore_changes {
        for ip in paths {
            static_validate_traversal(schema, &ip.path, &ip.ranges, &mut diags);
            if diags.has_errors() {
                continue;
            }
            if let Some(a) = attribute_by_path(schema, &ip.path)
                && a.computed
                && !a.optional
            {
                diags.push(
                    Diagnostic::warning(
                        "Redundant ignore_changes element",
                        format!(
                            "Adding an attribute name to ignore_changes tells terrane to ignore future changes to the argument in configuration after the object has been created, retaining the value originally configured.\n\nThe attribute {} is decided by the provider alone and therefore there can be no configured value to compare with. Including this attribute in ignore_changes has no effect. Remove the attribute from ignore_changes to quiet this warning.",
                            crate::value::path_to_string(&ip.path)
                        ),
                    )
                    .at(res.type_range.clone()),
                );
            }
        }
    }
    diags
}

/// The attribute a path names, through nested blocks (Terraform's `Block.AttributeByPath`;
/// index steps are passed over).
fn attribute_by_path<'s>(
    schema: &'s crate::schema::Schema,
    path: &[crate::value::PathStep],
) -> Option<&'s crate::schema::Attribute> {
    let mut block = schema;
    for (i, step) in path.iter().enumerate() {
        let crate::value::PathStep::Attr(name) = step else { continue };
        if let Some(a) = block.attributes.get(name) {
            return (i + 1 == path.len()).then_some(a);
        }
        block = &block.blocks.get(name)?.schema;
    }
    None
}

fn static_validate_traversal(
    schema: &crate::schema::Schema,
    path: &[crate::value::PathStep],
    ranges: &[crate::diag::SourceRange],
    diags: &mut Diagnostics,
) {
    use crate::lang::eval::traverse;
    use crate::schema::Nesting;
    use crate::value::PathStep;
    let Some((first, after)) = path.split_first() else { return };
    let range = ranges.first().cloned();
    let at = |d: Diagnostic| match &range {
        Some(r) => d.at(r.clone()),
        None => d,
    };
    let name = match first {
        PathStep::Attr(n) => n,
        PathStep::Key(k) if crate::hcl::valid_identifier(k) => {
            diags.push(at(Diagnostic::error(
                "Invalid index operation",
                format!(
                    "Only attribute access is allowed here. Did you mean to access attribute {} using the dot operator?",
                    crate::cty::ty::go_quote(k)
                ),
            )));
            return;
        }
        _ => {
            diags.push(at(Diagnostic::error(
                "Invalid index operation",
                "Only attribute access is allowed here, using the dot operator.",
            )));
            return;
        }
    };
    let rest_ranges = ranges.get(1..).unwrap_or_default();
    if let Some(a) = schema.attributes.get(name) {
        let mut v = Value::unknown(a.ty.clone());
        for (step, r) in after.iter().zip(rest_ranges) {
            let res = match step {
                PathStep::Attr(n) => traverse::get_attr(&v, n, r),
                PathStep::Key(k) => traverse::index(&v, &Value::string(k.clone()), r),
                PathStep::Index(i) => traverse::index(&v, &Value::int(*i as i64), r),
            };
            match res {
                Ok(x) => v = x,
                Err(d) => {
                    diags.0.extend(d);
                    return;
                }
            }
        }
        return;
    }
    if let Some(b) = schema.blocks.get(name) {
        match b.nesting {
            Nesting::Single => static_validate_traversal(&b.schema, after, rest_ranges, diags),
            _ if after.is_empty() => {}
            Nesting::Set => diags.push(
                Diagnostic::error(
                    "Cannot index a set value",
                    format!("Block type {} is represented by a set of objects, and set elements do not have addressable keys. To find elements matching specific criteria, use a \"for\" expression with an \"if\" clause.", crate::cty::ty::go_quote(name)),
                )
                .at(rest_ranges[0].clone()),
            ),
            Nesting::List => match after[0] {
                PathStep::Index(_) | PathStep::Key(_) => {
                    static_validate_traversal(&b.schema, &after[1..], &rest_ranges[1..], diags)
                }
                PathStep::Attr(_) => diags.push(
                    Diagnostic::error(
                        "Invalid operation",
                        format!("Block type {} is represented by a list of objects, so it must be indexed using a numeric key, like .{name}[0].", crate::cty::ty::go_quote(name)),
                    )
                    .at(rest_ranges[0].clone()),
                ),
            },
        }
        return;
    }
    let mut names: Vec<&str> = schema.attributes.keys().chain(schema.blocks.keys()).map(String::as_str).collect();
    names.sort_unstable();
    let hint = crate::hcl::name_suggestion(name, names.iter().copied())
        .map(|s| format!(" Did you mean {}?", crate::cty::ty::go_quote(s)))
        .unwrap_or_default();
    diags.push(at(Diagnostic::error(
        "Unsupported attribute",
        format!(
            "This object has no argument, nested block, or exported attribute named {}.{hint}",
            crate::cty::ty::go_quote(name)
        ),
    )));
}
