//! `time_rotating`: a time (now, or `rfc3339`) and a rotation time after it (`rotation_*`);
//! once the rotation time has passed, a refresh removes it from the state, so the next plan
//! creates it again. Its calendar attributes are the rotation time's. Imported from
//! `BASE_RFC3339,YEARS,MONTHS,DAYS,HOURS,MINUTES` or `BASE_RFC3339,ROTATION_RFC3339`.

use super::{Calendar, Time, at_least_one_of, parse, validate_rfc3339};
use crate::framework::{self, Attrs, Rules};
use crate::kit::{Ctx, Managed, Result};
use std::collections::BTreeMap;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanRequest, PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct TimeRotating;

const ROTATIONS: [&str; 6] =
    ["rotation_minutes", "rotation_hours", "rotation_days", "rotation_months", "rotation_years", "rotation_rfc3339"];

#[derive(Model, Clone, Debug, Default)]
pub struct TimeRotatingObject {
    /// The rotation time's.
    #[model(flatten)]
    pub calendar: Calendar,
    #[model(optional)]
    pub rotation_days: Option<i64>,
    #[model(optional)]
    pub rotation_hours: Option<i64>,
    #[model(optional)]
    pub rotation_minutes: Option<i64>,
    #[model(optional)]
    pub rotation_months: Option<i64>,
    #[model(optional, computed)]
    pub rotation_rfc3339: Option<String>,
    #[model(optional)]
    pub rotation_years: Option<i64>,
    #[model(optional, force_new)]
    pub triggers: Option<BTreeMap<String, String>>,
    /// Defaults to the time of the create.
    #[model(optional, computed, force_new)]
    pub rfc3339: Option<String>,
    #[model(computed)]
    pub id: Option<String>,
}

/// Go's zero `time.Time` (January 1 of year 1, UTC): the rotation time when no rotation
/// argument is known.
fn zero_time() -> Time {
    Time::parse("0001-01-01T00:00:00Z").expect("a valid time")
}

impl TimeRotatingObject {
    /// The plugin's `setRotationValues`: the last of days, hours, minutes, months,
    /// rotation_rfc3339, years that is set decides the rotation time.
    fn set_rotation_values(&mut self, t: &Time) -> Result<()> {
        let mut rotation = zero_time();
        let n = |v: Option<i64>| v.unwrap_or(0);
        if n(self.rotation_days) != 0 {
            rotation = t.add_date(0, 0, n(self.rotation_days));
        }
        if n(self.rotation_hours) != 0 {
            rotation = t.add_seconds(n(self.rotation_hours) * 3600);
        }
        if n(self.rotation_minutes) != 0 {
            rotation = t.add_seconds(n(self.rotation_minutes) * 60);
        }
        if n(self.rotation_months) != 0 {
            rotation = t.add_date(0, n(self.rotation_months), 0);
        }
        if let Some(r) = self.rotation_rfc3339.as_deref().filter(|r| !r.is_empty()) {
            rotation = parse("rotation_rfc3339", r)?;
        }
        if n(self.rotation_years) != 0 {
            rotation = t.add_date(n(self.rotation_years), 0, 0);
        }
        self.rotation_rfc3339 = Some(rotation.rfc3339());
        self.calendar = Calendar::of(&rotation);
        self.rfc3339 = Some(t.rfc3339());
        self.id = Some(t.rfc3339());
        Ok(())
    }

    fn rotations(&self) -> ([Option<i64>; 5], Option<&str>) {
        (
            [self.rotation_years, self.rotation_months, self.rotation_days, self.rotation_hours, self.rotation_minutes],
            self.rotation_rfc3339.as_deref(),
        )
    }
}

/// `ModifyPlan`: when a rotation argument changes, the new rotation is known at plan time.
fn modify(planned: &mut Attrs, prior: Option<&Value>, _config: &Value) -> Result<()> {
    let Some(prior) = prior else { return Ok(()) };
    let state = TimeRotatingObject::from_stub(prior)?;
    let mut plan = TimeRotatingObject::from_stub(&Value::object_from_map(planned.clone()))?;
    let rfc3339_unknown = planned.get("rfc3339").is_some_and(|v| !v.is_known());
    let rotation_unknown = planned.get("rotation_rfc3339").is_some_and(|v| !v.is_known());
    if state.rotations().0 == plan.rotations().0 && !rotation_unknown && state.rotations().1 == plan.rotations().1 {
        return Ok(());
    }
    let base = if rfc3339_unknown { state.rfc3339.clone() } else { plan.rfc3339.clone() };
    let Some(base) = base else { return Ok(()) };
    plan.set_rotation_values(&parse("rfc3339", &base)?)?;
    plan.write(planned);
    Ok(())
}

/// `rotation_rfc3339`'s `ReplaceIfOutdated`: a changed rotation time replaces once the
/// recorded one has passed.
fn replace_if(name: &str, prior: &Value, _config: &Value, planned: &Value) -> Option<bool> {
    if name != "rotation_rfc3339" {
        return None;
    }
    if !framework::differs(prior, planned) {
        return Some(false);
    }
    let rotation = prior.unmarked().as_str().and_then(|s| Time::parse(s).ok())?;
    Some(Time::now().at > rotation.at)
}

fn rotation_part(s: &str) -> std::result::Result<Option<i64>, String> {
    if s.is_empty() {
        return Ok(None);
    }
    s.parse().map(Some).map_err(|_| {
        format!("could not parse rotation ({s:?}) as int: strconv.ParseInt: parsing {s:?}: invalid syntax")
    })
}

fn import_error(id: &str, expected: &str) -> ProviderError {
    ProviderError::new(format!("Unexpected Format of ID: Unexpected format of ID ({id:?}), expected {expected}"))
}

#[async_trait::async_trait]
impl Managed for TimeRotating {
    fn name(&self) -> &'static str {
        "time_rotating"
    }
    fn schema(&self) -> Schema {
        TimeRotatingObject::schema()
    }
    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut d = at_least_one_of(config, &ROTATIONS);
        for r in &ROTATIONS[..5] {
            if let Some(n) = config.get_attr(r).map(Value::unmarked).and_then(Value::as_i64)
                && n < 1
            {
                d.push(
                    Diagnostic::error(
                        "Invalid Attribute Value",
                        format!("Attribute {r} value must be at least 1, got: {n}"),
                    )
                    .about_attribute(*r),
                );
            }
        }
        d.extend(validate_rfc3339(config, &["rfc3339", "rotation_rfc3339"]));
        d
    }
    fn plan(&self, _c: &Ctx<'_>, req: &PlanRequest<'_>) -> Result<PlanResponse> {
        framework::plan(req, &Rules { keep: &[], replace_if: Some(&replace_if), modify: Some(&modify) })
    }
    async fn create(&self, _c: &Ctx<'_>, planned: Value) -> Result<Value> {
        let mut plan = TimeRotatingObject::from_value(&planned)?;
        let t = match plan.rfc3339.as_deref().filter(|s| !s.is_empty()) {
            Some(s) => parse("rfc3339", s)?,
            None => Time::now(),
        };
        plan.set_rotation_values(&t)?;
        Ok(plan.to_value())
    }
    /// Gone from the state once the rotation time has passed.
    async fn read(&self, _c: &Ctx<'_>, current: Value) -> Result<Option<Value>> {
        let state = TimeRotatingObject::from_stub(&current)?;
        if let Some(r) = state.rotation_rfc3339.as_deref().filter(|r| !r.is_empty()) {
            let rotation = parse("rotation_rfc3339", r)?;
            let now = Time::now();
            if now.at > rotation.at {
                tracing::info!(
                    "Expiration timestamp ({r}) is after current timestamp ({}), removing from state",
                    now.rfc3339()
                );
                return Ok(None);
            }
        }
        Ok(Some(current))
    }
    async fn update(&self, _c: &Ctx<'_>, prior: Value, planned: Value) -> Result<Value> {
        let state = TimeRotatingObject::from_stub(&prior)?;
        let mut plan = TimeRotatingObject::from_value(&planned)?;
        if state.rotations() == plan.rotations() {
            return Ok(plan.to_value());
        }
        let t = parse("id", plan.id.as_deref().or(state.id.as_deref()).unwrap_or_default())?;
        plan.set_rotation_values(&t)?;
        Ok(plan.to_value())
    }
    async fn import(&self, _c: &Ctx<'_>, id: &str) -> Result<Value> {
        let parts: Vec<&str> = id.split(',').collect();
        let parse_err = |e: String, what: &str| {
            ProviderError::new(format!("Import time rotating error: {what}\n\n+Original Error: {e}"))
        };
        let mut state = match parts.len() {
            2 => {
                if parts[0].is_empty() || parts[1].is_empty() {
                    return Err(import_error(id, "BASETIMESTAMP,ROTATIONTIMESTAMP"));
                }
                let not_rfc3339 = "The timestamp that was supplied could not be parsed as RFC3339.";
                let t = Time::parse(parts[0]).map_err(|e| parse_err(e, not_rfc3339))?;
                let rotation = Time::parse(parts[1]).map_err(|e| parse_err(e, not_rfc3339))?;
                TimeRotatingObject {
                    calendar: Calendar::of(&rotation),
                    rotation_rfc3339: Some(rotation.rfc3339()),
                    rfc3339: Some(t.rfc3339()),
                    id: Some(t.rfc3339()),
                    ..TimeRotatingObject::default()
                }
            }
            6 => {
                if parts[0].is_empty() || parts[1..].iter().all(|p| p.is_empty()) {
                    return Err(import_error(
                        id,
                        "BASETIMESTAMP,YEARS,MONTHS,DAYS,HOURS,MINUTES where at least one rotation value is non-empty",
                    ));
                }
                let unparsable = "The parameter that was supplied could not be parsed.";
                let r = |i: usize| rotation_part(parts[i]).map_err(|e| parse_err(e, unparsable));
                let mut s = TimeRotatingObject {
                    rotation_years: r(1)?,
                    rotation_months: r(2)?,
                    rotation_days: r(3)?,
                    rotation_hours: r(4)?,
                    rotation_minutes: r(5)?,
                    ..TimeRotatingObject::default()
                };
                let t = Time::parse(parts[0]).map_err(|e| parse_err(e, unparsable))?;
                // As the plugin's parseMultiplePartId: only positive values count.
                let positive = |v: Option<i64>| v.filter(|n| *n > 0);
                let mut counted = s.clone();
                counted.rotation_years = positive(s.rotation_years);
                counted.rotation_months = positive(s.rotation_months);
                counted.rotation_days = positive(s.rotation_days);
                counted.rotation_hours = positive(s.rotation_hours);
                counted.rotation_minutes = positive(s.rotation_minutes);
                counted.set_rotation_values(&t)?;
                s.calendar = counted.calendar;
                s.rotation_rfc3339 = counted.rotation_rfc3339;
                s.rfc3339 = counted.rfc3339;
                s.id = counted.id;
                s
            }
            _ => {
                return Err(import_error(
                    id,
                    "BASETIMESTAMP,YEARS,MONTHS,DAYS,HOURS,MINUTES or BASETIMESTAMP,ROTATIONTIMESTAMP",
                ));
            }
        };
        state.triggers = Some(BTreeMap::new());
        Ok(state.to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rotation_and_calendar_follow_the_last_rotation_argument() {
        let base = Time::parse("2020-01-31T00:00:00Z").unwrap();
        let mut r = TimeRotatingObject { rotation_days: Some(1), rotation_hours: Some(2), ..Default::default() };
        r.set_rotation_values(&base).unwrap();
        assert_eq!(r.rotation_rfc3339.as_deref(), Some("2020-01-31T02:00:00Z"), "hours come after days");
        assert_eq!(r.rfc3339.as_deref(), Some("2020-01-31T00:00:00Z"));
        assert_eq!((r.calendar.day, r.calendar.hour), (Some(31), Some(2)), "the rotation time's fields");
        let mut r = TimeRotatingObject { rotation_months: Some(1), ..Default::default() };
        r.set_rotation_values(&base).unwrap();
        assert_eq!(r.rotation_rfc3339.as_deref(), Some("2020-03-02T00:00:00Z"));
    }
}
