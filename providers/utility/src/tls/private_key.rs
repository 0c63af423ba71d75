//! `tls_private_key` (schema version 1): a key generated at create and kept in the state
//! only; every argument replaces it; no import. Version 0 states (plugin 3.x) are upgraded
//! as the plugin does: the OpenSSH and PKCS #8 forms and the public attributes filled from
//! `private_key_pem`.

use super::{Key, PublicParts, error};
use crate::kit::{Ctx, Managed, Result};
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::ProviderError;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

#[derive(Model, Clone, Debug, Default)]
struct PrivateKeyObject {
    #[model(required, force_new)]
    algorithm: String,
    #[model(optional, computed, force_new, default = 2048i64)]
    rsa_bits: Option<i64>,
    #[model(optional, computed, force_new, default = "P224")]
    ecdsa_curve: Option<String>,
    #[model(computed, sensitive)]
    private_key_pem: Option<String>,
    #[model(computed, sensitive)]
    private_key_openssh: Option<String>,
    #[model(computed, sensitive)]
    private_key_pem_pkcs8: Option<String>,
    #[model(flatten)]
    public: PublicParts,
}

pub(crate) const ALGORITHMS: [&str; 3] = ["RSA", "ECDSA", "ED25519"];
pub(crate) const CURVES: [&str; 4] = ["P224", "P256", "P384", "P521"];

/// The framework's `stringvalidator.OneOf`.
pub(crate) fn one_of(config: &Value, name: &str, allowed: &[&str], out: &mut Vec<Diagnostic>) {
    let Some(v) = config.get_attr(name).and_then(Value::as_str) else { return };
    if !allowed.contains(&v) {
        let list = allowed.iter().map(|a| format!("\"{a}\"")).collect::<Vec<_>>().join(",");
        out.push(
            Diagnostic::error(
                "Invalid Attribute Value Match",
                format!("Attribute {name} value must be one of: [{list}], got: \"{v}\""),
            )
            .about_attribute(name),
        );
    }
}

fn generated(mut o: PrivateKeyObject, key: &Key) -> std::result::Result<PrivateKeyObject, String> {
    o.private_key_pem = Some(key.private_key_pem()?);
    o.private_key_pem_pkcs8 = Some(key.private_key_pem_pkcs8()?);
    o.private_key_openssh = Some(key.private_key_openssh()?);
    o.public = PublicParts::of(key)?;
    Ok(o)
}

pub(crate) struct PrivateKey;

#[async_trait::async_trait]
impl Managed for PrivateKey {
    fn name(&self) -> &'static str {
        "tls_private_key"
    }
    fn schema(&self) -> Schema {
        PrivateKeyObject::schema()
    }
    fn schema_version(&self) -> u64 {
        1
    }
    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        one_of(config, "algorithm", &ALGORITHMS, &mut out);
        one_of(config, "ecdsa_curve", &CURVES, &mut out);
        out
    }
    async fn create(&self, _c: &Ctx<'_>, planned: Value) -> Result<Value> {
        let o = PrivateKeyObject::from_value(&planned)?;
        tracing::debug!(algorithm = %o.algorithm, "tls_private_key: generating a key");
        let key = Key::generate(&o.algorithm, o.rsa_bits.unwrap_or(2048), o.ecdsa_curve.as_deref().unwrap_or("P224"))
            .map_err(|e| error("Unable to generate Key from configuration", e))?;
        let o = generated(o, &key).map_err(|e| error("Unable to encode key to PEM", e))?;
        Ok(o.to_value())
    }
    async fn import(&self, _c: &Ctx<'_>, _id: &str) -> Result<Value> {
        // The plugin's resource has no ImportState.
        Err(error(
            "Resource Import Not Implemented",
            "This resource does not support import. Please contact the provider developer for additional information.",
        ))
    }
    fn upgrade_state(&self, version: u64, mut attributes: serde_json::Value) -> Result<serde_json::Value> {
        if version != 0 {
            return Ok(attributes);
        }
        let pem = attributes["private_key_pem"].as_str().unwrap_or_default().to_string();
        let key = Key::from_pem(&pem).map_err(|e| error("Unable to parse key from PEM", e))?;
        let fail = |e: String| ProviderError::new(e);
        if attributes["private_key_openssh"].as_str().is_none_or(str::is_empty) {
            attributes["private_key_openssh"] = key.private_key_openssh().map_err(fail)?.into();
        }
        attributes["private_key_pem_pkcs8"] = key.private_key_pem_pkcs8().map_err(fail)?.into();
        let p = PublicParts::of(&key).map_err(fail)?;
        attributes["public_key_pem"] = p.public_key_pem.into();
        attributes["public_key_openssh"] = p.public_key_openssh.into();
        attributes["public_key_fingerprint_md5"] = p.public_key_fingerprint_md5.into();
        attributes["public_key_fingerprint_sha256"] = p.public_key_fingerprint_sha256.into();
        attributes["id"] = p.id.into();
        Ok(attributes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::test_tools::{openssl, ssh_keygen};

    async fn create(attrs: Vec<(&str, Value)>) -> PrivateKeyObject {
        let config = Value::object(attrs).conform(&PrivateKeyObject::schema().value_type());
        let planned = terrane_engine::plan::diff::generic_plan(&PrivateKeyObject::schema(), None, &config).planned;
        let v = PrivateKey.create(&crate::kit::test_ctx(), planned).await.unwrap();
        PrivateKeyObject::from_value(&v).unwrap()
    }

    /// Checks a generated key with OpenSSL and ssh-keygen: the PEM forms parse and hold the
    /// same key, the public forms and fingerprints are that key's.
    fn check_with_tools(o: &PrivateKeyObject, label: &str, ssh: bool) {
        let dir = tempfile::tempdir().unwrap();
        let pem = o.private_key_pem.as_deref().unwrap();
        assert!(pem.starts_with(&format!("-----BEGIN {label}-----\n")), "{pem}");
        let pkcs8 = o.private_key_pem_pkcs8.as_deref().unwrap();
        assert!(pkcs8.starts_with("-----BEGIN PRIVATE KEY-----\n"));
        let public = o.public.public_key_pem.as_deref().unwrap();
        assert!(public.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        for (name, text) in [("key.pem", pem), ("pkcs8.pem", pkcs8)] {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            let p = path.to_str().unwrap();
            if o.algorithm != "ED25519" {
                openssl(&["pkey", "-in", p, "-check", "-noout"]);
            }
            assert_eq!(openssl(&["pkey", "-in", p, "-pubout"]), public, "{name}");
        }
        let openssh = o.private_key_openssh.as_deref().unwrap();
        let authorized = o.public.public_key_openssh.as_deref().unwrap();
        if !ssh {
            assert_eq!((openssh, authorized), ("", ""));
            assert_eq!(o.public.public_key_fingerprint_md5.as_deref(), Some(""));
            return;
        }
        assert!(openssh.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----\n"));
        let key = dir.path().join("id");
        std::fs::write(&key, openssh).unwrap();
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        let derived = ssh_keygen(&["-y", "-f", key.to_str().unwrap()]);
        assert_eq!(derived.trim_end(), authorized.trim_end());
        assert!(authorized.ends_with('\n') && !authorized.ends_with(" \n"));
        let pubfile = dir.path().join("id.pub");
        std::fs::write(&pubfile, authorized).unwrap();
        let sha = ssh_keygen(&["-l", "-E", "sha256", "-f", pubfile.to_str().unwrap()]);
        let md5 = ssh_keygen(&["-l", "-E", "md5", "-f", pubfile.to_str().unwrap()]);
        let fp = |s: &str| s.split_whitespace().nth(1).unwrap().to_string();
        assert_eq!(fp(&sha), o.public.public_key_fingerprint_sha256.clone().unwrap());
        assert_eq!(fp(&md5), format!("MD5:{}", o.public.public_key_fingerprint_md5.clone().unwrap()));
        // The id: the SHA-1 of the PKIX DER (as OpenSSL writes it).
        let pubfile = dir.path().join("pub.pem");
        std::fs::write(&pubfile, public).unwrap();
        let der = std::process::Command::new("openssl")
            .args(["pkey", "-pubin", "-outform", "DER", "-in", pubfile.to_str().unwrap()])
            .output()
            .unwrap()
            .stdout;
        assert_eq!(o.public.id, Some(crate::tls::key::hash_for_state(&der)));
    }

    #[tokio::test]
    async fn rsa_keys_are_pkcs1_of_the_bits_asked_and_openssl_agrees() {
        let o = create(vec![("algorithm", Value::string("RSA"))]).await;
        assert_eq!(o.rsa_bits, Some(2048));
        check_with_tools(&o, "RSA PRIVATE KEY", true);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        std::fs::write(&path, o.private_key_pem.as_deref().unwrap()).unwrap();
        let text = openssl(&["pkey", "-in", path.to_str().unwrap(), "-noout", "-text"]);
        assert!(text.contains("Private-Key: (2048 bit, 2 primes)"), "{text}");
        assert!(o.public.public_key_openssh.as_deref().unwrap().starts_with("ssh-rsa AAAA"));
    }

    #[tokio::test]
    async fn ecdsa_keys_on_every_curve_are_sec1_and_p224_has_no_ssh_form() {
        for (curve, ssh, name) in [
            ("P224", false, "secp224r1"),
            ("P256", true, "prime256v1"),
            ("P384", true, "secp384r1"),
            ("P521", true, "secp521r1"),
        ] {
            let o = create(vec![("algorithm", Value::string("ECDSA")), ("ecdsa_curve", Value::string(curve))]).await;
            check_with_tools(&o, "EC PRIVATE KEY", ssh);
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("k");
            std::fs::write(&path, o.private_key_pem.as_deref().unwrap()).unwrap();
            let text = openssl(&["pkey", "-in", path.to_str().unwrap(), "-noout", "-text"]);
            assert!(text.contains(&format!("ASN1 OID: {name}")), "{curve}: {text}");
        }
        let o = create(vec![("algorithm", Value::string("ECDSA"))]).await;
        assert_eq!(o.ecdsa_curve.as_deref(), Some("P224"), "the provider's default curve");
    }

    #[tokio::test]
    async fn ed25519_keys_are_pkcs8_in_both_forms() {
        let o = create(vec![("algorithm", Value::string("ED25519"))]).await;
        check_with_tools(&o, "PRIVATE KEY", true);
        assert_eq!(o.private_key_pem, o.private_key_pem_pkcs8);
        // Go's PKCS #8 for Ed25519: 48 bytes, no public key inside (as OpenSSL writes it too).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        std::fs::write(&path, o.private_key_pem.as_deref().unwrap()).unwrap();
        let ours = super::super::pem::decode(o.private_key_pem.as_deref().unwrap()).unwrap().1;
        assert_eq!(ours.len(), 48);
        let theirs = openssl(&["pkey", "-in", path.to_str().unwrap()]);
        assert_eq!(theirs, o.private_key_pem.clone().unwrap());
    }

    #[tokio::test]
    async fn keys_parse_back_and_version_0_states_are_upgraded() {
        for alg in ["RSA", "ED25519"] {
            let o = create(vec![("algorithm", Value::string(alg))]).await;
            let pem = o.private_key_pem.clone().unwrap();
            let k = Key::from_pem(&pem).unwrap();
            assert_eq!(k.private_key_pem().unwrap(), pem);
            let k = Key::from_openssh(o.private_key_openssh.as_deref().unwrap()).unwrap();
            assert_eq!(k.private_key_pem().unwrap(), pem);
            let v0 = serde_json::json!({
                "algorithm": alg, "rsa_bits": 2048, "ecdsa_curve": "P224", "private_key_pem": pem,
                "public_key_pem": o.public.public_key_pem, "id": o.public.id,
            });
            let up = PrivateKey.upgrade_state(0, v0).unwrap();
            assert_eq!(up["private_key_pem_pkcs8"].as_str(), o.private_key_pem_pkcs8.as_deref());
            assert_eq!(up["public_key_openssh"].as_str(), o.public.public_key_openssh.as_deref());
            assert_eq!(up["id"].as_str(), o.public.id.as_deref());
            assert!(up["private_key_openssh"].as_str().unwrap().starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"));
        }
    }

    #[test]
    fn ecdsa_keys_round_trip_through_openssh_whatever_their_top_bit() {
        // Half of all scalars have the top bit set, which SSH's mpint writes with a zero byte.
        for curve in ["P256", "P384", "P521"] {
            for _ in 0..12 {
                let k = Key::generate("ECDSA", 0, curve).unwrap();
                let back = Key::from_openssh(&k.private_key_openssh().unwrap()).unwrap();
                assert_eq!(back.private_key_pem().unwrap(), k.private_key_pem().unwrap(), "{curve}");
            }
        }
    }

    #[test]
    fn algorithm_and_curve_are_checked() {
        let d = PrivateKey
            .validate(&Value::object([("algorithm", Value::string("DSA")), ("ecdsa_curve", Value::string("P256"))]));
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].detail,
            "Attribute algorithm value must be one of: [\"RSA\",\"ECDSA\",\"ED25519\"], got: \"DSA\""
        );
    }

    #[test]
    fn the_private_forms_are_sensitive_and_every_argument_replaces() {
        let s = PrivateKeyObject::schema();
        for n in ["private_key_pem", "private_key_openssh", "private_key_pem_pkcs8"] {
            assert!(s.attributes[n].sensitive, "{n}");
        }
        for n in ["algorithm", "rsa_bits", "ecdsa_curve"] {
            assert!(s.attributes[n].force_new, "{n}");
        }
        assert!(!s.attributes["public_key_pem"].sensitive);
    }
}
