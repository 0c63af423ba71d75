//! `big.ParseFloat(s, 10, 512, big.ToNearestEven)`, which is cty's `ParseNumberVal`
//! (HCL number literals, JSON numbers, `tonumber`).
//!
//! Accepted: `[+-]` then `Inf`/`inf` alone, or digits with at most one `.` (at least one digit,
//! `.5` and `5.` are fine) and an optional exponent `e`/`E` (power of ten) or `p`/`P` (power of
//! two) with an optional sign and at least one digit. Nothing else: no spaces, underscores,
//! base prefixes or `nan`. Go rounds once when the power of five it needs is exact (up to
//! 5^248 at its working precision of 576 bits) and otherwise reproduces Go's approximated
//! power exactly.

use super::bigfloat::BigFloat;
use num_bigint::BigUint;
use num_traits::Zero;

pub(crate) const PARSE_PREC: u32 = 512;

/// The syntax of a decimal number, before evaluation.
#[derive(Debug)]
pub(crate) struct Scanned<'a> {
    pub(crate) neg: bool,
    /// All mantissa digits (leading and trailing zeros included), without the point.
    pub(crate) digits: [&'a [u8]; 2],
    /// Go's fractional digit count: minus the digits after the point (0 without a point).
    pub(crate) fcount: i64,
    pub(crate) exp: i64,
    pub(crate) binary_exp: bool,
}

pub(crate) enum Scan<'a> {
    Inf(bool),
    Num(Scanned<'a>),
}

/// Scans `s` as Go does; `None` for anything Go refuses.
pub(crate) fn scan(s: &str) -> Option<Scan<'_>> {
    match s {
        "Inf" | "inf" | "+Inf" | "+inf" => return Some(Scan::Inf(false)),
        "-Inf" | "-inf" => return Some(Scan::Inf(true)),
        _ => {}
    }
    let b = s.as_bytes();
    let mut i = 0;
    let neg = b.first() == Some(&b'-');
    if matches!(b.first(), Some(b'-' | b'+')) {
        i = 1;
    }
    // mantissa: digits with at most one point
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = &b[int_start..i];
    let mut frac_digits: &[u8] = &[];
    let mut fcount = 0i64;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = &b[frac_start..i];
        fcount = -(frac_digits.len() as i64);
    }
    if int_digits.is_empty() && frac_digits.is_empty() {
        return None;
    }
    // exponent
    let mut exp = 0i64;
    let mut binary_exp = false;
    if i < b.len() && matches!(b[i], b'e' | b'E' | b'p' | b'P') {
        binary_exp = matches!(b[i], b'p' | b'P');
        i += 1;
        let start = i;
        if i < b.len() && matches!(b[i], b'+' | b'-') {
            i += 1;
        }
        let digits_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == digits_start {
            return None;
        }
        // Go parses the exponent as an int64 (a leading '+' is dropped first).
        let text = std::str::from_utf8(&b[start..i]).ok()?;
        exp = text.trim_start_matches('+').parse::<i64>().ok()?;
    }
    if i != b.len() {
        return None;
    }
    Some(Scan::Num(Scanned { neg, digits: [int_digits, frac_digits], fcount, exp, binary_exp }))
}

/// Evaluates a scanned number exactly as Go's `Float.scan` with precision 512.
pub(crate) fn evaluate(sc: &Scanned<'_>) -> Option<BigFloat> {
    let mut mant = BigUint::zero();
    for part in &sc.digits {
        for chunk in part.chunks(19) {
            let v: u64 = std::str::from_utf8(chunk).ok()?.parse().ok()?;
            mant = mant * BigUint::from(10u64.pow(chunk.len() as u32)) + BigUint::from(v);
        }
    }
    if mant.is_zero() {
        return Some(BigFloat::zero(sc.neg, PARSE_PREC));
    }
    // Go's exponent arithmetic is on int64 and wraps.
    let mut exp2 = mant.bits() as i64;
    let mut exp5 = 0i64;
    if sc.fcount < 0 {
        exp5 = sc.fcount;
        exp2 = exp2.wrapping_add(sc.fcount);
    }
    if !sc.binary_exp {
        exp5 = exp5.wrapping_add(sc.exp);
    }
    exp2 = exp2.wrapping_add(sc.exp);
    if exp2 < i64::from(i32::MIN) || exp2 > i64::from(i32::MAX) {
        return None; // "exponent overflow"
    }
    let bits = mant.bits() as i64;
    let z = BigFloat::exact(sc.neg, mant, exp2 - bits, PARSE_PREC);
    if exp5 == 0 {
        return Some(z.with_prec(PARSE_PREC));
    }
    let p = pow5(exp5.unsigned_abs(), PARSE_PREC + 64);
    if exp5 < 0 { BigFloat::quo(&z, &p, PARSE_PREC) } else { BigFloat::mul(&z, &p, PARSE_PREC) }
}

/// Go's `Float.pow5` for a float of precision `prec`: exact up to 5^27, then repeated
/// squaring with rounding to `prec` (accumulator) and `prec + 64` (square) bits.
pub(crate) fn pow5(n: u64, prec: u32) -> BigFloat {
    const M: u64 = 27;
    if n <= M {
        return BigFloat::from_u64(false, 5u64.pow(n as u32), prec);
    }
    let mut z = BigFloat::from_u64(false, 5u64.pow(M as u32), prec);
    let mut f = BigFloat::from_u64(false, 5, prec + 64);
    let mut n = n - M;
    while n > 0 {
        if n & 1 != 0 {
            z = BigFloat::mul(&z, &f, prec).unwrap_or_else(|| BigFloat::zero(false, prec));
        }
        f = BigFloat::mul(&f, &f, prec + 64).unwrap_or_else(|| BigFloat::zero(false, prec + 64));
        n >>= 1;
    }
    z
}
