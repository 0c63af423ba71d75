//! hashicorp/tls 4.2: private keys (`tls_private_key`) and their public keys (data
//! `tls_public_key`), encoded as the plugin encodes them (Go's `crypto/x509`, `encoding/pem`
//! and `x/crypto/ssh`).

mod cert;
mod cert_request;
mod certificate;
mod der;
mod key;
mod locally_signed_cert;
mod pem;
mod private_key;
mod public_key;
mod self_signed_cert;
mod ssh;

use crate::kit::Kit;
use key::{Key, hash_for_state};
use terrane_engine::model::Model;

/// The provider block: an optional `proxy` (for `tls_certificate`'s `url`, not built in).
#[derive(Model, Clone, Debug, Default)]
struct ProviderConfig {
    /// At most one (a validator in the plugin, not the schema's max_items).
    #[model(block = "list")]
    proxy: Vec<Proxy>,
}

#[derive(Model, Clone, Debug, Default)]
struct Proxy {
    #[model(optional)]
    url: Option<String>,
    #[model(optional)]
    username: Option<String>,
    #[model(optional, sensitive)]
    password: Option<String>,
    #[model(optional)]
    from_env: Option<bool>,
}

pub fn factory() -> Kit {
    Kit::new(
        "hashicorp/tls",
        ProviderConfig::schema(),
        vec![
            Box::new(private_key::PrivateKey),
            Box::new(self_signed_cert::SelfSignedCert),
            Box::new(cert_request::CertRequest),
            Box::new(locally_signed_cert::LocallySignedCert),
        ],
        vec![Box::new(public_key::PublicKey), Box::new(certificate::Certificate)],
    )
}

/// The attributes every key's public half fills (the plugin's `setPublicKeyAttributes`).
#[derive(Model, Clone, Debug, Default)]
pub(crate) struct PublicParts {
    #[model(computed)]
    public_key_pem: Option<String>,
    #[model(computed)]
    public_key_openssh: Option<String>,
    #[model(computed)]
    public_key_fingerprint_md5: Option<String>,
    #[model(computed)]
    public_key_fingerprint_sha256: Option<String>,
    /// The SHA-1 of the public key's PKIX DER.
    #[model(computed)]
    id: Option<String>,
}

impl PublicParts {
    fn of(key: &Key) -> Result<PublicParts, String> {
        let der = key.public_der()?;
        let ssh = key.ssh_public();
        Ok(PublicParts {
            id: Some(hash_for_state(&der)),
            public_key_pem: Some(pem::encode("PUBLIC KEY", &der)),
            public_key_openssh: Some(ssh.as_ref().map(|(t, b)| ssh::authorized_key(t, b)).unwrap_or_default()),
            public_key_fingerprint_md5: Some(ssh.as_ref().map(|(_, b)| ssh::fingerprint_md5(b)).unwrap_or_default()),
            public_key_fingerprint_sha256: Some(
                ssh.as_ref().map(|(_, b)| ssh::fingerprint_sha256(b)).unwrap_or_default(),
            ),
        })
    }
}

/// A provider error with a summary of the plugin's.
fn error(summary: &str, detail: impl Into<String>) -> terrane_engine::provider::ProviderError {
    let mut e = terrane_engine::provider::ProviderError::new(detail);
    e.summary = Some(summary.to_string());
    e
}

/// The tools the tests check the provider's output with. Missing tools fail the test: they
/// are the reference, so a machine without them cannot say the output is right.
#[cfg(test)]
pub(crate) mod test_tools {
    fn run(tool: &str, args: &[&str]) -> String {
        let out = std::process::Command::new(tool).args(args).output().unwrap_or_else(|e| {
            panic!("{tool} is needed to check the TLS provider's output ({e}): install it (openssl, openssh-client)")
        });
        assert!(
            out.status.success(),
            "{tool} {args:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn openssl(args: &[&str]) -> String {
        run("openssl", args)
    }

    pub fn ssh_keygen(args: &[&str]) -> String {
        run("ssh-keygen", args)
    }
}
