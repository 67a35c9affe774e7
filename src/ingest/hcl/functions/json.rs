//! `jsonencode` and `jsondecode`.

use super::{
    FR, Flow, FuncContext, Value, arity, fail, known, marker, nth, number_to_string, string_unknown,
};

/// Deeper values than this are refused rather than risking the stack.
const MAX_DEPTH: usize = 256;

pub(super) fn jsonencode(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let v = known(nth(&a, 0))?;
    let mut out = String::new();
    if !write_json(&mut out, v, 0) {
        return fail(
            f,
            format!("value is nested more than {MAX_DEPTH} levels deep"),
        );
    }
    Ok(Value::String(out))
}

/// Writes `v` as Terraform's `jsonencode` does: minified, object keys sorted,
/// `<`, `>`, `&`, U+2028 and U+2029 escaped, and each unknown as the string
/// `${REASON}`. Returns false when `v` is too deep.
pub(super) fn write_json(out: &mut String, v: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_to_string(n)),
        Value::String(s) => write_json_string(out, s),
        Value::Unknown(u) => write_json_string(out, &marker(u)),
        Value::List(l) => {
            out.push('[');
            for (i, e) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                if !write_json(out, e, depth + 1) {
                    return false;
                }
            }
            out.push(']');
        }
        Value::Object(o) => {
            out.push('{');
            for (i, (k, e)) in o.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json_string(out, k);
                out.push(':');
                if !write_json(out, e, depth + 1) {
                    return false;
                }
            }
            out.push('}');
        }
    }
    true
}

/// A JSON string literal with Go's `encoding/json` escaping.
pub(crate) fn write_json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' | '\u{0}'..='\u{1f}' => {
                let n = c as u32;
                out.push_str("\\u");
                for shift in [12u32, 8, 4, 0] {
                    out.push(char::from(HEX[((n >> shift) & 0xf) as usize]));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

pub(super) fn jsondecode(f: &str, a: Vec<Value>, _: &FuncContext<'_>) -> FR<Value> {
    arity(f, &a, 1, Some(1))?;
    let s = match known(nth(&a, 0))? {
        Value::String(s) => s,
        other => {
            return fail(
                f,
                format!("argument must be a string, got {}", super::type_name(other)),
            );
        }
    };
    match serde_json::from_str::<serde_json::Value>(s) {
        Ok(j) => Ok(Value::from_json(j)),
        Err(e) => match string_unknown(s) {
            // A heredoc with `${var.x}` in place of a value: partly unknown.
            Some(u) => Err(Flow::Unknown(u)),
            None => fail(f, format!("invalid JSON: {e}")),
        },
    }
}
