//! hashicorp/aws v6's per-resource `region` argument against moto: an object that names a
//! Region lives there (created, read, updated and deleted through that Region's clients, read
//! in one batch per Region), one that names none lives in the provider's, naming the
//! provider's own Region moves nothing, and another Region replaces the object.

mod support;

use support::{Harness, MOTO, actions, assert_no_changes, http_client, logs, unique};
use terrane_engine::plan::Action;
use terrane_engine::value::Value;

/// A CloudWatch Logs client on moto in `region`.
fn logs_in(region: &str) -> aws_sdk_cloudwatchlogs::Client {
    let conf = aws_sdk_cloudwatchlogs::config::Builder::new()
        .behavior_version(aws_sdk_cloudwatchlogs::config::BehaviorVersion::latest())
        .region(aws_sdk_cloudwatchlogs::config::Region::new(region.to_string()))
        .endpoint_url(MOTO)
        .credentials_provider(aws_credential_types::Credentials::new("testing", "testing", None, None, "test"))
        .http_client(http_client())
        .build();
    aws_sdk_cloudwatchlogs::Client::from_conf(conf)
}

async fn groups(client: &aws_sdk_cloudwatchlogs::Client, prefix: &str) -> Vec<(String, Option<i32>)> {
    let out = client.describe_log_groups().log_group_name_prefix(prefix).send().await.unwrap();
    out.log_groups().iter().map(|g| (g.log_group_name().unwrap().to_string(), g.retention_in_days())).collect()
}

fn config(name: &str, far: &str, near_region: &str, days: i64) -> String {
    format!(
        r#"
resource "aws_cloudwatch_log_group" "far" {{
  name              = "{name}-far"
  region            = "{far}"
  retention_in_days = {days}
}}

resource "aws_cloudwatch_log_group" "near" {{
  name = "{name}-near"
  {near_region}
}}
"#
    )
}

#[tokio::test]
async fn objects_live_in_the_region_they_name() {
    let h = Harness::new();
    let name = unique("/terrane/region");
    let src = config(&name, "us-east-1", "", 7);
    let state = h.apply(&src).await;
    assert_eq!(h.attr(&state, "aws_cloudwatch_log_group.far", "region"), Value::from("us-east-1"));
    assert!(h.attr(&state, "aws_cloudwatch_log_group.near", "region").is_null(), "not set, not recorded");
    assert!(h.str_attr(&state, "aws_cloudwatch_log_group.far", "arn").contains(":us-east-1:"));

    let east = logs_in("us-east-1");
    assert_eq!(groups(&east, &name).await, vec![(format!("{name}-far"), Some(7))]);
    assert_eq!(groups(&logs().await, &name).await, vec![(format!("{name}-near"), None)], "eu-west-1 has only near");

    // A refresh reads each group in its own Region: no drift, no change.
    let p = h.plan(&src).await;
    assert!(p.drift.is_empty(), "{:?}", p.drift.iter().map(|c| c.addr.to_string()).collect::<Vec<_>>());
    assert_no_changes(&p);

    // Updated in its Region.
    let src = config(&name, "us-east-1", "", 14);
    let state = h.apply(&src).await;
    assert_eq!(groups(&east, &name).await, vec![(format!("{name}-far"), Some(14))]);
    assert_eq!(h.attr(&state, "aws_cloudwatch_log_group.far", "retention_in_days"), Value::from(14i64));

    // Naming the provider's own Region moves nothing.
    let named = config(&name, "us-east-1", "region = \"eu-west-1\"", 14);
    assert_no_changes(&h.plan(&named).await);

    // Another Region replaces the object: made there, gone from here.
    let moved = config(&name, "us-west-2", "", 14);
    let p = h.plan(&moved).await;
    let change = p.changes.iter().find(|c| c.addr.to_string() == "aws_cloudwatch_log_group.far").unwrap();
    assert!(matches!(change.action, Action::DeleteThenCreate | Action::CreateThenDelete), "{:?}", change.action);
    assert_eq!(actions(&p).len(), 1, "{:?}", actions(&p));
    h.apply(&moved).await;
    assert!(groups(&east, &name).await.is_empty());
    assert_eq!(groups(&logs_in("us-west-2"), &name).await, vec![(format!("{name}-far"), Some(14))]);

    let state = h.destroy(&moved).await;
    assert!(state.resources.is_empty());
    assert!(groups(&logs_in("us-west-2"), &name).await.is_empty());
    assert!(groups(&logs().await, &name).await.is_empty());
}
