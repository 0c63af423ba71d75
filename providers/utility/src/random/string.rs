//! `random_string`: a random string of letters, digits and special characters; its `id` and
//! `result` are the string (not sensitive). Schema version 2; imported from the string.

use super::chars::{self, Chars};
use crate::kit::{Ctx, Managed, Result};
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanRequest, PlanResponse};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct RandomString;

#[derive(Model, Clone, Debug, Default)]
pub struct RandomStringObject {
    #[model(flatten)]
    pub chars: Chars,
    #[model(computed)]
    pub result: Option<String>,
    #[model(computed)]
    pub id: Option<String>,
}

/// The state of an imported string, or of an imported password (`id` aside): the plugin's
/// `ImportState` records every argument at its default and `length` the ID's length in bytes.
pub fn imported(id: &str) -> Chars {
    Chars {
        keepers: None,
        length: id.len() as i64,
        special: true,
        upper: true,
        lower: true,
        number: Some(true),
        numeric: Some(true),
        min_numeric: 0,
        min_upper: 0,
        min_lower: 0,
        min_special: 0,
        override_special: None,
    }
}

#[async_trait::async_trait]
impl Managed for RandomString {
    fn name(&self) -> &'static str {
        "random_string"
    }
    fn schema(&self) -> Schema {
        RandomStringObject::schema()
    }
    fn schema_version(&self) -> u64 {
        2
    }
    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        chars::validate(config)
    }
    fn plan(&self, _c: &Ctx<'_>, req: &PlanRequest<'_>) -> Result<PlanResponse> {
        chars::plan(req, &["result", "id"])
    }
    async fn create(&self, _c: &Ctx<'_>, planned: Value) -> Result<Value> {
        let planned = RandomStringObject::from_value(&planned)?;
        let s = planned.chars.generate()?;
        Ok(RandomStringObject { result: Some(s.clone()), id: Some(s), ..planned }.to_value())
    }
    async fn import(&self, _c: &Ctx<'_>, id: &str) -> Result<Value> {
        Ok(RandomStringObject { chars: imported(id), result: Some(id.into()), id: Some(id.into()) }.to_value())
    }
    fn upgrade_state(&self, _version: u64, attributes: serde_json::Value) -> Result<serde_json::Value> {
        Ok(chars::upgrade(attributes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::Ctx;
    use std::collections::BTreeMap;
    use terrane_engine::provider::PlanRequest;
    use terrane_engine::schema::ResourceSchema;
    use terrane_engine::value::{PathStep, Type};
    use tokio_util::sync::CancellationToken;

    fn config(pairs: &[(&str, Value)]) -> Value {
        let mut m: BTreeMap<String, Value> = RandomStringObject::schema()
            .attributes
            .iter()
            .map(|(k, a)| (k.clone(), Value::null(a.ty.clone())))
            .collect();
        for (k, v) in pairs {
            m.insert(k.to_string(), v.clone());
        }
        Value::object_from_map(m)
    }

    fn plan(prior: Option<&Value>, config: &Value) -> Result<PlanResponse> {
        let schema = ResourceSchema::new(RandomStringObject::schema()).with_version(2);
        let stop = CancellationToken::new();
        let c = Ctx { provider: &Value::NULL, stop: &stop };
        let req = PlanRequest { type_name: "random_string", schema: &schema, prior, config, prior_private: None };
        RandomString.plan(&c, &req)
    }

    fn get<'a>(v: &'a Value, name: &str) -> &'a Value {
        v.get_attr(name).unwrap()
    }

    fn created(config: &Value) -> Value {
        let planned = plan(None, config).unwrap().planned;
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let stop = CancellationToken::new();
        rt.block_on(RandomString.create(&Ctx { provider: &Value::NULL, stop: &stop }, planned)).unwrap()
    }

    fn replaced(r: &PlanResponse) -> Vec<String> {
        r.requires_replace
            .iter()
            .map(|p| match &p[0] {
                PathStep::Attr(a) => a.clone(),
                other => other.to_string(),
            })
            .collect()
    }

    #[test]
    fn a_create_plans_the_defaults_and_leaves_the_result_unknown() {
        let r = plan(None, &config(&[("length", Value::int(12))])).unwrap();
        assert_eq!(get(&r.planned, "special").as_bool(), Some(true));
        assert_eq!(get(&r.planned, "number").as_bool(), Some(true));
        assert_eq!(get(&r.planned, "numeric").as_bool(), Some(true));
        assert_eq!(get(&r.planned, "min_upper").as_i64(), Some(0));
        assert!(get(&r.planned, "result").is_unknown());
        assert!(get(&r.planned, "override_special").is_null());
    }

    #[test]
    fn number_and_numeric_are_planned_equal_and_conflicting_values_fail() {
        let r = plan(None, &config(&[("length", Value::int(12)), ("number", Value::bool(false))])).unwrap();
        assert_eq!(get(&r.planned, "numeric").as_bool(), Some(false));
        let r = plan(None, &config(&[("length", Value::int(12)), ("numeric", Value::bool(false))])).unwrap();
        assert_eq!(get(&r.planned, "number").as_bool(), Some(false));
        let e = plan(
            None,
            &config(&[("length", Value::int(12)), ("numeric", Value::bool(false)), ("number", Value::bool(true))]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("Number and numeric are both configured with different values"), "{e}");
    }

    #[test]
    fn an_unchanged_configuration_plans_the_state_and_a_default_restored_replaces() {
        let c = config(&[("length", Value::int(12)), ("special", Value::bool(false))]);
        let state = created(&c);
        let r = plan(Some(&state), &c).unwrap();
        assert!(r.requires_replace.is_empty());
        assert!(r.planned.lang_eq(&state), "{:?}", r.planned);
        // Leaving `special` out plans its default, true: the string is made again.
        let r = plan(Some(&state), &config(&[("length", Value::int(12))])).unwrap();
        assert_eq!(replaced(&r), ["special"]);
        assert!(get(&r.planned, "result").is_unknown());
    }

    #[test]
    fn keepers_and_override_special_replace_as_the_plugins_modifiers_say() {
        let keepers = |v: &str| Value::map(Type::String, [("k".to_string(), Value::string(v))].into());
        let c =
            config(&[("length", Value::int(8)), ("keepers", keepers("1")), ("override_special", Value::string(""))]);
        let state = created(&c);
        let r = plan(Some(&state), &config(&[("length", Value::int(8)), ("keepers", keepers("1"))])).unwrap();
        assert!(r.requires_replace.is_empty(), "override_special from \"\" to null keeps the string");
        let r = plan(Some(&state), &config(&[("length", Value::int(8)), ("keepers", keepers("2"))])).unwrap();
        assert!(replaced(&r).contains(&"keepers".to_string()));
        let r = plan(
            Some(&state),
            &config(&[("length", Value::int(8)), ("keepers", keepers("1")), ("override_special", Value::string("_"))]),
        )
        .unwrap();
        assert_eq!(replaced(&r), ["override_special"]);
    }

    #[test]
    fn a_configuration_not_known_yet_plans_an_unknown_object() {
        let unknown = Value::unknown(RandomStringObject::schema().value_type());
        let r = plan(None, &unknown).unwrap();
        assert!(r.planned.is_unknown() && r.requires_replace.is_empty());
    }

    #[test]
    fn validation_follows_the_plugins_validators() {
        assert!(RandomString.validate(&config(&[("length", Value::int(0))]))[0].detail.contains("at least 1"));
        // TestAccResourceString_LengthErrors (3.9.0): length 2 with min_lower 3.
        let d = RandomString.validate(&config(&[("length", Value::int(2)), ("min_lower", Value::int(3))]));
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].detail,
            "Attribute length value must be at least sum of min_upper + min_lower + min_numeric + min_special, got: 2"
        );
        let d = RandomString.validate(&config(&[("length", Value::int(2)), ("number", Value::bool(true))]));
        assert!(d.len() == 1 && !d[0].is_error() && d[0].summary == "Attribute Deprecated", "{d:?}");
        let all_off = config(&[
            ("length", Value::int(3)),
            ("numeric", Value::bool(false)),
            ("special", Value::bool(false)),
            ("upper", Value::bool(false)),
            ("lower", Value::bool(false)),
        ]);
        assert!(RandomString.validate(&all_off)[0].detail.contains("must be specified as true"));
        assert!(
            RandomString.validate(&config(&[("length", Value::int(3)), ("numeric", Value::bool(false))])).is_empty()
        );
    }
}
