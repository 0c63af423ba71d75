//! `local_file` and `local_sensitive_file`: a file written with the given content. Every
//! argument replaces it; the attributes are the content's checksums, `id` its SHA-1. Refresh
//! drops the resource when the file is gone or its SHA-1 is no longer `id` (the plugin's
//! `RemoveResource`), so the next plan writes it again. The sensitive one marks `content` and
//! `content_base64` sensitive and defaults both permissions to "0700".

use super::{Checksums, check_exactly_one, check_permission, error, go_io_error, mode};
use crate::kit::{Ctx, Managed, Result};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::io::Write as _;
use std::os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _};
use std::path::Path;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

/// The computed attributes: `id` (the SHA-1 in hexadecimal) and the checksums.
#[derive(Model, Clone, Debug, Default)]
pub(crate) struct Sums {
    #[model(computed)]
    pub id: Option<String>,
    #[model(computed)]
    pub content_md5: Option<String>,
    #[model(computed)]
    pub content_sha1: Option<String>,
    #[model(computed)]
    pub content_sha256: Option<String>,
    #[model(computed)]
    pub content_base64sha256: Option<String>,
    #[model(computed)]
    pub content_sha512: Option<String>,
    #[model(computed)]
    pub content_base64sha512: Option<String>,
}

impl From<Checksums> for Sums {
    fn from(c: Checksums) -> Sums {
        Sums {
            id: Some(c.sha1.clone()),
            content_md5: Some(c.md5),
            content_sha1: Some(c.sha1),
            content_sha256: Some(c.sha256),
            content_base64sha256: Some(c.base64sha256),
            content_sha512: Some(c.sha512),
            content_base64sha512: Some(c.base64sha512),
        }
    }
}

#[derive(Model, Clone, Debug, Default)]
struct FileObject {
    #[model(required, force_new)]
    filename: String,
    #[model(optional, force_new)]
    content: Option<String>,
    #[model(optional, force_new, sensitive)]
    sensitive_content: Option<String>,
    #[model(optional, force_new)]
    content_base64: Option<String>,
    #[model(optional, force_new)]
    source: Option<String>,
    #[model(optional, computed, force_new, default = "0777")]
    file_permission: Option<String>,
    #[model(optional, computed, force_new, default = "0777")]
    directory_permission: Option<String>,
    #[model(flatten)]
    sums: Sums,
}

#[derive(Model, Clone, Debug, Default)]
struct SensitiveFileObject {
    #[model(required, force_new)]
    filename: String,
    #[model(optional, force_new, sensitive)]
    content: Option<String>,
    #[model(optional, force_new, sensitive)]
    content_base64: Option<String>,
    #[model(optional, force_new)]
    source: Option<String>,
    #[model(optional, computed, force_new, default = "0700")]
    file_permission: Option<String>,
    #[model(optional, computed, force_new, default = "0700")]
    directory_permission: Option<String>,
    #[model(flatten)]
    sums: Sums,
}

/// What a create needs, from either model.
struct Spec {
    filename: String,
    content: Option<String>,
    content_base64: Option<String>,
    source: Option<String>,
    file_permission: String,
    directory_permission: String,
}

pub(crate) struct LocalFile {
    sensitive: bool,
}

impl LocalFile {
    pub const PLAIN: LocalFile = LocalFile { sensitive: false };
    pub const SENSITIVE: LocalFile = LocalFile { sensitive: true };

    fn spec(&self, v: &Value) -> Result<Spec> {
        Ok(if self.sensitive {
            let o = SensitiveFileObject::from_value(v)?;
            Spec {
                filename: o.filename,
                content: o.content,
                content_base64: o.content_base64,
                source: o.source,
                file_permission: o.file_permission.unwrap_or_else(|| "0700".into()),
                directory_permission: o.directory_permission.unwrap_or_else(|| "0700".into()),
            }
        } else {
            let o = FileObject::from_value(v)?;
            Spec {
                filename: o.filename,
                // The plugin's parseLocalFileContent: sensitive_content first.
                content: o.sensitive_content.or(o.content),
                content_base64: o.content_base64,
                source: o.source,
                file_permission: o.file_permission.unwrap_or_else(|| "0777".into()),
                directory_permission: o.directory_permission.unwrap_or_else(|| "0777".into()),
            }
        })
    }

    fn with_sums(&self, v: &Value, sums: Sums) -> Result<Value> {
        Ok(if self.sensitive {
            SensitiveFileObject { sums, ..SensitiveFileObject::from_value(v)? }.to_value()
        } else {
            FileObject { sums, ..FileObject::from_value(v)? }.to_value()
        })
    }
}

/// The bytes to write, in the plugin's order: (sensitive) content, base64 content, source.
fn content(spec: &Spec) -> std::result::Result<Vec<u8>, String> {
    if let Some(b) = &spec.content_base64 {
        return STANDARD.decode(b).map_err(|e| format!("illegal base64 data: {e}"));
    }
    if let Some(src) = &spec.source {
        return std::fs::read(src).map_err(|e| go_io_error("open", Path::new(src), &e));
    }
    Ok(spec.content.clone().unwrap_or_default().into_bytes())
}

fn create_error(what: &str, err: String) -> crate::kit::Result<Value> {
    Err(error(
        "Create local file error",
        format!("An unexpected error occurred while {what}\n\n+Original Error: {err}"),
    ))
}

/// Writes the file: missing parent directories made with `directory_permission`, the file
/// created with `file_permission` (both before the umask, and an existing file keeps its
/// mode, as Go's `os.MkdirAll` and `os.WriteFile`).
fn write(spec: &Spec, bytes: &[u8]) -> std::result::Result<(), (&'static str, String)> {
    let path = Path::new(&spec.filename);
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if std::fs::metadata(dir).is_err() {
        let m = mode(&spec.directory_permission).map_err(|e| ("creating file directory", e.message))?;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(m)
            .create(dir)
            .map_err(|e| ("creating file directory", go_io_error("mkdir", dir, &e)))?;
    }
    let m = mode(&spec.file_permission).map_err(|e| ("writing the file", e.message))?;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(m)
        .open(path)
        .map_err(|e| ("writing the file", go_io_error("open", path, &e)))?;
    f.write_all(bytes).map_err(|e| ("writing the file", go_io_error("write", path, &e)))
}

#[async_trait::async_trait]
impl Managed for LocalFile {
    fn name(&self) -> &'static str {
        if self.sensitive { "local_sensitive_file" } else { "local_file" }
    }
    fn schema(&self) -> Schema {
        if self.sensitive { SensitiveFileObject::schema() } else { FileObject::schema() }
    }
    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let names: &[&str] = if self.sensitive {
            &["content", "content_base64", "source"]
        } else {
            &["content", "sensitive_content", "content_base64", "source"]
        };
        check_exactly_one(config, names, &mut out);
        check_permission(config, "file_permission", &mut out);
        check_permission(config, "directory_permission", &mut out);
        out
    }
    async fn create(&self, _c: &Ctx<'_>, planned: Value) -> Result<Value> {
        let spec = self.spec(&planned)?;
        tracing::debug!(filename = %spec.filename, "{}: writing the file", self.name());
        let bytes = match content(&spec) {
            Ok(b) => b,
            Err(e) => return create_error("parsing local file content", e),
        };
        if let Err((what, e)) = write(&spec, &bytes) {
            return create_error(what, e);
        }
        self.with_sums(&planned, Checksums::of(&bytes).into())
    }
    async fn read(&self, _c: &Ctx<'_>, current: Value) -> Result<Option<Value>> {
        let spec = self.spec(&current)?;
        let path = Path::new(&spec.filename);
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(error(
                    "Read local file error",
                    format!(
                        "An unexpected error occurred while reading the file\n\n+Original Error: {}",
                        go_io_error("open", path, &e)
                    ),
                ));
            }
        };
        let id = current.get_attr("id").and_then(Value::as_str).unwrap_or_default();
        Ok((Checksums::of(&bytes).sha1 == id).then_some(current))
    }
    async fn delete(&self, _c: &Ctx<'_>, prior: Value) -> Result<()> {
        if let Some(f) = prior.get_attr("filename").and_then(Value::as_str) {
            let _ = std::fs::remove_file(f);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt as _;

    fn ctx() -> Ctx<'static> {
        crate::kit::test_ctx()
    }

    fn planned(t: &LocalFile, attrs: Vec<(&str, Value)>) -> Value {
        let config = Value::object(attrs).conform(&t.schema().value_type());
        terrane_engine::plan::diff::generic_plan(&t.schema(), None, &config).planned
    }

    #[tokio::test]
    async fn writes_the_content_with_its_modes_and_refresh_drops_it_when_changed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("sub/dir/f.txt");
        let p = planned(
            &LocalFile::PLAIN,
            vec![
                ("filename", Value::string(file.to_str().unwrap())),
                ("content", Value::string("This is some content")),
                ("file_permission", Value::string("0640")),
                ("directory_permission", Value::string("0750")),
            ],
        );
        let v = LocalFile::PLAIN.create(&ctx(), p).await.unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "This is some content");
        assert_eq!(v.get_attr("id").unwrap().as_str(), Some("f3705a38abd5d2bd1f4fecda606d216216c536b1"));
        // Before the umask: no more than asked, and the owner's bits (no umask takes those).
        let fm = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        let dm = std::fs::metadata(file.parent().unwrap()).unwrap().permissions().mode() & 0o777;
        assert_eq!(fm & !0o640, 0, "{fm:o}");
        assert_eq!(dm & !0o750, 0, "{dm:o}");
        assert!(fm & 0o600 == 0o600 && dm & 0o700 == 0o700);

        assert!(LocalFile::PLAIN.read(&ctx(), v.clone()).await.unwrap().is_some());
        std::fs::write(&file, "changed").unwrap();
        assert!(LocalFile::PLAIN.read(&ctx(), v.clone()).await.unwrap().is_none(), "changed outside");
        LocalFile::PLAIN.delete(&ctx(), v.clone()).await.unwrap();
        assert!(!file.exists());
        assert!(LocalFile::PLAIN.read(&ctx(), v).await.unwrap().is_none(), "gone");
    }

    #[tokio::test]
    async fn base64_and_source_and_sensitive_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::write(&src, [0u8, 159, 146, 150]).unwrap();
        let out = dir.path().join("out");
        let p = planned(
            &LocalFile::SENSITIVE,
            vec![("filename", Value::string(out.to_str().unwrap())), ("source", Value::string(src.to_str().unwrap()))],
        );
        assert_eq!(p.get_attr("file_permission").unwrap().as_str(), Some("0700"));
        let v = LocalFile::SENSITIVE.create(&ctx(), p).await.unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), [0u8, 159, 146, 150]);
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o077, 0);
        assert_eq!(
            v.get_attr("content_sha1").unwrap().as_str(),
            Some(Checksums::of(&[0, 159, 146, 150]).sha1.as_str())
        );

        let b64 = dir.path().join("b64");
        let p = planned(
            &LocalFile::PLAIN,
            vec![
                ("filename", Value::string(b64.to_str().unwrap())),
                ("content_base64", Value::string("VGhpcyBpcyBzb21lIGJhc2U2NCBjb250ZW50")),
            ],
        );
        LocalFile::PLAIN.create(&ctx(), p).await.unwrap();
        assert_eq!(std::fs::read_to_string(&b64).unwrap(), "This is some base64 content");
    }

    #[test]
    fn every_argument_forces_replacement_and_the_sensitive_ones_are_marked() {
        for t in [LocalFile::PLAIN, LocalFile::SENSITIVE] {
            let s = t.schema();
            for (name, a) in &s.attributes {
                assert_eq!(a.force_new, a.required || a.optional, "{}.{name}", t.name());
            }
        }
        let s = LocalFile::PLAIN.schema();
        assert!(s.attributes["sensitive_content"].sensitive && !s.attributes["content"].sensitive);
        let s = LocalFile::SENSITIVE.schema();
        assert!(s.attributes["content"].sensitive && s.attributes["content_base64"].sensitive);
        assert!(!s.attributes["source"].sensitive);
    }
}
