//! ELBv2 helpers shared by the load balancer, target group, listener and attachment: tags for
//! up to 20 objects per DescribeTags (a page naming an object that is gone is retried ARN by
//! ARN, [`crate::describe::describe_by_arn`]), tag updates, attributes, ARN suffixes.

use crate::describe::{describe_by_arn, split_err};
use crate::errors::sdk_error;
use crate::resource::{Ctx, Result};
use aws_sdk_elasticloadbalancingv2::types::Tag;
use std::collections::{BTreeMap, HashMap};

/// The most ARNs one ELBv2 Describe call (and DescribeTags) takes.
pub const PAGE: usize = 20;

/// The tags of ELBv2 objects (load balancers, target groups, listeners), by ARN.
pub async fn describe_tags(c: &Ctx<'_>, arns: &[String]) -> Result<HashMap<String, BTreeMap<String, String>>> {
    let descriptions = describe_by_arn(arns, PAGE, |page| async move {
        c.clients
            .elbv2
            .describe_tags()
            .set_resource_arns(Some(page))
            .send()
            .await
            .map(|o| o.tag_descriptions().to_vec())
            .map_err(|e| split_err("reading ELBv2 tags", e))
    })
    .await?;
    Ok(descriptions.into_iter().filter_map(|d| Some((d.resource_arn()?.to_string(), tag_map(d.tags())))).collect())
}

/// ELBv2 tags as a map.
pub fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter().filter_map(|t| Some((t.key()?.to_string(), t.value().unwrap_or_default().to_string()))).collect()
}

/// Tags as ELBv2 takes them (none for an empty map).
pub fn elb_tags(m: &BTreeMap<String, String>) -> Option<Vec<Tag>> {
    (!m.is_empty()).then(|| m.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect())
}

/// Brings an ELBv2 object's tags from `old` to `new` with RemoveTags and AddTags.
pub async fn update_tags(
    c: &Ctx<'_>,
    arn: &str,
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Result<()> {
    let elb = &c.clients.elbv2;
    crate::tags::update(
        old,
        new,
        async |keys| {
            let req = elb.remove_tags().resource_arns(arn).set_tag_keys(Some(keys));
            req.send().await.map(drop).map_err(|e| sdk_error(&format!("removing tags of {arn}"), e))
        },
        async |set| {
            let req = elb.add_tags().resource_arns(arn).set_tags(elb_tags(&set));
            req.send().await.map(drop).map_err(|e| sdk_error(&format!("tagging {arn}"), e))
        },
    )
    .await
}

/// Attributes (`Key`/`Value` lists) as a map.
pub fn attribute_map<'a>(
    pairs: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>)>,
) -> HashMap<String, String> {
    pairs.into_iter().filter_map(|(k, v)| Some((k?.to_string(), v.unwrap_or_default().to_string()))).collect()
}

/// The part of an ARN after `marker` (`loadbalancer/` gives `app/web/50dc6c495c0c9188`).
pub fn arn_after(arn: &str, marker: &str) -> String {
    arn.split_once(marker).map(|(_, rest)| rest.to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_suffixes() {
        let arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";
        assert_eq!(arn_after(arn, ":loadbalancer/"), "app/web/50dc6c495c0c9188");
        assert_eq!(arn_after("nonsense", ":loadbalancer/"), "");
    }
}
