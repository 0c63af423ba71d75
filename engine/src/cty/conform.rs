//! Fitting a loosely built value to a known type: what a provider, a state file or a plan
//! file gives is made a value of its schema's type (as Terraform decodes them with the
//! schema), leniently — nulls and unknowns take the type, tuples become lists or sets,
//! objects become maps, absent attributes become null, attributes the type does not have
//! are dropped, primitives convert where they can.

use super::ty::Type;
use super::value::Value;
use std::collections::BTreeMap;

impl Value {
    /// A set of the given elements, typed after the first (of the dynamic type when there
    /// are none), for values a schema will conform later.
    pub fn set_any(items: Vec<Value>) -> Value {
        let ety = items.first().map(|v| v.clone().unmark_deep().0.ty()).unwrap_or(Type::Dynamic);
        Value::set(ety, items)
    }

    /// The value made a value of `ty`; see the module documentation.
    pub fn conform(self, ty: &Type) -> Value {
        if ty.is_dynamic() {
            return self;
        }
        let (v, marks) = self.unmark();
        let out = match (v, ty) {
            (Value::Null(_), t) => Value::Null(t.clone()),
            (Value::Unknown(u), t) if u.ty.is_dynamic() || &u.ty != t => Value::unknown(t.clone()),
            (u @ Value::Unknown(_), _) => u,
            (v @ (Value::Bool(_) | Value::Number(_) | Value::String(_)), t) if t.is_primitive() => {
                super::convert::convert(v.clone(), t).unwrap_or(v)
            }
            (v, Type::List(e)) => match v.as_seq() {
                Some(items) => Value::list((**e).clone(), items.iter().map(|i| i.clone().conform(e)).collect()),
                None => v,
            },
            (v, Type::Set(e)) => match v.as_seq() {
                Some(items) => Value::set((**e).clone(), items.iter().map(|i| i.clone().conform(e)).collect()),
                None => v,
            },
            (v, Type::Tuple(ts)) => match v.as_seq() {
                Some(items) if items.len() == ts.len() => {
                    Value::tuple(items.iter().zip(ts.iter()).map(|(i, t)| i.clone().conform(t)).collect())
                }
                _ => v,
            },
            (v, Type::Map(e)) => match v.as_map() {
                Some(m) => {
                    Value::map((**e).clone(), m.iter().map(|(k, i)| (k.clone(), i.clone().conform(e))).collect())
                }
                None => v,
            },
            (v, Type::Object(o)) => match v.as_map() {
                Some(m) => {
                    let attrs: BTreeMap<String, Value> = o
                        .attrs
                        .iter()
                        .map(|(k, t)| {
                            let a = m.get(k).cloned().unwrap_or(Value::Null(t.clone()));
                            (k.clone(), a.conform(t))
                        })
                        .collect();
                    Value::object_from_map(attrs)
                }
                None => v,
            },
            (v, _) => v,
        };
        out.with_marks(marks)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_values_take_the_schema_type() {
        let ty = Type::object_from([
            ("id", Type::String),
            ("tags", Type::map(Type::String)),
            ("ports", Type::set(Type::Number)),
            ("rules", Type::list(Type::object_from([("cidr", Type::String)]))),
        ]);
        let loose = Value::object([
            ("id", Value::from("i-1")),
            ("tags", Value::object([("a", Value::from("b"))])),
            ("ports", Value::tuple(vec![Value::int(443), Value::int(80)])),
            ("extra", Value::from(true)),
        ]);
        let v = loose.conform(&ty);
        assert!(v.has_type(&ty), "{:?}", v.ty());
        assert_eq!(v.get_attr("rules"), Some(&Value::null(Type::list(Type::object_from([("cidr", Type::String)])))));
    }
}
