//! Private keys as the provider generates, encodes and parses them (Go's `crypto/*` and
//! `x/crypto/ssh`): RSA as PKCS #1 "RSA PRIVATE KEY", ECDSA as SEC 1 "EC PRIVATE KEY",
//! ED25519 as PKCS #8 "PRIVATE KEY"; every key also as PKCS #8, its public key as PKIX
//! "PUBLIC KEY", and in OpenSSH's formats where SSH has the algorithm (not P-224).

use super::{pem, ssh};
use crate::kit::random_bytes;
use rand_core::OsRng;
use rsa::pkcs1::{DecodeRsaPrivateKey as _, EncodeRsaPrivateKey as _};
use rsa::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _};
use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};
use rsa::{BigUint, RsaPrivateKey};
use sha1::{Digest as _, Sha1};

/// A private key of one of the provider's algorithms.
pub(crate) enum Key {
    Rsa(Box<RsaPrivateKey>),
    P224(p224::SecretKey),
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    P521(p521::SecretKey),
    /// The 32-byte seed (Go's `ed25519.PrivateKey` is the seed and the public key).
    Ed25519([u8; 32]),
}

/// Go's `x509.MarshalPKCS8PrivateKey` of an Ed25519 key is this prefix and the seed.
const ED25519_PKCS8_PREFIX: [u8; 16] =
    [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
/// ... and its `x509.MarshalPKIXPublicKey` this prefix and the public key.
const ED25519_SPKI_PREFIX: [u8; 12] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

/// Applies `$body` to the curve key of any ECDSA variant, bound to `$k`.
macro_rules! ec {
    ($key:expr, $k:ident => $body:expr, $other:pat => $else:expr) => {
        match $key {
            Key::P224($k) => $body,
            Key::P256($k) => $body,
            Key::P384($k) => $body,
            Key::P521($k) => $body,
            $other => $else,
        }
    };
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

impl Key {
    /// A new key: `algorithm` "RSA" (of `rsa_bits`), "ECDSA" (on `curve`) or "ED25519".
    pub fn generate(algorithm: &str, rsa_bits: i64, curve: &str) -> Result<Key, String> {
        Ok(match algorithm {
            "RSA" => {
                let bits = usize::try_from(rsa_bits).map_err(|_| format!("invalid RSA key size {rsa_bits}"))?;
                Key::Rsa(Box::new(RsaPrivateKey::new(&mut OsRng, bits).map_err(err)?))
            }
            "ECDSA" => match curve {
                "P224" => Key::P224(p224::SecretKey::random(&mut OsRng)),
                "P256" => Key::P256(p256::SecretKey::random(&mut OsRng)),
                "P384" => Key::P384(p384::SecretKey::random(&mut OsRng)),
                "P521" => Key::P521(p521::SecretKey::random(&mut OsRng)),
                _ => return Err("invalid ECDSA curve; supported values are: [P224 P256 P384 P521]".into()),
            },
            "ED25519" => {
                let seed: [u8; 32] = random_bytes(32).map_err(|e| e.message)?.try_into().expect("32 bytes");
                Key::Ed25519(seed)
            }
            other => return Err(format!("Key Algorithm {other:?} is not supported")),
        })
    }

    /// "RSA", "ECDSA" or "ED25519".
    pub fn algorithm(&self) -> &'static str {
        match self {
            Key::Rsa(_) => "RSA",
            Key::Ed25519(_) => "ED25519",
            _ => "ECDSA",
        }
    }

    /// `private_key_pem`: PKCS #1, SEC 1 or (ED25519) PKCS #8.
    pub fn private_key_pem(&self) -> Result<String, String> {
        Ok(match self {
            Key::Rsa(k) => pem::encode("RSA PRIVATE KEY", k.to_pkcs1_der().map_err(err)?.as_bytes()),
            Key::Ed25519(_) => pem::encode("PRIVATE KEY", &self.pkcs8_der()?),
            _ => pem::encode("EC PRIVATE KEY", &self.sec1_der()),
        })
    }

    /// Go's `x509.MarshalECPrivateKey`: version 1, the scalar at the curve's size, the
    /// curve's OID (which RustCrypto's SEC 1 encoding leaves out) and the public point.
    fn sec1_der(&self) -> Vec<u8> {
        use p256::elliptic_curve::sec1::ToEncodedPoint as _;
        let oid: &[u8] = match self {
            Key::P224(_) => &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x21],
            Key::P256(_) => &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07],
            Key::P384(_) => &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22],
            _ => &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23],
        };
        let (scalar, point) = ec!(self, k => (k.to_bytes().to_vec(), k.public_key().to_encoded_point(false).as_bytes().to_vec()), _ => unreachable!());
        let mut body = der_tlv(0x02, &[1]);
        body.extend(der_tlv(0x04, &scalar));
        body.extend(der_tlv(0xa0, oid));
        body.extend(der_tlv(0xa1, &der_tlv(0x03, &[&[0u8][..], &point].concat())));
        der_tlv(0x30, &body)
    }

    pub fn pkcs8_der(&self) -> Result<Vec<u8>, String> {
        Ok(match self {
            Key::Rsa(k) => k.to_pkcs8_der().map_err(err)?.as_bytes().to_vec(),
            Key::Ed25519(seed) => [&ED25519_PKCS8_PREFIX[..], seed].concat(),
            k => ec!(k, k => k.to_pkcs8_der().map_err(err)?.as_bytes().to_vec(), _ => unreachable!()),
        })
    }

    /// `private_key_pem_pkcs8`.
    pub fn private_key_pem_pkcs8(&self) -> Result<String, String> {
        Ok(pem::encode("PRIVATE KEY", &self.pkcs8_der()?))
    }

    fn ed25519_public(seed: &[u8; 32]) -> [u8; 32] {
        ed25519_dalek::SigningKey::from_bytes(seed).verifying_key().to_bytes()
    }

    /// The public key as PKIX `SubjectPublicKeyInfo` DER (`x509.MarshalPKIXPublicKey`).
    pub fn public_der(&self) -> Result<Vec<u8>, String> {
        Ok(match self {
            Key::Rsa(k) => k.to_public_key().to_public_key_der().map_err(err)?.as_bytes().to_vec(),
            Key::Ed25519(seed) => [&ED25519_SPKI_PREFIX[..], &Self::ed25519_public(seed)].concat(),
            k => ec!(k, k => k.public_key().to_public_key_der().map_err(err)?.as_bytes().to_vec(), _ => unreachable!()),
        })
    }

    /// The SSH key type and public key blob, `None` for P-224 (`ssh.NewPublicKey` has no
    /// such key type).
    pub fn ssh_public(&self) -> Option<(&'static str, Vec<u8>)> {
        use p256::elliptic_curve::sec1::ToEncodedPoint as _;
        let ecdsa = |name: &'static str, curve: &str, point: &[u8]| {
            let mut w = ssh::Wire::default();
            w.string(name.as_bytes()).string(curve.as_bytes()).string(point);
            Some((name, w.0))
        };
        match self {
            Key::Rsa(k) => {
                let mut w = ssh::Wire::default();
                w.string(b"ssh-rsa").mpint(&k.e().to_bytes_be()).mpint(&k.n().to_bytes_be());
                Some(("ssh-rsa", w.0))
            }
            Key::Ed25519(seed) => {
                let mut w = ssh::Wire::default();
                w.string(b"ssh-ed25519").string(&Self::ed25519_public(seed));
                Some(("ssh-ed25519", w.0))
            }
            Key::P224(_) => None,
            Key::P256(k) => ecdsa("ecdsa-sha2-nistp256", "nistp256", k.public_key().to_encoded_point(false).as_bytes()),
            Key::P384(k) => ecdsa("ecdsa-sha2-nistp384", "nistp384", k.public_key().to_encoded_point(false).as_bytes()),
            Key::P521(k) => ecdsa("ecdsa-sha2-nistp521", "nistp521", k.public_key().to_encoded_point(false).as_bytes()),
        }
    }

    /// `private_key_openssh` (`ssh.MarshalPrivateKey(key, "")`), "" for P-224.
    pub fn private_key_openssh(&self) -> Result<String, String> {
        use p256::elliptic_curve::sec1::ToEncodedPoint as _;
        let Some((key_type, blob)) = self.ssh_public() else { return Ok(String::new()) };
        let mut private = ssh::Wire::default();
        match self {
            Key::Rsa(k) => {
                let primes = k.primes();
                let qinv = k.qinv().ok_or("the RSA key has no precomputed values")?.to_bytes_be().1;
                private
                    .mpint(&k.n().to_bytes_be())
                    .mpint(&k.e().to_bytes_be())
                    .mpint(&k.d().to_bytes_be())
                    .mpint(&qinv)
                    .mpint(&primes[0].to_bytes_be())
                    .mpint(&primes[1].to_bytes_be());
            }
            Key::Ed25519(seed) => {
                let public = Self::ed25519_public(seed);
                private.string(&public).string(&[&seed[..], &public].concat());
            }
            Key::P224(_) => unreachable!("no SSH key type"),
            k => {
                let curve = key_type.trim_start_matches("ecdsa-sha2-");
                let (point, scalar) = ec!(k, k => (k.public_key().to_encoded_point(false).as_bytes().to_vec(), k.to_bytes().to_vec()), _ => unreachable!());
                private.string(curve.as_bytes()).string(&point).mpint(&scalar);
            }
        }
        let check = u32::from_be_bytes(random_bytes(4).map_err(|e| e.message)?.try_into().expect("4 bytes"));
        Ok(pem::encode("OPENSSH PRIVATE KEY", &ssh::marshal_private(key_type, &blob, &private.0, check)))
    }

    /// What the provider hashes for a subject key ID (its `generateSubjectKeyID`): RSA's
    /// PKCS #1 public key, ECDSA's uncompressed point, ED25519's key as an OCTET STRING.
    pub fn subject_key_id_input(&self) -> Result<Vec<u8>, String> {
        use p256::elliptic_curve::sec1::ToEncodedPoint as _;
        use rsa::pkcs1::EncodeRsaPublicKey as _;
        Ok(match self {
            Key::Rsa(k) => k.to_public_key().to_pkcs1_der().map_err(err)?.as_bytes().to_vec(),
            Key::Ed25519(seed) => der_tlv(0x04, &Self::ed25519_public(seed)),
            k => ec!(k, k => k.public_key().to_encoded_point(false).as_bytes().to_vec(), _ => unreachable!()),
        })
    }

    /// Signs `msg` as Go's `x509.CreateCertificate` does with this key: SHA-256 with RSA
    /// (PKCS #1 v1.5), ECDSA with SHA-256 (P-224, P-256), SHA-384 or SHA-512 (P-521), or
    /// Ed25519; the AlgorithmIdentifier and the signature.
    pub fn sign(&self, msg: &[u8]) -> Result<(Vec<u8>, Vec<u8>), terrane_engine::provider::ProviderError> {
        use super::der::{oid, seq, tlv};
        use p256::ecdsa::signature::hazmat::PrehashSigner as _;
        use sha2::{Digest as _, Sha256, Sha384, Sha512};
        let failed = |e: String| super::error("Failed to create certificate", e);
        let ecdsa = |arcs: &[u64]| seq(&[oid(arcs)]);
        Ok(match self {
            Key::Rsa(k) => {
                use rsa::signature::{SignatureEncoding as _, Signer as _};
                let sk = rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone());
                let sig = sk.try_sign(msg).map_err(|e| failed(e.to_string()))?;
                (seq(&[oid(&[1, 2, 840, 113549, 1, 1, 11]), tlv(0x05, &[])]), sig.to_vec())
            }
            Key::Ed25519(seed) => {
                use ed25519_dalek::Signer as _;
                let sig = ed25519_dalek::SigningKey::from_bytes(seed).sign(msg);
                (seq(&[oid(&[1, 3, 101, 112])]), sig.to_bytes().to_vec())
            }
            Key::P224(k) => {
                let sig: p224::ecdsa::Signature = p224::ecdsa::SigningKey::from(k)
                    .sign_prehash(&Sha256::digest(msg))
                    .map_err(|e| failed(e.to_string()))?;
                (ecdsa(&[1, 2, 840, 10045, 4, 3, 2]), sig.to_der().as_bytes().to_vec())
            }
            Key::P256(k) => {
                let sig: p256::ecdsa::Signature = p256::ecdsa::SigningKey::from(k)
                    .sign_prehash(&Sha256::digest(msg))
                    .map_err(|e| failed(e.to_string()))?;
                (ecdsa(&[1, 2, 840, 10045, 4, 3, 2]), sig.to_der().as_bytes().to_vec())
            }
            Key::P384(k) => {
                let sig: p384::ecdsa::Signature = p384::ecdsa::SigningKey::from(k)
                    .sign_prehash(&Sha384::digest(msg))
                    .map_err(|e| failed(e.to_string()))?;
                (ecdsa(&[1, 2, 840, 10045, 4, 3, 3]), sig.to_der().as_bytes().to_vec())
            }
            Key::P521(k) => {
                let sk = p521::ecdsa::SigningKey::from_slice(&k.to_bytes()).map_err(|e| failed(e.to_string()))?;
                let sig: p521::ecdsa::Signature =
                    sk.sign_prehash(&Sha512::digest(msg)).map_err(|e| failed(e.to_string()))?;
                (ecdsa(&[1, 2, 840, 10045, 4, 3, 4]), sig.to_der().as_bytes().to_vec())
            }
        })
    }

    /// A key from PEM: "RSA PRIVATE KEY" (PKCS #1), "EC PRIVATE KEY" (SEC 1) or
    /// "PRIVATE KEY" (PKCS #8), as the provider's `parsePrivateKeyPEM`.
    pub fn from_pem(text: &str) -> Result<Key, String> {
        let Some((label, der)) = pem::decode(text) else {
            return Err("failed to decode PEM block: the text holds no PEM block".into());
        };
        let parsed = match label.as_str() {
            "RSA PRIVATE KEY" => RsaPrivateKey::from_pkcs1_der(&der).map(|k| Key::Rsa(Box::new(k))).map_err(err),
            "EC PRIVATE KEY" => p224::SecretKey::from_sec1_der(&der)
                .map(Key::P224)
                .or_else(|_| p256::SecretKey::from_sec1_der(&der).map(Key::P256))
                .or_else(|_| p384::SecretKey::from_sec1_der(&der).map(Key::P384))
                .or_else(|_| p521::SecretKey::from_sec1_der(&der).map(Key::P521))
                .map_err(err),
            "PRIVATE KEY" => Self::from_pkcs8(&der),
            other => return Err(format!("unable to determine parser for PEM preamble: {other}")),
        };
        parsed.map_err(|e| format!("failed to parse private key given PEM preamble '{label}': {e}"))
    }

    fn from_pkcs8(der: &[u8]) -> Result<Key, String> {
        if der.len() == 48 && der.starts_with(&ED25519_PKCS8_PREFIX) {
            return Ok(Key::Ed25519(der[16..].try_into().expect("32 bytes")));
        }
        RsaPrivateKey::from_pkcs8_der(der)
            .map(|k| Key::Rsa(Box::new(k)))
            .or_else(|_| p224::SecretKey::from_pkcs8_der(der).map(Key::P224))
            .or_else(|_| p256::SecretKey::from_pkcs8_der(der).map(Key::P256))
            .or_else(|_| p384::SecretKey::from_pkcs8_der(der).map(Key::P384))
            .or_else(|_| p521::SecretKey::from_pkcs8_der(der).map(Key::P521))
            .map_err(|_| {
                "x509: failed to parse private key (use ParsePKCS1PrivateKey instead for this key format)".into()
            })
    }

    /// A key from an unencrypted OpenSSH private key ("OPENSSH PRIVATE KEY", or the PEM
    /// forms `ssh.ParseRawPrivateKey` also reads).
    pub fn from_openssh(text: &str) -> Result<Key, String> {
        let Some((label, der)) = pem::decode(text) else { return Err("ssh: no key found".into()) };
        if label != "OPENSSH PRIVATE KEY" {
            return Self::from_pem(text);
        }
        let (key_type, private) = ssh::parse_private(&der)?;
        let mut r = ssh::Reader(&private);
        let bad = || "ssh: malformed OpenSSH key".to_string();
        let big = |b: &[u8]| BigUint::from_bytes_be(b);
        Ok(match key_type.as_str() {
            "ssh-rsa" => {
                let n = big(r.mpint().ok_or_else(bad)?);
                let e = big(r.mpint().ok_or_else(bad)?);
                let d = big(r.mpint().ok_or_else(bad)?);
                let _iqmp = r.mpint().ok_or_else(bad)?;
                let p = big(r.mpint().ok_or_else(bad)?);
                let q = big(r.mpint().ok_or_else(bad)?);
                Key::Rsa(Box::new(RsaPrivateKey::from_components(n, e, d, vec![p, q]).map_err(err)?))
            }
            "ssh-ed25519" => {
                let _public = r.string().ok_or_else(bad)?;
                let private = r.string().ok_or_else(bad)?;
                Key::Ed25519(private.get(..32).ok_or_else(bad)?.try_into().expect("32 bytes"))
            }
            t if t.starts_with("ecdsa-sha2-") => {
                let _curve = r.string().ok_or_else(bad)?;
                let _point = r.string().ok_or_else(bad)?;
                let d = r.mpint().ok_or_else(bad)?;
                let d = &d[d.iter().position(|&b| b != 0).unwrap_or(d.len())..];
                let padded = |n: usize| -> Result<Vec<u8>, String> {
                    if d.len() > n {
                        return Err(bad());
                    }
                    Ok([vec![0; n - d.len()], d.to_vec()].concat())
                };
                match t {
                    "ecdsa-sha2-nistp256" => Key::P256(p256::SecretKey::from_slice(&padded(32)?).map_err(err)?),
                    "ecdsa-sha2-nistp384" => Key::P384(p384::SecretKey::from_slice(&padded(48)?).map_err(err)?),
                    "ecdsa-sha2-nistp521" => Key::P521(p521::SecretKey::from_slice(&padded(66)?).map_err(err)?),
                    _ => return Err(format!("ssh: unhandled key type {t:?}")),
                }
            }
            other => return Err(format!("ssh: unhandled key type {other:?}")),
        })
    }
}

/// A DER tag, length and value.
fn der_tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = value.len();
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend([0x81, n as u8]);
    } else {
        out.extend([0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(value);
    out
}

/// The provider's `hashForState`: the SHA-1 (hexadecimal) of the text with surrounding
/// white space removed as Go's `strings.TrimSpace` does ("" stays "").
pub(crate) fn hash_for_state(value: &[u8]) -> String {
    if value.is_empty() {
        return String::new();
    }
    let trimmed = go_trim_space(value);
    Sha1::digest(trimmed).iter().map(|b| format!("{b:02x}")).collect()
}

/// Go's `strings.TrimSpace` over bytes that need not be UTF-8: a white-space rune at either
/// end is removed; an invalid byte is not white space.
fn go_trim_space(mut b: &[u8]) -> &[u8] {
    loop {
        let first = (1..=4.min(b.len()))
            .find_map(|n| std::str::from_utf8(&b[..n]).ok().and_then(|s| s.chars().next()).map(|c| (c, n)));
        match first {
            Some((c, n)) if c.is_whitespace() => b = &b[n..],
            _ => break,
        }
    }
    loop {
        let last = (1..=4.min(b.len())).find_map(|n| {
            std::str::from_utf8(&b[b.len() - n..]).ok().and_then(|s| s.chars().next_back()).map(|c| (c, n))
        });
        match last {
            Some((c, n)) if c.is_whitespace() => b = &b[..b.len() - n],
            _ => break,
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_space_is_gos() {
        assert_eq!(go_trim_space(b" \tab\n\x0b"), b"ab");
        assert_eq!(go_trim_space(b"ab\xc2\xa0"), b"ab", "U+00A0 is space");
        assert_eq!(go_trim_space(b"ab\xa0"), b"ab\xa0", "a lone continuation byte is not");
        assert_eq!(go_trim_space(b"ab\x85"), b"ab\x85");
        assert_eq!(hash_for_state(b""), "");
        // `printf hello | sha1sum`
        assert_eq!(hash_for_state(b"  hello\n"), "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
    }
}
