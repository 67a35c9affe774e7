//! String functions.

use super::regexp::compile;
use super::{
    FR, FuncContext, Value, arity, fail, int_arg, list_arg, marker, str_arg, string_unknown,
    type_name, unknown,
};
use crate::model::value::unknown_refs;

/// The most spaces `indent` adds per line.
const MAX_INDENT: i64 = 10_000;

pub(super) fn join(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, None)?;
    let sep = str_arg(f, &a, 0)?;
    // Parts borrowed where they are strings already: the result is the one
    // copy made of them.
    let mut parts: Vec<std::borrow::Cow<'_, str>> = Vec::new();
    for i in 1..a.len() {
        let l = list_arg(f, &a, i)?;
        for (j, e) in l.iter().enumerate() {
            let s = match e {
                Value::String(s) => std::borrow::Cow::Borrowed(s.as_str()),
                Value::Unknown(u) => std::borrow::Cow::Owned(marker(u)),
                Value::Number(_) | Value::Bool(_) => {
                    std::borrow::Cow::Owned(super::scalar_to_string(e).unwrap_or_default())
                }
                Value::Null => {
                    return fail(
                        f,
                        format!(
                            "element {j} of argument {} is null; cannot concatenate null values",
                            i + 1
                        ),
                    );
                }
                other => {
                    return fail(
                        f,
                        format!(
                            "element {j} of argument {} must be a string, got {}",
                            i + 1,
                            type_name(other)
                        ),
                    );
                }
            };
            parts.push(s);
        }
    }
    let len = parts.iter().map(|p| p.len()).sum::<usize>()
        + sep.len().saturating_mul(parts.len().saturating_sub(1));
    let mut out = String::with_capacity(len);
    for (k, p) in parts.iter().enumerate() {
        if k > 0 {
            out.push_str(&sep);
        }
        out.push_str(p);
    }
    Ok(Value::String(out))
}

pub(super) fn split(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let sep = str_arg(f, &a, 0)?;
    let s = str_arg(f, &a, 1)?;
    let parts: Vec<Value> = if sep.is_empty() {
        s.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        s.split(sep.as_str())
            .map(|p| Value::String(p.to_string()))
            .collect()
    };
    Ok(Value::List(parts))
}

pub(super) fn replace(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 3, Some(3))?;
    let s = str_arg(f, &a, 0)?;
    let search = str_arg(f, &a, 1)?;
    let with = str_arg(f, &a, 2)?;
    if search.len() > 1 && search.starts_with('/') && search.ends_with('/') {
        let pattern = &search[1..search.len() - 1];
        let re = compile(f, pattern)?;
        return Ok(Value::String(
            re.replace_all(&s, with.as_str()).into_owned(),
        ));
    }
    Ok(Value::String(s.replace(search.as_str(), &with)))
}

/// A one-string function.
fn map1(f: &str, a: Vec<Value>, op: impl FnOnce(&str) -> String) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let s = str_arg(f, &a, 0)?;
    Ok(Value::String(op(&s)))
}

pub(super) fn lower(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    map1(f, a, str::to_lowercase)
}

pub(super) fn upper(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    map1(f, a, str::to_uppercase)
}

pub(super) fn title(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    map1(f, a, |s| {
        let mut out = String::with_capacity(s.len());
        let mut at_word_start = true;
        for c in s.chars() {
            if at_word_start && c.is_alphabetic() {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            // Go's `strings.Title` separators.
            at_word_start = if c.is_ascii() {
                !(c.is_ascii_alphanumeric() || c == '_')
            } else {
                !c.is_alphanumeric() && c.is_whitespace()
            };
        }
        out
    })
}

pub(super) fn trimspace(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    map1(f, a, |s| s.trim().to_string())
}

pub(super) fn chomp(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    map1(f, a, |s| s.trim_end_matches(['\r', '\n']).to_string())
}

pub(super) fn strrev(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    map1(f, a, |s| s.chars().rev().collect())
}

pub(super) fn trim(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let s = str_arg(f, &a, 0)?;
    let cutset = str_arg(f, &a, 1)?;
    Ok(Value::String(
        s.trim_matches(|c| cutset.contains(c)).to_string(),
    ))
}

pub(super) fn trimprefix(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let s = str_arg(f, &a, 0)?;
    let p = str_arg(f, &a, 1)?;
    Ok(Value::String(
        s.strip_prefix(p.as_str()).unwrap_or(&s).to_string(),
    ))
}

pub(super) fn trimsuffix(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let s = str_arg(f, &a, 0)?;
    let p = str_arg(f, &a, 1)?;
    Ok(Value::String(
        s.strip_suffix(p.as_str()).unwrap_or(&s).to_string(),
    ))
}

/// The literal text before the first and after the last `${…}` reference
/// in `s`, when it holds one.
fn known_ends(s: &str) -> Option<(&str, &str)> {
    let refs = unknown_refs(s);
    let first = refs.first()?;
    let last = refs.last()?;
    // Each ref is a subslice of `s`; find the `${` before the first and the
    // `}` after the last by pointer offset.
    let base = s.as_ptr() as usize;
    let start = (first.as_ptr() as usize)
        .saturating_sub(base)
        .saturating_sub(2);
    let end = (last.as_ptr() as usize).saturating_sub(base) + last.len() + 1;
    Some((s.get(..start).unwrap_or(""), s.get(end..).unwrap_or("")))
}

pub(super) fn startswith(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let s = str_arg(f, &a, 0)?;
    let p = str_arg(f, &a, 1)?;
    if let Some((head, _)) = known_ends(&s) {
        if head.starts_with(p.as_str()) {
            return Ok(Value::Bool(true));
        }
        if p.starts_with(head) {
            if let Some(u) = string_unknown(&s) {
                return unknown(&u);
            }
        }
        return Ok(Value::Bool(false));
    }
    Ok(Value::Bool(s.starts_with(p.as_str())))
}

pub(super) fn endswith(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let s = str_arg(f, &a, 0)?;
    let p = str_arg(f, &a, 1)?;
    if let Some((_, tail)) = known_ends(&s) {
        if tail.ends_with(p.as_str()) {
            return Ok(Value::Bool(true));
        }
        if p.ends_with(tail) {
            if let Some(u) = string_unknown(&s) {
                return unknown(&u);
            }
        }
        return Ok(Value::Bool(false));
    }
    Ok(Value::Bool(s.ends_with(p.as_str())))
}

pub(super) fn strcontains(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let s = str_arg(f, &a, 0)?;
    let p = str_arg(f, &a, 1)?;
    if s.contains(p.as_str()) {
        return Ok(Value::Bool(true));
    }
    match string_unknown(&s) {
        Some(u) => unknown(&u),
        None => Ok(Value::Bool(false)),
    }
}

pub(super) fn substr(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 3, Some(3))?;
    let s = str_arg(f, &a, 0)?;
    let offset = int_arg(f, &a, 1)?;
    let length = int_arg(f, &a, 2)?;
    let total = s.chars().count() as i64;
    let start = if offset < 0 {
        (offset + total).max(0)
    } else {
        offset
    };
    let skip = usize::try_from(start).unwrap_or(usize::MAX);
    let rest = s.chars().skip(skip);
    let out: String = if length < 0 {
        rest.collect()
    } else {
        rest.take(usize::try_from(length).unwrap_or(usize::MAX))
            .collect()
    };
    Ok(Value::String(out))
}

pub(super) fn indent(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let n = int_arg(f, &a, 0)?;
    let s = str_arg(f, &a, 1)?;
    if !(0..=MAX_INDENT).contains(&n) {
        return fail(f, format!("spaces must be between 0 and {MAX_INDENT}"));
    }
    let pad = " ".repeat(usize::try_from(n).unwrap_or(0));
    Ok(Value::String(s.replace('\n', &format!("\n{pad}"))))
}
