//! hashicorp/local 2.9: files on the machine that runs terrane. `local_file` and
//! `local_sensitive_file` write one (every argument replaces it; a file changed or removed
//! outside terrane is dropped from the state on refresh, so the next plan writes it again),
//! and the data sources of the same names read one. (Not built in: the `local_command` data
//! source, ephemeral resource and action, and the `direxists` function, newer than the rest.)

mod data_file;
mod file;

use crate::kit::{Kit, Result};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};
use std::path::Path;
use terrane_engine::diag::Diagnostic;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

pub fn factory() -> Kit {
    Kit::new(
        "hashicorp/local",
        Schema::new(),
        vec![Box::new(file::LocalFile::PLAIN), Box::new(file::LocalFile::SENSITIVE)],
        vec![Box::new(data_file::DataFile::PLAIN), Box::new(data_file::DataFile::SENSITIVE)],
    )
}

/// The checksums every type of this provider records of a file's content (the plugin's
/// `genFileChecksums`): hexadecimal, and base64 for SHA-256 and SHA-512.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Checksums {
    pub md5: String,
    pub sha1: String,
    pub sha256: String,
    pub base64sha256: String,
    pub sha512: String,
    pub base64sha512: String,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

impl Checksums {
    pub fn of(content: &[u8]) -> Checksums {
        let sha256 = Sha256::digest(content);
        let sha512 = Sha512::digest(content);
        Checksums {
            md5: hex(&Md5::digest(content)),
            sha1: hex(&Sha1::digest(content)),
            sha256: hex(&sha256),
            base64sha256: STANDARD.encode(sha256),
            sha512: hex(&sha512),
            base64sha512: STANDARD.encode(sha512),
        }
    }
}

/// An I/O error as Go's `os` package words it: `open PATH: no such file or directory`.
pub(crate) fn go_io_error(op: &str, path: &Path, e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    let mut chars = text.chars();
    let text = match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    };
    format!("{op} {}: {text}", path.display())
}

/// A provider error with the plugin's summary and detail.
pub(crate) fn error(summary: &str, detail: String) -> ProviderError {
    let mut e = ProviderError::new(detail);
    e.summary = Some(summary.to_string());
    e
}

/// The plugin's `file_permission` / `directory_permission` check: three or four octal digits,
/// at most 0777.
pub(crate) fn check_permission(config: &Value, name: &str, out: &mut Vec<Diagnostic>) {
    let Some(fp) = config.get_attr(name).and_then(Value::as_str) else { return };
    let detail = if fp.len() < 3 || fp.len() > 4 {
        format!("bad mode permission: string length should be 3 or 4 digits: {fp}")
    } else if !u32::from_str_radix(fp, 8).is_ok_and(|m| m <= 0o777) {
        format!("bad mode permission: string must be expressed in octal numeric notation: {fp}")
    } else {
        return;
    };
    out.push(Diagnostic::error("Invalid File Permission String Value", detail).about_attribute(name));
}

/// The framework's `ExactlyOneOf` over `names`: one of them set (unknown counts as set, and
/// an unknown one defers the check to apply).
pub(crate) fn check_exactly_one(config: &Value, names: &[&str], out: &mut Vec<Diagnostic>) {
    let attrs: Vec<&Value> = names.iter().filter_map(|n| config.get_attr(n)).collect();
    if attrs.iter().any(|v| !v.is_known()) {
        return;
    }
    let set = attrs.iter().filter(|v| !v.is_null()).count();
    let list = format!("[{}]", names.join(","));
    let detail = match set {
        1 => return,
        0 => format!("No attribute specified when one (and only one) of {list} is required"),
        n => format!("{n} attributes specified when one (and only one) of {list} is required"),
    };
    out.push(Diagnostic::error("Invalid Attribute Combination", detail).about_attribute(names[0]));
}

/// The octal mode of a permission string (validated already).
pub(crate) fn mode(perm: &str) -> Result<u32> {
    u32::from_str_radix(perm, 8).map_err(|_| ProviderError::new(format!("bad mode permission: {perm}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksums_as_coreutils_print_them() {
        // The content of the plugin's acceptance tests; the expected values from `md5sum`,
        // `sha1sum`, `sha256sum`, `sha512sum` and `openssl dgst -binary | base64`.
        let c = Checksums::of(b"This is some content");
        assert_eq!(c.md5, "ee428920507e39e8d89c2cabe6641b67");
        assert_eq!(c.sha1, "f3705a38abd5d2bd1f4fecda606d216216c536b1");
        assert_eq!(c.sha256, "d68e560efbe6f20c31504b2fc1c6d3afa1f58b8ee293ad3311939a5fd5059a12");
        assert_eq!(c.base64sha256, "1o5WDvvm8gwxUEsvwcbTr6H1i47ik60zEZOaX9UFmhI=");
        assert_eq!(
            c.sha512,
            "217150cec0dac8ba2d640eeb80f12407c3b9362650e716bc568fcd2cca0fd951db25fd4aa0aefa6454803697ecb74fd3dc8b36bd2c2e5a3a3ac2456e3017728d"
        );
        assert_eq!(
            c.base64sha512,
            "IXFQzsDayLotZA7rgPEkB8O5NiZQ5xa8Vo/NLMoP2VHbJf1KoK76ZFSANpfst0/T3Is2vSwuWjo6wkVuMBdyjQ=="
        );
    }

    #[test]
    fn permissions_are_checked_as_the_plugin_checks_them() {
        let check = |p: &str| {
            let mut out = Vec::new();
            check_permission(&Value::object([("file_permission", Value::string(p))]), "file_permission", &mut out);
            out.into_iter().map(|d| d.detail).collect::<Vec<_>>()
        };
        assert!(check("0644").is_empty());
        assert!(check("755").is_empty());
        assert_eq!(check("9999"), ["bad mode permission: string must be expressed in octal numeric notation: 9999"]);
        assert_eq!(check("07777"), ["bad mode permission: string length should be 3 or 4 digits: 07777"]);
        assert_eq!(check("1777"), ["bad mode permission: string must be expressed in octal numeric notation: 1777"]);
    }

    #[test]
    fn exactly_one_content_argument() {
        let names = ["content", "content_base64", "source"];
        let check = |attrs: Vec<(&str, Value)>| {
            let mut out = Vec::new();
            check_exactly_one(&Value::object(attrs), &names, &mut out);
            out.into_iter().map(|d| d.detail).collect::<Vec<_>>()
        };
        let null = || Value::null(terrane_engine::value::Type::String);
        assert!(
            check(vec![("content", Value::string("x")), ("content_base64", null()), ("source", null())]).is_empty()
        );
        assert_eq!(
            check(vec![("content", null()), ("content_base64", null()), ("source", null())]),
            ["No attribute specified when one (and only one) of [content,content_base64,source] is required"]
        );
        assert_eq!(
            check(vec![("content", Value::string("x")), ("content_base64", Value::string("eA==")), ("source", null())]),
            ["2 attributes specified when one (and only one) of [content,content_base64,source] is required"]
        );
        let unknown = Value::unknown(terrane_engine::value::Type::String);
        assert!(check(vec![("content", unknown), ("content_base64", null()), ("source", null())]).is_empty());
    }
}
