//! `time_sleep`: waits `create_duration` when created and `destroy_duration` when destroyed;
//! `triggers` replace it (and so wait again). The wait ends early, failed, when the engine
//! stops the provider (Ctrl-C), as the plugin's ends when its context is cancelled.
//! Imported from `CREATE_DURATION,DESTROY_DURATION`.

use super::{Time, duration};
use crate::framework::{self, Rules};
use crate::kit::{Ctx, Managed, Result};
use std::collections::BTreeMap;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanRequest, PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct TimeSleep;

#[derive(Model, Clone, Debug, Default)]
pub struct TimeSleepObject {
    /// Changing it alone does not wait again.
    #[model(optional)]
    pub create_duration: Option<String>,
    #[model(optional)]
    pub destroy_duration: Option<String>,
    #[model(optional, force_new)]
    pub triggers: Option<BTreeMap<String, String>>,
    /// When the create finished, RFC 3339.
    #[model(computed)]
    pub id: Option<String>,
}

const MUST: &str = "must be a number immediately followed by ms (milliseconds), s (seconds), m (minutes), or h \
                    (hours). For example, \"30s\" for 30 seconds.";

/// Sleeps `d` (a duration argument), unless the provider is stopped first.
async fn sleep(c: &Ctx<'_>, d: Option<&str>, op: &str) -> Result<()> {
    let Some(d) = d.filter(|d| !d.is_empty()) else { return Ok(()) };
    let wait = duration::parse(d).map_err(|e| {
        ProviderError::new(format!(
            "{op} time sleep error: The create_duration cannot be parsed\n\n+Original Error: {e}"
        ))
    })?;
    tokio::select! {
        () = c.stop.cancelled() => Err(ProviderError::new(format!("{op} time sleep error: Original Error: context canceled"))),
        () = tokio::time::sleep(wait) => Ok(()),
    }
}

#[async_trait::async_trait]
impl Managed for TimeSleep {
    fn name(&self) -> &'static str {
        "time_sleep"
    }
    fn schema(&self) -> Schema {
        TimeSleepObject::schema()
    }
    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut d = Vec::new();
        let durations = ["create_duration", "destroy_duration"];
        if durations.iter().all(|a| config.get_attr(a).is_none_or(|v| v.unmarked().is_null())) {
            for a in durations {
                let other = if a == "create_duration" { "destroy_duration" } else { "create_duration" };
                d.push(
                    Diagnostic::error(
                        "Invalid Attribute Combination",
                        format!("At least one attribute out of [{other},{a}] must be specified"),
                    )
                    .about_attribute(a),
                );
            }
        }
        for a in durations {
            if let Some(s) = config.get_attr(a).map(Value::unmarked).and_then(Value::as_str)
                && !duration::valid_argument(s)
            {
                d.push(
                    Diagnostic::error("Invalid Attribute Value Match", format!("Attribute {a} {MUST}, got: {s}"))
                        .about_attribute(a),
                );
            }
        }
        d
    }
    fn plan(&self, _c: &Ctx<'_>, req: &PlanRequest<'_>) -> Result<PlanResponse> {
        framework::plan(req, &Rules { keep: &["id"], ..Rules::default() })
    }
    async fn create(&self, c: &Ctx<'_>, planned: Value) -> Result<Value> {
        let plan = TimeSleepObject::from_value(&planned)?;
        sleep(c, plan.create_duration.as_deref(), "Create").await?;
        Ok(TimeSleepObject { id: Some(Time::now().rfc3339()), ..plan }.to_value())
    }
    async fn delete(&self, c: &Ctx<'_>, prior: Value) -> Result<()> {
        let state = TimeSleepObject::from_stub(&prior)?;
        sleep(c, state.destroy_duration.as_deref(), "Delete").await
    }
    async fn import(&self, _c: &Ctx<'_>, id: &str) -> Result<Value> {
        let parts: Vec<&str> = id.split(',').collect();
        if parts.len() != 2 || (parts[0].is_empty() && parts[1].is_empty()) {
            return Err(ProviderError::new(format!(
                "Unexpected Format of ID: Unexpected format of ID ({id:?}), expected CREATEDURATION,DESTROYDURATION \
                 where at least one value is non-empty"
            )));
        }
        let mut state =
            TimeSleepObject { id: Some(Time::now().rfc3339()), triggers: Some(BTreeMap::new()), ..Default::default() };
        for (i, part) in parts.iter().enumerate() {
            if part.is_empty() {
                continue;
            }
            duration::parse(part).map_err(|e| {
                ProviderError::new(format!(
                    "Import time sleep error: The create_duration cannot be parsed\n\n+Original Error: {e}"
                ))
            })?;
            if i == 0 {
                state.create_duration = Some(part.to_string());
            } else {
                state.destroy_duration = Some(part.to_string());
            }
        }
        Ok(state.to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};
    use tokio_util::sync::CancellationToken;

    #[tokio::test]
    async fn a_create_waits_and_a_stop_ends_the_wait() {
        let stop = CancellationToken::new();
        let c = Ctx { provider: &Value::NULL, stop: &stop };
        let planned = TimeSleepObject { create_duration: Some("200ms".into()), ..Default::default() }.to_value();
        let started = Instant::now();
        let done = TimeSleep.create(&c, planned.clone()).await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(200));
        assert!(Time::parse(TimeSleepObject::from_value(&done).unwrap().id.as_deref().unwrap()).is_ok());

        let long = TimeSleepObject { create_duration: Some("1h".into()), ..Default::default() }.to_value();
        let started = Instant::now();
        let stopper = stop.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            stopper.cancel();
        });
        let e = TimeSleep.create(&c, long).await.unwrap_err();
        assert!(e.to_string().contains("context canceled"), "{e}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}
