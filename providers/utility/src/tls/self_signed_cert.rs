//! `tls_self_signed_cert`: a certificate for `private_key_pem`'s key, signed by it; replaced
//! when an argument changes (but `early_renewal_hours`) or when it is due for renewal.

use super::cert::{self, Subject, Template};
use super::private_key::one_of;
use super::{Key, error};
use crate::kit::{Ctx, Managed, Result};
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::provider::{PlanRequest, PlanResponse};
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

#[derive(Model, Clone, Debug, Default)]
pub(crate) struct SelfSignedCertObject {
    #[model(required, sensitive, force_new)]
    private_key_pem: String,
    #[model(required, force_new)]
    validity_period_hours: i64,
    #[model(required, force_new)]
    allowed_uses: Vec<String>,
    #[model(optional, force_new)]
    dns_names: Option<Vec<String>>,
    #[model(optional, force_new)]
    ip_addresses: Option<Vec<String>>,
    #[model(optional, force_new)]
    uris: Option<Vec<String>>,
    #[model(optional, computed, default = 0i64)]
    early_renewal_hours: Option<i64>,
    #[model(optional, computed, force_new, default = false)]
    is_ca_certificate: Option<bool>,
    #[model(optional, computed, force_new)]
    max_path_length: Option<i64>,
    #[model(optional, computed, force_new, default = false)]
    set_subject_key_id: Option<bool>,
    #[model(optional, computed, force_new, default = false)]
    set_authority_key_id: Option<bool>,
    #[model(computed)]
    cert_pem: Option<String>,
    #[model(computed, default = false)]
    ready_for_renewal: Option<bool>,
    #[model(computed)]
    validity_start_time: Option<String>,
    #[model(computed)]
    validity_end_time: Option<String>,
    #[model(computed)]
    key_algorithm: Option<String>,
    #[model(computed)]
    id: Option<String>,
    /// At most one (a validator in the plugin, not the schema's max_items).
    #[model(block = "list", force_new)]
    subject: Vec<Subject>,
}

/// The checks every certificate type shares: `allowed_uses` names, hours and path length.
pub(crate) fn validate_common(config: &Value, out: &mut Vec<Diagnostic>) {
    let uses = cert::supported_uses();
    if let Some(list) = config.get_attr("allowed_uses").and_then(Value::as_seq) {
        for (i, u) in list.iter().enumerate() {
            let holder = Value::object([("allowed_uses", u.clone())]);
            let mut d = Vec::new();
            one_of(&holder, "allowed_uses", &uses, &mut d);
            for mut x in d {
                x.detail = x.detail.replacen("allowed_uses", &format!("allowed_uses[{i}]"), 1);
                out.push(x);
            }
        }
    }
    if let Some(n) = config.get_attr("subject").and_then(Value::length_int)
        && n > 1
    {
        out.push(Diagnostic::error(
            "Invalid Attribute Value",
            format!("Attribute subject list must contain at least 0 elements and at most 1 elements, got: {n}"),
        ));
    }
    for (name, min) in [("validity_period_hours", 0), ("early_renewal_hours", 0), ("max_path_length", -1)] {
        if let Some(n) = config.get_attr(name).and_then(Value::as_i64)
            && n < min
        {
            out.push(
                Diagnostic::error(
                    "Invalid Attribute Value",
                    format!("Attribute {name} value must be at least {min}, got: {n}"),
                )
                .about_attribute(name),
            );
        }
    }
}

pub(crate) struct SelfSignedCert;

#[async_trait::async_trait]
impl Managed for SelfSignedCert {
    fn name(&self) -> &'static str {
        "tls_self_signed_cert"
    }
    fn schema(&self) -> Schema {
        SelfSignedCertObject::schema()
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
        let mut o = SelfSignedCertObject::from_value(&planned)?;
        let key = Key::from_pem(&o.private_key_pem).map_err(|e| error("Failed to parse private key PEM", e))?;
        let t = Template {
            subject: o.subject.first(),
            dns_names: o.dns_names.as_deref().unwrap_or_default(),
            ip_addresses: o.ip_addresses.as_deref().unwrap_or_default(),
            uris: o.uris.as_deref().unwrap_or_default(),
            validity_period_hours: o.validity_period_hours,
            allowed_uses: &o.allowed_uses,
            is_ca: o.is_ca_certificate == Some(true),
            max_path_length: o.max_path_length,
            set_subject_key_id: o.set_subject_key_id == Some(true),
            set_authority_key_id: o.set_authority_key_id == Some(true),
        };
        let public = key.public_der().map_err(|e| error("Failed to get public key from private key", e))?;
        let ski = key.subject_key_id_input().map_err(|e| error("Failed to generate subject key identifier", e))?;
        let c = cert::create(&t, &public, &ski, &key, None)?;
        o.key_algorithm = Some(key.algorithm().to_string());
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
    use crate::tls::test_tools::openssl;

    fn config(key_pem: &str, extra: Vec<(&str, Value)>) -> Value {
        let strings = |v: &[&str]| Value::list_of(v.iter().map(|s| Value::string(*s)).collect()).unwrap();
        let subject = Value::list_of(vec![
            Value::object([
                ("common_name", Value::string("example.com")),
                ("organization", Value::string("ACME Examples, Inc")),
                ("country", Value::string("US")),
                ("street_address", strings(&["1 Main St"])),
            ])
            .conform(&Subject::schema().value_type()),
        ])
        .unwrap();
        let mut attrs: Vec<(&str, Value)> = vec![
            ("private_key_pem", Value::string(key_pem)),
            ("validity_period_hours", Value::int(12)),
            ("allowed_uses", strings(&["key_encipherment", "digital_signature", "server_auth", "client_auth"])),
            ("dns_names", strings(&["example.com", "example.net"])),
            ("ip_addresses", strings(&["127.0.0.1", "::1"])),
            ("uris", strings(&["spiffe://example-trust-domain/ca"])),
            ("subject", subject),
        ];
        attrs.extend(extra);
        Value::object(attrs).conform(&SelfSignedCertObject::schema().value_type())
    }

    fn plan_and_create(config: &Value) -> (PlanResponse, SelfSignedCertObject) {
        let schema = terrane_engine::schema::ResourceSchema::new(SelfSignedCertObject::schema());
        let req = PlanRequest {
            type_name: "tls_self_signed_cert",
            schema: &schema,
            prior: None,
            config,
            prior_private: None,
        };
        let resp = SelfSignedCert.plan(&crate::kit::test_ctx(), &req).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let v = rt.block_on(SelfSignedCert.create(&crate::kit::test_ctx(), resp.planned.clone())).unwrap();
        (resp, SelfSignedCertObject::from_value(&v).unwrap())
    }

    fn text(cert_pem: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.pem");
        std::fs::write(&path, cert_pem).unwrap();
        openssl(&["x509", "-in", path.to_str().unwrap(), "-noout", "-text"])
    }

    #[test]
    fn a_server_certificate_openssl_reads_as_configured() {
        let key = Key::generate("RSA", 2048, "P224").unwrap();
        let (plan, o) = plan_and_create(&config(&key.private_key_pem().unwrap(), vec![]));
        assert_eq!(plan.planned.get_attr("ready_for_renewal").unwrap().as_bool(), Some(false));
        let t = text(o.cert_pem.as_deref().unwrap());
        assert!(t.contains("Subject: C = US, street = 1 Main St, O = \"ACME Examples, Inc\", CN = example.com"), "{t}");
        assert!(t.contains("Issuer: C = US, street = 1 Main St, O = \"ACME Examples, Inc\", CN = example.com"), "{t}");
        assert!(t.contains("Signature Algorithm: sha256WithRSAEncryption"), "{t}");
        assert!(t.contains("DNS:example.com, DNS:example.net, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, URI:spiffe://example-trust-domain/ca"), "{t}");
        assert!(t.contains("X509v3 Key Usage: critical\n                Digital Signature, Key Encipherment"), "{t}");
        assert!(t.contains("TLS Web Server Authentication, TLS Web Client Authentication"), "{t}");
        assert!(t.contains("X509v3 Basic Constraints: critical\n                CA:FALSE"), "{t}");
        assert!(!t.contains("Subject Key Identifier"), "only with set_subject_key_id or a CA: {t}");
        // `id`: the serial number in decimal.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.pem");
        std::fs::write(&path, o.cert_pem.as_deref().unwrap()).unwrap();
        let out = openssl(&["x509", "-in", path.to_str().unwrap(), "-noout", "-serial"]);
        let hex = out.trim().strip_prefix("serial=").unwrap();
        assert_eq!(u128::from_str_radix(hex, 16).unwrap().to_string(), o.id.clone().unwrap());
        let start = crate::tls::der::Instant::parse_rfc3339(o.validity_start_time.as_deref().unwrap()).unwrap();
        let end = crate::tls::der::Instant::parse_rfc3339(o.validity_end_time.as_deref().unwrap()).unwrap();
        assert_eq!(end.secs - start.secs, 12 * 3600);
        assert_eq!(o.key_algorithm.as_deref(), Some("RSA"));
    }

    #[test]
    fn a_ca_of_every_key_algorithm_verifies_itself() {
        for (alg, curve, sig) in [
            ("RSA", "P224", "sha256WithRSAEncryption"),
            ("ECDSA", "P224", "ecdsa-with-SHA256"),
            ("ECDSA", "P256", "ecdsa-with-SHA256"),
            ("ECDSA", "P384", "ecdsa-with-SHA384"),
            ("ECDSA", "P521", "ecdsa-with-SHA512"),
            ("ED25519", "P224", "ED25519"),
        ] {
            let key = Key::generate(alg, 2048, curve).unwrap();
            let uses = Value::list_of(vec![Value::string("cert_signing"), Value::string("crl_signing")]).unwrap();
            let (_, o) = plan_and_create(&config(
                &key.private_key_pem().unwrap(),
                vec![
                    ("is_ca_certificate", Value::bool(true)),
                    ("allowed_uses", uses),
                    ("set_authority_key_id", Value::bool(true)),
                    ("max_path_length", Value::int(2)),
                ],
            ));
            let pem = o.cert_pem.clone().unwrap();
            let t = text(&pem);
            assert!(t.contains(&format!("Signature Algorithm: {sig}")), "{alg} {curve}: {t}");
            assert!(t.contains("CA:TRUE, pathlen:2"), "{t}");
            assert!(t.contains("Certificate Sign, CRL Sign"), "{t}");
            assert!(t.contains("X509v3 Subject Key Identifier"), "{t}");
            assert!(t.contains("X509v3 Authority Key Identifier"), "{t}");
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("ca.pem");
            std::fs::write(&path, &pem).unwrap();
            let p = path.to_str().unwrap();
            let out = openssl(&["verify", "-CAfile", p, p]);
            assert_eq!(out.trim(), format!("{p}: OK"), "{alg} {curve}");
        }
    }

    #[test]
    fn a_ca_needs_a_subject_and_authority_key_id_needs_a_subject_key_id() {
        let key = Key::generate("ED25519", 0, "").unwrap();
        let empty = Value::empty_list(Subject::schema().value_type());
        let c =
            config(&key.private_key_pem().unwrap(), vec![("is_ca_certificate", Value::bool(true)), ("subject", empty)]);
        let schema = terrane_engine::schema::ResourceSchema::new(SelfSignedCertObject::schema());
        let req = PlanRequest {
            type_name: "tls_self_signed_cert",
            schema: &schema,
            prior: None,
            config: &c,
            prior_private: None,
        };
        let planned = SelfSignedCert.plan(&crate::kit::test_ctx(), &req).unwrap().planned;
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let e = rt.block_on(SelfSignedCert.create(&crate::kit::test_ctx(), planned)).unwrap_err();
        assert_eq!(e.summary.as_deref(), Some("Invalid Certificate Subject"));
        let c = config(&key.private_key_pem().unwrap(), vec![("set_authority_key_id", Value::bool(true))]);
        let req = PlanRequest {
            type_name: "tls_self_signed_cert",
            schema: &schema,
            prior: None,
            config: &c,
            prior_private: None,
        };
        let planned = SelfSignedCert.plan(&crate::kit::test_ctx(), &req).unwrap().planned;
        let e = rt.block_on(SelfSignedCert.create(&crate::kit::test_ctx(), planned)).unwrap_err();
        assert_eq!(e.message, "Certificate of issuer has no Subject Key ID");
        // Go's CreateCertificate: a path length is for CAs only.
        let c = config(&key.private_key_pem().unwrap(), vec![("max_path_length", Value::int(1))]);
        let req = PlanRequest {
            type_name: "tls_self_signed_cert",
            schema: &schema,
            prior: None,
            config: &c,
            prior_private: None,
        };
        let planned = SelfSignedCert.plan(&crate::kit::test_ctx(), &req).unwrap().planned;
        let e = rt.block_on(SelfSignedCert.create(&crate::kit::test_ctx(), planned)).unwrap_err();
        assert_eq!(e.message, "x509: only CAs are allowed to specify MaxPathLen");
    }

    #[test]
    fn a_certificate_due_for_renewal_is_replaced() {
        let key = Key::generate("ED25519", 0, "").unwrap();
        let c = config(&key.private_key_pem().unwrap(), vec![("early_renewal_hours", Value::int(2))]);
        let (_, o) = plan_and_create(&c);
        let schema = terrane_engine::schema::ResourceSchema::new(SelfSignedCertObject::schema());
        let prior = o.to_value();
        let req = PlanRequest {
            type_name: "tls_self_signed_cert",
            schema: &schema,
            prior: Some(&prior),
            config: &c,
            prior_private: None,
        };
        let resp = SelfSignedCert.plan(&crate::kit::test_ctx(), &req).unwrap();
        assert!(resp.requires_replace.is_empty(), "12 hours valid, renewal 2 hours before the end");
        assert_eq!(resp.planned.get_attr("cert_pem"), prior.get_attr("cert_pem"));
        // Ten hours later (the end moved back instead): due.
        let due = SelfSignedCertObject {
            validity_end_time: Some(crate::tls::der::Instant::now().plus_hours(1).rfc3339()),
            ..o.clone()
        }
        .to_value();
        let req = PlanRequest {
            type_name: "tls_self_signed_cert",
            schema: &schema,
            prior: Some(&due),
            config: &c,
            prior_private: None,
        };
        let resp = SelfSignedCert.plan(&crate::kit::test_ctx(), &req).unwrap();
        assert_eq!(
            resp.requires_replace,
            vec![vec![terrane_engine::value::PathStep::Attr("ready_for_renewal".into())]]
        );
        assert!(resp.planned.get_attr("cert_pem").unwrap().is_unknown());
        let read = cert::read(due);
        assert_eq!(read.get_attr("ready_for_renewal").unwrap().as_bool(), Some(true));
        // validity_period_hours 0: ready at once.
        let c0 = config(&key.private_key_pem().unwrap(), vec![("validity_period_hours", Value::int(0))]);
        let req = PlanRequest {
            type_name: "tls_self_signed_cert",
            schema: &schema,
            prior: None,
            config: &c0,
            prior_private: None,
        };
        let resp = SelfSignedCert.plan(&crate::kit::test_ctx(), &req).unwrap();
        assert_eq!(resp.planned.get_attr("ready_for_renewal").unwrap().as_bool(), Some(true));
    }
}
