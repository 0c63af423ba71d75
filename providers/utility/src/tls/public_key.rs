//! Data source `tls_public_key`: the public half of a private key given as PEM or as an
//! OpenSSH private key (exactly one), and its algorithm.

use super::{Key, PublicParts, error};
use crate::kit::{Ctx, Data, Result};
use crate::local::check_exactly_one;
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

#[derive(Model, Clone, Debug, Default)]
struct PublicKeyObject {
    #[model(optional, sensitive)]
    private_key_pem: Option<String>,
    #[model(optional, sensitive)]
    private_key_openssh: Option<String>,
    #[model(computed)]
    algorithm: Option<String>,
    #[model(flatten)]
    public: PublicParts,
}

pub(crate) struct PublicKey;

#[async_trait::async_trait]
impl Data for PublicKey {
    fn name(&self) -> &'static str {
        "tls_public_key"
    }
    fn schema(&self) -> Schema {
        PublicKeyObject::schema()
    }
    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        check_exactly_one(config, &["private_key_pem", "private_key_openssh"], &mut out);
        out
    }
    async fn read(&self, _c: &Ctx<'_>, config: Value) -> Result<Value> {
        let mut o = PublicKeyObject::from_value(&config)?;
        let key = match (&o.private_key_pem, &o.private_key_openssh) {
            (Some(p), _) => Key::from_pem(p),
            (None, Some(s)) => Key::from_openssh(s),
            (None, None) => Err("neither private_key_pem nor private_key_openssh is set".into()),
        }
        .map_err(|e| error("Unable to parse private key", e))?;
        o.algorithm = Some(key.algorithm().to_string());
        o.public = PublicParts::of(&key).map_err(|e| error("Failed to marshal public key", e))?;
        Ok(o.to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_public_half_of_a_pem_or_openssh_key_is_the_private_keys() {
        for (alg, curve) in
            [("RSA", "P224"), ("ECDSA", "P256"), ("ECDSA", "P521"), ("ED25519", "P224"), ("ECDSA", "P224")]
        {
            let key = Key::generate(alg, 2048, curve).unwrap();
            let expected = PublicParts::of(&key).unwrap();
            let mut inputs = vec![("private_key_pem", key.private_key_pem().unwrap())];
            let openssh = key.private_key_openssh().unwrap();
            if !openssh.is_empty() {
                inputs.push(("private_key_openssh", openssh));
            }
            for (name, text) in inputs {
                let config =
                    Value::object([(name, Value::string(text))]).conform(&PublicKeyObject::schema().value_type());
                let v = PublicKey.read(&crate::kit::test_ctx(), config).await.unwrap();
                let o = PublicKeyObject::from_value(&v).unwrap();
                assert_eq!(o.algorithm.as_deref(), Some(alg));
                assert_eq!(o.public.public_key_pem, expected.public_key_pem, "{alg} {curve} {name}");
                assert_eq!(o.public.public_key_openssh, expected.public_key_openssh);
                assert_eq!(o.public.public_key_fingerprint_sha256, expected.public_key_fingerprint_sha256);
                assert_eq!(o.public.id, expected.id);
            }
        }
    }

    #[tokio::test]
    async fn a_bad_key_is_the_plugins_error() {
        let config = Value::object([("private_key_pem", Value::string("not a key"))])
            .conform(&PublicKeyObject::schema().value_type());
        let e = PublicKey.read(&crate::kit::test_ctx(), config).await.unwrap_err();
        assert_eq!(e.summary.as_deref(), Some("Unable to parse private key"));
    }
}
