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
use crate::analyze::trust::NarrowingKey;
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

fn narrows_cross_account(k: &NarrowingKey) -> bool {
    matches!(
        k,
        NarrowingKey::ExternalId
            | NarrowingKey::PrincipalOrgId
            | NarrowingKey::PrincipalOrgPaths
            | NarrowingKey::PrincipalArn
            | NarrowingKey::MfaPresent
    )
}

fn is_account_principal(class: &PrincipalClass) -> bool {
    matches!(
        class,
        PrincipalClass::Account { .. }
            | PrincipalClass::Role { .. }
            | PrincipalClass::AssumedRole { .. }
            | PrincipalClass::User { .. }
            | PrincipalClass::FederatedUser { .. }
            | PrincipalClass::OtherIam { .. }
    )
}

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    for p in ctx
        .paths
        .iter()
        .filter(|p| is_account_principal(&p.class) && p.cross_account != Some(false))
    {
        let Some(account) = p.principal_account() else {
            continue;
        };
        if let Some(party) = ctx
            .policy
            .accounts
            .get(account)
            .filter(|t| !t.requires.is_empty())
        {
            let missing: Vec<&str> = party
                .requires
                .iter()
                .map(String::as_str)
                .filter(|key| {
                    !p.scope.iter().any(|s| {
                        s.state == crate::analyze::trust::ScopeState::Effective
                            && s.condition.key_is(key)
                    })
                })
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
        if p.scoped_or_undecided(narrows_cross_account) {
            continue;
        }
        let mut f = path_finding(
            rule,
            p,
            format!(
                "{} trusts {} from outside the organisation with no condition that narrows who may assume it",
                p.role.address,
                p.principal.describe()
            ),
        )
        .missing("a condition on sts:ExternalId, aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalArn or aws:MultiFactorAuthPresent");
        if p.cross_account.is_none() {
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
