//! `format` and `formatlist`, as cty's stdlib defines them (`format.go`): a printf-like
//! format string scanned by cty's own state machine (`format/scan.rs`), each verb applied
//! to its argument (`format/verbs.rs`), and `formatlist`'s broadcasting of list, set and
//! tuple arguments over scalar ones.

mod scan;
mod verbs;

use crate::cty::ops::length;
use crate::cty::{Type, Value};
use crate::lang::function::{FuncCtx, FuncError, Function, Param, Returns, refine_not_null};

pub(super) fn functions() -> Vec<Function> {
    let args = || Param::new("args", Type::Dynamic).allow_null().allow_unknown();
    vec![
        Function {
            name: "format",
            params: vec![Param::new("format", Type::String)],
            var_param: Some(args()),
            returns: Returns::Static(|| Type::String),
            refine: Some(refine_not_null),
            imp: format,
        },
        Function {
            name: "formatlist",
            params: vec![Param::new("format", Type::String)],
            var_param: Some(args()),
            returns: Returns::Static(|| Type::list(Type::String)),
            refine: Some(refine_not_null),
            imp: formatlist,
        },
    ]
}

fn format(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let f = args[0].as_str().expect("a known string");
    if args[1..].iter().any(|a| !a.is_wholly_known()) {
        // Collections print as JSON, which needs every element; what comes before the
        // first verb is known all the same.
        let unknown = Value::unknown(Type::String);
        return Ok(match f.find('%') {
            Some(idx) if idx > 0 => unknown.refine().string_prefix(&f[..idx]).new_value(),
            _ => unknown,
        });
    }
    scan::format(f, &args[1..]).map(Value::string)
}

/// Where one argument's values come from in each iteration of `formatlist`.
enum Source<'a> {
    Each(&'a [Value]),
    Same(&'a Value),
}

fn formatlist(_: &FuncCtx<'_>, args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let f = args[0].as_str().expect("a known string");
    let args = &args[1..];
    if args.is_empty() {
        // The same as `format` with no arguments, in a list.
        return Ok(Value::list(Type::String, vec![Value::string(scan::format(f, &[])?)]));
    }

    // Sequences are iterated together and must agree on their length; every other value is
    // used in each iteration.
    let mut iter_len: Option<(usize, usize)> = None; // (length, argument it came from)
    let mut sources = Vec::with_capacity(args.len());
    let mut unknown = false;
    for (i, arg) in args.iter().enumerate() {
        let ty = arg.ty();
        if (ty.is_list() || ty.is_set() || ty.is_tuple()) && !arg.is_null() {
            let iterable = ty.is_tuple() || (arg.is_known() && length(arg).is_known());
            if !iterable {
                unknown = true;
                continue;
            }
            let this_len = match ty.tuple_element_types() {
                Some(etys) => etys.len(),
                None => arg.length_int().unwrap_or(0),
            };
            match iter_len {
                None => iter_len = Some((this_len, i)),
                Some((len, from)) if len != this_len => {
                    return Err(FuncError::arg(
                        i + 1,
                        format!(
                            "argument {} has length {this_len}, which is inconsistent with argument {} of length {len}",
                            i + 1,
                            from + 1
                        ),
                    ));
                }
                Some(_) => {}
            }
            match arg.as_seq() {
                Some(items) => sources.push(Source::Each(items)),
                None => unknown = true,
            }
        } else if matches!(arg, Value::Unknown(u) if u.ty.is_dynamic() && u.refinement.is_none()) {
            unknown = true;
        } else {
            sources.push(Source::Same(arg));
        }
    }
    if unknown {
        return Ok(Value::unknown(ret.clone()));
    }
    let iterations = match iter_len {
        Some((0, _)) => return Ok(Value::empty_list(Type::String)),
        Some((n, _)) => n,
        None => 1,
    };

    let mut out = Vec::with_capacity(iterations);
    let mut fmt_args = Vec::with_capacity(sources.len());
    for it in 0..iterations {
        fmt_args.clear();
        fmt_args.extend(sources.iter().map(|s| match s {
            Source::Each(items) => items[it].clone(),
            Source::Same(v) => (*v).clone(),
        }));
        if fmt_args.iter().any(|a| !a.is_wholly_known()) {
            // This element is unknown; the others may still be known.
            out.push(Value::unknown(Type::String).refine_not_null());
            continue;
        }
        let s =
            scan::format(f, &fmt_args).map_err(|e| FuncError::other(format!("error on format iteration {it}: {e}")))?;
        out.push(Value::string(s));
    }
    Ok(Value::list(Type::String, out))
}

#[cfg(test)]
mod tests;
