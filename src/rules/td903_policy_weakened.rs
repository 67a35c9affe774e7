//! # TD903 policy-weakened
//!
//! ## What it checks
//! With `--baseline-ref REV` (a pull request's base), trustdrift judges the
//! change with the policy file as it is at REV, and compares the policy file
//! in the change with it. Each way the change weakens the gate is a finding
//! at the setting: a rule turned off (`enabled = false`) or its severity
//! lowered, an account added to `organization.accounts`, the organisation id
//! changed, a condition a known third party must present dropped from its
//! `requires`, a service dropped from `confused_deputy_services`, a longer
//! `max_expiry_days`.
//!
//! ## Why it matters
//! The policy file lives in the repository it guards, so the pull request
//! under review can edit it. A change that turns TD001 off and adds a
//! wildcard trust in the same commit would otherwise pass its own gate.
//! Reading the policy from the base revision, and reporting the edit, lets a
//! reviewer approve the weakening knowingly or refuse it.
//!
//! ## Example
//! ```hcl
//! # .trustdrift.hcl in the pull request
//! rule "TD001" {
//!   enabled = false
//! }
//! ```
//!
//! ## Fix
//! Keep the policy change in its own pull request, reviewed by the owners of
//! the trust boundary; once it is merged, it applies to later changes.

use super::{Finding, Rule, RuleContext};
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD903",
    name: "policy-weakened",
    severity: Severity::High,
    summary: "the policy file in the change turns a rule off or lowers it, adds an account to the organisation, or drops a required condition (with --baseline-ref)",
    fix: "review the policy change on its own; it applies once merged",
    source: include_str!("td903_policy_weakened.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    for change in ctx.policy_changes {
        out.push(Finding::new(
            rule,
            &change.location.file,
            &change.location,
            format!("the policy file in this change {}", change.message),
        ));
    }
}
