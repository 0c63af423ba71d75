//! Collection functions: length, merge, concat, keys, values, lookup, flatten, ...

use super::*;

pub(super) fn functions() -> Vec<Function> {
    vec![Function::new("length", &["value"], length).nested_unknowns()]
}

fn length(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::from(match &a[0] {
        Value::List(items) | Value::Set(items) => items.len(),
        Value::Map(m) => m.len(),
        Value::String(s) => unicode_segmentation::UnicodeSegmentation::graphemes(s.as_str(), true).count(),
        other => return Err(arg_err(0, format!("collection or string required, but have {}.", other.type_name()))),
    }))
}
