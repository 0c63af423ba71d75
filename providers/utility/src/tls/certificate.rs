//! Data source `tls_certificate` from `content` (a PEM certificate): what Go's
//! `x509.ParseCertificate` says of it, in the plugin's words. `url` (fetching a server's
//! chain) needs the network and is refused: terrane runs where there may be none.

use super::der::{self, Tlv, children, oid};
use super::key::hash_for_state;
use super::{error, pem};
use crate::kit::{Ctx, Data, Result};
use crate::local::check_exactly_one;
use sha1::{Digest as _, Sha1};
use terrane_engine::diag::Diagnostic;
use terrane_engine::model::Model;
use terrane_engine::schema::Schema;
use terrane_engine::value::Value;

#[derive(Model, Clone, Debug, Default)]
struct CertificateObject {
    #[model(optional)]
    url: Option<String>,
    #[model(optional)]
    content: Option<String>,
    #[model(optional)]
    verify_chain: Option<bool>,
    #[model(computed)]
    id: Option<String>,
    #[model(computed)]
    certificates: Option<Vec<CertificateInfo>>,
}

/// One certificate (the plugin's `CertificateModel`, in its field order).
#[derive(Model, Clone, Debug, Default, PartialEq)]
struct CertificateInfo {
    #[model(computed)]
    signature_algorithm: Option<String>,
    #[model(computed)]
    public_key_algorithm: Option<String>,
    #[model(computed)]
    serial_number: Option<String>,
    #[model(computed)]
    is_ca: Option<bool>,
    #[model(computed)]
    max_path_length: Option<i64>,
    #[model(computed)]
    version: Option<i64>,
    #[model(computed)]
    issuer: Option<String>,
    #[model(computed)]
    subject: Option<String>,
    #[model(computed)]
    not_before: Option<String>,
    #[model(computed)]
    not_after: Option<String>,
    #[model(computed)]
    sha1_fingerprint: Option<String>,
    #[model(computed)]
    cert_pem: Option<String>,
}

impl terrane_engine::model::Field for CertificateInfo {
    fn ty() -> terrane_engine::value::Type {
        CertificateInfo::schema().value_type()
    }
    fn from_field(v: &Value) -> std::result::Result<Self, terrane_engine::model::ModelError> {
        CertificateInfo::from_value(v)
    }
    fn to_field(&self) -> Value {
        self.to_value()
    }
}

fn is(t: &Tlv<'_>, arcs: &[u64]) -> bool {
    t.2 == oid(arcs).as_slice()
}

/// Go's `SignatureAlgorithm.String()` of an AlgorithmIdentifier ("0" when unknown).
fn signature_algorithm(ai: &[u8]) -> String {
    let Some(parts) = der::read(ai).and_then(|(t, _)| children(t.1)) else { return "0".into() };
    let Some(o) = parts.first() else { return "0".into() };
    let names: [(&[u64], &str); 12] = [
        (&[1, 2, 840, 113549, 1, 1, 4], "MD5-RSA"),
        (&[1, 2, 840, 113549, 1, 1, 5], "SHA1-RSA"),
        (&[1, 2, 840, 113549, 1, 1, 11], "SHA256-RSA"),
        (&[1, 2, 840, 113549, 1, 1, 12], "SHA384-RSA"),
        (&[1, 2, 840, 113549, 1, 1, 13], "SHA512-RSA"),
        (&[1, 2, 840, 10040, 4, 3], "DSA-SHA1"),
        (&[2, 16, 840, 1, 101, 3, 4, 3, 2], "DSA-SHA256"),
        (&[1, 2, 840, 10045, 4, 1], "ECDSA-SHA1"),
        (&[1, 2, 840, 10045, 4, 3, 2], "ECDSA-SHA256"),
        (&[1, 2, 840, 10045, 4, 3, 3], "ECDSA-SHA384"),
        (&[1, 2, 840, 10045, 4, 3, 4], "ECDSA-SHA512"),
        (&[1, 3, 101, 112], "Ed25519"),
    ];
    names.iter().find(|(a, _)| is(o, a)).map_or("0".into(), |(_, n)| n.to_string())
}

/// Go's `PublicKeyAlgorithm.String()` of a SubjectPublicKeyInfo.
fn public_key_algorithm(spki: &[u8]) -> String {
    let alg = der::read(spki)
        .and_then(|(t, _)| children(t.1))
        .and_then(|p| p.first().and_then(|a| children(a.1)))
        .and_then(|a| a.first().map(|o| o.2.to_vec()));
    let Some(o) = alg else { return "0".into() };
    let names: [(&[u64], &str); 4] = [
        (&[1, 2, 840, 113549, 1, 1, 1], "RSA"),
        (&[1, 2, 840, 10040, 4, 1], "DSA"),
        (&[1, 2, 840, 10045, 2, 1], "ECDSA"),
        (&[1, 3, 101, 112], "Ed25519"),
    ];
    names.iter().find(|(a, _)| oid(a) == o).map_or("0".into(), |(_, n)| n.to_string())
}

/// A big-endian magnitude in decimal.
fn decimal(be: &[u8]) -> String {
    let mut digits = vec![0u8]; // little-endian base 10
    for &byte in be {
        let mut carry = byte as u32;
        for d in digits.iter_mut() {
            let v = *d as u32 * 256 + carry;
            *d = (v % 10) as u8;
            carry = v / 10;
        }
        while carry > 0 {
            digits.push((carry % 10) as u8);
            carry /= 10;
        }
    }
    let s: String = digits.iter().rev().map(|d| (b'0' + d) as char).collect();
    let s = s.trim_start_matches('0');
    if s.is_empty() { "0".into() } else { s.to_string() }
}

/// Go's `pkix.Name.String()`: the RDNs last first, `TYPE=value` joined by commas, RFC 4514
/// escaping, unknown types as their OID and `#` and the value's DER in hexadecimal.
fn name_string(name: &[u8]) -> Option<String> {
    let known: [(&[u64], &str); 9] = [
        (&[2, 5, 4, 6], "C"),
        (&[2, 5, 4, 10], "O"),
        (&[2, 5, 4, 11], "OU"),
        (&[2, 5, 4, 3], "CN"),
        (&[2, 5, 4, 5], "SERIALNUMBER"),
        (&[2, 5, 4, 7], "L"),
        (&[2, 5, 4, 8], "ST"),
        (&[2, 5, 4, 9], "STREET"),
        (&[2, 5, 4, 17], "POSTALCODE"),
    ];
    let mut rdns = Vec::new();
    for rdn in children(name)? {
        let mut atvs = Vec::new();
        for atv in children(rdn.1)? {
            let parts = children(atv.1)?;
            let (k, v) = (parts.first()?, parts.get(1)?);
            let text = match known.iter().find(|(a, _)| is(k, a)) {
                Some((_, n)) => format!("{n}={}", escape(&String::from_utf8_lossy(v.1))),
                None => {
                    let hex: String = v.2.iter().map(|b| format!("{b:02x}")).collect();
                    format!("{}=#{hex}", oid_string(k.1))
                }
            };
            atvs.push(text);
        }
        rdns.push(atvs.join("+"));
    }
    rdns.reverse();
    Some(rdns.join(","))
}

fn oid_string(body: &[u8]) -> String {
    let mut arcs = Vec::new();
    let mut n: u64 = 0;
    for &b in body {
        n = (n << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (n / 40).min(2);
                arcs.push(first);
                arcs.push(n - first * 40);
            } else {
                arcs.push(n);
            }
            n = 0;
        }
    }
    arcs.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}

/// Go's `attributeTypeAndValue` escaping (RFC 4514 §2.4).
fn escape(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let escape = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || (i == 0 && (c == ' ' || c == '#'))
            || (i == chars.len() - 1 && c == ' ');
        if escape {
            out.push('\\');
            out.push(c);
        } else if c == '\0' {
            out.push_str("\\00");
        } else {
            out.push(c);
        }
    }
    out
}

/// A UTCTime or GeneralizedTime as Go's `time.Format(time.RFC3339)` prints it (UTC).
fn time_string(t: &Tlv<'_>) -> Option<String> {
    let s = std::str::from_utf8(t.1).ok()?;
    let s = s.strip_suffix('Z')?;
    let full = match t.0 {
        0x17 => {
            let yy: u32 = s.get(..2)?.parse().ok()?;
            format!("{}{s}", if yy < 50 { "20" } else { "19" })
        }
        0x18 => s.to_string(),
        _ => return None,
    };
    let f = |r: std::ops::Range<usize>| full.get(r);
    Some(format!("{}-{}-{}T{}:{}:{}Z", f(0..4)?, f(4..6)?, f(6..8)?, f(8..10)?, f(10..12)?, f(12..14)?))
}

fn describe(cert_der: &[u8]) -> Option<CertificateInfo> {
    let (outer, _) = der::read(cert_der)?;
    let top = children(outer.1)?;
    let tbs = children(top.first()?.1)?;
    let skip = usize::from(tbs.first().is_some_and(|t| t.0 == 0xa0));
    let version = if skip == 1 { der::read(tbs[0].1)?.0.1.last().copied()? as i64 + 1 } else { 1 };
    let serial = tbs.get(skip)?;
    let validity = children(tbs.get(3 + skip)?.1)?;
    let (mut is_ca, mut max_path) = (false, 0i64);
    if let Some(exts) = tbs.iter().find(|t| t.0 == 0xa3) {
        for ext in children(der::read(exts.1)?.0.1)? {
            let e = children(ext.1)?;
            if e.first().is_some_and(|o| is(o, &[2, 5, 29, 19])) {
                let bc = children(der::read(e.last()?.1)?.0.1)?;
                max_path = -1;
                for f in bc {
                    match f.0 {
                        0x01 => is_ca = f.1.first().is_some_and(|&b| b != 0),
                        0x02 => max_path = f.1.iter().fold(0i64, |n, &b| (n << 8) | i64::from(b)),
                        _ => {}
                    }
                }
            }
        }
    }
    Some(CertificateInfo {
        signature_algorithm: Some(signature_algorithm(top.get(1)?.2)),
        public_key_algorithm: Some(public_key_algorithm(tbs.get(5 + skip)?.2)),
        serial_number: Some(decimal(serial.1)),
        is_ca: Some(is_ca),
        max_path_length: Some(max_path),
        version: Some(version),
        issuer: Some(name_string(tbs.get(2 + skip)?.1)?),
        subject: Some(name_string(tbs.get(4 + skip)?.1)?),
        not_before: Some(time_string(validity.first()?)?),
        not_after: Some(time_string(validity.get(1)?)?),
        sha1_fingerprint: Some(Sha1::digest(cert_der).iter().map(|b| format!("{b:02x}")).collect()),
        cert_pem: Some(pem::encode("CERTIFICATE", cert_der)),
    })
}

/// Go's `%q` (strconv.Quote) of text.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The plugin's `id`: `hashForState(fmt.Sprintf("%v", certs))`, the models printed by Go
/// (strings quoted, numbers and booleans bare, fields in order).
fn id_of(certs: &[CertificateInfo]) -> String {
    let s = |v: &Option<String>| go_quote(v.as_deref().unwrap_or_default());
    let items: Vec<String> = certs
        .iter()
        .map(|c| {
            format!(
                "{{{} {} {} {} {} {} {} {} {} {} {} {}}}",
                s(&c.signature_algorithm),
                s(&c.public_key_algorithm),
                s(&c.serial_number),
                c.is_ca.unwrap_or_default(),
                c.max_path_length.unwrap_or_default(),
                c.version.unwrap_or_default(),
                s(&c.issuer),
                s(&c.subject),
                s(&c.not_before),
                s(&c.not_after),
                s(&c.sha1_fingerprint),
                s(&c.cert_pem),
            )
        })
        .collect();
    hash_for_state(format!("[{}]", items.join(" ")).as_bytes())
}

pub(crate) struct Certificate;

#[async_trait::async_trait]
impl Data for Certificate {
    fn name(&self) -> &'static str {
        "tls_certificate"
    }
    fn schema(&self) -> Schema {
        CertificateObject::schema()
    }
    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        check_exactly_one(config, &["content", "url"], &mut out);
        out
    }
    async fn read(&self, _c: &Ctx<'_>, config: Value) -> Result<Value> {
        let mut o = CertificateObject::from_value(&config)?;
        o.verify_chain = o.verify_chain.or(Some(true));
        let Some(content) = &o.content else {
            return Err(error(
                "Fetching certificates is not built in",
                "terrane's built-in hashicorp/tls reads certificates from `content` only: fetching a server's chain from `url` needs the network, which terrane does not assume",
            ));
        };
        let Some((label, der_bytes)) = pem::decode(content) else {
            let mut e = error("Failed to decoded PEM", "Value is not a valid PEM encoding of a certificate");
            e.attribute = Some("content".into());
            return Err(e);
        };
        if label != "CERTIFICATE" {
            return Err(error(
                "Unexpected PEM preamble",
                format!("Certificate PEM should be \"CERTIFICATE\", got \"{label}\""),
            ));
        }
        let info =
            describe(&der_bytes).ok_or_else(|| error("Unable to parse certificate", "x509: malformed certificate"))?;
        let certs = vec![info];
        o.id = Some(id_of(&certs));
        o.certificates = Some(certs);
        Ok(o.to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plugin's acceptance test TestDataSourceCertificate_CertificateContent, on its
    /// fixture (internal/provider/fixtures/certificate.pem at v4.2.1).
    #[tokio::test]
    async fn the_plugins_fixture_reads_as_its_test_expects() {
        let pem_text = include_str!("../../tests/fixtures/tls_certificate.pem");
        let config =
            Value::object([("content", Value::string(pem_text))]).conform(&CertificateObject::schema().value_type());
        let v = Certificate.read(&crate::kit::test_ctx(), config).await.unwrap();
        let o = CertificateObject::from_value(&v).unwrap();
        let c = &o.certificates.unwrap()[0];
        assert_eq!(c.signature_algorithm.as_deref(), Some("SHA256-RSA"));
        assert_eq!(c.public_key_algorithm.as_deref(), Some("RSA"));
        assert_eq!(c.serial_number.as_deref(), Some("266244246501122064554217434340898012243"));
        assert_eq!(c.is_ca, Some(false));
        assert_eq!(c.max_path_length, Some(-1));
        assert_eq!(c.version, Some(3));
        assert_eq!(c.issuer.as_deref(), Some("CN=Root CA,O=Test Org,L=Here"));
        assert_eq!(c.subject.as_deref(), Some("CN=Child Cert,O=Child Co.,L=Everywhere"));
        assert_eq!(c.not_before.as_deref(), Some("2019-11-08T09:01:36Z"));
        assert_eq!(c.not_after.as_deref(), Some("2019-11-08T19:01:36Z"));
        assert_eq!(c.sha1_fingerprint.as_deref(), Some("61b65624427d75b61169100836904e44364df817"));
        assert_eq!(c.cert_pem.as_deref(), Some(format!("{}\n", pem_text.trim()).as_str()));
        assert_eq!(o.verify_chain, Some(true));
        assert_eq!(o.id.as_deref().map(str::len), Some(40));
    }

    #[tokio::test]
    async fn not_a_certificate_is_the_plugins_error() {
        for (content, summary) in [
            ("not a pem", "Failed to decoded PEM"),
            ("-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n", "Unexpected PEM preamble"),
        ] {
            let config =
                Value::object([("content", Value::string(content))]).conform(&CertificateObject::schema().value_type());
            let e = Certificate.read(&crate::kit::test_ctx(), config).await.unwrap_err();
            assert_eq!(e.summary.as_deref(), Some(summary));
        }
    }

    #[tokio::test]
    async fn a_url_is_refused_without_trying_the_network() {
        let config = Value::object([("url", Value::string("https://example.com"))])
            .conform(&CertificateObject::schema().value_type());
        let e = Certificate.read(&crate::kit::test_ctx(), config).await.unwrap_err();
        assert_eq!(e.summary.as_deref(), Some("Fetching certificates is not built in"));
    }

    #[test]
    fn names_escape_as_go_does() {
        assert_eq!(escape("a,b"), "a\\,b");
        assert_eq!(escape(" #x "), "\\ #x\\ ");
        assert_eq!(decimal(&[0x01, 0x00]), "256");
        assert_eq!(decimal(&[0]), "0");
        assert_eq!(oid_string(&oid(&[1, 2, 840, 113549, 1, 9, 1])[2..]), "1.2.840.113549.1.9.1");
    }
}
