//! String templates and heredocs: interpolations, `%{ if }` and `%{ for }` directives, and
//! the `~` strip markers.

use super::Evaluator;
use crate::diag::Diagnostic;
use crate::value::{Value, format_number};
use hcl_edit::Span;
use hcl_edit::template::{Directive, Element, Template};

#[derive(Default)]
struct Render {
    out: String,
    unknown: bool,
    marked: bool,
}

fn strip_before(el: &Element) -> bool {
    match el {
        Element::Literal(_) => false,
        Element::Interpolation(i) => i.strip.strip_start(),
        Element::Directive(d) => match d.as_ref() {
            Directive::If(d) => d.if_expr.strip.strip_start(),
            Directive::For(d) => d.for_expr.strip.strip_start(),
        },
    }
}

fn strip_after(el: &Element) -> bool {
    match el {
        Element::Literal(_) => false,
        Element::Interpolation(i) => i.strip.strip_end(),
        Element::Directive(d) => match d.as_ref() {
            Directive::If(d) => d.endif_expr.strip.strip_end(),
            Directive::For(d) => d.endfor_expr.strip.strip_end(),
        },
    }
}

impl Evaluator<'_> {
    pub(crate) fn template(&mut self, t: &Template) -> Result<Value, Diagnostic> {
        // A template that is only one interpolation yields the value itself, not a string.
        if let Some(Element::Interpolation(i)) = t.as_single_element() {
            return self.expr(&i.expr);
        }
        let mut r = Render::default();
        self.render(t, false, false, &mut r)?;
        let v = if r.unknown { Value::Unknown } else { Value::String(r.out) };
        Ok(v.mark_if(r.marked))
    }

    fn render(&mut self, t: &Template, trim_start: bool, trim_end: bool, r: &mut Render) -> Result<(), Diagnostic> {
        let els: Vec<&Element> = t.iter().collect();
        for (i, el) in els.iter().enumerate() {
            match el {
                Element::Literal(s) => {
                    let mut s: &str = s.value();
                    let before = if i == 0 { trim_start } else { strip_after(els[i - 1]) };
                    let after = if i + 1 == els.len() { trim_end } else { strip_before(els[i + 1]) };
                    if before {
                        s = s.trim_start();
                    }
                    if after {
                        s = s.trim_end();
                    }
                    r.out.push_str(s);
                }
                Element::Interpolation(ip) => {
                    let v = self.expr(&ip.expr)?;
                    self.append(v, ip.expr.span(), r)?;
                }
                Element::Directive(d) => match d.as_ref() {
                    Directive::If(d) => {
                        let cond = self.expr(&d.if_expr.cond_expr)?;
                        let (cond, m) = cond.into_unmarked();
                        r.marked |= m;
                        let else_strip_start = d.else_expr.as_ref().map(|e| e.strip.strip_start());
                        match cond {
                            Value::Unknown => r.unknown = true,
                            Value::Bool(true) => {
                                let end = else_strip_start.unwrap_or(d.endif_expr.strip.strip_start());
                                self.render(&d.if_expr.template, d.if_expr.strip.strip_end(), end, r)?;
                            }
                            Value::Bool(false) => {
                                if let Some(e) = &d.else_expr {
                                    self.render(&e.template, e.strip.strip_end(), d.endif_expr.strip.strip_start(), r)?;
                                }
                            }
                            other => {
                                return Err(self.error(
                                    "Invalid template if condition",
                                    &format!("The condition must be a bool, not {}.", other.type_name()),
                                    d.if_expr.cond_expr.span(),
                                ));
                            }
                        }
                    }
                    Directive::For(d) => {
                        let f = &d.for_expr;
                        let coll = self.expr(&f.collection_expr)?;
                        let (coll, m) = coll.into_unmarked();
                        r.marked |= m;
                        let pairs: Vec<(Value, Value)> = match coll {
                            Value::Unknown => {
                                r.unknown = true;
                                continue;
                            }
                            Value::List(items) => {
                                items.into_iter().enumerate().map(|(i, v)| (Value::from(i), v)).collect()
                            }
                            Value::Set(items) => items.into_iter().map(|v| (v.clone(), v)).collect(),
                            Value::Map(m) => m.into_iter().map(|(k, v)| (Value::String(k), v)).collect(),
                            other => {
                                return Err(self.error(
                                    "Invalid template for directive",
                                    &format!("A value of type {} cannot be iterated.", other.type_name()),
                                    f.collection_expr.span(),
                                ));
                            }
                        };
                        for (k, v) in pairs {
                            let depth = self.bound.len();
                            if let Some(kv) = &f.key_var {
                                self.bound.push((kv.as_str().to_string(), k));
                            }
                            self.bound.push((f.value_var.as_str().to_string(), v));
                            let res =
                                self.render(&f.template, f.strip.strip_end(), d.endfor_expr.strip.strip_start(), r);
                            self.bound.truncate(depth);
                            res?;
                        }
                    }
                },
            }
        }
        Ok(())
    }

    fn append(&self, v: Value, span: Option<std::ops::Range<usize>>, r: &mut Render) -> Result<(), Diagnostic> {
        let (v, m) = v.into_unmarked();
        r.marked |= m;
        match v {
            Value::Unknown => r.unknown = true,
            Value::String(s) => r.out.push_str(&s),
            Value::Number(n) => r.out.push_str(&format_number(n)),
            Value::Bool(b) => r.out.push_str(if b { "true" } else { "false" }),
            Value::Null => {
                return Err(self.error(
                    "Invalid template interpolation value",
                    "The expression result is null. Cannot include a null value in a string template.",
                    span,
                ));
            }
            other => {
                return Err(self.error(
                    "Invalid template interpolation value",
                    &format!(
                        "Cannot include the given value in a string template: string required, not {}.",
                        other.type_name()
                    ),
                    span,
                ));
            }
        }
        Ok(())
    }
}
