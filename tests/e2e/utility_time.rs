//! hashicorp/time, built in: `time_static`, `time_offset`, `time_rotating` and `time_sleep`
//! through the binary (plan, apply, a re-plan with no changes, in-place offset changes known
//! at plan time, replacement on `triggers`, rotation once the rotation time has passed,
//! import, destroy), the state shape the plugin records, a state in its shape planned with no
//! change, and a sleep that Ctrl-C ends.

use crate::Work;
use serde_json::{Value, json};
use std::process::Stdio;
use std::time::{Duration, Instant};

const CONFIG: &str = r#"
resource "time_static" "fixed" {
  rfc3339  = "2020-02-12T06:36:13Z"
  triggers = { v = "1" }
}
resource "time_static" "now" {}
resource "time_offset" "o" {
  base_rfc3339 = "2020-02-28T23:00:00+02:00"
  offset_days  = 1
  offset_hours = 2
}
resource "time_rotating" "r" {
  rotation_years = 100
}
resource "time_sleep" "s" {
  create_duration  = "1s"
  destroy_duration = "100ms"
}
"#;

fn instance<'a>(s: &'a Value, ty: &str, name: &str) -> &'a Value {
    let r = s["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["type"] == ty && r["name"] == name)
        .unwrap_or_else(|| panic!("{ty}.{name}"));
    assert_eq!(r["provider"], "provider[\"registry.terraform.io/hashicorp/time\"]");
    assert_eq!(r["instances"][0]["schema_version"], 0);
    &r["instances"][0]
}

fn attrs<'a>(s: &'a Value, ty: &str, name: &str) -> &'a Value {
    &instance(s, ty, name)["attributes"]
}

/// The first line of a plan that starts (after its indentation) with `start`.
fn line<'a>(out: &'a str, start: &str) -> &'a str {
    out.lines().find(|l| l.trim_start().starts_with(start)).unwrap_or_default()
}

#[test]
fn utility_time_types_apply_replan_clean_update_offsets_and_replace_on_triggers() {
    let w = Work::new(CONFIG);
    w.ok(&["init"]);
    let plan = w.ok(&["plan"]);
    assert!(plan.contains("Plan: 5 to add, 0 to change, 0 to destroy."), "{plan}");
    // A configured time_static is known at plan time (the plugin's ModifyPlan).
    let fixed = &plan[plan.find("# time_static.fixed will be created").unwrap()..];
    assert!(line(fixed, "+ year").ends_with("= 2020"), "{plan}");
    assert!(line(fixed, "+ unix").ends_with("= 1581489373"), "{plan}");
    let started = Instant::now();
    w.ok(&["apply", "-auto-approve"]);
    assert!(started.elapsed() >= Duration::from_secs(1), "time_sleep waits its create_duration");
    let s = w.state();

    let f = attrs(&s, "time_static", "fixed");
    assert_eq!(
        f,
        &json!({"day": 12, "hour": 6, "id": "2020-02-12T06:36:13Z", "minute": 36, "month": 2,
            "rfc3339": "2020-02-12T06:36:13Z", "second": 13, "triggers": {"v": "1"}, "unix": 1581489373, "year": 2020})
    );
    let now = attrs(&s, "time_static", "now");
    assert!(now["rfc3339"].as_str().unwrap().ends_with('Z'));
    assert_eq!(now["id"], now["rfc3339"]);
    assert_eq!(now["triggers"], Value::Null);

    // 2020-02-28T23:00+02:00 plus a day is the 29th (a leap year), plus two hours March 1.
    let o = attrs(&s, "time_offset", "o");
    assert_eq!(o["rfc3339"], "2020-03-01T01:00:00+02:00");
    assert_eq!(o["base_rfc3339"], "2020-02-28T23:00:00+02:00");
    assert_eq!(o["id"], "2020-02-28T23:00:00+02:00");
    assert_eq!(
        (o["year"].as_i64(), o["month"].as_i64(), o["day"].as_i64(), o["hour"].as_i64()),
        (Some(2020), Some(3), Some(1), Some(1))
    );
    assert_eq!(o["unix"], 1583017200);
    assert_eq!(o["offset_years"], Value::Null);

    let r = attrs(&s, "time_rotating", "r");
    let base: i64 = r["rfc3339"].as_str().unwrap()[..4].parse().unwrap();
    assert_eq!(r["rotation_rfc3339"].as_str().unwrap()[..4].parse::<i64>().unwrap(), base + 100);
    assert_eq!(r["year"], base + 100, "the calendar attributes are the rotation time's");
    assert_eq!(r["id"], r["rfc3339"]);

    let sl = attrs(&s, "time_sleep", "s");
    assert_eq!(sl["create_duration"], "1s");
    assert!(sl["id"].as_str().unwrap().ends_with('Z'));

    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "a re-plan changes nothing\n{out}{err}");

    // An offset changes in place, with the new time known at plan time.
    w.write("main.tf", &CONFIG.replace("offset_hours = 2", "offset_hours = 3"));
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2);
    assert!(out.contains("# time_offset.o will be updated in-place"), "{out}");
    assert!(
        line(&out, "~ rfc3339").ends_with("= \"2020-03-01T01:00:00+02:00\" -> \"2020-03-01T02:00:00+02:00\""),
        "{out}"
    );
    assert!(out.contains("Plan: 0 to add, 1 to change, 0 to destroy."), "{out}");
    // Changing a duration alone changes the state only (no wait).
    w.write(
        "main.tf",
        &CONFIG
            .replace("offset_hours = 2", "offset_hours = 3")
            .replace("create_duration  = \"1s\"", "create_duration  = \"30s\""),
    );
    let started = Instant::now();
    w.ok(&["apply", "-auto-approve"]);
    assert!(started.elapsed() < Duration::from_secs(20));
    let s = w.state();
    assert_eq!(attrs(&s, "time_offset", "o")["rfc3339"], "2020-03-01T02:00:00+02:00");
    assert_eq!(attrs(&s, "time_offset", "o")["hour"], 2);
    assert_eq!(attrs(&s, "time_sleep", "s")["create_duration"], "30s");
    assert_eq!(attrs(&s, "time_sleep", "s")["id"], sl["id"]);

    w.write("main.tf", &CONFIG.replace("v = \"1\"", "v = \"2\""));
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2);
    assert!(out.contains("# time_static.fixed must be replaced"), "{out}");
    assert!(out.contains("# time_sleep.s will be updated in-place"), "{out}");

    w.ok(&["destroy", "-auto-approve"]);
    assert!(w.addresses().is_empty());
}

#[test]
fn utility_time_rotating_is_created_again_once_its_rotation_time_has_passed() {
    let w = Work::new(
        "resource \"time_rotating\" \"r\" {\n  rfc3339       = \"2020-01-01T00:00:00Z\"\n  rotation_days = 1\n}\n",
    );
    w.ok(&["init"]);
    let plan = w.ok(&["plan"]);
    assert!(plan.contains("# time_rotating.r will be created"), "{plan}");
    w.ok(&["apply", "-auto-approve"]);
    let s = w.state();
    let r = attrs(&s, "time_rotating", "r");
    assert_eq!(r["rotation_rfc3339"], "2020-01-02T00:00:00Z");
    assert_eq!(r["rfc3339"], "2020-01-01T00:00:00Z");
    assert_eq!(r["day"], 2);
    // The rotation time has passed: the refresh removes it, the plan creates it again.
    let (code, out, _) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("# time_rotating.r will be created"), "{out}");
}

#[test]
fn utility_time_imports_record_what_the_plugin_records() {
    let config = r#"
resource "time_static" "s" {
  triggers = {}
}
resource "time_offset" "o" {
  offset_days   = 7
  offset_months = 1
  triggers      = {}
}
resource "time_rotating" "r" {
  rotation_rfc3339 = "2099-01-01T00:00:00Z"
  triggers         = {}
}
resource "time_sleep" "sl" {
  create_duration = "1s"
  triggers        = {}
}
import {
  to = time_static.s
  id = "2020-02-12T06:36:13Z"
}
import {
  to = time_offset.o
  id = "2020-02-12T06:36:13Z,,1,7,,,"
}
import {
  to = time_rotating.r
  id = "2020-02-12T06:36:13Z,2099-01-01T00:00:00Z"
}
import {
  to = time_sleep.sl
  id = "1s,"
}
"#;
    let w = Work::new(config);
    w.ok(&["init"]);
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("Plan: 4 to import, 0 to add, 0 to change, 0 to destroy."), "{out}");
    w.ok(&["apply", "-auto-approve"]);
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "{out}{err}");
    let s = w.state();
    assert_eq!(
        attrs(&s, "time_static", "s"),
        &json!({"day": 12, "hour": 6, "id": "2020-02-12T06:36:13Z", "minute": 36, "month": 2,
            "rfc3339": "2020-02-12T06:36:13Z", "second": 13, "triggers": {}, "unix": 1581489373, "year": 2020})
    );
    // Days, then months: 2020-02-19, then 2020-03-19.
    let o = attrs(&s, "time_offset", "o");
    assert_eq!(o["rfc3339"], "2020-03-19T06:36:13Z");
    assert_eq!(o["base_rfc3339"], "2020-02-12T06:36:13Z");
    assert_eq!(
        (o["offset_days"].as_i64(), o["offset_months"].as_i64(), o["offset_years"].as_i64()),
        (Some(7), Some(1), None)
    );
    let r = attrs(&s, "time_rotating", "r");
    assert_eq!(r["rotation_rfc3339"], "2099-01-01T00:00:00Z");
    assert_eq!(r["year"], 2099);
    assert_eq!(r["rfc3339"], "2020-02-12T06:36:13Z");
    let sl = attrs(&s, "time_sleep", "sl");
    assert_eq!(sl["create_duration"], "1s");
    assert_eq!(sl["destroy_duration"], Value::Null);

    let bad = Work::new(
        "resource \"time_offset\" \"o\" {\n  offset_days = 1\n}\nimport {\n  to = time_offset.o\n  id = \"2020-02-12T06:36:13Z,1\"\n}\n",
    );
    bad.ok(&["init"]);
    let (code, out, err) = bad.run(&["plan"]);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("expected BASETIMESTAMP,YEARS,MONTHS,DAYS,HOURS,MINUTES,SECONDS"), "{err}");
}

#[test]
fn utility_time_state_written_by_the_plugin_plans_no_change() {
    let w = Work::new(
        "resource \"time_static\" \"s\" {\n  rfc3339 = \"2020-02-12T06:36:13Z\"\n}\nresource \"time_offset\" \"o\" {\n  base_rfc3339 = \"2020-02-12T06:36:13Z\"\n  offset_days  = 1\n}\n",
    );
    // Written by hand in the shape hashicorp/time 0.14.0 records these types (its
    // timeStaticModelV0 and timeOffsetModelV0: every attribute, numbers as JSON numbers,
    // times as Go's time.RFC3339), as Terraform 1.11 writes a state.
    w.write(
        "terraform.tfstate",
        r#"{"version":4,"terraform_version":"1.11.4","serial":2,"lineage":"7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f","outputs":{},"resources":[
{"mode":"managed","type":"time_static","name":"s","provider":"provider[\"registry.terraform.io/hashicorp/time\"]","instances":[{"schema_version":0,"attributes":{"day":12,"hour":6,"id":"2020-02-12T06:36:13Z","minute":36,"month":2,"rfc3339":"2020-02-12T06:36:13Z","second":13,"triggers":null,"unix":1581489373,"year":2020},"sensitive_attributes":[]}]},
{"mode":"managed","type":"time_offset","name":"o","provider":"provider[\"registry.terraform.io/hashicorp/time\"]","instances":[{"schema_version":0,"attributes":{"base_rfc3339":"2020-02-12T06:36:13Z","day":13,"hour":6,"id":"2020-02-12T06:36:13Z","minute":36,"month":2,"offset_days":1,"offset_hours":null,"offset_minutes":null,"offset_months":null,"offset_seconds":null,"offset_years":null,"rfc3339":"2020-02-13T06:36:13Z","second":13,"triggers":null,"unix":1581575773,"year":2020},"sensitive_attributes":[]}]}
],"check_results":null}"#,
    );
    w.ok(&["init"]);
    let (code, out, err) = w.run(&["plan", "-detailed-exitcode"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn utility_time_sleep_ends_on_ctrl_c() {
    let w = Work::new("resource \"time_sleep\" \"s\" {\n  create_duration = \"1h\"\n}\n");
    w.ok(&["init"]);
    let mut child =
        w.std_cmd(&["apply", "-auto-approve"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let sent = Instant::now();
    // SAFETY: sending a signal to a child process we own.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    while child.try_wait().unwrap().is_none() {
        if sent.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("the sleep went on after Ctrl-C");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("Create time sleep error") && err.contains("context canceled"), "{err}");
    assert!(w.addresses().is_empty(), "a stopped sleep is not recorded");
}

#[test]
fn utility_time_functions_are_called_through_the_binary() {
    let w = Work::new(
        r#"
terraform {
  required_providers {
    time = { source = "hashicorp/time" }
  }
}
# terrane instantiates a provider for its provider blocks and resources only (Terraform also
# for required_providers alone), so a resource of it is here.
resource "time_static" "t" {}
output "unix" { value = provider::time::rfc3339_parse("2023-07-25T23:43:16Z").unix }
output "weekday" { value = provider::time::unix_timestamp_parse(1690328596).weekday_name }
output "minutes" { value = provider::time::duration_parse("1h").minutes }
"#,
    );
    w.ok(&["init"]);
    w.ok(&["apply", "-auto-approve"]);
    let s = w.state();
    // The plugin's function tests' values.
    assert_eq!(s["outputs"]["unix"]["value"], 1690328596);
    assert_eq!(s["outputs"]["weekday"]["value"], "Tuesday");
    assert_eq!(s["outputs"]["minutes"]["value"], 60);
    w.write("bad.tf", "output \"bad\" { value = provider::time::duration_parse(\"abcdef\") }\n");
    let (code, out, err) = w.run(&["plan"]);
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("\"abcdef\" is not a valid duration string"), "{err}");
}
