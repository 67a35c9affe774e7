//! # TD011 not-principal-allow
//!
//! ## What it checks
//! `NotPrincipal` in an Allow statement of a trust policy.
//!
//! ## Why it matters
//! Allow with `NotPrincipal` grants the role to every principal in every
//! account except the few listed. IAM does not support `NotPrincipal` in role
//! trust policies at all, so the intent cannot be what is written.
//!
//! ## Example
//! ```json
//! {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:role/blocked"}, "Action": "sts:AssumeRole"}
//! ```
//!
//! ## Fix
//! Use `Principal` naming who may assume the role. To exclude principals, add
//! a Deny statement with an `ArnNotLike` condition on `aws:PrincipalArn`.

use super::{Finding, Rule, RuleContext, snippet};
use crate::model::inventory::Trust;
use crate::model::policy::Effect;
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD011",
    name: "not-principal-allow",
    severity: Severity::Critical,
    summary: "`NotPrincipal` in an Allow trust statement",
    fix: "use Principal naming who may assume the role; exclude with a Deny on aws:PrincipalArn",
    source: include_str!("td011_not_principal_allow.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    for role in ctx.inventory.roles.iter().filter(|r| !r.is_removed()) {
        let Trust::Document(doc) = &role.trust else {
            continue;
        };
        for s in doc
            .statements
            .iter()
            .filter(|s| s.effect == Effect::Allow && s.not_principals.is_some())
        {
            out.push(
                Finding::new(
                    rule,
                    &role.address,
                    role.statement_location(s.index),
                    format!(
                        "{} allows every principal except those in NotPrincipal to {}",
                        role.address,
                        s.actions.join(", ")
                    ),
                )
                .snippet(snippet(role, s))
                .missing("a Principal element naming who may assume the role"),
            );
        }
    }
}
