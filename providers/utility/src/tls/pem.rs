//! PEM as Go's `encoding/pem` writes it (64 columns, `\n`), and the first block of a text.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Go's `pem.EncodeToMemory` of a block without headers.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

/// The first PEM block of `text`: its label and bytes (headers are not supported; the
/// providers' own blocks have none).
pub(crate) fn decode(text: &str) -> Option<(String, Vec<u8>)> {
    let start = text.find("-----BEGIN ")?;
    let rest = &text[start + 11..];
    let label_end = rest.find("-----")?;
    let label = &rest[..label_end];
    let body = &rest[label_end + 5..];
    let end = body.find(&format!("-----END {label}-----"))?;
    let b64: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
    let der = STANDARD.decode(b64).ok()?;
    Some((label.to_string(), der))
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trip_with_64_columns() {
        let der: Vec<u8> = (0..100u8).collect();
        let text = super::encode("PUBLIC KEY", &der);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "-----BEGIN PUBLIC KEY-----");
        assert_eq!(lines[1].len(), 64);
        assert_eq!(lines.last(), Some(&"-----END PUBLIC KEY-----"));
        assert!(text.ends_with("-----\n"));
        assert_eq!(super::decode(&text), Some(("PUBLIC KEY".to_string(), der)));
    }
}
