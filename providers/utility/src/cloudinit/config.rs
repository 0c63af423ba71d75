//! Data source `cloudinit_config`: `part` blocks rendered as one multi-part MIME document,
//! gzipped (default) and Base64-encoded (default; required with gzip); `id` the CRC-32 of
//! `rendered` in decimal. The state records the defaults it applied (`gzip`,
//! `base64_encode`, `boundary` "MIMEBOUNDARY", a part's `content_type` "text/plain").

use super::mime::{Part, render};
use crate::kit::{Ctx, Data, Result};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

#[derive(Model, Clone, Debug, Default)]
pub(super) struct PartObject {
    #[model(optional, computed)]
    pub content_type: Option<String>,
    #[model(required)]
    pub content: String,
    #[model(optional)]
    pub filename: Option<String>,
    #[model(optional)]
    pub merge_type: Option<String>,
}

#[derive(Model, Clone, Debug, Default)]
pub(super) struct ConfigObject {
    #[model(block = "list")]
    pub part: Vec<PartObject>,
    #[model(optional, computed)]
    pub gzip: Option<bool>,
    #[model(optional, computed)]
    pub base64_encode: Option<bool>,
    #[model(optional, computed)]
    pub boundary: Option<String>,
    #[model(computed)]
    pub rendered: Option<String>,
    #[model(computed)]
    pub id: Option<String>,
}

impl ConfigObject {
    /// The plugin's `setDefaults`.
    pub(super) fn with_defaults(mut self) -> ConfigObject {
        self.gzip = self.gzip.or(Some(true));
        self.base64_encode = self.base64_encode.or(Some(true));
        self.boundary = self.boundary.or_else(|| Some("MIMEBOUNDARY".into()));
        for p in &mut self.part {
            if p.content_type.as_deref().is_none_or(str::is_empty) {
                p.content_type = Some("text/plain".into());
            }
        }
        self
    }

    /// The plugin's `update`: `rendered` and `id`.
    pub(super) fn rendered(mut self) -> std::result::Result<ConfigObject, &'static str> {
        let parts: Vec<Part<'_>> = self
            .part
            .iter()
            .map(|p| Part {
                content_type: p.content_type.as_deref().unwrap_or("text/plain"),
                content: &p.content,
                filename: p.filename.as_deref().unwrap_or(""),
                merge_type: p.merge_type.as_deref().unwrap_or(""),
            })
            .collect();
        let doc = render(self.boundary.as_deref().unwrap_or("MIMEBOUNDARY"), &parts)?;
        let bytes = if self.gzip == Some(true) {
            terrane_engine::lang::funcs::go_gzip(doc.as_bytes())
        } else {
            doc.into_bytes()
        };
        let out = if self.base64_encode == Some(true) {
            STANDARD.encode(&bytes)
        } else {
            // Only without gzip (validated), so the document's own UTF-8.
            String::from_utf8(bytes).map_err(|_| "the rendered document is not UTF-8")?
        };
        // hashcode.String: the CRC-32 as a non-negative Go int.
        self.id = Some(crc32fast::hash(out.as_bytes()).to_string());
        self.rendered = Some(out);
        Ok(self)
    }
}

pub(crate) struct CloudinitConfig;

#[async_trait::async_trait]
impl Data for CloudinitConfig {
    fn name(&self) -> &'static str {
        "cloudinit_config"
    }
    fn schema(&self) -> Schema {
        ConfigObject::schema()
    }
    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        validate(config)
    }
    async fn read(&self, _c: &Ctx<'_>, config: Value) -> Result<Value> {
        let config = ConfigObject::from_value(&config)?.with_defaults();
        Ok(rendered(config)?.to_value())
    }
}

/// The rendered document, or the plugin's error.
pub(super) fn rendered(config: ConfigObject) -> Result<ConfigObject> {
    config.rendered().map_err(|e| {
        let mut err = ProviderError::new(e);
        err.summary = Some("Unable to render cloudinit config to MIME multi-part file".into());
        err
    })
}

/// The checks of both the data source and the resource (the plugin's `validate`, and the
/// list and length validators).
pub(super) fn validate(config: &Value) -> Vec<Diagnostic> {
    {
        let mut out = Vec::new();
        let attr = |n: &str| config.get_attr(n).cloned().unwrap_or(Value::NULL);
        let (gzip, b64) = (attr("gzip"), attr("base64_encode"));
        if gzip.is_known() && b64.is_known() && gzip.as_bool().unwrap_or(true) && !b64.as_bool().unwrap_or(true) {
            out.push(
                Diagnostic::error(
                    "Invalid Attribute Configuration",
                    "Expected base64_encode to be set to true when gzip is true.",
                )
                .about_attribute("base64_encode"),
            );
        }
        let part = attr("part");
        if part.is_known() && part.length_int().is_none_or(|n| n == 0) {
            // listvalidator.IsRequired.
            out.push(Diagnostic::error(
                "Invalid Block",
                "Block part must have a configuration value as the provider has marked it as required",
            ));
        }
        if let Some(b) = attr("boundary").as_str()
            && b.is_empty()
        {
            out.push(
                Diagnostic::error(
                    "Invalid Attribute Value Length",
                    "Attribute boundary string length must be at least 1, got: 0",
                )
                .about_attribute("boundary"),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(p: &serde_json::Value) -> PartObject {
        let s = |k: &str| p[k].as_str().map(str::to_string);
        PartObject {
            content_type: s("content_type"),
            content: s("content").unwrap(),
            filename: s("filename"),
            merge_type: s("merge_type"),
        }
    }

    /// Every rendering case of the plugin's acceptance tests, with the value they expect.
    #[test]
    fn renders_the_plugins_test_cases_byte_for_byte() {
        let text = include_str!("../../tests/fixtures/cloudinit_render_cases.json");
        let fixture: serde_json::Value = serde_json::from_str(text).unwrap();
        let cases = fixture["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 12);
        for case in cases {
            let c = &case["config"];
            let config = ConfigObject {
                part: c["part"].as_array().unwrap().iter().map(part).collect(),
                gzip: c["gzip"].as_bool(),
                base64_encode: c["base64_encode"].as_bool(),
                boundary: c["boundary"].as_str().map(str::to_string),
                ..ConfigObject::default()
            };
            let done = config.with_defaults().rendered().unwrap();
            assert_eq!(done.rendered.as_deref(), case["rendered"].as_str(), "{}", case["name"]);
            let crc = crc32fast::hash(case["rendered"].as_str().unwrap().as_bytes());
            assert_eq!(done.id, Some(crc.to_string()));
        }
    }

    #[test]
    fn records_the_defaults_and_checks_the_boundary() {
        let config = ConfigObject {
            part: vec![PartObject { content: "x".into(), ..PartObject::default() }],
            ..ConfigObject::default()
        }
        .with_defaults();
        assert_eq!((config.gzip, config.base64_encode), (Some(true), Some(true)));
        assert_eq!(config.boundary.as_deref(), Some("MIMEBOUNDARY"));
        assert_eq!(config.part[0].content_type.as_deref(), Some("text/plain"));
        let bad = ConfigObject { boundary: Some("a\"b".into()), ..config.clone() };
        assert_eq!(bad.rendered().err(), Some("mime: invalid boundary character"));
        let long = ConfigObject { boundary: Some("x".repeat(71)), ..config.clone() };
        assert_eq!(long.rendered().err(), Some("mime: invalid boundary length"));
        let trailing_space = ConfigObject { boundary: Some("ab ".into()), ..config };
        assert_eq!(trailing_space.rendered().err(), Some("mime: invalid boundary character"));
    }

    #[test]
    fn gzip_needs_base64_and_a_part_is_required() {
        let d = CloudinitConfig.validate(&Value::object([
            ("gzip", Value::bool(true)),
            ("base64_encode", Value::bool(false)),
            ("part", Value::list_of(vec![Value::object([("content", Value::string("abc"))])]).unwrap()),
        ]));
        assert_eq!(d.len(), 1);
        assert!(d[0].detail.contains("Expected base64_encode to be set to true when gzip is true"));
        let d = CloudinitConfig.validate(&Value::object([
            ("gzip", Value::bool(false)),
            ("base64_encode", Value::bool(false)),
            ("part", Value::empty_list(PartObject::schema().value_type())),
        ]));
        assert_eq!(d.len(), 1);
        assert!(d[0].detail.contains("part must have a configuration value"), "{}", d[0].detail);
    }
}
