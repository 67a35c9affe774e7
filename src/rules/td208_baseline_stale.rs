//! # TD208 baseline-stale
//!
//! ## What it checks
//! Baseline entries whose grant no longer exists in the input: the role is
//! gone, or no longer trusts that principal. Reported at the entry in the
//! baseline file.
//!
//! ## Why it matters
//! A baseline that lists trust which no longer exists is an audit record
//! that no longer matches reality; an approval left on it could cover a
//! grant re-created later under the same key without review.
//!
//! ## Example
//! `aws_iam_role.legacy|AWS:arn:aws:iam::999988887777:root` is in the
//! baseline, and `aws_iam_role.legacy` was deleted.
//!
//! ## Fix
//! Run `trustdrift baseline update`, which drops vanished grants and says
//! which.

use super::{Finding, Rule, RuleContext};
use crate::analyze::drift::DriftClass;
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD208",
    name: "baseline-stale",
    severity: Severity::Low,
    summary: "baseline entries for grants that no longer exist",
    fix: "run `trustdrift baseline update` to drop them",
    source: include_str!("td208_baseline_stale.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    let (Some(drift), Some(baseline)) = (ctx.drift, ctx.baseline) else {
        return;
    };
    for d in drift.of_class(DriftClass::Removed) {
        let Some(before) = &d.before else {
            continue;
        };
        out.push(
            Finding::new(
                rule,
                &before.subject,
                &baseline.location(&before.key),
                format!(
                    "the baseline lists {}, which no longer exists in the input",
                    before.key
                ),
            )
            .grant(&before.key),
        );
    }
}
