//! String functions: format, join, split, replace, case, trimming, regex, ...

use super::*;
use regex::Regex;
use unicode_segmentation::UnicodeSegmentation;

pub(super) fn functions() -> Vec<Function> {
    vec![
        Function::new("format", &["format"], format).variadic("args").allow_null(),
        Function::new("formatlist", &["format"], formatlist).variadic("args").allow_null().nested_unknowns(),
        Function::new("join", &["separator"], join).variadic("lists"),
        Function::new("split", &["separator", "str"], split),
        Function::new("replace", &["str", "substr", "replace"], replace),
        Function::new("upper", &["str"], |_, a| Ok(Value::String(upper(&str_arg(&a, 0)?)))),
        Function::new("lower", &["str"], |_, a| Ok(Value::String(lower(&str_arg(&a, 0)?)))),
        Function::new("title", &["str"], |_, a| Ok(Value::String(title(&str_arg(&a, 0)?)))),
        Function::new("trimspace", &["str"], |_, a| Ok(Value::String(str_arg(&a, 0)?.trim().to_string()))),
        Function::new("trim", &["str", "cutset"], trim),
        Function::new("trimprefix", &["str", "prefix"], |_, a| {
            let s = str_arg(&a, 0)?;
            let p = str_arg(&a, 1)?;
            Ok(Value::from(s.strip_prefix(p.as_str()).unwrap_or(&s)))
        }),
        Function::new("trimsuffix", &["str", "suffix"], |_, a| {
            let s = str_arg(&a, 0)?;
            let p = str_arg(&a, 1)?;
            Ok(Value::from(s.strip_suffix(p.as_str()).unwrap_or(&s)))
        }),
        Function::new("substr", &["str", "offset", "length"], substr),
        Function::new("regex", &["pattern", "string"], regex_fn),
        Function::new("regexall", &["pattern", "string"], regexall),
        Function::new("startswith", &["str", "prefix"], |_, a| {
            Ok(Value::Bool(str_arg(&a, 0)?.starts_with(str_arg(&a, 1)?.as_str())))
        }),
        Function::new("endswith", &["str", "suffix"], |_, a| {
            Ok(Value::Bool(str_arg(&a, 0)?.ends_with(str_arg(&a, 1)?.as_str())))
        }),
        Function::new("strcontains", &["str", "substr"], |_, a| {
            Ok(Value::Bool(str_arg(&a, 0)?.contains(str_arg(&a, 1)?.as_str())))
        }),
        Function::new("indent", &["spaces", "str"], indent),
        Function::new("chomp", &["str"], |_, a| Ok(Value::from(str_arg(&a, 0)?.trim_end_matches(['\r', '\n'])))),
        Function::new("strrev", &["str"], |_, a| Ok(Value::String(str_arg(&a, 0)?.graphemes(true).rev().collect()))),
    ]
}

// ---- format ----

/// A format error: the message (without a final period) and, for "too many arguments", the
/// index of the first argument that was not used.
struct FmtError {
    arg: Option<usize>,
    msg: String,
}

impl FmtError {
    fn call(msg: String) -> FmtError {
        FmtError { arg: None, msg }
    }
}

fn format(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let f = str_arg(&a, 0)?;
    match format_values(&f, &a[1..]) {
        Ok(s) => Ok(Value::String(s)),
        Err(FmtError { arg: Some(i), msg }) => Err(arg_err(i + 1, format!("{msg}."))),
        Err(FmtError { arg: None, msg }) => Err(FuncError::Call(format!("{msg}."))),
    }
}

fn formatlist(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let f = str_arg(&a, 0)?;
    let args = &a[1..];
    if args.is_empty() {
        return format(&FuncCtx { base_dir: Path::new(".") }, a).map(|v| Value::List(vec![v]));
    }
    let mut len: Option<(usize, usize)> = None;
    for (i, arg) in args.iter().enumerate() {
        if let Value::List(items) | Value::Set(items) = arg {
            match len {
                None => len = Some((items.len(), i)),
                Some((n, chooser)) if n != items.len() => {
                    return Err(arg_err(
                        i + 1,
                        format!(
                            "argument {} has length {}, which is inconsistent with argument {} of length {n}.",
                            i + 1,
                            items.len(),
                            chooser + 1
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
    }
    let n = len.map_or(1, |(n, _)| n);
    let mut out = Vec::with_capacity(n);
    for iteration in 0..n {
        let values: Vec<Value> = args
            .iter()
            .map(|arg| match arg {
                Value::List(items) | Value::Set(items) => items[iteration].clone(),
                other => other.clone(),
            })
            .collect();
        if !values.iter().all(Value::is_wholly_known) {
            out.push(Value::Unknown);
            continue;
        }
        let s = format_values(&f, &values)
            .map_err(|e| FuncError::Call(format!("error on format iteration {iteration}: {}.", e.msg)))?;
        out.push(Value::String(s));
    }
    Ok(Value::List(out))
}

#[derive(Default)]
struct Verb {
    raw: String,
    offset: usize,
    arg: usize,
    mode: char,
    zero: bool,
    sharp: bool,
    plus: bool,
    minus: bool,
    space: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// cty's `format`: a printf-like language with the verbs `%v %#v %t %b %d %o %x %X %e %E %f %g
/// %G %s %q`, flags ` +-0#`, a width, a precision and explicit argument indexes `%[2]s`.
fn format_values(f: &str, args: &[Value]) -> Result<String, FmtError> {
    let b = f.as_bytes();
    let mut out = String::new();
    let mut next_arg = 1;
    let mut max_used = 0;
    let mut p = 0;
    let unexpected = |p: usize| {
        let c = f[p..].chars().next().unwrap_or('\0');
        FmtError::call(format!("unrecognized format character {} at offset {p}", go_quote_rune(c)))
    };
    let eof = || FmtError::call(format!("invalid format string starting at offset {}", b.len()));
    while p < b.len() {
        if b[p] != b'%' {
            let c = f[p..].chars().next().unwrap_or_default();
            out.push(c);
            p += c.len_utf8();
            continue;
        }
        let start = p;
        p += 1;
        if b.get(p) == Some(&b'%') {
            out.push('%');
            p += 1;
            continue;
        }
        let mut v = Verb { offset: start, arg: next_arg, ..Verb::default() };
        while let Some(c) = b.get(p) {
            match c {
                b'0' => v.zero = true,
                b'#' => v.sharp = true,
                b'-' => v.minus = true,
                b'+' => v.plus = true,
                b' ' => v.space = true,
                _ => break,
            }
            p += 1;
        }
        if b.get(p) == Some(&b'[') {
            p += 1;
            match b.get(p) {
                Some(b'1'..=b'9') => {}
                Some(_) => return Err(unexpected(p)),
                None => return Err(eof()),
            }
            let mut n = 0usize;
            while let Some(c @ b'0'..=b'9') = b.get(p) {
                n = n.saturating_mul(10).saturating_add((c - b'0') as usize);
                p += 1;
            }
            match b.get(p) {
                Some(b']') => p += 1,
                Some(_) => return Err(unexpected(p)),
                None => return Err(eof()),
            }
            v.arg = n;
        }
        if let Some(b'1'..=b'9') = b.get(p) {
            let mut n = 0usize;
            while let Some(c @ b'0'..=b'9') = b.get(p) {
                n = n.saturating_mul(10).saturating_add((c - b'0') as usize);
                p += 1;
            }
            if n > MAX_WIDTH {
                return Err(FmtError::call(format!("the width at offset {start} is more than {MAX_WIDTH}")));
            }
            v.width = Some(n);
        }
        if b.get(p) == Some(&b'.') {
            p += 1;
            let mut n = 0usize;
            while let Some(c @ b'0'..=b'9') = b.get(p) {
                n = n.saturating_mul(10).saturating_add((c - b'0') as usize);
                p += 1;
            }
            if n > MAX_WIDTH {
                return Err(FmtError::call(format!("the precision at offset {start} is more than {MAX_WIDTH}")));
            }
            v.prec = Some(n);
        }
        match b.get(p) {
            Some(c) if c.is_ascii_alphabetic() => v.mode = *c as char,
            Some(_) => return Err(unexpected(p)),
            None => return Err(eof()),
        }
        p += 1;
        v.raw = f[start..p].to_string();
        let Some(arg) = args.get(v.arg - 1) else {
            return Err(FmtError::call(format!(
                "not enough arguments for {} at {}: need index {} but have {} total",
                go_quote(&v.raw),
                v.offset,
                v.arg,
                args.len()
            )));
        };
        format_one(&v, arg, &mut out)?;
        if out.len() > super::MAX_VALUE_BYTES {
            return Err(FmtError::call(format!(
                "the result would be more than the {} bytes a value may have",
                super::MAX_VALUE_BYTES
            )));
        }
        max_used = max_used.max(v.arg);
        next_arg = v.arg + 1;
    }
    if args.len() > max_used {
        let msg = if max_used == 0 {
            "too many arguments; no verbs in format string".to_string()
        } else {
            format!("too many arguments; only {max_used} used by format string")
        };
        return Err(FmtError { arg: Some(max_used), msg });
    }
    Ok(out)
}

fn format_one(v: &Verb, arg: &Value, out: &mut String) -> Result<(), FmtError> {
    let unsupported =
        |why: &str| FmtError::call(format!("unsupported value for {} at {}: {why}", go_quote(&v.raw), v.offset));
    if v.mode != 'v' && arg.is_null() {
        return Err(unsupported("null value cannot be formatted"));
    }
    match v.mode {
        'v' => {
            let s = match arg {
                Value::String(s) if !v.sharp => s.clone(),
                Value::Number(n) if !v.sharp => format_float(*n, 'g', None),
                other => super::encoding::json_encode(other).map_err(|e| unsupported(&e))?,
            };
            out.push_str(&pad_width(v, s));
        }
        't' => match arg {
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::String(s) => {
                let b = parse_bool(s).map_err(|e| unsupported(&e))?;
                out.push_str(if b { "true" } else { "false" });
            }
            _ => return Err(unsupported("bool required")),
        },
        'b' | 'd' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'g' | 'G' => {
            let n = match arg {
                Value::Number(n) => *n,
                Value::String(s) => parse_number(s).ok_or_else(|| unsupported("a number is required"))?,
                _ => return Err(unsupported("number required")),
            };
            if matches!(v.mode, 'b' | 'd' | 'o' | 'x' | 'X') {
                if n.fract() != 0.0 || !n.is_finite() {
                    return Err(unsupported("an integer is required"));
                }
                out.push_str(&format_integer(v, n));
            } else {
                out.push_str(&format_float_verb(v, n));
            }
        }
        's' | 'q' => {
            let mut s = prim_str(arg).ok_or_else(|| unsupported("string required"))?;
            if let Some(prec) = v.prec.filter(|p| *p > 0) {
                s = s.graphemes(true).take(prec).collect();
            }
            if v.mode == 'q' {
                s = super::encoding::json_string(&s);
            }
            out.push_str(&pad_width(v, s));
        }
        other => {
            return Err(FmtError::call(format!(
                "unsupported format verb {} in {} at offset {}",
                go_quote_rune(other),
                go_quote(&v.raw),
                v.offset
            )));
        }
    }
    Ok(())
}

/// The largest width or precision a verb may ask for (Go's `fmt` has the same bound), so a
/// format string cannot make terrane allocate without limit.
const MAX_WIDTH: usize = 1_000_000;

/// Pads to the verb's width, counted in grapheme clusters.
fn pad_width(v: &Verb, s: String) -> String {
    let Some(width) = v.width else { return s };
    let len = s.graphemes(true).count();
    if len >= width {
        return s;
    }
    let pad = if v.zero { "0" } else { " " }.repeat(width - len);
    if v.minus { s + &pad } else { pad + &s }
}

/// `%b %d %o %x %X` as Go's `big.Int` formats them: sign, `#` prefix, precision as a
/// minimum digit count, then width padding.
fn format_integer(v: &Verb, n: f64) -> String {
    let magnitude: u128 = format!("{}", n.abs()).parse().unwrap_or(u128::MAX);
    let digits = match v.mode {
        'b' => format!("{magnitude:b}"),
        'o' => format!("{magnitude:o}"),
        'x' => format!("{magnitude:x}"),
        'X' => format!("{magnitude:X}"),
        _ => magnitude.to_string(),
    };
    let sign = if n < 0.0 {
        "-"
    } else if v.plus {
        "+"
    } else if v.space {
        " "
    } else {
        ""
    };
    let prefix = match (v.sharp, v.mode) {
        (true, 'b') => "0b",
        (true, 'o') => "0",
        (true, 'x') => "0x",
        (true, 'X') => "0X",
        _ => "",
    };
    let mut zeros = 0;
    if let Some(prec) = v.prec {
        if digits.len() < prec {
            zeros = prec - digits.len();
        } else if digits == "0" && prec == 0 {
            // Go prints nothing at all, not even padding.
            return String::new();
        }
    }
    let (mut left, mut right) = (0, 0);
    let len = sign.len() + prefix.len() + zeros + digits.len();
    if let Some(width) = v.width.filter(|w| *w > len) {
        let d = width - len;
        if v.minus {
            right = d;
        } else if v.zero && v.prec.is_none() {
            zeros = d;
        } else {
            left = d;
        }
    }
    format!("{}{sign}{prefix}{}{digits}{}", " ".repeat(left), "0".repeat(zeros), " ".repeat(right))
}

/// `%e %E %f %g %G` as Go's `big.Float` formats them, with sign and padding.
fn format_float_verb(v: &Verb, n: f64) -> String {
    let body = format_float(n.abs(), v.mode, v.prec);
    let sign = if n.is_sign_negative() && n != 0.0 {
        "-"
    } else if v.plus {
        "+"
    } else if v.space {
        " "
    } else {
        ""
    };
    let padding = v.width.map_or(0, |w| w.saturating_sub(sign.len() + body.len()));
    if v.zero && n.is_finite() {
        format!("{sign}{}{body}", "0".repeat(padding))
    } else if v.minus {
        format!("{sign}{body}{}", " ".repeat(padding))
    } else {
        format!("{}{sign}{body}", " ".repeat(padding))
    }
}

/// The decimal digits of a number and the position of its decimal point (the value is
/// `0.DIGITS × 10^point`), from the shortest representation that reads back the same: the
/// number as written in the configuration, which is what Terraform's exact arithmetic keeps.
fn decimal(n: f64) -> (Vec<u8>, i32) {
    if n == 0.0 {
        return (Vec::new(), 0);
    }
    let e = format!("{:e}", n.abs());
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).map(|d| d - b'0').collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut d = (digits, exp + 1);
    trim_zeros(&mut d);
    d
}

fn trim_zeros((digits, point): &mut (Vec<u8>, i32)) {
    while digits.last() == Some(&0) {
        digits.pop();
    }
    if digits.is_empty() {
        *point = 0;
    }
}

/// Rounds to `nd` digits as Go's `big.Float` does. A tie in the decimal digits is a tie only
/// if the number is exactly that decimal; Terraform holds a decimal like `0.05` as the
/// nearest 512-bit binary number, slightly above or below, and that decides.
fn round_digits(d: &mut (Vec<u8>, i32), nd: i32) {
    let (digits, point) = d;
    if nd < 0 || nd as usize >= digits.len() {
        return;
    }
    let nd = nd as usize;
    let up = match digits[nd] {
        x if x > 5 => true,
        5 if nd + 1 == digits.len() => match binary_above_decimal(digits, *point) {
            Some(above) => above,
            None => nd > 0 && digits[nd - 1] % 2 == 1,
        },
        5 => true,
        _ => false,
    };
    digits.truncate(nd);
    if up {
        let mut i = nd;
        loop {
            if i == 0 {
                digits.insert(0, 1);
                *point += 1;
                break;
            }
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    trim_zeros(d);
}

/// Whether the 512-bit binary float nearest to the decimal `0.DIGITS × 10^point` is above it
/// (`Some(true)`), below it (`Some(false)`), or the decimal is exactly representable (`None`).
fn binary_above_decimal(digits: &[u8], point: i32) -> Option<bool> {
    // The decimal is m / 10^k = m / (2^k × 5^k); it is exact in binary when the 5s cancel.
    let mut m: u64 = digits.iter().fold(0u64, |m, d| m.saturating_mul(10).saturating_add(*d as u64));
    let mut t = (digits.len() as i32 - point).max(0);
    while t > 0 && m.is_multiple_of(5) {
        m /= 5;
        t -= 1;
    }
    if t == 0 || m == 0 {
        return None;
    }
    // The mantissa is floor(m × 2^s / 5^t) for the s giving it 512 bits; the float is above
    // the decimal when the division's remainder is more than half of 5^t.
    let mut p = Big::from(1);
    (0..t).for_each(|_| p.mul_small(5));
    let mbits = 64 - m.leading_zeros() as usize;
    let mut s = 511 + p.bits() - mbits;
    let mut lhs = Big::from(m);
    lhs.shl(s);
    let mut rhs = p.clone();
    rhs.shl(511);
    if lhs.cmp(&rhs) == std::cmp::Ordering::Less {
        s += 1;
    }
    // r = m × 2^s mod p, by doubling.
    let mut r = Big::from(m);
    while r.cmp(&p) != std::cmp::Ordering::Less {
        r.sub(&p);
    }
    for _ in 0..s {
        r.shl(1);
        if r.cmp(&p) != std::cmp::Ordering::Less {
            r.sub(&p);
        }
    }
    r.shl(1);
    Some(r.cmp(&p) == std::cmp::Ordering::Greater)
}

/// Just enough of an unsigned big integer for [`binary_above_decimal`] (little-endian limbs).
#[derive(Clone)]
struct Big(Vec<u64>);

impl Big {
    fn from(v: u64) -> Big {
        Big(vec![v])
    }

    fn trim(&mut self) {
        while self.0.len() > 1 && self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn bits(&self) -> usize {
        let top = *self.0.last().unwrap_or(&0);
        (self.0.len() - 1) * 64 + (64 - top.leading_zeros() as usize)
    }

    fn mul_small(&mut self, k: u64) {
        let mut carry = 0u128;
        for limb in &mut self.0 {
            let v = *limb as u128 * k as u128 + carry;
            *limb = v as u64;
            carry = v >> 64;
        }
        if carry > 0 {
            self.0.push(carry as u64);
        }
    }

    fn shl(&mut self, n: usize) {
        let (words, bits) = (n / 64, n % 64);
        let mut out = vec![0u64; words];
        let mut carry = 0u64;
        for &limb in &self.0 {
            out.push(if bits == 0 { limb } else { (limb << bits) | carry });
            carry = if bits == 0 { 0 } else { limb >> (64 - bits) };
        }
        out.push(carry);
        self.0 = out;
        self.trim();
    }

    fn cmp(&self, other: &Big) -> std::cmp::Ordering {
        self.0.len().cmp(&other.0.len()).then_with(|| self.0.iter().rev().cmp(other.0.iter().rev()))
    }

    /// `self -= other`, for `self >= other`.
    fn sub(&mut self, other: &Big) {
        let mut borrow = 0u64;
        for (i, limb) in self.0.iter_mut().enumerate() {
            let o = other.0.get(i).copied().unwrap_or(0);
            let (v, b1) = limb.overflowing_sub(o);
            let (v, b2) = v.overflowing_sub(borrow);
            *limb = v;
            borrow = (b1 || b2) as u64;
        }
        self.trim();
    }
}

/// Formats a non-negative number with Go's `%e`, `%f` or `%g` (uppercase for `E`/`G`);
/// `prec` `None` means the default (6, or the shortest for `g`).
fn format_float(n: f64, mode: char, prec: Option<usize>) -> String {
    if n.is_infinite() {
        return if n > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    let neg = n < 0.0;
    let mut d = decimal(n);
    let body = match mode {
        'e' | 'E' => {
            let prec = prec.unwrap_or(6);
            round_digits(&mut d, 1 + prec as i32);
            exp_form(&d, prec, mode == 'E')
        }
        'f' => {
            let prec = prec.unwrap_or(6);
            let digits = d.1 + prec as i32;
            round_digits(&mut d, digits);
            fixed_form(&d, prec)
        }
        _ => {
            let shortest = prec.is_none();
            let mut eprec = match prec {
                Some(p) => {
                    let p = p.max(1);
                    round_digits(&mut d, p as i32);
                    p as i32
                }
                None => 6,
            };
            let nd = d.0.len() as i32;
            if !shortest && eprec > nd && nd >= d.1 {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = d.1 - 1;
            if !d.0.is_empty() && (exp < -4 || exp >= eprec) {
                exp_form(&d, (nd - 1).max(0) as usize, mode == 'G')
            } else {
                fixed_form(&d, (nd - d.1).max(0) as usize)
            }
        }
    };
    if neg { format!("-{body}") } else { body }
}

fn exp_form((digits, point): &(Vec<u8>, i32), prec: usize, upper: bool) -> String {
    let digit = |i: usize| (b'0' + digits.get(i).copied().unwrap_or(0)) as char;
    let mut s = String::new();
    s.push(digit(0));
    if prec > 0 {
        s.push('.');
        (1..=prec).for_each(|i| s.push(digit(i)));
    }
    let exp = if digits.is_empty() { 0 } else { point - 1 };
    s.push(if upper { 'E' } else { 'e' });
    s.push(if exp < 0 { '-' } else { '+' });
    s.push_str(&format!("{:02}", exp.abs()));
    s
}

fn fixed_form((digits, point): &(Vec<u8>, i32), prec: usize) -> String {
    let digit = |i: i32| if i >= 0 { (b'0' + digits.get(i as usize).copied().unwrap_or(0)) as char } else { '0' };
    let mut s = String::new();
    if *point > 0 {
        (0..*point).for_each(|i| s.push(digit(i)));
    } else {
        s.push('0');
    }
    if prec > 0 {
        s.push('.');
        (0..prec as i32).for_each(|i| s.push(digit(point + i)));
    }
    s
}

/// A string quoted as Go's `%q` does (for the ASCII-or-printable strings of format verbs).
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A character quoted as Go's `%q` quotes a rune: `'x'`.
pub(super) fn go_quote_rune(c: char) -> String {
    match c {
        '\'' => "'\\''".into(),
        '\\' => "'\\\\'".into(),
        '\n' => "'\\n'".into(),
        '\t' => "'\\t'".into(),
        '\r' => "'\\r'".into(),
        c if c.is_control() => format!("'\\x{:02x}'", c as u32),
        c => format!("'{c}'"),
    }
}

// ---- join, split, replace ----

fn join(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let sep = str_arg(&a, 0)?;
    if a.len() < 2 {
        return Err(FuncError::Call("at least one list is required.".into()));
    }
    let mut parts = Vec::new();
    for (i, list) in a.iter().enumerate().skip(1) {
        let (Value::List(items) | Value::Set(items)) = list else {
            return Err(arg_err(i, "list of string required."));
        };
        for (j, item) in items.iter().enumerate() {
            match item {
                Value::Null => return Err(arg_err(i, format!("element {j} is null; cannot concatenate null values."))),
                v => parts.push(prim_str(v).ok_or_else(|| arg_err(i, format!("element {j}: string required.")))?),
            }
        }
    }
    Ok(Value::String(parts.join(&sep)))
}

fn split(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let sep = str_arg(&a, 0)?;
    let s = str_arg(&a, 1)?;
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        s.split(sep.as_str()).map(Value::from).collect()
    };
    Ok(Value::List(parts))
}

fn replace(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let s = str_arg(&a, 0)?;
    let substr = str_arg(&a, 1)?;
    let with = str_arg(&a, 2)?;
    if substr.len() > 1 && substr.starts_with('/') && substr.ends_with('/') {
        let re = go_regex(&substr[1..substr.len() - 1])
            .map_err(|e| FuncError::Call(format!("error parsing regexp: {}: `{}`.", e.code, e.expr)))?;
        let matches = re.find_iter(&s).count();
        super::check_size(s.len().saturating_add(matches.saturating_mul(with.len())))?;
        return Ok(Value::String(re.replace_all(&s, with.as_str()).into_owned()));
    }
    if !substr.is_empty() {
        super::check_size(s.len().saturating_add(s.matches(substr.as_str()).count().saturating_mul(with.len())))?;
    } else {
        super::check_size(s.len().saturating_add((s.chars().count() + 1).saturating_mul(with.len())))?;
    }
    Ok(Value::String(s.replace(substr.as_str(), &with)))
}

// ---- case ----

/// Go's `unicode.ToUpper` maps one character to one character; where Unicode's full mapping
/// would give several (`ß` → `SS`), Go keeps the character.
fn upper_char(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

fn lower_char(c: char) -> char {
    if c == '\u{130}' {
        return 'i';
    }
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn upper(s: &str) -> String {
    s.chars().map(upper_char).collect()
}

fn lower(s: &str) -> String {
    s.chars().map(lower_char).collect()
}

/// Go's `strings.Title`: the first letter of each word in title case, where words are
/// separated by anything but ASCII letters, digits and `_`, and by non-ASCII spaces.
fn title(s: &str) -> String {
    let separator = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else if c.is_alphabetic() || c.is_numeric() {
            false
        } else {
            c.is_whitespace()
        }
    };
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if separator(prev) {
                match c {
                    '\u{1c4}'..='\u{1c6}' => '\u{1c5}',
                    '\u{1c7}'..='\u{1c9}' => '\u{1c8}',
                    '\u{1ca}'..='\u{1cc}' => '\u{1cb}',
                    '\u{1f1}'..='\u{1f3}' => '\u{1f2}',
                    c => upper_char(c),
                }
            } else {
                c
            };
            prev = c;
            out
        })
        .collect()
}

// ---- trimming and slicing ----

fn trim(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let s = str_arg(&a, 0)?;
    let cutset: Vec<char> = str_arg(&a, 1)?.chars().collect();
    Ok(Value::from(s.trim_matches(cutset.as_slice())))
}

fn substr(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let s = str_arg(&a, 0)?;
    let whole_arg = |i: usize| -> Result<i64, FuncError> {
        whole(num_arg(&a, i)?).ok_or_else(|| FuncError::Call(format!("{WHOLE_NUMBER}.")))
    };
    let mut offset = whole_arg(1)?;
    let length = whole_arg(2)?;
    let graphemes: Vec<&str> = s.graphemes(true).collect();
    if offset < 0 {
        offset = (graphemes.len() as i64 + offset).max(0);
    }
    let rest = graphemes.iter().skip(offset as usize);
    let out: String = if length < 0 { rest.copied().collect() } else { rest.take(length as usize).copied().collect() };
    Ok(Value::String(out))
}

fn indent(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let spaces = int_arg(&a, 0)?;
    let s = str_arg(&a, 1)?;
    if spaces < 0 {
        return Err(arg_err(0, "the number of spaces must not be negative."));
    }
    let lines = s.matches('\n').count();
    super::check_size(s.len().saturating_add(lines.saturating_mul(spaces as usize)))?;
    super::check_size(spaces as usize)?;
    Ok(Value::String(s.replace('\n', &format!("\n{}", " ".repeat(spaces as usize)))))
}

// ---- regular expressions ----

/// Compiles a pattern written for Go's RE2 syntax. The two dialects agree but for a few
/// points, translated here: in Go, `\d \w \s \b` are ASCII-only (in Rust they follow
/// Unicode), `[` inside a class is a literal, `&&` and `~~` have no meaning in classes, and
/// `\Q...\E` quotes literal text.
pub(super) fn go_regex(pattern: &str) -> Result<Regex, RegexError> {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(e) = chars.next() else {
                    out.push('\\');
                    break;
                };
                match e {
                    'd' => out.push_str("[0-9]"),
                    'D' => out.push_str("[^0-9]"),
                    'w' => out.push_str("[0-9A-Za-z_]"),
                    'W' => out.push_str("[^0-9A-Za-z_]"),
                    's' => out.push_str("[\\t\\n\\f\\r ]"),
                    'S' => out.push_str("[^\\t\\n\\f\\r ]"),
                    'b' if !in_class => out.push_str("(?-u:\\b)"),
                    'B' if !in_class => out.push_str("(?-u:\\B)"),
                    'Q' if !in_class => {
                        let mut literal = String::new();
                        while let Some(q) = chars.next() {
                            if q == '\\' && chars.peek() == Some(&'E') {
                                chars.next();
                                break;
                            }
                            literal.push(q);
                        }
                        out.push_str(&regex::escape(&literal));
                    }
                    e => {
                        out.push('\\');
                        out.push(e);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
                // A `]` first in a class is a literal.
                if chars.peek() == Some(&']') {
                    chars.next();
                    out.push_str("\\]");
                }
            }
            '[' if chars.peek() == Some(&':') => {
                // An ASCII class like `[:alpha:]`: copy through its closing `:]`.
                out.push('[');
                for c2 in chars.by_ref() {
                    out.push(c2);
                    if c2 == ']' {
                        break;
                    }
                }
            }
            '[' => out.push_str("\\["),
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            '&' | '~' if in_class => out.push_str(&format!("\\x{:02X}", c as u32)),
            // In Go, a brace that does not start `{n}`, `{n,}` or `{n,m}` is a literal.
            '{' if !in_class => {
                let rest: String = chars.clone().take_while(|c| *c != '}').collect();
                let (lo, hi) = rest.split_once(',').unwrap_or((&rest, "0"));
                let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
                let closed = chars.clone().nth(rest.chars().count()) == Some('}');
                out.push_str(if closed && digits(lo) && (hi.is_empty() || digits(hi)) { "{" } else { "\\{" });
            }
            c => out.push(c),
        }
    }
    // Go rejects some patterns the regex crate accepts (`a**`, `x{1001}`), and where both
    // reject one, Go's wording is the one to give.
    if let Some(e) = go_regex_error(pattern) {
        return Err(e);
    }
    regex::RegexBuilder::new(&out).octal(true).build().map_err(|e| {
        let code = match e {
            regex::Error::Syntax(s) => s
                .lines()
                .find_map(|l| l.strip_prefix("error: "))
                .map(str::to_string)
                .unwrap_or(s.lines().last().unwrap_or("").into()),
            other => other.to_string(),
        };
        RegexError { code, expr: pattern.to_string() }
    })
}

/// A pattern error as Go's `regexp/syntax` reports it: what is wrong, and where.
pub(super) struct RegexError {
    code: String,
    expr: String,
}

/// Finds the first error Go's parser would report in `pattern`, for the common mistakes.
fn go_regex_error(pattern: &str) -> Option<RegexError> {
    let err = |code: &str, expr: &str| Some(RegexError { code: code.into(), expr: expr.into() });
    let chars: Vec<(usize, char)> = pattern.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|c| c.1);
    let text = |a: usize, b: usize| {
        let end = chars.get(b).map_or(pattern.len(), |c| c.0);
        pattern[chars.get(a).map_or(pattern.len(), |c| c.0)..end].to_string()
    };
    #[derive(Clone, Copy)]
    enum Prev {
        Nothing,
        Atom,
        Repeat(usize),
    }
    let mut prev = Prev::Nothing;
    let mut parens = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        match c {
            '\\' => {
                let Some(e) = at(i + 1) else { return err("trailing backslash at end of expression", "") };
                // Digits are octal escapes (`\\012`), but a lone `\\1` would be a backreference.
                let octal = e == '0' || ('1'..='7').contains(&e) && at(i + 2).is_some_and(|d| ('0'..='7').contains(&d));
                if e.is_ascii_digit() && !octal || e.is_ascii_alphabetic() && !"afnrtvdDsSwWbBAzxpPQ".contains(e) {
                    return err("invalid escape sequence", &text(i, i + 2));
                }
                i += 2;
                if e == 'Q' {
                    while i < chars.len() && !(at(i) == Some('\\') && at(i + 1) == Some('E')) {
                        i += 1;
                    }
                    i += 2;
                }
                prev = Prev::Atom;
                continue;
            }
            '[' => {
                let start = i;
                let mut j = i + 1;
                if at(j) == Some('^') {
                    j += 1;
                }
                if at(j) == Some(']') {
                    j += 1;
                }
                loop {
                    match at(j) {
                        None => return err("missing closing ]", &text(start, chars.len())),
                        Some(']') => break,
                        Some('[') if at(j + 1) == Some(':') => {
                            let close = (j + 2..chars.len()).find(|&k| at(k) == Some(':') && at(k + 1) == Some(']'));
                            let Some(close) = close else { return err("missing closing ]", &text(start, chars.len())) };
                            let name = text(j + 2, close);
                            const CLASSES: [&str; 14] = [
                                "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print",
                                "punct", "space", "upper", "word", "xdigit",
                            ];
                            if !CLASSES.contains(&name.trim_start_matches('^')) {
                                return err("invalid character class range", &text(j, close + 2));
                            }
                            j = close + 2;
                        }
                        Some('\\') => j += 2,
                        Some(lo) => {
                            if at(j + 1) == Some('-')
                                && let Some(hi) = at(j + 2).filter(|h| *h != ']' && *h != '\\')
                            {
                                if lo > hi {
                                    return err("invalid character class range", &text(j, j + 3));
                                }
                                j += 3;
                            } else {
                                j += 1;
                            }
                        }
                    }
                }
                i = j + 1;
                prev = Prev::Atom;
                continue;
            }
            '(' => {
                prev = Prev::Nothing;
                if at(i + 1) != Some('?') {
                    parens += 1;
                    i += 1;
                    continue;
                }
                let mut k = i + 2;
                if at(k) == Some('P') {
                    k += 1;
                }
                if at(k) == Some('<') {
                    let close = (k + 1..chars.len()).find(|&m| at(m) == Some('>'));
                    let name = close.map(|c| text(k + 1, c)).unwrap_or_default();
                    let Some(close) =
                        close.filter(|_| !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_'))
                    else {
                        return err("invalid named capture", &text(i, close.map_or(chars.len(), |c| c + 1)));
                    };
                    parens += 1;
                    i = close + 1;
                    continue;
                }
                while at(k).is_some_and(|f| "imsU-".contains(f)) {
                    k += 1;
                }
                match at(k) {
                    // `(?i:` opens a group; `(?i)` only sets flags.
                    Some(':') => parens += 1,
                    Some(')') => {}
                    _ => return err("invalid or unsupported Perl syntax", &text(i, k + 1)),
                }
                i = k + 1;
                continue;
            }
            ')' => {
                if parens == 0 {
                    return err("unexpected )", pattern);
                }
                parens -= 1;
                prev = Prev::Atom;
            }
            '|' => prev = Prev::Nothing,
            '*' | '+' | '?' | '{' => {
                let mut end = i + 1;
                if c == '{' {
                    // A repetition only if it is well formed: {n}, {n,} or {n,m}.
                    let close = (i + 1..chars.len()).find(|&k| at(k) == Some('}'));
                    let body = close.map(|k| text(i + 1, k)).unwrap_or_default();
                    let (lo, hi) = body.split_once(',').map_or((body.as_str(), Some(body.as_str())), |(l, h)| {
                        (l, if h.is_empty() { None } else { Some(h) })
                    });
                    let num = |s: &str| {
                        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                            .then(|| s.parse::<u64>().unwrap_or(u64::MAX))
                    };
                    let (Some(close), Some(lo)) = (close, num(lo)) else {
                        prev = Prev::Atom;
                        i += 1;
                        continue;
                    };
                    let hi = match hi {
                        Some(h) => match num(h) {
                            Some(h) => Some(h),
                            None => {
                                prev = Prev::Atom;
                                i += 1;
                                continue;
                            }
                        },
                        None => None,
                    };
                    end = close + 1;
                    if lo > 1000 || hi.is_some_and(|h| h > 1000 || h < lo) {
                        return err("invalid repeat count", &text(i, end));
                    }
                }
                if at(end) == Some('?') {
                    end += 1;
                }
                match prev {
                    Prev::Nothing => return err("missing argument to repetition operator", &text(i, end)),
                    Prev::Repeat(start) => return err("invalid nested repetition operator", &text(start, end)),
                    Prev::Atom => prev = Prev::Repeat(i),
                }
                i = end;
                continue;
            }
            _ => prev = Prev::Atom,
        }
        i += 1;
    }
    if parens > 0 {
        return err("missing closing )", pattern);
    }
    None
}

/// How a pattern's matches are returned: the whole match, a tuple of the unnamed captures,
/// or an object of the named ones.
enum Shape {
    Whole,
    Tuple,
    Object(Vec<String>),
}

fn compile_pattern(a: &[Value]) -> Result<(Regex, Shape), FuncError> {
    let pattern = str_arg(a, 0)?;
    let re =
        go_regex(&pattern).map_err(|e| arg_err(0, format!("invalid regexp pattern: {} in {}.", e.code, e.expr)))?;
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    let shape = if names.is_empty() {
        Shape::Whole
    } else if names.iter().all(Option::is_some) {
        Shape::Object(names.iter().flatten().map(|s| s.to_string()).collect())
    } else if names.iter().all(Option::is_none) {
        Shape::Tuple
    } else {
        return Err(arg_err(0, "invalid regexp pattern: cannot mix both named and unnamed capture groups."));
    };
    Ok((re, shape))
}

fn match_value(shape: &Shape, caps: &regex::Captures<'_>) -> Value {
    let group = |i: usize| caps.get(i).map_or(Value::Null, |m| Value::from(m.as_str()));
    match shape {
        Shape::Whole => group(0),
        Shape::Tuple => Value::List((1..caps.len()).map(group).collect()),
        Shape::Object(names) => Value::object(
            names.iter().map(|n| (n.clone(), caps.name(n).map_or(Value::Null, |m| Value::from(m.as_str())))),
        ),
    }
}

fn regex_fn(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let (re, shape) = compile_pattern(&a)?;
    let s = str_arg(&a, 1)?;
    let caps =
        re.captures(&s).ok_or_else(|| FuncError::Call("pattern did not match any part of the given string.".into()))?;
    Ok(match_value(&shape, &caps))
}

fn regexall(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let (re, shape) = compile_pattern(&a)?;
    let s = str_arg(&a, 1)?;
    Ok(Value::List(re.captures_iter(&s).map(|c| match_value(&shape, &c)).collect()))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    fn fmt(f: &str, args: Vec<Value>) -> String {
        let mut all = vec![s(f)];
        all.extend(args);
        match ok("format", all) {
            Value::String(s) => s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn format_verbs() {
        assert_eq!(fmt("%d-%s", vec![n(1.0), s("a")]), "1-a");
        assert_eq!(fmt("%5.2f|%-8s|%q", vec![n(3.14158), s("ab"), s("x\"y")]), " 3.14|ab      |\"x\\\"y\"");
        assert_eq!(fmt("%#v", vec![Value::object([("a", list(vec![n(1.0), s("b")]))])]), "{\"a\":[1,\"b\"]}");
        assert_eq!(fmt("%v %v %v %v", vec![s("s"), n(1.5), Value::Bool(true), Value::Null]), "s 1.5 true null");
        assert_eq!(fmt("%v|%v|%v", vec![n(1234567.0), n(123456.0), n(0.00001)]), "1.234567e+06|123456|1e-05");
        assert_eq!(
            fmt("%b %o %x %X %#x %#o %#b", vec![n(10.0), n(10.0), n(255.0), n(255.0), n(255.0), n(8.0), n(5.0)]),
            "1010 12 ff FF 0xff 010 0b101"
        );
        assert_eq!(
            fmt("%e %E %g %G", vec![n(1234.5678), n(1234.5678), n(1234.5678), n(0.00001234)]),
            "1.234568e+03 1.234568E+03 1234.5678 1.234E-05"
        );
        assert_eq!(
            fmt("%08.3f|%+d|% d|%+.1e", vec![n(3.14158), n(5.0), n(5.0), n(12345.0)]),
            "0003.142|+5| 5|+1.2e+04"
        );
        assert_eq!(fmt("%[2]s %[1]s %s", vec![s("a"), s("b")]), "b a b");
        assert_eq!(
            fmt("%5s|%-5s|%05d|%.3d|%8.3d|", vec![s("ab"), s("ab"), n(42.0), n(7.0), n(7.0)]),
            "   ab|ab   |00042|007|     007|"
        );
        assert_eq!(
            fmt("%.2s|%5q|%.2q|%5.1q|", vec![s("héllo"), s("a"), s("abc"), s("héllo")]),
            "hé|  \"a\"|\"ab\"|  \"h\"|"
        );
        assert_eq!(fmt("%.0f %.0f %.3g %.3g", vec![n(2.5), n(3.5), n(1234.5), n(1.0)]), "2 4 1.23e+03 1");
        // Decimal ties: exact binary values round half to even; others go the way their
        // 512-bit binary value lies.
        assert_eq!(
            fmt("%.1f %.1f %.1f %.2f %.2f %.2f", vec![n(0.05), n(0.15), n(0.25), n(1.005), n(0.125), n(2.675)]),
            "0.1 0.2 0.2 1.00 0.12 2.67"
        );
        assert_eq!(fmt("%5.0d|%.0d|%5d|", vec![n(0.0), n(0.0), n(0.0)]), "||    0|");
        assert_eq!(
            fmt("%.0e|%.2g|%.3f|%.2e", vec![n(25.0), n(0.125), n(1.0005), n(5e-324)]),
            "2e+01|0.12|1.000|5.00e-324"
        );
        assert_eq!(
            fmt("%d %x %f", vec![n(1e20), n(1e20), n(1e20)]),
            "100000000000000000000 56bc75e2d63100000 100000000000000000000.000000"
        );
        assert_eq!(
            fmt("%t %s %q %5t|", vec![s("true"), Value::Bool(true), n(1.0), Value::Bool(true)]),
            "true true \"1\" true|"
        );
        assert_eq!(
            fmt("%-8v|%8v|%08v|%10.4v|", vec![n(1.5), s("é"), n(-5.0), s("abcdefgh")]),
            "1.5     |       é|000000-5|  abcdefgh|"
        );
        assert_eq!(
            fmt("%e|%.2e|%f|%.f|%+.2f", vec![n(0.0), n(1234567.0), n(0.1), n(3.7), n(-1.0)]),
            "0.000000e+00|1.23e+06|0.100000|4|-1.00"
        );
        assert_eq!(fmt("%v|%g|%G", vec![n(1e21), n(100000000.0), n(1e-10)]), "1e+21|1e+08|1E-10");
        assert_eq!(fmt("%s|%x|%d", vec![n(1e21), n(-255.0), s("12")]), "1000000000000000000000|-ff|12");
        assert_eq!(fmt("%%|%05s|%-05d|", vec![s("ab"), n(3.0)]), "%|000ab|3    |");
        assert_eq!(fmt("%q", vec![s("<&>\u{1}")]), "\"\\u003c\\u0026\\u003e\\u0001\"");
    }

    #[test]
    fn format_errors() {
        let e = |f: &str, args: Vec<Value>| {
            let mut all = vec![s(f)];
            all.extend(args);
            call_fn("format", all).unwrap_err()
        };
        let call = |m: &str| FuncError::Call(m.into());
        assert_eq!(e("%s", vec![]), call("not enough arguments for \"%s\" at 0: need index 1 but have 0 total."));
        assert_eq!(
            e("%[3]s", vec![s("a")]),
            call("not enough arguments for \"%[3]s\" at 0: need index 3 but have 1 total.")
        );
        assert_eq!(e("%z", vec![n(1.0)]), call("unsupported format verb 'z' in \"%z\" at offset 0."));
        assert_eq!(e("%d", vec![n(1.5)]), call("unsupported value for \"%d\" at 0: an integer is required."));
        assert_eq!(e("%d", vec![s("x")]), call("unsupported value for \"%d\" at 0: a number is required."));
        assert_eq!(e("%d", vec![Value::Bool(true)]), call("unsupported value for \"%d\" at 0: number required."));
        assert_eq!(e("%t", vec![n(1.0)]), call("unsupported value for \"%t\" at 0: bool required."));
        assert_eq!(e("x%s", vec![list(vec![])]), call("unsupported value for \"%s\" at 1: string required."));
        assert_eq!(
            e("%s", vec![Value::Null]),
            call("unsupported value for \"%s\" at 0: null value cannot be formatted.")
        );
        assert_eq!(e("abc%", vec![]), call("invalid format string starting at offset 4."));
        assert_eq!(e("%.", vec![n(1.0)]), call("invalid format string starting at offset 2."));
        assert_eq!(e("%*d", vec![n(5.0), n(1.0)]), call("unrecognized format character '*' at offset 1."));
        assert_eq!(e("%[0]s", vec![s("a")]), call("unrecognized format character '0' at offset 2."));
        assert_eq!(
            e("%s %s", vec![s("a"), s("b"), s("c"), s("d")]),
            FuncError::Arg(3, "too many arguments; only 2 used by format string.".into())
        );
        assert_eq!(e("%%", vec![n(1.0)]), FuncError::Arg(1, "too many arguments; no verbs in format string.".into()));
        // An explicit index counts as using every argument up to it.
        assert_eq!(fmt("%[2]s", vec![s("a"), s("b")]), "b");
    }

    #[test]
    fn formatlist_iterates_lists() {
        assert_eq!(ok("formatlist", vec![s("%s-%d"), strs(&["a", "b"]), n(1.0)]), strs(&["a-1", "b-1"]));
        assert_eq!(ok("formatlist", vec![s("%s"), Value::set(vec![s("b"), s("a")])]), strs(&["a", "b"]));
        assert_eq!(ok("formatlist", vec![s("x")]), strs(&["x"]));
        assert_eq!(ok("formatlist", vec![s("%s"), list(vec![])]), list(vec![]));
        assert_eq!(
            call_fn("formatlist", vec![s("%s-%s"), strs(&["a", "b"]), strs(&["c"])]).unwrap_err(),
            FuncError::Arg(2, "argument 2 has length 1, which is inconsistent with argument 1 of length 2.".into())
        );
        assert_eq!(
            err("formatlist", vec![s("%d"), strs(&["a"])]),
            "error on format iteration 0: unsupported value for \"%d\" at 0: a number is required."
        );
        // An unknown element makes only its own result unknown.
        assert_eq!(
            ok("formatlist", vec![s("%s"), list(vec![Value::Unknown, s("a")])]),
            list(vec![Value::Unknown, s("a")])
        );
    }

    #[test]
    fn join_and_split() {
        assert_eq!(ok("join", vec![s(","), list(vec![s("a"), n(1.0), Value::Bool(true)])]), s("a,1,true"));
        assert_eq!(ok("join", vec![s("-"), strs(&["a"]), strs(&["b", "c"])]), s("a-b-c"));
        assert_eq!(err("join", vec![s(",")]), "at least one list is required.");
        assert_eq!(
            err("join", vec![s(","), list(vec![Value::Null])]),
            "element 0 is null; cannot concatenate null values."
        );
        assert_eq!(err("join", vec![s(","), list(vec![s("a"), list(vec![])])]), "element 1: string required.");
        assert_eq!(ok("split", vec![s(","), s("a,b,,c")]), strs(&["a", "b", "", "c"]));
        assert_eq!(ok("split", vec![s(""), s("aé")]), strs(&["a", "é"]));
        assert_eq!(ok("split", vec![s(","), s("")]), strs(&[""]));
    }

    #[test]
    fn replace_plain_and_regex() {
        assert_eq!(ok("replace", vec![s("hello world"), s("o"), s("0")]), s("hell0 w0rld"));
        assert_eq!(ok("replace", vec![s("hello"), s("/l+/"), s("L")]), s("heLo"));
        assert_eq!(ok("replace", vec![s("hello world"), s("/(\\w+) (\\w+)/"), s("$2 $1")]), s("world hello"));
        assert_eq!(ok("replace", vec![s("abc"), s("/(?P<x>b)/"), s("[$x]")]), s("a[b]c"));
        assert_eq!(ok("replace", vec![s("abc"), s("/b/"), s("$$|${0}${0}|$1")]), s("a$|bb|c"));
        assert_eq!(ok("replace", vec![s("abc"), s(""), s("-")]), s("-a-b-c-"));
        // A lone slash is not a pattern.
        assert_eq!(ok("replace", vec![s("a/b"), s("/"), s("-")]), s("a-b"));
        assert_eq!(err("replace", vec![s("a"), s("/a(/"), s("x")]), "error parsing regexp: missing closing ): `a(`.");
    }

    #[test]
    fn go_regex_dialect() {
        // Go's \d and \w are ASCII-only.
        assert_eq!(ok("regexall", vec![s("\\d+"), s("12٣4")]), strs(&["12", "4"]));
        assert_eq!(ok("regexall", vec![s("\\w+"), s("aé_b")]), strs(&["a", "_b"]));
        assert_eq!(ok("regex", vec![s("[[]+"), s("a[[b")]), s("[["));
        assert_eq!(ok("regex", vec![s("[a&~]+"), s("x&~a")]), s("&~a"));
        assert_eq!(ok("regex", vec![s("[]a]+"), s("x]a")]), s("]a"));
        assert_eq!(ok("regex", vec![s("[[:digit:]x]+"), s("ab1x2")]), s("1x2"));
        assert_eq!(ok("regex", vec![s("\\Qa.b\\E+"), s("a.bbb")]), s("a.bbb"));
        assert_eq!(ok("regex", vec![s("\\bé"), s("xé")]), s("é"));
    }

    #[test]
    fn case_functions() {
        assert_eq!(ok("upper", vec![s("straße ǆ")]), s("STRAßE Ǆ"));
        assert_eq!(ok("lower", vec![s("ÀB İ")]), s("àb i"));
        assert_eq!(ok("title", vec![s("hello wORLD foo-bar x_y 1a")]), s("Hello WORLD Foo-Bar X_y 1a"));
        assert_eq!(ok("title", vec![s("ñandú élan ǆemal a—b")]), s("Ñandú Élan ǅemal A—b"));
        assert_eq!(err("upper", vec![list(vec![])]), "string required.");
    }

    #[test]
    fn trimming() {
        assert_eq!(ok("trimspace", vec![s("  \t a b \n\u{a0}")]), s("a b"));
        assert_eq!(ok("trim", vec![s("?!hello?!"), s("!?")]), s("hello"));
        assert_eq!(ok("trim", vec![s("aaa"), s("")]), s("aaa"));
        assert_eq!(ok("trimprefix", vec![s("hellohello"), s("hello")]), s("hello"));
        assert_eq!(ok("trimsuffix", vec![s("helloworld"), s("world")]), s("hello"));
        assert_eq!(ok("trimsuffix", vec![s("hello"), s("x")]), s("hello"));
        assert_eq!(ok("chomp", vec![s("hello\r\n\n")]), s("hello"));
        assert_eq!(ok("chomp", vec![s("a\r\nb\r")]), s("a\r\nb"));
    }

    #[test]
    fn substr_counts_graphemes() {
        let sub = |x: &str, o: f64, l: f64| ok("substr", vec![s(x), n(o), n(l)]);
        assert_eq!(sub("hello world", 1.0, 4.0), s("ello"));
        assert_eq!(sub("hello", -3.0, -1.0), s("llo"));
        assert_eq!(sub("hello", -10.0, 2.0), s("he"));
        assert_eq!(sub("hello", 10.0, 2.0), s(""));
        assert_eq!(sub("hello", 2.0, 100.0), s("llo"));
        assert_eq!(sub("hello", 1.0, -2.0), s("ello"));
        assert_eq!(sub("hello", 0.0, 0.0), s(""));
        assert_eq!(sub("🤔🤷‍♂️x", 1.0, 1.0), s("🤷‍♂️"));
        assert_eq!(
            err("substr", vec![s("hello"), n(1.5), n(1.0)]),
            "value must be a whole number, between -9223372036854775808 and 9223372036854775807."
        );
        assert_eq!(
            call_fn("substr", vec![s("a"), s("x"), n(1.0)]).unwrap_err(),
            FuncError::Arg(1, "a number is required.".into())
        );
    }

    #[test]
    fn regex_results() {
        assert_eq!(ok("regex", vec![s("[a-z]+"), s("53453453.345345aaabbbccc23454")]), s("aaabbbccc"));
        assert_eq!(
            ok("regex", vec![s("(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)"), s("2019-02-01")]),
            strs(&["2019", "02", "01"])
        );
        assert_eq!(ok("regex", vec![s("(a)(b)?"), s("a")]), list(vec![s("a"), Value::Null]));
        assert_eq!(
            ok("regex", vec![s("(?P<x>a)(?P<y>b)?"), s("a")]),
            Value::object([("x", s("a")), ("y", Value::Null)])
        );
        assert_eq!(err("regex", vec![s("x"), s("abc")]), "pattern did not match any part of the given string.");
        assert_eq!(
            call_fn("regex", vec![s("(a)(?P<n>b)"), s("ab")]).unwrap_err(),
            FuncError::Arg(0, "invalid regexp pattern: cannot mix both named and unnamed capture groups.".into())
        );
        // Errors are worded as Go words them.
        let cases = [
            ("[a-z", "missing closing ] in [a-z."),
            ("ab[c[d", "missing closing ] in [c[d."),
            ("a(b", "missing closing ) in a(b."),
            ("a)b", "unexpected ) in a)b."),
            ("*a", "missing argument to repetition operator in *."),
            ("a**", "invalid nested repetition operator in **."),
            ("\\q", "invalid escape sequence in \\q."),
            ("\\8", "invalid escape sequence in \\8."),
            ("[z-a]", "invalid character class range in z-a."),
            ("[[:foo:]]", "invalid character class range in [:foo:]."),
            ("a{2,1}", "invalid repeat count in {2,1}."),
            ("x{1001}", "invalid repeat count in {1001}."),
            ("(?=a)", "invalid or unsupported Perl syntax in (?=."),
            ("(?z)", "invalid or unsupported Perl syntax in (?z."),
            ("a\\", "trailing backslash at end of expression in ."),
        ];
        for (pattern, want) in cases {
            assert_eq!(
                call_fn("regex", vec![s(pattern), s("x")]).unwrap_err(),
                FuncError::Arg(0, format!("invalid regexp pattern: {want}")),
                "{pattern}"
            );
        }
        assert_eq!(ok("regex", vec![s("\\12|\\x41\\x{42}"), s("AB\n")]), s("AB"));
        assert_eq!(ok("regex", vec![s("^*a|\\_\\-\\#"), s("_-#")]), s("_-#"));
        assert_eq!(ok("regex", vec![s("[\\d-z]+"), s("1-z")]), s("1-z"));
        assert_eq!(ok("regex", vec![s("x*?y"), s("xxy")]), s("xxy"));
        assert_eq!(ok("regex", vec![s("(?U)a+"), s("aaa")]), s("a"));
        for bad in ["a\\E", "a\\Cb", "\\1"] {
            assert!(err("regex", vec![s(bad), s("x")]).starts_with("invalid regexp pattern: invalid escape sequence"));
        }
        // Valid patterns that look like errors are not reported.
        assert_eq!(ok("regex", vec![s("a{,2}|x{"), s("a{,2}")]), s("a{,2}"));
        assert_eq!(ok("regexall", vec![s("[a-z]+"), s("1234abcd5678efgh9")]), strs(&["abcd", "efgh"]));
        assert_eq!(ok("regexall", vec![s("(\\d)(\\w)"), s("1a 2b")]), list(vec![strs(&["1", "a"]), strs(&["2", "b"])]));
        assert_eq!(
            ok("regexall", vec![s("(?P<d>\\d)"), s("1 2")]),
            list(vec![Value::object([("d", s("1"))]), Value::object([("d", s("2"))])])
        );
        assert_eq!(ok("regexall", vec![s("x"), s("abc")]), list(vec![]));
        assert_eq!(ok("regexall", vec![s(""), s("ab")]), strs(&["", "", ""]));
    }

    #[test]
    fn predicates_indent_and_reverse() {
        assert_eq!(ok("startswith", vec![s("hello"), s("")]), Value::Bool(true));
        assert_eq!(ok("startswith", vec![s("hello"), s("el")]), Value::Bool(false));
        assert_eq!(ok("endswith", vec![s("hello"), s("lo")]), Value::Bool(true));
        assert_eq!(ok("strcontains", vec![s("hello"), s("elo")]), Value::Bool(false));
        assert_eq!(ok("indent", vec![n(2.0), s("a\nb\n\nc")]), s("a\n  b\n  \n  c"));
        assert_eq!(ok("strrev", vec![s("héllo🤷‍♂️")]), s("🤷‍♂️olléh"));
    }

    #[test]
    fn unknown_format_argument_gives_unknown() {
        assert_eq!(ok("format", vec![s("%s"), list(vec![Value::Unknown])]), Value::Unknown);
    }
}
