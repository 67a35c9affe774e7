//! # TD204 owner-missing
//!
//! ## What it checks
//! A cross-account grant with no owner: no approval in the baseline, no
//! owner tag on the role (the policy's `metadata.owner_tags`, default
//! `owner`; `tags_all` counts, so provider `default_tags` do), and no
//! `owner` in the policy's `account` block for the trusted account.
//!
//! ## Why it matters
//! Trust that crosses an account boundary needs someone who answers for it:
//! who to ask when the vendor changes, who revokes it when the project ends.
//! Unowned trust outlives the reason it was created.
//!
//! ## Example
//! ```hcl
//! resource "aws_iam_role" "vendor" {
//!   assume_role_policy = data.aws_iam_policy_document.vendor.json
//!   # no tags
//! }
//! ```
//!
//! ## Fix
//! Tag the role (`owner = "team-payments"`), or approve the grant in the
//! baseline with `--owner`.

use super::{Finding, Rule, RuleContext};
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD204",
    name: "owner-missing",
    severity: Severity::Medium,
    summary: "cross-account trust without an owner (approval, owner tag, or the policy's account owner)",
    fix: "tag the role with an owner, or approve the grant in the baseline with --owner",
    source: include_str!("td204_owner_missing.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    for g in ctx.grants.iter().filter(|g| ctx.crosses(g)) {
        let Some((role, at)) = ctx.grant_place(g) else {
            continue;
        };
        if crate::analyze::metadata::has_owner(g, role, ctx.policy, ctx.baseline) {
            continue;
        }
        out.push(
            Finding::new(
                rule,
                &g.role,
                at,
                format!(
                    "{} trusts {} across accounts and nobody owns it: no owner tag ({}), no approval, no account owner in the policy",
                    g.role,
                    g.principal.describe(),
                    ctx.policy.metadata.owner_tags.join(", ")
                ),
            )
            .grant(&g.key),
        );
    }
}
