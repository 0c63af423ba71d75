//! `rsadecrypt`: Base64 ciphertext decrypted with an RSA private key in PEM form (PKCS #1
//! `RSA PRIVATE KEY` or PKCS #8 `PRIVATE KEY`), PKCS #1 v1.5 padding checked as Go's
//! `rsa.DecryptPKCS1v15` checks it. The PEM block is found as Go's `pem.Decode` finds it and
//! the key errors are worded as `ssh.ParseRawPrivateKey`'s, as Terraform reports them.

use crate::cty::ty::go_quote;
use crate::cty::{Type, Value};
use crate::lang::funcs::encoding::gobase64;
use crate::lang::function::{FuncCtx, FuncError};
use rsa::PrivateKey;
use rsa::traits::PublicKeyParts as _;

pub(super) fn rsadecrypt(_: &FuncCtx<'_>, args: &[Value], _: &Type) -> Result<Value, FuncError> {
    let s = args[0].as_str().unwrap_or_default();
    let key = args[1].as_str().unwrap_or_default();
    let ciphertext = gobase64::decode(s.as_bytes()).map_err(|_| {
        FuncError::arg(0, format!("failed to decode input {}: cipher text must be base64-encoded", go_quote(s)))
    })?;
    let key = parse_raw_private_key(key.as_bytes()).map_err(|e| FuncError::arg(1, e))?;
    let out = decrypt_pkcs1v15(&key, &ciphertext)
        .ok_or_else(|| FuncError::other("failed to decrypt: crypto/rsa: decryption error"))?;
    Ok(Value::string(String::from_utf8_lossy(&out).into_owned()))
}

/// RSADP then EME-PKCS1-v1_5 decoding: `00 02 PS(8+ nonzero) 00 M`.
fn decrypt_pkcs1v15(key: &PrivateKey, ciphertext: &[u8]) -> Option<Vec<u8>> {
    let k = key.size();
    if k < 11 || ciphertext.len() != k {
        return None;
    }
    let c = rsa::BoxedUint::from_be_slice(ciphertext, key.n_bits_precision()).ok()?;
    let mut rng = getrandom::SysRng;
    let m = rsa::hazmat::rsa_decrypt_and_check(key, Some(&mut rng), &c).ok()?;
    let bytes = m.to_be_bytes();
    let mut em = vec![0u8; k];
    let take = bytes.len().min(k);
    em[k - take..].copy_from_slice(&bytes[bytes.len() - take..]);
    if em[0] != 0 || em[1] != 2 {
        return None;
    }
    let sep = em[2..].iter().position(|&b| b == 0)? + 2;
    if sep < 10 {
        return None;
    }
    Some(em[sep + 1..].to_vec())
}

/// A PEM block: its type, headers and decoded bytes.
struct Block {
    ty: String,
    headers: Vec<(String, String)>,
    bytes: Vec<u8>,
}

/// Go's `getLine`: up to the next newline, trailing spaces, tabs and CRs removed.
fn get_line(data: &[u8]) -> (&[u8], &[u8]) {
    let (line, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[data.len()..]),
    };
    let end = line.iter().rposition(|b| !matches!(b, b' ' | b'\t' | b'\r')).map_or(0, |i| i + 1);
    (&line[..end], rest)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Go's `pem.Decode`: the first well-formed block.
fn pem_decode(data: &[u8]) -> Option<Block> {
    let mut rest = data;
    loop {
        if let Some(r) = rest.strip_prefix(b"-----BEGIN ") {
            rest = r;
        } else if let Some(i) = find(rest, b"\n-----BEGIN ") {
            rest = &rest[i + 12..];
        } else {
            return None;
        }
        let (type_line, r) = get_line(rest);
        rest = r;
        let Some(ty) = type_line.strip_suffix(b"-----") else { continue };
        let mut headers = Vec::new();
        loop {
            if rest.is_empty() {
                return None;
            }
            let (line, next) = get_line(rest);
            let Some(colon) = line.iter().position(|&b| b == b':') else { break };
            let key = String::from_utf8_lossy(line[..colon].trim_ascii()).into_owned();
            let val = String::from_utf8_lossy(line[colon + 1..].trim_ascii()).into_owned();
            headers.push((key, val));
            rest = next;
        }
        let (end, trailer_at) = if headers.is_empty() && rest.starts_with(b"-----END ") {
            (0, 9)
        } else {
            match find(rest, b"\n-----END ") {
                Some(i) => (i, i + 10),
                None => continue,
            }
        };
        let trailer = &rest[trailer_at..];
        let trailer_len = ty.len() + 5;
        if trailer.len() < trailer_len {
            continue;
        }
        let (t, rest_of_line) = trailer.split_at(trailer_len);
        if !t.starts_with(ty) || !t.ends_with(b"-----") || !get_line(rest_of_line).0.is_empty() {
            continue;
        }
        let b64: Vec<u8> = rest[..end].iter().copied().filter(|b| !matches!(b, b' ' | b'\t')).collect();
        let Ok(bytes) = gobase64::decode(&b64) else { continue };
        return Some(Block { ty: String::from_utf8_lossy(ty).into_owned(), headers, bytes });
    }
}

/// `ssh.ParseRawPrivateKey` narrowed to RSA keys, its errors as Terraform words them.
fn parse_raw_private_key(pem: &[u8]) -> Result<PrivateKey, String> {
    use rsa::pkcs1::DecodeRsaPrivateKey as _;
    use rsa::pkcs8::DecodePrivateKey as _;
    let block = pem_decode(pem).ok_or("invalid private key: ssh: no key found")?;
    let encrypted = block.headers.iter().any(|(k, v)| k == "Proc-Type" && v.contains("4,ENCRYPTED"));
    if encrypted {
        return Err("invalid private key: ssh: this private key is passphrase protected".into());
    }
    match block.ty.as_str() {
        "RSA PRIVATE KEY" => PrivateKey::from_pkcs1_der(&block.bytes)
            .map_err(|e| format!("invalid private key: x509: failed to parse private key: {e}")),
        "PRIVATE KEY" => PrivateKey::from_pkcs8_der(&block.bytes).map_err(|e| {
            // Go parses other algorithms' keys and then refuses them as not RSA.
            const RSA: rsa::pkcs8::ObjectIdentifier = rsa::pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
            match rsa::pkcs8::PrivateKeyInfoRef::try_from(block.bytes.as_slice()) {
                Ok(info) if info.algorithm.oid != RSA => "invalid private key type: not an RSA key".into(),
                _ => format!("invalid private key: x509: failed to parse private key: {e}"),
            }
        }),
        "EC PRIVATE KEY" | "DSA PRIVATE KEY" | "OPENSSH PRIVATE KEY" => {
            Err(format!("invalid private key type: {} is not supported", block.ty))
        }
        other => Err(format!("invalid private key: ssh: unsupported key type {}", go_quote(other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_blocks_as_go() {
        let text = b"junk\n-----BEGIN TEST-----\nAQID\n-----END TEST-----\n";
        let b = pem_decode(text).unwrap();
        assert_eq!((b.ty.as_str(), b.bytes.as_slice()), ("TEST", &[1u8, 2, 3][..]));
        assert!(pem_decode(b"not a key").is_none());
        assert!(pem_decode(b"-----BEGIN TEST-----\nAQID\n-----END OTHER-----\n").is_none());
        let enc = b"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: x\n\nAQID\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(
            parse_raw_private_key(enc).err().as_deref(),
            Some("invalid private key: ssh: this private key is passphrase protected")
        );
    }
}
