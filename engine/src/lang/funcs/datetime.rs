//! Functions of the datetime family: `formatdate` and `timeadd` (cty's versions, which
//! Terraform 1.11 uses), `timecmp`, `timestamp` and `plantimestamp` (Terraform's own).
//!
//! The two families parse RFC 3339 differently (see `datetime/rfc3339.rs`): cty's strictly,
//! Terraform's `timecmp` with Go's `time.Parse`, which accepts a little more.

mod duration;
mod formatdate;
mod rfc3339;
mod time;

use crate::cty::{Type, Value};
use crate::lang::function::{FuncCtx, FuncError, Function, Param, Returns, refine_not_null};
use time::Time;

/// An RFC 3339 timestamp (as cty parses it) as Unix seconds and nanoseconds.
pub(crate) fn unix_of_rfc3339(s: &str) -> Option<(i64, u32)> {
    rfc3339::parse_cty(s).ok().map(|t| t.instant())
}

pub(super) fn functions() -> Vec<Function> {
    let string = |name| Param::new(name, Type::String);
    vec![
        Function {
            name: "formatdate",
            params: vec![string("format"), string("time")],
            var_param: None,
            returns: Returns::Static(|| Type::String),
            refine: Some(refine_not_null),
            imp: |_, args, _| {
                let t = rfc3339::parse_cty(text(&args[1])).map_err(|e| FuncError::arg(1, e))?;
                formatdate::format_date(text(&args[0]), &t).map(Value::string).map_err(|e| FuncError::arg(0, e))
            },
        },
        // cty's timeadd has no refinement of its unknown results.
        Function {
            name: "timeadd",
            params: vec![string("timestamp"), string("duration")],
            var_param: None,
            returns: Returns::Static(|| Type::String),
            refine: None,
            imp: |_, args, _| {
                let t = rfc3339::parse_cty(text(&args[0])).map_err(FuncError::other)?;
                let d = duration::parse_duration(text(&args[1])).map_err(FuncError::other)?;
                Ok(Value::string(t.add(d).rfc3339()))
            },
        },
        Function {
            name: "timecmp",
            params: vec![string("timestamp_a"), string("timestamp_b")],
            var_param: None,
            returns: Returns::Static(|| Type::Number),
            refine: Some(refine_not_null),
            imp: |_, args, _| {
                let a = rfc3339::parse_go(text(&args[0])).map_err(|e| FuncError::arg(0, e))?;
                let b = rfc3339::parse_go(text(&args[1])).map_err(|e| FuncError::arg(1, e))?;
                Ok(Value::int(a.instant().cmp(&b.instant()) as i64))
            },
        },
        Function {
            name: "timestamp",
            params: Vec::new(),
            var_param: None,
            returns: Returns::Static(|| Type::String),
            refine: Some(refine_not_null),
            imp: |_, _, _| Ok(Value::string(now().rfc3339())),
        },
        // Terraform offers plantimestamp everywhere but in the console; without a plan's
        // timestamp (validation) it is unknown.
        Function {
            name: "plantimestamp",
            params: Vec::new(),
            var_param: None,
            returns: Returns::Static(|| Type::String),
            refine: None,
            imp: plantimestamp,
        },
    ]
}

fn text(v: &Value) -> &str {
    v.as_str().expect("the function framework passes a known string")
}

/// The current time, in UTC, to the second.
fn now() -> Time {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    Time::from_unix(since.map_or(0, |d| d.as_secs() as i64))
}

fn plantimestamp(ctx: &FuncCtx<'_>, _: &[Value], _: &Type) -> Result<Value, FuncError> {
    let Some(ts) = ctx.plan_timestamp else {
        return Ok(Value::unknown(Type::String));
    };
    // `Format(time.RFC3339)` of the plan's time: seconds, no fraction.
    Ok(Value::string(rfc3339::parse_cty(ts).map_or_else(|_| ts.to_string(), |t| t.rfc3339())))
}

#[cfg(test)]
mod tests;
