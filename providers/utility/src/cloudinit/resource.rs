//! The deprecated `cloudinit_config` resource: the data source's document kept in the state
//! (rendered at create; every argument replaces it; the defaults in the schema).

use super::config::{ConfigObject, PartObject, rendered, validate};
use crate::kit::{Ctx, Managed, Result};
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

#[derive(Model, Clone, Debug, Default)]
struct ResourcePart {
    #[model(optional, computed, force_new, default = "text/plain")]
    content_type: Option<String>,
    #[model(required, force_new)]
    content: String,
    #[model(optional, force_new)]
    filename: Option<String>,
    #[model(optional, force_new)]
    merge_type: Option<String>,
}

#[derive(Model, Clone, Debug, Default)]
struct ResourceObject {
    #[model(block = "list", force_new)]
    part: Vec<ResourcePart>,
    #[model(optional, computed, force_new, default = true)]
    gzip: Option<bool>,
    #[model(optional, computed, force_new, default = true)]
    base64_encode: Option<bool>,
    #[model(optional, computed, force_new, default = "MIMEBOUNDARY")]
    boundary: Option<String>,
    #[model(computed)]
    rendered: Option<String>,
    #[model(computed)]
    id: Option<String>,
}

pub(crate) struct CloudinitConfigResource;

#[async_trait::async_trait]
impl Managed for CloudinitConfigResource {
    fn name(&self) -> &'static str {
        "cloudinit_config"
    }
    fn schema(&self) -> Schema {
        ResourceObject::schema()
    }
    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = validate(config);
        out.push(Diagnostic::warning(
            "Deprecated Resource",
            "This resource is deprecated, please use the cloudinit_config data source instead.",
        ));
        out
    }
    async fn create(&self, _c: &Ctx<'_>, planned: Value) -> Result<Value> {
        let o = ResourceObject::from_value(&planned)?;
        let config = ConfigObject {
            part: o
                .part
                .iter()
                .map(|p| PartObject {
                    content_type: p.content_type.clone(),
                    content: p.content.clone(),
                    filename: p.filename.clone(),
                    merge_type: p.merge_type.clone(),
                })
                .collect(),
            gzip: o.gzip,
            base64_encode: o.base64_encode,
            boundary: o.boundary.clone(),
            ..ConfigObject::default()
        }
        .with_defaults();
        let done = rendered(config)?;
        Ok(ResourceObject { rendered: done.rendered, id: done.id, ..o }.to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn renders_as_the_data_source_and_every_argument_replaces() {
        let part = Value::object([
            ("content", Value::string("heythere")),
            ("content_type", Value::string("text/x-shellscript")),
        ])
        .conform(&ResourcePart::schema().value_type());
        let config = Value::object([("part", Value::list_of(vec![part]).unwrap())])
            .conform(&ResourceObject::schema().value_type());
        let planned = terrane_engine::plan::diff::generic_plan(&ResourceObject::schema(), None, &config).planned;
        assert_eq!(planned.get_attr("boundary").unwrap().as_str(), Some("MIMEBOUNDARY"));
        let v = CloudinitConfigResource.create(&crate::kit::test_ctx(), planned).await.unwrap();
        // The data source test case "gzip compression - basic content".
        assert_eq!(
            v.get_attr("rendered").unwrap().as_str(),
            Some(
                "H4sIAAAAAAAA/2TNuwrCQBCF4X5h32FJP0YrIWLhJYVFFEQFy1xGM5DMhtkJJG8vWkjQ8sDP+XaeFVnhMnaYuLZvlLpcNG5pwGrlCt9zlcu4jrJDlm5P1+N+c75H5r3ghhLIc+IWs7k11gBMI2u+35JzeKBAyqWviJ+JWxakk+CDKw4aDxBqbJpQCnVqTUYt/jk1jlqj4K8IYM0rAAD//0u6BO3QAAAA"
            )
        );
        let s = ResourceObject::schema();
        for n in ["gzip", "base64_encode", "boundary"] {
            assert!(s.attributes[n].force_new, "{n}");
        }
    }
}
