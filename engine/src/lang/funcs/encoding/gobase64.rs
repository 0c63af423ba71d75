//! Go's `base64.StdEncoding.DecodeString`: padding required, `\r` and `\n` skipped anywhere,
//! trailing bits not checked, and the offset of the first bad byte reported (Terraform's
//! messages quote it).

fn decode_symbol(c: u8) -> Option<u8> {
    Some(match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    })
}

fn is_newline(c: u8) -> bool {
    c == b'\n' || c == b'\r'
}

/// Decodes `src`; on failure the offset Go's `CorruptInputError` carries.
pub(crate) fn decode(src: &[u8]) -> Result<Vec<u8>, usize> {
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    while si < src.len() {
        let mut buf = [0u8; 4];
        let mut len = 4;
        let mut trailing_garbage = None;
        let mut j = 0;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                return Err(si - j);
            }
            let c = src[si];
            si += 1;
            if let Some(v) = decode_symbol(c) {
                buf[j] = v;
                j += 1;
                continue;
            }
            if is_newline(c) {
                continue;
            }
            if c != b'=' {
                return Err(si - 1);
            }
            match j {
                0 | 1 => return Err(si - 1),
                2 => {
                    while si < src.len() && is_newline(src[si]) {
                        si += 1;
                    }
                    if si == src.len() {
                        return Err(src.len());
                    }
                    if src[si] != b'=' {
                        return Err(si - 1);
                    }
                    si += 1;
                }
                _ => {}
            }
            while si < src.len() && is_newline(src[si]) {
                si += 1;
            }
            if si < src.len() {
                trailing_garbage = Some(si);
            }
            len = j;
            break;
        }
        let val = (u32::from(buf[0]) << 18) | (u32::from(buf[1]) << 12) | (u32::from(buf[2]) << 6) | u32::from(buf[3]);
        let bytes = [(val >> 16) as u8, (val >> 8) as u8, val as u8];
        out.extend_from_slice(&bytes[..len - 1]);
        if let Some(at) = trailing_garbage {
            return Err(at);
        }
    }
    Ok(out)
}

/// Go's `base64.StdEncoding.EncodeToString`.
pub(crate) fn encode(data: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_offsets() {
        assert_eq!(decode(b"SGVsbG8=\n").unwrap(), b"Hello");
        assert_eq!(decode(b"SGVsbG8gV29ybGQ"), Err(12));
        assert_eq!(decode(b"s3cr3t"), Err(4));
        assert_eq!(decode(b"!!"), Err(0));
        assert_eq!(decode(b"SGV sbG8="), Err(3));
        assert_eq!(decode(b"YQ==x"), Err(4));
        assert_eq!(decode(b"YR==").unwrap(), b"a");
        assert_eq!(decode(b"").unwrap(), b"");
    }
}
