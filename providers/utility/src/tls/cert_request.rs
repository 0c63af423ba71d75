//! `tls_cert_request`: a PKCS #10 certificate request for `private_key_pem`'s key, as Go's
//! `x509.CreateCertificateRequest` writes it (the subject alternative names in an
//! extensionRequest attribute); `id` the SHA-1 of its DER. Every argument replaces it.

use super::cert::{Subject, extension, general_names, name_der};
use super::der::{bits, oid, seq, set, tlv, uint};
use super::key::hash_for_state;
use super::{Key, error, pem};
use crate::kit::{Ctx, Managed, Result};
use terrane_engine::model::Model;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

#[derive(Model, Clone, Debug, Default)]
struct CertRequestObject {
    #[model(required, sensitive, force_new)]
    private_key_pem: String,
    #[model(optional, force_new)]
    dns_names: Option<Vec<String>>,
    #[model(optional, force_new)]
    ip_addresses: Option<Vec<String>>,
    #[model(optional, force_new)]
    uris: Option<Vec<String>>,
    #[model(computed)]
    key_algorithm: Option<String>,
    #[model(computed)]
    cert_request_pem: Option<String>,
    #[model(computed)]
    id: Option<String>,
    /// At most one (a validator in the plugin, not the schema's max_items).
    #[model(block = "list", force_new)]
    subject: Vec<Subject>,
}

/// The request's DER.
pub(crate) fn request_der(
    key: &Key,
    subject: Option<&Subject>,
    dns: &[String],
    ips: &[String],
    uris: &[String],
) -> Result<Vec<u8>> {
    let (name, _) = name_der(subject);
    let public = key.public_der().map_err(|e| error("Error creating certificate request", e))?;
    let sans = general_names(dns, ips, uris)?;
    let attributes = if sans.is_empty() {
        tlv(0xa0, &[])
    } else {
        let ext = extension(&[2, 5, 29, 17], false, seq(&sans));
        tlv(0xa0, &seq(&[oid(&[1, 2, 840, 113549, 1, 9, 14]), set(&[seq(&[ext])])]))
    };
    let info = seq(&[uint(&[0]), name, public, attributes]);
    let (alg, signature) = key.sign(&info)?;
    Ok(seq(&[info, alg, bits(&signature)]))
}

pub(crate) struct CertRequest;

#[async_trait::async_trait]
impl Managed for CertRequest {
    fn name(&self) -> &'static str {
        "tls_cert_request"
    }
    fn schema(&self) -> Schema {
        CertRequestObject::schema()
    }
    async fn create(&self, _c: &Ctx<'_>, planned: Value) -> Result<Value> {
        let mut o = CertRequestObject::from_value(&planned)?;
        let key = Key::from_pem(&o.private_key_pem).map_err(|e| error("Failed to parse private key PEM", e))?;
        let der = request_der(
            &key,
            o.subject.first(),
            o.dns_names.as_deref().unwrap_or_default(),
            o.ip_addresses.as_deref().unwrap_or_default(),
            o.uris.as_deref().unwrap_or_default(),
        )?;
        o.key_algorithm = Some(key.algorithm().to_string());
        o.cert_request_pem = Some(pem::encode("CERTIFICATE REQUEST", &der));
        o.id = Some(hash_for_state(&der));
        Ok(o.to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::test_tools::openssl;

    #[tokio::test]
    async fn openssl_verifies_the_request_and_reads_its_names() {
        for (alg, curve) in [("RSA", ""), ("ECDSA", "P256"), ("ECDSA", "P521"), ("ED25519", "")] {
            let key = Key::generate(alg, 2048, curve).unwrap();
            let strings = |v: &[&str]| Value::list_of(v.iter().map(|s| Value::string(*s)).collect()).unwrap();
            let subject = Value::list_of(vec![
                Value::object([
                    ("common_name", Value::string("example.com")),
                    ("organization", Value::string("Example")),
                ])
                .conform(&Subject::schema().value_type()),
            ])
            .unwrap();
            let config = Value::object([
                ("private_key_pem", Value::string(key.private_key_pem().unwrap())),
                ("dns_names", strings(&["example.com"])),
                ("ip_addresses", strings(&["10.0.0.1"])),
                ("subject", subject),
            ])
            .conform(&CertRequestObject::schema().value_type());
            let planned = terrane_engine::plan::diff::generic_plan(&CertRequestObject::schema(), None, &config).planned;
            let v = CertRequest.create(&crate::kit::test_ctx(), planned).await.unwrap();
            let o = CertRequestObject::from_value(&v).unwrap();
            let pem = o.cert_request_pem.clone().unwrap();
            assert!(pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"));
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("r.pem");
            std::fs::write(&path, &pem).unwrap();
            let text = openssl(&["req", "-in", path.to_str().unwrap(), "-verify", "-noout", "-text"]);
            assert!(text.contains("Subject: O = Example, CN = example.com"), "{alg}: {text}");
            assert!(text.contains("DNS:example.com, IP Address:10.0.0.1"), "{alg}: {text}");
            let der = super::super::pem::decode(&pem).unwrap().1;
            assert_eq!(o.id, Some(hash_for_state(&der)));
            assert_eq!(o.key_algorithm.as_deref(), Some(alg));
        }
    }
}
