//! Type conversions: `tolist`, `toset`, `tomap`, `tostring`, `tonumber`,
//! `tobool`, and the identity functions `sensitive`/`nonsensitive`.

use std::cmp::Ordering;

use super::{
    FR, FuncContext, Value, arity, fail, known, nth, parse_number, same, scalar_to_string,
    string_unknown, type_name,
};

/// Gives a tuple's (or object's) elements one type, as Terraform does when
/// it converts to a list, set or map: mixed strings, numbers and bools become
/// strings; primitives mixed with collections are an error.
pub(super) fn unify(f: &str, elems: Vec<Value>) -> FR<Vec<Value>> {
    let mut kinds: Vec<&'static str> = Vec::new();
    for e in &elems {
        let k = match e {
            Value::Null | Value::Unknown(_) => continue,
            Value::String(_) | Value::Number(_) | Value::Bool(_) => type_name(e),
            Value::List(_) => "list",
            Value::Object(_) => "object",
        };
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    if kinds.len() <= 1 {
        return Ok(elems);
    }
    let collection = kinds.iter().any(|k| *k == "list" || *k == "object");
    if collection || !kinds.contains(&"string") {
        return fail(
            f,
            format!(
                "all elements must have the same type, got {}",
                kinds.join(" and ")
            ),
        );
    }
    Ok(elems
        .into_iter()
        .map(|e| match e {
            Value::Number(_) | Value::Bool(_) => {
                Value::String(scalar_to_string(&e).unwrap_or_default())
            }
            other => other,
        })
        .collect())
}

/// A set as Terraform orders one: duplicates removed; strings sorted
/// lexically, numbers numerically; other elements keep their order; unknown
/// elements last.
pub(super) fn set_normalize(elems: Vec<Value>) -> Vec<Value> {
    // Strings, by far the common case, dedupe through a hash set so that a
    // set of 100k keys stays linear; other values compare pairwise.
    let mut out: Vec<Value> = Vec::with_capacity(elems.len());
    let mut strings: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut others: Vec<usize> = Vec::new();
    for e in elems {
        let new = match &e {
            Value::String(s) => strings.insert(s.clone()),
            _ => !others.iter().any(|i| same(&out[*i], &e)),
        };
        if new {
            if !matches!(e, Value::String(_)) {
                others.push(out.len());
            }
            out.push(e);
        }
    }
    out.sort_by(|x, y| match (x, y) {
        (Value::Unknown(_), Value::Unknown(_)) => Ordering::Equal,
        (Value::Unknown(_), _) => Ordering::Greater,
        (_, Value::Unknown(_)) => Ordering::Less,
        (Value::String(p), Value::String(q)) => p.cmp(q),
        (Value::Number(p), Value::Number(q)) => {
            let (p, q) = (p.as_f64().unwrap_or(0.0), q.as_f64().unwrap_or(0.0));
            p.partial_cmp(&q).unwrap_or(Ordering::Equal)
        }
        (Value::Bool(p), Value::Bool(q)) => p.cmp(q),
        _ => Ordering::Equal,
    });
    out
}

fn cannot(f: &str, v: &Value, to: &str) -> String {
    format!("{f}: cannot convert {} to {to}", type_name(v))
}

pub(super) fn tolist(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    match known(nth(&a, 0))? {
        Value::Null => Ok(Value::Null),
        Value::List(l) => Ok(Value::List(unify(f, l.clone())?)),
        other => Err(super::Flow::Error(cannot(f, other, "list"))),
    }
}

pub(super) fn toset(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    match known(nth(&a, 0))? {
        Value::Null => Ok(Value::Null),
        Value::List(l) => Ok(Value::List(set_normalize(unify(f, l.clone())?))),
        other => Err(super::Flow::Error(cannot(f, other, "set"))),
    }
}

pub(super) fn tomap(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    match known(nth(&a, 0))? {
        Value::Null => Ok(Value::Null),
        Value::Object(o) => {
            let keys: Vec<String> = o.keys().cloned().collect();
            let vals = unify(f, o.values().cloned().collect())?;
            Ok(Value::Object(keys.into_iter().zip(vals).collect()))
        }
        other => Err(super::Flow::Error(cannot(f, other, "map"))),
    }
}

pub(super) fn tostring(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    match known(nth(&a, 0))? {
        Value::Null => Ok(Value::Null),
        other => match scalar_to_string(other) {
            Some(s) => Ok(Value::String(s)),
            None => Err(super::Flow::Error(cannot(f, other, "string"))),
        },
    }
}

pub(super) fn tonumber(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    match known(nth(&a, 0))? {
        Value::Null => Ok(Value::Null),
        Value::Number(n) => Ok(Value::Number(n.clone())),
        Value::String(s) => match parse_number(s) {
            Some(n) => Ok(Value::Number(n)),
            None => match string_unknown(s) {
                Some(u) => Err(super::Flow::Unknown(u)),
                None => fail(f, format!("cannot convert {s:?} to number")),
            },
        },
        other => Err(super::Flow::Error(cannot(f, other, "number"))),
    }
}

pub(super) fn tobool(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    match known(nth(&a, 0))? {
        Value::Null => Ok(Value::Null),
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::String(s) if s == "true" => Ok(Value::Bool(true)),
        Value::String(s) if s == "false" => Ok(Value::Bool(false)),
        Value::String(s) => match string_unknown(s) {
            Some(u) => Err(super::Flow::Unknown(u)),
            None => fail(f, format!("cannot convert {s:?} to bool")),
        },
        other => Err(super::Flow::Error(cannot(f, other, "bool"))),
    }
}

/// `sensitive` and `nonsensitive`: this tool does not track sensitivity.
pub(super) fn identity(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    Ok(a.into_iter().next().unwrap_or(Value::Null))
}
