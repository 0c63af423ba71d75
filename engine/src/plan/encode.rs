//! How values are kept in saved plans: plain JSON where the value is plain, with tagged
//! objects for what JSON cannot say (`{"~u":1}` unknown, `{"~s":[..]}` set, `{"~m":v}`
//! sensitive, `{"~o":{..}}` an object whose keys start with `~`).

use crate::value::Value;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value as J};

fn to_tagged(v: &Value) -> J {
    match v {
        Value::Null => J::Null,
        Value::Unknown => serde_json::json!({"~u": 1}),
        Value::Bool(b) => J::Bool(*b),
        Value::Number(n) => crate::value::number_to_json(*n),
        Value::String(s) => J::String(s.clone()),
        Value::List(items) => J::Array(items.iter().map(to_tagged).collect()),
        Value::Set(items) => serde_json::json!({"~s": items.iter().map(to_tagged).collect::<Vec<_>>()}),
        Value::Map(m) => {
            let obj: Map<String, J> = m.iter().map(|(k, v)| (k.clone(), to_tagged(v))).collect();
            if m.keys().any(|k| k.starts_with('~')) { serde_json::json!({"~o": obj}) } else { J::Object(obj) }
        }
        Value::Sensitive(inner) => serde_json::json!({"~m": to_tagged(inner)}),
    }
}

fn from_tagged(j: &J) -> Value {
    match j {
        J::Null => Value::Null,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        J::String(s) => Value::String(s.clone()),
        J::Array(items) => Value::List(items.iter().map(from_tagged).collect()),
        J::Object(m) => {
            if m.len() == 1 {
                let (k, v) = m.iter().next().expect("one entry");
                match k.as_str() {
                    "~u" => return Value::Unknown,
                    "~s" => {
                        return Value::set(
                            v.as_array().map(|a| a.iter().map(from_tagged).collect()).unwrap_or_default(),
                        );
                    }
                    "~m" => return from_tagged(v).mark_sensitive(),
                    "~o" => {
                        return Value::Map(
                            v.as_object()
                                .map(|o| o.iter().map(|(k, v)| (k.clone(), from_tagged(v))).collect())
                                .unwrap_or_default(),
                        );
                    }
                    _ => {}
                }
            }
            Value::Map(m.iter().map(|(k, v)| (k.clone(), from_tagged(v))).collect())
        }
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        to_tagged(self).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        let j = J::deserialize(d)?;
        Ok(from_tagged(&j))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_kind_of_value() {
        let v = Value::object([
            ("u", Value::Unknown),
            ("s", Value::set(vec!["b".into(), "a".into()])),
            ("m", Value::from("pw").mark_sensitive()),
            ("l", Value::List(vec![Value::Null, Value::Bool(true), Value::from(1.5)])),
            ("o", Value::object([("~tricky", Value::from(1i64))])),
        ]);
        let j = serde_json::to_string(&v).unwrap();
        let back: Value = serde_json::from_str(&j).unwrap();
        assert_eq!(back, v);
    }
}
