//! `format` and `formatlist`, following cty's `format` (a subset of Go's
//! printf): verbs `%v %#v %t %b %d %o %x %X %e %E %f %g %G %s %q %%`, flags
//! `+ - # 0` and space, width, precision and `%[n]` argument indexes.
//!
//! An unknown argument is written `${REASON}` in its place, so the result is
//! a known string (`arn:aws:iam::${var.account}:root`).

use super::json::{write_json, write_json_string};
use super::{
    FR, FuncContext, Value, arity, fail, marker, number_to_string, parse_number, str_arg, unknown,
};

/// Widths and precisions above this are refused (they only allocate).
const MAX_WIDTH: usize = 10_000;

pub(super) fn format(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, None)?;
    let spec = str_arg(f, &a, 0)?;
    match format_core(&spec, a.get(1..).unwrap_or(&[])) {
        Ok(s) => Ok(Value::String(s)),
        Err(m) => fail(f, m),
    }
}

pub(super) fn formatlist(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, None)?;
    let spec = str_arg(f, &a, 0)?;
    let rest = a.get(1..).unwrap_or(&[]);
    // (length, position) of the first list argument.
    let mut iter: Option<(usize, usize)> = None;
    for (i, v) in rest.iter().enumerate() {
        match v {
            // Could be a list of any length.
            Value::Unknown(u) => return unknown(u),
            Value::List(l) => match iter {
                None => iter = Some((l.len(), i)),
                Some((n, j)) if n != l.len() => {
                    return fail(
                        f,
                        format!(
                            "argument {} has length {}, which is inconsistent with argument {} of length {}",
                            i + 2,
                            l.len(),
                            j + 2,
                            n
                        ),
                    );
                }
                Some(_) => {}
            },
            _ => {}
        }
    }
    let n = iter.map_or(1, |(n, _)| n);
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        let args: Vec<Value> = rest
            .iter()
            .map(|v| match v {
                Value::List(l) => l.get(k).cloned().unwrap_or(Value::Null),
                other => other.clone(),
            })
            .collect();
        match format_core(&spec, &args) {
            Ok(s) => out.push(Value::String(s)),
            Err(m) => return fail(f, format!("error on format iteration {k}: {m}")),
        }
    }
    Ok(Value::List(out))
}

#[derive(Default)]
struct Spec {
    plus: bool,
    minus: bool,
    sharp: bool,
    zero: bool,
    space: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

/// Formats `args` by `spec`; the error has no function-name prefix.
fn format_core(spec: &str, args: &[Value]) -> Result<String, String> {
    let chars: Vec<(usize, char)> = spec.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|(_, c)| *c);
    let mut out = String::new();
    let mut i = 0;
    let mut next_arg = 0usize;
    let mut used = 0usize;
    while let Some(&(off, c)) = chars.get(i) {
        i += 1;
        if c != '%' {
            out.push(c);
            continue;
        }
        if at(i) == Some('%') {
            out.push('%');
            i += 1;
            continue;
        }
        let bad = || format!("invalid format string starting at offset {off}");
        let mut s = Spec::default();
        while let Some(c) = at(i) {
            match c {
                '+' => s.plus = true,
                '-' => s.minus = true,
                '#' => s.sharp = true,
                '0' => s.zero = true,
                ' ' => s.space = true,
                _ => break,
            }
            i += 1;
        }
        let mut explicit = None;
        if at(i) == Some('[') {
            i += 1;
            let n = digits(&chars, &mut i).ok_or_else(bad)?;
            if at(i) != Some(']') || n == 0 {
                return Err(bad());
            }
            i += 1;
            explicit = Some(n - 1);
        }
        s.width = digits(&chars, &mut i);
        if at(i) == Some('.') {
            i += 1;
            s.prec = Some(digits(&chars, &mut i).ok_or_else(bad)?);
        }
        if s.width.unwrap_or(0) > MAX_WIDTH || s.prec.unwrap_or(0) > MAX_WIDTH {
            return Err(format!(
                "width or precision at offset {off} is larger than {MAX_WIDTH}"
            ));
        }
        let Some(&(vpos, verb)) = chars.get(i) else {
            return Err(bad());
        };
        i += 1;
        let raw = spec.get(off..vpos + verb.len_utf8()).unwrap_or("");
        let idx = explicit.unwrap_or(next_arg);
        next_arg = idx.saturating_add(1);
        used = used.max(next_arg);
        let Some(arg) = args.get(idx) else {
            return Err(format!(
                "not enough arguments for {raw:?} at {off}: need index {} but have {} total",
                idx + 1,
                args.len()
            ));
        };
        append(&mut out, &s, verb, raw, off, arg)?;
    }
    if used < args.len() {
        return Err(format!(
            "too many arguments; only {used} used by format string"
        ));
    }
    Ok(out)
}

/// Reads a decimal number at `*i`, advancing past it.
fn digits(chars: &[(usize, char)], i: &mut usize) -> Option<usize> {
    let mut n: Option<usize> = None;
    while let Some(d) = chars.get(*i).and_then(|(_, c)| c.to_digit(10)) {
        n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
        *i += 1;
    }
    n
}

fn append(
    out: &mut String,
    s: &Spec,
    verb: char,
    raw: &str,
    off: usize,
    arg: &Value,
) -> Result<(), String> {
    let unsupported = |why: &str| format!("unsupported value for {raw:?} at {off}: {why}");
    if let Value::Unknown(u) = arg {
        out.push_str(&marker(u));
        return Ok(());
    }
    if verb != 'v' && matches!(arg, Value::Null) {
        return Err(unsupported("null value cannot be formatted"));
    }
    match verb {
        'v' => {
            let text = match arg {
                Value::String(t) if !s.sharp => t.clone(),
                Value::Number(n) if !s.sharp => {
                    let x = n.as_f64().unwrap_or(0.0);
                    fmt_g(x.abs(), None, false, x < 0.0)
                }
                other => {
                    let mut j = String::new();
                    if !write_json(&mut j, other, 0) {
                        return Err(unsupported("value is nested too deeply"));
                    }
                    j
                }
            };
            out.push_str(&pad_text(s, &text));
        }
        't' => {
            let b = match arg {
                Value::Bool(b) => *b,
                Value::String(t) if t == "true" => true,
                Value::String(t) if t == "false" => false,
                _ => return Err(unsupported("bool required")),
            };
            out.push_str(if b { "true" } else { "false" });
        }
        's' | 'q' => {
            let mut text = match arg {
                Value::String(t) => t.clone(),
                Value::Number(n) => number_to_string(n),
                Value::Bool(b) => b.to_string(),
                _ => return Err(unsupported("string required")),
            };
            if let Some(p) = s.prec.filter(|p| *p > 0) {
                text = text.chars().take(p).collect();
            }
            if verb == 'q' {
                let mut q = String::new();
                write_json_string(&mut q, &text);
                text = q;
            }
            out.push_str(&pad_text(s, &text));
        }
        'b' | 'd' | 'o' | 'x' | 'X' | 'e' | 'E' | 'f' | 'g' | 'G' => {
            let x = match arg {
                Value::Number(n) => n.clone(),
                Value::String(t) => {
                    parse_number(t).ok_or_else(|| unsupported("a number is required"))?
                }
                _ => return Err(unsupported("a number is required")),
            };
            if matches!(verb, 'b' | 'd' | 'o' | 'x' | 'X') {
                let Some(i) = as_integer(&x) else {
                    return Err(unsupported("an integer is required"));
                };
                out.push_str(&fmt_integer(s, verb, i));
            } else {
                let f = x.as_f64().unwrap_or(0.0);
                let upper = verb.is_ascii_uppercase();
                let body = match verb {
                    'e' | 'E' => fmt_e(f.abs(), s.prec.unwrap_or(6), upper),
                    'f' => format!("{:.*}", s.prec.unwrap_or(6), f.abs()),
                    _ => fmt_g(f.abs(), s.prec, upper, false),
                };
                out.push_str(&pad_number(s, f < 0.0, "", &body, true));
            }
        }
        other => {
            return Err(format!(
                "unsupported format verb {other:?} in {raw:?} at offset {off}"
            ));
        }
    }
    Ok(())
}

/// A number as an exact integer, if it is one.
fn as_integer(n: &serde_json::Number) -> Option<i128> {
    if let Some(i) = n.as_i64() {
        return Some(i.into());
    }
    if let Some(u) = n.as_u64() {
        return Some(u.into());
    }
    let f = n.as_f64()?;
    (f.fract() == 0.0 && f.abs() < 1e38).then_some(f as i128)
}

/// Pads a string to the width, counting characters (cty's `formatPadWidth`).
fn pad_text(s: &Spec, text: &str) -> String {
    let len = text.chars().count();
    let Some(w) = s.width.filter(|w| *w > len) else {
        return text.to_string();
    };
    let pad = (if s.zero { "0" } else { " " }).repeat(w - len);
    if s.minus {
        format!("{text}{pad}")
    } else {
        format!("{pad}{text}")
    }
}

/// Go's numeric padding: sign, then prefix, zeros (flag `0`), digits.
fn pad_number(s: &Spec, negative: bool, prefix: &str, body: &str, zero_ok: bool) -> String {
    let sign = if negative {
        "-"
    } else if s.plus {
        "+"
    } else if s.space {
        " "
    } else {
        ""
    };
    let len = sign.len() + prefix.len() + body.chars().count();
    match s.width.filter(|w| *w > len) {
        None => format!("{sign}{prefix}{body}"),
        Some(w) if s.minus => format!("{sign}{prefix}{body}{}", " ".repeat(w - len)),
        Some(w) if s.zero && zero_ok => format!("{sign}{prefix}{}{body}", "0".repeat(w - len)),
        Some(w) => format!("{}{sign}{prefix}{body}", " ".repeat(w - len)),
    }
}

fn fmt_integer(s: &Spec, verb: char, i: i128) -> String {
    let mag = i.unsigned_abs();
    let mut body = match verb {
        'b' => format!("{mag:b}"),
        'o' => format!("{mag:o}"),
        'x' => format!("{mag:x}"),
        'X' => format!("{mag:X}"),
        _ => mag.to_string(),
    };
    if let Some(p) = s.prec {
        if body.len() < p {
            body = format!("{}{body}", "0".repeat(p - body.len()));
        }
    }
    let prefix = match (s.sharp, verb) {
        (true, 'b') => "0b",
        (true, 'o') => "0",
        (true, 'x') => "0x",
        (true, 'X') => "0X",
        _ => "",
    };
    pad_number(s, i < 0, prefix, &body, s.prec.is_none())
}

/// Go's `%e`: mantissa with `prec` decimals, exponent with a sign and at
/// least two digits.
fn fmt_e(x: f64, prec: usize, upper: bool) -> String {
    let r = format!("{x:.prec$e}");
    let (mant, exp) = r.split_once('e').unwrap_or((&r, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let e = if upper { 'E' } else { 'e' };
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mant}{e}{sign}{:02}", exp.unsigned_abs())
}

/// Go's `%g` of a non-negative `x` (shortest when `prec` is `None`);
/// `negative` adds a leading minus sign.
fn fmt_g(x: f64, prec: Option<usize>, upper: bool, negative: bool) -> String {
    let sign = if negative { "-" } else { "" };
    if x == 0.0 {
        return format!("{sign}0");
    }
    let p = prec.map(|p| p.max(1));
    let r = match p {
        None => format!("{x:e}"),
        Some(p) => format!("{x:.*e}", p - 1),
    };
    let (mant, exp) = r.split_once('e').unwrap_or((&r, "0"));
    let exp10: i64 = exp.parse().unwrap_or(0);
    let mut digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    let nd = digits.len() as i64;
    let dp = exp10 + 1;
    let mut eprec = p.map_or(nd, |p| p as i64);
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    if prec.is_none() {
        eprec = 6;
    }
    if exp10 < -4 || exp10 >= eprec {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let e = if upper { 'E' } else { 'e' };
        let esign = if exp10 < 0 { '-' } else { '+' };
        return format!("{sign}{first}{dot}{e}{esign}{:02}", exp10.unsigned_abs());
    }
    let body = if dp <= 0 {
        format!("0.{}{digits}", "0".repeat(dp.unsigned_abs() as usize))
    } else if dp >= nd {
        format!("{digits}{}", "0".repeat((dp - nd) as usize))
    } else {
        let (int, frac) = digits.split_at(dp as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{body}")
}
