//! `cidrsubnet`, `cidrhost`, `cidrnetmask`, and functions whose value is
//! only known at apply time (`timestamp`, `uuid`, …).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{FR, FuncContext, Value, arity, fail, int_arg, str_arg, unknown};
use crate::model::value::Unknown;

/// A parsed prefix: the network address as bits, its length, the family width.
struct Prefix {
    addr: u128,
    len: u32,
    bits: u32,
}

fn parse_prefix(f: &str, s: &str) -> FR<Prefix> {
    let bad = || fail(f, format!("invalid CIDR expression: {s:?}"));
    let Some((ip, len)) = s.split_once('/') else {
        return bad();
    };
    let Ok(ip) = ip.parse::<IpAddr>() else {
        return bad();
    };
    let Ok(len) = len.parse::<u32>() else {
        return bad();
    };
    let (addr, bits) = match ip {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
        IpAddr::V6(v6) => (u128::from(v6), 128),
    };
    if len > bits {
        return bad();
    }
    Ok(Prefix {
        addr: addr & mask(len, bits),
        len,
        bits,
    })
}

/// The network mask of a `len`-bit prefix in a `bits`-wide family.
fn mask(len: u32, bits: u32) -> u128 {
    let full: u128 = if bits == 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    if len == 0 {
        0
    } else {
        (full >> (bits - len)) << (bits - len)
    }
}

fn addr_text(addr: u128, bits: u32) -> String {
    if bits == 32 {
        Ipv4Addr::from(u32::try_from(addr).unwrap_or(0)).to_string()
    } else {
        Ipv6Addr::from(addr).to_string()
    }
}

pub(super) fn cidrsubnet(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 3, Some(3))?;
    let p = parse_prefix(f, &str_arg(f, &a, 0)?)?;
    let newbits = int_arg(f, &a, 1)?;
    let netnum = int_arg(f, &a, 2)?;
    let new_len = i64::from(p.len) + newbits;
    if newbits < 0 || new_len > i64::from(p.bits) {
        return fail(
            f,
            format!(
                "insufficient address space to extend prefix of {} by {newbits}",
                p.len
            ),
        );
    }
    let new_len = new_len as u32;
    let fits = newbits >= 64 || (netnum >= 0 && (netnum as u128) < (1u128 << newbits));
    if netnum < 0 || !fits {
        return fail(
            f,
            format!(
                "prefix extension of {newbits} does not accommodate a subnet numbered {netnum}"
            ),
        );
    }
    let shift = p.bits - new_len;
    let net = p.addr | ((netnum as u128).checked_shl(shift).unwrap_or(0));
    Ok(Value::String(format!(
        "{}/{new_len}",
        addr_text(net, p.bits)
    )))
}

pub(super) fn cidrhost(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let p = parse_prefix(f, &str_arg(f, &a, 0)?)?;
    let hostnum = int_arg(f, &a, 1)?;
    let host_bits = p.bits - p.len;
    // Hosts in the prefix, capped: hostnum is at most 2^53 anyway.
    let size: i128 = if host_bits >= 100 {
        i128::MAX
    } else {
        1i128 << host_bits
    };
    let idx = if hostnum < 0 {
        size + i128::from(hostnum)
    } else {
        i128::from(hostnum)
    };
    if idx < 0 || idx >= size {
        return fail(
            f,
            format!(
                "prefix of {} does not accommodate a host numbered {hostnum}",
                p.len
            ),
        );
    }
    Ok(Value::String(addr_text(p.addr | idx as u128, p.bits)))
}

pub(super) fn cidrnetmask(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let p = parse_prefix(f, &str_arg(f, &a, 0)?)?;
    if p.bits != 32 {
        return fail(f, "only IPv4 networks are supported");
    }
    Ok(Value::String(addr_text(mask(p.len, 32), 32)))
}

/// `timestamp()`, `uuid()`, `plantimestamp()`: known only when Terraform runs.
pub(super) fn at_apply(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 0, Some(0))?;
    unknown(&Unknown::new(format!("{f}()")))
}
