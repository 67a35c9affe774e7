//! # TD001 trust-any-principal
//!
//! ## What it checks
//! An Allow statement in a role's trust policy whose principal is `"*"` or
//! `{"AWS": "*"}` and that carries no condition narrowing who gets in:
//! `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount`,
//! `aws:PrincipalArn`, or, for services acting on a resource's behalf,
//! `aws:SourceAccount`, `aws:SourceArn`, `aws:SourceOrgID`, `aws:SourceOrgPaths`.
//! The statement is judged as IAM evaluates it: a condition narrows only if
//! every caller from an unknown account fails it. `aws:PrincipalOrgID` must
//! name the policy's `organization.id` (another organisation's id is no
//! scope), `aws:PrincipalOrgPaths` must start with it, `aws:PrincipalArn`
//! and `aws:PrincipalAccount` must fix the account (not `*`, `11111111111?`
//! or `${aws:PrincipalAccount}`), and `…IfExists` / `ForAllValues:` on a
//! key the caller can leave out narrow nothing. Conditions that only a
//! service's request carries (`aws:SourceArn`) shut out every AWS caller.
//!
//! ## Why it matters
//! A wildcard principal lets any identity in any AWS account become this
//! role, including accounts an attacker creates for the purpose. An external
//! id alone does not help: it is a shared string, not an identity.
//!
//! ## Example
//! ```json
//! {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
//! ```
//!
//! ## Fix
//! Name the roles that may assume it, or keep the wildcard and add
//! `"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-yourorgid"}}` (or an
//! `ArnLike` on `aws:PrincipalArn` naming your roles, the self-assume pattern).

use super::{Finding, Rule, RuleContext, path_finding};
use crate::analyze::admission::Reach;
use crate::model::principal::PrincipalClass;
use crate::model::severity::Severity;

pub static RULE: Rule = Rule {
    code: "TD001",
    name: "trust-any-principal",
    severity: Severity::Critical,
    summary: "`Principal: \"*\"` or `{\"AWS\": \"*\"}` in an Allow trust statement that is not scoped",
    fix: "name the roles that may assume it, or add StringEquals aws:PrincipalOrgID (or ArnLike aws:PrincipalArn)",
    source: include_str!("td001_trust_any_principal.rs"),
    check,
};

fn check(ctx: &RuleContext<'_>, rule: &Rule, out: &mut Vec<Finding>) {
    let org = &ctx.trust.organization;
    for p in ctx
        .paths
        .iter()
        .filter(|p| p.class == PrincipalClass::Everyone)
    {
        // Open when AWS callers of any account get in: neither the accounts,
        // the organisation nor the identities are pinned.
        let open = p.aws_callers().any(|a| {
            !a.undecided()
                && !a.admitted.inside_organization(org, &p.own_accounts)
                && !a.admitted.names_identities()
                && a.admitted.account_reach(org, &p.own_accounts) == Reach::Any
        });
        let services_open = p.admissions.iter().any(|a| {
            matches!(
                &a.admitted,
                crate::analyze::admission::Admitted::Service { .. }
            ) && !p.is_scoped(a, org)
        });
        if !open && !services_open {
            continue;
        }
        out.push(
            path_finding(rule, p, format!(
                    "{} trusts {} with no condition that narrows who may assume it",
                    p.role.address,
                    p.principal.describe()
                ))
            .missing("a condition on aws:PrincipalOrgID, aws:PrincipalOrgPaths, aws:PrincipalAccount or aws:PrincipalArn"),
        );
    }
}
