//! The tags of many log groups are refreshed in bulk, through the Resource Groups Tagging API
//! (GetResources with up to 100 ARNs), not one ListTagsForResource per group; without the
//! permission for it (tag:GetResources), group by group as before. Calls are counted by a
//! proxy in front of moto, so the counts are this test's alone.

mod support;

use support::fault_proxy::{Fault, FaultProxy};
use support::{Harness, provider_block_at, unique};
use terrane_engine::value::{Type, Value};

fn log_groups(tag: &str, n: usize, env: &str) -> String {
    format!(
        r#"
resource "aws_cloudwatch_log_group" "app" {{
  count = {n}
  name  = "/{tag}/app-${{count.index}}"
  tags = {{
    env  = "{env}"
    app  = "app-${{count.index}}"
  }}
}}

resource "aws_cloudwatch_log_group" "untagged" {{
  name = "/{tag}/untagged"
}}
"#
    )
}

#[tokio::test]
async fn many_log_groups_have_their_tags_read_in_one_call() {
    let proxy = FaultProxy::start().await;
    let mut h = Harness::new();
    h.provider = provider_block_at(&proxy.url, "");
    let tag = unique("lgtags");
    let src = log_groups(&tag, 12, "a");
    h.apply(&src).await;

    // Drift behind terrane's back: one group's tag changed.
    let logs = support::logs().await;
    let arn = |i: usize| format!("arn:aws:logs:eu-west-1:123456789012:log-group:/{tag}/app-{i}");
    logs.tag_resource().resource_arn(arn(3)).tags("env", "drifted").send().await.unwrap();

    proxy.reset();
    let p = h.plan(&src).await;
    assert_eq!(proxy.count("GetResources"), 1, "{:?}", proxy.counts());
    assert_eq!(proxy.count("ListTagsForResource"), 0, "{:?}", proxy.counts());
    let drift: Vec<String> = p.drift.iter().map(|c| c.addr.to_string()).collect();
    assert_eq!(drift, vec!["aws_cloudwatch_log_group.app[3]"], "only the drifted group");

    let state = h.apply(&src).await;
    support::assert_no_changes(&h.plan(&src).await);
    let tags = h.attr(&state, "aws_cloudwatch_log_group.app[7]", "tags");
    assert_eq!(tags.get_attr("app"), Some(&Value::from("app-7")));
    assert_eq!(h.attr(&state, "aws_cloudwatch_log_group.untagged", "tags"), Value::null(Type::map(Type::String)));
    h.destroy(&src).await;
}

#[tokio::test]
async fn without_the_tagging_permission_tags_are_read_group_by_group() {
    let proxy = FaultProxy::start().await;
    let mut h = Harness::new();
    h.provider = provider_block_at(&proxy.url, "");
    let tag = unique("lgtags-denied");
    let src = log_groups(&tag, 6, "a");
    h.apply(&src).await;

    proxy.reset();
    proxy.always("GetResources", Fault::Denied);
    support::assert_no_changes(&h.plan(&src).await);
    assert_eq!(proxy.count("GetResources"), 1, "asked once, not retried: {:?}", proxy.counts());
    assert_eq!(proxy.count("ListTagsForResource"), 7, "{:?}", proxy.counts());

    // A tag change is still seen.
    let changed = log_groups(&tag, 6, "b");
    let state = h.apply(&changed).await;
    assert_eq!(h.attr(&state, "aws_cloudwatch_log_group.app[5]", "tags").get_attr("env"), Some(&Value::from("b")));
    support::assert_no_changes(&h.plan(&changed).await);
    proxy.clear();
    h.destroy(&changed).await;
}
