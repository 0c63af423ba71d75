//! A plugin's schema, from the on-disk cache or from the plugin.
//!
//! Terraform starts every plugin on every command to ask for its schema: the hashicorp/aws
//! plugin is a 700 MB binary whose schema answer is megabytes, seconds of each command. The
//! answer depends only on the binary, so terrane keeps it, keyed by the binary's path, size,
//! modification time and inode (a new version, a reinstall or a rebuild all change one of
//! them; hashing 700 MB on every command would cost what it saves). The cache lives in
//! `$TERRANE_PLUGIN_CACHE_DIR`, else `$XDG_CACHE_HOME/terrane/plugin-schemas`, else
//! `~/.cache/terrane/plugin-schemas`; a cache that cannot be read or written is only slower.

use crate::process::{Plugin, PluginError};
use crate::schema::{Converted, convert_v5, convert_v6};
use crate::wire::{self, Method};
use prost::Message;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// Bumped when what is cached, or how it is converted, changes.
const FORMAT: &str = "terrane-plugin-schema-1";

/// The directory of cached schemas.
pub fn cache_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("TERRANE_PLUGIN_CACHE_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d));
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    Some(base.join("terrane").join("plugin-schemas"))
}

fn key(path: &Path) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let path = path.canonicalize().ok()?;
    let m = std::fs::metadata(&path).ok()?;
    let mut h = Sha256::new();
    h.update(FORMAT.as_bytes());
    h.update(path.as_os_str().as_encoded_bytes());
    h.update(m.len().to_le_bytes());
    h.update(m.mtime().to_le_bytes());
    h.update(m.mtime_nsec().to_le_bytes());
    h.update(m.ino().to_le_bytes());
    Some(hex::encode(h.finalize()))
}

/// Where the schema came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Cache,
    Plugin,
}

/// The schema of the plugin at `path`: cached, or asked of the plugin (and cached).
pub async fn load_schema(path: &Path, name: &str, dir: Option<&Path>) -> Result<(Converted, Origin), PluginError> {
    let file = dir.zip(key(path)).map(|(d, k)| d.join(format!("{k}.pb")));
    if let Some(bytes) = file.as_ref().and_then(|f| std::fs::read(f).ok())
        && let Some(c) = decode(&bytes)
    {
        return Ok((c, Origin::Cache));
    }
    let plugin = Plugin::start(path, name).await?;
    let protocol = plugin.protocol;
    let (bytes, converted) = if protocol >= 6 {
        let r: wire::v6::GetProviderSchemaResponse = plugin.call(Method::GetProviderSchema, wire::Empty {}).await?;
        (r.encode_to_vec(), convert_v6(&r))
    } else {
        let r: wire::v5::GetProviderSchemaResponse = plugin.call(Method::GetProviderSchema, wire::Empty {}).await?;
        (r.encode_to_vec(), convert_v5(&r))
    };
    plugin.shutdown().await;
    let mut record = vec![u8::try_from(protocol).unwrap_or(5)];
    record.extend_from_slice(&bytes);
    if converted.diagnostics.iter().any(|d| d.severity == wire::SEVERITY_ERROR) {
        // Not cached: the plugin could not make its schema.
        return Ok((converted, Origin::Plugin));
    }
    if let Some(f) = file {
        let written = f.parent().map(std::fs::create_dir_all).transpose().and_then(|_| {
            let tmp = tempfile::NamedTempFile::new_in(f.parent().unwrap_or(Path::new(".")))?;
            std::fs::write(tmp.path(), &record)?;
            tmp.persist(&f).map_err(|e| e.error)?;
            Ok(())
        });
        if let Err(e) = written {
            tracing::debug!("could not cache the schema of {name} in {}: {e}", f.display());
        }
    }
    Ok((converted, Origin::Plugin))
}

fn decode(record: &[u8]) -> Option<Converted> {
    let (&protocol, bytes) = record.split_first()?;
    Some(if protocol >= 6 {
        convert_v6(&wire::v6::GetProviderSchemaResponse::decode(bytes).ok()?)
    } else {
        convert_v5(&wire::v5::GetProviderSchemaResponse::decode(bytes).ok()?)
    })
}
