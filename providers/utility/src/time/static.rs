//! `time_static`: a time fixed at create (now, or `rfc3339`), with its calendar fields.
//! Imported from an RFC 3339 time.

use super::{Calendar, Time, parse, validate_rfc3339};
use crate::framework::{self, Attrs, Rules};
use crate::kit::{Ctx, Managed, Result};
use std::collections::BTreeMap;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanRequest, PlanResponse};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct TimeStatic;

#[derive(Model, Clone, Debug, Default)]
pub struct TimeStaticObject {
    #[model(flatten)]
    pub calendar: Calendar,
    #[model(optional, force_new)]
    pub triggers: Option<BTreeMap<String, String>>,
    /// Defaults to the time of the create.
    #[model(optional, computed, force_new)]
    pub rfc3339: Option<String>,
    #[model(computed)]
    pub id: Option<String>,
}

impl TimeStaticObject {
    fn at(t: &Time, triggers: Option<BTreeMap<String, String>>) -> TimeStaticObject {
        TimeStaticObject { calendar: Calendar::of(t), triggers, rfc3339: Some(t.rfc3339()), id: Some(t.rfc3339()) }
    }
}

/// `ModifyPlan`: a create with `rfc3339` configured knows every attribute at plan time.
fn modify(planned: &mut Attrs, prior: Option<&Value>, _config: &Value) -> Result<()> {
    if prior.is_some() {
        return Ok(());
    }
    let plan = TimeStaticObject::from_stub(&Value::object_from_map(planned.clone()))?;
    if let Some(s) = &plan.rfc3339 {
        let t = parse("rfc3339", s)?;
        let known = TimeStaticObject { calendar: Calendar::of(&t), id: plan.rfc3339.clone(), ..plan };
        known.write(planned);
    }
    Ok(())
}

#[async_trait::async_trait]
impl Managed for TimeStatic {
    fn name(&self) -> &'static str {
        "time_static"
    }
    fn schema(&self) -> Schema {
        TimeStaticObject::schema()
    }
    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        validate_rfc3339(config, &["rfc3339"])
    }
    fn plan(&self, _c: &Ctx<'_>, req: &PlanRequest<'_>) -> Result<PlanResponse> {
        framework::plan(req, &Rules { keep: &["id"], replace_if: None, modify: Some(&modify) })
    }
    async fn create(&self, _c: &Ctx<'_>, planned: Value) -> Result<Value> {
        let planned = TimeStaticObject::from_value(&planned)?;
        let t = match &planned.rfc3339 {
            Some(s) => parse("rfc3339", s)?,
            None => Time::now(),
        };
        Ok(TimeStaticObject::at(&t, planned.triggers).to_value())
    }
    async fn import(&self, _c: &Ctx<'_>, id: &str) -> Result<Value> {
        let t = Time::parse(id).map_err(|e| {
            terrane_engine::provider::ProviderError::new(format!(
                "Import time static error: The id that was supplied could not be parsed as RFC3339.\n\n+Original \
                 Error: {e}"
            ))
        })?;
        // The plugin records an empty map of triggers.
        Ok(TimeStaticObject::at(&t, Some(BTreeMap::new())).to_value())
    }
}
