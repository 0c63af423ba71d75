//! TEMPORARY stand-in for the exact numbers (being written on branch `number`).
use std::cmp::Ordering;
use std::fmt;

#[derive(Clone, Debug)]
pub struct Number(f64);

#[derive(Debug)]
pub struct ParseNumberError;

impl Number {
    pub fn from_i64(n: i64) -> Number { Number(n as f64) }
    pub fn from_u64(n: u64) -> Number { Number(n as f64) }
    pub fn from_f64(n: f64) -> Option<Number> { if n.is_nan() { None } else { Some(Number(n)) } }
    pub fn parse(s: &str) -> Result<Number, ParseNumberError> { s.parse::<f64>().map(Number).map_err(|_| ParseNumberError) }
    pub fn infinity(neg: bool) -> Number { Number(if neg { f64::NEG_INFINITY } else { f64::INFINITY }) }
    pub fn raw_equal(&self, o: &Number) -> bool { self.0 == o.0 }
    pub fn cmp(&self, o: &Number) -> Ordering { self.0.total_cmp(&o.0) }
    pub fn is_infinite(&self) -> bool { self.0.is_infinite() }
    pub fn is_negative(&self) -> bool { self.0.is_sign_negative() }
    pub fn is_zero(&self) -> bool { self.0 == 0.0 }
    pub fn to_i64(&self) -> Option<i64> { (self.0.fract() == 0.0 && self.0.abs() < 9e18).then_some(self.0 as i64) }
    pub fn to_f64(&self) -> f64 { self.0 }
    pub fn add(&self, o: &Number) -> Option<Number> { Number::from_f64(self.0 + o.0) }
    pub fn sub(&self, o: &Number) -> Option<Number> { Number::from_f64(self.0 - o.0) }
    pub fn mul(&self, o: &Number) -> Option<Number> { Number::from_f64(self.0 * o.0) }
    pub fn div(&self, o: &Number) -> Option<Number> { Number::from_f64(self.0 / o.0) }
    pub fn modulo(&self, o: &Number) -> Option<Number> { if o.0 == 0.0 { Some(self.clone()) } else { Number::from_f64(self.0 % o.0) } }
    pub fn neg(&self) -> Number { Number(-self.0) }
    pub fn abs(&self) -> Number { Number(self.0.abs()) }
    pub fn go_string(&self) -> String { format!("{}", self.0) }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.fract() == 0.0 && self.0.is_finite() { write!(f, "{:.0}", self.0) } else { write!(f, "{}", self.0) }
    }
}
