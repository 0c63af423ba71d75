//! Go's `Float.Text` for the decimal formats `e E f g G`, including the shortest
//! representation (`prec < 0`) at the value's own precision.

use super::bigfloat::{BigFloat, Form};
use super::decimal::{Decimal, round_shortest};

/// `x.Text(fmt, prec)` for `fmt` one of `e E f g G`.
pub(crate) fn text(x: &BigFloat, fmt: u8, prec: i64) -> String {
    let mut buf = String::new();
    if x.neg {
        buf.push('-');
    }
    if x.form == Form::Inf {
        if !x.neg {
            buf.push('+');
        }
        buf.push_str("Inf");
        return buf;
    }
    append_decimal(&mut buf, Decimal::from_float(x), fmt, prec, |d| round_shortest(d, x));
    buf
}

/// Formats the exact decimal `d` (already of a finite or zero value) like `Float.Text`;
/// `shorten` performs the shortest rounding when `prec < 0`.
pub(crate) fn append_decimal(
    buf: &mut String,
    mut d: Decimal,
    fmt: u8,
    mut prec: i64,
    shorten: impl FnOnce(&mut Decimal),
) {
    let len = |d: &Decimal| d.mant.len() as i64;
    let shortest = prec < 0;
    if shortest {
        shorten(&mut d);
        prec = match fmt {
            b'e' | b'E' => len(&d) - 1,
            b'f' => (len(&d) - d.exp).max(0),
            _ => len(&d),
        };
    } else {
        match fmt {
            b'e' | b'E' => d.round(1 + prec),
            b'f' => d.round(d.exp + prec),
            _ => {
                if prec == 0 {
                    prec = 1;
                }
                d.round(prec)
            }
        }
    }
    match fmt {
        b'e' | b'E' => fmt_e(buf, fmt, prec, &d),
        b'f' => fmt_f(buf, prec, &d),
        _ => {
            // %e is used if the exponent from the conversion is less than -4 or greater than
            // or equal to the precision (6 for the shortest representation).
            let mut eprec = prec;
            if eprec > len(&d) && len(&d) >= d.exp {
                eprec = len(&d);
            }
            if shortest {
                eprec = 6;
            }
            let exp = d.exp - 1;
            if exp < -4 || exp >= eprec {
                if prec > len(&d) {
                    prec = len(&d);
                }
                fmt_e(buf, fmt + b'e' - b'g', prec - 1, &d);
            } else {
                if prec > d.exp {
                    prec = len(&d);
                }
                fmt_f(buf, (prec - d.exp).max(0), &d);
            }
        }
    }
}

/// `d.ddddde±dd`
fn fmt_e(buf: &mut String, fmt: u8, prec: i64, d: &Decimal) {
    buf.push(if d.mant.is_empty() { '0' } else { d.mant[0] as char });
    if prec > 0 {
        buf.push('.');
        let mut i = 1i64;
        let m = (d.mant.len() as i64).min(prec + 1);
        if i < m {
            buf.push_str(std::str::from_utf8(&d.mant[i as usize..m as usize]).unwrap_or(""));
            i = m;
        }
        while i <= prec {
            buf.push('0');
            i += 1;
        }
    }
    buf.push(fmt as char);
    let mut exp = if d.mant.is_empty() { 0 } else { d.exp - 1 };
    if exp < 0 {
        buf.push('-');
        exp = -exp;
    } else {
        buf.push('+');
    }
    if exp < 10 {
        buf.push('0');
    }
    buf.push_str(&exp.to_string());
}

/// `ddddd.ddddd`
fn fmt_f(buf: &mut String, prec: i64, d: &Decimal) {
    if d.exp > 0 {
        let m = (d.mant.len() as i64).min(d.exp);
        buf.push_str(std::str::from_utf8(&d.mant[..m as usize]).unwrap_or(""));
        for _ in m..d.exp {
            buf.push('0');
        }
    } else {
        buf.push('0');
    }
    if prec > 0 {
        buf.push('.');
        for i in 0..prec {
            buf.push(d.at(d.exp + i) as char);
        }
    }
}
