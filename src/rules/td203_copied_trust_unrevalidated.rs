//! # TD203 copied-trust-unrevalidated
//!
//! ## What it checks
//! A cross-account grant that is a copy of a grant on another role: the same
//! principal, actions and admitted callers (the role's own name masked), or
//! the same widened (a condition dropped on the way). The source is the
//! member the baseline holds, else the first by address. The copy is
//! revalidated only when it has its own approval in the baseline, or its own
//! owner, an expiry within `max_expiry_days`, and a review date; metadata
//! identical to the source's (the same ticket, review date or expiry) was
//! copied with the trust and does not count, and a condition that names the
//! source role is stale scope.
//!
//! ## Why it matters
//! Copy-paste is how cross-account trust spreads: a vendor role is duplicated
//! for a new environment with the original's tags, so it looks reviewed and
//! owned when nobody decided the new role should trust that vendor.
//!
//! ## Example
//! `aws_iam_role.vendor_staging` is `aws_iam_role.vendor` pasted with the
//! same `trust-ticket = "SEC-12"` and `trust-reviewed` date.
//!
//! ## Fix
//! Give the copy its own owner, expiry and review (its own ticket), or
//! approve it in the baseline; if both roles should not exist, remove one.

use super::{Finding, Rule, RuleContext};
use crate::analyze::metadata;
use crate::model::date::Date;
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD203",
    name: "copied-trust-unrevalidated",
    severity: Severity::High,
    summary: "a copy of another role's cross-account trust without its own owner, valid expiry and review",
    fix: "give the copy its own owner, expiry and review, or approve it in the baseline",
    source: include_str!("td203_copied_trust_unrevalidated.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    for copy in ctx.copies {
        let Some(g) = ctx.grants_by_key.get(copy.key.as_str()).copied() else {
            continue;
        };
        let Some(src) = ctx.grants_by_key.get(copy.source.as_str()).copied() else {
            continue;
        };
        let (Some((role, at)), Some((src_role, src_at))) =
            (ctx.grant_place(g), ctx.grant_place(src))
        else {
            continue;
        };
        let approved = ctx
            .baseline
            .and_then(|b| b.baseline.entries.get(&g.key))
            .and_then(|e| e.approval.as_ref())
            .is_some_and(|a| Date::parse(&a.expires).is_some_and(|d| d >= ctx.today));
        if approved {
            continue;
        }
        let mine = metadata::of(g, role, ctx.policy, ctx.baseline);
        let theirs = metadata::of(src, src_role, ctx.policy, ctx.baseline);
        let mut missing = Vec::new();
        if mine.owner.is_none() {
            missing.push("owner".to_string());
        }
        let max = i64::from(ctx.policy.metadata.max_expiry_days);
        match mine.expiry_date() {
            Some(d) if d >= ctx.today && d.days_since(ctx.today) <= max => {}
            _ => missing.push("expiry".to_string()),
        }
        if mine.review.as_deref().and_then(Date::parse).is_none() {
            missing.push("review".to_string());
        }
        let mut same = Vec::new();
        if mine.ticket.is_some() && mine.ticket == theirs.ticket {
            same.push("ticket");
        }
        if mine.review.is_some() && mine.review == theirs.review {
            same.push("review date");
        }
        if mine.expires.is_some()
            && mine.expires.as_ref().map(|e| &e.0) == theirs.expires.as_ref().map(|e| &e.0)
        {
            same.push("expiry");
        }
        if !same.is_empty() {
            missing.push(format!(
                "copied metadata (the same {} as the source)",
                same.join(", ")
            ));
        }
        let content = serde_json::to_string(&g.admits).unwrap_or_default();
        let names_source = content.contains(&src.role)
            || src_role
                .name
                .as_deref()
                .is_some_and(|n| n.len() >= 3 && content.contains(&format!("role/{n}")));
        if names_source {
            missing.push("stale scope (a condition names the source role)".to_string());
        }
        if missing.is_empty() {
            continue;
        }
        let how = if copy.widened {
            "copies, and widens,"
        } else {
            "copies"
        };
        let mut f = Finding::new(
            rule,
            &g.role,
            at,
            format!(
                "{} {how} the trust {} gives {} without revalidating it",
                g.role,
                src.role,
                g.principal.describe()
            ),
        )
        .missing(missing.join(", "))
        .grant(&g.key);
        f.related
            .push((src_at.clone(), format!("the source: {}", src.role)));
        out.push(f);
    }
}
