//! `aws_iam_role_policy`: an inline policy of a role. ID `role:name`, as in Terraform.

use crate::errors::{is_not_found, sdk_error};
use crate::iam::PROPAGATION;
use crate::plan::{keep_computed, validate_name};
use crate::policy::{normalize_policy, plan_policy, policy_to_set, url_decode, validate_policy};
use crate::resource::{Ctx, ResourceType, Result};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct IamRolePolicy;

/// An `aws_iam_role_policy` object.
#[derive(Model, Clone, Debug, Default)]
struct RolePolicy {
    #[model(computed)]
    id: Option<String>,
    #[model(optional, computed, force_new)]
    name: Option<String>,
    #[model(optional, computed, force_new)]
    name_prefix: Option<String>,
    #[model(required)]
    policy: String,
    #[model(required, force_new)]
    role: String,
}

/// `role:name` split at the first colon (role names cannot hold one).
fn parse_id(id: &str) -> Result<(String, String)> {
    match id.split_once(':') {
        Some((role, name)) if !role.is_empty() && !name.is_empty() => Ok((role.to_string(), name.to_string())),
        _ => Err(ProviderError::new(format!(
            "invalid aws_iam_role_policy ID {id:?}: expected <role name>:<policy name>"
        ))),
    }
}

async fn get_policy(c: &Ctx<'_>, role: &str, name: &str) -> Result<Option<String>> {
    match c.clients.iam.get_role_policy().role_name(role).policy_name(name).send().await {
        Ok(out) => Ok(Some(url_decode(out.policy_document()))),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(sdk_error(&format!("reading inline policy {name} of IAM role {role}"), e)),
    }
}

/// The policy as a read returns it: the document as `cur` stores it while it means the same.
fn policy_value(role: &str, name: &str, document: &str, cur: &Value) -> Result<Value> {
    // A stub (an import's, or a create's partial state) has no policy yet.
    let stored = Some(RolePolicy::from_stub(cur)?.policy).filter(|p| !p.is_empty());
    Ok(RolePolicy {
        id: Some(format!("{role}:{name}")),
        name: Some(name.to_string()),
        name_prefix: crate::resource::prefix_of(None, name),
        policy: policy_to_set(stored.as_deref(), document, true),
        role: role.to_string(),
    }
    .to_value())
}

async fn put(c: &Ctx<'_>, role: &str, name: &str, policy: &str) -> Result<()> {
    c.clients
        .iam
        .put_role_policy()
        .role_name(role)
        .policy_name(name)
        .policy_document(normalize_policy(policy).unwrap_or_else(|| policy.to_string()))
        .send()
        .await
        .map_err(|e| sdk_error(&format!("putting inline policy {name} of IAM role {role}"), e))?;
    Ok(())
}

async fn read_new(c: &Ctx<'_>, role: &str, name: &str, like: &Value) -> Result<Value> {
    let doc = wait_for(&format!("inline policy {name} of IAM role {role} to be readable"), PROPAGATION, || async {
        Ok(match get_policy(c, role, name).await? {
            Some(d) => Poll::Done(d),
            None => Poll::Pending("not found yet".into()),
        })
    })
    .await?;
    policy_value(role, name, &doc, like)
}

impl RolePolicy {
    /// The name a create gives the policy: `name`, else `name_prefix` (or `terraform-`) and a
    /// unique suffix.
    fn created_name(&self, c: &Ctx<'_>) -> String {
        c.name_or_prefix(self.name.as_deref(), self.name_prefix.as_deref(), "terraform-")
    }
}

#[async_trait]
impl ResourceType for IamRolePolicy {
    fn name(&self) -> &'static str {
        "aws_iam_role_policy"
    }

    fn schema(&self) -> Schema {
        RolePolicy::schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = validate_name(config, 128, 128 - 26);
        out.extend(validate_policy(config, "policy"));
        out
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        keep_computed(prior, config, plan, &["name_prefix"]);
        plan_policy(prior, plan, "policy", true);
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let typed = RolePolicy::from_value(planned)?;
        let name = typed.created_name(c);
        let RolePolicy { role, policy, .. } = typed;
        put(c, &role, &name, &policy).await?;
        let partial = || {
            RolePolicy {
                id: Some(format!("{role}:{name}")),
                name: Some(name.clone()),
                role: role.clone(),
                ..RolePolicy::default()
            }
            .to_value()
        };
        read_new(c, &role, &name, planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by its natural key, role and policy name (an inline policy has no tags; the name
    /// may be made from `name_prefix` and the token). PutRolePolicy is an upsert, so this
    /// only saves a second identical put.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let wanted = RolePolicy::from_stub(planned)?;
        if wanted.role.is_empty() {
            return Ok(None);
        }
        let (role, name) = (&wanted.role, wanted.created_name(c));
        crate::resource::find_named(self, c, crate::resource::with_id(planned, &format!("{role}:{name}")), false).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        crate::resource::read_each(current, |cur| async move {
            let (role, name) = parse_id(&crate::val::id(&cur))?;
            get_policy(c, &role, &name).await?.map(|doc| policy_value(&role, &name, &doc, &cur)).transpose()
        })
        .await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior_policy, policy) = (RolePolicy::from_stub(prior)?, RolePolicy::from_value(planned)?);
        let (role, name) = parse_id(prior_policy.id.as_deref().unwrap_or_default())?;
        if prior_policy.policy != policy.policy {
            put(c, &role, &name, &policy.policy).await?;
        }
        read_new(c, &role, &name, planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let (role, name) = parse_id(&crate::val::id(prior))?;
        match c.clients.iam.delete_role_policy().role_name(&role).policy_name(&name).send().await {
            Ok(_) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(sdk_error(&format!("deleting inline policy {name} of IAM role {role}"), e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_split_at_the_first_colon() {
        assert_eq!(parse_id("web:read-s3").unwrap(), ("web".to_string(), "read-s3".to_string()));
        assert_eq!(parse_id("web:a:b").unwrap(), ("web".to_string(), "a:b".to_string()));
        assert!(parse_id("web").is_err());
    }
}
