//! Parsing type constraints: `string`, `list(number)`, `map(object({ port = optional(number, 80) }))`.

use crate::types::{ObjectAttr, Type};
use hcl_edit::expr::{Expression, ObjectKey};
use std::collections::BTreeMap;

/// Parses a type constraint expression.
pub fn parse_type(e: &Expression) -> Result<Type, String> {
    parse(e, false).map(|(t, _)| t)
}

/// Returns the type and, for `optional(T, default)`, whether it is optional and its default.
fn parse(e: &Expression, in_object: bool) -> Result<(Type, Option<Option<crate::value::Value>>), String> {
    match e {
        Expression::Variable(v) => {
            let t = match v.as_str() {
                "string" => Type::String,
                "number" => Type::Number,
                "bool" => Type::Bool,
                "any" => Type::Any,
                "list" => Type::list(Type::Any),
                "set" => Type::set(Type::Any),
                "map" => Type::map(Type::Any),
                other => return Err(format!("The keyword \"{other}\" is not a valid type specification.")),
            };
            Ok((t, None))
        }
        Expression::Parenthesis(p) => parse(p.inner(), in_object),
        Expression::FuncCall(call) => {
            let name = call.name.name.as_str();
            let args: Vec<&Expression> = call.args.iter().collect();
            let one = |args: &[&Expression]| -> Result<Type, String> {
                match args {
                    [a] => parse_type(a),
                    _ => Err(format!("The {name}() type constructor takes exactly one argument.")),
                }
            };
            let t = match name {
                "list" => Type::list(one(&args)?),
                "set" => Type::set(one(&args)?),
                "map" => Type::map(one(&args)?),
                "tuple" => match args.as_slice() {
                    [Expression::Array(items)] => Type::Tuple(items.iter().map(parse_type).collect::<Result<_, _>>()?),
                    _ => return Err("The tuple() type constructor takes a list of element types.".into()),
                },
                "object" => match args.as_slice() {
                    [Expression::Object(obj)] => {
                        let mut attrs = BTreeMap::new();
                        for (k, v) in obj.iter() {
                            let key = match k {
                                ObjectKey::Ident(i) => i.as_str().to_string(),
                                ObjectKey::Expression(Expression::String(s)) => s.as_str().to_string(),
                                _ => return Err("Object type attribute names must be identifiers.".into()),
                            };
                            let (ty, opt) = parse(v.expr(), true)?;
                            let attr = match opt {
                                Some(default) => ObjectAttr { ty, optional: true, default },
                                None => ObjectAttr::required(ty),
                            };
                            attrs.insert(key, attr);
                        }
                        Type::Object(attrs)
                    }
                    _ => return Err("The object() type constructor takes an object of attribute types.".into()),
                },
                "optional" => {
                    if !in_object {
                        return Err("optional() may be used only for attributes of an object type.".into());
                    }
                    return match args.as_slice() {
                        [t] => Ok((parse_type(t)?, Some(None))),
                        [t, d] => {
                            let ty = parse_type(t)?;
                            let file = 0; // constants do not look at the file
                            let v = crate::eval::eval_constant(&crate::config::Expr { file, expr: (*d).clone() })
                                .map_err(|d| format!("The default of optional() must be a constant: {}", d.summary))?;
                            let v = crate::types::convert(v, &ty)
                                .map_err(|e| format!("The default of optional() does not fit its type: {e}"))?;
                            Ok((ty, Some(Some(v))))
                        }
                        _ => Err("optional() takes a type and an optional default value.".into()),
                    };
                }
                other => return Err(format!("\"{other}\" is not a type constructor.")),
            };
            Ok((t, None))
        }
        _ => Err("A type specification is a type keyword or a type constructor such as list(string).".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(s: &str) -> Result<Type, String> {
        parse_type(&hcl_edit::parser::parse_expr(s).unwrap())
    }

    #[test]
    fn parses_type_constraints() {
        assert_eq!(ty("list(string)").unwrap().to_string(), "list(string)");
        assert_eq!(
            ty("map(object({a=string, b=optional(number, 3)}))").unwrap().to_string(),
            "map(object({a = string, b = optional(number)}))"
        );
        assert_eq!(ty("tuple([string, bool])").unwrap(), Type::Tuple(vec![Type::String, Type::Bool]));
        assert_eq!(ty("list").unwrap(), Type::list(Type::Any));
    }

    #[test]
    fn rejects_bad_types() {
        assert!(ty("strng").unwrap_err().contains("strng"));
        assert!(ty("optional(string)").is_err());
        assert!(ty("list(string, number)").is_err());
    }
}
