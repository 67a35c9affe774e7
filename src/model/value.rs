//! Attribute values as both sources yield them: the shape of a plan's `after`
//! object, plus `Unknown` for what is only known after apply or cannot be
//! evaluated statically.
//!
//! Convention shared by every ingester: an unknown that ends up *inside* a
//! string (an interpolation, or a `jsonencode` of an object holding an unknown)
//! is written as `${EXPR}`, where EXPR is the Terraform expression text
//! (`${aws_iam_role.ci.arn}`). [`unknown_refs`] finds them again; IAM policy
//! variables such as `${aws:username}` are not unknowns.

use std::collections::BTreeMap;

/// One attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    List(Vec<Value>),
    /// Objects and maps; keys sorted, as Terraform's `jsonencode` sorts them.
    Object(BTreeMap<String, Value>),
    Unknown(Unknown),
}

/// A value that cannot be known statically.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Unknown {
    /// The expression that produced it (`aws_iam_role.ci.arn`), or why it is
    /// unknown (`known after apply`).
    pub reason: String,
}

impl Unknown {
    pub fn new(reason: impl Into<String>) -> Self {
        Unknown {
            reason: reason.into(),
        }
    }
}

/// The strings and numbers inside `v` (as text), for redacting a sensitive
/// value wherever it appears later; booleans and nulls carry no secret.
pub fn leaf_texts(v: &Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::String(s) if !s.is_empty() => {
            out.insert(s.clone());
        }
        Value::Number(n) => {
            out.insert(n.to_string());
        }
        Value::List(items) => items.iter().for_each(|i| leaf_texts(i, out)),
        Value::Object(m) => m.values().for_each(|i| leaf_texts(i, out)),
        _ => {}
    }
}

/// `s` as it appears inside a JSON string, when that differs from `s`.
pub fn json_escaped(s: &str) -> Option<String> {
    let quoted = serde_json::to_string(s).ok()?;
    let inner = quoted.get(1..quoted.len().saturating_sub(1))?;
    (inner != s).then(|| inner.to_string())
}

impl Value {
    pub fn unknown(reason: impl Into<String>) -> Self {
        Value::Unknown(Unknown::new(reason))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// `self[key]` for objects; `None` for anything else or a missing key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|m| m.get(key))
    }

    /// Converts a JSON value; JSON has no unknowns.
    pub fn from_json(v: serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => Value::Number(n),
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(a) => {
                Value::List(a.into_iter().map(Value::from_json).collect())
            }
            serde_json::Value::Object(o) => Value::Object(
                o.into_iter()
                    .map(|(k, v)| (k, Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Converts to JSON, writing each unknown as the string `${EXPR}`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::List(l) => serde_json::Value::Array(l.iter().map(Value::to_json).collect()),
            Value::Object(o) => {
                serde_json::Value::Object(o.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
            Value::Unknown(u) => serde_json::Value::String(format!("${{{}}}", u.reason)),
        }
    }
}

/// The offset of the `}` that closes a `${` whose inside starts `after`,
/// allowing nested braces in the expression.
fn closing_brace(after: &str) -> Option<usize> {
    let mut depth = 1usize;
    for (i, c) in after.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The Terraform expressions written as `${EXPR}` inside `s` that are not IAM
/// policy variables: what made this string only partly known.
pub fn unknown_refs(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = closing_brace(after) else {
            break;
        };
        let inner = &after[..end];
        if !is_iam_policy_variable(inner) {
            out.push(inner);
        }
        rest = &after[end + 1..];
    }
    out
}

/// How a value not known before apply is shown to a reader: a text that IAM
/// never uses, so it cannot be taken for a policy variable.
pub fn unknown_marker(reference: &str) -> String {
    format!("(known after apply: {reference})")
}

/// `s` with each Terraform reference that is not known (see [`unknown_refs`])
/// written as [`unknown_marker`]; IAM policy variables stay literal.
pub fn display_unknowns(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = closing_brace(after) else {
            break;
        };
        let inner = &after[..end];
        out.push_str(&rest[..start]);
        if is_iam_policy_variable(inner) {
            out.push_str(&rest[start..start + 2 + end + 1]);
        } else {
            out.push_str(&unknown_marker(inner));
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// `aws:username`, `aws:PrincipalTag/team`, `saml:sub`, `*`, `?`, `$`: the
/// variables IAM itself substitutes. Terraform references (`var.x`,
/// `aws_iam_role.r.arn`) have no colon before their first dot or bracket.
pub fn is_iam_policy_variable(inner: &str) -> bool {
    if matches!(inner, "*" | "?" | "$") {
        return true;
    }
    let Some(colon) = inner.find(':') else {
        return false;
    };
    let prefix = &inner[..colon];
    !prefix.is_empty()
        && !inner.chars().any(char::is_whitespace)
        && prefix
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')
        && !inner.contains('(')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_refs_skip_policy_variables() {
        assert_eq!(
            unknown_refs("arn:aws:iam::${var.account}:role/${aws:username}"),
            vec!["var.account"]
        );
        assert_eq!(
            unknown_refs("${aws_iam_role.x.arn}"),
            vec!["aws_iam_role.x.arn"]
        );
        assert!(unknown_refs("arn:aws:iam::123456789012:root").is_empty());
        assert_eq!(
            unknown_refs("${lookup(var.m, \"a\")}x"),
            vec!["lookup(var.m, \"a\")"]
        );
    }

    #[test]
    fn unknowns_display_unlike_policy_variables() {
        assert_eq!(
            display_unknowns("arn:aws:iam::${var.account}:user/${aws:username}"),
            "arn:aws:iam::(known after apply: var.account):user/${aws:username}"
        );
        assert_eq!(display_unknowns("${*}x${"), "${*}x${");
        assert_eq!(
            display_unknowns("${lookup(var.m, {a = 1})}"),
            "(known after apply: lookup(var.m, {a = 1}))"
        );
    }

    #[test]
    fn json_round_trip_writes_unknowns_as_interpolations() {
        let v = Value::Object(BTreeMap::from([
            ("b".to_string(), Value::unknown("var.b")),
            ("a".to_string(), Value::String("x".into())),
        ]));
        assert_eq!(v.to_json().to_string(), r#"{"a":"x","b":"${var.b}"}"#);
    }
}
