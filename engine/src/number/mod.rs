//! Terraform's numbers: cty numbers, i.e. Go `*big.Float` values that carry their own
//! precision and round to nearest even.
//!
//! Where a number comes from decides its precision: literals, JSON and `tonumber` parse at
//! 512 bits ([`Number::parse`]), integer results of functions are 64-bit ([`Number::from_i64`]),
//! and float64 results (`pow`, `log`) are 53-bit ([`Number::from_f64`]). Arithmetic takes the
//! larger precision (see `arith.rs` for cty's exceptions), and printing ([`Display`]) gives the
//! shortest decimal that reads back as the same value *at that precision*, which is why
//! `0.1 + 0.2` prints `0.3` but `1/3` prints 155 digits.
//!
//! Most numbers are small integers or short decimal literals; those are stored without heap
//! memory (`Repr::Int`, `Repr::Dec`) and everything else is a [`bigfloat::BigFloat`]. The
//! compact forms are only other spellings of the Go value: results return to them only when
//! nothing (value or precision) is lost.

mod arith;
mod bigfloat;
mod decimal;
mod format;
mod ftoa;
mod gomath;
mod parse;
#[cfg(test)]
mod tests;

use bigfloat::{BigFloat, Form};
use num_bigint::{BigInt, BigUint};
use std::borrow::Cow;
use std::fmt;

pub use arith::NumberError;
pub use format::{FormatError, FormatSpec};

/// A Terraform (cty) number. Never NaN.
#[derive(Clone, Debug)]
pub struct Number(Repr);

#[derive(Clone, Debug)]
enum Repr {
    /// The integer `v` (`-0` when `v == 0 && neg_zero`), exactly representable at `prec` bits.
    Int { v: i64, prec: u32, neg_zero: bool },
    /// The 512-bit float nearest to `mant × 10^exp`, with `mant` not a multiple of 10 and
    /// `DEC_MIN_EXP <= exp < 0` (so never an integer).
    Dec { mant: i64, exp: i8 },
    /// Everything else.
    Big(Box<BigFloat>),
}

/// Precision of parsed numbers (`cty.ParseNumberVal`), and so of every `Dec`.
const DEC_PREC: u32 = parse::PARSE_PREC;
const DEC_MIN_EXP: i64 = -40;

/// The string is not a number as `big.ParseFloat(s, 10, 512, ToNearestEven)` reads numbers.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a number is required")]
pub struct ParseNumberError;

/// Bits needed to represent `v` exactly (Go's `MinPrec`).
fn min_prec_u64(v: u64) -> u32 {
    if v == 0 { 0 } else { 64 - v.leading_zeros() - v.trailing_zeros() }
}

impl Number {
    /// `cty.NumberIntVal`: precision 64.
    pub fn from_i64(v: i64) -> Number {
        Number(Repr::Int { v, prec: 64, neg_zero: false })
    }

    /// `cty.NumberUIntVal`: precision 64.
    pub fn from_u64(v: u64) -> Number {
        match i64::try_from(v) {
            Ok(v) => Number::from_i64(v),
            Err(_) => Number::from_big(BigFloat::from_u64(false, v, 64)),
        }
    }

    /// `cty.NumberFloatVal`: precision 53; `None` for NaN (which Go refuses with a panic).
    pub fn from_f64(v: f64) -> Option<Number> {
        if v.is_nan() {
            return None;
        }
        Some(Number::from_big(BigFloat::from_f64(v)))
    }

    /// `new(big.Float).SetInt(v)` (what `parseint` returns): precision `max(bits, 64)`.
    pub fn from_bigint(v: &BigInt) -> Number {
        Number::from_big(BigFloat::from_bigint(v, None))
    }

    /// `parseint`: Go's `big.Int.SetString(s, base)` (base 2 to 62: an optional sign, then at
    /// least one digit; letters are case-insensitive up to base 36, and beyond it `a`-`z` are
    /// 10-35 and `A`-`Z` 36-61; no prefixes, underscores or spaces) as a number of precision
    /// `max(bits, 64)`. `None` when the string is not such an integer or the base is invalid.
    pub fn parse_int(s: &str, base: u32) -> Option<Number> {
        if !(2..=62).contains(&base) {
            return None;
        }
        let (neg, digits) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        if digits.is_empty() {
            return None;
        }
        let mut mag = BigUint::default();
        for c in digits.bytes() {
            let d = match c {
                b'0'..=b'9' => u32::from(c - b'0'),
                b'a'..=b'z' => u32::from(c - b'a') + 10,
                b'A'..=b'Z' if base <= 36 => u32::from(c - b'A') + 10,
                b'A'..=b'Z' => u32::from(c - b'A') + 36,
                _ => return None,
            };
            if d >= base {
                return None;
            }
            mag = mag * base + d;
        }
        let sign = if neg { num_bigint::Sign::Minus } else { num_bigint::Sign::Plus };
        Some(Number::from_bigint(&BigInt::from_biguint(sign, mag)))
    }

    /// Positive or negative infinity, as `cty.PositiveInfinity` (precision 0).
    pub fn infinity(neg: bool) -> Number {
        Number(Repr::Big(Box::new(BigFloat::inf(neg, 0))))
    }

    /// `cty.ParseNumberVal`: HCL literals, JSON numbers and `tonumber`, at 512 bits.
    pub fn parse(s: &str) -> Result<Number, ParseNumberError> {
        match parse::scan(s).ok_or(ParseNumberError)? {
            parse::Scan::Inf(neg) => Ok(Number(Repr::Big(Box::new(BigFloat::inf(neg, DEC_PREC))))),
            parse::Scan::Num(sc) => {
                if let Some(n) = Number::parse_compact(&sc) {
                    return Ok(n);
                }
                parse::evaluate(&sc).map(Number::from_big).ok_or(ParseNumberError)
            }
        }
    }

    /// Short literals without heap memory. Go rounds them once (their power of five is exact),
    /// so the nearest 512-bit float is Go's value.
    fn parse_compact(sc: &parse::Scanned<'_>) -> Option<Number> {
        if sc.binary_exp {
            return None;
        }
        let exp5 = sc.fcount.checked_add(sc.exp)?;
        if !(-248..=248).contains(&exp5) {
            return None;
        }
        let mut mant: i64 = 0;
        let mut exp = exp5;
        let mut pending_zeros = 0i64;
        for &c in sc.digits.iter().flat_map(|d| d.iter()) {
            if c == b'0' {
                pending_zeros += 1;
                continue;
            }
            for _ in 0..pending_zeros {
                mant = mant.checked_mul(10)?;
            }
            pending_zeros = 0;
            mant = mant.checked_mul(10)?.checked_add(i64::from(c - b'0'))?;
        }
        // Trailing zeros of the digits only scale the exponent.
        exp += pending_zeros;
        if mant == 0 {
            return Some(Number(Repr::Int { v: 0, prec: DEC_PREC, neg_zero: sc.neg }));
        }
        if sc.neg {
            mant = -mant;
        }
        Number::from_decimal(mant, exp)
    }

    /// The 512-bit number nearest to `mant × 10^exp` (`mant` nonzero), when compact.
    fn from_decimal(mut mant: i64, mut exp: i64) -> Option<Number> {
        while exp < 0 && mant % 10 == 0 {
            mant /= 10;
            exp += 1;
        }
        if exp >= 0 {
            let v = mant.checked_mul(10i64.checked_pow(u32::try_from(exp).ok()?)?)?;
            return Some(Number(Repr::Int { v, prec: DEC_PREC, neg_zero: false }));
        }
        if exp < DEC_MIN_EXP {
            return None;
        }
        Some(Number(Repr::Dec { mant, exp: exp as i8 }))
    }

    /// Wraps a Go value, in a compact form when that loses nothing.
    fn from_big(b: BigFloat) -> Number {
        match b.form {
            Form::Zero => return Number(Repr::Int { v: 0, prec: b.prec, neg_zero: b.neg }),
            Form::Inf => {}
            Form::Finite => {
                let bits = b.mant.bits() as i64;
                let e = i64::from(b.exp) - bits; // value = mant × 2^e
                if let Some(m) = num_traits::ToPrimitive::to_u64(&b.mant).filter(|&m| m < 1 << 63) {
                    if e >= 0 && b.exp <= 63 {
                        let v = (m << e) as i64;
                        return Number(Repr::Int { v: if b.neg { -v } else { v }, prec: b.prec, neg_zero: false });
                    }
                    if b.prec == DEC_PREC && (DEC_MIN_EXP..0).contains(&e) {
                        // An exact dyadic value m / 2^k = (m × 5^k) / 10^k.
                        let k = (-e) as u32;
                        if let Some(d) = 5i64.checked_pow(k).and_then(|p| p.checked_mul(m as i64)) {
                            return Number(Repr::Dec { mant: if b.neg { -d } else { d }, exp: e as i8 });
                        }
                    }
                }
            }
        }
        Number(Repr::Big(Box::new(b)))
    }

    /// The Go value.
    fn big(&self) -> Cow<'_, BigFloat> {
        match &self.0 {
            Repr::Big(b) => Cow::Borrowed(b),
            &Repr::Int { v, prec, neg_zero } => {
                if v == 0 {
                    return Cow::Owned(BigFloat::zero(neg_zero, prec));
                }
                Cow::Owned(BigFloat::from_u64(v < 0, v.unsigned_abs(), prec))
            }
            &Repr::Dec { mant, exp } => {
                let k = u32::from(exp.unsigned_abs());
                let num = BigFloat::exact(mant < 0, BigUint::from(mant.unsigned_abs()), -i64::from(k), DEC_PREC);
                let den = BigFloat::exact(false, BigUint::from(5u32).pow(k), 0, DEC_PREC);
                Cow::Owned(BigFloat::quo(&num, &den, DEC_PREC).unwrap_or_else(|| BigFloat::zero(false, DEC_PREC)))
            }
        }
    }

    /// The precision in bits (`big.Float.Prec`).
    pub fn precision(&self) -> u32 {
        match &self.0 {
            Repr::Int { prec, .. } => *prec,
            Repr::Dec { .. } => DEC_PREC,
            Repr::Big(b) => b.prec,
        }
    }

    pub fn is_infinite(&self) -> bool {
        matches!(&self.0, Repr::Big(b) if b.form == Form::Inf)
    }

    /// Whether the value is an integer (infinities are not).
    pub fn is_integer(&self) -> bool {
        match &self.0 {
            Repr::Int { .. } => true,
            Repr::Dec { .. } => false,
            Repr::Big(b) => b.is_int(),
        }
    }

    /// The value as an `i64` if it is exactly one (`-0` gives 0).
    pub fn to_i64(&self) -> Option<i64> {
        match &self.0 {
            Repr::Int { v, .. } => Some(*v),
            _ => self.to_bigint().and_then(|i| i64::try_from(i).ok()),
        }
    }

    /// The value as a `u64` if it is exactly one.
    pub fn to_u64(&self) -> Option<u64> {
        match &self.0 {
            Repr::Int { v, .. } => u64::try_from(*v).ok(),
            _ => self.to_bigint().and_then(|i| u64::try_from(i).ok()),
        }
    }

    /// The value as a big integer if it is an integer.
    pub fn to_bigint(&self) -> Option<BigInt> {
        match &self.0 {
            Repr::Int { v, .. } => Some(BigInt::from(*v)),
            Repr::Dec { .. } => None,
            Repr::Big(b) => match b.to_int() {
                (Some(i), std::cmp::Ordering::Equal) => Some(i),
                _ => None,
            },
        }
    }

    /// Go's `Float64()`: the nearest `f64`, ±Inf beyond its range, ±0 below it.
    pub fn to_f64(&self) -> f64 {
        match &self.0 {
            &Repr::Int { v, neg_zero, .. } if v.unsigned_abs() < 1 << 53 => {
                if neg_zero {
                    -0.0
                } else {
                    v as f64
                }
            }
            _ => self.big().to_f64(),
        }
    }

    /// Go's `Float64()` when its accuracy is `Exact`: the `f64` equal to this number, if one
    /// is (cty's MessagePack encoding sends such numbers as float64, others as text).
    pub fn to_f64_exact(&self) -> Option<f64> {
        let f = self.to_f64();
        if !f.is_finite() {
            return None;
        }
        (BigFloat::from_f64(f).cmp(&self.big()) == std::cmp::Ordering::Equal).then_some(f)
    }

    /// What JSON (`jsonencode`, state) writes: the same as [`Display`], but infinities cannot
    /// be serialized ("cannot serialize infinity as JSON").
    pub fn to_json_number_text(&self) -> Option<String> {
        if self.is_infinite() { None } else { Some(self.to_string()) }
    }
}

/// `Text('f', -1)`: what the console, templates, `tostring` and JSON print (`+Inf`, `-Inf` and
/// `-0` included).
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Repr::Int { v, prec, neg_zero } if 64 - v.unsigned_abs().leading_zeros() <= prec => {
                if neg_zero {
                    f.write_str("-")?;
                }
                write!(f, "{v}")
            }
            Repr::Dec { mant, exp } => {
                let digits = mant.unsigned_abs().to_string();
                let k = usize::from(exp.unsigned_abs());
                let sign = if mant < 0 { "-" } else { "" };
                if digits.len() > k {
                    let (int, frac) = digits.split_at(digits.len() - k);
                    write!(f, "{sign}{int}.{frac}")
                } else {
                    write!(f, "{sign}0.{}{digits}", "0".repeat(k - digits.len()))
                }
            }
            _ => f.write_str(&ftoa::text(&self.big(), b'f', -1)),
        }
    }
}
