//! Plain string functions: `chomp`, `indent`, `trim`, `trimprefix`, `trimsuffix`,
//! `trimspace`, `startswith`, `endswith`, `strcontains` and `replace` (cty's and
//! Terraform's, on Go's `strings` package semantics).

use super::case::map_str;
use super::go_int;
use super::goregex::GoRegex;
use crate::cty::{Type, Value};
use crate::lang::function::{FuncError, Function, ImplFn, Param, Returns, check_size, refine_not_null};

fn str_arg(args: &[Value], i: usize) -> &str {
    args[i].as_str().expect("a known string")
}

/// A function of string parameters.
fn strings_fn(name: &'static str, params: &[&'static str], returns: fn() -> Type, imp: ImplFn) -> Function {
    Function {
        name,
        params: params.iter().map(|p| Param::new(p, Type::String)).collect(),
        var_param: None,
        returns: Returns::Static(returns),
        refine: Some(refine_not_null),
        imp,
    }
}

/// `indent`: Go's `strings.Replace(s, "\n", "\n" + spaces, -1)`.
fn indent(args: &[Value]) -> Result<Value, FuncError> {
    let spaces = go_int(&args[0])?;
    let s = str_arg(args, 1);
    // Go's strings.Repeat panics on a negative count; cty reports the panic (with a stack).
    let spaces = usize::try_from(spaces)
        .map_err(|_| FuncError::other("panic in function implementation: strings: negative Repeat count"))?;
    let lines = s.matches('\n').count();
    if lines.checked_mul(spaces).and_then(|n| n.checked_add(s.len())).is_none_or(|n| n > isize::MAX as usize) {
        return Err(FuncError::other("strings: Repeat output length overflow"));
    }
    check_size(lines.saturating_mul(spaces).saturating_add(s.len()))?;
    Ok(Value::string(s.replace('\n', &format!("\n{}", " ".repeat(spaces)))))
}

/// `startswith`: decided from the known prefix of an unknown string when it can be.
fn startswith(args: &[Value]) -> Result<Value, FuncError> {
    let prefix = str_arg(args, 1);
    if args[0].is_unknown() {
        if prefix.is_empty() {
            return Ok(Value::TRUE);
        }
        let range = args[0].range();
        let known = range.string_prefix();
        if !known.is_empty() {
            if known.starts_with(prefix) {
                return Ok(Value::TRUE);
            }
            if known.len() >= prefix.len() {
                return Ok(Value::FALSE);
            }
        }
        return Ok(Value::unknown(Type::Bool));
    }
    Ok(Value::bool(str_arg(args, 0).starts_with(prefix)))
}

/// `replace`: a substring, or a Go regular expression when written `/pattern/`.
fn replace(args: &[Value]) -> Result<Value, FuncError> {
    let (s, substr, with) = (str_arg(args, 0), str_arg(args, 1), str_arg(args, 2));
    if substr.len() > 1 && substr.starts_with('/') && substr.ends_with('/') {
        let re = GoRegex::cached(&substr[1..substr.len() - 1]).map_err(|e| FuncError::other(e.to_string()))?;
        check_size(s.len().saturating_add(re.find_all(s).len().saturating_mul(with.len())))?;
        return Ok(Value::string(re.replace_all(s, with)));
    }
    let matches = if substr.is_empty() { s.chars().count() + 1 } else { s.matches(substr).count() };
    check_size(s.len().saturating_add(matches.saturating_mul(with.len())))?;
    Ok(Value::string(s.replace(substr, with)))
}

pub(super) fn functions() -> Vec<Function> {
    let string = || Type::String;
    let boolean = || Type::Bool;
    let mut startswith_fn = strings_fn("startswith", &["str", "prefix"], boolean, |_, args, _| startswith(args));
    startswith_fn.params[0] = startswith_fn.params[0].clone().allow_unknown();
    let mut strcontains = strings_fn("strcontains", &["str", "substr"], boolean, |_, args, _| {
        Ok(Value::bool(str_arg(args, 0).contains(str_arg(args, 1))))
    });
    // Terraform's strcontains does not refine its unknown results.
    strcontains.refine = None;
    vec![
        strings_fn("chomp", &["str"], string, |_, args, _| map_str(args, |s| s.trim_end_matches(['\r', '\n']).into())),
        Function {
            name: "indent",
            params: vec![Param::new("spaces", Type::Number), Param::new("str", Type::String)],
            var_param: None,
            returns: Returns::Static(string),
            refine: Some(refine_not_null),
            imp: |_, args, _| indent(args),
        },
        strings_fn("trimspace", &["str"], string, |_, args, _| map_str(args, |s| s.trim().into())),
        strings_fn("trim", &["str", "cutset"], string, |_, args, _| {
            let cutset = str_arg(args, 1);
            map_str(args, |s| s.trim_matches(|c| cutset.contains(c)).into())
        }),
        strings_fn("trimprefix", &["str", "prefix"], string, |_, args, _| {
            map_str(args, |s| s.strip_prefix(str_arg(args, 1)).unwrap_or(s).into())
        }),
        strings_fn("trimsuffix", &["str", "suffix"], string, |_, args, _| {
            map_str(args, |s| s.strip_suffix(str_arg(args, 1)).unwrap_or(s).into())
        }),
        startswith_fn,
        strings_fn("endswith", &["str", "suffix"], boolean, |_, args, _| {
            Ok(Value::bool(str_arg(args, 0).ends_with(str_arg(args, 1))))
        }),
        strcontains,
        strings_fn("replace", &["str", "substr", "replace"], string, |_, args, _| replace(args)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: fn(&[Value]) -> Result<Value, FuncError>, args: &[Value]) -> Result<Value, FuncError> {
        f(args)
    }

    fn strs(xs: &[&str]) -> Vec<Value> {
        xs.iter().map(|s| Value::string(*s)).collect()
    }

    #[test]
    fn replaces_as_go() {
        let r = |s: &str, sub: &str, with: &str| call(replace, &strs(&[s, sub, with]));
        assert_eq!(r("hello", "", "-").unwrap().as_str(), Some("-h-e-l-l-o-"));
        assert_eq!(r("aaa", "aa", "b").unwrap().as_str(), Some("ba"));
        assert_eq!(r("hello", "/(h)(e)/", "$2$1").unwrap().as_str(), Some("ehllo"));
        assert_eq!(r("hello", "/l/", "$$").unwrap().as_str(), Some("he$$o"));
        assert_eq!(r("abc", "/b|/", "-").unwrap().as_str(), Some("-a-c-"));
        assert_eq!(r("hello", "/", "x").unwrap().as_str(), Some("hello"));
        assert_eq!(r("hello", "//", "x").unwrap().as_str(), Some("xhxexlxlxox"));
        assert_eq!(r("hello", "/[/", "x"), Err(FuncError::other("error parsing regexp: missing closing ]: `[`")));
    }

    #[test]
    fn indents() {
        let i = |n: i64, s: &str| call(indent, &[Value::int(n), Value::string(s)]);
        assert_eq!(i(2, "a\n\nb").unwrap().as_str(), Some("a\n  \n  b"));
        assert_eq!(i(2, "a\r\nb").unwrap().as_str(), Some("a\r\n  b"));
        assert!(i(-1, "a\nb").is_err());
    }
}
