//! One verb of cty's `format` applied to its argument (`formatAppend` and the functions it
//! fans out to): `%v` as is, `%t` booleans, numeric verbs through Go's `fmt` (here
//! [`Number::format`]), `%s` and `%q` strings, with widths and precisions counted in
//! grapheme clusters where cty counts them itself.

use crate::cty::convert::convert;
use crate::cty::json::{go_json_string, marshal};
use crate::cty::ty::go_quote;
use crate::cty::{Type, Value};
use crate::lang::function::FuncError;
use crate::number::{FormatError, FormatSpec, Number};
use unicode_segmentation::UnicodeSegmentation;

/// A verb as the scanner read it.
#[derive(Default)]
pub(super) struct Verb<'a> {
    /// The verb's text, `%` to the verb letter.
    pub raw: &'a str,
    /// The byte offset of its `%`.
    pub offset: usize,
    /// The argument it formats, 1-based.
    pub arg_num: i64,
    pub mode: char,
    pub zero: bool,
    pub sharp: bool,
    pub plus: bool,
    pub minus: bool,
    pub space: bool,
    pub width: Option<i64>,
    pub width_digits: &'a str,
    pub prec: Option<i64>,
    pub prec_digits: &'a str,
}

impl Verb<'_> {
    fn unsupported(&self, msg: impl std::fmt::Display) -> FuncError {
        FuncError::other(format!("unsupported value for {} at {}: {msg}", go_quote(self.raw), self.offset))
    }

    /// cty's `formatPadWidth`: pads to the width in grapheme clusters, with '0' when the zero
    /// flag is set (even on the right).
    fn pad(&self, s: &str) -> String {
        let Some(width) = self.width.and_then(|w| usize::try_from(w).ok()) else {
            return s.to_string();
        };
        let len = s.graphemes(true).count();
        if len >= width {
            return s.to_string();
        }
        let pad = (if self.zero { "0" } else { " " }).repeat(width - len);
        if self.minus { format!("{s}{pad}") } else { format!("{pad}{s}") }
    }
}

/// Appends the verb's formatting of its argument to `out`.
pub(super) fn append(verb: &Verb<'_>, out: &mut String, args: &[Value]) -> Result<(), FuncError> {
    let Some(arg) = usize::try_from(verb.arg_num - 1).ok().and_then(|i| args.get(i)) else {
        return Err(FuncError::other(format!(
            "not enough arguments for {} at {}: need index {} but have {} total",
            go_quote(verb.raw),
            verb.offset,
            verb.arg_num,
            args.len()
        )));
    };
    if verb.mode != 'v' && arg.is_null() {
        return Err(verb.unsupported("null value cannot be formatted"));
    }
    match verb.mode {
        'v' => out.push_str(&as_is(verb, arg)?),
        't' => {
            let b = convert(arg.clone(), &Type::Bool).map_err(|e| verb.unsupported(e))?;
            out.push_str(if b.as_bool() == Some(true) { "true" } else { "false" });
        }
        'b' | 'd' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'g' | 'G' => {
            let n = convert(arg.clone(), &Type::Number).map_err(|e| verb.unsupported(e))?;
            let n = n.as_number().expect("a known number");
            out.push_str(&number(verb, n)?);
        }
        's' | 'q' => {
            let s = convert(arg.clone(), &Type::String).map_err(|e| verb.unsupported(e))?;
            let mut s = s.as_str().expect("a known string");
            if let Some(prec) = verb.prec.filter(|&p| p > 0) {
                let end = s.grapheme_indices(true).nth(prec as usize).map_or(s.len(), |(i, _)| i);
                s = &s[..end];
            }
            if verb.mode == 's' {
                out.push_str(&verb.pad(s));
            } else {
                out.push_str(&verb.pad(&go_json_string(s)));
            }
        }
        m => {
            return Err(FuncError::other(format!(
                "unsupported format verb {} in {} at offset {}",
                super::scan::go_quote_rune(m),
                go_quote(verb.raw),
                verb.offset
            )));
        }
    }
    Ok(())
}

/// `%v`: strings and numbers in their own form (unless `#`), everything else as JSON.
fn as_is(verb: &Verb<'_>, arg: &Value) -> Result<String, FuncError> {
    if !verb.sharp {
        match arg {
            Value::String(s) => return Ok(verb.pad(s)),
            // `Text('g', -1)`, padded as cty pads.
            Value::Number(n) => return Ok(verb.pad(&n.format('v', &FormatSpec::default()).unwrap_or_default())),
            _ => {}
        }
    }
    let json = marshal(arg, &arg.ty()).map_err(|e| verb.unsupported(e))?;
    Ok(verb.pad(&json))
}

/// The numeric verbs, which cty hands to Go's `fmt` with the verb's text (less any `[n]`).
fn number(verb: &Verb<'_>, n: &Number) -> Result<String, FuncError> {
    let integer = matches!(verb.mode, 'b' | 'd' | 'o' | 'x' | 'X');
    if integer && !n.is_integer() {
        return Err(verb.unsupported("an integer is required"));
    }
    // Go's fmt gives up on widths and precisions it considers absurdly long, and then
    // reports the argument it did not use.
    let (Some(width), Some(prec)) = (go_fmt_num(verb.width_digits), go_fmt_num(verb.prec_digits)) else {
        let (ty, text) = match integer {
            true => ("*big.Int", n.format('d', &FormatSpec::default())),
            false => ("*big.Float", n.format('g', &FormatSpec::default())),
        };
        return Ok(format!("%!(NOVERB)%!(EXTRA {ty}={})", text.unwrap_or_default()));
    };
    let spec = FormatSpec {
        minus: verb.minus,
        plus: verb.plus,
        space: verb.space,
        zero: verb.zero,
        sharp: verb.sharp,
        width: verb.width.map(|_| width),
        precision: verb.prec.map(|_| prec),
    };
    n.format(verb.mode, &spec).map_err(|e| match e {
        FormatError::NotAnInteger => verb.unsupported("an integer is required"),
        e => verb.unsupported(e),
    })
}

/// Go fmt's `parsenum` on a run of digits: `None` when it overflows its limit of 1e6.
fn go_fmt_num(digits: &str) -> Option<usize> {
    let mut n: usize = 0;
    for c in digits.bytes() {
        if n > 1_000_000 {
            return None;
        }
        n = n * 10 + usize::from(c - b'0');
    }
    Some(n)
}
