//! `time_offset`: a base time (now, or `base_rfc3339`) moved by the `offset_*` arguments,
//! which change in place. Imported from `BASE_RFC3339,YEARS,MONTHS,DAYS,HOURS,MINUTES,SECONDS`.

use super::{Calendar, Time, at_least_one_of, parse, validate_rfc3339};
use crate::framework::{self, Attrs, Rules};
use crate::kit::{Ctx, Managed, Result};
use std::collections::BTreeMap;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanRequest, PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct TimeOffset;

const OFFSETS: [&str; 6] =
    ["offset_seconds", "offset_minutes", "offset_hours", "offset_days", "offset_months", "offset_years"];

#[derive(Model, Clone, Debug, Default)]
pub struct TimeOffsetObject {
    /// Defaults to the time of the create.
    #[model(optional, computed)]
    pub base_rfc3339: Option<String>,
    #[model(flatten)]
    pub calendar: Calendar,
    #[model(optional, force_new)]
    pub triggers: Option<BTreeMap<String, String>>,
    #[model(optional)]
    pub offset_days: Option<i64>,
    #[model(optional)]
    pub offset_hours: Option<i64>,
    #[model(optional)]
    pub offset_minutes: Option<i64>,
    #[model(optional)]
    pub offset_months: Option<i64>,
    #[model(optional)]
    pub offset_seconds: Option<i64>,
    #[model(optional)]
    pub offset_years: Option<i64>,
    #[model(computed)]
    pub rfc3339: Option<String>,
    /// The base time.
    #[model(computed)]
    pub id: Option<String>,
}

impl TimeOffsetObject {
    /// The plugin's `setOffsetValues`: days, hours, minutes, months, seconds, years, in
    /// that order, from `base`.
    fn set_offset_values(&mut self, base: &Time) {
        let mut t = *base;
        let n = |v: Option<i64>| v.unwrap_or(0);
        if n(self.offset_days) != 0 {
            t = t.add_date(0, 0, n(self.offset_days));
        }
        if n(self.offset_hours) != 0 {
            t = t.add_seconds(n(self.offset_hours) * 3600);
        }
        if n(self.offset_minutes) != 0 {
            t = t.add_seconds(n(self.offset_minutes) * 60);
        }
        if n(self.offset_months) != 0 {
            t = t.add_date(0, n(self.offset_months), 0);
        }
        if n(self.offset_seconds) != 0 {
            t = t.add_seconds(n(self.offset_seconds));
        }
        if n(self.offset_years) != 0 {
            t = t.add_date(n(self.offset_years), 0, 0);
        }
        self.base_rfc3339 = Some(base.rfc3339());
        self.calendar = Calendar::of(&t);
        self.rfc3339 = Some(t.rfc3339());
        self.id = Some(base.rfc3339());
    }

    fn offsets(&self) -> [Option<i64>; 6] {
        [
            self.offset_years,
            self.offset_months,
            self.offset_days,
            self.offset_hours,
            self.offset_minutes,
            self.offset_seconds,
        ]
    }
}

/// `ModifyPlan`: when an offset changes, the new values are known at plan time.
fn modify(planned: &mut Attrs, prior: Option<&Value>, _config: &Value) -> Result<()> {
    let Some(prior) = prior else { return Ok(()) };
    let state = TimeOffsetObject::from_stub(prior)?;
    let mut plan = TimeOffsetObject::from_stub(&Value::object_from_map(planned.clone()))?;
    if state.offsets() == plan.offsets() {
        return Ok(());
    }
    let base = match planned.get("base_rfc3339").filter(|v| v.is_known()) {
        Some(_) => plan.base_rfc3339.clone(),
        None => state.base_rfc3339.clone(),
    };
    let Some(base) = base else { return Ok(()) };
    plan.set_offset_values(&parse("base_rfc3339", &base)?);
    plan.write(planned);
    Ok(())
}

fn offset_part(s: &str, what: &str) -> Result<Option<i64>> {
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| {
        ProviderError::new(format!(
            "Import time offset error: The {what} parameter that was supplied could not be parsed as Int64.\n\n+\
             Original Error: could not parse offset ({s:?}) as int: strconv.ParseInt: parsing {s:?}: invalid syntax"
        ))
    })
}

#[async_trait::async_trait]
impl Managed for TimeOffset {
    fn name(&self) -> &'static str {
        "time_offset"
    }
    fn schema(&self) -> Schema {
        TimeOffsetObject::schema()
    }
    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut d = at_least_one_of(config, &OFFSETS);
        d.extend(validate_rfc3339(config, &["base_rfc3339"]));
        d
    }
    fn plan(&self, _c: &Ctx<'_>, req: &PlanRequest<'_>) -> Result<PlanResponse> {
        framework::plan(req, &Rules { keep: &[], replace_if: None, modify: Some(&modify) })
    }
    async fn create(&self, _c: &Ctx<'_>, planned: Value) -> Result<Value> {
        let mut plan = TimeOffsetObject::from_value(&planned)?;
        let base = match plan.base_rfc3339.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => parse("base_rfc3339", s)?,
            None => Time::now(),
        };
        plan.set_offset_values(&base);
        Ok(plan.to_value())
    }
    async fn update(&self, _c: &Ctx<'_>, _prior: Value, planned: Value) -> Result<Value> {
        let mut plan = TimeOffsetObject::from_value(&planned)?;
        let base = parse("base_rfc3339", plan.base_rfc3339.as_deref().unwrap_or_default())?;
        plan.set_offset_values(&base);
        Ok(plan.to_value())
    }
    async fn import(&self, _c: &Ctx<'_>, id: &str) -> Result<Value> {
        let parts: Vec<&str> = id.split(',').collect();
        if parts.len() != 7 {
            return Err(ProviderError::new(format!(
                "Unexpected Format of ID: Unexpected format of ID ({id:?}), expected \
                 BASETIMESTAMP,YEARS,MONTHS,DAYS,HOURS,MINUTES,SECONDS"
            )));
        }
        if parts[0].is_empty() || parts[1..].iter().all(|p| p.is_empty()) {
            return Err(ProviderError::new(format!(
                "Unexpected Format of ID: Unexpected format of ID ({id:?}), expected \
                 BASETIMESTAMP,YEARS,MONTHS,DAYS,HOURS,MINUTES,SECONDS where at least one offset value is non-empty"
            )));
        }
        let mut state = TimeOffsetObject {
            offset_years: offset_part(parts[1], "offset_years")?,
            offset_months: offset_part(parts[2], "offset_months")?,
            offset_days: offset_part(parts[3], "offset_days")?,
            offset_hours: offset_part(parts[4], "offset_hours")?,
            offset_minutes: offset_part(parts[5], "offset_minutes")?,
            offset_seconds: offset_part(parts[6], "offset_seconds")?,
            triggers: Some(BTreeMap::new()),
            ..TimeOffsetObject::default()
        };
        let base = Time::parse(parts[0]).map_err(|e| {
            ProviderError::new(format!(
                "Create time offset error: The base_rfc3339 timestamp that was supplied could not be parsed as \
                 RFC3339.\n\n+Original Error: {e}"
            ))
        })?;
        state.set_offset_values(&base);
        Ok(state.to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_apply_in_the_plugins_order() {
        let mut o = TimeOffsetObject { offset_days: Some(1), offset_hours: Some(2), ..TimeOffsetObject::default() };
        o.set_offset_values(&Time::parse("2020-02-28T23:00:00Z").unwrap());
        assert_eq!(o.rfc3339.as_deref(), Some("2020-03-01T01:00:00Z"));
        assert_eq!(o.id.as_deref(), Some("2020-02-28T23:00:00Z"));
        assert_eq!(o.base_rfc3339, o.id);
        assert_eq!(
            (o.calendar.year, o.calendar.month, o.calendar.day, o.calendar.hour),
            (Some(2020), Some(3), Some(1), Some(1))
        );
        assert_eq!(o.calendar.unix, Some(Time::parse("2020-03-01T01:00:00Z").unwrap().unix()));
    }
}
