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
//! It is reported at high severity only when nothing else in the statement
//! scopes who gets in (the principal itself, another condition, a Deny);
//! otherwise at info, as a condition that could be removed without
//! changing anything. A `…IfExists` or `ForAllValues:` on a key every such
//! request carries (`aws:PrincipalArn` on `sts:AssumeRole`, an OIDC `sub`
//! or `aud`) narrows like the plain operator and is not reported.
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
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD007",
    name: "scope-defeated",
    severity: Severity::High,
    summary: "a narrowing key whose value is a wildcard, or `ForAllValues:` / `…IfExists` on a narrowing key the request may lack (info when something else scopes the statement)",
    fix: "use StringEquals (or ArnLike) with the exact value, without ForAllValues: or IfExists",
    source: include_str!("td007_scope_defeated.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    let mut seen = BTreeSet::new();
    for p in ctx.paths.iter() {
        for a in &p.admissions {
            let scoped = p.is_scoped(a, &ctx.trust.organization);
            for d in &a.defeats {
                if !seen.insert((p.role.address.as_str(), d.statement, d, scoped)) {
                    continue;
                }
                let (shown, why) = if p.role.trust_sensitive {
                    let hidden = d.values.iter().fold(d.why.clone(), |w, v| {
                        w.replace(&format!("the value \"{v}\""), "its value")
                            .replace(&format!("the path \"{v}\""), "its path")
                            .replace(&format!("\"{v}\""), "a sensitive value")
                    });
                    ("(sensitive)".to_string(), hidden)
                } else {
                    (d.values.join(", "), d.why.clone())
                };
                let mut f = Finding::new(
                    rule,
                    &p.role.address,
                    p.role.statement_location(d.statement),
                    format!(
                        "{}: the condition {} {} = {shown} does not narrow who may assume it: {why}",
                        p.role.address, d.operator, d.key
                    ),
                )
                .snippet(snippet(p.role, p.statement))
                .missing(format!("an effective condition on {}", d.key));
                if scoped {
                    f = f.severity(Severity::Info);
                    f.message
                        .push_str(" (something else in the statement already scopes it)");
                }
                out.push(f);
            }
        }
    }
    // One finding per condition: the high one wins over an info one.
    let high: BTreeSet<(String, String)> = out
        .iter()
        .filter(|f| f.rule == rule.code && f.severity != Severity::Info)
        .map(|f| (f.address.clone(), f.message.clone()))
        .collect();
    out.retain(|f| {
        f.rule != rule.code
            || f.severity != Severity::Info
            || !high.contains(&(
                f.address.clone(),
                f.message
                    .trim_end_matches(" (something else in the statement already scopes it)")
                    .to_string(),
            ))
    });
}
