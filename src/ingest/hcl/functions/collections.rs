//! Functions over lists, sets and maps.

use std::collections::BTreeMap;

use super::convert::{set_normalize, unify};
use super::{
    FR, Flow, FuncContext, Value, arg_label, arity, equal, fail, first_unknown, int_arg, known,
    list_arg, nth, num_value, object_arg, same, scalar_to_string, str_arg, string_unknown,
    type_name, unknown, value_to_f64,
};
use crate::model::value::Unknown;

/// How deep `flatten` follows nested lists.
const MAX_FLATTEN_DEPTH: usize = 100;
/// The most elements `range` produces (as Terraform).
const MAX_RANGE: usize = 1024;
/// The most elements `setproduct` produces.
const MAX_PRODUCT: usize = 100_000;

/// Why a comparison against `a` or `b` was undecided.
fn undecided(a: &Value, b: &Value) -> Unknown {
    fn in_value(v: &Value) -> Option<Unknown> {
        if let Some(u) = first_unknown(v) {
            return Some(u.clone());
        }
        match v {
            Value::String(s) => string_unknown(s),
            Value::List(l) => l.iter().find_map(in_value),
            Value::Object(o) => o.values().find_map(in_value),
            _ => None,
        }
    }
    in_value(a)
        .or_else(|| in_value(b))
        .unwrap_or_else(|| Unknown::new("unknown"))
}

pub(super) fn merge(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    let total = a.len();
    let mut out = BTreeMap::new();
    for (i, v) in a.into_iter().enumerate() {
        match v {
            Value::Null => {}
            Value::Unknown(u) => return Err(Flow::Unknown(u)),
            Value::Object(o) => out.extend(o),
            other => {
                return fail(
                    f,
                    format!(
                        "{} must be an object or map, got {}",
                        arg_label(total, i),
                        type_name(&other)
                    ),
                );
            }
        }
    }
    Ok(Value::Object(out))
}

pub(super) fn concat(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    let total = a.len();
    let mut out = Vec::new();
    for (i, v) in a.into_iter().enumerate() {
        match v {
            Value::Unknown(u) => return Err(Flow::Unknown(u)),
            Value::List(l) => out.extend(l),
            other => {
                return fail(
                    f,
                    format!(
                        "{} must be a list, got {}",
                        arg_label(total, i),
                        type_name(&other)
                    ),
                );
            }
        }
    }
    Ok(Value::List(out))
}

pub(super) fn lookup(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(3))?;
    let m = object_arg(f, &a, 0)?;
    let key = str_arg(f, &a, 1)?;
    if let Some(v) = m.get(&key) {
        return Ok(v.clone());
    }
    if let Some(u) = string_unknown(&key) {
        return unknown(&u);
    }
    match a.get(2) {
        Some(default) => Ok(default.clone()),
        None => fail(
            f,
            format!("the given key {key:?} does not exist in the map"),
        ),
    }
}

pub(super) fn element(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let l = list_arg(f, &a, 0)?;
    let i = int_arg(f, &a, 1)?;
    if i < 0 {
        return fail(f, "cannot use element function with a negative index");
    }
    if l.is_empty() {
        return fail(f, "cannot use element function with an empty list");
    }
    let idx = usize::try_from(i).unwrap_or(0) % l.len();
    Ok(l.get(idx).cloned().unwrap_or(Value::Null))
}

pub(super) fn index(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let l = list_arg(f, &a, 0)?;
    let needle = known(nth(&a, 1))?;
    for (i, e) in l.iter().enumerate() {
        match equal(e, needle) {
            Some(true) => return Ok(Value::Number(i.into())),
            Some(false) => {}
            // An earlier element might be the match.
            None => return unknown(&undecided(e, needle)),
        }
    }
    fail(f, "item not found")
}

pub(super) fn contains(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let l = list_arg(f, &a, 0)?;
    let needle = known(nth(&a, 1))?;
    let mut pending = None;
    for e in l {
        match equal(e, needle) {
            Some(true) => return Ok(Value::Bool(true)),
            Some(false) => {}
            None => {
                pending.get_or_insert_with(|| undecided(e, needle));
            }
        }
    }
    match pending {
        Some(u) => unknown(&u),
        None => Ok(Value::Bool(false)),
    }
}

pub(super) fn length(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let n = match known(nth(&a, 0))? {
        Value::String(s) => {
            if let Some(u) = string_unknown(s) {
                return unknown(&u);
            }
            s.chars().count()
        }
        Value::List(l) => l.len(),
        Value::Object(o) => o.len(),
        other => {
            return fail(
                f,
                format!(
                    "argument must be a string, list or object, got {}",
                    type_name(other)
                ),
            );
        }
    };
    Ok(Value::Number(n.into()))
}

pub(super) fn keys(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let m = object_arg(f, &a, 0)?;
    Ok(Value::List(
        m.keys().map(|k| Value::String(k.clone())).collect(),
    ))
}

pub(super) fn values(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let m = object_arg(f, &a, 0)?;
    Ok(Value::List(m.values().cloned().collect()))
}

pub(super) fn distinct(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let l = list_arg(f, &a, 0)?;
    let mut out: Vec<Value> = Vec::with_capacity(l.len());
    for e in l {
        if !out.iter().any(|o| same(o, e)) {
            out.push(e.clone());
        }
    }
    Ok(Value::List(out))
}

pub(super) fn flatten(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    fn walk(out: &mut Vec<Value>, l: &[Value], depth: usize) -> bool {
        for e in l {
            match e {
                Value::List(inner) => {
                    if depth >= MAX_FLATTEN_DEPTH || !walk(out, inner, depth + 1) {
                        return false;
                    }
                }
                other => out.push(other.clone()),
            }
        }
        true
    }
    arity(f, &a, 1, Some(1))?;
    let l = list_arg(f, &a, 0)?;
    let mut out = Vec::new();
    if !walk(&mut out, l, 0) {
        return fail(
            f,
            format!("lists are nested more than {MAX_FLATTEN_DEPTH} levels deep"),
        );
    }
    Ok(Value::List(out))
}

pub(super) fn compact(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let l = list_arg(f, &a, 0)?;
    let mut out = Vec::new();
    for (i, e) in l.iter().enumerate() {
        match e {
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            Value::Unknown(_) => out.push(e.clone()),
            other => match scalar_to_string(other) {
                Some(s) => out.push(Value::String(s)),
                None => {
                    return fail(
                        f,
                        format!("element {i} must be a string, got {}", type_name(other)),
                    );
                }
            },
        }
    }
    Ok(Value::List(out))
}

pub(super) fn coalesce(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, None)?;
    for v in a {
        match v {
            Value::Null => {}
            Value::String(ref s) if s.is_empty() => {}
            Value::Unknown(u) => return Err(Flow::Unknown(u)),
            other => return Ok(other),
        }
    }
    fail(f, "no non-null, non-empty-string arguments")
}

pub(super) fn coalescelist(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, None)?;
    let total = a.len();
    for (i, v) in a.into_iter().enumerate() {
        match v {
            Value::Null => {}
            Value::Unknown(u) => return Err(Flow::Unknown(u)),
            Value::List(l) if l.is_empty() => {}
            Value::List(l) => return Ok(Value::List(l)),
            other => {
                return fail(
                    f,
                    format!(
                        "{} must be a list, got {}",
                        arg_label(total, i),
                        type_name(&other)
                    ),
                );
            }
        }
    }
    fail(f, "no non-null arguments")
}

pub(super) fn one(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let l = list_arg(f, &a, 0)?;
    match l.as_slice() {
        [] => Ok(Value::Null),
        [v] => Ok(v.clone()),
        _ => fail(
            f,
            format!(
                "must be a list, set, or tuple value with either zero or one elements, got {}",
                l.len()
            ),
        ),
    }
}

pub(super) fn sort(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let l = list_arg(f, &a, 0)?;
    let mut out = Vec::with_capacity(l.len());
    for (i, e) in l.iter().enumerate() {
        match e {
            Value::Unknown(u) => return unknown(u),
            Value::Null => {
                return fail(
                    f,
                    format!("element {i} is null; a null string cannot be sorted"),
                );
            }
            other => match scalar_to_string(other) {
                Some(s) => out.push(s),
                None => {
                    return fail(
                        f,
                        format!("element {i} must be a string, got {}", type_name(other)),
                    );
                }
            },
        }
    }
    out.sort();
    Ok(Value::List(out.into_iter().map(Value::String).collect()))
}

pub(super) fn zipmap(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let ks = list_arg(f, &a, 0)?;
    let vs = list_arg(f, &a, 1)?;
    if ks.len() != vs.len() {
        return fail(
            f,
            format!(
                "number of keys ({}) does not match number of values ({})",
                ks.len(),
                vs.len()
            ),
        );
    }
    let mut out = BTreeMap::new();
    for (i, (k, v)) in ks.iter().zip(vs).enumerate() {
        let key = match k {
            Value::Unknown(u) => return unknown(u),
            Value::Null => return fail(f, format!("key {i} is null")),
            other => match scalar_to_string(other) {
                Some(s) => s,
                None => {
                    return fail(
                        f,
                        format!("key {i} must be a string, got {}", type_name(other)),
                    );
                }
            },
        };
        out.insert(key, v.clone());
    }
    Ok(Value::Object(out))
}

/// All arguments as lists (at least `min`), stopping at an unknown one.
fn list_args<'v>(f: &str, a: &'v [Value], min: usize) -> FR<Vec<&'v Vec<Value>>> {
    arity(f, a, min, None)?;
    (0..a.len()).map(|i| list_arg(f, a, i)).collect()
}

pub(super) fn setunion(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    let lists = list_args(f, &a, 1)?;
    let all: Vec<Value> = lists.into_iter().flatten().cloned().collect();
    Ok(Value::List(set_normalize(unify(f, all)?)))
}

/// Stops with the first unknown element of any list: set membership needs
/// every element known.
fn all_elements_known(lists: &[&Vec<Value>]) -> FR<()> {
    for l in lists {
        for e in l.iter() {
            if let Some(u) = first_unknown(e) {
                return unknown(u);
            }
        }
    }
    Ok(())
}

pub(super) fn setintersection(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    let lists = list_args(f, &a, 1)?;
    all_elements_known(&lists)?;
    let (first, rest) = match lists.split_first() {
        Some(p) => p,
        None => return Ok(Value::List(Vec::new())),
    };
    let out: Vec<Value> = first
        .iter()
        .filter(|e| rest.iter().all(|l| l.iter().any(|o| same(o, e))))
        .cloned()
        .collect();
    Ok(Value::List(set_normalize(out)))
}

pub(super) fn setsubtract(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let x = list_arg(f, &a, 0)?;
    let y = list_arg(f, &a, 1)?;
    all_elements_known(&[x, y])?;
    let out: Vec<Value> = x
        .iter()
        .filter(|e| !y.iter().any(|o| same(o, e)))
        .cloned()
        .collect();
    Ok(Value::List(set_normalize(out)))
}

pub(super) fn setproduct(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    let lists = list_args(f, &a, 2)?;
    let mut size: usize = 1;
    for l in &lists {
        size = size.saturating_mul(l.len());
    }
    if size > MAX_PRODUCT {
        return fail(
            f,
            format!("the product has more than {MAX_PRODUCT} elements"),
        );
    }
    let mut out: Vec<Vec<Value>> = vec![Vec::new()];
    for l in lists {
        let mut next = Vec::with_capacity(out.len() * l.len());
        for prefix in &out {
            for e in l.iter() {
                let mut p = prefix.clone();
                p.push(e.clone());
                next.push(p);
            }
        }
        out = next;
    }
    Ok(Value::List(out.into_iter().map(Value::List).collect()))
}

pub(super) fn range(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(3))?;
    let num = |i: usize| -> FR<f64> { super::num_arg(f, &a, i) };
    let (start, limit) = if a.len() == 1 {
        (0.0, num(0)?)
    } else {
        (num(0)?, num(1)?)
    };
    let step = if a.len() == 3 {
        num(2)?
    } else if start > limit {
        -1.0
    } else {
        1.0
    };
    if step == 0.0 {
        return fail(f, "step must not be zero");
    }
    if step < 0.0 && start < limit {
        return fail(f, "step must be positive when start is less than limit");
    }
    if step > 0.0 && start > limit {
        return fail(f, "step must be negative when start is greater than limit");
    }
    let mut out = Vec::new();
    let mut x = start;
    while (step > 0.0 && x < limit) || (step < 0.0 && x > limit) {
        if out.len() >= MAX_RANGE {
            return fail(
                f,
                format!(
                    "more than {MAX_RANGE} values were generated; either decrease the difference between start and end or use a smaller step"
                ),
            );
        }
        out.push(num_value(f, x)?);
        x += step;
    }
    Ok(Value::List(out))
}

pub(super) fn reverse(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let l = list_arg(f, &a, 0)?;
    Ok(Value::List(l.iter().rev().cloned().collect()))
}

pub(super) fn slice(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 3, Some(3))?;
    let l = list_arg(f, &a, 0)?;
    let start = int_arg(f, &a, 1)?;
    let end = int_arg(f, &a, 2)?;
    if start < 0 {
        return fail(f, "start index must not be negative");
    }
    if end > l.len() as i64 {
        return fail(
            f,
            "end index must not be greater than the length of the list",
        );
    }
    if start > end {
        return fail(f, "start index must not be greater than end index");
    }
    let (s, e) = (start as usize, end as usize);
    Ok(Value::List(
        l.get(s..e).map(<[Value]>::to_vec).unwrap_or_default(),
    ))
}

pub(super) fn chunklist(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let l = list_arg(f, &a, 0)?;
    let size = int_arg(f, &a, 1)?;
    if size < 0 {
        return fail(f, "the size argument must be positive");
    }
    if l.is_empty() {
        return Ok(Value::List(Vec::new()));
    }
    if size == 0 {
        return Ok(Value::List(vec![Value::List(l.clone())]));
    }
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    Ok(Value::List(
        l.chunks(size).map(|c| Value::List(c.to_vec())).collect(),
    ))
}

pub(super) fn transpose(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let m = object_arg(f, &a, 0)?;
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for (k, v) in m {
        let l = match v {
            Value::Unknown(u) => return unknown(u),
            Value::List(l) => l,
            other => {
                return fail(
                    f,
                    format!(
                        "value of {k:?} must be a list of strings, got {}",
                        type_name(other)
                    ),
                );
            }
        };
        for e in l {
            let s = match e {
                Value::Unknown(u) => return unknown(u),
                Value::Null => return fail(f, format!("value of {k:?} holds a null element")),
                other => match scalar_to_string(other) {
                    Some(s) => s,
                    None => {
                        return fail(
                            f,
                            format!(
                                "value of {k:?} must be a list of strings, got an element of type {}",
                                type_name(other)
                            ),
                        );
                    }
                },
            };
            out.entry(s).or_default().push(Value::String(k.clone()));
        }
    }
    Ok(Value::Object(
        out.into_iter().map(|(k, v)| (k, Value::List(v))).collect(),
    ))
}

/// `alltrue` (`want` = false: any false decides) and `anytrue` (any true decides).
fn bool_fold(f: &str, a: Vec<Value>, decisive: bool) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let l = list_arg(f, &a, 0)?;
    let mut pending = None;
    for (i, e) in l.iter().enumerate() {
        let b = match e {
            Value::Bool(b) => *b,
            Value::String(s) if s == "true" => true,
            Value::String(s) if s == "false" => false,
            Value::Unknown(u) => {
                pending.get_or_insert_with(|| u.clone());
                continue;
            }
            other => {
                return fail(
                    f,
                    format!("element {i} must be a bool, got {}", type_name(other)),
                );
            }
        };
        if b == decisive {
            return Ok(Value::Bool(decisive));
        }
    }
    match pending {
        Some(u) => unknown(&u),
        None => Ok(Value::Bool(!decisive)),
    }
}

pub(super) fn alltrue(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    bool_fold(f, a, false)
}

pub(super) fn anytrue(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    bool_fold(f, a, true)
}

pub(super) fn sum(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let l = list_arg(f, &a, 0)?;
    if l.is_empty() {
        return fail(f, "cannot sum an empty list");
    }
    let mut total = 0.0;
    let mut all_int = true;
    let mut int_total: i64 = 0;
    for (i, e) in l.iter().enumerate() {
        let e = known(e)?;
        let Some(x) = value_to_f64(e) else {
            return fail(
                f,
                format!("element {i} must be a number, got {}", type_name(e)),
            );
        };
        total += x;
        match (all_int, e) {
            (true, Value::Number(n)) if n.as_i64().is_some() => {
                match int_total.checked_add(n.as_i64().unwrap_or(0)) {
                    Some(t) => int_total = t,
                    None => all_int = false,
                }
            }
            _ => all_int = false,
        }
    }
    if all_int {
        return Ok(Value::Number(int_total.into()));
    }
    num_value(f, total)
}

pub(super) fn matchkeys(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 3, Some(3))?;
    let vals = list_arg(f, &a, 0)?;
    let ks = list_arg(f, &a, 1)?;
    let search = list_arg(f, &a, 2)?;
    if vals.len() != ks.len() {
        return fail(f, "length of keys and values should be equal");
    }
    let mut out = Vec::new();
    for (v, k) in vals.iter().zip(ks) {
        let mut hit = Some(false);
        for wanted in search {
            match equal(k, wanted) {
                Some(true) => {
                    hit = Some(true);
                    break;
                }
                Some(false) => {}
                None => hit = None,
            }
        }
        match hit {
            Some(true) => out.push(v.clone()),
            Some(false) => {}
            None => {
                let u = search.iter().map(|w| undecided(k, w)).next();
                return unknown(&u.unwrap_or_else(|| Unknown::new("unknown")));
            }
        }
    }
    Ok(Value::List(out))
}
