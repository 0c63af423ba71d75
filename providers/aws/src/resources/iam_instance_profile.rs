//! `aws_iam_instance_profile`: how the swarm nodes (EC2 instances) get their IAM role.

use crate::errors::{code, is_not_found, sdk_error};
use crate::iam::{PROPAGATION, iam_tag_map, iam_tags};
use crate::model::Tags;
use crate::plan::{keep_computed, validate_name};
use crate::resource::{Ctx, ResourceType, Result};
use crate::val::rfc3339;
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::PlanResponse;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct IamInstanceProfile;

/// An `aws_iam_instance_profile` object.
#[derive(Model, Clone, Debug, Default)]
struct Profile {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(optional, computed, force_new)]
    name: Option<String>,
    #[model(optional, computed, force_new)]
    name_prefix: Option<String>,
    #[model(optional, default = "/", force_new)]
    path: String,
    #[model(optional)]
    role: Option<String>,
    #[model(computed)]
    create_date: Option<String>,
    #[model(computed)]
    unique_id: Option<String>,
    #[model(flatten)]
    tags: Tags,
}

async fn get_profile(c: &Ctx<'_>, name: &str) -> Result<Option<aws_sdk_iam::types::InstanceProfile>> {
    match c.clients.iam.get_instance_profile().instance_profile_name(name).send().await {
        Ok(out) => Ok(out.instance_profile().cloned()),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(sdk_error(&format!("reading IAM instance profile {name}"), e)),
    }
}

fn profile_value(c: &Ctx<'_>, p: &aws_sdk_iam::types::InstanceProfile, cur: &Profile) -> Value {
    let name = p.instance_profile_name();
    Profile {
        id: Some(name.to_string()),
        arn: Some(p.arn().to_string()),
        name: Some(name.to_string()),
        name_prefix: crate::resource::prefix_of(None, name),
        path: p.path().to_string(),
        role: p.roles().first().map(|r| r.role_name().to_string()),
        create_date: Some(rfc3339(p.create_date())),
        unique_id: Some(p.instance_profile_id().to_string()),
        // GetInstanceProfile carries the tags (ListInstanceProfileTags is not needed).
        tags: cur.tags.read_back(c, &iam_tag_map(p.tags())),
    }
    .to_value()
}

async fn add_role(c: &Ctx<'_>, profile: &str, role: &str) -> Result<()> {
    // A role just created may not be visible yet: retry while IAM says it does not exist.
    wait_for(&format!("IAM role {role} to be added to instance profile {profile}"), PROPAGATION, || async {
        match c.clients.iam.add_role_to_instance_profile().instance_profile_name(profile).role_name(role).send().await {
            Ok(_) => Ok(Poll::Done(())),
            Err(e) if code(&e) == Some("NoSuchEntity") => {
                Ok(Poll::Pending(crate::errors::describe("role not found", &e)))
            }
            Err(e) => Err(sdk_error(&format!("adding IAM role {role} to instance profile {profile}"), e)),
        }
    })
    .await
}

async fn remove_role(c: &Ctx<'_>, profile: &str, role: &str) -> Result<()> {
    match c.clients.iam.remove_role_from_instance_profile().instance_profile_name(profile).role_name(role).send().await
    {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(sdk_error(&format!("removing IAM role {role} from instance profile {profile}"), e)),
    }
}

async fn read_new(c: &Ctx<'_>, name: &str, like: &Profile) -> Result<Value> {
    let p = wait_for(&format!("IAM instance profile {name} to be readable"), PROPAGATION, || async {
        Ok(match get_profile(c, name).await? {
            Some(p) => Poll::Done(p),
            None => Poll::Pending("not found yet".into()),
        })
    })
    .await?;
    Ok(profile_value(c, &p, like))
}

impl Profile {
    /// The name a create gives the instance profile: `name`, else `name_prefix` (or `terraform-`) and a
    /// unique suffix.
    fn created_name(&self, c: &Ctx<'_>) -> String {
        c.name_or_prefix(self.name.as_deref(), self.name_prefix.as_deref(), "terraform-")
    }
}

#[async_trait]
impl ResourceType for IamInstanceProfile {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::IamInstanceProfile)
    }

    fn name(&self) -> &'static str {
        "aws_iam_instance_profile"
    }

    fn schema(&self) -> Schema {
        Profile::schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        validate_name(config, 128, 128 - 26)
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        keep_computed(prior, config, plan, &["name_prefix"]);
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = Profile::from_value(planned)?;
        let name = planned.created_name(c);
        let tags = planned.tags.at_create(c);
        let mut req = c.clients.iam.create_instance_profile().instance_profile_name(&name).path(&planned.path);
        if !tags.is_empty() {
            req = req.set_tags(Some(iam_tags(&tags)?));
        }
        req.send().await.map_err(|e| sdk_error(&format!("creating IAM instance profile {name}"), e))?;
        let partial = || Profile { id: Some(name.clone()), name: Some(name.clone()), ..Profile::default() }.to_value();
        if let Some(role) = &planned.role {
            add_role(c, &name, role).await.map_err(|e| e.with_partial_state(partial()))?;
        }
        read_new(c, &name, &planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by its name (configured, or made from `name_prefix` and the token), carrying the
    /// token tag CreateInstanceProfile gave it. A profile whose role was not added yet is
    /// adopted so: the next plan adds it.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let name = Profile::from_stub(planned)?.created_name(c);
        crate::resource::find_named(self, c, crate::resource::with_id(planned, &name), true).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        crate::resource::read_each(current, |cur| async move {
            let cur = Profile::from_stub(&cur)?;
            let name = cur.id.clone().unwrap_or_default();
            Ok(get_profile(c, &name).await?.map(|p| profile_value(c, &p, &cur)))
        })
        .await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (Profile::from_stub(prior)?, Profile::from_value(planned)?);
        let name = prior.id.clone().unwrap_or_default();
        if prior.role != planned.role {
            if let Some(o) = &prior.role {
                remove_role(c, &name, o).await?;
            }
            if let Some(n) = &planned.role {
                add_role(c, &name, n).await?;
            }
        }
        let iam = &c.clients.iam;
        crate::tags::update(
            &prior.tags.wanted(),
            &planned.tags.wanted(),
            async |keys| {
                let req = iam.untag_instance_profile().instance_profile_name(&name).set_tag_keys(Some(keys));
                let sent = req.send().await.map(drop);
                sent.map_err(|e| sdk_error(&format!("removing tags of IAM instance profile {name}"), e))
            },
            async |set| {
                let req = iam.tag_instance_profile().instance_profile_name(&name).set_tags(Some(iam_tags(&set)?));
                req.send().await.map(drop).map_err(|e| sdk_error(&format!("tagging IAM instance profile {name}"), e))
            },
        )
        .await?;
        read_new(c, &name, &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let name = crate::val::id(prior);
        // The role AWS has, not only the one in state: a profile with a role cannot be deleted.
        let roles: Vec<String> = match get_profile(c, &name).await? {
            Some(p) => p.roles().iter().map(|r| r.role_name().to_string()).collect(),
            None => return Ok(()),
        };
        for r in roles {
            remove_role(c, &name, &r).await?;
        }
        match c.clients.iam.delete_instance_profile().instance_profile_name(&name).send().await {
            Ok(_) => Ok(()),
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(sdk_error(&format!("deleting IAM instance profile {name}"), e)),
        }
    }
}
