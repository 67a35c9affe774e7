//! # TD206 trust-expired
//!
//! ## What it checks
//! A cross-account grant whose expiry (its baseline approval's, or the
//! role's expiry tag) is before today, and any baseline approval of a grant
//! that still exists whose expiry has passed. "Today" is `--today` when
//! given, so a run is reproducible.
//!
//! ## Why it matters
//! An expired grant is trust nobody has re-approved: the reason it was
//! given may be gone, and the approval that covered it no longer does.
//!
//! ## Example
//! `baseline approve 'aws_iam_role.vendor|*' --expires 2026-11-30 …`, and
//! the check runs on 2026-12-01.
//!
//! ## Fix
//! Remove the trust, or review it again and renew the approval
//! (`trustdrift baseline approve` with a new `--expires`).

use super::{Finding, Rule, RuleContext};
use crate::analyze::metadata::From;
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD206",
    name: "trust-expired",
    severity: Severity::High,
    summary: "cross-account trust past its expiry, or a baseline approval past its expiry",
    fix: "remove the trust, or review it and renew the approval with a new --expires",
    source: include_str!("td206_trust_expired.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    for g in ctx.grants {
        let Some((role, at)) = ctx.grant_place(g) else {
            continue;
        };
        let expires = crate::analyze::metadata::expires_of(g, role, ctx.policy, ctx.baseline);
        let Some((text, from)) = expires else {
            continue;
        };
        if from != From::Approval && !ctx.crosses(g) {
            continue;
        }
        let Some(day) = crate::model::date::Date::parse(text) else {
            continue;
        };
        if day >= ctx.today {
            continue;
        }
        let mut f = Finding::new(
            rule,
            &g.role,
            at,
            format!(
                "{}'s trust of {} expired on {day} ({} days before {}), as {} says",
                g.role,
                g.principal.describe(),
                ctx.today.days_since(day),
                ctx.today,
                from.as_str()
            ),
        )
        .grant(&g.key);
        if let (From::Approval, Some(b)) = (from, ctx.baseline) {
            f.related
                .push((b.location(&g.key), "the expired approval".to_string()));
        }
        out.push(f);
    }
}
