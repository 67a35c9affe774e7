//! The Terraform functions that trust and Bedrock code uses, over
//! [`Value`], propagating unknowns.
//!
//! # Unknowns
//!
//! An argument that is [`Value::Unknown`] makes the result unknown, with the
//! reason of the first unknown met (the evaluator may replace it with the
//! call's own text), except where the result can still be known:
//!
//! * unknown *elements* or *leaves* are kept where a function only moves them
//!   (`concat`, `merge`, `tolist`, `distinct`, `compact`, `flatten`, `values`,
//!   `zipmap`, `lookup` of another key, `element`, `slice`, …); `length` and
//!   `keys` of a collection holding unknowns are known;
//! * where an unknown ends up *inside a string* it is written `${REASON}`,
//!   following `model::value`: `jsonencode`, `format`/`formatlist`, `join`
//!   and `provider::aws::arn_build` do this, so their result is a known string;
//! * a string holding such a `${REASON}` (see [`unknown_refs`]) is partly known:
//!   `length`, `startswith`, `endswith`, `strcontains`, `contains`, `index`,
//!   `lookup`, `regex`/`regexall` answer only what its known text decides,
//!   and `jsondecode`, `tonumber`, `tobool`, number arguments and `file`
//!   paths that cannot be read because of it are unknown too (reason = the
//!   first `${…}` inside);
//! * `timestamp()`, `uuid()` and `plantimestamp()` are unknown (`timestamp()`).
//!
//! Sets are lists: `toset` and the `set*` functions dedupe and sort them
//! (strings lexically, numbers numerically, unknowns last).
//!
//! `flatten` treats an unknown element as a leaf (it may really be a list):
//! this keeps a policy with one unresolvable principal list analysable, with
//! that unknown as a principal.
//!
//! Function errors are one line, prefixed with the function name
//! (`lookup: expected 2 or 3 arguments, got 1`); the evaluator adds the
//! location. No input makes a function panic.

mod aws;
mod collections;
mod convert;
mod encoding;
mod file;
mod format;
mod hash;
mod json;
pub(crate) use json::write_json_string;
mod net;
mod numeric;
mod regexp;
mod strings;
#[cfg(test)]
mod tests;
mod yaml;

use std::collections::BTreeMap;
use std::fmt::Display;
use std::path::Path;

use crate::model::value::{Unknown, Value, unknown_refs};

/// What a function may need besides its arguments.
pub struct FuncContext<'a> {
    /// The scanned root: `file()` never reads outside it.
    pub root: &'a Path,
    /// The directory of the module whose code calls the function
    /// (`path.module`); relative `file()` paths resolve against it.
    pub module_dir: &'a Path,
}

/// Calls Terraform function `name` (`jsonencode`, `provider::aws::arn_parse`).
/// `Err` holds a one-line message without a location; the evaluator adds the
/// file, line and column of the call.
pub fn call(name: &str, args: Vec<Value>, ctx: &FuncContext<'_>) -> Result<Value, String> {
    let Some(f) = lookup_function(name) else {
        return Err(format!("function `{name}` is not supported"));
    };
    match f(name, args, ctx) {
        Ok(v) => Ok(v),
        Err(Flow::Unknown(u)) => Ok(Value::Unknown(u)),
        Err(Flow::Error(e)) => Err(e),
    }
}

/// Whether [`call`] implements `name`.
pub fn is_supported(name: &str) -> bool {
    lookup_function(name).is_some()
}

/// The names [`call`] implements, sorted.
pub fn supported_names() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = FUNCTIONS.iter().map(|(n, _)| *n).collect();
    v.sort_unstable();
    v
}

/// Why a function stops early: an error, or an unknown it cannot look past.
enum Flow {
    Error(String),
    Unknown(Unknown),
}

type FR<T> = Result<T, Flow>;

type Func = fn(&str, Vec<Value>, &FuncContext<'_>) -> FR<Value>;

const FUNCTIONS: &[(&str, Func)] = &[
    // JSON and encodings
    ("jsonencode", json::jsonencode),
    ("jsondecode", json::jsondecode),
    ("base64encode", encoding::base64encode),
    ("base64decode", encoding::base64decode),
    ("urlencode", encoding::urlencode),
    // collections
    ("merge", collections::merge),
    ("concat", collections::concat),
    ("lookup", collections::lookup),
    ("element", collections::element),
    ("index", collections::index),
    ("contains", collections::contains),
    ("length", collections::length),
    ("keys", collections::keys),
    ("values", collections::values),
    ("distinct", collections::distinct),
    ("flatten", collections::flatten),
    ("compact", collections::compact),
    ("coalesce", collections::coalesce),
    ("coalescelist", collections::coalescelist),
    ("one", collections::one),
    ("sort", collections::sort),
    ("zipmap", collections::zipmap),
    ("setunion", collections::setunion),
    ("setintersection", collections::setintersection),
    ("setsubtract", collections::setsubtract),
    ("setproduct", collections::setproduct),
    ("range", collections::range),
    ("reverse", collections::reverse),
    ("slice", collections::slice),
    ("chunklist", collections::chunklist),
    ("transpose", collections::transpose),
    ("alltrue", collections::alltrue),
    ("anytrue", collections::anytrue),
    ("sum", collections::sum),
    ("matchkeys", collections::matchkeys),
    // type conversions
    ("tolist", convert::tolist),
    ("toset", convert::toset),
    ("tomap", convert::tomap),
    ("tostring", convert::tostring),
    ("tonumber", convert::tonumber),
    ("tobool", convert::tobool),
    ("sensitive", convert::identity),
    ("nonsensitive", convert::identity),
    // strings
    ("format", format::format),
    ("formatlist", format::formatlist),
    ("join", strings::join),
    ("split", strings::split),
    ("replace", strings::replace),
    ("lower", strings::lower),
    ("upper", strings::upper),
    ("title", strings::title),
    ("trimspace", strings::trimspace),
    ("trim", strings::trim),
    ("trimprefix", strings::trimprefix),
    ("trimsuffix", strings::trimsuffix),
    ("chomp", strings::chomp),
    ("startswith", strings::startswith),
    ("endswith", strings::endswith),
    ("strcontains", strings::strcontains),
    ("strrev", strings::strrev),
    ("substr", strings::substr),
    ("indent", strings::indent),
    ("regex", regexp::regex),
    ("regexall", regexp::regexall),
    // numbers
    ("abs", numeric::abs),
    ("ceil", numeric::ceil),
    ("floor", numeric::floor),
    ("min", numeric::min),
    ("max", numeric::max),
    ("signum", numeric::signum),
    ("pow", numeric::pow),
    ("parseint", numeric::parseint),
    // networks
    ("cidrsubnet", net::cidrsubnet),
    ("cidrhost", net::cidrhost),
    ("cidrnetmask", net::cidrnetmask),
    // known only when Terraform runs
    ("timestamp", net::at_apply),
    ("plantimestamp", net::at_apply),
    ("uuid", net::at_apply),
    // YAML and digests
    ("yamldecode", yaml::yamldecode),
    ("yamlencode", yaml::yamlencode),
    ("md5", hash::md5),
    ("sha1", hash::sha1),
    ("sha256", hash::sha256),
    ("sha512", hash::sha512),
    ("base64sha256", hash::base64sha256),
    ("base64sha512", hash::base64sha512),
    ("uuidv5", hash::uuidv5),
    // files and paths
    ("file", file::file),
    ("fileexists", file::fileexists),
    ("basename", file::basename),
    ("dirname", file::dirname),
    // AWS provider functions
    ("provider::aws::arn_parse", aws::arn_parse),
    ("provider::aws::arn_build", aws::arn_build),
];

fn lookup_function(name: &str) -> Option<Func> {
    FUNCTIONS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

// ---------------------------------------------------------------------------
// Shared helpers for the submodules.

/// `Err` with message `"{f}: {msg}"`.
fn fail<T>(f: &str, msg: impl Display) -> FR<T> {
    Err(Flow::Error(format!("{f}: {msg}")))
}

fn unknown<T>(u: &Unknown) -> FR<T> {
    Err(Flow::Unknown(u.clone()))
}

/// Checks the argument count: `max` of `None` means variadic.
fn arity(f: &str, a: &[Value], min: usize, max: Option<usize>) -> FR<()> {
    let n = a.len();
    if n >= min && max.is_none_or(|m| n <= m) {
        return Ok(());
    }
    let plural = |k: usize| if k == 1 { "argument" } else { "arguments" };
    let expected = match max {
        Some(m) if m == min => format!("{min} {}", plural(min)),
        Some(m) if m == min + 1 => format!("{min} or {m} arguments"),
        Some(m) => format!("{min} to {m} arguments"),
        None => format!("at least {min} {}", plural(min)),
    };
    fail(f, format!("expected {expected}, got {n}"))
}

/// The type name used in error messages.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "list",
        Value::Object(_) => "object",
        Value::Unknown(_) => "unknown",
    }
}

/// "argument" for single-parameter functions, "argument 2" otherwise.
fn arg_label(total: usize, i: usize) -> String {
    if total == 1 {
        "argument".to_string()
    } else {
        format!("argument {}", i + 1)
    }
}

/// Argument `i`, which `arity` has already checked to exist.
fn nth(a: &[Value], i: usize) -> &Value {
    a.get(i).unwrap_or(&Value::Null)
}

/// Stops with the unknown if `v` itself is unknown.
fn known(v: &Value) -> FR<&Value> {
    match v {
        Value::Unknown(u) => unknown(u),
        other => Ok(other),
    }
}

/// The first unknown anywhere inside `v` (depth-first, keys in order).
fn first_unknown(v: &Value) -> Option<&Unknown> {
    match v {
        Value::Unknown(u) => Some(u),
        Value::List(l) => l.iter().find_map(first_unknown),
        Value::Object(o) => o.values().find_map(first_unknown),
        _ => None,
    }
}

/// `${REASON}`: how an unknown is written inside a string.
fn marker(u: &Unknown) -> String {
    format!("${{{}}}", u.reason)
}

/// The first `${…}` Terraform reference inside `s`, as an unknown.
fn string_unknown(s: &str) -> Option<Unknown> {
    unknown_refs(s).first().map(|r| Unknown::new(*r))
}

/// A primitive as Terraform converts it to a string.
fn scalar_to_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(number_to_string(n)),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A number as Terraform writes it: integers plainly, fractions in the
/// shortest form that round-trips, never with an exponent.
fn number_to_string(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f == 0.0 {
        "0".to_string()
    } else {
        format!("{f}")
    }
}

/// Argument `i` as a string (numbers and bools convert).
fn str_arg(f: &str, a: &[Value], i: usize) -> FR<String> {
    let v = known(nth(a, i))?;
    match scalar_to_string(v) {
        Some(s) => Ok(s),
        None => fail(
            f,
            format!(
                "{} must be a string, got {}",
                arg_label(a.len(), i),
                type_name(v)
            ),
        ),
    }
}

/// A value as a number: numbers, and strings that parse as one.
fn value_to_f64(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => parse_number(s).and_then(|n| n.as_f64()),
        _ => None,
    }
}

/// Parses Terraform number syntax (`12`, `-1.5`, `1e3`).
fn parse_number(s: &str) -> Option<serde_json::Number> {
    let t = s.trim();
    if t.is_empty() || t.starts_with('+') && t.len() == 1 {
        return None;
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    if let Ok(i) = t.parse::<i64>() {
        return Some(i.into());
    }
    if let Ok(u) = t.parse::<u64>() {
        return Some(u.into());
    }
    // Only plain decimal syntax: Rust's parser also takes "inf" and "NaN".
    if !t
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
    {
        return None;
    }
    let f: f64 = t.parse().ok()?;
    make_number(f)
}

/// Argument `i` as a number.
fn num_arg(f: &str, a: &[Value], i: usize) -> FR<f64> {
    let v = known(nth(a, i))?;
    if let Some(x) = value_to_f64(v) {
        return Ok(x);
    }
    if let Some(u) = v.as_str().and_then(string_unknown) {
        return Err(Flow::Unknown(u));
    }
    fail(
        f,
        format!(
            "{} must be a number, got {}",
            arg_label(a.len(), i),
            type_name(v)
        ),
    )
}

/// Argument `i` as a whole number.
fn int_arg(f: &str, a: &[Value], i: usize) -> FR<i64> {
    let x = num_arg(f, a, i)?;
    if x.fract() != 0.0 || !x.is_finite() || x.abs() > 9.007_199_254_740_992e15 {
        return fail(
            f,
            format!("{} must be a whole number", arg_label(a.len(), i)),
        );
    }
    Ok(x as i64)
}

/// Argument `i` as a list (sets and tuples are lists here).
fn list_arg<'v>(f: &str, a: &'v [Value], i: usize) -> FR<&'v Vec<Value>> {
    match known(nth(a, i))? {
        Value::List(l) => Ok(l),
        other => fail(
            f,
            format!(
                "{} must be a list, got {}",
                arg_label(a.len(), i),
                type_name(other)
            ),
        ),
    }
}

/// Argument `i` as an object or map.
fn object_arg<'v>(f: &str, a: &'v [Value], i: usize) -> FR<&'v BTreeMap<String, Value>> {
    match known(nth(a, i))? {
        Value::Object(o) => Ok(o),
        other => fail(
            f,
            format!(
                "{} must be an object or map, got {}",
                arg_label(a.len(), i),
                type_name(other)
            ),
        ),
    }
}

/// A Terraform number from a float: whole values within ±2^53 become
/// integers; NaN and infinities are refused.
fn make_number(x: f64) -> Option<serde_json::Number> {
    if x.fract() == 0.0 && x.abs() <= 9.007_199_254_740_992e15 {
        Some((x as i64).into())
    } else {
        serde_json::Number::from_f64(x)
    }
}

fn num_value(f: &str, x: f64) -> FR<Value> {
    match make_number(x) {
        Some(n) => Ok(Value::Number(n)),
        None => fail(f, "result is not a finite number"),
    }
}

/// Equality as Terraform's `==`, numbers compared by value; `None` when an
/// unknown (or a string holding `${…}`) makes it undecidable.
pub(crate) fn equal(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Unknown(_), _) | (_, Value::Unknown(_)) => None,
        (Value::Number(x), Value::Number(y)) => Some(numbers_equal(x, y)),
        (Value::String(x), Value::String(y)) => {
            if x == y {
                Some(true)
            } else if string_unknown(x).is_some() || string_unknown(y).is_some() {
                None
            } else {
                Some(false)
            }
        }
        (Value::List(x), Value::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            let mut undecided = false;
            for (p, q) in x.iter().zip(y) {
                match equal(p, q) {
                    Some(false) => return Some(false),
                    None => undecided = true,
                    Some(true) => {}
                }
            }
            if undecided { None } else { Some(true) }
        }
        (Value::Object(x), Value::Object(y)) => {
            if x.len() != y.len() || x.keys().ne(y.keys()) {
                return Some(false);
            }
            let mut undecided = false;
            for (p, q) in x.values().zip(y.values()) {
                match equal(p, q) {
                    Some(false) => return Some(false),
                    None => undecided = true,
                    Some(true) => {}
                }
            }
            if undecided { None } else { Some(true) }
        }
        (x, y) => Some(std::mem::discriminant(x) == std::mem::discriminant(y) && x == y),
    }
}

fn numbers_equal(x: &serde_json::Number, y: &serde_json::Number) -> bool {
    if let (Some(p), Some(q)) = (x.as_i64(), y.as_i64()) {
        return p == q;
    }
    if let (Some(p), Some(q)) = (x.as_u64(), y.as_u64()) {
        return p == q;
    }
    x.as_f64() == y.as_f64()
}

/// Structural identity for deduplication: like [`equal`], but two unknowns
/// are the same when their reasons are.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => numbers_equal(x, y),
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((k1, v1), (k2, v2))| k1 == k2 && same(v1, v2))
        }
        (x, y) => x == y,
    }
}
