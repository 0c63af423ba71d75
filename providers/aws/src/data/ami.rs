//! `data "aws_ami"`: the image for the swarm nodes (filters, owners, most_recent).

use crate::errors::sdk_error;
use crate::resource::{Ctx, DataSourceType, Result};
use crate::val;
use async_trait::async_trait;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::{PathStep, Value};

pub struct Ami;

#[async_trait]
impl DataSourceType for Ami {
    fn name(&self) -> &'static str {
        "aws_ami"
    }

    fn schema(&self) -> Schema {
        super::with_filters(
            Schema::new()
                .attr("id", Attribute::computed(Type::String))
                .attr("owners", Attribute::optional(Type::list(Type::String)))
                .attr("most_recent", Attribute::optional(Type::Bool).default(false))
                .attr("name_regex", Attribute::optional(Type::String))
                .attr("executable_users", Attribute::optional(Type::list(Type::String)))
                .attr("name", Attribute::computed(Type::String))
                .attr("arn", Attribute::computed(Type::String))
                .attr("architecture", Attribute::computed(Type::String))
                .attr("creation_date", Attribute::computed(Type::String))
                .attr("description", Attribute::computed(Type::String))
                .attr("image_id", Attribute::computed(Type::String))
                .attr("owner_id", Attribute::computed(Type::String))
                .attr("root_device_name", Attribute::computed(Type::String))
                .attr("virtualization_type", Attribute::computed(Type::String)),
        )
    }

    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value> {
        let owners = val::strings(config, "owners");
        let out = c
            .clients
            .ec2
            .describe_images()
            .set_filters(Some(super::filters(config)))
            .set_owners((!owners.is_empty()).then_some(owners))
            .set_executable_users({
                let u = val::strings(config, "executable_users");
                (!u.is_empty()).then_some(u)
            })
            .send()
            .await
            .map_err(|e| sdk_error("reading AMIs", e))?;
        let name_regex = match val::string(config, "name_regex") {
            Some(r) => {
                Some(regex::Regex::new(&r).map_err(|e| ProviderError::new(format!("invalid name_regex {r:?}: {e}")))?)
            }
            None => None,
        };
        let mut images: Vec<_> = out
            .images()
            .iter()
            .filter(|i| name_regex.as_ref().is_none_or(|re| i.name().is_some_and(|n| re.is_match(n))))
            .collect();
        images.sort_by(|a, b| b.creation_date().cmp(&a.creation_date()));
        let image = match (images.len(), val::boolean(config, "most_recent").unwrap_or(false)) {
            (0, _) => {
                return Err(ProviderError::new(
                    "Your query returned no results. Please change your search criteria and try again.",
                ));
            }
            (1, _) | (_, true) => images[0],
            (n, false) => {
                return Err(ProviderError::new(format!(
                    "Your query returned more than one result ({n}). Please try a more specific search criteria, or set `most_recent` attribute to true."
                )));
            }
        };
        let id = image.image_id().unwrap_or_default();
        let mut v = config.clone();
        for (k, x) in [
            ("id", Value::from(id)),
            ("image_id", Value::from(id)),
            ("name", val::opt_str(image.name())),
            ("arn", Value::from(format!("arn:aws:ec2:{}::image/{id}", c.clients.region))),
            ("architecture", val::opt_str(image.architecture().map(|a| a.as_str()))),
            ("creation_date", val::opt_str(image.creation_date())),
            ("description", val::opt_str(image.description())),
            ("owner_id", val::opt_str(image.owner_id())),
            ("root_device_name", val::opt_str(image.root_device_name())),
            ("virtualization_type", val::opt_str(image.virtualization_type().map(|a| a.as_str()))),
        ] {
            v.set_at_path(&[PathStep::Attr(k.into())], x);
        }
        Ok(v)
    }
}
