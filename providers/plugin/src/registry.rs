//! Provider packages from the network, as Terraform fetches and checks them:
//! - the origin registry's provider registry protocol (`providers.v1`): the versions, then a
//!   platform's package: its address, SHA-256, the `SHA256SUMS` document, its detached
//!   OpenPGP signature and the signing keys;
//! - a network mirror (the provider network mirror protocol: `index.json`, `VERSION.json`);
//! - the checks: the archive's SHA-256 against the registry's and the `SHA256SUMS` line, the
//!   signature against the registry's keys, then against HashiCorp's key (official) or the
//!   partners key's trust signature (partner); else the package is community ("self-signed").
//!   Only a signed `SHA256SUMS` lends its other platforms' `zh:` hashes to the lock file.

use crate::install::{Addr, Version};
use crate::net::Net;
use pgp::composed::{Deserializable, DetachedSignature, SignedPublicKey};
use pgp::types::KeyDetails;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::time::Duration;
use url::Url;

/// How a package was authenticated; the words are Terraform's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    Unauthenticated,
    VerifiedChecksum,
    Official { key_id: String },
    Partner { key_id: String },
    Community { key_id: String },
}

impl Auth {
    /// Signed by someone other than HashiCorp: Terraform names the key and says how to learn
    /// about signing.
    pub fn third_party_key(&self) -> Option<&str> {
        match self {
            Auth::Partner { key_id } | Auth::Community { key_id } => Some(key_id),
            _ => None,
        }
    }
}

impl std::fmt::Display for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Auth::Unauthenticated => "unauthenticated",
            Auth::VerifiedChecksum => "verified checksum",
            Auth::Official { .. } => "signed by HashiCorp",
            Auth::Partner { .. } => "signed by a HashiCorp partner",
            Auth::Community { .. } => "self-signed",
        })
    }
}

/// A registry's signing key.
#[derive(Clone, Debug, Deserialize)]
pub struct SigningKey {
    pub ascii_armor: String,
    #[serde(default)]
    pub trust_signature: String,
}

/// A registry's package for this platform: where it is, and what vouches for it (the
/// archive's SHA-256, the signed checksums document and the keys that may have signed it).
#[derive(Clone, Debug)]
pub struct RegistryPackage {
    pub url: Url,
    pub filename: String,
    pub sha256: [u8; 32],
    pub sums: Vec<u8>,
    pub signature: Vec<u8>,
    pub keys: Vec<SigningKey>,
}

/// A network mirror's package for this platform: where it is, and the `h1:`/`zh:` hashes it
/// must match (none: not checked).
#[derive(Clone, Debug)]
pub struct MirrorPackage {
    pub url: Url,
    pub hashes: Vec<String>,
}

const HASHICORP_KEY: &str = include_str!("hashicorp.asc");
const HASHICORP_PARTNERS_KEY: &str = include_str!("hashicorp-partners.asc");

/// The registry's platform words (`linux`, `amd64`).
fn os_arch() -> (String, String) {
    let p = crate::install::platform();
    let (os, arch) = p.split_once('_').unwrap_or((p.as_str(), ""));
    (os.to_string(), arch.to_string())
}

/// The provider service's base address on `addr`'s host.
async fn providers_base(net: &Net, addr: &Addr) -> Result<Url, String> {
    net.service(&addr.host, "providers.v1").await.map_err(|e| format!("could not connect to {}: {e}", addr.host))
}

fn unauthorized(host: &str) -> String {
    format!(
        "host {host} rejected the given authentication credentials; run \"terrane login {host}\" or set TF_TOKEN for it"
    )
}

/// The versions the origin registry offers for `addr` that speak protocol 5 or 6, and its
/// warnings.
pub async fn registry_versions(net: &Net, addr: &Addr) -> Result<(Vec<Version>, Vec<String>), String> {
    #[derive(Deserialize)]
    struct Body {
        #[serde(default)]
        versions: Vec<Entry>,
        #[serde(default)]
        warnings: Vec<String>,
    }
    #[derive(Deserialize)]
    struct Entry {
        version: String,
        #[serde(default)]
        protocols: Vec<String>,
    }
    let base = providers_base(net, addr).await?;
    let url = base.join(&format!("{}/{}/versions", addr.namespace, addr.name)).map_err(|e| e.to_string())?;
    let resp = net.get(&url, None).await.map_err(|e| format!("could not query provider registry for {addr}: {e}"))?;
    match resp.status {
        200 => {}
        // Not known here: another method may have it (Terraform's MultiSource).
        404 => return Ok((Vec::new(), Vec::new())),
        401 | 403 => return Err(unauthorized(&addr.host)),
        s => return Err(format!("could not query provider registry for {addr}: HTTP {s}")),
    }
    let body: Body = resp.json()?;
    let speaks = |p: &[String]| p.is_empty() || p.iter().any(|p| matches!(p.split('.').next(), Some("5" | "6")));
    let versions =
        body.versions.iter().filter(|e| speaks(&e.protocols)).filter_map(|e| Version::parse(&e.version)).collect();
    Ok((versions, body.warnings))
}

/// The origin registry's package of `addr` `version` for this platform, with its checksum
/// document, signature and keys.
pub async fn registry_package(net: &Net, addr: &Addr, version: &Version) -> Result<RegistryPackage, String> {
    #[derive(Deserialize)]
    struct Keys {
        #[serde(default)]
        gpg_public_keys: Vec<SigningKey>,
    }
    #[derive(Deserialize)]
    struct Body {
        os: String,
        arch: String,
        filename: String,
        download_url: String,
        shasum: String,
        shasums_url: String,
        shasums_signature_url: String,
        #[serde(default)]
        signing_keys: Option<Keys>,
    }
    let (os, arch) = os_arch();
    let base = providers_base(net, addr).await?;
    let url = base
        .join(&format!("{}/{}/{version}/download/{os}/{arch}", addr.namespace, addr.name))
        .map_err(|e| e.to_string())?;
    let failed = |e: String| format!("could not query provider registry for {addr}: {e}");
    let resp = net.get(&url, None).await.map_err(failed)?;
    match resp.status {
        200 => {}
        404 => {
            return Err(format!("provider {addr} {version} is not available for {os}_{arch}"));
        }
        401 | 403 => return Err(unauthorized(&addr.host)),
        s => return Err(failed(format!("HTTP {s}"))),
    }
    let body: Body = resp.json()?;
    if body.os != os || body.arch != arch {
        return Err(format!(
            "registry response to request for {os}_{arch} archive has incorrect target {}_{}",
            body.os, body.arch
        ));
    }
    let resolve = |what: &str, u: &str| {
        let u = resp.url.join(u).map_err(|e| format!("registry response includes invalid {what} URL: {e}"))?;
        if u.scheme() != "https" && u.scheme() != "http" {
            return Err(format!("registry response includes invalid {what} URL: must use http or https scheme"));
        }
        Ok(u)
    };
    let download = resolve("download", &body.download_url)?;
    let sums_url = resolve("SHASUMS", &body.shasums_url)?;
    let sig_url = resolve("SHASUMS signature", &body.shasums_signature_url)?;
    let mut sha256 = [0u8; 32];
    hex::decode_to_slice(&body.shasum, &mut sha256)
        .map_err(|e| failed(format!("registry response includes invalid SHA256 hash {:?}: {e}", body.shasum)))?;
    let fetch = |u: Url, what: &'static str| async move {
        let r = net.get(&u, None).await?;
        if r.status != 200 {
            return Err(format!("failed to retrieve {what} for provider: {u}: HTTP {}", r.status));
        }
        Ok::<_, String>(r.body.to_vec())
    };
    let sums = fetch(sums_url, "authentication checksums").await.map_err(failed)?;
    let signature = fetch(sig_url, "cryptographic signature").await.map_err(failed)?;
    Ok(RegistryPackage {
        url: download,
        filename: body.filename,
        sha256,
        sums,
        signature,
        keys: body.signing_keys.map(|k| k.gpg_public_keys).unwrap_or_default(),
    })
}

/// The network mirror's address of `addr`'s files: `BASE/HOST/NAMESPACE/TYPE/`.
fn mirror_dir(base: &Url, addr: &Addr) -> Result<Url, String> {
    let mut base = base.clone();
    if !base.path().ends_with('/') {
        base.set_path(&format!("{}/", base.path()));
    }
    // "./": a host with a port ("localhost:8443/…") would otherwise read as a URL scheme.
    base.join(&format!("./{}/{}/{}/", addr.host, addr.namespace, addr.name)).map_err(|e| e.to_string())
}

/// The versions a network mirror has of `addr` (none when it does not know it).
pub async fn mirror_versions(net: &Net, base: &Url, addr: &Addr) -> Result<Vec<Version>, String> {
    #[derive(Deserialize)]
    struct Body {
        versions: std::collections::BTreeMap<String, serde_json::Value>,
    }
    let url = mirror_dir(base, addr)?.join("index.json").map_err(|e| e.to_string())?;
    let failed = |e: String| format!("failed to query provider mirror {base} for {addr}: {e}");
    let resp = net.get(&url, None).await.map_err(failed)?;
    match resp.status {
        200 => {}
        404 => return Ok(Vec::new()),
        401 | 403 => return Err(unauthorized(url.host_str().unwrap_or_default())),
        s => return Err(failed(format!("server returned unsuccessful status {s}"))),
    }
    let body: Body = resp.json().map_err(failed)?;
    Ok(body.versions.keys().filter_map(|v| Version::parse(v)).collect())
}

/// A network mirror's package of `addr` `version` for this platform.
pub async fn mirror_package(net: &Net, base: &Url, addr: &Addr, version: &Version) -> Result<MirrorPackage, String> {
    #[derive(Deserialize)]
    struct Archive {
        url: String,
        #[serde(default)]
        hashes: Vec<String>,
    }
    #[derive(Deserialize)]
    struct Body {
        archives: std::collections::BTreeMap<String, Archive>,
    }
    let url = mirror_dir(base, addr)?.join(&format!("{version}.json")).map_err(|e| e.to_string())?;
    let failed = |e: String| format!("failed to query provider mirror {base} for {addr}: {e}");
    let resp = net.get(&url, None).await.map_err(failed)?;
    match resp.status {
        200 => {}
        401 | 403 => return Err(unauthorized(url.host_str().unwrap_or_default())),
        s => return Err(failed(format!("server returned unsuccessful status {s}"))),
    }
    let body: Body = resp.json().map_err(failed)?;
    let platform = crate::install::platform();
    let a = body
        .archives
        .get(&platform)
        .ok_or_else(|| format!("provider {addr} {version} is not available for {platform} in the mirror {base}"))?;
    let url = resp.url.join(&a.url).map_err(|e| failed(format!("invalid URL {:?}: {e}", a.url)))?;
    Ok(MirrorPackage { url, hashes: a.hashes.clone() })
}

/// Downloads a package's archive (ten minutes per request at most: hashicorp/aws's is over
/// 100 MB).
pub async fn download(net: &Net, url: &Url) -> Result<Vec<u8>, String> {
    let r = net.get(url, Some(Duration::from_secs(600))).await?;
    if r.status != 200 {
        return Err(format!("failed to download {url}: HTTP {}", r.status));
    }
    Ok(r.body.to_vec())
}

/// `zh:` and the hex SHA-256 of an archive.
pub fn zip_hash(archive: &[u8]) -> String {
    format!("zh:{}", hex::encode(Sha256::digest(archive)))
}

/// Checks a registry package's archive as Terraform does: its SHA-256 against the registry's
/// and the checksum document's line for it, then the document's signature. Returns how it was
/// authenticated and the `zh:` hashes the signed document vouches for.
pub fn authenticate(archive: &[u8], p: &RegistryPackage) -> Result<(Auth, Vec<String>), String> {
    let RegistryPackage { filename, sha256, sums, signature, keys, .. } = p;
    let got: [u8; 32] = Sha256::digest(archive).into();
    if &got != sha256 {
        return Err(format!("archive has incorrect checksum {} (expected {})", hex::encode(got), hex::encode(sha256)));
    }
    let text = String::from_utf8_lossy(sums);
    let listed = text
        .lines()
        .filter_map(|l| l.split_once(char::is_whitespace))
        .find(|(_, name)| name.trim() == filename.as_str())
        .map(|(h, _)| h.to_string())
        .ok_or_else(|| format!("checksum list has no SHA-256 hash for {filename:?}"))?;
    let mut listed_bytes = [0u8; 32];
    hex::decode_to_slice(&listed, &mut listed_bytes)
        .map_err(|e| format!("checksum list has invalid SHA256 hash {listed:?}: {e}"))?;
    if &listed_bytes != sha256 {
        return Err(format!("checksum list has unexpected SHA-256 hash {listed} (expected {})", hex::encode(sha256)));
    }
    let sig = DetachedSignature::from_bytes(&signature[..]).map_err(|e| format!("error checking signature: {e}"))?;
    let (key, key_id) = keys
        .iter()
        .find_map(|k| match signed_by(&sig, &k.ascii_armor, sums) {
            Ok(Some(id)) => Some(Ok((k, id))),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        })
        .transpose()?
        .ok_or("authentication signature from unknown issuer")?;
    let auth = if signed_by(&sig, HASHICORP_KEY, sums).ok().flatten().is_some() {
        Auth::Official { key_id }
    } else if !key.trust_signature.is_empty() {
        let (trust, _) = DetachedSignature::from_string(&key.trust_signature)
            .map_err(|e| format!("error decoding trust signature: {e}"))?;
        let author = dearmor(&key.ascii_armor).map_err(|e| format!("error decoding signing key: {e}"))?;
        signed_by(&trust, HASHICORP_PARTNERS_KEY, &author)
            .map_err(|e| format!("error verifying trust signature: {e}"))?
            .ok_or("error verifying trust signature: signature made by unknown entity")?;
        Auth::Partner { key_id }
    } else {
        Auth::Community { key_id }
    };
    Ok((auth, signed_hashes(&text)))
}

/// The `zh:` hashes of a checksum document, or none if it does not look like one.
fn signed_hashes(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut parts = line.split_whitespace();
        let Some(h) = parts.next() else { continue };
        if parts.next().is_none() || h.len() != 64 || hex::decode(h).is_err() {
            return Vec::new();
        }
        out.push(format!("zh:{h}"));
    }
    out
}

/// The binary packets of an armored block.
fn dearmor(armored: &str) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut out = Vec::new();
    pgp::armor::Dearmor::new(armored.as_bytes()).read_to_end(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Whether `sig` over `data` was made by the key (or a subkey) in `armored`: the primary
/// key's ID if so, `None` if the key did not issue it, an error if it did but the signature
/// does not verify.
fn signed_by(sig: &DetachedSignature, armored: &str, data: &[u8]) -> Result<Option<String>, String> {
    let keys = SignedPublicKey::from_string_many(armored)
        .map_err(|e| format!("error decoding signing key: {e}"))?
        .0
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("error decoding signing key: {e}"))?;
    let ids = sig.signature.issuer_key_id();
    let fps = sig.signature.issuer_fingerprint();
    for key in &keys {
        let id = hex::encode_upper(key.primary_key.legacy_key_id().as_ref());
        let issued = |k: &dyn KeyDetailsDyn| {
            (ids.is_empty() && fps.is_empty())
                || ids.iter().any(|i| **i == k.key_id())
                || fps.iter().any(|f| **f == k.fingerprint())
        };
        let mut matched = None;
        if issued(&key.primary_key) {
            matched = Some(sig.verify(&key.primary_key, data));
        }
        for sub in &key.public_subkeys {
            if matched.as_ref().is_some_and(Result::is_ok) {
                break;
            }
            if issued(&sub.key) {
                matched = Some(sig.verify(&sub.key, data));
            }
        }
        match matched {
            Some(Ok(())) => return Ok(Some(id)),
            Some(Err(e)) if !(ids.is_empty() && fps.is_empty()) => {
                return Err(format!("error checking signature: {e}"));
            }
            _ => {}
        }
    }
    Ok(None)
}

/// The two things `signed_by` asks of a primary key or a subkey.
trait KeyDetailsDyn {
    fn key_id(&self) -> pgp::types::KeyId;
    fn fingerprint(&self) -> pgp::types::Fingerprint;
}

impl<T: KeyDetails> KeyDetailsDyn for T {
    fn key_id(&self) -> pgp::types::KeyId {
        self.legacy_key_id()
    }
    fn fingerprint(&self) -> pgp::types::Fingerprint {
        KeyDetails::fingerprint(self)
    }
}

#[cfg(any(test, feature = "test-support"))]
pub mod testing;
#[cfg(test)]
mod tests;
