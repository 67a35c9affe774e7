//! # TD008 long-session
//!
//! ## What it checks
//! A role that carries trust across the boundary of your accounts and lets
//! sessions last longer than the policy's `limits.max_session_duration`
//! (default 3600 seconds, IAM's own default): its `max_session_duration` is
//! set above it.
//!
//! ## Why it matters
//! Credentials a vendor or another account obtains by assuming the role stay
//! valid for the whole session, even after the trust is removed. A twelve-hour
//! session turns a revoked grant into half a day of access.
//!
//! ## Example
//! ```hcl
//! resource "aws_iam_role" "vendor" {
//!   max_session_duration = 43200
//! }
//! ```
//!
//! ## Fix
//! Keep `max_session_duration` at or under the limit for cross-account roles,
//! or raise the policy's `limits.max_session_duration` on purpose.

use super::{Finding, Rule, RuleContext};
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD008",
    name: "long-session",
    severity: Severity::Low,
    summary: "a cross-account role whose max_session_duration exceeds the policy's limit",
    fix: "keep max_session_duration within limits.max_session_duration for cross-account roles",
    source: include_str!("td008_long_session.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    let limit = i64::from(ctx.policy.limits.max_session_duration);
    let mut seen = std::collections::BTreeSet::new();
    for g in ctx.grants.iter().filter(|g| ctx.crosses(g)) {
        let Some((role, _)) = ctx.grant_place(g) else {
            continue;
        };
        let Some(duration) = role.max_session_duration.filter(|d| *d > limit) else {
            continue;
        };
        if !seen.insert(role.address.as_str()) {
            continue;
        }
        out.push(
            Finding::new(
                rule,
                &role.address,
                &role.location,
                format!(
                    "{} is assumable from outside your accounts ({}) and lets a session last {duration} seconds, more than the limit of {limit}",
                    role.address,
                    g.principal.describe()
                ),
            )
            .grant(&g.key),
        );
    }
}
