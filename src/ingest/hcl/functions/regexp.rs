//! `regex` and `regexall` (RE2 syntax, which the `regex` crate shares).

use std::collections::BTreeMap;

use regex::{Captures, Regex, RegexBuilder};

use super::{FR, Flow, FuncContext, Value, arity, fail, str_arg, string_unknown};

/// Compiles `pattern`, bounding the memory a hostile pattern can take.
pub(super) fn compile(f: &str, pattern: &str) -> FR<Regex> {
    match RegexBuilder::new(pattern)
        .size_limit(1 << 20)
        .dfa_size_limit(1 << 20)
        .nest_limit(100)
        .build()
    {
        Ok(re) => Ok(re),
        Err(e) => {
            let msg = e.to_string();
            let one_line = msg
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>();
            fail(
                f,
                format!("invalid regular expression pattern: {}", one_line.join(" ")),
            )
        }
    }
}

/// What one match yields.
enum Shape {
    /// No capture groups: the matched text.
    Whole,
    /// Unnamed groups: a list of the captures.
    List(usize),
    /// Named groups: an object of the captures.
    Object(Vec<(usize, String)>),
}

fn shape(f: &str, re: &Regex) -> FR<Shape> {
    let names: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    if names.is_empty() {
        return Ok(Shape::Whole);
    }
    if names.iter().all(Option::is_none) {
        return Ok(Shape::List(names.len()));
    }
    if names.iter().all(Option::is_some) {
        return Ok(Shape::Object(
            names
                .iter()
                .enumerate()
                .filter_map(|(i, n)| n.map(|n| (i + 1, n.to_string())))
                .collect(),
        ));
    }
    fail(
        f,
        "regex pattern cannot mix both named and unnamed capture groups",
    )
}

fn group(c: &Captures<'_>, i: usize) -> Value {
    c.get(i)
        .map(|m| Value::String(m.as_str().to_string()))
        .unwrap_or(Value::Null)
}

fn result(shape: &Shape, c: &Captures<'_>) -> Value {
    match shape {
        Shape::Whole => group(c, 0),
        Shape::List(n) => Value::List((1..=*n).map(|i| group(c, i)).collect()),
        Shape::Object(names) => Value::Object(
            names
                .iter()
                .map(|(i, n)| (n.clone(), group(c, *i)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

pub(super) fn regex(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let pattern = str_arg(f, &a, 0)?;
    let s = str_arg(f, &a, 1)?;
    let re = compile(f, &pattern)?;
    let shape = shape(f, &re)?;
    match re.captures(&s) {
        Some(c) => Ok(result(&shape, &c)),
        None => match string_unknown(&s) {
            // The match may lie in the unknown part.
            Some(u) => Err(Flow::Unknown(u)),
            None => fail(f, "pattern did not match any part of the given string"),
        },
    }
}

pub(super) fn regexall(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let pattern = str_arg(f, &a, 0)?;
    let s = str_arg(f, &a, 1)?;
    let re = compile(f, &pattern)?;
    let shape = shape(f, &re)?;
    if let Some(u) = string_unknown(&s) {
        // Matches in the unknown part cannot be counted.
        return Err(Flow::Unknown(u));
    }
    Ok(Value::List(
        re.captures_iter(&s).map(|c| result(&shape, &c)).collect(),
    ))
}
