//! The Terraform functions used in `testdata/terraform.txt`, as thin wrappers over
//! [`Number`], with Terraform's error wording.

use super::eval::{Val, parse_verb};
use crate::number::{FormatError, Number};
use std::cmp::Ordering;

fn failed(name: &str, e: impl std::fmt::Display) -> String {
    let e = e.to_string();
    if e.starts_with("panic") {
        format!("Call to function {name:?} failed: {e}")
    } else {
        format!("Call to function {name:?} failed: {e}.")
    }
}

fn arg_num(v: &Val, param: &str) -> Result<Number, String> {
    match v {
        Val::N(n) => Ok(n.clone()),
        Val::S(s) => Number::parse(s).map_err(|_| {
            format!(
                "Invalid value for {param:?} parameter: cannot convert {s:?} to number; given string must be a \
                 decimal representation of a number."
            )
        }),
        other => panic!("not a number: {other:?}"),
    }
}

fn to_string(v: &Val) -> String {
    match v {
        Val::N(n) => n.to_string(),
        Val::S(s) => s.clone(),
        other => panic!("not a string: {other:?}"),
    }
}

pub(super) fn call(name: &str, args: &[Val]) -> Result<Val, String> {
    let n = |i: usize| arg_num(&args[i], "num");
    Ok(match name {
        "tonumber" => Val::N(arg_num(&args[0], "v")?),
        "tostring" => Val::S(to_string(&args[0])),
        "length" => match &args[0] {
            Val::L(items) => Val::N(Number::from_u64(items.len() as u64)),
            other => panic!("length of {other:?}"),
        },
        "abs" => Val::N(n(0)?.abs()),
        "floor" => Val::N(n(0)?.floor()),
        "ceil" => Val::N(n(0)?.ceil()),
        "signum" => Val::N(n(0)?.signum().map_err(|e| failed(name, e))?),
        "pow" => Val::N(n(0)?.pow(&n(1)?).map_err(|e| failed(name, e))?),
        "log" => Val::N(n(0)?.log(&n(1)?).map_err(|e| failed(name, e))?),
        // cty starts min at +Inf and max at -Inf and keeps the first strictly smaller/greater.
        "min" | "max" => {
            let want = if name == "min" { Ordering::Less } else { Ordering::Greater };
            let mut best = Number::infinity(name == "max");
            for i in 0..args.len() {
                let v = n(i)?;
                if v.cmp(&best) == want {
                    best = v;
                }
            }
            Val::N(best)
        }
        "parseint" => {
            let s = to_string(&args[0]);
            let base = n(1)?;
            let Some(b) = base.to_i64() else {
                return Err(format!(
                    "Invalid value for \"base\" parameter: {}.",
                    crate::number::NumberError::NotAnInt64
                ));
            };
            if !(2..=62).contains(&b) {
                return Err("Invalid value for \"base\" parameter: base must be a whole number between 2 and 62 \
                            inclusive."
                    .to_string());
            }
            let v = Number::parse_int(&s, b as u32).ok_or_else(|| {
                format!("Invalid value for \"number\" parameter: cannot parse {s:?} as a base {b} integer.")
            })?;
            Val::N(v)
        }
        "jsonencode" => {
            let v = n(0)?;
            Val::S(v.to_json_number_text().ok_or_else(|| failed(name, "cannot serialize infinity as JSON"))?)
        }
        "format" => Val::S(format(&to_string(&args[0]), &args[1..]).map_err(|e| failed(name, e))?),
        "formatlist" => {
            let Val::L(items) = &args[1] else { panic!("formatlist needs a list") };
            let fmt = to_string(&args[0]);
            let out: Result<Vec<Val>, String> = items
                .iter()
                .map(|v| format(&fmt, std::slice::from_ref(v)).map(Val::S).map_err(|e| failed(name, e)))
                .collect();
            Val::L(out?)
        }
        _ => panic!("unknown function {name}"),
    })
}

/// cty's `format` for numeric verbs (and literal text).
fn format(fmt: &str, args: &[Val]) -> Result<String, String> {
    let mut out = String::new();
    let mut arg = 0;
    let mut i = 0;
    while i < fmt.len() {
        if !fmt[i..].starts_with('%') {
            let c = fmt[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        let (spec, verb, len) = parse_verb(&fmt[i..]);
        let raw = &fmt[i..i + len];
        let v = arg_num(&args[arg], "args")?;
        let text = v.format(verb, &spec).map_err(|e| match e {
            FormatError::NotAnInteger => format!("unsupported value for {raw:?} at {i}: {e}"),
            e => e.to_string(),
        })?;
        out.push_str(&text);
        arg += 1;
        i += len;
    }
    Ok(out)
}
