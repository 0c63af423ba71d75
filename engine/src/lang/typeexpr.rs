//! Type constraints (`string`, `list(number)`, `object({ a = optional(string, "x") })`) and
//! the defaults of their optional attributes, as HCL's `typeexpr` parses and applies them.

use super::eval::{Evaluator, NoScope, has_errors};
use crate::cty::convert::{convert, unify_unsafe};
use crate::cty::{Type, Value};
use crate::diag::{Diagnostic, FileId, SourceRange};
use crate::hcl::ast::{Expr, ExprKind, between};
use std::collections::{BTreeMap, BTreeSet};

const INVALID: &str = "Invalid type specification";

/// The default values of a type constraint's optional attributes, by attribute, and the
/// defaults of nested types (`""` for a collection's elements, the index for a tuple's).
#[derive(Clone, Debug, PartialEq)]
pub struct Defaults {
    pub ty: Type,
    pub values: BTreeMap<String, Value>,
    pub children: BTreeMap<String, Defaults>,
}

/// Parses a type constraint (`any` allowed, `optional()` with defaults).
pub fn type_constraint(e: &Expr, file: FileId) -> (Type, Option<Defaults>, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let (t, d) = get_type(e, file, true, &mut diags);
    (t, d, diags)
}

fn err(file: FileId, detail: impl Into<String>, span: &crate::hcl::Span) -> Diagnostic {
    Diagnostic::error(INVALID, detail).at(SourceRange::new(file, span.clone()))
}

fn get_type(e: &Expr, file: FileId, constraint: bool, diags: &mut Vec<Diagnostic>) -> (Type, Option<Defaults>) {
    if let Some(kw) = e.as_keyword() {
        let t = match kw {
            "bool" => Type::Bool,
            "string" => Type::String,
            "number" => Type::Number,
            "any" if constraint => Type::Dynamic,
            "any" => {
                diags.push(err(
                    file,
                    format!(
                        "The keyword {} cannot be used in this type specification: an exact type is required.",
                        q(kw)
                    ),
                    &e.span,
                ));
                Type::Dynamic
            }
            "list" | "map" | "set" => {
                diags.push(err(
                    file,
                    format!("The {kw} type constructor requires one argument specifying the element type."),
                    &e.span,
                ));
                Type::Dynamic
            }
            "object" => {
                diags.push(err(
                    file,
                    "The object type constructor requires one argument specifying the attribute types and values as a map.",
                    &e.span,
                ));
                Type::Dynamic
            }
            "tuple" => {
                diags.push(err(
                    file,
                    "The tuple type constructor requires one argument specifying the element types as a list.",
                    &e.span,
                ));
                Type::Dynamic
            }
            other => {
                diags.push(err(file, format!("The keyword {} is not a valid type specification.", q(other)), &e.span));
                Type::Dynamic
            }
        };
        return (t, None);
    }
    let ExprKind::FunctionCall { name, name_span, args, open_paren_span, close_paren_span, .. } = &e.kind else {
        diags.push(err(
            file,
            "A type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string).",
            &e.span,
        ));
        return (Type::Dynamic, None);
    };
    let args_span = between(open_paren_span, close_paren_span);
    match name.as_str() {
        "bool" | "string" | "number" => {
            diags.push(err(file, format!("Primitive type keyword {} does not expect arguments.", q(name)), &args_span));
            return (Type::Dynamic, None);
        }
        "any" => {
            diags.push(err(
                file,
                format!("Type constraint keyword {} does not expect arguments.", q(name)),
                &args_span,
            ));
            return (Type::Dynamic, None);
        }
        _ => {}
    }
    if args.len() != 1 && matches!(name.as_str(), "list" | "set" | "map" | "object" | "tuple") {
        let subject =
            if args.len() > 1 { between(&args[1].span, &args[args.len() - 1].span) } else { args_span.clone() };
        let detail = match name.as_str() {
            "object" => {
                "The object type constructor requires one argument specifying the attribute types and values as a map."
                    .to_string()
            }
            "tuple" => {
                "The tuple type constructor requires one argument specifying the element types as a list.".to_string()
            }
            n => format!("The {n} type constructor requires one argument specifying the element type."),
        };
        diags.push(err(file, detail, &subject));
        return (Type::Dynamic, None);
    }
    match name.as_str() {
        "list" | "set" | "map" => {
            let (ety, d) = get_type(&args[0], file, constraint, diags);
            let ty = match name.as_str() {
                "list" => Type::list(ety),
                "set" => Type::set(ety),
                _ => Type::map(ety),
            };
            let defaults =
                d.map(|d| Defaults { ty: ty.clone(), values: BTreeMap::new(), children: [(String::new(), d)].into() });
            (ty, defaults)
        }
        "object" => {
            let ExprKind::Object(items) = &args[0].kind else {
                diags.push(err(
                    file,
                    "Object type constructor requires a map whose keys are attribute names and whose values are the corresponding attribute types.",
                    &args[0].span,
                ));
                return (Type::Dynamic, None);
            };
            let mut atys = BTreeMap::new();
            let mut values = BTreeMap::new();
            let mut children = BTreeMap::new();
            let mut optional = BTreeSet::new();
            for item in items {
                let Some(attr) = item.key.as_keyword().map(str::to_string) else {
                    diags.push(err(file, "Object constructor map keys must be attribute names.", &item.key.span));
                    continue;
                };
                if atys.contains_key(&attr) {
                    diags.push(err(file, "Object constructor map keys must be unique.", &item.key.span));
                    continue;
                }
                let mut aty_expr = &item.value;
                let mut default_expr = None;
                if let ExprKind::FunctionCall {
                    name: cname,
                    name_span: cspan,
                    args: cargs,
                    open_paren_span: o,
                    close_paren_span: c,
                    ..
                } = &item.value.kind
                    && cname == "optional"
                {
                    let cargs_span = between(o, c);
                    if cargs.is_empty() {
                        diags.push(err(
                            file,
                            "Optional attribute modifier requires the attribute type as its argument.",
                            &cargs_span,
                        ));
                        continue;
                    }
                    if constraint {
                        match cargs.len() {
                            2 => {
                                default_expr = Some(&cargs[1]);
                                let mut ev = Evaluator::new(&NoScope, std::path::Path::new("."), file, b"", "");
                                ev.no_functions = true;
                                let (v, d) = ev.eval(&cargs[1]);
                                let failed = has_errors(&d);
                                diags.extend(d);
                                if !failed {
                                    optional.insert(attr.clone());
                                    values.insert(attr.clone(), v);
                                }
                            }
                            1 => {
                                optional.insert(attr.clone());
                            }
                            _ => diags.push(err(
                                file,
                                "Optional attribute modifier expects at most two arguments: the attribute type, and a default value.",
                                &cargs_span,
                            )),
                        }
                    } else {
                        diags.push(err(
                            file,
                            "Optional attribute modifier is only for type constraints, not for exact types.",
                            cspan,
                        ));
                    }
                    aty_expr = &cargs[0];
                }
                let (aty, adef) = get_type(aty_expr, file, constraint, diags);
                if let Some(dv) = values.remove(&attr) {
                    match convert(dv, &aty) {
                        Ok(v) => {
                            values.insert(attr.clone(), v);
                        }
                        Err(e) => diags.push(
                            Diagnostic::error(
                                "Invalid default value for optional attribute",
                                format!(
                                    "This default value is not compatible with the attribute's type constraint: {}.",
                                    e.message
                                ),
                            )
                            .at(default_expr.map(|d| SourceRange::new(file, d.span.clone()))),
                        ),
                    }
                }
                atys.insert(attr.clone(), aty);
                if let Some(d) = adef {
                    children.insert(attr, d);
                }
            }
            let ty = Type::object_with_optional(atys, optional);
            let defaults =
                (!values.is_empty() || !children.is_empty()).then(|| Defaults { ty: ty.clone(), values, children });
            let _ = name_span;
            (ty, defaults)
        }
        "tuple" => {
            let ExprKind::Tuple(elems) = &args[0].kind else {
                diags.push(err(file, "Tuple type constructor requires a list of element types.", &args[0].span));
                return (Type::Dynamic, None);
            };
            let mut etys = Vec::new();
            let mut children = BTreeMap::new();
            for (i, el) in elems.iter().enumerate() {
                let (t, d) = get_type(el, file, constraint, diags);
                etys.push(t);
                if let Some(d) = d {
                    children.insert(i.to_string(), d);
                }
            }
            let ty = Type::tuple(etys);
            let defaults =
                (!children.is_empty()).then(|| Defaults { ty: ty.clone(), values: BTreeMap::new(), children });
            (ty, defaults)
        }
        "optional" => {
            diags.push(err(
                file,
                format!("Keyword {} is valid only as a modifier for object type attributes.", q(name)),
                name_span,
            ));
            (Type::Dynamic, None)
        }
        other => {
            diags.push(err(file, format!("Keyword {} is not a valid type constructor.", q(other)), &e.span));
            (Type::Dynamic, None)
        }
    }
}

fn q(s: &str) -> String {
    crate::cty::ty::go_quote(s)
}

impl Defaults {
    /// Fills null or absent optional attributes with their defaults, at every depth (HCL's
    /// `Defaults.Apply`).
    pub fn apply(&self, v: Value) -> Value {
        if !v.is_known() || v.is_null() || (self.values.is_empty() && self.children.is_empty()) {
            return v;
        }
        let (v, marks) = v.unmark();
        let ty = v.ty();
        let out = match &ty {
            Type::Set(_) | Type::List(_) | Type::Tuple(_) => {
                let values: Vec<Value> = v
                    .as_seq()
                    .unwrap_or(&[])
                    .iter()
                    .enumerate()
                    .map(|(i, e)| match self.child_index(i) {
                        Some(d) => d.apply(e.clone()),
                        None => e.clone(),
                    })
                    .collect();
                let ety = ty.element_type().cloned();
                match (&ty, ety) {
                    (Type::Set(_), Some(e)) if values.is_empty() => Value::empty_set(e),
                    (Type::List(_), Some(e)) if values.is_empty() => Value::empty_list(e),
                    (Type::Set(_) | Type::List(_), _) => match unify_values(&values) {
                        Some(vs) if ty.is_set() => return Value::set_of(vs).expect("not empty").with_marks(marks),
                        Some(vs) => Value::list_of(vs).expect("not empty"),
                        None => Value::tuple(values),
                    },
                    _ => Value::tuple(values),
                }
            }
            Type::Object(_) | Type::Map(_) => {
                let mut values: BTreeMap<String, Value> = v
                    .as_map()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(k, e)| {
                        let e = match self.child_key(&k) {
                            Some(d) => d.apply(e),
                            None => e,
                        };
                        (k, e)
                    })
                    .collect();
                for (k, dv) in &self.values {
                    if values.get(k).is_none_or(Value::is_null) {
                        let filled = match self.children.get(k) {
                            Some(d) => d.apply(dv.clone()),
                            None => dv.clone(),
                        };
                        values.insert(k.clone(), filled);
                    }
                    if dv.range().definitely_not_null() && !values[k].ty().is_dynamic() {
                        let refined = values[k].clone().refine_not_null();
                        values.insert(k.clone(), refined);
                    }
                }
                match (&ty, ty.element_type()) {
                    (Type::Map(_), Some(e)) if values.is_empty() => Value::empty_map(e.clone()),
                    (Type::Map(_), _) => {
                        let keys: Vec<String> = values.keys().cloned().collect();
                        let vals: Vec<Value> = values.values().cloned().collect();
                        match unify_values(&vals) {
                            Some(vs) => Value::map_of(keys.into_iter().zip(vs).collect()).expect("not empty"),
                            None => Value::object_from_map(values),
                        }
                    }
                    _ => Value::object_from_map(values),
                }
            }
            _ => v,
        };
        out.with_marks(marks)
    }

    fn child_index(&self, i: usize) -> Option<&Defaults> {
        if self.ty.is_tuple() {
            return self.children.get(&i.to_string());
        }
        self.children.get("")
    }

    fn child_key(&self, k: &str) -> Option<&Defaults> {
        if self.ty.is_object() {
            return self.children.get(k);
        }
        self.children.get("")
    }
}

fn unify_values(values: &[Value]) -> Option<Vec<Value>> {
    let types: Vec<Type> = values.iter().map(Value::ty).collect();
    let (ty, convs) = unify_unsafe(&types);
    ty?;
    values
        .iter()
        .zip(convs)
        .map(|(v, c)| match c {
            None => Some(v.clone()),
            Some(c) => c(v.clone(), &mut Vec::new()).ok(),
        })
        .collect()
}
