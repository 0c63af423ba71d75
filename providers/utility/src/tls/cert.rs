//! What the certificate types share (the plugin's `common_cert.go`): the `subject` block, the
//! certificate Go's `x509.CreateCertificate` writes for a template (extensions in its order,
//! only those it writes), signing with the key's algorithm, and renewal.

use super::der::{self, Instant, bits, boolean, ia5, octets, oid, seq, set, tlv, uint};
use super::{Key, error, pem};
use crate::kit::random_bytes;
use terrane_engine::model::Model;
use terrane_engine::plan::diff::generic_plan;
use terrane_engine::provider::{PlanRequest, PlanResponse, ProviderError};
use terrane_engine::value::{PathStep, Value};

#[derive(Model, Clone, Debug, Default)]
pub(crate) struct Subject {
    #[model(optional, force_new)]
    pub organization: Option<String>,
    #[model(optional, force_new)]
    pub common_name: Option<String>,
    #[model(optional, force_new)]
    pub organizational_unit: Option<String>,
    #[model(optional, force_new)]
    pub street_address: Option<Vec<String>>,
    #[model(optional, force_new)]
    pub locality: Option<String>,
    #[model(optional, force_new)]
    pub province: Option<String>,
    #[model(optional, force_new)]
    pub country: Option<String>,
    #[model(optional, force_new)]
    pub postal_code: Option<String>,
    #[model(optional, force_new)]
    pub serial_number: Option<String>,
    #[model(optional, force_new)]
    pub email_address: Option<String>,
}

/// The `Name` Go's `pkix.Name.ToRDNSequence` writes: C, ST, L, street, postal code, O, OU,
/// CN, serial number, then the e-mail address; one attribute per RDN. Empty: no RDNs.
pub(crate) fn name_der(s: Option<&Subject>) -> (Vec<u8>, bool) {
    let Some(s) = s else { return (seq(&[]), true) };
    let mut rdns = Vec::new();
    let mut add = |arcs: &[u64], v: &Option<String>| {
        if let Some(v) = v {
            rdns.push(set(&[seq(&[oid(arcs), der::string(v)])]));
        }
    };
    add(&[2, 5, 4, 6], &s.country);
    add(&[2, 5, 4, 8], &s.province);
    add(&[2, 5, 4, 7], &s.locality);
    for street in s.street_address.iter().flatten() {
        add(&[2, 5, 4, 9], &Some(street.clone()));
    }
    add(&[2, 5, 4, 17], &s.postal_code);
    add(&[2, 5, 4, 10], &s.organization);
    add(&[2, 5, 4, 11], &s.organizational_unit);
    add(&[2, 5, 4, 3], &s.common_name.clone().filter(|c| !c.is_empty()));
    add(&[2, 5, 4, 5], &s.serial_number.clone().filter(|c| !c.is_empty()));
    if let Some(e) = &s.email_address {
        rdns.push(set(&[seq(&[oid(&[1, 2, 840, 113549, 1, 9, 1]), ia5(e)])]));
    }
    let empty = rdns.is_empty();
    (seq(&rdns), empty)
}

/// Go's `x509.KeyUsage` bits, in bit order, by the provider's names.
const KEY_USAGES: [&str; 9] = [
    "digital_signature",
    "content_commitment",
    "key_encipherment",
    "data_encipherment",
    "key_agreement",
    "cert_signing",
    "crl_signing",
    "encipher_only",
    "decipher_only",
];

/// Go's `ExtKeyUsage` OIDs, by the provider's names.
const EXT_KEY_USAGES: [(&str, &[u64]); 14] = [
    ("any_extended", &[2, 5, 29, 37, 0]),
    ("server_auth", &[1, 3, 6, 1, 5, 5, 7, 3, 1]),
    ("client_auth", &[1, 3, 6, 1, 5, 5, 7, 3, 2]),
    ("code_signing", &[1, 3, 6, 1, 5, 5, 7, 3, 3]),
    ("email_protection", &[1, 3, 6, 1, 5, 5, 7, 3, 4]),
    ("ipsec_end_system", &[1, 3, 6, 1, 5, 5, 7, 3, 5]),
    ("ipsec_tunnel", &[1, 3, 6, 1, 5, 5, 7, 3, 6]),
    ("ipsec_user", &[1, 3, 6, 1, 5, 5, 7, 3, 7]),
    ("timestamping", &[1, 3, 6, 1, 5, 5, 7, 3, 8]),
    ("ocsp_signing", &[1, 3, 6, 1, 5, 5, 7, 3, 9]),
    ("microsoft_server_gated_crypto", &[1, 3, 6, 1, 4, 1, 311, 10, 3, 3]),
    ("netscape_server_gated_crypto", &[2, 16, 840, 1, 113730, 4, 1]),
    ("microsoft_commercial_code_signing", &[1, 3, 6, 1, 4, 1, 311, 2, 1, 22]),
    ("microsoft_kernel_code_signing", &[1, 3, 6, 1, 4, 1, 311, 61, 1, 1]),
];

fn key_usage_bit(name: &str) -> Option<u16> {
    KEY_USAGES.iter().position(|n| *n == name).map(|i| 1 << i)
}

fn ext_key_usage(name: &str) -> Option<&'static [u64]> {
    EXT_KEY_USAGES.iter().find(|(n, _)| *n == name).map(|(_, arcs)| *arcs)
}

/// Every name `allowed_uses` accepts, sorted (the plugin's `supportedKeyUsagesStr`).
pub(crate) fn supported_uses() -> Vec<&'static str> {
    let mut all: Vec<&'static str> = KEY_USAGES.iter().copied().chain(EXT_KEY_USAGES.iter().map(|(n, _)| *n)).collect();
    all.sort();
    all
}

pub(crate) fn extension(arcs: &[u64], critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut parts = vec![oid(arcs)];
    if critical {
        parts.push(boolean(true));
    }
    parts.push(octets(&value));
    seq(&parts)
}

/// Go's `marshalKeyUsage`: the bits reversed into one or two bytes, the BIT STRING's length
/// up to the last bit set.
fn key_usage_value(ku: u16) -> Vec<u8> {
    let a = [(ku as u8).reverse_bits(), ((ku >> 8) as u8).reverse_bits()];
    let l = if a[1] != 0 { 2 } else { 1 };
    let bytes = &a[..l];
    let last = bytes[l - 1];
    let unused = if last == 0 { 0 } else { last.trailing_zeros() as u8 };
    tlv(0x03, &[&[unused][..], bytes].concat())
}

/// The template's arguments.
pub(crate) struct Template<'a> {
    pub subject: Option<&'a Subject>,
    pub dns_names: &'a [String],
    pub ip_addresses: &'a [String],
    pub uris: &'a [String],
    pub validity_period_hours: i64,
    pub allowed_uses: &'a [String],
    pub is_ca: bool,
    pub max_path_length: Option<i64>,
    pub set_subject_key_id: bool,
    pub set_authority_key_id: bool,
}

/// A signing certificate: its subject name and its subject key ID.
pub(crate) struct Issuer {
    pub name: Vec<u8>,
    pub subject_key_id: Option<Vec<u8>>,
}

/// What a create records.
pub(crate) struct Created {
    pub id: String,
    pub cert_pem: String,
    pub validity_start_time: String,
    pub validity_end_time: String,
}

fn fail(summary: &str, detail: impl Into<String>) -> ProviderError {
    error(summary, detail)
}

/// The plugin's `createCertificate` for a self-signed template (`issuer` None: the issuer
/// is the subject) or one signed by `issuer`, signed with `signer`. `public` is the
/// certificate's public key (PKIX DER) and `ski_input` what the provider hashes for its key
/// ID.
pub(crate) fn create(
    t: &Template<'_>,
    public: &[u8],
    ski_input: &[u8],
    signer: &Key,
    issuer: Option<Issuer>,
) -> Result<Created, ProviderError> {
    use sha1::{Digest as _, Sha1};
    let (subject, subject_empty) = name_der(t.subject);
    let not_before = Instant::now();
    let not_after = not_before.plus_hours(t.validity_period_hours);
    let serial = random_bytes(16)?; // rand.Int below 2^128
    let serial_n = u128::from_be_bytes(serial.clone().try_into().expect("16 bytes"));

    let mut ku = 0u16;
    let mut eku = Vec::new();
    for u in t.allowed_uses {
        if let Some(b) = key_usage_bit(u) {
            ku |= b;
        }
        if let Some(o) = ext_key_usage(u) {
            eku.push(oid(o));
        }
    }
    let mut ski: Option<Vec<u8>> = None;
    if t.is_ca {
        if subject_empty {
            return Err(fail(
                "Invalid Certificate Subject",
                "Certificate Subject must contain at least one Distinguished Name when creating Certificate Authority (CA)",
            ));
        }
        ski = Some(Sha1::digest(ski_input).to_vec());
    }
    if t.set_subject_key_id {
        ski = Some(Sha1::digest(ski_input).to_vec());
    }
    let self_signed = issuer.is_none();
    let (issuer_name, parent_ski) = match &issuer {
        Some(i) => (i.name.clone(), i.subject_key_id.clone()),
        None => (subject.clone(), ski.clone()),
    };
    let mut aki: Option<Vec<u8>> = None;
    if t.set_authority_key_id {
        match &parent_ski {
            Some(k) if !k.is_empty() => aki = Some(k.clone()),
            _ => {
                return Err(fail(
                    "Failed to set authority key identifier",
                    "Certificate of issuer has no Subject Key ID",
                ));
            }
        }
    }
    // Go's CreateCertificate: an issuer other than the subject with a key ID makes it the
    // authority key ID; a CA without one gets one.
    if !self_signed && issuer_name != subject && parent_ski.as_ref().is_some_and(|k| !k.is_empty()) {
        aki = parent_ski.clone();
    }

    let mut exts = Vec::new();
    if ku != 0 {
        exts.push(extension(&[2, 5, 29, 15], true, key_usage_value(ku)));
    }
    if !eku.is_empty() {
        exts.push(extension(&[2, 5, 29, 37], false, seq(&eku)));
    }
    if !t.is_ca && t.max_path_length.is_some_and(|n| n > 0) {
        return Err(fail("Failed to create certificate", "x509: only CAs are allowed to specify MaxPathLen"));
    }
    let mut bc = Vec::new();
    if t.is_ca {
        bc.push(boolean(true));
        if let Some(n) = t.max_path_length.filter(|&n| n > 0) {
            bc.push(uint(&n.to_be_bytes()));
        }
    }
    exts.push(extension(&[2, 5, 29, 19], true, seq(&bc)));
    if let Some(k) = &ski {
        exts.push(extension(&[2, 5, 29, 14], false, octets(k)));
    }
    if let Some(k) = &aki {
        exts.push(extension(&[2, 5, 29, 35], false, seq(&[tlv(0x80, k)])));
    }
    let sans = general_names(t.dns_names, t.ip_addresses, t.uris)?;
    if !sans.is_empty() {
        // RFC 5280 §4.2.1.6, as Go: critical when the subject is empty.
        exts.push(extension(&[2, 5, 29, 17], subject_empty, seq(&sans)));
    }
    finish(signer, &serial, serial_n, issuer_name, subject, public, exts, not_before, not_after)
}

/// Go's `marshalSANs`: DNS names, then IP addresses, then URIs.
pub(crate) fn general_names(
    dns_names: &[String],
    ip_addresses: &[String],
    uris: &[String],
) -> Result<Vec<Vec<u8>>, ProviderError> {
    let mut sans = Vec::new();
    for d in dns_names {
        sans.push(tlv(0x82, d.as_bytes()));
    }
    for ip in ip_addresses {
        let ip: std::net::IpAddr =
            ip.parse().map_err(|_| fail("Invalid IP address", format!("Failed to parse {ip:?}")))?;
        let b = match ip {
            std::net::IpAddr::V4(v4) => v4.octets().to_vec(),
            std::net::IpAddr::V6(v6) => {
                v6.to_ipv4_mapped().map_or_else(|| v6.octets().to_vec(), |v4| v4.octets().to_vec())
            }
        };
        sans.push(tlv(0x87, &b));
    }
    for u in uris {
        sans.push(tlv(0x86, u.as_bytes()));
    }
    Ok(sans)
}

#[allow(clippy::too_many_arguments)]
fn finish(
    signer: &Key,
    serial: &[u8],
    serial_n: u128,
    issuer_name: Vec<u8>,
    subject: Vec<u8>,
    public: &[u8],
    exts: Vec<Vec<u8>>,
    not_before: Instant,
    not_after: Instant,
) -> Result<Created, ProviderError> {
    let (alg, _) = signer.sign(b"")?;
    let mut tbs = vec![
        tlv(0xa0, &uint(&[2])),
        uint(serial),
        alg.clone(),
        issuer_name,
        seq(&[not_before.der(), not_after.der()]),
        subject,
    ];
    tbs.push(public.to_vec());
    tbs.push(tlv(0xa3, &seq(&exts)));
    let tbs = seq(&tbs);
    let (_, signature) = signer.sign(&tbs)?;
    let cert = seq(&[tbs, alg, bits(&signature)]);
    Ok(Created {
        id: serial_n.to_string(),
        cert_pem: pem::encode("CERTIFICATE", &cert),
        validity_start_time: not_before.rfc3339(),
        validity_end_time: not_after.rfc3339(),
    })
}

/// The plan of every certificate type: the engine's, with the plugin's renewal. A
/// certificate is ready for renewal when `validity_period_hours` is 0 or not more than
/// `early_renewal_hours` (at create), or, for an existing one, when its end less
/// `early_renewal_hours` has passed (or a refresh found it so): then it is replaced.
pub(crate) fn plan(req: &PlanRequest<'_>) -> PlanResponse {
    let mut resp = generic_plan(&req.schema.block, req.prior, req.config);
    let get_i64 = |v: &Value, n: &str| v.get_attr(n).and_then(Value::as_i64);
    let planned = &resp.planned;
    let validity = get_i64(planned, "validity_period_hours");
    let early = get_i64(planned, "early_renewal_hours");
    let mut ready = validity == Some(0) || matches!((early, validity), (Some(e), Some(v)) if e >= v);
    let mut replace = false;
    if req.prior.is_some()
        && resp.requires_replace.is_empty()
        && let Some(end) = planned.get_attr("validity_end_time").and_then(Value::as_str)
        && let Some(end) = Instant::parse_rfc3339(end)
        && end.plus_hours(-early.unwrap_or(0)) <= Instant::now()
    {
        replace = true;
    }
    if replace {
        // Planned as a create, as Terraform plans a replacement.
        let mut fresh = generic_plan(&req.schema.block, None, req.config);
        fresh.requires_replace = vec![vec![PathStep::Attr("ready_for_renewal".into())]];
        resp = fresh;
        ready = false;
    }
    if ready {
        resp.planned = set_attr(&resp.planned, "ready_for_renewal", Value::bool(true));
    }
    resp
}

fn set_attr(v: &Value, name: &str, new: Value) -> Value {
    let mut attrs: std::collections::BTreeMap<String, Value> = match v.as_map() {
        Some(m) => m.clone(),
        None => return v.clone(),
    };
    attrs.insert(name.to_string(), new);
    Value::object_from_map(attrs).conform(&v.ty())
}

/// The plugin's `modifyStateIfCertificateReadyForRenewal`: a refresh marks a certificate
/// due for renewal.
pub(crate) fn read(current: Value) -> Value {
    let end = current.get_attr("validity_end_time").and_then(Value::as_str).and_then(Instant::parse_rfc3339);
    let early = current.get_attr("early_renewal_hours").and_then(Value::as_i64).unwrap_or(0);
    match end {
        Some(end) if end.plus_hours(-early) <= Instant::now() => {
            set_attr(&current, "ready_for_renewal", Value::bool(true))
        }
        _ => current,
    }
}
