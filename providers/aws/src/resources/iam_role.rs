//! `aws_iam_role`: the role the swarm nodes run as (through `aws_iam_instance_profile`).

use crate::delete::retry_while_in_use;
use crate::errors::{code, is_not_found, sdk_error};
use crate::iam::{PROPAGATION, iam_tag_map, iam_tags};
use crate::plan::{keep_computed, validate_name};
use crate::policy::{normalize_json, plan_policy, policy_to_set, url_decode, validate_policy};
use crate::resource::{Ctx, Refused, ResourceType, Result, invalid, name_prefix_from_name, with_tags};
use crate::val::{self, Obj, rfc3339};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::PlanResponse;
use terrane_engine::schema::{Attribute, NestedBlock, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub struct IamRole;

fn schema() -> Schema {
    with_tags(
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("arn", Attribute::computed(Type::String))
            .attr("name", Attribute::optional_computed(Type::String).force_new())
            .attr("name_prefix", Attribute::optional_computed(Type::String).force_new())
            .attr("assume_role_policy", Attribute::required(Type::String))
            .attr("description", Attribute::optional(Type::String))
            .attr("path", Attribute::optional(Type::String).default("/").force_new())
            .attr("max_session_duration", Attribute::optional(Type::Number).default(Value::from(3600i64)))
            .attr("permissions_boundary", Attribute::optional(Type::String))
            .attr("force_detach_policies", Attribute::optional(Type::Bool).default(false))
            .attr("create_date", Attribute::computed(Type::String))
            .attr("unique_id", Attribute::computed(Type::String))
            // Exclusive management of the role's policies, deprecated by hashicorp/aws:
            // declared (Terraform's state records them), refused, not read (see `REFUSED`).
            .attr("managed_policy_arns", Attribute::optional_computed(Type::set(Type::String)))
            .block(
                "inline_policy",
                NestedBlock::set(
                    Schema::new()
                        .attr("name", Attribute::optional(Type::String))
                        .attr("policy", Attribute::optional(Type::String)),
                )
                .computed(),
            ),
    )
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

fn role_value(c: &Ctx<'_>, r: &aws_sdk_iam::types::Role, cur: &Value) -> Value {
    let (tags, tags_all) = crate::tags::read_back(&iam_tag_map(r.tags()), c.default_tags(), cur);
    let policy = r.assume_role_policy_document().map(url_decode).unwrap_or_default();
    let schema = schema();
    Obj::new(&schema)
        .set("managed_policy_arns", crate::resource::kept(cur, "managed_policy_arns", &schema))
        .set("inline_policy", crate::resource::kept(cur, "inline_policy", &schema))
        .set("id", r.role_name())
        .set("arn", r.arn())
        .set("name", r.role_name())
        .set("name_prefix", name_prefix_from_name(r.role_name()))
        .set("assume_role_policy", policy_to_set(val::string(cur, "assume_role_policy").as_deref(), &policy, false))
        .set("description", val::opt_str(r.description().filter(|d| !d.is_empty())))
        .set("path", r.path())
        .set("max_session_duration", Value::from(i64::from(r.max_session_duration().unwrap_or(3600))))
        .set("permissions_boundary", val::opt_str(r.permissions_boundary().and_then(|b| b.permissions_boundary_arn())))
        .set("force_detach_policies", Value::Bool(val::boolean(cur, "force_detach_policies").unwrap_or(false)))
        .set("create_date", rfc3339(r.create_date()))
        .set("unique_id", r.role_id())
        .set("tags", tags)
        .set("tags_all", tags_all)
        .build()
}

impl IamRole {
    /// Reads a role just written, waiting out IAM's eventual consistency.
    async fn read_new(&self, c: &Ctx<'_>, name: &str, like: &Value) -> Result<Value> {
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

#[async_trait]
impl ResourceType for IamRole {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::IamRole)
    }

    fn name(&self) -> &'static str {
        "aws_iam_role"
    }

    fn schema(&self) -> Schema {
        schema()
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
        let name = c.generated_name(planned, "terraform-");
        let policy = val::string(planned, "assume_role_policy").unwrap_or_default();
        let tags = crate::tags::at_create(c, planned);
        let mut req = c
            .clients
            .iam
            .create_role()
            .role_name(&name)
            .path(val::string(planned, "path").unwrap_or_else(|| "/".into()))
            .assume_role_policy_document(normalize_json(&policy).unwrap_or(policy))
            .set_description(val::string(planned, "description"))
            .set_max_session_duration(val::int(planned, "max_session_duration").map(|d| d as i32))
            .set_permissions_boundary(val::string(planned, "permissions_boundary"));
        if !tags.is_empty() {
            req = req.set_tags(Some(iam_tags(&tags)?));
        }
        req.send().await.map_err(|e| sdk_error(&format!("creating IAM role {name}"), e))?;
        let partial = || Value::object([("id", Value::from(name.as_str())), ("name", Value::from(name.as_str()))]);
        self.read_new(c, &name, planned).await.map_err(|e| e.with_partial_state(partial()))
    }

    /// Found by its name (configured, or made from `name_prefix` and the token), carrying the
    /// token tag CreateRole gave it.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let name = c.generated_name(planned, "terraform-");
        crate::resource::find_named(self, c, crate::resource::with_id(planned, &name), true).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        crate::resource::read_each(current, |cur| async move {
            let name = val::id(&cur);
            Ok(get_role(c, &name).await?.map(|r| role_value(c, &r, &cur)))
        })
        .await
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let name = val::id(prior);
        let iam = &c.clients.iam;
        let changed = |k: &str| prior.get_attr(k) != planned.get_attr(k);
        if changed("assume_role_policy") {
            let policy = val::string(planned, "assume_role_policy").unwrap_or_default();
            iam.update_assume_role_policy()
                .role_name(&name)
                .policy_document(normalize_json(&policy).unwrap_or(policy))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating the assume role policy of IAM role {name}"), e))?;
        }
        if changed("description") {
            iam.update_role_description()
                .role_name(&name)
                .description(val::string(planned, "description").unwrap_or_default())
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating the description of IAM role {name}"), e))?;
        }
        if changed("max_session_duration") {
            // The description is sent again: UpdateRole without one clears it on some
            // implementations (moto).
            iam.update_role()
                .role_name(&name)
                .set_max_session_duration(val::int(planned, "max_session_duration").map(|d| d as i32))
                .set_description(val::string(planned, "description"))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("updating max_session_duration of IAM role {name}"), e))?;
        }
        if changed("permissions_boundary") {
            match val::string(planned, "permissions_boundary") {
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
            &val::string_map(prior, "tags_all"),
            &crate::tags::wanted(planned),
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
        self.read_new(c, &name, planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let name = val::id(prior);
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
        if val::boolean(prior, "force_detach_policies") == Some(true) {
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
