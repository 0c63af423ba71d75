use crate::cty::Value;
use crate::lang::funcs::fenc_testutil::*;

#[test]
fn string_hashes() {
    assert_eq!(string("md5", vec![s("hello world")]), "5eb63bbbe01eeed093cb22bb8f5acdc3");
    assert_eq!(string("md5", vec![s("e\u{301}")]), "66ddcd97cfdeabb2f6fb8a999b4bc76f");
    assert_eq!(string("sha1", vec![Value::from(1.5)]), "aa8f289ebe6d4db1b4a1038b8931ec8c2b5399fb");
    assert_eq!(string("base64sha256", vec![s("hello world")]), "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=");
    assert_eq!(
        string("base64sha512", vec![s("")]),
        "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="
    );
    assert_eq!(error("md5", vec![Value::NULL]), "Invalid value for \"str\" parameter: argument must not be null.");
    assert!(call("sha256", vec![secret("x")]).unwrap().marks().is_sensitive());
    assert!(!call("sha256", vec![unknown_string()]).unwrap().is_known());
}

#[test]
fn file_hashes() {
    assert_eq!(string("filemd5", vec![s("files/hello.txt")]), "bea8252ff4e80f41719ea13cdf007273");
    assert_eq!(string("filebase64sha256", vec![s("files/binary.bin")]), "zADSFZXY6sT3D9J54kSV5ZrYqbh58pY+YbEW4LLMR1I=");
    assert_eq!(
        error("filemd5", vec![s("files/missing.txt")]),
        format!("Call to function \"filemd5\" failed: open {CONTEXT}/files/missing.txt: no such file or directory.")
    );
    assert_eq!(
        error("filesha256", vec![s("files")]),
        format!("Call to function \"filesha256\" failed: read {CONTEXT}/files: is a directory.")
    );
}

#[test]
fn bcrypt_as_go() {
    let h = string("bcrypt", vec![s("hello world"), Value::int(4)]);
    assert!(h.starts_with("$2a$04$") && h.len() == 60, "{h}");
    assert!(bcrypt::verify("hello world", &h).unwrap());
    assert!(string("bcrypt", vec![s("x"), Value::int(3)]).starts_with("$2a$10$"));
    assert!(string("bcrypt", vec![s("x"), s("5")]).starts_with("$2a$05$"));
    assert_eq!(
        error("bcrypt", vec![s("x"), Value::int(32)]),
        "Call to function \"bcrypt\" failed: error occured generating password crypto/bcrypt: cost 32 is outside allowed range (4,31)."
    );
    assert_eq!(
        error("bcrypt", vec![s("x"), Value::int(4), Value::int(5)]),
        "Call to function \"bcrypt\" failed: bcrypt() takes no more than two arguments."
    );
    assert_eq!(
        error("bcrypt", vec![s("x"), Value::from(4.5)]),
        "Call to function \"bcrypt\" failed: value must be a whole number, between -9223372036854775808 and 9223372036854775807."
    );
    assert_eq!(
        error("bcrypt", vec![s(&"abcdefghij".repeat(8)), Value::int(4)]),
        "Call to function \"bcrypt\" failed: error occured generating password bcrypt: password length exceeds 72 bytes."
    );
}

fn file(p: &str) -> Value {
    call("file", vec![s(p)]).unwrap()
}

#[test]
fn rsadecrypt_as_go() {
    let ct = file("files/rsa_ciphertext.b64");
    let key = file("files/rsa_key.pem");
    assert_eq!(string("rsadecrypt", vec![ct.clone(), key.clone()]), "secret message");
    assert_eq!(
        error("rsadecrypt", vec![ct.clone(), s("not a key")]),
        "Invalid value for \"privatekey\" parameter: invalid private key: ssh: no key found."
    );
    assert_eq!(
        error("rsadecrypt", vec![s("bm90IGNpcGhlcnRleHQ="), key.clone()]),
        "Call to function \"rsadecrypt\" failed: failed to decrypt: crypto/rsa: decryption error."
    );
    assert_eq!(
        error("rsadecrypt", vec![s("!!!"), key.clone()]),
        "Invalid value for \"ciphertext\" parameter: failed to decode input \"!!!\": cipher text must be base64-encoded."
    );
    // A ciphertext of the right length whose padding is wrong is an error, not garbage.
    let mut bad = vec![0u8; 128];
    bad[127] = 5;
    let bad = crate::lang::funcs::encoding::gobase64::encode(&bad);
    assert!(error("rsadecrypt", vec![s(&bad), key.clone()]).ends_with("crypto/rsa: decryption error."));
    let v = call("rsadecrypt", vec![ct, key.with_marks(crate::cty::Marks::SENSITIVE)]).unwrap();
    assert!(v.marks().is_sensitive());
}

#[test]
fn uuids() {
    let u = string("uuid", vec![]);
    assert_eq!(u.len(), 36);
    assert!(u.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    assert_ne!(u, string("uuid", vec![]));
    assert_eq!(string("uuidv5", vec![s("dns"), s("www.terraform.io")]), "a5008fae-b28c-5ba5-96cd-82b4c53552d6");
    assert_eq!(
        string("uuidv5", vec![s("x500"), s("CN=Test User 1, O=HashiCorp, C=US")]),
        "0390afcb-44a0-53e1-adeb-46bf0856930b"
    );
    assert_eq!(string("uuidv5", vec![s("dns"), Value::int(12)]), "52524d6e-10dc-5261-aa36-8b2efcbaa5f0");
    assert_eq!(
        error("uuidv5", vec![s("DNS"), s("x")]),
        "Call to function \"uuidv5\" failed: uuidv5() doesn't support namespace DNS (invalid UUID length: 3)."
    );
    assert_eq!(error("uuid", vec![Value::int(1)]), "Function \"uuid\" expects only 0 argument(s).");
}
