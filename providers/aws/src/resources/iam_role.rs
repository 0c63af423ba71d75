//! `aws_iam_role`: the role the swarm nodes run as (through `aws_iam_instance_profile`).
//!
//! Also the helpers the IAM and load balancer resources share: policy JSON compared as AWS
//! and Terraform compare it (whitespace, key order, single strings versus one-element lists,
//! statement order), Terraform's generated names (`name_prefix` + 26 characters), and keeping
//! optional-computed values the API left unset.

use crate::errors::{code, is_not_found, sdk_error};
use crate::resource::{Ctx, ResourceType, Result, invalid, with_tags};
use crate::val::{self, Obj};
use crate::waiter::{Poll, wait_for};
use async_trait::async_trait;
use serde_json::Value as J;
use std::collections::BTreeMap;
use std::time::Duration;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct IamRole;

/// How long IAM takes to show a new object everywhere (Terraform's `propagationTimeout`).
pub const PROPAGATION: Duration = Duration::from_secs(2 * 60);

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
            .attr("unique_id", Attribute::computed(Type::String)),
    )
}

// ---------------------------------------------------------------------------------------------
// Shared helpers.
// ---------------------------------------------------------------------------------------------

/// The `name_prefix` of a generated name (null for names not generated), as Terraform finds it.
pub fn name_prefix_from_name(name: &str) -> Value {
    const SUFFIX: usize = 26;
    let b = name.as_bytes();
    if b.len() > SUFFIX && b[b.len() - SUFFIX..].iter().all(u8::is_ascii_hexdigit) {
        Value::from(&name[..name.len() - SUFFIX])
    } else {
        Value::NULL
    }
}

/// Keeps the prior value of optional-computed attributes the configuration leaves unset, even
/// when that value is null (the generic plan would make a null prior value unknown, and so
/// plan a change on every run).
pub fn keep_computed(prior: Option<&Value>, config: &Value, plan: &mut PlanResponse, keys: &[&str]) {
    let Some(prior) = prior.filter(|p| !p.is_null()) else { return };
    if !plan.requires_replace.is_empty() {
        return;
    }
    for k in keys {
        if config.get_attr(k).is_none_or(Value::is_null) {
            let v = prior.get_attr(k).cloned().unwrap_or(Value::NULL);
            plan.planned.set_at_path(&[PathStep::Attr((*k).to_string())], v);
        }
    }
}

/// Errors for `name` and `name_prefix` set together or too long.
pub fn validate_name(config: &Value, max: usize, max_prefix: usize) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let name = val::string(config, "name");
    let prefix = val::string(config, "name_prefix");
    if name.is_some() && prefix.is_some() {
        out.push(invalid(
            "Conflicting configuration arguments",
            "\"name\": conflicts with name_prefix; set only one of them.",
        ));
    }
    if let Some(n) = name.filter(|n| n.chars().count() > max) {
        out.push(invalid("Invalid name", format!("{n:?} is longer than {max} characters.")));
    }
    if let Some(p) = prefix.filter(|p| p.chars().count() > max_prefix) {
        out.push(invalid("Invalid name_prefix", format!("{p:?} is longer than {max_prefix} characters.")));
    }
    out
}

/// A timestamp as Terraform writes them (RFC 3339, whole seconds).
pub fn rfc3339(t: &aws_smithy_types::DateTime) -> String {
    aws_smithy_types::DateTime::from_secs(t.secs())
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default()
}

/// IAM returns policy documents URL-encoded (RFC 3986).
pub fn url_decode(s: &str) -> String {
    if s.trim_start().starts_with('{') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// JSON with object keys sorted at every depth (whatever serde_json's map order).
fn sorted(v: &J) -> J {
    match v {
        J::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            J::Object(keys.into_iter().map(|k| (k.clone(), sorted(&m[k]))).collect())
        }
        J::Array(items) => J::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Compact JSON as Go's encoder writes it (`<`, `>`, `&` escaped), which is what Terraform
/// stores.
fn go_json(v: &J) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Terraform's `NormalizeJsonString`: compact, keys sorted. `None` for invalid JSON.
pub fn normalize_json(s: &str) -> Option<String> {
    serde_json::from_str::<J>(s).ok().map(|v| go_json(&sorted(&v)))
}

/// Terraform's legacy policy normalisation (inline policies): normalised JSON with `Version`
/// first.
pub fn normalize_policy(s: &str) -> Option<String> {
    let v = sorted(&serde_json::from_str::<J>(s).ok()?);
    let J::Object(m) = &v else { return Some(go_json(&v)) };
    let Some(version) = m.get("Version") else { return Some(go_json(&v)) };
    let mut parts = vec![format!("\"Version\":{}", go_json(version))];
    parts.extend(
        m.iter()
            .filter(|(k, _)| *k != "Version")
            .map(|(k, x)| format!("{}:{}", go_json(&J::String(k.clone())), go_json(x))),
    );
    Some(format!("{{{}}}", parts.join(",")))
}

/// A string or list of strings as a sorted set; other values as their JSON.
fn string_set(v: Option<&J>) -> J {
    let mut items: Vec<String> = match v {
        None | Some(J::Null) => Vec::new(),
        Some(J::Array(a)) => a.iter().map(scalar).collect(),
        Some(x) => vec![scalar(x)],
    };
    items.sort();
    items.dedup();
    J::Array(items.into_iter().map(J::String).collect())
}

fn scalar(v: &J) -> String {
    match v {
        J::String(s) => s.clone(),
        other => go_json(&sorted(other)),
    }
}

/// `arn:aws:iam::123456789012:root` and `123456789012` name the same principal.
fn principal(p: &str) -> String {
    let parts: Vec<&str> = p.split(':').collect();
    match parts.as_slice() {
        ["arn", _, "iam", "", account, "root"]
            if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (*account).to_string()
        }
        _ => p.to_string(),
    }
}

fn principals(v: &J) -> J {
    match v {
        J::String(s) => J::String(principal(s)),
        J::Object(m) => {
            let mut out = serde_json::Map::new();
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for k in keys {
                let J::Array(set) = string_set(Some(&m[k])) else { continue };
                let mut set: Vec<String> = set.iter().filter_map(|s| s.as_str().map(principal)).collect();
                set.sort();
                set.dedup();
                if !set.is_empty() {
                    out.insert(k.clone(), J::Array(set.into_iter().map(J::String).collect()));
                }
            }
            J::Object(out)
        }
        other => sorted(other),
    }
}

fn statement(s: &J) -> J {
    let J::Object(m) = s else { return sorted(s) };
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    let mut out = serde_json::Map::new();
    for k in keys {
        let v = &m[k];
        let c = match k.as_str() {
            "Sid" | "Effect" if v.as_str() == Some("") => continue,
            "Effect" => J::String(v.as_str().map(str::to_lowercase).unwrap_or_else(|| scalar(v))),
            "Action" | "NotAction" | "Resource" | "NotResource" => match string_set(Some(v)) {
                J::Array(a) if a.is_empty() => continue,
                set => set,
            },
            "Principal" | "NotPrincipal" => principals(v),
            "Condition" => match v {
                J::Object(ops) => {
                    let mut ops_out = serde_json::Map::new();
                    let mut op_keys: Vec<&String> = ops.keys().collect();
                    op_keys.sort();
                    for op in op_keys {
                        let inner = match &ops[op] {
                            J::Object(keys) => {
                                let mut ks: Vec<&String> = keys.keys().collect();
                                ks.sort();
                                J::Object(ks.into_iter().map(|ck| (ck.clone(), string_set(Some(&keys[ck])))).collect())
                            }
                            other => sorted(other),
                        };
                        ops_out.insert(op.clone(), inner);
                    }
                    J::Object(ops_out)
                }
                other => sorted(other),
            },
            _ => sorted(v),
        };
        out.insert(k.clone(), c);
    }
    J::Object(out)
}

/// A policy document in a form where equivalent policies are equal.
fn canonical_policy(v: &J) -> Option<J> {
    let J::Object(m) = v else { return None };
    let stmts: Vec<J> = match m.get("Statement")? {
        J::Array(a) => a.clone(),
        o @ J::Object(_) => vec![o.clone()],
        _ => return None,
    };
    let mut cs: Vec<String> = stmts.iter().map(|s| go_json(&statement(s))).collect();
    cs.sort();
    cs.dedup();
    let mut out = serde_json::Map::new();
    let mut keys: Vec<&String> = m.keys().collect();
    keys.sort();
    for k in keys {
        match k.as_str() {
            "Statement" => {}
            "Version" | "Id" if m[k].as_str() == Some("") => {}
            _ => {
                out.insert(k.clone(), sorted(&m[k]));
            }
        }
    }
    out.insert("Statement".into(), J::Array(cs.into_iter().map(J::String).collect()));
    Some(J::Object(out))
}

/// Whether two policy documents mean the same (Terraform's `awspolicyequivalence`): JSON
/// whitespace and key order, statement order, a single string versus a one-element list, an
/// account ID versus its root ARN make no difference. Any JSON that is not a policy compares
/// as normalised JSON.
pub fn policies_equivalent(a: &str, b: &str) -> bool {
    let (Ok(x), Ok(y)) = (serde_json::from_str::<J>(a), serde_json::from_str::<J>(b)) else { return false };
    match (canonical_policy(&x), canonical_policy(&y)) {
        (Some(p), Some(q)) => p == q,
        _ => sorted(&x) == sorted(&y),
    }
}

/// The value to store for a policy read from AWS: the stored value while it means the same
/// (so formatting never shows as a change), else AWS's, normalised.
pub fn policy_to_set(stored: Option<&str>, remote: &str, legacy: bool) -> String {
    match stored {
        Some(s) if policies_equivalent(s, remote) => s.to_string(),
        _ => (if legacy { normalize_policy(remote) } else { normalize_json(remote) })
            .unwrap_or_else(|| remote.to_string()),
    }
}

/// Plans a policy attribute: the prior value while the configuration means the same, else the
/// configuration normalised (what Terraform stores).
pub fn plan_policy(prior: Option<&Value>, plan: &mut PlanResponse, key: &str, legacy: bool) {
    if let Some(u) = plan.planned.get_attr(key).filter(|v| v.is_unknown()) {
        // The text is normalised at apply, so what the configuration's refinements promise
        // (a prefix of the text as written) does not hold; only that it is not null.
        let plain = Value::unknown(Type::String);
        let plain = if u.range().definitely_not_null() { plain.refine_not_null() } else { plain };
        let plain = plain.with_marks(u.marks());
        plan.planned.set_at_path(&[PathStep::Attr(key.into())], plain);
        return;
    }
    let Some(cfg) = plan.planned.get_attr(key).and_then(Value::as_str).map(str::to_string) else { return };
    let before = prior.and_then(|p| val::string(p, key));
    let v = match before {
        Some(b) if plan.requires_replace.is_empty() && policies_equivalent(&b, &cfg) => b,
        _ => (if legacy { normalize_policy(&cfg) } else { normalize_json(&cfg) }).unwrap_or(cfg),
    };
    plan.planned.set_at_path(&[PathStep::Attr(key.into())], Value::from(v));
}

/// An error when a known policy argument is not a JSON object.
pub fn validate_policy(config: &Value, key: &str) -> Vec<Diagnostic> {
    match val::string(config, key) {
        Some(s) if !matches!(serde_json::from_str::<J>(&s), Ok(J::Object(_))) => {
            vec![invalid(
                &format!("Invalid {key}"),
                format!("\"{key}\" must be a JSON object (a policy document); got {s:?}."),
            )]
        }
        _ => Vec::new(),
    }
}

pub fn iam_tags(m: &BTreeMap<String, String>) -> Result<Vec<aws_sdk_iam::types::Tag>> {
    m.iter()
        .map(|(k, v)| {
            aws_sdk_iam::types::Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| ProviderError::new(format!("tag {k}: {e}")))
        })
        .collect()
}

pub fn iam_tag_map(tags: &[aws_sdk_iam::types::Tag]) -> BTreeMap<String, String> {
    tags.iter().map(|t| (t.key().to_string(), t.value().to_string())).collect()
}

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
    Obj::new(&schema())
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
    fn name(&self) -> &'static str {
        "aws_iam_role"
    }

    fn schema(&self) -> Schema {
        schema()
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
        let (removed, set) = crate::tags::diff(&val::string_map(prior, "tags_all"), &crate::tags::wanted(planned));
        if !removed.is_empty() {
            iam.untag_role()
                .role_name(&name)
                .set_tag_keys(Some(removed))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("removing tags of IAM role {name}"), e))?;
        }
        if !set.is_empty() {
            iam.tag_role()
                .role_name(&name)
                .set_tags(Some(iam_tags(&set)?))
                .send()
                .await
                .map_err(|e| sdk_error(&format!("tagging IAM role {name}"), e))?;
        }
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
        wait_for(&format!("IAM role {name} to be deleted"), PROPAGATION, || async {
            match iam.delete_role().role_name(&name).send().await {
                Ok(_) => Ok(Poll::Done(())),
                Err(e) if is_not_found(&e) => Ok(Poll::Done(())),
                Err(e) if code(&e) == Some("DeleteConflict") => {
                    Ok(Poll::Pending(crate::errors::describe("still in use", &e)))
                }
                Err(e) => Err(sdk_error(&format!("deleting IAM role {name}"), e)),
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

    #[test]
    fn equivalent_policies_ignore_formatting_and_order() {
        let b = r#"{
          "Statement": {
            "Action": ["sts:AssumeRole"],
            "Principal": { "Service": ["ec2.amazonaws.com"] },
            "Effect": "Allow"
          },
          "Version": "2012-10-17"
        }"#;
        assert!(policies_equivalent(A, b));
        assert!(!policies_equivalent(A, &A.replace("ec2", "ecs")));
        assert!(!policies_equivalent(A, "not json"));
        let two = r#"{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"},{"Sid":"b","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}]}"#;
        let swapped = r#"{"Version":"2012-10-17","Statement":[{"Sid":"b","Effect":"Deny","Action":"s3:Delete*","Resource":["*"]},{"Sid":"a","Effect":"allow","Action":["s3:List*","s3:Get*"],"Resource":"*"}]}"#;
        assert!(policies_equivalent(two, swapped));
        let root = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#;
        assert!(policies_equivalent(root, &root.replace("arn:aws:iam::123456789012:root", "123456789012")));
    }

    #[test]
    fn normalisation_matches_terraform() {
        assert_eq!(
            normalize_json("{ \"b\": 1, \"a\": [ \"x\", \"<y>\" ] }").unwrap(),
            r#"{"a":["x","\u003cy\u003e"],"b":1}"#
        );
        assert_eq!(
            normalize_policy(r#"{"Statement":[],"Version":"2012-10-17"}"#).unwrap(),
            r#"{"Version":"2012-10-17","Statement":[]}"#
        );
        assert_eq!(policy_to_set(Some(A), &A.replace(',', ", "), false), A);
        assert_eq!(
            policy_to_set(Some(A), &A.replace("ec2", "ecs"), false),
            normalize_json(&A.replace("ec2", "ecs")).unwrap()
        );
    }

    #[test]
    fn url_decoding_and_names() {
        assert_eq!(url_decode("%7B%22a%22%3A%20%22b%2Bc%22%7D"), r#"{"a": "b+c"}"#);
        assert_eq!(url_decode(r#"{"a":"%20"}"#), r#"{"a":"%20"}"#);
        // Generated names end in `Ctx::unique_suffix` (made from the create's token).
        let s = crate::resource::token_suffix("terrane-0123");
        assert_eq!(s.len(), 26, "{s}");
        assert_eq!(name_prefix_from_name(&format!("web-{s}")), Value::from("web-"));
        assert_eq!(name_prefix_from_name("web"), Value::NULL);
    }
}
