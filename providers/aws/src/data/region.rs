//! `data "aws_region"`: the provider's region, or the one named by `name` or by its EC2 `endpoint`.

use crate::resource::{Ctx, DataSourceType, Result};
use async_trait::async_trait;
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub struct Region;

/// A `data "aws_region"` object.
#[derive(Model, Clone, Debug, Default)]
struct RegionObject {
    #[model(computed)]
    id: Option<String>,
    #[model(optional, computed)]
    name: Option<String>,
    #[model(optional, computed)]
    endpoint: Option<String>,
    #[model(computed)]
    description: Option<String>,
}

#[async_trait]
impl DataSourceType for Region {
    fn name(&self) -> &'static str {
        "aws_region"
    }

    fn schema(&self) -> Schema {
        RegionObject::schema()
    }

    async fn read(&self, c: &Ctx<'_>, config: &Value) -> Result<Value> {
        let config = RegionObject::from_value(config)?;
        let by_endpoint = match &config.endpoint {
            Some(e) => Some(region_of_endpoint(e).ok_or_else(|| {
                ProviderError::new(format!(
                    "no AWS region has the EC2 endpoint {e:?} (expected ec2.REGION.amazonaws.com)"
                ))
            })?),
            None => None,
        };
        let name = match (config.name, by_endpoint) {
            (Some(n), Some(e)) if n != e => {
                return Err(ProviderError::new(format!(
                    "region {n:?} does not have the endpoint {:?}",
                    config.endpoint.unwrap_or_default()
                )));
            }
            (Some(n), _) => n,
            (None, Some(e)) => e,
            (None, None) => c.clients.region.clone(),
        };
        Ok(RegionObject {
            id: Some(name.clone()),
            endpoint: Some(format!("ec2.{name}.amazonaws.com")),
            description: Some(name.clone()),
            name: Some(name),
        }
        .to_value())
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
