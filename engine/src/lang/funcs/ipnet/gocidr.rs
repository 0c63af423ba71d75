//! The `github.com/apparentlymart/go-cidr` v1.1.0 functions Terraform's CIDR functions call,
//! quirks included: numbers are checked by the low 64 bits of their magnitude, negative
//! numbers are OR-ed in two's complement, and an address with more bits than fit makes Go
//! panic (reported here as the error Terraform prints, without its stack trace).

use super::netip::{Ip, IpNet, cidr_mask, ip_equal, ip_mask, ipv4, mask_size, to4};
use num_bigint::{BigInt, Sign};

/// What Terraform reports when go-cidr indexes outside its address buffer.
pub(super) const INDEX_PANIC: &str = "panic in function implementation: runtime error: index out of range [-1]";

/// `big.Int.Uint64`: the low 64 bits of the magnitude.
fn low64(n: &BigInt) -> u64 {
    n.magnitude().iter_u64_digits().next().unwrap_or(0)
}

fn ip_to_int(ip: &[u8]) -> Result<(BigInt, i64), String> {
    let bits = match ip.len() {
        4 => 32,
        16 => 128,
        n => return Err(format!("panic in function implementation: Unsupported address length {n}")),
    };
    Ok((BigInt::from_bytes_be(Sign::Plus, ip), bits))
}

fn int_to_ip(n: &BigInt, bits: i64) -> Result<Ip, String> {
    let (_, bytes) = n.to_bytes_be();
    let bytes = if n.sign() == Sign::NoSign { Vec::new() } else { bytes };
    let len = (bits / 8) as usize;
    if bytes.len() > len {
        return Err(INDEX_PANIC.to_string());
    }
    let mut ret = vec![0u8; len];
    ret[len - bytes.len()..].copy_from_slice(&bytes);
    Ok(ret)
}

/// ORs `num << (total bits - prefix_len)` into the address.
fn insert_num_into_ip(ip: &[u8], num: &BigInt, prefix_len: i64) -> Result<Ip, String> {
    let (ip_int, total) = ip_to_int(ip)?;
    // Go converts the difference to uint: a negative one is a huge shift.
    let shift = total.wrapping_sub(prefix_len) as u64;
    if num.sign() == Sign::NoSign {
        return int_to_ip(&ip_int, total);
    }
    if shift > 1024 {
        // Far more bits than any address has (Go would try to build the number).
        return Err(INDEX_PANIC.to_string());
    }
    int_to_ip(&(ip_int | (num << shift as usize)), total)
}

/// `SubnetBig`.
pub(super) fn subnet(base: &IpNet, new_bits: i64, num: &BigInt) -> Result<IpNet, String> {
    let (parent_len, addr_len) = mask_size(&base.mask);
    let new_prefix_len = parent_len.wrapping_add(new_bits);
    if new_prefix_len > addr_len {
        return Err(format!("insufficient address space to extend prefix of {parent_len} by {new_bits}"));
    }
    // Go's uint64 shift: 0 from 64 bits on (a negative count is a huge one).
    let max_net_num = if (0..64).contains(&new_bits) { 1u64 << new_bits } else { 0 }.wrapping_sub(1);
    if low64(num) > max_net_num {
        return Err(format!("prefix extension of {new_bits} does not accommodate a subnet numbered {num}"));
    }
    Ok(IpNet { ip: insert_num_into_ip(&base.ip, num, new_prefix_len)?, mask: cidr_mask(new_prefix_len, addr_len) })
}

/// `HostBig`.
pub(super) fn host(base: &IpNet, num: &BigInt) -> Result<Ip, String> {
    let (parent_len, addr_len) = mask_size(&base.mask);
    let max_host_num = (BigInt::from(1) << (addr_len - parent_len) as usize) - 1;
    let mut num = num.clone();
    // Go converts the low 64 bits to int64, which can wrap to a negative number.
    let mut checked = BigInt::from(low64(&num) as i64);
    if num.sign() == Sign::Minus {
        checked = -&num - 1;
        num = &max_host_num - &checked;
    }
    if checked > max_host_num {
        return Err(format!("prefix of {parent_len} does not accommodate a host numbered {num}"));
    }
    let bits = if to4(&base.ip).is_some() { 32 } else { 128 };
    insert_num_into_ip(&base.ip, &num, bits)
}

/// `AddressRange`: the first and last addresses.
fn address_range(network: &IpNet) -> Result<(Ip, Ip), String> {
    let first = network.ip.clone();
    let (prefix_len, bits) = mask_size(&network.mask);
    if prefix_len == bits {
        return Ok((first.clone(), first));
    }
    let (first_int, bits) = ip_to_int(&first)?;
    let host_len = usize::try_from(bits - prefix_len).map_err(|_| INDEX_PANIC.to_string())?;
    let last = ((BigInt::from(1) << host_len) - 1) | first_int;
    Ok((first, int_to_ip(&last, bits)?))
}

/// `checkIPv4`: the 4-byte form of an IPv4 address.
fn check_ipv4(ip: &[u8]) -> Ip {
    to4(ip).unwrap_or(ip).to_vec()
}

/// `Inc` (`up`) or `Dec`, wrapping around.
fn step(ip: &[u8], up: bool) -> Ip {
    let mut ip = check_ipv4(ip);
    for b in ip.iter_mut().rev() {
        if up {
            *b = b.wrapping_add(1);
            if *b > 0 {
                break;
            }
        } else {
            *b = b.wrapping_sub(1);
            if *b < 255 {
                break;
            }
        }
    }
    ip
}

/// `PreviousSubnet` (without its rollover flag, which Terraform ignores).
pub(super) fn previous_subnet(network: &IpNet, prefix_len: i64) -> IpNet {
    let start = check_ipv4(&network.ip);
    let mask = cidr_mask(prefix_len, 8 * start.len() as i64);
    IpNet { ip: ip_mask(&step(&start, false), &mask), mask }
}

/// `NextSubnet`: the next subnet of the length, and whether the address space rolled over.
pub(super) fn next_subnet(network: &IpNet, prefix_len: i64) -> Result<(IpNet, bool), String> {
    let (_, current_last) = address_range(network)?;
    let mask = cidr_mask(prefix_len, 8 * current_last.len() as i64);
    let current = IpNet { ip: ip_mask(&current_last, &mask), mask: mask.clone() };
    let (_, last) = address_range(&current)?;
    let last = step(&last, true);
    let next = IpNet { ip: ip_mask(&last, &mask), mask };
    let rollover = ip_equal(&last, &ipv4([0; 4])) || ip_equal(&last, &[0; 16]);
    Ok((next, rollover))
}
