//! Numeric verbs of cty's `format`/`formatlist`: `d b o x X` through Go's `big.Int`
//! formatter, `e E f g G` through `big.Float`'s, and `v` as cty's own "as is" form
//! (`Text('g', -1)` padded by cty, not by Go).

use super::Number;
use super::bigfloat::Form;
use super::ftoa;

/// Flags, width and precision of one verb, as cty's format scanner read them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FormatSpec {
    pub minus: bool,
    pub plus: bool,
    pub space: bool,
    pub zero: bool,
    pub sharp: bool,
    pub width: Option<usize>,
    pub precision: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// cty: `unsupported value for "%d" at 0: an integer is required`.
    #[error("an integer is required")]
    NotAnInteger,
    /// `%#v` writes JSON, which has no infinities.
    #[error("cannot serialize infinity as JSON")]
    Infinity,
    #[error("unsupported numeric format verb {0:?}")]
    UnsupportedVerb(char),
}

impl Number {
    /// Formats the number for one numeric verb of cty's `format()`.
    pub fn format(&self, verb: char, spec: &FormatSpec) -> Result<String, FormatError> {
        // Go's fmt drops the '0' flag when '-' is present (cty's own padding for %v does not).
        let zero = spec.zero && !spec.minus;
        match verb {
            'd' | 'b' | 'o' | 'x' | 'X' => {
                let i = self.to_bigint().ok_or(FormatError::NotAnInteger)?;
                Ok(format_int(&i, verb, spec, zero))
            }
            'e' | 'E' | 'f' | 'g' | 'G' => Ok(self.format_float(verb as u8, spec, zero)),
            // cty's "as is" verb: JSON with '#', else the shortest %g; padded by cty.
            'v' if spec.sharp => Ok(pad_cty(&self.to_json_number_text().ok_or(FormatError::Infinity)?, spec)),
            'v' => Ok(pad_cty(&ftoa::text(&self.big(), b'g', -1), spec)),
            _ => Err(FormatError::UnsupportedVerb(verb)),
        }
    }

    /// Go's `(*big.Float).Format`.
    fn format_float(&self, verb: u8, spec: &FormatSpec, zero: bool) -> String {
        let prec = match (spec.precision, verb) {
            (Some(p), _) => p as i64,
            (None, b'g' | b'G') => -1,
            (None, _) => 6,
        };
        let big = self.big();
        let text = ftoa::text(&big, verb, prec);
        let (sign, body) = if let Some(rest) = text.strip_prefix('-') {
            ("-", rest)
        } else if let Some(rest) = text.strip_prefix('+') {
            (if spec.space { " " } else { "+" }, rest)
        } else if spec.plus {
            ("+", text.as_str())
        } else if spec.space {
            (" ", text.as_str())
        } else {
            ("", text.as_str())
        };
        let padding = spec.width.map_or(0, |w| w.saturating_sub(sign.len() + body.len()));
        if zero && big.form != Form::Inf {
            format!("{sign}{}{body}", "0".repeat(padding))
        } else if spec.minus {
            format!("{sign}{body}{}", " ".repeat(padding))
        } else {
            format!("{}{sign}{body}", " ".repeat(padding))
        }
    }
}

/// Go's `(*big.Int).Format`.
fn format_int(i: &num_bigint::BigInt, verb: char, spec: &FormatSpec, zero: bool) -> String {
    let base = match verb {
        'b' => 2,
        'o' => 8,
        'x' | 'X' => 16,
        _ => 10,
    };
    let sign = if i.sign() == num_bigint::Sign::Minus {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let prefix = match (spec.sharp, verb) {
        (true, 'b') => "0b",
        (true, 'o') => "0",
        (true, 'x') => "0x",
        (true, 'X') => "0X",
        _ => "",
    };
    let mut digits = i.magnitude().to_str_radix(base);
    if verb == 'X' {
        digits.make_ascii_uppercase();
    }
    let mut zeros = 0;
    if let Some(p) = spec.precision {
        if digits.len() < p {
            zeros = p - digits.len();
        } else if digits == "0" && p == 0 {
            return String::new(); // zero with zero precision prints nothing
        }
    }
    let length = sign.len() + prefix.len() + zeros + digits.len();
    let (mut left, mut right) = (0, 0);
    if let Some(w) = spec.width.filter(|&w| w > length) {
        let d = w - length;
        if spec.minus {
            right = d;
        } else if zero && spec.precision.is_none() {
            zeros = d;
        } else {
            left = d;
        }
    }
    format!("{}{sign}{prefix}{}{digits}{}", " ".repeat(left), "0".repeat(zeros), " ".repeat(right))
}

/// cty's `formatPadWidth`: pads with '0' when the zero flag is set (even on the right, and
/// before a sign), else with spaces.
fn pad_cty(s: &str, spec: &FormatSpec) -> String {
    let Some(w) = spec.width else {
        return s.to_string();
    };
    let len = s.chars().count();
    if len >= w {
        return s.to_string();
    }
    let pad = (if spec.zero { "0" } else { " " }).repeat(w - len);
    if spec.minus { format!("{s}{pad}") } else { format!("{pad}{s}") }
}
