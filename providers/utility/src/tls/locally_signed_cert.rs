//! `tls_locally_signed_cert`: a certificate for a request (`cert_request_pem`: its subject,
//! names and key), signed by a CA (`ca_cert_pem`, `ca_private_key_pem`), as the plugin makes it:
//! the issuer is the CA's subject as recorded, the authority key ID the CA's subject key ID.

use super::cert::{self, Issuer, Subject, Template};
use super::der::{self, Tlv, children, oid};
use super::self_signed_cert::validate_common;
use super::{Key, error, pem};
use crate::kit::{Ctx, Managed, Result};
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanRequest, PlanResponse};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

#[derive(Model, Clone, Debug, Default)]
struct LocallySignedCertObject {
    #[model(required, force_new)]
    cert_request_pem: String,
    #[model(required, sensitive, force_new)]
    ca_private_key_pem: String,
    #[model(required, force_new)]
    ca_cert_pem: String,
    #[model(required, force_new)]
    validity_period_hours: i64,
    #[model(required, force_new)]
    allowed_uses: Vec<String>,
    #[model(optional, computed, force_new, default = false)]
    is_ca_certificate: Option<bool>,
    #[model(optional, computed, force_new)]
    max_path_length: Option<i64>,
    #[model(optional, computed, default = 0i64)]
    early_renewal_hours: Option<i64>,
    #[model(optional, computed, force_new, default = false)]
    set_subject_key_id: Option<bool>,
    #[model(computed)]
    cert_pem: Option<String>,
    #[model(computed, default = false)]
    ready_for_renewal: Option<bool>,
    #[model(computed)]
    validity_start_time: Option<String>,
    #[model(computed)]
    validity_end_time: Option<String>,
    #[model(computed)]
    ca_key_algorithm: Option<String>,
    #[model(computed)]
    id: Option<String>,
}

/// What the certificate takes from a request.
struct Request {
    subject: Subject,
    public: Vec<u8>,
    ski_input: Vec<u8>,
    dns: Vec<String>,
    ips: Vec<String>,
    uris: Vec<String>,
}

fn oid_is(t: &Tlv<'_>, arcs: &[u64]) -> bool {
    t.2 == oid(arcs).as_slice()
}

/// The subject as Go's `pkix.Name` holds it after parsing (the attributes it has fields for;
/// the e-mail address is not one, so it is not carried into the certificate).
fn parse_name(name: &[u8]) -> Option<Subject> {
    let mut s = Subject::default();
    for rdn in children(name)? {
        for atv in children(rdn.1)? {
            let parts = children(atv.1)?;
            let (key, value) = (parts.first()?, parts.get(1)?);
            let v = Some(String::from_utf8_lossy(value.1).into_owned());
            if oid_is(key, &[2, 5, 4, 6]) {
                s.country = v;
            } else if oid_is(key, &[2, 5, 4, 8]) {
                s.province = v;
            } else if oid_is(key, &[2, 5, 4, 7]) {
                s.locality = v;
            } else if oid_is(key, &[2, 5, 4, 9]) {
                s.street_address.get_or_insert_with(Vec::new).extend(v);
            } else if oid_is(key, &[2, 5, 4, 17]) {
                s.postal_code = v;
            } else if oid_is(key, &[2, 5, 4, 10]) {
                s.organization = v;
            } else if oid_is(key, &[2, 5, 4, 11]) {
                s.organizational_unit = v;
            } else if oid_is(key, &[2, 5, 4, 3]) {
                s.common_name = v;
            } else if oid_is(key, &[2, 5, 4, 5]) {
                s.serial_number = v;
            }
        }
    }
    Some(s)
}

/// The key a subject key ID hashes (the plugin's `generateSubjectKeyID` of the request's
/// public key), from its `SubjectPublicKeyInfo`.
fn ski_input(spki: &[u8]) -> Option<Vec<u8>> {
    let (outer, _) = der::read(spki)?;
    let parts = children(outer.1)?;
    let alg = children(parts.first()?.1)?;
    let key = parts.get(1)?.1.get(1..)?;
    let a = alg.first()?;
    if oid_is(a, &[1, 3, 101, 112]) { Some(der::octets(key)) } else { Some(key.to_vec()) }
}

fn parse_request(text: &str) -> std::result::Result<Request, String> {
    let bad = || "x509: malformed certificate request".to_string();
    let (label, der_bytes) = pem::decode(text).ok_or("failed to decode PEM block")?;
    if label != "CERTIFICATE REQUEST" {
        return Err(format!("unexpected PEM preamble: {label}"));
    }
    let (outer, _) = der::read(&der_bytes).ok_or_else(bad)?;
    let top = children(outer.1).ok_or_else(bad)?;
    let info = children(top.first().ok_or_else(bad)?.1).ok_or_else(bad)?;
    let (subject, spki) = (info.get(1).ok_or_else(bad)?, info.get(2).ok_or_else(bad)?);
    let mut r = Request {
        subject: parse_name(subject.1).ok_or_else(bad)?,
        public: spki.2.to_vec(),
        ski_input: ski_input(spki.2).ok_or_else(bad)?,
        dns: Vec::new(),
        ips: Vec::new(),
        uris: Vec::new(),
    };
    let attrs = info.get(3).map(|a| children(a.1)).unwrap_or(Some(Vec::new())).ok_or_else(bad)?;
    for attr in attrs {
        let parts = children(attr.1).ok_or_else(bad)?;
        if !parts.first().is_some_and(|o| oid_is(o, &[1, 2, 840, 113549, 1, 9, 14])) {
            continue;
        }
        for set in children(parts.get(1).ok_or_else(bad)?.1).ok_or_else(bad)? {
            for ext in children(set.1).ok_or_else(bad)? {
                let e = children(ext.1).ok_or_else(bad)?;
                if !e.first().is_some_and(|o| oid_is(o, &[2, 5, 29, 17])) {
                    continue;
                }
                let value = e.last().ok_or_else(bad)?.1;
                let (names, _) = der::read(value).ok_or_else(bad)?;
                for n in children(names.1).ok_or_else(bad)? {
                    match n.0 {
                        0x82 => r.dns.push(String::from_utf8_lossy(n.1).into_owned()),
                        0x86 => r.uris.push(String::from_utf8_lossy(n.1).into_owned()),
                        0x87 => r.ips.push(match n.1.len() {
                            4 => std::net::Ipv4Addr::from(<[u8; 4]>::try_from(n.1).expect("4")).to_string(),
                            16 => std::net::Ipv6Addr::from(<[u8; 16]>::try_from(n.1).expect("16")).to_string(),
                            _ => return Err(bad()),
                        }),
                        _ => {}
                    }
                }
            }
        }
    }
    Ok(r)
}

/// The CA certificate's subject (as recorded) and subject key ID.
fn parse_ca(text: &str) -> std::result::Result<Issuer, String> {
    let bad = || "x509: malformed certificate".to_string();
    let (label, der_bytes) = pem::decode(text).ok_or("failed to decode PEM block")?;
    if label != "CERTIFICATE" {
        return Err(format!("unexpected PEM preamble: {label}"));
    }
    let (outer, _) = der::read(&der_bytes).ok_or_else(bad)?;
    let tbs = children(children(outer.1).ok_or_else(bad)?.first().ok_or_else(bad)?.1).ok_or_else(bad)?;
    let skip = usize::from(tbs.first().is_some_and(|t| t.0 == 0xa0));
    let name = tbs.get(4 + skip).ok_or_else(bad)?.2.to_vec();
    let mut ski = None;
    if let Some(exts) = tbs.iter().find(|t| t.0 == 0xa3) {
        let (list, _) = der::read(exts.1).ok_or_else(bad)?;
        for ext in children(list.1).ok_or_else(bad)? {
            let e = children(ext.1).ok_or_else(bad)?;
            if e.first().is_some_and(|o| oid_is(o, &[2, 5, 29, 14])) {
                let (id, _) = der::read(e.last().ok_or_else(bad)?.1).ok_or_else(bad)?;
                ski = Some(id.1.to_vec());
            }
        }
    }
    Ok(Issuer { name, subject_key_id: ski })
}

pub(crate) struct LocallySignedCert;

#[async_trait::async_trait]
impl Managed for LocallySignedCert {
    fn name(&self) -> &'static str {
        "tls_locally_signed_cert"
    }
    fn schema(&self) -> Schema {
        LocallySignedCertObject::schema()
    }
    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        validate_common(config, &mut out);
        out
    }
    fn plan(&self, _c: &Ctx<'_>, req: &PlanRequest<'_>) -> Result<PlanResponse> {
        Ok(cert::plan(req))
    }
    async fn create(&self, _c: &Ctx<'_>, planned: Value) -> Result<Value> {
        let mut o = LocallySignedCertObject::from_value(&planned)?;
        let req =
            parse_request(&o.cert_request_pem).map_err(|e| error("Failed to parse certificate request PEM", e))?;
        let ca_key =
            Key::from_pem(&o.ca_private_key_pem).map_err(|e| error("Failed to parse CA private key PEM", e))?;
        let issuer = parse_ca(&o.ca_cert_pem).map_err(|e| error("Failed to parse CA certificate PEM", e))?;
        let t = Template {
            subject: Some(&req.subject),
            dns_names: &req.dns,
            ip_addresses: &req.ips,
            uris: &req.uris,
            validity_period_hours: o.validity_period_hours,
            allowed_uses: &o.allowed_uses,
            is_ca: o.is_ca_certificate == Some(true),
            max_path_length: o.max_path_length,
            set_subject_key_id: o.set_subject_key_id == Some(true),
            set_authority_key_id: false,
        };
        let c = cert::create(&t, &req.public, &req.ski_input, &ca_key, Some(issuer))?;
        o.ca_key_algorithm = Some(ca_key.algorithm().to_string());
        o.id = Some(c.id);
        o.cert_pem = Some(c.cert_pem);
        o.validity_start_time = Some(c.validity_start_time);
        o.validity_end_time = Some(c.validity_end_time);
        Ok(o.to_value())
    }
    async fn read(&self, _c: &Ctx<'_>, current: Value) -> Result<Option<Value>> {
        Ok(Some(cert::read(current)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::cert_request::request_der;
    use crate::tls::test_tools::openssl;

    fn strings(v: &[&str]) -> Value {
        Value::list_of(v.iter().map(|s| Value::string(*s)).collect()).unwrap()
    }

    /// A CA made by this provider's self-signed certificate, with a subject key ID.
    async fn ca(key: &Key) -> String {
        let subject = Value::list_of(vec![
            Value::object([("common_name", Value::string("Example CA"))]).conform(&Subject::schema().value_type()),
        ])
        .unwrap();
        let schema = super::super::self_signed_cert::SelfSignedCert.schema();
        let config = Value::object([
            ("private_key_pem", Value::string(key.private_key_pem().unwrap())),
            ("validity_period_hours", Value::int(24)),
            ("allowed_uses", strings(&["cert_signing"])),
            ("is_ca_certificate", Value::bool(true)),
            ("subject", subject),
        ])
        .conform(&schema.value_type());
        let planned = terrane_engine::plan::diff::generic_plan(&schema, None, &config).planned;
        let v = super::super::self_signed_cert::SelfSignedCert.create(&crate::kit::test_ctx(), planned).await.unwrap();
        v.get_attr("cert_pem").unwrap().as_str().unwrap().to_string()
    }

    #[tokio::test]
    async fn a_certificate_for_a_request_verifies_against_its_ca() {
        for (ca_alg, ca_curve, alg, curve) in [
            ("RSA", "", "ECDSA", "P256"),
            ("ECDSA", "P384", "RSA", ""),
            ("ED25519", "", "ED25519", ""),
            ("ECDSA", "P256", "ECDSA", "P521"),
        ] {
            let ca_key = Key::generate(ca_alg, 2048, ca_curve).unwrap();
            let ca_pem = ca(&ca_key).await;
            let key = Key::generate(alg, 2048, curve).unwrap();
            let subject = Subject {
                common_name: Some("server.example.com".into()),
                organization: Some("Example".into()),
                email_address: Some("ops@example.com".into()),
                ..Subject::default()
            };
            let csr = request_der(
                &key,
                Some(&subject),
                &["server.example.com".into()],
                &["192.168.0.1".into(), "fe80::1".into()],
                &[],
            )
            .unwrap();
            let config = Value::object([
                ("cert_request_pem", Value::string(pem::encode("CERTIFICATE REQUEST", &csr))),
                ("ca_private_key_pem", Value::string(ca_key.private_key_pem().unwrap())),
                ("ca_cert_pem", Value::string(ca_pem.clone())),
                ("validity_period_hours", Value::int(1)),
                ("allowed_uses", strings(&["digital_signature", "server_auth"])),
            ])
            .conform(&LocallySignedCertObject::schema().value_type());
            let planned =
                terrane_engine::plan::diff::generic_plan(&LocallySignedCertObject::schema(), None, &config).planned;
            let v = LocallySignedCert.create(&crate::kit::test_ctx(), planned).await.unwrap();
            let o = LocallySignedCertObject::from_value(&v).unwrap();
            assert_eq!(o.ca_key_algorithm.as_deref(), Some(ca_alg));
            let dir = tempfile::tempdir().unwrap();
            let (cap, cp) = (dir.path().join("ca.pem"), dir.path().join("c.pem"));
            std::fs::write(&cap, &ca_pem).unwrap();
            std::fs::write(&cp, o.cert_pem.as_deref().unwrap()).unwrap();
            let out = openssl(&["verify", "-CAfile", cap.to_str().unwrap(), cp.to_str().unwrap()]);
            assert_eq!(out.trim(), format!("{}: OK", cp.display()), "{ca_alg} signing {alg}");
            let t = openssl(&["x509", "-in", cp.to_str().unwrap(), "-noout", "-text"]);
            assert!(t.contains("Issuer: CN = Example CA"), "{t}");
            // Go's pkix.Name has no field for the e-mail address: it is not carried over.
            assert!(t.contains("Subject: O = Example, CN = server.example.com\n"), "{t}");
            assert!(t.contains("DNS:server.example.com, IP Address:192.168.0.1, IP Address:FE80:0:0:0:0:0:0:1"), "{t}");
            assert!(t.contains("X509v3 Authority Key Identifier"), "the CA's key ID: {t}");
            // The request's key is the certificate's.
            let kp = dir.path().join("k.pem");
            std::fs::write(&kp, key.private_key_pem().unwrap()).unwrap();
            assert_eq!(
                openssl(&["x509", "-in", cp.to_str().unwrap(), "-noout", "-pubkey"]),
                openssl(&["pkey", "-in", kp.to_str().unwrap(), "-pubout"])
            );
        }
    }
}
