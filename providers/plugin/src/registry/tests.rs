use super::testing::Publisher;
use super::*;

const NAME: &str = "terraform-provider-hello_1.0.0_linux_amd64.zip";

/// An archive, its checksum document (with a second platform's line) and the archive's hash.
fn package() -> (Vec<u8>, Vec<u8>, [u8; 32]) {
    let archive = b"PK not really, but bytes".to_vec();
    let sha: [u8; 32] = Sha256::digest(&archive).into();
    let other = hex::encode(Sha256::digest(b"darwin"));
    let sums = format!("{other}  terraform-provider-hello_1.0.0_darwin_arm64.zip\n{}  {NAME}\n", hex::encode(sha));
    (archive, sums.into_bytes(), sha)
}

/// The registry's description of the package `filename`.
fn pkg(filename: &str, sha256: &[u8; 32], sums: &[u8], signature: &[u8], keys: &[SigningKey]) -> RegistryPackage {
    RegistryPackage {
        url: Url::parse("https://registry.example.com/hello.zip").unwrap(),
        filename: filename.to_string(),
        sha256: *sha256,
        sums: sums.to_vec(),
        signature: signature.to_vec(),
        keys: keys.to_vec(),
    }
}

fn key(p: &Publisher) -> SigningKey {
    SigningKey { ascii_armor: p.armored_public_key(), trust_signature: String::new() }
}

#[test]
fn a_package_signed_by_a_listed_key_is_self_signed_and_vouches_for_every_platform() {
    for with_subkey in [false, true] {
        let p = Publisher::new("Hello Corp <hello@example.com>", with_subkey);
        let (archive, sums, sha) = package();
        let sig = p.sign(&sums);
        // The registry may list other keys first: Terraform tries each.
        let other = Publisher::new("Someone Else <else@example.com>", false);
        let (auth, signed) = authenticate(&archive, &pkg(NAME, &sha, &sums, &sig, &[key(&other), key(&p)])).unwrap();
        assert_eq!(auth, Auth::Community { key_id: p.key_id() }, "subkey: {with_subkey}");
        assert_eq!(auth.to_string(), "self-signed");
        assert_eq!(signed.len(), 2);
        assert!(signed.contains(&format!("zh:{}", hex::encode(sha))));
        assert!(signed.iter().all(|h| h.starts_with("zh:") && h.len() == 67));
    }
}

#[test]
fn tampering_anywhere_is_refused() {
    let p = Publisher::new("Hello Corp <hello@example.com>", false);
    let (archive, sums, sha) = package();
    let sig = p.sign(&sums);
    let keys = [key(&p)];
    // The archive is not the one the registry described.
    let err = authenticate(b"other bytes", &pkg(NAME, &sha, &sums, &sig, &keys)).unwrap_err();
    assert!(err.starts_with("archive has incorrect checksum"), "{err}");
    // The checksum document does not list the file, or lists another hash for it.
    let err = authenticate(&archive, &pkg("other.zip", &sha, &sums, &sig, &keys)).unwrap_err();
    assert_eq!(err, "checksum list has no SHA-256 hash for \"other.zip\"");
    let forged = String::from_utf8(sums.clone()).unwrap().replace(&hex::encode(sha), &"0".repeat(64));
    let err = authenticate(&archive, &pkg(NAME, &sha, forged.as_bytes(), &sig, &keys)).unwrap_err();
    assert!(err.starts_with("checksum list has unexpected SHA-256 hash"), "{err}");
    // A document changed after signing (another platform's line): the signature fails.
    let mut changed = sums.clone();
    changed.extend_from_slice(format!("{}  extra.zip\n", "1".repeat(64)).as_bytes());
    let err = authenticate(&archive, &pkg(NAME, &sha, &changed, &sig, &keys)).unwrap_err();
    assert!(err.starts_with("error checking signature"), "{err}");
    // Signed by a key the registry does not list.
    let stranger = Publisher::new("Mallory <m@example.com>", false);
    let err = authenticate(&archive, &pkg(NAME, &sha, &sums, &stranger.sign(&sums), &keys)).unwrap_err();
    assert_eq!(err, "authentication signature from unknown issuer");
}

#[test]
fn hashicorps_keys_are_readable_and_do_not_claim_other_signatures() {
    let p = Publisher::new("Hello Corp <hello@example.com>", false);
    let (_, sums, _) = package();
    let sig = DetachedSignature::from_bytes(&p.sign(&sums)[..]).unwrap();
    assert_eq!(signed_by(&sig, HASHICORP_KEY, &sums), Ok(None));
    assert_eq!(signed_by(&sig, HASHICORP_PARTNERS_KEY, &sums), Ok(None));
}

#[test]
fn a_document_that_is_not_a_checksum_list_vouches_for_nothing() {
    assert_eq!(signed_hashes("not a checksums file\n"), Vec::<String>::new());
    assert_eq!(signed_hashes(&format!("{}  a.zip\n\n", "a".repeat(64))), vec![format!("zh:{}", "a".repeat(64))]);
}
