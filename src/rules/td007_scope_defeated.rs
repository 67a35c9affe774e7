//! # TD007 scope-defeated
//!
//! ## What it checks
//! A narrowing condition key (DOMAIN §2.1: `sts:ExternalId`,
//! `aws:PrincipalOrgID`, `aws:PrincipalArn`, `aws:SourceArn`, an OIDC `aud`,
//! …) in an Allow trust statement that does not narrow: its value is a
//! wildcard that matches anything (or any wildcard in a key where AWS says
//! wildcards have no use, like `aws:PrincipalOrgID`, or an ARN pattern with
//! any account), its operator is `ForAllValues:` on a single-valued key or
//! ends in `IfExists`, or it is negated (`StringNotEquals`) in an Allow.
//!
//! ## Why it matters
//! These conditions read like a safeguard in review but let everyone through:
//! `ForAllValues:` and `…IfExists` are true when the request does not carry
//! the key at all, and `*` matches every value.
//!
//! ## Example
//! ```json
//! {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole",
//!  "Condition": {"StringLike": {"aws:PrincipalOrgID": "o-*"}}}
//! ```
//!
//! ## Fix
//! Use a plain positive operator (`StringEquals`, `ArnLike`) with the exact
//! value: `"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}`.

use std::collections::BTreeSet;

use super::{Finding, Rule, RuleContext, snippet};
use crate::analyze::trust::ScopeState;
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD007",
    name: "scope-defeated",
    severity: Severity::High,
    summary: "a narrowing key whose value is a wildcard, `ForAllValues:` on a single-valued key, or `…IfExists` on a narrowing key",
    fix: "use StringEquals (or ArnLike) with the exact value, without ForAllValues: or IfExists",
    source: include_str!("td007_scope_defeated.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    let mut seen = BTreeSet::new();
    for p in ctx.paths.iter() {
        for s in &p.scope {
            let ScopeState::Defeated(why) = &s.state else {
                continue;
            };
            let statement = s.via_deny.unwrap_or(p.statement.index);
            if !seen.insert((p.role.address.as_str(), statement, s.condition)) {
                continue;
            }
            let c = s.condition;
            let (shown, why) = if p.role.trust_sensitive {
                let hidden = c.values.iter().fold(why.clone(), |w, v| {
                    w.replace(&format!("the value \"{v}\""), "its value")
                        .replace(&format!("\"{v}\""), "a sensitive value")
                });
                ("(sensitive)".to_string(), hidden)
            } else {
                (c.values.join(", "), why.clone())
            };
            out.push(
                Finding::new(
                    rule,
                    &p.role.address,
                    p.role.statement_location(statement),
                    format!(
                        "{}: the condition {} {} = {shown} does not narrow who may assume it: {why}",
                        p.role.address, c.operator.text, c.key
                    ),
                )
                .snippet(snippet(p.role, p.statement))
                .missing(format!("an effective condition on {}", c.key)),
            );
        }
    }
}
