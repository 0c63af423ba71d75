//! The string functions of lists: `split`, `join` and `sort` (cty's).

use crate::cty::{Type, Value};
use crate::lang::function::{FuncError, Function, Param, Returns, refine_not_null};

/// Go's `strings.Split`: an empty separator splits after each character (and "" into
/// nothing at all).
fn split(sep: &str, s: &str) -> Vec<Value> {
    if sep.is_empty() {
        return s.chars().map(|c| Value::string(c.to_string())).collect();
    }
    s.split(sep).map(Value::string).collect()
}

fn join(args: &[Value]) -> Result<Value, FuncError> {
    let sep = args[0].as_str().expect("a known string");
    let lists = &args[1..];
    if lists.is_empty() {
        return Err(FuncError::other("at least one list is required"));
    }
    if !lists.iter().all(Value::is_wholly_known) {
        return Ok(Value::unknown(Type::String));
    }
    let mut items = Vec::new();
    for (ai, list) in lists.iter().enumerate() {
        for (ei, v) in list.as_seq().unwrap_or_default().iter().enumerate() {
            let Some(s) = v.as_str() else {
                let which =
                    if lists.len() > 1 { format!("element {ei} of list {}", ai + 1) } else { format!("element {ei}") };
                return Err(FuncError::arg(ai + 1, format!("{which} is null; cannot concatenate null values")));
            };
            items.push(s);
        }
    }
    Ok(Value::string(items.join(sep)))
}

fn sort(args: &[Value], ret: &Type) -> Result<Value, FuncError> {
    let list = &args[0];
    if !list.is_wholly_known() {
        // The order is not known yet, but the length is.
        let range = list.range();
        return Ok(Value::unknown(ret.clone())
            .refine()
            .collection_length_lower_bound(range.length_lower_bound())
            .collection_length_upper_bound(range.length_upper_bound())
            .new_value());
    }
    let items = list.as_seq().unwrap_or_default();
    if items.is_empty() {
        return Ok(list.clone());
    }
    let mut strs = Vec::with_capacity(items.len());
    for (i, v) in items.iter().enumerate() {
        let Some(s) = v.as_str() else {
            return Err(FuncError::other(format!("given list element {i} is null; a null string cannot be sorted")));
        };
        strs.push(s);
    }
    strs.sort_unstable();
    Ok(Value::list(Type::String, strs.into_iter().map(Value::string).collect()))
}

pub(super) fn functions() -> Vec<Function> {
    let list_of_string = || Type::list(Type::String);
    vec![
        Function {
            name: "split",
            params: vec![Param::new("separator", Type::String), Param::new("str", Type::String)],
            var_param: None,
            returns: Returns::Static(list_of_string),
            refine: Some(refine_not_null),
            imp: |_, args, _| {
                let (sep, s) = (args[0].as_str().expect("a string"), args[1].as_str().expect("a string"));
                Ok(Value::list(Type::String, split(sep, s)))
            },
        },
        Function {
            name: "join",
            params: vec![Param::new("separator", Type::String)],
            var_param: Some(Param::new("lists", Type::list(Type::String))),
            returns: Returns::Static(|| Type::String),
            refine: Some(refine_not_null),
            imp: |_, args, _| join(args),
        },
        Function {
            name: "sort",
            params: vec![Param::new("list", Type::list(Type::String)).allow_unknown()],
            var_param: None,
            returns: Returns::Static(list_of_string),
            refine: Some(refine_not_null),
            imp: |_, args, ret| sort(args, ret),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(v: &[Value]) -> Vec<&str> {
        v.iter().map(|v| v.as_str().unwrap()).collect()
    }

    #[test]
    fn splits_as_go() {
        assert_eq!(texts(&split(",", "a,,c")), ["a", "", "c"]);
        assert_eq!(texts(&split(",", "")), [""]);
        assert_eq!(texts(&split("", "abc")), ["a", "b", "c"]);
        assert!(split("", "").is_empty());
    }

    #[test]
    fn sorts_bytewise() {
        let list = Value::list(Type::String, ["é", "e", "f", "B", "_", "10", "9"].map(Value::string).to_vec());
        let sorted = sort(&[list], &Type::list(Type::String)).unwrap();
        assert_eq!(texts(sorted.as_seq().unwrap()), ["10", "9", "B", "_", "e", "f", "é"]);
    }
}
