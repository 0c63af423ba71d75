//! Hash and identifier functions: md5, sha1, sha256, sha512, base64sha256, base64sha512, uuid.

use super::*;
use base64::Engine;
use sha2::Digest;

pub(super) fn functions() -> Vec<Function> {
    vec![
        Function::new("md5", &["str"], |_, a| Ok(Value::String(hex::encode(md5::Md5::digest(str_arg(&a, 0)?))))),
        Function::new("sha1", &["str"], |_, a| Ok(Value::String(hex::encode(sha1::Sha1::digest(str_arg(&a, 0)?))))),
        Function::new("sha256", &["str"], |_, a| Ok(Value::String(hex::encode(sha2::Sha256::digest(str_arg(&a, 0)?))))),
        Function::new("sha512", &["str"], |_, a| Ok(Value::String(hex::encode(sha2::Sha512::digest(str_arg(&a, 0)?))))),
        Function::new("base64sha256", &["str"], |_, a| Ok(Value::String(b64(&sha2::Sha256::digest(str_arg(&a, 0)?))))),
        Function::new("base64sha512", &["str"], |_, a| Ok(Value::String(b64(&sha2::Sha512::digest(str_arg(&a, 0)?))))),
        Function::new("uuid", &[], |_, _| Ok(Value::String(uuid::Uuid::new_v4().to_string()))),
    ]
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn hex_digests() {
        assert_eq!(ok("md5", vec![s("hello")]), s("5d41402abc4b2a76b9719d911017c592"));
        assert_eq!(ok("md5", vec![n(1.0)]), s("c4ca4238a0b923820dcc509a6f75849b"));
        assert_eq!(ok("sha1", vec![s("hello")]), s("aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d"));
        assert_eq!(
            ok("sha256", vec![s("hello")]),
            s("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        );
        assert_eq!(
            ok("sha512", vec![s("")]),
            s(
                "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
            )
        );
    }

    #[test]
    fn base64_digests() {
        assert_eq!(ok("base64sha256", vec![s("hello")]), s("LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="));
        assert_eq!(
            ok("base64sha512", vec![s("hello")]),
            s("m3HSJL1i83hdltRq0+o9czGb+8KJDKra4t/3JRlnPKcjI8PZm6XBHXx6zG4UuMXaDEZjR1wuXDre9G9zvN7AQw==")
        );
    }

    #[test]
    fn uuid_is_random_v4() {
        let (Value::String(a), Value::String(b)) = (ok("uuid", vec![]), ok("uuid", vec![])) else { panic!() };
        assert_ne!(a, b);
        let parsed = uuid::Uuid::parse_str(&a).expect("a UUID");
        assert_eq!(parsed.get_version_num(), 4);
        assert_eq!(a.len(), 36);
        assert_eq!(a, a.to_lowercase());
    }
}
