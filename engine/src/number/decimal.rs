//! Exact binary-to-decimal conversion and decimal rounding, as Go's `math/big` decimal type
//! does it for `Float.Text`: a decimal is `0.digits × 10^exp` with no trailing zero digits.

use super::bigfloat::{BigFloat, Form};
use num_bigint::BigUint;
use num_traits::Zero;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Decimal {
    /// ASCII digits, most significant first, no trailing zeros; empty for zero.
    pub(crate) mant: Vec<u8>,
    /// Decimal exponent: the value is `0.mant × 10^exp` (0 for zero).
    pub(crate) exp: i64,
}

impl Decimal {
    /// The exact decimal value of `m × 2^shift`.
    pub(crate) fn from_scaled(m: &BigUint, shift: i64) -> Decimal {
        if m.is_zero() {
            return Decimal::default();
        }
        let tz = m.trailing_zeros().unwrap_or(0) as i64;
        let (digits, frac) = if shift >= 0 {
            ((m << shift as u64).to_str_radix(10), 0)
        } else if -shift <= tz {
            ((m >> (-shift) as u64).to_str_radix(10), 0)
        } else {
            // m × 2^-s = (m >> tz) × 5^(s − tz) / 10^(s − tz)
            let s = (-shift - tz) as u64;
            let odd = m >> tz as u64;
            ((odd * BigUint::from(5u32).pow(s as u32)).to_str_radix(10), s as i64)
        };
        let mut mant = digits.into_bytes();
        let exp = mant.len() as i64 - frac;
        while mant.last() == Some(&b'0') {
            mant.pop();
        }
        Decimal { mant, exp }
    }

    /// The exact decimal value of a finite or zero float (sign ignored).
    pub(crate) fn from_float(x: &BigFloat) -> Decimal {
        if x.form != Form::Finite {
            return Decimal::default();
        }
        Decimal::from_scaled(&x.mant, i64::from(x.exp) - x.mant.bits() as i64)
    }

    /// The i'th digit, '0' outside the mantissa.
    pub(crate) fn at(&self, i: i64) -> u8 {
        if i >= 0 && (i as usize) < self.mant.len() { self.mant[i as usize] } else { b'0' }
    }

    fn trim(&mut self) {
        while self.mant.last() == Some(&b'0') {
            self.mant.pop();
        }
        if self.mant.is_empty() {
            self.exp = 0;
        }
    }

    fn should_round_up(&self, n: usize) -> bool {
        if self.mant[n] == b'5' && n + 1 == self.mant.len() {
            // exactly halfway: round to even
            return n > 0 && (self.mant[n - 1] - b'0') & 1 != 0;
        }
        self.mant[n] >= b'5'
    }

    /// Rounds to at most `n` digits, half to even; nothing to do for `n < 0`.
    pub(crate) fn round(&mut self, n: i64) {
        if n < 0 || n as usize >= self.mant.len() {
            return;
        }
        if self.should_round_up(n as usize) { self.round_up(n) } else { self.round_down(n) }
    }

    pub(crate) fn round_up(&mut self, n: i64) {
        if n < 0 || n as usize >= self.mant.len() {
            return;
        }
        let mut n = n as usize;
        while n > 0 && self.mant[n - 1] >= b'9' {
            n -= 1;
        }
        if n == 0 {
            // all nines: becomes 1 with a larger exponent
            self.mant.truncate(1);
            self.mant[0] = b'1';
            self.exp += 1;
            return;
        }
        self.mant[n - 1] += 1;
        self.mant.truncate(n);
    }

    pub(crate) fn round_down(&mut self, n: i64) {
        if n < 0 || n as usize >= self.mant.len() {
            return;
        }
        self.mant.truncate(n as usize);
        self.trim();
    }
}

/// Go's `roundShortest`: shortens `d` (the exact decimal of `x`) to the fewest digits that
/// still round to `x` at `x`'s own precision.
pub(crate) fn round_shortest(d: &mut Decimal, x: &BigFloat) {
    if d.mant.is_empty() {
        return;
    }
    // Mantissa with prec+1 bits: its lsb is half an ulp at x's precision.
    let bits = x.mant.bits() as i64;
    let s = bits - (i64::from(x.prec) + 1);
    let mant = if s < 0 { &x.mant << (-s) as u64 } else { &x.mant >> s as u64 };
    let exp = i64::from(x.exp) - bits + s;
    let lower = Decimal::from_scaled(&(&mant - 1u32), exp);
    let upper = Decimal::from_scaled(&(&mant + 1u32), exp);
    // The bounds are possible outputs only if the original mantissa is even.
    let inclusive = !mant.bit(1);

    for i in 0..d.mant.len() {
        let m = d.mant[i];
        let l = lower.at(i as i64);
        let u = upper.at(i as i64);
        let okdown = l != m || inclusive && i + 1 == lower.mant.len();
        let okup = m != u && (inclusive || m + 1 < u || i + 1 < upper.mant.len());
        let n = i as i64 + 1;
        match (okdown, okup) {
            (true, true) => return d.round(n),
            (true, false) => return d.round_down(n),
            (false, true) => return d.round_up(n),
            _ => {}
        }
    }
}
