//! A plan's `configuration` section → what its unknown values wait on.
//!
//! A plan shows an attachment's `policy_arn` as known only after apply when
//! it names a policy created in the same change. The configuration section
//! keeps each argument's references (`aws_iam_policy.p.arn`); this module
//! writes them back into the unknown value as the referenced instance's full
//! address (`module.m.aws_iam_policy.p[0].arn`), the form the HCL evaluator
//! also writes, so extraction joins both the same way. Input variables are
//! followed to the module call that sets them, and module outputs to the
//! expression that defines them.

use serde_json::Value as J;

use super::types::{self, Becomes};
use super::{Mode, ResourceInstance};
use crate::model::value::Value;

/// How many module boundaries a reference is followed across.
const MAX_HOPS: usize = 16;

/// The arguments whose unknown values name another instance, for `rtype`.
fn reference_attrs(rtype: &str) -> Vec<&'static str> {
    let Some(t) = types::lookup(Mode::Managed, rtype) else {
        return Vec::new();
    };
    match t.becomes {
        Becomes::Identity(_) => vec!["permissions_boundary", "managed_policy_arns"],
        Becomes::InlinePolicy(_, owner) => vec![owner],
        Becomes::Attachment(_, owner) => vec![owner, "policy_arn"],
        Becomes::SharedAttachment => vec!["policy_arn", "roles", "users", "groups"],
        Becomes::Bedrock(Some(role)) => vec![role],
        Becomes::Membership => vec!["group", "users", "user", "groups"],
        _ => Vec::new(),
    }
}

/// Whether `instances` holds an unknown value [`join`] could name.
pub fn wanted(instances: &[ResourceInstance]) -> bool {
    instances.iter().any(|i| {
        reference_attrs(&i.resource_type)
            .iter()
            .any(|a| i.attrs.get(a).is_some_and(holds_unknown))
    })
}

fn holds_unknown(v: &Value) -> bool {
    match v {
        Value::Unknown(_) => true,
        Value::List(items) => items.iter().any(Value::is_unknown),
        _ => false,
    }
}

/// Names the unknown reference arguments of `instances` by what the
/// configuration says they reference.
pub fn join(configuration: &J, instances: &mut [ResourceInstance]) {
    let Some(root) = configuration.get("root_module") else {
        return;
    };
    for inst in instances.iter_mut() {
        let attrs = reference_attrs(&inst.resource_type);
        if attrs.is_empty() {
            continue;
        }
        let Some((modules, resource, key)) = split_address(&inst.address) else {
            continue;
        };
        let Some(resource_config) = module_config(root, &modules).and_then(|m| {
            m.get("resources")?.as_array()?.iter().find(|r| {
                r.get("address").and_then(J::as_str) == Some(resource.as_str())
                    && r.get("mode").and_then(J::as_str) != Some("data")
            })
        }) else {
            continue;
        };
        let Value::Object(values) = &mut inst.attrs else {
            continue;
        };
        for attr in attrs {
            let Some(current) = values.get_mut(attr) else {
                continue;
            };
            if !holds_unknown(current) {
                continue;
            }
            let Some(expr) = resource_config.get("expressions").and_then(|e| e.get(attr)) else {
                continue;
            };
            let named = resolve(root, &modules, expr, key.as_deref(), 0);
            if named.is_empty() {
                continue;
            }
            match current {
                Value::Unknown(_) => {
                    *current = match named.as_slice() {
                        [one] if !is_list_attr(attr) => Value::unknown(one.clone()),
                        _ => Value::List(named.into_iter().map(Value::unknown).collect()),
                    };
                }
                Value::List(items) => {
                    let unknown = items.iter().filter(|i| i.is_unknown()).count();
                    if unknown == named.len() {
                        let mut named = named.into_iter();
                        for item in items.iter_mut().filter(|i| i.is_unknown()) {
                            if let Some(n) = named.next() {
                                *item = Value::unknown(n);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn is_list_attr(attr: &str) -> bool {
    matches!(attr, "managed_policy_arns" | "roles" | "users" | "groups")
}

/// One module call on an instance's path: its name and instance key.
#[derive(Debug, Clone, PartialEq)]
struct Call {
    name: String,
    key: Option<String>,
}

/// `module.a["x"].module.b.aws_iam_policy.p[0]` → ([a["x"], b], `aws_iam_policy.p`, `[0]`).
fn split_address(address: &str) -> Option<(Vec<Call>, String, Option<String>)> {
    let mut rest = address;
    let mut calls = Vec::new();
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '['])?;
        let name = after[..end].to_string();
        let (key, tail) = take_key(&after[end..]);
        calls.push(Call { name, key });
        rest = tail.strip_prefix('.')?;
    }
    let (resource, key) = match rest.find('[') {
        Some(i) => {
            let (key, tail) = take_key(&rest[i..]);
            if !tail.is_empty() {
                return None;
            }
            (rest[..i].to_string(), key)
        }
        None => (rest.to_string(), None),
    };
    Some((calls, resource, key))
}

/// The instance a reference reads, without the attribute it reads:
/// `module.m.aws_iam_policy.p[0]` for `module.m.aws_iam_policy.p[0].arn`,
/// `aws_iam_policy.p` for `aws_iam_policy.p`. `None` for what is not a
/// reference to a managed resource.
pub fn instance_of(reference: &str) -> Option<String> {
    let mut rest = reference;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '['])?;
        let (_, tail) = take_key(&after[end..]);
        rest = tail.strip_prefix('.')?;
    }
    if !is_resource_reference(rest) {
        return None;
    }
    let (base, tail) = split_resource_reference(rest);
    let (key, _) = take_key(tail);
    let consumed = reference.len() - rest.len();
    Some(format!(
        "{}{base}{}",
        &reference[..consumed],
        key.unwrap_or_default()
    ))
}

/// A leading `[...]` (a number or a quoted string with escapes) and what follows.
pub(crate) fn take_key(s: &str) -> (Option<String>, &str) {
    if !s.starts_with('[') {
        return (None, s);
    }
    let bytes = s.as_bytes();
    let mut i = 1;
    let mut in_string = false;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b']' if !in_string => return (Some(s[..=i].to_string()), &s[i + 1..]),
            _ => {}
        }
        i += 1;
    }
    (None, s)
}

fn module_config<'j>(root: &'j J, calls: &[Call]) -> Option<&'j J> {
    let mut m = root;
    for c in calls {
        m = m.get("module_calls")?.get(&c.name)?.get("module")?;
    }
    Some(m)
}

fn prefix(calls: &[Call]) -> String {
    calls
        .iter()
        .map(|c| format!("module.{}{}.", c.name, c.key.as_deref().unwrap_or("")))
        .collect()
}

/// The full addresses (with the attribute read) that expression `expr`,
/// written in the module at `calls`, references; `key` is the instance key
/// of the resource it is written in (for `count.index` / `each.key`).
fn resolve(root: &J, calls: &[Call], expr: &J, key: Option<&str>, hops: usize) -> Vec<String> {
    if hops > MAX_HOPS {
        return Vec::new();
    }
    let Some(refs) = expr.get("references").and_then(J::as_array) else {
        return Vec::new();
    };
    let refs: Vec<&str> = refs.iter().filter_map(J::as_str).collect();
    let keyed_by_self = refs
        .iter()
        .any(|r| matches!(*r, "count.index" | "each.key" | "each.value"));
    let mut out: Vec<String> = Vec::new();
    // Terraform lists a reference with its parents after it
    // (`aws_iam_policy.p.arn`, `aws_iam_policy.p`): the first of each group
    // is the most specific.
    let mut seen: Vec<&str> = Vec::new();
    for r in &refs {
        if seen.iter().any(|s| s.starts_with(r)) {
            continue;
        }
        seen.push(r);
        if let Some(var) = r.strip_prefix("var.") {
            let var = var.split(['.', '[']).next().unwrap_or(var);
            let Some((last, parent)) = calls.split_last() else {
                continue;
            };
            let Some(arg) = module_config(root, parent).and_then(|m| {
                m.get("module_calls")?
                    .get(&last.name)?
                    .get("expressions")?
                    .get(var)
            }) else {
                continue;
            };
            out.extend(resolve(root, parent, arg, last.key.as_deref(), hops + 1));
        } else if let Some(call) = r.strip_prefix("module.") {
            let mut parts = call.splitn(2, '.');
            let (Some(head), Some(output)) = (parts.next(), parts.next()) else {
                continue;
            };
            let (name, call_key) = match head.find('[') {
                Some(i) => (&head[..i], Some(head[i..].to_string())),
                None => (head, None),
            };
            let output = output.split(['.', '[']).next().unwrap_or(output);
            let mut inner = calls.to_vec();
            inner.push(Call {
                name: name.to_string(),
                key: call_key,
            });
            let Some(expr) = module_config(root, &inner)
                .and_then(|m| m.get("outputs")?.get(output)?.get("expression"))
            else {
                continue;
            };
            out.extend(resolve(root, &inner, expr, None, hops + 1));
        } else if is_resource_reference(r) {
            let (base, rest) = split_resource_reference(r);
            let with_key = if rest.starts_with('[') || !keyed_by_self {
                format!("{base}{rest}")
            } else {
                match key {
                    Some(k) => format!("{base}{k}{rest}"),
                    None => format!("{base}{rest}"),
                }
            };
            out.push(format!("{}{with_key}", prefix(calls)));
        }
    }
    out.sort();
    out.dedup();
    out
}

fn is_resource_reference(r: &str) -> bool {
    let first = r.split(['.', '[']).next().unwrap_or(r);
    !matches!(
        first,
        "var" | "local" | "count" | "each" | "path" | "terraform" | "data" | "module" | "self"
    ) && first.contains('_')
        && r.contains('.')
}

/// `aws_iam_policy.p[0].arn` → (`aws_iam_policy.p`, `[0].arn`).
fn split_resource_reference(r: &str) -> (&str, &str) {
    let Some(dot) = r.find('.') else {
        return (r, "");
    };
    let after = &r[dot + 1..];
    let end = after.find(['.', '[']).map_or(r.len(), |i| dot + 1 + i);
    (&r[..end], &r[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_into_calls_resource_and_key() {
        let (calls, res, key) =
            split_address(r#"module.a["x.y]"].module.b.aws_iam_policy.p[0]"#).expect("split");
        assert_eq!(
            calls,
            vec![
                Call {
                    name: "a".into(),
                    key: Some(r#"["x.y]"]"#.into())
                },
                Call {
                    name: "b".into(),
                    key: None
                }
            ]
        );
        assert_eq!(res, "aws_iam_policy.p");
        assert_eq!(key.as_deref(), Some("[0]"));
        assert!(split_address("module.").is_none());
        assert_eq!(
            instance_of(r#"module.a["k"].aws_iam_policy.p[0].arn"#).as_deref(),
            Some(r#"module.a["k"].aws_iam_policy.p[0]"#)
        );
        assert_eq!(
            instance_of("aws_iam_policy.p").as_deref(),
            Some("aws_iam_policy.p")
        );
        assert_eq!(instance_of("var.arn"), None);
        assert_eq!(instance_of("a value known only after apply"), None);
    }

    #[test]
    fn references_follow_variables_outputs_and_count() {
        let config: J = serde_json::from_str(
            r#"{"root_module":{
                "resources":[{"address":"aws_iam_policy.p","mode":"managed"}],
                "module_calls":{
                  "m":{"expressions":{"arn":{"references":["aws_iam_policy.p.arn","aws_iam_policy.p"]}},
                       "module":{"resources":[{"address":"aws_iam_role_policy_attachment.a","mode":"managed",
                                 "expressions":{"policy_arn":{"references":["var.arn"]}}}]}},
                  "n":{"module":{"outputs":{"arn":{"expression":{"references":["aws_iam_policy.q.arn","aws_iam_policy.q"]}}}}}
                }}}"#,
        )
        .expect("json");
        let root = config.get("root_module").expect("root");
        let m = vec![Call {
            name: "m".into(),
            key: None,
        }];
        let expr = serde_json::json!({"references": ["var.arn"]});
        assert_eq!(
            resolve(root, &m, &expr, None, 0),
            vec!["aws_iam_policy.p.arn"]
        );
        let expr = serde_json::json!({"references": ["module.n.arn", "module.n"]});
        assert_eq!(
            resolve(root, &[], &expr, None, 0),
            vec!["module.n.aws_iam_policy.q.arn"]
        );
        let expr = serde_json::json!({"references": ["aws_iam_policy.q", "count.index"]});
        assert_eq!(
            resolve(root, &m, &expr, Some("[1]"), 0),
            vec!["module.m.aws_iam_policy.q[1]"]
        );
    }
}
