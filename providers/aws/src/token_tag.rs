//! Taking the token tag ([`crate::tags::TOKEN_TAG`]) off objects once the state records
//! them: each tagging resource type declares where its objects keep tags ([`TokenTag`]), and
//! the untagging for every kind is here, batched where the API allows (EC2's DeleteTags takes
//! many IDs, ELBv2's RemoveTags 20 ARNs), one call per object elsewhere, eight at a time.

use crate::errors::sdk_error;
use crate::resource::{Ctx, Result};
use crate::tags::TOKEN_TAG;
use crate::val;
use futures::stream::{self, StreamExt, TryStreamExt};
use terrane_engine::value::Value;

/// Where a resource type's objects keep their tags, and so how the token tag comes off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenTag {
    /// An EC2 object, by the ID in this attribute.
    Ec2(&'static str),
    /// By the `arn` attribute, through the service's own tagging call.
    Rds,
    ElastiCache,
    Elbv2,
    Acm,
    Logs,
    /// By the `id` attribute (the role's or the profile's name, the key's ID).
    IamRole,
    IamInstanceProfile,
    Kms,
}

/// DeleteTags takes up to 1,000 IDs; AWS advises smaller batches.
const EC2_BATCH: usize = 200;
/// RemoveTags takes up to 20 ARNs.
const ELBV2_BATCH: usize = 20;
const AT_ONCE: usize = 8;

/// Takes the token tag off `objects` (values as recorded), where `kind` says they keep it.
pub async fn remove(c: &Ctx<'_>, kind: TokenTag, objects: &[Value]) -> Result<()> {
    let attr = match kind {
        TokenTag::Ec2(attr) => attr,
        TokenTag::IamRole | TokenTag::IamInstanceProfile | TokenTag::Kms => "id",
        _ => "arn",
    };
    let mut ids: Vec<String> = objects.iter().filter_map(|o| val::string(o, attr)).filter(|s| !s.is_empty()).collect();
    ids.sort();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    match kind {
        TokenTag::Ec2(_) => {
            for batch in ids.chunks(EC2_BATCH) {
                ec2_untag(c, batch).await?;
            }
            Ok(())
        }
        TokenTag::Elbv2 => {
            for batch in ids.chunks(ELBV2_BATCH) {
                elbv2_untag(c, batch).await?;
            }
            Ok(())
        }
        _ => {
            let each = stream::iter(ids).map(|id| async move { untag_one(c, kind, &id).await });
            each.buffer_unordered(AT_ONCE).try_collect::<Vec<()>>().await.map(drop)
        }
    }
}

fn keys() -> Option<Vec<String>> {
    Some(vec![TOKEN_TAG.to_string()])
}

async fn ec2_untag(c: &Ctx<'_>, ids: &[String]) -> Result<()> {
    let tag = aws_sdk_ec2::types::Tag::builder().key(TOKEN_TAG).build();
    let req = c.clients.ec2.delete_tags().set_resources(Some(ids.to_vec())).tags(tag);
    req.send().await.map(drop).map_err(|e| sdk_error(&format!("removing the token tag of {}", ids.join(", ")), e))
}

async fn elbv2_untag(c: &Ctx<'_>, arns: &[String]) -> Result<()> {
    let req = c.clients.elbv2.remove_tags().set_resource_arns(Some(arns.to_vec())).set_tag_keys(keys());
    req.send().await.map(drop).map_err(|e| sdk_error(&format!("removing the token tag of {}", arns.join(", ")), e))
}

/// One object's token tag, through its service's tagging call.
async fn untag_one(c: &Ctx<'_>, kind: TokenTag, id: &str) -> Result<()> {
    let doing = format!("removing the token tag of {id}");
    match kind {
        TokenTag::Ec2(_) => ec2_untag(c, &[id.to_string()]).await,
        TokenTag::Elbv2 => elbv2_untag(c, &[id.to_string()]).await,
        TokenTag::Rds => {
            let req = c.clients.rds.remove_tags_from_resource().resource_name(id).set_tag_keys(keys());
            req.send().await.map(drop).map_err(|e| sdk_error(&doing, e))
        }
        TokenTag::ElastiCache => {
            let req = c.clients.elasticache.remove_tags_from_resource().resource_name(id).set_tag_keys(keys());
            req.send().await.map(drop).map_err(|e| sdk_error(&doing, e))
        }
        TokenTag::Acm => {
            let tag = aws_sdk_acm::types::Tag::builder()
                .key(TOKEN_TAG)
                .build()
                .map_err(|e| terrane_engine::provider::ProviderError::new(e.to_string()))?;
            let req = c.clients.acm.remove_tags_from_certificate().certificate_arn(id).tags(tag);
            req.send().await.map(drop).map_err(|e| sdk_error(&doing, e))
        }
        TokenTag::Logs => {
            let req = c.clients.logs.untag_resource().resource_arn(id.trim_end_matches(":*")).set_tag_keys(keys());
            req.send().await.map(drop).map_err(|e| sdk_error(&doing, e))
        }
        TokenTag::IamRole => {
            let req = c.clients.iam.untag_role().role_name(id).set_tag_keys(keys());
            req.send().await.map(drop).map_err(|e| sdk_error(&doing, e))
        }
        TokenTag::IamInstanceProfile => {
            let req = c.clients.iam.untag_instance_profile().instance_profile_name(id).set_tag_keys(keys());
            req.send().await.map(drop).map_err(|e| sdk_error(&doing, e))
        }
        TokenTag::Kms => {
            let req = c.clients.kms.untag_resource().key_id(id).set_tag_keys(keys());
            req.send().await.map(drop).map_err(|e| sdk_error(&doing, e))
        }
    }
}
