//! Where the statements of a policy JSON string are written, so findings
//! point at the statement rather than the whole policy.

use std::rc::Rc;

use hcl::edit::Span;
use hcl::edit::expr::{Expression, ObjectKey};

use crate::model::location::Location;

use super::{Evaluator, Scope};

impl<'a> Evaluator<'a> {
    /// Remembers where the statements of a policy built by
    /// `jsonencode({... Statement = [{...}, ...]})` are written.
    pub(super) fn register_jsonencode(&self, scope: &Scope, arg: &Expression, json: &str) {
        let Expression::Object(obj) = arg else {
            return;
        };
        let statements = obj.iter().find_map(|(k, v)| {
            let key = match k {
                ObjectKey::Ident(i) => i.as_str(),
                ObjectKey::Expression(Expression::String(s)) => s.value().as_str(),
                _ => return None,
            };
            (key == "Statement").then(|| v.expr())
        });
        let Some(Expression::Array(items)) = statements else {
            return;
        };
        let locs: Vec<Location> = items.iter().map(|e| self.loc(scope, e.span())).collect();
        if statement_count(json) == Some(locs.len()) {
            self.policy_locs
                .borrow_mut()
                .entry(json.to_string())
                .or_insert_with(|| Rc::new(locs));
        }
    }

    /// Remembers where the statements of a heredoc JSON policy are written.
    pub(super) fn register_heredoc(&self, scope: &Scope, expr: &Expression, rendered: &str) {
        let (Some(f), Some(span)) = (self.file(scope.file), expr.span()) else {
            return;
        };
        let Some(src) = f.snippet(&span) else {
            return;
        };
        if !src.contains("Statement") {
            return;
        }
        let offsets = statement_offsets(src);
        if offsets.is_empty() || statement_count(rendered) != Some(offsets.len()) {
            return;
        }
        let locs = offsets.iter().map(|o| f.location(span.start + o)).collect();
        self.policy_locs
            .borrow_mut()
            .entry(rendered.to_string())
            .or_insert_with(|| Rc::new(locs));
    }
}

/// How many statements a JSON policy string holds.
pub fn statement_count(json: &str) -> Option<usize> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    match v.get("Statement")? {
        serde_json::Value::Array(a) => Some(a.len()),
        serde_json::Value::Object(_) => Some(1),
        _ => None,
    }
}

/// Byte offsets (in `src`) of the objects of the `"Statement"` array of a
/// JSON policy written in source text (a heredoc). Strings and `${…}` are
/// skipped; an unexpected shape gives no offsets.
pub fn statement_offsets(src: &str) -> Vec<usize> {
    let bytes = src.as_bytes();
    let Some(key) = src.find("\"Statement\"") else {
        return Vec::new();
    };
    let mut i = key + "\"Statement\"".len();
    while i < bytes.len() && (bytes[i] as char).is_whitespace() {
        i += 1;
    }
    if bytes.get(i) != Some(&b':') {
        return Vec::new();
    }
    i += 1;
    while i < bytes.len() && (bytes[i] as char).is_whitespace() {
        i += 1;
    }
    match bytes.get(i) {
        Some(b'{') => return vec![i],
        Some(b'[') => {}
        _ => return Vec::new(),
    }
    let mut out = Vec::new();
    let mut depth = 0usize; // depth inside the array
    let mut in_str = false;
    while i < bytes.len() {
        let c = bytes[i];
        if in_str {
            match c {
                b'\\' => i += 1,
                b'"' => in_str = false,
                _ => {}
            }
        } else {
            match c {
                b'"' => in_str = true,
                b'[' | b'{' => {
                    if depth == 1 && c == b'{' {
                        out.push(i);
                    }
                    depth += 1;
                }
                b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return out;
                    }
                }
                _ => {}
            }
        }
        i += 1;
    }
    out
}
