//! The AWS provider's functions `provider::aws::arn_parse` and
//! `provider::aws::arn_build`.

use std::collections::BTreeMap;

use super::{
    FR, FuncContext, Value, arity, fail, marker, nth, scalar_to_string, str_arg, type_name,
};

/// Splits `s` at `sep` into at most `max` parts, never inside a `${…}`.
fn split_outside_refs(s: &str, sep: char, max: usize) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0usize;
    let mut prev = '\0';
    for (i, c) in s.char_indices() {
        match c {
            '{' if prev == '$' || depth > 0 => depth += 1,
            '}' if depth > 0 => depth -= 1,
            c if c == sep && depth == 0 && parts.len() + 1 < max => {
                parts.push(s.get(start..i).unwrap_or(""));
                start = i + c.len_utf8();
            }
            _ => {}
        }
        prev = c;
    }
    parts.push(s.get(start..).unwrap_or(""));
    parts
}

pub(super) fn arn_parse(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let s = str_arg(f, &a, 0)?;
    let parts = split_outside_refs(&s, ':', 6);
    let [prefix, partition, service, region, account_id, resource] = parts.as_slice() else {
        return fail(f, format!("invalid ARN {s:?}: not enough sections"));
    };
    if *prefix != "arn" {
        return fail(f, format!("invalid ARN {s:?}: invalid prefix"));
    }
    let fields = [
        ("partition", partition),
        ("service", service),
        ("region", region),
        ("account_id", account_id),
        ("resource", resource),
    ];
    Ok(Value::Object(
        fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), Value::String((*v).to_string())))
            .collect::<BTreeMap<_, _>>(),
    ))
}

pub(super) fn arn_build(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 5, Some(5))?;
    let mut parts = vec!["arn".to_string()];
    for i in 0..5 {
        let part = match nth(&a, i) {
            Value::Unknown(u) => marker(u),
            v => match scalar_to_string(v) {
                Some(s) => s,
                None => {
                    return fail(
                        f,
                        format!("argument {} must be a string, got {}", i + 1, type_name(v)),
                    );
                }
            },
        };
        parts.push(part);
    }
    Ok(Value::String(parts.join(":")))
}
