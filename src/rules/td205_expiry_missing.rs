//! # TD205 expiry-missing
//!
//! ## What it checks
//! A cross-account grant with no expiry (no approval in the baseline, no
//! expiry tag, default `trust-expires`), an expiry that is not a date
//! (YYYY-MM-DD), or one further away than the policy's
//! `metadata.max_expiry_days` (default 90).
//!
//! ## Why it matters
//! Cross-account trust is granted for a purpose and a time. Without an end
//! date nobody is asked to look at it again, and access given for a
//! migration stays for years.
//!
//! ## Example
//! ```hcl
//! tags = { owner = "team-a", "trust-expires" = "2031-01-01" }
//! ```
//!
//! ## Fix
//! Set the expiry tag to a date within `max_expiry_days`, or approve the
//! grant in the baseline with `--expires`.

use super::{Finding, Rule, RuleContext};
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD205",
    name: "expiry-missing",
    severity: Severity::Medium,
    summary: "cross-account trust without an expiry, with an unreadable one, or one beyond max_expiry_days",
    fix: "set the expiry tag to a date within max_expiry_days, or approve the grant with --expires",
    source: include_str!("td205_expiry_missing.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    let max = i64::from(ctx.policy.metadata.max_expiry_days);
    for g in ctx.grants.iter().filter(|g| ctx.crosses(g)) {
        let Some((role, at)) = ctx.grant_place(g) else {
            continue;
        };
        let expires = crate::analyze::metadata::expires_of(g, role, ctx.policy, ctx.baseline);
        let problem = match expires {
            None => format!(
                "has no expiry: no {} tag and no approval",
                ctx.policy.metadata.expiry_tag
            ),
            Some((text, from)) => match crate::model::date::Date::parse(text) {
                None => format!(
                    "has an expiry that is not a date (YYYY-MM-DD): {text:?} in {}",
                    from.as_str()
                ),
                Some(d) if d.days_since(ctx.today) > max => format!(
                    "expires on {d}, {} days from {}, beyond max_expiry_days ({max})",
                    d.days_since(ctx.today),
                    ctx.today
                ),
                Some(_) => continue,
            },
        };
        out.push(
            Finding::new(
                rule,
                &g.role,
                at,
                format!("{}'s trust of {} {problem}", g.role, g.principal.describe()),
            )
            .grant(&g.key),
        );
    }
}
