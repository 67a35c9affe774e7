//! Number functions.

use super::{
    FR, FuncContext, Value, arity, fail, int_arg, known, nth, num_arg, num_value, str_arg,
};

/// A one-number function.
fn map1(f: &str, a: Vec<Value>, op: impl FnOnce(f64) -> f64) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let x = num_arg(f, &a, 0)?;
    num_value(f, op(x))
}

pub(super) fn abs(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    if let Some(Value::Number(n)) = a.first() {
        if a.len() == 1 {
            if let Some(i) = n.as_i64().and_then(i64::checked_abs) {
                return Ok(Value::Number(i.into()));
            }
        }
    }
    map1(f, a, f64::abs)
}

pub(super) fn ceil(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    map1(f, a, f64::ceil)
}

pub(super) fn floor(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    map1(f, a, f64::floor)
}

pub(super) fn signum(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    map1(f, a, |x| if x == 0.0 { 0.0 } else { x.signum() })
}

pub(super) fn pow(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let x = num_arg(f, &a, 0)?;
    let y = num_arg(f, &a, 1)?;
    num_value(f, x.powf(y))
}

/// `min` (`want_max` false) and `max`: the chosen argument is returned as
/// given, so large integers keep their precision.
fn extreme(f: &str, a: Vec<Value>, want_max: bool) -> FR<Value> {
    arity(f, &a, 1, None)?;
    let mut best: Option<(f64, usize)> = None;
    for i in 0..a.len() {
        let x = num_arg(f, &a, i)?;
        let better = match best {
            None => true,
            Some((b, _)) => (want_max && x > b) || (!want_max && x < b),
        };
        if better {
            best = Some((x, i));
        }
    }
    let Some((x, i)) = best else {
        return fail(f, "expected at least 1 argument, got 0");
    };
    match known(nth(&a, i))? {
        Value::Number(n) => Ok(Value::Number(n.clone())),
        _ => num_value(f, x),
    }
}

pub(super) fn min(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    extreme(f, a, false)
}

pub(super) fn max(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    extreme(f, a, true)
}

pub(super) fn parseint(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 2, Some(2))?;
    let s = str_arg(f, &a, 0)?;
    let base = int_arg(f, &a, 1)?;
    if !(2..=36).contains(&base) {
        return fail(f, "base must be a whole number between 2 and 36");
    }
    match i64::from_str_radix(&s, base as u32) {
        Ok(i) => Ok(Value::Number(i.into())),
        Err(_) => fail(f, format!("cannot parse {s:?} as a base {base} integer")),
    }
}
