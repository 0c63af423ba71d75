//! go-plugin's automatic mutual TLS.
//!
//! The client makes a throwaway certificate and passes it to the plugin in
//! `PLUGIN_CLIENT_CERT`; the plugin makes its own (ECDSA P-521, go-plugin's `generateCert`),
//! accepts only connections that present the client's, and prints its own certificate in the
//! handshake line. The client then trusts exactly that certificate: no CA, no name check but
//! the pinned bytes.
//!
//! ring, rustls's crypto here, cannot check P-521 signatures, so the TLS handshake's
//! signature by the plugin's key is checked with RustCrypto's `p521`.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{
    AlgorithmIdentifier, CertificateDer, InvalidSignature, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName,
    SignatureVerificationAlgorithm, UnixTime, alg_id,
};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use std::sync::Arc;

/// The client's side of a plugin's TLS: its certificate (PEM, for the plugin) and key.
pub struct ClientIdentity {
    pub cert_pem: String,
    cert_der: Vec<u8>,
    key_der: Vec<u8>,
}

impl ClientIdentity {
    /// A new self-signed certificate for `localhost`, valid for client and server
    /// authentication, as go-plugin's client makes one.
    pub fn generate() -> Result<ClientIdentity, String> {
        let key = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).map_err(|e| e.to_string())?;
        params.distinguished_name.push(rcgen::DnType::CommonName, "localhost");
        params.distinguished_name.push(rcgen::DnType::OrganizationName, "terrane");
        params.extended_key_usages =
            vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth, rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature, rcgen::KeyUsagePurpose::KeyEncipherment];
        let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
        Ok(ClientIdentity { cert_pem: cert.pem(), cert_der: cert.der().to_vec(), key_der: key.serialize_der() })
    }

    /// The client configuration for a plugin that printed `server_cert` (DER).
    pub fn client_config(&self, server_cert: Vec<u8>) -> Result<rustls::ClientConfig, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = Arc::new(PinnedServer { cert: server_cert });
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| e.to_string())?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_client_auth_cert(
                vec![CertificateDer::from(self.cert_der.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone())),
            )
            .map_err(|e| e.to_string())?;
        // gRPC over TLS is HTTP/2, which grpc-go's server insists on by ALPN.
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(config)
    }
}

/// The name the plugin's certificate is made for.
pub fn server_name() -> ServerName<'static> {
    ServerName::DnsName(rustls::pki_types::DnsName::try_from("localhost").expect("a valid DNS name"))
}

/// Trusts the one certificate the plugin printed.
#[derive(Debug)]
struct PinnedServer {
    cert: Vec<u8>,
}

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.cert.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(CertificateError::ApplicationVerificationFailure))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &ALGORITHMS)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &ALGORITHMS)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        ALGORITHMS.supported_schemes()
    }
}

/// ECDSA with P-521 and SHA-512, by RustCrypto.
#[derive(Debug)]
struct EcdsaP521Sha512;

impl SignatureVerificationAlgorithm for EcdsaP521Sha512 {
    fn verify_signature(&self, public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature> {
        use p521::ecdsa::signature::Verifier;
        let key = p521::ecdsa::VerifyingKey::from_sec1_bytes(public_key).map_err(|_| InvalidSignature)?;
        let sig = p521::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
        key.verify(message, &sig).map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_P521
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        alg_id::ECDSA_SHA512
    }
}

static P521: EcdsaP521Sha512 = EcdsaP521Sha512;

/// What a plugin's certificate may sign with: go-plugin's P-521, and the P-256 and P-384
/// that other implementations of the handshake use.
static ALGORITHMS: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
    all: &[&P521, webpki::ring::ECDSA_P256_SHA256, webpki::ring::ECDSA_P384_SHA384],
    mapping: &[
        (SignatureScheme::ECDSA_NISTP521_SHA512, &[&P521]),
        (SignatureScheme::ECDSA_NISTP384_SHA384, &[webpki::ring::ECDSA_P384_SHA384]),
        (SignatureScheme::ECDSA_NISTP256_SHA256, &[webpki::ring::ECDSA_P256_SHA256]),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifies_a_p521_signature_and_refuses_a_forged_one() {
        use p521::ecdsa::signature::Signer;
        let mut scalar = [7u8; 66];
        scalar[0] = 0; // below the group order
        let sk = p521::ecdsa::SigningKey::from_slice(&scalar).expect("a valid scalar");
        let vk = p521::ecdsa::VerifyingKey::from(&sk);
        let public = vk.to_encoded_point(false);
        let sig: p521::ecdsa::Signature = sk.sign(b"handshake");
        let der = sig.to_der();
        assert!(P521.verify_signature(public.as_bytes(), b"handshake", der.as_bytes()).is_ok());
        assert!(P521.verify_signature(public.as_bytes(), b"handshakE", der.as_bytes()).is_err());
    }

    #[test]
    fn trusts_only_the_pinned_certificate() {
        let v = PinnedServer { cert: vec![1, 2, 3] };
        let name = server_name();
        let ok = v.verify_server_cert(&CertificateDer::from(vec![1, 2, 3]), &[], &name, &[], UnixTime::now());
        let other = v.verify_server_cert(&CertificateDer::from(vec![1, 2, 4]), &[], &name, &[], UnixTime::now());
        assert!(ok.is_ok());
        assert!(other.is_err());
    }

    #[test]
    fn makes_a_client_certificate_and_configuration() {
        let id = ClientIdentity::generate().expect("a certificate");
        assert!(id.cert_pem.starts_with("-----BEGIN CERTIFICATE-----"));
        let c = id.client_config(vec![0]).expect("a configuration");
        assert_eq!(c.alpn_protocols, vec![b"h2".to_vec()]);
    }
}
