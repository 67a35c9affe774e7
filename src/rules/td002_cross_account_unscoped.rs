//! # TD002 cross-account-unscoped
//!
//! ## What it checks
//! An Allow trust statement naming an AWS principal (an account, role, user or
//! session) from an account outside the organisation's accounts, with no
//! narrowing condition: `sts:ExternalId`, `aws:PrincipalOrgID`,
//! `aws:PrincipalOrgPaths`, `aws:PrincipalArn` or `aws:MultiFactorAuthPresent`.
//! For a known third party (an `account` block in the policy), the condition
//! keys its `requires` lists must all be present instead. When the policy
//! names no organisation accounts, the role's own account is the only one
//! counted as yours; when that is unknown too, the finding has low confidence.
//! A `"*"` principal whose conditions (`aws:PrincipalAccount`,
//! `aws:PrincipalArn`) list outside accounts is judged like those accounts.
//! Conditions count as IAM evaluates them: `aws:PrincipalOrgID` scopes only
//! when it names the policy's `organization.id` (any fixed id when the
//! policy names none), an external id only when every request must carry
//! one of the listed values (not `StringLike "*"`, not `…IfExists`), MFA
//! only with `Bool` (not `BoolIfExists`, which long-term keys pass).
//!
//! ## Why it matters
//! Trust that crosses the account boundary without a condition lets whoever
//! controls the other account decide who becomes this role. For a vendor, the
//! external id is what stops the confused-deputy problem: another customer of
//! the same vendor cannot make the vendor act on your account.
//!
//! ## Example
//! ```json
//! {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "sts:AssumeRole"}
//! ```
//!
//! ## Fix
//! For a vendor, add `"Condition": {"StringEquals": {"sts:ExternalId": "<id the vendor gave you>"}}`.
//! For an account of your own organisation, list it in the policy's
//! `organization { accounts = [...] }`, or add `aws:PrincipalOrgID`.

use super::{Finding, Rule, RuleContext, or_list, path_finding};
use crate::analyze::admission::{Admission, Admitted, Reach};
use crate::analyze::trust::TrustPath;
use crate::model::principal::PrincipalClass;
use crate::model::severity::{Confidence, Severity};

pub static RULE: Rule = Rule {
    code: "TD002",
    name: "cross-account-unscoped",
    severity: Severity::High,
    summary: "a principal from an account outside the organisation, not scoped; or a known third party without the condition its `account` block requires",
    fix: "add StringEquals sts:ExternalId for a vendor, or aws:PrincipalOrgID; list your own accounts in organization.accounts",
    source: include_str!("td002_cross_account_unscoped.rs"),
    check,
};

/// Narrowed enough for a caller from outside: your organisation, named
/// identities, an external id, or MFA.
fn scoped(p: &TrustPath<'_>, a: &Admission, ctx: &RuleContext<'_>) -> bool {
    let Admitted::Aws {
        external_id, mfa, ..
    } = &a.admitted
    else {
        return true;
    };
    a.undecided()
        || a.admitted.inside_organization(&ctx.trust.organization, &p.own_accounts)
        // aws:PrincipalArn naming identities under an account (or "*") principal.
        || (a.admitted.names_identities()
            && matches!(p.class, PrincipalClass::Account { .. } | PrincipalClass::Everyone))
        || *mfa
        || a.admitted.key_pinned("sts:ExternalId")
        || matches!(external_id, crate::analyze::admission::Span::Unresolved(_))
}

/// The accounts of an AWS caller admission, when they are listed.
fn listed_accounts(a: &Admission) -> Vec<&str> {
    match &a.admitted {
        Admitted::Aws { accounts, .. } => accounts
            .only()
            .map(|v| v.iter().map(String::as_str).collect())
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    let org = &ctx.trust.organization;
    for p in ctx.paths.iter() {
        // `"*"` is TD001's, unless its conditions list the accounts.
        let everyone = p.class == PrincipalClass::Everyone;
        for a in p.aws_callers() {
            let reach = a.admitted.account_reach(org, &p.own_accounts);
            if everyone && matches!(reach, Reach::Any | Reach::Unknown) {
                continue;
            }
            let outside = match reach {
                Reach::Own => false,
                Reach::Unknown => p.cross_account != Some(false),
                Reach::Listed | Reach::Any => true,
            };
            if !outside {
                continue;
            }
            let accounts = listed_accounts(a);
            let third_party = accounts.iter().find_map(|acct| {
                ctx.policy
                    .accounts
                    .get(*acct)
                    .filter(|t| !t.requires.is_empty())
                    .map(|t| (*acct, t))
            });
            if let Some((account, party)) = third_party {
                let missing: Vec<&str> = party
                    .requires
                    .iter()
                    .map(String::as_str)
                    .filter(|key| !a.admitted.key_pinned(key))
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                let who = party
                    .name
                    .as_deref()
                    .map(|n| format!("{n} ({account})"))
                    .unwrap_or_else(|| account.to_string());
                out.push(
                    path_finding(
                        rule,
                        p,
                        format!(
                            "{} trusts third party {who} without {}, which its account block requires",
                            p.role.address,
                            or_list(&missing)
                        ),
                    )
                    .missing(format!("a condition on {}", missing.join(" and ")))
                    .fix(format!(
                        "add the condition{} {} that {who} presents",
                        if missing.len() > 1 { "s" } else { "" },
                        missing.join(", ")
                    )),
                );
                continue;
            }
            if scoped(p, a, ctx) {
                continue;
            }
            let mut f = path_finding(
                rule,
                p,
                format!(
                    "{} trusts {} from outside the organisation with no condition that narrows who may assume it",
                    p.role.address,
                    if everyone {
                        // Its conditions say which accounts: say what it admits.
                        a.admitted.describe(p.role.trust_sensitive)
                    } else {
                        p.principal.describe()
                    }
                ),
            )
            .missing("a condition on sts:ExternalId, aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalArn or aws:MultiFactorAuthPresent");
            if reach == Reach::Unknown {
                let account = accounts.first().copied().unwrap_or("(unknown)");
                f.message = format!(
                    "{} trusts {} with no narrowing condition, and trustdrift cannot tell whether account {account} is yours: the policy lists no organization accounts and the role's own account is unknown",
                    p.role.address,
                    p.principal.describe()
                );
                f = f.confidence(Confidence::Low);
            }
            out.push(f);
        }
    }
}
