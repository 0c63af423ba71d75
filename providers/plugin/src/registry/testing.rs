//! What a provider's publisher makes, for the tests of installation from a registry (here,
//! and the end-to-end tests that serve a registry to both terrane and Terraform): zip
//! packages, and OpenPGP signatures of their `SHA256SUMS` (detached and binary, as
//! goreleaser signs them).

use pgp::composed::{
    ArmorOptions, DetachedSignature, EncryptionCaps, KeyType, SecretKeyParamsBuilder, SignedPublicKey, SignedSecretKey,
    SubkeyParamsBuilder,
};
use pgp::crypto::hash::HashAlgorithm;
use pgp::ser::Serialize;
use pgp::types::{KeyDetails, Password};

/// A publisher's key pair.
pub struct Publisher {
    key: SignedSecretKey,
    /// Sign with the signing subkey rather than the primary key.
    with_subkey: bool,
}

impl Publisher {
    /// A new Ed25519 key for `uid`, signing with its primary key or (`with_subkey`) with a
    /// signing subkey, as many publishers' keys do.
    pub fn new(uid: &str, with_subkey: bool) -> Publisher {
        let mut sub = SubkeyParamsBuilder::default();
        sub.key_type(KeyType::Ed25519Legacy).can_sign(true).can_encrypt(EncryptionCaps::None).can_authenticate(false);
        let mut params = SecretKeyParamsBuilder::default();
        params
            .key_type(KeyType::Ed25519Legacy)
            .can_certify(true)
            .can_sign(!with_subkey)
            .can_encrypt(EncryptionCaps::None)
            .primary_user_id(uid.into());
        if with_subkey {
            params.subkeys(vec![sub.build().expect("subkey parameters")]);
        }
        let key = params.build().expect("key parameters").generate(rand::thread_rng()).expect("key generation");
        Publisher { key, with_subkey }
    }

    /// The public key, ASCII-armored, as a registry lists it (`gpg_public_keys[].ascii_armor`).
    pub fn armored_public_key(&self) -> String {
        SignedPublicKey::from(self.key.clone()).to_armored_string(ArmorOptions::default()).expect("armor")
    }

    /// The primary key's ID, as Terraform prints it (16 upper-case hex digits).
    pub fn key_id(&self) -> String {
        hex::encode_upper(self.key.primary_key.legacy_key_id().as_ref())
    }

    /// A detached binary signature of `data` (the `.sig` file beside `SHA256SUMS`).
    pub fn sign(&self, data: &[u8]) -> Vec<u8> {
        let (rng, pw, h) = (rand::thread_rng(), Password::empty(), HashAlgorithm::Sha256);
        let sig = if self.with_subkey {
            DetachedSignature::sign_binary_data(rng, &self.key.secret_subkeys[0].key, &pw, h, data)
        } else {
            DetachedSignature::sign_binary_data(rng, &self.key.primary_key, &pw, h, data)
        };
        sig.expect("signing").to_bytes().expect("serialising a signature")
    }
}

/// A zip archive of `(name, content, unix mode)` files, as a provider package is packed.
pub fn archive(files: &[(&str, &[u8], u32)]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content, mode) in files {
        w.start_file(*name, zip::write::SimpleFileOptions::default().unix_permissions(*mode)).expect("zip entry");
        w.write_all(content).expect("zip write");
    }
    w.finish().expect("zip").into_inner()
}
