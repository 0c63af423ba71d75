//! `data "aws_region"`: the provider's region, or the one named by `name` or by its EC2 `endpoint`.

use crate::resource::{Ctx, DataSourceType, Result};
use crate::val;
use async_trait::async_trait;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::{Attribute, Schema};
use terrane_engine::value::Type;
use terrane_engine::value::Value;

pub struct Region;

#[async_trait]
impl DataSourceType for Region {
    fn name(&self) -> &'static str {
        "aws_region"
    }

    fn schema(&self) -> Schema {
        Schema::new()
            .attr("id", Attribute::computed(Type::String))
            .attr("name", Attribute::optional_computed(Type::String))
            .attr("endpoint", Attribute::optional_computed(Type::String))
            .attr("description", Attribute::computed(Type::String))
    }

    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value> {
        let by_endpoint = match val::string(config, "endpoint") {
            Some(e) => Some(region_of_endpoint(&e).ok_or_else(|| {
                ProviderError::new(format!(
                    "no AWS region has the EC2 endpoint {e:?} (expected ec2.REGION.amazonaws.com)"
                ))
            })?),
            None => None,
        };
        let name = match (val::string(config, "name"), by_endpoint) {
            (Some(n), Some(e)) if n != e => {
                return Err(ProviderError::new(format!(
                    "region {n:?} does not have the endpoint {:?}",
                    val::string(config, "endpoint").unwrap_or_default()
                )));
            }
            (Some(n), _) => n,
            (None, Some(e)) => e,
            (None, None) => c.clients.region.clone(),
        };
        Ok(Value::object([
            ("id", Value::from(name.as_str())),
            ("name", Value::from(name.as_str())),
            ("endpoint", Value::from(format!("ec2.{name}.amazonaws.com"))),
            ("description", Value::from(name.as_str())),
        ]))
    }
}

/// The region of an EC2 endpoint (`ec2.eu-west-1.amazonaws.com`, `ec2.cn-north-1.amazonaws.com.cn`).
fn region_of_endpoint(e: &str) -> Option<String> {
    let rest = e.strip_prefix("https://").unwrap_or(e).strip_prefix("ec2.")?;
    let (region, domain) = rest.split_once('.')?;
    let ok = !region.is_empty() && region.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-');
    (ok && matches!(domain, "amazonaws.com" | "amazonaws.com.cn")).then(|| region.to_string())
}

#[cfg(test)]
mod tests {
    use super::region_of_endpoint;

    #[test]
    fn regions_are_found_by_their_ec2_endpoint() {
        assert_eq!(region_of_endpoint("ec2.eu-west-1.amazonaws.com").as_deref(), Some("eu-west-1"));
        assert_eq!(region_of_endpoint("ec2.cn-north-1.amazonaws.com.cn").as_deref(), Some("cn-north-1"));
        assert_eq!(region_of_endpoint("s3.eu-west-1.amazonaws.com"), None);
        assert_eq!(region_of_endpoint("ec2.eu-west-1.example.com"), None);
    }
}
