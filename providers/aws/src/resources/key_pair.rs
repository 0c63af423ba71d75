//! `aws_key_pair`: an imported public key. The public key is stored as given (whitespace
//! trimmed, as Terraform's StateFunc does) and never read back; import takes the key name.

use crate::ec2::{FILTER_PAGE, filter, tag_map, tag_spec, update_tags};
use crate::errors::sdk_error;
use crate::model::Tags;
use crate::resource::{Ctx, ResourceType, Result, chunks, invalid};
use crate::val;
use async_trait::async_trait;
use aws_sdk_ec2::primitives::Blob;
use aws_sdk_ec2::types::{KeyPairInfo, ResourceType as Rt};
use std::collections::HashMap;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanResponse, ProviderError};
use terrane_engine::schema::Schema;
use terrane_engine::value::{PathStep, Value};

pub struct KeyPair;

/// An `aws_key_pair` object.
#[derive(Model, Clone, Debug, Default)]
struct Pair {
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    arn: Option<String>,
    #[model(optional, computed, force_new)]
    key_name: Option<String>,
    #[model(optional, computed, force_new)]
    key_name_prefix: Option<String>,
    /// Never read back: what the configuration (or the state) says.
    #[model(required, force_new)]
    public_key: Option<String>,
    #[model(computed)]
    fingerprint: Option<String>,
    #[model(computed)]
    key_pair_id: Option<String>,
    #[model(computed)]
    key_type: Option<String>,
    #[model(flatten)]
    tags: Tags,
}

/// Terraform's `NamePrefixFromName`: the prefix of a name made with a unique suffix.
pub fn name_prefix_from_name(name: &str) -> Option<String> {
    let n = name.len();
    if n < 26 || !name.is_char_boundary(n - 26) {
        return None;
    }
    let (prefix, suffix) = name.split_at(n - 26);
    let (digits, hex) = suffix.split_at(18);
    (digits.bytes().all(|b| b.is_ascii_digit())
        && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
    .then(|| prefix.to_string())
}

fn value_from(k: &KeyPairInfo, c: &Ctx<'_>, cur: &Pair) -> Value {
    let name = k.key_name().unwrap_or_default();
    // As hashicorp/aws: no account part when the account ID is not known
    // (`skip_requesting_account_id`).
    let account = c.clients.account_id.clone().unwrap_or_default();
    let text = |s: Option<&str>| s.map(str::to_string);
    Pair {
        id: Some(name.to_string()),
        arn: Some(format!("arn:aws:ec2:{}:{account}:key-pair/{name}", c.clients.region)),
        key_name: Some(name.to_string()),
        key_name_prefix: cur.key_name_prefix.clone().or_else(|| name_prefix_from_name(name)),
        public_key: cur.public_key.clone(),
        fingerprint: text(k.key_fingerprint()),
        key_pair_id: text(k.key_pair_id()),
        key_type: text(k.key_type().map(|t| t.as_str())),
        tags: cur.tags.read_back(c, &tag_map(k.tags())),
    }
    .to_value()
}

impl KeyPair {
    async fn read_one(&self, c: &Ctx<'_>, name: &str, like: &Pair) -> Result<Value> {
        let stub = Pair { id: Some(name.to_string()), ..like.clone() };
        crate::resource::read_model(self, c, &stub, &format!("key pair {name}")).await
    }
}

impl Pair {
    /// The name a create gives the key pair: `key_name`, else `key_name_prefix` (or `terraform-`) and a
    /// unique suffix.
    fn created_name(&self, c: &Ctx<'_>) -> String {
        c.name_or_prefix(self.key_name.as_deref(), self.key_name_prefix.as_deref(), "terraform-")
    }
}

#[async_trait]
impl ResourceType for KeyPair {
    fn token_tag(&self) -> Option<crate::token_tag::TokenTag> {
        Some(crate::token_tag::TokenTag::Ec2("key_pair_id"))
    }

    fn name(&self) -> &'static str {
        "aws_key_pair"
    }
    /// hashicorp/aws's schema version: state is stored in that version's shape.
    fn schema_version(&self) -> u64 {
        1
    }
    fn state_upgrades(&self) -> crate::upgrade::Upgrades {
        // ec2_key_pair.go: `MigrateState: keyPairMigrateState`.
        crate::upgrade::Upgrades::migrate(crate::upgrade::key_pair_migrate)
    }

    fn schema(&self) -> Schema {
        Pair::schema()
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let set = |k: &str| config.get_attr(k).is_some_and(|v| !v.is_null());
        if set("key_name") && set("key_name_prefix") {
            return vec![invalid("Conflicting key pair names", "key_name and key_name_prefix cannot both be set")];
        }
        Vec::new()
    }

    fn customize_plan(&self, prior: Option<&Value>, config: &Value, plan: &mut PlanResponse) {
        // The public key is stored trimmed: plan against that form, so a key read from a file
        // with a trailing newline does not replace the key pair.
        let Some(key) = val::string(config, "public_key") else { return };
        if key.trim() == key {
            return;
        }
        let mut cfg = config.clone();
        cfg.set_at_path(&[PathStep::Attr("public_key".into())], Value::from(key.trim()));
        let tags_all = plan.planned.get_attr("tags_all").cloned().unwrap_or_default();
        *plan = terrane_engine::plan::diff::generic_plan(&Pair::schema(), prior, &cfg);
        plan.planned.set_at_path(&[PathStep::Attr("tags_all".into())], tags_all);
    }

    async fn create(&self, c: &Ctx<'_>, planned: &Value) -> Result<Value> {
        let planned = Pair::from_value(planned)?;
        let name = planned.created_name(c);
        let key = planned.public_key.clone().unwrap_or_default();
        let tags = planned.tags.at_create(c);
        c.clients
            .ec2
            .import_key_pair()
            .key_name(&name)
            .public_key_material(Blob::new(key.trim().as_bytes()))
            .set_tag_specifications(tag_spec(Rt::KeyPair, &tags).map(|t| vec![t]))
            .send()
            .await
            .map_err(|e| sdk_error(&format!("importing key pair {name}"), e))?;
        let partial = Pair { id: Some(name.clone()), key_name: Some(name.clone()), ..Pair::default() };
        self.read_one(c, &name, &planned).await.map_err(|e| e.with_partial_state(partial.to_value()))
    }

    /// Found by its name (configured, or made from `key_name_prefix` and the token), carrying
    /// the token tag ImportKeyPair gave it.
    async fn find_created(&self, c: &Ctx<'_>, planned: &Value) -> Result<Option<Value>> {
        let name = Pair::from_stub(planned)?.created_name(c);
        crate::resource::find_named(self, c, crate::resource::with_id(planned, &name), true).await
    }

    async fn read_many(&self, c: &Ctx<'_>, current: &[Value]) -> Vec<Result<Option<Value>>> {
        let names: Vec<String> = current.iter().map(val::id).collect();
        let mut found = HashMap::new();
        for page in chunks(&names, FILTER_PAGE) {
            // A filter, not KeyNames: a missing name must not fail the whole page.
            match c.clients.ec2.describe_key_pairs().filters(filter("key-name", page)).send().await {
                Ok(out) => {
                    for k in out.key_pairs() {
                        if let Some(n) = k.key_name() {
                            found.insert(n.to_string(), k.clone());
                        }
                    }
                }
                Err(e) => {
                    let msg = crate::errors::describe("reading key pairs", &e);
                    return current.iter().map(|_| Err(ProviderError::new(msg.clone()))).collect();
                }
            }
        }
        current
            .iter()
            .map(|cur| {
                let cur = Pair::from_stub(cur)?;
                Ok(cur.id.as_ref().and_then(|id| found.get(id)).map(|k| value_from(k, c, &cur)))
            })
            .collect()
    }

    async fn update(&self, c: &Ctx<'_>, prior: &Value, planned: &Value) -> Result<Value> {
        let (prior, planned) = (Pair::from_stub(prior)?, Pair::from_value(planned)?);
        let name = prior.id.clone().unwrap_or_default();
        // Tags only; EC2 tags key pairs by their ID.
        let target = prior.key_pair_id.clone().unwrap_or_else(|| name.clone());
        update_tags(&c.clients.ec2, &target, &prior.tags.wanted(), &planned.tags.wanted()).await?;
        self.read_one(c, &name, &planned).await
    }

    async fn delete(&self, c: &Ctx<'_>, prior: &Value) -> Result<()> {
        let name = val::id(prior);
        match c.clients.ec2.delete_key_pair().key_name(&name).send().await {
            Ok(_) => Ok(()),
            Err(e) if crate::errors::is_not_found(&e) => Ok(()),
            Err(e) => Err(sdk_error(&format!("deleting key pair {name}"), e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_names_carry_their_prefix() {
        let name = format!("deployer-{}", crate::resource::token_suffix("terrane-0123"));
        assert_eq!(name_prefix_from_name(&name).as_deref(), Some("deployer-"));
        assert_eq!(name_prefix_from_name("deployer"), None);
        assert_eq!(name_prefix_from_name("terraform-20261127120000000000000000zz"), None);
    }
}
