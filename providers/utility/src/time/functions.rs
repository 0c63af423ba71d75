//! The provider's functions: `duration_parse`, `rfc3339_parse` and `unix_timestamp_parse`.

use super::{Time, duration};
use crate::kit::Function;
use std::collections::BTreeMap;
use terrane_engine::schema::{FunctionParam, FunctionSignature};
use terrane_engine::value::{Type, Value};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

fn signature(param: &str, ty: Type, returns: &[(&str, Type)]) -> FunctionSignature {
    FunctionSignature {
        params: vec![FunctionParam { name: param.into(), ty, allow_null: false, allow_unknown: false }],
        variadic: None,
        returns: Type::object_from(returns.iter().map(|(k, t)| (k.to_string(), t.clone()))),
    }
}

/// The calendar fields both parse functions return (Go's `Year`, `YearDay`, `ISOWeek`, ...).
fn calendar(t: &Time) -> BTreeMap<String, Value> {
    let c = t.civil();
    let iso = c.date().iso_week_date();
    let weekday = c.weekday().to_sunday_zero_offset();
    [
        ("year", Value::int(c.year().into())),
        ("year_day", Value::int(c.day_of_year().into())),
        ("day", Value::int(c.day().into())),
        ("month", Value::int(c.month().into())),
        ("month_name", Value::string(MONTHS[c.month() as usize - 1])),
        ("weekday", Value::int(weekday.into())),
        ("weekday_name", Value::string(WEEKDAYS[weekday as usize])),
        ("hour", Value::int(c.hour().into())),
        ("minute", Value::int(c.minute().into())),
        ("second", Value::int(c.second().into())),
        ("iso_year", Value::int(iso.year().into())),
        ("iso_week", Value::int(iso.week().into())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

const CALENDAR: [&str; 12] = [
    "year",
    "year_day",
    "day",
    "month",
    "weekday",
    "hour",
    "minute",
    "second",
    "iso_year",
    "iso_week",
    "month_name",
    "weekday_name",
];

fn calendar_types(extra: &[(&'static str, Type)]) -> Vec<(&'static str, Type)> {
    let mut v: Vec<(&str, Type)> =
        CALENDAR.iter().map(|k| (*k, if k.ends_with("_name") { Type::String } else { Type::Number })).collect();
    v.extend(extra.iter().cloned());
    v
}

fn string_arg(args: &[Value]) -> Result<String, String> {
    args.first().and_then(|v| v.unmarked().as_str()).map(str::to_string).ok_or_else(|| "a string is required".into())
}

pub struct Rfc3339Parse;

impl Function for Rfc3339Parse {
    fn name(&self) -> &'static str {
        "rfc3339_parse"
    }
    fn signature(&self) -> FunctionSignature {
        signature("timestamp", Type::String, &calendar_types(&[("unix", Type::Number)]))
    }
    fn call(&self, args: Vec<Value>) -> Result<Value, String> {
        let s = string_arg(&args)?;
        let t = Time::parse(&s)
            .map_err(|_| format!("Error parsing RFC3339 timestamp: {s:?} is not a valid RFC3339 timestamp"))?;
        let mut o = calendar(&t);
        o.insert("unix".into(), Value::int(t.unix()));
        Ok(Value::object_from_map(o))
    }
}

pub struct UnixTimestampParse;

impl Function for UnixTimestampParse {
    fn name(&self) -> &'static str {
        "unix_timestamp_parse"
    }
    fn signature(&self) -> FunctionSignature {
        signature("unix_timestamp", Type::Number, &calendar_types(&[("rfc3339", Type::String)]))
    }
    fn call(&self, args: Vec<Value>) -> Result<Value, String> {
        let n = args.first().and_then(|v| v.unmarked().as_i64()).ok_or("a whole number is required")?;
        let t = Time::from_unix(n);
        let mut o = calendar(&t);
        o.insert("rfc3339".into(), Value::string(t.rfc3339()));
        Ok(Value::object_from_map(o))
    }
}

pub struct DurationParse;

impl Function for DurationParse {
    fn name(&self) -> &'static str {
        "duration_parse"
    }
    fn signature(&self) -> FunctionSignature {
        let types = [
            ("hours", Type::Number),
            ("minutes", Type::Number),
            ("seconds", Type::Number),
            ("milliseconds", Type::Number),
            ("microseconds", Type::Number),
            ("nanoseconds", Type::Number),
        ];
        signature("duration", Type::String, &types)
    }
    fn call(&self, args: Vec<Value>) -> Result<Value, String> {
        let s = string_arg(&args)?;
        let ns = duration::parse_nanos(&s)
            .map_err(|_| format!("Error parsing duration string: {s:?} is not a valid duration string"))?;
        // Go's Duration.Hours(), Minutes(), Seconds(): whole units plus the remainder.
        let float = |unit: i64| (ns / unit) as f64 + (ns % unit) as f64 / unit as f64;
        let o: BTreeMap<String, Value> = [
            ("hours", Value::from(float(3_600_000_000_000))),
            ("minutes", Value::from(float(60_000_000_000))),
            ("seconds", Value::from(float(1_000_000_000))),
            ("milliseconds", Value::int(ns / 1_000_000)),
            ("microseconds", Value::int(ns / 1_000)),
            ("nanoseconds", Value::int(ns)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        Ok(Value::object_from_map(o))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(v: &Value, k: &str) -> Value {
        v.get_attr(k).unwrap().clone()
    }

    #[test]
    fn rfc3339_parse_gives_the_plugins_test_values() {
        // TestRFC3339Parse_UTC and TestRFC3339Parse_offset (0.14.0).
        let v = Rfc3339Parse.call(vec![Value::string("2023-07-25T23:43:16Z")]).unwrap();
        for (k, want) in [
            ("day", 25),
            ("hour", 23),
            ("iso_week", 30),
            ("iso_year", 2023),
            ("minute", 43),
            ("month", 7),
            ("second", 16),
            ("unix", 1690328596),
            ("weekday", 2),
            ("year", 2023),
            ("year_day", 206),
        ] {
            assert_eq!(get(&v, k).as_i64(), Some(want), "{k}");
        }
        assert_eq!(get(&v, "month_name").as_str(), Some("July"));
        assert_eq!(get(&v, "weekday_name").as_str(), Some("Tuesday"));
        let v = Rfc3339Parse.call(vec![Value::string("1996-12-19T16:39:57-08:00")]).unwrap();
        for (k, want) in [("day", 19), ("hour", 16), ("iso_week", 51), ("unix", 851042397), ("weekday", 4)] {
            assert_eq!(get(&v, k).as_i64(), Some(want), "{k}");
        }
        let same = Rfc3339Parse.call(vec![Value::string("2023-07-25T23:43:16-00:00")]).unwrap();
        assert_eq!(get(&same, "unix").as_i64(), Some(1690328596));
        let e = Rfc3339Parse.call(vec![Value::string("abcdef")]).unwrap_err();
        assert_eq!(e, "Error parsing RFC3339 timestamp: \"abcdef\" is not a valid RFC3339 timestamp");
    }

    #[test]
    fn unix_timestamp_parse_gives_the_plugins_test_values() {
        // TestUnixTimestampParse_* (0.14.0): the same instant as rfc3339_parse's test, in UTC.
        let v = UnixTimestampParse.call(vec![Value::int(1690328596)]).unwrap();
        for (k, want) in
            [("day", 25), ("hour", 23), ("iso_week", 30), ("second", 16), ("weekday", 2), ("year_day", 206)]
        {
            assert_eq!(get(&v, k).as_i64(), Some(want), "{k}");
        }
        assert_eq!(get(&v, "rfc3339").as_str(), Some("2023-07-25T23:43:16Z"));
    }

    #[test]
    fn duration_parse_gives_the_plugins_test_values() {
        // TestDurationParse_* (0.14.0): 1h, 60m, 3600s, ... all give the same object.
        for s in ["1h", "60m", "3600s", "3600000ms", "3600000000us", "3600000000000ns"] {
            let v = DurationParse.call(vec![Value::string(s)]).unwrap();
            assert_eq!(get(&v, "hours").as_i64(), Some(1), "{s}");
            assert_eq!(get(&v, "minutes").as_i64(), Some(60), "{s}");
            assert_eq!(get(&v, "seconds").as_i64(), Some(3600), "{s}");
            assert_eq!(get(&v, "milliseconds").as_i64(), Some(3_600_000), "{s}");
            assert_eq!(get(&v, "microseconds").as_i64(), Some(3_600_000_000), "{s}");
            assert_eq!(get(&v, "nanoseconds").as_i64(), Some(3_600_000_000_000), "{s}");
        }
        let e = DurationParse.call(vec![Value::string("abcdef")]).unwrap_err();
        // The plugin's message (its test matches it as Terraform prints it, with a period after).
        assert_eq!(e, "Error parsing duration string: \"abcdef\" is not a valid duration string");
    }
}
