//! Unary and binary operators, with Terraform's conversions (numeric strings are numbers
//! for arithmetic), unknown propagation and sensitive marks.

use crate::types::{Type, convert};
use crate::value::Value;
use hcl_edit::expr::{BinaryOperator as Op, UnaryOperator};

pub(crate) fn unary(op: UnaryOperator, v: Value) -> Result<Value, String> {
    let (v, marked) = v.into_unmarked();
    let out = match (op, v) {
        (_, Value::Unknown) => Value::Unknown,
        (UnaryOperator::Neg, v) => Value::Number(-number(v)?),
        (UnaryOperator::Not, v) => Value::Bool(!boolean(v)?),
    };
    Ok(out.mark_if(marked))
}

fn number(v: Value) -> Result<f64, String> {
    match v {
        Value::Null => Err("Unsuitable value for unary operand: a number is required, not null.".into()),
        v => match convert(v, &Type::Number) {
            Ok(Value::Number(n)) => Ok(n),
            Ok(_) => Err("Unsuitable value for operand: a number is required.".into()),
            Err(e) => Err(format!("Unsuitable value for operand: {}.", e.message)),
        },
    }
}

fn boolean(v: Value) -> Result<bool, String> {
    match v {
        Value::Null => Err("Unsuitable value for operand: a bool is required, not null.".into()),
        v => match convert(v, &Type::Bool) {
            Ok(Value::Bool(b)) => Ok(b),
            Ok(_) => Err("Unsuitable value for operand: a bool is required.".into()),
            Err(e) => Err(format!("Unsuitable value for operand: {}.", e.message)),
        },
    }
}

pub(crate) fn binary(op: Op, lhs: Value, rhs: Value) -> Result<Value, String> {
    let (l, lm) = lhs.into_unmarked();
    let (r, rm) = rhs.into_unmarked();
    let marked = lm || rm;
    let out = match op {
        Op::Eq | Op::NotEq => {
            if !l.is_wholly_known() || !r.is_wholly_known() {
                Value::Unknown
            } else {
                let eq = l.lang_eq(&r);
                Value::Bool(if op == Op::Eq { eq } else { !eq })
            }
        }
        Op::And | Op::Or => {
            if l.is_unknown() || r.is_unknown() {
                // A known operand can still decide the result.
                let decide = op != Op::And;
                if l.as_bool() == Some(decide) || r.as_bool() == Some(decide) {
                    Value::Bool(decide)
                } else {
                    Value::Unknown
                }
            } else {
                let (a, b) = (boolean(l)?, boolean(r)?);
                Value::Bool(if op == Op::And { a && b } else { a || b })
            }
        }
        _ => {
            if l.is_unknown() || r.is_unknown() {
                Value::Unknown
            } else {
                let (a, b) = (number(l)?, number(r)?);
                match op {
                    Op::Plus => Value::Number(a + b),
                    Op::Minus => Value::Number(a - b),
                    Op::Mul => Value::Number(a * b),
                    Op::Div => {
                        if b == 0.0 {
                            return Err("Can't divide by zero.".into());
                        }
                        Value::Number(a / b)
                    }
                    Op::Mod => {
                        if b == 0.0 {
                            return Err("Can't use modulo by zero.".into());
                        }
                        Value::Number(a % b)
                    }
                    Op::Less => Value::Bool(a < b),
                    Op::LessEq => Value::Bool(a <= b),
                    Op::Greater => Value::Bool(a > b),
                    Op::GreaterEq => Value::Bool(a >= b),
                    Op::Eq | Op::NotEq | Op::And | Op::Or => unreachable!(),
                }
            }
        }
    };
    Ok(out.mark_if(marked))
}
