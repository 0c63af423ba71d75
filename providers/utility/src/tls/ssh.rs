//! The SSH wire encodings the provider uses through Go's `x/crypto/ssh`: public key blobs,
//! `authorized_keys` lines, fingerprints, and unencrypted `openssh-key-v1` private keys.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use md5::Md5;
use sha2::{Digest, Sha256};

/// A writer of SSH wire values (RFC 4251 §5).
#[derive(Default)]
pub(crate) struct Wire(pub Vec<u8>);

impl Wire {
    pub fn string(&mut self, b: &[u8]) -> &mut Self {
        self.0.extend_from_slice(&(b.len() as u32).to_be_bytes());
        self.0.extend_from_slice(b);
        self
    }
    pub fn u32(&mut self, n: u32) -> &mut Self {
        self.0.extend_from_slice(&n.to_be_bytes());
        self
    }
    /// A non-negative multiple-precision integer from its big-endian magnitude.
    pub fn mpint(&mut self, be: &[u8]) -> &mut Self {
        let start = be.iter().position(|&b| b != 0).unwrap_or(be.len());
        let be = &be[start..];
        if be.first().is_some_and(|&b| b & 0x80 != 0) {
            let mut v = vec![0u8];
            v.extend_from_slice(be);
            self.string(&v)
        } else {
            self.string(be)
        }
    }
}

/// A reader of SSH wire values.
pub(crate) struct Reader<'a>(pub &'a [u8]);

impl<'a> Reader<'a> {
    pub fn u32(&mut self) -> Option<u32> {
        let (h, t) = self.0.split_first_chunk::<4>()?;
        self.0 = t;
        Some(u32::from_be_bytes(*h))
    }
    pub fn string(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        if self.0.len() < n {
            return None;
        }
        let (h, t) = self.0.split_at(n);
        self.0 = t;
        Some(h)
    }
    /// An mpint's magnitude, big-endian (negative ones are not keys).
    pub fn mpint(&mut self) -> Option<&'a [u8]> {
        let s = self.string()?;
        if s.first().is_some_and(|&b| b & 0x80 != 0) {
            return None;
        }
        Some(s)
    }
}

/// `ssh.MarshalAuthorizedKey`: `TYPE BASE64\n`.
pub(crate) fn authorized_key(key_type: &str, blob: &[u8]) -> String {
    format!("{key_type} {}\n", STANDARD.encode(blob))
}

/// `ssh.FingerprintLegacyMD5`: the MD5 of the blob, hexadecimal pairs joined by colons.
pub(crate) fn fingerprint_md5(blob: &[u8]) -> String {
    Md5::digest(blob).iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
}

/// `ssh.FingerprintSHA256`: `SHA256:` and the unpadded Base64 of the blob's SHA-256.
pub(crate) fn fingerprint_sha256(blob: &[u8]) -> String {
    format!("SHA256:{}", STANDARD_NO_PAD.encode(Sha256::digest(blob)))
}

const MAGIC: &[u8] = b"openssh-key-v1\0";

/// `ssh.MarshalPrivateKey(key, "")`'s bytes (a PEM block "OPENSSH PRIVATE KEY"): no cipher,
/// a random check integer twice, the key's type and `private` fields (each type's own
/// layout), an empty comment, padded to 8 bytes with 1, 2, 3, ...
pub(crate) fn marshal_private(key_type: &str, public_blob: &[u8], private: &[u8], check: u32) -> Vec<u8> {
    let mut block = Wire::default();
    block.u32(check).u32(check).string(key_type.as_bytes());
    block.0.extend_from_slice(private);
    block.string(b"");
    let mut i = 0u8;
    while block.0.len() % 8 != 0 {
        i += 1;
        block.0.push(i);
    }
    let mut w = Wire(MAGIC.to_vec());
    w.string(b"none").string(b"none").string(b"").u32(1).string(public_blob).string(&block.0);
    w.0
}

/// The key type and its private fields (after the type name) of an unencrypted
/// `openssh-key-v1` key, as `ssh.ParseRawPrivateKey` reads one.
pub(crate) fn parse_private(der: &[u8]) -> Result<(String, Vec<u8>), String> {
    let rest = der.strip_prefix(MAGIC).ok_or("ssh: invalid openssh private key format")?;
    let mut r = Reader(rest);
    let bad = || "ssh: invalid openssh private key format".to_string();
    let cipher = r.string().ok_or_else(bad)?;
    let kdf = r.string().ok_or_else(bad)?;
    let _kdf_opts = r.string().ok_or_else(bad)?;
    if cipher != b"none" || kdf != b"none" {
        return Err("ssh: this private key is passphrase protected".into());
    }
    if r.u32().ok_or_else(bad)? != 1 {
        return Err("ssh: multi-key files are not supported".into());
    }
    let _public = r.string().ok_or_else(bad)?;
    let mut block = Reader(r.string().ok_or_else(bad)?);
    let (c1, c2) = (block.u32().ok_or_else(bad)?, block.u32().ok_or_else(bad)?);
    if c1 != c2 {
        return Err("ssh: malformed OpenSSH key".into());
    }
    let key_type = String::from_utf8(block.string().ok_or_else(bad)?.to_vec()).map_err(|_| bad())?;
    Ok((key_type, block.0.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mpints_as_rfc4251_writes_them() {
        // RFC 4251 §5's examples.
        let enc = |b: &[u8]| Wire::default().mpint(b).0.clone();
        assert_eq!(enc(&[]), [0, 0, 0, 0]);
        assert_eq!(enc(&[0x00, 0x80]), [0, 0, 0, 2, 0x00, 0x80]);
        assert_eq!(
            enc(&[0x09, 0xa3, 0x78, 0xf9, 0xb2, 0xe3, 0x32, 0xa7]),
            [0, 0, 0, 8, 0x09, 0xa3, 0x78, 0xf9, 0xb2, 0xe3, 0x32, 0xa7]
        );
    }

    #[test]
    fn private_block_is_padded_to_eight_and_parses_back() {
        let bytes = marshal_private("ssh-ed25519", b"blob", &Wire::default().string(b"xyz").0, 7);
        let (t, rest) = parse_private(&bytes).unwrap();
        assert_eq!(t, "ssh-ed25519");
        let mut r = Reader(&rest);
        assert_eq!(r.string(), Some(&b"xyz"[..]));
        assert_eq!(r.string(), Some(&b""[..]), "the comment");
        assert!(r.0.iter().enumerate().all(|(i, &b)| b as usize == i + 1), "{:?}", r.0);
    }
}
