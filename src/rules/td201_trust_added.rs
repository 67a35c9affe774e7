//! # TD201 trust-added
//!
//! ## What it checks
//! With a before (a baseline file, `--baseline`, or `.trustdrift/baseline.json`
//! when it exists), every grant that is not in it: a principal that can now
//! assume a role and could not before. Grants that leave your organisation
//! are high; grants whose accounts are not known are medium; grants within
//! your accounts or organisation, and to services or web identities, are info.
//! A plan is its own before when there is no baseline: what it creates is
//! added.
//!
//! ## Why it matters
//! New trust is where a review matters most: once merged, the principal can
//! assume the role. A baseline keyed on (resource, check) would show nothing
//! for a new principal on a role it already holds.
//!
//! ## Example
//! The baseline holds `aws_iam_role.ci` trusting `role/deployer` in
//! 111111111111; the change adds `arn:aws:iam::999988887777:root` to the
//! same statement.
//!
//! ## Fix
//! Review the new grant; once accepted, record it with `trustdrift baseline
//! update` and approve it with `trustdrift baseline approve KEY --owner …
//! --expires … --reason …`.

use super::{Finding, Rule, RuleContext, snippet};
use crate::analyze::drift::DriftClass;
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD201",
    name: "trust-added",
    severity: Severity::High,
    summary: "a grant not in the before (cross-account high, accounts unknown medium, same-account or service info)",
    fix: "review it, then record it with `trustdrift baseline update` and approve it",
    source: include_str!("td201_trust_added.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    if ctx.drift.is_none() {
        return;
    }
    let before = ctx
        .baseline
        .map(|b| b.described())
        .unwrap_or_else(|| "the before".to_string());
    for g in ctx.grants {
        if ctx.drift_of(g).map(|d| d.class) != Some(DriftClass::Added) {
            continue;
        }
        let Some((role, at)) = ctx.grant_place(g) else {
            continue;
        };
        let severity = match g.cross_account {
            Some(true) if ctx.crosses(g) => Severity::High,
            None => Severity::Medium,
            _ => Severity::Info,
        };
        let statement = g
            .statements
            .first()
            .and_then(|i| super::statement_of(role, *i));
        let who = g
            .admits
            .iter()
            .map(|a| a.describe(role.trust_sensitive))
            .collect::<Vec<_>>()
            .join("; ");
        out.push(
            Finding::new(
                rule,
                &g.role,
                at,
                format!(
                    "{} newly trusts {}: not in {before} ({who})",
                    g.role,
                    g.principal.describe(),
                ),
            )
            .severity(severity)
            .snippet(statement.and_then(|s| snippet(role, s)))
            .grant(&g.key),
        );
    }
}
