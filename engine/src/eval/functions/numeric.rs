//! Numeric functions: min, max, abs, ceil, floor, pow, signum, log, parseint.

use super::*;

pub(super) fn functions() -> Vec<Function> {
    vec![
        Function::new("min", &[], |_, a| extreme(a, f64::min)).variadic("numbers"),
        Function::new("max", &[], |_, a| extreme(a, f64::max)).variadic("numbers"),
        Function::new("abs", &["num"], |_, a| Ok(Value::Number(num_arg(&a, 0)?.abs()))),
        // `+ 0.0` turns the negative zero of `ceil(-0.5)` into zero, as Terraform prints it.
        Function::new("ceil", &["num"], |_, a| Ok(Value::Number(num_arg(&a, 0)?.ceil() + 0.0))),
        Function::new("floor", &["num"], |_, a| Ok(Value::Number(num_arg(&a, 0)?.floor() + 0.0))),
        Function::new("pow", &["num", "power"], |_, a| Ok(Value::Number(num_arg(&a, 0)?.powf(num_arg(&a, 1)?)))),
        // Terraform's signum takes whole numbers only.
        Function::new("signum", &["num"], |_, a| {
            let n = whole(num_arg(&a, 0)?).ok_or_else(|| FuncError::Call(format!("{WHOLE_NUMBER}.")))?;
            Ok(Value::from(n.signum()))
        }),
        Function::new("log", &["num", "base"], log),
        Function::new("parseint", &["number", "base"], parseint),
    ]
}

fn extreme(a: Vec<Value>, pick: fn(f64, f64) -> f64) -> Result<Value, FuncError> {
    if a.is_empty() {
        return Err(FuncError::Call("must pass at least one number.".into()));
    }
    let mut best = num_arg(&a, 0)?;
    for i in 1..a.len() {
        best = pick(best, num_arg(&a, i)?);
    }
    Ok(Value::Number(best))
}

fn log(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let n = num_arg(&a, 0)?;
    let base = num_arg(&a, 1)?;
    let out = n.ln() / base.ln();
    if out.is_nan() {
        // Terraform panics here; an error is kinder.
        return Err(FuncError::Call(format!(
            "the logarithm of {} in base {} is not a number.",
            num_str(n),
            num_str(base)
        )));
    }
    Ok(Value::Number(out))
}

/// Go's `big.Int.SetString` with an explicit base: an optional sign, then digits only
/// (`0-9a-z` up to base 36, case-insensitively; `0-9a-zA-Z` beyond).
fn parseint(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    // Unlike most string parameters, this one does not take numbers.
    let Value::String(s) = a[0].clone() else {
        return Err(arg_err(0, format!("first argument must be a string, not {}.", friendly_type(&a[0]))));
    };
    let base = int_arg(&a, 1)?;
    if !(2..=62).contains(&base) {
        return Err(arg_err(1, "base must be a whole number between 2 and 62 inclusive."));
    }
    let bad = || arg_err(0, format!("cannot parse {} as a base {base} integer.", super::encoding::json_string(&s)));
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s.as_str()),
    };
    if digits.is_empty() {
        return Err(bad());
    }
    // Exact in 128 bits; beyond that, as close as a float gets.
    let (mut exact, mut approx) = (Some(0u128), 0f64);
    for c in digits.chars() {
        let d = match c {
            '0'..='9' => c as i64 - '0' as i64,
            'a'..='z' => c as i64 - 'a' as i64 + 10,
            'A'..='Z' if base <= 36 => c as i64 - 'A' as i64 + 10,
            'A'..='Z' => c as i64 - 'A' as i64 + 36,
            _ => return Err(bad()),
        };
        if d >= base {
            return Err(bad());
        }
        exact = exact.and_then(|n| n.checked_mul(base as u128)?.checked_add(d as u128));
        approx = approx * base as f64 + d as f64;
    }
    let n = exact.map_or(approx, |n| n as f64);
    Ok(Value::Number(if neg && n != 0.0 { -n } else { n }))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn min_max() {
        assert_eq!(ok("min", vec![n(1.0), n(2.5), n(-3.0)]), n(-3.0));
        assert_eq!(ok("max", vec![n(1.0), s("5")]), n(5.0));
        assert_eq!(err("min", vec![]), "must pass at least one number.");
        assert_eq!(
            call_fn("max", vec![n(1.0), list(vec![])]).unwrap_err(),
            FuncError::Arg(1, "number required.".into())
        );
        assert_eq!(err("max", vec![s(" 1")]), "a number is required.");
    }

    #[test]
    fn rounding_and_sign() {
        assert_eq!(ok("abs", vec![n(-1.5)]), n(1.5));
        assert_eq!(ok("ceil", vec![n(1.2)]), n(2.0));
        assert_eq!(ok("floor", vec![n(-1.2)]), n(-2.0));
        let Value::Number(z) = ok("ceil", vec![n(-0.5)]) else { panic!() };
        assert!(z == 0.0 && z.is_sign_positive());
        assert_eq!(ok("signum", vec![n(-3.0)]), n(-1.0));
        assert_eq!(ok("signum", vec![n(0.0)]), n(0.0));
        assert_eq!(ok("signum", vec![n(7.0)]), n(1.0));
        assert_eq!(
            err("signum", vec![n(-0.1)]),
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807."
        );
    }

    #[test]
    fn pow_and_log() {
        assert_eq!(ok("pow", vec![n(2.0), n(10.0)]), n(1024.0));
        assert_eq!(ok("pow", vec![n(2.0), n(-1.0)]), n(0.5));
        assert_eq!(ok("pow", vec![n(0.0), n(0.0)]), n(1.0));
        assert_eq!(ok("log", vec![n(16.0), n(2.0)]), n(4.0));
        assert_eq!(ok("log", vec![n(100.0), n(10.0)]), n(2.0));
        assert_eq!(ok("log", vec![n(0.0), n(10.0)]), n(f64::NEG_INFINITY));
        assert_eq!(err("log", vec![n(-1.0), n(10.0)]), "the logarithm of -1 in base 10 is not a number.");
    }

    #[test]
    fn parseint_bases() {
        let p = |x: &str, b: f64| ok("parseint", vec![s(x), n(b)]);
        assert_eq!(p("100", 10.0), n(100.0));
        assert_eq!(p("FF", 16.0), n(255.0));
        assert_eq!(p("ff", 16.0), n(255.0));
        assert_eq!(p("-10", 2.0), n(-2.0));
        assert_eq!(p("+5", 10.0), n(5.0));
        assert_eq!(p("zz", 36.0), n(1295.0));
        assert_eq!(p("Z", 62.0), n(61.0));
        assert_eq!(p("z", 62.0), n(35.0));
        assert_eq!(p("1", 37.0), n(1.0));
        assert_eq!(p("9999999999999999999999", 10.0), n(1e22));
        assert_eq!(
            call_fn("parseint", vec![n(1.0), n(10.0)]).unwrap_err(),
            FuncError::Arg(0, "first argument must be a string, not number.".into())
        );
        for bad in ["12", "", " 1", "1_0", "0x10", "-"] {
            assert_eq!(
                call_fn("parseint", vec![s(bad), n(2.0)]).unwrap_err(),
                FuncError::Arg(0, format!("cannot parse {bad:?} as a base 2 integer.")),
            );
        }
        let Value::Number(z) = p("-0", 10.0) else { panic!() };
        assert!(z == 0.0 && z.is_sign_positive());
        assert_eq!(
            call_fn("parseint", vec![s("1"), n(2.5)]).unwrap_err(),
            FuncError::Arg(
                1,
                "value must be a whole number, between -9223372036854775808 and 9223372036854775807.".into()
            )
        );
        for base in [1.0, 63.0] {
            assert_eq!(
                call_fn("parseint", vec![s("1"), n(base)]).unwrap_err(),
                FuncError::Arg(1, "base must be a whole number between 2 and 62 inclusive.".into())
            );
        }
    }
}
