//! `md5`, `sha1`, `sha256`, `sha512`, `base64sha256`, `base64sha512` and
//! `uuidv5`: digests of a string's UTF-8 bytes, as Terraform computes them.

use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::encoding::encode as base64;
use super::{FR, Flow, FuncContext, Value, arity, fail, str_arg, string_unknown};

/// The string argument; a string only partly known makes the digest unknown.
fn input(f: &str, a: &[Value]) -> FR<String> {
    arity(f, a, 1, Some(1))?;
    let s = str_arg(f, a, 0)?;
    if let Some(u) = string_unknown(&s) {
        return Err(Flow::Unknown(u));
    }
    Ok(s)
}

fn hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

fn digest<D: Digest>(s: &str) -> Vec<u8> {
    D::digest(s.as_bytes()).to_vec()
}

pub(super) fn md5(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    Ok(Value::String(hex(&digest::<Md5>(&input(f, &a)?))))
}

pub(super) fn sha1(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    Ok(Value::String(hex(&digest::<Sha1>(&input(f, &a)?))))
}

pub(super) fn sha256(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    Ok(Value::String(hex(&digest::<Sha256>(&input(f, &a)?))))
}

pub(super) fn sha512(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    Ok(Value::String(hex(&digest::<Sha512>(&input(f, &a)?))))
}

pub(super) fn base64sha256(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    Ok(Value::String(base64(&digest::<Sha256>(&input(f, &a)?))))
}

pub(super) fn base64sha512(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    Ok(Value::String(base64(&digest::<Sha512>(&input(f, &a)?))))
}

/// `uuidv5(namespace, name)`: the namespace is `dns`, `url`, `oid`, `x500`
/// or a UUID.
pub(super) fn uuidv5(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let namespace = str_arg(f, &a, 0)?;
    let name = str_arg(f, &a, 1)?;
    if let Some(u) = string_unknown(&namespace).or_else(|| string_unknown(&name)) {
        return Err(Flow::Unknown(u));
    }
    let ns = match namespace.as_str() {
        "dns" => uuid::Uuid::NAMESPACE_DNS,
        "url" => uuid::Uuid::NAMESPACE_URL,
        "oid" => uuid::Uuid::NAMESPACE_OID,
        "x500" => uuid::Uuid::NAMESPACE_X500,
        other => match uuid::Uuid::parse_str(other) {
            Ok(u) => u,
            Err(e) => {
                return fail(
                    f,
                    format!("uuidv5() doesn't support namespace prefix {other:?}: {e}"),
                );
            }
        },
    };
    Ok(Value::String(
        uuid::Uuid::new_v5(&ns, name.as_bytes())
            .hyphenated()
            .to_string(),
    ))
}
