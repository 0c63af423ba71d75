//! `aws_iam_role`: the role the swarm nodes run as (through `aws_iam_instance_profile`).

use crate::delete::retry_while_in_use;
use crate::errors::{code, is_not_found, sdk_error};
use crate::iam::{PROPAGATION, iam_tag_map, iam_tags};
use crate::model::Tags;
use crate::plan::{keep_computed, validate_name};
use crate::policy::{normalize_json, plan_policy, policy_to_set, url_decode, validate_policy};
use crate::resource::{Ctx, Refused, ResourceType, Result, invalid};
use crate::val::{self, rfc3339};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use std::collections::BTreeSet;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::PlanResponse;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct IamRole;

/// An `aws_iam_role` object.
#[derive(Model, Clone, Debug, Default)]
struct Role {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(optional, computed, force_new)]
    name: Option<String>,
    #[model(optional, computed, force_new)]
    name_prefix: Option<String>,
    #[model(required)]
    assume_role_policy: String,
    #[model(optional)]
    description: Option<String>,
    #[model(optional, default = "/", force_new)]
    path: String,
    #[model(optional, default = 3600i64)]
    max_session_duration: i64,
    #[model(optional)]
    permissions_boundary: Option<String>,
    #[model(optional, default = false)]
    force_detach_policies: bool,
    #[model(computed)]
    create_date: Option<String>,
    #[model(computed)]
    unique_id: Option<String>,
    // Exclusive management of the role's policies, deprecated by hashicorp/aws: declared
    // (Terraform's state records them), refused, not read (see `REFUSED`).
    #[model(optional, computed)]
    managed_policy_arns: Option<BTreeSet<String>>,
    #[model(block = "set", computed)]
    inline_policy: Vec<InlinePolicy>,
    #[model(flatten)]
    tags: Tags,
}

#[derive(Model, Clone, Debug, Default)]
struct InlinePolicy {
    #[model(optional)]
    name: Option<String>,
    #[model(optional)]
    policy: Option<String>,
}

const EXCLUSIVE: &str = "hashicorp/aws deprecated managing a role's policies exclusively on the role in favour of aws_iam_role_policy and aws_iam_role_policy_attachment, which terrane supports; it keeps what a state Terraform wrote records for it, but does not read or change it.";

static REFUSED: &[Refused] =
    &[Refused { name: "inline_policy", why: EXCLUSIVE }, Refused { name: "managed_policy_arns", why: EXCLUSIVE }];

// ---------------------------------------------------------------------------------------------
// Shared helpers.
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// The resource.
// ---------------------------------------------------------------------------------------------

async fn get_role(c: &Ctx<'_>, name: &str) -> Result<Option<aws_sdk_iam::types::Role>> {
    match c.clients.iam.get_role().role_name(name).send().await {
        Ok(out) => Ok(out.role().cloned()),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(sdk_error(&format!("reading IAM role {name}"), e)),
    }
}

fn role_value(c: &Ctx<'_>, r: &aws_sdk_iam::types::Role, cur: &Role) -> Value {
    let policy = r.assume_role_policy_document().map(url_decode).unwrap_or_default();
    Role {
        id: Some(r.role_name().to_string()),
        arn: Some(r.arn().to_string()),
        name: Some(r.role_name().to_string()),
        name_prefix: crate::resource::prefix_of(None, r.role_name()),
        assume_role_policy: policy_to_set(
            Some(cur.assume_role_policy.as_str()).filter(|p| !p.is_empty()),
            &policy,
            false,
        ),
        description: r.description().filter(|d| !d.is_empty()).map(str::to_string),
        path: r.path().to_string(),
        max_session_duration: i64::from(r.max_session_duration().unwrap_or(3600)),
        permissions_boundary: r.permissions_boundary().and_then(|b| b.permissions_boundary_arn()).map(str::to_string),
        force_detach_policies: cur.force_detach_policies,
        create_date: Some(rfc3339(r.create_date())),
        unique_id: Some(r.role_id().to_string()),
        managed_policy_arns: cur.managed_policy_arns.clone(),
        inline_policy: cur.inline_policy.clone(),
        tags: cur.tags.read_back(c, &iam_tag_map(r.tags())),
    }
    .to_value()
}

impl IamRole {
    /// Reads a role just written, waiting out IAM's eventual consistency.
    async fn read_new(&self, c: &Ctx<'_>, name: &str, like: &Role) -> Result<Value> {
        let role = wait_for(&format!("IAM role {name} to be readable"), PROPAGATION, || async {
            Ok(match get_role(c, name).await? {
                Some(r) => Poll::Done(r),
                None => Poll::Pending("not found yet".into()),
            })
        })
        .await?;
        Ok(role_value(c, &role, like))
    }
}

impl Role {
    /// The name a create gives the role: `name`, else `name_prefix` (or `terraform-`) and a
    /// unique suffix.
    fn created_name(&self, c: &Ctx<'_>) -> String {
        c.name_or_prefix(self.name.as_deref(), self.name_prefix.as_deref(), "terraform-")
    }
}

#[async_trait]
impl ResourceType for IamRole {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::IamRole)
    }

    fn name(&self) -> &'static str {
        "aws_iam_role"
    }

    fn schema(&self) -> Schema {
        Role::schema()
    }

    fn refused(&self) -> &'static [Refused] {
        REFUSED
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = validate_name(config, 64, 64 - 26);
        out.extend(validate_policy(config, "assume_role_policy"));
        if let Some(d) = val::number(config, "max_session_duration").filter(|d| !(3600.0..=43200.0).contains(d)) {
            out.push(invalid(
                "Invalid max_session_duration",
                format!("max_session_duration must be between 3600 and 43200 seconds, got {d}."),
            ));
        }
        if val::string(config, "description").is_some_and(|d| d.chars().count() > 1000) {
            out.push(invalid("Invalid description", "description must be at most 1000 characters."));
        }
        out
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        keep_computed(prior, config, plan, &["name_prefix"]);
        plan_policy(prior, plan, "assume_role_policy", false);
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = Role::from_value(planned)?;
        let name = planned.created_name(c);
        let policy = &planned.assume_role_policy;
        let tags = planned.tags.at_create(c);
        let mut req = c
            .clients
            .iam
            .create_role()
            .role_name(&name)
            .path(&planned.path)
            .assume_role_policy_document(normalize_json(policy).unwrap_or_else(|| policy.clone()))
            .set_description(planned.description.clone())
            .max_session_duration(planned.max_session_duration as i32)
            .set_permissions_boundary(planned.permissions_boundary.clone());
        if !tags.is_empty() {
            req = req.set_tags(Some(iam_tags(&tags)?));
        }
        req.send().await.map_err(|e| sdk_error(&format!("creating IAM role {name}"), e))?;
        let partial = || Role { id: Some(name.clone()), name: Some(name.clone()), ..Role::default() }.to_value();
        self.read_new(c, &name, &planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by its name (configured, or made from `name_prefix` and the token), carrying the
    /// token tag CreateRole gave it.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let name = Role::from_stub(planned)?.created_name(c);
        crate::resource::find_named(self, c, crate::resource::with_id(planned, &name), true).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        crate::resource::read_each(current, |cur| async move {
            let cur = Role::from_stub(&cur)?;
            let name = cur.id.clone().unwrap_or_default();
            Ok(get_role(c, &name).await?.map(|r| role_value(c, &r, &cur)))
        })
        .await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (Role::from_stub(prior)?, Role::from_value(planned)?);
        let name = prior.id.clone().unwrap_or_default();
        let iam = &c.clients.iam;
        if prior.assume_role_policy != planned.assume_role_policy {
            let policy = &planned.assume_role_policy;
            iam.update_assume_role_policy()
                .role_name(&name)
                .policy_document(normalize_json(policy).unwrap_or_else(|| policy.clone()))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating the assume role policy of IAM role {name}"), e))?;
        }
        if prior.description != planned.description {
            iam.update_role_description()
                .role_name(&name)
                .description(planned.description.clone().unwrap_or_default())
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating the description of IAM role {name}"), e))?;
        }
        if prior.max_session_duration != planned.max_session_duration {
            // The description is sent again: UpdateRole without one clears it on some
            // implementations (moto).
            iam.update_role()
                .role_name(&name)
                .max_session_duration(planned.max_session_duration as i32)
                .set_description(planned.description.clone())
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating max_session_duration of IAM role {name}"), e))?;
        }
        if prior.permissions_boundary != planned.permissions_boundary {
            match &planned.permissions_boundary {
                Some(b) => {
                    iam.put_role_permissions_boundary()
                        .role_name(&name)
                        .permissions_boundary(b)
                        .send()
                        .await
                        .map_err(|e| sdk_error(&format!("setting the permissions boundary of IAM role {name}"), e))?;
                }
                None => {
                    iam.delete_role_permissions_boundary()
                        .role_name(&name)
                        .send()
                        .await
                        .map_err(|e| sdk_error(&format!("removing the permissions boundary of IAM role {name}"), e))?;
                }
            }
        }
        crate::tags::update(
            &prior.tags.wanted(),
            &planned.tags.wanted(),
            async |keys| {
                let req = iam.untag_role().role_name(&name).set_tag_keys(Some(keys));
                req.send().await.map(drop).map_err(|e| sdk_error(&format!("removing tags of IAM role {name}"), e))
            },
            async |set| {
                let req = iam.tag_role().role_name(&name).set_tags(Some(iam_tags(&set)?));
                req.send().await.map(drop).map_err(|e| sdk_error(&format!("tagging IAM role {name}"), e))
            },
        )
        .await?;
        self.read_new(c, &name, &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let prior = Role::from_stub(prior)?;
        let name = prior.id.clone().unwrap_or_default();
        let iam = &c.clients.iam;
        // As Terraform does: the role leaves its instance profiles first; with
        // force_detach_policies, its managed and inline policies go too.
        let profiles: Vec<String> = match iam.list_instance_profiles_for_role().role_name(&name).send().await {
            Ok(out) => out.instance_profiles().iter().map(|p| p.instance_profile_name().to_string()).collect(),
            Err(e) if is_not_found(&e) => return Ok(()),
            Err(e) => return Err(sdk_error(&format!("listing the instance profiles of IAM role {name}"), e)),
        };
        for p in profiles {
            match iam.remove_role_from_instance_profile().instance_profile_name(&p).role_name(&name).send().await {
                Ok(_) => {}
                Err(e) if is_not_found(&e) => {}
                Err(e) => return Err(sdk_error(&format!("removing IAM role {name} from instance profile {p}"), e)),
            }
        }
        if prior.force_detach_policies {
            let attached = iam
                .list_attached_role_policies()
                .role_name(&name)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("listing the policies attached to IAM role {name}"), e))?;
            for p in attached.attached_policies() {
                let Some(arn) = p.policy_arn() else { continue };
                match iam.detach_role_policy().role_name(&name).policy_arn(arn).send().await {
                    Ok(_) => {}
                    Err(e) if is_not_found(&e) => {}
                    Err(e) => return Err(sdk_error(&format!("detaching {arn} from IAM role {name}"), e)),
                }
            }
            let inline = iam
                .list_role_policies()
                .role_name(&name)
                .send()
                .await
                .map_err(|e| sdk_error(&format!("listing the inline policies of IAM role {name}"), e))?;
            for p in inline.policy_names() {
                match iam.delete_role_policy().role_name(&name).policy_name(p).send().await {
                    Ok(_) => {}
                    Err(e) if is_not_found(&e) => {}
                    Err(e) => return Err(sdk_error(&format!("deleting inline policy {p} of IAM role {name}"), e)),
                }
            }
        }
        retry_while_in_use(
            &format!("IAM role {name} to be deleted"),
            PROPAGATION,
            &format!("deleting IAM role {name}"),
            |e| (code(e) == Some("DeleteConflict")).then(|| crate::errors::describe("still in use", e)),
            || iam.delete_role().role_name(&name).send(),
        )
        .await
    }
}
