//! Template evaluation: parts converted to strings and joined, an unknown part giving an
//! unknown string refined with the known prefix (hclsyntax's `TemplateExpr` and
//! `TemplateJoinExpr`).

use super::{Diags, Evaluator, has_errors};
use crate::cty::{Marks, Type, Value, convert};
use crate::hcl::ast::{Expr, Span};

impl Evaluator<'_> {
    pub(super) fn template(&mut self, parts: &[Expr], span: &Span) -> (Value, Diags) {
        let mut buf = String::new();
        let mut diags: Diags = Vec::new();
        let mut known = true;
        let mut marks = Marks::NONE;
        for part in parts {
            let (v, d) = self.value(part);
            diags.extend(d);
            if v.is_null() {
                diags.push(self.error(
                    "Invalid template interpolation value",
                    "The expression result is null. Cannot include a null value in a string template.",
                    &part.span,
                ));
                continue;
            }
            let (v, m) = v.unmark();
            marks |= m;
            if !v.is_known() {
                known = false;
                continue;
            }
            match convert::convert(v, &Type::String) {
                Ok(s) => {
                    if known && !has_errors(&diags) {
                        buf.push_str(s.as_str().unwrap_or(""));
                    }
                }
                Err(e) => diags.push(self.error(
                    "Invalid template interpolation value",
                    format!("Cannot include the given value in a string template: {}.", e.message),
                    &part.span,
                )),
            }
        }
        let _ = span;
        let ret = if known {
            Value::string(buf)
        } else {
            let mut ret = Value::unknown(Type::String);
            if !has_errors(&diags) && !buf.is_empty() {
                let mut cut = buf.len().min(128);
                while !buf.is_char_boundary(cut) {
                    cut -= 1;
                }
                ret = ret.refine().string_prefix(&buf[..cut]).new_value();
            }
            ret
        };
        (ret.refine_not_null().with_marks(marks), diags)
    }

    pub(super) fn template_join(&mut self, tuple: &Expr, span: &Span) -> (Value, Diags) {
        let (t, mut diags) = self.value(tuple);
        if t.ty().is_dynamic() || !t.is_known() {
            return (Value::unknown(Type::String), diags);
        }
        let (t, marks) = t.unmark();
        let mut all = marks;
        let mut buf = String::new();
        for v in t.as_seq().unwrap_or(&[]) {
            if v.is_null() {
                diags.push(self.error(
                    "Invalid template interpolation value",
                    "An iteration result is null. Cannot include a null value in a string template.",
                    span,
                ));
                continue;
            }
            if v.ty().is_dynamic() {
                return (Value::unknown(Type::String).with_marks(marks), diags);
            }
            let s = match convert::convert(v.clone(), &Type::String) {
                Ok(s) => s,
                Err(e) => {
                    diags.push(self.error(
                        "Invalid template interpolation value",
                        format!(
                            "Cannot include one of the interpolation results into the string template: {}.",
                            e.message
                        ),
                        span,
                    ));
                    continue;
                }
            };
            if !v.is_known() {
                return (Value::unknown(Type::String).with_marks(marks), diags);
            }
            let (s, m) = s.unmark();
            all |= m;
            buf.push_str(s.as_str().unwrap_or(""));
        }
        (Value::string(buf).with_marks(all), diags)
    }
}
