//! Operators and conditionals: operands converted to the operator's parameter type, then
//! the operation called as the function cty's stdlib defines for it, with HCL's
//! short-circuiting of `&&` and `||` and its conditional type unification.

use super::{Diags, Evaluator, has_errors};
use crate::cty::convert::{self, get_conversion, unify_unsafe};
use crate::cty::{Type, Value, ops};
use crate::hcl::ast::{BinaryOp, Expr, Span, UnaryOp, between};
use crate::lang::function::{FuncCtx, FuncError, Function, Param, Returns, call, refine_not_null};
use std::sync::LazyLock;

fn op_fn(
    name: &'static str,
    ty: Type,
    unknown: bool,
    null: bool,
    marked: bool,
    ret: fn() -> Type,
    imp: crate::lang::function::ImplFn,
) -> Function {
    let p = |n: &'static str| {
        let mut p = Param::new(n, ty.clone()).allow_dynamic();
        p.allow_unknown = unknown;
        p.allow_null = null;
        p.allow_marked = marked;
        p
    };
    Function {
        name,
        params: vec![p("a"), p("b")],
        var_param: None,
        returns: Returns::Static(ret),
        refine: Some(refine_not_null),
        imp,
    }
}

fn num() -> Type {
    Type::Number
}
fn boolean() -> Type {
    Type::Bool
}

fn arith(f: fn(&Value, &Value) -> Result<Value, String>) -> impl Fn(&[Value]) -> Result<Value, FuncError> {
    move |a: &[Value]| f(&a[0], &a[1]).map_err(FuncError::other)
}

static OPS: LazyLock<Vec<(BinaryOp, Function)>> = LazyLock::new(|| {
    vec![
        (BinaryOp::Or, op_fn("or", Type::Bool, false, false, true, boolean, |_, a, _| Ok(ops::or(&a[0], &a[1])))),
        (BinaryOp::And, op_fn("and", Type::Bool, false, false, true, boolean, |_, a, _| Ok(ops::and(&a[0], &a[1])))),
        (
            BinaryOp::Equal,
            op_fn("equal", Type::Dynamic, true, true, false, boolean, |_, a, _| Ok(ops::equals(&a[0], &a[1]))),
        ),
        (
            BinaryOp::NotEqual,
            op_fn("notequal", Type::Dynamic, true, true, false, boolean, |_, a, _| {
                Ok(ops::not(&ops::equals(&a[0], &a[1])))
            }),
        ),
        (
            BinaryOp::GreaterThan,
            op_fn("gt", Type::Number, true, false, true, boolean, |_, a, _| Ok(ops::greater_than(&a[0], &a[1]))),
        ),
        (
            BinaryOp::GreaterThanOrEqual,
            op_fn("ge", Type::Number, true, false, true, boolean, |_, a, _| {
                Ok(ops::greater_than_or_equal(&a[0], &a[1]))
            }),
        ),
        (
            BinaryOp::LessThan,
            op_fn("lt", Type::Number, true, false, true, boolean, |_, a, _| Ok(ops::less_than(&a[0], &a[1]))),
        ),
        (
            BinaryOp::LessThanOrEqual,
            op_fn("le", Type::Number, true, false, true, boolean, |_, a, _| Ok(ops::less_than_or_equal(&a[0], &a[1]))),
        ),
        (BinaryOp::Add, op_fn("add", Type::Number, false, false, false, num, |_, a, _| arith(ops::add)(a))),
        (
            BinaryOp::Subtract,
            op_fn("subtract", Type::Number, false, false, false, num, |_, a, _| arith(ops::subtract)(a)),
        ),
        (
            BinaryOp::Multiply,
            op_fn("multiply", Type::Number, false, false, false, num, |_, a, _| arith(ops::multiply)(a)),
        ),
        (BinaryOp::Divide, op_fn("divide", Type::Number, false, false, false, num, |_, a, _| arith(ops::divide)(a))),
        (BinaryOp::Modulo, op_fn("modulo", Type::Number, false, false, false, num, |_, a, _| arith(ops::modulo)(a))),
    ]
});

static NOT: LazyLock<Function> = LazyLock::new(|| Function {
    name: "not",
    params: vec![Param::new("val", Type::Bool).allow_dynamic().allow_marked()],
    var_param: None,
    returns: Returns::Static(boolean),
    refine: Some(refine_not_null),
    imp: |_, a, _| Ok(ops::not(&a[0])),
});

static NEGATE: LazyLock<Function> = LazyLock::new(|| Function {
    name: "negate",
    params: vec![Param::new("num", Type::Number).allow_dynamic().allow_marked()],
    var_param: None,
    returns: Returns::Static(num),
    refine: Some(refine_not_null),
    imp: |_, a, _| Ok(ops::negate(&a[0])),
});

impl Evaluator<'_> {
    fn func_ctx(&self) -> FuncCtx<'_> {
        FuncCtx { base_dir: self.base_dir, template: None, plan_timestamp: self.plan_timestamp }
    }

    /// HCL 2.23's `BinaryOpExpr.Value` (the version Terraform 1.11 uses): both operands are
    /// evaluated and converted, every error reported, then the operation called as a
    /// function — no short-circuiting, so `false && null` is an error and `false && x` is
    /// unknown when `x` is.
    pub(super) fn binary_op(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr, span: &Span) -> (Value, Diags) {
        let f = &OPS.iter().find(|(o, _)| *o == op).expect("every operator").1;
        let op_ty = match op {
            BinaryOp::Add | BinaryOp::Subtract | BinaryOp::Multiply | BinaryOp::Divide | BinaryOp::Modulo => {
                Type::Number
            }
            _ => Type::Bool,
        };
        let (given_l, mut diags) = self.value(lhs);
        let (given_r, rhs_diags) = self.value(rhs);
        diags.extend(rhs_diags);
        let l = match convert::convert(given_l, &f.params[0].ty) {
            Ok(v) => Some(v),
            Err(e) => {
                diags.push(self.error(
                    "Invalid operand",
                    format!("Unsuitable value for left operand: {}.", e.message),
                    &lhs.span,
                ));
                None
            }
        };
        let r = match convert::convert(given_r, &f.params[1].ty) {
            Ok(v) => Some(v),
            Err(e) => {
                diags.push(self.error(
                    "Invalid operand",
                    format!("Unsuitable value for right operand: {}.", e.message),
                    &rhs.span,
                ));
                None
            }
        };
        if has_errors(&diags) {
            return (Value::unknown(op_ty), diags);
        }
        let (Some(l), Some(r)) = (l, r) else { return (Value::unknown(op_ty), diags) };
        match call(f, &self.func_ctx(), vec![l, r]) {
            Ok(v) => (v, diags),
            Err(e) => {
                diags.push(self.error("Operation failed", format!("Error during operation: {e}."), span));
                (Value::unknown(op_ty), diags)
            }
        }
    }

    pub(super) fn unary_op(&mut self, op: UnaryOp, val: &Expr, span: &Span) -> (Value, Diags) {
        let f: &Function = match op {
            UnaryOp::Not => &NOT,
            UnaryOp::Negate => &NEGATE,
        };
        let op_ty = f.params[0].ty.clone();
        let (given, mut diags) = self.value(val);
        let v = match convert::convert(given, &op_ty) {
            Ok(v) => Some(v),
            Err(e) => {
                diags.push(self.error(
                    "Invalid operand",
                    format!("Unsuitable value for unary operand: {}.", e.message),
                    &val.span,
                ));
                None
            }
        };
        if has_errors(&diags) {
            return (Value::unknown(op_ty), diags);
        }
        match call(f, &self.func_ctx(), vec![v.expect("converted")]) {
            Ok(v) => (v, diags),
            Err(e) => {
                diags.push(self.error("Operation failed", format!("Error during operation: {e}."), span));
                (Value::unknown(op_ty), diags)
            }
        }
    }

    /// hclsyntax's `ConditionalExpr.Value`: both results are evaluated (to unify their
    /// types), only the chosen one's diagnostics are kept, marks of all three are kept.
    pub(super) fn conditional(&mut self, cond: &Expr, if_true: &Expr, if_false: &Expr, span: &Span) -> (Value, Diags) {
        let (t, t_diags) = self.value(if_true);
        let (f, f_diags) = self.value(if_false);
        let mut diags = Vec::new();
        let (tt, ft) = (t.ty(), f.ty());
        let is_dyn_null = |v: &Value| matches!(v.unmarked(), Value::Null(Type::Dynamic)) && !v.is_marked();
        let (result_ty, convs): (Option<Type>, [Option<convert::Conversion>; 2]) = if is_dyn_null(&t) {
            (Some(ft.clone()), [get_conversion(&Type::Dynamic, &ft, true), None])
        } else if is_dyn_null(&f) {
            (Some(tt.clone()), [None, get_conversion(&Type::Dynamic, &tt, true)])
        } else if tt.is_dynamic() || ft.is_dynamic() {
            (Some(Type::Dynamic), [None, None])
        } else {
            let (ty, mut c) = unify_unsafe(&[tt.clone(), ft.clone()]);
            let c1 = c.pop().flatten();
            let c0 = c.pop().flatten();
            (ty, [c0, c1])
        };
        let Some(result_ty) = result_ty else {
            diags.push(self.error(
                "Inconsistent conditional result types",
                format!(
                    "The true and false result expressions must have consistent types. {}.",
                    describe_mismatch(&tt, &ft)
                ),
                &between(&if_true.span, &if_false.span),
            ));
            return (Value::DYNAMIC, diags);
        };
        let (c, c_diags) = self.value(cond);
        diags.extend(c_diags);
        if c.is_null() {
            diags.push(self.error(
                "Null condition",
                "The condition value is null. Conditions must either be true or false.",
                &cond.span,
            ));
            return (Value::unknown(result_ty), diags);
        }
        let (c, cm) = c.unmark();
        let (t, tm) = t.unmark();
        let (f, fm) = f.unmark();
        let marks = cm | tm | fm;
        if !c.is_known() {
            return (unknown_conditional(&t, &f, result_ty).with_marks(marks), diags);
        }
        let c = match convert::convert(c, &Type::Bool) {
            Ok(c) => c,
            Err(_) => {
                diags.push(self.error(
                    "Incorrect condition type",
                    "The condition expression must be of type bool.",
                    &cond.span,
                ));
                return (Value::unknown(result_ty), diags);
            }
        };
        let (chosen, chosen_diags, conv, which, chosen_span) = if c.as_bool() == Some(true) {
            (t, t_diags, &convs[0], "true", &if_true.span)
        } else {
            (f, f_diags, &convs[1], "false", &if_false.span)
        };
        diags.extend(chosen_diags);
        let out = match conv {
            Some(conv) => match conv(chosen, &mut Vec::new()) {
                Ok(v) => v,
                Err(e) => {
                    diags.push(self.error(
                        "Inconsistent conditional result types",
                        format!("The {which} result value has the wrong type: {}.", e.message),
                        chosen_span,
                    ));
                    Value::unknown(result_ty)
                }
            },
            None => chosen,
        };
        let _ = span;
        (out.with_marks(marks), diags)
    }
}

/// The result of a conditional whose condition is unknown, refined from both branches.
fn unknown_conditional(t: &Value, f: &Value, result_ty: Type) -> Value {
    if t.is_null() && f.is_null() {
        return Value::Null(result_ty);
    }
    let (tr, fr) = (t.range(), f.range());
    let both_not_null = tr.definitely_not_null() && fr.definitely_not_null();
    let (tty, fty) = (t.ty(), f.ty());
    if tty == Type::Number && fty == Type::Number {
        let mut b = Value::unknown(Type::Number).refine();
        if both_not_null {
            b = b.not_null();
        }
        let (f_lo, f_lo_inc) = fr.number_lower_bound();
        let (f_hi, f_hi_inc) = fr.number_upper_bound();
        let (t_lo, t_lo_inc) = tr.number_lower_bound();
        let (t_hi, t_hi_inc) = tr.number_upper_bound();
        if f_lo.is_known() && t_lo.is_known() {
            let (mut lo, mut inc) = (f_lo.clone(), f_lo_inc);
            if ops::less_than(&t_lo, &f_lo).as_bool() == Some(true) {
                (lo, inc) = (t_lo, t_lo_inc);
            } else if ops::equals(&t_lo, &f_lo).as_bool() == Some(true) {
                inc = t_lo_inc || f_lo_inc;
            }
            b = b.number_lower_bound(&lo, inc);
        }
        if f_hi.is_known() && t_hi.is_known() {
            let (mut hi, mut inc) = (f_hi.clone(), f_hi_inc);
            if ops::greater_than(&t_hi, &f_hi).as_bool() == Some(true) {
                (hi, inc) = (t_hi, t_hi_inc);
            } else if ops::equals(&t_hi, &f_hi).as_bool() == Some(true) {
                inc = t_hi_inc || f_hi_inc;
            }
            b = b.number_upper_bound(&hi, inc);
        }
        return b.new_value();
    }
    if tty.is_collection() && fty.is_collection() && tty == fty {
        let mut b = Value::unknown(result_ty).refine();
        if both_not_null {
            b = b.not_null();
        }
        let lo = tr.length_lower_bound().min(fr.length_lower_bound());
        let hi = tr.length_upper_bound().max(fr.length_upper_bound());
        return b.collection_length_lower_bound(lo).collection_length_upper_bound(hi).new_value();
    }
    let ret = Value::unknown(result_ty);
    if both_not_null { ret.refine_not_null() } else { ret }
}

/// hclsyntax's `describeConditionalTypeMismatch`.
fn describe_mismatch(t: &Type, f: &Type) -> String {
    use crate::cty::ty::go_quote;
    match (t, f) {
        (Type::Object(to), Type::Object(fo)) => {
            for (name, tat) in &to.attrs {
                let Some(fat) = fo.attrs.get(name) else {
                    return format!(
                        "The 'true' value includes object attribute {}, which is absent in the 'false' value",
                        go_quote(name)
                    );
                };
                if tat != fat {
                    return format!(
                        "Type mismatch for object attribute {}: {}",
                        go_quote(name),
                        describe_mismatch(tat, fat)
                    );
                }
            }
            for name in fo.attrs.keys() {
                if !to.attrs.contains_key(name) {
                    return format!(
                        "The 'false' value includes object attribute {}, which is absent in the 'true' value",
                        go_quote(name)
                    );
                }
            }
        }
        (Type::Tuple(tt), Type::Tuple(ft)) => {
            if tt.len() != ft.len() {
                return format!(
                    "The 'true' tuple has length {}, but the 'false' tuple has length {}",
                    tt.len(),
                    ft.len()
                );
            }
            for (i, (a, b)) in tt.iter().zip(ft.iter()).enumerate() {
                if a != b {
                    return format!("Type mismatch for tuple element {i}: {}", describe_mismatch(a, b));
                }
            }
        }
        (Type::Map(te), Type::Map(fe)) | (Type::List(te), Type::List(fe)) | (Type::Set(te), Type::Set(fe))
            if (te.is_object() && fe.is_object()) || (te.is_tuple() && fe.is_tuple()) =>
        {
            let noun = match t {
                Type::Map(_) => "map",
                Type::List(_) => "list",
                _ => "set",
            };
            return format!("Mismatched {noun} element types: {}", describe_mismatch(te, fe));
        }
        _ => {}
    }
    let (tn, fn_) = (t.friendly_name(), f.friendly_name());
    if tn == fn_ {
        return "At least one deeply-nested attribute or element is not compatible across both the 'true' and the 'false' value".into();
    }
    format!("The 'true' value is {tn}, but the 'false' value is {fn_}")
}
