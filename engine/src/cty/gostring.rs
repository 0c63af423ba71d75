//! cty's `GoString` (`%#v`): how Terraform spells a value or a type in the messages meant to
//! be passed on verbatim to a provider's developers ("Provider produced inconsistent final
//! plan … was cty.StringVal("reviewed"), but now cty.StringVal("changed")").

use super::refine::{Nullness, RefinementKind};
use super::ty::go_quote;
use super::{Marks, Type, Value};
use crate::number::Number;

/// `Type.GoString()`.
pub fn type_go_string(ty: &Type) -> String {
    match ty {
        Type::Dynamic => "cty.DynamicPseudoType".into(),
        Type::Bool => "cty.Bool".into(),
        Type::Number => "cty.Number".into(),
        Type::String => "cty.String".into(),
        Type::List(e) => format!("cty.List({})", type_go_string(e)),
        Type::Set(e) => format!("cty.Set({})", type_go_string(e)),
        Type::Map(e) => format!("cty.Map({})", type_go_string(e)),
        Type::Tuple(es) if es.is_empty() => "cty.EmptyTuple".into(),
        Type::Tuple(es) => {
            let items: Vec<String> = es.iter().map(type_go_string).collect();
            format!("cty.Tuple([]cty.Type{{{}}})", items.join(", "))
        }
        Type::Object(o) if o.attrs.is_empty() => "cty.EmptyObject".into(),
        Type::Object(o) => {
            let attrs: Vec<String> =
                o.attrs.iter().map(|(k, t)| format!("{}:{}", go_quote(k), type_go_string(t))).collect();
            let attrs = format!("map[string]cty.Type{{{}}}", attrs.join(", "));
            if o.optional.is_empty() {
                format!("cty.Object({attrs})")
            } else {
                let opt: Vec<String> = o.optional.iter().map(|k| go_quote(k)).collect();
                format!("cty.ObjectWithOptionalAttrs({attrs}, []string{{{}}})", opt.join(", "))
            }
        }
    }
}

/// `Value.GoString()`.
pub fn go_string(v: &Value) -> String {
    match v {
        Value::Marked(inner, marks) => {
            let names = mark_names(*marks);
            if names.len() == 1 {
                format!("{}.Mark({})", go_string(inner), names[0])
            } else {
                format!("{}.WithMarks(cty.NewValueMarks({}))", go_string(inner), names.join(", "))
            }
        }
        Value::Null(ty) => format!("cty.NullVal({})", type_go_string(ty)),
        Value::Unknown(u) if u.ty == Type::Dynamic && u.refinement.is_none() => "cty.DynamicVal".into(),
        Value::Unknown(u) => {
            let calls = u.refinement.as_deref().map(refinement_go_string).unwrap_or_default();
            let suffix = match calls.as_str() {
                "" => String::new(),
                ".NotNull()" => ".RefineNotNull()".into(),
                _ => format!(".Refine(){calls}.NewValue()"),
            };
            format!("cty.UnknownVal({}){suffix}", type_go_string(&u.ty))
        }
        Value::Bool(true) => "cty.True".into(),
        Value::Bool(false) => "cty.False".into(),
        Value::Number(n) => number_go_string(n),
        Value::String(s) => format!("cty.StringVal({})", go_quote(s)),
        Value::List(s) if s.items.is_empty() => format!("cty.ListValEmpty({})", type_go_string(&s.ety)),
        Value::List(s) => format!("cty.ListVal({})", slice(&s.items)),
        Value::Set(s) if s.items.is_empty() => format!("cty.SetValEmpty({})", type_go_string(&s.ety)),
        Value::Set(s) => format!("cty.SetVal({})", slice(&s.items)),
        Value::Map(m) if m.items.is_empty() => format!("cty.MapValEmpty({})", type_go_string(&m.ety)),
        Value::Map(m) => format!("cty.MapVal({})", map(m.items.iter())),
        Value::Tuple(items) if items.is_empty() => "cty.EmptyTupleVal".into(),
        Value::Tuple(items) => format!("cty.TupleVal({})", slice(items)),
        Value::Object(attrs) if attrs.is_empty() => "cty.EmptyObjectVal".into(),
        Value::Object(attrs) => format!("cty.ObjectVal({})", map(attrs.iter())),
    }
}

fn slice(items: &[Value]) -> String {
    let items: Vec<String> = items.iter().map(go_string).collect();
    format!("[]cty.Value{{{}}}", items.join(", "))
}

/// Go prints a map's entries sorted by key, `"k":v` separated by ", ".
fn map<'a>(items: impl Iterator<Item = (&'a String, &'a Value)>) -> String {
    let items: Vec<String> = items.map(|(k, v)| format!("{}:{}", go_quote(k), go_string(v))).collect();
    format!("map[string]cty.Value{{{}}}", items.join(", "))
}

fn mark_names(marks: Marks) -> Vec<&'static str> {
    let mut names = Vec::new();
    if marks.contains(Marks::SENSITIVE) {
        names.push("marks.Sensitive");
    }
    if marks.contains(Marks::EPHEMERAL) {
        names.push("marks.Ephemeral");
    }
    names
}

/// `NumberIntVal` for integers, `NumberFloatVal` when a float64 holds the number exactly,
/// `MustParseNumberVal` otherwise. The number itself as `%#v` of a `*big.Float` / `float64`
/// prints it: Go's shortest `%g`.
fn number_go_string(n: &Number) -> String {
    let shortest = || n.format('g', &crate::number::FormatSpec::default()).unwrap_or_else(|_| n.to_string());
    if n.is_integer() {
        return format!("cty.NumberIntVal({})", shortest());
    }
    let f = n.to_f64();
    if f.is_finite() && Number::from_f64(f).is_some_and(|back| back.to_string() == n.to_string()) {
        return format!("cty.NumberFloatVal({})", shortest());
    }
    format!("cty.MustParseNumberVal({})", go_quote(&n.to_string()))
}

fn refinement_go_string(r: &super::refine::Refinement) -> String {
    let mut out = match r.null {
        Nullness::NotNull => ".NotNull()".to_string(),
        Nullness::Null => ".Null()".to_string(),
        Nullness::Unknown => String::new(),
    };
    match &r.kind {
        RefinementKind::Nullable => {}
        RefinementKind::String { prefix } => {
            if !prefix.is_empty() {
                out.push_str(&format!(".StringPrefixFull({})", go_quote(prefix)));
            }
        }
        RefinementKind::Number { min, max } => {
            if let Some((n, inc)) = min {
                out.push_str(&format!(".NumberLowerBound({}, {inc})", number_go_string(n)));
            }
            if let Some((n, inc)) = max {
                out.push_str(&format!(".NumberUpperBound({}, {inc})", number_go_string(n)));
            }
        }
        RefinementKind::Collection { min_len, max_len } => {
            if *min_len != 0 {
                out.push_str(&format!(".CollectionLengthLowerBound({min_len})"));
            }
            if *max_len != usize::MAX {
                out.push_str(&format!(".CollectionLengthUpperBound({max_len})"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn num(s: &str) -> Value {
        Value::Number(Number::parse(s).expect("number"))
    }

    /// Cases from cty's own `TestValueGoString` and `TestTypeGoString`.
    #[test]
    fn spells_values_as_cty_does() {
        let cases: Vec<(Value, &str)> = vec![
            (Value::NULL, "cty.NullVal(cty.DynamicPseudoType)"),
            (Value::null(Type::String), "cty.NullVal(cty.String)"),
            (
                Value::null(Type::Tuple(vec![Type::String, Type::Bool].into())),
                "cty.NullVal(cty.Tuple([]cty.Type{cty.String, cty.Bool}))",
            ),
            (Value::DYNAMIC, "cty.DynamicVal"),
            (Value::unknown(Type::String), "cty.UnknownVal(cty.String)"),
            (Value::unknown(Type::String).refine_not_null(), "cty.UnknownVal(cty.String).RefineNotNull()"),
            (Value::string(""), "cty.StringVal(\"\")"),
            (Value::string("hello"), "cty.StringVal(\"hello\")"),
            (Value::int(0), "cty.NumberIntVal(0)"),
            (num("1.2"), "cty.NumberFloatVal(1.2)"),
            (num("1.0"), "cty.NumberIntVal(1)"),
            (
                num("3.14159265358979323846264338327950288419716939937510582097494459"),
                "cty.MustParseNumberVal(\"3.14159265358979323846264338327950288419716939937510582097494459\")",
            ),
            (Value::TRUE, "cty.True"),
            (Value::FALSE, "cty.False"),
            (Value::empty_list(Type::String), "cty.ListValEmpty(cty.String)"),
            (Value::list(Type::Bool, vec![Value::TRUE]), "cty.ListVal([]cty.Value{cty.True})"),
            (Value::empty_set(Type::Map(Type::String.into())), "cty.SetValEmpty(cty.Map(cty.String))"),
            (Value::empty_tuple(), "cty.EmptyTupleVal"),
            (Value::tuple(vec![Value::TRUE]), "cty.TupleVal([]cty.Value{cty.True})"),
            (
                Value::map(Type::Bool, BTreeMap::from([("boop".to_string(), Value::TRUE)])),
                "cty.MapVal(map[string]cty.Value{\"boop\":cty.True})",
            ),
            (Value::empty_object(), "cty.EmptyObjectVal"),
            (
                Value::object_from_map(BTreeMap::from([("a".to_string(), Value::string("b"))])),
                "cty.ObjectVal(map[string]cty.Value{\"a\":cty.StringVal(\"b\")})",
            ),
            (Value::string("s").mark_sensitive(), "cty.StringVal(\"s\").Mark(marks.Sensitive)"),
        ];
        for (v, want) in cases {
            assert_eq!(go_string(&v), want);
        }
    }
}
