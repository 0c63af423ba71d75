//! Arithmetic and comparison as cty does it (`cty/value_ops.go`, `cty/primitive_type.go`).
//!
//! Add, Subtract (= Add of the negation) and Divide are Go's operations into a fresh Float:
//! the result takes the larger precision. Multiply is cty's own: the product is rounded to 512
//! bits and then carries `max(precisions, MinPrec(product))`. Modulo is cty's truncating
//! algorithm with Go's operations at the dividend's precision. Compact operands take exact
//! shortcuts that give the same value and precision; everything else goes through BigFloat.

use super::bigfloat::BigFloat;
use super::{DEC_PREC, Number, Repr, min_prec_u64};
use std::cmp::Ordering;

/// Errors of cty's number operations, worded as Terraform reports them.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NumberError {
    #[error("can't compute sum of opposing infinities")]
    OpposingInfinities,
    #[error("can't subtract infinity from itself")]
    InfinityMinusInfinity,
    #[error("can't multiply zero by infinity")]
    ZeroTimesInfinity,
    #[error("can't divide zero by zero or infinity by infinity")]
    IndeterminateQuotient,
    #[error("can't use modulo with zero and infinity")]
    ModuloZeroInfinity,
    /// cty's Modulo dereferences a nil integer when the dividend is infinite (a Go panic).
    #[error("panic in function implementation: runtime error: invalid memory address or nil pointer dereference")]
    ModuloOfInfinity,
    /// A whole number in int64 range was required (`signum`).
    #[error("value must be a whole number, between -9223372036854775808 and 9223372036854775807")]
    NotAnInt64,
    /// A finite number too large for float64 (`pow`, `log`).
    #[error(
        "value must be between -179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.000000 and 179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.000000 inclusive"
    )]
    OutOfFloat64Range,
    /// A float64 function returned NaN, which Go cannot turn into a number (a panic).
    #[error("panic in function implementation: Float.SetFloat64(NaN)")]
    NaN,
}

/// An exact decimal `(mant, exp)` for integers and for `Dec` values whose binary value is
/// exact (dyadic), when the precision is 512.
fn exact_decimal(r: &Repr) -> Option<(i64, i64)> {
    match *r {
        Repr::Int { v, prec, .. } if prec <= DEC_PREC => Some((v, 0)),
        Repr::Dec { mant, exp } => {
            let p = 5i64.checked_pow(u32::from(exp.unsigned_abs()))?;
            (mant % p == 0).then_some((mant, i64::from(exp)))
        }
        _ => None,
    }
}

fn align(a: (i64, i64), b: (i64, i64)) -> Option<(i64, i64, i64)> {
    let e = a.1.min(b.1);
    let sa = a.0.checked_mul(10i64.checked_pow(u32::try_from(a.1 - e).ok()?)?)?;
    let sb = b.0.checked_mul(10i64.checked_pow(u32::try_from(b.1 - e).ok()?)?)?;
    Some((sa, sb, e))
}

fn int(v: i64, prec: u32) -> Number {
    Number(Repr::Int { v, prec, neg_zero: false })
}

impl Number {
    fn is_neg(&self) -> bool {
        match self.0 {
            Repr::Int { v, neg_zero, .. } => v < 0 || neg_zero,
            Repr::Dec { mant, .. } => mant < 0,
            Repr::Big(ref b) => b.neg,
        }
    }

    /// Zero (of either sign).
    pub fn is_zero(&self) -> bool {
        matches!(self.0, Repr::Int { v: 0, .. })
    }

    /// Below zero (negative infinity included; `-0` is not).
    pub fn is_negative(&self) -> bool {
        self.signum_raw() < 0
    }

    /// Go's `big.Float.String()` (`Text('g', 10)`), the spelling cty's set hashing uses.
    pub fn go_string(&self) -> String {
        let spec = super::format::FormatSpec { precision: Some(10), ..Default::default() };
        self.format('g', &spec).unwrap_or_else(|_| self.to_string())
    }

    /// cty `Add` (`+`).
    pub fn add(&self, other: &Number) -> Result<Number, NumberError> {
        if let Some(r) = self.add_compact(other) {
            return Ok(r);
        }
        let (a, b) = (self.big(), other.big());
        BigFloat::add(&a, &b, a.prec.max(b.prec)).map(Number::from_big).ok_or(NumberError::OpposingInfinities)
    }

    fn add_compact(&self, other: &Number) -> Option<Number> {
        if let (Repr::Int { v: a, prec: pa, neg_zero: za }, Repr::Int { v: b, prec: pb, neg_zero: zb }) =
            (&self.0, &other.0)
        {
            let prec = (*pa).max(*pb);
            if *a == 0 && *b == 0 {
                return Some(Number(Repr::Int { v: 0, prec, neg_zero: *za && *zb }));
            }
            let r = a.checked_add(*b)?;
            return (min_prec_u64(r.unsigned_abs()) <= prec).then(|| int(r, prec));
        }
        let (sa, sb, e) = align(exact_decimal(&self.0)?, exact_decimal(&other.0)?)?;
        let r = sa.checked_add(sb)?;
        if r == 0 {
            return Some(int(0, DEC_PREC));
        }
        Number::from_decimal(r, e)
    }

    /// cty `Subtract` (`-`): the sum with the negation.
    pub fn sub(&self, other: &Number) -> Result<Number, NumberError> {
        self.add(&other.neg()).map_err(|_| NumberError::InfinityMinusInfinity)
    }

    /// cty `Negate`: the same precision, the sign flipped (`-0` included).
    pub fn neg(&self) -> Number {
        Number(match self.0 {
            Repr::Int { v: 0, prec, neg_zero } => Repr::Int { v: 0, prec, neg_zero: !neg_zero },
            Repr::Int { v, prec, .. } if v != i64::MIN => Repr::Int { v: -v, prec, neg_zero: false },
            Repr::Dec { mant, exp } => Repr::Dec { mant: -mant, exp },
            _ => return Number::from_big(self.big().negated()),
        })
    }

    /// cty `Absolute`.
    pub fn abs(&self) -> Number {
        if self.is_neg() { self.neg() } else { self.clone() }
    }

    /// cty `Multiply` (`*`).
    pub fn mul(&self, other: &Number) -> Result<Number, NumberError> {
        if let Some(r) = self.mul_compact(other) {
            return Ok(r);
        }
        let (a, b) = (self.big(), other.big());
        let r = BigFloat::mul(&a, &b, 512).ok_or(NumberError::ZeroTimesInfinity)?;
        let prec = a.prec.max(b.prec).max(r.min_prec());
        Ok(Number::from_big(r.with_prec(prec)))
    }

    fn mul_compact(&self, other: &Number) -> Option<Number> {
        if let (Repr::Int { v: a, prec: pa, .. }, Repr::Int { v: b, prec: pb, .. }) = (&self.0, &other.0) {
            let prec = (*pa).max(*pb);
            if *a == 0 || *b == 0 {
                let neg_zero = self.is_neg() != other.is_neg();
                return Some(Number(Repr::Int { v: 0, prec, neg_zero }));
            }
            let r = a.checked_mul(*b)?;
            return Some(int(r, prec.max(min_prec_u64(r.unsigned_abs()))));
        }
        if self.is_zero() || other.is_zero() {
            return None;
        }
        let (a, ea) = exact_decimal(&self.0)?;
        let (b, eb) = exact_decimal(&other.0)?;
        Number::from_decimal(a.checked_mul(b)?, ea + eb)
    }

    /// cty `Divide` (`/`): `x/0` is ±Inf; `0/0` and `Inf/Inf` are errors.
    pub fn div(&self, other: &Number) -> Result<Number, NumberError> {
        if let Some(r) = self.div_compact(other) {
            return Ok(r);
        }
        let (a, b) = (self.big(), other.big());
        BigFloat::quo(&a, &b, a.prec.max(b.prec)).map(Number::from_big).ok_or(NumberError::IndeterminateQuotient)
    }

    fn div_compact(&self, other: &Number) -> Option<Number> {
        let (Repr::Int { v: a, prec: pa, .. }, Repr::Int { v: b, prec: pb, .. }) = (&self.0, &other.0) else {
            return None;
        };
        let prec = (*pa).max(*pb);
        if *b == 0 {
            return None;
        }
        if *a == 0 {
            return Some(Number(Repr::Int { v: 0, prec, neg_zero: self.is_neg() != other.is_neg() }));
        }
        if a.checked_rem(*b)? == 0 {
            let q = a / b;
            return (min_prec_u64(q.unsigned_abs()) <= prec).then(|| int(q, prec));
        }
        // a / b is exact when b = d × 2^j with d dividing a: (a / d) × 5^j / 10^j.
        let j = b.trailing_zeros();
        let d = b >> j;
        if a.checked_rem(d)? != 0 {
            return None;
        }
        let q = a.checked_div(d)?;
        if j == 0 {
            return (min_prec_u64(q.unsigned_abs()) <= prec).then(|| int(q, prec));
        }
        if prec != DEC_PREC {
            return None;
        }
        Number::from_decimal(q.checked_mul(5i64.checked_pow(j)?)?, -i64::from(j))
    }

    /// cty `Modulo` (`%`): `x - trunc(x/y)*y` with Go's operations at `x`'s precision;
    /// `x % 0` is `x`.
    ///
    /// cty's own infinity shortcut only fires for the `cty.PositiveInfinity` object itself
    /// (`min()`/`max()` can return it); any other infinite dividend makes cty panic, which is
    /// [`NumberError::ModuloOfInfinity`] here.
    pub fn modulo(&self, other: &Number) -> Result<Number, NumberError> {
        if other.signum_raw() == 0 && !other.is_infinite() {
            return Ok(self.clone());
        }
        if let (&Repr::Int { v: a, prec: pa, neg_zero: za }, &Repr::Int { v: b, prec: pb, .. }) = (&self.0, &other.0)
            && pa >= 64
            && pb >= 64
        {
            let r = a.checked_rem(b).unwrap_or(0);
            let neg_zero = r == 0 && a == 0 && za && b > 0;
            return Ok(Number(Repr::Int { v: r, prec: pa, neg_zero }));
        }
        let (v, o) = (self.big(), other.big());
        let rat = BigFloat::quo(&v, &o, v.prec.max(o.prec)).ok_or(NumberError::ModuloZeroInfinity)?;
        let (Some(i), _) = rat.to_int() else {
            return Err(NumberError::ModuloOfInfinity);
        };
        let work = BigFloat::from_bigint(&i, Some(v.prec));
        let work = BigFloat::mul(&o, &work, v.prec).ok_or(NumberError::ModuloZeroInfinity)?;
        BigFloat::sub(&v, &work, v.prec).map(Number::from_big).ok_or(NumberError::ModuloZeroInfinity)
    }

    /// -1, 0 or 1 (0 for both zeros).
    fn signum_raw(&self) -> i32 {
        match &self.0 {
            Repr::Int { v, .. } => v.signum() as i32,
            Repr::Dec { mant, .. } => mant.signum() as i32,
            Repr::Big(b) => b.sign(),
        }
    }

    /// Numeric order (`<`, `>`, `min`, `max`, set element order): `-0 == 0`, infinities at
    /// the ends. Total, since there is no NaN. (Not `Ord`: Terraform's equality is
    /// [`Number::raw_equal`], which is not numeric identity.)
    #[allow(clippy::should_implement_trait)]
    pub fn cmp(&self, other: &Number) -> Ordering {
        match (&self.0, &other.0) {
            (Repr::Int { v: a, .. }, Repr::Int { v: b, .. }) => a.cmp(b),
            (&Repr::Dec { mant: a, exp: ea }, &Repr::Dec { mant: b, exp: eb }) if ea == eb => a.cmp(&b),
            _ => self.big().cmp(&other.big()),
        }
    }

    /// Alias of [`Number::cmp`] for sorting (as cty sorts set elements).
    pub fn total_cmp(&self, other: &Number) -> Ordering {
        self.cmp(other)
    }

    /// cty's `rawNumberEqual` (`==`): integers compare exactly; other numbers are equal when
    /// they print the same (`Text('f', -1)`, each at its own precision), with `-0` equal to `0`.
    pub fn raw_equal(&self, other: &Number) -> bool {
        if self.signum_raw() != other.signum_raw() {
            return false;
        }
        match (&self.0, &other.0) {
            (Repr::Int { v: a, .. }, Repr::Int { v: b, .. }) => return a == b,
            (Repr::Dec { mant: a, exp: ea }, Repr::Dec { mant: b, exp: eb }) => return a == b && ea == eb,
            (Repr::Int { .. }, Repr::Dec { .. }) | (Repr::Dec { .. }, Repr::Int { .. }) => return false,
            _ => {}
        }
        let (a, b) = (self.big(), other.big());
        let ((ia, acc_a), (ib, acc_b)) = (a.to_int(), b.to_int());
        if acc_a != acc_b {
            return false;
        }
        if acc_a == Ordering::Equal {
            return ia == ib;
        }
        self.to_string() == other.to_string()
    }

    /// cty stdlib `floor`: rounds toward -Inf at the same precision; infinities unchanged.
    pub fn floor(&self) -> Number {
        self.round_integral(false)
    }

    /// cty stdlib `ceil`: rounds toward +Inf at the same precision; infinities unchanged.
    pub fn ceil(&self) -> Number {
        self.round_integral(true)
    }

    fn round_integral(&self, up: bool) -> Number {
        match self.0 {
            // SetInt of the (exact) integer part: a zero becomes +0.
            Repr::Int { v, prec, .. } => return int(v, prec),
            Repr::Dec { mant, exp } => {
                // Beyond 10^18 the divisor exceeds any mantissa: the integer part is 0.
                let t = 10i64.checked_pow(u32::from(exp.unsigned_abs())).map_or(0, |p| mant / p);
                let t = if up && mant > 0 {
                    t + 1
                } else if !up && mant < 0 {
                    t - 1
                } else {
                    t
                };
                return int(t, DEC_PREC);
            }
            Repr::Big(_) => {}
        }
        let b = self.big();
        let (Some(mut i), acc) = b.to_int() else {
            return self.clone();
        };
        if up && acc == Ordering::Less {
            i += 1;
        } else if !up && acc == Ordering::Greater {
            i -= 1;
        }
        Number::from_big(BigFloat::from_bigint(&i, Some(b.prec)))
    }

    /// cty stdlib `signum`: -1, 0 or 1 (precision 64); the argument must be a whole number in
    /// int64 range, as cty converts it to a Go `int` first.
    pub fn signum(&self) -> Result<Number, NumberError> {
        let v = self.to_i64().ok_or(NumberError::NotAnInt64)?;
        Ok(Number::from_i64(v.signum()))
    }

    /// The `f64` that cty's gocty conversion gives: finite numbers beyond float64 are errors.
    fn to_f64_arg(&self) -> Result<f64, NumberError> {
        let f = self.to_f64();
        if f.is_infinite() && !self.is_infinite() {
            return Err(NumberError::OutOfFloat64Range);
        }
        Ok(f)
    }

    /// cty stdlib `pow`: Go's `math.Pow` on float64 values, a 53-bit result.
    pub fn pow(&self, power: &Number) -> Result<Number, NumberError> {
        let (x, y) = (self.to_f64_arg()?, power.to_f64_arg()?);
        Number::from_f64(super::gomath::pow(x, y)).ok_or(NumberError::NaN)
    }

    /// cty stdlib `log`: `math.Log(num) / math.Log(base)` on float64 values, a 53-bit result.
    pub fn log(&self, base: &Number) -> Result<Number, NumberError> {
        let (x, b) = (self.to_f64_arg()?, base.to_f64_arg()?);
        Number::from_f64(super::gomath::log(x) / super::gomath::log(b)).ok_or(NumberError::NaN)
    }
}
