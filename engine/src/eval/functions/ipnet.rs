//! IP network functions: cidrhost, cidrnetmask, cidrsubnet, cidrsubnets.
//!
//! Addresses are handled as integers of 32 or 128 bits, following the arithmetic of the
//! go-cidr package Terraform uses (including its treatment of negative numbers).

use super::*;
use std::net::{Ipv4Addr, Ipv6Addr};

pub(super) fn functions() -> Vec<Function> {
    vec![
        Function::new("cidrhost", &["prefix", "hostnum"], cidrhost),
        Function::new("cidrnetmask", &["prefix"], cidrnetmask),
        Function::new("cidrsubnet", &["prefix", "newbits", "netnum"], cidrsubnet),
        Function::new("cidrsubnets", &["prefix"], cidrsubnets).variadic("newbits"),
    ]
}

/// A network: its (masked) address, prefix length and address size (32 or 128 bits).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Net {
    addr: u128,
    prefix: u32,
    bits: u32,
}

fn all_ones(bits: u32) -> u128 {
    if bits >= 128 { u128::MAX } else { (1u128 << bits) - 1 }
}

impl Net {
    /// The network mask of a prefix length, within this network's address size.
    fn mask(&self, prefix: u32) -> u128 {
        let full = all_ones(self.bits);
        full & !full.checked_shr(prefix).unwrap_or(0)
    }

    fn with_prefix(&self, addr: u128, prefix: u32) -> Net {
        Net { addr: addr & self.mask(prefix), prefix, bits: self.bits }
    }

    fn contains(&self, addr: u128) -> bool {
        addr & self.mask(self.prefix) == self.addr
    }

    fn last(&self) -> u128 {
        self.addr | (all_ones(self.bits) & !self.mask(self.prefix))
    }
}

impl std::fmt::Display for Net {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", ip_string(self.addr, self.bits), self.prefix)
    }
}

/// An address as Go prints it: dotted IPv4, RFC 5952 IPv6, IPv4-mapped IPv6 as IPv4.
fn ip_string(addr: u128, bits: u32) -> String {
    if bits == 32 || addr >> 32 == 0xffff {
        Ipv4Addr::from(addr as u32).to_string()
    } else {
        Ipv6Addr::from(addr).to_string()
    }
}

/// Go's IPv4 syntax as Terraform parses it: four decimal parts, leading zeros allowed.
fn parse_ipv4(s: &str) -> Option<u32> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() != 4 {
        return None;
    }
    let mut out = 0u32;
    for p in parts {
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u32 = p.parse().ok()?;
        if n > 255 {
            return None;
        }
        out = out << 8 | n;
    }
    Some(out)
}

fn parse_cidr(s: &str) -> Result<Net, String> {
    let invalid = || format!("invalid CIDR expression: invalid CIDR address: {s}");
    let (ip, len) = s.split_once('/').ok_or_else(invalid)?;
    let (addr, bits) = match parse_ipv4(ip) {
        Some(v4) => (v4 as u128, 32),
        None => (ip.parse::<Ipv6Addr>().map_err(|_| invalid())?.into(), 128),
    };
    if len.is_empty() || len.len() > 3 || !len.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let prefix: u32 = len.parse().map_err(|_| invalid())?;
    if prefix > bits {
        return Err(invalid());
    }
    let net = Net { addr: 0, prefix, bits };
    Ok(net.with_prefix(addr, prefix))
}

/// A whole-number argument for a `*big.Int` parameter (whose error is worded differently).
fn big_int_arg(a: &[Value], i: usize) -> Result<i64, FuncError> {
    whole(num_arg(a, i)?).ok_or_else(|| FuncError::Call("value must be a whole number.".into()))
}

fn cidrhost(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let hostnum = big_int_arg(&a, 1)?;
    let net = parse_cidr(&str_arg(&a, 0)?).map_err(|e| FuncError::Call(format!("{e}.")))?;
    let max = all_ones(net.bits - net.prefix);
    let value = if hostnum >= 0 {
        let n = hostnum as u128;
        if n > max {
            return Err(FuncError::Call(format!(
                "prefix of {} does not accommodate a host numbered {hostnum}.",
                net.prefix
            )));
        }
        n
    } else {
        // Negative numbers count back from the end of the range: -1 is the last address.
        let back = (-(hostnum as i128) - 1) as u128;
        if back > max {
            return Err(FuncError::Call(format!(
                "prefix of {} does not accommodate a host numbered {}.",
                net.prefix,
                max as i128 - back as i128
            )));
        }
        max - back
    };
    Ok(Value::String(ip_string(net.addr | value, net.bits)))
}

fn cidrnetmask(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let s = str_arg(&a, 0)?;
    let net = parse_cidr(&s).map_err(|e| FuncError::Call(format!("{e}.")))?;
    if net.bits != 32 {
        return Err(FuncError::Call(format!("IPv6 addresses cannot have a netmask: {s}.")));
    }
    Ok(Value::String(Ipv4Addr::from(net.mask(net.prefix) as u32).to_string()))
}

fn cidrsubnet(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let newbits = whole(num_arg(&a, 1)?).ok_or_else(|| FuncError::Call(format!("{WHOLE_NUMBER}.")))?;
    let netnum = big_int_arg(&a, 2)?;
    let net = parse_cidr(&str_arg(&a, 0)?).map_err(|e| FuncError::Call(format!("{e}.")))?;
    let new_prefix = net.prefix as i64 + newbits;
    if new_prefix > net.bits as i64 || new_prefix < 0 {
        return Err(FuncError::Call(format!(
            "insufficient address space to extend prefix of {} by {newbits}.",
            net.prefix
        )));
    }
    if newbits >= 0 && netnum >= 0 && netnum as u128 > all_ones(newbits as u32) {
        return Err(FuncError::Call(format!(
            "prefix extension of {newbits} does not accommodate a subnet numbered {netnum}."
        )));
    }
    let shift = net.bits - new_prefix as u32;
    let shifted = |n: u128| n.checked_shl(shift).unwrap_or(0);
    let addr = if netnum >= 0 {
        net.addr | shifted(netnum as u128)
    } else {
        // go-cidr ORs a negative big integer into the address and keeps the magnitude of
        // the (negative) result: |addr | -m| = ((m - 1) & !addr) + 1.
        let m = shifted(netnum.unsigned_abs() as u128);
        (m.wrapping_sub(1) & !net.addr).wrapping_add(1)
    };
    let out = Net { addr: addr & all_ones(net.bits), prefix: new_prefix as u32, bits: net.bits };
    Ok(Value::String(out.to_string()))
}

fn cidrsubnets(_: &FuncCtx<'_>, a: Vec<Value>) -> Result<Value, FuncError> {
    let net = parse_cidr(&str_arg(&a, 0)?).map_err(|e| arg_err(0, format!("{e}.")))?;
    if a.len() == 1 {
        return Ok(Value::List(Vec::new()));
    }
    let newbits = |i: usize| whole(num_arg(&a, i)?).ok_or_else(|| arg_err(i, format!("{WHOLE_NUMBER}.")));
    let first = (net.prefix as i64 + newbits(1)?).clamp(0, net.bits as i64) as u32;
    // The subnet just before the network, so that the first "next" subnet starts it.
    let mut current = net.with_prefix(net.addr.wrapping_sub(1) & all_ones(net.bits), first);
    let mut out = Vec::with_capacity(a.len() - 1);
    for i in 1..a.len() {
        let bits = newbits(i)?;
        if bits < 1 {
            return Err(arg_err(i, "must extend prefix by at least one bit."));
        }
        if bits > 32 {
            return Err(arg_err(i, "may not extend prefix by more than 32 bits."));
        }
        let length = net.prefix + bits as u32;
        if length > net.bits {
            let protocol = if net.bits == 32 { "IPv4" } else { "IPv6" };
            return Err(arg_err(
                i,
                format!("would extend prefix to {length} bits, which is too long for an {protocol} address."),
            ));
        }
        let containing = net.with_prefix(current.last(), length);
        let next_addr = containing.last().wrapping_add(1) & all_ones(net.bits);
        let next = net.with_prefix(next_addr, length);
        if next_addr == 0 || !net.contains(next.addr) {
            return Err(arg_err(
                i,
                format!(
                    "not enough remaining address space for a subnet with a prefix of {length} bits after {current}."
                ),
            ));
        }
        current = next;
        out.push(Value::String(current.to_string()));
    }
    Ok(Value::List(out))
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;

    #[test]
    fn subnet() {
        let sub = |p: &str, b: f64, num: f64| call_fn("cidrsubnet", vec![s(p), n(b), n(num)]);
        assert_eq!(sub("10.0.0.0/16", 8.0, 2.0), Ok(s("10.0.2.0/24")));
        assert_eq!(sub("10.1.2.3/16", 0.0, 0.0), Ok(s("10.1.0.0/16")));
        assert_eq!(sub("fd00::/56", 8.0, 255.0), Ok(s("fd00:0:0:ff::/64")));
        assert_eq!(sub("fd00::/56", 33.0, 0.0), Ok(s("fd00::/89")));
        assert_eq!(sub("010.0.0.0/8", 8.0, 1.0), Ok(s("10.1.0.0/16")));
        // go-cidr's arithmetic for negative numbers, as Terraform returns it.
        assert_eq!(sub("10.0.0.0/16", 8.0, -1.0), Ok(s("0.0.1.0/24")));
        assert_eq!(sub("10.0.0.0/16", -1.0, 5.0), Ok(s("10.10.0.0/15")));
        let call = |m: &str| Err(FuncError::Call(m.into()));
        assert_eq!(
            sub("10.0.0.0/16", 8.0, 256.0),
            call("prefix extension of 8 does not accommodate a subnet numbered 256.")
        );
        assert_eq!(sub("10.0.0.0/30", 8.0, 0.0), call("insufficient address space to extend prefix of 30 by 8."));
        assert_eq!(sub("10.0.0.0", 8.0, 0.0), call("invalid CIDR expression: invalid CIDR address: 10.0.0.0."));
        assert_eq!(sub("10.0.0.0/33", 1.0, 0.0), call("invalid CIDR expression: invalid CIDR address: 10.0.0.0/33."));
        assert_eq!(sub("10.0.0.0/8 ", 1.0, 0.0), call("invalid CIDR expression: invalid CIDR address: 10.0.0.0/8 ."));
        assert_eq!(sub("256.0.0.0/8", 1.0, 0.0), call("invalid CIDR expression: invalid CIDR address: 256.0.0.0/8."));
        assert_eq!(sub("10.0.0.0/8", 1.0, 1.5), call("value must be a whole number."));
        assert_eq!(
            sub("10.0.0.0/8", 1.5, 1.0),
            call("value must be a whole number, between -9223372036854775808 and 9223372036854775807.")
        );
    }

    #[test]
    fn subnets() {
        let subs = |p: &str, bits: &[f64]| {
            let mut args = vec![s(p)];
            args.extend(bits.iter().map(|b| n(*b)));
            call_fn("cidrsubnets", args)
        };
        assert_eq!(
            subs("10.1.0.0/16", &[4.0, 4.0, 8.0, 4.0]),
            Ok(strs(&["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"]))
        );
        assert_eq!(subs("10.1.0.0/16", &[8.0, 4.0]), Ok(strs(&["10.1.0.0/24", "10.1.16.0/20"])));
        assert_eq!(subs("10.1.0.0/16", &[]), Ok(list(vec![])));
        assert_eq!(
            subs("fd00:fd12:3456:7890::/56", &[16.0, 16.0, 16.0, 32.0]),
            Ok(strs(&[
                "fd00:fd12:3456:7800::/72",
                "fd00:fd12:3456:7800:100::/72",
                "fd00:fd12:3456:7800:200::/72",
                "fd00:fd12:3456:7800:300::/88"
            ]))
        );
        let arg = |i: usize, m: &str| Err(FuncError::Arg(i, m.into()));
        assert_eq!(
            subs("10.1.0.0/16", &[17.0]),
            arg(1, "would extend prefix to 33 bits, which is too long for an IPv4 address.")
        );
        assert_eq!(subs("10.0.0.0/8", &[4.0, 0.0]), arg(2, "must extend prefix by at least one bit."));
        assert_eq!(subs("fd00::/8", &[33.0]), arg(1, "may not extend prefix by more than 32 bits."));
        assert_eq!(
            subs("10.0.0.0/24", &[1.0, 1.0, 1.0]),
            arg(3, "not enough remaining address space for a subnet with a prefix of 25 bits after 10.0.0.128/25.")
        );
        assert_eq!(subs("x", &[1.0]), arg(0, "invalid CIDR expression: invalid CIDR address: x."));
        // go-cidr sees the address before 0.0.0.0 wrap around, and Terraform reports that as
        // running out of space: a network at address zero cannot be divided.
        assert_eq!(
            subs("0.0.0.0/8", &[4.0, 4.0]),
            arg(1, "not enough remaining address space for a subnet with a prefix of 12 bits after 255.240.0.0/12.")
        );
    }

    #[test]
    fn host_and_netmask() {
        let host = |p: &str, num: f64| call_fn("cidrhost", vec![s(p), n(num)]);
        assert_eq!(host("10.12.112.0/20", 16.0), Ok(s("10.12.112.16")));
        assert_eq!(host("10.12.112.0/20", 268.0), Ok(s("10.12.113.12")));
        assert_eq!(host("10.12.112.0/20", -1.0), Ok(s("10.12.127.255")));
        assert_eq!(host("10.0.0.0/8", -16777216.0), Ok(s("10.0.0.0")));
        assert_eq!(host("fd00:fd12:3456:7890:00a2::/72", 34.0), Ok(s("fd00:fd12:3456:7890::22")));
        assert_eq!(host("10.0.0.0/016", 1.0), Ok(s("10.0.0.1")));
        let call = |m: &str| Err(FuncError::Call(m.into()));
        assert_eq!(host("10.0.0.0/30", 4.0), call("prefix of 30 does not accommodate a host numbered 4."));
        assert_eq!(host("10.0.0.0/8", -16777217.0), call("prefix of 8 does not accommodate a host numbered -1."));
        assert_eq!(host("10.0.0.0/8", 1.5), call("value must be a whole number."));
        assert_eq!(ok("cidrnetmask", vec![s("172.16.0.0/12")]), s("255.240.0.0"));
        assert_eq!(ok("cidrnetmask", vec![s("10.0.0.0/0")]), s("0.0.0.0"));
        assert_eq!(ok("cidrnetmask", vec![s("10.0.0.0/32")]), s("255.255.255.255"));
        assert_eq!(err("cidrnetmask", vec![s("fd00::/8")]), "IPv6 addresses cannot have a netmask: fd00::/8.");
    }
}
