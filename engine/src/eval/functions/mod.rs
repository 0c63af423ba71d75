//! Terraform's built-in functions, one file per family. Each function declares its
//! parameters; the caller handles arity, unknown arguments and sensitive marks uniformly.

mod collection;
mod conversion;
mod crypto;
mod encoding;
mod filesystem;
mod ipnet;
mod numeric;
mod string;

use crate::types::{ObjectAttr, Type, convert};
use crate::value::{Value, format_number};
use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

/// What a function may see of the evaluation: the directory relative paths resolve against.
pub struct FuncCtx<'a> {
    pub base_dir: &'a Path,
}

/// Why a call failed.
#[derive(Debug, Clone, PartialEq)]
pub enum FuncError {
    /// The argument at this index is unsuitable; the message says why.
    Arg(usize, String),
    /// Wrong number of arguments.
    Arity(String),
    /// The call failed for another reason.
    Call(String),
}

pub type FuncImpl = fn(&FuncCtx<'_>, Vec<Value>) -> Result<Value, FuncError>;

/// How a function treats unknown arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unknowns {
    /// Any unknown anywhere in any argument makes the result unknown (most functions).
    Propagate,
    /// Only a wholly unknown argument makes the result unknown; the function itself handles
    /// unknowns nested inside collections (`length`, `concat`, `merge`, `keys`, ...).
    Nested,
}

pub struct Function {
    pub name: &'static str,
    /// Parameter names, for messages.
    pub params: &'static [&'static str],
    /// Name of the variadic parameter, if the function takes any number of extra arguments.
    pub variadic: Option<&'static str>,
    pub unknowns: Unknowns,
    /// The function receives sensitive marks as they are (`sensitive`, `nonsensitive`);
    /// otherwise arguments are unmarked and the result is marked when any argument was.
    pub sees_marks: bool,
    /// Null arguments are allowed (`coalesce`, `lookup`'s default); otherwise they are an error.
    pub allow_null: bool,
    pub imp: FuncImpl,
}

impl Function {
    pub const fn new(name: &'static str, params: &'static [&'static str], imp: FuncImpl) -> Function {
        Function {
            name,
            params,
            variadic: None,
            unknowns: Unknowns::Propagate,
            sees_marks: false,
            allow_null: false,
            imp,
        }
    }
    pub const fn variadic(mut self, name: &'static str) -> Function {
        self.variadic = Some(name);
        self
    }
    pub const fn nested_unknowns(mut self) -> Function {
        self.unknowns = Unknowns::Nested;
        self
    }
    pub const fn sees_marks(mut self) -> Function {
        self.sees_marks = true;
        self
    }
    pub const fn allow_null(mut self) -> Function {
        self.allow_null = true;
        self
    }

    pub fn param_name(&self, i: usize) -> &'static str {
        self.params.get(i).copied().or(self.variadic).unwrap_or("argument")
    }
}

static REGISTRY: LazyLock<HashMap<&'static str, Function>> = LazyLock::new(|| {
    let mut m = HashMap::new();
    for family in [
        string::functions,
        collection::functions,
        conversion::functions,
        crypto::functions,
        encoding::functions,
        filesystem::functions,
        ipnet::functions,
        numeric::functions,
    ] as [fn() -> Vec<Function>; 8]
    {
        for f in family() {
            m.insert(f.name, f);
        }
    }
    m
});

pub fn lookup(name: &str) -> Option<&'static Function> {
    REGISTRY.get(name)
}

/// Names of every function (and of the special forms `try` and `can`).
pub fn names() -> impl Iterator<Item = &'static str> {
    REGISTRY.keys().copied().chain(["try", "can"])
}

/// Calls `f` with arity, null, unknown and sensitive handling.
pub fn call(f: &Function, ctx: &FuncCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let n = f.params.len();
    if args.len() < n {
        let at_least = if f.variadic.is_some() { "at least " } else { "" };
        return Err(FuncError::Arity(format!(
            "Function \"{}\" expects {at_least}{n} argument(s). Missing value for \"{}\".",
            f.name,
            f.params[args.len()]
        )));
    }
    if f.variadic.is_none() && args.len() > n {
        return Err(FuncError::Arity(format!("Function \"{}\" expects only {n} argument(s).", f.name)));
    }
    let mut marked = false;
    let args: Vec<Value> = if f.sees_marks {
        args
    } else {
        args.into_iter()
            .map(|a| {
                marked |= a.contains_sensitive();
                a.deep_unmark()
            })
            .collect()
    };
    if !f.allow_null
        && let Some(i) = args.iter().position(Value::is_null)
    {
        return Err(FuncError::Arg(i, "argument must not be null.".into()));
    }
    let unknown = match f.unknowns {
        Unknowns::Propagate => args.iter().any(|a| !a.is_wholly_known()),
        Unknowns::Nested => args.iter().any(Value::is_unknown),
    };
    if unknown {
        return Ok(Value::Unknown.mark_if(marked));
    }
    if let Some(size) = too_large(args.iter()) {
        return Err(FuncError::Call(format!(
            "the arguments hold {size} bytes, more than the {MAX_VALUE_BYTES} a function call may take."
        )));
    }
    let out = (f.imp)(ctx, args)?;
    if let Some(size) = too_large(std::iter::once(&out)) {
        return Err(FuncError::Call(format!(
            "the result would be {size} bytes, more than the {MAX_VALUE_BYTES} a value may have."
        )));
    }
    Ok(out.mark_if(marked))
}

/// The most bytes (of strings, counted through collections) a function call may take or give,
/// so that no configuration can make terrane allocate without bound: 64 MiB.
pub(crate) const MAX_VALUE_BYTES: usize = 64 << 20;

/// The values' size, when it is over [`MAX_VALUE_BYTES`].
fn too_large<'v>(values: impl Iterator<Item = &'v Value>) -> Option<usize> {
    fn size(v: &Value, budget: usize) -> usize {
        match v {
            Value::String(s) => s.len(),
            Value::List(items) | Value::Set(items) => {
                let mut n = items.len();
                for i in items {
                    if n > budget {
                        break;
                    }
                    n += size(i, budget);
                }
                n
            }
            Value::Map(m) => {
                let mut n = 0;
                for (k, v) in m.iter() {
                    if n > budget {
                        break;
                    }
                    n += k.len() + size(v, budget);
                }
                n
            }
            Value::Sensitive(v) => size(v, budget),
            _ => 8,
        }
    }
    let mut total = 0;
    for v in values {
        total += size(v, MAX_VALUE_BYTES);
        if total > MAX_VALUE_BYTES {
            return Some(total);
        }
    }
    None
}

/// Fails when a result of `n` bytes (computed before building it) would be too large.
pub(crate) fn check_size(n: usize) -> Result<(), FuncError> {
    if n > MAX_VALUE_BYTES {
        return Err(FuncError::Call(format!(
            "the result would be {n} bytes, more than the {MAX_VALUE_BYTES} a value may have."
        )));
    }
    Ok(())
}

// ---- argument helpers shared by the families ----

pub(crate) fn arg_err(i: usize, msg: impl Into<String>) -> FuncError {
    FuncError::Arg(i, msg.into())
}

/// The message cty gives when a number does not fit a whole-number parameter.
pub(crate) const WHOLE_NUMBER: &str =
    "value must be a whole number, between -9223372036854775808 and 9223372036854775807";

/// Prints a number the way Terraform converts it to a string: the shortest decimal that
/// reads back the same, never in exponent form (`1e+21` prints all its digits). This differs
/// from [`format_number`] only for magnitudes of 1e21 and more, and for negative zero.
pub(crate) fn num_str(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 { "+Inf".into() } else { "-Inf".into() }
    } else if n.abs() < 1e21 && n != 0.0 {
        format_number(n)
    } else {
        format!("{n}")
    }
}

/// A number as a whole `i64`, if it is one.
pub(crate) fn whole(n: f64) -> Option<i64> {
    let limit = 2f64.powi(63);
    (n.fract() == 0.0 && (-limit..limit).contains(&n)).then_some(n as i64)
}

/// Parses a string as cty does when converting it to a number: a decimal representation,
/// with an optional sign and exponent, and no surrounding space.
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let ok = !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'))
        || matches!(s, "Inf" | "+Inf" | "-Inf" | "inf" | "+inf" | "-inf");
    if !ok {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| !n.is_nan())
}

/// A primitive value as a string (numbers and bools convert); `None` for anything else.
pub(crate) fn prim_str(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(num_str(*n)),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The argument as a string; numbers and bools convert as in Terraform.
pub(crate) fn str_arg(args: &[Value], i: usize) -> Result<String, FuncError> {
    prim_str(&args[i]).ok_or_else(|| arg_err(i, "string required."))
}

pub(crate) fn num_arg(args: &[Value], i: usize) -> Result<f64, FuncError> {
    match &args[i] {
        Value::Number(n) => Ok(*n),
        Value::String(s) => parse_number(s).ok_or_else(|| arg_err(i, "a number is required.")),
        _ => Err(arg_err(i, "number required.")),
    }
}

/// A number that must be a whole number.
pub(crate) fn int_arg(args: &[Value], i: usize) -> Result<i64, FuncError> {
    whole(num_arg(args, i)?).ok_or_else(|| arg_err(i, format!("{WHOLE_NUMBER}.")))
}

pub(crate) fn bool_arg(args: &[Value], i: usize) -> Result<bool, FuncError> {
    match &args[i] {
        Value::Bool(b) => Ok(*b),
        Value::String(s) => parse_bool(s).map_err(|e| arg_err(i, format!("{e}."))),
        _ => Err(arg_err(i, "bool required.")),
    }
}

/// A string as a bool, the way cty converts it: `"true"` or `"1"`, `"false"` or `"0"`.
pub(crate) fn parse_bool(s: &str) -> Result<bool, String> {
    match s {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ if s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false") => {
            Err(format!("a bool is required; to convert from string, use lowercase \"{}\"", s.to_ascii_lowercase()))
        }
        _ => Err("a bool is required".into()),
    }
}

/// The type of a value as Terraform names it in messages ("string", "tuple", "set of number").
pub(crate) fn friendly_type(v: &Value) -> String {
    match v.unmark().0 {
        Value::Set(items) => match items.iter().find(|i| !i.is_null() && !i.is_unknown()) {
            Some(first) => format!("set of {}", friendly_type(first)),
            None => "set of dynamic".into(),
        },
        Value::Null | Value::Unknown => "dynamic".into(),
        other => other.type_name().into(),
    }
}

/// Converts `values` to one common type, as Terraform does when a tuple becomes a list or a
/// set, or when function arguments must agree: `[1, "a"]` becomes `["1", "a"]`. `None` when
/// there is no common type (`[1, true]`, `["a", [1]]`). Nulls and unknowns fit any type.
pub(crate) fn unify(values: Vec<Value>) -> Option<Vec<Value>> {
    let types: Vec<Type> = values.iter().map(Type::of).collect();
    let target = unify_types(&types)?;
    values.into_iter().map(|v| convert(v, &target).ok()).collect()
}

fn unify_types(types: &[Type]) -> Option<Type> {
    let known: Vec<&Type> = types.iter().filter(|t| **t != Type::Any).collect();
    let Some(first) = known.first() else { return Some(Type::Any) };
    if known.iter().all(|t| t == first) {
        return Some((*first).clone());
    }
    let prim = |t: &Type| matches!(t, Type::String | Type::Number | Type::Bool);
    let seq = |t: &Type| matches!(t, Type::Tuple(_) | Type::List(_) | Type::Set(_));
    let mapping = |t: &Type| matches!(t, Type::Object(_) | Type::Map(_));
    if known.iter().all(|t| prim(t)) {
        // Numbers and bools both convert to strings, but not to each other.
        return known.iter().any(|t| **t == Type::String).then_some(Type::String);
    }
    if known.iter().all(|t| seq(t)) {
        if let Type::Tuple(f) = first {
            let same_len: Option<Vec<&Vec<Type>>> = known
                .iter()
                .map(|t| match t {
                    Type::Tuple(ts) if ts.len() == f.len() => Some(ts),
                    _ => None,
                })
                .collect();
            if let Some(tuples) = same_len {
                let per_index: Option<Vec<Type>> = (0..f.len())
                    .map(|i| unify_types(&tuples.iter().map(|ts| ts[i].clone()).collect::<Vec<_>>()))
                    .collect();
                return per_index.map(Type::Tuple);
            }
        }
        let mut elems = Vec::new();
        for t in &known {
            match t {
                Type::Tuple(ts) => elems.extend(ts.iter().cloned()),
                Type::List(e) | Type::Set(e) => elems.push((**e).clone()),
                _ => unreachable!(),
            }
        }
        let et = unify_types(&elems)?;
        return Some(if known.iter().any(|t| matches!(t, Type::Set(_))) { Type::set(et) } else { Type::list(et) });
    }
    if known.iter().all(|t| mapping(t)) {
        if let Type::Object(f) = first {
            let same_keys: Option<Vec<_>> = known
                .iter()
                .map(|t| match t {
                    Type::Object(a) if a.keys().eq(f.keys()) => Some(a),
                    _ => None,
                })
                .collect();
            if let Some(objects) = same_keys {
                let mut attrs = std::collections::BTreeMap::new();
                for k in f.keys() {
                    let ts: Vec<Type> = objects.iter().map(|o| o[k].ty.clone()).collect();
                    attrs.insert(k.clone(), ObjectAttr::required(unify_types(&ts)?));
                }
                return Some(Type::Object(attrs));
            }
        }
        let mut elems = Vec::new();
        for t in &known {
            match t {
                Type::Object(a) => elems.extend(a.values().map(|a| a.ty.clone())),
                Type::Map(e) => elems.push((**e).clone()),
                _ => unreachable!(),
            }
        }
        return unify_types(&elems).map(Type::map);
    }
    None
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// Calls a function by name with the given arguments, as the evaluator would.
    pub fn call_fn(name: &str, args: Vec<Value>) -> Result<Value, FuncError> {
        call_fn_in(Path::new("."), name, args)
    }

    /// Like [`call_fn`], with relative paths resolved against `dir`.
    pub fn call_fn_in(dir: &Path, name: &str, args: Vec<Value>) -> Result<Value, FuncError> {
        let f = lookup(name).unwrap_or_else(|| panic!("no function {name}"));
        call(f, &FuncCtx { base_dir: dir }, args)
    }

    /// Shorthands for building arguments.
    pub fn s(x: &str) -> Value {
        Value::from(x)
    }
    pub fn n(x: f64) -> Value {
        Value::Number(x)
    }
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(items)
    }
    pub fn strs(items: &[&str]) -> Value {
        Value::List(items.iter().map(|x| Value::from(*x)).collect())
    }

    /// The call's value, or a panic with its error.
    pub fn ok(name: &str, args: Vec<Value>) -> Value {
        call_fn(name, args).unwrap_or_else(|e| panic!("{name}: {e:?}"))
    }

    /// The message of the call's error (of either kind), or a panic if it succeeded.
    pub fn err(name: &str, args: Vec<Value>) -> String {
        match call_fn(name, args) {
            Ok(v) => panic!("{name} succeeded with {v:?}"),
            Err(FuncError::Arg(_, m) | FuncError::Call(m) | FuncError::Arity(m)) => m,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::{EmptyScope, Evaluator};

    /// Renders a value as `terraform console` does (internal/repl/format.go): strings quoted
    /// like Go's `strconv.Quote` or as heredocs when they span lines, collections over several
    /// lines with two-space indentation. Lists render as tuples (`[...]`) and maps as objects
    /// (`{...}`), since our values do not tell them apart; see [`normalize`].
    fn render_console(v: &Value, indent: usize) -> String {
        match v {
            Value::Unknown => "(known after apply)".into(),
            Value::Sensitive(_) => "(sensitive value)".into(),
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) if n.is_infinite() => (if *n > 0.0 { "+Inf" } else { "-Inf" }).into(),
            Value::Number(n) => format!("{n}"),
            Value::String(s) => render_string(s, indent),
            Value::List(items) => render_seq(items, indent),
            Value::Set(items) => format!("toset({})", render_seq(items, indent)),
            Value::Map(m) => {
                let mut out = String::from("{");
                for (k, v) in m {
                    out.push('\n');
                    out.push_str(&" ".repeat(indent + 2));
                    out.push_str(&render_string(k, indent + 2));
                    out.push_str(" = ");
                    out.push_str(&render_console(v, indent + 2));
                }
                if !m.is_empty() {
                    out.push('\n');
                    out.push_str(&" ".repeat(indent));
                }
                out.push('}');
                out
            }
        }
    }

    fn render_seq(items: &[Value], indent: usize) -> String {
        let mut out = String::from("[");
        for v in items {
            out.push('\n');
            out.push_str(&" ".repeat(indent + 2));
            out.push_str(&render_console(v, indent + 2));
            out.push(',');
        }
        if !items.is_empty() {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
        }
        out.push(']');
        out
    }

    fn render_string(s: &str, indent: usize) -> String {
        let lines: Vec<&str> = s.split('\n').collect();
        if lines.len() < 2 {
            return go_quote(s);
        }
        let mut delim = "EOT".to_string();
        while lines.iter().any(|l| l.trim() == delim) {
            delim.push('_');
        }
        let pad = " ".repeat(indent);
        let mut out = format!("{}{delim}", if indent > 0 { "<<-" } else { "<<" });
        for l in lines {
            out.push('\n');
            out.push_str(&pad);
            out.push_str(l);
        }
        out.push('\n');
        out.push_str(&pad);
        out.push_str(&delim);
        out
    }

    /// Go's `strconv.Quote`, with Go's notion of printable characters approximated.
    fn go_quote(s: &str) -> String {
        let mut out = String::from("\"");
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\u{7}' => out.push_str("\\a"),
                '\u{8}' => out.push_str("\\b"),
                '\u{c}' => out.push_str("\\f"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\u{b}' => out.push_str("\\v"),
                c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
                c if c.is_control()
                    || (c.is_whitespace() && c != ' ')
                    || matches!(c, '\u{ad}' | '\u{61c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}' | '\u{e000}'..='\u{f8ff}' | '\u{fff9}'..='\u{fffb}') =>
                {
                    if (c as u32) < 0x10000 {
                        out.push_str(&format!("\\u{:04x}", c as u32));
                    } else {
                        out.push_str(&format!("\\U{:08x}", c as u32));
                    }
                }
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    /// Our values do not distinguish lists from tuples, sets of one type from others, or maps
    /// from objects, and nulls carry no type, so console's `tolist(...)`, `toset(...)` and
    /// `tomap(...)` wrappers and its typed nulls (`tostring(null)`) are removed from both sides
    /// before comparing. Everything else — element order, quoting, heredocs, layout — must match.
    fn normalize(s: &str) -> String {
        let mut out = String::new();
        let mut heredoc: Option<String> = None;
        let mut wrappers: Vec<usize> = Vec::new();
        let mut depth = 0usize;
        for line in s.split('\n') {
            if let Some(delim) = &heredoc {
                let t = line.trim_start();
                if t == delim || t.strip_prefix(delim.as_str()) == Some(",") {
                    heredoc = None;
                }
                out.push_str(line);
                out.push('\n');
                continue;
            }
            let mut rest = line;
            let mut in_str = false;
            'scan: while let Some(c) = rest.chars().next() {
                if in_str {
                    let len =
                        if c == '\\' { 1 + rest[1..].chars().next().map_or(0, char::len_utf8) } else { c.len_utf8() };
                    out.push_str(&rest[..len]);
                    rest = &rest[len..];
                    in_str = c != '"';
                    continue;
                }
                for null in ["tostring(null)", "tonumber(null)", "tobool(null)"] {
                    if let Some(r) = rest.strip_prefix(null) {
                        out.push_str("null");
                        rest = r;
                        continue 'scan;
                    }
                }
                for w in ["tolist(", "toset(", "tomap("] {
                    if let Some(r) = rest.strip_prefix(w) {
                        depth += 1;
                        wrappers.push(depth);
                        rest = r;
                        continue 'scan;
                    }
                }
                if let Some(h) = rest.strip_prefix("<<") {
                    heredoc = Some(h.trim_start_matches('-').to_string());
                    out.push_str(rest);
                    break;
                }
                match c {
                    '"' => in_str = true,
                    '(' => depth += 1,
                    ')' => {
                        if wrappers.last() == Some(&depth) {
                            wrappers.pop();
                            depth -= 1;
                            rest = &rest[1..];
                            continue;
                        }
                        depth = depth.saturating_sub(1);
                    }
                    _ => {}
                }
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
            out.push('\n');
        }
        out.pop();
        out
    }

    #[test]
    fn normalize_strips_only_type_wrappers() {
        let console =
            "tolist([\n  tomap({\n    \"a\" = tostring(null)\n  }),\n  \"tolist(x)\",\n  (known after apply),\n])";
        assert_eq!(normalize(console), "[\n  {\n    \"a\" = null\n  },\n  \"tolist(x)\",\n  (known after apply),\n]");
        let heredoc = "[\n  <<-EOT\n  tolist(\n  EOT,\n]";
        assert_eq!(normalize(heredoc), heredoc);
    }

    #[test]
    fn render_console_layout() {
        let v = Value::object([
            ("a", Value::List(vec![Value::from(1i64), Value::from("x\ny")])),
            ("b", Value::Map(Default::default())),
            ("c", Value::from("tab\there \u{200d}")),
        ]);
        assert_eq!(
            render_console(&v, 0),
            "{\n  \"a\" = [\n    1,\n    <<-EOT\n    x\n    y\n    EOT,\n  ]\n  \"b\" = {}\n  \"c\" = \"tab\\there \\u200d\"\n}"
        );
        assert_eq!(render_console(&Value::from("EOT\nx"), 0), "<<EOT_\nEOT\nx\nEOT_");
        assert_eq!(render_console(&Value::Number(1e21), 0), "1000000000000000000000");
    }

    #[test]
    fn every_required_function_is_registered() {
        let required = "format formatlist join split replace lower upper title trimspace trim trimprefix trimsuffix \
            substr regex regexall startswith endswith strcontains indent chomp strrev length lookup merge concat \
            element keys values contains coalesce coalescelist compact distinct flatten zipmap range slice sort \
            reverse setunion setintersection setsubtract setproduct index one alltrue anytrue chunklist transpose \
            min max abs ceil floor pow signum log parseint jsonencode jsondecode yamlencode base64encode \
            base64decode urlencode csvdecode file fileexists filebase64 basename dirname abspath pathexpand \
            templatefile md5 sha1 sha256 sha512 base64sha256 base64sha512 uuid cidrsubnet cidrsubnets cidrhost \
            cidrnetmask tostring tonumber tobool tolist toset tomap sensitive nonsensitive issensitive";
        let missing: Vec<&str> = required.split_whitespace().filter(|n| lookup(n).is_none()).collect();
        assert!(missing.is_empty(), "missing functions: {missing:?}");
        assert!(names().any(|n| n == "try") && names().any(|n| n == "can"));
    }

    /// One case of `tests/fixtures/functions.txt`.
    struct Case {
        line: usize,
        expr: String,
        expected: String,
    }

    fn fixture_cases() -> Vec<Case> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/functions.txt");
        let text = std::fs::read_to_string(&path).expect("fixture file");
        let mut cases: Vec<Case> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(more) = line.strip_prefix('|') {
                let case = cases.last_mut().expect("continuation after a case");
                case.expected.push('\n');
                case.expected.push_str(more.strip_prefix(' ').unwrap_or(more));
                continue;
            }
            let (expr, expected) = line.split_once(" => ").unwrap_or_else(|| panic!("line {}: no ` => `", i + 1));
            cases.push(Case { line: i + 1, expr: expr.to_string(), expected: expected.to_string() });
        }
        cases
    }

    /// Every expression of the fixture file gives what `terraform console` printed: the same
    /// value (compared in console's display format) or the same error summary and detail.
    #[test]
    fn console_fixtures() {
        let cases = fixture_cases();
        assert!(cases.len() >= 150, "only {} cases", cases.len());
        let mut failures = Vec::new();
        for case in &cases {
            let expr = hcl_edit::parser::parse_expr(&case.expr).unwrap_or_else(|e| panic!("{}: {e}", case.expr));
            let expr = crate::config::Expr { file: 0, expr };
            let got = match Evaluator::new(&EmptyScope, Path::new(".")).eval(&expr) {
                Ok(v) => render_console(&v, 0),
                Err(d) => format!("ERROR: {}: {}", d.summary, d.detail),
            };
            let want =
                if case.expected.starts_with("ERROR: ") { case.expected.clone() } else { normalize(&case.expected) };
            let got = if got.starts_with("ERROR: ") { got } else { normalize(&got) };
            if got != want {
                failures.push(format!("line {}: {}\n  want: {want}\n  got:  {got}", case.line, case.expr));
            }
        }
        assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
    }
}
