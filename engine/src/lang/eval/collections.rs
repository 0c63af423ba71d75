//! Object constructors, `for` expressions and splats (hclsyntax's `ObjectConsExpr`,
//! `ForExpr` and `SplatExpr`).

use super::{Diags, Evaluator, has_errors};
use crate::cty::ty::go_quote;
use crate::cty::{Marks, Type, Value, convert};
use crate::hcl::ast::{Expr, ExprKind, ForExpr, ObjectItem, Span};
use std::collections::BTreeMap;

impl Evaluator<'_> {
    /// An object key: a bare name is the name itself (unless parenthesised); a dotted bare
    /// traversal is ambiguous.
    fn object_key(&mut self, item: &ObjectItem) -> (Value, Diags) {
        if !item.force_non_literal {
            if let ExprKind::ScopeTraversal { steps, .. } = &item.key.kind
                && !steps.is_empty()
            {
                return (
                    Value::DYNAMIC,
                    vec![self.error(
                        "Ambiguous attribute key",
                        "If this expression is intended to be a reference, wrap it in parentheses. If it's instead intended as a literal name containing periods, wrap it in quotes to create a string literal.",
                        &item.key.span,
                    )],
                );
            }
            if let Some(name) = item.key.as_keyword() {
                return (Value::string(name), Vec::new());
            }
        }
        self.value(&item.key)
    }

    pub(super) fn object_cons(&mut self, items: &[ObjectItem]) -> (Value, Diags) {
        let mut vals = BTreeMap::new();
        let mut diags = Vec::new();
        let mut marks = Marks::NONE;
        let mut known = true;
        for item in items {
            let (key, key_diags) = self.object_key(item);
            let key_failed = has_errors(&key_diags);
            diags.extend(key_diags);
            let (val, val_diags) = self.value(&item.value);
            diags.extend(val_diags);
            if key_failed {
                known = false;
                continue;
            }
            if key.is_null() {
                diags.push(self.error("Null value as key", "Can't use a null value as a key.", &item.value.span));
                known = false;
                continue;
            }
            let (key, km) = key.unmark();
            marks |= km;
            let key = match convert::convert(key, &Type::String) {
                Ok(k) => k,
                Err(e) => {
                    diags.push(self.error(
                        "Incorrect key type",
                        format!("Can't use this value as a key: {}.", e.message),
                        &item.key.span,
                    ));
                    known = false;
                    continue;
                }
            };
            if !key.is_known() {
                known = false;
                continue;
            }
            // A repeated key keeps the last value, as HCL does.
            vals.insert(key.as_str().unwrap_or("").to_string(), val);
        }
        if !known {
            return (Value::DYNAMIC, diags);
        }
        (Value::object_from_map(vals).with_marks(marks), diags)
    }

    pub(super) fn for_expr(&mut self, f: &ForExpr, span: &Span) -> (Value, Diags) {
        let mut marks = Marks::NONE;
        let (coll, mut diags) = self.value(&f.coll);
        if coll.is_null() {
            diags.push(self.error(
                "Iteration over null value",
                "A null value cannot be used as the collection in a 'for' expression.",
                &f.coll.span,
            ));
            return (Value::DYNAMIC, diags);
        }
        if coll.ty().is_dynamic() {
            return (Value::DYNAMIC, diags);
        }
        let (coll, cm) = coll.unmark();
        marks |= cm;
        let iterable = coll.ty().is_collection() || coll.ty().is_tuple() || coll.ty().is_object();
        if !iterable {
            diags.push(self.error(
                "Iteration over non-iterable value",
                format!(
                    "A value of type {} cannot be used as the collection in a 'for' expression.",
                    coll.ty().friendly_name()
                ),
                &f.coll.span,
            ));
            return (Value::DYNAMIC, diags);
        }
        let names: Vec<String> = f.key_var.iter().cloned().chain([f.val_var.clone()]).collect();
        let mut cond_marks = Marks::NONE;
        if let Some(cond) = &f.cond {
            // A type check of the condition with unknown iteration values.
            let depth = self.bound.len();
            for n in &names {
                self.bound.push((n.clone(), Value::DYNAMIC));
            }
            let (result, cd) = self.value(cond);
            self.bound.truncate(depth);
            let cond_failed = has_errors(&cd);
            diags.extend(cd);
            if result.is_null() {
                diags.push(self.error(
                    "Condition is null",
                    "The value of the 'if' clause must not be null.",
                    &cond.span,
                ));
                return (Value::DYNAMIC, diags);
            }
            cond_marks = result.marks();
            if let Err(e) = convert::convert(result, &Type::Bool) {
                diags.push(self.error(
                    "Invalid 'for' condition",
                    format!("The 'if' clause value is invalid: {}.", e.message),
                    &cond.span,
                ));
                return (Value::DYNAMIC, diags);
            }
            if cond_failed {
                return (Value::DYNAMIC, diags);
            }
        }
        if !coll.is_known() {
            return (Value::DYNAMIC.with_marks(marks | cond_marks), diags);
        }
        let _ = span;
        let mut known = true;
        let mut tuple = Vec::new();
        let mut obj: BTreeMap<String, Value> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (k, v) in coll.elements() {
            let depth = self.bound.len();
            if let Some(kv) = &f.key_var {
                self.bound.push((kv.clone(), k));
            }
            self.bound.push((f.val_var.clone(), v));
            let step = self.for_step(f, &mut known, &mut marks, &mut diags);
            self.bound.truncate(depth);
            let Some((key, val)) = step else { continue };
            match key {
                None => tuple.push(val),
                Some(key) if f.group => groups.entry(key).or_default().push(val),
                Some(key) => match obj.entry(key) {
                    std::collections::btree_map::Entry::Occupied(e) => {
                        let kspan = f.key.as_ref().map_or(f.val.span.clone(), |k| k.span.clone());
                        diags.push(self.error(
                            "Duplicate object key",
                            format!(
                                "Two different items produced the key {} in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.",
                                go_quote(e.key())
                            ),
                            &kspan,
                        ));
                    }
                    std::collections::btree_map::Entry::Vacant(e) => {
                        e.insert(val);
                    }
                },
            }
        }
        if !known {
            return (Value::DYNAMIC.with_marks(marks), diags);
        }
        let out = if f.key.is_some() {
            if f.group {
                obj = groups.into_iter().map(|(k, vs)| (k, Value::tuple(vs))).collect();
            }
            Value::object_from_map(obj)
        } else {
            Value::tuple(tuple)
        };
        (out.with_marks(marks), diags)
    }

    /// One iteration: `None` when the element is filtered out or failed; the key (for an
    /// object) and value otherwise.
    fn for_step(
        &mut self,
        f: &ForExpr,
        known: &mut bool,
        marks: &mut Marks,
        diags: &mut Diags,
    ) -> Option<(Option<String>, Value)> {
        if let Some(cond) = &f.cond {
            let (include, cd) = self.value(cond);
            diags.extend(cd);
            if include.is_null() {
                if *known {
                    diags.push(self.error(
                        "Invalid 'for' condition",
                        "The value of the 'if' clause must not be null.",
                        &cond.span,
                    ));
                }
                *known = false;
                return None;
            }
            *marks |= include.marks();
            if f.key.is_none() && !include.is_known() {
                *known = false;
                return None;
            }
            let include = match convert::convert(include, &Type::Bool) {
                Ok(v) => v,
                Err(e) => {
                    if *known {
                        diags.push(self.error(
                            "Invalid 'for' condition",
                            format!("The 'if' clause value is invalid: {}.", e.message),
                            &cond.span,
                        ));
                    }
                    *known = false;
                    return None;
                }
            };
            if !include.is_known() {
                *known = false;
                return None;
            }
            if include.as_bool() == Some(false) {
                return None;
            }
        }
        let Some(key_expr) = &f.key else {
            let (v, d) = self.value(&f.val);
            diags.extend(d);
            return Some((None, v));
        };
        let (key_raw, kd) = self.value(key_expr);
        diags.extend(kd);
        if key_raw.is_null() {
            if *known {
                diags.push(self.error(
                    "Invalid object key",
                    "Key expression in 'for' expression must not produce a null value.",
                    &key_expr.span,
                ));
            }
            *known = false;
            return None;
        }
        *marks |= key_raw.marks();
        if !key_raw.is_known() {
            *known = false;
            return None;
        }
        let key = match convert::convert(key_raw, &Type::String) {
            Ok(k) => k,
            Err(e) => {
                if *known {
                    diags.push(self.error(
                        "Invalid object key",
                        format!("The key expression produced an invalid result: {}.", e.message),
                        &key_expr.span,
                    ));
                }
                *known = false;
                return None;
            }
        };
        let (v, d) = self.value(&f.val);
        diags.extend(d);
        Some((Some(key.unmarked().as_str().unwrap_or("").to_string()), v))
    }

    pub(super) fn splat(&mut self, source: &Expr, each: &Expr, marker: &Span, span: &Span) -> (Value, Diags) {
        let (src, mut diags) = self.value(source);
        if has_errors(&diags) {
            return (Value::DYNAMIC, diags);
        }
        let mut sty = src.ty();
        let auto_upgrade = !(sty.is_tuple() || sty.is_list() || sty.is_set());
        if src.is_null() {
            if auto_upgrade {
                return (Value::empty_tuple().with_marks(src.marks()), diags);
            }
            let _ = marker;
            diags.push(self.error(
                "Splat of null value",
                "Splat expressions (with the * symbol) cannot be applied to null sequences.",
                &source.span,
            ));
            return (Value::DYNAMIC, diags);
        }
        if sty.is_dynamic() {
            return (Value::DYNAMIC.with_marks(src.marks()), diags);
        }
        let mut src = src;
        let mut upgraded_unknown = false;
        if auto_upgrade {
            if !src.is_known() && src.unmarked().range().could_be_null() {
                upgraded_unknown = true;
            }
            let m = src.marks();
            src = Value::tuple(vec![src]).with_marks(m);
            sty = src.ty();
        }
        if !src.is_known() {
            let (ty, td) = self.splat_result_type(&sty, each);
            diags.extend(td);
            let mut ret = Value::unknown(ty.clone());
            if !ty.is_dynamic() {
                ret = ret.refine_not_null();
            }
            if ty.is_list() && sty.is_collection() {
                let r = src.unmarked().range();
                ret = ret
                    .refine()
                    .collection_length_lower_bound(r.length_lower_bound())
                    .collection_length_upper_bound(r.length_upper_bound())
                    .new_value();
            }
            return (ret.with_marks(src.marks()), diags);
        }
        let (src, marks) = src.unmark();
        let mut vals = Vec::new();
        let mut is_known = true;
        for item in src.as_seq().unwrap_or(&[]).to_vec() {
            self.splat_items.push(item);
            let (v, d) = self.value(each);
            self.splat_items.pop();
            if has_errors(&d) {
                is_known = false;
            }
            diags.extend(d);
            vals.push(v);
        }
        if upgraded_unknown {
            return (Value::DYNAMIC.with_marks(marks), diags);
        }
        if !is_known {
            let (ty, _) = self.splat_result_type(&sty, each);
            return (Value::unknown(ty).with_marks(marks), diags);
        }
        let _ = span;
        if sty.is_list() || sty.is_set() {
            if vals.is_empty() {
                let (ty, td) = self.splat_result_type(&sty, each);
                diags.extend(td);
                return (Value::empty_list(ty.element_type().cloned().unwrap_or_default()).with_marks(marks), diags);
            }
            if !vals.windows(2).all(|w| crate::cty::ops::same_type(&w[0], &w[1])) {
                diags.push(self.error(
                    "Invalid nested splat expressions",
                    "The second level of splat expression produced elements of different types, so it isn't possible to construct a valid list to represent the top-level result.\n\nConsider using a for expression instead, to produce a tuple-typed result which can therefore have non-homogenous element types.",
                    &each.span,
                ));
                return (Value::DYNAMIC, diags);
            }
            return (Value::list_of(vals).expect("not empty").with_marks(marks), diags);
        }
        (Value::tuple(vals).with_marks(marks), diags)
    }

    /// The type a splat yields, by evaluating `each` over unknowns of the element types.
    fn splat_result_type(&mut self, sty: &Type, each: &Expr) -> (Type, Diags) {
        let mut diags = Vec::new();
        let mut run = |this: &mut Self, ety: &Type| -> Type {
            this.splat_items.push(Value::unknown(ety.clone()));
            let (v, d) = this.value(each);
            this.splat_items.pop();
            diags.extend(d);
            v.ty()
        };
        let ty = match sty {
            Type::List(e) | Type::Set(e) => Type::list(run(self, e)),
            Type::Tuple(ts) => Type::tuple(ts.iter().map(|t| run(self, t)).collect()),
            _ => Type::Dynamic,
        };
        (ty, diags)
    }
}
