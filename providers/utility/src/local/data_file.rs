//! Data sources `local_file` and `local_sensitive_file`: a file's content (as text, invalid
//! UTF-8 replaced with U+FFFD, and as base64) and its checksums; the sensitive one marks both
//! contents sensitive.

use super::file::Sums;
use super::{Checksums, error, go_io_error};
use crate::kit::{Ctx, Data, Result};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::path::Path;
use terrane_engine::model::Model;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

#[derive(Model, Clone, Debug, Default)]
struct DataFileObject {
    #[model(required)]
    filename: String,
    #[model(computed)]
    content: Option<String>,
    #[model(computed)]
    content_base64: Option<String>,
    #[model(flatten)]
    sums: Sums,
}

#[derive(Model, Clone, Debug, Default)]
struct DataSensitiveFileObject {
    #[model(required)]
    filename: String,
    #[model(computed, sensitive)]
    content: Option<String>,
    #[model(computed, sensitive)]
    content_base64: Option<String>,
    #[model(flatten)]
    sums: Sums,
}

pub(crate) struct DataFile {
    sensitive: bool,
}

impl DataFile {
    pub const PLAIN: DataFile = DataFile { sensitive: false };
    pub const SENSITIVE: DataFile = DataFile { sensitive: true };
}

#[async_trait::async_trait]
impl Data for DataFile {
    fn name(&self) -> &'static str {
        if self.sensitive { "local_sensitive_file" } else { "local_file" }
    }
    fn schema(&self) -> Schema {
        if self.sensitive { DataSensitiveFileObject::schema() } else { DataFileObject::schema() }
    }
    async fn read(&self, _c: &Ctx<'_>, config: Value) -> Result<Value> {
        let filename = DataFileObject::from_stub(&config)?.filename;
        let bytes = std::fs::read(&filename).map_err(|e| {
            error(
                "Read local file data source error",
                format!(
                    "The file at given path cannot be read.\n\n+Original Error: {}",
                    go_io_error("open", Path::new(&filename), &e)
                ),
            )
        })?;
        let content = Some(String::from_utf8_lossy(&bytes).into_owned());
        let content_base64 = Some(STANDARD.encode(&bytes));
        let sums = Sums::from(Checksums::of(&bytes));
        Ok(if self.sensitive {
            DataSensitiveFileObject { filename, content, content_base64, sums }.to_value()
        } else {
            DataFileObject { filename, content, content_base64, sums }.to_value()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn reads_content_and_checksums_and_fails_as_the_plugin_on_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("f");
        std::fs::write(&f, b"This is some content").unwrap();
        let config = Value::object([("filename", Value::string(f.to_str().unwrap()))]);
        let v = DataFile::PLAIN.read(&crate::kit::test_ctx(), config).await.unwrap();
        assert_eq!(v.get_attr("content").unwrap().as_str(), Some("This is some content"));
        assert_eq!(v.get_attr("content_base64").unwrap().as_str(), Some("VGhpcyBpcyBzb21lIGNvbnRlbnQ="));
        assert_eq!(v.get_attr("id").unwrap().as_str(), Some("f3705a38abd5d2bd1f4fecda606d216216c536b1"));

        let gone = dir.path().join("gone");
        let config = Value::object([("filename", Value::string(gone.to_str().unwrap()))]);
        let e = DataFile::SENSITIVE.read(&crate::kit::test_ctx(), config).await.unwrap_err();
        assert_eq!(e.summary.as_deref(), Some("Read local file data source error"));
        assert_eq!(
            e.message,
            format!(
                "The file at given path cannot be read.\n\n+Original Error: open {}: no such file or directory",
                gone.display()
            )
        );
    }
}
