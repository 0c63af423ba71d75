//! `aws_iam_instance_profile`: how the swarm nodes (EC2 instances) get their IAM role.

use crate::errors::{code, is_not_found, sdk_error};
use crate::iam::{PROPAGATION, iam_tag_map, iam_tags};
use crate::plan::{keep_computed, validate_name};
use crate::resource::{Ctx, ResourceType, Result, name_prefix_from_name, with_tags};
use crate::val::{self, Obj, rfc3339};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::PlanResponse;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub struct IamInstanceProfile;

fn schema() -> Schema {
    with_tags(
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("arn", Attribute::computed(Type::String))
            .attr("name", Attribute::optional_computed(Type::String).force_new())
            .attr("name_prefix", Attribute::optional_computed(Type::String).force_new())
            .attr("path", Attribute::optional(Type::String).default("/").force_new())
            .attr("role", Attribute::optional(Type::String))
            .attr("create_date", Attribute::computed(Type::String))
            .attr("unique_id", Attribute::computed(Type::String)),
    )
}

async fn get_profile(c: &Ctx<'_>, name: &str) -> Result<Option<aws_sdk_iam::types::InstanceProfile>> {
    match c.clients.iam.get_instance_profile().instance_profile_name(name).send().await {
        Ok(out) => Ok(out.instance_profile().cloned()),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(sdk_error(&format!("reading IAM instance profile {name}"), e)),
    }
}

fn profile_value(c: &Ctx<'_>, p: &aws_sdk_iam::types::InstanceProfile, cur: &Value) -> Value {
    // GetInstanceProfile carries the tags (ListInstanceProfileTags is not needed).
    let (tags, tags_all) = crate::tags::read_back(&iam_tag_map(p.tags()), c.default_tags(), cur);
    Obj::new(&schema())
        .set("id", p.instance_profile_name())
        .set("arn", p.arn())
        .set("name", p.instance_profile_name())
        .set("name_prefix", name_prefix_from_name(p.instance_profile_name()))
        .set("path", p.path())
        .set("role", val::opt_str(p.roles().first().map(|r| r.role_name())))
        .set("create_date", rfc3339(p.create_date()))
        .set("unique_id", p.instance_profile_id())
        .set("tags", tags)
        .set("tags_all", tags_all)
        .build()
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

async fn read_new(c: &Ctx<'_>, name: &str, like: &Value) -> Result<Value> {
    let p = wait_for(&format!("IAM instance profile {name} to be readable"), PROPAGATION, || async {
        Ok(match get_profile(c, name).await? {
            Some(p) => Poll::Done(p),
            None => Poll::Pending("not found yet".into()),
        })
    })
    .await?;
    Ok(profile_value(c, &p, like))
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
        schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        validate_name(config, 128, 128 - 26)
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        keep_computed(prior, config, plan, &["name_prefix"]);
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let name = c.generated_name(planned, "terraform-");
        let tags = crate::tags::at_create(c, planned);
        let mut req = c
            .clients
            .iam
            .create_instance_profile()
            .instance_profile_name(&name)
            .path(val::string(planned, "path").unwrap_or_else(|| "/".into()));
        if !tags.is_empty() {
            req = req.set_tags(Some(iam_tags(&tags)?));
        }
        req.send().await.map_err(|e| sdk_error(&format!("creating IAM instance profile {name}"), e))?;
        let partial = || Value::object([("id", Value::from(name.as_str())), ("name", Value::from(name.as_str()))]);
        if let Some(role) = val::string(planned, "role") {
            add_role(c, &name, &role).await.map_err(|e| e.with_partial_state(partial()))?;
        }
        read_new(c, &name, planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by its name (configured, or made from `name_prefix` and the token), carrying the
    /// token tag CreateInstanceProfile gave it. A profile whose role was not added yet is
    /// adopted so: the next plan adds it.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let name = c.generated_name(planned, "terraform-");
        crate::resource::find_named(self, c, crate::resource::with_id(planned, &name), true).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        crate::resource::read_each(current, |cur| async move {
            let name = val::id(&cur);
            Ok(get_profile(c, &name).await?.map(|p| profile_value(c, &p, &cur)))
        })
        .await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let name = val::id(prior);
        let (old, new) = (val::string(prior, "role"), val::string(planned, "role"));
        if old != new {
            if let Some(o) = &old {
                remove_role(c, &name, o).await?;
            }
            if let Some(n) = &new {
                add_role(c, &name, n).await?;
            }
        }
        let iam = &c.clients.iam;
        crate::tags::update(
            &val::string_map(prior, "tags_all"),
            &crate::tags::wanted(planned),
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
        read_new(c, &name, planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let name = val::id(prior);
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
