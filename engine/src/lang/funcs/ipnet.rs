//! Functions of the ipnet family: `cidrhost`, `cidrnetmask`, `cidrsubnet` and `cidrsubnets`
//! (Terraform's `lang/funcs/cidr.go`), on Go's `net` representation (`ipnet/netip.rs`) and
//! the go-cidr library (`ipnet/gocidr.rs`), whose quirks Terraform keeps:
//! `cidrsubnet("10.1.2.0/24", -1, 0)` is "10.1.2.0/23", `cidrsubnet(…, 4, -1)` is
//! "0.0.0.16/28", and IPv4-mapped IPv6 prefixes mix both address sizes.

mod gocidr;
mod netip;

use crate::cty::{Type, Value};
use crate::lang::function::{FuncError, Function, Param, Returns, refine_not_null};
use crate::number::NumberError;
use netip::{IpNet, ip_string, parse_cidr, to4};
use num_bigint::BigInt;

pub(super) fn functions() -> Vec<Function> {
    let prefix = || Param::new("prefix", Type::String);
    let number = |name| Param::new(name, Type::Number);
    vec![
        Function {
            name: "cidrhost",
            params: vec![prefix(), number("hostnum")],
            var_param: None,
            returns: Returns::Static(|| Type::String),
            refine: Some(refine_not_null),
            imp: |_, args, _| {
                let num = big_int(&args[1]).map_err(FuncError::other)?;
                let network = network(&args[0]).map_err(FuncError::other)?;
                let ip = gocidr::host(&network, &num).map_err(FuncError::other)?;
                Ok(Value::string(ip_string(&ip)))
            },
        },
        Function {
            name: "cidrnetmask",
            params: vec![prefix()],
            var_param: None,
            returns: Returns::Static(|| Type::String),
            refine: Some(refine_not_null),
            imp: |_, args, _| {
                let network = network(&args[0]).map_err(FuncError::other)?;
                if to4(&network.ip).is_none() {
                    let s = args[0].as_str().unwrap_or_default();
                    return Err(FuncError::other(format!("IPv6 addresses cannot have a netmask: {s}")));
                }
                Ok(Value::string(ip_string(&network.mask)))
            },
        },
        Function {
            name: "cidrsubnet",
            params: vec![prefix(), number("newbits"), number("netnum")],
            var_param: None,
            returns: Returns::Static(|| Type::String),
            refine: Some(refine_not_null),
            imp: |_, args, _| {
                let new_bits = int(&args[1]).map_err(FuncError::other)?;
                let num = big_int(&args[2]).map_err(FuncError::other)?;
                let network = network(&args[0]).map_err(FuncError::other)?;
                let subnet = gocidr::subnet(&network, new_bits, &num).map_err(FuncError::other)?;
                Ok(Value::string(subnet.to_string()))
            },
        },
        Function {
            name: "cidrsubnets",
            params: vec![prefix()],
            var_param: Some(number("newbits")),
            returns: Returns::Static(|| Type::list(Type::String)),
            refine: Some(refine_not_null),
            imp: |_, args, _| cidrsubnets(args),
        },
    ]
}

/// The network of a `prefix` argument, or the function's error.
fn network(v: &Value) -> Result<IpNet, String> {
    parse_cidr(v.as_str().expect("a known string")).map_err(|e| format!("invalid CIDR expression: {e}"))
}

/// gocty's conversion to a Go `int`.
fn int(v: &Value) -> Result<i64, String> {
    v.as_number().and_then(|n| n.to_i64()).ok_or_else(|| NumberError::NotAnInt64.to_string())
}

/// gocty's conversion to a `*big.Int`.
fn big_int(v: &Value) -> Result<BigInt, String> {
    v.as_number().and_then(|n| n.to_bigint()).ok_or_else(|| "value must be a whole number".to_string())
}

/// Consecutive subnets of the given sizes, each after the previous one.
fn cidrsubnets(args: &[Value]) -> Result<Value, FuncError> {
    let network = network(&args[0]).map_err(|e| FuncError::arg(0, e))?;
    let (start_len, _) = netip::mask_size(&network.mask);
    let lengths = &args[1..];
    if lengths.is_empty() {
        return Ok(Value::empty_list(Type::String));
    }
    let first = int(&lengths[0]).map_err(|e| FuncError::arg(1, e))?;
    let mut current = gocidr::previous_subnet(&network, first.wrapping_add(start_len));
    let mut out = Vec::with_capacity(lengths.len());
    let addr_bits = network.ip.len() as i64 * 8;
    for (i, arg) in lengths.iter().enumerate() {
        let bad = |msg: String| FuncError::arg(i + 1, msg);
        let length = int(arg).map_err(bad)?;
        if length < 1 {
            return Err(bad("must extend prefix by at least one bit".into()));
        }
        // At most 32 bits at a time, for the sake of 32-bit platforms.
        if length > 32 {
            return Err(bad("may not extend prefix by more than 32 bits".into()));
        }
        let length = length + start_len;
        if length > addr_bits {
            let protocol = match addr_bits {
                32 => "IPv4",
                128 => "IPv6",
                _ => "IP",
            };
            return Err(bad(format!(
                "would extend prefix to {length} bits, which is too long for an {protocol} address"
            )));
        }
        let (next, rollover) = gocidr::next_subnet(&current, length).map_err(FuncError::other)?;
        if rollover || !network.contains(&next.ip) {
            // Running out of room in the prefix would start allocating outside it.
            return Err(bad(format!(
                "not enough remaining address space for a subnet with a prefix of {length} bits after {current}"
            )));
        }
        current = next;
        out.push(Value::string(current.to_string()));
    }
    Ok(Value::list(Type::String, out))
}

#[cfg(test)]
mod tests;
