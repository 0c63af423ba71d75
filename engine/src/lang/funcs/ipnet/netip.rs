//! The parts of Go's `net` package the CIDR functions use, with Go's representation: an IP
//! is 4 or 16 bytes (IPv4 parsed into the 16-byte IPv4-mapped form), or empty (Go's nil),
//! and so is a mask. Parsing is Terraform's `ipaddr` fork of Go 1.16, which accepts IPv4
//! octets with leading zeros.

pub(super) type Ip = Vec<u8>;

const V4_IN_V6_PREFIX: [u8; 12] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/// A network: an address and a mask (`net.IPNet`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct IpNet {
    pub ip: Ip,
    pub mask: Ip,
}

/// `net.IPv4`: the 16-byte form.
pub(super) fn ipv4(a: [u8; 4]) -> Ip {
    let mut ip = V4_IN_V6_PREFIX.to_vec();
    ip.extend_from_slice(&a);
    ip
}

/// Decimal digits (`dtoi`), refusing values of 0xFFFFFF and more.
fn dtoi(s: &[u8]) -> Option<(u32, usize)> {
    let mut n: u32 = 0;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        n = n * 10 + u32::from(s[i] - b'0');
        if n >= 0xFF_FFFF {
            return None;
        }
        i += 1;
    }
    (i > 0).then_some((n, i))
}

/// Hexadecimal digits (`xtoi`), refusing values of 0xFFFFFF and more.
fn xtoi(s: &[u8]) -> Option<(u32, usize)> {
    let mut n: u32 = 0;
    let mut i = 0;
    while let Some(d) = s.get(i).and_then(|&c| (c as char).to_digit(16)) {
        n = n * 16 + d;
        if n >= 0xFF_FFFF {
            return None;
        }
        i += 1;
    }
    (i > 0).then_some((n, i))
}

/// `d.d.d.d`, leading zeros allowed (Terraform's fork).
fn parse_ipv4(mut s: &[u8]) -> Option<Ip> {
    let mut p = [0u8; 4];
    for (i, octet) in p.iter_mut().enumerate() {
        if s.is_empty() {
            return None;
        }
        if i > 0 {
            if s[0] != b'.' {
                return None;
            }
            s = &s[1..];
        }
        let (n, c) = dtoi(s)?;
        if n > 0xFF {
            return None;
        }
        s = &s[c..];
        *octet = n as u8;
    }
    s.is_empty().then(|| ipv4(p))
}

/// An IPv6 literal (RFC 4291), possibly ending in an IPv4 address.
fn parse_ipv6(mut s: &[u8]) -> Option<Ip> {
    let mut ip = vec![0u8; 16];
    let mut ellipsis: Option<usize> = None;
    if s.starts_with(b"::") {
        ellipsis = Some(0);
        s = &s[2..];
        if s.is_empty() {
            return Some(ip);
        }
    }
    let mut i = 0;
    while i < 16 {
        let (n, c) = xtoi(s)?;
        if n > 0xFFFF {
            return None;
        }
        if s.get(c) == Some(&b'.') {
            // The trailing IPv4 part.
            if (ellipsis.is_none() && i != 12) || i + 4 > 16 {
                return None;
            }
            let ip4 = parse_ipv4(s)?;
            ip[i..i + 4].copy_from_slice(&ip4[12..]);
            s = b"";
            i += 4;
            break;
        }
        ip[i] = (n >> 8) as u8;
        ip[i + 1] = n as u8;
        i += 2;
        s = &s[c..];
        if s.is_empty() {
            break;
        }
        if s[0] != b':' || s.len() == 1 {
            return None;
        }
        s = &s[1..];
        if s[0] == b':' {
            if ellipsis.is_some() {
                return None;
            }
            ellipsis = Some(i);
            s = &s[1..];
            if s.is_empty() {
                break;
            }
        }
    }
    if !s.is_empty() {
        return None;
    }
    if i < 16 {
        let e = ellipsis?;
        let n = 16 - i;
        ip.copy_within(e..i, e + n);
        ip[e..e + n].fill(0);
    } else if ellipsis.is_some() {
        return None;
    }
    Some(ip)
}

/// `ParseCIDR`: the network of `s` (its address masked), or Go's error.
pub(super) fn parse_cidr(s: &str) -> Result<IpNet, String> {
    let bad = || format!("invalid CIDR address: {s}");
    let (addr, mask) = s.split_once('/').ok_or_else(bad)?;
    let (ip, iplen) = match parse_ipv4(addr.as_bytes()) {
        Some(ip) => (ip, 4),
        None => (parse_ipv6(addr.as_bytes()).ok_or_else(bad)?, 16),
    };
    let (n, used) = dtoi(mask.as_bytes()).ok_or_else(bad)?;
    if used != mask.len() || n > 8 * iplen {
        return Err(bad());
    }
    let m = cidr_mask(i64::from(n), i64::from(8 * iplen));
    Ok(IpNet { ip: ip_mask(&ip, &m), mask: m })
}

/// `CIDRMask`: `ones` leading one bits out of `bits` (32 or 128); empty when out of range.
pub(super) fn cidr_mask(ones: i64, bits: i64) -> Ip {
    if (bits != 32 && bits != 128) || ones < 0 || ones > bits {
        return Vec::new();
    }
    (0..bits / 8).map(|i| (0xff_u16 << (8 - (ones - i * 8).clamp(0, 8))) as u8).collect()
}

/// The number of leading ones of a canonical mask, else -1 (`simpleMaskLength`).
fn simple_mask_length(mask: &[u8]) -> i64 {
    let mut n = 0;
    for (i, &v) in mask.iter().enumerate() {
        if v == 0xff {
            n += 8;
            continue;
        }
        let ones = v.leading_ones();
        if v << ones != 0 || mask[i + 1..].iter().any(|&b| b != 0) {
            return -1;
        }
        return n + i64::from(ones);
    }
    n
}

/// `IPMask.Size`: (ones, bits), or (0, 0) for a mask that is not canonical.
pub(super) fn mask_size(mask: &[u8]) -> (i64, i64) {
    match simple_mask_length(mask) {
        -1 => (0, 0),
        ones => (ones, mask.len() as i64 * 8),
    }
}

/// `IP.To4`.
pub(super) fn to4(ip: &[u8]) -> Option<&[u8]> {
    match ip.len() {
        4 => Some(ip),
        16 if ip[..12] == V4_IN_V6_PREFIX => Some(&ip[12..]),
        _ => None,
    }
}

/// `IP.Mask`: empty when the lengths do not fit.
pub(super) fn ip_mask(ip: &[u8], mask: &[u8]) -> Ip {
    let mut mask = mask;
    let mut ip = ip;
    if mask.len() == 16 && ip.len() == 4 && mask[..12].iter().all(|&b| b == 0xff) {
        mask = &mask[12..];
    }
    if mask.len() == 4 && ip.len() == 16 && ip[..12] == V4_IN_V6_PREFIX {
        ip = &ip[12..];
    }
    if ip.len() != mask.len() {
        return Vec::new();
    }
    ip.iter().zip(mask).map(|(a, m)| a & m).collect()
}

/// `IP.Equal`: the 4-byte and 16-byte forms of an IPv4 address are equal.
pub(super) fn ip_equal(a: &[u8], b: &[u8]) -> bool {
    match (a.len(), b.len()) {
        (x, y) if x == y => a == b,
        (4, 16) => b[..12] == V4_IN_V6_PREFIX && a == &b[12..],
        (16, 4) => a[..12] == V4_IN_V6_PREFIX && &a[12..] == b,
        _ => false,
    }
}

/// `IP.String`: dotted IPv4 (IPv4-mapped addresses included), RFC 5952 IPv6, "<nil>".
pub(super) fn ip_string(ip: &[u8]) -> String {
    if ip.is_empty() {
        return "<nil>".to_string();
    }
    if ip.len() != 4 && ip.len() != 16 {
        return format!("?{}", ip.iter().map(|b| format!("{b:02x}")).collect::<String>());
    }
    if let Some(p) = to4(ip) {
        return format!("{}.{}.{}.{}", p[0], p[1], p[2], p[3]);
    }
    let groups: Vec<u16> = ip.chunks(2).map(|c| u16::from(c[0]) << 8 | u16::from(c[1])).collect();
    // The first longest run of two or more zero groups becomes "::".
    let (mut zs, mut ze) = (8, 8);
    let mut i = 0;
    while i < 8 {
        let j = i + groups[i..].iter().take_while(|&&g| g == 0).count();
        if j - i >= 2 && j - i > ze - zs {
            (zs, ze) = (i, j);
        }
        i = j.max(i + 1);
    }
    let mut out = String::new();
    let mut i = 0;
    while i < 8 {
        if i == zs {
            out.push_str("::");
            i = ze;
            if i >= 8 {
                break;
            }
        } else if i > 0 {
            out.push(':');
        }
        out.push_str(&format!("{:x}", groups[i]));
        i += 1;
    }
    out
}

impl IpNet {
    /// `networkNumberAndMask`: the IPv4 form when there is one, with a matching mask.
    fn number_and_mask(&self) -> Option<(&[u8], &[u8])> {
        let ip = match to4(&self.ip) {
            Some(ip) => ip,
            None if self.ip.len() == 16 => &self.ip,
            None => return None,
        };
        let mask = match self.mask.len() {
            4 if ip.len() != 4 => return None,
            4 => &self.mask[..],
            16 if ip.len() == 4 => &self.mask[12..],
            16 => &self.mask[..],
            _ => return None,
        };
        Some((ip, mask))
    }

    /// `IPNet.Contains`.
    pub fn contains(&self, ip: &[u8]) -> bool {
        let (nn, m) = self.number_and_mask().unwrap_or((&[], &[]));
        let ip = to4(ip).unwrap_or(ip);
        ip.len() == nn.len() && (0..ip.len()).all(|i| nn[i] & m[i] == ip[i] & m[i])
    }
}

/// `IPNet.String`: address (not masked) and prefix length, or "<nil>".
impl std::fmt::Display for IpNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Some((ip, mask)) = self.number_and_mask() else {
            return f.write_str("<nil>");
        };
        match simple_mask_length(mask) {
            -1 => write!(f, "{}/{}", ip_string(ip), mask.iter().map(|b| format!("{b:02x}")).collect::<String>()),
            l => write!(f, "{}/{l}", ip_string(ip)),
        }
    }
}
