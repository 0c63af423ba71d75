//! hashicorp/time 0.14.0 (terraform-provider-time, plugin framework): `time_offset`,
//! `time_rotating`, `time_sleep` and `time_static`, with the plugin's schemas, plans, import
//! IDs and clock rules, and its functions `duration_parse`, `rfc3339_parse` and
//! `unix_timestamp_parse`.

mod clock;
mod duration;
mod functions;
mod offset;
mod rotating;
mod sleep;
mod r#static;

pub use clock::Time;

use crate::kit::Kit;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub fn factory() -> Kit {
    Kit::new(
        "hashicorp/time",
        Schema::new(),
        vec![
            Box::new(offset::TimeOffset),
            Box::new(rotating::TimeRotating),
            Box::new(sleep::TimeSleep),
            Box::new(r#static::TimeStatic),
        ],
        Vec::new(),
    )
    .with_functions(vec![
        Box::new(functions::DurationParse),
        Box::new(functions::Rfc3339Parse),
        Box::new(functions::UnixTimestampParse),
    ])
}

/// The calendar attributes every time type but `time_sleep` computes.
#[derive(Model, Clone, Debug, Default, PartialEq)]
pub struct Calendar {
    #[model(computed)]
    pub year: Option<i64>,
    #[model(computed)]
    pub month: Option<i64>,
    #[model(computed)]
    pub day: Option<i64>,
    #[model(computed)]
    pub hour: Option<i64>,
    #[model(computed)]
    pub minute: Option<i64>,
    #[model(computed)]
    pub second: Option<i64>,
    #[model(computed)]
    pub unix: Option<i64>,
}

impl Calendar {
    pub fn of(t: &Time) -> Calendar {
        let c = t.civil();
        Calendar {
            year: Some(c.year().into()),
            month: Some(c.month().into()),
            day: Some(c.day().into()),
            hour: Some(c.hour().into()),
            minute: Some(c.minute().into()),
            second: Some(c.second().into()),
            unix: Some(t.unix()),
        }
    }
}

/// A time from an attribute that holds RFC 3339 (the plugin's `timetypes.RFC3339`).
pub fn parse(attribute: &str, s: &str) -> crate::kit::Result<Time> {
    Time::parse(s).map_err(|e| {
        terrane_engine::provider::ProviderError::new(format!(
            "Invalid RFC3339 String Value: A string value was provided that is not valid RFC3339 string format.\n\n\
             Path: {attribute}\nGiven Value: {s}\nError: {e}"
        ))
    })
}

/// The configured RFC 3339 attributes that do not parse (`timetypes.RFC3339`'s validation).
pub fn validate_rfc3339(config: &Value, attributes: &[&str]) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    for a in attributes {
        if let Some(s) = config.get_attr(a).map(Value::unmarked).and_then(Value::as_str)
            && let Err(e) = Time::parse(s)
        {
            d.push(
                Diagnostic::error(
                    "Invalid RFC3339 String Value",
                    format!(
                        "A string value was provided that is not valid RFC3339 string format.\n\nGiven Value: \
                         {s}\nError: {e}"
                    ),
                )
                .about_attribute(*a),
            );
        }
    }
    d
}

/// `resourcevalidator.AtLeastOneOf`: one of `attributes` must be configured (unknown counts).
pub fn at_least_one_of(config: &Value, attributes: &[&str]) -> Vec<Diagnostic> {
    let set = attributes.iter().any(|a| config.get_attr(a).is_some_and(|v| !v.unmarked().is_null()));
    if set {
        return Vec::new();
    }
    vec![Diagnostic::error(
        "Missing Attribute Configuration",
        format!("At least one attribute out of [{}] must be specified", attributes.join(",")),
    )]
}
