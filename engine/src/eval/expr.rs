//! Evaluation of each kind of expression: literals, collections, references and
//! traversals (attributes, indexes, splats), conditionals, `for` expressions and calls.

use super::functions::{self, FuncCtx, FuncError};
use super::references::subject_of;
use super::{Evaluator, ops};
use crate::diag::{Diagnostic, did_you_mean};
use crate::value::{Value, ValueMap, format_number};
use hcl_edit::Span;
use hcl_edit::expr::{Expression, ForExpr, FuncCall, ObjectKey, Traversal, TraversalOperator};
use hcl_edit::repr::Decorated;

type Result<T> = std::result::Result<T, Diagnostic>;

impl Evaluator<'_> {
    pub(crate) fn expr(&mut self, e: &Expression) -> Result<Value> {
        match e {
            Expression::Null(_) => Ok(Value::Null),
            Expression::Bool(b) => Ok(Value::Bool(*b.value())),
            Expression::Number(n) => Ok(Value::Number(n.value().as_f64().unwrap_or(f64::NAN))),
            Expression::String(s) => Ok(Value::String(s.value().clone())),
            Expression::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items.iter() {
                    out.push(self.expr(item)?);
                }
                Ok(Value::List(out))
            }
            Expression::Object(obj) => self.object(obj),
            Expression::StringTemplate(t) => self.template(t),
            Expression::HeredocTemplate(h) => self.template(&h.template),
            Expression::Parenthesis(p) => self.expr(p.inner()),
            Expression::Variable(v) => self.variable(v.as_str(), v.span()),
            Expression::Conditional(c) => {
                let cond = self.expr(&c.cond_expr)?;
                let (cond_v, marked) = cond.unmark();
                match cond_v {
                    Value::Unknown => Ok(Value::Unknown.mark_if(marked)),
                    Value::Bool(true) => Ok(self.expr(&c.true_expr)?.mark_if(marked)),
                    Value::Bool(false) => Ok(self.expr(&c.false_expr)?.mark_if(marked)),
                    Value::Null => Err(self.error(
                        "Null condition",
                        "The condition value is null. Conditions must either be true or false.",
                        c.cond_expr.span(),
                    )),
                    other => Err(self.error(
                        "Incorrect condition type",
                        &format!("The condition expression must be of type bool, not {}.", other.type_name()),
                        c.cond_expr.span(),
                    )),
                }
            }
            Expression::FuncCall(f) => self.call(f),
            Expression::Traversal(t) => self.traversal(t),
            Expression::UnaryOp(u) => {
                let v = self.expr(&u.expr)?;
                ops::unary(*u.operator.value(), v).map_err(|m| self.error("Invalid operand", &m, u.span()))
            }
            Expression::BinaryOp(b) => self.binary(b),
            Expression::ForExpr(f) => self.for_expr(f),
        }
    }

    pub(crate) fn error(&self, summary: &str, detail: &str, span: Option<std::ops::Range<usize>>) -> Diagnostic {
        Diagnostic::error(summary, detail).at(self.range(span))
    }

    fn object(&mut self, obj: &hcl_edit::expr::Object) -> Result<Value> {
        let mut out = ValueMap::new();
        let mut unknown = false;
        let mut marked = false;
        for (k, v) in obj.iter() {
            let key = match k {
                ObjectKey::Ident(i) => i.as_str().to_string(),
                ObjectKey::Expression(Expression::Variable(v)) => v.as_str().to_string(),
                ObjectKey::Expression(e) => {
                    let kv = self.expr(e)?;
                    let (kv, m) = kv.into_unmarked();
                    marked |= m;
                    match kv {
                        Value::String(s) => s,
                        Value::Number(n) => format_number(n),
                        Value::Bool(b) => b.to_string(),
                        Value::Unknown => {
                            unknown = true;
                            continue;
                        }
                        Value::Null => {
                            return Err(self.error("Invalid object key", "An object key must not be null.", e.span()));
                        }
                        other => {
                            return Err(self.error(
                                "Invalid object key",
                                &format!("An object key must be a string, not {}.", other.type_name()),
                                e.span(),
                            ));
                        }
                    }
                }
            };
            let value = self.expr(v.expr())?;
            out.insert(key, value);
        }
        if unknown {
            return Ok(Value::Unknown.mark_if(marked));
        }
        Ok(Value::Map(out).mark_if(marked))
    }

    fn variable(&mut self, name: &str, span: Option<std::ops::Range<usize>>) -> Result<Value> {
        if let Some((_, v)) = self.bound.iter().rev().find(|(n, _)| n == name) {
            return Ok(v.clone());
        }
        match subject_of(name, &[]) {
            Ok(subject) => self.scope.resolve(&subject, &self.range(span)),
            Err(msg) => Err(self.error("Invalid reference", &msg, span)),
        }
    }

    fn traversal(&mut self, t: &Traversal) -> Result<Value> {
        let (value, used) = match &t.expr {
            Expression::Variable(root) if !self.bound.iter().any(|(n, _)| n == root.as_str()) => {
                let root_name = root.as_str();
                let take = match root_name {
                    "data" => 2,
                    "self" => 0,
                    _ => 1,
                };
                let mut attrs = Vec::new();
                for op in t.operators.iter().take(take) {
                    match op.value() {
                        TraversalOperator::GetAttr(a) => attrs.push(a.as_str()),
                        _ => break,
                    }
                }
                let subject = subject_of(root_name, &attrs).map_err(|m| {
                    let end = t.operators.get(attrs.len().saturating_sub(1)).and_then(|o| o.span()).map(|s| s.end);
                    let span = root.span().map(|s| s.start..end.unwrap_or(s.end));
                    self.error("Invalid reference", &m, span)
                })?;
                let used = attrs.len().min(take);
                let end =
                    if used == 0 { root.span().map(|s| s.end) } else { t.operators[used - 1].span().map(|s| s.end) };
                let span = root.span().map(|s| s.start..end.unwrap_or(s.end));
                (self.scope.resolve(&subject, &self.range(span))?, used)
            }
            other => (self.expr(other)?, 0),
        };
        self.apply_ops(value, &t.operators[used..])
    }

    fn apply_ops(&mut self, mut v: Value, ops: &[Decorated<TraversalOperator>]) -> Result<Value> {
        for (i, op) in ops.iter().enumerate() {
            match op.value() {
                TraversalOperator::GetAttr(name) => v = self.get_attr(v, name.as_str(), op.span())?,
                TraversalOperator::Index(e) => {
                    let key = self.expr(e)?;
                    v = self.index(v, key, op.span())?;
                }
                TraversalOperator::LegacyIndex(n) => v = self.index(v, Value::Number(*n.value() as f64), op.span())?,
                TraversalOperator::FullSplat(_) | TraversalOperator::AttrSplat(_) => {
                    let rest = &ops[i + 1..];
                    let split = if matches!(op.value(), TraversalOperator::AttrSplat(_)) {
                        rest.iter()
                            .position(|o| !matches!(o.value(), TraversalOperator::GetAttr(_)))
                            .unwrap_or(rest.len())
                    } else {
                        rest.len()
                    };
                    let (inner, after) = rest.split_at(split);
                    let (base, marked) = v.into_unmarked();
                    let out = match base {
                        Value::Unknown => Value::Unknown,
                        Value::Null => Value::List(Vec::new()),
                        Value::List(items) | Value::Set(items) => {
                            let mut out = Vec::with_capacity(items.len());
                            for item in items {
                                out.push(self.apply_ops(item, inner)?);
                            }
                            Value::List(out)
                        }
                        single => Value::List(vec![self.apply_ops(single, inner)?]),
                    };
                    return self.apply_ops(out.mark_if(marked), after);
                }
            }
        }
        Ok(v)
    }

    pub(crate) fn get_attr(&self, v: Value, name: &str, span: Option<std::ops::Range<usize>>) -> Result<Value> {
        let (base, marked) = v.into_unmarked();
        let out = match base {
            Value::Unknown => Value::Unknown,
            Value::Map(mut m) => match m.remove(name) {
                Some(x) => x,
                None => {
                    let hint = did_you_mean(name, m.keys().map(String::as_str)).unwrap_or_default();
                    return Err(self.error(
                        "Unsupported attribute",
                        &format!("This object does not have an attribute named \"{name}\".{hint}"),
                        span,
                    ));
                }
            },
            Value::Null => {
                return Err(self.error(
                    "Attempt to get attribute from null value",
                    "This value is null, so it does not have any attributes.",
                    span,
                ));
            }
            Value::List(_) | Value::Set(_) => {
                return Err(self.error(
                    "Unsupported attribute",
                    &format!(
                        "Can't access attributes on a list of objects. Did you mean to access attribute \"{name}\" for a specific element of the list, or across all elements of the list ([*].{name})?"
                    ),
                    span,
                ));
            }
            other => {
                return Err(self.error(
                    "Unsupported attribute",
                    &format!("Can't access attributes on a primitive-typed value ({}).", other.type_name()),
                    span,
                ));
            }
        };
        Ok(out.mark_if(marked))
    }

    pub(crate) fn index(&self, v: Value, key: Value, span: Option<std::ops::Range<usize>>) -> Result<Value> {
        let (key, key_marked) = key.into_unmarked();
        let (base, marked) = v.into_unmarked();
        let marked = marked || key_marked;
        let invalid = |detail: &str| self.error("Invalid index", detail, span.clone());
        let out = match (base, key) {
            (Value::Unknown, _) | (_, Value::Unknown) => Value::Unknown,
            (Value::Null, _) => return Err(invalid("This value is null, so it does not have any indices.")),
            (_, Value::Null) => return Err(invalid("Can't use a null value as an indexing key.")),
            (Value::List(mut items), k) => {
                let n = match &k {
                    Value::Number(n) => Some(*n),
                    Value::String(s) => s.parse::<f64>().ok(),
                    _ => None,
                };
                let Some(n) = n else {
                    return Err(invalid(
                        "The given key does not identify an element in this collection value: a number is required.",
                    ));
                };
                if n.fract() != 0.0 || n < 0.0 || n as usize >= items.len() {
                    return Err(invalid(&format!(
                        "The given key does not identify an element in this collection value: the collection has {} elements and the index is {}.",
                        items.len(),
                        format_number(n)
                    )));
                }
                items.swap_remove(n as usize)
            }
            (Value::Map(mut m), k) => {
                let key = match k {
                    Value::String(s) => s,
                    Value::Number(n) => format_number(n),
                    Value::Bool(b) => b.to_string(),
                    _ => return Err(invalid("A map or object key must be a string.")),
                };
                match m.remove(&key) {
                    Some(x) => x,
                    None => {
                        return Err(invalid(&format!(
                            "The given key does not identify an element in this collection value: no element has the key {key:?}."
                        )));
                    }
                }
            }
            (Value::Set(_), _) => {
                return Err(invalid(
                    "Elements of a set are identified only by their value and don't have any separate index or key to select with, so it's only possible to perform operations across all elements of the set.",
                ));
            }
            (other, _) => {
                return Err(invalid(&format!("This value ({}) does not have any indices.", other.type_name())));
            }
        };
        Ok(out.mark_if(marked))
    }

    fn binary(&mut self, b: &hcl_edit::expr::BinaryOp) -> Result<Value> {
        use hcl_edit::expr::BinaryOperator as Op;
        let op = *b.operator.value();
        let lhs = self.expr(&b.lhs_expr)?;
        // `&&` and `||` short-circuit on a known left operand, as HCL does.
        match (op, lhs.unmark().0) {
            (Op::And, Value::Bool(false)) => return Ok(lhs),
            (Op::Or, Value::Bool(true)) => return Ok(lhs),
            _ => {}
        }
        let rhs = self.expr(&b.rhs_expr)?;
        ops::binary(op, lhs, rhs).map_err(|m| self.error("Invalid operand", &m, b.span()))
    }

    fn for_expr(&mut self, f: &ForExpr) -> Result<Value> {
        let coll = self.expr(&f.intro.collection_expr)?;
        let (coll, marked) = coll.into_unmarked();
        let pairs: Vec<(Value, Value)> = match coll {
            Value::Unknown => return Ok(Value::Unknown.mark_if(marked)),
            Value::Null => {
                return Err(self.error(
                    "Iteration over null value",
                    "A null value cannot be used as the collection in a 'for' expression.",
                    f.intro.collection_expr.span(),
                ));
            }
            Value::List(items) => items.into_iter().enumerate().map(|(i, v)| (Value::from(i), v)).collect(),
            Value::Set(items) => items.into_iter().map(|v| (v.clone(), v)).collect(),
            Value::Map(m) => m.into_iter().map(|(k, v)| (Value::String(k), v)).collect(),
            other => {
                return Err(self.error(
                    "Iteration over non-iterable value",
                    &format!(
                        "A value of type {} cannot be used as the collection in a 'for' expression.",
                        other.type_name()
                    ),
                    f.intro.collection_expr.span(),
                ));
            }
        };
        let key_var = f.intro.key_var.as_ref().map(|k| k.as_str().to_string());
        let value_var = f.intro.value_var.as_str().to_string();
        let mut list = Vec::new();
        let mut map: ValueMap = ValueMap::new();
        let mut groups: indexmap::IndexMap<String, Vec<Value>> = indexmap::IndexMap::new();
        let mut unknown = false;
        for (k, v) in pairs {
            let depth = self.bound.len();
            if let Some(kv) = &key_var {
                self.bound.push((kv.clone(), k));
            }
            self.bound.push((value_var.clone(), v));
            let step = self.for_step(f, &mut list, &mut map, &mut groups);
            self.bound.truncate(depth);
            match step? {
                Step::Continue => {}
                Step::Unknown => unknown = true,
            }
        }
        if unknown {
            return Ok(Value::Unknown.mark_if(marked));
        }
        let out = if f.key_expr.is_some() {
            if f.grouping {
                Value::Map(groups.into_iter().map(|(k, v)| (k, Value::List(v))).collect())
            } else {
                Value::Map(map)
            }
        } else {
            Value::List(list)
        };
        Ok(out.mark_if(marked))
    }

    fn for_step(
        &mut self,
        f: &ForExpr,
        list: &mut Vec<Value>,
        map: &mut ValueMap,
        groups: &mut indexmap::IndexMap<String, Vec<Value>>,
    ) -> Result<Step> {
        if let Some(c) = &f.cond {
            let cv = self.expr(&c.expr)?;
            match cv.unmark().0 {
                Value::Bool(true) => {}
                Value::Bool(false) => return Ok(Step::Continue),
                Value::Unknown => return Ok(Step::Unknown),
                other => {
                    return Err(self.error(
                        "Invalid 'for' condition",
                        &format!("The 'if' clause value must be a bool, not {}.", other.type_name()),
                        c.expr.span(),
                    ));
                }
            }
        }
        let Some(key_expr) = &f.key_expr else {
            list.push(self.expr(&f.value_expr)?);
            return Ok(Step::Continue);
        };
        let kv = self.expr(key_expr)?;
        let key = match kv.unmark().0 {
            Value::String(s) => s.clone(),
            Value::Number(n) => format_number(*n),
            Value::Bool(b) => b.to_string(),
            Value::Unknown => return Ok(Step::Unknown),
            other => {
                return Err(self.error(
                    "Invalid object key",
                    &format!(
                        "The key expression produced an invalid result: string required, not {}.",
                        other.type_name()
                    ),
                    key_expr.span(),
                ));
            }
        };
        let value = self.expr(&f.value_expr)?;
        if f.grouping {
            groups.entry(key).or_default().push(value);
            return Ok(Step::Continue);
        }
        match map.entry(key) {
            std::collections::btree_map::Entry::Occupied(e) => Err(self.error(
                "Duplicate object key",
                &format!(
                    "Two different items produced the key {:?} in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.",
                    e.key()
                ),
                key_expr.span(),
            )),
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(value);
                Ok(Step::Continue)
            }
        }
    }

    fn call(&mut self, f: &FuncCall) -> Result<Value> {
        let name = f.name.name.as_str();
        let namespace: Vec<&str> = f.name.namespace.iter().map(|n| n.as_str()).collect();
        if !namespace.is_empty() && namespace != ["core"] {
            return Err(self.error(
                "Call to unknown function",
                &format!("Provider-defined functions ({}::{name}) are not supported.", namespace.join("::")),
                f.name.name.span(),
            ));
        }
        match name {
            "try" => return self.try_fn(f),
            "can" => return self.can_fn(f),
            _ => {}
        }
        let Some(func) = functions::lookup(name) else {
            let hint = did_you_mean(name, functions::names()).unwrap_or_default();
            return Err(self.error(
                "Call to unknown function",
                &format!("There is no function named \"{name}\".{hint}"),
                f.name.name.span(),
            ));
        };
        let mut args = Vec::with_capacity(f.args.len());
        let mut spans = Vec::with_capacity(f.args.len());
        for a in f.args.iter() {
            args.push(self.expr(a)?);
            spans.push(a.span());
        }
        if f.args.expand_final() {
            let last = args.pop().unwrap_or(Value::Null);
            let last_span = spans.pop().unwrap_or(None);
            let (last, marked) = last.into_unmarked();
            match last {
                Value::List(items) | Value::Set(items) => {
                    for item in items {
                        args.push(item.mark_if(marked));
                        spans.push(last_span.clone());
                    }
                }
                Value::Unknown => return Ok(Value::Unknown),
                _ => {
                    return Err(self.error(
                        "Invalid expanding argument value",
                        "The expanding argument (indicated by ...) must be of a tuple, list, or set type.",
                        last_span,
                    ));
                }
            }
        }
        let ctx = FuncCtx { base_dir: &self.base_dir };
        functions::call(func, &ctx, args).map_err(|e| match e {
            FuncError::Arg(i, msg) => {
                let span = spans.get(i).cloned().flatten().or_else(|| f.span());
                let param = func.param_name(i);
                self.error(
                    "Invalid function argument",
                    &format!("Invalid value for \"{param}\" parameter: {msg}"),
                    span,
                )
            }
            FuncError::Arity(msg) => {
                let summary = if msg.contains("expects only") {
                    "Too many function arguments"
                } else {
                    "Not enough function arguments"
                };
                self.error(summary, &msg, f.span())
            }
            FuncError::Call(msg) => {
                self.error("Error in function call", &format!("Call to function \"{name}\" failed: {msg}"), f.span())
            }
        })
    }

    fn try_fn(&mut self, f: &FuncCall) -> Result<Value> {
        if f.args.is_empty() {
            return Err(self.error("Invalid number of arguments", "try() requires at least one argument.", f.span()));
        }
        let mut last_err = None;
        for a in f.args.iter() {
            match self.expr(a) {
                Ok(v) if !v.is_wholly_known() => return Ok(Value::Unknown),
                Ok(v) => return Ok(v),
                Err(d) => last_err = Some(d),
            }
        }
        let detail = last_err.map(|d| d.detail).unwrap_or_default();
        Err(self.error(
            "Error in function call",
            &format!("Call to function \"try\" failed: no expression succeeded: {detail}"),
            f.span(),
        ))
    }

    fn can_fn(&mut self, f: &FuncCall) -> Result<Value> {
        let [a] = f.args.iter().collect::<Vec<_>>()[..] else {
            return Err(self.error("Invalid number of arguments", "can() takes exactly one argument.", f.span()));
        };
        Ok(match self.expr(a) {
            Ok(v) if !v.is_wholly_known() => Value::Unknown,
            Ok(_) => Value::Bool(true),
            Err(_) => Value::Bool(false),
        })
    }
}

enum Step {
    Continue,
    Unknown,
}
