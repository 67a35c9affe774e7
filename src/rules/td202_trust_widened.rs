//! # TD202 trust-widened
//!
//! ## What it checks
//! With a before, every grant that admits more than it did: an action added
//! (`sts:TagSession`, `sts:AssumeRoleWithWebIdentity`), more accounts or
//! identities, a narrowing condition removed or loosened (an exact value
//! turned into a wildcard, one value into several, `StringEquals` into
//! `StringLike`, `…IfExists` added), MFA no longer required. The grant keeps
//! its key (same role, same principal), so a baseline keyed on (resource,
//! check) would have hidden it; trustdrift compares who is admitted.
//!
//! ## Why it matters
//! A widened grant is the quiet way trust leaks: the role and its principal
//! look the same in a diff, and the condition that kept outsiders out is gone.
//!
//! ## Example
//! The baseline holds `:root` of 111111111111 with `aws:PrincipalOrgID`; the
//! change drops the condition, so any identity of that account, inside the
//! organisation or not, may assume the role.
//!
//! ## Fix
//! Restore the narrowing, or, if the wider trust is intended, have it
//! reviewed and approved (`trustdrift baseline update`, then `approve`).

use super::{Finding, Rule, RuleContext, snippet};
use crate::analyze::drift::DriftClass;
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD202",
    name: "trust-widened",
    severity: Severity::High,
    summary: "a grant broadened against the before: principal, actions, a narrowing condition removed or loosened",
    fix: "restore the narrowing, or have the wider trust reviewed and approved",
    source: include_str!("td202_trust_widened.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    if ctx.drift.is_none() {
        return;
    }
    for g in ctx.grants {
        let Some(d) = ctx.drift_of(g) else {
            continue;
        };
        if d.class != DriftClass::Widened {
            continue;
        }
        let Some((role, at)) = ctx.grant_place(g) else {
            continue;
        };
        let statement = g
            .statements
            .first()
            .and_then(|i| super::statement_of(role, *i));
        let mut f = Finding::new(
            rule,
            &g.role,
            at,
            format!(
                "{} trusts {} more widely than {}: {}",
                g.role,
                g.principal.describe(),
                ctx.baseline
                    .map(|b| b.described())
                    .unwrap_or_else(|| "the before".to_string()),
                d.reasons.join("; ")
            ),
        )
        .snippet(statement.and_then(|s| snippet(role, s)))
        .grant(&g.key);
        if let (Some(baseline), Some(before)) = (ctx.baseline, &d.before)
            && !baseline.path.starts_with('(')
        {
            f.related.push((
                baseline.location(&before.key),
                "the grant as the baseline holds it".to_string(),
            ));
        }
        out.push(f);
    }
}
