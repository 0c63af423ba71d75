//! A binary floating-point number with a precision of its own, rounding to nearest even,
//! behaving exactly like Go's `math/big.Float` in the ways cty uses it.
//!
//! Representation: a finite value is `±mant × 2^(exp − bits(mant))`, i.e. `0.mant × 2^exp` as in
//! Go, with `mant` odd (trailing zero bits are dropped, so `bits(mant)` is Go's `MinPrec`). The
//! exponent has Go's range (`i32`): results beyond it become ±0 or ±Inf as in Go. Every operation
//! computes the exact result (or, for division, enough quotient bits plus a sticky bit) and
//! rounds once, which is what Go's `Add`, `Sub`, `Mul` and `Quo` produce.

use num_bigint::{BigInt, BigUint, Sign};
use num_traits::{One, ToPrimitive, Zero};
use std::cmp::Ordering;

/// Go's `MaxExp` and `MinExp`.
const MAX_EXP: i64 = i32::MAX as i64;
const MIN_EXP: i64 = i32::MIN as i64;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Form {
    Zero,
    Finite,
    Inf,
}

#[derive(Clone, Debug)]
pub(crate) struct BigFloat {
    pub(crate) prec: u32,
    pub(crate) neg: bool,
    pub(crate) form: Form,
    /// Go's exponent: the value is `0.mant × 2^exp` (finite values only).
    pub(crate) exp: i32,
    /// Odd mantissa of a finite value; zero otherwise.
    pub(crate) mant: BigUint,
}

impl BigFloat {
    pub(crate) fn zero(neg: bool, prec: u32) -> BigFloat {
        BigFloat { prec, neg, form: Form::Zero, exp: 0, mant: BigUint::zero() }
    }

    pub(crate) fn inf(neg: bool, prec: u32) -> BigFloat {
        BigFloat { prec, neg, form: Form::Inf, exp: 0, mant: BigUint::zero() }
    }

    /// `±m × 2^e` rounded to `prec` bits; `sticky` says that the exact value has nonzero bits
    /// below `m` (a division remainder). Mirrors Go's `setExpAndRound`: the exponent range is
    /// checked before rounding, and a rounding carry out of `MaxExp` overflows to infinity.
    pub(crate) fn round_from(neg: bool, mut m: BigUint, mut e: i64, sticky: bool, prec: u32) -> BigFloat {
        if m.is_zero() {
            return BigFloat::zero(neg, prec);
        }
        let bits = m.bits() as i64;
        let go_exp = e + bits;
        if go_exp < MIN_EXP {
            return BigFloat::zero(neg, prec);
        }
        if go_exp > MAX_EXP {
            return BigFloat::inf(neg, prec);
        }
        if bits > i64::from(prec) {
            let shift = (bits - i64::from(prec)) as u64;
            let rbit = m.bit(shift - 1);
            let below = sticky || m.trailing_zeros().unwrap_or(0) < shift - 1;
            m >>= shift;
            e += shift as i64;
            if rbit && (below || m.bit(0)) {
                m += 1u32;
                if m.bits() as i64 > i64::from(prec) && go_exp >= MAX_EXP {
                    return BigFloat::inf(neg, prec);
                }
            }
        }
        let tz = m.trailing_zeros().unwrap_or(0);
        m >>= tz;
        e += tz as i64;
        let exp = (e + m.bits() as i64) as i32;
        BigFloat { prec, neg, form: Form::Finite, exp, mant: m }
    }

    /// An unrounded finite value `±m × 2^e` (`m` nonzero) carrying precision `prec`; only used
    /// as an operand, as Go's scanner does with the digits of a literal.
    pub(crate) fn exact(neg: bool, m: BigUint, e: i64, prec: u32) -> BigFloat {
        let tz = m.trailing_zeros().unwrap_or(0);
        let m = m >> tz;
        let e = e + tz as i64;
        BigFloat { prec, neg, form: Form::Finite, exp: (e + m.bits() as i64) as i32, mant: m }
    }

    /// The exact integer `v` with Go's `SetInt` precision rule: `max(bits, 64)` when `prec` is
    /// `None`, otherwise rounded to `prec`.
    pub(crate) fn from_bigint(v: &BigInt, prec: Option<u32>) -> BigFloat {
        let bits = v.bits() as u32;
        let prec = prec.unwrap_or(bits.max(64));
        BigFloat::round_from(v.sign() == Sign::Minus, v.magnitude().clone(), 0, false, prec)
    }

    pub(crate) fn from_u64(neg: bool, v: u64, prec: u32) -> BigFloat {
        BigFloat::round_from(neg, BigUint::from(v), 0, false, prec)
    }

    /// Go's `SetFloat64` (precision 53). NaN must be excluded by the caller.
    pub(crate) fn from_f64(x: f64) -> BigFloat {
        let neg = x.is_sign_negative();
        if x == 0.0 {
            return BigFloat::zero(neg, 53);
        }
        if x.is_infinite() {
            return BigFloat::inf(neg, 53);
        }
        let bits = x.to_bits();
        let bexp = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1u64 << 52) - 1);
        let (m, e) = if bexp == 0 { (frac, -1074) } else { (frac | (1u64 << 52), bexp - 1075) };
        BigFloat::round_from(neg, BigUint::from(m), e, false, 53)
    }

    /// Integer scaling of a finite value: `(mant, e)` with value `mant × 2^e`.
    fn scaled(&self) -> (&BigUint, i64) {
        (&self.mant, i64::from(self.exp) - self.mant.bits() as i64)
    }

    /// Go's `MinPrec`: bits needed to represent the value exactly (0 for zero and infinities).
    pub(crate) fn min_prec(&self) -> u32 {
        if self.form == Form::Finite { self.mant.bits() as u32 } else { 0 }
    }

    /// A copy rounded to `prec` (Go's `SetPrec` for a nonzero precision).
    pub(crate) fn with_prec(&self, prec: u32) -> BigFloat {
        match self.form {
            Form::Finite => {
                let (m, e) = self.scaled();
                BigFloat::round_from(self.neg, m.clone(), e, false, prec)
            }
            _ => BigFloat { prec, ..self.clone() },
        }
    }

    pub(crate) fn negated(&self) -> BigFloat {
        BigFloat { neg: !self.neg, ..self.clone() }
    }

    /// Compares magnitudes of two finite values.
    fn ucmp(&self, other: &BigFloat) -> Ordering {
        self.exp.cmp(&other.exp).then_with(|| {
            let (a, b) = (self.mant.bits(), other.mant.bits());
            // Same exponent: compare the mantissas aligned at their most significant bit.
            match a.cmp(&b) {
                Ordering::Less => (&self.mant << (b - a)).cmp(&other.mant),
                Ordering::Greater => self.mant.cmp(&(&other.mant << (a - b))),
                Ordering::Equal => self.mant.cmp(&other.mant),
            }
        })
    }

    /// Go's `Cmp` (-0 equals +0).
    pub(crate) fn cmp(&self, other: &BigFloat) -> Ordering {
        let (a, b) = (self.ord(), other.ord());
        match a.cmp(&b) {
            Ordering::Equal if a == 1 => self.ucmp(other),
            Ordering::Equal if a == -1 => other.ucmp(self),
            o => o,
        }
    }

    fn ord(&self) -> i32 {
        let m = match self.form {
            Form::Zero => return 0,
            Form::Finite => 1,
            Form::Inf => 2,
        };
        if self.neg { -m } else { m }
    }

    pub(crate) fn sign(&self) -> i32 {
        match self.form {
            Form::Zero => 0,
            _ if self.neg => -1,
            _ => 1,
        }
    }

    /// Exact magnitude sum or difference of two finite values, rounded to `prec` with the
    /// given sign (Go's `uadd`/`usub`). A zero difference is +0.
    fn uadd(x: &BigFloat, y: &BigFloat, subtract: bool, neg: bool, prec: u32) -> BigFloat {
        let (mx, ex) = x.scaled();
        let (my, ey) = y.scaled();
        // An operand wholly below a quarter ulp of the other one's rounding position only acts
        // as a sticky bit: replace it by a single bit there, so that operands with far-apart
        // exponents do not need a huge shift (the rounded result is the same).
        let margin = i64::from(prec) + 4;
        let (top_x, top_y) = (ex + mx.bits() as i64, ey + my.bits() as i64);
        let one = BigUint::one();
        let (my, ey) = if top_y < top_x - margin { (&one, top_x - margin - 2) } else { (my, ey) };
        let (mx, ex) = if top_x < top_y - margin { (&one, top_y - margin - 2) } else { (mx, ex) };
        let e = ex.min(ey);
        let ax = mx << (ex - e) as u64;
        let ay = my << (ey - e) as u64;
        let m = if subtract { ax - ay } else { ax + ay };
        if m.is_zero() {
            return BigFloat::zero(false, prec);
        }
        BigFloat::round_from(neg, m, e, false, prec)
    }

    /// Go's `z.Add(x, y)` with `z.prec = prec`; `None` where Go panics with ErrNaN.
    pub(crate) fn add(x: &BigFloat, y: &BigFloat, prec: u32) -> Option<BigFloat> {
        use Form::*;
        Some(match (x.form, y.form) {
            (Finite, Finite) => {
                if x.neg == y.neg {
                    BigFloat::uadd(x, y, false, x.neg, prec)
                } else if x.ucmp(y) == Ordering::Greater {
                    BigFloat::uadd(x, y, true, x.neg, prec)
                } else {
                    BigFloat::uadd(y, x, true, !x.neg, prec)
                }
            }
            (Inf, Inf) if x.neg != y.neg => return None,
            (Zero, Zero) => BigFloat::zero(x.neg && y.neg, prec),
            (Inf, _) | (_, Zero) => x.with_prec(prec),
            _ => y.with_prec(prec),
        })
    }

    /// Go's `z.Sub(x, y)` with `z.prec = prec`; `None` where Go panics with ErrNaN.
    pub(crate) fn sub(x: &BigFloat, y: &BigFloat, prec: u32) -> Option<BigFloat> {
        use Form::*;
        Some(match (x.form, y.form) {
            (Finite, Finite) => {
                if x.neg != y.neg {
                    BigFloat::uadd(x, y, false, x.neg, prec)
                } else if x.ucmp(y) == Ordering::Greater {
                    BigFloat::uadd(x, y, true, x.neg, prec)
                } else {
                    BigFloat::uadd(y, x, true, !x.neg, prec)
                }
            }
            (Inf, Inf) if x.neg == y.neg => return None,
            (Zero, Zero) => BigFloat::zero(x.neg && !y.neg, prec),
            (Inf, _) | (_, Zero) => x.with_prec(prec),
            _ => y.with_prec(prec).negated(),
        })
    }

    /// Go's `z.Mul(x, y)` with `z.prec = prec`; `None` for 0 × Inf.
    pub(crate) fn mul(x: &BigFloat, y: &BigFloat, prec: u32) -> Option<BigFloat> {
        use Form::*;
        let neg = x.neg != y.neg;
        Some(match (x.form, y.form) {
            (Finite, Finite) => {
                let (mx, ex) = x.scaled();
                let (my, ey) = y.scaled();
                BigFloat::round_from(neg, mx * my, ex + ey, false, prec)
            }
            (Zero, Inf) | (Inf, Zero) => return None,
            (Inf, _) | (_, Inf) => BigFloat::inf(neg, prec),
            _ => BigFloat::zero(neg, prec),
        })
    }

    /// Go's `z.Quo(x, y)` with `z.prec = prec`; `None` for 0/0 and Inf/Inf.
    pub(crate) fn quo(x: &BigFloat, y: &BigFloat, prec: u32) -> Option<BigFloat> {
        use Form::*;
        let neg = x.neg != y.neg;
        Some(match (x.form, y.form) {
            (Finite, Finite) => {
                let (mx, ex) = x.scaled();
                let (my, ey) = y.scaled();
                // Enough quotient bits for the rounding bit: at least prec + 2.
                let k = (i64::from(prec) + 2 + my.bits() as i64 - mx.bits() as i64).max(0) as u64;
                let num = mx << k;
                let (q, r) = num_integer::Integer::div_rem(&num, my);
                BigFloat::round_from(neg, q, ex - k as i64 - ey, !r.is_zero(), prec)
            }
            (Zero, Zero) | (Inf, Inf) => return None,
            (Zero, _) | (_, Inf) => BigFloat::zero(neg, prec),
            _ => BigFloat::inf(neg, prec),
        })
    }

    /// Go's `IsInt`.
    pub(crate) fn is_int(&self) -> bool {
        match self.form {
            Form::Zero => true,
            Form::Inf => false,
            Form::Finite => self.exp > 0 && self.mant.bits() <= self.exp as u64,
        }
    }

    /// Go's `Int`: truncation toward zero, `None` for infinities, and whether it was exact.
    pub(crate) fn to_int(&self) -> (Option<BigInt>, Ordering) {
        let inexact = if self.neg { Ordering::Greater } else { Ordering::Less };
        match self.form {
            Form::Zero => (Some(BigInt::zero()), Ordering::Equal),
            Form::Inf => (None, inexact),
            Form::Finite => {
                let (m, e) = self.scaled();
                let (mag, exact) = if e >= 0 {
                    (m << e as u64, true)
                } else {
                    let s = (-e) as u64;
                    (m >> s, false)
                };
                let sign = if self.neg { Sign::Minus } else { Sign::Plus };
                let acc = if exact { Ordering::Equal } else { inexact };
                (Some(BigInt::from_biguint(sign, mag)), acc)
            }
        }
    }

    /// Go's `Float64()` value (the accuracy is not needed): nearest float64, with subnormals,
    /// overflowing to ±Inf and underflowing to ±0.
    pub(crate) fn to_f64(&self) -> f64 {
        let signed = |v: f64| if self.neg { -v } else { v };
        match self.form {
            Form::Zero => signed(0.0),
            Form::Inf => signed(f64::INFINITY),
            Form::Finite => {
                let e = i64::from(self.exp) - 1;
                let mut p: i64 = 53;
                if e < -1022 {
                    p = 53 + 1022 + e;
                    if p < 0 || (p == 0 && self.mant.is_one()) {
                        return signed(0.0);
                    }
                    if p == 0 {
                        return signed(f64::from_bits(1));
                    }
                }
                let r = self.with_prec(p as u32);
                if r.form == Form::Inf || i64::from(r.exp) - 1 > 1023 {
                    return signed(f64::INFINITY);
                }
                let (m, e) = r.scaled();
                signed(ldexp(m.to_u64().unwrap_or(0) as f64, e))
            }
        }
    }
}

/// `m × 2^e` for a result known to be exactly representable (so every step below is exact).
fn ldexp(mut m: f64, mut e: i64) -> f64 {
    while e > 1000 {
        m *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        m *= 0.5;
        e += 1;
    }
    m * 2f64.powi(e as i32)
}
