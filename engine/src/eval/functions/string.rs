//! String functions: format, join, split, replace, case, trimming, regex, ...

use super::*;

pub(super) fn functions() -> Vec<Function> {
    vec![
        Function::new("upper", &["str"], |_, a| Ok(Value::String(str_arg(&a, 0)?.to_uppercase()))),
        Function::new("lower", &["str"], |_, a| Ok(Value::String(str_arg(&a, 0)?.to_lowercase()))),
        Function::new("join", &["separator"], join).variadic("lists"),
    ]
}

fn join(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let sep = str_arg(&a, 0)?;
    let mut parts = Vec::new();
    for i in 1..a.len() {
        for (j, item) in seq_arg(&a, i)?.into_iter().enumerate() {
            match item {
                Value::Null => return Err(arg_err(i, format!("element {j} is null; cannot concatenate null values."))),
                v => parts.push(str_arg(&[v], 0).map_err(|_| arg_err(i, format!("element {j} must be a string.")))?),
            }
        }
    }
    Ok(Value::String(parts.join(&sep)))
}
